// Package waiter is albkit's one poll loop: it polls any resource through a
// get function until an acceptor says the wait succeeded or failed, with
// exponential delays between a minimum and a maximum, jitter, a hard bound
// on the whole wait (polls and their own retries included), progress
// events, and an injected clock.
//
// The bound is a context: every poll runs under clock.WithDeadline, so a
// poll's retries stop at the bound too (they read clock.Deadline), and on
// the wall clock an HTTP request in flight is cut at the bound. A wait that reaches its bound ends
// with *TimeoutError, whatever the poll in flight was doing.
package waiter

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/albkit/albkit/internal/clock"
	"github.com/albkit/albkit/internal/retry"
)

// Verdict is an acceptor's judgement of one poll.
type Verdict int

// Verdicts.
const (
	// Continue polls again after a delay.
	Continue Verdict = iota
	// Success ends the wait with the polled value.
	Success
	// Failure ends the wait with the acceptor's error.
	Failure
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Continue:
		return "continue"
	case Success:
		return "success"
	case Failure:
		return "failure"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Options shape a wait. MinDelay, MaxDelay and MaxWait must be positive.
type Options struct {
	MinDelay time.Duration // first delay between polls
	MaxDelay time.Duration // longest delay between polls
	MaxWait  time.Duration // bound on the whole wait
	// Initial is the delay before the first poll (0: at once). It is not
	// part of the first poll's time: the second poll starts at least
	// MinDelay after the first one began, whatever the first delay.
	Initial time.Duration
	// Clock is the time source; nil means the wall clock.
	Clock clock.Clock
	// Rand returns values in [0,1) for the jitter; nil means math/rand/v2.
	Rand func() float64
	// Delay, if set, replaces the exponential schedule: it returns the
	// delay before the poll after attempt, given the time elapsed (at the
	// end of the poll) and left. The result is clamped to [MinDelay (or
	// what Gap says) less the poll's own time, remaining]: polls start at
	// least MinDelay apart.
	Delay func(attempt int, elapsed, remaining time.Duration) time.Duration
	// Gap, if set, is asked right after each Delay for the least time
	// between the starts of that poll and the next, instead of MinDelay
	// (a schedule that polls again sooner on purpose; it cannot go below
	// what Gap says).
	Gap func() time.Duration
	// Hint, if set, reads a server retry hint from a failed poll's error;
	// the next delay is at least the hint (capped at the time left).
	Hint func(err error) (time.Duration, bool)
	// OnPoll, if set, is called after every poll (synchronously).
	OnPoll func(Poll)
}

// Poll describes one poll for progress events.
type Poll struct {
	Attempt int           // 1-based
	Elapsed time.Duration // since the wait began
	Delay   time.Duration // before the next poll; 0 when the wait ends
	Err     error         // the poll's error, if it failed
	Verdict Verdict       // the acceptor's verdict
}

// TimeoutError is returned when the wait's bound (MaxWait) passed before an
// acceptor said Success or Failure.
type TimeoutError struct {
	Polls   int           // polls made
	Waited  time.Duration // time waited
	LastErr error         // error of the last poll, if it failed
}

// Error implements error.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("waiter: bound reached after %s (%d polls)", e.Waited, e.Polls)
}

// CanceledError is returned when the caller's context ended the wait.
type CanceledError struct {
	Polls  int           // polls made
	Waited time.Duration // time waited
	Err    error         // the context's error
}

// Error implements error.
func (e *CanceledError) Error() string {
	return fmt.Sprintf("waiter: %v after %s (%d polls)", e.Err, e.Waited, e.Polls)
}

// Unwrap returns the context's error.
func (e *CanceledError) Unwrap() error { return e.Err }

