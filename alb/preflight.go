package alb

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/internal/cloudapi"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// DefaultLoadBalancerQuota is the number of ALB instances a region allows
// an account by default (the documented default quota,
// alb_quota_loadbalancers_num). An account whose quota was raised tells
// the client with [WithLoadBalancerQuota].
const DefaultLoadBalancerQuota = 60

// DefaultPreflightTimeout bounds the whole fact gathering of one
// [Client.PlanCreate] (every call and its retries), unless
// [WithPreflightTimeout] says otherwise.
const DefaultPreflightTimeout = 30 * time.Second

// ServiceLinkedRoleName is ALB's service-linked role, which the service
// needs before it can create an instance.
const ServiceLinkedRoleName = cloudapi.ALBServiceLinkedRole

// Rule identifiers reported only by the create plan (the others are the
// Rule* constants of [Rules] and of packages network, eip and waf).
const (
	RuleRegionOffersALB   = "region-offers-alb"    // DescribeRegions lists the client's region
	RuleZoneAvailable     = "zone-alb-available"   // DescribeZones lists every zone of the spec
	RuleServiceLinkedRole = "service-linked-role"  // AliyunServiceRoleForAlb exists (or will be created)
	RuleQuota             = "quota-load-balancers" // the region's instance count is below the quota
	RuleServiceDryRun     = "service-dry-run"      // the service's own DryRun create passed
)

// Severity says whether a finding stops a create.
type Severity string

// Severities of a [Finding].
const (
	// SeverityBlocking: Create refuses the spec (a *PlanError).
	SeverityBlocking Severity = "blocking"
	// SeverityWarning: a person should know; Create proceeds.
	SeverityWarning Severity = "warning"
)

// Finding is one rule a create plan checked and found broken.
type Finding struct {
	// Rule is the stable rule identifier (see [Rules]).
	Rule string
	// Severity is blocking or warning.
	Severity Severity
	// Resource is what the finding is about: a spec field path such as
	// "ZoneMappings[1].VSwitchID", or a resource such as the region.
	Resource string
	// Message says what is wrong.
	Message string
	// Fix says what to do about it.
	Fix string
}

// String renders the finding on one line.
func (f Finding) String() string {
	s := string(f.Severity) + " [" + f.Rule + "] " + f.Resource + ": " + f.Message
	if f.Fix != "" {
		s += " (fix: " + f.Fix + ")"
	}
	return s
}

// Side effect kinds reported by a [CreatePlan] (those of a release are the
// SideEffect* constants of [ReleaseResult], such as
// [SideEffectInstanceReleased]).
const (
	// SideEffectEIPAutoAssigned: ALB assigns a pay-as-you-go,
	// pay-by-data-transfer EIP in a zone that names none; it is released
	// with the instance.
	SideEffectEIPAutoAssigned = "eip-auto-assigned"
	// SideEffectVSwitchAddresses: ALB takes three addresses from each
	// vSwitch; Detail says how many stay free.
	SideEffectVSwitchAddresses = "vswitch-addresses-taken"
	// SideEffectWAFActivated: no WAF instance exists, so a pay-as-you-go
	// WAF 3.0 instance will be activated and billed.
	SideEffectWAFActivated = "waf3-pay-as-you-go-activated"
	// SideEffectWAFBilled: WAF protection is billed on an existing
	// pay-as-you-go WAF 3.0 instance.
	SideEffectWAFBilled = "waf3-billed-on-existing"
	// SideEffectBandwidth: how the instance's public traffic is billed
	// (per EIP, pay-by-data-transfer, or through an Internet Shared
	// Bandwidth instance).
	SideEffectBandwidth = "bandwidth"
	// SideEffectServiceLinkedRoleCreated: AliyunServiceRoleForAlb is
	// created before the instance (the caller opted in).
	SideEffectServiceLinkedRoleCreated = "service-linked-role-created"
)

// ErrPreflightFailed is matched (errors.Is) by a *PlanError: the create
// plan has a blocking finding, so Create did not call CreateLoadBalancer.
var ErrPreflightFailed = errors.New("alb: create refused by its plan")

// ErrServiceLinkedRoleMissing: ALB's service-linked role
// AliyunServiceRoleForAlb does not exist. Matched by the service's own
// OperationDenyed.ServiceLinkedRoleNotExist (sic) and by a *PlanError whose
// plan found the role missing. Create it with [CreateServiceLinkedRole] or
// in the RAM console.
var ErrServiceLinkedRoleMissing = errors.New("alb: service-linked role " + ServiceLinkedRoleName + " does not exist")

