package alb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/albkit/albkit/waf"
)

// EnsureOption adjusts [Client.Ensure] and [Client.PlanEnsure].
type EnsureOption func(*ensureConfig)

type ensureConfig struct {
	id      string
	wait    []WaitOption
	created func(id string)
}

// EnsureCreated makes Ensure call f with the ID of the resource it creates
// as soon as the resource exists and is ready to be referred to, before the
// rest of its convergence: a server group once Available, before its
// servers are added; a listener once Running, before its certificates and
// rules; an instance once Active; a security policy once created. A caller
// that only needs the resource to exist (a listener that forwards to a new
// group) can go on from there, as package stack does. f is not called when
// the resource existed already, nor when its create fails.
func EnsureCreated(f func(id string)) EnsureOption {
	return func(c *ensureConfig) { c.created = f }
}

// ensureOptions applies the options of op on a resource family named
// what (e.g. "server group"): none nil, waits valid, an EnsureID that
// requireID accepts, and otherwise the spec's idempotency key (key), which
// finds the resource again.
func ensureOptions(op, what, key string, opts []EnsureOption, requireID func(op, id string) error) (ensureConfig, error) {
	var cfg ensureConfig
	for _, o := range opts {
		if o == nil {
			return cfg, &ArgumentError{Operation: op, Argument: "opts", Message: "a nil EnsureOption"}
		}
		o(&cfg)
	}
	if err := checkWaitOpts(op, cfg.wait); err != nil {
		return cfg, err
	}
	if cfg.id != "" {
		return cfg, requireID(op, cfg.id)
	}
	if key == "" {
		return cfg, &ArgumentError{Operation: op, Argument: "spec.IdempotencyKey",
			Message: "is required to find the " + what + " again (or name an existing one with EnsureID)"}
	}
	return cfg, nil
}

// ready tells cfg.created, if set, that id was created.
func (c *ensureConfig) ready(id string) {
	if c.created != nil {
		c.created(id)
	}
}

// EnsureInstance makes Ensure manage the existing instance id instead of
// finding it by the spec's idempotency key (adoption of an instance albkit
// did not create). The instance must exist: it is never created.
func EnsureInstance(id string) EnsureOption { return func(c *ensureConfig) { c.id = id } }

// EnsureWait adjusts the waits of the create and of every change.
func EnsureWait(opts ...WaitOption) EnsureOption {
	return func(c *ensureConfig) { c.wait = append(c.wait, opts...) }
}

// EnsurePlan is what [Client.Ensure] would do, from [Client.PlanEnsure].
type EnsurePlan struct {
	// Create is true when no instance carries the spec's idempotency key:
	// Ensure creates it (then applies Changes, computed against the spec
	// itself, e.g. IPv6 Internet access).
	Create bool
	// Spec is the spec planned for.
	Spec InstanceSpec
	// Instance is the instance found (nil when it is to be created).
	Instance *Instance
	// Plan is the diff of the instance against the spec (for a create: the
	// changes after it). Its Blocked lists what cannot change in place and
	// what live facts refuse (a WAF 2.0 instance, a new zone's vSwitch
	// without IPv6, an EIP that cannot be bound, ...): Ensure then makes
	// no write.
	Plan *Plan
	// Warnings are facts worth a look before applying (the WAF 3.0 billing
	// of an upgrade to StandardWithWaf, ...).
	Warnings []string
}

// String is the plan a person reads before applying.
func (p *EnsurePlan) String() string {
	var b strings.Builder
	if p.Create {
		fmt.Fprintf(&b, "+ create %s (%s, %s, %d zones, key %s)", orDash(p.Spec.Name), p.Spec.AddressType, p.Spec.Edition, len(p.Spec.ZoneMappings), p.Spec.IdempotencyKey)
		for _, ch := range p.Plan.Changes {
			b.WriteString("\n  then ~ " + ch.String())
		}
		for _, d := range p.Plan.Blocked {
			b.WriteString("\n  ! " + d.String())
		}
	} else {
		b.WriteString(p.Plan.String())
	}
	for _, w := range p.Warnings {
		b.WriteString("\n  warning: " + w)
	}
	return b.String()
}

// EnsureResult is what [Client.Ensure] did.
type EnsureResult struct {
	ID       string    // the instance
	Created  bool      // Ensure created it
	Applied  []Change  // the changes made, in order
	Instance *Instance // the instance at the end
}

// NotChangeableError is returned by [Client.Ensure], the Ensure and
// Update operations of every family ([Listeners.Update],
// [ForwardingRules.Update], [ServerGroups.UpdateServers], …) when the
// resource differs from the spec in ways no in-place change can make;
// nothing is changed. errors.Is(err, [ErrChangeRefused]) and
// [ErrInvalidArgument] hold.
type NotChangeableError struct {
	ID          string       // the resource (instance, listener, rule, server group)
	Differences []Difference // what differs, why it cannot change, what to do instead
}

