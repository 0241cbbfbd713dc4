package alb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// ErrManagedByService: a sweep refused an instance that another Alibaba
// Cloud service manages (a tag such as ack.aliyun.com says so; see
// [WarningManagedByService]) because SweepOptions.AllowManagedByService was
// not set.
var ErrManagedByService = errors.New("alb: instance is managed by another service")

// SweepFilter selects the instances [Client.Sweep] looks at. Every set
// field must match (AND). At least one of Tags, NamePrefix or Orphans is
// required: an age alone would select every old instance of the region.
type SweepFilter struct {
	// Tags: instances carrying every one of these tags; a tag with an
	// empty Value matches any value of its key.
	Tags []Tag
	// NamePrefix: instances whose name starts with it.
	NamePrefix string
	// OlderThan: instances created at least this long ago (by their
	// CreatedAt and the client's clock). Instances are billed until
	// released. Zero means any age.
	OlderThan time.Duration
	// VPCIDs: instances in these VPCs only (at most 10).
	VPCIDs []string
	// Orphans, when set, selects only instances albkit created whose
	// creator never came back; see [OrphanRule].
	Orphans *OrphanRule
}

// OrphanRule says which instances albkit created are orphans: the process
// that created them crashed or gave up before handing them to an owner,
// and nobody resumed them from their idempotency key.
//
// An orphan carries albkit's [TokenTagKey] tag (albkit created it), was
// created at least MinAge ago, and has no owner: no tag with the key
// OwnerTagKey, and Owned (if set) does not claim it. The owner mark is the
// caller's: a process that finished a create and took charge of the
// instance tags it with OwnerTagKey (for example "owner" = the
// controller's name), or records its token in a store that Owned reads.
// An instance in CreateFailed with the token tag is an orphan once older
// than MinAge whatever its tags: nobody can own it.
//
// Choose MinAge well above the longest create plus the time a caller takes
// to mark the instance owned (provisioning alone takes minutes).
type OrphanRule struct {
	// MinAge is the age from which an unowned instance is an orphan [1h].
	MinAge time.Duration
	// OwnerTagKey is the tag key that marks an owned instance. Required
	// unless Owned is set.
	OwnerTagKey string
	// Owned, if set, reports whether the caller's records own the instance
	// (for example by its Token). Called from Sweep's goroutine.
	Owned func(inst *Instance) bool
}

func (r *OrphanRule) minAge() time.Duration {
	if r.MinAge <= 0 {
		return time.Hour
	}
	return r.MinAge
}

// SweepOptions adjust [Client.Sweep]. The zero value is a dry run.
type SweepOptions struct {
	// Release releases the selected instances. Without it, Sweep is a dry
	// run: it reads and plans, and changes nothing.
	Release bool
	// AllowDeletionProtected releases instances with deletion protection
	// (turned off first, restored if the release fails). Without it they
	// are refused with [ErrDeletionProtected].
	AllowDeletionProtected bool
	// AllowManagedByService releases instances another service manages
	// (see [WarningManagedByService]). Without it they are refused with
	// [ErrManagedByService].
	AllowManagedByService bool
	// Bulk sets the concurrency (of the plans and of the releases), and the
	// progress, key reporting (OnToken receives each delete's ClientToken
	// before its first call) and waits of the releases.
	Bulk BulkOptions
}

// SweepAction is what Sweep did or would do with one instance.
type SweepAction string

// Sweep actions.
const (
	// SweepWouldRelease: a dry run would release the instance.
	SweepWouldRelease SweepAction = "would-release"
	// SweepReleased: the instance was released.
	SweepReleased SweepAction = "released"
	// SweepRefused: a safety rule kept the instance (deletion protection,
	// managed by another service); the Err says which.
	SweepRefused SweepAction = "refused"
	// SweepFailed: planning or releasing failed; the Err and State say
	// what remains.
	SweepFailed SweepAction = "failed"
)

