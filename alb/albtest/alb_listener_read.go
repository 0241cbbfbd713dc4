package albtest

import (
	"encoding/json"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// How GetListenerAttribute and ListListeners show a listener. The
// Terraform provider's alicloud_alb_listener turns every object it reads
// into a block and type-asserts them without checking for null, so:
//
//   - LogConfig is always present (the provider reads
//     LogConfig.AccessLogRecordCustomizedHeadersEnabled without a check);
//     its AccessLogTracingConfig only once UpdateListenerLogConfig has
//     configured tracing (a tracing block with tracing off for a listener
//     created without one would be a change the user never asked for);
//   - XForwardedForConfig is always present with every switch, its aliases
//     and trusted addresses only when set (the block is Computed in the
//     provider);
//   - QuicConfig is present for HTTPS listeners (the only ones it applies
//     to), QuicListenerId only when set;
//   - AclConfig is absent: ACLs are not emulated, and no source says what
//     the service answers for a listener without one (GUESS: absent);
//   - Http2Enabled and SecurityPolicyId are answered for HTTPS listeners
//     only, Certificates for HTTPS and QUIC, CaEnabled for HTTPS,
//     CaCertificates once a CA certificate is set;
//   - no object is ever null.

// attrJSON is the GetListenerAttribute answer.
func (s *Server) attrJSON(l *lsnState, requestID string) *albsdk.GetListenerAttributeResponseBody {
	out := &albsdk.GetListenerAttributeResponseBody{
		RequestId: sp(requestID), ListenerId: sp(l.id), LoadBalancerId: sp(l.lbID), ListenerProtocol: sp(l.protocol),
		ListenerPort: int32Ptr(l.port), ListenerStatus: sp(l.status), ListenerDescription: optStr(l.description),
		IdleTimeout: int32Ptr(l.idle), RequestTimeout: int32Ptr(l.request), GzipEnabled: boolPtr(l.gzip),
		LogConfig: &albsdk.GetListenerAttributeResponseBodyLogConfig{AccessLogRecordCustomizedHeadersEnabled: boolPtr(l.logHeaders)},
	}
	tuples := []*albsdk.GetListenerAttributeResponseBodyDefaultActionsForwardGroupConfigServerGroupTuples{}
	for _, g := range l.groups {
		tuples = append(tuples, &albsdk.GetListenerAttributeResponseBodyDefaultActionsForwardGroupConfigServerGroupTuples{ServerGroupId: sp(g)})
	}
	out.DefaultActions = []*albsdk.GetListenerAttributeResponseBodyDefaultActions{{
		Type: sp("ForwardGroup"), ForwardGroupConfig: &albsdk.GetListenerAttributeResponseBodyDefaultActionsForwardGroupConfig{ServerGroupTuples: tuples},
	}}
	if t := l.tracing; t != nil {
		out.LogConfig.AccessLogTracingConfig = &albsdk.GetListenerAttributeResponseBodyLogConfigAccessLogTracingConfig{
			TracingEnabled: boolPtr(t.enabled), TracingType: optStr(t.typ),
		}
		if t.sample > 0 {
			out.LogConfig.AccessLogTracingConfig.TracingSample = int32Ptr(t.sample)
		}
	}
	x := l.xff
	out.XForwardedForConfig = &albsdk.GetListenerAttributeResponseBodyXForwardedForConfig{
		XForwardedForEnabled: boolPtr(x.enabled), XForwardedForProcessingMode: optStr(x.mode),
		XForwardedForProtoEnabled: boolPtr(x.proto), XForwardedForSLBIdEnabled: boolPtr(x.slbID),
		XForwardedForSLBPortEnabled: boolPtr(x.slbPort), XForwardedForHostEnabled: boolPtr(x.host),
		XForwardedForClientSrcPortEnabled: boolPtr(x.srcPort), XForwardedForClientSourceIpsEnabled: boolPtr(x.clientIPs),
		XForwardedForClientSourceIpsTrusted:     optStr(x.trusted),
		XForwardedForClientCertSubjectDNEnabled: boolPtr(x.certSubject), XForwardedForClientCertSubjectDNAlias: optStr(x.aliasSubject),
		XForwardedForClientCertIssuerDNEnabled: boolPtr(x.certIssuer), XForwardedForClientCertIssuerDNAlias: optStr(x.aliasIssuer),
		XForwardedForClientCertFingerprintEnabled: boolPtr(x.certFP), XForwardedForClientCertFingerprintAlias: optStr(x.aliasFP),
		XForwardedForClientCertClientVerifyEnabled: boolPtr(x.certV), XForwardedForClientCertClientVerifyAlias: optStr(x.aliasV),
	}
	if l.protocol == "HTTPS" || l.protocol == "QUIC" {
		if l.cert != "" {
			out.Certificates = []*albsdk.GetListenerAttributeResponseBodyCertificates{{CertificateId: sp(l.cert)}}
		}
	}
	if l.protocol == "HTTPS" {
		out.Http2Enabled = boolPtr(l.http2)
		out.SecurityPolicyId = sp(l.policy)
		out.CaEnabled = boolPtr(l.caEnabled)
		if l.caCert != "" {
			out.CaCertificates = []*albsdk.GetListenerAttributeResponseBodyCaCertificates{
				{CertificateId: sp(l.caCert), IsDefault: boolPtr(true), Status: sp("Associated")},
			}
		}
		out.QuicConfig = &albsdk.GetListenerAttributeResponseBodyQuicConfig{QuicUpgradeEnabled: boolPtr(l.quicUpgrade), QuicListenerId: optStr(l.quicID)}
	}
	for _, t := range l.tags {
		out.Tags = append(out.Tags, &albsdk.GetListenerAttributeResponseBodyTags{Key: sp(t.k), Value: sp(t.v)})
	}
	return out
}

// listenerItem is the listener as ListListeners shows it: the fields of
// GetListenerAttribute the list has (no certificates, CA or ACL details),
// under the same JSON names, so it is the attribute answer decoded as a
// list item.
func (s *Server) listenerItem(l *lsnState) *albsdk.ListListenersResponseBodyListeners {
	item := &albsdk.ListListenersResponseBodyListeners{}
	raw, err := json.Marshal(s.attrJSON(l, ""))
	if err == nil {
		err = json.Unmarshal(raw, item)
	}
	if err != nil { // cannot happen for the SDK's plain structs
		panic("albtest: listener list item: " + err.Error())
	}
	return item
}
