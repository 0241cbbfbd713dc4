package alb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/internal/cloudapi"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// Management operations on an existing instance. Each one validates its
// input locally first (no API call for a refused change), reads the
// instance for the checks that need its state, sends one write with one
// ClientToken for all its retries, and waits until the instance is Active
// AND shows the change. An operation asked for the state the instance is
// already in makes no write and returns the instance.

// Rules of the refusals of the management operations ([RefusedError].Rule).
const (
	RuleNameRequired          = "name-required"           // Rename needs a name
	RuleEditionDowngrade      = "edition-downgrade"       // nothing goes down to Basic
	RuleWAF2Present           = waf.RuleWAF2Present       // the WAF-enabled edition while a WAF 2.0 instance exists
	RuleBandwidthInternetOnly = "bandwidth-internet-only" // a shared bandwidth package needs an Internet-facing instance
	RuleBandwidthAttached     = "bandwidth-attached"      // another package is attached already
	RuleIPv6NeedsDualStack    = "ipv6-needs-dual-stack"   // IPv6 Internet access needs a dual-stack instance
	RuleZoneVSwitchChanged    = "zone-vswitch-changed"    // a kept zone keeps its vSwitch
	RuleZoneUnknown           = "zone-unknown"            // the zone is not one of the instance's
	RuleImmutable             = "immutable"               // the field cannot change after create
)

// ErrChangeRefused is matched (with errors.Is) by every *[RefusedError]:
// a change albkit refuses before any API call because the instance's state
// or the documentation does not allow it. Such errors match
// [ErrInvalidArgument] too.
var ErrChangeRefused = errors.New("alb: change refused")

// RefusedError is a change refused locally, with the field and rule, the
// documented reason and what to do instead. [Client.Sweep] reports the
// instances it keeps with it too (Err is then [ErrDeletionProtected] or
// [ErrManagedByService]).
type RefusedError struct {
	Operation string // e.g. "UpgradeEdition"
	ID        string // instance ID
	Field     string // spec field, e.g. "Edition"
	Rule      string // one of the Rule* constants
	Reason    string // why it is refused
	Instead   string // what to do instead; may be empty
	// Err is the underlying rule error, if any (for the WAF 2.0 refusal a
	// *waf.Violation, so errors.Is(err, waf.ErrWAF2Present) holds).
	Err error
}

// Error implements error.
func (e *RefusedError) Error() string {
	s := "alb: " + e.Operation + " " + e.ID + ": "
	if e.Field != "" {
		s += e.Field + ": "
	}
	s += e.Reason
	if e.Rule != "" {
		s += " [" + e.Rule + "]"
	}
	if e.Instead != "" {
		s += "; instead: " + e.Instead
	}
	return s
}

// Is matches ErrChangeRefused and ErrInvalidArgument.
func (e *RefusedError) Is(target error) bool {
	return target == ErrChangeRefused || target == ErrInvalidArgument
}

// Unwrap returns the underlying rule error.
func (e *RefusedError) Unwrap() error { return e.Err }

// change is changeRes for the management operations of an instance (see
// changeRes: a busy instance is waited for and the write sent again; a
// refused write whose change is there already is success).
func (c *Client) change(ctx context.Context, s waitSpec, opts []WaitOption,
	send func(ctx context.Context, sdk *albsdk.Client, token string) error, shows func(*Instance) bool) (*Instance, error) {
	return changeRes(c, ctx, instances, s, opts, "", send, shows)
}

// fieldsOnly validates spec and keeps the violations of fields starting
// with one of prefixes. It does not apply the zone count (see zoneFields).
func fieldsOnly(spec InstanceSpec, prefixes ...string) error {
	return fieldsOf(spec, true, prefixes...)
}

// zoneFields validates the zone mappings of spec, the zone count with the
// single-zone allowance single (zoneAllowance).
func zoneFields(spec InstanceSpec, single bool) error { return fieldsOf(spec, single, "ZoneMappings") }

func fieldsOf(spec InstanceSpec, singleZone bool, prefixes ...string) error {
	v := &violations{}
	spec.checkSpec(v, singleZone)
	var only []*FieldError
	for _, fe := range v.list {
		for _, p := range prefixes {
			if strings.HasPrefix(fe.Field, p) {
				only = append(only, fe)
				break
			}
		}
	}
	if len(only) == 0 {
		return nil
	}
	return &ValidationError{Errors: only}
}

// checkCall checks a call's instance ID and wait options before it makes
// any request.
func checkCall(op, id string, opts []WaitOption) error {
	if err := requireID(op, "id", id); err != nil {
		return err
	}
	return checkWaitOpts(op, opts)
}

// current checks a call's arguments and reads the instance for its checks.
func (c *Client) current(ctx context.Context, op, id string, opts []WaitOption) (*Instance, error) {
	if err := checkCall(op, id, opts); err != nil {
		return nil, err
	}
	return c.Get(ctx, id)
}

