package albtest_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

var reSGID = regexp.MustCompile(`^sgp-[a-z0-9]{18}$`)

func TestServerGroupLifecycle(t *testing.T) {
	srv, c := start(t) // default transitions: AfterPolls(1)
	resp, err := c.CreateServerGroup(sgReq(ipGroup))
	if err != nil {
		t.Fatal(err)
	}
	id := dara.StringValue(resp.Body.ServerGroupId)
	if !reSGID.MatchString(id) || !reJobID.MatchString(dara.StringValue(resp.Body.JobId)) || !reRequestID.MatchString(dara.StringValue(resp.Body.RequestId)) {
		t.Fatalf("create answer: %s", resp.Body.String())
	}
	// Readable at once, Creating once, then Available.
	if got := sgStatus(t, c, id); got != "Creating" {
		t.Fatalf("first read: %q, want Creating", got)
	}
	g := sgList(t, c, id)
	if dara.StringValue(g.ServerGroupStatus) != "Available" || !reTime.MatchString(dara.StringValue(g.CreateTime)) {
		t.Fatalf("second read: %s", g.String())
	}
	jobs := sgJobs(t, c, id)
	if len(jobs) != 1 || dara.StringValue(jobs[0].ApiName) != "CreateServerGroup" || dara.StringValue(jobs[0].OperateType) != "Create" ||
		dara.StringValue(jobs[0].Status) != "Succeeded" || dara.StringValue(jobs[0].ResourceType) != "servergroup" || dara.StringValue(jobs[0].Id) != dara.StringValue(resp.Body.JobId) {
		t.Fatalf("create job: %v", jobs)
	}

	// A membership change: Configuring and Adding once, then applied.
	mustAddServers(t, c, id, ipServer("127.0.0.1", 8080))
	if snap, _ := srv.ServerGroup(id); snap.Status != "Configuring" || len(snap.Servers) != 1 || snap.Servers[0].Status != "Adding" {
		t.Fatalf("snapshot while adding: %+v", snap)
	}
	// ListServerGroupServers of the group is a read of it: Adding once.
	if st := serverStatuses(t, c, id); st["127.0.0.1:8080"] != "Adding" {
		t.Fatalf("server while adding: %v", st)
	}
	if st := serverStatuses(t, c, id); st["127.0.0.1:8080"] != "Available" {
		t.Fatalf("server after a poll: %v", st)
	}
	if g = sgList(t, c, id); dara.StringValue(g.ServerGroupStatus) != "Available" || dara.Int32Value(g.ServerCount) != 1 {
		t.Fatalf("after adding: %s", g.String())
	}

	// An attribute change shows the old name while Configuring.
	if _, err := c.UpdateServerGroupAttribute(&albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: dara.String(id), ServerGroupName: dara.String("renamed")}); err != nil {
		t.Fatal(err)
	}
	g = sgList(t, c, id)
	if dara.StringValue(g.ServerGroupStatus) != "Configuring" || dara.StringValue(g.ServerGroupName) != "albtest-sg" {
		t.Fatalf("while configuring: %s", g.String())
	}
	if g = waitSG(t, c, id); dara.StringValue(g.ServerGroupName) != "renamed" {
		t.Fatalf("after the change: %s", g.String())
	}

	// Deleting once, then gone.
	del, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got := sgStatus(t, c, id); got != "Deleting" {
		t.Fatalf("after delete: %q", got)
	}
	if g := sgList(t, c, id); g != nil {
		t.Fatalf("deleted group still listed: %s", g.String())
	}
	sdkErr(t, addServers(c, id, ipServer("10.0.0.1", 80)), "ResourceNotFound.ServerGroup", 404)
	var apis []string
	for _, j := range sgJobs(t, c, id) {
		if dara.StringValue(j.Status) != "Succeeded" {
			t.Fatalf("job %s", j.String())
		}
		apis = append(apis, dara.StringValue(j.ApiName)+"/"+dara.StringValue(j.OperateType))
	}
	want := []string{"CreateServerGroup/Create", "AddServersToServerGroup/Update", "UpdateServerGroupAttribute/Update", "DeleteServerGroup/Delete"}
	if !slices.Equal(apis, want) || dara.StringValue(del.Body.JobId) == "" {
		t.Fatalf("jobs %v, want %v", apis, want)
	}
	if _, ok := srv.ServerGroup(id); ok || len(srv.ServerGroups()) != 0 {
		t.Fatal("snapshot of a deleted group")
	}
}

// createErr creates a group from sgReq changed by mod and wants code.
func createErr(t *testing.T, c *albsdk.Client, code string, status int, mod func(*albsdk.CreateServerGroupRequest)) {
	t.Helper()
	_, err := c.CreateServerGroup(sgReq(mod))
	sdkErr(t, err, code, status)
}

