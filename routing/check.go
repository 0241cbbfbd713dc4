package routing

import (
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/albkit/albkit/edition"
)

// Finding is one problem found by Check or ValidateRule.
type Finding struct {
	// Field is the path of the offending field, e.g.
	// "Rules[2].Conditions[1].Values[0]" (ValidateRule: relative to the rule,
	// "Conditions[1].Values[0]").
	Field string
	// Rule is the stable check identifier, one of the Rule* constants (see
	// Rules).
	Rule string
	// ForwardingRule is the ID of the forwarding rule concerned ("" for the
	// listener's default action, or a rule without ID).
	ForwardingRule string
	// Severity is SeverityError or SeverityWarning.
	Severity Severity
	// Message says what is wrong in words a person can act on.
	Message string
}

// String formats the finding as "Field: Message [rule]" (with "warning: "
// before a warning's message).
func (f Finding) String() string {
	msg := f.Message
	if f.Severity == SeverityWarning {
		msg = "warning: " + msg
	}
	return f.Field + ": " + msg + " [" + f.Rule + "]"
}

// Error implements error, so a Finding can be returned or wrapped alone.
func (f Finding) Error() string { return f.String() }

// Errors returns the findings of severity error.
func Errors(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// findings collects findings under a field prefix.
type findings struct {
	list   []Finding
	prefix string // "Rules[3]." or ""
}

func (fs *findings) add(field, rule, ruleID, msg string) {
	fs.list = append(fs.list, Finding{Field: fs.prefix + field, Rule: rule, ForwardingRule: ruleID, Severity: SeverityError, Message: msg})
}

func (fs *findings) warn(field, rule, ruleID, msg string) {
	fs.list = append(fs.list, Finding{Field: fs.prefix + field, Rule: rule, ForwardingRule: ruleID, Severity: SeverityWarning, Message: msg})
}

// Scope is what a rule is validated against besides itself.
type Scope struct {
	// Edition is the instance's edition; "" skips the edition checks.
	Edition string
	// Protocol is the listener's protocol (HTTP, HTTPS, QUIC); "" skips the
	// protocol checks.
	Protocol string
}

// ValidateRule checks one rule's values and structure, and its edition
// limits when s names an edition: every violation at once, with field paths
// relative to the rule. Cross-rule checks (priorities, shadowing) are
// Check's.
func ValidateRule(r Rule, s Scope) []Finding {
	var fs findings
	validateRule(&fs, r, s)
	return fs.list
}

// Check returns every finding for a listener's table: each rule validated as
// ValidateRule does (fields prefixed "Rules[i]."), the default action,
// unique priorities per direction, and the warnings: shadowed rules, rule
// IDs used twice, forwards with every weight 0, and the edition's rule quota.
func Check(t Table) []Finding {
	var fs findings
	s := Scope{Edition: t.Edition, Protocol: t.Protocol}
	if len(t.Default) == 0 {
		fs.add("Default", RuleDefaultAction, "", "the listener's default action forwards to no server group: name one")
	}
	seenDefault := map[string]bool{}
	for i, id := range t.Default {
		if id == "" || seenDefault[id] {
			fs.add(fmt.Sprintf("Default[%d]", i), RuleDefaultAction, "", fmt.Sprintf("default server group %q is empty or named twice", id))
		}
		seenDefault[id] = true
	}
	if t.Edition != "" {
		if _, ok := edition.Of(t.Edition); !ok {
			fs.add("Edition", RuleEditionUnknown, "", fmt.Sprintf("unknown edition %q: use Basic, Standard or StandardWithWaf", t.Edition))
			s.Edition = "" // reported once here, not once per rule
		}
	}
	type key struct {
		dir Direction
		pri int
	}
	firstAt := map[key]int{}
	firstID := map[string]int{}
	for i, r := range t.Rules {
		fs.prefix = fmt.Sprintf("Rules[%d].", i)
		validateRule(&fs, r, s)
		fs.prefix = ""
		k := key{r.Direction, r.Priority}
		if r.Direction == "" {
			k.dir = DirectionRequest
		}
		if !guessPrioritySpacePerDirection {
			k.dir = ""
		}
		if j, ok := firstAt[k]; ok {
			fs.add(fmt.Sprintf("Rules[%d].Priority", i), RulePriorityUnique, r.ID,
				fmt.Sprintf("priority %d is already used by %s in the %s direction: give each rule its own priority", r.Priority, ruleName(t.Rules[j], j), k.dir))
		} else {
			firstAt[k] = i
		}
		if r.ID != "" {
			if j, ok := firstID[r.ID]; ok {
				fs.warn(fmt.Sprintf("Rules[%d].ID", i), RuleIDUnique, r.ID, fmt.Sprintf("rule ID %q is also Rules[%d]'s", r.ID, j))
			} else {
				firstID[r.ID] = i
			}
		}
	}
	if f, ok := edition.Of(s.Edition); ok && s.Edition != "" {
		if n := len(t.Rules); n > f.RulesPerInstance.Max {
			fs.add("Rules", RuleEditionRulesQuota, "", fmt.Sprintf("%d rules exceed the %s edition's rule quota even raised to its maximum, %d", n, f.Name, f.RulesPerInstance.Max))
		} else if n > f.RulesPerInstance.Default {
			fs.warn("Rules", RuleEditionRulesQuota, "", fmt.Sprintf("%d rules exceed the %s edition's default rule quota, %d per instance: raise the quota (up to %d) first", n, f.Name, f.RulesPerInstance.Default, f.RulesPerInstance.Max))
		}
	}
	fs.list = append(fs.list, shadowed(t.Rules)...)
	return fs.list
}

// ruleName is "rule api (Rules[3], priority 10)", or "Rules[3] (priority
// 10)" for a rule without ID.
func ruleName(r Rule, i int) string {
	if r.ID != "" {
		return fmt.Sprintf("rule %s (Rules[%d], priority %d)", r.ID, i, r.Priority)
	}
	return fmt.Sprintf("Rules[%d] (priority %d)", i, r.Priority)
}

func validateRule(fs *findings, r Rule, s Scope) {
	id := r.ID
	if n := len([]rune(r.Name)); n < 2 || n > 128 {
		fs.add("Name", RuleNameLength, id, fmt.Sprintf("the rule name has %d characters: use 2–128", n))
	} else if !validRuleName(r.Name) {
		fs.add("Name", RuleNameFormat, id, fmt.Sprintf("rule name %q must start with a letter and have only letters, digits, '.', '_' and '-'", r.Name))
	}
	if r.Priority < 1 || r.Priority > 10000 {
		fs.add("Priority", RulePriorityRange, id, fmt.Sprintf("priority %d is out of range: use 1–10000", r.Priority))
	}
	resp := false
	switch r.Direction {
	case "", DirectionRequest:
	case DirectionResponse:
		resp = true
	default:
		fs.add("Direction", RuleDirectionEnum, id, fmt.Sprintf("direction %q is neither Request nor Response", r.Direction))
	}
	if len(r.Conditions) == 0 {
		fs.add("Conditions", RuleConditionsRequired, id, "the rule has no condition: add at least one")
	}
	if len(r.Actions) == 0 {
		fs.add("Actions", RuleActionsRequired, id, "the rule has no action: add at least one")
	}
	groups := 0
	for i, c := range r.Conditions {
		groups += validateCondition(fs, fmt.Sprintf("Conditions[%d]", i), c, resp, id)
	}
	validateActions(fs, r, s, resp, groups)
	if s.Edition != "" {
		validateEdition(fs, r, s.Edition, resp)
	}
}

func validRuleName(s string) bool {
	if !isLetter(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLower(c byte) bool  { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }

// onlyChars reports whether every byte of s is a letter, a digit or in set.
func onlyChars(s string, letters bool, set string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) || strings.IndexByte(set, c) >= 0 {
			continue
		}
		if letters && isLetter(c) {
			continue
		}
		return c, false
	}
	return 0, true
}

// printable reports whether s is printable ASCII (32–126).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 32 || s[i] > 126 {
			return false
		}
	}
	return true
}

