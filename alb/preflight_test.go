package alb_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// preflightWorld is one emulator world and one spec to create in it.
type preflightWorld struct {
	opts  []albtest.Option
	setup func(t *testing.T, srv *albtest.Server, c *alb.Client)
	spec  alb.InstanceSpec
	cOpts []alb.CreateOption
	cli   []alb.Option // client options
}

func intranet(zones ...alb.ZoneMapping) alb.InstanceSpec {
	return alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionStandard, zones...).WithName("pf")
}

func internet(zones ...alb.ZoneMapping) alb.InstanceSpec {
	return alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard, zones...).WithName("pf")
}

var (
	zh = alb.Zone(albtest.ZoneH, albtest.VSwitchH)
	zi = alb.Zone(albtest.ZoneI, albtest.VSwitchI)
	zj = alb.Zone(albtest.ZoneJ, albtest.VSwitchJ)
)

func withWAF(s alb.InstanceSpec) alb.InstanceSpec { s.Edition = alb.EditionStandardWithWAF; return s }

func seeded(edit func(w *albtest.World)) albtest.Option {
	w := albtest.DefaultWorld()
	edit(&w)
	return albtest.WithSeed(w)
}

func (w preflightWorld) start(t *testing.T) (*albtest.Server, *alb.Client) {
	t.Helper()
	srv := albtest.NewServer(w.opts...)
	t.Cleanup(srv.Close)
	c := testClient(t, srv, w.cli...)
	if w.setup != nil {
		w.setup(t, srv, c)
	}
	return srv, c
}

// oneInstance creates an instance without a plan (to fill the quota).
func oneInstance(t *testing.T, _ *albtest.Server, c *alb.Client) {
	t.Helper()
	if _, err := c.Create(context.Background(), intranet(zh, zi), alb.SkipPreflight()); err != nil {
		t.Fatal(err)
	}
}

