package alb_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

// genListenerSpec builds a listener spec from fuzzed bytes: every field
// defaults to a valid value and deviates when the chooser says so.
func genListenerSpec(c *chooser) alb.ListenerSpec {
	protocol := alb.ListenerProtocol(c.oneOf("HTTP", "HTTPS", "QUIC", "TCP", ""))
	s := alb.NewListenerSpec(c.oneOf(lbID, "", "lb-1"), protocol, []int{80, 443, 0, 65536, 1, 65535}[c.pick(6)], c.oneOf("sgp-1", "", "sgp-2"))
	if protocol == alb.ListenerHTTPS || protocol == alb.ListenerQUIC {
		s.DefaultCertificateID = c.oneOf("cert-1", "")
	}
	s.Description = c.text("")
	s.IdleTimeoutSeconds = []int{0, 1, 600, 601, -1}[c.pick(5)]
	s.RequestTimeoutSeconds = []int{0, 60, 600, 900}[c.pick(4)]
	s.DisableGzip = c.pick(2) == 1
	s.DisableHTTP2 = c.pick(2) == 1
	s.SecurityPolicyID = c.oneOf("", "tls_cipher_policy_1_2", "scp-1", "policy")
	for range c.pick(4) {
		s.AdditionalCertificateIDs = append(s.AdditionalCertificateIDs, c.oneOf("cert-2", "cert-1", "", "cert-3"))
	}
	if c.pick(3) == 1 {
		s.CACertificateIDs = []string{c.oneOf("ca-1", "")}
	}
	s.QUICListenerID = c.oneOf("", "lsn-q", "q")
	x := &s.XForwardedFor
	x.Disabled, x.Proto, x.Host = c.pick(2) == 1, c.pick(2) == 1, c.pick(2) == 1
	x.Mode = alb.XForwardedForMode(c.oneOf("", "append", "remove", "keep"))
	x.ClientSourceIPs = c.pick(2) == 1
	for range c.pick(3) {
		x.TrustedProxies = append(x.TrustedProxies, c.oneOf("10.0.0.0/8", "x", "10.0.0.1,10.0.0.2"))
	}
	x.ClientCertSubjectDN = alb.ClientCertHeader{Enabled: c.pick(2) == 1, Alias: c.oneOf("", "subject", "Subject")}
	if c.pick(3) == 1 {
		s.Tags = append(s.Tags, alb.Tag{Key: c.text("env"), Value: c.text("prod")})
	}
	s.IdempotencyKey = c.oneOf("", "key-1", "acs:k")
	s.RuleMembership = alb.Membership(c.oneOf("", "Owned", "Shared", "Mine"))
	for i := range c.pick(5) {
		s.Rules = append(s.Rules, genRuleSpec(c, i))
	}
	for range c.pick(3) {
		s.AbsentRules = append(s.AbsentRules, c.oneOf("old", "r0", ""))
	}
	return s
}

// genRuleSpec builds the i-th rule from fuzzed bytes.
func genRuleSpec(c *chooser, i int) alb.RuleSpec {
	name := c.oneOf(fmt.Sprintf("r%d", i), "r0", "x", "1r")
	var conds []routing.Condition
	for range 1 + c.pick(3) {
		switch c.any(6) {
		case 0:
			conds = append(conds, routing.Host(c.oneOf("a.example.com", "*.example.com", "A.com", "~^a.*$")))
		case 1:
			conds = append(conds, routing.Path(c.oneOf("/a", "/a/*", "a", "~(x")))
		case 2:
			conds = append(conds, routing.Header(c.oneOf("x-env", "Cookie"), c.oneOf("blue", " x")))
		case 3:
			conds = append(conds, routing.Method(c.oneOf("GET", "get")))
		case 4:
			conds = append(conds, routing.SourceIP(c.oneOf("10.0.0.0/8", "10.0.0.0/40")))
		default:
			conds = append(conds, routing.ResponseStatusCode(c.oneOf("503", "5xx")))
		}
	}
	var acts []routing.Action
	if c.pick(3) == 1 {
		acts = append(acts, routing.InsertHeader(c.oneOf("x-a", "host"), "1"))
	}
	switch c.any(4) {
	case 0:
		acts = append(acts, routing.ForwardTo(c.oneOf("sgp-1", "", "sgp-2")))
	case 1:
		acts = append(acts, routing.Redirect(routing.RedirectConfig{Protocol: c.oneOf("HTTPS", "HTTP", "FTP")}))
	case 2:
		acts = append(acts, routing.FixedResponse(c.oneOf("404", "302"), "text/plain", "x"))
	}
	r := alb.NewRuleSpec(name, []int{i + 1, 0, 10001, 1}[c.pick(4)], conds...).Then(acts...)
	if c.pick(4) == 1 {
		r = r.OnResponse()
	}
	return r
}

