package albtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// Balancing is deterministic: weights are applied by smooth weighted round
// robin, so every run of requests as long as the sum of the weights gives
// each member exactly its share. The tests below therefore expect exact
// counts (the statistical bound is zero), also under concurrency, where the
// picks are serialised. They run on a ManualClock that does not move, so
// the members stay Initial (their first probe counts one success of the
// three needed): every member is in the rotation by fail-open, and no
// health-check verdict changes the rotation during a test.

func weighted(b *backend, w int32) *albsdk.AddServersToServerGroupRequestServers { return b.server(w) }

// groupOf creates an Ip group with mods and the given members.
func (s *dpStack) groupOf(mods []func(*albsdk.CreateServerGroupRequest), servers ...*albsdk.AddServersToServerGroupRequestServers) string {
	s.t.Helper()
	sg := s.group(mods)
	if len(servers) > 0 {
		mustAddServers(s.t, s.c, sg, servers...)
		waitSG(s.t, s.c, sg)
	}
	return sg
}

func count(t *testing.T, c *http.Client, addr, target string, n int) map[string]int {
	t.Helper()
	out := map[string]int{}
	for i := 0; i < n; i++ {
		a := request(t, c, "GET", addr, "x.test", target)
		if a.status != 200 {
			t.Fatalf("request %d: %d %s", i, a.status, a.body)
		}
		out[a.echo.Backend]++
	}
	return out
}

// TestDataPlaneWeightsWithinGroup: Wrr weights 10/20/30 split 600
// requests on one kept-alive connection exactly 100/200/300, and a member
// of weight 0 gets none.
func TestDataPlaneWeightsWithinGroup(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b, c, z := newBackend(t, "a"), newBackend(t, "b"), newBackend(t, "c"), newBackend(t, "zero")
	sg := s.groupOf(nil, weighted(a, 10), weighted(b, 20), weighted(c, 30), weighted(z, 0))
	_, addr := s.listener(sg)
	cl := client()
	conns, reused := 0, 0
	counts := map[string]int{}
	for i := 0; i < 600; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Host = "x.test"
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
			conns++
			if ci.Reused {
				reused++
			}
		}}))
		counts[send(t, cl, req).echo.Backend]++
	}
	if counts["a"] != 100 || counts["b"] != 200 || counts["c"] != 300 || counts["zero"] != 0 {
		t.Fatalf("10/20/30/0 over 600: %v", counts)
	}
	if reused != 599 {
		t.Fatalf("%d of %d connections reused: balancing was not over one kept-alive connection", reused, conns)
	}
	if z.hits.Load() != 0 {
		t.Fatal("the weight-0 member got requests")
	}
}

