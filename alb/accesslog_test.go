package alb_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// accessLogWire reads the instance's AccessLogConfig as the wire has it:
// nil when the answer carries no such object (the emulator leaves it out
// when the access log is off, as Terraform reads any object as enabled).
func accessLogWire(t *testing.T, srv *albtest.Server, id string) any {
	t.Helper()
	r, err := srv.ALBClient().GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: tea.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Body.AccessLogConfig == nil {
		return nil
	}
	return *r.Body.AccessLogConfig
}

// Enable and disable the access log: local validation before any call,
// one write then a wait until the instance shows it, no write for the
// state the instance is in, a refusal (no write) for a second destination,
// and the emulator's state and answers at each step.
func TestAccessLogEnableDisable(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	inst := mustActive(t, c, basicSpec())
	id := inst.ID
	if inst.AccessLog.Enabled() || inst.AccessLog.String() != "off" || accessLogWire(t, srv, id) != nil {
		t.Fatalf("a new instance has an access log: %+v", inst.AccessLog)
	}
	w := writes(srv)
	// Refused locally: no call at all.
	for _, bad := range []struct {
		log   alb.AccessLog
		field string
		rule  string
	}{
		{alb.AccessLog{Project: "Web", Store: "access"}, "AccessLog.Project", alb.RuleAccessLogProjectName},
		{alb.AccessLog{Project: "web-logs", Store: "a"}, "AccessLog.Store", alb.RuleAccessLogStoreName},
		{alb.AccessLog{Project: "web-logs"}, "AccessLog.Store", alb.RuleRequired},
	} {
		_, err := c.EnableAccessLog(ctx, id, bad.log)
		var ve *alb.ValidationError
		if !errors.As(err, &ve) || !ve.Has(bad.field, bad.rule) || !errors.Is(err, alb.ErrInvalidSpec) {
			t.Errorf("%+v: %v; want %s [%s]", bad.log, err, bad.field, bad.rule)
		}
	}
	if _, err := c.EnableAccessLog(ctx, id, alb.AccessLog{}); !errors.Is(err, alb.ErrInvalidArgument) {
		t.Errorf("an empty access log: %v", err)
	}
	if _, err := c.EnableAccessLog(ctx, "lsn-1", alb.AccessLog{Project: "web-logs", Store: "access"}); !errors.Is(err, alb.ErrInvalidArgument) {
		t.Errorf("a malformed ID: %v", err)
	}
	if writes(srv) != w {
		t.Fatalf("refused calls made %d writes", writes(srv)-w)
	}
	// Disable without an access log: no write.
	if got, err := c.DisableAccessLog(ctx, id); err != nil || got.AccessLog.Enabled() || writes(srv) != w {
		t.Fatalf("disable when off: %+v %v (%d writes)", got, err, writes(srv)-w)
	}
	// Enable: one write, waited until shown.
	log := alb.AccessLog{Project: "web-logs", Store: "alb_access"}
	got, err := c.EnableAccessLog(ctx, id, log)
	if err != nil || got.AccessLog != log || got.Status != alb.StatusActive || srv.Count("EnableLoadBalancerAccessLog") != 1 {
		t.Fatalf("enable: %+v %v (%d sent)", got, err, srv.Count("EnableLoadBalancerAccessLog"))
	}
	if snap, _ := srv.LoadBalancer(id); snap.AccessLogProject != log.Project || snap.AccessLogStore != log.Store {
		t.Fatalf("emulator state %+v", snap)
	}
	if wire, ok := accessLogWire(t, srv, id).(albsdk.GetLoadBalancerAttributeResponseBodyAccessLogConfig); !ok ||
		tea.StringValue(wire.LogProject) != log.Project || tea.StringValue(wire.LogStore) != log.Store {
		t.Fatalf("AccessLogConfig %+v", accessLogWire(t, srv, id))
	}
	for listed, err := range c.List(ctx, alb.ListFilter{IDs: []string{id}}) {
		if err != nil || listed.AccessLog != log {
			t.Fatalf("List: %+v %v", listed, err)
		}
	}
	// The same again: no write. Another destination: refused, no write.
	w = writes(srv)
	if got, err := c.EnableAccessLog(ctx, id, log); err != nil || got.AccessLog != log || writes(srv) != w {
		t.Fatalf("enable again: %v (%d writes)", err, writes(srv)-w)
	}
	_, err = c.EnableAccessLog(ctx, id, alb.AccessLog{Project: "other-logs", Store: "access"})
	var re *alb.RefusedError
	if !errors.As(err, &re) || re.Rule != alb.RuleAccessLogEnabled || re.Field != "AccessLog" || !errors.Is(err, alb.ErrChangeRefused) || writes(srv) != w {
		t.Fatalf("a second destination: %v (%d writes)", err, writes(srv)-w)
	}
	// Disable: one write; the answer carries no AccessLogConfig again.
	if got, err := c.DisableAccessLog(ctx, id); err != nil || got.AccessLog.Enabled() || srv.Count("DisableLoadBalancerAccessLog") != 1 {
		t.Fatalf("disable: %+v %v", got, err)
	}
	if v := accessLogWire(t, srv, id); v != nil {
		t.Fatalf("AccessLogConfig after disable: %+v", v)
	}
}

