package alb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/albkit/albkit/internal/clock"
	"github.com/albkit/albkit/internal/ratelimit"
)

// RateLimiter paces a Client's API calls on the client side, per action
// class, so that a fleet of concurrent operations stays under the service's
// rate limits instead of running into them. The class of a call is its API
// action ("CreateLoadBalancer", "GetLoadBalancerAttribute",
// "AllocateEipAddress", ...), without the region: Alibaba Cloud lists its
// API rate limits per API (Quota Center, values not published), so each
// action learns its own rate, and Clients of several regions that share one
// RateLimiter pace each action together, as one account-wide budget would
// need.
//
// Every attempt of a call, retries included, first waits for a send slot of
// its class, and every answer is reported back to the limiter (throttled or
// not). One RateLimiter is shared by every goroutine using a Client; pass
// the same one to several Clients with [WithRateLimiter] to share it across
// them. It is safe for concurrent use. Build one with
// [NewAdaptiveRateLimiter] (the default of [NewClient]) or
// [NewFixedRateLimiter].
type RateLimiter struct {
	l ratelimit.Limiter
	// adaptive: the limiter learns from throttling, so a throttled attempt
	// is retried at once through it instead of after a backoff of its own.
	adaptive bool
	ad       *ratelimit.Adaptive
}

// AdaptiveOptions tune [NewAdaptiveRateLimiter]. Zero fields take the
// defaults in brackets; a rate out of range is refused (see
// [NewAdaptiveRateLimiter]).
type AdaptiveOptions struct {
	// Clock is the limiter's time source, normally the clock of the Clients
	// that use it ([WithClock]) [the wall clock].
	Clock Clock
	// MinRate is the slowest send rate per action, in calls per second
	// [0.5].
	MinRate float64
	// MaxRate caps the send rate per action once it is limited [no cap];
	// at least MinRate.
	MaxRate float64
	// InitialRate limits every action from its first call at this rate
	// [not limited until the first throttle]; within MinRate and MaxRate.
	InitialRate float64
	// KeepEveryCut makes every cut of the rate stand, as aws-sdk-go-v2's
	// adaptive mode does. By default a cut is judged on the answers that
	// follow it and undone when it did not make the service throttle less
	// (throttling the client did not cause: see [NewAdaptiveRateLimiter]).
	KeepEveryCut bool
}

// NewAdaptiveRateLimiter returns the default limiter: it learns, per
// action, the rate the service accepts, as aws-sdk-go-v2's adaptive retry
// mode does. An action is not rate-limited until the service first
// throttles it (a slow start holds at most 10 of its calls in flight before
// their answers, one more per answer); the rate is then cut multiplicatively (to 0.7 of the rate that was
// throttled) and probed back up along a CUBIC curve, never below MinRate;
// an action that keeps being throttled at the same rate stays below it up
// to four times longer before probing past it again.
// Throttled calls are retried through it, so they queue for send slots
// instead of all retrying in the same window; the retry delay a throttle's
// answer carries holds every call of the action until it has passed, not
// only the throttled call's retry.
//
// Not every throttle is caused by the client's rate: other tools on the
// same account, a busy region or a fault throttle a share of calls whatever
// the rate, and cutting on each of them would drive the rate to the floor
// for every caller. So a cut is judged on the answers that follow it: if
// the service throttles the same share of calls as before and accepts fewer
// of them, the cut only cost throughput and is undone, the share is learned
// as background, and the action is cut again only when its throttles
// clearly exceed that share (the package internal/ratelimit documents the
// rule and its simulations). [AdaptiveOptions].KeepEveryCut turns this off.
//
// Several processes of one account each learn on their own: at a limit
// they share, each sees part of its throttles caused by the others, may
// take them for background and push the others' share up (in the
// simulation, 27 cases of 81 above 20% throttled). Processes that run at a
// shared limit together are better served by KeepEveryCut, or by
// [NewFixedRateLimiter] at their share of the limit; the clients of one
// process should share one limiter ([WithRateLimiter]).
//
// A field out of its range (a negative, NaN or infinite rate, a MaxRate
// below the MinRate in force, an InitialRate outside them) is refused with
// an *[ArgumentError] naming the field and the rule (errors.Is(err,
// [ErrInvalidArgument])); no field is replaced by its default.
func NewAdaptiveRateLimiter(o AdaptiveOptions) (*RateLimiter, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	opts := []ratelimit.AdaptiveOption{ratelimit.WithClock(clock.Or(o.Clock))}
	if o.MinRate > 0 {
		opts = append(opts, ratelimit.WithMinRate(o.MinRate))
	}
	if o.MaxRate > 0 {
		opts = append(opts, ratelimit.WithMaxRate(o.MaxRate))
	}
	if o.InitialRate > 0 {
		opts = append(opts, ratelimit.WithInitialRate(o.InitialRate))
	}
	if o.KeepEveryCut {
		opts = append(opts, ratelimit.WithoutUndo())
	}
	a := ratelimit.NewAdaptive(opts...)
	return &RateLimiter{l: a, adaptive: true, ad: a}, nil
}

