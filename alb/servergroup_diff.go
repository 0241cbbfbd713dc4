package alb

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// AttributeChange is one attribute of a server group that differs from
// its spec: the field of [ServerGroupSpec] ("Name", "Scheduler",
// "HealthCheck.IntervalSeconds", "StickySession", …) with the current and
// the wanted value.
type AttributeChange struct {
	Field    string // the ServerGroupSpec field, e.g. "HealthCheck.IntervalSeconds"
	From, To string // the group's value and the spec's
}

// String is one line: field, from → to.
func (c AttributeChange) String() string {
	return fmt.Sprintf("%s: %s → %s", c.Field, orDash(c.From), orDash(c.To))
}

// ServerUpdate is a member whose weight or description changes in place
// (UpdateServerGroupServersAttribute): From is the member as it is, To the
// same member (its identity as reported, with its address) with the
// wanted weight and description.
type ServerUpdate struct {
	From BackendServer // the member as reported
	To   Server        // the member's identity with the wanted weight and description
}

// String is one line: the server, its weight and description from → to.
func (u ServerUpdate) String() string {
	var parts []string
	if u.From.Weight != u.To.Weight {
		parts = append(parts, fmt.Sprintf("weight %d → %d", u.From.Weight, u.To.Weight))
	}
	if u.To.Description != "" && u.From.Description != u.To.Description {
		parts = append(parts, fmt.Sprintf("description %q → %q", u.From.Description, u.To.Description))
	}
	return u.To.String() + " " + strings.Join(parts, ", ")
}

// ServerGroupPlan is the result of [DiffServerGroup]: what makes a server
// group and its members match a spec, in the order it is to be applied:
//
//  1. Create (no group yet): CreateServerGroup from the spec; the plan's
//     other changes are then only AddServers;
//  2. Attributes: one UpdateServerGroupAttribute with exactly the changed
//     attributes;
//  3. RemoveTagKeys (UnTagResources), then AddTags (TagResources);
//  4. ResourceGroupID (MoveResourceGroup);
//  5. AddServers (AddServersToServerGroup, in calls of MaxServersPerCall):
//     new servers take traffic before any is removed;
//  6. UpdateServers (UpdateServerGroupServersAttribute, in calls of
//     MaxServersPerAttributeCall): weights and descriptions change in
//     place, where Terraform removes and adds the server again;
//  7. RemoveServers (RemoveServersFromServerGroup, in calls of
//     MaxServersPerCall): only in Owned mode for unlisted members, in
//     both modes for AbsentServers.
//
// Blocked lists what no in-place change can make, each with what to do
// instead; nothing else waits on it. The group must be Available before
// each write (the service answers IncorrectStatus.ServerGroup otherwise).
type ServerGroupPlan struct {
	// ID is the group; empty when Create.
	ID string
	// Create says there is no group: create it from the spec.
	Create bool
	// Attributes are the attributes UpdateServerGroupAttribute changes.
	Attributes []AttributeChange
	// RemoveTagKeys are the user tag keys to remove (UnTagResources).
	RemoveTagKeys []string
	// AddTags are the tags to add or change (TagResources).
	AddTags []Tag
	// ResourceGroupID is the resource group to move the group to ("": no
	// move).
	ResourceGroupID string
	// AddServers are the servers to add (AddServersToServerGroup).
	AddServers []Server
	// UpdateServers are the members whose weight or description changes
	// (UpdateServerGroupServersAttribute).
	UpdateServers []ServerUpdate
	// RemoveServers are the members to remove
	// (RemoveServersFromServerGroup), as reported.
	RemoveServers []BackendServer
	// Blocked lists the differences no in-place change can make.
	Blocked []Difference

	spec ServerGroupSpec
}

// Empty reports whether the group and its members already match the spec
// (false for a plan that creates the group).
func (p *ServerGroupPlan) Empty() bool {
	return p != nil && !p.Create && len(p.Attributes) == 0 && len(p.RemoveTagKeys) == 0 && len(p.AddTags) == 0 &&
		p.ResourceGroupID == "" && len(p.AddServers) == 0 && len(p.UpdateServers) == 0 && len(p.RemoveServers) == 0 && len(p.Blocked) == 0
}

// Writes reports whether the plan makes any write (Blocked differences
// aside).
func (p *ServerGroupPlan) Writes() bool {
	return p != nil && (p.Create || len(p.Attributes) > 0 || len(p.RemoveTagKeys) > 0 || len(p.AddTags) > 0 ||
		p.ResourceGroupID != "" || len(p.AddServers) > 0 || len(p.UpdateServers) > 0 || len(p.RemoveServers) > 0)
}

