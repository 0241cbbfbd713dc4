package albtest_test

import (
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

func TestLifecycleInternetAutoEIP(t *testing.T) {
	srv, c := start(t)
	beforeH := availableIPs(t, srv, albtest.VSwitchH)
	id := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.ZoneMappings[1] = zmEIP(albtest.VSwitchI, albtest.ZoneI, albtest.EIPTraffic1)
		r.Tag = []*albsdk.CreateLoadBalancerRequestTag{{Key: dara.String("env"), Value: dara.String("test")}}
	}))
	if !reLBID.MatchString(id) {
		t.Fatalf("id %q does not match %v", id, reLBID)
	}
	// Default transition AfterPolls(1): Provisioning once, then Active.
	b := get(t, c, id)
	if got := dara.StringValue(b.LoadBalancerStatus); got != "Provisioning" {
		t.Fatalf("first read: %s, want Provisioning", got)
	}
	b = get(t, c, id)
	if got := dara.StringValue(b.LoadBalancerStatus); got != "Active" {
		t.Fatalf("second read: %s, want Active", got)
	}
	if dara.StringValue(b.DNSName) != id+".cn-hangzhou.alb.aliyuncs.com" || dara.StringValue(b.RegionId) != "cn-hangzhou" {
		t.Fatalf("DNSName %s RegionId %s", dara.StringValue(b.DNSName), dara.StringValue(b.RegionId))
	}
	if !reTime.MatchString(dara.StringValue(b.CreateTime)) || !reRequestID.MatchString(dara.StringValue(b.RequestId)) {
		t.Fatalf("CreateTime %q RequestId %q", dara.StringValue(b.CreateTime), dara.StringValue(b.RequestId))
	}
	if dara.StringValue(b.LoadBalancerBussinessStatus) != "Normal" || dara.BoolValue(b.DeletionProtectionConfig.Enabled) ||
		dara.StringValue(b.LoadBalancerBillingConfig.PayType) != "PostPay" || len(b.Tags) != 1 || dara.StringValue(b.Tags[0].Key) != "env" {
		t.Fatalf("unexpected attributes: %s", b.String())
	}
	if len(b.ZoneMappings) != 2 {
		t.Fatalf("zones: %d", len(b.ZoneMappings))
	}
	auto := b.ZoneMappings[0].LoadBalancerAddresses[0]
	given := b.ZoneMappings[1].LoadBalancerAddresses[0]
	if dara.StringValue(given.AllocationId) != albtest.EIPTraffic1 || dara.StringValue(given.Address) != "47.98.10.1" || dara.StringValue(given.EipType) != "Common" {
		t.Fatalf("given EIP address: %s", given.String())
	}
	autoID := dara.StringValue(auto.AllocationId)
	if !strings.HasPrefix(autoID, "eip-") || autoID == albtest.EIPTraffic1 || dara.StringValue(auto.IntranetAddress) != "10.0.1.1" {
		t.Fatalf("auto EIP address: %s", auto.String())
	}
	for _, eip := range []string{autoID, albtest.EIPTraffic1} {
		if st, ok := eipStatus(t, srv, eip); !ok || st != "InUse" {
			t.Fatalf("EIP %s: status %q exists %v, want InUse", eip, st, ok)
		}
	}
	if got := availableIPs(t, srv, albtest.VSwitchH); got != beforeH-3 {
		t.Fatalf("AvailableIpAddressCount %d, want %d", got, beforeH-3)
	}

	del, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	jobID := dara.StringValue(del.Body.JobId)
	if !reJobID.MatchString(jobID) {
		t.Fatalf("JobId %q", jobID)
	}
	jobs := func() *albsdk.ListAsynJobsResponseBodyJobs {
		r, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{JobIds: []*string{dara.String(jobID)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Body.Jobs) != 1 {
			t.Fatalf("jobs: %s", r.Body.String())
		}
		return r.Body.Jobs[0]
	}
	j := jobs()
	if dara.StringValue(j.Status) != "Processing" || dara.StringValue(j.OperateType) != "Delete" || dara.StringValue(j.ResourceId) != id || dara.Int64Value(j.CreateTime) <= 0 {
		t.Fatalf("job: %s", j.String())
	}
	if got := dara.StringValue(jobs().Status); got != "Succeeded" {
		t.Fatalf("job after a poll: %s", got)
	}
	_, err = c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)})
	sdkErr(t, err, "ResourceNotFound.LoadBalancer", 404)
	for _, eip := range []string{autoID, albtest.EIPTraffic1} {
		if _, ok := eipStatus(t, srv, eip); ok {
			t.Fatalf("EIP %s still exists after release", eip)
		}
	}
	if got := availableIPs(t, srv, albtest.VSwitchH); got != beforeH {
		t.Fatalf("AvailableIpAddressCount %d after release, want %d", got, beforeH)
	}
	lbs := srv.LoadBalancers()
	if len(lbs) != 1 || !lbs[0].Deleted || srv.Created() != 1 || srv.Live() != 0 {
		t.Fatalf("snapshot: %+v created %d live %d", lbs, srv.Created(), srv.Live())
	}
}

