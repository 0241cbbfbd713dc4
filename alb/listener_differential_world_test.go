package alb_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// The world the listener, rule and security policy differential tests
// run in: one emulator (Immediate transitions: every write is done when it
// answers) holding, made through the official SDK with the requests albkit
// builds,
//
//   - an instance of each edition in albtest's default VPC;
//   - server groups of every kind a listener may meet: HTTP (two), HTTPS,
//     gRPC and Fc groups, an HTTP group of another VPC, and groups with
//     slow start, connection draining or cross-zone load balancing off
//     (features a Basic instance lacks);
//   - a custom TLS security policy;
//   - on each instance an HTTP listener on port 80, a QUIC listener on 443
//     that no listener advertises, a QUIC listener on 8443 and an HTTPS
//     listener on 443 that advertises it (QUIC upgrade);
//
// and the facts albkit's CheckListener takes about each instance, read
// back through the SDK.

// diffEditions are the editions of the world's instances, in the order
// generators draw them.
var diffEditions = []alb.Edition{alb.EditionStandard, alb.EditionBasic, alb.EditionStandardWithWAF}

// diffInstance is one instance of the world and its listeners.
type diffInstance struct {
	edition   alb.Edition
	id        string
	http      string // HTTP:80
	https     string // HTTPS:443, advertising quicTaken
	quic      string // QUIC:443, advertised by no listener
	quicTaken string // QUIC:8443, advertised by https
	facts     alb.ListenerFacts
}

// diffWorld is the emulator and what it holds.
type diffWorld struct {
	srv       *albtest.Server
	sdk       *albsdk.Client
	instances map[alb.Edition]*diffInstance
	groups    diffGroups
	policy    string // a custom TLS security policy
	// regionFacts are the facts of an instance the world does not have:
	// the region's server groups only.
	regionFacts alb.ListenerFacts
	n           int // writes so far, for unique client tokens
}

// diffGroups are the world's server groups by what they are.
type diffGroups struct {
	http, http2     string // HTTP groups of the instances' VPC
	https, grpc, fc string // backend protocols HTTP listeners cannot use, an Fc group
	otherVPC        string // an HTTP group of another VPC
	slow, drain     string // slow start, connection draining (Standard features)
	crossZoneOff    string // cross-zone load balancing off (a Standard feature)
}

// fnARN0 is the function of the world's Fc group.
const fnARN0 = "acs:fc:cn-hangzhou:1234567890:services/web.LATEST/functions/diff"

// newDiffWorld builds the world in a fresh emulator.
func newDiffWorld(tb testing.TB) *diffWorld {
	tb.Helper()
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(64))
	tb.Cleanup(srv.Close)
	w := &diffWorld{srv: srv, sdk: srv.ALBClient(), instances: map[alb.Edition]*diffInstance{}}

	base := alb.NewServerGroupSpec("diff-http", alb.ServerGroupInstance, albtest.DefaultVPCID)
	g := &w.groups
	g.http = w.createGroup(tb, base)
	g.http2 = w.createGroup(tb, base.WithProtocol(alb.BackendHTTP))
	g.https = w.createGroup(tb, base.WithProtocol(alb.BackendHTTPS))
	g.grpc = w.createGroup(tb, base.WithProtocol(alb.BackendGRPC))
	g.fc = w.createGroup(tb, alb.NewServerGroupSpec("diff-fc", alb.ServerGroupFc, ""))
	g.otherVPC = w.createGroup(tb, alb.NewServerGroupSpec("diff-other", alb.ServerGroupInstance, albtest.DefaultOtherVPCID))
	g.slow = w.createGroup(tb, base.WithSlowStart(30))
	g.drain = w.createGroup(tb, base.WithConnectionDrain(300))
	g.crossZoneOff = w.createGroup(tb, base.WithoutCrossZone())

	pol := alb.NewSecurityPolicySpec("diff-custom", []alb.TLSVersion{alb.TLS12, alb.TLS13}, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256")
	resp, err := w.sdk.CreateSecurityPolicy(pol.CreateRequestForTest(w.token(), false))
	if err != nil {
		tb.Fatalf("CreateSecurityPolicy: %v", err)
	}
	w.policy = tea.StringValue(resp.Body.SecurityPolicyId)

	for _, ed := range diffEditions {
		in := &diffInstance{edition: ed}
		spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, ed,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName("diff-" + string(ed))
		r, err := w.sdk.CreateLoadBalancer(alb.CreateRequestForTest(spec, w.token(), false))
		if err != nil {
			tb.Fatalf("CreateLoadBalancer %s: %v", ed, err)
		}
		in.id = tea.StringValue(r.Body.LoadBalancerId)
		in.http = w.createListener(tb, alb.NewListenerSpec(in.id, alb.ListenerHTTP, 80, g.http))
		in.quic = w.createListener(tb, alb.NewListenerSpec(in.id, alb.ListenerQUIC, 443, g.http).WithCertificate(albtest.CertificateExample))
		in.quicTaken = w.createListener(tb, alb.NewListenerSpec(in.id, alb.ListenerQUIC, 8443, g.http).WithCertificate(albtest.CertificateExample))
		in.https = w.createListener(tb, alb.NewListenerSpec(in.id, alb.ListenerHTTPS, 443, g.http).
			WithCertificate(albtest.CertificateExample).WithQUICUpgrade(in.quicTaken))
		w.instances[ed] = in
	}
	groups := w.readGroups(tb)
	w.regionFacts = alb.ListenerFacts{ServerGroups: groups}
	for _, in := range w.instances {
		in.facts = alb.ListenerFacts{Edition: in.edition, VPCID: albtest.DefaultVPCID, Listeners: w.readListeners(tb, in.id), ServerGroups: groups}
	}
	return w
}

