package cloudapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"
	vpcsdk "github.com/alibabacloud-go/vpc-20160428/v6/client"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/internal/cloudapi"
	"github.com/albkit/albkit/network"
)

// vswitchJSON is a vSwitch in the documented response shape.
func vswitchJSON(id string) map[string]any {
	return map[string]any{
		"VpcId":                   "vpc-bp1opxu1zkhn00gzv****",
		"Status":                  "Available",
		"CreationTime":            "2018-04-18T15:02:37Z",
		"IsDefault":               true,
		"AvailableIpAddressCount": 4294967290, // beyond int32
		"NetworkAclId":            "nacl-a2do9e413e0spzasx****",
		"OwnerId":                 253460731706911258,
		"VSwitchId":               id,
		"CidrBlock":               "172.16.0.0/24",
		"Description":             "VSwitchDescription",
		"ResourceGroupId":         "rg-acfmxvfvazb4p****",
		"ZoneId":                  "cn-hangzhou-h",
		"Ipv6CidrBlock":           "2408:4002:10c4:4e03::/64",
		"VSwitchName":             "vSwitch",
		"ShareType":               "Sharing",
		"EnabledIpv6":             true,
		"Tags":                    map[string]any{"Tag": []any{map[string]any{"Key": "env", "Value": "prod"}}},
		"RouteTable":              map[string]any{"RouteTableId": "vtb-bp145q7glnuzdvzu2****", "RouteTableType": "System"},
	}
}

