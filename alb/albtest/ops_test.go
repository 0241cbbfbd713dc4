package albtest_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

// rawGet reads GetLoadBalancerAttribute as JSON, to see absent fields.
func rawGet(t *testing.T, srv *albtest.Server, id string) map[string]any {
	t.Helper()
	return mustCall(t, srv.OpenAPIClient(), "GetLoadBalancerAttribute", albtest.VersionALB, map[string]any{"LoadBalancerId": id})
}

func TestAccessLog(t *testing.T) {
	srv, c := start(t) // AfterPolls(1): every update is Configuring for one read
	id := mustCreate(t, c, createReq())
	waitActive(t, c, id)
	if v, ok := rawGet(t, srv, id)["AccessLogConfig"]; ok {
		t.Fatalf("AccessLogConfig without access log: %v", v)
	}
	_, err := c.DisableLoadBalancerAccessLog(&albsdk.DisableLoadBalancerAccessLogRequest{LoadBalancerId: dara.String(id)})
	sdkErr(t, err, "OperationDenied.AccessLogDisabled", 400)
	enable := func(project, store, token string) (*albsdk.EnableLoadBalancerAccessLogResponse, error) {
		return c.EnableLoadBalancerAccessLog(&albsdk.EnableLoadBalancerAccessLogRequest{
			LoadBalancerId: dara.String(id), LogProject: dara.String(project), LogStore: dara.String(store), ClientToken: dara.String(token)})
	}
	_, err = enable("proj", "", "")
	sdkErr(t, err, "MissingParameter", 400)
	_, err = c.EnableLoadBalancerAccessLog(&albsdk.EnableLoadBalancerAccessLogRequest{LoadBalancerId: dara.String(id), LogProject: dara.String("p"), LogStore: dara.String("s"), DryRun: dara.Bool(true)})
	sdkErr(t, err, "DryRunOperation", 400)
	r, err := enable("proj", "store", "tok-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reJobID.MatchString(dara.StringValue(r.Body.JobId)) {
		t.Fatalf("JobId %q", dara.StringValue(r.Body.JobId))
	}
	if again, err := enable("proj", "store", "tok-1"); err != nil || dara.StringValue(again.Body.JobId) != dara.StringValue(r.Body.JobId) {
		t.Fatalf("ClientToken replay: %v %v", again, err)
	}
	_, err = c.DisableLoadBalancerAccessLog(&albsdk.DisableLoadBalancerAccessLogRequest{LoadBalancerId: dara.String(id)})
	sdkErr(t, err, "ResourceInConfiguring.LoadBalancer", 400)
	b := get(t, c, id)
	if dara.StringValue(b.LoadBalancerStatus) != "Configuring" || b.AccessLogConfig != nil {
		t.Fatalf("while Configuring: %s", b.String())
	}
	b = get(t, c, id)
	if dara.StringValue(b.LoadBalancerStatus) != "Active" || b.AccessLogConfig == nil ||
		dara.StringValue(b.AccessLogConfig.LogProject) != "proj" || dara.StringValue(b.AccessLogConfig.LogStore) != "store" {
		t.Fatalf("after the transition: %s", b.String())
	}
	lr, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{LoadBalancerIds: dara.StringSlice([]string{id})})
	if err != nil || dara.StringValue(lr.Body.LoadBalancers[0].AccessLogConfig.LogStore) != "store" {
		t.Fatalf("ListLoadBalancers: %v %v", lr, err)
	}
	if snap, _ := srv.LoadBalancer(id); snap.AccessLogProject != "proj" || snap.AccessLogStore != "store" {
		t.Fatalf("snapshot: %+v", snap)
	}
	_, err = enable("proj", "store", "")
	sdkErr(t, err, "OperationDenied.AccessLogEnabled", 400)
	if _, err := c.DisableLoadBalancerAccessLog(&albsdk.DisableLoadBalancerAccessLogRequest{LoadBalancerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	if b := get(t, c, id); b.AccessLogConfig == nil {
		t.Fatal("access log gone while still Configuring")
	}
	waitActive(t, c, id)
	if v, ok := rawGet(t, srv, id)["AccessLogConfig"]; ok {
		t.Fatalf("AccessLogConfig after disable: %v", v)
	}
	raw := mustCall(t, srv.OpenAPIClient(), "ListLoadBalancers", albtest.VersionALB, map[string]any{"LoadBalancerIds.1": id})
	if v := path(raw, "LoadBalancers", 0, "AccessLogConfig"); v != nil {
		t.Fatalf("ListLoadBalancers AccessLogConfig after disable: %v", v)
	}
	jobs, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ResourceIds: dara.StringSlice([]string{id}), ApiName: dara.String("DisableLoadBalancerAccessLog")})
	if err != nil || dara.Int64Value(jobs.Body.TotalCount) != 1 || dara.StringValue(jobs.Body.Jobs[0].Status) != "Succeeded" {
		t.Fatalf("Disable job: %v %v", jobs, err)
	}
}

