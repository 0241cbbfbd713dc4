package albtest

import (
	"slices"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/edition"
	"github.com/albkit/albkit/routing"
)

// ALB forwarding rules: state, CreateRule, CreateRules, UpdateRuleAttribute,
// UpdateRulesAttribute, DeleteRule, DeleteRules, ListRules. The decoding and
// checks are in alb_rule_validate.go, the answers in alb_rule_read.go.
//
// A rule is a tracked resource (resource.go) of kind "rule": its create
// goes Provisioning → Available (PhaseProvisioning), its changes
// Configuring → Available (PhaseConfiguring), its deletion Deleting → gone
// (PhaseDeleting), each with a job. A batch (CreateRules,
// UpdateRulesAttribute, DeleteRules) is one job and one transition for all
// its rules (beginBatch). A change is made when its transition completes:
// reads show the old rule while it is Configuring. Conditions and actions
// are kept in the routing package's model: RoutingTable hands a listener's
// Available rules to routing.Compile.

type ruleState struct {
	resource                   // id ("rule-…"), status (Provisioning | Available | Configuring | Deleting | CreateFailed)
	rule         routing.Rule  // as reads show it; rule.ID is the rule's ID
	sticky       []bool        // per action: ServerGroupStickySession given (answered only then)
	next         *routing.Rule // a pending update, shown once it completes
	nextSticky   []bool        // next's sticky flags
	lsnID, lbID  string
	tags         []tagKV
	created      time.Time
	token        string
	deleted      bool
	wasAvailable bool // it was Available before its pending change (see SetRuleStatus)
}

func notFoundRule(id string) *apiError {
	return errf(404, "ResourceNotFound.Rule", "The specified resource %s is not found.", truncate(id, 64))
}

// ruleByID returns the live rule id after settling its transition (read
// counts a poll).
func (s *Server) ruleByID(id string, now time.Time, read bool) (*ruleState, *apiError) {
	r := s.st.rules[id]
	if r == nil {
		return nil, notFoundRule(id)
	}
	s.settle(&r.resource, now, read)
	if r.deleted {
		return nil, notFoundRule(id)
	}
	return r, nil
}

// ruleWritable refuses a change of a rule that is not Available
// (IncorrectStatus.Rule, which the Terraform provider and the ingress
// controller retry).
func ruleWritable(r *ruleState) *apiError {
	if r.status != "Available" || r.pending != nil {
		return errf(400, "IncorrectStatus.Rule", "The status of %s [%s] is incorrect.", r.id, r.status)
	}
	return nil
}

// rulesOf returns the live rules of listener lsnID in creation order.
func (st *state) rulesOf(lsnID string) []*ruleState {
	var out []*ruleState
	for _, id := range st.ruleOrder {
		if r := st.rules[id]; r.lsnID == lsnID {
			out = append(out, r)
		}
	}
	return out
}

// counted reports a rule that holds its priority, its place in the quota
// and its server groups: every live rule but one being deleted.
func (r *ruleState) counted() bool { return r.status != "Deleting" }

// rulesOnInstance counts the counted rules of instance lbID.
func (st *state) rulesOnInstance(lbID string) int {
	n := 0
	for _, r := range st.rules {
		if r.lbID == lbID && r.counted() {
			n++
		}
	}
	return n
}

// ruleContext is the listener and instance of a rule write, checked: the
// listener Running or Stopped (ResourceInConfiguring.Listener), the
// instance not being deleted.
func (s *Server) ruleContext(lsnID string, now time.Time) (*lsnState, *lbState, edition.Features, *apiError) {
	l, e := s.lsnByID(lsnID, now, false)
	if e != nil {
		return nil, nil, edition.Features{}, e
	}
	lb := s.st.lbs[l.lbID]
	if lb == nil || lb.deleted {
		return nil, nil, edition.Features{}, notFoundLB(l.lbID)
	}
	s.settle(&lb.resource, now, false)
	if lb.status == "Deleting" {
		return nil, nil, edition.Features{}, errf(400, "IncorrectStatus.LoadBalancer", "The status of %s [%s] is incorrect.", lb.id, lb.status)
	}
	if e := lsnNotConfiguring(l); e != nil {
		return nil, nil, edition.Features{}, e
	}
	f, _ := edition.Of(lb.edition)
	return l, lb, f, nil
}

// prioKey is a priority space: a listener and a direction.
type prioKey struct {
	lsnID string
	dir   routing.Direction
	prio  int
}

