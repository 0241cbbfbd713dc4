package alb_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/internal/retry"
	"github.com/albkit/albkit/internal/transport"
)

// The three benchmarks of BENCHMARKS.md. They run only with -bench; see
// that file for the commands, the machine and the figures.

// BenchmarkGetOverhead compares Client.Get with the raw SDK's
// GetLoadBalancerAttribute on the same instance of the same emulator, over
// the same kind of transport (internal/transport with the Client's default
// timeouts), in the same run.
func BenchmarkGetOverhead(b *testing.B) {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(1000))
	defer srv.Close()
	c, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		b.Fatal(err)
	}
	id := op.ID()
	cfg := srv.Config()
	cfg.HttpClient = transport.New(5*time.Second, 10*time.Second)
	cfg.ConnectTimeout, cfg.ReadTimeout = dara.Int(5000), dara.Int(10000)
	sdk, err := albsdk.NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	rt := &dara.RuntimeOptions{ConnectTimeout: dara.Int(5000), ReadTimeout: dara.Int(10000)}
	req := &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)}
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sdk.GetLoadBalancerAttributeWithContext(ctx, req, rt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=albkit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Paired: each iteration times one SDK call and one Client.Get, back to
	// back, so that both see the same load of a shared machine; the metric
	// is the ratio of their total times.
	b.Run("impl=paired", func(b *testing.B) {
		var sdkTime, albTime time.Duration
		for i := 0; b.Loop(); i++ {
			first, second := func() error {
				_, err := sdk.GetLoadBalancerAttributeWithContext(ctx, req, rt)
				return err
			}, func() error {
				_, err := c.Get(ctx, id)
				return err
			}
			if i%2 == 1 { // alternate the order
				first, second = second, first
			}
			t0 := time.Now()
			if err := first(); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := second(); err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			if i%2 == 1 {
				albTime += t1.Sub(t0)
				sdkTime += t2.Sub(t1)
			} else {
				sdkTime += t1.Sub(t0)
				albTime += t2.Sub(t1)
			}
		}
		b.ReportMetric(float64(albTime)/float64(sdkTime), "albkit/sdk")
	})
}

// scaledClock runs k times faster than the wall clock, for the emulator
// and the clients alike, so that rate limits, transitions, retry delays
// and polls keep their proportions while a run of minutes of service time
// takes seconds. Only the HTTP round trips do not shrink (they become k
// times longer in service time).
type scaledClock struct {
	k    float64
	base time.Time // service time at the start
	wall time.Time // wall time at the start (monotonic)
}

func newScaledClock(k float64) *scaledClock {
	now := time.Now()
	return &scaledClock{k: k, base: now, wall: now}
}

func (c *scaledClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.wall)) * c.k))
}

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return retry.SleepContext(ctx, time.Duration(float64(d)/c.k))
}

// The fleet: per-action limits in service time, as in issue 11 (writes
// 10/s, reads 50/s per action, bursts of one second), and transitions.
const (
	fleetWriteRPS   = 10
	fleetReadRPS    = 50
	fleetTimeout    = 30 * time.Minute // service time, per lifecycle
	fleetMaxSkew    = 24 * time.Hour
	fleetLogEntries = 200000
)

var fleetWrites = []string{"CreateLoadBalancer", "EnableDeletionProtection", "DisableDeletionProtection", "DeleteLoadBalancer",
	"TagResources", "UnTagResources", "ReleaseEipAddress", "UpdateLoadBalancerAttribute"}

// fleetTimes are the fleet's transitions, in service time.
type fleetTimes struct{ provision, configure, delete time.Duration }

// fleetTransitions returns the fleet's transitions: issue 11's (provisioning
// 10 s, configuring 1 s, deleting 3 s), or every one of them
// ALBKIT_FLEET_TRANSITION_MS milliseconds (issue 16 measures 200: the
// fleet's time then goes to its calls, not to its transitions).
func fleetTransitions() fleetTimes {
	if ms := envInt("ALBKIT_FLEET_TRANSITION_MS", 0); ms > 0 {
		d := time.Duration(ms) * time.Millisecond
		return fleetTimes{d, d, d}
	}
	return fleetTimes{10 * time.Second, time.Second, 3 * time.Second}
}

