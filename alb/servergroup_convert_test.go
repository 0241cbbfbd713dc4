package alb_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// TestCreateServerGroupRequestSendsOnlyWhatIsConfigured: a minimal spec
// sends its name, type, protocol, scheduler, VPC, HealthCheckEnabled,
// token and albkit's two tags, and nothing else; every optional feature
// appears only once configured.
func TestCreateServerGroupRequestSendsOnlyWhatIsConfigured(t *testing.T) {
	minimal := alb.NewServerGroupSpec("web", alb.ServerGroupInstance, vpc)
	m := wireJSON(t, alb.CreateServerGroupRequestForTest(minimal, "tok-1", false))
	if got := sortedKeys(m); !slices.Equal(got, []string{"ClientToken", "HealthCheckConfig", "Protocol", "Scheduler", "ServerGroupName", "ServerGroupType", "Tag", "VpcId"}) {
		t.Errorf("a minimal spec sends %v", got)
	}
	if hc := m["HealthCheckConfig"].(map[string]any); len(hc) != 1 || hc["HealthCheckEnabled"] != true {
		t.Errorf("HealthCheckConfig %v", hc)
	}
	tags := m["Tag"].([]any)
	if len(tags) != 2 || tags[0].(map[string]any)["Key"] != alb.TokenTagKey || tags[0].(map[string]any)["Value"] != "tok-1" ||
		tags[1].(map[string]any)["Key"] != alb.SpecTagKey || tags[1].(map[string]any)["Value"] != minimal.Digest() {
		t.Errorf("albkit's tags %v", tags)
	}
	fc := wireJSON(t, alb.CreateServerGroupRequestForTest(sgFc(), "tok-1", true))
	if got := sortedKeys(fc); !slices.Equal(got, []string{"ClientToken", "DryRun", "HealthCheckConfig", "ServerGroupName", "ServerGroupType", "Tag"}) {
		t.Errorf("an Fc spec sends %v", got)
	}
	if hc := fc["HealthCheckConfig"].(map[string]any); hc["HealthCheckEnabled"] != false || len(hc) != 1 {
		t.Errorf("Fc HealthCheckConfig %v", hc)
	}

	full := minimal.WithProtocol("GRPC").WithURLHash("uid").WithStickyServer("sid").WithSlowStart(0).WithConnectionDrain(0).WithoutCrossZone().WithIPv6().
		WithIPVersionAffinity(alb.IPVersionAffinity).WithUpstreamKeepalive().WithResourceGroup("rg-1").WithTag("env", "prod").
		WithHealthCheck(alb.HealthCheck{Enabled: true, Protocol: "GRPC", Port: 50051, Host: "a.example.com", Method: "POST", Codes: []string{"0-5"}, IntervalSeconds: 5, TimeoutSeconds: 3, HealthyThreshold: 4, UnhealthyThreshold: 5})
	m = wireJSON(t, alb.CreateServerGroupRequestForTest(full, "tok-2", false))
	want := map[string]any{
		"ServerGroupName": "web", "ServerGroupType": "Instance", "VpcId": vpc, "Protocol": "gRPC", "Scheduler": "Sch",
		"UchConfig":             map[string]any{"Type": "QueryString", "Value": "uid"},
		"StickySessionConfig":   map[string]any{"StickySessionEnabled": true, "StickySessionType": "Server", "Cookie": "sid"},
		"ConnectionDrainConfig": map[string]any{"ConnectionDrainEnabled": true, "ConnectionDrainTimeout": float64(0)},
		"CrossZoneEnabled":      false, "Ipv6Enabled": true, "IpVersionAffinityMode": "Affinity", "UpstreamKeepaliveEnabled": true,
		"ResourceGroupId": "rg-1", "ClientToken": "tok-2",
		"HealthCheckConfig": map[string]any{"HealthCheckEnabled": true, "HealthCheckProtocol": "gRPC", "HealthCheckConnectPort": float64(50051),
			"HealthCheckHost": "a.example.com", "HealthCheckMethod": "POST", "HealthCheckCodes": []any{"0-5"}, "HealthCheckInterval": float64(5),
			"HealthCheckTimeout": float64(3), "HealthyThreshold": float64(4), "UnhealthyThreshold": float64(5)},
	}
	tags = m["Tag"].([]any)
	delete(m, "Tag")
	if !reflect.DeepEqual(m, want) {
		t.Errorf("a full spec sends\n%v\nwant\n%v", m, want)
	}
	if len(tags) != 3 || tags[0].(map[string]any)["Key"] != "env" {
		t.Errorf("tags %v", tags)
	}
	// Slow start and an Insert cookie timeout.
	m = wireJSON(t, alb.CreateServerGroupRequestForTest(minimal.WithSlowStart(45).WithStickyInsert(0), "t", false))
	if !reflect.DeepEqual(m["SlowStartConfig"], map[string]any{"SlowStartEnabled": true, "SlowStartDuration": float64(45)}) ||
		!reflect.DeepEqual(m["StickySessionConfig"], map[string]any{"StickySessionEnabled": true, "StickySessionType": "Insert"}) {
		t.Errorf("slow start %v, sticky %v", m["SlowStartConfig"], m["StickySessionConfig"])
	}
}

