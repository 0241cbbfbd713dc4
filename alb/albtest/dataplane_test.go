package albtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// TestDataPlaneServes: a Running listener forwards to its default group's
// member, which sees the client's Host and X-Forwarded-For.
func TestDataPlaneServes(t *testing.T) {
	s := newDP(t)
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	_, addr := s.listener(sg)
	a := request(t, client(), "GET", addr, "www.example.com", "/hello?x=1")
	if a.status != 200 || a.echo.Backend != "web" || a.echo.Host != "www.example.com" || a.echo.Path != "/hello" || a.echo.RawQuery != "x=1" {
		t.Fatalf("answer: %+v", a)
	}
	if got := a.echo.Header.Get("X-Forwarded-For"); got != "127.0.0.1" {
		t.Fatalf("X-Forwarded-For %q", got)
	}
}

// TestDataPlaneDiscovery: ListenerAddr, DataPlane and the control API's
// GET /_albtest/dataplane name every served listener, in exactly the shape
// tools outside the project read: {"listeners":[{"ListenerId",
// "LoadBalancerId","Protocol","Port","Address"}]}, Port a JSON number.
func TestDataPlaneDiscovery(t *testing.T) {
	s := newDP(t)
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	l80, addr80 := s.listener(sg)
	l8443, addr8443 := s.listener(sg, https, port(8443))
	resp, err := http.Get(s.srv.URL() + "/_albtest/dataplane")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got map[string][]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &got); err != nil || len(got) != 1 || len(got["listeners"]) != 2 {
		t.Fatalf("shape: %s (%v)", raw, err)
	}
	want := []map[string]string{
		{"ListenerId": `"` + l80 + `"`, "LoadBalancerId": `"` + s.lb + `"`, "Protocol": `"HTTP"`, "Port": `80`, "Address": `"` + addr80 + `"`},
		{"ListenerId": `"` + l8443 + `"`, "LoadBalancerId": `"` + s.lb + `"`, "Protocol": `"HTTPS"`, "Port": `8443`, "Address": `"` + addr8443 + `"`},
	}
	for i, l := range got["listeners"] {
		if len(l) != 5 {
			t.Fatalf("listener %d has keys %v", i, l)
		}
		for k, v := range want[i] {
			if string(l[k]) != v {
				t.Fatalf("listener %d: %s is %s, want %s (%s)", i, k, l[k], v, raw)
			}
		}
	}
	if !strings.HasPrefix(addr80, "127.0.0.1:") || addr80 == addr8443 {
		t.Fatalf("addresses %s %s", addr80, addr8443)
	}
	dpl := s.srv.DataPlane()
	if len(dpl) != 2 || dpl[0] != (albtest.DataPlaneListener{ListenerID: l80, LoadBalancerID: s.lb, Protocol: "HTTP", Port: 80, Address: addr80}) {
		t.Fatalf("DataPlane: %+v", dpl)
	}
	if _, ok := s.srv.ListenerAddr("lsn-missing"); ok {
		t.Fatal("an unknown listener has an address")
	}
	// The test CA, in PEM.
	resp, err = http.Get(s.srv.URL() + "/_albtest/dataplane/ca")
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if blk, _ := pem.Decode(pemBytes); blk == nil || blk.Type != "CERTIFICATE" || !bytes.Equal(blk.Bytes, s.srv.CACertificate().Raw) {
		t.Fatalf("CA: %s", pemBytes)
	}
}

// refused reports that nothing accepts connections at addr.
func refused(addr string) bool {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return true
	}
	c.Close()
	return false
}

