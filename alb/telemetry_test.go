package alb_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	mnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// otelSDK is an OpenTelemetry SDK with in-memory exporters: every ended
// span in spans, every metric read by reader.
type otelSDK struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newOtelSDK(t testing.TB) *otelSDK {
	t.Helper()
	o := &otelSDK{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	o.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(o.spans), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	o.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(o.reader))
	t.Cleanup(func() {
		_ = o.tp.Shutdown(context.Background())
		_ = o.mp.Shutdown(context.Background())
	})
	return o
}

// options are the client options that use the SDK.
func (o *otelSDK) options() []alb.Option {
	return []alb.Option{alb.WithTracerProvider(o.tp), alb.WithMeterProvider(o.mp)}
}

// collect reads every metric.
func (o *otelSDK) collect(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := o.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// attr returns the value of a span's attribute as a string ("" when absent).
func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// spanTree indexes ended spans by their parent.
type spanTree struct {
	all      []sdktrace.ReadOnlySpan
	children map[trace.SpanID][]sdktrace.ReadOnlySpan
}

func newSpanTree(spans []sdktrace.ReadOnlySpan) *spanTree {
	st := &spanTree{all: spans, children: map[trace.SpanID][]sdktrace.ReadOnlySpan{}}
	for _, s := range spans {
		st.children[s.Parent().SpanID()] = append(st.children[s.Parent().SpanID()], s)
	}
	for _, kids := range st.children {
		slices.SortStableFunc(kids, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	}
	return st
}

// kids returns the children of s named name ("" any), in start order.
func (st *spanTree) kids(s sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, k := range st.children[s.SpanContext().SpanID()] {
		if name == "" || k.Name() == name {
			out = append(out, k)
		}
	}
	return out
}

// one returns the only child of s named name.
func (st *spanTree) one(t *testing.T, s sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	k := st.kids(s, name)
	if len(k) != 1 {
		t.Fatalf("%s has %d children %q, want 1:\n%s", s.Name(), len(k), name, st.dump(s, ""))
	}
	return k[0]
}

// below returns every descendant of s named name, depth first.
func (st *spanTree) below(s sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, k := range st.children[s.SpanContext().SpanID()] {
		if k.Name() == name {
			out = append(out, k)
		}
		out = append(out, st.below(k, name)...)
	}
	return out
}

// dump prints the tree under s, for failure messages.
func (st *spanTree) dump(s sdktrace.ReadOnlySpan, indent string) string {
	line := fmt.Sprintf("%s%s attempt=%s throttled=%s code=%s status=%s\n", indent, s.Name(),
		attr(s, "albkit.attempt"), attr(s, "albkit.throttled"), attr(s, "albkit.error_code"), s.Status().Code)
	for _, k := range st.children[s.SpanContext().SpanID()] {
		line += st.dump(k, indent+"  ")
	}
	return line
}

// checkAttempts checks the attempt spans of one call: numbered from 1 in
// order, all but the last failed with wantCodes, the last succeeded with a
// request ID.
func checkAttempts(t *testing.T, attempts []sdktrace.ReadOnlySpan, action, region string, wantCodes ...string) {
	t.Helper()
	if len(attempts) != len(wantCodes)+1 {
		t.Fatalf("%s: %d attempts, want %d", action, len(attempts), len(wantCodes)+1)
	}
	for i, a := range attempts {
		if a.SpanKind() != trace.SpanKindClient || attr(a, "albkit.action") != action || attr(a, "cloud.region") != region ||
			attr(a, "albkit.attempt") != fmt.Sprint(i+1) || attr(a, "albkit.request_id") == "" {
			t.Errorf("%s attempt %d: kind %v, attributes %v", action, i+1, a.SpanKind(), a.Attributes())
		}
		last := i == len(attempts)-1
		switch {
		case last && (a.Status().Code == codes.Error || attr(a, "albkit.error_code") != "" || attr(a, "albkit.throttled") != "false"):
			t.Errorf("%s: last attempt %v %v", action, a.Status(), a.Attributes())
		case !last:
			code := wantCodes[i]
			throttled := fmt.Sprint(strings.HasPrefix(code, "Throttling"))
			if a.Status().Code != codes.Error || attr(a, "albkit.error_code") != code || attr(a, "error.type") != code || attr(a, "albkit.throttled") != throttled {
				t.Errorf("%s attempt %d: status %v, attributes %v; want code %s, throttled %s", action, i+1, a.Status(), a.Attributes(), code, throttled)
			}
		}
	}
}

// A create, wait and release under injected faults (a 503 on the create,
// a throttle on the final read, a 503 on the delete), on the manual clock:
// one span per operation, the wait's span under the wait, one client span
// per API attempt with its action, region, attempt number, error code,
// throttling and request ID, retries as events, and the tree as the calls
// were made.
func TestTelemetrySpansOfALifecycleUnderFaults(t *testing.T) {
	o := newOtelSDK(t)
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithMaxSkew(1000*time.Hour),
		albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(90*time.Second)))
	t.Cleanup(srv.Close)
	c, err := srv.Client(o.options()...)
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", Code: "ServiceUnavailable", Status: 503, Times: 1})
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "Throttling.User", Status: 400, Times: 1})
	srv.InjectFault(albtest.Fault{Action: "DeleteLoadBalancer", Code: "ServiceUnavailable", Status: 503, Times: 1})

	tracer := o.tp.Tracer("test")
	ctx, root := tracer.Start(context.Background(), "lifecycle")
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	root.End()

	st := newSpanTree(o.spans.Ended())
	var top sdktrace.ReadOnlySpan
	for _, s := range st.all {
		if s.Name() == "lifecycle" {
			top = s
		}
	}
	if got := namesOf(st.kids(top, "")); !slices.Equal(got, []string{"alb.Create", "alb.CreateOperation.Wait", "alb.Release"}) {
		t.Fatalf("operations %v:\n%s", got, st.dump(top, ""))
	}
	region := albtest.DefaultRegion
	for _, s := range st.kids(top, "") {
		if attr(s, "albkit.resource.id") != inst.ID || attr(s, "cloud.region") != region || s.Status().Code == codes.Error ||
			attr(s, "albkit.operation") != strings.TrimPrefix(s.Name(), "alb.") {
			t.Errorf("%s: status %v, attributes %v", s.Name(), s.Status(), s.Attributes())
		}
	}
	// Create: its plan's reads, then CreateLoadBalancer twice (503, then
	// the same token accepted); the retry is an event of the operation.
	create := st.one(t, top, "alb.Create")
	checkAttempts(t, st.kids(create, "CreateLoadBalancer"), "CreateLoadBalancer", region, "ServiceUnavailable")
	if ev := eventNamed(create, "retry"); ev == nil || !hasAttr(ev.Attributes, "albkit.retry.reason", "ServiceUnavailable") {
		t.Errorf("Create's retry event: %v", create.Events())
	}
	if n := len(st.kids(create, "")); n < 3 {
		t.Errorf("Create has %d children, want its plan's reads too:\n%s", n, st.dump(create, ""))
	}
	// Wait: one wait span (kind create, the polls, the last status), under
	// it the shared polls and the final read (throttled once, then read).
	wait := st.one(t, st.one(t, top, "alb.CreateOperation.Wait"), "alb.wait")
	if attr(wait, "albkit.wait.kind") != "create" || attr(wait, "albkit.wait.for") != "Active" || attr(wait, "albkit.wait.last_status") != "Active" ||
		attr(wait, "albkit.resource.id") != inst.ID || attr(wait, "albkit.wait.polls") < "1" || wait.Status().Code == codes.Error {
		t.Errorf("wait span: %v %v", wait.Status(), wait.Attributes())
	}
	polls := st.kids(wait, "ListLoadBalancers")
	if len(polls) < 2 {
		t.Errorf("%d shared polls, want Provisioning then Active:\n%s", len(polls), st.dump(wait, ""))
	}
	for _, p := range polls {
		checkAttempts(t, []sdktrace.ReadOnlySpan{p}, "ListLoadBalancers", region)
	}
	checkAttempts(t, st.kids(wait, "GetLoadBalancerAttribute"), "GetLoadBalancerAttribute", region, "Throttling.User")
	if ev := eventNamed(wait, "retry"); ev == nil || !hasAttr(ev.Attributes, "albkit.retry.reason", "throttled") {
		t.Errorf("the wait's retry event: %v", wait.Events())
	}
	// Release: StartRelease (its plan's reads, the delete twice), then the
	// release's wait.
	release := st.one(t, top, "alb.Release")
	start := st.one(t, release, "alb.StartRelease")
	checkAttempts(t, st.kids(start, "DeleteLoadBalancer"), "DeleteLoadBalancer", region, "ServiceUnavailable")
	// The plan's reads: the create's complete read reused, checked with the
	// instance's jobs and its listing (readreuse.go).
	if len(st.kids(start, "ListAsynJobs")) == 0 || len(st.kids(start, "ListLoadBalancers")) == 0 {
		t.Errorf("the release plan's reads are not children of StartRelease:\n%s", st.dump(start, ""))
	}
	rwait := st.one(t, st.one(t, release, "alb.ReleaseOperation.Wait"), "alb.wait")
	if attr(rwait, "albkit.wait.kind") != "release" || attr(rwait, "albkit.wait.for") != "released" || rwait.Status().Code == codes.Error {
		t.Errorf("release wait span: %v %v", rwait.Status(), rwait.Attributes())
	}
	// Reads inside an operation make no span of their own.
	for _, name := range []string{"alb.Get", "alb.List", "alb.PlanRelease", "alb.PlanCreate", "alb.FindByToken"} {
		if n := len(st.below(top, name)); n != 0 {
			t.Errorf("%d %s spans inside the operations", n, name)
		}
	}
	// Every attempt span is a client span under an albkit span.
	for _, s := range st.all {
		if s.SpanKind() == trace.SpanKindClient && !strings.HasPrefix(parentName(st, s), "alb.") {
			t.Errorf("attempt %s under %q", s.Name(), parentName(st, s))
		}
	}
}

