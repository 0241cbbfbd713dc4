package ratelimit

import (
	"math"
	"time"
)

// Throttling the client did not cause.
//
// A throttle says "slower", but not always "you are too fast": other tools
// on the same account, a busy region or a fault throttle a share of
// requests whatever the client's rate. Cutting the rate then only loses
// throughput, and since the throttles go on, cut after cut drives the rate
// to the floor (measured in issue 16: 100 pollers at one request a second
// each, 10% throttled at random: 3.4 requests a second served, polls waiting
// minutes). So a cut is an experiment whose outcome is checked, as TCP
// checks a window reduction after a retransmission that turns out to have
// been spurious and undoes it (RFC 4015).
//
// A cut the class's own rate caused shows in the answers that follow it:
// below the service's limit the throttles stop (their share falls), and
// far above it the service keeps accepting what it accepted before (the
// accepted rate holds). A cut that throttling independent of the rate
// forced changes neither: the share stays, and the accepted rate falls with
// the send rate. So:
//
//   - At a cut, the limiter keeps the state from before it and notes the
//     throttled share and the accepted rate of the answers to the requests
//     sent since the cut before (the pre-window; the last ringSize answers
//     when fewer than minJudged came since).
//   - It then counts the answers to the requests sent after the cut (the
//     post-window: enough to expect about five throttles at the pre-window's
//     share, minJudged to maxJudged answers, at most maxVerifyTime). A
//     window with fewer than minJudged/2 answers then (a slow class) stays
//     open until it has them, at most maxSlowVerifyTime, unless the cut
//     holds more than maxVerifyTime of requests waiting. Further throttles
//     in that time cut as usual (the first cut included), but not below
//     half the pre-window's answer rate: a rate cannot collapse within one
//     window (past maxVerifyTime, not below β times its accepted rate
//     either).
//   - If the post-window's share is not lower than the pre-window's (by
//     more than fellBy, 1.5, standard deviations of their difference, on
//     minJudged/2 answers or more, or to a third of it or less) and its
//     accepted rate fell by at least 15% (goodputDrop), the window's cuts
//     are undone: the rate is as it was before them (before the cuts that
//     stood unjudged just before them, too, and before those that stood on
//     a window of fewer than minJudged/2 answers), the curve's plateau at
//     that rate, and the share is learned as the class's background share
//     b. Otherwise the cuts stand. An accepted rate that held counts only
//     if most of the window's requests waited for a token (a class that
//     sent what its demand asked was not slowed by the cut, and is
//     accepted as much whatever the cause of its throttles); on fewer than
//     minJudged/2 answers, a share of maxBackground or more counts only if
//     it is two standard deviations above it. A window in which most
//     requests found tokens banked (the floor kept the rate above the
//     class's demand: the cut slowed nothing) is not undone on its share
//     but tested once more: the rate cut to β times what the class sent in
//     it, held there for a second window judged the same way (retest).
//   - A pre-window that holds the class's first answers counts its
//     accepted rate from a second after the first (acceptedRate): the
//     service's full bucket accepted a burst on top of its rate then.
//   - With b learned, single throttles no longer cut, and the rate is not
//     probed above where it was restored to (its ceiling) but by a fifth per
//     window (ceilingProbe; by half, ceilingRaise, when most of the window's
//     requests waited for a token and its share was not above b). The
//     answers are counted in windows (windowFor(b) of them, 48 to 160, or
//     maxVerifyTime once minBgWindow have come): a window whose share exceeds b by
//     more than chance allows (three standard deviations and three points;
//     decided as soon as its throttles so far exceed that bound for the
//     whole window, not when it closes) forgets b, and every episode of
//     throttles cuts again, each judged the same way, until a cut is shown
//     not to help; a window with a
//     significantly lower share (2.5 standard deviations) moves b halfway to
//     it (b never rises but through an undone cut: a share that creeps up
//     with the class's own rate must not pass for background), and b below
//     bgForget is forgotten.
//
// Limits of the judgement: a throttled share below minJudgedShare, or fewer
// than minJudgedThrottles throttles, is not judged (the class's own probing
// past the limit shows such shares between cuts, and telling them from a
// little random throttling takes hundreds of answers: those cuts stand);
// nor is a pre-window of successes and then throttles (ranDry: the
// service's bucket ran out under the class's own burst, a cold fleet's
// second window; judged, its window's floor held the fleet's creates at
// the limit with the curve aimed 43% above it, five or six throttles in
// its first seconds); a
// share of maxBackground (70%) or more (two
// standard deviations above it, in the pre-window) is never taken for
// background (the service refusing most requests is a reason to slow down
// whatever its cause, and a client whose every request is throttled must
// back off); a throttle cuts only once the class has had minEvidence
// answers; and clients with limiters of their own that share one service
// limit see part of their throttles as caused by the others (they are), so
// they sometimes undo cuts they would better keep, learn the others'
// throttles as background and push each other's shares up (see the package
// documentation's figures; WithoutUndo keeps every cut).
const (
	// ringSize is how many recent answers a class remembers, for the share
	// before its first cut.
	ringSize = 64
	// minJudged and maxJudged bound the answers a cut is judged on.
	minJudged, maxJudged = 40, 120
	// maxVerifyTime bounds the judging of a cut: a window still open then
	// is judged on the answers it has.
	maxVerifyTime = 5 * time.Second
	// maxSlowVerifyTime bounds the judging of a cut whose window has fewer
	// than minJudged/2 answers at maxVerifyTime.
	maxSlowVerifyTime = 3 * maxVerifyTime
	// minJudgedShare is the smallest pre-window share whose cut is judged.
	minJudgedShare = 0.05
	// maxBackground is the largest share taken for background throttling.
	maxBackground = 0.7
	// minBgWindow is the fewest answers a background window closes on when
	// its time (maxVerifyTime) is up.
	minBgWindow = 8
	// bgForget is the background share below which it is forgotten.
	bgForget = 0.01
	// minEvidence is how many answers a class must have had before a
	// throttle cuts its rate: one throttle among two answers says nothing
	// about the share (a fleet's first throttles come after the service's
	// burst, at least as many successes).
	minEvidence = 20
	// minSpan is the shortest time, in seconds, the accepted rates a cut is
	// judged on are measured over: a service's burst (typically a second of
	// its rate) makes a shorter window's accepted rate look higher than what
	// the service accepts (the floor of the window's cuts takes the answer
	// rate over at least a second).
	minSpan = 2.0
	// burstSpan is how long after a class's first answer its accepted
	// rate may hold the service's burst (see acceptedRate).
	burstSpan = time.Second
	// goodputDrop is the fall of the accepted rate a cut must cause to be
	// undone.
	goodputDrop = 0.85
	// ceilingProbe is how much the ceiling of a class with a background
	// share rises per window without excess throttles.
	ceilingProbe = 1.2
	// ceilingRaise is how much it rises per such window while the ceiling
	// holds the class back (most of the window's requests waited).
	ceilingRaise = 1.5
	// fellBy is how many standard deviations of the difference the share
	// must fall for a cut to stand on it (or else fall to a third: a cut
	// below the service's limit stops the throttles, whatever the counts).
	// At 0.5, random throttling passed for a fall in about one window of
	// three, and the cuts of successive windows ratcheted the rate down
	// (in the simulation, 100 pollers at 10% random throttling: 65 requests
	// a second served in one seed of six, a poll waiting 35 s; at 1.5, 87–94
	// in all, the longest wait 15 s), while the cuts the class's own rate
	// caused keep standing (the simulations of self-caused throttling are
	// unchanged).
	fellBy = 1.5
	// minJudgedThrottles is the fewest throttles in a pre-window whose cut
	// is judged: with fewer, no post-window shows a significant fall but
	// one without any throttle, so a single throttle after the cut undid
	// it whenever the accepted rate fell (a stage of a pipeline whose
	// demand ebbed, say), and the class then took its own throttles for a
	// background share of a few percent. In the simulation of 100 pollers
	// at 10% random throttling it also lifts the least served of 30 seeds
	// from 81 to 88 requests a second.
	minJudgedThrottles = 4
)