// TestServerGroupRequestsOnTheWire looks at the parameters the emulator
// received: no empty object, no "null", only configured features.
func TestServerGroupRequestsOnTheWire(t *testing.T) {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()))
	defer srv.Close()
	sdk := srv.ALBClient()
	spec := alb.NewServerGroupSpec("web", alb.ServerGroupIP, albtest.DefaultVPCID).
		WithServers(alb.IPServer("127.0.0.1", 8080).WithWeight(0), alb.IPServer("127.0.0.2", 8080).WithDescription("two").WithRemoteIP())
	resp, err := sdk.CreateServerGroup(alb.CreateServerGroupRequestForTest(spec, "tok-wire", false))
	if err != nil {
		t.Fatal(err)
	}
	id := tea.StringValue(resp.Body.ServerGroupId)
	if _, err := sdk.AddServersToServerGroup(alb.AddServersRequestForTest(id, spec.Servers, "tok-add", false)); err != nil {
		t.Fatal(err)
	}
	var create, add map[string]string
	for _, r := range srv.Requests() {
		switch r.Action {
		case "CreateServerGroup":
			create = r.Params
		case "AddServersToServerGroup":
			add = r.Params
		}
	}
	for name, params := range map[string]map[string]string{"create": create, "add": add} {
		for k, v := range params {
			if v == "null" || v == "{}" || v == "[]" || strings.Contains(k, "StickySession") || strings.Contains(k, "SlowStart") || strings.Contains(k, "ConnectionDrain") || strings.Contains(k, "Uch") {
				t.Errorf("%s sends %s=%q", name, k, v)
			}
		}
	}
	if create["HealthCheckConfig.HealthCheckEnabled"] != "true" || create["ServerGroupType"] != "Ip" || create["ClientToken"] != "tok-wire" {
		t.Errorf("create params %v", create)
	}
	for k, want := range map[string]string{
		"Servers.1.ServerType": "Ip", "Servers.1.ServerId": "127.0.0.1", "Servers.1.Port": "8080", "Servers.1.Weight": "0",
		"Servers.2.Description": "two", "Servers.2.RemoteIpEnabled": "true", "ClientToken": "tok-add",
	} {
		if add[k] != want {
			t.Errorf("add %s = %q, want %q (all: %v)", k, add[k], want, add)
		}
	}
	for _, k := range []string{"Servers.1.ServerIp", "Servers.1.Description", "Servers.1.RemoteIpEnabled"} {
		if _, ok := add[k]; ok {
			t.Errorf("add sends %s though it is not set", k)
		}
	}
}

