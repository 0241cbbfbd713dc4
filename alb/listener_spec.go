package alb

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/albkit/albkit/routing"
)

// ListenerSpec describes a listener, its certificates and its forwarding
// rules: every input of CreateListener, the additional certificates to
// associate and the rules to create. Build it with [NewListenerSpec] and
// the With methods (each returns a modified copy), or as a literal; check
// it with [ListenerSpec.Validate].
//
// The zero value of an optional field means the service's default: an
// idle timeout of 15 s, a request timeout of 60 s, gzip on, HTTP/2 on
// (HTTPS), the TLS security policy tls_cipher_policy_1_0 (HTTPS), no
// mutual TLS, no QUIC upgrade, X-Forwarded-For appended and no other
// X-Forwarded-* header. [DiffListener] treats them declaratively (a
// listener whose value differs is changed back to the default), except
// Description, which is left alone when empty.
//
// Certificates, the TLS policy, HTTP/2, mutual TLS and QUIC upgrade apply
// only where the protocol takes them: an HTTPS or QUIC listener needs a
// default certificate and takes additional ones; the TLS policy, HTTP/2,
// mutual TLS and QUIC upgrade are HTTPS's.
type ListenerSpec struct {
	// LoadBalancerID is the instance ("alb-…"). Fixed at creation.
	LoadBalancerID string `json:"loadBalancerId"`
	// Protocol is HTTP, HTTPS or QUIC. Fixed at creation.
	Protocol ListenerProtocol `json:"protocol"`
	// Port is 1–65535; one listener per port and instance (an HTTP or
	// HTTPS listener and a QUIC one may share a port number: GUESS, QUIC
	// is UDP). Fixed at creation.
	Port int `json:"port"`
	// Description is 2–256 characters: letters (Chinese too), digits and
	// . , ; / @ _ -. Empty leaves the service's value.
	Description string `json:"description,omitempty"`
	// DefaultServerGroupIDs are the server groups of the default action,
	// used when no rule matches (at least one, each once). A stack may
	// resolve server group names to IDs before validating.
	DefaultServerGroupIDs []string `json:"defaultServerGroupIds"`
	// IdleTimeoutSeconds closes an idle client connection, 1–600; 0 means
	// 15.
	IdleTimeoutSeconds int `json:"idleTimeoutSeconds,omitempty"`
	// RequestTimeoutSeconds answers 504 when the backend has not answered,
	// 1–600; 0 means 60.
	RequestTimeoutSeconds int `json:"requestTimeoutSeconds,omitempty"`
	// DisableGzip turns gzip compression off (on by default).
	DisableGzip bool `json:"disableGzip,omitempty"`
	// DisableHTTP2 turns HTTP/2 off (on by default; HTTPS only).
	DisableHTTP2 bool `json:"disableHttp2,omitempty"`
	// SecurityPolicyID is the TLS security policy of an HTTPS listener: a
	// system policy ("tls_cipher_policy_…") or a custom one ("scp-…",
	// Standard and WAF-enabled instances; see [SecurityPolicySpec]). Empty
	// means tls_cipher_policy_1_0.
	SecurityPolicyID string `json:"securityPolicyId,omitempty"`
	// DefaultCertificateID is the default server certificate of an HTTPS
	// or QUIC listener (required there), a Certificate Management Service
	// ID.
	DefaultCertificateID string `json:"defaultCertificateId,omitempty"`
	// AdditionalCertificateIDs are further server certificates (SNI),
	// associated after the create: the listener's complete set.
	AdditionalCertificateIDs []string `json:"additionalCertificateIds,omitempty"`
	// CACertificateIDs turns mutual TLS on with this CA certificate (one;
	// HTTPS only: GUESS).
	CACertificateIDs []string `json:"caCertificateIds,omitempty"`
	// QUICListenerID makes an HTTPS listener advertise the QUIC listener
	// of this ID ("lsn-…", on the same instance, associated with no other
	// listener): QUIC upgrade.
	QUICListenerID string `json:"quicListenerId,omitempty"`
	// XForwardedFor is the X-Forwarded-* configuration; the zero value is
	// the service's default.
	XForwardedFor XForwardedFor `json:"xForwardedFor"`
	// Tags are the listener's tags, with the instance's rules: at most 18
	// (albkit adds [TokenTagKey] and [SpecTagKey]). They are set at
	// creation only: TagResources takes no listener.
	Tags []Tag `json:"tags,omitempty"`
	// IdempotencyKey identifies this logical create across retries and
	// process restarts, with the rules of [InstanceSpec.IdempotencyKey].
	IdempotencyKey string `json:"idempotencyKey,omitempty"`

	// Rules are the forwarding rules, identified by name.
	Rules []RuleSpec `json:"rules,omitempty"`
	// RuleMembership is Shared (default) or Owned, as for server groups:
	// Shared manages only the rules named in Rules (and deletes those
	// named in AbsentRules), leaving the listener's other rules alone;
	// Owned deletes every rule not in Rules.
	RuleMembership Membership `json:"ruleMembership,omitempty"`
	// AbsentRules are names of rules that must not exist (Shared mode's
	// way to delete a rule).
	AbsentRules []string `json:"absentRules,omitempty"`

	// LogConfig is what the listener adds to the instance's access log
	// (custom headers, Tracing Analysis); nil leaves the listener's as it
	// is, a value is the complete config (off where it says nothing).
	LogConfig *ListenerLogConfig `json:"logConfig,omitempty"`
}

