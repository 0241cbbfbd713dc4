package routing

import (
	"fmt"
	"strings"
)

// Explanation says how a request was decided: each rule evaluated, by
// ascending priority, up to the one that matched, and why each earlier one
// did not.
type Explanation struct {
	// Decision is what Decide returns for the same request.
	Decision Decision
	// Steps are the rules evaluated, in evaluation order; the last one
	// matched unless Decision.Default.
	Steps []Step
}

// Step is one rule evaluated by Explain.
type Step struct {
	Rule      string // its ID
	RuleIndex int    // its index in Table.Rules
	Priority  int
	Matched   bool
	// Misses are the conditions that did not match, each with the reason
	// (empty when Matched).
	Misses []Miss
}

// Miss is a condition that did not match.
type Miss struct {
	Condition int // index in the rule's Conditions
	Type      ConditionType
	// Reason says why, e.g. `Host "api.example.com" does not match
	// "www.example.com"`.
	Reason string
}

// ResponseExplanation says how a backend response was decided by the
// Response rules.
type ResponseExplanation struct {
	Decision ResponseDecision
	Steps    []Step
}

// Explain decides the request as Decide does and says why: which rule
// matched, and for each rule evaluated before it which conditions did not
// match and why. It allocates; use Decide on hot paths.
func (r *Router) Explain(req *Request) Explanation {
	host := hostOnly(req.Host)
	steps, c := explainRules(r.request, req, host, nil)
	if c == nil {
		c = &r.def
	}
	return Explanation{Decision: r.decision(c, req, host), Steps: steps}
}

// ExplainResponse decides a response as DecideResponse does and says why.
func (r *Router) ExplainResponse(req *Request, resp *Response) ResponseExplanation {
	host := hostOnly(req.Host)
	steps, c := explainRules(r.response, req, host, resp)
	d := ResponseDecision{RuleIndex: -1}
	if c != nil {
		d = r.responseDecision(c, req, resp)
	}
	return ResponseExplanation{Decision: d, Steps: steps}
}

func explainRules(rules []*crule, req *Request, host string, resp *Response) ([]Step, *crule) {
	var steps []Step
	for _, c := range rules {
		st := Step{Rule: c.id, RuleIndex: c.index, Priority: c.priority}
		for i := range c.conds {
			cc := &c.conds[i]
			if !cc.match(req, host, resp) {
				st.Misses = append(st.Misses, Miss{Condition: i, Type: cc.typ, Reason: cc.reason(req, host, resp)})
			}
		}
		st.Matched = len(st.Misses) == 0
		steps = append(steps, st)
		if st.Matched {
			return steps, c
		}
	}
	return steps, nil
}

// reason says why the condition does not hold for the request.
func (c *ccond) reason(req *Request, host string, resp *Response) string {
	src := c.src
	switch c.typ {
	case ConditionHost:
		return fmt.Sprintf("Host %q does not match %s", host, quoteList(src.Values))
	case ConditionPath:
		return fmt.Sprintf("Path %q does not match %s", req.Path, quoteList(src.Values))
	case ConditionHeader, ConditionResponseHeader:
		h := req.Header
		if c.typ == ConditionResponseHeader {
			if resp == nil {
				return fmt.Sprintf("%s %q: there is no response", c.typ, src.Key)
			}
			h = resp.Header
		}
		vs := headerValues(h, c.key)
		if len(vs) == 0 {
			return fmt.Sprintf("%s %q is absent", c.typ, src.Key)
		}
		return fmt.Sprintf("%s %q value %s does not match %s", c.typ, src.Key, quoteList(vs), quoteList(src.Values))
	case ConditionQueryString:
		if req.RawQuery == "" {
			return fmt.Sprintf("the query string is empty; it needs a parameter matching %s", pairList(src.Pairs))
		}
		return fmt.Sprintf("QueryString %q has no parameter matching %s", req.RawQuery, pairList(src.Pairs))
	case ConditionCookie:
		if len(headerValues(req.Header, "Cookie")) == 0 {
			return fmt.Sprintf("there is no Cookie header; it needs a cookie matching %s", pairList(src.Pairs))
		}
		return fmt.Sprintf("no cookie matches %s", pairList(src.Pairs))
	case ConditionMethod:
		return fmt.Sprintf("Method %q is not %s", req.Method, quoteList(src.Values))
	case ConditionSourceIP:
		if !req.SourceIP.IsValid() {
			return "the source IP is unknown"
		}
		return fmt.Sprintf("SourceIp %s is not in %s", unmap(req.SourceIP), strings.Join(src.Values, ", "))
	case ConditionResponseStatusCode:
		if resp == nil {
			return "ResponseStatusCode: there is no response"
		}
		return fmt.Sprintf("ResponseStatusCode %d is not %s", resp.StatusCode, quoteList(src.Values))
	}
	return fmt.Sprintf("unknown condition type %q", c.typ)
}