// Rename sets the instance name (UpdateLoadBalancerAttribute) and waits
// until the instance shows it. The name follows the spec's rules.
func (c *Client) Rename(ctx context.Context, id, name string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "Rename", id)
	defer tel.end(&err)

	if err := checkCall("Rename", id, opts); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, &ValidationError{Errors: []*FieldError{{Field: "Name", Rule: RuleNameRequired, Message: "a new name is required"}}}
	}
	if err := fieldsOnly(InstanceSpec{Name: name}, "Name"); err != nil {
		return nil, err
	}
	inst, err := c.Get(ctx, id)
	if err != nil || inst.Name == name {
		return inst, err
	}
	return c.change(ctx, waitSpec{op: "UpdateLoadBalancerAttribute", id: id, waiting: "Active named " + name, full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.UpdateLoadBalancerAttributeWithContext(ctx, &albsdk.UpdateLoadBalancerAttributeRequest{
				LoadBalancerId: tea.String(id), LoadBalancerName: tea.String(name), ClientToken: tea.String(token)}, c.runtime)
			return err
		},
		func(i *Instance) bool { return i.Name == name })
}

// checkUserTags applies the spec's tag rules, among them the reserved
// "albkit:" prefix (RuleTagKeyAlbkitPrefix).
func checkUserTags(tags []Tag) error { return fieldsOnly(InstanceSpec{Tags: tags}, "Tags") }

// AddTags sets tags on the instance (TagResources; a key that exists gets
// the new value) and waits until the instance shows them. Keys starting
// with "albkit:" are albkit's own and are refused.
func (c *Client) AddTags(ctx context.Context, id string, tags []Tag, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "AddTags", id)
	defer tel.end(&err)

	if err := checkCall("AddTags", id, opts); err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, &ArgumentError{Operation: "AddTags", Argument: "tags", Message: "at least one tag is required"}
	}
	if err := checkUserTags(tags); err != nil {
		return nil, err
	}
	has := func(i *Instance) bool {
		for _, t := range tags {
			if v, ok := tagLookup(i.Tags, t.Key); !ok || v != t.Value {
				return false
			}
		}
		return true
	}
	inst, err := c.Get(ctx, id)
	if err != nil || has(inst) {
		return inst, err
	}
	return c.change(ctx, waitSpec{op: "TagResources", id: id, waiting: "Active with the new tags", full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, _ string) error { // TagResources takes no ClientToken; setting tags is idempotent
			req := &albsdk.TagResourcesRequest{ResourceType: tea.String("loadbalancer"), ResourceId: []*string{tea.String(id)}}
			for _, t := range tags {
				req.Tag = append(req.Tag, &albsdk.TagResourcesRequestTag{Key: tea.String(t.Key), Value: tea.String(t.Value)})
			}
			_, err := sdk.TagResourcesWithContext(ctx, req, c.runtime)
			return err
		}, has)
}

// RemoveTags removes the tags with these keys (UnTagResources) and waits
// until the instance no longer shows them. Keys starting with "albkit:"
// are refused.
func (c *Client) RemoveTags(ctx context.Context, id string, keys []string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "RemoveTags", id)
	defer tel.end(&err)

	if err := checkCall("RemoveTags", id, opts); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, &ArgumentError{Operation: "RemoveTags", Argument: "keys", Message: "at least one key is required"}
	}
	tags := make([]Tag, len(keys))
	for i, k := range keys {
		tags[i] = Tag{Key: k}
	}
	if err := checkUserTags(tags); err != nil {
		return nil, err
	}
	gone := func(i *Instance) bool {
		for _, k := range keys {
			if _, ok := tagLookup(i.Tags, k); ok {
				return false
			}
		}
		return true
	}
	inst, err := c.Get(ctx, id)
	if err != nil || gone(inst) {
		return inst, err
	}
	return c.change(ctx, waitSpec{op: "UnTagResources", id: id, waiting: "Active without the tags", full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, _ string) error { // no ClientToken; removing tags is idempotent
			_, err := sdk.UnTagResourcesWithContext(ctx, &albsdk.UnTagResourcesRequest{ResourceType: tea.String("loadbalancer"),
				ResourceId: []*string{tea.String(id)}, TagKey: tea.StringSlice(keys)}, c.runtime)
			return err
		}, gone)
}

