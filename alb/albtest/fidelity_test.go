package albtest_test

import (
	"errors"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// eipPackage returns the BandwidthPackageId DescribeEipAddresses reports
// for an EIP ("" when absent).
func eipPackage(t *testing.T, srv *albtest.Server, id string) string {
	t.Helper()
	b := mustCall(t, srv.OpenAPIClient(), "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "AllocationId": id})
	s, _ := path(b, "EipAddresses", "EipAddress", 0, "BandwidthPackageId").(string)
	return s
}

// packageEIPs returns the AllocationIds DescribeCommonBandwidthPackages
// lists in the default package.
func packageEIPs(t *testing.T, srv *albtest.Server) map[string]bool {
	t.Helper()
	b := mustCall(t, srv.OpenAPIClient(), "DescribeCommonBandwidthPackages", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "BandwidthPackageId": albtest.DefaultBandwidthPackageID})
	out := map[string]bool{}
	ips, _ := path(b, "CommonBandwidthPackages", "CommonBandwidthPackage", 0, "PublicIpAddresses", "PublicIpAddresse").([]any)
	for _, ip := range ips {
		out[path(ip, "AllocationId").(string)] = true
	}
	return out
}

func instanceEIPs(t *testing.T, c *albsdk.Client, id string) []string {
	t.Helper()
	var out []string
	for _, z := range get(t, c, id).ZoneMappings {
		out = append(out, dara.StringValue(z.LoadBalancerAddresses[0].AllocationId))
	}
	return out
}

func TestBandwidthPackageMovesEIPs(t *testing.T) {
	srv, c := start(t)
	// At create.
	withPkg := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.LoadBalancerBillingConfig.BandwidthPackageId = dara.String(albtest.DefaultBandwidthPackageID)
		r.ZoneMappings[1] = zmEIP(albtest.VSwitchI, albtest.ZoneI, albtest.EIPTraffic1)
	}))
	waitActive(t, c, withPkg)
	inPkg := packageEIPs(t, srv)
	for _, e := range instanceEIPs(t, c, withPkg) {
		if eipPackage(t, srv, e) != albtest.DefaultBandwidthPackageID || !inPkg[e] {
			t.Fatalf("EIP %s of an instance created with the package: package %q, listed %v", e, eipPackage(t, srv, e), inPkg[e])
		}
	}
	// Attached later: the EIPs move in when the transition completes, and out on detach.
	later := mustCreate(t, c, createReq())
	waitActive(t, c, later)
	eips := instanceEIPs(t, c, later)
	req := func(attach bool) error {
		var err error
		if attach {
			_, err = c.AttachCommonBandwidthPackageToLoadBalancer(&albsdk.AttachCommonBandwidthPackageToLoadBalancerRequest{LoadBalancerId: dara.String(later), RegionId: dara.String(srv.Region()), BandwidthPackageId: dara.String(albtest.DefaultBandwidthPackageID)})
		} else {
			_, err = c.DetachCommonBandwidthPackageFromLoadBalancer(&albsdk.DetachCommonBandwidthPackageFromLoadBalancerRequest{LoadBalancerId: dara.String(later), RegionId: dara.String(srv.Region()), BandwidthPackageId: dara.String(albtest.DefaultBandwidthPackageID)})
		}
		return err
	}
	if err := req(true); err != nil {
		t.Fatal(err)
	}
	if b := get(t, c, later); dara.StringValue(b.LoadBalancerStatus) != "Configuring" || b.BandwidthPackageId != nil || eipPackage(t, srv, eips[0]) != "" {
		t.Fatalf("attached while still Configuring: %s", b.String())
	}
	waitActive(t, c, later)
	inPkg = packageEIPs(t, srv)
	for _, e := range eips {
		if eipPackage(t, srv, e) != albtest.DefaultBandwidthPackageID || !inPkg[e] {
			t.Fatalf("EIP %s after attach: package %q, listed %v", e, eipPackage(t, srv, e), inPkg[e])
		}
	}
	if err := req(false); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, later)
	inPkg = packageEIPs(t, srv)
	for _, e := range eips {
		if eipPackage(t, srv, e) != "" || inPkg[e] {
			t.Fatalf("EIP %s after detach: package %q, listed %v", e, eipPackage(t, srv, e), inPkg[e])
		}
	}
	if !inPkg[albtest.EIPShared] {
		t.Fatalf("the package's own EIP left it: %v", inPkg)
	}
}

