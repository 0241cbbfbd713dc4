package retry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/clock"
)

// Errors used by the tests, classified by classify.
var (
	errThrottle = errors.New("Throttling.User")
	errBusy     = errors.New("ServiceUnavailable")
	errNet      = errors.New("connection reset")
	errInvalid  = errors.New("InvalidParameter")
)

func classify(err error) (Decision, string, bool) {
	switch {
	case errors.Is(err, errThrottle):
		return Retry, "throttled", true
	case errors.Is(err, errBusy):
		return Retry, "5xx", false
	case errors.Is(err, errNet):
		return RetryIfIdempotent, "network", false
	}
	return Stop, "client", false
}

// fakeClock is a manual clock whose sleeps advance time and are recorded.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	// Start at the real time so that contexts with real deadlines relative to
	// it behave; the clock then only moves when told to.
	return &fakeClock{now: time.Now()}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

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

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// half makes the jitter factor land on the nominal interval.
func half() float64 { return 0.5 }

// newTestRetryer returns a deterministic Retryer on clock c.
func newTestRetryer(c *fakeClock, p Policy) *Retryer {
	return &Retryer{Policy: p, Classify: classify, Sleep: c.Sleep, Now: c.Now, Rand: half}
}

// failing returns fn that fails with errs in order, then succeeds, and a call counter.
func failing(errs ...error) (func(context.Context) error, *atomic.Int32) {
	var n atomic.Int32
	return func(context.Context) error {
		i := int(n.Add(1)) - 1
		if i < len(errs) {
			return errs[i]
		}
		return nil
	}, &n
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

func equalDurations(t *testing.T, got, want []time.Duration) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delays = %v, want %v", got, want)
	}
}

func TestDelaySequenceGrowsAndCaps(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 8, MaxInterval: 2 * time.Second, MaxElapsed: time.Hour})
	fn, calls := failing(repeat(errBusy, 7)...)
	if err := r.Do(context.Background(), "A", true, fn); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if calls.Load() != 8 {
		t.Fatalf("calls = %d, want 8", calls.Load())
	}
	ms := time.Millisecond
	equalDurations(t, c.Sleeps(), []time.Duration{200 * ms, 400 * ms, 800 * ms, 1600 * ms, 2 * time.Second, 2 * time.Second, 2 * time.Second})
}

func TestJitterRange(t *testing.T) {
	for _, tc := range []struct {
		rnd  float64
		want time.Duration
	}{
		{0, 100 * time.Millisecond},             // 200ms·(1-0.5)
		{0.999999, 299999800 * time.Nanosecond}, // just under 200ms·1.5
		{0.25, 150 * time.Millisecond},
	} {
		c := newFakeClock()
		r := newTestRetryer(c, Policy{})
		r.Rand = func() float64 { return tc.rnd }
		fn, _ := failing(errBusy)
		if err := r.Do(context.Background(), "A", true, fn); err != nil {
			t.Fatal(err)
		}
		if got := c.Sleeps()[0]; got != tc.want {
			t.Errorf("rnd %v: delay %v, want %v", tc.rnd, got, tc.want)
		}
	}
}

func TestJitterNeverExceedsMaxInterval(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 10, MaxInterval: time.Second, MaxElapsed: time.Hour})
	r.Rand = func() float64 { return 0.99 }
	fn, _ := failing(repeat(errBusy, 9)...)
	if err := r.Do(context.Background(), "A", true, fn); err != nil {
		t.Fatal(err)
	}
	for i, d := range c.Sleeps() {
		if d > time.Second {
			t.Errorf("sleep %d = %v > MaxInterval", i, d)
		}
	}
}

func TestThrottleIntervalAfterThrottle(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{})
	fn, _ := failing(errBusy, errThrottle, errThrottle, errBusy)
	if err := r.Do(context.Background(), "A", true, fn); err != nil {
		t.Fatal(err)
	}
	// retry k: base·2^(k-1) with base 200ms (5xx) or 1s (throttle).
	equalDurations(t, c.Sleeps(), []time.Duration{200 * time.Millisecond, 2 * time.Second, 4 * time.Second, 1600 * time.Millisecond})
}

