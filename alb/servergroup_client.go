package alb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"regexp"
	"slices"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/apierr"
	"github.com/albkit/albkit/internal/waiter"
)

// ServerGroups is the server-group family of a [Client]: every operation
// on server groups and their servers, reached with [Client.ServerGroups].
// It is safe for concurrent use and costs nothing to make.
//
// Server groups are regional resources: they belong to a VPC, not to an
// instance, and outlive the instances whose listeners use them. Every
// write carries one ClientToken for all its retries and waits until the
// group is Available again (and, for membership changes, until the
// servers it touched are Available or gone); waits on many groups share
// their polls (ListServerGroups by IDs, 20 a call), as waits on instances
// do.
type ServerGroups struct{ c *Client }

// ServerGroups returns the client's server-group operations.
func (c *Client) ServerGroups() *ServerGroups { return &ServerGroups{c: c} }

// String describes the family without any credential.
func (g *ServerGroups) String() string { return "alb.ServerGroups{region: " + g.c.region + "}" }

// kindServerGroup is the server group's name in messages and schedules.
const kindServerGroup = "server group"

// serverGroupPolls reads groups with ListServerGroups (at most 20 IDs a
// call: GUESS, as the emulator takes).
var serverGroupPolls = kind[*ServerGroup]{
	name: kindServerGroup, action: "ListServerGroups", maxIDs: 20,
	list: func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string]*ServerGroup, error) {
		r, err := sdk.ListServerGroupsWithContext(ctx, &albsdk.ListServerGroupsRequest{ServerGroupIds: tea.StringSlice(ids), MaxResults: tea.Int32(100)}, rt)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Body == nil {
			return nil, errors.New("the answer has no body")
		}
		return byID(r.Body.ServerGroups, func(b *albsdk.ListServerGroupsResponseBodyServerGroups) (string, *ServerGroup) {
			g := serverGroupFromSDK(b)
			return g.ID, g
		}), nil
	},
}

// serverGroups describes server groups to the engine (resource.go):
// Available is ready; Creating and Configuring are pending; Deleting (or
// any other status) is a state waiting cannot resolve.
var serverGroups = &family[*ServerGroup]{
	name:    kindServerGroup,
	jobType: "servergroup", deleteAction: "DeleteServerGroup",
	polls:  func(c *Client) *poller[*ServerGroup] { return c.sgPolls },
	status: func(g *ServerGroup) Status { return Status(g.Status) },
	judge: func(g *ServerGroup) (waiter.Verdict, error) {
		switch g.Status {
		case ServerGroupAvailable:
			return waiter.Success, nil
		case ServerGroupCreating, ServerGroupConfiguring:
			return waiter.Continue, nil
		case ServerGroupDeleting:
			return waiter.Failure, &StateError{ID: g.ID, Status: Status(g.Status), Reason: "the server group is being deleted", kind: ErrUnexpectedState}
		}
		return waiter.Failure, &StateError{ID: g.ID, Status: Status(g.Status), Reason: "unknown server group status", kind: ErrUnexpectedState}
	},
	gone: func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && ae.Code == "ResourceNotFound.ServerGroup" || notListed(err, kindServerGroup)
	},
}

// serverGroupIDPattern is the shape of a server group ID: "sgp-" and
// letters and digits.
var serverGroupIDPattern = regexp.MustCompile(`^sgp-[0-9A-Za-z]+$`)

// requireGroupID refuses a missing or malformed server group ID before any
// API call.
func requireGroupID(op, id string) error {
	switch {
	case id == "":
		return &ArgumentError{Operation: op, Argument: "id", Message: "is required"}
	case !serverGroupIDPattern.MatchString(id):
		return &ArgumentError{Operation: op, Argument: "id",
			Message: fmt.Sprintf("%q is not a server group ID: a server group ID is \"sgp-\" followed by letters and digits", truncate(id, 64))}
	}
	return nil
}

// Get returns the group as ListServerGroups reports it. A missing group is
// an error matching [ErrNotFound]. Gets of many groups at about the same
// time share their calls.
func (g *ServerGroups) Get(ctx context.Context, id string) (_ *ServerGroup, err error) {
	ctx, tel := g.c.read(ctx, "ServerGroups.Get", id)
	defer tel.end(&err)
	if err := requireGroupID("ServerGroups.Get", id); err != nil {
		return nil, err
	}
	return g.c.sgPolls.get(ctx, id)
}

