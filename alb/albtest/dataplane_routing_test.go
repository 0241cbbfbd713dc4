package albtest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// routeCase is one request of the routing table and what it must get.
type routeCase struct {
	name    string
	method  string
	host    string
	target  string
	headers []string
	status  int
	backend string                       // the backend that answers, "" for an answer of the listener
	check   func(t *testing.T, a answer) // more checks, may be nil
}

// TestDataPlaneRoutingTable sends requests across every condition type
// (Host exact, wildcard and regex, Path exact, wildcard and regex, Header,
// QueryString, Method, Cookie, SourceIp, and the Response rules'
// ResponseHeader and ResponseStatusCode) and every action type
// (ForwardGroup with weights, Redirect, FixedResponse, Rewrite,
// InsertHeader of the three value types, RemoveHeader, TrafficLimit,
// TrafficMirror, Cors) through a listener whose rules were created with the
// official SDK, and checks what the client and the backends see.
func TestDataPlaneRoutingTable(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	s := newDP(t, albtest.WithClock(clk))
	bs := map[string]*backend{}
	sgs := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "mirror"} {
		bs[n] = newBackend(t, n)
		sgs[n] = s.group(nil, bs[n])
	}
	mirrored := make(chan echo, 4)
	bs["mirror"].got = mirrored
	lsn, addr := s.listener(sgs["a"])
	fwd := func(n string) routing.Action { return routing.ForwardTo(sgs[n]) }
	rule := func(prio int, name string, conds []routing.Condition, acts ...routing.Action) routing.Rule {
		return routing.Rule{Name: name, Priority: prio, Conditions: conds, Actions: routing.InOrder(acts...)}
	}
	rules := []routing.Rule{
		rule(1, "exact-host-path", []routing.Condition{routing.Host("www.example.com"), routing.Path("/exact")}, fwd("b")),
		rule(2, "wild-host", []routing.Condition{routing.Host("*.example.org")}, fwd("b")),
		rule(3, "regex-host", []routing.Condition{routing.Host(`~^api[0-9]+\.example\.net$`)}, fwd("c")),
		rule(4, "static", []routing.Condition{routing.Path("/static/*")}, routing.FixedResponse("200", "text/css", "body{}")),
		rule(5, "regex-path", []routing.Condition{routing.Path(`~*^/img/.*\.png$`)}, fwd("d")),
		rule(6, "header", []routing.Condition{routing.Header("x-env", "canary*")}, routing.InsertHeader("x-route", "canary"), fwd("b")),
		rule(7, "query", []routing.Condition{routing.Query(routing.KV("version", "v2"))}, fwd("c")),
		rule(8, "method", []routing.Condition{routing.Method("PUT", "DELETE")}, routing.FixedResponse("405", "text/plain", "no")),
		rule(9, "cookie", []routing.Condition{routing.Cookie(routing.KV("session", "abc*"))}, fwd("d")),
		rule(10, "source-far", []routing.Condition{routing.SourceIP("10.0.0.0/8")}, routing.FixedResponse("403", "text/plain", "far")),
		rule(11, "source-local", []routing.Condition{routing.SourceIP("127.0.0.1/32"), routing.Path("/local")}, routing.FixedResponse("200", "text/plain", "local")),
		rule(12, "redirect-https", []routing.Condition{routing.Path("/old/*")},
			routing.Redirect(routing.RedirectConfig{HTTPCode: "301", Protocol: "HTTPS", Port: "443", Path: "/new"})),
		rule(13, "redirect-default", []routing.Condition{routing.Path("/moved")}, routing.Redirect(routing.RedirectConfig{Path: "/target"})),
		rule(14, "redirect-port", []routing.Condition{routing.Path("/port")}, routing.Redirect(routing.RedirectConfig{HTTPCode: "307", Host: "other.example.com", Path: "/p"})),
		rule(15, "rewrite", []routing.Condition{routing.Path("/rewrite/*")},
			routing.Rewrite(routing.RewriteConfig{Host: "backend.internal", Path: "/internal", Query: "a=1"}), fwd("a")),
		rule(16, "captures", []routing.Condition{routing.Path(`~^/cap/([a-z]+)$`)}, routing.Rewrite(routing.RewriteConfig{Path: "/captured/${1}"}), fwd("a")),
		rule(17, "insert", []routing.Condition{routing.Path("/hdr")},
			routing.InsertHeader("x-user", "u1"),
			routing.InsertHeaderFrom("x-copy", routing.ValueReferenceHeader, "x-source"),
			routing.InsertHeaderFrom("x-client-ip", routing.ValueSystemDefined, routing.SystemClientSrcIP),
			routing.InsertHeaderFrom("x-proto", routing.ValueSystemDefined, routing.SystemProtocol),
			fwd("a")),
		rule(18, "system", []routing.Condition{routing.Path("/sys")},
			routing.InsertHeaderFrom("x-slb", routing.ValueSystemDefined, routing.SystemSLBID),
			routing.InsertHeaderFrom("x-port", routing.ValueSystemDefined, routing.SystemSLBPort),
			routing.InsertHeaderFrom("x-srcport", routing.ValueSystemDefined, routing.SystemClientSrcPort),
			routing.RemoveHeader("x-secret"),
			fwd("a")),
		rule(19, "limit", []routing.Condition{routing.Path("/limit")}, routing.TrafficLimit(2, 0), fwd("a")),
		rule(20, "mirror", []routing.Condition{routing.Path("/mirror")}, routing.Mirror(sgs["mirror"]), fwd("a")),
		rule(21, "cors", []routing.Condition{routing.Path("/cors")}, routing.Cors(routing.CorsConfig{
			AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"x-token"},
			ExposeHeaders: []string{"x-trace"}, AllowCredentials: "on", MaxAge: 600}), fwd("a")),
		rule(22, "split", []routing.Condition{routing.Path("/split")}, routing.Forward(routing.Weighted(sgs["a"], 25), routing.Weighted(sgs["b"], 75))),
		rule(23, "wild-after-exact", []routing.Condition{routing.Host("*.example.com")}, fwd("c")),
		{Name: "not-found", Priority: 1, Direction: routing.DirectionResponse, Conditions: []routing.Condition{routing.ResponseStatusCode("404")},
			Actions: routing.InOrder(routing.InsertHeader("x-not-found", "yes"))},
		{Name: "drop-internal", Priority: 2, Direction: routing.DirectionResponse, Conditions: []routing.Condition{routing.ResponseHeader("x-flag", "drop")},
			Actions: routing.InOrder(routing.RemoveHeader("x-internal"))},
	}
	for _, r := range rules {
		addRule(t, s.c, lsn, r)
	}

	hdr := func(k, want string) func(*testing.T, answer) {
		return func(t *testing.T, a answer) {
			t.Helper()
			if got := a.echo.Header.Get(k); got != want {
				t.Errorf("backend saw %s %q, want %q", k, got, want)
			}
		}
	}
	loc := func(want string) func(*testing.T, answer) {
		return func(t *testing.T, a answer) {
			t.Helper()
			if got := a.header.Get("Location"); got != want {
				t.Errorf("Location %q, want %q", got, want)
			}
		}
	}
	body := func(want string) func(*testing.T, answer) {
		return func(t *testing.T, a answer) {
			t.Helper()
			if a.body != want {
				t.Errorf("body %q, want %q", a.body, want)
			}
		}
	}
	answerHdr := func(k, want string) func(*testing.T, answer) {
		return func(t *testing.T, a answer) {
			t.Helper()
			if got := a.header.Get(k); got != want {
				t.Errorf("answer %s %q, want %q", k, got, want)
			}
		}
	}
	all := func(fs ...func(*testing.T, answer)) func(*testing.T, answer) {
		return func(t *testing.T, a answer) {
			t.Helper()
			for _, f := range fs {
				f(t, a)
			}
		}
	}
	cases := []routeCase{
		{name: "exact host and path", host: "www.example.com", target: "/exact", status: 200, backend: "b"},
		{name: "exact host, other path: wildcard host rule", host: "www.example.com", target: "/other", status: 200, backend: "c"},
		{name: "exact host ignores case", host: "WWW.Example.COM", target: "/exact", status: 200, backend: "b"},
		{name: "exact host with port", host: "www.example.com:80", target: "/exact", status: 200, backend: "b"},
		{name: "path is case-sensitive", host: "www.example.com", target: "/EXACT", status: 200, backend: "c"},
		{name: "wildcard host", host: "shop.example.org", target: "/", status: 200, backend: "b"},
		{name: "wildcard host needs a label", host: "example.org", target: "/", status: 200, backend: "a"},
		{name: "regex host", host: "api12.example.net", target: "/", status: 200, backend: "c"},
		{name: "regex host miss", host: "apix.example.net", target: "/", status: 200, backend: "a"},
		{name: "fixed response", host: "x.test", target: "/static/site.css", status: 200, check: all(body("body{}"), answerHdr("Content-Type", "text/css"))},
		{name: "wildcard path needs the slash", host: "x.test", target: "/static", status: 200, backend: "a"},
		{name: "regex path ignores case", host: "x.test", target: "/IMG/logo.PNG", status: 200, backend: "d"},
		{name: "regex path miss", host: "x.test", target: "/img/logo.gif", status: 200, backend: "a"},
		{name: "header wildcard", host: "x.test", target: "/", headers: []string{"X-Env: canary-7"}, status: 200, backend: "b", check: hdr("X-Route", "canary")},
		{name: "header miss", host: "x.test", target: "/", headers: []string{"X-Env: prod"}, status: 200, backend: "a"},
		{name: "query", host: "x.test", target: "/q?version=v2&x=1", status: 200, backend: "c"},
		{name: "query case-insensitive", host: "x.test", target: "/q?VERSION=V2", status: 200, backend: "c"},
		{name: "query miss", host: "x.test", target: "/q?version=v3", status: 200, backend: "a"},
		{name: "method PUT", method: "PUT", host: "x.test", target: "/m", status: 405, check: body("no")},
		{name: "method DELETE", method: "DELETE", host: "x.test", target: "/m", status: 405},
		{name: "method GET passes", host: "x.test", target: "/m", status: 200, backend: "a"},
		{name: "cookie", host: "x.test", target: "/", headers: []string{"Cookie: theme=dark; session=abc123"}, status: 200, backend: "d"},
		{name: "cookie miss", host: "x.test", target: "/", headers: []string{"Cookie: session=xyz"}, status: 200, backend: "a"},
		{name: "source IP outside", host: "x.test", target: "/far", status: 200, backend: "a"},
		{name: "source IP inside and path", host: "x.test", target: "/local", status: 200, check: body("local")},
		{name: "redirect to https", host: "shop.test", target: "/old/page?x=1", status: 301, check: loc("https://shop.test/new?x=1")},
		{name: "redirect defaults keep the listener port", host: "www.example.com", target: "/moved", status: 302, check: loc("http://www.example.com/target")},
		{name: "redirect defaults from the local port", host: addr, target: "/moved", status: 302, check: loc("http://127.0.0.1/target")},
		{name: "redirect host", host: "x.test", target: "/port?k=v", status: 307, check: loc("http://other.example.com/p?k=v")},
		{name: "rewrite", host: "x.test", target: "/rewrite/x?orig=1", status: 200, backend: "a",
			check: func(t *testing.T, a answer) {
				if a.echo.Host != "backend.internal" || a.echo.Path != "/internal" || a.echo.RawQuery != "a=1" {
					t.Errorf("backend saw %s %s?%s", a.echo.Host, a.echo.Path, a.echo.RawQuery)
				}
			}},
		{name: "rewrite from captures", host: "x.test", target: "/cap/abc", status: 200, backend: "a",
			check: func(t *testing.T, a answer) {
				if a.echo.Path != "/captured/abc" || a.echo.Host != "x.test" {
					t.Errorf("backend saw %s %s", a.echo.Host, a.echo.Path)
				}
			}},
		{name: "insert headers", host: "x.test", target: "/hdr", headers: []string{"X-Source: from-client"}, status: 200, backend: "a",
			check: all(hdr("X-User", "u1"), hdr("X-Copy", "from-client"), hdr("X-Client-Ip", "127.0.0.1"), hdr("X-Proto", "http"))},
		{name: "reference header absent inserts nothing", host: "x.test", target: "/hdr", status: 200, backend: "a", check: hdr("X-Copy", "")},
		{name: "system headers and remove", host: "x.test", target: "/sys", headers: []string{"X-Secret: s3cret", "X-Keep: k"}, status: 200, backend: "a",
			check: func(t *testing.T, a answer) {
				if a.echo.Header.Get("X-Slb") != s.lb || a.echo.Header.Get("X-Port") != "80" || a.echo.Header.Get("X-Srcport") == "" ||
					a.echo.Header.Get("X-Secret") != "" || a.echo.Header.Get("X-Keep") != "k" {
					t.Errorf("backend saw %v", a.echo.Header)
				}
			}},
		{name: "limit 1", host: "x.test", target: "/limit", status: 200, backend: "a"},
		{name: "limit 2", host: "x.test", target: "/limit", status: 200, backend: "a"},
		{name: "limit 3 over QPS", host: "x.test", target: "/limit", status: routing.TrafficLimitedStatus, check: answerHdr("X-Albtest-Reason", "traffic-limited")},
		{name: "mirror", method: "POST", host: "x.test", target: "/mirror?m=1", status: 200, backend: "a",
			check: func(t *testing.T, a answer) {
				select {
				case e := <-mirrored:
					if e.Path != "/mirror" || e.RawQuery != "m=1" || e.Method != "POST" {
						t.Errorf("mirror got %+v", e)
					}
				case <-time.After(20 * time.Second):
					t.Error("the mirror group got no copy")
				}
			}},
		{name: "cors preflight", method: "OPTIONS", host: "x.test", target: "/cors",
			headers: []string{"Origin: https://app.example.com", "Access-Control-Request-Method: POST"}, status: 204,
			check: all(answerHdr("Access-Control-Allow-Origin", "https://app.example.com"), answerHdr("Access-Control-Allow-Methods", "GET, POST"),
				answerHdr("Access-Control-Allow-Headers", "x-token"), answerHdr("Access-Control-Max-Age", "600"), answerHdr("Access-Control-Allow-Credentials", "true"))},
		{name: "cors preflight from another origin", method: "OPTIONS", host: "x.test", target: "/cors",
			headers: []string{"Origin: https://evil.example.com", "Access-Control-Request-Method: POST"}, status: 403},
		{name: "cors request", host: "x.test", target: "/cors", headers: []string{"Origin: https://app.example.com"}, status: 200, backend: "a",
			check: all(answerHdr("Access-Control-Allow-Origin", "https://app.example.com"), answerHdr("Access-Control-Expose-Headers", "x-trace"))},
		{name: "cors request without origin", host: "x.test", target: "/cors", status: 200, backend: "a", check: answerHdr("Access-Control-Allow-Origin", "")},
		{name: "response rule on status", host: "x.test", target: "/?status=404", status: 404, backend: "a", check: answerHdr("X-Not-Found", "yes")},
		{name: "response rule on header", host: "x.test", target: "/?hdr=x-flag:drop&hdr=x-internal:1&hdr=x-other:2", status: 200, backend: "a",
			check: all(answerHdr("X-Internal", ""), answerHdr("X-Other", "2"))},
		{name: "response rule miss", host: "x.test", target: "/?hdr=x-internal:1", status: 200, backend: "a", check: answerHdr("X-Internal", "1")},
		{name: "default action", host: "nothing.test", target: "/anything", status: 200, backend: "a"},
	}
	c := client()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.method
			if m == "" {
				m = "GET"
			}
			a := request(t, c, m, addr, tc.host, tc.target, tc.headers...)
			if a.status != tc.status || a.echo.Backend != tc.backend {
				t.Fatalf("status %d from %q, want %d from %q (%s)", a.status, a.echo.Backend, tc.status, tc.backend, strings.TrimSpace(a.body))
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
	if len(cases) < 40 {
		t.Fatalf("%d cases, want at least 40", len(cases))
	}

	// The weighted rule splits 25/75 exactly over every run of 4 requests
	// (smooth weighted round robin: no statistical bound needed).
	counts := map[string]int{}
	for i := 0; i < 40; i++ {
		counts[request(t, c, "GET", addr, "x.test", "/split").echo.Backend]++
	}
	if counts["a"] != 10 || counts["b"] != 30 {
		t.Fatalf("split 25/75 over 40: %v", counts)
	}

	// The traffic limit refills as the clock moves: two more a second.
	clk.Advance(time.Second)
	if a := request(t, c, "GET", addr, "x.test", "/limit"); a.status != 200 {
		t.Fatalf("after a second: %d", a.status)
	}
}
