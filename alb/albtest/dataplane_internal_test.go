package albtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// dpIdle reports a data plane with no ticker, no socket and nothing to
// follow.
func dpIdle(s *Server) bool {
	s.dp.tickMu.Lock()
	tick := s.dp.tick
	s.dp.tickMu.Unlock()
	s.dp.sockMu.Lock()
	n := len(s.dp.open)
	s.dp.sockMu.Unlock()
	s.mu.lockRead()
	active := s.dp.active
	s.mu.Mutex.Unlock()
	return tick == nil && n == 0 && !active
}

// TestDataPlaneCostsNothingWithoutListeners: until a listener exists the
// data plane runs no goroutine and opens no socket; it does once one
// exists, and stops again once the last one is gone.
func TestDataPlaneCostsNothingWithoutListeners(t *testing.T) {
	s := NewServer(WithTransitions(Immediate()))
	defer s.Close()
	c := s.ALBClient()
	lb, err := c.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId: dara.String(DefaultVPCID), AddressType: dara.String("Intranet"), LoadBalancerName: dara.String("idle"),
		LoadBalancerEdition:       dara.String("Standard"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings:              []*albsdk.CreateLoadBalancerRequestZoneMappings{{VSwitchId: dara.String(VSwitchH), ZoneId: dara.String(ZoneH)}, {VSwitchId: dara.String(VSwitchI), ZoneId: dara.String(ZoneI)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sg, err := c.CreateServerGroup(&albsdk.CreateServerGroupRequest{ServerGroupName: dara.String("idle"), ServerGroupType: dara.String("Ip"),
		VpcId: dara.String(DefaultVPCID), HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: dara.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if !dpIdle(s) {
		t.Fatal("the data plane works with no listener")
	}
	lsn, err := c.CreateListener(&albsdk.CreateListenerRequest{LoadBalancerId: lb.Body.LoadBalancerId, ListenerProtocol: dara.String("HTTP"), ListenerPort: dara.Int32(80),
		DefaultActions: []*albsdk.CreateListenerRequestDefaultActions{{Type: dara.String("ForwardGroup"),
			ForwardGroupConfig: &albsdk.CreateListenerRequestDefaultActionsForwardGroupConfig{
				ServerGroupTuples: []*albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: sg.Body.ServerGroupId}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if dpIdle(s) {
		t.Fatal("a Running listener and an idle data plane")
	}
	if _, err := c.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: lsn.Body.ListenerId}); err != nil {
		t.Fatal(err)
	}
	if !dpIdle(s) {
		t.Fatal("the data plane still works once the last listener is gone")
	}
}

// cannedTransport answers every request with the same small answer,
// without a network.
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Content-Type": {"text/plain"}},
		Body: io.NopCloser(strings.NewReader("0123456789012345678901234567890123456789012345678901234567890123")), ContentLength: 64, Request: r}, nil
}

// BenchmarkServeHTTPOverhead is the data plane's own CPU cost per request
// (100 rules, the last matching) against a bare ReverseProxy, both over a
// canned transport: no network, no backend. For investigation of the
// per-request cost; BenchmarkDataPlane measures end to end.
func BenchmarkServeHTTPOverhead(b *testing.B) {
	s := NewServer(WithClock(NewManualClock(time.Time{})), WithTransitions(Immediate()), WithInstanceQuotas("Standard", InstanceQuotas{Rules: 200}))
	defer s.Close()
	c := s.ALBClient()
	lb, err := c.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId: dara.String(DefaultVPCID), AddressType: dara.String("Intranet"), LoadBalancerName: dara.String("bench"),
		LoadBalancerEdition:       dara.String("Standard"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings:              []*albsdk.CreateLoadBalancerRequestZoneMappings{{VSwitchId: dara.String(VSwitchH), ZoneId: dara.String(ZoneH)}, {VSwitchId: dara.String(VSwitchI), ZoneId: dara.String(ZoneI)}},
	})
	if err != nil {
		b.Fatal(err)
	}
	sg, err := c.CreateServerGroup(&albsdk.CreateServerGroupRequest{ServerGroupName: dara.String("bench"), ServerGroupType: dara.String("Ip"),
		VpcId: dara.String(DefaultVPCID), HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: dara.Bool(false)}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.AddServersToServerGroup(&albsdk.AddServersToServerGroupRequest{ServerGroupId: sg.Body.ServerGroupId,
		Servers: []*albsdk.AddServersToServerGroupRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String("127.0.0.1"), Port: dara.Int32(9)}}}); err != nil {
		b.Fatal(err)
	}
	lsn, err := c.CreateListener(&albsdk.CreateListenerRequest{LoadBalancerId: lb.Body.LoadBalancerId, ListenerProtocol: dara.String("HTTP"), ListenerPort: dara.Int32(80),
		DefaultActions: []*albsdk.CreateListenerRequestDefaultActions{{Type: dara.String("ForwardGroup"),
			ForwardGroupConfig: &albsdk.CreateListenerRequestDefaultActionsForwardGroupConfig{
				ServerGroupTuples: []*albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: sg.Body.ServerGroupId}}}}}})
	if err != nil {
		b.Fatal(err)
	}
	fwd := []*albsdk.CreateRuleRequestRuleActions{{Type: dara.String("ForwardGroup"), Order: dara.Int32(1),
		ForwardGroupConfig: &albsdk.CreateRuleRequestRuleActionsForwardGroupConfig{ServerGroupTuples: []*albsdk.CreateRuleRequestRuleActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: sg.Body.ServerGroupId}}}}}
	for i := 1; i <= 100; i++ {
		conds := []*albsdk.CreateRuleRequestRuleConditions{
			{Type: dara.String("Host"), HostConfig: &albsdk.CreateRuleRequestRuleConditionsHostConfig{Values: dara.StringSlice([]string{fmt.Sprintf("svc%d.example.com", i)})}},
			{Type: dara.String("Path"), PathConfig: &albsdk.CreateRuleRequestRuleConditionsPathConfig{Values: dara.StringSlice([]string{fmt.Sprintf("/svc%d/*", i)})}}}
		if i == 100 {
			conds = conds[1:]
			conds[0].PathConfig.Values = dara.StringSlice([]string{"/bench"})
		}
		if _, err := c.CreateRule(&albsdk.CreateRuleRequest{ListenerId: lsn.Body.ListenerId, Priority: dara.Int32(int32(i)), RuleName: dara.String(fmt.Sprintf("svc%d", i)),
			RuleConditions: conds, RuleActions: fwd}); err != nil {
			b.Fatal(err)
		}
	}
	s.dp.transport.fake = cannedTransport{}
	s.dp.sockMu.Lock()
	l := s.dp.open[*lsn.Body.ListenerId]
	s.dp.sockMu.Unlock()
	bare := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "127.0.0.1:9"
		pr.Out.Host = pr.In.Host
		pr.SetXForwarded()
	}, Transport: cannedTransport{}, BufferPool: bufPool}
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"dataplane", l}} {
		b.Run(h.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "http://bench.example.com/bench", nil)
			req.RemoteAddr = "127.0.0.1:40000"
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
