package albtest

import (
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/albkit/albkit/edition"
	"github.com/albkit/albkit/routing"
)

// Forwarding rules from the wire: RuleConditions.N and RuleActions.N are
// decoded into the routing package's model (routing.Condition,
// routing.Action), the form the data plane compiles, and checked here with
// the emulator's own code (the codes are in the table of
// alb_listener_validate.go). Value formats follow the reference §2.4 and
// the SDK's texts; the routing package's own checks are not used, so that
// the albkit client's checks (which use them) can be compared with these.
// The choices where the sources leave a gap are the routing package's
// GUESSes (its guess.go) where they apply to the API, restated here:
//
//   - several Host values are allowed; a Host or Path value starting with
//     "~" is a regex ("~*" case-insensitive), which RE2 must compile; a
//     host regex has the documented characters, a path regex is printable
//     ASCII without space, '"', '#' or ';';
//   - Host and Header values match regardless of case, so two values that
//     differ only in case are one value given twice;
//   - a Cookie value is up to 128 characters; a Redirect port is 1–65535;
//   - a TrafficLimit with both limits needs PerIpQps < QPS;
//   - a FixedResponse HttpCode may be written "HTTP_503" as well as "503";
//   - Response rules take InsertHeader and RemoveHeader only, need no final
//     action, and cannot insert or remove connection, upgrade,
//     content-length or transfer-encoding;
//   - Request and Response rules have separate priority spaces;
//   - the wildcard quota counts values (a QueryString or Cookie pair once)
//     with '*' or '?', and regexes;
//   - ${1}..${3} in Rewrite and Redirect need as many capture groups in the
//     rule's regex Host and Path conditions;
//   - Cors takes "*" alone or http(s)://host[:port] origins (GUESS: at
//     least one), header names of [A-Za-z0-9_-] or "*".

// Per-call limits of the batch operations.
const (
	maxRulesPerCall       = 10  // CreateRules, UpdateRulesAttribute (GUESS: the ingress controller's batches)
	maxRuleIDsPerDelete   = 100 // DeleteRules (SDK)
	maxGroupsPerForward   = 5   // ServerGroupTuples of a ForwardGroup (SDK)
	maxGroupsPerMirror    = 5   // mirror groups of a TrafficMirror (GUESS, as ForwardGroup)
	maxQueryPairs         = 20  // QueryString pairs of one condition (SDK)
	maxPriority           = 10000
	maxOrder              = 50000
	maxFixedContentLength = 1024
)

// condConfigs and actConfigs name the config struct of each condition and
// action type on the wire.
var (
	condConfigs = map[routing.ConditionType]string{
		routing.ConditionHost: "HostConfig", routing.ConditionPath: "PathConfig", routing.ConditionHeader: "HeaderConfig",
		routing.ConditionQueryString: "QueryStringConfig", routing.ConditionMethod: "MethodConfig",
		routing.ConditionCookie: "CookieConfig", routing.ConditionSourceIP: "SourceIpConfig",
		routing.ConditionResponseHeader: "ResponseHeaderConfig", routing.ConditionResponseStatusCode: "ResponseStatusCodeConfig",
	}
	actConfigs = map[routing.ActionType]string{
		routing.ActionForwardGroup: "ForwardGroupConfig", routing.ActionRedirect: "RedirectConfig",
		routing.ActionFixedResponse: "FixedResponseConfig", routing.ActionRewrite: "RewriteConfig",
		routing.ActionInsertHeader: "InsertHeaderConfig", routing.ActionRemoveHeader: "RemoveHeaderConfig",
		routing.ActionTrafficLimit: "TrafficLimitConfig", routing.ActionTrafficMirror: "TrafficMirrorConfig",
		routing.ActionCors: "CorsConfig",
	}
)

// ruleSpec is one rule of a request, decoded: what it gives (the set
// flags) and, for a ForwardGroup action, whether ServerGroupStickySession
// was given (answered only then).
type ruleSpec struct {
	prefix            string // "" or "Rules.N.", for messages
	id                string // RuleId (updates)
	name              string
	priority          int
	direction         routing.Direction
	conds             []routing.Condition
	acts              []routing.Action
	sticky            []bool // per action: ServerGroupStickySession given
	tags              []tagKV
	nameSet, prioSet  bool
	condsSet, actsSet bool
}

// topRule makes the parameters named of a single-rule operation
// (CreateRule, UpdateRuleAttribute) a rule node; the others are not the
// rule's.
func topRule(p url.Values, names ...string) *pnode {
	n := &pnode{fields: map[string]*pnode{}}
	for _, k := range names {
		if t := paramTree(p, k); t != nil {
			n.fields[k] = t
		}
	}
	return n
}

