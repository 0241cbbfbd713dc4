package alb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// mgEnv starts an emulator and its ready client (srv.Client).
func mgEnv(t *testing.T, opts ...albtest.Option) (*albtest.Server, *alb.Client) {
	t.Helper()
	srv := albtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// writes counts the write calls the server received: every action that
// is not a read (Get*, List*, Describe*).
func writes(srv *albtest.Server) int {
	n := 0
	for action, count := range srv.Calls() {
		if !strings.HasPrefix(action, "Get") && !strings.HasPrefix(action, "List") && !strings.HasPrefix(action, "Describe") {
			n += count
		}
	}
	return n
}

// jobs counts the jobs the server recorded for an API.
func jobs(srv *albtest.Server, api string) int {
	n := 0
	for _, j := range srv.Jobs() {
		if j.APIName == api {
			n++
		}
	}
	return n
}

func mustActive(t *testing.T, c *alb.Client, spec alb.InstanceSpec) *alb.Instance {
	t.Helper()
	ctx := context.Background()
	op, err := c.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func threeZones() []alb.ZoneMapping {
	return append(twoZones(), alb.Zone(albtest.ZoneJ, albtest.VSwitchJ))
}

// manageCase is one management operation: the instance it starts from,
// an optional preparation, the operation, the API it sends, and what the
// instance shows afterwards.
type manageCase struct {
	name    string
	spec    alb.InstanceSpec
	prepare func(ctx context.Context, c *alb.Client, id string) error
	do      func(ctx context.Context, c *alb.Client, id string) error
	api     string // the write it sends
	job     bool   // the write is asynchronous and records a job
	visible func(i *alb.Instance) bool
}

func manageCases() []manageCase {
	std := basicSpec()
	dual := basicSpec().WithIPVersion(alb.DualStack)
	return []manageCase{
		{name: "Rename", spec: std, api: "UpdateLoadBalancerAttribute", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.Rename(ctx, id, "renamed")
				return err
			},
			visible: func(i *alb.Instance) bool { return i.Name == "renamed" }},
		{name: "AddTags", spec: std, api: "TagResources",
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.AddTags(ctx, id, []alb.Tag{{Key: "team", Value: "web"}})
				return err
			},
			visible: func(i *alb.Instance) bool { return hasTag(i, "team", "web") }},
		{name: "RemoveTags", spec: std.WithTag("team", "web"), api: "UnTagResources",
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.RemoveTags(ctx, id, []string{"team"})
				return err
			},
			visible: func(i *alb.Instance) bool { return !hasTag(i, "team", "web") && i.Token() != "" }},
		{name: "UpgradeEdition", spec: std, api: "UpdateLoadBalancerEdition", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.UpgradeEdition(ctx, id, alb.EditionStandardWithWAF)
				return err
			},
			visible: func(i *alb.Instance) bool { return i.Edition == alb.EditionStandardWithWAF }},
		{name: "AttachBandwidthPackage", spec: std, api: "AttachCommonBandwidthPackageToLoadBalancer", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.AttachBandwidthPackage(ctx, id, albtest.DefaultBandwidthPackageID)
				return err
			},
			visible: func(i *alb.Instance) bool { return i.BandwidthPackageID == albtest.DefaultBandwidthPackageID }},
		{name: "DetachBandwidthPackage", spec: std.WithBandwidthPackage(albtest.DefaultBandwidthPackageID), api: "DetachCommonBandwidthPackageFromLoadBalancer", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.DetachBandwidthPackage(ctx, id)
				return err
			},
			visible: func(i *alb.Instance) bool { return i.BandwidthPackageID == "" }},
		{name: "EnableIPv6Internet", spec: dual, api: "EnableLoadBalancerIpv6Internet", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.EnableIPv6Internet(ctx, id)
				return err
			},
			visible: func(i *alb.Instance) bool { return i.IPv6AddressType == "Internet" }},
		{name: "DisableIPv6Internet", spec: dual, api: "DisableLoadBalancerIpv6Internet", job: true,
			prepare: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.EnableIPv6Internet(ctx, id)
				return err
			},
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.DisableIPv6Internet(ctx, id)
				return err
			},
			visible: func(i *alb.Instance) bool { return i.IPv6AddressType == "Intranet" }},
		{name: "MoveResourceGroup", spec: std, api: "MoveResourceGroup",
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.MoveResourceGroup(ctx, id, "rg-moved")
				return err
			},
			visible: func(i *alb.Instance) bool { return i.ResourceGroupID == "rg-moved" }},
		{name: "AddZone", spec: std, api: "UpdateLoadBalancerZones", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.AddZone(ctx, id, alb.Zone(albtest.ZoneJ, albtest.VSwitchJ).WithEIP(albtest.EIPTraffic3))
				return err
			},
			visible: func(i *alb.Instance) bool {
				return len(i.Zones) == 3 && i.Zones[2].ZoneID == albtest.ZoneJ && i.Zones[2].Addresses[0].AllocationID == albtest.EIPTraffic3
			}},
		{name: "RemoveZone", spec: alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard, threeZones()...), api: "UpdateLoadBalancerZones", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.RemoveZone(ctx, id, albtest.ZoneJ)
				return err
			},
			visible: func(i *alb.Instance) bool { return len(i.Zones) == 2 }},
		{name: "BindEIP", spec: std, api: "UpdateLoadBalancerAddressTypeConfig", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.BindEIP(ctx, id, albtest.ZoneH, albtest.EIPTraffic1)
				return err
			},
			visible: func(i *alb.Instance) bool { return i.Zones[0].Addresses[0].AllocationID == albtest.EIPTraffic1 }},
		{name: "UpdateAddressType", spec: std, api: "UpdateLoadBalancerAddressTypeConfig", job: true,
			do: func(ctx context.Context, c *alb.Client, id string) error {
				_, err := c.UpdateAddressType(ctx, id, alb.Intranet, nil)
				return err
			},
			visible: func(i *alb.Instance) bool { return i.AddressType == alb.Intranet && len(i.EIPs()) == 0 }},
	}
}