func vswitchPage(q map[string][]string, items []map[string]any, total int) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	pn, _ := strconv.Atoi(first(q["PageNumber"]))
	ps, _ := strconv.Atoi(first(q["PageSize"]))
	return map[string]any{
		"RequestId":  "0ED8D006-F706-4D23-88ED-E11ED28DCAC0",
		"PageNumber": pn,
		"PageSize":   ps,
		"TotalCount": total,
		"VSwitches":  map[string]any{"VSwitch": list},
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func TestDescribeVSwitchesWireAndDecoding(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		return reply{200, vswitchPage(r.Query, []map[string]any{vswitchJSON("vsw-25bcdxs7pv1****")}, 1)}
	})
	c := f.clients(t)
	resp, err := c.VPC.DescribeVSwitches(context.Background(), &vpcsdk.DescribeVSwitchesRequest{VpcId: tea.String("vpc-1"), PageNumber: tea.Int32(2), PageSize: tea.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	checkSigned(t, reqs[0], "DescribeVSwitches", "2016-04-28")
	// Zero fields (VSwitchId, ZoneId) are not sent; numbers are decimal.
	wantQuery(t, reqs[0].Query, map[string]string{"RegionId": "cn-hangzhou", "VpcId": "vpc-1", "PageNumber": "2", "PageSize": "50"})

	if tea.StringValue(resp.RequestId) != "0ED8D006-F706-4D23-88ED-E11ED28DCAC0" || tea.Int32Value(resp.PageNumber) != 2 || tea.Int32Value(resp.PageSize) != 50 || tea.Int32Value(resp.TotalCount) != 1 {
		t.Errorf("paging = %+v", resp)
	}
	if resp.VSwitches == nil || len(resp.VSwitches.VSwitch) != 1 {
		t.Fatalf("VSwitches = %+v", resp.VSwitches)
	}
	v := resp.VSwitches.VSwitch[0]
	got := map[string]any{
		"VSwitchId": tea.StringValue(v.VSwitchId), "VpcId": tea.StringValue(v.VpcId), "ZoneId": tea.StringValue(v.ZoneId),
		"CidrBlock": tea.StringValue(v.CidrBlock), "Ipv6CidrBlock": tea.StringValue(v.Ipv6CidrBlock), "Status": tea.StringValue(v.Status),
		"VSwitchName": tea.StringValue(v.VSwitchName), "EnabledIpv6": tea.BoolValue(v.EnabledIpv6), "IsDefault": tea.BoolValue(v.IsDefault),
		"AvailableIpAddressCount": tea.Int64Value(v.AvailableIpAddressCount), "ResourceGroupId": tea.StringValue(v.ResourceGroupId),
		"RouteTableId": tea.StringValue(v.RouteTable.RouteTableId), "Tag": tea.StringValue(v.Tags.Tag[0].Key) + "=" + tea.StringValue(v.Tags.Tag[0].Value),
	}
	want := map[string]any{
		"VSwitchId": "vsw-25bcdxs7pv1****", "VpcId": "vpc-bp1opxu1zkhn00gzv****", "ZoneId": "cn-hangzhou-h",
		"CidrBlock": "172.16.0.0/24", "Ipv6CidrBlock": "2408:4002:10c4:4e03::/64", "Status": "Available",
		"VSwitchName": "vSwitch", "EnabledIpv6": true, "IsDefault": true, "AvailableIpAddressCount": int64(4294967290),
		"ResourceGroupId": "rg-acfmxvfvazb4p****", "RouteTableId": "vtb-bp145q7glnuzdvzu2****", "Tag": "env=prod",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("VSwitch =\n%v\nwant\n%v", got, want)
	}
}

func TestListVSwitchesFollowsPages(t *testing.T) {
	all := []string{"vsw-1", "vsw-2", "vsw-3", "vsw-4", "vsw-5"}
	f := newFake(t, func(r recorded) reply {
		// The server pages by 2 whatever is asked, to force three pages.
		p, _ := strconv.Atoi(r.Query.Get("PageNumber"))
		var items []map[string]any
		for i := (p - 1) * 2; i < min(p*2, len(all)); i++ {
			items = append(items, vswitchJSON(all[i]))
		}
		return reply{200, vswitchPage(r.Query, items, len(all))}
	})
	got, err := f.clients(t).VPC.ListVSwitches(context.Background(), "vpc-x")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range got {
		ids = append(ids, tea.StringValue(v.VSwitchId))
	}
	if !reflect.DeepEqual(ids, all) {
		t.Errorf("ids = %v, want %v", ids, all)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		wantQuery(t, r.Query, map[string]string{"RegionId": "cn-hangzhou", "VpcId": "vpc-x", "PageNumber": strconv.Itoa(i + 1), "PageSize": "50"})
	}
}

func TestListVSwitchesByID(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		if id := r.Query.Get("VSwitchId"); id != "" {
			if id == "vsw-missing" {
				return reply{404, errBody("InvalidVSwitchId.NotFound", "VSwitch not exist.", "RID-NF")}
			}
			return reply{200, vswitchPage(r.Query, []map[string]any{vswitchJSON(id)}, 1)}
		}
		return reply{200, vswitchPage(r.Query, []map[string]any{vswitchJSON("vsw-a"), vswitchJSON("vsw-b"), vswitchJSON("vsw-c")}, 3)}
	})
	c := f.clients(t)
	ctx := context.Background()

	t.Run("in a VPC: one listing, filtered, in the order asked", func(t *testing.T) {
		before := len(f.requests())
		got, err := c.VPC.ListVSwitches(ctx, "vpc-x", "vsw-c", "vsw-a", "vsw-c", "vsw-nope")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || tea.StringValue(got[0].VSwitchId) != "vsw-c" || tea.StringValue(got[1].VSwitchId) != "vsw-a" {
			t.Errorf("got %+v", got)
		}
		if n := len(f.requests()) - before; n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("no VPC: one query per ID, missing ones absent", func(t *testing.T) {
		before := len(f.requests())
		got, err := c.VPC.ListVSwitches(ctx, "", "vsw-b", "vsw-missing", "vsw-b", "vsw-a")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || tea.StringValue(got[0].VSwitchId) != "vsw-b" || tea.StringValue(got[1].VSwitchId) != "vsw-a" {
			t.Errorf("got %+v", got)
		}
		reqs := f.requests()[before:]
		if len(reqs) != 3 {
			t.Fatalf("%d requests, want 3", len(reqs))
		}
		for i, id := range []string{"vsw-b", "vsw-missing", "vsw-a"} {
			wantQuery(t, reqs[i].Query, map[string]string{"RegionId": "cn-hangzhou", "VSwitchId": id, "PageNumber": "1", "PageSize": "50"})
		}
	})
	t.Run("only empty IDs: nothing asked, nothing returned", func(t *testing.T) {
		before := len(f.requests())
		got, err := c.VPC.ListVSwitches(ctx, "", "", " ")
		if err != nil || got != nil {
			t.Errorf("got %v, %v", got, err)
		}
		if n := len(f.requests()) - before; n != 0 {
			t.Errorf("%d requests, want 0", n)
		}
	})
}

func TestVSwitchFacts(t *testing.T) {
	v := cloudapi.VSwitch{
		VSwitchId: tea.String("vsw-1"), VpcId: tea.String("vpc-1"), ZoneId: tea.String("cn-hangzhou-h"), CidrBlock: tea.String("172.16.0.0/24"),
		Ipv6CidrBlock: tea.String("2408:4002:10c4:4e03::/64"), EnabledIpv6: tea.Bool(true), AvailableIpAddressCount: tea.Int64(250), Status: tea.String("Available"),
	}
	got, err := cloudapi.VSwitchFacts(&v)
	if err != nil {
		t.Fatal(err)
	}
	want := network.VSwitch{
		ID: "vsw-1", VPCID: "vpc-1", ZoneID: "cn-hangzhou-h",
		CIDR: netip.MustParsePrefix("172.16.0.0/24"), IPv6CIDR: netip.MustParsePrefix("2408:4002:10c4:4e03::/64"),
		IPv6Enabled: true, AvailableIPs: 250, Status: "Available",
	}
	if got != want {
		t.Errorf("Facts = %+v, want %+v", got, want)
	}

	noV6 := v
	noV6.Ipv6CidrBlock, noV6.EnabledIpv6 = nil, tea.Bool(false)
	got, err = cloudapi.VSwitchFacts(&noV6)
	if err != nil || got.IPv6CIDR.IsValid() || got.IPv6Enabled {
		t.Errorf("without IPv6: %+v, %v", got, err)
	}

	for _, tc := range []struct {
		name, cidr, cidr6, field string
	}{
		{"bad CidrBlock", "172.16.0.0/33", "", "CidrBlock"},
		{"empty CidrBlock", "", "", "CidrBlock"},
		{"IPv6 in CidrBlock", "2408::/64", "", "CidrBlock"},
		{"bad Ipv6CidrBlock", "10.0.0.0/24", "2408:zz::/64", "Ipv6CidrBlock"},
		{"IPv4 in Ipv6CidrBlock", "10.0.0.0/24", "10.1.0.0/24", "Ipv6CidrBlock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := v
			bad.CidrBlock, bad.Ipv6CidrBlock = tea.String(tc.cidr), tea.String(tc.cidr6)
			_, err := cloudapi.VSwitchFacts(&bad)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "vsw-1: "+tc.field+" ") {
				t.Errorf("error %q does not name vsw-1 and %s", err, tc.field)
			}
		})
	}
}

