package alb_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// testClient returns albtest's ready client for srv.
func testClient(t *testing.T, srv *albtest.Server, opts ...alb.Option) *alb.Client {
	t.Helper()
	c, err := srv.Client(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// calls counts the requests of action answered so far.
func calls(srv *albtest.Server, action string) int { return srv.Count(action) }

// Defect 1: an authentication failure is never read as "not found": Get,
// PlanRelease, Release, waits, ResumeCreate and FindByToken return it (an
// error matching ErrAuth, not ErrNotFound), after exactly one request, and
// the instance is left as it was.
func TestAuthFailureIsNeverNotFound(t *testing.T) {
	const (
		stsID, stsSecret, stsToken = "STS.albtest-expired", "sts-secret", "sts-token-expired"
	)
	cases := []struct {
		name string
		opt  alb.Option
		code string
	}{
		{"unknown access key", alb.WithAccessKey("unknown-key-id", "whatever"), "InvalidAccessKeyId.NotFound"},
		{"wrong secret", alb.WithAccessKey(albtest.DefaultAccessKeyID, "not-the-secret"), "SignatureDoesNotMatch"},
		{"expired STS token", alb.WithSTSToken(stsID, stsSecret, stsToken), "InvalidSecurityToken.Expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := albtest.NewServer(albtest.WithExpiredSTSCredentials(stsID, stsSecret, stsToken))
			defer srv.Close()
			good := testClient(t, srv)
			op, inst := createActive(t, good, basicSpec().WithDeletionProtection())
			bad := testClient(t, srv, tc.opt)
			ctx := context.Background()

			check := func(what, action string, err error) {
				t.Helper()
				var ae *alb.APIError
				if !errors.Is(err, alb.ErrAuth) || errors.Is(err, alb.ErrNotFound) || !errors.As(err, &ae) || ae.Code != tc.code || !ae.Auth() || ae.Retryable() {
					t.Fatalf("%s: %v, want %s matching ErrAuth and not ErrNotFound", what, err, tc.code)
				}
			}
			steps := []struct {
				what, action string
				run          func() error
			}{
				{"Get", "GetLoadBalancerAttribute", func() error { _, err := bad.Get(ctx, inst.ID); return err }},
				{"PlanRelease", "GetLoadBalancerAttribute", func() error { _, err := bad.PlanRelease(ctx, inst.ID); return err }},
				{"Release", "GetLoadBalancerAttribute", func() error {
					_, err := bad.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true})
					return err
				}},
				{"WaitUntilActive", "ListLoadBalancers", func() error { _, err := bad.WaitUntilActive(ctx, inst.ID); return err }},
				{"ResumeCreate", "ListLoadBalancers", func() error { _, err := bad.ResumeCreate(ctx, op.Token(), nil); return err }},
				{"FindByToken", "ListLoadBalancers", func() error { _, err := bad.FindByToken(ctx, op.Token()); return err }},
			}
			for _, s := range steps {
				before := calls(srv, s.action)
				check(s.what, s.action, s.run())
				if n := calls(srv, s.action) - before; n != 1 {
					t.Fatalf("%s sent %d %s, want exactly 1 (no retry)", s.what, n, s.action)
				}
			}
			for _, action := range []string{"DeleteLoadBalancer", "DisableDeletionProtection"} {
				if n := calls(srv, action); n != 0 {
					t.Fatalf("%d %s sent with bad credentials", n, action)
				}
			}
			if lb, ok := srv.LoadBalancer(inst.ID); !ok || lb.Deleted || !lb.DeletionProtection {
				t.Fatalf("instance after the refused release: %+v (found %v)", lb, ok)
			}
		})
	}
}

