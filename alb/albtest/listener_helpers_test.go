package albtest_test

import (
	"strconv"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// readyLB creates an instance of the edition (Standard when "") and
// waits until it is Active.
func readyLB(t testing.TB, c *albsdk.Client, editionName string) string {
	t.Helper()
	id := mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		if editionName != "" {
			r.LoadBalancerEdition = dara.String(editionName)
		}
	}))
	waitActive(t, c, id)
	return id
}

// readySG creates a server group (sgReq with mods) and waits until it is
// Available.
func readySG(t testing.TB, c *albsdk.Client, mods ...func(*albsdk.CreateServerGroupRequest)) string {
	t.Helper()
	id := mustCreateSG(t, c, sgReq(mods...))
	waitSG(t, c, id)
	return id
}

// lsnReq is a valid HTTP listener on port 80 of lb forwarding to sg.
func lsnReq(lb, sg string, mods ...func(*albsdk.CreateListenerRequest)) *albsdk.CreateListenerRequest {
	r := &albsdk.CreateListenerRequest{
		LoadBalancerId: dara.String(lb), ListenerProtocol: dara.String("HTTP"), ListenerPort: dara.Int32(80),
		DefaultActions: []*albsdk.CreateListenerRequestDefaultActions{{
			Type: dara.String("ForwardGroup"),
			ForwardGroupConfig: &albsdk.CreateListenerRequestDefaultActionsForwardGroupConfig{
				ServerGroupTuples: []*albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: dara.String(sg)}},
			},
		}},
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

// https makes lsnReq an HTTPS listener on 443 with a default certificate.
func https(r *albsdk.CreateListenerRequest) {
	r.ListenerProtocol, r.ListenerPort = dara.String("HTTPS"), dara.Int32(443)
	r.Certificates = []*albsdk.CreateListenerRequestCertificates{{CertificateId: dara.String(albtest.CertificateExample)}}
}

func port(p int32) func(*albsdk.CreateListenerRequest) {
	return func(r *albsdk.CreateListenerRequest) { r.ListenerPort = dara.Int32(p) }
}

func mustCreateLsn(t testing.TB, c *albsdk.Client, r *albsdk.CreateListenerRequest) string {
	t.Helper()
	resp, err := c.CreateListener(r)
	if err != nil {
		t.Fatalf("CreateListener: %v", err)
	}
	return dara.StringValue(resp.Body.ListenerId)
}

func getLsn(t testing.TB, c *albsdk.Client, id string) *albsdk.GetListenerAttributeResponseBody {
	t.Helper()
	resp, err := c.GetListenerAttribute(&albsdk.GetListenerAttributeRequest{ListenerId: dara.String(id)})
	if err != nil {
		t.Fatalf("GetListenerAttribute(%s): %v", id, err)
	}
	return resp.Body
}

// waitLsn polls GetListenerAttribute until the listener reads want.
func waitLsn(t testing.TB, c *albsdk.Client, id, want string) *albsdk.GetListenerAttributeResponseBody {
	t.Helper()
	for i := 0; i < 10; i++ {
		if b := getLsn(t, c, id); dara.StringValue(b.ListenerStatus) == want {
			return b
		}
	}
	t.Fatalf("listener %s not %s after 10 reads", id, want)
	return nil
}

// runningLsn creates the listener and waits until it is Running.
func runningLsn(t testing.TB, c *albsdk.Client, r *albsdk.CreateListenerRequest) string {
	t.Helper()
	id := mustCreateLsn(t, c, r)
	waitLsn(t, c, id, "Running")
	return id
}

// stack is an Active Standard instance with an HTTP listener on port 80
// forwarding to an Ip server group, all ready.
type stack struct {
	srv       *albtest.Server
	c         *albsdk.Client
	lb, sg    string
	listener  string
	otherSG   string // a second Ip group of the same VPC
	editionOf string
}

func newStack(t testing.TB, editionName string, opts ...albtest.Option) *stack {
	t.Helper()
	srv, c := start(t, opts...)
	st := &stack{srv: srv, c: c, editionOf: editionName}
	st.lb = readyLB(t, c, editionName)
	st.sg = readySG(t, c, ipGroup)
	st.otherSG = readySG(t, c, ipGroup)
	st.listener = runningLsn(t, c, lsnReq(st.lb, st.sg))
	return st
}

