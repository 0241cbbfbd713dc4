package alb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/internal/cloudapi"
	"github.com/albkit/albkit/network"
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
	// EIPOrigins says, by allocation ID, whether each EIP was assigned by
	// ALB ([EIPAutoAssigned]) or brought by the user ([EIPUserOwned]), or
	// [EIPOriginUnknown] when its details could not be read.
	EIPOrigins map[string]EIPOrigin
	// Domains are the checks of the custom domains the caller gave (DNS
	// cannot list the names that point at an instance, so only those are
	// checked).
	Domains []network.DomainCheck
	// Listeners are the instance's listeners, deleted with it together
	// with their rules and certificate associations (listed by
	// PlanRelease; a release's own plan does not read them).
	Listeners []Listener
	// Findings are what stops the release unless the caller overrides
	// it: a custom domain that still resolves to the instance
	// ([RuleDomainStillResolves], blocking) and a user's own EIP that
	// will be released ([RuleUserEIPReleased], to acknowledge).
	Findings []Finding
	// Warnings a person should read and code can act on.
	Warnings []Warning
}

// EIPOrigin says where an EIP released with an instance came from.
type EIPOrigin string

// EIP origins of a [ReleasePlan].
const (
	// EIPAutoAssigned: ALB assigned the EIP (DescribeEipAddresses reports
	// it managed by the service, ServiceManaged 1; GUESS).
	EIPAutoAssigned EIPOrigin = "auto-assigned"
	// EIPUserOwned: the user brought the EIP; releasing the instance
	// releases it too.
	EIPUserOwned EIPOrigin = "user-owned"
	// EIPOriginUnknown: the EIP's details could not be read.
	EIPOriginUnknown EIPOrigin = "unknown"
)

// Rules of a release plan.
const (
	// RuleDomainStillResolves: a custom domain still resolves, through
	// its CNAME chain, to the instance (or the check could not prove it
	// does not). Blocking unless ReleaseOptions.AllowResolvingDomains.
	RuleDomainStillResolves = "domain-still-resolves"
	// RuleUserEIPReleased: an EIP the user brought is released with the
	// instance. Refused unless ReleaseOptions.AcknowledgeUserEIPs.
	RuleUserEIPReleased = "user-eip-released"
)

// ErrDomainStillResolves: a release was refused because a custom domain
// still resolves to the instance (see [RuleDomainStillResolves]).
var ErrDomainStillResolves = errors.New("alb: a custom domain still resolves to the instance")

// ErrUserEIPNotAcknowledged: a release was refused because it would
// release EIPs the user brought, and the caller did not acknowledge it
// (ReleaseOptions.AcknowledgeUserEIPs).
var ErrUserEIPNotAcknowledged = errors.New("alb: releasing the instance releases the user's own EIPs (not acknowledged)")

// Warning is something a person should know before a release. Code is
// stable for code to act on; Detail is for people.
type Warning struct {
	// Code is one of the Warning* constants.
	Code string
	// Detail says it in words.
	Detail string
}

// String returns the detail.
func (w Warning) String() string { return w.Detail }

// Warning codes of a ReleasePlan.
const (
	// WarningManagedByService: a tag says another Alibaba Cloud service
	// (for example Container Service for Kubernetes) manages the instance;
	// releasing it makes that service unavailable and unrecoverable.
	WarningManagedByService = "managed-by-service"
	// WarningDNS: a business domain name may still resolve (CNAME) to the
	// instance; check it before releasing.
	WarningDNS = "dns-may-still-resolve"
	// WarningEIPDetailsUnavailable: the EIPs' details could not be read;
	// the EIPs are still listed from the instance.
	WarningEIPDetailsUnavailable = "eip-details-unavailable"
)

