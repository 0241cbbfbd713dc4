package routing

import (
	"net/http"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// fwd is a rule forwarding to "sg-"+id, the name derived from the id.
func fwd(id string, priority int, conds ...Condition) Rule {
	return Rule{ID: id, Name: "r-" + id, Priority: priority, Conditions: conds, Actions: InOrder(ForwardTo("sg-" + id))}
}

// with returns r with its actions replaced (numbered in order).
func with(r Rule, actions ...Action) Rule {
	r.Actions = InOrder(actions...)
	return r
}

// rq builds a request: target is "/path?query" (the path percent-decoded as
// url.URL.Path is), headers are "Name: value" lines (several with the same
// name are kept as separate fields, non-canonical names as written).
func rq(method, host, target string, headers ...string) Request {
	path, query, _ := strings.Cut(target, "?")
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	h := http.Header{}
	for _, line := range headers {
		k, v, _ := strings.Cut(line, ":")
		h[k] = append(h[k], strings.TrimSpace(v)) // as written: tests non-canonical keys too
	}
	return Request{Method: method, Host: host, Path: path, RawQuery: query, Header: h,
		SourceIP: netip.MustParseAddr("198.51.100.7"), SourcePort: 40000}
}

func from(r Request, ip string) Request {
	r.SourceIP = netip.Addr{}
	if ip != "" {
		r.SourceIP = netip.MustParseAddr(ip)
	}
	return r
}

type reqCase struct {
	name  string
	rules []Rule // overrides the group's rules
	req   Request
	want  string // matching rule ID, "" for the default action
	// invalid names the check the case's table breaks on purpose ("" when
	// the table must pass Check).
	invalid string
	check   func(t *testing.T, d Decision)
}

type caseGroup struct {
	name  string
	table Table
	cases []reqCase
}

const defaultGroup = "sg-default"

func baseTable(rules ...Rule) Table {
	return Table{Protocol: "HTTP", Port: 80, LoadBalancerID: "alb-test", Rules: rules, Default: []string{defaultGroup}}
}

func wantLocation(code int, loc string) func(*testing.T, Decision) {
	return func(t *testing.T, d Decision) {
		t.Helper()
		if d.Final != ActionRedirect || d.Redirect == nil {
			t.Fatalf("final %s, redirect %v; want a redirect", d.Final, d.Redirect)
		}
		if d.Redirect.StatusCode != code || d.Redirect.Location != loc {
			t.Errorf("redirect %d %q; want %d %q", d.Redirect.StatusCode, d.Redirect.Location, code, loc)
		}
	}
}

func wantRewrite(host, path, query string) func(*testing.T, Decision) {
	return func(t *testing.T, d Decision) {
		t.Helper()
		if d.Rewrite == nil {
			t.Fatal("no rewrite")
		}
		if got := *d.Rewrite; got != (Rewritten{host, path, query}) {
			t.Errorf("rewrite %+v; want %+v", got, Rewritten{host, path, query})
		}
	}
}

func wantInserts(want ...HeaderInsert) func(*testing.T, Decision) {
	return func(t *testing.T, d Decision) {
		t.Helper()
		if len(want) == 0 && len(d.InsertHeaders) == 0 {
			return
		}
		if !reflect.DeepEqual(d.InsertHeaders, want) {
			t.Errorf("inserts %+v; want %+v", d.InsertHeaders, want)
		}
	}
}

func requestCases() []caseGroup {
	get := func(host, target string, headers ...string) Request { return rq("GET", host, target, headers...) }
	return []caseGroup{
		{name: "host", table: baseTable(
			fwd("exact", 10, Host("www.example.com")),
			fwd("star-prefix", 20, Host("*.example.com")),
			fwd("star-suffix", 30, Host("www.example.*")),
			fwd("qmark", 40, Host("api?.test.com")),
			fwd("multi", 50, Host("a.one.com", "b.two.com")),
			fwd("mid", 60, Host("img.*.cdn.com")),
		), cases: []reqCase{
			{name: "exact", req: get("www.example.com", "/"), want: "exact"},
			{name: "exact ignores case", req: get("WWW.Example.COM", "/"), want: "exact"},
			{name: "exact ignores port", req: get("www.example.com:8080", "/"), want: "exact"},
			{name: "exact ignores trailing dot", req: get("www.example.com.", "/"), want: "exact"},
			{name: "wildcard prefix", req: get("api.example.com", "/"), want: "star-prefix"},
			{name: "star spans labels", req: get("a.b.example.com", "/"), want: "star-prefix"},
			{name: "wildcard with case and port", req: get("Api.Example.Com:80", "/"), want: "star-prefix"},
			{name: "star needs its dot", req: get("example.com", "/"), want: ""},
			{name: "wildcard suffix", req: get("www.example.org", "/"), want: "star-suffix"},
			{name: "wildcard suffix many labels", req: get("www.example.co.uk", "/"), want: "star-suffix"},
			{name: "suffix literal must match", req: get("wwwx.example.org", "/"), want: ""},
			{name: "question mark one char", req: get("api1.test.com", "/"), want: "qmark"},
			{name: "question mark not two", req: get("api12.test.com", "/"), want: ""},
			{name: "question mark not zero", req: get("api.test.com", "/"), want: ""},
			{name: "values ORed first", req: get("a.one.com", "/"), want: "multi"},
			{name: "values ORed second with case and port", req: get("B.TWO.COM:443", "/"), want: "multi"},
			{name: "values ORed none", req: get("c.one.com", "/"), want: ""},
			{name: "star in the middle", req: get("img.eu.cdn.com", "/"), want: "mid"},
			{name: "star in the middle needs both dots", req: get("img.cdn.com", "/"), want: ""},
			{name: "no host header", req: get("", "/"), want: ""},
			{name: "ipv6 literal", req: get("[::1]:80", "/"), want: ""},
		}},
		{name: "path", table: baseTable(
			fwd("exact", 10, Path("/login")),
			fwd("api-v2", 20, Path("/api/v2/*")),
			fwd("api", 30, Path("/api/*")),
			fwd("img", 40, Path("/*.jpg")),
			fwd("q", 50, Path("/file?.txt")),
			fwd("multi", 60, Path("/a", "/b/*")),
		), cases: []reqCase{
			{name: "exact", req: get("x.com", "/login"), want: "exact"},
			{name: "case-sensitive", req: get("x.com", "/Login"), want: ""},
			{name: "exact is not a prefix", req: get("x.com", "/login/"), want: ""},
			{name: "query is not part of the path", req: get("x.com", "/login?next=/home"), want: "exact"},
			{name: "wildcard", req: get("x.com", "/api/v2/users"), want: "api-v2"},
			{name: "wildcard matches empty rest", req: get("x.com", "/api/v2/"), want: "api-v2"},
			{name: "first by priority not longest", req: get("x.com", "/api/v1/users/7"), want: "api"},
			{name: "no trailing slash falls to broader", req: get("x.com", "/api/v2"), want: "api"},
			{name: "prefix needs slash", req: get("x.com", "/api"), want: ""},
			{name: "wildcard case-sensitive", req: get("x.com", "/API/v2/x"), want: ""},
			{name: "suffix wildcard", req: get("x.com", "/images/cat.jpg"), want: "img"},
			{name: "suffix wildcard case", req: get("x.com", "/images/cat.JPG"), want: ""},
			{name: "question mark", req: get("x.com", "/file1.txt"), want: "q"},
			{name: "question mark one only", req: get("x.com", "/file12.txt"), want: ""},
			{name: "values ORed exact", req: get("x.com", "/a"), want: "multi"},
			{name: "values ORed wildcard", req: get("x.com", "/b/c/d"), want: "multi"},
			{name: "decoded path", req: get("x.com", "/api%2Fv2/x"), want: "api-v2"},
			{name: "root", req: get("x.com", "/"), want: ""},
		}},
		{name: "regex", table: baseTable(
			fwd("host-re", 10, Host(`~^(.+)\.regex\.com$`)),
			fwd("path-cs", 20, Path(`~^/Case/[0-9]+$`)),
			fwd("path-ci", 30, Path(`~*^/nocase/[a-z]+$`)),
			fwd("path-search", 40, Path(`~/mid/`)),
		), cases: []reqCase{
			{name: "host regex", req: get("foo.regex.com", "/"), want: "host-re"},
			{name: "host regex ignores case", req: get("FOO.Regex.COM", "/"), want: "host-re"},
			{name: "host regex anchored by $", req: get("x.regex.com.cn", "/"), want: ""},
			{name: "path ~ case-sensitive", req: get("x.com", "/Case/12"), want: "path-cs"},
			{name: "path ~ refuses other case", req: get("x.com", "/case/12"), want: ""},
			{name: "path ~* upper", req: get("x.com", "/NOCASE/ABC"), want: "path-ci"},
			{name: "path ~* lower", req: get("x.com", "/nocase/abc"), want: "path-ci"},
			{name: "unanchored regex searches", req: get("x.com", "/a/mid/b"), want: "path-search"},
			{name: "unanchored still needs the text", req: get("x.com", "/amid"), want: ""},
		}},
		{name: "header", table: baseTable(
			fwd("exact", 10, Header("X-Canary", "true")),
			fwd("glob", 20, Header("user-agent", "*Mobile*")),
			fwd("multi", 30, Header("x-env", "staging", "qa?")),
			fwd("and", 40, Header("x-a", "1"), Header("x-b", "2")),
		), cases: []reqCase{
			{name: "canonical key", req: get("x.com", "/", "X-Canary: true"), want: "exact"},
			{name: "key and value ignore case", req: get("x.com", "/", "x-canary: TRUE"), want: "exact"},
			{name: "other value", req: get("x.com", "/", "X-Canary: false"), want: ""},
			{name: "absent", req: get("x.com", "/"), want: ""},
			{name: "glob value", req: get("x.com", "/", "User-Agent: Foo Mobile Safari"), want: "glob"},
			{name: "glob value misses", req: get("x.com", "/", "User-Agent: Desktop"), want: ""},
			{name: "values ORed wildcard", req: get("x.com", "/", "X-Env: qa1"), want: "multi"},
			{name: "values ORed exact", req: get("x.com", "/", "X-Env: staging"), want: "multi"},
			{name: "values ORed none", req: get("x.com", "/", "X-Env: prod"), want: ""},
			{name: "any field of a repeated header", req: get("x.com", "/", "X-Env: prod", "X-Env: staging"), want: "multi"},
			{name: "conditions ANDed both", req: get("x.com", "/", "X-A: 1", "X-B: 2"), want: "and"},
			{name: "conditions ANDed one", req: get("x.com", "/", "X-A: 1"), want: ""},
		}},
		{name: "query", table: baseTable(
			fwd("env", 10, Query(KV("env", "prod"))),
			fwd("glob", 20, Query(KV("ver*", "2?"))),
			fwd("or", 30, Query(KV("a", "1"), KV("b", "2"))),
		), cases: []reqCase{
			{name: "pair", req: get("x.com", "/?env=prod"), want: "env"},
			{name: "pair ignores case", req: get("x.com", "/?ENV=PROD"), want: "env"},
			{name: "pair among others", req: get("x.com", "/?x=1&env=prod"), want: "env"},
			{name: "value exact", req: get("x.com", "/?env=production"), want: ""},
			{name: "key without value", req: get("x.com", "/?env"), want: ""},
			{name: "glob key and value", req: get("x.com", "/?version=21"), want: "glob"},
			{name: "glob value length", req: get("x.com", "/?ver=2"), want: ""},
			{name: "pairs ORed", req: get("x.com", "/?b=2"), want: "or"},
			{name: "pair needs key and value together", req: get("x.com", "/?a=2&b=1"), want: ""},
			{name: "percent-decoded", req: get("x.com", "/?env=pr%6Fd"), want: "env"},
			{name: "no query", req: get("x.com", "/"), want: ""},
		}},
		{name: "cookie", table: baseTable(
			fwd("session", 10, Cookie(KV("session", "abc*"))),
			fwd("beta", 20, Cookie(KV("beta", "yes"))),
		), cases: []reqCase{
			{name: "cookie", req: get("x.com", "/", "Cookie: session=abc123"), want: "session"},
			{name: "among others", req: get("x.com", "/", "Cookie: a=1; session=abcd"), want: "session"},
			{name: "ignores case", req: get("x.com", "/", "Cookie: SESSION=ABC"), want: "session"},
			{name: "other value", req: get("x.com", "/", "Cookie: session=xyz"), want: ""},
			{name: "quoted value", req: get("x.com", "/", `Cookie: beta="yes"`), want: "beta"},
			{name: "second Cookie field", req: get("x.com", "/", "Cookie: a=1", "Cookie: beta=yes"), want: "beta"},
			{name: "no cookie", req: get("x.com", "/"), want: ""},
		}},
		{name: "method", table: baseTable(fwd("write", 10, Method("POST", "PUT"))), cases: []reqCase{
			{name: "POST", req: rq("POST", "x.com", "/"), want: "write"},
			{name: "PUT", req: rq("PUT", "x.com", "/"), want: "write"},
			{name: "GET", req: rq("GET", "x.com", "/"), want: ""},
			{name: "methods are case-sensitive", req: rq("post", "x.com", "/"), want: ""},
		}},
		{name: "source ip", table: baseTable(
			fwd("v4", 10, SourceIP("10.0.0.0/8")),
			fwd("single", 20, SourceIP("192.168.1.10")),
			fwd("v6", 30, SourceIP("2001:db8::/32")),
		), cases: []reqCase{
			{name: "in block", req: from(get("x.com", "/"), "10.1.2.3"), want: "v4"},
			{name: "outside block", req: from(get("x.com", "/"), "11.0.0.1"), want: ""},
			{name: "single address", req: from(get("x.com", "/"), "192.168.1.10"), want: "single"},
			{name: "next address", req: from(get("x.com", "/"), "192.168.1.11"), want: ""},
			{name: "ipv4-mapped", req: from(get("x.com", "/"), "::ffff:10.9.9.9"), want: "v4"},
			{name: "ipv6 block", req: from(get("x.com", "/"), "2001:db8::1"), want: "v6"},
			{name: "ipv6 outside", req: from(get("x.com", "/"), "2001:db9::1"), want: ""},
			{name: "unknown source", req: from(get("x.com", "/"), ""), want: ""},
		}},
		{name: "priority", table: baseTable(), cases: []reqCase{
			{name: "by priority, not list order", rules: []Rule{fwd("wild", 20, Host("*.example.com")), fwd("exact", 10, Host("app.example.com"))},
				req: get("app.example.com", "/"), want: "exact"},
			{name: "no reordering by specificity", rules: []Rule{fwd("wild", 5, Host("*.example.com")), fwd("exact", 10, Host("app.example.com"))},
				req: get("app.example.com", "/"), want: "wild"},
			{name: "host and path ANDed: path misses", rules: []Rule{fwd("both", 1, Host("a.com"), Path("/x"))},
				req: get("a.com", "/y"), want: ""},
			{name: "host and path ANDed: both hold", rules: []Rule{fwd("both", 1, Host("a.com"), Path("/x"))},
				req: get("a.com", "/x"), want: "both"},
			{name: "equal priorities in list order", rules: []Rule{fwd("first", 7, Path("/*")), fwd("second", 7, Path("/*"))},
				req: get("a.com", "/z"), want: "first", invalid: RulePriorityUnique},
			{name: "response rules do not route requests",
				rules: []Rule{{ID: "out", Name: "out", Priority: 1, Direction: DirectionResponse, Conditions: []Condition{Path("/*")}, Actions: InOrder(InsertHeader("x-a", "b"))}},
				req:   get("a.com", "/"), want: ""},
			{name: "default forwards to the listener's group", req: get("a.com", "/"), want: "",
				check: func(t *testing.T, d Decision) {
					if d.Final != ActionForwardGroup || !reflect.DeepEqual(d.Forward, []ServerGroupTuple{{defaultGroup, 100}}) || d.RuleIndex != -1 {
						t.Errorf("default decision %+v", d)
					}
				}},
			{name: "weights and stickiness", rules: []Rule{with(fwd("canary", 1, Header("x-canary", "*")), Forward(Weighted("sg-a", 80), Weighted("sg-b", 20)).Sticky(0))},
				req: get("a.com", "/", "X-Canary: 1"), want: "canary",
				check: func(t *testing.T, d Decision) {
					if !reflect.DeepEqual(d.Forward, []ServerGroupTuple{{"sg-a", 80}, {"sg-b", 20}}) || d.StickySession != (StickySession{true, DefaultStickyTimeout}) {
						t.Errorf("forward %+v sticky %+v", d.Forward, d.StickySession)
					}
				}},
			{name: "every condition type at once", rules: []Rule{fwd("all", 1, Host("*.a.com"), Path("/p/*"), Header("x-h", "v"), Query(KV("q", "1")),
				Method("GET"), Cookie(KV("c", "1")), SourceIP("198.51.100.0/24"))},
				req: get("w.a.com", "/p/x?q=1", "X-H: v", "Cookie: c=1"), want: "all"},
			{name: "every condition type but one", rules: []Rule{fwd("all", 1, Host("*.a.com"), Path("/p/*"), Header("x-h", "v"), Query(KV("q", "1")),
				Method("GET"), Cookie(KV("c", "1")), SourceIP("203.0.113.0/24"))},
				req: get("w.a.com", "/p/x?q=1", "X-H: v", "Cookie: c=1"), want: ""},
		}},
		{name: "redirect", table: baseTable(), cases: []reqCase{
			{name: "http to https on 443", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{HTTPCode: "301", Protocol: "HTTPS", Port: "443"}))},
				req: get("www.example.com", "/page?x=1"), want: "r", check: wantLocation(301, "https://www.example.com/page?x=1")},
			{name: "https keeps the listener port", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{Protocol: "HTTPS"}))},
				req: get("www.example.com", "/page"), want: "r", check: wantLocation(guessRedirectDefaultCode, "https://www.example.com:80/page")},
			{name: "new host, default port omitted", rules: []Rule{with(fwd("r", 1, Host("old.example.com")), Redirect(RedirectConfig{HTTPCode: "302", Host: "new.example.com"}))},
				req: get("old.example.com:80", "/p?x=1"), want: "r", check: wantLocation(302, "http://new.example.com/p?x=1")},
			{name: "path around ${path}", rules: []Rule{with(fwd("r", 1, Path("/old/*")), Redirect(RedirectConfig{HTTPCode: "307", Path: "/new${path}"}))},
				req: get("a.com", "/old/x"), want: "r", check: wantLocation(307, "http://a.com/new/old/x")},
			{name: "query replaced", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{HTTPCode: "303", Query: "from=old"}))},
				req: get("a.com", "/p?x=1"), want: "r", check: wantLocation(303, "http://a.com/p?from=old")},
			{name: "empty query has no '?'", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{HTTPCode: "308", Host: "b.com"}))},
				req: get("a.com", "/p"), want: "r", check: wantLocation(308, "http://b.com/p")},
			{name: "path escaped", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{HTTPCode: "301", Host: "b.com"}))},
				req: get("a.com", "/a%20b"), want: "r", check: wantLocation(301, "http://b.com/a%20b")},
			{name: "${host} and ${protocol} in path", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{HTTPCode: "301", Host: "hub.com", Path: "/${protocol}/${host}${path}"}))},
				req: get("Shop.com:80", "/x"), want: "r", check: wantLocation(301, "http://hub.com/http/Shop.com/x")},
		}},
		{name: "redirect on 8080", table: Table{Protocol: "HTTP", Port: 8080, Default: []string{defaultGroup}}, cases: []reqCase{
			{name: "listener port kept", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{HTTPCode: "301", Host: "b.com"}))},
				req: get("a.com:54321", "/p"), want: "r", check: wantLocation(301, "http://b.com:8080/p")},
			{name: "explicit port", rules: []Rule{with(fwd("r", 1, Path("/*")), Redirect(RedirectConfig{HTTPCode: "301", Port: "9090"}))},
				req: get("a.com", "/p"), want: "r", check: wantLocation(301, "http://a.com:9090/p")},
		}},
		{name: "redirect on https", table: Table{Protocol: "HTTPS", Port: 443, Default: []string{defaultGroup}}, cases: []reqCase{
			{name: "https default port omitted", rules: []Rule{with(fwd("r", 1, Path("/old")), Redirect(RedirectConfig{HTTPCode: "301", Path: "/new"}))},
				req: get("a.com", "/old?k=v"), want: "r", check: wantLocation(301, "https://a.com/new?k=v")},
		}},
		{name: "rewrite", table: baseTable(), cases: []reqCase{
			{name: "documented capture example", rules: []Rule{with(fwd("rw", 1, Path(`~/sys/(.*)/(.*)/aaa`)), Rewrite(RewriteConfig{Path: "/${1}/${2}"}), ForwardTo("sg-rw"))},
				req: get("a.com", "/sys/x/y/aaa?k=1"), want: "rw", check: wantRewrite("a.com", "/x/y", "k=1")},
			{name: "host only", rules: []Rule{with(fwd("rw", 1, Path("/*")), Rewrite(RewriteConfig{Host: "backend.internal"}), ForwardTo("sg-rw"))},
				req: get("a.com:80", "/p?q=1"), want: "rw", check: wantRewrite("backend.internal", "/p", "q=1")},
			{name: "host capture into query", rules: []Rule{with(fwd("rw", 1, Host(`~^(.+)\.shop\.com$`)), Rewrite(RewriteConfig{Query: "store=${1}"}), ForwardTo("sg-rw"))},
				req: get("toys.shop.com", "/"), want: "rw", check: wantRewrite("toys.shop.com", "/", "store=toys")},
			{name: "captures numbered across conditions", rules: []Rule{with(fwd("rw", 1, Host(`~^(\w+)\.a\.com$`), Path(`~^/v(\d+)/`)), Rewrite(RewriteConfig{Path: "/${1}/${2}"}), ForwardTo("sg-rw"))},
				req: get("eu.a.com", "/v3/items"), want: "rw", check: wantRewrite("eu.a.com", "/eu/3", "")},
			{name: "defaults keep everything", rules: []Rule{with(fwd("rw", 1, Path("/*")), Rewrite(RewriteConfig{Host: "${host}", Path: "${path}", Query: "${query}"}), ForwardTo("sg-rw"))},
				req: get("a.com", "/p?q=1"), want: "rw", check: wantRewrite("a.com", "/p", "q=1")},
			{name: "redirect with captures", rules: []Rule{with(fwd("rd", 1, Path(`~*^/Docs/(.+)$`)), Redirect(RedirectConfig{HTTPCode: "301", Host: "docs.a.com", Path: "/${1}"}))},
				req: get("a.com", "/docs/intro"), want: "rd", check: wantLocation(301, "http://docs.a.com/intro")},
		}},
		{name: "extension actions", table: baseTable(), cases: []reqCase{
			{name: "user-defined insert", rules: []Rule{with(fwd("h", 1, Path("/*")), InsertHeader("x-team", "blue"), ForwardTo("sg-h"))},
				req: get("a.com", "/"), want: "h", check: wantInserts(HeaderInsert{Key: "x-team", Value: "blue"})},
			{name: "reference header copied", rules: []Rule{with(fwd("h", 1, Path("/*")), InsertHeaderFrom("x-ua", ValueReferenceHeader, "user-agent"), ForwardTo("sg-h"))},
				req: get("a.com", "/", "User-Agent: curl/8"), want: "h", check: wantInserts(HeaderInsert{Key: "x-ua", Value: "curl/8"})},
			{name: "absent reference header inserts nothing", rules: []Rule{with(fwd("h", 1, Path("/*")), InsertHeaderFrom("x-ua", ValueReferenceHeader, "user-agent"), ForwardTo("sg-h"))},
				req: get("a.com", "/"), want: "h", check: wantInserts()},
			{name: "system-defined values", rules: []Rule{with(fwd("h", 1, Path("/*")),
				InsertHeaderFrom("x-ip", ValueSystemDefined, SystemClientSrcIP), InsertHeaderFrom("x-port", ValueSystemDefined, SystemClientSrcPort),
				InsertHeaderFrom("x-proto", ValueSystemDefined, SystemProtocol), InsertHeaderFrom("x-slb", ValueSystemDefined, SystemSLBID),
				InsertHeaderFrom("x-slbport", ValueSystemDefined, SystemSLBPort), ForwardTo("sg-h"))},
				req: get("a.com", "/"), want: "h", check: wantInserts(HeaderInsert{Key: "x-ip", Value: "198.51.100.7"}, HeaderInsert{Key: "x-port", Value: "40000"},
					HeaderInsert{Key: "x-proto", Value: "http"}, HeaderInsert{Key: "x-slb", Value: "alb-test"}, HeaderInsert{Key: "x-slbport", Value: "80"})},
			{name: "actions run by Order, not list order", rules: []Rule{{ID: "h", Name: "hh", Priority: 1, Conditions: []Condition{Path("/*")}, Actions: []Action{
				ordered(ForwardTo("sg-h"), 9), ordered(InsertHeader("x-second", "2"), 5), ordered(InsertHeader("x-first", "1"), 2), ordered(RemoveHeader("x-secret"), 3)}}},
				req: get("a.com", "/"), want: "h", check: func(t *testing.T, d Decision) {
					wantInserts(HeaderInsert{Key: "x-first", Value: "1"}, HeaderInsert{Key: "x-second", Value: "2"})(t, d)
					if !reflect.DeepEqual(d.RemoveHeaders, []string{"x-secret"}) || d.Final != ActionForwardGroup {
						t.Errorf("removes %v final %s", d.RemoveHeaders, d.Final)
					}
				}},
			{name: "limit, mirror, cors and fixed response", rules: []Rule{with(fwd("x", 1, Path("/*")), TrafficLimit(100, 10), Mirror("sg-shadow"),
				Cors(CorsConfig{AllowOrigins: []string{"*"}}), FixedResponse("503", "text/plain", "down"))},
				req: get("a.com", "/"), want: "x", check: func(t *testing.T, d Decision) {
					if d.TrafficLimit == nil || *d.TrafficLimit != (TrafficLimitConfig{100, 10}) || !reflect.DeepEqual(d.Mirror, []string{"sg-shadow"}) ||
						d.Cors == nil || d.FixedResponse == nil || *d.FixedResponse != (FixedAnswer{503, "text/plain", "down"}) || d.Forward != nil {
						t.Errorf("decision %+v", d)
					}
				}},
		}},
	}
}

