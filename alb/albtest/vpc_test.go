package albtest_test

import (
	"encoding/json"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

func TestDescribeVSwitches(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	oc := srv.OpenAPIClient()
	b := mustCall(t, oc, "DescribeVSwitches", albtest.VersionVPC, map[string]any{"VpcId": albtest.DefaultVPCID, "PageSize": 50})
	if num(b["TotalCount"]) != 5 || num(b["PageNumber"]) != 1 || num(b["PageSize"]) != 50 {
		t.Fatalf("paging: %v", b)
	}
	want := map[string]struct {
		avail int64
		ipv6  bool
		cidr  string
	}{
		albtest.VSwitchH:      {252, true, "10.0.1.0/24"},
		albtest.VSwitchI:      {252, true, "10.0.2.0/24"},
		albtest.VSwitchJ:      {252, false, "10.0.3.0/24"},
		albtest.VSwitchKSmall: {4, false, "10.0.4.0/29"},
		albtest.VSwitchKFull:  {2, false, "10.0.5.0/24"},
	}
	for i := 0; i < 5; i++ {
		v := path(b, "VSwitches", "VSwitch", i).(map[string]any)
		w := want[v["VSwitchId"].(string)]
		if num(v["AvailableIpAddressCount"]) != w.avail || v["EnabledIpv6"] != w.ipv6 || v["CidrBlock"] != w.cidr || v["Status"] != "Available" || v["VpcId"] != albtest.DefaultVPCID {
			t.Errorf("vSwitch %v", v)
		}
		if w.ipv6 && v["Ipv6CidrBlock"] == "" {
			t.Errorf("no Ipv6CidrBlock: %v", v)
		}
	}
	b = mustCall(t, oc, "DescribeVSwitches", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "PageSize": 2, "PageNumber": 3})
	if num(b["TotalCount"]) != 6 || len(path(b, "VSwitches", "VSwitch").([]any)) != 2 {
		t.Fatalf("page 3: %v", b)
	}
	for q, n := range map[string]int64{"ZoneId": 2, "EnableIpv6": 2} {
		arg := map[string]any{"RegionId": "cn-hangzhou"}
		switch q {
		case "ZoneId":
			arg[q] = albtest.ZoneK
		case "EnableIpv6":
			arg[q] = true
		}
		if got := num(mustCall(t, oc, "DescribeVSwitches", albtest.VersionVPC, arg)["TotalCount"]); got != n {
			t.Errorf("%s: %d, want %d", q, got, n)
		}
	}
	_, err := call(t, oc, "DescribeVSwitches", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "VSwitchId": "vsw-nope"})
	sdkErr(t, err, "InvalidVSwitchId.NotFound", 404)
	_, err = call(t, oc, "DescribeVSwitches", albtest.VersionVPC, nil)
	sdkErr(t, err, "MissingParameter", 400)
	_, err = call(t, oc, "DescribeVSwitches", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "PageSize": 51})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = call(t, oc, "DescribeVSwitches", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "DryRun": true})
	sdkErr(t, err, "DryRunOperation", 400)
	_ = c
}

