package albtest_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// nonNormal is GetListenerHealthStatus of the listener's default group as
// "ip:port Status Reason Expected Actual" lines.
func nonNormal(t *testing.T, c *albsdk.Client, lsn string) []string {
	t.Helper()
	resp, err := c.GetListenerHealthStatus(&albsdk.GetListenerHealthStatusRequest{ListenerId: dara.String(lsn)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range resp.Body.ListenerHealthStatus[0].ServerGroupInfos[0].NonNormalServers {
		x := dara.StringValue(m.ServerId) + ":" + strconv.Itoa(int(dara.Int32Value(m.Port))) + " " + dara.StringValue(m.Status)
		if r := m.Reason; r != nil {
			x += " " + dara.StringValue(r.ReasonCode) + " " + dara.StringValue(r.ExpectedResponse) + " " + dara.StringValue(r.ActualResponse)
		}
		out = append(out, x)
	}
	return out
}

// probeLog records the health checks a backend receives.
type probeLog struct {
	mu   sync.Mutex
	reqs []string // "METHOD path host"
}

func (p *probeLog) add(r *http.Request) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r.Method+" "+r.URL.Path+" "+r.Host)
	p.mu.Unlock()
}

func (p *probeLog) n() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.reqs)
}

// TestDataPlaneHealthChecks: on a ManualClock, members are probed as the
// group's check says (method, path, host, codes, interval, thresholds); a
// failing member leaves the rotation after UnhealthyThreshold failures and
// GetListenerHealthStatus says why; it comes back after HealthyThreshold
// successes.
func TestDataPlaneHealthChecks(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	logs := map[string]*probeLog{"a": {}, "b": {}}
	for _, be := range []*backend{a, b} {
		be, log := be, logs[be.name]
		be.setHandler(nil)
		orig := be.srv.Config.Handler
		be.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("User-Agent") == "albtest-health-check" {
				log.add(r)
			}
			orig.ServeHTTP(w, r)
		})
	}
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){func(r *albsdk.CreateServerGroupRequest) {
		hc := r.HealthCheckConfig
		hc.HealthCheckPath, hc.HealthCheckMethod, hc.HealthCheckHost = dara.String("/healthz"), dara.String("GET"), dara.String("check.example.com")
		hc.HealthCheckInterval, hc.HealthCheckTimeout = dara.Int32(5), dara.Int32(3)
		hc.HealthyThreshold, hc.UnhealthyThreshold = dara.Int32(2), dara.Int32(3)
		hc.HealthCheckCodes = dara.StringSlice([]string{"http_2xx", "http_3xx"})
	}}, weighted(a, 100), weighted(b, 100))
	a.health.Store(500)
	lsn, addr := s.listener(sg)
	cx := ctx(t)
	step := func(d time.Duration) {
		t.Helper()
		clk.Advance(d)
		if err := s.srv.WaitHealthChecks(cx); err != nil {
			t.Fatal(err)
		}
	}
	step(0) // the first probes run once the listener serves
	if got := fmt.Sprint(nonNormal(t, s.c, lsn)); got != "["+a.ip+":"+itoa(int(a.port))+" Initial "+b.ip+":"+itoa(int(b.port))+" Initial]" {
		t.Fatalf("after one probe: %s", got)
	}
	if logs["a"].reqs[0] != "GET /healthz check.example.com" {
		t.Fatalf("probe %q", logs["a"].reqs[0])
	}
	step(4 * time.Second) // not due yet
	if logs["a"].n() != 1 || logs["b"].n() != 1 {
		t.Fatalf("probes before the interval: %d %d", logs["a"].n(), logs["b"].n())
	}
	step(time.Second) // b: Healthy (2); a: 2 failures of 3
	// a is not healthy but not Unhealthy yet: b alone is in the rotation.
	cl := client()
	if got := count(t, cl, addr, "/", 4); got["b"] != 4 {
		t.Fatalf("with b Healthy and a Initial: %v", got)
	}
	step(5 * time.Second) // a: Unhealthy
	want := "[" + a.ip + ":" + itoa(int(a.port)) + " Unhealthy RESPONSE_MISMATCH HTTP_2xx,HTTP_3xx 500]"
	if got := fmt.Sprint(nonNormal(t, s.c, lsn)); got != want {
		t.Fatalf("health: %s, want %s", got, want)
	}
	if got := count(t, cl, addr, "/", 6); got["b"] != 6 {
		t.Fatalf("with a Unhealthy: %v", got)
	}
	a.health.Store(302) // http_3xx passes
	step(5 * time.Second)
	if got := count(t, cl, addr, "/", 4); got["b"] != 4 {
		t.Fatalf("after one success: %v", got)
	}
	step(5 * time.Second) // a: Healthy again
	if got := nonNormal(t, s.c, lsn); len(got) != 0 {
		t.Fatalf("all healthy: %v", got)
	}
	if got := count(t, cl, addr, "/", 4); got["a"] != 2 || got["b"] != 2 {
		t.Fatalf("a back: %v", got)
	}
	if logs["a"].n() != 5 || logs["b"].n() != 5 {
		t.Fatalf("probes in 20 s every 5 s: %d %d", logs["a"].n(), logs["b"].n())
	}
}