func TestRetryAfterHonouredAsMinimumAndCapped(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxInterval: 10 * time.Second})
	hints := []time.Duration{3 * time.Second, time.Millisecond, time.Minute}
	var i int
	r.RetryAfter = func(error) (time.Duration, bool) {
		h := hints[i]
		i++
		return h, true
	}
	fn, _ := failing(errBusy, errBusy, errBusy)
	if err := r.Do(context.Background(), "A", true, fn); err != nil {
		t.Fatal(err)
	}
	// 3s hint beats 200ms; 1ms hint loses to 400ms; 1m hint capped at 10s.
	equalDurations(t, c.Sleeps(), []time.Duration{3 * time.Second, 400 * time.Millisecond, 10 * time.Second})
}

func TestMaxAttempts(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 3})
	var events []Event
	r.OnRetry = func(e Event) { events = append(events, e) }
	fn, calls := failing(repeat(errBusy, 10)...)
	err := r.Do(context.Background(), "CreateLoadBalancer", true, fn)
	var ex *ExhaustedError
	if !errors.As(err, &ex) {
		t.Fatalf("err = %v, want *ExhaustedError", err)
	}
	if ex.Attempts != 3 || ex.Action != "CreateLoadBalancer" || ex.Reason != GiveUpMaxAttempts || !errors.Is(err, errBusy) {
		t.Fatalf("ExhaustedError = %+v", ex)
	}
	if calls.Load() != 3 {
		t.Fatalf("calls = %d, want 3", calls.Load())
	}
	if len(events) != 3 || events[2].GiveUp != GiveUpMaxAttempts || events[2].Delay != 0 {
		t.Fatalf("events = %+v", events)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("max-attempts exhaustion must not look like a deadline")
	}
}

func TestMaxAttemptsOneDisablesRetries(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 1})
	fn, calls := failing(errBusy)
	err := r.Do(context.Background(), "A", true, fn)
	var ex *ExhaustedError
	if !errors.As(err, &ex) || calls.Load() != 1 || len(c.Sleeps()) != 0 {
		t.Fatalf("err=%v calls=%d sleeps=%v", err, calls.Load(), c.Sleeps())
	}
}

func TestMaxElapsedGivesUpBeforeSleepingPastIt(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 100, MaxElapsed: 5 * time.Second})
	// Each attempt takes 500ms of fake time.
	var calls int
	fn := func(context.Context) error {
		calls++
		c.Advance(500 * time.Millisecond)
		return errBusy
	}
	err := r.Do(context.Background(), "A", true, fn)
	var ex *ExhaustedError
	if !errors.As(err, &ex) || ex.Reason != GiveUpMaxElapsed || !errors.Is(err, errBusy) {
		t.Fatalf("err = %v", err)
	}
	// t=0.5 sleep .2 → t=.7+.5=1.2 sleep .4 → 1.6+.5=2.1 sleep .8 → 2.9+.5=3.4;
	// next 1.6s would end at 5.0 (allowed) → 5.0+.5=5.5 > 5: next sleep 3.2 refused.
	equalDurations(t, c.Sleeps(), []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond})
	if calls != 5 || ex.Attempts != 5 {
		t.Fatalf("calls = %d, attempts = %d, want 5", calls, ex.Attempts)
	}
}

func TestContextDeadlineGivesUpAtOnce(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{ThrottleInterval: 20 * time.Minute, MaxInterval: time.Hour, MaxElapsed: -1})
	// The deadline is an hour of (fake) time away; no real time passes.
	ctx, cancel := context.WithDeadline(context.Background(), c.Now().Add(time.Hour))
	defer cancel()
	fn, calls := failing(repeat(errThrottle, 10)...)
	err := r.Do(ctx, "A", true, fn)
	// 20m, then 40m ends exactly at the deadline (allowed); the next 60m would pass it.
	var ex *ExhaustedError
	if !errors.As(err, &ex) || ex.Reason != GiveUpDeadline {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errThrottle) {
		t.Fatalf("err %v should match DeadlineExceeded and the last error", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("calls = %d, want 3", calls.Load())
	}
	equalDurations(t, c.Sleeps(), []time.Duration{20 * time.Minute, 40 * time.Minute})
}