func TestIntranetDualStack(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.AddressType = dara.String("Intranet")
		r.AddressIpVersion = dara.String("DualStack")
		r.ZoneMappings[0].IntranetAddress = dara.String("10.0.1.100")
	}))
	b := get(t, c, id)
	if dara.StringValue(b.LoadBalancerStatus) != "Active" || dara.StringValue(b.AddressIpVersion) != "DualStack" {
		t.Fatalf("%s", b.String())
	}
	a0 := b.ZoneMappings[0].LoadBalancerAddresses[0]
	if dara.StringValue(a0.Address) != "10.0.1.100" || dara.StringValue(a0.IntranetAddress) != "10.0.1.100" || a0.AllocationId != nil {
		t.Fatalf("zone h address: %s", a0.String())
	}
	for _, z := range b.ZoneMappings {
		if v6 := dara.StringValue(z.LoadBalancerAddresses[0].Ipv6Address); !strings.HasPrefix(v6, "2408:4005:3ff:a00") {
			t.Fatalf("Ipv6Address %q", v6)
		}
	}
	if len(srv.EIPs()) != 9 {
		t.Fatalf("an intranet instance must not allocate EIPs: %d EIPs", len(srv.EIPs()))
	}
	// The address is now taken.
	_, err := c.CreateLoadBalancer(createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.AddressType = dara.String("Intranet")
		r.ZoneMappings[0].IntranetAddress = dara.String("10.0.1.100")
	}))
	sdkErr(t, err, "InvalidParameter.IntranetAddress", 400)
}