// Condition and action builders of CreateRule requests.
func hostCond(values ...string) *albsdk.CreateRuleRequestRuleConditions {
	return &albsdk.CreateRuleRequestRuleConditions{Type: dara.String("Host"),
		HostConfig: &albsdk.CreateRuleRequestRuleConditionsHostConfig{Values: dara.StringSlice(values)}}
}

func pathCond(values ...string) *albsdk.CreateRuleRequestRuleConditions {
	return &albsdk.CreateRuleRequestRuleConditions{Type: dara.String("Path"),
		PathConfig: &albsdk.CreateRuleRequestRuleConditionsPathConfig{Values: dara.StringSlice(values)}}
}

func forwardAct(order int32, groups ...string) *albsdk.CreateRuleRequestRuleActions {
	fg := &albsdk.CreateRuleRequestRuleActionsForwardGroupConfig{}
	for _, g := range groups {
		fg.ServerGroupTuples = append(fg.ServerGroupTuples, &albsdk.CreateRuleRequestRuleActionsForwardGroupConfigServerGroupTuples{ServerGroupId: dara.String(g), Weight: dara.Int32(50)})
	}
	return &albsdk.CreateRuleRequestRuleActions{Type: dara.String("ForwardGroup"), Order: dara.Int32(order), ForwardGroupConfig: fg}
}

func fixedAct(order int32, code string) *albsdk.CreateRuleRequestRuleActions {
	return &albsdk.CreateRuleRequestRuleActions{Type: dara.String("FixedResponse"), Order: dara.Int32(order),
		FixedResponseConfig: &albsdk.CreateRuleRequestRuleActionsFixedResponseConfig{HttpCode: dara.String(code), Content: dara.String("hello"), ContentType: dara.String("text/plain")}}
}

// ruleReq is a valid Request rule of priority prio on listener forwarding
// /api/* to sg.
func ruleReq(listener string, prio int32, sg string, mods ...func(*albsdk.CreateRuleRequest)) *albsdk.CreateRuleRequest {
	r := &albsdk.CreateRuleRequest{
		ListenerId: dara.String(listener), Priority: dara.Int32(prio), RuleName: dara.String("rule-" + itoa(int(prio))),
		RuleConditions: []*albsdk.CreateRuleRequestRuleConditions{pathCond("/api/*")},
		RuleActions:    []*albsdk.CreateRuleRequestRuleActions{forwardAct(1, sg)},
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

func itoa(n int) string { return strconv.Itoa(n) }

func mustCreateRule(t testing.TB, c *albsdk.Client, r *albsdk.CreateRuleRequest) string {
	t.Helper()
	resp, err := c.CreateRule(r)
	if err != nil {
		t.Fatalf("CreateRule: %v", err)
	}
	return dara.StringValue(resp.Body.RuleId)
}

// listRule is ListRules by ID (and direction): the rule, or nil.
func listRule(t testing.TB, c *albsdk.Client, id, direction string) *albsdk.ListRulesResponseBodyRules {
	t.Helper()
	req := &albsdk.ListRulesRequest{RuleIds: dara.StringSlice([]string{id})}
	if direction != "" {
		req.Direction = dara.String(direction)
	}
	resp, err := c.ListRules(req)
	if err != nil {
		t.Fatalf("ListRules(%s): %v", id, err)
	}
	if len(resp.Body.Rules) == 0 {
		return nil
	}
	return resp.Body.Rules[0]
}

// waitRule polls ListRules until the rule reads want.
func waitRule(t testing.TB, c *albsdk.Client, id, direction, want string) *albsdk.ListRulesResponseBodyRules {
	t.Helper()
	for i := 0; i < 10; i++ {
		if r := listRule(t, c, id, direction); r != nil && dara.StringValue(r.RuleStatus) == want {
			return r
		}
	}
	t.Fatalf("rule %s not %s after 10 reads", id, want)
	return nil
}

// readyRule creates the rule and waits until it is Available.
func readyRule(t testing.TB, c *albsdk.Client, r *albsdk.CreateRuleRequest) string {
	t.Helper()
	id := mustCreateRule(t, c, r)
	waitRule(t, c, id, "", "Available")
	return id
}

// updNameReq renames an instance (an update that makes it Configuring).
func updNameReq(lb, name string) *albsdk.UpdateLoadBalancerAttributeRequest {
	return &albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(lb), LoadBalancerName: dara.String(name)}
}
