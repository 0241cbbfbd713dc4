package alb_test

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// BenchmarkGetTelemetry: Client.Get through the emulator with no
// OpenTelemetry provider installed (the global ones, which do nothing)
// against a Client with a real SDK: every span sampled and batched to an
// exporter that drops it, every metric aggregated by a reader. Both
// clients read the same instance of the same emulator. provider=paired
// times one Get of each back to back in every iteration (alternating the
// order), so that both see the same load of a shared machine, and reports
// the ratio sdk/none. See BENCHMARKS.md.
func BenchmarkGetTelemetry(b *testing.B) {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(1000))
	defer srv.Close()
	none, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()))
	if err != nil {
		b.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) }()
	withSDK, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithTracerProvider(tp), alb.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	op, err := none.Create(ctx, basicSpec())
	if err != nil {
		b.Fatal(err)
	}
	id := op.ID()
	for _, run := range []struct {
		name string
		c    *alb.Client
	}{{"none", none}, {"sdk", withSDK}} {
		c := run.c
		b.Run("provider="+run.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Get(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("provider=paired", func(b *testing.B) {
		var noneTime, sdkTime time.Duration
		for i := 0; b.Loop(); i++ {
			first, second := none, withSDK
			if i%2 == 1 {
				first, second = second, first
			}
			t0 := time.Now()
			if _, err := first.Get(ctx, id); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := second.Get(ctx, id); err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			if i%2 == 1 {
				sdkTime += t1.Sub(t0)
				noneTime += t2.Sub(t1)
			} else {
				noneTime += t1.Sub(t0)
				sdkTime += t2.Sub(t1)
			}
		}
		b.ReportMetric(float64(sdkTime)/float64(noneTime), "sdk/none")
	})
}
