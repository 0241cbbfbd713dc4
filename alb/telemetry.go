package alb

import (
	"context"
	"errors"
	"iter"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/albkit/albkit/internal/retry"
	"github.com/albkit/albkit/internal/transport"
)

// OpenTelemetry.
//
// A Client emits traces and metrics through the OpenTelemetry API: a span
// for each operation (see Client.operation), a child span for each API
// attempt (in Client.do, which every call passes through), a span for each
// wait (poll), and the metrics below. The providers are the global ones
// unless WithTracerProvider and WithMeterProvider say otherwise; the
// global ones do nothing until the service installs an SDK, and then every
// Client built before follows it.
//
// No attribute carries a credential: the values are API actions, error
// codes, request IDs, resource IDs, operation names, counts and the
// region, and a span's status describes its error with the error's text,
// which never carries one either (see the canary tests).

// InstrumentationName is the name of the tracer and the meter a Client
// gets from its providers: the instrumentation scope of albkit's spans and
// metrics.
const InstrumentationName = "github.com/albkit/albkit/alb"

// Attribute keys of albkit's spans and metrics.
const (
	attrOperation = attribute.Key("albkit.operation")   // the operation: "Create", "Rename", ...
	attrID        = attribute.Key("albkit.resource.id") // the resource it acts on
	attrAction    = attribute.Key("albkit.action")      // the API action
	attrAttempt   = attribute.Key("albkit.attempt")     // the attempt number, 1-based
	attrThrottled = attribute.Key("albkit.throttled")   // the attempt was throttled
	attrRequestID = attribute.Key("albkit.request_id")  // the service's request ID
	attrCode      = attribute.Key("albkit.error_code")  // the service's error code
	attrOutcome   = attribute.Key("albkit.outcome")     // success or error (metrics)
	attrReason    = attribute.Key("albkit.retry.reason")
	attrWaitKind  = attribute.Key("albkit.wait.kind") // create, release, wait, or the write's action
	attrWaitFor   = attribute.Key("albkit.wait.for")  // what the wait waits for, e.g. "Active"
	attrPolls     = attribute.Key("albkit.wait.polls")
	attrLast      = attribute.Key("albkit.wait.last_status")
	attrItems     = attribute.Key("albkit.bulk.items")
	attrFailed    = attribute.Key("albkit.bulk.failed")
	attrErrorType = attribute.Key("error.type")
	attrProvider  = attribute.Key("cloud.provider")
	attrRegion    = attribute.Key("cloud.region")
)

// WithTracerProvider makes the client create its spans with tp instead of
// the global tracer provider (otel.GetTracerProvider). See the package
// documentation, section OpenTelemetry.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *clientConfig) error {
		if tp == nil {
			return optionError("WithTracerProvider", "tp", "is nil (leave the option out to use the global provider)")
		}
		c.telemetry.tracerProvider = tp
		return nil
	}
}

// WithMeterProvider makes the client record its metrics with mp instead
// of the global meter provider (otel.GetMeterProvider). See the package
// documentation, section OpenTelemetry.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *clientConfig) error {
		if mp == nil {
			return optionError("WithMeterProvider", "mp", "is nil (leave the option out to use the global provider)")
		}
		c.telemetry.meterProvider = mp
		return nil
	}
}

// telemetryConfig is what the telemetry options set (nil: the global
// providers).
type telemetryConfig struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
}

// telemetry is a Client's tracer and instruments.
type telemetry struct {
	tracer trace.Tracer
	// global: the Client follows the global tracer provider (no
	// WithTracerProvider): while that is still OpenTelemetry's default
	// (no SDK installed), no span is started at all.
	global bool
	// base are the attributes of every span and measurement (provider,
	// region); metric.WithAttributes copies them.
	base []attribute.KeyValue

	calls     metric.Int64Counter     // API calls by action and outcome
	throttles metric.Int64Counter     // throttled attempts by action
	retries   metric.Int64Counter     // retries by action and reason
	budget    metric.Int64Gauge       // retry-budget tokens left
	rate      metric.Float64Gauge     // the limiter's rate per action
	waits     metric.Float64Histogram // wait durations by kind and outcome
	ops       metric.Float64Histogram // operation durations by operation and outcome
}

