package alb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// ipServers returns n Ip servers 10.0.x.y:8080 of the default VPC's
// range, weight 100.
func ipServers(n int) []alb.Server {
	out := make([]alb.Server, n)
	for i := range out {
		out[i] = alb.IPServer(fmt.Sprintf("10.0.%d.%d", 1+i/250, 1+i%250), 8080)
	}
	return out
}

func ipSpec(name string, n int) alb.ServerGroupSpec {
	return alb.NewServerGroupSpec(name, alb.ServerGroupIP, albtest.DefaultVPCID).WithServers(ipServers(n)...)
}

// sgCalls counts the calls of action the server received.
func sgCalls(srv *albtest.Server, action string) int { return srv.Calls()[action] }

func TestServerGroupCreateWaitsForTheGroupAndItsServers(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	spec := ipSpec("web", 450).WithIdempotencyKey("sg-create-1").WithTag("team", "web")
	sg, err := c.ServerGroups().Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if sg.Status != alb.ServerGroupAvailable || sg.ServerCount != 450 || sg.Token() != "sg-create-1" {
		t.Fatalf("group %+v", sg)
	}
	if got := sgCalls(srv, "CreateServerGroup"); got != 1 {
		t.Errorf("CreateServerGroup calls = %d, want 1", got)
	}
	if got := sgCalls(srv, "AddServersToServerGroup"); got != 3 { // 200 + 200 + 50
		t.Errorf("AddServersToServerGroup calls = %d, want 3", got)
	}
	members, err := c.ServerGroups().ListServers(ctx, sg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 450 {
		t.Fatalf("%d members, want 450", len(members))
	}
	for _, m := range members {
		if m.Status != alb.BackendServerAvailable {
			t.Fatalf("member %s is %s", m.Server, m.Status)
		}
	}
	// The same key again: the same group, no second create.
	again, err := c.ServerGroups().ResumeCreate(ctx, "sg-create-1", &spec)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != sg.ID || len(srv.ServerGroups()) != 1 {
		t.Fatalf("resume made %s (groups %d), want %s", again.ID, len(srv.ServerGroups()), sg.ID)
	}
	if got := sgCalls(srv, "AddServersToServerGroup"); got != 3 {
		t.Errorf("a resume of a finished create added servers again: %d calls", got)
	}
	// Another spec under the same key is refused.
	other := spec.WithTag("owner", "api")
	if _, err := c.ServerGroups().ResumeCreate(ctx, "sg-create-1", &other); !errors.Is(err, alb.ErrIdempotencyKeyReused) {
		t.Fatalf("resume with another spec: %v, want ErrIdempotencyKeyReused", err)
	}
}

func TestServerGroupGetListFind(t *testing.T) {
	_, c := mgEnv(t)
	ctx := context.Background()
	sgs := c.ServerGroups()
	a, err := sgs.Create(ctx, ipSpec("alpha", 2).WithTag("env", "test"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := sgs.Create(ctx, alb.NewServerGroupSpec("beta", alb.ServerGroupInstance, albtest.DefaultVPCID).
		WithServers(alb.ECSServer(albtest.ECSInstance1, 80)).WithIdempotencyKey("beta-key"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := sgs.Get(ctx, a.ID)
	if err != nil || got.Name != "alpha" {
		t.Fatalf("Get: %+v %v", got, err)
	}
	if _, err := sgs.Get(ctx, "sgp-doesnotexist"); !errors.Is(err, alb.ErrNotFound) {
		t.Fatalf("Get of a missing group: %v, want ErrNotFound", err)
	}
	var ae *alb.ArgumentError
	if _, err := sgs.Get(ctx, "alb-123"); !errors.As(err, &ae) || ae.Argument != "id" {
		t.Fatalf("Get of an instance ID: %v, want an ArgumentError on id", err)
	}
	names := func(f alb.ServerGroupFilter) []string {
		var out []string
		for g, err := range sgs.List(ctx, f) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, g.Name)
		}
		slices.Sort(out)
		return out
	}
	if got := names(alb.ServerGroupFilter{}); !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Errorf("List all = %v", got)
	}
	if got := names(alb.ServerGroupFilter{Type: alb.ServerGroupInstance}); !slices.Equal(got, []string{"beta"}) {
		t.Errorf("List Instance = %v", got)
	}
	if got := names(alb.ServerGroupFilter{Tags: []alb.Tag{{Key: "env", Value: "test"}}}); !slices.Equal(got, []string{"alpha"}) {
		t.Errorf("List by tag = %v", got)
	}
	if got := names(alb.ServerGroupFilter{PageSize: 1}); len(got) != 2 {
		t.Errorf("List one per page = %v", got)
	}
	for _, err := range sgs.List(ctx, alb.ServerGroupFilter{Names: make([]string, 11)}) {
		if !errors.As(err, &ae) || ae.Argument != "ServerGroupFilter.Names" {
			t.Errorf("11 names: %v", err)
		}
	}
	found, err := sgs.FindByToken(ctx, "beta-key")
	if err != nil || found.ID != b.ID {
		t.Fatalf("FindByToken: %v %v", found, err)
	}
	if _, err := sgs.FindByToken(ctx, "nobody"); !errors.Is(err, alb.ErrNotFound) {
		t.Fatalf("FindByToken of an unknown key: %v", err)
	}
}

func TestServerGroupMembershipCallsAreSplitAndWaited(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	sgs := c.ServerGroups()
	sg, err := sgs.Create(ctx, ipSpec("members", 0))
	if err != nil {
		t.Fatal(err)
	}
	all := ipServers(450)
	members, err := sgs.AddServers(ctx, sg.ID, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 450 || sgCalls(srv, "AddServersToServerGroup") != 3 {
		t.Fatalf("%d members after %d calls", len(members), sgCalls(srv, "AddServersToServerGroup"))
	}
	// Adding members again costs nothing.
	if _, err := sgs.AddServers(ctx, sg.ID, all[:10]); err != nil || sgCalls(srv, "AddServersToServerGroup") != 3 {
		t.Fatalf("re-adding members: %v, %d calls", err, sgCalls(srv, "AddServersToServerGroup"))
	}
	// Weights in place, 40 a call.
	reweighted := slices.Clone(all[:50])
	for i := range reweighted {
		reweighted[i] = reweighted[i].WithWeight(7)
	}
	members, err = sgs.UpdateServers(ctx, sg.ID, reweighted)
	if err != nil {
		t.Fatal(err)
	}
	if got := sgCalls(srv, "UpdateServerGroupServersAttribute"); got != 2 {
		t.Errorf("UpdateServerGroupServersAttribute calls = %d, want 2", got)
	}
	weights := map[int]int{}
	for _, m := range members {
		weights[m.Weight]++
	}
	if weights[7] != 50 || weights[100] != 400 {
		t.Errorf("weights %v", weights)
	}
	var ae *alb.ArgumentError
	if _, err := sgs.UpdateServers(ctx, sg.ID, []alb.Server{alb.IPServer("10.0.9.9", 8080)}); !errors.As(err, &ae) {
		t.Errorf("updating a non-member: %v, want an ArgumentError", err)
	}
	// Blue/green: 250 out, 250 in, in replacement calls.
	green := make([]alb.Server, 250)
	for i := range green {
		green[i] = alb.IPServer(fmt.Sprintf("10.0.8.%d", 1+i), 8081)
	}
	members, err = sgs.ReplaceServers(ctx, sg.ID, green, all[:250])
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 450 || sgCalls(srv, "ReplaceServersInServerGroup") != 2 {
		t.Errorf("%d members after %d replacements", len(members), sgCalls(srv, "ReplaceServersInServerGroup"))
	}
	members, err = sgs.RemoveServers(ctx, sg.ID, append(green, all[250:]...))
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 0 || sgCalls(srv, "RemoveServersFromServerGroup") != 3 {
		t.Errorf("%d members after %d removals", len(members), sgCalls(srv, "RemoveServersFromServerGroup"))
	}
	// Removing non-members costs nothing.
	if _, err := sgs.RemoveServers(ctx, sg.ID, all[:3]); err != nil || sgCalls(srv, "RemoveServersFromServerGroup") != 3 {
		t.Errorf("removing non-members: %v", err)
	}
	// Invalid servers are refused before any call (no read either), every
	// violation at once, naming the argument.
	before := len(srv.Requests())
	var ve *alb.ValidationError
	_, err = sgs.AddServers(ctx, sg.ID, []alb.Server{alb.IPServer("10.0.0.1", 0), alb.ECSServer(albtest.ECSInstance1, 80)})
	if !errors.As(err, &ve) || len(ve.Errors) != 2 || ve.Errors[0].Field != "servers[0].Port" || ve.Errors[1].Field != "servers[1].Type" {
		t.Fatalf("invalid servers: %v", err)
	}
	for _, call := range []func() error{
		func() error {
			_, err := sgs.UpdateServers(ctx, sg.ID, []alb.Server{alb.IPServer("10.0.0.1", 80).WithWeight(101)})
			return err
		},
		func() error {
			_, err := sgs.RemoveServers(ctx, sg.ID, []alb.Server{alb.IPServer("not-an-ip", 80)})
			return err
		},
		func() error {
			_, err := sgs.ReplaceServers(ctx, sg.ID, []alb.Server{alb.IPServer("10.0.0.1", 80)}, []alb.Server{alb.IPServer("10.0.0.2", 70000)})
			return err
		},
	} {
		if err := call(); !errors.As(err, &ve) {
			t.Errorf("an invalid server: %v", err)
		}
	}
	// Against the group: an Ecs server in an Ip group, after the reads.
	if _, err := sgs.AddServers(ctx, sg.ID, []alb.Server{alb.ECSServer(albtest.ECSInstance1, 80)}); !errors.As(err, &ve) || ve.Errors[0].Rule != alb.RuleServerTypeMatchesGroup {
		t.Errorf("an Ecs server in an Ip group: %v", err)
	}
	if n := len(srv.Requests()) - before; n != 2 {
		t.Errorf("the refused server lists made %d requests; want 2, the last call's reads of the group", n)
	}
}

func TestServerGroupPartialFailureSaysWhatWasApplied(t *testing.T) {
	srv := albtest.NewServer()
	t.Cleanup(srv.Close)
	var sent int
	c, err := srv.Client(alb.WithObserver(func(e alb.Event) {
		if e.Kind == alb.EventStep && e.Operation == "AddServersToServerGroup" {
			if sent++; sent == 1 { // the second call is refused for good
				srv.InjectFault(albtest.Fault{Action: "AddServersToServerGroup", Code: "QuotaExceeded.ServersNum", Status: 400, Times: 1})
			}
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sgs := c.ServerGroups()
	sg, err := sgs.Create(ctx, ipSpec("partial", 0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sgs.AddServers(ctx, sg.ID, ipServers(450))
	var se *alb.ServersError
	if !errors.As(err, &se) {
		t.Fatalf("AddServers: %v, want a ServersError", err)
	}
	if len(se.Applied) != 200 || len(se.Unknown) != 0 || len(se.NotApplied) != 250 || se.Action != "AddServersToServerGroup" || se.GroupID != sg.ID {
		t.Fatalf("applied %d, unknown %d, not applied %d (%s)", len(se.Applied), len(se.Unknown), len(se.NotApplied), se.Action)
	}
	if !errors.Is(err, alb.ErrQuotaExceeded) {
		t.Errorf("the cause is lost: %v", err)
	}
	members, err := sgs.ListServers(ctx, sg.ID)
	if err != nil || len(members) != 200 {
		t.Fatalf("%d members (%v), want the 200 applied", len(members), err)
	}
	for i, m := range members {
		if !slices.ContainsFunc(se.Applied, func(s alb.Server) bool { return s.ID == m.ID && s.Port == m.Port }) {
			t.Fatalf("member %d %s is not among the applied", i, m.Server)
		}
	}
}

func TestServerGroupUpdateAndDelete(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	sgs := c.ServerGroups()
	spec := ipSpec("upd", 1)
	sg, err := sgs.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := spec.WithStickyInsert(300).WithTag("env", "prod")
	want.Name = "upd-2"
	got, err := sgs.Update(ctx, sg.ID, want)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "upd-2" || got.StickySession.Type != alb.StickyInsert || got.StickySession.CookieTimeoutSeconds != 300 {
		t.Fatalf("after Update: %+v", got)
	}
	if v, ok := tagOf(got.Tags, "env"); !ok || v != "prod" {
		t.Errorf("tags %v", got.Tags)
	}
	if n := sgCalls(srv, "UpdateServerGroupAttribute"); n != 1 {
		t.Errorf("UpdateServerGroupAttribute calls = %d, want one for every attribute", n)
	}
	// The same spec again: no write.
	before := writes(srv)
	if _, err := sgs.Update(ctx, sg.ID, want); err != nil || writes(srv) != before {
		t.Fatalf("second Update: %v, %d writes", err, writes(srv)-before)
	}
	// What cannot change in place is refused before any write.
	moved := want
	moved.VPCID = albtest.DefaultOtherVPCID
	moved.Protocol = alb.BackendHTTPS
	_, err = sgs.Update(ctx, sg.ID, moved)
	var nc *alb.NotChangeableError
	if !errors.As(err, &nc) || len(nc.Differences) != 2 || writes(srv) != before {
		t.Fatalf("Update of VPC and protocol: %v", err)
	}
	// In use: a typed error, not retried.
	srv.InjectFault(albtest.Fault{Action: "DeleteServerGroup", Code: "ResourceInUse.ServerGroup", Status: 400, Times: 1})
	err = sgs.Delete(ctx, sg.ID)
	var iu *alb.InUseError
	if !errors.As(err, &iu) || !errors.Is(err, alb.ErrInUse) || iu.ID != sg.ID {
		t.Fatalf("Delete in use: %v", err)
	}
	if n := sgCalls(srv, "DeleteServerGroup"); n != 1 {
		t.Errorf("an in-use delete was sent %d times", n)
	}
	if err := sgs.Delete(ctx, sg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sgs.Get(ctx, sg.ID); !errors.Is(err, alb.ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	if err := sgs.Delete(ctx, sg.ID); err != nil {
		t.Fatalf("a group already gone: %v", err)
	}
}

func tagOf(tags []alb.Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

func TestServerGroupEnsureConvergesAndLeavesOthersMembers(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	sgs := c.ServerGroups()
	spec := ipSpec("ens", 3).WithIdempotencyKey("ens-1")
	plan, err := sgs.PlanEnsure(ctx, spec)
	if err != nil || !plan.Create {
		t.Fatalf("plan %v %v", plan, err)
	}
	res, err := sgs.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || !slices.Equal(res.Calls, plan.Calls()) {
		t.Fatalf("calls %v, plan %v", res.Calls, plan.Calls())
	}
	// An autoscaler adds a member; Shared membership leaves it.
	if _, err := sgs.AddServers(ctx, res.ID, []alb.Server{alb.IPServer("10.0.7.7", 8080)}); err != nil {
		t.Fatal(err)
	}
	before := writes(srv)
	res2, err := sgs.Ensure(ctx, spec)
	if err != nil || len(res2.Calls) != 0 || writes(srv) != before {
		t.Fatalf("second Ensure: %v, calls %v, %d writes", err, res2.Calls, writes(srv)-before)
	}
	members, _ := sgs.ListServers(ctx, res.ID)
	if len(members) != 4 {
		t.Fatalf("Shared membership: %d members, want 4", len(members))
	}
	// AbsentServers removes one of the spec's; Owned removes the stranger.
	spec2 := spec
	spec2.Servers = spec.Servers[:2]
	spec2 = spec2.WithAbsentServers(spec.Servers[2])
	plan, err = sgs.PlanEnsure(ctx, spec2)
	if err != nil || len(plan.RemoveServers) != 1 {
		t.Fatalf("plan %v %v", plan, err)
	}
	owned := spec2.WithMembership(alb.MembershipOwned)
	plan, err = sgs.PlanEnsure(ctx, owned)
	if err != nil || len(plan.RemoveServers) != 2 {
		t.Fatalf("owned plan %v %v", plan, err)
	}
	res3, err := sgs.Ensure(ctx, owned)
	if err != nil || !slices.Equal(res3.Calls, plan.Calls()) {
		t.Fatalf("owned Ensure: %v, calls %v, plan %v", err, res3.Calls, plan.Calls())
	}
	if len(res3.Servers) != 2 {
		t.Fatalf("owned: %d members, want 2", len(res3.Servers))
	}
	// Changes that cannot be made are refused before any write.
	bad := owned.WithIPv6()
	before = writes(srv)
	if _, err := sgs.Ensure(ctx, bad); !errors.Is(err, alb.ErrChangeRefused) || writes(srv) != before {
		t.Fatalf("IPv6 change: %v", err)
	}
	// Adoption of a group by ID.
	adopt := owned
	adopt.IdempotencyKey = ""
	plan, err = sgs.PlanEnsure(ctx, adopt, alb.EnsureID(res.ID))
	if err != nil || !plan.Empty() {
		t.Fatalf("adopted plan %v %v", plan, err)
	}
	var ae *alb.ArgumentError
	if _, err := sgs.PlanEnsure(ctx, adopt); !errors.As(err, &ae) {
		t.Fatalf("no key and no ID: %v", err)
	}
}

// TestServerGroupCreateRollsBackWhenAServerIsRefused: a server the
// service refuses (an ECS instance in another VPC) leaves no group behind.
func TestServerGroupCreateRollsBackWhenAServerIsRefused(t *testing.T) {
	srv, c := mgEnv(t)
	spec := alb.NewServerGroupSpec("rb", alb.ServerGroupInstance, albtest.DefaultVPCID).
		WithServers(alb.ECSServer(albtest.ECSInstance1, 80), alb.ECSServer(albtest.ECSInstanceOther, 80))
	_, err := c.ServerGroups().Create(context.Background(), spec)
	var se *alb.ServersError
	if !errors.As(err, &se) || !se.RolledBack {
		t.Fatalf("Create: %v, want a rolled-back ServersError", err)
	}
	if n := len(srv.ServerGroups()); n != 0 {
		t.Fatalf("%d groups left behind", n)
	}
}

// TestServerGroupCreateResumesAfterACrash: a create abandoned after its
// first server call (the context ends) is finished by ResumeCreate in
// another client: one group, every server, no call made twice.
func TestServerGroupCreateResumesAfterACrash(t *testing.T) {
	srv := albtest.NewServer()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c1, err := srv.Client(alb.WithObserver(func(e alb.Event) {
		if e.Kind == alb.EventStep && e.Operation == "AddServersToServerGroup" {
			cancel() // the process dies after its first server call was sent
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	spec := ipSpec("crash", 450).WithIdempotencyKey("crash-key")
	if _, err := c1.ServerGroups().Create(ctx, spec); err == nil {
		t.Fatal("the abandoned create succeeded")
	}
	c2, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	sg, err := c2.ServerGroups().ResumeCreate(context.Background(), "crash-key", &spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.ServerGroups()) != 1 || sg.ServerCount != 450 {
		t.Fatalf("%d groups, %d servers", len(srv.ServerGroups()), sg.ServerCount)
	}
	if n := sgCalls(srv, "CreateServerGroup"); n != 1 {
		t.Errorf("CreateServerGroup calls = %d", n)
	}
	// The first process's call was applied; the resume reads the members
	// and adds only the 250 missing, in two calls.
	if n := jobs(srv, "AddServersToServerGroup"); n != 3 {
		t.Errorf("%d AddServersToServerGroup jobs, want 3", n)
	}
}

func TestServerGroupSweepFindsOrphans(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	sgs := c.ServerGroups()
	orphan, err := sgs.Create(ctx, ipSpec("orphan", 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sgs.Create(ctx, ipSpec("owned", 0).WithTag("owner", "me")); err != nil {
		t.Fatal(err)
	}
	f := alb.ServerGroupSweep{Orphans: true, OwnerTagKey: "owner", MinAge: 1}
	items, err := sgs.Sweep(ctx, f)
	if err != nil || len(items) != 1 || items[0].Group.ID != orphan.ID || items[0].Action != alb.SweepWouldDelete {
		t.Fatalf("dry run: %+v %v", items, err)
	}
	if len(srv.ServerGroups()) != 2 {
		t.Fatal("a dry run deleted a group")
	}
	f.Delete = true
	items, err = sgs.Sweep(ctx, f)
	if err != nil || len(items) != 1 || items[0].Action != alb.SweepDeleted || len(srv.ServerGroups()) != 1 {
		t.Fatalf("sweep: %+v %v", items, err)
	}
	var ae *alb.ArgumentError
	if _, err := sgs.Sweep(ctx, alb.ServerGroupSweep{}); !errors.As(err, &ae) {
		t.Fatalf("an empty filter: %v", err)
	}
}

// TestServerGroupEnsureApplyThenFail: every write of an Ensure is applied
// by the service and then answered with a 500 (or its connection dropped);
// the retry carries the same ClientToken, so the change is made once, the
// Ensure succeeds, and a second one writes nothing.
func TestServerGroupEnsureApplyThenFail(t *testing.T) {
	base := ipSpec("atf", 3).WithIdempotencyKey("atf")
	changed := base.WithStickyInsert(100).WithTag("env", "x").WithResourceGroup("rg-albtest-other").WithMembership(alb.MembershipOwned)
	changed.Servers = []alb.Server{base.Servers[0].WithWeight(5), alb.IPServer("10.0.5.5", 8080)} // update, add, remove one
	for _, action := range []string{"CreateServerGroup", "AddServersToServerGroup", "UpdateServerGroupAttribute", "TagResources", "UnTagResources",
		"MoveResourceGroup", "UpdateServerGroupServersAttribute", "RemoveServersFromServerGroup"} {
		for _, drop := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/drop=%t", action, drop), func(t *testing.T) {
				srv, c := mgEnv(t)
				ctx := context.Background()
				sgs := c.ServerGroups()
				first, second := base, changed
				if action == "UnTagResources" {
					first, second = base.WithTag("old", "1"), base
				}
				if action == "CreateServerGroup" || action == "AddServersToServerGroup" {
					first = alb.ServerGroupSpec{}
				}
				if first.Name != "" {
					if _, err := sgs.Ensure(ctx, first); err != nil {
						t.Fatal(err)
					}
				}
				plan, err := sgs.PlanEnsure(ctx, second)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(plan.Calls(), action) {
					t.Fatalf("the plan does not send %s: %v", action, plan.Calls())
				}
				f := albtest.Fault{Action: action, ApplyThenFail: true, Times: 1}
				if drop {
					f.DropConnection = true
				} else {
					f.Code, f.Status = "InternalError", 500
				}
				srv.InjectFault(f)
				res, err := sgs.Ensure(ctx, second)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(res.Calls, plan.Calls()) {
					t.Errorf("calls %v, plan %v", res.Calls, plan.Calls())
				}
				switch action {
				case "TagResources", "UnTagResources", "MoveResourceGroup": // synchronous: no job; the second Ensure checks the state
				default:
					if n, want := jobs(srv, action), countOf(plan.Calls(), action); n != want {
						t.Errorf("%d %s jobs, want %d (one per call)", n, action, want)
					}
				}
				if len(srv.ServerGroups()) != 1 {
					t.Errorf("%d groups", len(srv.ServerGroups()))
				}
				before := writes(srv)
				again, err := sgs.Ensure(ctx, second)
				if err != nil || len(again.Calls) != 0 || writes(srv) != before {
					t.Fatalf("second Ensure: %v, calls %v", err, again.Calls)
				}
			})
		}
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestServerGroupSameServersAddedAgainAreAdded: servers the create added,
// removed since, are added again by a later Ensure of the same spec (a
// token derived from the key and the servers would make the service
// answer the create's old call and change nothing).
func TestServerGroupSameServersAddedAgainAreAdded(t *testing.T) {
	_, c := mgEnv(t)
	ctx := context.Background()
	sgs := c.ServerGroups()
	spec := ipSpec("again", 200).WithIdempotencyKey("again-key")
	res, err := sgs.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sgs.RemoveServers(ctx, res.ID, spec.Servers); err != nil {
		t.Fatal(err)
	}
	res, err = sgs.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Servers) != 200 {
		t.Fatalf("%d members after the second Ensure, want 200", len(res.Servers))
	}
}

// TestServerGroupCreateWaitErrors: a group made but not seen Available
// within the wait's bound is the wait's own *WaitTimeoutError naming the
// group when it has no servers to add, and a *ServersError of Action
// "wait" with every server not applied when it has.
func TestServerGroupCreateWaitErrors(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	_, c := mgEnv(t, albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual()))
	ctx := context.Background()
	_, err := c.ServerGroups().Create(ctx, ipSpec("bare", 0), alb.WithMaxWait(time.Minute))
	var wt *alb.WaitTimeoutError
	var se *alb.ServersError
	if !errors.As(err, &wt) || !strings.HasPrefix(wt.ID, "sgp-") || errors.As(err, &se) {
		t.Fatalf("a group without servers: %T %v", err, err)
	}
	_, err = c.ServerGroups().Create(ctx, ipSpec("full", 3), alb.WithMaxWait(time.Minute))
	if !errors.As(err, &se) || se.Action != "wait" || len(se.NotApplied) != 3 || len(se.Applied) != 0 || !errors.As(err, &wt) {
		t.Fatalf("a group with servers: %T %v", err, err)
	}
}