func TestServerGroupCreateChecks(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	type R = albsdk.CreateServerGroupRequest
	hc := func(f func(*albsdk.CreateServerGroupRequestHealthCheckConfig)) func(*R) {
		return func(r *R) { f(r.HealthCheckConfig) }
	}
	sticky := func(s *albsdk.CreateServerGroupRequestStickySessionConfig) func(*R) {
		return func(r *R) { r.StickySessionConfig = s }
	}
	fc := func(f func(*R)) func(*R) {
		return func(r *R) {
			r.ServerGroupType, r.VpcId = dara.String("Fc"), nil
			f(r)
		}
	}
	cases := []struct {
		name   string
		mod    func(*R)
		code   string
		status int
	}{
		{"no name", func(r *R) { r.ServerGroupName = nil }, "MissingParameter", 400},
		{"name starts with a digit", func(r *R) { r.ServerGroupName = dara.String("1sg") }, "InvalidParameter", 400},
		{"name too short", func(r *R) { r.ServerGroupName = dara.String("a") }, "InvalidParameter", 400},
		{"name with a space", func(r *R) { r.ServerGroupName = dara.String("a b") }, "InvalidParameter", 400},
		{"bad type", func(r *R) { r.ServerGroupType = dara.String("Ecs") }, "InvalidParameter", 400},
		{"bad protocol", func(r *R) { r.Protocol = dara.String("TCP") }, "InvalidParameter", 400},
		{"bad scheduler", func(r *R) { r.Scheduler = dara.String("RoundRobin") }, "InvalidParameter", 400},
		{"no VpcId", func(r *R) { r.VpcId = nil }, "MissingParameter", 400},
		{"unknown VPC", func(r *R) { r.VpcId = dara.String("vpc-nope") }, "ResourceNotFound.Vpc", 404},
		{"no HealthCheckConfig", func(r *R) { r.HealthCheckConfig = nil }, "MissingParameter", 400},
		{"no HealthCheckEnabled", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckEnabled, h.HealthCheckInterval = nil, dara.Int32(5)
		}), "MissingParameter", 400},
		{"health check protocol", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckProtocol = dara.String("UDP") }), "InvalidParameter", 400},
		{"health check port", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckConnectPort = dara.Int32(65536)
		}), "InvalidParameter", 400},
		{"interval 0", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckInterval = dara.Int32(0) }), "InvalidParameter", 400},
		{"interval 51", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckInterval = dara.Int32(51) }), "InvalidParameter", 400},
		{"timeout 301", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckTimeout = dara.Int32(301) }), "InvalidParameter", 400},
		{"healthy 1", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthyThreshold = dara.Int32(1) }), "InvalidParameter", 400},
		{"unhealthy 11", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.UnhealthyThreshold = dara.Int32(11) }), "InvalidParameter", 400},
		{"method PUT", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckMethod = dara.String("PUT") }), "InvalidParameter", 400},
		{"path without /", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckPath = dara.String("health") }), "InvalidParameter", 400},
		{"path too long", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckPath = dara.String("/" + strings.Repeat("a", 80))
		}), "InvalidParameter", 400},
		{"path character", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckPath = dara.String("/a b") }), "InvalidParameter", 400},
		{"host without dot", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckHost = dara.String("localhost")
		}), "InvalidParameter", 400},
		{"host last label digits", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckHost = dara.String("a.b1") }), "InvalidParameter", 400},
		{"host underscore", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckHost = dara.String("a_b.com") }), "InvalidParameter", 400},
		{"host leading dash", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) { h.HealthCheckHost = dara.String("-a.com") }), "InvalidParameter", 400},
		{"HTTP/2", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckHttpVersion = dara.String("HTTP2")
		}), "InvalidParameter", 400},
		{"HTTP code http_6xx", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckCodes = dara.StringSlice([]string{"http_6xx"})
		}), "InvalidParameter", 400},
		{"gRPC code for HTTP", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckCodes = dara.StringSlice([]string{"0"})
		}), "InvalidParameter", 400},
		{"HTTP code for gRPC", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckProtocol, h.HealthCheckCodes = dara.String("gRPC"), dara.StringSlice([]string{"http_2xx"})
		}), "InvalidParameter", 400},
		{"gRPC code 100", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckProtocol, h.HealthCheckCodes = dara.String("gRPC"), dara.StringSlice([]string{"100"})
		}), "InvalidParameter", 400},
		{"gRPC range backwards", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckProtocol, h.HealthCheckCodes = dara.String("gRPC"), dara.StringSlice([]string{"5-1"})
		}), "InvalidParameter", 400},
		{"21 codes", hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckProtocol = dara.String("gRPC")
			for i := 0; i < 21; i++ {
				h.HealthCheckCodes = append(h.HealthCheckCodes, dara.String(fmt.Sprint(i)))
			}
		}), "InvalidParameter", 400},
		{"sticky type", sticky(&albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true), StickySessionType: dara.String("Rewrite")}), "InvalidParameter", 400},
		{"cookie timeout 0", sticky(&albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true), CookieTimeout: dara.Int32(0)}), "InvalidParameter", 400},
		{"cookie timeout 86401", sticky(&albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true), CookieTimeout: dara.Int32(86401)}), "InvalidParameter", 400},
		{"Server without cookie", sticky(&albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true), StickySessionType: dara.String("Server")}), "MissingParameter", 400},
		{"cookie starting with $", sticky(&albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true), StickySessionType: dara.String("Server"), Cookie: dara.String("$id")}), "InvalidParameter", 400},
		{"cookie with ;", sticky(&albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true), StickySessionType: dara.String("Server"), Cookie: dara.String("a;b")}), "InvalidParameter", 400},
		{"sticky with cross-zone off", func(r *R) {
			r.CrossZoneEnabled = dara.Bool(false)
			r.StickySessionConfig = &albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true)}
		}, "InvalidParameter", 400},
		{"slow start 29", func(r *R) {
			r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartEnabled: dara.Bool(true), SlowStartDuration: dara.Int32(29)}
		}, "InvalidParameter", 400},
		{"slow start 901", func(r *R) {
			r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartDuration: dara.Int32(901)}
		}, "InvalidParameter", 400},
		{"slow start with Wlc", func(r *R) {
			r.Scheduler = dara.String("Wlc")
			r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartEnabled: dara.Bool(true)}
		}, "InvalidParameter", 400},
		{"drain 901", func(r *R) {
			r.ConnectionDrainConfig = &albsdk.CreateServerGroupRequestConnectionDrainConfig{ConnectionDrainEnabled: dara.Bool(true), ConnectionDrainTimeout: dara.Int32(901)}
		}, "InvalidParameter", 400},
		{"uch type", func(r *R) {
			r.UchConfig = &albsdk.CreateServerGroupRequestUchConfig{Type: dara.String("Header"), Value: dara.String("x")}
		}, "InvalidParameter", 400},
		{"uch without value", func(r *R) { r.UchConfig = &albsdk.CreateServerGroupRequestUchConfig{Type: dara.String("QueryString")} }, "MissingParameter", 400},
		{"affinity", func(r *R) { r.IpVersionAffinityMode = dara.String("Sometimes") }, "InvalidParameter", 400},
		{"tag acs:", func(r *R) {
			r.Tag = []*albsdk.CreateServerGroupRequestTag{{Key: dara.String("acs:x"), Value: dara.String("v")}}
		}, "InvalidParameter", 400},
		{"Fc with HTTPS", fc(func(r *R) { r.Protocol = dara.String("HTTPS") }), "InvalidParameter", 400},
		{"Fc with sticky sessions", fc(sticky(&albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true)})), "InvalidParameter", 400},
		{"Fc with slow start", fc(func(r *R) {
			r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartEnabled: dara.Bool(true)}
		}), "InvalidParameter", 400},
		{"Fc with draining", fc(func(r *R) {
			r.ConnectionDrainConfig = &albsdk.CreateServerGroupRequestConnectionDrainConfig{ConnectionDrainEnabled: dara.Bool(true)}
		}), "InvalidParameter", 400},
		{"Fc with cross-zone off", fc(func(r *R) { r.CrossZoneEnabled = dara.Bool(false) }), "InvalidParameter", 400},
		{"Fc with URL hash", fc(func(r *R) {
			r.UchConfig = &albsdk.CreateServerGroupRequestUchConfig{Type: dara.String("QueryString"), Value: dara.String("u")}
		}), "InvalidParameter", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { createErr(t, c, tc.code, tc.status, tc.mod) })
	}
	if n := len(srv.ServerGroups()); n != 0 {
		t.Fatalf("%d groups created by refused requests", n)
	}

	// What the rules allow.
	ok := []func(*R){
		func(r *R) { r.ServerGroupName = dara.String("服务器组-1.a_b") },
		hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckProtocol, h.HealthCheckCodes = dara.String("gRPC"), dara.StringSlice([]string{"0-5", "12"})
		}),
		func(r *R) { r.Protocol = dara.String("GRPC") },
		func(r *R) {
			r.Scheduler = dara.String("Uch")
			r.UchConfig = &albsdk.CreateServerGroupRequestUchConfig{Type: dara.String("QueryString"), Value: dara.String("uid")}
		},
		hc(func(h *albsdk.CreateServerGroupRequestHealthCheckConfig) {
			h.HealthCheckHost, h.HealthCheckPath = dara.String("tf-testAcc.com"), dara.String(`/a-b/c.d%e?f#g&h=i_;~!()*[]@$^:",+`)
			h.HealthCheckHttpVersion, h.HealthCheckMethod = dara.String("HTTP1.0"), dara.String("GET")
		}),
		func(r *R) {
			r.CrossZoneEnabled = dara.Bool(false)
			r.StickySessionConfig = &albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(false)}
		},
		fc(func(r *R) { r.Protocol = dara.String("HTTP") }),
	}
	for i, mod := range ok {
		if _, err := c.CreateServerGroup(sgReq(mod)); err != nil {
			t.Fatalf("allowed request %d: %v", i, err)
		}
	}
}