// Defect 1: not-found comes from codes, never from a bare 404 or a
// .NotFound suffix.
func TestNotFoundOnlyFromResourceCodes(t *testing.T) {
	for _, tc := range []struct {
		code     string
		status   int
		notFound bool
		auth     bool
	}{
		{"ResourceNotFound.LoadBalancer", 404, true, false},
		{"-735", 400, true, false},
		{"InvalidAllocationId.NotFound", 404, true, false},
		{"InvalidAccessKeyId.NotFound", 404, false, true},
		{"SomethingNew", 404, false, false},
		{"Forbidden.RAM", 403, false, true},
		{"NoPermission.Alb", 400, false, true},
		{"Whatever", 401, false, true},
		{"InvalidSecurityToken.Expired", 400, false, true},
	} {
		e := &alb.APIError{Code: tc.code, HTTPStatus: tc.status}
		if e.NotFound() != tc.notFound || errors.Is(e, alb.ErrNotFound) != tc.notFound || e.Auth() != tc.auth || errors.Is(e, alb.ErrAuth) != tc.auth {
			t.Errorf("%s (%d): NotFound %v Auth %v, want %v %v", tc.code, tc.status, e.NotFound(), e.Auth(), tc.notFound, tc.auth)
		}
	}
}

// Defect 2: MaxWait bounds the whole wait, each poll's own retries
// included, and a wait cut by it returns *WaitTimeoutError. Under 100%
// throttling, with the production retry policy (1 s throttle base), a wait
// bounded at 100 ms ends within the bound plus one request timeout.
func TestMaxWaitBoundsThrottledPolls(t *testing.T) {
	srv := albtest.NewServer(albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual()))
	defer srv.Close()
	c := testClient(t, srv, alb.WithRetryPolicy(alb.RetryPolicy{}), alb.WithTimeouts(time.Second, time.Second))
	ctx := context.Background()
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, read := range []string{"ListLoadBalancers", "GetLoadBalancerAttribute"} { // the shared polls and the complete read
		srv.InjectFault(albtest.Fault{Action: read, Code: "Throttling.User", Status: 400})
	}
	start := time.Now()
	_, err = op.Wait(ctx, alb.WithMaxWait(100*time.Millisecond), alb.WithDelays(10*time.Millisecond, 50*time.Millisecond))
	took := time.Since(start)
	var wte *alb.WaitTimeoutError
	if !errors.As(err, &wte) || !errors.Is(err, alb.ErrWaitTimeout) {
		t.Fatalf("Wait = %v, want *WaitTimeoutError", err)
	}
	if !errors.Is(wte.LastErr, alb.ErrThrottled) {
		t.Fatalf("LastErr = %v, want the throttling", wte.LastErr)
	}
	if took > 100*time.Millisecond+time.Second {
		t.Fatalf("wait took %s, want at most the 100ms bound plus one request timeout", took)
	}
}

// Defect 2 on the manual clock: the bound is clock time, and the timeout
// names the last status seen.
func TestMaxWaitOnManualClockNamesLastStatus(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual()))
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	start := clk.Now()
	_, err = op.Wait(ctx, alb.WithMaxWait(2*time.Minute))
	var wte *alb.WaitTimeoutError
	if !errors.As(err, &wte) || wte.LastStatus != alb.StatusProvisioning || !strings.Contains(err.Error(), "last status: Provisioning") {
		t.Fatalf("Wait = %v, want a timeout naming Provisioning", err)
	}
	if waited := clk.Now().Sub(start); waited < 2*time.Minute || waited > 2*time.Minute+time.Second {
		t.Fatalf("the wait took %s of clock time, want its 2m bound", waited)
	}
}

// Defect 3 and the acceptance point: with half of all answers throttled,
// 50 concurrent lifecycles on one Client all succeed: a throttled poll
// keeps the wait going, and throttling spends no retry budget.
func TestLifecyclesSurviveHalfThrottling(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	srv.InjectFault(albtest.Fault{Code: "Throttling.User", Status: 400, Probability: 0.5, Seed: 7})
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			op, err := c.Create(ctx, basicSpec().WithName(fmt.Sprintf("lb-%d", i)))
			if err != nil {
				errs <- fmt.Errorf("create %d: %w", i, err)
				return
			}
			inst, err := op.Wait(ctx)
			if err != nil {
				errs <- fmt.Errorf("wait %d: %w", i, err)
				return
			}
			if err := c.EnableDeletionProtection(ctx, inst.ID); err != nil {
				errs <- fmt.Errorf("protect %d: %w", i, err)
				return
			}
			if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true}); err != nil {
				errs <- fmt.Errorf("release %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if srv.Created() != n || srv.Live() != 0 {
		t.Fatalf("created %d, live %d; want %d and 0", srv.Created(), srv.Live(), n)
	}
}

