package alb_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the rule table in README.md")

// rulesTable renders the rules of alb.Rules() that apply to scope as a
// README feature table.
func rulesTable(scope alb.RuleScope) string {
	var b strings.Builder
	b.WriteString("| rule | how albkit checks it | level | source (product doc section) | what it says |\n|---|---|---|---|---|\n")
	for _, r := range alb.Rules() {
		if r.Applies(scope) {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.ID, r.Check, r.Level, r.Source, r.Text)
		}
	}
	return b.String()
}

// readmeTables are the README's generated tables: the marker that opens
// each (its line is kept) and the rules it lists.
type readmeTable struct {
	begin, end string
	scope      alb.RuleScope
}

var readmeTables = []readmeTable{
	{"<!-- rules:begin", "<!-- rules:end -->", alb.ScopeInstance},
	{"<!-- server-group-rules:begin", "<!-- server-group-rules:end -->", alb.ScopeServerGroup},
	{"<!-- listener-rules:begin", "<!-- listener-rules:end -->", alb.ScopeListener},
	{"<!-- rule-rules:begin", "<!-- rule-rules:end -->", alb.ScopeRule},
	{"<!-- security-policy-rules:begin", "<!-- security-policy-rules:end -->", alb.ScopeSecurityPolicy},
}

// TestReadmeListsEveryRule keeps the README's feature tables equal to
// alb.Rules(), one table for the instance's rules and one for the server
// groups' (the rules they share are in both): the map from product-doc
// rules to checks is visible to users.
func TestReadmeListsEveryRule(t *testing.T) {
	const path = "../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	stale := false
	for _, tbl := range readmeTables {
		begin := strings.Index(readme, tbl.begin)
		end := strings.Index(readme, tbl.end)
		if begin < 0 || end < begin {
			t.Fatalf("README.md lacks the %s/%s markers", tbl.begin, tbl.end)
		}
		begin += strings.Index(readme[begin:], "\n") + 1
		want := rulesTable(tbl.scope)
		if readme[begin:end] != want {
			stale = true
			readme = readme[:begin] + want + readme[end:]
		}
	}
	// Every rule is in a table.
	for _, r := range alb.Rules() {
		if !slices.ContainsFunc(readmeTables, func(tbl readmeTable) bool { return r.Applies(tbl.scope) }) {
			t.Errorf("rule %s has scope %q: no README table lists it", r.ID, r.Scope)
		}
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if stale {
		t.Fatalf("README.md rule tables are stale; run: go test ./alb -run TestReadme -update-readme")
	}
}

// Issue 17 items 13 and 14: what a new user reads first. The README shows
// how to install, what is stable, its two commands, the albtest client to
// use in tests before the one with default settings, and how to build,
// run and stop the standalone emulator (not `go run … &`, whose kill stops
// only the go tool); the benchmark internals live in BENCHMARKS.md. The
// albtest and emulator docs say the same.
func TestDocsForANewUser(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	readme, bench := read("../README.md"), read("../BENCHMARKS.md")
	albtestDoc, emuDoc := read("albtest/doc.go"), read("../examples/emulator/doc.go")
	for _, want := range []string{"go get github.com/albkit/albkit", "What is stable", "go run ./examples/quickstart", "go test ./...",
		"go build -o albtest-emulator ./examples/emulator", "./albtest-emulator &", "kill %1", "BENCHMARKS.md"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	for _, want := range []string{"go build -o albtest-emulator ./examples/emulator", "./albtest-emulator", "kill %1"} {
		if !strings.Contains(emuDoc, want) {
			t.Errorf("go doc ./examples/emulator lacks %q", want)
		}
	}
	for name, text := range map[string]string{"README.md": readme, "examples/emulator": emuDoc} {
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, "go run ./examples/emulator") && strings.HasSuffix(strings.TrimSpace(strings.SplitN(line, "#", 2)[0]), "&") {
				t.Errorf("%s starts the emulator with go run in the background: %q", name, line)
			}
		}
	}
	// The micro-benchmark internals moved: the nonce tables and the handler
	// profile are in BENCHMARKS.md, not in the README.
	for _, internal := range []string{"open-addressing tables", "BenchmarkStandaloneMemory", "go tool pprof"} {
		if strings.Contains(readme, internal) || !strings.Contains(bench, internal) {
			t.Errorf("%q: in the README %v, in BENCHMARKS.md %v", internal, strings.Contains(readme, internal), strings.Contains(bench, internal))
		}
	}
	// albtest's Starting section leads with srv.Client().
	start := albtestDoc[strings.Index(albtestDoc, "# Starting"):]
	if c, n := strings.Index(start, "srv.Client()"), strings.Index(start, "alb.NewClient(alb.WithOpenAPIConfig"); c < 0 || n < 0 || c > n {
		t.Errorf("albtest's Starting section does not lead with srv.Client() (at %d, NewClient at %d)", c, n)
	}
	if c, n := strings.Index(readme, "srv.Client()"), strings.Index(readme, "alb.NewClient(alb.WithOpenAPIConfig"); c < 0 || n < 0 || c > n {
		t.Errorf("the README does not show srv.Client() first (at %d, NewClient at %d)", c, n)
	}
}
