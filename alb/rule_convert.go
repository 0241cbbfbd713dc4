package alb

import (
	"slices"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/routing"
)

// Conversions between package routing's rule model and the SDK. Every
// operation's RuleConditions.N and RuleActions.N have the same JSON shape
// (CreateRule, CreateRules, UpdateRuleAttribute, UpdateRulesAttribute,
// ListRules), so one wire form converts into each with convert.

type valuesW struct {
	Values []string `json:"Values,omitempty"`
}

type keyValuesW struct {
	Key    *string  `json:"Key,omitempty"`
	Values []string `json:"Values,omitempty"`
}

type kvW struct {
	Key   *string `json:"Key,omitempty"`
	Value *string `json:"Value,omitempty"`
}

type pairsW struct {
	Values []kvW `json:"Values,omitempty"`
}

// conditionW is RuleConditions.N on the wire.
type conditionW struct {
	Type                     *string     `json:"Type,omitempty"`
	HostConfig               *valuesW    `json:"HostConfig,omitempty"`
	PathConfig               *valuesW    `json:"PathConfig,omitempty"`
	MethodConfig             *valuesW    `json:"MethodConfig,omitempty"`
	SourceIpConfig           *valuesW    `json:"SourceIpConfig,omitempty"`
	ResponseStatusCodeConfig *valuesW    `json:"ResponseStatusCodeConfig,omitempty"`
	HeaderConfig             *keyValuesW `json:"HeaderConfig,omitempty"`
	ResponseHeaderConfig     *keyValuesW `json:"ResponseHeaderConfig,omitempty"`
	QueryStringConfig        *pairsW     `json:"QueryStringConfig,omitempty"`
	CookieConfig             *pairsW     `json:"CookieConfig,omitempty"`
}

type tupleW struct {
	ServerGroupId *string `json:"ServerGroupId,omitempty"`
	Weight        *int32  `json:"Weight,omitempty"`
}

type stickyGroupW struct {
	Enabled *bool  `json:"Enabled,omitempty"`
	Timeout *int32 `json:"Timeout,omitempty"`
}

type forwardW struct {
	ServerGroupTuples        []tupleW      `json:"ServerGroupTuples,omitempty"`
	ServerGroupStickySession *stickyGroupW `json:"ServerGroupStickySession,omitempty"`
}

type redirectW struct {
	Host     *string `json:"Host,omitempty"`
	HttpCode *string `json:"HttpCode,omitempty"`
	Path     *string `json:"Path,omitempty"`
	Port     *string `json:"Port,omitempty"`
	Protocol *string `json:"Protocol,omitempty"`
	Query    *string `json:"Query,omitempty"`
}

type fixedW struct {
	Content     *string `json:"Content,omitempty"`
	ContentType *string `json:"ContentType,omitempty"`
	HttpCode    *string `json:"HttpCode,omitempty"`
}

type rewriteW struct {
	Host  *string `json:"Host,omitempty"`
	Path  *string `json:"Path,omitempty"`
	Query *string `json:"Query,omitempty"`
}

type insertW struct {
	Key          *string `json:"Key,omitempty"`
	Value        *string `json:"Value,omitempty"`
	ValueType    *string `json:"ValueType,omitempty"`
	CoverEnabled *bool   `json:"CoverEnabled,omitempty"`
}

type removeW struct {
	Key *string `json:"Key,omitempty"`
}

type limitW struct {
	PerIpQps *int32 `json:"PerIpQps,omitempty"`
	QPS      *int32 `json:"QPS,omitempty"`
}

type mirrorW struct {
	TargetType        *string `json:"TargetType,omitempty"`
	MirrorGroupConfig *struct {
		ServerGroupTuples []tupleW `json:"ServerGroupTuples,omitempty"`
	} `json:"MirrorGroupConfig,omitempty"`
}

type corsW struct {
	AllowCredentials *string  `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigin      []string `json:"AllowOrigin,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           *int64   `json:"MaxAge,omitempty"`
}