// decodeRule reads one rule node (topRule, or an item of Rules.N). create
// requires the create fields; allowed lists the node's fields.
func decodeRule(n *pnode, prefix string, create bool, allowed ...string) (*ruleSpec, *apiError) {
	if e := n.only(allowed...); e != nil {
		return nil, e
	}
	r := &ruleSpec{prefix: prefix, id: n.str("RuleId"), name: n.str("RuleName")}
	r.nameSet = r.name != ""
	if c := n.get("Priority"); c != nil && c.val != "" {
		v, err := strconv.Atoi(c.val)
		if err != nil || v < 1 || v > maxPriority {
			return nil, invalid(c.name, c.val)
		}
		r.priority, r.prioSet = v, true
	}
	switch d := n.str("Direction"); d {
	case "", "Request":
		r.direction = routing.DirectionRequest
	case "Response":
		r.direction = routing.DirectionResponse
	default:
		return nil, invalid(prefix+"Direction", d)
	}
	if c := n.get("RuleConditions"); !c.empty() {
		conds, e := decodeConditions(c)
		if e != nil {
			return nil, e
		}
		r.conds, r.condsSet = conds, true
	}
	if c := n.get("RuleActions"); !c.empty() {
		acts, sticky, e := decodeActions(c)
		if e != nil {
			return nil, e
		}
		r.acts, r.sticky, r.actsSet = acts, sticky, true
	}
	if create {
		switch {
		case !r.nameSet:
			return nil, missing(prefix + "RuleName")
		case !r.prioSet:
			return nil, missing(prefix + "Priority")
		case !r.condsSet:
			return nil, missing(prefix + "RuleConditions")
		case !r.actsSet:
			return nil, missing(prefix + "RuleActions")
		}
	}
	if r.nameSet && !validName(r.name) {
		return nil, invalid(prefix+"RuleName", r.name)
	}
	tl, e := nodeTags(n.get("Tag"))
	if e != nil {
		return nil, e
	}
	r.tags = tl
	return r, nil
}

// nodeTags reads Tag.N.Key/Value of a rule node (at most 20).
func nodeTags(n *pnode) ([]tagKV, *apiError) {
	items, e := n.items()
	if e != nil {
		return nil, e
	}
	if len(items) > 20 {
		return nil, errf(400, "InvalidParameter", "The number of tags exceeds %d.", 20)
	}
	out := make([]tagKV, 0, len(items))
	for _, it := range items {
		if e := it.only("Key", "Value"); e != nil {
			return nil, e
		}
		k := it.get("Key")
		if k == nil {
			return nil, missing(it.name + ".Key")
		}
		if !validTag(k.val, true, 128) {
			return nil, invalid("Tag.Key", k.val)
		}
		v := it.str("Value")
		if !validTag(v, false, 128) {
			return nil, invalid("Tag.Value", v)
		}
		out = append(out, tagKV{k.val, v})
	}
	return out, nil
}

// otherConfig refuses a non-empty config struct of another type than t's
// (the reference: each entry carries exactly its type's config).
func otherConfig(n *pnode, own string, configs []string) *apiError {
	for _, name := range configs {
		if name != own && !n.get(name).empty() {
			return errf(400, "InvalidParameter", "%s does not apply to a %s entry.", n.get(name).name, n.str("Type"))
		}
	}
	return nil
}

func decodeConditions(n *pnode) ([]routing.Condition, *apiError) {
	items, e := n.items()
	if e != nil {
		return nil, e
	}
	configs := make([]string, 0, len(condConfigs))
	for _, t := range routing.ConditionTypes() {
		configs = append(configs, condConfigs[t])
	}
	out := make([]routing.Condition, 0, len(items))
	for _, it := range items {
		if e := it.only(append([]string{"Type"}, configs...)...); e != nil {
			return nil, e
		}
		t := routing.ConditionType(it.str("Type"))
		cfgName, ok := condConfigs[t]
		switch {
		case t == "":
			return nil, missing(it.name + ".Type")
		case !ok:
			return nil, invalid(it.name+".Type", string(t))
		}
		if e := otherConfig(it, cfgName, configs); e != nil {
			return nil, e
		}
		cfg := it.get(cfgName)
		full := it.name + "." + cfgName
		c := routing.Condition{Type: t}
		switch t {
		case routing.ConditionHeader, routing.ConditionResponseHeader:
			if e := cfg.only("Key", "Values"); e != nil {
				return nil, e
			}
			if c.Key = cfg.str("Key"); c.Key == "" {
				return nil, missing(full + ".Key")
			}
			fallthrough
		case routing.ConditionHost, routing.ConditionPath, routing.ConditionMethod, routing.ConditionSourceIP, routing.ConditionResponseStatusCode:
			if c.Key == "" {
				if e := cfg.only("Values"); e != nil {
					return nil, e
				}
			}
			vs, e := cfg.get("Values").strs()
			if e != nil {
				return nil, e
			}
			c.Values = vs
		case routing.ConditionQueryString, routing.ConditionCookie:
			if e := cfg.only("Values"); e != nil {
				return nil, e
			}
			pairs, e := cfg.get("Values").items()
			if e != nil {
				return nil, e
			}
			for _, p := range pairs {
				if e := p.only("Key", "Value"); e != nil {
					return nil, e
				}
				if p.empty() {
					continue
				}
				c.Pairs = append(c.Pairs, routing.KV(p.str("Key"), p.str("Value")))
			}
		}
		if len(c.Values) == 0 && len(c.Pairs) == 0 {
			return nil, missing(full + ".Values")
		}
		out = append(out, c)
	}
	return out, nil
}

