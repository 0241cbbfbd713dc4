package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/albkit/albkit/internal/clock"
)

// Decision is what a [Classifier] says about an error.
type Decision int

const (
	// Stop means never retry (validation, permission, not found, ...).
	Stop Decision = iota
	// Retry means the error is safe to retry for any call (throttling,
	// IdempotenceProcessing, ServiceUnavailable, 5xx answers, ...).
	Retry
	// RetryIfIdempotent means retry only if the call is safe to repeat (a
	// network error after the request may have been sent).
	RetryIfIdempotent
)

// String returns the decision's name.
func (d Decision) String() string {
	switch d {
	case Stop:
		return "Stop"
	case Retry:
		return "Retry"
	case RetryIfIdempotent:
		return "RetryIfIdempotent"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Classifier classifies err. reason is a short word for logs ("throttled",
// "5xx", "network", ...). throttle reports whether err was throttling
// (throttles use [Policy.ThrottleInterval] as their base delay).
type Classifier func(err error) (d Decision, reason string, throttle bool)

// Policy defaults, used for zero fields of [Policy].
const (
	DefaultMaxAttempts      = 5                      // Policy.MaxAttempts
	DefaultInitialInterval  = 200 * time.Millisecond // Policy.InitialInterval
	DefaultThrottleInterval = time.Second            // Policy.ThrottleInterval
	DefaultMaxInterval      = 20 * time.Second       // Policy.MaxInterval
	DefaultMaxElapsed       = 2 * time.Minute        // Policy.MaxElapsed
	DefaultMultiplier       = 2.0                    // Policy.Multiplier
	DefaultJitter           = 0.5                    // Policy.Jitter
)

// Policy bounds retries. Zero fields take the defaults in brackets.
//
// The delay before retry number k (k = 1 after the first failed attempt) is
// base·Multiplier^(k-1), where base is ThrottleInterval if the failed attempt
// was throttled and InitialInterval otherwise, capped at MaxInterval; it is
// then randomised to base·[1-Jitter, 1+Jitter) and capped at MaxInterval
// again. A server retry hint ([Retryer.RetryAfter]) raises the delay to at
// least the hint, still capped at MaxInterval.
type Policy struct {
	// MaxAttempts is the number of failed attempts, the first included, after
	// which a call gives up [5]; throttled attempts do not count (see
	// [Retryer.Do]);
	// 1 disables retries.
	MaxAttempts int
	// InitialInterval is the base delay [200ms].
	InitialInterval time.Duration
	// ThrottleInterval is the base delay after a throttling error [1s].
	ThrottleInterval time.Duration
	// MaxInterval caps one delay [20s].
	MaxInterval time.Duration
	// MaxElapsed caps the whole call including retries [2m]: no sleep goes
	// past it and no attempt starts after it. It does not interrupt an
	// attempt in flight (bound that with the context). Negative means no cap.
	MaxElapsed time.Duration
	// Multiplier is the growth factor of the delay [2]; values below 1 are
	// treated as 1.
	Multiplier float64
	// Jitter is the randomization factor in [0,1] [0.5]; values above 1 are
	// treated as 1, negative values disable jitter.
	Jitter float64
}

// withDefaults returns p with zero fields replaced by the defaults and
// out-of-range values clamped.
func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.InitialInterval <= 0 {
		p.InitialInterval = DefaultInitialInterval
	}
	if p.ThrottleInterval <= 0 {
		p.ThrottleInterval = DefaultThrottleInterval
	}
	if p.MaxInterval <= 0 {
		p.MaxInterval = DefaultMaxInterval
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	switch {
	case p.Multiplier == 0:
		p.Multiplier = DefaultMultiplier
	case p.Multiplier < 1 || p.Multiplier != p.Multiplier:
		p.Multiplier = 1
	}
	switch {
	case p.Jitter == 0:
		p.Jitter = DefaultJitter
	case p.Jitter < 0 || p.Jitter != p.Jitter:
		p.Jitter = 0
	case p.Jitter > 1:
		p.Jitter = 1
	}
	return p
}

// Reasons a call gave up, reported in [Event.GiveUp] and [ExhaustedError.Reason].
const (
	GiveUpNotRetryable  = "not-retryable"  // the classifier said Stop
	GiveUpNotIdempotent = "not-idempotent" // RetryIfIdempotent on a call that is not idempotent
	GiveUpMaxAttempts   = "max-attempts"   // Policy.MaxAttempts reached
	GiveUpMaxElapsed    = "max-elapsed"    // the next delay would pass Policy.MaxElapsed
	GiveUpDeadline      = "deadline"       // the next delay would pass the context's deadline
	GiveUpBudget        = "budget"         // the Budget could not pay for the retry
	GiveUpCanceled      = "canceled"       // the context ended
)

// Event describes one retry about to happen or, when GiveUp is set, the
// final failure of a call.
type Event struct {
	// Ctx is the call's context, for logging with it (a handler may read
	// trace IDs from it); it may have ended when GiveUp is GiveUpCanceled.
	Ctx         context.Context
	Action      string        // API action, e.g. "CreateLoadBalancer"
	Attempt     int           // the attempt that just failed, 1-based
	MaxAttempts int           // the policy's MaxAttempts
	Delay       time.Duration // sleep before the next attempt (0 when giving up)
	Err         error         // the error of the failed attempt
	Reason      string        // from the classifier
	Throttle    bool          // from the classifier
	GiveUp      string        // "" for a retry, else one of the GiveUp* constants
}

// Retryer runs calls with retries. The zero value is not usable; build it
// with fields set (Classify required; a nil Classify retries nothing). A
// Retryer must not be modified once in use; it is then safe for concurrent
// use (the Budget is shared, everything else is per call).
type Retryer struct {
	// Policy bounds the retries.
	Policy Policy
	// Budget is the client's retry quota; nil means unlimited.
	Budget *Budget
	// Classify decides which errors are retried.
	Classify Classifier
	// OnRetry, if not nil, is called before each sleep and once when a call
	// fails for good (Event.GiveUp set). It must not block.
	OnRetry func(Event)
	// Sleep waits between attempts; nil means [SleepContext]. It must return
	// a non-nil error if (and only if) it stopped because ctx ended.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns values in [0,1) for the jitter; nil means math/rand/v2.
	Rand func() float64
	// RetryAfter extracts a server retry hint from an error (e.g. tea's
	// ThrottlingError RetryAfter). The hint is honoured as a minimum delay,
	// capped by Policy.MaxInterval.
	RetryAfter func(err error) (time.Duration, bool)
	// Now is the clock used for Policy.MaxElapsed and the context's bound
	// (clock.Deadline); nil means time.Now.
	Now func() time.Time
	// Clock, if set, is the clock Now and Sleep read (set them to its
	// methods too); it decides which bounds of the context are comparable
	// with Now (clock.DeadlineOn): on a fake clock a context's wall-clock
	// deadline is not.
	Clock clock.Clock
	// PacedThrottles says that every attempt waits for a send slot of a
	// rate limiter that learns from throttling (the attempt-token hook
	// inside fn): a throttled attempt is then retried without the
	// exponential delay, only after a server hint if there is one, and the
	// limiter spaces the retries instead of letting them all come back in
	// the same window.
	PacedThrottles bool
}

// ExhaustedError is returned by [Retryer.Do] when a retryable error
// persisted until the attempts or the time ran out.
type ExhaustedError struct {
	Action   string // API action
	Attempts int    // attempts made
	Last     error  // error of the last attempt
	// Reason is GiveUpMaxAttempts, GiveUpMaxElapsed or GiveUpDeadline.
	Reason string
}

// Error describes the exhaustion and the last error.
func (e *ExhaustedError) Error() string {
	why := "attempts exhausted"
	switch e.Reason {
	case GiveUpMaxElapsed:
		why = "retry time exhausted"
	case GiveUpDeadline:
		why = "next retry would pass the context deadline"
	}
	return fmt.Sprintf("retry: %s: %s after %d attempt(s): %v", e.Action, why, e.Attempts, e.Last)
}

// Unwrap returns the last attempt's error.
func (e *ExhaustedError) Unwrap() error { return e.Last }

// Is reports true for context.DeadlineExceeded when the call gave up
// because the next retry would have passed the context's deadline.
func (e *ExhaustedError) Is(target error) bool {
	return target == context.DeadlineExceeded && e.Reason == GiveUpDeadline
}

// MaxElapsed returns the bound on one call including its retries, with the
// default applied (0 or less: none).
func (r *Retryer) MaxElapsed() time.Duration { return r.Policy.withDefaults().MaxElapsed }

// Do calls fn until it succeeds, the error is not retryable (when idempotent
// is false, RetryIfIdempotent counts as Stop), attempts or MaxElapsed run
// out, the budget is empty, or ctx is done. It never sleeps past ctx's
// deadline or MaxElapsed: if the next delay would, it gives up at once.
//
// A non-retryable error is returned unchanged. Otherwise the returned error
// wraps the last error (errors.Is/As reach it): an [*ExhaustedError] when
// attempts or time ran out, an error wrapping [ErrBudgetExhausted] when the
// budget is empty, and an error wrapping both ctx.Err() and the last error
// when ctx ended.
func (r *Retryer) Do(ctx context.Context, action string, idempotent bool, fn func(ctx context.Context) error) error {
	p := r.Policy.withDefaults()
	now := r.Now
	if now == nil {
		now = time.Now
	}
	sleep := r.Sleep
	if sleep == nil {
		sleep = SleepContext
	}
	rnd := r.Rand
	if rnd == nil {
		rnd = defaultRand
	}
	start := now()
	var normal, throttled *backoff.ExponentialBackOff // made at the first failure: most calls succeed at once

	paid := 0     // tokens paid for the attempt in flight
	failures := 0 // failed attempts that were not throttled
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			r.Budget.success(paid)
			return nil
		}
		ev := Event{Ctx: ctx, Action: action, Attempt: attempt, MaxAttempts: p.MaxAttempts, Err: err}
		if cerr := ctx.Err(); cerr != nil {
			r.Budget.give(paid)
			r.giveUp(ev, GiveUpCanceled)
			return canceled(action, attempt, cerr, err)
		}

		d := Stop
		if r.Classify != nil {
			d, ev.Reason, ev.Throttle = r.Classify(err)
		}
		// Both sequences advance on every retry so that the k-th delay is
		// base·Multiplier^(k-1) whichever base applies.
		if normal == nil {
			normal, throttled = newBackOff(p, p.InitialInterval, now), newBackOff(p, p.ThrottleInterval, now)
		}
		base := normal.NextBackOff()
		if tb := throttled.NextBackOff(); ev.Throttle {
			base = tb
		}
		switch {
		case d == Stop:
			r.Budget.give(paid)
			r.giveUp(ev, GiveUpNotRetryable)
			return err
		case d == RetryIfIdempotent && !idempotent:
			r.Budget.give(paid)
			r.giveUp(ev, GiveUpNotIdempotent)
			return err
		case d != Retry && d != RetryIfIdempotent:
			r.Budget.give(paid)
			r.giveUp(ev, GiveUpNotRetryable)
			return err
		}
		// From here on the error is retryable; the tokens paid for this
		// attempt stay spent.
		paid = 0
		// Throttling is the service pacing the caller, not a failure: it
		// neither counts against MaxAttempts nor costs budget; MaxElapsed
		// and the context bound it.
		if !ev.Throttle {
			failures++
		}
		if failures >= p.MaxAttempts {
			r.giveUp(ev, GiveUpMaxAttempts)
			return &ExhaustedError{Action: action, Attempts: attempt, Last: err, Reason: GiveUpMaxAttempts}
		}

		delay := r.delay(p, base, err, rnd)
		if ev.Throttle && r.PacedThrottles {
			delay = 0
			if r.RetryAfter != nil {
				if hint, ok := r.RetryAfter(err); ok {
					delay = max(min(hint, p.MaxInterval), 0)
				}
			}
		}
		t := now()
		if p.MaxElapsed > 0 && t.Sub(start)+delay > p.MaxElapsed {
			r.giveUp(ev, GiveUpMaxElapsed)
			return &ExhaustedError{Action: action, Attempts: attempt, Last: err, Reason: GiveUpMaxElapsed}
		}
		if dl, ok := clock.DeadlineOn(ctx, r.Clock); ok && t.Add(delay).After(dl) {
			r.giveUp(ev, GiveUpDeadline)
			return &ExhaustedError{Action: action, Attempts: attempt, Last: err, Reason: GiveUpDeadline}
		}
		cost := 0
		if !ev.Throttle {
			cost = r.Budget.cost(d == RetryIfIdempotent || isTimeout(err))
		}
		if !r.Budget.take(cost) {
			r.giveUp(ev, GiveUpBudget)
			return &BudgetError{Action: action, Attempts: attempt, Last: err}
		}
		paid = cost

		ev.Delay = delay
		if r.OnRetry != nil {
			r.OnRetry(ev)
		}
		if serr := sleep(ctx, delay); serr != nil {
			r.Budget.give(paid)
			ev.Delay = 0
			r.giveUp(ev, GiveUpCanceled)
			return canceled(action, attempt, serr, err)
		}
	}
}

// delay turns the exponential base into the actual sleep: jitter, cap,
// server hint.
func (r *Retryer) delay(p Policy, base time.Duration, err error, rnd func() float64) time.Duration {
	d := base
	if p.Jitter > 0 {
		// Same formula as backoff's RandomizationFactor, with our random source.
		delta := p.Jitter * float64(base)
		lo := float64(base) - delta
		f := rnd()
		if !(f >= 0) || f >= 1 { // NaN or out of range
			f = 0.5
		}
		d = time.Duration(lo + f*2*delta)
	}
	if r.RetryAfter != nil {
		if hint, ok := r.RetryAfter(err); ok && hint > d {
			d = hint
		}
	}
	return max(min(d, p.MaxInterval), 0)
}

// giveUp reports the final failure of a call to OnRetry.
func (r *Retryer) giveUp(ev Event, why string) {
	if r.OnRetry == nil {
		return
	}
	ev.GiveUp = why
	r.OnRetry(ev)
}

// newBackOff returns a jitter-free exponential backoff starting at initial;
// the jitter is applied by Retryer.delay so that it can use Retryer.Rand.
func newBackOff(p Policy, initial time.Duration, now func() time.Time) *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     min(initial, p.MaxInterval),
		RandomizationFactor: 0,
		Multiplier:          p.Multiplier,
		MaxInterval:         p.MaxInterval,
		MaxElapsedTime:      0, // Do enforces MaxElapsed itself, delay included
		Stop:                backoff.Stop,
		Clock:               clockFunc(now),
	}
	b.Reset()
	return b
}

