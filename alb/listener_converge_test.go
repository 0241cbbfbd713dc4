package alb

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/routing"
)

// ruleGen builds random rules over a small vocabulary of hosts, paths,
// methods and headers, so rules overlap often and priorities are dense.
type ruleGen struct{ r *rand.Rand }

func (g ruleGen) pick(vals ...string) string { return vals[g.r.IntN(len(vals))] }

func (g ruleGen) some(vals ...string) []string {
	n := 1 + g.r.IntN(2)
	out := []string{}
	for _, i := range g.r.Perm(len(vals))[:n] {
		out = append(out, vals[i])
	}
	return out
}

func (g ruleGen) conditions(response bool) []routing.Condition {
	var cs []routing.Condition
	types := g.r.Perm(4)[:1+g.r.IntN(2)]
	for _, t := range types {
		switch t {
		case 0:
			cs = append(cs, routing.Host(g.some("a.example.com", "b.example.com", "*.example.com")...))
		case 1:
			cs = append(cs, routing.Path(g.some("/a", "/a/*", "/b", "/*", "/c")...))
		case 2:
			if response {
				cs = append(cs, routing.ResponseStatusCode(g.some("200", "404", "503")...))
			} else {
				cs = append(cs, routing.Method(g.some("GET", "POST")...))
			}
		case 3:
			cs = append(cs, routing.Header("x-env", g.pick("blue", "green")))
		}
	}
	return cs
}

func (g ruleGen) actions(response bool) []routing.Action {
	if response {
		return routing.InOrder(routing.InsertHeader("x-r", g.pick("1", "2")))
	}
	var as []routing.Action
	if g.r.IntN(4) == 0 {
		as = append(as, routing.InsertHeader("x-a", g.pick("1", "2")))
	}
	if g.r.IntN(5) == 0 {
		as = append(as, routing.FixedResponse("404", "text/plain", "gone"))
	} else {
		as = append(as, routing.Forward(routing.Weighted(g.pick("sgp-1", "sgp-2", "sgp-3"), 10*(1+g.r.IntN(10)))))
	}
	return routing.InOrder(as...)
}

// priorities returns n distinct priorities among 1..n+slack, none in
// taken.
func (g ruleGen) priorities(n, slack int, taken map[int]bool) []int {
	var free []int
	for p := 1; len(free) < n+slack; p++ {
		if !taken[p] {
			free = append(free, p)
		}
	}
	g.r.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
	return free[:n]
}

// convergeCase is a listener state and a spec to converge it to.
type convergeCase struct {
	spec  ListenerSpec
	sim   *lsnSim
	owned bool
}