// fleetServer returns an emulator on clk with the fleet's limits and
// transitions.
func fleetServer(clk albtest.Clock) *albtest.Server {
	ft := fleetTransitions()
	opts := []albtest.Option{albtest.WithClock(clk), albtest.WithMaxSkew(fleetMaxSkew), albtest.WithRequestLogLimit(fleetLogEntries),
		albtest.WithQuota(100000), albtest.WithRateLimit("", fleetReadRPS, fleetReadRPS),
		albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(ft.provision)),
		albtest.WithTransition(albtest.PhaseConfiguring, albtest.AfterDuration(ft.configure)),
		albtest.WithTransition(albtest.PhaseDeleting, albtest.AfterDuration(ft.delete))}
	for _, a := range fleetWrites {
		opts = append(opts, albtest.WithRateLimit(a, fleetWriteRPS, fleetWriteRPS))
	}
	srv := albtest.NewServer(opts...)
	// Room for the fleet's addresses: 3 per zone per instance.
	for _, v := range []albtest.VSwitch{
		{VSwitchID: fleetVSwitchH, VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneH, CidrBlock: "10.0.128.0/20"},
		{VSwitchID: fleetVSwitchI, VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneI, CidrBlock: "10.0.144.0/20"},
	} {
		if err := srv.AddVSwitch(v); err != nil {
			panic(err)
		}
	}
	return srv
}

const fleetVSwitchH, fleetVSwitchI = "vsw-fleet-h", "vsw-fleet-i"

// fleetSpec is the fleet's instance spec, on its large vSwitches.
func fleetSpec(i int) alb.InstanceSpec {
	return alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, fleetVSwitchH), alb.Zone(albtest.ZoneI, fleetVSwitchI)).WithName(fmt.Sprintf("fleet-%d", i))
}

// fleetResult is one fleet run.
type fleetResult struct {
	n, failures     int
	wall            time.Duration // service time
	calls, throttle int
	byAction        map[string]int
	firstErr        error
}

