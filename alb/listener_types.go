package alb

import "slices"

// ListenerProtocol is the protocol a listener accepts from clients
// (ListenerProtocol on the wire). It is fixed at creation.
type ListenerProtocol string

// The listener protocols.
const (
	// ListenerHTTP accepts HTTP. No certificate, TLS policy or HTTP/2
	// setting applies.
	ListenerHTTP ListenerProtocol = "HTTP"
	// ListenerHTTPS terminates TLS: it needs a server certificate and
	// takes a TLS security policy, HTTP/2, mutual TLS and QUIC upgrade.
	ListenerHTTPS ListenerProtocol = "HTTPS"
	// ListenerQUIC accepts HTTP/3 over QUIC (UDP): it needs a server
	// certificate; an HTTPS listener may advertise it (QUIC upgrade).
	ListenerQUIC ListenerProtocol = "QUIC"
)

// tls reports whether the protocol terminates TLS (HTTPS and QUIC): it
// takes certificates.
func (p ListenerProtocol) tls() bool { return p == ListenerHTTPS || p == ListenerQUIC }

// valid reports whether p is HTTP, HTTPS or QUIC.
func (p ListenerProtocol) valid() bool {
	return p == ListenerHTTP || p == ListenerHTTPS || p == ListenerQUIC
}

// ListenerStatus is a listener's ListenerStatus.
type ListenerStatus string

// The statuses a listener goes through (SDK GetListenerAttribute).
const (
	ListenerProvisioning ListenerStatus = "Provisioning" // being created
	ListenerRunning      ListenerStatus = "Running"      // serving; the status that takes a change
	ListenerConfiguring  ListenerStatus = "Configuring"  // a change is being applied
	ListenerStopped      ListenerStatus = "Stopped"      // stopped (StopListener); takes changes too
)

// Listener defaults: what the service uses when a [ListenerSpec] leaves the
// field zero (SDK CreateListener).
const (
	DefaultIdleTimeoutSeconds    = 15                      // IdleTimeout
	DefaultRequestTimeoutSeconds = 60                      // RequestTimeout
	DefaultSecurityPolicyID      = "tls_cipher_policy_1_0" // SecurityPolicyId of an HTTPS listener
)

// Listener limits (reference 1.3, 1.4, 2.2).
const (
	// MaxListenerTimeoutSeconds bounds IdleTimeout and RequestTimeout. The
	// SDK documents 1–60 and 1–180; the quota table gives a per-listener
	// request timeout of 600 s by default (raisable to 900) and the
	// Terraform provider accepts 0–600 for both since its PR 9689: albkit
	// follows the reference and takes 1–600 for both (GUESS for the idle
	// timeout).
	MaxListenerTimeoutSeconds = 600
	// MaxCertificatesPerCall is how many certificates one
	// AssociateAdditionalCertificatesWithListener or
	// DissociateAdditionalCertificatesFromListener call takes.
	MaxCertificatesPerCall = 20
)

// XForwardedForMode is how a listener treats an X-Forwarded-For header the
// client sent (XForwardedForProcessingMode).
type XForwardedForMode string

// The X-Forwarded-For processing modes.
const (
	// XForwardedForAppend appends the last hop's address (creating the
	// header if absent). It is the default when the mode is empty.
	XForwardedForAppend XForwardedForMode = "append"
	// XForwardedForRemove removes the header before the request reaches
	// the backend.
	XForwardedForRemove XForwardedForMode = "remove"
)

// ClientCertHeader passes one attribute of the client certificate of a
// mutual-TLS HTTPS listener to the backend, in a header named Alias (the
// service's X-Forwarded-Clientcert-* name when Alias is empty).
type ClientCertHeader struct {
	// Enabled adds the header.
	Enabled bool `json:"enabled,omitempty"`
	// Alias is the header's name: 1–40 characters of lowercase letters,
	// digits, '_' and '-'. Only with Enabled; empty leaves the service's
	// value.
	Alias string `json:"alias,omitempty"`
}

