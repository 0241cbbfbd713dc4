package ratelimit

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// Throttling the client did not cause (issue 16): a service that throttles
// a share of requests at random, whatever their rate (other tools on the
// account, a busy region, a fault), optionally on top of its own rate
// limit; callers that wait between their requests (pollers: a think time,
// then a request, retried through the limiter at once when throttled, as
// albkit's client does with a throttle).

// randomService throttles each request with probability p and, when limit
// is set, every request over its token bucket too.
type randomService struct {
	mu     sync.Mutex
	p      float64
	rng    *rand.Rand
	bucket *rate.Limiter
}

func newRandomService(start time.Time, p float64, limit float64, burst int, seed uint64) *randomService {
	s := &randomService{p: p, rng: rand.New(rand.NewPCG(seed, 99))}
	if limit > 0 {
		s.bucket = rate.NewLimiter(rate.Limit(limit), burst)
		s.bucket.SetLimitAt(start, rate.Limit(limit))
	}
	return s
}

func (s *randomService) accept(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bucket != nil && !s.bucket.AllowN(now, 1) {
		return false
	}
	return s.rng.Float64() >= s.p
}

// pollerFigures is what a poller simulation measured after its warm-up.
type pollerFigures struct {
	served    int           // requests accepted
	throttled int           // answers throttled
	minRate   float64       // the lowest rate the limiter held (Inf while unlimited)
	maxWait   time.Duration // the longest a request waited from first send to acceptance
}

// simulatePollers runs n pollers of class through lim against svc for
// total: each thinks for think (±20%), then sends a request, resent through
// the limiter at once while throttled (20–100 ms round trips).
func simulatePollers(clock *simClock, svc *randomService, lim *Adaptive, class string, n int, think time.Duration, warmup, total time.Duration) pollerFigures {
	start := clock.Now()
	var mu sync.Mutex
	fig := pollerFigures{minRate: -1}
	for g := range n {
		r := rand.New(rand.NewPCG(uint64(g), 5))
		clock.Go(func() {
			ctx := context.Background()
			for {
				_ = clock.Sleep(ctx, time.Duration(float64(think)*(0.8+0.4*r.Float64())))
				first := clock.Now()
				if first.Sub(start) >= total {
					return
				}
				for {
					if err := lim.Wait(ctx, class); err != nil {
						panic(err)
					}
					rtt := 20*time.Millisecond + time.Duration(r.Int64N(int64(80*time.Millisecond)))
					_ = clock.Sleep(ctx, rtt/2)
					ok := svc.accept(clock.Now())
					_ = clock.Sleep(ctx, rtt-rtt/2)
					lim.Observe(class, !ok)
					now := clock.Now()
					if now.Sub(start) >= warmup {
						mu.Lock()
						if ok {
							fig.served++
							fig.maxWait = max(fig.maxWait, now.Sub(first))
						} else {
							fig.throttled++
						}
						if rt := lim.Rate(class); fig.minRate < 0 || rt < fig.minRate {
							fig.minRate = rt
						}
						mu.Unlock()
					}
					if ok || now.Sub(start) >= total {
						break
					}
				}
			}
		})
	}
	clock.Wait()
	return fig
}

// TestRandomThrottlingDoesNotStarve: 100 pollers (one request a second
// each) against a service that throttles 10%, 30% or 50% of requests at
// random, whatever their rate, six seeds each. The limiter must not cut
// their rate toward its floor: the pollers keep being served at nearly
// their demand, and no poll waits long. (The same pollers with
// WithoutUndo, aws-sdk-go-v2's behaviour, are served a few requests a
// second: TestRandomThrottlingStarvesWithoutUndo.)
func TestRandomThrottlingDoesNotStarve(t *testing.T) {
	const n, think = 100, time.Second
	for _, p := range []float64{0.1, 0.3, 0.5} {
		for seed := uint64(1); seed <= 6; seed++ {
			clock := newSimClock()
			svc := newRandomService(clock.Now(), p, 0, 0, seed)
			lim := NewAdaptive(WithClock(clock))
			f := simulatePollers(clock, svc, lim, "poll", n, think, simWarmup, simTotal)
			served := float64(f.served) / (simTotal - simWarmup).Seconds()
			st := lim.Stats("poll")
			t.Logf("p=%.1f seed %d: served %.1f/s of a demand of about %d/s, throttled %.1f%%, lowest rate %.1f/s, longest wait %s, background %.2f, %d cuts undone",
				p, seed, served, n, 100*float64(f.throttled)/float64(f.served+f.throttled), f.minRate, f.maxWait.Round(time.Millisecond), st.Background, st.Undone)
			if served < 0.8*float64(n)/think.Seconds() {
				t.Errorf("p=%.1f seed %d: served %.1f/s, want at least 80%% of the demand (%d/s)", p, seed, served, n)
			}
			if f.maxWait > 45*time.Second {
				t.Errorf("p=%.1f seed %d: a poll waited %s to be served", p, seed, f.maxWait)
			}
		}
	}
}

