package alb_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
)

// The rule differential test holds albkit's checks of forwarding rules
// against the emulator's CreateRule and CreateRules, through the exact SDK
// requests albkit sends, on the listeners of the world of
// listener_differential_world_test.go (HTTP, HTTPS and QUIC listeners on
// an instance of each edition; the HTTP listeners hold a rule at priority
// 1 that the specs do not manage):
//
//   - albkit's verdict is CheckListener's blocking findings for the
//     listener's spec (the listener as it is, with the generated rules)
//     and the facts of its instance: RuleSpec checks by routing.ValidateRule
//     with the listener's protocol, CheckListenerEdition with the
//     instance's edition, the references of the forwards and mirrors;
//   - the emulator's is CreateRule (one rule) or CreateRules (several, in
//     calls of MaxRulesPerCreateCall), each with DryRun and then for real;
//   - the verdicts agree as in the listener differential test, with
//     ruleFactsCodes and rulePolicyExceptions;
//   - the rules the emulator created read back (ListRules, both
//     directions) into a listener spec albkit accepts that diffs empty, and
//     the listener with the rules of a valid spec diffs empty against it.

// ruleFactsCodes are the emulator's rule answers that need facts
// CheckListener is not given.
var ruleFactsCodes = map[string]string{
	"Conflict.Priority":      "a rule the spec does not manage holds the priority (DiffListener's rule-priority-taken, from the listener's rules)",
	"QuotaExceeded.RulesNum": "the instance's rules across all its listeners exceed its quota (CheckListener sees one listener's rules)",
}

// rulePolicyExceptions lists every local rule allowed to refuse rules the
// emulator accepts.
var rulePolicyExceptions = []lsnPolicyException{
	{name: alb.RuleListenerRuleInsertHeaderCover, rule: alb.RuleListenerRuleInsertHeaderCover,
		reason: "CreateRule and CreateRules have no CoverEnabled (only UpdateRuleAttribute has) and ListRules does not report it: albkit does not send it and refuses what it could neither create nor converge"},
	{name: "unsent condition fields", rule: routing.RuleConditionValues,
		reason: "a condition is sent with its type's config only: a Key or Pairs on a Values condition, or Values or a Key on a pairs condition, never reach the service; albkit refuses what it would drop",
		applies: func(_ alb.ListenerSpec, fe *alb.FieldError) bool {
			return !strings.HasSuffix(fe.Field, ".Values") && !strings.HasSuffix(fe.Field, ".Pairs")
		}},
	{name: "unsent direction", rule: routing.RuleDirectionEnum,
		reason: "albkit sends Direction only for Response rules (Request is the default): a misspelt direction would silently make a Request rule, so albkit refuses it"},
	{name: "empty list entries",
		reason: "the emulator takes an empty string in a list as absent (GUESS: the Terraform provider sends \"\" for what it leaves unset) and keeps the list's other entries; albkit refuses an empty condition value or CORS entry, which it would otherwise keep in the spec and never read back",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			v, ok := fieldValue(s, fe.Field)
			return ok && v == "" && emptyListEntry.MatchString(fe.Field)
		}},
	{name: "Chinese characters in the name", rule: routing.RuleNameFormat,
		reason: "GUESS: the reference allows Chinese characters in server group names only (1.1, from the zh docs), and says letters of rule names (1.5); routing keeps rule names to A-Z and a-z, the emulator takes the instance's name rule (Chinese characters count as letters)",
		applies: func(s alb.ListenerSpec, fe *alb.FieldError) bool {
			v, ok := fieldValue(s, fe.Field)
			return ok && validWithHan(v)
		}},
	{name: alb.RuleListenerRuleNameUnique, rule: alb.RuleListenerRuleNameUnique,
		reason: "albkit identifies a listener's rules by name (DiffListener matches them so); the service keys rules by ID and takes two of one name"},
}

// emptyListEntry matches the field paths of the lists whose empty entries
// the emulator drops.
var emptyListEntry = regexp.MustCompile(`^Rules\[\d+\]\.(Conditions\[\d+\]\.Values|Actions\[\d+\]\.Cors\.(AllowOrigins|AllowMethods|AllowHeaders|ExposeHeaders))\[\d+\]$`)

func ruleExcepted(s alb.ListenerSpec, fe *alb.FieldError) bool {
	return exceptedBy(rulePolicyExceptions, s, fe)
}

// diffListener is a listener of the world the rules go to.
type diffListener struct {
	in   *diffInstance
	id   string
	spec alb.ListenerSpec // the listener as it is, without rules
}

// listenersOf returns the world's listeners rules are created on, by
// protocol: HTTP:80 (with the rule at priority 1), HTTPS:443 and QUIC:443.
func (w *diffWorld) ruleListeners(in *diffInstance) []diffListener {
	g := w.groups.http
	return []diffListener{
		{in, in.http, alb.NewListenerSpec(in.id, alb.ListenerHTTP, 80, g)},
		{in, in.https, alb.NewListenerSpec(in.id, alb.ListenerHTTPS, 443, g).WithCertificate(albtest.CertificateExample).WithQUICUpgrade(in.quicTaken)},
		{in, in.quic, alb.NewListenerSpec(in.id, alb.ListenerQUIC, 443, g).WithCertificate(albtest.CertificateExample)},
	}
}

// seedRules creates the rule at priority 1 on each HTTP listener.
func (w *diffWorld) seedRules(tb testing.TB) {
	tb.Helper()
	for _, in := range w.instances {
		r := alb.NewRuleSpec("held", 1, routing.Host("held.example.com")).Then(routing.ForwardTo(w.groups.http))
		if _, err := w.sdk.CreateRule(alb.CreateRuleRequestForTest(in.http, r, w.token(), false)); err != nil {
			tb.Fatalf("CreateRule: %v", err)
		}
	}
}

// ruleOutcome is what one set of rules did on each side.
type ruleOutcome struct {
	lsn       diffListener
	spec      alb.ListenerSpec // lsn.spec with the rules
	local     []*alb.FieldError
	step      string
	code, msg string
	listener  *alb.Listener
	certs     []alb.ListenerCertificate
	rules     []alb.Rule // the listener's rules after the create, both directions
}

func (o ruleOutcome) String() string {
	var ed alb.Edition
	if o.lsn.in != nil {
		ed = o.lsn.in.edition
	}
	return fmt.Sprintf("listener: %s %s:%d (%s)\nlocal: %s\nemulator: %s %s: %s", o.lsn.id, o.spec.Protocol, o.spec.Port, ed,
		fieldErrorsString(o.local), o.step, o.code, o.msg)
}