func TestMoveResourceGroup(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq())
	move := func(rt, res, rg string) error {
		_, err := c.MoveResourceGroup(&albsdk.MoveResourceGroupRequest{ResourceType: dara.String(rt), ResourceId: dara.String(res), NewResourceGroupId: dara.String(rg)})
		return err
	}
	if err := move("loadbalancer", id, "rg-team-a"); err != nil {
		t.Fatal(err)
	}
	if got := dara.StringValue(get(t, c, id).ResourceGroupId); got != "rg-team-a" {
		t.Fatalf("ResourceGroupId %q", got)
	}
	lr, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{ResourceGroupId: dara.String("rg-team-a")})
	if err != nil || dara.Int32Value(lr.Body.TotalCount) != 1 {
		t.Fatalf("list by new group: %v %v", lr, err)
	}
	sdkErr(t, move("loadbalancer", id, ""), "MissingParameter", 400)
	sdkErr(t, move("loadbalancer", id, "team-a"), "NotExist.ResourceGroup", 400)
	sdkErr(t, move("vm", id, "rg-team-a"), "InvalidParameter", 400)
	sdkErr(t, move("acl", "acl-1", "rg-team-a"), "ResourceNotFound.Acl", 404)
	sdkErr(t, move("loadbalancer", "alb-nope", "rg-team-a"), "ResourceNotFound.LoadBalancer", 404)
}

func zoneReq(vsw, zone string) *albsdk.UpdateLoadBalancerZonesRequestZoneMappings {
	return &albsdk.UpdateLoadBalancerZonesRequestZoneMappings{VSwitchId: dara.String(vsw), ZoneId: dara.String(zone)}
}