// validateCondition checks one condition and returns the number of regex
// capture groups it offers (the most of any of its values).
func validateCondition(fs *findings, at string, c Condition, resp bool, id string) int {
	valuesKind := true
	switch c.Type {
	case ConditionHost, ConditionPath, ConditionMethod, ConditionSourceIP, ConditionResponseStatusCode:
		if c.Key != "" || len(c.Pairs) > 0 {
			fs.add(at, RuleConditionValues, id, fmt.Sprintf("a %s condition has Values only, no Key or Pairs", c.Type))
		}
	case ConditionHeader, ConditionResponseHeader:
		if len(c.Pairs) > 0 {
			fs.add(at, RuleConditionValues, id, fmt.Sprintf("a %s condition has a Key and Values, no Pairs", c.Type))
		}
		validateHeaderKey(fs, at+".Key", c.Key, id)
	case ConditionQueryString, ConditionCookie:
		valuesKind = false
		if c.Key != "" || len(c.Values) > 0 {
			fs.add(at, RuleConditionValues, id, fmt.Sprintf("a %s condition has Pairs only, no Key or Values", c.Type))
		}
	default:
		fs.add(at+".Type", RuleConditionTypeEnum, id, fmt.Sprintf("unknown condition type %q", c.Type))
		return 0
	}
	if (c.Type == ConditionResponseHeader || c.Type == ConditionResponseStatusCode) && !resp {
		fs.add(at+".Type", RuleConditionDirection, id, fmt.Sprintf("a %s condition belongs to Response rules only", c.Type))
	}
	if valuesKind && len(c.Values) == 0 {
		fs.add(at+".Values", RuleConditionValues, id, fmt.Sprintf("the %s condition has no value: add at least one", c.Type))
	}
	if !valuesKind && len(c.Pairs) == 0 {
		fs.add(at+".Pairs", RuleConditionValues, id, fmt.Sprintf("the %s condition has no key/value pair: add at least one", c.Type))
	}
	seen := map[string]bool{}
	groups := 0
	for i, v := range c.Values {
		vat := fmt.Sprintf("%s.Values[%d]", at, i)
		k := v
		if c.Type == ConditionHost || c.Type == ConditionHeader || c.Type == ConditionResponseHeader {
			k = strings.ToLower(v)
		}
		if seen[k] {
			fs.add(vat, RuleConditionValueUnique, id, fmt.Sprintf("value %q is listed twice", v))
		}
		seen[k] = true
		switch c.Type {
		case ConditionHost:
			if isRegex(v) {
				groups = max(groups, validateRegex(fs, vat, v, true, id))
			} else if msg := hostFormat(v, false); msg != "" {
				fs.add(vat, RuleConditionHostFormat, id, fmt.Sprintf("host %q: %s", v, msg))
			}
		case ConditionPath:
			if isRegex(v) {
				groups = max(groups, validateRegex(fs, vat, v, false, id))
			} else if msg := pathFormat(v); msg != "" {
				fs.add(vat, RuleConditionPathFormat, id, fmt.Sprintf("path %q: %s", v, msg))
			}
		case ConditionHeader, ConditionResponseHeader:
			if len(v) < 1 || len(v) > 128 || !printable(v) || strings.TrimSpace(v) != v {
				fs.add(vat, RuleConditionHeaderValue, id, fmt.Sprintf("header value %q must be 1–128 printable ASCII characters without leading or trailing space", v))
			}
		case ConditionMethod:
			if !isMethod(v) {
				fs.add(vat, RuleConditionMethodEnum, id, fmt.Sprintf("method %q is not one of HEAD, GET, POST, OPTIONS, PUT, PATCH, DELETE", v))
			}
		case ConditionSourceIP:
			if _, err := parsePrefix(v); err != nil {
				fs.add(vat, RuleConditionSourceIPFormat, id, fmt.Sprintf("%q is neither an IP address nor a CIDR block", v))
			}
		case ConditionResponseStatusCode:
			if n, err := strconv.Atoi(v); err != nil || len(v) != 3 || n < 100 || n > 599 {
				fs.add(vat, RuleConditionStatusCodeFormat, id, fmt.Sprintf("%q is not an HTTP status code (100–599)", v))
			}
		}
	}
	if c.Type == ConditionQueryString && len(c.Pairs) > 20 {
		fs.add(at+".Pairs", RuleConditionQueryMax, id, fmt.Sprintf("%d query-string pairs: at most 20", len(c.Pairs)))
	}
	seenKV := map[KeyValue]bool{}
	for i, kv := range c.Pairs {
		pat := fmt.Sprintf("%s.Pairs[%d]", at, i)
		if seenKV[kv] {
			fs.add(pat, RuleConditionValueUnique, id, fmt.Sprintf("pair %s=%s is listed twice", kv.Key, kv.Value))
		}
		seenKV[kv] = true
		rule, forbidden, valueMax := RuleConditionQueryFormat, `#[]{}\|<>&"`, 128
		if c.Type == ConditionCookie {
			rule, forbidden, valueMax = RuleConditionCookieFormat, `;#[]{}\|<>&"`, guessCookieValueMax
		}
		if msg := kvFormat(kv.Key, 100, forbidden); msg != "" {
			fs.add(pat+".Key", rule, id, fmt.Sprintf("%s key %q: %s", c.Type, kv.Key, msg))
		}
		if msg := kvFormat(kv.Value, valueMax, forbidden); msg != "" {
			fs.add(pat+".Value", rule, id, fmt.Sprintf("%s value %q: %s", c.Type, kv.Value, msg))
		}
	}
	return groups
}

