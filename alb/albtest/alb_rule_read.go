package albtest

import (
	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/routing"
)

// How ListRules shows a rule. The Terraform provider's alicloud_alb_rule
// turns every config object of a condition or an action into a block (one
// block per non-empty object, with no check for null), so each condition
// and each action carries exactly its own type's config, and a config
// carries the fields the request gave:
//
//   - Redirect and Rewrite fields only when given (GUESS: the provider
//     reads them into fields that are not Computed, so defaults such as
//     ${host} would be changes the user never asked for);
//   - a ForwardGroup's tuples always with their Weight (100 when none was
//     given, the API default) and ServerGroupStickySession only when the
//     request gave it (GUESS);
//   - a TrafficLimit's QPS and PerIpQps, a Cors MaxAge, and FixedResponse
//     ContentType and Content only when set;
//   - a TrafficMirror's TargetType always (ForwardGroupMirror, the only
//     one) and its groups without weights.

// listItem is the rule as ListRules shows it.
func (r *ruleState) listItem() *albsdk.ListRulesResponseBodyRules {
	ru := r.rule
	item := &albsdk.ListRulesResponseBodyRules{
		RuleId: sp(r.id), RuleName: sp(ru.Name), ListenerId: sp(r.lsnID), LoadBalancerId: sp(r.lbID),
		Priority: int32Ptr(int32(ru.Priority)), Direction: sp(string(dirOf(ru))), RuleStatus: sp(r.status),
		RuleConditions: []*albsdk.ListRulesResponseBodyRulesRuleConditions{}, RuleActions: []*albsdk.ListRulesResponseBodyRulesRuleActions{},
	}
	for _, c := range ru.Conditions {
		item.RuleConditions = append(item.RuleConditions, conditionJSON(c))
	}
	for i, a := range ru.Actions {
		item.RuleActions = append(item.RuleActions, actionJSON(a, i < len(r.sticky) && r.sticky[i]))
	}
	for _, t := range r.tags {
		item.Tags = append(item.Tags, &albsdk.ListRulesResponseBodyRulesTags{Key: sp(t.k), Value: sp(t.v)})
	}
	return item
}

func strPtrs(vs []string) []*string {
	out := make([]*string, len(vs))
	for i := range vs {
		out[i] = sp(vs[i])
	}
	return out
}

func conditionJSON(c routing.Condition) *albsdk.ListRulesResponseBodyRulesRuleConditions {
	out := &albsdk.ListRulesResponseBodyRulesRuleConditions{Type: sp(string(c.Type))}
	vals := strPtrs(c.Values)
	switch c.Type {
	case routing.ConditionHost:
		out.HostConfig = &albsdk.ListRulesResponseBodyRulesRuleConditionsHostConfig{Values: vals}
	case routing.ConditionPath:
		out.PathConfig = &albsdk.ListRulesResponseBodyRulesRuleConditionsPathConfig{Values: vals}
	case routing.ConditionHeader:
		out.HeaderConfig = &albsdk.ListRulesResponseBodyRulesRuleConditionsHeaderConfig{Key: sp(c.Key), Values: vals}
	case routing.ConditionMethod:
		out.MethodConfig = &albsdk.ListRulesResponseBodyRulesRuleConditionsMethodConfig{Values: vals}
	case routing.ConditionSourceIP:
		out.SourceIpConfig = &albsdk.ListRulesResponseBodyRulesRuleConditionsSourceIpConfig{Values: vals}
	case routing.ConditionResponseHeader:
		out.ResponseHeaderConfig = &albsdk.ListRulesResponseBodyRulesRuleConditionsResponseHeaderConfig{Key: sp(c.Key), Values: vals}
	case routing.ConditionResponseStatusCode:
		out.ResponseStatusCodeConfig = &albsdk.ListRulesResponseBodyRulesRuleConditionsResponseStatusCodeConfig{Values: vals}
	case routing.ConditionQueryString:
		qs := &albsdk.ListRulesResponseBodyRulesRuleConditionsQueryStringConfig{Values: []*albsdk.ListRulesResponseBodyRulesRuleConditionsQueryStringConfigValues{}}
		for _, kv := range c.Pairs {
			qs.Values = append(qs.Values, &albsdk.ListRulesResponseBodyRulesRuleConditionsQueryStringConfigValues{Key: sp(kv.Key), Value: sp(kv.Value)})
		}
		out.QueryStringConfig = qs
	case routing.ConditionCookie:
		ck := &albsdk.ListRulesResponseBodyRulesRuleConditionsCookieConfig{Values: []*albsdk.ListRulesResponseBodyRulesRuleConditionsCookieConfigValues{}}
		for _, kv := range c.Pairs {
			ck.Values = append(ck.Values, &albsdk.ListRulesResponseBodyRulesRuleConditionsCookieConfigValues{Key: sp(kv.Key), Value: sp(kv.Value)})
		}
		out.CookieConfig = ck
	}
	return out
}