func ordered(a Action, order int) Action {
	a.Order = order
	return a
}

// TestDecideRequests is the table of request cases taken from the
// reference's matching rules (section 5): every case is decided, explained,
// and the explanation must agree.
func TestDecideRequests(t *testing.T) {
	n := 0
	for _, g := range requestCases() {
		for _, c := range g.cases {
			n++
			t.Run(g.name+"/"+c.name, func(t *testing.T) {
				tab := g.table
				if c.rules != nil {
					tab.Rules = c.rules
				}
				errs := Errors(Check(tab))
				if c.invalid != "" && (len(errs) != 1 || errs[0].Rule != c.invalid) {
					t.Fatalf("the case's table should break %s only: %v", c.invalid, errs)
				}
				if c.invalid == "" && len(errs) > 0 {
					t.Fatalf("the case's table is not valid: %v", errs)
				}
				r, err := Compile(tab)
				if err != nil {
					t.Fatal(err)
				}
				req := c.req
				d := r.Decide(&req)
				if c.want == "" {
					if !d.Default || d.Rule != "" || d.RuleIndex != -1 {
						t.Fatalf("decided by rule %q (%d); want the default action", d.Rule, d.RuleIndex)
					}
				} else if d.Default || d.Rule != c.want {
					t.Fatalf("decided by %q (default %v); want rule %q", d.Rule, d.Default, c.want)
				}
				if c.check != nil {
					c.check(t, d)
				}
				assertExplainAgrees(t, r, &req, d)
			})
		}
	}
	if n < 100 {
		t.Errorf("%d request cases; the acceptance asks for at least 100", n)
	}
}

