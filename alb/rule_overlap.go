package alb

import (
	"net/netip"
	"strings"

	"github.com/albkit/albkit/routing"
)

// overlapper decides, conservatively, whether two rules can match one
// request: false only when some condition of one and some condition of
// the other of the same type can never both hold (exact hosts or paths
// that differ, an exact value a wildcard of the other rule does not
// match, prefix or suffix wildcards that exclude each other, disjoint
// method sets, source blocks or response codes). Everything else,
// regexes and header, query-string and cookie conditions included, may
// overlap. Literal-against-wildcard questions are answered by package
// routing's own matching, so the planner and the data plane agree.
type overlapper struct {
	routers map[string]*routing.Router // "type\x00pattern" → a one-rule router; nil if it does not compile
}

func newOverlapper() *overlapper { return &overlapper{routers: map[string]*routing.Router{}} }

// mayOverlap reports whether a request can match both condition lists.
func (o *overlapper) mayOverlap(a, b []routing.Condition) bool {
	for _, ca := range a {
		for _, cb := range b {
			if o.disjoint(ca, cb) {
				return false
			}
		}
	}
	return true
}

// disjoint reports whether no request can satisfy both conditions.
func (o *overlapper) disjoint(a, b routing.Condition) bool {
	if a.Type != b.Type || len(a.Values) == 0 || len(b.Values) == 0 {
		return false
	}
	switch a.Type {
	case routing.ConditionHost, routing.ConditionPath, routing.ConditionMethod, routing.ConditionSourceIP, routing.ConditionResponseStatusCode:
	default:
		return false // a request may carry several headers, query pairs or cookies of one name
	}
	for _, va := range a.Values {
		for _, vb := range b.Values {
			if !o.disjointValues(a.Type, va, vb) {
				return false
			}
		}
	}
	return true
}

func (o *overlapper) disjointValues(t routing.ConditionType, a, b string) bool {
	switch t {
	case routing.ConditionMethod:
		return !strings.EqualFold(a, b)
	case routing.ConditionResponseStatusCode:
		return a != b
	case routing.ConditionSourceIP:
		pa, okA := parsePrefixOrAddr(a)
		pb, okB := parsePrefixOrAddr(b)
		return okA && okB && !pa.Overlaps(pb)
	}
	if strings.HasPrefix(a, "~") || strings.HasPrefix(b, "~") {
		return false
	}
	if t == routing.ConditionHost {
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	wa, wb := strings.ContainsAny(a, "*?"), strings.ContainsAny(b, "*?")
	switch {
	case !wa && !wb:
		return a != b
	case !wa:
		return !o.matches(t, b, a)
	case !wb:
		return !o.matches(t, a, b)
	}
	// Two wildcards: only single leading or trailing stars are compared.
	if pa, ok := trailingStar(a); ok {
		if pb, ok := trailingStar(b); ok {
			return !strings.HasPrefix(pa, pb) && !strings.HasPrefix(pb, pa)
		}
	}
	if sa, ok := leadingStar(a); ok {
		if sb, ok := leadingStar(b); ok {
			return !strings.HasSuffix(sa, sb) && !strings.HasSuffix(sb, sa)
		}
	}
	return false
}

// trailingStar returns the prefix of a pattern whose only wildcard is one
// trailing '*'.
func trailingStar(p string) (string, bool) {
	rest, ok := strings.CutSuffix(p, "*")
	return rest, ok && !strings.ContainsAny(rest, "*?")
}

// leadingStar returns the suffix of a pattern whose only wildcard is one
// leading '*'.
func leadingStar(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "*")
	return rest, ok && !strings.ContainsAny(rest, "*?")
}

func parsePrefixOrAddr(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// matches reports whether the wildcard pattern of a Host or Path condition
// matches the literal, by routing's matching (true when unsure).
func (o *overlapper) matches(t routing.ConditionType, pattern, literal string) bool {
	key := string(t) + "\x00" + pattern
	r, ok := o.routers[key]
	if !ok {
		tbl := routing.Table{Protocol: "HTTP", Port: 80, Default: []string{"default"}, Rules: []routing.Rule{{
			ID: "p", Name: "pattern", Priority: 1,
			Conditions: []routing.Condition{{Type: t, Values: []string{pattern}}},
			Actions:    routing.InOrder(routing.ForwardTo("match")),
		}}}
		r, _ = routing.Compile(tbl) // nil on error: unsure
		o.routers[key] = r
	}
	if r == nil {
		return true
	}
	req := &routing.Request{Method: "GET", Host: "overlap.example.com", Path: "/"}
	if t == routing.ConditionHost {
		req.Host = literal
	} else {
		req.Path = literal
	}
	return !r.Decide(req).Default
}
