package albtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// echo is what a test backend answers: who it is and what it got.
type echo struct {
	Backend  string      `json:"backend"`
	Method   string      `json:"method"`
	Host     string      `json:"host"`
	Path     string      `json:"path"`
	RawQuery string      `json:"rawQuery"`
	Header   http.Header `json:"header"`
	Body     string      `json:"body"`
}

// backend is a test server behind the emulator.
type backend struct {
	name string
	srv  *httptest.Server
	ip   string
	port int32
	hits atomic.Int64 // requests answered (health checks excluded)
	// health answers the health checks (User-Agent albtest-health-check):
	// 200 unless set.
	health atomic.Int32
	// handler, when set, answers instead of the echo.
	mu      sync.Mutex
	handler http.HandlerFunc
	got     chan echo // every request, when not nil (buffered)
}

// newBackend starts a backend named name.
func newBackend(t testing.TB, name string) *backend {
	t.Helper()
	b := &backend{name: name}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.srv.Close)
	host, port, _ := net.SplitHostPort(b.srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	b.ip, b.port = host, int32(p)
	return b
}

func (b *backend) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("User-Agent") == "albtest-health-check" {
		code := int(b.health.Load())
		if code == 0 {
			code = 200
		}
		w.WriteHeader(code)
		return
	}
	b.hits.Add(1)
	body, _ := io.ReadAll(r.Body)
	e := echo{Backend: b.name, Method: r.Method, Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header, Body: string(body)}
	b.mu.Lock()
	h, got := b.handler, b.got
	b.mu.Unlock()
	if got != nil {
		got <- e
	}
	if h != nil {
		h(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	for _, h := range r.URL.Query()["hdr"] { // ?hdr=Key:value adds an answer header
		k, v, _ := strings.Cut(h, ":")
		w.Header().Add(k, v)
	}
	if code, err := strconv.Atoi(r.URL.Query().Get("status")); err == nil { // ?status=404
		w.WriteHeader(code)
	}
	_ = json.NewEncoder(w).Encode(e)
}

func (b *backend) setHandler(h http.HandlerFunc) {
	b.mu.Lock()
	b.handler = h
	b.mu.Unlock()
}

// server is the backend as an Ip member.
func (b *backend) server(weight int32) *albsdk.AddServersToServerGroupRequestServers {
	s := ipServer(b.ip, b.port)
	s.Weight = dara.Int32(weight)
	return s
}

// dpStack is an emulator with an Active Standard instance and helpers for
// the data plane.
type dpStack struct {
	t   testing.TB
	srv *albtest.Server
	c   *albsdk.Client
	lb  string
}

func newDP(t testing.TB, opts ...albtest.Option) *dpStack {
	t.Helper()
	srv, c := start(t, opts...)
	return &dpStack{t: t, srv: srv, c: c, lb: readyLB(t, c, "Standard")}
}

// group creates an Ip group (with mods) whose members are the backends,
// weight 100 each, and waits until it is Available.
func (s *dpStack) group(mods []func(*albsdk.CreateServerGroupRequest), bs ...*backend) string {
	s.t.Helper()
	sg := readySG(s.t, s.c, append([]func(*albsdk.CreateServerGroupRequest){ipGroup}, mods...)...)
	if len(bs) > 0 {
		var servers []*albsdk.AddServersToServerGroupRequestServers
		for _, b := range bs {
			servers = append(servers, b.server(100))
		}
		mustAddServers(s.t, s.c, sg, servers...)
		waitSG(s.t, s.c, sg)
	}
	return sg
}

// listener creates a Running HTTP listener on port 80 forwarding to sg
// (with mods) and returns its ID and data-plane address.
func (s *dpStack) listener(sg string, mods ...func(*albsdk.CreateListenerRequest)) (id, addr string) {
	s.t.Helper()
	id = runningLsn(s.t, s.c, lsnReq(s.lb, sg, mods...))
	addr, ok := s.srv.ListenerAddr(id)
	if !ok {
		s.t.Fatalf("listener %s is Running but not served", id)
	}
	return id, addr
}

// client is an HTTP client that does not follow redirects, with a short
// real-time bound so that a hung test fails instead of hanging.
func client() *http.Client {
	return &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: 16},
	}
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   string
	echo   echo // when a backend answered
}

// request sends a request to addr with the Host header host and the given
// headers ("Key: value").
func request(t testing.TB, c *http.Client, method, addr, host, target string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	return send(t, c, req)
}

func send(t testing.TB, c *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(b, &a.echo)
	}
	return a
}

// ctx is a real-time bound for waits that must not hang a failing test.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
