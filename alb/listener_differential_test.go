package alb_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// The listener differential test holds albkit's local checks of a
// listener against the emulator's CreateListener, through the exact SDK
// requests albkit sends, in the world of listener_differential_world_test.go
// (an instance of each edition, server groups of every kind, QUIC
// listeners to advertise):
//
//   - albkit's verdict is CheckListener's blocking findings with the facts
//     of the instance the spec names (ListenerSpec.Validate, then
//     CheckListenerEdition with the instance's edition, then the
//     references: server groups, ports, quotas);
//   - the emulator's is CreateListener with DryRun, then (when the DryRun
//     passes) a real create, the additional certificates associated in
//     calls of MaxCertificatesPerCall, the listener read back and deleted;
//   - a spec albkit accepts is accepted by the emulator, or refused only
//     with a code that needs facts CheckListener is not given
//     (lsnFactsLevel);
//   - a spec albkit refuses is refused by the emulator too, unless every
//     finding is one of lsnPolicyExceptions;
//   - what the emulator accepted reads back (GetListenerAttribute,
//     ListListenerCertificates) into a spec albkit accepts that diffs
//     empty, and a spec albkit accepts diffs empty against the listener
//     made from it.

// lsnFactsCodes are the emulator's CreateListener answers that need facts
// ListenerFacts does not carry.
var lsnFactsCodes = map[string]string{
	"ResourceNotFound.LoadBalancer":             "the instance does not exist: the facts are the region's server groups alone",
	"ResourceNotFound.Certificate":              "ListenerFacts holds no certificate store (Certificate Management Service)",
	"IncorrectStatus.Certificate":               "the certificate has expired: ListenerFacts holds no certificate store",
	"InvalidParameter (certificate type)":       "the ID names a CA certificate where a server certificate is wanted, or the reverse: ListenerFacts holds no certificate store",
	"ResourceNotFound.SecurityPolicy":           "the TLS policy does not exist (the system policies are ListSystemSecurityPolicies' list, custom ones the region's)",
	"QuotaExceeded.SecurityPolicyListenersNum":  "the custom policy already serves 10 listeners: ListenerFacts lists no policy's users",
	"QuotaExceeded.CertificatesNum":             "the instance's additional certificates are used up: ListenerFacts holds the listeners, not their certificates",
	"ResourceAlreadyExist.Listener (same port)": "a listener of this port and protocol exists: CheckListener takes it for the listener the spec describes (a plan updates it; it is not a create)",
}

// lsnFactsLevel reports whether an emulator refusal of spec needs facts
// CheckListener is not given.
func lsnFactsLevel(o lsnOutcome) bool {
	switch o.code {
	case "InvalidParameter":
		return strings.Contains(o.msg, " certificate, not a ")
	case "ResourceAlreadyExist.Listener":
		return slices.ContainsFunc(o.facts.Listeners, func(l alb.Listener) bool {
			return l.Port == o.spec.Port && l.Protocol == o.spec.Protocol
		})
	}
	_, ok := lsnFactsCodes[o.code]
	return ok
}

// lsnPolicyException is a local listener rule the emulator does not
// enforce.
type lsnPolicyException = kindException[alb.ListenerSpec]