func TestCreateChecks(t *testing.T) {
	type mod = func(*albsdk.CreateLoadBalancerRequest)
	cases := []struct {
		name   string
		mod    mod
		code   string
		status int
	}{
		{"no VpcId", func(r *albsdk.CreateLoadBalancerRequest) { r.VpcId = nil }, "MissingParameter", 400},
		{"no AddressType", func(r *albsdk.CreateLoadBalancerRequest) { r.AddressType = nil }, "MissingParameter", 400},
		{"bad AddressType", func(r *albsdk.CreateLoadBalancerRequest) { r.AddressType = dara.String("Public") }, "InvalidParameter", 400},
		{"no edition", func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerEdition = nil }, "MissingParameter", 400},
		{"bad edition", func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerEdition = dara.String("Premium") }, "InvalidParameter", 400},
		{"no PayType", func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerBillingConfig = nil }, "MissingParameter", 400},
		{"PrePay", func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerBillingConfig.PayType = dara.String("PrePay") }, "InvalidParameter", 400},
		{"no zones", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings = nil }, "MissingParameter", 400},
		{"11 zones", func(r *albsdk.CreateLoadBalancerRequest) {
			for i := 0; i < 9; i++ {
				r.ZoneMappings = append(r.ZoneMappings, zm(albtest.VSwitchJ, albtest.ZoneJ))
			}
		}, "InvalidParameter", 400},
		{"zone without vSwitch", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[0].VSwitchId = nil }, "MissingParameter", 400},
		{"bad name", func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerName = dara.String("1bad name") }, "InvalidParameter", 400},
		{"bad IpVersion", func(r *albsdk.CreateLoadBalancerRequest) { r.AddressIpVersion = dara.String("IPv6") }, "InvalidParameter", 400},
		{"bad tag", func(r *albsdk.CreateLoadBalancerRequest) {
			r.Tag = []*albsdk.CreateLoadBalancerRequestTag{{Key: dara.String("aliyun:x"), Value: dara.String("v")}}
		}, "InvalidParameter", 400},
		{"bad ClientToken", func(r *albsdk.CreateLoadBalancerRequest) { r.ClientToken = dara.String("tökén") }, "InvalidParameter", 400},
		{"unknown VPC", func(r *albsdk.CreateLoadBalancerRequest) { r.VpcId = dara.String("vpc-nope") }, "ResourceNotFound.Vpc", 404},
		{"unknown vSwitch", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[0].VSwitchId = dara.String("vsw-nope") }, "ResourceNotFound.VSwitch", 404},
		{"zone mismatch", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[0].ZoneId = dara.String(albtest.ZoneJ) }, "Mismatch.ZoneIdAndVSwitchId", 400},
		{"other VPC", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].VSwitchId = dara.String(albtest.VSwitchOther)
		}, "Mismatch.VpcIdAndVSwitchId", 400},
		{"zone twice", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[1] = zm(albtest.VSwitchH, albtest.ZoneH) }, "DuplicatedParam.ZoneId", 400},
		{"small vSwitch", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[1] = zm(albtest.VSwitchKSmall, albtest.ZoneK)
		}, "ResourceNotEnough.VSwitchIp", 400},
		{"full vSwitch", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[1] = zm(albtest.VSwitchKFull, albtest.ZoneK) }, "ResourceNotEnough.VSwitchIp", 400},
		{"DualStack without IPv6", func(r *albsdk.CreateLoadBalancerRequest) {
			r.AddressIpVersion = dara.String("DualStack")
			r.ZoneMappings[1] = zm(albtest.VSwitchJ, albtest.ZoneJ)
		}, "OperationDenied.VSwitchIpv6NotEnabled", 400},
		{"intranet address malformed", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[0].IntranetAddress = dara.String("10.0.1") }, "InvalidParameter.IntranetAddress", 400},
		{"intranet address outside", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[0].IntranetAddress = dara.String("10.0.2.9") }, "InvalidParameter.IntranetAddress", 400},
		{"intranet address reserved", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].IntranetAddress = dara.String("10.0.1.253")
		}, "InvalidParameter.IntranetAddress", 400},
		{"bandwidth package on intranet", func(r *albsdk.CreateLoadBalancerRequest) {
			r.AddressType = dara.String("Intranet")
			r.LoadBalancerBillingConfig.BandwidthPackageId = dara.String(albtest.DefaultBandwidthPackageID)
		}, "OperationDenied.AddressTypeNotSupportBandwidthPackage", 400},
		{"unknown bandwidth package", func(r *albsdk.CreateLoadBalancerRequest) {
			r.LoadBalancerBillingConfig.BandwidthPackageId = dara.String("cbwp-nope")
		}, "ResourceNotFound.CommonBandwidthPackage", 404},
		{"EIP on intranet", func(r *albsdk.CreateLoadBalancerRequest) {
			r.AddressType = dara.String("Intranet")
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPTraffic1)
		}, "OperationDenied.IntranetNotSupportEip", 400},
		{"unknown EIP", func(r *albsdk.CreateLoadBalancerRequest) { r.ZoneMappings[0].AllocationId = dara.String("eip-nope") }, "ResourceNotFound.Eip", 404},
		{"EIP in use", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPInUse)
		}, "IncorrectStatus.Eip", 400},
		{"EIP pay by bandwidth", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPBandwidth)
		}, "OperationDenied.OnlyPostPaidEipSupported", 400},
		{"EIP prepaid", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPPrepaid)
		}, "OperationDenied.OnlyPostPaidEipSupported", 400},
		{"EIP in bandwidth package", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPShared)
		}, "OperationDenied.EipInBandwidthPackage", 400},
		{"EIP twice", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPTraffic1)
			r.ZoneMappings[1].AllocationId = dara.String(albtest.EIPTraffic1)
		}, "DuplicatedParam.AllocationId", 400},
		{"EIP types mixed", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPTraffic1)
			r.ZoneMappings[1].AllocationId = dara.String(albtest.EIPAnycast1)
		}, "OperationDenied.EipTypeInconsistent", 400},
		{"Anycast next to auto EIP", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPAnycast1)
		}, "OperationDenied.EipTypeInconsistent", 400},
		{"declared type differs", func(r *albsdk.CreateLoadBalancerRequest) {
			r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPTraffic1)
			r.ZoneMappings[0].EipType = dara.String("Anycast")
		}, "OperationDenied.EipTypeInconsistent", 400},
	}
	srv, c := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateLoadBalancer(createReq(tc.mod))
			sdkErr(t, err, tc.code, tc.status)
			// The same request as a DryRun gets the same error.
			_, err = c.CreateLoadBalancer(createReq(tc.mod, func(r *albsdk.CreateLoadBalancerRequest) { r.DryRun = dara.Bool(true) }))
			sdkErr(t, err, tc.code, tc.status)
		})
	}
	if srv.Created() != 0 || len(srv.EIPs()) != 9 {
		t.Fatalf("failed creates changed state: created %d, EIPs %d", srv.Created(), len(srv.EIPs()))
	}
	// Anycast in every zone is fine.
	id := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPAnycast1)
		r.ZoneMappings[1].AllocationId = dara.String(albtest.EIPAnycast2)
		r.ZoneMappings[1].EipType = dara.String("Anycast")
	}))
	if got := dara.StringValue(get(t, c, id).ZoneMappings[0].LoadBalancerAddresses[0].EipType); got != "Anycast" {
		t.Fatalf("EipType %s", got)
	}
}

func TestWAF2BlocksStandardWithWaf(t *testing.T) {
	_, c := start(t, albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf-cn-albtest2", PayType: 1, Status: 1, InDebt: 1}))
	_, err := c.CreateLoadBalancer(createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerEdition = dara.String("StandardWithWaf") }))
	sdkErr(t, err, "OperationDenied.WafV2InstanceExist", 400)
}

func TestQuota(t *testing.T) {
	srv, c := start(t, albtest.WithQuota(1), albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq())
	_, err := c.CreateLoadBalancer(createReq())
	se := sdkErr(t, err, "QuotaExceeded.LoadBalancersNum", 400)
	if !strings.Contains(dara.StringValue(se.Message), "usage 1/1") {
		t.Fatalf("message %q", dara.StringValue(se.Message))
	}
	if _, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, createReq())
	srv.SetQuota(3)
	mustCreate(t, c, createReq())
}