func TestUpdateLoadBalancerZones(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	if err := srv.AddVSwitch(albtest.VSwitch{VSwitchID: "vsw-albtest-h2", VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneH, CidrBlock: "10.0.9.0/24"}); err != nil {
		t.Fatal(err)
	}
	id := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.ZoneMappings[1] = zmEIP(albtest.VSwitchI, albtest.ZoneI, albtest.EIPTraffic1)
	}))
	update := func(dry bool, zs ...*albsdk.UpdateLoadBalancerZonesRequestZoneMappings) (*albsdk.UpdateLoadBalancerZonesResponse, error) {
		return c.UpdateLoadBalancerZones(&albsdk.UpdateLoadBalancerZonesRequest{LoadBalancerId: dara.String(id), ZoneMappings: zs, DryRun: dara.Bool(dry)})
	}
	h, i, j := zoneReq(albtest.VSwitchH, albtest.ZoneH), zoneReq(albtest.VSwitchI, albtest.ZoneI), zoneReq(albtest.VSwitchJ, albtest.ZoneJ)
	_, err := update(false, h, i)
	sdkErr(t, err, "OperationDenied.ZoneMappingsNotChanged", 400)
	_, err = update(false, zoneReq("vsw-albtest-h2", albtest.ZoneH), i)
	sdkErr(t, err, "OperationDenied.ZoneVSwitchChanged", 400)
	_, err = update(false, h, i, zoneReq(albtest.VSwitchKFull, albtest.ZoneK))
	sdkErr(t, err, "ResourceNotEnough.VSwitchIp", 400)
	_, err = update(false, h, i, zoneReq(albtest.VSwitchH, albtest.ZoneJ))
	sdkErr(t, err, "Mismatch.ZoneIdAndVSwitchId", 400)
	_, err = update(false, h, i, h)
	sdkErr(t, err, "DuplicatedParam.ZoneId", 400)
	beforeI, beforeJ := availableIPs(t, srv, albtest.VSwitchI), availableIPs(t, srv, albtest.VSwitchJ)
	_, err = update(true, h, i, j)
	sdkErr(t, err, "DryRunOperation", 400)
	r, err := update(false, h, i, j)
	if err != nil {
		t.Fatal(err)
	}
	if !reJobID.MatchString(dara.StringValue(r.Body.JobId)) {
		t.Fatalf("JobId %q", dara.StringValue(r.Body.JobId))
	}
	b := get(t, c, id)
	if len(b.ZoneMappings) != 3 || dara.StringValue(b.ZoneMappings[2].ZoneId) != albtest.ZoneJ {
		t.Fatalf("zones after adding j: %s", b.String())
	}
	autoJ := dara.StringValue(b.ZoneMappings[2].LoadBalancerAddresses[0].AllocationId)
	if st, ok := eipStatus(t, srv, autoJ); !ok || st != "InUse" {
		t.Fatalf("zone j EIP %s: %q %v", autoJ, st, ok)
	}
	if got := availableIPs(t, srv, albtest.VSwitchJ); got != beforeJ-3 {
		t.Fatalf("vSwitch j free addresses %d, want %d", got, beforeJ-3)
	}
	// One zone is refused in a region of four, as at create (issue 17).
	_, err = update(false, h)
	sdkErr(t, err, "InvalidParameter", 400)
	if b := get(t, c, id); len(b.ZoneMappings) != 3 {
		t.Fatalf("zones after a refused one-zone update: %s", b.String())
	}
	// Removing zone i frees its addresses and disassociates the user's EIP;
	// removing zone j releases its auto-assigned EIP.
	if _, err := update(false, h, j); err != nil {
		t.Fatal(err)
	}
	if got := availableIPs(t, srv, albtest.VSwitchI); got != beforeI+3 {
		t.Fatalf("vSwitch i free addresses %d, want %d", got, beforeI+3)
	}
	if st, ok := eipStatus(t, srv, albtest.EIPTraffic1); !ok || st != "Available" {
		t.Fatalf("user EIP of a removed zone: %q %v, want Available", st, ok)
	}
	if _, err := update(false, h, i); err != nil {
		t.Fatal(err)
	}
	if _, ok := eipStatus(t, srv, autoJ); ok {
		t.Fatalf("auto EIP %s of a removed zone still exists", autoJ)
	}
	if b := get(t, c, id); len(b.ZoneMappings) != 2 || dara.StringValue(b.ZoneMappings[1].ZoneId) != albtest.ZoneI {
		t.Fatalf("zones after removal: %s", b.String())
	}
}

