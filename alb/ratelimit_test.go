package alb_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// throttled counts the throttled answers in srv's request log.
func throttled(srv *albtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Code == "Throttling.User" {
			n++
		}
	}
	return n
}

// Concurrent creates against a per-action limit of the service all
// succeed with no retry budget and one attempt each: throttling is pacing,
// not failure, and the throttled retries queue on the adaptive limiter
// instead of coming back all at once.
func TestAdaptiveLimiterAbsorbsThrottling(t *testing.T) {
	srv := albtest.NewServer(albtest.WithRateLimit("CreateLoadBalancer", 20, 5))
	defer srv.Close()
	c := testClient(t, srv,
		alb.WithRateLimiter(mustLimiter(t, alb.AdaptiveOptions{})), // production rates
		alb.WithRetryBudget(0), alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: 1, MaxElapsed: time.Minute}))
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Create(context.Background(), basicSpec().WithName(fmt.Sprintf("lb-%d", i))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if srv.Created() != n {
		t.Fatalf("created %d, want %d", srv.Created(), n)
	}
	// The first burst of n hits the service's empty bucket (n-5 throttled);
	// after that the limiter paces the retries. Without it (retrying every
	// few milliseconds) the count runs into the hundreds.
	if th := throttled(srv); th > 2*n {
		t.Errorf("%d throttled answers for %d creates, want at most %d", th, n, 2*n)
	}
}

// A limiter shared by two Clients paces them together: once the service
// throttles one of them, calls of both are spaced by the one learned rate,
// and the service throttles them less than two limiters of their own.
func TestRateLimiterSharedAcrossClients(t *testing.T) {
	const action = "GetLoadBalancerAttribute"
	run := func(shared bool) (throttles int, rate float64) {
		clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
		srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithRateLimit(action, 5, 1))
		defer srv.Close()
		_, inst := createActive(t, testClient(t, srv), basicSpec())
		// One call at a time following the service's retry-after hints,
		// every first attempt is throttled whatever the rate: the default
		// judgement would undo the cut (the hints pace the calls), so the
		// cuts are kept to compare the sharing.
		la := mustLimiter(t, alb.AdaptiveOptions{Clock: clk, KeepEveryCut: true})
		lb := la
		if !shared {
			lb = mustLimiter(t, alb.AdaptiveOptions{Clock: clk, KeepEveryCut: true})
		}
		if !math.IsInf(la.Rate(action), 1) {
			t.Fatalf("rate %v before any throttle, want unlimited", la.Rate(action))
		}
		a, b := testClient(t, srv, alb.WithRateLimiter(la)), testClient(t, srv, alb.WithRateLimiter(lb))
		before := throttled(srv)
		for i := range 100 {
			cl := a
			if i%2 == 1 {
				cl = b
			}
			if _, err := cl.Get(context.Background(), inst.ID); err != nil {
				t.Fatal(err)
			}
		}
		return throttled(srv) - before, la.Rate(action)
	}
	sharedThrottles, rate := run(true)
	ownThrottles, _ := run(false)
	t.Logf("throttled answers for 100 calls: shared limiter %d, one each %d", sharedThrottles, ownThrottles)
	if math.IsInf(rate, 1) || rate > 10 {
		t.Errorf("shared rate %v after throttling, want limited near the service's 5/s", rate)
	}
	if sharedThrottles == 0 || sharedThrottles >= ownThrottles {
		t.Errorf("throttled %d with a shared limiter, %d with one each: want fewer shared", sharedThrottles, ownThrottles)
	}
}

// WithRateLimit is the fixed limit: a client-wide token bucket on the
// client's clock, whatever the service answers.
func TestWithRateLimitIsFixed(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk))
	defer srv.Close()
	c := testClient(t, srv, alb.WithRateLimit(2, 1))
	ctx := context.Background()
	start := clk.Now()
	for range 5 {
		if err := c.CreateDryRun(ctx, basicSpec()); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Get(ctx, "alb-none") // another action, same bucket
	}
	// 10 calls at 2/s with a burst of 1: at least 4.5 s.
	if took := clk.Now().Sub(start); took < 4500*time.Millisecond {
		t.Fatalf("10 calls took %s of clock time, want >= 4.5s", took)
	}
}

