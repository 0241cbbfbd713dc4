package alb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

// settledListener is what the service reports for spec right after its
// create (the defaults spelled out), with ID lsn-1.
func settledListener(spec alb.ListenerSpec) *alb.Listener {
	l := &alb.Listener{ID: "lsn-1", LoadBalancerID: spec.LoadBalancerID, Protocol: spec.Protocol, Port: spec.Port, Status: alb.ListenerRunning,
		Description: spec.Description, DefaultServerGroupIDs: slices.Clone(spec.DefaultServerGroupIDs),
		IdleTimeoutSeconds: 15, RequestTimeoutSeconds: 60, Gzip: !spec.DisableGzip, HTTP2: !spec.DisableHTTP2,
		DefaultCertificateID: spec.DefaultCertificateID, CACertificateIDs: slices.Clone(spec.CACertificateIDs), QUICListenerID: spec.QUICListenerID,
		XForwardedFor: spec.XForwardedFor, Tags: append([]alb.Tag{{Key: alb.TokenTagKey, Value: "tok"}}, spec.Tags...)}
	if spec.IdleTimeoutSeconds != 0 {
		l.IdleTimeoutSeconds = spec.IdleTimeoutSeconds
	}
	if spec.RequestTimeoutSeconds != 0 {
		l.RequestTimeoutSeconds = spec.RequestTimeoutSeconds
	}
	if spec.Protocol == alb.ListenerHTTPS {
		l.SecurityPolicyID = alb.DefaultSecurityPolicyID
		if spec.SecurityPolicyID != "" {
			l.SecurityPolicyID = spec.SecurityPolicyID
		}
	}
	if spec.Protocol != alb.ListenerQUIC && !spec.XForwardedFor.Disabled && spec.XForwardedFor.Mode == "" {
		l.XForwardedFor.Mode = alb.XForwardedForAppend
	}
	return l
}

// liveRules are the rules of spec as ListRules reports them.
func liveRules(spec alb.ListenerSpec) []alb.Rule {
	var out []alb.Rule
	for i, r := range spec.Rules {
		if r.Direction == "" {
			r.Direction = routing.DirectionRequest
		}
		out = append(out, alb.Rule{ID: fmt.Sprintf("rule-%d", i+1), ListenerID: "lsn-1", Status: alb.RuleAvailable, RuleSpec: r})
	}
	return out
}

func liveCerts(spec alb.ListenerSpec) []alb.ListenerCertificate {
	var out []alb.ListenerCertificate
	if spec.DefaultCertificateID != "" {
		out = append(out, alb.ListenerCertificate{ID: spec.DefaultCertificateID, Type: alb.CertificateServer, Default: true, Status: alb.CertificateAssociated})
	}
	for _, c := range spec.AdditionalCertificateIDs {
		out = append(out, alb.ListenerCertificate{ID: c, Type: alb.CertificateServer, Status: alb.CertificateAssociated})
	}
	return out
}

func fwd(name string, prio int, path string, group string) alb.RuleSpec {
	return alb.NewRuleSpec(name, prio, routing.Path(path)).Then(routing.ForwardTo(group))
}