func validateHeaderKey(fs *findings, at, key, id string) {
	if _, ok := onlyChars(key, true, "-_"); !ok || len(key) < 1 || len(key) > 40 {
		fs.add(at, RuleConditionHeaderKey, id, fmt.Sprintf("header key %q must be 1–40 letters, digits, '-' or '_'", key))
	} else if strings.EqualFold(key, "cookie") || strings.EqualFold(key, "host") {
		fs.add(at, RuleConditionHeaderKey, id, fmt.Sprintf("header key %q is not allowed: use a Cookie or Host condition", key))
	}
}

func isMethod(m string) bool {
	switch m {
	case "HEAD", "GET", "POST", "OPTIONS", "PUT", "PATCH", "DELETE":
		return true
	}
	return false
}

// hostFormat returns what is wrong with a host value ("" when fine). In
// actions (action true) the wider charset of Redirect/Rewrite hosts applies.
func hostFormat(v string, action bool) string {
	if len(v) < 3 || len(v) > 128 {
		return fmt.Sprintf("%d characters, use 3–128", len(v))
	}
	set := "-.*?"
	if action {
		set = `-.*?=~_+\^!$&|()[]`
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isUpper(c) {
			return "use lower case"
		}
		if !isLower(c) && !isDigit(c) && strings.IndexByte(set, c) < 0 {
			return fmt.Sprintf("character %q is not allowed", c)
		}
	}
	if !strings.Contains(v, ".") {
		return "it needs at least one dot"
	}
	if v[0] == '.' || v[len(v)-1] == '.' {
		return "it cannot start or end with a dot"
	}
	labels := strings.Split(v, ".")
	for _, l := range labels {
		if l == "" {
			return "it has an empty label (two dots in a row)"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Sprintf("label %q starts or ends with '-'", l)
		}
	}
	last := labels[len(labels)-1]
	for i := 0; i < len(last); i++ {
		if c := last[i]; !isLetter(c) && c != '*' && c != '?' {
			return fmt.Sprintf("the rightmost label %q may have only letters and wildcards", last)
		}
	}
	return ""
}

// pathFormat returns what is wrong with a non-regex Path condition value.
func pathFormat(v string) string {
	if len(v) < 1 || len(v) > 128 {
		return fmt.Sprintf("%d characters, use 1–128", len(v))
	}
	if v[0] != '/' {
		return "it must start with '/'"
	}
	if c, ok := onlyChars(v, true, "$-_.+/&~@:*?"); !ok {
		return fmt.Sprintf("character %q is not allowed (letters, digits and $ - _ . + / & ~ @ : * ? only)", c)
	}
	return ""
}

// kvFormat returns what is wrong with a QueryString or Cookie key or value.
func kvFormat(s string, maxLen int, forbidden string) string {
	if len(s) < 1 || len(s) > maxLen {
		return fmt.Sprintf("%d characters, use 1–%d", len(s), maxLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUpper(c):
			return "use lower case (matching ignores case)"
		case c <= ' ' || c > 126:
			return "only printable characters without space"
		case strings.IndexByte(forbidden, c) >= 0:
			return fmt.Sprintf("character %q is not allowed", c)
		}
	}
	return ""
}

