package ratelimit

import (
	"context"
	"strings"
	"testing"
	"time"
)

// answers reports one outcome per character of pattern ('T' a throttle,
// anything else a success) at rps per second on an auto clock.
func answers(c *fakeClock, l *Adaptive, class string, rps float64, pattern string) {
	step := time.Duration(float64(time.Second) / rps)
	for _, ch := range pattern {
		c.Advance(step)
		l.Observe(class, ch == 'T')
	}
}

// A cut on fewer than minJudgedThrottles throttles is not judged: no window
// after it could show the share falling but one without a single throttle,
// so a lone throttle after the cut (with the accepted rate down: a stage of
// a pipeline whose demand ebbed) used to undo a cut the class's own rate
// had caused. The same answers with enough throttles before the cut are
// judged, and undone.
func TestThinCutIsNotJudged(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	// 20 answers, the 20th a throttle: a cut on one throttle in 20 (5%).
	answers(c, l, "w", 10, "...................T")
	if st := l.Stats("w"); !st.Enabled {
		t.Fatalf("no cut: %+v", st)
	}
	// 40 more, slower, one of them throttled: the share hardly fell, the
	// accepted rate did.
	answers(c, l, "w", 5, "...................T....................")
	if st := l.Stats("w"); st.Undone != 0 || !st.Enabled {
		t.Fatalf("a cut on one throttle was undone: %+v", st)
	}

	c2 := newFakeClock(true)
	l2 := NewAdaptive(WithClock(c2))
	// Four throttles in 20 (20%), then 40 answers at the same share, slower.
	answers(c2, l2, "w", 10, "....T....T....T....T")
	answers(c2, l2, "w", 5, "....T....T....T....T....T....T....T....T")
	if st := l2.Stats("w"); st.Undone != 1 {
		t.Fatalf("a cut on four throttles in 20, the share unchanged after it and the accepted rate down, was not undone: %+v", st)
	}
}

// With a background share learned, a window of answers is decided as soon
// as its throttles exceed what the whole window may hold, not when it
// closes: a class whose own rate throttles it again cuts after about 20
// throttles in a row at a 20% background, not after the window's 48.
func TestBackgroundExcessDecidedEarly(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	answers(c, l, "w", 10, "....T....T....T....T")
	// The same share after the cut, slower, until the cut is undone (its
	// window closes after 40 answers or 5 s).
	for i := 0; l.Stats("w").Undone == 0; i++ {
		if i == 40 {
			t.Fatalf("the cut was not undone: %+v", l.Stats("w"))
		}
		answers(c, l, "w", 5, string("....T"[i%5]))
	}
	st := l.Stats("w")
	if !near(st.Background, 0.2, 1e-9) || st.Enabled {
		t.Fatalf("no background share learned: %+v", st)
	}
	// The bound of a 48-answer window at 20%: (0.2 + 3·√(0.2·0.8/48) +
	// 0.03)·48 = 19.3 throttles.
	answers(c, l, "w", 10, "TTTTTTTTTTTTTTTTTTT")
	if st := l.Stats("w"); st.Enabled || st.Background == 0 {
		t.Fatalf("19 throttles in a row, within the window's bound, cut: %+v", st)
	}
	answers(c, l, "w", 10, "T")
	if st := l.Stats("w"); !st.Enabled || st.Background != 0 {
		t.Fatalf("20 throttles in a row, over the window's bound, did not cut: %+v", st)
	}
}

// A cut whose answers before it are successes and then throttles (the
// service's bucket ran dry under the class's own burst: a cold fleet's
// second window sent into it) is not judged, so it stands as cut: β times
// the rate accepted. It used to be judged, and a cut within a judged
// window goes no lower than half the pre-window's answer rate, so the
// class was held at the service's limit with its curve aimed 43% above
// it (five or six throttles in the fleet benchmark's first seconds). The
// same share of throttles among the successes is judged as before.
func TestABucketRunDryIsNotJudged(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	// 20 answers in 0.1 s: ten accepted, then nine throttles and one more
	// accepted among them (a token the bucket earned).
	answers(c, l, "w", 200, "..........TTTT.TTTTT")
	if st := l.Stats("w"); !st.Enabled || !near(st.Rate, 7.7, 1e-9) {
		t.Errorf("a bucket run dry: %+v, want the rate cut to 7.7 (0.7 × the 11 accepted in the first second)", st)
	}

	c2 := newFakeClock(true)
	l2 := NewAdaptive(WithClock(c2))
	// The same ten throttles, among the successes.
	answers(c2, l2, "w", 200, ".T.T.T.T.T.T.T.T.T.T")
	if st := l2.Stats("w"); !st.Enabled || !near(st.Rate, 10, 1e-9) {
		t.Errorf("throttles among the successes: %+v, want the judged window's floor, 10 (half the 20 answers of its first second)", st)
	}
}

// A class that keeps finding the same ceiling probes it less often: the
// second cut in a row at the same rate (none judged) holds the curve at
// its plateau for one more K before it probes past it, the third for
// three. So 3.1 s past the plateau (K at a ceiling of 10 a second is
// 3.1 s) a class throttled once is probing at 13 a second; one throttled
// three times at 10 is still at 10, and probes once the hold is over.
func TestTheSameCeilingHoldsThePlateau(t *testing.T) {
	ctx := context.Background()
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	// send sends as fast as the limiter lets it for d (every answer a
	// success) and returns the rate then.
	send := func(d time.Duration) float64 {
		for end := c.Now().Add(d); c.Now().Before(end); {
			if err := l.Wait(ctx, "w"); err != nil {
				t.Fatal(err)
			}
			l.Observe("w", false)
		}
		return l.Stats("w").Rate
	}
	throttle := func() {
		if err := l.Wait(ctx, "w"); err != nil {
			t.Fatal(err)
		}
		l.Observe("w", true)
	}
	const k = 3100 * time.Millisecond
	// The first cut (one throttle in 41 answers at 10 a second: not
	// judged), from 10 a second.
	answers(c, l, "w", 10, strings.Repeat(".", 40)+"T")
	if got := send(2 * k); got < 12 {
		t.Fatalf("once throttled: 3.1 s past the plateau the rate is %.2f, want the curve past 12", got)
	}
	answers(c, l, "w", 10, strings.Repeat(".", 40)+"T") // a cut at 12.98: another ceiling
	for range 2 {
		send(k) // at the plateau
		throttle()
	}
	st := l.Stats("w")
	if got := send(2 * k); !near(got, st.LastMaxRate, 1e-9) {
		t.Errorf("three times throttled at %.2f: 3.1 s past the plateau the rate is %.2f, want the plateau held", st.LastMaxRate, got)
	}
	if got := send(3 * k); got < st.LastMaxRate*1.2 {
		t.Errorf("three times throttled at %.2f: 9.3 s past the plateau the rate is %.2f, want the curve past it again", st.LastMaxRate, got)
	}
}
