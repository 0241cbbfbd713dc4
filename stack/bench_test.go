package stack_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/internal/retry"
	"github.com/albkit/albkit/routing"
	"github.com/albkit/albkit/stack"
)

// Issue 21's benchmark (figures: BENCHMARKS.md, section 9): a stack of one instance, 10 server groups of 50
// servers and 5 listeners of 20 rules, applied to an emulator whose
// actions are rate-limited (writes 10/s, reads 50/s, each action) and
// whose resources take benchProvision to be made and benchConfigure to
// change, on a clock ten times faster than the wall clock.
const (
	benchProvision = 5 * time.Second
	benchConfigure = time.Second
	benchGroups    = 10
	benchServers   = 50
	benchListeners = 5
	benchRules     = 20
)

// scaledClock runs k times faster than the wall clock (see
// alb/bench_test.go).
type scaledClock struct {
	k          float64
	base, wall time.Time
}

func newScaledClock(k float64) *scaledClock {
	now := time.Now()
	return &scaledClock{k: k, base: now, wall: now}
}

func (c *scaledClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.wall)) * c.k))
}

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return retry.SleepContext(ctx, time.Duration(float64(d)/c.k))
}

func benchServer(clk albtest.Clock) *albtest.Server {
	opts := []albtest.Option{albtest.WithClock(clk), albtest.WithMaxSkew(24 * time.Hour), albtest.WithRequestLogLimit(200000),
		albtest.WithRateLimit("", 50, 50),
		albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(benchProvision)),
		albtest.WithTransition(albtest.PhaseConfiguring, albtest.AfterDuration(benchConfigure)),
		albtest.WithTransition(albtest.PhaseDeleting, albtest.AfterDuration(benchConfigure))}
	for _, a := range []string{"CreateLoadBalancer", "CreateServerGroup", "AddServersToServerGroup", "CreateListener", "CreateRules", "CreateRule"} {
		opts = append(opts, albtest.WithRateLimit(a, 10, 10))
	}
	return albtest.NewServer(opts...)
}

// benchStack is the benchmark's stack: rules on distinct hosts, so that a
// listener's rules share no request and go in CreateRules calls of 10.
func benchStack() stack.Stack {
	s := stack.Stack{Key: "bench", Instance: alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName("bench")}
	for g := range benchGroups {
		spec := alb.NewServerGroupSpec(fmt.Sprintf("g%02d", g), alb.ServerGroupIP, "")
		for i := range benchServers {
			spec = spec.WithServers(alb.IPServer(fmt.Sprintf("10.%d.%d.%d", 1+g, 1+i/200, 1+i%200), 8080))
		}
		s.ServerGroups = append(s.ServerGroups, spec)
	}
	for l := range benchListeners {
		spec := alb.NewListenerSpec("", alb.ListenerHTTP, 8000+l, "g00")
		for r := range benchRules {
			spec = spec.WithRules(alb.NewRuleSpec(fmt.Sprintf("r%02d", r), 10+r, routing.Host(fmt.Sprintf("h%d-%d.example.com", l, r))).
				Then(routing.ForwardTo(fmt.Sprintf("g%02d", (l+r)%benchGroups))))
		}
		s.Listeners = append(s.Listeners, stack.Listener{Name: fmt.Sprintf("l%d", l), ListenerSpec: spec})
	}
	return s
}

// benchMinimum is the critical path: the instance and the groups made at
// once (a listener needs its groups to exist, not their servers, which are
// added meanwhile), then every listener at once: made, then its 20 rules in
// two CreateRules calls of 10, one after the other. The rate limits allow
// every stage's calls within its transitions.
func benchMinimum() time.Duration {
	calls := (benchRules + alb.MaxRulesPerCreateCall - 1) / alb.MaxRulesPerCreateCall
	return benchProvision + benchProvision + time.Duration(calls)*benchProvision
}

func report(b *testing.B, srv *albtest.Server, took time.Duration) {
	calls := srv.Calls()
	total := 0
	var names []string
	for a, n := range calls {
		total += n
		names = append(names, fmt.Sprintf("%s=%d", a, n))
	}
	sort.Strings(names)
	b.ReportMetric(took.Seconds(), "svc-s")
	b.ReportMetric(took.Seconds()/benchMinimum().Seconds(), "x-minimum")
	b.ReportMetric(float64(total), "calls")
	b.Logf("applied in %s of service time (minimum %s), %d calls: %s", took.Round(time.Millisecond), benchMinimum(), total, strings.Join(names, " "))
}

