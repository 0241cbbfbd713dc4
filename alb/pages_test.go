package alb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// TestEveryListFollowsNextToken: the listeners', rules' and server
// groups' lists read every page (one call a page at a page size of one),
// stop fetching when the caller stops ranging, and end on a later page's
// error with that error, after the items of the pages before it.
func TestEveryListFollowsNextToken(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	var lsnIDs []string
	for i, port := range []int{80, 81, 82} {
		l, err := e.c.Listeners().Create(ctx, alb.NewListenerSpec(e.inst.ID, alb.ListenerHTTP, port, e.groups[0]).
			WithIdempotencyKey(fmt.Sprintf("pages-%d", i)).
			WithRules(pathRule("ra", 10, "/a", e.groups[1]), pathRule("rb", 20, "/b", e.groups[2])))
		if err != nil {
			t.Fatal(err)
		}
		lsnIDs = append(lsnIDs, l.ID)
	}
	lists := []struct {
		action string
		want   int // items, one a page
		list   func() func(func(error) bool)
	}{
		{"ListListeners", 3, func() func(func(error) bool) {
			return errsOf(e.c.Listeners().List(ctx, alb.ListenerFilter{LoadBalancerIDs: []string{e.inst.ID}, PageSize: 1}))
		}},
		{"ListRules", 2, func() func(func(error) bool) {
			return errsOf(e.c.ForwardingRules().List(ctx, alb.RuleFilter{ListenerIDs: lsnIDs[:1], PageSize: 1, Direction: routing.DirectionRequest}))
		}},
		{"ListServerGroups", 3, func() func(func(error) bool) {
			return errsOf(e.c.ServerGroups().List(ctx, alb.ServerGroupFilter{PageSize: 1}))
		}},
	}
	for _, l := range lists {
		t.Run(l.action, func(t *testing.T) {
			before, n := e.srv.Count(l.action), 0
			for err := range l.list() {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			// The last page has a NextToken when it is full: one more
			// call finds none.
			if calls := e.srv.Count(l.action) - before; n != l.want || calls < l.want || calls > l.want+1 {
				t.Fatalf("%d items in %d calls, want %d in %d or %d", n, calls, l.want, l.want, l.want+1)
			}
			before = e.srv.Count(l.action)
			for range l.list() {
				break
			}
			if calls := e.srv.Count(l.action) - before; calls != 1 {
				t.Fatalf("%d calls after the caller stopped at the first item, want 1", calls)
			}
			e.srv.InjectFault(albtest.Fault{Action: l.action, Code: "Forbidden.RAM", Status: 403, Skip: 1, Times: 1})
			defer e.srv.ClearFaults()
			n = 0
			var last error
			for err := range l.list() {
				if err != nil {
					last = err
					break
				}
				n++
			}
			if n != 1 || !errors.Is(last, alb.ErrAuth) {
				t.Fatalf("a second page refused: %d items, then %v; want 1, then an error matching ErrAuth", n, last)
			}
		})
	}
}

// errsOf drops an iterator's items, keeping its errors (nil for an item).
func errsOf[T any](seq func(func(T, error) bool)) func(func(error) bool) {
	return func(yield func(error) bool) {
		for _, err := range seq {
			if !yield(err) {
				return
			}
		}
	}
}

// TestListServersReadsEveryPage: a group of 150 servers is read in two
// pages of ListServerGroupServers (100 a page).
func TestListServersReadsEveryPage(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	sg, err := c.ServerGroups().Create(ctx, ipSpec("big", 150))
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Count("ListServerGroupServers")
	got, err := c.ServerGroups().ListServers(ctx, sg.ID)
	if calls := srv.Count("ListServerGroupServers") - before; err != nil || len(got) != 150 || calls != 2 {
		t.Fatalf("ListServers: %d servers in %d calls, %v; want 150 in 2", len(got), calls, err)
	}
	seen := map[string]bool{}
	for _, s := range got {
		seen[s.ID] = true
	}
	if len(seen) != 150 {
		t.Fatalf("%d distinct servers of 150", len(seen))
	}
}