// TestDataPlaneWeightsConcurrent: 8 clients sending 75 requests each at
// once still split 10/20/30 exactly (600 picks are 10 whole rounds of 60).
// Run it with -race -count=20.
func TestDataPlaneWeightsConcurrent(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b, c := newBackend(t, "a"), newBackend(t, "b"), newBackend(t, "c")
	sg := s.groupOf(nil, weighted(a, 10), weighted(b, 20), weighted(c, 30))
	_, addr := s.listener(sg)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := client()
			for i := 0; i < 75; i++ {
				req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
				resp, err := cl.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if a.hits.Load() != 100 || b.hits.Load() != 200 || c.hits.Load() != 300 {
		t.Fatalf("10/20/30 over 600 concurrent: %d %d %d", a.hits.Load(), b.hits.Load(), c.hits.Load())
	}
}

// TestDataPlaneGroupWeights: a rule forwarding to two groups 30/70 (and a
// third of weight 0) splits exactly; the listener's default action with two
// groups shares evenly.
func TestDataPlaneGroupWeights(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b, z := newBackend(t, "a"), newBackend(t, "b"), newBackend(t, "zero")
	sga, sgb, sgz := s.group(nil, a), s.group(nil, b), s.group(nil, z)
	lsn, addr := s.listener(sga, func(r *albsdk.CreateListenerRequest) {
		r.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples = append(r.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples,
			&albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{ServerGroupId: dara.String(sgb)})
	})
	addRule(t, s.c, lsn, routing.Rule{Name: "split", Priority: 1, Conditions: []routing.Condition{routing.Path("/split")},
		Actions: routing.InOrder(routing.Forward(routing.Weighted(sga, 30), routing.Weighted(sgb, 70), routing.Weighted(sgz, 0)))})
	cl := client()
	if got := count(t, cl, addr, "/split", 100); got["a"] != 30 || got["b"] != 70 || got["zero"] != 0 {
		t.Fatalf("30/70/0 over 100: %v", got)
	}
	if got := count(t, cl, addr, "/", 10); got["a"] != 5 || got["b"] != 5 {
		t.Fatalf("default action over two groups: %v", got)
	}
}

// TestDataPlaneLeastConnections: Wlc sends new requests to the member with
// fewer requests in flight.
func TestDataPlaneLeastConnections(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	release := make(chan struct{})
	held := make(chan string, 2)
	for _, be := range []*backend{a, b} {
		name := be.name
		be.setHandler(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hold" {
				held <- name
				<-release
			}
			fmt.Fprintf(w, `{"backend":%q}`, name)
		})
	}
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){func(r *albsdk.CreateServerGroupRequest) { r.Scheduler = dara.String("Wlc") }},
		weighted(a, 100), weighted(b, 100))
	_, addr := s.listener(sg)
	done := make(chan int, 1)
	go func() {
		resp, err := client().Get("http://" + addr + "/hold")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	busy := <-held
	cl := client()
	for i := 0; i < 6; i++ {
		resp, err := cl.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := `{"backend":"` + map[string]string{"a": "b", "b": "a"}[busy] + `"}`; string(body) != want {
			t.Fatalf("request %d: %s, want %s (%s has a request in flight)", i, body, want, busy)
		}
	}
	close(release)
	if code := <-done; code != 200 {
		t.Fatalf("held request: %d", code)
	}
}

// TestDataPlaneSourceHash: Sch sends a key to the same member every time:
// the UchConfig query parameter when present, the client address
// otherwise (here from X-Forwarded-For, with 127.0.0.1 trusted), and both
// members get keys.
func TestDataPlaneSourceHash(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){func(r *albsdk.CreateServerGroupRequest) {
		r.Scheduler = dara.String("Sch")
		r.UchConfig = &albsdk.CreateServerGroupRequestUchConfig{Type: dara.String("QueryString"), Value: dara.String("uid")}
	}}, weighted(a, 100), weighted(b, 100))
	_, addr := s.listener(sg, func(r *albsdk.CreateListenerRequest) {
		r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{
			XForwardedForClientSourceIpsEnabled: dara.Bool(true), XForwardedForClientSourceIpsTrusted: dara.String("127.0.0.1")}
	})
	cl := client()
	per := map[string]int{}
	for k := 0; k < 40; k++ {
		first := request(t, cl, "GET", addr, "x.test", fmt.Sprintf("/?uid=user%d", k)).echo.Backend
		per[first]++
		for i := 0; i < 3; i++ {
			if got := request(t, cl, "GET", addr, "x.test", fmt.Sprintf("/?uid=user%d", k)).echo.Backend; got != first {
				t.Fatalf("uid user%d went to %s then %s", k, first, got)
			}
		}
	}
	if per["a"] == 0 || per["b"] == 0 {
		t.Fatalf("40 keys all on one member: %v", per)
	}
	perIP := map[string]int{}
	for k := 0; k < 40; k++ {
		ip := fmt.Sprintf("198.51.100.%d", k+1)
		first := request(t, cl, "GET", addr, "x.test", "/", "X-Forwarded-For: "+ip).echo.Backend
		perIP[first]++
		if got := request(t, cl, "GET", addr, "x.test", "/", "X-Forwarded-For: "+ip).echo.Backend; got != first {
			t.Fatalf("client %s went to %s then %s", ip, first, got)
		}
	}
	if perIP["a"] == 0 || perIP["b"] == 0 {
		t.Fatalf("40 client addresses all on one member: %v", perIP)
	}
}