// String renders the plan in a few lines.
func (p *ReleasePlan) String() string {
	name := ""
	if p.Name != "" {
		name = " (" + p.Name + ")"
	}
	if !p.Exists {
		return fmt.Sprintf("release %s%s: already gone, nothing to do", p.ID, name)
	}
	s := fmt.Sprintf("release %s%s, status %s\n  deletion protection: %s\n  read-only mode: %s",
		p.ID, name, p.Status, onOff(p.DeletionProtection), onOff(p.ReadOnly.Enabled))
	if len(p.EIPs) == 0 {
		s += "\n  EIPs released with it: none"
	}
	for _, e := range p.EIPs {
		s += fmt.Sprintf("\n  EIP released with it: %s %s (%s", e.AllocationID, e.IPAddress, e.Type)
		if o := p.EIPOrigins[e.AllocationID]; o != "" {
			s += ", " + string(o)
		}
		s += ")"
	}
	for _, l := range p.Listeners {
		s += fmt.Sprintf("\n  listener deleted with it: %s %s:%d", l.ID, l.Protocol, l.Port)
	}
	for _, d := range p.Domains {
		s += "\n  domain " + d.Domain + ": " + d.Verdict.String()
	}
	for _, f := range p.Findings {
		s += "\n  " + f.String()
	}
	for _, w := range p.Warnings {
		s += "\n  warning: " + w.Detail
	}
	return s
}

// managedTagPrefixes mark instances managed by another Alibaba Cloud
// service (for example Container Service for Kubernetes).
var managedTagPrefixes = []string{"ack.aliyun.com", "ingress.k8s.alibaba/", "alb.ingress.k8s.alibaba"}

// PlanRelease reads the instance and says what [Client.Release] would do.
// It changes nothing.
//
// domains are the caller's custom domain names that may point (CNAME) at
// the instance: DNS cannot list the names that point at an instance, so
// albkit checks only those given. Each is checked with [Client.CheckDomain]
// (the resolver of [WithResolver]); one that still resolves to the
// instance, or whose check cannot prove it does not, is a blocking
// finding ([RuleDomainStillResolves]). Every EIP released with the
// instance is listed with its origin; a user's own EIP is a finding
// ([RuleUserEIPReleased]) the caller must acknowledge. The instance's
// listeners, which the release deletes with it, are listed (one
// ListListeners).
//
// The instance's zones and EIPs come from GetLoadBalancerAttribute, or,
// when this Client read the instance completely in the last 10 minutes
// (Create's Wait does), from that read, provided the instance's jobs
// (ListAsynJobs) show no change since that could have moved its addresses;
// the rest of the instance is read fresh (ListLoadBalancers). Both reads
// are shared with the Client's other plans and waits of the moment.
func (c *Client) PlanRelease(ctx context.Context, id string, domains ...string) (*ReleasePlan, error) {
	return c.planRelease(ctx, id, true, domains)
}