// ServerGroupFilter selects server groups for [ServerGroups.List]. Empty
// fields do not filter. The limits are ListServerGroups'; a filter beyond
// them is refused before any call with an *[ArgumentError].
type ServerGroupFilter struct {
	IDs             []string        // at most 20
	Names           []string        // at most 10
	VPCID           string          // only groups in this VPC
	Type            ServerGroupType // only groups of this type
	ResourceGroupID string          // only this resource group
	Tags            []Tag           // groups carrying every one of these tags; at most 10
	// PageSize is the number of groups per ListServerGroups call (1–100;
	// 0 takes 100).
	PageSize int32
}

func (f ServerGroupFilter) check() error {
	bad := func(field, format string, args ...any) error {
		return &ArgumentError{Operation: "ServerGroups.List", Argument: "ServerGroupFilter." + field, Message: fmt.Sprintf(format, args...)}
	}
	for _, l := range []struct {
		field  string
		n, max int
	}{{"IDs", len(f.IDs), 20}, {"Names", len(f.Names), 10}, {"Tags", len(f.Tags), 10}} {
		if l.n > l.max {
			return bad(l.field, "%d given; ListServerGroups takes at most %d: split the list", l.n, l.max)
		}
	}
	if f.PageSize < 0 || f.PageSize > maxPageSize {
		return bad("PageSize", "%d is outside 1–%d (0 takes %d)", f.PageSize, maxPageSize, maxPageSize)
	}
	switch f.Type {
	case "", ServerGroupInstance, ServerGroupIP, ServerGroupFc:
	default:
		return bad("Type", "%q is not Instance, Ip or Fc", truncate(string(f.Type), 32))
	}
	return nil
}

func (f ServerGroupFilter) request() *albsdk.ListServerGroupsRequest {
	req := &albsdk.ListServerGroupsRequest{MaxResults: tea.Int32(maxPageSize)}
	if f.PageSize > 0 {
		req.MaxResults = tea.Int32(f.PageSize)
	}
	if len(f.IDs) > 0 {
		req.ServerGroupIds = tea.StringSlice(f.IDs)
	}
	if len(f.Names) > 0 {
		req.ServerGroupNames = tea.StringSlice(f.Names)
	}
	if f.VPCID != "" {
		req.VpcId = tea.String(f.VPCID)
	}
	if f.Type != "" {
		req.ServerGroupType = tea.String(string(f.Type))
	}
	if f.ResourceGroupID != "" {
		req.ResourceGroupId = tea.String(f.ResourceGroupID)
	}
	for _, t := range f.Tags {
		req.Tag = append(req.Tag, &albsdk.ListServerGroupsRequestTag{Key: tea.String(t.Key), Value: tea.String(t.Value)})
	}
	return req
}

// List returns the groups matching f, following NextToken across pages.
// An error ends the sequence:
//
//	for sg, err := range client.ServerGroups().List(ctx, alb.ServerGroupFilter{VPCID: vpc}) {
//		if err != nil { return err }
//		fmt.Println(sg.ID, sg.Name, sg.ServerCount)
//	}
func (g *ServerGroups) List(ctx context.Context, f ServerGroupFilter) iter.Seq2[*ServerGroup, error] {
	c := g.c
	return func(yield func(*ServerGroup, error) bool) {
		var err error
		ctx, tel := c.read(ctx, "ServerGroups.List", "")
		defer tel.end(&err)
		if err = f.check(); err != nil {
			yield(nil, err)
			return
		}
		req := f.request()
		if err = eachPage("ListServerGroups", func(token *string) (*string, error) {
			req.NextToken = token
			body, err := answer(c, ctx, "ListServerGroups", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.ListServerGroupsResponse, error) {
				return sdk.ListServerGroupsWithContext(ctx, req, c.runtime)
			}, (*albsdk.ListServerGroupsResponse).GetBody)
			if err != nil {
				return nil, err
			}
			for _, b := range body.ServerGroups {
				if b != nil && !yield(serverGroupFromSDK(b), nil) {
					return nil, nil
				}
			}
			return body.NextToken, nil
		}); err != nil {
			yield(nil, err)
		}
	}
}

// ListServers returns every member of the group, with its status
// (ListServerGroupServers, 100 a page). A group that does not exist is an
// error matching [ErrNotFound].
func (g *ServerGroups) ListServers(ctx context.Context, id string) (_ []BackendServer, err error) {
	ctx, tel := g.c.read(ctx, "ServerGroups.ListServers", id)
	defer tel.end(&err)
	if err := requireGroupID("ServerGroups.ListServers", id); err != nil {
		return nil, err
	}
	return g.members(ctx, id)
}

