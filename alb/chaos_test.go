package alb_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

var (
	chaosN      = flag.Int("chaos.n", 24, "lifecycles of TestChaosSoak (500+ for the soak)")
	chaosSeed   = flag.Uint64("chaos.seed", 11, "seed of TestChaosSoak's faults")
	chaosBudget = flag.Int("chaos.budget", 0, "retry budget of TestChaosSoak's client (0: the default; -1: none)")
)

// Big vSwitches for the soak: each zone of an instance takes three
// addresses.
const (
	chaosVSwH = "vsw-chaos-h"
	chaosVSwI = "vsw-chaos-i"
)

// chaosFaults are the soak's faults, checked in order (the first that
// draws applies): read timeouts (latency beyond the client's read
// timeout), throttling, 5xx, apply-then-fail, dropped connections, added
// latency.
func chaosFaults(seed uint64, readTimeout time.Duration) []albtest.Fault {
	return []albtest.Fault{
		{Latency: readTimeout + 300*time.Millisecond, Probability: 0.01, Seed: seed},
		{Code: "Throttling.User", Status: 400, Message: "Request was denied due to user flow control.", Probability: 0.10, Seed: seed + 1},
		{Code: "ServiceUnavailable", Status: 503, Probability: 0.05, Seed: seed + 2},
		{Code: "InternalError", Status: 500, ApplyThenFail: true, Probability: 0.03, Seed: seed + 3},
		{DropConnection: true, Probability: 0.02, Seed: seed + 4},
		{Latency: 15 * time.Millisecond, Probability: 0.10, Seed: seed + 5},
	}
}

// chaosRecord is what one logical create and its lifecycle left behind,
// as albkit reported it.
type chaosRecord struct {
	token string
	id    string
	state alb.ItemState
	stage string // where it failed ("" when the lifecycle completed)
	err   error
}

