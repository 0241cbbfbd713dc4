package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// observeAt reports n outcomes of class at rps per second on an auto clock.
func observeAt(c *fakeClock, l *Adaptive, class string, rps float64, n int, throttled bool) {
	step := time.Duration(float64(time.Second) / rps)
	for range n {
		c.Advance(step)
		l.Observe(class, throttled)
	}
}

// observeSaturated is observeAt for a class whose demand fills its rate:
// before each outcome the bucket holds no banked token (as when requests
// wait in Wait), so the rate may probe past the plateau.
func observeSaturated(c *fakeClock, l *Adaptive, class string, rps float64, n int) {
	step := time.Duration(float64(time.Second) / rps)
	s := l.state(class)
	for range n {
		c.Advance(step)
		s.mu.Lock()
		s.refill(c.Now())
		s.released = math.Min(s.released, s.next)
		s.mu.Unlock()
		l.Observe(class, false)
	}
}

func near(got, want, relTol float64) bool {
	return math.Abs(got-want) <= relTol*math.Abs(want)+1e-9
}

func TestAdaptiveUnlimitedUntilFirstThrottle(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	ctx := context.Background()
	for range 1000 {
		if err := l.Wait(ctx, "read:Get"); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		l.Observe("read:Get", false)
	}
	if s := c.Sleeps(); len(s) != 0 {
		t.Fatalf("Wait slept %d times before any throttle, want 0", len(s))
	}
	st := l.Stats("read:Get")
	if st.Enabled || !math.IsInf(st.Rate, 1) || st.Successes != 1000 {
		t.Fatalf("Stats before a throttle = %+v, want not enabled, Rate +Inf, 1000 successes", st)
	}
	l.Observe("read:Get", true)
	st = l.Stats("read:Get")
	if !st.Enabled || math.IsInf(st.Rate, 0) || st.Throttles != 1 || st.Tokens != 0 {
		t.Fatalf("Stats after a throttle = %+v, want enabled with a finite rate and an empty bucket", st)
	}
	// The bucket starts empty: the next request waits one token's time.
	if err := l.Wait(ctx, "read:Get"); err != nil {
		t.Fatal(err)
	}
	want := time.Duration(float64(time.Second) / st.Rate)
	var slept time.Duration
	for _, d := range c.Sleeps() {
		slept += d
	}
	if (slept - want).Abs() > time.Microsecond {
		t.Fatalf("first Wait after the throttle slept %v, want %v in all", c.Sleeps(), want)
	}
}

// TestAdaptiveThrottleCutsRate: each throttle in a row multiplies the rate by
// Beta (the first one the measured rate, later ones the current rate), and the
// rate never goes below the minimum. (WithoutUndo: the cut arithmetic alone;
// the judging of cuts has its own tests in background_test.go.)
func TestAdaptiveThrottleCutsRate(t *testing.T) {
	cases := []struct {
		name      string
		rps       float64 // steady demand before the throttles
		minRate   float64 // 0: default
		throttles int
	}{
		{"100rps", 100, 0, 6},
		{"20rps", 20, 0, 10},
		{"2rps hits the 0.5 floor", 2, 0, 6},
		{"50rps with min 10", 50, 10, 8},
		{"0.4rps below the floor at once", 0.4, 0, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClock(true)
			opts := []AdaptiveOption{WithClock(c), WithoutUndo()}
			minRate := DefaultMinRate
			if tc.minRate > 0 {
				opts = append(opts, WithMinRate(tc.minRate))
				minRate = tc.minRate
			}
			l := NewAdaptive(opts...)
			observeAt(c, l, "w", tc.rps, int(10*tc.rps)+5, false) // 10 s of steady demand
			measured := l.Stats("w").MeasuredRate
			if !near(measured, tc.rps, 0.05) {
				t.Fatalf("measured rate %.3f after 10 s at %.1f rps", measured, tc.rps)
			}
			want := measured
			for i := range tc.throttles {
				l.Observe("w", true) // same instant: the measured rate does not move
				want *= Beta
				st := l.Stats("w")
				if !near(st.Rate, math.Max(want, minRate), 1e-9) {
					t.Fatalf("after throttle %d: rate %.6f, want max(%.6f, min %.2f)", i+1, st.Rate, want, minRate)
				}
				if st.Rate < minRate {
					t.Fatalf("rate %.6f below the minimum %.2f", st.Rate, minRate)
				}
				want = st.Rate
			}
		})
	}
}