func TestDiffListenerCreates(t *testing.T) {
	var certs []string
	for i := range 25 {
		certs = append(certs, fmt.Sprintf("cert-x%d", i))
	}
	spec := lsnHTTPS().WithAdditionalCertificates(certs...)
	for i := range 12 {
		spec = spec.WithRules(fwd(fmt.Sprintf("r%d", i), 100-i, fmt.Sprintf("/p%d", i), "sgp-1"))
	}
	p := alb.DiffListener(spec, nil, nil, nil)
	if !p.Create || p.ID != "" || len(p.Blocked) != 0 || p.Empty() || !p.Writes() {
		t.Fatalf("plan from nothing:\n%s", p)
	}
	want := []string{"CreateListener", "AssociateAdditionalCertificatesWithListener", "AssociateAdditionalCertificatesWithListener", "CreateRules", "CreateRules"}
	if got := p.Calls(); !slices.Equal(got, want) {
		t.Errorf("Calls() = %v, want %v", got, want)
	}
	calls := p.CallList()
	if len(calls[1].CertificateIDs) != alb.MaxCertificatesPerCall || len(calls[2].CertificateIDs) != 5 {
		t.Errorf("certificate calls of %d and %d", len(calls[1].CertificateIDs), len(calls[2].CertificateIDs))
	}
	if len(calls[3].Rules) != alb.MaxRulesPerCreateCall || len(calls[4].Rules) != 2 {
		t.Errorf("rule calls of %d and %d", len(calls[3].Rules), len(calls[4].Rules))
	}
	// In ascending priority: the rules that exist route as the spec says.
	var prios []int
	for _, s := range p.Rules {
		prios = append(prios, s.Rule.Priority)
		if s.Kind != alb.RuleStepCreate {
			t.Errorf("a create plan has a %s step", s.Kind)
		}
	}
	if !slices.IsSorted(prios) {
		t.Errorf("rules created in the order %v", prios)
	}
	if !strings.HasPrefix(p.String(), "new HTTPS listener on port 443:\n  + create HTTPS listener on port 443 of alb-1 (CreateListener)") {
		t.Errorf("String() = %s", p)
	}
}

// TestDiffListenerOfItsOwnListenerIsEmpty: a listener created from a spec
// and left alone, and a spec read back from a listener, diff empty.
func TestDiffListenerOfItsOwnListenerIsEmpty(t *testing.T) {
	req, resp := webRule(), outRule()
	specs := map[string]alb.ListenerSpec{
		"HTTP":            lsnHTTP().WithRules(req, resp),
		"HTTP defaults":   lsnHTTP(),
		"HTTPS full":      lsnHTTPS().WithAdditionalCertificates("cert-2").WithMutualTLS("ca-1").WithQUICUpgrade("lsn-q").WithTimeouts(20, 200).WithoutGzip().WithoutHTTP2().WithSecurityPolicy("scp-1").WithXForwardedFor(alb.XForwardedFor{Proto: true, Mode: alb.XForwardedForRemove, ClientSourceIPs: true, TrustedProxies: []string{"10.0.0.2", "10.0.0.1"}, ClientCertIssuerDN: alb.ClientCertHeader{Enabled: true, Alias: "issuer"}}).WithRules(req).WithDescription("web"),
		"QUIC":            lsnQUIC().WithXForwardedFor(alb.XForwardedFor{Host: true}).WithRules(req),
		"XFF off":         lsnHTTP().WithXForwardedFor(alb.XForwardedFor{Disabled: true}),
		"owned, absent":   lsnHTTP().WithRules(req).WithRuleMembership(alb.MembershipOwned).WithAbsentRules("gone"),
		"tags and key":    lsnHTTP().WithTag("env", "prod").WithIdempotencyKey("tok"),
		"two defaults":    ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-2", "sgp-1"} }),
		"explicit values": lsnHTTPS().WithTimeouts(15, 60).WithSecurityPolicy(alb.DefaultSecurityPolicyID).WithXForwardedFor(alb.XForwardedFor{Mode: alb.XForwardedForAppend}),
	}
	for name, spec := range specs {
		if err := spec.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		l, certs, rules := settledListener(spec), liveCerts(spec), liveRules(spec)
		if p := alb.DiffListener(spec, l, certs, rules); !p.Empty() || len(p.Calls()) != 0 {
			t.Errorf("%s: a listener created from its spec diffs:\n%s", name, p)
		}
		back := alb.SpecFromListener(l, certs, rules)
		if err := back.Validate(); err != nil {
			t.Errorf("%s: the spec read back is invalid: %v", name, err)
		}
		if p := alb.DiffListener(back, l, certs, rules); !p.Empty() {
			t.Errorf("%s: the spec read back diffs:\n%s", name, p)
		}
		if back.RuleMembership != "" || back.IdempotencyKey != "tok" {
			t.Errorf("%s: read back membership %q key %q", name, back.RuleMembership, back.IdempotencyKey)
		}
	}
	if s := alb.SpecFromListener(nil, nil, nil); s.Protocol != "" || s.Rules != nil {
		t.Errorf("SpecFromListener(nil) = %+v", s)
	}
	if p := alb.DiffListener(lsnHTTP(), settledListener(lsnHTTP()), nil, nil); p.String() != "lsn-1: no change" {
		t.Errorf("String() = %q", p.String())
	}
}