// A read on its own is an operation: one span and its attempts; a failed
// operation's span says why.
func TestTelemetryReadsAndFailures(t *testing.T) {
	o := newOtelSDK(t)
	srv, c := newEnv(t, nil, o.options()...)
	ctx := context.Background()
	if _, err := c.Get(ctx, "alb-doesnotexist"); !errors.Is(err, alb.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := c.Rename(ctx, "alb-doesnotexist", "new-name"); err == nil {
		t.Fatal("renamed a missing instance")
	}
	srv.InjectFault(albtest.Fault{Action: "ListLoadBalancers", DropConnection: true, Times: 1})
	for _, err := range c.List(ctx, alb.ListFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := newSpanTree(o.spans.Ended())
	roots := st.children[trace.SpanID{}]
	if got := namesOf(roots); !slices.Equal(got, []string{"alb.Get", "alb.Rename", "alb.List"}) {
		t.Fatalf("roots %v", got)
	}
	get := roots[0]
	if get.Status().Code != codes.Error || attr(get, "error.type") != "ResourceNotFound.LoadBalancer" || attr(get, "albkit.resource.id") != "alb-doesnotexist" {
		t.Errorf("Get: %v %v", get.Status(), get.Attributes())
	}
	if a := st.kids(get, "GetLoadBalancerAttribute"); len(a) != 1 || attr(a[0], "albkit.error_code") != "ResourceNotFound.LoadBalancer" ||
		attr(a[0], "albkit.request_id") == "" || attr(a[0], "albkit.attempt") != "1" || a[0].Status().Code != codes.Error {
		t.Errorf("Get's attempts:\n%s", st.dump(get, ""))
	}
	rename := roots[1]
	if rename.Status().Code != codes.Error || attr(rename, "error.type") != "ResourceNotFound.LoadBalancer" || len(st.below(rename, "alb.Get")) != 0 {
		t.Errorf("Rename: %v %v\n%s", rename.Status(), rename.Attributes(), st.dump(rename, ""))
	}
	list := roots[2]
	attempts := st.kids(list, "ListLoadBalancers")
	if list.Status().Code == codes.Error || len(attempts) != 2 || attr(attempts[0], "error.type") != "network" || attr(attempts[0], "albkit.request_id") != "" {
		t.Errorf("List:\n%s%v", st.dump(list, ""), attempts[0].Attributes())
	}
	// A validation failure ends the span with its type, before any call.
	if _, err := c.Create(ctx, alb.InstanceSpec{}); err == nil {
		t.Fatal("created an empty spec")
	}
	ended := o.spans.Ended()
	last := ended[len(ended)-1]
	if last.Name() != "alb.Create" || attr(last, "error.type") != "invalid_spec" || last.Status().Code != codes.Error {
		t.Errorf("refused create: %s %v %v", last.Name(), last.Status(), last.Attributes())
	}
}

// The metrics after a known sequence on the manual clock: calls by action
// and outcome, throttles, retries, the retry budget, the limiter's rate of
// the throttled action, waits by kind and operations by name.
func TestTelemetryMetricsAfterAKnownSequence(t *testing.T) {
	o := newOtelSDK(t)
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithMaxSkew(1000*time.Hour),
		albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(90*time.Second)),
		albtest.WithTransition(albtest.PhaseDeleting, albtest.AfterDuration(30*time.Second)))
	t.Cleanup(srv.Close)
	// A limiter that keeps every cut: the first throttle limits the action.
	lim := mustLimiter(t, alb.AdaptiveOptions{Clock: clk, KeepEveryCut: true})
	c, err := srv.Client(append(o.options(), alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: 5}), alb.WithRateLimiter(lim))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", Code: "ServiceUnavailable", Status: 503, Times: 1})
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "Throttling.User", Status: 400, Times: 1})
	op, err := c.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A read that fails five times: four retries of 5 tokens spent.
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "ServiceUnavailable", Status: 503, Times: 5})
	if _, err := c.Get(ctx, inst.ID); !errors.As(err, new(*alb.MaxAttemptsError)) {
		t.Fatalf("Get under five 503s: %v", err)
	}
	if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}

	rm := o.collect(t)
	for _, want := range []struct {
		name  string
		attrs map[string]string
		value int64
	}{
		{"albkit.api.calls", map[string]string{"albkit.action": "CreateLoadBalancer", "albkit.outcome": "success"}, 1},
		{"albkit.api.calls", map[string]string{"albkit.action": "CreateLoadBalancer", "albkit.outcome": "error"}, 0},
		{"albkit.api.calls", map[string]string{"albkit.action": "GetLoadBalancerAttribute", "albkit.outcome": "error", "error.type": "ServiceUnavailable"}, 1},
		{"albkit.api.calls", map[string]string{"albkit.action": "DeleteLoadBalancer", "albkit.outcome": "success", "cloud.region": albtest.DefaultRegion}, 1},
		{"albkit.api.throttles", map[string]string{"albkit.action": "GetLoadBalancerAttribute"}, 1},
		{"albkit.api.throttles", map[string]string{"albkit.action": "CreateLoadBalancer"}, 0},
		{"albkit.api.retries", map[string]string{"albkit.action": "CreateLoadBalancer", "albkit.retry.reason": "ServiceUnavailable"}, 1},
		{"albkit.api.retries", map[string]string{"albkit.action": "GetLoadBalancerAttribute", "albkit.retry.reason": "throttled"}, 1},
		{"albkit.api.retries", map[string]string{"albkit.action": "GetLoadBalancerAttribute", "albkit.retry.reason": "ServiceUnavailable"}, 4},
		{"albkit.api.retries", map[string]string{"albkit.action": "DeleteLoadBalancer"}, 0},
	} {
		if got := sumInt(t, rm, want.name, want.attrs); got != want.value {
			t.Errorf("%s%v = %d, want %d", want.name, want.attrs, got, want.value)
		}
	}
	// The budget: the create's retry was paid back by its success; the
	// failed read's four retries cost 20 of 500 tokens, and the calls after
	// it gave one back each.
	budget := gaugeInt(t, rm, "albkit.retry_budget.available", nil)
	if budget < 480 || budget >= 500 {
		t.Errorf("retry budget %d, want 480 plus the refunds of the calls since", budget)
	}
	// The throttled action's rate, once limited; no other action is.
	rates := gaugeFloat(rm, "albkit.ratelimit.rate")
	if r, ok := rates["GetLoadBalancerAttribute"]; !ok || !(r > 0) || math.IsInf(r, 0) || r != lim.Rate("GetLoadBalancerAttribute") {
		t.Errorf("limiter rates %v: want GetLoadBalancerAttribute's %v", rates, lim.Rate("GetLoadBalancerAttribute"))
	}
	if len(rates) != 1 {
		t.Errorf("limiter rates %v: only the throttled action is limited", rates)
	}
	// Waits by kind, timed on the client's clock: the create's 90 s of
	// Provisioning, the release's 30 s of Deleting.
	for kind, minSec := range map[string]float64{"create": 90, "release": 30} {
		n, sum := histogram(t, rm, "albkit.wait.duration", map[string]string{"albkit.wait.kind": kind, "albkit.outcome": "success"})
		if n != 1 || sum < minSec || sum > minSec+60 {
			t.Errorf("wait %s: %d waits, %.1f s; want one of about %.0f s", kind, n, sum, minSec)
		}
	}
	for name, want := range map[string]uint64{"Create": 1, "CreateOperation.Wait": 1, "Release": 1, "StartRelease": 1, "ReleaseOperation.Wait": 1, "Get": 1} {
		if n, _ := histogram(t, rm, "albkit.operation.duration", map[string]string{"albkit.operation": name}); n != want {
			t.Errorf("operation %s: %d, want %d", name, n, want)
		}
	}
	if n, _ := histogram(t, rm, "albkit.operation.duration", map[string]string{"albkit.operation": "Get", "albkit.outcome": "error", "error.type": "ServiceUnavailable"}); n != 1 {
		t.Errorf("the failed Get is not recorded as such")
	}
}