// planRelease is PlanRelease; with listeners it lists the instance's
// listeners (a release's own plan does not: it deletes them either way,
// and the read would be one more call of every release).
func (c *Client) planRelease(ctx context.Context, id string, listeners bool, domains []string) (_ *ReleasePlan, err error) {
	ctx, tel := c.read(ctx, "PlanRelease", id)
	defer tel.end(&err)

	if err := requireID("PlanRelease", "id", id); err != nil {
		return nil, err
	}
	inst, err := c.planRead(ctx, id) // a complete read, or the last one reused (readreuse.go)
	if instanceGone(err) {
		return &ReleasePlan{ID: id}, nil
	}
	if err != nil {
		return nil, err
	}
	p := &ReleasePlan{ID: id, Exists: true, Name: inst.Name, Status: inst.Status, DNSName: inst.DNSName,
		DeletionProtection: inst.DeletionProtection, ReadOnly: inst.ReadOnly}
	if ids := inst.EIPs(); len(ids) > 0 {
		var addrs []eip.Address
		p.EIPOrigins = map[string]EIPOrigin{}
		for _, id := range ids {
			p.EIPOrigins[id] = EIPOriginUnknown
		}
		if list, err := c.listEIPs(ctx, ids); err == nil {
			for _, e := range list {
				a := cloudapi.EIPFacts(e)
				addrs = append(addrs, a)
				if tea.Int32Value(e.ServiceManaged) == 1 {
					p.EIPOrigins[a.AllocationID] = EIPAutoAssigned
				} else {
					p.EIPOrigins[a.AllocationID] = EIPUserOwned
					p.Findings = append(p.Findings, Finding{Rule: RuleUserEIPReleased, Severity: SeverityWarning, Resource: a.AllocationID,
						Message: fmt.Sprintf("EIP %s (%s) was brought by the user and is released with the instance", a.AllocationID, a.IPAddress),
						Fix:     "set ReleaseOptions.AcknowledgeUserEIPs to release it, or move the EIP off the instance first"})
				}
			}
		} else {
			p.Warnings = append(p.Warnings, Warning{Code: WarningEIPDetailsUnavailable, Detail: "could not read the EIPs' details: " + err.Error()})
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
	if listeners {
		for l, err := range c.Listeners().List(ctx, ListenerFilter{LoadBalancerIDs: []string{id}}) {
			if err != nil {
				return nil, err
			}
			p.Listeners = append(p.Listeners, *l)
		}
	}
	for _, t := range inst.Tags {
		for _, pre := range managedTagPrefixes {
			if strings.HasPrefix(t.Key, pre) {
				p.Warnings = append(p.Warnings, Warning{Code: WarningManagedByService,
					Detail: fmt.Sprintf("tag %q says another service manages this instance; releasing it makes that service unavailable and unrecoverable", t.Key)})
			}
		}
	}
	if inst.DNSName != "" {
		p.Warnings = append(p.Warnings, Warning{Code: WarningDNS, Detail: "make sure no business domain name still resolves (CNAME) to " + inst.DNSName})
	}
	for _, d := range domains {
		chk := c.CheckDomain(ctx, d, inst)
		p.Domains = append(p.Domains, chk)
		if chk.BlocksRelease() {
			p.Findings = append(p.Findings, Finding{Rule: RuleDomainStillResolves, Severity: SeverityBlocking, Resource: d,
				Message: fmt.Sprintf("%s may still send traffic to %s (%s: %s)", d, inst.DNSName, chk.Verdict, chk.Detail),
				Fix:     "point " + d + " elsewhere and wait for its TTL, or set ReleaseOptions.AllowResolvingDomains"})
		}
	}
	return p, nil
}

// listEIPs reads the EIPs ids, the one place albkit reads EIPs: Common
// EIPs with VPC DescribeEipAddresses, Anycast EIPs ("aeip-…", which
// DescribeEipAddresses does not list: it lists the EIPs created in a
// region) with Eipanycast ListAnycastEipAddresses, seen from the client's
// region (cloudapi.AnycastEIP.AsEIP). IDs that do not exist are absent.
func (c *Client) listEIPs(ctx context.Context, ids []string) ([]*cloudapi.EipAddress, error) {
	var common, anycast []string
	for _, id := range ids {
		if strings.HasPrefix(id, cloudapi.AnycastAllocationIDPrefix) {
			anycast = append(anycast, id)
		} else {
			common = append(common, id)
		}
	}
	var out []*cloudapi.EipAddress
	if len(common) > 0 {
		err := c.do(ctx, "DescribeEipAddresses", true, func(ctx context.Context) error {
			var err error
			out, err = c.cloud.VPC.ListEIPs(ctx, common...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if len(anycast) > 0 {
		ac, err := c.cloud.Anycast()
		if err != nil {
			return nil, &NetworkError{Operation: "ListAnycastEipAddresses", Err: err}
		}
		var list []cloudapi.AnycastEIP
		err = c.do(ctx, "ListAnycastEipAddresses", true, func(ctx context.Context) error {
			var err error
			list, err = ac.ListEIPs(ctx, anycast...)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			out = append(out, a.AsEIP(c.region))
		}
	}
	return out, nil
}

// ReleaseOptions adjust [Client.Release].
type ReleaseOptions struct {
	// DisableDeletionProtection allows releasing a protected instance: the
	// protection is turned off first (and turned back on if the release
	// then fails while the instance still exists).
	DisableDeletionProtection bool
	// IdempotencyKey is the ClientToken of the DeleteLoadBalancer call, the
	// same for every retry; empty means a generated one. A caller that must
	// survive a crash chooses it and persists it before calling, then
	// resumes with [Client.ResumeRelease].
	IdempotencyKey string
	// Wait adjusts the waits for the delete job and the instance to disappear.
	Wait []WaitOption
	// Domains are the caller's custom domains to check before releasing
	// (see [Client.PlanRelease]).
	Domains []string
	// AllowResolvingDomains releases even when a custom domain still
	// resolves to the instance.
	AllowResolvingDomains bool
	// AcknowledgeUserEIPs releases even when EIPs the user brought are
	// released with the instance.
	AcknowledgeUserEIPs bool
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
	// SideEffectEIPStillPresent: after the release, DescribeEipAddresses
	// (ListAnycastEipAddresses for an Anycast EIP) still lists an EIP that
	// should have been released with the instance.
	SideEffectEIPStillPresent = "eip-still-present"
)

// ReleaseResult reports what a release did.
type ReleaseResult struct {
	// Plan is the plan the release followed (nil for a resumed release).
	Plan *ReleasePlan
	// AlreadyGone is true when the instance did not exist when the release
	// (or its resumption) began.
	AlreadyGone bool
	// JobID is the delete job.
	JobID string
	// Token is the ClientToken of the delete, the same for every retry.
	Token string
	// SideEffects lists every change made, in order.
	SideEffects []SideEffect
	// EIPsStillPresent are EIPs of the plan that DescribeEipAddresses (or
	// ListAnycastEipAddresses) still lists after the release (each also a
	// SideEffectEIPStillPresent).
	EIPsStillPresent []string
}

// ReleaseOperation is the handle of one release: its delete was sent with
// Token as ClientToken. A process that died mid-release rebuilds it with
// [Client.ResumeRelease] from the instance ID and the token. Its methods are
// safe for concurrent use.
type ReleaseOperation struct {
	c        *Client
	id       string
	wait     WaitOptions
	disabled bool // this operation turned deletion protection off

	mu   sync.Mutex
	res  *ReleaseResult
	done bool
	err  error
}

// ID returns the instance ID.
func (o *ReleaseOperation) ID() string { return o.id }

// Token returns the ClientToken of the delete.
func (o *ReleaseOperation) Token() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.res.Token
}

// JobID returns the delete job ("" when no delete was needed).
func (o *ReleaseOperation) JobID() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.res.JobID
}

// Done reports whether the release has finished, successfully or not.
func (o *ReleaseOperation) Done() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.done
}

// Result returns the result and error once Done (the result so far
// before).
func (o *ReleaseOperation) Result() (*ReleaseResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.res, o.err
}

// Release releases the instance: [Client.StartRelease], then
// [ReleaseOperation.Wait]. The result lists every side effect, also on
// error.
func (c *Client) Release(ctx context.Context, id string, opts ReleaseOptions) (_ *ReleaseResult, err error) {
	ctx, tel := c.operation(ctx, "Release", id)
	defer tel.end(&err)
	if err := checkCall("Release", id, opts.Wait); err != nil {
		return nil, err
	}
	op, err := c.StartRelease(ctx, id, opts)
	if err != nil {
		if op != nil {
			res, _ := op.Result()
			return res, err
		}
		return nil, err
	}
	return op.Wait(ctx)
}

// StartRelease plans the release (see [Client.PlanRelease]), refuses while
// deletion protection is on unless opts ask to turn it off (no API call is
// made then), turns it off if asked, and sends DeleteLoadBalancer with one
// ClientToken across retries (opts.IdempotencyKey or a generated one). It
// returns once the service accepted the delete; call Wait on the operation.
// An instance that is already gone gives a finished operation.
func (c *Client) StartRelease(ctx context.Context, id string, opts ReleaseOptions) (_ *ReleaseOperation, err error) {
	ctx, tel := c.operation(ctx, "StartRelease", id)
	defer tel.end(&err)

	if err := checkCall("StartRelease", id, opts.Wait); err != nil {
		return nil, err
	}
	plan, err := c.planRelease(ctx, id, false, opts.Domains)
	if err != nil {
		return nil, err
	}
	token := opts.IdempotencyKey
	if token == "" {
		token = c.newTok()
	}
	op := &ReleaseOperation{c: c, id: id, wait: c.waitOptions(opts.Wait), res: &ReleaseResult{Plan: plan, Token: token}}
	if !plan.Exists {
		op.finishGone()
		return op, nil
	}
	if err := plan.Refusal(opts); err != nil {
		op.finish(err)
		return op, err
	}
	if plan.DeletionProtection {
		w := op.wait
		if err := c.DisableDeletionProtection(ctx, id, WithMaxWait(w.MaxWait), WithDelays(w.MinDelay, w.MaxDelay)); err != nil {
			if instanceGone(err) {
				op.finishGone()
				return op, nil
			}
			op.finish(err)
			return op, err
		}
		op.disabled = true
		op.addEffect(SideEffect{Kind: SideEffectDeletionProtectionDisabled, ResourceID: id, Detail: "deletion protection turned off"})
	}
	if err := op.sendDelete(ctx); err != nil {
		return op, op.fail(ctx, err)
	}
	return op, nil
}

// ResumeRelease rebuilds the handle of a release from the instance ID and
// the delete's ClientToken (the IdempotencyKey the caller persisted), in a
// new process or after the first handle was abandoned. An instance that is
// gone is released. Otherwise it re-sends DeleteLoadBalancer with the same
// token, which the service answers with the first delete's job if it had
// accepted it; deletion protection is not touched (turn it off first if the
// interrupted release never got that far).
func (c *Client) ResumeRelease(ctx context.Context, id, token string, opts ReleaseOptions) (_ *ReleaseOperation, err error) {
	ctx, tel := c.operation(ctx, "ResumeRelease", id)
	defer tel.end(&err)

	if err := checkCall("ResumeRelease", id, opts.Wait); err != nil {
		return nil, err
	}
	if err := requireID("ResumeRelease", "token", token); err != nil {
		return nil, err
	}
	op := &ReleaseOperation{c: c, id: id, wait: c.waitOptions(opts.Wait), res: &ReleaseResult{Token: token}}
	if _, err := c.Get(ctx, id); instanceGone(err) {
		op.finishGone()
		return op, nil
	} else if err != nil {
		return nil, err
	}
	if err := op.sendDelete(ctx); err != nil {
		return op, op.fail(ctx, err)
	}
	return op, nil
}

// sendDelete sends DeleteLoadBalancer with the operation's token.
func (o *ReleaseOperation) sendDelete(ctx context.Context) error {
	c, token := o.c, o.Token()
	var job string
	err := c.call(ctx, "DeleteLoadBalancer", true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := sdk.DeleteLoadBalancerWithContext(ctx, &albsdk.DeleteLoadBalancerRequest{LoadBalancerId: tea.String(o.id), ClientToken: tea.String(token)}, c.runtime)
		if err == nil && r.Body != nil {
			job = tea.StringValue(r.Body.JobId)
		}
		return err
	})
	if instanceGone(err) {
		o.finishGone()
		return nil
	}
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.res.JobID = job
	o.mu.Unlock()
	c.emit(Event{Kind: EventStep, Operation: "release", ID: o.id, Message: fmt.Sprintf("delete accepted: job %s (token %s)", job, token)})
	return nil
}

// Wait waits for the delete job to succeed and the instance to be gone,
// then checks that the associated EIPs were released. Whether the release
// succeeded is decided by the instance's state: gone is released, even if a
// wait along the way failed. If it did not succeed and this operation had
// turned deletion protection off, protection is turned back on.
func (o *ReleaseOperation) Wait(ctx context.Context) (_ *ReleaseResult, err error) {
	ctx, tel := o.c.operation(ctx, "ReleaseOperation.Wait", o.id)
	defer tel.end(&err)

	o.mu.Lock()
	done, res, err, job := o.done, o.res, o.err, o.res.JobID
	o.mu.Unlock()
	if done {
		return res, err
	}
	c, w := o.c, o.wait
	if err := c.waitReleased(ctx, waitSpec{op: "release", id: o.id, waiting: "released"}, job, w); err != nil {
		return o.res, o.fail(ctx, err)
	}
	o.released(ctx)
	return o.res, nil
}

// fail decides a release that hit err: if the instance is gone it was
// released after all; otherwise protection is restored if this operation
// turned it off, and err is returned.
func (o *ReleaseOperation) fail(ctx context.Context, err error) error {
	c := o.c
	// A fresh context: the caller's may be what ended the release.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.wait.MaxWait)
	defer cancel()
	_, gerr := c.Get(rctx, o.id)
	if instanceGone(gerr) {
		o.released(rctx)
		return nil
	}
	if o.disabled {
		w := o.wait
		if rerr := c.EnableDeletionProtection(rctx, o.id, WithMaxWait(w.MaxWait), WithDelays(w.MinDelay, w.MaxDelay)); rerr == nil {
			o.addEffect(SideEffect{Kind: SideEffectDeletionProtectionRestored, ResourceID: o.id, Detail: "deletion protection turned back on after the release failed"})
		} else if instanceGone(rerr) {
			o.released(rctx)
			return nil
		} else {
			err = errors.Join(err, fmt.Errorf("alb: could not turn deletion protection back on: %w", rerr))
		}
	}
	o.finish(err)
	return err
}

// released records a successful release and confirms the EIPs.
func (o *ReleaseOperation) released(ctx context.Context) {
	o.addEffect(SideEffect{Kind: SideEffectInstanceReleased, ResourceID: o.id, Detail: "instance released"})
	o.c.reads.forget(o.id)
	o.c.confirmEIPsReleased(ctx, o)
	o.c.log.LogAttrs(ctx, slog.LevelInfo, "alb: instance released", slog.String("id", o.id), slog.String("job_id", o.JobID()))
	o.finish(nil)
}

func (o *ReleaseOperation) finishGone() {
	o.mu.Lock()
	o.res.AlreadyGone = true
	o.mu.Unlock()
	o.c.emit(Event{Kind: EventStep, Operation: "release", ID: o.id, Message: o.id + " is already gone"})
	o.finish(nil)
}

func (o *ReleaseOperation) finish(err error) {
	o.mu.Lock()
	o.done, o.err = true, err
	o.mu.Unlock()
}

func (o *ReleaseOperation) addEffect(e SideEffect) {
	o.mu.Lock()
	o.res.SideEffects = append(o.res.SideEffects, e)
	o.mu.Unlock()
}

// job is one asynchronous job as ListAsynJobs reports it.
type job struct {
	status, code, message string
}

// waitReleased waits until the instance is gone, with shared polls. While
// it is listed and not Deleting, the delete job (shared polls too, if there
// is one) tells a delete that failed from one the listing has not caught up
// with: a Failed job ends the wait with ErrReleaseFailed. So a release
// costs one wait, and the job is read only when the instance says nothing.
func (c *Client) waitReleased(ctx context.Context, s waitSpec, jobID string, w WaitOptions) error {
	defer c.lbPolls.watch()()
	if jobID != "" {
		defer c.jobPolls.watch()()
	}
	get := func(ctx context.Context) (*Instance, error) {
		inst, err := c.lbPolls.get(ctx, s.id)
		if err != nil || inst.Status == StatusDeleting || jobID == "" {
			return inst, err
		}
		j, jerr := c.jobPolls.get(ctx, jobID)
		switch {
		case jerr == nil && j.status == "Failed":
			return inst, fmt.Errorf("alb: delete job %s of %s failed: %s %s: %w", jobID, s.id, j.code, j.message, ErrReleaseFailed)
		case jerr != nil && !notListed(jerr, kindJob):
			return inst, jerr
		}
		return inst, nil
	}
	s.crowd = c.lbPolls.crowd
	_, err := poll(c, ctx, s, w, get, instanceStatus, nil, goneAcceptor)
	return err
}

// confirmEIPsReleased records each planned EIP that the VPC API no longer
// lists as released.
func (c *Client) confirmEIPsReleased(ctx context.Context, o *ReleaseOperation) {
	o.mu.Lock()
	plan := o.res.Plan
	o.mu.Unlock()
	if plan == nil || len(plan.EIPs) == 0 {
		return
	}
	ids := make([]string, len(plan.EIPs))
	for i, e := range plan.EIPs {
		ids[i] = e.AllocationID
	}
	left, err := c.listEIPs(ctx, ids)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "alb: could not confirm EIP release", slog.String("id", plan.ID), slog.Any("error", err))
		return
	}
	for _, e := range plan.EIPs {
		if slices.ContainsFunc(left, func(x *cloudapi.EipAddress) bool { return tea.StringValue(x.AllocationId) == e.AllocationID }) {
			o.mu.Lock()
			o.res.EIPsStillPresent = append(o.res.EIPsStillPresent, e.AllocationID)
			o.mu.Unlock()
			o.addEffect(SideEffect{Kind: SideEffectEIPStillPresent, ResourceID: e.AllocationID,
				Detail: fmt.Sprintf("EIP %s %s is still listed after the release: check it and release it yourself if it is no longer needed", e.AllocationID, e.IPAddress)})
			continue
		}
		o.addEffect(SideEffect{Kind: SideEffectEIPReleased, ResourceID: e.AllocationID,
			Detail: fmt.Sprintf("EIP %s %s disassociated and released", e.AllocationID, e.IPAddress)})
	}
}

// Refusal returns the error [Client.Release] refuses the plan's release
// with under opts, before any write (nil when it would go ahead): deletion
// protection on without DisableDeletionProtection (a *[RefusedError]
// matching [ErrDeletionProtected]), a custom domain that still resolves
// without AllowResolvingDomains ([ErrDomainStillResolves]), or a user's
// own EIP without AcknowledgeUserEIPs ([ErrUserEIPNotAcknowledged]). A
// caller that deletes other resources before the release (a stack's
// listeners) checks it first, so that a refused release deletes nothing.
func (p *ReleasePlan) Refusal(opts ReleaseOptions) error {
	if !p.Exists {
		return nil
	}
	if p.DeletionProtection && !opts.DisableDeletionProtection {
		return &RefusedError{Operation: "Release", ID: p.ID, Field: "DeletionProtection", Err: ErrDeletionProtected,
			Reason: "deletion protection is enabled", Instead: "set ReleaseOptions.DisableDeletionProtection to turn it off first"}
	}
	var doms, eips []string
	for _, f := range p.Findings {
		switch f.Rule {
		case RuleDomainStillResolves:
			doms = append(doms, f.Resource)
		case RuleUserEIPReleased:
			eips = append(eips, f.Resource)
		}
	}
	if len(doms) > 0 && !opts.AllowResolvingDomains {
		return fmt.Errorf("alb: release %s refused: %s still resolve(s) to %s (point them elsewhere, or set ReleaseOptions.AllowResolvingDomains): %w",
			p.ID, strings.Join(doms, ", "), p.DNSName, ErrDomainStillResolves)
	}
	if len(eips) > 0 && !opts.AcknowledgeUserEIPs {
		return fmt.Errorf("alb: release %s refused: it releases the user's own EIP(s) %s (set ReleaseOptions.AcknowledgeUserEIPs): %w",
			p.ID, strings.Join(eips, ", "), ErrUserEIPNotAcknowledged)
	}
	return nil
}
