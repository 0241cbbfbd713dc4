package albtest

import (
	"fmt"
	"slices"
	"time"

	"github.com/albkit/albkit/routing"
)

// Listener is a snapshot of an emulated listener (Listeners, Listener,
// GET /_albtest/listeners). Its JSON form is the control API's.
type Listener struct {
	ID             string `json:"id"`             // ListenerId (lsn-…)
	LoadBalancerID string `json:"loadBalancerId"` // its instance
	Protocol       string `json:"protocol"`       // HTTP | HTTPS | QUIC
	Port           int    `json:"port"`           // ListenerPort
	// Status is Provisioning | Running | Configuring | Stopped | Deleting.
	Status      string `json:"status"`
	Description string `json:"description,omitempty"` // ListenerDescription
	// DefaultServerGroupIDs are the server groups of the default action.
	DefaultServerGroupIDs []string `json:"defaultServerGroupIds"`
	IdleTimeout           int      `json:"idleTimeout"`                // s
	RequestTimeout        int      `json:"requestTimeout"`             // s
	GzipEnabled           bool     `json:"gzipEnabled"`                // gzip compression
	HTTP2Enabled          bool     `json:"http2Enabled"`               // HTTPS only
	SecurityPolicyID      string   `json:"securityPolicyId,omitempty"` // HTTPS only
	// CertificateID is the default certificate (HTTPS, QUIC), "" for none.
	CertificateID string `json:"certificateId,omitempty"`
	// AdditionalCertificates are the certificates associated besides the
	// default one, in the order they were associated.
	AdditionalCertificates []ListenerCertificate `json:"additionalCertificates"`
	CAEnabled              bool                  `json:"caEnabled"`                 // mutual TLS
	CACertificateID        string                `json:"caCertificateId,omitempty"` // the mutual-TLS CA
	QuicUpgradeEnabled     bool                  `json:"quicUpgradeEnabled"`        // HTTPS only
	QuicListenerID         string                `json:"quicListenerId,omitempty"`  // the QUIC listener of the upgrade
	XForwardedFor          XForwardedFor         `json:"xForwardedFor"`             // XForwardedForConfig
	// AccessLogCustomHeaders is LogConfig.AccessLogRecordCustomizedHeadersEnabled.
	AccessLogCustomHeaders bool `json:"accessLogCustomHeaders"`
	// Tracing is LogConfig.AccessLogTracingConfig, nil until configured.
	Tracing     *Tracing          `json:"tracing,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`        // tags by key
	CreateTime  time.Time         `json:"createTime"`            // by the server clock
	ClientToken string            `json:"clientToken,omitempty"` // ClientToken of the create request, "" if none
}

// ListenerCertificate is an additional certificate of a listener.
type ListenerCertificate struct {
	ID     string `json:"id"`     // the certificate ID
	Status string `json:"status"` // Associating | Associated | Dissociating
}

// XForwardedFor is a listener's X-Forwarded-* configuration.
type XForwardedFor struct {
	Enabled        bool   `json:"enabled"`        // X-Forwarded-For
	ProcessingMode string `json:"processingMode"` // append | remove
	Proto          bool   `json:"proto"`          // X-Forwarded-Proto
	SLBID          bool   `json:"slbId"`          // SLB-ID
	SLBPort        bool   `json:"slbPort"`        // X-Forwarded-Port
	Host           bool   `json:"host"`           // X-Forwarded-Host
	ClientSrcPort  bool   `json:"clientSrcPort"`  // X-Forwarded-Client-srcport
	// ClientSourceIPs takes the client address from X-Forwarded-For,
	// skipping TrustedSources (addresses or CIDR blocks).
	ClientSourceIPs bool   `json:"clientSourceIps"`
	TrustedSources  string `json:"trustedSources,omitempty"` // XForwardedForClientSourceIpsTrusted
	// The client-certificate headers (HTTPS) and their aliases.
	ClientCertSubjectDN         bool   `json:"clientCertSubjectDn"`                   // X-Forwarded-Clientcert-subjectdn
	ClientCertSubjectDNAlias    string `json:"clientCertSubjectDnAlias,omitempty"`    // its header name, "" for the default
	ClientCertIssuerDN          bool   `json:"clientCertIssuerDn"`                    // X-Forwarded-Clientcert-issuerdn
	ClientCertIssuerDNAlias     string `json:"clientCertIssuerDnAlias,omitempty"`     // its header name, "" for the default
	ClientCertFingerprint       bool   `json:"clientCertFingerprint"`                 // X-Forwarded-Clientcert-fingerprint
	ClientCertFingerprintAlias  string `json:"clientCertFingerprintAlias,omitempty"`  // its header name, "" for the default
	ClientCertClientVerify      bool   `json:"clientCertClientVerify"`                // X-Forwarded-Clientcert-clientverify
	ClientCertClientVerifyAlias string `json:"clientCertClientVerifyAlias,omitempty"` // its header name, "" for the default
}