// runRules sends rules to listener lsn.
func (w *diffWorld) runRules(t testing.TB, lsn diffListener, rules []alb.RuleSpec) ruleOutcome {
	t.Helper()
	o := ruleOutcome{lsn: lsn, spec: lsn.spec.WithRules(rules...)}
	o.local = blocking(alb.CheckListener(o.spec, lsn.in.facts))
	var created []string
	defer func() {
		if len(created) > 0 {
			if _, err := w.sdk.DeleteRules(alb.DeleteRulesRequestForTest(created, "", false)); err != nil {
				t.Fatalf("DeleteRules: %v", err)
			}
		}
	}()
	for i := 0; i < len(rules); i += alb.MaxRulesPerCreateCall {
		batch := rules[i:min(i+alb.MaxRulesPerCreateCall, len(rules))]
		var err error
		if len(rules) == 1 {
			o.step = "CreateRule"
			_, err = w.sdk.CreateRule(alb.CreateRuleRequestForTest(lsn.id, batch[0], defaultToken, true))
		} else {
			o.step = "CreateRules"
			_, err = w.sdk.CreateRules(alb.CreateRulesRequestForTest(lsn.id, batch, defaultToken, true))
		}
		if err == nil {
			t.Fatalf("DryRun %s succeeded without DryRunOperation", o.step)
		}
		if o.code, o.msg = apiCode(t, o.step, err); o.code != "DryRunOperation" {
			return o
		}
		if len(rules) == 1 {
			resp, err := w.sdk.CreateRule(alb.CreateRuleRequestForTest(lsn.id, batch[0], w.token(), false))
			if err != nil {
				o.code, o.msg = apiCode(t, o.step, err)
				t.Fatalf("CreateRule passed its DryRun but failed: %s", o)
			}
			created = append(created, tea.StringValue(resp.Body.RuleId))
		} else {
			resp, err := w.sdk.CreateRules(alb.CreateRulesRequestForTest(lsn.id, batch, w.token(), false))
			if err != nil {
				o.code, o.msg = apiCode(t, o.step, err)
				t.Fatalf("CreateRules passed its DryRun but failed: %s", o)
			}
			for _, r := range resp.Body.RuleIds {
				created = append(created, tea.StringValue(r.RuleId))
			}
		}
	}
	o.step, o.code, o.msg = "", "OK", ""
	o.listener, o.certs = w.readListener(t, lsn.id)
	for _, dir := range []string{"Request", "Response"} {
		r, err := w.sdk.ListRules(&albsdk.ListRulesRequest{ListenerIds: []*string{tea.String(lsn.id)}, Direction: tea.String(dir), MaxResults: tea.Int32(100)})
		if err != nil {
			t.Fatalf("ListRules: %v", err)
		}
		for _, b := range r.Body.Rules {
			o.rules = append(o.rules, alb.RuleFromSDKForTest(b))
		}
	}
	return o
}

// ruleDisagreement returns "" when both sides agree, else what is wrong.
func ruleDisagreement(o ruleOutcome) string {
	accepted := o.code == "OK"
	if len(o.local) == 0 {
		if _, facts := ruleFactsCodes[o.code]; accepted || facts {
			return ""
		}
		return "locally valid, but the emulator refuses it with a code CheckListener's facts should predict"
	}
	if !accepted {
		return ""
	}
	return acceptedButInvalid(o.local, func(fe *alb.FieldError) bool { return ruleExcepted(o.spec, fe) })
}

// ruleReadBackProblem checks the rules the emulator created.
func ruleReadBackProblem(o ruleOutcome) string {
	if o.code != "OK" {
		return ""
	}
	back := alb.SpecFromListener(o.listener, o.certs, o.rules)
	if err := back.Validate(); err != nil {
		for _, fe := range fieldErrors(err) {
			if !ruleExcepted(back, fe) {
				return fmt.Sprintf("the spec read back is invalid: %v\nread back: %s", err, rulesString(back.Rules))
			}
		}
		return ""
	}
	if p := alb.DiffListener(back, o.listener, o.certs, o.rules); !p.Empty() {
		return "the spec read back does not diff empty:\n" + p.String()
	}
	if len(o.local) == 0 {
		if p := alb.DiffListener(o.spec, o.listener, o.certs, o.rules); !p.Empty() {
			return fmt.Sprintf("the rules created from a valid spec do not diff empty:\n%s\nrules read back: %s", p, rulesString(alb.SpecFromListener(o.listener, o.certs, o.rules).Rules))
		}
	}
	return ""
}

// rulesString renders rules as JSON without the empty fields.
func rulesString(rules []alb.RuleSpec) string {
	b, err := json.Marshal(rules)
	if err != nil {
		return fmt.Sprintf("%#v", rules)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	b, _ = json.Marshal(compact(v))
	return string(b)
}

// compact drops the nulls, empty strings, false, zeros and empty lists and
// objects of a JSON value (not the elements of a list).
func compact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = compact(e)
			switch y := e.(type) {
			case nil:
				delete(x, k)
			case string, bool, float64:
				if y == "" || y == false || y == 0.0 {
					delete(x, k)
				} else {
					x[k] = e
				}
			case []any:
				if len(y) == 0 {
					delete(x, k)
				} else {
					x[k] = e
				}
			case map[string]any:
				if len(y) == 0 {
					delete(x, k)
				} else {
					x[k] = e
				}
			}
		}
	case []any:
		for i, e := range x {
			x[i] = compact(e)
		}
	}
	return v
}

func ruleKind(d string, o ruleOutcome) string {
	kind := d + " / " + o.step + " " + o.code
	if _, rest, ok := strings.Cut(o.msg, "parameter \""); ok {
		kind += " / " + strings.SplitN(rest, "\"", 2)[0]
	} else if m, _, ok := strings.Cut(o.msg, ":"); ok && strings.Contains(m, "Rule") {
		kind += " / " + m
	}
	return kind
}

// genDiffRules builds rules from the chooser for one of the world's
// listeners: with no deviation, one to three valid rules the listener's
// edition offers. The listener, the directions, the condition and action
// types and the optional features are drawn whatever the deviation rate.
func genDiffRules(c *chooser, w *diffWorld) (diffListener, []alb.RuleSpec) {
	in := w.instances[diffEditions[c.any(len(diffEditions))]]
	lsn := w.ruleListeners(in)[c.any(3)]
	n := []int{1, 1, 1, 2, 3}[c.any(5)]
	if c.pick(8) == 1 {
		n = alb.MaxRulesPerCreateCall + 2
	}
	var rules []alb.RuleSpec
	for i := range n {
		rules = append(rules, genDiffRule(c, w, lsn, i, rules))
	}
	return lsn, rules
}

// ruleGen holds what one rule's generation knows.
type ruleGen struct {
	c        *chooser
	w        *diffWorld
	proto    alb.ListenerProtocol
	standard bool
	resp     bool
}

