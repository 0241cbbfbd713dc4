package alb

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/albkit/albkit/routing"
)

// RuleStepKind says what a [RuleStep] does.
type RuleStepKind string

// The kinds of rule steps.
const (
	RuleStepCreate RuleStepKind = "create" // CreateRules
	RuleStepUpdate RuleStepKind = "update" // UpdateRulesAttribute
	RuleStepDelete RuleStepKind = "delete" // DeleteRules
)

// RuleStep is one forwarding-rule write of a [ListenerPlan], in the order
// the plan applies them.
type RuleStep struct {
	// Kind is create, update or delete.
	Kind RuleStepKind
	// RuleID is the existing rule an update or delete writes ("" for a
	// create).
	RuleID string
	// Rule is the rule after the step (create, update: its name,
	// direction, priority, conditions and actions), or the rule deleted.
	Rule RuleSpec
	// FromPriority is the rule's priority before an update or delete.
	FromPriority int
	// Conditions and Actions say which lists an update replaces (a
	// priority-only update sends neither).
	Conditions, Actions bool
	// Temporary marks a move to a free priority that keeps the rules'
	// order safe while others change: the rule moves again (or is deleted)
	// later in the plan.
	Temporary bool
	// Replaces, on a create, is the ID of the rule of the same name whose
	// conditions change: the new version is created beside it and the old
	// one deleted later, because changing the conditions in place would
	// open a window where traffic matches a rule of neither table.
	Replaces string

	comp int // the component of rules that may match one request (batching)
	// rename: an update that also sends RuleName (ForwardingRules.Update;
	// a plan matches rules by name and never renames one).
	rename bool
}

// String is one line: the step, its rule and what changes.
func (s RuleStep) String() string {
	r := s.Rule
	dir := ""
	if r.direction() == routing.DirectionResponse {
		dir = " (Response)"
	}
	switch s.Kind {
	case RuleStepCreate:
		out := fmt.Sprintf("create rule %s%s at priority %d", r.Name, dir, r.Priority)
		if s.Replaces != "" {
			out += ", replacing " + s.Replaces + " (its conditions change)"
		}
		return out
	case RuleStepDelete:
		return fmt.Sprintf("delete rule %s %s%s (priority %d)", r.Name, s.RuleID, dir, s.FromPriority)
	}
	var parts []string
	if s.FromPriority != r.Priority {
		p := fmt.Sprintf("priority %d → %d", s.FromPriority, r.Priority)
		if s.Temporary {
			p += " (temporary)"
		}
		parts = append(parts, p)
	}
	if s.Conditions {
		parts = append(parts, "conditions")
	}
	if s.Actions {
		parts = append(parts, "actions")
	}
	return fmt.Sprintf("update rule %s %s%s: %s", r.Name, s.RuleID, dir, joinComma(parts))
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}

// errNoFreePriority: the planner found no free priority to move a rule to.
var errNoFreePriority = errors.New("no free priority")

const maxPriority = 10000

// ruleNode is a rule as one table sees it: a rule of the current table
// (old), of the wanted table (new), or of both with the same conditions
// (old and new). A rule whose conditions change is two nodes.
type ruleNode struct {
	name    string
	conds   []routing.Condition
	old     bool      // in the current table
	new     bool      // in the wanted table
	foreign bool      // not managed: never written
	final   int       // new: the wanted priority
	spec    RuleSpec  // new: the wanted rule
	oldOf   *ruleNode // new, conditions changed: the current version
	newOf   *ruleNode // old, conditions changed: the wanted version
	comp    int
	nbrs    []*ruleNode // the nodes it may share a request with
	phys    *physRule   // the live rule that is this node, while present
	placed  bool        // new: in its final place
	gone    bool        // old only: deleted, or removed by an update
}

// physRule is a live rule of the simulated listener.
type physRule struct {
	id   string
	pos  int
	spec RuleSpec // its current name, priority, conditions, actions
	node *ruleNode
}

// component is a set of nodes that may share requests, with its progress:
// placed are the new nodes in their final places (all before present),
// present the old nodes still live, in priority order.
type component struct {
	id      int
	order   []*ruleNode // new nodes by final priority
	present []*ruleNode // old nodes still live, by position
	placed  []*ruleNode
}