// TestAdaptiveRecoversAlongCubic: after a throttle at W, successes make the
// rate follow 0.4·(t−K)³ + W with K = ∛(W·(1−β)/0.4): 0.7·W at once, back to
// W at K, convex growth past it; always capped at twice the measured rate.
func TestAdaptiveRecoversAlongCubic(t *testing.T) {
	for _, demand := range []float64{40, 100, 400} {
		t.Run(fmt.Sprintf("%.0frps", demand), func(t *testing.T) {
			c := newFakeClock(true)
			l := NewAdaptive(WithClock(c))
			observeAt(c, l, "w", demand, int(5*demand), false)
			l.Observe("w", true)
			t0 := c.Now()
			w := l.Stats("w").LastMaxRate
			cc := l.scaleAt(w)
			k := math.Cbrt(w * (1 - Beta) / cc)
			if got := l.Rate("w"); !near(got, Beta*w, 1e-9) {
				t.Fatalf("rate right after the throttle %.4f, want %.4f", got, Beta*w)
			}
			prevRate, prevStep := l.Rate("w"), 0.0
			for range int(3 * k * demand) {
				observeSaturated(c, l, "w", demand, 1)
				dt := c.Now().Sub(t0).Seconds()
				st := l.Stats("w")
				want := math.Min(cc*math.Pow(dt-k, 3)+w, 2*st.MeasuredRate)
				want = math.Max(want, DefaultMinRate)
				if !near(st.Rate, want, 1e-9) {
					t.Fatalf("at t0+%.3fs rate %.6f, want %.6f", dt, st.Rate, want)
				}
				step := st.Rate - prevRate
				if step < -1e-9 {
					t.Fatalf("at t0+%.3fs the rate fell from %.6f to %.6f on a success", dt, prevRate, st.Rate)
				}
				// Concave before K (steps shrink), convex after (steps grow).
				if dt < k-0.1 && prevStep > 0 && step > prevStep+1e-9 {
					t.Fatalf("at t0+%.3fs (before K=%.3f) step %.6f grew from %.6f", dt, k, step, prevStep)
				}
				if dt > k+0.1 && step+1e-9 < prevStep && st.Rate < 2*st.MeasuredRate-1e-9 {
					t.Fatalf("at t0+%.3fs (after K=%.3f) step %.6f shrank from %.6f", dt, k, step, prevStep)
				}
				prevRate, prevStep = st.Rate, step
			}
		})
	}
	t.Run("exactly W at K", func(t *testing.T) {
		c := newFakeClock(true)
		l := NewAdaptive(WithClock(c))
		observeAt(c, l, "w", 100, 500, false)
		l.Observe("w", true)
		t0 := c.Now()
		w := l.Stats("w").LastMaxRate
		k := time.Duration(math.Cbrt(w*(1-Beta)/ScaleConstant) * float64(time.Second))
		// Keep the measured rate high so the 2x cap does not bind, then land on K.
		observeAt(c, l, "w", 1000, int(k/time.Millisecond)-1, false)
		c.Advance(t0.Add(k).Sub(c.Now()))
		l.Observe("w", false)
		if got := l.Rate("w"); !near(got, w, 1e-6) {
			t.Fatalf("rate at K = %.6f, want W = %.6f", got, w)
		}
		observeSaturated(c, l, "w", 1, 1)
		if got := l.Rate("w"); !near(got, w+ScaleConstant, 1e-6) {
			t.Fatalf("rate at K+1s = %.6f, want W+0.4 = %.6f", got, w+ScaleConstant)
		}
	})
}

// TestAdaptiveHoldsThePlateauWhileDemandIsLow: past the plateau, successes
// of a class whose demand does not fill its rate (tokens banked) do not
// raise the rate above the last throttled rate; once demand fills it,
// probing resumes from the plateau, along the convex part of the curve.
func TestAdaptiveHoldsThePlateauWhileDemandIsLow(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	observeAt(c, l, "w", 20, 100, false)
	l.Observe("w", true)
	w := l.Stats("w").LastMaxRate
	k := time.Duration(math.Cbrt(w*(1-Beta)/ScaleConstant) * float64(time.Second))
	// Demand at the plateau's rate for 10·K: the bucket never empties.
	observeAt(c, l, "w", w, int(10*k.Seconds()*w), false)
	if got := l.Rate("w"); !near(got, w, 1e-6) {
		t.Fatalf("rate after 10·K of low demand = %.6f, want the plateau W = %.6f", got, w)
	}
	// Demand fills the rate for one second: the curve grows from W by C·1³,
	// not from where 11·K past the throttle would put it.
	observeSaturated(c, l, "w", w, int(w))
	if got, want := l.Rate("w"), w+l.scaleAt(w); !near(got, want, 0.005) {
		t.Fatalf("rate one saturated second later = %.6f, want about W+C = %.6f", got, want)
	}
}

