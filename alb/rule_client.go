package alb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/waiter"
	"github.com/albkit/albkit/routing"
)

// ForwardingRules is the forwarding-rule family of a [Client]: every
// operation on single rules and batches of rules, reached with
// [Client.ForwardingRules]. A listener's whole table is converged by
// [Listeners.Ensure], which orders the writes so that no request is routed
// by a rule of neither the current nor the wanted table; the operations
// here change the rules they are given, in the calls they name.
//
// Every write carries one ClientToken for all its retries; a write on a
// busy listener or rule (ResourceInConfiguring.Listener,
// IncorrectStatus.Listener, IncorrectStatus.Rule) is retried, then waited
// for and sent again, a bounded number of times; every write waits until
// its rules are Available (or gone). Waits on many rules share their polls
// (ListRules by IDs, per direction).
type ForwardingRules struct{ c *Client }

// ForwardingRules returns the client's forwarding-rule operations.
func (c *Client) ForwardingRules() *ForwardingRules { return &ForwardingRules{c: c} }

// String describes the family without any credential.
func (r *ForwardingRules) String() string { return "alb.ForwardingRules{region: " + r.c.region + "}" }

const kindRule = "rule"

// rulePolls reads rules of one direction with ListRules (20 IDs a call:
// GUESS). ListRules answers Response rules only when asked.
func rulePolls(dir routing.Direction) kind[*Rule] {
	return kind[*Rule]{
		name: kindRule, action: "ListRules", maxIDs: 20,
		list: func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string]*Rule, error) {
			r, err := sdk.ListRulesWithContext(ctx, &albsdk.ListRulesRequest{RuleIds: tea.StringSlice(ids), Direction: tea.String(string(dir)), MaxResults: tea.Int32(100)}, rt)
			if err != nil {
				return nil, err
			}
			if r == nil || r.Body == nil {
				return nil, errors.New("the answer has no body")
			}
			return byID(r.Body.Rules, func(b *albsdk.ListRulesResponseBodyRules) (string, *Rule) {
				rule := ruleFromSDK(b)
				return rule.ID, &rule
			}), nil
		},
	}
}

// ruleFamily describes rules of one direction to the engine: Available is
// ready; Provisioning and Configuring are pending; CreateFailed fails.
func ruleFamily(polls func(*Client) *poller[*Rule]) *family[*Rule] {
	return &family[*Rule]{
		name:   kindRule,
		polls:  polls,
		status: func(r *Rule) Status { return Status(r.Status) },
		judge: func(r *Rule) (waiter.Verdict, error) {
			switch r.Status {
			case RuleAvailable:
				return waiter.Success, nil
			case RuleProvisioning, RuleConfiguring:
				return waiter.Continue, nil
			case RuleCreateFailed:
				return waiter.Failure, &StateError{ID: r.ID, Status: Status(r.Status), Reason: "the rule's create failed", kind: ErrCreateFailed}
			}
			return waiter.Failure, &StateError{ID: r.ID, Status: Status(r.Status), Reason: "unknown rule status", kind: ErrUnexpectedState}
		},
		gone: func(err error) bool {
			var ae *APIError
			return errors.As(err, &ae) && ae.Code == "ResourceNotFound.Rule" || notListed(err, kindRule)
		},
	}
}

var (
	requestRules  = ruleFamily(func(c *Client) *poller[*Rule] { return c.ruleReqPolls })
	responseRules = ruleFamily(func(c *Client) *poller[*Rule] { return c.ruleRespPolls })
)

// rulesOf returns the family of rules of direction dir.
func rulesOf(dir routing.Direction) *family[*Rule] {
	if dir == routing.DirectionResponse {
		return responseRules
	}
	return requestRules
}

var ruleIDPattern = regexp.MustCompile(`^rule-[0-9A-Za-z]+$`)

