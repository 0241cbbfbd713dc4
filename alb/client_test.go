package alb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// fastWait keeps waits short: the emulator's transitions complete after
// polls, not after time.
var fastWait = alb.WaitOptions{MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 10 * time.Second}

var fastRetry = alb.RetryPolicy{InitialInterval: time.Millisecond, ThrottleInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond, MaxAttempts: 6}

// newEnv starts an emulator and a Client wired to it.
func newEnv(t *testing.T, srvOpts []albtest.Option, opts ...alb.Option) (*albtest.Server, *alb.Client) {
	t.Helper()
	srv := albtest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	all := append([]alb.Option{alb.WithOpenAPIConfig(srv.Config()), alb.WithWaitOptions(fastWait), alb.WithRetryPolicy(fastRetry)}, opts...)
	c, err := alb.NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func twoZones() []alb.ZoneMapping {
	return []alb.ZoneMapping{alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)}
}

func basicSpec() alb.InstanceSpec {
	return alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard, twoZones()...).WithName("test-lb")
}

func liveEIPs(srv *albtest.Server) map[string]bool {
	m := map[string]bool{}
	for _, e := range srv.EIPs() {
		m[e.AllocationID] = true
	}
	return m
}

// TestLifecycle runs create → wait → protect → read-only → plan → release
// for every edition, address type and IP version.
func TestLifecycle(t *testing.T) {
	for _, ed := range alb.Editions() {
		for _, at := range []alb.AddressType{alb.Internet, alb.Intranet} {
			for _, ipv := range []alb.IPVersion{alb.IPv4, alb.DualStack} {
				t.Run(fmt.Sprintf("%s/%s/%s", ed, at, ipv), func(t *testing.T) {
					t.Parallel()
					srv, c := newEnv(t, nil)
					ctx := context.Background()
					zones := twoZones()
					if at == alb.Internet {
						zones[1] = zones[1].WithEIP(albtest.EIPTraffic1)
					}
					spec := alb.NewInstanceSpec(albtest.DefaultVPCID, at, ed, zones...).WithIPVersion(ipv).WithName("lifecycle")
					op, inst := createActive(t, c, spec)
					if inst.Status != alb.StatusActive || inst.Edition != ed || inst.AddressType != at || inst.IPVersion != ipv {
						t.Fatalf("got %s %s %s %s", inst.Status, inst.Edition, inst.AddressType, inst.IPVersion)
					}
					if inst.DNSName == "" || len(inst.Zones) != 2 || inst.Token() != op.Token() {
						t.Fatalf("instance incomplete: dns %q zones %d token %q", inst.DNSName, len(inst.Zones), inst.Token())
					}
					if !op.Done() {
						t.Fatal("operation not done after Wait")
					}
					if ipv == alb.DualStack && inst.Zones[0].Addresses[0].IPv6Address == "" {
						t.Fatal("dual-stack instance has no IPv6 address")
					}
					eips := inst.EIPs()
					if at == alb.Internet && len(eips) != 2 {
						t.Fatalf("Internet instance has EIPs %v, want 2 (one chosen, one auto-assigned)", eips)
					}
					if at == alb.Intranet && len(eips) != 0 {
						t.Fatalf("Intranet instance has EIPs %v", eips)
					}
					if err := c.EnableDeletionProtection(ctx, inst.ID); err != nil {
						t.Fatal(err)
					}
					if err := c.EnableReadOnly(ctx, inst.ID, "frozen-by-test"); err != nil {
						t.Fatal(err)
					}
					got, err := c.Get(ctx, inst.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !got.DeletionProtection || !got.ReadOnly.Enabled || got.ReadOnly.Reason != "frozen-by-test" {
						t.Fatalf("protections not applied: %+v %+v", got.DeletionProtection, got.ReadOnly)
					}
					plan, err := c.PlanRelease(ctx, inst.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !plan.Exists || !plan.DeletionProtection || !plan.ReadOnly.Enabled || len(plan.EIPs) != len(eips) {
						t.Fatalf("plan: %v", plan)
					}
					if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); !errors.Is(err, alb.ErrDeletionProtected) {
						t.Fatalf("release of a protected instance: %v, want ErrDeletionProtected", err)
					}
					if n := srv.Count("DeleteLoadBalancer"); n != 0 {
						t.Fatalf("refused release sent %d DeleteLoadBalancer", n)
					}
					res, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true, AcknowledgeUserEIPs: true})
					if err != nil {
						t.Fatal(err)
					}
					kinds := sideEffectKinds(res)
					if kinds[0] != alb.SideEffectDeletionProtectionDisabled || !slices.Contains(kinds, alb.SideEffectInstanceReleased) {
						t.Fatalf("side effects %v", kinds)
					}
					released := 0
					for _, k := range kinds {
						if k == alb.SideEffectEIPReleased {
							released++
						}
					}
					if released != len(eips) {
						t.Fatalf("released %d EIPs, want %d (%v)", released, len(eips), kinds)
					}
					left := liveEIPs(srv)
					for _, id := range eips {
						if left[id] {
							t.Errorf("EIP %s still exists after release", id)
						}
					}
					if _, err := c.Get(ctx, inst.ID); !errors.Is(err, alb.ErrNotFound) {
						t.Fatalf("Get after release: %v", err)
					}
					if srv.Live() != 0 || srv.Created() != 1 {
						t.Fatalf("live %d created %d, want 0 and 1", srv.Live(), srv.Created())
					}
				})
			}
		}
	}
}