// PlanError is a create refused by its plan, before CreateLoadBalancer was
// called. errors.Is(err, [ErrPreflightFailed]) holds; so does
// [ErrServiceLinkedRoleMissing] or [ErrQuotaExceeded] when such a finding
// is among the blocking ones.
type PlanError struct {
	// Plan is the whole plan, with every finding.
	Plan *CreatePlan
}

// Error lists the blocking findings.
func (e *PlanError) Error() string {
	b := e.Plan.Blocking()
	parts := make([]string, len(b))
	for i, f := range b {
		parts[i] = f.Resource + ": " + f.Message + " [" + f.Rule + "]"
	}
	return fmt.Sprintf("alb: create refused: %d blocking finding(s): %s", len(b), strings.Join(parts, "; "))
}

// Is matches ErrPreflightFailed, and ErrServiceLinkedRoleMissing or
// ErrQuotaExceeded when the plan blocks on that rule.
func (e *PlanError) Is(target error) bool {
	switch target {
	case ErrPreflightFailed:
		return true
	case ErrServiceLinkedRoleMissing:
		return e.Plan.blocksOn(RuleServiceLinkedRole)
	case ErrQuotaExceeded:
		return e.Plan.blocksOn(RuleQuota)
	}
	return false
}

// CreatePlan is what [Client.PlanCreate] found: every finding, every side
// effect and the backend allow-list, from live facts. String renders it for
// a terminal.
type CreatePlan struct {
	// Spec is the spec planned.
	Spec InstanceSpec
	// Region is the client's region.
	Region string
	// Findings are every broken rule, blocking ones and warnings, in
	// the order checked.
	Findings []Finding
	// SideEffects are what creating the instance will also do or cost.
	SideEffects []SideEffect
	// BackendAllowList are the CIDR blocks (IPv4, and IPv6 for a
	// dual-stack instance) that the backend servers' security groups must
	// allow: ALB reaches backends from addresses of its vSwitches.
	BackendAllowList []netip.Prefix
	// SingleZoneRegion is true when DescribeZones lists one zone only, so
	// one zone mapping is allowed.
	SingleZoneRegion bool
	// InstanceCount is the number of ALB instances in the region, and
	// Quota the quota it was compared with.
	InstanceCount, Quota int
	// Facts are the live facts the rules were checked against.
	Facts Facts
}

// Blocking returns the blocking findings.
func (p *CreatePlan) Blocking() []Finding {
	var out []Finding
	for _, f := range p.Findings {
		if f.Severity == SeverityBlocking {
			out = append(out, f)
		}
	}
	return out
}

// Warnings returns the findings that do not block.
func (p *CreatePlan) Warnings() []Finding {
	var out []Finding
	for _, f := range p.Findings {
		if f.Severity != SeverityBlocking {
			out = append(out, f)
		}
	}
	return out
}

// OK reports whether nothing blocks the create.
func (p *CreatePlan) OK() bool { return len(p.Blocking()) == 0 }

// Err returns a *PlanError when a finding blocks the create, else nil.
func (p *CreatePlan) Err() error {
	if p.OK() {
		return nil
	}
	return &PlanError{Plan: p}
}

// Has reports whether a finding of rule was made.
func (p *CreatePlan) Has(rule string) bool {
	return slices.ContainsFunc(p.Findings, func(f Finding) bool { return f.Rule == rule })
}

func (p *CreatePlan) blocksOn(rule string) bool {
	return slices.ContainsFunc(p.Findings, func(f Finding) bool { return f.Rule == rule && f.Severity == SeverityBlocking })
}

// String renders the plan: verdict, findings, side effects, allow-list.
func (p *CreatePlan) String() string {
	var b strings.Builder
	name := p.Spec.Name
	if name == "" {
		name = "(unnamed)"
	}
	verdict := "ready"
	if !p.OK() {
		verdict = fmt.Sprintf("BLOCKED (%d blocking finding(s))", len(p.Blocking()))
	}
	fmt.Fprintf(&b, "create %s in %s: %s %s %s, %d zone(s): %s", name, p.Region, p.Spec.AddressType, p.Spec.ipVersion(), p.Spec.Edition, len(p.Spec.ZoneMappings), verdict)
	if len(p.Findings) == 0 {
		b.WriteString("\n  findings: none")
	}
	for _, f := range p.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	for _, s := range p.SideEffects {
		b.WriteString("\n  side effect: ")
		b.WriteString(s.Detail)
	}
	if len(p.BackendAllowList) > 0 {
		ss := make([]string, len(p.BackendAllowList))
		for i, a := range p.BackendAllowList {
			ss[i] = a.String()
		}
		b.WriteString("\n  backend security groups must allow: ")
		b.WriteString(strings.Join(ss, ", "))
	}
	return b.String()
}