// lsnPolicyExceptions lists every local rule allowed to refuse a listener
// spec that the emulator accepts.
var lsnPolicyExceptions = []lsnPolicyException{
	{name: alb.RuleTagKeyAlbkitPrefix, rule: alb.RuleTagKeyAlbkitPrefix,
		reason: "albkit's own prefix: a user tag albkit:… could collide with or fake albkit's tags " + alb.TokenTagKey + " and " + alb.SpecTagKey},
	{name: alb.RuleTagKeyUnique, rule: alb.RuleTagKeyUnique,
		reason: "a listener holds one value per tag key; what the service does with a repeated key is not documented, so albkit refuses the ambiguity"},
	{name: "text that is not UTF-8",
		reason: "the SDK sends each invalid UTF-8 byte as U+FFFD: the service never sees the spec's bytes, and what it keeps never matches the spec; albkit refuses a tag (tag-utf8) or description it cannot send as written",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			return fe.Rule == alb.RuleTagUTF8 || fe.Rule == alb.RuleListenerDescription && !utf8.ValidString(s.Description)
		}},
	{name: "trusted proxies written together", rule: alb.RuleListenerXFFTrustedFormat,
		reason: "albkit sends the trusted proxies comma-separated (GUESS) and asks for one address or CIDR block per entry: an entry \"10.0.0.1,10.0.0.2\" is two entries written as one, which the service would read as two",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			v, ok := fieldValue(s, fe.Field)
			if !ok || !strings.Contains(v, ",") {
				return false
			}
			for _, part := range strings.Split(v, ",") {
				if _, err := netip.ParsePrefix(part); err != nil {
					if a, err := netip.ParseAddr(part); err != nil || a.Zone() != "" {
						return false
					}
				}
			}
			return true
		}},
	{name: "empty list entries",
		reason: "the emulator takes an empty string in a list as absent (GUESS: the Terraform provider sends \"\" for what it leaves unset) and keeps the list's other entries; albkit refuses an empty certificate ID or trusted proxy, which it would otherwise keep in the spec and never read back",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			v, ok := fieldValue(s, fe.Field)
			return ok && v == "" && (strings.HasPrefix(fe.Field, "AdditionalCertificateIDs[") || strings.HasPrefix(fe.Field, "XForwardedFor.TrustedProxies["))
		}},
	{name: alb.RuleListenerRuleMembershipEnum, rule: alb.RuleListenerRuleMembershipEnum, reason: "RuleMembership is albkit's own field: nothing of it is sent"},
	{name: "AbsentRules", reason: "AbsentRules is albkit's own field: nothing of it is sent",
		applies: func(_ alb.ListenerSpec, fe *alb.FieldError) bool { return strings.HasPrefix(fe.Field, "AbsentRules[") }},
	{name: alb.RuleListenerCertificateUnique, rule: alb.RuleListenerCertificateUnique,
		reason: "AssociateAdditionalCertificatesWithListener takes a certificate the listener has (the default one, or one listed twice) as a no-op (GUESS, as adding a server again): albkit refuses the listing, which DiffListener could never read back"},
	{name: "settings turned off where the protocol lacks them",
		reason: "DisableHTTP2 (Http2Enabled=false) on an HTTP or QUIC listener and XForwardedFor.Disabled (XForwardedForEnabled=false) on a QUIC listener ask for what the protocol has anyway; the emulator (GUESS, as the service) refuses such a switch only turned on, albkit refuses the setting as one the protocol does not take (remove it)",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			return fe.Rule == alb.RuleListenerHTTP2HTTPSOnly ||
				fe.Rule == alb.RuleListenerXFFProtocol && fe.Field == "XForwardedFor.Disabled"
		}},
	{name: "unsent X-Forwarded-For mode",
		reason: "albkit sends the X-Forwarded-For mode only when it is remove (append is the default) and refuses a mode the protocol does not take or that X-Forwarded-For off makes moot (SDK: \"takes effect only when\"), which the service never sees",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			return fe.Field == "XForwardedFor.Mode" && (fe.Rule == alb.RuleListenerXFFModeNeedsXFF ||
				fe.Rule == alb.RuleListenerXFFProtocol && s.XForwardedFor.Mode == alb.XForwardedForAppend)
		}},
	{name: alb.RuleListenerXFFTrustedNeedsSourceIPs, rule: alb.RuleListenerXFFTrustedNeedsSourceIPs,
		reason: "trusted proxies take effect only with XForwardedForClientSourceIpsEnabled (SDK); the emulator keeps them anyway: albkit refuses what would do nothing"},
	{name: "unsent client certificate header names",
		reason: "albkit sends a client certificate header's name only with the header enabled, and refuses a name it would drop (RuleListenerXFFAliasNeedsEnabled; its format is then never seen by the service)",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			h, ok := certHeader(s, fe.Field)
			return ok && !h.Enabled && strings.HasSuffix(fe.Field, ".Alias")
		}},
}

// certHeader returns the client certificate header a field path such as
// "XForwardedFor.ClientCertIssuerDN.Alias" names.
func certHeader(s alb.ListenerSpec, field string) (alb.ClientCertHeader, bool) {
	x := s.XForwardedFor
	for name, h := range map[string]alb.ClientCertHeader{"ClientCertSubjectDN": x.ClientCertSubjectDN, "ClientCertIssuerDN": x.ClientCertIssuerDN,
		"ClientCertFingerprint": x.ClientCertFingerprint, "ClientCertClientVerify": x.ClientCertClientVerify} {
		if strings.HasPrefix(field, "XForwardedFor."+name+".") {
			return h, true
		}
	}
	return alb.ClientCertHeader{}, false
}

func lsnExcepted(s alb.ListenerSpec, fe *alb.FieldError) bool {
	return exceptedBy(lsnPolicyExceptions, s, fe)
}

// lsnOutcome is what one listener spec did on each side.
type lsnOutcome struct {
	spec      alb.ListenerSpec
	facts     alb.ListenerFacts
	local     []*alb.FieldError // CheckListener's blocking findings
	step      string            // the emulator's call that answered code
	code, msg string            // "OK" when the emulator took everything
	listener  *alb.Listener
	certs     []alb.ListenerCertificate
}

func (o lsnOutcome) String() string {
	return fmt.Sprintf("local: %s\nemulator: %s %s: %s", fieldErrorsString(o.local), o.step, o.code, o.msg)
}

