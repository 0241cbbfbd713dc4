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

// requests sends n requests of class "w" at rps a second on an auto clock,
// each through Wait (which may sleep for a token) and then answered,
// throttled(i) telling which are throttled.
func requests(t *testing.T, c *fakeClock, l *Adaptive, rps float64, n int, throttled func(i int) bool) {
	t.Helper()
	step := time.Duration(float64(time.Second) / rps)
	for i := range n {
		c.Advance(step)
		if err := l.Wait(context.Background(), "w"); err != nil {
			t.Fatal(err)
		}
		l.Observe("w", throttled(i))
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

// A class whose requests found tokens banked after a cut sent what its
// demand asked: the cut did not slow it, so the accepted rate holding
// says nothing about the throttles' cause, and the share decides. A
// pipeline stage whose demand spiked at the cut (its measured rate with
// it) was cut above its demand, accepted as much as before, and its cut
// stood on that under throttling it did not cause: later demand then met
// a rate cut for nothing (half-throttled lifecycles, a minute of
// DisableDeletionProtection at 1–2 a second with 30 calls waiting).
func TestADemandLimitedCutIsJudgedOnItsShare(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	// 19 answers at 2 a second, four of them throttled, then a second of
	// 16 ending in a throttle: the cut, from the measured 13 a second.
	answers(c, l, "w", 2, "..T...T...T...T....")
	answers(c, l, "w", 16, "...............T")
	st := l.Stats("w")
	if !st.Enabled || st.Rate < 5 {
		t.Fatalf("no cut from the spike's rate: %+v", st)
	}
	// 20 requests at 3.5 a second (a window kept open until it has
	// minJudged/2 answers), the same share throttled: each finds a token
	// banked (the window's own cuts, each no lower than its floor, make a
	// few wait); the accepted rate (3 a second) holds.
	window := func() { requests(t, c, l, 3.5, minJudged/2, func(i int) bool { return i%7 == 6 }) }
	window()
	// The cut slowed nothing: not judged on that, but tested again at β
	// times what the class sent.
	st = l.Stats("w")
	if st.Undone != 0 || !st.Enabled || st.Rate > Beta*3.5*1.05 {
		t.Fatalf("a cut that slowed nothing was not tested again below the demand (%.2f a second): %+v", Beta*3.5, st)
	}
	// The same share again at that one rate, fewer accepted: undone, the
	// class is as before the cut, not limited.
	window()
	if st := l.Stats("w"); st.Undone != 1 || st.Background == 0 || st.Enabled {
		t.Errorf("a cut above the demand, the share unchanged after it, was not undone: %+v", st)
	}
}

// A cut that slowed nothing, tested again below the class's demand, stands
// when the share then falls: a pipeline stage whose demand is the
// service's limit, cut to a floor above it (its first window holds the
// stage's first clump), had its own throttles learned as background and
// ran unlimited, 25–60 of its 300 calls throttled in the fleet benchmark.
func TestACutThatSlowedNothingIsTestedAgain(t *testing.T) {
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	// A clump of 11 answers at 40 a second, then a fifth throttled at 20
	// a second: the cut, judged on that, floored at half the answer rate
	// (25 answers in a second: 12.5 a second).
	answers(c, l, "w", 40, "...........")
	answers(c, l, "w", 20, "T..T.T.T.....T")
	if st := l.Stats("w"); !st.Enabled {
		t.Fatalf("no cut: %+v", st)
	}
	// The stage's demand, 9 a second, finds tokens banked: one in ten
	// throttled (not a significant fall from one in five on these counts).
	requests(t, c, l, 9, 40, func(i int) bool { return i%10 == 9 })
	st := l.Stats("w")
	if st.Undone != 0 || st.Background != 0 || st.Rate > Beta*9*1.05 {
		t.Fatalf("not tested again below the demand (%.2f a second): %+v", Beta*9, st)
	}
	// Below the service's limit the throttles stop: the cut stands, and no
	// background share is learned.
	requests(t, c, l, 9, 40, func(int) bool { return false })
	if st := l.Stats("w"); st.Undone != 0 || st.Background != 0 || !st.Enabled {
		t.Errorf("a cut that stopped the throttles when tested again did not stand: %+v", st)
	}
}

// A slow class's window that has fewer than minJudged/2 answers at
// maxVerifyTime stays open until it has them: on eight answers a fall of
// the share by 1.5 standard deviations is chance one time in seven at half
// of them throttled at random, and cuts that stood on one ratcheted slow
// classes down under throttling they did not cause.
func TestAFallOnFewAnswersIsNotJudgedAFall(t *testing.T) {
	c, l := cutOn(t, 4, "T.TT.T.TT.T.TT.T.T.T") // 12 of 20 throttled (60%)
	judging := func() bool { return locked(l, "w", func(s *classState) bool { return s.verify != nil }) }
	// Eight answers in 5 s, two throttled (25%, 1.7 standard deviations
	// below 60%), fewer accepted a second than before: not judged yet.
	answers(c, l, "w", 1.6, "..T....T")
	if st := l.Stats("w"); !judging() || st.Undone != 0 {
		t.Fatalf("a cut was judged on eight answers: %+v", st)
	}
	// Twelve more at the share before the cut: judged on 20, undone.
	answers(c, l, "w", 1.6, "T.TT.TT.TT.T")
	if st := l.Stats("w"); judging() || st.Undone != 1 || st.Enabled {
		t.Errorf("on 20 answers, the share hardly fallen and fewer accepted, the cut was not undone: %+v", st)
	}
}

// With a background share learned, a slow class's window closes after
// maxVerifyTime once it has minBgWindow answers, not only at windowFor's
// count: its ceiling is probed every 5 s, where at 48 answers a window a
// class at 1.5 a second probed once in 32 s.
func TestASlowClassProbesItsCeilingInTime(t *testing.T) {
	c, l := ceilingLearned(t)
	ceiling := func() float64 { return locked(l, "w", func(s *classState) float64 { return s.ceiling }) }
	c0 := ceiling()
	if c0 <= 0 || l.Stats("w").Background == 0 {
		t.Fatalf("no ceiling or background learned: %.2f, %+v", c0, l.Stats("w"))
	}
	// Eight answers, 4.7 s from the first to the last: the window is open.
	answers(c, l, "w", 1.5, "...T....")
	if got := ceiling(); got != c0 {
		t.Fatalf("the ceiling moved within the window: %.2f → %.2f", c0, got)
	}
	// The ninth, 5.3 s after the first: the window closes, the share as
	// the background's, and the ceiling rises by a fifth.
	answers(c, l, "w", 1.5, ".")
	if got := ceiling(); !near(got, c0*ceilingProbe, 1e-9) {
		t.Errorf("after 9 answers in 5.3 s the ceiling is %.2f, want %.2f (%.2f × %.1f)", got, c0*ceilingProbe, c0, ceilingProbe)
	}
}

// A cut that stood on fewer than minJudged/2 answers (a slow class's
// window closed at maxSlowVerifyTime) stands as if unjudged: the next undo
// restores the state before it too. It used to restore only the state
// after it, and with a background share learned the rate was then held at
// that ceiling.
func TestACutThatStoodOnFewAnswersIsUndoneWithTheNext(t *testing.T) {
	c, l := cutOn(t, 4, ".T.T.T.T.T.T.T.T.T.T") // half throttled: the first cut
	// Seven answers in 15.5 s, none throttled (a share fallen to a third
	// or less): the window closes on them, and the cut stands.
	answers(c, l, "w", 0.45, ".......")
	st := l.Stats("w")
	if !st.Enabled || st.Undone != 0 {
		t.Fatalf("the first cut did not stand: %+v", st)
	}
	// Half throttled again, slower, until a cut is undone.
	for i := 0; l.Stats("w").Undone == 0; i++ {
		if i == 80 {
			t.Fatalf("no cut was undone: %+v", l.Stats("w"))
		}
		answers(c, l, "w", 1, string(".T"[i%2]))
	}
	if st := l.Stats("w"); st.Enabled {
		t.Errorf("the undo restored the rate after the first cut (%.2f), want the class as before it, not limited: %+v", st.Rate, st)
	}
}

// On a window of fewer than minJudged/2 answers, a share of maxBackground
// or more makes the cut stand only if it is significantly so (two standard
// deviations), as in the pre-window: three of four throttled, at half of
// all answers throttled at random, come one time in three, and slow
// classes spiralled down cut after cut on such windows.
func TestAThinWindowsHighShareMustBeSignificant(t *testing.T) {
	c, l := cutOn(t, 4, "T.TT.T.TT.T.TT.T.T.T") // 12 of 20 throttled (60%)
	// Eight answers in 15.5 s, six throttled (75%: 1.5 standard
	// deviations above 70% on eight), fewer accepted a second: undone.
	answers(c, l, "w", 0.45, "TT.TTT.T")
	if st := l.Stats("w"); st.Undone != 1 || st.Enabled {
		t.Errorf("a cut stood on six throttles of eight: %+v", st)
	}
}

// A class held back by its ceiling (most of a background window's
// requests waited for a token) and throttled no more than its background
// share raises the ceiling by half a window, not a fifth: its demand is
// above it.
func TestACeilingThatHoldsTheClassBackRisesByHalf(t *testing.T) {
	ctx := context.Background()
	_, l := ceilingLearned(t)
	ceiling := func() float64 { return locked(l, "w", func(s *classState) float64 { return s.ceiling }) }
	c0 := ceiling()
	// As fast as the limiter lets it, one in ten throttled, until the
	// window closes.
	for i := 0; ceiling() == c0; i++ {
		if i == 60 {
			t.Fatalf("no window closed in 60 requests: %+v", l.Stats("w"))
		}
		if err := l.Wait(ctx, "w"); err != nil {
			t.Fatal(err)
		}
		l.Observe("w", i%10 == 9)
	}
	if got := ceiling(); !near(got, c0*ceilingRaise, 1e-9) {
		t.Errorf("the ceiling rose from %.2f to %.2f, want %.2f (× %.1f)", c0, got, c0*ceilingRaise, ceilingRaise)
	}
}

// A slow class's window is not kept open past maxVerifyTime while the cut
// holds more than maxVerifyTime of requests waiting: held at the cut rate
// for 15 s, a slow class whose demand rose ran its calls out of time.
func TestABackloggedWindowClosesInTime(t *testing.T) {
	c, l := cutOn(t, 4, "T.TT.T.TT.T.TT.T.T.T")
	cut := locked(l, "w", func(s *classState) *verdict { return s.verify })
	// Still the cut's window (a later throttle may open a window of its own).
	judging := func() bool { return locked(l, "w", func(s *classState) bool { return s.verify == cut }) }
	// Tickets for 30 requests taken (their waiters asleep): more than
	// maxVerifyTime's worth at the cut rate.
	locked(l, "w", func(s *classState) float64 { s.next += 30; return s.next })
	answers(c, l, "w", 1.6, "..T....T")
	if cut == nil || judging() {
		t.Errorf("a window with 30 requests waiting stayed open past maxVerifyTime: %+v", l.Stats("w"))
	}
}

// ceilingLearned returns a limiter whose class "w", limited at 2 a second
// from the start, had a cut on a 20% share undone (the share unchanged
// after it, fewer accepted): a background share learned, and the ceiling
// at the rate restored.
func ceilingLearned(t *testing.T) (*fakeClock, *Adaptive) {
	t.Helper()
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c), WithInitialRate(2))
	answers(c, l, "w", 2, "....T....T....T....T")
	for i := 0; l.Stats("w").Undone == 0; i++ {
		if i == 40 {
			t.Fatalf("the cut was not undone: %+v", l.Stats("w"))
		}
		answers(c, l, "w", 1, string("....T"[i%5]))
	}
	return c, l
}

