package alb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// lsnEnv is an emulator with an Active instance of edition ed and three
// Ip server groups (HTTP backends) in its VPC.
type lsnEnv struct {
	srv    *albtest.Server
	c      *alb.Client
	inst   *alb.Instance
	groups []string
}

func newLsnEnv(t *testing.T, ed alb.Edition, opts ...albtest.Option) *lsnEnv {
	t.Helper()
	srv, c := mgEnv(t, opts...)
	spec := basicSpec()
	spec.Edition = ed
	inst := mustActive(t, c, spec)
	e := &lsnEnv{srv: srv, c: c, inst: inst}
	for i := range 3 {
		sg, err := c.ServerGroups().Create(context.Background(), ipSpec(fmt.Sprintf("grp-%d", i), 1))
		if err != nil {
			t.Fatal(err)
		}
		e.groups = append(e.groups, sg.ID)
	}
	return e
}

func hostRule(name string, prio int, host, group string) alb.RuleSpec {
	return alb.NewRuleSpec(name, prio, routing.Host(host)).Then(routing.ForwardTo(group))
}

func pathRule(name string, prio int, path, group string) alb.RuleSpec {
	return alb.NewRuleSpec(name, prio, routing.Path(path)).Then(routing.ForwardTo(group))
}

func (e *lsnEnv) httpSpec(key string, rules ...alb.RuleSpec) alb.ListenerSpec {
	return alb.NewListenerSpec(e.inst.ID, alb.ListenerHTTP, 80, e.groups[0]).WithIdempotencyKey(key).WithRules(rules...)
}

func TestListenerEnsureCreatesAndConverges(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	ls := e.c.Listeners()
	spec := e.httpSpec("web-80",
		hostRule("api", 10, "api.example.com", e.groups[1]),
		pathRule("static", 20, "/static/*", e.groups[2]))
	plan, err := ls.PlanEnsure(ctx, spec)
	if err != nil || !plan.Plan.Create || plan.Blocked() {
		t.Fatalf("plan %v %v", plan, err)
	}
	res, err := ls.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Listener.Status != alb.ListenerRunning || !slices.Equal(res.Calls, plan.Plan.Calls()) {
		t.Fatalf("created %v, status %s, calls %v, plan %v", res.Created, res.Listener.Status, res.Calls, plan.Plan.Calls())
	}
	var names []string
	for r, err := range e.c.ForwardingRules().List(ctx, alb.RuleFilter{ListenerIDs: []string{res.ID}}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != alb.RuleAvailable {
			t.Errorf("rule %s is %s", r.Name, r.Status)
		}
		names = append(names, r.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"api", "static"}) {
		t.Fatalf("rules %v", names)
	}
	before := writes(e.srv)
	again, err := ls.Ensure(ctx, spec)
	if err != nil || len(again.Calls) != 0 || writes(e.srv) != before {
		t.Fatalf("second Ensure: %v, calls %v", err, again.Calls)
	}
	// Swap the two rules' priorities and change an attribute: the plan's
	// calls are made, in its order, and the listener then diffs empty.
	spec2 := spec.WithTimeouts(30, 0)
	spec2.Rules[0].Priority, spec2.Rules[1].Priority = 20, 10
	plan, err = ls.PlanEnsure(ctx, spec2)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := ls.Ensure(ctx, spec2)
	if err != nil || !slices.Equal(res2.Calls, plan.Plan.Calls()) {
		t.Fatalf("Ensure of the swap: %v, calls %v, plan\n%s", err, res2.Calls, plan.Plan)
	}
	if res2.Listener.IdleTimeoutSeconds != 30 {
		t.Errorf("idle timeout %d", res2.Listener.IdleTimeoutSeconds)
	}
	before = writes(e.srv)
	if again, err := ls.Ensure(ctx, spec2); err != nil || len(again.Calls) != 0 || writes(e.srv) != before {
		t.Fatalf("after the swap: %v, calls %v", err, again.Calls)
	}
	// A port change cannot be made in place.
	moved := spec2
	moved.Port = 8080
	before = writes(e.srv)
	if _, err := ls.Ensure(ctx, moved); !errors.Is(err, alb.ErrChangeRefused) || writes(e.srv) != before {
		t.Fatalf("port change: %v", err)
	}
}

