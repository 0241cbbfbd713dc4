package alb_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// genSpec draws a valid spec within what can be changed in place for the
// pair's fixed VPC, IP version and key. Each zone may only use its own EIP
// (EIPTraffic1 in H, 2 in I, 3 in J), so that two specs never move one EIP
// between zones.
func genChangeableSpec(r *rand.Rand, ipv alb.IPVersion, key string, minEdition alb.Edition) alb.InstanceSpec {
	pool := []alb.ZoneMapping{alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI), alb.Zone(albtest.ZoneJ, albtest.VSwitchJ)}
	own := map[string]string{albtest.ZoneH: albtest.EIPTraffic1, albtest.ZoneI: albtest.EIPTraffic2, albtest.ZoneJ: albtest.EIPTraffic3}
	if ipv == alb.DualStack {
		pool = pool[:2] // only H and I have IPv6
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	zones := pool[:2+r.IntN(len(pool)-1)]
	at := []alb.AddressType{alb.Internet, alb.Intranet}[r.IntN(2)]
	var editions []alb.Edition
	for _, e := range alb.Editions() {
		if e == minEdition || minEdition == "" || minEdition.CanUpgradeTo(e) {
			editions = append(editions, e)
		}
	}
	s := alb.NewInstanceSpec(albtest.DefaultVPCID, at, editions[r.IntN(len(editions))]).
		WithIPVersion(ipv).WithIdempotencyKey(key).
		WithName([]string{"web", "api", "edge"}[r.IntN(3)]).
		WithResourceGroup([]string{"rg-a", "rg-b"}[r.IntN(2)])
	for _, z := range zones {
		if at == alb.Internet && r.IntN(2) == 0 {
			z = z.WithEIP(own[z.ZoneID])
		}
		s = s.WithZones(z)
	}
	for _, t := range []alb.Tag{{Key: "team", Value: "web"}, {Key: "env", Value: []string{"prod", "dev"}[r.IntN(2)]}, {Key: "owner", Value: "ops"}} {
		if r.IntN(2) == 0 {
			s = s.WithTag(t.Key, t.Value)
		}
	}
	if at == alb.Internet && r.IntN(2) == 0 {
		s = s.WithBandwidthPackage(albtest.DefaultBandwidthPackageID)
	}
	if r.IntN(2) == 0 {
		s = s.WithDeletionProtection()
	}
	if r.IntN(2) == 0 {
		s = s.WithReadOnly([]string{"frozen", "audit"}[r.IntN(2)])
	}
	s.IPv6Internet = ipv == alb.DualStack && r.IntN(2) == 0
	switch r.IntN(3) { // off, or one of two destinations (a change of destination disables, then enables)
	case 1:
		s = s.WithAccessLog("web-logs", "access")
	case 2:
		s = s.WithAccessLog("audit-logs", "alb_access")
	}
	return s
}

// normalised fills what a spec leaves to the service with the instance's
// values (an EIP ALB assigned, the default allocation mode) and sorts
// zones and tags, so that a spec compares with SpecFromInstance.
func normalised(s alb.InstanceSpec, inst *alb.Instance) alb.InstanceSpec {
	s.ZoneMappings = slices.Clone(s.ZoneMappings)
	for i, z := range s.ZoneMappings {
		for _, iz := range inst.Zones {
			if iz.ZoneID == z.ZoneID && z.AllocationID == "" && s.AddressType == alb.Internet && len(iz.Addresses) > 0 {
				s.ZoneMappings[i].AllocationID = iz.Addresses[0].AllocationID
			}
		}
		if z.EIPType == eip.TypeCommon {
			s.ZoneMappings[i].EIPType = ""
		}
	}
	slices.SortFunc(s.ZoneMappings, func(a, b alb.ZoneMapping) int { return cmp.Compare(a.ZoneID, b.ZoneID) })
	s.Tags = slices.Clone(s.Tags)
	slices.SortFunc(s.Tags, func(a, b alb.Tag) int { return cmp.Compare(a.Key, b.Key) })
	if len(s.Tags) == 0 {
		s.Tags = nil
	}
	if s.AddressAllocatedMode == "" {
		s.AddressAllocatedMode = inst.AddressAllocatedMode
	}
	if s.IPVersion == "" {
		s.IPVersion = alb.IPv4
	}
	if s.Billing == "" {
		s.Billing = alb.PayAsYouGo
	}
	if !s.ReadOnly.Enabled {
		s.ReadOnly.Reason = ""
	}
	return s
}