// TestPreflightEveryCheck: for every check of the create plan, a world that
// fails it (the right blocking finding, a *PlanError carrying the plan,
// and zero CreateLoadBalancer calls) and one that passes it.
func TestPreflightEveryCheck(t *testing.T) {
	noRegion := seeded(func(w *albtest.World) {
		w.Regions = slices.DeleteFunc(w.Regions, func(r albtest.Region) bool { return r.RegionID == albtest.DefaultRegion })
	})
	noZoneI := seeded(func(w *albtest.World) {
		w.Zones = slices.DeleteFunc(w.Zones, func(z albtest.Zone) bool { return z.ZoneID == albtest.ZoneI })
	})
	singleZone := seeded(func(w *albtest.World) { w.Zones = w.Zones[:1] })
	for _, tc := range []struct {
		name       string
		rule       string
		fail, pass preflightWorld
	}{
		{"region offers ALB", alb.RuleRegionOffersALB,
			preflightWorld{opts: []albtest.Option{noRegion}, spec: intranet(zh, zi)},
			preflightWorld{spec: intranet(zh, zi)}},
		{"zone offers ALB", alb.RuleZoneAvailable,
			preflightWorld{opts: []albtest.Option{noZoneI}, spec: intranet(zh, zi)},
			preflightWorld{opts: []albtest.Option{noZoneI}, spec: intranet(zh, zj)}},
		{"one zone only in a single-zone region", alb.RuleZonesMin,
			preflightWorld{spec: intranet(zh)},
			preflightWorld{opts: []albtest.Option{singleZone}, spec: intranet(zh)}},
		{"vSwitch exists", alb.RuleVSwitchExists,
			preflightWorld{spec: intranet(zh, alb.Zone(albtest.ZoneI, "vsw-missing"))},
			preflightWorld{spec: intranet(zh, zi)}},
		{"vSwitch in the VPC", network.RuleVPCMismatch,
			preflightWorld{spec: intranet(alb.Zone(albtest.ZoneH, albtest.VSwitchOther), zi)},
			preflightWorld{spec: intranet(zh, zi)}},
		{"vSwitch in the zone", network.RuleZoneMismatch,
			preflightWorld{spec: intranet(zh, alb.Zone(albtest.ZoneJ, albtest.VSwitchI))},
			preflightWorld{spec: intranet(zh, zi)}},
		{"vSwitch Available", network.RuleVSwitchNotAvailable,
			preflightWorld{opts: []albtest.Option{seeded(func(w *albtest.World) {
				w.VSwitches = append(w.VSwitches, albtest.VSwitch{VSwitchID: "vsw-pending", VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneK, CidrBlock: "10.0.9.0/24", Status: "Pending"})
			})}, spec: intranet(zh, alb.Zone(albtest.ZoneK, "vsw-pending"))},
			preflightWorld{spec: intranet(zh, zi)}},
		{"vSwitch prefix /28 or shorter", network.RulePrefixTooLong,
			preflightWorld{spec: intranet(zh, alb.Zone(albtest.ZoneK, albtest.VSwitchKSmall))},
			preflightWorld{spec: intranet(zh, zi)}},
		{"three free addresses", network.RuleNotEnoughAddresses,
			preflightWorld{spec: intranet(zh, alb.Zone(albtest.ZoneK, albtest.VSwitchKFull))},
			preflightWorld{spec: intranet(zh, zi)}},
		{"eight free addresses (strict)", network.RuleAutoScalingAddresses,
			preflightWorld{opts: []albtest.Option{seeded(func(w *albtest.World) {
				w.VSwitches = append(w.VSwitches, albtest.VSwitch{VSwitchID: "vsw-six", VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneK, CidrBlock: "10.0.9.0/24", OccupiedIPs: 246})
			})}, spec: intranet(zh, alb.Zone(albtest.ZoneK, "vsw-six")), cOpts: []alb.CreateOption{alb.StrictAddresses()}},
			preflightWorld{spec: intranet(zh, zi), cOpts: []alb.CreateOption{alb.StrictAddresses()}}},
		{"IPv6 for dual stack", network.RuleIPv6Required,
			preflightWorld{spec: intranet(zh, zj).WithIPVersion(alb.DualStack)},
			preflightWorld{spec: intranet(zh, zi).WithIPVersion(alb.DualStack)}},
		{"intranet address in the CIDR", network.RuleIntranetOutsideCIDR,
			preflightWorld{spec: intranet(zh.WithIntranetAddress("10.9.9.9"), zi)},
			preflightWorld{spec: intranet(zh.WithIntranetAddress("10.0.1.20"), zi)}},
		{"intranet address not reserved", network.RuleIntranetReserved,
			preflightWorld{spec: intranet(zh.WithIntranetAddress("10.0.1.253"), zi)},
			preflightWorld{spec: intranet(zh.WithIntranetAddress("10.0.1.21"), zi)}},
		{"EIP exists", alb.RuleEIPExists,
			preflightWorld{spec: internet(zh.WithEIP("eip-missing"), zi)},
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPTraffic1), zi)}},
		{"EIP pay-as-you-go", eip.RulePayAsYouGo,
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPPrepaid), zi)},
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPTraffic1), zi)}},
		{"EIP pay-by-data-transfer", eip.RulePayByTraffic,
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPBandwidth), zi)},
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPTraffic2), zi)}},
		{"EIP not in a shared bandwidth", eip.RuleNoSharedBandwidth,
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPShared), zi)},
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPTraffic3), zi)}},
		{"EIP available", eip.RuleAvailable,
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPInUse), zi)},
			preflightWorld{spec: internet(zh.WithEIP(albtest.EIPTraffic1), zi)}},
		// The EIP type rule (eip-type-consistent) is decided from the
		// allocation IDs and the declared types, so it is refused locally
		// before any call (validate_test.go); the VPC API reports no type.
		{"no WAF 2.0 for the WAF-enabled edition", waf.RuleWAF2Present,
			preflightWorld{opts: []albtest.Option{albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf-cn-old", PayType: 1})},
				spec: withWAF(intranet(zh, zi))},
			preflightWorld{opts: []albtest.Option{albtest.WithWAF3(albtest.WAF3Instance{InstanceID: "waf_v3-sub", PayType: "PREPAY", Status: 1})},
				spec: withWAF(intranet(zh, zi))}},
		{"service-linked role", alb.RuleServiceLinkedRole,
			preflightWorld{opts: []albtest.Option{albtest.WithoutServiceLinkedRole()}, spec: intranet(zh, zi)},
			preflightWorld{opts: []albtest.Option{albtest.WithoutServiceLinkedRole()}, spec: intranet(zh, zi), cOpts: []alb.CreateOption{alb.CreateServiceLinkedRole()}}},
		{"quota", alb.RuleQuota,
			preflightWorld{setup: oneInstance, spec: intranet(zh, zi), cli: []alb.Option{alb.WithLoadBalancerQuota(1)}},
			preflightWorld{setup: oneInstance, spec: intranet(zh, zi), cli: []alb.Option{alb.WithLoadBalancerQuota(3)}}},
		{"the service's dry run", alb.RuleServiceDryRun,
			preflightWorld{spec: internet(zh, zi).WithBandwidthPackage("cbwp-missing"), cOpts: []alb.CreateOption{alb.WithServiceDryRun()}},
			preflightWorld{spec: internet(zh, zi).WithBandwidthPackage(albtest.DefaultBandwidthPackageID), cOpts: []alb.CreateOption{alb.WithServiceDryRun()}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			t.Run("fails", func(t *testing.T) {
				srv, c := tc.fail.start(t)
				before := srv.Count("CreateLoadBalancer")
				op, err := c.Create(ctx, tc.fail.spec, tc.fail.cOpts...)
				var pe *alb.PlanError
				if op != nil || !errors.Is(err, alb.ErrPreflightFailed) || !errors.As(err, &pe) {
					t.Fatalf("Create = %v, %v; want a *PlanError", op, err)
				}
				if !slices.ContainsFunc(pe.Plan.Blocking(), func(f alb.Finding) bool { return f.Rule == tc.rule }) {
					t.Fatalf("blocking findings %v lack %s", pe.Plan.Blocking(), tc.rule)
				}
				dryRuns := 0
				if tc.rule == alb.RuleServiceDryRun {
					dryRuns = 1 // the service's check is itself a CreateLoadBalancer with DryRun
				}
				if n := srv.Count("CreateLoadBalancer") - before; n != dryRuns {
					t.Fatalf("%d CreateLoadBalancer calls after a blocked plan, want %d", n, dryRuns)
				}
				if !strings.Contains(err.Error(), tc.rule) {
					t.Errorf("error %q does not name the rule", err)
				}
			})
			t.Run("passes", func(t *testing.T) {
				srv, c := tc.pass.start(t)
				plan, err := c.PlanCreate(ctx, tc.pass.spec, tc.pass.cOpts...)
				if err != nil {
					t.Fatal(err)
				}
				if plan.Has(tc.rule) || !plan.OK() {
					t.Fatalf("plan of the passing world:\n%s", plan)
				}
				before := srv.Count("CreateLoadBalancer")
				if _, err := c.Create(ctx, tc.pass.spec, tc.pass.cOpts...); err != nil {
					t.Fatal(err)
				}
				if n := srv.Count("CreateLoadBalancer") - before; n < 1 {
					t.Fatalf("%d CreateLoadBalancer calls", n)
				}
			})
		})
	}
}