func sticky(typ string, timeout int32, cookie string) func(*albsdk.CreateServerGroupRequest) {
	return func(r *albsdk.CreateServerGroupRequest) {
		r.StickySessionConfig = &albsdk.CreateServerGroupRequestStickySessionConfig{StickySessionEnabled: dara.Bool(true), StickySessionType: dara.String(typ)}
		if typ == "Insert" {
			r.StickySessionConfig.CookieTimeout = dara.Int32(timeout)
		} else {
			r.StickySessionConfig.Cookie = dara.String(cookie)
		}
	}
}

// TestDataPlaneStickyInsert: the first answer sets SERVERID with the
// CookieTimeout; requests carrying it stay on that member while it is in
// the rotation, and move (with a new cookie) once it is not.
func TestDataPlaneStickyInsert(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){sticky("Insert", 120, ""), fastChecks}, weighted(a, 100), weighted(b, 100))
	_, addr := s.listener(sg)
	s.healthy(clk) // both in the rotation by their checks, so that leaving it means something
	cl := client()
	first := request(t, cl, "GET", addr, "x.test", "/")
	sc := first.header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, "SERVERID=") || !strings.Contains(sc, "Max-Age=120") {
		t.Fatalf("Set-Cookie %q", sc)
	}
	cookie := strings.Split(sc, ";")[0]
	for i := 0; i < 10; i++ {
		a := request(t, cl, "GET", addr, "x.test", "/", "Cookie: "+cookie)
		if a.echo.Backend != first.echo.Backend || a.header.Get("Set-Cookie") != "" {
			t.Fatalf("request %d with the cookie: %s, Set-Cookie %q", i, a.echo.Backend, a.header.Get("Set-Cookie"))
		}
	}
	// Without the cookie, round robin goes on.
	if got := count(t, cl, addr, "/", 4); got["a"] != 2 || got["b"] != 2 {
		t.Fatalf("without the cookie: %v", got)
	}
	// The member leaves the rotation: the session moves.
	stuck := a
	other := "b"
	if first.echo.Backend == "b" {
		stuck, other = b, "a"
	}
	if err := s.srv.SetServerHealth(sg, stuck.ip, int(stuck.port), albtest.ServerHealth{Status: albtest.HealthUnhealthy}); err != nil {
		t.Fatal(err)
	}
	moved := request(t, cl, "GET", addr, "x.test", "/", "Cookie: "+cookie)
	if moved.echo.Backend != other || !strings.HasPrefix(moved.header.Get("Set-Cookie"), "SERVERID=") || strings.Split(moved.header.Get("Set-Cookie"), ";")[0] == cookie {
		t.Fatalf("after the member left: %s, Set-Cookie %q", moved.echo.Backend, moved.header.Get("Set-Cookie"))
	}
}

// TestDataPlaneStickyServer: the application's cookie is rewritten to name
// the member; requests carrying it stay there and the backend sees its own
// value.
func TestDataPlaneStickyServer(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	for _, be := range []*backend{a, b} {
		name := be.name
		be.setHandler(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/login" {
				w.Header().Add("Set-Cookie", "sess=v1; Path=/")
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(echo{Backend: name, Header: r.Header})
		})
	}
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){sticky("Server", 0, "sess")}, weighted(a, 100), weighted(b, 100))
	_, addr := s.listener(sg)
	cl := client()
	first := request(t, cl, "GET", addr, "x.test", "/login")
	sc := first.header.Get("Set-Cookie")
	val, _, _ := strings.Cut(strings.TrimPrefix(sc, "sess="), ";")
	if !strings.HasPrefix(val, "v1!") || !strings.HasSuffix(sc, "; Path=/") {
		t.Fatalf("rewritten cookie %q", sc)
	}
	for i := 0; i < 6; i++ {
		got := request(t, cl, "GET", addr, "x.test", "/", "Cookie: theme=x; sess="+val)
		if got.echo.Backend != first.echo.Backend {
			t.Fatalf("request %d went to %s, the session is on %s", i, got.echo.Backend, first.echo.Backend)
		}
		if c := got.echo.Header.Get("Cookie"); c != "theme=x; sess=v1" {
			t.Fatalf("backend saw Cookie %q", c)
		}
	}
}

