package stack_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
	"github.com/albkit/albkit/stack"
)

// genStack draws a stack under key: some of four server groups (random
// servers and attributes), one or two listeners with random rules over
// the groups it has, sometimes a custom security policy.
func genStack(r *rand.Rand, key string) stack.Stack {
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	s := stack.Stack{Key: key, Instance: alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName(pick("prop", "prop-b"))}
	var groups []string
	for i, name := range []string{"g1", "g2", "g3", "g4"} {
		if i > 0 && r.IntN(3) == 0 {
			continue
		}
		g := alb.NewServerGroupSpec(name, alb.ServerGroupIP, "")
		if r.IntN(3) == 0 {
			g = g.WithStickyInsert(100 + r.IntN(900))
		}
		if r.IntN(4) == 0 {
			g = g.WithTag("tier", pick("a", "b"))
		}
		for j := range r.IntN(4) {
			g = g.WithServers(alb.IPServer(fmt.Sprintf("10.0.%d.%d", 20+i, 1+j), 8080).WithWeight(r.IntN(101)))
		}
		s.ServerGroups = append(s.ServerGroups, g)
		groups = append(groups, name)
	}
	if r.IntN(4) == 0 {
		s.SecurityPolicies = append(s.SecurityPolicies, alb.NewSecurityPolicySpec("pol", []alb.TLSVersion{alb.TLS12}, alb.Ciphers(alb.TLS12)[:1+r.IntN(3)]...))
	}
	for _, l := range []struct {
		name string
		port int
	}{{"http", 80}, {"alt", 8080}} {
		if l.name == "alt" && r.IntN(2) == 0 {
			continue
		}
		spec := alb.NewListenerSpec("", alb.ListenerHTTP, l.port, groups[r.IntN(len(groups))])
		if r.IntN(3) == 0 {
			spec = spec.WithTimeouts(1+r.IntN(100), 0)
		}
		used := map[int]bool{}
		for i := range r.IntN(5) {
			p := 1 + r.IntN(20)
			for used[p] {
				p++
			}
			used[p] = true
			var cond routing.Condition
			if r.IntN(2) == 0 {
				cond = routing.Host(pick("a.example.com", "b.example.com", "c.example.com"))
			} else {
				cond = routing.Path(pick("/a/*", "/b/*", "/c"))
			}
			spec = spec.WithRules(alb.NewRuleSpec(fmt.Sprintf("r%d", i), p, cond).Then(routing.ForwardTo(groups[r.IntN(len(groups))])))
		}
		s.Listeners = append(s.Listeners, stack.Listener{Name: l.name, ListenerSpec: spec})
	}
	return s
}

// TestStackProperty: random pairs of stacks A and B under one key (at
// least 30 applied): apply A, then B. The writes apply makes are exactly
// its plan's calls; a refused plan writes nothing; a second apply writes
// nothing; destroy leaves nothing of the stack.
func TestStackProperty(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(21, 4))
	pairs, refused := 0, 0
	for attempt := 0; pairs < 32 && attempt < 200; attempt++ {
		key := fmt.Sprintf("prop-%d", attempt)
		a, b := genStack(r, key), genStack(r, key)
		if r.IntN(6) == 0 {
			b.Listeners[0].Port = 81 // a port cannot change in place: refused before any write
		}
		if a.Validate() != nil || b.Validate() != nil {
			continue // a shadowed rule, say: refused locally, before any call
		}
		if _, err := a.Apply(ctx, c, stack.Options{}); err != nil {
			t.Fatalf("apply A: %v", err)
		}
		plan, err := b.Plan(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		w0 := writes(srv)
		res, err := b.Apply(ctx, c, stack.Options{})
		switch {
		case plan.Blocked():
			var re *stack.RefusedError
			if !errors.As(err, &re) || writes(srv) != w0 {
				t.Fatalf("pair %d: a refused plan: %v, %d writes\n%s", pairs, err, writes(srv)-w0, plan)
			}
			refused++
		case err != nil:
			t.Fatalf("pair %d: apply B: %v\nplan:\n%s", pairs, err, plan)
		default:
			if got, want := sorted(res.Calls()), sorted(plan.Calls()); !slices.Equal(got, want) || writes(srv)-w0 != len(want) {
				t.Fatalf("pair %d: calls %v (%d writes)\nplan %v\n%s", pairs, got, writes(srv)-w0, want, plan)
			}
			w1 := writes(srv)
			again, err := b.Apply(ctx, c, stack.Options{})
			if err != nil || len(again.Calls()) != 0 || writes(srv) != w1 {
				t.Fatalf("pair %d: second apply: %v, calls %v\n%s", pairs, err, again.Calls(), again.Plan)
			}
		}
		pairs++
		if _, err := b.Destroy(ctx, c, stack.Options{}); err != nil {
			t.Fatal(err)
		}
		if len(srv.ServerGroups()) != 0 || len(srv.Listeners()) != 0 || liveInstances(srv) != 0 {
			t.Fatalf("pair %d: after destroy: %d groups, %d listeners, %d instances", pairs, len(srv.ServerGroups()), len(srv.Listeners()), liveInstances(srv))
		}
	}
	if pairs < 30 {
		t.Fatalf("only %d pairs", pairs)
	}
	t.Logf("%d pairs, %d refused before any write", pairs, refused)
}
