package albtest_test

import (
	"sync"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// TestListRulesFilters: Response rules are listed only with
// Direction=Response; the filters by instance, listener and rule IDs; the
// paging; the limits of the filters.
func TestListRulesFilters(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	second := runningLsn(t, c, lsnReq(s.lb, s.sg, port(81)))
	a := readyRule(t, c, ruleReq(s.listener, 1, s.sg))
	b := readyRule(t, c, ruleReq(second, 1, s.sg))
	resp, err := c.CreateRule(&albsdk.CreateRuleRequest{ListenerId: dara.String(s.listener), Priority: dara.Int32(1), RuleName: dara.String("resp"),
		Direction: dara.String("Response"),
		RuleConditions: []*albsdk.CreateRuleRequestRuleConditions{{Type: dara.String("ResponseStatusCode"),
			ResponseStatusCodeConfig: &albsdk.CreateRuleRequestRuleConditionsResponseStatusCodeConfig{Values: dara.StringSlice([]string{"404"})}}},
		RuleActions: []*albsdk.CreateRuleRequestRuleActions{{Type: dara.String("RemoveHeader"), Order: dara.Int32(1),
			RemoveHeaderConfig: &albsdk.CreateRuleRequestRuleActionsRemoveHeaderConfig{Key: dara.String("server")}}}})
	if err != nil {
		t.Fatal(err)
	}
	respRule := dara.StringValue(resp.Body.RuleId)
	waitRule(t, c, respRule, "Response", "Available")
	ids := func(req *albsdk.ListRulesRequest) string {
		t.Helper()
		lr, err := c.ListRules(req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range lr.Body.Rules {
			out = append(out, dara.StringValue(r.RuleId))
		}
		return fmtSlice(out)
	}
	if got := ids(&albsdk.ListRulesRequest{}); got != fmtSlice([]string{a, b}) {
		t.Fatalf("no direction: %s", got)
	}
	if got := ids(&albsdk.ListRulesRequest{Direction: dara.String("Response")}); got != fmtSlice([]string{respRule}) {
		t.Fatalf("Response: %s", got)
	}
	if got := ids(&albsdk.ListRulesRequest{ListenerIds: dara.StringSlice([]string{second})}); got != fmtSlice([]string{b}) {
		t.Fatalf("by listener: %s", got)
	}
	if got := ids(&albsdk.ListRulesRequest{LoadBalancerIds: dara.StringSlice([]string{"alb-other"})}); got != "[]" {
		t.Fatalf("by another instance: %s", got)
	}
	if got := ids(&albsdk.ListRulesRequest{LoadBalancerIds: dara.StringSlice([]string{s.lb}), RuleIds: dara.StringSlice([]string{b})}); got != fmtSlice([]string{b}) {
		t.Fatalf("by instance and ID: %s", got)
	}
	lr, err := c.ListRules(&albsdk.ListRulesRequest{MaxResults: dara.Int32(1)})
	if err != nil || len(lr.Body.Rules) != 1 || dara.StringValue(lr.Body.NextToken) != "1" || dara.Int32Value(lr.Body.TotalCount) != 2 {
		t.Fatalf("paging: %v %v", lr, err)
	}
	_, err = c.ListRules(&albsdk.ListRulesRequest{Direction: dara.String("Both")})
	sdkErr(t, err, "InvalidParameter", 400)
	many := make([]string, 21)
	for i := range many {
		many[i] = "rule-" + itoa(i)
	}
	_, err = c.ListRules(&albsdk.ListRulesRequest{RuleIds: dara.StringSlice(many)})
	sdkErr(t, err, "InvalidParameter", 400)
	// A Response rule's answer: its conditions and actions.
	r := listRule(t, c, respRule, "Response")
	if dara.StringValue(r.Direction) != "Response" || dara.StringValue(r.RuleConditions[0].ResponseStatusCodeConfig.Values[0]) != "404" ||
		dara.StringValue(r.RuleActions[0].RemoveHeaderConfig.Key) != "server" {
		t.Fatalf("Response rule: %s", r.String())
	}
}

// TestConcurrentRuleWrites creates rules on one listener from several
// goroutines with overlapping priorities: each priority is taken once,
// the others are refused with Conflict.Priority, and the routing table
// compiles. Run with -race -count=20.
func TestConcurrentRuleWrites(t *testing.T) {
	s := newStack(t, "Standard", albtest.WithTransitions(albtest.Immediate()))
	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := map[int32]int{}
	errs := make(chan error, workers*perWorker)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := s.srv.ALBClient()
			for i := 0; i < perWorker; i++ {
				prio := int32(1 + (w*perWorker+i)%20)
				_, err := c.CreateRule(ruleReq(s.listener, prio, s.sg))
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				won[prio]++
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !contains(err.Error(), "Conflict.Priority") {
			t.Fatalf("unexpected refusal: %v", err)
		}
	}
	for p, n := range won {
		if n != 1 {
			t.Fatalf("priority %d taken %d times", p, n)
		}
	}
	if len(won) != 20 || len(s.srv.Rules(s.listener)) != 20 {
		t.Fatalf("%d priorities won, %d rules", len(won), len(s.srv.Rules(s.listener)))
	}
	tbl, err := s.srv.RoutingTable(s.listener)
	if err != nil || len(tbl.Rules) != 20 {
		t.Fatalf("table: %v %v", tbl, err)
	}
}