// members reads every member of group id.
func (g *ServerGroups) members(ctx context.Context, id string) ([]BackendServer, error) {
	c := g.c
	req := &albsdk.ListServerGroupServersRequest{ServerGroupId: tea.String(id), MaxResults: tea.Int32(maxPageSize)}
	var out []BackendServer
	err := eachPage("ListServerGroupServers", func(token *string) (*string, error) {
		req.NextToken = token
		body, err := answer(c, ctx, "ListServerGroupServers", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.ListServerGroupServersResponse, error) {
			return sdk.ListServerGroupServersWithContext(ctx, req, c.runtime)
		}, (*albsdk.ListServerGroupServersResponse).GetBody)
		if err != nil {
			return nil, err
		}
		for _, b := range body.Servers {
			if b != nil {
				out = append(out, backendServerFromSDK(b))
			}
		}
		return body.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindByToken returns the group albkit created with the idempotency key
// token (the [TokenTagKey] tag it puts on every group it creates); an error
// matching [ErrNotFound] when no group carries it.
func (g *ServerGroups) FindByToken(ctx context.Context, token string) (_ *ServerGroup, err error) {
	ctx, tel := g.c.read(ctx, "ServerGroups.FindByToken", "")
	defer tel.end(&err)
	if err := requireID("ServerGroups.FindByToken", "token", token); err != nil {
		return nil, err
	}
	for sg, err := range g.List(ctx, ServerGroupFilter{Tags: []Tag{{Key: TokenTagKey, Value: token}}}) {
		if err != nil {
			return nil, err
		}
		if sg.Token() == token {
			return sg, nil
		}
	}
	return nil, &notFoundError{msg: "alb: no server group carries token " + token}
}

// CreateDryRun asks the service to check spec without creating anything
// (CreateServerGroup with DryRun): nil when its checks pass, else its
// error. The spec is validated locally first.
func (g *ServerGroups) CreateDryRun(ctx context.Context, spec ServerGroupSpec) (err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.CreateDryRun", "")
	defer tel.end(&err)
	if err := spec.Validate(); err != nil {
		return err
	}
	c := g.c
	token := spec.IdempotencyKey
	if token == "" {
		token = c.newTok()
	}
	err = c.call(ctx, "CreateServerGroup", true, func(ctx context.Context, sdk *albsdk.Client) error {
		_, err := sdk.CreateServerGroupWithContext(ctx, spec.createRequest(token, token, true), c.runtime)
		return err
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == "DryRunOperation" {
		return nil
	}
	if err == nil {
		return &NetworkError{Operation: "CreateServerGroup", Err: errors.New("the dry run was answered without DryRunOperation")}
	}
	return err
}

// Create makes the group of spec and its servers, and waits until the
// group is Available and every server is Available. It returns the group.
//
// The spec is validated locally first (a *[ValidationError] makes no API
// call). CreateServerGroup carries one ClientToken for every retry, the
// spec's IdempotencyKey or a generated one, and albkit tags the group with
// it ([TokenTagKey]) and with the spec's digest ([SpecTagKey]). A call that
// may have reached the service is followed by a lookup by the token, so a
// retry never makes a second group. The servers then go in calls of
// [MaxServersPerCall], each with its own ClientToken; a resumed create
// reads the members again and adds only those missing.
//
// Crash safety: persist the key before calling Create
// ([ServerGroupSpec.WithIdempotencyKey]); after a crash,
// [ServerGroups.ResumeCreate] with the key and the spec finds the group
// and finishes it. When the service refuses a server (one in another VPC,
// say), Create deletes the group it made and returns a *[ServersError]
// with RolledBack set; when a call fails in a way that may yet succeed (a
// timeout, the context), the group stays, tagged with the key, and the
// error (with the group's ID) says to resume it.
func (g *ServerGroups) Create(ctx context.Context, spec ServerGroupSpec, opts ...WaitOption) (_ *ServerGroup, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.Create", "")
	defer tel.end(&err)
	if err := checkWaitOpts("ServerGroups.Create", opts); err != nil {
		return nil, err
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if spec.IdempotencyKey == "" {
		spec.IdempotencyKey = g.c.newTok()
	}
	sg, err := g.create(ctx, spec, nil, false, opts, nil, nil)
	if sg != nil {
		tel.setID(sg.ID)
	}
	return sg, err
}

// ResumeCreate finishes the create of the group made with the idempotency
// key token, in a new process or after the first attempt was abandoned. It
// never creates a second group.
//
// It finds the group by its token tag. With spec non-nil, the group must
// have been made from the same spec (checked against the [SpecTagKey]
// digest; a different one is refused with an error matching
// [ErrIdempotencyKeyReused]), and the spec's servers still missing are
// added. When no group carries the token: without a spec it is an error
// matching [ErrNotFound]; with one, it is created as by Create, with the
// same token.
func (g *ServerGroups) ResumeCreate(ctx context.Context, token string, spec *ServerGroupSpec, opts ...WaitOption) (_ *ServerGroup, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.ResumeCreate", "")
	defer tel.end(&err)
	if err := requireID("ServerGroups.ResumeCreate", "token", token); err != nil {
		return nil, err
	}
	if err := checkWaitOpts("ServerGroups.ResumeCreate", opts); err != nil {
		return nil, err
	}
	var s ServerGroupSpec
	if spec != nil {
		s = spec.WithIdempotencyKey(token)
		if err := s.Validate(); err != nil {
			return nil, err
		}
	}
	found, err := g.FindByToken(ctx, token)
	switch {
	case err == nil:
		if d := tagValue(found.Tags, SpecTagKey); spec != nil && d != "" && d != s.Digest() {
			return nil, &IdempotencyError{Token: token, InstanceID: found.ID,
				Reason: "the server group made with this key was created from a different spec (" + SpecTagKey + " " + d + ", this spec " + s.Digest() + ")"}
		}
		g.c.emit(Event{Kind: EventStep, Operation: "CreateServerGroup", ID: found.ID, Message: "resumed " + found.ID + " from its token tag"})
		if spec == nil {
			return waitRes(g.c, ctx, serverGroups, waitSpec{op: "create", id: found.ID, waiting: "Available", unknownStart: true},
				g.c.waitOptions(opts), readyAcceptor(g.c, serverGroups, time.Time{}, 0, nil))
		}
		return g.create(ctx, s, found, false, opts, nil, nil)
	case !errors.Is(err, ErrNotFound):
		return nil, err
	case spec == nil:
		return nil, fmt.Errorf("alb: ServerGroups.ResumeCreate: no server group carries token %q and no spec was given to re-send: %w", token, ErrNotFound)
	}
	return g.create(ctx, s, nil, false, opts, nil, nil)
}

// create sends CreateServerGroup (unless found, the group the token made),
// waits until the group is Available and adds the spec's servers it lacks.
// spec is valid and has its IdempotencyKey. sent, if set, hears each write
// call's action once it may have reached the service.
func (g *ServerGroups) create(ctx context.Context, spec ServerGroupSpec, found *ServerGroup, renew bool, opts []WaitOption, sent func(action string), ready func(id string)) (*ServerGroup, error) {
	c := g.c
	w := c.waitOptions(opts)
	id, resumed := "", found != nil
	var sg *ServerGroup
	var err error
	if found != nil {
		id = found.ID
		sg, err = waitRes(c, ctx, serverGroups, waitSpec{op: "create", id: id, waiting: "Available", unknownStart: true}, w,
			readyAcceptor(c, serverGroups, c.clock.Now(), w.NotFoundGrace, nil))
	} else {
		id, sg, err = createRes(c, ctx, serverGroups, spec.IdempotencyKey, renew, w, waitSpec{op: "create", waiting: "Available"},
			func(ctx context.Context, token string) (string, error) { return g.sendCreate(ctx, spec, token) },
			func() {
				if sent != nil {
					sent("CreateServerGroup")
				}
			},
			func(ctx context.Context) (bool, error) { return live(g.FindByToken(ctx, spec.IdempotencyKey)) })
		if id == "" {
			return nil, err
		}
	}
	if err != nil {
		// The group was made (or found) but not seen Available: with no
		// servers to add, the wait's own error says it (and names the
		// group); otherwise none of the servers was sent.
		if len(spec.Servers) == 0 {
			return nil, err
		}
		return nil, &ServersError{GroupID: id, Action: "wait", NotApplied: spec.Servers, Err: err}
	}
	if ready != nil && !resumed {
		ready(id)
	}
	if len(spec.Servers) == 0 {
		return sg, nil
	}
	have := []BackendServer(nil)
	if resumed || sg.ServerCount > 0 {
		if have, err = g.members(ctx, id); err != nil {
			return sg, &ServersError{GroupID: id, Action: "ListServerGroupServers", NotApplied: spec.Servers, Err: err}
		}
	}
	plan := DiffServerGroup(spec, sg, have)
	batches := plan.memberBatches()
	after, _, err := g.applyMembers(ctx, id, batches, opts, sent)
	if after == nil {
		after = sg
	}
	if err != nil {
		var se *ServersError
		var ae *APIError
		if !resumed && errors.As(err, &se) && errors.As(err, &ae) && !ae.Retryable() && !ae.Auth() {
			// The service refused a server: the group is new and has
			// nothing else on it, so take it back rather than leave half a
			// create behind.
			if derr := g.Delete(ctx, id, opts...); derr == nil {
				se.RolledBack = true
			} else {
				c.log.LogAttrs(ctx, slog.LevelWarn, "alb: could not delete the server group of a failed create", slog.String("id", id), slog.Any("error", derr))
			}
		}
		return after, err
	}
	return after, nil
}

// sendCreate sends CreateServerGroup with ClientToken token (a generation
// of the spec's key, which the token tag carries) and returns the group's ID; when the call may have reached the service
// and failed, it looks the group up by its token tag.
func (g *ServerGroups) sendCreate(ctx context.Context, spec ServerGroupSpec, token string) (string, error) {
	c := g.c
	var id string
	err := c.call(ctx, "CreateServerGroup", true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := sdk.CreateServerGroupWithContext(ctx, spec.createRequest(spec.IdempotencyKey, token, false), c.runtime)
		if err == nil && r.Body != nil {
			id = tea.StringValue(r.Body.ServerGroupId)
		}
		return err
	})
	if err != nil && !definitive(err) && ctx.Err() == nil {
		if sg, ferr := g.FindByToken(ctx, spec.IdempotencyKey); ferr == nil {
			id, err = sg.ID, nil
		}
	}
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", &NetworkError{Operation: "CreateServerGroup", Err: errors.New("the answer carries no ServerGroupId")}
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "alb: server group create accepted", slog.String("id", id), slog.String("client_token", token))
	c.emit(Event{Kind: EventStep, Operation: "CreateServerGroup", ID: id, Message: fmt.Sprintf("server group create accepted: %s (token %s)", id, token)})
	return id, nil
}

// Update makes the group's attributes, tags and resource group match spec
// (one UpdateServerGroupAttribute with exactly the changed attributes,
// then tags, then MoveResourceGroup), waits until the group shows them,
// and returns it. Membership is not touched: see [ServerGroups.Ensure] and
// the server operations. What cannot change in place (type, protocol, VPC,
// IPv6) is refused with a *[NotChangeableError] before any write.
func (g *ServerGroups) Update(ctx context.Context, id string, spec ServerGroupSpec, opts ...WaitOption) (_ *ServerGroup, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.Update", id)
	defer tel.end(&err)
	if err := requireGroupID("ServerGroups.Update", id); err != nil {
		return nil, err
	}
	if err := checkWaitOpts("ServerGroups.Update", opts); err != nil {
		return nil, err
	}
	spec.Servers, spec.AbsentServers, spec.Membership = nil, nil, MembershipShared
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	sg, err := g.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	plan := DiffServerGroup(spec, sg, nil)
	if len(plan.Blocked) > 0 {
		return sg, blockedError(id, plan.Blocked)
	}
	res, err := g.apply(ctx, plan, opts)
	if err != nil {
		return nil, err
	}
	if res.Group != nil {
		return res.Group, nil
	}
	return sg, nil
}

// InUseError is the refusal to delete a resource that others use: a
// server group that a listener's default action or a forwarding rule
// forwards to (ResourceInUse.ServerGroup). errors.Is(err, [ErrInUse])
// holds. Nothing retries it: remove the users first.
type InUseError struct {
	// Kind and ID name the resource ("server group", "sgp-…").
	Kind, ID string
	// LoadBalancerIDs are the instances whose listeners or rules use it,
	// as the service reports them (RelatedLoadBalancerIds).
	LoadBalancerIDs []string
	// Users are the listeners and forwarding rules known to use it, when
	// albkit could tell.
	Users []string
	// Err is the service's answer.
	Err error
}

// ErrInUse: a resource cannot be deleted while others use it. See
// *[InUseError].
var ErrInUse = errors.New("alb: resource in use")

// Error names the resource and its users.
func (e *InUseError) Error() string {
	s := "alb: " + e.Kind + " " + e.ID + " is in use"
	switch {
	case len(e.Users) > 0:
		s += fmt.Sprintf(" by %v", e.Users)
	case len(e.LoadBalancerIDs) > 0:
		s += fmt.Sprintf(" by listeners or rules of %v", e.LoadBalancerIDs)
	}
	s += ": remove them (or point them elsewhere) first"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is matches ErrInUse.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// Unwrap returns the service's answer.
func (e *InUseError) Unwrap() error { return e.Err }

// Delete deletes the group (DeleteServerGroup, one ClientToken for every
// attempt) and waits until it is gone. A group that is already gone is
// deleted successfully. A group a listener or rule uses is refused with an
// *[InUseError] naming the instances that use it; nothing retries that.
// A busy group (Configuring) is waited for and the delete sent again, a
// few times.
func (g *ServerGroups) Delete(ctx context.Context, id string, opts ...WaitOption) (err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.Delete", id)
	defer tel.end(&err)
	if err := requireGroupID("ServerGroups.Delete", id); err != nil {
		return err
	}
	if err := checkWaitOpts("ServerGroups.Delete", opts); err != nil {
		return err
	}
	c := g.c
	token := c.newTok()
	w := c.waitOptions(opts)
	const rounds = 4
	for round := 1; ; round++ {
		err := c.call(ctx, "DeleteServerGroup", true, func(ctx context.Context, sdk *albsdk.Client) error {
			_, err := sdk.DeleteServerGroupWithContext(ctx, &albsdk.DeleteServerGroupRequest{ServerGroupId: tea.String(id), ClientToken: tea.String(token)}, c.runtime)
			return err
		})
		var ae *APIError
		switch {
		case err == nil:
		case serverGroups.gone(err):
			return nil
		case errors.As(err, &ae) && ae.class().Has(apierr.InUse):
			ie := &InUseError{Kind: kindServerGroup, ID: id, Err: err}
			if sg, gerr := g.c.sgPolls.get(ctx, id); gerr == nil {
				ie.LoadBalancerIDs = sg.LoadBalancerIDs
				ie.Users = g.users(ctx, id, sg.LoadBalancerIDs)
			}
			return ie
		case retryable(err) && round < rounds && ctx.Err() == nil:
			if _, werr := waitRes(c, ctx, serverGroups, waitSpec{op: "DeleteServerGroup", id: id, waiting: "Available"}, w,
				readyAcceptor(c, serverGroups, time.Time{}, 0, nil)); werr == nil || serverGroups.gone(werr) {
				continue
			}
			return err
		default:
			return err
		}
		c.emit(Event{Kind: EventStep, Operation: "DeleteServerGroup", ID: id, Message: "DeleteServerGroup sent for " + id})
		_, err = waitRes(c, ctx, serverGroups, waitSpec{op: "DeleteServerGroup", id: id, waiting: "gone"}, w, goneAcceptorOf(serverGroups))
		if err == nil {
			c.log.LogAttrs(ctx, slog.LevelInfo, "alb: server group deleted", slog.String("id", id))
		}
		return err
	}
}

// users names the listeners and forwarding rules of the instances lbIDs
// that use group id, for an *InUseError (best effort: a read that fails
// leaves them out).
func (g *ServerGroups) users(ctx context.Context, id string, lbIDs []string) []string {
	if len(lbIDs) == 0 {
		return nil
	}
	lbIDs = lbIDs[:min(len(lbIDs), 20)]
	var out []string
	for ls, err := range g.c.Listeners().List(ctx, ListenerFilter{LoadBalancerIDs: lbIDs}) {
		if err != nil {
			return out
		}
		if slices.Contains(ls.DefaultServerGroupIDs, id) {
			out = append(out, "listener "+ls.ID+" (its default action)")
		}
	}
	for r, err := range g.c.ForwardingRules().List(ctx, RuleFilter{LoadBalancerIDs: lbIDs}) {
		if err != nil {
			return out
		}
		if slices.ContainsFunc(r.serverGroupRefs(), func(g groupRef) bool { return g.id == id }) {
			out = append(out, fmt.Sprintf("rule %s (%s) of listener %s", r.ID, r.Name, r.ListenerID))
		}
	}
	return out
}
