package alb

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/albkit/albkit/edition"
	"github.com/albkit/albkit/routing"
)

// Rule identifiers of listeners, reported in [FieldError.Rule] by
// [ListenerSpec.Validate] and [CheckListenerEdition], and in
// [Finding.Rule] by [CheckListener]. A listener also follows the
// instance's rules on tags (RuleTag*), idempotency keys
// (RuleIdempotencyKey*) and RuleRequired, package routing's rules on its
// forwarding rules and default action (routing.Rule*, listed in [Rules]
// with the scope "rule"), and the server groups' edition rules
// (RuleServerGroup*Edition) for the groups it uses. [Rules] lists every
// one with its source.
const (
	RuleListenerProtocolEnum             = "listener-protocol-enum"
	RuleListenerPort                     = "listener-port-range"
	RuleListenerLoadBalancerIDFormat     = "listener-load-balancer-id-format"
	RuleListenerDescription              = "listener-description-format"
	RuleListenerIdleTimeout              = "listener-idle-timeout-range"
	RuleListenerRequestTimeout           = "listener-request-timeout-range"
	RuleListenerHTTP2HTTPSOnly           = "listener-http2-https-only"
	RuleListenerSecurityPolicyHTTPSOnly  = "listener-security-policy-https-only"
	RuleListenerSecurityPolicyFormat     = "listener-security-policy-format"
	RuleListenerCertificateRequired      = "listener-certificate-required"
	RuleListenerCertificateTLSOnly       = "listener-certificate-tls-only"
	RuleListenerCertificateUnique        = "listener-certificate-unique"
	RuleListenerCAHTTPSOnly              = "listener-ca-https-only"
	RuleListenerCACertificatesMax        = "listener-ca-certificates-max"
	RuleListenerQUICUpgradeHTTPSOnly     = "listener-quic-upgrade-https-only"
	RuleListenerQUICListenerIDFormat     = "listener-quic-listener-id-format"
	RuleListenerXFFProtocol              = "listener-xff-protocol"
	RuleListenerXFFModeEnum              = "listener-xff-mode-enum"
	RuleListenerXFFModeNeedsXFF          = "listener-xff-mode-needs-xff"
	RuleListenerXFFTrustedFormat         = "listener-xff-trusted-format"
	RuleListenerXFFTrustedNeedsSourceIPs = "listener-xff-trusted-needs-source-ips"
	RuleListenerXFFAliasFormat           = "listener-xff-alias-format"
	RuleListenerXFFAliasNeedsEnabled     = "listener-xff-alias-needs-enabled"
	RuleListenerRuleMembershipEnum       = "listener-rule-membership-enum"
	RuleListenerRuleNameUnique           = "listener-rule-name-unique"
	RuleListenerAbsentRuleConflict       = "listener-absent-rule-conflict"
	RuleListenerRuleInsertHeaderCover    = "rule-insert-header-cover"
	RuleListenerSecurityPolicyEdition    = "listener-security-policy-edition"
	RuleListenerServerGroupExists        = "listener-server-group-exists"
	RuleListenerServerGroupVPC           = "listener-server-group-vpc"
	RuleListenerServerGroupProtocol      = "listener-server-group-protocol"
	RuleListenerQUICListenerUsable       = "listener-quic-listener-usable"
	RuleListenerPortUnique               = "listener-port-unique"
	RuleListenerQuota                    = "listener-quota"
	RuleListenerWAFForwardedProto        = "listener-waf-x-forwarded-proto"
	RuleListenerRulePriorityTaken        = "rule-priority-taken"
	RuleListenerRuleOrderNoFreePriority  = "rule-order-no-free-priority"
)

// Kinds named in a *ValidationError's message.
const (
	listenerKind = "listener spec"
	ruleKind     = "rule spec"
)

// Validate checks every rule that needs only the spec and returns nil or a
// *ValidationError listing all violations, with field paths such as
// "Rules[2].Conditions[0].Values[1]" or "XForwardedFor.Mode". Each
// forwarding rule is checked by [routing.ValidateRule] for the listener's
// protocol, and the rules together by [routing.Check] (the default action,
// priorities unique per direction); routing's warnings (shadowed rules,
// forwards of weight 0) are [CheckListener]'s. No API call is made. The
// rules that depend on the instance's edition are checked by
// [CheckListenerEdition], those that need live facts by [CheckListener].
func (s ListenerSpec) Validate() error {
	v := &violations{}
	s.check(v)
	s.checkLogConfig(v)
	return v.errFor(reflect.TypeFor[ListenerSpec](), listenerKind)
}

// Validate checks the rule alone: [routing.ValidateRule]'s values and
// structure (every violation at once, field paths relative to the rule,
// routing's rule IDs), and albkit's own rules. The listener's protocol,
// the other rules and the edition are checked with the listener
// ([ListenerSpec.Validate], [CheckListenerEdition]).
func (r RuleSpec) Validate() error {
	v := &violations{}
	r.check(v, "", "")
	return v.errFor(reflect.TypeFor[RuleSpec](), ruleKind)
}

// check adds the rule's violations under prefix, for a listener of
// protocol ("" unknown).
func (r RuleSpec) check(v *violations, prefix string, protocol ListenerProtocol) {
	for _, f := range routing.ValidateRule(r.routing(), routing.Scope{Protocol: string(protocol)}) {
		if f.Severity == routing.SeverityError {
			v.add(joinField(prefix, f.Field), f.Rule, "%s", f.Message)
		}
	}
	for i, a := range r.Actions {
		if a.InsertHeader != nil && a.InsertHeader.CoverEnabled {
			v.add(joinField(prefix, fmt.Sprintf("Actions[%d].InsertHeader.CoverEnabled", i)), RuleListenerRuleInsertHeaderCover,
				"CoverEnabled cannot be set by CreateRule or CreateRules and ListRules does not report it, so albkit could neither create nor converge it: leave it off")
		}
	}
}

func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return strings.TrimSuffix(prefix, ".")
	}
	return prefix + field
}

func (s ListenerSpec) check(v *violations) {
	checkTagsAndKey(v, s.Tags, s.IdempotencyKey)
	switch {
	case s.LoadBalancerID == "":
		v.add("LoadBalancerID", RuleRequired, "LoadBalancerID is required: the instance the listener belongs to")
	case !strings.HasPrefix(s.LoadBalancerID, "alb-"):
		v.add("LoadBalancerID", RuleListenerLoadBalancerIDFormat, "instance ID %q must start with \"alb-\"", s.LoadBalancerID)
	}
	p := s.Protocol
	switch {
	case p == "":
		v.add("Protocol", RuleRequired, "Protocol is required: HTTP, HTTPS or QUIC")
	case !p.valid():
		v.add("Protocol", RuleListenerProtocolEnum, "listener protocol %q must be HTTP, HTTPS or QUIC", p)
	}
	switch {
	case s.Port == 0:
		v.add("Port", RuleRequired, "Port is required: 1-65535")
	case s.Port < 1 || s.Port > 65535:
		v.add("Port", RuleListenerPort, "port %d must be 1 to 65535", s.Port)
	}
	if s.Description != "" && !validListenerDescription(s.Description) {
		v.add("Description", RuleListenerDescription, "description %q must be 2 to 256 characters: letters (Chinese too), digits and . , ; / @ _ -", s.Description)
	}
	timeout := func(field, rule string, n, def int) {
		if n < 0 || n > MaxListenerTimeoutSeconds {
			v.add(field, rule, "%s %d s must be 1 to %d (0: the default, %d)", strings.TrimSuffix(field, "Seconds"), n, MaxListenerTimeoutSeconds, def)
		}
	}
	timeout("IdleTimeoutSeconds", RuleListenerIdleTimeout, s.IdleTimeoutSeconds, DefaultIdleTimeoutSeconds)
	timeout("RequestTimeoutSeconds", RuleListenerRequestTimeout, s.RequestTimeoutSeconds, DefaultRequestTimeoutSeconds)

	known := p.valid()
	https := p == ListenerHTTPS
	if known && !https {
		if s.DisableHTTP2 {
			v.add("DisableHTTP2", RuleListenerHTTP2HTTPSOnly, "HTTP/2 is an HTTPS listener's setting, not %s's: remove it", p)
		}
		if s.SecurityPolicyID != "" {
			v.add("SecurityPolicyID", RuleListenerSecurityPolicyHTTPSOnly, "a TLS security policy applies to HTTPS listeners only, not %s", p)
		}
		if len(s.CACertificateIDs) > 0 {
			v.add("CACertificateIDs", RuleListenerCAHTTPSOnly, "mutual TLS applies to HTTPS listeners only, not %s", p)
		}
		if s.QUICListenerID != "" {
			v.add("QUICListenerID", RuleListenerQUICUpgradeHTTPSOnly, "QUIC upgrade applies to HTTPS listeners only, not %s", p)
		}
	}
	if s.SecurityPolicyID != "" && !validSecurityPolicyRef(s.SecurityPolicyID) {
		v.add("SecurityPolicyID", RuleListenerSecurityPolicyFormat, "security policy %q must be a system policy (tls_cipher_policy_…) or a custom one (scp-…)", s.SecurityPolicyID)
	}
	if s.QUICListenerID != "" && !strings.HasPrefix(s.QUICListenerID, "lsn-") {
		v.add("QUICListenerID", RuleListenerQUICListenerIDFormat, "QUIC listener ID %q must start with \"lsn-\"", s.QUICListenerID)
	}
	if len(s.CACertificateIDs) > 1 {
		v.add("CACertificateIDs", RuleListenerCACertificatesMax, "%d CA certificates given; mutual TLS takes exactly one", len(s.CACertificateIDs))
	}
	for i, id := range s.CACertificateIDs {
		if id == "" {
			v.add(fmt.Sprintf("CACertificateIDs[%d]", i), RuleRequired, "a CA certificate ID is required")
		}
	}
	if known && p.tls() {
		if s.DefaultCertificateID == "" {
			v.add("DefaultCertificateID", RuleListenerCertificateRequired, "an %s listener needs a default server certificate (GUESS: the service refuses one without)", p)
		}
	} else if known {
		if s.DefaultCertificateID != "" {
			v.add("DefaultCertificateID", RuleListenerCertificateTLSOnly, "certificates apply to HTTPS and QUIC listeners only, not %s", p)
		}
		if len(s.AdditionalCertificateIDs) > 0 {
			v.add("AdditionalCertificateIDs", RuleListenerCertificateTLSOnly, "certificates apply to HTTPS and QUIC listeners only, not %s", p)
		}
	}
	seen := map[string]int{}
	for i, id := range s.AdditionalCertificateIDs {
		f := fmt.Sprintf("AdditionalCertificateIDs[%d]", i)
		switch j, dup := seen[id]; {
		case id == "":
			v.add(f, RuleRequired, "a certificate ID is required")
		case id == s.DefaultCertificateID:
			v.add(f, RuleListenerCertificateUnique, "certificate %q is the default certificate: an additional certificate is another one", id)
		case dup:
			v.add(f, RuleListenerCertificateUnique, "certificate %q is already listed at AdditionalCertificateIDs[%d]", id, j)
		default:
			seen[id] = i
		}
	}
	s.XForwardedFor.check(v, p)
	checkTags(v, s.Tags, "a listener")

	// Forwarding rules: each by routing.ValidateRule, together by
	// routing.Check (default action, priorities), names unique.
	switch s.RuleMembership {
	case "", MembershipOwned, MembershipShared:
	default:
		v.add("RuleMembership", RuleListenerRuleMembershipEnum, "rule membership %q must be Owned or Shared", s.RuleMembership)
	}
	proto := ListenerProtocol("")
	if known {
		proto = p
	}
	names := map[string]int{}
	for i, r := range s.Rules {
		r.check(v, fmt.Sprintf("Rules[%d].", i), proto)
		if r.Name == "" {
			continue
		}
		if j, dup := names[r.Name]; dup {
			v.add(fmt.Sprintf("Rules[%d].Name", i), RuleListenerRuleNameUnique, "rule name %q is already used by Rules[%d]: albkit identifies a listener's rules by name", r.Name, j)
		} else {
			names[r.Name] = i
		}
	}
	absent := map[string]int{}
	for i, n := range s.AbsentRules {
		f := fmt.Sprintf("AbsentRules[%d]", i)
		if j, ok := names[n]; ok {
			v.add(f, RuleListenerAbsentRuleConflict, "rule %q must be absent but is listed at Rules[%d]", n, j)
		} else if j, dup := absent[n]; dup {
			v.add(f, RuleListenerAbsentRuleConflict, "rule %q is already listed at AbsentRules[%d]", n, j)
		} else if n == "" {
			v.add(f, RuleRequired, "a rule name is required")
		} else {
			absent[n] = i
		}
	}
	t := s.table("")
	t.Protocol = string(proto)
	t.Rules = nil // each rule was validated above; only the listener-wide checks remain
	for _, r := range s.Rules {
		rr := r.routing()
		rr.Conditions, rr.Actions = nil, nil
		t.Rules = append(t.Rules, rr)
	}
	for _, f := range routing.Check(t) {
		if f.Severity != routing.SeverityError {
			continue
		}
		switch f.Rule {
		case routing.RulePriorityUnique, routing.RuleDefaultAction:
			v.add(defaultField(f.Field), f.Rule, "%s", f.Message)
		}
	}
}