// SweepItem is one selected instance.
type SweepItem struct {
	// Instance as listed (no zones; the Plan has the EIPs).
	Instance *Instance
	// Age is the instance's age when the sweep looked.
	Age time.Duration
	// Orphan is true when the orphan rule selected it.
	Orphan bool
	// Plan is what releasing it does (nil if it could not be read).
	Plan *ReleasePlan
	// Action is what the sweep did or would do.
	Action SweepAction
	// State says what remains after a release attempt (ItemReleased,
	// ItemNotReleased, ItemMaybeReleased); empty on a dry run or a refusal.
	State ItemState
	// Token is the delete's ClientToken, when a release was attempted.
	Token string
	// Result is the release's result, when one was attempted.
	Result *ReleaseResult
	// Err is why the instance was refused or failed.
	Err error
}

// String describes the item in one line.
func (i SweepItem) String() string {
	s := fmt.Sprintf("%s %s (%s, age %s): %s", i.Action, i.Instance.ID, i.Instance.Name, i.Age.Round(time.Second), i.State)
	if i.Err != nil {
		s += ": " + i.Err.Error()
	}
	return s
}

// SweepResult reports a sweep.
type SweepResult struct {
	// DryRun is true when nothing was released.
	DryRun bool
	// Items lists every selected instance, in list order.
	Items []SweepItem
	// Counts by action.
	WouldRelease, Released, Refused, Failed int
}

// Sweep finds the instances f selects (by tag, name prefix, age, and the
// orphan rule), plans their release, and, with opts.Release, releases them
// with the safety rules of [Client.Release]: instances with deletion
// protection and instances managed by another service are refused unless
// opts allow them. Without opts.Release it is a dry run that shows what
// would be released. The releases run as a bulk ([Client.ReleaseMany]),
// each with its own ClientToken.
//
// The error is non-nil only when the sweep could not run (an invalid
// filter, the list failed); per-instance failures are in the items.
func (c *Client) Sweep(ctx context.Context, f SweepFilter, opts SweepOptions) (_ *SweepResult, err error) {
	ctx, tel := c.operation(ctx, "Sweep", "")
	defer tel.end(&err)

	if len(f.Tags) == 0 && f.NamePrefix == "" && f.Orphans == nil {
		return nil, &ArgumentError{Operation: "Sweep", Argument: "filter", Message: "needs Tags, NamePrefix or Orphans (an age alone would select every old instance of the region)"}
	}
	if f.Orphans != nil && f.Orphans.OwnerTagKey == "" && f.Orphans.Owned == nil {
		return nil, &ArgumentError{Operation: "Sweep", Argument: "Orphans", Message: "needs OwnerTagKey or Owned to tell owned instances from orphans"}
	}
	if f.OlderThan < 0 {
		return nil, &ArgumentError{Operation: "Sweep", Argument: "OlderThan", Message: "must not be negative"}
	}
	tags := f.Tags
	if f.Orphans != nil {
		tags = append(append([]Tag(nil), tags...), Tag{Key: TokenTagKey}) // the key alone; filtered below
	}
	res := &SweepResult{DryRun: !opts.Release}
	now := c.clock.Now()
	for inst, err := range c.List(ctx, ListFilter{VPCIDs: f.VPCIDs, Tags: exactTags(f.Tags), PageSize: 100}) {
		if err != nil {
			return nil, err
		}
		item, ok := f.match(inst, now, tags)
		if ok {
			res.Items = append(res.Items, item)
		}
	}
	// Plan each selected instance (reads only, opts.Bulk.Concurrency at a
	// time) and apply the safety rules.
	sem := make(chan struct{}, opts.Bulk.concurrency(len(res.Items)))
	var wg sync.WaitGroup
	for i := range res.Items {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			res.Items[i].plan(ctx, c, opts)
		})
	}
	wg.Wait()
	var (
		reqs []ReleaseRequest
		at   []int
	)
	for i, it := range res.Items {
		if it.Action == "" {
			reqs = append(reqs, ReleaseRequest{ID: it.Instance.ID, Options: ReleaseOptions{DisableDeletionProtection: it.Plan.DeletionProtection}})
			at = append(at, i)
		}
	}
	if len(reqs) > 0 {
		for out := range c.ReleaseMany(ctx, reqs, opts.Bulk) {
			it := &res.Items[at[out.Index]]
			it.Token, it.Result, it.State, it.Err = out.Token, out.Result, out.State, out.Err
			it.Action = SweepReleased
			if out.Err != nil {
				it.Action = SweepFailed
			}
		}
	}
	for _, it := range res.Items {
		switch it.Action {
		case SweepWouldRelease:
			res.WouldRelease++
		case SweepReleased:
			res.Released++
		case SweepRefused:
			res.Refused++
		case SweepFailed:
			res.Failed++
		}
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "alb: sweep", slog.Bool("dry_run", res.DryRun), slog.Int("selected", len(res.Items)),
		slog.Int("would_release", res.WouldRelease), slog.Int("released", res.Released), slog.Int("refused", res.Refused), slog.Int("failed", res.Failed))
	return res, nil
}

