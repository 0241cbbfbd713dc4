package waiter_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/waiter"
)

// fakeClock moves only when something sleeps on it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func opts(c *fakeClock) waiter.Options {
	return waiter.Options{MinDelay: time.Second, MaxDelay: 8 * time.Second, MaxWait: time.Minute, Clock: c, Rand: func() float64 { return 0 }}
}

var errBusy = errors.New("busy")

func TestSuccessAfterPolls(t *testing.T) {
	c := &fakeClock{now: time.Unix(0, 0)}
	n := 0
	v, err := waiter.Wait(context.Background(), opts(c), func(context.Context) (int, error) { n++; return n, nil },
		func(v int, err error) (waiter.Verdict, error) {
			if v == 3 {
				return waiter.Success, nil
			}
			return waiter.Continue, nil
		})
	if err != nil || v != 3 {
		t.Fatalf("Wait = %d, %v", v, err)
	}
	if got := fmt.Sprint(c.sleeps); got != "[1s 1s]" {
		t.Fatalf("sleeps %s, want the minimum delays (jitter 0)", got)
	}
}

func TestFailureEndsAtOnce(t *testing.T) {
	c := &fakeClock{now: time.Unix(0, 0)}
	bad := errors.New("bad")
	_, err := waiter.Wait(context.Background(), opts(c), func(context.Context) (int, error) { return 0, nil },
		func(int, error) (waiter.Verdict, error) { return waiter.Failure, bad })
	if !errors.Is(err, bad) || len(c.sleeps) != 0 {
		t.Fatalf("Wait = %v after %v", err, c.sleeps)
	}
}

// The bound holds in clock time, and the timeout reports the last poll
// error (a transient error the acceptor chose to ride out).
func TestBoundIsHardAndReportsLastError(t *testing.T) {
	c := &fakeClock{now: time.Unix(0, 0)}
	polls := 0
	_, err := waiter.Wait(context.Background(), opts(c), func(context.Context) (int, error) { polls++; return 0, errBusy },
		func(_ int, err error) (waiter.Verdict, error) { return waiter.Continue, nil })
	var te *waiter.TimeoutError
	if !errors.As(err, &te) || !errors.Is(te.LastErr, errBusy) || te.Polls != polls {
		t.Fatalf("Wait = %v, want a TimeoutError with the last error", err)
	}
	if waited := c.Now().Sub(time.Unix(0, 0)); waited != time.Minute {
		t.Fatalf("waited %s of clock time, want exactly the 1m bound (the last poll lands at the deadline)", waited)
	}
}

// A poll sees the bound as its context's deadline (clock.Deadline).
func TestPollsSeeTheBound(t *testing.T) {
	c := &fakeClock{now: time.Unix(0, 0)}
	o := opts(c)
	o.MaxWait = 5 * time.Second
	var left []time.Duration
	_, _ = waiter.Wait(context.Background(), o, func(ctx context.Context) (int, error) {
		dl, ok := clockDeadline(ctx)
		if !ok {
			t.Fatal("no bound on the poll's context")
		}
		left = append(left, dl.Sub(c.Now()))
		return 0, nil
	}, func(int, error) (waiter.Verdict, error) { return waiter.Continue, nil })
	if len(left) == 0 || left[0] != 5*time.Second {
		t.Fatalf("time left seen by polls: %v", left)
	}
}

func TestCancelEndsTheWait(t *testing.T) {
	c := &fakeClock{now: time.Unix(0, 0)}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := waiter.Wait(ctx, opts(c), func(context.Context) (int, error) { cancel(); return 0, nil },
		func(int, error) (waiter.Verdict, error) { return waiter.Continue, nil })
	var ce *waiter.CanceledError
	if !errors.As(err, &ce) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want CanceledError", err)
	}
}