func TestUpdateLoadBalancerAddressTypeConfig(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq())
	b := get(t, c, id)
	autoH := dara.StringValue(b.ZoneMappings[0].LoadBalancerAddresses[0].AllocationId)
	autoI := dara.StringValue(b.ZoneMappings[1].LoadBalancerAddresses[0].AllocationId)
	update := func(addrType string, zs ...*albsdk.UpdateLoadBalancerAddressTypeConfigRequestZoneMappings) error {
		_, err := c.UpdateLoadBalancerAddressTypeConfig(&albsdk.UpdateLoadBalancerAddressTypeConfigRequest{
			LoadBalancerId: dara.String(id), AddressType: dara.String(addrType), ZoneMappings: zs})
		return err
	}
	zeip := func(zone, vsw, eip string) *albsdk.UpdateLoadBalancerAddressTypeConfigRequestZoneMappings {
		return &albsdk.UpdateLoadBalancerAddressTypeConfigRequestZoneMappings{ZoneId: dara.String(zone), VSwitchId: dara.String(vsw), AllocationId: dara.String(eip)}
	}
	sdkErr(t, update("Internet"), "OperationDenied.AddressTypeNotChanged", 400)
	sdkErr(t, update("Internet", zeip(albtest.ZoneJ, albtest.VSwitchJ, albtest.EIPTraffic2)), "InvalidParameter", 400)
	sdkErr(t, update("Internet", zeip(albtest.ZoneH, albtest.VSwitchH, albtest.EIPBandwidth)), "OperationDenied.OnlyPostPaidEipSupported", 400)
	sdkErr(t, update("Internet", zeip(albtest.ZoneH, albtest.VSwitchH, albtest.EIPAnycast1)), "OperationDenied.EipTypeInconsistent", 400)
	sdkErr(t, update("Internet", zeip(albtest.ZoneH, albtest.VSwitchH, "eip-nope")), "ResourceNotFound.Eip", 400) // 404 at create
	// EIP rebinding: zone h takes EIPTraffic2, its auto-assigned EIP is released.
	if err := update("Internet", zeip(albtest.ZoneH, albtest.VSwitchH, albtest.EIPTraffic2)); err != nil {
		t.Fatal(err)
	}
	b = get(t, c, id)
	if got := dara.StringValue(b.ZoneMappings[0].LoadBalancerAddresses[0].AllocationId); got != albtest.EIPTraffic2 {
		t.Fatalf("zone h EIP %s", got)
	}
	if _, ok := eipStatus(t, srv, autoH); ok {
		t.Fatalf("replaced auto EIP %s still exists", autoH)
	}
	if st, _ := eipStatus(t, srv, albtest.EIPTraffic2); st != "InUse" {
		t.Fatalf("EIPTraffic2 %s", st)
	}
	// Internet → Intranet: the user's EIP is disassociated, the auto one released.
	sdkErr(t, update("Intranet", zeip(albtest.ZoneH, albtest.VSwitchH, albtest.EIPTraffic3)), "OperationDenied.IntranetNotSupportEip", 400)
	if err := update("Intranet"); err != nil {
		t.Fatal(err)
	}
	b = get(t, c, id)
	if dara.StringValue(b.AddressType) != "Intranet" || b.ZoneMappings[0].LoadBalancerAddresses[0].AllocationId != nil {
		t.Fatalf("after Intranet: %s", b.String())
	}
	if st, _ := eipStatus(t, srv, albtest.EIPTraffic2); st != "Available" {
		t.Fatalf("user EIP after Intranet: %s", st)
	}
	if _, ok := eipStatus(t, srv, autoI); ok {
		t.Fatalf("auto EIP %s still exists after Intranet", autoI)
	}
	sdkErr(t, update("Intranet"), "OperationDenied.AddressTypeNotChanged", 400)
	// Intranet → Internet: zone h gets EIPTraffic3, zone i a new auto EIP.
	if err := update("Internet", zeip(albtest.ZoneH, "", albtest.EIPTraffic3)); err != nil {
		t.Fatal(err)
	}
	b = get(t, c, id)
	newI := dara.StringValue(b.ZoneMappings[1].LoadBalancerAddresses[0].AllocationId)
	if dara.StringValue(b.AddressType) != "Internet" || dara.StringValue(b.ZoneMappings[0].LoadBalancerAddresses[0].AllocationId) != albtest.EIPTraffic3 || newI == "" || newI == autoI {
		t.Fatalf("after Internet: %s", b.String())
	}
	if st, _ := eipStatus(t, srv, newI); st != "InUse" {
		t.Fatalf("new auto EIP %s: %s", newI, st)
	}
	_, err := c.AttachCommonBandwidthPackageToLoadBalancer(&albsdk.AttachCommonBandwidthPackageToLoadBalancerRequest{
		LoadBalancerId: dara.String(id), RegionId: dara.String(srv.Region()), BandwidthPackageId: dara.String(albtest.DefaultBandwidthPackageID)})
	if err != nil {
		t.Fatal(err)
	}
	sdkErr(t, update("Intranet"), "OperationDenied.AddressTypeNotSupportBandwidthPackage", 400)
}

