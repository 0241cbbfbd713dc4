package ratelimit

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"
)

// CUBIC constants and defaults of [Adaptive], as aws-sdk-go-v2's adaptive
// retry mode.
const (
	// Beta is the multiplicative decrease: after a throttle the send rate
	// becomes Beta times the rate that was throttled.
	Beta = 0.7
	// ScaleConstant is CUBIC's C, the default of [WithScaleConstant]: how
	// fast the rate grows back, in requests per second per second cubed.
	ScaleConstant = 0.4
	// ScaleReferenceRate is the rate, in requests per second, below which
	// the default C shrinks in proportion (C·W/40 at a throttled rate W):
	// aws-sdk-go-v2's C is absolute, so it probes relatively harder the
	// lower the rate (at 10 requests per second it doubled the throttled
	// fraction in the simulation), while the absolute spare capacity there
	// is small anyway. [WithScaleConstant] fixes C at every rate.
	ScaleReferenceRate = 40.0
	// Smoothing is the weight of the newest half-second bucket in the
	// measured send rate (an exponentially weighted moving average).
	Smoothing = 0.8
	// DefaultMinRate is the slowest send rate, in requests per second.
	DefaultMinRate = 0.5
	// MaxSleepSlice is the longest single sleep inside Wait: a waiter
	// re-reads the (possibly changed) rate at least this often, so that a
	// rate increase reaches waiters deep in the queue within a second
	// (sleeping longer, up to half the predicted wait, was measured to leave
	// the service idle after increases: 58% of R instead of 99%).
	MaxSleepSlice = time.Second
	// MaxPause bounds the pause of [Adaptive.Pause]: a longer retry delay
	// (a quota, say) is for the retry policy of the request it came with to
	// honour, not a reason to hold every request of the class.
	MaxPause = 5 * time.Second
	// MaxEpisode bounds how long after a cut further throttles may count as
	// the same episode (see the package documentation).
	MaxEpisode = 2 * time.Second
	// DefaultInitialWindow is the default of [WithInitialWindow]: how many
	// requests of a class that is not limited yet may await their answers
	// at once before the first answer arrives (TCP's initial window).
	DefaultInitialWindow = 10
	// SlowStartGrowth is how much the slow start's window widens per
	// answer that is not a throttle: by half per round trip, not TCP's
	// doubling. The round in which the service's burst runs out is sent
	// whole before its first answer, and at 1 request per answer it is
	// twice the burst (the fleet benchmark's 300 creates against a burst of
	// 10: 19–35 create throttles a run, 10–21 of them within 20 ms; at
	// 0.5, 17–25, the simulation of random throttling at 50% no worse; at
	// 0.25 two limiters sharing a limit pushed each other to 53%
	// throttled).
	SlowStartGrowth = 0.5
	// bankSpan is how much of its rate a limited class may bank: tokens
	// earned while its demand is below the rate, spent at once by a burst
	// of it. A quarter of a second, not aws-sdk-go-v2's second: a class
	// limited above the service's limit banks the difference while the
	// service's own bucket stays empty, and its next clump of demand went
	// out at once into it (in the fleet benchmark, the pipeline stages,
	// whose demand is the limit: 5.4–6.2 throttles a run each, 4.9–5.1
	// with a quarter of a second; the simulations, whose clients are
	// backlogged, identical).
	bankSpan = 250 * time.Millisecond
	// slowStartPoll is how often a request held by slow start looks again
	// whether an answer has arrived.
	slowStartPoll = 5 * time.Millisecond
	// sameCeiling is how close (a share of the last throttled rate) a cut's
	// throttled rate must be to the last one for the two to find the same
	// ceiling.
	sameCeiling = 0.15
	// minAcceptedSpan and minAccepted are the least time and successes
	// since the last cut that the accepted rate of a cut's plateau is
	// counted over (see acceptedSinceCut).
	minAcceptedSpan = time.Second
	minAccepted     = 10
	// maxSlowdowns is how many times a class that keeps finding the same
	// ceiling doubles the time from a cut to probing past it (see stable).
	maxSlowdowns = 2
	// increaseReportFactor is how much the rate must grow (or shrink through
	// low demand) since the last OnChange report to be reported again.
	increaseReportFactor = 1.1
)

