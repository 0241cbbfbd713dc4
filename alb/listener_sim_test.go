package alb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/routing"
)

// lsnSim is an in-memory listener, its certificates and rules, changed only
// through the requests albkit builds (decoded as the service would), so a
// plan applied to it tests the plan, the request builders and the
// read-back converters together.
type lsnSim struct {
	body   *albsdk.GetListenerAttributeResponseBody // nil: no listener
	certs  []ListenerCertificate
	rules  []Rule
	nextID int
}

// simListener returns a listener created from spec as the service reports
// it: the create request decoded, with the service's defaults filled in.
func simListener(t testing.TB, spec ListenerSpec) *lsnSim {
	t.Helper()
	s := &lsnSim{}
	s.create(t, spec)
	return s
}

func (s *lsnSim) listener() *Listener {
	if s.body == nil {
		return nil
	}
	return listenerFromSDK(s.body)
}

func reencode(t testing.TB, from, to any) {
	t.Helper()
	b, err := json.Marshal(from)
	if err == nil {
		err = json.Unmarshal(b, to)
	}
	if err != nil {
		t.Fatalf("re-encoding %T: %v", from, err)
	}
}

func (s *lsnSim) create(t testing.TB, spec ListenerSpec) {
	req := spec.createListenerRequest("tok", "tok", false)
	b := &albsdk.GetListenerAttributeResponseBody{}
	reencode(t, req, b)
	b.ListenerId, b.ListenerStatus = dara.String("lsn-sim"), dara.String("Running")
	if b.IdleTimeout == nil {
		b.IdleTimeout = dara.Int32(DefaultIdleTimeoutSeconds)
	}
	if b.RequestTimeout == nil {
		b.RequestTimeout = dara.Int32(DefaultRequestTimeoutSeconds)
	}
	if b.GzipEnabled == nil {
		b.GzipEnabled = dara.Bool(true)
	}
	if b.Http2Enabled == nil {
		b.Http2Enabled = dara.Bool(true)
	}
	if b.SecurityPolicyId == nil && spec.Protocol == ListenerHTTPS {
		b.SecurityPolicyId = dara.String(DefaultSecurityPolicyID)
	}
	if b.XForwardedForConfig == nil {
		b.XForwardedForConfig = &albsdk.GetListenerAttributeResponseBodyXForwardedForConfig{}
	}
	if spec.Protocol != ListenerQUIC {
		if b.XForwardedForConfig.XForwardedForEnabled == nil {
			b.XForwardedForConfig.XForwardedForEnabled = dara.Bool(true)
		}
		if b.XForwardedForConfig.XForwardedForProcessingMode == nil {
			b.XForwardedForConfig.XForwardedForProcessingMode = dara.String("append")
		}
	}
	for _, tg := range req.Tag {
		b.Tags = append(b.Tags, &albsdk.GetListenerAttributeResponseBodyTags{Key: tg.Key, Value: tg.Value})
	}
	s.body = b
}

// update applies an UpdateListenerAttribute request: every field it
// carries replaces the listener's, X-Forwarded-* subfield by subfield.
func (s *lsnSim) update(t testing.TB, req *albsdk.UpdateListenerAttributeRequest) {
	var u albsdk.GetListenerAttributeResponseBody
	reencode(t, req, &u)
	b := s.body
	set := func(dst, src any) {
		if !isNilAny(src) {
			reencode(t, src, dst)
		}
	}
	set(&b.ListenerDescription, u.ListenerDescription)
	set(&b.DefaultActions, u.DefaultActions)
	set(&b.IdleTimeout, u.IdleTimeout)
	set(&b.RequestTimeout, u.RequestTimeout)
	set(&b.GzipEnabled, u.GzipEnabled)
	set(&b.Http2Enabled, u.Http2Enabled)
	set(&b.SecurityPolicyId, u.SecurityPolicyId)
	set(&b.Certificates, u.Certificates)
	if u.CaEnabled != nil {
		b.CaEnabled, b.CaCertificates = u.CaEnabled, u.CaCertificates
	}
	if u.QuicConfig != nil {
		b.QuicConfig = u.QuicConfig
	}
	if x := u.XForwardedForConfig; x != nil {
		var have, patch map[string]any
		reencode(t, b.XForwardedForConfig, &have)
		reencode(t, x, &patch)
		if have == nil {
			have = map[string]any{}
		}
		for k, v := range patch {
			have[k] = v
		}
		b.XForwardedForConfig = &albsdk.GetListenerAttributeResponseBodyXForwardedForConfig{}
		reencode(t, have, b.XForwardedForConfig)
	}
}

func isNilAny(v any) bool {
	b, _ := json.Marshal(v)
	return string(b) == "null"
}

// applyRule applies one rule item of a CreateRules, UpdateRulesAttribute
// or DeleteRules request and checks the priorities stay unique per
// direction.
func (s *lsnSim) applyRule(t testing.TB, action string, item any) error {
	switch action {
	case "CreateRules":
		var b albsdk.ListRulesResponseBodyRules
		reencode(t, item, &b)
		s.nextID++
		b.RuleId, b.ListenerId, b.RuleStatus = dara.String(fmt.Sprintf("rule-%d", s.nextID)), dara.String("lsn-sim"), dara.String("Available")
		s.rules = append(s.rules, ruleFromSDK(&b))
	case "UpdateRulesAttribute":
		it := item.(*albsdk.UpdateRulesAttributeRequestRules)
		i := slices.IndexFunc(s.rules, func(r Rule) bool { return r.ID == tea.StringValue(it.RuleId) })
		if i < 0 {
			return fmt.Errorf("update of unknown rule %s", tea.StringValue(it.RuleId))
		}
		var b albsdk.ListRulesResponseBodyRules
		reencode(t, it, &b)
		got := ruleFromSDK(&b)
		if it.Priority != nil {
			s.rules[i].Priority = got.Priority
		}
		if it.RuleConditions != nil {
			s.rules[i].Conditions = got.Conditions
		}
		if it.RuleActions != nil {
			s.rules[i].Actions = got.Actions
		}
		if it.RuleName != nil {
			s.rules[i].Name = got.Name
		}
	case "DeleteRules":
		id := item.(string)
		i := slices.IndexFunc(s.rules, func(r Rule) bool { return r.ID == id })
		if i < 0 {
			return fmt.Errorf("delete of unknown rule %s", id)
		}
		s.rules = slices.Delete(s.rules, i, i+1)
	}
	seen := map[string]string{}
	for _, r := range s.rules {
		k := fmt.Sprintf("%s/%d", r.direction(), r.Priority)
		if other, dup := seen[k]; dup {
			return fmt.Errorf("priority %s of %s is also %s's (the service refuses it)", k, r.Name, other)
		}
		seen[k] = r.Name
	}
	return nil
}