// validateRegex checks a regex Host or Path value and returns its capture
// groups.
func validateRegex(fs *findings, at, v string, host bool, id string) int {
	expr, _ := regexBody(v)
	if host {
		if _, ok := onlyChars(v, true, `.-?=~_+\^*!$&|()[]`); !ok || len(v) < 3 || len(v) > 128 {
			fs.add(at, RuleConditionRegexFormat, id, fmt.Sprintf("host regex %q must be 3–128 letters, digits and . - ? = ~ _ + \\ ^ * ! $ & | ( ) [ ]", v))
		}
	} else if expr == "" || len(v) > 128 || !printable(v) || strings.ContainsAny(v, " \"#;") {
		fs.add(at, RuleConditionRegexFormat, id, fmt.Sprintf("path regex %q must be 1–128 printable characters in all, a regex after '~' or '~*', without space, '\"', '#' or ';'", v))
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		fs.add(at, RuleConditionRegexSyntax, id, fmt.Sprintf("regex %q does not compile: %v", expr, err))
		return 0
	}
	return re.MaxCap()
}

// forbiddenRequestHeaders cannot be inserted or removed by Request rules.
var forbiddenRequestHeaders = [...]string{"slb-id", "slb-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-eip",
	"x-forwarded-port", "x-forwarded-client-srcport", "x-forwarded-host", "connection", "upgrade", "content-length",
	"transfer-encoding", "keep-alive", "te", "host", "cookie", "remoteip", "authority"}

// forbiddenResponseHeaders cannot be removed (GUESS: nor inserted) by
// Response rules.
var forbiddenResponseHeaders = [...]string{"connection", "upgrade", "content-length", "transfer-encoding"}

func forbiddenHeader(key string, resp bool) bool {
	list := forbiddenRequestHeaders[:]
	if resp {
		list = forbiddenResponseHeaders[:]
	}
	for _, h := range list {
		if strings.EqualFold(h, key) {
			return true
		}
	}
	return false
}

func validateActions(fs *findings, r Rule, s Scope, resp bool, groups int) {
	id := r.ID
	orders := map[int]int{}
	finals, rewrites := 0, 0
	finalIdx, maxOrder := -1, 0
	var finalType ActionType
	headerKeys := map[string]int{}
	usedCaps := map[variable]bool{}
	for i, a := range r.Actions {
		at := fmt.Sprintf("Actions[%d]", i)
		if a.Order < 1 || a.Order > 50000 {
			fs.add(at+".Order", RuleActionOrderRange, id, fmt.Sprintf("order %d is out of range: use 1–50000", a.Order))
		}
		if j, ok := orders[a.Order]; ok {
			fs.add(at+".Order", RuleActionOrderUnique, id, fmt.Sprintf("order %d is also Actions[%d]'s: give each action its own", a.Order, j))
		} else {
			orders[a.Order] = i
		}
		maxOrder = max(maxOrder, a.Order)
		if !validateActionConfig(fs, at, a, id) {
			continue
		}
		if resp && a.Type != ActionInsertHeader && a.Type != ActionRemoveHeader {
			fs.add(at+".Type", RuleActionDirection, id, fmt.Sprintf("a Response rule takes only InsertHeader and RemoveHeader actions, not %s", a.Type))
		}
		if a.Type.Final() {
			finals++
			if finals == 1 {
				finalIdx, finalType = i, a.Type
			} else {
				fs.add(at+".Type", RuleActionFinalSingle, id, fmt.Sprintf("a second final action (%s after %s): keep one of ForwardGroup, Redirect, FixedResponse", a.Type, finalType))
			}
		}
		switch a.Type {
		case ActionForwardGroup:
			validateForward(fs, at+".ForwardGroup", a.ForwardGroup, id)
		case ActionRedirect:
			validateRedirect(fs, at+".Redirect", a.Redirect, s, id, usedCaps)
		case ActionFixedResponse:
			validateFixed(fs, at+".FixedResponse", a.FixedResponse, id)
		case ActionRewrite:
			rewrites++
			if rewrites > 1 {
				fs.add(at, RuleActionRewriteSingle, id, "a second Rewrite action: a rule has at most one")
			}
			validateRewrite(fs, at+".Rewrite", a.Rewrite, id, usedCaps)
		case ActionInsertHeader, ActionRemoveHeader:
			key := ""
			if a.Type == ActionInsertHeader {
				key = a.InsertHeader.Key
				validateInsertValue(fs, at+".InsertHeader", a.InsertHeader, id)
			} else {
				key = a.RemoveHeader.Key
			}
			kat := at + "." + string(a.Type) + ".Key"
			if _, ok := onlyChars(key, true, "-_"); !ok || len(key) < 1 || len(key) > 40 {
				fs.add(kat, RuleActionHeaderKeyFormat, id, fmt.Sprintf("header key %q must be 1–40 letters, digits, '-' or '_'", key))
			} else if forbiddenHeader(key, resp) {
				fs.add(kat, RuleActionHeaderKeyForbidden, id, fmt.Sprintf("header %q cannot be inserted or removed by a %s rule", key, directionName(resp)))
			}
			lk := strings.ToLower(key)
			if j, ok := headerKeys[lk]; ok {
				fs.add(kat, RuleActionHeaderKeyUnique, id, fmt.Sprintf("header %q is also inserted or removed by Actions[%d]", key, j))
			} else {
				headerKeys[lk] = i
			}
		case ActionTrafficLimit:
			validateLimit(fs, at+".TrafficLimit", a.TrafficLimit, id)
		case ActionTrafficMirror:
			m := a.TrafficMirror
			if m.TargetType != "" && m.TargetType != MirrorTarget {
				fs.add(at+".TrafficMirror.TargetType", RuleActionMirrorTarget, id, fmt.Sprintf("target type %q: only %s", m.TargetType, MirrorTarget))
			}
			if len(m.ServerGroupIDs) == 0 || containsEmpty(m.ServerGroupIDs) {
				fs.add(at+".TrafficMirror.ServerGroupIDs", RuleActionMirrorTarget, id, "a traffic mirror needs at least one server group, none empty")
			}
		case ActionCors:
			validateCors(fs, at+".Cors", a.Cors, id)
		}
	}
	if !resp && len(r.Actions) > 0 && finals == 0 {
		fs.add("Actions", RuleActionFinalRequired, id, "a Request rule needs a final action: add a ForwardGroup, Redirect or FixedResponse with the largest Order")
	}
	if finals >= 1 && r.Actions[finalIdx].Order != maxOrder {
		fs.add(fmt.Sprintf("Actions[%d].Order", finalIdx), RuleActionFinalLast, id,
			fmt.Sprintf("the final %s action has order %d but another action has %d: give the final action the largest Order", finalType, r.Actions[finalIdx].Order, maxOrder))
	}
	if rewrites > 0 && finals >= 1 && finalType != ActionForwardGroup {
		fs.add(fmt.Sprintf("Actions[%d].Type", finalIdx), RuleActionRewriteNeedsFwd, id, fmt.Sprintf("a Rewrite needs ForwardGroup as the final action, not %s", finalType))
	}
	if len(usedCaps) > 0 {
		highest := variable(0)
		for v := range usedCaps {
			highest = max(highest, v)
		}
		n := int(highest-varCapture1) + 1
		switch {
		case groups > 3:
			fs.add("Conditions", RuleActionCaptures, id, fmt.Sprintf("the rule's regex conditions have %d capture groups; ${1}..${3} can use at most three", groups))
		case n > groups || len(usedCaps) != groups:
			fs.add("Actions", RuleActionCaptures, id, fmt.Sprintf("the actions use %d of ${1}..${3} (up to ${%d}) but the rule's regex Host and Path conditions have %d capture groups: they must be as many", len(usedCaps), n, groups))
		}
	}
}

