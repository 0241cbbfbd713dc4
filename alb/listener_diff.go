package alb

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/albkit/albkit/routing"
)

// ListenerCall is one API call of a [ListenerPlan], with what it carries.
type ListenerCall struct {
	// Action is the API action: CreateListener, UpdateListenerAttribute,
	// AssociateAdditionalCertificatesWithListener, CreateRules,
	// UpdateRulesAttribute, DeleteRules or
	// DissociateAdditionalCertificatesFromListener.
	Action string
	// Attributes are the fields an UpdateListenerAttribute call changes.
	Attributes []AttributeChange
	// CertificateIDs are the certificates an association call takes (at
	// most MaxCertificatesPerCall).
	CertificateIDs []string
	// Rules are the rule steps a CreateRules, UpdateRulesAttribute or
	// DeleteRules call makes, in order (at most the call's maximum; the
	// steps of one call change rules that share no request and no
	// priority, so the order in which the service applies them does not
	// matter).
	Rules []RuleStep
}

// ListenerPlan is the result of [DiffListener]: the writes that make a
// listener, its additional certificates and its forwarding rules match a
// spec, in the order they are applied ([ListenerPlan.CallList]):
//
//  1. CreateListener when there is no listener (its attributes are in the
//     create), else one UpdateListenerAttribute with exactly the changed
//     fields (the default action's change waits, see 4);
//     then UpdateListenerLogConfig when the log config changes;
//  2. AssociateAdditionalCertificatesWithListener, in calls of
//     MaxCertificatesPerCall: a rule for a new host finds its certificate;
//  3. the Request rules' placements: CreateRules, UpdateRulesAttribute and
//     the deletions that are already safe, in calls of their maxima;
//  4. when the default action changes: UpdateListenerAttribute of
//     DefaultActions, then the remaining deletions;
//  5. the Response rules' steps;
//  6. DissociateAdditionalCertificatesFromListener, last.
//
// # Rule order
//
// Rules are identified by name within the listener. While the rules
// change, every request is handled either as the current table handles it
// or as the wanted table will: never by a rule (or a version of a rule)
// that is in neither, which the ALB ingress controller's order (create,
// then update, then delete) does not guarantee when priorities move (a
// rule created at a priority another rule still holds, or two rules
// swapping, briefly send a request to a third rule).
//
// The planner groups the rules that may match one request (hosts, paths,
// methods, source blocks or response codes that cannot coincide separate
// them; everything else is assumed to overlap). Within a group it places
// the wanted rules one by one in their final order, each at its final
// priority ahead of every current rule still in place (moving those up,
// keeping their order, to free priorities when they are in the way): at
// every step a request matched by a placed rule gets the wanted table's
// decision, and any other request the current table's. A rule whose
// conditions change is updated in place only when no rule it may share a
// request with is still unsettled; otherwise its new version is created
// beside it and the old one deleted once safe (RuleStep.Replaces). A rule
// is deleted once every rule it may share a request with is placed,
// deleted, or before it, the last first. When the default action changes,
// it changes after every placement and before those deletions. Two rules
// that swap priorities therefore take a temporary free priority
// (RuleStep.Temporary); when ALB's numbers are dense the planner pushes
// neighbours up as needed; a rule not managed (Shared mode) never moves.
// The steps of one batched call concern rules that share no request and
// no priority (GUESS: the service may check each rule of a batch against
// the listener as it was, so a rule moving into a priority another rule
// of the batch leaves gets its own call).
//
// Blocked lists what cannot change in place with what to do instead: a
// protocol, port or instance that differs (the plan then writes nothing),
// tags (set at creation only), a wanted priority held by an unmanaged
// rule, or a reorder with no free priority (the plan then writes nothing:
// the listener is never left half-way). The listener must be Running or Stopped before each
// write (the service answers IncorrectStatus.Listener or
// ResourceInConfiguring.Listener otherwise).
type ListenerPlan struct {
	// ID is the listener; empty when Create.
	ID string
	// Create says there is no listener: create it from the spec.
	Create bool
	// Attributes are the fields UpdateListenerAttribute changes (Field is
	// the ListenerSpec field, "XForwardedFor.Proto" for a subfield).
	Attributes []AttributeChange
	// AddCertificates are the additional certificates to associate.
	AddCertificates []string
	// RemoveCertificates are the additional certificates to dissociate.
	RemoveCertificates []string
	// Rules are the forwarding-rule writes, in order.
	Rules []RuleStep
	// LogConfig is the log config UpdateListenerLogConfig sets (nil: no
	// change).
	LogConfig *ListenerLogConfig
	// Blocked lists the differences no in-place change can make.
	Blocked []Difference

	spec         ListenerSpec
	calls        []ListenerCall
	defaultAfter int // how many rule steps come before a change of the default action
}

