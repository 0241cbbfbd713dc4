package stack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/albkit/albkit/alb"
)

// Action is what a plan does with one resource.
type Action string

// The actions of a plan.
const (
	ActionCreate  Action = "create"  // the resource does not exist: it is made
	ActionUpdate  Action = "update"  // it exists and differs: changed in place
	ActionNone    Action = "none"    // it exists and matches
	ActionDelete  Action = "delete"  // the stack no longer lists it: deleted
	ActionRefused Action = "refused" // a check or an immutable field refuses it: nothing is written
)

// Item is the plan of one resource of the stack.
type Item struct {
	// Kind and Name are the resource ("server group", "api").
	Kind string `json:"kind"`
	Name string `json:"name"`
	// ID is the resource's ID when it exists.
	ID string `json:"id,omitempty"`
	// Action is what apply does with it.
	Action Action `json:"action"`
	// Adopted is true for a resource the stack's Adopt names.
	Adopted bool `json:"adopted,omitempty"`
	// Calls are the API writes apply makes for it, in order.
	Calls []string `json:"calls,omitempty"`
	// Changes are the differences, one line each (fields, servers, rules,
	// certificates).
	Changes []string `json:"changes,omitempty"`
	// Refusals say why the resource is refused, and what to do instead.
	Refusals []string `json:"refusals,omitempty"`
	// Findings are the live checks' results (blocking and warnings).
	Findings []alb.Finding `json:"findings,omitempty"`
	// SideEffects are billed or visible effects (EIPs, WAF activation,
	// bandwidth).
	SideEffects []string `json:"sideEffects,omitempty"`

	instance *alb.EnsurePlan
	create   *alb.CreatePlan
	group    *alb.ServerGroupPlan
	listener *alb.ListenerEnsurePlan
	policy   *alb.SecurityPolicyPlan
}

// Plan is what [Stack.Apply] would do with a stack, resource by resource, in the
// order apply follows: security policies and server groups, the instance,
// listeners (with their certificates and rules), then the deletions of
// resources the stack no longer lists (listeners, server groups, security
// policies). It is computed from live reads and makes no write.
type Plan struct {
	// Key is the stack's key.
	Key string `json:"key"`
	// Items are the resources, in apply order.
	Items []Item `json:"items"`

	stack *Stack // a copy of the stack planned, for Mermaid (mermaid.go)
}

// Blocked reports whether Apply would refuse the plan before any write:
// a resource refused, or a blocking finding.
func (p *Plan) Blocked() bool {
	for _, it := range p.Items {
		if it.Action == ActionRefused {
			return true
		}
	}
	return false
}

// Writes reports whether applying the plan writes anything.
func (p *Plan) Writes() bool {
	for _, it := range p.Items {
		if len(it.Calls) > 0 {
			return true
		}
	}
	return false
}

// Calls lists every API write the plan makes, in apply order (resources
// applied in parallel are listed in the plan's order).
func (p *Plan) Calls() []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Calls...)
	}
	return out
}

// Item returns the plan of the resource of kind named name.
func (p *Plan) Item(kind, name string) (Item, bool) {
	for _, it := range p.Items {
		if it.Kind == kind && it.Name == name {
			return it, true
		}
	}
	return Item{}, false
}

// String renders the plan for a person, in the manner of terraform plan:
// one block per resource marked "+" (create), "~" (update), "-" (delete),
// "!" (refused), then a summary line.
func (p *Plan) String() string {
	var b strings.Builder
	counts := map[Action]int{}
	for _, it := range p.Items {
		counts[it.Action]++
		if it.Action == ActionNone {
			continue
		}
		mark := map[Action]string{ActionCreate: "+", ActionUpdate: "~", ActionDelete: "-", ActionRefused: "!"}[it.Action]
		id := ""
		if it.ID != "" {
			id = " (" + it.ID + ")"
		}
		adopted := ""
		if it.Adopted {
			adopted = " [adopted]"
		}
		fmt.Fprintf(&b, "%s %s %s%s%s: %s\n", mark, it.Kind, it.Name, id, adopted, it.Action)
		for _, c := range it.Changes {
			b.WriteString("    " + c + "\n")
		}
		for _, r := range it.Refusals {
			b.WriteString("    refused: " + r + "\n")
		}
		for _, f := range it.Findings {
			b.WriteString("    " + string(f.Severity) + ": " + f.String() + "\n")
		}
		for _, s := range it.SideEffects {
			b.WriteString("    side effect: " + s + "\n")
		}
		if len(it.Calls) > 0 {
			b.WriteString("    calls: " + strings.Join(it.Calls, ", ") + "\n")
		}
	}
	fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d to delete, %d refused, %d unchanged; %d calls.",
		counts[ActionCreate], counts[ActionUpdate], counts[ActionDelete], counts[ActionRefused], counts[ActionNone], len(p.Calls()))
	return b.String()
}