// TestRandomThrottlingStarvesWithoutUndo documents what the judging of cuts
// fixes: with every cut kept (WithoutUndo, as aws-sdk-go-v2), 10% of
// throttles at random cut the pollers' rate down to a few requests a second.
func TestRandomThrottlingStarvesWithoutUndo(t *testing.T) {
	clock := newSimClock()
	svc := newRandomService(clock.Now(), 0.1, 0, 0, 1)
	lim := NewAdaptive(WithClock(clock), WithoutUndo())
	f := simulatePollers(clock, svc, lim, "poll", 100, time.Second, simWarmup, simTotal)
	served := float64(f.served) / (simTotal - simWarmup).Seconds()
	t.Logf("WithoutUndo, p=0.1: served %.1f/s of a demand of about 100/s, longest wait %s", served, f.maxWait.Round(time.Millisecond))
	if served > 25 {
		t.Errorf("served %.1f/s with every cut kept: the simulation no longer shows the starvation", served)
	}
}

// TestRandomThrottlingOnTopOfALimit: the same pollers (demand about 100/s)
// against a service that accepts 50/s and throttles 10% more at random, the
// case the judgement is weakest in (a cut below the limit stands on the
// throttles it removed, and the random ones then keep the rate low until a
// later cut is undone): over five seeds the class is not starved (at least
// 80% of what the service accepts) and does not hammer it (at most a
// quarter of its requests throttled, of which a tenth are the random ones).
func TestRandomThrottlingOnTopOfALimit(t *testing.T) {
	const limit = 50.0
	for seed := uint64(1); seed <= 5; seed++ {
		clock := newSimClock()
		svc := newRandomService(clock.Now(), 0.1, limit, 50, seed)
		lim := NewAdaptive(WithClock(clock))
		f := simulatePollers(clock, svc, lim, "poll", 100, time.Second, simWarmup, simTotal)
		served := float64(f.served) / (simTotal - simWarmup).Seconds()
		thr := float64(f.throttled) / float64(f.served+f.throttled)
		t.Logf("seed %d: limit 50/s + 10%% random: served %.1f/s, throttled %.1f%%", seed, served, 100*thr)
		if served < 0.8*limit*0.9 {
			t.Errorf("seed %d: served %.1f/s, want at least 80%% of what the service accepts (%.0f/s)", seed, served, limit*0.9)
		}
		if thr > 0.25 {
			t.Errorf("seed %d: throttled %.1f%%: the limiter did not slow toward the service's limit (10%% are random)", seed, 100*thr)
		}
	}
}

// TestSeparateLimitersSharingALimit: two clients, each with its own limiter,
// closed loops (as fast as their limiter lets them), share one service
// limit. Each sees part of its throttles caused by the other and sometimes
// undoes a cut it would better keep: the figures are logged next to those
// with WithoutUndo (0.5–5%). Which of the nine cases spirals depends on
// the goroutines' schedule (BenchmarkSweep measures 81 cases: 27 above
// 20%, the worst 76%), so the test bounds the nine together: the median
// case at most 5% throttled, none above 50%, each using at least 85% of
// the limit (seen: median 2–3%, the worst 17–49%; since a cut takes back
// the tokens of sleeping waiters, 2.6% and 44%).
func TestSeparateLimitersSharingALimit(t *testing.T) {
	var thrs []float64
	for _, r := range []float64{10, 20, 50} {
		for _, g := range []int{10, 25, 40} {
			run := func(opts ...AdaptiveOption) (thr, ach float64) {
				clock := newSimClock()
				svc := newSimService(clock.Now(), map[string][2]float64{"w": {r, 5}})
				a := NewAdaptive(append([]AdaptiveOption{WithClock(clock)}, opts...)...)
				b := NewAdaptive(append([]AdaptiveOption{WithClock(clock)}, opts...)...)
				c := simulate(clock, svc, []simClient{{a, "w", g, false}, {b, "w", g, false}}, simWarmup, simTotal)["w"]
				return simFigures(c)
			}
			thr, ach := run()
			thrKeep, achKeep := run(WithoutUndo())
			t.Logf("R=%v, 2×%d goroutines: throttled %.1f%%, %.0f%% of R (WithoutUndo: %.1f%%, %.0f%%)", r, g, 100*thr, 100*ach/r, 100*thrKeep, 100*achKeep/r)
			if thr > 0.5 || ach < 0.85*r {
				t.Errorf("R=%v, 2×%d: throttled %.1f%%, %.0f%% of R: want at most 50%% and at least 85%%", r, g, 100*thr, 100*ach/r)
			}
			thrs = append(thrs, thr)
		}
	}
	slices.Sort(thrs)
	if med := thrs[len(thrs)/2]; med > 0.05 {
		t.Errorf("the median case throttled %.1f%%, want at most 5%%", 100*med)
	}
}
