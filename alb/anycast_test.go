package alb_test

import (
	"context"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/eip"
)

// Issue 17 item 18: DescribeEipAddresses lists the EIPs of a region, not
// Anycast EIPs (the VPC and Eipanycast API references): albkit reads an
// Anycast EIP through Eipanycast ListAnycastEipAddresses, for the create
// plan, the EIP checks of a change and the release, and never asks
// DescribeEipAddresses for one.
func TestAnycastEIPsReadThroughEipanycast(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH).WithEIP(albtest.EIPAnycast1),
		alb.Zone(albtest.ZoneI, albtest.VSwitchI).WithEIP(albtest.EIPAnycast2))
	p, err := c.PlanCreate(ctx, spec)
	if err != nil || !p.OK() {
		t.Fatalf("PlanCreate of Anycast zones: %v %v", p, err)
	}
	if f := p.Facts.EIPs[albtest.EIPAnycast1]; f.Type != eip.TypeAnycast || f.Status != eip.StatusAvailable {
		t.Fatalf("Anycast facts %+v", f)
	}
	if srv.Count("ListAnycastEipAddresses") == 0 || srv.Count("DescribeEipAddresses") != 0 {
		t.Fatalf("ListAnycastEipAddresses %d, DescribeEipAddresses %d: want the Anycast EIPs read through Eipanycast only",
			srv.Count("ListAnycastEipAddresses"), srv.Count("DescribeEipAddresses"))
	}
	inst := mustActive(t, c, spec)
	plan, err := c.PlanRelease(ctx, inst.ID)
	if err != nil || plan.EIPOrigins[albtest.EIPAnycast1] != alb.EIPUserOwned {
		t.Fatalf("release plan: %v %v", plan, err)
	}
	res, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{AcknowledgeUserEIPs: true})
	if err != nil || len(res.EIPsStillPresent) != 0 {
		t.Fatalf("release: %+v %v", res, err)
	}
	if n := srv.Count("DescribeEipAddresses"); n != 0 {
		t.Fatalf("%d DescribeEipAddresses for Anycast EIPs", n)
	}
}
