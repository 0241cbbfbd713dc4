package ratelimit

import (
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