// The waiter that learns: after a few creates, a wait polls sparsely
// before the expected completion and densely around it, so it needs fewer
// calls and learns of Active at most MinDelay late.
func TestWaiterLearnsProvisioningTime(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithMaxSkew(time.Hour),
		albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(90*time.Second)))
	defer srv.Close()
	c := testClient(t, srv, alb.WithWaitOptions(alb.WaitOptions{MinDelay: time.Second, MaxDelay: 30 * time.Second}))
	ctx := context.Background()
	var polls []int
	var lags []time.Duration
	for i := range 5 {
		op, err := c.Create(ctx, basicSpec().WithName(fmt.Sprintf("lb-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		active := clk.Now().Add(90 * time.Second)
		before := srv.Count("ListLoadBalancers")
		if _, err := op.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		polls = append(polls, srv.Count("ListLoadBalancers")-before)
		lags = append(lags, clk.Now().Sub(active))
	}
	t.Logf("polls per wait %v, lag %v", polls, lags)
	// The first waits teach coarse durations (the plain schedule's polls
	// are far apart); once a wait has polled densely around the completion
	// the next ones poll a few times, sparsely, and land on it.
	for i := 2; i < len(polls); i++ {
		if lags[i] < 0 || lags[i] > time.Second {
			t.Errorf("wait %d learned of Active %s late, want at most MinDelay (1s)", i, lags[i])
		}
		if i >= 3 && (polls[i] >= polls[0] || polls[i] > 5) {
			t.Errorf("wait %d polled %d times (first wait %d), want fewer and at most 5", i, polls[i], polls[0])
		}
	}
}

// mustLimiter is NewAdaptiveRateLimiter for options that are valid.
func mustLimiter(t testing.TB, o alb.AdaptiveOptions) *alb.RateLimiter {
	t.Helper()
	l, err := alb.NewAdaptiveRateLimiter(o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// NewAdaptiveRateLimiter refuses every field out of its range with an
// *ArgumentError naming the field, and replaces none by its default
// (issue 17: a negative MinRate was ignored).
func TestAdaptiveRateLimiterRefusesOutOfRange(t *testing.T) {
	for name, tc := range map[string]struct {
		o     alb.AdaptiveOptions
		field string
	}{
		"negative MinRate":        {alb.AdaptiveOptions{MinRate: -1}, "MinRate"},
		"NaN MinRate":             {alb.AdaptiveOptions{MinRate: math.NaN()}, "MinRate"},
		"infinite MinRate":        {alb.AdaptiveOptions{MinRate: math.Inf(1)}, "MinRate"},
		"negative MaxRate":        {alb.AdaptiveOptions{MaxRate: -0.5}, "MaxRate"},
		"infinite MaxRate":        {alb.AdaptiveOptions{MaxRate: math.Inf(1)}, "MaxRate"},
		"negative InitialRate":    {alb.AdaptiveOptions{InitialRate: -3}, "InitialRate"},
		"MaxRate below MinRate":   {alb.AdaptiveOptions{MinRate: 2, MaxRate: 1}, "MaxRate"},
		"MaxRate below default":   {alb.AdaptiveOptions{MaxRate: 0.1}, "MaxRate"},
		"InitialRate below floor": {alb.AdaptiveOptions{MinRate: 1, InitialRate: 0.5}, "InitialRate"},
		"InitialRate above cap":   {alb.AdaptiveOptions{MaxRate: 5, InitialRate: 10}, "InitialRate"},
	} {
		t.Run(name, func(t *testing.T) {
			l, err := alb.NewAdaptiveRateLimiter(tc.o)
			var ae *alb.ArgumentError
			if l != nil || !errors.As(err, &ae) || !errors.Is(err, alb.ErrInvalidArgument) ||
				ae.Operation != "NewAdaptiveRateLimiter" || ae.Argument != "AdaptiveOptions."+tc.field {
				t.Fatalf("got %v, %v; want an *ArgumentError on AdaptiveOptions.%s", l, err, tc.field)
			}
		})
	}
	for _, o := range []alb.AdaptiveOptions{{}, {MinRate: 1, MaxRate: 1, InitialRate: 1}, {MaxRate: 10, InitialRate: 3}, {MinRate: 0.1, KeepEveryCut: true}} {
		if l, err := alb.NewAdaptiveRateLimiter(o); err != nil || l == nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}
