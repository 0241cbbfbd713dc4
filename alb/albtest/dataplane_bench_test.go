package albtest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/internal/acs"
	"github.com/albkit/albkit/routing"
)

// The data plane against net/http/httputil.ReverseProxy: the same backend
// (a 64-byte answer), the same requests (GET /bench with a Host header) from
// the same kind of client (kept-alive connections), interleaved request by
// request so that load on the machine hits both alike. The data plane's
// listener has 100 rules: 99 that do not match (Host and Path conditions)
// ahead of the one that does. Figures and commands: BENCHMARKS.md,
// section 7.

// benchTargets are the two proxies and their clients.
type benchTargets struct {
	bare, dp string // base URLs
	host     string
}

func newBenchTargets(b *testing.B) *benchTargets {
	b.Helper()
	payload := strings.Repeat("x", 64)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, payload)
	}))
	b.Cleanup(upstream.Close)
	bu, _ := url.Parse(upstream.URL)
	// The bare proxy gets what the data plane has besides its own work: a
	// transport that keeps as many connections to the backend and a pool
	// of copy buffers (the defaults keep 2 and allocate 32 KB a request).
	bare := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(bu)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		Transport:  &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second},
		BufferPool: benchBuffers{},
	})
	b.Cleanup(bare.Close)

	s := newDP(b, albtest.WithClock(albtest.NewManualClock(time.Time{})),
		albtest.WithInstanceQuotas("Standard", albtest.InstanceQuotas{Rules: 200}))
	be := &backend{name: "bench", srv: upstream, ip: bu.Hostname()}
	_, _ = fmt.Sscan(bu.Port(), &be.port)
	sg := s.group(nil)
	mustAddServers(b, s.c, sg, be.server(100))
	waitSG(b, s.c, sg)
	lsn, addr := s.listener(sg)
	for i := 1; i < 100; i++ {
		addRule(b, s.c, lsn, routing.Rule{Name: fmt.Sprintf("svc%d", i), Priority: i,
			Conditions: []routing.Condition{routing.Host(fmt.Sprintf("svc%d.example.com", i)), routing.Path(fmt.Sprintf("/svc%d/*", i))},
			Actions:    routing.InOrder(routing.ForwardTo(sg))})
	}
	addRule(b, s.c, lsn, routing.Rule{Name: "bench", Priority: 100, Conditions: []routing.Condition{routing.Path("/bench")},
		Actions: routing.InOrder(routing.ForwardTo(sg))})
	if n := len(s.srv.Rules(lsn)); n != 100 {
		b.Fatalf("%d rules", n)
	}
	return &benchTargets{bare: bare.URL, dp: "http://" + addr, host: "bench.example.com"}
}

// benchBuffers is the bare proxy's pool of copy buffers.
type benchBuffers struct{}

var benchPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (benchBuffers) Get() []byte  { return *(benchPool.Get().(*[]byte)) }
func (benchBuffers) Put(b []byte) { benchPool.Put(&b) }

// hit sends one request and returns its duration.
func (bt *benchTargets) hit(b *testing.B, c *http.Client, base string) time.Duration {
	req, _ := http.NewRequest("GET", base+"/bench", nil)
	req.Host = bt.host
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != 200 {
		b.Fatalf("%s: status %d", base, resp.StatusCode)
	}
	return d
}

// report reports each target's requests per second (from the time spent in
// its requests) and p50/p99 latency, and the data plane's ratios to the
// bare proxy.
func report(b *testing.B, bare, dp []time.Duration, concurrency int) {
	sum := func(ds []time.Duration) (t time.Duration) {
		for _, d := range ds {
			t += d
		}
		return t
	}
	pct := func(ds []time.Duration, p float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[min(len(s)-1, int(float64(len(s))*p))]
	}
	if len(bare) == 0 || len(dp) == 0 {
		return
	}
	bareRPS := float64(len(bare)) * float64(concurrency) / sum(bare).Seconds()
	dpRPS := float64(len(dp)) * float64(concurrency) / sum(dp).Seconds()
	b.ReportMetric(bareRPS, "bare-req/s")
	b.ReportMetric(dpRPS, "dp-req/s")
	b.ReportMetric(dpRPS/bareRPS, "rps-ratio")
	b.ReportMetric(float64(pct(bare, 0.5).Microseconds()), "bare-p50-µs")
	b.ReportMetric(float64(pct(dp, 0.5).Microseconds()), "dp-p50-µs")
	b.ReportMetric(float64(pct(bare, 0.99).Microseconds()), "bare-p99-µs")
	b.ReportMetric(float64(pct(dp, 0.99).Microseconds()), "dp-p99-µs")
	b.ReportMetric(float64(pct(dp, 0.99))/float64(pct(bare, 0.99)), "p99-ratio")
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 128}}
}