// runFleet runs n lifecycles at once with life, and counts the calls.
func runFleet(srv *albtest.Server, clk *scaledClock, n int, life func(ctx context.Context, i int) error) fleetResult {
	var wg sync.WaitGroup
	var failures atomic.Int64
	var first atomic.Value
	start := clk.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := life(context.Background(), i); err != nil {
				failures.Add(1)
				first.CompareAndSwap(nil, err)
			}
		}()
	}
	wg.Wait()
	res := fleetResult{n: n, failures: int(failures.Load()), wall: clk.Now().Sub(start), byAction: map[string]int{}}
	if e, ok := first.Load().(error); ok {
		res.firstErr = e
	}
	thr := map[string]int{}
	last := map[string]time.Duration{}
	for _, r := range srv.Requests() {
		res.calls++
		if r.Code == "Throttling.User" {
			res.throttle++
			thr[r.Action]++
			continue
		}
		res.byAction[r.Action]++
		last[r.Action] = max(last[r.Action], r.Time.Sub(start))
	}
	if os.Getenv("ALBKIT_FLEET_DEBUG") != "" {
		fmt.Printf("throttled by action %v; last success by action %v\n", thr, last)
		if os.Getenv("ALBKIT_FLEET_DEBUG") == "2" {
			// Successes per action per 2 s of service time, and the calls
			// of the lifecycle whose create succeeded last.
			hist := map[string][]int{}
			var lastID string
			var lastCreate time.Duration
			for _, r := range srv.Requests() {
				if r.Code != "" {
					continue
				}
				b := int(r.Time.Sub(start) / (2 * time.Second))
				h := hist[r.Action]
				for len(h) <= b {
					h = append(h, 0)
				}
				h[b]++
				hist[r.Action] = h
				if r.Action == "CreateLoadBalancer" && r.Time.Sub(start) >= lastCreate {
					lastCreate = r.Time.Sub(start)
				}
			}
			for a, h := range hist {
				fmt.Printf("%-28s %v\n", a, h)
			}
			var thrAt []string
			thrAction := cmp.Or(os.Getenv("ALBKIT_FLEET_DEBUG_ACTION"), "CreateLoadBalancer")
			for _, r := range srv.Requests() {
				if r.Code == "Throttling.User" && r.Action == thrAction {
					thrAt = append(thrAt, fmt.Sprintf("%.2f", r.Time.Sub(start).Seconds()))
				}
			}
			fmt.Println(thrAction, "throttles at", thrAt)
			// Each write stage's lag behind the create limit's schedule (the
			// k-th success of a stage at 10/s after a burst of 10).
			for _, a := range []string{"CreateLoadBalancer", "EnableDeletionProtection", "DisableDeletionProtection", "DeleteLoadBalancer"} {
				k := 0
				var lags []string
				var first time.Duration
				for _, r := range srv.Requests() {
					if r.Code == "" && r.Action == a {
						k++
						if k == 1 {
							first = r.Time.Sub(start)
						}
						if k%25 == 0 || k == 300 {
							lags = append(lags, fmt.Sprintf("%d:%.2f", k, r.Time.Sub(start).Seconds()-float64(k-10)/10))
						}
					}
				}
				fmt.Printf("LAG %s first=%.2f %v\n", a, first.Seconds(), lags)
			}
			if os.Getenv("ALBKIT_FLEET_DEBUG_EARLY") != "" {
				var early []string
				for _, r := range srv.Requests() {
					if r.Action == "CreateLoadBalancer" && r.Time.Sub(start) < 8*time.Second {
						mark := ""
						if r.Code != "" {
							mark = "T"
						}
						early = append(early, fmt.Sprintf("%.2f%s", r.Time.Sub(start).Seconds(), mark))
					}
				}
				fmt.Println("early creates", early)
			}
			for _, r := range srv.Requests() {
				if r.Action == "CreateLoadBalancer" && r.Time.Sub(start) == lastCreate {
					lastID = r.Params["LoadBalancerName"]
				}
			}
			lastInst := lastLB(srv, lastID)
			for _, r := range srv.Requests() {
				if r.Time.Sub(start) >= lastCreate-time.Second {
					id := r.Params["LoadBalancerId"]
					if id == "" {
						id = r.Params["ResourceId"] // the deletion protection calls
					}
					if id != "" && id == lastInst || r.Params["LoadBalancerName"] == lastID && lastID != "" {
						fmt.Printf("  %8.3fs %s %s\n", r.Time.Sub(start).Seconds(), r.Action, r.Code)
					}
				}
			}
			// The lifecycle whose last call came last: every call naming
			// its instance (batched reads included).
			names := func(r albtest.Request) []string {
				var ids []string
				for k, v := range r.Params {
					if strings.HasPrefix(v, "alb-") && (k == "LoadBalancerId" || k == "ResourceId" || strings.HasPrefix(k, "LoadBalancerIds.")) {
						ids = append(ids, v)
					}
				}
				return ids
			}
			lastSeen := map[string]time.Duration{}
			endID, end := "", time.Duration(0)
			for _, r := range srv.Requests() {
				for _, id := range names(r) {
					lastSeen[id] = r.Time.Sub(start)
					if lastSeen[id] >= end {
						endID, end = id, lastSeen[id]
					}
				}
			}
			delJob := ""
			for _, j := range srv.Jobs() {
				if j.ResourceID == endID && j.APIName == "DeleteLoadBalancer" {
					delJob = j.ID
					fmt.Printf("its delete job %s: created %.3fs, done %.3fs\n", j.ID, j.CreateTime.Sub(start).Seconds(), j.ModifyTime.Sub(start).Seconds())
				}
			}
			fmt.Println("the lifecycle that ended last:", endID)
			for _, r := range srv.Requests() {
				hasJob := false
				for k, v := range r.Params {
					hasJob = hasJob || strings.HasPrefix(k, "JobIds.") && v == delJob
				}
				if slices.Contains(names(r), endID) || hasJob {
					fmt.Printf("  %8.3fs %s %s (%d IDs)\n", r.Time.Sub(start).Seconds(), r.Action, r.Code, len(names(r)))
				}
			}
		}
	}
	return res
}

