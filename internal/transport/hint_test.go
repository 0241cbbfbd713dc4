package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/transport"
)

// A Hint keeps the request ID of the answers (any status) only once asked
// to, and the retry delay of error answers; each take clears its value.
func TestHintKeepsRequestIDWhenAsked(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-acs-request-id", "RID-"+r.URL.Query().Get("n"))
		if status != http.StatusOK {
			w.Header().Set("x-acs-retry-after", "250")
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	c := transport.Hinting(transport.New(time.Second, time.Second))
	var h transport.Hint
	ctx := transport.WithHint(context.Background(), &h)
	send := func(n string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/?n="+n, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Call(req, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
	}
	send("1")
	if id := h.TakeRequestID(); id != "" {
		t.Fatalf("request ID %q kept before KeepRequestID", id)
	}
	h.KeepRequestID()
	send("2")
	if id := h.TakeRequestID(); id != "RID-2" {
		t.Fatalf("request ID %q, want RID-2", id)
	}
	if id := h.TakeRequestID(); id != "" {
		t.Fatalf("a second take gave %q", id)
	}
	status = http.StatusBadRequest
	send("3")
	if id, d := h.TakeRequestID(), h.Take(); id != "RID-3" || d != 250*time.Millisecond {
		t.Fatalf("error answer: request ID %q, delay %s", id, d)
	}
}