func tagLookup(tags []Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// EditionUpgrade is the result of [Client.UpgradeEdition].
type EditionUpgrade struct {
	Instance *Instance // the instance as it shows the new edition
	From     Edition   // the edition before
	To       Edition   // the edition asked for
	// WAF is the WAF decision for an upgrade to StandardWithWaf (nil
	// otherwise).
	WAF *waf.Decision
	// SideEffects are the billed or visible effects of the upgrade, e.g.
	// the activation of a pay-as-you-go WAF 3.0 instance.
	SideEffects []string
}

// PlanEditionUpgrade checks an edition change without making it: the
// downgrade rule and, for StandardWithWaf, the account's WAF 2.0/3.0 state
// (read through the WAF APIs). It returns the side effects the upgrade
// would have, or a *[RefusedError].
func (c *Client) PlanEditionUpgrade(ctx context.Context, id string, to Edition) (_ *EditionUpgrade, err error) {
	ctx, tel := c.read(ctx, "PlanEditionUpgrade", id)
	defer tel.end(&err)

	return c.planEditionUpgrade(ctx, "PlanEditionUpgrade", id, to, nil)
}

// planEditionUpgrade is PlanEditionUpgrade with the WAF facts of f when
// an Ensure plan gathered them (nil: read them).
func (c *Client) planEditionUpgrade(ctx context.Context, op, id string, to Edition, f *Facts) (*EditionUpgrade, error) {
	if !to.Valid() {
		return nil, &ValidationError{Errors: []*FieldError{{Field: "Edition", Rule: RuleEditionEnum, Message: fmt.Sprintf("edition %q is not Basic, Standard or StandardWithWaf", to)}}}
	}
	inst, err := c.current(ctx, op, id, nil)
	if err != nil {
		return nil, err
	}
	return c.planEdition(ctx, inst, to, f)
}

func (c *Client) planEdition(ctx context.Context, inst *Instance, to Edition, f *Facts) (*EditionUpgrade, error) {
	up := &EditionUpgrade{Instance: inst, From: inst.Edition, To: to}
	if inst.Edition == to {
		return up, nil
	}
	if !inst.Edition.CanUpgradeTo(to) {
		return nil, &RefusedError{Operation: "UpgradeEdition", ID: inst.ID, Field: "Edition", Rule: RuleEditionDowngrade,
			Reason:  fmt.Sprintf("an instance cannot go from %s down to %s: the API refuses it with OperationDenied.Downgrade", inst.Edition, to),
			Instead: "create a new " + string(to) + " instance and move the traffic to it"}
	}
	if to == EditionStandardWithWAF {
		if f == nil || f.WAF == nil {
			facts, err := c.wafFacts(ctx)
			if err != nil {
				return nil, err
			}
			f = &Facts{WAF: &facts}
		}
		d := waf.Decide(*f.WAF)
		up.WAF = &d
		if r := wafRefusal("UpgradeEdition", inst.ID, d); r != nil {
			return nil, r
		}
		up.SideEffects = append(up.SideEffects, d.SideEffects...)
	}
	return up, nil
}

// wafRefusal is the refusal of the WAF-enabled edition that d decides
// (a WAF 2.0 instance exists), or nil when d allows it.
func wafRefusal(op, id string, d waf.Decision) *RefusedError {
	if d.Allowed {
		return nil
	}
	return &RefusedError{Operation: op, ID: id, Field: "Edition", Rule: RuleWAF2Present,
		Reason: "a WAF 2.0 instance exists in the account", Instead: d.Guidance, Err: d.Err()}
}

// wafFacts reads the account's WAF 2.0/3.0 state (the WAF client is built
// on first use).
func (c *Client) wafFacts(ctx context.Context) (waf.Facts, error) {
	w, err := c.cloud.WAF()
	if err != nil {
		return waf.Facts{}, &NetworkError{Operation: "DescribeInstance", Err: err}
	}
	var f waf.Facts
	err = c.do(ctx, "DescribeInstance", true, func(ctx context.Context) error {
		var err error
		f, err = w.Facts(ctx)
		return err
	})
	return f, err
}

// UpgradeEdition moves the instance to a higher edition
// (UpdateLoadBalancerEdition: Basic → Standard → StandardWithWaf; the API
// also allows StandardWithWaf → Standard) and waits until the instance
// shows the new edition, not only until it is Active (the Terraform
// provider's PR #4780). Going down to Basic is refused locally (the API
// answers OperationDenied.Downgrade). Before StandardWithWaf it checks the
// account's WAF state: a WAF 2.0 instance is refused with the
// documentation's guidance; otherwise the billed effect (a pay-as-you-go
// WAF 3.0 instance activated, or usage billed on an existing one) is in
// SideEffects.
func (c *Client) UpgradeEdition(ctx context.Context, id string, to Edition, opts ...WaitOption) (*EditionUpgrade, error) {
	return c.upgradeEdition(ctx, id, to, opts, nil)
}

// upgradeEdition is UpgradeEdition with the facts an Ensure plan gathered
// (nil: read them).
func (c *Client) upgradeEdition(ctx context.Context, id string, to Edition, opts []WaitOption, f *Facts) (_ *EditionUpgrade, err error) {
	ctx, tel := c.operation(ctx, "UpgradeEdition", id)
	defer tel.end(&err)

	if err := checkWaitOpts("UpgradeEdition", opts); err != nil {
		return nil, err
	}
	up, err := c.planEditionUpgrade(ctx, "UpgradeEdition", id, to, f)
	if err != nil || up.From == to {
		return up, err
	}
	inst, err := c.change(ctx, waitSpec{op: "UpdateLoadBalancerEdition", id: id, waiting: "Active as " + string(to), full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.UpdateLoadBalancerEditionWithContext(ctx, &albsdk.UpdateLoadBalancerEditionRequest{
				LoadBalancerId: tea.String(id), LoadBalancerEdition: tea.String(string(to)), ClientToken: tea.String(token)}, c.runtime)
			return err
		},
		func(i *Instance) bool { return i.Edition == to })
	if err != nil {
		return nil, err
	}
	up.Instance = inst
	return up, nil
}

// AttachBandwidthPackage associates the Internet-facing instance with an
// Internet Shared Bandwidth instance ("cbwp-…",
// AttachCommonBandwidthPackageToLoadBalancer) and waits until the instance
// shows it. An Intranet instance, or one attached to another package, is
// refused locally.
func (c *Client) AttachBandwidthPackage(ctx context.Context, id, packageID string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "AttachBandwidthPackage", id)
	defer tel.end(&err)

	if err := checkCall("AttachBandwidthPackage", id, opts); err != nil {
		return nil, err
	}
	if err := fieldsOnly(InstanceSpec{BandwidthPackageID: packageID}, "BandwidthPackageID"); err != nil || packageID == "" {
		if err == nil {
			err = &ArgumentError{Operation: "AttachBandwidthPackage", Argument: "packageID", Message: "is required"}
		}
		return nil, err
	}
	inst, err := c.Get(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case inst.BandwidthPackageID == packageID:
		return inst, nil
	case inst.AddressType != Internet:
		return nil, &RefusedError{Operation: "AttachBandwidthPackage", ID: id, Field: "BandwidthPackageID", Rule: RuleBandwidthInternetOnly,
			Reason: "an Internet Shared Bandwidth instance can be associated only with an Internet-facing instance", Instead: "change the address type to Internet first"}
	case inst.BandwidthPackageID != "":
		return nil, &RefusedError{Operation: "AttachBandwidthPackage", ID: id, Field: "BandwidthPackageID", Rule: RuleBandwidthAttached,
			Reason: "the instance is associated with " + inst.BandwidthPackageID + " already", Instead: "detach it first"}
	}
	return c.change(ctx, waitSpec{op: "AttachCommonBandwidthPackageToLoadBalancer", id: id, waiting: "Active in " + packageID, full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.AttachCommonBandwidthPackageToLoadBalancerWithContext(ctx, &albsdk.AttachCommonBandwidthPackageToLoadBalancerRequest{
				RegionId: tea.String(c.region), LoadBalancerId: tea.String(id), BandwidthPackageId: tea.String(packageID), ClientToken: tea.String(token)}, c.runtime)
			return err
		},
		func(i *Instance) bool { return i.BandwidthPackageID == packageID })
}