// Error lists the differences with their reasons.
func (e *NotChangeableError) Error() string {
	var parts []string
	for _, d := range e.Differences {
		parts = append(parts, d.String())
	}
	return "alb: " + e.ID + " cannot change in place: " + strings.Join(parts, "; ")
}

// Is matches ErrChangeRefused and ErrInvalidArgument.
func (e *NotChangeableError) Is(target error) bool {
	return target == ErrChangeRefused || target == ErrInvalidArgument
}

// checkEnsureSpec validates the spec for Ensure: the create rules (with
// the single-zone allowance, as for Create), the idempotency key (unless an
// ID is given).
func (c *Client) checkEnsureSpec(ctx context.Context, spec InstanceSpec, cfg ensureConfig) error {
	if err := c.validateSpec(ctx, spec); err != nil {
		return err
	}
	var fes []*FieldError
	if spec.IdempotencyKey == "" && cfg.id == "" {
		fes = append(fes, &FieldError{Field: "IdempotencyKey", Rule: RuleRequired,
			Message: "Ensure finds the instance by its idempotency key: set one (and keep it) or pass EnsureInstance(id)"})
	}
	if len(fes) > 0 {
		return &ValidationError{Errors: fes}
	}
	return nil
}

// find returns the instance of the spec: by ID, or by the idempotency key
// (TokenTagKey). nil, nil when none carries the key.
func (c *Client) findForEnsure(ctx context.Context, spec InstanceSpec, cfg ensureConfig) (*Instance, error) {
	if cfg.id != "" {
		return c.Get(ctx, cfg.id)
	}
	inst, err := c.FindByToken(ctx, spec.IdempotencyKey)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return inst, err
}

// PlanEnsure shows what [Client.Ensure] would do, without changing
// anything: whether it creates the instance, the ordered changes with
// their calls and side effects, and what blocks it. It gathers, once, the
// live facts the changes' checks need (the account's WAF state for
// StandardWithWaf, the vSwitches and EIPs of new zones, the EIPs to bind)
// and marks every change they refuse as blocked (Plan.Blocked, with the
// refusal in Difference.Err), as Ensure refuses it before any write. The
// billed effect of an allowed upgrade to StandardWithWaf is in Warnings.
func (c *Client) PlanEnsure(ctx context.Context, spec InstanceSpec, opts ...EnsureOption) (_ *EnsurePlan, err error) {
	ctx, tel := c.read(ctx, "PlanEnsure", "")
	defer tel.end(&err)

	_, inst, err := c.startEnsure(ctx, "PlanEnsure", spec, opts)
	if err != nil {
		return nil, err
	}
	p := &EnsurePlan{Spec: spec, Instance: inst}
	if inst == nil {
		p.Create = true
		p.Plan = Diff(spec, createdLike(spec))
		p.Plan.ID = "(new)"
		p.Warnings = append(p.Warnings, createEffects(spec)...)
		d, err := c.createWAF(ctx, spec)
		if err != nil {
			return nil, err
		}
		if d != nil {
			if r := wafRefusal("Ensure", "", *d); r != nil {
				p.Plan.Blocked = append(p.Plan.Blocked, refusedDifference(Change{Field: "Edition", To: string(spec.Edition)}, r))
			} else {
				p.Warnings = append(p.Warnings, d.SideEffects...)
			}
		}
		return p, nil
	}
	p.Plan = Diff(spec, inst)
	f, err := c.planFacts(ctx, p.Plan)
	if err != nil {
		return nil, err
	}
	if f.WAF != nil && slices.ContainsFunc(p.Plan.Changes, func(ch Change) bool { return ch.Field == "Edition" }) {
		p.Warnings = append(p.Warnings, waf.Decide(*f.WAF).SideEffects...)
	}
	return p, nil
}

// createWAF reads the account's WAF state when spec asks for the
// WAF-enabled edition, and returns the decision (nil for another edition).
func (c *Client) createWAF(ctx context.Context, spec InstanceSpec) (*waf.Decision, error) {
	if spec.Edition != EditionStandardWithWAF {
		return nil, nil
	}
	f, err := c.wafFacts(ctx)
	if err != nil {
		return nil, err
	}
	d := waf.Decide(f)
	return &d, nil
}

// factNeeds are the live facts the checks of a plan's changes read.
type factNeeds struct {
	vswitches []string // vSwitches of new zones
	eips      []string // EIPs to associate
	waf       bool     // the account's WAF 2.0/3.0 state
}

