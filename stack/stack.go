package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/albkit/albkit/alb"
)

// Stack is one ALB described whole: an instance, its server groups (with
// their servers), its listeners (with their certificates and forwarding
// rules) and the custom TLS security policies they use, referring to each
// other by name. Build it in Go or read it from a file ([Load], [Decode]).
//
// References inside a stack are names: a listener's
// DefaultServerGroupIDs, a rule's forward and mirror targets name server
// groups of the stack by their Name (an "sgp-…" ID names a group outside
// the stack); a listener's SecurityPolicyID names a policy of the stack (or
// a system policy, or an "scp-…" ID); a listener's QUICListenerID names a
// listener of the stack (or an "lsn-…" ID). A listener's LoadBalancerID is
// left empty: it is the stack's instance.
type Stack struct {
	// Key identifies the stack: 1–40 letters, digits, '.', '_' and '-'.
	// Every resource the stack makes carries an idempotency key derived
	// from it and the resource's name ("KEY/sg/api"), so the same stack
	// applied again, after a crash at any point, finds every resource it
	// made and never makes a second one. Choose it once and keep it: a
	// stack destroyed and applied again with the same key is made again.
	Key string `json:"key"`
	// Instance is the ALB instance. Its IdempotencyKey is the stack's
	// (leave it empty).
	Instance alb.InstanceSpec `json:"instance"`
	// ServerGroups are the server groups, referred to by Name (unique).
	ServerGroups []alb.ServerGroupSpec `json:"serverGroups,omitempty"`
	// Listeners are the listeners, referred to by their Name (unique),
	// each with its rules.
	Listeners []Listener `json:"listeners,omitempty"`
	// SecurityPolicies are custom TLS security policies, referred to by
	// Name (unique).
	SecurityPolicies []alb.SecurityPolicySpec `json:"securityPolicies,omitempty"`
	// Adopt names existing resources the stack takes over instead of
	// creating them (see [Adoption]).
	Adopt Adoption `json:"adopt,omitempty"`
}

// Listener is a listener of a stack: a name for references, and its spec
// (whose references are names; see [Stack]).
type Listener struct {
	// Name identifies the listener in the stack (2–64 letters, digits,
	// '.', '_' and '-'), e.g. "http" or "https-443".
	Name string `json:"name" yaml:"name"`
	// ListenerSpec is the listener, its certificates and its rules. Rule
	// membership defaults to Owned in a stack: the stack describes the
	// whole listener, so a rule added in the console is drift that apply
	// removes (set Shared to leave other rules alone).
	alb.ListenerSpec `yaml:",inline"`
}

// Adoption names existing resources that become part of the stack
// without being recreated: their IDs by the stack's names. An adopted
// resource is converged to the stack's spec like the others; it keeps its
// own tags (it carries no key of the stack), so it is never deleted as a
// resource the stack no longer lists.
type Adoption struct {
	Instance         string            `json:"instance,omitempty" yaml:"instance,omitempty"`
	ServerGroups     map[string]string `json:"serverGroups,omitempty" yaml:"serverGroups,omitempty"`
	Listeners        map[string]string `json:"listeners,omitempty" yaml:"listeners,omitempty"`
	SecurityPolicies map[string]string `json:"securityPolicies,omitempty" yaml:"securityPolicies,omitempty"`
}

// The kinds of a stack's resources, in keys, plans and errors.
const (
	KindInstance       = "instance"
	KindServerGroup    = "server group"
	KindListener       = "listener"
	KindSecurityPolicy = "security policy"
)

// keyPart is a kind's part of a derived key.
var keyPart = map[string]string{KindInstance: "lb", KindServerGroup: "sg", KindListener: "lsn", KindSecurityPolicy: "sp"}

var (
	stackKeyPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)
	namePart        = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	listenerName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)
)

// ResourceKey returns the idempotency key the stack gives its resource of
// kind named name: "KEY/sg/NAME", with the name replaced by a digest when
// it has characters a key does not take or the key would pass 64
// characters.
func (s Stack) ResourceKey(kind, name string) string {
	prefix := s.Key + "/" + keyPart[kind] + "/"
	if kind == KindInstance {
		return s.Key + "/lb"
	}
	if k := prefix + name; namePart.MatchString(name) && len(k) <= 64 {
		return k
	}
	sum := sha256.Sum256([]byte(name))
	return prefix + "~" + hex.EncodeToString(sum[:8])
}