func TestIdempotency(t *testing.T) {
	for _, tc := range []struct {
		idempotent bool
		wantCalls  int32
	}{{true, 2}, {false, 1}} {
		c := newFakeClock()
		r := newTestRetryer(c, Policy{})
		var last Event
		r.OnRetry = func(e Event) { last = e }
		fn, calls := failing(errNet)
		err := r.Do(context.Background(), "A", tc.idempotent, fn)
		if calls.Load() != tc.wantCalls {
			t.Errorf("idempotent=%v: calls %d, want %d", tc.idempotent, calls.Load(), tc.wantCalls)
		}
		if tc.idempotent && err != nil {
			t.Errorf("idempotent: err %v", err)
		}
		if !tc.idempotent && (err != errNet || last.GiveUp != GiveUpNotIdempotent) {
			t.Errorf("not idempotent: err %v (want unchanged), event %+v", err, last)
		}
	}
	// Retry decisions apply to non-idempotent calls too.
	c := newFakeClock()
	fn, calls := failing(errThrottle)
	if err := newTestRetryer(c, Policy{}).Do(context.Background(), "A", false, fn); err != nil || calls.Load() != 2 {
		t.Fatalf("err %v calls %d", err, calls.Load())
	}
}

func TestStopErrorCalledOnce(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{})
	var events []Event
	r.OnRetry = func(e Event) { events = append(events, e) }
	wrapped := fmt.Errorf("op: %w", errInvalid)
	fn, calls := failing(wrapped, errBusy)
	err := r.Do(context.Background(), "A", true, fn)
	if err != wrapped {
		t.Fatalf("err = %v, want the attempt's error unchanged", err)
	}
	if calls.Load() != 1 || len(c.Sleeps()) != 0 {
		t.Fatalf("calls %d sleeps %v", calls.Load(), c.Sleeps())
	}
	if len(events) != 1 || events[0].GiveUp != GiveUpNotRetryable || events[0].Reason != "client" {
		t.Fatalf("events = %+v", events)
	}
}

func TestNilClassifyRetriesNothing(t *testing.T) {
	c := newFakeClock()
	r := &Retryer{Sleep: c.Sleep, Now: c.Now}
	fn, calls := failing(errBusy)
	if err := r.Do(context.Background(), "A", true, fn); err != errBusy || calls.Load() != 1 {
		t.Fatalf("err %v calls %d", err, calls.Load())
	}
}

func TestOnRetryEvents(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 3})
	var events []Event
	r.OnRetry = func(e Event) { events = append(events, e) }
	fn, _ := failing(errThrottle, errBusy, errInvalid)
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "trace") // each event carries the call's context
	err := r.Do(ctx, "DeleteLoadBalancer", true, fn)
	if err != errInvalid {
		t.Fatalf("err = %v", err)
	}
	want := []Event{
		{Ctx: ctx, Action: "DeleteLoadBalancer", Attempt: 1, MaxAttempts: 3, Delay: time.Second, Err: errThrottle, Reason: "throttled", Throttle: true},
		{Ctx: ctx, Action: "DeleteLoadBalancer", Attempt: 2, MaxAttempts: 3, Delay: 400 * time.Millisecond, Err: errBusy, Reason: "5xx"},
		{Ctx: ctx, Action: "DeleteLoadBalancer", Attempt: 3, MaxAttempts: 3, Err: errInvalid, Reason: "client", GiveUp: GiveUpNotRetryable},
	}
	for _, e := range events {
		if e.Ctx != ctx {
			t.Fatalf("event %+v does not carry the call's context", e)
		}
	}
	if fmt.Sprintf("%+v", events) != fmt.Sprintf("%+v", want) {
		t.Fatalf("events\n got %+v\nwant %+v", events, want)
	}
}

func TestCancelDuringSleep(t *testing.T) {
	r := &Retryer{Classify: classify, Rand: half}
	ctx, cancel := context.WithCancel(context.Background())
	var gotEvents []Event
	r.OnRetry = func(e Event) { gotEvents = append(gotEvents, e) }
	// Sleep blocks until ctx is done; cancellation comes from inside the sleep.
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	r.Budget = NewBudget(100)
	fn, calls := failing(repeat(errBusy, 10)...)
	err := r.Do(ctx, "A", true, fn)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errBusy) {
		t.Fatalf("err %v should wrap both context.Canceled and the last error", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("calls = %d", calls.Load())
	}
	if got := r.Budget.Available(); got != 100 {
		t.Fatalf("budget = %d, want 100 (unused retry refunded)", got)
	}
	if n := len(gotEvents); n != 2 || gotEvents[1].GiveUp != GiveUpCanceled {
		t.Fatalf("events = %+v", gotEvents)
	}
}