// TestScaleConstantShrinksAtLowRates: the default C is 0.4 from
// ScaleReferenceRate up and proportionally smaller below; WithScaleConstant
// fixes it at every rate.
func TestScaleConstantShrinksAtLowRates(t *testing.T) {
	l := NewAdaptive()
	for _, c := range []struct{ w, want float64 }{{100, 0.4}, {40, 0.4}, {20, 0.2}, {10, 0.1}, {0.1, 0.4 * DefaultMinRate / 40}} {
		if got := l.scaleAt(c.w); !near(got, c.want, 1e-12) {
			t.Errorf("default C at %g rps = %g, want %g", c.w, got, c.want)
		}
	}
	// An initial rate that was never throttled probes with the configured C.
	c := newFakeClock(true)
	init := NewAdaptive(WithClock(c), WithInitialRate(10))
	observeSaturated(c, init, "w", 10, 10)
	if got := init.Rate("w"); !near(got, 10+ScaleConstant, 1e-6) {
		t.Errorf("initial rate 10 after one saturated second = %.6f, want 10+C = %.6f", got, 10+ScaleConstant)
	}
	fixed := NewAdaptive(WithScaleConstant(0.4))
	if got := fixed.scaleAt(10); got != 0.4 {
		t.Errorf("WithScaleConstant(0.4) at 10 rps = %g, want 0.4", got)
	}
}

func TestAdaptiveMaxRate(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c), WithMaxRate(15))
	observeAt(c, l, "w", 100, 500, false)
	if st := l.Stats("w"); st.Enabled {
		t.Fatalf("WithMaxRate alone switched limiting on: %+v", st)
	}
	l.Observe("w", true) // 0.7·100 = 70, capped at 15
	if got := l.Rate("w"); got != 15 {
		t.Fatalf("rate after a throttle %.3f, want the cap 15", got)
	}
	observeAt(c, l, "w", 100, 3000, false)
	if got := l.Rate("w"); got != 15 {
		t.Fatalf("rate after 30 s of successes %.3f, want the cap 15", got)
	}
}

// TestAdaptiveRateBoundsProperty: whatever the sequence of outcomes and
// gaps, a limited class's rate is finite and within [min, max], and its bank
// never exceeds max(rate, 1) tokens.
func TestAdaptiveRateBoundsProperty(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 11))
		minRate := 0.1 + 5*r.Float64()
		maxRate := math.Inf(1)
		opts := []AdaptiveOption{WithMinRate(minRate)}
		if r.IntN(2) == 0 {
			maxRate = minRate + 200*r.Float64()
			opts = append(opts, WithMaxRate(maxRate))
		}
		if r.IntN(3) == 0 {
			opts = append(opts, WithInitialRate(1000*r.Float64()+0.01))
		}
		c := newFakeClock(true)
		l := NewAdaptive(append(opts, WithClock(c))...)
		pThrottle := r.Float64() * 0.5
		for i := range 400 {
			// Gaps from microseconds to minutes.
			c.Advance(time.Duration(math.Exp(r.Float64()*18) * float64(time.Microsecond)))
			l.Observe("c", r.Float64() < pThrottle)
			st := l.Stats("c")
			if !st.Enabled {
				continue
			}
			if math.IsNaN(st.Rate) || math.IsInf(st.Rate, 0) || st.Rate < minRate || st.Rate > maxRate {
				t.Fatalf("seed %d step %d: rate %v outside [%v, %v]", seed, i, st.Rate, minRate, maxRate)
			}
			if st.Tokens > math.Max(st.Rate, 1)+1e-9 {
				t.Fatalf("seed %d step %d: %v tokens banked at rate %v", seed, i, st.Tokens, st.Rate)
			}
		}
	}
}

// TestAdaptiveWaitPaces: once limited, Wait lets a full bucket through at
// once and then one request per 1/rate.
func TestAdaptiveWaitPaces(t *testing.T) {
	for _, rps := range []float64{0.5, 1, 7.5, 100, 1000} {
		t.Run(fmt.Sprint(rps), func(t *testing.T) {
			c := newFakeClock(true)
			l := NewAdaptive(WithClock(c), WithInitialRate(rps))
			capacity := bank(rps)
			n := int(capacity) + int(math.Ceil(10*rps))
			start := c.Now()
			for i := range n {
				if err := l.Wait(context.Background(), "c"); err != nil {
					t.Fatalf("Wait %d: %v", i, err)
				}
				if i < int(capacity) && c.Now() != start {
					t.Fatalf("Wait %d slept although the bucket started with %.0f tokens", i, capacity)
				}
			}
			want := (float64(n) - capacity) / rps
			if got := c.Now().Sub(start).Seconds(); math.Abs(got-want) > 1e-6*want+1e-6 {
				t.Fatalf("%d Waits at %v rps took %.6fs, want %.6fs", n, rps, got, want)
			}
			for _, d := range c.Sleeps() {
				if d > MaxSleepSlice {
					t.Fatalf("a single sleep of %s, longer than MaxSleepSlice", d)
				}
			}
		})
	}
}