func directionName(resp bool) string {
	if resp {
		return "Response"
	}
	return "Request"
}

func containsEmpty(ids []string) bool {
	for _, s := range ids {
		if s == "" {
			return true
		}
	}
	return false
}

// validateActionConfig checks that the action carries exactly its config;
// false when the config it needs is missing or its type is unknown.
func validateActionConfig(fs *findings, at string, a Action, id string) bool {
	set := map[ActionType]bool{
		ActionForwardGroup: a.ForwardGroup != nil, ActionRedirect: a.Redirect != nil, ActionFixedResponse: a.FixedResponse != nil,
		ActionRewrite: a.Rewrite != nil, ActionInsertHeader: a.InsertHeader != nil, ActionRemoveHeader: a.RemoveHeader != nil,
		ActionTrafficLimit: a.TrafficLimit != nil, ActionTrafficMirror: a.TrafficMirror != nil, ActionCors: a.Cors != nil,
	}
	has, known := set[a.Type]
	if !known {
		fs.add(at+".Type", RuleActionTypeEnum, id, fmt.Sprintf("unknown action type %q", a.Type))
		return false
	}
	for _, t := range ActionTypes() {
		if t != a.Type && set[t] {
			fs.add(at, RuleActionConfig, id, fmt.Sprintf("a %s action carries a %s config too: remove it", a.Type, t))
		}
	}
	if !has {
		fs.add(at, RuleActionConfig, id, fmt.Sprintf("the %s action has no %s config", a.Type, a.Type))
		return false
	}
	return true
}

func validateForward(fs *findings, at string, fg *ForwardGroupConfig, id string) {
	if n := len(fg.ServerGroups); n < 1 || n > 5 {
		fs.add(at+".ServerGroups", RuleActionForwardGroups, id, fmt.Sprintf("%d server groups: forward to 1–5", n))
	}
	seen := map[string]bool{}
	for i, g := range fg.ServerGroups {
		gat := fmt.Sprintf("%s.ServerGroups[%d]", at, i)
		if g.ServerGroupID == "" || seen[g.ServerGroupID] {
			fs.add(gat+".ServerGroupID", RuleActionForwardGroups, id, fmt.Sprintf("server group %q is empty or named twice", g.ServerGroupID))
		}
		seen[g.ServerGroupID] = true
		if g.Weight < 0 || g.Weight > 100 {
			fs.add(gat+".Weight", RuleActionForwardWeight, id, fmt.Sprintf("weight %d is out of range: use 0–100", g.Weight))
		}
	}
	allZero := len(fg.ServerGroups) > 0
	for _, g := range fg.ServerGroups {
		allZero = allZero && g.Weight == 0
	}
	if allZero {
		fs.warn(at+".ServerGroups", RuleForwardWeightsZero, id, "every server group has weight 0: the rule forwards nothing; give one a weight above 0")
	}
	if st := fg.StickySession; st.Enabled && (st.Timeout < 0 || st.Timeout > 86400) {
		fs.add(at+".StickySession.Timeout", RuleActionStickyTimeout, id, fmt.Sprintf("sticky timeout %d is out of range: use 1–86400 seconds (0 for the default, %d)", st.Timeout, DefaultStickyTimeout))
	}
}

