package alb_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

const lbID = "alb-1"

// webRule is a valid Request rule: a host and a path, a header inserted,
// a forward.
func webRule() alb.RuleSpec {
	return alb.NewRuleSpec("web", 10, routing.Host("www.example.com"), routing.Path("/api/*")).
		Then(routing.InsertHeader("x-route", "web"), routing.ForwardTo("sgp-1"))
}

// outRule is a valid Response rule.
func outRule() alb.RuleSpec {
	return alb.NewRuleSpec("out", 10, routing.ResponseStatusCode("503")).Then(routing.InsertHeader("x-retry", "1")).OnResponse()
}

// lsnHTTP, lsnHTTPS and lsnQUIC are valid listeners.
func lsnHTTP() alb.ListenerSpec { return alb.NewListenerSpec(lbID, alb.ListenerHTTP, 80, "sgp-1") }

func lsnHTTPS() alb.ListenerSpec {
	return alb.NewListenerSpec(lbID, alb.ListenerHTTPS, 443, "sgp-1").WithCertificate("cert-1")
}

func lsnQUIC() alb.ListenerSpec {
	return alb.NewListenerSpec(lbID, alb.ListenerQUIC, 443, "sgp-1").WithCertificate("cert-1")
}

// ls returns base changed by mods.
func ls(base alb.ListenerSpec, mods ...func(*alb.ListenerSpec)) alb.ListenerSpec {
	s := base
	s.Rules = slices.Clone(base.Rules)
	for _, m := range mods {
		m(&s)
	}
	return s
}

// xff returns base with its X-Forwarded-* configuration changed by m.
func xff(base alb.ListenerSpec, m func(*alb.XForwardedFor)) alb.ListenerSpec {
	return ls(base, func(s *alb.ListenerSpec) { m(&s.XForwardedFor) })
}

// lsnCase is one listener spec that breaks one rule (plus also).
type lsnCase struct {
	name  string
	spec  alb.ListenerSpec
	field string
	rule  string
	also  []fieldRule
}

