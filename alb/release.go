package alb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/internal/cloudapi"
)

// ReleasePlan says what releasing an instance will do, for a person to
// read before confirming. Releasing permanently deletes all configuration
// and cannot be undone.
type ReleasePlan struct {
	// ID of the instance.
	ID string
	// Exists is false when the instance is already gone; releasing it is
	// then a no-op that succeeds.
	Exists bool
	// Name, Status and DNSName as currently reported.
	Name    string // instance name
	Status  Status // current status
	DNSName string // DNS name that must no longer be resolved to
	// DeletionProtection is on: the release is refused unless
	// ReleaseOptions.DisableDeletionProtection is set.
	DeletionProtection bool
	// ReadOnly is the configuration read-only mode; it does not block an
	// API release.
	ReadOnly ReadOnlyMode
	// EIPs are disassociated and released together with the instance:
	// every EIP or Anycast EIP associated with it, including those chosen
	// at creation.
	EIPs []eip.ReleaseEffect
	// Warnings a person should read: for example that the instance is
	// managed by another service, or that DNS may still point at it.
	Warnings []string
}

// String renders the plan in a few lines.
func (p *ReleasePlan) String() string {
	if !p.Exists {
		return fmt.Sprintf("release %s: already gone, nothing to do", p.ID)
	}
	s := fmt.Sprintf("release %s (%s), status %s\n  deletion protection: %s\n  read-only mode: %s",
		p.ID, p.Name, p.Status, onOff(p.DeletionProtection), onOff(p.ReadOnly.Enabled))
	if len(p.EIPs) == 0 {
		s += "\n  EIPs released with it: none"
	}
	for _, e := range p.EIPs {
		s += fmt.Sprintf("\n  EIP released with it: %s %s (%s)", e.AllocationID, e.IPAddress, e.Type)
	}
	for _, w := range p.Warnings {
		s += "\n  warning: " + w
	}
	return s
}

// managedTagPrefixes mark instances managed by another Alibaba Cloud
// service (for example Container Service for Kubernetes).
var managedTagPrefixes = []string{"ack.aliyun.com", "ingress.k8s.alibaba/", "alb.ingress.k8s.alibaba"}

// PlanRelease reads the instance and says what [Client.Release] would do.
// It changes nothing.
func (c *Client) PlanRelease(ctx context.Context, id string) (*ReleasePlan, error) {
	if err := requireID("PlanRelease", id); err != nil {
		return nil, err
	}
	inst, err := c.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return &ReleasePlan{ID: id}, nil
	}
	if err != nil {
		return nil, err
	}
	p := &ReleasePlan{ID: id, Exists: true, Name: inst.Name, Status: inst.Status, DNSName: inst.DNSName,
		DeletionProtection: inst.DeletionProtection, ReadOnly: inst.ReadOnly}
	if ids := inst.EIPs(); len(ids) > 0 {
		var addrs []eip.Address
		if list, err := c.listEIPs(ctx, ids); err == nil {
			for _, e := range list {
				addrs = append(addrs, e.Facts())
			}
		} else {
			p.Warnings = append(p.Warnings, "could not read the EIPs' details: "+err.Error())
		}
		// Every associated EIP is released, even one the VPC API did not return.
		for _, z := range inst.Zones {
			for _, a := range z.Addresses {
				if a.AllocationID != "" && !slices.ContainsFunc(addrs, func(x eip.Address) bool { return x.AllocationID == a.AllocationID }) {
					addrs = append(addrs, eip.Address{AllocationID: a.AllocationID, IPAddress: a.Address, Type: a.EIPType})
				}
			}
		}
		p.EIPs = eip.ReleaseSideEffects(addrs)
	}
	for _, t := range inst.Tags {
		for _, pre := range managedTagPrefixes {
			if strings.HasPrefix(t.Key, pre) {
				p.Warnings = append(p.Warnings, fmt.Sprintf("tag %q says another service manages this instance; releasing it makes that service unavailable and unrecoverable", t.Key))
			}
		}
	}
	if inst.DNSName != "" {
		p.Warnings = append(p.Warnings, "make sure no business domain name still resolves (CNAME) to "+inst.DNSName)
	}
	return p, nil
}

func (c *Client) listEIPs(ctx context.Context, ids []string) ([]cloudapi.EipAddress, error) {
	var out []cloudapi.EipAddress
	err := c.call(ctx, "DescribeEipAddresses", true, func(ctx context.Context, sdk *albsdk.Client) error {
		var err error
		out, err = c.cloud.VPC.ListEIPs(ctx, ids...)
		return err
	})
	return out, err
}

