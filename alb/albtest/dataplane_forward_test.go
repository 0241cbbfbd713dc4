package albtest_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// holdAt makes the backend hold requests to path until release is
// closed; each held request is announced on the returned channel.
func holdAt(b *backend, path string, release <-chan struct{}) <-chan struct{} {
	held := make(chan struct{}, 8)
	b.setHandler(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			held <- struct{}{}
			<-release
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"backend":"` + b.name + `"}`))
	})
	return held
}

// async sends a GET in the background; its status arrives on the channel
// (0 for a transport error).
func async(addr, target string) <-chan int {
	out := make(chan int, 1)
	go func() {
		resp, err := client().Get("http://" + addr + target)
		if err != nil {
			out <- 0
			return
		}
		resp.Body.Close()
		out <- resp.StatusCode
	}()
	return out
}

// TestDataPlaneGatewayErrors: no answer within the listener's
// RequestTimeout (on the server clock) is 504, a refused connection 502,
// a group without a member of weight > 0 503, an Instance member whose
// private address is not mapped 502.
func TestDataPlaneGatewayErrors(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	slow := newBackend(t, "slow")
	release := make(chan struct{})
	defer close(release)
	held := holdAt(slow, "/slow", release)
	sg := s.group(nil, slow)
	lsn, addr := s.listener(sg, func(r *albsdk.CreateListenerRequest) { r.RequestTimeout = dara.Int32(10) })

	res := async(addr, "/slow")
	<-held
	clk.Advance(9 * time.Second)
	select {
	case code := <-res:
		t.Fatalf("answered %d before the request timeout", code)
	default:
	}
	clk.Advance(time.Second)
	if code := <-res; code != http.StatusGatewayTimeout {
		t.Fatalf("after the request timeout: %d", code)
	}

	gone := newBackend(t, "gone")
	gone.srv.Close()
	empty := s.group(nil)
	zero := s.groupOf(nil, weighted(newBackend(t, "zero"), 0))
	inst := readySG(t, s.c) // an Instance group
	mustAddServers(t, s.c, inst, &albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Ecs"), ServerId: dara.String(albtest.ECSInstance1), Port: dara.Int32(80)})
	waitSG(t, s.c, inst)
	for i, r := range []struct {
		path, sg string
		status   int
		reason   string
	}{
		{"/gone", s.groupOf(nil, weighted(gone, 100)), 502, "connection-refused"},
		{"/empty", empty, 503, "no-member"},
		{"/zero", zero, 503, "no-member"},
		{"/instance", inst, 502, "unreachable"},
	} {
		addRule(t, s.c, lsn, routing.Rule{Name: "r" + itoa(i), Priority: 10 + i, Conditions: []routing.Condition{routing.Path(r.path)},
			Actions: routing.InOrder(routing.ForwardTo(r.sg))})
		a := request(t, client(), "GET", addr, "x.test", r.path)
		if a.status != r.status || a.header.Get("X-Albtest-Reason") != r.reason {
			t.Fatalf("%s: %d %s, want %d %s", r.path, a.status, a.header.Get("X-Albtest-Reason"), r.status, r.reason)
		}
	}
}

// TestDataPlaneInstanceMembers: an Instance member (ECS, ENI, ECI) is
// reached at the local address its private address and port are mapped to,
// for traffic and health checks alike.
func TestDataPlaneInstanceMembers(t *testing.T) {
	ecs, eni := newBackend(t, "ecs"), newBackend(t, "eni")
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk), albtest.WithBackendAddress("10.0.1.10:80", ecs.srv.Listener.Addr().String()))
	if err := s.srv.MapBackendAddress("10.0.1.21:8080", eni.srv.Listener.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.MapBackendAddress("10.0.1.21", "x"); err == nil {
		t.Fatal("a malformed address was mapped")
	}
	sg := readySG(t, s.c, fastChecks)
	mustAddServers(t, s.c, sg,
		&albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Ecs"), ServerId: dara.String(albtest.ECSInstance1), Port: dara.Int32(80)},
		&albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Eni"), ServerId: dara.String(albtest.ENI1), ServerIp: dara.String("10.0.1.21"), Port: dara.Int32(8080)})
	waitSG(t, s.c, sg)
	lsn, addr := s.listener(sg)
	s.healthy(clk)
	if got := nonNormal(t, s.c, lsn); len(got) != 0 {
		t.Fatalf("mapped members: %v", got)
	}
	if got := count(t, client(), addr, "/", 4); got["ecs"] != 2 || got["eni"] != 2 {
		t.Fatalf("traffic: %v", got)
	}
	v := ctlOK(t, s.srv, "PUT", "/_albtest/dataplane/backends", map[string]string{"privateAddress": "10.0.1.21:8080", "localAddress": ""})
	if m := v.(map[string]any); len(m) != 1 || m["10.0.1.10:80"] != ecs.srv.Listener.Addr().String() {
		t.Fatalf("control API: %v", v)
	}
	clk.Advance(time.Second)
	if err := s.srv.WaitHealthChecks(ctx(t)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if err := s.srv.WaitHealthChecks(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := nonNormal(t, s.c, lsn); len(got) != 1 || !strings.HasPrefix(got[0], albtest.ENI1+":8080 Unhealthy CONNECT_FAILED") {
		t.Fatalf("unmapped ENI: %v", got)
	}
}

// TestDataPlaneConnectionDraining: a request in flight to a member that is
// removed finishes when the group drains connections (up to
// ConnectionDrainTimeout on the clock), and is cut (502) when it does not.
func TestDataPlaneConnectionDraining(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	drain := func(r *albsdk.CreateServerGroupRequest) {
		r.ConnectionDrainConfig = &albsdk.CreateServerGroupRequestConnectionDrainConfig{ConnectionDrainEnabled: dara.Bool(true), ConnectionDrainTimeout: dara.Int32(30)}
	}
	for _, tc := range []struct {
		name    string
		mods    []func(*albsdk.CreateServerGroupRequest)
		advance time.Duration // clock moved after the removal
		want    int
	}{
		{"draining, done in time", []func(*albsdk.CreateServerGroupRequest){drain}, 29 * time.Second, 200},
		{"draining, past the timeout", []func(*albsdk.CreateServerGroupRequest){drain}, 30 * time.Second, 502},
		{"no draining", nil, 0, 502},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, "b")
			release := make(chan struct{})
			held := holdAt(b, "/slow", release)
			sg := s.group(tc.mods, b)
			lsn, addr := s.listener(sg, port(int32(1000+len(s.srv.DataPlane()))))
			res := async(addr, "/slow")
			<-held
			if _, err := s.c.RemoveServersFromServerGroup(&albsdk.RemoveServersFromServerGroupRequest{ServerGroupId: dara.String(sg),
				Servers: []*albsdk.RemoveServersFromServerGroupRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String(b.ip), Port: dara.Int32(b.port)}}}); err != nil {
				t.Fatal(err)
			}
			waitSG(t, s.c, sg)
			if _, ok := s.srv.ListenerAddr(lsn); !ok { // the data plane takes the change
				t.Fatal("not served")
			}
			clk.Advance(tc.advance)
			if tc.want == 200 {
				close(release)
				if code := <-res; code != 200 {
					t.Fatalf("drained request: %d", code)
				}
				return
			}
			code := <-res
			close(release)
			if code != tc.want {
				t.Fatalf("cut request: %d", code)
			}
			if a := request(t, client(), "GET", addr, "x.test", "/"); a.status != 503 {
				t.Fatalf("after the removal: %d", a.status)
			}
		})
	}
}

// TestDataPlaneForwardedHeaders: the X-Forwarded-* headers, SLB-ID and the
// client source port as the listener's XForwardedForConfig says, and the
// listener's configured port in Host and X-Forwarded-Port whatever local
// port served the request.
func TestDataPlaneForwardedHeaders(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	b := newBackend(t, "b")
	sg := s.group(nil, b)
	_, all := s.listener(sg, func(r *albsdk.CreateListenerRequest) {
		r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{
			XForwardedForEnabled: dara.Bool(true), XForwardedForProtoEnabled: dara.Bool(true), XForwardedForSLBIdEnabled: dara.Bool(true),
			XForwardedForSLBPortEnabled: dara.Bool(true), XForwardedForHostEnabled: dara.Bool(true), XForwardedForClientSrcPortEnabled: dara.Bool(true)}
	})
	var local string
	req, _ := http.NewRequest("GET", "http://"+all+"/h", nil) // Host: 127.0.0.1:LOCALPORT
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		local = ci.Conn.LocalAddr().String()
	}}))
	a := send(t, client(), req)
	_, srcPort, _ := net.SplitHostPort(local)
	h := a.echo.Header
	for k, want := range map[string]string{
		"X-Forwarded-For": "203.0.113.9, 127.0.0.1", "X-Forwarded-Proto": "http", "Slb-Id": s.lb, "X-Forwarded-Port": "80",
		"X-Forwarded-Host": "127.0.0.1", "X-Forwarded-Client-Srcport": srcPort,
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if a.echo.Host != "127.0.0.1" {
		t.Errorf("Host %q: the listener's port 80 is the default", a.echo.Host)
	}

	// A listener on 8080 keeps its port in Host; by default only
	// X-Forwarded-For is added, and what the client sent passes.
	_, def := s.listener(sg, port(8080))
	_, localPort, _ := net.SplitHostPort(def)
	a = request(t, client(), "GET", def, "shop.test:"+localPort, "/", "X-Forwarded-Proto: gopher")
	if a.echo.Host != "shop.test:8080" || a.echo.Header.Get("X-Forwarded-For") != "127.0.0.1" || a.echo.Header.Get("X-Forwarded-Proto") != "gopher" ||
		a.echo.Header.Get("X-Forwarded-Port") != "" || a.echo.Header.Get("Slb-Id") != "" {
		t.Errorf("defaults: Host %q, headers %v", a.echo.Host, a.echo.Header)
	}

	// remove drops X-Forwarded-For; off passes the client's as is.
	_, rm := s.listener(sg, port(8081), func(r *albsdk.CreateListenerRequest) {
		r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{XForwardedForEnabled: dara.Bool(true), XForwardedForProcessingMode: dara.String("remove")}
	})
	if got := request(t, client(), "GET", rm, "x.test", "/", "X-Forwarded-For: 203.0.113.9").echo.Header.Get("X-Forwarded-For"); got != "" {
		t.Errorf("remove: %q", got)
	}
	_, off := s.listener(sg, port(8082), func(r *albsdk.CreateListenerRequest) {
		r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{XForwardedForEnabled: dara.Bool(false)}
	})
	if got := request(t, client(), "GET", off, "x.test", "/", "X-Forwarded-For: 203.0.113.9").echo.Header.Get("X-Forwarded-For"); got != "203.0.113.9" {
		t.Errorf("off: %q", got)
	}
}

// TestDataPlaneChangesWhenComplete: a rule update, a member added, a weight
// changed and a listener's default action changed reach traffic when their
// change completes, not before.
func TestDataPlaneChangesWhenComplete(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b, c := newBackend(t, "a"), newBackend(t, "b"), newBackend(t, "c")
	sga, sgb := s.group(nil, a), s.group(nil, b)
	lsn, addr := s.listener(sga)
	rule := routing.Rule{Name: "version", Priority: 1, Conditions: []routing.Condition{routing.Path("/v")}, Actions: routing.InOrder(routing.ForwardTo(sga))}
	id := addRule(t, s.c, lsn, rule)
	if err := s.srv.SetTransition(albtest.PhaseConfiguring, albtest.Manual()); err != nil {
		t.Fatal(err)
	}
	cl := client()
	backendOf := func(target string) string { return request(t, cl, "GET", addr, "x.test", target).echo.Backend }

	rule.Actions = routing.InOrder(routing.ForwardTo(sgb))
	changeRule(t, s.c, id, rule)
	if r, _ := s.srv.Rule(id); r.Status != "Configuring" || backendOf("/v") != "a" {
		t.Fatalf("while the update is Configuring: %s, traffic to %s", r.Status, backendOf("/v"))
	}
	if _, err := s.srv.Advance(id); err != nil {
		t.Fatal(err)
	}
	if got := backendOf("/v"); got != "b" {
		t.Fatalf("once the update is Available: %s", got)
	}

	mustAddServers(t, s.c, sga, c.server(100))
	if got := count(t, cl, addr, "/", 4); got["a"] != 4 {
		t.Fatalf("while the member is being added: %v", got)
	}
	if _, err := s.srv.Advance(sga); err != nil {
		t.Fatal(err)
	}
	if got := count(t, cl, addr, "/", 4); got["a"] != 2 || got["c"] != 2 {
		t.Fatalf("once added: %v", got)
	}
	if _, err := s.c.UpdateServerGroupServersAttribute(&albsdk.UpdateServerGroupServersAttributeRequest{ServerGroupId: dara.String(sga),
		Servers: []*albsdk.UpdateServerGroupServersAttributeRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String(c.ip), Port: dara.Int32(c.port), Weight: dara.Int32(0)}}}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, cl, addr, "/", 4); got["c"] != 2 {
		t.Fatalf("while the weight changes: %v", got)
	}
	if _, err := s.srv.Advance(sga); err != nil {
		t.Fatal(err)
	}
	if got := count(t, cl, addr, "/", 4); got["a"] != 4 {
		t.Fatalf("once the weight is 0: %v", got)
	}

	if _, err := s.c.UpdateListenerAttribute(&albsdk.UpdateListenerAttributeRequest{ListenerId: dara.String(lsn),
		DefaultActions: []*albsdk.UpdateListenerAttributeRequestDefaultActions{{Type: dara.String("ForwardGroup"),
			ForwardGroupConfig: &albsdk.UpdateListenerAttributeRequestDefaultActionsForwardGroupConfig{
				ServerGroupTuples: []*albsdk.UpdateListenerAttributeRequestDefaultActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: dara.String(sgb)}}}}}}); err != nil {
		t.Fatal(err)
	}
	if got := backendOf("/"); got != "a" {
		t.Fatalf("while the listener is Configuring: %s", got)
	}
	if _, err := s.srv.Advance(lsn); err != nil {
		t.Fatal(err)
	}
	if got := backendOf("/"); got != "b" {
		t.Fatalf("once the listener is Running: %s", got)
	}
}
