package albtest_test

import (
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// TestBusyListenerAndRule: while a listener changes, its own changes answer
// IncorrectStatus.Listener and rule writes, certificate associations and
// its deletion ResourceInConfiguring.Listener; while a rule changes, its
// writes answer IncorrectStatus.Rule; rule changes leave the listener
// Running; ClientToken and DryRun work on rule writes.
func TestBusyListenerAndRule(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	rule := readyRule(t, c, ruleReq(s.listener, 1, s.sg))
	if _, err := c.UpdateListenerAttribute(&albsdk.UpdateListenerAttributeRequest{ListenerId: dara.String(s.listener), IdleTimeout: dara.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.StopListener(&albsdk.StopListenerRequest{ListenerId: dara.String(s.listener)})
	sdkErr(t, err, "IncorrectStatus.Listener", 400)
	_, err = c.CreateRule(ruleReq(s.listener, 2, s.sg))
	sdkErr(t, err, "ResourceInConfiguring.Listener", 400)
	_, err = c.UpdateRuleAttribute(&albsdk.UpdateRuleAttributeRequest{RuleId: dara.String(rule), RuleName: dara.String("renamed")})
	sdkErr(t, err, "ResourceInConfiguring.Listener", 400)
	_, err = c.DeleteRule(&albsdk.DeleteRuleRequest{RuleId: dara.String(rule)})
	sdkErr(t, err, "ResourceInConfiguring.Listener", 400)
	_, err = c.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: dara.String(s.listener)})
	sdkErr(t, err, "ResourceInConfiguring.Listener", 400)
	waitLsn(t, c, s.listener, "Running")

	// A rule change: the rule is busy, the listener is not.
	if _, err := c.UpdateRuleAttribute(&albsdk.UpdateRuleAttributeRequest{RuleId: dara.String(rule), RuleName: dara.String("renamed")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateRuleAttribute(&albsdk.UpdateRuleAttributeRequest{RuleId: dara.String(rule), RuleName: dara.String("again")})
	sdkErr(t, err, "IncorrectStatus.Rule", 400)
	_, err = c.DeleteRules(&albsdk.DeleteRulesRequest{RuleIds: dara.StringSlice([]string{rule})})
	sdkErr(t, err, "IncorrectStatus.Rule", 400)
	if b := getLsn(t, c, s.listener); dara.StringValue(b.ListenerStatus) != "Running" {
		t.Fatalf("a rule change made the listener %s", dara.StringValue(b.ListenerStatus))
	}
	other := mustCreateRule(t, c, ruleReq(s.listener, 2, s.sg)) // rule writes on the same listener go on
	waitRule(t, c, rule, "", "Available")
	waitRule(t, c, other, "", "Available")

	// SetListenerStatus and SetRuleStatus.
	if err := s.srv.SetListenerStatus(s.listener, "Configuring"); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRule(ruleReq(s.listener, 3, s.sg))
	sdkErr(t, err, "ResourceInConfiguring.Listener", 400)
	if err := s.srv.SetListenerStatus(s.listener, "Running"); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.SetRuleStatus(rule, "Configuring"); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRule(&albsdk.DeleteRuleRequest{RuleId: dara.String(rule)})
	sdkErr(t, err, "IncorrectStatus.Rule", 400)
	if err := s.srv.SetRuleStatus(rule, "Available"); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.SetRuleStatus(rule, "Gone"); err == nil {
		t.Fatal("SetRuleStatus took an unknown status")
	}
	if err := s.srv.SetListenerStatus("lsn-missing", "Running"); err == nil {
		t.Fatal("SetListenerStatus took an unknown listener")
	}

	// ClientToken and DryRun on rule writes.
	req := ruleReq(s.listener, 4, s.sg, func(r *albsdk.CreateRuleRequest) { r.ClientToken = dara.String("rule-token") })
	first, err := c.CreateRule(req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateRule(req)
	if err != nil || dara.StringValue(again.Body.RuleId) != dara.StringValue(first.Body.RuleId) {
		t.Fatalf("replay: %v %v", again, err)
	}
	_, err = c.CreateRule(ruleReq(s.listener, 5, s.sg, func(r *albsdk.CreateRuleRequest) { r.ClientToken = dara.String("rule-token") }))
	sdkErr(t, err, "IdempotentParameterMismatch", 400)
	n := len(s.srv.Rules(s.listener))
	for _, call := range []func() error{
		func() error {
			_, err := c.CreateRule(ruleReq(s.listener, 6, s.sg, func(r *albsdk.CreateRuleRequest) { r.DryRun = dara.Bool(true) }))
			return err
		},
		func() error {
			_, err := c.UpdateRuleAttribute(&albsdk.UpdateRuleAttributeRequest{RuleId: dara.String(rule), Priority: dara.Int32(9), DryRun: dara.Bool(true)})
			return err
		},
		func() error {
			_, err := c.DeleteRule(&albsdk.DeleteRuleRequest{RuleId: dara.String(rule), DryRun: dara.Bool(true)})
			return err
		},
		func() error {
			_, err := c.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: dara.String(s.listener), DryRun: dara.Bool(true)})
			return err
		},
	} {
		sdkErr(t, call(), "DryRunOperation", 400)
	}
	if r, _ := s.srv.Rule(rule); r.Status != "Available" || r.Priority != 1 || len(s.srv.Rules(s.listener)) != n {
		t.Fatalf("a DryRun changed something: %+v", r)
	}
}

// TestReferencesAndCascades: a server group used by a listener's default
// action, a rule's forward or its mirror cannot be deleted
// (ResourceInUse.ServerGroup) and lists the instance in
// RelatedLoadBalancerIds; deleting a listener deletes its rules; releasing
// an instance deletes its listeners and their rules, and the groups can
// go.
func TestReferencesAndCascades(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	mirror := readySG(t, c, ipGroup)
	rule := readyRule(t, c, ruleReq(s.listener, 1, s.otherSG, func(r *albsdk.CreateRuleRequest) {
		r.RuleActions = []*albsdk.CreateRuleRequestRuleActions{{Type: dara.String("TrafficMirror"), Order: dara.Int32(1),
			TrafficMirrorConfig: &albsdk.CreateRuleRequestRuleActionsTrafficMirrorConfig{TargetType: dara.String("ForwardGroupMirror"),
				MirrorGroupConfig: &albsdk.CreateRuleRequestRuleActionsTrafficMirrorConfigMirrorGroupConfig{
					ServerGroupTuples: []*albsdk.CreateRuleRequestRuleActionsTrafficMirrorConfigMirrorGroupConfigServerGroupTuples{{ServerGroupId: dara.String(mirror)}}}}},
			forwardAct(2, s.otherSG)}
	}))
	for _, sg := range []string{s.sg, s.otherSG, mirror} {
		_, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(sg)})
		sdkErr(t, err, "ResourceInUse.ServerGroup", 400)
		if g := sgList(t, c, sg); len(g.RelatedLoadBalancerIds) != 1 || dara.StringValue(g.RelatedLoadBalancerIds[0]) != s.lb {
			t.Fatalf("RelatedLoadBalancerIds of %s: %s", sg, g.String())
		}
	}
	unused := readySG(t, c, ipGroup)
	if g := sgList(t, c, unused); g.RelatedLoadBalancerIds != nil {
		t.Fatalf("an unused group has RelatedLoadBalancerIds: %s", g.String())
	}
	// Deleting the listener deletes its rule.
	if _, err := c.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: dara.String(s.listener)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.srv.Rule(rule); !ok {
		t.Fatal("the rule went before its listener")
	}
	if b := getLsn(t, c, s.listener); dara.StringValue(b.ListenerStatus) != "Deleting" {
		t.Fatalf("deleting: %s", b.String())
	}
	_, err := c.GetListenerAttribute(&albsdk.GetListenerAttributeRequest{ListenerId: dara.String(s.listener)})
	sdkErr(t, err, "ResourceNotFound.Listener", 404)
	if _, ok := s.srv.Rule(rule); ok {
		t.Fatal("the rule outlived its listener")
	}
	_, err = c.DeleteRule(&albsdk.DeleteRuleRequest{RuleId: dara.String(rule)})
	sdkErr(t, err, "ResourceNotFound.Rule", 404)
	for _, sg := range []string{s.sg, s.otherSG, mirror} {
		if _, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(sg)}); err != nil {
			t.Fatalf("delete of %s once unused: %v", sg, err)
		}
	}

	// Releasing an instance releases its listeners and their rules.
	lsn := runningLsn(t, c, lsnReq(s.lb, unused))
	r2 := readyRule(t, c, ruleReq(lsn, 1, unused))
	if _, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(s.lb)}); err != nil {
		t.Fatal(err)
	}
	get(t, c, s.lb) // Deleting, read once: the release completes at the next read
	_, err = c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(s.lb)})
	sdkErr(t, err, "ResourceNotFound.LoadBalancer", 404)
	if _, ok := s.srv.Listener(lsn); ok {
		t.Fatal("the listener outlived its instance")
	}
	if _, ok := s.srv.Rule(r2); ok {
		t.Fatal("the rule outlived its instance")
	}
	_, err = c.GetListenerAttribute(&albsdk.GetListenerAttributeRequest{ListenerId: dara.String(lsn)})
	sdkErr(t, err, "ResourceNotFound.Listener", 404)
	if _, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(unused)}); err != nil {
		t.Fatalf("the group of a released instance: %v", err)
	}
}