func TestListenerChecksRefuseBeforeAnyWrite(t *testing.T) {
	e := newLsnEnv(t, alb.EditionBasic)
	ctx := context.Background()
	ls := e.c.Listeners()
	// Basic lacks Rewrite: refused locally, naming the edition that has it.
	rw := alb.NewRuleSpec("rw", 10, routing.Path("/old/*")).Then(
		routing.Rewrite(routing.RewriteConfig{Path: "/new"}), routing.ForwardTo(e.groups[1]))
	before := writes(e.srv)
	_, err := ls.Ensure(ctx, e.httpSpec("basic", rw))
	var fe *alb.FindingsError
	if !errors.As(err, &fe) || !errors.Is(err, alb.ErrPreflightFailed) || writes(e.srv) != before {
		t.Fatalf("Rewrite on Basic: %v", err)
	}
	if !strings.Contains(fe.Error(), "Standard") {
		t.Errorf("the refusal does not name the edition: %v", fe)
	}
	// A server group in another VPC, and one that does not exist.
	other, err := e.c.ServerGroups().Create(ctx, alb.NewServerGroupSpec("elsewhere", alb.ServerGroupIP, albtest.DefaultOtherVPCID))
	if err != nil {
		t.Fatal(err)
	}
	before = writes(e.srv)
	spec := alb.NewListenerSpec(e.inst.ID, alb.ListenerHTTP, 81, other.ID).WithIdempotencyKey("vpc").
		WithRules(hostRule("ghost", 5, "a.example.com", "sgp-doesnotexist"))
	plan, err := ls.PlanEnsure(ctx, spec)
	if err != nil || !plan.Blocked() {
		t.Fatalf("plan %v %v", plan, err)
	}
	rules := map[string]bool{}
	for _, f := range plan.Findings {
		if f.Severity == alb.SeverityBlocking {
			rules[f.Rule] = true
		}
	}
	if len(rules) < 2 {
		t.Errorf("findings %v", plan.Findings)
	}
	if _, err := ls.Create(ctx, spec); !errors.As(err, &fe) || writes(e.srv) != before {
		t.Fatalf("Create with bad references: %v", err)
	}
}