func requireRuleID(op, arg, id string) error {
	switch {
	case id == "":
		return &ArgumentError{Operation: op, Argument: arg, Message: "is required"}
	case !ruleIDPattern.MatchString(id):
		return &ArgumentError{Operation: op, Argument: arg,
			Message: fmt.Sprintf("%q is not a forwarding rule ID: a rule ID is \"rule-\" followed by letters and digits", truncate(id, 64))}
	}
	return nil
}

// Get returns the rule (of either direction). A missing rule is an error
// matching [ErrNotFound]. Gets of many rules at about the same time share
// their calls.
func (r *ForwardingRules) Get(ctx context.Context, id string) (_ *Rule, err error) {
	ctx, tel := r.c.read(ctx, "ForwardingRules.Get", id)
	defer tel.end(&err)
	if err := requireRuleID("ForwardingRules.Get", "id", id); err != nil {
		return nil, err
	}
	return r.get(ctx, id)
}

func (r *ForwardingRules) get(ctx context.Context, id string) (*Rule, error) {
	rule, err := r.c.ruleReqPolls.get(ctx, id)
	if notListed(err, kindRule) {
		rule, err = r.c.ruleRespPolls.get(ctx, id)
	}
	return rule, err
}

// RuleFilter selects rules for [ForwardingRules.List]. Empty fields do not
// filter; a filter beyond the limits is refused before any call.
type RuleFilter struct {
	LoadBalancerIDs []string // at most 20
	ListenerIDs     []string // at most 20
	IDs             []string // at most 20
	// Direction is Request or Response; empty lists both (ListRules
	// answers Response rules only when asked: two calls a page).
	Direction routing.Direction
	// PageSize is the number of rules per ListRules call (1–100; 0 takes
	// 100).
	PageSize int32
}

func (f RuleFilter) check() error {
	bad := func(field, format string, args ...any) error {
		return &ArgumentError{Operation: "ForwardingRules.List", Argument: "RuleFilter." + field, Message: fmt.Sprintf(format, args...)}
	}
	for _, n := range []struct {
		field string
		n     int
	}{{"LoadBalancerIDs", len(f.LoadBalancerIDs)}, {"ListenerIDs", len(f.ListenerIDs)}, {"IDs", len(f.IDs)}} {
		if n.n > 20 {
			return bad(n.field, "%d given; ListRules takes at most 20: split the list", n.n)
		}
	}
	if f.PageSize < 0 || f.PageSize > maxPageSize {
		return bad("PageSize", "%d is outside 1–%d (0 takes %d)", f.PageSize, maxPageSize, maxPageSize)
	}
	switch f.Direction {
	case "", routing.DirectionRequest, routing.DirectionResponse:
	default:
		return bad("Direction", "%q is not Request or Response", truncate(string(f.Direction), 16))
	}
	return nil
}

// List returns the rules matching f, following NextToken across pages:
// Request rules, then Response rules when f.Direction is empty. An error
// ends the sequence.
func (r *ForwardingRules) List(ctx context.Context, f RuleFilter) iter.Seq2[*Rule, error] {
	return func(yield func(*Rule, error) bool) {
		var err error
		ctx, tel := r.c.read(ctx, "ForwardingRules.List", "")
		defer tel.end(&err)
		if err = f.check(); err != nil {
			yield(nil, err)
			return
		}
		dirs := []routing.Direction{f.Direction}
		if f.Direction == "" {
			dirs = []routing.Direction{routing.DirectionRequest, routing.DirectionResponse}
		}
		for _, dir := range dirs {
			for rule, lerr := range r.list(ctx, f, string(dir)) {
				if lerr != nil {
					err = lerr
					yield(nil, lerr)
					return
				}
				if !yield(rule, nil) {
					return
				}
			}
		}
	}
}

