package albtest_test

import (
	"fmt"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"

	"github.com/albkit/albkit/alb/albtest"
)

// noNulls fails on a JSON null anywhere in an answer: the Terraform
// provider type-asserts the objects it reads and panics on null.
func noNulls(t *testing.T, what string, v any, at string) {
	t.Helper()
	switch x := v.(type) {
	case nil:
		t.Fatalf("%s: null at %s", what, at)
	case map[string]any:
		for k, e := range x {
			noNulls(t, what, e, at+"."+k)
		}
	case []any:
		for i, e := range x {
			noNulls(t, what, e, fmt.Sprintf("%s[%d]", at, i))
		}
	}
}

// tfJobs is the Terraform provider's wait on a listener job: ListAsynJobs
// by JobIds.1 until the jobs read exactly [Succeeded] (bounded).
func tfJobs(t *testing.T, oc *openapi.Client, jobID string) {
	t.Helper()
	for i := 0; i < 10; i++ {
		b := mustRPCBody(t, oc, "ListAsynJobs", map[string]any{"JobIds.1": jobID})
		jobs, _ := b["Jobs"].([]any)
		var st []string
		for _, j := range jobs {
			st = append(st, fmt.Sprint(path(j, "Status")))
		}
		if fmtSlice(st) == "[Succeeded]" {
			return
		}
		if len(jobs) != 1 {
			t.Fatalf("ListAsynJobs by JobIds.1=%s: %v", jobID, b)
		}
	}
	t.Fatalf("job %s not [Succeeded] after 10 reads", jobID)
}

// tfXFF is the XForwardedForConfig map the provider sends from a
// configured x_forwarded_for_config block: every key, the aliases and the
// trusted addresses left empty.
func tfXFF() map[string]any {
	return map[string]any{
		"XForwardedForClientCertIssuerDNAlias": "", "XForwardedForClientCertIssuerDNEnabled": false,
		"XForwardedForClientCertClientVerifyAlias": "", "XForwardedForClientCertClientVerifyEnabled": false,
		"XForwardedForClientCertFingerprintAlias": "", "XForwardedForClientCertFingerprintEnabled": false,
		"XForwardedForClientCertSubjectDNAlias": "", "XForwardedForClientCertSubjectDNEnabled": false,
		"XForwardedForClientSourceIpsEnabled": false, "XForwardedForClientSourceIpsTrusted": "",
		"XForwardedForClientSrcPortEnabled": false, "XForwardedForEnabled": true, "XForwardedForProtoEnabled": true,
		"XForwardedForSLBIdEnabled": false, "XForwardedForSLBPortEnabled": false,
	}
}