func genConvergeCase(r *rand.Rand) convergeCase {
	g := ruleGen{r}
	base := NewListenerSpec("alb-1", ListenerHTTPS, 443, "sgp-0").WithCertificate("cert-0")
	certs := []string{"cert-1", "cert-2", "cert-3", "cert-4"}
	for _, c := range certs {
		if r.IntN(2) == 0 {
			base = base.WithAdditionalCertificates(c)
		}
	}
	// The current rules.
	var have []Rule
	id := 0
	for _, dir := range []routing.Direction{routing.DirectionRequest, routing.DirectionResponse} {
		n := r.IntN(8)
		if dir == routing.DirectionResponse {
			n = r.IntN(3)
		}
		prios := g.priorities(n, 3, nil)
		for i := 0; i < n; i++ {
			id++
			name := fmt.Sprintf("r%d", i)
			if dir == routing.DirectionResponse {
				name = fmt.Sprintf("o%d", i)
			}
			resp := dir == routing.DirectionResponse
			have = append(have, Rule{ID: fmt.Sprintf("rule-old%d", id), RuleSpec: RuleSpec{Name: name, Priority: prios[i], Direction: dir,
				Conditions: g.conditions(resp), Actions: g.actions(resp)}})
		}
	}
	sim := simListener(&testing.T{}, base)
	sim.rules = have
	sim.nextID = 1000
	for _, c := range base.AdditionalCertificateIDs {
		sim.certs = append(sim.certs, ListenerCertificate{ID: c, Type: CertificateServer, Status: CertificateAssociated})
	}
	sim.certs = append(sim.certs, ListenerCertificate{ID: "cert-0", Type: CertificateServer, Default: true, Status: CertificateAssociated})

	// The wanted listener: attributes, certificates, rules.
	spec := NewListenerSpec("alb-1", ListenerHTTPS, 443, "sgp-0").WithCertificate("cert-0")
	if r.IntN(3) == 0 {
		spec.DefaultServerGroupIDs = []string{g.pick("sgp-8", "sgp-9")}
	}
	if r.IntN(3) == 0 {
		spec = spec.WithTimeouts(1+r.IntN(600), r.IntN(600))
	}
	if r.IntN(4) == 0 {
		spec = spec.WithoutGzip()
	}
	if r.IntN(4) == 0 {
		spec = spec.WithCertificate(g.pick("cert-0", "cert-1", "cert-5"))
	}
	if r.IntN(3) == 0 {
		spec = spec.WithXForwardedFor(XForwardedFor{Proto: true, Host: r.IntN(2) == 0, Mode: XForwardedForMode(g.pick("", "remove")),
			ClientSourceIPs: true, TrustedProxies: []string{"10.0.0.0/8"}})
	}
	for _, c := range certs {
		if r.IntN(2) == 0 && c != spec.DefaultCertificateID {
			spec = spec.WithAdditionalCertificates(c)
		}
	}
	owned := r.IntN(2) == 0
	if owned {
		spec = spec.WithRuleMembership(MembershipOwned)
	}
	for _, dir := range []routing.Direction{routing.DirectionRequest, routing.DirectionResponse} {
		resp := dir == routing.DirectionResponse
		var kept []RuleSpec
		taken := map[int]bool{}
		for _, h := range have {
			if h.direction() != dir {
				continue
			}
			switch k := r.IntN(8); {
			case k < 2: // gone
				if !owned {
					if r.IntN(2) == 0 {
						spec = spec.WithAbsentRules(h.Name)
					} else {
						taken[h.Priority] = true // left alone: an unmanaged rule
					}
				}
			default:
				w := SpecFromRule(h)
				if k == 2 || k == 3 {
					w.Conditions = g.conditions(resp)
				}
				if k == 4 || k == 5 {
					w.Actions = g.actions(resp)
				}
				kept = append(kept, w)
			}
		}
		for i := range r.IntN(4) {
			name := fmt.Sprintf("n%d", i)
			if resp {
				name = fmt.Sprintf("p%d", i)
			}
			kept = append(kept, RuleSpec{Name: name, Direction: dir, Conditions: g.conditions(resp), Actions: g.actions(resp)})
		}
		prios := g.priorities(len(kept), 2, taken)
		for i := range kept {
			if r.IntN(3) > 0 || kept[i].Priority == 0 || taken[kept[i].Priority] {
				kept[i].Priority = prios[i]
			}
		}
		// Keep priorities unique after the mix of kept and fresh ones.
		seen := map[int]bool{}
		for i := range kept {
			for seen[kept[i].Priority] || taken[kept[i].Priority] {
				kept[i].Priority++
			}
			seen[kept[i].Priority] = true
		}
		spec = spec.WithRules(kept...)
	}
	return convergeCase{spec: spec, sim: sim, owned: owned}
}

