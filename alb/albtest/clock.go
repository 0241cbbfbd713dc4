package albtest

import (
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
// concurrent use.
//
// The SDK signs requests with the real wall-clock time, and the emulator checks
// that time against its own clock (±15 minutes, see WithMaxSkew). Start a
// ManualClock at the current time (NewManualClock(time.Time{}) does that) and
// keep the total advance under 15 minutes, or widen the window with
// WithMaxSkew.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock reading start, or the current time
// when start is the zero time.
func NewManualClock(start time.Time) *ManualClock {
	if start.IsZero() {
		start = time.Now()
	}
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backwards when d is negative).
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
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