func lsnInvalidCases() []lsnCase {
	long := strings.Repeat("a", 129)
	https := lsnHTTPS()
	cc := func(h alb.ClientCertHeader) func(*alb.XForwardedFor) {
		return func(x *alb.XForwardedFor) { x.ClientCertSubjectDN = h }
	}
	return []lsnCase{
		// Shared with instances: required, tags, idempotency key.
		{"no instance", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.LoadBalancerID = "" }), "LoadBalancerID", alb.RuleRequired, nil},
		{"no protocol", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Protocol = "" }), "Protocol", alb.RuleRequired, nil},
		{"no port", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Port = 0 }), "Port", alb.RuleRequired, nil},
		{"empty CA certificate", https.WithMutualTLS(""), "CACertificateIDs[0]", alb.RuleRequired, nil},
		{"empty additional certificate", https.WithAdditionalCertificates(""), "AdditionalCertificateIDs[0]", alb.RuleRequired, nil},
		{"empty absent rule", lsnHTTP().WithAbsentRules(""), "AbsentRules[0]", alb.RuleRequired, nil},
		{"19 tags", ls(lsnHTTP(), func(s *alb.ListenerSpec) {
			for i := range 19 {
				s.Tags = append(s.Tags, alb.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
			}
		}), "Tags", alb.RuleTagsMax, nil},
		{"empty tag key", lsnHTTP().WithTag("", "v"), "Tags[0].Key", alb.RuleTagKeyRequired, nil},
		{"tag key too long", lsnHTTP().WithTag(long, "v"), "Tags[0].Key", alb.RuleTagKeyLength, nil},
		{"tag value too long", lsnHTTP().WithTag("k", long), "Tags[0].Value", alb.RuleTagValueLength, nil},
		{"tag key acs:", lsnHTTP().WithTag("acs:x", "v"), "Tags[0].Key", alb.RuleTagKeyReservedPrefix, nil},
		{"tag key albkit:", lsnHTTP().WithTag("albkit:x", "v"), "Tags[0].Key", alb.RuleTagKeyAlbkitPrefix, nil},
		{"tag value aliyun", lsnHTTP().WithTag("k", "aliyun-x"), "Tags[0].Value", alb.RuleTagValueReservedPrefix, nil},
		{"tag with a URL", lsnHTTP().WithTag("k", "http://x"), "Tags[0].Value", alb.RuleTagNoURL, nil},
		{"tag key twice", lsnHTTP().WithTag("env", "a").WithTag("env", "b"), "Tags[1].Key", alb.RuleTagKeyUnique, nil},
		{"tag key not UTF-8", lsnHTTP().WithTag("env\xff", "a"), "Tags[0].Key", alb.RuleTagUTF8, nil},
		{"idempotency key not ASCII", lsnHTTP().WithIdempotencyKey("clé"), "IdempotencyKey", alb.RuleIdempotencyKeyASCII, nil},
		{"idempotency key too long", lsnHTTP().WithIdempotencyKey(strings.Repeat("k", 65)), "IdempotencyKey", alb.RuleIdempotencyKeyLength, nil},
		{"idempotency key with acs:", lsnHTTP().WithIdempotencyKey("acs:k"), "IdempotencyKey", alb.RuleIdempotencyKeyTagValue, nil},

		// The listener.
		{"protocol", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Protocol = "TCP" }), "Protocol", alb.RuleListenerProtocolEnum, nil},
		{"protocol in lower case", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Protocol = "http" }), "Protocol", alb.RuleListenerProtocolEnum, nil},
		{"port 65536", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Port = 65536 }), "Port", alb.RuleListenerPort, nil},
		{"port -1", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Port = -1 }), "Port", alb.RuleListenerPort, nil},
		{"instance ID", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.LoadBalancerID = "lb-1" }), "LoadBalancerID", alb.RuleListenerLoadBalancerIDFormat, nil},
		{"description of one character", lsnHTTP().WithDescription("a"), "Description", alb.RuleListenerDescription, nil},
		{"description with a space", lsnHTTP().WithDescription("web port"), "Description", alb.RuleListenerDescription, nil},
		{"description of 257 characters", lsnHTTP().WithDescription(strings.Repeat("d", 257)), "Description", alb.RuleListenerDescription, nil},
		{"idle timeout 601", lsnHTTP().WithTimeouts(601, 0), "IdleTimeoutSeconds", alb.RuleListenerIdleTimeout, nil},
		{"idle timeout -1", lsnHTTP().WithTimeouts(-1, 0), "IdleTimeoutSeconds", alb.RuleListenerIdleTimeout, nil},
		{"request timeout 601", lsnHTTP().WithTimeouts(0, 601), "RequestTimeoutSeconds", alb.RuleListenerRequestTimeout, nil},
		{"HTTP/2 off on HTTP", lsnHTTP().WithoutHTTP2(), "DisableHTTP2", alb.RuleListenerHTTP2HTTPSOnly, nil},
		{"HTTP/2 off on QUIC", lsnQUIC().WithoutHTTP2(), "DisableHTTP2", alb.RuleListenerHTTP2HTTPSOnly, nil},
		{"TLS policy on HTTP", lsnHTTP().WithSecurityPolicy("tls_cipher_policy_1_2"), "SecurityPolicyID", alb.RuleListenerSecurityPolicyHTTPSOnly, nil},
		{"TLS policy format", https.WithSecurityPolicy("policy-1"), "SecurityPolicyID", alb.RuleListenerSecurityPolicyFormat, nil},
		{"HTTPS without certificate", https.WithCertificate(""), "DefaultCertificateID", alb.RuleListenerCertificateRequired, nil},
		{"QUIC without certificate", lsnQUIC().WithCertificate(""), "DefaultCertificateID", alb.RuleListenerCertificateRequired, nil},
		{"certificate on HTTP", lsnHTTP().WithCertificate("cert-1"), "DefaultCertificateID", alb.RuleListenerCertificateTLSOnly, nil},
		{"additional certificate on HTTP", lsnHTTP().WithAdditionalCertificates("cert-2"), "AdditionalCertificateIDs", alb.RuleListenerCertificateTLSOnly, nil},
		{"additional certificate twice", https.WithAdditionalCertificates("cert-2", "cert-2"), "AdditionalCertificateIDs[1]", alb.RuleListenerCertificateUnique, nil},
		{"default certificate as additional", https.WithAdditionalCertificates("cert-1"), "AdditionalCertificateIDs[0]", alb.RuleListenerCertificateUnique, nil},
		{"mutual TLS on QUIC", lsnQUIC().WithMutualTLS("ca-1"), "CACertificateIDs", alb.RuleListenerCAHTTPSOnly, nil},
		{"two CA certificates", ls(https, func(s *alb.ListenerSpec) { s.CACertificateIDs = []string{"ca-1", "ca-2"} }), "CACertificateIDs", alb.RuleListenerCACertificatesMax, nil},
		{"QUIC upgrade on HTTP", lsnHTTP().WithQUICUpgrade("lsn-quic"), "QUICListenerID", alb.RuleListenerQUICUpgradeHTTPSOnly, nil},
		{"QUIC listener ID", https.WithQUICUpgrade("quic-1"), "QUICListenerID", alb.RuleListenerQUICListenerIDFormat, nil},

		// X-Forwarded-*.
		{"X-Forwarded-For off on QUIC", xff(lsnQUIC(), func(x *alb.XForwardedFor) { x.Disabled = true }), "XForwardedFor.Disabled", alb.RuleListenerXFFProtocol, nil},
		{"client port on QUIC", xff(lsnQUIC(), func(x *alb.XForwardedFor) { x.ClientSrcPort = true }), "XForwardedFor.ClientSrcPort", alb.RuleListenerXFFProtocol, nil},
		{"client certificate on HTTP", xff(lsnHTTP(), cc(alb.ClientCertHeader{Enabled: true})), "XForwardedFor.ClientCertSubjectDN.Enabled", alb.RuleListenerXFFProtocol, nil},
		{"mode", xff(lsnHTTP(), func(x *alb.XForwardedFor) { x.Mode = "replace" }), "XForwardedFor.Mode", alb.RuleListenerXFFModeEnum, nil},
		{"mode while off", xff(lsnHTTP(), func(x *alb.XForwardedFor) { x.Disabled, x.Mode = true, alb.XForwardedForRemove }), "XForwardedFor.Mode", alb.RuleListenerXFFModeNeedsXFF, nil},
		{"trusted proxy", xff(lsnHTTP(), func(x *alb.XForwardedFor) { x.ClientSourceIPs, x.TrustedProxies = true, []string{"10.0.0.0/33"} }), "XForwardedFor.TrustedProxies[0]", alb.RuleListenerXFFTrustedFormat, nil},
		{"trusted proxies in one entry", xff(lsnHTTP(), func(x *alb.XForwardedFor) { x.ClientSourceIPs, x.TrustedProxies = true, []string{"10.0.0.1,10.0.0.2"} }), "XForwardedFor.TrustedProxies[0]", alb.RuleListenerXFFTrustedFormat, nil},
		{"trusted proxies without source IPs", xff(lsnHTTP(), func(x *alb.XForwardedFor) { x.TrustedProxies = []string{"10.0.0.1"} }), "XForwardedFor.TrustedProxies", alb.RuleListenerXFFTrustedNeedsSourceIPs, nil},
		{"header name in capitals", xff(https, cc(alb.ClientCertHeader{Enabled: true, Alias: "X-Subject"})), "XForwardedFor.ClientCertSubjectDN.Alias", alb.RuleListenerXFFAliasFormat, nil},
		{"header name of 41 characters", xff(https, cc(alb.ClientCertHeader{Enabled: true, Alias: strings.Repeat("h", 41)})), "XForwardedFor.ClientCertSubjectDN.Alias", alb.RuleListenerXFFAliasFormat, nil},
		{"header name while off", xff(https, cc(alb.ClientCertHeader{Alias: "subject"})), "XForwardedFor.ClientCertSubjectDN.Alias", alb.RuleListenerXFFAliasNeedsEnabled, nil},

		// Log config.
		{"tracing type", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{Tracing: &alb.ListenerTracing{Type: "Jaeger", SamplingRate: 100}}), "LogConfig.Tracing.Type", alb.RuleListenerTracingType, nil},
		{"tracing sample 0", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{Tracing: &alb.ListenerTracing{}}), "LogConfig.Tracing.SamplingRate", alb.RuleListenerTracingSample, nil},
		{"tracing sample 10001", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{Tracing: &alb.ListenerTracing{SamplingRate: 10001}}), "LogConfig.Tracing.SamplingRate", alb.RuleListenerTracingSample, nil},

		// Rules.
		{"rule membership", lsnHTTP().WithRuleMembership("Exclusive"), "RuleMembership", alb.RuleListenerRuleMembershipEnum, nil},
		{"rule name twice", lsnHTTP().WithRules(webRule(), webRule().WithPriority(20)), "Rules[1].Name", alb.RuleListenerRuleNameUnique, nil},
		{"rule listed and absent", lsnHTTP().WithRules(webRule()).WithAbsentRules("web"), "AbsentRules[0]", alb.RuleListenerAbsentRuleConflict, nil},
		{"absent rule twice", lsnHTTP().WithAbsentRules("old", "old"), "AbsentRules[1]", alb.RuleListenerAbsentRuleConflict, nil},
		{"no default server group", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = nil }), "DefaultServerGroupIDs", routing.RuleDefaultAction, nil},
		{"default server group twice", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-1", "sgp-1"} }), "DefaultServerGroupIDs[1]", routing.RuleDefaultAction, nil},
		{"duplicate priority", lsnHTTP().WithRules(webRule(), alb.NewRuleSpec("api", 10, routing.Path("/b")).Then(routing.ForwardTo("sgp-2"))), "Rules[1].Priority", routing.RulePriorityUnique, nil},
		{"HTTPS listener redirects to HTTP", https.WithRules(alb.NewRuleSpec("down", 5, routing.Path("/x")).Then(routing.Redirect(routing.RedirectConfig{Protocol: "HTTP"}))),
			"Rules[0].Actions[0].Redirect.Protocol", routing.RuleActionRedirectProtocol, nil},
		{"a rule's own violation", lsnHTTP().WithRules(webRule().WithPriority(0)), "Rules[0].Priority", routing.RulePriorityRange, nil},
	}
}