func decodeActions(n *pnode) ([]routing.Action, []bool, *apiError) {
	items, e := n.items()
	if e != nil {
		return nil, nil, e
	}
	configs := make([]string, 0, len(actConfigs))
	for _, t := range routing.ActionTypes() {
		configs = append(configs, actConfigs[t])
	}
	out := make([]routing.Action, 0, len(items))
	sticky := make([]bool, 0, len(items))
	for _, it := range items {
		if e := it.only(append([]string{"Type", "Order"}, configs...)...); e != nil {
			return nil, nil, e
		}
		t := routing.ActionType(it.str("Type"))
		cfgName, ok := actConfigs[t]
		switch {
		case t == "":
			return nil, nil, missing(it.name + ".Type")
		case !ok:
			return nil, nil, invalid(it.name+".Type", string(t))
		}
		a := routing.Action{Type: t}
		oc := it.get("Order")
		if oc == nil || oc.val == "" {
			return nil, nil, missing(it.name + ".Order")
		}
		order, err := strconv.Atoi(oc.val)
		if err != nil || order < 1 || order > maxOrder {
			return nil, nil, invalid(oc.name, oc.val)
		}
		a.Order = order
		if e := otherConfig(it, cfgName, configs); e != nil {
			return nil, nil, e
		}
		cfg := it.get(cfgName)
		if cfg.empty() {
			return nil, nil, missing(it.name + "." + cfgName)
		}
		st, e := decodeActionConfig(&a, cfg)
		if e != nil {
			return nil, nil, e
		}
		out = append(out, a)
		sticky = append(sticky, st)
	}
	return out, sticky, nil
}

// decodeActionConfig reads the config of a's type; for a ForwardGroup it
// reports whether ServerGroupStickySession was given.
func decodeActionConfig(a *routing.Action, cfg *pnode) (bool, *apiError) {
	var e *apiError
	switch a.Type {
	case routing.ActionForwardGroup:
		if e = cfg.only("ServerGroupTuples", "ServerGroupStickySession"); e != nil {
			return false, e
		}
		fg := &routing.ForwardGroupConfig{}
		tuples, e := cfg.get("ServerGroupTuples").items()
		if e != nil {
			return false, e
		}
		weighted := 0
		for _, t := range tuples {
			if e := t.only("ServerGroupId", "Weight"); e != nil {
				return false, e
			}
			id := t.str("ServerGroupId")
			if id == "" {
				return false, missing(t.name + ".ServerGroupId")
			}
			w, set, e := t.intField("Weight", 0, 100)
			if e != nil {
				return false, e
			}
			if !set {
				w = 100
			} else {
				weighted++
			}
			fg.ServerGroups = append(fg.ServerGroups, routing.Weighted(id, int(w)))
		}
		switch {
		case len(fg.ServerGroups) == 0:
			return false, missing(cfg.name + ".ServerGroupTuples")
		case len(fg.ServerGroups) > maxGroupsPerForward:
			return false, errf(400, "InvalidParameter", "%s takes at most %d server groups, not %d.", cfg.name+".ServerGroupTuples", maxGroupsPerForward, len(fg.ServerGroups))
		case len(fg.ServerGroups) > 1 && weighted < len(fg.ServerGroups):
			return false, missing(cfg.name + ".ServerGroupTuples.N.Weight")
		}
		ss := cfg.get("ServerGroupStickySession")
		if e := ss.only("Enabled", "Timeout"); e != nil {
			return false, e
		}
		on, _, e := ss.boolField("Enabled")
		if e != nil {
			return false, e
		}
		if on {
			to, _, e := ss.intField("Timeout", 1, 86400)
			if e != nil {
				return false, e
			}
			fg.StickySession = routing.StickySession{Enabled: true, Timeout: int(to)}
		} else if _, _, e := ss.intField("Timeout", 0, 86400); e != nil {
			return false, e
		}
		a.ForwardGroup = fg
		return !ss.empty(), nil
	case routing.ActionRedirect:
		if e = cfg.only("Host", "HttpCode", "Path", "Port", "Protocol", "Query"); e != nil {
			return false, e
		}
		a.Redirect = &routing.RedirectConfig{HTTPCode: cfg.str("HttpCode"), Protocol: cfg.str("Protocol"), Host: cfg.str("Host"),
			Port: cfg.str("Port"), Path: cfg.str("Path"), Query: cfg.str("Query")}
	case routing.ActionFixedResponse:
		if e = cfg.only("Content", "ContentType", "HttpCode"); e != nil {
			return false, e
		}
		a.FixedResponse = &routing.FixedResponseConfig{HTTPCode: cfg.str("HttpCode"), ContentType: cfg.str("ContentType"), Content: cfg.str("Content")}
	case routing.ActionRewrite:
		if e = cfg.only("Host", "Path", "Query"); e != nil {
			return false, e
		}
		a.Rewrite = &routing.RewriteConfig{Host: cfg.str("Host"), Path: cfg.str("Path"), Query: cfg.str("Query")}
	case routing.ActionInsertHeader:
		if e = cfg.only("Key", "Value", "ValueType", "CoverEnabled"); e != nil {
			return false, e
		}
		cover, _, e := cfg.boolField("CoverEnabled")
		if e != nil {
			return false, e
		}
		a.InsertHeader = &routing.InsertHeaderConfig{Key: cfg.str("Key"), Value: cfg.str("Value"),
			ValueType: routing.HeaderValueType(cfg.str("ValueType")), CoverEnabled: cover}
	case routing.ActionRemoveHeader:
		if e = cfg.only("Key"); e != nil {
			return false, e
		}
		a.RemoveHeader = &routing.RemoveHeaderConfig{Key: cfg.str("Key")}
	case routing.ActionTrafficLimit:
		if e = cfg.only("QPS", "PerIpQps"); e != nil {
			return false, e
		}
		qps, _, e := cfg.intField("QPS", 1, 1<<31-1)
		if e != nil {
			return false, e
		}
		per, _, e := cfg.intField("PerIpQps", 1, 1<<31-1)
		if e != nil {
			return false, e
		}
		a.TrafficLimit = &routing.TrafficLimitConfig{QPS: int(qps), PerIPQPS: int(per)}
	case routing.ActionTrafficMirror:
		if e = cfg.only("TargetType", "MirrorGroupConfig"); e != nil {
			return false, e
		}
		mg := cfg.get("MirrorGroupConfig")
		if e := mg.only("ServerGroupTuples"); e != nil {
			return false, e
		}
		tuples, e := mg.get("ServerGroupTuples").items()
		if e != nil {
			return false, e
		}
		m := &routing.TrafficMirrorConfig{TargetType: cfg.str("TargetType")}
		for _, t := range tuples {
			if e := t.only("ServerGroupId", "Weight"); e != nil {
				return false, e
			}
			id := t.str("ServerGroupId")
			if id == "" {
				return false, missing(t.name + ".ServerGroupId")
			}
			m.ServerGroupIDs = append(m.ServerGroupIDs, id)
		}
		a.TrafficMirror = m
	case routing.ActionCors:
		if e = cfg.only("AllowOrigin", "AllowMethods", "AllowHeaders", "ExposeHeaders", "AllowCredentials", "MaxAge"); e != nil {
			return false, e
		}
		c := &routing.CorsConfig{AllowCredentials: cfg.str("AllowCredentials")}
		for _, f := range []struct {
			name string
			to   *[]string
		}{{"AllowOrigin", &c.AllowOrigins}, {"AllowMethods", &c.AllowMethods}, {"AllowHeaders", &c.AllowHeaders}, {"ExposeHeaders", &c.ExposeHeaders}} {
			vs, e := cfg.get(f.name).strs()
			if e != nil {
				return false, e
			}
			*f.to = vs
		}
		age, _, e := cfg.intField("MaxAge", -1, 172800)
		if e != nil {
			return false, e
		}
		c.MaxAge = age
		a.Cors = c
	}
	return false, nil
}