// actionW is RuleActions.N on the wire.
type actionW struct {
	Type                *string    `json:"Type,omitempty"`
	Order               *int32     `json:"Order,omitempty"`
	ForwardGroupConfig  *forwardW  `json:"ForwardGroupConfig,omitempty"`
	RedirectConfig      *redirectW `json:"RedirectConfig,omitempty"`
	FixedResponseConfig *fixedW    `json:"FixedResponseConfig,omitempty"`
	RewriteConfig       *rewriteW  `json:"RewriteConfig,omitempty"`
	InsertHeaderConfig  *insertW   `json:"InsertHeaderConfig,omitempty"`
	RemoveHeaderConfig  *removeW   `json:"RemoveHeaderConfig,omitempty"`
	TrafficLimitConfig  *limitW    `json:"TrafficLimitConfig,omitempty"`
	TrafficMirrorConfig *mirrorW   `json:"TrafficMirrorConfig,omitempty"`
	CorsConfig          *corsW     `json:"CorsConfig,omitempty"`
}

// optString is nil for "".
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return dara.String(s)
}

// conditionsWire converts conditions: each its type and exactly the config
// of its type, with the values as given.
func conditionsWire(cs []routing.Condition) []conditionW {
	out := make([]conditionW, 0, len(cs))
	for _, c := range cs {
		w := conditionW{Type: dara.String(string(c.Type))}
		vals := &valuesW{Values: slices.Clone(c.Values)}
		kv := &keyValuesW{Key: dara.String(c.Key), Values: slices.Clone(c.Values)}
		pairs := &pairsW{}
		for _, p := range c.Pairs {
			pairs.Values = append(pairs.Values, kvW{Key: dara.String(p.Key), Value: dara.String(p.Value)})
		}
		switch c.Type {
		case routing.ConditionHost:
			w.HostConfig = vals
		case routing.ConditionPath:
			w.PathConfig = vals
		case routing.ConditionMethod:
			w.MethodConfig = vals
		case routing.ConditionSourceIP:
			w.SourceIpConfig = vals
		case routing.ConditionResponseStatusCode:
			w.ResponseStatusCodeConfig = vals
		case routing.ConditionHeader:
			w.HeaderConfig = kv
		case routing.ConditionResponseHeader:
			w.ResponseHeaderConfig = kv
		case routing.ConditionQueryString:
			w.QueryStringConfig = pairs
		case routing.ConditionCookie:
			w.CookieConfig = pairs
		}
		out = append(out, w)
	}
	return out
}

// actionsWire converts actions: type, order and the config of the type,
// with only the fields set (the service fills in its defaults). With
// update, a ForwardGroup's session persistence is spelled out when off
// (GUESS: leaving it out of an update might keep the rule's).
func actionsWire(as []routing.Action, update bool) []actionW {
	out := make([]actionW, 0, len(as))
	for _, a := range as {
		w := actionW{Type: dara.String(string(a.Type)), Order: dara.Int32(int32(a.Order))}
		if c := a.ForwardGroup; c != nil {
			f := &forwardW{}
			for _, t := range c.ServerGroups {
				f.ServerGroupTuples = append(f.ServerGroupTuples, tupleW{ServerGroupId: dara.String(t.ServerGroupID), Weight: dara.Int32(int32(t.Weight))})
			}
			switch {
			case c.StickySession.Enabled:
				f.ServerGroupStickySession = &stickyGroupW{Enabled: dara.Bool(true)}
				if c.StickySession.Timeout != 0 {
					f.ServerGroupStickySession.Timeout = dara.Int32(int32(c.StickySession.Timeout))
				}
			case update:
				f.ServerGroupStickySession = &stickyGroupW{Enabled: dara.Bool(false)}
			}
			w.ForwardGroupConfig = f
		}
		if c := a.Redirect; c != nil {
			w.RedirectConfig = &redirectW{Host: optString(c.Host), HttpCode: optString(c.HTTPCode), Path: optString(c.Path),
				Port: optString(c.Port), Protocol: optString(c.Protocol), Query: optString(c.Query)}
		}
		if c := a.FixedResponse; c != nil {
			w.FixedResponseConfig = &fixedW{Content: optString(c.Content), ContentType: optString(c.ContentType), HttpCode: optString(c.HTTPCode)}
		}
		if c := a.Rewrite; c != nil {
			w.RewriteConfig = &rewriteW{Host: optString(c.Host), Path: optString(c.Path), Query: optString(c.Query)}
		}
		if c := a.InsertHeader; c != nil {
			w.InsertHeaderConfig = &insertW{Key: dara.String(c.Key), Value: dara.String(c.Value), ValueType: optString(string(c.ValueType))}
		}
		if c := a.RemoveHeader; c != nil {
			w.RemoveHeaderConfig = &removeW{Key: dara.String(c.Key)}
		}
		if c := a.TrafficLimit; c != nil {
			l := &limitW{}
			if c.QPS != 0 {
				l.QPS = dara.Int32(int32(c.QPS))
			}
			if c.PerIPQPS != 0 {
				l.PerIpQps = dara.Int32(int32(c.PerIPQPS))
			}
			w.TrafficLimitConfig = l
		}
		if c := a.TrafficMirror; c != nil {
			m := &mirrorW{TargetType: dara.String(string(cmpOr(c.TargetType, routing.MirrorTarget)))}
			m.MirrorGroupConfig = &struct {
				ServerGroupTuples []tupleW `json:"ServerGroupTuples,omitempty"`
			}{}
			for _, id := range c.ServerGroupIDs {
				m.MirrorGroupConfig.ServerGroupTuples = append(m.MirrorGroupConfig.ServerGroupTuples, tupleW{ServerGroupId: dara.String(id)})
			}
			w.TrafficMirrorConfig = m
		}
		if c := a.Cors; c != nil {
			cw := &corsW{AllowCredentials: optString(c.AllowCredentials), AllowHeaders: slices.Clone(c.AllowHeaders), AllowMethods: slices.Clone(c.AllowMethods),
				AllowOrigin: slices.Clone(c.AllowOrigins), ExposeHeaders: slices.Clone(c.ExposeHeaders)}
			if c.MaxAge != 0 {
				cw.MaxAge = dara.Int64(c.MaxAge)
			}
			w.CorsConfig = cw
		}
		out = append(out, w)
	}
	return out
}