// newTelemetry gets the tracer and the instruments from the providers (nil:
// the global ones). The meter's errors go to otel.Handle; an instrument it
// does not return is replaced by one that records nothing.
func newTelemetry(tp trace.TracerProvider, mp metric.MeterProvider, region string) *telemetry {
	global := tp == nil
	if global {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	t := &telemetry{
		tracer: tp.Tracer(InstrumentationName),
		global: global,
		base:   []attribute.KeyValue{attrProvider.String("alibaba_cloud"), attrRegion.String(region)},
	}
	m := mp.Meter(InstrumentationName)
	var errs []error
	keep := func(err error) { errs = append(errs, err) }
	var err error
	t.calls, err = m.Int64Counter("albkit.api.calls", metric.WithUnit("{call}"),
		metric.WithDescription("API calls by action and outcome (a call's retries are one call)"))
	keep(err)
	t.throttles, err = m.Int64Counter("albkit.api.throttles", metric.WithUnit("{attempt}"),
		metric.WithDescription("API attempts the service throttled, by action"))
	keep(err)
	t.retries, err = m.Int64Counter("albkit.api.retries", metric.WithUnit("{retry}"),
		metric.WithDescription("API attempts sent again after a retryable error, by action and reason"))
	keep(err)
	t.budget, err = m.Int64Gauge("albkit.retry_budget.available", metric.WithUnit("{token}"),
		metric.WithDescription("tokens left in the client's retry budget, after each call and retry"))
	keep(err)
	t.rate, err = m.Float64Gauge("albkit.ratelimit.rate", metric.WithUnit("{call}/s"),
		metric.WithDescription("the send rate the adaptive rate limiter allows an action, once it is limited"))
	keep(err)
	t.waits, err = m.Float64Histogram("albkit.wait.duration", metric.WithUnit("s"),
		metric.WithDescription("waits for a resource's state, by kind and outcome (client clock)"),
		metric.WithExplicitBucketBoundaries(0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900))
	keep(err)
	t.ops, err = m.Float64Histogram("albkit.operation.duration", metric.WithUnit("s"),
		metric.WithDescription("albkit operations, by operation and outcome (client clock)"),
		metric.WithExplicitBucketBoundaries(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 900))
	keep(err)
	if err := errors.Join(errs...); err != nil {
		otel.Handle(err) // the SDK returns a usable instrument with its error
	}
	// A meter that returns no instrument with its error: one that does
	// nothing instead.
	var no noop.Meter
	if t.calls == nil {
		t.calls, _ = no.Int64Counter("")
	}
	if t.throttles == nil {
		t.throttles, _ = no.Int64Counter("")
	}
	if t.retries == nil {
		t.retries, _ = no.Int64Counter("")
	}
	if t.budget == nil {
		t.budget, _ = no.Int64Gauge("")
	}
	if t.rate == nil {
		t.rate, _ = no.Float64Gauge("")
	}
	if t.waits == nil {
		t.waits, _ = no.Float64Histogram("")
	}
	if t.ops == nil {
		t.ops, _ = no.Float64Histogram("")
	}
	return t
}

// noSpan is the span of an operation or attempt while no SDK is
// installed: it records nothing and costs nothing.
var noSpan = trace.SpanFromContext(context.Background())

// defaultProvider is OpenTelemetry's default global tracer provider, the
// one that delegates to the SDK installed later (otel.SetTracerProvider
// makes otel.GetTracerProvider return the SDK's instead); nil if an SDK
// was installed before this package was initialised.
var defaultProvider = func() trace.TracerProvider {
	tp := otel.GetTracerProvider()
	if t := reflect.TypeOf(tp); t.Kind() == reflect.Pointer && t.Elem().PkgPath() == "go.opentelemetry.io/otel/internal/global" {
		return tp
	}
	return nil
}()

// start starts a span, or returns noSpan and ctx unchanged while the
// Client follows the global tracer provider and that is still the default
// one (no SDK installed): the default's own non-recording spans cost three
// allocations each.
func (t *telemetry) start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if t.global && defaultProvider != nil && otel.GetTracerProvider() == defaultProvider {
		return ctx, noSpan
	}
	return t.tracer.Start(ctx, name, opts...)
}