// Empty reports whether the listener, its certificates and its rules
// already match the spec (false for a plan that creates the listener).
func (p *ListenerPlan) Empty() bool { return p != nil && !p.Writes() && len(p.Blocked) == 0 }

// Writes reports whether the plan makes any write (Blocked differences
// aside).
func (p *ListenerPlan) Writes() bool {
	return p != nil && (p.Create || len(p.Attributes) > 0 || len(p.AddCertificates) > 0 || len(p.RemoveCertificates) > 0 || len(p.Rules) > 0 || p.LogConfig != nil)
}

// CallList returns the plan's calls in order, with what each carries.
func (p *ListenerPlan) CallList() []ListenerCall {
	if p == nil {
		return nil
	}
	out := make([]ListenerCall, len(p.calls))
	for i, c := range p.calls {
		c.Attributes = slices.Clone(c.Attributes)
		c.CertificateIDs = slices.Clone(c.CertificateIDs)
		c.Rules = slices.Clone(c.Rules)
		out[i] = c
	}
	return out
}

// Calls lists the API actions the plan sends, in order, one per call.
func (p *ListenerPlan) Calls() []string {
	var out []string
	for _, c := range p.CallList() {
		out = append(out, c.Action)
	}
	return out
}

// String lists the plan in call order, one change per line: "+" creates
// or associates, "~" changes, "-" deletes or dissociates, "!" cannot be
// changed in place.
func (p *ListenerPlan) String() string {
	if p == nil {
		return "no plan"
	}
	name := p.ID
	if p.Create {
		name = fmt.Sprintf("new %s listener on port %d", p.spec.Protocol, p.spec.Port)
	}
	if p.Empty() {
		return name + ": no change"
	}
	var b strings.Builder
	b.WriteString(name + ":")
	line := func(mark, s string) { b.WriteString("\n  " + mark + " " + s) }
	for _, c := range p.calls {
		switch c.Action {
		case "CreateListener":
			line("+", fmt.Sprintf("create %s listener on port %d of %s (CreateListener)", p.spec.Protocol, p.spec.Port, p.spec.LoadBalancerID))
		case "UpdateListenerAttribute":
			for _, a := range c.Attributes {
				line("~", a.String()+" (UpdateListenerAttribute)")
			}
		case "UpdateListenerLogConfig":
			line("~", "log config → "+p.LogConfig.String()+" (UpdateListenerLogConfig)")
		case "AssociateAdditionalCertificatesWithListener":
			line("+", "certificates "+strings.Join(c.CertificateIDs, ",")+" (AssociateAdditionalCertificatesWithListener)")
		case "DissociateAdditionalCertificatesFromListener":
			line("-", "certificates "+strings.Join(c.CertificateIDs, ",")+" (DissociateAdditionalCertificatesFromListener)")
		default:
			for _, s := range c.Rules {
				mark := "~"
				switch s.Kind {
				case RuleStepCreate:
					mark = "+"
				case RuleStepDelete:
					mark = "-"
				}
				line(mark, s.String()+" ("+c.Action+")")
			}
		}
	}
	for _, d := range p.Blocked {
		line("!", d.String())
	}
	return b.String()
}

