package albkit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// The lifecycle albkit implements, against the embedded emulator: validate,
// create, wait until Active, protect, plan the release, release.
func Example() {
	srv := albtest.NewServer()
	defer srv.Close()
	client, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionBasic,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI))
	fmt.Println("valid:", spec.Validate() == nil)

	op, err := client.Create(ctx, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", inst.Status)

	if err := client.EnableDeletionProtection(ctx, inst.ID); err != nil {
		fmt.Println(err)
		return
	}
	plan, err := client.PlanRelease(ctx, inst.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("protected:", plan.DeletionProtection)

	res, err := client.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("side effects:", len(res.SideEffects), "instances left:", srv.Live())
	// Output:
	// valid: true
	// status: Active
	// protected: true
	// side effects: 2 instances left: 0
}