// assertExplainAgrees checks Explain against Decide: the same decision, the
// last step the matching rule, every other step unmatched with a reason per
// missed condition.
func assertExplainAgrees(t *testing.T, r *Router, req *Request, d Decision) {
	t.Helper()
	e := r.Explain(req)
	if !reflect.DeepEqual(e.Decision, d) {
		t.Fatalf("Explain decided %+v; Decide %+v", e.Decision, d)
	}
	for i, s := range e.Steps {
		last := i == len(e.Steps)-1
		if s.Matched != (last && !d.Default) {
			t.Fatalf("step %d (%s) matched=%v; decision default=%v rule=%q", i, s.Rule, s.Matched, d.Default, d.Rule)
		}
		if !s.Matched && len(s.Misses) == 0 {
			t.Fatalf("step %d (%s) did not match but names no missed condition", i, s.Rule)
		}
		for _, m := range s.Misses {
			if m.Reason == "" {
				t.Fatalf("step %d: condition %d missed without a reason", i, m.Condition)
			}
		}
		if last && !d.Default && (s.RuleIndex != d.RuleIndex || s.Rule != d.Rule) {
			t.Fatalf("last step is %s, decision %s", s.Rule, d.Rule)
		}
	}
	if d.Default && len(e.Steps) != len(r.request) {
		t.Fatalf("default decision after %d steps; the router has %d request rules", len(e.Steps), len(r.request))
	}
}

