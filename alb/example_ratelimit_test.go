package alb_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Two Clients (for example one per region of one account) share one
// adaptive rate limiter, so that together they respect the account's API
// limits. The limiter learns the rate each action is allowed from the
// service's throttling. (KeepEveryCut keeps this example's cut in view: by
// default a cut after which the service throttles as much as before is
// undone, and calls made one at a time, as here, are throttled and then
// paced by the service's retry-after hints whatever the rate.)
func ExampleWithRateLimiter() {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithRateLimit("GetLoadBalancerAttribute", 2, 1))
	defer srv.Close()

	shared, err := alb.NewAdaptiveRateLimiter(alb.AdaptiveOptions{Clock: clk, KeepEveryCut: true})
	if err != nil {
		panic(err)
	}
	a, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk), alb.WithRateLimiter(shared))
	if err != nil {
		panic(err)
	}
	b, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk), alb.WithRateLimiter(shared))
	if err != nil {
		panic(err)
	}
	fmt.Println("limited before any throttle:", shared.Rate("GetLoadBalancerAttribute") < 1e9)
	ctx := context.Background()
	answered := 0
	for i := range 24 {
		c := a
		if i%2 == 1 {
			c = b
		}
		if _, err := c.Get(ctx, "alb-missing"); errors.Is(err, alb.ErrNotFound) {
			answered++
		}
	}
	fmt.Println("calls answered:", answered)
	fmt.Println("limited after the service throttled:", shared.Rate("GetLoadBalancerAttribute") < 1e9)
	// Output:
	// limited before any throttle: false
	// calls answered: 24
	// limited after the service throttled: true
}