// heldPriorities returns the priorities the counted rules hold, current and
// pending, leaving out the rules in except.
func (st *state) heldPriorities(except map[string]bool) map[prioKey]string {
	held := map[prioKey]string{}
	for _, r := range st.rules {
		if !r.counted() || except[r.id] {
			continue
		}
		held[prioKey{r.lsnID, dirOf(r.rule), r.rule.Priority}] = r.id
		if r.next != nil {
			held[prioKey{r.lsnID, dirOf(r.rule), r.next.Priority}] = r.id
		}
	}
	return held
}

func dirOf(r routing.Rule) routing.Direction {
	if r.Direction == routing.DirectionResponse {
		return routing.DirectionResponse
	}
	return routing.DirectionRequest
}

// checkPriorities refuses priorities taken by another rule of the
// listener in the same direction (Conflict.Priority) or twice in the call
// (DuplicatedParam.Priority). want maps each rule of the call (by index) to
// its listener, direction and priority; except are the rules whose
// priorities the call replaces.
func (st *state) checkPriorities(want []prioKey, except map[string]bool) *apiError {
	held := st.heldPriorities(except)
	mine := map[prioKey]bool{}
	for _, k := range want {
		if mine[k] {
			return errf(400, "DuplicatedParam.Priority", "The priority %d is given to two rules of %s (%s) in one call.", k.prio, k.lsnID, k.dir)
		}
		mine[k] = true
		if other, ok := held[k]; ok {
			return errf(400, "Conflict.Priority", "The priority %d of %s (%s) is used by %s.", k.prio, k.lsnID, k.dir, other)
		}
	}
	return nil
}

// checkRuleQuota refuses more rules on the instance than its edition's
// quota.
func (st *state) checkRuleQuota(lb *lbState, adding int) *apiError {
	q := st.quotasOf(lb.edition).Rules
	if n := st.rulesOnInstance(lb.id); n+adding > q {
		return errf(400, "QuotaExceeded.RulesNum", "The quota of %s is exceeded, usage %d/%d.", "forwarding rules per instance", n+adding, q)
	}
	return nil
}

// newRule registers a checked rule being created on l.
func (s *Server) newRule(spec *ruleSpec, l *lsnState, c *call) *ruleState {
	st := s.st
	r := &ruleState{resource: resource{kind: "rule"}, lsnID: l.id, lbID: l.lbID, tags: spec.tags, created: c.now, token: c.token, sticky: spec.sticky}
	r.id = randomID("rule-", 20)
	for st.rules[r.id] != nil {
		r.id = randomID("rule-", 20)
	}
	r.rule = routing.Rule{ID: r.id, Name: spec.name, Priority: spec.priority, Direction: spec.direction, Conditions: spec.conds, Actions: spec.acts}
	st.rules[r.id] = r
	st.ruleOrder = append(st.ruleOrder, r.id)
	st.track(&r.resource)
	return r
}

// checkNewRule runs the checks of one rule being created on l.
func (s *Server) checkNewRule(spec *ruleSpec, l *lsnState, lb *lbState, f edition.Features, now time.Time) *apiError {
	if e := checkRuleEdition(spec, f); e != nil {
		return e
	}
	return s.checkRuleTargets(spec, l, lb, now)
}

func (s *Server) opCreateRule(c *call) (any, *apiError) {
	fields := []string{"RuleName", "Priority", "Direction", "RuleConditions", "RuleActions", "Tag"}
	spec, e := decodeRule(topRule(c.p, fields...), "", true, fields...)
	if e != nil {
		return nil, e
	}
	if e := checkRuleValues(spec); e != nil {
		return nil, e
	}
	lsnID := c.p.Get("ListenerId")
	if lsnID == "" {
		return nil, missing("ListenerId")
	}
	l, lb, f, e := s.ruleContext(lsnID, c.now)
	if e != nil {
		return nil, e
	}
	if e := s.checkNewRule(spec, l, lb, f, c.now); e != nil {
		return nil, e
	}
	if e := s.st.checkPriorities([]prioKey{{l.id, spec.direction, spec.priority}}, nil); e != nil {
		return nil, e
	}
	if e := s.st.checkRuleQuota(lb, 1); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	r := s.newRule(spec, l, c)
	j := s.begin(&r.resource, c.now, change{phase: PhaseProvisioning, api: "CreateRule", operate: "Create",
		done: func(time.Time) outcome { return outcome{status: "Available"} }})
	return &albsdk.CreateRuleResponseBody{RequestId: sp(c.requestID), RuleId: sp(r.id), JobId: sp(j.id)}, nil
}

