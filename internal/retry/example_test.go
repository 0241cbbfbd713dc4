package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/albkit/albkit/internal/retry"
)

var errThrottling = errors.New("Throttling.User: request was denied due to user flow control")

func Example() {
	r := &retry.Retryer{
		Policy: retry.Policy{MaxAttempts: 4},
		Budget: retry.NewBudget(retry.DefaultBudgetCapacity),
		Classify: func(err error) (retry.Decision, string, bool) {
			if errors.Is(err, errThrottling) {
				return retry.Retry, "throttled", true
			}
			return retry.Stop, "other", false
		},
		OnRetry: func(e retry.Event) {
			fmt.Printf("%s attempt %d/%d failed (%s), retrying in %v\n", e.Action, e.Attempt, e.MaxAttempts, e.Reason, e.Delay)
		},
		// Deterministic for the example: no real sleeping, jitter at its midpoint.
		Sleep: func(context.Context, time.Duration) error { return nil },
		Rand:  func() float64 { return 0.5 },
	}

	calls := 0
	err := r.Do(context.Background(), "CreateLoadBalancer", true, func(ctx context.Context) error {
		calls++
		if calls < 3 {
			return errThrottling
		}
		return nil
	})
	fmt.Println("err:", err, "calls:", calls, "budget:", r.Budget.Available())
	// Output:
	// CreateLoadBalancer attempt 1/4 failed (throttled), retrying in 1s
	// CreateLoadBalancer attempt 2/4 failed (throttled), retrying in 2s
	// err: <nil> calls: 3 budget: 500
}

func ExampleComputeDelay() {
	mid := func() float64 { return 0.5 }
	for attempt := 1; attempt <= 6; attempt++ {
		fmt.Println(attempt, retry.ComputeDelay(attempt, 2*time.Second, 30*time.Second, time.Hour, mid))
	}
	// With 10s left, a 9s delay would leave less than minDelay: poll at the deadline.
	fmt.Println("clamped", retry.ComputeDelay(4, 2*time.Second, 30*time.Second, 10*time.Second, mid))
	// Output:
	// 1 2s
	// 2 3s
	// 3 5s
	// 4 9s
	// 5 16s
	// 6 16s
	// clamped 10s
}