// lines splits a plan's String into change lines without its header.
func lines(s string) []string {
	var out []string
	for i, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if i == 0 && strings.HasSuffix(l, ":") || l == "" {
			continue
		}
		out = append(out, l)
	}
	return out
}

// state is what a plan read of the stack's resources: their IDs by name,
// and the resources of the stack the file no longer lists.
type state struct {
	inst      *alb.Instance
	groups    map[string]*alb.ServerGroup // existing, by name
	policies  map[string]string           // existing, their IDs by name
	listeners map[string]*alb.Listener
	// orphans: resources carrying the stack's keys that it no longer lists.
	oldListeners []*alb.Listener
	oldGroups    []*alb.ServerGroup
	oldPolicies  []*alb.SecurityPolicy
}

// resolver returns the names' IDs: existing resources' IDs, stand-ins for
// the others.
func (st *state) resolver(s Stack) resolver {
	r := s.placeholders()
	if st.inst != nil {
		r.lb = st.inst.ID
	}
	for name, g := range st.groups {
		r.groups[name] = g.ID
	}
	maps.Copy(r.policies, st.policies)
	for name, l := range st.listeners {
		r.listeners[name] = l.ID
	}
	return r
}

// Plan reads the stack's resources through c and returns what
// [Stack.Apply] would do, without any write. An invalid stack is refused
// with an *[Error] before any call.
func (s Stack) Plan(ctx context.Context, c *alb.Client) (*Plan, error) {
	p, _, err := compute(ctx, c, s)
	return p, err
}

