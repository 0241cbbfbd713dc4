package albtest

import (
	"context"
	"errors"
	"time"
)

// The data plane's time: health-check intervals and timeouts, request
// timeouts, slow start, connection draining and traffic limits follow the
// server's Clock. Under a ManualClock nothing happens in real time: a
// timer fires when Advance or Set moves the clock past it (inside that
// call), and the health-check scheduler wakes when the clock moves. Under
// an OffsetClock (the standalone program's) time flows in real time and a
// jump wakes the scheduler. Any other Clock is read for the time and waited
// on with real timers.

// clockTimer is a function to run when a ManualClock reaches at.
type clockTimer struct {
	at time.Time
	f  func()
}

// runTimers runs the timers that came due, in time order.
func runTimers(due []*clockTimer) {
	for len(due) > 0 {
		i := 0
		for j, t := range due {
			if t.at.Before(due[i].at) {
				i = j
			}
		}
		t := due[i]
		due = append(due[:i], due[i+1:]...)
		t.f()
	}
}

// dueTimersLocked removes and returns the timers due at c.now.
func (c *ManualClock) dueTimersLocked() []*clockTimer {
	var due []*clockTimer
	for t := range c.timers {
		if !t.at.After(c.now) {
			due = append(due, t)
			delete(c.timers, t)
		}
	}
	return due
}

// afterFunc runs f once the clock has moved d past now (at once when d <=
// 0, in the caller). stop cancels it and reports whether it had not run.
func (c *ManualClock) afterFunc(d time.Duration, f func()) (stop func() bool) {
	if d <= 0 {
		f()
		return func() bool { return false }
	}
	c.mu.Lock()
	t := &clockTimer{at: c.now.Add(d), f: f}
	if c.timers == nil {
		c.timers = map[*clockTimer]struct{}{}
	}
	c.timers[t] = struct{}{}
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.timers[t]
		delete(c.timers, t)
		return ok
	}
}

// nowAndMoved returns the time and a channel closed when it next changes.
func (c *ManualClock) nowAndMoved() (time.Time, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.now, c.moved
}

// jumped wakes whoever waits on the clock: Advance or Set moved it.
func (c *OffsetClock) jumped() {
	c.mu.Lock()
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
	c.mu.Unlock()
}

// movedChan returns a channel closed when Advance or Set next jumps the
// clock.
func (c *OffsetClock) movedChan() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.moved
}

// errClockTimeout is the cause of a context ended by a dpClock timeout.
var errClockTimeout = errors.New("albtest: timeout on the server clock")

// dpClock is the data plane's view of the server's Clock.
type dpClock struct{ c Clock }

func (k dpClock) now() time.Time { return k.c.Now() }

// manual reports a ManualClock: nothing happens in real time.
func (k dpClock) manual() (*ManualClock, bool) {
	m, ok := k.c.(*ManualClock)
	return m, ok
}

// afterFunc runs f once the clock has moved d (real time except under a
// ManualClock).
func (k dpClock) afterFunc(d time.Duration, f func()) (stop func() bool) {
	if m, ok := k.manual(); ok {
		return m.afterFunc(d, f)
	}
	return time.AfterFunc(d, f).Stop
}

// withTimeout returns a context ended with cause errClockTimeout once the
// clock has moved d.
func (k dpClock) withTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := k.manual(); !ok {
		return context.WithTimeoutCause(parent, d, errClockTimeout)
	}
	ctx, cancel := context.WithCancelCause(parent)
	stop := k.afterFunc(d, func() { cancel(errClockTimeout) })
	return ctx, func() { stop(); cancel(context.Canceled) }
}

// timedOut reports a context ended by withTimeout's clock.
func timedOut(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errClockTimeout)
}

// wait blocks until the clock reaches next (never when next is zero), the
// clock jumps, kick is signalled or stop is closed.
func (k dpClock) wait(next time.Time, kick, stop <-chan struct{}) {
	if m, ok := k.manual(); ok {
		now, moved := m.nowAndMoved()
		if !next.IsZero() && !now.Before(next) {
			return
		}
		select {
		case <-moved:
		case <-kick:
		case <-stop:
		}
		return
	}
	var jumped <-chan struct{}
	if o, ok := k.c.(*OffsetClock); ok {
		jumped = o.movedChan()
	}
	var tc <-chan time.Time
	if !next.IsZero() {
		d := next.Sub(k.c.Now())
		if d <= 0 {
			return
		}
		t := time.NewTimer(d)
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-tc:
	case <-jumped:
	case <-kick:
	case <-stop:
	}
}
