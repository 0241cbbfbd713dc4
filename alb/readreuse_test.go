package alb_test

import (
	"context"
	"slices"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// TestReleaseReusesTheCreatesRead: a release's plan takes the zones and
// EIPs from the Client's complete read at the end of Create's Wait when the
// instance's jobs say nothing since changed them: the lifecycle reads the
// instance with GetLoadBalancerAttribute once, and the plan is the same as
// a fresh read's. A change made elsewhere that cannot move addresses (a
// rename) is shown (the rest of the instance is read fresh) and keeps the
// reuse; a Client that never read the instance reads it.
func TestReleaseReusesTheCreatesRead(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	inst := mustActive(t, c, basicSpec())
	reads := calls(srv, "GetLoadBalancerAttribute")
	if _, err := srv.ALBClient().UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{
		LoadBalancerId: tea.String(inst.ID), LoadBalancerName: tea.String("renamed")}); err != nil {
		t.Fatal(err)
	}
	srv.AdvanceAll()
	other := testClient(t, srv)
	fresh, err := other.PlanRelease(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := calls(srv, "GetLoadBalancerAttribute"); got != reads+1 {
		t.Fatalf("a Client without a read of the instance made %d complete reads, want 1", got-reads)
	}
	reads++
	res, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := calls(srv, "GetLoadBalancerAttribute"); got != reads {
		t.Errorf("the release read the instance %d more times, want 0 (the create's read reused)", got-reads)
	}
	if calls(srv, "ListAsynJobs") == 0 {
		t.Error("the reuse was not checked against the instance's jobs")
	}
	p := res.Plan
	if p.Name != "renamed" || len(p.EIPs) != 2 || len(p.EIPs) != len(fresh.EIPs) || len(inst.EIPs()) != 2 {
		t.Fatalf("plan %s\nwant the new name and the instance's 2 EIPs, as a fresh read's plan:\n%s", p, fresh)
	}
	for _, e := range p.EIPs {
		if !slices.Contains(inst.EIPs(), e.AllocationID) || p.EIPOrigins[e.AllocationID] != alb.EIPAutoAssigned {
			t.Errorf("EIP %s (%s) in the plan: not one of the instance's auto-assigned %v", e.AllocationID, p.EIPOrigins[e.AllocationID], inst.EIPs())
		}
	}
}

// TestReleasePlanReadsAgainAfterAnAddressChange: after the instance's
// addresses were changed elsewhere (Internet, then Intranet, then Internet
// again with the user's own EIP in zone h), the plan does not reuse the
// create's read: it lists the user's EIP, a finding the release must be
// acknowledged for, and refuses the release without it.
func TestReleasePlanReadsAgainAfterAnAddressChange(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	inst := mustActive(t, c, basicSpec())
	for _, req := range []*albsdk.UpdateLoadBalancerAddressTypeConfigRequest{
		{LoadBalancerId: tea.String(inst.ID), AddressType: tea.String("Intranet")},
		{LoadBalancerId: tea.String(inst.ID), AddressType: tea.String("Internet"), ZoneMappings: []*albsdk.UpdateLoadBalancerAddressTypeConfigRequestZoneMappings{
			{ZoneId: tea.String(albtest.ZoneH), VSwitchId: tea.String(albtest.VSwitchH), AllocationId: tea.String(albtest.EIPTraffic1)},
			{ZoneId: tea.String(albtest.ZoneI), VSwitchId: tea.String(albtest.VSwitchI)}}},
	} {
		if _, err := srv.ALBClient().UpdateLoadBalancerAddressTypeConfig(req); err != nil {
			t.Fatal(err)
		}
		srv.AdvanceAll()
	}
	reads := calls(srv, "GetLoadBalancerAttribute")
	p, err := c.PlanRelease(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := calls(srv, "GetLoadBalancerAttribute"); got != reads+1 {
		t.Errorf("the plan made %d complete reads after an address change, want 1", got-reads)
	}
	if p.EIPOrigins[albtest.EIPTraffic1] != alb.EIPUserOwned || len(p.Findings) != 1 || p.Findings[0].Rule != alb.RuleUserEIPReleased {
		t.Fatalf("plan after the change:\n%s\nwant the user's EIP %s and its finding", p, albtest.EIPTraffic1)
	}
	if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err == nil {
		t.Fatal("released the user's EIP without an acknowledgement")
	}
}