// A limited class banks at most a quarter of a second of its rate: after
// ten idle seconds at 10 a second, a clump of 10 requests sends 2 at once
// and paces the rest (a second's worth banked sent a stage's clumps at
// once into the service's empty bucket).
func TestAdaptiveBanksAQuarterOfASecond(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c), WithInitialRate(10))
	l.Observe("c", false) // limited at 10 a second from here on
	c.Advance(10 * time.Second)
	start := c.Now()
	for i := range 10 {
		if err := l.Wait(context.Background(), "c"); err != nil {
			t.Fatal(err)
		}
		if slept := c.Now() != start; slept != (i >= 2) {
			t.Fatalf("request %d of a clump of 10 after 10 idle seconds: slept %v, want only from the third on", i+1, slept)
		}
	}
	if got, want := c.Now().Sub(start), 750*time.Millisecond; got < want-time.Millisecond || got > want+time.Millisecond {
		t.Fatalf("the clump took %v, want %v (7.5 tokens at 10 a second after 2.5 banked)", got, want)
	}
}

func TestAdaptiveClassesIndependent(t *testing.T) {
	c := newFakeClock(true)
	// Without slow start: this test sends 500 requests without answers.
	l := NewAdaptive(WithClock(c), WithInitialWindow(-1))
	observeAt(c, l, "write:CreateLoadBalancer", 20, 100, false)
	observeAt(c, l, "read:GetLoadBalancerAttribute", 50, 100, false)
	for range 3 {
		l.Observe("write:CreateLoadBalancer", true)
	}
	if st := l.Stats("read:GetLoadBalancerAttribute"); st.Enabled || st.Throttles != 0 || !math.IsInf(st.Rate, 1) {
		t.Fatalf("throttles of another class changed read's state: %+v", st)
	}
	before := len(c.Sleeps())
	for range 500 {
		if err := l.Wait(context.Background(), "read:GetLoadBalancerAttribute"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.Sleeps()) - before; n != 0 {
		t.Fatalf("Wait on an unthrottled class slept %d times", n)
	}
	w := l.Stats("write:CreateLoadBalancer")
	observeAt(c, l, "read:GetLoadBalancerAttribute", 50, 10, true)
	observeAt(c, l, "read:GetLoadBalancerAttribute", 50, 10, false)
	w2 := l.Stats("write:CreateLoadBalancer")
	if w.Rate != w2.Rate || w.LastMaxRate != w2.LastMaxRate || w.Throttles != w2.Throttles || w.Successes != w2.Successes {
		t.Fatalf("read's outcomes changed write's state: %+v -> %+v", w, w2)
	}
	if got := l.Classes(); len(got) != 2 || got[0] != "read:GetLoadBalancerAttribute" || got[1] != "write:CreateLoadBalancer" {
		t.Fatalf("Classes() = %q", got)
	}
	if st := l.Stats("never-seen"); st.Enabled || !math.IsInf(st.Rate, 1) {
		t.Fatalf("Stats of an unknown class = %+v", st)
	}
}

// TestAdaptiveWaitCancel: a waiter whose ctx is cancelled returns promptly
// with a *WaitError wrapping context.Canceled, and its slot goes to the next
// waiter.
func TestAdaptiveWaitCancel(t *testing.T) {
	c := newFakeClock(false)
	l := NewAdaptive(WithClock(c), WithInitialRate(0.5)) // one token, then one per 2 s
	if err := l.Wait(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- l.Wait(ctx, "c") }()
	c.waitSleepers(t, 1)
	cancelled := time.Now()
	cancel()
	var err error
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return within 10 s of real time after cancel")
	}
	if el := time.Since(cancelled); el > time.Second {
		t.Errorf("Wait returned %s after cancel", el)
	}
	var we *WaitError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &we) || we.Class != "c" || we.Predicted {
		t.Fatalf("Wait after cancel = %v, want a *WaitError for class c wrapping context.Canceled", err)
	}
	if got := l.Stats("c").Tokens; got != 0 {
		t.Fatalf("tokens after the cancelled waiter gave back its slot = %v, want 0", got)
	}
	// The next waiter needs 2 s (one token), not 4 s.
	done := make(chan error, 1)
	go func() { done <- l.Wait(context.Background(), "c") }()
	c.waitSleepers(t, 1)
	c.Advance(time.Second)
	c.waitSleepers(t, 1)
	c.Advance(time.Second)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next waiter did not get the cancelled waiter's slot")
	}
	// An already-cancelled ctx fails before taking a slot.
	if err := l.Wait(ctx, "c"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled ctx = %v", err)
	}
}

