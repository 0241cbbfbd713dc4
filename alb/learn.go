package alb

import (
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/albkit/albkit/internal/waiter"
)

// The waiter that learns.
//
// A Client remembers how long its recent transitions took, per kind of wait
// (a create until Active, a change until it shows, a release until the
// instance is gone), and schedules the polls of the next wait of that kind
// from the shortest (lo) and longest (hi) of them. The window is [lo-m,
// hi+m] with a margin m of a quarter of hi-lo (up to all of it while there
// are fewer than five samples):
//
//   - before the window it polls sparsely: the time to the first dense poll
//     is cut into equal steps of at most MaxDelay, and the first poll comes
//     after the first step, not at once (a create read right after it is
//     sent is always Provisioning);
//   - in the window it polls densely: the window split evenly in steps of
//     MinDelay to twice that (the first poll one step into it; a window
//     narrower than two MinDelay is polled once, at its end), so the caller
//     learns of a completion inside the window less than two MinDelay late;
//   - past the window (a transition slower than any recent one), the delay
//     grows with the lateness, a quarter of it, from MinDelay up to
//     MaxDelay.
//
// Transitions that ended within MinDelay are polled first at the end of
// their window (at once when that is 0): MinDelay bounds the time between
// polls, not the first poll's, and a fleet of quick changes otherwise
// learns of each a whole MinDelay late. One not done there is polled again
// after as long again (doubling, at least an eighth of MinDelay apart)
// until MinDelay has passed, and every MinDelay from then on: the window's
// end is the middle of intervals (a first poll that finds a quick
// transition done teaches half its time), so it is often just short of
// the end, and a MinDelay there was the fleet benchmark's worst lag (its
// last lifecycle's release polled 150 ms after the delete, then a second
// later: about 1 s in 7 runs of 25; doubling: at most 0.49 s in 40).
//
// A configuration change without history of its own (the first
// DisableDeletionProtection of a Client, say) borrows the history of the
// other configuration changes, which wait on the same Configuring
// transition: the window spans all their samples. Creates and releases
// never borrow.
//
// Without any history for the kind, the fallback: the first poll after
// MinDelay (to 1.2 times it: jitter, so that the polls of a fleet started at
// once spread), none at once (the write was just sent), then every MinDelay
// until FallbackDelay has passed, and every FallbackDelay from then on
// (each stretched by up to a tenth): a short transition (a listener, a
// rule, a server group's change: seconds) is learned of within about
// MinDelay, a long one at most about FallbackDelay late, at a cost of a
// few more polls than FallbackDelay's pace in the first FallbackDelay (a
// doubling ramp, 1, 2, 4, 5 s, learned of a 5 s transition 2 s late: a
// stack's first apply, whose every stage waits on its slowest first
// resource, ran 1.3 times its minimum). While several waits share the polls (a
// fleet: see poll.go), the fallback polls every MinDelay instead: a poll
// costs a call per batch, not per wait, and the first wait of the kind to
// end teaches every other one at its next poll (a wait without history
// reads the history again before each poll), so a fleet's first wave
// learns of its completions within MinDelay, not FallbackDelay (measured:
// the fleet of 300 with issue 11's transitions ran 1.03 times its minimum,
// 1.14 with the doubling ramp and 1.07–1.10 with one poll every
// FallbackDelay). And a wait without history that starts while others
// share the polls polls first after a quarter of MinDelay (to 1.2 times
// that): the shared poll costs a call per batch, and a quick transition
// (200 ms) is then learned of at once by the whole first wave, instead of
// after MinDelay; in a pipeline of stages at their rate limits that second
// is never made up (measured: the fleet of 300 with 200 ms transitions ran
// 1.10–1.14 times its minimum with the first poll after MinDelay, 1.04–1.09
// with this). Polls are shared
// (poll.go): a fleet's first waits cost a call per batch of them, and in a
// fleet the first waits' lag is every later stage's (measured with 200 ms
// transitions: the first creates of a fleet of 300 waited out a 5 s first
// poll, so every later stage started 5 s late and the fleet ran 1.25 times
// its minimum). A wait whose start is unknown (no kind: WaitUntilActive, a
// resumed create) polls at once, as the instance may already be there, then
// on the same ramp.
//
// The duration learned from a finished wait is the middle of the interval
// in which the transition ended: between the last poll that saw it pending
// (or the start) and the poll that saw it done. When those polls were at
// most two MinDelay apart the sample is fine, and it replaces the coarse
// ones. A coarse sample is kept only while there is no fine one, or when
// the transition ended before the window (it got faster), or by the first
// of several polls of the window (it may have ended before: the window then
// starts one MinDelay earlier): it lowers lo until the next fine sample.
const (
	// learnSamples is how many recent durations are kept per kind.
	learnSamples = 16
	// learnKinds bounds the number of kinds a Client remembers.
	learnKinds = 64
)