// planFacts gathers, once, the live facts the checks of p's changes need,
// and moves every change they refuse from p.Changes to p.Blocked (the
// refusal in Difference.Err). It returns the facts, which the changes'
// apply then use instead of reading them again.
func (c *Client) planFacts(ctx context.Context, p *Plan) (*Facts, error) {
	var need factNeeds
	for _, ch := range p.Changes {
		need.vswitches = append(need.vswitches, ch.needs.vswitches...)
		need.eips = append(need.eips, ch.needs.eips...)
		need.waf = need.waf || ch.needs.waf
	}
	f, err := c.networkFacts(ctx, need)
	if err != nil {
		return nil, err
	}
	if need.waf {
		w, err := c.wafFacts(ctx)
		if err != nil {
			return nil, err
		}
		f.WAF = &w
	}
	kept := p.Changes[:0]
	for _, ch := range p.Changes {
		if ch.refuse != nil {
			if err := ch.refuse(f); err != nil {
				p.Blocked = append(p.Blocked, refusedDifference(ch, err))
				continue
			}
		}
		kept = append(kept, ch)
	}
	p.Changes = kept
	return f, nil
}

// refusedDifference is the Difference of a change that live facts refuse
// with err (a *RefusedError or a *ValidationError).
func refusedDifference(ch Change, err error) Difference {
	d := Difference{Field: ch.Field, From: ch.From, To: ch.To, Err: err, Reason: err.Error()}
	var re *RefusedError
	var ve *ValidationError
	switch {
	case errors.As(err, &re):
		d.Rule, d.Reason, d.Instead = re.Rule, re.Reason, re.Instead
	case errors.As(err, &ve) && len(ve.Errors) > 0:
		var msgs []string
		for _, fe := range ve.Errors {
			msgs = append(msgs, fe.Field+": "+fe.Message)
		}
		d.Rule, d.Reason, d.Instead = ve.Errors[0].Rule, strings.Join(msgs, "; "), fixFor(ve.Errors[0].Rule)
	}
	return d
}