// validateTemplate checks the variables of a Redirect or Rewrite value:
// known names, each at most once, only those the field takes; "alone" means
// the field's own variable must stand alone. It records the capture
// variables used.
func validateTemplate(fs *findings, at, v string, allowed []variable, alone variable, id string, caps map[variable]bool) {
	count := map[variable]int{}
	for rest := v; ; {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			fs.add(at, RuleActionVariables, id, fmt.Sprintf("%q has an unclosed ${", v))
			return
		}
		name := rest[i+2 : i+end]
		x := variableOf(name)
		ok := x != varNone && (x >= varCapture1 || containsVar(allowed, x))
		if !ok {
			fs.add(at, RuleActionVariables, id, fmt.Sprintf("variable ${%s} is not allowed here", name))
		} else {
			count[x]++
			if count[x] == 2 {
				fs.add(at, RuleActionVariables, id, fmt.Sprintf("variable ${%s} is used more than once", name))
			}
			if x >= varCapture1 {
				caps[x] = true
			}
		}
		rest = rest[i+end+1:]
	}
	if alone != varNone && count[alone] > 0 && parseTemplate(v, alone).only(alone) == false {
		fs.add(at, RuleActionVariables, id, fmt.Sprintf("%q: ${%s} must stand alone in this field", v, varName(alone)))
	}
}

func containsVar(list []variable, x variable) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

func varName(x variable) string {
	return map[variable]string{varHost: "host", varPath: "path", varQuery: "query", varProtocol: "protocol", varPort: "port"}[x]
}

// stripVars removes ${...} variables for the charset checks.
func stripVars(v string) string {
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			b.WriteString(v)
			return b.String()
		}
		end := strings.IndexByte(v[i:], '}')
		if end < 0 {
			b.WriteString(v)
			return b.String()
		}
		b.WriteString(v[:i])
		v = v[i+end+1:]
	}
}

func validateHostField(fs *findings, at, v, id string, caps map[variable]bool) {
	if v == "" || v == "${host}" {
		return
	}
	validateTemplate(fs, at, v, []variable{varHost}, varHost, id, caps)
	if strings.Contains(v, "${host}") {
		return
	}
	lit := stripVars(v)
	if strings.Contains(v, "${") {
		// A host built from captures is checked for its characters only.
		if c, ok := onlyChars(lit, false, `-.*?=~_+\^!$&|()[]abcdefghijklmnopqrstuvwxyz`); !ok {
			fs.add(at, RuleActionHostFormat, id, fmt.Sprintf("host %q: character %q is not allowed", v, c))
		}
		return
	}
	if msg := hostFormat(v, true); msg != "" {
		fs.add(at, RuleActionHostFormat, id, fmt.Sprintf("host %q: %s", v, msg))
	}
}

func validatePathField(fs *findings, at, v, id string, caps map[variable]bool) {
	if v == "" {
		return
	}
	validateTemplate(fs, at, v, []variable{varPath, varHost, varProtocol, varPort}, varNone, id, caps)
	if len(v) > 128 {
		fs.add(at, RuleActionPathFormat, id, fmt.Sprintf("path has %d characters: use 1–128", len(v)))
	}
	if !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "${") {
		fs.add(at, RuleActionPathFormat, id, fmt.Sprintf("path %q must start with '/' or a variable", v))
	}
	lit := stripVars(v)
	if !printable(lit) || strings.ContainsAny(lit, "%#;!()[]^,\\\" ") {
		fs.add(at, RuleActionPathFormat, id, fmt.Sprintf("path %q has a character outside letters, digits and $ - _ . + / & ~ @ : * ? (no %% # ; ! ( ) [ ] ^ , \\ \" or space)", v))
	}
}

func validateQueryField(fs *findings, at, v, id string, caps map[variable]bool) {
	if v == "" {
		return
	}
	validateTemplate(fs, at, v, []variable{varQuery, varHost, varProtocol, varPort}, varNone, id, caps)
	if len(v) > 128 {
		fs.add(at, RuleActionQueryFormat, id, fmt.Sprintf("query has %d characters: use 1–128", len(v)))
	}
	lit := stripVars(v)
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		if isUpper(c) || c <= ' ' || c > 126 || strings.IndexByte(`#[]{}\|<>"`, c) >= 0 {
			fs.add(at, RuleActionQueryFormat, id, fmt.Sprintf("query %q: character %q is not allowed (no uppercase, space or # [ ] { } \\ | < > \")", v, c))
			return
		}
	}
}

func validateRedirect(fs *findings, at string, rd *RedirectConfig, s Scope, id string, caps map[variable]bool) {
	switch rd.HTTPCode {
	case "", "301", "302", "303", "307", "308":
	default:
		fs.add(at+".HTTPCode", RuleActionRedirectCode, id, fmt.Sprintf("redirect code %q: use 301, 302, 303, 307 or 308", rd.HTTPCode))
	}
	switch rd.Protocol {
	case "", "${protocol}", "HTTPS":
	case "HTTP":
		if strings.EqualFold(s.Protocol, "HTTPS") {
			fs.add(at+".Protocol", RuleActionRedirectProtocol, id, "an HTTPS listener redirects to HTTPS only")
		}
	default:
		fs.add(at+".Protocol", RuleActionRedirectProtocol, id, fmt.Sprintf("redirect protocol %q: use ${protocol}, HTTP or HTTPS", rd.Protocol))
	}
	switch rd.Port {
	case "", "${port}":
	default:
		if n, err := strconv.Atoi(rd.Port); err != nil || n < 1 || n > guessRedirectPortMax {
			fs.add(at+".Port", RuleActionRedirectPort, id, fmt.Sprintf("redirect port %q: use ${port} or 1–%d", rd.Port, guessRedirectPortMax))
		}
	}
	validateHostField(fs, at+".Host", rd.Host, id, caps)
	validatePathField(fs, at+".Path", rd.Path, id, caps)
	validateQueryField(fs, at+".Query", rd.Query, id, caps)
	isDefault := func(v, def string) bool { return v == "" || v == def }
	if isDefault(rd.Protocol, "${protocol}") && isDefault(rd.Host, "${host}") && isDefault(rd.Port, "${port}") &&
		isDefault(rd.Path, "${path}") && isDefault(rd.Query, "${query}") {
		fs.add(at, RuleActionRedirectNotDefault, id, "the redirect keeps protocol, host, port, path and query: it would send clients back to the same URL; change at least one")
	}
}