// apply runs the plan's calls against the simulation, calling check after
// every single rule write and every other call.
func (s *lsnSim) apply(t testing.TB, spec ListenerSpec, p *ListenerPlan, check func(at string)) error {
	t.Helper()
	for ci, c := range p.CallList() {
		at := fmt.Sprintf("call %d %s", ci, c.Action)
		switch c.Action {
		case "CreateListener":
			s.create(t, spec)
		case "UpdateListenerAttribute":
			s.update(t, p.updateRequest(c, "tok", false))
		case "AssociateAdditionalCertificatesWithListener":
			req := associateCertificatesRequest("lsn-sim", c.CertificateIDs, "", false)
			for _, cert := range req.Certificates {
				s.certs = append(s.certs, ListenerCertificate{ID: tea.StringValue(cert.CertificateId), Type: CertificateServer, Status: CertificateAssociated})
			}
		case "DissociateAdditionalCertificatesFromListener":
			req := dissociateCertificatesRequest("lsn-sim", c.CertificateIDs, "", false)
			for _, cert := range req.Certificates {
				s.certs = slices.DeleteFunc(s.certs, func(x ListenerCertificate) bool { return x.ID == tea.StringValue(cert.CertificateId) })
			}
		case "CreateRules", "UpdateRulesAttribute", "DeleteRules":
			var items []any
			switch req := ruleCallRequest("lsn-sim", c, "tok", false).(type) {
			case *albsdk.CreateRulesRequest:
				for _, it := range req.Rules {
					items = append(items, it)
				}
			case *albsdk.UpdateRulesAttributeRequest:
				for _, it := range req.Rules {
					items = append(items, it)
				}
			case *albsdk.DeleteRulesRequest:
				for _, id := range req.RuleIds {
					items = append(items, tea.StringValue(id))
				}
			}
			if len(items) != len(c.Rules) {
				return fmt.Errorf("%s: %d items for %d steps", at, len(items), len(c.Rules))
			}
			for i, it := range items {
				if err := s.applyRule(t, c.Action, it); err != nil {
					return fmt.Errorf("%s item %d (%s): %w", at, i, c.Rules[i], err)
				}
				check(fmt.Sprintf("%s item %d (%s)", at, i, c.Rules[i]))
			}
			continue
		default:
			return fmt.Errorf("unknown call %s", c.Action)
		}
		check(at)
	}
	return nil
}

// routingVocabulary are the requests and responses the property test
// decides: every combination of the hosts, paths, methods and x-env
// headers its rules use, and the response codes.
func routingVocabulary() ([]*routing.Request, []*routing.Response) {
	var reqs []*routing.Request
	for _, h := range []string{"a.example.com", "b.example.com", "c.other.com"} {
		for _, p := range []string{"/a", "/a/x", "/b", "/c"} {
			for _, m := range []string{"GET", "POST"} {
				for _, env := range []string{"", "blue", "green"} {
					hd := http.Header{}
					if env != "" {
						hd.Set("X-Env", env)
					}
					reqs = append(reqs, &routing.Request{Method: m, Host: h, Path: p, Header: hd})
				}
			}
		}
	}
	var resps []*routing.Response
	for _, code := range []int{200, 404, 503} {
		resps = append(resps, &routing.Response{StatusCode: code, Header: http.Header{}})
	}
	return reqs, resps
}

// contentID names a rule by its name and content, so two versions of one
// rule decide differently.
func contentID(r RuleSpec) string {
	return r.Name + "|" + conditionsKey(r.Conditions) + "|" + actionsKey(r.Actions)
}

// decisions decides every request (and response) of the vocabulary
// against rules and the default action: the matching rule's content ID,
// or the default action's groups.
func decisions(t testing.TB, rules []RuleSpec, def []string) []string {
	t.Helper()
	tbl := routing.Table{Protocol: "HTTP", Port: 80, Default: def}
	if len(def) == 0 {
		tbl.Default = []string{"none"}
	}
	for _, r := range rules {
		rr := r.routing()
		rr.ID = contentID(r)
		tbl.Rules = append(tbl.Rules, rr)
	}
	router, err := routing.Compile(tbl)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	reqs, resps := routingVocabulary()
	var out []string
	for _, rq := range reqs {
		d := router.Decide(rq)
		if d.Default {
			out = append(out, "default:"+strings.Join(sortedCopy(def), ","))
		} else {
			out = append(out, d.Rule)
		}
		for _, rs := range resps {
			out = append(out, "response:"+router.DecideResponse(rq, rs).Rule)
		}
	}
	return out
}

func ruleSpecs(rules []Rule) []RuleSpec {
	out := make([]RuleSpec, len(rules))
	for i, r := range rules {
		out[i] = r.RuleSpec
	}
	return out
}