// CreateOption adjusts [Client.PlanCreate] and [Client.Create].
type CreateOption func(*createConfig)

type createConfig struct {
	skip       bool
	dryRun     bool
	createRole bool
	strict     bool
	renew      bool // Ensure's: a key whose instance was released makes a new one
}

// renewReleased makes a create whose key made an instance since released
// make a new one with the key's next token (Ensure's declarative meaning)
// instead of ending with ErrReleased (see tokenGeneration).
func renewReleased() CreateOption { return func(c *createConfig) { c.renew = true } }

// SkipPreflight makes Create send CreateLoadBalancer without planning
// first: only the local validation runs (and, for a spec with one zone
// mapping, DescribeZones decides whether the region allows it).
// PlanCreate ignores it.
func SkipPreflight() CreateOption { return func(c *createConfig) { c.skip = true } }

// WithServiceDryRun adds the service's own check to the plan: a
// CreateLoadBalancer with DryRun, whose DryRunOperation answer counts as
// success; any other answer is a blocking finding (RuleServiceDryRun). It
// is sent only when no other finding blocks.
func WithServiceDryRun() CreateOption { return func(c *createConfig) { c.dryRun = true } }

// CreateServiceLinkedRole lets Create create AliyunServiceRoleForAlb when
// it is missing (reported in the plan as a side effect), instead of a
// blocking finding.
func CreateServiceLinkedRole() CreateOption { return func(c *createConfig) { c.createRole = true } }

// StrictAddresses makes fewer than eight free addresses in a vSwitch
// (network.RuleAutoScalingAddresses) a blocking finding instead of a
// warning.
func StrictAddresses() CreateOption { return func(c *createConfig) { c.strict = true } }

// WithLoadBalancerQuota sets the region's ALB instance quota the create
// plan compares the instance count with ([DefaultLoadBalancerQuota]
// unless the account's quota was raised).
func WithLoadBalancerQuota(n int) Option {
	return func(c *clientConfig) error {
		if n < 1 {
			return optionError("WithLoadBalancerQuota", "n", "%d is below 1: a quota is at least 1", n)
		}
		c.quota = n
		return nil
	}
}

// WithPreflightTimeout bounds the whole fact gathering of one create plan
// ([DefaultPreflightTimeout] by default).
func WithPreflightTimeout(d time.Duration) Option {
	return func(c *clientConfig) error {
		if d <= 0 {
			return optionError("WithPreflightTimeout", "d", "%s is not positive", d)
		}
		c.preflightTimeout = d
		return nil
	}
}

// DefaultPreflightFactsTTL is how long a Client keeps the region-level
// facts of its create plans by default (see [WithPreflightFactsTTL]).
const DefaultPreflightFactsTTL = time.Minute

// WithPreflightFactsTTL sets how long a Client keeps the facts of its create
// plans that belong to the region and the account rather than to one
// instance: the regions and zones that offer ALB (DescribeRegions,
// DescribeZones), the service-linked role once it exists (GetRole) and the
// WAF instances (DescribeInstance, DescribeInstanceInfo). Default
// [DefaultPreflightFactsTTL]; 0 keeps none.
//
// Whatever the TTL, plans gathered at the same time (a fleet's creates)
// share one read of each fact: one DescribeVSwitches for the same
// vSwitches, one DescribeEipAddresses for the same EIPs, one
// ListLoadBalancers for the instance count, instead of one per plan, each
// spending the service's rate limit. Those are never kept: every plan
// started after a read has ended makes its own.
func WithPreflightFactsTTL(d time.Duration) Option {
	return func(c *clientConfig) error {
		if d < 0 {
			return optionError("WithPreflightFactsTTL", "d", "%s is negative (0 keeps no facts)", d)
		}
		c.factsTTL = &d
		return nil
	}
}

// gathered are the live facts of one plan.
type gathered struct {
	regions   []string
	zones     []string
	vswitches []*cloudapi.VSwitch
	eips      []*cloudapi.EipAddress
	waf       *waf.Facts
	roleFound bool
	count     int
}