func genDiffRule(c *chooser, w *diffWorld, lsn diffListener, i int, prev []alb.RuleSpec) alb.RuleSpec {
	g := &ruleGen{c: c, w: w, proto: lsn.spec.Protocol, standard: lsn.in.edition != alb.EditionBasic}
	g.resp = g.standard && c.any(5) == 0
	r := alb.RuleSpec{Name: fmt.Sprintf("r%d-web", i), Priority: 100 + 10*i}
	if g.resp {
		r.Direction = routing.DirectionResponse
	}
	switch c.pick(10) {
	case 1:
		r.Name = c.oneOf("", "a", "1rule", "r r", "规则一", "ré-1", "r_.-9", "x\xff")
	case 2:
		r.Name = c.oneOf(strings.Repeat("r", 128), strings.Repeat("r", 129), "r"+strings.Repeat("规", 127), "Rule.A_b-1")
	case 3:
		if len(prev) > 0 {
			r.Name = prev[0].Name
		}
	case 4:
		r.Name = c.text("r1")
	}
	if d := c.pick(8); d != 0 {
		r.Priority = []int{0, -1, 10001, 10000, 1, 2}[min(d-1, 5)]
		if d == 7 && len(prev) > 0 {
			r.Priority = prev[0].Priority
		}
	}
	r.Direction = routing.Direction(c.oneOf(string(r.Direction), "Response", "Request", "request", "Both", ""))
	g.resp = r.Direction == routing.DirectionResponse

	nc := 1 + c.any(2)
	if d := c.pick(5); d != 0 {
		nc = []int{0, 6, 11, 3}[d-1]
	}
	for j := range nc {
		r.Conditions = append(r.Conditions, g.condition(j))
	}
	r.Actions = g.actions()
	return r
}

// condTypes are the condition types of a direction on an edition.
func (g *ruleGen) condTypes() []routing.ConditionType {
	ts := []routing.ConditionType{routing.ConditionHost, routing.ConditionPath, routing.ConditionHeader}
	if g.standard {
		ts = append(ts, routing.ConditionQueryString, routing.ConditionMethod, routing.ConditionCookie, routing.ConditionSourceIP)
		if g.resp {
			ts = append(ts, routing.ConditionResponseHeader, routing.ConditionResponseStatusCode, routing.ConditionResponseStatusCode)
		}
	}
	return ts
}