// TestDataPlaneGroupSticky: a ForwardGroup's ServerGroupStickySession keeps
// a client on the group it was sent to.
func TestDataPlaneGroupSticky(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	sga, sgb := s.group(nil, a), s.group(nil, b)
	lsn, addr := s.listener(sga)
	addRule(t, s.c, lsn, routing.Rule{Name: "sticky", Priority: 1, Conditions: []routing.Condition{routing.Path("/*")},
		Actions: routing.InOrder(routing.Forward(routing.Weighted(sga, 50), routing.Weighted(sgb, 50)).Sticky(300))})
	cl := client()
	first := request(t, cl, "GET", addr, "x.test", "/")
	sc := first.header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, albtest.GroupStickyCookie+"=") || !strings.Contains(sc, "Max-Age=300") {
		t.Fatalf("Set-Cookie %q", sc)
	}
	for i := 0; i < 6; i++ {
		if got := request(t, cl, "GET", addr, "x.test", "/", "Cookie: "+strings.Split(sc, ";")[0]); got.echo.Backend != first.echo.Backend {
			t.Fatalf("request %d left the group: %s", i, got.echo.Backend)
		}
	}
}

// TestDataPlaneSlowStart: a member entering the rotation gets its share in
// proportion to the part of SlowStartDuration gone by, on the server clock.
func TestDataPlaneSlowStart(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	a, b := newBackend(t, "a"), newBackend(t, "b")
	sg := s.groupOf([]func(*albsdk.CreateServerGroupRequest){func(r *albsdk.CreateServerGroupRequest) {
		r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartEnabled: dara.Bool(true), SlowStartDuration: dara.Int32(60)}
		r.HealthCheckConfig.HealthyThreshold = dara.Int32(2)
		r.HealthCheckConfig.HealthCheckInterval = dara.Int32(1)
	}}, weighted(a, 100))
	_, addr := s.listener(sg)
	cx := ctx(t)
	step := func(d time.Duration) {
		clk.Advance(d)
		if err := s.srv.WaitHealthChecks(cx); err != nil {
			t.Fatal(err)
		}
	}
	step(0)
	step(time.Second) // a: two successes, Healthy
	step(60 * time.Second)
	mustAddServers(t, s.c, sg, weighted(b, 100))
	waitSG(t, s.c, sg)
	step(0)           // b: first probe
	step(time.Second) // b: Healthy, slow start begins
	cl := client()
	if got := count(t, cl, addr, "/", 100); got["b"] != 0 {
		t.Fatalf("at the start of slow start: %v", got)
	}
	step(30 * time.Second) // half way: b weighs 50 against a's 100
	if got := count(t, cl, addr, "/", 300); got["a"] != 200 || got["b"] != 100 {
		t.Fatalf("half way through slow start: %v", got)
	}
	step(30 * time.Second)
	if got := count(t, cl, addr, "/", 100); got["a"] != 50 || got["b"] != 50 {
		t.Fatalf("after slow start: %v", got)
	}
}

// fastChecks makes a group's members Healthy after two probes a second
// apart.
func fastChecks(r *albsdk.CreateServerGroupRequest) {
	r.HealthCheckConfig.HealthyThreshold = dara.Int32(2)
	r.HealthCheckConfig.UnhealthyThreshold = dara.Int32(2)
	r.HealthCheckConfig.HealthCheckInterval = dara.Int32(1)
	r.HealthCheckConfig.HealthCheckTimeout = dara.Int32(1)
}

// healthy runs two rounds of health checks (fastChecks) on the manual
// clock.
func (s *dpStack) healthy(clk *albtest.ManualClock) {
	s.t.Helper()
	cx := ctx(s.t)
	for _, d := range []time.Duration{0, time.Second} {
		clk.Advance(d)
		if err := s.srv.WaitHealthChecks(cx); err != nil {
			s.t.Fatal(err)
		}
	}
}