// Calls lists the API actions the plan sends, in order, one per call
// (membership changes split by the per-call limits).
func (p *ServerGroupPlan) Calls() []string {
	if p == nil {
		return nil
	}
	var calls []string
	rep := func(action string, n, per int) {
		for i := 0; i < n; i += per {
			calls = append(calls, action)
		}
	}
	if p.Create {
		calls = append(calls, "CreateServerGroup")
	}
	if len(p.Attributes) > 0 {
		calls = append(calls, "UpdateServerGroupAttribute")
	}
	if len(p.RemoveTagKeys) > 0 {
		calls = append(calls, "UnTagResources")
	}
	if len(p.AddTags) > 0 {
		calls = append(calls, "TagResources")
	}
	if p.ResourceGroupID != "" {
		calls = append(calls, "MoveResourceGroup")
	}
	rep("AddServersToServerGroup", len(p.AddServers), MaxServersPerCall)
	rep("UpdateServerGroupServersAttribute", len(p.UpdateServers), MaxServersPerAttributeCall)
	rep("RemoveServersFromServerGroup", len(p.RemoveServers), MaxServersPerCall)
	return calls
}

// String lists the plan, one change per line: "+" creates or adds, "~"
// changes, "-" removes, "!" cannot be changed in place.
func (p *ServerGroupPlan) String() string {
	if p == nil {
		return "no plan"
	}
	name := p.ID
	if p.Create {
		name = "new server group " + strconv.Quote(p.spec.Name)
	}
	if p.Empty() {
		return name + ": no change"
	}
	var b strings.Builder
	b.WriteString(name + ":")
	line := func(mark, s string) { b.WriteString("\n  " + mark + " " + s) }
	if p.Create {
		line("+", fmt.Sprintf("create %s group %q (CreateServerGroup)", p.spec.groupType(), p.spec.Name))
	}
	for _, c := range p.Attributes {
		line("~", c.String()+" (UpdateServerGroupAttribute)")
	}
	if len(p.RemoveTagKeys) > 0 {
		line("-", "tags "+strings.Join(p.RemoveTagKeys, ",")+" (UnTagResources)")
	}
	if len(p.AddTags) > 0 {
		line("~", "tags "+tagsString(p.AddTags, nil)+" (TagResources)")
	}
	if p.ResourceGroupID != "" {
		line("~", "resource group → "+p.ResourceGroupID+" (MoveResourceGroup)")
	}
	for _, s := range p.AddServers {
		w := ""
		if s.Type != ServerTypeFc {
			w = " weight " + strconv.Itoa(s.Weight)
		}
		line("+", "server "+s.String()+w)
	}
	for _, u := range p.UpdateServers {
		line("~", "server "+u.String())
	}
	for _, s := range p.RemoveServers {
		line("-", "server "+s.Server.String())
	}
	for _, d := range p.Blocked {
		line("!", d.String())
	}
	return b.String()
}

// updateAttributeRequest is the plan's UpdateServerGroupAttribute request,
// nil when no attribute changes.
func (p *ServerGroupPlan) updateAttributeRequest(token string, dryRun bool) *albsdk.UpdateServerGroupAttributeRequest {
	return updateAttributeRequest(p.ID, p.spec, p.Attributes, token, dryRun)
}

