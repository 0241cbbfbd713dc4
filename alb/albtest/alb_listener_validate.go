package albtest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/albkit/albkit/edition"
)

// Checks of the listener operations (alb_listener*.go), of the forwarding
// rules (alb_rule*.go, their value formats in alb_rule_validate.go), of the
// security policies (alb_securitypolicy.go) and of certificates
// (alb_certificate.go). The emulator enforces the service's rules as the
// project's reference states them (alb-stack-api.md §1.3–1.5, §1.7,
// §2.2–2.6, §3, §4), with the edition table of package edition; it does not
// call the albkit client's validation, so that the two can be compared.
//
// Every code these operations answer, with its source ("SDK" the official
// Go SDK's request models, alb-20200616 v2.3.2; "TF" the Terraform
// provider's retry lists and docs; "CTRL" the ALB ingress controller;
// "reference" alb-stack-api.md; "convention" the emulator's rule for the
// instance: a missing parameter is MissingParameter, a value out of its
// documented form or range InvalidParameter). HTTP statuses follow the
// reference's rule (400, 404 for ResourceNotFound.*) unless said.
//
//	code                                     when                                                   source
//	MissingParameter (400)                   a required parameter is absent: LoadBalancerId,        SDK required fields; convention
//	                                         ListenerProtocol, ListenerPort, DefaultActions,
//	                                         ListenerId, RuleName, Priority, RuleConditions,
//	                                         RuleActions, a condition's values, an action's
//	                                         Order or config, TLSVersions, Ciphers, …;
//	                                         Certificates of a new HTTPS or QUIC listener           GUESS (reference §1.3: "HTTPS cannot
//	                                                                                                work without one")
//	                                         CaCertificates with CaEnabled; QuicListenerId with     SDK text
//	                                         QuicUpgradeEnabled; a ForwardGroup weight when it
//	                                         has several groups
//	InvalidParameter (400)                   a value out of its documented form or range: port      SDK ranges; code by convention
//	                                         1–65535, protocol, description, timeouts 1–600
//	                                         (reference §1.3: the SDK's 60/180, widened by the
//	                                         quota and TF PR 9689), priority 1–10000, names,
//	                                         enums, condition and action value formats, Order
//	                                         1–50000, counts per call (CreateRules and
//	                                         UpdateRulesAttribute 10: GUESS from CTRL's batches;
//	                                         DeleteRules 100: SDK), TLS versions and ciphers
//	InvalidParameter (400)                   combinations the sources document as unsupported:      SDK and reference text; code GUESS
//	                                         HTTP/2, a security policy, CA or QUIC upgrade on a
//	                                         listener other than HTTPS; certificates on an HTTP
//	                                         listener; client-certificate headers on a listener
//	                                         other than HTTPS; more than one default certificate
//	                                         or CA; an upgrade to a listener that is not QUIC or
//	                                         of another instance; a Response rule's request-only
//	                                         action or a Request rule's response condition;
//	                                         Rewrite without ForwardGroup; a Redirect leaving
//	                                         every field at its default; a cipher no chosen TLS
//	                                         version supports; a certificate of the wrong type
//	IllegalParam.Order (400)                 a Request rule without exactly one final action        TFD alb_rule; reference §2.4
//	                                         (ForwardGroup, Redirect, FixedResponse) with the
//	                                         largest Order
//	DuplicatedParam.Priority (400)           two rules of one CreateRules or UpdateRulesAttribute   GUESS
//	                                         call with one priority and direction
//	Conflict.Priority (400)                  a priority another rule of the listener has in the     GUESS (reference §3: code not known;
//	                                         same direction (Deleting rules excluded)               AWS answers PriorityInUse)
//	ResourceNotFound.LoadBalancer (404)      unknown or released instance                           reference §3
//	ResourceNotFound.Listener (404)          unknown or deleted listener                            TF
//	ResourceNotFound.Rule (404)              unknown or deleted rule                                TF
//	ResourceNotFound.ServerGroup (404)       a forward or mirror target that does not exist         reference §3
//	ResourceNotFound.Certificate (404)       a certificate the world's store does not have          GUESS (reference §3)
//	ResourceNotFound.SecurityPolicy (404)    unknown security policy                                TF
//	ResourceAlreadyExist.Listener (400)      a port the instance already listens on (HTTP and       CTRL; QUIC beside HTTP(S) on one
//	                                         HTTPS share the TCP ports, QUIC has its own)           port: GUESS (reference §2.2)
//	IncorrectStatus.LoadBalancer (400)       a listener write on an instance that is not Active     TF (retried on DeleteListener), CTRL
//	                                         or Inactive; a rule write on a Deleting instance       (retried on CreateListener)
//	IncorrectBusinessStatus.LoadBalancer     a listener write on a locked instance                  TF (retried on CreateListener)
//	(400)
//	IncorrectStatus.Listener (400)           UpdateListenerAttribute, UpdateListenerLogConfig,      TF (retried)
//	                                         StartListener or StopListener on a listener that is
//	                                         not Running or Stopped
//	ResourceInConfiguring.Listener (400)     DeleteListener, a certificate association or a rule    TF (retried; PR 9021)
//	                                         write on a listener that is not Running or Stopped
//	IncorrectStatus.Rule (400)               a write on a rule that is not Available                TF, CTRL (retried)
//	ResourceInUse.Listener (400)             deleting a QUIC listener an HTTPS listener's           GUESS (reference §4: "behaviour
//	                                         QuicConfig names, or naming one that another           GUESS (error)")
//	                                         listener's QuicConfig already names
//	ResourceInUse.ServerGroup (400)          DeleteServerGroup while a listener or a rule forwards  TF, CTRL
//	                                         or mirrors to it
//	ResourceInUse.SecurityPolicy (400)       DeleteSecurityPolicy while a listener uses it          GUESS (reference §3)
//	IncorrectStatus.SecurityPolicy (400)     a write on a policy that is Configuring                TF (retried)
//	IncorrectStatus.Certificate (400)        an expired certificate given to a listener             GUESS
//	Mismatch.VpcId (400)                     a forward or mirror target in another VPC than the     GUESS (NLB's code for a member in
//	                                         instance (Fc groups have no VPC)                       another VPC)
//	Mismatch.ServerGroupProtocol (400)       a target whose protocol the listener cannot use: an    reference §1.1, §2.1 (rule); code
//	                                         HTTPS group behind an HTTP or QUIC listener, a gRPC    GUESS
//	                                         group behind an HTTP listener
//	OperationDenied.LoadBalancerEdition      a feature the instance's edition lacks (package        reference §2.5, product documentation
//	(400)                                    edition): a condition or action type, Response rules,  (edition table); code GUESS
//	                                         a custom TLS policy, Tracing Analysis, a target group
//	                                         with slow start, draining or cross-zone off on a
//	                                         Basic instance (also when such a feature is turned on
//	                                         in a group a Basic instance uses)
//	OperationDenied.AccessLogDisabled (400)  UpdateListenerLogConfig turning custom headers or      SDK text ("only after the access log
//	                                         tracing on while the instance's access log is off      is enabled"); code as the instance's
//	QuotaExceeded.ListenersNum (400)         more listeners than the edition's quota                DOC-quota (numbers); names GUESS
//	QuotaExceeded.RulesNum (400)             more rules on an instance than the edition's quota     (reference §3: QuotaExceeded.*)
//	QuotaExceeded.CertificatesNum (400)      more additional certificates on an instance
//	QuotaExceeded.RuleConditionsNum,         more conditions, actions or wildcard values in one
//	.RuleActionsNum, .RuleWildcardsNum       rule than the edition allows
//	(400)
//	QuotaExceeded.SecurityPoliciesNum (400)  more than 50 custom security policies in the region,
//	QuotaExceeded.SecurityPolicyListenersNum more than 10 listeners on one custom policy
//	(400)
//	DryRunOperation (400)                    DryRun after every check                               SDK; status GUESS (handler)
//
// Behaviours with no source, chosen here (each a GUESS unless a source is
// named):
//
//   - Rule changes do not change the listener's status; a rule write is
//     refused only while the listener itself is not Running or Stopped. A
//     rule being deleted gives up its priority, its place in the quota and
//     its server groups at once (the Terraform provider does not wait for
//     DeleteRule before creating a rule with the same priority or deleting
//     the group).
//   - Deleting a listener deletes its rules; releasing an instance deletes
//     its listeners (see releaseListeners). A pending change of a listener
//     or rule removed that way ends its job Failed.
//   - A change shows when its transition completes; a pending change's
//     server groups, priorities and QUIC association are taken at once.
//   - Batches (CreateRules, UpdateRulesAttribute, DeleteRules) are one job
//     and one transition for all their rules; the job names the first rule.
//   - Starting a Running listener or stopping a Stopped one is a change like
//     any other.
//   - Values a client sends empty ("") are taken as absent (the Terraform
//     provider sends "" for the fields of a block it leaves unset).
//   - The answers' optional objects: see alb_listener_read.go and
//     alb_rule_read.go.

