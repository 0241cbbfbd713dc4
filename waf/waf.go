package waf

import (
	"errors"
	"fmt"
)

// V3State is the state of the account's WAF 3.0 instance.
type V3State int

// WAF 3.0 instance states.
const (
	V3None         V3State = iota // no WAF 3.0 instance
	V3Subscription                // a subscription WAF 3.0 instance exists
	V3PayAsYouGo                  // a pay-as-you-go WAF 3.0 instance exists
)

// String returns "none", "subscription" or "pay-as-you-go".
func (s V3State) String() string {
	switch s {
	case V3None:
		return "none"
	case V3Subscription:
		return "subscription"
	case V3PayAsYouGo:
		return "pay-as-you-go"
	}
	return fmt.Sprintf("V3State(%d)", int(s))
}

// Facts is what the rules need to know about the account's WAF instances.
type Facts struct {
	V3           V3State
	V3InstanceID string
	V2Present    bool // a WAF 2.0 instance exists
	V2InstanceID string
}

// Outcome of enabling WAF for an ALB instance.
type Outcome int

// Outcomes of Decide.
const (
	OutcomeActivatePayAsYouGo Outcome = iota // no WAF instance: a pay-as-you-go WAF 3.0 instance will be activated (a cost side effect to report)
	OutcomeUseSubscription                   // 3.0 subscription exists: no extra WAF fee
	OutcomeUsePayAsYouGo                     // a pay-as-you-go 3.0 exists already: billed on it, no new activation
	OutcomeRefuseV2Present                   // a WAF 2.0 instance exists: refuse
)

// String returns a short kebab-case name of the outcome.
func (o Outcome) String() string {
	switch o {
	case OutcomeActivatePayAsYouGo:
		return "activate-pay-as-you-go"
	case OutcomeUseSubscription:
		return "use-subscription"
	case OutcomeUsePayAsYouGo:
		return "use-pay-as-you-go"
	case OutcomeRefuseV2Present:
		return "refuse-waf2-present"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Decision is the result of Decide.
type Decision struct {
	Outcome     Outcome
	Allowed     bool
	SideEffects []string // person-readable cost/side effects, e.g. "a pay-as-you-go WAF 3.0 instance will be activated"
	Guidance    string   // what to do when refused
}

// ErrWAF2Present is wrapped by Decision.Err when a WAF 2.0 instance exists.
var ErrWAF2Present = errors.New("waf: a WAF 2.0 instance exists")

// RuleWAF2Present is the rule identifier for refusing the WAF Enabled edition
// while a WAF 2.0 instance exists.
const RuleWAF2Present = "waf2-present"

// Decide returns what happens when the WAF Enabled edition is chosen for an
// ALB instance, given the account's WAF facts.
func Decide(f Facts) Decision {
	return Decision{}
}

// Err returns nil when allowed, else an error wrapping ErrWAF2Present whose message includes the Guidance.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrWAF2Present, d.Guidance)
}