// list is List of one direction, without checks.
func (r *ForwardingRules) list(ctx context.Context, f RuleFilter, dir string) iter.Seq2[*Rule, error] {
	c := r.c
	return func(yield func(*Rule, error) bool) {
		req := &albsdk.ListRulesRequest{MaxResults: tea.Int32(cmpOr32(f.PageSize, maxPageSize)), Direction: tea.String(dir)}
		if len(f.LoadBalancerIDs) > 0 {
			req.LoadBalancerIds = tea.StringSlice(f.LoadBalancerIDs)
		}
		if len(f.ListenerIDs) > 0 {
			req.ListenerIds = tea.StringSlice(f.ListenerIDs)
		}
		if len(f.IDs) > 0 {
			req.RuleIds = tea.StringSlice(f.IDs)
		}
		if err := eachPage("ListRules", func(token *string) (*string, error) {
			req.NextToken = token
			body, err := answer(c, ctx, "ListRules", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.ListRulesResponse, error) {
				return sdk.ListRulesWithContext(ctx, req, c.runtime)
			}, (*albsdk.ListRulesResponse).GetBody)
			if err != nil {
				return nil, err
			}
			for _, b := range body.Rules {
				if b == nil {
					continue
				}
				if rule := ruleFromSDK(b); !yield(&rule, nil) {
					return nil, nil
				}
			}
			return body.NextToken, nil
		}); err != nil {
			yield(nil, err)
		}
	}
}

// ruleField is the field path of the i-th spec of a rule call: "spec"
// for the one rule of Create and Update, "specs[i]" for a batch.
func ruleField(single bool, i int) string {
	if single {
		return "spec"
	}
	return fmt.Sprintf("specs[%d]", i)
}

// validateRules checks specs on their own, before any call: each rule's
// own rules, and across the batch unique names and unique priorities per
// direction. It returns nil or a *ValidationError of every violation, the
// fields named as the arguments ("spec.Priority", "specs[2].Name").
func validateRules(specs []RuleSpec, single bool) error {
	v := &violations{}
	type slot struct {
		dir routing.Direction
		p   int
	}
	names, prios := map[string]int{}, map[slot]int{}
	for i, s := range specs {
		f := ruleField(single, i)
		s.check(v, f+".", "")
		if j, dup := names[s.Name]; dup && s.Name != "" {
			v.add(f+".Name", RuleListenerRuleNameUnique, "rule name %q is already used by %s: albkit identifies a listener's rules by name", s.Name, ruleField(false, j))
		} else if !dup {
			names[s.Name] = i
		}
		k := slot{normDir(s.Direction), s.Priority}
		if j, dup := prios[k]; dup && s.Priority > 0 {
			v.add(f+".Priority", routing.RulePriorityUnique, "priority %d is already given to %s: priorities are unique per listener and direction", s.Priority, ruleField(false, j))
		} else if !dup {
			prios[k] = i
		}
	}
	return v.errFor(reflect.TypeFor[RuleSpec](), ruleKind)
}

