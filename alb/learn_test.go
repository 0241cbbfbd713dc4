package alb

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/waiter"
)

// With history, the schedule polls sparsely (steps of at most MaxDelay,
// none at once) up to the window around the recent durations, every
// MinDelay inside it, then backs off with the lateness.
func TestLearnedScheduleIsSparseThenDense(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second, MaxWait: 15 * time.Minute}
	if s := l.schedule("create/Active", w); s.learned {
		t.Fatal("a kind without samples must not count as learned")
	}
	for _, d := range []time.Duration{100 * time.Second, 95 * time.Second, 105 * time.Second, 98 * time.Second, 102 * time.Second} {
		l.record("create/Active", d, true)
	}
	s := l.schedule("create/Active", w)
	// lo 95s, hi 105s, margin 2.5s (a quarter of the spread: 5 samples).
	if s.start != 92500*time.Millisecond || s.end != 107500*time.Millisecond {
		t.Fatalf("window %s..%s, want 92.5s..107.5s", s.start, s.end)
	}
	// Walk the schedule as the poll loop does and collect the poll times.
	var polls []time.Duration
	at := s.initial(w.MaxWait)
	for i := 1; at < 130*time.Second; i++ {
		polls = append(polls, at)
		at += max(s.delay(i, at, w.MaxWait-at), w.MinDelay)
	}
	want := []time.Duration{23375 * time.Millisecond, 46750 * time.Millisecond, 70125 * time.Millisecond, 93500 * time.Millisecond, 94500 * time.Millisecond}
	for i, p := range want {
		if polls[i] != p {
			t.Fatalf("polls %v: want them to start %v (no poll at once, 3 sparse steps, then dense from 93.5s)", polls, want)
		}
	}
	for i := 4; i < len(polls) && polls[i] <= s.end; i++ {
		if gap := polls[i] - polls[i-1]; gap > w.MinDelay {
			t.Errorf("gap %s before %s inside the window, want at most MinDelay", gap, polls[i])
		}
	}
	// Late: past the window the delay is a quarter of the lateness, within
	// bounds.
	if d := s.delay(0, s.end+20*time.Second, time.Hour); d != 5*time.Second {
		t.Errorf("delay 20s late = %s, want 5s", d)
	}
	if d := s.delay(0, 10*time.Minute, time.Hour); d != w.MaxDelay {
		t.Errorf("delay very late = %s, want MaxDelay", d)
	}
	// A narrow window is polled once, at its end.
	l.record("narrow", 10*time.Second, true)
	if n := l.schedule("narrow", w); n.initial(w.MaxWait) != 10*time.Second || n.first() != 10*time.Second {
		t.Errorf("narrow window: first poll at %s, want 10s", n.initial(w.MaxWait))
	}
}

// Without history, a wait that starts with its write polls first after
// MinDelay to 1.2 times it, then on a grid of MinDelay from its start
// until FallbackDelay has passed, then of FallbackDelay (shifted by a
// phase of up to a tenth of the step, drawn once per wait): a
// completion is learned at most about FallbackDelay late, within MinDelay
// in the first FallbackDelay. A wait of unknown
// start polls at once, then on the same ramp; with history the cap is
// MaxDelay again.
func TestFallbackRampsToFallbackDelay(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second, FallbackDelay: 5 * time.Second, MaxWait: 15 * time.Minute}
	for _, kind := range []string{"create/Active", "EnableDeletionProtection/Active", "release/released"} {
		for _, r := range []float64{0, 0.5, 0.999} {
			s := l.schedule(kind, w)
			s.rnd = func() float64 { return r }
			if d, want := s.initial(w.MaxWait), time.Second+time.Duration(r*0.2*float64(time.Second)); d != want {
				t.Errorf("%s rnd %v: first poll after %s, want %s", kind, r, d, want)
			}
			if s.delayFunc() == nil {
				t.Fatal("no Delay hook without history")
			}
			// The next point of the grid (of MinDelay, then of
			// FallbackDelay) after the poll, shifted by the wait's phase
			// (a tenth of the step times rnd).
			for _, c := range []struct{ elapsed, to, base time.Duration }{{1200 * time.Millisecond, 800 * time.Millisecond, time.Second},
				{3200 * time.Millisecond, 800 * time.Millisecond, time.Second}, {4900 * time.Millisecond, 100 * time.Millisecond, time.Second},
				{5600 * time.Millisecond, 4400 * time.Millisecond, 5 * time.Second}, {time.Minute + time.Second, 4 * time.Second, 5 * time.Second}} {
				want := c.to + time.Duration(float64(c.base)*0.1*r)
				if d := s.delayFunc()(1, c.elapsed, time.Hour); d != want {
					t.Errorf("%s rnd %v: delay after a poll at %s = %s, want %s", kind, r, c.elapsed, d, want)
				}
			}
			if d := s.delayFunc()(1000, time.Hour+time.Second, time.Hour); d < 4*time.Second || d > 4500*time.Millisecond {
				t.Errorf("delay after poll 1000 (at 1h0m1s) = %s, want to the next point of the FallbackDelay grid", d)
			}
			if s.maxDelay() != 5*time.Second {
				t.Errorf("cap without history %s, want FallbackDelay", s.maxDelay())
			}
		}
	}
	// A first poll that would pass MaxWait is made at once.
	if d := l.schedule("create/Active", w).initial(time.Second); d != 0 {
		t.Errorf("first poll after %s with MaxWait 1s, want at once", d)
	}
	// Unknown start: at once, then the ramp.
	if s := l.schedule("", w); s.initial(w.MaxWait) != 0 || s.delayFunc() == nil || s.maxDelay() != 5*time.Second {
		t.Errorf("unknown start: initial %s, hook %v, cap %s; want at once, the ramp, 5s", s.initial(w.MaxWait), s.delayFunc() != nil, s.maxDelay())
	}
	// FallbackDelay stays within MinDelay and MaxDelay.
	if s := l.schedule("x/Active", WaitOptions{MinDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, FallbackDelay: 5 * time.Second}); s.fallback != 20*time.Millisecond {
		t.Errorf("fallback %s with MaxDelay 20ms, want 20ms", s.fallback)
	}
	// With history the cap is MaxDelay.
	l.record("create/Active", 100*time.Second, true)
	if s := l.schedule("create/Active", w); s.maxDelay() != w.MaxDelay {
		t.Errorf("cap with history %s, want MaxDelay", s.maxDelay())
	}
}