// ruleItems reads the Rules.N items of a batch (1–maxN).
func ruleItems(c *call, maxN int) ([]*pnode, *apiError) {
	tree := paramTree(c.p, "Rules")
	items, e := tree.items()
	if e != nil {
		return nil, e
	}
	if len(items) == 0 {
		return nil, missing("Rules")
	}
	if len(items) > maxN {
		return nil, errf(400, "InvalidParameter", "The number of Rules must be between 1 and %d, not %d.", maxN, len(items))
	}
	return items, nil
}

func (s *Server) opCreateRules(c *call) (any, *apiError) {
	items, e := ruleItems(c, maxRulesPerCall)
	if e != nil {
		return nil, e
	}
	specs := make([]*ruleSpec, len(items))
	for i, it := range items {
		if specs[i], e = decodeRule(it, it.name+".", true, "RuleName", "Priority", "Direction", "RuleConditions", "RuleActions", "Tag"); e != nil {
			return nil, e
		}
		if e := checkRuleValues(specs[i]); e != nil {
			return nil, e
		}
	}
	lsnID := c.p.Get("ListenerId")
	if lsnID == "" {
		return nil, missing("ListenerId")
	}
	l, lb, f, e := s.ruleContext(lsnID, c.now)
	if e != nil {
		return nil, e
	}
	want := make([]prioKey, len(specs))
	for i, spec := range specs {
		if e := s.checkNewRule(spec, l, lb, f, c.now); e != nil {
			return nil, e
		}
		want[i] = prioKey{l.id, spec.direction, spec.priority}
	}
	if e := s.st.checkPriorities(want, nil); e != nil {
		return nil, e
	}
	if e := s.st.checkRuleQuota(lb, len(specs)); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	out := &albsdk.CreateRulesResponseBody{RequestId: sp(c.requestID), RuleIds: []*albsdk.CreateRulesResponseBodyRuleIds{}}
	rs := make([]*resource, len(specs))
	created := make([]*ruleState, len(specs))
	for i, spec := range specs {
		created[i] = s.newRule(spec, l, c)
		rs[i] = &created[i].resource
		out.RuleIds = append(out.RuleIds, &albsdk.CreateRulesResponseBodyRuleIds{RuleId: sp(created[i].id), Priority: int32Ptr(int32(spec.priority))})
	}
	j := s.beginBatch(rs, c.now, change{phase: PhaseProvisioning, api: "CreateRules", operate: "Create",
		done: func(time.Time) outcome { return outcome{status: "Available"} }})
	out.JobId = sp(j.id)
	return out, nil
}

// ruleUpdate is one rule of an update call, merged and checked.
type ruleUpdate struct {
	r      *ruleState
	next   routing.Rule
	sticky []bool
}

// prepareUpdate merges spec over r's rule and checks the result.
func (s *Server) prepareUpdate(r *ruleState, spec *ruleSpec, now time.Time) (ruleUpdate, prioKey, *apiError) {
	next := r.rule
	next.Conditions, next.Actions = slices.Clone(next.Conditions), slices.Clone(next.Actions)
	sticky := slices.Clone(r.sticky)
	if spec.nameSet {
		next.Name = spec.name
	}
	if spec.prioSet {
		next.Priority = spec.priority
	}
	if spec.condsSet {
		next.Conditions = spec.conds
	}
	if spec.actsSet {
		next.Actions, sticky = spec.acts, spec.sticky
	}
	merged := &ruleSpec{prefix: spec.prefix, name: next.Name, priority: next.Priority, direction: dirOf(next), conds: next.Conditions, acts: next.Actions}
	key := prioKey{r.lsnID, dirOf(next), next.Priority}
	if e := checkRuleValues(merged); e != nil {
		return ruleUpdate{}, key, e
	}
	l, lb, f, e := s.ruleContext(r.lsnID, now)
	if e != nil {
		return ruleUpdate{}, key, e
	}
	if e := s.checkNewRule(merged, l, lb, f, now); e != nil {
		return ruleUpdate{}, key, e
	}
	if e := ruleWritable(r); e != nil {
		return ruleUpdate{}, key, e
	}
	return ruleUpdate{r: r, next: next, sticky: sticky}, key, nil
}