// TestDataPlaneHealthFailOpen: when every member fails its checks, traffic
// still goes to them by weight.
func TestDataPlaneHealthFailOpen(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	a.health.Store(503)
	b.health.Store(404)
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks}, weighted(a, 25), weighted(b, 75))
	lsn, addr := s.listener(sg)
	s.healthy(clk) // two rounds: both Unhealthy
	if got := nonNormal(t, s.c, lsn); len(got) != 2 || got[0][len(got[0])-3:] != "503" || got[1][len(got[1])-3:] != "404" {
		t.Fatalf("health: %v", got)
	}
	if got := count(t, client(), addr, "/", 8); got["a"] != 2 || got["b"] != 6 {
		t.Fatalf("fail-open by weight: %v", got)
	}
}

// TestDataPlaneHealthWeightZero: a member of weight 0 is not probed and
// reads Unused.
func TestDataPlaneHealthWeightZero(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	a, z := newBackend(t, "a"), newBackend(t, "zero")
	log := &probeLog{}
	orig := z.srv.Config.Handler
	z.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { log.add(r); orig.ServeHTTP(w, r) })
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks}, weighted(a, 100), weighted(z, 0))
	lsn, _ := s.listener(sg)
	s.healthy(clk)
	if log.n() != 0 {
		t.Fatalf("the weight-0 member got %d requests", log.n())
	}
	if got := fmt.Sprint(nonNormal(t, s.c, lsn)); got != "["+z.ip+":"+itoa(int(z.port))+" Unused]" {
		t.Fatalf("health: %s", got)
	}
}