// quoteList quotes one value, or says "any of" several.
func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "any of " + strings.Join(q, ", ")
}

func pairList(kvs []KeyValue) string {
	vs := make([]string, len(kvs))
	for i, kv := range kvs {
		vs[i] = kv.Key + "=" + kv.Value
	}
	return quoteList(vs)
}

// String is the explanation for a person, one line per rule evaluated and
// one per condition that missed, then the decision.
func (e Explanation) String() string {
	var b strings.Builder
	writeSteps(&b, e.Steps)
	b.WriteString("=> ")
	b.WriteString(e.Decision.String())
	return b.String()
}

// String is the explanation for a person.
func (e ResponseExplanation) String() string {
	var b strings.Builder
	writeSteps(&b, e.Steps)
	if !e.Decision.Matched {
		b.WriteString("=> no Response rule matched: the response passes unchanged")
		return b.String()
	}
	fmt.Fprintf(&b, "=> rule %s: insert %d header(s), remove %d header(s)", ruleLabel(e.Decision.Rule, e.Decision.RuleIndex), len(e.Decision.InsertHeaders), len(e.Decision.RemoveHeaders))
	return b.String()
}

func writeSteps(b *strings.Builder, steps []Step) {
	for _, s := range steps {
		verdict := "matched"
		if !s.Matched {
			verdict = "did not match"
		}
		fmt.Fprintf(b, "rule %s (priority %d) %s\n", ruleLabel(s.Rule, s.RuleIndex), s.Priority, verdict)
		for _, m := range s.Misses {
			fmt.Fprintf(b, "  Conditions[%d]: %s\n", m.Condition, m.Reason)
		}
	}
}

func ruleLabel(id string, index int) string {
	if id != "" {
		return id
	}
	return fmt.Sprintf("Rules[%d]", index)
}

// String describes the decision for a person: "rule api: forward to
// sgp-api (100)", "default action: forward to sgp-web (100)", "rule old:
// redirect 301 to https://example.com/", ...
func (d Decision) String() string {
	var b strings.Builder
	if d.Default {
		b.WriteString("default action: ")
	} else {
		fmt.Fprintf(&b, "rule %s: ", ruleLabel(d.Rule, d.RuleIndex))
	}
	var ext []string
	if d.Rewrite != nil {
		ext = append(ext, fmt.Sprintf("rewrite to host %q path %q query %q", d.Rewrite.Host, d.Rewrite.Path, d.Rewrite.Query))
	}
	for _, h := range d.InsertHeaders {
		ext = append(ext, fmt.Sprintf("insert %s: %s", h.Key, h.Value))
	}
	for _, h := range d.RemoveHeaders {
		ext = append(ext, "remove "+h)
	}
	if d.TrafficLimit != nil {
		ext = append(ext, fmt.Sprintf("limit QPS %d per-IP %d", d.TrafficLimit.QPS, d.TrafficLimit.PerIPQPS))
	}
	if len(d.Mirror) > 0 {
		ext = append(ext, "mirror to "+strings.Join(d.Mirror, ", "))
	}
	if d.Cors != nil {
		ext = append(ext, "CORS")
	}
	for _, e := range ext {
		b.WriteString(e)
		b.WriteString(", ")
	}
	switch d.Final {
	case ActionForwardGroup:
		b.WriteString("forward to ")
		for i, g := range d.Forward {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (%d)", g.ServerGroupID, g.Weight)
		}
		if d.StickySession.Enabled {
			fmt.Fprintf(&b, " sticky %ds", d.StickySession.Timeout)
		}
	case ActionRedirect:
		if d.Redirect != nil {
			fmt.Fprintf(&b, "redirect %d to %s", d.Redirect.StatusCode, d.Redirect.Location)
		}
	case ActionFixedResponse:
		if d.FixedResponse != nil {
			fmt.Fprintf(&b, "fixed response %d %s %q", d.FixedResponse.StatusCode, d.FixedResponse.ContentType, d.FixedResponse.Content)
		}
	default:
		b.WriteString("no final action")
	}
	return b.String()
}