// TestListenerCertificates associates and dissociates additional
// certificates (Associating → Associated, Dissociating → gone), lists them
// with the default and CA certificates, and applies the checks: HTTPS or
// QUIC only, known server certificates, the per-instance quota.
func TestListenerCertificates(t *testing.T) {
	s := newStack(t, "Standard", albtest.WithInstanceQuotas("Standard", albtest.InstanceQuotas{AdditionalCertificates: 2}))
	c := s.c
	id := runningLsn(t, c, lsnReq(s.lb, s.sg, https, func(r *albsdk.CreateListenerRequest) {
		r.CaEnabled = dara.Bool(true)
		r.CaCertificates = []*albsdk.CreateListenerRequestCaCertificates{{CertificateId: dara.String(albtest.CertificateCA)}}
	}))
	assoc := func(lsn string, ids ...string) error {
		req := &albsdk.AssociateAdditionalCertificatesWithListenerRequest{ListenerId: dara.String(lsn)}
		for _, x := range ids {
			req.Certificates = append(req.Certificates, &albsdk.AssociateAdditionalCertificatesWithListenerRequestCertificates{CertificateId: dara.String(x)})
		}
		_, err := c.AssociateAdditionalCertificatesWithListener(req)
		return err
	}
	listed := func(typ string) string {
		t.Helper()
		req := &albsdk.ListListenerCertificatesRequest{ListenerId: dara.String(id)}
		if typ != "" {
			req.CertificateType = dara.String(typ)
		}
		resp, err := c.ListListenerCertificates(req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range resp.Body.Certificates {
			out = append(out, dara.StringValue(x.CertificateId)+"/"+dara.StringValue(x.CertificateType)+"/"+dara.StringValue(x.Status)+"/"+map[bool]string{true: "default", false: "extra"}[dara.BoolValue(x.IsDefault)])
		}
		return fmtSlice(out)
	}
	sdkErr(t, assoc(s.listener, albtest.CertificateAPI), "InvalidParameter", 400)
	sdkErr(t, assoc(id, "999"), "ResourceNotFound.Certificate", 404)
	sdkErr(t, assoc(id, albtest.CertificateCA), "InvalidParameter", 400)
	sdkErr(t, assoc(id, albtest.CertificateExpired), "IncorrectStatus.Certificate", 400)
	sdkErr(t, assoc(id), "MissingParameter", 400)
	if err := assoc(id, albtest.CertificateAPI, albtest.CertificateExample); err != nil { // the default one changes nothing
		t.Fatal(err)
	}
	sdkErr(t, assoc(id, albtest.CertificateOrg), "ResourceInConfiguring.Listener", 400)
	want := "[" + albtest.CertificateExample + "/Server/Associated/default " + albtest.CertificateAPI + "/Server/Associating/extra " + albtest.CertificateCA + "/Ca/Associated/default]"
	if got := listed(""); got != want {
		t.Fatalf("while associating: %s, want %s", got, want)
	}
	if got := listed("Ca"); got != "["+albtest.CertificateCA+"/Ca/Associated/default]" {
		t.Fatalf("CA only: %s", got)
	}
	waitLsn(t, c, id, "Running")
	if err := assoc(id, albtest.CertificateOrg); err != nil {
		t.Fatal(err)
	}
	waitLsn(t, c, id, "Running")
	other := runningLsn(t, c, lsnReq(s.lb, s.sg, https, port(8443)))
	sdkErr(t, assoc(other, albtest.CertificateAPI), "QuotaExceeded.CertificatesNum", 400)
	if l, _ := s.srv.Listener(id); len(l.AdditionalCertificates) != 2 || l.AdditionalCertificates[1].Status != "Associated" {
		t.Fatalf("snapshot: %+v", l.AdditionalCertificates)
	}
	if _, err := c.DissociateAdditionalCertificatesFromListener(&albsdk.DissociateAdditionalCertificatesFromListenerRequest{ListenerId: dara.String(id),
		Certificates: []*albsdk.DissociateAdditionalCertificatesFromListenerRequestCertificates{{CertificateId: dara.String(albtest.CertificateAPI)}}}); err != nil {
		t.Fatal(err)
	}
	if got := listed("Server"); got != "["+albtest.CertificateExample+"/Server/Associated/default "+albtest.CertificateAPI+"/Server/Dissociating/extra "+albtest.CertificateOrg+"/Server/Associated/extra]" {
		t.Fatalf("while dissociating: %s", got)
	}
	waitLsn(t, c, id, "Running")
	if got := listed("Server"); got != "["+albtest.CertificateExample+"/Server/Associated/default "+albtest.CertificateOrg+"/Server/Associated/extra]" {
		t.Fatalf("after: %s", got)
	}
	_, err := c.DissociateAdditionalCertificatesFromListener(&albsdk.DissociateAdditionalCertificatesFromListenerRequest{ListenerId: dara.String(id),
		Certificates: []*albsdk.DissociateAdditionalCertificatesFromListenerRequestCertificates{{CertificateId: dara.String("999")}}})
	sdkErr(t, err, "ResourceNotFound.Certificate", 404)
}

// TestListenerHealthStatus reports the servers of the groups a listener
// uses that are not healthy: Unhealthy and Initial as SetServerHealth set
// them, Unused for weight 0, Unavailable with the health check off; rules'
// groups with IncludeRule, paged. The data plane is off: nothing is
// probed, so every server not set reads healthy (the data plane's probes
// are tested in dataplane_health_test.go).
func TestListenerHealthStatus(t *testing.T) {
	s := newStack(t, "Standard", albtest.WithoutDataPlane())
	c := s.c
	mustAddServers(t, c, s.sg, ipServer("127.0.0.1", 8080), ipServer("127.0.0.2", 8080), ipServer("127.0.0.3", 8080))
	waitSG(t, c, s.sg)
	if _, err := c.UpdateServerGroupServersAttribute(&albsdk.UpdateServerGroupServersAttributeRequest{ServerGroupId: dara.String(s.sg),
		Servers: []*albsdk.UpdateServerGroupServersAttributeRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String("127.0.0.3"), Port: dara.Int32(8080), Weight: dara.Int32(0)}}}); err != nil {
		t.Fatal(err)
	}
	waitSG(t, c, s.sg)
	noCheck := readySG(t, c, ipGroup, func(r *albsdk.CreateServerGroupRequest) {
		r.HealthCheckConfig.HealthCheckEnabled = dara.Bool(false)
	})
	mustAddServers(t, c, noCheck, ipServer("127.0.0.9", 80))
	waitSG(t, c, noCheck)
	for i := 1; i <= 3; i++ {
		readyRule(t, c, ruleReq(s.listener, int32(i), noCheck))
	}
	if err := s.srv.SetServerHealth(s.sg, "127.0.0.1", 8080, albtest.ServerHealth{Status: albtest.HealthUnhealthy,
		ReasonCode: "RESPONSE_MISMATCH", ExpectedResponse: "HTTP_2xx", ActualResponse: "302"}); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.SetServerHealth(s.sg, "127.0.0.2", 8080, albtest.ServerHealth{Status: albtest.HealthInitial}); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.SetServerHealth("sgp-missing", "1.1.1.1", 1, albtest.ServerHealth{Status: albtest.HealthHealthy}); err == nil {
		t.Fatal("SetServerHealth took an unknown group")
	}
	if err := s.srv.SetServerHealth(s.sg, "1.1.1.1", 1, albtest.ServerHealth{Status: "Sick"}); err == nil {
		t.Fatal("SetServerHealth took an unknown status")
	}
	resp, err := c.GetListenerHealthStatus(&albsdk.GetListenerHealthStatusRequest{ListenerId: dara.String(s.listener)})
	if err != nil {
		t.Fatal(err)
	}
	lh := resp.Body.ListenerHealthStatus
	if len(lh) != 1 || dara.StringValue(lh[0].ListenerId) != s.listener || dara.Int32Value(lh[0].ListenerPort) != 80 || resp.Body.RuleHealthStatus != nil {
		t.Fatalf("answer: %s", resp.Body.String())
	}
	g := lh[0].ServerGroupInfos[0]
	var got []string
	for _, m := range g.NonNormalServers {
		x := dara.StringValue(m.ServerId) + ":" + dara.StringValue(m.Status)
		if m.Reason != nil {
			x += ":" + dara.StringValue(m.Reason.ReasonCode) + ":" + dara.StringValue(m.Reason.ActualResponse)
		}
		got = append(got, x)
	}
	if dara.StringValue(g.ServerGroupId) != s.sg || dara.StringValue(g.ActionType) != "ForwardGroup" || dara.StringValue(g.HealthCheckEnabled) != "on" ||
		fmtSlice(got) != "[127.0.0.1:Unhealthy:RESPONSE_MISMATCH:302 127.0.0.2:Initial 127.0.0.3:Unused]" {
		t.Fatalf("default action's group: %s", g.String())
	}
	resp, err = c.GetListenerHealthStatus(&albsdk.GetListenerHealthStatusRequest{ListenerId: dara.String(s.listener), IncludeRule: dara.Bool(true), MaxResults: dara.Int64(2)})
	if err != nil || len(resp.Body.RuleHealthStatus) != 2 || dara.StringValue(resp.Body.NextToken) != "2" {
		t.Fatalf("with rules, page 1: %v %v", resp, err)
	}
	info := resp.Body.RuleHealthStatus[0].ServerGroupInfos[0]
	if dara.StringValue(info.HealthCheckEnabled) != "off" || dara.StringValue(info.NonNormalServers[0].Status) != "Unavailable" {
		t.Fatalf("a group without health check: %s", info.String())
	}
	resp, err = c.GetListenerHealthStatus(&albsdk.GetListenerHealthStatusRequest{ListenerId: dara.String(s.listener), IncludeRule: dara.Bool(true), MaxResults: dara.Int64(2), NextToken: dara.String("2")})
	if err != nil || len(resp.Body.RuleHealthStatus) != 1 || dara.StringValue(resp.Body.NextToken) != "" {
		t.Fatalf("with rules, page 2: %v %v", resp, err)
	}
	_, err = c.GetListenerHealthStatus(&albsdk.GetListenerHealthStatusRequest{ListenerId: dara.String(s.listener), MaxResults: dara.Int64(31)})
	sdkErr(t, err, "InvalidParameter", 400)
	if err := s.srv.SetServerHealth(s.sg, "127.0.0.1", 8080, albtest.ServerHealth{Status: albtest.HealthHealthy}); err != nil {
		t.Fatal(err)
	}
	resp, _ = c.GetListenerHealthStatus(&albsdk.GetListenerHealthStatusRequest{ListenerId: dara.String(s.listener)})
	if n := len(resp.Body.ListenerHealthStatus[0].ServerGroupInfos[0].NonNormalServers); n != 2 {
		t.Fatalf("healthy again: %d servers listed", n)
	}
}