func sideEffectKinds(res *alb.ReleaseResult) []string {
	var out []string
	for _, se := range res.SideEffects {
		out = append(out, se.Kind)
	}
	return out
}

// createActive creates spec and waits until it is Active.
func createActive(t *testing.T, c *alb.Client, spec alb.InstanceSpec) (*alb.CreateOperation, *alb.Instance) {
	t.Helper()
	ctx := context.Background()
	op, err := c.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return op, inst
}

// createAndRelease runs the lifecycle and asserts exactly one instance
// existed and none is left.
func createAndRelease(t *testing.T, srv *albtest.Server, c *alb.Client) {
	t.Helper()
	ctx := context.Background()
	_, inst := createActive(t, c, basicSpec())
	if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	if srv.Created() != 1 {
		t.Fatalf("%d instances were created, want exactly 1", srv.Created())
	}
	if srv.Live() != 0 {
		t.Fatalf("%d instances left after release", srv.Live())
	}
}

// TestFaultsOnCreateAndDelete injects throttling, 5xx, IdempotenceProcessing
// and apply-then-fail on create and on delete: each operation succeeds,
// exactly one instance existed, none is left.
func TestFaultsOnCreateAndDelete(t *testing.T) {
	faults := map[string]albtest.Fault{
		"throttling":               {Code: "Throttling.User", Status: 400, Message: "Request was denied due to user flow control.", Times: 2},
		"5xx":                      {Code: "ServiceUnavailable", Status: 503, Times: 2},
		"internal-500":             {Code: "InternalError", Status: 500, Times: 1},
		"idempotence-processing":   {Code: "IdempotenceProcessing", Status: 400, Times: 2},
		"apply-then-5xx":           {Code: "ServiceUnavailable", Status: 503, Times: 2, ApplyThenFail: true},
		"apply-then-drop":          {DropConnection: true, Times: 1, ApplyThenFail: true},
		"dropped-before-apply":     {DropConnection: true, Times: 1},
		"system-busy":              {Code: "SystemBusy", Status: 400, Times: 1},
		"incorrect-status-settles": {Code: "IncorrectStatus.LoadBalancer", Status: 400, Times: 1},
	}
	for _, action := range []string{"CreateLoadBalancer", "DeleteLoadBalancer"} {
		for name, f := range faults {
			t.Run(action+"/"+name, func(t *testing.T) {
				t.Parallel()
				srv, c := newEnv(t, nil)
				f.Action = action
				srv.InjectFault(f)
				createAndRelease(t, srv, c)
				if n := srv.Count(action); n < 2 {
					t.Fatalf("%s was called %d times; the fault was not retried", action, n)
				}
				// Every retry reused the first attempt's ClientToken.
				tokens := map[string]bool{}
				for _, r := range srv.Requests() {
					if r.Action == action {
						tokens[r.Params["ClientToken"]] = true
					}
				}
				if len(tokens) != 1 {
					t.Fatalf("%s retries used %d different ClientTokens, want 1", action, len(tokens))
				}
			})
		}
	}
}

