// Command otel wires albkit to an OpenTelemetry SDK and shows the trace of
// an instance's lifecycle: Ensure (create, wait, enable the access log),
// then release, against the embedded emulator with a few injected faults
// (a 503 on the create, a throttle on a read), so that the retries show.
//
//	go run ./examples/otel
//	go run ./examples/otel -json   # also every span as the stdout exporter writes it
//
// albkit uses the global tracer and meter providers unless
// alb.WithTracerProvider and alb.WithMeterProvider name others, so a
// service installs its SDK once, as here, and every alb.Client follows it.
// A real service exports with OTLP (go.opentelemetry.io/otel/exporters/otlp)
// instead of the stdout exporter.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

func main() {
	jsonOut := flag.Bool("json", false, "also write every span as JSON (the stdout exporter)")
	flag.Parse()
	if err := run(os.Stdout, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// run does the lifecycle and prints its trace tree and metrics to out
// (and, with jsonOut, the stdout exporter's JSON before them).
func run(out io.Writer, jsonOut bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The OpenTelemetry SDK: the stdout exporter, and a recorder of the
	// spans to print them as a tree at the end; a manual metric reader.
	w := io.Discard
	if jsonOut {
		w = out
	}
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(w))
	if err != nil {
		return err
	}
	rec := &recorder{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter), sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) }()
	// Enabling albkit's telemetry is installing the SDK as the global
	// providers (or passing alb.WithTracerProvider(tp) and
	// alb.WithMeterProvider(mp) to alb.NewClient).
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)

	// The emulator, with faults that the client retries through.
	srv, err := albtest.Start(albtest.WithTransitions(albtest.AfterPolls(2)),
		albtest.WithFaults(
			albtest.Fault{Action: "CreateLoadBalancer", Code: "ServiceUnavailable", Status: 503, Times: 1},
			albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "Throttling.User", Status: 400, Times: 1}))
	if err != nil {
		return err
	}
	defer srv.Close()
	client, err := srv.Client() // fast waits; the global providers
	if err != nil {
		return err
	}

	// The service's own span around the lifecycle: albkit's spans nest
	// under whatever span the context carries.
	ctx, span := tp.Tracer("example/otel").Start(ctx, "lifecycle")
	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).
		WithName("albkit-otel").WithIdempotencyKey("albkit-otel-example").
		WithAccessLog("web-logs", "alb_access")
	res, err := client.Ensure(ctx, spec)
	if err == nil {
		_, err = client.Release(ctx, res.ID, alb.ReleaseOptions{})
	}
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "trace %s: %d spans\n", span.SpanContext().TraceID(), len(rec.spans()))
	printTree(out, rec.spans())
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nmetrics:")
	printMetrics(out, rm)
	return nil
}

// recorder keeps the ended spans.
type recorder struct {
	mu    sync.Mutex
	ended []sdktrace.ReadOnlySpan
}

func (r *recorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *recorder) OnEnd(s sdktrace.ReadOnlySpan) {
	r.mu.Lock()
	r.ended = append(r.ended, s)
	r.mu.Unlock()
}
func (r *recorder) Shutdown(context.Context) error   { return nil }
func (r *recorder) ForceFlush(context.Context) error { return nil }

func (r *recorder) spans() []sdktrace.ReadOnlySpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ended)
}

// printTree prints the spans as a tree in start order: name, duration and
// the attributes worth a look.
func printTree(out io.Writer, spans []sdktrace.ReadOnlySpan) {
	kids := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		kids[s.Parent().SpanID()] = append(kids[s.Parent().SpanID()], s)
	}
	for _, k := range kids {
		sort.SliceStable(k, func(i, j int) bool { return k[i].StartTime().Before(k[j].StartTime()) })
	}
	var walk func(s sdktrace.ReadOnlySpan, depth int)
	walk = func(s sdktrace.ReadOnlySpan, depth int) {
		var notes []string
		for _, kv := range s.Attributes() {
			switch kv.Key {
			case "albkit.resource.id", "albkit.attempt", "albkit.error_code", "albkit.wait.kind", "albkit.wait.polls":
				notes = append(notes, string(kv.Key[strings.LastIndexByte(string(kv.Key), '.')+1:])+"="+kv.Value.Emit())
			case "albkit.throttled":
				if kv.Value.AsBool() {
					notes = append(notes, "throttled")
				}
			}
		}
		for _, e := range s.Events() {
			notes = append(notes, e.Name+"("+attrValue(e.Attributes, "albkit.retry.reason")+")")
		}
		if s.Status().Code == codes.Error {
			notes = append(notes, "ERROR")
		}
		fmt.Fprintf(out, "%s%-*s %8s  %s\n", strings.Repeat("  ", depth), 44-2*depth, s.Name(),
			s.EndTime().Sub(s.StartTime()).Round(100*time.Microsecond), strings.Join(notes, " "))
		for _, k := range kids[s.SpanContext().SpanID()] {
			walk(k, depth+1)
		}
	}
	for _, root := range kids[trace.SpanID{}] {
		walk(root, 0)
	}
}

func attrValue(kvs []attribute.KeyValue, key attribute.Key) string {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// printMetrics prints albkit's counters by their attributes, and the
// count of its histograms.
func printMetrics(out io.Writer, rm metricdata.ResourceMetrics) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var lines []string
			label := func(set attribute.Set) string {
				var parts []string
				for _, kv := range set.ToSlice() {
					if kv.Key != "cloud.provider" && kv.Key != "cloud.region" {
						parts = append(parts, string(kv.Key[strings.LastIndexByte(string(kv.Key), '.')+1:])+"="+kv.Value.Emit())
					}
				}
				return strings.Join(parts, " ")
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%-60s %d", label(p.Attributes), p.Value))
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%-60s %d", label(p.Attributes), p.Value))
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%-60s %.2f", label(p.Attributes), p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%-60s count=%d sum=%.3fs", label(p.Attributes), p.Count, p.Sum))
				}
			}
			sort.Strings(lines)
			fmt.Fprintf(out, "  %s (%s)\n", m.Name, m.Unit)
			for _, l := range lines {
				fmt.Fprintf(out, "    %s\n", l)
			}
		}
	}
}
