package alb

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/albkit/albkit/routing"
)

// RuleStatus is a forwarding rule's RuleStatus.
type RuleStatus string

// The statuses of a forwarding rule (SDK ListRules; CreateFailed is the
// Terraform provider's failure status).
const (
	RuleProvisioning RuleStatus = "Provisioning" // being created
	RuleConfiguring  RuleStatus = "Configuring"  // being changed
	RuleAvailable    RuleStatus = "Available"    // in effect
	RuleCreateFailed RuleStatus = "CreateFailed" // the create failed
)

// Per-call limits of the batched rule operations. The API documents none
// for CreateRules and UpdateRulesAttribute: the ALB ingress controller
// sends at most 10 (GUESS that this is the API's limit); DeleteRules takes
// at most 100 (SDK).
const (
	MaxRulesPerCreateCall = 10  // CreateRules
	MaxRulesPerUpdateCall = 10  // UpdateRulesAttribute
	MaxRulesPerDeleteCall = 100 // DeleteRules
)

// RuleSpec describes a forwarding rule of a listener: every input of
// CreateRule. Its conditions and actions are package routing's
// ([routing.Condition], [routing.Action], built with routing's
// constructors), whose matching semantics and value formats are decided
// once there: [RuleSpec.Validate] calls [routing.ValidateRule].
//
// A rule is identified by its Name within its listener ([DiffListener]
// matches the listener's rules by name): names are unique in a
// [ListenerSpec]. The ALB ingress controller keys rules by priority and
// direction instead, so a rule whose priority changes reads as a new rule
// and the old one's deletion; a name stays the same while the priority,
// conditions and actions change, and RuleIds are not known before the
// create. Priority is 1–10000, unique per listener and direction; lower
// numbers are evaluated first.
type RuleSpec struct {
	// Name is the RuleName: 2–128 letters, digits, '.', '_' and '-',
	// starting with a letter.
	Name string `json:"name"`
	// Priority is 1–10000; the lowest matching priority wins.
	Priority int `json:"priority"`
	// Direction is Request (default, empty too) or Response (Standard and
	// WAF-enabled instances). It is fixed at creation.
	Direction routing.Direction `json:"direction,omitempty"`
	// Conditions are ANDed; the values of one condition are ORed.
	Conditions []routing.Condition `json:"conditions"`
	// Actions run in ascending Order; a Request rule ends with one final
	// action (ForwardGroup, Redirect or FixedResponse) with the largest
	// Order.
	Actions []routing.Action `json:"actions"`
}

// NewRuleSpec returns a Request rule named name at priority with the given
// conditions and no action yet: add them with [RuleSpec.Then].
func NewRuleSpec(name string, priority int, conditions ...routing.Condition) RuleSpec {
	return RuleSpec{Name: name, Priority: priority, Conditions: slices.Clone(conditions)}
}

// Then sets the actions, numbered in the order given (routing.InOrder):
// put the final action last.
func (r RuleSpec) Then(actions ...routing.Action) RuleSpec {
	r.Actions = routing.InOrder(slices.Clone(actions)...)
	return r
}

// When appends conditions.
func (r RuleSpec) When(conditions ...routing.Condition) RuleSpec {
	r.Conditions = append(slices.Clone(r.Conditions), conditions...)
	return r
}

// OnResponse makes the rule a Response-direction rule: it applies to
// backend responses (ResponseHeader and ResponseStatusCode conditions,
// InsertHeader and RemoveHeader actions).
func (r RuleSpec) OnResponse() RuleSpec { r.Direction = routing.DirectionResponse; return r }

// WithPriority sets the priority.
func (r RuleSpec) WithPriority(p int) RuleSpec { r.Priority = p; return r }

// direction is the effective direction: Request when empty.
func (r RuleSpec) direction() routing.Direction {
	if r.Direction == "" {
		return routing.DirectionRequest
	}
	return r.Direction
}

// routing returns the rule as package routing's, with its name as ID.
func (r RuleSpec) routing() routing.Rule {
	return routing.Rule{ID: r.Name, Name: r.Name, Priority: r.Priority, Direction: r.direction(), Conditions: r.Conditions, Actions: r.Actions}
}