func TestListenerValidateInvalidSpecs(t *testing.T) {
	names := map[string]bool{}
	for _, c := range lsnInvalidCases() {
		if names[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		names[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			err := c.spec.Validate()
			checkInvalid(t, err, append([]fieldRule{{c.field, c.rule}}, c.also...))
			if err != nil && !strings.HasPrefix(err.Error(), "alb: invalid listener spec: ") {
				t.Errorf("Error() = %q, want it to name a listener spec", err)
			}
		})
	}
}

// TestListenerValidSpecs accepts the documented combinations and
// boundaries of every listener rule.
func TestListenerValidSpecs(t *testing.T) {
	allXFF := alb.XForwardedFor{Mode: alb.XForwardedForRemove, Proto: true, SLBID: true, SLBPort: true, Host: true, ClientSrcPort: true,
		ClientSourceIPs: true, TrustedProxies: []string{"10.0.0.1", "192.168.0.0/16", "2408:4000::/32"},
		ClientCertSubjectDN: alb.ClientCertHeader{Enabled: true, Alias: "subject_dn-1"}, ClientCertIssuerDN: alb.ClientCertHeader{Enabled: true},
		ClientCertFingerprint: alb.ClientCertHeader{Enabled: true, Alias: strings.Repeat("f", 40)}, ClientCertClientVerify: alb.ClientCertHeader{Enabled: true}}
	valid := map[string]alb.ListenerSpec{
		"HTTP defaults":       lsnHTTP(),
		"HTTPS defaults":      lsnHTTPS(),
		"QUIC defaults":       lsnQUIC(),
		"ports 1 and 65535":   ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Port = 1 }),
		"port 65535":          ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Port = 65535 }),
		"timeouts 1 and 600":  lsnHTTP().WithTimeouts(1, 600),
		"timeouts 600 and 1":  lsnHTTP().WithTimeouts(600, 1),
		"descriptions":        lsnHTTP().WithDescription("HTTP_80,web;v1/a@b.c-d"),
		"Chinese description": lsnHTTP().WithDescription("负载均衡"),
		"256 characters":      lsnHTTP().WithDescription(strings.Repeat("d", 256)),
		"HTTPS everything": lsnHTTPS().WithoutHTTP2().WithoutGzip().WithSecurityPolicy("tls_cipher_policy_1_2_strict_with_1_3").
			WithAdditionalCertificates("cert-2", "cert-3").WithMutualTLS("ca-1").WithQUICUpgrade("lsn-quic").WithXForwardedFor(allXFF).
			WithTag("env", "prod").WithIdempotencyKey("lsn-key").WithDescription("https"),
		"custom TLS policy":             lsnHTTPS().WithSecurityPolicy("scp-abc123"),
		"QUIC with its headers":         xff(lsnQUIC(), func(x *alb.XForwardedFor) { x.Proto, x.SLBID, x.SLBPort, x.Host = true, true, true, true }),
		"QUIC additional certs":         lsnQUIC().WithAdditionalCertificates("cert-2"),
		"X-Forwarded-For off":           xff(lsnHTTP(), func(x *alb.XForwardedFor) { x.Disabled = true }),
		"append spelled out":            xff(lsnHTTP(), func(x *alb.XForwardedFor) { x.Mode = alb.XForwardedForAppend }),
		"rules of both directions":      lsnHTTP().WithRules(webRule(), outRule()),
		"same priority, two directions": lsnHTTP().WithRules(webRule(), outRule().WithPriority(10)),
		"two default groups":            ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-1", "sgp-2"} }),
		"owned with absent":             lsnHTTP().WithRules(webRule()).WithRuleMembership(alb.MembershipOwned).WithAbsentRules("old"),
		"shared":                        lsnHTTP().WithRuleMembership(alb.MembershipShared),
		"HTTPS redirect to HTTPS":       lsnHTTPS().WithRules(alb.NewRuleSpec("up", 5, routing.Path("/x")).Then(routing.Redirect(routing.RedirectConfig{Protocol: "HTTPS"}))),
		"18 tags": ls(lsnHTTP(), func(s *alb.ListenerSpec) {
			for i := range 18 {
				s.Tags = append(s.Tags, alb.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
			}
		}),
	}
	for name, s := range valid {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestListenerValidateReportsEveryViolationAtOnce(t *testing.T) {
	s := alb.ListenerSpec{
		LoadBalancerID:        "lb-1",
		Protocol:              alb.ListenerHTTP,
		Port:                  70000,
		IdleTimeoutSeconds:    900,
		DisableHTTP2:          true,
		DefaultCertificateID:  "cert-1",
		XForwardedFor:         alb.XForwardedFor{Mode: "keep"},
		Tags:                  []alb.Tag{{Key: "env", Value: "a"}, {Key: "env", Value: "b"}},
		DefaultServerGroupIDs: []string{"sgp-1"},
		Rules: []alb.RuleSpec{
			webRule(),
			alb.NewRuleSpec("web", 10, routing.Host("Bad Host")).Then(routing.ForwardTo("sgp-1")),
		},
	}
	want := []fieldRule{
		{"LoadBalancerID", alb.RuleListenerLoadBalancerIDFormat},
		{"Port", alb.RuleListenerPort},
		{"IdleTimeoutSeconds", alb.RuleListenerIdleTimeout},
		{"DisableHTTP2", alb.RuleListenerHTTP2HTTPSOnly},
		{"DefaultCertificateID", alb.RuleListenerCertificateTLSOnly},
		{"XForwardedFor.Mode", alb.RuleListenerXFFModeEnum},
		{"Tags[1].Key", alb.RuleTagKeyUnique},
		{"Rules[1].Name", alb.RuleListenerRuleNameUnique},
		{"Rules[1].Priority", routing.RulePriorityUnique},
		{"Rules[1].Conditions[0].Values[0]", routing.RuleConditionHostFormat},
	}
	err := s.Validate()
	checkInvalid(t, err, want)
	var ve *alb.ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	var got []fieldRule
	for _, fe := range ve.Errors {
		got = append(got, fieldRule{fe.Field, fe.Rule})
	}
	// In the order ListenerSpec declares its fields, rules by index and
	// then by RuleSpec's fields.
	if !reflect.DeepEqual(got, want) {
		t.Errorf("violations in order\n%v\nwant\n%v", got, want)
	}
}

func TestListenerBuildersCopy(t *testing.T) {
	base := lsnHTTPS().WithAdditionalCertificates("cert-2").WithRules(webRule()).WithTag("a", "1")
	a := base.WithAdditionalCertificates("cert-3").WithRules(outRule()).WithTag("b", "2").WithAbsentRules("x")
	b := base.WithAdditionalCertificates("cert-4").WithRules(outRule().WithPriority(20)).WithTag("c", "3")
	if len(base.AdditionalCertificateIDs) != 1 || len(base.Rules) != 1 || len(base.Tags) != 1 || len(base.AbsentRules) != 0 {
		t.Errorf("builders changed the base: %+v", base)
	}
	if a.AdditionalCertificateIDs[1] != "cert-3" || b.AdditionalCertificateIDs[1] != "cert-4" || a.Tags[1].Key != "b" || b.Rules[1].Priority != 20 {
		t.Errorf("builders share state")
	}
	trusted := []string{"10.0.0.1"}
	c := base.WithXForwardedFor(alb.XForwardedFor{ClientSourceIPs: true, TrustedProxies: trusted})
	trusted[0] = "10.0.0.2"
	if c.XForwardedFor.TrustedProxies[0] != "10.0.0.1" {
		t.Error("WithXForwardedFor keeps the caller's slice")
	}
	conds := []routing.Condition{routing.Host("a.example.com")}
	r := alb.NewRuleSpec("r", 1, conds...)
	conds[0] = routing.Path("/x")
	if r.Conditions[0].Type != routing.ConditionHost {
		t.Error("NewRuleSpec keeps the caller's slice")
	}
	if r2 := r.When(routing.Path("/y")); len(r.Conditions) != 1 || len(r2.Conditions) != 2 {
		t.Error("When changed the rule")
	}
}

// ruleCase is one rule spec that breaks one of package routing's rules.
type ruleCase struct {
	name  string
	rule  alb.RuleSpec
	field string
	id    string
}

// ruleInvalidCases break every routing rule RuleSpec.Validate reports:
// the rule itself, its conditions and actions (package routing's value
// formats, surfaced through alb.Rules with the scope "rule").
func ruleInvalidCases() []ruleCase {
	w := webRule()
	fwd := routing.ForwardTo("sgp-1")
	setR := func(f func(r *alb.RuleSpec)) alb.RuleSpec {
		r := webRule()
		f(&r)
		return r
	}
	conds := func(cs ...routing.Condition) alb.RuleSpec { r := w; r.Conditions = cs; return r }
	acts := func(as ...routing.Action) alb.RuleSpec { r := w; r.Actions = routing.InOrder(as...); return r }
	resp := func(cs []routing.Condition, as ...routing.Action) alb.RuleSpec {
		r := outRule()
		r.Conditions, r.Actions = cs, routing.InOrder(as...)
		return r
	}
	many := func(n int) []routing.KeyValue {
		kvs := make([]routing.KeyValue, n)
		for i := range kvs {
			kvs[i] = routing.KV(fmt.Sprintf("k%d", i), "v")
		}
		return kvs
	}
	return []ruleCase{
		{"name too short", setR(func(r *alb.RuleSpec) { r.Name = "w" }), "Name", routing.RuleNameLength},
		{"name starts with a digit", setR(func(r *alb.RuleSpec) { r.Name = "1web" }), "Name", routing.RuleNameFormat},
		{"priority 10001", w.WithPriority(10001), "Priority", routing.RulePriorityRange},
		{"direction", setR(func(r *alb.RuleSpec) { r.Direction = "Inbound" }), "Direction", routing.RuleDirectionEnum},
		{"no condition", conds(), "Conditions", routing.RuleConditionsRequired},
		{"no action", setR(func(r *alb.RuleSpec) { r.Actions = nil }), "Actions", routing.RuleActionsRequired},
		{"condition type", conds(routing.Condition{Type: "Weather", Values: []string{"rain"}}), "Conditions[0].Type", routing.RuleConditionTypeEnum},
		{"condition without values", conds(routing.Host()), "Conditions[0].Values", routing.RuleConditionValues},
		{"response condition in a request rule", conds(routing.ResponseStatusCode("500")), "Conditions[0].Type", routing.RuleConditionDirection},
		{"host twice", conds(routing.Host("a.com", "a.com")), "Conditions[0].Values[1]", routing.RuleConditionValueUnique},
		{"host in capitals", conds(routing.Host("Www.example.com")), "Conditions[0].Values[0]", routing.RuleConditionHostFormat},
		{"regex host charset", conds(routing.Host(`~^a{2}\.com$`)), "Conditions[0].Values[0]", routing.RuleConditionRegexFormat},
		{"regex syntax", conds(routing.Path("~(x")), "Conditions[0].Values[0]", routing.RuleConditionRegexSyntax},
		{"path without slash", conds(routing.Path("api")), "Conditions[0].Values[0]", routing.RuleConditionPathFormat},
		{"header key Cookie", conds(routing.Header("Cookie", "1")), "Conditions[0].Key", routing.RuleConditionHeaderKey},
		{"header value with a leading space", conds(routing.Header("x-a", " v")), "Conditions[0].Values[0]", routing.RuleConditionHeaderValue},
		{"query in capitals", conds(routing.Query(routing.KV("Env", "x"))), "Conditions[0].Pairs[0].Key", routing.RuleConditionQueryFormat},
		{"21 query pairs", conds(routing.Query(many(21)...)), "Conditions[0].Pairs", routing.RuleConditionQueryMax},
		{"cookie with a semicolon", conds(routing.Cookie(routing.KV("a", "b;c"))), "Conditions[0].Pairs[0].Value", routing.RuleConditionCookieFormat},
		{"method", conds(routing.Method("CONNECT")), "Conditions[0].Values[0]", routing.RuleConditionMethodEnum},
		{"source CIDR", conds(routing.SourceIP("10.0.0.0/40")), "Conditions[0].Values[0]", routing.RuleConditionSourceIPFormat},
		{"status code", resp([]routing.Condition{routing.ResponseStatusCode("5xx")}, routing.InsertHeader("x-a", "1")), "Conditions[0].Values[0]", routing.RuleConditionStatusCodeFormat},
		{"action type", acts(routing.Action{Type: "Teleport"}, fwd), "Actions[0].Type", routing.RuleActionTypeEnum},
		{"action without config", acts(routing.Action{Type: routing.ActionForwardGroup}), "Actions[0]", routing.RuleActionConfig},
		{"forward in a response rule", resp([]routing.Condition{routing.ResponseStatusCode("500")}, fwd), "Actions[0].Type", routing.RuleActionDirection},
		{"order 0", setR(func(r *alb.RuleSpec) { r.Actions[0].Order = 0 }), "Actions[0].Order", routing.RuleActionOrderRange},
		{"order twice", setR(func(r *alb.RuleSpec) { r.Actions[1].Order = 1 }), "Actions[1].Order", routing.RuleActionOrderUnique},
		{"no final action", acts(routing.InsertHeader("x-a", "1")), "Actions", routing.RuleActionFinalRequired},
		{"two final actions", acts(fwd, routing.FixedResponse("200", "", "")), "Actions[1].Type", routing.RuleActionFinalSingle},
		{"final action not last", acts(fwd, routing.InsertHeader("x-a", "1")), "Actions[0].Order", routing.RuleActionFinalLast},
		{"two rewrites", acts(routing.Rewrite(routing.RewriteConfig{Host: "a.com"}), routing.Rewrite(routing.RewriteConfig{Path: "/b"}), fwd), "Actions[1]", routing.RuleActionRewriteSingle},
		{"rewrite before a fixed response", acts(routing.Rewrite(routing.RewriteConfig{Path: "/b"}), routing.FixedResponse("200", "", "")), "Actions[1].Type", routing.RuleActionRewriteNeedsFwd},
		{"six groups", acts(routing.ForwardTo("a", "b", "c", "d", "e", "f")), "Actions[0].ForwardGroup.ServerGroups", routing.RuleActionForwardGroups},
		{"weight 101", acts(routing.Forward(routing.Weighted("sgp-1", 101))), "Actions[0].ForwardGroup.ServerGroups[0].Weight", routing.RuleActionForwardWeight},
		{"sticky timeout", acts(fwd.Sticky(86401)), "Actions[0].ForwardGroup.StickySession.Timeout", routing.RuleActionStickyTimeout},
		{"redirect code", acts(routing.Redirect(routing.RedirectConfig{HTTPCode: "300", Host: "b.com"})), "Actions[0].Redirect.HTTPCode", routing.RuleActionRedirectCode},
		{"redirect protocol", acts(routing.Redirect(routing.RedirectConfig{Protocol: "FTP"})), "Actions[0].Redirect.Protocol", routing.RuleActionRedirectProtocol},
		{"redirect port", acts(routing.Redirect(routing.RedirectConfig{Port: "70000"})), "Actions[0].Redirect.Port", routing.RuleActionRedirectPort},
		{"redirect to itself", acts(routing.Redirect(routing.RedirectConfig{HTTPCode: "301", Path: "${path}"})), "Actions[0].Redirect", routing.RuleActionRedirectNotDefault},
		{"redirect host", acts(routing.Redirect(routing.RedirectConfig{Host: "Bad Host"})), "Actions[0].Redirect.Host", routing.RuleActionHostFormat},
		{"rewrite path", acts(routing.Rewrite(routing.RewriteConfig{Path: "x"}), fwd), "Actions[0].Rewrite.Path", routing.RuleActionPathFormat},
		{"redirect query", acts(routing.Redirect(routing.RedirectConfig{Query: "A=1"})), "Actions[0].Redirect.Query", routing.RuleActionQueryFormat},
		{"variable twice", acts(routing.Redirect(routing.RedirectConfig{Path: "/${path}${path}"})), "Actions[0].Redirect.Path", routing.RuleActionVariables},
		{"captures without regex", acts(routing.Rewrite(routing.RewriteConfig{Path: "/${1}"}), fwd), "Actions", routing.RuleActionCaptures},
		{"fixed code", acts(routing.FixedResponse("302", "text/plain", "")), "Actions[0].FixedResponse.HTTPCode", routing.RuleActionFixedCode},
		{"fixed content type", acts(routing.FixedResponse("200", "text/xml", "")), "Actions[0].FixedResponse.ContentType", routing.RuleActionFixedContentType},
		{"fixed content", acts(routing.FixedResponse("200", "text/plain", strings.Repeat("x", 1025))), "Actions[0].FixedResponse.Content", routing.RuleActionFixedContent},
		{"insert key", acts(routing.InsertHeader("x y", "1"), fwd), "Actions[0].InsertHeader.Key", routing.RuleActionHeaderKeyFormat},
		{"insert forbidden key", acts(routing.InsertHeader("X-Forwarded-For", "1"), fwd), "Actions[0].InsertHeader.Key", routing.RuleActionHeaderKeyForbidden},
		{"header key twice", acts(routing.InsertHeader("x-a", "1"), routing.RemoveHeader("X-A"), fwd), "Actions[1].RemoveHeader.Key", routing.RuleActionHeaderKeyUnique},
		{"insert value type", acts(routing.InsertHeaderFrom("x-a", "", "1"), fwd), "Actions[0].InsertHeader.ValueType", routing.RuleActionInsertValueType},
		{"insert value", acts(routing.InsertHeader("x-a", "v "), fwd), "Actions[0].InsertHeader.Value", routing.RuleActionInsertValue},
		{"traffic limit empty", acts(routing.TrafficLimit(0, 0), fwd), "Actions[0].TrafficLimit", routing.RuleActionTrafficLimitRange},
		{"per-IP not below total", acts(routing.TrafficLimit(10, 10), fwd), "Actions[0].TrafficLimit.PerIPQPS", routing.RuleActionTrafficLimitPerIP},
		{"mirror without group", acts(routing.Mirror(), fwd), "Actions[0].TrafficMirror.ServerGroupIDs", routing.RuleActionMirrorTarget},
		{"CORS origin", acts(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"ftp://a.com"}}), fwd), "Actions[0].Cors.AllowOrigins[0]", routing.RuleActionCorsOrigin},
		{"CORS method", acts(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"*"}, AllowMethods: []string{"TRACE"}}), fwd), "Actions[0].Cors.AllowMethods[0]", routing.RuleActionCorsMethods},
		{"CORS header", acts(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"x y"}}), fwd), "Actions[0].Cors.ExposeHeaders[0]", routing.RuleActionCorsHeaders},
		{"CORS credentials", acts(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"*"}, AllowCredentials: "yes"}), fwd), "Actions[0].Cors.AllowCredentials", routing.RuleActionCorsCredentials},
		{"CORS max age", acts(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"*"}, MaxAge: 172801}), fwd), "Actions[0].Cors.MaxAge", routing.RuleActionCorsMaxAge},
		{"InsertHeader cover", acts(routing.Action{Type: routing.ActionInsertHeader, InsertHeader: &routing.InsertHeaderConfig{Key: "x-a", Value: "1", ValueType: routing.ValueUserDefined, CoverEnabled: true}}, fwd),
			"Actions[0].InsertHeader.CoverEnabled", alb.RuleListenerRuleInsertHeaderCover},
	}
}