// outcome is one remembered answer.
type outcome struct {
	at        time.Time
	throttled bool
}

// snapshot is the rate state before a cut.
type snapshot struct {
	enabled  bool
	fill     float64
	capacity float64
	calc     float64
	lastMax  float64
	window   float64
	lastThr  time.Time
}

func (s *classState) snap() snapshot {
	return snapshot{enabled: s.enabled, fill: s.fill, capacity: s.capacity, calc: s.calculated, lastMax: s.lastMax, window: s.window, lastThr: s.lastThrottle}
}

// verdict is a cut being judged, and the state to restore if it is undone.
type verdict struct {
	at      time.Time
	from    uint64  // answers counted once s.observed passes this (requests sent after the cut)
	queued  uint64  // s.queued at the cut
	need    int     // answers to judge on
	pre     float64 // throttled share of the pre-window
	preN    int     // its answers
	preGood float64 // its accepted rate, per second
	floor   float64 // the window's cuts do not go below this rate: half the pre-window's answer rate
	n, k    int     // post-window answers, throttles among them
	first   time.Time
	before  snapshot
	again   bool // a second window, after one in which the cuts slowed nothing
}

// remember records an answer in the ring and, for a request sent after the
// last cut's episode, in the pre-window of the next cut.
func (s *classState) remember(now time.Time, throttled bool) {
	if s.observed == 1 {
		s.firstAt = now
	}
	s.ring[s.ringPos] = outcome{at: now, throttled: throttled}
	s.ringPos = (s.ringPos + 1) % ringSize
	s.ringN = min(s.ringN+1, ringSize)
	if s.observed > s.episodeEnd {
		if s.sinceN == 0 {
			s.sinceAt = now
		}
		s.sinceN++
		if throttled {
			s.sinceK++
		}
	}
}