// eipJSON is an EIP in the documented response shape.
func eipJSON(id string) map[string]any {
	return map[string]any{
		"ReservationActiveTime":     "2021-05-23T16:00:00Z",
		"Status":                    "Available",
		"AllocationTime":            "2021-04-23T01:37:38Z",
		"Netmode":                   "public",
		"ChargeType":                "PostPaid",
		"Description":               "abc",
		"Mode":                      "NAT",
		"BandwidthPackageId":        "cbwp-bp1ego3i4j07ccdvh****",
		"IpAddress":                 "47.75.XX.XX",
		"Bandwidth":                 "5",
		"Name":                      "EIP-01",
		"InstanceRegionId":          "cn-hangzhou",
		"DeletionProtection":        true,
		"InstanceId":                "i-bp15zckdt37cdvf****",
		"SecondLimited":             false,
		"InstanceType":              "EcsInstance",
		"HDMonitorStatus":           "false",
		"RegionId":                  "cn-hangzhou",
		"BandwidthPackageBandwidth": "50",
		"ServiceManaged":            0,
		"ExpiredTime":               "2021-05-23T02:00:00Z",
		"ResourceGroupId":           "rg-resourcegroup****",
		"AllocationId":              id,
		"InternetChargeType":        "PayByTraffic",
		"BusinessStatus":            "Normal",
		"BandwidthPackageType":      "CommonBandwidthPackage",
		"ISP":                       "BGP",
		"SegmentInstanceId":         "eipsg-t4nr90yik5oy38xd****",
		"OperationLocks":            map[string]any{"LockReason": []any{map[string]any{"LockReason": "financial"}}},
		"Tags":                      map[string]any{"Tag": []any{map[string]any{"Key": "k", "Value": "v"}}},
		"SecurityProtectionTypes":   map[string]any{"SecurityProtectionType": []any{"AntiDDoS_Enhanced"}},
	}
}

func eipPage(items []map[string]any, total int) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{
		"RequestId":    "4EC47282-1B74-4534-BD0E-403F3EE64CAF",
		"PageNumber":   1,
		"PageSize":     100,
		"TotalCount":   total,
		"EipAddresses": map[string]any{"EipAddress": list},
	}
}