// token returns a fresh client token.
func (w *diffWorld) token() string {
	w.n++
	return fmt.Sprintf("diff-%d", w.n)
}

func (w *diffWorld) createGroup(tb testing.TB, spec alb.ServerGroupSpec) string {
	tb.Helper()
	resp, err := w.sdk.CreateServerGroup(alb.CreateServerGroupRequestForTest(spec, w.token(), false))
	if err != nil {
		tb.Fatalf("CreateServerGroup %s: %v", spec.Name, err)
	}
	id := tea.StringValue(resp.Body.ServerGroupId)
	if spec.Type == alb.ServerGroupFc {
		if _, err := w.sdk.AddServersToServerGroup(alb.AddServersRequestForTest(id, []alb.Server{alb.FcServer(fnARN0)}, "", false)); err != nil {
			tb.Fatalf("AddServersToServerGroup %s: %v", id, err)
		}
	}
	return id
}

func (w *diffWorld) createListener(tb testing.TB, spec alb.ListenerSpec) string {
	tb.Helper()
	if err := spec.Validate(); err != nil {
		tb.Fatalf("world listener: %v", err)
	}
	resp, err := w.sdk.CreateListener(spec.CreateListenerRequestForTest(w.token(), false))
	if err != nil {
		tb.Fatalf("CreateListener %s:%d: %v", spec.Protocol, spec.Port, err)
	}
	return tea.StringValue(resp.Body.ListenerId)
}

// readGroups returns every server group of the region by ID.
func (w *diffWorld) readGroups(tb testing.TB) map[string]alb.ServerGroup {
	tb.Helper()
	r, err := w.sdk.ListServerGroups(&albsdk.ListServerGroupsRequest{MaxResults: tea.Int32(100)})
	if err != nil {
		tb.Fatalf("ListServerGroups: %v", err)
	}
	out := map[string]alb.ServerGroup{}
	for _, b := range r.Body.ServerGroups {
		g := alb.ServerGroupFromSDKForTest(b)
		out[g.ID] = *g
	}
	return out
}

// readListeners returns the listeners of instance lbID.
func (w *diffWorld) readListeners(tb testing.TB, lbID string) []alb.Listener {
	tb.Helper()
	r, err := w.sdk.ListListeners(&albsdk.ListListenersRequest{LoadBalancerIds: []*string{tea.String(lbID)}, MaxResults: tea.Int32(100)})
	if err != nil {
		tb.Fatalf("ListListeners: %v", err)
	}
	var out []alb.Listener
	for _, b := range r.Body.Listeners {
		out = append(out, *alb.ListenerFromListSDKForTest(b))
	}
	return out
}