func TestUpdateEditionShowsOldEditionWhileConfiguring(t *testing.T) {
	srv, c := start(t)
	id := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerEdition = dara.String("Basic") }))
	waitActive(t, c, id)
	if _, err := c.UpdateLoadBalancerEdition(&albsdk.UpdateLoadBalancerEditionRequest{LoadBalancerId: dara.String(id), LoadBalancerEdition: dara.String("Standard")}); err != nil {
		t.Fatal(err)
	}
	b := get(t, c, id)
	if dara.StringValue(b.LoadBalancerStatus) != "Configuring" || dara.StringValue(b.LoadBalancerEdition) != "Basic" {
		t.Fatalf("while Configuring: %s %s", dara.StringValue(b.LoadBalancerStatus), dara.StringValue(b.LoadBalancerEdition))
	}
	if got := dara.StringValue(waitActive(t, c, id).LoadBalancerEdition); got != "Standard" {
		t.Fatalf("after the transition: %s", got)
	}
	srv.SetWAF(nil, &albtest.WAF2Instance{InstanceID: "waf-cn-albtest2"})
	_, err := c.UpdateLoadBalancerEdition(&albsdk.UpdateLoadBalancerEditionRequest{LoadBalancerId: dara.String(id), LoadBalancerEdition: dara.String("StandardWithWaf")})
	sdkErr(t, err, "OperationDenied.WafV2InstanceExist", 400)
	if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Active" {
		t.Fatalf("refused upgrade changed the status to %s", got)
	}
}

func TestTagValuesRefused(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	for _, v := range []string{"acs:team", "aliyun-x", "ALIYUN"} {
		_, err := c.CreateLoadBalancer(createReq(func(r *albsdk.CreateLoadBalancerRequest) {
			r.Tag = []*albsdk.CreateLoadBalancerRequestTag{{Key: dara.String("k"), Value: dara.String(v)}}
		}))
		sdkErr(t, err, "InvalidParameter", 400)
	}
	id := mustCreate(t, c, createReq())
	_, err := c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice([]string{id}),
		Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("k"), Value: dara.String("acs:x")}}})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.UnTagResources(&albsdk.UnTagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice([]string{id}), TagKey: dara.StringSlice([]string{"acs:k"})})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{Tag: []*albsdk.ListLoadBalancersRequestTag{{Key: dara.String("k"), Value: dara.String("aliyunx")}}})
	sdkErr(t, err, "InvalidParameter", 400)
	if _, err := c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice([]string{id}),
		Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("k"), Value: dara.String("team-acs:ok")}}}); err != nil {
		t.Fatalf("a value containing acs: elsewhere: %v", err)
	}
}

func TestUpdateAttributeReasonWithoutStatus(t *testing.T) {
	_, c := start(t)
	id := mustCreate(t, c, createReq())
	waitActive(t, c, id)
	_, err := c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id),
		ModificationProtectionConfig: &albsdk.UpdateLoadBalancerAttributeRequestModificationProtectionConfig{Reason: dara.String("frozen")}})
	sdkErr(t, err, "InvalidParameter", 400)
	if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Active" {
		t.Fatalf("status %s after a refused update", got)
	}
	jobs, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ApiName: dara.String("UpdateLoadBalancerAttribute")})
	if err != nil || dara.Int64Value(jobs.Body.TotalCount) != 0 {
		t.Fatalf("jobs: %v %v", jobs, err)
	}
	if _, err := c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id),
		ModificationProtectionConfig: &albsdk.UpdateLoadBalancerAttributeRequestModificationProtectionConfig{Status: dara.String("ConsoleProtection"), Reason: dara.String("frozen")}}); err != nil {
		t.Fatal(err)
	}
	if b := waitActive(t, c, id); dara.StringValue(b.ModificationProtectionConfig.Reason) != "frozen" {
		t.Fatalf("reason with status: %s", b.String())
	}
}