func TestServiceLinkedRole(t *testing.T) {
	srv, c := start(t, albtest.WithoutServiceLinkedRole())
	oc := srv.OpenAPIClient()
	_, err := c.CreateLoadBalancer(createReq())
	sdkErr(t, err, "OperationDenyed.ServiceLinkedRoleNotExist", 400)
	_, err = call(t, oc, "GetRole", albtest.VersionResourceManager, map[string]any{"RoleName": albtest.ServiceLinkedRoleName})
	sdkErr(t, err, "EntityNotExist.Role", 404)
	_, err = call(t, oc, "CreateServiceLinkedRole", albtest.VersionResourceManager, map[string]any{"ServiceName": "slb.aliyuncs.com"})
	sdkErr(t, err, "InvalidParameter.ServiceName", 400)
	_, err = call(t, oc, "CreateServiceLinkedRole", albtest.VersionResourceManager, nil)
	sdkErr(t, err, "MissingParameter", 400)
	for i := 0; i < 2; i++ { // idempotent
		b := mustCall(t, oc, "CreateServiceLinkedRole", albtest.VersionResourceManager, map[string]any{"ServiceName": albtest.ServiceLinkedRoleService})
		if path(b, "Role", "RoleName") != albtest.ServiceLinkedRoleName || path(b, "Role", "IsServiceLinkedRole") != true {
			t.Fatalf("CreateServiceLinkedRole: %v", b)
		}
	}
	b := mustCall(t, oc, "GetRole", albtest.VersionResourceManager, map[string]any{"RoleName": albtest.ServiceLinkedRoleName})
	if !strings.HasPrefix(path(b, "Role", "Arn").(string), "acs:ram::") || path(b, "Role", "RoleId") == "" || !reTime.MatchString(path(b, "Role", "CreateDate").(string)) {
		t.Fatalf("GetRole: %v", b)
	}
	_, err = call(t, oc, "GetRole", albtest.VersionResourceManager, map[string]any{"RoleName": "SomeOtherRole"})
	sdkErr(t, err, "EntityNotExist.Role", 404)
	mustCreate(t, c, createReq())
}

func TestDryRun(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	_, err := c.CreateLoadBalancer(createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.DryRun = dara.Bool(true) }))
	se := sdkErr(t, err, "DryRunOperation", 400)
	if !strings.Contains(dara.StringValue(se.Message), "Request validation has been passed with DryRun flag set.") {
		t.Fatalf("message %q", dara.StringValue(se.Message))
	}
	if srv.Created() != 0 {
		t.Fatal("DryRun created an instance")
	}
	id := mustCreate(t, c, createReq())
	dry := dara.Bool(true)
	idp := dara.String(id)
	_, err = c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: idp, DryRun: dry})
	sdkErr(t, err, "DryRunOperation", 400)
	_, err = c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: idp, LoadBalancerName: dara.String("renamed"), DryRun: dry})
	sdkErr(t, err, "DryRunOperation", 400)
	_, err = c.UpdateLoadBalancerEdition(&albsdk.UpdateLoadBalancerEditionRequest{LoadBalancerId: idp, LoadBalancerEdition: dara.String("StandardWithWaf"), DryRun: dry})
	sdkErr(t, err, "DryRunOperation", 400)
	_, err = c.AttachCommonBandwidthPackageToLoadBalancer(&albsdk.AttachCommonBandwidthPackageToLoadBalancerRequest{LoadBalancerId: idp, RegionId: dara.String("cn-hangzhou"), BandwidthPackageId: dara.String(albtest.DefaultBandwidthPackageID), DryRun: dry})
	sdkErr(t, err, "DryRunOperation", 400)
	_, err = c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: idp, DryRun: dry})
	sdkErr(t, err, "DryRunOperation", 400)
	b := get(t, c, id)
	if dara.BoolValue(b.DeletionProtectionConfig.Enabled) || dara.StringValue(b.LoadBalancerName) != "albtest-lb" ||
		dara.StringValue(b.LoadBalancerEdition) != "Standard" || b.BandwidthPackageId != nil || dara.StringValue(b.LoadBalancerStatus) != "Active" {
		t.Fatalf("DryRun changed state: %s", b.String())
	}
	// A DryRun that fails its checks gets the real error.
	_, err = c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String("alb-nope"), DryRun: dry})
	sdkErr(t, err, "ResourceNotFound.LoadBalancer", 404)
	_, err = c.DisableDeletionProtection(&albsdk.DisableDeletionProtectionRequest{ResourceId: idp, DryRun: dry})
	sdkErr(t, err, "DryRunOperation", 400)
	_, err = c.DetachCommonBandwidthPackageFromLoadBalancer(&albsdk.DetachCommonBandwidthPackageFromLoadBalancerRequest{LoadBalancerId: idp, RegionId: dara.String("cn-hangzhou"), BandwidthPackageId: dara.String(albtest.DefaultBandwidthPackageID), DryRun: dry})
	sdkErr(t, err, "OperationDenied.BandwidthPackageNotAttached", 400)
}