func TestAdaptiveWaitDeadline(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c), WithInitialRate(1))
	if err := l.Wait(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	short := deadlineCtx{context.Background(), c.Now().Add(500 * time.Millisecond)}
	err := l.Wait(short, "c")
	var we *WaitError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &we) || !we.Predicted {
		t.Fatalf("Wait with a deadline before the next slot = %v, want a predicted DeadlineExceeded", err)
	}
	if n := len(c.Sleeps()); n != 0 {
		t.Fatalf("Wait slept %d times before refusing", n)
	}
	if got := l.Stats("c").Tokens; got != 0 {
		t.Fatalf("tokens after a refused wait = %v, want 0 (slot given back)", got)
	}
	long := deadlineCtx{context.Background(), c.Now().Add(1500 * time.Millisecond)}
	if err := l.Wait(long, "c"); err != nil {
		t.Fatalf("Wait with a deadline after the next slot = %v", err)
	}
}

// TestAdaptiveWaitersFIFO: waiters are served in arrival order, one per
// token, without a thundering herd.
func TestAdaptiveWaitersFIFO(t *testing.T) {
	c := newFakeClock(false)
	l := NewAdaptive(WithClock(c), WithInitialRate(1))
	if err := l.Wait(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	const n = 6
	order := make(chan int, n)
	for i := range n {
		go func() {
			if err := l.Wait(context.Background(), "c"); err != nil {
				t.Error(err)
			}
			order <- i
		}()
		c.waitSleepers(t, i+1) // i+1 sleepers: waiter i holds ticket i
	}
	for step := range n {
		c.Advance(time.Second)
		select {
		case got := <-order:
			if got != step {
				t.Fatalf("second %d served waiter %d, want %d", step+1, got, step)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("second %d served nobody", step+1)
		}
		c.waitSleepers(t, n-step-1)
		select {
		case got := <-order:
			t.Fatalf("second %d served a second waiter (%d)", step+1, got)
		default:
		}
	}
}

func TestAdaptiveOnChange(t *testing.T) {
	type ev struct {
		rate   float64
		reason string
	}
	var events []ev
	c := newFakeClock(true)
	var l *Adaptive
	l = NewAdaptive(WithClock(c), WithOnChange(func(class string, rate float64, reason string) {
		if class != "c" {
			t.Errorf("hook called for class %q", class)
		}
		if got := l.Rate(class); got != rate { // the hook runs outside the lock
			t.Errorf("hook rate %v, Rate() %v", rate, got)
		}
		events = append(events, ev{rate, reason})
	}))
	observeAt(c, l, "c", 20, 100, false)
	if len(events) != 0 {
		t.Fatalf("events before a throttle: %v", events)
	}
	l.Observe("c", true)
	if len(events) != 1 || events[0].reason != ReasonThrottle || !near(events[0].rate, Beta*l.Stats("c").LastMaxRate, 1e-9) {
		t.Fatalf("events after a throttle: %+v", events)
	}
	observeAt(c, l, "c", 20, 200, false)
	probes := 0
	for i, e := range events[1:] {
		if e.reason != ReasonProbe || e.rate < events[i].rate*1.1-1e-9 {
			t.Fatalf("event %d after recovery = %+v (previous %+v), want a probe 10%% higher", i+1, e, events[i])
		}
		probes++
	}
	if probes == 0 {
		t.Fatal("no probe event during 10 s of successes")
	}
	n := len(events)
	observeAt(c, l, "c", 1, 10, false)
	if len(events) == n || events[len(events)-1].reason != ReasonDemand || events[len(events)-1].rate >= events[n-1].rate {
		t.Fatalf("events after demand fell to 1 rps: %+v", events[n-1:])
	}
}

// TestAdaptiveConcurrent hammers one limiter from many goroutines on the
// real clock with rates high enough that no sleep exceeds a millisecond or
// so; run it with -race.
func TestAdaptiveConcurrent(t *testing.T) {
	l := NewAdaptive(WithInitialRate(50000), WithMinRate(20000))
	classes := []string{"a", "b", "c"}
	const goroutines, iters = 8, 200
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, cl := range classes {
				_ = l.Stats(cl)
			}
			_ = l.Classes()
		}
	}()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range iters {
				cl := classes[(g+i)%len(classes)]
				if err := l.Wait(context.Background(), cl); err != nil {
					t.Error(err)
					return
				}
				l.Observe(cl, r.IntN(20) == 0)
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	var total uint64
	for _, cl := range classes {
		st := l.Stats(cl)
		total += st.Throttles + st.Successes
		if st.Rate < 20000 {
			t.Errorf("class %s rate %v below the minimum", cl, st.Rate)
		}
	}
	if total != goroutines*iters {
		t.Fatalf("observed %d outcomes, want %d", total, goroutines*iters)
	}
}

func TestHalfSecondBucket(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want int64
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(0, 499_999_999), 0},
		{time.Unix(0, 500_000_000), 1},
		{time.Unix(10, 250_000_000), 20},
		{time.Unix(0, -1), -1},
		{time.Unix(-1, 0), -2},
		{time.Unix(-1, 1), -2},
	} {
		if got := halfSecondBucket(tc.t); got != tc.want {
			t.Errorf("halfSecondBucket(%v) = %d, want %d", tc.t.UnixNano(), got, tc.want)
		}
	}
}

