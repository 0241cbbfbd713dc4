package alb_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

func ExampleNewServerGroupSpec() {
	spec := alb.NewServerGroupSpec("web", alb.ServerGroupInstance, "vpc-123").
		WithHealthCheck(alb.HTTPHealthCheck("/healthz").WithCodes("http_2xx", "http_3xx")).
		WithStickyInsert(3600).
		WithTag("env", "prod").
		WithServers(
			alb.ECSServer("i-web1", 80),
			alb.ECSServer("i-web2", 80).WithWeight(50),
			alb.ENIServer("eni-1", "10.0.1.21", 8080).WithDescription("canary"),
		)

	fmt.Println(spec.Type, spec.Protocol, spec.Scheduler, spec.Membership == "", len(spec.Servers))
	if err := spec.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ok")
	// Output:
	// Instance HTTP Wrr true 3
	// ok
}

func ExampleServerGroupSpec_Validate() {
	spec := alb.NewServerGroupSpec("web", alb.ServerGroupIP, "vpc-123").
		WithScheduler(alb.SchedulerWlc).
		WithSlowStart(60).
		WithHealthCheck(alb.TCPHealthCheck().WithPath("/healthz")).
		WithServers(
			alb.IPServer("10.0.1.10", 80),
			alb.IPServer("10.0.1.11", 0).WithWeight(150),
			alb.ECSServer("i-web1", 80),
		)

	err := spec.Validate()
	fmt.Println(errors.Is(err, alb.ErrInvalidSpec))
	var ve *alb.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			fmt.Println(fe.Field, fe.Rule)
		}
	}
	// Output:
	// true
	// HealthCheck.Path server-group-health-check-field-protocol
	// SlowStartSeconds server-group-slow-start-needs-wrr
	// Servers[1].Port server-port-range
	// Servers[1].Weight server-weight-range
	// Servers[2].Type server-type-matches-group
}

func ExampleCheckServerGroupEdition() {
	spec := alb.NewServerGroupSpec("web", alb.ServerGroupInstance, "vpc-123").WithSlowStart(60).WithConnectionDrain(300)
	for _, e := range alb.Editions() {
		fmt.Printf("%s: %v\n", e, alb.CheckServerGroupEdition(spec, e) == nil)
	}
	// Output:
	// Basic: false
	// Standard: true
	// StandardWithWaf: true
}

func ExampleDiffServerGroup() {
	// The group as ListServerGroups and ListServerGroupServers report it;
	// an autoscaler added i-web9.
	group := &alb.ServerGroup{ID: "sgp-1", Name: "web", Type: alb.ServerGroupInstance, Protocol: alb.BackendHTTP,
		Scheduler: alb.SchedulerWrr, VPCID: "vpc-123", CrossZoneEnabled: true, HealthCheck: alb.DefaultHealthCheck()}
	servers := []alb.BackendServer{
		{Server: alb.Server{Type: alb.ServerTypeECS, ID: "i-web1", IP: "10.0.1.10", Port: 80, Weight: 100}},
		{Server: alb.Server{Type: alb.ServerTypeECS, ID: "i-web9", IP: "10.0.1.19", Port: 80, Weight: 100}},
	}
	spec := alb.NewServerGroupSpec("web", alb.ServerGroupInstance, "vpc-123").
		WithHealthCheck(alb.DefaultHealthCheck().WithInterval(5)).
		WithServers(alb.ECSServer("i-web1", 80).WithWeight(20), alb.ECSServer("i-web2", 80))

	fmt.Println(alb.DiffServerGroup(spec, group, servers)) // Shared: i-web9 is left alone
	fmt.Println(alb.DiffServerGroup(spec.WithMembership(alb.MembershipOwned), group, servers).RemoveServers[0].ID)
	// Output:
	// sgp-1:
	//   ~ HealthCheck.IntervalSeconds: 2 → 5 (UpdateServerGroupAttribute)
	//   + server Ecs i-web2:80 weight 100
	//   ~ server Ecs i-web1 (10.0.1.10):80 weight 100 → 20
	// i-web9
}

func ExampleServerGroups_Ensure() {
	srv := albtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	groups := client.ServerGroups()

	spec := alb.NewServerGroupSpec("api", alb.ServerGroupIP, albtest.DefaultVPCID).
		WithIdempotencyKey("api-servers"). // persisted before the first call
		WithServers(alb.IPServer("10.0.1.10", 8080), alb.IPServer("10.0.1.11", 8080))
	res, err := groups.Ensure(ctx, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", res.Created, res.Calls)

	// A weight changes in place; an autoscaler's member would be left alone.
	spec.Servers[1] = spec.Servers[1].WithWeight(20)
	plan, _ := groups.PlanEnsure(ctx, spec)
	fmt.Println(plan.Calls())
	res, _ = groups.Ensure(ctx, spec)
	fmt.Println("changed:", res.Calls)
	res, _ = groups.Ensure(ctx, spec)
	fmt.Println("again:", len(res.Calls), "writes")
	// Output:
	// created: true [CreateServerGroup AddServersToServerGroup]
	// [UpdateServerGroupServersAttribute]
	// changed: [UpdateServerGroupServersAttribute]
	// again: 0 writes
}
