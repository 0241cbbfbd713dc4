package alb

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/routing"
)

// Conversions between listener specs and the SDK. A create request carries
// only what the spec configures (an unconfigured feature is left out,
// never sent as a JSON null or an empty object); an update carries exactly
// the changed fields.

// xffW is XForwardedForConfig on the wire.
type xffW struct {
	XForwardedForClientCertClientVerifyAlias   *string `json:"XForwardedForClientCertClientVerifyAlias,omitempty"`
	XForwardedForClientCertClientVerifyEnabled *bool   `json:"XForwardedForClientCertClientVerifyEnabled,omitempty"`
	XForwardedForClientCertFingerprintAlias    *string `json:"XForwardedForClientCertFingerprintAlias,omitempty"`
	XForwardedForClientCertFingerprintEnabled  *bool   `json:"XForwardedForClientCertFingerprintEnabled,omitempty"`
	XForwardedForClientCertIssuerDNAlias       *string `json:"XForwardedForClientCertIssuerDNAlias,omitempty"`
	XForwardedForClientCertIssuerDNEnabled     *bool   `json:"XForwardedForClientCertIssuerDNEnabled,omitempty"`
	XForwardedForClientCertSubjectDNAlias      *string `json:"XForwardedForClientCertSubjectDNAlias,omitempty"`
	XForwardedForClientCertSubjectDNEnabled    *bool   `json:"XForwardedForClientCertSubjectDNEnabled,omitempty"`
	XForwardedForClientSourceIpsEnabled        *bool   `json:"XForwardedForClientSourceIpsEnabled,omitempty"`
	XForwardedForClientSourceIpsTrusted        *string `json:"XForwardedForClientSourceIpsTrusted,omitempty"`
	XForwardedForClientSrcPortEnabled          *bool   `json:"XForwardedForClientSrcPortEnabled,omitempty"`
	XForwardedForEnabled                       *bool   `json:"XForwardedForEnabled,omitempty"`
	XForwardedForHostEnabled                   *bool   `json:"XForwardedForHostEnabled,omitempty"`
	XForwardedForProcessingMode                *string `json:"XForwardedForProcessingMode,omitempty"`
	XForwardedForProtoEnabled                  *bool   `json:"XForwardedForProtoEnabled,omitempty"`
	XForwardedForSLBIdEnabled                  *bool   `json:"XForwardedForSLBIdEnabled,omitempty"`
	XForwardedForSLBPortEnabled                *bool   `json:"XForwardedForSLBPortEnabled,omitempty"`
}

// empty reports whether no field is set.
func (w xffW) empty() bool { return w == xffW{} }

// set puts the subfield name (an xff* constant) of x on the wire, as x has
// it.
func (w *xffW) set(name string, x XForwardedFor) {
	cert := func(h ClientCertHeader, enabled **bool, alias **string) {
		*enabled = dara.Bool(h.Enabled)
		if h.Enabled && h.Alias != "" {
			*alias = dara.String(h.Alias)
		}
	}
	switch name {
	case xffDisabled:
		w.XForwardedForEnabled = dara.Bool(!x.Disabled)
	case xffMode:
		w.XForwardedForProcessingMode = dara.String(string(cmp.Or(x.Mode, XForwardedForAppend)))
	case xffProto:
		w.XForwardedForProtoEnabled = dara.Bool(x.Proto)
	case xffSLBID:
		w.XForwardedForSLBIdEnabled = dara.Bool(x.SLBID)
	case xffSLBPort:
		w.XForwardedForSLBPortEnabled = dara.Bool(x.SLBPort)
	case xffHost:
		w.XForwardedForHostEnabled = dara.Bool(x.Host)
	case xffClientSrcPort:
		w.XForwardedForClientSrcPortEnabled = dara.Bool(x.ClientSrcPort)
	case xffClientSourceIPs:
		w.XForwardedForClientSourceIpsEnabled = dara.Bool(x.ClientSourceIPs)
	case xffTrustedProxies:
		w.XForwardedForClientSourceIpsTrusted = dara.String(strings.Join(x.TrustedProxies, ","))
	case xffCertSubjectDN:
		cert(x.ClientCertSubjectDN, &w.XForwardedForClientCertSubjectDNEnabled, &w.XForwardedForClientCertSubjectDNAlias)
	case xffCertIssuerDN:
		cert(x.ClientCertIssuerDN, &w.XForwardedForClientCertIssuerDNEnabled, &w.XForwardedForClientCertIssuerDNAlias)
	case xffCertFingerprint:
		cert(x.ClientCertFingerprint, &w.XForwardedForClientCertFingerprintEnabled, &w.XForwardedForClientCertFingerprintAlias)
	case xffCertClientVerify:
		cert(x.ClientCertClientVerify, &w.XForwardedForClientCertClientVerifyEnabled, &w.XForwardedForClientCertClientVerifyAlias)
	}
}

