package stack

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

// snapshot returns a deep copy of the stack (through its JSON form, which
// names every field), so that a plan's picture stays the stack planned
// when the caller changes the stack afterwards.
func (s Stack) snapshot() *Stack {
	c := s
	if b, err := json.Marshal(s); err == nil {
		var d Stack
		if json.Unmarshal(b, &d) == nil {
			c = d
		}
	}
	return &c
}

// The states a Mermaid diagram marks, as class names.
const (
	markCreate    = "create"
	markUpdate    = "update"
	markDelete    = "delete"
	markRefused   = "refused"
	markUnchanged = "unchanged"
	markExternal  = "external" // a server group outside the stack
)

// mermaidStyles are the classes, in the order emitted.
var mermaidStyles = [][2]string{
	{markCreate, "fill:#dafbe1,stroke:#1a7f37,color:#1f2328"},
	{markUpdate, "fill:#fff8c5,stroke:#9a6700,color:#1f2328"},
	{markDelete, "fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-dasharray:5 3"},
	{markRefused, "fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-width:3px"},
	{markUnchanged, "fill:#f6f8fa,stroke:#8c959f,color:#1f2328"},
	{markExternal, "fill:#ffffff,stroke:#8c959f,color:#1f2328,stroke-dasharray:2 2"},
}

// markPrefix is the sign a label starts with, as in the text plan, so the
// diagram reads without its colours.
var markPrefix = map[string]string{markCreate: "+ ", markUpdate: "~ ", markDelete: "- ", markRefused: "! "}

var actionMark = map[Action]string{ActionCreate: markCreate, ActionUpdate: markUpdate, ActionDelete: markDelete, ActionRefused: markRefused, ActionNone: markUnchanged}

// mermaidMaxServers is how many servers of a group a diagram draws one by
// one; the others are counted in one node per state (changed servers
// first).
const mermaidMaxServers = 8