// DetachBandwidthPackage dissociates the instance from its Internet Shared
// Bandwidth instance (DetachCommonBandwidthPackageFromLoadBalancer) and
// waits until the instance shows none. An instance without one is
// returned unchanged.
func (c *Client) DetachBandwidthPackage(ctx context.Context, id string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "DetachBandwidthPackage", id)
	defer tel.end(&err)

	inst, err := c.current(ctx, "DetachBandwidthPackage", id, opts)
	if err != nil || inst.BandwidthPackageID == "" {
		return inst, err
	}
	bwp := inst.BandwidthPackageID
	return c.change(ctx, waitSpec{op: "DetachCommonBandwidthPackageFromLoadBalancer", id: id, waiting: "Active without " + bwp, full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.DetachCommonBandwidthPackageFromLoadBalancerWithContext(ctx, &albsdk.DetachCommonBandwidthPackageFromLoadBalancerRequest{
				RegionId: tea.String(c.region), LoadBalancerId: tea.String(id), BandwidthPackageId: tea.String(bwp), ClientToken: tea.String(token)}, c.runtime)
			return err
		},
		func(i *Instance) bool { return i.BandwidthPackageID == "" })
}

// EnableIPv6Internet gives the dual-stack instance's IPv6 addresses
// Internet access (EnableLoadBalancerIpv6Internet) and waits until it
// reports Ipv6AddressType Internet. An IPv4 instance is refused: it cannot
// be upgraded to dual-stack; create a new dual-stack instance.
func (c *Client) EnableIPv6Internet(ctx context.Context, id string, opts ...WaitOption) (*Instance, error) {
	return c.setIPv6Internet(ctx, id, true, opts)
}

// DisableIPv6Internet makes the dual-stack instance's IPv6 addresses
// private again (DisableLoadBalancerIpv6Internet) and waits until it
// reports Ipv6AddressType Intranet.
func (c *Client) DisableIPv6Internet(ctx context.Context, id string, opts ...WaitOption) (*Instance, error) {
	return c.setIPv6Internet(ctx, id, false, opts)
}

// refuseIPv4 is the documented answer to IPv6 on an IPv4 instance.
func refuseIPv4(op, id string) *RefusedError {
	return &RefusedError{Operation: op, ID: id, Field: "IPVersion", Rule: RuleIPv6NeedsDualStack,
		Reason:  "the instance is IPv4, and an existing IPv4 instance cannot be upgraded to dual-stack",
		Instead: "create a new dual-stack instance (IPVersion DualStack, on vSwitches with IPv6 enabled) and move the traffic to it"}
}