// NewListenerSpec returns a spec of a listener of lbID on protocol and
// port whose default action forwards to the server groups
// defaultServerGroupIDs, with the service's defaults.
func NewListenerSpec(lbID string, protocol ListenerProtocol, port int, defaultServerGroupIDs ...string) ListenerSpec {
	return ListenerSpec{LoadBalancerID: lbID, Protocol: protocol, Port: port, DefaultServerGroupIDs: slices.Clone(defaultServerGroupIDs)}
}

// WithDescription sets the description.
func (s ListenerSpec) WithDescription(d string) ListenerSpec { s.Description = d; return s }

// WithTimeouts sets the idle and request timeouts in seconds (0: the
// defaults, 15 and 60).
func (s ListenerSpec) WithTimeouts(idle, request int) ListenerSpec {
	s.IdleTimeoutSeconds, s.RequestTimeoutSeconds = idle, request
	return s
}

// WithoutGzip turns gzip compression off.
func (s ListenerSpec) WithoutGzip() ListenerSpec { s.DisableGzip = true; return s }

// WithoutHTTP2 turns HTTP/2 off (HTTPS).
func (s ListenerSpec) WithoutHTTP2() ListenerSpec { s.DisableHTTP2 = true; return s }

// WithSecurityPolicy sets the TLS security policy (HTTPS).
func (s ListenerSpec) WithSecurityPolicy(id string) ListenerSpec { s.SecurityPolicyID = id; return s }

// WithCertificate sets the default server certificate (HTTPS, QUIC).
func (s ListenerSpec) WithCertificate(id string) ListenerSpec { s.DefaultCertificateID = id; return s }

// WithAdditionalCertificates appends additional server certificates.
func (s ListenerSpec) WithAdditionalCertificates(ids ...string) ListenerSpec {
	s.AdditionalCertificateIDs = append(slices.Clone(s.AdditionalCertificateIDs), ids...)
	return s
}

// WithMutualTLS turns mutual TLS on with the CA certificate caID (HTTPS).
func (s ListenerSpec) WithMutualTLS(caID string) ListenerSpec {
	s.CACertificateIDs = []string{caID}
	return s
}

// WithQUICUpgrade makes an HTTPS listener advertise the QUIC listener
// quicListenerID.
func (s ListenerSpec) WithQUICUpgrade(quicListenerID string) ListenerSpec {
	s.QUICListenerID = quicListenerID
	return s
}

// WithXForwardedFor sets the X-Forwarded-* configuration.
func (s ListenerSpec) WithXForwardedFor(x XForwardedFor) ListenerSpec {
	s.XForwardedFor = x.clone()
	return s
}

// WithTag appends a tag.
func (s ListenerSpec) WithTag(key, value string) ListenerSpec {
	s.Tags = append(slices.Clone(s.Tags), Tag{Key: key, Value: value})
	return s
}

// WithIdempotencyKey sets the key that makes the create idempotent across
// retries and restarts.
func (s ListenerSpec) WithIdempotencyKey(key string) ListenerSpec {
	s.IdempotencyKey = key
	return s
}

// WithRules appends forwarding rules.
func (s ListenerSpec) WithRules(rules ...RuleSpec) ListenerSpec {
	s.Rules = append(slices.Clone(s.Rules), rules...)
	return s
}

// WithRuleMembership sets the rule membership mode.
func (s ListenerSpec) WithRuleMembership(m Membership) ListenerSpec { s.RuleMembership = m; return s }

// WithLogConfig sets what the listener adds to the instance's access log.
func (s ListenerSpec) WithLogConfig(c ListenerLogConfig) ListenerSpec { s.LogConfig = &c; return s }

// WithAbsentRules appends names of rules that must not exist.
func (s ListenerSpec) WithAbsentRules(names ...string) ListenerSpec {
	s.AbsentRules = append(slices.Clone(s.AbsentRules), names...)
	return s
}

// ruleMembership is the effective mode: Shared when empty.
func (s ListenerSpec) ruleMembership() Membership {
	if s.RuleMembership == "" {
		return MembershipShared
	}
	return s.RuleMembership
}

// idleTimeout, requestTimeout and securityPolicy are the effective values.
func (s ListenerSpec) idleTimeout() int {
	return cmp.Or(s.IdleTimeoutSeconds, DefaultIdleTimeoutSeconds)
}
func (s ListenerSpec) requestTimeout() int {
	return cmp.Or(s.RequestTimeoutSeconds, DefaultRequestTimeoutSeconds)
}
func (s ListenerSpec) securityPolicy() string {
	return cmp.Or(s.SecurityPolicyID, DefaultSecurityPolicyID)
}

// table is the listener's routing table for package routing: its rules
// (IDs are their names) and default action.
func (s ListenerSpec) table(edition Edition) routing.Table {
	t := routing.Table{Protocol: string(s.Protocol), Port: s.Port, LoadBalancerID: s.LoadBalancerID, Edition: string(edition),
		Default: slices.Clone(s.DefaultServerGroupIDs)}
	for _, r := range s.Rules {
		t.Rules = append(t.Rules, r.routing())
	}
	return t
}

// serverGroupRefs lists every server group the listener uses: its default
// action's and its rules' forwards and mirrors, with field paths.
func (s ListenerSpec) serverGroupRefs() []groupRef {
	var out []groupRef
	for i, id := range s.DefaultServerGroupIDs {
		out = append(out, groupRef{id: id, field: "DefaultServerGroupIDs[" + strconv.Itoa(i) + "]"})
	}
	for i, r := range s.Rules {
		for _, g := range r.serverGroupRefs() {
			g.field = "Rules[" + strconv.Itoa(i) + "]." + g.field
			out = append(out, g)
		}
	}
	return out
}
