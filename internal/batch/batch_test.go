package batch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/clock"
)

// gateClock's Sleep returns when the test opens the gate (or ctx ends), so
// a test decides when a linger ends; Now is fixed unless moved.
type gateClock struct {
	mu   sync.Mutex
	now  time.Time
	gate chan struct{}
	n    int // sleepers waiting at the gate
}

func newGateClock() *gateClock {
	return &gateClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), gate: make(chan struct{})}
}

func (c *gateClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *gateClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	g := c.gate
	c.n++
	c.mu.Unlock()
	select {
	case <-g:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// open releases every sleeper waiting now.
func (c *gateClock) open() {
	c.mu.Lock()
	close(c.gate)
	c.gate = make(chan struct{})
	c.mu.Unlock()
}

func (c *gateClock) sleepers() int { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

// recorder is a Fetch that records its calls and answers every key but
// those in missing; it blocks while hold is set, until released.
type recorder struct {
	mu      sync.Mutex
	calls   [][]string
	missing map[string]bool
	err     error
	hold    chan struct{}
	started chan []string
}

func (r *recorder) fetch(ctx context.Context, keys []string) (map[string]string, error) {
	r.mu.Lock()
	r.calls = append(r.calls, slices.Clone(keys))
	hold, started := r.hold, r.started
	r.mu.Unlock()
	if started != nil {
		started <- slices.Clone(keys)
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	out := map[string]string{}
	for _, k := range keys {
		if !r.missing[k] {
			out[k] = "v-" + k
		}
	}
	return out, nil
}

func (r *recorder) callCount() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.calls) }

// shape returns the sizes of calls and their keys, sorted.
func shape(calls [][]string) string {
	var sizes []int
	var all []string
	for _, c := range calls {
		sizes = append(sizes, len(c))
		all = append(all, c...)
	}
	return fmt.Sprint(sizes, " ", sorted(all))
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// waitFor polls cond (a condition on the group's state, not time).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// A single watcher's Get is sent at once, without lingering.
func TestSingleWatcherIsSentAtOnce(t *testing.T) {
	clk := newGateClock()
	r := &recorder{}
	g := New(r.fetch, Options{MaxKeys: 20, Linger: time.Hour, Clock: clk})
	defer g.Watch()()
	v, found, err := g.Get(context.Background(), "a")
	if err != nil || !found || v != "v-a" {
		t.Fatalf("Get = %q, %v, %v", v, found, err)
	}
	if clk.sleepers() != 0 || r.callCount() != 1 {
		t.Fatalf("%d lingers, %d calls; want 0 and 1", clk.sleepers(), r.callCount())
	}
}

// With several watchers, Gets made during the linger share one call, a key
// asked twice is sent once, and a full batch is sent without waiting.
func TestWatchersShareCalls(t *testing.T) {
	clk := newGateClock()
	r := &recorder{missing: map[string]bool{"k3": true}}
	g := New(r.fetch, Options{MaxKeys: 5, Linger: time.Second, Clock: clk})
	for range 3 {
		defer g.Watch()()
	}
	type res struct {
		key, v string
		found  bool
		err    error
	}
	keys := []string{"k1", "k2", "k3", "k1", "k4", "k5", "k6", "k7"}
	out := make(chan res, len(keys))
	var wg sync.WaitGroup
	for _, k := range keys[:4] {
		wg.Go(func() {
			v, f, err := g.Get(context.Background(), k)
			out <- res{k, v, f, err}
		})
	}
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.queue) == 1 && g.queue[0].members == 4 })
	if r.callCount() != 0 {
		t.Fatalf("%d calls before the linger ended", r.callCount())
	}
	// Four more keys: the first batch fills (5 distinct keys) and goes
	// without its linger; the rest open a second batch.
	for _, k := range keys[4:] {
		wg.Go(func() {
			v, f, err := g.Get(context.Background(), k)
			out <- res{k, v, f, err}
		})
	}
	waitFor(t, func() bool { return r.callCount() == 1 })
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.queue) == 1 && g.queue[0].members == 2 })
	clk.open() // the second batch's linger ends
	wg.Wait()
	close(out)
	for x := range out {
		wantFound := x.key != "k3"
		if x.err != nil || x.found != wantFound || (wantFound && x.v != "v-"+x.key) {
			t.Errorf("Get(%s) = %q, %v, %v", x.key, x.v, x.found, x.err)
		}
	}
	if got := shape(r.calls); got != "[5 2] [k1 k2 k3 k4 k5 k6 k7]" {
		t.Fatalf("calls %v: sizes and keys %s", r.calls, got)
	}
	if st := g.Stats(); st.Calls != 2 || st.Keys != 7 || st.Gets != 8 {
		t.Fatalf("stats %+v", st)
	}
}