// defaultField maps routing's "Default" paths onto DefaultServerGroupIDs.
func defaultField(f string) string {
	if rest, ok := strings.CutPrefix(f, "Default"); ok {
		return "DefaultServerGroupIDs" + rest
	}
	return f
}

// tagsAndKey holds the fields every resource shares with the instance,
// with the instance's validator tags.
type tagsAndKey struct {
	Tags           []Tag  `validate:"dive"`
	IdempotencyKey string `validate:"omitempty,max=64,printascii,alb_tagprefix,alb_nourl"`
}

// checkTagsAndKey applies the instance's rules on each tag and on the
// idempotency key.
func checkTagsAndKey(v *violations, tags []Tag, key string) {
	if err := specValidator().Struct(tagsAndKey{tags, key}); err != nil {
		describeAll(v, err, "")
	}
}

// describeAll adds the go-playground errors of err (from a struct whose
// field names are the spec's) under prefix.
func describeAll(v *violations, err error, prefix string) {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		v.add(prefix, RuleRequired, "spec could not be validated: %v", err)
		return
	}
	for _, fe := range ves {
		field := fe.Namespace()
		if i := strings.IndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		rule, msg := describe(field, fe)
		v.add(prefix+field, rule, "%s", msg)
	}
}

// validListenerDescription: 2–256 characters, each a character outside
// Latin-1 (Chinese, say) or one of letters, digits and _ . , ; / @ -
// (SDK UpdateListenerAttribute ListenerDescription; the Terraform
// provider's pattern ^([^\x00-\xff]|[\w.,;/@-]){2,256}$).
func validListenerDescription(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 256 {
		return false
	}
	for _, r := range s {
		if r > 0xff {
			continue
		}
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("_.,;/@-", r)) {
			return false
		}
	}
	return true
}

// systemPolicyPattern and customPolicyPattern recognise TLS security
// policy IDs: system ones are tls_cipher_policy_… (reference 2.3),
// custom ones scp-… (reference 1.7).
var (
	systemPolicyPattern = regexp.MustCompile(`^tls_cipher_policy_[0-9a-z_]+$`)
	customPolicyPattern = regexp.MustCompile(`^scp-[0-9A-Za-z*]+$`)
	xffAliasPattern     = regexp.MustCompile(`^[0-9a-z_-]{1,40}$`)
)

