package alb_test

import (
	"context"
	"fmt"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Diff compares a spec with a live instance: the ordered changes with the
// calls they send and their side effects, and what cannot change in place.
func ExampleDiff() {
	srv, client := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionBasic,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).
		WithName("web").WithIdempotencyKey("example-diff")
	op, _ := client.Create(ctx, spec)
	inst, _ := op.Wait(ctx)

	fmt.Println("unchanged:", alb.Diff(spec, inst).Empty())

	want := spec.WithName("web-v2").WithTag("team", "web").WithIPVersion(alb.DualStack)
	want.Edition = alb.EditionStandard
	plan := alb.Diff(want, inst)
	for _, ch := range plan.Changes {
		fmt.Println(ch)
	}
	for _, d := range plan.Blocked {
		fmt.Println(d.Field, "-", d.Instead)
	}
	// Output:
	// unchanged: true
	// Name: web → web-v2 (UpdateLoadBalancerAttribute)
	// Tags: - → team=web (TagResources)
	// Edition: Basic → Standard (UpdateLoadBalancerEdition)
	// IPVersion - create a new dual-stack instance (IPVersion DualStack, on vSwitches with IPv6 enabled) and move the traffic to it
}

// Ensure creates the instance of a spec if it is missing, converges it
// otherwise, and does nothing the second time.
func ExampleClient_Ensure() {
	srv, client := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).
		WithName("shop").WithIdempotencyKey("shop-prod")

	res, _ := client.Ensure(ctx, spec)
	fmt.Println("created:", res.Created, "changes:", len(res.Applied))

	res, _ = client.Ensure(ctx, spec.WithTag("env", "prod").WithDeletionProtection())
	for _, ch := range res.Applied {
		fmt.Println("applied:", ch.Field, "via", ch.Calls)
	}

	plan, _ := client.PlanEnsure(ctx, spec.WithTag("env", "prod").WithDeletionProtection())
	fmt.Println(plan.Plan.Empty(), srv.Created())
	// Output:
	// created: true changes: 0
	// applied: Tags via [TagResources]
	// applied: DeletionProtection via [EnableDeletionProtection]
	// true 1
}
