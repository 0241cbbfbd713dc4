package edition

import "strings"

// Feature names something an edition may or may not offer: one of the
// constants below, or a rule condition or action type made with Condition or
// Action.
type Feature string

// Features that are not condition or action types.
const (
	ResponseRules   Feature = "ResponseRules"   // Response-direction forwarding rules
	CustomTLSPolicy Feature = "CustomTLSPolicy" // custom TLS security policies
	Tracing         Feature = "Tracing"         // Tracing Analysis
	SlowStart       Feature = "SlowStart"       // slow start in server groups
	ConnectionDrain Feature = "ConnectionDrain" // connection draining in server groups
	CrossZoneOff    Feature = "CrossZoneOff"    // server groups with cross-zone load balancing off
	WAF             Feature = "WAF"             // integrated WAF 3.0 protection
)

const (
	conditionPrefix = "condition:"
	actionPrefix    = "action:"
)

// Condition is the feature of using the rule condition type t (a wire value
// such as "QueryString").
func Condition(t string) Feature { return Feature(conditionPrefix + t) }

// Action is the feature of using the rule action type t (a wire value such
// as "Rewrite").
func Action(t string) Feature { return Feature(actionPrefix + t) }

func (x Feature) condition() (string, bool) { return strings.CutPrefix(string(x), conditionPrefix) }
func (x Feature) action() (string, bool)    { return strings.CutPrefix(string(x), actionPrefix) }

// String names the feature for a person: "the QueryString condition", "the
// Rewrite action", "Response-direction rules", ...
func (x Feature) String() string {
	if t, ok := x.condition(); ok {
		return "the " + t + " condition"
	}
	if t, ok := x.action(); ok {
		return "the " + t + " action"
	}
	switch x {
	case ResponseRules:
		return "Response-direction rules"
	case CustomTLSPolicy:
		return "custom TLS security policies"
	case Tracing:
		return "Tracing Analysis"
	case SlowStart:
		return "slow start"
	case ConnectionDrain:
		return "connection draining"
	case CrossZoneOff:
		return "disabling cross-zone load balancing"
	case WAF:
		return "WAF 3.0 protection"
	}
	return string(x)
}

// Refusal is the sentence for a feature the edition lacks, naming the lowest
// edition that has it: "the Rewrite action needs the Standard edition (this
// instance is Basic)". It returns "" when the edition has the feature.
func (f Features) Refusal(x Feature) string {
	if f.Has(x) {
		return ""
	}
	need, ok := Needing(x)
	if !ok {
		return x.String() + " is offered by no edition"
	}
	verb := " needs the "
	if x == ResponseRules || x == CustomTLSPolicy { // plural names
		verb = " need the "
	}
	return x.String() + verb + need + " edition (this instance is " + f.Name + ")"
}
