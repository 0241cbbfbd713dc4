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
	V3           V3State // the account's WAF 3.0 instance: none, subscription or pay-as-you-go
	V3InstanceID string  // its ID, when there is one
	V2Present    bool    // a WAF 2.0 instance exists
	V2InstanceID string  // its ID, when there is one
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
	Outcome     Outcome  // what happens
	Allowed     bool     // false when the WAF-enabled edition must be refused
	SideEffects []string // person-readable cost/side effects, e.g. "a pay-as-you-go WAF 3.0 instance will be activated"
	Guidance    string   // what to do when refused
}

// ErrWAF2Present is wrapped by Decision.Err when a WAF 2.0 instance exists.
var ErrWAF2Present = errors.New("waf: a WAF 2.0 instance exists")

// RuleWAF2Present is the rule identifier for refusing the WAF Enabled edition
// while a WAF 2.0 instance exists.
const RuleWAF2Present = "waf2-present"

// SideEffectActivatePayAsYouGo is the side effect reported when no WAF
// instance exists.
const SideEffectActivatePayAsYouGo = "a pay-as-you-go WAF 3.0 instance will be activated and billed for the protection of this ALB instance"

// Decide returns what happens when the WAF Enabled edition is chosen for an
// ALB instance, given the account's WAF facts:
//
//   - a WAF 2.0 instance exists: refused (OutcomeRefuseV2Present), whatever
//     the WAF 3.0 state, with Guidance to release the WAF 2.0 instance or
//     migrate to WAF 3.0 and then enable the X-Forwarded-Proto header;
//   - no WAF instance: allowed, a pay-as-you-go WAF 3.0 instance is activated
//     (OutcomeActivatePayAsYouGo, reported in SideEffects);
//   - a subscription WAF 3.0 instance: allowed, no extra WAF fee
//     (OutcomeUseSubscription, no SideEffects);
//   - a pay-as-you-go WAF 3.0 instance: allowed, WAF usage is billed on it
//     (OutcomeUsePayAsYouGo, reported in SideEffects).
//
// Judgement calls: the documentation does not describe the existing
// pay-as-you-go WAF 3.0 case; this package assumes it is used and billed, with
// no new activation. An unknown V3State is treated like V3None (the cost side
// effect is reported rather than hidden).
func Decide(f Facts) Decision {
	if f.V2Present {
		return Decision{Outcome: OutcomeRefuseV2Present, Allowed: false, Guidance: guidance(f.V2InstanceID)}
	}
	switch f.V3 {
	case V3Subscription:
		return Decision{Outcome: OutcomeUseSubscription, Allowed: true}
	case V3PayAsYouGo:
		se := "WAF 3.0 protection of this ALB instance is billed on the existing pay-as-you-go WAF 3.0 instance"
		if f.V3InstanceID != "" {
			se += " " + f.V3InstanceID
		}
		return Decision{Outcome: OutcomeUsePayAsYouGo, Allowed: true, SideEffects: []string{se}}
	}
	return Decision{Outcome: OutcomeActivatePayAsYouGo, Allowed: true, SideEffects: []string{SideEffectActivatePayAsYouGo}}
}

func guidance(v2ID string) string {
	inst := "the WAF 2.0 instance"
	if v2ID != "" {
		inst = "the WAF 2.0 instance " + v2ID
	}
	return "release " + inst + " or migrate it to WAF 3.0 before choosing the WAF Enabled edition; " +
		"after releasing the WAF 2.0 instance, enable the X-Forwarded-Proto header on the ALB listeners to prevent issues such as infinite redirection"
}

// Violation is the error returned by Decision.Err. It unwraps to
// ErrWAF2Present, so both errors.Is(err, ErrWAF2Present) and
// errors.As(err, new(*Violation)) work.
type Violation struct {
	Rule    string // RuleWAF2Present
	Message string // the Guidance
}

// Error returns the rule identifier, the fact and the guidance.
func (v *Violation) Error() string {
	return "waf: " + v.Rule + ": a WAF 2.0 instance exists: " + v.Message
}

// Unwrap returns ErrWAF2Present.
func (v *Violation) Unwrap() error { return ErrWAF2Present }

// Err returns nil when allowed, else a *Violation (RuleWAF2Present) wrapping
// ErrWAF2Present whose message includes the Guidance (a default guidance when
// d.Guidance is empty).
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	g := d.Guidance
	if g == "" {
		g = guidance("")
	}
	return &Violation{Rule: RuleWAF2Present, Message: g}
}