// A server hint raises the next delay; a custom schedule replaces the
// exponential one; OnPoll sees every poll.
func TestHintScheduleAndEvents(t *testing.T) {
	c := &fakeClock{now: time.Unix(0, 0)}
	o := opts(c)
	o.Hint = func(err error) (time.Duration, bool) { return 5 * time.Second, errors.Is(err, errBusy) }
	o.Delay = func(attempt int, elapsed, remaining time.Duration) time.Duration { return 2 * time.Second }
	var events []waiter.Poll
	o.OnPoll = func(p waiter.Poll) { events = append(events, p) }
	n := 0
	_, err := waiter.Wait(context.Background(), o, func(context.Context) (int, error) {
		n++
		if n == 1 {
			return 0, errBusy
		}
		return n, nil
	}, func(v int, err error) (waiter.Verdict, error) {
		if v == 3 {
			return waiter.Success, nil
		}
		return waiter.Continue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.sleeps); got != "[5s 2s]" {
		t.Fatalf("sleeps %s, want [5s 2s] (hint, then the schedule)", got)
	}
	if len(events) != 3 || events[2].Verdict != waiter.Success || events[0].Err == nil {
		t.Fatalf("events %+v", events)
	}
}

// A Delay schedule's polls start at least MinDelay apart, counted from
// poll start to poll start: a schedule on a grid of MinDelay whose polls
// take 300 ms each polls at 0, 1, 2, 3 s, not 0, 1.3, 2.6, 3.9 s; a Delay
// that asks for less than MinDelay less the poll's time gets that much.
func TestDelayPollsStartMinDelayApart(t *testing.T) {
	grid := func(_ int, elapsed, _ time.Duration) time.Duration {
		return (elapsed/time.Second+1)*time.Second - elapsed // the grid of 1 s
	}
	if got := pollStarts(t, 0, grid, 300*time.Millisecond, 4); got != "[0s 1s 2s 3s]" {
		t.Fatalf("polls started at %s, want on the grid", got)
	}
	// A Delay of 0 still keeps the polls MinDelay apart.
	zero := func(int, time.Duration, time.Duration) time.Duration { return 0 }
	if got := pollStarts(t, 0, zero, 300*time.Millisecond, 3); got != "[0s 1s 2s]" {
		t.Fatalf("polls started at %s with a Delay of 0, want 1s apart", got)
	}
}

// Gap replaces MinDelay as the least time between poll starts: a schedule
// may poll again sooner on purpose, and no sooner than Gap says.
func TestGapLowersTheLeastTimeBetweenPolls(t *testing.T) {
	quick := func(_ int, elapsed, _ time.Duration) time.Duration { return elapsed } // doubling
	if got := pollStarts(t, 200*time.Millisecond, quick, 0, 4, func() time.Duration { return 100 * time.Millisecond }); got != "[200ms 400ms 800ms 1.6s]" {
		t.Fatalf("polls started at %s, want doubling from 200ms", got)
	}
	if got := pollStarts(t, 200*time.Millisecond, quick, 0, 3, nil); got != "[200ms 1.2s 2.4s]" {
		t.Fatalf("polls started at %s without Gap, want MinDelay apart first", got)
	}
	zero := func(int, time.Duration, time.Duration) time.Duration { return 0 }
	if got := pollStarts(t, 0, zero, 0, 3, func() time.Duration { return 250 * time.Millisecond }); got != "[0s 250ms 500ms]" {
		t.Fatalf("polls started at %s with a Delay of 0, want Gap apart", got)
	}
}

// pollStarts waits with opts, the first delay initial and the schedule
// delay (and gap, if not nil), each poll taking took, until the n-th poll
// succeeds, and returns the polls' start times since the wait began.
func pollStarts(t *testing.T, initial time.Duration, delay func(int, time.Duration, time.Duration) time.Duration, took time.Duration, n int, gap ...func() time.Duration) string {
	t.Helper()
	c := &fakeClock{now: time.Unix(0, 0)}
	o := opts(c)
	o.Initial, o.Delay = initial, delay
	if len(gap) > 0 {
		o.Gap = gap[0]
	}
	start := c.Now()
	var starts []time.Duration
	_, err := waiter.Wait(context.Background(), o, func(context.Context) (int, error) {
		starts = append(starts, c.Now().Sub(start))
		_ = c.Sleep(context.Background(), took) // the poll's round trip
		return len(starts), nil
	}, func(v int, _ error) (waiter.Verdict, error) {
		if v == n {
			return waiter.Success, nil
		}
		return waiter.Continue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(starts)
}

// The first delay (Options.Initial) is not part of the first poll's time:
// a grid point just after the first poll is pushed to MinDelay after it
// (and the grid's next points with it).
// (Slept inside the first poll, it let a schedule poll twice within 36 ms:
// a first poll at 1.043 s, jittered, then the grid's 1.079 s.)
func TestInitialDelayIsNotThePollsTime(t *testing.T) {
	shifted := func(_ int, elapsed, _ time.Duration) time.Duration {
		// The grid of 1 s shifted by 79 ms.
		const phase = 79 * time.Millisecond
		return (elapsed-phase)/time.Second*time.Second + time.Second + phase - elapsed
	}
	if got := pollStarts(t, 1043*time.Millisecond, shifted, 0, 3); got != "[1.043s 2.043s 3.043s]" {
		t.Fatalf("polls started at %s, want the first after the initial delay, then MinDelay apart on the grid", got)
	}
	// A wait whose bound passes during the first delay times out without a
	// poll.
	c2 := &fakeClock{now: time.Unix(0, 0)}
	o2 := opts(c2)
	o2.Initial, o2.MaxWait = 2*time.Second, time.Second
	polls := 0
	_, err := waiter.Wait(context.Background(), o2, func(context.Context) (int, error) { polls++; return 0, nil },
		func(int, error) (waiter.Verdict, error) { return waiter.Continue, nil })
	var te *waiter.TimeoutError
	if !errors.As(err, &te) || polls != 0 {
		t.Fatalf("bound within the first delay: %v after %d polls, want a *TimeoutError and no poll", err, polls)
	}
}