// Tracing is a listener's Tracing Analysis configuration.
type Tracing struct {
	Enabled bool   `json:"enabled"`          // TracingEnabled
	Sample  int    `json:"sample,omitempty"` // 1–10000
	Type    string `json:"type"`             // Zipkin
}

func (l *lsnState) snapshot() Listener {
	x := l.xff
	out := Listener{
		ID: l.id, LoadBalancerID: l.lbID, Protocol: l.protocol, Port: int(l.port), Status: l.status, Description: l.description,
		DefaultServerGroupIDs: slices.Clone(l.groups), IdleTimeout: int(l.idle), RequestTimeout: int(l.request),
		GzipEnabled: l.gzip, HTTP2Enabled: l.http2, CertificateID: l.cert, AdditionalCertificates: []ListenerCertificate{},
		CAEnabled: l.caEnabled, CACertificateID: l.caCert, QuicUpgradeEnabled: l.quicUpgrade, QuicListenerID: l.quicID,
		XForwardedFor: XForwardedFor{
			Enabled: x.enabled, ProcessingMode: x.mode, Proto: x.proto, SLBID: x.slbID, SLBPort: x.slbPort, Host: x.host,
			ClientSrcPort: x.srcPort, ClientSourceIPs: x.clientIPs, TrustedSources: x.trusted,
			ClientCertSubjectDN: x.certSubject, ClientCertSubjectDNAlias: x.aliasSubject, ClientCertIssuerDN: x.certIssuer,
			ClientCertIssuerDNAlias: x.aliasIssuer, ClientCertFingerprint: x.certFP, ClientCertFingerprintAlias: x.aliasFP,
			ClientCertClientVerify: x.certV, ClientCertClientVerifyAlias: x.aliasV,
		},
		AccessLogCustomHeaders: l.logHeaders, Tags: map[string]string{}, CreateTime: l.created, ClientToken: l.token,
	}
	if l.protocol == "HTTPS" {
		out.SecurityPolicyID = l.policy
	}
	for _, c := range l.certs {
		out.AdditionalCertificates = append(out.AdditionalCertificates, ListenerCertificate{ID: c.id, Status: c.status})
	}
	if t := l.tracing; t != nil {
		out.Tracing = &Tracing{Enabled: t.enabled, Sample: int(t.sample), Type: t.typ}
	}
	for _, t := range l.tags {
		out.Tags[t.k] = t.v
	}
	return out
}

// Listeners returns a snapshot of every listener, in creation order. Due
// transitions are applied first; reading does not count as a poll. A
// deleted listener is gone.
func (s *Server) Listeners() []Listener {
	s.mu.Lock()
	defer s.mu.Unlock()
	ls := s.liveListeners(s.clock.Now())
	out := make([]Listener, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.snapshot())
	}
	return out
}

// Listener returns a snapshot of one listener; false for an unknown or
// deleted one.
func (s *Server) Listener(id string) (Listener, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, e := s.lsnByID(id, s.clock.Now(), false)
	if e != nil {
		return Listener{}, false
	}
	return l.snapshot(), true
}