func actionJSON(a routing.Action, sticky bool) *albsdk.ListRulesResponseBodyRulesRuleActions {
	out := &albsdk.ListRulesResponseBodyRulesRuleActions{Type: sp(string(a.Type)), Order: int32Ptr(int32(a.Order))}
	switch a.Type {
	case routing.ActionForwardGroup:
		fg := &albsdk.ListRulesResponseBodyRulesRuleActionsForwardGroupConfig{
			ServerGroupTuples: []*albsdk.ListRulesResponseBodyRulesRuleActionsForwardGroupConfigServerGroupTuples{},
		}
		for _, t := range a.ForwardGroup.ServerGroups {
			fg.ServerGroupTuples = append(fg.ServerGroupTuples, &albsdk.ListRulesResponseBodyRulesRuleActionsForwardGroupConfigServerGroupTuples{
				ServerGroupId: sp(t.ServerGroupID), Weight: int32Ptr(int32(t.Weight)),
			})
		}
		if sticky {
			ss := a.ForwardGroup.StickySession
			fg.ServerGroupStickySession = &albsdk.ListRulesResponseBodyRulesRuleActionsForwardGroupConfigServerGroupStickySession{Enabled: boolPtr(ss.Enabled)}
			if ss.Enabled {
				fg.ServerGroupStickySession.Timeout = int32Ptr(int32(max(ss.Timeout, 0)))
				if ss.Timeout == 0 {
					fg.ServerGroupStickySession.Timeout = int32Ptr(routing.DefaultStickyTimeout)
				}
			}
		}
		out.ForwardGroupConfig = fg
	case routing.ActionRedirect:
		c := a.Redirect
		out.RedirectConfig = &albsdk.ListRulesResponseBodyRulesRuleActionsRedirectConfig{
			Host: optStr(c.Host), HttpCode: optStr(c.HTTPCode), Path: optStr(c.Path), Port: optStr(c.Port), Protocol: optStr(c.Protocol), Query: optStr(c.Query),
		}
	case routing.ActionFixedResponse:
		c := a.FixedResponse
		out.FixedResponseConfig = &albsdk.ListRulesResponseBodyRulesRuleActionsFixedResponseConfig{
			HttpCode: sp(c.HTTPCode), ContentType: optStr(c.ContentType), Content: optStr(c.Content),
		}
	case routing.ActionRewrite:
		c := a.Rewrite
		out.RewriteConfig = &albsdk.ListRulesResponseBodyRulesRuleActionsRewriteConfig{Host: optStr(c.Host), Path: optStr(c.Path), Query: optStr(c.Query)}
	case routing.ActionInsertHeader:
		c := a.InsertHeader
		out.InsertHeaderConfig = &albsdk.ListRulesResponseBodyRulesRuleActionsInsertHeaderConfig{Key: sp(c.Key), Value: sp(c.Value), ValueType: sp(string(c.ValueType))}
	case routing.ActionRemoveHeader:
		out.RemoveHeaderConfig = &albsdk.ListRulesResponseBodyRulesRuleActionsRemoveHeaderConfig{Key: sp(a.RemoveHeader.Key)}
	case routing.ActionTrafficLimit:
		c := a.TrafficLimit
		tl := &albsdk.ListRulesResponseBodyRulesRuleActionsTrafficLimitConfig{}
		if c.QPS > 0 {
			tl.QPS = int32Ptr(int32(c.QPS))
		}
		if c.PerIPQPS > 0 {
			tl.PerIpQps = int32Ptr(int32(c.PerIPQPS))
		}
		out.TrafficLimitConfig = tl
	case routing.ActionTrafficMirror:
		tuples := []*albsdk.ListRulesResponseBodyRulesRuleActionsTrafficMirrorConfigMirrorGroupConfigServerGroupTuples{}
		for _, g := range a.TrafficMirror.ServerGroupIDs {
			tuples = append(tuples, &albsdk.ListRulesResponseBodyRulesRuleActionsTrafficMirrorConfigMirrorGroupConfigServerGroupTuples{ServerGroupId: sp(g)})
		}
		out.TrafficMirrorConfig = &albsdk.ListRulesResponseBodyRulesRuleActionsTrafficMirrorConfig{
			TargetType:        sp(or(a.TrafficMirror.TargetType, routing.MirrorTarget)),
			MirrorGroupConfig: &albsdk.ListRulesResponseBodyRulesRuleActionsTrafficMirrorConfigMirrorGroupConfig{ServerGroupTuples: tuples},
		}
	case routing.ActionCors:
		c := a.Cors
		cj := &albsdk.ListRulesResponseBodyRulesRuleActionsCorsConfig{
			AllowOrigin: strPtrs(c.AllowOrigins), AllowMethods: strPtrs(c.AllowMethods), AllowHeaders: strPtrs(c.AllowHeaders),
			ExposeHeaders: strPtrs(c.ExposeHeaders), AllowCredentials: optStr(c.AllowCredentials),
		}
		if c.MaxAge != 0 {
			cj.MaxAge = int64Ptr(c.MaxAge)
		}
		out.CorsConfig = cj
	}
	return out
}