// String names the rule: name, direction when Response, priority.
func (r RuleSpec) String() string {
	if r.direction() == routing.DirectionResponse {
		return fmt.Sprintf("%s (Response, priority %d)", r.Name, r.Priority)
	}
	return fmt.Sprintf("%s (priority %d)", r.Name, r.Priority)
}

// Rule is a forwarding rule as ListRules reports it.
type Rule struct {
	ID             string     // rule ID, "rule-…"
	ListenerID     string     // its listener
	LoadBalancerID string     // its instance
	Status         RuleStatus // Provisioning, Configuring, Available (or CreateFailed)
	Tags           []Tag      // the rule's tags (reported; albkit does not manage them)
	RuleSpec                  // name, priority, direction, conditions and actions
}

// SpecFromRule reads a spec back from a rule: its name, priority,
// direction, conditions and actions as reported. A rule read back diffs
// empty against itself.
func SpecFromRule(r Rule) RuleSpec {
	s := r.RuleSpec
	s.Conditions = cloneConditions(r.Conditions)
	s.Actions = cloneActions(r.Actions)
	if s.Direction == routing.DirectionRequest {
		s.Direction = ""
	}
	return s
}

func cloneConditions(cs []routing.Condition) []routing.Condition {
	if cs == nil {
		return nil
	}
	out := make([]routing.Condition, len(cs))
	for i, c := range cs {
		c.Values = slices.Clone(c.Values)
		c.Pairs = slices.Clone(c.Pairs)
		out[i] = c
	}
	return out
}

func cloneActions(as []routing.Action) []routing.Action {
	if as == nil {
		return nil
	}
	out := make([]routing.Action, len(as))
	for i, a := range as {
		out[i] = canonicalAction(a, false)
	}
	return out
}

// canonicalConditions is the conditions as the service compares them:
// each condition's values and pairs sorted (they are ORed), the
// conditions sorted by type and key (they are ANDed).
func canonicalConditions(cs []routing.Condition) []routing.Condition {
	out := cloneConditions(cs)
	for i := range out {
		slices.Sort(out[i].Values)
		slices.SortFunc(out[i].Pairs, func(a, b routing.KeyValue) int {
			return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value))
		})
	}
	slices.SortStableFunc(out, func(a, b routing.Condition) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(strings.ToLower(a.Key), strings.ToLower(b.Key)),
			slices.Compare(a.Values, b.Values))
	})
	return out
}

// canonicalAction copies an action; with defaults, the values the service
// fills in for fields left empty are spelled out (GUESS where the
// reference says "default"): a Redirect's ${protocol}, ${host}, ${port},
// ${path}, ${query} and code 302, a Rewrite's ${host}, ${path}, ${query},
// a sticky session's 1000 s, a mirror's ForwardGroupMirror, CORS
// credentials off.
func canonicalAction(a routing.Action, defaults bool) routing.Action {
	out := routing.Action{Type: a.Type, Order: a.Order}
	if c := a.ForwardGroup; c != nil {
		v := routing.ForwardGroupConfig{ServerGroups: slices.Clone(c.ServerGroups), StickySession: c.StickySession}
		if defaults {
			if !v.StickySession.Enabled {
				v.StickySession = routing.StickySession{}
			} else if v.StickySession.Timeout == 0 {
				v.StickySession.Timeout = routing.DefaultStickyTimeout
			}
		}
		out.ForwardGroup = &v
	}
	if c := a.Redirect; c != nil {
		v := *c
		if defaults {
			v.HTTPCode = cmp.Or(v.HTTPCode, "302")
			v.Protocol = cmp.Or(v.Protocol, "${protocol}")
			v.Host = cmp.Or(v.Host, "${host}")
			v.Port = cmp.Or(v.Port, "${port}")
			v.Path = cmp.Or(v.Path, "${path}")
			v.Query = cmp.Or(v.Query, "${query}")
		}
		out.Redirect = &v
	}
	if c := a.FixedResponse; c != nil {
		v := *c
		out.FixedResponse = &v
	}
	if c := a.Rewrite; c != nil {
		v := *c
		if defaults {
			v.Host = cmp.Or(v.Host, "${host}")
			v.Path = cmp.Or(v.Path, "${path}")
			v.Query = cmp.Or(v.Query, "${query}")
		}
		out.Rewrite = &v
	}
	if c := a.InsertHeader; c != nil {
		v := *c
		out.InsertHeader = &v
	}
	if c := a.RemoveHeader; c != nil {
		v := *c
		out.RemoveHeader = &v
	}
	if c := a.TrafficLimit; c != nil {
		v := *c
		out.TrafficLimit = &v
	}
	if c := a.TrafficMirror; c != nil {
		v := routing.TrafficMirrorConfig{TargetType: c.TargetType, ServerGroupIDs: slices.Clone(c.ServerGroupIDs)}
		if defaults {
			v.TargetType = cmp.Or(v.TargetType, routing.MirrorTarget)
			slices.Sort(v.ServerGroupIDs)
		}
		out.TrafficMirror = &v
	}
	if c := a.Cors; c != nil {
		v := routing.CorsConfig{AllowOrigins: slices.Clone(c.AllowOrigins), AllowMethods: slices.Clone(c.AllowMethods),
			AllowHeaders: slices.Clone(c.AllowHeaders), ExposeHeaders: slices.Clone(c.ExposeHeaders), AllowCredentials: c.AllowCredentials, MaxAge: c.MaxAge}
		if defaults {
			v.AllowCredentials = cmp.Or(v.AllowCredentials, "off")
			for _, l := range [][]string{v.AllowOrigins, v.AllowMethods, v.AllowHeaders, v.ExposeHeaders} {
				slices.Sort(l)
			}
		}
		out.Cors = &v
	}
	return out
}

