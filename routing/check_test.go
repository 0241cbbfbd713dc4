package routing

import (
	"fmt"
	"strings"
	"testing"
)

// validTable is a Standard-edition HTTP listener whose every rule passes
// Check with no finding at all; each case below breaks one thing.
func validTable() Table {
	return Table{Protocol: "HTTP", Port: 80, LoadBalancerID: "alb-1", Edition: "Standard", Default: []string{"sg-default"},
		Rules: []Rule{
			{ID: "r0", Name: "web", Priority: 10, Conditions: []Condition{Host("www.example.com"), Path("/api/*")},
				Actions: InOrder(InsertHeader("x-route", "web"), ForwardTo("sg-1"))},
			{ID: "r1", Name: "out", Priority: 10, Direction: DirectionResponse, Conditions: []Condition{ResponseStatusCode("503")},
				Actions: InOrder(InsertHeader("x-retry", "1"))},
		}}
}

// setRule0 replaces parts of rule 0.
func setRule0(f func(r *Rule)) func(*Table) {
	return func(t *Table) { f(&t.Rules[0]) }
}

func actions0(actions ...Action) func(*Table) {
	return setRule0(func(r *Rule) { r.Actions = InOrder(actions...) })
}

func conditions0(conds ...Condition) func(*Table) {
	return setRule0(func(r *Rule) { r.Conditions = conds })
}

func responseRule(conds []Condition, actions ...Action) func(*Table) {
	return func(t *Table) {
		t.Rules[1].Conditions = conds
		t.Rules[1].Actions = InOrder(actions...)
	}
}

type checkCase struct {
	name   string
	mutate func(*Table)
	rule   string // the check that must fail
	field  string // on this field
	msg    string // and say this (a substring), when set
}