func TestStatusAndProtection(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Manual()))
	id := mustCreate(t, c, createReq())
	idp := dara.String(id)
	// Writes while Provisioning.
	_, err := c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: idp})
	se := sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	if !strings.Contains(dara.StringValue(se.Message), "[Provisioning]") {
		t.Fatalf("message %q", dara.StringValue(se.Message))
	}
	_, err = c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: idp})
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	if ok, err := srv.Advance(id); !ok || err != nil {
		t.Fatalf("Advance: %v %v", ok, err)
	}
	if _, err := srv.Advance("alb-nope"); err == nil {
		t.Fatal("Advance of an unknown id succeeded")
	}
	if _, err := c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: idp}); err != nil {
		t.Fatal(err)
	}
	b := get(t, c, id)
	if !dara.BoolValue(b.DeletionProtectionConfig.Enabled) || !reTime.MatchString(dara.StringValue(b.DeletionProtectionConfig.EnabledTime)) {
		t.Fatalf("protection: %s", b.DeletionProtectionConfig.String())
	}
	_, err = c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: idp})
	sdkErr(t, err, "OperationDenied.DeletionProtectionEnabled", 400)

	// Update: Configuring until advanced (by job ID).
	up, err := c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{
		LoadBalancerId: idp, LoadBalancerName: dara.String("renamed"),
		ModificationProtectionConfig: &albsdk.UpdateLoadBalancerAttributeRequestModificationProtectionConfig{Status: dara.String("ConsoleProtection"), Reason: dara.String("managed-by-albkit")},
	})
	if err != nil {
		t.Fatal(err)
	}
	b = get(t, c, id)
	if dara.StringValue(b.LoadBalancerStatus) != "Configuring" || dara.StringValue(b.LoadBalancerName) != "renamed" ||
		dara.StringValue(b.ModificationProtectionConfig.Status) != "ConsoleProtection" || dara.StringValue(b.ModificationProtectionConfig.Reason) != "managed-by-albkit" {
		t.Fatalf("after update: %s", b.String())
	}
	_, err = c.DisableDeletionProtection(&albsdk.DisableDeletionProtectionRequest{ResourceId: idp})
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	if ok, err := srv.Advance(dara.StringValue(up.Body.JobId)); !ok || err != nil {
		t.Fatalf("Advance(job): %v %v", ok, err)
	}
	_, err = c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: idp, LoadBalancerName: dara.String("-bad")})
	sdkErr(t, err, "InvalidParameter", 400)

	// Business status.
	if err := srv.SetBusinessStatus(id, "Abnormal", albtest.OperationLock{LockType: "FinancialLocked", LockReason: "overdue"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DisableDeletionProtection(&albsdk.DisableDeletionProtectionRequest{ResourceId: idp})
	sdkErr(t, err, "IncorrectBusinessStatus.LoadBalancer", 400)
	b = get(t, c, id)
	if dara.StringValue(b.LoadBalancerBussinessStatus) != "Abnormal" || len(b.LoadBalancerOperationLocks) != 1 || dara.StringValue(b.LoadBalancerOperationLocks[0].LockType) != "FinancialLocked" {
		t.Fatalf("locks: %s", b.String())
	}
	if err := srv.SetBusinessStatus(id, "Normal"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisableDeletionProtection(&albsdk.DisableDeletionProtectionRequest{ResourceId: idp}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: idp})
	if err != nil {
		t.Fatal(err)
	}
	if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Deleting" {
		t.Fatalf("status after delete: %s", got)
	}
	_, err = c.UpdateLoadBalancerEdition(&albsdk.UpdateLoadBalancerEditionRequest{LoadBalancerId: idp, LoadBalancerEdition: dara.String("StandardWithWaf")})
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	if n := srv.AdvanceAll(); n != 1 {
		t.Fatalf("AdvanceAll: %d", n)
	}
	_, err = c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: idp})
	sdkErr(t, err, "ResourceNotFound.LoadBalancer", 404)
	if ok, _ := srv.Advance(dara.StringValue(del.Body.JobId)); ok {
		t.Fatal("nothing should be pending")
	}
}

func TestUpdateEdition(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := dara.String(mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerEdition = dara.String("Basic") })))
	ed := func(e string) error {
		_, err := c.UpdateLoadBalancerEdition(&albsdk.UpdateLoadBalancerEditionRequest{LoadBalancerId: id, LoadBalancerEdition: dara.String(e)})
		return err
	}
	sdkErr(t, ed("Basic"), "OperationDenied.EditionNotChanged", 400)
	if err := ed("Standard"); err != nil {
		t.Fatal(err)
	}
	sdkErr(t, ed("Basic"), "OperationDenied.Downgrade", 400)
	sdkErr(t, ed("Gold"), "InvalidParameter", 400)
	if err := ed("StandardWithWaf"); err != nil {
		t.Fatal(err)
	}
	if got := dara.StringValue(get(t, c, *id).LoadBalancerEdition); got != "StandardWithWaf" {
		t.Fatalf("edition %s", got)
	}
	_, err := c.UpdateLoadBalancerEdition(&albsdk.UpdateLoadBalancerEditionRequest{LoadBalancerId: dara.String("alb-nope"), LoadBalancerEdition: dara.String("Standard")})
	sdkErr(t, err, "ResourceNotFound.LoadBalancer", 404)
}

