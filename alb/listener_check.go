package alb

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/albkit/albkit/routing"
)

// ListenerFacts are what [CheckListener] checks a listener spec against:
// the instance it belongs to, its other listeners, and the server groups
// that exist. A plan gathers them from the APIs; tests build them by hand.
type ListenerFacts struct {
	// Edition is the instance's edition.
	Edition Edition
	// VPCID is the instance's VPC.
	VPCID string
	// Listeners are the instance's listeners. The one the spec describes
	// may be among them: the listener whose idempotency token is the
	// spec's IdempotencyKey or, for a spec without one, the listener on
	// its port and protocol. Any other listener on the spec's port is
	// another listener (a conflict).
	Listeners []Listener
	// ServerGroups are the server groups that exist, by ID (a stack may
	// key groups it is about to create by the name its specs use).
	ServerGroups map[string]ServerGroup
	// AccessLogEnabled says the instance's access log is on (a listener's
	// log config needs it).
	AccessLogEnabled bool
	// OtherRules is how many forwarding rules the instance's other
	// listeners hold (all but the one the spec describes): with the spec's
	// own they count against the edition's per-instance rule quota.
	OtherRules int
}

// CheckListener checks a listener spec against facts, purely, and returns
// every finding, blocking or warning (nil when there is none):
//
//   - the spec's own rules ([ListenerSpec.Validate]), blocking;
//   - the edition's ([CheckListenerEdition]), blocking;
//   - references: a default action, forward or mirror to a server group
//     that does not exist, that is in another VPC than the instance, or
//     whose backend protocol the listener cannot use (HTTPS backends need
//     an HTTPS listener, gRPC backends an HTTPS or QUIC one); the edition
//     rules of the groups it uses ([CheckListenerServerGroups]);
//   - the QUIC listener an HTTPS listener advertises (QUIC upgrade) is a
//     QUIC listener of the instance that no other listener advertises;
//   - one listener per port and instance (an HTTP or HTTPS listener and a
//     QUIC one may share a port number: GUESS), the instance's listener
//     quota, and its rule quota: the other listeners' rules
//     (OtherRules) and the spec's, above the edition's maximum;
//   - package routing's warnings over the listener's rules: shadowed
//     rules, forwards whose weights are all 0, a rule count above the
//     edition's default quota;
//   - the WAF note of the product documentation: a WAF-enabled instance's
//     HTTP or HTTPS listener without X-Forwarded-Proto risks infinite
//     redirects (a warning).
func CheckListener(spec ListenerSpec, facts ListenerFacts) []Finding {
	var out []Finding
	blocking := func(rule, resource, msg, fix string) {
		out = append(out, Finding{Rule: rule, Severity: SeverityBlocking, Resource: resource, Message: msg, Fix: fix})
	}
	warn := func(rule, resource, msg, fix string) {
		out = append(out, Finding{Rule: rule, Severity: SeverityWarning, Resource: resource, Message: msg, Fix: fix})
	}
	fromErr := func(err error, fix string) {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, fe := range ve.Errors {
				blocking(fe.Rule, fe.Field, fe.Message, fix)
			}
		}
	}
	fromErr(spec.Validate(), "correct the spec")
	if spec.LogConfig != nil && spec.LogConfig.on() && !facts.AccessLogEnabled {
		for _, f := range logFindings(spec, "", false) {
			blocking(f.Rule, f.Resource, f.Message, f.Fix)
		}
	}
	if facts.Edition != "" {
		fromErr(CheckListenerEdition(spec, facts.Edition), "upgrade the instance (UpgradeEdition) or change the spec")
	}

	// References.
	specs := map[string]ServerGroupSpec{}
	reported := map[string]bool{}
	for _, ref := range spec.serverGroupRefs() {
		if ref.id == "" {
			continue // Validate reported it
		}
		g, ok := facts.ServerGroups[ref.id]
		if !ok {
			blocking(RuleListenerServerGroupExists, ref.field, fmt.Sprintf("server group %s does not exist", ref.id), "create the server group first, or correct its ID")
			continue
		}
		specs[ref.id] = SpecFromServerGroup(&g, nil)
		if facts.VPCID != "" && g.VPCID != "" && g.VPCID != facts.VPCID {
			blocking(RuleListenerServerGroupVPC, ref.field, fmt.Sprintf("server group %s is in %s, the instance in %s", ref.id, g.VPCID, facts.VPCID),
				"use a server group of the instance's VPC")
		}
		if why := backendProtocolRefusal(spec.Protocol, g.Protocol); why != "" && !reported[ref.field] {
			reported[ref.field] = true
			blocking(RuleListenerServerGroupProtocol, ref.field, fmt.Sprintf("server group %s: %s", ref.id, why), "use a server group of a backend protocol the listener takes")
		}
	}
	if facts.Edition.Valid() {
		fromErr(CheckListenerServerGroups(spec, facts.Edition, specs), "turn the feature off in the server group, or upgrade the instance (UpgradeEdition)")
	}

	// QUIC upgrade: the listener advertised, among the instance's.
	if spec.Protocol == ListenerHTTPS && strings.HasPrefix(spec.QUICListenerID, "lsn-") {
		if why := quicUpgradeRefusal(spec, facts.Listeners); why != "" {
			blocking(RuleListenerQUICListenerUsable, "QUICListenerID", why, "advertise a QUIC listener of the instance that no other listener advertises, or create one")
		}
	}

	// The instance's listeners.
	others := 0
	for _, l := range facts.Listeners {
		if spec.describes(&l) {
			continue // the listener the spec describes
		}
		others++
		if l.Port == spec.Port && (l.Protocol == ListenerQUIC) == (spec.Protocol == ListenerQUIC) {
			blocking(RuleListenerPortUnique, "Port", fmt.Sprintf("port %d is taken by %s listener %s (ResourceAlreadyExist.Listener)", spec.Port, l.Protocol, l.ID),
				"choose another port, or converge the listener that has it")
		}
	}
	if facts.Edition.Valid() {
		q := editionFeatures(facts.Edition).ListenersPerInstance
		switch n := others + 1; {
		case n > q.Max:
			blocking(RuleListenerQuota, "Port", fmt.Sprintf("%d listeners exceed the %s edition's listener quota even raised to its maximum, %d per instance", n, facts.Edition, q.Max), "delete a listener")
		case n > q.Default:
			warn(RuleListenerQuota, "Port", fmt.Sprintf("%d listeners exceed the %s edition's default listener quota, %d per instance", n, facts.Edition, q.Default), fmt.Sprintf("raise the quota (up to %d) in Quota Center first", q.Max))
		}
	}

	if facts.Edition.Valid() && facts.OtherRules > 0 {
		q := editionFeatures(facts.Edition).RulesPerInstance.Max
		if n := len(spec.Rules); n <= q && facts.OtherRules+n > q { // above q alone: CheckListenerEdition's
			blocking(routing.RuleEditionRulesQuota, "Rules", fmt.Sprintf("the instance's other listeners hold %d rule(s): with the spec's %d they exceed the %s edition's rule quota even raised to its maximum, %d per instance", facts.OtherRules, n, facts.Edition, q),
				"delete rules of the other listeners first, or spread the routes over another instance")
		}
	}

	// Routing's warnings.
	for _, f := range routing.Check(spec.table(facts.Edition)) {
		if f.Severity == routing.SeverityWarning && !routingNotSurfaced[f.Rule] {
			warn(f.Rule, defaultField(f.Field), f.Message, "")
		}
	}

	if facts.Edition == EditionStandardWithWAF && (spec.Protocol == ListenerHTTP || spec.Protocol == ListenerHTTPS) && !spec.XForwardedFor.Proto {
		warn(RuleListenerWAFForwardedProto, "XForwardedFor.Proto",
			"the instance is WAF-enabled: without X-Forwarded-Proto a backend cannot tell HTTPS from HTTP traffic, which the product documentation warns leads to issues such as infinite redirection",
			"set XForwardedFor.Proto")
	}
	return out
}