// TestPlanCreateReportsFiveFactRulesAtOnce: a spec that breaks five
// facts-level rules gets all five in one plan.
func TestPlanCreateReportsFiveFactRulesAtOnce(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	spec := internet(
		alb.Zone(albtest.ZoneH, albtest.VSwitchOther).WithEIP(albtest.EIPPrepaid),
		alb.Zone(albtest.ZoneK, albtest.VSwitchKSmall),
	).WithIPVersion(alb.DualStack)
	plan, err := c.PlanCreate(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{network.RuleVPCMismatch, network.RuleIPv6Required, network.RulePrefixTooLong, eip.RulePayAsYouGo, eip.RulePayByTraffic} {
		if !plan.Has(rule) {
			t.Errorf("plan lacks %s:\n%s", rule, plan)
		}
	}
	if n := len(plan.Blocking()); n < 5 {
		t.Errorf("%d blocking findings, want at least 5", n)
	}
	if n := srv.Count("CreateLoadBalancer"); n != 0 {
		t.Errorf("PlanCreate called CreateLoadBalancer %d times", n)
	}
}

// TestCreatePlanSideEffectsAndAllowList: auto-assigned EIPs, addresses
// taken from each vSwitch, the WAF 3.0 activation, bandwidth, and the
// backend allow-list from the real vSwitch CIDRs (IPv6 for dual stack).
func TestCreatePlanSideEffectsAndAllowList(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	spec := withWAF(internet(zh, zi).WithIPVersion(alb.DualStack))
	plan, err := c.PlanCreate(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, s := range plan.SideEffects {
		kinds[s.Kind]++
	}
	want := map[string]int{alb.SideEffectEIPAutoAssigned: 2, alb.SideEffectVSwitchAddresses: 2, alb.SideEffectWAFActivated: 1, alb.SideEffectBandwidth: 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d side effects of kind %s, want %d:\n%s", kinds[k], k, n, plan)
		}
	}
	wantAllow := []netip.Prefix{netip.MustParsePrefix("10.0.1.0/24"), netip.MustParsePrefix("10.0.2.0/24"),
		netip.MustParsePrefix("2408:4005:3ff:a001::/64"), netip.MustParsePrefix("2408:4005:3ff:a002::/64")}
	if !slices.Equal(plan.BackendAllowList, wantAllow) {
		t.Errorf("allow-list %v, want %v", plan.BackendAllowList, wantAllow)
	}
	if s := plan.String(); !strings.Contains(s, waf.SideEffectActivatePayAsYouGo) || !strings.Contains(s, "backend security groups must allow: 10.0.1.0/24") ||
		!strings.Contains(s, "ALB takes 3 addresses, 249 of 252 free stay free") {
		t.Errorf("String:\n%s", s)
	}
	// IPv4 only: no IPv6 block to allow.
	plan, err = c.PlanCreate(context.Background(), internet(zh, zi))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.BackendAllowList) != 2 {
		t.Errorf("IPv4 allow-list %v", plan.BackendAllowList)
	}
}

