package stack_test

import (
	"context"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/stack"
)

// An instance, two groups and a listener made without the stack (another
// tool, the console) become the stack's by their IDs: the plan creates
// none of them and changes only what differs (the rule the stack adds);
// apply keeps their IDs; a second apply writes nothing. Then drift made
// behind the stack's back (a group renamed, a listener's description
// changed, a rule's priority moved) shows in the plan, field by field, and
// apply reverts exactly it.
func TestAdoptThenRevertDrift(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	s.Listeners[0].Description = "web-front-door"
	// Made elsewhere: the stack's resources, with other keys.
	op, err := c.Create(ctx, s.Instance.WithIdempotencyKey("elsewhere-lb"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	adopt := stack.Adoption{Instance: inst.ID, ServerGroups: map[string]string{}, Listeners: map[string]string{}}
	for _, g := range s.ServerGroups {
		g.VPCID = albtest.DefaultVPCID
		sg, err := c.ServerGroups().Create(ctx, g.WithIdempotencyKey("elsewhere-"+g.Name))
		if err != nil {
			t.Fatal(err)
		}
		adopt.ServerGroups[g.Name] = sg.ID
	}
	lspec := s.Listeners[0].ListenerSpec
	lspec.LoadBalancerID, lspec.DefaultServerGroupIDs, lspec.Rules = inst.ID, []string{adopt.ServerGroups["static"]}, nil
	ls, err := c.Listeners().Create(ctx, lspec.WithIdempotencyKey("elsewhere-http"))
	if err != nil {
		t.Fatal(err)
	}
	adopt.Listeners["http"] = ls.ID
	s.Adopt = adopt

	plan, err := s.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	sum := plan.Summary()
	if sum.Create != 0 || sum.Update != 1 || sum.Unchanged != 3 {
		t.Fatalf("adoption plan %+v, want the listener updated (its rules) and nothing created:\n%s", sum, plan)
	}
	res, err := s.Apply(ctx, c, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := res.IDs()
	if ids["instance/web"] != inst.ID || ids["listener/http"] != ls.ID || ids["server group/api"] != adopt.ServerGroups["api"] {
		t.Fatalf("ids after adoption %v", ids)
	}
	if liveInstances(srv) != 1 || len(srv.ServerGroups()) != 2 || len(srv.Listeners()) != 1 || len(srv.Rules(ls.ID)) != 2 {
		t.Fatalf("after adoption: %d instances, %d groups, %d listeners, %d rules", liveInstances(srv), len(srv.ServerGroups()), len(srv.Listeners()), len(srv.Rules(ls.ID)))
	}
	w := writes(srv)
	if again, err := s.Apply(ctx, c, stack.Options{}); err != nil || len(again.Calls()) != 0 || writes(srv) != w {
		t.Fatalf("second apply: %v %v", err, again.Calls())
	}

	// Drift, made with the raw SDK as the console would.
	sdk := srv.ALBClient()
	if _, err := sdk.UpdateServerGroupAttribute(&albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: tea.String(adopt.ServerGroups["api"]), ServerGroupName: tea.String("renamed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.UpdateListenerAttribute(&albsdk.UpdateListenerAttributeRequest{ListenerId: tea.String(ls.ID), ListenerDescription: tea.String("hand_edited")}); err != nil {
		t.Fatal(err)
	}
	srv.AdvanceAll() // the listener's change, before the next one
	rules := srv.Rules(ls.ID)
	if _, err := sdk.UpdateRuleAttribute(&albsdk.UpdateRuleAttributeRequest{RuleId: tea.String(rules[0].ID), Priority: tea.Int32(99)}); err != nil {
		t.Fatal(err)
	}
	srv.AdvanceAll()
	drift, err := s.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	text := drift.String()
	if sum := drift.Summary(); sum.Update != 2 || sum.Create != 0 || sum.Delete != 0 {
		t.Fatalf("drift plan %+v:\n%s", sum, text)
	}
	for _, want := range []string{"renamed", "hand_edited", "99"} {
		if !strings.Contains(text, want) {
			t.Errorf("the drift plan does not show %q:\n%s", want, text)
		}
	}
	fixed, err := s.Apply(ctx, c, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sorted(fixed.Calls()), sorted(drift.Calls()); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("calls %v, plan %v", got, want)
	}
	if after, err := s.Plan(ctx, c); err != nil || after.Writes() {
		t.Fatalf("after reverting the drift: %v\n%s", err, after)
	}
	if g, _ := srv.ServerGroup(adopt.ServerGroups["api"]); g.Name != "api" {
		t.Fatalf("group name %q after apply", g.Name)
	}
}