// lastLB returns the ID of the instance named name (for the debug timeline).
func lastLB(srv *albtest.Server, name string) string {
	for _, lb := range srv.LoadBalancers() {
		if lb.Name == name {
			return lb.ID
		}
	}
	return ""
}

// fleetMinimum is the least service time the limits allow for n
// lifecycles: the last create cannot be sent before (n-burst)/rate, and
// its lifecycle then takes at least its transitions (provisioning, two
// configurings, deleting).
func fleetMinimum(n int) time.Duration {
	sends := time.Duration(float64(n-fleetWriteRPS) / fleetWriteRPS * float64(time.Second))
	ft := fleetTransitions()
	return sends + ft.provision + 2*ft.configure + ft.delete
}

// envInt reads an integer knob of the benchmarks from the environment.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkFleet runs 300 full lifecycles (create, wait, protection on and
// off, release) at once against per-action limits, time-scaled
// (ALBKIT_FLEET_SCALE, default 10: one wall second is ten seconds of
// service time), with albkit's defaults and with a naive client that
// retries throttling after a fixed 3-5 s and polls on Terraform's schedule.
// The compression magnifies scheduling delays and round trips tenfold, and
// with them the runs' spread; ALBKIT_FLEET_SCALE=1 measures in real time
// (BENCHMARKS.md, "The eighth day").
func BenchmarkFleet(b *testing.B) {
	n := envInt("ALBKIT_FLEET_N", 300)
	k := float64(envInt("ALBKIT_FLEET_SCALE", 10))
	report := func(b *testing.B, r fleetResult) {
		min := fleetMinimum(n)
		b.ReportMetric(r.wall.Seconds(), "svc-s")
		b.ReportMetric(r.wall.Seconds()/min.Seconds(), "x-minimum")
		b.ReportMetric(100*float64(r.throttle)/float64(max(r.calls, 1)), "%throttled")
		b.ReportMetric(float64(r.failures), "failures")
		b.ReportMetric(float64(r.calls)/float64(n), "calls/lifecycle")
		b.Logf("n=%d scale=%g: %s of service time (minimum %s, ratio %.3f), %d calls, %d throttled (%.2f%%), %d failures (first: %v); calls by action %v",
			n, k, r.wall.Round(time.Millisecond), min, r.wall.Seconds()/min.Seconds(), r.calls, r.throttle, 100*float64(r.throttle)/float64(max(r.calls, 1)), r.failures, r.firstErr, r.byAction)
	}
	albkit := func(b *testing.B, initialRate float64, keep bool) {
		for b.Loop() {
			clk := newScaledClock(k)
			srv := fleetServer(clk)
			opts := []alb.Option{alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk), alb.WithLoadBalancerQuota(100000)}
			if fb := envInt("ALBKIT_FLEET_FALLBACK_MS", 0); fb > 0 {
				opts = append(opts, alb.WithWaitOptions(alb.WaitOptions{FallbackDelay: time.Duration(fb) * time.Millisecond}))
			}
			if initialRate > 0 || keep {
				l, err := alb.NewAdaptiveRateLimiter(alb.AdaptiveOptions{Clock: clk, InitialRate: initialRate, KeepEveryCut: keep})
				if err != nil {
					b.Fatal(err)
				}
				opts = append(opts, alb.WithRateLimiter(l))
			}
			c, err := alb.NewClient(opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				if os.Getenv("ALBKIT_FLEET_DEBUG") != "" {
					for _, a := range []string{"CreateLoadBalancer", "EnableDeletionProtection", "DisableDeletionProtection", "DeleteLoadBalancer", "ListLoadBalancers", "GetLoadBalancerAttribute"} {
						fmt.Printf("limiter %s: %+v\n", a, c.Limiter().Stats(a))
					}
				}
			}()
			r := runFleet(srv, clk, n, func(ctx context.Context, i int) error {
				// No context deadline: it would be wall time, and the bounds
				// of the calls (RetryPolicy.MaxElapsed) and waits (MaxWait)
				// are on the client's clock.
				op, err := c.Create(ctx, fleetSpec(i))
				if err != nil {
					return err
				}
				inst, err := op.Wait(ctx)
				if err != nil {
					return err
				}
				if err := c.EnableDeletionProtection(ctx, inst.ID); err != nil {
					return err
				}
				if err := c.DisableDeletionProtection(ctx, inst.ID); err != nil {
					return err
				}
				_, err = c.Release(ctx, inst.ID, alb.ReleaseOptions{})
				return err
			})
			srv.Close()
			report(b, r)
		}
	}
	// The default: every action unlimited until its first throttle.
	b.Run("impl=albkit", func(b *testing.B) { albkit(b, 0, false) })
	// The same with every cut of the rate kept (no judging of cuts).
	b.Run("impl=albkit-keepcuts", func(b *testing.B) { albkit(b, 0, true) })
	// Every action paced from its first call at 10/s, probing up from there.
	b.Run("impl=albkit-initial10", func(b *testing.B) { albkit(b, 10, false) })
	b.Run("impl=naive", func(b *testing.B) {
		for b.Loop() {
			clk := newScaledClock(k)
			srv := fleetServer(clk)
			cfg := srv.Config()
			cfg.HttpClient = transport.New(5*time.Second, 10*time.Second)
			r := runFleet(srv, clk, n, func(ctx context.Context, i int) error {
				ctx, cancel := context.WithTimeout(ctx, time.Duration(float64(fleetTimeout)/k))
				defer cancel()
				return naiveLifecycle(ctx, clk, cfg, i)
			})
			srv.Close()
			report(b, r)
		}
	})
}