func validateRewrite(fs *findings, at string, rw *RewriteConfig, id string, caps map[variable]bool) {
	if *rw == (RewriteConfig{}) {
		// Nothing of it would reach the API: RuleActions.N.RewriteConfig
		// is absent from a request whose config sets no field.
		fs.add(at, RuleActionConfig, id, "the Rewrite config sets none of Host, Path and Query: the request would carry no RewriteConfig; set at least one")
	}
	validateHostField(fs, at+".Host", rw.Host, id, caps)
	validatePathField(fs, at+".Path", rw.Path, id, caps)
	validateQueryField(fs, at+".Query", rw.Query, id, caps)
}

func validateFixed(fs *findings, at string, f *FixedResponseConfig, id string) {
	if _, ok := fixedCode(f.HTTPCode); !ok {
		fs.add(at+".HTTPCode", RuleActionFixedCode, id, fmt.Sprintf("fixed response code %q: use a 2xx, 4xx or 5xx status such as 200, 404, 503", f.HTTPCode))
	}
	switch f.ContentType {
	case "", "text/plain", "text/css", "text/html", "application/javascript", "application/json":
	default:
		fs.add(at+".ContentType", RuleActionFixedContentType, id, fmt.Sprintf("content type %q: use text/plain, text/css, text/html, application/javascript or application/json", f.ContentType))
	}
	if len(f.Content) > 1024 {
		fs.add(at+".Content", RuleActionFixedContent, id, fmt.Sprintf("content has %d bytes: at most 1024", len(f.Content)))
	}
	for i := 0; i < len(f.Content); i++ {
		if f.Content[i] > 127 {
			fs.add(at+".Content", RuleActionFixedContent, id, "content must be ASCII")
			break
		}
	}
}