// rulePlanner orders one direction's rule changes.
type rulePlanner struct {
	occ      map[int]*physRule
	comps    []*component
	reserved map[int]bool // finals of new nodes not yet placed
	steps    []RuleStep
	early    bool // early removals allowed (the default action does not change)
}

// planRuleSteps orders the writes that turn the current rules into the
// wanted ones for one direction. existing are the current rules with the
// node each is; nodes are all nodes. early says the listener's default
// action does not change (removing an old rule early is then safe when its
// neighbours are settled). It returns the steps and the steps that must
// wait until after a default action change (the removals of the rules
// left), in order.
func planRuleSteps(nodes []*ruleNode, phys []*physRule, early bool, ov *overlapper, compBase int) (placements, removals []RuleStep, err error) {
	p := &rulePlanner{occ: map[int]*physRule{}, reserved: map[int]bool{}, early: early}
	for _, r := range phys {
		p.occ[r.pos] = r
	}
	// Components: nodes that may share a request, transitively.
	parent := make([]int, len(nodes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, a := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			b := nodes[j]
			if ov.mayOverlap(a.conds, b.conds) {
				a.nbrs = append(a.nbrs, b)
				b.nbrs = append(b.nbrs, a)
				parent[find(i)] = find(j)
			}
		}
	}
	byRoot := map[int]*component{}
	for i, n := range nodes {
		root := find(i)
		c := byRoot[root]
		if c == nil {
			c = &component{}
			byRoot[root] = c
			p.comps = append(p.comps, c)
		}
		if n.new {
			c.order = append(c.order, n)
			if !n.foreign {
				p.reserved[n.final] = true
			}
		}
		if n.old && n.phys != nil {
			c.present = append(c.present, n)
		}
	}
	key := func(c *component) int {
		k := maxPriority + 1
		for _, n := range c.order {
			k = min(k, n.final)
		}
		for _, n := range c.present {
			k = min(k, n.phys.pos)
		}
		return k
	}
	slices.SortStableFunc(p.comps, func(a, b *component) int { return cmp.Compare(key(a), key(b)) })
	for i, c := range p.comps {
		c.id = compBase + i
		for _, n := range append(slices.Clone(c.order), c.present...) {
			n.comp = c.id
		}
		slices.SortFunc(c.order, func(a, b *ruleNode) int { return cmp.Compare(a.final, b.final) })
		slices.SortFunc(c.present, func(a, b *ruleNode) int { return cmp.Compare(a.phys.pos, b.phys.pos) })
	}
	if p.early {
		for _, c := range p.comps {
			p.removeSettled(c, false)
		}
	}
	for _, c := range p.comps {
		for _, n := range c.order {
			if err := p.place(c, n); err != nil {
				return nil, nil, err
			}
			if p.early {
				p.removeSettled(c, false)
				if n.oldOf != nil {
					p.removeSettled(p.compOf(n.oldOf), false)
				}
			}
		}
		if p.early {
			p.removeSettled(c, true)
		}
	}
	placements = p.steps
	p.steps = nil
	for _, c := range p.comps {
		p.removeSettled(c, true)
	}
	return placements, p.steps, nil
}

func (p *rulePlanner) compOf(n *ruleNode) *component {
	for _, c := range p.comps {
		if c.id == n.comp {
			return c
		}
	}
	return nil
}

// settled reports whether removing the old node x (present) changes no
// request's rule to one of neither table: each node it may share a request
// with is placed, gone, except, an old node live before it, or a rule
// that stays as it is (the same in both tables, live after it: the
// request then goes where the wanted table sends it, provided two such
// rules that may share a request are already in their wanted order).
func (p *rulePlanner) settled(c *component, x, except *ruleNode) bool {
	before := map[*ruleNode]bool{}
	for _, y := range c.present {
		if y == x {
			break
		}
		before[y] = true
	}
	var stays []*ruleNode
	for _, y := range x.nbrs {
		switch {
		case y == except || y.placed || y.gone || before[y]:
		case unchanged(y):
			stays = append(stays, y)
		default:
			return false
		}
	}
	for i, a := range stays {
		for _, b := range stays[i+1:] {
			if slices.Contains(a.nbrs, b) && (a.phys.pos < b.phys.pos) != (a.final < b.final) {
				return false
			}
		}
	}
	return true
}