// checkRuleValues checks a rule's values and structure, without its
// listener: every condition and action value format, orders, the final
// action, Rewrite, header keys, the direction's conditions and actions.
func checkRuleValues(r *ruleSpec) *apiError {
	p := r.prefix
	resp := r.direction == routing.DirectionResponse
	for i, c := range r.conds {
		field := p + "RuleConditions." + itoa(i+1) + "." + condConfigs[c.Type]
		if e := checkCondition(c, field, resp); e != nil {
			return e
		}
	}
	orders := map[int]bool{}
	finals, lastFinal, maxOrderSeen, rewrites := 0, 0, 0, 0
	hasForward := false
	keys := map[string]bool{}
	for i, a := range r.acts {
		field := p + "RuleActions." + itoa(i+1)
		if orders[a.Order] {
			return errf(400, "InvalidParameter", "%s.Order %d is used by another action of the rule.", field, a.Order)
		}
		orders[a.Order] = true
		maxOrderSeen = max(maxOrderSeen, a.Order)
		if resp && a.Type != routing.ActionInsertHeader && a.Type != routing.ActionRemoveHeader {
			return errf(400, "InvalidParameter", "%s: a Response rule takes InsertHeader and RemoveHeader actions only, not %s.", field, a.Type)
		}
		if a.Type.Final() {
			finals++
			lastFinal = a.Order
		}
		switch a.Type {
		case routing.ActionRewrite:
			rewrites++
		case routing.ActionForwardGroup:
			hasForward = true
		}
		if e := checkAction(a, field+"."+actConfigs[a.Type], resp, r.conds); e != nil {
			return e
		}
		var key string
		if a.InsertHeader != nil {
			key = a.InsertHeader.Key
		} else if a.RemoveHeader != nil {
			key = a.RemoveHeader.Key
		}
		if key != "" {
			if keys[strings.ToLower(key)] {
				return errf(400, "InvalidParameter", "%s: the header %s is inserted or removed by another action of the rule.", field, key)
			}
			keys[strings.ToLower(key)] = true
		}
	}
	if !resp && (finals != 1 || lastFinal != maxOrderSeen) {
		return errf(400, "IllegalParam.Order", "A Request rule needs exactly one final action (ForwardGroup, Redirect or FixedResponse) with the largest Order; %sRuleActions has %d.", p, finals)
	}
	if rewrites > 1 {
		return errf(400, "InvalidParameter", "%sRuleActions takes at most one Rewrite action.", p)
	}
	if rewrites == 1 && !hasForward {
		return errf(400, "InvalidParameter", "A Rewrite action needs ForwardGroup as the final action (%sRuleActions).", p)
	}
	return nil
}

func checkCondition(c routing.Condition, field string, resp bool) *apiError {
	if !resp && (c.Type == routing.ConditionResponseHeader || c.Type == routing.ConditionResponseStatusCode) {
		return errf(400, "InvalidParameter", "%s: %s conditions belong to Response rules.", field, c.Type)
	}
	seen := map[string]bool{}
	for j, v := range c.Values {
		vf := field + ".Values." + itoa(j+1)
		k := v
		if c.Type == routing.ConditionHost || c.Type == routing.ConditionHeader || c.Type == routing.ConditionResponseHeader {
			k = strings.ToLower(v) // they match regardless of case: one value
		}
		if seen[k] {
			return errf(400, "InvalidParameter", "%s: the value %q is given twice.", vf, truncate(v, 64))
		}
		seen[k] = true
		ok := false
		switch c.Type {
		case routing.ConditionHost:
			ok = validHostCondition(v)
		case routing.ConditionPath:
			ok = validPathCondition(v)
		case routing.ConditionHeader, routing.ConditionResponseHeader:
			ok = validHeaderValue(v)
		case routing.ConditionMethod:
			ok = strings.Contains(" HEAD GET POST OPTIONS PUT PATCH DELETE ", " "+v+" ")
		case routing.ConditionSourceIP:
			ok = validSourceIP(v)
		case routing.ConditionResponseStatusCode:
			n, err := strconv.Atoi(v)
			ok = err == nil && len(v) == 3 && n >= 100 && n <= 599
		}
		if !ok {
			return invalid(vf, v)
		}
	}
	if c.Key != "" && !validHeaderKey(c.Key) {
		return invalid(field+".Key", c.Key)
	}
	if c.Type == routing.ConditionQueryString && len(c.Pairs) > maxQueryPairs {
		return errf(400, "InvalidParameter", "%s takes at most %d pairs, not %d.", field+".Values", maxQueryPairs, len(c.Pairs))
	}
	for j, kv := range c.Pairs {
		vf := field + ".Values." + itoa(j+1)
		key := kv.Key + "\x00" + kv.Value
		if seen[key] {
			return errf(400, "InvalidParameter", "%s: the pair %s=%s is given twice.", vf, truncate(kv.Key, 32), truncate(kv.Value, 32))
		}
		seen[key] = true
		valueMax, forbidden := 128, `#[]{}\|<>&`
		if c.Type == routing.ConditionCookie {
			forbidden += `;"`
		}
		if !validKVPart(kv.Key, 100, forbidden) {
			return invalid(vf+".Key", kv.Key)
		}
		if !validKVPart(kv.Value, valueMax, forbidden) {
			return invalid(vf+".Value", kv.Value)
		}
	}
	return nil
}

// validHostCondition: an exact or wildcard host (3–128 characters of
// lowercase letters, digits, '-', '.', '*', '?'; at least one dot, not at
// either end; labels not starting or ending with '-'; the last label
// letters and wildcards only), or a regex "~…" / "~*…".
func validHostCondition(v string) bool {
	if strings.HasPrefix(v, "~") {
		return len(v) >= 3 && validRegexValue(v, func(body string) bool { return onlyChars(body, `.-?=~_+\^*!$&|()[]`) })
	}
	return validHostName(v, true)
}

// validHostName checks an exact host (wildcards when wild).
func validHostName(v string, wild bool) bool {
	if len(v) < 3 || len(v) > 128 || !strings.Contains(v, ".") || v[0] == '.' || v[len(v)-1] == '.' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || wild && (c == '*' || c == '?')) {
			return false
		}
	}
	labels := strings.Split(v, ".")
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	last := labels[len(labels)-1]
	for i := 0; i < len(last); i++ {
		if c := last[i]; !(c >= 'a' && c <= 'z' || c == '*' || c == '?') {
			return false
		}
	}
	return true
}

// validPathCondition: an exact or wildcard path (1–128 characters starting
// with '/', letters, digits and $ - _ . + / & ~ @ : * ?), or a regex of
// printable ASCII without space, '"', '#' or ';' (GUESS, routing's: only
// the host regex charset is documented).
func validPathCondition(v string) bool {
	if strings.HasPrefix(v, "~") {
		return validRegexValue(v, func(body string) bool { return isASCII(body) && !strings.ContainsAny(body, ` "#;`) })
	}
	return len(v) >= 1 && len(v) <= 128 && v[0] == '/' && onlyChars(v, `$-_.+/&~@:*?`)
}

// validRegexValue: "~regex" or "~*regex", at most 128 characters in all,
// whose regex passes chars and compiles as RE2.
func validRegexValue(v string, chars func(string) bool) bool {
	body := strings.TrimPrefix(strings.TrimPrefix(v, "~"), "*")
	if len(v) > 128 || body == "" || !chars(body) {
		return false
	}
	_, err := regexp.Compile(body)
	return err == nil
}