func BenchmarkStackApply(b *testing.B) {
	b.Run("impl=albkit", func(b *testing.B) {
		for b.Loop() {
			clk := newScaledClock(10)
			srv := benchServer(clk)
			var start time.Time
			copts := []alb.Option{alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk)}
			if os.Getenv("STACK_BENCH_DEBUG") == "2" {
				copts = append(copts, alb.WithObserver(func(e alb.Event) {
					fmt.Printf("%7.2fs   %s %s %s %s\n", clk.Now().Sub(start).Seconds(), e.Kind, e.Operation, e.ID, e.Message)
				}))
			}
			c, err := alb.NewClient(copts...)
			if err != nil {
				b.Fatal(err)
			}
			s := benchStack()
			start = clk.Now()
			var progress func(stack.Event)
			if os.Getenv("STACK_BENCH_DEBUG") != "" {
				progress = func(e stack.Event) {
					fmt.Printf("%7.2fs %s %s %s %d calls %v\n", clk.Now().Sub(start).Seconds(), e.Kind, e.Item, e.Action, e.Calls, e.Err)
				}
			}
			if _, err := s.Apply(context.Background(), c, stack.Options{Progress: progress}); err != nil {
				b.Fatal(err)
			}
			report(b, srv, clk.Now().Sub(start))
			before := srv.Calls()
			res, err := s.Apply(context.Background(), c, stack.Options{})
			if err != nil || len(res.Calls()) != 0 {
				b.Fatalf("no-change apply: %v %v", err, res.Calls())
			}
			n := 0
			for a, k := range srv.Calls() {
				n += k - before[a]
			}
			b.ReportMetric(float64(n), "nochange-calls")
			srv.Close()
		}
	})
	// The Terraform provider's way: one resource at a time, each waited
	// for by polling every second (service time) as its resource does
	// (ListServerGroups by ID; ListAsynJobs then GetListenerAttribute for a
	// listener; ListRules paging through every rule of the region, 50 a
	// page, for a rule), one CreateRule per rule.
	b.Run("impl=terraform-style", func(b *testing.B) {
		for b.Loop() {
			clk := newScaledClock(10)
			srv := benchServer(clk)
			sdk := srv.ALBClient()
			ctx := context.Background()
			start := clk.Now()
			terraformApply(b, ctx, clk, sdk, benchStack())
			report(b, srv, clk.Now().Sub(start))
			srv.Close()
		}
	})
}