// TestListenerTerraformCalls makes the calls of the Terraform provider's
// alicloud_alb_listener (resource_alicloud_alb_listener.go,
// service_alicloud_alb.go): every parameter in the form body, as its
// DoRequest sends them; CreateListener, then ListAsynJobs by JobIds.1
// until [Succeeded]; the read (GetListenerAttribute, ListTagResources),
// whose objects must be what the service answers and never null;
// UpdateListenerLogConfig with custom headers off; UpdateListenerAttribute;
// DeleteListener retried on ResourceInConfiguring.Listener and
// IncorrectStatus.LoadBalancer, then GetListenerAttribute until
// ResourceNotFound.Listener.
func TestListenerTerraformCalls(t *testing.T) {
	s := newStack(t, "Standard")
	oc := s.srv.OpenAPIClient()
	token := 0
	tok := func() string { token++; return fmt.Sprintf("tf-token-%d", token) }
	b := mustRPCBody(t, oc, "CreateListener", map[string]any{
		"ClientToken": tok(), "LoadBalancerId": s.lb, "ListenerProtocol": "HTTPS", "ListenerPort": 443,
		"DefaultActions": []any{map[string]any{"Type": "ForwardGroup",
			"ForwardGroupConfig": map[string]any{"ServerGroupTuples": []any{map[string]any{"ServerGroupId": s.sg}}}}},
		"Certificates":        []any{map[string]any{"CertificateId": albtest.CertificateExample}},
		"XForwardedForConfig": tfXFF(), "GzipEnabled": true, "Http2Enabled": true, "IdleTimeout": 20, "RequestTimeout": 120,
		"ListenerDescription": "tf-testAccAlbListener",
	})
	id, _ := b["ListenerId"].(string)
	if !reLsnID.MatchString(id) {
		t.Fatalf("create: %v", b)
	}
	tfJobs(t, oc, b["JobId"].(string))

	read := func() map[string]any {
		t.Helper()
		a := mustRPCBody(t, oc, "GetListenerAttribute", map[string]any{"ListenerId": id})
		noNulls(t, "GetListenerAttribute", a, "$")
		return a
	}
	a := read()
	lc, ok := a["LogConfig"].(map[string]any)
	if !ok || lc["AccessLogRecordCustomizedHeadersEnabled"] != false {
		t.Fatalf("LogConfig must be an object with the custom-headers switch: %v", a["LogConfig"])
	}
	if _, ok := lc["AccessLogTracingConfig"]; ok {
		t.Fatalf("a tracing block for a listener created without one: %v", lc)
	}
	if _, ok := a["AclConfig"]; ok {
		t.Fatalf("AclConfig without an ACL: %v", a["AclConfig"])
	}
	x, _ := a["XForwardedForConfig"].(map[string]any)
	if x["XForwardedForProtoEnabled"] != true || x["XForwardedForEnabled"] != true || x["XForwardedForClientCertIssuerDNAlias"] != nil {
		t.Fatalf("XForwardedForConfig: %v", x)
	}
	if q, _ := a["QuicConfig"].(map[string]any); q["QuicUpgradeEnabled"] != false {
		t.Fatalf("QuicConfig: %v", a["QuicConfig"])
	}
	if a["ListenerStatus"] != "Running" || a["SecurityPolicyId"] != albtest.PolicyTLS10 || num(a["IdleTimeout"]) != 20 || num(a["RequestTimeout"]) != 120 ||
		path(a, "Certificates", 0, "CertificateId") != albtest.CertificateExample ||
		path(a, "DefaultActions", 0, "ForwardGroupConfig", "ServerGroupTuples", 0, "ServerGroupId") != s.sg {
		t.Fatalf("read: %v", a)
	}
	mustRPCBody(t, oc, "ListTagResources", map[string]any{"RegionId": s.srv.Region(), "ResourceType": "listener", "ResourceId.1": id})
	mustRPCBody(t, oc, "TagResources", map[string]any{"RegionId": s.srv.Region(), "ResourceType": "listener", "ResourceId.1": id,
		"Tag.1.Key": "Created", "Tag.1.Value": "tf"})
	tags := mustRPCBody(t, oc, "ListTagResources", map[string]any{"RegionId": s.srv.Region(), "ResourceType": "listener", "ResourceId.1": id})
	if path(tags, "TagResources", 0, "TagKey") != "Created" || path(tags, "TagResources", 0, "ResourceType") != "listener" {
		t.Fatalf("tags: %v", tags)
	}

	// The update path right after create: the log config with custom
	// headers off (allowed without the instance's access log).
	b = mustRPCBody(t, oc, "UpdateListenerLogConfig", map[string]any{"ClientToken": tok(), "ListenerId": id, "AccessLogRecordCustomizedHeadersEnabled": false})
	tfJobs(t, oc, b["JobId"].(string))
	if lc := read()["LogConfig"].(map[string]any); len(lc) != 1 {
		t.Fatalf("LogConfig after UpdateListenerLogConfig: %v", lc)
	}
	b = mustRPCBody(t, oc, "UpdateListenerAttribute", map[string]any{"ClientToken": tok(), "ListenerId": id, "IdleTimeout": 30,
		"XForwardedForConfig": tfXFF(), "Certificates": []any{map[string]any{"CertificateId": albtest.CertificateAPI}}})
	// A second change before the first completes is refused; delete is
	// retried on ResourceInConfiguring.Listener.
	_, err := rpcBody(t, oc, "UpdateListenerAttribute", map[string]any{"ClientToken": tok(), "ListenerId": id, "IdleTimeout": 31})
	sdkErr(t, err, "IncorrectStatus.Listener", 400)
	_, err = rpcBody(t, oc, "DeleteListener", map[string]any{"ClientToken": tok(), "ListenerId": id})
	sdkErr(t, err, "ResourceInConfiguring.Listener", 400)
	tfJobs(t, oc, b["JobId"].(string))
	if a := read(); num(a["IdleTimeout"]) != 30 || path(a, "Certificates", 0, "CertificateId") != albtest.CertificateAPI {
		t.Fatalf("after the update: %v", a)
	}

	// The instance busy: IncorrectStatus.LoadBalancer, retried.
	if _, err := s.c.UpdateLoadBalancerAttribute(updNameReq(s.lb, "renamed")); err != nil {
		t.Fatal(err)
	}
	_, err = rpcBody(t, oc, "DeleteListener", map[string]any{"ClientToken": tok(), "ListenerId": id})
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	waitActive(t, s.c, s.lb)
	b = mustRPCBody(t, oc, "DeleteListener", map[string]any{"ClientToken": tok(), "ListenerId": id})
	tfJobs(t, oc, b["JobId"].(string))
	_, err = rpcBody(t, oc, "GetListenerAttribute", map[string]any{"ListenerId": id})
	sdkErr(t, err, "ResourceNotFound.Listener", 404)
}

