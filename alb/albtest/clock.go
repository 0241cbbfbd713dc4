package albtest

import (
	"context"
	"sync"
	"time"
)

// Clock is the time source of a Server. Transitions that complete after a
// duration, the signature timestamp check (±15 minutes by default), nonce
// expiry, rate limiting and every timestamp in a response read it.
type Clock interface {
	Now() time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to. It is safe for
// concurrent use. It also implements Sleep, so it can drive albkit's own
// Client (alb.WithClock): a sleeper wakes when Advance or Set moves the
// clock past its wake time.
//
// With [AutoAdvance], a sleeper does not wait for anyone: Sleep moves the
// clock forward to its own wake time at once (never backwards) and returns,
// waking every other sleeper due by then. A client polling an instance
// whose transition takes minutes of clock time (AfterDuration) then finishes
// in milliseconds of wall time. Concurrent sleepers each push the clock to
// their own wake time, so time passes at least as fast as every sleeper
// asked for, never slower.
//
// The SDK signs requests with the real wall-clock time, and the emulator checks
// that time against its own clock (±15 minutes, see WithMaxSkew). Start a
// ManualClock at the current time (NewManualClock(time.Time{}) does that) and
// keep the total advance under 15 minutes, or widen the window with
// WithMaxSkew.
type ManualClock struct {
	mu       sync.Mutex
	now      time.Time
	auto     bool
	sleepers map[*sleeper]struct{}
	changed  chan struct{} // closed and replaced whenever the sleepers change
	// moved, made on demand, is closed whenever the time changes, and
	// timers run functions when the time reaches them (the data plane's
	// health checks and timeouts, dataplane_clock.go).
	moved  chan struct{}
	timers map[*clockTimer]struct{}
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

// ClockOption configures a ManualClock.
type ClockOption func(*ManualClock)

// AutoAdvance makes Sleep move the clock to the sleeper's wake time at once
// instead of waiting for Advance.
func AutoAdvance() ClockOption { return func(c *ManualClock) { c.auto = true } }

// NewManualClock returns a ManualClock reading start, or the current time
// when start is the zero time.
func NewManualClock(start time.Time, opts ...ClockOption) *ManualClock {
	if start.IsZero() {
		start = time.Now()
	}
	c := &ManualClock{now: start, sleepers: map[*sleeper]struct{}{}, changed: make(chan struct{})}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backwards when d is negative) and
// wakes the sleepers that are due.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	due := c.setLocked(c.now.Add(d))
	c.mu.Unlock()
	runTimers(due)
}

// Set moves the clock to t and wakes the sleepers that are due.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	due := c.setLocked(t)
	c.mu.Unlock()
	runTimers(due)
}

// setLocked moves the clock to t, wakes the sleepers that are due and
// returns the timers that are due, to run once c.mu is released.
func (c *ManualClock) setLocked(t time.Time) []*clockTimer {
	if !t.Equal(c.now) && c.moved != nil {
		close(c.moved) // the next movedChan makes a new one
		c.moved = nil
	}
	c.now = t
	woke := false
	for s := range c.sleepers {
		if !s.until.After(t) {
			close(s.wake)
			delete(c.sleepers, s)
			woke = true
		}
	}
	if woke {
		c.notifyLocked()
	}
	return c.dueTimersLocked()
}

func (c *ManualClock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Sleep waits until the clock has moved d past the time of the call, or ctx
// ends (it then returns ctx.Err()). With AutoAdvance it moves the clock
// itself and returns at once.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	until := c.now.Add(d)
	if c.auto {
		var due []*clockTimer
		if until.After(c.now) {
			due = c.setLocked(until)
		}
		c.mu.Unlock()
		runTimers(due)
		return nil
	}
	s := &sleeper{until: until, wake: make(chan struct{})}
	c.sleepers[s] = struct{}{}
	c.notifyLocked()
	c.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		if _, ok := c.sleepers[s]; ok {
			delete(c.sleepers, s)
			c.notifyLocked()
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Sleepers returns the number of goroutines sleeping on the clock.
func (c *ManualClock) Sleepers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers)
}

// WaitForSleepers blocks until at least n goroutines sleep on the clock, or
// ctx ends. A test calls it before Advance to know that the code under test
// has reached its sleep (instead of sleeping in real time itself).
func (c *ManualClock) WaitForSleepers(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		got, ch := len(c.sleepers), c.changed
		c.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AdvanceToNext moves the clock to the earliest wake time of the current
// sleepers (if it is in the future) and reports whether there was a
// sleeper.
func (c *ManualClock) AdvanceToNext() bool {
	c.mu.Lock()
	var next time.Time
	for s := range c.sleepers {
		if next.IsZero() || s.until.Before(next) {
			next = s.until
		}
	}
	if next.IsZero() {
		c.mu.Unlock()
		return false
	}
	var due []*clockTimer
	if next.After(c.now) {
		due = c.setLocked(next)
	} else {
		due = c.setLocked(c.now)
	}
	c.mu.Unlock()
	runTimers(due)
	return true
}

// TransitionKind tells how a pending status completes.
type TransitionKind int

// Transition kinds.
const (
	// KindImmediate completes the transition inside the request that started it.
	KindImmediate TransitionKind = iota
	// KindAfterDuration completes it once the server clock has moved by a duration.
	KindAfterDuration
	// KindAfterPolls completes it after a number of reads of the resource.
	KindAfterPolls
	// KindManual completes it only when Server.Advance is called.
	KindManual
)

// Transition says when a pending status (Provisioning, Configuring,
// Deleting) reaches its final state. Build one with Immediate,
// AfterDuration, AfterPolls or Manual.
type Transition struct {
	Kind     TransitionKind // when the transition completes
	Duration time.Duration  // KindAfterDuration
	Polls    int            // KindAfterPolls
}

// Immediate completes a transition inside the request that starts it: a
// created instance is Active on the first read.
func Immediate() Transition { return Transition{Kind: KindImmediate} }

// AfterDuration completes a transition once the server clock has advanced by
// d since the request that started it.
func AfterDuration(d time.Duration) Transition {
	if d <= 0 {
		return Immediate()
	}
	return Transition{Kind: KindAfterDuration, Duration: d}
}

// AfterPolls completes a transition after n reads that show the pending
// status. A read is a GetLoadBalancerAttribute of the instance, a
// ListLoadBalancers page that contains it, or a ListAsynJobs page that
// contains one of its jobs. AfterPolls(1): the first read shows Provisioning,
// the second Active. AfterPolls(0) is Immediate.
func AfterPolls(n int) Transition {
	if n <= 0 {
		return Immediate()
	}
	return Transition{Kind: KindAfterPolls, Polls: n}
}

// Manual leaves a transition pending until Server.Advance (or AdvanceAll) is
// called.
func Manual() Transition { return Transition{Kind: KindManual} }

// Pending statuses whose transition can be configured with WithTransition.
const (
	// PhaseProvisioning is Provisioning → Active (or CreateFailed).
	PhaseProvisioning = "Provisioning"
	// PhaseConfiguring is Configuring → Active after an update.
	PhaseConfiguring = "Configuring"
	// PhaseDeleting is Deleting → gone after DeleteLoadBalancer.
	PhaseDeleting = "Deleting"
)