// preWindow returns the throttled share, the number of answers and the
// time span of the answers since the last cut, or of the remembered answers
// when fewer than minJudged came since.
func (s *classState) preWindow(now time.Time) (share float64, n int, span float64, fromStart bool) {
	if s.sinceN >= minJudged {
		return float64(s.sinceK) / float64(s.sinceN), s.sinceN, now.Sub(s.sinceAt).Seconds(), !s.sinceAt.After(s.firstAt)
	}
	if s.ringN == 0 {
		return 0, 0, 0, false
	}
	thr := 0
	for i := range s.ringN {
		if s.ring[i].throttled {
			thr++
		}
	}
	oldest := s.ring[(s.ringPos-s.ringN+ringSize)%ringSize].at
	return float64(thr) / float64(s.ringN), s.ringN, now.Sub(oldest).Seconds(), !oldest.After(s.firstAt)
}

// acceptedRate returns the accepted rate of a pre-window of n answers,
// share throttled, over span seconds (at least minSpan). A window that
// holds the class's first answers is counted from one second after the
// first (when the ring still holds them all, over at least minSpan): the
// service's full bucket accepts a burst on top of its rate at first,
// typically a second of it, while a class throttled at random is accepted
// at the same rate from its first second on. Counted with the burst, a
// fleet stage's first judged window expected 12.6 accepted a second where
// the service's limit was 10, took the 10.2 it then accepted (held back by
// its rate, a few of its answers throttled) for a fall, and undid its
// cut: unlimited, it had 21 of its next 64 answers throttled.
func (s *classState) acceptedRate(now time.Time, share float64, n int, span float64, fromStart bool) float64 {
	from := s.firstAt.Add(burstSpan)
	if !fromStart || s.observed > ringSize || now.Sub(from).Seconds() < minSpan {
		return float64(n) * (1 - share) / math.Max(span, minSpan)
	}
	good := 0
	for i := range s.ringN {
		if o := s.ring[i]; !o.throttled && !o.at.Before(from) {
			good++
		}
	}
	return float64(good) / now.Sub(from).Seconds()
}

