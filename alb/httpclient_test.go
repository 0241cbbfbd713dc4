package alb_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// countingTransport counts the requests it carries, by API version (one
// per product).
type countingTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    int
	by   map[string]int
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	v := r.Header.Get("x-acs-version")
	if vs := r.Header["x-acs-version"]; len(vs) > 0 { // the SDK sets it uncanonicalised
		v = vs[0]
	}
	if v == "" {
		v = r.URL.Query().Get("Version")
	}
	t.mu.Lock()
	t.n++
	if t.by == nil {
		t.by = map[string]int{}
	}
	t.by[v]++
	t.mu.Unlock()
	return t.next.RoundTrip(r)
}

func (t *countingTransport) counts() (int, map[string]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	by := map[string]int{}
	for k, v := range t.by {
		by[k] = v
	}
	return t.n, by
}

// darraClient is a darabonba-openapi HttpClient (openapiutil.Config's
// HttpClient) over an *http.Client.
type daraClient struct{ hc *http.Client }

func (d daraClient) Call(r *http.Request, _ *http.Transport) (*http.Response, error) {
	return d.hc.Do(r)
}

// Issue 17 item 6: the caller's HTTP client carries every request of every
// product (ALB, VPC, WAF, ResourceManager), given with WithHTTPClient or as
// the HttpClient of WithOpenAPIConfig's config.
func TestCallersHTTPClientCarriesEveryRequest(t *testing.T) {
	for _, how := range []string{"WithHTTPClient", "WithOpenAPIConfig"} {
		t.Run(how, func(t *testing.T) {
			srv := albtest.NewServer()
			defer srv.Close()
			ct := &countingTransport{next: &http.Transport{}}
			hc := &http.Client{Transport: ct}
			cfg := srv.Config()
			var opt alb.Option
			if how == "WithHTTPClient" {
				opt = alb.WithHTTPClient(hc)
			} else {
				cfg.HttpClient = daraClient{hc}
			}
			opts := []alb.Option{alb.WithOpenAPIConfig(cfg), alb.WithWaitOptions(fastWait), alb.WithRetryPolicy(fastRetry)}
			if opt != nil {
				opts = append(opts, opt)
			}
			c, err := alb.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandardWithWAF, twoZones()...)
			op, err := c.Create(ctx, spec) // the plan reads ALB, VPC, WAF 3.0, WAF 2.0 and ResourceManager
			if err != nil {
				t.Fatal(err)
			}
			inst, err := op.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil { // DescribeEipAddresses (VPC)
				t.Fatal(err)
			}
			n, by := ct.counts()
			if n == 0 || n != srv.TotalCalls() {
				t.Fatalf("the caller's client carried %d requests, the server answered %d", n, srv.TotalCalls())
			}
			for _, v := range []string{albtest.VersionALB, albtest.VersionVPC, albtest.VersionWAF3, albtest.VersionWAF2, albtest.VersionResourceManager} {
				if by[v] == 0 {
					t.Errorf("no request of version %s through the caller's client (%v)", v, by)
				}
			}
		})
	}
}