func TestRuleValidateInvalidSpecs(t *testing.T) {
	for _, c := range ruleInvalidCases() {
		t.Run(c.name, func(t *testing.T) {
			err := c.rule.Validate()
			var ve *alb.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, alb.ErrInvalidSpec) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			if !ve.Has(c.field, c.id) {
				t.Fatalf("missing %s [%s] in:\n%v", c.field, c.id, err)
			}
			if !strings.HasPrefix(err.Error(), "alb: invalid rule spec: ") {
				t.Errorf("Error() = %q", err)
			}
			// Within a listener, the same violation is on Rules[i].
			l := lsnHTTP().WithRules(outRule().WithPriority(99), c.rule)
			lerr := l.Validate()
			var lve *alb.ValidationError
			if !errors.As(lerr, &lve) || !lve.Has("Rules[1]."+c.field, c.id) {
				t.Errorf("ListenerSpec.Validate lacks Rules[1].%s [%s]:\n%v", c.field, c.id, lerr)
			}
		})
	}
	for _, r := range []alb.RuleSpec{webRule(), outRule()} {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
}

// editionCase is a listener (and the groups it uses) checked against an
// edition.
type lsnEditionCase struct {
	name    string
	spec    alb.ListenerSpec
	edition alb.Edition
	groups  map[string]alb.ServerGroupSpec
	want    []fieldRule
}

