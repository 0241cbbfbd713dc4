package stack_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/edition"
	"github.com/albkit/albkit/routing"
	"github.com/albkit/albkit/stack"
)

func env(t *testing.T, opts ...albtest.Option) (*albtest.Server, *alb.Client) {
	t.Helper()
	srv := albtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func ips(n, third, port int) []alb.Server {
	out := make([]alb.Server, n)
	for i := range out {
		out[i] = alb.IPServer(fmt.Sprintf("10.0.%d.%d", third, 1+i), port)
	}
	return out
}

// webStack is an instance, two Ip server groups, and an HTTP listener with
// a host rule and a path rule.
func webStack() stack.Stack {
	return stack.Stack{
		Key: "web-test",
		Instance: alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName("web"),
		ServerGroups: []alb.ServerGroupSpec{
			alb.NewServerGroupSpec("api", alb.ServerGroupIP, "").WithServers(ips(2, 1, 8080)...),
			alb.NewServerGroupSpec("static", alb.ServerGroupIP, "").WithServers(ips(2, 2, 8080)...),
		},
		Listeners: []stack.Listener{{
			Name: "http",
			ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTP, 80, "static").WithRules(
				alb.NewRuleSpec("api-host", 10, routing.Host("api.example.com")).Then(routing.ForwardTo("api")),
				alb.NewRuleSpec("v1-path", 20, routing.Path("/v1/*")).Then(routing.ForwardTo("api")),
			),
		}},
	}
}

// writes counts the write calls the server received.
func writes(srv *albtest.Server) int {
	n := 0
	for action, count := range srv.Calls() {
		if !strings.HasPrefix(action, "Get") && !strings.HasPrefix(action, "List") && !strings.HasPrefix(action, "Describe") {
			n += count
		}
	}
	return n
}