// Before its first throttle a class has a slow start: at most
// DefaultInitialWindow requests await their answers at once, and every
// answer that is not a throttle lets one more go.
func TestAdaptiveSlowStart(t *testing.T) {
	c := newFakeClock(false)
	l := NewAdaptive(WithClock(c))
	ctx := context.Background()
	for range DefaultInitialWindow {
		if err := l.Wait(ctx, "w"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.Sleeps()); n != 0 {
		t.Fatalf("the first %d requests slept %d times", DefaultInitialWindow, n)
	}
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx, "w") }()
	c.waitSleepers(t, 1) // the 11th waits for an answer
	select {
	case err := <-done:
		t.Fatalf("request %d went before any answer: %v", DefaultInitialWindow+1, err)
	default:
	}
	l.Observe("w", false) // one answer: the window grows to 10.5 with 9 awaiting
	c.Advance(slowStartPoll)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Off: unlimited until the first throttle, as aws-sdk-go-v2.
	off := NewAdaptive(WithClock(c), WithInitialWindow(-1))
	before := len(c.Sleeps())
	for range 100 {
		if err := off.Wait(ctx, "w"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.Sleeps()) - before; n != 0 {
		t.Fatalf("without slow start 100 requests slept %d times", n)
	}
}

// The slow start's window grows by half per round trip, not TCP's
// doubling: after a first round of 10 answered, 15 requests go at once and
// the 16th waits for an answer (the round in which a service's burst runs
// out is thrown at its empty bucket whole).
func TestAdaptiveSlowStartGrowsByHalfPerRound(t *testing.T) {
	c := newFakeClock(false)
	l := NewAdaptive(WithClock(c))
	// A deadline of now: a request the window holds gives up at once
	// instead of waiting for an answer.
	now := clockDeadline{context.Background(), c.Now()}
	goes := func() bool {
		err := l.Wait(now, "w")
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
		return err == nil
	}
	round := func(n int) {
		t.Helper()
		for i := range n {
			if !goes() {
				t.Fatalf("request %d of a round of %d was held", i+1, n)
			}
		}
		if goes() {
			t.Fatalf("request %d after a round of %d went before an answer", n+1, n)
		}
	}
	round(DefaultInitialWindow)
	for range DefaultInitialWindow {
		l.Observe("w", false)
	}
	round(15)
	l.Observe("w", false) // half a request more: a window of 15.5, two go
	round(2)
	if n := len(c.Sleeps()); n != 0 {
		t.Fatalf("Wait slept %d times", n)
	}
}

// A throttle before any measuring bucket has ended cuts from the rate the
// service accepted so far (successes per second since the class started,
// over at least a second), not from an unknown measured rate of 0 down to
// the floor; and only once the class has had minEvidence answers. A cut
// being judged goes no lower than half the answer rate before it.
func TestAdaptiveColdThrottleCutsFromAcceptedRate(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	for range minEvidence - 2 {
		l.Observe("w", false) // successes at one instant: a burst
	}
	l.Observe("w", true) // too few answers yet to judge a cut on
	if st := l.Stats("w"); st.Enabled {
		t.Fatalf("cut after %d answers: %+v", minEvidence-1, st)
	}
	l.Observe("w", true)
	st := l.Stats("w")
	accepted := float64(minEvidence - 2)
	if !st.Enabled || !near(st.LastMaxRate, accepted, 1e-9) || !near(st.Rate, accepted*Beta, 1e-9) {
		t.Fatalf("after a cold throttle: %+v, want LastMaxRate %.0f and Rate %.1f", st, accepted, accepted*Beta)
	}
	// Half the answers throttled: the cut stops at half the answer rate.
	c2 := newFakeClock(true)
	l2 := NewAdaptive(WithClock(c2))
	for i := range minEvidence {
		l2.Observe("w", i%2 == 1)
	}
	if st := l2.Stats("w"); !st.Enabled || !near(st.Rate, float64(minEvidence)/2, 1e-9) {
		t.Fatalf("half throttled: %+v, want the rate at half the %d answers a second", st, minEvidence)
	}
}

