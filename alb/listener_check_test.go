package alb_test

import (
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

// checkWant is one expected finding of CheckListener.
type checkWant struct {
	resource, rule string
	severity       alb.Severity
}

type lsnCheckCase struct {
	name  string
	spec  alb.ListenerSpec
	facts alb.ListenerFacts
	want  []checkWant
}

// lsnFacts is a Standard instance in vpc with groups of every backend
// protocol, one in another VPC, and an HTTPS listener on 443.
func lsnFacts(mods ...func(*alb.ListenerFacts)) alb.ListenerFacts {
	group := func(id string, p alb.BackendProtocol, vpcID string) alb.ServerGroup {
		return alb.ServerGroup{ID: id, Name: id, Type: alb.ServerGroupInstance, Protocol: p, Scheduler: alb.SchedulerWrr, VPCID: vpcID, CrossZoneEnabled: true,
			HealthCheck: alb.DefaultHealthCheck()}
	}
	f := alb.ListenerFacts{
		Edition: alb.EditionStandard,
		VPCID:   vpc,
		ServerGroups: map[string]alb.ServerGroup{
			"sgp-1":     group("sgp-1", alb.BackendHTTP, vpc),
			"sgp-2":     group("sgp-2", alb.BackendHTTP, vpc),
			"sgp-https": group("sgp-https", alb.BackendHTTPS, vpc),
			"sgp-grpc":  group("sgp-grpc", "GRPC", vpc),
			"sgp-other": group("sgp-other", alb.BackendHTTP, "vpc-other"),
			"sgp-fc":    {ID: "sgp-fc", Name: "fc", Type: alb.ServerGroupFc, Protocol: alb.BackendHTTP, CrossZoneEnabled: true},
			"sgp-slow": func() alb.ServerGroup {
				g := group("sgp-slow", alb.BackendHTTP, vpc)
				g.SlowStartSeconds = 60
				return g
			}(),
		},
		Listeners: []alb.Listener{{ID: "lsn-443", LoadBalancerID: lbID, Protocol: alb.ListenerHTTPS, Port: 443}},
	}
	for _, m := range mods {
		m(&f)
	}
	return f
}

func otherListeners(n int) func(*alb.ListenerFacts) {
	return func(f *alb.ListenerFacts) {
		for i := range n {
			f.Listeners = append(f.Listeners, alb.Listener{ID: fmt.Sprintf("lsn-%d", i), Protocol: alb.ListenerHTTP, Port: 10000 + i})
		}
	}
}

func lsnCheckCases() []lsnCheckCase {
	fwdRule := func(name string, prio int, groups ...string) alb.RuleSpec {
		return alb.NewRuleSpec(name, prio, routing.Path("/"+name)).Then(routing.ForwardTo(groups...))
	}
	b, w := alb.SeverityBlocking, alb.SeverityWarning
	basic := func(f *alb.ListenerFacts) { f.Edition = alb.EditionBasic }
	// quic adds an HTTP listener, a QUIC listener on 443 and one on 8443
	// that an HTTPS listener on 8443 advertises.
	quic := func(f *alb.ListenerFacts) {
		f.Listeners = append(f.Listeners, alb.Listener{ID: "lsn-80", Protocol: alb.ListenerHTTP, Port: 80},
			alb.Listener{ID: "lsn-q", Protocol: alb.ListenerQUIC, Port: 443}, alb.Listener{ID: "lsn-q8443", Protocol: alb.ListenerQUIC, Port: 8443},
			alb.Listener{ID: "lsn-8443", Protocol: alb.ListenerHTTPS, Port: 8443, QUICListenerID: "lsn-q8443"})
	}
	waf := func(f *alb.ListenerFacts) { f.Edition = alb.EditionStandardWithWAF }
	many := func(n int) []alb.RuleSpec {
		var out []alb.RuleSpec
		for i := range n {
			out = append(out, fwdRule(fmt.Sprintf("r%d", i), i+1, "sgp-1"))
		}
		return out
	}
	return []lsnCheckCase{
		{"clean HTTP listener", lsnHTTP().WithRules(fwdRule("api", 1, "sgp-2")), lsnFacts(), nil},
		{"HTTPS listener on its own port", lsnHTTPS().WithRules(fwdRule("ssl", 1, "sgp-https"), fwdRule("grpc", 2, "sgp-grpc"), fwdRule("fc", 3, "sgp-fc")), lsnFacts(), nil},
		{"QUIC beside HTTPS on 443", lsnQUIC().WithRules(fwdRule("grpc", 1, "sgp-grpc")), lsnFacts(), nil},
		{"invalid spec", lsnHTTP().WithTimeouts(0, 700), lsnFacts(), []checkWant{{"RequestTimeoutSeconds", alb.RuleListenerRequestTimeout, b}}},
		{"missing default group", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-gone"} }), lsnFacts(),
			[]checkWant{{"DefaultServerGroupIDs[0]", alb.RuleListenerServerGroupExists, b}}},
		{"missing forward group", lsnHTTP().WithRules(fwdRule("api", 1, "sgp-gone")), lsnFacts(),
			[]checkWant{{"Rules[0].Actions[0].ForwardGroup.ServerGroups[0].ServerGroupID", alb.RuleListenerServerGroupExists, b}}},
		{"missing mirror group", lsnHTTP().WithRules(alb.NewRuleSpec("mirror", 1, routing.Path("/m")).Then(routing.Mirror("sgp-gone"), routing.ForwardTo("sgp-1"))), lsnFacts(),
			[]checkWant{{"Rules[0].Actions[0].TrafficMirror.ServerGroupIDs[0]", alb.RuleListenerServerGroupExists, b}}},
		{"group in another VPC", lsnHTTP().WithRules(fwdRule("api", 1, "sgp-other")), lsnFacts(),
			[]checkWant{{"Rules[0].Actions[0].ForwardGroup.ServerGroups[0].ServerGroupID", alb.RuleListenerServerGroupVPC, b}}},
		{"HTTPS backend on HTTP", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.DefaultServerGroupIDs = []string{"sgp-https"} }), lsnFacts(),
			[]checkWant{{"DefaultServerGroupIDs[0]", alb.RuleListenerServerGroupProtocol, b}}},
		{"gRPC backend on HTTP", lsnHTTP().WithRules(fwdRule("grpc", 1, "sgp-grpc")), lsnFacts(),
			[]checkWant{{"Rules[0].Actions[0].ForwardGroup.ServerGroups[0].ServerGroupID", alb.RuleListenerServerGroupProtocol, b}}},
		{"HTTPS backend on QUIC", lsnQUIC().WithRules(fwdRule("ssl", 1, "sgp-https")), lsnFacts(),
			[]checkWant{{"Rules[0].Actions[0].ForwardGroup.ServerGroups[0].ServerGroupID", alb.RuleListenerServerGroupProtocol, b}}},
		{"port taken by HTTPS", ls(lsnHTTP(), func(s *alb.ListenerSpec) { s.Port = 443 }), lsnFacts(), []checkWant{{"Port", alb.RuleListenerPortUnique, b}}},
		{"Basic listener quota", lsnHTTP(), lsnFacts(basic, otherListeners(49)), []checkWant{{"Port", alb.RuleListenerQuota, w}}},
		{"Basic listener quota maximum", lsnHTTP(), lsnFacts(basic, otherListeners(79)), []checkWant{{"Port", alb.RuleListenerQuota, b}}},
		{"Standard 50 listeners", lsnHTTP(), lsnFacts(otherListeners(48)), nil},
		{"WAF without X-Forwarded-Proto", lsnHTTPS(), lsnFacts(waf), []checkWant{{"XForwardedFor.Proto", alb.RuleListenerWAFForwardedProto, w}}},
		{"log config without the access log", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{CustomHeaders: true}), lsnFacts(),
			[]checkWant{{"LogConfig", alb.RuleListenerLogNeedsAccessLog, b}}},
		{"log config with the access log", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{CustomHeaders: true}), lsnFacts(func(f *alb.ListenerFacts) { f.AccessLogEnabled = true }), nil},
		{"log config off without the access log", lsnHTTP().WithLogConfig(alb.ListenerLogConfig{}), lsnFacts(), nil},
		{"WAF with X-Forwarded-Proto", lsnHTTP().WithXForwardedFor(alb.XForwardedFor{Proto: true}), lsnFacts(waf), nil},
		{"WAF QUIC listener", lsnQUIC(), lsnFacts(waf), nil},
		{"shadowed rule", lsnHTTP().WithRules(alb.NewRuleSpec("all", 1, routing.Path("/*")).Then(routing.ForwardTo("sgp-1")), fwdRule("api", 2, "sgp-2")), lsnFacts(),
			[]checkWant{{"Rules[1]", routing.RuleShadowed, w}}},
		{"weights all zero", lsnHTTP().WithRules(alb.NewRuleSpec("zero", 1, routing.Path("/z")).Then(routing.Forward(routing.Weighted("sgp-1", 0)))), lsnFacts(),
			[]checkWant{{"Rules[0].Actions[0].ForwardGroup.ServerGroups", routing.RuleForwardWeightsZero, w}}},
		{"Basic 41 rules", lsnHTTP().WithRules(many(41)...), lsnFacts(basic), []checkWant{{"Rules", routing.RuleEditionRulesQuota, w}}},
		{"Basic rewrite", lsnHTTP().WithRules(alb.NewRuleSpec("rw", 1, routing.Path("/x")).Then(routing.Rewrite(routing.RewriteConfig{Path: "/y"}), routing.ForwardTo("sgp-1"))),
			lsnFacts(basic), []checkWant{{"Rules[0].Actions[0].Type", routing.RuleEditionActionType, b}}},
		{"Basic slow-start group", lsnHTTP().WithRules(fwdRule("slow", 1, "sgp-slow")), lsnFacts(basic),
			[]checkWant{{"ServerGroups[sgp-slow].SlowStartSeconds", alb.RuleServerGroupSlowStartEdition, b}}},
		{"QUIC upgrade", lsnHTTPS().WithQUICUpgrade("lsn-q"), lsnFacts(quic), nil},
		{"QUIC upgrade kept by its listener", lsnHTTPS().WithQUICUpgrade("lsn-q"), lsnFacts(quic, func(f *alb.ListenerFacts) { f.Listeners[0].QUICListenerID = "lsn-q" }), nil},
		{"QUIC upgrade to another instance's listener", lsnHTTPS().WithQUICUpgrade("lsn-elsewhere"), lsnFacts(quic),
			[]checkWant{{"QUICListenerID", alb.RuleListenerQUICListenerUsable, b}}},
		{"QUIC upgrade to an HTTP listener", lsnHTTPS().WithQUICUpgrade("lsn-80"), lsnFacts(quic),
			[]checkWant{{"QUICListenerID", alb.RuleListenerQUICListenerUsable, b}}},
		{"QUIC upgrade taken", lsnHTTPS().WithQUICUpgrade("lsn-q8443"), lsnFacts(quic),
			[]checkWant{{"QUICListenerID", alb.RuleListenerQUICListenerUsable, b}}},
	}
}