// keyPrefix is the prefix of the keys of the stack's resources of kind.
func (s Stack) keyPrefix(kind string) string { return s.Key + "/" + keyPart[kind] + "/" }

// Error is a stack that is invalid: every violation, each naming the
// resource, the field and the rule. errors.Is(err, [alb.ErrInvalidSpec])
// holds.
type Error struct {
	Problems []Problem
}

// Problem is one violation of a stack.
type Problem struct {
	// Kind and Name are the resource ("listener", "https").
	Kind, Name string
	// Field is the field path in the resource ("Rules[2].Priority").
	Field string
	// Rule is the rule identifier (alb's or routing's, or a stack rule).
	Rule string
	// Message says what is wrong.
	Message string
}

func (p Problem) String() string {
	what := p.Kind
	if p.Name != "" {
		what += " " + p.Name
	}
	if p.Field != "" {
		what += ": " + p.Field
	}
	return what + ": " + p.Message + " [" + p.Rule + "]"
}

// Error lists the problems, one per line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack: invalid: %d problem(s)", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// Is matches alb.ErrInvalidSpec.
func (e *Error) Is(target error) bool { return target == alb.ErrInvalidSpec }

// The stack's own rules.
const (
	RuleKey              = "stack-key"
	RuleNameUnique       = "stack-name-unique"
	RuleListenerName     = "stack-listener-name"
	RuleReference        = "stack-reference"
	RuleOwnKey           = "stack-own-key"
	RuleListenerInstance = "stack-listener-instance"
	RuleAdoptUnknown     = "stack-adopt-unknown"
)

type problems struct{ list []Problem }