// terraformApply applies s one resource at a time with the raw SDK.
func terraformApply(b *testing.B, ctx context.Context, clk *scaledClock, sdk *albsdk.Client, s stack.Stack) {
	retryCall := func(f func() error) {
		for {
			err := f()
			if err == nil {
				return
			}
			if !strings.Contains(err.Error(), "Throttling") && !strings.Contains(err.Error(), "IncorrectStatus") {
				b.Fatal(err)
			}
			_ = clk.Sleep(ctx, time.Second)
		}
	}
	pollUntil := func(done func() bool) {
		for !done() {
			_ = clk.Sleep(ctx, time.Second)
		}
	}
	groups := map[string]string{}
	for _, g := range s.ServerGroups {
		g.VPCID = albtest.DefaultVPCID
		var id string
		retryCall(func() error {
			r, err := sdk.CreateServerGroup(&albsdk.CreateServerGroupRequest{ServerGroupName: tea.String(g.Name), ServerGroupType: tea.String("Ip"),
				VpcId: tea.String(g.VPCID), Protocol: tea.String("HTTP"),
				HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: tea.Bool(true)}})
			if err == nil {
				id = tea.StringValue(r.Body.ServerGroupId)
			}
			return err
		})
		available := func() bool {
			var ok bool
			retryCall(func() error {
				r, err := sdk.ListServerGroups(&albsdk.ListServerGroupsRequest{ServerGroupIds: []*string{tea.String(id)}})
				ok = err == nil && len(r.Body.ServerGroups) == 1 && tea.StringValue(r.Body.ServerGroups[0].ServerGroupStatus) == "Available"
				return err
			})
			return ok
		}
		pollUntil(available)
		for i := 0; i < len(g.Servers); i += alb.MaxServersPerCall {
			retryCall(func() error {
				req := &albsdk.AddServersToServerGroupRequest{ServerGroupId: tea.String(id)}
				for _, sv := range g.Servers[i:min(i+alb.MaxServersPerCall, len(g.Servers))] {
					req.Servers = append(req.Servers, &albsdk.AddServersToServerGroupRequestServers{ServerType: tea.String("Ip"), ServerId: tea.String(sv.ID),
						Port: tea.Int32(int32(sv.Port)), Weight: tea.Int32(int32(sv.Weight))})
				}
				_, err := sdk.AddServersToServerGroup(req)
				return err
			})
			pollUntil(available)
		}
		groups[g.Name] = id
	}
	spec := s.Instance
	var lb string
	retryCall(func() error {
		req := &albsdk.CreateLoadBalancerRequest{VpcId: tea.String(spec.VPCID), AddressType: tea.String(string(spec.AddressType)),
			LoadBalancerName:    tea.String(spec.Name),
			LoadBalancerEdition: tea.String(string(spec.Edition)), LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: tea.String("PostPay")}}
		for _, z := range spec.ZoneMappings {
			req.ZoneMappings = append(req.ZoneMappings, &albsdk.CreateLoadBalancerRequestZoneMappings{ZoneId: tea.String(z.ZoneID), VSwitchId: tea.String(z.VSwitchID)})
		}
		r, err := sdk.CreateLoadBalancer(req)
		if err == nil {
			lb = tea.StringValue(r.Body.LoadBalancerId)
		}
		return err
	})
	pollUntil(func() bool {
		var ok bool
		retryCall(func() error {
			r, err := sdk.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: tea.String(lb)})
			ok = err == nil && tea.StringValue(r.Body.LoadBalancerStatus) == "Active"
			return err
		})
		return ok
	})
	for _, l := range s.Listeners {
		ls := l.ListenerSpec
		ls.LoadBalancerID = lb
		ls.DefaultServerGroupIDs = []string{groups[ls.DefaultServerGroupIDs[0]]}
		var id, job string
		retryCall(func() error {
			r, err := sdk.CreateListener(&albsdk.CreateListenerRequest{LoadBalancerId: tea.String(lb), ListenerProtocol: tea.String("HTTP"),
				ListenerPort: tea.Int32(int32(ls.Port)), DefaultActions: []*albsdk.CreateListenerRequestDefaultActions{{Type: tea.String("ForwardGroup"),
					ForwardGroupConfig: &albsdk.CreateListenerRequestDefaultActionsForwardGroupConfig{ServerGroupTuples: []*albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{
						{ServerGroupId: tea.String(ls.DefaultServerGroupIDs[0])}}}}}})
			if err == nil {
				id, job = tea.StringValue(r.Body.ListenerId), tea.StringValue(r.Body.JobId)
			}
			return err
		})
		pollUntil(func() bool {
			var ok bool
			retryCall(func() error {
				r, err := sdk.ListAsynJobs(&albsdk.ListAsynJobsRequest{JobIds: []*string{tea.String(job)}})
				ok = err == nil && len(r.Body.Jobs) == 1 && tea.StringValue(r.Body.Jobs[0].Status) == "Succeeded"
				return err
			})
			return ok
		})
		retryCall(func() error {
			_, err := sdk.GetListenerAttribute(&albsdk.GetListenerAttributeRequest{ListenerId: tea.String(id)})
			return err
		})
		for _, rule := range ls.Rules {
			target := groups[rule.Actions[0].ForwardGroup.ServerGroups[0].ServerGroupID]
			host := rule.Conditions[0].Values[0]
			var rid string
			retryCall(func() error {
				r, err := sdk.CreateRule(&albsdk.CreateRuleRequest{ListenerId: tea.String(id), RuleName: tea.String(rule.Name), Priority: tea.Int32(int32(rule.Priority)),
					RuleConditions: []*albsdk.CreateRuleRequestRuleConditions{{Type: tea.String("Host"), HostConfig: &albsdk.CreateRuleRequestRuleConditionsHostConfig{Values: []*string{tea.String(host)}}}},
					RuleActions: []*albsdk.CreateRuleRequestRuleActions{{Type: tea.String("ForwardGroup"), Order: tea.Int32(1),
						ForwardGroupConfig: &albsdk.CreateRuleRequestRuleActionsForwardGroupConfig{ServerGroupTuples: []*albsdk.CreateRuleRequestRuleActionsForwardGroupConfigServerGroupTuples{
							{ServerGroupId: tea.String(target)}}}}}})
				if err == nil {
					rid = tea.StringValue(r.Body.RuleId)
				}
				return err
			})
			pollUntil(func() bool { // pages through every rule of the region
				req := &albsdk.ListRulesRequest{MaxResults: tea.Int32(50), Direction: tea.String("Request")}
				for {
					var body *albsdk.ListRulesResponseBody
					retryCall(func() error {
						r, err := sdk.ListRules(req)
						if err == nil {
							body = r.Body
						}
						return err
					})
					for _, r := range body.Rules {
						if tea.StringValue(r.RuleId) == rid {
							return tea.StringValue(r.RuleStatus) == "Available"
						}
					}
					if tea.StringValue(body.NextToken) == "" {
						return false
					}
					req.NextToken = body.NextToken
				}
			})
		}
	}
}
