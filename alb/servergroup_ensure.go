package alb

import (
	"context"
	"errors"
	"fmt"
	"slices"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"
)

// EnsureID makes Ensure and PlanEnsure manage the existing resource id
// (an instance, a server group) instead of finding it by the spec's
// idempotency key: the adoption of a resource albkit did not create. The
// resource must exist: it is never created.
func EnsureID(id string) EnsureOption { return func(c *ensureConfig) { c.id = id } }

// ServerGroupResult is what [ServerGroups.Ensure] did.
type ServerGroupResult struct {
	// ID is the server group.
	ID string
	// Created is true when Ensure created it.
	Created bool
	// Plan is the plan Ensure applied.
	Plan *ServerGroupPlan
	// Calls are the write calls made, in order: the plan's Calls when
	// everything went through.
	Calls []string
	// Group is the group at the end, as last polled.
	Group *ServerGroup
	// Servers are the members at the end (nil when the membership did
	// not change).
	Servers []BackendServer
}

// Diff reads group id and its members and returns what would make them
// match spec ([DiffServerGroup]); no write.
func (g *ServerGroups) Diff(ctx context.Context, id string, spec ServerGroupSpec) (_ *ServerGroupPlan, err error) {
	ctx, tel := g.c.read(ctx, "ServerGroups.Diff", id)
	defer tel.end(&err)
	if err := requireGroupID("ServerGroups.Diff", id); err != nil {
		return nil, err
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	sg, err := g.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	members, err := g.members(ctx, id)
	if err != nil {
		return nil, err
	}
	return DiffServerGroup(spec, sg, members), nil
}

// PlanEnsure returns what [ServerGroups.Ensure] would do, without any
// write: the group is found by the spec's idempotency key (or [EnsureID]),
// and the plan's Blocked lists what cannot change in place.
func (g *ServerGroups) PlanEnsure(ctx context.Context, spec ServerGroupSpec, opts ...EnsureOption) (_ *ServerGroupPlan, err error) {
	ctx, tel := g.c.read(ctx, "ServerGroups.PlanEnsure", "")
	defer tel.end(&err)
	plan, _, err := g.planEnsure(ctx, "ServerGroups.PlanEnsure", spec, opts)
	return plan, err
}

func (g *ServerGroups) planEnsure(ctx context.Context, op string, spec ServerGroupSpec, opts []EnsureOption) (*ServerGroupPlan, ensureConfig, error) {
	cfg, err := ensureOptions(op, "server group", spec.IdempotencyKey, opts, requireGroupID)
	if err != nil {
		return nil, cfg, err
	}
	if err := spec.Validate(); err != nil {
		return nil, cfg, err
	}
	var sg *ServerGroup
	if cfg.id != "" {
		sg, err = g.Get(ctx, cfg.id)
	} else {
		sg, err = g.FindByToken(ctx, spec.IdempotencyKey)
		if isNotFound(err) {
			return DiffServerGroup(spec, nil, nil), cfg, nil
		}
	}
	if err != nil {
		return nil, cfg, err
	}
	if sg.Status != ServerGroupAvailable {
		// Diff a settled group: wait out a change in flight first.
		if sg, err = waitRes(g.c, ctx, serverGroups, waitSpec{op: "wait", id: sg.ID, waiting: "Available", unknownStart: true},
			g.c.waitOptions(cfg.wait), readyAcceptor(g.c, serverGroups, g.c.clock.Now(), 0, nil)); err != nil {
			return nil, cfg, err
		}
	}
	members, err := g.members(ctx, sg.ID)
	if err != nil {
		return nil, cfg, err
	}
	return DiffServerGroup(spec, sg, members), cfg, nil
}

// isNotFound reports whether err matches ErrNotFound.
func isNotFound(err error) bool { return err != nil && errors.Is(err, ErrNotFound) }

// Ensure makes the group of spec exist and match it, with the fewest
// writes, and returns what it did. It finds the group by the spec's
// idempotency key (the [TokenTagKey] tag; or [EnsureID]), creates it when
// there is none (as [ServerGroups.Create]), and otherwise applies the
// plan of [DiffServerGroup] in its order: one UpdateServerGroupAttribute
// with exactly the changed attributes, tags, resource group, then the
// servers to add, update and remove in calls of the API's maximum.
//
// Guarantees, as for instances: the calls made are the plan's Calls
// (ServerGroupResult.Calls); a second Ensure of the same spec makes no
// write; what cannot change in place (type, protocol, VPC, IPv6, a URL
// hash removed, a member's remote IP) is refused with a
// *[NotChangeableError] before any write. Membership is Shared by
// default: members the spec does not list (an autoscaler's) are left
// alone, and AbsentServers removes servers; MembershipOwned makes the
// listed set exact.
//
// A key whose group was deleted (a stack destroyed and applied again) makes
// a new one: the service answers the key's ClientToken with the deleted
// one, so the create goes on with the key's next token ("KEY~2", …; the
// tag keeps the key). [ServerGroups.Create] instead ends with ErrReleased.
func (g *ServerGroups) Ensure(ctx context.Context, spec ServerGroupSpec, opts ...EnsureOption) (_ *ServerGroupResult, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.Ensure", "")
	defer tel.end(&err)
	plan, cfg, err := g.planEnsure(ctx, "ServerGroups.Ensure", spec, opts)
	if err != nil {
		return nil, err
	}
	if len(plan.Blocked) > 0 {
		return &ServerGroupResult{ID: plan.ID, Plan: plan}, blockedError(plan.ID, plan.Blocked)
	}
	if plan.Create {
		res := &ServerGroupResult{Created: true, Plan: plan}
		sg, err := g.create(ctx, spec, nil, true, cfg.wait, func(action string) { res.Calls = append(res.Calls, action) }, cfg.ready)
		if sg != nil {
			res.ID, res.Group = sg.ID, sg
		}
		if err != nil {
			return res, err
		}
		return res, nil
	}
	return g.apply(ctx, plan, cfg.wait)
}

// apply makes the writes of a plan on an existing group, in its order, and
// records them.
func (g *ServerGroups) apply(ctx context.Context, plan *ServerGroupPlan, opts []WaitOption) (*ServerGroupResult, error) {
	c := g.c
	id := plan.ID
	res := &ServerGroupResult{ID: id, Plan: plan}
	attrSpec := plan.spec
	attrSpec.Servers, attrSpec.AbsentServers, attrSpec.Membership = nil, nil, MembershipShared
	write := func(action, waiting string, send func(ctx context.Context, sdk *albsdk.Client, token string) error, shows func(*ServerGroup) bool) error {
		sg, err := changeRes(c, ctx, serverGroups, waitSpec{op: action, id: id, waiting: waiting}, opts, "", send, shows)
		res.Calls = append(res.Calls, action)
		if sg != nil {
			res.Group = sg
		}
		return err
	}
	if len(plan.Attributes) > 0 {
		if err := write("UpdateServerGroupAttribute", "Available with the new attributes",
			func(ctx context.Context, sdk *albsdk.Client, token string) error {
				_, err := sdk.UpdateServerGroupAttributeWithContext(ctx, plan.updateAttributeRequest(token, false), c.runtime)
				return err
			},
			func(sg *ServerGroup) bool { return len(DiffServerGroup(attrSpec, sg, nil).Attributes) == 0 }); err != nil {
			return res, err
		}
	}
	if keys := plan.RemoveTagKeys; len(keys) > 0 {
		if err := write("UnTagResources", "Available without the tags",
			func(ctx context.Context, sdk *albsdk.Client, _ string) error { // no ClientToken; removing tags is idempotent
				_, err := sdk.UnTagResourcesWithContext(ctx, &albsdk.UnTagResourcesRequest{ResourceType: tea.String("servergroup"),
					ResourceId: []*string{tea.String(id)}, TagKey: tea.StringSlice(keys)}, c.runtime)
				return err
			},
			func(sg *ServerGroup) bool {
				return !slices.ContainsFunc(keys, func(k string) bool { _, ok := tagLookup(sg.Tags, k); return ok })
			}); err != nil {
			return res, err
		}
	}
	if tags := plan.AddTags; len(tags) > 0 {
		if err := write("TagResources", "Available with the new tags",
			func(ctx context.Context, sdk *albsdk.Client, _ string) error { // no ClientToken; setting tags is idempotent
				req := &albsdk.TagResourcesRequest{ResourceType: tea.String("servergroup"), ResourceId: []*string{tea.String(id)}}
				for _, t := range tags {
					req.Tag = append(req.Tag, &albsdk.TagResourcesRequestTag{Key: tea.String(t.Key), Value: tea.String(t.Value)})
				}
				_, err := sdk.TagResourcesWithContext(ctx, req, c.runtime)
				return err
			},
			func(sg *ServerGroup) bool {
				return !slices.ContainsFunc(tags, func(t Tag) bool { v, ok := tagLookup(sg.Tags, t.Key); return !ok || v != t.Value })
			}); err != nil {
			return res, err
		}
	}
	if rg := plan.ResourceGroupID; rg != "" {
		if err := write("MoveResourceGroup", "Available in "+rg,
			func(ctx context.Context, sdk *albsdk.Client, _ string) error {
				_, err := sdk.MoveResourceGroupWithContext(ctx, &albsdk.MoveResourceGroupRequest{ResourceType: tea.String("servergroup"),
					ResourceId: tea.String(id), NewResourceGroupId: tea.String(rg)}, c.runtime)
				return err
			},
			func(sg *ServerGroup) bool { return sg.ResourceGroupID == rg }); err != nil {
			return res, err
		}
	}
	sg, members, err := g.applyMembers(ctx, id, plan.memberBatches(), opts, func(action string) { res.Calls = append(res.Calls, action) })
	if sg != nil {
		res.Group = sg
	}
	res.Servers = members
	if err != nil {
		return res, err
	}
	if res.Group == nil {
		if res.Group, err = g.Get(ctx, id); err != nil {
			return res, fmt.Errorf("alb: server group %s: reading it after the changes: %w", id, err)
		}
	}
	return res, nil
}