// Pause holds every request of the class for the service's retry delay,
// not only the throttled one's retry: a limited class's next send slot moves
// by d; a class not limited yet holds its requests until d has passed and
// then starts its slow start again from one request. d is capped at
// MaxPause.
func TestAdaptivePauseHoldsTheClass(t *testing.T) {
	ctx := context.Background()
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c), WithInitialRate(10))
	for range 10 { // the bucket's 10 tokens
		if err := l.Wait(ctx, "w"); err != nil {
			t.Fatal(err)
		}
	}
	start := c.Now()
	l.Observe("w", true)
	l.Pause("w", 500*time.Millisecond)
	if err := l.Wait(ctx, "w"); err != nil {
		t.Fatal(err)
	}
	// No cut (too few answers yet): the pause, then one slot at 10/s.
	if got, want := c.Now().Sub(start), 600*time.Millisecond; got < want-time.Millisecond || got > want+10*time.Millisecond {
		t.Errorf("limited: the next request went after %s, want %s (the pause, then a slot)", got, want)
	}

	cc := newFakeClock(false)
	cold := NewAdaptive(WithClock(cc))
	for range 3 {
		if err := cold.Wait(ctx, "w"); err != nil {
			t.Fatal(err)
		}
	}
	cold.Observe("w", false)
	cold.Observe("w", false)
	start = cc.Now()
	cold.Observe("w", true) // not a cut yet: too few answers
	cold.Pause("w", 300*time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- cold.Wait(ctx, "w") }()
	cc.waitSleepers(t, 1)
	select {
	case err := <-done:
		t.Fatalf("not limited: a request went during the pause: %v", err)
	default:
	}
	cc.Advance(300 * time.Millisecond)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := cc.Now().Sub(start); got != 300*time.Millisecond {
		t.Errorf("not limited: the next request went after %s, want the pause's 300ms", got)
	}
	if st := cold.Stats("w"); st.Enabled {
		t.Errorf("a pause switched limiting on: %+v", st)
	}
	// Slow start again from one request: the second waits for an answer.
	go func() { done <- cold.Wait(ctx, "w") }()
	cc.waitSleepers(t, 1)
	select {
	case err := <-done:
		t.Fatalf("a second request went before the first one's answer after the pause: %v", err)
	default:
	}
	cold.Observe("w", false)
	cc.Advance(slowStartPoll)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	capped := NewAdaptive(WithClock(c))
	start = c.Now()
	capped.Pause("w", time.Hour)
	if err := capped.Wait(ctx, "w"); err != nil {
		t.Fatal(err)
	}
	if got := c.Now().Sub(start); got < MaxPause || got > MaxPause+10*time.Millisecond {
		t.Errorf("a pause of an hour held the class %s, want MaxPause", got)
	}
}

// clockDeadline is a context whose deadline is t on a test clock (a
// context.WithDeadline is wall time).
type clockDeadline struct {
	context.Context
	t time.Time
}

func (c clockDeadline) Deadline() (time.Time, bool) { return c.t, true }

// Before a class is limited, Wait does not sleep past ctx's deadline: a
// pause that ends after it gives up at once (Predicted), and a full slow
// start window gives up at the deadline. (It slept up to a second past it,
// and a wait bounded on a test clock ended up to 1.2 s late.)
func TestAdaptiveWaitKeepsTheDeadlineBeforeLimiting(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	l.Pause("w", 2*time.Second)
	start := c.Now()
	err := l.Wait(clockDeadline{context.Background(), start.Add(time.Second)}, "w")
	var we *WaitError
	if !errors.As(err, &we) || !we.Predicted || !errors.Is(err, context.DeadlineExceeded) || c.Now() != start {
		t.Fatalf("a pause past the deadline: Wait = %v after %v, want a predicted *WaitError at once", err, c.Now().Sub(start))
	}

	l2 := NewAdaptive(WithClock(c))
	for range DefaultInitialWindow {
		if err := l2.Wait(context.Background(), "w"); err != nil {
			t.Fatal(err)
		}
	}
	start = c.Now()
	err = l2.Wait(clockDeadline{context.Background(), start.Add(12 * time.Millisecond)}, "w") // no answer comes
	if !errors.As(err, &we) || we.Predicted || !errors.Is(err, context.DeadlineExceeded) || c.Now().Sub(start) != 12*time.Millisecond {
		t.Fatalf("a full slow start: Wait = %v after %v, want a *WaitError at the deadline, 12ms", err, c.Now().Sub(start))
	}
}