// XForwardedFor is a listener's X-Forwarded-* configuration
// (XForwardedForConfig): which headers ALB adds to requests before they
// reach the backend. The zero value is the service's default:
// X-Forwarded-For appended (HTTP and HTTPS listeners), nothing else.
//
// Which header applies to which listener (SDK CreateListener, reference
// 2.2): X-Forwarded-For, its mode, the client source port and the client
// source IPs apply to HTTP and HTTPS listeners; Proto, SLBID, SLBPort and
// Host to HTTP, HTTPS and QUIC; the client certificate headers to HTTPS.
// A setting the protocol does not take is refused.
type XForwardedFor struct {
	// Disabled stops ALB from adding X-Forwarded-For (it is on by default).
	Disabled bool `json:"disabled,omitempty"`
	// Mode is append (default) or remove; only while X-Forwarded-For is on.
	Mode XForwardedForMode `json:"mode,omitempty"`
	// Proto adds X-Forwarded-Proto, the listener's protocol.
	Proto bool `json:"proto,omitempty"`
	// SLBID adds SLB-ID, the instance's ID.
	SLBID bool `json:"slbId,omitempty"`
	// SLBPort adds X-Forwarded-Port, the listener's port.
	SLBPort bool `json:"slbPort,omitempty"`
	// Host adds X-Forwarded-Host, the host the client asked for.
	Host bool `json:"host,omitempty"`
	// ClientSrcPort adds X-Forwarded-Client-srcport, the client's port.
	ClientSrcPort bool `json:"clientSrcPort,omitempty"`
	// ClientSourceIPs takes the client's address from X-Forwarded-For
	// (walking it backwards to the first address not in TrustedProxies),
	// for source-IP throttling.
	ClientSourceIPs bool `json:"clientSourceIps,omitempty"`
	// TrustedProxies are the proxies' addresses or CIDR blocks
	// (XForwardedForClientSourceIpsTrusted, sent comma-separated: GUESS);
	// only with ClientSourceIPs.
	TrustedProxies []string `json:"trustedProxies,omitempty"`
	// ClientCertSubjectDN passes the client certificate's owner
	// (X-Forwarded-Clientcert-subjectdn).
	ClientCertSubjectDN ClientCertHeader `json:"clientCertSubjectDn"`
	// ClientCertIssuerDN passes the client certificate's issuer
	// (X-Forwarded-Clientcert-issuerdn).
	ClientCertIssuerDN ClientCertHeader `json:"clientCertIssuerDn"`
	// ClientCertFingerprint passes the client certificate's fingerprint
	// (X-Forwarded-Clientcert-fingerprint).
	ClientCertFingerprint ClientCertHeader `json:"clientCertFingerprint"`
	// ClientCertClientVerify passes the client certificate's verification
	// result (X-Forwarded-Clientcert-clientverify).
	ClientCertClientVerify ClientCertHeader `json:"clientCertClientVerify"`
}

// clone copies the slices.
func (x XForwardedFor) clone() XForwardedFor {
	x.TrustedProxies = slices.Clone(x.TrustedProxies)
	return x
}

// ACLType is the kind of the access control lists of a listener (AclType).
type ACLType string

// The ACL types.
const (
	ACLWhite ACLType = "White" // only the listed sources are forwarded
	ACLBlack ACLType = "Black" // the listed sources are dropped
)

// ListenerACL is an access control list associated with a listener, as
// GetListenerAttribute reports it. albkit reports ACLs; it does not manage
// them.
type ListenerACL struct {
	ID     string // the ACL, "acl-…"
	Status string // Associating, Associated or Dissociating
}

// Listener is a listener as GetListenerAttribute reports it (ListListeners
// reports the same fields except the default certificate, mutual TLS and
// ACLs: diff a listener read with GetListenerAttribute).
//
// Features the service reports as off read as their zero value, as in
// [ListenerSpec]: mutual TLS off is no CACertificateIDs, QUIC upgrade off
// is an empty QUICListenerID.
type Listener struct {
	ID             string           // listener ID, "lsn-…"
	LoadBalancerID string           // the instance, "alb-…"
	Protocol       ListenerProtocol // HTTP, HTTPS or QUIC
	Port           int              // 1–65535
	Status         ListenerStatus   // Provisioning, Running, Configuring or Stopped
	Description    string           // ListenerDescription
	// DefaultServerGroupIDs are the server groups of the default action
	// (DefaultActions.N.ForwardGroupConfig.ServerGroupTuples).
	DefaultServerGroupIDs []string
	IdleTimeoutSeconds    int    // IdleTimeout
	RequestTimeoutSeconds int    // RequestTimeout
	Gzip                  bool   // GzipEnabled
	HTTP2                 bool   // Http2Enabled (HTTPS)
	SecurityPolicyID      string // SecurityPolicyId (HTTPS)
	// DefaultCertificateID is the default server certificate
	// (Certificates, HTTPS and QUIC); additional certificates are listed by
	// ListListenerCertificates ([ListenerCertificate]).
	DefaultCertificateID string
	// CACertificateIDs are the CA certificates of mutual TLS
	// (CaCertificates), reported only while CaEnabled.
	CACertificateIDs []string
	// QUICListenerID is the QUIC listener an HTTPS listener advertises
	// (QuicConfig), empty while QUIC upgrade is off.
	QUICListenerID string
	// XForwardedFor is the X-Forwarded-* configuration.
	XForwardedFor XForwardedFor
	// ACLType and ACLs are the access control lists (AclConfig).
	ACLType ACLType
	ACLs    []ListenerACL
	// Tags are the listener's tags, including albkit's TokenTagKey and
	// SpecTagKey.
	Tags []Tag
	// LogConfig is what the listener adds to the access log (LogConfig;
	// GetListenerAttribute only).
	LogConfig ListenerLogConfig
}

// Token returns the ClientToken albkit tagged the listener with at
// creation ("" if albkit did not create it).
func (l *Listener) Token() string {
	v, _ := tagLookup(l.Tags, TokenTagKey)
	return v
}