// Mermaid renders the plan as a Mermaid flowchart, for pull requests and
// docs (wrap it in a ```mermaid block): the instance, its listeners, their
// rules (by priority, with their conditions and their actions other than
// forwarding), the server groups the rules and the default actions forward
// to (edges labelled with the weights, "default" and "mirror"), the
// groups' servers, and the security policies the listeners use. Each node
// is marked with what apply does to it, by a class (create, update,
// delete, refused, unchanged; styled with classDef) and by the text plan's
// sign at the start of its label ("+", "~", "-", "!"): rules and servers
// too, from the listener's and the group's plans. Resources the plan
// deletes are drawn without their children; a server group outside the
// stack (an "sgp-…" ID) is drawn dashed. A group of more than 8 servers
// shows its changed ones first and counts the rest.
//
// The output depends only on the plan and the stack (node IDs follow the
// stack's order), so it can be kept as a golden file. A Plan not made by
// [Stack.Plan] (built by hand, or decoded from JSON) draws its items
// only.
func (p *Plan) Mermaid() string {
	d := &diagram{}
	sum := p.Summary()
	d.line("flowchart LR")
	d.line("  %%%% stack %s: %d to create, %d to update, %d to delete, %d refused, %d unchanged; %d calls",
		sanitizeComment(p.Key), sum.Create, sum.Update, sum.Delete, sum.Refused, sum.Unchanged, sum.Calls)

	s := p.stack
	if s == nil {
		s = p.itemsStack()
	}
	items := map[string]*Item{}
	var deleted []*Item
	for i := range p.Items {
		it := &p.Items[i]
		if it.Action == ActionDelete {
			deleted = append(deleted, it)
			continue
		}
		items[it.Kind+"\x00"+it.Name] = it
	}
	item := func(kind, name string) *Item { return items[kind+"\x00"+name] }

	// The instance.
	inst := item(KindInstance, s.Instance.Name)
	var detail []string
	if s.Instance.AddressType != "" {
		detail = append(detail, string(s.Instance.AddressType))
	}
	if s.Instance.Edition != "" {
		detail = append(detail, string(s.Instance.Edition))
	}
	if n := len(s.Instance.ZoneMappings); n > 0 {
		detail = append(detail, fmt.Sprintf("%d zones", n))
	}
	d.node("lb", markOf(inst), "instance "+s.Instance.Name, strings.Join(detail, " · "), idOf(inst))

	// Server groups by name, and those outside the stack as met.
	groupNode := map[string]string{}
	for i, g := range s.ServerGroups {
		if _, dup := groupNode[g.Name]; !dup {
			groupNode[g.Name] = fmt.Sprintf("g%d", i+1)
		}
	}
	var external []string
	group := func(ref string) string {
		if id, ok := groupNode[ref]; ok {
			return id
		}
		id := fmt.Sprintf("x%d", len(external)+1)
		groupNode[ref] = id
		external = append(external, ref)
		return id
	}
	policyNode := map[string]string{}
	for i, sp := range s.SecurityPolicies {
		if _, dup := policyNode[sp.Name]; !dup {
			policyNode[sp.Name] = fmt.Sprintf("p%d", i+1)
		}
	}

	// Listeners and their rules.
	for i, l := range s.Listeners {
		lid := fmt.Sprintf("l%d", i+1)
		it := item(KindListener, l.Name)
		mark := markOf(it)
		var detail []string
		if l.Protocol != "" {
			detail = append(detail, fmt.Sprintf("%s:%d", l.Protocol, l.Port))
		}
		if l.DefaultCertificateID != "" {
			detail = append(detail, "certificate "+l.DefaultCertificateID)
		}
		if l.SecurityPolicyID != "" {
			if _, ok := policyNode[l.SecurityPolicyID]; !ok {
				detail = append(detail, "TLS "+l.SecurityPolicyID)
			}
		}
		d.node(lid, mark, "listener "+l.Name, strings.Join(detail, " · "), idOf(it))
		d.edge("lb", lid, "", false)
		if pid, ok := policyNode[l.SecurityPolicyID]; ok {
			d.edge(lid, pid, "TLS policy", true)
		}
		if l.QUICListenerID != "" {
			if j := s.indexOf(KindListener, l.QUICListenerID); j >= 0 {
				d.edge(lid, fmt.Sprintf("l%d", j+1), "QUIC upgrade", true)
			}
		}
		ruleMarks, gone := ruleMarks(it)
		order := make([]int, len(l.Rules))
		for j := range order {
			order[j] = j
		}
		slices.SortStableFunc(order, func(a, b int) int { return compareRules(l.Rules[a], l.Rules[b]) })
		for _, j := range order {
			r := l.Rules[j]
			rid := fmt.Sprintf("%sr%d", lid, j+1)
			rmark := childMark(mark, ruleMarks[r.Name])
			d.node(rid, rmark, ruleTitle(r), ruleDetail(r)...)
			d.edge(lid, rid, "", false)
			for _, a := range r.Actions {
				if a.ForwardGroup != nil {
					tuples := a.ForwardGroup.ServerGroups
					for _, t := range tuples {
						label := ""
						if len(tuples) > 1 || t.Weight != 100 {
							label = strconv.Itoa(t.Weight)
						}
						d.edge(rid, group(t.ServerGroupID), label, false)
					}
				}
				if a.TrafficMirror != nil {
					for _, g := range a.TrafficMirror.ServerGroupIDs {
						d.edge(rid, group(g), "mirror", true)
					}
				}
			}
		}
		for k, r := range gone {
			rid := fmt.Sprintf("%sd%d", lid, k+1)
			d.node(rid, markDelete, ruleTitle(r), ruleDetail(r)...)
			d.edge(lid, rid, "", false)
		}
		for _, g := range l.DefaultServerGroupIDs {
			d.edge(lid, group(g), "default", true)
		}
	}

	// Server groups and their servers.
	for i, g := range s.ServerGroups {
		gid := fmt.Sprintf("g%d", i+1)
		if groupNode[g.Name] != gid {
			continue // a duplicate name: Validate refuses it
		}
		it := item(KindServerGroup, g.Name)
		mark := markOf(it)
		var detail []string
		for _, v := range []string{string(g.Type), string(g.Protocol), string(g.Scheduler)} {
			if v != "" {
				detail = append(detail, v)
			}
		}
		d.node(gid, mark, "server group "+g.Name, strings.Join(detail, " · "), idOf(it))
		d.servers(gid, mark, g.Servers, it)
	}
	for i, ref := range external {
		d.node(fmt.Sprintf("x%d", i+1), markExternal, "server group "+ref, "outside the stack")
	}

	// Security policies.
	for i, sp := range s.SecurityPolicies {
		pid := fmt.Sprintf("p%d", i+1)
		if policyNode[sp.Name] != pid {
			continue
		}
		it := item(KindSecurityPolicy, sp.Name)
		d.node(pid, markOf(it), "security policy "+sp.Name, strings.Join(tlsVersions(sp.TLSVersions), ", "), idOf(it))
	}

	// What the plan deletes.
	for i, it := range deleted {
		id := fmt.Sprintf("d%d", i+1)
		d.node(id, markDelete, it.Kind+" "+it.Name, append(slices.Clone(it.Changes), it.ID)...)
		if it.Kind == KindListener {
			d.edge("lb", id, "", false)
		}
	}

	for _, st := range mermaidStyles {
		d.line("  classDef %s %s", st[0], st[1])
	}
	return d.String()
}

