package clock_test

import (
	"context"
	"fmt"
	"time"

	"github.com/albkit/albkit/internal/clock"
)

// A bound on a fake clock is read with Deadline and Passed.
func Example() {
	f := &fake{now: time.Unix(0, 0)}
	ctx, cancel := clock.WithDeadline(context.Background(), f, f.now.Add(3*time.Second))
	defer cancel()
	for !clock.Passed(ctx, f) {
		_ = f.Sleep(ctx, time.Second)
	}
	fmt.Println(f.Now().Sub(time.Unix(0, 0)))
	// Output: 3s
}
