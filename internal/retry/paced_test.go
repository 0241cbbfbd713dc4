package retry

import (
	"context"
	"testing"
	"time"
)

// With PacedThrottles, a throttled attempt is retried without the
// exponential delay (the attempt hook paces it), a server hint is still
// honoured, and errors keep their backoff.
func TestPacedThrottlesSkipTheBackoff(t *testing.T) {
	clk := newFakeClock()
	hint := false
	r := &Retryer{
		Policy:         Policy{MaxAttempts: 3, Jitter: -1},
		Classify:       classify,
		Sleep:          clk.Sleep,
		Now:            clk.Now,
		PacedThrottles: true,
		RetryAfter: func(error) (time.Duration, bool) {
			if hint {
				return 3 * time.Second, true
			}
			return 0, false
		},
	}
	errs := []error{errThrottle, errThrottle, errBusy, nil}
	i := 0
	if err := r.Do(context.Background(), "A", true, func(context.Context) error { i++; return errs[i-1] }); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, 0, 4 * DefaultInitialInterval} // the third retry's base is InitialInterval·2²
	if len(clk.sleeps) != len(want) {
		t.Fatalf("sleeps %v, want %v", clk.sleeps, want)
	}
	for k := range want {
		if clk.sleeps[k] != want[k] {
			t.Fatalf("sleeps %v, want %v", clk.sleeps, want)
		}
	}
	hint, clk.sleeps, i = true, nil, 0
	errs = []error{errThrottle, nil}
	if err := r.Do(context.Background(), "A", true, func(context.Context) error { i++; return errs[i-1] }); err != nil {
		t.Fatal(err)
	}
	if len(clk.sleeps) != 1 || clk.sleeps[0] != 3*time.Second {
		t.Fatalf("sleeps %v, want the 3s hint", clk.sleeps)
	}
}
