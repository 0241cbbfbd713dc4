package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// TestFixedPaces: a full bucket of burst, then one request per 1/rps.
func TestFixedPaces(t *testing.T) {
	for _, tc := range []struct {
		rps   float64
		burst int
	}{{1, 1}, {10, 5}, {0.5, 3}, {200, 20}} {
		t.Run(fmt.Sprintf("%v/%d", tc.rps, tc.burst), func(t *testing.T) {
			c := newFakeClock(true)
			f := NewFixed(tc.rps, tc.burst, FixedClock(c))
			start := c.Now()
			n := tc.burst + int(10*tc.rps)
			for i := range n {
				if err := f.Wait(context.Background(), fmt.Sprint("class", i%3)); err != nil {
					t.Fatal(err)
				}
				if i < tc.burst && c.Now() != start {
					t.Fatalf("Wait %d slept within the burst", i)
				}
			}
			want := float64(n-tc.burst) / tc.rps
			if got := c.Now().Sub(start).Seconds(); math.Abs(got-want) > 1e-6*want+1e-6 {
				t.Fatalf("%d Waits took %.6fs, want %.6fs", n, got, want)
			}
		})
	}
}

func TestFixedGlobalAndPerClass(t *testing.T) {
	c := newFakeClock(true)
	global := NewFixed(1, 2, FixedClock(c))
	perClass := NewFixed(1, 2, FixedClock(c), PerClass())
	ctx := context.Background()
	for _, class := range []string{"a", "b", "c"} {
		for range 2 {
			if err := perClass.Wait(ctx, class); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := len(c.Sleeps()); n != 0 {
		t.Fatalf("per-class buckets slept %d times within each class's burst", n)
	}
	for _, class := range []string{"a", "b", "c"} {
		if err := global.Wait(ctx, class); err != nil {
			t.Fatal(err)
		}
	}
	if s := c.Sleeps(); len(s) != 1 || s[0] != time.Second {
		t.Fatalf("the global bucket slept %v for the third request, want one sleep of 1s", s)
	}
	if got := global.Tokens("zzz"); got != 0 {
		t.Fatalf("global tokens seen from another class = %v, want 0", got)
	}
	global.Observe("a", true) // no effect
	if got := global.Tokens("a"); got != 0 {
		t.Fatalf("Observe changed the fixed bucket: %v tokens", got)
	}
}

func TestFixedUnlimited(t *testing.T) {
	for _, rps := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		c := newFakeClock(true)
		f := NewFixed(rps, 0, FixedClock(c))
		for range 1000 {
			if err := f.Wait(context.Background(), "x"); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(c.Sleeps()); n != 0 {
			t.Fatalf("NewFixed(%v) slept %d times", rps, n)
		}
	}
}

func TestFixedWaitCancelAndDeadline(t *testing.T) {
	c := newFakeClock(false)
	f := NewFixed(0.5, 1, FixedClock(c))
	if err := f.Wait(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	short := deadlineCtx{context.Background(), c.Now().Add(time.Second)}
	err := f.Wait(short, "x")
	var we *WaitError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &we) || !we.Predicted || we.Class != "x" {
		t.Fatalf("Wait with a deadline before the next slot = %v, want a predicted DeadlineExceeded for class x", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- f.Wait(ctx, "x") }()
	c.waitSleepers(t, 1)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) || !errors.As(err, &we) || we.Predicted {
			t.Fatalf("Wait after cancel = %v, want a *WaitError wrapping context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return within 10 s of real time after cancel")
	}
	// Both reservations were given back: the next slot is still 2 s away.
	if got := f.Tokens("x"); got != 0 {
		t.Fatalf("tokens after two abandoned waits = %v, want 0", got)
	}
	if err := f.Wait(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled ctx = %v", err)
	}
}
