// Package clock is the time source albkit's engines use: Now for elapsed
// times and deadlines, and a context-aware Sleep for every delay. Tests swap
// in a clock that moves only when told (albtest.ManualClock), so a wait of
// minutes runs in milliseconds of wall time.
//
// A bound on a clock that is not the wall clock cannot be a context deadline
// (net/http would read it as wall time), so [WithDeadline] keeps the bound
// as a context value read by [Deadline] and [Passed].
package clock

import (
	"context"
	"errors"
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

// WithDeadline returns a context bounded at t on clk. On the wall clock
// (or a nil clk) it is context.WithDeadline, so an HTTP request in flight is
// cut at the bound. On any other clock the bound is only a value read by
// [Deadline]: code that sleeps or retries checks it against clk.Now()
// between requests (a fake clock moves only when something sleeps, so
// there is nothing to cut), and HTTP requests are bounded by their own
// timeouts. Either way [Deadline] reports the bound in clock time.
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
	return context.WithCancel(ctx)
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

// DeadlineOn is [Deadline] for code that reads time from clk: on a clock
// other than the wall clock, a context deadline (wall time) is not
// comparable with clk.Now() and is left out; only a bound set with
// [WithDeadline] on such a clock counts.
func DeadlineOn(ctx context.Context, clk Clock) (time.Time, bool) {
	if _, real := clk.(Real); real || clk == nil {
		return Deadline(ctx)
	}
	if b, ok := ctx.Value(deadlineKey{}).(bound); ok && !b.real {
		return b.t, true
	}
	return time.Time{}, false
}

// Passed reports whether the bound of ctx (see [DeadlineOn]) has passed on
// clk, or ctx ended because of a context deadline.
func Passed(ctx context.Context, clk Clock) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	t, ok := DeadlineOn(ctx, clk)
	return ok && !Or(clk).Now().Before(t)
}