// DiffServerGroup compares spec with a group and its members (as
// ListServerGroups and ListServerGroupServers report them) and returns
// what would make them match: see [ServerGroupPlan]. It is pure: no API
// call. A nil group plans the create of the group and the addition of
// every server. Applying the plan and diffing again gives an empty plan
// (Blocked aside); diff a settled group (Available, no member pending).
//
// Normalisation, so that a group created from spec and left alone diffs
// empty:
//   - empty Type, Protocol and Scheduler are Instance, HTTP and Wrr; gRPC
//     and GRPC are one protocol;
//   - a health check is compared with its defaults spelled out, and only
//     Enabled while it is disabled; an empty Host or Path is not
//     compared; codes are compared as a set;
//   - empty IPVersionAffinity and ResourceGroupID leave the service's
//     value; session persistence, slow start, connection draining,
//     cross-zone off and upstream keepalive are declarative (zero is off);
//   - tags whose key starts with "albkit:", "acs:" or "aliyun" are
//     ignored; the spec's other tags are the group's complete set of user
//     tags;
//   - a server matches the members of its type, ID (an Ip server's
//     address in canonical form) and port, and of its IP when it gives
//     one; its weight always counts, its description only when set.
//
// Type, protocol, VPC and IPv6 cannot change in place (they are fixed at
// creation), nor can a URL hash be removed or a member's remote IP flag
// change: those are in Blocked with what to do instead. When the type
// differs, no membership change is planned (the group takes servers of
// its own type only).
func DiffServerGroup(spec ServerGroupSpec, group *ServerGroup, servers []BackendServer) *ServerGroupPlan {
	p := &ServerGroupPlan{spec: spec}
	if group == nil {
		p.Create = true
		p.AddServers = slices.Clone(spec.Servers)
		return p
	}
	p.ID = group.ID
	block := func(field, from, to, reason, instead string) {
		p.Blocked = append(p.Blocked, Difference{Field: field, From: from, To: to, Rule: RuleImmutable, Reason: reason, Instead: instead})
	}
	const newGroup = "create a new server group with the wanted value, move the listeners and forwarding rules that use this group to it, then delete this group"
	typ := spec.groupType()
	if typ != group.Type {
		block("Type", string(group.Type), string(typ), "the type of a server group is fixed at creation", newGroup)
	}
	fc := typ == ServerGroupFc && group.Type == ServerGroupFc
	if want := spec.protocol(); !fc && want != group.Protocol {
		block("Protocol", string(group.Protocol), string(want), "the backend protocol of a server group is fixed at creation", newGroup)
	}
	if typ != ServerGroupFc && spec.VPCID != group.VPCID {
		block("VPCID", group.VPCID, spec.VPCID, "the VPC of a server group is fixed at creation", newGroup)
	}
	if spec.IPv6 != group.IPv6 {
		block("IPv6", strconv.FormatBool(group.IPv6), strconv.FormatBool(spec.IPv6), "IPv6 is enabled or not at creation", newGroup)
	}

	attr := func(field, from, to string) {
		p.Attributes = append(p.Attributes, AttributeChange{Field: field, From: from, To: to})
	}
	if spec.Name != group.Name {
		attr(attrName, group.Name, spec.Name)
	}
	if typ != ServerGroupFc {
		wantSch, haveSch := spec.scheduler(), group.Scheduler
		if haveSch == "" {
			haveSch = SchedulerWrr
		}
		if wantSch != haveSch {
			attr(attrScheduler, string(haveSch), string(wantSch))
		}
		switch {
		case spec.URLHashParameter != "" && spec.URLHashParameter != group.URLHashParameter:
			attr(attrURLHash, group.URLHashParameter, spec.URLHashParameter)
		case spec.URLHashParameter == "" && group.URLHashParameter != "" && hashes(wantSch):
			p.Blocked = append(p.Blocked, Difference{Field: attrURLHash, From: group.URLHashParameter, To: "", Rule: RuleImmutable,
				Reason:  "UpdateServerGroupAttribute can set a URL hash (UchConfig) but not remove it: the " + string(wantSch) + " scheduler would keep hashing the URL parameter",
				Instead: "keep the URL hash parameter in the spec, use another scheduler, or create a new server group that hashes the source IP address"})
		}
		if want, have := spec.StickySession.effective(), group.StickySession.effective(); want != have {
			attr(attrSticky, stickyString(have), stickyString(want))
		}
		if spec.SlowStartSeconds != group.SlowStartSeconds {
			attr(attrSlowStart, secondsString(group.SlowStartSeconds), secondsString(spec.SlowStartSeconds))
		}
		if want, have := spec.ConnectionDrain.effective(), group.ConnectionDrain.effective(); want != have {
			attr(attrDrain, drainString(have), drainString(want))
		}
		if spec.DisableCrossZone == group.CrossZoneEnabled {
			attr(attrCrossZone, strconv.FormatBool(!group.CrossZoneEnabled), strconv.FormatBool(spec.DisableCrossZone))
		}
	}
	for _, c := range healthCheckChanges(spec.HealthCheck, group.HealthCheck) {
		attr(c.Field, c.From, c.To)
	}
	if spec.IPVersionAffinity != "" && spec.IPVersionAffinity != group.IPVersionAffinity {
		attr(attrIPVersionAffinity, string(group.IPVersionAffinity), string(spec.IPVersionAffinity))
	}
	if spec.UpstreamKeepalive != group.UpstreamKeepalive {
		attr(attrKeepalive, strconv.FormatBool(group.UpstreamKeepalive), strconv.FormatBool(spec.UpstreamKeepalive))
	}

	have := userTags(group.Tags)
	for _, t := range have {
		if _, ok := tagLookup(spec.Tags, t.Key); !ok {
			p.RemoveTagKeys = append(p.RemoveTagKeys, t.Key)
		}
	}
	for _, t := range spec.Tags {
		if v, ok := tagLookup(have, t.Key); !ok || v != t.Value {
			p.AddTags = append(p.AddTags, t)
		}
	}
	if spec.ResourceGroupID != "" && spec.ResourceGroupID != group.ResourceGroupID {
		p.ResourceGroupID = spec.ResourceGroupID
	}
	if typ == group.Type { // another type takes other servers: the new group gets them
		p.diffServers(spec, servers)
	}
	return p
}