// attrs returns the base attributes followed by kv, as one new slice.
func (t *telemetry) attrs(kv ...attribute.KeyValue) metric.MeasurementOption {
	all := make([]attribute.KeyValue, 0, len(t.base)+len(kv))
	return metric.WithAttributes(append(append(all, t.base...), kv...)...)
}

// opKey marks a context inside an albkit operation that is traced or
// measured, so that the reads an operation makes on its own (Get, List,
// FindByToken, the plans) are not operations of their own.
type opKey struct{}

// opSpan is the telemetry of one operation: its span and start. The zero
// value (no Client) does nothing. It is a value, not a pointer: an operation
// without an SDK allocates nothing of its own.
type opSpan struct {
	c     *Client
	name  string
	span  trace.Span
	start time.Time
}

// operation starts the telemetry of one albkit operation: a span named
// "alb." + name (a child of the span in ctx, if any) with the operation's
// name and resource ID, and, when it ends, the albkit.operation.duration
// metric. Every exported Client method that acts on the service calls it
// first (create, wait, release, every management operation, Ensure, bulk,
// sweep, and every new resource operation: server groups, listeners,
// rules, ...), with the method's name and the ID of the resource it acts
// on ("" when there is none yet: call setID once it is known), and ends it
// with the method's error through a named result:
//
//	func (c *Client) Rename(ctx context.Context, id, name string, opts ...WaitOption) (_ *Instance, err error) {
//		ctx, tel := c.operation(ctx, "Rename", id)
//		defer tel.end(&err)
//		...
//	}
//
// Pass the returned ctx to everything the operation does: its API calls
// (c.call, c.do: each attempt becomes a child span), its waits (poll: a
// child span) and the operations it runs (their spans nest under it). A
// method that only reads calls c.read instead, which makes no span inside
// another operation. Without an OpenTelemetry SDK it starts no span and
// allocates nothing (BenchmarkGetTelemetry).
func (c *Client) operation(ctx context.Context, name, id string) (context.Context, opSpan) {
	t := c.tel
	ctx, span := t.start(ctx, spanName(name)) // an internal span, the default kind
	if span.IsRecording() {
		span.SetAttributes(t.base...)
		span.SetAttributes(attrOperation.String(name))
		if id != "" {
			span.SetAttributes(attrID.String(id))
		}
	}
	if span.IsRecording() || t.ops.Enabled(ctx) {
		ctx = context.WithValue(ctx, opKey{}, true)
	}
	return ctx, opSpan{c: c, name: name, span: span, start: c.clock.Now()}
}

// spanNames caches "alb." + name, so that naming a span allocates only
// once per operation name.
var spanNames sync.Map // string → string

// spanName is the span name of the operation name: "alb." + name.
func spanName(name string) string {
	if v, ok := spanNames.Load(name); ok {
		return v.(string)
	}
	v, _ := spanNames.LoadOrStore(name, "alb."+name)
	return v.(string)
}

// clientSpan starts an API attempt's span: a client span. (A slice made
// once: passing it allocates nothing.)
var clientSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// read is operation for a method that only reads (Get, List, FindByToken,
// the plans): inside another recorded operation it makes no span of its
// own (its API attempts are the operation's children), on its own it is an
// operation.
func (c *Client) read(ctx context.Context, name, id string) (context.Context, opSpan) {
	if ctx.Value(opKey{}) != nil {
		return ctx, opSpan{}
	}
	return c.operation(ctx, name, id)
}

// setID records the resource ID once the operation knows it (a create).
func (o opSpan) setID(id string) {
	if o.c != nil && id != "" && o.span.IsRecording() {
		o.span.SetAttributes(attrID.String(id))
	}
}

// end ends the operation with the error *errp (nil: success): the span's
// status and error.type, and the duration metric.
func (o opSpan) end(errp *error) {
	if o.c == nil {
		return
	}
	var err error
	if errp != nil {
		err = *errp
	}
	o.finish(err, "")
}