// runListener sends spec to the emulator (see the top of this file).
func (w *diffWorld) runListener(t testing.TB, spec alb.ListenerSpec) lsnOutcome {
	t.Helper()
	o := lsnOutcome{spec: spec, facts: w.regionFacts}
	if in := w.instanceOf(spec.LoadBalancerID); in != nil {
		o.facts = in.facts
	}
	o.local = blocking(alb.CheckListener(spec, o.facts))
	token := spec.IdempotencyKey
	if token == "" {
		token = defaultToken
	}
	o.step = "CreateListener"
	_, err := w.sdk.CreateListener(spec.CreateListenerRequestForTest(token, true))
	if err == nil {
		t.Fatalf("DryRun CreateListener succeeded without DryRunOperation for %#v", spec)
	}
	if o.code, o.msg = apiCode(t, o.step, err); o.code != "DryRunOperation" {
		return o
	}
	resp, err := w.sdk.CreateListener(spec.CreateListenerRequestForTest(w.token(), false))
	if err != nil {
		o.code, o.msg = apiCode(t, o.step, err)
		t.Fatalf("CreateListener passed its DryRun but failed: %s", o)
	}
	id := tea.StringValue(resp.Body.ListenerId)
	defer func() {
		if _, err := w.sdk.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: tea.String(id)}); err != nil {
			t.Fatalf("DeleteListener %s: %v", id, err)
		}
	}()
	o.step = "AssociateAdditionalCertificatesWithListener"
	for i := 0; i < len(spec.AdditionalCertificateIDs); i += alb.MaxCertificatesPerCall {
		batch := spec.AdditionalCertificateIDs[i:min(i+alb.MaxCertificatesPerCall, len(spec.AdditionalCertificateIDs))]
		if _, err := w.sdk.AssociateAdditionalCertificatesWithListener(alb.AssociateCertificatesRequestForTest(id, batch, "", false)); err != nil {
			o.code, o.msg = apiCode(t, o.step, err)
			return o
		}
	}
	o.step, o.code = "", "OK"
	o.listener, o.certs = w.readListener(t, id)
	return o
}

// lsnDisagreement returns "" when both sides agree, else what is wrong.
func lsnDisagreement(o lsnOutcome) string {
	accepted := o.code == "OK"
	if len(o.local) == 0 {
		if accepted || lsnFactsLevel(o) {
			return ""
		}
		return "locally valid, but the emulator refuses it with a code CheckListener's facts should predict"
	}
	if !accepted {
		return ""
	}
	return acceptedButInvalid(o.local, func(fe *alb.FieldError) bool { return lsnExcepted(o.spec, fe) })
}

// lsnReadBackProblem checks what the emulator accepted.
func lsnReadBackProblem(o lsnOutcome) string {
	if o.code != "OK" {
		return ""
	}
	back := alb.SpecFromListener(o.listener, o.certs, nil)
	if err := back.Validate(); err != nil {
		for _, fe := range fieldErrors(err) {
			if !lsnExcepted(back, fe) {
				return fmt.Sprintf("the spec read back is invalid: %v\nread back: %#v", err, back)
			}
		}
		return ""
	}
	if p := alb.DiffListener(back, o.listener, o.certs, nil); !p.Empty() {
		return "the spec read back does not diff empty:\n" + p.String()
	}
	if len(o.local) == 0 {
		if p := alb.DiffListener(o.spec, o.listener, o.certs, nil); !p.Empty() {
			return fmt.Sprintf("the listener created from a valid spec does not diff empty:\n%s\nlistener: %+v", p, *o.listener)
		}
	}
	return ""
}

// lsnKind names a disagreement for deduplication.
func lsnKind(d string, o lsnOutcome) string {
	kind := d + " / " + o.step + " " + o.code
	if _, rest, ok := strings.Cut(o.msg, "parameter \""); ok {
		kind += " / " + strings.SplitN(rest, "\"", 2)[0]
	}
	if _, rest, ok := strings.Cut(o.msg, "The parameter "); ok {
		kind += " / " + strings.SplitN(rest, " ", 2)[0]
	}
	return kind
}