func validateInsertValue(fs *findings, at string, in *InsertHeaderConfig, id string) {
	v := in.Value
	switch in.ValueType {
	case ValueUserDefined:
		if len(v) < 1 || len(v) > 128 || !printable(v) || strings.Contains(v, `"`) || strings.TrimSpace(v) != v || strings.HasSuffix(v, `\`) {
			fs.add(at+".Value", RuleActionInsertValue, id, fmt.Sprintf("value %q must be 1–128 printable characters, no '\"', no leading or trailing space, not ending with '\\'", v))
		}
	case ValueReferenceHeader:
		ok := len(v) >= 1 && len(v) <= 128
		for i := 0; i < len(v) && ok; i++ {
			c := v[i]
			ok = isLower(c) || isDigit(c) || c == '_' || c == '-'
		}
		if !ok {
			fs.add(at+".Value", RuleActionInsertValue, id, fmt.Sprintf("referenced header %q must be 1–128 of lowercase letters, digits, '_' and '-'", v))
		}
	case ValueSystemDefined:
		switch v {
		case SystemClientSrcPort, SystemClientSrcIP, SystemProtocol, SystemSLBID, SystemSLBPort:
		default:
			fs.add(at+".Value", RuleActionInsertValue, id, fmt.Sprintf("system value %q: use ClientSrcPort, ClientSrcIp, Protocol, SLBId or SLBPort", v))
		}
	default:
		fs.add(at+".ValueType", RuleActionInsertValueType, id, fmt.Sprintf("value type %q: use UserDefined, ReferenceHeader or SystemDefined", in.ValueType))
	}
}

func validateLimit(fs *findings, at string, l *TrafficLimitConfig, id string) {
	inRange := func(n int) bool { return n >= 1 && n <= 1000000 }
	if l.QPS == 0 && l.PerIPQPS == 0 {
		fs.add(at, RuleActionTrafficLimitRange, id, "a traffic limit needs QPS or PerIPQPS")
	}
	if l.QPS != 0 && !inRange(l.QPS) {
		fs.add(at+".QPS", RuleActionTrafficLimitRange, id, fmt.Sprintf("QPS %d is out of range: use 1–1000000", l.QPS))
	}
	if l.PerIPQPS != 0 && !inRange(l.PerIPQPS) {
		fs.add(at+".PerIPQPS", RuleActionTrafficLimitRange, id, fmt.Sprintf("PerIPQPS %d is out of range: use 1–1000000", l.PerIPQPS))
	}
	if guessPerIPBelowQPS && l.QPS > 0 && l.PerIPQPS > 0 && l.PerIPQPS >= l.QPS {
		fs.add(at+".PerIPQPS", RuleActionTrafficLimitPerIP, id, fmt.Sprintf("PerIPQPS %d must be below QPS %d", l.PerIPQPS, l.QPS))
	}
}

func validateCors(fs *findings, at string, c *CorsConfig, id string) {
	if len(c.AllowOrigins) == 0 {
		fs.add(at+".AllowOrigins", RuleActionCorsOrigin, id, "name at least one allowed origin, or '*'")
	}
	for i, o := range c.AllowOrigins {
		oat := fmt.Sprintf("%s.AllowOrigins[%d]", at, i)
		if o == "*" {
			if len(c.AllowOrigins) > 1 {
				fs.add(oat, RuleActionCorsOrigin, id, "'*' stands alone among the allowed origins")
			}
			continue
		}
		if !validOrigin(o) {
			fs.add(oat, RuleActionCorsOrigin, id, fmt.Sprintf("origin %q: use http://host[:port] or https://host[:port]", o))
		}
	}
	for i, m := range c.AllowMethods {
		switch m {
		case "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH":
		default:
			fs.add(fmt.Sprintf("%s.AllowMethods[%d]", at, i), RuleActionCorsMethods, id, fmt.Sprintf("method %q: use GET, POST, PUT, DELETE, HEAD, OPTIONS or PATCH", m))
		}
	}
	for _, hl := range []struct {
		name string
		list []string
	}{{"AllowHeaders", c.AllowHeaders}, {"ExposeHeaders", c.ExposeHeaders}} {
		name := hl.name
		for i, h := range hl.list {
			if _, ok := onlyChars(h, true, "-_"); h != "*" && (!ok || h == "") {
				fs.add(fmt.Sprintf("%s.%s[%d]", at, name, i), RuleActionCorsHeaders, id, fmt.Sprintf("header %q: use '*' or a name of letters, digits, '-' and '_'", h))
			}
		}
	}
	switch c.AllowCredentials {
	case "", "on", "off":
	default:
		fs.add(at+".AllowCredentials", RuleActionCorsCredentials, id, fmt.Sprintf("AllowCredentials %q: use on or off", c.AllowCredentials))
	}
	if c.MaxAge < -1 || c.MaxAge > 172800 {
		fs.add(at+".MaxAge", RuleActionCorsMaxAge, id, fmt.Sprintf("max age %d is out of range: use -1..172800", c.MaxAge))
	}
}

// validOrigin accepts http(s)://host[:port], the host possibly starting
// with "*." (wildcard subdomains).
func validOrigin(o string) bool {
	rest, ok := strings.CutPrefix(o, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(o, "http://"); !ok {
			return false
		}
	}
	host, port, hasPort := strings.Cut(rest, ":")
	if hasPort {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	host = strings.TrimPrefix(host, "*.")
	if host == "" {
		return false
	}
	_, ok = onlyChars(host, true, "-.")
	return ok && host[0] != '.' && host[len(host)-1] != '.'
}

// wildcards counts a rule's wildcard entries (GUESS: values with '*' or '?',
// or regexes; a pair counts once).
func wildcards(r Rule) int {
	n := 0
	wild := func(s string) bool { return strings.ContainsAny(s, "*?") || isRegex(s) }
	for _, c := range r.Conditions {
		switch c.Type {
		case ConditionHost, ConditionPath, ConditionHeader, ConditionResponseHeader:
			for _, v := range c.Values {
				if wild(v) {
					n++
				}
			}
		case ConditionQueryString, ConditionCookie:
			for _, kv := range c.Pairs {
				if wild(kv.Key) || wild(kv.Value) {
					n++
				}
			}
		}
	}
	return n
}

func validateEdition(fs *findings, r Rule, name string, resp bool) {
	f, ok := edition.Of(name)
	if !ok {
		fs.add("", RuleEditionUnknown, r.ID, fmt.Sprintf("unknown edition %q: use Basic, Standard or StandardWithWaf", name))
		return
	}
	id := r.ID
	if resp && !f.ResponseRules {
		fs.add("Direction", RuleEditionResponseRules, id, f.Refusal(edition.ResponseRules))
	}
	reported := map[string]bool{}
	for i, c := range r.Conditions {
		if t := string(c.Type); !f.AllowsCondition(t) && !reported["c"+t] {
			if _, known := edition.Needing(edition.Condition(t)); known {
				reported["c"+t] = true
				fs.add(fmt.Sprintf("Conditions[%d].Type", i), RuleEditionConditionType, id, f.Refusal(edition.Condition(t)))
			}
		}
	}
	for i, a := range r.Actions {
		if t := string(a.Type); !f.AllowsAction(t) && !reported["a"+t] {
			if _, known := edition.Needing(edition.Action(t)); known {
				reported["a"+t] = true
				fs.add(fmt.Sprintf("Actions[%d].Type", i), RuleEditionActionType, id, f.Refusal(edition.Action(t)))
			}
		}
	}
	if n := len(r.Conditions); n > f.MaxConditionsPerRule {
		fs.add("Conditions", RuleEditionConditionsMax, id, fmt.Sprintf("%d conditions: the %s edition allows %d per rule%s", n, f.Name, f.MaxConditionsPerRule, higher(f, func(g edition.Features) bool { return n <= g.MaxConditionsPerRule })))
	}
	if n := len(r.Actions); n > f.MaxActionsPerRule {
		fs.add("Actions", RuleEditionActionsMax, id, fmt.Sprintf("%d actions: the %s edition allows %d per rule%s", n, f.Name, f.MaxActionsPerRule, higher(f, func(g edition.Features) bool { return n <= g.MaxActionsPerRule })))
	}
	if n := wildcards(r); n > f.MaxWildcardsPerRule {
		fs.add("Conditions", RuleEditionWildcardsMax, id, fmt.Sprintf("%d wildcard entries: the %s edition allows %d per rule%s", n, f.Name, f.MaxWildcardsPerRule, higher(f, func(g edition.Features) bool { return n <= g.MaxWildcardsPerRule })))
	}
}

// higher names the lowest edition above f where ok holds: "; the Standard
// edition allows it".
func higher(f edition.Features, ok func(edition.Features) bool) string {
	for _, g := range edition.All() {
		if g.Rank > f.Rank && ok(g) {
			return "; the " + g.Name + " edition allows it"
		}
	}
	return ""
}
