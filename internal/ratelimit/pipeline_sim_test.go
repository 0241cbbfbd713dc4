package ratelimit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// pipelineFigures is one run of simulatePipeline.
type pipelineFigures struct {
	wall      time.Duration // from the start to the last item's last success
	minimum   time.Duration // what the first stage's limit allows
	accepted  int
	throttled int
	stageThr  []int           // throttles per stage
	stageEnd  []time.Duration // each stage's last success
}

func (f pipelineFigures) ratio() float64 { return f.wall.Seconds() / f.minimum.Seconds() }

// simulatePipeline is the fleet benchmark of package alb without its reads:
// n items start at once and each goes through stages in order, one request
// a stage (a class of its own, each limited by the service to r a second
// with a burst of r), with gap after each success before the next stage's
// request (the resource's transition and the wait that sees it). A
// throttled request is retried after the service's retry delay, which is
// passed to Pause, as albkit's client does. Every stage's demand is the
// first stage's output: the service's limit.
func simulatePipeline(lim *Adaptive, clock *simClock, stages []string, n int, r float64, gap time.Duration, seed uint64) pipelineFigures {
	limits := map[string][2]float64{}
	for _, s := range stages {
		limits[s] = [2]float64{r, r}
	}
	svc := newSimService(clock.Now(), limits)
	start := clock.Now()
	var mu sync.Mutex
	f := pipelineFigures{stageThr: make([]int, len(stages)), stageEnd: make([]time.Duration, len(stages))}
	var last time.Time
	for i := range n {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		clock.Go(func() {
			ctx := context.Background()
			for k, class := range stages {
				if k > 0 {
					// The gap, give or take a quarter (the polls' phase).
					_ = clock.Sleep(ctx, gap*3/4+time.Duration(rng.Int64N(int64(gap/2)+1)))
				}
				for {
					if err := lim.Wait(ctx, class); err != nil {
						panic(err)
					}
					rtt := 20*time.Millisecond + time.Duration(rng.Int64N(int64(30*time.Millisecond)))
					_ = clock.Sleep(ctx, rtt/2)
					ok := svc.accept(class, clock.Now())
					retry := svc.retryAfter(class, clock.Now())
					_ = clock.Sleep(ctx, rtt-rtt/2)
					lim.Observe(class, !ok)
					mu.Lock()
					if ok {
						f.accepted++
						f.stageEnd[k] = max(f.stageEnd[k], clock.Now().Sub(start))
					} else {
						f.throttled++
						f.stageThr[k]++
					}
					mu.Unlock()
					if ok {
						break
					}
					lim.Pause(class, retry)
					_ = clock.Sleep(ctx, retry)
				}
			}
			mu.Lock()
			if now := clock.Now(); now.After(last) {
				last = now
			}
			mu.Unlock()
		})
	}
	clock.Wait()
	f.wall = last.Sub(start)
	f.minimum = time.Duration((float64(n)-r)/r*float64(time.Second)) + time.Duration(len(stages)-1)*gap
	return f
}

// BenchmarkPipeline runs simulatePipeline over 1000 seeds: 300 items through
// four stages limited to 10 a second each (the fleet benchmark's writes),
// 400 ms between stages. It reports the wall against the minimum (median,
// 99th percentile, max, and the runs above 1.10 ×) and the throttled share
// (median, max).
//
//	go test -run XXX -bench Pipeline -benchtime 1x ./internal/ratelimit
func BenchmarkPipeline(b *testing.B) {
	stages := []string{"create", "protect", "unprotect", "delete"}
	for range b.N {
		var ratios, thr []float64
		over := 0
		for seed := uint64(1); seed <= 1000; seed++ {
			clock := newSimClock()
			f := simulatePipeline(NewAdaptive(WithClock(clock)), clock, stages, 300, 10, 400*time.Millisecond, seed)
			ratios = append(ratios, f.ratio())
			thr = append(thr, 100*float64(f.throttled)/float64(f.accepted+f.throttled))
			if f.ratio() > 1.10 {
				over++
				if testing.Verbose() {
					fmt.Printf("seed %d: %.3f x, %d throttled by stage %v, stages end %v\n", seed, f.ratio(), f.throttled, f.stageThr, f.stageEnd)
				}
			}
		}
		slices.Sort(ratios)
		slices.Sort(thr)
		b.ReportMetric(ratios[len(ratios)/2], "median-x")
		b.ReportMetric(ratios[len(ratios)*99/100], "p99-x")
		b.ReportMetric(ratios[len(ratios)-1], "max-x")
		b.ReportMetric(float64(over), "runs-over-1.10x")
		b.ReportMetric(thr[len(thr)/2], "median-%throttled")
		b.ReportMetric(thr[len(thr)-1], "max-%throttled")
	}
}