func (g *ruleGen) condition(j int) routing.Condition {
	c := g.c
	ts := g.condTypes()
	t := ts[c.any(len(ts))]
	if c.pick(6) == 1 {
		t = routing.ConditionTypes()[c.any(len(routing.ConditionTypes()))]
	}
	var cond routing.Condition
	switch t {
	case routing.ConditionHost:
		cond = routing.Host(g.values([]string{"www.example.com", "*.example.com", "api.example.*", "a?c.example.com", "img-1.cdn.example.org",
			`~^(www|api)\.example\.com$`, `~*^img[0-9]+\.example\.com$`},
			[]string{"Example.com", "example", ".example.com", "example.com.", "-a.example.com", "a.example.c0m", "a b.com", "~(", `~^a{2,3}\.com$`,
				"~a,b.com", "~", "ab", strings.Repeat("a", 126) + ".com", "a..com", "~/a.com", "~a:b.com", "a_b.example.com", "é.example.com"})...)
	case routing.ConditionPath:
		cond = routing.Path(g.values([]string{"/", "/api/*", "/img/?.png", "/a-b_c.d+e/&~@:$", `~^/api/(v[0-9]+)/(.*)$`, `~*^/static/.*\.css$`, "/Upper/Case"},
			[]string{"api", "/a b", "/a%20", "/a#b", "/a;b", `/a"b`, "~(", "~/a#b", "~/a;b", "~/a b", "/" + strings.Repeat("p", 128), "~*", "~/a{1,2}",
				"/ä", "/a=b", "/a,b", "~/a%20", `~/a"b`, "~/a'b", "/a!b", "/a[b]"})...)
	case routing.ConditionHeader, routing.ConditionResponseHeader:
		key := []string{"x-env", "X-Env", "User-Agent", "x_flag"}[c.any(4)]
		key = c.oneOf(key, "Cookie", "host", "x env", "", strings.Repeat("k", 41), "x.y", "é")
		vals := g.values([]string{"blue", "Mozilla*", "a b", "?x*", `a"b`, "v=1;x"},
			[]string{" x", "x ", "", "é", strings.Repeat("v", 129), "Blue", "\t", "a\x7fb"})
		cond = routing.Condition{Type: t, Key: key, Values: vals}
	case routing.ConditionQueryString, routing.ConditionCookie:
		pairs := []routing.KeyValue{{Key: "a", Value: "1"}, {Key: "page", Value: "*"}, {Key: "q?", Value: "x*y"}, {Key: "ver", Value: "v-1.2_3"}}
		var ps []routing.KeyValue
		for k := range 1 + c.any(2) {
			ps = append(ps, pairs[(j+k)%len(pairs)])
		}
		if d := c.pick(14); d != 0 {
			bad := []routing.KeyValue{{Key: "A", Value: "1"}, {Key: "a", Value: "B"}, {Key: "a b", Value: "1"}, {Key: "a", Value: "#"}, {Key: "a", Value: "&"},
				{Key: "a", Value: `"`}, {Key: "a", Value: ";"}, {Key: "", Value: "1"}, {Key: "a", Value: ""}, {Key: strings.Repeat("k", 101), Value: "1"},
				{Key: "a", Value: strings.Repeat("v", 101)}, {Key: "a", Value: strings.Repeat("v", 129)}, {Key: "é", Value: "1"}}[d-1]
			ps = append(ps, bad)
		}
		switch c.pick(4) {
		case 1:
			ps = append(ps, ps[0])
		case 2:
			for k := range 21 {
				ps = append(ps, routing.KV(fmt.Sprintf("k%d", k), "v"))
			}
		case 3:
			ps = nil
		}
		cond = routing.Condition{Type: t, Pairs: ps}
	case routing.ConditionMethod:
		cond = routing.Method(g.values([]string{"GET", "POST", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"}, []string{"get", "CONNECT", "", "TRACE"})...)
	case routing.ConditionSourceIP:
		cond = routing.SourceIP(g.values([]string{"10.0.0.0/8", "192.168.1.1", "2408:4000::/32", "::1"},
			[]string{"10.0.0.0/33", "10.0.0", "fe80::1%eth0", "10.0.0.1/8", " 10.0.0.1", "::ffff:10.0.0.1", "0.0.0.0/0", "010.0.0.1"})...)
	case routing.ConditionResponseStatusCode:
		cond = routing.ResponseStatusCode(g.values([]string{"200", "503", "404", "100", "599"}, []string{"5xx", "099", "600", "20", "2000", " 200"})...)
	}
	switch c.pick(6) {
	case 1:
		cond.Type = routing.ConditionType(c.oneOf("Foo", "host", "", "Path"))
	case 2:
		cond.Key = "x-extra"
	case 3:
		cond.Pairs = append(cond.Pairs, routing.KV("a", "1"))
	case 4:
		cond.Values = append(cond.Values, "/x")
	}
	return cond
}

// values returns one to three of valid (mostly), with deviations from
// bad, a repeated value or none.
func (g *ruleGen) values(valid, bad []string) []string {
	c := g.c
	var out []string
	for k := range 1 + c.any(3) {
		v := valid[c.any(len(valid))]
		if k > 0 && slices.Contains(out, v) {
			continue
		}
		out = append(out, v)
	}
	switch d := c.pick(5); d {
	case 1, 2:
		out = append(out, bad[c.any(len(bad))])
	case 3:
		out = append(out, out[0])
	case 4:
		out = nil
	}
	return out
}

// groups returns the server groups of a forward: those the listener can
// use on its edition, or deviations.
func (g *ruleGen) forwardGroups() []routing.ServerGroupTuple {
	c, gs := g.c, g.w.groups
	ok := []string{gs.http, gs.http2, gs.fc}
	if g.proto == alb.ListenerHTTPS {
		ok = append(ok, gs.https)
	}
	if g.proto != alb.ListenerHTTP {
		ok = append(ok, gs.grpc)
	}
	if g.standard {
		ok = append(ok, gs.slow, gs.drain, gs.crossZoneOff)
	}
	var out []routing.ServerGroupTuple
	n := 1 + c.any(2)
	for k := range n {
		id := ok[(c.any(len(ok))+k)%len(ok)]
		if slices.ContainsFunc(out, func(t routing.ServerGroupTuple) bool { return t.ServerGroupID == id }) {
			continue
		}
		out = append(out, routing.Weighted(id, []int{100, 50, 1, 0}[c.any(4)]))
	}
	if len(out) == 1 && out[0].Weight == 0 {
		out[0].Weight = 100
	}
	if d := c.pick(10); d != 0 {
		bad := []string{gs.otherVPC, gs.https, gs.grpc, gs.slow, "sgp-nope", "", out[0].ServerGroupID, gs.crossZoneOff, gs.drain}[d-1]
		out = append(out, routing.Weighted(bad, 100))
	}
	switch c.pick(5) {
	case 1:
		out[0].Weight = []int{-1, 101, 1000}[c.any(3)]
	case 2:
		for _, id := range []string{gs.http, gs.http2, gs.fc, gs.https, gs.grpc, gs.slow} {
			if !slices.ContainsFunc(out, func(t routing.ServerGroupTuple) bool { return t.ServerGroupID == id }) {
				out = append(out, routing.Weighted(id, 10))
			}
		}
	case 3:
		for k := range out {
			out[k].Weight = 0
		}
	case 4:
		out = nil
	}
	return out
}

// finalAction returns the final action of a Request rule.
func (g *ruleGen) finalAction(rewrite bool) routing.Action {
	c := g.c
	kind := 0
	if g.standard && !rewrite {
		kind = c.any(3)
	}
	switch c.pick(4) {
	case 1:
		kind = 1
	case 2:
		kind = 2
	}
	switch kind {
	case 1:
		return routing.Redirect(g.redirect())
	case 2:
		codes := []string{"200", "503", "404", "HTTP_200", "204"}
		code := c.oneOf(codes[c.any(len(codes))], "302", "600", "", "abc", "2000", "http_200", "199")
		types := []string{"text/plain", "application/json", "", "text/html", "text/css", "application/javascript"}
		ct := c.oneOf(types[c.any(len(types))], "text/xml", "TEXT/PLAIN", "text/plain; charset=utf-8")
		content := []string{"ok", "", `{"a":1}`, "<h1>maintenance</h1>"}[c.any(4)]
		content = c.oneOf(content, strings.Repeat("x", 1024), strings.Repeat("x", 1025), "café", "a\x00b", "\xff")
		return routing.FixedResponse(code, ct, content)
	}
	a := routing.Forward(g.forwardGroups()...)
	switch c.any(5) {
	case 0:
		a = a.Sticky([]int{0, 1000, 1, 86400}[c.any(4)])
	}
	if d := c.pick(4); d != 0 {
		a = a.Sticky([]int{-1, 86401, 100000}[d-1])
	}
	return a
}

func (g *ruleGen) redirect() routing.RedirectConfig {
	c := g.c
	valid := []routing.RedirectConfig{
		{Protocol: "HTTPS"}, {Host: "www.example.com"}, {HTTPCode: "301", Path: "/new"}, {Port: "8080"}, {Query: "a=b"},
		{HTTPCode: "308", Protocol: "HTTPS", Port: "443"}, {Path: "/v2${path}"}, {Host: "${host}", Path: "/x"}, {Query: "${query}&x=1"},
		{Path: "/${host}/${path}", HTTPCode: "307"}, {Protocol: "${protocol}", Host: "a.example.org"},
	}
	rd := valid[c.any(len(valid))]
	switch c.pick(20) {
	case 1:
		rd = routing.RedirectConfig{}
	case 2:
		rd = routing.RedirectConfig{Host: "${host}", HTTPCode: "301"}
	case 3:
		rd.HTTPCode = c.oneOf("300", "200", "30", "3O1")
	case 4:
		rd.Protocol = c.oneOf("FTP", "http", "https", "HTTP")
	case 5:
		rd.Protocol = "HTTP"
	case 6:
		rd.Port = c.oneOf("0", "65536", "08080", "${port}x", "65535", "63336", "-1")
	case 7:
		rd.Host = c.oneOf("Bad.com", "a", "${host}.com", "a_b.com", "*.example.com", "a.example.com:80", "x.${host}", "ab.c1")
	case 8:
		rd.Path = c.oneOf("a", "/a b", "/a%20", "/"+strings.Repeat("p", 128), "/${query}", "/${path}${path}", "/${1}", "/a#b", "${path}", "/${x}", "/${path")
	case 9:
		rd.Query = c.oneOf("A=B", "a b", "${path}", "${query}${query}", "a#b", "${host}.${port}", "x=${1}", "a=\"b\"", "${protocol}")
	case 10:
		rd.Host = "${1}.example.com"
	case 11:
		rd.Path = "/${path}/${2}"
	case 12:
		rd.Path = "/a;b"
	case 13:
		rd.Query = "a=%20"
	case 14:
		rd.Path = "/a!b"
	case 15:
		rd.Host = "A.example.com"
	case 16:
		rd.Path = "/ä"
	case 17:
		rd.Query = "a=" + strings.Repeat("q", 127)
	case 18:
		rd.Path = "/a:b@c"
	case 19:
		rd.Host = "${host}"
	}
	return rd
}

func (g *ruleGen) rewrite() routing.RewriteConfig {
	c := g.c
	valid := []routing.RewriteConfig{{Path: "/v2/x"}, {Host: "api.example.com"}, {Query: "x=1"}, {Path: "/v2${path}"}, {Host: "${host}", Query: "${query}&v=2"},
		{Path: "/${host}${path}"}}
	rw := valid[c.any(len(valid))]
	switch c.pick(10) {
	case 1:
		rw.Path = c.oneOf("/${protocol}/x", "/${port}/x", "/${query}", "v2", "/a b", "/${1}")
	case 2:
		rw.Query = c.oneOf("${path}", "${protocol}", "${port}", "A=1", "${host}")
	case 3:
		rw.Host = c.oneOf("API.example.com", "a", "${host}x", "${1}.example.com", "a_b.example.com")
	case 4:
		rw = routing.RewriteConfig{}
	case 5:
		rw.Path = "${path}"
	case 6:
		rw.Path = "/a=b"
	case 7:
		rw.Query = "${query}"
	case 8:
		rw.Path = "/a%2F"
	case 9:
		rw.Host = "*.example.com"
	}
	return rw
}

func (g *ruleGen) extension(t routing.ActionType) routing.Action {
	c := g.c
	switch t {
	case routing.ActionRewrite:
		return routing.Rewrite(g.rewrite())
	case routing.ActionInsertHeader:
		kinds := []routing.Action{routing.InsertHeader("x-req", "v1"), routing.InsertHeaderFrom("x-ua", routing.ValueReferenceHeader, "user-agent"),
			routing.InsertHeaderFrom("x-ip", routing.ValueSystemDefined, routing.SystemClientSrcIP), routing.InsertHeader("X_Flag", "a*b?"),
			routing.InsertHeaderFrom("x-port", routing.ValueSystemDefined, routing.SystemSLBPort), routing.InsertHeader("x-json", `{a:1}`)}
		a := kinds[c.any(len(kinds))]
		in := *a.InsertHeader
		switch c.pick(12) {
		case 1:
			in.Key = c.oneOf("host", "x-forwarded-for", "X-Forwarded-Proto", "connection", "Content-Length", "cookie", "te")
		case 2:
			in.Key = c.oneOf("x a", strings.Repeat("k", 41), "", "é", "x.y")
		case 3:
			in.ValueType, in.Value = routing.ValueUserDefined, c.oneOf(" v", "v ", `v\`, `a"b`, strings.Repeat("v", 129), "", "é", "a\tb")
		case 4:
			in.ValueType, in.Value = routing.ValueReferenceHeader, c.oneOf("User-Agent", "x y", strings.Repeat("h", 129), "", "x.y")
		case 5:
			in.ValueType, in.Value = routing.ValueSystemDefined, c.oneOf("Foo", "clientsrcip", "", "SLBID")
		case 6:
			in.ValueType = routing.HeaderValueType(c.oneOf("", "Custom", "userdefined"))
		case 7:
			in.CoverEnabled = true
		case 8:
			in.Key = "keep-alive"
		case 9:
			in.Key = "upgrade"
		case 10:
			in.Key = "x-forwarded-eip"
		case 11:
			in.Key = "Authority"
		}
		a.InsertHeader = &in
		return a
	case routing.ActionRemoveHeader:
		key := []string{"x-debug", "Server", "x_trace"}[c.any(3)]
		return routing.RemoveHeader(c.oneOf(key, "connection", "host", "", "x a", "slb-id", "Transfer-Encoding", "te", "upgrade", "cookie"))
	case routing.ActionTrafficLimit:
		l := [][2]int{{100, 10}, {1000, 0}, {0, 50}, {1000000, 999999}, {1, 0}}[c.any(5)]
		if d := c.pick(7); d != 0 {
			l = [][2]int{{0, 0}, {1000001, 0}, {10, 10}, {10, 20}, {-1, 0}, {0, 1000001}}[d-1]
		}
		return routing.TrafficLimit(l[0], l[1])
	case routing.ActionTrafficMirror:
		gs := g.w.groups
		ids := [][]string{{gs.http2}, {gs.http, gs.http2}, {gs.fc}}[c.any(3)]
		if d := c.pick(9); d != 0 {
			ids = [][]string{nil, {""}, {gs.otherVPC}, {gs.https}, {gs.grpc}, {gs.slow}, {gs.http, gs.http2, gs.fc, gs.https, gs.grpc, gs.slow}, {gs.http, gs.http}}[d-1]
		}
		a := routing.Mirror(ids...)
		a.TrafficMirror.TargetType = c.oneOf(routing.MirrorTarget, "", "Other", "forwardgroupmirror")
		return a
	case routing.ActionCors:
		valid := []routing.CorsConfig{{AllowOrigins: []string{"*"}},
			{AllowOrigins: []string{"https://a.example.com", "http://*.example.com:8080"}, AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"X-Token"},
				ExposeHeaders: []string{"*"}, AllowCredentials: "on", MaxAge: 600},
			{AllowOrigins: []string{"https://example.org"}, AllowCredentials: "off", MaxAge: -1, AllowHeaders: []string{"*"}}}
		cc := valid[c.any(len(valid))]
		switch c.pick(12) {
		case 1:
			cc.AllowOrigins = nil
		case 2:
			cc.AllowOrigins = []string{c.oneOf("ftp://a.com", "https://a.com:0", "a.com", "https://", "https://A.com", "https://a_b.com", "https://*.a.com", "http://a.com/")}
		case 3:
			cc.AllowOrigins = []string{"*", "https://a.com"}
		case 4:
			cc.AllowMethods = []string{c.oneOf("get", "TRACE", "")}
		case 5:
			cc.AllowHeaders = []string{c.oneOf("a b", "", "X-Token", "*", "x.y")}
		case 6:
			cc.ExposeHeaders = []string{c.oneOf("a b", "", strings.Repeat("h", 41), "x.y")}
		case 7:
			cc.AllowCredentials = c.oneOf("yes", "ON", "true")
		case 8:
			cc.MaxAge = []int64{-2, 172801, 172800}[c.any(3)]
		case 9:
			cc.AllowHeaders = []string{"*", "X-Token"}
		case 10:
			cc.AllowMethods = []string{"GET", "GET"}
		case 11:
			cc.AllowOrigins = []string{"https://a.com", "https://a.com"}
		}
		return routing.Cors(cc)
	}
	return routing.Action{Type: t}
}

// actions returns the rule's actions: for a Request rule extension
// actions and a final one, numbered in order; for a Response rule
// InsertHeader and RemoveHeader actions.
func (g *ruleGen) actions() []routing.Action {
	c := g.c
	var acts []routing.Action
	if g.resp {
		for range 1 + c.any(2) {
			acts = append(acts, g.extension([]routing.ActionType{routing.ActionInsertHeader, routing.ActionRemoveHeader}[c.any(2)]))
		}
		if c.pick(5) == 1 {
			acts = append(acts, g.finalAction(false))
		}
	} else {
		exts := []routing.ActionType{routing.ActionRewrite, routing.ActionInsertHeader, routing.ActionRemoveHeader, routing.ActionTrafficLimit,
			routing.ActionTrafficMirror, routing.ActionCors}
		rewrite := false
		if g.standard {
			for range []int{0, 0, 1, 2}[c.any(4)] {
				t := exts[c.any(len(exts))]
				if t == routing.ActionRewrite && rewrite {
					continue
				}
				rewrite = rewrite || t == routing.ActionRewrite
				acts = append(acts, g.extension(t))
			}
		}
		if d := c.pick(5); d != 0 {
			acts = append(acts, g.extension(exts[c.any(len(exts))]))
		}
		acts = append(acts, g.finalAction(rewrite))
	}
	acts = routing.InOrder(acts...)
	switch c.pick(12) {
	case 1:
		acts = acts[:len(acts)-1] // no final action
	case 2:
		acts = routing.InOrder(append(acts, g.finalAction(false))...) // two
	case 3:
		if len(acts) > 1 {
			acts[0].Order, acts[len(acts)-1].Order = acts[len(acts)-1].Order, acts[0].Order // final not last
		}
	case 4:
		acts[0].Order = []int{0, 50001, -1, 50000}[c.any(4)]
	case 5:
		if len(acts) > 1 {
			acts[1].Order = acts[0].Order
		}
	case 6:
		acts[0].Type = routing.ActionType(c.oneOf("Forward", "forwardgroup", "", "Drop"))
	case 7:
		acts[len(acts)-1].Redirect = &routing.RedirectConfig{Protocol: "HTTPS"} // a second config
	case 8:
		a := routing.Action{Type: acts[len(acts)-1].Type, Order: acts[len(acts)-1].Order}
		acts[len(acts)-1] = a // no config
	case 9:
		acts = nil
	case 10:
		for range 4 {
			acts = append([]routing.Action{routing.InsertHeader(fmt.Sprintf("x-h%d", len(acts)), "v")}, acts...)
		}
		acts = routing.InOrder(acts...)
	case 11:
		acts = append([]routing.Action{routing.Rewrite(routing.RewriteConfig{Path: "/a"}), routing.Rewrite(routing.RewriteConfig{Path: "/b"})}, acts...)
		acts = routing.InOrder(acts...)
	}
	return acts
}

// FuzzRuleDifferential generates rules from the input bytes and checks
// that albkit's checks and the emulator agree. The first byte is the
// deviation rate: 0 yields valid rules.
func FuzzRuleDifferential(f *testing.F) {
	for _, seed := range [][]byte{{0}, {255}, []byte("\x30 rule differential seed"), []byte("\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"),
		[]byte("\x00\x00\x01\x04\x02\x02\x05\x01\x03\x00\x02\x01\x00\x04\x03")} {
		f.Add(seed)
	}
	w := newDiffWorld(f)
	w.seedRules(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		lsn, rules := genDiffRules(newChooser(data), w)
		o := w.runRules(t, lsn, rules)
		if d := ruleDisagreement(o); d != "" {
			t.Fatalf("%s\nrules: %s\n%s", d, rulesString(rules), o)
		}
		if d := ruleReadBackProblem(o); d != "" {
			t.Fatalf("%s\nrules: %s\n%s", d, rulesString(rules), o)
		}
	})
}

// TestRuleDifferentialRandom runs a deterministic batch of generated
// rules.
func TestRuleDifferentialRandom(t *testing.T) {
	n := 900
	if testing.Short() {
		n = 250
	}
	w := newDiffWorld(t)
	w.seedRules(t)
	rng := rand.New(rand.NewPCG(19, 2024))
	var accepted, facts, invalid, refusedBoth int
	seen := map[string]bool{}
	types := map[string]bool{}
	for i := range n {
		data := randomCase(rng, 48, 300, 20)
		lsn, rules := genDiffRules(newChooser(data), w)
		o := w.runRules(t, lsn, rules)
		d := ruleDisagreement(o)
		if d == "" {
			d = ruleReadBackProblem(o)
		}
		if d != "" {
			if kind := ruleKind(d, o); !seen[kind] {
				seen[kind] = true
				t.Errorf("input %d: %s\nrules: %s\n%s\nregression file for testdata/fuzz/FuzzRuleDifferential:\ngo test fuzz v1\n[]byte(%q)", i, d, rulesString(rules), o, data)
			}
			if len(seen) >= 20 {
				t.FailNow()
			}
			continue
		}
		switch {
		case len(o.local) == 0 && o.code == "OK":
			accepted++
			for _, r := range rules {
				for _, c := range r.Conditions {
					types["condition "+string(c.Type)+" on "+string(lsn.in.edition)] = true
				}
				for _, a := range r.Actions {
					types["action "+string(a.Type)+" on "+string(lsn.in.edition)] = true
				}
			}
		case len(o.local) == 0:
			facts++
		case o.code != "OK":
			refusedBoth++
			invalid++
		default:
			invalid++
		}
	}
	t.Logf("%d rule sets: %d accepted by both, %d locally valid and refused on facts, %d locally invalid (%d refused by the emulator too)", n, accepted, facts, invalid, refusedBoth)
	if accepted < n/5 || invalid < n/5 || facts == 0 || refusedBoth < n/10 {
		t.Errorf("generator is lopsided: %d accepted, %d refused on facts, %d locally invalid (%d refused by both) of %d", accepted, facts, invalid, refusedBoth, n)
	}
	// Valid rules cover every condition and action type on the editions
	// that offer them.
	for _, ed := range diffEditions {
		for _, ct := range routing.ConditionTypes() {
			if ed == alb.EditionBasic && !slices.Contains([]routing.ConditionType{routing.ConditionHost, routing.ConditionPath, routing.ConditionHeader}, ct) {
				continue
			}
			if !types["condition "+string(ct)+" on "+string(ed)] {
				t.Errorf("no accepted rule has a %s condition on %s", ct, ed)
			}
		}
		for _, at := range routing.ActionTypes() {
			if ed == alb.EditionBasic && at != routing.ActionForwardGroup {
				continue
			}
			if !types["action "+string(at)+" on "+string(ed)] {
				t.Errorf("no accepted rule has a %s action on %s", at, ed)
			}
		}
	}
}

// listenerOf returns the world's listener of protocol p on the instance
// of edition ed.
func (w *diffWorld) listenerOf(ed alb.Edition, p alb.ListenerProtocol) diffListener {
	for _, l := range w.ruleListeners(w.instances[ed]) {
		if l.spec.Protocol == p {
			return l
		}
	}
	panic("no " + string(p) + " listener")
}

// TestRulePolicyExceptionsAreReal shows that each listed exception is
// needed and narrow: rules breaking only that exception's rules are
// refused by albkit and created by the emulator (and read back fine).
// When the emulator starts refusing one, this test says to drop the
// exception.
func TestRulePolicyExceptionsAreReal(t *testing.T) {
	w := newDiffWorld(t)
	lsn := w.listenerOf(alb.EditionStandard, alb.ListenerHTTPS)
	fwd := routing.ForwardTo(w.groups.http)
	rule := func(conds ...routing.Condition) alb.RuleSpec {
		return alb.NewRuleSpec("r-web", 100, conds...).Then(fwd)
	}
	path := routing.Path("/x")
	cover := routing.InsertHeader("x-a", "1")
	cover.InsertHeader.CoverEnabled = true
	cases := map[string][][]alb.RuleSpec{
		alb.RuleListenerRuleInsertHeaderCover: {{alb.NewRuleSpec("r-web", 100, path).Then(cover, fwd)}},
		"unsent condition fields": {
			{rule(routing.Condition{Type: routing.ConditionHost, Key: "x-a", Values: []string{"www.example.com"}})},
			{rule(routing.Condition{Type: routing.ConditionHeader, Key: "x-a", Values: []string{"1"}, Pairs: []routing.KeyValue{routing.KV("a", "1")}})},
			{rule(routing.Condition{Type: routing.ConditionQueryString, Values: []string{"x"}, Pairs: []routing.KeyValue{routing.KV("a", "1")}})},
		},
		"unsent direction": {{func() alb.RuleSpec { r := rule(path); r.Direction = "request"; return r }()}},
		"empty list entries": {
			{rule(routing.Host("www.example.com", ""))},
			{alb.NewRuleSpec("r-web", 100, path).Then(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET", ""}, ExposeHeaders: []string{"", "x-a"}}), fwd)},
		},
		"Chinese characters in the name": {{func() alb.RuleSpec { r := rule(path); r.Name = "规则-1"; return r }()}},
		alb.RuleListenerRuleNameUnique:   {{rule(path), rule(routing.Path("/y")).WithPriority(101)}},
	}
	checkExceptionCases(t, rulePolicyExceptions, cases, func(rules []alb.RuleSpec) exceptionRun[alb.ListenerSpec] {
		o := w.runRules(t, lsn, rules)
		return exceptionRun[alb.ListenerSpec]{spec: o.spec, local: o.local, code: o.code, readBack: ruleReadBackProblem(o), outcome: o}
	})
	// The exceptions are narrow: the same rules elsewhere are refused by
	// both sides.
	for name, rules := range map[string][]alb.RuleSpec{
		"only an empty value":                      {rule(routing.Host(""))},
		"a Chinese name starting with a digit":     {func() alb.RuleSpec { r := rule(path); r.Name = "1规则"; return r }()},
		"a header without its key":                 {rule(routing.Header("", "1"))},
		"a query condition without pairs":          {rule(routing.Condition{Type: routing.ConditionQueryString, Values: []string{"x"}})},
		"an unknown direction with its conditions": {func() alb.RuleSpec { r := rule(routing.ResponseStatusCode("503")); r.Direction = "Both"; return r }()},
	} {
		o := w.runRules(t, lsn, rules)
		if len(o.local) == 0 || o.code == "OK" || ruleDisagreement(o) != "" {
			t.Errorf("%s: %s", name, o)
		}
	}
}

// TestRuleDifferentialRegressions pins what the rule differential test
// found or must keep finding: each side's answer is checked, not only
// their agreement.
func TestRuleDifferentialRegressions(t *testing.T) {
	w := newDiffWorld(t)
	w.seedRules(t)
	g := w.groups
	fwd := routing.ForwardTo(g.http)
	rule := func(conds ...routing.Condition) alb.RuleSpec {
		return alb.NewRuleSpec("r-web", 100, conds...).Then(fwd)
	}
	then := func(acts ...routing.Action) alb.RuleSpec {
		return alb.NewRuleSpec("r-web", 100, routing.Path("/x")).Then(acts...)
	}
	stdHTTP, stdHTTPS := w.listenerOf(alb.EditionStandard, alb.ListenerHTTP), w.listenerOf(alb.EditionStandard, alb.ListenerHTTPS)
	stdQUIC, basicHTTP := w.listenerOf(alb.EditionStandard, alb.ListenerQUIC), w.listenerOf(alb.EditionBasic, alb.ListenerHTTP)
	regex := routing.Path(`~^/api/(v[0-9]+)/(.*)$`)
	var twelve []alb.RuleSpec
	for i := range 12 {
		twelve = append(twelve, alb.NewRuleSpec(fmt.Sprintf("r%d", i), 200+i, routing.Path(fmt.Sprintf("/p%d", i))).Then(fwd))
	}
	six := make([]routing.Condition, 6)
	for i := range six {
		six[i] = routing.Path(fmt.Sprintf("/c%d", i))
	}
	cases := []struct {
		name  string
		lsn   diffListener
		rules []alb.RuleSpec
		rule  string // the local rule broken, "" when albkit accepts them
		code  string // the emulator's answer ("OK": created)
	}{
		// Both accept.
		{"every condition type", stdHTTPS, []alb.RuleSpec{rule(routing.Host("*.example.com"), routing.Path("/api/*"), routing.Header("X-Env", "blue"),
			routing.Query(routing.KV("page", "*")), routing.Method("GET", "POST"), routing.Cookie(routing.KV("ab", "1")), routing.SourceIP("10.0.0.0/8", "2408:4000::/32"))}, "", "OK"},
		{"a Response rule", stdHTTP, []alb.RuleSpec{alb.NewRuleSpec("resp", 100, routing.ResponseStatusCode("503"), routing.ResponseHeader("server", "nginx*")).
			Then(routing.InsertHeader("x-a", "1"), routing.RemoveHeader("server")).OnResponse()}, "", "OK"},
		{"twelve rules in two CreateRules calls", stdQUIC, twelve, "", "OK"},
		{"regex captures in a Rewrite", stdHTTPS, []alb.RuleSpec{alb.NewRuleSpec("cap", 100, regex).Then(routing.Rewrite(routing.RewriteConfig{Path: "/${1}/${2}"}), fwd)}, "", "OK"},
		{"mirror, limit and CORS before the forward", stdHTTPS, []alb.RuleSpec{then(routing.Mirror(g.http2), routing.TrafficLimit(100, 10),
			routing.Cors(routing.CorsConfig{AllowOrigins: []string{"https://a.example.com"}}), routing.Forward(routing.Weighted(g.http, 50), routing.Weighted(g.grpc, 50)).Sticky(0))}, "", "OK"},
		// Found by the differential test, fixed in the emulator.
		{"Rewrite path with ${protocol}", stdHTTPS, []alb.RuleSpec{then(routing.Rewrite(routing.RewriteConfig{Path: "/${protocol}/x"}), fwd)}, "", "OK"},
		{"Redirect query with ${path}", stdHTTP, []alb.RuleSpec{then(routing.Redirect(routing.RedirectConfig{Query: "p=${path}"}))}, routing.RuleActionVariables, "InvalidParameter"},
		{"host regex with braces", stdHTTP, []alb.RuleSpec{rule(routing.Host(`~^a{2,3}\.com$`))}, routing.RuleConditionRegexFormat, "InvalidParameter"},
		{"path regex with ';'", stdHTTP, []alb.RuleSpec{rule(routing.Path("~/a;b"))}, routing.RuleConditionRegexFormat, "InvalidParameter"},
		{"header values equal but for case", stdHTTP, []alb.RuleSpec{rule(routing.Header("x-env", "blue", "Blue"))}, routing.RuleConditionValueUnique, "InvalidParameter"},
		{"CORS headers: '*' beside a name", stdHTTP, []alb.RuleSpec{then(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"*"}, AllowHeaders: []string{"*", "X-Token"}}), fwd)}, "", "OK"},
		// Found by fuzzing, fixed in routing.
		{"path regex of nothing (\"~*\")", stdHTTP, []alb.RuleSpec{rule(routing.Path("/a", "~*"))}, routing.RuleConditionRegexFormat, "InvalidParameter"},
		{"Rewrite that sets nothing (no RewriteConfig on the wire)", stdHTTPS, []alb.RuleSpec{then(routing.Rewrite(routing.RewriteConfig{}), fwd)}, routing.RuleActionConfig, "MissingParameter"},
		{"source IP with an IPv6 zone", stdHTTP, []alb.RuleSpec{rule(routing.SourceIP("fe80::1%eth0"))}, routing.RuleConditionSourceIPFormat, "InvalidParameter"},
		// Both refuse: the listener and the edition.
		{"redirect to HTTP from HTTPS", stdHTTPS, []alb.RuleSpec{then(routing.Redirect(routing.RedirectConfig{Protocol: "HTTP"}))}, routing.RuleActionRedirectProtocol, "InvalidParameter"},
		{"gRPC group behind HTTP", stdHTTP, []alb.RuleSpec{then(routing.ForwardTo(g.grpc))}, alb.RuleListenerServerGroupProtocol, "Mismatch.ServerGroupProtocol"},
		{"mirror to another VPC", stdHTTP, []alb.RuleSpec{then(routing.Mirror(g.otherVPC), fwd)}, alb.RuleListenerServerGroupVPC, "Mismatch.VpcId"},
		{"Cookie condition on Basic", basicHTTP, []alb.RuleSpec{rule(routing.Cookie(routing.KV("a", "1")))}, routing.RuleEditionConditionType, "OperationDenied.LoadBalancerEdition"},
		{"Response rule on Basic", basicHTTP, []alb.RuleSpec{alb.NewRuleSpec("resp", 100, routing.Path("/x")).Then(routing.RemoveHeader("server")).OnResponse()},
			routing.RuleEditionResponseRules, "OperationDenied.LoadBalancerEdition"},
		{"six conditions on Basic", basicHTTP, []alb.RuleSpec{rule(six...)}, routing.RuleEditionConditionsMax, "QuotaExceeded.RuleConditionsNum"},
		{"slow-start group on Basic", basicHTTP, []alb.RuleSpec{then(routing.ForwardTo(g.slow))}, alb.RuleServerGroupSlowStartEdition, "OperationDenied.LoadBalancerEdition"},
		{"final action not last", stdHTTP, []alb.RuleSpec{{Name: "r-web", Priority: 100, Conditions: []routing.Condition{routing.Path("/x")},
			Actions: []routing.Action{func() routing.Action { a := fwd; a.Order = 2; return a }(), func() routing.Action { a := routing.InsertHeader("x-a", "1"); a.Order = 3; return a }()}}},
			routing.RuleActionFinalLast, "IllegalParam.Order"},
		{"two rules at one priority", stdHTTP, []alb.RuleSpec{rule(routing.Path("/a")), alb.NewRuleSpec("r-two", 100, routing.Path("/b")).Then(fwd)},
			routing.RulePriorityUnique, "DuplicatedParam.Priority"},
		// Facts CheckListener is not given.
		{"priority held by a rule the spec does not manage", stdHTTP, []alb.RuleSpec{rule(routing.Path("/x")).WithPriority(1)}, "", "Conflict.Priority"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := w.runRules(t, c.lsn, c.rules)
			if d := ruleDisagreement(o); d != "" {
				t.Fatalf("%s\n%s", d, o)
			}
			if d := ruleReadBackProblem(o); d != "" {
				t.Fatal(d)
			}
			switch {
			case c.rule == "" && len(o.local) > 0:
				t.Errorf("albkit refused them: %s", fieldErrorsString(o.local))
			case c.rule != "" && !hasFieldRule(o.local, c.rule):
				t.Errorf("albkit did not report %s: %s", c.rule, fieldErrorsString(o.local))
			}
			if o.code != c.code {
				t.Errorf("the emulator answered %s", o)
			}
		})
	}
}