// checkRules checks valid specs for listener ls against live facts: the
// instance's edition, the references of their forwards (the groups exist,
// are in the instance's VPC, speak a protocol the listener can use), and
// the rules the instance has: a name or a priority (per direction) that
// another rule of the listener holds, and the instance's rule quota at its
// raisable maximum counting the rules it has. self is the rule an Update
// changes (not counted against itself), "" for a create. Blocking
// findings are a *FindingsError.
func (r *ForwardingRules) checkRules(ctx context.Context, ls *Listener, specs []RuleSpec, single bool, self string) error {
	spec := SpecFromListener(ls, nil, nil)
	spec.Rules = specs
	facts, err := r.c.Listeners().facts(ctx, spec, false, ls.ID) // the rules are read below
	if err != nil {
		return err
	}
	var mine []Finding
	for _, f := range CheckListener(spec, facts) {
		rest, ok := strings.CutPrefix(f.Resource, "Rules[")
		if !ok {
			continue // the listener's own findings, and the quota counted below
		}
		i, tail, _ := strings.Cut(rest, "]")
		if n, err := strconv.Atoi(i); err == nil {
			f.Resource = ruleField(single, n) + tail
		}
		mine = append(mine, f)
	}
	have := 0
	for rule, err := range r.List(ctx, RuleFilter{LoadBalancerIDs: []string{ls.LoadBalancerID}}) {
		if err != nil {
			return err
		}
		if rule.ID == self {
			continue
		}
		have++
		if rule.ListenerID != ls.ID {
			continue
		}
		for i, s := range specs {
			f := ruleField(single, i)
			if s.Name == rule.Name {
				mine = append(mine, Finding{Rule: RuleListenerRuleNameUnique, Severity: SeverityBlocking, Resource: f + ".Name",
					Message: fmt.Sprintf("rule name %q is used by rule %s of listener %s: albkit identifies a listener's rules by name", s.Name, rule.ID, ls.ID),
					Fix:     fmt.Sprintf("choose another name, or change rule %s with ForwardingRules.Update", rule.ID)})
			}
			if normDir(s.Direction) == normDir(rule.Direction) && s.Priority == rule.Priority {
				mine = append(mine, Finding{Rule: routing.RulePriorityUnique, Severity: SeverityBlocking, Resource: f + ".Priority",
					Message: fmt.Sprintf("priority %d is held by rule %s (%s) of listener %s", s.Priority, rule.Name, rule.ID, ls.ID),
					Fix:     "choose a free priority, or move that rule first (Listeners.Ensure orders such moves)"})
			}
		}
	}
	if q := editionFeatures(facts.Edition).RulesPerInstance.Max; have+len(specs) > q {
		res := "specs"
		if single {
			res = "spec"
		}
		mine = append(mine, Finding{Rule: routing.RuleEditionRulesQuota, Severity: SeverityBlocking, Resource: res,
			Message: fmt.Sprintf("%d rule(s) on instance %s and %d more exceed the %s edition's rule quota even raised to its maximum, %d per instance", have, ls.LoadBalancerID, len(specs), facts.Edition, q),
			Fix:     "delete rules first, or spread the routes over another instance"})
	}
	return blocking(kindRule, "", mine)
}

// RulesError is a batch of rule writes that did not complete: which rules
// were applied, which were sent but not seen through, and which were not
// sent. errors.Is and errors.As see the cause (Err).
type RulesError struct {
	// ListenerID is the listener.
	ListenerID string
	// Action is the call that failed, or "wait".
	Action string
	// Applied are the rules (IDs, or names of created rules) whose calls
	// completed.
	Applied []string
	// Unknown are the rules of the call that failed after it may have
	// reached the service.
	Unknown []string
	// NotApplied are the rules whose calls were not sent.
	NotApplied []string
	// Err is the cause.
	Err error
}

// Error says what was applied and what was not.
func (e *RulesError) Error() string {
	s := fmt.Sprintf("alb: listener %s: %s failed: %d rule(s) applied, %d unknown, %d not applied", e.ListenerID, e.Action, len(e.Applied), len(e.Unknown), len(e.NotApplied))
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *RulesError) Unwrap() error { return e.Err }

// Create adds one forwarding rule to the listener (CreateRules) and waits
// until it is Available. The spec is validated first, before any call (a
// *[ValidationError] naming "spec.…" fields), then checked against live
// facts (the instance's edition, the server groups it forwards to, the
// names and priorities of the listener's rules, the instance's rule quota
// at its raisable maximum; a *[FindingsError]): nothing is written when a
// check refuses it.
func (r *ForwardingRules) Create(ctx context.Context, listenerID string, spec RuleSpec, opts ...WaitOption) (_ *Rule, err error) {
	ctx, tel := r.c.operation(ctx, "ForwardingRules.Create", "")
	defer tel.end(&err)
	rules, err := r.createMany(ctx, "ForwardingRules.Create", listenerID, []RuleSpec{spec}, opts)
	if len(rules) == 1 {
		tel.setID(rules[0].ID)
		return &rules[0], err
	}
	return nil, err
}