func TestCancelReturnsPromptlyWithRealSleep(t *testing.T) {
	// Real SleepContext and real clock: a 20s delay must be cut short by cancel.
	r := &Retryer{Classify: classify, Policy: Policy{InitialInterval: 20 * time.Second, Jitter: -1}}
	ctx, cancel := context.WithCancel(context.Background())
	r.OnRetry = func(e Event) {
		if e.GiveUp == "" {
			cancel() // cancel just before the sleep starts
		}
	}
	fn, _ := failing(repeat(errBusy, 10)...)
	start := time.Now()
	err := r.Do(ctx, "A", true, fn)
	if el := time.Since(start); el > 100*time.Millisecond {
		t.Fatalf("Do took %v after cancel, want < 100ms", el)
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errBusy) {
		t.Fatalf("err = %v", err)
	}
}

func TestCancelDuringAttempt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := newFakeClock()
	r := newTestRetryer(c, Policy{})
	fn := func(context.Context) error { cancel(); return errBusy }
	err := r.Do(ctx, "A", true, fn)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errBusy) || len(c.Sleeps()) != 0 {
		t.Fatalf("err %v sleeps %v", err, c.Sleeps())
	}
}

func TestContextErrorFromAttemptNotDuplicated(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := newTestRetryer(newFakeClock(), Policy{})
	err := r.Do(ctx, "A", true, func(ctx context.Context) error { return fmt.Errorf("send: %w", ctx.Err()) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestBudgetDrainConcurrent(t *testing.T) {
	b := NewBudget(50) // 10 retries at cost 5
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 3, MaxElapsed: -1})
	r.Budget = b
	var calls atomic.Int32
	fn := func(context.Context) error { calls.Add(1); return errBusy }
	const goroutines = 20
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() { errs[i] = r.Do(context.Background(), "A", true, fn) })
	}
	wg.Wait()
	if got := b.Available(); got != 0 {
		t.Fatalf("available = %d, want 0", got)
	}
	// 20 first attempts + exactly 10 paid retries.
	if got := calls.Load(); got != goroutines+10 {
		t.Fatalf("calls = %d, want %d", got, goroutines+10)
	}
	var budget, exhausted int
	for _, err := range errs {
		if !errors.Is(err, errBusy) {
			t.Fatalf("err %v does not wrap the last error", err)
		}
		var ex *ExhaustedError
		switch {
		case errors.Is(err, ErrBudgetExhausted):
			budget++
		case errors.As(err, &ex):
			exhausted++
		}
	}
	if budget+exhausted != goroutines || budget < goroutines-10 {
		t.Fatalf("budget errors %d, exhausted %d", budget, exhausted)
	}
}

func TestBudgetRefunds(t *testing.T) {
	b := NewBudget(20)
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 2})
	r.Budget = b
	steps := []struct {
		name string
		errs []error
		want int
	}{
		{"retry then exhausted keeps the cost", []error{errBusy, errBusy}, 15},
		{"success refunds 1", nil, 16},
		{"retried success returns its cost plus 1", []error{errBusy}, 17},
		{"non-retryable after retry returns its cost", []error{errBusy, errInvalid}, 17},
		{"network retry costs 10", []error{errNet, errNet}, 7},
		{"refund capped at capacity", nil, 8},
	}
	for _, s := range steps {
		fn, _ := failing(s.errs...)
		_ = r.Do(context.Background(), "A", true, fn)
		if got := b.Available(); got != s.want {
			t.Fatalf("%s: available %d, want %d", s.name, got, s.want)
		}
	}
	full := NewBudget(3)
	r.Budget = full
	fn, _ := failing()
	_ = r.Do(context.Background(), "A", true, fn)
	if full.Available() != 3 {
		t.Fatalf("refund exceeded capacity: %d", full.Available())
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func TestBudgetTimeoutCost(t *testing.T) {
	b := NewBudget(100)
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 2})
	r.Budget = b
	r.Classify = func(error) (Decision, string, bool) { return Retry, "timeout", false }
	fn, _ := failing(timeoutErr{}, timeoutErr{})
	_ = r.Do(context.Background(), "A", true, fn)
	if b.Available() != 90 {
		t.Fatalf("available = %d, want 90", b.Available())
	}
}

func TestBudgetEmptyStopsWithBothErrors(t *testing.T) {
	b := NewBudget(4) // less than one retry
	r := newTestRetryer(newFakeClock(), Policy{})
	r.Budget = b
	var last Event
	r.OnRetry = func(e Event) { last = e }
	fn, calls := failing(errBusy)
	err := r.Do(context.Background(), "A", true, fn)
	if !errors.Is(err, ErrBudgetExhausted) || !errors.Is(err, errBusy) || calls.Load() != 1 || last.GiveUp != GiveUpBudget {
		t.Fatalf("err %v calls %d event %+v", err, calls.Load(), last)
	}
}

