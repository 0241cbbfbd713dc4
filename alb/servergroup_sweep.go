package alb

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ServerGroupSweep selects the server groups [ServerGroups.Sweep] looks at
// and says what to do with them. Every set field must match (AND). At
// least one of Tags, NamePrefix or Orphans is required. The zero value of
// Delete is a dry run.
type ServerGroupSweep struct {
	// Tags: groups carrying every one of these tags; a tag with an empty
	// Value matches any value of its key.
	Tags []Tag
	// NamePrefix: groups whose name starts with it.
	NamePrefix string
	// VPCID: groups in this VPC only.
	VPCID string
	// Orphans, when set, selects only groups albkit created (they carry
	// [TokenTagKey]) that nobody owns: older than MinAge [1h], without the
	// OwnerTagKey tag and not claimed by Owned. OwnerTagKey or Owned is
	// required with it.
	Orphans bool
	// MinAge is the age from which an unowned group is an orphan [1h].
	MinAge time.Duration
	// OwnerTagKey is the tag key that marks an owned group.
	OwnerTagKey string
	// Owned, if set, reports whether the caller's records own the group
	// (for example by its Token).
	Owned func(*ServerGroup) bool
	// Delete deletes the selected groups; without it Sweep only reports.
	Delete bool
}

// Sweep actions of server groups.
const (
	// SweepWouldDelete: a dry run would delete the group.
	SweepWouldDelete SweepAction = "would-delete"
	// SweepDeleted: the group was deleted.
	SweepDeleted SweepAction = "deleted"
)

// ServerGroupSweepItem is one selected group and what Sweep did.
type ServerGroupSweepItem struct {
	Group  *ServerGroup  // as listed
	Age    time.Duration // its age when Sweep looked
	Orphan bool          // the orphan rule selected it
	Action SweepAction   // SweepWouldDelete, SweepDeleted, SweepRefused or SweepFailed
	Err    error         // why it was refused or failed
}

// Sweep finds server groups (by tag, name prefix, VPC, or as albkit's
// orphans: groups a crashed create left behind) and deletes them, or with
// Delete unset only says which it would delete. A group that listeners
// or rules use is refused (*[InUseError]), and so is one another service
// manages (ConfigManaged, the ingress controller's: [ErrManagedByService]).
// Items come in the order ListServerGroups returns them.
func (g *ServerGroups) Sweep(ctx context.Context, f ServerGroupSweep) (_ []ServerGroupSweepItem, err error) {
	ctx, tel := g.c.operation(ctx, "ServerGroups.Sweep", "")
	defer tel.end(&err)
	const op = "ServerGroups.Sweep"
	switch {
	case len(f.Tags) == 0 && f.NamePrefix == "" && !f.Orphans:
		return nil, &ArgumentError{Operation: op, Argument: "filter", Message: "needs Tags, NamePrefix or Orphans (a VPC alone would select every group in it)"}
	case f.Orphans && f.OwnerTagKey == "" && f.Owned == nil:
		return nil, &ArgumentError{Operation: op, Argument: "Orphans", Message: "needs OwnerTagKey or Owned to tell owned groups from orphans"}
	case f.MinAge < 0:
		return nil, &ArgumentError{Operation: op, Argument: "MinAge", Message: "must not be negative"}
	case len(f.Tags) > 10:
		return nil, &ArgumentError{Operation: op, Argument: "Tags", Message: fmt.Sprintf("%d given; ListServerGroups takes at most 10", len(f.Tags))}
	}
	minAge := f.MinAge
	if minAge == 0 {
		minAge = time.Hour
	}
	now := g.c.clock.Now()
	var items []ServerGroupSweepItem
	for sg, err := range g.List(ctx, ServerGroupFilter{VPCID: f.VPCID, Tags: exactTags(f.Tags)}) {
		if err != nil {
			return items, err
		}
		if !hasTags(sg.Tags, f.Tags) || !strings.HasPrefix(sg.Name, f.NamePrefix) {
			continue
		}
		age := now.Sub(sg.CreatedAt)
		if f.Orphans {
			_, owned := tagLookup(sg.Tags, f.OwnerTagKey)
			if sg.Token() == "" || age < minAge || f.OwnerTagKey != "" && owned || f.Owned != nil && f.Owned(sg) {
				continue
			}
		}
		item := ServerGroupSweepItem{Group: sg, Age: age, Orphan: f.Orphans, Action: SweepWouldDelete}
		switch {
		case len(sg.LoadBalancerIDs) > 0:
			item.Action, item.Err = SweepRefused, &InUseError{Kind: kindServerGroup, ID: sg.ID, LoadBalancerIDs: sg.LoadBalancerIDs}
		case sg.ConfigManaged:
			item.Action, item.Err = SweepRefused, fmt.Errorf("alb: server group %s is managed by another service (ConfigManagedEnabled): %w", sg.ID, ErrManagedByService)
		case f.Delete:
			if err := g.Delete(ctx, sg.ID); err != nil {
				item.Action, item.Err = SweepFailed, err
			} else {
				item.Action = SweepDeleted
			}
		}
		items = append(items, item)
	}
	return items, nil
}

// hasTags reports whether tags carry every one of want (an empty value
// matches any value of its key).
func hasTags(tags, want []Tag) bool {
	for _, w := range want {
		v, ok := tagLookup(tags, w.Key)
		if !ok || w.Value != "" && v != w.Value {
			return false
		}
	}
	return true
}