func TestServerItemsOfEveryOperation(t *testing.T) {
	servers := []alb.Server{
		alb.ENIServer("eni-1", "10.0.1.21", 80).WithWeight(7).WithDescription("d1"),
		alb.FcServer(fnARN),
		alb.IPServer("10.0.0.1", 81).WithRemoteIP(),
	}
	add := wireJSON(t, alb.AddServersRequestForTest("sgp-1", servers, "t", true))
	rm := wireJSON(t, alb.RemoveServersRequestForTest("sgp-1", servers, "", false))
	up := wireJSON(t, alb.UpdateServersRequestForTest("sgp-1", servers, "", false))
	rep := wireJSON(t, alb.ReplaceServersRequestForTest("sgp-1", servers[:1], servers[2:], "t2", false))
	wantAdd := []any{
		map[string]any{"ServerType": "Eni", "ServerId": "eni-1", "ServerIp": "10.0.1.21", "Port": float64(80), "Weight": float64(7), "Description": "d1"},
		map[string]any{"ServerType": "Fc", "ServerId": fnARN},
		map[string]any{"ServerType": "Ip", "ServerId": "10.0.0.1", "Port": float64(81), "Weight": float64(100), "RemoteIpEnabled": true},
	}
	if !reflect.DeepEqual(add["Servers"], wantAdd) || add["DryRun"] != true || add["ClientToken"] != "t" || add["ServerGroupId"] != "sgp-1" {
		t.Errorf("add %v", add)
	}
	wantRm := []any{
		map[string]any{"ServerType": "Eni", "ServerId": "eni-1", "ServerIp": "10.0.1.21", "Port": float64(80)},
		map[string]any{"ServerType": "Fc", "ServerId": fnARN},
		map[string]any{"ServerType": "Ip", "ServerId": "10.0.0.1", "Port": float64(81)},
	}
	if !reflect.DeepEqual(rm["Servers"], wantRm) || rm["ClientToken"] != nil {
		t.Errorf("remove %v", rm)
	}
	wantUp := []any{
		map[string]any{"ServerType": "Eni", "ServerId": "eni-1", "ServerIp": "10.0.1.21", "Port": float64(80), "Weight": float64(7), "Description": "d1"},
		map[string]any{"ServerType": "Fc", "ServerId": fnARN},
		map[string]any{"ServerType": "Ip", "ServerId": "10.0.0.1", "Port": float64(81), "Weight": float64(100)},
	}
	if !reflect.DeepEqual(up["Servers"], wantUp) {
		t.Errorf("update %v", up)
	}
	if !reflect.DeepEqual(rep["AddedServers"], wantUp[:1]) || !reflect.DeepEqual(rep["RemovedServers"], wantRm[2:]) || rep["ClientToken"] != "t2" {
		t.Errorf("replace %v", rep)
	}
}

func TestServerGroupDigest(t *testing.T) {
	a := sgBase().WithTag("a", "1").WithTag("b", "2")
	b := sgBase().WithTag("b", "2").WithTag("a", "1").WithIdempotencyKey("other").WithServers(alb.ECSServer("i-9", 80))
	if a.Digest() != b.Digest() {
		t.Error("tag order, the idempotency key or the servers change the digest")
	}
	for name, c := range map[string]alb.ServerGroupSpec{
		"name": sg(a, func(s *alb.ServerGroupSpec) { s.Name = "web-2" }), "scheduler": a.WithScheduler(alb.SchedulerWlc),
		"health check": a.WithHealthCheck(alb.TCPHealthCheck()), "tag value": sgBase().WithTag("a", "1").WithTag("b", "3"),
	} {
		if c.Digest() == a.Digest() {
			t.Errorf("%s does not change the digest", name)
		}
	}
	if len(a.Digest()) != 32 {
		t.Errorf("digest %q", a.Digest())
	}
}

