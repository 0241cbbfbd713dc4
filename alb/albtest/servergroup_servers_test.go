package albtest_test

import (
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

func instanceServer(typ, id string, port int32) *albsdk.AddServersToServerGroupRequestServers {
	return &albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String(typ), ServerId: dara.String(id), Port: dara.Int32(port)}
}

func TestServerGroupInstanceMembers(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq())
	secondary := instanceServer("Eni", albtest.ENI1, 80)
	secondary.ServerIp = dara.String("10.0.1.21")
	weighted := instanceServer("Ecs", albtest.ECSInstance1, 80)
	weighted.Weight, weighted.Description = dara.Int32(0), dara.String("web-1")
	mustAddServers(t, c, id, weighted, instanceServer("Ecs", albtest.ECSInstance2, 8080),
		instanceServer("Eni", albtest.ENI1, 80), secondary, instanceServer("Eci", albtest.ECI1, 80))
	got := sgServers(t, c, id)
	want := []struct {
		typ, id, ip string
		port, w     int32
		desc        string
	}{
		{"Ecs", albtest.ECSInstance1, "10.0.1.10", 80, 0, "web-1"},
		{"Ecs", albtest.ECSInstance2, "10.0.2.10", 8080, 100, ""},
		{"Eni", albtest.ENI1, "10.0.1.20", 80, 100, ""},
		{"Eni", albtest.ENI1, "10.0.1.21", 80, 100, ""},
		{"Eci", albtest.ECI1, "10.0.3.30", 80, 100, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("servers: %v", got)
	}
	for i, w := range want {
		g := got[i]
		if dara.StringValue(g.ServerType) != w.typ || dara.StringValue(g.ServerId) != w.id || dara.StringValue(g.ServerIp) != w.ip ||
			dara.Int32Value(g.Port) != w.port || dara.Int32Value(g.Weight) != w.w || dara.StringValue(g.Description) != w.desc ||
			dara.StringValue(g.Status) != "Available" || dara.StringValue(g.ServerGroupId) != id || g.RemoteIpEnabled == nil {
			t.Fatalf("server %d: %s, want %+v", i, g.String(), w)
		}
	}
	// Adding members again is idempotent: no duplicate, no error, the
	// existing attributes kept.
	again := instanceServer("Ecs", albtest.ECSInstance1, 80)
	again.Weight = dara.Int32(50)
	mustAddServers(t, c, id, again)
	if g := sgServers(t, c, id); len(g) != 5 || dara.Int32Value(g[0].Weight) != 0 || dara.Int32Value(sgList(t, c, id).ServerCount) != 5 {
		t.Fatalf("after adding a member again: %v", g)
	}

	otherIP := instanceServer("Ecs", albtest.ECSInstance1, 80)
	otherIP.ServerIp = dara.String("10.0.1.99")
	badWeight := instanceServer("Ecs", albtest.ECSInstance2, 81)
	badWeight.Weight = dara.Int32(101)
	noPort := instanceServer("Ecs", albtest.ECSInstance2, 80)
	noPort.Port = nil
	for name, tc := range map[string]struct {
		servers []*albsdk.AddServersToServerGroupRequestServers
		code    string
		status  int
	}{
		"unknown ECS":             {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Ecs", "i-nope", 80)}, "ResourceNotFound.Ecs", 404},
		"unknown ENI":             {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Eni", "eni-nope", 80)}, "ResourceNotFound.Eni", 404},
		"unknown ECI":             {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Eci", "eci-nope", 80)}, "ResourceNotFound.Eci", 404},
		"ENI named as ECS":        {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Ecs", albtest.ENI1, 80)}, "ResourceNotFound.Ecs", 404},
		"ECS in another VPC":      {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Ecs", albtest.ECSInstanceOther, 80)}, "Mismatch.VpcId", 400},
		"Ip in an Instance group": {[]*albsdk.AddServersToServerGroupRequestServers{ipServer("10.0.1.10", 80)}, "Mismatch.ServerType", 400},
		"Fc in an Instance group": {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Fc", "acs:fc:cn-hangzhou:1:functions/f", 0)}, "Mismatch.ServerType", 400},
		"address not its own":     {[]*albsdk.AddServersToServerGroupRequestServers{otherIP}, "InvalidParameter", 400},
		"weight 101":              {[]*albsdk.AddServersToServerGroupRequestServers{badWeight}, "InvalidParameter", 400},
		"port 0":                  {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Ecs", albtest.ECSInstance2, 0)}, "InvalidParameter", 400},
		"port 65536":              {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Ecs", albtest.ECSInstance2, 65536)}, "InvalidParameter", 400},
		"no port":                 {[]*albsdk.AddServersToServerGroupRequestServers{noPort}, "MissingParameter", 400},
		"no type":                 {[]*albsdk.AddServersToServerGroupRequestServers{{ServerId: dara.String(albtest.ECSInstance2), Port: dara.Int32(80)}}, "MissingParameter", 400},
		"bad type":                {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Vm", albtest.ECSInstance2, 80)}, "InvalidParameter", 400},
		"no ID":                   {[]*albsdk.AddServersToServerGroupRequestServers{{ServerType: dara.String("Ecs"), Port: dara.Int32(80)}}, "MissingParameter", 400},
		"twice in one call": {[]*albsdk.AddServersToServerGroupRequestServers{instanceServer("Ecs", albtest.ECSInstance2, 81),
			instanceServer("Ecs", albtest.ECSInstance2, 81)}, "DuplicatedParam.Server", 400},
		"no servers": {nil, "MissingParameter", 400},
	} {
		t.Run(name, func(t *testing.T) { sdkErr(t, addServers(c, id, tc.servers...), tc.code, tc.status) })
	}
	for _, desc := range []string{"x", "http://a", "HTTPS://a", strings.Repeat("d", 257)} {
		s := instanceServer("Ecs", albtest.ECSInstance2, 81)
		s.Description = dara.String(desc)
		sdkErr(t, addServers(c, id, s), "InvalidParameter", 400)
	}
	if snap, _ := srv.ServerGroup(id); len(snap.Servers) != 5 {
		t.Fatalf("refused adds changed the group: %+v", snap.Servers)
	}

	// A compute resource added to the world at runtime.
	if err := srv.AddECSInstance(albtest.BackendInstance{ID: "i-later", VpcID: albtest.DefaultVPCID, PrivateIPs: []string{"10.0.1.77"}}); err != nil {
		t.Fatal(err)
	}
	mustAddServers(t, c, id, instanceServer("Ecs", "i-later", 80))
	if err := srv.AddENI(albtest.BackendInstance{ID: "eni-x", VpcID: "vpc-nope", PrivateIPs: []string{"10.0.1.78"}}); err == nil {
		t.Fatal("an ENI in an unknown VPC was added")
	}
	if err := srv.AddContainerGroup(albtest.BackendInstance{ID: "i-later", VpcID: albtest.DefaultVPCID, PrivateIPs: []string{"10.0.1.79"}}); err == nil {
		t.Fatal("a duplicate ID was added")
	}
}

func TestServerGroupIPMembers(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq(ipGroup))
	remote := ipServer("127.0.0.1", 9000)
	remote.RemoteIpEnabled = dara.Bool(true)
	// Any IPv4 address by default, loopback included (tests run their own
	// backends), and ServerIp may repeat ServerId.
	same := ipServer("203.0.113.7", 80)
	same.ServerIp = dara.String("203.0.113.7")
	mustAddServers(t, c, id, remote, same)
	got := sgServers(t, c, id)
	if len(got) != 2 || dara.StringValue(got[0].ServerIp) != "127.0.0.1" || !dara.BoolValue(got[0].RemoteIpEnabled) || dara.StringValue(got[1].ServerId) != "203.0.113.7" {
		t.Fatalf("servers: %v", got)
	}
	differs := ipServer("10.0.0.1", 80)
	differs.ServerIp = dara.String("10.0.0.2")
	for name, s := range map[string]*albsdk.AddServersToServerGroupRequestServers{
		"not an address":        ipServer("web-1", 80),
		"IPv6 in an IPv4 group": ipServer("2408:4005::1", 80),
		"ServerIp differs":      differs,
		"Ecs in an Ip group":    instanceServer("Ecs", albtest.ECSInstance1, 80),
	} {
		code := "InvalidParameter"
		if name == "Ecs in an Ip group" {
			code = "Mismatch.ServerType"
		}
		t.Run(name, func(t *testing.T) { sdkErr(t, addServers(c, id, s), code, 400) })
	}
	v6 := mustCreateSG(t, c, sgReq(ipGroup, func(r *albsdk.CreateServerGroupRequest) { r.Ipv6Enabled = dara.Bool(true) }))
	mustAddServers(t, c, v6, ipServer("2408:4005::1", 80))

	strictSrv, sc := start(t, albtest.WithTransitions(albtest.Immediate()), albtest.WithStrictIPServers())
	_ = strictSrv
	sid := mustCreateSG(t, sc, sgReq(ipGroup))
	for _, ip := range []string{"127.0.0.1", "8.8.8.8"} {
		sdkErr(t, addServers(sc, sid, ipServer(ip, 80)), "InvalidParameter", 400)
	}
	mustAddServers(t, sc, sid, ipServer("10.0.0.1", 80), ipServer("172.16.0.1", 80), ipServer("192.168.0.1", 80), ipServer("100.64.0.1", 80))
}

func TestServerGroupFcMembers(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq(func(r *albsdk.CreateServerGroupRequest) {
		r.ServerGroupType, r.VpcId = dara.String("Fc"), nil
		r.HealthCheckConfig.HealthCheckEnabled = dara.Bool(false)
	}))
	const arn = "acs:fc:cn-hangzhou:123:services/s/functions/f"
	mustAddServers(t, c, id, &albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Fc"), ServerId: dara.String(arn)})
	got := sgServers(t, c, id)
	if len(got) != 1 || got[0].Port != nil || got[0].Weight != nil || dara.StringValue(got[0].ServerId) != arn {
		t.Fatalf("Fc member: %v", got)
	}
	sdkErr(t, addServers(c, id, &albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Fc"), ServerId: dara.String("my-function")}), "InvalidParameter", 400)
	_, err := c.ReplaceServersInServerGroup(&albsdk.ReplaceServersInServerGroupRequest{ServerGroupId: dara.String(id),
		AddedServers:   []*albsdk.ReplaceServersInServerGroupRequestAddedServers{{ServerType: dara.String("Fc"), ServerId: dara.String(arn + "2")}},
		RemovedServers: []*albsdk.ReplaceServersInServerGroupRequestRemovedServers{{ServerType: dara.String("Fc"), ServerId: dara.String(arn)}}})
	sdkErr(t, err, "InvalidParameter", 400)
	if _, err := c.RemoveServersFromServerGroup(&albsdk.RemoveServersFromServerGroupRequest{ServerGroupId: dara.String(id),
		Servers: []*albsdk.RemoveServersFromServerGroupRequestServers{{ServerType: dara.String("Fc"), ServerId: dara.String(arn)}}}); err != nil {
		t.Fatal(err)
	}
	if got := sgServers(t, c, id); len(got) != 0 {
		t.Fatalf("after removal: %v", got)
	}
	g := sgList(t, c, id)
	if g.VpcId != nil || g.Scheduler != nil || g.StickySessionConfig != nil || g.ConnectionDrainConfig != nil || dara.BoolValue(g.HealthCheckConfig.HealthCheckEnabled) {
		t.Fatalf("Fc group: %s", g.String())
	}
}

func TestServerGroupServerLimits(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq(ipGroup))
	sdkErr(t, addServers(c, id, ipRange(0, 201)...), "InvalidParameter", 400)
	for i := 0; i < 5; i++ {
		mustAddServers(t, c, id, ipRange(200*i, 200)...)
	}
	if n := dara.Int32Value(sgList(t, c, id).ServerCount); n != 1000 {
		t.Fatalf("ServerCount %d", n)
	}
	se := sdkErr(t, addServers(c, id, ipRange(1000, 1)...), "QuotaExceeded.ServersNum", 400)
	if !strings.Contains(dara.StringValue(se.Message), "1001/1000") {
		t.Fatalf("message %q", dara.StringValue(se.Message))
	}
	// Members again: nothing is added, so the limit is not reached.
	mustAddServers(t, c, id, ipRange(0, 200)...)
	// A replacement that keeps the count is allowed; one that grows it is not.
	rep := func(add, remove []*albsdk.AddServersToServerGroupRequestServers) error {
		r := &albsdk.ReplaceServersInServerGroupRequest{ServerGroupId: dara.String(id)}
		for _, s := range add {
			r.AddedServers = append(r.AddedServers, &albsdk.ReplaceServersInServerGroupRequestAddedServers{ServerType: s.ServerType, ServerId: s.ServerId, Port: s.Port})
		}
		for _, s := range remove {
			r.RemovedServers = append(r.RemovedServers, &albsdk.ReplaceServersInServerGroupRequestRemovedServers{ServerType: s.ServerType, ServerId: s.ServerId, Port: s.Port})
		}
		_, err := c.ReplaceServersInServerGroup(r)
		return err
	}
	sdkErr(t, rep(ipRange(1000, 2), ipRange(0, 1)), "QuotaExceeded.ServersNum", 400)
	if err := rep(ipRange(1000, 1), ipRange(0, 1)); err != nil {
		t.Fatal(err)
	}

	update := func(n int) error {
		r := &albsdk.UpdateServerGroupServersAttributeRequest{ServerGroupId: dara.String(id)}
		for _, s := range ipRange(1, n) {
			r.Servers = append(r.Servers, &albsdk.UpdateServerGroupServersAttributeRequestServers{ServerType: s.ServerType, ServerId: s.ServerId, Port: s.Port, Weight: dara.Int32(7)})
		}
		_, err := c.UpdateServerGroupServersAttribute(r)
		return err
	}
	sdkErr(t, update(41), "InvalidParameter", 400)
	if err := update(40); err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, s := range ipRange(1, 201) {
		removed = append(removed, dara.StringValue(s.ServerId))
	}
	sdkErr(t, removeIPServers(c, id, removed...), "InvalidParameter", 400)
}

func TestServerGroupRemoveReplaceUpdate(t *testing.T) {
	srv, c := start(t, albtest.WithTransition(albtest.PhaseConfiguring, albtest.Manual()), albtest.WithTransition(albtest.PhaseProvisioning, albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq(ipGroup))
	settle := func() {
		t.Helper()
		if ok, err := srv.Advance(id); !ok || err != nil {
			t.Fatalf("Advance: %v %v", ok, err)
		}
	}
	mustAddServers(t, c, id, ipServer("10.0.0.1", 80), ipServer("10.0.0.2", 80), ipServer("10.0.0.3", 80))
	if g := sgList(t, c, id); dara.Int32Value(g.ServerCount) != 0 || dara.StringValue(g.ServerGroupStatus) != "Configuring" {
		t.Fatalf("while adding: %s", g.String())
	}
	settle()

	// Removal: Removing (still a member), then gone.
	if err := removeIPServers(c, id, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if st := serverStatuses(t, c, id); st["10.0.0.1:80"] != "Removing" || st["10.0.0.2:80"] != "Available" || dara.Int32Value(sgList(t, c, id).ServerCount) != 3 {
		t.Fatalf("while removing: %v", st)
	}
	settle()
	if st := serverStatuses(t, c, id); len(st) != 2 || st["10.0.0.1:80"] != "" {
		t.Fatalf("after removal: %v", st)
	}
	sdkErr(t, removeIPServers(c, id, "10.0.0.1"), "ResourceNotFound.BackendServer", 404)

	// Attribute update: Configuring with the old weight, then the new one.
	if _, err := c.UpdateServerGroupServersAttribute(&albsdk.UpdateServerGroupServersAttributeRequest{ServerGroupId: dara.String(id),
		Servers: []*albsdk.UpdateServerGroupServersAttributeRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.2"), Port: dara.Int32(80),
			Weight: dara.Int32(30), Description: dara.String("canary")}}}); err != nil {
		t.Fatal(err)
	}
	s := sgServers(t, c, id)[0]
	if dara.StringValue(s.Status) != "Configuring" || dara.Int32Value(s.Weight) != 100 || s.Description != nil {
		t.Fatalf("while updating: %s", s.String())
	}
	settle()
	if s = sgServers(t, c, id)[0]; dara.StringValue(s.Status) != "Available" || dara.Int32Value(s.Weight) != 30 || dara.StringValue(s.Description) != "canary" {
		t.Fatalf("after the update: %s", s.String())
	}
	_, err := c.UpdateServerGroupServersAttribute(&albsdk.UpdateServerGroupServersAttributeRequest{ServerGroupId: dara.String(id),
		Servers: []*albsdk.UpdateServerGroupServersAttributeRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.9"), Port: dara.Int32(80), Weight: dara.Int32(1)}}})
	sdkErr(t, err, "ResourceNotFound.BackendServer", 404)

	// Replacement: both sides Replacing, then applied together. 10.0.0.3 is
	// removed and added again with a new weight; 10.0.0.4 is new.
	if _, err := c.ReplaceServersInServerGroup(&albsdk.ReplaceServersInServerGroupRequest{ServerGroupId: dara.String(id),
		AddedServers: []*albsdk.ReplaceServersInServerGroupRequestAddedServers{
			{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.4"), Port: dara.Int32(80)},
			{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.3"), Port: dara.Int32(80), Weight: dara.Int32(5)}},
		RemovedServers: []*albsdk.ReplaceServersInServerGroupRequestRemovedServers{
			{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.2"), Port: dara.Int32(80)},
			{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.3"), Port: dara.Int32(80)}}}); err != nil {
		t.Fatal(err)
	}
	st := serverStatuses(t, c, id)
	if st["10.0.0.2:80"] != "Replacing" || st["10.0.0.3:80"] != "Replacing" || st["10.0.0.4:80"] != "Replacing" || dara.Int32Value(sgList(t, c, id).ServerCount) != 2 {
		t.Fatalf("while replacing: %v", st)
	}
	settle()
	got := sgServers(t, c, id)
	if len(got) != 2 || dara.StringValue(got[0].ServerId) != "10.0.0.3" || dara.Int32Value(got[0].Weight) != 5 ||
		dara.StringValue(got[1].ServerId) != "10.0.0.4" || dara.StringValue(got[1].Status) != "Available" {
		t.Fatalf("after the replacement: %v", got)
	}
	_, err = c.ReplaceServersInServerGroup(&albsdk.ReplaceServersInServerGroupRequest{ServerGroupId: dara.String(id),
		AddedServers:   []*albsdk.ReplaceServersInServerGroupRequestAddedServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.5"), Port: dara.Int32(80)}},
		RemovedServers: []*albsdk.ReplaceServersInServerGroupRequestRemovedServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.9"), Port: dara.Int32(80)}}})
	sdkErr(t, err, "ResourceNotFound.BackendServer", 404)
	_, err = c.ReplaceServersInServerGroup(&albsdk.ReplaceServersInServerGroupRequest{ServerGroupId: dara.String(id),
		AddedServers: []*albsdk.ReplaceServersInServerGroupRequestAddedServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.5"), Port: dara.Int32(80)}}})
	sdkErr(t, err, "MissingParameter", 400)

	// Forcing the status drops a pending change: nothing of it is applied.
	mustAddServers(t, c, id, ipServer("10.0.0.6", 80))
	jobs := sgJobs(t, c, id)
	if err := srv.SetServerGroupStatus(id, "Available"); err != nil {
		t.Fatal(err)
	}
	if st := serverStatuses(t, c, id); len(st) != 2 || st["10.0.0.6:80"] != "" {
		t.Fatalf("after forcing the status: %v", st)
	}
	last := sgJobs(t, c, id)[len(jobs)-1]
	if dara.StringValue(last.Status) != "Failed" || dara.StringValue(last.ErrorCode) != "StatusForced" {
		t.Fatalf("dropped job: %s", last.String())
	}
	if err := srv.SetServerGroupStatus(id, "Deleting"); err == nil {
		t.Fatal("SetServerGroupStatus accepted Deleting")
	}
	if err := srv.SetServerGroupStatus("sgp-nope", "Available"); err == nil {
		t.Fatal("SetServerGroupStatus of an unknown group")
	}
}

func TestServerGroupListServers(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	a := mustCreateSG(t, c, sgReq(ipGroup, func(r *albsdk.CreateServerGroupRequest) {
		r.Tag = []*albsdk.CreateServerGroupRequestTag{{Key: dara.String("env"), Value: dara.String("prod")}}
	}))
	b := mustCreateSG(t, c, sgReq(ipGroup))
	mustAddServers(t, c, a, ipRange(0, 45)...)
	mustAddServers(t, c, b, ipServer("10.1.0.1", 80))
	// Pages of 20, 20 and 5.
	req := &albsdk.ListServerGroupServersRequest{ServerGroupId: dara.String(a)}
	var sizes []int
	var first string
	for {
		resp, err := c.ListServerGroupServers(req)
		if err != nil || len(sizes) > 3 {
			t.Fatalf("page: %v", err)
		}
		if dara.Int32Value(resp.Body.TotalCount) != 45 || dara.Int32Value(resp.Body.MaxResults) != 20 {
			t.Fatalf("page: %s", resp.Body.String())
		}
		if first == "" {
			first = dara.StringValue(resp.Body.Servers[0].ServerId)
		}
		sizes = append(sizes, len(resp.Body.Servers))
		if dara.StringValue(resp.Body.NextToken) == "" {
			break
		}
		req.NextToken = resp.Body.NextToken
	}
	if len(sizes) != 3 || sizes[0] != 20 || sizes[2] != 5 || first != "10.9.0.1" {
		t.Fatalf("pages %v, first %s", sizes, first)
	}
	count := func(r *albsdk.ListServerGroupServersRequest) int32 {
		t.Helper()
		resp, err := c.ListServerGroupServers(r)
		if err != nil {
			t.Fatal(err)
		}
		return dara.Int32Value(resp.Body.TotalCount)
	}
	if n := count(&albsdk.ListServerGroupServersRequest{ServerGroupId: dara.String(a), ServerIds: dara.StringSlice([]string{"10.9.0.1", "10.9.0.2", "10.1.0.1"})}); n != 2 {
		t.Fatalf("by ServerIds: %d", n)
	}
	if n := count(&albsdk.ListServerGroupServersRequest{}); n != 46 {
		t.Fatalf("every group: %d", n)
	}
	if n := count(&albsdk.ListServerGroupServersRequest{Tag: []*albsdk.ListServerGroupServersRequestTag{{Key: dara.String("env"), Value: dara.String("prod")}}}); n != 45 {
		t.Fatalf("by the group's tag: %d", n)
	}
}