// SetListenerStatus forces a listener's status: Running, Stopped,
// Provisioning or Configuring (for example Configuring, so that changes
// answer IncorrectStatus.Listener and rule writes
// ResourceInConfiguring.Listener until it is set back). A pending
// transition is dropped: its change is never made (an attribute update is
// forgotten, certificates being associated disappear, those being
// dissociated stay) and its job ends Failed with the code StatusForced.
func (s *Server) SetListenerStatus(id, status string) error {
	switch status {
	case "Running", "Stopped", "Provisioning", "Configuring":
	default:
		return fmt.Errorf("albtest: SetListenerStatus: unsupported status %q (want Running, Stopped, Provisioning or Configuring)", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.st.lsns[id]
	if l == nil {
		return fmt.Errorf("%w: listener %s", ErrNotFound, id)
	}
	s.dropPending(&l.resource, statusForced("SetListenerStatus"), s.clock.Now())
	l.next = nil
	l.certs = slices.DeleteFunc(l.certs, func(c *lsnCert) bool { return c.status == "Associating" })
	for _, c := range l.certs {
		c.status = "Associated"
	}
	switch status {
	case "Running":
		l.stopped = false
	case "Stopped":
		l.stopped = true
	}
	l.status = status
	return nil
}

func statusForced(fn string) outcome {
	return outcome{errCode: "StatusForced", errMsg: "The status was forced by albtest." + fn + "."}
}

// Rule is a snapshot of an emulated forwarding rule (Rules, Rule,
// GET /_albtest/rules). Conditions and Actions are in the routing
// package's model (routing.Rule's); the control API answers them as
// ListRules does (RuleConditions, RuleActions).
type Rule struct {
	ID             string `json:"id"`             // RuleId (rule-…)
	Name           string `json:"name"`           // RuleName
	ListenerID     string `json:"listenerId"`     // its listener
	LoadBalancerID string `json:"loadBalancerId"` // its listener's instance
	Priority       int    `json:"priority"`       // 1–10000, lower first
	Direction      string `json:"direction"`      // Request | Response
	// Status is Provisioning | Available | Configuring | Deleting |
	// CreateFailed.
	Status string `json:"status"`
	// Conditions and Actions are the rule as reads show it (a pending
	// update is not in them yet).
	Conditions  []routing.Condition `json:"-"`
	Actions     []routing.Action    `json:"-"`                     // in the order the request gave them
	Tags        map[string]string   `json:"tags,omitempty"`        // tags by key
	CreateTime  time.Time           `json:"createTime"`            // by the server clock
	ClientToken string              `json:"clientToken,omitempty"` // ClientToken of the create request, "" if none
}

// Routing returns the rule in the routing package's model.
func (r Rule) Routing() routing.Rule {
	return routing.Rule{ID: r.ID, Name: r.Name, Priority: r.Priority, Direction: routing.Direction(r.Direction),
		Conditions: r.Conditions, Actions: r.Actions}
}

func (r *ruleState) snapshot() Rule {
	out := Rule{
		ID: r.id, Name: r.rule.Name, ListenerID: r.lsnID, LoadBalancerID: r.lbID, Priority: r.rule.Priority,
		Direction: string(dirOf(r.rule)), Status: r.status, Conditions: slices.Clone(r.rule.Conditions),
		Actions: slices.Clone(r.rule.Actions), Tags: map[string]string{}, CreateTime: r.created, ClientToken: r.token,
	}
	for _, t := range r.tags {
		out.Tags[t.k] = t.v
	}
	return out
}

// liveRules settles and returns the live rules of listener lsnID ("" for
// every listener) in creation order, without counting a poll.
func (s *Server) liveRules(lsnID string, now time.Time) []*ruleState {
	var out []*ruleState
	for _, id := range slices.Clone(s.st.ruleOrder) {
		r := s.st.rules[id]
		if r == nil || lsnID != "" && r.lsnID != lsnID {
			continue
		}
		s.settle(&r.resource, now, false)
		if !r.deleted {
			out = append(out, r)
		}
	}
	return out
}

// Rules returns a snapshot of the rules of a listener ("" for every
// listener's), both directions, in creation order. Due transitions are
// applied first; reading does not count as a poll.
func (s *Server) Rules(listenerID string) []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.liveRules(listenerID, s.clock.Now())
	out := make([]Rule, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.snapshot())
	}
	return out
}

// Rule returns a snapshot of one rule; false for an unknown or deleted one.
func (s *Server) Rule(id string) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, e := s.ruleByID(id, s.clock.Now(), false)
	if e != nil {
		return Rule{}, false
	}
	return r.snapshot(), true
}