// Reasons passed to the OnChange hook of [Adaptive].
const (
	// ReasonThrottle: the service throttled a request; the rate was cut
	// (and limiting was switched on if it was off).
	ReasonThrottle = "throttle"
	// ReasonProbe: successes let the rate grow along the CUBIC curve by at
	// least 10% since the last report (or up to the maximum rate).
	ReasonProbe = "probe"
	// ReasonDemand: the rate fell by at least 10% since the last report
	// because the measured demand fell (the rate never exceeds twice the
	// measured send rate).
	ReasonDemand = "demand"
	// ReasonUndo: a cut was undone because the throttles went on at the same
	// share whatever the rate (see the package documentation).
	ReasonUndo = "undo"
)

// AdaptiveOption configures [NewAdaptive].
type AdaptiveOption func(*adaptiveConfig)

type adaptiveConfig struct {
	clock    Clock
	minRate  float64
	maxRate  float64
	initial  float64
	onChange func(class string, rate float64, reason string)
	everyCut bool
	noUndo   bool
	scale    float64
	// fixedScale: WithScaleConstant set C, which then applies at every rate.
	fixedScale bool
	window     int
}

// WithClock sets the time source (default [SystemClock]). A nil clock is
// ignored.
func WithClock(c Clock) AdaptiveOption {
	return func(cfg *adaptiveConfig) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// WithMinRate sets the slowest send rate per class in requests per second
// (default [DefaultMinRate], 0.5). Values <= 0 or not finite are ignored.
func WithMinRate(rps float64) AdaptiveOption {
	return func(cfg *adaptiveConfig) {
		if rps > 0 && !math.IsInf(rps, 0) {
			cfg.minRate = rps
		}
	}
}

// WithMaxRate caps the send rate per class, in requests per second, while
// limiting is on (default: no cap). It does not switch limiting on by
// itself: combine it with [WithInitialRate] to pace from the first request.
// Values <= 0 or NaN are ignored.
func WithMaxRate(rps float64) AdaptiveOption {
	return func(cfg *adaptiveConfig) {
		if rps > 0 && !math.IsNaN(rps) {
			cfg.maxRate = rps
		}
	}
}

// WithInitialRate switches limiting on from the start for every class, at
// rps requests per second, with a full bucket; the CUBIC curve starts at its
// plateau at rps, as if rps had just been recovered after a throttle.
// Without it (the default, as aws-sdk-go-v2) a class is not limited until its
// first throttle. Values <= 0 or not finite are ignored.
func WithInitialRate(rps float64) AdaptiveOption {
	return func(cfg *adaptiveConfig) {
		if rps > 0 && !math.IsInf(rps, 0) {
			cfg.initial = rps
		}
	}
}

// WithOnChange sets a hook for logs and metrics, called (outside any lock,
// from the goroutine that called Observe) with the class, its new send rate
// in requests per second and one of [ReasonThrottle], [ReasonProbe] or
// [ReasonDemand]. It is called on every throttle and whenever the rate has
// moved by 10% since the last call for that class. Calls for one class from
// different goroutines may arrive out of order. The hook must not block.
func WithOnChange(fn func(class string, rate float64, reason string)) AdaptiveOption {
	return func(cfg *adaptiveConfig) { cfg.onChange = fn }
}

// WithScaleConstant sets CUBIC's C (default [ScaleConstant], 0.4, as
// aws-sdk-go-v2): the rate climbs back to the throttled rate W in
// ∛(W·(1−β)/C) seconds and then grows by C·t³. C is absolute (requests per
// second per second cubed), so the same C probes relatively harder at low
// rates: a smaller C (0.05) halves the throttled fraction at 10 requests per
// second and lowers it at 1–5 (see the package documentation's figures), at
// the cost of finding spare capacity more slowly. Values <= 0 or not finite
// are ignored.
func WithScaleConstant(c float64) AdaptiveOption {
	return func(cfg *adaptiveConfig) {
		if c > 0 && !math.IsInf(c, 0) {
			cfg.scale, cfg.fixedScale = c, true
		}
	}
}

// WithInitialWindow sets the slow start of a class that is not limited yet
// (default [DefaultInitialWindow], 10): at most n of its requests may await
// their answers at once, and every answer that is not a throttle widens
// the window by [SlowStartGrowth] (half a request), so it grows by half per
// round trip (TCP's slow start doubles it). A
// caller that sends one request at a time never waits for it; a fleet that
// sends hundreds at once learns from the first answers before it floods the
// service. n < 0 switches slow start off (as aws-sdk-go-v2: unlimited until
// the first throttle); 0 keeps the default.
func WithInitialWindow(n int) AdaptiveOption {
	return func(cfg *adaptiveConfig) {
		if n != 0 {
			cfg.window = n
		}
	}
}

// WithoutUndo makes every cut stand, as in aws-sdk-go-v2: no cut is
// judged, none is undone, no background share is learned (see the package
// documentation on throttling the client did not cause), and any throttle
// cuts from the first answer on.
func WithoutUndo() AdaptiveOption {
	return func(cfg *adaptiveConfig) { cfg.noUndo = true }
}

// WithCutOnEveryThrottle makes every throttle cut the rate, as
// aws-sdk-go-v2 does. By default only the first throttle of an episode cuts
// it: the answers to requests that were already sent when the rate was cut
// (at most [MaxEpisode] later) do not cut it again.
func WithCutOnEveryThrottle() AdaptiveOption {
	return func(cfg *adaptiveConfig) { cfg.everyCut = true }
}

// Adaptive is a [Limiter] that learns, per action class, the rate the service
// accepts: aws-sdk-go-v2's adaptive retry mode (CUBIC), see the package
// documentation. The zero value is not usable; call [NewAdaptive].
type Adaptive struct {
	cfg     adaptiveConfig
	classes sync.Map // string -> *classState
}

// NewAdaptive returns an adaptive limiter. Every class starts unlimited and
// is limited from its first throttle on, unless [WithInitialRate] is given.
func NewAdaptive(opts ...AdaptiveOption) *Adaptive {
	cfg := adaptiveConfig{clock: SystemClock(), minRate: DefaultMinRate, maxRate: math.Inf(1), scale: ScaleConstant, window: DefaultInitialWindow}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.maxRate < cfg.minRate {
		cfg.maxRate = cfg.minRate
	}
	return &Adaptive{cfg: cfg}
}

// classState is one class's CUBIC state and send bucket, guarded by mu.
//
// The bucket hands out tickets in order: ticket k (0, 1, 2, ...) may be sent
// once released >= k+1; a waiter that gives up withdraws its ticket and the
// later ones move up. released grows at fill tokens per second and never
// exceeds next+capacity, so at most capacity unused tokens are banked. A
// waiter whose ticket is not covered yet sleeps for the shortfall at the
// current rate (at most MaxSleepSlice at a time), so waiters are served first
// come, first served, without a thundering herd at each token.
type classState struct {
	mu sync.Mutex

	enabled    bool
	fill       float64 // tokens per second
	capacity   float64 // bank(fill)
	released   float64 // tokens released so far
	next       float64 // next ticket number
	waiters    map[*waiter]struct{}
	lastRefill time.Time

	measured   float64 // smoothed send rate
	lastBucket int64   // index of the current half-second bucket
	count      int64   // observations in the current bucket

	calculated   float64
	lastMax      float64
	lastThrottle time.Time
	window       float64   // CUBIC's K, seconds from lastThrottle to lastMax
	cutAt        time.Time // when the rate was last cut (lastThrottle moves with the plateau's hold)
	cutSuccesses uint64    // successes then

	started time.Time // when the class was first seen
	firstAt time.Time // when its first answer came
	// stable counts the cuts in a row, none of them judged, that found
	// the ceiling the one before found (within sameCeiling), up to
	// maxSlowdowns: the curve stays at its plateau (2^stable − 1)·K
	// before it probes past it.
	stable    int
	measuring bool      // a measuring bucket has ended since started
	slowStart float64   // requests that may await answers while not enabled; <= 0 no bound
	pausedTil time.Time // no request before this while not enabled (Pause)

	sent       uint64    // requests Wait let through
	queued     uint64    // of which had to wait for a token (the rate, not the demand, held them)
	observed   uint64    // outcomes observed
	episodeEnd uint64    // observed count up to which throttles are the current episode's
	episodeTil time.Time // and the time limit of that

	reported float64 // rate last passed to OnChange
	// Throttling the client did not cause (background.go).
	ring       [ringSize]outcome // the last answers
	ringN      int               // answers in ring
	ringPos    int               // where the next goes
	verify     *verdict          // a cut being judged
	bg         float64           // the background share learned; 0 none
	winN, winK int               // answers and throttles of the background window
	winAt      time.Time         // when its first answer came
	winSent    uint64            // s.sent then
	winQueued  uint64            // s.queued then
	sinceN     int               // answers to requests sent after the last cut
	sinceK     int               // throttles among them
	sinceAt    time.Time         // when the first of them came
	undone     uint64            // cuts undone
	ceiling    float64           // while bg > 0, the rate is not probed above this (0: no ceiling)
	period     *snapshot         // the state before the first unjudged cut since the last judged one
	throttles  uint64
	successes  uint64
	held       uint64 // throttles that did not cut (same episode)
}

// halfSecondBucket returns the index of t's half-second bucket (floored, also
// before 1970).
// waiter is a Wait call that is sleeping for its ticket.
type waiter struct{ ticket float64 }

func halfSecondBucket(t time.Time) int64 {
	const half = int64(500 * time.Millisecond)
	ns := t.UnixNano()
	b := ns / half
	if ns%half < 0 {
		b--
	}
	return b
}

func (a *Adaptive) state(class string) *classState {
	if s, ok := a.classes.Load(class); ok {
		return s.(*classState)
	}
	now := a.cfg.clock.Now()
	s := &classState{lastBucket: halfSecondBucket(now), lastThrottle: now, lastRefill: now, capacity: 1,
		started: now, slowStart: float64(a.cfg.window)}
	if r := a.cfg.initial; r > 0 {
		r = math.Min(math.Max(r, a.cfg.minRate), a.cfg.maxRate)
		s.enabled, s.measuring = true, true
		s.fill, s.calculated, s.lastMax, s.measured, s.reported = r, r, r, r, r
		s.capacity = bank(r)
		s.released = s.capacity
		s.window = math.Cbrt(r * (1 - Beta) / a.cfg.scale) // not throttled yet: the configured C
		s.lastThrottle = now.Add(-time.Duration(s.window * float64(time.Second)))
	}
	actual, _ := a.classes.LoadOrStore(class, s)
	return actual.(*classState)
}

// bank returns the most tokens a class limited at fill may bank:
// bankSpan of its rate, at least one.
func bank(fill float64) float64 { return math.Max(fill*bankSpan.Seconds(), 1) }

func (a *Adaptive) cubicWindow(lastMax float64) float64 {
	return math.Cbrt(lastMax * (1 - Beta) / a.scaleAt(lastMax))
}

// scaleAt is CUBIC's C for a class last throttled at lastMax: the
// configured C, scaled down in proportion below [ScaleReferenceRate] unless
// [WithScaleConstant] fixed it. A class limited from the start by
// [WithInitialRate] and never throttled probes with the configured C: its
// rate is a guess, not a ceiling the service showed.
func (a *Adaptive) scaleAt(lastMax float64) float64 {
	if a.cfg.fixedScale || lastMax >= ScaleReferenceRate {
		return a.cfg.scale
	}
	return a.cfg.scale * math.Max(lastMax, a.cfg.minRate) / ScaleReferenceRate
}

// refill adds the tokens earned since the last refill.
func (s *classState) refill(now time.Time) {
	if dt := now.Sub(s.lastRefill).Seconds(); dt > 0 && s.enabled {
		s.released = math.Min(s.released+dt*s.fill, s.next+s.capacity)
	}
	if now.After(s.lastRefill) {
		s.lastRefill = now
	}
}

// Wait blocks until one request of class may be sent, or ctx ends. While
// class is not limited (before its first throttle) it returns at once. When
// ctx has a deadline and the predicted wait at the current rate ends after
// it (or, before the class is limited, a pause ends after it), Wait gives
// up at once with a [*WaitError] whose Predicted is true; it never sleeps
// past the deadline.
// A waiter that gives up withdraws its place; the waiters behind it move up.
func (a *Adaptive) Wait(ctx context.Context, class string) error {
	if err := ctx.Err(); err != nil {
		return &WaitError{Class: class, Err: err}
	}
	s := a.state(class)
	clock := a.cfg.clock
	deadline, hasDeadline := ctx.Deadline()
	start := clock.Now()
	s.mu.Lock()
	for !s.enabled && (s.slowStart > 0 && float64(s.sent-min(s.observed, s.sent)) >= s.slowStart || clock.Now().Before(s.pausedTil)) {
		// Slow start: wait for an answer (or for limiting to switch on, or
		// the end of a pause), looking again every slowStartPoll on the
		// limiter's clock; never past ctx's deadline, and not at all for a
		// pause that ends after it.
		now := clock.Now()
		if late := hasDeadline && s.pausedTil.After(deadline); late || hasDeadline && !now.Before(deadline) {
			s.mu.Unlock()
			return &WaitError{Class: class, Waited: now.Sub(start), Predicted: late, Err: context.DeadlineExceeded}
		}
		nap := slowStartPoll
		if left := s.pausedTil.Sub(now); left > 0 {
			nap = min(left, MaxSleepSlice)
		}
		if hasDeadline {
			nap = min(nap, deadline.Sub(now))
		}
		s.mu.Unlock()
		if err := clock.Sleep(ctx, nap); err != nil {
			return &WaitError{Class: class, Waited: clock.Now().Sub(start), Err: err}
		}
		s.mu.Lock()
	}
	if !s.enabled {
		s.sent++
		s.mu.Unlock()
		return nil
	}
	now := clock.Now()
	s.refill(now)
	if s.released >= s.next+1 { // a token is banked: the fast path
		s.next++
		s.sent++
		s.mu.Unlock()
		return nil
	}
	w := &waiter{ticket: s.next}
	s.next++
	if s.waiters == nil {
		s.waiters = map[*waiter]struct{}{}
	}
	s.waiters[w] = struct{}{}
	for {
		if s.released >= w.ticket+1 || !s.enabled { // covered, or limiting undone
			delete(s.waiters, w)
			s.sent++
			s.queued++
			s.mu.Unlock()
			return nil
		}
		wait := time.Duration((w.ticket + 1 - s.released) / s.fill * float64(time.Second))
		if wait < time.Nanosecond {
			wait = time.Nanosecond
		}
		if hasDeadline && now.Add(wait).After(deadline) {
			s.giveUp(w)
			s.mu.Unlock()
			return &WaitError{Class: class, Waited: now.Sub(start), Predicted: true, Err: context.DeadlineExceeded}
		}
		s.mu.Unlock()
		err := clock.Sleep(ctx, min(wait, MaxSleepSlice))
		s.mu.Lock()
		now = clock.Now()
		s.refill(now)
		if err != nil {
			s.giveUp(w)
			s.mu.Unlock()
			return &WaitError{Class: class, Waited: now.Sub(start), Err: err}
		}
	}
}

// Pause tells the limiter that the service, in its answer to a throttled
// request of class, asked to wait d before the next one (its retry delay:
// the time until its own bucket has a token again). No request of the class
// goes before then, not only that one's retry: a limited class's bucket,
// with the tokens of waiters that have not gone yet, is debited by d's
// worth of tokens (its first waiter goes d and one slot later); a class
// not limited yet holds its requests until then, and its slow start
// starts again from one request (the service's bucket is empty: a
// window's worth sent at once would all be throttled). Call it after
// Observe. d <= 0 does nothing; a longer d than MaxPause holds the class
// MaxPause.
func (a *Adaptive) Pause(class string, d time.Duration) {
	if d <= 0 {
		return
	}
	d = min(d, MaxPause)
	s := a.state(class)
	now := a.cfg.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.enabled {
		if til := now.Add(d); til.After(s.pausedTil) {
			s.pausedTil = til
		}
		if s.slowStart > 0 {
			s.slowStart = 1
		}
		return
	}
	s.refill(now)
	s.released = math.Min(s.released, s.unsent()-s.fill*d.Seconds())
}

// unsent returns the first ticket not sent yet: the lowest of the waiters'
// tickets, or the next ticket when nobody waits. Tokens released up to it
// have gone out; tokens beyond it cover waiters that are still asleep (a
// waiter sleeps until the coverage it predicted at the rate of its last
// look, so a rate that rose since covers it earlier), and a cut or a pause
// takes them back: the service's bucket is empty.
func (s *classState) unsent() float64 {
	first := s.next
	for w := range s.waiters {
		first = math.Min(first, w.ticket)
	}
	return first
}

// giveUp withdraws w's ticket: every later ticket moves one place forward,
// so the waiters behind w take its place and nobody gets an extra token.
func (s *classState) giveUp(w *waiter) {
	delete(s.waiters, w)
	for o := range s.waiters {
		if o.ticket > w.ticket {
			o.ticket--
		}
	}
	s.next--
}

// Observe reports the outcome of a request of class. A throttle records the
// rate that was throttled (the lower of the measured send rate and the
// current rate), cuts the rate to Beta times it and switches limiting on; any
// other outcome lets the rate grow along the CUBIC curve. The new rate is
// never above twice the measured send rate, and stays within the minimum and
// maximum rates.
func (a *Adaptive) Observe(class string, throttled bool) {
	s := a.state(class)
	now := a.cfg.clock.Now()
	s.mu.Lock()
	s.updateMeasured(now)
	s.observed++
	s.remember(now, throttled)
	if !throttled && !s.enabled && s.slowStart > 0 {
		s.slowStart += SlowStartGrowth
	}
	// Whether this answer cuts the rate (background.go: a cut being judged,
	// or a background share learned, holds single throttles).
	undone := !a.cfg.noUndo && s.judge(now, throttled, a.cubicWindow)
	cut := false
	switch {
	case undone:
	case s.bg > 0:
		cut = s.verify == nil && s.excess(now, throttled)
	case throttled && (a.cfg.noUndo || s.ringN >= minEvidence):
		// An answer to a request sent before the last cut is already paid
		// for (the episode).
		cut = a.cfg.everyCut || !s.enabled || s.observed > s.episodeEnd || !now.Before(s.episodeTil)
	}
	if throttled {
		s.throttles++
		if !cut {
			s.held++
		}
	}
	if throttled && !cut && !undone {
		s.mu.Unlock()
		return
	}
	if cut && !a.cfg.noUndo {
		s.startVerdict(now)
	}
	if cut {
		// The answers to everything in flight now are this episode's; twice
		// that count allows for answers arriving out of order.
		s.episodeEnd = s.sent + (s.sent - min(s.observed, s.sent))
		s.episodeTil = now.Add(MaxEpisode)
		use := s.measured
		if !s.measuring {
			// No measuring bucket has ended since the class started: the
			// measured rate is not known yet (it would be 0 and cut to the
			// floor). What the service accepted so far is: the successes per
			// second since the start (over at least a second, as the
			// service's burst is typically a second of its rate).
			use = float64(s.successes) / math.Max(now.Sub(s.started).Seconds(), 1)
		}
		if s.enabled {
			use = math.Min(use, s.fill)
		}
		if v := s.verify; v != nil {
			// A cut within a judged window goes no lower than most of
			// the rate the service accepted before it (background.go):
			// the curve restarts from there.
			use = math.Max(use, v.floorAt(now)/Beta)
		}
		own := s.verify == nil && s.bg == 0 // the class's own cut: not judged, no background learned
		if acc, ok := s.acceptedSinceCut(now); ok && acc < use && s.enabled && own {
			// The rate at a throttle overshoots the limit; the accepted
			// rate since the last cut is at most the limit (see
			// acceptedSinceCut): the plateau is the middle of the two, at
			// most sameCeiling below the measured rate (an accepted rate
			// far below it is a full bucket's waste, or demand that
			// ebbed, not the limit).
			use = math.Max((use+acc)/2, (1-sameCeiling)*use)
		}
		// The same ceiling again (and the cut is the class's own: not
		// judged, no background learned): stay at the plateau longer
		// before probing past it, as CUBIC lingers at a window it keeps
		// losing packets at. The climb back keeps its speed, so a limit
		// that holds costs the same throughput with fewer probing
		// throttles; a limit that rises is found up to four times later.
		// A cut at another ceiling (a limit that fell) starts the count
		// again.
		if own && s.lastMax > 0 && math.Abs(use-s.lastMax) <= sameCeiling*s.lastMax {
			s.stable = min(s.stable+1, maxSlowdowns)
		} else {
			s.stable = 0
		}
		if !s.enabled {
			s.enabled = true
			s.lastRefill = now
		}
		s.cutFrom(now, use, a.cubicWindow, own)
	} else if !throttled {
		s.successes++
		d := now.Sub(s.lastThrottle).Seconds() - s.window
		if d > 0 {
			d = math.Max(d-(math.Exp2(float64(s.stable))-1)*s.window, 0) // held at the plateau
		}
		if s.enabled && d > 0 {
			s.refill(now)
			if s.released-s.next >= 1 {
				// Past the plateau but limited by demand, not by the rate (a
				// token is banked, nobody waits): probing above the last
				// throttled rate would measure nothing, and the rate it
				// reached would send the next burst of demand above the
				// service's limit. Hold at the plateau (RFC 7661's rule for
				// an application-limited sender): probing resumes from there
				// once demand fills the rate. With a background share
				// learned, the plateau is where the class is (within its
				// ceiling): its throttles are not its rate's, so what it
				// reached is not an excess.
				if lm := math.Min(s.calculated, s.ceiling); s.bg > 0 && lm > s.lastMax {
					s.lastMax = lm
					s.window = a.cubicWindow(s.lastMax)
				}
				s.lastThrottle = now.Add(-time.Duration(s.window * float64(time.Second)))
				d = 0
			}
		}
		c := a.cfg.scale // an initial rate never throttled: the configured C
		if s.throttles > s.held {
			c = a.scaleAt(s.lastMax)
		}
		s.calculated = c*d*d*d + s.lastMax
		if s.bg > 0 && s.ceiling > 0 {
			// Background throttling learned: the rate is not probed above
			// where the class was when it learned it (background.go).
			s.calculated = math.Min(s.calculated, s.ceiling)
		}
		if v := s.verify; v != nil && v.again {
			// A cut tested again is tested at one rate (background.go).
			s.calculated = math.Min(s.calculated, v.floor)
		}
	}
	if !s.enabled { // a cut before any limiting was undone
		s.mu.Unlock()
		return
	}
	s.refill(now)
	demand := s.measured
	if !s.measuring {
		// Not measured yet: the accepted rate of the cold cut stands for it.
		demand = math.Max(demand, s.lastMax)
	}
	s.fill = math.Min(math.Max(math.Min(s.calculated, 2*demand), a.cfg.minRate), a.cfg.maxRate)
	if v := s.verify; v != nil && v.floorAt(now) > s.fill {
		s.fill = math.Min(v.floorAt(now), a.cfg.maxRate) // see the cut above
	}
	s.capacity = bank(s.fill)
	s.released = math.Min(s.released, s.next+s.capacity)

	reason := ""
	switch {
	case undone:
		reason = ReasonUndo
	case throttled:
		reason = ReasonThrottle
	case !s.enabled:
	case s.fill >= s.reported*increaseReportFactor || (s.fill == a.cfg.maxRate && s.reported < s.fill):
		reason = ReasonProbe
	case s.fill*increaseReportFactor <= s.reported:
		reason = ReasonDemand
	}
	rate := s.fill
	if reason != "" {
		s.reported = rate
	}
	s.mu.Unlock()
	if reason != "" && a.cfg.onChange != nil {
		a.cfg.onChange(class, rate, reason)
	}
}

// cutFrom cuts the rate to β·use: the curve restarts from there towards
// its plateau at use, and the bucket is emptied. The service just said its
// own is empty, and the tokens banked at the old rate would send a burst
// straight into it (measured in the fleet benchmark: the retries of one
// episode's throttles, sent on banked tokens, were throttled again and cut
// the rate five to seven times within a second, from 16/s to 1.7/s).
// With revoke (the class's own cut: not judged, no background share
// learned) the tokens of waiters still asleep go back too (see unsent):
// they were earned at the old rate, and each of them sent after the cut
// met the empty bucket and cut again as a new episode (in the pipeline
// simulation, BenchmarkPipeline, a stage probing at 20/s fell to 4.3/s in
// three cuts within 120 ms). A judged cut, or one with a background share
// learned, may be a throttle the rate did not cause: it leaves them.
func (s *classState) cutFrom(now time.Time, use float64, cubicWindow func(lastMax float64) float64, revoke bool) {
	s.lastMax, s.window, s.lastThrottle = use, cubicWindow(use), now
	s.cutAt, s.cutSuccesses = now, s.successes
	s.calculated = use * Beta
	s.refill(now)
	if revoke {
		s.released = math.Min(s.released, s.unsent())
	} else {
		s.released = math.Min(s.released, s.next)
	}
}

// acceptedSinceCut returns the rate the service accepted since the class's
// last cut: its successes over the time since (ok when that is at least
// minAcceptedSpan and minAccepted successes). The service's bucket was
// empty at that cut and is empty at this one, so what it accepted in
// between is what it earned: its limit, less the tokens it could not bank
// because its bucket was full (a lower bound then). The rate measured at
// a throttle is above the limit: while the class climbed back from its
// last cut below the limit the service banked tokens, which let it run
// above the limit until they were spent. In the fleet benchmark (alb) the
// configuration stages' plateaus were 10.3–11.9 a second for a limit of
// 10, so a class held at its plateau was throttled every 2–3 s; the
// accepted rates since their cuts were 9.9–10.0.
func (s *classState) acceptedSinceCut(now time.Time) (float64, bool) {
	d := now.Sub(s.cutAt)
	n := s.successes - s.cutSuccesses
	if s.cutAt.IsZero() || d < minAcceptedSpan || n < minAccepted {
		return 0, false
	}
	return float64(n) / d.Seconds(), true
}

// updateMeasured counts one observation and, when a half-second bucket has
// ended, folds its rate into the smoothed measured rate.
func (s *classState) updateMeasured(now time.Time) {
	b := halfSecondBucket(now)
	s.count++
	if b > s.lastBucket {
		s.measuring = s.measuring || b-1 > halfSecondBucket(s.started)
		current := float64(s.count) / (float64(b-s.lastBucket) / 2)
		s.measured = current*Smoothing + s.measured*(1-Smoothing)
		s.count = 0
		s.lastBucket = b
	}
}

// Stats is a snapshot of one class's state, for tests and metrics.
type Stats struct {
	// Enabled is true once the class is limited (after its first throttle,
	// or from the start with WithInitialRate).
	Enabled bool
	// Rate is the send rate in requests per second; +Inf while not Enabled.
	Rate float64
	// MeasuredRate is the smoothed rate of observed requests per second.
	MeasuredRate float64
	// LastMaxRate is the rate that was last throttled (CUBIC's W_max).
	LastMaxRate float64
	// Tokens is the number of banked tokens; negative when requests are
	// waiting (the number of waiters not yet covered).
	Tokens float64
	// Throttles and Successes count the outcomes observed.
	Throttles, Successes uint64
	// HeldThrottles counts the throttles that did not cut the rate because
	// the cut for their episode had already been made.
	HeldThrottles uint64
	// Sent counts the requests Wait let through.
	Sent uint64
	// Background is the share of answers the class learned to expect
	// throttled whatever its rate (see the package documentation); 0 while
	// no throttling of that kind was seen.
	Background float64
	// Undone counts the cuts undone because they did not make the service
	// throttle less.
	Undone uint64
}

// Stats returns a snapshot of class's state (refilled to now). An unknown
// class reports Rate +Inf and zeros.
func (a *Adaptive) Stats(class string) Stats {
	v, ok := a.classes.Load(class)
	if !ok {
		return Stats{Rate: math.Inf(1)}
	}
	s := v.(*classState)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refill(a.cfg.clock.Now())
	st := Stats{
		Enabled: s.enabled, Rate: s.fill, MeasuredRate: s.measured, LastMaxRate: s.lastMax,
		Tokens: s.released - s.next, Throttles: s.throttles, Successes: s.successes,
		HeldThrottles: s.held, Sent: s.sent, Background: s.bg, Undone: s.undone,
	}
	if !s.enabled {
		st.Rate = math.Inf(1)
		st.Tokens = 0
	}
	return st
}

// Rate returns class's send rate in requests per second, or +Inf while the
// class is not limited.
func (a *Adaptive) Rate(class string) float64 { return a.Stats(class).Rate }

// Classes returns the classes seen so far, sorted.
func (a *Adaptive) Classes() []string {
	var out []string
	a.classes.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	sort.Strings(out)
	return out
}
