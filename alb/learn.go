package alb

import (
	"context"
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
// from them:
//
//   - before the earliest recent completion (lo), it polls sparsely: the
//     time to lo is cut into equal steps of at most MaxDelay, and the first
//     poll comes after the first step, not at once (a create read right
//     after it is sent is always Provisioning);
//   - from lo to the latest recent completion (hi), it polls every MinDelay
//     (densely), so the caller learns of the completion at most MinDelay
//     late;
//   - past hi (a transition slower than any recent one), the delay grows
//     with the lateness, half of it, from MinDelay up to MaxDelay.
//
// Without history for a kind the plain exponential schedule of
// [WaitOptions] runs. The duration recorded for a finished wait is the
// middle of the interval in which the transition ended: between the last
// poll that saw it pending (or the start) and the poll that saw it done.
// Samples from polls at most two MinDelay apart are fine, the others
// coarse; the bounds come from the fine samples when there are any, so
// one coarse first sample gives way to the first dense wait.
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

// history is a ring of recent durations of one kind.
type history struct {
	d    [learnSamples]sample
	n    int // samples held, at most learnSamples
	next int // where the next sample goes
}

// sample is one learned duration. fine: the polls around the completion
// were at most two MinDelay apart, so the duration is known to within one
// MinDelay; a coarse sample (the first poll after a sparse step saw the
// completion) is the middle of a wider interval.
type sample struct {
	d    time.Duration
	fine bool
}

func newLearner() *learner { return &learner{kinds: map[string]*history{}} }

// record adds the duration of a finished transition of kind.
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
		h = &history{}
		l.kinds[kind] = h
	}
	h.d[h.next] = sample{d: d, fine: fine}
	h.next = (h.next + 1) % learnSamples
	h.n = min(h.n+1, learnSamples)
}

// bounds returns the shortest and longest recent durations of kind, and
// whether there are any: of the fine samples if there are some, else of
// the coarse ones.
func (l *learner) bounds(kind string) (lo, hi time.Duration, ok bool) {
	if l == nil || kind == "" {
		return 0, 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.kinds[kind]
	if h == nil || h.n == 0 {
		return 0, 0, false
	}
	fine := false
	for _, s := range h.d[:h.n] {
		fine = fine || s.fine
	}
	first := true
	for _, s := range h.d[:h.n] {
		if s.fine != fine {
			continue
		}
		if first || s.d < lo {
			lo = s.d
		}
		if first || s.d > hi {
			hi = s.d
		}
		first = false
	}
	return lo, hi, true
}

// schedule returns the poll schedule of one wait of kind with the wait's
// bounds. It is never nil; without history it defers to the plain schedule.
func (l *learner) schedule(kind string, w WaitOptions) *schedule {
	s := &schedule{l: l, kind: kind, minD: w.MinDelay, maxD: max(w.MaxDelay, w.MinDelay), pending: -1}
	s.lo, s.hi, s.learned = l.bounds(kind)
	return s
}

// learnKind names the kind of a wait for learning: the operation and what
// it waits for ("create/Active", "EnableDeletionProtection/Active",
// "release/released"). A wait on an instance whose transition began at an
// unknown time (WaitUntilActive) learns nothing.
func learnKind(s waitSpec) string {
	if s.op == "" || s.op == "wait" {
		return ""
	}
	what, _, _ := strings.Cut(s.waiting, " ")
	return s.op + "/" + what
}

// schedule is the poll schedule of one wait, and what it saw. It is used by
// one wait at a time (the poll loop is sequential).
type schedule struct {
	l          *learner
	kind       string
	minD, maxD time.Duration
	lo, hi     time.Duration
	learned    bool
	pending    time.Duration // elapsed time of the last poll that saw the transition pending; -1 none
}

// initial returns the delay before the first poll: 0 (poll at once)
// without history or when recent transitions ended within MinDelay.
func (s *schedule) initial(maxWait time.Duration) time.Duration {
	if !s.learned || s.lo < s.minD {
		return 0
	}
	d := s.sparse(0)
	if d >= maxWait {
		return 0
	}
	return d
}

// delay is waiter.Options.Delay: the delay before the poll after attempt,
// at elapsed time since the wait began.
func (s *schedule) delay(_ int, elapsed, _ time.Duration) time.Duration {
	switch {
	case elapsed < s.lo:
		return s.sparse(elapsed)
	case elapsed < s.hi:
		return min(s.minD, s.hi-elapsed)
	case elapsed < s.hi+s.minD:
		return s.minD
	}
	return min(max((elapsed-s.hi)/2, s.minD), s.maxD)
}

// sparse returns the next step from elapsed to lo: the time left cut into
// equal steps of at most MaxDelay.
func (s *schedule) sparse(elapsed time.Duration) time.Duration {
	left := s.lo - elapsed
	n := (left + s.maxD - 1) / s.maxD
	return left / max(n, 1)
}

// saw records one poll (waiter.Options.OnPoll): a poll that read the
// transition still under way, or the poll that ended the wait successfully,
// which teaches the Client the transition's duration. Failed polls and
// failed waits teach nothing.
func (s *schedule) saw(p waiter.Poll) {
	switch {
	case p.Err != nil:
	case p.Verdict == waiter.Continue:
		s.pending = p.Elapsed
	case p.Verdict == waiter.Success:
		before := max(s.pending, 0)
		s.l.record(s.kind, before+(p.Elapsed-before)/2, p.Elapsed-before <= 2*s.minD)
	}
}

// delayFunc returns the hook for waiter.Options.Delay: nil (the plain
// exponential schedule) without history.
func (s *schedule) delayFunc() func(attempt int, elapsed, remaining time.Duration) time.Duration {
	if !s.learned {
		return nil
	}
	return s.delay
}

// wrapFirst delays the first call of get by d (the schedule's initial
// delay) on clk.
func wrapFirst[T any](clk Clock, d time.Duration, get func(ctx context.Context) (T, error)) func(ctx context.Context) (T, error) {
	if d <= 0 {
		return get
	}
	first := true
	return func(ctx context.Context) (T, error) {
		if first {
			first = false
			if err := clk.Sleep(ctx, d); err != nil {
				var zero T
				return zero, err
			}
		}
		return get(ctx)
	}
}