// PlanCreate checks spec against live facts and says what creating it
// would do, without changing anything. The spec is validated locally
// first: an invalid spec returns a *ValidationError and makes no call,
// except that a spec whose only fault is its single zone mapping is left
// for the facts to judge (allowed in a region with one ALB zone). Then, concurrently and
// within [WithPreflightTimeout]: ALB DescribeRegions and DescribeZones,
// VPC DescribeVSwitches and DescribeEipAddresses for the spec's vSwitches
// and EIPs (Eipanycast ListAnycastEipAddresses for Anycast EIPs), WAF 3.0 DescribeInstance and WAF 2.0 DescribeInstanceInfo for
// the WAF-enabled edition, ResourceManager GetRole for
// AliyunServiceRoleForAlb, and ListLoadBalancers for the instance count.
// Plans gathered at the same time share one read of each fact, and the
// region-level facts are kept for a while ([WithPreflightFactsTTL]).
// A fact that cannot be read fails the plan with that call's error.
//
// Every broken rule is a [Finding]; the plan is blocked when one is
// blocking ([CreatePlan.Err]).
func (c *Client) PlanCreate(ctx context.Context, spec InstanceSpec, opts ...CreateOption) (_ *CreatePlan, err error) {
	ctx, tel := c.read(ctx, "PlanCreate", "")
	defer tel.end(&err)

	var cfg createConfig
	for _, o := range opts {
		o(&cfg)
	}
	return c.planCreate(ctx, spec, cfg)
}

func (c *Client) planCreate(ctx context.Context, spec InstanceSpec, cfg createConfig) (*CreatePlan, error) {
	if err := spec.Validate(); err != nil && !onlySingleZone(spec, err) {
		// One zone mapping alone is left to the facts gathered below:
		// DescribeZones says whether the region has a single ALB zone.
		return nil, err
	}
	g, err := c.gather(ctx, spec)
	if err != nil {
		return nil, err
	}
	p := &CreatePlan{Spec: spec, Region: c.region, InstanceCount: g.count, Quota: c.quota, SingleZoneRegion: singleZoneRegion(g.zones), Facts: Facts{WAF: g.waf}}
	p.Facts.SingleZoneRegion = p.SingleZoneRegion
	add := func(rule string, sev Severity, res, fix, format string, args ...any) {
		p.Findings = append(p.Findings, Finding{Rule: rule, Severity: sev, Resource: res, Message: fmt.Sprintf(format, args...), Fix: fix})
	}

	// Region and zones.
	if !slices.Contains(g.regions, c.region) {
		add(RuleRegionOffersALB, SeverityBlocking, "region "+c.region, "choose a region that DescribeRegions lists",
			"ALB is not offered in region %s (DescribeRegions lists %s)", c.region, strings.Join(g.regions, ", "))
	}
	for i, z := range spec.ZoneMappings {
		if len(g.zones) > 0 && !slices.Contains(g.zones, z.ZoneID) {
			add(RuleZoneAvailable, SeverityBlocking, fmt.Sprintf("ZoneMappings[%d].ZoneID", i), "choose one of "+strings.Join(g.zones, ", "),
				"ALB is not available in zone %s of %s", z.ZoneID, c.region)
		}
	}

	// Network and EIPs: the facts-level rules of ValidateFacts.
	p.Facts.VSwitches = map[string]network.VSwitch{}
	for _, v := range g.vswitches {
		f, err := cloudapi.VSwitchFacts(v)
		if err != nil {
			return nil, &NetworkError{Operation: "DescribeVSwitches", Err: err}
		}
		p.Facts.VSwitches[f.ID] = f
	}
	p.Facts.EIPs = map[string]eip.Address{}
	for _, e := range g.eips {
		a := cloudapi.EIPFacts(e)
		p.Facts.EIPs[a.AllocationID] = a
	}
	if err := spec.ValidateFacts(p.Facts); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, fe := range ve.Errors {
				sev := SeverityBlocking
				if fe.Rule == network.RuleAutoScalingAddresses && !cfg.strict {
					sev = SeverityWarning
				}
				p.Findings = append(p.Findings, Finding{Rule: fe.Rule, Severity: sev, Resource: fe.Field, Message: fe.Message, Fix: fixFor(fe.Rule)})
			}
		}
	}

	// Service-linked role.
	if !g.roleFound {
		if cfg.createRole {
			p.SideEffects = append(p.SideEffects, SideEffect{Kind: SideEffectServiceLinkedRoleCreated, ResourceID: ServiceLinkedRoleName,
				Detail: "the service-linked role " + ServiceLinkedRoleName + " will be created (ResourceManager CreateServiceLinkedRole, service " + cloudapi.ALBServiceName + ")"})
		} else {
			add(RuleServiceLinkedRole, SeverityBlocking, "role "+ServiceLinkedRoleName,
				"create it: pass alb.CreateServiceLinkedRole() to Create, call client.CreateServiceLinkedRole, or create the role for "+cloudapi.ALBServiceName+" in the RAM console",
				"the service-linked role %s does not exist; ALB cannot create an instance without it", ServiceLinkedRoleName)
		}
	}

	// Quota.
	switch {
	case g.count >= c.quota:
		add(RuleQuota, SeverityBlocking, "region "+c.region, "release an instance or ask for a higher quota (Quota Center, alb_quota_loadbalancers_num), then set alb.WithLoadBalancerQuota",
			"the region has %d ALB instance(s) and the quota is %d; CreateLoadBalancer would fail with QuotaExceeded.LoadBalancersNum", g.count, c.quota)
	case g.count+1 == c.quota:
		add(RuleQuota, SeverityWarning, "region "+c.region, "ask for a higher quota before the next instance",
			"this instance uses the last of the region's quota (%d of %d)", g.count+1, c.quota)
	}

	c.planSideEffects(p, spec)
	if cfg.dryRun && p.OK() {
		if err := c.CreateDryRun(ctx, spec); err != nil {
			var ae *APIError
			if !errors.As(err, &ae) || ae.Retryable() || ae.Auth() {
				return nil, err
			}
			add(RuleServiceDryRun, SeverityBlocking, "CreateLoadBalancer", "correct what the service names",
				"the service's DryRun refused the request: %s: %s", ae.Code, ae.Message)
		}
	}
	return p, nil
}