func TestServerGroupDefaultsAndUpdates(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq())
	g := sgList(t, c, id)
	h := g.HealthCheckConfig
	if dara.StringValue(g.ServerGroupType) != "Instance" || dara.StringValue(g.Protocol) != "HTTP" || dara.StringValue(g.Scheduler) != "Wrr" ||
		!dara.BoolValue(g.CrossZoneEnabled) || dara.StringValue(g.ResourceGroupId) != albtest.DefaultResourceGroupID || dara.StringValue(g.VpcId) != albtest.DefaultVPCID {
		t.Fatalf("defaults: %s", g.String())
	}
	if !dara.BoolValue(h.HealthCheckEnabled) || dara.StringValue(h.HealthCheckProtocol) != "HTTP" || dara.Int32Value(h.HealthCheckConnectPort) != 0 ||
		dara.Int32Value(h.HealthCheckInterval) != 2 || dara.Int32Value(h.HealthCheckTimeout) != 5 || dara.Int32Value(h.HealthyThreshold) != 3 ||
		dara.Int32Value(h.UnhealthyThreshold) != 3 || dara.StringValue(h.HealthCheckMethod) != "HEAD" || dara.StringValue(h.HealthCheckHttpVersion) != "HTTP1.1" ||
		!slices.Equal(dara.StringSliceValue(h.HealthCheckCodes), []string{"http_2xx"}) {
		t.Fatalf("default health check: %s", h.String())
	}

	update := func(mod func(*albsdk.UpdateServerGroupAttributeRequest)) error {
		r := &albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: dara.String(id)}
		mod(r)
		_, err := c.UpdateServerGroupAttribute(r)
		return err
	}
	// Given fields merge into the current ones.
	if err := update(func(r *albsdk.UpdateServerGroupAttributeRequest) {
		r.HealthCheckConfig = &albsdk.UpdateServerGroupAttributeRequestHealthCheckConfig{HealthCheckInterval: dara.Int32(10), HealthCheckPath: dara.String("/hc")}
		r.StickySessionConfig = &albsdk.UpdateServerGroupAttributeRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true)}
		r.SlowStartConfig = &albsdk.UpdateServerGroupAttributeRequestSlowStartConfig{SlowStartEnabled: dara.Bool(true)}
		r.ConnectionDrainConfig = &albsdk.UpdateServerGroupAttributeRequestConnectionDrainConfig{ConnectionDrainEnabled: dara.Bool(true)}
		r.UpstreamKeepaliveEnabled = dara.Bool(true)
	}); err != nil {
		t.Fatal(err)
	}
	snap, _ := srv.ServerGroup(id)
	if snap.HealthCheck.Interval != 10 || snap.HealthCheck.Path != "/hc" || snap.HealthCheck.Timeout != 5 || !snap.StickySessionEnabled ||
		snap.StickySessionType != "Insert" || snap.CookieTimeout != 1000 || !snap.SlowStartEnabled || snap.SlowStartDuration != 30 ||
		!snap.ConnectionDrainEnabled || snap.ConnectionDrainTimeout != 300 || !snap.UpstreamKeepaliveEnabled {
		t.Fatalf("after the merge: %+v", snap)
	}
	// A protocol change resets the fields it decides (method, codes,
	// version) unless given.
	if err := update(func(r *albsdk.UpdateServerGroupAttributeRequest) {
		r.HealthCheckConfig = &albsdk.UpdateServerGroupAttributeRequestHealthCheckConfig{HealthCheckProtocol: dara.String("gRPC")}
	}); err != nil {
		t.Fatal(err)
	}
	if snap, _ = srv.ServerGroup(id); snap.HealthCheck.Method != "POST" || !slices.Equal(snap.HealthCheck.Codes, []string{"0"}) || snap.HealthCheck.HTTPVersion != "" {
		t.Fatalf("after gRPC: %+v", snap.HealthCheck)
	}
	if err := update(func(r *albsdk.UpdateServerGroupAttributeRequest) {
		r.HealthCheckConfig = &albsdk.UpdateServerGroupAttributeRequestHealthCheckConfig{HealthCheckProtocol: dara.String("TCP")}
	}); err != nil {
		t.Fatal(err)
	}
	if snap, _ = srv.ServerGroup(id); snap.HealthCheck.Method != "" || snap.HealthCheck.Codes != nil || snap.HealthCheck.Path != "" {
		t.Fatalf("after TCP: %+v", snap.HealthCheck)
	}
	// Rules apply to the merged attributes.
	sdkErr(t, update(func(r *albsdk.UpdateServerGroupAttributeRequest) { r.Scheduler = dara.String("Sch") }), "InvalidParameter", 400) // slow start is on
	sdkErr(t, update(func(r *albsdk.UpdateServerGroupAttributeRequest) {
		r.CrossZoneEnabled = dara.Bool(false)
		r.StickySessionConfig = &albsdk.UpdateServerGroupAttributeRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true)}
	}), "InvalidParameter", 400)
	// TCP takes no codes, method or path: given ones are ignored (a client
	// such as Terraform sends the whole block back).
	if err := update(func(r *albsdk.UpdateServerGroupAttributeRequest) {
		r.HealthCheckConfig = &albsdk.UpdateServerGroupAttributeRequestHealthCheckConfig{HealthCheckCodes: dara.StringSlice([]string{"http_2xx"}), HealthCheckMethod: dara.String("GET")}
	}); err != nil {
		t.Fatal(err)
	}
	if snap, _ = srv.ServerGroup(id); snap.HealthCheck.Codes != nil || snap.HealthCheck.Method != "" {
		t.Fatalf("TCP with codes: %+v", snap.HealthCheck)
	}
	if err := update(func(r *albsdk.UpdateServerGroupAttributeRequest) {
		r.SlowStartConfig = &albsdk.UpdateServerGroupAttributeRequestSlowStartConfig{SlowStartEnabled: dara.Bool(false)}
		r.Scheduler = dara.String("Sch")
	}); err != nil {
		t.Fatalf("rules satisfied together: %v", err)
	}
	// Cross-zone off under enabled stickiness is accepted (the Terraform
	// provider's acceptance test does it).
	if err := update(func(r *albsdk.UpdateServerGroupAttributeRequest) { r.CrossZoneEnabled = dara.Bool(false) }); err != nil {
		t.Fatalf("cross-zone off: %v", err)
	}
	if snap, _ = srv.ServerGroup(id); snap.CrossZoneEnabled || !snap.StickySessionEnabled || snap.Scheduler != "Sch" {
		t.Fatalf("after cross-zone off: %+v", snap)
	}
	// Type, protocol, VPC and IPv6 are set at create (raw parameters: the
	// SDK's Update model has none of them).
	oc := srv.OpenAPIClient()
	for k, v := range map[string]string{"ServerGroupType": "Ip", "Protocol": "HTTPS", "VpcId": albtest.DefaultOtherVPCID, "Ipv6Enabled": "true"} {
		_, err := call(t, oc, "UpdateServerGroupAttribute", albtest.VersionALB, map[string]any{"ServerGroupId": id, k: v})
		sdkErr(t, err, "InvalidParameter", 400)
	}
	if _, err := call(t, oc, "UpdateServerGroupAttribute", albtest.VersionALB, map[string]any{"ServerGroupId": id, "Protocol": "HTTP", "VpcId": albtest.DefaultVPCID}); err != nil {
		t.Fatalf("same values: %v", err)
	}
}