func TestDescribeEipAddressesFilters(t *testing.T) {
	srv, _ := start(t)
	if err := srv.AddEIP(albtest.EIP{AllocationID: "eip-albtest-tagged", IPAddress: "47.98.10.99", ChargeType: albtest.ChargePostPaid,
		InternetChargeType: albtest.InternetPayByTraffic, ResourceGroupID: "rg-team-a", Tags: map[string]string{"env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	oc := srv.OpenAPIClient()
	count := func(q map[string]any) int64 {
		t.Helper()
		q["RegionId"] = srv.Region()
		return num(mustCall(t, oc, "DescribeEipAddresses", albtest.VersionVPC, q)["TotalCount"])
	}
	all := count(map[string]any{})
	for _, tc := range []struct {
		name string
		q    map[string]any
		want int64
	}{
		{"default group", map[string]any{"ResourceGroupId": albtest.DefaultResourceGroupID}, all - 1},
		{"other group", map[string]any{"ResourceGroupId": "rg-team-a"}, 1},
		{"tag key and value", map[string]any{"Tag.1.Key": "env", "Tag.1.Value": "prod"}, 1},
		{"tag key", map[string]any{"Tag.1.Key": "env"}, 1},
		{"tag other value", map[string]any{"Tag.1.Key": "env", "Tag.1.Value": "dev"}, 0},
		{"lock", map[string]any{"LockReason": "financial"}, 0},
		{"segment", map[string]any{"SegmentInstanceId": "eipsg-1"}, 0},
		{"created after the seed", map[string]any{"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2030-01-01T00:00Z"}, 0},
	} {
		if got := count(tc.q); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	b := mustCall(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "AllocationId": "eip-albtest-tagged"})
	if path(b, "EipAddresses", "EipAddress", 0, "Tags", "Tag", 0, "Key") != "env" || path(b, "EipAddresses", "EipAddress", 0, "ResourceGroupId") != "rg-team-a" {
		t.Fatalf("tagged EIP: %v", b)
	}
	_, err := call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "LockReason": "boredom"})
	sdkErr(t, err, "InvalidLockReason.NotFound", 404)
	_, err = call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "Tag.1.Key": "env", "Tag.1.Value": "acs:prod"})
	sdkErr(t, err, "InvalidTagValue", 400)
	_, err = call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "Tag.1.Key": "aliyun:env"})
	sdkErr(t, err, "InvalidTagKey", 400)
	_, err = call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "Filter.1.Key": "Colour", "Filter.1.Value": "x"})
	sdkErr(t, err, "InvalidFilterKey.NotFound", 404)
}