// Attribute names of a listener's [AttributeChange.Field].
const (
	lattrDescription    = "Description"
	lattrDefault        = "DefaultServerGroupIDs"
	lattrIdle           = "IdleTimeoutSeconds"
	lattrRequest        = "RequestTimeoutSeconds"
	lattrGzip           = "DisableGzip"
	lattrHTTP2          = "DisableHTTP2"
	lattrPolicy         = "SecurityPolicyID"
	lattrCertificate    = "DefaultCertificateID"
	lattrCA             = "CACertificateIDs"
	lattrQUIC           = "QUICListenerID"
	lattrXFF            = "XForwardedFor"
	xffDisabled         = "Disabled"
	xffMode             = "Mode"
	xffProto            = "Proto"
	xffSLBID            = "SLBID"
	xffSLBPort          = "SLBPort"
	xffHost             = "Host"
	xffClientSrcPort    = "ClientSrcPort"
	xffClientSourceIPs  = "ClientSourceIPs"
	xffTrustedProxies   = "TrustedProxies"
	xffCertSubjectDN    = "ClientCertSubjectDN"
	xffCertIssuerDN     = "ClientCertIssuerDN"
	xffCertFingerprint  = "ClientCertFingerprint"
	xffCertClientVerify = "ClientCertClientVerify"
)

// DiffListener compares spec with a listener (as GetListenerAttribute
// reports it), its certificates (ListListenerCertificates) and its rules
// (ListRules, both directions) and returns what would make them match:
// see [ListenerPlan], whose doc explains the order of the rule writes. It
// is pure: no API call. A nil listener plans its create, then the
// certificates and the rules, in ascending priority (a new listener
// serves its default action until its rules exist: the API has no way to
// create a listener with its rules). Applying the plan and diffing again
// gives an empty plan (Blocked aside); diff a settled listener (Running or
// Stopped, no rule or certificate pending).
//
// Normalisation, so that a listener created from spec and left alone
// diffs empty: zero timeouts, security policy and X-Forwarded-For mode are
// the service's defaults; HTTP/2, the TLS policy, mutual TLS and QUIC
// upgrade are compared on HTTPS listeners only, certificates on HTTPS and
// QUIC ones, and each X-Forwarded-* setting only where the protocol takes
// it; an empty Description or client certificate header name leaves the
// listener's; default server groups, certificates, trusted proxies and
// each condition's values are compared as sets; actions with the
// service's defaults spelled out; tags whose key starts with "albkit:",
// "acs:" or "aliyun" are ignored.
//
// Rules are matched by name (within the listener; a rule in the other
// direction of a managed name is replaced, since the direction is fixed):
// with Shared membership (the default) the listener's other rules are
// left alone, except the names in AbsentRules; with Owned every other rule
// is deleted. Extra rules of a managed name are deleted.
func DiffListener(spec ListenerSpec, l *Listener, certs []ListenerCertificate, rules []Rule) *ListenerPlan {
	p := &ListenerPlan{spec: spec}
	if l == nil {
		p.Create = true
		if spec.LogConfig != nil && spec.LogConfig.on() {
			lc := *spec.LogConfig
			p.LogConfig = &lc
		}
		p.AddCertificates = slices.Clone(spec.AdditionalCertificateIDs)
		p.planRules(spec, nil, false) // nothing exists: nothing blocks
		p.buildCalls(false)
		return p
	}
	p.ID = l.ID
	block := func(field, from, to, reason, instead string) {
		p.Blocked = append(p.Blocked, Difference{Field: field, From: from, To: to, Rule: RuleImmutable, Reason: reason, Instead: instead})
	}
	const newListener = "create a listener with the wanted value, move the clients to it (DNS, port), then delete this one"
	if spec.LoadBalancerID != l.LoadBalancerID {
		block("LoadBalancerID", l.LoadBalancerID, spec.LoadBalancerID, "a listener belongs to its instance for good", newListener)
	}
	if spec.Protocol != l.Protocol {
		block("Protocol", string(l.Protocol), string(spec.Protocol), "the protocol of a listener is fixed at creation", newListener)
	}
	if spec.Port != l.Port {
		block("Port", strconv.Itoa(l.Port), strconv.Itoa(spec.Port), "the port of a listener is fixed at creation", newListener)
	}
	if len(p.Blocked) > 0 {
		p.buildCalls(false)
		return p // another listener than the one described: write nothing
	}
	p.diffAttributes(spec, l)
	if spec.LogConfig != nil && !spec.LogConfig.equal(l.LogConfig) {
		lc := *spec.LogConfig
		p.LogConfig = &lc
	}
	if remove, add := tagChanges(spec.Tags, l.Tags); len(remove)+len(add) > 0 {
		block("Tags", tagsString(userTags(l.Tags), nil), tagsString(spec.Tags, nil),
			"a listener's tags are set by CreateListener only: TagResources takes no listener (SDK ResourceType)", "keep the listener's tags in the spec, or create a new listener with the wanted tags")
	}
	if spec.Protocol.tls() {
		have := additionalCertificates(certs)
		for _, id := range spec.AdditionalCertificateIDs {
			if !slices.Contains(have, id) {
				p.AddCertificates = append(p.AddCertificates, id)
			}
		}
		for _, id := range have {
			// A certificate promoted to default is not dissociated (GUESS:
			// the listener then lists it once, as default).
			if !slices.Contains(spec.AdditionalCertificateIDs, id) && id != spec.DefaultCertificateID && id != l.DefaultCertificateID {
				p.RemoveCertificates = append(p.RemoveCertificates, id)
			}
		}
	}
	defaultChanges := slices.ContainsFunc(p.Attributes, func(a AttributeChange) bool { return a.Field == lattrDefault })
	if !p.planRules(spec, rules, defaultChanges) {
		// The rules cannot change safely: write nothing, so the listener
		// is never left half-way with a new default action and old rules.
		p.Attributes, p.AddCertificates, p.RemoveCertificates, p.Rules, p.LogConfig = nil, nil, nil, nil, nil
	}
	p.buildCalls(defaultChanges)
	return p
}