func lsnEditionCases() []lsnEditionCase {
	rulesN := func(n int) []alb.RuleSpec {
		var out []alb.RuleSpec
		for i := range n {
			out = append(out, alb.NewRuleSpec(fmt.Sprintf("r%d", i), i+1, routing.Path(fmt.Sprintf("/p%d", i))).Then(routing.ForwardTo("sgp-1")))
		}
		return out
	}
	sg := alb.NewServerGroupSpec("web", alb.ServerGroupInstance, vpc)
	return []lsnEditionCase{
		{"unknown edition", lsnHTTP(), "Gold", nil, []fieldRule{{"Edition", alb.RuleEditionEnum}}},
		{"Basic with a cookie condition", lsnHTTP().WithRules(alb.NewRuleSpec("cookie", 1, routing.Cookie(routing.KV("a", "b"))).Then(routing.ForwardTo("sgp-1"))), alb.EditionBasic, nil,
			[]fieldRule{{"Rules[0].Conditions[0].Type", routing.RuleEditionConditionType}}},
		{"Basic with a redirect", lsnHTTP().WithRules(alb.NewRuleSpec("redirect", 1, routing.Path("/x")).Then(routing.Redirect(routing.RedirectConfig{Protocol: "HTTPS"}))), alb.EditionBasic, nil,
			[]fieldRule{{"Rules[0].Actions[0].Type", routing.RuleEditionActionType}}},
		{"Basic with a response rule", lsnHTTP().WithRules(alb.NewRuleSpec("outbound", 1, routing.Path("/x")).Then(routing.RemoveHeader("x-a")).OnResponse()), alb.EditionBasic, nil,
			[]fieldRule{{"Rules[0].Direction", routing.RuleEditionResponseRules}, {"Rules[0].Actions[0].Type", routing.RuleEditionActionType}}},
		{"Basic with six conditions", lsnHTTP().WithRules(alb.NewRuleSpec("six", 1, routing.Host("a.com"), routing.Path("/a"), routing.Header("x-a", "1"),
			routing.Header("x-b", "1"), routing.Header("x-c", "1"), routing.Header("x-d", "1")).Then(routing.ForwardTo("sgp-1"))), alb.EditionBasic, nil,
			[]fieldRule{{"Rules[0].Conditions", routing.RuleEditionConditionsMax}}},
		{"Standard with six actions", lsnHTTP().WithRules(alb.NewRuleSpec("actions", 1, routing.Path("/a")).Then(routing.InsertHeader("x-a", "1"), routing.InsertHeader("x-b", "1"),
			routing.InsertHeader("x-c", "1"), routing.InsertHeader("x-d", "1"), routing.InsertHeader("x-e", "1"), routing.ForwardTo("sgp-1"))), alb.EditionStandard, nil,
			[]fieldRule{{"Rules[0].Actions", routing.RuleEditionActionsMax}}},
		{"Basic with six wildcards", lsnHTTP().WithRules(alb.NewRuleSpec("wild", 1, routing.Host("*.a.com", "*.b.com", "*.c.com", "*.d.com", "*.e.com", "*.f.com")).Then(routing.ForwardTo("sgp-1"))),
			alb.EditionBasic, nil, []fieldRule{{"Rules[0].Conditions", routing.RuleEditionWildcardsMax}}},
		{"Basic with 101 rules", lsnHTTP().WithRules(rulesN(101)...), alb.EditionBasic, nil, []fieldRule{{"Rules", routing.RuleEditionRulesQuota}}},
		{"Basic with a custom TLS policy", lsnHTTPS().WithSecurityPolicy("scp-1"), alb.EditionBasic, nil, []fieldRule{{"SecurityPolicyID", alb.RuleListenerSecurityPolicyEdition}}},
		{"Basic with Tracing Analysis", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{Tracing: &alb.ListenerTracing{SamplingRate: 100}}), alb.EditionBasic, nil,
			[]fieldRule{{"LogConfig.Tracing", alb.RuleListenerTracingEdition}}},
		{"Standard with Tracing Analysis", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{Tracing: &alb.ListenerTracing{SamplingRate: 100}}), alb.EditionStandard, nil, nil},
		{"Basic with slow start", lsnHTTP(), alb.EditionBasic, map[string]alb.ServerGroupSpec{"sgp-1": sg.WithSlowStart(60)},
			[]fieldRule{{"ServerGroups[sgp-1].SlowStartSeconds", alb.RuleServerGroupSlowStartEdition}}},
		{"Basic with draining", lsnHTTP().WithRules(webRule()), alb.EditionBasic, map[string]alb.ServerGroupSpec{"sgp-1": sg.WithConnectionDrain(30)},
			[]fieldRule{{"Rules[0].Actions[0].Type", routing.RuleEditionActionType}, {"ServerGroups[sgp-1].ConnectionDrain.Enabled", alb.RuleServerGroupDrainEdition}}},
		{"Basic with cross-zone off", lsnHTTP(), alb.EditionBasic, map[string]alb.ServerGroupSpec{"sgp-1": sg.WithoutCrossZone(), "sgp-9": sg.WithSlowStart(60)},
			[]fieldRule{{"ServerGroups[sgp-1].DisableCrossZone", alb.RuleServerGroupCrossZoneOffEdition}}},
		{"Standard with everything", lsnHTTPS().WithSecurityPolicy("scp-1").WithRules(webRule(), outRule()), alb.EditionStandard,
			map[string]alb.ServerGroupSpec{"sgp-1": sg.WithSlowStart(60).WithConnectionDrain(30).WithoutCrossZone()}, nil},
		{"WAF-enabled with everything", lsnHTTPS().WithSecurityPolicy("scp-1").WithRules(webRule(), outRule()), alb.EditionStandardWithWAF,
			map[string]alb.ServerGroupSpec{"sgp-1": sg.WithSlowStart(60)}, nil},
		{"Basic with 100 rules and a system policy", lsnHTTPS().WithSecurityPolicy("tls_cipher_policy_1_1").WithRules(rulesN(100)...), alb.EditionBasic, nil, nil},
	}
}

