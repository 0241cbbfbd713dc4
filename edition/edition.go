package edition

import "slices"

// The editions, as LoadBalancerEdition spells them on the wire. Each one
// includes every feature of the one before it.
const (
	Basic           = "Basic"
	Standard        = "Standard"
	StandardWithWaf = "StandardWithWaf" // "WAF Enabled" in the console
)

// Quota is a per-instance quota: the default, and the most it can be raised
// to through Quota Center.
type Quota struct {
	Default int
	Max     int
}

// Features is what one edition offers. Condition and action types are the
// wire values of RuleConditions.N.Type and RuleActions.N.Type ("Host",
// "QueryString", "ForwardGroup", "Rewrite", ...).
type Features struct {
	// Name is the wire value: Basic, Standard or StandardWithWaf.
	Name string
	// Rank orders the editions: 1 Basic, 2 Standard, 3 StandardWithWaf.
	Rank int

	// ConditionTypes lists the rule condition types the edition accepts.
	ConditionTypes []string
	// ActionTypes lists the rule action types the edition accepts.
	ActionTypes []string
	// ResponseRules: Response-direction (outbound) forwarding rules.
	ResponseRules bool

	CustomTLSPolicy bool // custom TLS security policies on HTTPS listeners
	Tracing         bool // Tracing Analysis (Xtrace) in the access log config
	SlowStart       bool // server groups with slow start
	ConnectionDrain bool // server groups with connection draining
	CrossZoneOff    bool // server groups with cross-zone load balancing disabled
	WAF             bool // integrated WAF 3.0 protection

	MaxConditionsPerRule int // condition entries in one rule
	MaxActionsPerRule    int // action entries in one rule
	MaxWildcardsPerRule  int // wildcard entries in one rule

	RulesPerInstance           Quota // forwarding rules, the listeners' default rules excluded
	ListenersPerInstance       Quota
	AdditionalCertsPerInstance Quota // additional certificates, default certificates excluded
	BackendServersPerInstance  Quota // a server counts once per listener or rule it is reached through
	ACLEntriesPerListener      int
}