// diffAttributes fills the attributes UpdateListenerAttribute changes.
func (p *ListenerPlan) diffAttributes(spec ListenerSpec, l *Listener) {
	attr := func(field, from, to string) {
		if from != to {
			p.Attributes = append(p.Attributes, AttributeChange{Field: field, From: from, To: to})
		}
	}
	if spec.Description != "" {
		attr(lattrDescription, l.Description, spec.Description)
	}
	attr(lattrDefault, strings.Join(sortedCopy(l.DefaultServerGroupIDs), ","), strings.Join(sortedCopy(spec.DefaultServerGroupIDs), ","))
	attr(lattrIdle, strconv.Itoa(cmp.Or(l.IdleTimeoutSeconds, DefaultIdleTimeoutSeconds)), strconv.Itoa(spec.idleTimeout()))
	attr(lattrRequest, strconv.Itoa(cmp.Or(l.RequestTimeoutSeconds, DefaultRequestTimeoutSeconds)), strconv.Itoa(spec.requestTimeout()))
	attr(lattrGzip, strconv.FormatBool(!l.Gzip), strconv.FormatBool(spec.DisableGzip))
	https := spec.Protocol == ListenerHTTPS
	if https {
		attr(lattrHTTP2, strconv.FormatBool(!l.HTTP2), strconv.FormatBool(spec.DisableHTTP2))
		attr(lattrPolicy, cmp.Or(l.SecurityPolicyID, DefaultSecurityPolicyID), spec.securityPolicy())
		attr(lattrCA, strings.Join(sortedCopy(l.CACertificateIDs), ","), strings.Join(sortedCopy(spec.CACertificateIDs), ","))
		attr(lattrQUIC, l.QUICListenerID, spec.QUICListenerID)
	}
	if spec.Protocol.tls() {
		attr(lattrCertificate, l.DefaultCertificateID, spec.DefaultCertificateID)
	}
	want, have := spec.XForwardedFor.effective(spec.Protocol), l.XForwardedFor.effective(spec.Protocol)
	for _, f := range []struct {
		name       string
		from, to   string
		applicable bool
	}{
		{xffDisabled, strconv.FormatBool(have.Disabled), strconv.FormatBool(want.Disabled), true},
		{xffMode, string(have.Mode), string(want.Mode), !want.Disabled},
		{xffProto, strconv.FormatBool(have.Proto), strconv.FormatBool(want.Proto), true},
		{xffSLBID, strconv.FormatBool(have.SLBID), strconv.FormatBool(want.SLBID), true},
		{xffSLBPort, strconv.FormatBool(have.SLBPort), strconv.FormatBool(want.SLBPort), true},
		{xffHost, strconv.FormatBool(have.Host), strconv.FormatBool(want.Host), true},
		{xffClientSrcPort, strconv.FormatBool(have.ClientSrcPort), strconv.FormatBool(want.ClientSrcPort), true},
		{xffClientSourceIPs, strconv.FormatBool(have.ClientSourceIPs), strconv.FormatBool(want.ClientSourceIPs), true},
		{xffTrustedProxies, strings.Join(have.TrustedProxies, ","), strings.Join(want.TrustedProxies, ","), want.ClientSourceIPs},
		{xffCertSubjectDN, certHeaderString(have.ClientCertSubjectDN, want.ClientCertSubjectDN), certHeaderString(want.ClientCertSubjectDN, want.ClientCertSubjectDN), true},
		{xffCertIssuerDN, certHeaderString(have.ClientCertIssuerDN, want.ClientCertIssuerDN), certHeaderString(want.ClientCertIssuerDN, want.ClientCertIssuerDN), true},
		{xffCertFingerprint, certHeaderString(have.ClientCertFingerprint, want.ClientCertFingerprint), certHeaderString(want.ClientCertFingerprint, want.ClientCertFingerprint), true},
		{xffCertClientVerify, certHeaderString(have.ClientCertClientVerify, want.ClientCertClientVerify), certHeaderString(want.ClientCertClientVerify, want.ClientCertClientVerify), true},
	} {
		if f.applicable {
			attr(lattrXFF+"."+f.name, f.from, f.to)
		}
	}
}