// genDiffListener builds a listener spec from the chooser: with no
// deviation a valid listener of one of the world's instances on a free
// port. The instance, the protocol and the optional features are drawn
// whatever the deviation rate, so that valid specs cover them; deviations
// break formats, ranges, per-protocol rules, editions and references.
func genDiffListener(c *chooser, w *diffWorld) alb.ListenerSpec {
	ei := c.any(len(diffEditions))
	ed := diffEditions[ei]
	in, other := w.instances[ed], w.instances[diffEditions[(ei+1)%len(diffEditions)]]
	proto := []alb.ListenerProtocol{alb.ListenerHTTP, alb.ListenerHTTPS, alb.ListenerQUIC}[c.any(3)]
	https, tls := proto == alb.ListenerHTTPS, proto != alb.ListenerHTTP
	g := w.groups
	standard := ed != alb.EditionBasic

	s := alb.NewListenerSpec(in.id, proto, 1024+c.any(256))
	s.LoadBalancerID = c.oneOf(in.id, "", "alb-nope", "lb-1", strings.ToUpper(in.id), other.id)
	s.Protocol = alb.ListenerProtocol(c.oneOf(string(proto), "", "http", "TCP", "HTTP2"))
	if d := c.pick(9); d != 0 {
		s.Port = []int{0, -1, 65536, 1, 65535, 80, 443, 8443}[d-1]
	}

	// The default action: groups the listener can use, or deviations.
	valid := [][]string{{g.http}, {g.http, g.http2}, {g.fc}}
	if https {
		valid = append(valid, []string{g.https})
	}
	if tls {
		valid = append(valid, []string{g.grpc})
	}
	if standard {
		valid = append(valid, []string{g.slow}, []string{g.drain, g.http}, []string{g.crossZoneOff})
	}
	s.DefaultServerGroupIDs = valid[c.any(len(valid))]
	if d := c.pick(12); d != 0 {
		s.DefaultServerGroupIDs = [][]string{nil, {""}, {g.http, g.http}, {g.otherVPC}, {g.https}, {g.grpc}, {g.slow}, {g.drain},
			{g.crossZoneOff}, {"sgp-nope"}, {g.http, g.http2, g.https, g.grpc, g.fc, g.otherVPC}}[d-1]
	}

	s.Description = lsnDescription(c)
	timeouts := []int{0, 0, 1, 15, 60, 600}
	s.IdleTimeoutSeconds = timeouts[c.any(len(timeouts))]
	s.RequestTimeoutSeconds = timeouts[c.any(len(timeouts))]
	if d := c.pick(6); d != 0 {
		s.IdleTimeoutSeconds = []int{-1, 601, 900, 61, 181}[d-1]
	}
	if d := c.pick(6); d != 0 {
		s.RequestTimeoutSeconds = []int{-1, 601, 900, 61, 181}[d-1]
	}
	s.DisableGzip = c.any(3) == 0
	s.DisableHTTP2 = https && c.any(4) == 0 || c.pick(2) == 1

	if https {
		s.SecurityPolicyID = []string{"", "", albtest.PolicyTLS12, albtest.PolicyTLS12StrictWith13, albtest.PolicyTLS10, w.policy}[c.any(6)]
	}
	s.SecurityPolicyID = c.oneOf(s.SecurityPolicyID, albtest.PolicyTLS11, w.policy, "scp-nope", "tls_cipher_policy_9_9", "policy", "TLS_CIPHER_POLICY_1_0", "")

	certs := []string{albtest.CertificateExample, albtest.CertificateAPI, albtest.CertificateOrg}
	if tls {
		s.DefaultCertificateID = certs[c.any(3)]
	}
	s.DefaultCertificateID = c.oneOf(s.DefaultCertificateID, "", albtest.CertificateExpired, albtest.CertificateCA, "12315799999", "cert-1", albtest.CertificateAPI)
	if tls {
		s.AdditionalCertificateIDs = [][]string{nil, nil, {albtest.CertificateAPI}, {albtest.CertificateOrg, albtest.CertificateAPI}}[c.any(4)]
		s.AdditionalCertificateIDs = slices.DeleteFunc(s.AdditionalCertificateIDs, func(id string) bool { return id == s.DefaultCertificateID })
	}
	if d := c.pick(8); d != 0 {
		s.AdditionalCertificateIDs = append(s.AdditionalCertificateIDs, []string{albtest.CertificateExpired, albtest.CertificateCA,
			s.DefaultCertificateID, albtest.CertificateOrg, "", "12315799999", albtest.CertificateExample}[d-1])
	}

	if https && c.any(4) == 0 {
		s.CACertificateIDs = []string{albtest.CertificateCA}
	}
	if d := c.pick(6); d != 0 {
		s.CACertificateIDs = [][]string{{albtest.CertificateCA}, {albtest.CertificateExample}, {""}, {albtest.CertificateCA, albtest.CertificateCA}, nil}[d-1]
	}
	if https && c.any(4) == 0 {
		s.QUICListenerID = in.quic
	}
	s.QUICListenerID = c.oneOf(s.QUICListenerID, in.quic, in.quicTaken, in.http, other.quic, "lsn-nope", "q", "")

	s.XForwardedFor = genXFF(c, proto)

	for i := range []int{0, 0, 1, 2}[c.any(4)] {
		s.Tags = append(s.Tags, alb.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
	}
	if d := c.pick(5); d != 0 {
		s.Tags = nil
		for i := range []int{1, 3, 18, 19}[d-1] {
			s.Tags = append(s.Tags, alb.Tag{Key: c.tagKey(i, s.Tags), Value: c.tagValue()})
		}
	}
	s.IdempotencyKey = c.idempotencyKey()
	s.RuleMembership = alb.Membership(c.oneOf("", "Owned", "Shared", "Exclusive"))
	if d := c.pick(4); d != 0 {
		s.AbsentRules = [][]string{{"old"}, {""}, {"old", "old"}}[d-1]
	}
	return s
}

// lsnDescription returns a description: mostly valid, with deviations
// over the rune classes the format names.
func lsnDescription(c *chooser) string {
	valid := []string{"", "", "web", "web.api_v1-2/3,4;5@6", "负载均衡监听", "Ёлка-负载", "ab"}
	d := valid[c.any(len(valid))]
	switch c.pick(5) {
	case 1:
		return c.oneOf("a", "web listener", "café", "web\t1", "web#1", "web:1", "é负", "ÿÿ")
	case 2:
		return c.oneOf(strings.Repeat("a", 256), strings.Repeat("a", 257), strings.Repeat("负", 256), strings.Repeat("负", 257))
	case 3:
		return c.compose()
	case 4:
		return c.raw(40)
	}
	return d
}

// genXFF draws the X-Forwarded-* settings: each switch on now and then
// where the protocol takes it; a deviation turns on one it does not take.
func genXFF(c *chooser, p alb.ListenerProtocol) alb.XForwardedFor {
	httpOrS := p != alb.ListenerQUIC
	https := p == alb.ListenerHTTPS
	on := func(allowed bool) bool {
		if allowed {
			return c.any(4) == 0
		}
		return c.pick(6) == 1
	}
	x := alb.XForwardedFor{Disabled: on(httpOrS) && c.any(2) == 0, Proto: on(true), SLBID: on(true), SLBPort: on(true), Host: on(true),
		ClientSrcPort: on(httpOrS), ClientSourceIPs: on(httpOrS)}
	if httpOrS && !x.Disabled {
		x.Mode = alb.XForwardedForMode([]string{"", "", "append", "remove"}[c.any(4)])
	}
	x.Mode = alb.XForwardedForMode(c.oneOf(string(x.Mode), "keep", "APPEND", "remove", "append"))
	if x.ClientSourceIPs {
		x.TrustedProxies = [][]string{nil, {"10.0.0.0/8"}, {"10.0.0.1", "2408:4000::/32"}}[c.any(3)]
	}
	if d := c.pick(6); d != 0 {
		x.TrustedProxies = [][]string{{"x"}, {"10.0.0.1,10.0.0.2"}, {"10.0.0.0/33"}, {"fe80::1%eth0"}, {"192.168.0.0/16"}}[d-1]
	}
	for _, h := range []*alb.ClientCertHeader{&x.ClientCertSubjectDN, &x.ClientCertIssuerDN, &x.ClientCertFingerprint, &x.ClientCertClientVerify} {
		h.Enabled = on(https)
		if h.Enabled && c.any(2) == 0 {
			h.Alias = "x-client-cert"
		}
		h.Alias = c.oneOf(h.Alias, "X-Up", strings.Repeat("a", 41), "a b", "ok-name", "")
	}
	return x
}

// FuzzListenerDifferential generates a listener spec from the input bytes
// and checks that albkit's checks and the emulator agree. The first byte
// is the deviation rate: 0 yields valid specs.
func FuzzListenerDifferential(f *testing.F) {
	for _, seed := range [][]byte{{0}, {255}, []byte("\x30 listener differential seed"), []byte("\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f")} {
		f.Add(seed)
	}
	w := newDiffWorld(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		o := w.runListener(t, genDiffListener(newChooser(data), w))
		if d := lsnDisagreement(o); d != "" {
			t.Fatalf("%s\nspec: %#v\n%s", d, o.spec, o)
		}
		if d := lsnReadBackProblem(o); d != "" {
			t.Fatalf("%s\nspec: %#v", d, o.spec)
		}
	})
}

