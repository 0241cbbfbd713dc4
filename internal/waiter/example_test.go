package waiter_test

import (
	"context"
	"fmt"
	"time"

	"github.com/albkit/albkit/internal/clock"
	"github.com/albkit/albkit/internal/waiter"
)

func clockDeadline(ctx context.Context) (time.Time, bool) { return clock.Deadline(ctx) }

// Poll a resource until it reports "ready".
func Example() {
	c := &fakeClock{now: time.Unix(0, 0)}
	states := []string{"creating", "creating", "ready"}
	i := 0
	v, err := waiter.Wait(context.Background(),
		waiter.Options{MinDelay: time.Second, MaxDelay: 30 * time.Second, MaxWait: 10 * time.Minute, Clock: c},
		func(context.Context) (string, error) { s := states[i]; i++; return s, nil },
		func(s string, err error) (waiter.Verdict, error) {
			if s == "ready" {
				return waiter.Success, nil
			}
			return waiter.Continue, nil
		})
	fmt.Println(v, err, i)
	// Output: ready <nil> 3
}