// TestChaosSoak runs many concurrent lifecycles (create, wait, protection
// on, release with protection off) on one Client with albkit's defaults
// (rate limiter, retries, budget; waits of 50–400 ms), a quarter of them
// through CreateMany/ReleaseMany, under random faults with a fixed seed.
// Then it checks what albkit reported against the emulator: no token made
// two instances, every instance belongs to a logical create, every
// failure is a typed error whose reported state is true (not created:
// nothing exists; created or not released: the instance exists;
// released: it is gone). Survivors are released by Sweep under the same
// faults; at the end no instance and no EIP is left.
//
// go test -run TestChaosSoak ./alb/ -chaos.n=500 -v runs the soak and logs
// its figures.
func TestChaosSoak(t *testing.T) {
	n := *chaosN
	start := time.Now()
	const readTimeout = 500 * time.Millisecond
	srv := albtest.NewServer(albtest.WithQuota(n+50), albtest.WithRequestLogLimit(1<<22))
	defer srv.Close()
	for _, vs := range []albtest.VSwitch{
		{VSwitchID: chaosVSwH, VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneH, CidrBlock: "10.0.64.0/18"},
		{VSwitchID: chaosVSwI, VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneI, CidrBlock: "10.0.128.0/18"},
	} {
		if err := srv.AddVSwitch(vs); err != nil {
			t.Fatal(err)
		}
	}
	eipsBefore := len(srv.EIPs())
	// The client users get (rate limiter, retry policy and budget, shared
	// polls), with waits of 50–400 ms and a bound of a minute (issue 16's
	// run) and the soak's short read timeout.
	cfg := srv.Config()
	cfg.HttpClient = nil // albkit's own transport, with the read timeout below
	copts := []alb.Option{alb.WithOpenAPIConfig(cfg), alb.WithTimeouts(time.Second, readTimeout),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 50 * time.Millisecond, MaxDelay: 400 * time.Millisecond, MaxWait: time.Minute}),
		alb.WithLoadBalancerQuota(n + 50)}
	if *chaosBudget != 0 {
		copts = append(copts, alb.WithRetryBudget(*chaosBudget))
	}
	c, err := alb.NewClient(copts...)
	if err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprintf("chaos-%d", *chaosSeed)
	spec := func(i int) alb.InstanceSpec {
		at := alb.Intranet
		if i%2 == 0 {
			at = alb.Internet
		}
		return alb.NewInstanceSpec(albtest.DefaultVPCID, at, alb.EditionStandard,
			alb.Zone(albtest.ZoneH, chaosVSwH), alb.Zone(albtest.ZoneI, chaosVSwI)).WithName(fmt.Sprintf("chaos-%d", i)).WithTag("run", run)
	}
	keyed := func(i int) alb.InstanceSpec { return spec(i).WithIdempotencyKey(fmt.Sprintf("%s-key-%d", run, i)) }
	for _, f := range chaosFaults(*chaosSeed, readTimeout) {
		srv.InjectFault(f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var (
		mu      sync.Mutex
		records []*chaosRecord
	)
	add := func(r *chaosRecord) {
		mu.Lock()
		records = append(records, r)
		mu.Unlock()
	}
	nBulk := n / 4
	var wg sync.WaitGroup
	for i := nBulk; i < n; i++ {
		wg.Go(func() { add(chaosLifecycle(ctx, c, keyed(i))) })
	}
	wg.Go(func() {
		specs := make([]alb.InstanceSpec, nBulk)
		for i := range specs {
			specs[i] = spec(i)
		}
		for _, r := range chaosBulk(ctx, c, specs) {
			add(r)
		}
	})
	wg.Wait()
	lifecycleWall := time.Since(start)

	// What albkit reported against what the emulator holds.
	byToken := map[string][]albtest.LoadBalancer{}
	for _, lb := range srv.LoadBalancers() {
		byToken[lb.Tags[alb.TokenTagKey]] = append(byToken[lb.Tags[alb.TokenTagKey]], lb)
	}
	known := map[string]bool{}
	failures := map[string]int{}
	states := map[alb.ItemState]int{}
	succeeded, maybe := 0, 0
	for _, r := range records {
		known[r.token] = true
		states[r.state]++
		lbs := byToken[r.token]
		if len(lbs) > 1 {
			t.Errorf("token %s made %d instances", r.token, len(lbs))
		}
		if r.err != nil {
			failures[r.stage+": "+chaosKind(r.err)]++
			if !isAlbkitError(r.err) {
				t.Errorf("%s %s: untyped error %v (%T)", r.stage, r.token, r.err, r.err)
			}
		}
		switch r.state {
		case alb.ItemNotStarted, alb.ItemNotCreated:
			if len(lbs) != 0 {
				t.Errorf("token %s reported %s (%v) but made %s", r.token, r.state, r.err, lbs[0].ID)
			}
		case alb.ItemMaybeCreated:
			maybe++
		case alb.ItemCreated, alb.ItemActive, alb.ItemNotReleased:
			succeeded++
			if len(lbs) != 1 || lbs[0].Status == "Deleted" || lbs[0].ID != r.id {
				t.Errorf("token %s reported %s %s (%v) but the emulator has %+v", r.token, r.state, r.id, r.err, lbs)
			}
		case alb.ItemReleased:
			succeeded++
			if len(lbs) != 1 || lbs[0].Status != "Deleted" {
				t.Errorf("token %s reported released but the emulator has %+v", r.token, lbs)
			}
		case alb.ItemMaybeReleased:
			succeeded++
		default:
			t.Errorf("token %s: state %q", r.token, r.state)
		}
	}
	for tok, lbs := range byToken {
		if !known[tok] {
			t.Errorf("instance %s carries token %q that no logical create reported", lbs[0].ID, tok)
		}
	}
	if len(records) != n {
		t.Fatalf("%d records for %d lifecycles", len(records), n)
	}
	if created := srv.Created(); created < succeeded || created > succeeded+maybe {
		t.Errorf("emulator created %d; albkit reported %d created and %d maybe created", created, succeeded, maybe)
	}

	// Release the survivors of failed lifecycles with Sweep, under the
	// same faults.
	sweepRounds, swept := 0, 0
	for ; srv.Live() > 0 && sweepRounds < 5; sweepRounds++ {
		res, err := c.Sweep(ctx, alb.SweepFilter{Tags: []alb.Tag{{Key: "run", Value: run}}},
			alb.SweepOptions{Release: true, AllowDeletionProtected: true, Bulk: alb.BulkOptions{Concurrency: 16}})
		if err != nil {
			if !isAlbkitError(err) {
				t.Errorf("sweep: untyped error %v", err)
			}
			failures["sweep: "+chaosKind(err)]++
			continue
		}
		swept += res.Released
		for _, it := range res.Items {
			if it.Err != nil {
				failures["sweep item: "+chaosKind(it.Err)]++
				if !isAlbkitError(it.Err) {
					t.Errorf("sweep item %v: untyped error", it)
				}
			}
		}
	}
	calls := srv.TotalCalls()
	throttled := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Code, "Throttling") {
			throttled++
		}
	}
	srv.ClearFaults()
	if live := srv.Live(); live != 0 {
		t.Errorf("%d instances left after %d sweep rounds", live, sweepRounds)
	}
	if got := len(srv.EIPs()); got != eipsBefore {
		t.Errorf("%d EIPs, %d before", got, eipsBefore)
	}
	var kinds []string
	for k, v := range failures {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(kinds)
	t.Logf("chaos: %d lifecycles (seed %d), states %v, created %d (%d maybe reported), failures %v; sweep: %d rounds released %d; calls %d, throttled %d (%.1f%%); lifecycles %s, total %s",
		n, *chaosSeed, states, srv.Created(), maybe, kinds, sweepRounds, swept, calls, throttled, 100*float64(throttled)/float64(max(calls, 1)),
		lifecycleWall.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// chaosLifecycle runs one lifecycle and says what it left.
func chaosLifecycle(ctx context.Context, c *alb.Client, spec alb.InstanceSpec) *chaosRecord {
	op, err := c.Create(ctx, spec)
	if err != nil {
		r := &chaosRecord{stage: "create", err: err, state: alb.ItemNotCreated}
		if op != nil {
			r.token, r.id, r.state = op.Token(), op.ID(), alb.ItemMaybeCreated
		}
		if r.token == "" {
			r.token = spec.IdempotencyKey // the caller's key (every spec of the soak has one)
		}
		return r
	}
	r := &chaosRecord{token: op.Token(), id: op.ID(), state: alb.ItemCreated}
	if _, err := op.Wait(ctx); err != nil {
		r.stage, r.err = "wait", err
		if errors.Is(err, alb.ErrReleased) {
			r.state = alb.ItemReleased
		}
		return r
	}
	r.state = alb.ItemActive
	if err := c.EnableDeletionProtection(ctx, r.id); err != nil {
		r.stage, r.err = "protect", err
		return r
	}
	if _, err := c.Release(ctx, r.id, alb.ReleaseOptions{DisableDeletionProtection: true}); err != nil {
		r.stage, r.err, r.state = "release", err, alb.ItemMaybeReleased
		if errors.Is(err, alb.ErrDeletionProtected) {
			r.state = alb.ItemNotReleased
		}
		return r
	}
	r.state = alb.ItemReleased
	return r
}

// chaosBulk runs lifecycles through CreateMany and ReleaseMany.
func chaosBulk(ctx context.Context, c *alb.Client, specs []alb.InstanceSpec) []*chaosRecord {
	var records []*chaosRecord
	byID := map[string]*chaosRecord{}
	var reqs []alb.ReleaseRequest
	for out := range c.CreateMany(ctx, specs, alb.BulkOptions{Concurrency: 16}) {
		r := &chaosRecord{token: out.Token, id: out.ID, state: out.State, err: out.Err}
		if out.Err != nil {
			r.stage = "bulk create"
		}
		records = append(records, r)
		if out.State == alb.ItemActive {
			if err := c.EnableDeletionProtection(ctx, out.ID); err != nil {
				r.stage, r.err = "bulk protect", err
				continue
			}
			byID[out.ID] = r
			reqs = append(reqs, alb.ReleaseRequest{ID: out.ID, Options: alb.ReleaseOptions{DisableDeletionProtection: true}})
		}
	}
	for out := range c.ReleaseMany(ctx, reqs, alb.BulkOptions{Concurrency: 16}) {
		r := byID[out.ID]
		r.state, r.err = out.State, out.Err
		if out.Err != nil {
			r.stage = "bulk release"
		}
	}
	return records
}

// chaosKind names an error's kind for the soak's figures.
func chaosKind(err error) string {
	var (
		ae *alb.APIError
		ma *alb.MaxAttemptsError
		se *alb.StateError
	)
	switch {
	case errors.Is(err, alb.ErrRetryBudgetExhausted):
		return "retry-budget"
	case errors.As(err, &ma):
		return "max-attempts(" + chaosKind(ma.Err) + ")"
	case errors.Is(err, alb.ErrWaitTimeout):
		return "wait-timeout"
	case errors.As(err, &se):
		return "state(" + string(se.Status) + ")"
	case errors.As(err, &ae):
		return "api(" + ae.Code + ")"
	case errors.Is(err, alb.ErrNetwork):
		return "network"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "context"
	}
	return fmt.Sprintf("%T", err)
}
