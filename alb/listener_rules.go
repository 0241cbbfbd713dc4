package alb

import (
	"strings"

	"github.com/albkit/albkit/routing"
)

// Rule scopes of listeners, forwarding rules and security policies (see
// [RuleScope]).
const (
	ScopeListener       RuleScope = "listener"        // ListenerSpec, its certificates and default action
	ScopeRule           RuleScope = "rule"            // RuleSpec: package routing's rules, surfaced here
	ScopeSecurityPolicy RuleScope = "security policy" // SecurityPolicySpec
)

// How listener rules are checked, besides [CheckedLocally].
const (
	// CheckedAgainstEdition: from the spec and the instance's edition
	// ([CheckListenerEdition], [CheckListenerServerGroups]).
	CheckedAgainstEdition Check = "checked against the instance's edition"
	// CheckedAgainstFacts: from the spec and facts given
	// ([CheckListener]: the instance, its listeners, the server groups).
	CheckedAgainstFacts Check = "checked against facts (CheckListener)"
	// ReportedAsWarning: accepted by the service but almost certainly not
	// meant; [CheckListener] reports it as a warning.
	ReportedAsWarning Check = "reported as a warning (CheckListener)"
	// CheckedWhenPlanned: from the spec and the listener's current rules
	// ([DiffListener] puts it in Blocked).
	CheckedWhenPlanned Check = "checked when planned (DiffListener)"
)