// check applies the rules of the options' fields: every rate is 0 (the
// default) or a finite positive number of calls per second, MaxRate is not
// below the MinRate in force, and InitialRate is within both.
func (o AdaptiveOptions) check() error {
	bad := func(field, format string, args ...any) error {
		return &ArgumentError{Operation: "NewAdaptiveRateLimiter", Argument: "AdaptiveOptions." + field, Message: fmt.Sprintf(format, args...)}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"MinRate", o.MinRate}, {"MaxRate", o.MaxRate}, {"InitialRate", o.InitialRate}} {
		switch {
		case math.IsNaN(f.v) || math.IsInf(f.v, 0):
			return bad(f.name, "%v is not a finite rate: give calls per second > 0 (0 takes the default)", f.v)
		case f.v < 0:
			return bad(f.name, "%v is negative: a rate is calls per second > 0 (0 takes the default)", f.v)
		}
	}
	minRate := o.MinRate
	if minRate == 0 {
		minRate = ratelimit.DefaultMinRate
	}
	switch {
	case o.MaxRate > 0 && o.MaxRate < minRate:
		return bad("MaxRate", "%v is below the MinRate %v: the cap is at least the floor (MinRate defaults to %v)", o.MaxRate, minRate, ratelimit.DefaultMinRate)
	case o.InitialRate > 0 && o.InitialRate < minRate:
		return bad("InitialRate", "%v is below the MinRate %v: the first rate is within MinRate and MaxRate (MinRate defaults to %v)", o.InitialRate, minRate, ratelimit.DefaultMinRate)
	case o.InitialRate > 0 && o.MaxRate > 0 && o.InitialRate > o.MaxRate:
		return bad("InitialRate", "%v is above the MaxRate %v: the first rate is within MinRate and MaxRate", o.InitialRate, o.MaxRate)
	}
	return nil
}

// NewFixedRateLimiter returns a plain token bucket of rps calls per second
// with bursts of burst, shared by all actions; it ignores the service's
// answers, and throttled calls back off as without a limiter (the retry
// policy's ThrottleInterval). rps <= 0 means no limit; a burst below 1 is
// 1. clk is its time source; nil means the wall clock.
func NewFixedRateLimiter(rps float64, burst int, clk Clock) *RateLimiter {
	return &RateLimiter{l: ratelimit.NewFixed(rps, burst, ratelimit.FixedClock(clock.Or(clk)))}
}

// Rate returns the send rate the limiter currently allows for action, in
// calls per second: +Inf while an adaptive limiter has not been throttled
// on action (or for a fixed limiter, which reports no per-action rate).
func (r *RateLimiter) Rate(action string) float64 {
	if r.ad == nil {
		return math.Inf(1)
	}
	return r.ad.Rate(action)
}

// RateLimiterStats is what an adaptive [RateLimiter] knows of one action,
// for logs and metrics.
type RateLimiterStats struct {
	// Limited is true once the action is paced (after a throttle that
	// stood); Rate is then its send rate in calls per second (+Inf while
	// not limited).
	Limited bool
	Rate    float64
	// Throttles and Successes count the answers observed; HeldThrottles
	// the throttles that did not cut the rate (the same episode, a cut
	// being judged, or background throttling).
	Throttles, Successes, HeldThrottles uint64
	// Undone counts the cuts undone because the service went on throttling
	// the same share of calls whatever the rate.
	Undone uint64
	// Background is the share of calls the action has learned to expect
	// throttled whatever its rate; 0 while none.
	Background float64
}

// Stats returns what the limiter knows of action (the zero value, with
// Rate +Inf, for a fixed limiter or an action not seen yet).
func (r *RateLimiter) Stats(action string) RateLimiterStats {
	if r == nil || r.ad == nil {
		return RateLimiterStats{Rate: math.Inf(1)}
	}
	st := r.ad.Stats(action)
	return RateLimiterStats{Limited: st.Enabled, Rate: st.Rate, Throttles: st.Throttles, Successes: st.Successes,
		HeldThrottles: st.HeldThrottles, Undone: st.Undone, Background: st.Background}
}

// Limiter returns the client's rate limiter (nil when pacing is off).
func (c *Client) Limiter() *RateLimiter { return c.limiter }