// TestListenerDifferentialRandom runs a deterministic batch of generated
// listener specs.
func TestListenerDifferentialRandom(t *testing.T) {
	n := 700
	if testing.Short() {
		n = 200
	}
	w := newDiffWorld(t)
	rng := rand.New(rand.NewPCG(19, 1903))
	var accepted, facts, invalid, refusedBoth int
	seen := map[string]bool{}
	for i := range n {
		data := randomCase(rng, 32, 200, 24)
		o := w.runListener(t, genDiffListener(newChooser(data), w))
		d := lsnDisagreement(o)
		if d == "" {
			d = lsnReadBackProblem(o)
		}
		if d != "" {
			if kind := lsnKind(d, o); !seen[kind] {
				seen[kind] = true
				t.Errorf("input %d: %s\nspec: %#v\n%s\nregression file for testdata/fuzz/FuzzListenerDifferential:\ngo test fuzz v1\n[]byte(%q)", i, d, o.spec, o, data)
			}
			if len(seen) >= 15 {
				t.FailNow()
			}
			continue
		}
		switch {
		case len(o.local) == 0 && o.code == "OK":
			accepted++
		case len(o.local) == 0:
			facts++
		case o.code != "OK":
			refusedBoth++
			invalid++
		default:
			invalid++
		}
	}
	t.Logf("%d specs: %d accepted by both, %d locally valid and refused on facts, %d locally invalid (%d refused by the emulator too)", n, accepted, facts, invalid, refusedBoth)
	if accepted < n/5 || invalid < n/5 || facts == 0 || refusedBoth < n/10 {
		t.Errorf("generator is lopsided: %d accepted, %d refused on facts, %d locally invalid (%d refused by both) of %d", accepted, facts, invalid, refusedBoth, n)
	}
}

// TestListenerPolicyExceptionsAreReal shows that each listed exception is
// needed and narrow: a spec breaking only that exception's rules is
// refused by albkit and accepted by the emulator (and reads back fine).
// When the emulator starts refusing one, this test says to drop the
// exception.
func TestListenerPolicyExceptionsAreReal(t *testing.T) {
	w := newDiffWorld(t)
	in := w.instances[alb.EditionStandard]
	base := alb.NewListenerSpec(in.id, alb.ListenerHTTP, 2000, w.groups.http)
	https := alb.NewListenerSpec(in.id, alb.ListenerHTTPS, 2001, w.groups.http).WithCertificate(albtest.CertificateExample)
	quic := alb.NewListenerSpec(in.id, alb.ListenerQUIC, 2002, w.groups.http).WithCertificate(albtest.CertificateExample)
	xff := func(s alb.ListenerSpec, x alb.XForwardedFor) alb.ListenerSpec { return s.WithXForwardedFor(x) }
	cases := map[string][]alb.ListenerSpec{
		alb.RuleTagKeyAlbkitPrefix:         {base.WithTag("albkit:owner", "x")},
		alb.RuleTagKeyUnique:               {base.WithTag("env", "a").WithTag("env", "b")},
		alb.RuleListenerRuleMembershipEnum: {base.WithRuleMembership("Exclusive")},
		"AbsentRules":                      {base.WithAbsentRules(""), base.WithAbsentRules("old", "old")},
		alb.RuleListenerCertificateUnique: {https.WithAdditionalCertificates(albtest.CertificateExample),
			https.WithAdditionalCertificates(albtest.CertificateAPI, albtest.CertificateAPI)},
		"settings turned off where the protocol lacks them": {base.WithoutHTTP2(), quic.WithoutHTTP2(), xff(quic, alb.XForwardedFor{Disabled: true})},
		"unsent X-Forwarded-For mode": {xff(base, alb.XForwardedFor{Disabled: true, Mode: alb.XForwardedForRemove}),
			xff(quic, alb.XForwardedFor{Mode: alb.XForwardedForAppend})},
		alb.RuleListenerXFFTrustedNeedsSourceIPs: {xff(base, alb.XForwardedFor{TrustedProxies: []string{"10.0.0.0/8"}})},
		"unsent client certificate header names": {xff(https, alb.XForwardedFor{ClientCertSubjectDN: alb.ClientCertHeader{Alias: "subject"}}),
			xff(https, alb.XForwardedFor{ClientCertFingerprint: alb.ClientCertHeader{Alias: "Bad Alias"}})},
		"text that is not UTF-8":           {base.WithTag("env\xff", "v"), base.WithTag("env", "v\xfe"), base.WithDescription("caf\xe9-web")},
		"trusted proxies written together": {xff(base, alb.XForwardedFor{ClientSourceIPs: true, TrustedProxies: []string{"10.0.0.1,10.0.0.0/24"}})},
		"empty list entries": {https.WithAdditionalCertificates(albtest.CertificateAPI, ""),
			xff(base, alb.XForwardedFor{ClientSourceIPs: true, TrustedProxies: []string{"", "10.0.0.0/8"}})},
	}
	checkExceptionCases(t, lsnPolicyExceptions, cases, func(spec alb.ListenerSpec) exceptionRun[alb.ListenerSpec] {
		o := w.runListener(t, spec)
		return exceptionRun[alb.ListenerSpec]{spec: spec, local: o.local, code: o.code, readBack: lsnReadBackProblem(o), outcome: o}
	})
	// The exceptions are narrow: the same rules elsewhere are refused by
	// both sides.
	for name, spec := range map[string]alb.ListenerSpec{
		"a description not UTF-8 with a '#'":          base.WithDescription("caf\xe9#"),
		"trusted proxies together, one of them wrong": xff(base, alb.XForwardedFor{ClientSourceIPs: true, TrustedProxies: []string{"10.0.0.1,x"}}),
		"a client source port on QUIC":                xff(quic, alb.XForwardedFor{ClientSrcPort: true}),
		"an enabled header with a bad name":           xff(https, alb.XForwardedFor{ClientCertIssuerDN: alb.ClientCertHeader{Enabled: true, Alias: "Bad Alias"}}),
		"the remove mode on QUIC":                     xff(quic, alb.XForwardedFor{Mode: alb.XForwardedForRemove}),
		"a client certificate header on HTTP":         xff(base, alb.XForwardedFor{ClientCertClientVerify: alb.ClientCertHeader{Enabled: true}}),
		"an empty default server group beside one":    func() alb.ListenerSpec { s := base; s.DefaultServerGroupIDs = []string{w.groups.http, ""}; return s }(),
		"an empty mutual TLS CA":                      https.WithMutualTLS(""),
	} {
		o := w.runListener(t, spec)
		if len(o.local) == 0 || o.code == "OK" || lsnDisagreement(o) != "" {
			t.Errorf("%s: %s", name, o)
		}
	}
}

