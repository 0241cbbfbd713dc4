package albtest

import (
	"net/netip"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// The members of a server group: AddServersToServerGroup,
// RemoveServersFromServerGroup, ReplaceServersInServerGroup,
// UpdateServerGroupServersAttribute and ListServerGroupServers.
//
// A membership change is one Configuring transition of the group (see
// changeSG). While it is pending, ListServerGroupServers shows the servers
// it touches in their pending status (Adding, Removing, Configuring, or
// Replacing for both sides of a replacement, as the SDK documents them) with
// their old attributes; when it completes, every one of them is applied at
// once: added servers become Available, removed ones are gone, updated ones
// show their new weight and description. ServerCount counts the members,
// servers still being added left out.

// serverKey identifies a member: type, ID, address and port (the address
// tells apart the addresses of one ENI or container group; an Fc member has
// no port).
type serverKey struct {
	typ, id, ip string
	port        int32
}

// serverAttrs are what UpdateServerGroupServersAttribute changes, and
// RemoteIpEnabled.
type serverAttrs struct {
	weight   int32
	desc     string
	remoteIP bool
}

// sgServer is a member of a group, or a server being added to it.
type sgServer struct {
	serverKey
	serverAttrs              // as reads show them
	status      string       // Adding | Available | Configuring | Removing | Replacing
	added       bool         // being added: not a member yet
	drop        bool         // removed when the pending change completes
	next        *serverAttrs // attributes shown once the pending change completes
}

// memberCount is the group's ServerCount.
func (sg *sgState) memberCount() int {
	n := 0
	for _, m := range sg.servers {
		if !m.added {
			n++
		}
	}
	return n
}

// finishMembership applies the pending membership change of sg.
func (sg *sgState) finishMembership() {
	kept := sg.servers[:0]
	for _, m := range sg.servers {
		if m.drop {
			continue
		}
		if m.next != nil {
			m.serverAttrs = *m.next
		}
		m.status, m.added, m.next = "Available", false, nil
		kept = append(kept, m)
	}
	clear(sg.servers[len(kept):])
	sg.servers = kept
}

// member returns the member with key k, or nil.
func (sg *sgState) member(k serverKey) *sgServer {
	for _, m := range sg.servers {
		if m.serverKey == k {
			return m
		}
	}
	return nil
}

// matching returns the members a removal or an update names: same type, ID
// and port, and the same address when the request gives one.
func (sg *sgState) matching(r serverReq) []*sgServer {
	id := r.id
	if r.typ == ServerTypeIP {
		if a, err := netip.ParseAddr(id); err == nil {
			id = a.String()
		}
	}
	var out []*sgServer
	for _, m := range sg.servers {
		if m.typ == r.typ && m.id == id && m.port == r.port && (r.ip == "" || r.ip == m.ip) {
			out = append(out, m)
		}
	}
	return out
}

// members resolves the servers a removal or an update names; each must
// name at least one member (ResourceNotFound.BackendServer otherwise).
func (sg *sgState) members(reqs []serverReq) ([][]*sgServer, *apiError) {
	out := make([][]*sgServer, len(reqs))
	for i, r := range reqs {
		if out[i] = sg.matching(r); len(out[i]) == 0 {
			return nil, errf(404, "ResourceNotFound.BackendServer", "The specified resource of BackendServer %s (%s, port %d) is not found in %s.", truncate(r.id, 64), r.typ, r.port, sg.id)
		}
	}
	return out, nil
}

// newServer is a server to add, resolved against the world.
type newServer struct {
	key   serverKey
	attrs serverAttrs
}

// resolveAll checks the servers to add: each against the world (see
// resolveServer), none twice in the call (DuplicatedParam.Server). Weight
// defaults to 100.
func (s *Server) resolveAll(sg *sgState, reqs []serverReq) ([]newServer, *apiError) {
	out := make([]newServer, 0, len(reqs))
	seen := map[serverKey]bool{}
	for _, r := range reqs {
		k, e := s.st.resolveServer(sg, r, s.cfg.strictIPs)
		if e != nil {
			return nil, e
		}
		if seen[k] {
			return nil, errf(400, "DuplicatedParam.Server", "The param of Server %s is duplicated.", truncate(r.id, 64))
		}
		seen[k] = true
		a := serverAttrs{weight: 100, desc: r.desc, remoteIP: r.remoteIP}
		if r.hasWeight {
			a.weight = r.weight
		}
		out = append(out, newServer{key: k, attrs: a})
	}
	return out, nil
}

// checkServerQuota refuses a group that would have more than 1,000
// members.
func checkServerQuota(sg *sgState, after int) *apiError {
	if after > maxServersPerGroup {
		return errf(400, "QuotaExceeded.ServersNum", "The quota of %s is exceeded, usage %d/%d.", "alb_quota_servergroup_servers_num", after, maxServersPerGroup)
	}
	return nil
}

var addFields = []string{"ServerType", "ServerId", "ServerIp", "Port", "Weight", "Description", "RemoteIpEnabled"}

// opAddServersToServerGroup adds the servers that are not members yet; a
// server that is already a member is left as it is (no duplicate, no
// error).
func (s *Server) opAddServersToServerGroup(c *call) (any, *apiError) {
	sg, e := s.lookupSG(c, "ServerGroupId", false)
	if e != nil {
		return nil, e
	}
	reqs, e := parseServers(c.p, "Servers", maxServersPerCall, addFields...)
	if e != nil {
		return nil, e
	}
	if e := sgWritable(sg); e != nil {
		return nil, e
	}
	adds, e := s.resolveAll(sg, reqs)
	if e != nil {
		return nil, e
	}
	fresh := adds[:0]
	for _, a := range adds {
		if sg.member(a.key) == nil {
			fresh = append(fresh, a)
		}
	}
	if e := checkServerQuota(sg, len(sg.servers)+len(fresh)); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	for _, a := range fresh {
		sg.servers = append(sg.servers, &sgServer{serverKey: a.key, serverAttrs: a.attrs, status: "Adding", added: true})
	}
	j := s.changeSG(sg, c, "AddServersToServerGroup", sg.finishMembership)
	return &albsdk.AddServersToServerGroupResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opRemoveServersFromServerGroup(c *call) (any, *apiError) {
	sg, e := s.lookupSG(c, "ServerGroupId", false)
	if e != nil {
		return nil, e
	}
	reqs, e := parseServers(c.p, "Servers", maxServersPerCall, "ServerType", "ServerId", "ServerIp", "Port")
	if e != nil {
		return nil, e
	}
	if e := sgWritable(sg); e != nil {
		return nil, e
	}
	named, e := sg.members(reqs)
	if e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	for _, ms := range named {
		for _, m := range ms {
			m.status, m.drop = "Removing", true
		}
	}
	j := s.changeSG(sg, c, "RemoveServersFromServerGroup", sg.finishMembership)
	return &albsdk.RemoveServersFromServerGroupResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opReplaceServersInServerGroup removes RemovedServers and adds
// AddedServers in one change (not on Fc groups). A server both removed and
// added stays, with the added attributes; an added server that is a member
// not being removed is left as it is.
func (s *Server) opReplaceServersInServerGroup(c *call) (any, *apiError) {
	sg, e := s.lookupSG(c, "ServerGroupId", false)
	if e != nil {
		return nil, e
	}
	if sg.typ == "Fc" {
		return nil, errf(400, "InvalidParameter", "ReplaceServersInServerGroup is not supported by server groups of type Fc.")
	}
	added, e := parseServers(c.p, "AddedServers", maxServersPerCall, "ServerType", "ServerId", "ServerIp", "Port", "Weight", "Description")
	if e != nil {
		return nil, e
	}
	removed, e := parseServers(c.p, "RemovedServers", maxServersPerCall, "ServerType", "ServerId", "ServerIp", "Port")
	if e != nil {
		return nil, e
	}
	if e := sgWritable(sg); e != nil {
		return nil, e
	}
	named, e := sg.members(removed)
	if e != nil {
		return nil, e
	}
	adds, e := s.resolveAll(sg, added)
	if e != nil {
		return nil, e
	}
	gone := map[*sgServer]bool{}
	for _, ms := range named {
		for _, m := range ms {
			gone[m] = true
		}
	}
	readd := map[*sgServer]serverAttrs{}
	var fresh []newServer
	for _, a := range adds {
		switch m := sg.member(a.key); {
		case m == nil:
			fresh = append(fresh, a)
		case gone[m]:
			readd[m] = a.attrs
		}
	}
	if e := checkServerQuota(sg, len(sg.servers)-len(gone)+len(readd)+len(fresh)); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	for m := range gone {
		m.status, m.drop = "Replacing", true
		if a, ok := readd[m]; ok {
			m.drop, m.next = false, &a
		}
	}
	for _, a := range fresh {
		sg.servers = append(sg.servers, &sgServer{serverKey: a.key, serverAttrs: a.attrs, status: "Replacing", added: true})
	}
	j := s.changeSG(sg, c, "ReplaceServersInServerGroup", sg.finishMembership)
	return &albsdk.ReplaceServersInServerGroupResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opUpdateServerGroupServersAttribute changes weights and descriptions
// (at most 40 servers per call); the servers show Configuring and their old
// attributes until the change completes.
func (s *Server) opUpdateServerGroupServersAttribute(c *call) (any, *apiError) {
	sg, e := s.lookupSG(c, "ServerGroupId", false)
	if e != nil {
		return nil, e
	}
	reqs, e := parseServers(c.p, "Servers", maxServersPerAttributeCall, "ServerType", "ServerId", "ServerIp", "Port", "Weight", "Description")
	if e != nil {
		return nil, e
	}
	if e := sgWritable(sg); e != nil {
		return nil, e
	}
	named, e := sg.members(reqs)
	if e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	for i, ms := range named {
		for _, m := range ms {
			next := m.serverAttrs
			if m.next != nil { // named twice in the call: the changes add up
				next = *m.next
			}
			if reqs[i].hasWeight {
				next.weight = reqs[i].weight
			}
			if reqs[i].hasDesc {
				next.desc = reqs[i].desc
			}
			m.status, m.next = "Configuring", &next
		}
	}
	j := s.changeSG(sg, c, "UpdateServerGroupServersAttribute", sg.finishMembership)
	return &albsdk.UpdateServerGroupServersAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opListServerGroupServers lists the servers of ServerGroupId (a read of
// the group: it counts as a poll) or, without it, of every group (GUESS:
// the SDK does not mark ServerGroupId required), filtered by ServerIds and
// by the group's tags.
func (s *Server) opListServerGroupServers(c *call) (any, *apiError) {
	var groups []*sgState
	if c.p.Get("ServerGroupId") != "" {
		sg, e := s.lookupSG(c, "ServerGroupId", true)
		if e != nil {
			return nil, e
		}
		groups = []*sgState{sg}
	} else {
		groups = s.liveSGs(c.now)
	}
	ids, e := list(c.p, "ServerIds")
	if e != nil {
		return nil, e
	}
	tf, e := tags(c.p, 10, 64)
	if e != nil {
		return nil, e
	}
	type row struct {
		sg *sgState
		m  *sgServer
	}
	var rows []row
	for _, sg := range groups {
		if !hasTags(sg.tags, tf) {
			continue
		}
		for _, m := range sg.servers {
			if inFilter(ids, m.id) {
				rows = append(rows, row{sg, m})
			}
		}
	}
	start, end, maxResults, next, e := page(c.p, len(rows))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListServerGroupServersResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TotalCount: int32Ptr(int32(len(rows))), Servers: []*albsdk.ListServerGroupServersResponseBodyServers{},
	}
	for _, r := range rows[start:end] {
		out.Servers = append(out.Servers, r.m.listItem(r.sg.id))
	}
	return out, nil
}

// listItem is the server as ListServerGroupServers shows it: Port and
// Weight are absent for Fc members, ServerIp and Description when empty.
func (m *sgServer) listItem(sgID string) *albsdk.ListServerGroupServersResponseBodyServers {
	item := &albsdk.ListServerGroupServersResponseBodyServers{
		ServerGroupId: sp(sgID), ServerId: sp(m.id), ServerType: sp(m.typ), ServerIp: optStr(m.ip),
		Description: optStr(m.desc), RemoteIpEnabled: boolPtr(m.remoteIP), Status: sp(m.status),
	}
	if m.typ != ServerTypeFc {
		item.Port, item.Weight = int32Ptr(m.port), int32Ptr(m.weight)
	}
	return item
}