// TestServiceLinkedRoleMissingFromTheService: the service's own
// OperationDenyed.ServiceLinkedRoleNotExist maps to the same typed error
// as the plan's finding; CreateServiceLinkedRole creates the role.
func TestServiceLinkedRoleMissingFromTheService(t *testing.T) {
	srv := albtest.NewServer(albtest.WithoutServiceLinkedRole())
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	_, err := c.Create(ctx, intranet(zh, zi), alb.SkipPreflight())
	var ae *alb.APIError
	if !errors.Is(err, alb.ErrServiceLinkedRoleMissing) || !errors.As(err, &ae) || ae.Code != "OperationDenyed.ServiceLinkedRoleNotExist" {
		t.Fatalf("service's answer: %v", err)
	}
	_, err = c.Create(ctx, intranet(zh, zi))
	if !errors.Is(err, alb.ErrServiceLinkedRoleMissing) || !errors.Is(err, alb.ErrPreflightFailed) {
		t.Fatalf("plan's answer: %v", err)
	}
	created, err := c.CreateServiceLinkedRole(ctx)
	if err != nil || !created {
		t.Fatalf("CreateServiceLinkedRole = %v, %v", created, err)
	}
	if created, err := c.CreateServiceLinkedRole(ctx); err != nil || created {
		t.Fatalf("second CreateServiceLinkedRole = %v, %v", created, err)
	}
	if _, err := c.Create(ctx, intranet(zh, zi)); err != nil {
		t.Fatal(err)
	}
}