func TestNilBudget(t *testing.T) {
	var b *Budget
	if b.Available() <= 1<<40 || b.Capacity() <= 1<<40 {
		t.Fatal("nil budget should be unlimited")
	}
	if !b.take(1000) {
		t.Fatal("nil budget refused")
	}
	b.give(5)
	b.success(5)
}

func TestPolicyDefaults(t *testing.T) {
	p := Policy{}.withDefaults()
	want := Policy{MaxAttempts: 5, InitialInterval: 200 * time.Millisecond, ThrottleInterval: time.Second,
		MaxInterval: 20 * time.Second, MaxElapsed: 2 * time.Minute, Multiplier: 2, Jitter: 0.5}
	if p != want {
		t.Fatalf("defaults = %+v, want %+v", p, want)
	}
	q := Policy{Jitter: -1, Multiplier: 0.5, MaxElapsed: -1}.withDefaults()
	if q.Jitter != 0 || q.Multiplier != 1 || q.MaxElapsed != -1 {
		t.Fatalf("clamped = %+v", q)
	}
	if (Policy{Jitter: 3}).withDefaults().Jitter != 1 {
		t.Fatal("jitter not clamped to 1")
	}
}

func TestDecisionString(t *testing.T) {
	if Stop.String() != "Stop" || Retry.String() != "Retry" || RetryIfIdempotent.String() != "RetryIfIdempotent" || Decision(9).String() != "Decision(9)" {
		t.Fatal("Decision.String")
	}
}

func TestExhaustedErrorMessage(t *testing.T) {
	e := &ExhaustedError{Action: "CreateLoadBalancer", Attempts: 5, Last: errBusy, Reason: GiveUpMaxAttempts}
	if got, want := e.Error(), "retry: CreateLoadBalancer: attempts exhausted after 5 attempt(s): ServiceUnavailable"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

// Throttling is pacing: throttled attempts neither count against
// MaxAttempts nor cost budget, so a call throttled more times than
// MaxAttempts still succeeds and leaves the budget whole.
func TestThrottlesAreFreeAndUncounted(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 2})
	r.Budget = NewBudget(10)
	fn, calls := failing(repeat(errThrottle, 6)...)
	if err := r.Do(context.Background(), "Get", true, fn); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if calls.Load() != 7 {
		t.Fatalf("calls = %d, want 7", calls.Load())
	}
	if got := r.Budget.Available(); got != 10 {
		t.Fatalf("budget = %d, want 10 (throttles are free)", got)
	}
	// Two non-throttled failures still end the call at MaxAttempts 2.
	fn, calls = failing(errThrottle, errBusy, errThrottle, errBusy, errBusy)
	var ex *ExhaustedError
	if err := r.Do(context.Background(), "Get", true, fn); !errors.As(err, &ex) || ex.Reason != GiveUpMaxAttempts {
		t.Fatalf("Do = %v, want max attempts", err)
	}
	if calls.Load() != 4 {
		t.Fatalf("calls = %d, want 4 (2 failures + 2 throttles)", calls.Load())
	}
}

// A bound set with clock.WithDeadline on a fake clock stops retries whose
// next delay would pass it, though the context has no wall deadline.
func TestClockDeadlineBoundsRetries(t *testing.T) {
	c := newFakeClock()
	r := newTestRetryer(c, Policy{MaxAttempts: 100, InitialInterval: time.Second, MaxInterval: time.Second, MaxElapsed: -1})
	ctx, cancel := clock.WithDeadline(context.Background(), manual{c}, c.Now().Add(3500*time.Millisecond))
	defer cancel()
	fn, calls := failing(repeat(errBusy, 100)...)
	var ex *ExhaustedError
	if err := r.Do(ctx, "Get", true, fn); !errors.As(err, &ex) || ex.Reason != GiveUpDeadline {
		t.Fatalf("Do = %v, want deadline give-up", err)
	}
	if calls.Load() != 4 {
		t.Fatalf("calls = %d, want 4 (at 0s, 1s, 2s, 3s)", calls.Load())
	}
}

// manual adapts fakeClock to clock.Clock without its sleeps moving time
// (the retryer's own sleeps do that through r.Sleep).
type manual struct{ c *fakeClock }

func (m manual) Now() time.Time { return m.c.Now() }
func (m manual) Sleep(ctx context.Context, d time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}
