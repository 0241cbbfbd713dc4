package albtest_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// TestGarbageListenerOperationsNeverInternalError sends plausible requests
// with random damage to every listener, rule and security-policy
// operation: no answer is a 5xx, each operation succeeds sometimes (the
// input reaches it), and every listener's table of accepted rules
// compiles with the routing package.
func TestGarbageListenerOperationsNeverInternalError(t *testing.T) {
	s := newStack(t, "Standard", albtest.WithTransitions(albtest.Immediate()),
		albtest.WithInstanceQuotas("Standard", albtest.InstanceQuotas{Rules: 100000, AdditionalCertificates: 1000}))
	oc := s.srv.OpenAPIClient()
	rule := readyRule(t, s.c, ruleReq(s.listener, 1, s.sg))
	if err := s.srv.Reset(); err != nil { // the log: only the garbage's successes count
		t.Fatal(err)
	}
	s.lb, s.sg = readyLB(t, s.c, "Standard"), readySG(t, s.c, ipGroup)
	s.listener = runningLsn(t, s.c, lsnReq(s.lb, s.sg))
	rule = readyRule(t, s.c, ruleReq(s.listener, 1, s.sg))
	base := len(s.srv.Requests())
	actions := []string{"CreateListener", "GetListenerAttribute", "ListListeners", "UpdateListenerAttribute", "UpdateListenerLogConfig",
		"StartListener", "StopListener", "DeleteListener", "AssociateAdditionalCertificatesWithListener",
		"DissociateAdditionalCertificatesFromListener", "ListListenerCertificates", "GetListenerHealthStatus", "CreateRule", "CreateRules",
		"UpdateRuleAttribute", "UpdateRulesAttribute", "DeleteRule", "DeleteRules", "ListRules", "CreateSecurityPolicy",
		"ListSecurityPolicies", "UpdateSecurityPolicyAttribute", "DeleteSecurityPolicy", "ListSystemSecurityPolicies", "ListSecurityPolicyRelations"}
	listeners := []string{s.listener, "lsn-nope"}
	rules := []string{rule, "rule-nope"}
	policies := []string{"scp-nope"}
	values := []string{"", "0", "-1", "1", "80", "443", "10001", "true", "maybe", "HTTP", "HTTPS", "QUIC", "Host", "Path", "Header",
		"QueryString", "Cookie", "Method", "SourceIp", "ResponseHeader", "ForwardGroup", "Redirect", "FixedResponse", "Rewrite",
		"InsertHeader", "RemoveHeader", "TrafficLimit", "TrafficMirror", "Cors", "Response", "Request", "/x", "~(", "~*^/a(b)", "*.example.com",
		"${1}", "${host}", "${nope}", "UserDefined", "SystemDefined", "ClientSrcIp", "x-a", "host", "301", "HTTP_503", "10.0.0.0/8",
		"TLSv1.2", "AES128-SHA", s.sg, s.otherSG, "sgp-nope", albtest.CertificateAPI, albtest.CertificateCA, albtest.CertificateExpired,
		strings.Repeat("y", 300), "\xff", "%zz"}
	keys := []string{"ListenerPort", "ListenerProtocol", "Priority", "Direction", "RuleName",
		"RuleConditions.1.Type", "RuleConditions.1.PathConfig.Values.1", "RuleConditions.2.Type", "RuleConditions.2.HostConfig.Values.1",
		"RuleConditions.2.QueryStringConfig.Values.1.Key", "RuleConditions.2.HeaderConfig.Key", "RuleConditions.1.Foo",
		"RuleActions.1.Type", "RuleActions.1.Order", "RuleActions.1.ForwardGroupConfig.ServerGroupTuples.1.Weight",
		"RuleActions.1.ForwardGroupConfig.ServerGroupTuples.2.ServerGroupId", "RuleActions.1.ForwardGroupConfig.ServerGroupStickySession.Enabled",
		"RuleActions.2.Type", "RuleActions.2.Order", "RuleActions.2.RedirectConfig.Path", "RuleActions.2.InsertHeaderConfig.Key",
		"RuleActions.2.InsertHeaderConfig.Value", "RuleActions.2.InsertHeaderConfig.ValueType", "RuleActions.2.CorsConfig.AllowOrigin.1",
		"RuleActions.2.TrafficLimitConfig.QPS", "RuleActions.2.TrafficMirrorConfig.MirrorGroupConfig.ServerGroupTuples.1.ServerGroupId",
		"RuleActions.x", "RuleActions.1", "Rules.1.RuleId", "Rules.1.Priority", "Rules.2.RuleName", "RuleIds.1", "RuleIds.2",
		"Certificates.1.CertificateId", "Certificates.2.CertificateId", "CaEnabled", "CaCertificates.1.CertificateId", "SecurityPolicyId",
		"QuicConfig.QuicUpgradeEnabled", "QuicConfig.QuicListenerId", "XForwardedForConfig.XForwardedForProtoEnabled",
		"XForwardedForConfig.XForwardedForClientCertSubjectDNAlias", "AccessLogTracingConfig.TracingEnabled", "AccessLogTracingConfig.TracingSample",
		"AccessLogRecordCustomizedHeadersEnabled", "IdleTimeout", "RequestTimeout", "Http2Enabled", "DefaultActions.1.Type",
		"DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId", "TLSVersions.1", "Ciphers.1", "SecurityPolicyName",
		"SecurityPolicyIds.1", "IncludeRule", "MaxResults", "NextToken", "CertificateType", "DryRun", "ClientToken", "Tag.1.Key"}
	rng := rand.New(rand.NewPCG(19, 20))
	for i := 0; i < 2500; i++ {
		act := actions[rng.IntN(len(actions))]
		lsn := listeners[rng.IntN(len(listeners))]
		q := map[string]any{"ListenerId": lsn, "RuleId": rules[rng.IntN(len(rules))], "SecurityPolicyId": policies[rng.IntN(len(policies))]}
		switch act {
		case "CreateListener":
			q = map[string]any{"LoadBalancerId": s.lb, "ListenerProtocol": "HTTPS", "ListenerPort": 1000 + rng.IntN(200),
				"Certificates.1.CertificateId": albtest.CertificateOrg, "DefaultActions.1.Type": "ForwardGroup",
				"DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId": s.sg}
		case "UpdateListenerAttribute":
			q["IdleTimeout"] = 1 + rng.IntN(600)
		case "AssociateAdditionalCertificatesWithListener", "DissociateAdditionalCertificatesFromListener":
			q["Certificates.1.CertificateId"] = []string{albtest.CertificateAPI, albtest.CertificateOrg}[rng.IntN(2)]
		case "CreateRule", "UpdateRuleAttribute":
			for k, v := range map[string]any{"Priority": 1 + rng.IntN(10000), "RuleName": "garbage", "RuleConditions.1.Type": "Path",
				"RuleConditions.1.PathConfig.Values.1": "/g", "RuleActions.1.Type": "ForwardGroup", "RuleActions.1.Order": 9,
				"RuleActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId": s.sg} {
				q[k] = v
			}
		case "CreateRules", "UpdateRulesAttribute":
			q["Rules.1.Priority"] = 1 + rng.IntN(10000)
			if act == "UpdateRulesAttribute" {
				q["Rules.1.RuleId"] = rules[rng.IntN(len(rules))]
			} else {
				for k, v := range map[string]any{"Rules.1.RuleName": "garbage", "Rules.1.RuleConditions.1.Type": "Host",
					"Rules.1.RuleConditions.1.HostConfig.Values.1": "g.example.com", "Rules.1.RuleActions.1.Type": "FixedResponse",
					"Rules.1.RuleActions.1.Order": 1, "Rules.1.RuleActions.1.FixedResponseConfig.HttpCode": "200"} {
					q[k] = v
				}
			}
		case "DeleteRules":
			q["RuleIds.1"] = rules[rng.IntN(len(rules))]
		case "CreateSecurityPolicy", "UpdateSecurityPolicyAttribute":
			q["SecurityPolicyName"], q["TLSVersions.1"], q["Ciphers.1"] = "garbage", "TLSv1.2", "AES128-SHA"
		case "ListSecurityPolicyRelations":
			q["SecurityPolicyIds.1"] = policies[rng.IntN(len(policies))]
		case "DeleteListener":
			if rng.IntN(4) > 0 {
				q["ListenerId"] = "lsn-nope" // keep most listeners
			}
		}
		for j := rng.IntN(4); j > 0; j-- {
			q[keys[rng.IntN(len(keys))]] = values[rng.IntN(len(values))]
		}
		b, err := call(t, oc, act, albtest.VersionALB, q)
		if err != nil {
			var se *tea.SDKError
			if !errors.As(err, &se) || dara.IntValue(se.StatusCode) >= 500 {
				t.Fatalf("%s %v: %v", act, q, err)
			}
			continue
		}
		for k, list := range map[string]*[]string{"ListenerId": &listeners, "RuleId": &rules, "SecurityPolicyId": &policies} {
			if id, _ := b[k].(string); id != "" && act != "GetListenerAttribute" {
				*list = append(*list, id)
			}
		}
		if ids, _ := b["RuleIds"].([]any); len(ids) > 0 {
			rules = append(rules, path(ids, 0, "RuleId").(string))
		}
	}
	ok := map[string]int{}
	for _, r := range s.srv.Requests()[base:] {
		if r.Status == 200 {
			ok[r.Action]++
		}
	}
	t.Logf("successes: %v", ok)
	for _, a := range actions {
		if ok[a] == 0 {
			t.Errorf("no %s succeeded: the input does not reach the operation", a)
		}
	}
	for _, l := range s.srv.Listeners() {
		tbl, err := s.srv.RoutingTable(l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := routing.Compile(tbl); err != nil {
			t.Fatalf("the rules the emulator took for %s do not compile: %v", l.ID, err)
		}
	}
}