func TestBandwidthPackage(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := dara.String(mustCreate(t, c, createReq()))
	intra := dara.String(mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.AddressType = dara.String("Intranet") })))
	region := dara.String("cn-hangzhou")
	attach := func(lb *string, bwp string) error {
		_, err := c.AttachCommonBandwidthPackageToLoadBalancer(&albsdk.AttachCommonBandwidthPackageToLoadBalancerRequest{LoadBalancerId: lb, RegionId: region, BandwidthPackageId: dara.String(bwp)})
		return err
	}
	detach := func(lb *string, bwp string) error {
		_, err := c.DetachCommonBandwidthPackageFromLoadBalancer(&albsdk.DetachCommonBandwidthPackageFromLoadBalancerRequest{LoadBalancerId: lb, RegionId: region, BandwidthPackageId: dara.String(bwp)})
		return err
	}
	sdkErr(t, attach(id, "cbwp-nope"), "ResourceNotFound.CommonBandwidthPackage", 404)
	sdkErr(t, attach(dara.String("alb-nope"), albtest.DefaultBandwidthPackageID), "ResourceNotFound.LoadBalancer", 404)
	sdkErr(t, attach(intra, albtest.DefaultBandwidthPackageID), "OperationDenied.AddressTypeNotSupportBandwidthPackage", 400)
	sdkErr(t, detach(id, albtest.DefaultBandwidthPackageID), "OperationDenied.BandwidthPackageNotAttached", 400)
	if err := attach(id, albtest.DefaultBandwidthPackageID); err != nil {
		t.Fatal(err)
	}
	if got := dara.StringValue(get(t, c, *id).BandwidthPackageId); got != albtest.DefaultBandwidthPackageID {
		t.Fatalf("BandwidthPackageId %q", got)
	}
	sdkErr(t, attach(id, albtest.DefaultBandwidthPackageID), "OperationDenied.BandwidthPackageAlreadyAttached", 400)
	if err := detach(id, albtest.DefaultBandwidthPackageID); err != nil {
		t.Fatal(err)
	}
	_, err := c.AttachCommonBandwidthPackageToLoadBalancer(&albsdk.AttachCommonBandwidthPackageToLoadBalancerRequest{LoadBalancerId: id, BandwidthPackageId: dara.String(albtest.DefaultBandwidthPackageID)})
	sdkErr(t, err, "MissingParameter", 400)
}

func TestTags(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	a := mustCreate(t, c, createReq())
	b := mustCreate(t, c, createReq())
	tag := func(ids []string, kv ...string) error {
		req := &albsdk.TagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice(ids)}
		for i := 0; i < len(kv); i += 2 {
			req.Tag = append(req.Tag, &albsdk.TagResourcesRequestTag{Key: dara.String(kv[i]), Value: dara.String(kv[i+1])})
		}
		_, err := c.TagResources(req)
		return err
	}
	if err := tag([]string{a, b}, "team", "net", "env", "prod"); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListTagResources(&albsdk.ListTagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice([]string{a})})
	if err != nil {
		t.Fatal(err)
	}
	if len(lt.Body.TagResources) != 2 || dara.StringValue(lt.Body.TagResources[0].TagKey) != "team" {
		t.Fatalf("ListTagResources: %s", lt.Body.String())
	}
	if _, err := c.UnTagResources(&albsdk.UnTagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice([]string{a}), TagKey: dara.StringSlice([]string{"team"})}); err != nil {
		t.Fatal(err)
	}
	if tg := get(t, c, a).Tags; len(tg) != 1 || dara.StringValue(tg[0].Key) != "env" {
		t.Fatalf("tags after untag: %v", tg)
	}
	if _, err := c.UnTagResources(&albsdk.UnTagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice([]string{b}), All: dara.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if tg := get(t, c, b).Tags; len(tg) != 0 {
		t.Fatalf("tags after untag all: %v", tg)
	}
	list, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{Tag: []*albsdk.ListLoadBalancersRequestTag{{Key: dara.String("env"), Value: dara.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	if dara.Int32Value(list.Body.TotalCount) != 1 || dara.StringValue(list.Body.LoadBalancers[0].LoadBalancerId) != a {
		t.Fatalf("list by tag: %s", list.Body.String())
	}
	sdkErr(t, tag([]string{"alb-nope"}, "k", "v"), "ResourceNotFound.LoadBalancer", 404)
	sdkErr(t, tag([]string{a}, "acs:k", "v"), "InvalidParameter", 400)
	sdkErr(t, tag([]string{a}), "MissingParameter", 400)
	many := []string{}
	for i := 0; i < 20; i++ {
		many = append(many, "k"+string(rune('a'+i)), "v")
	}
	sdkErr(t, tag([]string{a}, many...), "QuotaExceeded.TagsNum", 400)
	for rt, code := range map[string]string{"acl": "ResourceNotFound.Acl", "securitypolicy": "ResourceNotFound.SecurityPolicy", "servergroup": "ResourceNotFound.ServerGroup"} {
		_, err := c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String(rt), ResourceId: dara.StringSlice([]string{"x-1"}), Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("k"), Value: dara.String("v")}}})
		sdkErr(t, err, code, 404)
		_, err = c.UnTagResources(&albsdk.UnTagResourcesRequest{ResourceType: dara.String(rt), ResourceId: dara.StringSlice([]string{"x-1"}), All: dara.Bool(true)})
		sdkErr(t, err, code, 404)
	}
}