// On an instance another writer keeps busy the write is answered
// ResourceInConfiguring.LoadBalancer (the access-log actions' code): the
// operation retries it until accepted.
func TestAccessLogOnABusyInstance(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	id := mustActive(t, c, basicSpec()).ID
	srv.InjectFault(albtest.Fault{Action: "EnableLoadBalancerAccessLog", Code: "ResourceInConfiguring.LoadBalancer", Status: 400, Times: 2})
	log := alb.AccessLog{Project: "web-logs", Store: "access"}
	got, err := c.EnableAccessLog(ctx, id, log)
	if err != nil || got.AccessLog != log {
		t.Fatalf("%+v %v", got, err)
	}
	if n := srv.Count("EnableLoadBalancerAccessLog"); n != 3 {
		t.Fatalf("%d EnableLoadBalancerAccessLog requests, want two refused and one accepted", n)
	}
}

// Ensure converges the access log: the plan of a create shows the enable
// after it, the writes are the plan's, a second run writes nothing; a new
// destination is one change (disable, then enable), and off is a disable.
func TestEnsureConvergesTheAccessLog(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	spec := basicSpec().WithIdempotencyKey("logs-1").WithAccessLog("web-logs", "access")
	plan, err := c.PlanEnsure(ctx, spec)
	if err != nil || !plan.Create || len(plan.Plan.Changes) != 1 || plan.Plan.Changes[0].Field != "AccessLog" ||
		!slices.Equal(plan.Plan.Changes[0].Calls, []string{"EnableLoadBalancerAccessLog"}) {
		t.Fatalf("create plan: %v %v", plan, err)
	}
	res, err := c.Ensure(ctx, spec)
	if err != nil || !res.Created || res.Instance.AccessLog != spec.AccessLog || srv.Count("EnableLoadBalancerAccessLog") != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if d := alb.Diff(alb.SpecFromInstance(res.Instance), res.Instance); !d.Empty() {
		t.Fatalf("round trip: %v", d)
	}
	w := writes(srv)
	if again, err := c.Ensure(ctx, spec); err != nil || len(again.Applied) != 0 || writes(srv) != w {
		t.Fatalf("second Ensure: %+v %v (%d writes)", again, err, writes(srv)-w)
	}
	for _, step := range []struct {
		spec  alb.InstanceSpec
		calls []string
	}{
		{spec.WithAccessLog("audit-logs", "alb_access"), []string{"DisableLoadBalancerAccessLog", "EnableLoadBalancerAccessLog"}},
		{spec.WithAccessLog("", ""), []string{"DisableLoadBalancerAccessLog"}},
	} {
		plan, err := c.PlanEnsure(ctx, step.spec)
		if err != nil || len(plan.Plan.Changes) != 1 || !slices.Equal(plan.Plan.Changes[0].Calls, step.calls) {
			t.Fatalf("%s: plan %v %v", step.spec.AccessLog, plan, err)
		}
		before := srv.Calls()
		res, err := c.Ensure(ctx, step.spec)
		if err != nil || res.Instance.AccessLog != step.spec.AccessLog {
			t.Fatalf("%s: %+v %v", step.spec.AccessLog, res, err)
		}
		after := srv.Calls()
		var wrote []string
		for _, a := range []string{"DisableLoadBalancerAccessLog", "EnableLoadBalancerAccessLog"} {
			for range after[a] - before[a] {
				wrote = append(wrote, a)
			}
		}
		if !slices.Equal(wrote, step.calls) || writes(srv)-w != len(step.calls) {
			t.Fatalf("%s: wrote %v (%d writes), planned %v", step.spec.AccessLog, wrote, writes(srv)-w, step.calls)
		}
		w = writes(srv)
		if again, err := c.Ensure(ctx, step.spec); err != nil || len(again.Applied) != 0 || writes(srv) != w {
			t.Fatalf("%s: second Ensure %+v %v", step.spec.AccessLog, again, err)
		}
	}
}