// CreateMany adds forwarding rules to the listener in CreateRules calls of
// [MaxRulesPerCreateCall] and waits until every one is Available. The
// specs are validated and checked first, as by [ForwardingRules.Create]
// (fields named "specs[i].…"; names and priorities unique within the
// batch too): nothing is written when a check refuses them. A partial
// failure is a *[RulesError] saying which rules were created. The rules
// are created in the order given; to change a listener's table without a
// moment where a request meets a rule of neither table, use
// [Listeners.Ensure].
func (r *ForwardingRules) CreateMany(ctx context.Context, listenerID string, specs []RuleSpec, opts ...WaitOption) (_ []Rule, err error) {
	ctx, tel := r.c.operation(ctx, "ForwardingRules.CreateMany", listenerID)
	defer tel.end(&err)
	return r.createMany(ctx, "ForwardingRules.CreateMany", listenerID, specs, opts)
}

func (r *ForwardingRules) createMany(ctx context.Context, op, listenerID string, specs []RuleSpec, opts []WaitOption) ([]Rule, error) {
	if err := requireListenerID(op, listenerID); err != nil {
		var ae *ArgumentError
		if errors.As(err, &ae) {
			ae.Argument = "listenerID"
		}
		return nil, err
	}
	if err := checkWaitOpts(op, opts); err != nil {
		return nil, err
	}
	if len(specs) == 0 {
		return nil, &ArgumentError{Operation: op, Argument: "specs", Message: "at least one rule is required"}
	}
	single := op == "ForwardingRules.Create"
	if err := validateRules(specs, single); err != nil {
		return nil, err
	}
	ls, err := r.c.Listeners().get(ctx, listenerID)
	if err != nil {
		return nil, err
	}
	if err := r.checkRules(ctx, ls, specs, single, ""); err != nil {
		return nil, err
	}
	var out []Rule
	for i := 0; i < len(specs); i += MaxRulesPerCreateCall {
		batch := specs[i:min(i+MaxRulesPerCreateCall, len(specs))]
		steps := make([]RuleStep, len(batch))
		for j, s := range batch {
			steps[j] = RuleStep{Kind: RuleStepCreate, Rule: s}
		}
		created, err := r.send(ctx, listenerID, ListenerCall{Action: "CreateRules", Rules: steps}, opts)
		out = append(out, created...)
		if err != nil {
			re := &RulesError{ListenerID: listenerID, Action: "CreateRules", Err: err}
			for _, s := range specs[:i] {
				re.Applied = append(re.Applied, s.Name)
			}
			names := func(ss []RuleSpec) (o []string) {
				for _, s := range ss {
					o = append(o, s.Name)
				}
				return o
			}
			if definitive(err) && isCallError(err, "CreateRules") {
				re.NotApplied = names(specs[i:])
			} else {
				re.Unknown, re.NotApplied = names(batch), names(specs[i+len(batch):])
			}
			return out, re
		}
	}
	return out, nil
}