// TestEnsureProperty: for random valid specs A and B within what can be
// changed in place, Ensure(A) then Ensure(B) yields an instance whose
// SpecFromInstance equals B, a third Ensure(B) makes no write call, and
// Diff(SpecFromInstance(i), i) is empty at every step.
func TestEnsureProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 2026))
	const pairs = 36
	type pair struct{ a, b alb.InstanceSpec }
	var ps []pair
	for i := range pairs {
		ipv := []alb.IPVersion{alb.IPv4, alb.DualStack}[r.IntN(2)]
		key := fmt.Sprintf("prop-%d", i)
		a := genChangeableSpec(r, ipv, key, "")
		ps = append(ps, pair{a, genChangeableSpec(r, ipv, key, a.Edition)})
	}
	for i, p := range ps {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			srv, c := mgEnv(t)
			ctx := context.Background()
			ra, err := c.Ensure(ctx, p.a)
			if err != nil {
				t.Fatalf("Ensure(A): %v\nA: %+v", err, p.a)
			}
			if !ra.Created {
				t.Fatal("Ensure(A) did not create")
			}
			checkRoundTrip(t, ra.Instance)
			rb, err := c.Ensure(ctx, p.b)
			if err != nil {
				t.Fatalf("Ensure(B): %v\nA: %+v\nB: %+v", err, p.a, p.b)
			}
			if rb.Created || rb.ID != ra.ID {
				t.Fatalf("Ensure(B) made another instance: %+v", rb)
			}
			inst, err := c.Get(ctx, rb.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, inst)
			for _, ch := range rb.Applied {
				t.Logf("applied %s", ch.Field)
			}
			got, want := normalised(alb.SpecFromInstance(inst), inst), normalised(p.b, inst)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("SpecFromInstance after Ensure(B)\n got %+v\nwant %+v\nA: %+v\napplied %v", got, want, p.a, rb.Applied)
			}
			w := writes(srv)
			r3, err := c.Ensure(ctx, p.b)
			if err != nil {
				t.Fatal(err)
			}
			if n := writes(srv) - w; n != 0 || len(r3.Applied) != 0 {
				t.Fatalf("third Ensure made %d write calls (%v)", n, r3.Applied)
			}
			if srv.Created() != 1 {
				t.Fatalf("%d instances created", srv.Created())
			}
		})
	}
}

func checkRoundTrip(t *testing.T, inst *alb.Instance) {
	t.Helper()
	if p := alb.Diff(alb.SpecFromInstance(inst), inst); !p.Empty() {
		t.Fatalf("Diff(SpecFromInstance(i), i) is not empty:\n%s", p)
	}
}