func TestServerGroupBusyRefusesChanges(t *testing.T) {
	srv, c := start(t, albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual()), albtest.WithTransition(albtest.PhaseConfiguring, albtest.Manual()))
	id := mustCreateSG(t, c, sgReq(ipGroup))
	busy := func(status string) {
		t.Helper()
		if got := sgStatus(t, c, id); got != status {
			t.Fatalf("status %q, want %q", got, status)
		}
		sdkErr(t, addServers(c, id, ipServer("10.0.0.1", 80)), "IncorrectStatus.ServerGroup", 400)
		sdkErr(t, removeIPServers(c, id, "10.0.0.9"), "IncorrectStatus.ServerGroup", 400)
		_, err := c.UpdateServerGroupAttribute(&albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: dara.String(id), ServerGroupName: dara.String("x-y")})
		sdkErr(t, err, "IncorrectStatus.ServerGroup", 400)
		_, err = c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(id)})
		sdkErr(t, err, "IncorrectStatus.ServerGroup", 400)
		_, err = c.MoveResourceGroup(&albsdk.MoveResourceGroupRequest{ResourceType: dara.String("servergroup"), ResourceId: dara.String(id), NewResourceGroupId: dara.String("rg-x")})
		sdkErr(t, err, "IncorrectStatus.ServerGroup", 400)
	}
	busy("Creating")
	if ok, err := srv.Advance(id); !ok || err != nil {
		t.Fatalf("Advance: %v %v", ok, err)
	}
	mustAddServers(t, c, id, ipServer("10.0.0.2", 80))
	busy("Configuring")
	jobs := sgJobs(t, c, id)
	last := jobs[len(jobs)-1]
	if dara.StringValue(last.Status) != "Processing" {
		t.Fatalf("job while Configuring: %s", last.String())
	}
	if ok, err := srv.Advance(dara.StringValue(last.Id)); !ok || err != nil { // by job ID
		t.Fatalf("Advance(job): %v %v", ok, err)
	}
	if got := serverStatuses(t, c, id); got["10.0.0.2:80"] != "Available" || sgStatus(t, c, id) != "Available" {
		t.Fatalf("after Advance: %v", got)
	}
	if ok, _ := srv.Advance(id); ok {
		t.Fatal("Advance of a settled group reported a pending transition")
	}
	other := mustCreateSG(t, c, sgReq())
	mustAddServers(t, c, id, ipServer("10.0.0.3", 80))
	if n := srv.AdvanceAll(); n != 2 {
		t.Fatalf("AdvanceAll completed %d transitions, want 2", n)
	}
	if sgStatus(t, c, other) != "Available" || sgStatus(t, c, id) != "Available" {
		t.Fatal("AdvanceAll left a group pending")
	}
}