// Transitions that end within MinDelay are polled first at their window's
// end: at once when that is 0.
func TestLearnedQuickTransitionsPollAtTheirEnd(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second, MaxWait: time.Minute}
	l.record("EnableDeletionProtection/Active", 0, true)
	if d := l.schedule("EnableDeletionProtection/Active", w).initial(w.MaxWait); d != 0 {
		t.Fatalf("initial delay %s, want 0", d)
	}
	l.record("DisableDeletionProtection/Active", 300*time.Millisecond, true)
	if d := l.schedule("DisableDeletionProtection/Active", w).initial(w.MaxWait); d != 300*time.Millisecond {
		t.Fatalf("initial delay %s, want the learned 300ms", d)
	}
	// A first step beyond MaxWait does not delay the first poll.
	l.record("create/Active", 2*time.Minute, true)
	if d := l.schedule("create/Active", w).initial(20 * time.Second); d != 0 {
		t.Fatalf("initial delay %s past MaxWait, want 0", d)
	}
}

// The duration learned from a wait is the middle of the interval in which
// the transition ended; a fine sample replaces the coarse ones; a coarse
// one counts only without fine history or when the transition ended early;
// failed polls and failed waits teach nothing.
func TestScheduleRecordsCompletion(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: 2 * time.Second, MaxDelay: 30 * time.Second}
	bounds := func() (time.Duration, time.Duration) { lo, hi, _, _ := l.bounds("k"); return lo, hi }
	s := l.schedule("k", w)
	s.saw(waiter.Poll{Elapsed: 30 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: 60 * time.Second, Verdict: waiter.Success})
	if lo, hi := bounds(); lo != 45*time.Second || hi != lo {
		t.Fatalf("learned %s..%s, want the coarse 45s", lo, hi)
	}
	s = l.schedule("k", w)
	s.saw(waiter.Poll{Elapsed: 57 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: 58 * time.Second, Verdict: waiter.Continue, Err: fmt.Errorf("throttled")})
	s.saw(waiter.Poll{Elapsed: 59 * time.Second, Verdict: waiter.Success})
	if lo, hi := bounds(); lo != 58*time.Second || hi != lo {
		t.Fatalf("learned %s..%s, want the fine 58s only", lo, hi)
	}
	// Done at the first of several dense polls, after a sparse one: the
	// window starts one MinDelay earlier, until the next fine sample.
	l.record("w", 56*time.Second, true)
	l.record("w", 62*time.Second, true)
	s = l.schedule("w", w) // two samples: margin the whole spread, window 50s..68s in steps of 2s
	if s.start != 50*time.Second || s.end != 68*time.Second || s.step != 2*time.Second {
		t.Fatalf("window %s..%s in steps of %s, want 50s..68s and 2s", s.start, s.end, s.step)
	}
	s.saw(waiter.Poll{Elapsed: 30 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: s.first(), Verdict: waiter.Success})
	if lo, hi, _, _ := l.bounds("w"); lo != 48*time.Second || hi != 62*time.Second {
		t.Fatalf("learned %s..%s, want 48s..62s", lo, hi)
	}
	s = l.schedule("w", w)
	s.saw(waiter.Poll{Elapsed: 54 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: 55 * time.Second, Verdict: waiter.Success})
	if lo, hi, _, _ := l.bounds("w"); lo != 54500*time.Millisecond || hi != 62*time.Second {
		t.Fatalf("learned %s..%s, want 54.5s..62s (the coarse sample dropped)", lo, hi)
	}
	// A window narrower than two MinDelay is polled once; done there
	// teaches nothing new.
	s = l.schedule("k", w)
	s.saw(waiter.Poll{Elapsed: 30 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: s.first(), Verdict: waiter.Success})
	if lo, hi := bounds(); lo != 58*time.Second || hi != lo {
		t.Fatalf("learned %s..%s, want still 58s", lo, hi)
	}
	// Done at a sparse poll before the window: it got faster.
	s = l.schedule("k", w)
	s.saw(waiter.Poll{Elapsed: 20 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: 40 * time.Second, Verdict: waiter.Success})
	if lo, hi := bounds(); lo != 30*time.Second || hi != 58*time.Second {
		t.Fatalf("learned %s..%s, want 30s..58s", lo, hi)
	}
	s = l.schedule("k3", w)
	s.saw(waiter.Poll{Elapsed: 30 * time.Second, Verdict: waiter.Failure})
	if _, _, n, _ := l.bounds("k3"); n != 0 {
		t.Fatal("a failed wait taught a duration")
	}
}

