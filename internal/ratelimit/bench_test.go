package ratelimit

import (
	"context"
	"testing"
)

// BenchmarkWaitObserve measures one Wait plus one Observe on the real clock,
// with the class not limited yet (the common case before any throttle), and
// limited at a rate far above what the benchmark reaches (so Wait never
// sleeps and the cost is the bookkeeping).
func BenchmarkWaitObserve(b *testing.B) {
	ctx := context.Background()
	b.Run("adaptive/unlimited", func(b *testing.B) {
		l := NewAdaptive()
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Wait(ctx, "write:CreateLoadBalancer")
			l.Observe("write:CreateLoadBalancer", false)
		}
	})
	b.Run("adaptive/limited", func(b *testing.B) {
		l := NewAdaptive(WithInitialRate(1e12), WithMinRate(1e12))
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Wait(ctx, "write:CreateLoadBalancer")
			l.Observe("write:CreateLoadBalancer", false)
		}
	})
	b.Run("adaptive/limited-parallel", func(b *testing.B) {
		l := NewAdaptive(WithInitialRate(1e12), WithMinRate(1e12))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = l.Wait(ctx, "write:CreateLoadBalancer")
				l.Observe("write:CreateLoadBalancer", false)
			}
		})
	})
	b.Run("fixed", func(b *testing.B) {
		l := NewFixed(1e12, 1<<30)
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Wait(ctx, "write:CreateLoadBalancer")
			l.Observe("write:CreateLoadBalancer", false)
		}
	})
	b.Run("none", func(b *testing.B) {
		l := None()
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Wait(ctx, "write:CreateLoadBalancer")
			l.Observe("write:CreateLoadBalancer", false)
		}
	})
}