func validSecurityPolicyRef(id string) bool {
	return systemPolicyPattern.MatchString(id) || customPolicyPattern.MatchString(id)
}

// customSecurityPolicy reports whether id names a custom (not a system)
// TLS security policy.
func customSecurityPolicy(id string) bool { return customPolicyPattern.MatchString(id) }

// check applies the X-Forwarded-* rules for a listener of protocol p.
func (x XForwardedFor) check(v *violations, p ListenerProtocol) {
	const pre = "XForwardedFor."
	notFor := func(field, header string, set bool, protocols string) {
		if set {
			v.add(pre+field, RuleListenerXFFProtocol, "%s applies to %s listeners, not %s: remove it", header, protocols, p)
		}
	}
	if p == ListenerQUIC {
		notFor("Disabled", "the X-Forwarded-For setting", x.Disabled, "HTTP and HTTPS")
		notFor("Mode", "the X-Forwarded-For mode", x.Mode != "", "HTTP and HTTPS")
		notFor("ClientSrcPort", "X-Forwarded-Client-srcport", x.ClientSrcPort, "HTTP and HTTPS")
		notFor("ClientSourceIPs", "taking the client address from X-Forwarded-For", x.ClientSourceIPs, "HTTP and HTTPS")
	}
	certs := []struct {
		field string
		h     ClientCertHeader
	}{
		{"ClientCertSubjectDN", x.ClientCertSubjectDN}, {"ClientCertIssuerDN", x.ClientCertIssuerDN},
		{"ClientCertFingerprint", x.ClientCertFingerprint}, {"ClientCertClientVerify", x.ClientCertClientVerify},
	}
	for _, c := range certs {
		if p.valid() && p != ListenerHTTPS {
			notFor(c.field+".Enabled", "the client certificate headers", c.h.Enabled, "HTTPS")
		}
		if c.h.Alias != "" {
			if !xffAliasPattern.MatchString(c.h.Alias) {
				v.add(pre+c.field+".Alias", RuleListenerXFFAliasFormat, "header name %q must be 1 to 40 lowercase letters, digits, '_' and '-'", c.h.Alias)
			}
			if !c.h.Enabled {
				v.add(pre+c.field+".Alias", RuleListenerXFFAliasNeedsEnabled, "a header name applies only with the header enabled")
			}
		}
	}
	switch x.Mode {
	case "", XForwardedForAppend, XForwardedForRemove:
		if x.Mode != "" && x.Disabled {
			v.add(pre+"Mode", RuleListenerXFFModeNeedsXFF, "the X-Forwarded-For mode applies only while X-Forwarded-For is on")
		}
	default:
		v.add(pre+"Mode", RuleListenerXFFModeEnum, "X-Forwarded-For mode %q must be append or remove", x.Mode)
	}
	if len(x.TrustedProxies) > 0 && !x.ClientSourceIPs {
		v.add(pre+"TrustedProxies", RuleListenerXFFTrustedNeedsSourceIPs, "trusted proxies apply only with ClientSourceIPs")
	}
	for i, t := range x.TrustedProxies {
		if !validIPOrPrefix(t) {
			v.add(fmt.Sprintf("%sTrustedProxies[%d]", pre, i), RuleListenerXFFTrustedFormat, "trusted proxy %q must be an IP address or a CIDR block", t)
		}
	}
}

