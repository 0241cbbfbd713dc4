package albtest_test

import (
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// Raw rule parts for CreateRule through CallApi (flattened as the SDK
// flattens them), so that any value can be sent.
func cond(typ string, cfg map[string]any) map[string]any {
	m := map[string]any{"Type": typ}
	if cfg != nil {
		m[typ+"Config"] = cfg
	}
	return m
}

func values(vs ...string) map[string]any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return map[string]any{"Values": out}
}

func pairs(kv ...string) map[string]any {
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, map[string]any{"Key": kv[i], "Value": kv[i+1]})
	}
	return map[string]any{"Values": out}
}

func act(typ string, order int, cfg map[string]any) map[string]any {
	m := map[string]any{"Type": typ, "Order": order}
	if cfg != nil {
		m[typ+"Config"] = cfg
	}
	return m
}

func fwd(order int, groups ...string) map[string]any {
	var tuples []any
	for _, g := range groups {
		tuples = append(tuples, map[string]any{"ServerGroupId": g, "Weight": 10})
	}
	return act("ForwardGroup", order, map[string]any{"ServerGroupTuples": tuples})
}

func list(items ...map[string]any) []any {
	out := make([]any, len(items))
	for i := range items {
		out[i] = items[i]
	}
	return out
}

// TestRuleCreateChecks refuses each invalid CreateRule with its code (the
// table in alb_listener_validate.go): rule fields, every condition and
// action value format, the final action, references; a refused request
// creates nothing.
func TestRuleCreateChecks(t *testing.T) {
	s := newStack(t, "Standard")
	oc := s.srv.OpenAPIClient()
	https := runningLsn(t, s.c, lsnReq(s.lb, s.sg, https))
	otherVPC := readySG(t, s.c, ipGroup, func(r *albsdk.CreateServerGroupRequest) { r.VpcId = dara.String(albtest.DefaultOtherVPCID) })
	readyRule(t, s.c, ruleReq(s.listener, 1, s.sg))
	okPath := cond("Path", values("/x"))
	okFwd := fwd(9, s.sg)
	long := strings.Repeat("a", 1025)
	for _, tc := range []struct {
		name   string
		q      map[string]any // over a valid rule of priority 2
		code   string
		status int
	}{
		{"no listener", map[string]any{"ListenerId": nil}, "MissingParameter", 400},
		{"unknown listener", map[string]any{"ListenerId": "lsn-missing"}, "ResourceNotFound.Listener", 404},
		{"no name", map[string]any{"RuleName": nil}, "MissingParameter", 400},
		{"name starting with a digit", map[string]any{"RuleName": "1rule"}, "InvalidParameter", 400},
		{"no priority", map[string]any{"Priority": nil}, "MissingParameter", 400},
		{"priority 0", map[string]any{"Priority": 0}, "InvalidParameter", 400},
		{"priority 10001", map[string]any{"Priority": 10001}, "InvalidParameter", 400},
		{"priority taken", map[string]any{"Priority": 1}, "Conflict.Priority", 400},
		{"direction", map[string]any{"Direction": "Both"}, "InvalidParameter", 400},
		{"no conditions", map[string]any{"RuleConditions": nil}, "MissingParameter", 400},
		{"condition type missing", map[string]any{"RuleConditions": list(map[string]any{"PathConfig": values("/x")})}, "MissingParameter", 400},
		{"condition type unknown", map[string]any{"RuleConditions": list(cond("Url", values("/x")))}, "InvalidParameter", 400},
		{"condition without values", map[string]any{"RuleConditions": list(cond("Host", nil))}, "MissingParameter", 400},
		{"another type's config", map[string]any{"RuleConditions": list(map[string]any{"Type": "Path", "PathConfig": values("/x"), "HostConfig": values("a.com")})}, "InvalidParameter", 400},
		{"unknown config field", map[string]any{"RuleConditions": list(cond("Path", map[string]any{"Values": []any{"/x"}, "Regex": "true"}))}, "InvalidParameter", 400},
		{"host with capitals", map[string]any{"RuleConditions": list(cond("Host", values("Www.example.com")))}, "InvalidParameter", 400},
		{"host without a dot", map[string]any{"RuleConditions": list(cond("Host", values("localhost")))}, "InvalidParameter", 400},
		{"host label with a dash", map[string]any{"RuleConditions": list(cond("Host", values("-a.example.com")))}, "InvalidParameter", 400},
		{"host with a digit in the last label", map[string]any{"RuleConditions": list(cond("Host", values("www.example.c0m")))}, "InvalidParameter", 400},
		{"host regex RE2 refuses", map[string]any{"RuleConditions": list(cond("Host", values("~(a")))}, "InvalidParameter", 400},
		{"host twice", map[string]any{"RuleConditions": list(cond("Host", values("a.example.com", "a.example.com")))}, "InvalidParameter", 400},
		{"path without slash", map[string]any{"RuleConditions": list(cond("Path", values("api")))}, "InvalidParameter", 400},
		{"path with a space", map[string]any{"RuleConditions": list(cond("Path", values("/a b")))}, "InvalidParameter", 400},
		{"path with %", map[string]any{"RuleConditions": list(cond("Path", values("/a%20")))}, "InvalidParameter", 400},
		{"path too long", map[string]any{"RuleConditions": list(cond("Path", values("/"+strings.Repeat("a", 128))))}, "InvalidParameter", 400},
		{"header key Host", map[string]any{"RuleConditions": list(cond("Header", map[string]any{"Key": "Host", "Values": []any{"x"}}))}, "InvalidParameter", 400},
		{"header without key", map[string]any{"RuleConditions": list(cond("Header", values("x")))}, "MissingParameter", 400},
		{"header value with a leading space", map[string]any{"RuleConditions": list(cond("Header", map[string]any{"Key": "X-A", "Values": []any{" x"}}))}, "InvalidParameter", 400},
		{"query key with capitals", map[string]any{"RuleConditions": list(cond("QueryString", pairs("Lang", "en")))}, "InvalidParameter", 400},
		{"query value with &", map[string]any{"RuleConditions": list(cond("QueryString", pairs("a", "b&c")))}, "InvalidParameter", 400},
		{"21 query pairs", map[string]any{"RuleConditions": list(cond("QueryString", pairs(strings.Split(strings.Repeat("k,v,", 21), ",")[:42]...)))}, "InvalidParameter", 400},
		{"cookie value with ;", map[string]any{"RuleConditions": list(cond("Cookie", pairs("a", "b;c")))}, "InvalidParameter", 400},
		{"method", map[string]any{"RuleConditions": list(cond("Method", values("FETCH")))}, "InvalidParameter", 400},
		{"source IP", map[string]any{"RuleConditions": list(cond("SourceIp", values("10.0.0.0/33")))}, "InvalidParameter", 400},
		{"response header on a Request rule", map[string]any{"RuleConditions": list(cond("ResponseHeader", map[string]any{"Key": "x", "Values": []any{"y"}}))}, "InvalidParameter", 400},
		{"no actions", map[string]any{"RuleActions": nil}, "MissingParameter", 400},
		{"action type unknown", map[string]any{"RuleActions": list(act("Proxy", 1, map[string]any{"A": "b"}))}, "InvalidParameter", 400},
		{"no order", map[string]any{"RuleActions": list(map[string]any{"Type": "ForwardGroup", "ForwardGroupConfig": fwd(1, s.sg)["ForwardGroupConfig"]})}, "MissingParameter", 400},
		{"order 50001", map[string]any{"RuleActions": list(fwd(50001, s.sg))}, "InvalidParameter", 400},
		{"action without config", map[string]any{"RuleActions": list(act("ForwardGroup", 1, nil))}, "MissingParameter", 400},
		{"order twice", map[string]any{"RuleActions": list(act("RemoveHeader", 1, map[string]any{"Key": "x-a"}), fwd(1, s.sg))}, "InvalidParameter", 400},
		{"no final action", map[string]any{"RuleActions": list(act("RemoveHeader", 1, map[string]any{"Key": "x-a"}))}, "IllegalParam.Order", 400},
		{"final action not last", map[string]any{"RuleActions": list(fwd(1, s.sg), act("RemoveHeader", 2, map[string]any{"Key": "x-a"}))}, "IllegalParam.Order", 400},
		{"two final actions", map[string]any{"RuleActions": list(fwd(2, s.sg), act("FixedResponse", 3, map[string]any{"HttpCode": "200"}))}, "IllegalParam.Order", 400},
		{"forward weights missing", map[string]any{"RuleActions": list(act("ForwardGroup", 1, map[string]any{"ServerGroupTuples": []any{
			map[string]any{"ServerGroupId": s.sg}, map[string]any{"ServerGroupId": s.otherSG}}}))}, "MissingParameter", 400},
		{"forward weight 101", map[string]any{"RuleActions": list(act("ForwardGroup", 1, map[string]any{"ServerGroupTuples": []any{
			map[string]any{"ServerGroupId": s.sg, "Weight": 101}}}))}, "InvalidParameter", 400},
		{"six forward groups", map[string]any{"RuleActions": list(fwd(1, "a", "b", "c", "d", "e", "f"))}, "InvalidParameter", 400},
		{"forward group twice", map[string]any{"RuleActions": list(fwd(1, s.sg, s.sg))}, "InvalidParameter", 400},
		{"sticky timeout 0", map[string]any{"RuleActions": list(act("ForwardGroup", 1, map[string]any{"ServerGroupTuples": []any{map[string]any{"ServerGroupId": s.sg}},
			"ServerGroupStickySession": map[string]any{"Enabled": true, "Timeout": 0}}))}, "InvalidParameter", 400},
		{"redirect all defaults", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"HttpCode": "301", "Host": "${host}"}))}, "InvalidParameter", 400},
		{"redirect code", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"HttpCode": "300", "Protocol": "HTTPS"}))}, "InvalidParameter", 400},
		{"redirect protocol", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"Protocol": "ftp"}))}, "InvalidParameter", 400},
		{"redirect port", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"Port": "70000"}))}, "InvalidParameter", 400},
		{"redirect path", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"Path": "x"}))}, "InvalidParameter", 400},
		{"redirect unknown variable", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"Path": "/${uri}"}))}, "InvalidParameter", 400},
		{"redirect capture without regex", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"Path": "/${1}"}))}, "InvalidParameter", 400},
		{"redirect query with capitals", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"Query": "A=b"}))}, "InvalidParameter", 400},
		{"fixed response without code", map[string]any{"RuleActions": list(act("FixedResponse", 1, map[string]any{"Content": "x"}))}, "MissingParameter", 400},
		{"fixed response code 302", map[string]any{"RuleActions": list(act("FixedResponse", 1, map[string]any{"HttpCode": "302"}))}, "InvalidParameter", 400},
		{"fixed response content type", map[string]any{"RuleActions": list(act("FixedResponse", 1, map[string]any{"HttpCode": "200", "ContentType": "text/xml"}))}, "InvalidParameter", 400},
		{"fixed response content over 1 KB", map[string]any{"RuleActions": list(act("FixedResponse", 1, map[string]any{"HttpCode": "200", "Content": long}))}, "InvalidParameter", 400},
		{"rewrite without forward", map[string]any{"RuleActions": list(act("Rewrite", 1, map[string]any{"Path": "/y"}), act("FixedResponse", 2, map[string]any{"HttpCode": "200"}))}, "InvalidParameter", 400},
		{"two rewrites", map[string]any{"RuleActions": list(act("Rewrite", 1, map[string]any{"Path": "/y"}), act("Rewrite", 2, map[string]any{"Path": "/z"}), okFwd)}, "InvalidParameter", 400},
		{"insert a forbidden header", map[string]any{"RuleActions": list(act("InsertHeader", 1, map[string]any{"Key": "X-Forwarded-For", "Value": "x", "ValueType": "UserDefined"}), okFwd)}, "InvalidParameter", 400},
		{"insert without value type", map[string]any{"RuleActions": list(act("InsertHeader", 1, map[string]any{"Key": "x-a", "Value": "x"}), okFwd)}, "MissingParameter", 400},
		{"insert a system value ALB does not know", map[string]any{"RuleActions": list(act("InsertHeader", 1, map[string]any{"Key": "x-a", "Value": "Time", "ValueType": "SystemDefined"}), okFwd)}, "InvalidParameter", 400},
		{"insert and remove one header", map[string]any{"RuleActions": list(act("InsertHeader", 1, map[string]any{"Key": "x-a", "Value": "x", "ValueType": "UserDefined"}),
			act("RemoveHeader", 2, map[string]any{"Key": "X-A"}), okFwd)}, "InvalidParameter", 400},
		{"remove host", map[string]any{"RuleActions": list(act("RemoveHeader", 1, map[string]any{"Key": "host"}), okFwd)}, "InvalidParameter", 400},
		{"traffic limit 0", map[string]any{"RuleActions": list(act("TrafficLimit", 1, map[string]any{"QPS": 0}), okFwd)}, "InvalidParameter", 400},
		{"traffic limit without limits", map[string]any{"RuleActions": list(act("TrafficLimit", 1, map[string]any{"QPS": ""}), okFwd)}, "MissingParameter", 400},
		{"traffic limit per IP above total", map[string]any{"RuleActions": list(act("TrafficLimit", 1, map[string]any{"QPS": 10, "PerIpQps": 10}), okFwd)}, "InvalidParameter", 400},
		{"traffic limit too high", map[string]any{"RuleActions": list(act("TrafficLimit", 1, map[string]any{"QPS": 2000000}), okFwd)}, "InvalidParameter", 400},
		{"mirror target type", map[string]any{"RuleActions": list(act("TrafficMirror", 1, map[string]any{"TargetType": "Group",
			"MirrorGroupConfig": map[string]any{"ServerGroupTuples": []any{map[string]any{"ServerGroupId": s.sg}}}}), okFwd)}, "InvalidParameter", 400},
		{"mirror without groups", map[string]any{"RuleActions": list(act("TrafficMirror", 1, map[string]any{"TargetType": "ForwardGroupMirror"}), okFwd)}, "MissingParameter", 400},
		{"cors without origin", map[string]any{"RuleActions": list(act("Cors", 1, map[string]any{"AllowCredentials": "on"}), okFwd)}, "MissingParameter", 400},
		{"cors origin", map[string]any{"RuleActions": list(act("Cors", 1, map[string]any{"AllowOrigin": []any{"ftp://a.example.com"}}), okFwd)}, "InvalidParameter", 400},
		{"cors method", map[string]any{"RuleActions": list(act("Cors", 1, map[string]any{"AllowOrigin": []any{"*"}, "AllowMethods": []any{"FETCH"}}), okFwd)}, "InvalidParameter", 400},
		{"cors credentials", map[string]any{"RuleActions": list(act("Cors", 1, map[string]any{"AllowOrigin": []any{"*"}, "AllowCredentials": "yes"}), okFwd)}, "InvalidParameter", 400},
		{"cors max age", map[string]any{"RuleActions": list(act("Cors", 1, map[string]any{"AllowOrigin": []any{"*"}, "MaxAge": 172801}), okFwd)}, "InvalidParameter", 400},
		{"forward to an unknown group", map[string]any{"RuleActions": list(fwd(1, "sgp-missing"))}, "ResourceNotFound.ServerGroup", 404},
		{"forward to another VPC", map[string]any{"RuleActions": list(fwd(1, otherVPC))}, "Mismatch.VpcId", 400},
		{"mirror to an unknown group", map[string]any{"RuleActions": list(act("TrafficMirror", 1, map[string]any{
			"MirrorGroupConfig": map[string]any{"ServerGroupTuples": []any{map[string]any{"ServerGroupId": "sgp-missing"}}}}), okFwd)}, "ResourceNotFound.ServerGroup", 404},
		{"redirect to HTTP from HTTPS", map[string]any{"ListenerId": https, "RuleActions": list(act("Redirect", 1, map[string]any{"Protocol": "HTTP"}))}, "InvalidParameter", 400},
		{"response rule forwarding", map[string]any{"Direction": "Response", "RuleConditions": list(cond("ResponseStatusCode", values("500"))), "RuleActions": list(fwd(1, s.sg))}, "InvalidParameter", 400},
		{"response status code", map[string]any{"Direction": "Response", "RuleConditions": list(cond("ResponseStatusCode", values("5xx"))),
			"RuleActions": list(act("InsertHeader", 1, map[string]any{"Key": "x-a", "Value": "x", "ValueType": "UserDefined"}))}, "InvalidParameter", 400},
		{"response rule removing content-length", map[string]any{"Direction": "Response", "RuleConditions": list(cond("ResponseStatusCode", values("500"))),
			"RuleActions": list(act("RemoveHeader", 1, map[string]any{"Key": "Content-Length"}))}, "InvalidParameter", 400},
		{"six actions on Standard", map[string]any{"RuleActions": list(
			act("InsertHeader", 1, map[string]any{"Key": "x-a", "Value": "x", "ValueType": "UserDefined"}),
			act("InsertHeader", 2, map[string]any{"Key": "x-b", "Value": "x", "ValueType": "UserDefined"}),
			act("InsertHeader", 3, map[string]any{"Key": "x-c", "Value": "x", "ValueType": "UserDefined"}),
			act("InsertHeader", 4, map[string]any{"Key": "x-d", "Value": "x", "ValueType": "UserDefined"}),
			act("RemoveHeader", 5, map[string]any{"Key": "x-e"}), okFwd)}, "QuotaExceeded.RuleActionsNum", 400},
		{"eleven conditions on Standard", map[string]any{"RuleConditions": list(okPath, okPath, okPath, okPath, okPath, okPath, okPath, okPath, okPath, okPath, okPath)},
			"QuotaExceeded.RuleConditionsNum", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := map[string]any{"ListenerId": s.listener, "Priority": 2, "RuleName": "checked", "RuleConditions": list(okPath), "RuleActions": list(okFwd)}
			for k, v := range tc.q {
				if v == nil {
					delete(q, k)
				} else {
					q[k] = v
				}
			}
			before := len(s.srv.Rules(""))
			_, err := call(t, oc, "CreateRule", albtest.VersionALB, q)
			sdkErr(t, err, tc.code, tc.status)
			if n := len(s.srv.Rules("")); n != before {
				t.Fatalf("a refused create made a rule (%d → %d)", before, n)
			}
		})
	}
	// What the formats allow: wildcard and regex hosts and paths with
	// captures used by a Redirect, every condition type, a Response rule
	// with the priority of a Request rule (separate spaces), every
	// extension action.
	for i, q := range []map[string]any{
		{"RuleConditions": list(cond("Host", values("*.example.com", "www.example.*", "~^(.+)\\.example\\.org$")), cond("Path", values("~*^/api/(v[0-9])/"))),
			"RuleActions": list(act("Redirect", 1, map[string]any{"HttpCode": "301", "Host": "${1}.example.com", "Path": "/${2}/x", "Protocol": "HTTPS", "Port": "443", "Query": "from=${host}"}))},
		{"RuleConditions": list(cond("Header", map[string]any{"Key": "X-Canary", "Values": []any{"on*", "yes"}}), cond("QueryString", pairs("lang", "en*")),
			cond("Cookie", pairs("user", "vip")), cond("Method", values("GET", "HEAD")), cond("SourceIp", values("10.0.0.0/8", "2001:db8::/32"))),
			"RuleActions": list(act("Rewrite", 1, map[string]any{"Path": "/new${path}", "Query": "${query}"}),
				act("InsertHeader", 2, map[string]any{"Key": "x-from", "Value": "ClientSrcIp", "ValueType": "SystemDefined"}),
				act("TrafficLimit", 3, map[string]any{"QPS": 100, "PerIpQps": 10}),
				act("TrafficMirror", 4, map[string]any{"TargetType": "ForwardGroupMirror", "MirrorGroupConfig": map[string]any{"ServerGroupTuples": []any{map[string]any{"ServerGroupId": s.otherSG}}}}),
				act("ForwardGroup", 5, map[string]any{"ServerGroupTuples": []any{map[string]any{"ServerGroupId": s.sg, "Weight": 80}, map[string]any{"ServerGroupId": s.otherSG, "Weight": 20}},
					"ServerGroupStickySession": map[string]any{"Enabled": true, "Timeout": 3600}}))},
		{"RuleConditions": list(okPath), "RuleActions": list(act("Cors", 1, map[string]any{"AllowOrigin": []any{"https://*.example.com", "http://a.example.com:8080"},
			"AllowMethods": []any{"GET", "POST"}, "AllowHeaders": []any{"*"}, "ExposeHeaders": []any{"X-Id"}, "AllowCredentials": "on", "MaxAge": -1}),
			act("FixedResponse", 2, map[string]any{"HttpCode": "HTTP_503", "ContentType": "application/json", "Content": "{}"}))},
		{"Direction": "Response", "Priority": 1, "RuleConditions": list(cond("ResponseStatusCode", values("503")), cond("ResponseHeader", map[string]any{"Key": "x-up", "Values": []any{"*"}})),
			"RuleActions": list(act("InsertHeader", 1, map[string]any{"Key": "x-err", "Value": "x-up", "ValueType": "ReferenceHeader"}), act("RemoveHeader", 2, map[string]any{"Key": "server"}))},
	} {
		full := map[string]any{"ListenerId": s.listener, "Priority": 100 + i, "RuleName": "allowed"}
		for k, v := range q {
			full[k] = v
		}
		if _, err := call(t, oc, "CreateRule", albtest.VersionALB, full); err != nil {
			t.Fatalf("allowed rule %d: %v", i, err)
		}
	}
}