// itemsStack is a stack of the plan's items' names, for a plan without
// its stack.
func (p *Plan) itemsStack() *Stack {
	s := &Stack{Key: p.Key}
	for _, it := range p.Items {
		if it.Action == ActionDelete {
			continue
		}
		switch it.Kind {
		case KindInstance:
			s.Instance.Name = it.Name
		case KindServerGroup:
			s.ServerGroups = append(s.ServerGroups, alb.ServerGroupSpec{Name: it.Name})
		case KindListener:
			s.Listeners = append(s.Listeners, Listener{Name: it.Name})
		case KindSecurityPolicy:
			s.SecurityPolicies = append(s.SecurityPolicies, alb.SecurityPolicySpec{Name: it.Name})
		}
	}
	return s
}

// markOf is a resource's mark: its plan's action (unchanged without one).
func markOf(it *Item) string {
	if it == nil {
		return markUnchanged
	}
	return cmp.Or(actionMark[it.Action], markUnchanged)
}

func idOf(it *Item) string {
	if it == nil {
		return ""
	}
	return it.ID
}

// childMark is the mark of a rule or a server: created with its parent,
// else its own step's.
func childMark(parent, own string) string {
	if parent == markCreate {
		return markCreate
	}
	return cmp.Or(own, markUnchanged)
}

// ruleMarks reads a listener's plan: the mark of each rule it writes, by
// name, and the rules it deletes that the stack no longer lists.
func ruleMarks(it *Item) (map[string]string, []alb.RuleSpec) {
	marks := map[string]string{}
	if it == nil || it.listener == nil || it.listener.Plan == nil {
		return marks, nil
	}
	deleted := map[string]alb.RuleSpec{}
	var order []string
	for _, st := range it.listener.Plan.Rules {
		name := st.Rule.Name
		switch st.Kind {
		case alb.RuleStepCreate:
			if st.Replaces != "" {
				marks[name] = markUpdate
			} else if marks[name] != markUpdate {
				marks[name] = markCreate
			}
		case alb.RuleStepUpdate:
			if marks[name] == "" {
				marks[name] = markUpdate
			}
		case alb.RuleStepDelete:
			if _, seen := deleted[name]; !seen {
				order = append(order, name)
			}
			deleted[name] = st.Rule
		}
	}
	var gone []alb.RuleSpec
	for _, name := range order {
		if _, kept := marks[name]; !kept && !ruleListed(it, name) {
			gone = append(gone, deleted[name])
		}
	}
	return marks, gone
}

// ruleListed reports whether the listener's plan keeps a rule named name
// (one that a step does not otherwise mention).
func ruleListed(it *Item, name string) bool {
	for _, st := range it.listener.Plan.Rules {
		if st.Rule.Name == name && st.Kind != alb.RuleStepDelete {
			return true
		}
	}
	return false
}

// compareRules orders rules as they are evaluated: Request before
// Response, then by priority.
func compareRules(a, b alb.RuleSpec) int {
	return cmp.Or(cmp.Compare(boolInt(a.Direction == routing.DirectionResponse), boolInt(b.Direction == routing.DirectionResponse)),
		cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Name, b.Name))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ruleTitle(r alb.RuleSpec) string {
	t := fmt.Sprintf("rule %s · priority %d", r.Name, r.Priority)
	if r.Direction == routing.DirectionResponse {
		t += " · response"
	}
	return t
}

// ruleDetail is a rule's conditions, one a line, and its actions other
// than forwarding and mirroring (which are edges).
func ruleDetail(r alb.RuleSpec) []string {
	var out []string
	for _, c := range r.Conditions {
		var vals []string
		switch {
		case len(c.Pairs) > 0:
			for _, kv := range c.Pairs {
				vals = append(vals, kv.Key+"="+kv.Value)
			}
		default:
			vals = c.Values
		}
		line := string(c.Type)
		if c.Key != "" {
			line += " " + c.Key + ":"
		}
		out = append(out, line+" "+abbreviate(vals))
	}
	actions := slices.Clone(r.Actions)
	slices.SortStableFunc(actions, func(a, b routing.Action) int { return cmp.Compare(a.Order, b.Order) })
	for _, a := range actions {
		switch {
		case a.Redirect != nil:
			x := a.Redirect
			line := "redirect " + cmp.Or(x.HTTPCode, "302")
			for _, f := range [][2]string{{"protocol", x.Protocol}, {"host", x.Host}, {"port", x.Port}, {"path", x.Path}, {"query", x.Query}} {
				if f[1] != "" {
					line += " " + f[0] + " " + f[1]
				}
			}
			out = append(out, line)
		case a.FixedResponse != nil:
			out = append(out, "fixed response "+a.FixedResponse.HTTPCode)
		case a.Rewrite != nil:
			line := "rewrite"
			for _, f := range [][2]string{{"host", a.Rewrite.Host}, {"path", a.Rewrite.Path}, {"query", a.Rewrite.Query}} {
				if f[1] != "" {
					line += " " + f[0] + " " + f[1]
				}
			}
			out = append(out, line)
		case a.InsertHeader != nil:
			out = append(out, "insert header "+a.InsertHeader.Key)
		case a.RemoveHeader != nil:
			out = append(out, "remove header "+a.RemoveHeader.Key)
		case a.TrafficLimit != nil:
			out = append(out, fmt.Sprintf("limit %d QPS, %d per client", a.TrafficLimit.QPS, a.TrafficLimit.PerIPQPS))
		case a.Cors != nil:
			out = append(out, "CORS "+abbreviate(a.Cors.AllowOrigins))
		case a.ForwardGroup != nil && a.ForwardGroup.StickySession.Enabled:
			out = append(out, "sticky across groups")
		}
	}
	return out
}