// readListener returns a listener (GetListenerAttribute) and its
// certificates (ListListenerCertificates).
func (w *diffWorld) readListener(tb testing.TB, id string) (*alb.Listener, []alb.ListenerCertificate) {
	tb.Helper()
	g, err := w.sdk.GetListenerAttribute(&albsdk.GetListenerAttributeRequest{ListenerId: tea.String(id)})
	if err != nil {
		tb.Fatalf("GetListenerAttribute %s: %v", id, err)
	}
	var certs []alb.ListenerCertificate
	next := ""
	for {
		req := &albsdk.ListListenerCertificatesRequest{ListenerId: tea.String(id), MaxResults: tea.Int32(100)}
		if next != "" {
			req.NextToken = tea.String(next)
		}
		r, err := w.sdk.ListListenerCertificates(req)
		if err != nil {
			tb.Fatalf("ListListenerCertificates %s: %v", id, err)
		}
		for _, c := range r.Body.Certificates {
			certs = append(certs, alb.ListenerCertificateFromSDKForTest(c))
		}
		if next = tea.StringValue(r.Body.NextToken); next == "" {
			return alb.ListenerFromSDKForTest(g.Body), certs
		}
	}
}

// instanceOf returns the world's instance lbID names, or nil.
func (w *diffWorld) instanceOf(lbID string) *diffInstance {
	for _, in := range w.instances {
		if in.id == lbID {
			return in
		}
	}
	return nil
}

// blocking returns CheckListener's blocking findings as field errors
// (Field is the finding's Resource).
func blocking(fs []alb.Finding) []*alb.FieldError {
	var out []*alb.FieldError
	for _, f := range fs {
		if f.Severity == alb.SeverityBlocking {
			out = append(out, &alb.FieldError{Field: f.Resource, Rule: f.Rule, Message: f.Message})
		}
	}
	return out
}

// fieldErrors returns the violations of a Validate error (nil for nil; an
// error that is not a *ValidationError is one violation of no rule).
func fieldErrors(err error) []*alb.FieldError {
	if err == nil {
		return nil
	}
	var ve *alb.ValidationError
	if !errors.As(err, &ve) {
		return []*alb.FieldError{{Message: err.Error()}}
	}
	return ve.Errors
}

// fieldValue returns the string at a field path such as
// "Rules[0].Conditions[1].Values[2]" or "XForwardedFor.TrustedProxies[0]"
// in v (a struct), following pointers; false when the path names no
// string.
func fieldValue(v any, path string) (string, bool) {
	rv := reflect.ValueOf(v)
	for _, part := range strings.Split(path, ".") {
		name, idx, indexed := strings.Cut(part, "[")
		for rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return "", false
			}
			rv = rv.Elem()
		}
		if rv.Kind() != reflect.Struct {
			return "", false
		}
		if rv = rv.FieldByName(name); !rv.IsValid() {
			return "", false
		}
		if indexed {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || rv.Kind() != reflect.Slice || i < 0 || i >= rv.Len() {
				return "", false
			}
			rv = rv.Index(i)
		}
	}
	if rv.Kind() != reflect.String {
		return "", false
	}
	return rv.String(), true
}

// validWithHan reports whether name is a valid name once Chinese
// characters (Unicode script Han) count as letters, and has one.
func validWithHan(name string) bool {
	n, han := 0, false
	for i, r := range name {
		n++
		isHan := unicode.Is(unicode.Han, r)
		han = han || isHan
		letter := isHan || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if i == 0 && !letter || !(letter || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return han && n >= 2 && n <= 128
}

func hasFieldRule(fes []*alb.FieldError, rule string) bool {
	return slices.ContainsFunc(fes, func(fe *alb.FieldError) bool { return fe.Rule == rule })
}

func fieldErrorsString(fes []*alb.FieldError) string {
	if len(fes) == 0 {
		return "valid"
	}
	s := ""
	for i, fe := range fes {
		if i > 0 {
			s += "; "
		}
		s += fe.Field + " [" + fe.Rule + "] " + fe.Message
	}
	return s
}