func TestCheckListener(t *testing.T) {
	for _, c := range lsnCheckCases() {
		t.Run(c.name, func(t *testing.T) {
			var got []checkWant
			for _, f := range alb.CheckListener(c.spec, c.facts) {
				got = append(got, checkWant{f.Resource, f.Rule, f.Severity})
				if f.Message == "" {
					t.Errorf("%v has no message", f)
				}
				if f.Severity == alb.SeverityBlocking && f.Fix == "" {
					t.Errorf("%v says no fix", f)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("CheckListener =\n%v\nwant\n%v", got, c.want)
			}
		})
	}
	// The facts are not modified.
	f := lsnFacts()
	before := maps.Clone(f.ServerGroups)
	_ = alb.CheckListener(lsnHTTP(), f)
	if !reflect.DeepEqual(before, f.ServerGroups) {
		t.Error("CheckListener changed the facts")
	}
}

// lsnBlockedCase is a listener whose rules cannot change as the spec
// wants.
type lsnBlockedCase struct {
	name  string
	spec  alb.ListenerSpec
	rules []alb.Rule
	rule  string
}

func lsnBlockedCases() []lsnBlockedCase {
	rule := func(id, name string, prio int, path string) alb.Rule {
		return alb.Rule{ID: id, Status: alb.RuleAvailable, RuleSpec: alb.NewRuleSpec(name, prio, routing.Path(path)).Then(routing.ForwardTo("sgp-1"))}
	}
	return []lsnBlockedCase{
		{"priority held by an unmanaged rule", lsnHTTP().WithRules(alb.NewRuleSpec("api", 5, routing.Path("/api")).Then(routing.ForwardTo("sgp-1"))),
			[]alb.Rule{rule("rule-1", "theirs", 5, "/x")}, alb.RuleListenerRulePriorityTaken},
		{"swap at the top of the priorities", lsnHTTP().WithRuleMembership(alb.MembershipOwned).WithRules(
			alb.NewRuleSpec("a", 10000, routing.Path("/*")).Then(routing.ForwardTo("sgp-1")),
			alb.NewRuleSpec("b", 9999, routing.Path("/b/*")).Then(routing.ForwardTo("sgp-1"))),
			[]alb.Rule{rule("rule-a", "a", 9999, "/*"), rule("rule-b", "b", 10000, "/b/*")}, alb.RuleListenerRuleOrderNoFreePriority},
	}
}

func TestDiffListenerBlockedRules(t *testing.T) {
	for _, c := range lsnBlockedCases() {
		t.Run(c.name, func(t *testing.T) {
			l := &alb.Listener{ID: "lsn-1", LoadBalancerID: lbID, Protocol: alb.ListenerHTTP, Port: 80, DefaultServerGroupIDs: []string{"sgp-1"}, Gzip: true,
				XForwardedFor: alb.XForwardedFor{Mode: alb.XForwardedForAppend}}
			spec := c.spec.WithTimeouts(30, 0)
			p := alb.DiffListener(spec, l, nil, c.rules)
			if len(p.Blocked) != 1 || p.Blocked[0].Rule != c.rule {
				t.Fatalf("Blocked = %v, want one %s\n%s", p.Blocked, c.rule, p)
			}
			if p.Writes() || len(p.Calls()) != 0 || p.Empty() {
				t.Errorf("a plan blocked by its rules writes (or says empty):\n%s", p)
			}
			if d := p.Blocked[0]; d.Reason == "" || d.Instead == "" {
				t.Errorf("the difference says no reason or no remedy: %v", d)
			}
		})
	}
}
