package routing

import (
	"net/url"
	"slices"
	"strconv"
)

// Decision is what a listener does with a request: the rule that matched
// (or the default action) and what its actions produce. Slices and pointers
// in a Decision may be shared with the Router and with other Decisions: read
// them, do not modify them.
type Decision struct {
	// Default is true when no Request rule matched and the listener's
	// default action applies.
	Default bool
	// Rule is the ID of the matching rule, RuleIndex its index in
	// Table.Rules and Priority its priority (RuleIndex -1 when Default).
	Rule      string
	RuleIndex int
	Priority  int

	// Final is the final action: ForwardGroup, Redirect or FixedResponse.
	Final ActionType
	// Forward lists the server groups and weights of a ForwardGroup.
	Forward []ServerGroupTuple
	// StickySession is the ForwardGroup's session persistence across
	// groups (Timeout filled with the default when Enabled).
	StickySession StickySession
	// Redirect is set when Final is Redirect.
	Redirect *Redirection
	// FixedResponse is set when Final is FixedResponse.
	FixedResponse *FixedAnswer

	// Rewrite is the request after a Rewrite action, nil without one.
	Rewrite *Rewritten
	// InsertHeaders are the headers to insert, in action order.
	InsertHeaders []HeaderInsert
	// RemoveHeaders are the header names to remove, in action order.
	RemoveHeaders []string
	// TrafficLimit is the rule's limit, nil without one; a request over it
	// is answered TrafficLimitedStatus.
	TrafficLimit *TrafficLimitConfig
	// Mirror lists the server groups that get a copy of the request.
	Mirror []string
	// Cors is the rule's CORS config, nil without one.
	Cors *CorsConfig
}

// Redirection is the answer of a Redirect action.
type Redirection struct {
	StatusCode int    // 301, 302, 303, 307 or 308
	Location   string // absolute URL
}

// FixedAnswer is the answer of a FixedResponse action.
type FixedAnswer struct {
	StatusCode  int
	ContentType string
	Content     string
}

// Rewritten is the request after a Rewrite action: host (no port), decoded
// path and raw query, each the request's own when the action keeps it.
type Rewritten struct {
	Host  string
	Path  string
	Query string
}

// HeaderInsert is a header an InsertHeader action adds. With Cover it
// replaces a header of the same name; otherwise it is added next to it.
type HeaderInsert struct {
	Key   string
	Value string
	Cover bool
}

// ResponseDecision is what the Response rules do with a backend response.
type ResponseDecision struct {
	// Matched is false when no Response rule matched (nothing to do).
	Matched   bool
	Rule      string
	RuleIndex int
	Priority  int
	// InsertHeaders and RemoveHeaders apply to the response.
	InsertHeaders []HeaderInsert
	RemoveHeaders []string
}

// Decide returns what the listener does with the request: the first Request
// rule by ascending priority whose conditions all match, or the default
// action.
func (r *Router) Decide(req *Request) Decision {
	host := hostOnly(req.Host)
	for _, c := range r.request {
		if c.matches(req, host, nil) {
			return r.decision(c, req, host)
		}
	}
	return r.decision(&r.def, req, host)
}

// DecideResponse returns what the Response rules do with a backend response
// to req: the first by ascending priority whose conditions (response and
// request ones) all match.
func (r *Router) DecideResponse(req *Request, resp *Response) ResponseDecision {
	host := hostOnly(req.Host)
	for _, c := range r.response {
		if c.matches(req, host, resp) {
			return r.responseDecision(c, req, resp)
		}
	}
	return ResponseDecision{RuleIndex: -1}
}

func (c *crule) matches(req *Request, host string, resp *Response) bool {
	for i := range c.conds {
		if !c.conds[i].match(req, host, resp) {
			return false
		}
	}
	return true
}

// match reports whether the condition holds: some value matches (values are
// ORed).
func (c *ccond) match(req *Request, host string, resp *Response) bool {
	switch c.typ {
	case ConditionHost:
		return anyPattern(c.pats, host)
	case ConditionPath:
		return anyPattern(c.pats, req.Path)
	case ConditionHeader:
		return anyField(c.pats, headerValues(req.Header, c.key))
	case ConditionQueryString:
		return matchQuery(c.pairs, req.RawQuery)
	case ConditionCookie:
		return matchCookies(c.pairs, headerValues(req.Header, "Cookie"))
	case ConditionMethod:
		return slices.Contains(c.methods, req.Method) // guessMethodExact
	case ConditionSourceIP:
		if !req.SourceIP.IsValid() {
			return false
		}
		a := unmap(req.SourceIP)
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	case ConditionResponseHeader:
		return resp != nil && anyField(c.pats, headerValues(resp.Header, c.key))
	case ConditionResponseStatusCode:
		return resp != nil && slices.Contains(c.codes, resp.StatusCode)
	}
	return false
}

func anyPattern(pats []pattern, s string) bool {
	for i := range pats {
		if pats[i].match(s) {
			return true
		}
	}
	return false
}

func anyField(pats []pattern, fields []string) bool {
	for _, f := range fields {
		if anyPattern(pats, f) {
			return true
		}
	}
	return false
}