// planSideEffects fills the side effects and the backend allow-list.
func (c *Client) planSideEffects(p *CreatePlan, spec InstanceSpec) {
	internet := spec.AddressType == Internet
	dual := spec.ipVersion() == DualStack
	var used []network.VSwitch
	for _, z := range spec.ZoneMappings {
		if internet && z.AllocationID == "" {
			p.SideEffects = append(p.SideEffects, SideEffect{Kind: SideEffectEIPAutoAssigned, ResourceID: z.ZoneID,
				Detail: fmt.Sprintf("zone %s: ALB assigns a pay-as-you-go, pay-by-data-transfer %s EIP; it is released with the instance", z.ZoneID, z.effectiveEIPType())})
		}
		vs, ok := p.Facts.VSwitches[z.VSwitchID]
		if !ok {
			continue
		}
		used = append(used, vs)
		p.SideEffects = append(p.SideEffects, SideEffect{Kind: SideEffectVSwitchAddresses, ResourceID: vs.ID,
			Detail: fmt.Sprintf("vSwitch %s (%s): ALB takes %d addresses, %d of %d free stay free", vs.ID, vs.CIDR, network.AddressesPerVSwitch, max(network.FreeAfterALB(vs), 0), vs.AvailableIPs)})
	}
	if spec.Edition == EditionStandardWithWAF && p.Facts.WAF != nil {
		d := waf.Decide(*p.Facts.WAF)
		for _, s := range d.SideEffects {
			kind := SideEffectWAFBilled
			if d.Outcome == waf.OutcomeActivatePayAsYouGo {
				kind = SideEffectWAFActivated
			}
			p.SideEffects = append(p.SideEffects, SideEffect{Kind: kind, ResourceID: p.Facts.WAF.V3InstanceID, Detail: s})
		}
	}
	if internet {
		detail := "public traffic is billed pay-by-data-transfer on each EIP"
		if spec.BandwidthPackageID != "" {
			detail = "the instance's EIPs join Internet Shared Bandwidth instance " + spec.BandwidthPackageID + " and share its bandwidth"
		}
		p.SideEffects = append(p.SideEffects, SideEffect{Kind: SideEffectBandwidth, ResourceID: spec.BandwidthPackageID, Detail: detail})
	}
	if !dual {
		for i := range used {
			used[i].IPv6CIDR = netip.Prefix{}
		}
	}
	p.BackendAllowList = network.BackendAllowList(used)
}