// naiveRetry runs fn until it is not throttled, sleeping a fixed 3-5 s
// (as the Terraform provider does) after each throttle.
func naiveRetry(ctx context.Context, clk *scaledClock, fn func() error) error {
	for {
		err := fn()
		if err == nil || !strings.Contains(err.Error(), "Throttling") {
			return err
		}
		if serr := clk.Sleep(ctx, 3*time.Second+time.Duration(rand.Float64()*float64(2*time.Second))); serr != nil {
			return fmt.Errorf("%w (last: %v)", serr, err)
		}
	}
}

// terraformDelays is the Terraform provider's poll schedule: the first
// poll after 5 s, the next 3 s later, then every 10 s.
func terraformDelay(poll int) time.Duration {
	switch poll {
	case 0:
		return 5 * time.Second
	case 1:
		return 3 * time.Second
	}
	return 10 * time.Second
}

// naiveWait polls the instance on Terraform's schedule until done says so.
func naiveWait(ctx context.Context, clk *scaledClock, sdk *albsdk.Client, rt *dara.RuntimeOptions, id string, done func(status string, err error) (bool, error)) error {
	for poll := 0; ; poll++ {
		if err := clk.Sleep(ctx, terraformDelay(poll)); err != nil {
			return err
		}
		var status string
		err := naiveRetry(ctx, clk, func() error {
			r, err := sdk.GetLoadBalancerAttributeWithContext(ctx, &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)}, rt)
			if err == nil {
				status = dara.StringValue(r.Body.LoadBalancerStatus)
			}
			return err
		})
		ok, err := done(status, err)
		if ok || err != nil {
			return err
		}
	}
}