// TestDataPlaneListenerLifecycle: stopping a listener closes its port when
// the stop completes, starting it reopens it on the same port, deleting it
// closes it, and releasing the instance closes the listeners it had.
func TestDataPlaneListenerLifecycle(t *testing.T) {
	s := newDP(t)
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	id, addr := s.listener(sg)
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if a := request(t, noKeepAlive, "GET", addr, "x.test", "/"); a.status != 200 {
		t.Fatalf("running: %d", a.status)
	}
	if _, err := s.c.StopListener(&albsdk.StopListenerRequest{ListenerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	// Configuring: still serving until the stop completes.
	if _, ok := s.srv.ListenerAddr(id); !ok {
		t.Fatal("a listener being stopped stopped serving before the stop completed")
	}
	waitLsn(t, s.c, id, "Stopped")
	if _, ok := s.srv.ListenerAddr(id); ok || !refused(addr) {
		t.Fatal("a Stopped listener still serves")
	}
	if _, err := s.c.StartListener(&albsdk.StartListenerRequest{ListenerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.srv.ListenerAddr(id); ok {
		t.Fatal("a listener being started served before the start completed")
	}
	waitLsn(t, s.c, id, "Running")
	again, ok := s.srv.ListenerAddr(id)
	if !ok || again != addr {
		t.Fatalf("restarted at %q, was %s", again, addr)
	}
	if a := request(t, noKeepAlive, "GET", addr, "x.test", "/"); a.status != 200 {
		t.Fatalf("restarted: %d", a.status)
	}
	// An Inactive instance serves nothing (GUESS); Active again, it does.
	if err := s.srv.SetLoadBalancerStatus(s.lb, "Inactive"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.srv.ListenerAddr(id); ok || !refused(addr) {
		t.Fatal("a listener of an Inactive instance serves")
	}
	if err := s.srv.SetLoadBalancerStatus(s.lb, "Active"); err != nil {
		t.Fatal(err)
	}
	if again, ok := s.srv.ListenerAddr(id); !ok || again != addr {
		t.Fatalf("Active again: %q", again)
	}
	if _, err := s.c.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := s.c.GetListenerAttribute(&albsdk.GetListenerAttributeRequest{ListenerId: dara.String(id)}); err != nil {
			break
		}
	}
	if _, ok := s.srv.ListenerAddr(id); ok || !refused(addr) {
		t.Fatal("a deleted listener still serves")
	}

	// Releasing the instance closes its listeners.
	id2, addr2 := s.listener(sg)
	if _, err := s.c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(s.lb)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := s.c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(s.lb)}); err != nil {
			break
		}
	}
	if _, ok := s.srv.ListenerAddr(id2); ok || !refused(addr2) {
		t.Fatal("a listener of a released instance still serves")
	}
	if got := s.srv.DataPlane(); len(got) != 0 {
		t.Fatalf("still served: %+v", got)
	}
}

// TestDataPlaneOpensOnTheClock: a listener whose creation completes after
// a duration on a ManualClock serves once the clock gets there, without a
// read of the listener.
func TestDataPlaneOpensOnTheClock(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	if err := s.srv.SetTransition(albtest.PhaseProvisioning, albtest.AfterDuration(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	id := mustCreateLsn(t, s.c, lsnReq(s.lb, sg))
	if _, ok := s.srv.ListenerAddr(id); ok {
		t.Fatal("a Provisioning listener serves")
	}
	clk.Advance(29 * time.Second)
	if _, ok := s.srv.ListenerAddr(id); ok {
		t.Fatal("served before its creation completed")
	}
	clk.Advance(time.Second)
	addr, ok := s.srv.ListenerAddr(id)
	if !ok {
		t.Fatal("not served once its creation completed")
	}
	if a := request(t, client(), "GET", addr, "x.test", "/"); a.status != 200 || a.echo.Backend != "web" {
		t.Fatalf("answer %+v", a)
	}
}

// TestDataPlaneOff: WithoutDataPlane serves nothing and answers an empty
// list.
func TestDataPlaneOff(t *testing.T) {
	s := newDP(t, albtest.WithoutDataPlane())
	sg := s.group(nil)
	id := runningLsn(t, s.c, lsnReq(s.lb, sg))
	if _, ok := s.srv.ListenerAddr(id); ok {
		t.Fatal("served with the data plane off")
	}
	if v := ctlOK(t, s.srv, "GET", "/_albtest/dataplane", nil); fmt.Sprint(v) != "map[listeners:[]]" {
		t.Fatalf("control API: %v", v)
	}
	if s.srv.CACertificate() != nil || s.srv.WaitHealthChecks(context.Background()) != nil {
		t.Fatal("a CA or health checks with the data plane off")
	}
}
