package ratelimit

import (
	"context"
	"time"
)

// Clock is the time source of a limiter: Now, and a Sleep that ends early
// (with ctx's error) when ctx ends. Tests inject a fake; production code uses
// [SystemClock].
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep pauses for d, or until ctx ends, in which case it returns
	// ctx.Err(). A d <= 0 returns ctx.Err() at once (nil while ctx is live).
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock returns the wall clock: time.Now and a timer-based Sleep.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
