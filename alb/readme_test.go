package alb_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the rule table in README.md")

// rulesTable renders alb.Rules() as the README's feature table.
func rulesTable() string {
	var b strings.Builder
	b.WriteString("| rule | how albkit checks it | level | source (product doc section) | what it says |\n|---|---|---|---|---|\n")
	for _, r := range alb.Rules() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.ID, r.Check, r.Level, r.Source, r.Text)
	}
	return b.String()
}

// TestReadmeListsEveryRule keeps the README's feature table equal to
// alb.Rules(): the map from product-doc rules to checks is visible to users.
func TestReadmeListsEveryRule(t *testing.T) {
	const path = "../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	begin := strings.Index(readme, "<!-- rules:begin")
	end := strings.Index(readme, "<!-- rules:end -->")
	if begin < 0 || end < begin {
		t.Fatal("README.md lacks the rules:begin/rules:end markers")
	}
	begin += strings.Index(readme[begin:], "\n") + 1
	want := rulesTable()
	if *updateReadme {
		readme = readme[:begin] + want + readme[end:]
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := readme[begin:end]; got != want {
		t.Fatalf("README.md rule table is stale; run: go test ./alb -run TestReadme -update-readme")
	}
}
