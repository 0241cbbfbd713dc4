package alb_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// exampleClient starts the emulator and returns a client for it. Real code
// uses alb.NewClient(alb.WithRegion("cn-hangzhou")).
func exampleClient() (*albtest.Server, *alb.Client) {
	srv := albtest.NewServer()
	client, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}))
	if err != nil {
		panic(err)
	}
	return srv, client
}

// Create an instance and wait until it is Active.
func ExampleClient_Create() {
	srv, client := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH),
		alb.Zone(albtest.ZoneI, albtest.VSwitchI).WithEIP(albtest.EIPTraffic1),
	).WithName("web").WithIdempotencyKey("web-prod-1")

	op, err := client.Create(ctx, spec)
	if err != nil {
		fmt.Println("create:", err)
		return
	}
	// Save op.Token() now: client.ResumeCreate(ctx, token, &spec) rebuilds
	// the operation in another process, and never creates a second instance.
	fmt.Println("token:", op.Token())

	inst, err := op.Wait(ctx, alb.WithMaxWait(time.Minute))
	if err != nil {
		fmt.Println("wait:", err)
		return
	}
	fmt.Println("status:", inst.Status)
	fmt.Println("zones:", len(inst.Zones), "EIPs:", len(inst.EIPs()))
	// Output:
	// token: web-prod-1
	// status: Active
	// zones: 2 EIPs: 2
}

// Plan a release for a person to read, then release: a protected instance is
// refused unless the caller asks to turn protection off.
func ExampleClient_Release() {
	srv, client := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionBasic,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithDeletionProtection()
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

	plan, err := client.PlanRelease(ctx, inst.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("protected:", plan.DeletionProtection, "EIPs released with it:", len(plan.EIPs))

	_, err = client.Release(ctx, inst.ID, alb.ReleaseOptions{})
	fmt.Println("refused:", errors.Is(err, alb.ErrDeletionProtected))

	res, err := client.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, se := range res.SideEffects {
		fmt.Println("side effect:", se.Kind)
	}
	// Output:
	// protected: true EIPs released with it: 2
	// refused: true
	// side effect: deletion-protection-disabled
	// side effect: instance-released
	// side effect: eip-released
	// side effect: eip-released
}

// Tell errors apart with errors.Is and errors.As.
func ExampleAPIError() {
	srv, client := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	// Invalid input: a typed error naming field and rule, and no API call.
	_, err := client.Create(ctx, alb.NewInstanceSpec("vpc-1", alb.Intranet, alb.EditionBasic, alb.Zone("cn-hangzhou-h", "vsw-1")).WithName("1st"))
	var ve *alb.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			fmt.Println("invalid:", fe.Field, fe.Rule)
		}
	}
	fmt.Println("API calls so far:", srv.TotalCalls())

	// An answer of the service: code, HTTP status and RequestId.
	_, err = client.Get(ctx, "alb-doesnotexist")
	var ae *alb.APIError
	if errors.As(err, &ae) {
		fmt.Println("api error:", ae.Code, ae.HTTPStatus, ae.RequestID != "")
	}
	fmt.Println("not found:", errors.Is(err, alb.ErrNotFound))
	// Output:
	// invalid: Name name-start-letter
	// invalid: ZoneMappings zones-min-2
	// API calls so far: 0
	// api error: ResourceNotFound.LoadBalancer 404 true
	// not found: true
}