// TestDiffEmptyForEveryInstance: a freshly created instance diffs empty
// against its create spec (auto-assigned EIPs, albkit's tags and service
// defaults normalised), and against SpecFromInstance, over many generated
// instances, Anycast EIPs and fixed intranet addresses included.
func TestDiffEmptyForEveryInstance(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 24 {
		_, c := mgEnv(t) // a release takes the user's EIPs with it: a fresh world each

		ipv := []alb.IPVersion{alb.IPv4, alb.DualStack}[r.IntN(2)]
		spec := genChangeableSpec(r, ipv, "", "")
		spec.IPv6Internet = false        // not a create input
		spec.AccessLog = alb.AccessLog{} // nor is the access log
		switch r.IntN(4) {
		case 0:
			spec.ZoneMappings[0].IntranetAddress = fmt.Sprintf("%s.%d", map[string]string{albtest.ZoneH: "10.0.1", albtest.ZoneI: "10.0.2", albtest.ZoneJ: "10.0.3"}[spec.ZoneMappings[0].ZoneID], 100+i)
		case 1:
			if spec.AddressType == alb.Internet && spec.BandwidthPackageID == "" {
				spec.ZoneMappings = []alb.ZoneMapping{alb.Zone(albtest.ZoneH, albtest.VSwitchH).WithEIP(albtest.EIPAnycast1).WithEIPType(eip.TypeAnycast),
					alb.Zone(albtest.ZoneI, albtest.VSwitchI).WithEIP(albtest.EIPAnycast2).WithEIPType(eip.TypeAnycast)}
			}
		case 2:
			spec.AddressAllocatedMode = alb.AddressFixed
		}
		inst := mustActive(t, c, spec)
		if p := alb.Diff(spec, inst); !p.Empty() {
			t.Fatalf("instance %d diffs against its create spec:\n%s\nspec %+v", i, p, spec)
		}
		checkRoundTrip(t, inst)
	}
}

// TestDiffBlocked: what cannot change in place is reported with the
// reason and what to do instead, and Ensure refuses it before any write.
func TestDiffBlocked(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	spec := basicSpec().WithIdempotencyKey("blocked-1")
	res, err := c.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	inst := res.Instance
	cases := []struct {
		name, field, rule string
		mutate            func(s alb.InstanceSpec) alb.InstanceSpec
	}{
		{"VPC", "VPCID", alb.RuleImmutable, func(s alb.InstanceSpec) alb.InstanceSpec { s.VPCID = albtest.DefaultOtherVPCID; return s }},
		{"IPv4 to dual-stack", "IPVersion", alb.RuleImmutable, func(s alb.InstanceSpec) alb.InstanceSpec { return s.WithIPVersion(alb.DualStack) }},
		{"allocation mode", "AddressAllocatedMode", alb.RuleImmutable, func(s alb.InstanceSpec) alb.InstanceSpec {
			return s.WithAddressAllocatedMode(alb.AddressFixed)
		}},
		{"downgrade", "Edition", alb.RuleEditionDowngrade, func(s alb.InstanceSpec) alb.InstanceSpec { s.Edition = alb.EditionBasic; return s }},
		{"vSwitch of a zone", "ZoneMappings[" + albtest.ZoneI + "].VSwitchID", alb.RuleZoneVSwitchChanged, func(s alb.InstanceSpec) alb.InstanceSpec {
			s.ZoneMappings = []alb.ZoneMapping{alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchJ)}
			return s
		}},
		{"security groups", "SecurityGroupIDs", alb.RuleImmutable, func(s alb.InstanceSpec) alb.InstanceSpec { return s.WithSecurityGroups("sg-1") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.mutate(spec).WithName("changed-too")
			p := alb.Diff(s, inst)
			if len(p.Blocked) != 1 || p.Blocked[0].Field != tc.field || p.Blocked[0].Rule != tc.rule || p.Blocked[0].Reason == "" || p.Blocked[0].Instead == "" {
				t.Fatalf("blocked %+v", p.Blocked)
			}
			w := writes(srv)
			_, err := c.Ensure(ctx, s)
			var ne *alb.NotChangeableError
			if !errors.As(err, &ne) || !errors.Is(err, alb.ErrChangeRefused) || len(ne.Differences) != 1 {
				t.Fatalf("Ensure: %v", err)
			}
			if n := writes(srv) - w; n != 0 {
				t.Fatalf("a refused Ensure made %d writes (the rename must not happen either)", n)
			}
		})
	}
	t.Run("IPv4 answer is the documented one", func(t *testing.T) {
		d := alb.Diff(spec.WithIPVersion(alb.DualStack), inst).Blocked[0]
		if d.Instead != "create a new dual-stack instance (IPVersion DualStack, on vSwitches with IPv6 enabled) and move the traffic to it" {
			t.Fatalf("instead: %q", d.Instead)
		}
	})
}