// certHeaderString renders a client certificate header for comparison
// with want: the alias only when want names one.
func certHeaderString(h, want ClientCertHeader) string {
	if !h.Enabled {
		return "off"
	}
	if want.Alias == "" {
		return "on"
	}
	return "on as " + h.Alias
}

// effective is the X-Forwarded-* configuration as a listener of protocol p
// applies it: the settings p does not take removed, the default mode
// spelled out while X-Forwarded-For is on, trusted proxies sorted and
// only with ClientSourceIPs, header names only when enabled.
func (x XForwardedFor) effective(p ListenerProtocol) XForwardedFor {
	e := x.clone()
	if p == ListenerQUIC {
		e.Disabled, e.Mode, e.ClientSrcPort, e.ClientSourceIPs = false, "", false, false
	} else if e.Disabled {
		e.Mode = ""
	} else if e.Mode == "" {
		e.Mode = XForwardedForAppend
	}
	if !e.ClientSourceIPs {
		e.TrustedProxies = nil
	}
	slices.Sort(e.TrustedProxies)
	if p != ListenerHTTPS {
		e.ClientCertSubjectDN, e.ClientCertIssuerDN, e.ClientCertFingerprint, e.ClientCertClientVerify = ClientCertHeader{}, ClientCertHeader{}, ClientCertHeader{}, ClientCertHeader{}
	}
	for _, h := range []*ClientCertHeader{&e.ClientCertSubjectDN, &e.ClientCertIssuerDN, &e.ClientCertFingerprint, &e.ClientCertClientVerify} {
		if !h.Enabled {
			*h = ClientCertHeader{}
		}
	}
	return e
}

// planRules fills p.Rules: the rule steps of both directions. existing are
// the listener's rules; defaultChanges says the default action changes
// (Request rules then keep every deletion until after it). It reports
// false, with the reasons in Blocked, when the rules cannot change safely.
func (p *ListenerPlan) planRules(spec ListenerSpec, existing []Rule, defaultChanges bool) bool {
	managed := map[string]bool{}
	for _, r := range spec.Rules {
		managed[r.Name] = true
	}
	absent := map[string]bool{}
	for _, n := range spec.AbsentRules {
		absent[n] = true
	}
	owned := spec.ruleMembership() == MembershipOwned
	if why := duplicateRules(spec); why != nil {
		p.Blocked = append(p.Blocked, *why)
		return false
	}
	ov := newOverlapper()
	blocked := false
	var placements, removals, response []RuleStep
	base := 0
	for _, dir := range []routing.Direction{routing.DirectionRequest, routing.DirectionResponse} {
		nodes, phys, why := buildRuleNodes(spec, existing, dir, managed, absent, owned)
		if len(why) > 0 {
			p.Blocked = append(p.Blocked, why...)
			blocked = true
			continue
		}
		early := dir == routing.DirectionResponse || !defaultChanges
		pl, rm, err := planRuleSteps(nodes, phys, early, ov, base)
		base += len(nodes) + 1
		if err != nil {
			p.Blocked = append(p.Blocked, Difference{Field: "Rules", Rule: RuleListenerRuleOrderNoFreePriority,
				Reason:  fmt.Sprintf("the %s rules cannot be reordered safely: %v", dir, err),
				Instead: "free some priorities (1-10000) between the rules that move, or give the rules priorities that keep their order"})
			blocked = true
			continue
		}
		if dir == routing.DirectionRequest {
			placements, removals = pl, rm
		} else {
			response = append(pl, rm...)
		}
	}
	p.Rules = append(append(placements, removals...), response...)
	p.defaultAfter = len(placements)
	return !blocked
}