func TestServerGroupClientTokenAndDryRun(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	withTok := func(r *albsdk.CreateServerGroupRequest) { r.ClientToken = dara.String("sg-token") }
	_, err := c.CreateServerGroup(sgReq(withTok, func(r *albsdk.CreateServerGroupRequest) { r.DryRun = dara.Bool(true) }))
	sdkErr(t, err, "DryRunOperation", 400)
	if len(srv.ServerGroups()) != 0 {
		t.Fatal("a DryRun created a group")
	}
	a, err := c.CreateServerGroup(sgReq(withTok))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateServerGroup(sgReq(withTok))
	if err != nil {
		t.Fatal(err)
	}
	if dara.StringValue(a.Body.ServerGroupId) != dara.StringValue(b.Body.ServerGroupId) || dara.StringValue(a.Body.JobId) != dara.StringValue(b.Body.JobId) || len(srv.ServerGroups()) != 1 {
		t.Fatalf("same token: %s vs %s, %d groups", a.Body.String(), b.Body.String(), len(srv.ServerGroups()))
	}
	if snap, _ := srv.ServerGroup(dara.StringValue(a.Body.ServerGroupId)); snap.ClientToken != "sg-token" {
		t.Fatalf("ClientToken %q", snap.ClientToken)
	}
	_, err = c.CreateServerGroup(sgReq(withTok, func(r *albsdk.CreateServerGroupRequest) { r.ServerGroupName = dara.String("other") }))
	sdkErr(t, err, "IdempotentParameterMismatch", 400)

	id := dara.StringValue(a.Body.ServerGroupId)
	add := &albsdk.AddServersToServerGroupRequest{ServerGroupId: dara.String(id), ClientToken: dara.String("add-1"),
		Servers: []*albsdk.AddServersToServerGroupRequestServers{{ServerType: dara.String("Ecs"), ServerId: dara.String(albtest.ECSInstance1), Port: dara.Int32(80)}}}
	add.DryRun = dara.Bool(true)
	_, err = c.AddServersToServerGroup(add)
	sdkErr(t, err, "DryRunOperation", 400)
	if snap, _ := srv.ServerGroup(id); len(snap.Servers) != 0 || len(sgJobs(t, c, id)) != 1 {
		t.Fatalf("a DryRun add changed the group: %+v", snap.Servers)
	}
	add.DryRun = nil
	j1, err := c.AddServersToServerGroup(add)
	if err != nil {
		t.Fatal(err)
	}
	j2, err := c.AddServersToServerGroup(add)
	if err != nil || dara.StringValue(j1.Body.JobId) != dara.StringValue(j2.Body.JobId) || len(sgJobs(t, c, id)) != 2 {
		t.Fatalf("add retried with its token: %v %v", j2, err)
	}
	for _, dry := range []func() error{
		func() error {
			_, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(id), DryRun: dara.Bool(true)})
			return err
		},
		func() error {
			_, err := c.UpdateServerGroupAttribute(&albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: dara.String(id), ServerGroupName: dara.String("dry-name"), DryRun: dara.Bool(true)})
			return err
		},
		func() error {
			_, err := c.RemoveServersFromServerGroup(&albsdk.RemoveServersFromServerGroupRequest{ServerGroupId: dara.String(id), DryRun: dara.Bool(true),
				Servers: []*albsdk.RemoveServersFromServerGroupRequestServers{{ServerType: dara.String("Ecs"), ServerId: dara.String(albtest.ECSInstance1), Port: dara.Int32(80)}}})
			return err
		},
	} {
		sdkErr(t, dry(), "DryRunOperation", 400)
	}
	if snap, ok := srv.ServerGroup(id); !ok || snap.Name != "albtest-sg" || len(snap.Servers) != 1 || len(sgJobs(t, c, id)) != 2 {
		t.Fatalf("DryRuns changed the group: %+v", snap)
	}
}