// TestEnsureCreatesOnceAndIsIdempotent: the first Ensure creates, the
// second makes no write, PlanEnsure changes nothing, and a change made
// behind albkit's back shows as drift and is repaired.
func TestEnsureCreatesOnceAndIsIdempotent(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	spec := basicSpec().WithIdempotencyKey("web-1").WithTag("team", "web")
	plan, err := c.PlanEnsure(ctx, spec)
	if err != nil || !plan.Create || writes(srv) != 0 {
		t.Fatalf("plan %+v, err %v, writes %d", plan, err, writes(srv))
	}
	res, err := c.Ensure(ctx, spec)
	if err != nil || !res.Created || res.Instance.Status != alb.StatusActive {
		t.Fatalf("%+v %v", res, err)
	}
	w := writes(srv)
	res2, err := c.Ensure(ctx, spec)
	if err != nil || res2.Created || res2.ID != res.ID || len(res2.Applied) != 0 {
		t.Fatalf("%+v %v", res2, err)
	}
	if n := writes(srv) - w; n != 0 {
		t.Fatalf("second Ensure made %d writes", n)
	}
	// Drift: renamed and re-tagged behind albkit's back.
	if _, err := c.Rename(ctx, res.ID, "hand-made"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddTags(ctx, res.ID, []alb.Tag{{Key: "team", Value: "other"}, {Key: "extra", Value: "1"}}); err != nil {
		t.Fatal(err)
	}
	w = writes(srv)
	plan, err = c.PlanEnsure(ctx, spec)
	if err != nil || plan.Create || len(plan.Plan.Changes) != 3 || writes(srv) != w {
		t.Fatalf("drift plan %v, err %v", plan, err)
	}
	res3, err := c.Ensure(ctx, spec)
	if err != nil || len(res3.Applied) != 3 {
		t.Fatalf("%+v %v", res3, err)
	}
	if res3.Instance.Name != "test-lb" || !hasTag(res3.Instance, "team", "web") || hasTag(res3.Instance, "extra", "1") {
		t.Fatalf("drift not repaired: %+v", res3.Instance)
	}
	if srv.Created() != 1 {
		t.Fatalf("%d instances", srv.Created())
	}
}

// TestEnsureConcurrentSameSpecOneInstance: two concurrent Ensure calls of
// one spec end with one instance.
func TestEnsureConcurrentSameSpecOneInstance(t *testing.T) {
	srv, c := mgEnv(t)
	spec := basicSpec().WithIdempotencyKey("concurrent-1").WithIPVersion(alb.DualStack)
	spec.IPv6Internet = true
	var wg sync.WaitGroup
	ids := make([]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			res, err := c.Ensure(context.Background(), spec)
			errs[i] = err
			if res != nil {
				ids[i] = res.ID
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if ids[0] != ids[1] || srv.Live() != 1 {
		t.Fatalf("ids %v, live %d", ids, srv.Live())
	}
	inst, err := c.Get(context.Background(), ids[0])
	if err != nil || inst.IPv6AddressType != "Internet" {
		t.Fatalf("%+v %v", inst, err)
	}
}

// TestEnsureRepairsAnInterruptedRun: an Ensure that fails in the middle
// (after some changes) is finished by the next one, which applies only
// what is left.
func TestEnsureRepairsAnInterruptedRun(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	a := basicSpec().WithIdempotencyKey("crash-1")
	if _, err := c.Ensure(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := a.WithName("renamed").WithTag("team", "web").WithBandwidthPackage(albtest.DefaultBandwidthPackageID).WithDeletionProtection()
	b.Edition = alb.EditionStandardWithWAF
	fid := srv.InjectFault(albtest.Fault{Action: "UpdateLoadBalancerEdition", Code: "OperationDenied.Crash", Status: 400, Times: 1})
	res, err := c.Ensure(ctx, b)
	if err == nil {
		t.Fatal("the interrupted Ensure succeeded")
	}
	if len(res.Applied) != 2 || res.Applied[0].Field != "Name" || res.Applied[1].Field != "Tags" {
		t.Fatalf("applied before the failure: %v", res.Applied)
	}
	srv.RemoveFault(fid)
	res, err = c.Ensure(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, ch := range res.Applied {
		fields = append(fields, ch.Field)
	}
	if !slices.Equal(fields, []string{"Edition", "BandwidthPackageID", "DeletionProtection"}) {
		t.Fatalf("the repair applied %v", fields)
	}
	if p := alb.Diff(b, res.Instance); !p.Empty() {
		t.Fatalf("not converged:\n%s", p)
	}
	if n := jobs(srv, "UpdateLoadBalancerAttribute"); n != 1 {
		t.Fatalf("the rename was made %d times", n)
	}
}

// TestEnsureNeedsAKey: without an idempotency key or an ID Ensure refuses
// locally; IPv6 Internet on an IPv4 spec too.
func TestEnsureNeedsAKey(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	_, err := c.Ensure(ctx, basicSpec())
	var ve *alb.ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Field != "IdempotencyKey" {
		t.Fatalf("%v", err)
	}
	s := basicSpec().WithIdempotencyKey("k")
	s.IPv6Internet = true
	if _, err := c.Ensure(ctx, s); !errors.As(err, &ve) || ve.Errors[0].Rule != alb.RuleIPv6NeedsDualStack {
		t.Fatalf("%v", err)
	}
	if srv.TotalCalls() != 0 {
		t.Fatalf("%d calls", srv.TotalCalls())
	}
	// Adoption by ID: an instance albkit did not make with this key.
	inst := mustActive(t, c, basicSpec())
	res, err := c.Ensure(ctx, basicSpec().WithName("adopted"), alb.EnsureInstance(inst.ID))
	if err != nil || res.Created || res.Instance.Name != "adopted" {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestEnsureConcurrentConvergence: two concurrent Ensure calls of one new
// spec on an existing instance both succeed (a write refused because the
// other made the change already is taken as done) and converge it.
func TestEnsureConcurrentConvergence(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	a := basicSpec().WithIdempotencyKey("conc-conv")
	if _, err := c.Ensure(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := a.WithName("both").WithTag("team", "web").WithBandwidthPackage(albtest.DefaultBandwidthPackageID).
		WithZones(alb.Zone(albtest.ZoneJ, albtest.VSwitchJ)).WithDeletionProtection()
	b.Edition = alb.EditionStandardWithWAF
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = c.Ensure(ctx, b) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	inst, err := c.FindByToken(ctx, "conc-conv")
	if err != nil {
		t.Fatal(err)
	}
	if p := alb.Diff(b, inst); !p.Empty() {
		t.Fatalf("not converged:\n%s", p)
	}
	if srv.Live() != 1 {
		t.Fatalf("%d instances", srv.Live())
	}
}

// TestEnsureRefusesWAFEditionWithWAF2: creating a WAF-enabled instance
// while a WAF 2.0 instance exists is refused before the create, and the
// plan marks it blocked.
func TestEnsureRefusesWAFEditionWithWAF2(t *testing.T) {
	srv, c := mgEnv(t, albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf_v2_x", PayType: 1, Status: 1, InDebt: 1}))
	ctx := context.Background()
	spec := basicSpec().WithIdempotencyKey("waf-1")
	spec.Edition = alb.EditionStandardWithWAF
	plan, err := c.PlanEnsure(ctx, spec)
	if err != nil || !plan.Create || len(plan.Warnings) < 2 || len(plan.Plan.Blocked) != 1 || plan.Plan.Blocked[0].Rule != alb.RuleWAF2Present ||
		!strings.Contains(plan.String(), "refused") {
		t.Fatalf("%v %v", plan, err)
	}
	_, err = c.Ensure(ctx, spec)
	var re *alb.RefusedError
	if !errors.As(err, &re) || re.Rule != alb.RuleWAF2Present || writes(srv) != 0 {
		t.Fatalf("%v (writes %d)", err, writes(srv))
	}
}

// TestEnsureAfterACrashDuringCreate: a process that sent the create and
// died before the wait leaves a Provisioning instance; the next Ensure
// finds it by its key, waits for it and creates nothing.
func TestEnsureAfterACrashDuringCreate(t *testing.T) {
	srv, c := mgEnv(t, albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterPolls(3)))
	ctx := context.Background()
	spec := basicSpec().WithIdempotencyKey("crash-create").WithTag("team", "web")
	op, err := c.Create(ctx, spec) // the "crash": no Wait
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Ensure(ctx, spec)
	if err != nil || res.Created || res.ID != op.ID() || res.Instance.Status != alb.StatusActive || len(res.Applied) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if srv.Count("CreateLoadBalancer") != 1 || srv.Created() != 1 {
		t.Fatalf("%d creates", srv.Count("CreateLoadBalancer"))
	}
}

// TestDiffIgnoresAlbkitAndSystemTags: albkit's own tags and system tags
// are not the spec's business; other tags are declarative.
func TestDiffIgnoresAlbkitAndSystemTags(t *testing.T) {
	inst := &alb.Instance{ID: "alb-1", VPCID: "vpc-1", AddressType: alb.Intranet, IPVersion: alb.IPv4, Edition: alb.EditionBasic,
		Tags: []alb.Tag{{Key: alb.TokenTagKey, Value: "k"}, {Key: alb.SpecTagKey, Value: "d"}, {Key: "acs:rm:rgId", Value: "rg-1"}, {Key: "team", Value: "web"}, {Key: "stale", Value: "1"}}}
	spec := alb.InstanceSpec{VPCID: "vpc-1", AddressType: alb.Intranet, Edition: alb.EditionBasic, Tags: []alb.Tag{{Key: "team", Value: "web"}}}
	p := alb.Diff(spec, inst)
	if len(p.Changes) != 1 || p.Changes[0].Calls[0] != "UnTagResources" || p.Changes[0].From != "stale" {
		t.Fatalf("%s", p)
	}
	if s := alb.SpecFromInstance(inst); len(s.Tags) != 2 || s.IdempotencyKey != "k" {
		t.Fatalf("%+v", s)
	}
}

// Issue 17 item 10: every refusal live facts can decide is decided before
// the first write. An existing instance to rename, move and upgrade to
// StandardWithWaf while a WAF 2.0 instance exists, or to rename and give a
// dual-stack zone on a vSwitch without IPv6: PlanEnsure marks the change
// blocked (not warned), Ensure returns the refusal with its type and
// writes nothing; the plan gathered each fact once.
func TestEnsureDecidesLiveRefusalsBeforeAnyWrite(t *testing.T) {
	ctx := context.Background()
	t.Run("WAF 2.0 present", func(t *testing.T) {
		srv, c := mgEnv(t, albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf_v2_x", PayType: 1, Status: 1, InDebt: 1}))
		spec := basicSpec().WithIdempotencyKey("live-waf")
		if _, err := c.Ensure(ctx, spec); err != nil {
			t.Fatal(err)
		}
		want := spec.WithName("renamed").WithResourceGroup("rg-team")
		want.Edition = alb.EditionStandardWithWAF
		w, wafReads := writes(srv), srv.Count("DescribeInstanceInfo")
		p, err := c.PlanEnsure(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Plan.Blocked) != 1 || p.Plan.Blocked[0].Rule != alb.RuleWAF2Present || p.Plan.Blocked[0].Field != "Edition" {
			t.Fatalf("blocked %+v, want the edition change blocked by %s", p.Plan.Blocked, alb.RuleWAF2Present)
		}
		for _, ch := range p.Plan.Changes {
			if ch.Field == "Edition" {
				t.Fatalf("the refused edition change is still a change: %s", p)
			}
		}
		for _, wn := range p.Warnings {
			if strings.Contains(wn, "refused") {
				t.Fatalf("the refusal is a warning: %q", wn)
			}
		}
		var re *alb.RefusedError
		if !errors.As(p.Plan.Blocked[0].Err, &re) {
			t.Fatalf("blocked difference error %v, want a *RefusedError", p.Plan.Blocked[0].Err)
		}
		_, err = c.Ensure(ctx, want)
		if !errors.As(err, &re) || re.Rule != alb.RuleWAF2Present || !errors.Is(err, alb.ErrChangeRefused) || !errors.Is(err, waf.ErrWAF2Present) {
			t.Fatalf("Ensure = %v, want the *RefusedError of %s", err, alb.RuleWAF2Present)
		}
		if n := writes(srv) - w; n != 0 {
			t.Fatalf("Ensure wrote %d times before refusing", n)
		}
		if n := srv.Count("DescribeInstanceInfo") - wafReads; n != 2 {
			t.Fatalf("%d WAF 2.0 reads for a plan and an Ensure, want one each", n)
		}
		inst, _ := c.FindByToken(ctx, "live-waf")
		if inst.Name != "test-lb" || inst.ResourceGroupID == "rg-team" {
			t.Fatalf("the instance was half-changed: %+v", inst)
		}
	})
	t.Run("new zone without IPv6", func(t *testing.T) {
		srv, c := mgEnv(t)
		spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionStandard, twoZones()...).
			WithIPVersion(alb.DualStack).WithIdempotencyKey("live-ipv6")
		// VSwitchH and VSwitchI have IPv6; VSwitchJ has none.
		if _, err := c.Ensure(ctx, spec); err != nil {
			t.Fatal(err)
		}
		want := spec.WithName("renamed").WithZones(alb.Zone(albtest.ZoneJ, albtest.VSwitchJ))
		w, vswReads := writes(srv), srv.Count("DescribeVSwitches")
		p, err := c.PlanEnsure(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Plan.Blocked) != 1 || p.Plan.Blocked[0].Field != "ZoneMappings" || p.Plan.Blocked[0].Rule != network.RuleIPv6Required {
			t.Fatalf("blocked %+v, want the zone change blocked by %s", p.Plan.Blocked, network.RuleIPv6Required)
		}
		_, err = c.Ensure(ctx, want)
		var ve *alb.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, alb.ErrInvalidSpec) || ve.Errors[0].Rule != network.RuleIPv6Required {
			t.Fatalf("Ensure = %v, want the *ValidationError of %s", err, network.RuleIPv6Required)
		}
		if n := writes(srv) - w; n != 0 {
			t.Fatalf("Ensure wrote %d times before refusing", n)
		}
		if n := srv.Count("DescribeVSwitches") - vswReads; n != 2 {
			t.Fatalf("%d DescribeVSwitches for a plan and an Ensure, want one each", n)
		}
		// With a vSwitch that has IPv6 the same change goes through, and the
		// apply reads the facts no second time.
		_ = srv.AddVSwitch(albtest.VSwitch{VSwitchID: "vsw-albtest-j6", VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneJ,
			CidrBlock: "10.0.9.0/24", Ipv6CidrBlock: "2408:4005:3ff:a009::/64", Name: "albtest-j6"})
		good := spec.WithName("renamed").WithZones(alb.Zone(albtest.ZoneJ, "vsw-albtest-j6"))
		vswReads = srv.Count("DescribeVSwitches")
		res, err := c.Ensure(ctx, good)
		if err != nil || len(res.Applied) != 2 {
			t.Fatalf("Ensure = %+v, %v", res, err)
		}
		if n := srv.Count("DescribeVSwitches") - vswReads; n != 1 {
			t.Fatalf("%d DescribeVSwitches for one Ensure, want one", n)
		}
	})
}