// maxListenerTimeout is the largest IdleTimeout and RequestTimeout taken
// (reference §1.3: the per-listener quota default).
const maxListenerTimeout = 600

// defaultSecurityPolicy is the policy of an HTTPS listener given none
// (SDK).
const defaultSecurityPolicy = "tls_cipher_policy_1_0"

// defaultListenerSettings are the attributes of a new listener of the
// protocol (SDK defaults): idle timeout 15 s, request timeout 60 s, gzip
// on, X-Forwarded-For on in append mode; HTTPS adds HTTP/2 and the default
// TLS policy.
func defaultListenerSettings(protocol string) lsnSettings {
	set := lsnSettings{idle: 15, request: 60, gzip: true, xff: xffConfig{enabled: true, mode: "append"}}
	if protocol == "HTTPS" {
		set.http2, set.policy = true, defaultSecurityPolicy
	}
	return set
}

func errUnknownEdition(name string) error {
	return fmt.Errorf("albtest: unknown edition %q (want one of %s)", name, strings.Join(edition.Names(), ", "))
}

// editionRefusal is the answer for a feature the instance's edition lacks.
func editionRefusal(f edition.Features, x edition.Feature) *apiError {
	msg := f.Refusal(x)
	if msg == "" {
		msg = x.String() + " is not available"
	}
	return errf(400, "OperationDenied.LoadBalancerEdition", "%s.", strings.ToUpper(msg[:1])+msg[1:])
}