// A call's error reaches every caller of its batch.
func TestErrorReachesEveryCaller(t *testing.T) {
	boom := errors.New("boom")
	r := &recorder{err: boom, hold: make(chan struct{})}
	g := New(r.fetch, Options{MaxKeys: 20, MaxInFlight: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, k := range []string{"a", "b", "c"} {
		wg.Go(func() { _, _, err := g.Get(context.Background(), k); errs <- err })
	}
	// a is sent at once (no watchers); b and c fill the next batch while it
	// is in flight (MaxInFlight 1).
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.queue) == 1 && g.queue[0].members == 2 })
	close(r.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, boom) {
			t.Errorf("Get error %v, want boom", err)
		}
	}
	if got := shape(r.calls); got != "[1 2] [a b c]" {
		t.Fatalf("calls %v, want one of one key then one of two", r.calls)
	}
}

// A caller whose context ends leaves at once; a batch nobody waits for any
// more is cancelled, and an unsent batch forgets the caller's key.
func TestLeavingCallers(t *testing.T) {
	r := &recorder{hold: make(chan struct{}), started: make(chan []string, 4)}
	g := New(r.fetch, Options{MaxKeys: 20, MaxInFlight: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := g.Get(ctx, "x"); done <- err }()
	<-r.started
	// Queued behind the call in flight: y (its caller leaves) and z.
	ctxY, cancelY := context.WithCancel(context.Background())
	doneY := make(chan error, 1)
	go func() { _, _, err := g.Get(ctxY, "y"); doneY <- err }()
	doneZ := make(chan string, 1)
	go func() { v, _, _ := g.Get(context.Background(), "z"); doneZ <- v }()
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.queue) == 1 && g.queue[0].members == 2 })
	cancelY()
	if err := <-doneY; !errors.Is(err, context.Canceled) {
		t.Fatalf("Get(y) = %v, want canceled", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Get(x) = %v, want canceled", err)
	}
	// The call for x was cancelled (its fetch saw ctx end) and z's batch,
	// without y, goes next.
	if keys := <-r.started; fmt.Sprint(keys) != "[z]" {
		t.Fatalf("next call %v, want [z]", keys)
	}
	close(r.hold)
	if v := <-doneZ; v != "v-z" {
		t.Fatalf("Get(z) = %q", v)
	}
}

// A batch cut short by the bound of one caller does not fail a caller with
// time left: it joins the next batch. (On a clock other than the wall
// clock a bound is a value the call checks, as the retry loop does.)
func TestBatchCutByAnotherBoundIsRetried(t *testing.T) {
	clk := newGateClock()
	hold := make(chan struct{})
	var mu sync.Mutex
	var calls [][]string
	fetch := func(ctx context.Context, keys []string) (map[string]string, error) {
		mu.Lock()
		calls = append(calls, slices.Clone(keys))
		mu.Unlock()
		if keys[0] == "blocker" {
			<-hold
		}
		if clock.Passed(ctx, clk) {
			return nil, errors.New("the call's bound passed")
		}
		out := map[string]string{}
		for _, k := range keys {
			out[k] = "v-" + k
		}
		return out, nil
	}
	g := New(fetch, Options{MaxKeys: 20, MaxInFlight: 1, Clock: clk})
	go func() { _, _, _ = g.Get(context.Background(), "blocker") }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 1 })
	short, cancel := clock.WithDeadline(context.Background(), clk, clk.Now().Add(time.Minute))
	defer cancel()
	shortErr := make(chan error, 1)
	go func() { _, _, err := g.Get(short, "s"); shortErr <- err }()
	type res struct {
		v     string
		found bool
		err   error
	}
	long := make(chan res, 1)
	go func() { v, f, err := g.Get(context.Background(), "l"); long <- res{v, f, err} }()
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.queue) == 1 && g.queue[0].members == 2 })
	clk.mu.Lock()
	clk.now = clk.now.Add(2 * time.Minute) // past the short caller's bound
	clk.mu.Unlock()
	close(hold)
	if err := <-shortErr; err == nil {
		t.Fatal("short Get succeeded after its bound")
	}
	if r := <-long; r.err != nil || !r.found || r.v != "v-l" {
		t.Fatalf("long Get = %+v; want its value from another call", r)
	}
	if got := fmt.Sprint(calls[0], sorted(calls[1]), calls[2:]); got != "[blocker] [l s] [[l]]" {
		t.Fatalf("calls %s", got)
	}
}
