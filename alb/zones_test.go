package alb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Issue 17 item 1: UpdateZones keeps at least two zones in a region of
// several: one zone (or none) is refused locally with rule zones-min-2,
// before any write, with a message that does not contradict itself; the
// emulator refuses a one-zone UpdateLoadBalancerZones too.
func TestUpdateZonesKeepsTwoZones(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	inst := mustActive(t, c, basicSpec())
	eips := inst.EIPs()
	for name, zones := range map[string][]alb.ZoneMapping{
		"one zone": {alb.Zone(albtest.ZoneH, albtest.VSwitchH)},
		"no zone":  nil,
	} {
		_, err := c.UpdateZones(ctx, inst.ID, zones)
		var ve *alb.ValidationError
		if !errors.As(err, &ve) || !ve.Has("ZoneMappings", alb.RuleZonesMin) {
			t.Fatalf("%s: UpdateZones = %v, want a ValidationError with rule %s", name, err, alb.RuleZonesMin)
		}
		msg := err.Error()
		if !strings.Contains(msg, "at least two") || strings.Contains(msg, "at least 1") || strings.Contains(msg, "at least one") {
			t.Errorf("%s: the message contradicts itself: %q", name, msg)
		}
	}
	if n := srv.Count("UpdateLoadBalancerZones"); n != 0 {
		t.Fatalf("%d UpdateLoadBalancerZones sent", n)
	}
	now, err := c.Get(ctx, inst.ID)
	if err != nil || len(now.Zones) != 2 || len(now.EIPs()) != len(eips) {
		t.Fatalf("instance after the refusals: %v zones %d EIPs %v (was %v)", err, len(now.Zones), now.EIPs(), eips)
	}

	// The emulator, asked directly, refuses it as CreateLoadBalancer does.
	sdk := srv.ALBClient()
	_, err = sdk.UpdateLoadBalancerZones(&albsdk.UpdateLoadBalancerZonesRequest{LoadBalancerId: tea.String(inst.ID),
		ZoneMappings: []*albsdk.UpdateLoadBalancerZonesRequestZoneMappings{{ZoneId: tea.String(albtest.ZoneH), VSwitchId: tea.String(albtest.VSwitchH)}}})
	if err == nil || !strings.Contains(err.Error(), "InvalidParameter") {
		t.Fatalf("raw one-zone UpdateLoadBalancerZones = %v, want 400 InvalidParameter", err)
	}
	if lb, _ := srv.LoadBalancer(inst.ID); len(lb.Zones) != 2 {
		t.Fatalf("the emulator dropped a zone: %+v", lb.Zones)
	}
}

// Issue 17 item 9: in a region whose DescribeZones lists one ALB zone,
// every entry point takes a one-zone spec as Create does (Ensure can
// converge what Create made, from its own SpecFromInstance); in a region
// of several zones every entry point refuses it before any create.
func TestSingleZoneAllowanceEveryEntryPoint(t *testing.T) {
	ctx := context.Background()
	spec := intranet(zh)
	t.Run("single-zone region", func(t *testing.T) {
		srv, c := mgEnv(t, seeded(func(w *albtest.World) { w.Zones = w.Zones[:1] }))
		if err := c.CreateDryRun(ctx, spec); err != nil {
			t.Fatalf("CreateDryRun: %v", err)
		}
		if p, err := c.PlanCreate(ctx, spec); err != nil || !p.OK() {
			t.Fatalf("PlanCreate: %v %v", p, err)
		}
		keyed := spec.WithIdempotencyKey("one-zone-1")
		if p, err := c.PlanEnsure(ctx, keyed); err != nil || !p.Create {
			t.Fatalf("PlanEnsure: %v %v", p, err)
		}
		res, err := c.Ensure(ctx, keyed)
		if err != nil || !res.Created {
			t.Fatalf("Ensure: %+v %v", res, err)
		}
		w := writes(srv)
		again, err := c.Ensure(ctx, alb.SpecFromInstance(res.Instance))
		if err != nil || again.ID != res.ID || writes(srv) != w {
			t.Fatalf("Ensure of its own SpecFromInstance: %+v %v (%d writes)", again, err, writes(srv)-w)
		}
		if _, err := c.ResumeCreate(ctx, "one-zone-1", &keyed); err != nil {
			t.Fatalf("ResumeCreate: %v", err)
		}
		if _, err := c.UpdateZones(ctx, res.ID, []alb.ZoneMapping{zh}); err != nil {
			t.Fatalf("UpdateZones to its one zone: %v", err)
		}
		for out, err := range c.CreateMany(ctx, []alb.InstanceSpec{spec.WithName("many")}, alb.BulkOptions{}) {
			if err != nil || out.State != alb.ItemActive {
				t.Fatalf("CreateMany: %v %v", out, err)
			}
		}
		if _, err := c.RemoveZone(ctx, res.ID, albtest.ZoneH); !errors.Is(err, alb.ErrChangeRefused) {
			t.Fatalf("RemoveZone of the last zone = %v, want a refusal", err)
		}
	})
	t.Run("region of several zones", func(t *testing.T) {
		srv, c := mgEnv(t)
		keyed := spec.WithIdempotencyKey("one-zone-2")
		for name, err := range map[string]error{
			"PlanEnsure":    func() error { _, err := c.PlanEnsure(ctx, keyed); return err }(),
			"Ensure":        func() error { _, err := c.Ensure(ctx, keyed); return err }(),
			"CreateDryRun":  c.CreateDryRun(ctx, spec),
			"ResumeCreate":  func() error { _, err := c.ResumeCreate(ctx, "one-zone-2", &keyed); return err }(),
			"SkipPreflight": func() error { _, err := c.Create(ctx, spec, alb.SkipPreflight()); return err }(),
		} {
			var ve *alb.ValidationError
			if !errors.As(err, &ve) || !ve.Has("ZoneMappings", alb.RuleZonesMin) {
				t.Errorf("%s = %v, want rule %s", name, err, alb.RuleZonesMin)
			}
		}
		if _, err := c.Create(ctx, spec); !errors.Is(err, alb.ErrPreflightFailed) {
			t.Errorf("Create = %v, want its plan's refusal", err)
		}
		for out, err := range c.CreateMany(ctx, []alb.InstanceSpec{spec}, alb.BulkOptions{}) {
			if err == nil || out.State != alb.ItemNotCreated && out.State != alb.ItemNotStarted {
				t.Errorf("CreateMany = %v %v, want a refusal, nothing created", out, err)
			}
		}
		if n := srv.Count("CreateLoadBalancer"); n != 0 {
			t.Fatalf("%d CreateLoadBalancer sent", n)
		}
	})
}