func (ps *problems) add(kind, name, field, rule, format string, args ...any) {
	ps.list = append(ps.list, Problem{Kind: kind, Name: name, Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// addErr adds the violations of a spec's validation error.
func (ps *problems) addErr(kind, name string, err error) {
	if err == nil {
		return
	}
	var ve *alb.ValidationError
	if !errors.As(err, &ve) {
		ps.add(kind, name, "", "invalid", "%v", err)
		return
	}
	for _, fe := range ve.Errors {
		ps.list = append(ps.list, Problem{Kind: kind, Name: name, Field: fe.Field, Rule: fe.Rule, Message: fe.Message})
	}
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: ps.list}
}

// Validate checks the stack locally, reporting every problem at once in an
// *[Error]: the key; every resource's own rules (alb's specs); names unique
// per kind; references that resolve (a name of the stack, or an ID); the
// instance's edition for every listener, rule and the server groups they
// use; and the routing checks of every listener's rules (shadowed rules,
// duplicate priorities, protocol mismatches of the groups). No API call.
func (s Stack) Validate() error {
	ps := &problems{}
	if !stackKeyPattern.MatchString(s.Key) {
		ps.add("stack", "", "Key", RuleKey, "the stack key %q must be 1–40 letters, digits, '.', '_' or '-'", truncate(s.Key, 64))
	}
	inst := s.instanceSpec()
	if s.Instance.IdempotencyKey != "" {
		ps.add(KindInstance, s.Instance.Name, "IdempotencyKey", RuleOwnKey, "leave it empty: the stack derives every resource's key from its own")
	}
	ps.addErr(KindInstance, s.Instance.Name, inst.Validate())

	groups := map[string]alb.ServerGroupSpec{}
	for i, g := range s.ServerGroups {
		if _, dup := groups[g.Name]; dup {
			ps.add(KindServerGroup, g.Name, fmt.Sprintf("ServerGroups[%d].Name", i), RuleNameUnique, "another server group of the stack has this name")
		}
		if g.IdempotencyKey != "" {
			ps.add(KindServerGroup, g.Name, "IdempotencyKey", RuleOwnKey, "leave it empty: the stack derives every resource's key from its own")
		}
		groups[g.Name] = g
		if g.VPCID == "" && g.Type != alb.ServerGroupFc {
			g.VPCID = s.Instance.VPCID
		}
		ps.addErr(KindServerGroup, g.Name, s.groupSpec(g).Validate())
		if s.Instance.Edition != "" {
			ps.addErr(KindServerGroup, g.Name, alb.CheckServerGroupEdition(g, s.Instance.Edition))
		}
	}
	policies := map[string]bool{}
	for i, p := range s.SecurityPolicies {
		if policies[p.Name] {
			ps.add(KindSecurityPolicy, p.Name, fmt.Sprintf("SecurityPolicies[%d].Name", i), RuleNameUnique, "another security policy of the stack has this name")
		}
		if p.IdempotencyKey != "" {
			ps.add(KindSecurityPolicy, p.Name, "IdempotencyKey", RuleOwnKey, "leave it empty: the stack derives every resource's key from its own")
		}
		policies[p.Name] = true
		ps.addErr(KindSecurityPolicy, p.Name, s.policySpec(p).Validate())
	}
	listeners := map[string]bool{}
	for i, l := range s.Listeners {
		switch {
		case !listenerName.MatchString(l.Name):
			ps.add(KindListener, l.Name, fmt.Sprintf("Listeners[%d].Name", i), RuleListenerName, "a listener's name is 2–64 letters, digits, '.', '_' or '-', starting with a letter or a digit")
		case listeners[l.Name]:
			ps.add(KindListener, l.Name, fmt.Sprintf("Listeners[%d].Name", i), RuleNameUnique, "another listener of the stack has this name")
		}
		listeners[l.Name] = true
		if l.LoadBalancerID != "" {
			ps.add(KindListener, l.Name, "LoadBalancerID", RuleListenerInstance, "leave it empty: a stack's listeners are its instance's")
		}
		if l.IdempotencyKey != "" {
			ps.add(KindListener, l.Name, "IdempotencyKey", RuleOwnKey, "leave it empty: the stack derives every resource's key from its own")
		}
	}
	// References, and each listener checked as it will be sent: names
	// replaced by stand-in IDs.
	ref := s.placeholders()
	rules := 0 // the stack's rules, all listeners: one quota per instance
	for _, l := range s.Listeners {
		rules += len(l.Rules)
	}
	for _, l := range s.Listeners {
		for _, r := range s.listenerRefs(l) {
			if !r.resolves(groups, policies, listeners) {
				ps.add(KindListener, l.Name, r.field, RuleReference, "%s %q is neither a %s of the stack nor an ID", r.kind, r.name, r.kind)
			}
		}
		spec := s.listenerSpec(l, ref)
		facts := alb.ListenerFacts{Edition: s.Instance.Edition, VPCID: s.Instance.VPCID, ServerGroups: map[string]alb.ServerGroup{},
			AccessLogEnabled: s.Instance.AccessLog.Enabled(), OtherRules: rules - len(l.Rules)}
		for name, g := range groups {
			facts.ServerGroups[ref.group(name)] = *plannedGroup(ref.group(name), s.groupSpec(g))
		}
		for _, f := range alb.CheckListener(spec, facts) {
			if f.Severity != alb.SeverityBlocking || f.Rule == alb.RuleListenerServerGroupExists || f.Rule == alb.RuleListenerQUICListenerUsable {
				// A group or QUIC listener outside the stack is checked
				// against the service at plan time; the stack's own QUIC
				// listeners below.
				continue
			}
			ps.list = append(ps.list, Problem{Kind: KindListener, Name: l.Name, Field: f.Resource, Rule: f.Rule, Message: f.Message})
		}
	}
	// The QUIC listeners of the stack that its listeners upgrade to: QUIC
	// ones, each advertised by one listener.
	advertised := map[string]string{}
	for _, l := range s.Listeners {
		q, ok := findListener(s, l.QUICListenerID)
		if l.QUICListenerID == "" || !ok {
			continue
		}
		if q.Protocol != alb.ListenerQUIC {
			ps.add(KindListener, l.Name, "QUICListenerID", alb.RuleListenerQUICListenerUsable, "listener %s is a %s listener, not a QUIC one", q.Name, q.Protocol)
		}
		if other, dup := advertised[q.Name]; dup {
			ps.add(KindListener, l.Name, "QUICListenerID", alb.RuleListenerQUICListenerUsable, "QUIC listener %s is already advertised by listener %s", q.Name, other)
		}
		advertised[q.Name] = l.Name
	}
	// Protocol and port once per instance.
	seen := map[string]string{}
	for _, l := range s.Listeners {
		k := fmt.Sprintf("%s:%d", l.Protocol, l.Port)
		if l.Protocol == alb.ListenerHTTPS || l.Protocol == alb.ListenerHTTP {
			k = fmt.Sprintf("tcp:%d", l.Port)
		}
		if other, dup := seen[k]; dup {
			ps.add(KindListener, l.Name, "Port", alb.RuleListenerPortUnique, "listener %s already uses port %d", other, l.Port)
		}
		seen[k] = l.Name
	}
	for name := range s.Adopt.ServerGroups {
		if _, ok := groups[name]; !ok {
			ps.add("adopt", name, "ServerGroups", RuleAdoptUnknown, "the stack has no server group %q to adopt into", name)
		}
	}
	for name := range s.Adopt.Listeners {
		if !listeners[name] {
			ps.add("adopt", name, "Listeners", RuleAdoptUnknown, "the stack has no listener %q to adopt into", name)
		}
	}
	for name := range s.Adopt.SecurityPolicies {
		if !policies[name] {
			ps.add("adopt", name, "SecurityPolicies", RuleAdoptUnknown, "the stack has no security policy %q to adopt into", name)
		}
	}
	return ps.err()
}

// instanceSpec is the instance's spec with the stack's key.
func (s Stack) instanceSpec() alb.InstanceSpec {
	spec := s.Instance
	spec.IdempotencyKey = s.ResourceKey(KindInstance, "")
	return spec
}

// groupSpec is a server group's spec with its key (and the instance's VPC
// when it names none).
func (s Stack) groupSpec(g alb.ServerGroupSpec) alb.ServerGroupSpec {
	g.IdempotencyKey = s.ResourceKey(KindServerGroup, g.Name)
	if g.VPCID == "" && g.Type != alb.ServerGroupFc {
		g.VPCID = s.Instance.VPCID
	}
	return g
}

func (s Stack) policySpec(p alb.SecurityPolicySpec) alb.SecurityPolicySpec {
	p.IdempotencyKey = s.ResourceKey(KindSecurityPolicy, p.Name)
	return p
}

// resolver maps the stack's names to IDs (or stand-ins).
type resolver struct {
	groups, policies, listeners map[string]string
	lb                          string
}

func (r resolver) group(name string) string {
	if id, ok := r.groups[name]; ok {
		return id
	}
	return name
}

func (r resolver) policy(name string) string {
	if id, ok := r.policies[name]; ok {
		return id
	}
	return name
}

func (r resolver) listener(name string) string {
	if id, ok := r.listeners[name]; ok {
		return id
	}
	return name
}

// placeholders returns a resolver to stand-in IDs, for local checks and
// for plans of resources not yet made: "(new:NAME)" for groups,
// "scp-new…" and "lsn-new…" where alb checks a format.
func (s Stack) placeholders() resolver {
	r := resolver{groups: map[string]string{}, policies: map[string]string{}, listeners: map[string]string{}, lb: "alb-new"}
	for _, g := range s.ServerGroups {
		r.groups[g.Name] = newGroupID(g.Name)
	}
	for _, p := range s.SecurityPolicies {
		r.policies[p.Name] = "scp-new" + alnum(p.Name)
	}
	for _, l := range s.Listeners {
		r.listeners[l.Name] = "lsn-new" + alnum(l.Name)
	}
	return r
}

// newGroupID is the stand-in ID of a server group not yet made.
func newGroupID(name string) string { return "(new:" + name + ")" }

// alnum keeps the letters and digits of s (a digest when none).
func alnum(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:6])
	}
	return b.String()
}