func checkCases() []checkCase {
	long := strings.Repeat("a", 41)
	fwd1 := ForwardTo("sg-1")
	return []checkCase{
		{"name too short", setRule0(func(r *Rule) { r.Name = "w" }), RuleNameLength, "Rules[0].Name", "2–128"},
		{"name too long", setRule0(func(r *Rule) { r.Name = strings.Repeat("w", 129) }), RuleNameLength, "Rules[0].Name", ""},
		{"name starts with digit", setRule0(func(r *Rule) { r.Name = "1web" }), RuleNameFormat, "Rules[0].Name", ""},
		{"name with space", setRule0(func(r *Rule) { r.Name = "my web" }), RuleNameFormat, "Rules[0].Name", ""},
		{"priority 0", setRule0(func(r *Rule) { r.Priority = 0 }), RulePriorityRange, "Rules[0].Priority", "1–10000"},
		{"priority 10001", setRule0(func(r *Rule) { r.Priority = 10001 }), RulePriorityRange, "Rules[0].Priority", ""},
		{"direction", setRule0(func(r *Rule) { r.Direction = "Inbound" }), RuleDirectionEnum, "Rules[0].Direction", ""},
		{"no condition", conditions0(), RuleConditionsRequired, "Rules[0].Conditions", ""},
		{"no action", actions0(), RuleActionsRequired, "Rules[0].Actions", ""},

		{"duplicate priority", func(t *Table) { t.Rules = append(t.Rules, fwd("r2", 10, Path("/b"))) }, RulePriorityUnique, "Rules[2].Priority", "rule r0 (Rules[0], priority 10)"},
		{"duplicate id", func(t *Table) { t.Rules = append(t.Rules, fwd("r0", 20, Path("/b"))) }, RuleIDUnique, "Rules[2].ID", ""},
		{"shadowed", func(t *Table) {
			t.Rules = append(t.Rules, fwd("broad", 5, Path("/*")))
		}, RuleShadowed, "Rules[0]", "rule r0 (Rules[0], priority 10) can never match: rule broad (Rules[2], priority 5)"},
		{"no default", func(t *Table) { t.Default = nil }, RuleDefaultAction, "Default", ""},
		{"default named twice", func(t *Table) { t.Default = []string{"a", "a"} }, RuleDefaultAction, "Default[1]", ""},
		{"all weights zero", actions0(Forward(Weighted("sg-1", 0), Weighted("sg-2", 0))), RuleForwardWeightsZero, "Rules[0].Actions[0].ForwardGroup.ServerGroups", ""},

		{"condition type", conditions0(Condition{Type: "Weather", Values: []string{"rain"}}), RuleConditionTypeEnum, "Rules[0].Conditions[0].Type", ""},
		{"condition without values", conditions0(Host()), RuleConditionValues, "Rules[0].Conditions[0].Values", ""},
		{"host with a key", conditions0(Condition{Type: ConditionHost, Key: "x", Values: []string{"a.com"}}), RuleConditionValues, "Rules[0].Conditions[0]", ""},
		{"query with values", conditions0(Condition{Type: ConditionQueryString, Values: []string{"a"}, Pairs: []KeyValue{KV("a", "b")}}), RuleConditionValues, "Rules[0].Conditions[0]", ""},
		{"query without pairs", conditions0(Query()), RuleConditionValues, "Rules[0].Conditions[0].Pairs", ""},
		{"response condition in a request rule", conditions0(ResponseStatusCode("500")), RuleConditionDirection, "Rules[0].Conditions[0].Type", ""},
		{"host listed twice", conditions0(Host("a.com", "b.com", "a.com")), RuleConditionValueUnique, "Rules[0].Conditions[0].Values[2]", ""},
		{"pair listed twice", conditions0(Query(KV("a", "1"), KV("a", "1"))), RuleConditionValueUnique, "Rules[0].Conditions[0].Pairs[1]", ""},
		{"host uppercase", conditions0(Host("Www.example.com")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", "lower case"},
		{"host without dot", conditions0(Host("localhost")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", "dot"},
		{"host leading dot", conditions0(Host(".a.com")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"host empty label", conditions0(Host("a..com")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"host label hyphen", conditions0(Host("-a.com")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"host digit in last label", conditions0(Host("a.c0m")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", "rightmost"},
		{"host underscore", conditions0(Host("a_b.com")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"host too short", conditions0(Host("a.")), RuleConditionHostFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"host regex charset", conditions0(Host(`~^a{2}\.com$`)), RuleConditionRegexFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"path regex with space", conditions0(Path("~/a b")), RuleConditionRegexFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"path regex of nothing, case-insensitive", conditions0(Path("~*")), RuleConditionRegexFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"path regex of nothing", conditions0(Path("~")), RuleConditionRegexFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"regex syntax", conditions0(Path("~(x")), RuleConditionRegexSyntax, "Rules[0].Conditions[0].Values[0]", ""},
		{"regex lookahead", conditions0(Path("~/a(?=b)")), RuleConditionRegexSyntax, "Rules[0].Conditions[0].Values[0]", ""},
		{"path without slash", conditions0(Path("api")), RuleConditionPathFormat, "Rules[0].Conditions[0].Values[0]", "'/'"},
		{"path semicolon", conditions0(Path("/a;b")), RuleConditionPathFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"path percent", conditions0(Path("/a%20b")), RuleConditionPathFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"path too long", conditions0(Path("/" + strings.Repeat("a", 128))), RuleConditionPathFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"header key charset", conditions0(Header("X Bad", "1")), RuleConditionHeaderKey, "Rules[0].Conditions[0].Key", ""},
		{"header key cookie", conditions0(Header("Cookie", "1")), RuleConditionHeaderKey, "Rules[0].Conditions[0].Key", "Cookie"},
		{"header key host", conditions0(Header("host", "1")), RuleConditionHeaderKey, "Rules[0].Conditions[0].Key", ""},
		{"header key too long", conditions0(Header(long, "1")), RuleConditionHeaderKey, "Rules[0].Conditions[0].Key", ""},
		{"header value leading space", conditions0(Header("x-a", " v")), RuleConditionHeaderValue, "Rules[0].Conditions[0].Values[0]", ""},
		{"header value control char", conditions0(Header("x-a", "v\x01")), RuleConditionHeaderValue, "Rules[0].Conditions[0].Values[0]", ""},
		{"query uppercase", conditions0(Query(KV("Env", "x"))), RuleConditionQueryFormat, "Rules[0].Conditions[0].Pairs[0].Key", "lower case"},
		{"query ampersand", conditions0(Query(KV("a", "b&c"))), RuleConditionQueryFormat, "Rules[0].Conditions[0].Pairs[0].Value", ""},
		{"query value too long", conditions0(Query(KV("a", strings.Repeat("b", 129)))), RuleConditionQueryFormat, "Rules[0].Conditions[0].Pairs[0].Value", ""},
		{"query 21 pairs", conditions0(Query(manyPairs(21)...)), RuleConditionQueryMax, "Rules[0].Conditions[0].Pairs", ""},
		{"cookie semicolon", conditions0(Cookie(KV("a", "b;c"))), RuleConditionCookieFormat, "Rules[0].Conditions[0].Pairs[0].Value", ""},
		{"cookie space", conditions0(Cookie(KV("a b", "c"))), RuleConditionCookieFormat, "Rules[0].Conditions[0].Pairs[0].Key", ""},
		{"method", conditions0(Method("CONNECT")), RuleConditionMethodEnum, "Rules[0].Conditions[0].Values[0]", ""},
		{"method lower case", conditions0(Method("get")), RuleConditionMethodEnum, "Rules[0].Conditions[0].Values[0]", ""},
		{"source ip", conditions0(SourceIP("10.0.0.300")), RuleConditionSourceIPFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"source cidr", conditions0(SourceIP("10.0.0.0/40")), RuleConditionSourceIPFormat, "Rules[0].Conditions[0].Values[0]", ""},
		{"status code", responseRule([]Condition{ResponseStatusCode("5xx")}, InsertHeader("x-a", "1")), RuleConditionStatusCodeFormat, "Rules[1].Conditions[0].Values[0]", ""},
		{"status code range", responseRule([]Condition{ResponseStatusCode("600")}, InsertHeader("x-a", "1")), RuleConditionStatusCodeFormat, "Rules[1].Conditions[0].Values[0]", ""},

		{"action type", actions0(Action{Type: "Teleport"}, fwd1), RuleActionTypeEnum, "Rules[0].Actions[0].Type", ""},
		{"action without config", actions0(Action{Type: ActionForwardGroup}), RuleActionConfig, "Rules[0].Actions[0]", ""},
		{"action with two configs", actions0(Action{Type: ActionForwardGroup, ForwardGroup: fwd1.ForwardGroup, Redirect: &RedirectConfig{}}), RuleActionConfig, "Rules[0].Actions[0]", "Redirect"},
		{"forward in a response rule", responseRule([]Condition{ResponseStatusCode("500")}, fwd1), RuleActionDirection, "Rules[1].Actions[0].Type", ""},
		{"order 0", setRule0(func(r *Rule) { r.Actions[0].Order = 0 }), RuleActionOrderRange, "Rules[0].Actions[0].Order", ""},
		{"order 50001", setRule0(func(r *Rule) { r.Actions[1].Order = 50001 }), RuleActionOrderRange, "Rules[0].Actions[1].Order", ""},
		{"order twice", setRule0(func(r *Rule) { r.Actions[1].Order = 1 }), RuleActionOrderUnique, "Rules[0].Actions[1].Order", ""},
		{"no final action", actions0(InsertHeader("x-a", "1")), RuleActionFinalRequired, "Rules[0].Actions", ""},
		{"two final actions", actions0(fwd1, FixedResponse("200", "", "")), RuleActionFinalSingle, "Rules[0].Actions[1].Type", ""},
		{"final not last", actions0(fwd1, InsertHeader("x-a", "1")), RuleActionFinalLast, "Rules[0].Actions[0].Order", "largest Order"},
		{"two rewrites", actions0(Rewrite(RewriteConfig{Host: "a.com"}), Rewrite(RewriteConfig{Path: "/b"}), fwd1), RuleActionRewriteSingle, "Rules[0].Actions[1]", ""},
		{"rewrite before a fixed response", actions0(Rewrite(RewriteConfig{Path: "/b"}), FixedResponse("200", "", "")), RuleActionRewriteNeedsFwd, "Rules[0].Actions[1].Type", ""},
		{"six groups", actions0(ForwardTo("a", "b", "c", "d", "e", "f")), RuleActionForwardGroups, "Rules[0].Actions[0].ForwardGroup.ServerGroups", "1–5"},
		{"group named twice", actions0(ForwardTo("a", "a")), RuleActionForwardGroups, "Rules[0].Actions[0].ForwardGroup.ServerGroups[1].ServerGroupID", ""},
		{"empty group", actions0(ForwardTo("")), RuleActionForwardGroups, "Rules[0].Actions[0].ForwardGroup.ServerGroups[0].ServerGroupID", ""},
		{"weight 101", actions0(Forward(Weighted("a", 101))), RuleActionForwardWeight, "Rules[0].Actions[0].ForwardGroup.ServerGroups[0].Weight", ""},
		{"sticky timeout", actions0(fwd1.Sticky(86401)), RuleActionStickyTimeout, "Rules[0].Actions[0].ForwardGroup.StickySession.Timeout", ""},
		{"redirect code", actions0(Redirect(RedirectConfig{HTTPCode: "300", Host: "b.com"})), RuleActionRedirectCode, "Rules[0].Actions[0].Redirect.HTTPCode", ""},
		{"redirect protocol", actions0(Redirect(RedirectConfig{Protocol: "FTP"})), RuleActionRedirectProtocol, "Rules[0].Actions[0].Redirect.Protocol", ""},
		{"https listener redirects to http", func(t *Table) {
			t.Protocol = "HTTPS"
			actions0(Redirect(RedirectConfig{Protocol: "HTTP"}))(t)
		}, RuleActionRedirectProtocol, "Rules[0].Actions[0].Redirect.Protocol", "HTTPS only"},
		{"redirect port", actions0(Redirect(RedirectConfig{Port: "70000"})), RuleActionRedirectPort, "Rules[0].Actions[0].Redirect.Port", ""},
		{"redirect to itself", actions0(Redirect(RedirectConfig{HTTPCode: "301", Path: "${path}"})), RuleActionRedirectNotDefault, "Rules[0].Actions[0].Redirect", "same URL"},
		{"redirect host", actions0(Redirect(RedirectConfig{Host: "Bad Host"})), RuleActionHostFormat, "Rules[0].Actions[0].Redirect.Host", ""},
		{"rewrite host without dot", actions0(Rewrite(RewriteConfig{Host: "backend"}), fwd1), RuleActionHostFormat, "Rules[0].Actions[0].Rewrite.Host", ""},
		{"rewrite path without slash", actions0(Rewrite(RewriteConfig{Path: "x"}), fwd1), RuleActionPathFormat, "Rules[0].Actions[0].Rewrite.Path", ""},
		{"rewrite path percent", actions0(Rewrite(RewriteConfig{Path: "/a%20"}), fwd1), RuleActionPathFormat, "Rules[0].Actions[0].Rewrite.Path", ""},
		{"rewrite of nothing", actions0(Rewrite(RewriteConfig{}), fwd1), RuleActionConfig, "Rules[0].Actions[0].Rewrite", ""},
		{"redirect query uppercase", actions0(Redirect(RedirectConfig{Query: "A=1"})), RuleActionQueryFormat, "Rules[0].Actions[0].Redirect.Query", ""},
		{"variable twice", actions0(Redirect(RedirectConfig{Path: "/${path}${path}"})), RuleActionVariables, "Rules[0].Actions[0].Redirect.Path", "more than once"},
		{"host variable not alone", actions0(Redirect(RedirectConfig{Host: "${host}.x.com"})), RuleActionVariables, "Rules[0].Actions[0].Redirect.Host", "alone"},
		{"unknown variable", actions0(Redirect(RedirectConfig{Query: "a=${nope}"})), RuleActionVariables, "Rules[0].Actions[0].Redirect.Query", ""},
		{"query variable in a path", actions0(Rewrite(RewriteConfig{Path: "/${query}"}), fwd1), RuleActionVariables, "Rules[0].Actions[0].Rewrite.Path", ""},
		{"captures without regex", actions0(Rewrite(RewriteConfig{Path: "/${1}"}), fwd1), RuleActionCaptures, "Rules[0].Actions", "0 capture groups"},
		{"fewer variables than groups", func(t *Table) {
			conditions0(Path(`~^/(a)/(b)$`))(t)
			actions0(Rewrite(RewriteConfig{Path: "/${1}"}), fwd1)(t)
		}, RuleActionCaptures, "Rules[0].Actions", ""},
		{"fixed code", actions0(FixedResponse("302", "text/plain", "")), RuleActionFixedCode, "Rules[0].Actions[0].FixedResponse.HTTPCode", ""},
		{"fixed content type", actions0(FixedResponse("200", "text/xml", "")), RuleActionFixedContentType, "Rules[0].Actions[0].FixedResponse.ContentType", ""},
		{"fixed content size", actions0(FixedResponse("200", "text/plain", strings.Repeat("x", 1025))), RuleActionFixedContent, "Rules[0].Actions[0].FixedResponse.Content", "1024"},
		{"fixed content ascii", actions0(FixedResponse("200", "text/plain", "é")), RuleActionFixedContent, "Rules[0].Actions[0].FixedResponse.Content", "ASCII"},
		{"insert key charset", actions0(InsertHeader("x y", "1"), fwd1), RuleActionHeaderKeyFormat, "Rules[0].Actions[0].InsertHeader.Key", ""},
		{"remove key empty", actions0(RemoveHeader(""), fwd1), RuleActionHeaderKeyFormat, "Rules[0].Actions[0].RemoveHeader.Key", ""},
		{"insert forbidden", actions0(InsertHeader("X-Forwarded-For", "1"), fwd1), RuleActionHeaderKeyForbidden, "Rules[0].Actions[0].InsertHeader.Key", ""},
		{"remove forbidden in response", responseRule([]Condition{ResponseStatusCode("500")}, RemoveHeader("Content-Length")), RuleActionHeaderKeyForbidden, "Rules[1].Actions[0].RemoveHeader.Key", "Response"},
		{"header key twice", actions0(InsertHeader("x-a", "1"), RemoveHeader("X-A"), fwd1), RuleActionHeaderKeyUnique, "Rules[0].Actions[1].RemoveHeader.Key", ""},
		{"insert value type", actions0(InsertHeaderFrom("x-a", "", "1"), fwd1), RuleActionInsertValueType, "Rules[0].Actions[0].InsertHeader.ValueType", ""},
		{"insert value space", actions0(InsertHeader("x-a", "v "), fwd1), RuleActionInsertValue, "Rules[0].Actions[0].InsertHeader.Value", ""},
		{"insert value backslash", actions0(InsertHeader("x-a", `v\`), fwd1), RuleActionInsertValue, "Rules[0].Actions[0].InsertHeader.Value", ""},
		{"reference header uppercase", actions0(InsertHeaderFrom("x-a", ValueReferenceHeader, "User-Agent"), fwd1), RuleActionInsertValue, "Rules[0].Actions[0].InsertHeader.Value", ""},
		{"system value", actions0(InsertHeaderFrom("x-a", ValueSystemDefined, "Bogus"), fwd1), RuleActionInsertValue, "Rules[0].Actions[0].InsertHeader.Value", ""},
		{"traffic limit empty", actions0(TrafficLimit(0, 0), fwd1), RuleActionTrafficLimitRange, "Rules[0].Actions[0].TrafficLimit", ""},
		{"traffic limit too high", actions0(TrafficLimit(2000000, 0), fwd1), RuleActionTrafficLimitRange, "Rules[0].Actions[0].TrafficLimit.QPS", ""},
		{"per-ip not below qps", actions0(TrafficLimit(10, 10), fwd1), RuleActionTrafficLimitPerIP, "Rules[0].Actions[0].TrafficLimit.PerIPQPS", ""},
		{"mirror target type", actions0(Action{Type: ActionTrafficMirror, TrafficMirror: &TrafficMirrorConfig{TargetType: "X", ServerGroupIDs: []string{"a"}}}, fwd1), RuleActionMirrorTarget, "Rules[0].Actions[0].TrafficMirror.TargetType", ""},
		{"mirror without group", actions0(Mirror(), fwd1), RuleActionMirrorTarget, "Rules[0].Actions[0].TrafficMirror.ServerGroupIDs", ""},
		{"cors origin scheme", actions0(Cors(CorsConfig{AllowOrigins: []string{"ftp://a.com"}}), fwd1), RuleActionCorsOrigin, "Rules[0].Actions[0].Cors.AllowOrigins[0]", ""},
		{"cors star not alone", actions0(Cors(CorsConfig{AllowOrigins: []string{"*", "https://a.com"}}), fwd1), RuleActionCorsOrigin, "Rules[0].Actions[0].Cors.AllowOrigins[0]", ""},
		{"cors no origin", actions0(Cors(CorsConfig{}), fwd1), RuleActionCorsOrigin, "Rules[0].Actions[0].Cors.AllowOrigins", ""},
		{"cors method", actions0(Cors(CorsConfig{AllowOrigins: []string{"*"}, AllowMethods: []string{"TRACE"}}), fwd1), RuleActionCorsMethods, "Rules[0].Actions[0].Cors.AllowMethods[0]", ""},
		{"cors header", actions0(Cors(CorsConfig{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"x y"}}), fwd1), RuleActionCorsHeaders, "Rules[0].Actions[0].Cors.ExposeHeaders[0]", ""},
		{"cors credentials", actions0(Cors(CorsConfig{AllowOrigins: []string{"*"}, AllowCredentials: "yes"}), fwd1), RuleActionCorsCredentials, "Rules[0].Actions[0].Cors.AllowCredentials", ""},
		{"cors max age", actions0(Cors(CorsConfig{AllowOrigins: []string{"*"}, MaxAge: 172801}), fwd1), RuleActionCorsMaxAge, "Rules[0].Actions[0].Cors.MaxAge", ""},

		{"edition unknown", func(t *Table) { t.Edition = "Gold" }, RuleEditionUnknown, "Edition", ""},
		{"basic cookie", func(t *Table) {
			t.Edition = "Basic"
			t.Rules = t.Rules[:1]
			conditions0(Cookie(KV("a", "b")))(t)
		}, RuleEditionConditionType, "Rules[0].Conditions[0].Type", "the Cookie condition needs the Standard edition (this instance is Basic)"},
		{"basic redirect", func(t *Table) {
			t.Edition = "Basic"
			t.Rules = t.Rules[:1]
			actions0(Redirect(RedirectConfig{Protocol: "HTTPS"}))(t)
		}, RuleEditionActionType, "Rules[0].Actions[0].Type", "the Redirect action needs the Standard edition"},
		{"basic rewrite", func(t *Table) {
			t.Edition = "Basic"
			t.Rules = t.Rules[:1]
			actions0(Rewrite(RewriteConfig{Path: "/x"}), fwd1)(t)
		}, RuleEditionActionType, "Rules[0].Actions[0].Type", "the Rewrite action needs the Standard edition"},
		{"basic response rule", func(t *Table) { t.Edition = "Basic" }, RuleEditionResponseRules, "Rules[1].Direction", "Response-direction rules need the Standard edition"},
		{"basic six conditions", func(t *Table) {
			t.Edition = "Basic"
			t.Rules = t.Rules[:1]
			conditions0(Host("a.com"), Path("/a"), Header("x-a", "1"), Header("x-b", "1"), Header("x-c", "1"), Header("x-d", "1"))(t)
		}, RuleEditionConditionsMax, "Rules[0].Conditions", "the Standard edition allows it"},
		{"standard six actions", actions0(InsertHeader("x-a", "1"), InsertHeader("x-b", "1"), InsertHeader("x-c", "1"), InsertHeader("x-d", "1"), InsertHeader("x-e", "1"), fwd1),
			RuleEditionActionsMax, "Rules[0].Actions", "allows 5 per rule"},
		{"basic six wildcards", func(t *Table) {
			t.Edition = "Basic"
			t.Rules = t.Rules[:1]
			conditions0(Host("*.a.com", "*.b.com", "*.c.com", "*.d.com", "*.e.com", "*.f.com"))(t)
		}, RuleEditionWildcardsMax, "Rules[0].Conditions", "6 wildcard entries"},
		{"basic 41 rules", func(t *Table) {
			t.Edition = "Basic"
			t.Rules = manyRules(41)
		}, RuleEditionRulesQuota, "Rules", "default rule quota, 40"},
		{"basic 101 rules", func(t *Table) {
			t.Edition = "Basic"
			t.Rules = manyRules(101)
		}, RuleEditionRulesQuota, "Rules", "maximum, 100"},
	}
}

func manyPairs(n int) []KeyValue {
	kvs := make([]KeyValue, n)
	for i := range kvs {
		kvs[i] = KV(fmt.Sprintf("k%d", i), "v")
	}
	return kvs
}

func manyRules(n int) []Rule {
	rules := make([]Rule, n)
	for i := range rules {
		rules[i] = fwd(fmt.Sprintf("r%d", i), i+1, Path(fmt.Sprintf("/p%d", i)))
	}
	return rules
}

func TestValidTableIsClean(t *testing.T) {
	if fs := Check(validTable()); len(fs) > 0 {
		t.Fatalf("the valid table has findings: %v", fs)
	}
	for _, r := range validTable().Rules {
		if fs := ValidateRule(r, Scope{Edition: "StandardWithWaf", Protocol: "HTTPS"}); len(fs) > 0 {
			t.Errorf("ValidateRule(%s, StandardWithWaf) = %v", r.ID, fs)
		}
		// r0 inserts a header and r1 is a Response rule: both need Standard.
		fs := ValidateRule(r, Scope{Edition: "Basic"})
		if len(fs) == 0 {
			t.Errorf("ValidateRule(%s, Basic) found nothing", r.ID)
		}
		for _, f := range fs {
			if !strings.HasPrefix(f.Rule, "edition-") || !strings.Contains(f.Message, " the Standard edition (this instance is Basic)") {
				t.Errorf("ValidateRule(%s, Basic): %v", r.ID, f)
			}
		}
	}
}

// TestCheckRules breaks each check on purpose: every check ID of Rules must
// be able to fail, on the field it names.
func TestCheckRules(t *testing.T) {
	failed := map[string]bool{}
	for _, c := range checkCases() {
		tab := validTable()
		c.mutate(&tab)
		fs := Check(tab)
		var hit *Finding
		for i := range fs {
			if fs[i].Rule == c.rule && fs[i].Field == c.field {
				hit = &fs[i]
				break
			}
		}
		if hit == nil {
			t.Errorf("%s: no %s finding on %s; got %v", c.name, c.rule, c.field, fs)
			continue
		}
		if !strings.Contains(hit.Message, c.msg) {
			t.Errorf("%s: message %q lacks %q", c.name, hit.Message, c.msg)
		}
		info := ruleInfo(c.rule)
		if hit.Severity != info.Severity && c.rule != RuleEditionRulesQuota {
			t.Errorf("%s: severity %s; Rules() says %s", c.name, hit.Severity, info.Severity)
		}
		if strings.HasPrefix(hit.Field, "Rules[") && hit.Field != "Rules" && hit.ForwardingRule == "" {
			t.Errorf("%s: finding on %s names no forwarding rule", c.name, hit.Field)
		}
		failed[c.rule] = true
	}
	for _, info := range Rules() {
		if !failed[info.ID] {
			t.Errorf("check %s has no failing case", info.ID)
		}
	}
}

func ruleInfo(id string) RuleInfo {
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	return RuleInfo{}
}

func TestRulesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("%s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Text == "" || r.Source == "" || (r.Severity != SeverityError && r.Severity != SeverityWarning) {
			t.Errorf("%s: incomplete %+v", r.ID, r)
		}
		for _, c := range r.ID {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				t.Errorf("%s is not kebab-case", r.ID)
				break
			}
		}
	}
}

// Every violation at once: a rule broken in three places reports three
// findings, with paths relative to the rule from ValidateRule.
func TestValidateRuleReportsAll(t *testing.T) {
	r := Rule{ID: "x", Name: "x", Priority: 0, Conditions: []Condition{Host("Bad")}, Actions: InOrder(ForwardTo("a"), InsertHeader("host", "v"))}
	fs := ValidateRule(r, Scope{})
	want := map[string]string{
		"Name":                        RuleNameLength,
		"Priority":                    RulePriorityRange,
		"Conditions[0].Values[0]":     RuleConditionHostFormat,
		"Actions[1].InsertHeader.Key": RuleActionHeaderKeyForbidden,
		"Actions[0].Order":            RuleActionFinalLast,
	}
	got := map[string]string{}
	for _, f := range fs {
		got[f.Field] = f.Rule
	}
	for field, rule := range want {
		if got[field] != rule {
			t.Errorf("%s: got %q; want %s (all: %v)", field, got[field], rule, fs)
		}
	}
	if len(fs) != len(want) {
		t.Errorf("%d findings; want %d: %v", len(fs), len(want), fs)
	}
	if s := fs[0].String(); !strings.HasSuffix(s, "["+fs[0].Rule+"]") || !strings.HasPrefix(s, fs[0].Field+": ") {
		t.Errorf("String() = %q", s)
	}
}

func TestShadowing(t *testing.T) {
	cases := []struct {
		name     string
		earlier  []Condition
		later    []Condition
		shadowed bool
	}{
		{"catch-all path", []Condition{Path("/*")}, []Condition{Path("/api/*")}, true},
		{"narrower first is fine", []Condition{Path("/api/*")}, []Condition{Path("/*")}, false},
		{"wildcard host covers exact", []Condition{Host("*.example.com")}, []Condition{Host("app.example.com")}, true},
		{"wildcard host covers deeper wildcard", []Condition{Host("*.example.com")}, []Condition{Host("*.api.example.com")}, true},
		{"host case ignored", []Condition{Host("app.example.com")}, []Condition{Host("APP.example.com")}, true},
		{"disjoint hosts", []Condition{Host("a.com")}, []Condition{Host("b.com")}, false},
		{"fewer conditions cover more", []Condition{Host("a.com")}, []Condition{Host("a.com"), Path("/x")}, true},
		{"more conditions do not cover fewer", []Condition{Host("a.com"), Path("/x")}, []Condition{Host("a.com")}, false},
		{"every value must be covered", []Condition{Path("/a/*")}, []Condition{Path("/a/x", "/b/x")}, false},
		{"values of the earlier ORed", []Condition{Path("/a/*", "/b/*")}, []Condition{Path("/a/x", "/b/x")}, true},
		{"? does not cover *", []Condition{Path("/a?c")}, []Condition{Path("/a*c")}, false},
		{"* covers ?", []Condition{Path("/a*c")}, []Condition{Path("/a?c")}, true},
		{"path case matters", []Condition{Path("/API/*")}, []Condition{Path("/api/x")}, false},
		{"regex covers an exact path it matches", []Condition{Path("~^/v[0-9]/")}, []Condition{Path("/v1/")}, true},
		{"regex does not cover a wildcard", []Condition{Path("~^/v")}, []Condition{Path("/v*")}, false},
		{"same regex", []Condition{Path("~^/v")}, []Condition{Path("~^/v")}, true},
		{"other regex not proven", []Condition{Path("~^/v")}, []Condition{Path("~^/v1")}, false},
		{"header glob", []Condition{Header("x-env", "*")}, []Condition{Header("X-Env", "prod")}, true},
		{"header other key", []Condition{Header("x-env", "*")}, []Condition{Header("x-other", "prod")}, false},
		{"query pairs", []Condition{Query(KV("v", "*"))}, []Condition{Query(KV("v", "2"))}, true},
		{"cookie pairs", []Condition{Cookie(KV("a", "1"))}, []Condition{Cookie(KV("a", "2"))}, false},
		{"methods subset", []Condition{Method("GET", "POST")}, []Condition{Method("GET")}, true},
		{"methods superset", []Condition{Method("GET")}, []Condition{Method("GET", "POST")}, false},
		{"cidr inside", []Condition{SourceIP("10.0.0.0/8")}, []Condition{SourceIP("10.1.0.0/16", "10.2.3.4")}, true},
		{"cidr outside", []Condition{SourceIP("10.0.0.0/16")}, []Condition{SourceIP("10.0.0.0/8")}, false},
		{"ipv6 inside", []Condition{SourceIP("2001:db8::/32")}, []Condition{SourceIP("2001:db8:1::/48")}, true},
		{"other type not proven", []Condition{Host("a.com")}, []Condition{Path("/x")}, false},
	}
	for _, c := range cases {
		tab := baseTable(fwd("early", 1, c.earlier...), fwd("late", 2, c.later...))
		var got []Finding
		for _, f := range Check(tab) {
			if f.Rule == RuleShadowed {
				got = append(got, f)
			}
		}
		if c.shadowed != (len(got) == 1) {
			t.Errorf("%s: shadow findings %v; want shadowed=%v", c.name, got, c.shadowed)
			continue
		}
		if c.shadowed && (got[0].ForwardingRule != "late" || got[0].Field != "Rules[1]" || got[0].Severity != SeverityWarning) {
			t.Errorf("%s: %+v", c.name, got[0])
		}
	}
	// Shadowing is per direction, and by priority rather than list order.
	tab := baseTable(fwd("late", 9, Path("/a")), fwd("early", 1, Path("/*")),
		Rule{ID: "resp", Name: "resp", Priority: 5, Direction: DirectionResponse, Conditions: []Condition{Path("/a")}, Actions: InOrder(InsertHeader("x-a", "1"))})
	var ids []string
	for _, f := range Check(tab) {
		if f.Rule == RuleShadowed {
			ids = append(ids, f.ForwardingRule)
		}
	}
	if fmt.Sprint(ids) != "[late]" {
		t.Errorf("shadowed %v; want [late]", ids)
	}
}

// A shadowed rule really never matches: whatever request matches the later
// rule is decided by the earlier one.
func TestShadowedRulesNeverMatch(t *testing.T) {
	tab := baseTable(fwd("early", 1, Host("*.example.com"), Method("GET", "POST")), fwd("late", 2, Host("api.example.com"), Method("GET"), Path("/v1/*")))
	if fs := Check(tab); len(fs) != 1 || fs[0].Rule != RuleShadowed {
		t.Fatalf("findings %v", fs)
	}
	r := MustCompile(tab)
	for _, req := range []Request{rq("GET", "api.example.com", "/v1/x"), rq("GET", "API.example.com:80", "/v1/"), rq("POST", "api.example.com", "/v1/y")} {
		if d := r.Decide(&req); d.Rule != "early" {
			t.Errorf("%s %s%s decided by %q", req.Method, req.Host, req.Path, d.Rule)
		}
	}
}