func hasTag(i *alb.Instance, k, v string) bool {
	for _, t := range i.Tags {
		if t.Key == k && t.Value == v {
			return true
		}
	}
	return false
}

// TestManageOperations: every operation makes its change visible, makes
// no write when asked again, and survives throttling, a 5xx and an
// apply-then-fail with the change made once.
func TestManageOperations(t *testing.T) {
	faults := map[string]albtest.Fault{
		"none":            {},
		"throttling":      {Code: "Throttling.User", Status: 400, Times: 2},
		"5xx":             {Code: "ServiceUnavailable", Status: 503, Times: 1},
		"apply-then-fail": {Code: "InternalError", Status: 500, Times: 1, ApplyThenFail: true},
	}
	for _, tc := range manageCases() {
		for fname, f := range faults {
			t.Run(tc.name+"/"+fname, func(t *testing.T) {
				t.Parallel()
				srv, c := mgEnv(t)
				ctx := context.Background()
				inst := mustActive(t, c, tc.spec)
				if tc.prepare != nil {
					if err := tc.prepare(ctx, c, inst.ID); err != nil {
						t.Fatal(err)
					}
				}
				before := jobs(srv, tc.api)
				if f.Code != "" {
					f.Action = tc.api
					srv.InjectFault(f)
				}
				if err := tc.do(ctx, c, inst.ID); err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				got, err := c.Get(ctx, inst.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !tc.visible(got) {
					t.Fatalf("%s: change not visible: %+v", tc.name, got)
				}
				if got.Status != alb.StatusActive {
					t.Fatalf("status %s after the wait", got.Status)
				}
				if tc.job {
					if n := jobs(srv, tc.api) - before; n != 1 {
						t.Fatalf("%s made %d jobs, want exactly 1", tc.api, n)
					}
				}
				w := writes(srv)
				if err := tc.do(ctx, c, inst.ID); err != nil {
					t.Fatalf("%s again: %v", tc.name, err)
				}
				if n := writes(srv) - w; n != 0 {
					t.Fatalf("%s again made %d write calls, want 0", tc.name, n)
				}
			})
		}
	}
}

// refusal runs op and checks that it fails with a typed error naming the
// rule and that it made no write call.
func refusal(t *testing.T, srv *albtest.Server, rule string, op func() error) error {
	t.Helper()
	w := writes(srv)
	err := op()
	if err == nil {
		t.Fatalf("want a refusal with rule %s, got success", rule)
	}
	if n := writes(srv) - w; n != 0 {
		t.Fatalf("the refusal made %d write calls", n)
	}
	var re *alb.RefusedError
	var ve *alb.ValidationError
	switch {
	case errors.As(err, &re):
		if re.Rule != rule || !errors.Is(err, alb.ErrChangeRefused) || !errors.Is(err, alb.ErrInvalidArgument) || re.Field == "" {
			t.Fatalf("refusal %+v, want rule %s", re, rule)
		}
	case errors.As(err, &ve):
		found := false
		for _, fe := range ve.Errors {
			found = found || fe.Rule == rule && fe.Field != ""
		}
		if !found {
			t.Fatalf("validation error %v does not name rule %s", err, rule)
		}
	default:
		t.Fatalf("untyped refusal %T: %v", err, err)
	}
	return err
}

func TestManageRefusals(t *testing.T) {
	ctx := context.Background()
	srv, c := mgEnv(t)
	inst := mustActive(t, c, basicSpec().WithTag("team", "web"))
	id := inst.ID
	intra := mustActive(t, c, alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionBasic, twoZones()...))
	withBWP := mustActive(t, c, basicSpec().WithBandwidthPackage(albtest.DefaultBandwidthPackageID))

	t.Run("Rename", func(t *testing.T) {
		refusal(t, srv, alb.RuleNameRequired, func() error { _, err := c.Rename(ctx, id, ""); return err })
		refusal(t, srv, alb.RuleNameStartLetter, func() error { _, err := c.Rename(ctx, id, "1abc"); return err })
		refusal(t, srv, alb.RuleNameLength, func() error { _, err := c.Rename(ctx, id, strings.Repeat("a", 129)); return err })
	})
	t.Run("Tags", func(t *testing.T) {
		refusal(t, srv, alb.RuleTagKeyAlbkitPrefix, func() error {
			_, err := c.AddTags(ctx, id, []alb.Tag{{Key: alb.TokenTagKey, Value: "x"}})
			return err
		})
		refusal(t, srv, alb.RuleTagKeyAlbkitPrefix, func() error { _, err := c.RemoveTags(ctx, id, []string{alb.SpecTagKey}); return err })
		refusal(t, srv, alb.RuleTagNoURL, func() error {
			_, err := c.AddTags(ctx, id, []alb.Tag{{Key: "k", Value: "http://x"}})
			return err
		})
	})
	t.Run("Edition", func(t *testing.T) {
		err := refusal(t, srv, alb.RuleEditionDowngrade, func() error { _, err := c.UpgradeEdition(ctx, id, alb.EditionBasic); return err })
		if !strings.Contains(err.Error(), "OperationDenied.Downgrade") {
			t.Fatalf("the refusal does not give the documented reason: %v", err)
		}
		refusal(t, srv, alb.RuleEditionEnum, func() error { _, err := c.UpgradeEdition(ctx, id, "Gold"); return err })
	})
	t.Run("Bandwidth", func(t *testing.T) {
		refusal(t, srv, alb.RuleBandwidthInternetOnly, func() error {
			_, err := c.AttachBandwidthPackage(ctx, intra.ID, albtest.DefaultBandwidthPackageID)
			return err
		})
		refusal(t, srv, alb.RuleBandwidthAttached, func() error { _, err := c.AttachBandwidthPackage(ctx, withBWP.ID, "cbwp-other"); return err })
		refusal(t, srv, alb.RuleBandwidthPackageIDFormat, func() error { _, err := c.AttachBandwidthPackage(ctx, id, "bwp-1"); return err })
		refusal(t, srv, alb.RuleBandwidthInternetOnly, func() error { _, err := c.UpdateAddressType(ctx, withBWP.ID, alb.Intranet, nil); return err })
	})
	t.Run("IPv6", func(t *testing.T) {
		for _, op := range []func(context.Context, string, ...alb.WaitOption) (*alb.Instance, error){c.EnableIPv6Internet, c.DisableIPv6Internet} {
			err := refusal(t, srv, alb.RuleIPv6NeedsDualStack, func() error { _, err := op(ctx, id); return err })
			var re *alb.RefusedError
			if errors.As(err, &re); !strings.Contains(re.Instead, "create a new dual-stack instance") || !strings.Contains(re.Reason, "cannot be upgraded") {
				t.Fatalf("not the documented answer: %v", err)
			}
		}
	})
	t.Run("ResourceGroup", func(t *testing.T) {
		refusal(t, srv, alb.RuleResourceGroupIDFormat, func() error { _, err := c.MoveResourceGroup(ctx, id, "group-1"); return err })
	})
	t.Run("Zones", func(t *testing.T) {
		refusal(t, srv, alb.RuleZonesMin, func() error { _, err := c.RemoveZone(ctx, id, albtest.ZoneI); return err })
		refusal(t, srv, alb.RuleZoneVSwitchChanged, func() error { _, err := c.AddZone(ctx, id, alb.Zone(albtest.ZoneI, albtest.VSwitchJ)); return err })
		refusal(t, srv, alb.RuleZoneVSwitchChanged, func() error {
			_, err := c.UpdateZones(ctx, id, []alb.ZoneMapping{alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchJ)})
			return err
		})
		// The new vSwitch passes the network checks with live facts.
		refusal(t, srv, network.RuleVPCMismatch, func() error { _, err := c.AddZone(ctx, id, alb.Zone(albtest.ZoneK, albtest.VSwitchOther)); return err })
		dual := mustActive(t, c, basicSpec().WithIPVersion(alb.DualStack))
		refusal(t, srv, network.RuleIPv6Required, func() error { _, err := c.AddZone(ctx, dual.ID, alb.Zone(albtest.ZoneJ, albtest.VSwitchJ)); return err })
		refusal(t, srv, network.RuleNotEnoughAddresses, func() error { _, err := c.AddZone(ctx, id, alb.Zone(albtest.ZoneK, albtest.VSwitchKFull)); return err })
		refusal(t, srv, alb.RuleZoneUnique, func() error {
			_, err := c.UpdateZones(ctx, id, []alb.ZoneMapping{alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneH, albtest.VSwitchH)})
			return err
		})
	})
	t.Run("EIP", func(t *testing.T) {
		refusal(t, srv, alb.RuleEIPInternetOnly, func() error { _, err := c.BindEIP(ctx, intra.ID, albtest.ZoneH, albtest.EIPTraffic1); return err })
		refusal(t, srv, alb.RuleZoneUnknown, func() error { _, err := c.BindEIP(ctx, id, albtest.ZoneK, albtest.EIPTraffic1); return err })
		refusal(t, srv, eip.RulePayByTraffic, func() error { _, err := c.BindEIP(ctx, id, albtest.ZoneH, albtest.EIPBandwidth); return err })
		refusal(t, srv, eip.RuleAvailable, func() error { _, err := c.BindEIP(ctx, id, albtest.ZoneH, albtest.EIPInUse); return err })
		refusal(t, srv, alb.RuleEIPIDFormat, func() error { _, err := c.BindEIP(ctx, id, albtest.ZoneH, "ip-1"); return err })
	})
}