// BenchmarkDataPlane: each iteration is one request through the bare
// ReverseProxy and one through the data plane (100 rules), one client
// after the other (sequential) or from GOMAXPROCS*4 goroutines
// (parallel).
func BenchmarkDataPlane(b *testing.B) {
	bt := newBenchTargets(b)
	b.Run("sequential", func(b *testing.B) {
		c := benchClient()
		bt.hit(b, c, bt.bare)
		bt.hit(b, c, bt.dp)
		bare, dp := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%2 == 0 {
				bare = append(bare, bt.hit(b, c, bt.bare))
				dp = append(dp, bt.hit(b, c, bt.dp))
			} else {
				dp = append(dp, bt.hit(b, c, bt.dp))
				bare = append(bare, bt.hit(b, c, bt.bare))
			}
		}
		b.StopTimer()
		report(b, bare, dp, 1)
	})
	b.Run("parallel", func(b *testing.B) {
		c := benchClient()
		var mu sync.Mutex
		var bare, dp []time.Duration
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			var myBare, myDP []time.Duration
			i := 0
			for pb.Next() {
				if i%2 == 0 {
					myBare = append(myBare, bt.hit(b, c, bt.bare))
					myDP = append(myDP, bt.hit(b, c, bt.dp))
				} else {
					myDP = append(myDP, bt.hit(b, c, bt.dp))
					myBare = append(myBare, bt.hit(b, c, bt.bare))
				}
				i++
			}
			mu.Lock()
			bare, dp = append(bare, myBare...), append(dp, myDP...)
			mu.Unlock()
		})
		b.StopTimer()
		report(b, bare, dp, 1)
	})
}

// handlerBench is an emulator (data plane on or off) with an Active
// instance and signed GetLoadBalancerAttribute requests for it, served by
// Handler as BenchmarkHandler serves them.
type handlerBench struct {
	srv  *albtest.Server
	ts   *httptest.Server
	id   string
	reqs []*http.Request
	w    *discardWriter
}

func newHandlerBench(b *testing.B, dataPlane bool) *handlerBench {
	opts := []albtest.Option{albtest.WithTransitions(albtest.Immediate())}
	if !dataPlane {
		opts = append(opts, albtest.WithoutDataPlane())
	}
	srv, err := albtest.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	id, _ := activeLB(b, sdkConfig(strings.TrimPrefix(ts.URL, "http://")))
	return &handlerBench{srv: srv, ts: ts, id: id, reqs: make([]*http.Request, 512), w: &discardWriter{h: http.Header{}}}
}

// sign signs a new batch of requests (each its own nonce).
func (h *handlerBench) sign(b *testing.B) {
	cred := acs.Credential{AccessKeyID: albtest.DefaultAccessKeyID, AccessKeySecret: albtest.DefaultAccessKeySecret}
	now := time.Now()
	for i := range h.reqs {
		r := httptest.NewRequest(http.MethodPost, "http://"+h.ts.Listener.Addr().String()+"/?LoadBalancerId="+h.id, nil)
		r.Header.Set("x-acs-action", "GetLoadBalancerAttribute")
		r.Header.Set("x-acs-version", albtest.VersionALB)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("User-Agent", "AlibabaCloud (linux; amd64) Go/go1.26 Core/1.5.0 TeaDSL/2")
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("x-acs-user-agent", "AlibabaCloud (linux; amd64) Go/go1.26 Core/1.5.0 TeaDSL/2")
		if err := acs.SignACS3(r, nil, cred, now, ""); err != nil {
			b.Fatal(err)
		}
		h.reqs[i] = r
	}
}

// serve serves request i of the batch.
func (h *handlerBench) serve(b *testing.B, i int) {
	clear(h.w.h)
	h.w.status = 0
	h.srv.Handler().ServeHTTP(h.w, h.reqs[i])
	if h.w.status != 200 {
		b.Fatalf("status %d", h.w.status)
	}
}

// BenchmarkHandlerDataPlane is BenchmarkHandler (a signed
// GetLoadBalancerAttribute served by Handler) with the data plane on (the
// default) and off, in one run: with no listener the data plane costs
// nothing. "interleaved" serves one request on each per iteration and
// reports each one's time and their ratio (on/off), so that load drifts
// hit both alike.
func BenchmarkHandlerDataPlane(b *testing.B) {
	for _, on := range []bool{true, false} {
		b.Run(fmt.Sprintf("dataplane=%t", on), func(b *testing.B) { h := newHandlerBench(b, on); h.run(b) })
	}
	b.Run("interleaved", func(b *testing.B) {
		on, off := newHandlerBench(b, true), newHandlerBench(b, false)
		var tOn, tOff time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%len(on.reqs) == 0 {
				b.StopTimer()
				on.sign(b)
				off.sign(b)
				b.StartTimer()
			}
			first, second, t1, t2 := on, off, &tOn, &tOff
			if i%2 == 1 {
				first, second, t1, t2 = off, on, &tOff, &tOn
			}
			start := time.Now()
			first.serve(b, i%len(on.reqs))
			mid := time.Now()
			second.serve(b, i%len(on.reqs))
			*t1 += mid.Sub(start)
			*t2 += time.Since(mid)
		}
		b.ReportMetric(float64(tOn.Nanoseconds())/float64(b.N), "on-ns/req")
		b.ReportMetric(float64(tOff.Nanoseconds())/float64(b.N), "off-ns/req")
		b.ReportMetric(float64(tOn)/float64(tOff), "on/off")
	})
}

// run serves b.N requests, signing a new batch when one is used up.
func (h *handlerBench) run(b *testing.B) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(h.reqs) == 0 {
			b.StopTimer()
			h.sign(b)
			b.StartTimer()
		}
		h.serve(b, i%len(h.reqs))
	}
}