// TestServerGroupFromSDK reads every field of a ListServerGroups item and
// of a ListServerGroupServers item, and what an absent field means.
func TestServerGroupFromSDK(t *testing.T) {
	raw := `{"ServerGroupId":"sgp-1","ServerGroupName":"web","ServerGroupType":"Instance","ServerGroupStatus":"Configuring",
	"Protocol":"GRPC","Scheduler":"Sch","VpcId":"vpc-1","ResourceGroupId":"rg-1","CreateTime":"2022-07-02T02:49:05Z","ServerCount":3,
	"RelatedLoadBalancerIds":["alb-1","alb-2"],"CrossZoneEnabled":false,"Ipv6Enabled":true,"IpVersionAffinityMode":"Affinity",
	"UpstreamKeepaliveEnabled":true,"ConfigManagedEnabled":true,"ServiceName":"svc",
	"HealthCheckConfig":{"HealthCheckEnabled":true,"HealthCheckProtocol":"GRPC","HealthCheckConnectPort":50051,"HealthCheckHost":"a.example.com",
	"HealthCheckMethod":"POST","HealthCheckCodes":["0","1-5"],"HealthCheckInterval":5,"HealthCheckTimeout":3,"HealthyThreshold":4,"UnhealthyThreshold":6},
	"StickySessionConfig":{"StickySessionEnabled":true,"StickySessionType":"Server","Cookie":"sid","CookieTimeout":1000},
	"SlowStartConfig":{"SlowStartEnabled":true,"SlowStartDuration":60},"ConnectionDrainConfig":{"ConnectionDrainEnabled":true,"ConnectionDrainTimeout":0},
	"UchConfig":{"Type":"QueryString","Value":"uid"},"Tags":[{"Key":"env","Value":"prod"},{"Key":"albkit:client-token","Value":"tok"}]}`
	var item albsdk.ListServerGroupsResponseBodyServerGroups
	if err := json.Unmarshal([]byte(raw), &item); err != nil {
		t.Fatal(err)
	}
	g := alb.ServerGroupFromSDKForTest(&item)
	if g.ID != "sgp-1" || g.Name != "web" || g.Type != alb.ServerGroupInstance || g.Status != alb.ServerGroupConfiguring || g.Protocol != alb.BackendGRPC ||
		g.Scheduler != alb.SchedulerSch || g.VPCID != "vpc-1" || g.ResourceGroupID != "rg-1" || g.CreatedAt.Year() != 2022 || g.ServerCount != 3 ||
		!slices.Equal(g.LoadBalancerIDs, []string{"alb-1", "alb-2"}) || g.CrossZoneEnabled || !g.IPv6 || g.IPVersionAffinity != alb.IPVersionAffinity ||
		!g.UpstreamKeepalive || !g.ConfigManaged || g.ServiceName != "svc" || g.Token() != "tok" || len(g.Tags) != 2 {
		t.Errorf("group %+v", *g)
	}
	wantHC := alb.HealthCheck{Enabled: true, Protocol: alb.HealthCheckGRPC, Port: 50051, Host: "a.example.com", Method: "POST", Codes: []string{"0", "1-5"},
		IntervalSeconds: 5, TimeoutSeconds: 3, HealthyThreshold: 4, UnhealthyThreshold: 6}
	if !reflect.DeepEqual(g.HealthCheck, wantHC) || g.StickySession != (alb.StickySession{Type: alb.StickyServer, Cookie: "sid"}) ||
		g.SlowStartSeconds != 60 || g.ConnectionDrain != (alb.ConnectionDrain{Enabled: true}) || g.URLHashParameter != "uid" {
		t.Errorf("features %+v", *g)
	}
	back := alb.SpecFromServerGroup(g, nil)
	if back.IdempotencyKey != "tok" || len(back.Tags) != 1 || back.Protocol != alb.BackendGRPC || back.URLHashParameter != "uid" || back.Membership != "" {
		t.Errorf("read back %+v", back)
	}
	// Features off, or not reported.
	var off albsdk.ListServerGroupsResponseBodyServerGroups
	if err := json.Unmarshal([]byte(`{"ServerGroupId":"sgp-2","ServerGroupType":"Ip","HealthCheckConfig":{"HealthCheckEnabled":false,"HealthCheckProtocol":"TCP","HealthCheckInterval":9},
	"StickySessionConfig":{"StickySessionEnabled":false},"ConnectionDrainConfig":{"ConnectionDrainEnabled":false},
	"SlowStartConfig":{"SlowStartEnabled":false,"SlowStartDuration":30}}`), &off); err != nil {
		t.Fatal(err)
	}
	g = alb.ServerGroupFromSDKForTest(&off)
	if !reflect.DeepEqual(g.HealthCheck, alb.HealthCheck{}) || g.StickySession != (alb.StickySession{}) || g.SlowStartSeconds != 0 ||
		g.ConnectionDrain != (alb.ConnectionDrain{}) || !g.CrossZoneEnabled || g.Protocol != "" || g.Tags != nil {
		t.Errorf("features off %+v", *g)
	}
	var sv albsdk.ListServerGroupServersResponseBodyServers
	if err := json.Unmarshal([]byte(`{"ServerGroupId":"sgp-1","ServerId":"eni-1","ServerIp":"10.0.1.21","ServerType":"Eni","Port":80,"Weight":0,
	"Description":"d","RemoteIpEnabled":false,"Status":"Adding"}`), &sv); err != nil {
		t.Fatal(err)
	}
	b := alb.BackendServerFromSDKForTest(&sv)
	if b != (alb.BackendServer{Server: alb.Server{Type: alb.ServerTypeENI, ID: "eni-1", IP: "10.0.1.21", Port: 80, Description: "d"}, ServerGroupID: "sgp-1", Status: alb.BackendServerAdding}) {
		t.Errorf("server %+v", b)
	}
}

