package routing

import (
	"cmp"
	"fmt"
	"net/netip"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// Router is a compiled Table: its patterns, regexes, CIDR blocks and action
// templates prepared once, so deciding a request is fast and allocates
// little. A Router is immutable and safe for concurrent use.
type Router struct {
	request  []*crule // Request rules, by ascending priority
	response []*crule // Response rules, by ascending priority
	def      crule    // the default action
	scheme   string   // "http" or "https"
	port     int
	portStr  string
	lbID     string
}

// crule is a compiled rule.
type crule struct {
	index    int
	id       string
	priority int
	conds    []ccond

	final         ActionType
	forward       []ServerGroupTuple
	sticky        StickySession
	redirect      *credirect
	fixed         *FixedAnswer
	rewrite       *crewrite
	inserts       []cinsert
	staticInserts []HeaderInsert // when every insert is UserDefined
	removes       []string
	limit         *TrafficLimitConfig
	mirror        []string
	cors          *CorsConfig
	captures      bool // some template uses ${1}..${3}
}

// ccond is a compiled condition.
type ccond struct {
	typ      ConditionType
	key      string // canonical header key
	pats     []pattern
	pairs    []kvPattern
	methods  []string
	prefixes []netip.Prefix
	codes    []int
	src      Condition // as configured, for Explain
}

type credirect struct {
	status                            int
	protocol, host, port, path, query template
}

type crewrite struct {
	host, path, query template
}

type cinsert struct {
	key       string
	value     string
	valueType HeaderValueType
	refKey    string // canonical key of a ReferenceHeader
	cover     bool
}

// CompileError lists why a table cannot be compiled: the findings (errors
// only) that leave a rule impossible to evaluate.
type CompileError struct {
	Findings []Finding
}

// Error lists the findings.
func (e *CompileError) Error() string {
	var b strings.Builder
	b.WriteString("routing: the table cannot be compiled:")
	for _, f := range e.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

// Compile prepares a table for Decide. It fails, with a *CompileError, only
// on what cannot be evaluated: an unknown condition or action type, a regex
// RE2 cannot compile, a malformed IP, CIDR or status code, an action without
// its config, a Request rule without a final action, or a listener without a
// default server group. Check reports everything else; a table the API
// accepted always compiles.
func Compile(t Table) (*Router, error) {
	r := &Router{port: t.Port, portStr: strconv.Itoa(t.Port), lbID: t.LoadBalancerID, scheme: schemeOf(t.Protocol)}
	var fs findings
	if len(t.Default) == 0 {
		fs.add("Default", RuleDefaultAction, "", "the listener's default action forwards to no server group")
	}
	r.def = crule{index: -1, final: ActionForwardGroup}
	for _, id := range t.Default {
		r.def.forward = append(r.def.forward, ServerGroupTuple{ServerGroupID: id, Weight: guessDefaultEvenWeights})
	}
	for i, rule := range t.Rules {
		c, ok := compileRule(i, rule, &fs)
		if !ok {
			continue
		}
		if rule.IsResponse() {
			r.response = append(r.response, c)
		} else {
			r.request = append(r.request, c)
		}
	}
	if len(fs.list) > 0 {
		return nil, &CompileError{Findings: fs.list}
	}
	byPriority := func(a, b *crule) int {
		return cmp.Or(cmp.Compare(a.priority, b.priority), cmp.Compare(a.index, b.index))
	}
	if guessTiesInListOrder {
		slices.SortStableFunc(r.request, byPriority)
		slices.SortStableFunc(r.response, byPriority)
	}
	return r, nil
}

// MustCompile is Compile that panics on error, for tables known to be valid
// (tests, examples).
func MustCompile(t Table) *Router {
	r, err := Compile(t)
	if err != nil {
		panic(err)
	}
	return r
}

func schemeOf(protocol string) string {
	switch strings.ToUpper(protocol) {
	case "HTTPS":
		return "https"
	case "QUIC":
		if guessProtocolLowerQUICHTTPS {
			return "https"
		}
	}
	return "http"
}

func compileRule(i int, rule Rule, fs *findings) (*crule, bool) {
	at := fmt.Sprintf("Rules[%d]", i)
	c := &crule{index: i, id: rule.ID, priority: rule.Priority}
	ok := true
	for j, cond := range rule.Conditions {
		cc, err := compileCondition(cond)
		if err != nil {
			fs.add(fmt.Sprintf("%s.Conditions[%d]", at, j), err.rule, rule.ID, err.msg)
			ok = false
			continue
		}
		c.conds = append(c.conds, cc)
	}
	for _, j := range byOrder(rule.Actions) {
		if !compileAction(c, rule.Actions[j], fs, fmt.Sprintf("%s.Actions[%d]", at, j), rule) {
			ok = false
		}
	}
	if !rule.IsResponse() && c.final == "" && ok {
		fs.add(at+".Actions", RuleActionFinalRequired, rule.ID, "the rule has no final action (ForwardGroup, Redirect or FixedResponse)")
		ok = false
	}
	if c.staticInserts == nil && len(c.inserts) > 0 {
		static := true
		for _, in := range c.inserts {
			static = static && in.valueType == ValueUserDefined
		}
		if static {
			for _, in := range c.inserts {
				c.staticInserts = append(c.staticInserts, HeaderInsert{Key: in.key, Value: in.value, Cover: in.cover})
			}
		}
	}
	return c, ok
}

type compileErr struct{ rule, msg string }

func compileCondition(cond Condition) (ccond, *compileErr) {
	cc := ccond{typ: cond.Type, src: cond}
	switch cond.Type {
	case ConditionHost:
		for _, v := range cond.Values {
			if isRegex(v) {
				p, err := compileRegex(v, guessHostRegexCaseInsensitive)
				if err != nil {
					return cc, &compileErr{RuleConditionRegexSyntax, fmt.Sprintf("host regex %q does not compile: %v", v, err)}
				}
				cc.pats = append(cc.pats, p)
				continue
			}
			cc.pats = append(cc.pats, compileGlob(v, true))
		}
	case ConditionPath:
		for _, v := range cond.Values {
			if isRegex(v) {
				p, err := compileRegex(v, false)
				if err != nil {
					return cc, &compileErr{RuleConditionRegexSyntax, fmt.Sprintf("path regex %q does not compile: %v", v, err)}
				}
				cc.pats = append(cc.pats, p)
				continue
			}
			cc.pats = append(cc.pats, compileGlob(v, false))
		}
	case ConditionHeader, ConditionResponseHeader:
		cc.key = textproto.CanonicalMIMEHeaderKey(cond.Key)
		for _, v := range cond.Values {
			cc.pats = append(cc.pats, compileGlob(v, guessHeaderValueCaseInsensitive))
		}
	case ConditionQueryString, ConditionCookie:
		for _, kv := range cond.Pairs {
			cc.pairs = append(cc.pairs, kvPattern{
				key:   compileGlob(kv.Key, guessQueryCookieCaseInsensitive),
				value: compileGlob(kv.Value, guessQueryCookieCaseInsensitive),
			})
		}
	case ConditionMethod:
		cc.methods = cond.Values
	case ConditionSourceIP:
		for _, v := range cond.Values {
			p, err := parsePrefix(v)
			if err != nil {
				return cc, &compileErr{RuleConditionSourceIPFormat, fmt.Sprintf("%q is neither an IP address nor a CIDR block", v)}
			}
			cc.prefixes = append(cc.prefixes, p)
		}
	case ConditionResponseStatusCode:
		for _, v := range cond.Values {
			n, err := strconv.Atoi(v)
			if err != nil || n < 100 || n > 599 {
				return cc, &compileErr{RuleConditionStatusCodeFormat, fmt.Sprintf("%q is not an HTTP status code (100–599)", v)}
			}
			cc.codes = append(cc.codes, n)
		}
	default:
		return cc, &compileErr{RuleConditionTypeEnum, fmt.Sprintf("unknown condition type %q", cond.Type)}
	}
	return cc, nil
}

// parsePrefix parses an IP address (a single-address block) or a CIDR block.
func parsePrefix(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return p, err
		}
		if p.Addr().Is4In6() {
			return netip.Prefix{}, fmt.Errorf("IPv4-mapped IPv6 block")
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("zoned address")
	}
	a = unmap(a)
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// compileAction adds one action (taken in ascending Order) to c.
func compileAction(c *crule, a Action, fs *findings, at string, rule Rule) bool {
	missing := func() bool {
		fs.add(at, RuleActionConfig, rule.ID, fmt.Sprintf("a %s action needs its %sConfig", a.Type, a.Type))
		return false
	}
	setFinal := func() {
		if c.final == "" {
			c.final = a.Type
		}
	}
	switch a.Type {
	case ActionForwardGroup:
		if a.ForwardGroup == nil {
			return missing()
		}
		if c.final == "" {
			c.forward = slices.Clone(a.ForwardGroup.ServerGroups)
			c.sticky = a.ForwardGroup.StickySession
			if c.sticky.Enabled && c.sticky.Timeout == 0 {
				c.sticky.Timeout = DefaultStickyTimeout
			}
		}
		setFinal()
	case ActionRedirect:
		if a.Redirect == nil {
			return missing()
		}
		status := guessRedirectDefaultCode
		if a.Redirect.HTTPCode != "" {
			n, err := strconv.Atoi(a.Redirect.HTTPCode)
			if err != nil || n < 300 || n > 399 {
				fs.add(at+".Redirect.HTTPCode", RuleActionRedirectCode, rule.ID, fmt.Sprintf("redirect code %q is not a 3xx status", a.Redirect.HTTPCode))
				return false
			}
			status = n
		}
		if c.final == "" {
			rd := &credirect{status: status,
				protocol: parseTemplate(a.Redirect.Protocol, varProtocol),
				host:     parseTemplate(a.Redirect.Host, varHost),
				port:     parseTemplate(a.Redirect.Port, varPort),
				path:     parseTemplate(a.Redirect.Path, varPath),
				query:    parseTemplate(a.Redirect.Query, varQuery)}
			c.redirect = rd
			c.captures = c.captures || rd.host.captures() || rd.path.captures() || rd.query.captures() || rd.port.captures() || rd.protocol.captures()
		}
		setFinal()
	case ActionFixedResponse:
		if a.FixedResponse == nil {
			return missing()
		}
		n, ok := fixedCode(a.FixedResponse.HTTPCode)
		if !ok {
			fs.add(at+".FixedResponse.HTTPCode", RuleActionFixedCode, rule.ID, fmt.Sprintf("fixed response code %q is not a 2xx, 4xx or 5xx status", a.FixedResponse.HTTPCode))
			return false
		}
		if c.final == "" {
			c.fixed = &FixedAnswer{StatusCode: n, ContentType: a.FixedResponse.ContentType, Content: a.FixedResponse.Content}
		}
		setFinal()
	case ActionRewrite:
		if a.Rewrite == nil {
			return missing()
		}
		if c.rewrite == nil {
			rw := &crewrite{host: parseTemplate(a.Rewrite.Host, varHost), path: parseTemplate(a.Rewrite.Path, varPath),
				query: parseTemplate(a.Rewrite.Query, varQuery)}
			c.rewrite = rw
			c.captures = c.captures || rw.host.captures() || rw.path.captures() || rw.query.captures()
		}
	case ActionInsertHeader:
		if a.InsertHeader == nil {
			return missing()
		}
		in := a.InsertHeader
		vt := in.ValueType
		if vt == "" {
			vt = ValueUserDefined
		}
		ci := cinsert{key: in.Key, value: in.Value, valueType: vt, cover: in.CoverEnabled}
		if vt == ValueReferenceHeader {
			ci.refKey = textproto.CanonicalMIMEHeaderKey(in.Value)
		}
		c.inserts = append(c.inserts, ci)
	case ActionRemoveHeader:
		if a.RemoveHeader == nil {
			return missing()
		}
		c.removes = append(c.removes, a.RemoveHeader.Key)
	case ActionTrafficLimit:
		if a.TrafficLimit == nil {
			return missing()
		}
		l := *a.TrafficLimit
		c.limit = &l
	case ActionTrafficMirror:
		if a.TrafficMirror == nil {
			return missing()
		}
		c.mirror = append(c.mirror, a.TrafficMirror.ServerGroupIDs...)
	case ActionCors:
		if a.Cors == nil {
			return missing()
		}
		co := *a.Cors
		co.AllowOrigins = slices.Clone(co.AllowOrigins)
		co.AllowMethods = slices.Clone(co.AllowMethods)
		co.AllowHeaders = slices.Clone(co.AllowHeaders)
		co.ExposeHeaders = slices.Clone(co.ExposeHeaders)
		c.cors = &co
	default:
		fs.add(at+".Type", RuleActionTypeEnum, rule.ID, fmt.Sprintf("unknown action type %q", a.Type))
		return false
	}
	return true
}

// byOrder returns the indexes of actions in ascending Order (ties in list
// order).
func byOrder(actions []Action) []int {
	idx := make([]int, len(actions))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(actions[a].Order, actions[b].Order) })
	return idx
}

// DefaultStickyTimeout is the ServerGroupStickySession timeout, in seconds,
// when none is given (the API default).
const DefaultStickyTimeout = 1000

// fixedCode parses a FixedResponse HttpCode: "200", or "HTTP_200" (GUESS).
func fixedCode(s string) (int, bool) {
	if guessFixedCodeHTTPPrefix {
		s = strings.TrimPrefix(s, "HTTP_")
	}
	if len(s) != 3 || !allDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	if c := n / 100; c != 2 && c != 4 && c != 5 {
		return 0, false
	}
	return n, true
}
