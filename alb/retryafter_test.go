package alb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Issue 17 item 15: the retry hint of a throttling answer is honoured
// whatever the product and the code: the SDKs keep it only for some codes
// of the ALB client, albkit reads the answer's headers (x-acs-retry-after,
// x-ratelimit-user-api) for every one.
func TestRetryAfterHeaderHonouredForEveryProductAndCode(t *testing.T) {
	for _, tc := range []struct {
		name, action, code string
		call               func(ctx context.Context, c *alb.Client) error
	}{
		{"ALB Throttling.User (the SDK's ThrottlingError)", "GetLoadBalancerAttribute", "Throttling.User",
			func(ctx context.Context, c *alb.Client) error {
				_, err := c.Get(ctx, "alb-doesnotexist0000")
				return err
			}},
		{"ALB Throttling.Concurrency (a ClientError to the SDK)", "GetLoadBalancerAttribute", "Throttling.Concurrency",
			func(ctx context.Context, c *alb.Client) error {
				_, err := c.Get(ctx, "alb-doesnotexist0000")
				return err
			}},
		{"VPC Throttling.User (a tea.SDKError to the generic client)", "DescribeVSwitches", "Throttling.User",
			func(ctx context.Context, c *alb.Client) error { _, err := c.PlanCreate(ctx, basicSpec()); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
			srv := albtest.NewServer(albtest.WithClock(clk))
			defer srv.Close()
			var mu sync.Mutex
			var delays []time.Duration
			c := testClient(t, srv, alb.WithObserver(func(e alb.Event) {
				if e.Kind == alb.EventRetry && e.Operation == tc.action {
					mu.Lock()
					delays = append(delays, e.Delay)
					mu.Unlock()
				}
			}))
			srv.InjectFault(albtest.Fault{Action: tc.action, Code: tc.code, Status: 400, Times: 1, RetryAfter: 7 * time.Second})
			_ = tc.call(context.Background(), c)
			mu.Lock()
			defer mu.Unlock()
			if len(delays) != 1 || delays[0] < 7*time.Second {
				t.Fatalf("retry delays %v, want the 7 s the answer asked for", delays)
			}
		})
	}
}