// TestDataPlaneHealthReasons: a closed port fails CONNECT_FAILED, a server
// that does not answer fails RECV_RESPONSE_TIMEOUT once the clock has
// moved the timeout past the probe, TCP checks only connect, and the
// connect port and the gRPC check are honoured.
func TestDataPlaneHealthReasons(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	cx := ctx(t)
	step := func(d time.Duration) {
		t.Helper()
		clk.Advance(d)
		if err := s.srv.WaitHealthChecks(cx); err != nil {
			t.Fatal(err)
		}
	}

	// A closed port.
	closed := newBackend(t, "closed")
	closed.srv.Close()
	sgClosed := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks}, weighted(closed, 100))
	lsnClosed, _ := s.listener(sgClosed)
	s.healthy(clk)
	if got := fmt.Sprint(nonNormal(t, s.c, lsnClosed)); got != "["+closed.ip+":"+itoa(int(closed.port))+" Unhealthy CONNECT_FAILED  ]" {
		t.Fatalf("closed: %s", got)
	}

	// TCP checks connect only: a server answering 500 passes them. The
	// connect port sends the checks elsewhere: to the closed port, they
	// fail.
	tcp := newBackend(t, "tcp")
	tcp.health.Store(500)
	sgTCP := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks, func(r *albsdk.CreateServerGroupRequest) {
		r.HealthCheckConfig.HealthCheckProtocol = dara.String("TCP")
	}}, weighted(tcp, 100))
	lsnTCP, _ := s.listener(sgTCP, port(82))
	other := newBackend(t, "other")
	sgPort := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks, func(r *albsdk.CreateServerGroupRequest) {
		r.HealthCheckConfig.HealthCheckConnectPort = dara.Int32(closed.port)
	}}, weighted(other, 100))
	lsnPort, _ := s.listener(sgPort, port(83))
	step(0)
	step(time.Second)
	if got := nonNormal(t, s.c, lsnTCP); len(got) != 0 {
		t.Fatalf("TCP: %v", got)
	}
	if got := nonNormal(t, s.c, lsnPort); len(got) != 1 || got[0] != other.ip+":"+itoa(int(other.port))+" Unhealthy CONNECT_FAILED  " {
		t.Fatalf("connect port: %v", got)
	}

	// gRPC: a POST over HTTP/2 without TLS, judged by grpc-status.
	status := "0"
	var mu sync.Mutex
	g := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st := status
		mu.Unlock()
		if r.ProtoMajor != 2 || r.Method != "POST" || r.Header.Get("Content-Type") != "application/grpc" {
			st = "99"
		}
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status")
		w.WriteHeader(200)
		w.Header().Set("Grpc-Status", st)
	}))
	g.Config.Protocols = new(http.Protocols)
	g.Config.Protocols.SetUnencryptedHTTP2(true)
	g.Start()
	defer g.Close()
	_, gp, _ := net.SplitHostPort(g.Listener.Addr().String())
	gport, _ := strconv.Atoi(gp)
	sgGRPC := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks, func(r *albsdk.CreateServerGroupRequest) {
		r.Protocol = dara.String("gRPC")
		r.HealthCheckConfig.HealthCheckProtocol = dara.String("gRPC")
		r.HealthCheckConfig.HealthCheckPath = dara.String("/grpc.health.v1.Health/Check")
		r.HealthCheckConfig.HealthCheckCodes = dara.StringSlice([]string{"0-2"})
	}}, ipServer("127.0.0.1", int32(gport)))
	lsnGRPC := runningLsn(t, s.c, lsnReq(s.lb, sgGRPC, https, port(8443)))
	step(time.Second)
	step(time.Second)
	if got := nonNormal(t, s.c, lsnGRPC); len(got) != 0 {
		t.Fatalf("gRPC healthy: %v", got)
	}
	mu.Lock()
	status = "14"
	mu.Unlock()
	step(time.Second)
	step(time.Second)
	if got := nonNormal(t, s.c, lsnGRPC); len(got) != 1 || got[0] != "127.0.0.1:"+gp+" Unhealthy RESPONSE_MISMATCH 0-2 14" {
		t.Fatalf("gRPC unhealthy: %v", got)
	}

	// A server that accepts and never answers (last: its probes stay in
	// flight until the clock moves, so WaitHealthChecks would wait).
	hang := make(chan struct{})
	defer close(hang)
	got := make(chan struct{}, 16)
	silent := newBackend(t, "silent")
	silent.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- struct{}{}
		<-hang
	})
	sgSilent := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks}, weighted(silent, 100))
	lsnSilent, _ := s.listener(sgSilent, port(84))
	<-got // the first probe is in flight
	for i := 0; i < 2; i++ {
		// Its timeout: it fails, and the next one, due by then, starts
		// once the failure is counted (WaitHealthChecks would wait for
		// that one, which never gets an answer either).
		clk.Advance(time.Second)
		<-got
	}
	if got := fmt.Sprint(nonNormal(t, s.c, lsnSilent)); got != "["+silent.ip+":"+itoa(int(silent.port))+" Unhealthy RECV_RESPONSE_TIMEOUT  ]" {
		t.Fatalf("silent: %s", got)
	}
}

// TestDataPlaneSetServerHealthOverrides: SetServerHealth takes a member
// out of the rotation whatever its probes find, until set Healthy again.
func TestDataPlaneSetServerHealthOverrides(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){fastChecks}, weighted(a, 100), weighted(b, 100))
	lsn, addr := s.listener(sg)
	s.healthy(clk)
	if err := s.srv.SetServerHealth(sg, a.ip, int(a.port), albtest.ServerHealth{Status: albtest.HealthUnhealthy, ReasonCode: "CONNECT_TIMEOUT"}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, client(), addr, "/", 4); got["b"] != 4 {
		t.Fatalf("a set Unhealthy: %v", got)
	}
	if got := fmt.Sprint(nonNormal(t, s.c, lsn)); got != "["+a.ip+":"+itoa(int(a.port))+" Unhealthy CONNECT_TIMEOUT  ]" {
		t.Fatalf("health: %s", got)
	}
	if err := s.srv.SetServerHealth(sg, a.ip, int(a.port), albtest.ServerHealth{Status: albtest.HealthHealthy}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, client(), addr, "/", 4); got["a"] != 2 {
		t.Fatalf("a cleared: %v", got)
	}
}
