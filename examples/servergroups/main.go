// Command servergroups shows the server-group family of albkit against
// the embedded albtest emulator (no account, no network): a group of
// 450 servers created in calls of 200, weights changed in place, a
// member an autoscaler added left alone by a Shared converge and removed
// by an Owned one, a blue/green swap, and a delete.
//
//	go run ./examples/servergroups
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func servers(n, port, third int) []alb.Server {
	out := make([]alb.Server, n)
	for i := range out {
		out[i] = alb.IPServer(fmt.Sprintf("10.0.%d.%d", third+i/250, 1+i%250), port)
	}
	return out
}

func run(w interface{ Write([]byte) (int, error) }) error {
	srv := albtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		return err
	}
	ctx := context.Background()
	groups := client.ServerGroups()
	say := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	// The key is chosen and persisted before the first call: a crashed
	// process finishes the create with ResumeCreate(ctx, key, &spec).
	blue := servers(450, 8080, 1)
	spec := alb.NewServerGroupSpec("web", alb.ServerGroupIP, albtest.DefaultVPCID).
		WithHealthCheck(alb.HTTPHealthCheck("/healthz")).
		WithIdempotencyKey("web-servers-1").
		WithServers(blue...)
	plan, err := groups.PlanEnsure(ctx, spec)
	if err != nil {
		return err
	}
	say("plan: %d calls %v", len(plan.Calls()), plan.Calls())
	res, err := groups.Ensure(ctx, spec)
	if err != nil {
		return err
	}
	say("server group %s created with %d servers (%d calls)", res.ID, res.Group.ServerCount, len(res.Calls))

	// An autoscaler adds a member behind our back.
	if _, err := groups.AddServers(ctx, res.ID, []alb.Server{alb.IPServer("10.0.9.9", 8080)}); err != nil {
		return err
	}
	// Weights change in place (40 servers a call), the stranger stays.
	for i := range 50 {
		spec.Servers[i] = spec.Servers[i].WithWeight(10)
	}
	res, err = groups.Ensure(ctx, spec)
	if err != nil {
		return err
	}
	say("weights: %v; members now %d (the autoscaler's kept)", res.Calls, len(res.Servers))

	// Owned membership makes the listed set exact.
	owned := spec.WithMembership(alb.MembershipOwned)
	if plan, err = groups.PlanEnsure(ctx, owned); err != nil {
		return err
	}
	say("owned plan:\n%s", plan)
	if res, err = groups.Ensure(ctx, owned); err != nil {
		return err
	}
	say("members now %d", len(res.Servers))

	// Blue/green: the new fleet replaces the old in replacement calls.
	green := servers(450, 9090, 3)
	members, err := groups.ReplaceServers(ctx, res.ID, green, blue)
	if err != nil {
		return err
	}
	say("after the swap: %d members on port %d", len(members), members[0].Port)

	// Converging to the new fleet now changes nothing.
	owned.Servers = green
	if plan, err = groups.PlanEnsure(ctx, owned); err != nil {
		return err
	}
	say("converging to the green fleet: %d calls", len(plan.Calls()))

	if err := groups.Delete(ctx, res.ID); err != nil {
		return err
	}
	say("server group %s deleted", res.ID)
	return nil
}