// TestListenerAndRuleTags: TagResources, UnTagResources and
// ListTagResources take listener, rule and securitypolicy.
func TestListenerAndRuleTags(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	rule := readyRule(t, c, ruleReq(s.listener, 1, s.sg))
	pol, err := c.CreateSecurityPolicy(&albsdk.CreateSecurityPolicyRequest{SecurityPolicyName: dara.String("tagged"),
		TLSVersions: dara.StringSlice([]string{"TLSv1.2"}), Ciphers: dara.StringSlice([]string{"AES128-SHA"})})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct{ typ, id string }{{"listener", s.listener}, {"rule", rule}, {"securitypolicy", dara.StringValue(pol.Body.SecurityPolicyId)}} {
		if _, err := c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String(x.typ), ResourceId: dara.StringSlice([]string{x.id}),
			Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("k"), Value: dara.String("v")}}}); err != nil {
			t.Fatalf("TagResources %s: %v", x.typ, err)
		}
		lr, err := c.ListTagResources(&albsdk.ListTagResourcesRequest{ResourceType: dara.String(x.typ), ResourceId: dara.StringSlice([]string{x.id})})
		if err != nil || len(lr.Body.TagResources) != 1 || dara.StringValue(lr.Body.TagResources[0].TagKey) != "k" {
			t.Fatalf("ListTagResources %s: %v %v", x.typ, lr, err)
		}
		if _, err := c.UnTagResources(&albsdk.UnTagResourcesRequest{ResourceType: dara.String(x.typ), ResourceId: dara.StringSlice([]string{x.id}), All: dara.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String(x.typ), ResourceId: dara.StringSlice([]string{"x-missing"}),
			Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("k")}}})
		if err == nil {
			t.Fatalf("TagResources of an unknown %s", x.typ)
		}
	}
	if l, _ := s.srv.Listener(s.listener); len(l.Tags) != 0 {
		t.Fatalf("UnTagResources All: %v", l.Tags)
	}
	lr, err := c.ListRules(&albsdk.ListRulesRequest{Tag: []*albsdk.ListRulesRequestTag{{Key: dara.String("k")}}})
	if err != nil || len(lr.Body.Rules) != 0 {
		t.Fatalf("ListRules by a tag no rule has: %v %v", lr, err)
	}
}