// TestResumeFromToken abandons a create mid-wait and resumes it from the
// saved token with a new Client: same instance ID, one instance.
func TestResumeFromToken(t *testing.T) {
	for _, withSpec := range []bool{true, false} {
		t.Run(fmt.Sprintf("withSpec=%v", withSpec), func(t *testing.T) {
			srv, c1 := newEnv(t, []albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual())})
			spec := basicSpec()
			op, err := c1.Create(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			_, err = op.Wait(ctx)
			cancel()
			if err == nil || op.Done() {
				t.Fatalf("wait should have been abandoned while Provisioning: %v", err)
			}
			saved := op.Token()

			// A new process: new client, only the token (and maybe the spec).
			c2, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithWaitOptions(fastWait), alb.WithRetryPolicy(fastRetry))
			if err != nil {
				t.Fatal(err)
			}
			var sp *alb.InstanceSpec
			if withSpec {
				sp = &spec
			}
			op2, err := c2.ResumeCreate(context.Background(), saved, sp)
			if err != nil {
				t.Fatal(err)
			}
			if op2.ID() != op.ID() || op2.Token() != saved {
				t.Fatalf("resumed %s/%s, want %s/%s", op2.ID(), op2.Token(), op.ID(), saved)
			}
			srv.AdvanceAll()
			inst, err := op2.Wait(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if inst.ID != op.ID() || srv.Created() != 1 {
				t.Fatalf("got %s, created %d", inst.ID, srv.Created())
			}
		})
	}
}

// TestResumeResendsSameToken: when the create never got an answer, Create
// with the same idempotency key gets the same instance from the service.
func TestCreateTwiceSameKeyOneInstance(t *testing.T) {
	srv, c := newEnv(t, nil)
	spec := basicSpec().WithIdempotencyKey("order-42")
	op1, err := c.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	op2, err := c.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if op1.ID() != op2.ID() || op1.Token() != "order-42" || srv.Created() != 1 {
		t.Fatalf("ids %s %s token %s created %d", op1.ID(), op2.ID(), op1.Token(), srv.Created())
	}
}

func TestResumeUnknownTokenWithoutSpec(t *testing.T) {
	_, c := newEnv(t, nil)
	_, err := c.ResumeCreate(context.Background(), "never-sent", nil)
	if !errors.Is(err, alb.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}

// TestCreateFailedWithinOnePoll: the first poll that sees CreateFailed ends
// the wait with a typed error.
func TestCreateFailedWithinOnePoll(t *testing.T) {
	srv, c := newEnv(t, []albtest.Option{
		albtest.WithTransition(albtest.PhaseProvisioning, albtest.Immediate()),
		albtest.WithCreateFailure(func(ci albtest.CreateInfo) bool { return ci.Name == "doomed" }),
	})
	op, err := c.Create(context.Background(), basicSpec().WithName("doomed"))
	if err != nil {
		t.Fatal(err)
	}
	lists := srv.Count("ListLoadBalancers") // the create's preflight counts the region's instances
	_, err = op.Wait(context.Background())
	if !errors.Is(err, alb.ErrCreateFailed) {
		t.Fatalf("got %v, want ErrCreateFailed", err)
	}
	var se *alb.StateError
	if !errors.As(err, &se) || se.Status != alb.StatusCreateFailed {
		t.Fatalf("got %#v", err)
	}
	if n, full := srv.Count("ListLoadBalancers")-lists, srv.Count("GetLoadBalancerAttribute"); n != 1 || full != 0 {
		t.Fatalf("%d polls and %d complete reads, want 1 and none", n, full)
	}
	if !op.Done() {
		t.Fatal("operation not done")
	}
	// A CreateFailed instance can only be released.
	if _, err := c.Release(context.Background(), op.ID(), alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	if srv.Live() != 0 {
		t.Fatal("CreateFailed instance left behind")
	}
}

func TestWaitTimeoutNamesLastStatus(t *testing.T) {
	_, c := newEnv(t, []albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual())})
	op, err := c.Create(context.Background(), basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Wait(context.Background(), alb.WithMaxWait(50*time.Millisecond))
	var te *alb.WaitTimeoutError
	if !errors.Is(err, alb.ErrWaitTimeout) || !errors.As(err, &te) {
		t.Fatalf("got %v, want a WaitTimeoutError", err)
	}
	if te.LastStatus != alb.StatusProvisioning || !strings.Contains(err.Error(), "last status: Provisioning") {
		t.Fatalf("timeout error %q does not name the last status", err)
	}
	if op.Done() {
		t.Fatal("a timed-out wait must leave the operation resumable")
	}
}

// TestCancelReturnsQuickly cancels a wait that is sleeping a long delay.
func TestCancelReturnsQuickly(t *testing.T) {
	polled := make(chan struct{}, 1)
	_, c := newEnv(t, []albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual())},
		alb.WithObserver(func(e alb.Event) {
			if e.Kind == alb.EventPoll {
				select {
				case polled <- struct{}{}:
				default:
				}
			}
		}))
	op, err := c.Create(context.Background(), basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := op.Wait(ctx, alb.WithDelays(time.Minute, time.Minute))
		done <- err
	}()
	<-polled // the wait is now sleeping a one-minute delay
	start := time.Now()
	cancel()
	err = <-done
	if elapsed := time.Since(start); elapsed > 100*time.Millisecond {
		t.Fatalf("cancel took %s, want < 100ms", elapsed)
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "Provisioning") {
		t.Fatalf("got %v", err)
	}
}