// Update replaces a rule's name, priority, conditions and actions with
// spec's (UpdateRulesAttribute sends them whole) and waits until the rule
// is Available and shows them. The spec is validated and checked first, as
// by [ForwardingRules.Create] (its name and priority may be the rule's
// own); the direction cannot change (a *[NotChangeableError]).
func (r *ForwardingRules) Update(ctx context.Context, id string, spec RuleSpec, opts ...WaitOption) (_ *Rule, err error) {
	ctx, tel := r.c.operation(ctx, "ForwardingRules.Update", id)
	defer tel.end(&err)
	const op = "ForwardingRules.Update"
	if err := requireRuleID(op, "id", id); err != nil {
		return nil, err
	}
	if err := checkWaitOpts(op, opts); err != nil {
		return nil, err
	}
	if err := validateRules([]RuleSpec{spec}, true); err != nil {
		return nil, err
	}
	cur, err := r.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if normDir(spec.Direction) != normDir(cur.Direction) {
		return nil, &NotChangeableError{ID: id, Differences: []Difference{{Field: "Direction", From: string(normDir(cur.Direction)), To: string(normDir(spec.Direction)),
			Rule: RuleImmutable, Reason: "a rule's direction is fixed at creation", Instead: "create a rule of the other direction and delete this one"}}}
	}
	ls, err := r.c.Listeners().get(ctx, cur.ListenerID)
	if err != nil {
		return nil, err
	}
	if err := r.checkRules(ctx, ls, []RuleSpec{spec}, true, id); err != nil {
		return nil, err
	}
	step := RuleStep{Kind: RuleStepUpdate, RuleID: id, Rule: spec, FromPriority: cur.Priority, Conditions: true, Actions: true, rename: spec.Name != cur.Name}
	rules, err := r.send(ctx, cur.ListenerID, ListenerCall{Action: "UpdateRulesAttribute", Rules: []RuleStep{step}}, opts)
	if len(rules) == 1 {
		return &rules[0], err
	}
	return nil, err
}

func normDir(d routing.Direction) routing.Direction {
	if d == "" {
		return routing.DirectionRequest
	}
	return d
}

// Delete deletes a rule and waits until it is gone; a rule already gone
// is deleted successfully.
func (r *ForwardingRules) Delete(ctx context.Context, id string, opts ...WaitOption) (err error) {
	ctx, tel := r.c.operation(ctx, "ForwardingRules.Delete", id)
	defer tel.end(&err)
	return r.deleteMany(ctx, "ForwardingRules.Delete", []string{id}, opts)
}

// DeleteMany deletes rules in DeleteRules calls of
// [MaxRulesPerDeleteCall] and waits until they are gone; rules already
// gone cost nothing.
func (r *ForwardingRules) DeleteMany(ctx context.Context, ids []string, opts ...WaitOption) (err error) {
	ctx, tel := r.c.operation(ctx, "ForwardingRules.DeleteMany", "")
	defer tel.end(&err)
	return r.deleteMany(ctx, "ForwardingRules.DeleteMany", ids, opts)
}