// SetRuleStatus forces a rule's status: Available, Provisioning,
// Configuring or CreateFailed (the Terraform provider fails a rule that
// reads CreateFailed). A pending transition is dropped, for every rule
// sharing it (a batch): its change is never made (rules being created end
// CreateFailed, an update is forgotten, a deletion is undone: the rule is
// Available again) and its job ends Failed with the code StatusForced.
func (s *Server) SetRuleStatus(id, status string) error {
	switch status {
	case "Available", "Provisioning", "Configuring", "CreateFailed":
	default:
		return fmt.Errorf("albtest: SetRuleStatus: unsupported status %q (want Available, Provisioning, Configuring or CreateFailed)", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.rules[id]
	if r == nil {
		return fmt.Errorf("%w: rule %s", ErrNotFound, id)
	}
	if p := r.pending; p != nil {
		now := s.clock.Now()
		for _, o := range s.st.rules {
			if o.pending != p {
				continue
			}
			o.pending = nil
			switch {
			case o.status == "Provisioning":
				o.status = "CreateFailed"
			default: // Configuring or Deleting: back to what it was
				o.status = "Available"
				if !o.wasAvailable {
					o.status = "CreateFailed"
				}
			}
			o.next, o.nextSticky = nil, nil
		}
		s.st.finishJob(p.jobID, statusForced("SetRuleStatus"), now, s.jobLimit())
	}
	r.status = status
	return nil
}

// RoutingTable returns what listener id serves now, in the routing
// package's model, ready for routing.Compile: its protocol, port and
// instance, its instance's edition, its default server groups and its
// rules of both directions that exist on the data path (Available, and
// those Configuring or Deleting in their current form; not the ones being
// created or that failed). A change enters the table when its transition
// completes.
func (s *Server) RoutingTable(id string) (routing.Table, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	l, e := s.lsnByID(id, now, false)
	if e != nil {
		return routing.Table{}, fmt.Errorf("%w: listener %s", ErrNotFound, id)
	}
	t := routing.Table{Protocol: l.protocol, Port: int(l.port), LoadBalancerID: l.lbID, Default: slices.Clone(l.groups)}
	if lb := s.st.lbs[l.lbID]; lb != nil {
		t.Edition = lb.edition
	}
	for _, r := range s.liveRules(l.id, now) {
		switch r.status {
		case "Available", "Configuring", "Deleting":
			t.Rules = append(t.Rules, r.rule)
		}
	}
	return t, nil
}

// SecurityPolicy is a snapshot of a custom TLS security policy
// (SecurityPolicies, GET /_albtest/securitypolicies).
type SecurityPolicy struct {
	ID              string            `json:"id"`              // SecurityPolicyId (scp-…)
	Name            string            `json:"name"`            // SecurityPolicyName
	Status          string            `json:"status"`          // Available | Configuring
	TLSVersions     []string          `json:"tlsVersions"`     // TLSv1.0 … TLSv1.3
	Ciphers         []string          `json:"ciphers"`         // cipher suites
	ResourceGroupID string            `json:"resourceGroupId"` // resource group
	Listeners       []string          `json:"listeners"`       // the HTTPS listeners using it
	Tags            map[string]string `json:"tags,omitempty"`  // tags by key
	CreateTime      time.Time         `json:"createTime"`      // by the server clock
}

// SecurityPolicies returns a snapshot of every custom security policy, in
// creation order (the system policies are the Policy* constants).
func (s *Server) SecurityPolicies() []SecurityPolicy {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := []SecurityPolicy{}
	for _, id := range s.st.spOrder {
		p := s.st.sps[id]
		s.settle(&p.resource, now, false)
		sp := SecurityPolicy{ID: p.id, Name: p.name, Status: p.status, TLSVersions: slices.Clone(p.tls), Ciphers: slices.Clone(p.ciphers),
			ResourceGroupID: p.resourceGroup, Listeners: append([]string{}, s.st.policyUsers(p.id)...), Tags: map[string]string{}, CreateTime: p.created}
		for _, t := range p.tags {
			sp.Tags[t.k] = t.v
		}
		out = append(out, sp)
	}
	return out
}