// A Client without providers uses the global ones, which do nothing until
// the service installs an SDK; a nil provider is refused.
func TestTelemetryOptions(t *testing.T) {
	for _, opt := range []alb.Option{alb.WithTracerProvider(nil), alb.WithMeterProvider(nil)} {
		_, err := alb.NewClient(alb.WithRegion("cn-hangzhou"), alb.WithAccessKey("a", "b"), opt)
		var ae *alb.ArgumentError
		if !errors.As(err, &ae) || !errors.Is(err, alb.ErrInvalidArgument) {
			t.Errorf("nil provider: %v", err)
		}
	}
}

func namesOf(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

func parentName(st *spanTree, s sdktrace.ReadOnlySpan) string {
	for _, p := range st.all {
		if p.SpanContext().SpanID() == s.Parent().SpanID() {
			return p.Name()
		}
	}
	return ""
}

func eventNamed(s sdktrace.ReadOnlySpan, name string) *sdktrace.Event {
	for _, e := range s.Events() {
		if e.Name == name {
			return &e
		}
	}
	return nil
}

func hasAttr(kvs []attribute.KeyValue, key, value string) bool {
	for _, kv := range kvs {
		if string(kv.Key) == key && kv.Value.Emit() == value {
			return true
		}
	}
	return false
}

// matches reports whether the set has every attribute of want.
func matches(set attribute.Set, want map[string]string) bool {
	for k, v := range want {
		got, ok := set.Value(attribute.Key(k))
		if !ok || got.Emit() != v {
			return false
		}
	}
	return true
}

// findMetric returns the metric called name.
func findMetric(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// sumInt adds the points of a counter whose attributes match want.
func sumInt(t *testing.T, rm metricdata.ResourceMetrics, name string, want map[string]string) int64 {
	t.Helper()
	m, ok := findMetric(rm, name)
	if !ok {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is %T", name, m.Data)
	}
	var n int64
	for _, p := range sum.DataPoints {
		if matches(p.Attributes, want) {
			n += p.Value
		}
	}
	return n
}

// gaugeInt returns the value of an int gauge whose attributes match want.
func gaugeInt(t *testing.T, rm metricdata.ResourceMetrics, name string, want map[string]string) int64 {
	t.Helper()
	m, ok := findMetric(rm, name)
	if !ok {
		t.Fatalf("no %s", name)
	}
	g := m.Data.(metricdata.Gauge[int64])
	for _, p := range g.DataPoints {
		if matches(p.Attributes, want) {
			return p.Value
		}
	}
	t.Fatalf("no %s%v", name, want)
	return 0
}

// gaugeFloat returns a float gauge's values by action.
func gaugeFloat(rm metricdata.ResourceMetrics, name string) map[string]float64 {
	out := map[string]float64{}
	if m, ok := findMetric(rm, name); ok {
		for _, p := range m.Data.(metricdata.Gauge[float64]).DataPoints {
			a, _ := p.Attributes.Value("albkit.action")
			out[a.Emit()] = p.Value
		}
	}
	return out
}

// histogram returns the count and sum of a histogram's points whose
// attributes match want.
func histogram(t *testing.T, rm metricdata.ResourceMetrics, name string, want map[string]string) (uint64, float64) {
	t.Helper()
	m, ok := findMetric(rm, name)
	if !ok {
		t.Fatalf("no %s", name)
	}
	var n uint64
	var sum float64
	for _, p := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		if matches(p.Attributes, want) {
			n += p.Count
			sum += p.Sum
		}
	}
	return n, sum
}

// A Client built without providers follows the global ones: nothing while
// no SDK is installed, then every span and metric once the service installs
// one, also for a Client built before (the test runs in a process of its
// own, as it sets the global providers).
func TestTelemetryFollowsTheGlobalProviders(t *testing.T) {
	if os.Getenv("ALBKIT_TEST_OTEL_GLOBAL") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTelemetryFollowsTheGlobalProviders$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ALBKIT_TEST_OTEL_GLOBAL=1")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "PASS") {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	o := newOtelSDK(t)
	_, before := newEnv(t, nil) // no provider options: the global ones
	ctx := context.Background()
	if _, err := before.Get(ctx, "alb-missing1"); !errors.Is(err, alb.ErrNotFound) {
		t.Fatal(err)
	}
	otel.SetTracerProvider(o.tp)
	otel.SetMeterProvider(o.mp)
	if n := len(o.spans.Ended()); n != 0 {
		t.Fatalf("%d spans before the SDK was installed", n)
	}
	_, after := newEnv(t, nil)
	for _, c := range []*alb.Client{before, after} {
		if _, err := c.Get(ctx, "alb-missing2"); !errors.Is(err, alb.ErrNotFound) {
			t.Fatal(err)
		}
	}
	st := newSpanTree(o.spans.Ended())
	if got := namesOf(st.children[trace.SpanID{}]); !slices.Equal(got, []string{"alb.Get", "alb.Get"}) {
		t.Fatalf("root spans %v", got)
	}
	for _, get := range st.children[trace.SpanID{}] {
		if len(st.kids(get, "GetLoadBalancerAttribute")) != 1 || attr(get, "albkit.resource.id") != "alb-missing2" {
			t.Errorf("%s: %v\n%s", get.Name(), get.Attributes(), st.dump(get, ""))
		}
	}
	// The metrics count the calls made after the SDK was installed (the
	// global meter drops what came before).
	if n := sumInt(t, o.collect(t), "albkit.api.calls", map[string]string{"albkit.action": "GetLoadBalancerAttribute"}); n != 2 {
		t.Errorf("%d calls counted, want 2", n)
	}
}

// refusingMeter returns no instrument, with an error, for every counter
// and histogram (as a custom meter may): the Client records nothing
// through them and works on.
type refusingMeter struct{ mnoop.Meter }

func (refusingMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return nil, errors.New("refused")
}

func (refusingMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return nil, errors.New("refused")
}

type refusingProvider struct{ mnoop.MeterProvider }

func (refusingProvider) Meter(string, ...metric.MeterOption) metric.Meter { return refusingMeter{} }

func TestTelemetryMeterRefusingInstruments(t *testing.T) {
	_, c := newEnv(t, nil, alb.WithMeterProvider(refusingProvider{}))
	if _, err := c.Create(context.Background(), basicSpec()); err != nil {
		t.Fatal(err)
	}
}