// createWire is the X-Forwarded-* configuration of a create: only the
// settings that differ from the service's defaults.
func (x XForwardedFor) createWire() xffW {
	var w xffW
	if x.Disabled {
		w.set(xffDisabled, x)
	}
	if x.Mode != "" && x.Mode != XForwardedForAppend {
		w.set(xffMode, x)
	}
	for name, on := range map[string]bool{xffProto: x.Proto, xffSLBID: x.SLBID, xffSLBPort: x.SLBPort, xffHost: x.Host,
		xffClientSrcPort: x.ClientSrcPort, xffClientSourceIPs: x.ClientSourceIPs, xffTrustedProxies: len(x.TrustedProxies) > 0,
		xffCertSubjectDN: x.ClientCertSubjectDN.Enabled, xffCertIssuerDN: x.ClientCertIssuerDN.Enabled,
		xffCertFingerprint: x.ClientCertFingerprint.Enabled, xffCertClientVerify: x.ClientCertClientVerify.Enabled} {
		if on {
			w.set(name, x)
		}
	}
	return w
}

// defaultActionsW is DefaultActions on the wire.
type defaultActionW struct {
	Type               *string `json:"Type,omitempty"`
	ForwardGroupConfig struct {
		ServerGroupTuples []tupleW `json:"ServerGroupTuples,omitempty"`
	} `json:"ForwardGroupConfig"`
}

func defaultActionsWire(ids []string) []defaultActionW {
	a := defaultActionW{Type: dara.String(string(routing.ActionForwardGroup))}
	for _, id := range ids {
		a.ForwardGroupConfig.ServerGroupTuples = append(a.ForwardGroupConfig.ServerGroupTuples, tupleW{ServerGroupId: dara.String(id)})
	}
	return []defaultActionW{a}
}

type certW struct {
	CertificateId *string `json:"CertificateId,omitempty"`
}

func certsWire(ids []string) []certW {
	out := make([]certW, len(ids))
	for i, id := range ids {
		out[i] = certW{CertificateId: dara.String(id)}
	}
	return out
}

type quicW struct {
	QuicListenerId     *string `json:"QuicListenerId,omitempty"`
	QuicUpgradeEnabled *bool   `json:"QuicUpgradeEnabled,omitempty"`
}

func quicWire(id string) quicW {
	if id == "" {
		return quicW{QuicUpgradeEnabled: dara.Bool(false)}
	}
	return quicW{QuicUpgradeEnabled: dara.Bool(true), QuicListenerId: dara.String(id)}
}

// listenerW is the union of CreateListener's and UpdateListenerAttribute's
// fields.
type listenerW struct {
	ListenerId          *string          `json:"ListenerId,omitempty"`
	LoadBalancerId      *string          `json:"LoadBalancerId,omitempty"`
	ListenerProtocol    *string          `json:"ListenerProtocol,omitempty"`
	ListenerPort        *int32           `json:"ListenerPort,omitempty"`
	ListenerDescription *string          `json:"ListenerDescription,omitempty"`
	DefaultActions      []defaultActionW `json:"DefaultActions,omitempty"`
	IdleTimeout         *int32           `json:"IdleTimeout,omitempty"`
	RequestTimeout      *int32           `json:"RequestTimeout,omitempty"`
	GzipEnabled         *bool            `json:"GzipEnabled,omitempty"`
	Http2Enabled        *bool            `json:"Http2Enabled,omitempty"`
	SecurityPolicyId    *string          `json:"SecurityPolicyId,omitempty"`
	Certificates        []certW          `json:"Certificates,omitempty"`
	CaEnabled           *bool            `json:"CaEnabled,omitempty"`
	CaCertificates      []certW          `json:"CaCertificates,omitempty"`
	QuicConfig          *quicW           `json:"QuicConfig,omitempty"`
	XForwardedForConfig *xffW            `json:"XForwardedForConfig,omitempty"`
}