func TestDiffListenerBlocksWhatCannotChange(t *testing.T) {
	base := lsnHTTP()
	l := settledListener(base)
	for field, spec := range map[string]alb.ListenerSpec{
		"Protocol":       ls(base, func(s *alb.ListenerSpec) { s.Protocol = alb.ListenerHTTPS; s.DefaultCertificateID = "c" }),
		"Port":           ls(base, func(s *alb.ListenerSpec) { s.Port = 8080 }),
		"LoadBalancerID": ls(base, func(s *alb.ListenerSpec) { s.LoadBalancerID = "alb-2" }),
	} {
		p := alb.DiffListener(spec.WithTimeouts(30, 0).WithRules(webRule()), l, nil, nil)
		if len(p.Blocked) != 1 || p.Blocked[0].Field != field || p.Blocked[0].Rule != alb.RuleImmutable || p.Writes() {
			t.Errorf("%s: plan\n%s", field, p)
		}
		if !strings.Contains(p.String(), "! "+field) || p.Blocked[0].Instead == "" {
			t.Errorf("%s: String() = %s", field, p)
		}
	}
	// Tags cannot change, but the rest can.
	p := alb.DiffListener(base.WithTag("env", "prod").WithTimeouts(30, 0), l, nil, nil)
	if len(p.Blocked) != 1 || p.Blocked[0].Field != "Tags" || !slices.Equal(p.Calls(), []string{"UpdateListenerAttribute"}) {
		t.Errorf("tags:\n%s", p)
	}
}