func (c *Client) setIPv6Internet(ctx context.Context, id string, on bool, opts []WaitOption) (_ *Instance, err error) {
	action, want := "DisableLoadBalancerIpv6Internet", "Intranet"
	if on {
		action, want = "EnableLoadBalancerIpv6Internet", "Internet"
	}
	name := "DisableIPv6Internet"
	if on {
		name = "EnableIPv6Internet"
	}
	ctx, tel := c.operation(ctx, name, id)
	defer tel.end(&err)
	inst, err := c.current(ctx, name, id, opts)
	switch {
	case err != nil:
		return nil, err
	case inst.IPVersion != DualStack:
		return nil, refuseIPv4(name, id)
	case inst.IPv6AddressType == want:
		return inst, nil
	}
	return c.change(ctx, waitSpec{op: action, id: id, waiting: "Active with IPv6 " + want, full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			// The pinned SDK has no model for these two actions: they are
			// sent through its generic RPC call.
			return rawRPC(ctx, sdk, c.runtime, action, map[string]any{"LoadBalancerId": id, "ClientToken": token})
		},
		func(i *Instance) bool { return i.IPv6AddressType == want })
}

// rawRPC sends an ALB action the SDK has no model for (or whose model
// lacks a parameter), with the SDK's signing and transport.
func rawRPC(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, action string, query map[string]any) error {
	params := &openapiutil.Params{
		Action: dara.String(action), Version: dara.String("2020-06-16"), Protocol: dara.String("HTTPS"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"), Style: dara.String("RPC"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	_, err := sdk.CallApiWithCtx(ctx, params, &openapiutil.OpenApiRequest{Query: openapiutil.Query(query)}, rt)
	return err
}

// MoveResourceGroup moves the instance to another resource group
// (MoveResourceGroup, which takes no ClientToken: moving to a group is
// idempotent) and waits until the instance shows it.
func (c *Client) MoveResourceGroup(ctx context.Context, id, groupID string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "MoveResourceGroup", id)
	defer tel.end(&err)

	if err := checkCall("MoveResourceGroup", id, opts); err != nil {
		return nil, err
	}
	if groupID == "" {
		return nil, &ArgumentError{Operation: "MoveResourceGroup", Argument: "groupID", Message: "is required"}
	}
	if err := fieldsOnly(InstanceSpec{ResourceGroupID: groupID}, "ResourceGroupID"); err != nil {
		return nil, err
	}
	inst, err := c.Get(ctx, id)
	if err != nil || inst.ResourceGroupID == groupID {
		return inst, err
	}
	return c.change(ctx, waitSpec{op: "MoveResourceGroup", id: id, waiting: "Active in " + groupID, full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, _ string) error {
			_, err := sdk.MoveResourceGroupWithContext(ctx, &albsdk.MoveResourceGroupRequest{ResourceType: tea.String("loadbalancer"),
				ResourceId: tea.String(id), NewResourceGroupId: tea.String(groupID)}, c.runtime)
			return err
		},
		func(i *Instance) bool { return i.ResourceGroupID == groupID })
}

// zoneWire is one ZoneMappings entry of UpdateLoadBalancerZones with the
// AllocationId the SDK model lacks (the API takes it for a new zone).
type zoneWire struct {
	ZoneID          string `json:"ZoneId"`
	VSwitchID       string `json:"VSwitchId"`
	AllocationID    string `json:"AllocationId,omitempty"`
	EIPType         string `json:"EipType,omitempty"`
	IntranetAddress string `json:"IntranetAddress,omitempty"`
}

// UpdateZones sets the instance's zones to zones (UpdateLoadBalancerZones
// with the full list) and waits until the instance shows exactly them.
// At least two zones stay (one in a region where DescribeZones lists a
// single ALB zone; fewer is a *ValidationError, rule zones-min-2, before
// any write); a kept zone keeps its vSwitch; a new zone's
// vSwitch passes the network checks with live facts (VPC, zone, status,
// free addresses, IPv6 for a dual-stack instance), and its EIP, if named,
// the EIP checks. A new Internet zone without an EIP gets an
// auto-assigned one; a removed zone's auto-assigned EIP is released and a
// user's EIP disassociated. EIPs of kept zones are not changed here: see
// [Client.BindEIP] (UpdateLoadBalancerZones refuses them with
// OperationDenied.ZoneMappingsNotChanged, the Terraform provider's bug
// #9309).
func (c *Client) UpdateZones(ctx context.Context, id string, zones []ZoneMapping, opts ...WaitOption) (*Instance, error) {
	return c.updateZones(ctx, id, zones, opts, nil)
}

// updateZones is UpdateZones with the vSwitch and EIP facts an Ensure plan
// gathered (nil: read them).
func (c *Client) updateZones(ctx context.Context, id string, zones []ZoneMapping, opts []WaitOption, f *Facts) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "UpdateZones", id)
	defer tel.end(&err)

	inst, err := c.current(ctx, "UpdateZones", id, opts)
	if err != nil {
		return nil, err
	}
	single, err := c.zoneAllowance(ctx, len(zones))
	if err != nil {
		return nil, err
	}
	target := specFromInstanceZones(inst, zones)
	if err := zoneFields(target, single); err != nil {
		return nil, err
	}
	cur := map[string]InstanceZone{}
	for _, z := range inst.Zones {
		cur[z.ZoneID] = z
	}
	var added []int
	same := len(zones) == len(inst.Zones)
	for i, z := range zones {
		old, kept := cur[z.ZoneID]
		if !kept {
			added = append(added, i)
			same = false
			continue
		}
		if old.VSwitchID != z.VSwitchID {
			return nil, &RefusedError{Operation: "UpdateZones", ID: id, Field: fmt.Sprintf("ZoneMappings[%d].VSwitchID", i), Rule: RuleZoneVSwitchChanged,
				Reason:  fmt.Sprintf("zone %s uses vSwitch %s; the vSwitch of a zone cannot be changed (OperationDenied.ZoneVSwitchChanged)", z.ZoneID, old.VSwitchID),
				Instead: "remove the zone, then add it back with the new vSwitch"}
		}
		if z.IntranetAddress != "" && z.IntranetAddress != zoneIntranet(old) {
			same = false
		}
		if z.AllocationID != "" && z.AllocationID != zoneEIP(old) {
			return nil, &RefusedError{Operation: "UpdateZones", ID: id, Field: fmt.Sprintf("ZoneMappings[%d].AllocationID", i), Rule: RuleImmutable,
				Reason:  "UpdateLoadBalancerZones does not rebind the EIP of a kept zone (it answers OperationDenied.ZoneMappingsNotChanged)",
				Instead: "use BindEIP (UpdateLoadBalancerAddressTypeConfig)"}
		}
	}
	if same {
		return inst, nil
	}
	if err := c.checkNewZones(ctx, target, added, f); err != nil {
		return nil, err
	}
	want := slices.Clone(zones)
	return c.change(ctx, waitSpec{op: "UpdateLoadBalancerZones", id: id, waiting: "Active in the new zones", full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			var wire []zoneWire
			for _, z := range want {
				w := zoneWire{ZoneID: z.ZoneID, VSwitchID: z.VSwitchID, IntranetAddress: z.IntranetAddress}
				if _, kept := cur[z.ZoneID]; !kept && inst.AddressType == Internet {
					w.AllocationID, w.EIPType = z.AllocationID, string(z.EIPType)
				}
				wire = append(wire, w)
			}
			return rawRPC(ctx, sdk, c.runtime, "UpdateLoadBalancerZones", map[string]any{"LoadBalancerId": id, "ClientToken": token, "ZoneMappings": wire})
		},
		func(i *Instance) bool { return zonesShow(i, want) })
}