// tfRuleActions is the RuleActions list the provider sends for a
// forward_group_config block: the weight it defaults to 100, an empty
// sticky-session map and an empty CorsConfig map (both flatten to nothing).
func tfRuleActions(sg string) []any {
	return []any{map[string]any{"Order": 1, "Type": "ForwardGroup",
		"ForwardGroupConfig": map[string]any{"ServerGroupTuples": []any{map[string]any{"ServerGroupId": sg, "Weight": 100}},
			"ServerGroupStickySession": map[string]any{}},
		"CorsConfig": map[string]any{}}}
}

// tfDescribeRule is the provider's DescribeAlbRule: ListRules with
// MaxResults=50 and the direction, no listener or rule filter, paging
// through every rule of the region until it finds the rule; an empty page
// means not found. It returns the rule and the pages read.
func tfDescribeRule(t *testing.T, oc *openapi.Client, id, direction string) (map[string]any, int) {
	t.Helper()
	q := map[string]any{"MaxResults": 50, "Direction": direction}
	for pages := 1; pages < 20; pages++ {
		b := mustRPCBody(t, oc, "ListRules", q)
		noNulls(t, "ListRules", b, "$")
		rules, _ := b["Rules"].([]any)
		if len(rules) == 0 {
			return nil, pages
		}
		for _, r := range rules {
			if path(r, "RuleId") == id {
				return r.(map[string]any), pages
			}
		}
		next, _ := b["NextToken"].(string)
		if next == "" {
			return nil, pages
		}
		q["NextToken"] = next
	}
	t.Fatal("ListRules pages do not end")
	return nil, 0
}

