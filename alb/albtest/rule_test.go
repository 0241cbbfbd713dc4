package albtest_test

import (
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// TestRuleLifecycle creates, lists, updates and deletes rules through the
// SDK with the default transitions, and compiles the listener's routing
// table at each step: a rule enters the table once Available, an update
// once it completes, a deletion once the rule is gone.
func TestRuleLifecycle(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	resp, err := c.CreateRule(ruleReq(s.listener, 10, s.otherSG, func(r *albsdk.CreateRuleRequest) {
		r.Tag = []*albsdk.CreateRuleRequestTag{{Key: dara.String("team"), Value: dara.String("api")}}
	}))
	if err != nil {
		t.Fatal(err)
	}
	id := dara.StringValue(resp.Body.RuleId)
	if !reRuleID.MatchString(id) || !reJobID.MatchString(dara.StringValue(resp.Body.JobId)) {
		t.Fatalf("create answer: %s", resp.Body.String())
	}
	if tbl, _ := s.srv.RoutingTable(s.listener); len(tbl.Rules) != 0 {
		t.Fatalf("a rule being created is in the table: %+v", tbl.Rules)
	}
	r := listRule(t, c, id, "")
	if dara.StringValue(r.RuleStatus) != "Provisioning" {
		t.Fatalf("right after create: %s", r.String())
	}
	r = waitRule(t, c, id, "", "Available")
	if dara.StringValue(r.ListenerId) != s.listener || dara.StringValue(r.LoadBalancerId) != s.lb || dara.Int32Value(r.Priority) != 10 ||
		dara.StringValue(r.Direction) != "Request" || dara.StringValue(r.RuleName) != "rule-10" || len(r.Tags) != 1 ||
		dara.StringValue(r.RuleConditions[0].PathConfig.Values[0]) != "/api/*" ||
		dara.StringValue(r.RuleActions[0].ForwardGroupConfig.ServerGroupTuples[0].ServerGroupId) != s.otherSG ||
		dara.Int32Value(r.RuleActions[0].ForwardGroupConfig.ServerGroupTuples[0].Weight) != 50 {
		t.Fatalf("read: %s", r.String())
	}
	decide := func(path string) routing.Decision {
		t.Helper()
		tbl, err := s.srv.RoutingTable(s.listener)
		if err != nil {
			t.Fatal(err)
		}
		return routing.MustCompile(tbl).Decide(&routing.Request{Method: "GET", Host: "www.example.com", Path: path})
	}
	if d := decide("/api/x"); d.Rule != id || d.Forward[0].ServerGroupID != s.otherSG {
		t.Fatalf("decision: %v", d)
	}
	if d := decide("/web"); !d.Default || d.Forward[0].ServerGroupID != s.sg {
		t.Fatalf("default decision: %v", d)
	}

	// An update shows the old rule while Configuring; the table too.
	if _, err := c.UpdateRuleAttribute(&albsdk.UpdateRuleAttributeRequest{RuleId: dara.String(id), Priority: dara.Int32(20),
		RuleConditions: []*albsdk.UpdateRuleAttributeRequestRuleConditions{{Type: dara.String("Path"),
			PathConfig: &albsdk.UpdateRuleAttributeRequestRuleConditionsPathConfig{Values: dara.StringSlice([]string{"/v2/*"})}}}}); err != nil {
		t.Fatal(err)
	}
	if d := decide("/api/x"); d.Rule != id { // the table has the old rule until the change completes
		t.Fatalf("decision while Configuring: %v", d)
	}
	r = listRule(t, c, id, "")
	if dara.StringValue(r.RuleStatus) != "Configuring" || dara.Int32Value(r.Priority) != 10 {
		t.Fatalf("while Configuring: %s", r.String())
	}
	r = waitRule(t, c, id, "", "Available")
	if dara.Int32Value(r.Priority) != 20 || dara.StringValue(r.RuleConditions[0].PathConfig.Values[0]) != "/v2/*" || dara.StringValue(r.RuleName) != "rule-10" ||
		decide("/api/x").Rule != "" || decide("/v2/x").Rule != id {
		t.Fatalf("after the update: %s", r.String())
	}

	// Delete: Deleting (the table keeps it), then gone.
	if _, err := c.DeleteRule(&albsdk.DeleteRuleRequest{RuleId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	if d := decide("/v2/x"); d.Rule != id {
		t.Fatalf("decision while Deleting: %v", d)
	}
	if r = listRule(t, c, id, ""); dara.StringValue(r.RuleStatus) != "Deleting" {
		t.Fatalf("deleting: %s", r.String())
	}
	if r = listRule(t, c, id, ""); r != nil {
		t.Fatalf("after the deletion: %s", r.String())
	}
	if _, ok := s.srv.Rule(id); ok || decide("/v2/x").Rule != "" {
		t.Fatal("the deleted rule is still there")
	}
	_, err = c.DeleteRule(&albsdk.DeleteRuleRequest{RuleId: dara.String(id)})
	sdkErr(t, err, "ResourceNotFound.Rule", 404)
	jobs, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ResourceType: dara.String("rule"), ResourceIds: dara.StringSlice([]string{id})})
	if err != nil || len(jobs.Body.Jobs) != 3 || dara.StringValue(jobs.Body.Jobs[2].ApiName) != "DeleteRule" || dara.StringValue(jobs.Body.Jobs[2].Status) != "Succeeded" {
		t.Fatalf("jobs: %v %v", jobs, err)
	}
}

// TestRuleBatches makes the batch calls: CreateRules (one job for all its
// rules, which read alike on a page), UpdateRulesAttribute swapping two
// priorities in one call, DeleteRules; and the per-call limits.
func TestRuleBatches(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	var rules []*albsdk.CreateRulesRequestRules
	for i := 1; i <= 3; i++ {
		rules = append(rules, &albsdk.CreateRulesRequestRules{Priority: dara.Int32(int32(i)), RuleName: dara.String("batch-" + itoa(i)),
			RuleConditions: []*albsdk.CreateRulesRequestRulesRuleConditions{{Type: dara.String("Host"),
				HostConfig: &albsdk.CreateRulesRequestRulesRuleConditionsHostConfig{Values: dara.StringSlice([]string{"h" + itoa(i) + ".example.com"})}}},
			RuleActions: []*albsdk.CreateRulesRequestRulesRuleActions{{Type: dara.String("ForwardGroup"), Order: dara.Int32(1),
				ForwardGroupConfig: &albsdk.CreateRulesRequestRulesRuleActionsForwardGroupConfig{
					ServerGroupTuples: []*albsdk.CreateRulesRequestRulesRuleActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: dara.String(s.sg)}}}}}})
	}
	resp, err := c.CreateRules(&albsdk.CreateRulesRequest{ListenerId: dara.String(s.listener), Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body.RuleIds) != 3 || dara.Int32Value(resp.Body.RuleIds[2].Priority) != 3 {
		t.Fatalf("CreateRules answer: %s", resp.Body.String())
	}
	ids := []string{}
	for _, x := range resp.Body.RuleIds {
		ids = append(ids, dara.StringValue(x.RuleId))
	}
	statuses := func() []string {
		t.Helper()
		lr, err := c.ListRules(&albsdk.ListRulesRequest{ListenerIds: dara.StringSlice([]string{s.listener})})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range lr.Body.Rules {
			out = append(out, dara.StringValue(r.RuleStatus))
		}
		return out
	}
	if st := fmtSlice(statuses()); st != "[Provisioning Provisioning Provisioning]" {
		t.Fatalf("after CreateRules: %s", st)
	}
	if st := fmtSlice(statuses()); st != "[Available Available Available]" {
		t.Fatalf("then: %s", st)
	}
	jobs, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{JobIds: []*string{resp.Body.JobId}})
	if err != nil || len(jobs.Body.Jobs) != 1 || dara.StringValue(jobs.Body.Jobs[0].ApiName) != "CreateRules" || dara.StringValue(jobs.Body.Jobs[0].Status) != "Succeeded" {
		t.Fatalf("the batch's job: %v %v", jobs, err)
	}

	// Swap priorities 1 and 2 in one call; giving 3 to the first alone
	// conflicts.
	_, err = c.UpdateRulesAttribute(&albsdk.UpdateRulesAttributeRequest{Rules: []*albsdk.UpdateRulesAttributeRequestRules{{RuleId: dara.String(ids[0]), Priority: dara.Int32(3)}}})
	sdkErr(t, err, "Conflict.Priority", 400)
	_, err = c.UpdateRulesAttribute(&albsdk.UpdateRulesAttributeRequest{Rules: []*albsdk.UpdateRulesAttributeRequestRules{
		{RuleId: dara.String(ids[0]), Priority: dara.Int32(5)}, {RuleId: dara.String(ids[1]), Priority: dara.Int32(5)}}})
	sdkErr(t, err, "DuplicatedParam.Priority", 400)
	if _, err := c.UpdateRulesAttribute(&albsdk.UpdateRulesAttributeRequest{Rules: []*albsdk.UpdateRulesAttributeRequestRules{
		{RuleId: dara.String(ids[0]), Priority: dara.Int32(2)}, {RuleId: dara.String(ids[1]), Priority: dara.Int32(1)}}}); err != nil {
		t.Fatal(err)
	}
	if st := fmtSlice(statuses()); st != "[Configuring Configuring Available]" {
		t.Fatalf("while updating: %s", st)
	}
	statuses()
	if r, _ := s.srv.Rule(ids[0]); r.Priority != 2 {
		t.Fatalf("after the swap: %+v", r)
	}

	// DeleteRules: both go at once.
	if _, err := c.DeleteRules(&albsdk.DeleteRulesRequest{RuleIds: dara.StringSlice(ids[:2])}); err != nil {
		t.Fatal(err)
	}
	if st := fmtSlice(statuses()); st != "[Deleting Deleting Available]" {
		t.Fatalf("while deleting: %s", st)
	}
	if st := fmtSlice(statuses()); st != "[Available]" {
		t.Fatalf("after DeleteRules: %s", st)
	}

	// Limits per call.
	many := make([]*albsdk.CreateRulesRequestRules, 11)
	for i := range many {
		many[i] = rules[0]
	}
	_, err = c.CreateRules(&albsdk.CreateRulesRequest{ListenerId: dara.String(s.listener), Rules: many})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.CreateRules(&albsdk.CreateRulesRequest{ListenerId: dara.String(s.listener), Rules: []*albsdk.CreateRulesRequestRules{rules[0], rules[0]}})
	sdkErr(t, err, "DuplicatedParam.Priority", 400)
	ruleIDs := make([]string, 101)
	for i := range ruleIDs {
		ruleIDs[i] = "rule-x" + itoa(i)
	}
	_, err = c.DeleteRules(&albsdk.DeleteRulesRequest{RuleIds: dara.StringSlice(ruleIDs)})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.DeleteRules(&albsdk.DeleteRulesRequest{RuleIds: dara.StringSlice([]string{ids[2], "rule-missing"})})
	sdkErr(t, err, "ResourceNotFound.Rule", 404)
	if r, _ := s.srv.Rule(ids[2]); r.Status != "Available" {
		t.Fatalf("a refused DeleteRules changed a rule: %+v", r)
	}
	_ = albtest.CertificateCA
}