// zonesShow reports whether the instance has exactly the zones of want
// (with their vSwitches and any fixed intranet address).
func zonesShow(i *Instance, want []ZoneMapping) bool {
	if len(i.Zones) != len(want) {
		return false
	}
	have := map[string]InstanceZone{}
	for _, z := range i.Zones {
		have[z.ZoneID] = z
	}
	for _, z := range want {
		h, ok := have[z.ZoneID]
		if !ok || h.VSwitchID != z.VSwitchID || z.IntranetAddress != "" && zoneIntranet(h) != z.IntranetAddress {
			return false
		}
	}
	return true
}

func zoneIntranet(z InstanceZone) string {
	if len(z.Addresses) == 0 {
		return ""
	}
	return z.Addresses[0].IntranetAddress
}

func zoneEIP(z InstanceZone) string {
	if len(z.Addresses) == 0 {
		return ""
	}
	return z.Addresses[0].AllocationID
}

func zoneEIPType(z InstanceZone) eip.Type {
	if len(z.Addresses) == 0 {
		return ""
	}
	return z.Addresses[0].EIPType
}

// specFromInstanceZones is the instance's spec with zones replaced.
func specFromInstanceZones(inst *Instance, zones []ZoneMapping) InstanceSpec {
	s := SpecFromInstance(inst)
	s.ZoneMappings = slices.Clone(zones)
	return s
}

// AddZone adds one zone to the instance (see [Client.UpdateZones]). A
// zone the instance has already with that vSwitch (and EIP, if named) is
// added already: the instance is returned unchanged; the same zone with
// another vSwitch is refused (RuleZoneVSwitchChanged).
func (c *Client) AddZone(ctx context.Context, id string, zone ZoneMapping, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "AddZone", id)
	defer tel.end(&err)

	inst, err := c.current(ctx, "AddZone", id, opts)
	if err != nil {
		return nil, err
	}
	for _, z := range inst.Zones {
		if z.ZoneID == zone.ZoneID && z.VSwitchID == zone.VSwitchID && (zone.AllocationID == "" || zone.AllocationID == zoneEIP(z)) {
			return inst, nil // added already
		}
	}
	return c.UpdateZones(ctx, id, append(keptZones(inst, zone.ZoneID), zone), opts...)
}

// RemoveZone removes one zone from the instance (see [Client.UpdateZones]);
// at least two zones stay (one in a single-zone region), else it is a
// *RefusedError (rule zones-min-2). A zone the instance does not have is
// removed already: the instance is returned unchanged.
func (c *Client) RemoveZone(ctx context.Context, id, zoneID string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "RemoveZone", id)
	defer tel.end(&err)

	inst, err := c.current(ctx, "RemoveZone", id, opts)
	if err != nil {
		return nil, err
	}
	kept := keptZones(inst, zoneID)
	if len(kept) == len(inst.Zones) {
		return inst, nil // removed already
	}
	single, err := c.zoneAllowance(ctx, len(kept))
	if err != nil {
		return nil, err
	}
	if least := minZones(single); len(kept) < least {
		return nil, &RefusedError{Operation: "RemoveZone", ID: id, Field: "ZoneMappings", Rule: RuleZonesMin,
			Reason:  fmt.Sprintf("removing %s would leave %d zone(s); at least %d stay", zoneID, len(kept), least),
			Instead: "add another zone first"}
	}
	return c.UpdateZones(ctx, id, kept, opts...)
}

