package alb_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

// genListener draws a listener spec on e's instance: attributes, and
// request (and a few response) rules over a small vocabulary of hosts,
// paths and methods, so that rules overlap and priorities collide often.
func genListener(r *rand.Rand, e *lsnEnv, key string) alb.ListenerSpec {
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	spec := alb.NewListenerSpec(e.inst.ID, alb.ListenerHTTP, 80, e.groups[r.IntN(len(e.groups))]).WithIdempotencyKey(key)
	if r.IntN(3) == 0 {
		spec = spec.WithTimeouts(1+r.IntN(120), 1+r.IntN(120))
	}
	if r.IntN(4) == 0 {
		spec = spec.WithoutGzip()
	}
	if r.IntN(3) == 0 {
		spec = spec.WithXForwardedFor(alb.XForwardedFor{Proto: true, Host: r.IntN(2) == 0})
	}
	if r.IntN(2) == 0 {
		spec = spec.WithRuleMembership(alb.MembershipOwned)
	}
	used := map[int]bool{}
	prio := func() int {
		for {
			p := 1 + r.IntN(30)
			if !used[p] {
				used[p] = true
				return p
			}
		}
	}
	n := r.IntN(7)
	for i := range n {
		var conds []routing.Condition
		switch r.IntN(4) {
		case 0:
			conds = append(conds, routing.Host(pick("a.example.com", "b.example.com", "*.example.com")))
		case 1:
			conds = append(conds, routing.Path(pick("/api/*", "/img/*", "/", "/api/v1")))
		case 2:
			conds = append(conds, routing.Host(pick("a.example.com", "b.example.com")), routing.Path(pick("/api/*", "/img/*")))
		default:
			conds = append(conds, routing.Method(pick("GET", "POST")))
		}
		var act routing.Action
		if r.IntN(5) == 0 {
			act = routing.FixedResponse(pick("200", "404"), "text/plain", "fixed")
		} else {
			act = routing.ForwardTo(e.groups[r.IntN(len(e.groups))])
		}
		spec = spec.WithRules(alb.NewRuleSpec(fmt.Sprintf("r%d", i), prio(), conds...).Then(act))
	}
	if r.IntN(3) == 0 {
		spec = spec.WithRules(alb.NewRuleSpec("resp", 1+r.IntN(5), routing.ResponseStatusCode(pick("500", "502"))).OnResponse().
			Then(routing.InsertHeader("x-err", pick("1", "2"))))
	}
	return spec
}

// TestListenerEnsureProperty is the converge property of a listener with
// its rules, through the client and the emulator's default transitions:
// random pairs of specs A and B under one key; Ensure(A), then Ensure(B):
// the calls made are the plan's, one write each; a blocked plan writes
// nothing; the rules are B's afterwards (Owned: exactly; Shared: B's rules
// at least); a second Ensure of B writes nothing.
func TestListenerEnsureProperty(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	ls := e.c.Listeners()
	r := rand.New(rand.NewPCG(19, 7))
	pairs, blocked, attempts := 0, 0, 0
	for attempt := 0; pairs < 36 && attempt < 400; attempt++ {
		attempts++
		key := fmt.Sprintf("lp-%d", attempt)
		a, b := genListener(r, e, key), genListener(r, e, key)
		if a.Validate() != nil || b.Validate() != nil {
			continue
		}
		resA, err := ls.Ensure(ctx, a)
		var fe *alb.FindingsError
		if errors.As(err, &fe) {
			continue // A itself refused (a shadowed rule, say)
		}
		if err != nil {
			t.Fatalf("Ensure(A): %v\n%+v", err, a)
		}
		plan, err := ls.PlanEnsure(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		w0 := writes(e.srv)
		res, err := ls.Ensure(ctx, b)
		switch {
		case plan.Blocked():
			if err == nil || writes(e.srv) != w0 {
				t.Fatalf("pair %d: a blocked plan: %v, %d writes\n%s", pairs, err, writes(e.srv)-w0, plan)
			}
			blocked++
		case err != nil:
			t.Fatalf("pair %d: Ensure(B): %v\nplan:\n%s", pairs, err, plan)
		default:
			if !slices.Equal(res.Calls, plan.Plan.Calls()) || writes(e.srv)-w0 != len(plan.Plan.Calls()) {
				t.Fatalf("pair %d: calls %v (%d writes), plan %v", pairs, res.Calls, writes(e.srv)-w0, plan.Plan.Calls())
			}
			got := map[string]alb.Rule{}
			for rule, err := range e.c.ForwardingRules().List(ctx, alb.RuleFilter{ListenerIDs: []string{resA.ID}}) {
				if err != nil {
					t.Fatal(err)
				}
				got[rule.Name] = *rule
			}
			for _, want := range b.Rules {
				g, ok := got[want.Name]
				if !ok || g.Priority != want.Priority {
					t.Fatalf("pair %d: rule %s: %+v, want priority %d\nplan:\n%s", pairs, want.Name, g, want.Priority, plan)
				}
			}
			if b.RuleMembership == alb.MembershipOwned && len(got) != len(b.Rules) {
				t.Fatalf("pair %d: owned: %d rules, want %d", pairs, len(got), len(b.Rules))
			}
			w1 := writes(e.srv)
			again, err := ls.Ensure(ctx, b)
			if err != nil || len(again.Calls) != 0 || writes(e.srv) != w1 {
				t.Fatalf("pair %d: second Ensure: %v, calls %v\n%s", pairs, err, again.Calls, again.Plan)
			}
		}
		pairs++
		if err := ls.Delete(ctx, resA.ID); err != nil {
			t.Fatal(err)
		}
	}
	if pairs < 30 {
		t.Fatalf("only %d pairs ran", pairs)
	}
	t.Logf("%d pairs of %d drawn, %d refused before any write", pairs, attempts, blocked)
}