// TestQuotaIsConfigurable: the plan compares the instance count with the
// client's quota, not the service's.
func TestQuotaIsConfigurable(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv, alb.WithLoadBalancerQuota(1))
	oneInstance(t, srv, c)
	_, err := c.Create(context.Background(), intranet(zh, zi))
	if !errors.Is(err, alb.ErrQuotaExceeded) || !errors.Is(err, alb.ErrPreflightFailed) {
		t.Fatalf("got %v", err)
	}
	c2 := testClient(t, srv, alb.WithLoadBalancerQuota(2))
	plan, err := c2.PlanCreate(context.Background(), intranet(zh, zi))
	if err != nil || !plan.OK() || !plan.Has(alb.RuleQuota) || plan.Quota != 2 || plan.InstanceCount != 1 {
		t.Fatalf("last-of-quota plan: %v\n%v", err, plan)
	}
	if _, err := alb.NewClient(alb.WithRegion("cn-hangzhou"), alb.WithLoadBalancerQuota(0)); err == nil {
		t.Error("a zero quota was accepted")
	}
}

// TestPreflightFactErrorsAreTyped: a fact that cannot be read fails the
// plan with the call's typed error, and nothing is created.
func TestPreflightFactErrorsAreTyped(t *testing.T) {
	srv := albtest.NewServer(albtest.WithFaults(albtest.Fault{Action: "DescribeVSwitches", Code: "Forbidden.RAM", Status: 403}))
	defer srv.Close()
	c := testClient(t, srv)
	_, err := c.Create(context.Background(), intranet(zh, zi))
	if !errors.Is(err, alb.ErrAuth) || !isAlbkitError(err) {
		t.Fatalf("got %v", err)
	}
	if n := srv.Count("CreateLoadBalancer"); n != 0 {
		t.Fatalf("%d CreateLoadBalancer calls", n)
	}
}