func TestApplyPlanDestroy(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	plan, err := s.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Blocked() || !plan.Writes() {
		t.Fatalf("plan:\n%s", plan)
	}
	res, err := s.Apply(ctx, c, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sorted(res.Calls()), sorted(plan.Calls()); !slices.Equal(got, want) {
		t.Fatalf("calls %v\nplan  %v", got, want)
	}
	ids := res.IDs()
	if ids["listener/http"] == "" || ids["server group/api"] == "" || ids["instance/web"] == "" {
		t.Fatalf("ids %v", ids)
	}
	// A second apply writes nothing.
	before := writes(srv)
	again, err := s.Apply(ctx, c, stack.Options{})
	if err != nil || len(again.Calls()) != 0 || writes(srv) != before {
		t.Fatalf("second apply: %v, calls %v\n%s", err, again.Calls(), again.Plan)
	}
	// Change a rule and a weight, drop the path rule, add a group.
	s2 := webStack()
	s2.ServerGroups[0].Servers[0] = s2.ServerGroups[0].Servers[0].WithWeight(30)
	s2.ServerGroups = append(s2.ServerGroups, alb.NewServerGroupSpec("canary", alb.ServerGroupIP, "").WithServers(ips(1, 3, 8080)...))
	s2.Listeners[0].Rules = []alb.RuleSpec{
		alb.NewRuleSpec("api-host", 10, routing.Host("api.example.com")).Then(routing.Forward(routing.Weighted("api", 90), routing.Weighted("canary", 10))),
	}
	plan2, err := s2.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := s2.Apply(ctx, c, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sorted(res2.Calls()), sorted(plan2.Calls()); !slices.Equal(got, want) {
		t.Fatalf("calls %v\nplan  %v\n%s", got, want, plan2)
	}
	before = writes(srv)
	if again, err := s2.Apply(ctx, c, stack.Options{}); err != nil || len(again.Calls()) != 0 || writes(srv) != before {
		t.Fatalf("second apply of the change: %v %v", err, again.Calls())
	}
	// The static group is dropped: the listener's default action moves to
	// api first, then the group is deleted.
	s3 := s2
	s3.ServerGroups = slices.DeleteFunc(slices.Clone(s2.ServerGroups), func(g alb.ServerGroupSpec) bool { return g.Name == "static" })
	s3.Listeners = []stack.Listener{{Name: "http", ListenerSpec: s2.Listeners[0].ListenerSpec}}
	s3.Listeners[0].DefaultServerGroupIDs = []string{"api"}
	plan3, err := s3.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if it, ok := plan3.Item(stack.KindServerGroup, "static"); !ok || it.Action != stack.ActionDelete {
		t.Fatalf("plan3:\n%s", plan3)
	}
	if _, err := s3.Apply(ctx, c, stack.Options{}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.ServerGroups()); n != 2 {
		t.Fatalf("%d groups after the delete", n)
	}
	// Destroy leaves nothing.
	if _, err := s3.Destroy(ctx, c, stack.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(srv.ServerGroups()) != 0 || len(srv.Listeners()) != 0 || liveInstances(srv) != 0 {
		t.Fatalf("left: %d groups, %d listeners, %d instances", len(srv.ServerGroups()), len(srv.Listeners()), liveInstances(srv))
	}
	if _, err := s3.Destroy(ctx, c, stack.Options{}); err != nil {
		t.Fatalf("a second destroy: %v", err)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestValidateReportsEveryProblem(t *testing.T) {
	s := webStack()
	s.Key = "bad key!"
	s.Listeners[0].Rules = append(s.Listeners[0].Rules, alb.NewRuleSpec("ghost", 30, routing.Path("/g")).Then(routing.ForwardTo("nosuchgroup")))
	s.Listeners = append(s.Listeners, stack.Listener{Name: "http", ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTP, 80, "api")})
	s.ServerGroups[1].Name = "api"
	err := s.Validate()
	var se *stack.Error
	if !errors.As(err, &se) || !errors.Is(err, alb.ErrInvalidSpec) {
		t.Fatalf("Validate: %v", err)
	}
	rules := map[string]bool{}
	for _, p := range se.Problems {
		rules[p.Rule] = true
	}
	for _, want := range []string{stack.RuleKey, stack.RuleReference, stack.RuleNameUnique, alb.RuleListenerPortUnique} {
		if !rules[want] {
			t.Errorf("no problem with rule %s in\n%v", want, err)
		}
	}
}

func TestBasicEditionRefusesLocally(t *testing.T) {
	s := webStack()
	s.Instance.Edition = alb.EditionBasic
	s.Listeners[0].Rules = append(s.Listeners[0].Rules,
		alb.NewRuleSpec("rw", 30, routing.Path("/old/*")).Then(routing.Rewrite(routing.RewriteConfig{Path: "/new"}), routing.ForwardTo("api")))
	err := s.Validate()
	if err == nil || !strings.Contains(err.Error(), "Standard") {
		t.Fatalf("Validate: %v", err)
	}
}

func TestApplyRefusesBeforeAnyWrite(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	if _, err := s.Apply(ctx, c, stack.Options{}); err != nil {
		t.Fatal(err)
	}
	// The port of a listener cannot change in place.
	s.Listeners[0].Port = 8080
	before := writes(srv)
	_, err := s.Apply(ctx, c, stack.Options{})
	var re *stack.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, alb.ErrChangeRefused) || writes(srv) != before {
		t.Fatalf("apply of a port change: %v (%d writes)", err, writes(srv)-before)
	}
}

// liveInstances counts the instances not released.
func liveInstances(srv *albtest.Server) int {
	n := 0
	for _, lb := range srv.LoadBalancers() {
		if !lb.Deleted {
			n++
		}
	}
	return n
}

// A read that fails while Destroy plans is an error, not a policy left
// out of what it deletes: the security policy's read (ListSecurityPolicies
// by its ID, after the one by its tag) failing used to be dropped, and
// Destroy reported success with the policy still there.
func TestDestroyDoesNotDropAFailedRead(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	s.SecurityPolicies = []alb.SecurityPolicySpec{alb.NewSecurityPolicySpec("pol", []alb.TLSVersion{alb.TLS12}, alb.Ciphers(alb.TLS12)[:2]...)}
	res, err := s.Apply(ctx, c, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var polID string
	for _, it := range res.Items {
		if it.Kind == stack.KindSecurityPolicy {
			polID = it.ID
		}
	}
	if polID == "" {
		t.Fatalf("no security policy in the apply's result: %+v", res.Items)
	}
	srv.InjectFault(albtest.Fault{Action: "ListSecurityPolicies", Skip: 1, Times: 1, Code: "Forbidden.RAM", Status: 403})
	_, err = s.Destroy(ctx, c, stack.Options{})
	srv.ClearFaults()
	t.Logf("Destroy with the second ListSecurityPolicies failing: %v", err)
	if err != nil {
		var api *alb.APIError
		if !errors.As(err, &api) || api.Code != "Forbidden.RAM" {
			t.Errorf("Destroy = %v, want the read's *alb.APIError (Forbidden.RAM)", err)
		}
		return
	}
	if _, err := c.SecurityPolicies().Get(ctx, polID); !errors.Is(err, alb.ErrNotFound) {
		t.Errorf("Destroy succeeded, but the security policy %s is still there (Get: %v)", polID, err)
	}
}

// TestRulesAcrossListenersCountAgainstOneQuota: the rule quota is the
// instance's, so two listeners whose rules are each within the edition's
// maximum but together above it are refused before any call.
func TestRulesAcrossListenersCountAgainstOneQuota(t *testing.T) {
	s := webStack()
	q, _ := edition.Of(string(alb.EditionStandard))
	half := q.RulesPerInstance.Max/2 + 1
	rules := func(prefix string) []alb.RuleSpec {
		out := make([]alb.RuleSpec, half)
		for i := range out {
			out[i] = alb.NewRuleSpec(fmt.Sprintf("%s%03d", prefix, i), 1+i, routing.Path(fmt.Sprintf("/%s/%d", prefix, i))).Then(routing.ForwardTo("api"))
		}
		return out
	}
	s.Listeners[0].Rules = rules("a")
	s.Listeners = append(s.Listeners, stack.Listener{Name: "alt", ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTP, 8080, "static").WithRules(rules("b")...)})
	err := s.Validate()
	var se *stack.Error
	if !errors.As(err, &se) {
		t.Fatalf("Validate of %d rules on two listeners (maximum %d): %v", 2*half, q.RulesPerInstance.Max, err)
	}
	n := 0
	for _, p := range se.Problems {
		if p.Rule == routing.RuleEditionRulesQuota && p.Field == "Rules" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("want the quota problem on both listeners, got %d in\n%v", n, err)
	}
	s.Listeners[1].Rules = s.Listeners[1].Rules[:half-2] // exactly the maximum
	if err := s.Validate(); err != nil {
		t.Errorf("rules at the quota's maximum: %v", err)
	}
}

// TestPlanCountsTheRulesOfListenersItDoesNotManage: a listener made
// outside the stack keeps its rules, so the stack's rules and its count
// against the instance's one quota: a plan that would exceed the maximum
// is refused before any write.
func TestPlanCountsTheRulesOfListenersItDoesNotManage(t *testing.T) {
	q, _ := edition.Of(string(alb.EditionStandard))
	max := q.RulesPerInstance.Max
	srv, c := env(t, albtest.WithInstanceQuotas(string(alb.EditionStandard), albtest.InstanceQuotas{Rules: max}))
	ctx := context.Background()
	s := webStack()
	res, err := s.Apply(ctx, c, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Outside the stack: a listener with the maximum less the stack's two
	// rules.
	other, err := c.Listeners().Create(ctx, alb.NewListenerSpec(res.IDs()["instance/web"], alb.ListenerHTTP, 8080, res.IDs()["server group/api"]).WithIdempotencyKey("outside"))
	if err != nil {
		t.Fatal(err)
	}
	specs := make([]alb.RuleSpec, max-len(s.Listeners[0].Rules))
	for i := range specs {
		specs[i] = alb.NewRuleSpec(fmt.Sprintf("o%03d", i), 1+i, routing.Path(fmt.Sprintf("/o/%d", i))).Then(routing.ForwardTo(res.IDs()["server group/api"]))
	}
	if _, err := c.ForwardingRules().CreateMany(ctx, other.ID, specs); err != nil {
		t.Fatal(err)
	}
	// At the maximum: nothing to do. One rule more: refused.
	if plan, err := s.Plan(ctx, c); err != nil || plan.Blocked() || plan.Writes() {
		t.Fatalf("plan at the maximum: %v\n%s", err, plan)
	}
	s.Listeners[0].Rules = append(s.Listeners[0].Rules, alb.NewRuleSpec("one-more", 30, routing.Path("/more")).Then(routing.ForwardTo("api")))
	plan, err := s.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Blocked() || !strings.Contains(plan.String(), routing.RuleEditionRulesQuota) {
		t.Fatalf("a plan above the instance's rule quota is not refused:\n%s", plan)
	}
	before := writes(srv)
	if _, err := s.Apply(ctx, c, stack.Options{}); err == nil || writes(srv) != before {
		t.Fatalf("apply above the quota: %v, %d writes", err, writes(srv)-before)
	}
}

// TestDestroyRefusedByTheReleaseDeletesNothing: a destroy whose release
// the release's checks refuse (deletion protection on, not allowed to turn
// it off; a user's own EIP, not acknowledged) deletes nothing, not the
// listeners first (the instance would be kept out of service); allowed,
// it deletes everything.
func TestDestroyRefusedByTheReleaseDeletesNothing(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	s.Instance = s.Instance.WithDeletionProtection()
	s.Instance.ZoneMappings[1] = s.Instance.ZoneMappings[1].WithEIP(albtest.EIPTraffic1)
	if _, err := s.Apply(ctx, c, stack.Options{}); err != nil {
		t.Fatal(err)
	}
	before := writes(srv)
	_, err := s.Destroy(ctx, c, stack.Options{})
	var re *alb.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, alb.ErrDeletionProtected) {
		t.Fatalf("destroy of a protected instance: %v, want a *alb.RefusedError matching ErrDeletionProtected", err)
	}
	_, err = s.Destroy(ctx, c, stack.Options{Release: alb.ReleaseOptions{DisableDeletionProtection: true}})
	if !errors.Is(err, alb.ErrUserEIPNotAcknowledged) {
		t.Fatalf("destroy releasing the user's EIP unacknowledged: %v, want ErrUserEIPNotAcknowledged", err)
	}
	if n := writes(srv) - before; n != 0 {
		t.Fatalf("refused destroys wrote %d call(s): %v", n, srv.Calls())
	}
	if _, err := s.Destroy(ctx, c, stack.Options{Release: alb.ReleaseOptions{DisableDeletionProtection: true, AcknowledgeUserEIPs: true}}); err != nil {
		t.Fatal(err)
	}
	if srv.Calls()["DeleteListener"] != 1 || srv.Calls()["DeleteLoadBalancer"] != 1 {
		t.Fatalf("the allowed destroy: calls %v", srv.Calls())
	}
}

// TestResultListsOnlyTheCallsMade: an apply that stops lists the write
// calls made, not the plan's calls of the resources that never ran (it
// listed CreateListener for a listener never sent).
func TestResultListsOnlyTheCallsMade(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", Code: "InvalidParameter", Status: 400, Times: 1})
	res, err := s.Apply(ctx, c, stack.Options{})
	var ae *stack.ApplyError
	if !errors.As(err, &ae) || ae.Result != res {
		t.Fatalf("apply with the instance refused: %v, want an *ApplyError with the result", err)
	}
	got := map[string]int{}
	for _, call := range res.Calls() {
		got[call]++
	}
	for call, n := range got {
		if sent := srv.Calls()[call]; sent < n {
			t.Errorf("the result lists %s %d time(s); the service received it %d time(s)", call, n, sent)
		}
	}
	if got["CreateListener"] != 0 || got["CreateLoadBalancer"] != 0 {
		t.Errorf("calls %v: the listener never ran and the instance's create failed", res.Calls())
	}
}

// TestDestroyThatStopsSaysDestroy: a destroy that stops says to destroy
// again to resume (it said to apply again, which would recreate what was
// deleted), and lists no call for the delete that failed.
func TestDestroyThatStopsSaysDestroy(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	if _, err := s.Apply(ctx, c, stack.Options{}); err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(albtest.Fault{Action: "DeleteListener", Code: "InvalidParameter", Status: 400, Times: 1})
	res, err := s.Destroy(ctx, c, stack.Options{})
	var ae *stack.ApplyError
	if !errors.As(err, &ae) || !ae.Destroy || !strings.Contains(err.Error(), "destroy the stack again") {
		t.Fatalf("a destroy that stopped: %v", err)
	}
	if calls := res.Calls(); len(calls) != 0 {
		t.Errorf("calls %v: the only delete sent failed", calls)
	}
	if _, err := s.Destroy(ctx, c, stack.Options{}); err != nil {
		t.Fatalf("destroy again: %v", err)
	}
}

// TestQUICUpgradeToAStackListener: an HTTPS listener that advertises a
// QUIC listener of the stack passes the checks (they refused every such
// stack: the QUIC listener's stand-in ID was not a listener of the
// instance), applies, and converges; one that names a listener of the
// stack that is not a QUIC one is refused.
func TestQUICUpgradeToAStackListener(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	s.Listeners = append(s.Listeners,
		stack.Listener{Name: "https", ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTPS, 443, "static").WithCertificate(albtest.CertificateExample).WithQUICUpgrade("quic")},
		stack.Listener{Name: "quic", ListenerSpec: alb.NewListenerSpec("", alb.ListenerQUIC, 443, "static").WithCertificate(albtest.CertificateExample)})
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	res, err := s.Apply(ctx, c, stack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	https, err := c.Listeners().Get(ctx, res.IDs()["listener/https"])
	if err != nil || https.QUICListenerID != res.IDs()["listener/quic"] {
		t.Fatalf("the HTTPS listener advertises %q, want the QUIC listener %q (%v)", https.QUICListenerID, res.IDs()["listener/quic"], err)
	}
	before := writes(srv)
	if again, err := s.Apply(ctx, c, stack.Options{}); err != nil || writes(srv) != before {
		t.Fatalf("second apply: %v, calls %v", err, again.Calls())
	}
	bad := webStack()
	bad.Listeners = append(bad.Listeners,
		stack.Listener{Name: "https", ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTPS, 443, "static").WithCertificate(albtest.CertificateExample).WithQUICUpgrade("http")})
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), alb.RuleListenerQUICListenerUsable) {
		t.Fatalf("an upgrade to an HTTP listener: %v", err)
	}
}

// TestRenamedListenerOnItsPortIsRefusedBeforeAnyWrite: a listener renamed
// (its name is its key) on the port the old one holds is refused by the
// plan, saying why and what to do, before any write (it was created into
// the port in use, refused by the service, and every apply again stopped
// the same way).
func TestRenamedListenerOnItsPortIsRefusedBeforeAnyWrite(t *testing.T) {
	srv, c := env(t)
	ctx := context.Background()
	s := webStack()
	if _, err := s.Apply(ctx, c, stack.Options{}); err != nil {
		t.Fatal(err)
	}
	s.Listeners[0].Name = "web80"
	plan, err := s.Plan(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Blocked() || !strings.Contains(plan.String(), `the stack's listener "http"`) {
		t.Fatalf("plan of a rename on the same port:\n%s", plan)
	}
	before := writes(srv)
	_, err = s.Apply(ctx, c, stack.Options{})
	var re *stack.RefusedError
	if !errors.As(err, &re) || writes(srv) != before {
		t.Fatalf("apply of the rename: %v, %d writes", err, writes(srv)-before)
	}
}