// fixFor says what to do about a facts-level rule.
func fixFor(rule string) string {
	switch rule {
	case RuleVSwitchExists:
		return "create the vSwitch in this region or correct the ID"
	case network.RuleVPCMismatch:
		return "use a vSwitch of the instance's VPC"
	case network.RuleZoneMismatch:
		return "map the vSwitch to the zone it is in"
	case network.RuleVSwitchNotAvailable:
		return "wait until the vSwitch is Available"
	case network.RulePrefixTooLong:
		return "use a vSwitch whose CIDR block is /28 or larger"
	case network.RuleNotEnoughAddresses, network.RuleAutoScalingAddresses:
		return "free addresses in the vSwitch or use another one"
	case network.RuleIPv6Required:
		return "enable IPv6 on the vSwitch (and its VPC) or create an IPv4 instance"
	case network.RuleIntranetOutsideCIDR, network.RuleIntranetReserved:
		return "choose another address inside the vSwitch CIDR block"
	case RuleEIPExists:
		return "allocate the EIP in this region or correct the ID"
	case eip.RulePayAsYouGo, eip.RulePayByTraffic, eip.RuleNoSharedBandwidth, eip.RuleAvailable, eip.RuleEIPTypeValid:
		return "choose a pay-as-you-go, pay-by-data-transfer EIP that is Available and not in a shared bandwidth, or leave the zone's EIP empty to get one assigned"
	case RuleEIPTypeConsistent:
		return "use EIPs of one type in every zone"
	case waf.RuleWAF2Present:
		return "release the WAF 2.0 instance or migrate it to WAF 3.0, then enable X-Forwarded-Proto on the listeners to avoid infinite redirects"
	case RuleZonesMin:
		return "add a second zone: this region has more than one ALB zone"
	}
	return ""
}

