package albtest

import (
	"net/url"
	"slices"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// ALB server groups: state, CreateServerGroup, UpdateServerGroupAttribute,
// DeleteServerGroup, ListServerGroups, lookups and the busy check. The
// members are in alb_servergroup_servers.go, the checks and the table of
// codes in alb_servergroup_validate.go.
//
// A group is a tracked resource (resource.go) of kind "servergroup": its
// create goes Creating → Available (PhaseProvisioning), its changes
// Configuring → Available (PhaseConfiguring), its deletion Deleting → gone
// (PhaseDeleting), each with a job in ListAsynJobs. A change is made when
// its transition completes: reads show the old attributes while the group is
// Configuring (the SDK's description of UpdateServerGroupAttribute: the
// configuration "is being modified" while Configuring).

type sgState struct {
	resource             // id ("sgp-…"), status (Creating | Available | Configuring | Deleting), pending transition
	sgSettings           // attributes UpdateServerGroupAttribute changes
	typ, protocol, vpcID string
	resourceGroup        string
	ipv6                 bool
	created              time.Time
	tags                 []tagKV
	servers              []*sgServer // in the order they were added
	token                string
	deleted              bool
}

// WithServerGroupQuota sets the number of server groups allowed in the
// region (default DefaultServerGroupQuota). CreateServerGroup beyond it
// answers 400 QuotaExceeded.ServerGroupsNum.
func WithServerGroupQuota(n int) Option { return func(c *config) { c.sgQuota = n } }

// WithStrictIPServers makes Ip server groups take only private addresses
// (RFC 1918, 100.64.0.0/10, IPv6 unique-local) as members, closer to the
// service, which takes addresses of the group's VPC and of the networks
// connected to it. By default any address is taken, loopback included, so
// that tests can register their own local backends.
func WithStrictIPServers() Option { return func(c *config) { c.strictIPs = true } }

// SetServerGroupQuota changes the number of server groups allowed in the
// region.
func (s *Server) SetServerGroupQuota(n int) {
	s.mu.Lock()
	s.st.sgQuota = n
	s.mu.Unlock()
}

// serverGroupUsers returns the listeners and forwarding rules that use the
// server group id: a listener's default action, a rule's ForwardGroup or
// TrafficMirror action, now or once a pending change completes (rules
// being deleted no longer count). DeleteServerGroup answers
// ResourceInUse.ServerGroup while it returns any.
func (st *state) serverGroupUsers(id string) []string { return st.sgUserIndex()[id] }

// sgUserIndex maps each server group in use to its users, listeners first
// (in creation order), then rules.
func (st *state) sgUserIndex() map[string][]string {
	idx := map[string][]string{}
	add := func(sg, user string) {
		if !slices.Contains(idx[sg], user) {
			idx[sg] = append(idx[sg], user)
		}
	}
	for _, id := range st.lsnOrder {
		l := st.lsns[id]
		for _, g := range l.groups {
			add(g, l.id)
		}
		if l.next != nil {
			for _, g := range l.next.groups {
				add(g, l.id)
			}
		}
	}
	for _, id := range st.ruleOrder {
		r := st.rules[id]
		if !r.counted() {
			continue
		}
		for _, g := range ruleGroups(r.rule) {
			add(g[0], r.id)
		}
		if r.next != nil {
			for _, g := range ruleGroups(*r.next) {
				add(g[0], r.id)
			}
		}
	}
	return idx
}

// sgLoadBalancers maps each server group in use to the instances whose
// listeners or rules use it (ServerGroup.RelatedLoadBalancerIds).
func (st *state) sgLoadBalancers() map[string][]string {
	out := map[string][]string{}
	for sg, users := range st.sgUserIndex() {
		for _, u := range users {
			lb := ""
			if l := st.lsns[u]; l != nil {
				lb = l.lbID
			} else if r := st.rules[u]; r != nil {
				lb = r.lbID
			}
			if lb != "" && !slices.Contains(out[sg], lb) {
				out[sg] = append(out[sg], lb)
			}
		}
	}
	for _, lbs := range out {
		slices.Sort(lbs)
	}
	return out
}

func notFoundSG(id string) *apiError {
	return errf(404, "ResourceNotFound.ServerGroup", "The specified resource %s is not found.", truncate(id, 64))
}

// lookupSG returns the live server group named by parameter name after
// settling its transition. read marks a read of the group (a
// ListServerGroupServers of it): it counts as a poll.
func (s *Server) lookupSG(c *call, name string, read bool) (*sgState, *apiError) {
	id := c.p.Get(name)
	if id == "" {
		return nil, missing(name)
	}
	sg := s.st.sgs[id]
	if sg == nil {
		return nil, notFoundSG(id)
	}
	s.settle(&sg.resource, c.now, read)
	if sg.deleted {
		return nil, notFoundSG(id)
	}
	return sg, nil
}

// sgWritable refuses a change of a group that is not Available: one
// change at a time, as the service answers (IncorrectStatus.ServerGroup,
// which the Terraform provider and the ingress controller retry).
func sgWritable(sg *sgState) *apiError {
	if sg.status != "Available" {
		return errf(400, "IncorrectStatus.ServerGroup", "The status of %s [%s] is incorrect.", sg.id, sg.status)
	}
	return nil
}

// writableSG is lookupSG followed by sgWritable.
func (s *Server) writableSG(c *call, name string) (*sgState, *apiError) {
	sg, e := s.lookupSG(c, name, false)
	if e != nil {
		return nil, e
	}
	return sg, sgWritable(sg)
}

// changeSG starts a Configuring transition of sg for operation api; apply
// makes the change when the transition completes.
func (s *Server) changeSG(sg *sgState, c *call, api string, apply func()) *job {
	return s.begin(&sg.resource, c.now, change{phase: PhaseConfiguring, api: api, operate: "Update",
		done: func(time.Time) outcome {
			apply()
			return outcome{status: "Available"}
		}})
}

// parseCreateSG reads and checks a CreateServerGroup request. Defaults:
// type Instance, protocol HTTP, scheduler Wrr, cross-zone on, resource
// group DefaultResourceGroupID (SDK defaults; the group's GUESS as for
// instances).
func (s *Server) parseCreateSG(p url.Values) (*sgState, *apiError) {
	name := p.Get("ServerGroupName")
	if name == "" {
		return nil, missing("ServerGroupName")
	}
	typ, e := enum(p, "ServerGroupType", false, "Instance", "Ip", "Fc")
	if e != nil {
		return nil, e
	}
	typ = or(typ, "Instance")
	proto, e := enum(p, "Protocol", false, "HTTP", "HTTPS", "gRPC", "GRPC")
	if e != nil {
		return nil, e
	}
	if typ == "Fc" && proto != "" && proto != "HTTP" {
		return nil, errf(400, "InvalidParameter", "Server groups of type Fc support only the HTTP protocol, not %s.", proto)
	}
	ipv6, _, e := optBool(p, "Ipv6Enabled")
	if e != nil {
		return nil, e
	}
	if !hasPrefix(p, "HealthCheckConfig.") {
		return nil, missing("HealthCheckConfig")
	}
	if p.Get("HealthCheckConfig.HealthCheckEnabled") == "" {
		return nil, missing("HealthCheckConfig.HealthCheckEnabled")
	}
	sg := &sgState{
		resource: resource{kind: "servergroup"},
		typ:      typ, protocol: or(proto, "HTTP"), ipv6: ipv6,
		resourceGroup: or(p.Get("ResourceGroupId"), DefaultResourceGroupID),
	}
	if typ != "Fc" { // VpcId applies to Instance and Ip groups only
		if sg.vpcID = p.Get("VpcId"); sg.vpcID == "" {
			return nil, missing("VpcId")
		}
	}
	def := sgSettings{hc: defaultHealthCheck(typ), crossZone: true}
	if typ != "Fc" {
		def.scheduler = "Wrr"
	}
	if sg.sgSettings, e = parseSettings(p, def, typ); e != nil {
		return nil, e
	}
	if sg.tags, e = tags(p, 20, 128); e != nil {
		return nil, e
	}
	return sg, nil
}

// hasPrefix reports whether a parameter of p starts with prefix.
func hasPrefix(p url.Values, prefix string) bool {
	for k := range p {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

func (s *Server) opCreateServerGroup(c *call) (any, *apiError) {
	sg, e := s.parseCreateSG(c.p)
	if e != nil {
		return nil, e
	}
	st := s.st
	if sg.vpcID != "" && st.vpcs[sg.vpcID] == nil {
		return nil, errf(404, "ResourceNotFound.Vpc", "The specified resource %s is not found.", sg.vpcID)
	}
	if n := len(st.sgs); n >= st.sgQuota {
		return nil, errf(400, "QuotaExceeded.ServerGroupsNum", "The quota of %s is exceeded, usage %d/%d.", "alb_quota_servergroups_num", n, st.sgQuota)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	sg.id = randomID("sgp-", 18)
	for st.sgs[sg.id] != nil {
		sg.id = randomID("sgp-", 18)
	}
	sg.created, sg.token = c.now, c.token
	st.sgs[sg.id] = sg
	st.sgOrder = append(st.sgOrder, sg.id)
	st.track(&sg.resource)
	j := s.begin(&sg.resource, c.now, change{phase: PhaseProvisioning, status: "Creating", api: "CreateServerGroup", operate: "Create",
		done: func(time.Time) outcome { return outcome{status: "Available"} }})
	return &albsdk.CreateServerGroupResponseBody{RequestId: sp(c.requestID), ServerGroupId: sp(sg.id), JobId: sp(j.id)}, nil
}

// opUpdateServerGroupAttribute shows the new attributes when the
// Configuring transition completes.
func (s *Server) opUpdateServerGroupAttribute(c *call) (any, *apiError) {
	sg, e := s.lookupSG(c, "ServerGroupId", false)
	if e != nil {
		return nil, e
	}
	if e := sg.checkImmutable(c.p); e != nil {
		return nil, e
	}
	next, e := parseSettings(c.p, sg.sgSettings, sg.typ)
	if e != nil {
		return nil, e
	}
	if e := sgWritable(sg); e != nil {
		return nil, e
	}
	if e := s.checkSGUsersEdition(sg.id, &next); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.changeSG(sg, c, "UpdateServerGroupAttribute", func() { sg.sgSettings = next })
	return &albsdk.UpdateServerGroupAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// checkImmutable refuses a type, protocol, VPC or IPv6 setting other than
// the group's (the Update API has none of them: they are set at create).
func (sg *sgState) checkImmutable(p url.Values) *apiError {
	ipv6 := "false"
	if sg.ipv6 {
		ipv6 = "true"
	}
	for _, f := range []struct{ name, cur string }{
		{"ServerGroupType", sg.typ}, {"Protocol", sg.protocol}, {"VpcId", sg.vpcID}, {"Ipv6Enabled", ipv6},
	} {
		if v := p.Get(f.name); v != "" && v != f.cur {
			return errf(400, "InvalidParameter", "The parameter %s of a server group cannot be changed (it is %q).", f.name, f.cur)
		}
	}
	return nil
}

// opDeleteServerGroup shows Deleting until the transition completes, then
// the group is gone (404).
func (s *Server) opDeleteServerGroup(c *call) (any, *apiError) {
	sg, e := s.writableSG(c, "ServerGroupId")
	if e != nil {
		return nil, e
	}
	if users := s.st.serverGroupUsers(sg.id); len(users) > 0 {
		return nil, errf(400, "ResourceInUse.ServerGroup", "The specified resource of ServerGroup %s is in use by %v.", sg.id, users)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.begin(&sg.resource, c.now, change{phase: PhaseDeleting, api: "DeleteServerGroup", operate: "Delete",
		done: func(time.Time) outcome {
			s.st.removeSG(sg)
			return outcome{status: "Deleted"}
		}})
	return &albsdk.DeleteServerGroupResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// removeSG forgets a deleted group.
func (st *state) removeSG(sg *sgState) {
	sg.deleted = true
	delete(st.sgs, sg.id)
	st.untrack(sg.id)
	for i, id := range st.sgOrder {
		if id == sg.id {
			st.sgOrder = append(st.sgOrder[:i], st.sgOrder[i+1:]...)
			break
		}
	}
}

// sgFilter is the set of ListServerGroups filters.
type sgFilter struct {
	ids, names      []string
	typ, vpc, group string
	tags            []tagKV
}

func parseSGFilter(p url.Values) (*sgFilter, *apiError) {
	f := &sgFilter{typ: p.Get("ServerGroupType"), vpc: p.Get("VpcId"), group: p.Get("ResourceGroupId")}
	var e *apiError
	if f.ids, e = list(p, "ServerGroupIds"); e != nil {
		return nil, e
	}
	if f.names, e = list(p, "ServerGroupNames"); e != nil {
		return nil, e
	}
	// GUESS: at most 20 IDs (the SDK documents 10 names only).
	if len(f.ids) > 20 || len(f.names) > 10 {
		return nil, errf(400, "InvalidParameter", "Too many values in ServerGroupIds (max 20) or ServerGroupNames (max 10).")
	}
	if _, e := enum(p, "ServerGroupType", false, "Instance", "Ip", "Fc"); e != nil {
		return nil, e
	}
	if f.tags, e = tags(p, 10, 64); e != nil {
		return nil, e
	}
	return f, nil
}

func (f *sgFilter) matches(sg *sgState) bool {
	return inFilter(f.ids, sg.id) && inFilter(f.names, sg.name) && (f.typ == "" || f.typ == sg.typ) &&
		(f.vpc == "" || f.vpc == sg.vpcID) && (f.group == "" || f.group == sg.resourceGroup) && hasTags(sg.tags, f.tags)
}

// liveSGs settles and returns the live groups in creation order, without
// counting a poll.
func (s *Server) liveSGs(now time.Time) []*sgState {
	out := make([]*sgState, 0, len(s.st.sgOrder))
	for _, id := range append([]string(nil), s.st.sgOrder...) {
		sg := s.st.sgs[id]
		s.settle(&sg.resource, now, false)
		if !sg.deleted {
			out = append(out, sg)
		}
	}
	return out
}

// opListServerGroups: a page showing a group counts as a read (a poll) of
// it, as for instances.
func (s *Server) opListServerGroups(c *call) (any, *apiError) {
	f, e := parseSGFilter(c.p)
	if e != nil {
		return nil, e
	}
	var match []*sgState
	for _, sg := range s.liveSGs(c.now) {
		if f.matches(sg) {
			match = append(match, sg)
		}
	}
	start, end, maxResults, next, e := page(c.p, len(match))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListServerGroupsResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TotalCount: int32Ptr(int32(len(match))), ServerGroups: []*albsdk.ListServerGroupsResponseBodyServerGroups{},
	}
	related := s.st.sgLoadBalancers()
	for _, sg := range match[start:end] {
		s.settle(&sg.resource, c.now, true)
		item := sg.listItem()
		item.RelatedLoadBalancerIds = strPtrs(related[sg.id])
		out.ServerGroups = append(out.ServerGroups, item)
	}
	return out, nil
}

// listItem is sg as ListServerGroups shows it. HealthCheckConfig is always
// present; StickySessionConfig and ConnectionDrainConfig are present for
// Instance and Ip groups, configured or not (the Terraform provider had to
// mark exactly these two blocks Computed: PR 8446); SlowStartConfig and
// UchConfig only once configured; optional strings only when set. No object
// is ever null.
func (sg *sgState) listItem() *albsdk.ListServerGroupsResponseBodyServerGroups {
	item := &albsdk.ListServerGroupsResponseBodyServerGroups{
		ServerGroupId: sp(sg.id), ServerGroupName: sp(sg.name), ServerGroupType: sp(sg.typ),
		ServerGroupStatus: sp(sg.status), Protocol: sp(sg.protocol), ResourceGroupId: sp(sg.resourceGroup),
		CreateTime: sp(ts(sg.created)), ServerCount: int32Ptr(int32(sg.memberCount())),
		CrossZoneEnabled: boolPtr(sg.crossZone), Ipv6Enabled: boolPtr(sg.ipv6),
		UpstreamKeepaliveEnabled: boolPtr(sg.keepalive), ConfigManagedEnabled: boolPtr(false),
		VpcId: optStr(sg.vpcID), Scheduler: optStr(sg.scheduler), ServiceName: optStr(sg.serviceName),
		IpVersionAffinityMode: optStr(sg.affinity),
		HealthCheckConfig:     sg.hc.groupJSON(),
		Tags:                  []*albsdk.ListServerGroupsResponseBodyServerGroupsTags{},
	}
	if sg.typ != "Fc" {
		sticky := &albsdk.ListServerGroupsResponseBodyServerGroupsStickySessionConfig{StickySessionEnabled: boolPtr(sg.sticky.enabled)}
		if sg.sticky.enabled {
			sticky.StickySessionType = sp(sg.sticky.typ)
			if sg.sticky.typ == "Insert" {
				sticky.CookieTimeout = int32Ptr(sg.sticky.timeout)
			} else {
				sticky.Cookie = sp(sg.sticky.cookie)
			}
		}
		item.StickySessionConfig = sticky
		drain := &albsdk.ListServerGroupsResponseBodyServerGroupsConnectionDrainConfig{ConnectionDrainEnabled: boolPtr(sg.drain.enabled)}
		if sg.drain.enabled {
			drain.ConnectionDrainTimeout = int32Ptr(sg.drain.timeout)
		}
		item.ConnectionDrainConfig = drain
	}
	if sg.slow != nil {
		item.SlowStartConfig = &albsdk.ListServerGroupsResponseBodyServerGroupsSlowStartConfig{
			SlowStartEnabled: boolPtr(sg.slow.enabled), SlowStartDuration: int32Ptr(sg.slow.duration),
		}
	}
	if sg.uch != nil {
		item.UchConfig = &albsdk.ListServerGroupsResponseBodyServerGroupsUchConfig{Type: sp(sg.uch.typ), Value: sp(sg.uch.value)}
	}
	for _, t := range sg.tags {
		item.Tags = append(item.Tags, &albsdk.ListServerGroupsResponseBodyServerGroupsTags{Key: sp(t.k), Value: sp(t.v)})
	}
	return item
}

// groupJSON renders a group's health check: the fields its protocol uses,
// optional strings (host, path) only when set.
func (hc *healthCheck) groupJSON() *albsdk.ListServerGroupsResponseBodyServerGroupsHealthCheckConfig {
	out := &albsdk.ListServerGroupsResponseBodyServerGroupsHealthCheckConfig{
		HealthCheckEnabled: boolPtr(hc.enabled), HealthCheckProtocol: sp(hc.protocol),
		HealthCheckConnectPort: int32Ptr(hc.port), HealthCheckInterval: int32Ptr(hc.interval),
		HealthCheckTimeout: int32Ptr(hc.timeout), HealthyThreshold: int32Ptr(hc.healthy),
		UnhealthyThreshold: int32Ptr(hc.unhealthy), HealthCheckHost: optStr(hc.host), HealthCheckPath: optStr(hc.path),
		HealthCheckMethod: optStr(hc.method), HealthCheckHttpVersion: optStr(hc.vers),
	}
	for _, code := range hc.codes {
		out.HealthCheckCodes = append(out.HealthCheckCodes, sp(code))
	}
	return out
}

// hasTags reports whether have carries every tag of want (a want without
// a value matches any value of its key): the tag filter of the list
// operations.
func hasTags(have, want []tagKV) bool {
	for _, w := range want {
		found := false
		for _, t := range have {
			found = found || t.k == w.k && (w.v == "" || t.v == w.v)
		}
		if !found {
			return false
		}
	}
	return true
}
