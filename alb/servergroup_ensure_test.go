package alb_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// TestServerGroupEnsureProperty is the converge property of the client,
// on random pairs of specs with the emulator's default transitions: a
// group ensured from spec A (with members someone else added), then spec
// B under the same key. The calls Ensure makes are the plan's, one write
// each; what cannot change in place is refused before any write; Owned and
// Shared membership hold; a second Ensure of B writes nothing.
func TestServerGroupEnsureProperty(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	sgs := c.ServerGroups()
	rng := rand.New(rand.NewPCG(21, 18))
	pairs, refused := 0, 0
	for attempt := 0; pairs < 40 && attempt < 1000; attempt++ {
		key := fmt.Sprintf("prop-%d", attempt)
		a := genValidSGSpec(rng).WithIdempotencyKey(key)
		b := mutateSGSpec(rng, a).WithIdempotencyKey(key)
		if b.Validate() != nil {
			continue
		}
		res, err := sgs.Ensure(ctx, a)
		if err != nil {
			var ae *alb.APIError
			if errors.As(err, &ae) || errors.As(err, new(*alb.ServersError)) {
				continue // a live fact of the world refused A
			}
			t.Fatalf("Ensure(A): %v\n%#v", err, a)
		}
		id := res.ID
		if extras := extraMembers(rng, a); len(extras) > 0 {
			if _, err := sgs.AddServers(ctx, id, extras); err != nil {
				t.Fatalf("adding the extra members: %v", err)
			}
		}
		before, err := sgs.ListServers(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := sgs.PlanEnsure(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		w0 := writes(srv)
		res, err = sgs.Ensure(ctx, b)
		if len(plan.Blocked) > 0 {
			if !errors.Is(err, alb.ErrChangeRefused) || writes(srv) != w0 {
				t.Fatalf("pair %d: a blocked plan: %v, %d writes\n%s", pairs, err, writes(srv)-w0, plan)
			}
			refused++
		} else {
			if err != nil {
				var ae *alb.APIError
				if errors.As(err, &ae) && !ae.Retryable() {
					_ = sgs.Delete(ctx, id)
					continue // the service refused a server of B (another VPC, say)
				}
				t.Fatalf("pair %d: Ensure(B): %v\nplan:\n%s", pairs, err, plan)
			}
			if !slices.Equal(res.Calls, plan.Calls()) || writes(srv)-w0 != len(plan.Calls()) {
				t.Fatalf("pair %d: calls %v (%d writes), plan %v", pairs, res.Calls, writes(srv)-w0, plan.Calls())
			}
			after, err := sgs.ListServers(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			checkMembership(t, b, before, after)
			w1 := writes(srv)
			again, err := sgs.Ensure(ctx, b)
			if err != nil || len(again.Calls) != 0 || writes(srv) != w1 {
				t.Fatalf("pair %d: second Ensure: %v, calls %v\nplan was:\n%s", pairs, err, again.Calls, plan)
			}
		}
		pairs++
		if err := sgs.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if pairs < 30 {
		t.Fatalf("only %d pairs ran", pairs)
	}
	t.Logf("%d pairs, %d refused before any write", pairs, refused)
}

// TestServerGroupWaitsSharePolls: forty creates waiting at once, with the
// options users get, read their groups through shared ListServerGroups
// calls (20 IDs a call), not a call per poll of each wait.
func TestServerGroupWaitsSharePolls(t *testing.T) {
	srv := albtest.NewServer()
	t.Cleanup(srv.Close)
	var polls atomic.Int64
	c, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithObserver(func(e alb.Event) {
		if e.Kind == alb.EventPoll && e.Operation == "create" {
			polls.Add(1)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := c.ServerGroups().Create(context.Background(), ipSpec(fmt.Sprintf("shared-%d", i), 0))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	lists := srv.Count("ListServerGroups")
	t.Logf("%d polls of %d waits in %d ListServerGroups calls", polls.Load(), n, lists)
	if polls.Load() < n || int64(lists)*4 > polls.Load() {
		t.Fatalf("%d polls took %d ListServerGroups calls: the waits did not share them", polls.Load(), lists)
	}
}