// TestUpgradeToWAFEditionChecksWAF: the WAF 2.0/3.0 check before the
// WAF-enabled edition.
func TestUpgradeToWAFEditionChecksWAF(t *testing.T) {
	ctx := context.Background()
	t.Run("no WAF: billed activation reported", func(t *testing.T) {
		_, c := mgEnv(t)
		inst := mustActive(t, c, basicSpec())
		up, err := c.UpgradeEdition(ctx, inst.ID, alb.EditionStandardWithWAF)
		if err != nil {
			t.Fatal(err)
		}
		if up.WAF == nil || up.WAF.Outcome != waf.OutcomeActivatePayAsYouGo || len(up.SideEffects) != 1 || up.SideEffects[0] != waf.SideEffectActivatePayAsYouGo {
			t.Fatalf("side effects %v, WAF %+v", up.SideEffects, up.WAF)
		}
		if up.Instance.Edition != alb.EditionStandardWithWAF {
			t.Fatalf("edition %s", up.Instance.Edition)
		}
	})
	t.Run("subscription WAF 3.0: no extra fee", func(t *testing.T) {
		_, c := mgEnv(t, albtest.WithWAF3(albtest.WAF3Instance{InstanceID: "waf_v3_sub", PayType: "PREPAY", Status: 1}))
		inst := mustActive(t, c, basicSpec())
		up, err := c.UpgradeEdition(ctx, inst.ID, alb.EditionStandardWithWAF)
		if err != nil || len(up.SideEffects) != 0 || up.WAF.Outcome != waf.OutcomeUseSubscription {
			t.Fatalf("%+v, %v", up, err)
		}
	})
	t.Run("WAF 2.0: refused with guidance", func(t *testing.T) {
		srv, c := mgEnv(t, albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf_v2_old", PayType: 1, Status: 1, InDebt: 1}))
		inst := mustActive(t, c, basicSpec())
		err := refusal(t, srv, alb.RuleWAF2Present, func() error { _, err := c.UpgradeEdition(ctx, inst.ID, alb.EditionStandardWithWAF); return err })
		if !errors.Is(err, waf.ErrWAF2Present) || !strings.Contains(err.Error(), "X-Forwarded-Proto") || !strings.Contains(err.Error(), "waf_v2_old") {
			t.Fatalf("no WAF 2.0 guidance: %v", err)
		}
	})
}

// TestWAFEditionActivatesWAF3Once: the emulator activates a pay-as-you-go
// WAF 3.0 instance with the first WAF-enabled instance, as documented, so
// the second upgrade reports usage billed on it instead of a new
// activation.
func TestWAFEditionActivatesWAF3Once(t *testing.T) {
	ctx := context.Background()
	_, c := mgEnv(t)
	first := mustActive(t, c, basicSpec())
	second := mustActive(t, c, basicSpec())
	up, err := c.UpgradeEdition(ctx, first.ID, alb.EditionStandardWithWAF)
	if err != nil || up.WAF.Outcome != waf.OutcomeActivatePayAsYouGo {
		t.Fatalf("%+v %v", up, err)
	}
	up, err = c.UpgradeEdition(ctx, second.ID, alb.EditionStandardWithWAF)
	if err != nil || up.WAF.Outcome != waf.OutcomeUsePayAsYouGo || len(up.SideEffects) != 1 || !strings.Contains(up.SideEffects[0], "existing pay-as-you-go WAF 3.0 instance") {
		t.Fatalf("%+v %v", up, err)
	}
}

// TestChangeMadeByAnotherWriterIsDone: a write the service refuses after
// the change was made (here: applied, then answered with a
// non-retryable code, as when a concurrent writer won the race) is taken
// as done once the instance shows the change.
func TestChangeMadeByAnotherWriterIsDone(t *testing.T) {
	ctx := context.Background()
	srv, c := mgEnv(t)
	inst := mustActive(t, c, basicSpec())
	srv.InjectFault(albtest.Fault{Action: "UpdateLoadBalancerEdition", Code: "OperationDenied.EditionNotChanged", Status: 400, Times: 1, ApplyThenFail: true})
	up, err := c.UpgradeEdition(ctx, inst.ID, alb.EditionStandardWithWAF)
	if err != nil || up.Instance.Edition != alb.EditionStandardWithWAF || up.Instance.Status != alb.StatusActive {
		t.Fatalf("%+v %v", up, err)
	}
	// A refusal whose change is not there stays an error.
	srv.InjectFault(albtest.Fault{Action: "UpdateLoadBalancerAttribute", Code: "OperationDenied.Other", Status: 400, Times: 1})
	if _, err := c.Rename(ctx, inst.ID, "never"); err == nil {
		t.Fatal("a refused rename succeeded")
	}
}

// TestManageErrorsAreTyped: under a refusal, an authentication failure, a
// dropped connection and a 5xx that does not end, every operation fails
// with one of albkit's exported types or sentinels.
func TestManageErrorsAreTyped(t *testing.T) {
	faults := map[string]albtest.Fault{
		"refused":      {Code: "OperationDenied.Test", Status: 400},
		"auth":         {Code: "Forbidden.RAM", Status: 403},
		"dropped":      {DropConnection: true},
		"5xx-forever":  {Code: "ServiceUnavailable", Status: 503},
		"read-refused": {Code: "InvalidParameter", Status: 400},
	}
	for _, tc := range manageCases() {
		for fname, f := range faults {
			t.Run(tc.name+"/"+fname, func(t *testing.T) {
				t.Parallel()
				srv, c := mgEnv(t)
				ctx := context.Background()
				inst := mustActive(t, c, tc.spec)
				if tc.prepare != nil {
					if err := tc.prepare(ctx, c, inst.ID); err != nil {
						t.Fatal(err)
					}
				}
				f.Action = tc.api
				if fname == "read-refused" {
					f.Action = "GetLoadBalancerAttribute"
				}
				srv.InjectFault(f)
				err := tc.do(ctx, c, inst.ID)
				if err == nil {
					t.Fatal("succeeded under a permanent fault")
				}
				if !isAlbkitError(err) {
					t.Fatalf("untyped error %T: %v", err, err)
				}
			})
		}
	}
}

// TestBindEIPNeverUsesUpdateZones: an EIP rebinding goes through
// UpdateLoadBalancerAddressTypeConfig with ZoneMappings.AllocationId, never
// through UpdateLoadBalancerZones (the Terraform provider's bug #9309),
// and the auto-assigned EIP it replaces is released.
func TestBindEIPNeverUsesUpdateZones(t *testing.T) {
	ctx := context.Background()
	srv, c := mgEnv(t)
	inst := mustActive(t, c, basicSpec())
	auto := inst.Zones[0].Addresses[0].AllocationID
	res, err := c.Ensure(ctx, alb.SpecFromInstance(inst).WithIdempotencyKey(inst.Token()), alb.EnsureInstance(inst.ID))
	if err != nil || len(res.Applied) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	spec := alb.SpecFromInstance(inst)
	spec.ZoneMappings[0].AllocationID = albtest.EIPTraffic1
	res, err = c.Ensure(ctx, spec)
	if err != nil || len(res.Applied) != 1 || res.Applied[0].Calls[1] != "UpdateLoadBalancerAddressTypeConfig" {
		t.Fatalf("%+v %v", res, err)
	}
	if srv.Count("UpdateLoadBalancerZones") != 0 || srv.Count("UpdateLoadBalancerAddressTypeConfig") != 1 {
		t.Fatalf("calls %v", srv.Calls())
	}
	if liveEIPs(srv)[auto] {
		t.Fatalf("the auto-assigned EIP %s was not released", auto)
	}
	if got := res.Instance.Zones[0].Addresses[0].AllocationID; got != albtest.EIPTraffic1 {
		t.Fatalf("zone EIP %s", got)
	}
}

// TestBusyInstanceIsWaitedOutWithOneToken: when every retry of a write
// meets a busy instance, the operation waits until it is Active and sends
// again, with the same ClientToken in every request; the change is made
// once.
func TestBusyInstanceIsWaitedOutWithOneToken(t *testing.T) {
	ctx := context.Background()
	srv, c := mgEnv(t)
	inst := mustActive(t, c, basicSpec())
	srv.InjectFault(albtest.Fault{Action: "UpdateLoadBalancerEdition", Code: "IncorrectStatus.LoadBalancer", Status: 400, Times: 7})
	up, err := c.UpgradeEdition(ctx, inst.ID, alb.EditionStandardWithWAF)
	if err != nil || up.Instance.Edition != alb.EditionStandardWithWAF {
		t.Fatalf("%+v %v", up, err)
	}
	tokens := map[string]bool{}
	for _, r := range srv.Requests() {
		if r.Action == "UpdateLoadBalancerEdition" {
			tokens[r.Params["ClientToken"]] = true
		}
	}
	if srv.Count("UpdateLoadBalancerEdition") != 8 || len(tokens) != 1 || tokens[""] {
		t.Fatalf("%d requests with tokens %v", srv.Count("UpdateLoadBalancerEdition"), tokens)
	}
	if n := jobs(srv, "UpdateLoadBalancerEdition"); n != 1 {
		t.Fatalf("%d jobs", n)
	}
}
