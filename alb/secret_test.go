package alb_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// TestNoSecretLeaksEveryOperation extends TestNoSecretLeaks to every
// operation of the Client, bulk and sweep included, on success and under
// faults (5xx, dropped connections, auth failures), with an access key and
// with an STS token, and with a wrong secret: the canary secret and token
// appear in no log line (debug), no observer event, no error, no formatted
// value (%v %+v %#v %s of results, outcomes and errors), no OpenTelemetry
// span or metric (names, attributes, events, statuses, values) and not in
// the emulator's request log.
func TestNoSecretLeaksEveryOperation(t *testing.T) {
	const canary = "CANARY-s3cr3t-every-op-51e2"
	const canaryToken = "CANARY-sts-token-every-op-9b7c"
	var (
		logs   bytes.Buffer
		logsMu sync.Mutex
		texts  []string
		tmu    sync.Mutex
	)
	logger := slog.New(slog.NewTextHandler(secretLogWriter{&logs, &logsMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	check := func(vals ...any) {
		tmu.Lock()
		defer tmu.Unlock()
		for _, v := range vals {
			texts = append(texts, fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v))
		}
	}
	observer := func(e alb.Event) { check(e, e.Err) }
	srv := albtest.NewServer(albtest.WithAccessKey("canary-ak", canary), albtest.WithSTSCredentials("STS.canary", canary, canaryToken),
		albtest.WithRequestLogLimit(1<<20))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	otelSDK := newOtelSDK(t) // every span and metric is scanned too
	fast := append([]alb.Option{alb.WithRegion(albtest.DefaultRegion), alb.WithEndpoint(srv.Endpoint()), alb.WithProtocol("http"),
		alb.WithLogger(logger), alb.WithObserver(observer), alb.WithWaitOptions(secretWait), alb.WithRetryPolicy(fastRetry),
		alb.WithTimeouts(time.Second, 300*time.Millisecond)}, otelSDK.options()...)

	// every runs each operation once and checks all it returns.
	every := func(c *alb.Client, tag string) {
		defer func(start time.Time) { t.Logf("%s: %s", tag, time.Since(start).Round(time.Millisecond)) }(time.Now())
		spec := basicSpec().WithName("canary-"+tag).WithTag("canary", tag)
		op, err := c.Create(ctx, spec)
		check(op, err)
		var id, token string
		if op != nil {
			id, token = op.ID(), op.Token()
			inst, err := op.Wait(ctx)
			check(inst, err)
			inst, err = op.Poll(ctx)
			check(inst, err)
		}
		check(c.CreateDryRun(ctx, spec))
		rop, err := c.ResumeCreate(ctx, token+"x", &spec)
		check(rop, err)
		if rop != nil {
			inst, err := rop.Wait(ctx)
			check(inst, err)
			if inst != nil {
				_, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{})
				check(err)
			}
		}
		inst, err := c.Get(ctx, id+"-missing")
		check(inst, err)
		inst, err = c.WaitUntilActive(ctx, id)
		check(inst, err)
		for inst, err := range c.List(ctx, alb.ListFilter{Tags: []alb.Tag{{Key: "canary", Value: tag}}}) {
			check(inst, err)
		}
		inst, err = c.FindByToken(ctx, token)
		check(inst, err)
		check(c.EnableDeletionProtection(ctx, id), c.DisableDeletionProtection(ctx, id))
		check(c.EnableReadOnly(ctx, id, "frozen"), c.DisableReadOnly(ctx, id))
		// Preflight, management and convergence.
		cplan, err := c.PlanCreate(ctx, spec)
		check(cplan, err)
		check(c.CheckDomain(ctx, "canary.invalid", inst))
		for _, run := range []func() (any, error){
			func() (any, error) { return c.Rename(ctx, id, "canary-renamed") },
			func() (any, error) { return c.AddTags(ctx, id, []alb.Tag{{Key: "k", Value: "v"}}) },
			func() (any, error) { return c.RemoveTags(ctx, id, []string{"k"}) },
			func() (any, error) { return c.UpgradeEdition(ctx, id, alb.EditionStandard) },
			func() (any, error) { return c.AttachBandwidthPackage(ctx, id, albtest.DefaultBandwidthPackageID) },
			func() (any, error) { return c.DetachBandwidthPackage(ctx, id) },
			func() (any, error) { return c.EnableIPv6Internet(ctx, id) },
			func() (any, error) { return c.MoveResourceGroup(ctx, id, "rg-canary") },
			func() (any, error) {
				return c.EnableAccessLog(ctx, id, alb.AccessLog{Project: "canary-logs", Store: "access"})
			},
			func() (any, error) { return c.DisableAccessLog(ctx, id) },
			func() (any, error) { return c.AddZone(ctx, id, alb.Zone(albtest.ZoneJ, albtest.VSwitchJ)) },
			func() (any, error) { return c.RemoveZone(ctx, id, albtest.ZoneJ) },
			func() (any, error) { return c.BindEIP(ctx, id, albtest.ZoneH, albtest.EIPTraffic2) },
			func() (any, error) { return c.PlanEnsure(ctx, spec.WithIdempotencyKey("canary-ensure-"+tag)) },
			func() (any, error) { return c.Ensure(ctx, spec.WithIdempotencyKey("canary-ensure-"+tag)) },
		} {
			v, err := run()
			check(v, err)
		}
		plan, err := c.PlanRelease(ctx, id)
		check(plan, err)
		sop, err := c.StartRelease(ctx, id, alb.ReleaseOptions{IdempotencyKey: "canary-rel-" + tag})
		check(sop, err)
		if sop != nil {
			res, err := sop.Wait(ctx)
			check(res, err)
		}
		ro, err := c.ResumeRelease(ctx, id, "canary-rel-"+tag, alb.ReleaseOptions{})
		check(ro, err)
		res, err := c.Release(ctx, id, alb.ReleaseOptions{DisableDeletionProtection: true})
		check(res, err)

		var reqs []alb.ReleaseRequest
		for out, err := range c.CreateMany(ctx, []alb.InstanceSpec{spec, spec.WithName("canary-b-" + tag)}, alb.BulkOptions{
			Progress: func(p alb.BulkProgress) { check(p) },
			OnToken:  func(_ int, tok string) error { check(tok); return nil },
		}) {
			check(out, err)
			if out.ID != "" {
				reqs = append(reqs, alb.ReleaseRequest{ID: out.ID})
			}
		}
		if len(reqs) > 0 {
			reqs = reqs[:1] // the other is left for the sweep
		}
		for out, err := range c.ReleaseMany(ctx, reqs, alb.BulkOptions{}) {
			check(out, err)
		}
		for _, release := range []bool{false, true} {
			sr, err := c.Sweep(ctx, alb.SweepFilter{Tags: []alb.Tag{{Key: "canary", Value: tag}},
				Orphans: &alb.OrphanRule{MinAge: time.Nanosecond, OwnerTagKey: "owner"}}, alb.SweepOptions{Release: release})
			check(sr, err)
			if sr != nil {
				for _, it := range sr.Items {
					check(it, it.Err, it.Plan, it.Result)
				}
			}
		}
	}

	for _, cred := range []struct {
		name string
		opt  alb.Option
	}{
		{"ak", alb.WithAccessKey("canary-ak", canary)},
		{"sts", alb.WithSTSToken("STS.canary", canary, canaryToken)},
	} {
		c, err := alb.NewClient(append(fast, cred.opt)...)
		if err != nil {
			t.Fatal(err)
		}
		check(c)
		every(c, cred.name)
		for name, f := range map[string]albtest.Fault{
			"503":  {Code: "ServiceUnavailable", Status: 503, Probability: 0.5, Seed: 3},
			"drop": {DropConnection: true, Probability: 0.3, Seed: 4},
			"auth": {Code: "Forbidden.RAM", Status: 403, Message: "User not authorized to operate on the specified resource."},
			"slow": {Latency: 400 * time.Millisecond, Times: 4}, // beyond the read timeout: timeouts, retried
		} {
			id := srv.InjectFault(f)
			every(c, cred.name+"-"+name)
			srv.RemoveFault(id)
		}
	}
	// A wrong secret: the service's signature errors must not echo it.
	bad, err := alb.NewClient(append(fast, alb.WithAccessKey("canary-ak", canary+"-wrong"))...)
	if err != nil {
		t.Fatal(err)
	}
	every(bad, "wrong-secret")
	// An expired STS token.
	expired := albtest.NewServer(albtest.WithExpiredSTSCredentials("STS.expired", canary, canaryToken))
	t.Cleanup(expired.Close)
	exp, err := alb.NewClient(append(otelSDK.options(), alb.WithRegion(albtest.DefaultRegion), alb.WithEndpoint(expired.Endpoint()), alb.WithProtocol("http"),
		alb.WithLogger(logger), alb.WithObserver(observer), alb.WithWaitOptions(secretWait), alb.WithRetryPolicy(fastRetry),
		alb.WithSTSToken("STS.expired", canary, canaryToken))...)
	if err != nil {
		t.Fatal(err)
	}
	every(exp, "expired")

	// Clean up what the failure paths left, then scan everything.
	srv.ClearFaults()
	clean, err := alb.NewClient(append(fast, alb.WithAccessKey("canary-ak", canary))...)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := clean.Sweep(ctx, alb.SweepFilter{NamePrefix: "canary-"}, alb.SweepOptions{Release: true, AllowDeletionProtected: true})
	check(sr, err)
	logsMu.Lock()
	texts = append(texts, logs.String())
	logsMu.Unlock()
	for _, s := range []*albtest.Server{srv, expired} {
		for _, r := range s.Requests() {
			texts = append(texts, fmt.Sprintf("%+v", r), fmt.Sprintf("%#v", r))
		}
	}
	// Every span (name, attributes, events, status, links) and every
	// metric (names, attributes, values).
	spans := otelSDK.spans.Ended()
	var telemetry strings.Builder
	for _, sp := range spans {
		fmt.Fprintf(&telemetry, "%s %v %v %+v %+v %v\n", sp.Name(), sp.Attributes(), sp.Status(), sp.Events(), sp.Links(), sp.Resource())
	}
	fmt.Fprintf(&telemetry, "%+v\n", otelSDK.collect(t))
	texts = append(texts, telemetry.String())
	for _, s := range texts {
		if strings.Contains(s, canary) || strings.Contains(s, canaryToken) {
			t.Fatalf("secret leaked in: %.400s", s)
		}
	}
	for _, want := range []string{"alb.Create ", "alb.Ensure ", "alb.Sweep ", "alb.CreateMany ", "albkit.request_id", "SignatureDoesNotMatch",
		"InvalidSecurityToken.Expired", "Forbidden.RAM", "albkit.api.calls", "albkit.wait.duration"} {
		if !strings.Contains(telemetry.String(), want) {
			t.Errorf("the spans and metrics have no %q: the test would prove less than it claims", want)
		}
	}
	for _, want := range []string{"action=CreateLoadBalancer", "action=ListLoadBalancers", "action=DeleteLoadBalancer", "SignatureDoesNotMatch", "Forbidden.RAM", "alb: sweep"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the debug log has no %q: the test would prove less than it claims", want)
		}
	}
	if srv.Live() != 0 {
		t.Errorf("%d instances left", srv.Live())
	}
}

// secretLogWriter serialises writes to a buffer.
type secretLogWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w secretLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// secretWait bounds the waits of the failure paths.
var secretWait = alb.WaitOptions{MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 2 * time.Second}