// Memory is bounded (samples per kind, kinds per client) and the learner
// is safe for concurrent use.
func TestLearnerIsBoundedAndConcurrent(t *testing.T) {
	l := newLearner()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				l.record(fmt.Sprintf("kind-%d", (g*200+i)%100), time.Duration(i)*time.Second, i%5 != 0)
				l.bounds("kind-1")
			}
		}()
	}
	wg.Wait()
	if len(l.kinds) != learnKinds {
		t.Fatalf("%d kinds kept, want %d", len(l.kinds), learnKinds)
	}
	for k, h := range l.kinds {
		if len(h.s) == 0 || len(h.s) > learnSamples {
			t.Fatalf("%s holds %d samples, want 1..%d", k, len(h.s), learnSamples)
		}
	}
	if learnKind(waitSpec{op: "wait", waiting: "Active"}) != "" || learnKind(waitSpec{op: "create", waiting: "Active", unknownStart: true}) != "" || learnKind(waitSpec{op: "release", waiting: "deleted (job j-1)"}) != "release/deleted" {
		t.Fatal("learnKind must skip WaitUntilActive and resumed creates, and drop job IDs")
	}
}

// A configuration change without history of its own borrows the history of
// the other changes (the same Configuring transition), never of creates or
// releases; its own history, once it has some, replaces the borrowed one.
func TestChangeWithoutHistoryBorrowsOtherChanges(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second, FallbackDelay: 5 * time.Second, MaxWait: 15 * time.Minute}
	l.record("create/Active", 100*time.Second, true)
	l.record("release/released", 30*time.Second, true)
	if s := l.schedule("DisableDeletionProtection/Active", w); s.learned {
		t.Fatal("a change borrowed from a create or a release")
	}
	l.record("EnableDeletionProtection/Active", 2*time.Second, true)
	l.record("UpdateLoadBalancerAttribute/Active", 4*time.Second, true)
	s := l.schedule("DisableDeletionProtection/Active", w)
	if !s.learned || !s.fine {
		t.Fatal("a change did not borrow the other changes' history")
	}
	// lo 2s, hi 4s, two samples: margin the whole spread.
	if s.start != 0 || s.end != 6*time.Second {
		t.Fatalf("borrowed window %s..%s, want 0s..6s", s.start, s.end)
	}
	if d := s.initial(w.MaxWait); d >= 5*time.Second {
		t.Errorf("first poll after %s: no better than the fallback", d)
	}
	l.record("DisableDeletionProtection/Active", 10*time.Second, true)
	if s := l.schedule("DisableDeletionProtection/Active", w); s.start != 10*time.Second || s.end != 10*time.Second {
		t.Errorf("own history: window %s..%s, want 10s..10s", s.start, s.end)
	}
	if s := l.schedule("create/Active", w); s.start != 100*time.Second {
		t.Errorf("create window starts at %s, want its own 100s", s.start)
	}
}

// Without history, a wait that starts while others share the polls (a
// fleet's first wave) polls first after a quarter of MinDelay (jittered up
// to 1.2 times that); alone, after MinDelay. With history, the crowd
// changes nothing.
func TestCrowdWithoutHistoryPollsFirstSooner(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second, FallbackDelay: 5 * time.Second, MaxWait: 15 * time.Minute}
	for _, tc := range []struct {
		crowd int
		r     float64
		want  time.Duration
	}{
		{1, 0, time.Second}, {1, 0.5, 1100 * time.Millisecond},
		{2, 0, 250 * time.Millisecond}, {40, 0.5, 275 * time.Millisecond}, {40, 0.999, 299950 * time.Microsecond},
	} {
		s := l.schedule("create/Active", w)
		s.rnd = func() float64 { return tc.r }
		s.crowd = func() int { return tc.crowd }
		if d := s.initial(w.MaxWait); d != tc.want {
			t.Errorf("crowd %d, rnd %v: first poll after %s, want %s", tc.crowd, tc.r, d, tc.want)
		}
	}
	l.record("create/Active", 100*time.Second, true)
	s := l.schedule("create/Active", w)
	s.crowd = func() int { return 40 }
	if d := s.initial(w.MaxWait); d < 20*time.Second {
		t.Errorf("with history, a crowd polled first after %s, want the learned sparse step", d)
	}
}
