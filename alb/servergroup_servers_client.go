package alb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/internal/waiter"
)

// The members of a server group: AddServersToServerGroup,
// RemoveServersFromServerGroup, ReplaceServersInServerGroup and
// UpdateServerGroupServersAttribute.
//
// A membership change is split into calls of the API's maximum
// ([MaxServersPerCall], [MaxServersPerAttributeCall] for weights and
// descriptions), sent one after the other (the group takes one change at a
// time: it is Configuring until the change is applied), each with its own
// ClientToken for all its retries. After the last call, the members are
// read until every server a call touched is Available or gone.

// The membership actions.
const (
	actionAddServers     = "AddServersToServerGroup"
	actionRemoveServers  = "RemoveServersFromServerGroup"
	actionUpdateServers  = "UpdateServerGroupServersAttribute"
	actionReplaceServers = "ReplaceServersInServerGroup"
)

// memberBatch is one membership call: its action and servers (for a
// replacement, the added ones; removed are the removed ones).
type memberBatch struct {
	action  string
	servers []Server
	removed []Server
}

// all returns every server the call names.
func (b memberBatch) all() []Server { return append(slices.Clone(b.servers), b.removed...) }

// request sends the call with token.
func (b memberBatch) send(ctx context.Context, c *Client, sdk *albsdk.Client, id, token string) error {
	var err error
	switch b.action {
	case actionAddServers:
		_, err = sdk.AddServersToServerGroupWithContext(ctx, addServersRequest(id, b.servers, token, false), c.runtime)
	case actionRemoveServers:
		_, err = sdk.RemoveServersFromServerGroupWithContext(ctx, removeServersRequest(id, b.servers, token, false), c.runtime)
	case actionUpdateServers:
		_, err = sdk.UpdateServerGroupServersAttributeWithContext(ctx, updateServersRequest(id, b.servers, token, false), c.runtime)
	case actionReplaceServers:
		_, err = sdk.ReplaceServersInServerGroupWithContext(ctx, replaceServersRequest(id, b.servers, b.removed, token, false), c.runtime)
	}
	return err
}

// isCallError reports whether err is the answer to action (rather than a
// wait's error after it).
func isCallError(err error, action string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Operation == action
}

// chunk splits servers into batches of action with at most n servers.
func chunk(action string, servers []Server, n int) []memberBatch {
	var out []memberBatch
	for len(servers) > 0 {
		k := min(n, len(servers))
		out = append(out, memberBatch{action: action, servers: servers[:k:k]})
		servers = servers[k:]
	}
	return out
}

// memberBatches returns the plan's membership calls in the plan's order:
// additions, then weight and description updates, then removals.
func (p *ServerGroupPlan) memberBatches() []memberBatch {
	var out []memberBatch
	out = append(out, chunk(actionAddServers, p.AddServers, MaxServersPerCall)...)
	updates := make([]Server, len(p.UpdateServers))
	for i, u := range p.UpdateServers {
		updates[i] = u.To
	}
	out = append(out, chunk(actionUpdateServers, updates, MaxServersPerAttributeCall)...)
	removes := make([]Server, len(p.RemoveServers))
	for i, b := range p.RemoveServers {
		removes[i] = b.Server
	}
	return append(out, chunk(actionRemoveServers, removes, MaxServersPerCall)...)
}

// ServersError is a membership change that did not complete: which
// servers were applied, which were sent but not seen through, and which
// were not sent. errors.Is and errors.As see the cause (Err).
type ServersError struct {
	// GroupID is the server group.
	GroupID string
	// Action is the call that failed, or "wait" for a wait: the new
	// group's, before any server was sent, or the final one on the
	// servers.
	Action string
	// Applied are the servers whose calls completed.
	Applied []Server
	// Unknown are the servers of the call that failed after it may have
	// reached the service: read the members to know.
	Unknown []Server
	// NotApplied are the servers whose calls were not sent.
	NotApplied []Server
	// RolledBack is set when [ServerGroups.Create] deleted the group it
	// had made because the service refused a server.
	RolledBack bool
	// Err is the cause.
	Err error
}