// diffServers fills the membership changes and the members' blocked
// differences.
func (p *ServerGroupPlan) diffServers(spec ServerGroupSpec, servers []BackendServer) {
	keys := make([]serverKey, len(servers))
	byBase := map[serverKey][]int{}
	for i, b := range servers {
		keys[i] = b.key()
		byBase[keys[i].base()] = append(byBase[keys[i].base()], i)
	}
	matches := func(s Server) []int {
		k := s.key()
		var out []int
		for _, i := range byBase[k.base()] {
			if k.ip == "" || k.ip == keys[i].ip {
				out = append(out, i)
			}
		}
		return out
	}
	managed := make([]bool, len(servers))
	for si, s := range spec.Servers {
		ms := matches(s)
		if len(ms) == 0 {
			p.AddServers = append(p.AddServers, s)
			continue
		}
		for _, i := range ms {
			managed[i] = true
			b := servers[i]
			if s.Type == ServerTypeIP && s.RemoteIP != b.RemoteIP {
				p.Blocked = append(p.Blocked, Difference{Field: fmt.Sprintf("Servers[%d].RemoteIP", si), From: strconv.FormatBool(b.RemoteIP), To: strconv.FormatBool(s.RemoteIP),
					Rule: RuleImmutable, Reason: "UpdateServerGroupServersAttribute changes only weights and descriptions",
					Instead: "list the server in AbsentServers (or leave it out in Owned mode), apply, then list it again with the wanted remote IP"})
			}
			weight := s.Type != ServerTypeFc && s.Weight != b.Weight
			desc := s.Description != "" && s.Description != b.Description
			if weight || desc {
				to := b.Server
				to.Weight, to.RemoteIP = s.Weight, false
				if s.Type == ServerTypeFc {
					to.Weight = 0
				}
				if s.Description != "" {
					to.Description = s.Description
				}
				p.UpdateServers = append(p.UpdateServers, ServerUpdate{From: b, To: to})
			}
		}
	}
	remove := make([]bool, len(servers))
	if spec.membership() == MembershipOwned {
		for i := range servers {
			remove[i] = !managed[i]
		}
	}
	for _, s := range spec.AbsentServers {
		for _, i := range matches(s) {
			remove[i] = true
		}
	}
	for i, b := range servers {
		if remove[i] {
			p.RemoveServers = append(p.RemoveServers, b)
		}
	}
}

// healthCheckChanges compares two health checks with their defaults
// spelled out: only Enabled when the wanted one is disabled; Host and Path
// only when the wanted one sets them.
func healthCheckChanges(want, have HealthCheck) []AttributeChange {
	w, h := want.effective(), have.effective()
	var out []AttributeChange
	add := func(field, from, to string) {
		if from != to {
			out = append(out, AttributeChange{Field: attrHealthCheck + "." + field, From: from, To: to})
		}
	}
	add("Enabled", strconv.FormatBool(h.Enabled), strconv.FormatBool(w.Enabled))
	if !w.Enabled {
		return out
	}
	add("Protocol", string(h.Protocol), string(w.Protocol))
	add("Port", strconv.Itoa(h.Port), strconv.Itoa(w.Port))
	if w.Host != "" {
		add("Host", h.Host, w.Host)
	}
	if w.Path != "" {
		add("Path", h.Path, w.Path)
	}
	add("Method", h.Method, w.Method)
	add("HTTPVersion", h.HTTPVersion, w.HTTPVersion)
	add("Codes", strings.Join(h.Codes, ","), strings.Join(w.Codes, ","))
	add("IntervalSeconds", strconv.Itoa(h.IntervalSeconds), strconv.Itoa(w.IntervalSeconds))
	add("TimeoutSeconds", strconv.Itoa(h.TimeoutSeconds), strconv.Itoa(w.TimeoutSeconds))
	add("HealthyThreshold", strconv.Itoa(h.HealthyThreshold), strconv.Itoa(w.HealthyThreshold))
	add("UnhealthyThreshold", strconv.Itoa(h.UnhealthyThreshold), strconv.Itoa(w.UnhealthyThreshold))
	return out
}

func stickyString(st StickySession) string {
	switch st.Type {
	case StickyInsert:
		return "Insert (cookie timeout " + strconv.Itoa(st.CookieTimeoutSeconds) + " s)"
	case StickyServer:
		return "Server (cookie " + st.Cookie + ")"
	}
	return "off"
}

func drainString(d ConnectionDrain) string {
	if !d.Enabled {
		return "off"
	}
	return strconv.Itoa(d.TimeoutSeconds) + " s"
}

func secondsString(n int) string {
	if n == 0 {
		return "off"
	}
	return strconv.Itoa(n) + " s"
}
