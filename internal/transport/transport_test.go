package transport_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/internal/transport"
)

// TestSDKUsesClientConcurrently drives the real SDK through the Client from
// many goroutines (run with -race) and checks connections are reused.
func TestSDKUsesClientConcurrently(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"R"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	hc := transport.New(time.Second, 2*time.Second)
	newCfg := func() *openapiutil.Config {
		return &openapiutil.Config{AccessKeyId: dara.String("ak"), AccessKeySecret: dara.String("sk"),
			Endpoint: dara.String(srv.Listener.Addr().String()), Protocol: dara.String("http"), HttpClient: hc}
	}
	params := &openapiutil.Params{Action: dara.String("Ping"), Version: dara.String("2020-06-16"), Protocol: dara.String("HTTPS"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"), Style: dara.String("RPC"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json")}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			api, err := openapi.NewClient(newCfg())
			if err != nil {
				t.Error(err)
				return
			}
			for range 25 {
				if _, err := api.CallApi(params, &openapiutil.OpenApiRequest{}, &dara.RuntimeOptions{}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := conns.Load(); n > 8 {
		t.Fatalf("%d connections for 100 calls from 4 goroutines: keep-alive is not reused", n)
	}
}

// TestRetryAfterReadsBothHeaders: x-acs-retry-after first, else the
// larger TimeLeft of the rate-limit headers, in milliseconds.
func TestRetryAfterReadsBothHeaders(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"X-Acs-Retry-After": {"1500"}, "X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:900,Reset:1"}}, 1500 * time.Millisecond},
		{http.Header{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:900,Reset:1"}, "X-Ratelimit-User": {"Limit:5,Remain:0,TimeLeft:1200,Reset:1"}}, 1200 * time.Millisecond},
		{http.Header{"X-Acs-Retry-After": {"soon"}}, 0},
		{http.Header{}, 0},
	} {
		got, ok := transport.RetryAfter(tc.h)
		if got != tc.want || ok != (tc.want > 0) {
			t.Errorf("RetryAfter(%v) = %v %v, want %v", tc.h, got, ok, tc.want)
		}
	}
}