// TestRuleEditionAndQuota: a Basic instance's listener refuses the
// condition and action types Basic lacks, Response rules and more than 5
// conditions or wildcards per rule; the rules quota per instance is the
// edition's, configurable.
func TestRuleEditionAndQuota(t *testing.T) {
	s := newStack(t, "Basic", albtest.WithInstanceQuotas("Basic", albtest.InstanceQuotas{Rules: 2}))
	oc := s.srv.OpenAPIClient()
	p := cond("Path", values("/x"))
	for _, tc := range []struct {
		name string
		q    map[string]any
		code string
	}{
		{"QueryString", map[string]any{"RuleConditions": list(cond("QueryString", pairs("a", "b")))}, "OperationDenied.LoadBalancerEdition"},
		{"Redirect", map[string]any{"RuleActions": list(act("Redirect", 1, map[string]any{"Protocol": "HTTPS"}))}, "OperationDenied.LoadBalancerEdition"},
		{"Rewrite", map[string]any{"RuleActions": list(act("Rewrite", 1, map[string]any{"Path": "/y"}), fwd(2, s.sg))}, "OperationDenied.LoadBalancerEdition"},
		{"Response rule", map[string]any{"Direction": "Response", "RuleConditions": list(cond("ResponseStatusCode", values("500"))),
			"RuleActions": list(act("RemoveHeader", 1, map[string]any{"Key": "server"}))}, "OperationDenied.LoadBalancerEdition"},
		{"six conditions", map[string]any{"RuleConditions": list(p, p, p, p, p, p)}, "QuotaExceeded.RuleConditionsNum"},
		{"six wildcards", map[string]any{"RuleConditions": list(cond("Path", values("/a*", "/b*", "/c*", "/d*", "/e*", "/f*")))}, "QuotaExceeded.RuleWildcardsNum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := map[string]any{"ListenerId": s.listener, "Priority": 5, "RuleName": "basic", "RuleConditions": list(p), "RuleActions": list(fwd(1, s.sg))}
			for k, v := range tc.q {
				q[k] = v
			}
			_, err := call(t, oc, "CreateRule", albtest.VersionALB, q)
			se := sdkErr(t, err, tc.code, 400)
			if tc.code == "OperationDenied.LoadBalancerEdition" && !strings.Contains(dara.StringValue(se.Message), "Standard") {
				t.Fatalf("the refusal does not name the edition that has it: %s", dara.StringValue(se.Message))
			}
		})
	}
	readyRule(t, s.c, ruleReq(s.listener, 1, s.sg))
	readyRule(t, s.c, ruleReq(s.listener, 2, s.sg))
	_, err := s.c.CreateRule(ruleReq(s.listener, 3, s.sg))
	sdkErr(t, err, "QuotaExceeded.RulesNum", 400)
	// A rule being deleted leaves the quota at once.
	if _, err := s.c.DeleteRule(&albsdk.DeleteRuleRequest{RuleId: dara.String(s.srv.Rules(s.listener)[0].ID)}); err != nil {
		t.Fatal(err)
	}
	mustCreateRule(t, s.c, ruleReq(s.listener, 3, s.sg))
}