// validListenerDescription: 2–256 characters of letters, digits,
// characters outside Latin-1 (Chinese, say) and _ . , ; / @ - (the SDK
// lists letters, digits, - / . _; the Terraform provider's pattern
// ^([^\x00-\xff]|[\w.,;/@-]){2,256}$ adds , ; @ and every character above
// U+00FF: the wider set is taken, but not Latin-1's letters such as é,
// which the pattern excludes).
func validListenerDescription(s string) bool {
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) || n < 2 || n > 256 {
		return false
	}
	for _, r := range s {
		if r > 0xff || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.,;/@-", r) {
			continue
		}
		return false
	}
	return true
}

// parseListenerSettings merges the attribute parameters of p
// (CreateListener, UpdateListenerAttribute) into cur for a listener of the
// protocol and checks their forms and per-protocol rules. create marks
// CreateListener (DefaultActions and an HTTPS or QUIC certificate are
// required).
func parseListenerSettings(p url.Values, cur lsnSettings, protocol string, create bool) (lsnSettings, *apiError) {
	set := cur
	https, tlsListener := protocol == "HTTPS", protocol == "HTTPS" || protocol == "QUIC"
	if v := p.Get("ListenerDescription"); v != "" {
		if !validListenerDescription(v) {
			return set, invalid("ListenerDescription", v)
		}
		set.description = v
	}
	if tree := paramTree(p, "DefaultActions"); !tree.empty() {
		groups, e := parseDefaultActions(tree)
		if e != nil {
			return set, e
		}
		set.groups = groups
	} else if create {
		return set, missing("DefaultActions")
	}
	for _, f := range []struct {
		name string
		to   *int32
	}{{"IdleTimeout", &set.idle}, {"RequestTimeout", &set.request}} {
		if p.Get(f.name) == "" {
			continue
		}
		n, e := optInt(p, f.name, 0, 1, maxListenerTimeout)
		if e != nil {
			return set, e
		}
		*f.to = int32(n)
	}
	if v, given, e := optBool(p, "GzipEnabled"); e != nil {
		return set, e
	} else if given {
		set.gzip = v
	}
	if v, given, e := optBool(p, "Http2Enabled"); e != nil {
		return set, e
	} else if given && https {
		set.http2 = v
	} else if given && v {
		return set, errf(400, "InvalidParameter", "Http2Enabled applies to HTTPS listeners only, not %s.", protocol)
	}
	if v := p.Get("SecurityPolicyId"); v != "" {
		if !https {
			return set, errf(400, "InvalidParameter", "SecurityPolicyId applies to HTTPS listeners only, not %s.", protocol)
		}
		set.policy = v
	}
	certs, e := certIDs(p, "Certificates")
	if e != nil {
		return set, e
	}
	switch {
	case len(certs) > 0 && !tlsListener:
		return set, errf(400, "InvalidParameter", "Certificates apply to HTTPS and QUIC listeners only, not %s.", protocol)
	case len(certs) > 1:
		return set, errf(400, "InvalidParameter", "Certificates sets the one default certificate; add others with AssociateAdditionalCertificatesWithListener.")
	case len(certs) == 1:
		set.cert = certs[0]
	}
	if create && tlsListener && set.cert == "" {
		return set, missing("Certificates")
	}
	if v, given, e := optBool(p, "CaEnabled"); e != nil {
		return set, e
	} else if given && v && !https {
		return set, errf(400, "InvalidParameter", "CaEnabled applies to HTTPS listeners only, not %s.", protocol)
	} else if given {
		set.caEnabled = v
	}
	cas, e := certIDs(p, "CaCertificates")
	if e != nil {
		return set, e
	}
	switch {
	case len(cas) > 0 && !https:
		return set, errf(400, "InvalidParameter", "CaCertificates apply to HTTPS listeners only, not %s.", protocol)
	case len(cas) > 1:
		return set, errf(400, "InvalidParameter", "CaCertificates takes one CA certificate.")
	case len(cas) == 1:
		set.caCert = cas[0]
	}
	if set.caEnabled && set.caCert == "" {
		return set, missing("CaCertificates")
	}
	if v, given, e := optBool(p, "QuicConfig.QuicUpgradeEnabled"); e != nil {
		return set, e
	} else if given && v && !https {
		return set, errf(400, "InvalidParameter", "QuicConfig applies to HTTPS listeners only, not %s.", protocol)
	} else if given {
		set.quicUpgrade = v
		if !v {
			set.quicID = ""
		}
	}
	if v := p.Get("QuicConfig.QuicListenerId"); v != "" && set.quicUpgrade {
		set.quicID = v
	}
	if set.quicUpgrade && set.quicID == "" {
		return set, missing("QuicConfig.QuicListenerId")
	}
	if e := parseXFF(p, &set.xff, protocol); e != nil {
		return set, e
	}
	return set, nil
}