func TestDescribeEipAddressesDecoding(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		return reply{200, eipPage([]map[string]any{eipJSON("eip-2zeerraiwb7ujxscd****")}, 1)}
	})
	resp, err := f.clients(t).VPC.DescribeEipAddresses(context.Background(), &vpcsdk.DescribeEipAddressesRequest{
		AllocationId: tea.String("eip-a,eip-b"), Status: tea.String("Available"), AssociatedInstanceType: tea.String("EcsInstance"),
		AssociatedInstanceId: tea.String("i-1"), PageSize: tea.Int32(100),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	checkSigned(t, r, "DescribeEipAddresses", "2016-04-28")
	wantQuery(t, r.Query, map[string]string{
		"RegionId": "cn-hangzhou", "AllocationId": "eip-a,eip-b", "Status": "Available",
		"AssociatedInstanceType": "EcsInstance", "AssociatedInstanceId": "i-1", "PageSize": "100",
	})
	if tea.Int32Value(resp.TotalCount) != 1 || tea.Int32Value(resp.PageSize) != 100 || resp.EipAddresses == nil || len(resp.EipAddresses.EipAddress) != 1 {
		t.Fatalf("resp = %+v", resp)
	}
	e := resp.EipAddresses.EipAddress[0]
	got := map[string]any{
		"AllocationId": tea.StringValue(e.AllocationId), "IpAddress": tea.StringValue(e.IpAddress), "Bandwidth": tea.StringValue(e.Bandwidth),
		"BandwidthPackageId": tea.StringValue(e.BandwidthPackageId), "InternetChargeType": tea.StringValue(e.InternetChargeType),
		"ChargeType": tea.StringValue(e.ChargeType), "Status": tea.StringValue(e.Status), "InstanceType": tea.StringValue(e.InstanceType),
		"InstanceId": tea.StringValue(e.InstanceId), "DeletionProtection": tea.BoolValue(e.DeletionProtection),
		"ServiceManaged": tea.Int32Value(e.ServiceManaged), "SegmentInstanceId": tea.StringValue(e.SegmentInstanceId),
		"LockReason": tea.StringValue(e.OperationLocks.LockReason[0].LockReason), "Tag": tea.StringValue(e.Tags.Tag[0].Key),
	}
	want := map[string]any{
		"AllocationId": "eip-2zeerraiwb7ujxscd****", "IpAddress": "47.75.XX.XX", "Bandwidth": "5",
		"BandwidthPackageId": "cbwp-bp1ego3i4j07ccdvh****", "InternetChargeType": "PayByTraffic",
		"ChargeType": "PostPaid", "Status": "Available", "InstanceType": "EcsInstance",
		"InstanceId": "i-bp15zckdt37cdvf****", "DeletionProtection": true,
		"ServiceManaged": int32(0), "SegmentInstanceId": "eipsg-t4nr90yik5oy38xd****",
		"LockReason": "financial", "Tag": "k",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EipAddress =\n%v\nwant\n%v", got, want)
	}
}

// TestDecodingIsTheSDKs: answers are decoded by the SDK's own conversion
// (dara.Convert), so a field typed differently from the model is read as
// the generated client reads it, not refused.
func TestDecodingIsTheSDKs(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		e := eipJSON("eip-1")
		e["Bandwidth"] = 5
		return reply{200, eipPage([]map[string]any{e}, 1)}
	})
	got, err := f.clients(t).VPC.ListEIPs(context.Background(), "eip-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || tea.StringValue(got[0].Bandwidth) != "5" {
		t.Errorf("got %+v", got)
	}
}