// finish ends the operation with err, or with a failure described by msg
// when err is nil and msg is not (a bulk whose items failed).
func (o opSpan) finish(err error, msg string) {
	t := o.c.tel
	etype := errorType(err)
	if err == nil && msg != "" {
		etype = "item_failed"
	}
	if o.span.IsRecording() {
		switch {
		case err != nil:
			o.span.SetAttributes(attrErrorType.String(etype))
			o.span.SetStatus(codes.Error, err.Error())
		case msg != "":
			o.span.SetAttributes(attrErrorType.String(etype))
			o.span.SetStatus(codes.Error, msg)
		}
	}
	o.span.End()
	ctx := context.Background()
	if t.ops.Enabled(ctx) {
		d := o.c.clock.Now().Sub(o.start).Seconds()
		kv := []attribute.KeyValue{attrOperation.String(o.name), attrOutcome.String(outcomeOf(etype))}
		if etype != "" {
			kv = append(kv, attrErrorType.String(etype))
		}
		t.ops.Record(ctx, d, t.attrs(kv...))
	}
}

// traceBulk wraps the sequence of a bulk operation in its operation: the
// items run under its span, which ends when the range does, with the
// count of items and of failed ones.
func traceBulk[T any](c *Client, ctx context.Context, name string, run func(ctx context.Context) iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		ctx, tel := c.operation(ctx, name, "")
		items, failed := 0, 0
		defer func() {
			if tel.span.IsRecording() {
				tel.span.SetAttributes(attrItems.Int(items), attrFailed.Int(failed))
			}
			msg := ""
			if failed > 0 {
				msg = strconv.Itoa(failed) + " of " + strconv.Itoa(items) + " items failed"
			}
			tel.finish(nil, msg)
		}()
		for v, err := range run(ctx) {
			items++
			if err != nil {
				failed++
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// startAttempt starts the span of one API attempt, a client span named
// after the action; while it records, the answer's request ID is kept in
// hint.
func (t *telemetry) startAttempt(ctx context.Context, action string, attempt int, hint *transport.Hint) (context.Context, trace.Span) {
	ctx, span := t.start(ctx, action, clientSpan...)
	if span.IsRecording() {
		span.SetAttributes(t.base...)
		span.SetAttributes(attrAction.String(action), attrAttempt.Int(attempt))
		hint.KeepRequestID()
	}
	return ctx, span
}

// endAttempt ends the span of an attempt with its outcome, and counts a
// throttle.
func (t *telemetry) endAttempt(ctx context.Context, span trace.Span, action string, err error, throttled bool, hint *transport.Hint) {
	if span.IsRecording() {
		rid := hint.TakeRequestID()
		var ae *APIError
		if errors.As(err, &ae) {
			span.SetAttributes(attrCode.String(ae.Code))
			if ae.RequestID != "" {
				rid = ae.RequestID
			}
		}
		if rid != "" {
			span.SetAttributes(attrRequestID.String(rid))
		}
		span.SetAttributes(attrThrottled.Bool(throttled))
		if err != nil {
			span.SetAttributes(attrErrorType.String(errorType(err)))
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
	if throttled && t.throttles.Enabled(ctx) {
		t.throttles.Add(ctx, 1, t.attrs(attrAction.String(action)))
	}
}

// callDone counts a call (all its attempts) by action and outcome, and
// records the retry budget's level.
func (t *telemetry) callDone(ctx context.Context, action string, err error, budget *retry.Budget) {
	if t.calls.Enabled(ctx) {
		etype := errorType(err)
		kv := []attribute.KeyValue{attrAction.String(action), attrOutcome.String(outcomeOf(etype))}
		if etype != "" {
			kv = append(kv, attrErrorType.String(etype))
		}
		t.calls.Add(ctx, 1, t.attrs(kv...))
	}
	t.budgetLevel(ctx, budget)
}

// budgetLevel records the retry budget's tokens (nothing when the budget
// is off).
func (t *telemetry) budgetLevel(ctx context.Context, budget *retry.Budget) {
	if budget != nil && t.budget.Enabled(ctx) {
		t.budget.Record(ctx, int64(budget.Available()), t.attrs())
	}
}

// retried counts a retry and adds it as an event to the span in ctx (the
// operation's or the wait's).
func (t *telemetry) retried(ctx context.Context, e retry.Event, budget *retry.Budget) {
	if t.retries.Enabled(ctx) {
		t.retries.Add(ctx, 1, t.attrs(attrAction.String(e.Action), attrReason.String(e.Reason)))
	}
	t.budgetLevel(ctx, budget)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("retry", trace.WithAttributes(attrAction.String(e.Action), attrAttempt.Int(e.Attempt),
			attrReason.String(e.Reason), attribute.Float64("albkit.retry.delay_seconds", e.Delay.Seconds())))
	}
}

// limiterRate records the rate limiter's rate for action once it is
// limited.
func (t *telemetry) limiterRate(ctx context.Context, action string, l *RateLimiter) {
	if l == nil || l.ad == nil || !t.rate.Enabled(ctx) {
		return
	}
	if r := l.ad.Rate(action); !math.IsInf(r, 0) && !math.IsNaN(r) {
		t.rate.Record(ctx, r, t.attrs(attrAction.String(action)))
	}
}

// startWait starts the span of a wait (the one poll loop).
func (c *Client) startWait(ctx context.Context, s waitSpec) (context.Context, opSpan) {
	t := c.tel
	start := c.clock.Now()
	ctx, span := t.start(ctx, "alb.wait")
	if span.IsRecording() {
		span.SetAttributes(t.base...)
		span.SetAttributes(attrWaitKind.String(waitKind(s)), attrWaitFor.String(s.waiting))
		if s.id != "" {
			span.SetAttributes(attrID.String(s.id))
		}
	}
	return ctx, opSpan{c: c, name: "wait", span: span, start: start}
}

// endWait ends a wait's span and records its duration by kind and outcome.
func (c *Client) endWait(ctx context.Context, o opSpan, s waitSpec, polls int, last Status, err error) {
	t := c.tel
	etype := errorType(err)
	if o.span.IsRecording() {
		o.span.SetAttributes(attrPolls.Int(polls))
		if last != "" {
			o.span.SetAttributes(attrLast.String(string(last)))
		}
		if err != nil {
			o.span.SetAttributes(attrErrorType.String(etype))
			o.span.SetStatus(codes.Error, err.Error())
		}
	}
	o.span.End()
	if t.waits.Enabled(ctx) {
		kv := []attribute.KeyValue{attrWaitKind.String(waitKind(s)), attrOutcome.String(outcomeOf(etype))}
		if etype != "" {
			kv = append(kv, attrErrorType.String(etype))
		}
		t.waits.Record(ctx, c.clock.Now().Sub(o.start).Seconds(), t.attrs(kv...))
	}
}

// waitKind names a wait for spans and metrics: "create", "release",
// "wait" (WaitUntilActive), or the action of the write waited for.
func waitKind(s waitSpec) string {
	if s.op == "" {
		return "wait"
	}
	return s.op
}

// outcomeOf is "success" for an operation without an error type, else
// "error".
func outcomeOf(etype string) string {
	if etype == "" {
		return "success"
	}
	return "error"
}

// errorType names an error for the error.type attribute, with few values:
// the service's error code, or a word for albkit's own errors; "" for nil.
func errorType(err error) string {
	if err == nil {
		return ""
	}
	var (
		wt *WaitTimeoutError
		se *StateError
		ae *APIError
		ne *NetworkError
		ve *ValidationError
		re *RefusedError
		nc *NotChangeableError
		pe *PlanError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &wt):
		return "wait_timeout"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.As(err, &se):
		switch {
		case errors.Is(err, ErrCreateFailed):
			return "create_failed"
		case errors.Is(err, ErrReleased):
			return "released"
		}
		return "unexpected_state"
	case errors.As(err, &ae):
		return ae.Code
	case errors.As(err, &ne):
		if ne.Timeout() {
			return "timeout"
		}
		return "network"
	case errors.Is(err, ErrRetryBudgetExhausted):
		return "retry_budget_exhausted"
	case errors.As(err, &ve):
		return "invalid_spec"
	case errors.As(err, &re):
		return "refused"
	case errors.As(err, &nc):
		return "not_changeable"
	case errors.As(err, &pe):
		return "plan_blocked"
	case errors.Is(err, ErrInvalidArgument):
		return "invalid_argument"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	}
	return "_OTHER"
}