// TestRuleDisagreementClassifier checks the verdicts the rule
// differential test relies on, on hand-made outcomes.
func TestRuleDisagreementClassifier(t *testing.T) {
	spec := alb.NewListenerSpec("alb-1", alb.ListenerHTTPS, 443, "sgp-1").WithCertificate("1")
	rspec := spec.WithRules(alb.RuleSpec{Name: "r", Conditions: []routing.Condition{routing.Host("a.example.com", "")}})
	for i, c := range []struct {
		o     ruleOutcome
		agree bool
	}{
		{ruleOutcome{spec: rspec, code: "Conflict.Priority"}, true},
		{ruleOutcome{spec: rspec, code: "DuplicatedParam.Priority"}, false},
		{ruleOutcome{spec: rspec, local: []*alb.FieldError{{Field: "Rules[0].Conditions[0].Values[1]", Rule: routing.RuleConditionHostFormat}}, code: "OK"}, true},
		{ruleOutcome{spec: rspec, local: []*alb.FieldError{{Field: "Rules[0].Conditions[0].Values[0]", Rule: routing.RuleConditionHostFormat}}, code: "OK"}, false},
		{ruleOutcome{spec: rspec, local: []*alb.FieldError{{Field: "Rules[0].Conditions[0]", Rule: routing.RuleConditionValues}}, code: "OK"}, true},
		{ruleOutcome{spec: rspec, local: []*alb.FieldError{{Field: "Rules[0].Conditions[0].Values", Rule: routing.RuleConditionValues}}, code: "OK"}, false},
	} {
		if got := ruleDisagreement(c.o) == ""; got != c.agree {
			t.Errorf("rule case %d: agree = %v, want %v for %s", i, got, c.agree, c.o)
		}
	}
}
