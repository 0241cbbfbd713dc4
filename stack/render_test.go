package stack_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
	"github.com/albkit/albkit/stack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./stack -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./stack -run %s -update rewrites it); got:\n%s", path, t.Name(), got)
	}
}

var idPattern = regexp.MustCompile(`\b(alb|sgp|lsn|rule|scp)-([a-z0-9]+)\b`)

// stableIDs replaces the emulator's random IDs by their rank of
// appearance ("sgp-0002"), leaving the plan's stand-ins ("alb-new").
func stableIDs(s string) string {
	seen := map[string]string{}
	count := map[string]int{}
	return idPattern.ReplaceAllStringFunc(s, func(id string) string {
		m := idPattern.FindStringSubmatch(id)
		if strings.HasPrefix(m[2], "new") {
			return id
		}
		if r, ok := seen[id]; ok {
			return r
		}
		count[m[1]]++
		seen[id] = fmt.Sprintf("%s-%04d", m[1], count[m[1]])
		return seen[id]
	})
}

func planJSON(t *testing.T, p *stack.Plan) string {
	t.Helper()
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// TestPlanRendersGolden renders the plan of testdata/render.yaml as JSON
// and as a Mermaid diagram: created on an empty emulator, then changed
// (servers, rules, groups and a listener added, changed and removed).
func TestPlanRendersGolden(t *testing.T) {
	_, c := env(t)
	ctx := context.Background()
	s, err := stack.Load("testdata/render.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "create.json", stableIDs(planJSON(t, p)))
	golden(t, "create.mmd", stableIDs(p.Mermaid()))

	if _, err := s.Apply(ctx, c, stack.Options{}); err != nil {
		t.Fatal(err)
	}
	s2 := changed(s)
	p2, err := s2.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "update.json", stableIDs(planJSON(t, p2)))
	golden(t, "update.mmd", stableIDs(p2.Mermaid()))

	// The picture is the stack planned, whatever becomes of it after.
	before := p2.Mermaid()
	s2.Listeners[0].Rules[0].Name = "renamed"
	s2.ServerGroups[0].Servers[0].Weight = 1
	if p2.Mermaid() != before {
		t.Error("changing the stack after planning changed the plan's diagram")
	}

	// JSON reads back into a plan that renders the same.
	var back stack.Plan
	if err := json.Unmarshal([]byte(planJSON(t, p2)), &back); err != nil {
		t.Fatal(err)
	}
	if planJSON(t, &back) != planJSON(t, p2) {
		t.Errorf("the JSON does not read back:\n%s", planJSON(t, &back))
	}
	if len(back.Items) == 0 || len(back.Items[0].Findings) != len(p2.Items[0].Findings) {
		t.Errorf("items or findings lost: %+v", back.Items)
	}
}

// changed is the render stack with one change of each kind.
func changed(s stack.Stack) stack.Stack {
	s = clone(s)
	groups := slices.DeleteFunc(s.ServerGroups, func(g alb.ServerGroupSpec) bool { return g.Name == "shadow" })
	groups[0].Servers[0] = groups[0].Servers[0].WithWeight(30)                       // api: a weight
	groups[2].Servers[9] = groups[2].Servers[9].WithWeight(50)                       // web: one of ten
	groups = append(groups, alb.NewServerGroupSpec("canary", alb.ServerGroupIP, ""). // a new group
												WithServers(alb.IPServer("10.0.2.50", 8080)))
	s.ServerGroups = groups
	s.Listeners = s.Listeners[1:] // the http listener goes
	rules := s.Listeners[0].Rules
	rules[0].Actions[0].ForwardGroup.ServerGroups[1].ServerGroupID = "canary"                       // v2-path: another group
	rules[1] = alb.NewRuleSpec("api-host", 10, routing.Host("api.example.com", "api.example.org")). // conditions change, no mirror
													Then(routing.ForwardTo("api"))
	s.Listeners[0].Rules = rules[:2] // quoted goes
	return s
}

// clone copies a stack through its JSON.
func clone(s stack.Stack) stack.Stack {
	b, _ := json.Marshal(s)
	var c stack.Stack
	_ = json.Unmarshal(b, &c)
	return c
}

// TestMermaidOfItemsOnly: a plan not made by Plan (here decoded from
// JSON, with a refused and a deleted resource) draws its items.
func TestMermaidOfItemsOnly(t *testing.T) {
	var p stack.Plan
	err := json.Unmarshal([]byte(`{"key": "hand", "items": [
		{"kind": "instance", "name": "web", "id": "alb-1", "action": "update", "calls": ["UpdateLoadBalancerAttribute"]},
		{"kind": "listener", "name": "https", "id": "lsn-1", "action": "refused", "refusals": ["Port: 443 → 8443 cannot change in place"]},
		{"kind": "server group", "name": "api", "action": "none"},
		{"kind": "server group", "name": "old \"one\" <#2>", "id": "sgp-9", "action": "delete", "calls": ["DeleteServerGroup"], "changes": ["Ip group with 2 server(s)"]},
		{"kind": "listener", "name": "http", "id": "lsn-2", "action": "delete", "calls": ["DeleteListener"]}
	]}`), &p)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "items.mmd", p.Mermaid())
	if !p.Blocked() || p.Summary() != (stack.Summary{Update: 1, Refused: 1, Unchanged: 1, Delete: 2, Calls: 3}) {
		t.Errorf("summary %+v", p.Summary())
	}
}