// listenerShared are the instance's (and server groups') rules that
// listeners and security policies follow too: the scopes they add, and
// what they add to the rule's source.
var listenerShared = map[string]struct {
	scopes []RuleScope
	source string
}{
	RuleRequired:                       {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy"},
	RuleResourceGroupIDFormat:          {[]RuleScope{ScopeSecurityPolicy}, "SDK CreateSecurityPolicy ResourceGroupId"},
	RuleEditionEnum:                    {[]RuleScope{ScopeListener}, "CheckListenerEdition"},
	RuleTagsMax:                        {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagKeyRequired:                 {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagKeyLength:                   {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagValueLength:                 {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagKeyReservedPrefix:           {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagKeyAlbkitPrefix:             {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "albkit"},
	RuleTagValueReservedPrefix:         {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagNoURL:                       {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagKeyUnique:                   {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag"},
	RuleTagUTF8:                        {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "albkit"},
	RuleIdempotencyKeyASCII:            {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy ClientToken"},
	RuleIdempotencyKeyLength:           {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy ClientToken"},
	RuleIdempotencyKeyTagValue:         {[]RuleScope{ScopeListener, ScopeSecurityPolicy}, "SDK CreateListener, CreateSecurityPolicy Tag.N.Value"},
	RuleServerGroupSlowStartEdition:    {[]RuleScope{ScopeListener}, "CheckListenerServerGroups, CheckListener"},
	RuleServerGroupDrainEdition:        {[]RuleScope{ScopeListener}, "CheckListenerServerGroups, CheckListener"},
	RuleServerGroupCrossZoneOffEdition: {[]RuleScope{ScopeListener}, "CheckListenerServerGroups, CheckListener"},
}

// routingNotSurfaced are routing's checks albkit never reports: rule IDs
// are the rules' names, whose duplicates albkit refuses with
// RuleListenerRuleNameUnique, and an unknown edition is RuleEditionEnum.
var routingNotSurfaced = map[string]bool{routing.RuleIDUnique: true, routing.RuleEditionUnknown: true}

// addListenerRules adds to Rules the scopes listeners and security
// policies share with the instance's rules, then the rules of listeners,
// forwarding rules (package routing's) and security policies. Sources:
// "SDK X" is the official SDK's request model of operation X
// (alb-20200616 v2.3.2), "ref N" a section of the project's API reference
// (alb-stack-api.md), ROS the Resource Orchestration Service's resource
// documentation, DOC-quota the quota table, seed the product
// documentation, "albkit" albkit's own policy.
func addListenerRules(out []RuleInfo) []RuleInfo {
	for i := range out {
		sh, ok := listenerShared[out[i].ID]
		if !ok {
			continue
		}
		for _, sc := range sh.scopes {
			out[i].Scope += ", " + sc
		}
		out[i].Source += " / " + sh.source
	}
	add := func(id string, level Level, check Check, scope RuleScope, source, text string) {
		out = append(out, RuleInfo{ID: id, Level: level, Source: source, Text: text, Check: check, Scope: scope})
	}
	const (
		cl   = "SDK CreateListener"
		ul   = "SDK UpdateListenerAttribute"
		xff  = "SDK CreateListener XForwardedForConfig; ref 2.2"
		spec = LevelSpec
		loc  = CheckedLocally
		lsn  = ScopeListener
	)
	add(RuleListenerProtocolEnum, spec, loc, lsn, cl+" ListenerProtocol", "the listener protocol is HTTP, HTTPS or QUIC")
	add(RuleListenerPort, spec, loc, lsn, cl+" ListenerPort", "the port is 1–65535")
	add(RuleListenerLoadBalancerIDFormat, spec, loc, lsn, cl+" LoadBalancerId (example alb-…)", "the instance ID looks like alb-…")
	add(RuleListenerDescription, spec, loc, lsn, ul+" ListenerDescription; Terraform's pattern", "the description is 2–256 characters: letters (Chinese too), digits and . , ; / @ _ -")
	add(RuleListenerIdleTimeout, spec, loc, lsn, cl+" IdleTimeout (1–60); ref 1.3, DOC-quota, Terraform PR 9689 (0–600)",
		"the idle timeout is 1–600 s (default 15): the SDK says 1–60, the reference's sources 600; albkit follows the reference (GUESS for the idle timeout's maximum)")
	add(RuleListenerRequestTimeout, spec, loc, lsn, cl+" RequestTimeout (1–180); ref 1.3, DOC-quota (600, raisable to 900)",
		"the request timeout is 1–600 s (default 60): the SDK says 1–180, the quota table 600 by default; albkit follows the reference")
	add(RuleListenerHTTP2HTTPSOnly, spec, loc, lsn, cl+" Http2Enabled", "HTTP/2 is set on HTTPS listeners only")
	add(RuleListenerSecurityPolicyHTTPSOnly, spec, loc, lsn, cl+" SecurityPolicyId", "a TLS security policy only on HTTPS listeners")
	add(RuleListenerSecurityPolicyFormat, spec, loc, lsn, "ref 1.7, 2.3", "a TLS security policy is a system one (tls_cipher_policy_…) or a custom one (scp-…)")
	add(RuleListenerCertificateRequired, spec, loc, lsn, cl+" Certificates; ref 1.3 (GUESS)", "an HTTPS or QUIC listener has a default certificate (GUESS: the SDK does not say required)")
	add(RuleListenerCertificateTLSOnly, spec, loc, lsn, cl+" Certificates; ref 1.4", "certificates only on HTTPS and QUIC listeners")
	add(RuleListenerCertificateUnique, spec, loc, lsn, "SDK AssociateAdditionalCertificatesWithListener; albkit", "each additional certificate once, and not the default certificate")
	add(RuleListenerCAHTTPSOnly, spec, loc, lsn, cl+" CaEnabled; ref 1.3 (GUESS)", "mutual TLS only on HTTPS listeners (GUESS)")
	add(RuleListenerCACertificatesMax, spec, loc, lsn, cl+" CaCertificates", "mutual TLS takes exactly one CA certificate")
	add(RuleListenerQUICUpgradeHTTPSOnly, spec, loc, lsn, cl+" QuicConfig", "QUIC upgrade only on HTTPS listeners")
	add(RuleListenerQUICListenerIDFormat, spec, loc, lsn, cl+" QuicConfig.QuicListenerId (example lsn-…)", "the QUIC listener ID looks like lsn-…")
	add(RuleListenerXFFProtocol, spec, loc, lsn, xff, "each X-Forwarded-* setting only where the protocol takes it: X-Forwarded-For, its mode, the client port and source IPs on HTTP and HTTPS; the client certificate headers on HTTPS")
	add(RuleListenerXFFModeEnum, spec, loc, lsn, xff, "the X-Forwarded-For mode is append (default) or remove")
	add(RuleListenerXFFModeNeedsXFF, spec, loc, lsn, "albkit; "+xff+" (\"takes effect only when\")", "an X-Forwarded-For mode only while X-Forwarded-For is on")
	add(RuleListenerXFFTrustedFormat, spec, loc, lsn, xff+" (GUESS: comma-separated on the wire)", "trusted proxies are IP addresses or CIDR blocks")
	add(RuleListenerXFFTrustedNeedsSourceIPs, spec, loc, lsn, "albkit; "+xff, "trusted proxies only with ClientSourceIPs")
	add(RuleListenerXFFAliasFormat, spec, loc, lsn, xff+" XForwardedForClientCert*Alias", "a client certificate header name is 1–40 characters of lowercase letters, digits, '_' and '-'")
	add(RuleListenerXFFAliasNeedsEnabled, spec, loc, lsn, "albkit; "+xff+" (\"takes effect only when\")", "a client certificate header name only with that header enabled")
	add(RuleListenerRuleMembershipEnum, spec, loc, lsn, "albkit", "rule membership is Owned or Shared (default)")
	add(RuleListenerTracingType, spec, loc, lsn, "SDK UpdateListenerLogConfig AccessLogTracingConfig.TracingType", "the tracing type is Zipkin")
	add(RuleListenerTracingSample, spec, loc, lsn, "SDK UpdateListenerLogConfig AccessLogTracingConfig.TracingSample", "the tracing sampling rate is 1–10000 (ten-thousandths of the requests)")
	add(RuleListenerTracingEdition, LevelAttach, CheckedAgainstEdition, lsn, "seed (Standard adds Tracing Analysis); package edition", "Tracing Analysis needs a Standard or WAF-enabled instance")
	add(RuleListenerLogNeedsAccessLog, LevelFacts, CheckedAgainstFacts, lsn, "SDK UpdateListenerLogConfig (\"only after the access log of the instance is enabled\"); OperationDenied.AccessLogDisabled",
		"a listener's log config (custom headers, Tracing Analysis) needs the instance's access log")
	add(RuleListenerRuleNameUnique, spec, loc, lsn, "albkit (rules are identified by name)", "each rule name once in a listener")
	add(RuleListenerAbsentRuleConflict, spec, loc, lsn, "albkit", "a rule is not both listed and absent, and named once in AbsentRules")
	add(RuleListenerSecurityPolicyEdition, LevelAttach, CheckedAgainstEdition, lsn, "seed (Standard adds custom TLS security policies); ref 2.5", "a custom TLS security policy needs a Standard or WAF-enabled instance")
	add(RuleListenerServerGroupExists, LevelFacts, CheckedAgainstFacts, lsn, cl+" DefaultActions; SDK CreateRule ForwardGroupConfig", "every server group the listener forwards or mirrors to exists")
	add(RuleListenerServerGroupVPC, LevelFacts, CheckedAgainstFacts, lsn, "ref 1.1 (server groups are scoped by VPC)", "every server group is in the instance's VPC (Fc groups have none)")
	add(RuleListenerServerGroupProtocol, LevelFacts, CheckedAgainstFacts, lsn, "SDK CreateServerGroup Protocol; ref 2.1",
		"the listener can use the server group's backend protocol: HTTP for every listener, HTTPS for HTTPS listeners, gRPC for HTTPS and QUIC listeners")
	add(RuleListenerQUICListenerUsable, LevelFacts, CheckedAgainstFacts, lsn, cl+" QuicConfig.QuicListenerId; ref 1.3, 2.2",
		"the QUIC listener an HTTPS listener advertises is a QUIC listener of the same instance that no other listener advertises")
	add(RuleListenerPortUnique, LevelFacts, CheckedAgainstFacts, lsn, "ref 1.3, 2.2 (ResourceAlreadyExist.Listener)", "one listener per port and instance; an HTTP or HTTPS listener and a QUIC one may share a port number (GUESS: QUIC is UDP)")
	add(RuleListenerQuota, LevelFacts, CheckedAgainstFacts, lsn, "DOC-quota (ref 2.6); package edition", "the instance's listeners stay within the edition's listener quota (a warning above the default, blocking above the raisable maximum)")
	add(RuleListenerWAFForwardedProto, LevelFacts, ReportedAsWarning, lsn, "seed (Create, WAF Enabled edition details)",
		"a WAF-enabled instance's HTTP or HTTPS listener enables X-Forwarded-Proto \"to prevent issues such as infinite redirection\" (a warning)")
	add(RuleListenerRulePriorityTaken, LevelFacts, CheckedWhenPlanned, ScopeRule, "ref 2.4 (priorities unique per listener and direction)", "a rule's priority is not held by a rule the spec does not manage (Shared membership)")
	add(RuleListenerRuleOrderNoFreePriority, LevelFacts, CheckedWhenPlanned, ScopeRule, "albkit (safe rule order)", "a reorder that needs temporary priorities finds free ones (1–10000)")
	add(RuleListenerRuleInsertHeaderCover, spec, loc, ScopeRule, "SDK UpdateRuleAttribute InsertHeaderConfig.CoverEnabled; SDK CreateRule, ListRules (no such field)",
		"InsertHeader's CoverEnabled is refused: CreateRule cannot set it and ListRules does not report it, so it could be neither created nor converged")

	for _, r := range routing.Rules() {
		if routingNotSurfaced[r.ID] {
			continue
		}
		level, check, scope := LevelSpec, CheckedLocally, ScopeRule
		switch {
		case r.ID == routing.RuleEditionRulesQuota:
			level, check = LevelAttach, CheckedAgainstEdition+" above the raisable maximum; "+ReportedAsWarning+" above the default"
		case r.Severity == routing.SeverityWarning:
			check = ReportedAsWarning
		case strings.HasPrefix(r.ID, "edition-"):
			level, check = LevelAttach, CheckedAgainstEdition
		}
		switch r.ID {
		case routing.RuleDefaultAction, routing.RulePriorityUnique, routing.RuleShadowed, routing.RuleEditionRulesQuota:
			scope = ScopeListener + ", " + ScopeRule
		}
		add(r.ID, level, check, scope, "package routing: "+r.Source, r.Text)
	}

	const csp = "SDK CreateSecurityPolicy"
	sp := ScopeSecurityPolicy
	add(RuleSecurityPolicyNameFormat, spec, loc, sp, csp+" SecurityPolicyName", "the name is 2–128 letters, digits, '.', '_' and '-', starting with a letter")
	add(RuleSecurityPolicyTLSVersionsEmpty, spec, loc, sp, csp+" TLSVersions (required)", "at least one TLS version")
	add(RuleSecurityPolicyTLSVersionEnum, spec, loc, sp, csp+" TLSVersions; Terraform docs", "TLS versions are TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3")
	add(RuleSecurityPolicyCiphersEmpty, spec, loc, sp, csp+" Ciphers (required)", "at least one cipher suite")
	add(RuleSecurityPolicyCiphersMax, spec, loc, sp, "ROS ALIYUN::ALB::SecurityPolicy Ciphers", "at most 20 cipher suites")
	add(RuleSecurityPolicyCipherEnum, spec, loc, sp, "ROS ALIYUN::ALB::SecurityPolicy Ciphers", "each cipher suite is one ALB offers")
	add(RuleSecurityPolicyCipherVersion, spec, loc, sp, csp+" Ciphers; ROS ALIYUN::ALB::SecurityPolicy", "each cipher suite is supported by at least one of the chosen TLS versions")
	add(RuleSecurityPolicyValueUnique, spec, loc, sp, "albkit", "each TLS version and cipher suite once")
	return out
}