func TestLocksAndAbnormalAreReported(t *testing.T) {
	srv, c := newEnv(t, []albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual())})
	op, err := c.Create(context.Background(), basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetBusinessStatus(op.ID(), "Abnormal", albtest.OperationLock{LockType: "FinancialLocked", LockReason: "overdue"}); err != nil {
		t.Fatal(err)
	}
	_, err = op.Wait(context.Background())
	var se *alb.StateError
	if !errors.Is(err, alb.ErrUnexpectedState) || !errors.As(err, &se) || len(se.Locks) != 1 || se.Locks[0].Type != "FinancialLocked" {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "FinancialLocked") || !strings.Contains(err.Error(), "Abnormal") {
		t.Fatalf("error %q hides the lock", err)
	}
}

func TestReleaseRestoresProtectionWhenDeleteFails(t *testing.T) {
	srv, c := newEnv(t, nil)
	ctx := context.Background()
	_, inst := createActive(t, c, basicSpec().WithDeletionProtection())
	srv.InjectFault(albtest.Fault{Action: "DeleteLoadBalancer", Code: "IncorrectBusinessStatus.LoadBalancer", Status: 400, Times: 1})
	res, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true})
	if err == nil {
		t.Fatal("release should fail")
	}
	if got := sideEffectKinds(res); !slices.Equal(got, []string{alb.SideEffectDeletionProtectionDisabled, alb.SideEffectDeletionProtectionRestored}) {
		t.Fatalf("side effects %v", got)
	}
	after, err := c.Get(ctx, inst.ID)
	if err != nil || !after.DeletionProtection {
		t.Fatalf("protection not restored: %v %v", after, err)
	}
}

func TestReleaseAlreadyGone(t *testing.T) {
	srv, c := newEnv(t, nil)
	res, err := c.Release(context.Background(), "alb-doesnotexist0000", alb.ReleaseOptions{})
	if err != nil || !res.AlreadyGone {
		t.Fatalf("got %+v %v", res, err)
	}
	if srv.Count("DeleteLoadBalancer") != 0 {
		t.Fatal("deleted a missing instance")
	}
	// Gone between the plan and the delete: the delete's not-found is success.
	ctx := context.Background()
	op, _ := c.Create(ctx, basicSpec())
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err = c.Release(ctx, inst.ID, alb.ReleaseOptions{})
	if err != nil || !res.AlreadyGone {
		t.Fatalf("second release: %+v %v", res, err)
	}
}

func TestInvalidSpecMakesNoCall(t *testing.T) {
	srv, c := newEnv(t, nil)
	bad := basicSpec()
	bad.ZoneMappings = bad.ZoneMappings[:1]
	bad.Name = "1-starts-with-digit"
	op, err := c.Create(context.Background(), bad)
	if op != nil || !errors.Is(err, alb.ErrInvalidSpec) {
		t.Fatalf("got %v %v", op, err)
	}
	var ve *alb.ValidationError
	if !errors.As(err, &ve) || !ve.Has("ZoneMappings", alb.RuleZonesMin) || !ve.Has("Name", alb.RuleNameStartLetter) {
		t.Fatalf("got %v", err)
	}
	if err := c.CreateDryRun(context.Background(), bad); !errors.Is(err, alb.ErrInvalidSpec) {
		t.Fatal(err)
	}
	if err := c.EnableReadOnly(context.Background(), "alb-x", "9bad reason"); !errors.Is(err, alb.ErrInvalidSpec) {
		t.Fatal(err)
	}
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("%d API calls for invalid input, want 0: %v", n, srv.Calls())
	}
}