// TestRemainingListenerCodes: the codes the other tests do not reach —
// immutable listener fields, rule writes on an instance being deleted, the
// security-policy quotas — and the snapshot's related instances; Reset
// forgets listeners, rules, policies and health.
func TestRemainingListenerCodes(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	_, err := c.UpdateListenerAttribute(&albsdk.UpdateListenerAttributeRequest{ListenerId: dara.String(s.listener), IdleTimeout: dara.Int32(20)})
	if err != nil {
		t.Fatal(err)
	}
	waitLsn(t, c, s.listener, "Running")
	_, err = call(t, s.srv.OpenAPIClient(), "UpdateListenerAttribute", albtest.VersionALB, map[string]any{"ListenerId": s.listener, "ListenerPort": 81})
	sdkErr(t, err, "InvalidParameter", 400)
	if g, _ := s.srv.ServerGroup(s.sg); len(g.RelatedLoadBalancerIDs) != 1 || g.RelatedLoadBalancerIDs[0] != s.lb {
		t.Fatalf("snapshot's related instances: %+v", g.RelatedLoadBalancerIDs)
	}
	pol := func(name string) (string, error) {
		r, err := c.CreateSecurityPolicy(&albsdk.CreateSecurityPolicyRequest{SecurityPolicyName: dara.String(name),
			TLSVersions: dara.StringSlice([]string{"TLSv1.2"}), Ciphers: dara.StringSlice([]string{"AES128-SHA"})})
		if err != nil {
			return "", err
		}
		return dara.StringValue(r.Body.SecurityPolicyId), nil
	}
	first, err := pol("policy-0")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 50; i++ {
		if _, err := pol("policy-" + itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = pol("policy-50")
	sdkErr(t, err, "QuotaExceeded.SecurityPoliciesNum", 400)
	for i := 0; i < 10; i++ {
		runningLsn(t, c, lsnReq(s.lb, s.sg, https, port(int32(1000+i)), func(r *albsdk.CreateListenerRequest) { r.SecurityPolicyId = dara.String(first) }))
	}
	_, err = c.CreateListener(lsnReq(s.lb, s.sg, https, port(1010), func(r *albsdk.CreateListenerRequest) { r.SecurityPolicyId = dara.String(first) }))
	sdkErr(t, err, "QuotaExceeded.SecurityPolicyListenersNum", 400)

	if _, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(s.lb)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRule(ruleReq(s.listener, 1, s.sg))
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)

	if err := s.srv.SetServerHealth(s.sg, "127.0.0.1", 80, albtest.ServerHealth{Status: albtest.HealthUnhealthy}); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Reset(); err != nil {
		t.Fatal(err)
	}
	if len(s.srv.Listeners()) != 0 || len(s.srv.Rules("")) != 0 || len(s.srv.SecurityPolicies()) != 0 {
		t.Fatal("Reset kept listeners, rules or policies")
	}
}

// TestWorldCertificatesAndQuotasChecked: a world's certificates and
// per-instance quotas are checked like the rest of it, and an unknown
// edition in WithInstanceQuotas is an error of the options.
func TestWorldCertificatesAndQuotasChecked(t *testing.T) {
	for _, mod := range []func(*albtest.World){
		func(w *albtest.World) { w.Certificates = append(w.Certificates, w.Certificates[0]) },
		func(w *albtest.World) { w.Certificates[0].Domains = nil },
		func(w *albtest.World) { w.InstanceQuotas = map[string]albtest.InstanceQuotas{"Premium": {}} },
		func(w *albtest.World) { w.InstanceQuotas = map[string]albtest.InstanceQuotas{"Basic": {Rules: -1}} },
	} {
		w := albtest.DefaultWorld()
		mod(&w)
		if err := w.Validate(); err == nil {
			t.Fatalf("a bad world passes: %+v", w.InstanceQuotas)
		}
	}
	if _, err := albtest.New(albtest.WithInstanceQuotas("Premium", albtest.InstanceQuotas{Rules: 1})); err == nil {
		t.Fatal("WithInstanceQuotas took an unknown edition")
	}
	w := albtest.DefaultWorld()
	w.InstanceQuotas = map[string]albtest.InstanceQuotas{"Standard": {Listeners: 1}}
	s := newStack(t, "Standard", albtest.WithSeed(w))
	_, err := s.c.CreateListener(lsnReq(s.lb, s.sg, port(81)))
	sdkErr(t, err, "QuotaExceeded.ListenersNum", 400)
}