// TestPreflightIsBoundedAndConcurrent: the whole fact gathering ends at
// the preflight bound (a hanging fact does not hold the create), and the
// facts are read concurrently (two slow facts cost one delay, not two).
func TestPreflightIsBoundedAndConcurrent(t *testing.T) {
	srv := albtest.NewServer(albtest.WithFaults(albtest.Fault{Action: "DescribeVSwitches", Latency: 3 * time.Second}))
	defer srv.Close()
	c := testClient(t, srv, alb.WithPreflightTimeout(200*time.Millisecond), alb.WithTimeouts(time.Second, 5*time.Second))
	start := time.Now()
	_, err := c.Create(context.Background(), intranet(zh, zi))
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("the preflight bound of 200ms ended after %s", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !isAlbkitError(err) {
		t.Fatalf("got %v, want the preflight's deadline", err)
	}
	if n := srv.Count("CreateLoadBalancer"); n != 0 {
		t.Fatalf("%d CreateLoadBalancer calls", n)
	}

	const delay = 400 * time.Millisecond
	slow := albtest.NewServer(albtest.WithFaults(
		albtest.Fault{Action: "DescribeVSwitches", Latency: delay},
		albtest.Fault{Action: "GetRole", Latency: delay},
		albtest.Fault{Action: "DescribeZones", Latency: delay}))
	defer slow.Close()
	c = testClient(t, slow)
	start = time.Now()
	if _, err := c.PlanCreate(context.Background(), intranet(zh, zi)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took >= 3*delay {
		t.Fatalf("three facts of %s each took %s: not gathered concurrently", delay, took)
	}
}

// TestIPVersionUpgradeRefused: IPv4 → dual stack on an existing instance
// is refused with the documented answer.
func TestIPVersionUpgradeRefused(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	inst := activeInstance(t, c, intranet(zh, zi))
	err := alb.CheckIPVersionChange(inst, alb.DualStack)
	var fe *alb.FieldError
	if !errors.Is(err, alb.ErrIPVersionUpgrade) || !errors.Is(err, alb.ErrInvalidSpec) || !errors.As(err, &fe) ||
		fe.Rule != alb.RuleIPVersionUpgrade || !strings.Contains(fe.Message, "create a new DualStack instance") {
		t.Fatalf("got %v", err)
	}
	if err := alb.CheckIPVersionChange(inst, alb.IPv4); err != nil {
		t.Fatalf("same version: %v", err)
	}
}

// TestConcurrentPlansShareTheirReads: plans gathered at the same time make
// one read of each fact between them, the region-level facts are kept for
// WithPreflightFactsTTL, and the per-instance ones (vSwitches, the instance
// count) are read again by a later plan.
func TestConcurrentPlansShareTheirReads(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	spec := intranet(zh, zi)
	hold := make(chan struct{})
	actions := []string{"DescribeRegions", "DescribeZones", "DescribeVSwitches", "ListLoadBalancers", "GetRole"}
	var faults []albtest.FaultID
	for _, a := range actions {
		faults = append(faults, srv.InjectFault(albtest.Fault{Action: a, Hold: hold}))
	}
	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() {
			p, err := c.PlanCreate(context.Background(), spec)
			if err == nil {
				err = p.Err()
			}
			errs <- err
		}()
	}
	keys := []string{"DescribeRegions", "DescribeZones", "DescribeVSwitches:" + albtest.VSwitchH + "," + albtest.VSwitchI, "ListLoadBalancers", "GetRole"}
	deadline := time.Now().Add(20 * time.Second)
	for _, k := range keys {
		for alb.SharedReadWaitersForTest(c, k) < n-1 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d plans waiting on the shared read, want %d", k, alb.SharedReadWaitersForTest(c, k), n-1)
			}
			time.Sleep(time.Millisecond) // polling a condition the test cannot be told of
		}
	}
	close(hold)
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range faults {
		srv.RemoveFault(id)
	}
	for _, a := range actions {
		want := 1
		if a == "DescribeVSwitches" {
			want = 2 // one per vSwitch of the spec
		}
		if got := srv.Count(a); got != want {
			t.Errorf("%d concurrent plans made %d %s calls, want %d", n, got, a, want)
		}
	}

	// A later plan: the region-level facts are kept, the others read again.
	if _, err := c.PlanCreate(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"DescribeRegions": 1, "DescribeZones": 1, "GetRole": 1, "DescribeVSwitches": 4, "ListLoadBalancers": 2}
	for a, w := range want {
		if got := srv.Count(a); got != w {
			t.Errorf("after a later plan: %d %s calls, want %d", got, a, w)
		}
	}

	// WithPreflightFactsTTL(0) keeps nothing.
	c0 := testClient(t, srv, alb.WithPreflightFactsTTL(0))
	for range 2 {
		if _, err := c0.PlanCreate(context.Background(), spec); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Count("DescribeRegions"); got != 3 {
		t.Errorf("two sequential plans with TTL 0: %d DescribeRegions calls in all, want 3", got)
	}
	if _, err := srv.Client(alb.WithPreflightFactsTTL(-time.Second)); err == nil || !strings.Contains(err.Error(), "WithPreflightFactsTTL") {
		t.Errorf("a negative TTL: %v, want an error naming the option", err)
	}
}

// TestMissingRoleIsNotKept: a plan that found no service-linked role does
// not keep that answer, so the role created afterwards (by anyone) is seen
// by the next plan.
func TestMissingRoleIsNotKept(t *testing.T) {
	srv := albtest.NewServer(albtest.WithoutServiceLinkedRole())
	defer srv.Close()
	c := testClient(t, srv)
	p, err := c.PlanCreate(context.Background(), intranet(zh, zi))
	if err != nil || !p.Has(alb.RuleServiceLinkedRole) {
		t.Fatalf("plan without the role: %v, %v", p, err)
	}
	other := testClient(t, srv)
	if created, err := other.CreateServiceLinkedRole(context.Background()); err != nil || !created {
		t.Fatalf("CreateServiceLinkedRole = %v, %v", created, err)
	}
	p, err = c.PlanCreate(context.Background(), intranet(zh, zi))
	if err != nil || p.Has(alb.RuleServiceLinkedRole) {
		t.Fatalf("plan after the role was created elsewhere: %v, %v", p, err)
	}
}