// Digest returns a short, stable hash of the CreateListener request the
// spec makes (not the idempotency key, not the rules and additional
// certificates, which are written after the create); tag order does not
// matter. albkit tags the listeners it creates with it ([SpecTagKey]).
func (s ListenerSpec) Digest() string {
	n := s
	n.IdempotencyKey = ""
	n.Tags = slices.Clone(s.Tags)
	slices.SortFunc(n.Tags, func(a, b Tag) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value)) })
	req := n.request("", false)
	req.ClientToken = nil
	b, _ := json.Marshal(req) // plain struct: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// createListenerRequest is the CreateListener request of a validated spec,
// with the ClientToken and albkit's two tags (token and spec digest).
func (s ListenerSpec) createListenerRequest(key, token string, dryRun bool) *albsdk.CreateListenerRequest {
	req := s.request(token, dryRun)
	req.Tag = append(req.Tag,
		&albsdk.CreateListenerRequestTag{Key: dara.String(TokenTagKey), Value: dara.String(key)},
		&albsdk.CreateListenerRequestTag{Key: dara.String(SpecTagKey), Value: dara.String(s.Digest())})
	return req
}

// request is the CreateListener request of the spec alone, without
// albkit's tags.
func (s ListenerSpec) request(token string, dryRun bool) *albsdk.CreateListenerRequest {
	w := listenerW{
		LoadBalancerId:   dara.String(s.LoadBalancerID),
		ListenerProtocol: dara.String(string(s.Protocol)),
		ListenerPort:     dara.Int32(int32(s.Port)),
		DefaultActions:   defaultActionsWire(s.DefaultServerGroupIDs),
	}
	w.ListenerDescription = optString(s.Description)
	if s.IdleTimeoutSeconds != 0 {
		w.IdleTimeout = dara.Int32(int32(s.IdleTimeoutSeconds))
	}
	if s.RequestTimeoutSeconds != 0 {
		w.RequestTimeout = dara.Int32(int32(s.RequestTimeoutSeconds))
	}
	if s.DisableGzip {
		w.GzipEnabled = dara.Bool(false)
	}
	if s.DisableHTTP2 {
		w.Http2Enabled = dara.Bool(false)
	}
	w.SecurityPolicyId = optString(s.SecurityPolicyID)
	if s.DefaultCertificateID != "" {
		w.Certificates = certsWire([]string{s.DefaultCertificateID})
	}
	if len(s.CACertificateIDs) > 0 {
		w.CaEnabled = dara.Bool(true)
		w.CaCertificates = certsWire(s.CACertificateIDs)
	}
	if s.QUICListenerID != "" {
		q := quicWire(s.QUICListenerID)
		w.QuicConfig = &q
	}
	if x := s.XForwardedFor.createWire(); !x.empty() {
		w.XForwardedForConfig = &x
	}
	req := &albsdk.CreateListenerRequest{}
	convert(w, req)
	for _, t := range s.Tags {
		req.Tag = append(req.Tag, &albsdk.CreateListenerRequestTag{Key: dara.String(t.Key), Value: dara.String(t.Value)})
	}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// updateListenerRequest is the UpdateListenerAttribute request that makes
// listener id match spec in the attributes of changes, with exactly those
// fields (nil when there are none): a changed X-Forwarded-* subfield is
// sent alone; mutual TLS and QUIC upgrade are sent with their certificate
// or listener when on, as false alone when off.
func updateListenerRequest(id string, spec ListenerSpec, changes []AttributeChange, token string, dryRun bool) *albsdk.UpdateListenerAttributeRequest {
	if len(changes) == 0 {
		return nil
	}
	w := listenerW{ListenerId: dara.String(id)}
	var x xffW
	for _, c := range changes {
		attr, sub, _ := cutField(c.Field)
		switch attr {
		case lattrDescription:
			w.ListenerDescription = dara.String(spec.Description)
		case lattrDefault:
			w.DefaultActions = defaultActionsWire(spec.DefaultServerGroupIDs)
		case lattrIdle:
			w.IdleTimeout = dara.Int32(int32(spec.idleTimeout()))
		case lattrRequest:
			w.RequestTimeout = dara.Int32(int32(spec.requestTimeout()))
		case lattrGzip:
			w.GzipEnabled = dara.Bool(!spec.DisableGzip)
		case lattrHTTP2:
			w.Http2Enabled = dara.Bool(!spec.DisableHTTP2)
		case lattrPolicy:
			w.SecurityPolicyId = dara.String(spec.securityPolicy())
		case lattrCertificate:
			w.Certificates = certsWire([]string{spec.DefaultCertificateID})
		case lattrCA:
			w.CaEnabled = dara.Bool(len(spec.CACertificateIDs) > 0)
			if len(spec.CACertificateIDs) > 0 {
				w.CaCertificates = certsWire(spec.CACertificateIDs)
			}
		case lattrQUIC:
			q := quicWire(spec.QUICListenerID)
			w.QuicConfig = &q
		case lattrXFF:
			x.set(sub, spec.XForwardedFor)
		}
	}
	if !x.empty() {
		w.XForwardedForConfig = &x
	}
	req := &albsdk.UpdateListenerAttributeRequest{}
	convert(w, req)
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// updateRequest is the request of one UpdateListenerAttribute call of the
// plan.
func (p *ListenerPlan) updateRequest(c ListenerCall, token string, dryRun bool) *albsdk.UpdateListenerAttributeRequest {
	return updateListenerRequest(p.ID, p.spec, c.Attributes, token, dryRun)
}

// associateCertificatesRequest and dissociateCertificatesRequest
// associate or dissociate additional certificates of listener id (at most
// MaxCertificatesPerCall).
func associateCertificatesRequest(id string, certIDs []string, token string, dryRun bool) *albsdk.AssociateAdditionalCertificatesWithListenerRequest {
	req := &albsdk.AssociateAdditionalCertificatesWithListenerRequest{ListenerId: dara.String(id)}
	for _, c := range certIDs {
		req.Certificates = append(req.Certificates, &albsdk.AssociateAdditionalCertificatesWithListenerRequestCertificates{CertificateId: dara.String(c)})
	}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

func dissociateCertificatesRequest(id string, certIDs []string, token string, dryRun bool) *albsdk.DissociateAdditionalCertificatesFromListenerRequest {
	req := &albsdk.DissociateAdditionalCertificatesFromListenerRequest{ListenerId: dara.String(id)}
	for _, c := range certIDs {
		req.Certificates = append(req.Certificates, &albsdk.DissociateAdditionalCertificatesFromListenerRequestCertificates{CertificateId: dara.String(c)})
	}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// listenerReadW is the union of GetListenerAttribute's and ListListeners'
// fields albkit reads.
type listenerReadW struct {
	ListenerId          *string `json:"ListenerId"`
	LoadBalancerId      *string `json:"LoadBalancerId"`
	ListenerProtocol    *string `json:"ListenerProtocol"`
	ListenerPort        *int32  `json:"ListenerPort"`
	ListenerStatus      *string `json:"ListenerStatus"`
	ListenerDescription *string `json:"ListenerDescription"`
	DefaultActions      []struct {
		ForwardGroupConfig *struct {
			ServerGroupTuples []tupleW `json:"ServerGroupTuples"`
		} `json:"ForwardGroupConfig"`
	} `json:"DefaultActions"`
	IdleTimeout      *int32  `json:"IdleTimeout"`
	RequestTimeout   *int32  `json:"RequestTimeout"`
	GzipEnabled      *bool   `json:"GzipEnabled"`
	Http2Enabled     *bool   `json:"Http2Enabled"`
	SecurityPolicyId *string `json:"SecurityPolicyId"`
	Certificates     []certW `json:"Certificates"`
	CaEnabled        *bool   `json:"CaEnabled"`
	CaCertificates   []certW `json:"CaCertificates"`
	QuicConfig       *quicW  `json:"QuicConfig"`
	XForwardedFor    *xffW   `json:"XForwardedForConfig"`
	AclConfig        *struct {
		AclType      *string `json:"AclType"`
		AclRelations []struct {
			AclId  *string `json:"AclId"`
			Status *string `json:"Status"`
		} `json:"AclRelations"`
	} `json:"AclConfig"`
	Tags []struct {
		Key   *string `json:"Key"`
		Value *string `json:"Value"`
	} `json:"Tags"`
	LogConfig *logConfigW `json:"LogConfig"`
}

// listenerFromSDK converts a GetListenerAttribute answer.
func listenerFromSDK(b *albsdk.GetListenerAttributeResponseBody) *Listener {
	var w listenerReadW
	convert(b, &w)
	return w.listener()
}

// listenerFromListSDK converts a ListListeners item (no default
// certificate, mutual TLS or ACLs: ListListeners does not report them).
func listenerFromListSDK(b *albsdk.ListListenersResponseBodyListeners) *Listener {
	var w listenerReadW
	convert(b, &w)
	return w.listener()
}

func (w listenerReadW) listener() *Listener {
	l := &Listener{
		ID:                    tea.StringValue(w.ListenerId),
		LoadBalancerID:        tea.StringValue(w.LoadBalancerId),
		Protocol:              ListenerProtocol(tea.StringValue(w.ListenerProtocol)),
		Port:                  int(tea.Int32Value(w.ListenerPort)),
		Status:                ListenerStatus(tea.StringValue(w.ListenerStatus)),
		Description:           tea.StringValue(w.ListenerDescription),
		IdleTimeoutSeconds:    int(tea.Int32Value(w.IdleTimeout)),
		RequestTimeoutSeconds: int(tea.Int32Value(w.RequestTimeout)),
		Gzip:                  w.GzipEnabled == nil || *w.GzipEnabled, // on unless reported off
		HTTP2:                 w.Http2Enabled == nil || *w.Http2Enabled,
		SecurityPolicyID:      tea.StringValue(w.SecurityPolicyId),
		LogConfig:             w.LogConfig.config(),
	}
	for _, a := range w.DefaultActions {
		if a.ForwardGroupConfig != nil {
			for _, t := range a.ForwardGroupConfig.ServerGroupTuples {
				l.DefaultServerGroupIDs = append(l.DefaultServerGroupIDs, tea.StringValue(t.ServerGroupId))
			}
		}
	}
	if len(w.Certificates) > 0 {
		l.DefaultCertificateID = tea.StringValue(w.Certificates[0].CertificateId)
	}
	if tea.BoolValue(w.CaEnabled) {
		for _, c := range w.CaCertificates {
			l.CACertificateIDs = append(l.CACertificateIDs, tea.StringValue(c.CertificateId))
		}
	}
	if q := w.QuicConfig; q != nil && tea.BoolValue(q.QuicUpgradeEnabled) {
		l.QUICListenerID = tea.StringValue(q.QuicListenerId)
	}
	if x := w.XForwardedFor; x != nil {
		cert := func(enabled *bool, alias *string) ClientCertHeader {
			if !tea.BoolValue(enabled) {
				return ClientCertHeader{}
			}
			return ClientCertHeader{Enabled: true, Alias: tea.StringValue(alias)}
		}
		l.XForwardedFor = XForwardedFor{
			Disabled:               x.XForwardedForEnabled != nil && !*x.XForwardedForEnabled,
			Mode:                   XForwardedForMode(tea.StringValue(x.XForwardedForProcessingMode)),
			Proto:                  tea.BoolValue(x.XForwardedForProtoEnabled),
			SLBID:                  tea.BoolValue(x.XForwardedForSLBIdEnabled),
			SLBPort:                tea.BoolValue(x.XForwardedForSLBPortEnabled),
			Host:                   tea.BoolValue(x.XForwardedForHostEnabled),
			ClientSrcPort:          tea.BoolValue(x.XForwardedForClientSrcPortEnabled),
			ClientSourceIPs:        tea.BoolValue(x.XForwardedForClientSourceIpsEnabled),
			ClientCertSubjectDN:    cert(x.XForwardedForClientCertSubjectDNEnabled, x.XForwardedForClientCertSubjectDNAlias),
			ClientCertIssuerDN:     cert(x.XForwardedForClientCertIssuerDNEnabled, x.XForwardedForClientCertIssuerDNAlias),
			ClientCertFingerprint:  cert(x.XForwardedForClientCertFingerprintEnabled, x.XForwardedForClientCertFingerprintAlias),
			ClientCertClientVerify: cert(x.XForwardedForClientCertClientVerifyEnabled, x.XForwardedForClientCertClientVerifyAlias),
		}
		for _, t := range strings.Split(tea.StringValue(x.XForwardedForClientSourceIpsTrusted), ",") {
			if t = strings.TrimSpace(t); t != "" {
				l.XForwardedFor.TrustedProxies = append(l.XForwardedFor.TrustedProxies, t)
			}
		}
	}
	if a := w.AclConfig; a != nil {
		l.ACLType = ACLType(tea.StringValue(a.AclType))
		for _, r := range a.AclRelations {
			l.ACLs = append(l.ACLs, ListenerACL{ID: tea.StringValue(r.AclId), Status: tea.StringValue(r.Status)})
		}
	}
	for _, t := range w.Tags {
		l.Tags = append(l.Tags, Tag{Key: tea.StringValue(t.Key), Value: tea.StringValue(t.Value)})
	}
	return l
}

// listenerCertificateFromSDK converts a ListListenerCertificates item.
func listenerCertificateFromSDK(b *albsdk.ListListenerCertificatesResponseBodyCertificates) ListenerCertificate {
	st := CertificateStatus(tea.StringValue(b.Status))
	if st == "Diassociating" {
		st = CertificateDissociating
	}
	return ListenerCertificate{ID: tea.StringValue(b.CertificateId), Type: CertificateType(tea.StringValue(b.CertificateType)),
		Default: tea.BoolValue(b.IsDefault), Status: st}
}

// SpecFromListener reads a spec back from a listener, its certificates and
// its rules, for cloning, export and drift checks:
// DiffListener(SpecFromListener(l, certs, rules), l, certs, rules) is
// empty, and the spec passes Validate for anything the service reports.
//
// Every attribute the service reports is filled in, as far as the
// listener's protocol takes it; the additional certificates are those
// associated or being associated; Rules are the listener's rules (in
// priority order, Request first), RuleMembership is left empty (Shared),
// so that a spec read back never deletes a rule added later by someone
// else: set MembershipOwned to make the set exact. Tags are the user tags;
// IdempotencyKey is the listener's [TokenTagKey] value. A nil listener
// gives the zero spec.
func SpecFromListener(l *Listener, certs []ListenerCertificate, rules []Rule) ListenerSpec {
	if l == nil {
		return ListenerSpec{}
	}
	s := ListenerSpec{
		LoadBalancerID:        l.LoadBalancerID,
		Protocol:              l.Protocol,
		Port:                  l.Port,
		Description:           l.Description,
		DefaultServerGroupIDs: slices.Clone(l.DefaultServerGroupIDs),
		IdleTimeoutSeconds:    l.IdleTimeoutSeconds,
		RequestTimeoutSeconds: l.RequestTimeoutSeconds,
		DisableGzip:           !l.Gzip,
		Tags:                  userTags(l.Tags),
		IdempotencyKey:        l.Token(),
	}
	if l.LogConfig.on() {
		lc := l.LogConfig
		s.LogConfig = &lc
	}
	if l.Protocol == ListenerHTTPS {
		s.DisableHTTP2 = !l.HTTP2
		s.SecurityPolicyID = l.SecurityPolicyID
		s.CACertificateIDs = slices.Clone(l.CACertificateIDs)
		s.QUICListenerID = l.QUICListenerID
	}
	if l.Protocol.tls() {
		s.DefaultCertificateID = l.DefaultCertificateID
		for _, id := range additionalCertificates(certs) {
			if id != l.DefaultCertificateID && !slices.Contains(s.AdditionalCertificateIDs, id) {
				s.AdditionalCertificateIDs = append(s.AdditionalCertificateIDs, id)
			}
		}
	}
	x := l.XForwardedFor.effective(l.Protocol)
	if x.Mode == XForwardedForAppend {
		x.Mode = ""
	}
	s.XForwardedFor = x
	sorted := slices.Clone(rules)
	slices.SortStableFunc(sorted, func(a, b Rule) int {
		return cmp.Or(cmp.Compare(a.direction(), b.direction()), cmp.Compare(a.Priority, b.Priority)) // "Request" < "Response"
	})
	for _, r := range sorted {
		s.Rules = append(s.Rules, SpecFromRule(r))
	}
	return s
}