// blockedError is Ensure's error for a plan with blocked differences:
// the *NotChangeableError of what cannot change in place, and the
// refusals of the live facts with their own types.
func blockedError(id string, blocked []Difference) error {
	var static []Difference
	var errs []error
	for _, d := range blocked {
		if d.Err != nil {
			errs = append(errs, d.Err)
		} else {
			static = append(static, d)
		}
	}
	if len(static) > 0 {
		errs = append([]error{&NotChangeableError{ID: id, Differences: static}}, errs...)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// createEffects lists the billed effects of creating spec that Diff does
// not show: the EIPs ALB assigns and the shared bandwidth.
func createEffects(spec InstanceSpec) []string {
	var out []string
	if spec.AddressType == Internet {
		for _, z := range spec.ZoneMappings {
			if z.AllocationID == "" {
				out = append(out, "zone "+z.ZoneID+" gets an automatically assigned pay-as-you-go EIP (billed by data transfer, released with the instance)")
			}
		}
	}
	if spec.BandwidthPackageID != "" {
		out = append(out, "the instance's EIPs join the shared bandwidth "+spec.BandwidthPackageID)
	}
	return out
}

// createdLike is the instance a create of spec leads to, as far as Diff
// looks: what Create cannot set (IPv6 Internet access) stays at its
// default.
func createdLike(spec InstanceSpec) *Instance {
	inst := &Instance{
		Name: spec.Name, VPCID: spec.VPCID, AddressType: spec.AddressType, IPVersion: spec.ipVersion(), Edition: spec.Edition,
		AddressAllocatedMode: spec.AddressAllocatedMode, BandwidthPackageID: spec.BandwidthPackageID, ResourceGroupID: spec.ResourceGroupID,
		SecurityGroupIDs: spec.SecurityGroupIDs, DeletionProtection: spec.DeletionProtection, ReadOnly: spec.ReadOnly, Tags: spec.Tags,
	}
	if inst.IPVersion == DualStack {
		inst.IPv6AddressType = "Intranet"
	}
	for _, z := range spec.ZoneMappings {
		inst.Zones = append(inst.Zones, InstanceZone{ZoneID: z.ZoneID, VSwitchID: z.VSwitchID,
			Addresses: []InstanceAddress{{AllocationID: z.AllocationID, EIPType: z.EIPType, IntranetAddress: z.IntranetAddress}}})
	}
	return inst
}

// Ensure makes the instance of spec exist and match it, and returns what
// it did.
//
// It finds the instance by the spec's idempotency key (the [TokenTagKey]
// tag albkit puts on every instance it creates; the key is required), or
// by ID with [EnsureInstance]. A missing instance is created (Create with
// the key as ClientToken, then Wait), so two concurrent Ensure calls of
// one spec end with one instance: the service answers the second create
// with the first instance. Otherwise the live state is diffed against the
// spec ([Diff]) and the changes are applied in a safe order, each with its
// own local checks, one ClientToken across its retries and a wait until
// the change shows. A difference that cannot be made in place is refused
// before any write (*[NotChangeableError]), and so is every change the
// live facts refuse (gathered once, as by [Client.PlanEnsure]): a WAF 2.0
// instance for StandardWithWaf (*[RefusedError]), a new zone's vSwitch or
// EIP that breaks a network or EIP rule (*[ValidationError]); several
// refusals are joined (errors.As reaches each).
//
// The [SpecTagKey] digest on the instance records the spec it was created
// from; Ensure does not compare it (a later spec is expected to differ):
// the key finds the instance, the live state decides the changes.
//
// Ensure is convergent: a second Ensure of the same spec makes no write
// call, and an Ensure interrupted in the middle (crash, error) is finished
// by the next one, which diffs the live state again. On an error the
// result lists the changes made before it.
//
// A key whose instance was deleted (a stack destroyed and applied again) makes
// a new one: the service answers the key's ClientToken with the deleted
// one, so the create goes on with the key's next token ("KEY~2", …; the
// tag keeps the key). [Client.Create] instead ends with ErrReleased.
func (c *Client) Ensure(ctx context.Context, spec InstanceSpec, opts ...EnsureOption) (_ *EnsureResult, err error) {
	ctx, tel := c.operation(ctx, "Ensure", "")
	defer tel.end(&err)

	cfg, inst, err := c.startEnsure(ctx, "Ensure", spec, opts)
	if err != nil {
		return nil, err
	}
	res := &EnsureResult{}
	if inst == nil {
		d, err := c.createWAF(ctx, spec)
		if err != nil {
			return nil, err
		}
		if d != nil {
			if r := wafRefusal("Ensure", "", *d); r != nil {
				return nil, r
			}
		}
		op, err := c.Create(ctx, spec, renewReleased())
		if err != nil {
			return nil, err
		}
		res.Created = true
		if inst, err = op.Wait(ctx, cfg.wait...); err != nil {
			res.ID = op.ID()
			return res, err
		}
		cfg.ready(inst.ID)
		c.emit(Event{Kind: EventStep, Operation: "ensure", ID: inst.ID, Message: "created " + inst.ID})
	} else if inst.Status != StatusActive {
		if inst, err = c.WaitUntilActive(ctx, inst.ID, cfg.wait...); err != nil {
			return res, err
		}
	}
	res.ID, res.Instance = inst.ID, inst
	tel.setID(inst.ID)
	plan := Diff(spec, inst)
	facts, err := c.planFacts(ctx, plan) // every refusal the live facts decide, before the first write
	if err != nil {
		return res, err
	}
	if len(plan.Blocked) > 0 {
		return res, blockedError(inst.ID, plan.Blocked)
	}
	for _, ch := range plan.Changes {
		c.emit(Event{Kind: EventStep, Operation: "ensure", ID: inst.ID, Message: "applying " + ch.Field + ": " + ch.To})
		if err := ch.apply(ctx, c, inst.ID, cfg.wait, facts); err != nil {
			return res, fmt.Errorf("alb: Ensure %s: %s: %w", inst.ID, ch.Field, err)
		}
		res.Applied = append(res.Applied, ch)
	}
	if len(plan.Changes) > 0 {
		if res.Instance, err = c.Get(ctx, inst.ID); err != nil {
			return res, err
		}
	}
	return res, nil
}

// startEnsure applies the options, checks the spec locally and finds the
// instance (nil when it does not exist yet): the first steps of Ensure and
// PlanEnsure.
func (c *Client) startEnsure(ctx context.Context, op string, spec InstanceSpec, opts []EnsureOption) (ensureConfig, *Instance, error) {
	var cfg ensureConfig
	for i, o := range opts {
		if o == nil {
			return cfg, nil, &ArgumentError{Operation: op, Argument: "opts", Message: fmt.Sprintf("option %d is nil", i)}
		}
		o(&cfg)
	}
	if cfg.id != "" {
		if err := requireID(op, "id", cfg.id); err != nil {
			return cfg, nil, err
		}
	}
	if err := checkWaitOpts(op, cfg.wait); err != nil {
		return cfg, nil, err
	}
	if err := c.checkEnsureSpec(ctx, spec, cfg); err != nil {
		return cfg, nil, err
	}
	inst, err := c.findForEnsure(ctx, spec, cfg)
	return cfg, inst, err
}