// ReleaseOptions adjust [Client.Release].
type ReleaseOptions struct {
	// DisableDeletionProtection allows releasing a protected instance: the
	// protection is turned off first (and turned back on if the release
	// then fails).
	DisableDeletionProtection bool
	// Wait adjusts the waits for the delete job and the instance to disappear.
	Wait []WaitOption
}

// SideEffect is one change a release made.
type SideEffect struct {
	// Kind is one of the SideEffect* constants.
	Kind string
	// ResourceID is the instance or EIP concerned.
	ResourceID string
	// Detail is a human-readable line.
	Detail string
}

// Side effect kinds reported in a ReleaseResult.
const (
	SideEffectDeletionProtectionDisabled = "deletion-protection-disabled"
	SideEffectDeletionProtectionRestored = "deletion-protection-restored"
	SideEffectInstanceReleased           = "instance-released"
	SideEffectEIPReleased                = "eip-released"
)

// ReleaseResult reports what a release did.
type ReleaseResult struct {
	// Plan is the plan the release followed.
	Plan *ReleasePlan
	// AlreadyGone is true when the instance did not exist.
	AlreadyGone bool
	// JobID is the delete job.
	JobID string
	// Token is the ClientToken of the delete, the same for every retry.
	Token string
	// SideEffects lists every change made, in order.
	SideEffects []SideEffect
}

// Release releases the instance: it plans (see [Client.PlanRelease]),
// refuses while deletion protection is on unless opts ask to turn it off,
// sends DeleteLoadBalancer with one ClientToken across retries, waits for
// the delete job to succeed and the instance to be gone, and checks that the
// associated EIPs were released. An instance that is already gone is a
// success. If the release fails after protection was turned off, protection
// is turned back on. The result lists every side effect, also on error.
func (c *Client) Release(ctx context.Context, id string, opts ReleaseOptions) (*ReleaseResult, error) {
	plan, err := c.PlanRelease(ctx, id)
	if err != nil {
		return nil, err
	}
	res := &ReleaseResult{Plan: plan}
	if !plan.Exists {
		res.AlreadyGone = true
		c.emit(Event{Kind: EventStep, Operation: "release", ID: id, Message: id + " is already gone"})
		return res, nil
	}
	if plan.DeletionProtection && !opts.DisableDeletionProtection {
		return res, fmt.Errorf("alb: release %s refused: deletion protection is enabled (set ReleaseOptions.DisableDeletionProtection to turn it off first): %w", id, ErrDeletionProtected)
	}
	w := c.waitOptions(opts.Wait)
	disabled := false
	if plan.DeletionProtection {
		if err := c.DisableDeletionProtection(ctx, id, WithMaxWait(w.MaxWait), WithDelays(w.MinDelay, w.MaxDelay)); err != nil {
			if errors.Is(err, ErrNotFound) {
				res.AlreadyGone = true
				return res, nil
			}
			return res, err
		}
		disabled = true
		res.SideEffects = append(res.SideEffects, SideEffect{Kind: SideEffectDeletionProtectionDisabled, ResourceID: id, Detail: "deletion protection turned off"})
	}
	err = c.deleteAndWait(ctx, id, res, w)
	if err != nil {
		if disabled && !errors.Is(err, ErrNotFound) {
			// Leave the instance as protected as we found it. Use a fresh
			// context: the caller's may be what ended the release.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.MaxWait)
			if rerr := c.EnableDeletionProtection(rctx, id, WithMaxWait(w.MaxWait), WithDelays(w.MinDelay, w.MaxDelay)); rerr == nil {
				res.SideEffects = append(res.SideEffects, SideEffect{Kind: SideEffectDeletionProtectionRestored, ResourceID: id, Detail: "deletion protection turned back on after the release failed"})
			} else {
				err = errors.Join(err, fmt.Errorf("alb: could not turn deletion protection back on: %w", rerr))
			}
			cancel()
		}
		return res, err
	}
	res.SideEffects = append(res.SideEffects, SideEffect{Kind: SideEffectInstanceReleased, ResourceID: id, Detail: "instance released"})
	c.confirmEIPsReleased(ctx, plan, res)
	c.log.Info("alb: instance released", "id", id, "job_id", res.JobID)
	return res, nil
}

// deleteAndWait sends DeleteLoadBalancer and waits for its job and for the
// instance to be gone.
func (c *Client) deleteAndWait(ctx context.Context, id string, res *ReleaseResult, w WaitOptions) error {
	res.Token = c.newTok()
	err := c.call(ctx, "DeleteLoadBalancer", true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := sdk.DeleteLoadBalancerWithContext(ctx, &albsdk.DeleteLoadBalancerRequest{LoadBalancerId: tea.String(id), ClientToken: tea.String(res.Token)}, c.runtime)
		if err == nil && r.Body != nil {
			res.JobID = tea.StringValue(r.Body.JobId)
		}
		return err
	})
	if errors.Is(err, ErrNotFound) {
		res.AlreadyGone = true
		return nil
	}
	if err != nil {
		return err
	}
	c.emit(Event{Kind: EventStep, Operation: "release", ID: id, Message: fmt.Sprintf("delete accepted: job %s", res.JobID)})
	if res.JobID != "" {
		if err := c.waitJob(ctx, id, res.JobID, w); err != nil {
			return err
		}
	}
	_, err = c.waitFor(ctx, "release", id, "released", w, func(inst *Instance, err error) (verdict, error) {
		if errors.Is(err, ErrNotFound) {
			return success, nil
		}
		if err != nil {
			return failure, err
		}
		return keepPolling, nil // still Deleting (or not yet picked up)
	})
	return err
}

// waitJob polls ListAsynJobs until the job succeeds or fails.
func (c *Client) waitJob(ctx context.Context, id, jobID string, w WaitOptions) error {
	start := time.Now()
	deadline := start.Add(w.MaxWait)
	last := ""
	for attempt := 1; ; attempt++ {
		var jobs []*albsdk.ListAsynJobsResponseBodyJobs
		err := c.call(ctx, "ListAsynJobs", true, func(ctx context.Context, sdk *albsdk.Client) error {
			r, err := sdk.ListAsynJobsWithContext(ctx, &albsdk.ListAsynJobsRequest{JobIds: []*string{tea.String(jobID)}}, c.runtime)
			if err == nil && r.Body != nil {
				jobs = r.Body.Jobs
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if j == nil || tea.StringValue(j.Id) != jobID {
				continue
			}
			last = tea.StringValue(j.Status)
			switch last {
			case "Succeeded":
				return nil
			case "Failed":
				return fmt.Errorf("alb: delete job %s of %s failed: %s %s: %w", jobID, id, tea.StringValue(j.ErrorCode), tea.StringValue(j.ErrorMessage), ErrReleaseFailed)
			}
		}
		remaining := time.Until(deadline)
		delay := computeDelay(attempt, w, remaining)
		c.emit(Event{Kind: EventPoll, Operation: "release", ID: id, Status: Status("job " + last), Attempt: attempt, Elapsed: time.Since(start), Delay: delay,
			Message: fmt.Sprintf("release %s: job %s %s (poll %d)", id, jobID, last, attempt)})
		if remaining <= 0 || delay <= 0 {
			return &WaitTimeoutError{ID: id, Waiting: "deleted (job " + jobID + ")", LastStatus: Status(last), Waited: time.Since(start), Polls: attempt}
		}
		if err := sleepCtx(ctx, delay); err != nil {
			return c.waitCtxErr(ctx, id, "deleted", Status(last), start, attempt)
		}
	}
}

// confirmEIPsReleased records each planned EIP that the VPC API no longer
// lists as released.
func (c *Client) confirmEIPsReleased(ctx context.Context, plan *ReleasePlan, res *ReleaseResult) {
	if len(plan.EIPs) == 0 {
		return
	}
	ids := make([]string, len(plan.EIPs))
	for i, e := range plan.EIPs {
		ids[i] = e.AllocationID
	}
	left, err := c.listEIPs(ctx, ids)
	if err != nil {
		c.log.Warn("alb: could not confirm EIP release", "id", plan.ID, "error", err)
		return
	}
	for _, e := range plan.EIPs {
		if slices.ContainsFunc(left, func(x cloudapi.EipAddress) bool { return x.AllocationId == e.AllocationID }) {
			continue
		}
		res.SideEffects = append(res.SideEffects, SideEffect{Kind: SideEffectEIPReleased, ResourceID: e.AllocationID,
			Detail: fmt.Sprintf("EIP %s %s disassociated and released", e.AllocationID, e.IPAddress)})
	}
}