// Wait polls until accept says Success (it returns the value and nil) or
// Failure (the value and accept's error), the bound passes
// (*TimeoutError), or ctx ends (*CanceledError). get is called with a
// context bounded by the wait. accept sees every poll's value and error;
// it decides whether an error ends the wait.
func Wait[T any](ctx context.Context, o Options, get func(ctx context.Context) (T, error), accept func(T, error) (Verdict, error)) (T, error) {
	clk := clock.Or(o.Clock)
	rnd := o.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	start := clk.Now()
	deadline := start.Add(o.MaxWait)
	wctx, cancel := clock.WithDeadline(ctx, clk, deadline)
	defer cancel()
	var last T
	var lastErr error // error of the last poll the bound did not cut
	if o.Initial > 0 {
		if serr := clk.Sleep(wctx, o.Initial); serr != nil || clock.Passed(wctx, clk) {
			if ctx.Err() != nil {
				return last, &CanceledError{Waited: clk.Now().Sub(start), Err: ctx.Err()}
			}
			return last, &TimeoutError{Waited: clk.Now().Sub(start)}
		}
	}
	for attempt := 1; ; attempt++ {
		began := clk.Now()
		v, err := get(wctx)
		if ctx.Err() != nil {
			return v, &CanceledError{Polls: attempt, Waited: clk.Now().Sub(start), Err: ctx.Err()}
		}
		if err != nil && clock.Passed(wctx, clk) {
			// The bound cut the poll (or its retries): the wait timed out,
			// whatever the poll's own error says. Report what the polls
			// before it met, if anything.
			if lastErr == nil {
				lastErr = err
			}
			return last, &TimeoutError{Polls: attempt, Waited: clk.Now().Sub(start), LastErr: lastErr}
		}
		if err == nil {
			last = v
		}
		lastErr = err
		verdict, verr := accept(v, err)
		now := clk.Now()
		remaining := deadline.Sub(now)
		delay := time.Duration(0)
		if verdict == Continue && remaining > 0 && !clock.Passed(wctx, clk) {
			delay = o.next(attempt, now.Sub(start), remaining, err, rnd, now.Sub(began))
		}
		if o.OnPoll != nil {
			o.OnPoll(Poll{Attempt: attempt, Elapsed: now.Sub(start), Delay: delay, Err: err, Verdict: verdict})
		}
		switch verdict {
		case Success:
			return v, nil
		case Failure:
			return v, verr
		}
		if delay <= 0 {
			return last, &TimeoutError{Polls: attempt, Waited: now.Sub(start), LastErr: err}
		}
		if serr := clk.Sleep(wctx, delay); serr != nil {
			if ctx.Err() != nil {
				return last, &CanceledError{Polls: attempt, Waited: clk.Now().Sub(start), Err: ctx.Err()}
			}
			return last, &TimeoutError{Polls: attempt, Waited: clk.Now().Sub(start), LastErr: err}
		}
	}
}

// next returns the delay before the next poll; took is how long the poll
// that just ended took. A Delay schedule's polls start at least MinDelay
// (or Gap) apart (the delay is at least that less the poll's time), so that a
// schedule on a grid of MinDelay does not drift by a round trip a poll.
func (o Options) next(attempt int, elapsed, remaining time.Duration, err error, rnd func() float64, took time.Duration) time.Duration {
	var d time.Duration
	if o.Delay != nil {
		d = o.Delay(attempt, elapsed, remaining)
		gap := o.MinDelay
		if o.Gap != nil {
			gap = o.Gap()
		}
		d = max(d, gap-max(took, 0))
		if remaining-d < o.MinDelay {
			d = remaining
		}
	} else {
		d = retry.ComputeDelay(attempt, o.MinDelay, o.MaxDelay, remaining, rnd)
	}
	if o.Hint != nil && err != nil {
		if h, ok := o.Hint(err); ok && h > d {
			d = h
		}
	}
	return min(d, remaining)
}

// IsTimeout reports whether err is a *TimeoutError.
func IsTimeout(err error) bool {
	var te *TimeoutError
	return errors.As(err, &te)
}
