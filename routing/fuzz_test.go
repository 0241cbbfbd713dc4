package routing

import (
	"net/http"
	"net/netip"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzTable turns a fuzzer's text into a table: one rule per line, tokens
// separated by spaces. The first token is the priority; "resp" makes a
// Response rule; "X:payload" adds a condition or an action:
//
//	h host values, p path values, H header key=v1,v2, q query k=v,k=v,
//	c cookie k=v,..., m methods, s source IPs, r response header key=v,...,
//	R response status codes; F forward groups, D redirect host/path, W
//	rewrite path, I insert key=value, S insert system value, E insert
//	reference, X remove key, L limit, M mirror, C cors, Z fixed response.
//
// A Request rule without a final action gets a forward, so that most
// inputs compile.
func fuzzTable(spec string) Table {
	t := Table{Protocol: "HTTP", Port: 80, LoadBalancerID: "alb-f", Default: []string{"sg-default"}}
	for i, line := range strings.Split(spec, "\n") {
		toks := strings.Fields(line)
		if len(toks) == 0 {
			continue
		}
		r := Rule{ID: "r" + strconv.Itoa(i), Name: "rule" + strconv.Itoa(i)}
		if p, err := strconv.Atoi(toks[0]); err == nil {
			r.Priority = p
		} else {
			r.Priority = i + 1
		}
		final := false
		for _, tok := range toks[1:] {
			if tok == "resp" {
				r.Direction = DirectionResponse
				continue
			}
			kind, payload, ok := strings.Cut(tok, ":")
			if !ok || kind == "" {
				continue
			}
			list := strings.Split(payload, ",")
			key, rest, _ := strings.Cut(payload, "=")
			pairs := func() []KeyValue {
				var kvs []KeyValue
				for _, p := range list {
					k, v, _ := strings.Cut(p, "=")
					kvs = append(kvs, KV(k, v))
				}
				return kvs
			}
			var a *Action
			switch kind {
			case "h":
				r.Conditions = append(r.Conditions, Host(list...))
			case "p":
				r.Conditions = append(r.Conditions, Path(list...))
			case "H":
				r.Conditions = append(r.Conditions, Header(key, strings.Split(rest, ",")...))
			case "q":
				r.Conditions = append(r.Conditions, Query(pairs()...))
			case "c":
				r.Conditions = append(r.Conditions, Cookie(pairs()...))
			case "m":
				r.Conditions = append(r.Conditions, Method(list...))
			case "s":
				r.Conditions = append(r.Conditions, SourceIP(list...))
			case "r":
				r.Conditions = append(r.Conditions, ResponseHeader(key, strings.Split(rest, ",")...))
			case "R":
				r.Conditions = append(r.Conditions, ResponseStatusCode(list...))
			case "F":
				x := ForwardTo(list...)
				a = &x
			case "D":
				x := Redirect(RedirectConfig{HTTPCode: "301", Host: key, Path: rest})
				a = &x
			case "W":
				x := Rewrite(RewriteConfig{Path: payload, Query: rest})
				a = &x
			case "I":
				x := InsertHeader(key, rest)
				a = &x
			case "S":
				x := InsertHeaderFrom(key, ValueSystemDefined, rest)
				a = &x
			case "E":
				x := InsertHeaderFrom(key, ValueReferenceHeader, rest)
				a = &x
			case "X":
				x := RemoveHeader(payload)
				a = &x
			case "L":
				n, _ := strconv.Atoi(payload)
				x := TrafficLimit(n, n/2)
				a = &x
			case "M":
				x := Mirror(list...)
				a = &x
			case "C":
				x := Cors(CorsConfig{AllowOrigins: list})
				a = &x
			case "Z":
				x := FixedResponse(key, "text/plain", rest)
				a = &x
			}
			if a != nil {
				a.Order = len(r.Actions) + 1
				final = final || a.Type.Final()
				r.Actions = append(r.Actions, *a)
			}
		}
		if !final && !r.IsResponse() {
			x := ForwardTo("sg-" + r.ID)
			x.Order = len(r.Actions) + 1
			r.Actions = append(r.Actions, x)
		}
		t.Rules = append(t.Rules, r)
	}
	return t
}

func fuzzRequest(method, host, target, hname, hvalue, cookie string, ip []byte, port int) Request {
	path, query, _ := strings.Cut(target, "?")
	h := http.Header{}
	if hname != "" {
		h[hname] = []string{hvalue}
	}
	if cookie != "" {
		h["Cookie"] = []string{cookie}
	}
	a, _ := netip.AddrFromSlice(ip)
	return Request{Method: method, Host: host, Path: path, RawQuery: query, Header: h, SourceIP: a, SourcePort: port}
}

// FuzzDecide: Decide never panics on arbitrary rule sets and requests, and
// Explain agrees with it; Check never panics either.
func FuzzDecide(f *testing.F) {
	seeds := []struct {
		spec, method, host, target, hname, hvalue, cookie string
		ip                                                []byte
	}{
		{"10 h:www.example.com p:/api/*\n20 h:*.example.com", "GET", "WWW.example.com:80", "/api/x?a=1", "X-A", "1", "", []byte{10, 0, 0, 1}},
		{"1 p:~^/sys/(.*)/(.*)$ W:/${1}/${2}\n2 p:/*", "GET", "a.com", "/sys/a/b", "", "", "", nil},
		{"5 h:~*^(.+)\\.shop\\.com$ D:${host}=/${1}\n6 q:env=prod,v=2? F:a,b", "POST", "toys.shop.com", "/?env=PROD", "", "", "", []byte{192, 168, 0, 1}},
		{"1 H:x-canary=true,y* I:x-a=1 S:x-ip=ClientSrcIp E:x-ua=user-agent X:x-b F:c", "GET", "a.com", "/", "x-canary", "TRUE", "", nil},
		{"1 c:session=abc* m:GET,POST s:10.0.0.0/8,2001:db8::/32 Z:503=down", "GET", "a.com", "/", "", "", "a=1; session=abcdef", []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
		{"1 resp R:500,503 r:server=nginx* I:x-r=1\n2 p:/* L:100 M:m C:*", "DELETE", "", "", "Server", "nginx", "", nil},
		{"1 p:~(unclosed", "GET", "a.com", "/", "", "", "", nil},
		{"3 p:/a?c,/b*\n3 p:/*\n1 h:?.?", "GET", "x.y", "/abc", "", "", "", nil},
	}
	for _, s := range seeds {
		f.Add(s.spec, s.method, s.host, s.target, s.hname, s.hvalue, s.cookie, s.ip, 12345)
	}
	f.Fuzz(func(t *testing.T, spec, method, host, target, hname, hvalue, cookie string, ip []byte, port int) {
		tab := fuzzTable(spec)
		_ = Check(tab)
		r, err := Compile(tab)
		if err != nil {
			if _, ok := err.(*CompileError); !ok {
				t.Fatalf("Compile error of type %T", err)
			}
			return
		}
		req := fuzzRequest(method, host, target, hname, hvalue, cookie, ip, port)
		d := r.Decide(&req)
		assertExplainAgrees(t, r, &req, d)
		if !d.Default {
			// The decided rule is the first, by priority, whose conditions all match.
			for _, c := range r.request {
				if c.index == d.RuleIndex {
					break
				}
				if c.matches(&req, hostOnly(req.Host), nil) {
					t.Fatalf("rule %s matches and comes before %s", c.id, d.Rule)
				}
			}
		}
		resp := Response{StatusCode: 500 + port%100, Header: http.Header{"Server": {hvalue}}}
		rd := r.DecideResponse(&req, &resp)
		if e := r.ExplainResponse(&req, &resp); !reflect.DeepEqual(e.Decision, rd) {
			t.Fatalf("ExplainResponse %+v; DecideResponse %+v", e.Decision, rd)
		}
	})
}

// globRef is the reference for glob: the pattern as a regular expression,
// ASCII case folded by lowering both sides.
func globRef(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = lowerASCII(pattern), lowerASCII(s)
	}
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, c := range pattern {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()).MatchString(s)
}

// FuzzGlob: the wildcard matcher, compiled into any of its shapes, agrees
// with a regular-expression reference; and symbolic coverage (used to prove
// shadowing) never claims a cover the reference refutes.
func FuzzGlob(f *testing.F) {
	for _, s := range [][3]string{
		{"*.example.com", "a.b.example.com", "*.api.example.com"},
		{"www.example.*", "WWW.example.org", "www.example.com"},
		{"/api/*", "/api/", "/api/v?/*"},
		{"a?c", "abc", "a*c"},
		{"*a*b*", "xxaybzz", "ab"},
		{"é?", "éé", "é*"},
	} {
		f.Add(s[0], s[1], s[2], false)
		f.Add(s[0], s[1], s[2], true)
	}
	f.Fuzz(func(t *testing.T, pattern, s, narrower string, fold bool) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || !utf8.ValidString(narrower) || len(pattern) > 64 || len(narrower) > 64 {
			return
		}
		p := compileGlob(pattern, fold)
		want := globRef(pattern, s, fold)
		if got := p.match(s); got != want {
			t.Fatalf("glob %q (fold %v) on %q = %v; reference %v", pattern, fold, s, got, want)
		}
		n := compileGlob(narrower, fold)
		if patternCovers(&p, &n) && n.match(s) && !p.match(s) {
			t.Fatalf("%q claimed to cover %q, but %q matches only the latter", pattern, narrower, s)
		}
	})
}
