package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// TestDataPlane: the program serves a Running listener on a local port,
// lists it at GET /_albtest/dataplane and forwards to a local backend
// registered as an Ip member, with the client's Host header; -backend maps
// an ECS instance's private address.
func TestDataPlane(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "web "+r.Host+" "+r.URL.Path)
	}))
	defer web.Close()
	ecs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ecs") }))
	defer ecs.Close()
	endpoint, summary := startRun(t, "-provisioning", "immediate", "-configuring", "immediate", "-backend", "10.0.1.10:80="+strings.TrimPrefix(ecs.URL, "http://"))
	if !strings.Contains(summary, "data plane: each Running listener on 127.0.0.1:PORT") || !strings.Contains(summary, "backend addresses: 10.0.1.10:80=") {
		t.Fatalf("summary:\n%s", summary)
	}
	c := defaultClient(t, endpoint)
	lb, err := c.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId: dara.String(albtest.DefaultVPCID), AddressType: dara.String("Intranet"), LoadBalancerEdition: dara.String("Standard"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings: []*albsdk.CreateLoadBalancerRequestZoneMappings{
			{VSwitchId: dara.String(albtest.VSwitchH), ZoneId: dara.String(albtest.ZoneH)},
			{VSwitchId: dara.String(albtest.VSwitchJ), ZoneId: dara.String(albtest.ZoneJ)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(web.URL)
	port, _ := strconv.Atoi(u.Port())
	group := func(typ string, server *albsdk.AddServersToServerGroupRequestServers) *string {
		sg, err := c.CreateServerGroup(&albsdk.CreateServerGroupRequest{ServerGroupName: dara.String("web"), ServerGroupType: dara.String(typ),
			VpcId: dara.String(albtest.DefaultVPCID), HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: dara.Bool(false)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddServersToServerGroup(&albsdk.AddServersToServerGroupRequest{ServerGroupId: sg.Body.ServerGroupId,
			Servers: []*albsdk.AddServersToServerGroupRequestServers{server}}); err != nil {
			t.Fatal(err)
		}
		return sg.Body.ServerGroupId
	}
	ipSG := group("Ip", &albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Ip"), ServerId: dara.String("127.0.0.1"), Port: dara.Int32(int32(port))})
	ecsSG := group("Instance", &albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Ecs"), ServerId: dara.String(albtest.ECSInstance1), Port: dara.Int32(80)})
	var listeners []string
	for i, sg := range []*string{ipSG, ecsSG} {
		l, err := c.CreateListener(&albsdk.CreateListenerRequest{LoadBalancerId: lb.Body.LoadBalancerId, ListenerProtocol: dara.String("HTTP"), ListenerPort: dara.Int32(int32(80 + i)),
			DefaultActions: []*albsdk.CreateListenerRequestDefaultActions{{Type: dara.String("ForwardGroup"),
				ForwardGroupConfig: &albsdk.CreateListenerRequestDefaultActionsForwardGroupConfig{
					ServerGroupTuples: []*albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: sg}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		listeners = append(listeners, dara.StringValue(l.Body.ListenerId))
	}
	resp, err := http.Get("http://" + endpoint + "/_albtest/dataplane")
	if err != nil {
		t.Fatal(err)
	}
	var dp struct {
		Listeners []struct {
			ListenerID     string `json:"ListenerId"`
			LoadBalancerID string `json:"LoadBalancerId"`
			Protocol       string
			Port           int
			Address        string
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&dp)
	resp.Body.Close()
	if err != nil || len(dp.Listeners) != 2 || dp.Listeners[0].ListenerID != listeners[0] || dp.Listeners[0].Port != 80 || dp.Listeners[0].Protocol != "HTTP" ||
		dp.Listeners[0].LoadBalancerID != dara.StringValue(lb.Body.LoadBalancerId) || !strings.HasPrefix(dp.Listeners[0].Address, "127.0.0.1:") {
		t.Fatalf("GET /_albtest/dataplane: %+v %v", dp, err)
	}
	for i, want := range []string{"web www.example.com /hello", "ecs"} {
		req, _ := http.NewRequest("GET", "http://"+dp.Listeners[i].Address+"/hello", nil)
		req.Host = "www.example.com"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != want {
			t.Fatalf("listener %d: %d %q, want %q", i, resp.StatusCode, b, want)
		}
	}
}

// TestNoDataPlane: -no-data-plane serves no listener.
func TestNoDataPlane(t *testing.T) {
	endpoint, summary := startRun(t, "-no-data-plane")
	if !strings.Contains(summary, "data plane: off (-no-data-plane)") {
		t.Fatalf("summary:\n%s", summary)
	}
	if st, v := control(t, endpoint, "GET", "/_albtest/dataplane", ""); st != 200 || len(v["listeners"].([]any)) != 0 {
		t.Fatalf("dataplane: %d %v", st, v)
	}
	if err := run(t.Context(), []string{"-no-data-plane", "-backend", "10.0.1.10:80=127.0.0.1:1"}, io.Discard, io.Discard); err == nil {
		t.Fatal("-no-data-plane took -backend")
	}
	if err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-backend", "10.0.1.10=127.0.0.1:1"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "10.0.1.10") {
		t.Fatalf("a malformed -backend: %v", err)
	}
}