// naiveLifecycle is one lifecycle with the raw SDK: create, wait Active,
// protection on and off (each waited), delete, wait gone.
func naiveLifecycle(ctx context.Context, clk *scaledClock, cfg *openapiutil.Config, i int) error {
	c := *cfg
	sdk, err := albsdk.NewClient(&c)
	if err != nil {
		return err
	}
	rt := &dara.RuntimeOptions{ConnectTimeout: dara.Int(5000), ReadTimeout: dara.Int(10000)}
	var id string
	err = naiveRetry(ctx, clk, func() error {
		r, err := sdk.CreateLoadBalancerWithContext(ctx, &albsdk.CreateLoadBalancerRequest{
			VpcId: dara.String(albtest.DefaultVPCID), AddressType: dara.String("Internet"), LoadBalancerEdition: dara.String("Standard"),
			LoadBalancerName:          dara.String(fmt.Sprintf("naive-%d", i)),
			LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
			ZoneMappings: []*albsdk.CreateLoadBalancerRequestZoneMappings{
				{VSwitchId: dara.String(fleetVSwitchH), ZoneId: dara.String(albtest.ZoneH)},
				{VSwitchId: dara.String(fleetVSwitchI), ZoneId: dara.String(albtest.ZoneI)}},
		}, rt)
		if err == nil {
			id = dara.StringValue(r.Body.LoadBalancerId)
		}
		return err
	})
	if err != nil {
		return err
	}
	active := func(status string, err error) (bool, error) { return err == nil && status == "Active", err }
	if err := naiveWait(ctx, clk, sdk, rt, id, active); err != nil {
		return err
	}
	// Protection on, then off, each waited until Active.
	for _, write := range []func() error{
		func() error {
			_, err := sdk.EnableDeletionProtectionWithContext(ctx, &albsdk.EnableDeletionProtectionRequest{ResourceId: dara.String(id)}, rt)
			return err
		},
		func() error {
			_, err := sdk.DisableDeletionProtectionWithContext(ctx, &albsdk.DisableDeletionProtectionRequest{ResourceId: dara.String(id)}, rt)
			return err
		},
	} {
		if err := naiveRetry(ctx, clk, write); err != nil {
			return err
		}
		if err := naiveWait(ctx, clk, sdk, rt, id, active); err != nil {
			return err
		}
	}
	if err := naiveRetry(ctx, clk, func() error {
		_, err := sdk.DeleteLoadBalancerWithContext(ctx, &albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(id)}, rt)
		return err
	}); err != nil {
		return err
	}
	return naiveWait(ctx, clk, sdk, rt, id, func(_ string, err error) (bool, error) {
		if err != nil && strings.Contains(err.Error(), "NotFound") {
			return true, nil
		}
		return false, err
	})
}

// waitSchedule polls the instance until it is Active and returns the
// number of polls; it is one of the compared schedules.
type waitSchedule func(ctx context.Context, c *alb.Client, clk *albtest.ManualClock, op *alb.CreateOperation) (polls int, err error)

// pollUntilActive polls with c.Get after each delay of next(poll) (poll
// 0 is the delay before the first poll; a negative delay polls at once).
func pollUntilActive(ctx context.Context, c *alb.Client, clk *albtest.ManualClock, id string, next func(poll int) time.Duration) (int, error) {
	for poll := 0; ; poll++ {
		if d := next(poll); d > 0 {
			if err := clk.Sleep(ctx, d); err != nil {
				return poll, err
			}
		}
		inst, err := c.Get(ctx, id)
		if err != nil {
			return poll + 1, err
		}
		if inst.Status == alb.StatusActive {
			return poll + 1, nil
		}
	}
}