// listenerSpec is listener l's spec as sent: the instance, the key, the
// references resolved by r, and Owned rule membership unless the stack
// says Shared.
func (s Stack) listenerSpec(l Listener, r resolver) alb.ListenerSpec {
	spec := l.ListenerSpec
	spec.LoadBalancerID = r.lb
	spec.IdempotencyKey = s.ResourceKey(KindListener, l.Name)
	if spec.RuleMembership == "" {
		spec.RuleMembership = alb.MembershipOwned
	}
	spec.DefaultServerGroupIDs = mapStrings(spec.DefaultServerGroupIDs, r.group)
	if spec.SecurityPolicyID != "" {
		spec.SecurityPolicyID = r.policy(spec.SecurityPolicyID)
	}
	if spec.QUICListenerID != "" {
		spec.QUICListenerID = r.listener(spec.QUICListenerID)
	}
	spec.Rules = slices.Clone(spec.Rules)
	for i, rule := range spec.Rules {
		rule.Actions = slices.Clone(rule.Actions)
		for j, a := range rule.Actions {
			if a.ForwardGroup != nil {
				fg := *a.ForwardGroup
				fg.ServerGroups = slices.Clone(fg.ServerGroups)
				for k := range fg.ServerGroups {
					fg.ServerGroups[k].ServerGroupID = r.group(fg.ServerGroups[k].ServerGroupID)
				}
				a.ForwardGroup = &fg
			}
			if a.TrafficMirror != nil {
				tm := *a.TrafficMirror
				tm.ServerGroupIDs = mapStrings(tm.ServerGroupIDs, r.group)
				a.TrafficMirror = &tm
			}
			rule.Actions[j] = a
		}
		spec.Rules[i] = rule
	}
	return spec
}

