package alb_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

type traceKey struct{}

// logRecord is one record a recordingHandler saw.
type logRecord struct {
	level slog.Level
	msg   string
	trace any // the trace value of the context the record was logged with
	attrs map[string]string
}

// recordingHandler keeps every record with the trace value of its context.
type recordingHandler struct {
	mu      sync.Mutex
	records []logRecord
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordingHandler) Handle(ctx context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message, trace: ctx.Value(traceKey{}), attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool { rec.attrs[a.Key] = a.Value.String(); return true })
	h.mu.Lock()
	h.records = append(h.records, rec)
	h.mu.Unlock()
	return nil
}

func (h *recordingHandler) all() []logRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]logRecord(nil), h.records...)
}

// Issue 17 item 8: every log record carries the caller's context (so a
// handler can add its trace ID), retries and give-ups included.
func TestLogRecordsCarryTheCallersContext(t *testing.T) {
	h := &recordingHandler{}
	srv := albtest.NewServer(albtest.WithFaults(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "ServiceUnavailable", Status: 503, Times: 1}))
	defer srv.Close()
	c2, err := srv.Client(alb.WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), traceKey{}, "trace-1")
	op, err := c2.Create(ctx, basicSpec())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c2.Get(ctx, "alb-doesnotexist0000") // a give-up
	if _, err := c2.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Sweep(ctx, alb.SweepFilter{NamePrefix: "none-"}, alb.SweepOptions{}); err != nil {
		t.Fatal(err)
	}
	recs := h.all()
	msgs := map[string]bool{}
	for _, r := range recs {
		msgs[r.msg] = true
		if r.trace != "trace-1" {
			t.Errorf("record %q (%s) logged without the caller's context", r.msg, r.level)
		}
	}
	for _, m := range []string{"alb: call", "alb: retrying call", "alb: call failed", "alb: create accepted", "alb: instance active", "alb: instance released", "alb: sweep"} {
		if !msgs[m] {
			t.Errorf("no %q record among %d", m, len(recs))
		}
	}
}

// Issue 17 item 8: a not-found answer is an expected one: the give-up is
// logged at debug, not warn; another give-up is still a warning.
func TestNotFoundLoggedAtDebug(t *testing.T) {
	h := &recordingHandler{}
	srv := albtest.NewServer()
	defer srv.Close()
	c, err := srv.Client(alb.WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Get(ctx, "alb-doesnotexist0000"); !errors.Is(err, alb.ErrNotFound) {
		t.Fatalf("Get = %v", err)
	}
	seen := false
	for _, r := range h.all() {
		if r.msg == "alb: call failed" && r.attrs["give_up"] != "" {
			seen = true
			if r.level != slog.LevelDebug {
				t.Errorf("not-found give-up logged at %s, want DEBUG", r.level)
			}
		}
	}
	if !seen {
		t.Fatal("no give-up record for the not-found answer")
	}
	srv.InjectFault(albtest.Fault{Action: "GetLoadBalancerAttribute", Code: "Forbidden.RAM", Status: 403, Times: 1})
	_, _ = c.Get(ctx, "alb-doesnotexist0000")
	warned := false
	for _, r := range h.all() {
		warned = warned || r.msg == "alb: call failed" && r.level == slog.LevelWarn
	}
	if !warned {
		t.Fatal("an authorisation failure's give-up is not a warning")
	}
}

// Issue 17 item 8: the deletion-protection refusal says its reason once.
func TestDeletionProtectionRefusalSaysItOnce(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	inst := mustActive(t, c, basicSpec().WithDeletionProtection())
	_, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{})
	if !errors.Is(err, alb.ErrDeletionProtected) {
		t.Fatalf("Release = %v, want ErrDeletionProtected", err)
	}
	if n := strings.Count(strings.ToLower(err.Error()), "deletion protection is enabled"); n != 1 {
		t.Fatalf("the refusal says its reason %d times: %q", n, err)
	}
	if !strings.Contains(err.Error(), "DisableDeletionProtection") {
		t.Fatalf("the refusal says nothing of what to do: %q", err)
	}
	if srv.Count("DeleteLoadBalancer") != 0 {
		t.Fatal("DeleteLoadBalancer sent")
	}
}