// TestListenerPlanConverges: for random pairs of a listener (with its
// certificates and rules) and a spec, the plan applied through albkit's own
// requests to a simulated listener (a) never makes two rules of one
// direction share a priority, (b) after every single rule write routes
// every request of the vocabulary as the current table or the wanted table
// does (never by a rule of neither), and (c) leaves a listener that diffs
// empty.
func TestListenerPlanConverges(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 2026))
	stats := map[string]int{}
	const pairs = 300
	for i := 0; i < pairs; i++ {
		c := genConvergeCase(r)
		if err := c.spec.Validate(); err != nil {
			t.Fatalf("case %d: the generated spec is invalid: %v", i, err)
		}
		before := c.sim.listener()
		oldDecisions := decisions(t, ruleSpecs(c.sim.rules), before.DefaultServerGroupIDs)
		p := DiffListener(c.spec, before, c.sim.certs, c.sim.rules)
		if len(p.Blocked) > 0 {
			for _, d := range p.Blocked {
				if d.Rule != RuleListenerRuleOrderNoFreePriority {
					t.Fatalf("case %d: blocked:\n%s", i, p)
				}
			}
			if p.Writes() {
				t.Fatalf("case %d: a plan blocked by the rule order writes:\n%s", i, p)
			}
			stats["blocked"]++
			continue
		}
		// The wanted table: the spec's rules and the unmanaged ones.
		want := slices.Clone(c.spec.Rules)
		managed := map[string]bool{}
		for _, w := range c.spec.Rules {
			managed[w.Name] = true
		}
		for _, h := range c.sim.rules {
			if !c.owned && !managed[h.Name] && !slices.Contains(c.spec.AbsentRules, h.Name) {
				want = append(want, h.RuleSpec)
			}
		}
		newDecisions := decisions(t, want, c.spec.DefaultServerGroupIDs)
		check := func(at string) {
			l := c.sim.listener()
			got := decisions(t, ruleSpecs(c.sim.rules), l.DefaultServerGroupIDs)
			for k := range got {
				if got[k] != oldDecisions[k] && got[k] != newDecisions[k] {
					t.Fatalf("case %d, after %s: request %d is decided %q, neither the current table's %q nor the wanted one's %q\nplan:\n%s",
						i, at, k, got[k], oldDecisions[k], newDecisions[k], p)
				}
			}
		}
		if err := c.sim.apply(t, c.spec, p, check); err != nil {
			t.Fatalf("case %d: %v\nplan:\n%s", i, err, p)
		}
		again := DiffListener(c.spec, c.sim.listener(), c.sim.certs, c.sim.rules)
		if !again.Empty() {
			t.Fatalf("case %d: the second plan is not empty:\n%s\nfirst plan:\n%s", i, again, p)
		}
		for _, s := range p.Rules {
			stats[string(s.Kind)]++
			if s.Temporary {
				stats["temporary"]++
			}
			if s.Replaces != "" {
				stats["replaces"]++
			}
		}
		stats["calls"] += len(p.Calls())
	}
	t.Logf("%d pairs: %v", pairs, stats)
	if stats["blocked"] > pairs/10 {
		t.Errorf("%d of %d plans found no safe order", stats["blocked"], pairs)
	}
	for _, k := range []string{"create", "update", "delete", "temporary", "replaces"} {
		if stats[k] == 0 {
			t.Errorf("no plan of the %d made a %s step: the generator misses a case", pairs, k)
		}
	}
}

// TestListenerPlanBatchesCommute: each batched rule call's steps can be
// applied in any order (here: reversed) and still route every request as
// the current or the wanted table does.
func TestListenerPlanBatchesCommute(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 19))
	batched := 0
	for i := 0; i < 200; i++ {
		c := genConvergeCase(r)
		before := c.sim.listener()
		p := DiffListener(c.spec, before, c.sim.certs, c.sim.rules)
		if len(p.Blocked) > 0 {
			continue // TestListenerPlanConverges checks blocked plans
		}
		calls := p.CallList()
		for ci := range calls {
			if len(calls[ci].Rules) > 1 {
				batched++
				slices.Reverse(calls[ci].Rules)
			}
		}
		p.calls = calls
		oldDecisions := decisions(t, ruleSpecs(c.sim.rules), before.DefaultServerGroupIDs)
		want := slices.Clone(c.spec.Rules)
		managed := map[string]bool{}
		for _, w := range c.spec.Rules {
			managed[w.Name] = true
		}
		for _, h := range c.sim.rules {
			if !c.owned && !managed[h.Name] && !slices.Contains(c.spec.AbsentRules, h.Name) {
				want = append(want, h.RuleSpec)
			}
		}
		newDecisions := decisions(t, want, c.spec.DefaultServerGroupIDs)
		err := c.sim.apply(t, c.spec, p, func(at string) {
			got := decisions(t, ruleSpecs(c.sim.rules), c.sim.listener().DefaultServerGroupIDs)
			for k := range got {
				if got[k] != oldDecisions[k] && got[k] != newDecisions[k] {
					t.Fatalf("case %d, after %s (batches reversed): request %d decided %q\nplan:\n%s", i, at, k, got[k], p)
				}
			}
		})
		if err != nil {
			t.Fatalf("case %d (batches reversed): %v\nplan:\n%s", i, err, p)
		}
	}
	if batched == 0 {
		t.Fatal("no plan batched two rule steps")
	}
	t.Logf("%d batched calls reversed", batched)
}

func TestRuleStepString(t *testing.T) {
	s := RuleStep{Kind: RuleStepUpdate, RuleID: "rule-1", Rule: RuleSpec{Name: "api", Priority: 7}, FromPriority: 3, Temporary: true, Actions: true}
	if got := s.String(); !strings.Contains(got, "priority 3 → 7 (temporary)") || !strings.Contains(got, "actions") {
		t.Errorf("String() = %q", got)
	}
}
