package routing

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
)

// bench100 is a listener with 100 rules of the usual shapes: exact and
// wildcard hosts with wildcard paths, a few with a header, a query or a
// source block.
func bench100() Table {
	t := Table{Protocol: "HTTP", Port: 80, LoadBalancerID: "alb-bench", Default: []string{"sg-default"}}
	for i := range 100 {
		conds := []Condition{Host(fmt.Sprintf("svc%d.example.com", i)), Path(fmt.Sprintf("/api/v%d/*", i), "/static/*")}
		switch i % 10 {
		case 3:
			conds[0] = Host(fmt.Sprintf("*.svc%d.example.com", i))
		case 5:
			conds = append(conds, Header("x-canary", "true"))
		case 7:
			conds = append(conds, Query(KV("env", "prod*")))
		case 9:
			conds = append(conds, SourceIP("10.0.0.0/8", "2001:db8::/32"))
		}
		t.Rules = append(t.Rules, Rule{ID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("rule%d", i), Priority: i + 1,
			Conditions: conds, Actions: InOrder(ForwardTo(fmt.Sprintf("sg-%d", i)))})
	}
	return t
}

// BenchmarkDecide100Rules (figures: BENCHMARKS.md, section 8) decides against 100 rules: a request that matches
// the 99th rule, and one that matches none (the default action).
func BenchmarkDecide100Rules(b *testing.B) {
	r := MustCompile(bench100())
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"*/*"}, "Cookie": {"a=1; b=2"}}
	cases := map[string]Request{
		"match-near-end": {Method: "GET", Host: "svc98.example.com:80", Path: "/api/v98/items/7", RawQuery: "page=2", Header: h,
			SourceIP: netip.MustParseAddr("192.0.2.1"), SourcePort: 50000},
		"no-match-default": {Method: "GET", Host: "www.other.com", Path: "/index.html", RawQuery: "env=dev", Header: h,
			SourceIP: netip.MustParseAddr("192.0.2.1"), SourcePort: 50000},
	}
	want := map[string]string{"match-near-end": "r98", "no-match-default": ""}
	for _, name := range []string{"match-near-end", "no-match-default"} {
		req := cases[name]
		if d := r.Decide(&req); d.Rule != want[name] {
			b.Fatalf("%s decided by %q", name, d.Rule)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = r.Decide(&req)
			}
		})
	}
}

// BenchmarkDecideActions decides a rule with a rewrite from regex captures,
// system-defined header inserts and a redirect.
func BenchmarkDecideActions(b *testing.B) {
	t := Table{Protocol: "HTTP", Port: 80, LoadBalancerID: "alb-bench", Default: []string{"sg-default"}, Rules: []Rule{
		{ID: "rw", Name: "rw", Priority: 1, Conditions: []Condition{Path(`~^/sys/(\w+)/(\w+)$`)},
			Actions: InOrder(Rewrite(RewriteConfig{Path: "/${1}/${2}"}), InsertHeaderFrom("x-ip", ValueSystemDefined, SystemClientSrcIP), ForwardTo("sg-1"))},
		{ID: "rd", Name: "rd", Priority: 2, Conditions: []Condition{Path("/*")},
			Actions: InOrder(Redirect(RedirectConfig{HTTPCode: "301", Protocol: "HTTPS", Port: "443"}))},
	}}
	r := MustCompile(t)
	for _, c := range []struct{ name, path string }{{"rewrite", "/sys/a/b"}, {"redirect", "/page"}} {
		req := Request{Method: "GET", Host: "a.com", Path: c.path, SourceIP: netip.MustParseAddr("192.0.2.1")}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = r.Decide(&req)
			}
		})
	}
}

// BenchmarkCompile100Rules is the cost of compiling the 100-rule table.
func BenchmarkCompile100Rules(b *testing.B) {
	t := bench100()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(t); err != nil {
			b.Fatal(err)
		}
	}
}