func TestWAF2Defaults(t *testing.T) {
	srv, _ := start(t, albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf-cn-min"}))
	oc := srv.OpenAPIClient()
	b := mustCall(t, oc, "DescribeInstanceInfo", albtest.VersionWAF2, map[string]any{"RegionId": "cn-hangzhou"})
	if num(path(b, "InstanceInfo", "Status")) != 1 || num(path(b, "InstanceInfo", "InDebt")) != 1 || num(path(b, "InstanceInfo", "PayType")) != 1 {
		t.Fatalf("minimal WAF 2.0 instance: %v", b)
	}
	srv.SetWAF(nil, &albtest.WAF2Instance{InstanceID: "waf-cn-min", Expired: true, Overdue: true})
	b = mustCall(t, oc, "DescribeInstanceInfo", albtest.VersionWAF2, map[string]any{"RegionId": "cn-hangzhou"})
	if num(path(b, "InstanceInfo", "Status")) != 0 || num(path(b, "InstanceInfo", "InDebt")) != 0 {
		t.Fatalf("expired and overdue WAF 2.0 instance: %v", b)
	}
}

func TestForbiddenLoadBalancer(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq())
	if err := srv.SetForbidden(id, true); err != nil {
		t.Fatal(err)
	}
	if snap, _ := srv.LoadBalancer(id); !snap.Forbidden {
		t.Fatalf("snapshot: %+v", snap)
	}
	_, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)})
	sdkErr(t, err, "Forbidden.LoadBalancer", 400)
	_, err = c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(id)})
	sdkErr(t, err, "Forbidden.LoadBalancer", 403)
	_, err = c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: dara.String(id)})
	sdkErr(t, err, "Forbidden.LoadBalancer", 403)
	_, err = c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id), LoadBalancerName: dara.String("x-name")})
	sdkErr(t, err, "Forbidden.LoadBalancer", 403)
	if err := srv.SetForbidden(id, false); err != nil {
		t.Fatal(err)
	}
	get(t, c, id)
	if err := srv.SetForbidden("alb-nope", true); !errors.Is(err, albtest.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestReadAfterCreateMisses(t *testing.T) {
	_, c := start(t, albtest.WithReadAfterCreateMisses(2), albtest.WithTransitions(albtest.AfterPolls(1)))
	id := mustCreate(t, c, createReq())
	_, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)})
	sdkErr(t, err, "ResourceNotFound.LoadBalancer", 404)
	lr, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{LoadBalancerIds: dara.StringSlice([]string{id})})
	if err != nil || dara.Int32Value(lr.Body.TotalCount) != 0 {
		t.Fatalf("second read (a list): %v %v", lr, err)
	}
	// The misses did not count as polls: the third read shows Provisioning.
	if got := dara.StringValue(get(t, c, id).LoadBalancerStatus); got != "Provisioning" {
		t.Fatalf("third read: %s", got)
	}
	waitActive(t, c, id)
}

func TestJobHistoryBounded(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()), albtest.WithJobHistoryLimit(4))
	id := mustCreate(t, c, createReq())
	var last string
	for i := 0; i < 20; i++ {
		r, err := c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id), LoadBalancerName: dara.String("name-x")})
		if err != nil {
			t.Fatal(err)
		}
		last = dara.StringValue(r.Body.JobId)
	}
	jobs, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{MaxResults: dara.Int64(100)})
	if err != nil {
		t.Fatal(err)
	}
	n := dara.Int64Value(jobs.Body.TotalCount)
	if n < 4 || n > 6 || dara.StringValue(jobs.Body.Jobs[len(jobs.Body.Jobs)-1].Id) != last {
		t.Fatalf("%d jobs kept (want 4 to 6, the newest last): %s", n, jobs.Body.String())
	}
	for _, j := range jobs.Body.Jobs {
		if dara.StringValue(j.ApiName) == "CreateLoadBalancer" {
			t.Fatalf("the oldest job is still listed: %s", j.String())
		}
	}
}

func TestJobHistoryKeepsProcessingJobs(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Manual()), albtest.WithJobHistoryLimit(2))
	var ids []string
	for i := 0; i < 6; i++ {
		ids = append(ids, mustCreate(t, c, createReq()))
	}
	srv.AdvanceAll() // six finished Create jobs: the history keeps 2 to 3
	for _, id := range ids[:4] {
		if _, err := c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id), LoadBalancerName: dara.String("name-y")}); err != nil {
			t.Fatal(err)
		}
	}
	jobs, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ApiName: dara.String("UpdateLoadBalancerAttribute"), MaxResults: dara.Int64(100)})
	if err != nil || dara.Int64Value(jobs.Body.TotalCount) != 4 {
		t.Fatalf("Processing jobs dropped: %v %v", jobs, err)
	}
	for _, j := range jobs.Body.Jobs {
		if dara.StringValue(j.Status) != "Processing" {
			t.Fatalf("job %s", j.String())
		}
		// Advance by job ID still works for every kept Processing job.
		if ok, err := srv.Advance(dara.StringValue(j.Id)); !ok || err != nil {
			t.Fatalf("Advance(%s): %v %v", dara.StringValue(j.Id), ok, err)
		}
	}
	all, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{MaxResults: dara.Int64(100)})
	if err != nil || dara.Int64Value(all.Body.TotalCount) > 3 {
		t.Fatalf("history after the updates finished: %v %v", all, err)
	}
}