func TestIpv6Internet(t *testing.T) {
	srv, c := start(t)
	oc := srv.OpenAPIClient()
	dual := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.AddressIpVersion = dara.String("DualStack") }))
	v4 := mustCreate(t, c, createReq())
	waitActive(t, c, dual)
	waitActive(t, c, v4)
	if got := dara.StringValue(get(t, c, dual).Ipv6AddressType); got != "Intranet" {
		t.Fatalf("Ipv6AddressType %q", got)
	}
	_, err := call(t, oc, "EnableLoadBalancerIpv6Internet", albtest.VersionALB, map[string]any{"LoadBalancerId": v4})
	sdkErr(t, err, "OperationDenied.NonDualStackInstance", 400)
	_, err = call(t, oc, "DisableLoadBalancerIpv6Internet", albtest.VersionALB, map[string]any{"LoadBalancerId": dual})
	sdkErr(t, err, "OperationDenied.Ipv6IntranetInstance", 400)
	_, err = call(t, oc, "EnableLoadBalancerIpv6Internet", albtest.VersionALB, map[string]any{"LoadBalancerId": dual, "DryRun": "true"})
	sdkErr(t, err, "DryRunOperation", 400)
	r := mustCall(t, oc, "EnableLoadBalancerIpv6Internet", albtest.VersionALB, map[string]any{"LoadBalancerId": dual, "ClientToken": "v6-on"})
	if s, _ := r["JobId"].(string); !reJobID.MatchString(s) {
		t.Fatalf("answer %v", r)
	}
	b := get(t, c, dual)
	if dara.StringValue(b.LoadBalancerStatus) != "Configuring" || dara.StringValue(b.Ipv6AddressType) != "Intranet" {
		t.Fatalf("while Configuring: %s %s", dara.StringValue(b.LoadBalancerStatus), dara.StringValue(b.Ipv6AddressType))
	}
	if got := dara.StringValue(waitActive(t, c, dual).Ipv6AddressType); got != "Internet" {
		t.Fatalf("after Enable: %q", got)
	}
	lr, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{Ipv6AddressType: dara.String("Internet")})
	if err != nil || dara.Int32Value(lr.Body.TotalCount) != 1 || dara.StringValue(lr.Body.LoadBalancers[0].LoadBalancerId) != dual {
		t.Fatalf("list Ipv6AddressType=Internet: %v %v", lr, err)
	}
	_, err = call(t, oc, "EnableLoadBalancerIpv6Internet", albtest.VersionALB, map[string]any{"LoadBalancerId": dual})
	sdkErr(t, err, "OperationDenied.Ipv6InternetInstance", 400)
	mustCall(t, oc, "DisableLoadBalancerIpv6Internet", albtest.VersionALB, map[string]any{"LoadBalancerId": dual})
	if got := dara.StringValue(waitActive(t, c, dual).Ipv6AddressType); got != "Intranet" {
		t.Fatalf("after Disable: %q", got)
	}
}

func TestRAMAndServiceLinkedRoleDeletion(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	oc := srv.OpenAPIClient()
	b := mustCall(t, oc, "GetRole", albtest.VersionRAM, map[string]any{"RoleName": albtest.ServiceLinkedRoleName})
	for _, k := range []string{"RoleId", "RoleName", "Arn", "Description", "AssumeRolePolicyDocument", "CreateDate", "UpdateDate"} {
		if s, _ := path(b, "Role", k).(string); s == "" {
			t.Fatalf("RAM GetRole lacks Role.%s: %v", k, b)
		}
	}
	if num(path(b, "Role", "MaxSessionDuration")) != 3600 || path(b, "Role", "IsServiceLinkedRole") != nil {
		t.Fatalf("RAM GetRole: %v", b)
	}
	_, err := call(t, oc, "GetRole", albtest.VersionRAM, map[string]any{"RoleName": "NoSuchRole"})
	se := sdkErr(t, err, "EntityNotExist.Role", 404)
	if !contains(dara.StringValue(se.Data), `"HostId":"ram.aliyuncs.com"`) {
		t.Fatalf("HostId: %s", dara.StringValue(se.Data))
	}
	// The role is in use by a live instance: deletion fails with the usage.
	id := mustCreate(t, c, createReq())
	task, _ := mustCall(t, oc, "DeleteServiceLinkedRole", albtest.VersionResourceManager, map[string]any{"RoleName": albtest.ServiceLinkedRoleName})["DeletionTaskId"].(string)
	st := mustCall(t, oc, "GetServiceLinkedRoleDeletionStatus", albtest.VersionResourceManager, map[string]any{"DeletionTaskId": task})
	if st["Status"] != "FAILED" || path(st, "Reason", "RoleUsages", "RoleUsage", 0, "Resources", "Resource", 0) != id {
		t.Fatalf("deletion while in use: %v", st)
	}
	if _, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	task, _ = mustCall(t, oc, "DeleteServiceLinkedRole", albtest.VersionResourceManager, map[string]any{"RoleName": albtest.ServiceLinkedRoleName})["DeletionTaskId"].(string)
	st = mustCall(t, oc, "GetServiceLinkedRoleDeletionStatus", albtest.VersionResourceManager, map[string]any{"DeletionTaskId": task})
	if st["Status"] != "SUCCEEDED" || st["Reason"] != nil {
		t.Fatalf("deletion: %v", st)
	}
	_, err = call(t, oc, "GetRole", albtest.VersionRAM, map[string]any{"RoleName": albtest.ServiceLinkedRoleName})
	sdkErr(t, err, "EntityNotExist.Role", 404)
	_, err = call(t, oc, "DeleteServiceLinkedRole", albtest.VersionResourceManager, map[string]any{"RoleName": albtest.ServiceLinkedRoleName})
	sdkErr(t, err, "EntityNotExist.Role", 404)
	_, err = call(t, oc, "GetServiceLinkedRoleDeletionStatus", albtest.VersionResourceManager, map[string]any{"DeletionTaskId": "deletion-task/nope"})
	sdkErr(t, err, "EntityNotExist.DeletionTask", 404)
	_, err = c.CreateLoadBalancer(createReq())
	sdkErr(t, err, "OperationDenyed.ServiceLinkedRoleNotExist", 400)
}

