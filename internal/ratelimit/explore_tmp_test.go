package ratelimit

import (
	"fmt"
	"sort"
	"testing"
	"time"
)

func TestExploreTmp(t *testing.T) {
	const n, think = 100, time.Second
	for _, p := range []float64{0.1, 0.3, 0.5} {
		var served, waits []float64
		for seed := uint64(1); seed <= 30; seed++ {
			clock := newSimClock()
			svc := newRandomService(clock.Now(), p, 0, 0, seed)
			lim := NewAdaptive(WithClock(clock))
			f := simulatePollers(clock, svc, lim, "poll", n, think, simWarmup, simTotal)
			served = append(served, float64(f.served)/(simTotal-simWarmup).Seconds())
			waits = append(waits, f.maxWait.Seconds())
		}
		sort.Float64s(served)
		sort.Float64s(waits)
		fmt.Printf("p=%.1f served min %.1f p10 %.1f med %.1f; maxwait med %.1f p90 %.1f max %.1f\n", p, served[0], served[3], served[15], waits[15], waits[27], waits[29])
	}
	var thrs []string
	worst := 0.0
	for _, r := range []float64{10, 20, 50} {
		for _, g := range []int{10, 25, 40} {
			clock := newSimClock()
			svc := newSimService(clock.Now(), map[string][2]float64{"w": {r, 5}})
			a := NewAdaptive(WithClock(clock))
			b := NewAdaptive(WithClock(clock))
			c := simulate(clock, svc, []simClient{{a, "w", g}, {b, "w", g}}, simWarmup, simTotal)["w"]
			thr, _ := simFigures(c)
			thrs = append(thrs, fmt.Sprintf("%.1f", 100*thr))
			worst = max(worst, thr)
		}
	}
	fmt.Println("separate:", thrs)
	// one limiter, self-caused, R=10 burst 10: the fleet's write class
	for _, nG := range []int{20, 150} {
		clock := newSimClock()
		svc := newSimService(clock.Now(), map[string][2]float64{"w": {10, 10}})
		a := NewAdaptive(WithClock(clock))
		c := simulate(clock, svc, []simClient{{a, "w", nG}}, 0, simTotal)["w"]
		thr, ach := simFigures(c)
		fmt.Printf("R=10 burst 10 N=%d from cold: throttled %.2f%% (%d), %.2f rps\n", nG, 100*thr, c.throttled, ach)
	}
}