// unchanged reports whether n is a live rule the same in both tables
// (conditions and actions; its priority may change).
func unchanged(n *ruleNode) bool {
	return n.old && n.new && n.phys != nil && (n.foreign || actionsKey(n.phys.spec.Actions) == actionsKey(n.spec.Actions))
}

// removeSettled deletes the old-only nodes of c whose removal is safe, the
// last first. With all, every old-only node is taken (c is complete), but
// not the old version of a rule whose new version is still to be placed
// (an in-place update may remove it).
func (p *rulePlanner) removeSettled(c *component, all bool) {
	for changed := true; changed; {
		changed = false
		for i := len(c.present) - 1; i >= 0; i-- {
			x := c.present[i]
			if x.new || x.foreign {
				continue
			}
			if x.newOf != nil && !x.newOf.placed {
				continue
			}
			if !all && !p.settled(c, x, nil) {
				continue
			}
			if all && i != len(c.present)-1 && !p.settled(c, x, nil) {
				continue // the last ones first
			}
			p.emitDelete(c, x)
			changed = true
			break
		}
	}
}

func (p *rulePlanner) emitDelete(c *component, x *ruleNode) {
	r := x.phys
	p.steps = append(p.steps, RuleStep{Kind: RuleStepDelete, RuleID: r.id, Rule: r.spec, FromPriority: r.pos, comp: c.id})
	delete(p.occ, r.pos)
	x.phys, x.gone = nil, true
	c.present = slices.DeleteFunc(c.present, func(y *ruleNode) bool { return y == x })
}

// place puts the new node n in its final place: an in-place update of its
// current version when that is safe, else a create (beside the old
// version, deleted later).
func (p *rulePlanner) place(c *component, n *ruleNode) error {
	var cur *ruleNode // the live node an in-place update turns into n
	switch {
	case n.old:
		cur = n
	case n.oldOf != nil && n.oldOf.phys != nil && p.early && p.settled(p.compOf(n.oldOf), n.oldOf, n):
		cur = n.oldOf
	}
	// The live rules of c must end above n's final priority, in their
	// order. cur may be passed by them only when it already is what it
	// becomes (a request it takes from them is then the wanted table's);
	// otherwise it keeps its place among them until it jumps to n.
	rest, self := c.present, cur
	if cur != nil && conditionsKey(cur.phys.spec.Conditions) == conditionsKey(n.spec.Conditions) && actionsKey(cur.phys.spec.Actions) == actionsKey(n.spec.Actions) {
		rest, self = slices.DeleteFunc(slices.Clone(c.present), func(y *ruleNode) bool { return y == cur }), nil
	}
	if err := p.ensureAbove(c, rest, n.final, self); err != nil {
		return err
	}
	if occ := p.occ[n.final]; occ != nil && (cur == nil || occ != cur.phys) {
		if err := p.vacate(occ, n.final); err != nil {
			return err
		}
	}
	delete(p.reserved, n.final)
	if cur == nil {
		r := &physRule{pos: n.final, spec: n.spec, node: n}
		st := RuleStep{Kind: RuleStepCreate, Rule: n.spec, comp: c.id}
		if n.oldOf != nil && n.oldOf.phys != nil {
			st.Replaces = n.oldOf.phys.id
		}
		p.steps = append(p.steps, st)
		p.occ[n.final] = r
		n.phys = r
	} else {
		r := cur.phys
		st := RuleStep{Kind: RuleStepUpdate, RuleID: r.id, Rule: n.spec, FromPriority: r.pos, comp: c.id,
			Conditions: conditionsKey(r.spec.Conditions) != conditionsKey(n.spec.Conditions),
			Actions:    actionsKey(r.spec.Actions) != actionsKey(n.spec.Actions)}
		if st.Conditions || st.Actions || r.pos != n.final {
			p.steps = append(p.steps, st)
		}
		delete(p.occ, r.pos)
		r.pos, r.spec, r.node = n.final, n.spec, n
		p.occ[n.final] = r
		n.phys = r
		if cur != n {
			cur.phys, cur.gone = nil, true
			oc := p.compOf(cur)
			oc.present = slices.DeleteFunc(oc.present, func(y *ruleNode) bool { return y == cur })
		}
		c.present = slices.DeleteFunc(c.present, func(y *ruleNode) bool { return y == n })
	}
	n.placed = true
	c.placed = append(c.placed, n)
	return nil
}