// applyUpdates marks the rules Configuring with their pending rule and
// returns the function that makes the change.
func applyUpdates(ups []ruleUpdate) func(time.Time) outcome {
	for _, u := range ups {
		n := u.next
		u.r.next, u.r.nextSticky = &n, u.sticky
		u.r.wasAvailable = true
	}
	return func(time.Time) outcome {
		for _, u := range ups {
			if !u.r.deleted && u.r.next != nil {
				u.r.rule, u.r.sticky = *u.r.next, u.r.nextSticky
				u.r.next, u.r.nextSticky = nil, nil
			}
		}
		return outcome{status: "Available"}
	}
}

// opUpdateRuleAttribute replaces what it gives (RuleName, Priority, the
// whole RuleConditions, the whole RuleActions: GUESS that a given list
// replaces the rule's); the rule reads its old form until the Configuring
// transition completes.
func (s *Server) opUpdateRuleAttribute(c *call) (any, *apiError) {
	fields := []string{"RuleId", "RuleName", "Priority", "RuleConditions", "RuleActions"}
	spec, e := decodeRule(topRule(c.p, fields...), "", false, fields...)
	if e != nil {
		return nil, e
	}
	if spec.id == "" {
		return nil, missing("RuleId")
	}
	r, e := s.ruleByID(spec.id, c.now, false)
	if e != nil {
		return nil, e
	}
	up, key, e := s.prepareUpdate(r, spec, c.now)
	if e != nil {
		return nil, e
	}
	if e := s.st.checkPriorities([]prioKey{key}, map[string]bool{r.id: true}); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.begin(&r.resource, c.now, change{phase: PhaseConfiguring, api: "UpdateRuleAttribute", operate: "Update", done: applyUpdates([]ruleUpdate{up})})
	return &albsdk.UpdateRuleAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opUpdateRulesAttribute(c *call) (any, *apiError) {
	items, e := ruleItems(c, maxRulesPerCall)
	if e != nil {
		return nil, e
	}
	specs := make([]*ruleSpec, len(items))
	for i, it := range items {
		if specs[i], e = decodeRule(it, it.name+".", false, "RuleId", "RuleName", "Priority", "RuleConditions", "RuleActions"); e != nil {
			return nil, e
		}
		if specs[i].id == "" {
			return nil, missing(it.name + ".RuleId")
		}
	}
	ups := make([]ruleUpdate, len(specs))
	keys := make([]prioKey, len(specs))
	except := map[string]bool{}
	for i, spec := range specs {
		if except[spec.id] {
			return nil, errf(400, "InvalidParameter", "The rule %s is given twice.", truncate(spec.id, 64))
		}
		except[spec.id] = true
		r, e := s.ruleByID(spec.id, c.now, false)
		if e != nil {
			return nil, e
		}
		if ups[i], keys[i], e = s.prepareUpdate(r, spec, c.now); e != nil {
			return nil, e
		}
	}
	if e := s.st.checkPriorities(keys, except); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	rs := make([]*resource, len(ups))
	for i, u := range ups {
		rs[i] = &u.r.resource
	}
	j := s.beginBatch(rs, c.now, change{phase: PhaseConfiguring, api: "UpdateRulesAttribute", operate: "Update", done: applyUpdates(ups)})
	return &albsdk.UpdateRulesAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// deletable checks a rule for deletion: Available (or CreateFailed: GUESS)
// and its listener Running or Stopped.
func (s *Server) deletable(r *ruleState, now time.Time) *apiError {
	if r.status != "CreateFailed" {
		if e := ruleWritable(r); e != nil {
			return e
		}
	}
	_, _, _, e := s.ruleContext(r.lsnID, now)
	return e
}

// startDeletion shows the rules Deleting (they give up their priorities,
// quota and server groups at once) and returns what removes them.
func (s *Server) startDeletion(rs []*ruleState) func(time.Time) outcome {
	for _, r := range rs {
		r.wasAvailable = r.status == "Available"
	}
	return func(now time.Time) outcome {
		for _, r := range rs {
			if !r.deleted {
				s.removeRule(r, now)
			}
		}
		return outcome{status: "Deleted"}
	}
}

// opDeleteRule shows Deleting until the transition completes, then the
// rule is gone. The Terraform provider does not wait for it.
func (s *Server) opDeleteRule(c *call) (any, *apiError) {
	id := c.p.Get("RuleId")
	if id == "" {
		return nil, missing("RuleId")
	}
	r, e := s.ruleByID(id, c.now, false)
	if e != nil {
		return nil, e
	}
	if e := s.deletable(r, c.now); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.begin(&r.resource, c.now, change{phase: PhaseDeleting, api: "DeleteRule", operate: "Delete", done: s.startDeletion([]*ruleState{r})})
	return &albsdk.DeleteRuleResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opDeleteRules(c *call) (any, *apiError) {
	ids, e := list(c.p, "RuleIds")
	if e != nil {
		return nil, e
	}
	switch {
	case len(ids) == 0:
		return nil, missing("RuleIds")
	case len(ids) > maxRuleIDsPerDelete:
		return nil, errf(400, "InvalidParameter", "The number of RuleIds must be between 1 and %d, not %d.", maxRuleIDsPerDelete, len(ids))
	}
	var rs []*ruleState
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, errf(400, "InvalidParameter", "The rule %s is given twice.", truncate(id, 64))
		}
		seen[id] = true
		r, e := s.ruleByID(id, c.now, false)
		if e != nil {
			return nil, e
		}
		if e := s.deletable(r, c.now); e != nil {
			return nil, e
		}
		rs = append(rs, r)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	res := make([]*resource, len(rs))
	for i, r := range rs {
		res[i] = &r.resource
	}
	j := s.beginBatch(res, c.now, change{phase: PhaseDeleting, api: "DeleteRules", operate: "Delete", done: s.startDeletion(rs)})
	return &albsdk.DeleteRulesResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// removeRule forgets a deleted rule. A pending change of it ends its job
// (Succeeded for a deletion, Failed otherwise: its listener went).
func (s *Server) removeRule(r *ruleState, now time.Time) {
	st := s.st
	if r.pending != nil {
		out := outcome{errCode: "ResourceNotFound.Listener", errMsg: "The listener of the rule was deleted."}
		if r.status == "Deleting" {
			out = outcome{status: "Deleted"}
		}
		s.dropPending(&r.resource, out, now)
	}
	r.deleted = true
	r.status = "Deleted"
	delete(st.rules, r.id)
	st.untrack(r.id)
	st.ruleOrder = slices.DeleteFunc(st.ruleOrder, func(id string) bool { return id == r.id })
}

// ruleFilter is the set of ListRules filters.
type ruleFilter struct {
	ids, lsnIDs, lbIDs []string
	dir                routing.Direction
	tags               []tagKV
}

func parseRuleFilter(c *call) (*ruleFilter, *apiError) {
	f := &ruleFilter{dir: routing.DirectionRequest}
	var e *apiError
	for _, l := range []struct {
		name string
		to   *[]string
	}{{"RuleIds", &f.ids}, {"ListenerIds", &f.lsnIDs}, {"LoadBalancerIds", &f.lbIDs}} {
		if *l.to, e = list(c.p, l.name); e != nil {
			return nil, e
		}
		if len(*l.to) > 20 {
			return nil, errf(400, "InvalidParameter", "%s takes at most 20 values.", l.name)
		}
	}
	d, e := enum(c.p, "Direction", false, "Request", "Response")
	if e != nil {
		return nil, e
	}
	if d == "Response" {
		f.dir = routing.DirectionResponse
	}
	if f.tags, e = tags(c.p, 20, 128); e != nil {
		return nil, e
	}
	return f, nil
}

// opListRules lists the rules of one direction (Request unless Direction
// says Response: the service returns Response rules only when asked),
// filtered by RuleIds, ListenerIds, LoadBalancerIds and tags, in creation
// order. A page showing a rule counts as a read (a poll) of it; the rules
// of one batch read alike (settleOnce).
func (s *Server) opListRules(c *call) (any, *apiError) {
	f, e := parseRuleFilter(c)
	if e != nil {
		return nil, e
	}
	var match []*ruleState
	for _, id := range slices.Clone(s.st.ruleOrder) {
		r := s.st.rules[id]
		if r == nil {
			continue
		}
		s.settle(&r.resource, c.now, false)
		if r.deleted || dirOf(r.rule) != f.dir || !inFilter(f.ids, r.id) || !inFilter(f.lsnIDs, r.lsnID) || !inFilter(f.lbIDs, r.lbID) || !hasTags(r.tags, f.tags) {
			continue
		}
		match = append(match, r)
	}
	start, end, maxResults, next, e := page(c.p, len(match))
	if e != nil {
		return nil, e
	}
	shown := match[start:end]
	rs := make([]*resource, len(shown))
	for i, r := range shown {
		rs[i] = &r.resource
	}
	s.settleOnce(rs, c.now)
	out := &albsdk.ListRulesResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TotalCount: int32Ptr(int32(len(match))), Rules: []*albsdk.ListRulesResponseBodyRules{},
	}
	for _, r := range shown {
		if !r.deleted {
			out.Rules = append(out.Rules, r.listItem())
		}
	}
	return out, nil
}