func TestDescribeEipAddresses(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	oc := srv.OpenAPIClient()
	b := mustCall(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "PageSize": 100})
	if num(b["TotalCount"]) != 7 { // the default world's Common EIPs: Anycast EIPs are not listed (issue 17)
		t.Fatalf("EIPs: %v", b)
	}
	byID := map[string]map[string]any{}
	for _, e := range path(b, "EipAddresses", "EipAddress").([]any) {
		m := e.(map[string]any)
		byID[m["AllocationId"].(string)] = m
	}
	check := func(id, charge, internet, status, cbwp string) {
		t.Helper()
		e := byID[id]
		if e == nil || e["ChargeType"] != charge || e["InternetChargeType"] != internet || e["Status"] != status || e["BandwidthPackageId"] != optional(cbwp) || e["RegionId"] != "cn-hangzhou" {
			t.Errorf("%s: %v", id, e)
		}
	}
	check(albtest.EIPTraffic1, "PostPaid", "PayByTraffic", "Available", "")
	check(albtest.EIPBandwidth, "PostPaid", "PayByBandwidth", "Available", "")
	check(albtest.EIPPrepaid, "PrePaid", "PayByBandwidth", "Available", "")
	check(albtest.EIPShared, "PostPaid", "PayByTraffic", "Available", albtest.DefaultBandwidthPackageID)
	if byID[albtest.EIPAnycast1] != nil || byID[albtest.EIPAnycast2] != nil {
		t.Errorf("DescribeEipAddresses lists Anycast EIPs: %v", byID[albtest.EIPAnycast1])
	}
	check(albtest.EIPInUse, "PostPaid", "PayByTraffic", "InUse", "")
	if byID[albtest.EIPInUse]["InstanceId"] != albtest.EIPInUseInstanceID || byID[albtest.EIPInUse]["InstanceType"] != "EcsInstance" {
		t.Errorf("in use: %v", byID[albtest.EIPInUse])
	}
	if _, ok := path(b, "EipAddresses", "EipAddress", 0, "OperationLocks", "LockReason").([]any); !ok {
		t.Errorf("OperationLocks.LockReason not a list: %v", byID[albtest.EIPTraffic1])
	}
	filters := []struct {
		q    map[string]any
		want int64
	}{
		{map[string]any{"AllocationId": albtest.EIPTraffic1 + "," + albtest.EIPTraffic2}, 2},
		{map[string]any{"EipAddress": "47.98.10.4"}, 1},
		{map[string]any{"Status": "InUse"}, 1},
		{map[string]any{"ChargeType": "PrePaid"}, 1},
		{map[string]any{"AssociatedInstanceType": "EcsInstance", "AssociatedInstanceId": albtest.EIPInUseInstanceID}, 1},
		{map[string]any{"PageSize": 2, "PageNumber": 4}, 1},
	}
	for _, f := range filters {
		f.q["RegionId"] = "cn-hangzhou"
		if got := num(mustCall(t, oc, "DescribeEipAddresses", albtest.VersionVPC, f.q)["TotalCount"]); got != f.want && f.q["PageNumber"] == nil {
			t.Errorf("%v: %d, want %d", f.q, got, f.want)
		}
	}
	b = mustCall(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "PageSize": 2, "PageNumber": 4})
	if len(path(b, "EipAddresses", "EipAddress").([]any)) != 1 {
		t.Errorf("last page: %v", b)
	}
	if got := num(mustCall(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": "cn-shanghai"})["TotalCount"]); got != 0 {
		t.Errorf("other region: %d", got)
	}
	_, err := call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, nil)
	sdkErr(t, err, "MissingParameter", 400)
	_, err = call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "ChargeType": "Free"})
	sdkErr(t, err, "InvalidChargeType.ValueNotSupported", 400)
	_, err = call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "AssociatedInstanceType": "Toaster"})
	sdkErr(t, err, "InvalidIAssociatedInstanceType.ValueNotSupported", 400)

	// An ALB instance's EIPs show as bound to it.
	id := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.ZoneMappings[0].AllocationId = dara.String(albtest.EIPTraffic2)
	}))
	b = mustCall(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "AssociatedInstanceId": id})
	if num(b["TotalCount"]) != 2 || path(b, "EipAddresses", "EipAddress", 0, "InstanceType") != "NetworkInterface" {
		t.Fatalf("ALB EIPs: %v", b)
	}
}

func TestReleaseEipAddress(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	oc := srv.OpenAPIClient()
	rel := func(id string) error {
		_, err := call(t, oc, "ReleaseEipAddress", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "AllocationId": id})
		return err
	}
	sdkErr(t, rel("eip-nope"), "InvalidAllocationId.NotFound", 404)
	sdkErr(t, rel(albtest.EIPInUse), "IncorrectEipStatus", 400)
	sdkErr(t, rel(albtest.EIPPrepaid), "Forbidden.ChargeTypeIsPrepaid", 400)
	_, err := call(t, oc, "ReleaseEipAddress", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou"})
	sdkErr(t, err, "MissingParameter", 400)
	if err := rel(albtest.EIPTraffic3); err != nil {
		t.Fatal(err)
	}
	if _, ok := eipStatus(t, srv, albtest.EIPTraffic3); ok {
		t.Fatal("released EIP still listed")
	}
	id := mustCreate(t, c, createReq())
	auto := dara.StringValue(get(t, c, id).ZoneMappings[0].LoadBalancerAddresses[0].AllocationId)
	sdkErr(t, rel(auto), "IncorrectEipStatus", 400)
}