func TestServerGroupListFiltersAndPaging(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, mustCreateSG(t, c, sgReq(func(r *albsdk.CreateServerGroupRequest) {
			r.ServerGroupName = dara.String(fmt.Sprintf("sg-%d", i))
			if i%2 == 1 {
				r.ServerGroupType = dara.String("Ip")
				r.Tag = []*albsdk.CreateServerGroupRequestTag{{Key: dara.String("env"), Value: dara.String("prod")}}
			}
			if i == 4 {
				r.VpcId, r.ResourceGroupId = dara.String(albtest.DefaultOtherVPCID), dara.String("rg-team")
			}
		})))
	}
	list := func(r *albsdk.ListServerGroupsRequest) []string {
		t.Helper()
		resp, err := c.ListServerGroups(r)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range resp.Body.ServerGroups {
			out = append(out, dara.StringValue(g.ServerGroupId))
		}
		if int(dara.Int32Value(resp.Body.TotalCount)) < len(out) {
			t.Fatalf("TotalCount %d < page %d", dara.Int32Value(resp.Body.TotalCount), len(out))
		}
		return out
	}
	for name, tc := range map[string]struct {
		r    *albsdk.ListServerGroupsRequest
		want []string
	}{
		"all":            {&albsdk.ListServerGroupsRequest{}, ids},
		"ids":            {&albsdk.ListServerGroupsRequest{ServerGroupIds: dara.StringSlice([]string{ids[3], ids[0]})}, []string{ids[0], ids[3]}},
		"names":          {&albsdk.ListServerGroupsRequest{ServerGroupNames: dara.StringSlice([]string{"sg-2", "sg-9"})}, []string{ids[2]}},
		"type":           {&albsdk.ListServerGroupsRequest{ServerGroupType: dara.String("Ip")}, []string{ids[1], ids[3]}},
		"vpc":            {&albsdk.ListServerGroupsRequest{VpcId: dara.String(albtest.DefaultOtherVPCID)}, []string{ids[4]}},
		"resource group": {&albsdk.ListServerGroupsRequest{ResourceGroupId: dara.String("rg-team")}, []string{ids[4]}},
		"tag":            {&albsdk.ListServerGroupsRequest{Tag: []*albsdk.ListServerGroupsRequestTag{{Key: dara.String("env"), Value: dara.String("prod")}}}, []string{ids[1], ids[3]}},
		"tag key only":   {&albsdk.ListServerGroupsRequest{Tag: []*albsdk.ListServerGroupsRequestTag{{Key: dara.String("env")}}}, []string{ids[1], ids[3]}},
		"tag other":      {&albsdk.ListServerGroupsRequest{Tag: []*albsdk.ListServerGroupsRequestTag{{Key: dara.String("env"), Value: dara.String("dev")}}}, nil},
	} {
		if got := list(tc.r); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
	// Paging.
	var got []string
	r := &albsdk.ListServerGroupsRequest{MaxResults: dara.Int32(2)}
	for pages := 0; ; pages++ {
		resp, err := c.ListServerGroups(r)
		if err != nil || pages > 3 {
			t.Fatalf("page %d: %v", pages, err)
		}
		if dara.Int32Value(resp.Body.MaxResults) != 2 || dara.Int32Value(resp.Body.TotalCount) != 5 {
			t.Fatalf("page %s", resp.Body.String())
		}
		for _, g := range resp.Body.ServerGroups {
			got = append(got, dara.StringValue(g.ServerGroupId))
		}
		if dara.StringValue(resp.Body.NextToken) == "" {
			break
		}
		r.NextToken = resp.Body.NextToken
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("pages: %v", got)
	}
	_, err := c.ListServerGroups(&albsdk.ListServerGroupsRequest{NextToken: dara.String("nope")})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.ListServerGroups(&albsdk.ListServerGroupsRequest{MaxResults: dara.Int32(101)})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.ListServerGroups(&albsdk.ListServerGroupsRequest{ServerGroupNames: dara.StringSlice(strings.Split("a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11", ","))})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.ListServerGroups(&albsdk.ListServerGroupsRequest{ServerGroupType: dara.String("Ecs")})
	sdkErr(t, err, "InvalidParameter", 400)
}