// keptZones lists the instance's zones except drop, as mappings.
func keptZones(inst *Instance, drop string) []ZoneMapping {
	var out []ZoneMapping
	for _, z := range inst.Zones {
		if z.ZoneID != drop {
			out = append(out, Zone(z.ZoneID, z.VSwitchID))
		}
	}
	return out
}

// checkNewZones runs the network and EIP fact rules on the zones of target
// at the indices added, with the live vSwitch and EIP facts of f (nil:
// read them).
func (c *Client) checkNewZones(ctx context.Context, target InstanceSpec, added []int, f *Facts) error {
	if len(added) == 0 {
		return nil
	}
	if f == nil {
		var err error
		if f, err = c.networkFacts(ctx, newZoneIDs(target, added)); err != nil {
			return err
		}
	}
	return newZoneViolations(target, added, *f)
}

// newZoneIDs are the vSwitches and EIPs of the zones of target at the
// indices added.
func newZoneIDs(target InstanceSpec, added []int) factNeeds {
	var n factNeeds
	for _, i := range added {
		n.vswitches = append(n.vswitches, target.ZoneMappings[i].VSwitchID)
		if a := target.ZoneMappings[i].AllocationID; a != "" {
			n.eips = append(n.eips, a)
		}
	}
	return n
}

// networkFacts reads the vSwitch and EIP facts of n (DescribeVSwitches,
// DescribeEipAddresses); each kind only when n names some.
func (c *Client) networkFacts(ctx context.Context, n factNeeds) (*Facts, error) {
	facts := &Facts{SingleZoneRegion: true, VSwitches: map[string]network.VSwitch{}, EIPs: map[string]eip.Address{}}
	if len(n.vswitches) > 0 {
		err := c.do(ctx, "DescribeVSwitches", true, func(ctx context.Context) error {
			list, err := c.cloud.VPC.ListVSwitches(ctx, "", n.vswitches...)
			if err != nil {
				return err
			}
			for _, v := range list {
				f, ferr := cloudapi.VSwitchFacts(v)
				if ferr != nil {
					return ferr
				}
				facts.VSwitches[f.ID] = f
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(n.eips) > 0 {
		list, err := c.listEIPs(ctx, n.eips)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			f := cloudapi.EIPFacts(e)
			facts.EIPs[f.AllocationID] = f
		}
	}
	return facts, nil
}

// newZoneViolations applies the network and EIP fact rules to the zones
// of target at the indices added (the warning of
// network.RuleAutoScalingAddresses aside).
func newZoneViolations(target InstanceSpec, added []int, facts Facts) error {
	v := &violations{}
	target.checkFacts(v, facts)
	var only []*FieldError
	for _, fe := range v.list {
		for _, i := range added {
			if strings.HasPrefix(fe.Field, fmt.Sprintf("ZoneMappings[%d].", i)) && fe.Rule != network.RuleAutoScalingAddresses {
				only = append(only, fe)
			}
		}
	}
	if len(only) > 0 {
		return &ValidationError{Errors: only}
	}
	return nil
}

// UpdateAddressType changes the address type (Internet ↔ Intranet) or, on
// an Internet-facing instance, rebinds EIPs, through
// UpdateLoadBalancerAddressTypeConfig (never UpdateLoadBalancerZones,
// which refuses EIP changes: the Terraform provider's bug #9309). eips maps
// a zone ID to the EIP to bind there; going Internet, a zone without an
// entry gets an auto-assigned EIP. It waits until the instance shows the
// address type and every EIP asked for. Going Intranet, every EIP leaves
// the instance (auto-assigned ones are released); an instance with a
// shared bandwidth package is refused: detach it first.
func (c *Client) UpdateAddressType(ctx context.Context, id string, to AddressType, eips map[string]string, opts ...WaitOption) (*Instance, error) {
	return c.updateAddressType(ctx, id, to, eips, opts, nil)
}

// updateAddressType is UpdateAddressType with the EIP facts an Ensure plan
// gathered (nil: read them).
func (c *Client) updateAddressType(ctx context.Context, id string, to AddressType, eips map[string]string, opts []WaitOption, f *Facts) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "UpdateAddressType", id)
	defer tel.end(&err)

	if !to.Valid() {
		return nil, &ValidationError{Errors: []*FieldError{{Field: "AddressType", Rule: RuleAddressTypeEnum, Message: fmt.Sprintf("address type %q is not Internet or Intranet", to)}}}
	}
	inst, err := c.current(ctx, "UpdateAddressType", id, opts)
	if err != nil {
		return nil, err
	}
	zones := map[string]InstanceZone{}
	for _, z := range inst.Zones {
		zones[z.ZoneID] = z
	}
	var fes []*FieldError
	changed := false
	for _, zid := range slices.Sorted(mapKeys(eips)) {
		alloc := eips[zid]
		f := "ZoneMappings[" + zid + "].AllocationID"
		z, ok := zones[zid]
		switch {
		case !ok:
			fes = append(fes, &FieldError{Field: f, Rule: RuleZoneUnknown, Message: "zone " + zid + " is not a zone of the instance"})
		case to != Internet:
			fes = append(fes, &FieldError{Field: f, Rule: RuleEIPInternetOnly, Message: "an EIP can be associated only with an Internet-facing instance"})
		case fieldsOnly(InstanceSpec{ZoneMappings: []ZoneMapping{{ZoneID: zid, VSwitchID: "vsw-x", AllocationID: alloc}}}, "ZoneMappings[0].AllocationID") != nil:
			fes = append(fes, &FieldError{Field: f, Rule: RuleEIPIDFormat, Message: fmt.Sprintf("%q is not an EIP allocation ID (eip-… or aeip-…)", alloc)})
		case zoneEIP(z) != alloc:
			changed = true
		}
	}
	if len(fes) > 0 {
		return nil, &ValidationError{Errors: fes}
	}
	if inst.AddressType == to && !changed {
		return inst, nil
	}
	if to == Intranet && inst.BandwidthPackageID != "" {
		return nil, &RefusedError{Operation: "UpdateAddressType", ID: id, Field: "AddressType", Rule: RuleBandwidthInternetOnly,
			Reason: "the instance is associated with the Internet Shared Bandwidth instance " + inst.BandwidthPackageID, Instead: "detach it first"}
	}
	if len(eips) > 0 {
		var ids []string
		for _, zid := range slices.Sorted(mapKeys(eips)) {
			if zoneEIP(zones[zid]) != eips[zid] {
				ids = append(ids, eips[zid])
			}
		}
		if err := c.checkEIPs(ctx, ids, f); err != nil {
			return nil, err
		}
	}
	asked := maps2(eips)
	return c.change(ctx, waitSpec{op: "UpdateLoadBalancerAddressTypeConfig", id: id, waiting: "Active as " + string(to), full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			req := &albsdk.UpdateLoadBalancerAddressTypeConfigRequest{LoadBalancerId: tea.String(id), AddressType: tea.String(string(to)), ClientToken: tea.String(token)}
			for _, zid := range slices.Sorted(mapKeys(asked)) {
				req.ZoneMappings = append(req.ZoneMappings, &albsdk.UpdateLoadBalancerAddressTypeConfigRequestZoneMappings{
					ZoneId: tea.String(zid), VSwitchId: tea.String(zones[zid].VSwitchID), AllocationId: tea.String(asked[zid])})
			}
			_, err := sdk.UpdateLoadBalancerAddressTypeConfigWithContext(ctx, req, c.runtime)
			return err
		},
		func(i *Instance) bool {
			if i.AddressType != to {
				return false
			}
			for _, z := range i.Zones {
				if a, ok := asked[z.ZoneID]; ok && zoneEIP(z) != a {
					return false
				}
			}
			return true
		})
}

// checkEIPs runs the EIP eligibility rules on the EIPs about to be bound,
// with the EIP facts of f (nil: read them).
func (c *Client) checkEIPs(ctx context.Context, ids []string, f *Facts) error {
	if len(ids) == 0 {
		return nil
	}
	if f == nil {
		var err error
		if f, err = c.networkFacts(ctx, factNeeds{eips: ids}); err != nil {
			return err
		}
	}
	return eipViolations(ids, f.EIPs)
}

// eipViolations applies the EIP eligibility rules to the EIPs ids, whose
// facts are got.
func eipViolations(ids []string, got map[string]eip.Address) error {
	var fes []*FieldError
	for _, id := range ids {
		a, ok := got[id]
		if !ok {
			fes = append(fes, &FieldError{Field: "AllocationID", Rule: RuleEIPExists, Message: "EIP " + id + " was not found"})
			continue
		}
		for _, e := range eip.CheckEligible(a) {
			var ev *eip.Violation
			rule := RuleEIPExists
			if errors.As(e, &ev) {
				rule = ev.Rule
			}
			fes = append(fes, &FieldError{Field: "AllocationID", Rule: rule, Message: id + ": " + e.Error()})
		}
	}
	if len(fes) > 0 {
		return &ValidationError{Errors: fes}
	}
	return nil
}

// BindEIP binds the EIP allocationID in zoneID of an Internet-facing
// instance (UpdateLoadBalancerAddressTypeConfig with
// ZoneMappings.AllocationId) and waits until the zone shows it. The EIP it
// replaces is released if ALB assigned it, disassociated otherwise.
func (c *Client) BindEIP(ctx context.Context, id, zoneID, allocationID string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "BindEIP", id)
	defer tel.end(&err)

	inst, err := c.current(ctx, "BindEIP", id, opts)
	if err != nil {
		return nil, err
	}
	if inst.AddressType != Internet {
		return nil, &RefusedError{Operation: "BindEIP", ID: id, Field: "AddressType", Rule: RuleEIPInternetOnly,
			Reason: "an EIP can be associated only with an Internet-facing instance", Instead: "use UpdateAddressType to go Internet with this EIP"}
	}
	return c.UpdateAddressType(ctx, id, Internet, map[string]string{zoneID: allocationID}, opts...)
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func maps2(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