// gather reads the facts concurrently, within the preflight bound. The
// first error (in the order of the facts) fails the plan.
func (c *Client) gather(ctx context.Context, spec InstanceSpec) (*gathered, error) {
	ctx, cancel := context.WithTimeout(ctx, c.preflightTimeout)
	defer cancel()
	g := &gathered{}
	var vswIDs, eipIDs []string
	for _, z := range spec.ZoneMappings {
		vswIDs = append(vswIDs, z.VSwitchID)
		if z.AllocationID != "" && spec.AddressType == Internet {
			eipIDs = append(eipIDs, z.AllocationID)
		}
	}
	tasks := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) { // regions
			g.regions, err = c.sharedIDs(ctx, "DescribeRegions", func(ctx context.Context, sdk *albsdk.Client) (out []string, err error) {
				r, err := sdk.DescribeRegionsWithContext(ctx, &albsdk.DescribeRegionsRequest{AcceptLanguage: tea.String("en-US")}, c.runtime)
				if err == nil && r.Body != nil {
					for _, x := range r.Body.Regions {
						if x != nil {
							out = append(out, tea.StringValue(x.RegionId))
						}
					}
				}
				return out, err
			})
			return err
		},
		func(ctx context.Context) (err error) { // zones
			g.zones, err = c.albZones(ctx)
			return err
		},
		func(ctx context.Context) (err error) { // vSwitches
			g.vswitches, err = shareFact(ctx, c, "DescribeVSwitches:"+strings.Join(vswIDs, ","), 0, func(ctx context.Context) (out []*cloudapi.VSwitch, err error) {
				err = c.do(ctx, "DescribeVSwitches", true, func(ctx context.Context) error {
					var err error
					out, err = c.cloud.VPC.ListVSwitches(ctx, "", vswIDs...)
					return err
				})
				return out, err
			})
			return err
		},
		func(ctx context.Context) (err error) { // EIPs
			if len(eipIDs) == 0 {
				return nil
			}
			g.eips, err = shareFact(ctx, c, "DescribeEipAddresses:"+strings.Join(eipIDs, ","), 0, func(ctx context.Context) ([]*cloudapi.EipAddress, error) {
				return c.listEIPs(ctx, eipIDs)
			})
			return err
		},
		func(ctx context.Context) error { // WAF
			if spec.Edition != EditionStandardWithWAF {
				return nil
			}
			f, err := shareFact(ctx, c, "WAF", c.factsTTL, c.wafFacts)
			if err == nil {
				g.waf = &f
			}
			return err
		},
		func(ctx context.Context) (err error) { // role
			g.roleFound, err = shareFact(ctx, c, "GetRole", c.factsTTL, c.serviceLinkedRoleExists)
			if !g.roleFound {
				c.facts.Forget("GetRole") // only a role that exists is kept
			}
			return err
		},
		func(ctx context.Context) (err error) { // instance count
			g.count, err = shareFact(ctx, c, "ListLoadBalancers", 0, func(ctx context.Context) (n int, err error) {
				err = c.call(ctx, "ListLoadBalancers", true, func(ctx context.Context, sdk *albsdk.Client) error {
					r, err := sdk.ListLoadBalancersWithContext(ctx, &albsdk.ListLoadBalancersRequest{MaxResults: tea.Int32(1)}, c.runtime)
					if err == nil && r.Body != nil {
						n = int(tea.Int32Value(r.Body.TotalCount))
					}
					return err
				})
				return n, err
			})
			return err
		},
	}
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Go(func() { errs[i] = t(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return g, nil
}

// albZones lists the region's zones that offer ALB (DescribeZones), a
// region-level fact shared between plans and kept for factsTTL.
func (c *Client) albZones(ctx context.Context) ([]string, error) {
	return c.sharedIDs(ctx, "DescribeZones", func(ctx context.Context, sdk *albsdk.Client) (out []string, err error) {
		r, err := sdk.DescribeZonesWithContext(ctx, &albsdk.DescribeZonesRequest{AcceptLanguage: tea.String("en-US")}, c.runtime)
		if err == nil && r.Body != nil {
			for _, x := range r.Body.Zones {
				if x != nil {
					out = append(out, tea.StringValue(x.ZoneId))
				}
			}
		}
		return out, err
	})
}

// The single-zone allowance of RuleZonesMin, in one place: an instance
// needs zone mappings in at least two zones, except in a region where
// DescribeZones lists one ALB zone, which allows one. Every entry point
// that takes zone mappings (PlanCreate and Create, CreateDryRun,
// ResumeCreate, PlanEnsure and Ensure, CreateMany, UpdateZones,
// RemoveZone) decides it with singleZoneRegion on the zones albZones
// reads, through validateSpec or zoneAllowance.

// singleZoneRegion reports whether a region whose DescribeZones lists
// zones allows one zone mapping.
func singleZoneRegion(zones []string) bool { return len(zones) == 1 }

// zoneAllowance reports whether n zone mappings may be fewer than two:
// for n < 2 it reads the region's ALB zones (singleZoneRegion); for n >= 2
// the question does not arise and nothing is read.
func (c *Client) zoneAllowance(ctx context.Context, n int) (single bool, err error) {
	if n >= 2 {
		return false, nil
	}
	zones, err := c.albZones(ctx)
	if err != nil {
		return false, err
	}
	return singleZoneRegion(zones), nil
}

// onlySingleZone reports whether err, from spec.Validate, is nothing but
// RuleZonesMin on a spec with exactly one zone mapping: the region's
// zones decide that one.
func onlySingleZone(spec InstanceSpec, err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve) && len(ve.Errors) == 1 && ve.Errors[0].Rule == RuleZonesMin && len(spec.ZoneMappings) == 1
}

// validateSpec is spec.Validate with the single-zone allowance decided by
// the region's zones (read only for a spec with one zone mapping).
func (c *Client) validateSpec(ctx context.Context, spec InstanceSpec) error {
	err := spec.Validate()
	if err == nil || !onlySingleZone(spec, err) {
		return err
	}
	single, zerr := c.zoneAllowance(ctx, len(spec.ZoneMappings))
	if zerr != nil {
		return zerr
	}
	if single {
		return nil
	}
	return err
}

// sharedIDs is a region-level fact: the IDs one ALB describe call lists
// (list, called again on each of the call's retries), shared between plans
// and kept for factsTTL.
func (c *Client) sharedIDs(ctx context.Context, action string, list func(context.Context, *albsdk.Client) ([]string, error)) ([]string, error) {
	return shareFact(ctx, c, action, c.factsTTL, func(ctx context.Context) (out []string, err error) {
		err = c.call(ctx, action, true, func(ctx context.Context, sdk *albsdk.Client) error {
			var err error
			out, err = list(ctx, sdk)
			return err
		})
		return out, err
	})
}

// shareFact reads one fact of a create plan through the Client's shared
// reads: plans gathered at the same time share one read of each fact, and
// an answer is kept for ttl (0: not kept).
func shareFact[T any](ctx context.Context, c *Client, key string, ttl time.Duration, read func(context.Context) (T, error)) (T, error) {
	v, _, err := c.facts.Do(ctx, key, ttl, func(ctx context.Context) (any, error) { return read(ctx) })
	t, _ := v.(T)
	return t, err
}

// serviceLinkedRoleExists asks ResourceManager GetRole for
// AliyunServiceRoleForAlb.
func (c *Client) serviceLinkedRoleExists(ctx context.Context) (bool, error) {
	rm, err := c.cloud.RM()
	if err != nil {
		return false, &NetworkError{Operation: "GetRole", Err: err}
	}
	err = c.do(ctx, "GetRole", true, func(ctx context.Context) error {
		_, err := rm.GetRole(ctx, ServiceLinkedRoleName)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// CreateServiceLinkedRole creates ALB's service-linked role
// AliyunServiceRoleForAlb (ResourceManager CreateServiceLinkedRole for
// alb.aliyuncs.com) unless it exists. It reports whether it created it.
func (c *Client) CreateServiceLinkedRole(ctx context.Context) (_ bool, err error) {
	ctx, tel := c.operation(ctx, "CreateServiceLinkedRole", "")
	defer tel.end(&err)

	found, err := c.serviceLinkedRoleExists(ctx)
	if err != nil || found {
		return false, err
	}
	rm, err := c.cloud.RM()
	if err != nil {
		return false, &NetworkError{Operation: "CreateServiceLinkedRole", Err: err}
	}
	err = c.do(ctx, "CreateServiceLinkedRole", false, func(ctx context.Context) error {
		_, err := rm.CreateServiceLinkedRole(ctx, cloudapi.ALBServiceName)
		return err
	})
	if err != nil {
		return false, err
	}
	c.facts.Forget("GetRole")
	c.emit(Event{Kind: EventStep, Operation: "create", Message: "created the service-linked role " + ServiceLinkedRoleName})
	return true, nil
}

// preflight runs the plan of a create and refuses on a blocking finding.
// With cfg.createRole it creates the missing role afterwards.
func (c *Client) preflight(ctx context.Context, spec InstanceSpec, cfg createConfig) (*CreatePlan, error) {
	p, err := c.planCreate(ctx, spec, cfg)
	if err != nil {
		return nil, err
	}
	c.emit(Event{Kind: EventStep, Operation: "create", Message: "create plan: " + strings.SplitN(p.String(), "\n", 2)[0]})
	if err := p.Err(); err != nil {
		return p, err
	}
	if slices.ContainsFunc(p.SideEffects, func(s SideEffect) bool { return s.Kind == SideEffectServiceLinkedRoleCreated }) {
		if _, err := c.CreateServiceLinkedRole(ctx); err != nil {
			return p, err
		}
	}
	return p, nil
}

// RuleIPVersionUpgrade is the rule of [CheckIPVersionChange].
const RuleIPVersionUpgrade = "ipv4-to-dual-stack-needs-new-instance"

// ErrIPVersionUpgrade: an existing IPv4 instance cannot be turned into a
// dual-stack one; the documented answer is to create a new dual-stack
// instance (and move the traffic to it).
var ErrIPVersionUpgrade = errors.New("alb: an IPv4 instance cannot become dual-stack: create a new dual-stack instance")

// CheckIPVersionChange refuses asking an existing instance for another IP
// version: IPv4 → DualStack gives a *FieldError (rule
// [RuleIPVersionUpgrade]) matching [ErrIPVersionUpgrade] and
// [ErrInvalidSpec], whose message gives the documented answer. No API path
// changes the IP version of an instance; code that reconciles an instance
// with a spec calls this before anything else. A nil instance is an
// *[ArgumentError].
func CheckIPVersionChange(inst *Instance, want IPVersion) error {
	if inst == nil {
		return &ArgumentError{Operation: "CheckIPVersionChange", Argument: "inst", Message: "is nil: the instance to check is required"}
	}
	if want == "" || inst.IPVersion == "" || inst.IPVersion == want {
		return nil
	}
	return &ipVersionError{FieldError{Field: "IPVersion", Rule: RuleIPVersionUpgrade,
		Message: fmt.Sprintf("instance %s is %s and cannot become %s: create a new %s instance and move the traffic to it", inst.ID, inst.IPVersion, want, want)}}
}

// ipVersionError is a FieldError that also matches ErrIPVersionUpgrade.
type ipVersionError struct{ FieldError }

// Is matches ErrIPVersionUpgrade and ErrInvalidSpec.
func (e *ipVersionError) Is(target error) bool {
	return target == ErrIPVersionUpgrade || target == ErrInvalidSpec
}

// Unwrap gives the *FieldError.
func (e *ipVersionError) Unwrap() error { return &e.FieldError }