// startVerdict opens the judging of a cut, unless one is open (its window
// judges this cut too) or the pre-window's share is too small to judge.
func (s *classState) startVerdict(now time.Time) {
	pre, n, span, fromStart := s.preWindow(now)
	s.sinceN, s.sinceK = 0, 0
	if s.verify != nil {
		return
	}
	if pre < minJudgedShare || pre*float64(n) < minJudgedThrottles-0.5 || mostRefused(pre, n) || s.ranDry(n) {
		// Not judged: it stands. An undo later restores the state before
		// the first of such cuts since the last judged one.
		if s.period == nil {
			snap := s.snap()
			s.period = &snap
		}
		return
	}
	s.verify = &verdict{at: now, from: s.sent, queued: s.queued, need: judgedNeed(pre),
		pre: pre, preN: n, preGood: s.acceptedRate(now, pre, n, span, fromStart),
		floor: float64(n) / math.Max(span, 1) / 2, before: s.snap()}
}

// floorAt returns the floor of the window's cuts at now: half the
// pre-window's answer rate, and past maxVerifyTime (a slow class's window
// kept open) no more than β times its accepted rate. Half the answers is
// above what the service accepted when most were throttled: held there
// for 15 s, a class throttled by its own rate would be held above the
// limit for the whole window (in the simulation of a limit of one a
// second, 66% of its answers throttled instead of 25%).
func (v *verdict) floorAt(now time.Time) float64 {
	if now.Sub(v.at) < maxVerifyTime {
		return v.floor
	}
	return math.Min(v.floor, Beta*v.preGood)
}