func TestListLoadBalancers(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
			r.LoadBalancerName = dara.String("lb-" + string(rune('a'+i)))
			if i%2 == 1 {
				r.AddressType = dara.String("Intranet")
			}
		})))
	}
	mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.LoadBalancerName = dara.String("lb-j")
		r.ZoneMappings[1] = zm(albtest.VSwitchJ, albtest.ZoneJ)
	}))
	// Paging through everything.
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		req := &albsdk.ListLoadBalancersRequest{MaxResults: dara.Int32(4)}
		if token != "" {
			req.NextToken = dara.String(token)
		}
		r, err := c.ListLoadBalancers(req)
		if err != nil {
			t.Fatal(err)
		}
		if dara.Int32Value(r.Body.TotalCount) != 6 || dara.Int32Value(r.Body.MaxResults) != 4 {
			t.Fatalf("page: %s", r.Body.String())
		}
		for _, lb := range r.Body.LoadBalancers {
			seen = append(seen, dara.StringValue(lb.LoadBalancerId))
		}
		token = dara.StringValue(r.Body.NextToken)
		if token == "" {
			break
		}
		if pages > 3 {
			t.Fatal("too many pages")
		}
	}
	if len(seen) != 6 || seen[0] != ids[0] {
		t.Fatalf("paged ids %v", seen)
	}
	count := func(req *albsdk.ListLoadBalancersRequest) int {
		t.Helper()
		r, err := c.ListLoadBalancers(req)
		if err != nil {
			t.Fatal(err)
		}
		if int(dara.Int32Value(r.Body.TotalCount)) != len(r.Body.LoadBalancers) {
			t.Fatalf("TotalCount %d, items %d", dara.Int32Value(r.Body.TotalCount), len(r.Body.LoadBalancers))
		}
		return len(r.Body.LoadBalancers)
	}
	checks := []struct {
		name string
		req  *albsdk.ListLoadBalancersRequest
		want int
	}{
		{"ids", &albsdk.ListLoadBalancersRequest{LoadBalancerIds: dara.StringSlice(ids[:2])}, 2},
		{"names", &albsdk.ListLoadBalancersRequest{LoadBalancerNames: dara.StringSlice([]string{"lb-c", "lb-x"})}, 1},
		{"vpc", &albsdk.ListLoadBalancersRequest{VpcIds: dara.StringSlice([]string{albtest.DefaultVPCID})}, 6},
		{"other vpc", &albsdk.ListLoadBalancersRequest{VpcIds: dara.StringSlice([]string{albtest.DefaultOtherVPCID})}, 0},
		{"intranet", &albsdk.ListLoadBalancersRequest{AddressType: dara.String("Intranet")}, 2},
		{"status", &albsdk.ListLoadBalancersRequest{LoadBalancerStatus: dara.String("Active")}, 6},
		{"biz", &albsdk.ListLoadBalancersRequest{LoadBalancerBussinessStatus: dara.String("Abnormal")}, 0},
		{"zone j", &albsdk.ListLoadBalancersRequest{ZoneId: dara.String(albtest.ZoneJ)}, 1},
		{"dns", &albsdk.ListLoadBalancersRequest{DNSName: dara.String(ids[3] + ".cn-hangzhou.alb.aliyuncs.com")}, 1},
		{"pay", &albsdk.ListLoadBalancersRequest{PayType: dara.String("PostPay")}, 6},
		{"ipver", &albsdk.ListLoadBalancersRequest{AddressIpVersion: dara.String("DualStack")}, 0},
		{"ipv6 type", &albsdk.ListLoadBalancersRequest{Ipv6AddressType: dara.String("Internet")}, 0},
		{"rg", &albsdk.ListLoadBalancersRequest{ResourceGroupId: dara.String("rg-albtest-default")}, 6},
	}
	for _, ch := range checks {
		if got := count(ch.req); got != ch.want {
			t.Errorf("%s: %d, want %d", ch.name, got, ch.want)
		}
	}
	_, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{MaxResults: dara.Int32(101)})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{NextToken: dara.String("garbage")})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{LoadBalancerNames: dara.StringSlice(strings.Split("a,b,c,d,e,f,g,h,i,j,k", ","))})
	sdkErr(t, err, "InvalidParameter", 400)
	_ = srv
}

