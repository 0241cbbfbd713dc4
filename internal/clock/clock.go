// Package clock is the time source albkit's engines use: Now for elapsed
// times and deadlines, and a context-aware Sleep for every delay. Tests swap
// in a clock that moves only when told (albtest.ManualClock), so a wait of
// minutes runs in milliseconds of wall time.
//
// A bound on a clock that is not the wall clock cannot be a context deadline
// (net/http would read it as wall time), so [WithDeadline] keeps the bound
// as a context value read by [Deadline], and ends the context when the
// clock reaches it.
package clock

import (
	"context"
	"time"
)

// Clock is a time source. Sleep returns nil after d has passed on the
// clock, or ctx's error if ctx ended first; d <= 0 returns at once (after
// checking ctx).
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep sleeps for d or until ctx ends.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Or returns c, or the wall clock when c is nil.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

type deadlineKey struct{}

type bound struct {
	t    time.Time
	real bool // t is wall time, comparable with a context deadline
}

// ErrDeadline is the cause (context.Cause) of a context ended by
// [WithDeadline] on a clock other than the wall clock, whose ctx.Err() is
// context.Canceled: test for the bound with [Reached].
var ErrDeadline = context.DeadlineExceeded

// WithDeadline returns a context that ends when clk reaches t, or when
// parent ends. On the wall clock (or a nil clk) it is context.WithDeadline.
// On any other clock the context is cancelled with cause [ErrDeadline] by a
// goroutine sleeping on clk, and has no context deadline, so HTTP calls made
// with it are bounded by their own timeouts, not by the fake time. Either
// way [Deadline] reports the bound in clock time.
func WithDeadline(parent context.Context, clk Clock, t time.Time) (context.Context, context.CancelFunc) {
	_, real := clk.(Real)
	real = real || clk == nil
	if b, ok := parent.Value(deadlineKey{}).(bound); ok && b.real == real && b.t.Before(t) {
		t = b.t
	}
	ctx := context.WithValue(parent, deadlineKey{}, bound{t: t, real: real})
	if real {
		return context.WithDeadline(ctx, t)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		if clk.Sleep(ctx, t.Sub(clk.Now())) == nil {
			cancel(ErrDeadline)
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// Deadline returns the bound of ctx in clock time: the one set by
// [WithDeadline], or (on the wall clock) an earlier context deadline.
func Deadline(ctx context.Context) (time.Time, bool) {
	b, ok := ctx.Value(deadlineKey{}).(bound)
	if ok && !b.real {
		return b.t, true
	}
	d, dok := ctx.Deadline()
	switch {
	case dok && (!ok || d.Before(b.t)):
		return d, true
	case ok:
		return b.t, true
	}
	return time.Time{}, false
}

// Reached reports whether ctx ended because a bound passed ([WithDeadline]
// or a context deadline) rather than by cancellation.
func Reached(ctx context.Context) bool {
	return ctx.Err() != nil && (ctx.Err() == context.DeadlineExceeded || context.Cause(ctx) == context.DeadlineExceeded)
}