func TestServerGroupQuota(t *testing.T) {
	srv, c := start(t, albtest.WithServerGroupQuota(2), albtest.WithTransitions(albtest.Immediate()))
	a := mustCreateSG(t, c, sgReq())
	mustCreateSG(t, c, sgReq())
	_, err := c.CreateServerGroup(sgReq())
	se := sdkErr(t, err, "QuotaExceeded.ServerGroupsNum", 400)
	if !strings.Contains(dara.StringValue(se.Message), "2/2") {
		t.Fatalf("message %q", dara.StringValue(se.Message))
	}
	// A deleted group frees its place; SetServerGroupQuota changes it.
	if _, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(a)}); err != nil {
		t.Fatal(err)
	}
	mustCreateSG(t, c, sgReq())
	srv.SetServerGroupQuota(3)
	mustCreateSG(t, c, sgReq())

	// The world's quota, and its default.
	w := albtest.DefaultWorld()
	w.ServerGroupQuota = 1
	srv2, c2 := start(t, albtest.WithSeed(w))
	mustCreateSG(t, c2, sgReq())
	_, err = c2.CreateServerGroup(sgReq())
	sdkErr(t, err, "QuotaExceeded.ServerGroupsNum", 400)
	w.ServerGroupQuota = 0 // DefaultServerGroupQuota
	if err := srv2.SetWorld(w); err != nil {
		t.Fatal(err)
	}
	mustCreateSG(t, c2, sgReq())
	mustCreateSG(t, c2, sgReq())
}