func (r *ForwardingRules) deleteMany(ctx context.Context, op string, ids []string, opts []WaitOption) error {
	if len(ids) == 0 {
		return &ArgumentError{Operation: op, Argument: "ids", Message: "at least one rule ID is required"}
	}
	for i, id := range ids {
		arg := fmt.Sprintf("ids[%d]", i)
		if op == "ForwardingRules.Delete" {
			arg = "id"
		}
		if err := requireRuleID(op, arg, id); err != nil {
			return err
		}
	}
	if err := checkWaitOpts(op, opts); err != nil {
		return err
	}
	// Only the rules that exist, by listener (a call's busy rounds wait on
	// its listener).
	byListener := map[string][]RuleStep{}
	var order []string
	for _, id := range ids {
		rule, err := r.get(ctx, id)
		switch {
		case err == nil:
			if _, ok := byListener[rule.ListenerID]; !ok {
				order = append(order, rule.ListenerID)
			}
			byListener[rule.ListenerID] = append(byListener[rule.ListenerID], RuleStep{Kind: RuleStepDelete, RuleID: id, Rule: rule.RuleSpec, FromPriority: rule.Priority})
		case !errors.Is(err, ErrNotFound):
			return err
		}
	}
	for _, lid := range order {
		steps := byListener[lid]
		for i := 0; i < len(steps); i += MaxRulesPerDeleteCall {
			if _, err := r.send(ctx, lid, ListenerCall{Action: "DeleteRules", Rules: steps[i:min(i+MaxRulesPerDeleteCall, len(steps))]}, opts); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyCall makes one rule call of a listener plan and waits for it.
func (r *ForwardingRules) applyCall(ctx context.Context, listenerID string, call ListenerCall, opts []WaitOption) error {
	_, err := r.send(ctx, listenerID, call, opts)
	return err
}

// send makes one CreateRules, UpdateRulesAttribute or DeleteRules call
// for listener listenerID (one ClientToken for every attempt; a busy
// listener is waited for and the call sent again) and waits until every
// rule it names is Available with its new priority (or gone). It returns
// the rules as last polled (created and updated ones).
func (r *ForwardingRules) send(ctx context.Context, listenerID string, call ListenerCall, opts []WaitOption) ([]Rule, error) {
	c := r.c
	var ids []string // of the rules to wait on, in the order of call.Rules
	_, err := sendRes(c, ctx, listeners, waitSpec{op: call.Action, id: listenerID, waiting: "Running"}, opts, "",
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			switch req := ruleCallRequest(listenerID, call, token, false).(type) {
			case *albsdk.CreateRulesRequest:
				res, err := sdk.CreateRulesWithContext(ctx, req, c.runtime)
				if err != nil {
					return err
				}
				ids = ids[:0]
				byPrio := map[int]string{}
				if res.Body != nil {
					for _, it := range res.Body.RuleIds {
						if it != nil {
							byPrio[int(tea.Int32Value(it.Priority))] = tea.StringValue(it.RuleId)
						}
					}
				}
				for _, s := range call.Rules {
					ids = append(ids, byPrio[s.Rule.Priority])
				}
				return nil
			case *albsdk.UpdateRulesAttributeRequest:
				_, err := sdk.UpdateRulesAttributeWithContext(ctx, req, c.runtime)
				return err
			case *albsdk.DeleteRulesRequest:
				_, err := sdk.DeleteRulesWithContext(ctx, req, c.runtime)
				return err
			}
			return fmt.Errorf("alb: no rule request for %s: %w", call.Action, ErrInvalidArgument)
		})
	if err != nil {
		var ae *APIError
		if call.Action == "DeleteRules" && errors.As(err, &ae) && ae.Code == "ResourceNotFound.Rule" {
			err = nil // gone already (another writer): the wait below confirms it
		} else {
			return nil, err
		}
	}
	if call.Action != "CreateRules" {
		ids = make([]string, len(call.Rules))
		for i, s := range call.Rules {
			ids[i] = s.RuleID
		}
	}
	if slices.Contains(ids, "") {
		return nil, &NetworkError{Operation: call.Action, Err: errors.New("the answer does not name the ID of every rule created")}
	}
	c.emit(Event{Kind: EventStep, Operation: call.Action, ID: listenerID, Message: fmt.Sprintf("%s sent for %d rule(s) of %s", call.Action, len(ids), listenerID)})
	// Wait for every rule at once: their polls share ListRules calls.
	out := make([]Rule, len(ids))
	errs := make([]error, len(ids))
	w := c.waitOptions(opts)
	var wg sync.WaitGroup
	for i, id := range ids {
		step := call.Rules[i]
		f := rulesOf(step.Rule.Direction)
		wg.Go(func() {
			s := waitSpec{op: call.Action, id: id, waiting: "Available"}
			if call.Action == "DeleteRules" {
				s.waiting = "gone"
				_, errs[i] = waitRes(c, ctx, f, s, w, goneAcceptorOf(f))
				return
			}
			shows := func(rule *Rule) bool { return rule.Priority == step.Rule.Priority && rule.Name == step.Rule.Name }
			var since time.Time
			grace := time.Duration(0)
			if call.Action == "CreateRules" {
				since, grace = c.clock.Now(), w.NotFoundGrace
			}
			rule, err := waitRes(c, ctx, f, s, w, readyAcceptor(c, f, since, grace, shows))
			if rule != nil {
				out[i] = *rule
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if call.Action == "DeleteRules" {
		out = nil
	}
	return out, errors.Join(errs...)
}