// ensureAbove moves the live old nodes rest of c (in priority order) that
// are at bound or below to free priorities above bound, keeping their
// order: the first that must move takes the smallest free priority above
// bound (its final one when that fits), and so on; the moves are made last
// first, so no rule ever passes another of its component. self, the node
// about to be updated into its final place, stays where it is unless a
// node before it must move (it is then moved along, to keep the order).
func (p *rulePlanner) ensureAbove(c *component, rest []*ruleNode, bound int, self *ruleNode) error {
	type move struct {
		n  *ruleNode
		to int
	}
	var moves []move
	lo := bound
	for i, x := range rest {
		if x.phys.pos > lo {
			lo = x.phys.pos
			continue
		}
		if x == self && len(moves) == 0 {
			continue // nothing passes it: it jumps to its new place itself
		}
		if x.foreign {
			return fmt.Errorf("%w: rule %s, not managed, is in the way", errNoFreePriority, x.name)
		}
		limit := maxPriority + 1
		for _, y := range rest[i+1:] {
			if y.foreign {
				limit = y.phys.pos
				break
			}
		}
		free := func(s int) bool {
			r := p.occ[s]
			if r == nil {
				return true
			}
			// Taken by a later node of rest: it moves first, higher.
			return slices.ContainsFunc(rest[i+1:], func(y *ruleNode) bool { return y.phys == r })
		}
		s := 0
		jumps := slices.ContainsFunc(rest[i+1:], func(y *ruleNode) bool { return y.phys.pos > lo && y.phys.pos < x.final })
		if x.new && x.final > lo && x.final < limit && !jumps && p.occ[x.final] == nil && !p.reservedFor(x.final, x) {
			s = x.final
		} else {
			// Above every final priority c still has to place, where no
			// later placement will need it moved again; else just above.
			high := lo
			for _, y := range c.order {
				if !y.placed && y != x {
					high = max(high, y.final)
				}
			}
			if s = p.slot(high+1, limit, free, x); s == 0 {
				s = p.slot(lo+1, limit, free, x)
			}
		}
		if s == 0 {
			return fmt.Errorf("%w above %d for rule %s", errNoFreePriority, bound, x.name)
		}
		moves = append(moves, move{x, s})
		lo = s
	}
	for i := len(moves) - 1; i >= 0; i-- {
		p.move(c, moves[i].n, moves[i].to)
	}
	return nil
}

// reservedFor reports whether s is the final priority of a new node other
// than x still to be placed.
func (p *rulePlanner) reservedFor(s int, x *ruleNode) bool {
	return p.reserved[s] && !(x.new && x.final == s)
}

// slot returns a priority in [from, to) for x that free accepts,
// preferring one no unplaced rule wants; 0 if there is none.
func (p *rulePlanner) slot(from, to int, free func(int) bool, x *ruleNode) int {
	to = min(to, maxPriority+1)
	fallback := 0
	for s := max(from, 1); s < to; s++ {
		if !free(s) {
			continue
		}
		if !p.reservedFor(s, x) {
			return s
		}
		if fallback == 0 {
			fallback = s
		}
	}
	return fallback
}

// move updates the live old node x's priority to s (x keeps its place in
// its component's order).
func (p *rulePlanner) move(c *component, x *ruleNode, s int) {
	r := x.phys
	to := r.spec
	to.Priority = s
	p.steps = append(p.steps, RuleStep{Kind: RuleStepUpdate, RuleID: r.id, Rule: to, FromPriority: r.pos, Temporary: !x.new || s != x.final, comp: c.id})
	delete(p.occ, r.pos)
	r.pos, r.spec = s, to
	p.occ[s] = r
}