// FuzzListenerValidate builds listener specs from fuzzed bytes and a
// fuzzed text put into the field the number selects, and checks that
// Validate never panics, answers nil or a well-formed *ValidationError
// whose rules all apply to listeners or rules in Rules(), is
// deterministic, and that a spec it accepts converts into requests and
// plans (a create, its own listener diffing empty) without panicking.
func FuzzListenerValidate(f *testing.F) {
	f.Add([]byte{0}, "web", uint8(0))
	f.Add([]byte{255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "a.example.com", uint8(3))
	f.Add([]byte("\x80 fuzz seed of a listener"), "/api/*", uint8(4))
	f.Add([]byte("\x10\x00\x01"), "10.0.0.0/8", uint8(6))
	f.Add([]byte("\x40"), "\xff\x00é", uint8(9))

	ids := map[string]bool{}
	for _, r := range alb.Rules() {
		if r.Applies(alb.ScopeListener) || r.Applies(alb.ScopeRule) {
			ids[r.ID] = true
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, text string, field uint8) {
		s := genListenerSpec(newChooser(data))
		switch field % 10 {
		case 0:
			s.Description = text
		case 1:
			s.SecurityPolicyID = text
		case 2:
			s.XForwardedFor.ClientCertIssuerDN = alb.ClientCertHeader{Enabled: true, Alias: text}
		case 3:
			s.Rules = append(s.Rules, alb.NewRuleSpec("fz", 99, routing.Host(text)).Then(routing.ForwardTo("sgp-1")))
		case 4:
			s.Rules = append(s.Rules, alb.NewRuleSpec("fz", 99, routing.Path(text)).Then(routing.ForwardTo("sgp-1")))
		case 5:
			s.Rules = append(s.Rules, alb.NewRuleSpec(text, 98, routing.Path("/x")).Then(routing.ForwardTo("sgp-1")))
		case 6:
			s.XForwardedFor.ClientSourceIPs, s.XForwardedFor.TrustedProxies = true, strings.Split(text, ";")
		case 7:
			s.Tags = append(s.Tags, alb.Tag{Key: text, Value: text})
		case 8:
			s.IdempotencyKey = text
		case 9:
			s.DefaultServerGroupIDs = append(s.DefaultServerGroupIDs, text)
		}
		err := s.Validate()
		if err != nil {
			if !errors.Is(err, alb.ErrInvalidSpec) {
				t.Fatalf("errors.Is(err, ErrInvalidSpec) = false for %v", err)
			}
			var ve *alb.ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("not a *ValidationError with violations: %T %v", err, err)
			}
			for _, fe := range ve.Errors {
				if fe.Field == "" || fe.Message == "" || !ids[fe.Rule] {
					t.Fatalf("malformed violation, or a rule that Rules() does not list for listeners: %#v", fe)
				}
			}
		}
		if again := s.Validate(); errString(again) != errString(err) {
			t.Fatalf("Validate is not deterministic:\n%v\n%v", err, again)
		}
		for _, ed := range alb.Editions() {
			_ = alb.CheckListenerEdition(s, ed)
		}
		all := ruleIDs()
		for _, fd := range alb.CheckListener(s, lsnFacts()) {
			if _, ok := all[fd.Rule]; !ok || fd.Message == "" {
				t.Fatalf("CheckListener finding of a rule Rules() does not list: %v", fd)
			}
		}
		// Any spec plans without panicking against a live listener.
		live := lsnHTTP().WithRules(webRule(), alb.NewRuleSpec("r0", 1, routing.Path("/*")).Then(routing.ForwardTo("sgp-1")))
		_ = alb.DiffListener(s, settledListener(live), nil, liveRules(live)).String()
		if err != nil {
			return
		}
		req := s.CreateListenerRequestForTest("tok", false)
		if tea.StringValue(req.ListenerProtocol) != string(s.Protocol) || tea.Int32Value(req.ListenerPort) != int32(s.Port) {
			t.Fatalf("create request %v", req)
		}
		if p := alb.DiffListener(s, nil, nil, nil); !p.Create || len(p.Blocked) != 0 {
			t.Fatalf("plan from nothing:\n%s", p)
		}
		l := settledListener(s)
		if p := alb.DiffListener(s, l, liveCerts(s), liveRules(s)); !p.Empty() {
			t.Fatalf("the listener created from a valid spec does not diff empty:\n%s", p)
		}
		if back := alb.SpecFromListener(l, liveCerts(s), liveRules(s)); back.Validate() != nil {
			t.Fatalf("the spec read back is invalid: %v", back.Validate())
		}
	})
}

// FuzzSecurityPolicyValidate: Validate never panics, is deterministic and
// reports only security-policy rules.
func FuzzSecurityPolicyValidate(f *testing.F) {
	f.Add("strict", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")
	f.Add("1x", "SSLv3", "RC4")
	f.Add("", "TLSv1.3,TLSv1.3", "TLS_AES_128_GCM_SHA256,AES128-SHA")
	ids := map[string]bool{}
	for _, r := range alb.Rules() {
		if r.Applies(alb.ScopeSecurityPolicy) {
			ids[r.ID] = true
		}
	}
	f.Fuzz(func(t *testing.T, name, versions, ciphers string) {
		var vs []alb.TLSVersion
		for _, v := range strings.Split(versions, ",") {
			vs = append(vs, alb.TLSVersion(v))
		}
		s := alb.NewSecurityPolicySpec(name, vs, strings.Split(ciphers, ",")...)
		err := s.Validate()
		var ve *alb.ValidationError
		if err != nil {
			if !errors.As(err, &ve) {
				t.Fatalf("%T %v", err, err)
			}
			for _, fe := range ve.Errors {
				if !ids[fe.Rule] {
					t.Fatalf("rule %q is not a security policy rule", fe.Rule)
				}
			}
		}
		if errString(s.Validate()) != errString(err) {
			t.Fatal("Validate is not deterministic")
		}
		if err == nil {
			if p := alb.DiffSecurityPolicy(s, nil); !p.Create {
				t.Fatal("plan from nothing")
			}
		}
	})
}