// learner remembers recent transition durations per kind. It is safe for
// concurrent use; its memory is bounded by learnKinds × learnSamples.
type learner struct {
	mu    sync.Mutex
	kinds map[string]*history
}

// history holds the recent samples of one kind, oldest first.
type history struct {
	s []sample // at most learnSamples
}

// sample is one learned duration; fine when it is known to within one
// MinDelay.
type sample struct {
	d    time.Duration
	fine bool
}

func newLearner() *learner { return &learner{kinds: map[string]*history{}} }

// record adds the duration of a finished transition of kind. A fine
// sample drops the coarse ones.
func (l *learner) record(kind string, d time.Duration, fine bool) {
	if l == nil || kind == "" {
		return
	}
	d = max(d, 0)
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.kinds[kind]
	if h == nil {
		if len(l.kinds) >= learnKinds {
			return
		}
		h = &history{s: make([]sample, 0, learnSamples)}
		l.kinds[kind] = h
	}
	if fine {
		kept := h.s[:0]
		for _, x := range h.s {
			if x.fine {
				kept = append(kept, x)
			}
		}
		h.s = kept
	}
	if len(h.s) == learnSamples {
		copy(h.s, h.s[1:])
		h.s = h.s[:learnSamples-1]
	}
	h.s = append(h.s, sample{d: d, fine: fine})
}

