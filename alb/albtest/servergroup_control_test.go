package albtest_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

func TestServerGroupWorldBackends(t *testing.T) {
	w := albtest.DefaultWorld()
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ecsInstances":[{"id":"i-albtest0001","vpcId":"vpc-albtest0001","privateIps":["10.0.1.10"]}`,
		`"enis":[{"id":"eni-albtest0001"`, `"containerGroups":[{"id":"eci-albtest0001"`, `"serverGroupQuota":3000`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("world JSON lacks %s:\n%s", want, b)
		}
	}
	for name, mod := range map[string]func(*albtest.World){
		"unknown VPC":  func(w *albtest.World) { w.ENIs[0].VpcID = "vpc-nope" },
		"bad address":  func(w *albtest.World) { w.ECSInstances[0].PrivateIPs = []string{"10.0.1.300"} },
		"IPv6 address": func(w *albtest.World) { w.ContainerGroups[0].PrivateIPs = []string{"2408::1"} },
		"no address":   func(w *albtest.World) { w.ECSInstances[1].PrivateIPs = nil },
		"duplicate ID": func(w *albtest.World) { w.ContainerGroups[0].ID = albtest.ECSInstance2 },
		"empty ID":     func(w *albtest.World) { w.ECSInstances[0].ID = "" },
		"ID of an EIP": func(w *albtest.World) { w.ENIs[0].ID = albtest.EIPTraffic1 },
		"quota":        func(w *albtest.World) { w.ServerGroupQuota = -1 },
	} {
		w := albtest.DefaultWorld()
		w.ECSInstances = append([]albtest.BackendInstance(nil), w.ECSInstances...)
		mod(&w)
		if err := w.Validate(); err == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}

	// A world file with its own compute resources.
	w.ECSInstances = []albtest.BackendInstance{{ID: "i-file", VpcID: albtest.DefaultOtherVPCID, PrivateIPs: []string{"172.16.1.50"}}}
	file := filepath.Join(t.TempDir(), "world.json")
	writeWorld(t, file, w)
	srv, c := start(t, albtest.WithWorldFile(file), albtest.WithTransitions(albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq(func(r *albsdk.CreateServerGroupRequest) { r.VpcId = dara.String(albtest.DefaultOtherVPCID) }))
	mustAddServers(t, c, id, instanceServer("Ecs", "i-file", 80))
	sdkErr(t, addServers(c, id, instanceServer("Ecs", albtest.ECSInstanceOther, 80)), "ResourceNotFound.Ecs", 404)
	// Reset forgets the groups and the compute resources added at runtime.
	if err := srv.AddECSInstance(albtest.BackendInstance{ID: "i-runtime", VpcID: albtest.DefaultOtherVPCID, PrivateIPs: []string{"172.16.1.51"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	if len(srv.ServerGroups()) != 0 {
		t.Fatal("Reset kept the server groups")
	}
	id = mustCreateSG(t, c, sgReq(func(r *albsdk.CreateServerGroupRequest) { r.VpcId = dara.String(albtest.DefaultOtherVPCID) }))
	sdkErr(t, addServers(c, id, instanceServer("Ecs", "i-runtime", 80)), "ResourceNotFound.Ecs", 404)
	if v := ctlOK(t, srv, "GET", "/_albtest/world", nil); path(v, "ecsInstances", 0, "id") != "i-file" {
		t.Fatalf("GET /world: %v", path(v, "ecsInstances"))
	}
}

func TestServerGroupControlAPI(t *testing.T) {
	srv, c := start(t, albtest.WithTransition(albtest.PhaseConfiguring, albtest.Manual()), albtest.WithTransition(albtest.PhaseProvisioning, albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq(ipGroup, func(r *albsdk.CreateServerGroupRequest) {
		r.Tag = []*albsdk.CreateServerGroupRequestTag{{Key: dara.String("env"), Value: dara.String("test")}}
		r.ClientToken = dara.String("ctl-token")
	}))
	mustAddServers(t, c, id, ipServer("127.0.0.1", 8080))
	l := ctlOK(t, srv, "GET", "/_albtest/servergroups", nil).([]any)
	if len(l) != 1 || path(l, 0, "id") != id || path(l, 0, "status") != "Configuring" || path(l, 0, "type") != "Ip" ||
		path(l, 0, "servers", 0, "ip") != "127.0.0.1" || path(l, 0, "servers", 0, "status") != "Adding" || path(l, 0, "tags", "env") != "test" ||
		path(l, 0, "healthCheck", "protocol") != "HTTP" || path(l, 0, "clientToken") != "ctl-token" || path(l, 0, "createTime") == nil {
		t.Fatalf("servergroups: %v", l)
	}
	// Advance completes the group's transition by its ID.
	if v := ctlOK(t, srv, "POST", "/_albtest/advance", map[string]string{"id": id}); num(path(v, "advanced")) != 1 {
		t.Fatalf("advance: %v", v)
	}
	v := ctlOK(t, srv, "GET", "/_albtest/servergroups/"+id, nil)
	if path(v, "status") != "Available" || path(v, "servers", 0, "status") != "Available" {
		t.Fatalf("after advance: %v", v)
	}
	// Forcing Configuring makes writes refused until Available again.
	if v = ctlOK(t, srv, "PUT", "/_albtest/servergroups/"+id+"/status", map[string]string{"status": "Configuring"}); path(v, "status") != "Configuring" {
		t.Fatalf("status: %v", v)
	}
	sdkErr(t, addServers(c, id, ipServer("10.0.0.1", 80)), "IncorrectStatus.ServerGroup", 400)
	ctlOK(t, srv, "PUT", "/_albtest/servergroups/"+id+"/status", map[string]string{"status": "Available"})
	mustAddServers(t, c, id, ipServer("10.0.0.1", 80))

	ctlErr(t, srv, "GET", "/_albtest/servergroups/sgp-nope", nil, 404, "sgp-nope")
	ctlErr(t, srv, "PUT", "/_albtest/servergroups/sgp-nope/status", map[string]string{"status": "Available"}, 404, "sgp-nope")
	ctlErr(t, srv, "PUT", "/_albtest/servergroups/"+id+"/status", map[string]string{"status": "Deleting"}, 400, "Deleting")
	ctlErr(t, srv, "PUT", "/_albtest/servergroups/"+id+"/status", `{"state":"Available"}`, 400, "unknown field")
}

// TestServerGroupGarbageNeverInternalError sends the server-group
// operations random, mostly plausible parameters: the answers are never 5xx,
// and every operation still succeeds sometimes (the input reaches it).
func TestServerGroupGarbageNeverInternalError(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	// groupIDs are the live groups (at least two Ip groups with members, so
	// that removals and updates can succeed) and an unknown one.
	groupIDs := func() []string {
		ids := []string{"sgp-nope"}
		for _, g := range srv.ServerGroups() {
			ids = append(ids, g.ID)
		}
		for len(ids) < 3 {
			id := mustCreateSG(t, c, sgReq(ipGroup))
			mustAddServers(t, c, id, ipServer("10.0.0.1", 80), ipServer("10.0.0.2", 80), ipServer("10.0.0.3", 80))
			ids = append(ids, id)
		}
		return ids
	}
	tpl, err := c.CreateHealthCheckTemplate(&albsdk.CreateHealthCheckTemplateRequest{HealthCheckTemplateName: dara.String("tpl")})
	if err != nil {
		t.Fatal(err)
	}
	tplID := dara.StringValue(tpl.Body.HealthCheckTemplateId)
	actions := []string{"CreateServerGroup", "UpdateServerGroupAttribute", "ListServerGroups", "AddServersToServerGroup",
		"RemoveServersFromServerGroup", "ReplaceServersInServerGroup", "UpdateServerGroupServersAttribute", "ListServerGroupServers",
		"CreateHealthCheckTemplate", "UpdateHealthCheckTemplateAttribute", "GetHealthCheckTemplateAttribute", "ListHealthCheckTemplates",
		"ApplyHealthCheckTemplateToServerGroup", "DeleteServerGroup", "DeleteHealthCheckTemplates"}
	values := []string{"", "0", "-1", "1", "2", "80", "101", "65536", "true", "false", "x", "Ip", "Ecs", "Eni", "Fc", "Instance", "HTTP", "gRPC", "TCP",
		"Wrr", "Sch", "Insert", "Server", "http_2xx", "0-5", "/", "a.com", "$SERVER_IP", "10.0.0.1", "127.0.0.1", "::1", albtest.ECSInstance1,
		albtest.ENI1, albtest.ECSInstanceOther, "acs:fc:x", strings.Repeat("y", 300), "\xff", "%zz", "acs:tag"}
	fields := []string{"ServerGroupName", "ServerGroupType", "Protocol", "Scheduler", "VpcId", "CrossZoneEnabled", "Ipv6Enabled",
		"HealthCheckConfig.HealthCheckEnabled", "HealthCheckConfig.HealthCheckProtocol", "HealthCheckConfig.HealthCheckCodes.1",
		"HealthCheckConfig.HealthCheckInterval", "HealthCheckConfig.HealthCheckPath", "HealthCheckConfig.HealthCheckHost",
		"StickySessionConfig.StickySessionEnabled", "StickySessionConfig.StickySessionType", "StickySessionConfig.Cookie",
		"StickySessionConfig.CookieTimeout", "SlowStartConfig.SlowStartEnabled", "SlowStartConfig.SlowStartDuration",
		"ConnectionDrainConfig.ConnectionDrainEnabled", "UchConfig.Type", "UchConfig.Value", "Tag.1.Key", "Tag.1.Value",
		"MaxResults", "NextToken", "ServerIds.1", "HealthCheckProtocol", "HealthCheckCodes.1", "HealthCheckTemplateName",
		"HealthCheckTemplateIds.1", "Servers.0.ServerId", "Servers.x", "ClientToken", "DryRun"}
	serverFields := []string{"ServerType", "ServerId", "Port", "Weight", "ServerIp", "Description", "RemoteIpEnabled"}
	rng := rand.New(rand.NewPCG(18, 18))
	oc := srv.OpenAPIClient()
	ok := map[string]int{}
	for i := 0; i < 1500; i++ {
		act := actions[rng.IntN(len(actions))]
		ids := groupIDs()
		q := map[string]any{"ServerGroupId": ids[rng.IntN(len(ids))], "HealthCheckTemplateId": tplID, "ServerGroupName": "garbage-sg",
			"VpcId": albtest.DefaultVPCID, "HealthCheckConfig.HealthCheckEnabled": "true", "HealthCheckTemplateName": "garbage-tpl"}
		if act == "DeleteHealthCheckTemplates" { // a throwaway template, so that tplID stays
			if r, err := c.CreateHealthCheckTemplate(&albsdk.CreateHealthCheckTemplateRequest{HealthCheckTemplateName: dara.String("throwaway")}); err == nil {
				q["HealthCheckTemplateIds.1"] = dara.StringValue(r.Body.HealthCheckTemplateId)
			}
		}
		if rng.IntN(2) == 0 {
			q["ServerGroupType"] = "Ip"
		}
		for _, list := range []string{"Servers", "AddedServers", "RemovedServers"} {
			for n := rng.IntN(3); n > 0; n-- {
				p := list + "." + strconv.Itoa(n) + "."
				q[p+"ServerType"], q[p+"ServerId"], q[p+"Port"] = "Ip", "10.0.0."+strconv.Itoa(1+rng.IntN(4)), "80"
				if rng.IntN(3) == 0 {
					q[p+serverFields[rng.IntN(len(serverFields))]] = values[rng.IntN(len(values))]
				}
			}
		}
		for j := rng.IntN(4); j > 0; j-- {
			q[fields[rng.IntN(len(fields))]] = values[rng.IntN(len(values))]
		}
		_, err := call(t, oc, act, albtest.VersionALB, q)
		if err == nil {
			ok[act]++
			continue
		}
		var se *tea.SDKError
		if !errors.As(err, &se) || dara.IntValue(se.StatusCode) >= 500 {
			t.Fatalf("%s %v: %v", act, q, err)
		}
	}
	for _, r := range srv.Requests() {
		if r.Status >= 500 {
			t.Fatalf("logged 5xx: %+v", r)
		}
	}
	t.Logf("successes: %v", ok)
	for _, a := range actions {
		if ok[a] == 0 {
			t.Errorf("no %s succeeded: the input does not reach the operation", a)
		}
	}
}
