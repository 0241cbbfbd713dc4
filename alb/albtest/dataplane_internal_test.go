package albtest

import (
	"testing"

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
