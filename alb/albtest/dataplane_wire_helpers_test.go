package albtest_test

import (
	"encoding/json"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/routing"
)

// Rules are written in the routing package's model and sent through the
// official SDK: wireRule turns one into the wire form of RuleConditions
// and RuleActions, which decodes into any of the SDK's rule requests.

func wireCondition(c routing.Condition) map[string]any {
	m := map[string]any{"Type": string(c.Type)}
	pairs := func() []map[string]string {
		var out []map[string]string
		for _, p := range c.Pairs {
			out = append(out, map[string]string{"Key": p.Key, "Value": p.Value})
		}
		return out
	}
	switch c.Type {
	case routing.ConditionHeader, routing.ConditionResponseHeader:
		m[string(c.Type)+"Config"] = map[string]any{"Key": c.Key, "Values": c.Values}
	case routing.ConditionQueryString, routing.ConditionCookie:
		m[string(c.Type)+"Config"] = map[string]any{"Values": pairs()}
	default:
		m[string(c.Type)+"Config"] = map[string]any{"Values": c.Values}
	}
	return m
}

func wireAction(a routing.Action) map[string]any {
	m := map[string]any{"Type": string(a.Type), "Order": a.Order}
	set := func(cfg map[string]any, k, v string) {
		if v != "" {
			cfg[k] = v
		}
	}
	switch {
	case a.ForwardGroup != nil:
		var tuples []map[string]any
		for _, t := range a.ForwardGroup.ServerGroups {
			tuples = append(tuples, map[string]any{"ServerGroupId": t.ServerGroupID, "Weight": t.Weight})
		}
		cfg := map[string]any{"ServerGroupTuples": tuples}
		if ss := a.ForwardGroup.StickySession; ss.Enabled {
			cfg["ServerGroupStickySession"] = map[string]any{"Enabled": true, "Timeout": ss.Timeout}
		}
		m["ForwardGroupConfig"] = cfg
	case a.Redirect != nil:
		cfg := map[string]any{}
		r := a.Redirect
		set(cfg, "HttpCode", r.HTTPCode)
		set(cfg, "Protocol", r.Protocol)
		set(cfg, "Host", r.Host)
		set(cfg, "Port", r.Port)
		set(cfg, "Path", r.Path)
		set(cfg, "Query", r.Query)
		m["RedirectConfig"] = cfg
	case a.FixedResponse != nil:
		m["FixedResponseConfig"] = map[string]any{"HttpCode": a.FixedResponse.HTTPCode, "ContentType": a.FixedResponse.ContentType, "Content": a.FixedResponse.Content}
	case a.Rewrite != nil:
		cfg := map[string]any{}
		set(cfg, "Host", a.Rewrite.Host)
		set(cfg, "Path", a.Rewrite.Path)
		set(cfg, "Query", a.Rewrite.Query)
		m["RewriteConfig"] = cfg
	case a.InsertHeader != nil:
		cfg := map[string]any{"Key": a.InsertHeader.Key, "Value": a.InsertHeader.Value, "ValueType": string(a.InsertHeader.ValueType)}
		if a.InsertHeader.CoverEnabled {
			cfg["CoverEnabled"] = true
		}
		m["InsertHeaderConfig"] = cfg
	case a.RemoveHeader != nil:
		m["RemoveHeaderConfig"] = map[string]any{"Key": a.RemoveHeader.Key}
	case a.TrafficLimit != nil:
		cfg := map[string]any{}
		if a.TrafficLimit.QPS > 0 {
			cfg["QPS"] = a.TrafficLimit.QPS
		}
		if a.TrafficLimit.PerIPQPS > 0 {
			cfg["PerIpQps"] = a.TrafficLimit.PerIPQPS
		}
		m["TrafficLimitConfig"] = cfg
	case a.TrafficMirror != nil:
		var tuples []map[string]any
		for _, g := range a.TrafficMirror.ServerGroupIDs {
			tuples = append(tuples, map[string]any{"ServerGroupId": g})
		}
		m["TrafficMirrorConfig"] = map[string]any{"TargetType": routing.MirrorTarget, "MirrorGroupConfig": map[string]any{"ServerGroupTuples": tuples}}
	case a.Cors != nil:
		c := a.Cors
		cfg := map[string]any{"AllowOrigin": c.AllowOrigins, "AllowMethods": c.AllowMethods}
		if len(c.AllowHeaders) > 0 {
			cfg["AllowHeaders"] = c.AllowHeaders
		}
		if len(c.ExposeHeaders) > 0 {
			cfg["ExposeHeaders"] = c.ExposeHeaders
		}
		set(cfg, "AllowCredentials", c.AllowCredentials)
		if c.MaxAge != 0 {
			cfg["MaxAge"] = c.MaxAge
		}
		m["CorsConfig"] = cfg
	}
	return m
}

// wireInto fills dst (an SDK rule request) with r's name, priority,
// direction, conditions and actions.
func wireInto(t testing.TB, r routing.Rule, dst any) {
	t.Helper()
	var conds, acts []map[string]any
	for _, c := range r.Conditions {
		conds = append(conds, wireCondition(c))
	}
	for _, a := range r.Actions {
		acts = append(acts, wireAction(a))
	}
	m := map[string]any{"RuleName": r.Name, "Priority": r.Priority, "RuleConditions": conds, "RuleActions": acts}
	if r.Direction != "" {
		m["Direction"] = string(r.Direction)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		t.Fatalf("wire form of %s: %v", r.Name, err)
	}
}

// addRule creates r on listener through the SDK and waits until it is
// Available; it returns the RuleId.
func addRule(t testing.TB, c *albsdk.Client, listener string, r routing.Rule) string {
	t.Helper()
	req := &albsdk.CreateRuleRequest{ListenerId: dara.String(listener)}
	wireInto(t, r, req)
	resp, err := c.CreateRule(req)
	if err != nil {
		t.Fatalf("CreateRule %s: %v", r.Name, err)
	}
	id := dara.StringValue(resp.Body.RuleId)
	waitRule(t, c, id, string(r.Direction), "Available")
	return id
}

// changeRule sends UpdateRuleAttribute with r's name, priority, conditions
// and actions (it does not wait).
func changeRule(t testing.TB, c *albsdk.Client, id string, r routing.Rule) {
	t.Helper()
	req := &albsdk.UpdateRuleAttributeRequest{RuleId: dara.String(id)}
	r.Direction = ""
	wireInto(t, r, req)
	if _, err := c.UpdateRuleAttribute(req); err != nil {
		t.Fatalf("UpdateRuleAttribute %s: %v", id, err)
	}
}