// TestListenerDifferentialRegressions pins what the listener differential
// test found or must keep finding, as specs independent of the
// generator: each side's answer is checked, not only their agreement.
func TestListenerDifferentialRegressions(t *testing.T) {
	w := newDiffWorld(t)
	std, basic := w.instances[alb.EditionStandard], w.instances[alb.EditionBasic]
	g := w.groups
	base := alb.NewListenerSpec(std.id, alb.ListenerHTTP, 3000, g.http)
	https := alb.NewListenerSpec(std.id, alb.ListenerHTTPS, 3001, g.http).WithCertificate(albtest.CertificateExample)
	basicHTTPS := alb.NewListenerSpec(basic.id, alb.ListenerHTTPS, 3001, g.http).WithCertificate(albtest.CertificateExample)
	with := func(s alb.ListenerSpec, m func(*alb.ListenerSpec)) alb.ListenerSpec { m(&s); return s }
	cases := []struct {
		name string
		spec alb.ListenerSpec
		rule string // the local rule broken, "" when albkit accepts it
		code string // the emulator's answer ("OK": created, certificates associated)
	}{
		// Both accept.
		{"Chinese description", base.WithDescription("负载均衡监听"), "", "OK"},
		{"timeouts of 600 s (the reference's, not the SDK's 60 and 180)", base.WithTimeouts(600, 600), "", "OK"},
		{"HTTPS with everything", https.WithAdditionalCertificates(albtest.CertificateAPI, albtest.CertificateOrg).WithMutualTLS(albtest.CertificateCA).
			WithSecurityPolicy(w.policy).WithQUICUpgrade(std.quic).WithoutHTTP2().WithXForwardedFor(alb.XForwardedFor{Proto: true, ClientSourceIPs: true,
			TrustedProxies: []string{"10.0.0.0/8", "2408:4000::/32"}, ClientCertSubjectDN: alb.ClientCertHeader{Enabled: true, Alias: "x-subject"}}), "", "OK"},
		{"QUIC listener on a port an HTTPS listener has", alb.NewListenerSpec(std.id, alb.ListenerQUIC, 80, g.grpc).WithCertificate(albtest.CertificateOrg), "", "OK"},
		// Found by the differential test, fixed in the emulator.
		{"description with a Latin-1 letter", base.WithDescription("café"), alb.RuleListenerDescription, "InvalidParameter"},
		{"trusted proxy with an IPv6 zone", base.WithXForwardedFor(alb.XForwardedFor{ClientSourceIPs: true, TrustedProxies: []string{"fe80::1%eth0"}}),
			alb.RuleListenerXFFTrustedFormat, "InvalidParameter"},
		// Found by the differential test, fixed in albkit.
		{"QUIC upgrade to a listener another listener advertises", https.WithQUICUpgrade(std.quicTaken), alb.RuleListenerQUICListenerUsable, "ResourceInUse.Listener"},
		{"QUIC upgrade to an HTTP listener", https.WithQUICUpgrade(std.http), alb.RuleListenerQUICListenerUsable, "InvalidParameter"},
		{"QUIC upgrade to another instance's QUIC listener", https.WithQUICUpgrade(basic.quic), alb.RuleListenerQUICListenerUsable, "InvalidParameter"},
		{"QUIC upgrade to no listener", https.WithQUICUpgrade("lsn-nope"), alb.RuleListenerQUICListenerUsable, "ResourceNotFound.Listener"},
		{"tag key not UTF-8 (sent as U+FFFD)", base.WithTag("'dp\xab\xa6", "v"), alb.RuleTagUTF8, "OK"},
		// Both refuse: editions and references.
		{"custom TLS policy on Basic", basicHTTPS.WithSecurityPolicy(w.policy), alb.RuleListenerSecurityPolicyEdition, "OperationDenied.LoadBalancerEdition"},
		{"slow-start group on Basic", with(basicHTTPS, func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{g.slow} }),
			alb.RuleServerGroupSlowStartEdition, "OperationDenied.LoadBalancerEdition"},
		{"cross-zone-off group on Basic", with(basicHTTPS, func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{g.crossZoneOff} }),
			alb.RuleServerGroupCrossZoneOffEdition, "OperationDenied.LoadBalancerEdition"},
		{"group of another VPC", with(base, func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{g.otherVPC} }), alb.RuleListenerServerGroupVPC, "Mismatch.VpcId"},
		{"HTTPS group behind HTTP", with(base, func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{g.https} }), alb.RuleListenerServerGroupProtocol, "Mismatch.ServerGroupProtocol"},
		{"gRPC group behind HTTP", with(base, func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{g.grpc} }), alb.RuleListenerServerGroupProtocol, "Mismatch.ServerGroupProtocol"},
		{"unknown group", with(base, func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-nope"} }), alb.RuleListenerServerGroupExists, "ResourceNotFound.ServerGroup"},
		{"HTTP on the HTTPS listener's port", with(base, func(s *alb.ListenerSpec) { s.Port = 443 }), alb.RuleListenerPortUnique, "ResourceAlreadyExist.Listener"},
		{"HTTPS without a certificate", with(https, func(s *alb.ListenerSpec) { s.DefaultCertificateID = "" }), alb.RuleListenerCertificateRequired, "MissingParameter"},
		{"request timeout of 601 s", base.WithTimeouts(0, 601), alb.RuleListenerRequestTimeout, "InvalidParameter"},
		// Facts CheckListener is not given.
		{"expired certificate", https.WithCertificate(albtest.CertificateExpired), "", "IncorrectStatus.Certificate"},
		{"CA certificate as the server certificate", https.WithCertificate(albtest.CertificateCA), "", "InvalidParameter"},
		{"unknown certificate", https.WithAdditionalCertificates("12315799999"), "", "ResourceNotFound.Certificate"},
		{"unknown system policy", https.WithSecurityPolicy("tls_cipher_policy_9_9"), "", "ResourceNotFound.SecurityPolicy"},
		{"unknown instance", with(base, func(s *alb.ListenerSpec) { s.LoadBalancerID = "alb-nope" }), "", "ResourceNotFound.LoadBalancer"},
		{"the HTTPS listener again (an update, not a create)", with(https, func(s *alb.ListenerSpec) { s.Port = 443 }), "", "ResourceAlreadyExist.Listener"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := w.runListener(t, c.spec)
			if d := lsnDisagreement(o); d != "" {
				t.Fatalf("%s\n%s", d, o)
			}
			if d := lsnReadBackProblem(o); d != "" {
				t.Fatal(d)
			}
			switch {
			case c.rule == "" && len(o.local) > 0:
				t.Errorf("albkit refused it: %s", fieldErrorsString(o.local))
			case c.rule != "" && !hasFieldRule(o.local, c.rule):
				t.Errorf("albkit did not report %s: %s", c.rule, fieldErrorsString(o.local))
			}
			if o.code != c.code {
				t.Errorf("the emulator answered %s", o)
			}
		})
	}
}