// onlyChars reports whether s has only ASCII letters, digits and the
// punctuation given.
func onlyChars(s, punct string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(punct, c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// validHeaderKey: 1–40 letters, digits, '_' and '-', not Cookie or Host.
func validHeaderKey(k string) bool {
	if len(k) < 1 || len(k) > 40 || !onlyChars(k, "_-") {
		return false
	}
	lk := strings.ToLower(k)
	return lk != "cookie" && lk != "host"
}

// validHeaderValue: 1–128 printable ASCII characters, no space at either
// end.
func validHeaderValue(v string) bool {
	return len(v) >= 1 && len(v) <= 128 && isASCII(v) && v[0] != ' ' && v[len(v)-1] != ' '
}

// validKVPart: a QueryString or Cookie key or value of 1–maxLen printable
// ASCII characters without uppercase letters, spaces or the forbidden
// ones.
func validKVPart(s string, maxLen int, forbidden string) bool {
	if len(s) < 1 || len(s) > maxLen || !isASCII(s) || strings.ContainsAny(s, forbidden+" ") {
		return false
	}
	return strings.ToLower(s) == s
}

// validSourceIP: an IPv4 or IPv6 address or CIDR block. An IPv6 zone
// ("fe80::1%eth0") names an interface of the host that wrote it: no
// address a client connects from has one.
func validSourceIP(v string) bool {
	if _, err := netip.ParsePrefix(v); err == nil {
		return true
	}
	a, err := netip.ParseAddr(v)
	return err == nil && a.Zone() == ""
}

// Headers InsertHeader and RemoveHeader may not touch (reference §2.4):
// on Request rules, and on Response rules.
var (
	forbiddenRequestHeaders = []string{"slb-id", "slb-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-eip",
		"x-forwarded-port", "x-forwarded-client-srcport", "x-forwarded-host", "connection", "upgrade", "content-length",
		"transfer-encoding", "keep-alive", "te", "host", "cookie", "remoteip", "authority"}
	forbiddenResponseHeaders = []string{"connection", "upgrade", "content-length", "transfer-encoding"}
)

func forbiddenHeader(key string, resp bool) bool {
	list := forbiddenRequestHeaders
	if resp {
		list = forbiddenResponseHeaders
	}
	lk := strings.ToLower(key)
	for _, h := range list {
		if h == lk {
			return true
		}
	}
	return false
}

// templateVar matches the ${…} variables of Redirect and Rewrite values.
var templateVar = regexp.MustCompile(`\$\{[^}]*\}`)

// checkTemplate checks a Redirect or Rewrite value: its variables are
// among vars and appear once each, ${1}..${3} need that many capture groups
// in the rule's regex conditions (groups), and the rest (the variables
// taken out) passes literal.
func checkTemplate(v, field string, vars []string, groups int, literal func(string) bool) *apiError {
	if len(v) > 128 {
		return invalid(field, v)
	}
	seen := map[string]bool{}
	for _, m := range templateVar.FindAllString(v, -1) {
		name := m[2 : len(m)-1]
		switch {
		case name == "1" || name == "2" || name == "3":
			if n, _ := strconv.Atoi(name); n > groups {
				return errf(400, "InvalidParameter", "%s uses %s, but the rule's regex conditions have %d capture groups.", field, m, groups)
			}
		case !strings.Contains(" "+strings.Join(vars, " ")+" ", " "+name+" "):
			return invalid(field, v)
		}
		if seen[name] {
			return errf(400, "InvalidParameter", "%s uses %s more than once.", field, m)
		}
		seen[name] = true
	}
	rest := templateVar.ReplaceAllString(v, "")
	if rest == "" && len(seen) > 0 {
		return nil
	}
	if !literal(rest) {
		return invalid(field, v)
	}
	return nil
}

// captureGroups counts the capture groups of a rule's regex Host and Path
// conditions (for each condition, the most any of its values has).
func captureGroups(conds []routing.Condition) int {
	n := 0
	for _, c := range conds {
		if c.Type != routing.ConditionHost && c.Type != routing.ConditionPath {
			continue
		}
		most := 0
		for _, v := range c.Values {
			if strings.HasPrefix(v, "~") {
				if re, err := regexp.Compile(strings.TrimPrefix(strings.TrimPrefix(v, "~"), "*")); err == nil {
					most = max(most, re.NumSubexp())
				}
			}
		}
		n += most
	}
	return n
}

// The variables a Redirect or Rewrite Path and Query take besides
// ${1}..${3} (SDK CreateRule RedirectConfig and RewriteConfig: "${path}
// [${query}]. ${host}, ${protocol}, and ${port} are also supported", the
// same for both actions; reference §2.4: Rewrite takes "the same
// formats").
var (
	pathVars  = []string{"path", "host", "protocol", "port"}
	queryVars = []string{"query", "host", "protocol", "port"}
)

// literal checks of Redirect and Rewrite values, the variables taken out.
func literalHost(s string) bool {
	return len(s) <= 128 && onlyChars(strings.ToLower(s), "-.") && strings.ToLower(s) == s
}
func literalPath(s string) bool { return len(s) <= 128 && onlyChars(s, `$-_.+/&~@:=?%`) }
func literalQuery(s string) bool {
	return len(s) <= 128 && isASCII(s) && !strings.ContainsAny(s, `#[]{}\|<>" `) && strings.ToLower(s) == s
}

func checkAction(a routing.Action, field string, resp bool, conds []routing.Condition) *apiError {
	groups := captureGroups(conds)
	switch a.Type {
	case routing.ActionRedirect:
		c := a.Redirect
		if c.HTTPCode != "" && !strings.Contains(" 301 302 303 307 308 ", " "+c.HTTPCode+" ") {
			return invalid(field+".HttpCode", c.HTTPCode)
		}
		if c.Protocol != "" && c.Protocol != "${protocol}" && c.Protocol != "HTTP" && c.Protocol != "HTTPS" {
			return invalid(field+".Protocol", c.Protocol)
		}
		if c.Port != "" && c.Port != "${port}" {
			if n, err := strconv.Atoi(c.Port); err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != c.Port {
				return invalid(field+".Port", c.Port)
			}
		}
		if c.Host != "" && c.Host != "${host}" {
			if e := checkTemplate(c.Host, field+".Host", nil, groups, func(s string) bool { return validHostName(s, false) || literalHost(s) && s != c.Host }); e != nil {
				return e
			}
		}
		if c.Path != "" {
			if e := checkTemplate(c.Path, field+".Path", pathVars, groups, literalPath); e != nil {
				return e
			}
			if c.Path[0] != '/' && c.Path[0] != '$' {
				return invalid(field+".Path", c.Path)
			}
		}
		if c.Query != "" {
			if e := checkTemplate(c.Query, field+".Query", queryVars, groups, literalQuery); e != nil {
				return e
			}
		}
		if or(c.Host, "${host}") == "${host}" && or(c.Path, "${path}") == "${path}" && or(c.Port, "${port}") == "${port}" &&
			or(c.Protocol, "${protocol}") == "${protocol}" && or(c.Query, "${query}") == "${query}" {
			return errf(400, "InvalidParameter", "%s leaves every field at its default: set at least one of Host, Path, Port, Protocol, Query.", field)
		}
	case routing.ActionRewrite:
		c := a.Rewrite
		if c.Host != "" && c.Host != "${host}" {
			if e := checkTemplate(c.Host, field+".Host", nil, groups, func(s string) bool { return validHostName(s, false) || literalHost(s) && s != c.Host }); e != nil {
				return e
			}
		}
		if c.Path != "" && c.Path != "${path}" {
			if e := checkTemplate(c.Path, field+".Path", pathVars, groups, literalPath); e != nil {
				return e
			}
			if c.Path[0] != '/' && c.Path[0] != '$' {
				return invalid(field+".Path", c.Path)
			}
		}
		if c.Query != "" && c.Query != "${query}" {
			if e := checkTemplate(c.Query, field+".Query", queryVars, groups, literalQuery); e != nil {
				return e
			}
		}
	case routing.ActionFixedResponse:
		c := a.FixedResponse
		code := strings.TrimPrefix(c.HTTPCode, "HTTP_")
		if c.HTTPCode == "" {
			return missing(field + ".HttpCode")
		}
		if n, err := strconv.Atoi(code); err != nil || len(code) != 3 || !(n >= 200 && n < 300 || n >= 400 && n < 600) {
			return invalid(field+".HttpCode", c.HTTPCode)
		}
		if c.ContentType != "" && !strings.Contains(" text/plain text/css text/html application/javascript application/json ", " "+c.ContentType+" ") {
			return invalid(field+".ContentType", c.ContentType)
		}
		if len(c.Content) > maxFixedContentLength || !utf8.ValidString(c.Content) || strings.ContainsFunc(c.Content, func(r rune) bool { return r >= utf8.RuneSelf }) {
			return invalid(field+".Content", c.Content)
		}
	case routing.ActionInsertHeader:
		c := a.InsertHeader
		if c.Key == "" {
			return missing(field + ".Key")
		}
		if len(c.Key) > 40 || !onlyChars(c.Key, "_-") || forbiddenHeader(c.Key, resp) {
			return invalid(field+".Key", c.Key)
		}
		if c.ValueType == "" {
			return missing(field + ".ValueType")
		}
		if c.Value == "" {
			return missing(field + ".Value")
		}
		ok := false
		switch c.ValueType {
		case routing.ValueUserDefined:
			ok = len(c.Value) <= 128 && isASCII(c.Value) && !strings.Contains(c.Value, `"`) && c.Value[0] != ' ' &&
				c.Value[len(c.Value)-1] != ' ' && c.Value[len(c.Value)-1] != '\\'
		case routing.ValueReferenceHeader:
			ok = len(c.Value) <= 128 && onlyChars(c.Value, "_-") && strings.ToLower(c.Value) == c.Value
		case routing.ValueSystemDefined:
			ok = strings.Contains(" ClientSrcPort ClientSrcIp Protocol SLBId SLBPort ", " "+c.Value+" ")
		default:
			return invalid(field+".ValueType", string(c.ValueType))
		}
		if !ok {
			return invalid(field+".Value", c.Value)
		}
	case routing.ActionRemoveHeader:
		c := a.RemoveHeader
		if c.Key == "" {
			return missing(field + ".Key")
		}
		if len(c.Key) > 40 || !onlyChars(c.Key, "_-") || forbiddenHeader(c.Key, resp) {
			return invalid(field+".Key", c.Key)
		}
	case routing.ActionTrafficLimit:
		c := a.TrafficLimit
		if c.QPS == 0 && c.PerIPQPS == 0 {
			return missing(field + ".QPS")
		}
		if c.QPS > 1_000_000 {
			return invalid(field+".QPS", itoa(c.QPS))
		}
		if c.PerIPQPS > 1_000_000 {
			return invalid(field+".PerIpQps", itoa(c.PerIPQPS))
		}
		if c.QPS > 0 && c.PerIPQPS > 0 && c.PerIPQPS >= c.QPS {
			return errf(400, "InvalidParameter", "%s.PerIpQps (%d) must be smaller than QPS (%d).", field, c.PerIPQPS, c.QPS)
		}
	case routing.ActionTrafficMirror:
		c := a.TrafficMirror
		if c.TargetType != "" && c.TargetType != routing.MirrorTarget {
			return invalid(field+".TargetType", c.TargetType)
		}
		switch {
		case len(c.ServerGroupIDs) == 0:
			return missing(field + ".MirrorGroupConfig.ServerGroupTuples")
		case len(c.ServerGroupIDs) > maxGroupsPerMirror:
			return errf(400, "InvalidParameter", "%s takes at most %d server groups.", field+".MirrorGroupConfig.ServerGroupTuples", maxGroupsPerMirror)
		}
	case routing.ActionCors:
		return checkCors(a.Cors, field)
	case routing.ActionForwardGroup:
		seen := map[string]bool{}
		for j, t := range a.ForwardGroup.ServerGroups {
			if seen[t.ServerGroupID] {
				return errf(400, "InvalidParameter", "%s.ServerGroupTuples.%d: the server group %s is given twice.", field, j+1, truncate(t.ServerGroupID, 64))
			}
			seen[t.ServerGroupID] = true
		}
	}
	return nil
}

func checkCors(c *routing.CorsConfig, field string) *apiError {
	if len(c.AllowOrigins) == 0 {
		return missing(field + ".AllowOrigin")
	}
	for j, o := range c.AllowOrigins {
		if o == "*" && len(c.AllowOrigins) == 1 {
			continue
		}
		rest, ok := strings.CutPrefix(o, "https://")
		if !ok {
			rest, ok = strings.CutPrefix(o, "http://")
		}
		host, port, hasPort := strings.Cut(rest, ":")
		if hasPort {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				ok = false
			}
		}
		if !ok || !validHostName(strings.ToLower(host), true) {
			return invalid(field+".AllowOrigin."+itoa(j+1), o)
		}
	}
	for j, m := range c.AllowMethods {
		if !strings.Contains(" GET POST PUT DELETE HEAD OPTIONS PATCH ", " "+m+" ") {
			return invalid(field+".AllowMethods."+itoa(j+1), m)
		}
	}
	for _, f := range []struct {
		name string
		vs   []string
	}{{"AllowHeaders", c.AllowHeaders}, {"ExposeHeaders", c.ExposeHeaders}} {
		for j, h := range f.vs {
			if h == "*" {
				continue
			}
			if len(h) > 40 || !onlyChars(h, "_-") {
				return invalid(field+"."+f.name+"."+itoa(j+1), h)
			}
		}
	}
	if c.AllowCredentials != "" && c.AllowCredentials != "on" && c.AllowCredentials != "off" {
		return invalid(field+".AllowCredentials", c.AllowCredentials)
	}
	return nil
}

// wildcards counts a rule's wildcard entries: condition values with '*'
// or '?', regexes, and QueryString or Cookie pairs with either.
func wildcards(conds []routing.Condition) int {
	n := 0
	wild := func(s string) bool { return strings.ContainsAny(s, "*?") || strings.HasPrefix(s, "~") }
	for _, c := range conds {
		if c.Type == routing.ConditionSourceIP {
			continue
		}
		for _, v := range c.Values {
			if wild(v) {
				n++
			}
		}
		for _, kv := range c.Pairs {
			if wild(kv.Key) || wild(kv.Value) {
				n++
			}
		}
	}
	return n
}

// checkRuleEdition applies the edition table to a rule: Response rules,
// the condition and action types, the counts per rule.
func checkRuleEdition(r *ruleSpec, f edition.Features) *apiError {
	if r.direction == routing.DirectionResponse && !f.Has(edition.ResponseRules) {
		return editionRefusal(f, edition.ResponseRules)
	}
	for _, c := range r.conds {
		if !f.AllowsCondition(string(c.Type)) {
			return editionRefusal(f, edition.Condition(string(c.Type)))
		}
	}
	for _, a := range r.acts {
		if !f.AllowsAction(string(a.Type)) {
			return editionRefusal(f, edition.Action(string(a.Type)))
		}
	}
	quota := func(code, what string, n, limit int) *apiError {
		return errf(400, code, "The quota of %s is exceeded, usage %d/%d (%s edition).", what, n, limit, f.Name)
	}
	switch {
	case len(r.conds) > f.MaxConditionsPerRule:
		return quota("QuotaExceeded.RuleConditionsNum", "conditions per rule", len(r.conds), f.MaxConditionsPerRule)
	case len(r.acts) > f.MaxActionsPerRule:
		return quota("QuotaExceeded.RuleActionsNum", "actions per rule", len(r.acts), f.MaxActionsPerRule)
	case wildcards(r.conds) > f.MaxWildcardsPerRule:
		return quota("QuotaExceeded.RuleWildcardsNum", "wildcard entries per rule", wildcards(r.conds), f.MaxWildcardsPerRule)
	}
	return nil
}

// checkRuleTargets checks the rule against its listener: a Redirect to
// HTTP from an HTTPS listener is refused (reference §2.4), and every
// forward and mirror target must be usable by the listener (checkTarget).
func (s *Server) checkRuleTargets(r *ruleSpec, l *lsnState, lb *lbState, now time.Time) *apiError {
	for i, a := range r.acts {
		switch {
		case a.Redirect != nil && a.Redirect.Protocol == "HTTP" && l.protocol == "HTTPS":
			return errf(400, "InvalidParameter", "%sRuleActions.%d.RedirectConfig.Protocol: an HTTPS listener redirects to HTTPS only.", r.prefix, i+1)
		case a.ForwardGroup != nil:
			for _, t := range a.ForwardGroup.ServerGroups {
				if e := s.checkTarget(lb, l.protocol, t.ServerGroupID, now); e != nil {
					return e
				}
			}
		case a.TrafficMirror != nil:
			for _, g := range a.TrafficMirror.ServerGroupIDs {
				if e := s.checkTarget(lb, l.protocol, g, now); e != nil {
					return e
				}
			}
		}
	}
	return nil
}