// decision builds the Decision of a matching rule.
func (r *Router) decision(c *crule, req *Request, host string) Decision {
	d := Decision{
		Default:       c.index < 0,
		Rule:          c.id,
		RuleIndex:     c.index,
		Priority:      c.priority,
		Final:         c.final,
		Forward:       c.forward,
		StickySession: c.sticky,
		FixedResponse: c.fixed,
		RemoveHeaders: c.removes,
		TrafficLimit:  c.limit,
		Mirror:        c.mirror,
		Cors:          c.cors,
	}
	if d.Final != ActionForwardGroup {
		d.Forward, d.StickySession = nil, StickySession{}
	}
	if c.redirect == nil && c.rewrite == nil && len(c.inserts) == 0 {
		return d
	}
	v := vars{host: host, path: req.Path, query: req.RawQuery, protocol: r.scheme, port: r.portStr}
	if c.captures {
		v.caps = c.capture(req, host)
	}
	if c.rewrite != nil {
		d.Rewrite = &Rewritten{Host: c.rewrite.host.expand(&v), Path: c.rewrite.path.expand(&v), Query: c.rewrite.query.expand(&v)}
	}
	if c.redirect != nil && d.Final == ActionRedirect {
		d.Redirect = &Redirection{StatusCode: c.redirect.status, Location: c.redirect.location(&v)}
	}
	d.InsertHeaders = r.inserts(c, req.Header, req)
	return d
}

func (r *Router) responseDecision(c *crule, req *Request, resp *Response) ResponseDecision {
	return ResponseDecision{Matched: true, Rule: c.id, RuleIndex: c.index, Priority: c.priority,
		InsertHeaders: r.inserts(c, resp.Header, req), RemoveHeaders: c.removes}
}

// inserts expands the InsertHeader actions; ReferenceHeader values are read
// from h (the request's headers, or the response's for a Response rule).
func (r *Router) inserts(c *crule, h map[string][]string, req *Request) []HeaderInsert {
	if c.staticInserts != nil || len(c.inserts) == 0 {
		return c.staticInserts
	}
	out := make([]HeaderInsert, 0, len(c.inserts))
	for _, in := range c.inserts {
		hi := HeaderInsert{Key: in.key, Cover: in.cover}
		switch in.valueType {
		case ValueUserDefined:
			hi.Value = in.value
		case ValueReferenceHeader:
			vs := headerValues(h, in.refKey)
			if len(vs) == 0 {
				continue // guessReferenceAbsentSkipped
			}
			hi.Value = vs[0]
		case ValueSystemDefined:
			switch in.value {
			case SystemClientSrcPort:
				hi.Value = strconv.Itoa(req.SourcePort)
			case SystemClientSrcIP:
				if req.SourceIP.IsValid() {
					hi.Value = unmap(req.SourceIP).String()
				}
			case SystemProtocol:
				hi.Value = r.scheme
			case SystemSLBID:
				hi.Value = r.lbID
			case SystemSLBPort:
				hi.Value = r.portStr
			default:
				continue
			}
		default:
			continue
		}
		out = append(out, hi)
	}
	return out
}

// capture returns ${1}..${3}: the groups of the matching values of the
// rule's regex Host and Path conditions, in condition order.
func (c *crule) capture(req *Request, host string) [3]string {
	var caps [3]string
	n := 0
	for i := range c.conds {
		cc := &c.conds[i]
		var s string
		switch cc.typ {
		case ConditionHost:
			s = host
		case ConditionPath:
			s = req.Path
		default:
			continue
		}
		for j := range cc.pats {
			p := &cc.pats[j]
			if p.kind != patRegex {
				if p.match(s) {
					break
				}
				continue
			}
			m := p.re.FindStringSubmatchIndex(s)
			if m == nil {
				continue
			}
			for g := 1; g <= p.groups && n < len(caps); g++ {
				if m[2*g] >= 0 {
					caps[n] = s[m[2*g]:m[2*g+1]]
				}
				n++
			}
			break
		}
	}
	return caps
}

// location builds ${protocol}://${host}:${port}${path}?${query}, without
// the scheme's default port and without an empty query.
func (rd *credirect) location(v *vars) string {
	scheme := lowerASCII(rd.protocol.expand(v))
	host := rd.host.expand(v)
	port := rd.port.expand(v)
	path := rd.path.expand(v)
	query := rd.query.expand(v)
	b := make([]byte, 0, len(scheme)+len(host)+len(port)+len(path)+len(query)+8)
	b = append(b, scheme...)
	b = append(b, "://"...)
	b = append(b, host...)
	if !(scheme == "http" && port == "80" || scheme == "https" && port == "443") && port != "" {
		b = append(b, ':')
		b = append(b, port...)
	}
	if path != "" && path[0] != '/' {
		b = append(b, '/')
	}
	b = append(b, (&url.URL{Path: path}).EscapedPath()...)
	if query != "" {
		b = append(b, '?')
		b = append(b, query...)
	}
	return string(b)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = toLower(b[j])
			}
			return string(b)
		}
	}
	return s
}
