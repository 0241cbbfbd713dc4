package routing

import (
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Request is what a Request rule is matched against.
type Request struct {
	// Method is the request method, "GET", "POST", ...
	Method string
	// Host is the Host header (or :authority) as received, port included.
	Host string
	// Path is the percent-decoded URL path (url.URL.Path), without the query.
	Path string
	// RawQuery is the query string as received, without '?'.
	RawQuery string
	// Header holds the request headers. Canonical keys (as net/http gives
	// them) are found fastest; others are found too.
	Header http.Header
	// SourceIP and SourcePort are the client's address.
	SourceIP   netip.Addr
	SourcePort int
}

// Response is what a Response rule is matched against, with the request that
// produced it.
type Response struct {
	StatusCode int
	Header     http.Header
}

// patternKind is how a compiled pattern matches.
type patternKind uint8

const (
	patExact  patternKind = iota // the literal
	patPrefix                    // literal + "*"
	patSuffix                    // "*" + literal
	patGlob                      // any * and ? mix
	patAny                       // "*" alone
	patRegex                     // "~re" or "~*re"
)

// pattern is one compiled condition value.
type pattern struct {
	raw    string
	kind   patternKind
	lit    string // the literal (lower case when fold) for exact/prefix/suffix, the pattern for glob
	fold   bool   // ASCII case-insensitive
	re     *regexp.Regexp
	groups int // capture groups of a regex
}

// isRegex reports whether a Host or Path value is a regex.
func isRegex(v string) bool { return strings.HasPrefix(v, "~") }

// regexBody splits "~*re" and "~re" into the expression and whether the
// prefix asks for case-insensitive matching.
func regexBody(v string) (expr string, insensitive bool) {
	if rest, ok := strings.CutPrefix(v, "~*"); ok {
		return rest, true
	}
	return strings.TrimPrefix(v, "~"), false
}

// compileGlob compiles a wildcard value (no regex).
func compileGlob(v string, fold bool) pattern {
	p := pattern{raw: v, fold: fold}
	lit := v
	if fold {
		lit = strings.ToLower(v)
	}
	n := strings.Count(v, "*") + strings.Count(v, "?")
	switch {
	case n == 0:
		p.kind, p.lit = patExact, lit
	case v == "*":
		p.kind = patAny
	case n == 1 && strings.HasSuffix(v, "*"):
		p.kind, p.lit = patPrefix, lit[:len(lit)-1]
	case n == 1 && strings.HasPrefix(v, "*"):
		p.kind, p.lit = patSuffix, lit[1:]
	default:
		p.kind, p.lit = patGlob, lit
	}
	return p
}

// compileRegex compiles a "~re" or "~*re" value; fold forces
// case-insensitivity.
func compileRegex(v string, fold bool) (pattern, error) {
	expr, insensitive := regexBody(v)
	if insensitive || fold {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return pattern{}, err
	}
	return pattern{raw: v, kind: patRegex, re: re, groups: re.NumSubexp()}, nil
}

func (p *pattern) match(s string) bool {
	switch p.kind {
	case patExact:
		if p.fold {
			return equalFold(s, p.lit)
		}
		return s == p.lit
	case patPrefix:
		return len(s) >= len(p.lit) && eqPart(s[:len(p.lit)], p.lit, p.fold)
	case patSuffix:
		return len(s) >= len(p.lit) && eqPart(s[len(s)-len(p.lit):], p.lit, p.fold)
	case patAny:
		return true
	case patRegex:
		return p.re.MatchString(s)
	}
	return glob(p.lit, s, p.fold)
}

func eqPart(s, lit string, fold bool) bool {
	if fold {
		return equalFold(s, lit)
	}
	return s == lit
}

// equalFold compares s with lower, already in lower case, ignoring ASCII case.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if toLower(s[i]) != lower[i] {
			return false
		}
	}
	return true
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// glob matches s against a wildcard pattern: '*' any run of characters
// (including none, and including '/' and '.'), '?' exactly one character.
// With fold, pattern is lower case and s is compared ignoring ASCII case.
func glob(pattern, s string, fold bool) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				_, size := utf8.DecodeRuneInString(s[sx:])
				px++
				sx += size
				continue
			default:
				d := s[sx]
				if fold {
					d = toLower(d)
				}
				if c == d {
					px++
					sx++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		px = starP + 1
		starS++
		sx = starS
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// hostOnly strips the port and one trailing dot from a Host header value;
// an IPv6 literal keeps its brackets.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && allDigits(h[i+1:]) {
		h = h[:i]
	}
	if guessHostTrimTrailingDot && len(h) > 1 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	return h
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// headerValues returns the values of a header: by its canonical key first,
// then by a case-insensitive scan for maps built by hand.
func headerValues(h http.Header, canon string) []string {
	if h == nil {
		return nil
	}
	if v, ok := h[canon]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, canon) {
			return v
		}
	}
	return nil
}

// kvPattern is a compiled QueryString or Cookie pair.
type kvPattern struct {
	key, value pattern
}

func (kv *kvPattern) match(k, v string) bool { return kv.key.match(k) && kv.value.match(v) }

// matchQuery reports whether some parameter of raw matches some pair.
func matchQuery(pairs []kvPattern, raw string) bool {
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		for i := range pairs {
			if pairs[i].match(k, v) {
				return true
			}
		}
	}
	return false
}

// queryUnescape decodes a query key or value; it allocates only when there
// is something to decode, and keeps a malformed escape as sent.
func queryUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// matchCookies reports whether some cookie of the Cookie header fields
// matches some pair.
func matchCookies(pairs []kvPattern, fields []string) bool {
	for _, f := range fields {
		for f != "" {
			var part string
			part, f, _ = strings.Cut(f, ";")
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			for i := range pairs {
				if pairs[i].match(k, v) {
					return true
				}
			}
		}
	}
	return false
}

// unmap returns the IPv4 address an IPv4-mapped IPv6 address carries.
func unmap(a netip.Addr) netip.Addr {
	if guessSourceIPUnmap {
		return a.Unmap()
	}
	return a
}