func TestListEIPsBatchesAndPages(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		ids := strings.Split(r.Query.Get("AllocationId"), ",")
		if r.Query.Get("AllocationId") == "" {
			ids = []string{"eip-all-1", "eip-all-2", "eip-all-3"}
		}
		// Pages of 30 whatever is asked, so a batch of 50 takes two pages.
		p, _ := strconv.Atoi(r.Query.Get("PageNumber"))
		var items []map[string]any
		for i := (p - 1) * 30; i < min(p*30, len(ids)); i++ {
			items = append(items, eipJSON(ids[i]))
		}
		return reply{200, eipPage(items, len(ids))}
	})
	c := f.clients(t)
	var ids []string
	for i := range 120 {
		ids = append(ids, fmt.Sprintf("eip-%03d", i))
	}
	asked := append(append([]string{}, ids...), "eip-007", "") // duplicates and blanks are dropped
	got, err := c.VPC.ListEIPs(context.Background(), asked...)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, e := range got {
		gotIDs = append(gotIDs, tea.StringValue(e.AllocationId))
	}
	if !reflect.DeepEqual(gotIDs, ids) {
		t.Errorf("got %d EIPs %v", len(gotIDs), gotIDs)
	}
	reqs := f.requests()
	type call struct {
		ids  string
		page string
	}
	var calls []call
	for _, r := range reqs {
		if r.Query.Get("PageSize") != "100" || r.Query.Get("RegionId") != "cn-hangzhou" {
			t.Errorf("query %v", r.Query)
		}
		calls = append(calls, call{r.Query.Get("AllocationId"), r.Query.Get("PageNumber")})
	}
	b1, b2, b3 := strings.Join(ids[:50], ","), strings.Join(ids[50:100], ","), strings.Join(ids[100:], ",")
	wantCalls := []call{{b1, "1"}, {b1, "2"}, {b2, "1"}, {b2, "2"}, {b3, "1"}}
	if !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("calls = %v\nwant %v", calls, wantCalls)
	}

	// No IDs: every EIP of the region, without an AllocationId parameter.
	before := len(reqs)
	got, err = c.VPC.ListEIPs(context.Background())
	if err != nil || len(got) != 3 {
		t.Fatalf("all: %d, %v", len(got), err)
	}
	if r := f.requests()[before]; r.Query.Has("AllocationId") {
		t.Errorf("AllocationId sent without IDs: %v", r.Query)
	}
}

func TestEipAddressFacts(t *testing.T) {
	e := cloudapi.EipAddress{
		AllocationId: tea.String("eip-1"), IpAddress: tea.String("47.0.0.1"), ChargeType: tea.String("PostPaid"), InternetChargeType: tea.String("PayByTraffic"),
		BandwidthPackageId: tea.String("cbwp-1"), Status: tea.String("InUse"), InstanceId: tea.String("eni-1"), InstanceType: tea.String("NetworkInterface"), Bandwidth: tea.String("5"),
	}
	want := eip.Address{
		AllocationID: "eip-1", IPAddress: "47.0.0.1", ChargeType: eip.ChargePostPaid, InternetChargeType: eip.PayByTraffic,
		BandwidthPackageID: "cbwp-1", Type: eip.TypeCommon, Status: eip.StatusInUse, InstanceID: "eni-1", InstanceType: "NetworkInterface",
	}
	if got := cloudapi.EIPFacts(&e); got != want {
		t.Errorf("Facts = %+v, want %+v", got, want)
	}
	e.AllocationId, e.ChargeType, e.InternetChargeType = tea.String("aeip-1"), tea.String("PrePaid"), tea.String("PayByBandwidth")
	got := cloudapi.EIPFacts(&e)
	if got.Type != eip.TypeAnycast || got.ChargeType != eip.ChargePrePaid || got.InternetChargeType != eip.PayByBandwidth {
		t.Errorf("Anycast Facts = %+v", got)
	}
}

func TestReleaseEipAddress(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		switch r.Query.Get("AllocationId") {
		case "eip-gone":
			return reply{404, errBody("InvalidAllocationId.NotFound", "Specified allocation ID is not found.", "RID-404")}
		case "eip-busy":
			return reply{400, errBody("IncorrectEipStatus", "Current elastic IP status does not support this operation.", "RID-400")}
		}
		return reply{200, map[string]any{"RequestId": "RID-OK"}}
	})
	c := f.clients(t)
	ctx := context.Background()
	if err := c.VPC.ReleaseEipAddress(ctx, "eip-ok"); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	checkSigned(t, r, "ReleaseEipAddress", "2016-04-28")
	wantQuery(t, r.Query, map[string]string{"RegionId": "cn-hangzhou", "AllocationId": "eip-ok"})

	err := c.VPC.ReleaseEipAddress(ctx, "eip-gone")
	if !cloudapi.IsNotFound(err) {
		t.Errorf("err = %v, want a not-found error", err)
	}
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("err %T is not a *tea.SDKError", err)
	}
	if tea.StringValue(se.Code) != "InvalidAllocationId.NotFound" || tea.IntValue(se.StatusCode) != http.StatusNotFound {
		t.Errorf("SDKError Code=%q StatusCode=%d", tea.StringValue(se.Code), tea.IntValue(se.StatusCode))
	}
	if !strings.Contains(tea.StringValue(se.Message), "RID-404") {
		t.Errorf("SDKError Message = %q, want the request id", tea.StringValue(se.Message))
	}
	if s := err.Error(); !strings.HasPrefix(s, "cloudapi: ReleaseEipAddress: InvalidAllocationId.NotFound (HTTP 404): ") || strings.Contains(s, "\n") {
		t.Errorf("error text %q", s)
	}

	err = c.VPC.ReleaseEipAddress(ctx, "eip-busy")
	if cloudapi.IsNotFound(err) || !errors.As(err, &se) || tea.StringValue(se.Code) != "IncorrectEipStatus" || tea.IntValue(se.StatusCode) != 400 {
		t.Errorf("busy: %v", err)
	}

	if err := c.VPC.ReleaseEipAddress(ctx, ""); err == nil {
		t.Error("empty ID accepted")
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests, want 3 (no retry, no call for an empty ID)", n)
	}
}