// TestListenerDisagreementClassifier checks the verdicts the listener
// differential test relies on, on hand-made outcomes.
func TestListenerDisagreementClassifier(t *testing.T) {
	spec := alb.NewListenerSpec("alb-1", alb.ListenerHTTPS, 443, "sgp-1").WithCertificate("1")
	facts := alb.ListenerFacts{Listeners: []alb.Listener{{ID: "lsn-1", Protocol: alb.ListenerHTTPS, Port: 443}, {ID: "lsn-2", Protocol: alb.ListenerHTTP, Port: 80}}}
	invalid := []*alb.FieldError{{Field: "Port", Rule: alb.RuleListenerPort}}
	excused := []*alb.FieldError{{Field: "Tags[0].Key", Rule: alb.RuleTagKeyAlbkitPrefix}}
	http2 := []*alb.FieldError{{Field: "DisableHTTP2", Rule: alb.RuleListenerHTTP2HTTPSOnly}}
	modeAppend := spec.WithXForwardedFor(alb.XForwardedFor{Mode: alb.XForwardedForAppend})
	modeErr := []*alb.FieldError{{Field: "XForwardedFor.Mode", Rule: alb.RuleListenerXFFProtocol}}
	on80 := spec
	on80.Port = 80
	for i, c := range []struct {
		o     lsnOutcome
		agree bool
	}{
		{lsnOutcome{spec: spec, code: "OK"}, true},
		{lsnOutcome{spec: spec, code: "ResourceNotFound.Certificate"}, true},
		{lsnOutcome{spec: spec, code: "InvalidParameter", msg: "The certificate 1 given in Certificates is a Ca certificate, not a Server certificate."}, true},
		{lsnOutcome{spec: spec, code: "InvalidParameter", msg: "The QuicListenerId lsn-1 is not a QUIC listener of alb-1."}, false},
		{lsnOutcome{spec: spec, code: "Mismatch.VpcId"}, false},
		{lsnOutcome{spec: spec, facts: facts, code: "ResourceAlreadyExist.Listener"}, true}, // the listener itself: an update
		{lsnOutcome{spec: on80, facts: facts, code: "ResourceAlreadyExist.Listener"}, false},
		{lsnOutcome{spec: spec, local: invalid, code: "InvalidParameter"}, true},
		{lsnOutcome{spec: spec, local: invalid, code: "OK"}, false},
		{lsnOutcome{spec: spec, local: excused, code: "OK"}, true},
		{lsnOutcome{spec: spec, local: http2, code: "OK"}, true},
		{lsnOutcome{spec: modeAppend, local: modeErr, code: "OK"}, true},
		{lsnOutcome{spec: spec.WithXForwardedFor(alb.XForwardedFor{Mode: alb.XForwardedForRemove}), local: modeErr, code: "OK"}, false},
	} {
		if got := lsnDisagreement(c.o) == ""; got != c.agree {
			t.Errorf("case %d: agree = %v, want %v for %s", i, got, c.agree, c.o)
		}
	}

}
