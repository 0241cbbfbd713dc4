package albtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// lockedBuffer is a log sink the server goroutines and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// opPanicForTest is an operation with a bug.
func opPanicForTest(s *Server, c *call) (any, *apiError) {
	var m map[string]int
	m["boom"]++ // assignment to entry in nil map
	return nil, nil
}

// TestHandlerPanic checks that a panicking operation answers 500
// InternalError in the service's error body, logs its stack, releases the
// server lock and does not keep its ClientToken.
func TestHandlerPanic(t *testing.T) {
	var logs lockedBuffer
	srv := NewServer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	defer srv.Close()
	srv.routes["PanicForTest"] = map[string]*route{VersionALB: {action: "PanicForTest", prod: prodALB, fn: opPanicForTest, idempotent: true}}
	oc := srv.OpenAPIClient()
	params := &openapiutil.Params{
		Action: dara.String("PanicForTest"), Version: dara.String(VersionALB), Protocol: dara.String("HTTP"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	req := &openapiutil.OpenApiRequest{Query: map[string]*string{"ClientToken": dara.String("panic-token")}}
	for i := 0; i < 2; i++ { // the second call must not see IdempotenceProcessing
		_, err := oc.CallApi(params, req, &dara.RuntimeOptions{Autoretry: dara.Bool(false)})
		var se *tea.SDKError
		if !errors.As(err, &se) || dara.StringValue(se.Code) != "InternalError" || dara.IntValue(se.StatusCode) != 500 {
			t.Fatalf("call %d: want 500 InternalError, got %v", i, err)
		}
		var body map[string]string
		if err := json.Unmarshal([]byte(dara.StringValue(se.Data)), &body); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
			if body[k] == "" {
				t.Fatalf("error body lacks %s: %v", k, body)
			}
		}
	}
	log := logs.String()
	for _, want := range []string{"operation panicked", "action=PanicForTest", "assignment to entry in nil map", "opPanicForTest", "panic_internal_test.go"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if n := strings.Count(log, "operation panicked"); n != 2 {
		t.Errorf("%d panics logged, want 2", n)
	}
	// The lock was released: an ordinary call still works.
	if _, err := srv.ALBClient().DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
}

// TestEarlyAnswerHoldsTheLogWindow: a small answer is sent before its request is
// recorded, with the log window held for reading until the record, so that a reader of
// the log started after the client has the answer still finds the request.
func TestEarlyAnswerHoldsTheLogWindow(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	readers := make(chan chan bool, 2) // one per early answer, once its reader waits
	afterFlushHook = func(s *Server, requestID string) {
		if s != srv {
			return
		}
		if s.logWindow.TryLock() {
			s.logWindow.Unlock()
			t.Error("log window not held between answer and record")
		}
		// A reader started now (the client has the answer) sees the request: it
		// waits at the window for the record. It is waiting once a new reader of
		// the window is refused (a pending Lock blocks RLock).
		done := make(chan bool, 1)
		go func() {
			ok := false
			for _, r := range s.Requests() {
				ok = ok || r.RequestID == requestID
			}
			done <- ok
		}()
		for s.logWindow.TryRLock() {
			s.logWindow.RUnlock()
			select {
			case ok := <-done:
				t.Error("a reader of the log returned between answer and record")
				done <- ok
				readers <- done
				return
			default:
			}
			runtime.Gosched()
		}
		readers <- done
	}
	defer func() { afterFlushHook = nil }()
	if _, err := srv.ALBClient().DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ALBClient().GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String("alb-missing")}); err == nil {
		t.Fatal("no error for an unknown instance")
	}
	for i := range 2 { // the hook may still run after the client has the answer
		if !<-<-readers {
			t.Errorf("reader %d, started inside the window, did not find its request", i)
		}
	}
	if !srv.logWindow.TryLock() {
		t.Fatal("log window still held after the requests")
	}
	srv.logWindow.Unlock()
}