// BenchmarkWaiting measures, for provisioning times of 10 s, 60 s and
// 300 s (each create's time drawn uniformly within ±5%), the calls per
// wait and the lag between the instance turning Active and the caller
// knowing it, on the manual clock, for albkit's waiter with history (after
// 5 warm-up creates on the same Client), albkit's waiter without history
// (a new Client per wait: the plain schedule of the default WaitOptions,
// and of WaitOptions polling every 5 s), the Terraform provider's schedule
// and an AWS-style waiter.
func BenchmarkWaiting(b *testing.B) {
	waits := envInt("ALBKIT_WAITS", 40)
	warmup := envInt("ALBKIT_WARMUP", 5)
	aws := func(ctx context.Context, c *alb.Client, clk *albtest.ManualClock, op *alb.CreateOperation) (int, error) {
		start := clk.Now()
		return pollUntilActive(ctx, c, clk, op.ID(), func(poll int) time.Duration {
			if poll == 0 {
				return 0 // smithy waiters check at once
			}
			return retry.ComputeDelay(poll, 15*time.Second, 120*time.Second, time.Hour-clk.Now().Sub(start), nil)
		})
	}
	terraform := func(ctx context.Context, c *alb.Client, clk *albtest.ManualClock, op *alb.CreateOperation) (int, error) {
		return pollUntilActive(ctx, c, clk, op.ID(), terraformDelay)
	}
	var counted *albtest.Server
	albkit := func(ctx context.Context, c *alb.Client, clk *albtest.ManualClock, op *alb.CreateOperation) (int, error) {
		before := counted.Count("GetLoadBalancerAttribute")
		_, err := op.Wait(ctx)
		return counted.Count("GetLoadBalancerAttribute") - before, err
	}
	for _, provision := range []time.Duration{10 * time.Second, 60 * time.Second, 300 * time.Second} {
		for _, sc := range []struct {
			name    string
			wait    waitSchedule
			fresh   bool // a new Client per wait: no history
			warmups int
		}{
			{"albkit-learned", albkit, false, warmup},
			{"albkit-no-history", albkit, true, 0},
			{"albkit-no-history-5s", albkit, true, 0},
			{"terraform", terraform, false, 0},
			{"aws", aws, false, 0},
		} {
			b.Run(fmt.Sprintf("provision=%ds/schedule=%s", int(provision.Seconds()), sc.name), func(b *testing.B) {
				for b.Loop() {
					clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
					srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithMaxSkew(fleetMaxSkew), albtest.WithQuota(100000))
					counted = srv
					rnd := rand.New(rand.NewPCG(1, uint64(provision)))
					var c *alb.Client
					var lags []float64
					calls, waited := 0, time.Duration(0)
					for i := range sc.warmups + waits {
						if c == nil || sc.fresh {
							var err error
							var opts []alb.Option
							if strings.HasSuffix(sc.name, "-5s") { // the plain schedule tuned to poll every 5 s
								opts = append(opts, alb.WithWaitOptions(alb.WaitOptions{MinDelay: 5 * time.Second, MaxDelay: 5 * time.Second}))
							}
							if c, err = srv.Client(opts...); err != nil {
								b.Fatal(err)
							}
						}
						p := time.Duration(float64(provision) * (0.95 + 0.1*rnd.Float64()))
						if err := srv.SetTransition(albtest.PhaseProvisioning, albtest.AfterDuration(p)); err != nil {
							b.Fatal(err)
						}
						ctx := context.Background()
						op, err := c.Create(ctx, basicSpec().WithName(fmt.Sprintf("w-%d", i)))
						if err != nil {
							b.Fatal(err)
						}
						start := clk.Now()
						polls, err := sc.wait(ctx, c, clk, op)
						if err != nil {
							b.Fatal(err)
						}
						if i < sc.warmups {
							continue
						}
						lags = append(lags, clk.Now().Sub(start.Add(p)).Seconds())
						if os.Getenv("ALBKIT_WAIT_DEBUG") != "" && sc.name == "albkit-learned" {
							fmt.Printf("wait %d: provisioning %.2fs, lag %.2fs, polls %d\n", i, p.Seconds(), lags[len(lags)-1], polls)
						}
						calls += polls
						waited += clk.Now().Sub(start)
					}
					srv.Close()
					sort.Float64s(lags)
					b.ReportMetric(float64(calls)/float64(waits), "calls/wait")
					b.ReportMetric(float64(calls)/(waited.Seconds()/10), "calls/10s")
					b.ReportMetric(quantile(lags, 0.5), "lag-p50-s")
					b.ReportMetric(quantile(lags, 0.95), "lag-p95-s")
				}
			})
		}
	}
}

// quantile returns the q-quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
