package waf

import (
	"errors"
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name        string
		f           Facts
		want        Outcome
		allowed     bool
		sideEffects int
		mention     string // substring of the side effect, if any
	}{
		{"nothing", Facts{}, OutcomeActivatePayAsYouGo, true, 1, "pay-as-you-go WAF 3.0 instance will be activated"},
		{"v3 subscription", Facts{V3: V3Subscription, V3InstanceID: "waf-s"}, OutcomeUseSubscription, true, 0, ""},
		{"v3 pay-as-you-go", Facts{V3: V3PayAsYouGo, V3InstanceID: "waf-p"}, OutcomeUsePayAsYouGo, true, 1, "waf-p"},
		{"v3 pay-as-you-go without id", Facts{V3: V3PayAsYouGo}, OutcomeUsePayAsYouGo, true, 1, "existing pay-as-you-go"},
		{"v2 only", Facts{V2Present: true, V2InstanceID: "waf-2"}, OutcomeRefuseV2Present, false, 0, ""},
		{"v2 and v3 subscription", Facts{V3: V3Subscription, V2Present: true}, OutcomeRefuseV2Present, false, 0, ""},
		{"v2 and v3 pay-as-you-go", Facts{V3: V3PayAsYouGo, V2Present: true}, OutcomeRefuseV2Present, false, 0, ""},
		{"v2 id without flag is ignored", Facts{V2InstanceID: "waf-2"}, OutcomeActivatePayAsYouGo, true, 1, ""},
		{"unknown v3 state", Facts{V3: V3State(42)}, OutcomeActivatePayAsYouGo, true, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.f)
			if d.Outcome != tt.want || d.Allowed != tt.allowed {
				t.Fatalf("Decide = %v allowed=%v, want %v allowed=%v", d.Outcome, d.Allowed, tt.want, tt.allowed)
			}
			if len(d.SideEffects) != tt.sideEffects {
				t.Fatalf("side effects = %q, want %d", d.SideEffects, tt.sideEffects)
			}
			if tt.mention != "" && !strings.Contains(d.SideEffects[0], tt.mention) {
				t.Errorf("side effect %q does not mention %q", d.SideEffects[0], tt.mention)
			}
			err := d.Err()
			if tt.allowed {
				if err != nil || d.Guidance != "" {
					t.Errorf("allowed decision: Err = %v, Guidance = %q", err, d.Guidance)
				}
				return
			}
			if !errors.Is(err, ErrWAF2Present) {
				t.Fatalf("Err = %v, want it to wrap ErrWAF2Present", err)
			}
			var v *Violation
			if !errors.As(err, &v) || v.Rule != RuleWAF2Present {
				t.Fatalf("Err = %v, want a *Violation with rule %s", err, RuleWAF2Present)
			}
			for _, s := range []string{"release", "migrate", "WAF 3.0", "X-Forwarded-Proto", "infinite redirection"} {
				if !strings.Contains(d.Guidance, s) {
					t.Errorf("Guidance %q does not mention %q", d.Guidance, s)
				}
			}
			if !strings.Contains(err.Error(), d.Guidance) {
				t.Errorf("Err %q does not include Guidance", err)
			}
			if tt.f.V2InstanceID != "" && !strings.Contains(d.Guidance, tt.f.V2InstanceID) {
				t.Errorf("Guidance %q does not name %s", d.Guidance, tt.f.V2InstanceID)
			}
		})
	}
}

func TestErrZeroDecision(t *testing.T) {
	err := Decision{}.Err()
	if !errors.Is(err, ErrWAF2Present) || !strings.Contains(err.Error(), "X-Forwarded-Proto") {
		t.Errorf("Decision{}.Err() = %v, want the default guidance wrapping ErrWAF2Present", err)
	}
}

func TestStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{V3None.String(), "none"},
		{V3Subscription.String(), "subscription"},
		{V3PayAsYouGo.String(), "pay-as-you-go"},
		{V3State(9).String(), "V3State(9)"},
		{OutcomeActivatePayAsYouGo.String(), "activate-pay-as-you-go"},
		{OutcomeUseSubscription.String(), "use-subscription"},
		{OutcomeUsePayAsYouGo.String(), "use-pay-as-you-go"},
		{OutcomeRefuseV2Present.String(), "refuse-waf2-present"},
		{Outcome(-1).String(), "Outcome(-1)"},
	} {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
}
