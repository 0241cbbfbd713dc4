package ratelimit

import (
	"fmt"
	"slices"
	"testing"
)

// BenchmarkSweep runs the simulations over many seeds and cases, for the
// spread the tests' few seeds do not show (the figures of the package
// documentation):
//
//   - random-P: 100 pollers (one request a second each) against a service
//     throttling P% of requests at random, 30 seeds: the requests served a
//     second (least, tenth percentile, median) and the longest wait for a
//     poll (90th percentile, max), after 30 s of warm-up;
//   - separate, separate-pause: two clients with limiters of their own
//     sharing one limit (R 10, 20, 50 a second; bursts 3, 5, 10; 5, 10 or
//     25 goroutines each; three seeds: 81 cases), without and with the
//     service's retry delay passed to Pause: the throttled share (median,
//     90th percentile, max) and the cases above 20%.
//
// Run it with:
//
//	go test -run XXX -bench Sweep -benchtime 1x ./internal/ratelimit
func BenchmarkSweep(b *testing.B) {
	for _, p := range []float64{0.1, 0.3, 0.5} {
		b.Run(fmt.Sprintf("random-%.0f", 100*p), func(b *testing.B) {
			for range b.N {
				var served, waits []float64
				for seed := uint64(1); seed <= 30; seed++ {
					clock := newSimClock()
					svc := newRandomService(clock.Now(), p, 0, 0, seed)
					f := simulatePollers(clock, svc, NewAdaptive(WithClock(clock)), "poll", 100, 1e9, simWarmup, simTotal)
					served = append(served, float64(f.served)/(simTotal-simWarmup).Seconds())
					waits = append(waits, f.maxWait.Seconds())
				}
				slices.Sort(served)
				slices.Sort(waits)
				b.ReportMetric(served[0], "least-served/s")
				b.ReportMetric(served[3], "p10-served/s")
				b.ReportMetric(served[15], "median-served/s")
				b.ReportMetric(waits[27], "p90-longest-wait-s")
				b.ReportMetric(waits[29], "max-longest-wait-s")
			}
		})
	}
	for _, pause := range []bool{false, true} {
		name := "separate"
		if pause {
			name += "-pause"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				var thr []float64
				for base := uint64(0); base < 300; base += 100 {
					for _, r := range []float64{10, 20, 50} {
						for _, burst := range []float64{3, 5, 10} {
							for _, g := range []int{5, 10, 25} {
								clock := newSimClock()
								svc := newSimService(clock.Now(), map[string][2]float64{"w": {r, burst}})
								l1, l2 := NewAdaptive(WithClock(clock)), NewAdaptive(WithClock(clock))
								c := simulateSeeded(clock, svc, []simClient{{l1, "w", g, pause}, {l2, "w", g, pause}}, simWarmup, simTotal, base)["w"]
								thr = append(thr, 100*c.throttledFraction())
							}
						}
					}
				}
				slices.Sort(thr)
				over := 0
				for _, x := range thr {
					if x > 20 {
						over++
					}
				}
				b.ReportMetric(thr[len(thr)/2], "median-%throttled")
				b.ReportMetric(thr[len(thr)*9/10], "p90-%throttled")
				b.ReportMetric(thr[len(thr)-1], "max-%throttled")
				b.ReportMetric(float64(over), "cases-over-20%")
			}
		})
	}
}