func TestListCommonBandwidthPackages(t *testing.T) {
	pkg := func(id string) map[string]any {
		return map[string]any{
			"BandwidthPackageId": id, "Name": "test", "Bandwidth": "200", "InternetChargeType": "PayByBandwidth",
			"Status": "Available", "ISP": "BGP", "RegionId": "cn-hangzhou", "CreationTime": "2017-06-08T12:20:55",
			"PublicIpAddresses": map[string]any{"PublicIpAddresse": []any{
				map[string]any{"AllocationId": "eip-1", "IpAddress": "47.0.0.1", "BandwidthPackageIpRelationStatus": "BINDED"},
			}},
		}
	}
	f := newFake(t, func(r recorded) reply {
		id := r.Query.Get("BandwidthPackageId")
		var list []any
		if id == "" {
			list = []any{pkg("cbwp-a"), pkg("cbwp-b")}
		} else if id != "cbwp-none" {
			list = []any{pkg(id)}
		}
		return reply{200, map[string]any{
			"RequestId": "R", "PageNumber": 1, "PageSize": 50, "TotalCount": len(list),
			"CommonBandwidthPackages": map[string]any{"CommonBandwidthPackage": list},
		}}
	})
	c := f.clients(t)
	got, err := c.VPC.ListCommonBandwidthPackages(context.Background(), "cbwp-x", "cbwp-none")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || tea.StringValue(got[0].BandwidthPackageId) != "cbwp-x" || tea.StringValue(got[0].Bandwidth) != "200" || tea.StringValue(got[0].ISP) != "BGP" ||
		tea.StringValue(got[0].InternetChargeType) != "PayByBandwidth" || tea.StringValue(got[0].Status) != "Available" || tea.StringValue(got[0].Name) != "test" ||
		len(got[0].PublicIpAddresses.PublicIpAddresse) != 1 || tea.StringValue(got[0].PublicIpAddresses.PublicIpAddresse[0].AllocationId) != "eip-1" ||
		tea.StringValue(got[0].PublicIpAddresses.PublicIpAddresse[0].IpAddress) != "47.0.0.1" {
		t.Errorf("got %+v", got)
	}
	r := f.requests()[0]
	checkSigned(t, r, "DescribeCommonBandwidthPackages", "2016-04-28")
	wantQuery(t, r.Query, map[string]string{"RegionId": "cn-hangzhou", "BandwidthPackageId": "cbwp-x", "PageNumber": "1", "PageSize": "50"})

	all, err := c.VPC.ListCommonBandwidthPackages(context.Background())
	if err != nil || len(all) != 2 {
		t.Errorf("all: %v, %v", all, err)
	}
}

func TestListEIPsBatchRefusedForAMissingID(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		ids := strings.Split(r.Query.Get("AllocationId"), ",")
		for _, id := range ids {
			if id == "eip-gone" {
				return reply{404, errBody("InvalidAllocationId.NotFound", "Specified allocation ID is not found.", "R")}
			}
		}
		var items []map[string]any
		for _, id := range ids {
			items = append(items, eipJSON(id))
		}
		return reply{200, eipPage(items, len(items))}
	})
	got, err := f.clients(t).VPC.ListEIPs(context.Background(), "eip-a", "eip-gone", "eip-b")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || tea.StringValue(got[0].AllocationId) != "eip-a" || tea.StringValue(got[1].AllocationId) != "eip-b" {
		t.Errorf("got %+v", got)
	}
	var asked []string
	for _, r := range f.requests() {
		asked = append(asked, r.Query.Get("AllocationId"))
	}
	if want := []string{"eip-a,eip-gone,eip-b", "eip-a", "eip-gone", "eip-b"}; !reflect.DeepEqual(asked, want) {
		t.Errorf("asked %q, want %q", asked, want)
	}
}