func cmpOr(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

// conditionsFromWire and actionsFromWire read the wire forms back.
func conditionsFromWire(ws []conditionW) []routing.Condition {
	var out []routing.Condition
	for _, w := range ws {
		c := routing.Condition{Type: routing.ConditionType(tea.StringValue(w.Type))}
		for _, v := range []*valuesW{w.HostConfig, w.PathConfig, w.MethodConfig, w.SourceIpConfig, w.ResponseStatusCodeConfig} {
			if v != nil {
				c.Values = append(c.Values, v.Values...)
			}
		}
		for _, kv := range []*keyValuesW{w.HeaderConfig, w.ResponseHeaderConfig} {
			if kv != nil {
				c.Key = tea.StringValue(kv.Key)
				c.Values = append(c.Values, kv.Values...)
			}
		}
		for _, p := range []*pairsW{w.QueryStringConfig, w.CookieConfig} {
			if p != nil {
				for _, v := range p.Values {
					c.Pairs = append(c.Pairs, routing.KV(tea.StringValue(v.Key), tea.StringValue(v.Value)))
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func actionsFromWire(ws []actionW) []routing.Action {
	var out []routing.Action
	for _, w := range ws {
		a := routing.Action{Type: routing.ActionType(tea.StringValue(w.Type)), Order: int(tea.Int32Value(w.Order))}
		if f := w.ForwardGroupConfig; f != nil {
			c := &routing.ForwardGroupConfig{}
			for _, t := range f.ServerGroupTuples {
				c.ServerGroups = append(c.ServerGroups, routing.Weighted(tea.StringValue(t.ServerGroupId), int(tea.Int32Value(t.Weight))))
			}
			if s := f.ServerGroupStickySession; s != nil && tea.BoolValue(s.Enabled) {
				c.StickySession = routing.StickySession{Enabled: true, Timeout: int(tea.Int32Value(s.Timeout))}
			}
			a.ForwardGroup = c
		}
		if r := w.RedirectConfig; r != nil {
			a.Redirect = &routing.RedirectConfig{HTTPCode: tea.StringValue(r.HttpCode), Protocol: tea.StringValue(r.Protocol), Host: tea.StringValue(r.Host),
				Port: tea.StringValue(r.Port), Path: tea.StringValue(r.Path), Query: tea.StringValue(r.Query)}
		}
		if f := w.FixedResponseConfig; f != nil {
			a.FixedResponse = &routing.FixedResponseConfig{HTTPCode: tea.StringValue(f.HttpCode), ContentType: tea.StringValue(f.ContentType), Content: tea.StringValue(f.Content)}
		}
		if r := w.RewriteConfig; r != nil {
			a.Rewrite = &routing.RewriteConfig{Host: tea.StringValue(r.Host), Path: tea.StringValue(r.Path), Query: tea.StringValue(r.Query)}
		}
		if i := w.InsertHeaderConfig; i != nil {
			a.InsertHeader = &routing.InsertHeaderConfig{Key: tea.StringValue(i.Key), Value: tea.StringValue(i.Value),
				ValueType: routing.HeaderValueType(tea.StringValue(i.ValueType)), CoverEnabled: tea.BoolValue(i.CoverEnabled)}
		}
		if r := w.RemoveHeaderConfig; r != nil {
			a.RemoveHeader = &routing.RemoveHeaderConfig{Key: tea.StringValue(r.Key)}
		}
		if l := w.TrafficLimitConfig; l != nil {
			a.TrafficLimit = &routing.TrafficLimitConfig{QPS: int(tea.Int32Value(l.QPS)), PerIPQPS: int(tea.Int32Value(l.PerIpQps))}
		}
		if m := w.TrafficMirrorConfig; m != nil {
			c := &routing.TrafficMirrorConfig{TargetType: tea.StringValue(m.TargetType)}
			if m.MirrorGroupConfig != nil {
				for _, t := range m.MirrorGroupConfig.ServerGroupTuples {
					c.ServerGroupIDs = append(c.ServerGroupIDs, tea.StringValue(t.ServerGroupId))
				}
			}
			a.TrafficMirror = c
		}
		if c := w.CorsConfig; c != nil {
			a.Cors = &routing.CorsConfig{AllowOrigins: slices.Clone(c.AllowOrigin), AllowMethods: slices.Clone(c.AllowMethods), AllowHeaders: slices.Clone(c.AllowHeaders),
				ExposeHeaders: slices.Clone(c.ExposeHeaders), AllowCredentials: tea.StringValue(c.AllowCredentials), MaxAge: tea.Int64Value(c.MaxAge)}
		}
		out = append(out, a)
	}
	return out
}

// ruleWire is one rule of CreateRules.Rules.N / UpdateRulesAttribute.Rules.N
// (the union of their fields).
type ruleWire struct {
	RuleId         *string      `json:"RuleId,omitempty"`
	RuleName       *string      `json:"RuleName,omitempty"`
	Priority       *int32       `json:"Priority,omitempty"`
	Direction      *string      `json:"Direction,omitempty"`
	RuleConditions []conditionW `json:"RuleConditions,omitempty"`
	RuleActions    []actionW    `json:"RuleActions,omitempty"`
}

// createWire is a rule to create: name, priority, conditions, actions, and
// the direction when it is Response (Request is the default).
func (r RuleSpec) createWire() ruleWire {
	w := ruleWire{RuleName: dara.String(r.Name), Priority: dara.Int32(int32(r.Priority)),
		RuleConditions: conditionsWire(r.Conditions), RuleActions: actionsWire(r.Actions, false)}
	if r.direction() == routing.DirectionResponse {
		w.Direction = dara.String(string(routing.DirectionResponse))
	}
	return w
}

// updateWire is an update step: the rule ID and exactly what changes (the
// priority when it moves, the whole conditions or actions list when it
// changes).
func (s RuleStep) updateWire() ruleWire {
	w := ruleWire{RuleId: dara.String(s.RuleID)}
	if s.rename {
		w.RuleName = dara.String(s.Rule.Name)
	}
	if s.FromPriority != s.Rule.Priority {
		w.Priority = dara.Int32(int32(s.Rule.Priority))
	}
	if s.Conditions {
		w.RuleConditions = conditionsWire(s.Rule.Conditions)
	}
	if s.Actions {
		w.RuleActions = actionsWire(s.Rule.Actions, true)
	}
	return w
}

// createRuleRequest is a CreateRule request for one rule of listener.
func createRuleRequest(listenerID string, r RuleSpec, token string, dryRun bool) *albsdk.CreateRuleRequest {
	req := &albsdk.CreateRuleRequest{ListenerId: dara.String(listenerID)}
	convert(r.createWire(), req)
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// createRulesRequest is a CreateRules request for rules of listener (at
// most MaxRulesPerCreateCall: the caller splits, or uses the plan's
// calls).
func createRulesRequest(listenerID string, rules []RuleSpec, token string, dryRun bool) *albsdk.CreateRulesRequest {
	req := &albsdk.CreateRulesRequest{ListenerId: dara.String(listenerID)}
	for _, r := range rules {
		it := &albsdk.CreateRulesRequestRules{}
		convert(r.createWire(), it)
		req.Rules = append(req.Rules, it)
	}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// updateRuleRequest is an UpdateRuleAttribute request of one update step.
func updateRuleRequest(s RuleStep, token string, dryRun bool) *albsdk.UpdateRuleAttributeRequest {
	req := &albsdk.UpdateRuleAttributeRequest{}
	convert(s.updateWire(), req)
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// updateRulesRequest is an UpdateRulesAttribute request of update steps
// (at most MaxRulesPerUpdateCall).
func updateRulesRequest(steps []RuleStep, token string, dryRun bool) *albsdk.UpdateRulesAttributeRequest {
	req := &albsdk.UpdateRulesAttributeRequest{}
	for _, s := range steps {
		it := &albsdk.UpdateRulesAttributeRequestRules{}
		convert(s.updateWire(), it)
		req.Rules = append(req.Rules, it)
	}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// deleteRuleRequest and deleteRulesRequest delete rules by ID (at most
// MaxRulesPerDeleteCall).
func deleteRuleRequest(id, token string, dryRun bool) *albsdk.DeleteRuleRequest {
	req := &albsdk.DeleteRuleRequest{RuleId: dara.String(id)}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

func deleteRulesRequest(ids []string, token string, dryRun bool) *albsdk.DeleteRulesRequest {
	req := &albsdk.DeleteRulesRequest{RuleIds: dara.StringSlice(ids)}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// ruleCallRequest is the request of one rule call of a plan
// (CreateRules, UpdateRulesAttribute or DeleteRules).
func ruleCallRequest(listenerID string, c ListenerCall, token string, dryRun bool) any {
	switch c.Action {
	case "CreateRules":
		specs := make([]RuleSpec, len(c.Rules))
		for i, s := range c.Rules {
			specs[i] = s.Rule
		}
		return createRulesRequest(listenerID, specs, token, dryRun)
	case "UpdateRulesAttribute":
		return updateRulesRequest(c.Rules, token, dryRun)
	case "DeleteRules":
		ids := make([]string, len(c.Rules))
		for i, s := range c.Rules {
			ids[i] = s.RuleID
		}
		return deleteRulesRequest(ids, token, dryRun)
	}
	return nil
}

func setTokenDryRun(tok **string, dry **bool, token string, dryRun bool) {
	if token != "" {
		*tok = dara.String(token)
	}
	if dryRun {
		*dry = dara.Bool(true)
	}
}

// ruleFromSDK converts a ListRules item.
func ruleFromSDK(b *albsdk.ListRulesResponseBodyRules) Rule {
	var w struct {
		RuleConditions []conditionW `json:"RuleConditions"`
		RuleActions    []actionW    `json:"RuleActions"`
	}
	convert(struct {
		RuleConditions []*albsdk.ListRulesResponseBodyRulesRuleConditions `json:"RuleConditions"`
		RuleActions    []*albsdk.ListRulesResponseBodyRulesRuleActions    `json:"RuleActions"`
	}{b.RuleConditions, b.RuleActions}, &w)
	r := Rule{
		ID:             tea.StringValue(b.RuleId),
		ListenerID:     tea.StringValue(b.ListenerId),
		LoadBalancerID: tea.StringValue(b.LoadBalancerId),
		Status:         RuleStatus(tea.StringValue(b.RuleStatus)),
		RuleSpec: RuleSpec{
			Name:       tea.StringValue(b.RuleName),
			Priority:   int(tea.Int32Value(b.Priority)),
			Direction:  routing.Direction(tea.StringValue(b.Direction)),
			Conditions: conditionsFromWire(w.RuleConditions),
			Actions:    actionsFromWire(w.RuleActions),
		},
	}
	for _, t := range b.Tags {
		if t != nil {
			r.Tags = append(r.Tags, Tag{Key: tea.StringValue(t.Key), Value: tea.StringValue(t.Value)})
		}
	}
	return r
}
