package ratelimit

import (
	"context"
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// FixedOption configures [NewFixed].
type FixedOption func(*fixedConfig)

type fixedConfig struct {
	clock    Clock
	perClass bool
}

// FixedClock sets the time source of a [Fixed] limiter (default
// [SystemClock]). A nil clock is ignored.
func FixedClock(c Clock) FixedOption {
	return func(cfg *fixedConfig) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// PerClass gives every class its own bucket of rps and burst. Without it
// (the default) one bucket is shared by all classes, as albkit's former
// client-wide limit.
func PerClass() FixedOption {
	return func(cfg *fixedConfig) { cfg.perClass = true }
}

// Fixed is a [Limiter] with a plain token bucket (golang.org/x/time/rate)
// that ignores the service's answers: one bucket for all classes by default,
// one per class with [PerClass]. Waiters are served in order.
type Fixed struct {
	cfg          fixedConfig
	limit        rate.Limit
	burst        int
	global       *rate.Limiter
	perClassLims sync.Map // string -> *rate.Limiter
}

// NewFixed returns a token bucket limiter of rps requests per second with
// bursts of up to burst requests; the bucket starts full. A burst < 1 is
// treated as 1; rps <= 0, NaN or +Inf means no limit.
func NewFixed(rps float64, burst int, opts ...FixedOption) *Fixed {
	cfg := fixedConfig{clock: SystemClock()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	limit := rate.Limit(rps)
	if !(rps > 0) || math.IsInf(rps, 1) {
		limit = rate.Inf
	}
	f := &Fixed{cfg: cfg, limit: limit, burst: max(burst, 1)}
	if !cfg.perClass {
		f.global = f.newLimiter()
	}
	return f
}

func (f *Fixed) newLimiter() *rate.Limiter {
	l := rate.NewLimiter(f.limit, f.burst)
	// Anchor the bucket on the injected clock (it starts full at that time).
	l.SetLimitAt(f.cfg.clock.Now(), f.limit)
	return l
}

func (f *Fixed) limiter(class string) *rate.Limiter {
	if f.global != nil {
		return f.global
	}
	if l, ok := f.perClassLims.Load(class); ok {
		return l.(*rate.Limiter)
	}
	l, _ := f.perClassLims.LoadOrStore(class, f.newLimiter())
	return l.(*rate.Limiter)
}

// Wait blocks until one request of class may be sent, or ctx ends. When ctx
// has a deadline and the reserved slot is after it, Wait gives up at once
// with a [*WaitError] whose Predicted is true.
func (f *Fixed) Wait(ctx context.Context, class string) error {
	if err := ctx.Err(); err != nil {
		return &WaitError{Class: class, Err: err}
	}
	l := f.limiter(class)
	now := f.cfg.clock.Now()
	r := l.ReserveN(now, 1) // always OK: burst >= 1
	d := r.DelayFrom(now)
	if d == 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
		r.CancelAt(now)
		return &WaitError{Class: class, Predicted: true, Err: context.DeadlineExceeded}
	}
	if err := f.cfg.clock.Sleep(ctx, d); err != nil {
		end := f.cfg.clock.Now()
		r.CancelAt(end)
		return &WaitError{Class: class, Waited: end.Sub(now), Err: err}
	}
	return nil
}

// Observe does nothing: a fixed bucket does not learn.
func (f *Fixed) Observe(string, bool) {}

// Tokens returns the number of tokens available to class now (negative when
// requests are waiting).
func (f *Fixed) Tokens(class string) float64 {
	return f.limiter(class).TokensAt(f.cfg.clock.Now())
}