// bounds returns the shortest and longest recent durations of kind, the
// number of samples (0: no history), and whether any is fine. lo is over
// every sample; hi over the fine ones when there are some.
func (l *learner) bounds(kind string) (lo, hi time.Duration, n int, fine bool) {
	if l == nil || kind == "" {
		return 0, 0, 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.kinds[kind]
	if h == nil || len(h.s) == 0 {
		return 0, 0, 0, false
	}
	for _, x := range h.s {
		fine = fine || x.fine
	}
	lo, hi = h.s[0].d, time.Duration(-1)
	for _, x := range h.s {
		lo = min(lo, x.d)
		if x.fine == fine {
			hi = max(hi, x.d)
		}
	}
	return lo, max(hi, lo), len(h.s), fine
}

// isChange reports whether kind is a configuration change waited until
// the resource is ready again (Active, Available, Running; not a create).
func isChange(kind string) bool {
	k := kind
	if f := familyOf(kind); f != "" {
		k = kind[len(f)+1:]
	}
	return (strings.HasSuffix(k, "/Active") || strings.HasSuffix(k, "/Available") || strings.HasSuffix(k, "/Running")) &&
		!strings.HasPrefix(k, "create/")
}

// familyBounds merges the bounds of every configuration change of the
// same resource kind but kind: the shortest low, the longest high, all the
// samples.
func (l *learner) familyBounds(kind string) (lo, hi time.Duration, n int, fine bool) {
	if l == nil {
		return 0, 0, 0, false
	}
	l.mu.Lock()
	var kinds []string
	for k := range l.kinds {
		if k != kind && isChange(k) && familyOf(k) == familyOf(kind) {
			kinds = append(kinds, k)
		}
	}
	l.mu.Unlock()
	for _, k := range kinds {
		klo, khi, kn, kfine := l.bounds(k)
		if kn == 0 {
			continue
		}
		if n == 0 {
			lo, hi = klo, khi
		}
		lo, hi, n, fine = min(lo, klo), max(hi, khi), n+kn, fine || kfine
	}
	return lo, hi, n, fine
}

// schedule returns the poll schedule of one wait of kind with the wait's
// bounds. It is never nil; without history it defers to the plain schedule.
func (l *learner) schedule(kind string, w WaitOptions) *schedule {
	s := &schedule{l: l, kind: kind, minD: w.MinDelay, maxD: max(w.MaxDelay, w.MinDelay), pending: -1,
		fallback: min(max(w.FallbackDelay, w.MinDelay), max(w.MaxDelay, w.MinDelay)), rnd: rand.Float64, phase: -1}
	if s.fallback <= 0 {
		s.fallback = s.maxD
	}
	s.learn()
	return s
}

// learn reads the history of the schedule's kind into its window. A wait
// without history calls it again before each poll (see delayFunc): another
// wait of its kind that ends meanwhile teaches it, so a fleet's first wave
// of waits learns from the first of them to end instead of polling on the
// fallback to the end.
func (s *schedule) learn() {
	lo, hi, n, fine := s.l.bounds(s.kind)
	if n == 0 && isChange(s.kind) {
		// No history for this change yet: the other configuration changes
		// (the same Configuring transition of the same instances) stand
		// in for it, so that a fleet's first DisableDeletionProtection
		// learns from its EnableDeletionProtection.
		lo, hi, n, fine = s.l.familyBounds(s.kind)
	}
	s.learned, s.fine = n > 0, fine
	// The margin: a quarter of the spread, more while few samples have
	// measured it (the spread of n samples underestimates the range by
	// about one n-1th).
	m := (hi - lo) / time.Duration(min(max(n-1, 1), 4))
	s.start, s.end = max(lo-m, 0), hi+m
	// Dense polls split the window evenly, at least MinDelay apart: a
	// window narrower than two MinDelay is polled once, at its end.
	steps := max((s.end-s.start)/s.minD, 1)
	s.step = (s.end - s.start) / steps
}

// learnKind names the kind of a wait for learning: the operation and what
// it waits for ("create/Active", "EnableDeletionProtection/Active",
// "release/released"). A wait on an instance whose transition began at an
// unknown time (WaitUntilActive, a resumed create) neither uses nor teaches
// durations. The schedule counts from the start of the wait, which is the
// write for every built-in operation (Create's Wait called at once).
func learnKind(s waitSpec) string {
	if s.op == "" || s.op == "wait" || s.unknownStart {
		return ""
	}
	what, _, _ := strings.Cut(s.waiting, " ")
	if s.family != "" && s.family != kindInstance {
		return s.family + ":" + s.op + "/" + what
	}
	return s.op + "/" + what
}

// familyOf returns the resource kind of a learned kind ("" for instances).
func familyOf(kind string) string {
	f, _, ok := strings.Cut(kind, ":")
	if !ok {
		return ""
	}
	return f
}

// schedule is the poll schedule of one wait, and what it saw. It is used by
// one wait at a time (the poll loop is sequential).
type schedule struct {
	l          *learner
	kind       string
	minD, maxD time.Duration
	fallback   time.Duration  // the delay between polls without history
	rnd        func() float64 // jitter of the first fallback poll and the ramp's phase, in [0,1)
	phase      float64        // the ramp's phase, a fraction of its step (drawn once, -1 before)
	learned    bool           // there is history
	fine       bool           // some of it is fine
	start, end time.Duration  // the window of dense polls
	step       time.Duration  // the delay between dense polls
	pending    time.Duration  // elapsed time of the last poll that saw the transition pending; -1 none
	crowd      func() int     // how many waits share the polls; nil: one
	again      bool           // the last delay polls a quick transition again soon (see delay)
}

// first returns the elapsed time of the first dense poll.
func (s *schedule) first() time.Duration { return min(s.start+s.step, s.end) }

// initial returns the delay before the first poll: MinDelay to 1.2 times
// it without history for a kind (jittered), a quarter of that while other
// waits share the polls; the window's end when recent
// transitions ended within MinDelay; 0 (poll at once) for a wait of unknown
// start, or when the first step would pass maxWait.
func (s *schedule) initial(maxWait time.Duration) time.Duration {
	if !s.learned {
		first := s.minD // see the fallback in the package notes above
		if s.crowd != nil && s.crowd() > 1 {
			first = s.minD / 4 // a fleet's first wave (see the notes above)
		}
		if d := first + time.Duration(float64(first)*0.2*s.rnd()); s.kind != "" && d < maxWait {
			return d
		}
		return 0
	}
	if s.first() < s.minD {
		return s.first() // a quick transition: its expected end (0 at once)
	}
	if d := s.sparse(0); d < maxWait {
		return d
	}
	return 0
}

// delay is waiter.Options.Delay: the delay before the next poll, at
// elapsed time since the wait began.
func (s *schedule) delay(_ int, elapsed, _ time.Duration) time.Duration {
	s.again = false
	switch {
	case elapsed < s.first():
		return s.sparse(elapsed)
	case elapsed < s.end:
		return min(s.step, s.end-elapsed)
	case s.end < s.minD && elapsed < s.minD && s.end > 0:
		// A quick transition not done at its expected end: look again
		// after as long again (doubling), not a whole MinDelay later. The
		// end learned is a guess of a few hundred milliseconds, and a
		// poll just before the transition ended cost the MinDelay (in a
		// fleet, the last lifecycle's: a second of its wall time).
		s.again = true
		return max(elapsed, s.minD/quickGapDiv)
	}
	return min(max((elapsed-s.end)/4, s.minD), s.maxD)
}

// quickGapDiv: a quick transition's polls after its expected end are at
// least MinDelay/quickGapDiv apart (see delay).
const quickGapDiv = 8

// gap is waiter.Options.Gap: the least time between the starts of the
// last poll and the next, MinDelay but after a quick transition's
// expected end (see delay).
func (s *schedule) gap() time.Duration {
	if s.again {
		return s.minD / quickGapDiv
	}
	return s.minD
}

// sparse returns the next step from elapsed to the first dense poll: the
// time left cut into equal steps of at most MaxDelay.
func (s *schedule) sparse(elapsed time.Duration) time.Duration {
	left := s.first() - elapsed
	n := (left + s.maxD - 1) / s.maxD
	return left / max(n, 1)
}

// saw records one poll (waiter.Options.OnPoll): a poll that read the
// transition still under way, or the poll that ended the wait successfully,
// which teaches the Client the transition's duration (a wait until a
// resource is gone ends on a not-found answer: it teaches too). Failed
// polls and failed waits teach nothing.
func (s *schedule) saw(p waiter.Poll) {
	switch {
	case p.Verdict == waiter.Continue && p.Err == nil:
		s.pending = p.Elapsed
	case p.Verdict == waiter.Success:
		// A success may carry the poll's error: a release or a delete
		// ends on not-found.
		before := max(s.pending, 0)
		fine := p.Elapsed-before <= 2*s.minD
		mid := before + (p.Elapsed-before)/2
		switch {
		case fine || !s.fine || p.Elapsed < s.start:
			// Known to within MinDelay; or the only kind of history; or it
			// ended before the window: it got faster.
			s.l.record(s.kind, mid, fine)
		case s.pending < s.start && s.first() < s.end:
			// Done by the first poll of the window: it may have ended
			// before the window began. Widen the window down by MinDelay
			// (until the next fine sample), or else samples below the
			// window would never be learned.
			s.l.record(s.kind, max(mid, s.start-s.minD), false)
		}
	}
}

// delayFunc returns the hook for waiter.Options.Delay: the learned schedule,
// or without history the fallback's ramp until another wait of the kind
// teaches one.
func (s *schedule) delayFunc() func(attempt int, elapsed, remaining time.Duration) time.Duration {
	if s.learned {
		return s.delay
	}
	return func(attempt int, elapsed, remaining time.Duration) time.Duration {
		if !s.learned && s.kind != "" {
			s.learn()
		}
		if s.learned {
			return s.delay(attempt, elapsed, remaining)
		}
		return s.ramp(attempt, elapsed, remaining)
	}
}

// ramp is the fallback without history: polls on a grid of MinDelay from
// the wait's start until FallbackDelay has passed, then of FallbackDelay,
// shifted by a phase of up to a tenth of the step drawn once per wait (so
// that a fleet's polls spread): a completion learned within about MinDelay
// in the first FallbackDelay, at most FallbackDelay late after it, and
// never more than a poll per step. On a grid, polls do not drift by their
// round trips (the waiter keeps them at least MinDelay apart).
func (s *schedule) ramp(_ int, elapsed, _ time.Duration) time.Duration {
	d := s.fallback
	switch {
	case s.crowd != nil && s.crowd() > 1:
		// Several waits share the polls (a fleet): a poll costs a call per
		// batch, and the first of them to end teaches the others, so they
		// poll every MinDelay until it does.
		d = s.minD
	case elapsed < s.fallback:
		d = s.minD
	}
	if s.phase < 0 {
		s.phase = s.rnd()
	}
	phase := time.Duration(float64(d) * 0.1 * s.phase)
	next := phase
	if elapsed >= phase {
		next = (elapsed-phase)/d*d + d + phase
	}
	return next - elapsed
}

// maxDelay is waiter.Options.MaxDelay: the cap of the plain schedule,
// FallbackDelay without history, MaxDelay with it.
func (s *schedule) maxDelay() time.Duration {
	if s.learned {
		return s.maxD
	}
	return s.fallback
}