// oneConfigEach checks that each condition and action of a ListRules rule
// has exactly one non-empty config object: the provider makes one block of
// each non-empty one.
func oneConfigEach(t *testing.T, r map[string]any) {
	t.Helper()
	for _, list := range []string{"RuleConditions", "RuleActions"} {
		items, _ := r[list].([]any)
		for i, it := range items {
			n := 0
			for k, v := range it.(map[string]any) {
				if m, ok := v.(map[string]any); ok && len(m) > 0 && strings.HasSuffix(k, "Config") {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%s[%d] has %d config objects: %v", list, i, n, it)
			}
		}
	}
}

// TestRuleTerraformCalls makes the calls of the Terraform provider's
// alicloud_alb_rule: CreateRule, then DescribeAlbRule (ListRules with
// MaxResults=50 and the direction, paging through every rule of the
// region: here 61) until RuleStatus Available; UpdateRuleAttribute
// resending name, priority, conditions and actions whole; DeleteRule not
// waited on, then a new rule with the same priority and the deletion of
// the old rule's server group, both at once; CreateFailed as the provider
// sees it.
func TestRuleTerraformCalls(t *testing.T) {
	s := newStack(t, "Standard")
	oc := s.srv.OpenAPIClient()
	// 60 rules of another listener first, so that the rule is on page 2.
	other := runningLsn(t, s.c, lsnReq(s.lb, s.sg, port(8080)))
	for batch := 0; batch < 6; batch++ {
		rules := []any{}
		for i := 1; i <= 10; i++ {
			rules = append(rules, map[string]any{"Priority": batch*10 + i, "RuleName": "filler", "RuleConditions": []any{
				map[string]any{"Type": "Path", "PathConfig": map[string]any{"Values": []any{"/f" + itoa(batch*10+i)}}}},
				"RuleActions": tfRuleActions(s.sg)})
		}
		mustRPCBody(t, oc, "CreateRules", map[string]any{"ListenerId": other, "Rules": rules})
	}
	ruleBody := func(extra map[string]any) map[string]any {
		m := map[string]any{"ListenerId": s.listener, "Priority": 7, "RuleName": "tf-testAccAlbRule", "Direction": "Request",
			"RuleConditions": []any{map[string]any{"Type": "Host", "HostConfig": map[string]any{"Values": []any{"www.example.com"}}}},
			"RuleActions":    tfRuleActions(s.otherSG)}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	b := mustRPCBody(t, oc, "CreateRule", ruleBody(map[string]any{"ClientToken": "tf-rule-1"}))
	id, _ := b["RuleId"].(string)
	var r map[string]any
	var pages int
	for i := 0; i < 10; i++ {
		if r, pages = tfDescribeRule(t, oc, id, "Request"); r != nil && r["RuleStatus"] == "Available" {
			break
		}
	}
	if r == nil || r["RuleStatus"] != "Available" || pages != 2 {
		t.Fatalf("DescribeAlbRule: %v after %d pages", r, pages)
	}
	oneConfigEach(t, r)
	fg := path(r, "RuleActions", 0, "ForwardGroupConfig").(map[string]any)
	if _, ok := fg["ServerGroupStickySession"]; ok || num(path(fg, "ServerGroupTuples", 0, "Weight")) != 100 {
		t.Fatalf("ForwardGroupConfig: %v", fg)
	}
	if resp, _ := tfDescribeRule(t, oc, id, "Response"); resp != nil {
		t.Fatal("a Request rule listed with Direction=Response")
	}

	// Update: everything resent, the priority unchanged.
	mustRPCBody(t, oc, "UpdateRuleAttribute", map[string]any{"ClientToken": "tf-rule-2", "RuleId": id, "RuleName": "tf-renamed", "Priority": 7,
		"RuleConditions": ruleBody(nil)["RuleConditions"], "RuleActions": tfRuleActions(s.sg)})
	for i := 0; i < 10; i++ {
		if r, _ = tfDescribeRule(t, oc, id, "Request"); r["RuleStatus"] == "Available" {
			break
		}
	}
	if r["RuleName"] != "tf-renamed" || path(r, "RuleActions", 0, "ForwardGroupConfig", "ServerGroupTuples", 0, "ServerGroupId") != s.sg {
		t.Fatalf("after the update: %v", r)
	}

	// Replacement: DeleteRule not waited on, a rule with the same priority
	// at once, and the old target group deleted (no longer used).
	mustRPCBody(t, oc, "UpdateRuleAttribute", map[string]any{"ClientToken": "tf-rule-3", "RuleId": id, "RuleActions": tfRuleActions(s.otherSG)})
	tfDescribeRule(t, oc, id, "Request")
	mustRPCBody(t, oc, "DeleteRule", map[string]any{"ClientToken": "tf-rule-4", "RuleId": id})
	b = mustRPCBody(t, oc, "CreateRule", ruleBody(map[string]any{"ClientToken": "tf-rule-5", "RuleActions": tfRuleActions(s.sg)}))
	mustRPCBody(t, oc, "DeleteServerGroup", map[string]any{"ClientToken": "tf-sg-1", "ServerGroupId": s.otherSG})

	// CreateFailed is what the provider fails on.
	id2 := b["RuleId"].(string)
	if err := s.srv.SetRuleStatus(id2, "CreateFailed"); err != nil {
		t.Fatal(err)
	}
	if r, _ := tfDescribeRule(t, oc, id2, "Request"); r["RuleStatus"] != "CreateFailed" {
		t.Fatalf("forced CreateFailed: %v", r)
	}
	_, err := rpcBody(t, oc, "DeleteRule", map[string]any{"RuleId": "rule-missing"})
	sdkErr(t, err, "ResourceNotFound.Rule", 404)
}