func TestListenerLifecycleAndGroupsInUse(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	ls := e.c.Listeners()
	l, err := ls.Create(ctx, e.httpSpec("life", hostRule("api", 10, "api.example.com", e.groups[1])))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ls.Get(ctx, l.ID); err != nil || got.Port != 80 || got.Status != alb.ListenerRunning {
		t.Fatalf("Get: %+v %v", got, err)
	}
	stopped, err := ls.Stop(ctx, l.ID)
	if err != nil || stopped.Status != alb.ListenerStopped {
		t.Fatalf("Stop: %v %v", stopped, err)
	}
	if _, err := ls.Stop(ctx, l.ID); err != nil {
		t.Fatalf("Stop of a stopped listener: %v", err)
	}
	started, err := ls.Start(ctx, l.ID)
	if err != nil || started.Status != alb.ListenerRunning {
		t.Fatalf("Start: %v %v", started, err)
	}
	// The group a rule forwards to cannot be deleted while the rule is.
	err = e.c.ServerGroups().Delete(ctx, e.groups[1])
	var iu *alb.InUseError
	if !errors.As(err, &iu) || !slices.Contains(iu.LoadBalancerIDs, e.inst.ID) || len(iu.Users) != 1 || !strings.Contains(iu.Users[0], "(api)") {
		t.Fatalf("deleting a group in use: %v", err)
	}
	if err := ls.Delete(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ls.Get(ctx, l.ID); !errors.Is(err, alb.ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	if err := ls.Delete(ctx, l.ID); err != nil {
		t.Fatalf("a listener already gone: %v", err)
	}
	if err := e.c.ServerGroups().Delete(ctx, e.groups[1]); err != nil {
		t.Fatalf("the group once its listener is gone: %v", err)
	}
}

func TestHTTPSListenerCertificatesAndHealth(t *testing.T) {
	// The groups' members are addresses nothing answers at: with the data
	// plane on its health checks would find them Unhealthy. This test is
	// of the health API; the checks are albtest's (dataplane_health_test).
	e := newLsnEnv(t, alb.EditionStandard, albtest.WithoutDataPlane())
	ctx := context.Background()
	ls := e.c.Listeners()
	spec := alb.NewListenerSpec(e.inst.ID, alb.ListenerHTTPS, 443, e.groups[0]).WithIdempotencyKey("tls").
		WithCertificate(albtest.CertificateExample).WithAdditionalCertificates(albtest.CertificateOrg)
	res, err := ls.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := ls.ListCertificates(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]alb.CertificateStatus{}
	for _, c := range certs {
		ids[c.ID] = c.Status
	}
	if ids[albtest.CertificateOrg] != alb.CertificateAssociated || len(ids) != 2 {
		t.Fatalf("certificates %v", certs)
	}
	if err := ls.AssociateCertificates(ctx, res.ID, []string{albtest.CertificateAPI}); err != nil {
		t.Fatal(err)
	}
	if err := ls.DissociateCertificates(ctx, res.ID, []string{albtest.CertificateOrg, albtest.CertificateAPI}); err != nil {
		t.Fatal(err)
	}
	certs, _ = ls.ListCertificates(ctx, res.ID)
	if len(certs) != 1 || !certs[0].Default {
		t.Fatalf("after dissociating: %v", certs)
	}
	// An expired certificate is the service's refusal.
	if err := ls.AssociateCertificates(ctx, res.ID, []string{albtest.CertificateExpired}); err == nil {
		t.Fatal("an expired certificate was associated")
	}
	// Health: every server healthy, then one reported unhealthy.
	h, err := ls.Health(ctx, res.ID)
	if err != nil || len(h.ServerGroups) != 1 || len(h.ServerGroups[0].Unhealthy) != 0 || h.Port != 443 {
		t.Fatalf("health %+v %v", h, err)
	}
	members, _ := e.c.ServerGroups().ListServers(ctx, e.groups[0])
	m := members[0]
	if err := e.srv.SetServerHealth(e.groups[0], m.ID, m.Port, albtest.ServerHealth{Status: "Unhealthy", ReasonCode: "RESPONSE_MISMATCH"}); err != nil {
		t.Fatal(err)
	}
	h, err = ls.Health(ctx, res.ID)
	if err != nil || len(h.ServerGroups) != 1 || len(h.ServerGroups[0].Unhealthy) != 1 || h.ServerGroups[0].Unhealthy[0].ReasonCode != "RESPONSE_MISMATCH" {
		t.Fatalf("health after a failure %+v %v", h, err)
	}
}

func TestForwardingRulesOperations(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	l, err := e.c.Listeners().Create(ctx, e.httpSpec("rules"))
	if err != nil {
		t.Fatal(err)
	}
	fr := e.c.ForwardingRules()
	specs := make([]alb.RuleSpec, 25)
	for i := range specs {
		specs[i] = hostRule(fmt.Sprintf("r%02d", i), 100+i, fmt.Sprintf("h%d.example.com", i), e.groups[i%3])
	}
	created, err := fr.CreateMany(ctx, l.ID, specs)
	if err != nil || len(created) != 25 {
		t.Fatalf("CreateMany: %d %v", len(created), err)
	}
	if n := sgCalls(e.srv, "CreateRules"); n != 3 {
		t.Errorf("CreateRules calls = %d, want 3", n)
	}
	one, err := fr.Create(ctx, l.ID, pathRule("one", 5, "/one", e.groups[1]))
	if err != nil || one.Status != alb.RuleAvailable {
		t.Fatalf("Create: %v %v", one, err)
	}
	upd, err := fr.Update(ctx, one.ID, pathRule("one-b", 6, "/one/*", e.groups[2]))
	if err != nil || upd.Name != "one-b" || upd.Priority != 6 {
		t.Fatalf("Update: %+v %v", upd, err)
	}
	resp := alb.NewRuleSpec("resp", 7, routing.ResponseStatusCode("500")).OnResponse().Then(routing.InsertHeader("x-err", "1"))
	r2, err := fr.Create(ctx, l.ID, resp)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fr.Get(ctx, r2.ID); err != nil || got.Direction != routing.DirectionResponse {
		t.Fatalf("Get of a response rule: %v %v", got, err)
	}
	count := func(f alb.RuleFilter) int {
		n := 0
		for _, err := range fr.List(ctx, f) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if n := count(alb.RuleFilter{ListenerIDs: []string{l.ID}}); n != 27 {
		t.Errorf("rules of both directions: %d, want 27", n)
	}
	if n := count(alb.RuleFilter{ListenerIDs: []string{l.ID}, Direction: routing.DirectionResponse}); n != 1 {
		t.Errorf("response rules: %d", n)
	}
	var ids []string
	for _, r := range created {
		ids = append(ids, r.ID)
	}
	if err := fr.DeleteMany(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if n := count(alb.RuleFilter{ListenerIDs: []string{l.ID}}); n != 2 {
		t.Errorf("after DeleteMany: %d rules", n)
	}
	if err := fr.Delete(ctx, one.ID); err != nil {
		t.Fatal(err)
	}
	if err := fr.Delete(ctx, one.ID); err != nil {
		t.Fatalf("a rule already gone: %v", err)
	}
	// A Response rule on a Basic instance, and a bad spec, are refused before any write.
	before := writes(e.srv)
	var ve *alb.ValidationError
	if _, err := fr.Create(ctx, l.ID, alb.NewRuleSpec("x", 0)); !errors.As(err, &ve) || writes(e.srv) != before {
		t.Fatalf("a bad rule: %v", err)
	}
}

// TestListenerBusyIsWaitedFor: rule writes answered with the busy codes
// the Terraform provider retries (ResourceInConfiguring.Listener,
// IncorrectStatus.Listener) go through with the client's defaults.
func TestListenerBusyIsWaitedFor(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	e.srv.InjectFault(albtest.Fault{Action: "CreateRules", Code: "ResourceInConfiguring.Listener", Status: 400, Times: 3})
	e.srv.InjectFault(albtest.Fault{Action: "UpdateListenerAttribute", Code: "IncorrectStatus.Listener", Status: 400, Times: 3})
	spec := e.httpSpec("busy", hostRule("api", 10, "api.example.com", e.groups[1]))
	if _, err := e.c.Listeners().Ensure(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Listeners().Ensure(ctx, spec.WithTimeouts(20, 0)); err != nil {
		t.Fatal(err)
	}
}

// TestListenerEnsureApplyThenFail: each write of a listener's Ensure is
// applied and then answered with a 500 or its connection dropped; the
// retry's token makes it count once; the Ensure succeeds and a second one
// writes nothing.
func TestListenerEnsureApplyThenFail(t *testing.T) {
	for _, action := range []string{"CreateListener", "AssociateAdditionalCertificatesWithListener", "CreateRules", "UpdateListenerAttribute",
		"UpdateRulesAttribute", "DeleteRules", "DissociateAdditionalCertificatesFromListener"} {
		for _, drop := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/drop=%t", action, drop), func(t *testing.T) {
				e := newLsnEnv(t, alb.EditionStandard)
				ctx := context.Background()
				ls := e.c.Listeners()
				a := alb.NewListenerSpec(e.inst.ID, alb.ListenerHTTPS, 443, e.groups[0]).WithIdempotencyKey("atf").
					WithCertificate(albtest.CertificateExample).WithAdditionalCertificates(albtest.CertificateOrg).
					WithRules(hostRule("api", 10, "api.example.com", e.groups[1]), pathRule("img", 20, "/img/*", e.groups[2]))
				b := a.WithTimeouts(40, 0).WithRuleMembership(alb.MembershipOwned)
				b.AdditionalCertificateIDs = []string{albtest.CertificateAPI}
				b.Rules = []alb.RuleSpec{hostRule("api", 10, "api.example.com", e.groups[2]), pathRule("js", 30, "/js/*", e.groups[1])}
				first, second := a, b
				if action == "CreateListener" || action == "AssociateAdditionalCertificatesWithListener" || action == "CreateRules" {
					first = alb.ListenerSpec{}
					second = a
				}
				if first.LoadBalancerID != "" {
					if _, err := ls.Ensure(ctx, first); err != nil {
						t.Fatal(err)
					}
				}
				plan, err := ls.PlanEnsure(ctx, second)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(plan.Plan.Calls(), action) {
					t.Fatalf("the plan does not send %s: %v", action, plan.Plan.Calls())
				}
				f := albtest.Fault{Action: action, ApplyThenFail: true, Times: 1}
				if drop {
					f.DropConnection = true
				} else {
					f.Code, f.Status = "InternalError", 500
				}
				e.srv.InjectFault(f)
				res, err := ls.Ensure(ctx, second)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(res.Calls, plan.Plan.Calls()) {
					t.Errorf("calls %v, plan %v", res.Calls, plan.Plan.Calls())
				}
				if n, want := jobs(e.srv, action), countOf(plan.Plan.Calls(), action); n != want {
					t.Errorf("%d %s jobs, want %d", n, action, want)
				}
				if n := len(e.srv.Listeners()); n != 1 {
					t.Errorf("%d listeners", n)
				}
				before := writes(e.srv)
				again, err := ls.Ensure(ctx, second)
				if err != nil || len(again.Calls) != 0 || writes(e.srv) != before {
					t.Fatalf("second Ensure: %v, calls %v\n%s", err, again.Calls, again.Plan)
				}
			})
		}
	}
}

// Issue 22: a listener's log config (custom headers, Tracing Analysis):
// refused before any write on a Basic instance and while the instance's
// access log is off; converged by Ensure and set by SetLogConfig.
func TestListenerLogConfig(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	ls := e.c.Listeners()
	res, err := ls.Ensure(ctx, e.httpSpec("logs"))
	if err != nil {
		t.Fatal(err)
	}
	tracing := alb.ListenerLogConfig{CustomHeaders: true, Tracing: &alb.ListenerTracing{SamplingRate: 500}}
	before := writes(e.srv)
	_, err = ls.SetLogConfig(ctx, res.ID, tracing)
	var fe *alb.FindingsError
	if !errors.As(err, &fe) || fe.Findings[0].Rule != alb.RuleListenerLogNeedsAccessLog || writes(e.srv) != before {
		t.Fatalf("log config without the access log: %v", err)
	}
	if _, err := e.c.EnableAccessLog(ctx, e.inst.ID, alb.AccessLog{Project: "alb-logs", Store: "access"}); err != nil {
		t.Fatal(err)
	}
	spec := e.httpSpec("logs").WithLogConfig(tracing)
	plan, err := ls.PlanEnsure(ctx, spec)
	if err != nil || !slices.Contains(plan.Plan.Calls(), "UpdateListenerLogConfig") {
		t.Fatalf("plan %v %v", plan, err)
	}
	res2, err := ls.Ensure(ctx, spec)
	if err != nil || !slices.Equal(res2.Calls, plan.Plan.Calls()) {
		t.Fatalf("Ensure: %v, calls %v", err, res2.Calls)
	}
	got, err := ls.Get(ctx, res.ID)
	if err != nil || got.LogConfig.String() != "custom headers, tracing Zipkin 500/10000" {
		t.Fatalf("log config %q %v", got.LogConfig, err)
	}
	before = writes(e.srv)
	if again, err := ls.Ensure(ctx, spec); err != nil || len(again.Calls) != 0 || writes(e.srv) != before {
		t.Fatalf("second Ensure: %v %v", err, again.Calls)
	}
	off, err := ls.SetLogConfig(ctx, res.ID, alb.ListenerLogConfig{})
	if err != nil || off.LogConfig.String() != "off" {
		t.Fatalf("turning it off: %v %v", off, err)
	}
	// A Basic instance has no Tracing Analysis.
	b := newLsnEnv(t, alb.EditionBasic)
	if _, err := b.c.EnableAccessLog(ctx, b.inst.ID, alb.AccessLog{Project: "alb-logs", Store: "access"}); err != nil {
		t.Fatal(err)
	}
	bres, err := b.c.Listeners().Ensure(ctx, b.httpSpec("logs"))
	if err != nil {
		t.Fatal(err)
	}
	before = writes(b.srv)
	if _, err := b.c.Listeners().SetLogConfig(ctx, bres.ID, tracing); !errors.As(err, &fe) || fe.Findings[0].Rule != alb.RuleListenerTracingEdition || writes(b.srv) != before {
		t.Fatalf("tracing on Basic: %v", err)
	}
}