// certIDs reads prefix.N.CertificateId.
func certIDs(p url.Values, prefix string) ([]string, *apiError) {
	ms, e := structs(p, prefix, "CertificateId")
	if e != nil {
		return nil, e
	}
	var out []string
	for _, m := range ms {
		if v := m["CertificateId"]; v != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

// parseDefaultActions reads DefaultActions: one action of type
// ForwardGroup with 1–5 server groups (GUESS: one action, as the
// SDK's ForwardGroup-only default action needs no more; at most five
// groups, as a rule's ForwardGroup).
func parseDefaultActions(tree *pnode) ([]string, *apiError) {
	items, e := tree.items()
	if e != nil {
		return nil, e
	}
	if len(items) != 1 {
		return nil, errf(400, "InvalidParameter", "DefaultActions takes exactly one action, not %d.", len(items))
	}
	a := items[0]
	if e := a.only("Type", "ForwardGroupConfig"); e != nil {
		return nil, e
	}
	switch t := a.str("Type"); t {
	case "":
		return nil, missing(a.name + ".Type")
	case "ForwardGroup":
	default:
		return nil, invalid(a.name+".Type", t)
	}
	fg := a.get("ForwardGroupConfig")
	if e := fg.only("ServerGroupTuples"); e != nil {
		return nil, e
	}
	tuples, e := fg.get("ServerGroupTuples").items()
	if e != nil {
		return nil, e
	}
	var groups []string
	for _, t := range tuples {
		if e := t.only("ServerGroupId"); e != nil {
			return nil, e
		}
		id := t.str("ServerGroupId")
		if id == "" {
			return nil, missing(t.name + ".ServerGroupId")
		}
		for _, g := range groups {
			if g == id {
				return nil, errf(400, "InvalidParameter", "The server group %s is given twice in DefaultActions.", truncate(id, 64))
			}
		}
		groups = append(groups, id)
	}
	switch {
	case len(groups) == 0:
		return nil, missing(a.name + ".ForwardGroupConfig.ServerGroupTuples")
	case len(groups) > 5:
		return nil, errf(400, "InvalidParameter", "The default action forwards to at most 5 server groups, not %d.", len(groups))
	}
	return groups, nil
}

// parseXFF merges XForwardedForConfig.* into x. Switches the listener's
// protocol does not have (reference §2.2) are refused when turned on:
// client-certificate headers need HTTPS; the client source port, the
// trusted-proxy source address and the remove mode are not on QUIC
// listeners.
func parseXFF(p url.Values, x *xffConfig, protocol string) *apiError {
	const pre = "XForwardedForConfig."
	for _, f := range []struct {
		name  string
		to    *bool
		https bool // HTTPS only
		noQ   bool // not on QUIC
	}{
		{"XForwardedForEnabled", &x.enabled, false, false}, {"XForwardedForProtoEnabled", &x.proto, false, false},
		{"XForwardedForSLBIdEnabled", &x.slbID, false, false}, {"XForwardedForSLBPortEnabled", &x.slbPort, false, false},
		{"XForwardedForHostEnabled", &x.host, false, false}, {"XForwardedForClientSrcPortEnabled", &x.srcPort, false, true},
		{"XForwardedForClientSourceIpsEnabled", &x.clientIPs, false, true},
		{"XForwardedForClientCertSubjectDNEnabled", &x.certSubject, true, false},
		{"XForwardedForClientCertIssuerDNEnabled", &x.certIssuer, true, false},
		{"XForwardedForClientCertFingerprintEnabled", &x.certFP, true, false},
		{"XForwardedForClientCertClientVerifyEnabled", &x.certV, true, false},
	} {
		v, given, e := optBool(p, pre+f.name)
		if e != nil {
			return e
		}
		if !given {
			continue
		}
		if v && (f.https && protocol != "HTTPS" || f.noQ && protocol == "QUIC") {
			return errf(400, "InvalidParameter", "%s does not apply to %s listeners.", pre+f.name, protocol)
		}
		*f.to = v
	}
	mode, e := enum(p, pre+"XForwardedForProcessingMode", false, "append", "remove")
	if e != nil {
		return e
	}
	if mode == "remove" && protocol == "QUIC" {
		// SDK: "only available for HTTP and HTTPS listeners"; append is
		// the default, remove a change a QUIC listener cannot take.
		return errf(400, "InvalidParameter", "%s does not apply to %s listeners.", pre+"XForwardedForProcessingMode", protocol)
	}
	x.mode = or(mode, x.mode)
	for _, f := range []struct {
		name string
		to   *string
	}{
		{"XForwardedForClientCertSubjectDNAlias", &x.aliasSubject}, {"XForwardedForClientCertIssuerDNAlias", &x.aliasIssuer},
		{"XForwardedForClientCertFingerprintAlias", &x.aliasFP}, {"XForwardedForClientCertClientVerifyAlias", &x.aliasV},
	} {
		v := p.Get(pre + f.name)
		if v == "" {
			continue
		}
		if protocol != "HTTPS" {
			return errf(400, "InvalidParameter", "%s does not apply to %s listeners.", pre+f.name, protocol)
		}
		if !validAlias(v) {
			return invalid(pre+f.name, v)
		}
		*f.to = v
	}
	if v := p.Get(pre + "XForwardedForClientSourceIpsTrusted"); v != "" {
		if !validTrustedSources(v) {
			return invalid(pre+"XForwardedForClientSourceIpsTrusted", v)
		}
		x.trusted = v
	}
	return nil
}

// validAlias: a header alias of 1–40 lowercase letters, digits, '_' and
// '-' (SDK).
func validAlias(s string) bool {
	if len(s) < 1 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validTrustedSources: IPv4 or IPv6 addresses or CIDR blocks (as SourceIp
// values: validSourceIP) separated by commas, semicolons or spaces (GUESS: the SDK shows one block; the
// separator is not documented).
func validTrustedSources(s string) bool {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		if !validSourceIP(f) {
			return false
		}
	}
	return true
}

// parseTracing reads AccessLogTracingConfig.* over cur; nil when the
// request gives none. Enabling needs TracingSample 1–10000; TracingType is
// Zipkin (the default). A sample of 0 or an empty type with tracing off
// is taken as absent (the Terraform provider sends its zero values).
func parseTracing(p url.Values, cur *tracingConfig) (*tracingConfig, *apiError) {
	const pre = "AccessLogTracingConfig."
	tree := paramTree(p, "AccessLogTracingConfig")
	if tree.empty() {
		return nil, nil
	}
	if e := tree.only("TracingEnabled", "TracingSample", "TracingType"); e != nil {
		return nil, e
	}
	next := tracingConfig{typ: "Zipkin"}
	if cur != nil {
		next = *cur
	}
	on, given, e := optBool(p, pre+"TracingEnabled")
	if e != nil {
		return nil, e
	}
	if given {
		next.enabled = on
	}
	if v := p.Get(pre + "TracingSample"); v != "" && (v != "0" || next.enabled) {
		n, e := optInt(p, pre+"TracingSample", 0, 1, 10000)
		if e != nil {
			return nil, e
		}
		next.sample = int32(n)
	}
	if v := p.Get(pre + "TracingType"); v != "" {
		if v != "Zipkin" {
			return nil, invalid(pre+"TracingType", v)
		}
		next.typ = v
	}
	if next.enabled && next.sample == 0 {
		return nil, missing(pre + "TracingSample")
	}
	return &next, nil
}

// checkListenerRefs checks what the attributes of listener selfID ("" for
// a new one) of protocol on instance lb name: the default action's server
// groups (see checkTarget), the certificates, the security policy and the
// QUIC listener of an upgrade.
func (s *Server) checkListenerRefs(lb *lbState, protocol, selfID string, set lsnSettings, now time.Time) *apiError {
	st := s.st
	for _, g := range set.groups {
		if e := s.checkTarget(lb, protocol, g, now); e != nil {
			return e
		}
	}
	if set.cert != "" {
		if e := st.usableCert(set.cert, CertificateTypeServer, "Certificates", now); e != nil {
			return e
		}
	}
	if set.caCert != "" {
		if e := st.usableCert(set.caCert, CertificateTypeCA, "CaCertificates", now); e != nil {
			return e
		}
	}
	if protocol == "HTTPS" {
		if e := s.checkPolicyUse(lb, selfID, set.policy, now); e != nil {
			return e
		}
	}
	if set.quicUpgrade {
		q, e := s.lsnByID(set.quicID, now, false)
		if e != nil {
			return e
		}
		if q.protocol != "QUIC" || q.lbID != lb.id {
			return errf(400, "InvalidParameter", "The QuicListenerId %s is not a QUIC listener of %s.", q.id, lb.id)
		}
		for _, o := range st.listenersOf(lb.id) {
			if o.id == selfID {
				continue
			}
			if o.quicUpgrade && o.quicID == q.id || o.next != nil && o.next.quicUpgrade && o.next.quicID == q.id {
				return errf(400, "ResourceInUse.Listener", "The specified resource of Listener %s is in use by the QuicConfig of %s.", q.id, o.id)
			}
		}
	}
	return nil
}

// checkTarget checks a server group a listener of protocol on instance lb
// forwards or mirrors to: it exists, is in the instance's VPC (Fc groups
// have none), has a protocol the listener can use (HTTP groups serve
// every listener, HTTPS groups HTTPS listeners, gRPC groups HTTPS and QUIC
// listeners), and uses no server-group feature the instance's edition
// lacks (slow start, connection draining, cross-zone off need Standard).
func (s *Server) checkTarget(lb *lbState, protocol, groupID string, now time.Time) *apiError {
	sg := s.st.sgs[groupID]
	if sg != nil {
		s.settle(&sg.resource, now, false)
	}
	if sg == nil || sg.deleted {
		return notFoundSG(groupID)
	}
	if sg.typ != "Fc" && sg.vpcID != lb.vpcID {
		return errf(400, "Mismatch.VpcId", "The VpcId is mismatched for %s (%s) and %s (%s).", sg.id, sg.vpcID, lb.id, lb.vpcID)
	}
	if !groupServes(sg.protocol, protocol) {
		return errf(400, "Mismatch.ServerGroupProtocol", "A %s server group (%s) cannot serve a %s listener.", sg.protocol, sg.id, protocol)
	}
	f, _ := edition.Of(lb.edition)
	for _, x := range sgEditionFeatures(&sg.sgSettings) {
		if !f.Has(x) {
			return editionRefusal(f, x)
		}
	}
	return nil
}

// groupServes reports whether a server group of groupProtocol can serve a
// listener of protocol (reference §1.1).
func groupServes(groupProtocol, protocol string) bool {
	switch {
	case strings.EqualFold(groupProtocol, "HTTPS"):
		return protocol == "HTTPS"
	case isGRPC(groupProtocol):
		return protocol == "HTTPS" || protocol == "QUIC"
	}
	return true
}

// sgEditionFeatures lists the features of a group's settings that need an
// edition above Basic.
func sgEditionFeatures(set *sgSettings) []edition.Feature {
	var out []edition.Feature
	if set.slow != nil && set.slow.enabled {
		out = append(out, edition.SlowStart)
	}
	if set.drain.enabled {
		out = append(out, edition.ConnectionDrain)
	}
	if !set.crossZone {
		out = append(out, edition.CrossZoneOff)
	}
	return out
}

// checkSGUsersEdition refuses new settings of a group that turn on a
// feature an instance using the group lacks (UpdateServerGroupAttribute;
// the other way round from checkTarget).
func (s *Server) checkSGUsersEdition(sgID string, next *sgSettings) *apiError {
	feats := sgEditionFeatures(next)
	if len(feats) == 0 {
		return nil
	}
	for _, lbID := range s.st.sgLoadBalancers()[sgID] {
		lb := s.st.lbs[lbID]
		if lb == nil {
			continue
		}
		f, _ := edition.Of(lb.edition)
		for _, x := range feats {
			if !f.Has(x) {
				e := editionRefusal(f, x)
				e.Message = strings.TrimSuffix(e.Message, ".") + ": " + lb.id + " uses " + sgID + "."
				return e
			}
		}
	}
	return nil
}

// itoa is strconv.Itoa, for messages.
func itoa(n int) string { return strconv.Itoa(n) }