// compute is Compute, also returning what it read.
func compute(ctx context.Context, c *alb.Client, s Stack) (*Plan, *state, error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	st := &state{groups: map[string]*alb.ServerGroup{}, policies: map[string]string{}, listeners: map[string]*alb.Listener{}}
	p := &Plan{Key: s.Key, stack: s.snapshot()}

	// Security policies, server groups and the instance: their plans are
	// independent of one another.
	polItems := make([]Item, len(s.SecurityPolicies))
	grpItems := make([]Item, len(s.ServerGroups))
	var instItem Item
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i, sp := range s.SecurityPolicies {
		wg.Go(func() {
			it := Item{Kind: KindSecurityPolicy, Name: sp.Name}
			plan, err := c.SecurityPolicies().PlanEnsure(ctx, s.policySpec(sp), it.adopt(s.Adopt.SecurityPolicies[sp.Name])...)
			if err != nil {
				fail(fmt.Errorf("stack: planning security policy %s: %w", sp.Name, err))
				return
			}
			it.policy, it.ID = plan, plan.ID
			it.fromPlan(plan, plan.Create, plan.Blocked)
			if !plan.Create {
				// The plan read it: its ID is all the stack needs of it.
				mu.Lock()
				st.policies[sp.Name] = plan.ID
				mu.Unlock()
			}
			polItems[i] = it
		})
	}
	for i, g := range s.ServerGroups {
		wg.Go(func() {
			it := Item{Kind: KindServerGroup, Name: g.Name}
			plan, err := c.ServerGroups().PlanEnsure(ctx, s.groupSpec(g), it.adopt(s.Adopt.ServerGroups[g.Name])...)
			if err != nil {
				fail(fmt.Errorf("stack: planning server group %s: %w", g.Name, err))
				return
			}
			it.group, it.ID = plan, plan.ID
			it.fromPlan(plan, plan.Create, plan.Blocked)
			if !plan.Create {
				if cur, err := c.ServerGroups().Get(ctx, plan.ID); err == nil {
					mu.Lock()
					st.groups[g.Name] = cur
					mu.Unlock()
				} else {
					fail(fmt.Errorf("stack: reading server group %s: %w", g.Name, err))
				}
			}
			grpItems[i] = it
		})
	}
	wg.Go(func() {
		it := Item{Kind: KindInstance, Name: s.Instance.Name}
		spec := s.instanceSpec()
		plan, err := c.PlanEnsure(ctx, spec, it.adopt(s.Adopt.Instance)...)
		if err != nil {
			fail(fmt.Errorf("stack: planning the instance: %w", err))
			return
		}
		it.instance = plan
		if plan.Create {
			cp, err := c.PlanCreate(ctx, spec)
			if err != nil {
				fail(fmt.Errorf("stack: planning the instance's create: %w", err))
				return
			}
			it.create = cp
		} else {
			mu.Lock()
			st.inst = plan.Instance
			mu.Unlock()
		}
		it.fromInstancePlan(plan, it.create)
		instItem = it
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	if instItem.ID == "" && st.inst != nil {
		instItem.ID = st.inst.ID
	}

	// Listeners: against the instance (if it exists), the groups (existing
	// or planned) and each other.
	r := st.resolver(s)
	var others []alb.Listener
	if st.inst != nil {
		for l, err := range c.Listeners().List(ctx, alb.ListenerFilter{LoadBalancerIDs: []string{st.inst.ID}}) {
			if err != nil {
				return nil, nil, err
			}
			others = append(others, *l)
		}
	}
	// The instance as the stack makes it (an edition upgraded, an access
	// log enabled before the listeners' stage).
	facts := alb.ListenerFacts{Edition: s.Instance.Edition, VPCID: s.Instance.VPCID, Listeners: others, ServerGroups: map[string]alb.ServerGroup{},
		AccessLogEnabled: s.Instance.AccessLog.Enabled()}
	if st.inst != nil {
		facts.Edition, facts.VPCID = st.inst.Edition, st.inst.VPCID
		if s.Instance.Edition != "" {
			facts.Edition = s.Instance.Edition // the edition the instance is upgraded to first
		}
	}
	for _, g := range s.ServerGroups {
		if cur, ok := st.groups[g.Name]; ok {
			facts.ServerGroups[cur.ID] = *cur
		} else {
			facts.ServerGroups[r.group(g.Name)] = *plannedGroup(r.group(g.Name), s.groupSpec(g))
		}
	}
	for _, l := range s.Listeners {
		for _, rf := range s.listenerRefs(l) {
			if rf.kind == KindServerGroup && strings.HasPrefix(rf.name, "sgp-") {
				if _, ok := facts.ServerGroups[rf.name]; ok {
					continue
				}
				if g, err := c.ServerGroups().Get(ctx, rf.name); err == nil {
					facts.ServerGroups[g.ID] = *g
				} else if !errors.Is(err, alb.ErrNotFound) {
					return nil, nil, err
				}
			}
		}
	}
	stackRules, unmanagedRules := 0, 0 // against the instance's rule quota
	for _, l := range s.Listeners {
		stackRules += len(l.Rules)
	}
	if st.inst != nil {
		managed := map[string]bool{}
		for _, id := range s.Adopt.Listeners {
			managed[id] = true
		}
		for _, o := range others {
			if strings.HasPrefix(o.Token(), s.keyPrefix(KindListener)) {
				managed[o.ID] = true // the stack's own: kept as specified or deleted
			}
		}
		for rule, err := range c.ForwardingRules().List(ctx, alb.RuleFilter{LoadBalancerIDs: []string{st.inst.ID}}) {
			if err != nil {
				return nil, nil, err
			}
			if !managed[rule.ListenerID] {
				unmanagedRules++
			}
		}
	}
	kept := map[string]bool{} // the keys of the stack's listeners
	for _, l := range s.Listeners {
		kept[s.ResourceKey(KindListener, l.Name)] = true
	}
	lsnItems := make([]Item, len(s.Listeners))
	for i, l := range s.Listeners {
		it := Item{Kind: KindListener, Name: l.Name}
		spec := s.listenerSpec(l, r)
		var cur *alb.Listener
		if id := s.Adopt.Listeners[l.Name]; id != "" {
			it.Adopted = true
			got, err := c.Listeners().Get(ctx, id)
			if err != nil {
				return nil, nil, fmt.Errorf("stack: adopting listener %s (%s): %w", l.Name, id, err)
			}
			cur = got
		} else if st.inst != nil {
			got, err := c.Listeners().FindByToken(ctx, st.inst.ID, spec.IdempotencyKey)
			switch {
			case err == nil:
				cur = got
			case !errors.Is(err, alb.ErrNotFound):
				return nil, nil, err
			}
		}
		// Its own listener is not "another" listener on its port; the
		// others' rules are the stack's other listeners' and those of the
		// listeners it does not manage.
		lf := facts
		lf.OtherRules = unmanagedRules + stackRules - len(l.Rules)
		lf.Listeners = slices.DeleteFunc(slices.Clone(facts.Listeners), func(o alb.Listener) bool { return cur != nil && o.ID == cur.ID })
		it.Findings = alb.CheckListener(spec, lf)
		for i, f := range it.Findings {
			// A listener the stack made and no longer lists (one renamed)
			// holds the port: it is deleted after the new one is made.
			if f.Rule != alb.RuleListenerPortUnique {
				continue
			}
			for _, o := range lf.Listeners {
				tok := o.Token()
				if o.Port == l.Port && strings.HasPrefix(tok, s.keyPrefix(KindListener)) && !kept[tok] {
					it.Findings[i].Message += fmt.Sprintf(" (the stack's listener %q, which this apply would delete only after making this one)", strings.TrimPrefix(tok, s.keyPrefix(KindListener)))
					it.Findings[i].Fix = "apply the stack without the old listener first, then with the new one (a listener's name is its key: a rename is a delete and a create)"
				}
			}
		}
		if _, ours := findListener(s, l.QUICListenerID); ours {
			// The QUIC listener is the stack's (Validate checked it); it
			// may not exist yet, and its stand-in ID is not among lf's.
			it.Findings = slices.DeleteFunc(it.Findings, func(f alb.Finding) bool { return f.Rule == alb.RuleListenerQUICListenerUsable })
		}
		var lp *alb.ListenerPlan
		if cur != nil {
			st.listeners[l.Name] = cur
			it.ID = cur.ID
			certs, err := c.Listeners().ListCertificates(ctx, cur.ID)
			if err != nil {
				return nil, nil, err
			}
			var rules []alb.Rule
			for rule, err := range c.ForwardingRules().List(ctx, alb.RuleFilter{ListenerIDs: []string{cur.ID}}) {
				if err != nil {
					return nil, nil, err
				}
				rules = append(rules, *rule)
			}
			lp = alb.DiffListener(spec, cur, certs, rules)
		} else {
			lp = alb.DiffListener(spec, nil, nil, nil)
		}
		it.listener = &alb.ListenerEnsurePlan{Listener: cur, Plan: lp, Findings: it.Findings}
		it.fromListenerPlan(lp)
		lsnItems[i] = it
	}
	// The QUIC listeners others upgrade to come first.
	slices.SortStableFunc(lsnItems, func(a, b Item) int { return quicRank(s, a.Name) - quicRank(s, b.Name) })

	// What the stack made and no longer lists.
	var delItems []Item
	if st.inst != nil {
		keep := map[string]bool{}
		for _, l := range s.Listeners {
			keep[s.ResourceKey(KindListener, l.Name)] = true
		}
		for _, o := range others {
			if tok := o.Token(); strings.HasPrefix(tok, s.keyPrefix(KindListener)) && !keep[tok] {
				o := o
				st.oldListeners = append(st.oldListeners, &o)
				delItems = append(delItems, Item{Kind: KindListener, Name: strings.TrimPrefix(tok, s.keyPrefix(KindListener)), ID: o.ID,
					Action: ActionDelete, Calls: []string{"DeleteListener"}, Changes: []string{fmt.Sprintf("%s:%d with its rules", o.Protocol, o.Port)}})
			}
		}
	}
	keepGroups := map[string]bool{}
	for _, g := range s.ServerGroups {
		keepGroups[s.ResourceKey(KindServerGroup, g.Name)] = true
	}
	for g, err := range c.ServerGroups().List(ctx, alb.ServerGroupFilter{}) {
		if err != nil {
			return nil, nil, err
		}
		if tok := g.Token(); strings.HasPrefix(tok, s.keyPrefix(KindServerGroup)) && !keepGroups[tok] {
			st.oldGroups = append(st.oldGroups, g)
			delItems = append(delItems, Item{Kind: KindServerGroup, Name: g.Name, ID: g.ID, Action: ActionDelete, Calls: []string{"DeleteServerGroup"},
				Changes: []string{fmt.Sprintf("%s group with %d server(s)", g.Type, g.ServerCount)}})
		}
	}
	keepPolicies := map[string]bool{}
	for _, sp := range s.SecurityPolicies {
		keepPolicies[s.ResourceKey(KindSecurityPolicy, sp.Name)] = true
	}
	for sp, err := range c.SecurityPolicies().List(ctx) {
		if err != nil {
			return nil, nil, err
		}
		if tok := sp.Token(); strings.HasPrefix(tok, s.keyPrefix(KindSecurityPolicy)) && !keepPolicies[tok] {
			st.oldPolicies = append(st.oldPolicies, sp)
			delItems = append(delItems, Item{Kind: KindSecurityPolicy, Name: sp.Name, ID: sp.ID, Action: ActionDelete, Calls: []string{"DeleteSecurityPolicy"}})
		}
	}

	p.Items = append(p.Items, polItems...)
	p.Items = append(p.Items, grpItems...)
	p.Items = append(p.Items, instItem)
	p.Items = append(p.Items, lsnItems...)
	p.Items = append(p.Items, delItems...)
	return p, st, nil
}

// quicRank orders a stack's listeners so that the QUIC listeners others
// upgrade to come first.
func quicRank(s Stack, name string) int {
	for _, l := range s.Listeners {
		if l.QUICListenerID == name {
			return 0
		}
	}
	return 1
}

func (it *Item) refuse(reasons ...string) {
	it.Action = ActionRefused
	it.Refusals = append(it.Refusals, reasons...)
	it.Calls = nil
}

func differences(ds []alb.Difference) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

// changePlan is what a security policy's and a server group's plans have
// in common for an item.
type changePlan interface {
	Calls() []string
	String() string
	Writes() bool
}

// fromPlan sets the item's calls, changes and action from the plan of a
// security policy or a server group: refused for what no change can make
// (blocked), else create, update or nothing.
func (it *Item) fromPlan(plan changePlan, create bool, blocked []alb.Difference) {
	it.Calls = plan.Calls()
	it.Changes = lines(plan.String())
	switch {
	case len(blocked) > 0:
		it.refuse(differences(blocked)...)
	case create:
		it.Action = ActionCreate
	case plan.Writes():
		it.Action = ActionUpdate
	default:
		it.Action, it.Changes = ActionNone, nil
	}
}

// adopt returns the Ensure options that adopt the resource id (none when
// id is empty) and marks the item adopted.
func (it *Item) adopt(id string) []alb.EnsureOption {
	if id == "" {
		return nil
	}
	it.Adopted = true
	return []alb.EnsureOption{alb.EnsureID(id)}
}

func (it *Item) fromInstancePlan(plan *alb.EnsurePlan, create *alb.CreatePlan) {
	if plan.Instance != nil {
		it.ID = plan.Instance.ID
	}
	for _, ch := range plan.Plan.Changes {
		it.Changes = append(it.Changes, ch.String())
		it.Calls = append(it.Calls, ch.Calls...)
		it.SideEffects = append(it.SideEffects, ch.SideEffects...)
	}
	if create == nil {
		// A create's plan says the same, in more detail (EIPs, vSwitch
		// addresses, WAF billing): its side effects are used below.
		it.SideEffects = append(it.SideEffects, plan.Warnings...)
	}
	switch {
	case plan.Create:
		it.Action = ActionCreate
		it.Calls = append([]string{"CreateLoadBalancer"}, it.Calls...)
		it.Changes = append([]string{fmt.Sprintf("%s %s instance in %d zones", plan.Spec.AddressType, plan.Spec.Edition, len(plan.Spec.ZoneMappings))}, it.Changes...)
	case len(plan.Plan.Changes) > 0:
		it.Action = ActionUpdate
	default:
		it.Action = ActionNone
	}
	if create != nil {
		it.Findings = append(it.Findings, create.Findings...)
		for _, se := range create.SideEffects {
			it.SideEffects = append(it.SideEffects, se.Detail)
		}
		if len(create.Blocking()) > 0 {
			it.refuse("the create plan has blocking findings")
		}
	}
	if len(plan.Plan.Blocked) > 0 {
		it.refuse(differences(plan.Plan.Blocked)...)
	}
}

func (it *Item) fromListenerPlan(plan *alb.ListenerPlan) {
	it.Calls = plan.Calls()
	it.Changes = lines(plan.String())
	switch {
	case plan.Create:
		it.Action = ActionCreate
	case plan.Writes():
		it.Action = ActionUpdate
	default:
		it.Action, it.Changes = ActionNone, nil
	}
	if len(plan.Blocked) > 0 {
		it.refuse(differences(plan.Blocked)...)
	}
	for _, f := range it.Findings {
		if f.Severity == alb.SeverityBlocking {
			it.refuse(f.Resource + ": " + f.Message + " [" + f.Rule + "]")
		}
	}
}