// clockFunc adapts a now function to backoff.Clock.
type clockFunc func() time.Time

// Now returns the current time.
func (f clockFunc) Now() time.Time { return f() }

// canceled builds the error for a context that ended: it wraps both the
// context error and the last attempt's error.
func canceled(action string, attempts int, ctxErr, last error) error {
	return &CanceledError{Action: action, Attempts: attempts, Err: ctxErr, Last: last}
}

// CanceledError is returned by [Retryer.Do] when ctx ended. It wraps the
// context's error and the last attempt's error.
type CanceledError struct {
	Action   string // API action
	Attempts int    // attempts made
	Err      error  // the context's error
	Last     error  // the last attempt's error
}

// Error describes the cancellation and the last error.
func (e *CanceledError) Error() string {
	if errors.Is(e.Last, e.Err) {
		return fmt.Sprintf("retry: %s: after %d attempt(s): %v", e.Action, e.Attempts, e.Last)
	}
	return fmt.Sprintf("retry: %s: %v after %d attempt(s); last error: %v", e.Action, e.Err, e.Attempts, e.Last)
}

// Unwrap returns the context's error and the last attempt's error.
func (e *CanceledError) Unwrap() []error { return []error{e.Err, e.Last} }

// BudgetError is returned by [Retryer.Do] when a retry could not be paid
// for. It matches [ErrBudgetExhausted] and wraps the last attempt's error.
type BudgetError struct {
	Action   string // API action
	Attempts int    // attempts made
	Last     error  // the last attempt's error
}

// Error describes the exhaustion and the last error.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("%v: %s: after %d attempt(s): %v", ErrBudgetExhausted, e.Action, e.Attempts, e.Last)
}

// Unwrap returns ErrBudgetExhausted and the last attempt's error.
func (e *BudgetError) Unwrap() []error { return []error{ErrBudgetExhausted, e.Last} }

// isTimeout reports whether err is a timeout (priced at TimeoutCost).
func isTimeout(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
}

// defaultRand is the jitter source used when none is injected.
func defaultRand() float64 { return rand.Float64() }