func TestServerGroupNotFound(t *testing.T) {
	_, c := start(t)
	const id = "sgp-nope"
	id1 := dara.String(id)
	calls := map[string]func() error{
		"Update": func() error {
			_, err := c.UpdateServerGroupAttribute(&albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: id1, ServerGroupName: dara.String("ab")})
			return err
		},
		"Delete": func() error {
			_, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: id1})
			return err
		},
		"Add":    func() error { return addServers(c, id, ipServer("10.0.0.1", 80)) },
		"Remove": func() error { return removeIPServers(c, id, "10.0.0.1") },
		"Replace": func() error {
			_, err := c.ReplaceServersInServerGroup(&albsdk.ReplaceServersInServerGroupRequest{ServerGroupId: id1,
				AddedServers:   []*albsdk.ReplaceServersInServerGroupRequestAddedServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.1"), Port: dara.Int32(80)}},
				RemovedServers: []*albsdk.ReplaceServersInServerGroupRequestRemovedServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.2"), Port: dara.Int32(80)}}})
			return err
		},
		"UpdateServers": func() error {
			_, err := c.UpdateServerGroupServersAttribute(&albsdk.UpdateServerGroupServersAttributeRequest{ServerGroupId: id1,
				Servers: []*albsdk.UpdateServerGroupServersAttributeRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String("10.0.0.1"), Port: dara.Int32(80), Weight: dara.Int32(5)}}})
			return err
		},
		"ListServers": func() error {
			_, err := c.ListServerGroupServers(&albsdk.ListServerGroupServersRequest{ServerGroupId: id1})
			return err
		},
		"Tag": func() error {
			_, err := c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String("servergroup"), ResourceId: []*string{id1},
				Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("k"), Value: dara.String("v")}}})
			return err
		},
		"Move": func() error {
			_, err := c.MoveResourceGroup(&albsdk.MoveResourceGroupRequest{ResourceType: dara.String("servergroup"), ResourceId: id1, NewResourceGroupId: dara.String("rg-x")})
			return err
		},
		"ApplyTemplate": func() error {
			r, err := c.CreateHealthCheckTemplate(&albsdk.CreateHealthCheckTemplateRequest{HealthCheckTemplateName: dara.String("tpl")})
			if err != nil {
				return err
			}
			_, err = c.ApplyHealthCheckTemplateToServerGroup(&albsdk.ApplyHealthCheckTemplateToServerGroupRequest{ServerGroupId: id1, HealthCheckTemplateId: r.Body.HealthCheckTemplateId})
			return err
		},
	}
	for name, f := range calls {
		t.Run(name, func(t *testing.T) { sdkErr(t, f(), "ResourceNotFound.ServerGroup", 404) })
	}
	_, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{})
	sdkErr(t, err, "MissingParameter", 400)
}

func TestServerGroupTagsAndResourceGroup(t *testing.T) {
	_, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	a := mustCreateSG(t, c, sgReq(func(r *albsdk.CreateServerGroupRequest) {
		r.Tag = []*albsdk.CreateServerGroupRequestTag{{Key: dara.String("team"), Value: dara.String("a")}}
	}))
	b := mustCreateSG(t, c, sgReq())
	if _, err := c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String("servergroup"), ResourceId: dara.StringSlice([]string{a, b}),
		Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("env"), Value: dara.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListTagResources(&albsdk.ListTagResourcesRequest{ResourceType: dara.String("servergroup")})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range lt.Body.TagResources {
		if dara.StringValue(r.ResourceType) != "servergroup" {
			t.Fatalf("row %s", r.String())
		}
		rows = append(rows, dara.StringValue(r.ResourceId)+" "+dara.StringValue(r.TagKey)+"="+dara.StringValue(r.TagValue))
	}
	if want := []string{a + " team=a", a + " env=prod", b + " env=prod"}; !slices.Equal(rows, want) {
		t.Fatalf("ListTagResources %v, want %v", rows, want)
	}
	if g := sgList(t, c, a); len(g.Tags) != 2 || dara.StringValue(g.Tags[1].Key) != "env" {
		t.Fatalf("list item tags: %s", g.String())
	}
	if _, err := c.UnTagResources(&albsdk.UnTagResourcesRequest{ResourceType: dara.String("servergroup"), ResourceId: dara.StringSlice([]string{a}),
		TagKey: dara.StringSlice([]string{"team"})}); err != nil {
		t.Fatal(err)
	}
	lt, _ = c.ListTagResources(&albsdk.ListTagResourcesRequest{ResourceType: dara.String("servergroup"), ResourceId: dara.StringSlice([]string{a})})
	if len(lt.Body.TagResources) != 1 || dara.StringValue(lt.Body.TagResources[0].TagKey) != "env" {
		t.Fatalf("after untag: %s", lt.Body.String())
	}
	// The load balancers' tags are another resource type.
	if lt, _ := c.ListTagResources(&albsdk.ListTagResourcesRequest{ResourceType: dara.String("loadbalancer")}); len(lt.Body.TagResources) != 0 {
		t.Fatalf("loadbalancer rows: %s", lt.Body.String())
	}

	if _, err := c.MoveResourceGroup(&albsdk.MoveResourceGroupRequest{ResourceType: dara.String("servergroup"), ResourceId: dara.String(b), NewResourceGroupId: dara.String("rg-team")}); err != nil {
		t.Fatal(err)
	}
	resp, err := c.ListServerGroups(&albsdk.ListServerGroupsRequest{ResourceGroupId: dara.String("rg-team")})
	if err != nil || len(resp.Body.ServerGroups) != 1 || dara.StringValue(resp.Body.ServerGroups[0].ServerGroupId) != b {
		t.Fatalf("list by new resource group: %v %v", resp, err)
	}
	_, err = c.MoveResourceGroup(&albsdk.MoveResourceGroupRequest{ResourceType: dara.String("servergroup"), ResourceId: dara.String(b), NewResourceGroupId: dara.String("team")})
	sdkErr(t, err, "NotExist.ResourceGroup", 400)
}