// TestDiffListenerAttributes changes one attribute at a time: the plan
// changes exactly that field, in one UpdateListenerAttribute.
func TestDiffListenerAttributes(t *testing.T) {
	base := lsnHTTPS().WithMutualTLS("ca-1").WithQUICUpgrade("lsn-q").WithDescription("web")
	l := settledListener(base)
	cases := []struct {
		spec  alb.ListenerSpec
		field string
	}{
		{base.WithDescription("api"), "Description"},
		{ls(base, func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-2"} }), "DefaultServerGroupIDs"},
		{base.WithTimeouts(16, 0), "IdleTimeoutSeconds"},
		{base.WithTimeouts(0, 61), "RequestTimeoutSeconds"},
		{base.WithoutGzip(), "DisableGzip"},
		{base.WithoutHTTP2(), "DisableHTTP2"},
		{base.WithSecurityPolicy("tls_cipher_policy_1_2"), "SecurityPolicyID"},
		{base.WithCertificate("cert-9"), "DefaultCertificateID"},
		{base.WithMutualTLS("ca-2"), "CACertificateIDs"},
		{ls(base, func(s *alb.ListenerSpec) { s.CACertificateIDs = nil }), "CACertificateIDs"},
		{base.WithQUICUpgrade(""), "QUICListenerID"},
		{xff(base, func(x *alb.XForwardedFor) { x.Disabled = true }), "XForwardedFor.Disabled"},
		{xff(base, func(x *alb.XForwardedFor) { x.Mode = alb.XForwardedForRemove }), "XForwardedFor.Mode"},
		{xff(base, func(x *alb.XForwardedFor) { x.Proto = true }), "XForwardedFor.Proto"},
		{xff(base, func(x *alb.XForwardedFor) { x.SLBID = true }), "XForwardedFor.SLBID"},
		{xff(base, func(x *alb.XForwardedFor) { x.SLBPort = true }), "XForwardedFor.SLBPort"},
		{xff(base, func(x *alb.XForwardedFor) { x.Host = true }), "XForwardedFor.Host"},
		{xff(base, func(x *alb.XForwardedFor) { x.ClientSrcPort = true }), "XForwardedFor.ClientSrcPort"},
		{xff(base, func(x *alb.XForwardedFor) { x.ClientSourceIPs = true }), "XForwardedFor.ClientSourceIPs"},
		{xff(base, func(x *alb.XForwardedFor) { x.ClientCertSubjectDN.Enabled = true }), "XForwardedFor.ClientCertSubjectDN"},
		{xff(base, func(x *alb.XForwardedFor) { x.ClientCertIssuerDN.Enabled = true }), "XForwardedFor.ClientCertIssuerDN"},
		{xff(base, func(x *alb.XForwardedFor) { x.ClientCertFingerprint.Enabled = true }), "XForwardedFor.ClientCertFingerprint"},
		{xff(base, func(x *alb.XForwardedFor) { x.ClientCertClientVerify.Enabled = true }), "XForwardedFor.ClientCertClientVerify"},
	}
	for _, c := range cases {
		if err := c.spec.Validate(); err != nil {
			t.Fatalf("%s: %v", c.field, err)
		}
		p := alb.DiffListener(c.spec, l, liveCerts(base), nil)
		if len(p.Attributes) != 1 || p.Attributes[0].Field != c.field || !slices.Equal(p.Calls(), []string{"UpdateListenerAttribute"}) {
			t.Errorf("%s: plan\n%s", c.field, p)
		}
	}
	// Trusted proxies change only while ClientSourceIPs is on; an alias
	// left empty keeps the listener's.
	withIPs := xff(base, func(x *alb.XForwardedFor) {
		x.ClientSourceIPs, x.TrustedProxies = true, []string{"10.0.0.1"}
		x.ClientCertSubjectDN = alb.ClientCertHeader{Enabled: true, Alias: "subject"}
	})
	l2 := settledListener(withIPs)
	if p := alb.DiffListener(xff(withIPs, func(x *alb.XForwardedFor) { x.TrustedProxies = []string{"10.0.0.2"} }), l2, liveCerts(base), nil); len(p.Attributes) != 1 || p.Attributes[0].Field != "XForwardedFor.TrustedProxies" {
		t.Errorf("trusted proxies:\n%s", p)
	}
	if p := alb.DiffListener(xff(withIPs, func(x *alb.XForwardedFor) { x.ClientCertSubjectDN.Alias = "" }), l2, liveCerts(base), nil); !p.Empty() {
		t.Errorf("an empty alias changes the listener's:\n%s", p)
	}
	// HTTP listeners ignore HTTPS's settings the service may report.
	h := settledListener(lsnHTTP())
	h.HTTP2, h.SecurityPolicyID, h.DefaultCertificateID = false, "tls_cipher_policy_1_0", "cert-x"
	h.XForwardedFor.ClientCertFingerprint = alb.ClientCertHeader{Enabled: true}
	if p := alb.DiffListener(lsnHTTP(), h, nil, nil); !p.Empty() {
		t.Errorf("an HTTP listener diffs on HTTPS settings:\n%s", p)
	}
}

func TestDiffListenerCertificates(t *testing.T) {
	base := lsnHTTPS().WithAdditionalCertificates("cert-2", "cert-3")
	certs := liveCerts(base)
	certs = append(certs, alb.ListenerCertificate{ID: "cert-old", Type: alb.CertificateServer, Status: alb.CertificateDissociating},
		alb.ListenerCertificate{ID: "ca-1", Type: alb.CertificateCA, Status: alb.CertificateAssociated})
	spec := lsnHTTPS().WithAdditionalCertificates("cert-3", "cert-4")
	p := alb.DiffListener(spec, settledListener(base), certs, nil)
	if !slices.Equal(p.AddCertificates, []string{"cert-4"}) || !slices.Equal(p.RemoveCertificates, []string{"cert-2"}) ||
		!slices.Equal(p.Calls(), []string{"AssociateAdditionalCertificatesWithListener", "DissociateAdditionalCertificatesFromListener"}) {
		t.Errorf("plan:\n%s", p)
	}
	// Promoting an additional certificate to default: the default changes,
	// the certificate is not dissociated; the old default becomes an
	// additional one after the default changed.
	swap := lsnHTTPS().WithCertificate("cert-2").WithAdditionalCertificates("cert-1", "cert-3")
	p = alb.DiffListener(swap, settledListener(base), liveCerts(base), nil)
	if !slices.Equal(p.Calls(), []string{"UpdateListenerAttribute", "AssociateAdditionalCertificatesWithListener"}) ||
		!slices.Equal(p.AddCertificates, []string{"cert-1"}) || len(p.RemoveCertificates) != 0 {
		t.Errorf("swap of the default:\n%s", p)
	}
}

// rulesOf returns the rule steps of the plan as one line each.
func rulesOf(p *alb.ListenerPlan) []string {
	var out []string
	for _, s := range p.Rules {
		out = append(out, s.String())
	}
	return out
}

// TestDiffListenerRuleOrder pins the order of typical rule changes.
func TestDiffListenerRuleOrder(t *testing.T) {
	api := fwd("api", 10, "/api/*", "sgp-1")
	all := alb.NewRuleSpec("all", 20, routing.Path("/*")).Then(routing.ForwardTo("sgp-2"))
	base := lsnHTTP().WithRules(api, all).WithRuleMembership(alb.MembershipOwned)
	l, rules := settledListener(base), liveRules(base)

	t.Run("swap takes a temporary priority", func(t *testing.T) {
		p := alb.DiffListener(lsnHTTP().WithRules(api.WithPriority(20), all.WithPriority(10)).WithRuleMembership(alb.MembershipOwned), l, nil, rules)
		want := []string{
			"update rule api rule-1: priority 10 → 11 (temporary)",
			"update rule all rule-2: priority 20 → 10",
			"update rule api rule-1: priority 11 → 20",
		}
		if got := rulesOf(p); !slices.Equal(got, want) {
			t.Errorf("steps\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !slices.Equal(p.Calls(), []string{"UpdateRulesAttribute", "UpdateRulesAttribute", "UpdateRulesAttribute"}) {
			t.Errorf("the steps of one group of rules are batched: %v", p.Calls())
		}
	})
	t.Run("disjoint rules swap in one batch", func(t *testing.T) {
		a, b := fwd("a", 1, "/a", "sgp-1"), fwd("b", 2, "/b", "sgp-1")
		from := lsnHTTP().WithRules(a, b)
		p := alb.DiffListener(lsnHTTP().WithRules(a.WithPriority(2), b.WithPriority(1)), settledListener(from), nil, liveRules(from))
		if len(p.Rules) != 3 || p.Rules[0].Temporary == false {
			t.Errorf("a numeric swap needs one temporary priority:\n%s", p)
		}
	})
	t.Run("insert between dense priorities moves the later ones up first", func(t *testing.T) {
		x := alb.NewRuleSpec("x", 20, routing.Path("/api/x")).Then(routing.ForwardTo("sgp-3"))
		p := alb.DiffListener(lsnHTTP().WithRules(api.WithPriority(10), x, all.WithPriority(21)).WithRuleMembership(alb.MembershipOwned), l, nil, rules)
		want := []string{
			"update rule all rule-2: priority 20 → 21",
			"create rule x at priority 20",
		}
		if got := rulesOf(p); !slices.Equal(got, want) {
			t.Errorf("steps\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("conditions narrowing over an unchanged rule change in place", func(t *testing.T) {
		p := alb.DiffListener(lsnHTTP().WithRules(api.When(routing.Method("GET")), all), l, nil, rules)
		if got := rulesOf(p); !slices.Equal(got, []string{"update rule api rule-1: conditions"}) {
			t.Errorf("steps %v", got)
		}
	})
	t.Run("a run of dense priorities shifts from the top down, each rule once", func(t *testing.T) {
		for _, overlap := range []bool{false, true} {
			var have, want []alb.RuleSpec
			for i := range 10 {
				path := fmt.Sprintf("/a%d", i)
				if overlap {
					path = fmt.Sprintf("/a%d*", i%2) // two groups of rules that share requests
				}
				r := alb.NewRuleSpec(fmt.Sprintf("r%d", i), i+1, routing.Host("www.example.com"), routing.Path(path)).Then(routing.ForwardTo("sgp-1"))
				have = append(have, r)
				if i >= 2 {
					r = r.WithPriority(i + 2)
				}
				want = append(want, r)
			}
			want = append(want, alb.NewRuleSpec("new", 3, routing.Host("www.example.com"), routing.Path("/new")).Then(routing.ForwardTo("sgp-2")))
			from := lsnHTTP().WithRules(have...)
			p := alb.DiffListener(lsnHTTP().WithRules(want...), settledListener(from), nil, liveRules(from))
			steps := rulesOf(p)
			if len(steps) != 9 || steps[0] != "update rule r9 rule-10: priority 10 → 11" || steps[8] != "create rule new at priority 3" {
				t.Errorf("overlap %v: steps\n%s", overlap, strings.Join(steps, "\n"))
			}
		}
	})
	t.Run("an isolated rule's conditions change in place", func(t *testing.T) {
		host := alb.NewRuleSpec("host", 5, routing.Host("a.example.com")).Then(routing.ForwardTo("sgp-1"))
		from := lsnHTTP().WithRules(host)
		p := alb.DiffListener(lsnHTTP().WithRules(host.When(routing.Path("/x"))), settledListener(from), nil, liveRules(from))
		if got := rulesOf(p); !slices.Equal(got, []string{"update rule host rule-1: conditions"}) {
			t.Errorf("steps %v", got)
		}
	})
	t.Run("conditions changing under another rule create the new version first", func(t *testing.T) {
		// POST /api/x goes to api now and will go to all (whose actions
		// change too): updating api's conditions first would send it to
		// all's current version, in neither table.
		p := alb.DiffListener(lsnHTTP().WithRules(api.When(routing.Method("GET")), all.Then(routing.ForwardTo("sgp-3"))).WithRuleMembership(alb.MembershipOwned), l, nil, rules)
		steps := p.Rules
		if len(steps) < 2 || steps[0].Kind != alb.RuleStepUpdate && steps[0].Kind != alb.RuleStepCreate {
			t.Fatalf("steps %v", rulesOf(p))
		}
		created := slices.IndexFunc(steps, func(s alb.RuleStep) bool { return s.Kind == alb.RuleStepCreate && s.Replaces == "rule-1" })
		deleted := slices.IndexFunc(steps, func(s alb.RuleStep) bool { return s.Kind == alb.RuleStepDelete && s.RuleID == "rule-1" })
		if created < 0 || deleted < created {
			t.Errorf("steps\n%s", strings.Join(rulesOf(p), "\n"))
		}
	})
	t.Run("shared membership leaves other rules alone", func(t *testing.T) {
		theirs := alb.Rule{ID: "rule-9", Status: alb.RuleAvailable, RuleSpec: fwd("theirs", 30, "/t", "sgp-9")}
		spec := lsnHTTP().WithRules(api).WithAbsentRules("all")
		p := alb.DiffListener(spec, l, nil, append(slices.Clone(rules), theirs))
		if got := rulesOf(p); !slices.Equal(got, []string{"delete rule all rule-2 (priority 20)"}) {
			t.Errorf("steps %v", got)
		}
		owned := alb.DiffListener(spec.WithRuleMembership(alb.MembershipOwned), l, nil, append(slices.Clone(rules), theirs))
		if len(owned.Rules) != 2 {
			t.Errorf("owned steps %v", rulesOf(owned))
		}
	})
	t.Run("a rule changing direction is replaced", func(t *testing.T) {
		out := alb.NewRuleSpec("api", 10, routing.Path("/api/*")).Then(routing.InsertHeader("x-a", "1")).OnResponse()
		p := alb.DiffListener(lsnHTTP().WithRules(out, all), l, nil, rules)
		if got := rulesOf(p); !slices.Equal(got, []string{"delete rule api rule-1 (priority 10)", "create rule api (Response) at priority 10"}) {
			t.Errorf("steps %v", got)
		}
	})
	t.Run("a changed default action waits for the new rules and precedes the deletions", func(t *testing.T) {
		spec := ls(lsnHTTP().WithRules(fwd("new", 5, "/n", "sgp-1")).WithRuleMembership(alb.MembershipOwned),
			func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-9"} })
		p := alb.DiffListener(spec.WithTimeouts(30, 0), l, nil, rules)
		// The two deletions concern rules that share requests: the last
		// first, one per call.
		want := []string{"UpdateListenerAttribute", "CreateRules", "UpdateListenerAttribute", "DeleteRules", "DeleteRules"}
		if got := p.Calls(); !slices.Equal(got, want) {
			t.Errorf("Calls() = %v, want %v\n%s", got, want, p)
		}
		calls := p.CallList()
		if len(calls[0].Attributes) != 1 || calls[0].Attributes[0].Field != "IdleTimeoutSeconds" || calls[2].Attributes[0].Field != "DefaultServerGroupIDs" {
			t.Errorf("attribute calls %v / %v", calls[0].Attributes, calls[2].Attributes)
		}
		if calls[3].Rules[0].Rule.Name != "all" || calls[4].Rules[0].Rule.Name != "api" {
			t.Errorf("deletions %v, %v", calls[3].Rules, calls[4].Rules)
		}
	})
	t.Run("extra rules of a managed name are deleted", func(t *testing.T) {
		dup := append(slices.Clone(rules), alb.Rule{ID: "rule-3", Status: alb.RuleAvailable, RuleSpec: fwd("api", 40, "/old", "sgp-1")})
		p := alb.DiffListener(base, l, nil, dup)
		if got := rulesOf(p); !slices.Equal(got, []string{"delete rule api rule-3 (priority 40)"}) {
			t.Errorf("steps %v", got)
		}
	})
}

// TestListenerPlanString shows each kind of line.
func TestListenerPlanString(t *testing.T) {
	base := lsnHTTPS().WithAdditionalCertificates("cert-2").WithRules(fwd("api", 10, "/api", "sgp-1"), fwd("old", 20, "/old", "sgp-1"))
	spec := lsnHTTPS().WithAdditionalCertificates("cert-3").WithTimeouts(30, 0).WithRules(fwd("api", 11, "/api", "sgp-1"), fwd("new", 30, "/new", "sgp-1")).
		WithRuleMembership(alb.MembershipOwned).WithTag("env", "prod")
	p := alb.DiffListener(spec, settledListener(base), liveCerts(base), liveRules(base))
	got := p.String()
	for _, want := range []string{
		"lsn-1:",
		"~ IdleTimeoutSeconds: 15 → 30 (UpdateListenerAttribute)",
		"+ certificates cert-3 (AssociateAdditionalCertificatesWithListener)",
		"- delete rule old rule-2 (priority 20) (DeleteRules)",
		"~ update rule api rule-1: priority 10 → 11 (UpdateRulesAttribute)",
		"+ create rule new at priority 30 (CreateRules)",
		"- certificates cert-2 (DissociateAdditionalCertificatesFromListener)",
		"! Tags: - → env=prod cannot be changed in place",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("String() lacks %q:\n%s", want, got)
		}
	}
}