// vacate frees priority at, taken by the live rule r of another
// component: deleted when that is safe and it is old only, else moved
// within its component's order (pushing the next one up if there is no
// room).
func (p *rulePlanner) vacate(r *physRule, at int) error {
	x := r.node
	c := p.compOf(x)
	if x.foreign || x.placed || c == nil {
		return fmt.Errorf("%w: priority %d is taken by rule %s", errNoFreePriority, at, r.spec.Name)
	}
	if p.early && !x.new && (x.newOf == nil || x.newOf.placed) && p.settled(c, x, nil) {
		p.emitDelete(c, x)
		return nil
	}
	if p.chain(x, at, map[*ruleNode]bool{}) {
		return nil
	}
	return p.shift(c, x, at, 0)
}

// chain moves the live node x, which the wanted table keeps, straight to
// its final priority, first moving the rule that holds it to its own final
// priority the same way (a run of rules shifting by one moves from the
// top down, each once); it reports false, having moved nothing of the
// failed link, when a link is not a kept rule, would leave its component's
// order, or closes a cycle (a swap needs a temporary priority).
func (p *rulePlanner) chain(x *ruleNode, avoid int, seen map[*ruleNode]bool) bool {
	if !x.new || x.foreign || x.placed || x.phys == nil || seen[x] || x.final == avoid || x.final == x.phys.pos {
		return false
	}
	seen[x] = true
	c := p.compOf(x)
	if y := p.occ[x.final]; y != nil && (y.node == nil || !p.chain(y.node, avoid, seen)) {
		return false
	}
	lo, hi, _ := p.window(c, x)
	if x.final <= lo || x.final >= hi || p.occ[x.final] != nil || p.reservedFor(x.final, x) {
		return false
	}
	p.move(c, x, x.final)
	return true
}

// window is the range (lo, hi) the live old node x of c may move within
// without passing another node of c: above c's placed nodes and its
// predecessor, below its successor (returned too).
func (p *rulePlanner) window(c *component, x *ruleNode) (lo, hi int, next *ruleNode) {
	hi = maxPriority + 1
	for _, y := range c.placed {
		if y.phys != nil {
			lo = max(lo, y.phys.pos)
		}
	}
	i := slices.Index(c.present, x)
	if i > 0 {
		lo = max(lo, c.present[i-1].phys.pos)
	}
	if i >= 0 && i+1 < len(c.present) {
		next = c.present[i+1]
		hi = next.phys.pos
	}
	return lo, hi, next
}

// shift moves the live old node x of c off priority avoid, within its
// window in c's order (above c's placed nodes and its predecessor, below
// its successor), pushing the successor up first when the window is full.
func (p *rulePlanner) shift(c *component, x *ruleNode, avoid, depth int) error {
	if depth > len(c.present)+1 {
		return fmt.Errorf("%w to move rule %s", errNoFreePriority, x.name)
	}
	lo, hi, next := p.window(c, x)
	free := func(s int) bool { return s != avoid && p.occ[s] == nil }
	s := 0
	if x.new && x.final > lo && x.final < hi && free(x.final) && !p.reservedFor(x.final, x) {
		s = x.final
	} else {
		// Nearest to where it is, upward first.
		for d := 1; s == 0 && (x.phys.pos+d < hi || x.phys.pos-d > lo); d++ {
			for _, cand := range []int{x.phys.pos + d, x.phys.pos - d} {
				if cand > lo && cand < hi && cand >= 1 && cand <= maxPriority && free(cand) && !p.reservedFor(cand, x) {
					s = cand
					break
				}
			}
		}
		if s == 0 {
			s = p.slot(lo+1, hi, free, x)
		}
	}
	if s == 0 {
		if next == nil || next.foreign {
			return fmt.Errorf("%w to move rule %s off priority %d", errNoFreePriority, x.name, avoid)
		}
		if err := p.shift(c, next, next.phys.pos, depth+1); err != nil {
			return err
		}
		return p.shift(c, x, avoid, depth+1)
	}
	p.move(c, x, s)
	return nil
}