// TestCheckListenerEdition: a Basic instance's listener is refused what
// Basic lacks, naming the rule and the edition that has it.
func TestCheckListenerEdition(t *testing.T) {
	for _, c := range lsnEditionCases() {
		t.Run(c.name, func(t *testing.T) {
			if err := c.spec.Validate(); err != nil {
				t.Fatalf("the case's spec is invalid: %v", err)
			}
			var errs []*alb.FieldError
			for _, err := range []error{alb.CheckListenerEdition(c.spec, c.edition), alb.CheckListenerServerGroups(c.spec, c.edition, c.groups)} {
				var ve *alb.ValidationError
				if errors.As(err, &ve) {
					errs = append(errs, ve.Errors...)
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if c.edition == "Gold" {
				errs = errs[:1] // both functions report the unknown edition
			}
			var got []fieldRule
			for _, fe := range errs {
				got = append(got, fieldRule{fe.Field, fe.Rule})
				if strings.HasPrefix(fe.Rule, "edition-") && fe.Rule != routing.RuleEditionRulesQuota && fe.Rule != alb.RuleEditionEnum {
					if !strings.Contains(fe.Message, "Standard edition") || !strings.Contains(fe.Message, `rule "`) {
						t.Errorf("%s: the message names neither the rule nor the edition that has it: %q", fe.Field, fe.Message)
					}
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// securityPolicyCase is one security policy spec that breaks one rule.
type spCase struct {
	name  string
	spec  alb.SecurityPolicySpec
	field string
	rule  string
}

func spBase() alb.SecurityPolicySpec {
	return alb.NewSecurityPolicySpec("strict", []alb.TLSVersion{alb.TLS12, alb.TLS13}, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256")
}

func spInvalidCases() []spCase {
	sp := func(m func(*alb.SecurityPolicySpec)) alb.SecurityPolicySpec {
		s := spBase()
		m(&s)
		return s
	}
	many := sp(func(s *alb.SecurityPolicySpec) {
		s.TLSVersions = []alb.TLSVersion{alb.TLS10, alb.TLS12, alb.TLS13}
		s.Ciphers = slices.Concat(alb.Ciphers(alb.TLS12), alb.Ciphers(alb.TLS13))[:21]
	})
	return []spCase{
		{"no name", sp(func(s *alb.SecurityPolicySpec) { s.Name = "" }), "Name", alb.RuleRequired},
		{"name starting with a digit", sp(func(s *alb.SecurityPolicySpec) { s.Name = "1tls" }), "Name", alb.RuleSecurityPolicyNameFormat},
		{"name of one character", sp(func(s *alb.SecurityPolicySpec) { s.Name = "t" }), "Name", alb.RuleSecurityPolicyNameFormat},
		{"Chinese name", sp(func(s *alb.SecurityPolicySpec) { s.Name = "安全" }), "Name", alb.RuleSecurityPolicyNameFormat},
		{"no TLS version", sp(func(s *alb.SecurityPolicySpec) { s.TLSVersions = nil }), "TLSVersions", alb.RuleSecurityPolicyTLSVersionsEmpty},
		{"TLS version", sp(func(s *alb.SecurityPolicySpec) { s.TLSVersions = append(s.TLSVersions, "SSLv3") }), "TLSVersions[2]", alb.RuleSecurityPolicyTLSVersionEnum},
		{"TLS version twice", sp(func(s *alb.SecurityPolicySpec) { s.TLSVersions = append(s.TLSVersions, alb.TLS12) }), "TLSVersions[2]", alb.RuleSecurityPolicyValueUnique},
		{"no cipher", sp(func(s *alb.SecurityPolicySpec) { s.Ciphers = nil }), "Ciphers", alb.RuleSecurityPolicyCiphersEmpty},
		{"21 ciphers", many, "Ciphers", alb.RuleSecurityPolicyCiphersMax},
		{"unknown cipher", sp(func(s *alb.SecurityPolicySpec) { s.Ciphers = append(s.Ciphers, "RC4-MD5") }), "Ciphers[2]", alb.RuleSecurityPolicyCipherEnum},
		{"cipher twice", sp(func(s *alb.SecurityPolicySpec) { s.Ciphers = append(s.Ciphers, s.Ciphers[0]) }), "Ciphers[2]", alb.RuleSecurityPolicyValueUnique},
		{"TLS 1.3 cipher for TLS 1.2 only", sp(func(s *alb.SecurityPolicySpec) { s.TLSVersions = []alb.TLSVersion{alb.TLS12} }), "Ciphers[1]", alb.RuleSecurityPolicyCipherVersion},
		{"GCM cipher for TLS 1.0", sp(func(s *alb.SecurityPolicySpec) {
			s.TLSVersions, s.Ciphers = []alb.TLSVersion{alb.TLS10}, []string{"AES128-GCM-SHA256"}
		}), "Ciphers[0]", alb.RuleSecurityPolicyCipherVersion},
		{"resource group", spBase().WithResourceGroup("group"), "ResourceGroupID", alb.RuleResourceGroupIDFormat},
		{"19 tags", sp(func(s *alb.SecurityPolicySpec) {
			for i := range 19 {
				s.Tags = append(s.Tags, alb.Tag{Key: fmt.Sprintf("k%d", i)})
			}
		}), "Tags", alb.RuleTagsMax},
		{"empty tag key", spBase().WithTag("", "v"), "Tags[0].Key", alb.RuleTagKeyRequired},
		{"tag key too long", spBase().WithTag(strings.Repeat("k", 129), "v"), "Tags[0].Key", alb.RuleTagKeyLength},
		{"tag value too long", spBase().WithTag("k", strings.Repeat("v", 129)), "Tags[0].Value", alb.RuleTagValueLength},
		{"tag key acs:", spBase().WithTag("acs:k", "v"), "Tags[0].Key", alb.RuleTagKeyReservedPrefix},
		{"tag key albkit:", spBase().WithTag("albkit:k", "v"), "Tags[0].Key", alb.RuleTagKeyAlbkitPrefix},
		{"tag value aliyun", spBase().WithTag("k", "aliyunx"), "Tags[0].Value", alb.RuleTagValueReservedPrefix},
		{"tag with a URL", spBase().WithTag("https://k", "v"), "Tags[0].Key", alb.RuleTagNoURL},
		{"tag key twice", spBase().WithTag("k", "1").WithTag("k", "2"), "Tags[1].Key", alb.RuleTagKeyUnique},
		{"tag value not UTF-8", spBase().WithTag("k", "\xfe"), "Tags[0].Value", alb.RuleTagUTF8},
		{"idempotency key not ASCII", spBase().WithIdempotencyKey("ключ"), "IdempotencyKey", alb.RuleIdempotencyKeyASCII},
		{"idempotency key too long", spBase().WithIdempotencyKey(strings.Repeat("k", 65)), "IdempotencyKey", alb.RuleIdempotencyKeyLength},
		{"idempotency key with a URL", spBase().WithIdempotencyKey("http://k"), "IdempotencyKey", alb.RuleIdempotencyKeyTagValue},
	}
}

func TestSecurityPolicyValidate(t *testing.T) {
	for _, c := range spInvalidCases() {
		t.Run(c.name, func(t *testing.T) {
			err := c.spec.Validate()
			checkInvalid(t, err, []fieldRule{{c.field, c.rule}})
			if err != nil && !strings.HasPrefix(err.Error(), "alb: invalid security policy spec: ") {
				t.Errorf("Error() = %q", err)
			}
		})
	}
	valid := map[string]alb.SecurityPolicySpec{
		"base":                                 spBase(),
		"every version and the legacy ciphers": alb.NewSecurityPolicySpec("legacy.v1_0-a", alb.TLSVersions(), alb.Ciphers(alb.TLS10)...),
		"20 ciphers":                           alb.NewSecurityPolicySpec("many", []alb.TLSVersion{alb.TLS12, alb.TLS13}, slices.Concat(alb.Ciphers(alb.TLS12), alb.Ciphers(alb.TLS13))[:20]...),
		"128 characters, tags, group, key": alb.NewSecurityPolicySpec("p"+strings.Repeat("x", 127), []alb.TLSVersion{alb.TLS13}, "TLS_CHACHA20_POLY1305_SHA256").
			WithResourceGroup("rg-1").WithTag("env", "prod").WithIdempotencyKey("sp-1"),
	}
	for name, s := range valid {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if alb.Ciphers("TLSv9") != nil {
		t.Error("Ciphers of an unknown version")
	}
}

// TestEveryListenerRuleHasACase maps every rule that applies to listeners,
// forwarding rules and security policies to a case that breaks it: spec
// rules to the invalid tables, attach rules to the edition cases, facts
// rules and warnings to CheckListener's cases, plan rules to DiffListener's.
func TestEveryListenerRuleHasACase(t *testing.T) {
	spec := map[string]int{}
	for _, c := range lsnInvalidCases() {
		spec[c.rule]++
		for _, a := range c.also {
			spec[a.rule]++
		}
	}
	for _, c := range ruleInvalidCases() {
		spec[c.id]++
	}
	for _, c := range spInvalidCases() {
		spec["sp:"+c.rule]++
	}
	attach := map[string]int{}
	for _, c := range lsnEditionCases() {
		for _, w := range c.want {
			attach[w.rule]++
		}
	}
	facts := map[string]int{}
	for _, c := range lsnCheckCases() {
		for _, w := range c.want {
			facts[w.rule]++
		}
	}
	for _, c := range lsnBlockedCases() {
		facts[c.rule]++
	}
	ids := ruleIDs()
	n := 0
	for _, r := range alb.Rules() {
		for _, scope := range []alb.RuleScope{alb.ScopeListener, alb.ScopeRule, alb.ScopeSecurityPolicy} {
			if !r.Applies(scope) {
				continue
			}
			n++
			key := r.ID
			if scope == alb.ScopeSecurityPolicy {
				key = "sp:" + r.ID
			}
			switch {
			case r.Level == alb.LevelSpec && r.Check == alb.ReportedAsWarning:
				if facts[r.ID] == 0 {
					t.Errorf("%s warning %q has no CheckListener case", scope, r.ID)
				}
			case r.Level == alb.LevelSpec:
				if spec[key] == 0 && attach[r.ID] == 0 {
					t.Errorf("%s spec rule %q (%s) has no invalid case", scope, r.ID, r.Text)
				}
			case r.Level == alb.LevelAttach:
				if attach[r.ID] == 0 {
					t.Errorf("%s attach rule %q has no edition case", scope, r.ID)
				}
			case r.Level == alb.LevelFacts:
				if facts[r.ID] == 0 {
					t.Errorf("%s facts rule %q has no CheckListener or DiffListener case", scope, r.ID)
				}
			default:
				t.Errorf("%s rule %q has level %s", scope, r.ID, r.Level)
			}
		}
	}
	for rule := range spec {
		if _, ok := ids[strings.TrimPrefix(rule, "sp:")]; !ok {
			t.Errorf("a case asserts rule %q, which Rules() does not list", rule)
		}
	}
	if n < 100 {
		t.Errorf("only %d rules apply to listeners, rules and security policies", n)
	}
}
