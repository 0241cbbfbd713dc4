package alb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// TestReleaseLearnsItsDuration: a release ends on a not-found answer, and
// that poll teaches the Client how long a release takes, as a create's
// Active does. The first release has no history (polls every MinDelay);
// the second polls first near the learned end, not after MinDelay again.
// (A wait that ended on an error taught nothing, so every release of a
// fleet polled on the fallback: the last lifecycle of the fleet benchmark
// learned of its release a second late.)
func TestReleaseLearnsItsDuration(t *testing.T) {
	p1, p2 := releasePolls(t, 4500*time.Millisecond)
	if len(p1) < 4 || p1[0] > 1500*time.Millisecond {
		t.Fatalf("first release polled at %v: want the fallback (first after about MinDelay, then every MinDelay until gone at 4.5 s)", p1)
	}
	if len(p2) == 0 || p2[0] < 3*time.Second || len(p2) >= len(p1) {
		t.Errorf("second release polled at %v (the first at %v): want its first poll near the learned 4.5 s, not after MinDelay", p2, p1)
	}
}

// TestQuickTransitionIsPolledAgainSoon: a transition learned to end within
// MinDelay that is not done at its expected end is polled again after as
// long again, not a whole MinDelay later. (A fleet's last lifecycle whose
// release was polled just before it ended learned of it a second late: the
// fleet benchmark's worst walls.)
func TestQuickTransitionIsPolledAgainSoon(t *testing.T) {
	p1, p2 := releasePolls(t, 700*time.Millisecond)
	// The first release polls once, after MinDelay to 1.2 times it, and
	// learns the middle of that: 0.5-0.6 s, short of the 0.7 s it takes.
	if len(p1) != 1 || p1[0] < time.Second || p1[0] > 1300*time.Millisecond {
		t.Fatalf("first release polled at %v: want one poll after about MinDelay", p1)
	}
	// The second polls at the learned end, finds it deleting, and polls
	// again after as long again: done at about 1.1 s, not 1.5 s.
	if len(p2) != 2 || p2[0] > 700*time.Millisecond || p2[1] > 1300*time.Millisecond || p2[1]-p2[0] < 125*time.Millisecond {
		t.Fatalf("second release polled at %v: want a poll before 0.7 s and the next at about twice that, before 1.3 s", p2)
	}
}

// releasePolls releases two instances one after the other, each deleting
// for deleting, on one Client with the default wait options, and returns
// the elapsed times of each release's polls.
func releasePolls(t *testing.T, deleting time.Duration) (first, second []time.Duration) {
	t.Helper()
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseDeleting, albtest.AfterDuration(deleting)))
	defer srv.Close()
	var mu sync.Mutex
	polls := map[string][]time.Duration{} // release polls by instance, elapsed
	c := testClient(t, srv, alb.WithObserver(func(e alb.Event) {
		if e.Kind == alb.EventPoll && e.Operation == "release" {
			mu.Lock()
			polls[e.ID] = append(polls[e.ID], e.Elapsed)
			t.Logf("%s %s %v %v", e.ID, e.Status, e.Elapsed, e.Err)
			mu.Unlock()
		}
	}))
	ctx := context.Background()
	a, b := mustActive(t, c, basicSpec()), mustActive(t, c, basicSpec().WithName("second"))
	for _, id := range []string{a.ID, b.ID} {
		if _, err := c.Release(ctx, id, alb.ReleaseOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return polls[a.ID], polls[b.ID]
}