func TestServiceChecksSurfaceAsAPIErrors(t *testing.T) {
	srv, c := newEnv(t, []albtest.Option{albtest.WithQuota(1)})
	ctx := context.Background()
	if err := c.CreateDryRun(ctx, basicSpec()); err != nil {
		t.Fatalf("dry run of a valid spec: %v", err)
	}
	if srv.Created() != 0 {
		t.Fatal("dry run created an instance")
	}
	// SkipPreflight: the service's own checks, not the create plan's.
	if _, err := c.Create(ctx, basicSpec(), alb.SkipPreflight()); err != nil {
		t.Fatal(err)
	}
	_, err := c.Create(ctx, basicSpec(), alb.SkipPreflight())
	var ae *alb.APIError
	if !errors.Is(err, alb.ErrQuotaExceeded) || !errors.As(err, &ae) || ae.RequestID == "" || ae.HTTPStatus != 400 || ae.Operation != "CreateLoadBalancer" {
		t.Fatalf("got %#v", err)
	}
	if n := srv.Count("CreateLoadBalancer"); n != 3 {
		t.Fatalf("quota error was retried: %d calls", n)
	}
	// A vSwitch that is too full: the service's error, not retried.
	full := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionBasic,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneK, albtest.VSwitchKFull))
	srv.SetQuota(10)
	if _, err := c.Create(ctx, full, alb.SkipPreflight()); !errors.As(err, &ae) || ae.Code != "ResourceNotEnough.VSwitchIp" {
		t.Fatalf("got %v", err)
	}
}

func TestListFollowsNextToken(t *testing.T) {
	srv, c := newEnv(t, []albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.Immediate())})
	ctx := context.Background()
	want := map[string]bool{}
	for range 5 {
		op, err := c.Create(ctx, basicSpec())
		if err != nil {
			t.Fatal(err)
		}
		want[op.ID()] = true
	}
	got := map[string]bool{}
	before := srv.Count("ListLoadBalancers") // the create plans count instances too
	for inst, err := range c.List(ctx, alb.ListFilter{VPCIDs: []string{albtest.DefaultVPCID}, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got[inst.ID] = true
	}
	if len(got) != 5 || srv.Count("ListLoadBalancers")-before != 3 {
		t.Fatalf("got %d instances in %d pages", len(got), srv.Count("ListLoadBalancers")-before)
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("missing %s", id)
		}
	}
	// Breaking out of the loop stops fetching.
	before = srv.Count("ListLoadBalancers")
	for range c.List(ctx, alb.ListFilter{PageSize: 2}) {
		break
	}
	if srv.Count("ListLoadBalancers") != before+1 {
		t.Fatal("List kept fetching after the caller stopped")
	}
}

// TestRetryBudgetProtectsAFailingRegion: with every call failing, the shared
// budget stops retries across calls.
func TestRetryBudgetProtectsAFailingRegion(t *testing.T) {
	srv, c := newEnv(t, nil, alb.WithRetryBudget(20))
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "ServiceUnavailable", Status: 503})
	var calls []int
	for range 5 {
		before := srv.Count("GetLoadBalancerAttribute")
		_, err := c.Get(context.Background(), "alb-x")
		if !strings.Contains(err.Error(), "ServiceUnavailable") {
			t.Fatal(err)
		}
		calls = append(calls, srv.Count("GetLoadBalancerAttribute")-before)
	}
	// 20 tokens at 5 per retry: 4 retries in all, then single attempts.
	total := 0
	for _, n := range calls {
		total += n
	}
	if total != 5+4 || calls[4] != 1 {
		t.Fatalf("calls per Get %v (total %d), want 9 in all and no retry at the end", calls, total)
	}
}