// TestSpecFromServerGroup reads a spec back: valid, diffing empty, without
// what the service reports but a spec does not set.
func TestSpecFromServerGroup(t *testing.T) {
	if s := alb.SpecFromServerGroup(nil, nil); !reflect.DeepEqual(s, alb.ServerGroupSpec{}) {
		t.Errorf("nil group: %+v", s)
	}
	g := &alb.ServerGroup{ID: "sgp-1", Name: "web", Type: alb.ServerGroupInstance, Protocol: alb.BackendHTTP, Scheduler: alb.SchedulerWrr, VPCID: vpc,
		CrossZoneEnabled: true, URLHashParameter: "left-behind",
		HealthCheck: alb.HealthCheck{Enabled: true, Protocol: alb.HealthCheckTCP, Method: "HEAD", HTTPVersion: "HTTP1.1", Codes: []string{"http_2xx"}, Path: "/x", IntervalSeconds: 2}}
	servers := []alb.BackendServer{
		{Server: alb.ECSServer("i-1", 80), Status: alb.BackendServerAvailable},
		{Server: alb.Server{Type: alb.ServerTypeECS, ID: "i-2", Port: 80, Weight: 5, IP: "10.0.1.2"}, Status: alb.BackendServerRemoving},
		{Server: alb.Server{Type: alb.ServerTypeECS, ID: "i-3", Port: 80, Weight: 5, IP: "10.0.1.3", RemoteIP: true}, Status: alb.BackendServerAdding},
	}
	s := alb.SpecFromServerGroup(g, servers)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.URLHashParameter != "" || s.HealthCheck.Method != "" || s.HealthCheck.Codes != nil || s.HealthCheck.Path != "" || len(s.Servers) != 2 ||
		s.Servers[1].IP != "10.0.1.3" || s.Servers[1].RemoteIP {
		t.Errorf("read back %+v", s)
	}
	if p := alb.DiffServerGroup(s, g, servers); !p.Empty() {
		t.Errorf("diff %s", p)
	}
}
