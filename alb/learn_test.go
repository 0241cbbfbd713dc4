package alb

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/waiter"
)

// With history, the schedule polls sparsely (steps of at most MaxDelay,
// none at once) up to the earliest recent completion, every MinDelay up to
// the latest, then backs off with the lateness.
func TestLearnedScheduleIsSparseThenDense(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second, MaxWait: 15 * time.Minute}
	if s := l.schedule("create/Active", w); s.learned || s.initial(w.MaxWait) != 0 || s.delayFunc() != nil {
		t.Fatal("without history the schedule must be the plain one (poll at once, no Delay hook)")
	}
	for _, d := range []time.Duration{100 * time.Second, 95 * time.Second, 105 * time.Second} {
		l.record("create/Active", d, true)
	}
	s := l.schedule("create/Active", w)
	if s.lo != 95*time.Second || s.hi != 105*time.Second {
		t.Fatalf("bounds %s..%s, want 95s..105s", s.lo, s.hi)
	}
	// Walk the schedule as the poll loop does and collect the poll times.
	var polls []time.Duration
	at := s.initial(w.MaxWait)
	for i := 1; at < 130*time.Second; i++ {
		polls = append(polls, at)
		at += max(s.delay(i, at, w.MaxWait-at), w.MinDelay)
	}
	sparse := 0
	for i, p := range polls {
		if p < s.lo {
			sparse++
			if i > 0 && p-polls[i-1] > w.MaxDelay {
				t.Errorf("sparse step %s > MaxDelay", p-polls[i-1])
			}
		}
	}
	if polls[0] == 0 || sparse != 3 {
		t.Errorf("polls %v: want no poll at once and 3 sparse polls before 95s", polls)
	}
	for i := 1; i < len(polls); i++ {
		if polls[i] > s.lo && polls[i] <= s.hi && polls[i]-polls[i-1] > w.MinDelay {
			t.Errorf("gap %s before %s inside the window, want at most MinDelay", polls[i]-polls[i-1], polls[i])
		}
	}
	if !contains95(polls) {
		t.Errorf("polls %v: want a poll at the earliest completion, 95s", polls)
	}
	// Late: past hi+MinDelay the delay is half the lateness, within bounds.
	if d := s.delay(0, 125*time.Second, time.Hour); d != 10*time.Second {
		t.Errorf("delay 20s late = %s, want 10s", d)
	}
	if d := s.delay(0, 10*time.Minute, time.Hour); d != w.MaxDelay {
		t.Errorf("delay very late = %s, want MaxDelay", d)
	}
}

func contains95(ps []time.Duration) bool {
	for _, p := range ps {
		if p == 95*time.Second {
			return true
		}
	}
	return false
}

// Transitions that end within MinDelay are polled at once, as without
// history.
func TestLearnedQuickTransitionsPollAtOnce(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second, MaxWait: time.Minute}
	l.record("EnableDeletionProtection/Active", 0, true)
	if d := l.schedule("EnableDeletionProtection/Active", w).initial(w.MaxWait); d != 0 {
		t.Fatalf("initial delay %s, want 0", d)
	}
	// A first step beyond MaxWait does not delay the first poll.
	l.record("create/Active", 2*time.Minute, true)
	if d := l.schedule("create/Active", w).initial(20 * time.Second); d != 0 {
		t.Fatalf("initial delay %s past MaxWait, want 0", d)
	}
}

// The duration learned from a wait is the middle of the interval in which
// the transition ended; samples from dense polls are preferred to coarse
// ones; failed polls and failed waits teach nothing.
func TestScheduleRecordsCompletion(t *testing.T) {
	l := newLearner()
	w := WaitOptions{MinDelay: 2 * time.Second, MaxDelay: 30 * time.Second}
	s := l.schedule("k", w)
	s.saw(waiter.Poll{Elapsed: 30 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: 60 * time.Second, Verdict: waiter.Success})
	if lo, hi, ok := l.bounds("k"); !ok || lo != 45*time.Second || hi != lo {
		t.Fatalf("learned %s..%s (%v), want the coarse 45s", lo, hi, ok)
	}
	s = l.schedule("k", w)
	s.saw(waiter.Poll{Elapsed: 0, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: 57 * time.Second, Verdict: waiter.Continue})
	s.saw(waiter.Poll{Elapsed: 58 * time.Second, Verdict: waiter.Continue, Err: fmt.Errorf("throttled")})
	s.saw(waiter.Poll{Elapsed: 59 * time.Second, Verdict: waiter.Success})
	if lo, hi, ok := l.bounds("k"); !ok || lo != 58*time.Second || hi != lo {
		t.Fatalf("learned %s..%s (%v), want the fine 58s only", lo, hi, ok)
	}
	s = l.schedule("k3", w)
	s.saw(waiter.Poll{Elapsed: 30 * time.Second, Verdict: waiter.Failure})
	if _, _, ok := l.bounds("k3"); ok {
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
				l.record(fmt.Sprintf("kind-%d", (g*200+i)%100), time.Duration(i)*time.Second, i%2 == 0)
				l.bounds("kind-1")
			}
		}()
	}
	wg.Wait()
	if len(l.kinds) != learnKinds {
		t.Fatalf("%d kinds kept, want %d", len(l.kinds), learnKinds)
	}
	for k, h := range l.kinds {
		if h.n != learnSamples {
			t.Fatalf("%s holds %d samples, want %d", k, h.n, learnSamples)
		}
	}
	if learnKind(waitSpec{op: "wait", waiting: "Active"}) != "" || learnKind(waitSpec{op: "release", waiting: "deleted (job j-1)"}) != "release/deleted" {
		t.Fatal("learnKind must skip WaitUntilActive and drop job IDs")
	}
}