func mapStrings(in []string, f func(string) string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// ref is one reference of a listener.
type ref struct {
	kind, name, field string
}

func (r ref) resolves(groups map[string]alb.ServerGroupSpec, policies, listeners map[string]bool) bool {
	switch r.kind {
	case KindServerGroup:
		_, ok := groups[r.name]
		return ok || strings.HasPrefix(r.name, "sgp-")
	case KindSecurityPolicy:
		return policies[r.name] || strings.HasPrefix(r.name, "scp-") || strings.HasPrefix(r.name, "tls_cipher_policy_")
	case KindListener:
		return listeners[r.name] || strings.HasPrefix(r.name, "lsn-")
	}
	return false
}

// listenerRefs lists the references of listener l.
func (s Stack) listenerRefs(l Listener) []ref {
	var out []ref
	for i, g := range l.DefaultServerGroupIDs {
		out = append(out, ref{KindServerGroup, g, fmt.Sprintf("DefaultServerGroupIDs[%d]", i)})
	}
	if l.SecurityPolicyID != "" {
		out = append(out, ref{KindSecurityPolicy, l.SecurityPolicyID, "SecurityPolicyID"})
	}
	if l.QUICListenerID != "" {
		out = append(out, ref{KindListener, l.QUICListenerID, "QUICListenerID"})
	}
	for i, r := range l.Rules {
		for j, a := range r.Actions {
			if a.ForwardGroup != nil {
				for k, t := range a.ForwardGroup.ServerGroups {
					out = append(out, ref{KindServerGroup, t.ServerGroupID, fmt.Sprintf("Rules[%d].Actions[%d].ForwardGroup.ServerGroups[%d]", i, j, k)})
				}
			}
			if a.TrafficMirror != nil {
				for k, id := range a.TrafficMirror.ServerGroupIDs {
					out = append(out, ref{KindServerGroup, id, fmt.Sprintf("Rules[%d].Actions[%d].TrafficMirror.ServerGroupIDs[%d]", i, j, k)})
				}
			}
		}
	}
	return out
}

// plannedGroup is what a server group made from spec will read like, for
// the checks of the listeners that use it before it exists.
func plannedGroup(id string, spec alb.ServerGroupSpec) *alb.ServerGroup {
	g := &alb.ServerGroup{ID: id, Name: spec.Name, Type: spec.Type, Protocol: spec.Protocol, Scheduler: spec.Scheduler, VPCID: spec.VPCID,
		HealthCheck: spec.HealthCheck, StickySession: spec.StickySession, SlowStartSeconds: spec.SlowStartSeconds,
		ConnectionDrain: spec.ConnectionDrain, URLHashParameter: spec.URLHashParameter, CrossZoneEnabled: !spec.DisableCrossZone,
		IPv6: spec.IPv6, UpstreamKeepalive: spec.UpstreamKeepalive, Status: alb.ServerGroupAvailable}
	if g.Type == "" {
		g.Type = alb.ServerGroupInstance
	}
	if g.Protocol == "" && g.Type != alb.ServerGroupFc {
		g.Protocol = alb.BackendHTTP
	}
	return g
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