func TestDescribeCommonBandwidthPackages(t *testing.T) {
	srv, _ := start(t)
	oc := srv.OpenAPIClient()
	b := mustCall(t, oc, "DescribeCommonBandwidthPackages", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou"})
	p := path(b, "CommonBandwidthPackages", "CommonBandwidthPackage", 0)
	if num(b["TotalCount"]) != 1 || path(p, "BandwidthPackageId") != albtest.DefaultBandwidthPackageID || path(p, "Status") != "Available" ||
		path(p, "PublicIpAddresses", "PublicIpAddresse", 0, "AllocationId") != albtest.EIPShared {
		t.Fatalf("bandwidth packages: %v", b)
	}
	b = mustCall(t, oc, "DescribeCommonBandwidthPackages", albtest.VersionVPC, map[string]any{"RegionId": "cn-hangzhou", "BandwidthPackageId": "cbwp-nope"})
	if num(b["TotalCount"]) != 0 {
		t.Fatalf("filter: %v", b)
	}
	_, err := call(t, oc, "DescribeCommonBandwidthPackages", albtest.VersionVPC, nil)
	sdkErr(t, err, "MissingParameter", 400)
}

func TestWAF(t *testing.T) {
	srv, _ := start(t)
	oc := srv.OpenAPIClient()
	b := mustCall(t, oc, "DescribeInstance", albtest.VersionWAF3, map[string]any{"RegionId": "cn-hangzhou"})
	if len(b) != 1 || b["RequestId"] == nil {
		t.Fatalf("WAF 3.0 without instance: %v", b)
	}
	b = mustCall(t, oc, "DescribeInstanceInfo", albtest.VersionWAF2, map[string]any{"RegionId": "cn-hangzhou"})
	if path(b, "InstanceInfo", "InstanceId") != nil || num(path(b, "InstanceInfo", "PayType")) != 0 {
		t.Fatalf("WAF 2.0 without instance: %v", b)
	}
	_, err := call(t, oc, "DescribeInstance", albtest.VersionWAF3, map[string]any{"RegionId": "mars-1"})
	se := sdkErr(t, err, "InvalidParameter", 400)
	var body map[string]string
	_ = json.Unmarshal([]byte(dara.StringValue(se.Data)), &body)
	if body["HostId"] != "wafopenapi.cn-hangzhou.aliyuncs.com" {
		t.Fatalf("WAF HostId %v", body)
	}
	// DescribeInstance does not exist in WAF 2.0.
	_, err = call(t, oc, "DescribeInstance", albtest.VersionWAF2, nil)
	sdkErr(t, err, "InvalidVersion", 400)

	srv.SetWAF(&albtest.WAF3Instance{InstanceID: "waf_v3prepaid_public_cn-albtest", PayType: "PREPAY", Status: 1},
		&albtest.WAF2Instance{InstanceID: "waf-cn-albtest", PayType: 2, Status: 1, InDebt: 1})
	b = mustCall(t, oc, "DescribeInstance", albtest.VersionWAF3, nil)
	if b["InstanceId"] != "waf_v3prepaid_public_cn-albtest" || b["PayType"] != "PREPAY" || num(b["Status"]) != 1 || b["InDebt"] != "0" || num(b["EndTime"]) <= num(b["StartTime"]) {
		t.Fatalf("WAF 3.0: %v", b)
	}
	b = mustCall(t, oc, "DescribeInstanceInfo", albtest.VersionWAF2, nil)
	if path(b, "InstanceInfo", "InstanceId") != "waf-cn-albtest" || num(path(b, "InstanceInfo", "PayType")) != 2 || num(path(b, "InstanceInfo", "Status")) != 1 || num(path(b, "InstanceInfo", "InDebt")) != 1 {
		t.Fatalf("WAF 2.0: %v", b)
	}
	w3, _ := start(t, albtest.WithWAF3(albtest.WAF3Instance{InstanceID: "waf_v3_postpay", PayType: "POSTPAY"}))
	if b := mustCall(t, w3.OpenAPIClient(), "DescribeInstance", albtest.VersionWAF3, nil); b["PayType"] != "POSTPAY" {
		t.Fatalf("WithWAF3: %v", b)
	}
}