// plan reads the item's release plan and decides its action; an item
// left without an action is to be released.
func (it *SweepItem) plan(ctx context.Context, c *Client, opts SweepOptions) {
	plan, err := c.PlanRelease(ctx, it.Instance.ID)
	it.Plan = plan
	switch {
	case err != nil:
		it.Action, it.Err, it.State = SweepFailed, err, ItemNotReleased
	case !plan.Exists:
		it.Action, it.State = SweepReleased, ItemReleased // gone meanwhile
		if !opts.Release {
			it.Action, it.State = SweepWouldRelease, ""
		}
	case plan.DeletionProtection && !opts.AllowDeletionProtected:
		it.Action, it.Err = SweepRefused, &RefusedError{Operation: "Sweep", ID: it.Instance.ID, Field: "DeletionProtection", Err: ErrDeletionProtected,
			Reason: "deletion protection is enabled", Instead: "set SweepOptions.AllowDeletionProtected to turn it off and release"}
	case managed(plan) != "" && !opts.AllowManagedByService:
		it.Action, it.Err = SweepRefused, &RefusedError{Operation: "Sweep", ID: it.Instance.ID, Field: "Tags", Err: ErrManagedByService,
			Reason: managed(plan), Instead: "set SweepOptions.AllowManagedByService to release it anyway"}
	case !opts.Release:
		it.Action = SweepWouldRelease
	}
}

// exactTags keeps the tags with a value for the service-side filter (a
// tag with an empty value is matched here, by key).
func exactTags(tags []Tag) []Tag {
	var out []Tag
	for _, t := range tags {
		if t.Value != "" {
			out = append(out, t)
		}
	}
	return out
}

// match applies the filter to a listed instance.
func (f SweepFilter) match(inst *Instance, now time.Time, tags []Tag) (SweepItem, bool) {
	item := SweepItem{Instance: inst, Age: now.Sub(inst.CreatedAt)}
	if inst.CreatedAt.IsZero() {
		item.Age = 0
	}
	if f.NamePrefix != "" && !strings.HasPrefix(inst.Name, f.NamePrefix) {
		return item, false
	}
	for _, t := range tags {
		v, ok := tagLookup(inst.Tags, t.Key)
		if !ok || (t.Value != "" && v != t.Value) {
			return item, false
		}
	}
	if f.OlderThan > 0 && (inst.CreatedAt.IsZero() || item.Age < f.OlderThan) {
		return item, false
	}
	if r := f.Orphans; r != nil {
		if inst.CreatedAt.IsZero() || item.Age < r.minAge() {
			return item, false
		}
		if inst.Status != StatusCreateFailed {
			if _, owned := tagLookup(inst.Tags, r.OwnerTagKey); owned && r.OwnerTagKey != "" {
				return item, false
			}
			if r.Owned != nil && r.Owned(inst) {
				return item, false
			}
		}
		item.Orphan = true
	}
	return item, true
}

// managed returns the plan's managed-by-service warning, if any.
func managed(p *ReleasePlan) string {
	for _, w := range p.Warnings {
		if w.Code == WarningManagedByService {
			return w.Detail
		}
	}
	return ""
}
