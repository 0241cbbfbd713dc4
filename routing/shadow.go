package routing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// shadowed reports the rules that can never match because a rule evaluated
// before them (same direction, lower priority, or equal priority listed
// earlier) matches every request they match.
//
// Only provable shadowing is reported (sound, not complete). Rule A shadows
// rule B when every condition of A is implied by some condition of B of the
// same type (and header key): B's conditions are ANDed, so a request that
// matches B matches A. A condition b implies a condition a when each value
// of b is covered by some value of a:
//
//   - Host, Path, Header, ResponseHeader, and QueryString/Cookie keys and
//     values: equal values; or a wildcard value covering another by
//     symbolic matching ("/*" covers "/api/*", "*.example.com" covers
//     "api.example.com" and "*.api.example.com", "a?c" covers "abc" but not
//     "a*c"); or a regex value covering an exact value it matches; a regex
//     value is covered only by the same regex or by a value of '*' alone.
//     Case folding follows the GUESS table (hosts, header values, query and
//     cookie pairs ignore case; paths do not).
//   - Method and ResponseStatusCode: set inclusion.
//   - SourceIp: each block of b inside some block of a (IPv4 and IPv6).
//
// Not detected: regexes covering wildcards or other regexes, a rule covered
// only by the union of several earlier rules, values covering each other
// only through the request (a Host condition implied by a Header condition,
// say), and conditions that can never hold (an empty value list).
func shadowed(rules []Rule) []Finding {
	type entry struct {
		i     int
		conds []ccond
		ok    bool
	}
	var fs findings
	for _, dir := range []Direction{DirectionRequest, DirectionResponse} {
		var es []entry
		for i, r := range rules {
			if r.IsResponse() != (dir == DirectionResponse) {
				continue
			}
			e := entry{i: i, ok: true}
			for _, c := range r.Conditions {
				cc, err := compileCondition(c)
				if err != nil {
					e.ok = false
					break
				}
				e.conds = append(e.conds, cc)
			}
			es = append(es, e)
		}
		slices.SortStableFunc(es, func(a, b entry) int {
			return cmp.Or(cmp.Compare(rules[a.i].Priority, rules[b.i].Priority), cmp.Compare(a.i, b.i))
		})
		for bi, b := range es {
			if !b.ok {
				continue
			}
			for _, a := range es[:bi] {
				if a.ok && covers(a.conds, b.conds) {
					ra, rb := rules[a.i], rules[b.i]
					fs.warn(fmt.Sprintf("Rules[%d]", b.i), RuleShadowed, rb.ID,
						fmt.Sprintf("%s can never match: %s, evaluated before it, matches every request it matches; give it a lower priority number than %d or narrow the earlier rule",
							ruleName(rb, b.i), ruleName(ra, a.i), ra.Priority))
					break
				}
			}
		}
	}
	return fs.list
}

// covers reports whether every request matching all of b matches all of a.
func covers(a, b []ccond) bool {
	for i := range a {
		implied := false
		for j := range b {
			if implies(&b[j], &a[i]) {
				implied = true
				break
			}
		}
		if !implied {
			return false
		}
	}
	return true
}

// implies reports whether condition b holding proves condition a holds.
func implies(b, a *ccond) bool {
	if a.typ != b.typ {
		return false
	}
	switch a.typ {
	case ConditionHost, ConditionPath:
		return eachCovered(b.pats, a.pats)
	case ConditionHeader, ConditionResponseHeader:
		return a.key == b.key && eachCovered(b.pats, a.pats)
	case ConditionQueryString, ConditionCookie:
		for i := range b.pairs {
			ok := false
			for j := range a.pairs {
				if patternCovers(&a.pairs[j].key, &b.pairs[i].key) && patternCovers(&a.pairs[j].value, &b.pairs[i].value) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return len(b.pairs) > 0
	case ConditionMethod:
		for _, m := range b.methods {
			if !slices.Contains(a.methods, m) {
				return false
			}
		}
		return len(b.methods) > 0
	case ConditionSourceIP:
		for _, pb := range b.prefixes {
			ok := false
			for _, pa := range a.prefixes {
				if pa.Bits() <= pb.Bits() && pa.Contains(pb.Addr()) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return len(b.prefixes) > 0
	case ConditionResponseStatusCode:
		for _, c := range b.codes {
			if !slices.Contains(a.codes, c) {
				return false
			}
		}
		return len(b.codes) > 0
	}
	return false
}

// eachCovered reports whether every pattern of bs is covered by some
// pattern of as (and bs is not empty).
func eachCovered(bs, as []pattern) bool {
	for i := range bs {
		ok := false
		for j := range as {
			if patternCovers(&as[j], &bs[i]) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return len(bs) > 0
}

// patternCovers reports, soundly, whether every string p matches is matched
// by q.
func patternCovers(q, p *pattern) bool {
	if q.kind != patRegex && strings.Trim(q.raw, "*") == "" && q.raw != "" {
		return true // '*' alone (or only stars) matches everything
	}
	switch {
	case p.kind == patRegex:
		return q.kind == patRegex && q.raw == p.raw
	case q.kind == patRegex:
		// p is exact or a wildcard; only an exact p can be checked.
		if p.kind != patExact {
			return false
		}
		return q.re.MatchString(p.lit) && (!p.fold || q.re.MatchString(strings.ToUpper(p.lit)))
	}
	if p.fold != q.fold {
		return false
	}
	qs, ps := q.raw, p.raw
	if q.fold {
		qs, ps = strings.ToLower(qs), strings.ToLower(ps)
	}
	return globCovers([]rune(qs), []rune(ps))
}

// globCovers matches pattern q against pattern p symbolically: q's '*'
// takes any run of p's tokens, q's '?' one literal or '?' of p, q's literals
// the same literal. When it succeeds, every string p matches, q matches.
func globCovers(q, p []rune) bool {
	memo := make([]int8, (len(q)+1)*(len(p)+1)) // 0 unknown, 1 true, 2 false
	var m func(i, j int) bool
	m = func(i, j int) bool {
		k := i*(len(p)+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var r bool
		switch {
		case i == len(q):
			r = j == len(p)
		case q[i] == '*':
			r = m(i+1, j) || (j < len(p) && m(i, j+1))
		case j == len(p):
			r = false
		case q[i] == '?':
			r = p[j] != '*' && m(i+1, j+1)
		default:
			r = p[j] == q[i] && m(i+1, j+1)
		}
		memo[k] = 2
		if r {
			memo[k] = 1
		}
		return r
	}
	return m(0, 0)
}