// duplicateRules reports a spec whose rules share a name, or a priority in
// one direction (Validate refuses both): no order can be planned for it.
func duplicateRules(spec ListenerSpec) *Difference {
	names := map[string]bool{}
	prios := map[string]bool{}
	for _, r := range spec.Rules {
		k := fmt.Sprintf("%s/%d", r.direction(), r.Priority)
		if names[r.Name] || prios[k] || r.Priority < 1 || r.Priority > maxPriority {
			return &Difference{Field: "Rules", To: r.String(), Rule: RuleListenerRuleNameUnique,
				Reason: "the spec's rules share a name or a priority, or a priority is out of range", Instead: "validate the spec (ListenerSpec.Validate) and correct it"}
		}
		names[r.Name], prios[k] = true, true
	}
	return nil
}

// buildRuleNodes turns one direction's current and wanted rules into the
// planner's nodes and live rules, or the differences that block them.
func buildRuleNodes(spec ListenerSpec, existing []Rule, dir routing.Direction, managed, absent map[string]bool, owned bool) ([]*ruleNode, []*physRule, []Difference) {
	var have []Rule
	for _, r := range existing {
		if r.direction() == dir {
			have = append(have, r)
		}
	}
	slices.SortStableFunc(have, func(a, b Rule) int { return cmp.Compare(a.Priority, b.Priority) })
	var want []RuleSpec
	for _, r := range spec.Rules {
		if r.direction() == dir {
			want = append(want, r)
		}
	}
	var nodes []*ruleNode
	var phys []*physRule
	used := make([]bool, len(have))
	live := func(r Rule, n *ruleNode) {
		pr := &physRule{id: r.ID, pos: r.Priority, spec: r.RuleSpec, node: n}
		pr.spec.Direction = dir
		n.phys = pr
		phys = append(phys, pr)
	}
	for _, w := range want {
		w.Direction = dir
		best := -1
		for i, r := range have {
			if used[i] || r.Name != w.Name {
				continue
			}
			score := func(j int) int {
				s := 0
				if conditionsKey(have[j].Conditions) == conditionsKey(w.Conditions) {
					s += 2
					if actionsKey(have[j].Actions) == actionsKey(w.Actions) && have[j].Priority == w.Priority {
						s++
					}
				}
				return s
			}
			if best < 0 || score(i) > score(best) {
				best = i
			}
		}
		nn := &ruleNode{name: w.Name, conds: w.Conditions, new: true, final: w.Priority, spec: w}
		nodes = append(nodes, nn)
		if best < 0 {
			continue
		}
		used[best] = true
		r := have[best]
		if conditionsKey(r.Conditions) == conditionsKey(w.Conditions) {
			nn.old = true
			live(r, nn)
			continue
		}
		on := &ruleNode{name: r.Name, conds: r.Conditions, old: true, newOf: nn}
		nn.oldOf = on
		live(r, on)
		nodes = append(nodes, on)
	}
	var blocked []Difference
	for i, r := range have {
		if used[i] {
			continue
		}
		n := &ruleNode{name: r.Name, conds: r.Conditions, old: true}
		if !owned && !managed[r.Name] && !absent[r.Name] {
			n.new, n.foreign, n.final, n.spec = true, true, r.Priority, r.RuleSpec
			n.spec.Direction = dir
			for _, w := range want {
				if w.Priority == r.Priority {
					blocked = append(blocked, Difference{Field: "Rules", From: fmt.Sprintf("%s holds priority %d", r.Name, r.Priority),
						To: fmt.Sprintf("%s at priority %d", w.Name, w.Priority), Rule: RuleListenerRulePriorityTaken,
						Reason:  fmt.Sprintf("rule %s (%s) is not managed by this spec (Shared membership) and already has priority %d in the %s direction", r.Name, r.ID, r.Priority, dir),
						Instead: "give the rule another priority, or manage the other rule too (list it, or name it in AbsentRules)"})
				}
			}
		}
		live(r, n)
		nodes = append(nodes, n)
	}
	return nodes, phys, blocked
}