// judge counts one answer to a request sent after the cut being judged and,
// at the end of its window, decides; it returns true when it undid the
// window's cuts.
func (s *classState) judge(now time.Time, throttled bool, cubicWindow func(lastMax float64) float64) (undone bool) {
	v := s.verify
	if v == nil || s.observed <= v.from {
		return false
	}
	if v.n == 0 {
		v.first = now
	}
	v.n++
	if throttled {
		v.k++
	}
	// Open: not at its count nor at its time yet; or at its time with
	// fewer than minJudged/2 answers, which tell the share's fall from
	// chance too poorly (a slow class: its window stays open until it has
	// them, at most maxSlowVerifyTime), unless the cut holds more than
	// maxVerifyTime of requests waiting (a slow class whose demand rose:
	// held at the cut rate for 15 s, its calls ran out of time waiting).
	open := now.Sub(v.at)
	backlog := s.enabled && s.next-s.released > s.fill*maxVerifyTime.Seconds()
	if v.n < v.need && open < maxVerifyTime || v.n < minJudged/2 && open < maxSlowVerifyTime && !backlog {
		return false
	}
	s.verify = nil
	post := float64(v.k) / float64(v.n)
	pooled := float64(int(v.pre*float64(v.preN)+0.5)+v.k) / float64(v.preN+v.n)
	sd := math.Sqrt(pooled * (1 - pooled) * (1/float64(v.preN) + 1/float64(v.n)))
	good := float64(v.n-v.k) / math.Max(now.Sub(v.first).Seconds(), minSpan)
	// The accepted rate holding shows a cut was the class's own only if the
	// rate held the class back after it: a class that sent what its demand
	// asked, its requests finding tokens banked, is accepted as much
	// whatever the cause of its throttles.
	waited, _ := s.mostWaited(v.from, v.queued)
	held := good > goodputDrop*v.preGood && waited
	// On fewer than minJudged/2 answers (a window closed at
	// maxSlowVerifyTime, or with a backlog) a fall of the share by fellBy
	// standard deviations is chance one window in seven at half of all
	// answers throttled at random, and three of four throttled one in
	// three: neither makes a cut stand, and a share of maxBackground or
	// more only if significantly so. (Slow classes spiralled down cut after
	// cut on such windows.)
	enough := v.n >= minJudged/2
	fell := v.pre-post > fellBy*sd && enough
	most := post >= maxBackground && (enough || mostRefused(post, v.n))
	if fell || post <= v.pre/3 || held || most {
		// The cuts stand: the share fell, or the accepted rate held, or
		// most requests are refused. On fewer than minJudged/2 answers
		// they stand as if unjudged, so that an undo later restores the
		// state before them too.
		switch {
		case enough:
			s.period = nil
		case s.period == nil:
			s.period = &v.before
		}
		return false
	}
	if !waited && !v.again && s.enabled {
		// A cut that never slowed the class (most requests found tokens:
		// its window's floor kept the rate above the class's demand) tested
		// nothing: the share did not fall because the rate did not. Test
		// it once more at β times what the class sent in the window.
		s.retest(now, v, post, good, cubicWindow)
		return false
	}
	b := v.before
	if s.period != nil {
		b = *s.period // the unjudged cuts before it were as spurious
		s.period = nil
	}
	s.enabled, s.fill, s.capacity, s.calculated = b.enabled, b.fill, b.capacity, b.calc
	// The curve's plateau is the restored rate (not an older, lower one a
	// demand-limited class would be held at), reached now.
	s.lastMax = math.Max(b.lastMax, b.fill)
	s.window = b.window
	if s.enabled {
		s.window = cubicWindow(s.lastMax)
	}
	s.lastThrottle = now.Add(-time.Duration(s.window * float64(time.Second)))
	s.released = math.Min(s.released, s.next+s.capacity)
	s.bg = math.Min((v.pre+post)/2, maxBackground)
	s.ceiling = 0
	if s.enabled {
		s.ceiling = math.Max(s.fill, s.calculated)
	}
	s.winN, s.winK = 0, 0
	s.stable = 0
	s.undone++
	return true
}

// retest opens a second window for the cuts of v, whose window (share
// post, accepted rate good) showed they never slowed the class: the rate
// is cut to β times the window's answer rate (what the class sent: its
// demand), no lower within the new window, and judged again on the
// window's share; an undo restores the state before v's cuts. A stage
// whose demand is the service's limit, judged on a first window floored
// above it, had its own throttles learned as background and ran unlimited
// (the fleet benchmark: 25–60 of its 300 calls throttled); under
// throttling it did not cause the share stays and the cut is undone one
// window later.
func (s *classState) retest(now time.Time, v *verdict, post, good float64, cubicWindow func(lastMax float64) float64) {
	sent := float64(v.n) / math.Max(now.Sub(v.first).Seconds(), 1)
	use := math.Min(sent, s.fill)
	s.fill = math.Min(s.fill, Beta*use)
	s.capacity = bank(s.fill)
	s.cutFrom(now, use, cubicWindow, false)
	s.verify = &verdict{at: now, from: s.sent, queued: s.queued, need: judgedNeed(post),
		pre: post, preN: v.n, preGood: good, floor: s.fill, before: v.before, again: true}
}

// judgedNeed returns how many answers the window of a cut judged on a
// pre-window throttled at share counts: enough for about five throttles
// at that share, minJudged to maxJudged.
func judgedNeed(share float64) int { return int(clamp(math.Ceil(5/share), minJudged, maxJudged)) }

// windowFor returns the number of answers a background window counts: enough
// for about eight expected throttles, 64 to 160.
func windowFor(bg float64) int {
	return int(clamp(math.Ceil(8/math.Max(bg, 0.01)), 48, 160))
}