// Callers can override what a wait accepts.
func TestAcceptorOverridesTheBuiltInRules(t *testing.T) {
	srv := albtest.NewServer(albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual()))
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	inst, err := op.Wait(ctx, alb.WithAcceptor(func(inst *alb.Instance, err error) (alb.WaitDecision, error) {
		seen++
		if err == nil && inst.Status == alb.StatusProvisioning {
			return alb.WaitSuccess, nil
		}
		return alb.WaitDefault, nil
	}))
	if err != nil || inst.Status != alb.StatusProvisioning || seen != 1 {
		t.Fatalf("Wait = %v, %v after %d polls; want the acceptor's success on Provisioning", inst, err, seen)
	}
	// A failure the acceptor declares ends the wait with its error.
	mine := errors.New("not this one")
	_, err = c.WaitUntilActive(ctx, op.ID(), alb.WithAcceptor(func(*alb.Instance, error) (alb.WaitDecision, error) {
		return alb.WaitFailure, mine
	}))
	if !errors.Is(err, mine) {
		t.Fatalf("WaitUntilActive = %v, want the acceptor's error", err)
	}
}

// Defect 4 (a): crash-safe create: the key chosen and persisted before
// Create finds the instance even when Create never returned an ID.
func TestCrashSafeCreateFindsInstanceByPersistedKey(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	const key = "tenant-42-web"
	// The create is applied, then the answer is lost, and the process
	// "dies": only the key it persisted survives.
	srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", DropConnection: true, ApplyThenFail: true, Times: 1})
	srv.InjectFault(albtest.Fault{Action: "ListLoadBalancers", Code: "ServiceUnavailable", Status: 503})
	dead := testClient(t, srv, alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: 1}))
	if _, err := dead.Create(ctx, basicSpec().WithIdempotencyKey(key), alb.SkipPreflight()); err == nil {
		t.Fatal("the interrupted create reported success")
	}
	srv.ClearFaults()
	inst, err := c.FindByToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(inst.Zones) != 2 || inst.RegionID == "" || inst.Token() != key {
		t.Fatalf("FindByToken returned an incomplete instance: %+v", inst)
	}
	op, err := c.ResumeCreate(ctx, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Wait(ctx); err != nil || op.ID() != inst.ID || srv.Created() != 1 {
		t.Fatalf("resume: %v, id %s vs %s, created %d", err, op.ID(), inst.ID, srv.Created())
	}
}

// Defect 4 (b): resuming with a changed spec is refused with a typed error,
// detected from the instance's digest tag, not from the caller's word.
func TestResumeWithChangedSpecIsRefused(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	spec := basicSpec().WithIdempotencyKey("key-b")
	op, _ := createActive(t, c, spec)
	changed := spec.WithName("another-name")
	_, err := c.ResumeCreate(ctx, "key-b", &changed)
	var ie *alb.IdempotencyError
	if !errors.Is(err, alb.ErrIdempotencyKeyReused) || !errors.As(err, &ie) || ie.InstanceID != op.ID() {
		t.Fatalf("ResumeCreate with a changed spec = %v, want ErrIdempotencyKeyReused naming %s", err, op.ID())
	}
	same := spec
	if _, err := c.ResumeCreate(ctx, "key-b", &same); err != nil {
		t.Fatalf("ResumeCreate with the same spec: %v", err)
	}
	if _, err := c.ResumeCreate(ctx, "key-b", nil); err != nil {
		t.Fatalf("ResumeCreate without a spec: %v", err)
	}
}