func TestListAsynJobs(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	a := mustCreate(t, c, createReq())
	b := mustCreate(t, c, createReq())
	if _, err := c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(a), LoadBalancerName: dara.String("x-renamed")}); err != nil {
		t.Fatal(err)
	}
	r, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ResourceIds: dara.StringSlice([]string{a}), ResourceType: dara.String("loadbalancer")})
	if err != nil {
		t.Fatal(err)
	}
	if dara.Int64Value(r.Body.TotalCount) != 2 || dara.StringValue(r.Body.Jobs[0].OperateType) != "Create" || dara.StringValue(r.Body.Jobs[1].ApiName) != "UpdateLoadBalancerAttribute" {
		t.Fatalf("jobs of %s: %s", a, r.Body.String())
	}
	r, err = c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ApiName: dara.String("CreateLoadBalancer"), MaxResults: dara.Int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if dara.Int64Value(r.Body.TotalCount) != 2 || len(r.Body.Jobs) != 1 || dara.StringValue(r.Body.NextToken) == "" {
		t.Fatalf("page 1: %s", r.Body.String())
	}
	r, err = c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ApiName: dara.String("CreateLoadBalancer"), MaxResults: dara.Int64(1), NextToken: r.Body.NextToken})
	if err != nil || dara.StringValue(r.Body.Jobs[0].ResourceId) != b || dara.StringValue(r.Body.NextToken) != "" {
		t.Fatalf("page 2: %v %v", r, err)
	}
	r, err = c.ListAsynJobs(&albsdk.ListAsynJobsRequest{BeginTime: dara.Int64(time.Now().Add(time.Hour).UnixMilli())})
	if err != nil || dara.Int64Value(r.Body.TotalCount) != 0 {
		t.Fatalf("future BeginTime: %v %v", r, err)
	}
	_, err = c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ResourceType: dara.String("vm")})
	sdkErr(t, err, "InvalidParameter", 400)
}

func TestDescribeZonesAndRegions(t *testing.T) {
	_, c := start(t)
	z, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Body.Zones) != 4 || dara.StringValue(z.Body.Zones[0].ZoneId) != albtest.ZoneH || dara.StringValue(z.Body.Zones[3].ZoneId) != albtest.ZoneK {
		t.Fatalf("zones: %s", z.Body.String())
	}
	r, err := c.DescribeRegions(&albsdk.DescribeRegionsRequest{AcceptLanguage: dara.String("en-US")})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Body.Regions) < 2 || dara.StringValue(r.Body.Regions[0].RegionId) != "cn-hangzhou" || dara.StringValue(r.Body.Regions[0].RegionEndpoint) != "alb.cn-hangzhou.aliyuncs.com" {
		t.Fatalf("regions: %s", r.Body.String())
	}
}

func TestCreateFailed(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()), albtest.WithCreateFailure(func(ci albtest.CreateInfo) bool {
		return ci.Tags["albtest"] == "fail"
	}))
	srv.FailNextCreate()
	a := mustCreate(t, c, createReq())
	b := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.Tag = []*albsdk.CreateLoadBalancerRequestTag{{Key: dara.String("albtest"), Value: dara.String("fail")}}
	}))
	ok := mustCreate(t, c, createReq())
	for id, want := range map[string]string{a: "CreateFailed", b: "CreateFailed", ok: "Active"} {
		if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != want {
			t.Fatalf("%s: %s, want %s", id, got, want)
		}
	}
	j, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ResourceIds: dara.StringSlice([]string{a})})
	if err != nil || dara.StringValue(j.Body.Jobs[0].Status) != "Failed" || dara.StringValue(j.Body.Jobs[0].ErrorCode) == "" {
		t.Fatalf("job: %v %v", j, err)
	}
	_, err = c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: dara.String(a)})
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	if _, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(a)}); err != nil {
		t.Fatalf("delete CreateFailed: %v", err)
	}
}

func TestTransitions(t *testing.T) {
	t.Run("AfterDuration", func(t *testing.T) {
		clk := albtest.NewManualClock(time.Time{})
		_, c := start(t, albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(2*time.Minute)))
		id := mustCreate(t, c, createReq())
		for i := 0; i < 3; i++ {
			if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Provisioning" {
				t.Fatalf("poll %d: %s", i, got)
			}
		}
		clk.Advance(2 * time.Minute)
		if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Active" {
			t.Fatalf("after 2m: %s", got)
		}
	})
	t.Run("AfterPolls", func(t *testing.T) {
		_, c := start(t, albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterPolls(3)))
		id := mustCreate(t, c, createReq())
		for i := 0; i < 3; i++ {
			if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Provisioning" {
				t.Fatalf("poll %d: %s", i, got)
			}
		}
		if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Active" {
			t.Fatalf("poll 4: %s", got)
		}
	})
	t.Run("ListCountsAsPoll", func(t *testing.T) {
		_, c := start(t)
		id := mustCreate(t, c, createReq())
		r, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{})
		if err != nil || dara.StringValue(r.Body.LoadBalancers[0].LoadBalancerStatus) != "Provisioning" {
			t.Fatalf("%v %v", r, err)
		}
		if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Active" {
			t.Fatalf("after list+get: %s", got)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		if _, err := albtest.Start(albtest.WithTransition("Sleeping", albtest.Immediate())); err == nil {
			t.Fatal("unknown phase accepted")
		}
	})
}