// WithRateLimiter makes the client pace its calls with l, which may be
// shared with other Clients (for example one per region of one account) so
// that together they respect one budget. The default is a limiter of its
// own from [NewAdaptiveRateLimiter] on the client's clock. A nil l turns
// client-side pacing off.
func WithRateLimiter(l *RateLimiter) Option {
	return func(c *clientConfig) error {
		c.limiter, c.limiterSet = l, true
		return nil
	}
}

// limiterFor returns the limiter a new Client uses.
func (cfg *clientConfig) limiterFor(clk clock.Clock) *RateLimiter {
	switch {
	case cfg.rps > 0:
		return NewFixedRateLimiter(cfg.rps, cfg.burst, clk)
	case cfg.limiterSet:
		return cfg.limiter
	}
	l, _ := NewAdaptiveRateLimiter(AdaptiveOptions{Clock: clk}) // the defaults: cannot fail
	return l
}

// wait waits for a send slot of action. last is the error of the call's
// previous attempt, if any (attempts of them): a wait the context ends
// returns a *limitedError carrying it. until, if set, is the end of the
// call's time (RetryPolicy.MaxElapsed, on clk): a slot predicted after it
// ends the call at once with a *MaxAttemptsError wrapping the previous
// attempt's error (or, before any attempt, ErrThrottled), rather than
// waiting for a slot the call could not use (under throttling the next
// slot of an action may be seconds away). A slot predicted after the context's own deadline ends
// the attempt when the context does.
func (r *RateLimiter) wait(ctx context.Context, clk clock.Clock, action string, last error, attempts int, until time.Time) error {
	lctx := ctx
	_, wall := clk.(clock.Real)
	if !wall {
		// A context deadline is wall time; the limiter's clock is not. A
		// bound on the clock (a wait's MaxWait) is its deadline instead.
		lctx = noDeadline{ctx}
		if t, ok := clock.DeadlineOn(ctx, clk); ok {
			lctx = withDeadline{lctx, t}
		}
	}
	callBound := false
	if !until.IsZero() {
		if dl, ok := lctx.Deadline(); !ok || until.Before(dl) {
			lctx, callBound = withDeadline{lctx, until}, true
		}
	}
	if err := r.l.Wait(lctx, action); err != nil {
		var we *ratelimit.WaitError
		if errors.As(err, &we) && we.Predicted {
			if callBound && ctx.Err() == nil {
				cause := last
				if cause == nil {
					cause = fmt.Errorf("alb: %s: no send slot before the call's time runs out (RetryPolicy.MaxElapsed): the service has been throttling the action: %w", action, ErrThrottled)
				}
				return &MaxAttemptsError{Operation: action, Attempts: attempts, Err: cause, Elapsed: true}
			}
			// The next send slot is after the context's deadline: the call
			// cannot be sent in time. It ends as if it had waited: when the
			// context does (on a clock other than the wall clock, when the
			// clock reaches the bound), with the previous attempt's error.
			if dl, ok := lctx.Deadline(); ok && !wall {
				_ = clk.Sleep(ctx, dl.Sub(clk.Now()))
			} else {
				<-ctx.Done()
			}
		}
		return &limitedError{op: action, err: err, last: last}
	}
	return nil
}

// withDeadline gives a context the deadline t (on the limiter's clock);
// the context still ends when its parent does.
type withDeadline struct {
	context.Context
	t time.Time
}

// Deadline reports t.
func (d withDeadline) Deadline() (time.Time, bool) { return d.t, true }

// limitedError is an attempt that the context ended while it waited for a
// send slot. It wraps the limiter's error (which wraps the context's) and
// the previous attempt's error, if any.
type limitedError struct {
	op   string
	err  error
	last error
}

func (e *limitedError) Error() string {
	cause := e.err
	var we *ratelimit.WaitError
	if errors.As(e.err, &we) {
		cause = we.Err
	}
	if e.last == nil {
		return fmt.Sprintf("alb: %s: %v while waiting for a send slot", e.op, cause)
	}
	return fmt.Sprintf("alb: %s: %v while waiting for a send slot; last error: %v", e.op, cause, e.last)
}

func (e *limitedError) Unwrap() []error {
	if e.last == nil {
		return []error{e.err}
	}
	return []error{e.err, e.last}
}

// noDeadline hides a context's (wall-clock) deadline from a limiter that
// runs on another clock, so that it does not compare the two; the context
// still ends at its deadline.
type noDeadline struct{ context.Context }

// Deadline reports no deadline.
func (noDeadline) Deadline() (time.Time, bool) { return time.Time{}, false }