// Defect 4 (c): a token whose instance was since released, or ended in
// CreateFailed, ends promptly with a typed error.
func TestResumeReleasedOrFailedEndsPromptly(t *testing.T) {
	t.Run("released", func(t *testing.T) {
		srv := albtest.NewServer()
		defer srv.Close()
		c := testClient(t, srv)
		ctx := context.Background()
		spec := basicSpec().WithIdempotencyKey("key-c")
		_, inst := createActive(t, c, spec)
		if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ResumeCreate(ctx, "key-c", nil); !errors.Is(err, alb.ErrNotFound) {
			t.Fatalf("ResumeCreate(token) = %v, want ErrNotFound", err)
		}
		op, err := c.ResumeCreate(ctx, "key-c", &spec)
		if err != nil {
			t.Fatal(err)
		}
		before := calls(srv, "ListLoadBalancers")
		_, err = op.Wait(ctx)
		if !errors.Is(err, alb.ErrReleased) {
			t.Fatalf("Wait = %v, want ErrReleased", err)
		}
		if n := calls(srv, "ListLoadBalancers") - before; n != 1 {
			t.Fatalf("%d polls, want 1", n)
		}
		if srv.Created() != 1 {
			t.Fatalf("created %d instances, want 1", srv.Created())
		}
	})
	t.Run("create failed", func(t *testing.T) {
		srv := albtest.NewServer()
		defer srv.Close()
		c := testClient(t, srv)
		ctx := context.Background()
		srv.FailNextCreate()
		op, err := c.Create(ctx, basicSpec().WithIdempotencyKey("key-f"))
		if err != nil {
			t.Fatal(err)
		}
		op2, err := c.ResumeCreate(ctx, "key-f", nil)
		if err != nil {
			t.Fatal(err)
		}
		before := calls(srv, "GetLoadBalancerAttribute")
		if _, err := op2.Wait(ctx); !errors.Is(err, alb.ErrCreateFailed) || op2.ID() != op.ID() {
			t.Fatalf("Wait = %v, want ErrCreateFailed", err)
		}
		if n := calls(srv, "GetLoadBalancerAttribute") - before; n > 2 {
			t.Fatalf("%d polls, want at most 2 (the emulator shows Provisioning once)", n)
		}
	})
}

// Defect 6: a per-request timeout is retried, on reads and on writes with
// a ClientToken; only the caller's context ending stops retries.
func TestPerRequestTimeoutIsRetried(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv, alb.WithTimeouts(time.Second, 50*time.Millisecond))
	_, inst := createActive(t, c, basicSpec())
	ctx := context.Background()
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Latency: 90 * time.Millisecond, Times: 1})
	if _, err := c.Get(ctx, inst.ID); err != nil {
		t.Fatalf("Get after one slow answer: %v", err)
	}
	srv.InjectFault(albtest.Fault{Action: "EnableDeletionProtection", Latency: 90 * time.Millisecond, Times: 1})
	if err := c.EnableDeletionProtection(ctx, inst.ID); err != nil {
		t.Fatalf("EnableDeletionProtection after one slow answer: %v", err)
	}
}

// Defect 7: once retries run out on network failures, the error is
// albkit's: a *MaxAttemptsError wrapping a *NetworkError (ErrNetwork), for
// every operation.
func TestTransportFailuresAreTyped(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv, alb.WithTimeouts(time.Second, 50*time.Millisecond), alb.WithRetryPolicy(alb.RetryPolicy{
		MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}))
	_, inst := createActive(t, c, basicSpec())
	ctx := context.Background()
	for _, fault := range []albtest.Fault{{DropConnection: true}, {Latency: 5 * time.Second}} {
		srv.ClearFaults()
		srv.InjectFault(fault)
		for name, run := range map[string]func() error{
			"Get":    func() error { _, err := c.Get(ctx, inst.ID); return err },
			"Create": func() error { _, err := c.Create(ctx, basicSpec()); return err },
			"EnableDeletionProtection": func() error {
				return c.EnableDeletionProtection(ctx, inst.ID, alb.WithMaxWait(200*time.Millisecond))
			},
			"Release": func() error { _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); return err },
			"List": func() error {
				for _, err := range c.List(ctx, alb.ListFilter{}) {
					return err
				}
				return nil
			},
		} {
			err := run()
			var ma *alb.MaxAttemptsError
			var ne *alb.NetworkError
			if !errors.Is(err, alb.ErrNetwork) || !errors.As(err, &ne) || !errors.As(err, &ma) {
				t.Errorf("%s under %+v: %v (%T), want *MaxAttemptsError wrapping *NetworkError", name, fault, err, err)
			}
			if strings.Contains(err.Error(), "retry:") || strings.Contains(err.Error(), "cloudapi:") {
				t.Errorf("%s: error shows an internal package: %v", name, err)
			}
			var nerr net.Error
			if fault.Latency > 0 && (!ne.Timeout() || !errors.As(err, &nerr)) {
				t.Errorf("%s: a timeout that does not say so: %v", name, err)
			}
		}
	}
}