func validIPOrPrefix(s string) bool {
	if strings.Contains(s, ",") {
		return false
	}
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// CheckListenerEdition checks the rules that depend on the edition of the
// instance the listener belongs to: every forwarding rule against the
// edition (routing's edition-* rules: condition and action types,
// Response rules, conditions, actions and wildcards per rule; the rule
// quota above its raisable maximum), and a custom TLS security policy,
// which needs a Standard or WAF-enabled instance. A Basic instance's
// listener is refused what Basic lacks, naming the rule and the edition
// that has it. It returns nil or a *ValidationError (rules at
// [LevelAttach]); it does not repeat [ListenerSpec.Validate]. The server
// groups the listener uses are checked by [CheckListenerServerGroups].
func CheckListenerEdition(spec ListenerSpec, ed Edition) error {
	v := &violations{}
	if !ed.Valid() {
		v.add("Edition", RuleEditionEnum, "edition %q must be Basic, Standard or StandardWithWaf", ed)
		return v.errFor(reflect.TypeFor[ListenerSpec](), listenerKind)
	}
	for i, r := range spec.Rules {
		for _, f := range routing.ValidateRule(r.routing(), routing.Scope{Edition: string(ed)}) {
			if strings.HasPrefix(f.Rule, "edition-") && f.Severity == routing.SeverityError {
				v.add(joinField(fmt.Sprintf("Rules[%d].", i), f.Field), f.Rule, "rule %q: %s", r.Name, f.Message)
			}
		}
	}
	if n, f := len(spec.Rules), editionFeatures(ed); n > f.RulesPerInstance.Max {
		v.add("Rules", routing.RuleEditionRulesQuota, "%d rules exceed the %s edition's rule quota even raised to its maximum, %d per instance", n, ed, f.RulesPerInstance.Max)
	}
	spec.checkLogEdition(v, ed)
	if spec.Protocol == ListenerHTTPS && customSecurityPolicy(spec.SecurityPolicyID) {
		if msg := editionFeatures(ed).Refusal(edition.CustomTLSPolicy); msg != "" {
			v.add("SecurityPolicyID", RuleListenerSecurityPolicyEdition, "custom TLS security policy %s: %s: use a system policy (tls_cipher_policy_…) or upgrade the instance (UpgradeEdition)", spec.SecurityPolicyID, msg)
		}
	}
	return v.errFor(reflect.TypeFor[ListenerSpec](), listenerKind)
}

// editionFeatures is package edition's row of a valid edition.
func editionFeatures(ed Edition) edition.Features {
	f, _ := edition.Of(string(ed))
	return f
}

// CheckListenerServerGroups checks the server groups the listener uses
// (its default action, and its rules' forwards and mirrors) against the
// instance's edition: slow start, connection draining and cross-zone load
// balancing off need a Standard or WAF-enabled instance
// ([CheckServerGroupEdition]'s rules). groups are the groups' specs by the
// ID the listener uses (a stack may key them by name); for groups read
// from the service, pass SpecFromServerGroup(g, nil) by g.ID. A group the
// listener uses but groups lacks is not checked here ([CheckListener]
// reports it). It returns nil or a *ValidationError whose fields read
// "ServerGroups[sgp-1].SlowStartSeconds".
func CheckListenerServerGroups(spec ListenerSpec, ed Edition, groups map[string]ServerGroupSpec) error {
	v := &violations{}
	if !ed.Valid() {
		v.add("Edition", RuleEditionEnum, "edition %q must be Basic, Standard or StandardWithWaf", ed)
		return v.errFor(reflect.TypeFor[ListenerSpec](), listenerKind)
	}
	seen := map[string]bool{}
	for _, ref := range spec.serverGroupRefs() {
		g, ok := groups[ref.id]
		if !ok || seen[ref.id] {
			continue
		}
		seen[ref.id] = true
		if err := CheckServerGroupEdition(g, ed); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Errors {
					v.add("ServerGroups["+ref.id+"]."+fe.Field, fe.Rule, "server group %s (used by %s): %s", ref.id, ref.field, fe.Message)
				}
			}
		}
	}
	return v.errFor(reflect.TypeFor[ListenerSpec](), listenerKind)
}

// sortedCopy returns a sorted copy of ids.
func sortedCopy(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
