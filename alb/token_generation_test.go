package alb_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// keyEnv is an emulator and a client whose not-found grace is an hour: a
// test that ends within its deadline shows that a key's deleted resource
// is recognised from its delete job, not by waiting the grace out.
func keyEnv(t *testing.T) (*albtest.Server, *alb.Client, context.Context) {
	t.Helper()
	srv := albtest.NewServer()
	t.Cleanup(srv.Close)
	c, err := srv.Client(alb.WithWaitOptions(alb.WaitOptions{MinDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, NotFoundGrace: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return srv, c, ctx
}

// tokens returns the ClientTokens of the requests of action, in order.
func tokens(srv *albtest.Server, action string) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Action == action && r.Status == 200 {
			out = append(out, r.Params["ClientToken"])
		}
	}
	return out
}

// Ensure with a key whose resource was deleted makes a new one (the
// service replays the key's token with the deleted resource, so the
// create goes on with the key's next token), tagged with the key, and a
// second Ensure finds it and writes nothing.
func TestEnsureMakesAgainWhatItsKeyMadeAndWasDeleted(t *testing.T) {
	t.Run("server group", func(t *testing.T) {
		srv, c, ctx := keyEnv(t)
		spec := ipSpec("web", 2).WithIdempotencyKey("app/sg/web")
		first, err := c.ServerGroups().Ensure(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		for round := 2; round <= 3; round++ {
			if err := c.ServerGroups().Delete(ctx, first.ID); err != nil {
				t.Fatal(err)
			}
			again, err := c.ServerGroups().Ensure(ctx, spec)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if again.ID == first.ID || !again.Created {
				t.Fatalf("round %d: %+v, want a new group", round, again)
			}
			sg, err := c.ServerGroups().FindByToken(ctx, "app/sg/web")
			if err != nil || sg.ID != again.ID || sg.ServerCount != 2 {
				t.Fatalf("round %d: FindByToken = %+v, %v", round, sg, err)
			}
			if n := len(srv.ServerGroups()); n != 1 {
				t.Fatalf("round %d: %d groups", round, n)
			}
			w := writes(srv)
			if res, err := c.ServerGroups().Ensure(ctx, spec); err != nil || res.ID != again.ID || writes(srv) != w {
				t.Fatalf("round %d: a second Ensure: %+v %v, %d writes", round, res, err, writes(srv)-w)
			}
			first = again
		}
		want := []string{"app/sg/web", "app/sg/web", "app/sg/web~2", "app/sg/web", "app/sg/web~2", "app/sg/web~3"}
		if got := tokens(srv, "CreateServerGroup"); !slices.Equal(got, want) {
			t.Fatalf("ClientTokens %q, want %q", got, want)
		}
	})
	t.Run("instance", func(t *testing.T) {
		srv, c, ctx := keyEnv(t)
		spec := basicSpec().WithIdempotencyKey("app/lb")
		first, err := c.Ensure(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Release(ctx, first.ID, alb.ReleaseOptions{}); err != nil {
			t.Fatal(err)
		}
		again, err := c.Ensure(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == first.ID || !again.Created {
			t.Fatalf("%+v, want a new instance", again)
		}
		if inst, err := c.FindByToken(ctx, "app/lb"); err != nil || inst.ID != again.ID {
			t.Fatalf("FindByToken = %v, %v", inst, err)
		}
		if got, want := tokens(srv, "CreateLoadBalancer"), []string{"app/lb", "app/lb", "app/lb~2"}; !slices.Equal(got, want) {
			t.Fatalf("ClientTokens %q, want %q", got, want)
		}
	})
	t.Run("listener on a new instance", func(t *testing.T) {
		srv, c, ctx := keyEnv(t)
		lb1 := activeInstance(t, c, basicSpec()).ID
		sg, err := c.ServerGroups().Ensure(ctx, ipSpec("web", 1).WithIdempotencyKey("app/sg/web"))
		if err != nil {
			t.Fatal(err)
		}
		spec := alb.NewListenerSpec(lb1, alb.ListenerHTTP, 80, sg.ID).WithIdempotencyKey("app/lsn/http")
		first, err := c.Listeners().Ensure(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Listeners().Delete(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		// The key's token was used with another instance: the service
		// refuses it as a different request, and no listener carries the
		// key, so the create goes on with the key's next token.
		lb2 := activeInstance(t, c, basicSpec()).ID
		spec.LoadBalancerID = lb2
		again, err := c.Listeners().Ensure(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == first.ID || len(srv.Listeners()) != 1 {
			t.Fatalf("%+v, %d listeners", again, len(srv.Listeners()))
		}
	})
}

// Create is one key, one resource: a key whose resource was deleted ends
// the create at once with ErrReleased (its delete job says so), never a
// second resource and never a wait for the not-found grace.
func TestCreateWithTheKeyOfADeletedResourceIsReleased(t *testing.T) {
	t.Run("server group", func(t *testing.T) {
		srv, c, ctx := keyEnv(t)
		spec := ipSpec("web", 1).WithIdempotencyKey("sg-once")
		sg, err := c.ServerGroups().Create(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ServerGroups().Delete(ctx, sg.ID); err != nil {
			t.Fatal(err)
		}
		_, err = c.ServerGroups().Create(ctx, spec)
		var se *alb.StateError
		if !errors.Is(err, alb.ErrReleased) || !errors.As(err, &se) || se.ID != sg.ID {
			t.Fatalf("Create = %v, want ErrReleased naming %s", err, sg.ID)
		}
		if n := len(srv.ServerGroups()); n != 0 {
			t.Fatalf("%d groups", n)
		}
	})
	t.Run("instance", func(t *testing.T) {
		srv, c, ctx := keyEnv(t)
		spec := basicSpec().WithIdempotencyKey("lb-once")
		_, inst := createActive(t, c, spec)
		if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
			t.Fatal(err)
		}
		op, err := c.Create(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := op.Wait(ctx); !errors.Is(err, alb.ErrReleased) {
			t.Fatalf("Wait = %v, want ErrReleased", err)
		}
		if srv.Created() != 1 {
			t.Fatalf("created %d instances", srv.Created())
		}
	})
}

// EnsureCreated hears a new group's ID once the group is Available and
// before its servers are added (the hook holds Ensure while the test
// looks; then the emulator holds the servers' change until the test lets
// it go), and is not called for a group that exists.
func TestEnsureCreatedBeforeTheServers(t *testing.T) {
	srv, c := mgEnv(t, albtest.WithTransition(albtest.PhaseConfiguring, albtest.Manual()))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	spec := ipSpec("web", 3).WithIdempotencyKey("created-hook")
	heard, checked := make(chan string), make(chan struct{})
	type result struct {
		res *alb.ServerGroupResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := c.ServerGroups().Ensure(ctx, spec, alb.EnsureCreated(func(id string) { heard <- id; <-checked }))
		done <- result{res, err}
	}()
	var id string
	select {
	case id = <-heard:
	case r := <-done:
		t.Fatalf("Ensure returned before the hook: %+v %v", r.res, r.err)
	}
	sg, ok := srv.ServerGroup(id)
	if !ok || sg.Status != string(alb.ServerGroupAvailable) || len(sg.Servers) != 0 {
		t.Fatalf("at the hook the group is %+v (found %v), want Available without servers", sg, ok)
	}
	close(checked)
	// Let the servers' change complete until Ensure returns.
	for {
		srv.AdvanceAll()
		select {
		case r := <-done:
			if r.err != nil || r.res.ID != id || r.res.Group.ServerCount != 3 {
				t.Fatalf("Ensure = %+v, %v", r.res, r.err)
			}
			if _, err := c.ServerGroups().Ensure(ctx, spec, alb.EnsureCreated(func(string) { t.Error("the hook was called for a group that exists") })); err != nil {
				t.Fatal(err)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