// describes reports whether l is the listener spec describes: its
// idempotency token is the spec's key or, for a spec without a key, it is
// on the spec's port and protocol. (Taking any listener on the port and
// protocol for it let a second listener of another key on a port in use
// through the checks, to be refused by the service:
// ResourceAlreadyExist.Listener.)
func (s ListenerSpec) describes(l *Listener) bool {
	if s.IdempotencyKey != "" {
		return l.Token() == s.IdempotencyKey
	}
	return l.Port == s.Port && l.Protocol == s.Protocol
}

// quicUpgradeRefusal says why spec cannot advertise its QUICListenerID
// among the instance's listeners ("" when it can): the listener must be
// one of them, a QUIC one, and advertised by no other listener than the
// one spec describes (reference 1.3: "the QUIC listener must be on the
// same instance and not already associated with another listener").
func quicUpgradeRefusal(spec ListenerSpec, listeners []Listener) string {
	id := spec.QUICListenerID
	i := slices.IndexFunc(listeners, func(l Listener) bool { return l.ID == id })
	if i < 0 {
		return fmt.Sprintf("listener %s is not a listener of the instance", id)
	}
	if p := listeners[i].Protocol; p != ListenerQUIC {
		return fmt.Sprintf("listener %s is a %s listener, not a QUIC one", id, p)
	}
	for _, l := range listeners {
		if l.QUICListenerID == id && !spec.describes(&l) {
			return fmt.Sprintf("QUIC listener %s is already advertised by listener %s (ResourceInUse.Listener)", id, l.ID)
		}
	}
	return ""
}

// backendProtocolRefusal says why a listener of protocol l cannot forward
// to a server group of backend protocol b ("" when it can): HTTP backends
// serve every listener, HTTPS backends HTTPS listeners, gRPC backends
// HTTPS and QUIC listeners (SDK CreateServerGroup Protocol).
func backendProtocolRefusal(l ListenerProtocol, b BackendProtocol) string {
	switch normalizeBackendProtocol(b) {
	case BackendHTTPS:
		if l != ListenerHTTPS {
			return fmt.Sprintf("an HTTPS backend serves HTTPS listeners only, not %s", l)
		}
	case BackendGRPC:
		if l != ListenerHTTPS && l != ListenerQUIC {
			return fmt.Sprintf("a gRPC backend serves HTTPS and QUIC listeners only, not %s", l)
		}
	}
	return ""
}
