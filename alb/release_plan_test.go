package alb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
)

// TestPlanReleaseListsTheListenersDeletedWithTheInstance: the release
// deletes the instance's listeners with it, and its plan says which; a
// release's own plan does not read them.
func TestPlanReleaseListsTheListenersDeletedWithTheInstance(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	l, err := e.c.Listeners().Create(ctx, e.httpSpec("doomed"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := e.c.PlanRelease(ctx, e.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Listeners) != 1 || plan.Listeners[0].ID != l.ID || !strings.Contains(plan.String(), "listener deleted with it: "+l.ID+" HTTP:80") {
		t.Fatalf("plan lists listeners %v:\n%s", plan.Listeners, plan)
	}
	before := sgCalls(e.srv, "ListListeners")
	if _, err := e.c.Release(ctx, e.inst.ID, alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := sgCalls(e.srv, "ListListeners") - before; n != 0 {
		t.Errorf("a release read the listeners %d time(s); its plan need not", n)
	}
	if _, err := e.c.Listeners().Get(ctx, l.ID); !errors.Is(err, alb.ErrNotFound) {
		t.Errorf("the listener after the release: %v, want ErrNotFound", err)
	}
}
