package alb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Issue 16: the default client rides out throttling it did not cause. These
// tests run albkit's defaults (rate limiter, retry policy, waits) on a
// clock ten times faster than the wall clock, shared with the emulator, so
// that a minute of service time takes six seconds; HTTP round trips do not
// shrink, which only makes them harder.

// throttledEnv is an emulator on a scaled clock and a default client on
// the same clock.
func throttledEnv(t *testing.T, opts ...albtest.Option) (*albtest.Server, *alb.Client, *scaledClock) {
	t.Helper()
	clk := newScaledClock(10)
	srv := albtest.NewServer(append([]albtest.Option{albtest.WithClock(clk), albtest.WithMaxSkew(time.Hour)}, opts...)...)
	t.Cleanup(srv.Close)
	c, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clk
}

// throttleReads makes the service throttle the share p of the reads the
// waits make (the shared ListLoadBalancers polls and the complete
// GetLoadBalancerAttribute read), at random.
func throttleReads(srv *albtest.Server, p float64, seed uint64) {
	for i, action := range []string{"ListLoadBalancers", "GetLoadBalancerAttribute"} {
		srv.InjectFault(albtest.Fault{Action: action, Code: "Throttling.User", Status: 400, Probability: p, Seed: seed + uint64(i)})
	}
}

// 50 creates and their waits on one Client, half of every poll throttled at
// random: all 50 are Active within a minute of service time. (Before the
// limiter judged its cuts, 13 to 19 of 50 were.)
func TestWaitsRideOutRandomThrottling(t *testing.T) {
	const n = 50
	srv, c, clk := throttledEnv(t)
	ctx := context.Background()
	ops := make([]*alb.CreateOperation, n)
	for i := range ops {
		op, err := c.Create(ctx, basicSpec().WithName(fmt.Sprintf("lb-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ops[i] = op
	}
	throttleReads(srv, 0.5, 16)
	start := clk.Now()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, op := range ops {
		wg.Go(func() {
			inst, err := op.Wait(ctx, alb.WithMaxWait(time.Minute))
			if err == nil && (inst.Status != alb.StatusActive || len(inst.Zones) == 0) {
				err = fmt.Errorf("instance %+v", inst)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	took := clk.Now().Sub(start)
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			t.Errorf("wait %d: %v", i, err)
		}
	}
	reads, throttled := 0, 0
	for _, r := range srv.Requests() {
		if r.Action == "ListLoadBalancers" || r.Action == "GetLoadBalancerAttribute" {
			reads++
			if r.Code != "" {
				throttled++
			}
		}
	}
	t.Logf("%d of %d waits ended Active in %s of service time; %d reads, %d throttled", n-failed, n, took.Round(time.Millisecond), reads, throttled)
	if took > time.Minute {
		t.Errorf("the waits took %s of service time, want at most a minute", took)
	}
}

// A wait bounded at 2 s while the service throttles every read returns a
// *WaitTimeoutError at its bound, naming the throttling (issue 16 asks for
// within 3 s). The limiter's pauses and slow start do not sleep past the
// wait's bound on a clock other than the wall clock (they did: 2.0–3.2 s).
func TestWaitUnderFullThrottlingEndsAtItsBound(t *testing.T) {
	// The manual clock, advanced by the sleeps: the bound is the logic's,
	// not the machine's load (on the scaled clock a loaded machine's 80 ms
	// were 0.8 s of service time).
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual()))
	t.Cleanup(srv.Close)
	c, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	throttleReads(srv, 1, 1)
	start, wallStart := clk.Now(), time.Now()
	_, err = op.Wait(ctx, alb.WithMaxWait(2*time.Second))
	took := clk.Now().Sub(start)
	var wte *alb.WaitTimeoutError
	if !errors.As(err, &wte) || !errors.Is(err, alb.ErrWaitTimeout) || !errors.Is(wte.LastErr, alb.ErrThrottled) {
		t.Fatalf("Wait = %v (last poll error %v), want a *WaitTimeoutError after throttled polls", err, wte)
	}
	t.Logf("timed out after %s of service time (%s wall), %d polls", took.Round(time.Millisecond), time.Since(wallStart).Round(time.Millisecond), wte.Polls)
	if took > 2*time.Second+100*time.Millisecond {
		t.Fatalf("the wait took %s of service time, want its bound, 2s", took)
	}
}

// A retry whose send slot the limiter predicts after the call's
// RetryPolicy.MaxElapsed ends the call at once, with a *MaxAttemptsError
// (Elapsed) wrapping the throttle, instead of waiting seconds for a slot it
// could not use.
func TestThrottledRetryEndsAtTheCallsBound(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk))
	t.Cleanup(srv.Close)
	c, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk),
		alb.WithRetryPolicy(alb.RetryPolicy{MaxElapsed: 500 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "Throttling.User", Status: 400})
	for i := range 3 { // the limiter learns the action is throttled: its next slots are seconds apart
		start, before := clk.Now(), calls(srv, "GetLoadBalancerAttribute")
		_, err := c.Get(ctx, op.ID())
		var me *alb.MaxAttemptsError
		if !errors.As(err, &me) || !errors.Is(err, alb.ErrThrottled) {
			t.Fatalf("Get %d under throttling: %v, want a MaxAttemptsError wrapping the throttle", i, err)
		}
		// It ends at once: no attempt after the limiter's answer (its
		// attempts are the requests it sent), and no second exhaustion
		// wrapped around the first.
		var inner *alb.MaxAttemptsError
		if sent := calls(srv, "GetLoadBalancerAttribute") - before; me.Attempts != sent || errors.As(me.Err, &inner) {
			t.Fatalf("Get %d: %v; want one exhaustion counting the %d requests sent", i, err, sent)
		}
		if took := clk.Now().Sub(start); took > time.Second {
			t.Fatalf("Get %d took %s of clock time with a 500ms bound", i, took)
		}
	}
}