// abbreviate joins values, at most three and a count.
func abbreviate(vals []string) string {
	if len(vals) <= 3 {
		return strings.Join(vals, ", ")
	}
	return strings.Join(vals[:3], ", ") + fmt.Sprintf(" +%d", len(vals)-3)
}

func tlsVersions(vs []alb.TLSVersion) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// diagram builds a flowchart's text.
type diagram struct{ b strings.Builder }

func (d *diagram) line(format string, args ...any) {
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *diagram) String() string { return d.b.String() }

// node writes a node: the mark's sign and the title, then each non-empty
// line (details, the resource's ID) on a line of its own.
func (d *diagram) node(id, mark, title string, lines ...string) {
	label := escapeLabel(markPrefix[mark] + title)
	for _, l := range lines {
		if l != "" {
			label += "<br/>" + escapeLabel(l)
		}
	}
	d.line("  %s[\"%s\"]:::%s", id, label, mark)
}

// edge writes an edge, dotted for the default action, mirrors and
// references.
func (d *diagram) edge(from, to, label string, dotted bool) {
	arrow := "-->"
	if dotted {
		arrow = "-.->"
	}
	if label != "" {
		arrow += "|\"" + escapeLabel(label) + "\"|"
	}
	d.line("  %s %s %s", from, arrow, to)
}

// servers draws a group's servers: each with its mark, at most
// mermaidMaxServers, changed ones first, and the rest counted by mark.
func (d *diagram) servers(gid, groupMark string, servers []alb.Server, it *Item) {
	type drawn struct {
		s    alb.Server
		mark string
		note string
	}
	marks := map[string]string{}
	notes := map[string]string{}
	var removed []alb.Server
	if it != nil && it.group != nil {
		for _, s := range it.group.AddServers {
			marks[s.String()] = markCreate
		}
		for _, u := range it.group.UpdateServers {
			marks[u.To.String()] = markUpdate
			if u.From.Weight != u.To.Weight {
				notes[u.To.String()] = fmt.Sprintf("weight %d → %d", u.From.Weight, u.To.Weight)
			}
		}
		for _, b := range it.group.RemoveServers {
			removed = append(removed, b.Server)
		}
	}
	var all []drawn
	for _, s := range servers {
		all = append(all, drawn{s, childMark(groupMark, marks[s.String()]), notes[s.String()]})
	}
	for _, s := range removed {
		all = append(all, drawn{s, markDelete, ""})
	}
	if len(all) > mermaidMaxServers {
		slices.SortStableFunc(all, func(a, b drawn) int {
			return cmp.Compare(boolInt(a.mark == markUnchanged), boolInt(b.mark == markUnchanged))
		})
	}
	rest := map[string]int{}
	var restOrder []string
	for i, s := range all {
		if i >= mermaidMaxServers {
			if rest[s.mark] == 0 {
				restOrder = append(restOrder, s.mark)
			}
			rest[s.mark]++
			continue
		}
		sid := fmt.Sprintf("%ss%d", gid, i+1)
		detail := s.note
		if detail == "" && s.s.Type != alb.ServerTypeFc {
			detail = fmt.Sprintf("weight %d", s.s.Weight)
		}
		d.node(sid, s.mark, s.s.String(), detail)
		d.edge(gid, sid, "", false)
	}
	for _, mark := range restOrder {
		sid := gid + "more" + mark
		what := map[string]string{markCreate: "to add", markUpdate: "to change", markDelete: "to remove", markUnchanged: "unchanged"}[mark]
		d.node(sid, mark, fmt.Sprintf("%d more servers %s", rest[mark], what))
		d.edge(gid, sid, "", false)
	}
}

// escapeLabel makes text safe in a quoted Mermaid label (entity codes for
// the characters Mermaid or HTML would read).
func escapeLabel(s string) string {
	return strings.NewReplacer("#", "#35;", "\"", "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ").Replace(s)
}

// sanitizeComment keeps a comment on its line.
func sanitizeComment(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }
