package albtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/internal/acs"
)

// rpcBody calls action with its parameters in the form body, as the
// Terraform provider's RpcPost sends them (nested maps and lists flattened
// to Name.Field and Name.N).
func rpcBody(t *testing.T, c *openapi.Client, action string, body map[string]any) (map[string]any, error) {
	t.Helper()
	req := &openapiutil.OpenApiRequest{Query: openapiutil.Query(map[string]any{}), Body: openapiutil.Query(body)}
	res, err := c.CallApi(rpcParams(action, albtest.VersionALB), req, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	b, _ := res["body"].(map[string]any)
	return b, nil
}

func mustRPCBody(t *testing.T, c *openapi.Client, action string, body map[string]any) map[string]any {
	t.Helper()
	b, err := rpcBody(t, c, action, body)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	return b
}

// TestServerGroupTerraformCalls makes the calls of the Terraform provider's
// alicloud_alb_server_group (resource_alicloud_alb_server_group.go): create,
// wait on ServerGroupStatus through ListServerGroups by ServerGroupIds.1,
// add servers, read (ListServerGroups, ListServerGroupServers with
// NextToken, ListTagResources), a weight change as a removal then an
// addition, tags, MoveResourceGroup, delete and wait until the list is
// empty. Every write carries a ClientToken, as the provider's do.
func TestServerGroupTerraformCalls(t *testing.T) {
	srv, _ := start(t)
	oc := srv.OpenAPIClient()
	token := 0
	tok := func() string { token++; return fmt.Sprintf("tf-token-%d", token) }
	// The provider's state refresh: ListServerGroups by ID, until the
	// status is want ("" for gone). Its reads count as polls.
	waitFor := func(id, want string) map[string]any {
		t.Helper()
		for i := 0; i < 10; i++ {
			b := mustCall(t, oc, "ListServerGroups", albtest.VersionALB, map[string]any{"ServerGroupIds.1": id})
			groups, _ := b["ServerGroups"].([]any)
			if want == "" && len(groups) == 0 {
				return nil
			}
			if len(groups) == 1 && path(groups, 0, "ServerGroupStatus") == want {
				return groups[0].(map[string]any)
			}
		}
		t.Fatalf("%s not %q after 10 reads", id, want)
		return nil
	}

	b := mustRPCBody(t, oc, "CreateServerGroup", map[string]any{
		"ClientToken": tok(), "ServerGroupName": "tf-testacc-sg", "VpcId": albtest.DefaultVPCID, "Protocol": "HTTP",
		"ServerGroupType": "Instance", "Scheduler": "Wlc",
		"HealthCheckConfig": map[string]any{
			"HealthCheckConnectPort": 0, "HealthCheckEnabled": true, "HealthCheckHost": "tf-testAcc.com",
			"HealthCheckHttpVersion": "HTTP1.1", "HealthCheckInterval": 2, "HealthCheckMethod": "HEAD",
			"HealthCheckPath": "/tf-testAcc", "HealthCheckProtocol": "HTTP", "HealthCheckTimeout": 5,
			"HealthyThreshold": 3, "UnhealthyThreshold": 3, "HealthCheckCodes": []any{"http_2xx", "http_3xx"},
		},
		"StickySessionConfig": map[string]any{"StickySessionEnabled": false},
		// Blocks the configuration leaves out are sent as empty maps.
		"UchConfig": map[string]any{}, "ConnectionDrainConfig": map[string]any{}, "SlowStartConfig": map[string]any{},
	})
	id, _ := b["ServerGroupId"].(string)
	if !reSGID.MatchString(id) || b["JobId"] == nil {
		t.Fatalf("create: %v", b)
	}
	g := waitFor(id, "Available")
	hc := g["HealthCheckConfig"].(map[string]any)
	if hc["HealthCheckHost"] != "tf-testAcc.com" || hc["HealthCheckPath"] != "/tf-testAcc" || num(hc["HealthCheckConnectPort"]) != 0 ||
		fmt.Sprint(hc["HealthCheckCodes"]) != "[http_2xx http_3xx]" || g["Scheduler"] != "Wlc" {
		t.Fatalf("read after create: %v", g)
	}

	// servers: an Ecs member with its private address, weight 20.
	server := func(weight int) map[string]any {
		return map[string]any{"ServerId": albtest.ECSInstance1, "ServerIp": "10.0.1.10", "ServerType": "Ecs", "Port": 80, "Weight": weight, "RemoteIpEnabled": false}
	}
	mustRPCBody(t, oc, "AddServersToServerGroup", map[string]any{"ClientToken": tok(), "ServerGroupId": id, "Servers": []any{server(20)}})
	waitFor(id, "Available")
	readServers := func() []any {
		t.Helper()
		var out []any
		q := map[string]any{"ServerGroupId": id, "MaxResults": 1}
		for i := 0; ; i++ {
			b := mustCall(t, oc, "ListServerGroupServers", albtest.VersionALB, q)
			out = append(out, b["Servers"].([]any)...)
			next, _ := b["NextToken"].(string)
			if next == "" || i > 10 {
				return out
			}
			q["NextToken"] = next
		}
	}
	if s := readServers(); len(s) != 1 || path(s, 0, "Weight") == nil || num(path(s, 0, "Weight")) != 20 || path(s, 0, "ServerIp") != "10.0.1.10" ||
		path(s, 0, "Status") != "Available" || path(s, 0, "RemoteIpEnabled") != false || path(s, 0, "ServerGroupId") != id {
		t.Fatalf("servers: %v", s)
	}
	// A weight change is a removal, a wait, an addition, a wait.
	mustRPCBody(t, oc, "RemoveServersFromServerGroup", map[string]any{"ClientToken": tok(), "ServerGroupId": id,
		"Servers": []any{map[string]any{"Port": 80, "ServerId": albtest.ECSInstance1, "ServerIp": "10.0.1.10", "ServerType": "Ecs"}}})
	waitFor(id, "Available")
	mustRPCBody(t, oc, "AddServersToServerGroup", map[string]any{"ClientToken": tok(), "ServerGroupId": id, "Servers": []any{server(10), map[string]any{
		"ServerId": albtest.ECSInstance2, "ServerIp": "", "ServerType": "Ecs", "Port": 80, "Weight": 0, "RemoteIpEnabled": false, "Description": "web-b",
	}}})
	if _, err := rpcBody(t, oc, "AddServersToServerGroup", map[string]any{"ClientToken": tok(), "ServerGroupId": id, "Servers": []any{server(30)}}); err == nil {
		t.Fatal("a second change while Configuring was accepted")
	} else {
		sdkErr(t, err, "IncorrectStatus.ServerGroup", 400) // the provider retries it
	}
	waitFor(id, "Available")
	if s := readServers(); len(s) != 2 || num(path(s, 0, "Weight")) != 10 || num(path(s, 1, "Weight")) != 0 {
		t.Fatalf("after the weight change: %v", s)
	}

	// Tags (UnTagResources, then TagResources) and the resource group.
	mustRPCBody(t, oc, "TagResources", map[string]any{"ResourceId.1": id, "ResourceType": "servergroup", "Tag.1.Key": "Created", "Tag.1.Value": "TF"})
	lt := mustCall(t, oc, "ListTagResources", albtest.VersionALB, map[string]any{"ResourceType": "servergroup", "ResourceId.1": id})
	if path(lt, "TagResources", 0, "TagKey") != "Created" {
		t.Fatalf("ListTagResources: %v", lt)
	}
	mustRPCBody(t, oc, "UnTagResources", map[string]any{"ResourceId.1": id, "ResourceType": "servergroup", "TagKey.1": "Created"})
	mustRPCBody(t, oc, "MoveResourceGroup", map[string]any{"ResourceId": id, "NewResourceGroupId": "rg-tf", "ResourceType": "servergroup"})
	if g := waitFor(id, "Available"); g["ResourceGroupId"] != "rg-tf" {
		t.Fatalf("resource group: %v", g)
	}
	// An attribute update (new name, stickiness).
	mustRPCBody(t, oc, "UpdateServerGroupAttribute", map[string]any{"ClientToken": tok(), "ServerGroupId": id, "ServerGroupName": "tf-testacc-sg-update",
		"StickySessionConfig": map[string]any{"StickySessionEnabled": true, "StickySessionType": "Server", "Cookie": "tf-cookie"},
		"HealthCheckConfig":   map[string]any{"HealthCheckConnectPort": 0, "HealthCheckEnabled": true, "HealthCheckCodes": []any{"http_2xx"}}})
	if g := waitFor(id, "Available"); g["ServerGroupName"] != "tf-testacc-sg-update" || path(g, "StickySessionConfig", "Cookie") != "tf-cookie" {
		t.Fatalf("after update: %v", g)
	}

	// Delete, retried with a new token each time, then gone.
	b = mustRPCBody(t, oc, "DeleteServerGroup", map[string]any{"ClientToken": tok(), "ServerGroupId": id})
	if b["JobId"] == nil {
		t.Fatalf("delete: %v", b)
	}
	waitFor(id, "")
	_, err := rpcBody(t, oc, "DeleteServerGroup", map[string]any{"ClientToken": tok(), "ServerGroupId": id})
	sdkErr(t, err, "ResourceNotFound.ServerGroup", 404) // the provider treats it as deleted
}

// rawList answers ListServerGroups for one group as raw JSON.
func rawList(t *testing.T, srv *albtest.Server, action, idParam, id string) []byte {
	t.Helper()
	q := url.Values{idParam: {id}}
	r, err := http.NewRequest(http.MethodPost, srv.URL()+"/?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("x-acs-action", action)
	r.Header.Set("x-acs-version", albtest.VersionALB)
	if err := acs.SignACS3(r, nil, defaultCred(), time.Now(), ""); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", action, resp.StatusCode, b)
	}
	return b
}

// keys returns the sorted keys of a JSON object and fails on any null in
// it, however deep.
func keys(t *testing.T, v any) []string {
	t.Helper()
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case nil:
			t.Fatalf("null at %s", p)
		case map[string]any:
			for k, e := range x {
				walk(p+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", p, i), e)
			}
		}
	}
	walk("$", v)
	m := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestServerGroupWireShape asserts the exact JSON of a server group nothing
// optional was configured on: the Terraform provider turns every object of
// the answer into a block, so an object for a feature the user never
// configured would make every plan want to remove it, and a null object
// makes it panic. Present: HealthCheckConfig, StickySessionConfig and
// ConnectionDrainConfig (which the provider marks Computed); absent:
// SlowStartConfig, UchConfig and unset optional strings.
func TestServerGroupWireShape(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreateSG(t, c, sgReq())
	var body map[string]any
	if err := json.Unmarshal(rawList(t, srv, "ListServerGroups", "ServerGroupIds.1", id), &body); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, body), []string{"MaxResults", "NextToken", "RequestId", "ServerGroups", "TotalCount"}; !slices.Equal(got, want) {
		t.Fatalf("answer keys %v, want %v", got, want)
	}
	g := path(body, "ServerGroups", 0)
	want := []string{"ConfigManagedEnabled", "ConnectionDrainConfig", "CreateTime", "CrossZoneEnabled", "HealthCheckConfig", "Ipv6Enabled",
		"Protocol", "ResourceGroupId", "Scheduler", "ServerCount", "ServerGroupId", "ServerGroupName", "ServerGroupStatus", "ServerGroupType",
		"StickySessionConfig", "UpstreamKeepaliveEnabled", "VpcId"}
	if got := keys(t, g); !slices.Equal(got, want) {
		t.Fatalf("group keys %v, want %v", got, want)
	}
	if got := keys(t, path(g, "StickySessionConfig")); !slices.Equal(got, []string{"StickySessionEnabled"}) || path(g, "StickySessionConfig", "StickySessionEnabled") != false {
		t.Fatalf("StickySessionConfig %v", path(g, "StickySessionConfig"))
	}
	if got := keys(t, path(g, "ConnectionDrainConfig")); !slices.Equal(got, []string{"ConnectionDrainEnabled"}) {
		t.Fatalf("ConnectionDrainConfig %v", path(g, "ConnectionDrainConfig"))
	}
	wantHC := []string{"HealthCheckCodes", "HealthCheckConnectPort", "HealthCheckEnabled", "HealthCheckHttpVersion", "HealthCheckInterval",
		"HealthCheckMethod", "HealthCheckProtocol", "HealthCheckTimeout", "HealthyThreshold", "UnhealthyThreshold"}
	if got := keys(t, path(g, "HealthCheckConfig")); !slices.Equal(got, wantHC) {
		t.Fatalf("HealthCheckConfig keys %v, want %v", got, wantHC)
	}

	// Configured, the optional objects appear.
	id2 := mustCreateSG(t, c, sgReq(func(r *albsdk.CreateServerGroupRequest) {
		r.Scheduler = dara.String("Sch")
		r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartEnabled: dara.Bool(false)}
		r.UchConfig = &albsdk.CreateServerGroupRequestUchConfig{Type: dara.String("QueryString"), Value: dara.String("uid")}
		r.StickySessionConfig = &albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true)}
		r.ServiceName = dara.String("svc")
		r.Tag = []*albsdk.CreateServerGroupRequestTag{{Key: dara.String("k"), Value: dara.String("v")}}
	}))
	body = nil
	if err := json.Unmarshal(rawList(t, srv, "ListServerGroups", "ServerGroupIds.1", id2), &body); err != nil {
		t.Fatal(err)
	}
	g = path(body, "ServerGroups", 0)
	for _, k := range []string{"SlowStartConfig", "UchConfig", "ServiceName", "Tags"} {
		if !slices.Contains(keys(t, g), k) {
			t.Fatalf("configured group lacks %s: %v", k, g)
		}
	}
	if got := keys(t, path(g, "StickySessionConfig")); !slices.Equal(got, []string{"CookieTimeout", "StickySessionEnabled", "StickySessionType"}) {
		t.Fatalf("enabled StickySessionConfig %v", got)
	}
	if path(g, "SlowStartConfig", "SlowStartEnabled") != false || num(path(g, "SlowStartConfig", "SlowStartDuration")) != 30 {
		t.Fatalf("SlowStartConfig %v", path(g, "SlowStartConfig"))
	}

	// A server's JSON: no null, Description absent when not given.
	mustAddServers(t, c, id, instanceServer("Ecs", albtest.ECSInstance1, 80))
	body = nil
	if err := json.Unmarshal(rawList(t, srv, "ListServerGroupServers", "ServerGroupId", id), &body); err != nil {
		t.Fatal(err)
	}
	wantS := []string{"Port", "RemoteIpEnabled", "ServerGroupId", "ServerId", "ServerIp", "ServerType", "Status", "Weight"}
	if got := keys(t, path(body, "Servers", 0)); !slices.Equal(got, wantS) {
		t.Fatalf("server keys %v, want %v", got, wantS)
	}
	if strings.Contains(string(rawList(t, srv, "ListServerGroupServers", "ServerGroupId", id)), "null") {
		t.Fatal("null in ListServerGroupServers")
	}
}