// locked returns f of class's state, called under its lock.
func locked[T any](l *Adaptive, class string, f func(s *classState) T) T {
	s := l.state(class)
	s.mu.Lock()
	defer s.mu.Unlock()
	return f(s)
}

// cutOn returns a limiter whose class "w" was cut on the answers of
// pattern (see answers) at rps a second, and its auto clock.
func cutOn(t *testing.T, rps float64, pattern string) (*fakeClock, *Adaptive) {
	t.Helper()
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	answers(c, l, "w", rps, pattern)
	if st := l.Stats("w"); !st.Enabled {
		t.Fatalf("no cut on %q: %+v", pattern, st)
	}
	return c, l
}

// The accepted rate of a pre-window that holds a class's first answers is
// counted from a second after the first: the service's full bucket
// accepted its burst on top of its rate. Counted without it, a fleet stage's first
// judged window expected 12.6 accepted a second where the service's limit
// was 10, took the 10.2 it then accepted (held back by its rate, a few of
// its answers throttled) for a fall, and undid its cut: unlimited, it had
// 21 of its next 64 answers throttled.
func TestAFirstWindowCountsTheServicesBurst(t *testing.T) {
	ctx := context.Background()
	c := newFakeClock(true)
	l := NewAdaptive(WithClock(c))
	// A burst of 11 answers at once, then 11 a second for 3.5 s, three
	// throttled early (before a throttle may cut) and the 50th: the cut.
	// Counted with the burst, 12.6 a second were accepted; without, 10.6.
	answers(c, l, "w", 110, "...........")
	answers(c, l, "w", 11, "T.T.T"+strings.Repeat(".", 33)+"T")
	if st := l.Stats("w"); !st.Enabled {
		t.Fatalf("no cut: %+v", st)
	}
	// Backlogged: every request waits for the rate, one in 16 throttled.
	for i := 0; locked(l, "w", func(s *classState) bool { return s.verify != nil }); i++ {
		if err := l.Wait(ctx, "w"); err != nil {
			t.Fatal(err)
		}
		l.Observe("w", i%16 == 15)
	}
	if st := l.Stats("w"); st.Undone != 0 || !st.Enabled || st.Background != 0 {
		t.Errorf("a cut that held the class back at what the service accepted after its burst was undone: %+v", st)
	}
}