// TestAPlateauIsTheMiddleOfMeasuredAndAccepted: with default options, a
// cut's plateau (the rate its curve climbs back to) is the middle of the
// rate measured at the throttle and the rate the service accepted since
// the last cut, when that is lower (the measured rate overshoots the limit
// by what the service banked while the class climbed back), and at most
// sameCeiling below the measured rate (an accepted rate far below it is
// the service's full bucket wasting tokens, or the class's demand); when
// the accepted rate is not lower (the demand fell), the measured rate
// stands.
func TestAPlateauIsTheMiddleOfMeasuredAndAccepted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		climb [2]float64 // rates after the cut, for secs seconds each
		secs  [2]float64
		want  func(measured, accepted float64) float64
	}{
		{"overshoot", [2]float64{10, 14}, [2]float64{6, 1}, func(m, a float64) float64 { return (m + a) / 2 }},
		{"far below", [2]float64{6, 14}, [2]float64{6, 1}, func(m, a float64) float64 { return (1 - sameCeiling) * m }},
		{"demand fell", [2]float64{14, 8}, [2]float64{2, 2}, func(m, a float64) float64 { return m }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClock(true)
			l := NewAdaptive(WithClock(c))
			observeAt(c, l, "w", 11, 110, false)
			l.Observe("w", true) // the first cut
			n := 0
			for i, r := range tc.climb {
				k := int(r * tc.secs[i])
				observeSaturated(c, l, "w", r, k)
				n += k
			}
			acc := float64(n) / (tc.secs[0] + tc.secs[1])
			st := l.Stats("w")
			measured := math.Min(st.MeasuredRate, st.Rate)
			l.Observe("w", true)
			got, want := l.Stats("w").LastMaxRate, tc.want(measured, acc)
			t.Logf("measured %.3f at the throttle, %.3f accepted since the last cut: plateau %.3f", measured, acc, got)
			if !near(got, want, 1e-6) {
				t.Errorf("plateau %.3f after a cut measured at %.3f with %.3f accepted since the last cut, want %.3f", got, measured, acc, want)
			}
			// Each case is the case it names.
			if mid, bound := (measured+acc)/2, (1-sameCeiling)*measured; tc.name == "overshoot" && !(acc < measured && mid > bound) ||
				tc.name == "far below" && !(mid < bound) || tc.name == "demand fell" && !(acc >= measured) {
				t.Fatalf("measured %.3f, accepted %.3f: not the case %q", measured, acc, tc.name)
			}
		})
	}
}

// queuedSends starts four requests of class "w" at once on clock through
// l (limited at 2/s, one token banked: one goes at once, three wait for
// their tokens), runs act after 100 ms, and returns the times of the sends
// since the start.
func queuedSends(clock *simClock, l *Adaptive, act func()) []time.Duration {
	start := clock.Now()
	var mu sync.Mutex
	var sends []time.Duration
	for range 4 {
		clock.Go(func() {
			if err := l.Wait(context.Background(), "w"); err != nil {
				panic(err)
			}
			mu.Lock()
			sends = append(sends, clock.Now().Sub(start))
			mu.Unlock()
		})
	}
	clock.Go(func() {
		_ = clock.Sleep(context.Background(), 100*time.Millisecond)
		act()
	})
	clock.Wait()
	slices.Sort(sends)
	return sends
}

// A pause holds a class whose requests are queued, not only one with a
// banked token: no request goes before it ends. (It debited from the next
// ticket, so it held only the requests that came after the queue, and the
// queue went out into the service's empty bucket.)
func TestAdaptivePauseHoldsTheQueue(t *testing.T) {
	clock := newSimClock()
	l := NewAdaptive(WithClock(clock), WithInitialRate(2))
	sends := queuedSends(clock, l, func() { l.Pause("w", time.Second) })
	if len(sends) != 4 || sends[0] != 0 {
		t.Fatalf("sends at %v, want four, the first at once", sends)
	}
	// The pause ends at 1.1 s; then one token at 2/s each.
	if sends[1] < 1600*time.Millisecond {
		t.Errorf("sends at %v: the queue's first went at %v, within the pause that ended at 1.1s and its next slot", sends, sends[1])
	}
}

// A cut takes back the tokens of waiters still asleep: a rate that rose
// while they slept covered them before they woke, and each of them sent
// after the cut into the service's empty bucket is throttled and cuts again
// as a new episode (BenchmarkPipeline).
func TestAdaptiveCutTakesBackTheTokensOfSleepingWaiters(t *testing.T) {
	clock := newSimClock()
	// WithoutUndo: the cut is the class's own (a judged one leaves them).
	l := NewAdaptive(WithClock(clock), WithInitialRate(2), WithoutUndo())
	var cutRate float64
	sends := queuedSends(clock, l, func() {
		// The rate rises to 20/s (a probe): the three waiters, asleep until
		// 0.5 s and 1 s, are covered by 0.25 s.
		s := l.state("w")
		s.mu.Lock()
		s.refill(clock.Now())
		s.fill = 20
		s.mu.Unlock()
		_ = clock.Sleep(context.Background(), 200*time.Millisecond)
		l.Observe("w", true) // at 0.3 s
		cutRate = l.Rate("w")
	})
	if len(sends) != 4 || cutRate >= 20 {
		t.Fatalf("sends at %v, rate after the cut %v: want four sends and a cut", sends, cutRate)
	}
	// After the cut at 0.3 s the first waiter needs a whole token at the
	// new rate.
	if next := 300*time.Millisecond + time.Duration(float64(time.Second)/cutRate); sends[1] < next-time.Millisecond {
		t.Errorf("sends at %v: after the cut at 0.3s to %.2f/s a waiter went at %v, before its token at %v", sends, cutRate, sends[1], next)
	}
}