// table is the one edition table. Every row is built afresh on each call, so
// no caller can change what another sees.
//
// Sources (keys of shared/reference/alb-stack-api.md):
//   - seed: the product documentation "Create and manage ALB instances"
//     (shared/seed/alb-create-and-manage-instances.txt), the mission's
//     reference where sources disagree: "Basic: Supports routing based on
//     domain names, URLs, and HTTP headers. Standard: Includes all Basic
//     features plus custom TLS security policies, Tracing Analysis,
//     redirection, rewrite, and more. WAF Enabled: Includes all Standard
//     features plus integrated Web Application Firewall (WAF) 3.0 protection."
//   - [DOC-rules] (reference 2.5): Basic has Request-direction rules only, the
//     conditions Host, Path and Header; Standard and WAF-enabled have every
//     condition type, the Response direction, and the extension actions.
//   - [DOC-quota] and [SDK:client] (reference 2.4, 2.6): conditions, actions
//     and wildcards per rule, and the per-instance quotas.
//   - [SDK:create_server_group_request_model.go] (reference 2.1): slow start,
//     connection draining and cross-zone-off server groups are Standard/WAF
//     only.
//
// DECIDED (seed over [DOC-rules]): Redirect needs the Standard edition. The
// current [DOC-rules] product table lists Forward and Redirect for Basic; the
// seed says Standard adds "redirection, rewrite". Following the seed, Basic
// has ForwardGroup only. To follow [DOC-rules] instead, move ActionRedirect
// into basicActions below.
func table() []Features {
	basicConditions := []string{"Host", "Path", "Header"}
	allConditions := []string{"Host", "Path", "Header", "QueryString", "Method", "Cookie", "SourceIp",
		"ResponseHeader", "ResponseStatusCode"}
	basicActions := []string{"ForwardGroup"} // DECIDED above: no Redirect on Basic
	allActions := []string{"ForwardGroup", "Redirect", "FixedResponse", "Rewrite", "InsertHeader",
		"RemoveHeader", "TrafficLimit", "TrafficMirror", "Cors"}

	basic := Features{
		Name: Basic, Rank: 1,
		ConditionTypes: basicConditions,
		ActionTypes:    basicActions,
		// Response rules, custom TLS policies, tracing and the Standard
		// server-group features are off (seed, [DOC-rules], [SDK]).
		MaxConditionsPerRule:       5,                            // [SDK:client], [DOC-quota]
		MaxActionsPerRule:          3,                            // [SDK:client], [DOC-quota]
		MaxWildcardsPerRule:        5,                            // [DOC-quota]
		RulesPerInstance:           Quota{Default: 40, Max: 100}, // [DOC-quota]
		ListenersPerInstance:       Quota{Default: 50, Max: 80},  // [DOC-quota]
		AdditionalCertsPerInstance: Quota{Default: 10, Max: 150}, // [DOC-quota]
		BackendServersPerInstance:  Quota{Default: 200, Max: 400},
		ACLEntriesPerListener:      300, // [DOC-quota]
	}
	standard := Features{
		Name: Standard, Rank: 2,
		ConditionTypes:             allConditions, // [DOC-rules]
		ActionTypes:                allActions,    // [DOC-rules]; Redirect and Rewrite: seed
		ResponseRules:              true,          // [DOC-rules]
		CustomTLSPolicy:            true,          // seed
		Tracing:                    true,          // seed
		SlowStart:                  true,          // [SDK]
		ConnectionDrain:            true,          // [SDK]
		CrossZoneOff:               true,          // [SDK]
		MaxConditionsPerRule:       10,
		MaxActionsPerRule:          5,
		MaxWildcardsPerRule:        10,
		RulesPerInstance:           Quota{Default: 100, Max: 200},
		ListenersPerInstance:       Quota{Default: 50, Max: 100},
		AdditionalCertsPerInstance: Quota{Default: 25, Max: 300},
		BackendServersPerInstance:  Quota{Default: 1000, Max: 1500},
		ACLEntriesPerListener:      500,
	}
	waf := standard // "all Standard features plus" WAF 3.0 (seed)
	waf.Name, waf.Rank, waf.WAF = StandardWithWaf, 3, true
	waf.ConditionTypes = slices.Clone(allConditions)
	waf.ActionTypes = slices.Clone(allActions)
	return []Features{basic, standard, waf}
}

// Of returns the features of the edition with the given wire name, and false
// for an unknown name.
func Of(name string) (Features, bool) {
	for _, f := range table() {
		if f.Name == name {
			return f, true
		}
	}
	return Features{}, false
}

// All returns every edition's features, from Basic up.
func All() []Features { return table() }

// Names returns the wire names of the editions, from Basic up.
func Names() []string { return []string{Basic, Standard, StandardWithWaf} }

// AllowsCondition reports whether rules may use the condition type t (a wire
// value such as "Cookie").
func (f Features) AllowsCondition(t string) bool { return slices.Contains(f.ConditionTypes, t) }

// AllowsAction reports whether rules may use the action type t (a wire value
// such as "Rewrite").
func (f Features) AllowsAction(t string) bool { return slices.Contains(f.ActionTypes, t) }

// Has reports whether the edition offers the feature.
func (f Features) Has(x Feature) bool {
	if t, ok := x.condition(); ok {
		return f.AllowsCondition(t)
	}
	if t, ok := x.action(); ok {
		return f.AllowsAction(t)
	}
	switch x {
	case ResponseRules:
		return f.ResponseRules
	case CustomTLSPolicy:
		return f.CustomTLSPolicy
	case Tracing:
		return f.Tracing
	case SlowStart:
		return f.SlowStart
	case ConnectionDrain:
		return f.ConnectionDrain
	case CrossZoneOff:
		return f.CrossZoneOff
	case WAF:
		return f.WAF
	}
	return false
}

// Needing returns the name of the lowest edition that offers the feature,
// for messages such as "Rewrite needs the Standard edition"; false when no
// edition offers it (an unknown condition or action type, say).
func Needing(x Feature) (string, bool) {
	for _, f := range table() {
		if f.Has(x) {
			return f.Name, true
		}
	}
	return "", false
}