func TestRetriesAreLogged(t *testing.T) {
	var buf bytes.Buffer
	srv, c := newEnv(t, nil, alb.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "Throttling.User", Status: 400, Times: 1})
	_, _ = c.Get(context.Background(), "alb-x")
	line := ""
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "retrying call") {
			line = l
		}
	}
	for _, want := range []string{"action=GetLoadBalancerAttribute", "attempt=1", "delay=", "code=Throttling.User", "request_id="} {
		if !strings.Contains(line, want) {
			t.Fatalf("retry log line %q lacks %q", line, want)
		}
	}
}

// TestNoSecretLeaks runs the lifecycle and failure paths with a canary
// secret and checks every log line (debug), error and formatted value.
func TestNoSecretLeaks(t *testing.T) {
	const canary = "CANARY-s3cr3t-7f3a9d"
	const canaryToken = "CANARY-sts-token-0c1d"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := albtest.NewServer(albtest.WithAccessKey("canary-ak", canary), albtest.WithSTSCredentials("STS.canary", canary, canaryToken))
	t.Cleanup(srv.Close)
	var texts []string
	check := func(vals ...any) {
		for _, v := range vals {
			texts = append(texts, fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v))
		}
	}
	for _, opt := range []alb.Option{alb.WithAccessKey("canary-ak", canary), alb.WithSTSToken("STS.canary", canary, canaryToken)} {
		c, err := alb.NewClient(alb.WithRegion(albtest.DefaultRegion), alb.WithEndpoint(srv.Endpoint()), alb.WithProtocol("http"), opt,
			alb.WithLogger(logger), alb.WithWaitOptions(fastWait), alb.WithRetryPolicy(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		op, inst := createActive(t, c, basicSpec())
		plan, err := c.PlanRelease(ctx, inst.ID)
		check(c, op, inst, plan, err)
		res, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{})
		check(res, err)
		_, err = c.Get(ctx, "alb-missing")
		check(err)
	}
	// A wrong secret: the service's signature error must not echo it.
	bad, err := alb.NewClient(alb.WithRegion(albtest.DefaultRegion), alb.WithEndpoint(srv.Endpoint()), alb.WithProtocol("http"),
		alb.WithAccessKey("canary-ak", canary+"-wrong"), alb.WithLogger(logger), alb.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Get(context.Background(), "alb-x")
	var ae *alb.APIError
	if !errors.As(err, &ae) || ae.Code != "SignatureDoesNotMatch" {
		t.Fatalf("got %v", err)
	}
	check(bad, err)
	texts = append(texts, logs.String())
	for _, r := range srv.Requests() {
		texts = append(texts, fmt.Sprintf("%+v", r))
	}
	for _, s := range texts {
		if strings.Contains(s, canary) || strings.Contains(s, canaryToken) {
			t.Fatalf("secret leaked in: %.300s", s)
		}
	}
	if !strings.Contains(logs.String(), "action=CreateLoadBalancer") {
		t.Fatal("debug log is empty; the test would prove nothing")
	}
}

func TestConcurrentCreatesAreSafe(t *testing.T) {
	srv, c := newEnv(t, []albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.Immediate())})
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Go(func() {
			op, err := c.Create(context.Background(), basicSpec())
			if err != nil {
				t.Error(err)
				return
			}
			inst, err := op.Wait(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = inst.ID
		})
	}
	wg.Wait()
	slices.Sort(ids)
	if len(slices.Compact(ids)) != 8 || srv.Created() != 8 {
		t.Fatalf("ids %v created %d", ids, srv.Created())
	}
}

// TestPlanWarnsAboutManagedInstances: an instance tagged by Container
// Service for Kubernetes is flagged before release, as the product doc asks.
func TestPlanWarnsAboutManagedInstances(t *testing.T) {
	_, c := newEnv(t, nil)
	ctx := context.Background()
	op, err := c.Create(ctx, basicSpec().WithTag("ack.aliyun.com", "c1234"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	plan, err := c.PlanRelease(ctx, op.ID())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range plan.Warnings {
		found = found || w.Code == alb.WarningManagedByService && strings.Contains(w.Detail, "another service manages")
	}
	if !found || !strings.Contains(plan.String(), "warning:") {
		t.Fatalf("no managed-instance warning in %v", plan.Warnings)
	}
}