// TestGarbageNewOperationsNeverInternalError sends random parameters to the
// operations added for issue 8 (zones, address type, access log, IPv6,
// resource group, roles, EIP filters) on instances of every kind: no input
// may produce a 5xx.
func TestGarbageNewOperationsNeverInternalError(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	ids := []string{
		mustCreate(t, c, createReq()),
		mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.AddressType = dara.String("Intranet") })),
		mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
			r.AddressIpVersion = dara.String("DualStack")
			r.LoadBalancerBillingConfig.BandwidthPackageId = dara.String(albtest.DefaultBandwidthPackageID)
		})),
		"alb-nope",
	}
	actions := []struct{ a, v string }{
		{"UpdateLoadBalancerZones", albtest.VersionALB}, {"UpdateLoadBalancerAddressTypeConfig", albtest.VersionALB},
		{"EnableLoadBalancerAccessLog", albtest.VersionALB}, {"DisableLoadBalancerAccessLog", albtest.VersionALB},
		{"EnableLoadBalancerIpv6Internet", albtest.VersionALB}, {"DisableLoadBalancerIpv6Internet", albtest.VersionALB},
		{"MoveResourceGroup", albtest.VersionALB}, {"GetLoadBalancerAttribute", albtest.VersionALB}, {"DescribeEipAddresses", albtest.VersionVPC},
		{"DescribeVSwitches", albtest.VersionVPC}, {"GetRole", albtest.VersionRAM}, {"DeleteServiceLinkedRole", albtest.VersionResourceManager},
		{"GetServiceLinkedRoleDeletionStatus", albtest.VersionResourceManager}, {"CreateServiceLinkedRole", albtest.VersionResourceManager},
	}
	zones := [][2]string{{albtest.ZoneH, albtest.VSwitchH}, {albtest.ZoneI, albtest.VSwitchI}, {albtest.ZoneJ, albtest.VSwitchJ},
		{albtest.ZoneK, albtest.VSwitchKFull}, {albtest.ZoneH, albtest.VSwitchOther}}
	eips := []string{"", "", "", albtest.EIPTraffic1, albtest.EIPTraffic2, albtest.EIPTraffic3, albtest.EIPAnycast1, albtest.EIPInUse, albtest.EIPShared, "eip-nope"}
	values := []string{"", "x", "Anycast", "Common", "10.0.1.200", "10.0.1.1", "10.0.3.9", "Internet", "Intranet", "true", "false", "rg-1",
		"acs:x", "financial", "CreationStartTime", "2024-01-01T00:00Z", albtest.ServiceLinkedRoleName, albtest.ServiceLinkedRoleService,
		"loadbalancer", "acl", "cn-hangzhou", albtest.VSwitchH, "vsw-nope"}
	other := []string{"AddressType", "LogProject", "LogStore", "ResourceType", "NewResourceGroupId", "RoleName", "ServiceName", "DeletionTaskId",
		"DryRun", "ClientToken", "LockReason", "Filter.1.Key", "Filter.1.Value", "Tag.1.Key", "SegmentInstanceId", "RegionId", "VSwitchId", "RouteTableId"}
	plausible := map[string]string{"AddressType": "Internet", "LogProject": "p", "LogStore": "s", "ResourceType": "loadbalancer",
		"NewResourceGroupId": "rg-team", "RoleName": albtest.ServiceLinkedRoleName, "ServiceName": albtest.ServiceLinkedRoleService, "RegionId": "cn-hangzhou"}
	rng := rand.New(rand.NewPCG(8, 8))
	oc := srv.OpenAPIClient()
	for i := 0; i < 1500; i++ {
		act := actions[rng.IntN(len(actions))]
		q := map[string]any{"LoadBalancerId": ids[rng.IntN(len(ids))], "ResourceId": ids[rng.IntN(len(ids))]}
		for k, v := range plausible {
			if rng.IntN(3) > 0 {
				q[k] = v
			}
		}
		if rng.IntN(2) == 0 {
			q["AddressType"] = "Intranet"
		}
		perm := rng.Perm(len(zones))
		for n := rng.IntN(5); n > 0; n-- { // up to four zones: an update keeps at least two
			z := zones[perm[n]]
			p := "ZoneMappings." + strconv.Itoa(n) + "."
			q[p+"ZoneId"], q[p+"VSwitchId"], q[p+"AllocationId"] = z[0], z[1], eips[rng.IntN(len(eips))]
			if rng.IntN(6) == 0 {
				q[p+[]string{"ZoneId", "VSwitchId", "EipType", "IntranetAddress"}[rng.IntN(4)]] = values[rng.IntN(len(values))]
			}
		}
		for j := rng.IntN(3); j > 0; j-- {
			q[other[rng.IntN(len(other))]] = values[rng.IntN(len(values))]
		}
		b, err := call(t, oc, act.a, act.v, q)
		if err != nil {
			var se *tea.SDKError
			if !errors.As(err, &se) || dara.IntValue(se.StatusCode) >= 500 {
				t.Fatalf("%s %v: %v", act.a, q, err)
			}
		}
		if task, _ := b["DeletionTaskId"].(string); task != "" {
			values = append(values, task)
			plausible["DeletionTaskId"] = task
		}
		if rng.IntN(50) == 0 {
			srv.SetServiceLinkedRole(true)
		}
	}
	ok := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Status == 200 {
			ok[r.Action]++
		}
	}
	t.Logf("successes: %v", ok)
	for _, a := range actions {
		if ok[a.a] == 0 {
			t.Errorf("no %s succeeded: the input does not reach the operation (%v)", a.a, ok)
		}
	}
	// The books still balance: every InUse EIP belongs to a live instance's zone.
	owned := map[string]bool{albtest.EIPInUse: true}
	for _, lb := range srv.LoadBalancers() {
		for _, z := range lb.Zones {
			if !lb.Deleted && z.AllocationID != "" {
				if owned[z.AllocationID] {
					t.Fatalf("EIP %s bound twice", z.AllocationID)
				}
				owned[z.AllocationID] = true
			}
		}
	}
	for _, e := range srv.EIPs() {
		if (e.Status == "InUse") != owned[e.AllocationID] {
			t.Fatalf("EIP %s is %s, bound to an instance zone: %v", e.AllocationID, e.Status, owned[e.AllocationID])
		}
	}
}

// A fault with Skip lets the first matching requests through.
func TestFaultSkip(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	sdk := srv.ALBClient()
	srv.InjectFault(albtest.Fault{Action: "ListLoadBalancers", Code: "ServiceUnavailable", Status: 503, Skip: 2, Times: 1})
	var errs []bool
	for range 4 {
		_, err := sdk.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{})
		errs = append(errs, err != nil)
	}
	if want := []bool{false, false, true, false}; !slices.Equal(errs, want) {
		t.Fatalf("failures %v, want %v", errs, want)
	}
}