// Retry outcomes are exported: the budget running out matches
// ErrRetryBudgetExhausted and still reaches the last error.
func TestRetryBudgetOutcomeIsExported(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv, alb.WithRetryBudget(5))
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "ServiceUnavailable", Status: 503})
	_, err := c.Get(context.Background(), "alb-whatever")
	var ae *alb.APIError
	if !errors.Is(err, alb.ErrRetryBudgetExhausted) || !errors.As(err, &ae) || ae.Code != "ServiceUnavailable" {
		t.Fatalf("Get = %v, want ErrRetryBudgetExhausted wrapping the 503", err)
	}
}

// Defect 8: a release whose delete went through is a success even when a
// wait after it fails, and protection is restored only while the instance
// still exists.
func TestReleaseSuccessDecidedByInstanceState(t *testing.T) {
	srv := albtest.NewServer(albtest.WithTransition(albtest.PhaseDeleting, albtest.Manual()))
	defer srv.Close()
	c := testClient(t, srv)
	_, inst := createActive(t, c, basicSpec().WithDeletionProtection())
	ctx := context.Background()
	op, err := c.StartRelease(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true,
		Wait: []alb.WaitOption{alb.WithMaxWait(100 * time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	// The wait is throttled out; meanwhile the delete completes.
	srv.InjectFault(albtest.Fault{Action: "ListLoadBalancers", Code: "Throttling.User", Status: 400})
	srv.AdvanceAll()
	res, err := op.Wait(ctx)
	if err != nil {
		t.Fatalf("Release = %v, want success: the instance is gone", err)
	}
	kinds := sideEffectKinds(res)
	if !contains(kinds, alb.SideEffectInstanceReleased) || contains(kinds, alb.SideEffectDeletionProtectionRestored) {
		t.Fatalf("side effects %v", kinds)
	}
	if n := calls(srv, "EnableDeletionProtection"); n != 0 {
		t.Fatalf("%d EnableDeletionProtection sent to restore protection on a released instance", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Acceptance: a release killed after DeleteLoadBalancer was sent resumes
// from its saved token, with no second DeleteLoadBalancer token.
func TestReleaseResumesFromSavedToken(t *testing.T) {
	srv := albtest.NewServer(albtest.WithTransition(albtest.PhaseDeleting, albtest.Manual()))
	defer srv.Close()
	c := testClient(t, srv)
	_, inst := createActive(t, c, basicSpec())
	ctx := context.Background()
	const key = "release-web-1"
	op, err := c.StartRelease(ctx, inst.ID, alb.ReleaseOptions{IdempotencyKey: key})
	if err != nil || op.Token() != key || op.JobID() == "" {
		t.Fatalf("StartRelease = %v token %q job %q", err, op.Token(), op.JobID())
	}
	// The process dies here. Another one resumes from the key.
	other := testClient(t, srv)
	op2, err := other.ResumeRelease(ctx, inst.ID, key, alb.ReleaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if op2.JobID() != op.JobID() {
		t.Fatalf("resumed job %q, want the first delete's %q", op2.JobID(), op.JobID())
	}
	srv.AdvanceAll()
	if _, err := op2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]bool{}
	for _, r := range srv.Requests() {
		if r.Action == "DeleteLoadBalancer" {
			tokens[r.Params["ClientToken"]] = true
		}
	}
	if len(tokens) != 1 || !tokens[key] {
		t.Fatalf("DeleteLoadBalancer tokens %v, want only %q", tokens, key)
	}
	if srv.Live() != 0 {
		t.Fatalf("%d instances left", srv.Live())
	}
	// Resuming again once it is gone is a success that says so.
	op3, err := other.ResumeRelease(ctx, inst.ID, key, alb.ReleaseOptions{})
	if err != nil || !op3.Done() {
		t.Fatalf("resume after the release: %v done %v", err, op3.Done())
	}
}

// Defect 9: the service's retry-after hint is honoured.
func TestRetryAfterHintIsHonoured(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithRateLimit("DescribeRegions", 0.2, 1))
	defer srv.Close()
	var delays []time.Duration
	c := testClient(t, srv, alb.WithObserver(func(e alb.Event) {
		if e.Kind == alb.EventRetry {
			delays = append(delays, e.Delay)
		}
	}))
	ctx := context.Background()
	// Two GetLoadBalancerAttribute calls hit an empty bucket refilled at
	// one token per 5 s: the second is told to wait about 5 s.
	srv.SetRateLimit("GetLoadBalancerAttribute", 0.2, 1)
	_, _ = c.Get(ctx, "alb-x")
	_, _ = c.Get(ctx, "alb-x")
	if len(delays) == 0 || delays[0] < 4*time.Second {
		t.Fatalf("retry delays %v, want the ~5s hint honoured", delays)
	}
}

// Defect 10: small ones.
func TestSmallDefects(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	for name, err := range map[string]error{
		"Get":          func() error { _, err := c.Get(ctx, ""); return err }(),
		"ResumeCreate": func() error { _, err := c.ResumeCreate(ctx, "", nil); return err }(),
	} {
		var ae *alb.ArgumentError
		if !errors.Is(err, alb.ErrInvalidArgument) || errors.Is(err, alb.ErrInvalidSpec) || !errors.As(err, &ae) || strings.Contains(err.Error(), "spec") {
			t.Errorf("%s(\"\") = %v, want an ArgumentError", name, err)
		}
	}
	if srv.TotalCalls() != 0 {
		t.Fatalf("%d calls for empty arguments", srv.TotalCalls())
	}
	_, err := c.FindByToken(ctx, "no-such-token")
	if !errors.Is(err, alb.ErrNotFound) || strings.Count(err.Error(), "alb:") != 1 {
		t.Fatalf("FindByToken = %q, want one alb: prefix", err)
	}
	plan := &alb.ReleasePlan{ID: "alb-1"}
	if strings.Contains(plan.String(), "()") {
		t.Fatalf("plan of an unnamed instance: %q", plan.String())
	}
}

// Acceptance: a provisioning that takes 3 minutes of emulator time is
// waited out in well under a second of wall time with the manual clock,
// with the normal (second-scale) poll delays and no real sleep.
func TestThreeMinuteProvisioningOnManualClock(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithTransitions(albtest.AfterDuration(3*time.Minute)))
	defer srv.Close()
	c := testClient(t, srv)
	ctx := context.Background()
	wall := time.Now()
	start := clk.Now()
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil || inst.Status != alb.StatusActive {
		t.Fatalf("Wait = %v", err)
	}
	if took := clk.Now().Sub(start); took < 3*time.Minute {
		t.Fatalf("Active after %s of clock time, before the 3m provisioning", took)
	}
	if took := time.Since(wall); took > time.Second {
		t.Fatalf("the 3-minute wait took %s of wall time", took)
	}
	polls := srv.Count("GetLoadBalancerAttribute")
	if polls > 40 { // jittered exponential delays: about 12 on average
		t.Fatalf("%d polls for a 3-minute wait: the delays did not grow", polls)
	}
}

// isAlbkitError reports whether err matches one of albkit's exported
// sentinels or types (or the caller's own context error).
func isAlbkitError(err error) bool {
	for _, s := range []error{alb.ErrNotFound, alb.ErrAuth, alb.ErrDeletionProtected, alb.ErrThrottled, alb.ErrQuotaExceeded,
		alb.ErrCreateFailed, alb.ErrWaitTimeout, alb.ErrUnexpectedState, alb.ErrReleaseFailed, alb.ErrReleased,
		alb.ErrIdempotencyKeyReused, alb.ErrNetwork, alb.ErrRetryBudgetExhausted, alb.ErrInvalidArgument, alb.ErrInvalidSpec,
		alb.ErrPreflightFailed, alb.ErrServiceLinkedRoleMissing, alb.ErrDomainStillResolves, alb.ErrUserEIPNotAcknowledged,
		alb.ErrInUse, alb.ErrChangeRefused, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			return true
		}
	}
	var (
		ae *alb.APIError
		ne *alb.NetworkError
		ma *alb.MaxAttemptsError
		se *alb.StateError
		we *alb.WaitTimeoutError
		ve *alb.ValidationError
		ge *alb.ArgumentError
		ie *alb.IdempotencyError
		sv *alb.ServersError
	)
	if errors.As(err, &sv) && !isAlbkitError(sv.Err) {
		return false // a ServersError must carry a typed cause
	}
	var rv *alb.RulesError
	if errors.As(err, &rv) && !isAlbkitError(rv.Err) {
		return false
	}
	return errors.As(err, &ae) || errors.As(err, &ne) || errors.As(err, &ma) || errors.As(err, &se) ||
		errors.As(err, &we) || errors.As(err, &ve) || errors.As(err, &ge) || errors.As(err, &ie)
}

// Defect 7: every operation, under every fault kind, fails (if it fails)
// with one of albkit's exported types or sentinels, and never with an
// internal package's name in its text.
func TestEveryErrorIsTyped(t *testing.T) {
	faults := map[string]albtest.Fault{
		"throttling":    {Code: "Throttling.User", Status: 400},
		"503":           {Code: "ServiceUnavailable", Status: 503},
		"500":           {Code: "InternalError", Status: 500},
		"unknown-4xx":   {Code: "Weird.Code", Status: 400},
		"auth":          {Code: "Forbidden.RAM", Status: 403},
		"drop":          {DropConnection: true},
		"apply-drop":    {DropConnection: true, ApplyThenFail: true},
		"apply-503":     {Code: "ServiceUnavailable", Status: 503, ApplyThenFail: true},
		"slow":          {Latency: 60 * time.Millisecond},
		"not-found-404": {Code: "ResourceNotFound.LoadBalancer", Status: 404},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := albtest.NewServer()
			defer srv.Close()
			c := testClient(t, srv, alb.WithTimeouts(time.Second, 40*time.Millisecond),
				alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, ThrottleInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, MaxElapsed: 100 * time.Millisecond}),
				alb.WithWaitOptions(alb.WaitOptions{MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 150 * time.Millisecond}))
			ctx := context.Background()
			// The instance is made with the patient default client: the
			// tight bounds above are for the operations under the fault.
			op, inst := createActive(t, testClient(t, srv), basicSpec().WithIdempotencyKey("typed-"+name))
			spec := basicSpec()
			sgSpec := ipSpec("typed", 3).WithIdempotencyKey("typed-sg-" + name)
			sg, err := testClient(t, srv).ServerGroups().Create(ctx, sgSpec)
			if err != nil {
				t.Fatal(err)
			}
			sgs := c.ServerGroups()
			lsnSpec := alb.NewListenerSpec(inst.ID, alb.ListenerHTTP, 80, sg.ID).WithIdempotencyKey("typed-lsn-" + name).
				WithRules(alb.NewRuleSpec("r1", 10, routing.Path("/a")).Then(routing.ForwardTo(sg.ID)))
			lsn, err := testClient(t, srv).Listeners().Create(ctx, lsnSpec)
			if err != nil {
				t.Fatal(err)
			}
			lss, frs := c.Listeners(), c.ForwardingRules()
			srv.InjectFault(fault)
			ops := map[string]func() error{
				"Get": func() error { _, err := c.Get(ctx, inst.ID); return err },
				"List": func() error {
					for _, err := range c.List(ctx, alb.ListFilter{}) {
						return err
					}
					return nil
				},
				"FindByToken": func() error { _, err := c.FindByToken(ctx, op.Token()); return err },
				"Create": func() error {
					o, err := c.Create(ctx, spec)
					if err == nil {
						_, err = o.Wait(ctx)
					}
					return err
				},
				"CreateDryRun": func() error { return c.CreateDryRun(ctx, spec) },
				"ResumeCreate": func() error {
					o, err := c.ResumeCreate(ctx, op.Token(), nil)
					if err == nil {
						_, err = o.Wait(ctx)
					}
					return err
				},
				"WaitUntilActive":           func() error { _, err := c.WaitUntilActive(ctx, inst.ID); return err },
				"EnableDeletionProtection":  func() error { return c.EnableDeletionProtection(ctx, inst.ID) },
				"DisableDeletionProtection": func() error { return c.DisableDeletionProtection(ctx, inst.ID) },
				"EnableReadOnly":            func() error { return c.EnableReadOnly(ctx, inst.ID, "frozen") },
				"DisableReadOnly":           func() error { return c.DisableReadOnly(ctx, inst.ID) },
				"PlanRelease":               func() error { _, err := c.PlanRelease(ctx, inst.ID); return err },
				"ResumeRelease": func() error {
					o, err := c.ResumeRelease(ctx, inst.ID, "rel-"+name, alb.ReleaseOptions{})
					if err == nil {
						_, err = o.Wait(ctx)
					}
					return err
				},
				"Release": func() error {
					_, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true})
					return err
				},
				"ServerGroups.Get": func() error { _, err := sgs.Get(ctx, sg.ID); return err },
				"ServerGroups.List": func() error {
					for _, err := range sgs.List(ctx, alb.ServerGroupFilter{}) {
						return err
					}
					return nil
				},
				"ServerGroups.Create":       func() error { _, err := sgs.Create(ctx, ipSpec("typed-new", 2)); return err },
				"ServerGroups.ResumeCreate": func() error { _, err := sgs.ResumeCreate(ctx, sgSpec.IdempotencyKey, &sgSpec); return err },
				"ServerGroups.Update":       func() error { _, err := sgs.Update(ctx, sg.ID, sgSpec.WithStickyInsert(10)); return err },
				"ServerGroups.AddServers":   func() error { _, err := sgs.AddServers(ctx, sg.ID, ipServers(5)); return err },
				"ServerGroups.UpdateServers": func() error {
					_, err := sgs.UpdateServers(ctx, sg.ID, []alb.Server{ipServers(1)[0].WithWeight(3)})
					return err
				},
				"ServerGroups.RemoveServers": func() error { _, err := sgs.RemoveServers(ctx, sg.ID, ipServers(1)); return err },
				"ServerGroups.Ensure":        func() error { _, err := sgs.Ensure(ctx, sgSpec.WithMembership(alb.MembershipOwned)); return err },
				"ServerGroups.Delete":        func() error { return sgs.Delete(ctx, sg.ID) },
				"Listeners.Get":              func() error { _, err := lss.Get(ctx, lsn.ID); return err },
				"Listeners.Ensure":           func() error { _, err := lss.Ensure(ctx, lsnSpec.WithTimeouts(30, 0)); return err },
				"Listeners.Stop":             func() error { _, err := lss.Stop(ctx, lsn.ID); return err },
				"Listeners.Health":           func() error { _, err := lss.Health(ctx, lsn.ID); return err },
				"ForwardingRules.Create": func() error {
					_, err := frs.Create(ctx, lsn.ID, alb.NewRuleSpec("r2", 20, routing.Path("/b")).Then(routing.ForwardTo(sg.ID)))
					return err
				},
				"Listeners.Delete": func() error { return lss.Delete(ctx, lsn.ID) },
			}
			check := func(opName string, err error) {
				if err == nil {
					return
				}
				if !isAlbkitError(err) {
					t.Errorf("%s: %v (%T) matches no exported albkit type or sentinel", opName, err, err)
				}
				for _, internal := range []string{"retry:", "cloudapi:", "waiter:", "apierr", "tea.", "SDKError"} {
					if strings.Contains(err.Error(), internal) {
						t.Errorf("%s: error shows %q: %v", opName, internal, err)
					}
				}
			}
			// The operations run at once (a throttled one takes its bound,
			// about 2 s), the deletes last.
			for _, phase := range [][]string{{"Get", "List", "FindByToken", "Create", "CreateDryRun", "ResumeCreate", "WaitUntilActive",
				"EnableDeletionProtection", "DisableDeletionProtection", "EnableReadOnly", "DisableReadOnly", "PlanRelease",
				"ServerGroups.Get", "ServerGroups.List", "ServerGroups.Create", "ServerGroups.ResumeCreate", "ServerGroups.Update",
				"ServerGroups.AddServers", "ServerGroups.UpdateServers", "ServerGroups.RemoveServers", "ServerGroups.Ensure",
				"Listeners.Get", "Listeners.Ensure", "Listeners.Stop", "Listeners.Health", "ForwardingRules.Create"},
				{"Listeners.Delete"},
				{"ResumeRelease", "Release", "ServerGroups.Delete"}} {
				var wg sync.WaitGroup
				for _, opName := range phase {
					wg.Go(func() { check(opName, ops[opName]()) })
				}
				wg.Wait()
			}
		})
	}
}
