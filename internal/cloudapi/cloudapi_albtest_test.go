package cloudapi_test

import (
	"context"
	"testing"

	"github.com/alibabacloud-go/tea/dara"
	credentials "github.com/aliyun/credentials-go/credentials"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/internal/cloudapi"
	"github.com/albkit/albkit/waf"
)

// emulatorClients starts the albtest emulator and points every product at it.
func emulatorClients(t *testing.T, opts ...albtest.Option) (*albtest.Server, *cloudapi.Clients) {
	t.Helper()
	srv, err := albtest.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	id, secret := srv.Credentials()
	cred, err := credentials.NewCredential(&credentials.Config{
		Type: dara.String("access_key"), AccessKeyId: dara.String(id), AccessKeySecret: dara.String(secret),
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cloudapi.New(cloudapi.Config{
		Region: srv.Region(), Endpoint: srv.Endpoint(), Protocol: "http", Credential: cred, UserAgent: "albkit/test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestEmulatorListVSwitches(t *testing.T) {
	_, c := emulatorClients(t)
	ctx := context.Background()
	all, err := c.VPC.ListVSwitches(ctx, albtest.DefaultVPCID)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Errorf("%d vSwitches in %s, want 5", len(all), albtest.DefaultVPCID)
	}
	for _, v := range all {
		f, err := cloudapi.VSwitchFacts(v)
		if err != nil {
			t.Errorf("Facts(%s): %v", dara.StringValue(v.VSwitchId), err)
			continue
		}
		if f.VPCID != albtest.DefaultVPCID || !f.CIDR.IsValid() || f.Status != "Available" {
			t.Errorf("facts %+v", f)
		}
		if dara.StringValue(v.VSwitchId) == albtest.VSwitchH && (!f.IPv6Enabled || !f.IPv6CIDR.IsValid() || f.AvailableIPs != 252) {
			t.Errorf("%s facts %+v", albtest.VSwitchH, f)
		}
	}
	some, err := c.VPC.ListVSwitches(ctx, "", albtest.VSwitchI, "vsw-does-not-exist", albtest.VSwitchH)
	if err != nil {
		t.Fatal(err)
	}
	if len(some) != 2 || dara.StringValue(some[0].VSwitchId) != albtest.VSwitchI || dara.StringValue(some[1].VSwitchId) != albtest.VSwitchH {
		t.Errorf("by ID: %+v", some)
	}
}

func TestEmulatorListEIPs(t *testing.T) {
	_, c := emulatorClients(t)
	ctx := context.Background()
	all, err := c.VPC.ListEIPs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 {
		t.Errorf("%d EIPs, want the 7 seeded Common ones", len(all))
	}
	got, err := c.VPC.ListEIPs(ctx, albtest.EIPTraffic1, albtest.EIPAnycast1, albtest.EIPInUse, "eip-does-not-exist")
	if err != nil {
		t.Fatal(err)
	}
	facts := map[string]eip.Address{}
	for _, e := range got {
		facts[dara.StringValue(e.AllocationId)] = cloudapi.EIPFacts(e)
	}
	if len(facts) != 2 {
		t.Fatalf("got %d EIPs: %+v", len(got), got)
	}
	if f := facts[albtest.EIPTraffic1]; f.Type != eip.TypeCommon || f.ChargeType != eip.ChargePostPaid || f.InternetChargeType != eip.PayByTraffic || f.Status != eip.StatusAvailable {
		t.Errorf("traffic1: %+v", f)
	}
	if f := facts[albtest.EIPInUse]; f.Status != eip.StatusInUse || f.InstanceID == "" {
		t.Errorf("inuse: %+v", f)
	}
}

// Issue 17 item 18: DescribeEipAddresses lists the EIPs of a region, not
// Anycast EIPs; Eipanycast ListAnycastEipAddresses lists those.
func TestEmulatorAnycastEIPsThroughEipanycast(t *testing.T) {
	_, c := emulatorClients(t)
	ctx := context.Background()
	if got, err := c.VPC.ListEIPs(ctx, albtest.EIPAnycast1); err != nil || len(got) != 0 {
		t.Fatalf("DescribeEipAddresses of an Anycast EIP: %v %v, want none", got, err)
	}
	ac, err := c.Anycast()
	if err != nil {
		t.Fatal(err)
	}
	list, err := ac.ListEIPs(ctx, albtest.EIPAnycast1, albtest.EIPAnycast2, "aeip-does-not-exist")
	if err != nil || len(list) != 2 {
		t.Fatalf("ListAnycastEipAddresses: %+v %v", list, err)
	}
	a := list[0]
	if a.AnycastId != albtest.EIPAnycast1 || a.Status != "Allocated" || a.InstanceChargeType != "PostPaid" || a.InternetChargeType != "PayByTraffic" {
		t.Errorf("anycast1: %+v", a)
	}
	f := cloudapi.EIPFacts(a.AsEIP(albtest.DefaultRegion))
	if f.Type != eip.TypeAnycast || f.Status != eip.StatusAvailable || f.ChargeType != eip.ChargePostPaid || f.InternetChargeType != eip.PayByTraffic {
		t.Errorf("anycast1 facts: %+v", f)
	}
	bound := cloudapi.AnycastEIP{AnycastId: "aeip-x", Status: "Associated", Binds: []cloudapi.AnycastBind{{BindInstanceId: "alb-1", BindInstanceRegionId: "us-west-1"}}}
	if f := cloudapi.EIPFacts(bound.AsEIP(albtest.DefaultRegion)); f.Status != eip.StatusAvailable {
		t.Errorf("an Anycast EIP bound in another region is available here: %+v", f)
	}
	if f := cloudapi.EIPFacts(bound.AsEIP("us-west-1")); f.Status != eip.StatusInUse || f.InstanceID != "alb-1" {
		t.Errorf("an Anycast EIP bound in this region is in use: %+v", f)
	}
}

func TestEmulatorReleaseEIP(t *testing.T) {
	_, c := emulatorClients(t)
	ctx := context.Background()
	if err := c.VPC.ReleaseEipAddress(ctx, albtest.EIPTraffic2); err != nil {
		t.Fatal(err)
	}
	err := c.VPC.ReleaseEipAddress(ctx, "eip-does-not-exist")
	if !cloudapi.IsNotFound(err) {
		t.Errorf("releasing a missing EIP: %v, want ErrNotFound", err)
	}
}

func TestEmulatorGetRole(t *testing.T) {
	_, c := emulatorClients(t)
	role, err := mustRM(t, c).GetRole(context.Background(), cloudapi.ALBServiceLinkedRole)
	if err != nil {
		t.Fatal(err)
	}
	if role.RoleName != cloudapi.ALBServiceLinkedRole || !role.IsServiceLinkedRole {
		t.Errorf("role %+v", role)
	}

	_, c = emulatorClients(t, albtest.WithoutServiceLinkedRole())
	_, err = mustRM(t, c).GetRole(context.Background(), cloudapi.ALBServiceLinkedRole)
	if !cloudapi.IsNotFound(err) {
		t.Fatalf("GetRole without the role: %v, want ErrNotFound", err)
	}
	if _, err := mustRM(t, c).CreateServiceLinkedRole(context.Background(), cloudapi.ALBServiceName); err != nil {
		t.Fatal(err)
	}
	if _, err := mustRM(t, c).GetRole(context.Background(), cloudapi.ALBServiceLinkedRole); err != nil {
		t.Errorf("GetRole after CreateServiceLinkedRole: %v", err)
	}
}

func TestEmulatorWAFFacts(t *testing.T) {
	_, c := emulatorClients(t)
	f, err := mustWAF(t, c).Facts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f != (waf.Facts{}) {
		t.Errorf("default world: %+v, want no WAF", f)
	}
	_, c = emulatorClients(t,
		albtest.WithWAF3(albtest.WAF3Instance{InstanceID: "waf_v3-1", PayType: "POSTPAY", Status: 1}),
		albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf-cn-2", PayType: 1, Status: 1, InDebt: 1}))
	f, err = mustWAF(t, c).Facts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (waf.Facts{V3: waf.V3PayAsYouGo, V3InstanceID: "waf_v3-1", V2Present: true, V2InstanceID: "waf-cn-2"}); f != want {
		t.Errorf("facts %+v, want %+v", f, want)
	}
}
