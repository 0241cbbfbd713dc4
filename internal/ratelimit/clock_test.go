package ratelimit

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// epoch is where fake clocks start: a half-second boundary, so bucket
// arithmetic in tests is exact.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fakeClock is a manual clock. Sleep blocks until Advance moves the time past
// its end (or ctx ends). In auto mode Sleep instead advances the time itself
// and returns at once, for single-goroutine tests.
type fakeClock struct {
	mu       sync.Mutex
	cond     *sync.Cond
	now      time.Time
	auto     bool
	sleepers map[*fakeSleeper]struct{}
	slept    []time.Duration // every Sleep's d, in order
}

type fakeSleeper struct {
	until time.Time
	ch    chan struct{}
}

func newFakeClock(auto bool) *fakeClock {
	c := &fakeClock{now: epoch, auto: auto, sleepers: map[*fakeSleeper]struct{}{}}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	c.mu.Lock()
	c.slept = append(c.slept, d)
	if c.auto {
		c.now = c.now.Add(d)
		c.mu.Unlock()
		return nil
	}
	s := &fakeSleeper{until: c.now.Add(d), ch: make(chan struct{})}
	c.sleepers[s] = struct{}{}
	c.cond.Broadcast()
	c.mu.Unlock()
	select {
	case <-s.ch:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.sleepers, s)
		c.cond.Broadcast()
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Advance moves the time by d and wakes the sleepers whose time has come.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for s := range c.sleepers {
		if !s.until.After(c.now) {
			delete(c.sleepers, s)
			close(s.ch)
		}
	}
	c.cond.Broadcast()
}

// Sleeps returns a copy of every Sleep's duration so far.
func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// waitSleepers blocks until exactly n goroutines are sleeping (failing the
// test after 10 s of real time, which only a bug can take).
func (c *fakeClock) waitSleepers(t *testing.T, n int) {
	t.Helper()
	timer := time.AfterFunc(10*time.Second, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	start := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.sleepers) != n {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("waiting for %d sleepers: %d after 10s", n, len(c.sleepers))
		}
		c.cond.Wait()
	}
}

// simClock is a discrete-event clock for simulations: goroutines started with
// Go run on it, one at a time; when every one of them is asleep, the time
// jumps to the earliest wake-up and that sleeper runs (sleepers due at the
// same instant run one after another, in the order they went to sleep), so
// a simulation is deterministic. The time stands still until Wait is called, so that all
// the goroutines started before it begin at the same instant. Blocking on anything but Sleep (other than briefly on a
// mutex) would stall it, so simulated goroutines only compute and Sleep.
type simClock struct {
	mu     sync.Mutex
	now    time.Time
	active int
	seq    int
	q      sleepHeap
	done   chan struct{}
}

// newSimClock returns a clock held at epoch (active counts the caller's
// setup phase) until Wait.
func newSimClock() *simClock { return &simClock{now: epoch, active: 1, done: make(chan struct{})} }

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Go runs f on the clock.
func (c *simClock) Go(f func()) {
	// f starts as a sleeper due now: it runs when the clock gets to it,
	// alone, in the order of the calls of Go.
	c.mu.Lock()
	c.seq++
	s := &simSleeper{until: c.now, seq: c.seq, ch: make(chan struct{})}
	heap.Push(&c.q, s)
	c.stepLocked()
	c.mu.Unlock()
	go func() {
		<-s.ch
		defer func() {
			c.mu.Lock()
			c.active--
			c.stepLocked()
			c.mu.Unlock()
		}()
		f()
	}()
}

// Wait lets the time run and blocks until every goroutine started with Go
// has returned.
func (c *simClock) Wait() {
	c.mu.Lock()
	c.active--
	c.stepLocked()
	c.mu.Unlock()
	<-c.done
}

func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	c.mu.Lock()
	c.seq++
	s := &simSleeper{until: c.now.Add(d), seq: c.seq, ch: make(chan struct{})}
	heap.Push(&c.q, s)
	c.active--
	c.stepLocked()
	c.mu.Unlock()
	<-s.ch
	return nil
}

// stepLocked advances the time when nobody is running.
func (c *simClock) stepLocked() {
	if c.active > 0 {
		return
	}
	if len(c.q) == 0 {
		close(c.done)
		return
	}
	// One goroutine at a time, in the order of their wake-ups (and of
	// their sleeps for equal ones): the simulation is deterministic.
	s := heap.Pop(&c.q).(*simSleeper)
	c.now = s.until
	c.active++
	close(s.ch)
}

type simSleeper struct {
	until time.Time
	seq   int
	ch    chan struct{}
}

type sleepHeap []*simSleeper

func (h sleepHeap) Len() int { return len(h) }
func (h sleepHeap) Less(i, j int) bool {
	if !h[i].until.Equal(h[j].until) {
		return h[i].until.Before(h[j].until)
	}
	return h[i].seq < h[j].seq
}
func (h sleepHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *sleepHeap) Push(x any)   { *h = append(*h, x.(*simSleeper)) }
func (h *sleepHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// deadlineCtx is a live context with a fixed deadline on the fake clock's
// time line (its Done never closes), to test predicted-deadline refusals
// without real timers.
type deadlineCtx struct {
	context.Context
	deadline time.Time
}

func (c deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func TestSystemClock(t *testing.T) {
	c := SystemClock()
	if d := time.Since(c.Now()); d < 0 || d > time.Second {
		t.Fatalf("Now is %s away from time.Now", d)
	}
	start := time.Now()
	if err := c.Sleep(context.Background(), 2*time.Millisecond); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	if el := time.Since(start); el < 2*time.Millisecond {
		t.Fatalf("Sleep(2ms) returned after %s", el)
	}
	if err := c.Sleep(context.Background(), 0); err != nil {
		t.Fatalf("Sleep(0) = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled ctx = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("Sleep on a cancelled ctx took %s", el)
	}
	if err := c.Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep(0) on a cancelled ctx = %v, want context.Canceled", err)
	}
}

func TestNone(t *testing.T) {
	l := None()
	for range 1000 {
		if err := l.Wait(context.Background(), "x"); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		l.Observe("x", true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := l.Wait(ctx, "x")
	var we *WaitError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &we) || we.Class != "x" {
		t.Fatalf("Wait on a cancelled ctx = %v, want a *WaitError for class x wrapping context.Canceled", err)
	}
}
