package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/albkit/albkit/internal/ratelimit"
)

// stepClock is a simulated clock: Sleep moves the time forward at once.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return ctx.Err()
}

// A retry loop's attempt: Wait for a send slot, send, Observe the answer.
// Here a simulated service throttles once, and the limiter paces the class
// from then on, leaving other classes alone.
func Example() {
	clock := &stepClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	lim := ratelimit.NewAdaptive(
		ratelimit.WithClock(clock),
		ratelimit.WithOnChange(func(class string, rate float64, reason string) {
			fmt.Printf("%s: %s, %.1f req/s\n", class, reason, rate)
		}),
	)
	ctx := context.Background()
	const create = "write:CreateLoadBalancer"

	// Two seconds at 20 requests per second, all accepted: no pacing yet.
	for range 40 {
		_ = lim.Wait(ctx, create)
		_ = clock.Sleep(ctx, 50*time.Millisecond) // the request's round trip
		lim.Observe(create, false)
	}
	fmt.Println("before a throttle:", lim.Rate(create))

	lim.Observe(create, true) // the service answered Throttling

	// The next 8 requests are paced at the cut rate (the bucket starts empty).
	start := clock.Now()
	for range 8 {
		_ = lim.Wait(ctx, create)
	}
	fmt.Printf("8 requests took %.2fs\n", clock.Now().Sub(start).Seconds())
	fmt.Println("reads still unpaced:", lim.Rate("read:GetLoadBalancerAttribute"))
	// Output:
	// before a throttle: +Inf
	// write:CreateLoadBalancer: throttle, 14.0 req/s
	// 8 requests took 0.57s
	// reads still unpaced: +Inf
}