// buildCalls groups the plan's writes into calls, in the documented order.
func (p *ListenerPlan) buildCalls(defaultChanges bool) {
	p.calls = nil
	add := func(c ListenerCall) { p.calls = append(p.calls, c) }
	if p.Create {
		add(ListenerCall{Action: "CreateListener"})
	}
	early, late := p.Attributes, []AttributeChange(nil)
	if defaultChanges && p.defaultAfter > 0 && len(p.Rules) > 0 {
		early, late = nil, nil
		for _, a := range p.Attributes {
			if a.Field == lattrDefault {
				late = append(late, a)
			} else {
				early = append(early, a)
			}
		}
	}
	if len(early) > 0 {
		add(ListenerCall{Action: "UpdateListenerAttribute", Attributes: early})
	}
	if p.LogConfig != nil {
		add(ListenerCall{Action: "UpdateListenerLogConfig"})
	}
	for i := 0; i < len(p.AddCertificates); i += MaxCertificatesPerCall {
		add(ListenerCall{Action: "AssociateAdditionalCertificatesWithListener", CertificateIDs: p.AddCertificates[i:min(i+MaxCertificatesPerCall, len(p.AddCertificates))]})
	}
	at := len(p.Rules)
	if len(late) > 0 {
		at = p.defaultAfter
	}
	p.batchRules(p.Rules[:at])
	if len(late) > 0 {
		add(ListenerCall{Action: "UpdateListenerAttribute", Attributes: late})
	}
	p.batchRules(p.Rules[at:])
	for i := 0; i < len(p.RemoveCertificates); i += MaxCertificatesPerCall {
		add(ListenerCall{Action: "DissociateAdditionalCertificatesFromListener", CertificateIDs: p.RemoveCertificates[i:min(i+MaxCertificatesPerCall, len(p.RemoveCertificates))]})
	}
}

// batchRules appends the calls of consecutive rule steps: steps of one
// kind share a call while they touch different components and different
// priorities, up to the call's maximum.
func (p *ListenerPlan) batchRules(steps []RuleStep) {
	action := map[RuleStepKind]string{RuleStepCreate: "CreateRules", RuleStepUpdate: "UpdateRulesAttribute", RuleStepDelete: "DeleteRules"}
	limit := map[RuleStepKind]int{RuleStepCreate: MaxRulesPerCreateCall, RuleStepUpdate: MaxRulesPerUpdateCall, RuleStepDelete: MaxRulesPerDeleteCall}
	var cur *ListenerCall
	var kind RuleStepKind
	for _, s := range steps {
		if cur != nil && kind == s.Kind && len(cur.Rules) < limit[kind] && independent(cur.Rules, s) {
			cur.Rules = append(cur.Rules, s)
			continue
		}
		p.calls = append(p.calls, ListenerCall{Action: action[s.Kind], Rules: []RuleStep{s}})
		cur, kind = &p.calls[len(p.calls)-1], s.Kind
	}
}

// independent reports whether s touches no component and no priority the
// steps of batch touch.
func independent(batch []RuleStep, s RuleStep) bool {
	for _, b := range batch {
		if b.comp == s.comp {
			return false
		}
		if b.Rule.direction() != s.Rule.direction() {
			continue
		}
		for _, x := range []int{b.FromPriority, b.Rule.Priority} {
			if x != 0 && (x == s.FromPriority || x == s.Rule.Priority) {
				return false
			}
		}
	}
	return true
}