// canonicalActions is the actions sorted by Order with the service's
// defaults spelled out.
func canonicalActions(as []routing.Action) []routing.Action {
	out := make([]routing.Action, len(as))
	for i, a := range as {
		out[i] = canonicalAction(a, true)
	}
	slices.SortStableFunc(out, func(a, b routing.Action) int { return cmp.Compare(a.Order, b.Order) })
	return out
}

// conditionsKey and actionsKey are comparable forms of a rule's
// conditions and actions.
func conditionsKey(cs []routing.Condition) string { return fmt.Sprintf("%+v", canonicalConditions(cs)) }

func actionsKey(as []routing.Action) string {
	var b strings.Builder
	for _, a := range canonicalActions(as) {
		fmt.Fprintf(&b, "%s/%d", a.Type, a.Order)
		for _, v := range []any{a.ForwardGroup, a.Redirect, a.FixedResponse, a.Rewrite, a.InsertHeader, a.RemoveHeader, a.TrafficLimit, a.TrafficMirror, a.Cors} {
			if !isNilPtr(v) {
				fmt.Fprintf(&b, "%+v", v)
			}
		}
		b.WriteString(";")
	}
	return b.String()
}

func isNilPtr(v any) bool {
	switch p := v.(type) {
	case *routing.ForwardGroupConfig:
		return p == nil
	case *routing.RedirectConfig:
		return p == nil
	case *routing.FixedResponseConfig:
		return p == nil
	case *routing.RewriteConfig:
		return p == nil
	case *routing.InsertHeaderConfig:
		return p == nil
	case *routing.RemoveHeaderConfig:
		return p == nil
	case *routing.TrafficLimitConfig:
		return p == nil
	case *routing.TrafficMirrorConfig:
		return p == nil
	case *routing.CorsConfig:
		return p == nil
	}
	return v == nil
}

// serverGroupRefs returns the server groups the rule forwards or mirrors
// to, in order of appearance, with the field path of each.
func (r RuleSpec) serverGroupRefs() []groupRef {
	var out []groupRef
	for i, a := range r.Actions {
		if a.ForwardGroup != nil {
			for j, t := range a.ForwardGroup.ServerGroups {
				out = append(out, groupRef{id: t.ServerGroupID, field: fmt.Sprintf("Actions[%d].ForwardGroup.ServerGroups[%d].ServerGroupID", i, j)})
			}
		}
		if a.TrafficMirror != nil {
			for j, id := range a.TrafficMirror.ServerGroupIDs {
				out = append(out, groupRef{id: id, field: fmt.Sprintf("Actions[%d].TrafficMirror.ServerGroupIDs[%d]", i, j), mirror: true})
			}
		}
	}
	return out
}

// groupRef is a reference to a server group from a listener or rule.
type groupRef struct {
	id     string
	field  string // the field path
	mirror bool   // a TrafficMirror target
}