// excess counts an answer in the background window and reports whether the
// window just closed with more throttles than the background share allows
// (three standard deviations and three points above it); b is then
// forgotten. A window with significantly fewer (2.5 standard deviations)
// moves the share halfway to its own; a share below bgForget is dropped.
func (s *classState) excess(now time.Time, throttled bool) bool {
	if s.winN == 0 {
		s.winAt, s.winSent, s.winQueued = now, s.sent, s.queued
	}
	s.winN++
	if throttled {
		s.winK++
	}
	// The bound of a whole window: when its throttles so far exceed it,
	// the window's outcome is certain, and it is decided now rather than
	// windowFor answers later (a class taking its own throttles for
	// background sends into them until then).
	n := windowFor(s.bg)
	over := float64(s.winK) > (s.bg+3*math.Sqrt(s.bg*(1-s.bg)/float64(n))+0.03)*float64(n)
	// A slow class's window also closes after maxVerifyTime, once it has
	// minBgWindow answers: at 48 answers a window, a class at two a second
	// probed past its ceiling once in 24 s (half-throttled lifecycles: a
	// ceiling learned at 1.9 a second held 27 calls waiting for 26 s).
	timeUp := s.winN >= minBgWindow && now.Sub(s.winAt) >= maxVerifyTime
	if s.winN < n && !over && !timeUp {
		return false
	}
	f := float64(s.winK) / float64(s.winN)
	sd := math.Sqrt(s.bg * (1 - s.bg) / float64(s.winN))
	s.winN, s.winK = 0, 0
	switch {
	case over:
		// More than the background explains: the class's own rate (or a
		// new cause) is back.
		s.bg = 0
		return true
	case f < s.bg-2.5*sd:
		s.bg = (s.bg + f) / 2
		if s.bg < bgForget {
			s.bg = 0
		}
	default:
		// As many throttles as the background explains: probe a little
		// higher, so that a ceiling learned at a rate already cut does not
		// hold the class below its demand. The share is not moved up: a
		// share that creeps up with the class's (or its neighbours') rate
		// must not pass for background. A class held by its ceiling (most
		// of the window's requests waited for a token) with no more
		// throttles than b raises it by half: its demand is above it, and
		// a ceiling restored at a rate cut for nothing held a slow class's
		// calls waiting for a minute at a fifth a window.
		if waited, sent := s.mostWaited(s.winSent, s.winQueued); f <= s.bg && waited && sent > 0 {
			s.ceiling *= ceilingRaise
		} else {
			s.ceiling *= ceilingProbe
		}
	}
	return false
}

func clamp(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }

// mostRefused reports whether a throttled share of n answers is
// significantly (two standard deviations) at maxBackground or above: the
// service refusing most requests, which is never taken for background.
func mostRefused(share float64, n int) bool {
	return share-2*math.Sqrt(share*(1-share)/float64(max(n, 1))) >= maxBackground
}

// mostWaited reports whether at least half the requests sent since s.sent
// and s.queued were sent0 and queued0 waited for a token (the rate, not the
// demand, held them; true when none was sent), and how many were sent.
func (s *classState) mostWaited(sent0, queued0 uint64) (bool, uint64) {
	sent := s.sent - sent0
	return 2*(s.queued-queued0) >= sent, sent
}

// ranDry reports whether the last n remembered answers (at most the ring)
// are successes and then throttles, with at most one success in four
// throttles after the first throttle (the tokens the service's bucket
// earns meanwhile): the bucket ran out and stayed out, the signature of
// the class's own burst. Throttling independent of the rate falls among
// the successes instead: for 6 throttles among 20 answers at random, all
// but one success before them has a chance of 0.02%.
func (s *classState) ranDry(n int) bool {
	m := min(n, s.ringN)
	k, after := 0, 0
	for i := m; i >= 1; i-- {
		switch {
		case s.ring[(s.ringPos-i+ringSize)%ringSize].throttled:
			k++
		case k > 0:
			after++
		}
	}
	return k > 0 && 4*after <= k
}