func TestExplainReasons(t *testing.T) {
	tab := baseTable(
		fwd("api", 10, Host("api.example.com")),
		fwd("admin", 20, Path("/admin/*"), Header("X-Role", "admin")),
		fwd("ops", 30, Method("DELETE"), SourceIP("10.0.0.0/8")),
		fwd("beta", 40, Query(KV("beta", "1")), Cookie(KV("beta", "on"))),
	)
	r := MustCompile(tab)
	req := rq("GET", "www.example.com:80", "/admin/x?beta=0")
	e := r.Explain(&req)
	want := []string{
		`Host "www.example.com" does not match "api.example.com"`,
		`Header "X-Role" is absent`,
		`Method "GET" is not "DELETE"`,
		`SourceIp 198.51.100.7 is not in 10.0.0.0/8`,
		`QueryString "beta=0" has no parameter matching "beta=1"`,
		`there is no Cookie header; it needs a cookie matching "beta=on"`,
	}
	var got []string
	for _, s := range e.Steps {
		for _, m := range s.Misses {
			got = append(got, m.Reason)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Rule "admin": its Path matched, only the Header missed.
	if m := e.Steps[1].Misses; len(m) != 1 || m[0].Condition != 1 || m[0].Type != ConditionHeader {
		t.Errorf("admin misses %+v; want the Header condition only", m)
	}
	s := e.String()
	for _, line := range []string{"rule api (priority 10) did not match", "  Conditions[0]: Host \"www.example.com\" does not match \"api.example.com\"",
		"=> default action: forward to sg-default (100)"} {
		if !strings.Contains(s, line) {
			t.Errorf("Explanation.String() lacks %q:\n%s", line, s)
		}
	}
}

func TestDecideResponse(t *testing.T) {
	tab := baseTable(
		Rule{ID: "hide", Name: "hide", Priority: 10, Direction: DirectionResponse,
			Conditions: []Condition{ResponseHeader("Server", "nginx*")}, Actions: InOrder(RemoveHeader("server"))},
		Rule{ID: "err", Name: "err", Priority: 20, Direction: DirectionResponse,
			Conditions: []Condition{ResponseStatusCode("500", "503"), Path("/api/*")},
			Actions:    InOrder(InsertHeader("x-retry", "yes"), InsertHeaderFrom("x-req", ValueReferenceHeader, "x-request-id"))},
	)
	r := MustCompile(tab)
	req := rq("GET", "a.com", "/api/x")
	cases := []struct {
		name   string
		resp   Response
		want   string
		insert []HeaderInsert
		remove []string
	}{
		{"header glob", Response{200, http.Header{"Server": {"nginx/1.25"}}}, "hide", nil, []string{"server"}},
		{"status and request path", Response{503, http.Header{"X-Request-Id": {"abc"}}}, "err",
			[]HeaderInsert{{Key: "x-retry", Value: "yes"}, {Key: "x-req", Value: "abc"}}, nil},
		{"status not listed", Response{404, http.Header{}}, "", nil, nil},
	}
	for _, c := range cases {
		d := r.DecideResponse(&req, &c.resp)
		if d.Matched != (c.want != "") || d.Rule != c.want || !reflect.DeepEqual(d.InsertHeaders, c.insert) || !reflect.DeepEqual(d.RemoveHeaders, c.remove) {
			t.Errorf("%s: %+v", c.name, d)
		}
		e := r.ExplainResponse(&req, &c.resp)
		if !reflect.DeepEqual(e.Decision, d) {
			t.Errorf("%s: ExplainResponse %+v; DecideResponse %+v", c.name, e.Decision, d)
		}
	}
	// The response of another path: rule err's request condition misses.
	other := rq("GET", "a.com", "/web")
	if d := r.DecideResponse(&other, &Response{StatusCode: 500}); d.Matched {
		t.Errorf("matched %q for a path the rule excludes", d.Rule)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name string
		tab  Table
		want string
	}{
		{"bad regex", baseTable(fwd("x", 1, Path("~(unclosed"))), RuleConditionRegexSyntax},
		{"bad cidr", baseTable(fwd("x", 1, SourceIP("10.0.0.0/33"))), RuleConditionSourceIPFormat},
		{"bad status", baseTable(Rule{ID: "x", Priority: 1, Direction: DirectionResponse, Conditions: []Condition{ResponseStatusCode("5xx")}, Actions: InOrder(RemoveHeader("a"))}), RuleConditionStatusCodeFormat},
		{"unknown condition", baseTable(fwd("x", 1, Condition{Type: "Weather", Values: []string{"rain"}})), RuleConditionTypeEnum},
		{"unknown action", baseTable(with(fwd("x", 1, Path("/")), Action{Type: "Teleport"}, ForwardTo("a"))), RuleActionTypeEnum},
		{"missing config", baseTable(with(fwd("x", 1, Path("/")), Action{Type: ActionRewrite}, ForwardTo("a"))), RuleActionConfig},
		{"no final action", baseTable(with(fwd("x", 1, Path("/")), InsertHeader("a", "b"))), RuleActionFinalRequired},
		{"bad redirect code", baseTable(with(fwd("x", 1, Path("/")), Redirect(RedirectConfig{HTTPCode: "200", Host: "b.com"}))), RuleActionRedirectCode},
		{"bad fixed code", baseTable(with(fwd("x", 1, Path("/")), FixedResponse("302", "", ""))), RuleActionFixedCode},
		{"no default", Table{Rules: []Rule{fwd("x", 1, Path("/"))}}, RuleDefaultAction},
	}
	for _, c := range cases {
		_, err := Compile(c.tab)
		ce, ok := err.(*CompileError)
		if !ok || len(ce.Findings) != 1 || ce.Findings[0].Rule != c.want {
			t.Errorf("%s: Compile error %v; want one %s finding", c.name, err, c.want)
		}
	}
}

// The GUESS decisions not covered by the request table.
func TestGuessDecisions(t *testing.T) {
	quic := Table{Protocol: "QUIC", Port: 443, Default: []string{"sg-a", "sg-b"}, Rules: []Rule{
		with(fwd("rd", 1, Path("/old")), Redirect(RedirectConfig{HTTPCode: "301", Path: "/new"})),
		with(fwd("proto", 2, Path("/p")), InsertHeaderFrom("x-proto", ValueSystemDefined, SystemProtocol), ForwardTo("sg-p")),
	}}
	r := MustCompile(quic)
	req := rq("GET", "a.com", "/old")
	// guessProtocolLowerQUICHTTPS: a QUIC listener's ${protocol} is https, 443 omitted.
	if d := r.Decide(&req); d.Redirect == nil || d.Redirect.Location != "https://a.com/new" {
		t.Errorf("QUIC redirect %+v", d.Redirect)
	}
	req = rq("GET", "a.com", "/p")
	if d := r.Decide(&req); len(d.InsertHeaders) != 1 || d.InsertHeaders[0].Value != "https" {
		t.Errorf("QUIC protocol header %+v", d.InsertHeaders)
	}
	// guessDefaultEvenWeights: the default action's groups share evenly.
	req = rq("GET", "a.com", "/")
	if d := r.Decide(&req); !reflect.DeepEqual(d.Forward, []ServerGroupTuple{{"sg-a", 100}, {"sg-b", 100}}) {
		t.Errorf("default forward %+v", d.Forward)
	}
	// guessFixedCodeHTTPPrefix: HTTP_404 is 404.
	fixed := MustCompile(baseTable(with(fwd("f", 1, Path("/*")), FixedResponse("HTTP_404", "text/plain", "no"))))
	if d := fixed.Decide(&req); d.FixedResponse == nil || d.FixedResponse.StatusCode != 404 {
		t.Errorf("fixed %+v", d.FixedResponse)
	}
}
