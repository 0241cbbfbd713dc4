package alb_test

import (
	"os"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
)

// TestReadmeListsEveryRule keeps the README's feature table in step with
// alb.Rules(): the map from product-doc rules to checks is visible to users.
func TestReadmeListsEveryRule(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, r := range alb.Rules() {
		if !strings.Contains(readme, "`"+r.ID+"`") {
			t.Errorf("README.md feature table lacks rule %q", r.ID)
		}
	}
}
