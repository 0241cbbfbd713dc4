package alb_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Create three instances, at most two at a time, each reported as it
// finishes; then release them all.
func ExampleClient_CreateMany() {
	srv, client := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	var specs []alb.InstanceSpec
	for _, name := range []string{"tenant-a", "tenant-b", "tenant-c"} {
		specs = append(specs, alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionBasic,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName(name))
	}
	saved := map[int]string{} // persist the keys in real code: a crash mid-bulk is then resumable
	var names, ids []string
	for out, err := range client.CreateMany(ctx, specs, alb.BulkOptions{
		Concurrency: 2,
		OnToken:     func(i int, token string) error { saved[i] = token; return nil },
	}) {
		if err != nil {
			fmt.Println(out.Index, out.State, err)
			continue
		}
		names = append(names, out.Instance.Name)
		ids = append(ids, out.ID)
	}
	slices.Sort(names)
	fmt.Println("active:", names, "keys saved:", len(saved))

	var reqs []alb.ReleaseRequest
	for _, id := range ids {
		reqs = append(reqs, alb.ReleaseRequest{ID: id})
	}
	released := 0
	for out, err := range client.ReleaseMany(ctx, reqs, alb.BulkOptions{}) {
		if err != nil {
			fmt.Println(out)
			continue
		}
		released++
	}
	fmt.Println("released:", released)
	// Output:
	// active: [tenant-a tenant-b tenant-c] keys saved: 3
	// released: 3
}

// Find the instances a CI run left behind, show what would be released (a
// dry run, the default), then release them. The protected one is kept.
func ExampleClient_Sweep() {
	srv, client := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	for _, name := range []string{"ci-1", "ci-2", "ci-3"} {
		spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionBasic,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName(name)
		if name == "ci-3" {
			spec = spec.WithDeletionProtection()
		}
		op, err := client.Create(ctx, spec)
		if err == nil {
			_, err = op.Wait(ctx)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	filter := alb.SweepFilter{NamePrefix: "ci-"}
	plan, err := client.Sweep(ctx, filter, alb.SweepOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("dry run:", plan.DryRun, "would release:", plan.WouldRelease, "refused:", plan.Refused)

	res, err := client.Sweep(ctx, filter, alb.SweepOptions{Release: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("released:", res.Released, "refused:", res.Refused)
	// Output:
	// dry run: true would release: 2 refused: 1
	// released: 2 refused: 1
}