// Error says what was applied and what was not.
func (e *ServersError) Error() string {
	s := fmt.Sprintf("alb: server group %s: %s failed: %d server(s) applied, %d unknown, %d not applied", e.GroupID, e.Action, len(e.Applied), len(e.Unknown), len(e.NotApplied))
	if e.RolledBack {
		s += "; the server group was deleted again"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *ServersError) Unwrap() error { return e.Err }

// applyMembers sends batches in order and then waits until the members
// show them. Each call has its own ClientToken for all its attempts. A
// token is never derived from the caller's key: the same servers sent
// again by a later operation would then carry an old token, which the
// service answers with the old call's result and no change. A resumed
// operation needs none: it reads the settled members again and sends only
// what is missing. sent, if set, hears each call's action once it may have
// reached the service. It returns the group as last polled and its
// members.
func (g *ServerGroups) applyMembers(ctx context.Context, id string, batches []memberBatch, opts []WaitOption, sent func(action string)) (*ServerGroup, []BackendServer, error) {
	c := g.c
	fail := func(i int, action string, sent bool, err error) error {
		se := &ServersError{GroupID: id, Action: action, Err: err}
		for j, b := range batches {
			switch {
			case j < i:
				se.Applied = append(se.Applied, b.all()...)
			case j == i && sent:
				se.Unknown = append(se.Unknown, b.all()...)
			default:
				se.NotApplied = append(se.NotApplied, b.all()...)
			}
		}
		return se
	}
	var sg *ServerGroup
	for i, b := range batches {
		attempted := false
		var err error
		sg, err = changeRes(c, ctx, serverGroups, waitSpec{op: b.action, id: id, waiting: "Available"}, opts, "",
			func(ctx context.Context, sdk *albsdk.Client, token string) error {
				attempted = true
				return b.send(ctx, c, sdk, id, token)
			}, nil)
		// The call may have reached the service unless its last answer
		// was a refusal (a wait's failure after an accepted call counts as
		// reached).
		reached := attempted && (err == nil || !definitive(err) || !isCallError(err, b.action))
		if reached && sent != nil {
			sent(b.action)
		}
		if err != nil {
			return nil, nil, fail(i, b.action, reached, err)
		}
	}
	if len(batches) == 0 {
		return nil, nil, nil
	}
	members, err := g.waitMembers(ctx, id, batches, opts)
	if err != nil {
		se := fail(len(batches), "wait", false, err).(*ServersError)
		se.Unknown, se.Applied = se.Applied, nil
		return sg, nil, se
	}
	return sg, members, nil
}

// waitMembers reads the members of group id until every server of batches
// is Available (with its new weight and description) or gone.
func (g *ServerGroups) waitMembers(ctx context.Context, id string, batches []memberBatch, opts []WaitOption) ([]BackendServer, error) {
	c := g.c
	settled := func(members []BackendServer) bool {
		at := map[serverKey][]BackendServer{}
		for _, m := range members {
			at[m.key().base()] = append(at[m.key().base()], m)
		}
		find := func(s Server) []BackendServer {
			k := s.key()
			var out []BackendServer
			for _, m := range at[k.base()] {
				if k.ip == "" || m.key().ip == k.ip {
					out = append(out, m)
				}
			}
			return out
		}
		for _, b := range batches {
			for _, s := range b.removed {
				if len(find(s)) > 0 {
					return false
				}
			}
			for _, s := range b.servers {
				ms := find(s)
				if b.action == actionRemoveServers {
					if len(ms) > 0 {
						return false
					}
					continue
				}
				if len(ms) == 0 {
					return false
				}
				for _, m := range ms {
					if m.Status != BackendServerAvailable {
						return false
					}
					if b.action == actionUpdateServers && (s.Type != ServerTypeFc && m.Weight != s.Weight || s.Description != "" && m.Description != s.Description) {
						return false
					}
				}
			}
		}
		return true
	}
	s := waitSpec{op: "servers", id: id, waiting: "servers settled", family: kindServerGroup, unknownStart: true}
	get := func(ctx context.Context) ([]BackendServer, error) { return g.members(ctx, id) }
	status := func(ms []BackendServer, err error) Status {
		if err != nil {
			return ""
		}
		return Status(strconv.Itoa(len(ms)) + " members")
	}
	accept := func(ms []BackendServer, err error) (waiter.Verdict, error) {
		switch {
		case err == nil && settled(ms):
			return waiter.Success, nil
		case err == nil || retryable(err):
			return waiter.Continue, nil
		}
		return waiter.Failure, err
	}
	return poll(c, ctx, s, c.waitOptions(opts), get, status, nil, accept)
}

// checkServers validates servers for a call on group sg (their fields,
// their type against the group's, duplicates) and reports violations with
// the argument's name as the field ("servers[3].Weight").
func checkServers(op, arg string, sg *ServerGroup, servers []Server) error {
	if len(servers) == 0 {
		return &ArgumentError{Operation: op, Argument: arg, Message: "at least one server is required"}
	}
	spec := SpecFromServerGroup(sg, nil)
	spec.Servers = servers
	err := spec.Validate()
	ve, ok := err.(*ValidationError)
	if !ok {
		return err
	}
	var only []*FieldError
	for _, fe := range ve.Errors {
		if rest, ok := strings.CutPrefix(fe.Field, "Servers"); ok {
			cp := *fe
			cp.Field = arg + rest
			only = append(only, &cp)
		}
	}
	if len(only) == 0 {
		return nil
	}
	return &ValidationError{Errors: only, kind: "server list"}
}

// checkServersAlone validates servers before any call: their own fields,
// duplicates, and one family of types in the list (a group takes Ip, Fc,
// or Ecs, Eni and Eci servers); [checkServers] checks them against the
// group's type and IPv6 once the group is read.
func checkServersAlone(op, arg string, servers []Server) error {
	g := &ServerGroup{Type: ServerGroupInstance, IPv6: true}
	if len(servers) > 0 {
		g.Type = servers[0].Type.groupType()
	}
	err := checkServers(op, arg, g, servers)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for i, fe := range ve.Errors {
		if fe.Rule == RuleServerTypeMatchesGroup {
			cp := *fe
			cp.Message = fmt.Sprintf("%s[0] is of type %s, and one server group takes servers of type %s only", arg, servers[0].Type, typeMembers(g.Type))
			ve.Errors[i] = &cp
		}
	}
	return ve
}

// membershipPlan checks the arguments (the ID, the wait options, then each
// list of servers on its own, named by args: nothing is read for a
// refused call), then reads group id and its members.
func (g *ServerGroups) membershipPlan(ctx context.Context, op, id string, opts []WaitOption, args map[string][]Server) (*ServerGroup, []BackendServer, error) {
	if err := requireGroupID(op, id); err != nil {
		return nil, nil, err
	}
	if err := checkWaitOpts(op, opts); err != nil {
		return nil, nil, err
	}
	for _, arg := range slices.Sorted(maps.Keys(args)) {
		if err := checkServersAlone(op, arg, args[arg]); err != nil {
			return nil, nil, err
		}
	}
	sg, err := g.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	members, err := g.members(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return sg, members, nil
}

// AddServers makes servers members of the group: those that are not are
// added (AddServersToServerGroup, [MaxServersPerCall] a call), members whose
// weight or description differ are updated in place; members already as
// listed cost nothing. It waits until every one is Available and returns
// the group's members. The servers are validated first (their type must be
// the group's); a partial failure is a *[ServersError] saying which
// servers were applied.
func (g *ServerGroups) AddServers(ctx context.Context, id string, servers []Server, opts ...WaitOption) (_ []BackendServer, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.AddServers", id)
	defer tel.end(&err)
	sg, members, err := g.membershipPlan(ctx, "ServerGroups.AddServers", id, opts, map[string][]Server{"servers": servers})
	if err != nil {
		return nil, err
	}
	if err := checkServers("ServerGroups.AddServers", "servers", sg, servers); err != nil {
		return nil, err
	}
	spec := SpecFromServerGroup(sg, nil)
	spec.Servers = servers
	plan := DiffServerGroup(spec, sg, members)
	return g.membersAfter(ctx, id, members, plan.memberBatches(), opts)
}

// membersAfter applies batches, or returns members when there are none.
func (g *ServerGroups) membersAfter(ctx context.Context, id string, members []BackendServer, batches []memberBatch, opts []WaitOption) ([]BackendServer, error) {
	if len(batches) == 0 {
		return members, nil
	}
	_, after, err := g.applyMembers(ctx, id, batches, opts, nil)
	return after, err
}

// RemoveServers removes servers from the group
// (RemoveServersFromServerGroup, [MaxServersPerCall] a call) and waits until
// they are gone; servers that are not members cost nothing. A server
// without an IP names every member of its type, ID and port. It returns
// the group's members.
func (g *ServerGroups) RemoveServers(ctx context.Context, id string, servers []Server, opts ...WaitOption) (_ []BackendServer, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.RemoveServers", id)
	defer tel.end(&err)
	sg, members, err := g.membershipPlan(ctx, "ServerGroups.RemoveServers", id, opts, map[string][]Server{"servers": servers})
	if err != nil {
		return nil, err
	}
	if err := checkServers("ServerGroups.RemoveServers", "servers", sg, servers); err != nil {
		return nil, err
	}
	spec := SpecFromServerGroup(sg, nil)
	spec.Servers, spec.AbsentServers = nil, servers
	plan := DiffServerGroup(spec, sg, members)
	return g.membersAfter(ctx, id, members, plan.memberBatches(), opts)
}

// UpdateServers changes the weight and description of members in place
// (UpdateServerGroupServersAttribute, [MaxServersPerAttributeCall] a call),
// where the Terraform provider removes and adds the server again, and
// waits until the members show them. Every server must be a member: one
// that is not is refused with an *[ArgumentError] before any write. It
// returns the group's members.
func (g *ServerGroups) UpdateServers(ctx context.Context, id string, servers []Server, opts ...WaitOption) (_ []BackendServer, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.UpdateServers", id)
	defer tel.end(&err)
	sg, members, err := g.membershipPlan(ctx, "ServerGroups.UpdateServers", id, opts, map[string][]Server{"servers": servers})
	if err != nil {
		return nil, err
	}
	if err := checkServers("ServerGroups.UpdateServers", "servers", sg, servers); err != nil {
		return nil, err
	}
	spec := SpecFromServerGroup(sg, nil)
	spec.Servers = servers
	plan := DiffServerGroup(spec, sg, members)
	if len(plan.AddServers) > 0 {
		return nil, &ArgumentError{Operation: "ServerGroups.UpdateServers", Argument: "servers",
			Message: fmt.Sprintf("%s is not a member of %s: add it with AddServers", plan.AddServers[0], id)}
	}
	if len(plan.Blocked) > 0 {
		return nil, blockedError(id, plan.Blocked)
	}
	return g.membersAfter(ctx, id, members, plan.memberBatches(), opts)
}

// ReplaceServers swaps members: add become members and remove stop being
// members in one ReplaceServersInServerGroup call per [MaxServersPerCall]
// on either side, so that traffic moves without a moment with both sets or
// neither (a blue/green swap). Servers of add that are already members and
// servers of remove that are not cost nothing; what is left on one side
// only goes in AddServersToServerGroup or RemoveServersFromServerGroup
// calls. Fc groups take no replacement (refused before any write). It
// waits until every server is Available or gone and returns the members.
func (g *ServerGroups) ReplaceServers(ctx context.Context, id string, add, remove []Server, opts ...WaitOption) (_ []BackendServer, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.ReplaceServers", id)
	defer tel.end(&err)
	const op = "ServerGroups.ReplaceServers"
	sg, members, err := g.membershipPlan(ctx, op, id, opts, map[string][]Server{"add": add, "remove": remove})
	if err != nil {
		return nil, err
	}
	if sg.Type == ServerGroupFc {
		return nil, &ArgumentError{Operation: op, Argument: "id", Message: id + " is an Fc server group: ReplaceServersInServerGroup does not take Fc groups; use AddServers and RemoveServers"}
	}
	if err := checkServers(op, "add", sg, add); err != nil {
		return nil, err
	}
	if err := checkServers(op, "remove", sg, remove); err != nil {
		return nil, err
	}
	spec := SpecFromServerGroup(sg, nil)
	spec.Servers, spec.AbsentServers = add, remove
	plan := DiffServerGroup(spec, sg, members)
	if len(plan.Blocked) > 0 {
		return nil, blockedError(id, plan.Blocked)
	}
	removes := make([]Server, len(plan.RemoveServers))
	for i, b := range plan.RemoveServers {
		removes[i] = b.Server
	}
	adds := plan.AddServers
	var batches []memberBatch
	for len(adds) > 0 && len(removes) > 0 {
		na, nr := min(MaxServersPerCall, len(adds)), min(MaxServersPerCall, len(removes))
		batches = append(batches, memberBatch{action: actionReplaceServers, servers: adds[:na:na], removed: removes[:nr:nr]})
		adds, removes = adds[na:], removes[nr:]
	}
	rest := &ServerGroupPlan{AddServers: adds, UpdateServers: plan.UpdateServers}
	for _, s := range removes {
		rest.RemoveServers = append(rest.RemoveServers, BackendServer{Server: s})
	}
	batches = append(batches, rest.memberBatches()...)
	return g.membersAfter(ctx, id, members, batches, opts)
}
