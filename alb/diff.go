package alb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/waf"
)

// Change is one in-place change [Diff] found: what differs, the API calls
// that make it and their side effects. [Client.Ensure] applies the changes
// of a plan in their order.
type Change struct {
	// Field is the spec field, e.g. "Name", "Tags", "ZoneMappings".
	Field string
	// From and To describe the current and the wanted value.
	From, To string
	// Calls are the API actions the change sends, in order.
	Calls []string
	// SideEffects are the billed or visible effects beyond the field
	// itself (an EIP assigned or released, WAF 3.0 billing, ...).
	SideEffects []string

	// apply makes the change, with the live facts the plan gathered (nil:
	// the operation reads its own).
	apply func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error
	// needs are the live facts the change's own checks read, and refuse
	// decides those checks from them (nil when it has none): a plan
	// gathers them once and decides every such refusal before the first
	// write ([Client.PlanEnsure], [Client.Ensure]).
	needs  factNeeds
	refuse func(f *Facts) error
}

// String is one line: field, from → to, calls.
func (ch Change) String() string {
	s := fmt.Sprintf("%s: %s → %s (%s)", ch.Field, orDash(ch.From), orDash(ch.To), strings.Join(ch.Calls, ", "))
	for _, e := range ch.SideEffects {
		s += "\n      side effect: " + e
	}
	return s
}

// Difference is a difference that cannot be made in place, or a change
// that live facts refuse (Err set).
type Difference struct {
	Field    string // spec field
	From, To string // current and wanted value
	Rule     string // one of the Rule* constants (or of packages network, eip, waf)
	Reason   string // why it cannot be changed
	Instead  string // what to do instead
	// Err, for a change the live facts refuse ([Client.PlanEnsure]), is
	// the error [Client.Ensure] returns for it before any write: a
	// *RefusedError (a WAF 2.0 instance, ...) or a *ValidationError (a new
	// zone's vSwitch or EIP). nil for what cannot change in place.
	Err error
}

// String is one line: field, from → to, reason and what to do instead.
func (d Difference) String() string {
	if d.Err != nil {
		return fmt.Sprintf("%s: %s → %s refused: %s [%s]; instead: %s", d.Field, orDash(d.From), orDash(d.To), d.Reason, d.Rule, orDash(d.Instead))
	}
	return fmt.Sprintf("%s: %s → %s cannot be changed in place: %s; instead: %s", d.Field, orDash(d.From), orDash(d.To), d.Reason, d.Instead)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Plan is the result of [Diff]: the ordered in-place changes and the
// differences that cannot be made in place. [Client.PlanEnsure] adds to
// Blocked the changes that live facts refuse.
type Plan struct {
	ID      string       // the instance
	Changes []Change     // in the order Ensure applies them
	Blocked []Difference // differences no in-place change can make, and changes live facts refuse
	inst    *Instance
}

// Empty reports whether the instance already matches the spec (false for
// a nil plan: there was no instance to match).
func (p *Plan) Empty() bool { return p != nil && len(p.Changes) == 0 && len(p.Blocked) == 0 }

// String lists the plan, one change or difference per line.
func (p *Plan) String() string {
	if p == nil {
		return "no instance to compare"
	}
	if p.Empty() {
		return p.ID + ": no change"
	}
	var b strings.Builder
	b.WriteString(p.ID + ":")
	for _, ch := range p.Changes {
		b.WriteString("\n  ~ " + ch.String())
	}
	for _, d := range p.Blocked {
		b.WriteString("\n  ! " + d.String())
	}
	return b.String()
}

// Diff compares spec with the instance and returns what would make the
// instance match it. It is pure: no API call.
//
// Normalisation, so that an instance created from spec and left alone
// diffs empty:
//   - empty Name, ResourceGroupID and AddressAllocatedMode leave the
//     service's value; empty IPVersion is IPv4; empty EIPType is Common;
//   - a zone without AllocationID on an Internet-facing instance is
//     satisfied by any EIP (ALB assigns one); an empty IntranetAddress by
//     any address;
//   - tags whose key starts with "albkit:" (albkit's own), "acs:" or
//     "aliyun" (the system's) are ignored; the spec's other tags are the
//     instance's complete set of user tags;
//   - BandwidthPackageID, DeletionProtection, ReadOnly, IPv6Internet and
//     AccessLog are declarative: empty or false means none or off.
//
// Changes come in a safe order: name, resource group, tags, edition,
// bandwidth package detach, address type and zones (zones first when going
// or staying Internet-facing, address type first when going Intranet),
// EIP rebinding, bandwidth package attach, IPv6, deletion protection,
// read-only mode, access log (disabled, then enabled at its new
// destination, in one change). VPC, IP version, address allocation mode, security
// groups, a zone's vSwitch and an edition downgrade cannot be changed in
// place: they are in Blocked with the reason and what to do instead.
//
// A nil instance gives a nil plan: there is nothing to compare
// ([Client.PlanEnsure] plans the create of a missing instance).
func Diff(spec InstanceSpec, inst *Instance) *Plan {
	if inst == nil {
		return nil
	}
	p := &Plan{ID: inst.ID, inst: inst}
	block := func(field, from, to, rule, reason, instead string) {
		p.Blocked = append(p.Blocked, Difference{Field: field, From: from, To: to, Rule: rule, Reason: reason, Instead: instead})
	}
	add := func(ch Change) { p.Changes = append(p.Changes, ch) }

	// What cannot change.
	if spec.VPCID != inst.VPCID {
		block("VPCID", inst.VPCID, spec.VPCID, RuleImmutable, "the VPC of an instance is fixed at creation", "create a new instance in the other VPC")
	}
	if want := spec.ipVersion(); want != inst.IPVersion {
		r := refuseIPv4("Diff", inst.ID)
		if inst.IPVersion == DualStack {
			r.Reason, r.Instead = "the IP version of an instance is fixed at creation", "create a new IPv4 instance"
		}
		block("IPVersion", string(inst.IPVersion), string(want), RuleImmutable, r.Reason, r.Instead)
	}
	if spec.AddressAllocatedMode != "" && spec.AddressAllocatedMode != inst.AddressAllocatedMode {
		block("AddressAllocatedMode", string(inst.AddressAllocatedMode), string(spec.AddressAllocatedMode), RuleImmutable,
			"the address allocation mode is fixed at creation", "create a new instance with this mode, or leave the field empty")
	}
	if !sameSet(spec.SecurityGroupIDs, inst.SecurityGroupIDs) {
		block("SecurityGroupIDs", strings.Join(inst.SecurityGroupIDs, ","), strings.Join(spec.SecurityGroupIDs, ","), RuleImmutable,
			"albkit does not change the security groups of an existing instance", "change them in the console, or create a new instance")
	}
	if spec.IPv6Internet && spec.ipVersion() != DualStack {
		r := refuseIPv4("Diff", inst.ID)
		block("IPv6Internet", "", "true", RuleIPv6NeedsDualStack, r.Reason, r.Instead)
	}

	// Name, resource group, tags.
	if spec.Name != "" && spec.Name != inst.Name {
		name := spec.Name
		add(Change{Field: "Name", From: inst.Name, To: name, Calls: []string{"UpdateLoadBalancerAttribute"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				_, err := c.Rename(ctx, id, name, w...)
				return err
			}})
	}
	if spec.ResourceGroupID != "" && spec.ResourceGroupID != inst.ResourceGroupID {
		rg := spec.ResourceGroupID
		add(Change{Field: "ResourceGroupID", From: inst.ResourceGroupID, To: rg, Calls: []string{"MoveResourceGroup"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				_, err := c.MoveResourceGroup(ctx, id, rg, w...)
				return err
			}})
	}
	have := userTags(inst.Tags)
	var drop []string
	for _, t := range have {
		if _, ok := tagLookup(spec.Tags, t.Key); !ok {
			drop = append(drop, t.Key)
		}
	}
	var set []Tag
	for _, t := range spec.Tags {
		if v, ok := tagLookup(have, t.Key); !ok || v != t.Value {
			set = append(set, t)
		}
	}
	if len(drop) > 0 {
		add(Change{Field: "Tags", From: strings.Join(drop, ","), To: "(removed)", Calls: []string{"UnTagResources"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				_, err := c.RemoveTags(ctx, id, drop, w...)
				return err
			}})
	}
	if len(set) > 0 {
		add(Change{Field: "Tags", From: tagsString(have, set), To: tagsString(set, nil), Calls: []string{"TagResources"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				_, err := c.AddTags(ctx, id, set, w...)
				return err
			}})
	}

	// Edition.
	if spec.Edition != inst.Edition && spec.Edition.Valid() {
		to := spec.Edition
		if !inst.Edition.CanUpgradeTo(to) {
			block("Edition", string(inst.Edition), string(to), RuleEditionDowngrade,
				"an instance cannot go down to Basic (the API answers OperationDenied.Downgrade)", "create a new "+string(to)+" instance and move the traffic to it")
		} else {
			ch := Change{Field: "Edition", From: string(inst.Edition), To: string(to), Calls: []string{"UpdateLoadBalancerEdition"},
				apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
					_, err := c.upgradeEdition(ctx, id, to, w, f)
					return err
				}}
			if to == EditionStandardWithWAF {
				ch.Calls = []string{"DescribeInstance (WAF 3.0)", "DescribeInstanceInfo (WAF 2.0)", "UpdateLoadBalancerEdition"}
				ch.SideEffects = []string{"WAF 3.0 protection is billed: without a WAF 3.0 instance in the account a pay-as-you-go one is activated; a WAF 2.0 instance makes the upgrade refused"}
				id := inst.ID
				ch.needs.waf = true
				ch.refuse = func(f *Facts) error {
					if r := wafRefusal("Ensure", id, waf.Decide(*f.WAF)); r != nil {
						return r
					}
					return nil
				}
			}
			add(ch)
		}
	}

	// Bandwidth package, address type and zones.
	wantType := spec.AddressType
	if spec.BandwidthPackageID != inst.BandwidthPackageID && inst.BandwidthPackageID != "" {
		add(Change{Field: "BandwidthPackageID", From: inst.BandwidthPackageID, To: "", Calls: []string{"DetachCommonBandwidthPackageFromLoadBalancer"},
			SideEffects: []string{"the instance's EIPs leave the shared bandwidth and fall back to the default bandwidth, billed by data transfer"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				_, err := c.DetachBandwidthPackage(ctx, id, w...)
				return err
			}})
	}
	addrChange, eipChange := p.addressChanges(spec)
	zoneChange := p.zoneChange(spec)
	if wantType == Intranet {
		addIf(p, addrChange)
		addIf(p, zoneChange)
	} else {
		addIf(p, zoneChange)
		addIf(p, addrChange)
		addIf(p, eipChange)
	}
	if spec.BandwidthPackageID != "" && spec.BandwidthPackageID != inst.BandwidthPackageID {
		bwp := spec.BandwidthPackageID
		add(Change{Field: "BandwidthPackageID", From: inst.BandwidthPackageID, To: bwp, Calls: []string{"AttachCommonBandwidthPackageToLoadBalancer"},
			SideEffects: []string{"the instance's EIPs join the shared bandwidth " + bwp + " and are billed with it"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				_, err := c.AttachBandwidthPackage(ctx, id, bwp, w...)
				return err
			}})
	}

	// IPv6, protection, read-only mode.
	if inst.IPVersion == DualStack && spec.ipVersion() == DualStack {
		on := spec.IPv6Internet
		if cur := inst.IPv6AddressType == "Internet"; cur != on {
			ch := Change{Field: "IPv6Internet", From: fmt.Sprint(cur), To: fmt.Sprint(on), Calls: []string{"DisableLoadBalancerIpv6Internet"},
				SideEffects: []string{"the IPv6 addresses become private: IPv6 clients on the Internet lose access"},
				apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
					_, err := c.DisableIPv6Internet(ctx, id, w...)
					return err
				}}
			if on {
				ch.Calls, ch.SideEffects = []string{"EnableLoadBalancerIpv6Internet"}, []string{"the IPv6 addresses become reachable from the Internet"}
				ch.apply = func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
					_, err := c.EnableIPv6Internet(ctx, id, w...)
					return err
				}
			}
			add(ch)
		}
	}
	if spec.DeletionProtection != inst.DeletionProtection {
		on := spec.DeletionProtection
		ch := Change{Field: "DeletionProtection", From: fmt.Sprint(inst.DeletionProtection), To: fmt.Sprint(on), Calls: []string{"DisableDeletionProtection"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				return c.DisableDeletionProtection(ctx, id, w...)
			}}
		if on {
			ch.Calls = []string{"EnableDeletionProtection"}
			ch.apply = func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				return c.EnableDeletionProtection(ctx, id, w...)
			}
		}
		add(ch)
	}
	if spec.ReadOnly.Enabled != inst.ReadOnly.Enabled || spec.ReadOnly.Enabled && spec.ReadOnly.Reason != inst.ReadOnly.Reason {
		mode := spec.ReadOnly
		ch := Change{Field: "ReadOnly", From: readOnlyString(inst.ReadOnly), To: readOnlyString(mode), Calls: []string{"UpdateLoadBalancerAttribute"},
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				return c.DisableReadOnly(ctx, id, w...)
			}}
		if mode.Enabled {
			ch.apply = func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				return c.EnableReadOnly(ctx, id, mode.Reason, w...)
			}
		}
		add(ch)
	}
	addIf(p, accessLogChange(inst.AccessLog, spec.AccessLog))
	return p
}

func addIf(p *Plan, ch *Change) {
	if ch != nil {
		p.Changes = append(p.Changes, *ch)
	}
}

// zoneChange compares the zones by zone ID: zones added or removed, and
// fixed intranet addresses of kept zones, in one UpdateLoadBalancerZones.
func (p *Plan) zoneChange(spec InstanceSpec) *Change {
	inst := p.inst
	cur := map[string]InstanceZone{}
	for _, z := range inst.Zones {
		cur[z.ZoneID] = z
	}
	want := map[string]bool{}
	var target []ZoneMapping
	var added, removed, readdr []string
	var addedAt []int // indices in target of the zones added
	var effects []string
	internetAfter := spec.AddressType == Internet && inst.AddressType == Internet
	for _, z := range spec.ZoneMappings {
		want[z.ZoneID] = true
		old, kept := cur[z.ZoneID]
		if !kept {
			added = append(added, z.ZoneID+"/"+z.VSwitchID)
			addedAt = append(addedAt, len(target))
			m := z
			if !internetAfter { // EIPs come with the address type change
				m.AllocationID, m.EIPType = "", ""
			}
			target = append(target, m)
			switch {
			case internetAfter && z.AllocationID == "":
				effects = append(effects, "zone "+z.ZoneID+" gets an automatically assigned pay-as-you-go EIP (billed by data transfer, released with the instance)")
			case internetAfter:
				effects = append(effects, "EIP "+z.AllocationID+" is associated in zone "+z.ZoneID)
			}
			effects = append(effects, "zone "+z.ZoneID+" takes addresses from vSwitch "+z.VSwitchID)
			continue
		}
		if old.VSwitchID != z.VSwitchID {
			p.Blocked = append(p.Blocked, Difference{Field: "ZoneMappings[" + z.ZoneID + "].VSwitchID", From: old.VSwitchID, To: z.VSwitchID,
				Rule: RuleZoneVSwitchChanged, Reason: "the vSwitch of a zone cannot be changed (OperationDenied.ZoneVSwitchChanged)",
				Instead: "remove the zone from the spec, Ensure, then add it back with the new vSwitch"})
			target = append(target, Zone(z.ZoneID, old.VSwitchID))
			continue
		}
		m := Zone(z.ZoneID, z.VSwitchID)
		if z.IntranetAddress != "" && z.IntranetAddress != zoneIntranet(old) {
			m.IntranetAddress = z.IntranetAddress
			readdr = append(readdr, z.ZoneID+"="+z.IntranetAddress)
		}
		target = append(target, m)
	}
	for _, z := range inst.Zones {
		if !want[z.ZoneID] {
			removed = append(removed, z.ZoneID)
			if a := zoneEIP(z); a != "" && inst.AddressType == Internet {
				effects = append(effects, "EIP "+a+" of zone "+z.ZoneID+" leaves the instance (released if ALB assigned it, disassociated otherwise)")
			}
		}
	}
	if len(added)+len(removed)+len(readdr) == 0 {
		return nil
	}
	var from, to []string
	for _, z := range inst.Zones {
		from = append(from, z.ZoneID)
	}
	for _, z := range target {
		to = append(to, z.ZoneID)
	}
	desc := strings.Join(to, ",")
	if len(readdr) > 0 {
		desc += " (intranet " + strings.Join(readdr, ",") + ")"
	}
	zones := slices.Clone(target)
	spec2 := specFromInstanceZones(inst, zones) // what UpdateZones checks the new zones of
	return &Change{Field: "ZoneMappings", From: strings.Join(from, ","), To: desc, Calls: []string{"DescribeVSwitches", "UpdateLoadBalancerZones"}, SideEffects: effects,
		needs:  newZoneIDs(spec2, addedAt),
		refuse: func(f *Facts) error { return newZoneViolations(spec2, addedAt, *f) },
		apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
			_, err := c.updateZones(ctx, id, zones, w, f)
			return err
		}}
}

// addressChanges returns the address type change and, staying
// Internet-facing, the EIP rebinding of kept zones; both through
// UpdateLoadBalancerAddressTypeConfig.
func (p *Plan) addressChanges(spec InstanceSpec) (typeChange, eipChange *Change) {
	inst := p.inst
	if !spec.AddressType.Valid() {
		return nil, nil
	}
	cur := map[string]InstanceZone{}
	for _, z := range inst.Zones {
		cur[z.ZoneID] = z
	}
	if spec.AddressType != inst.AddressType {
		to := spec.AddressType
		eips := map[string]string{}
		var effects []string
		if to == Internet {
			for _, z := range spec.ZoneMappings {
				if z.AllocationID != "" {
					eips[z.ZoneID] = z.AllocationID
					effects = append(effects, "EIP "+z.AllocationID+" is associated in zone "+z.ZoneID)
				} else {
					effects = append(effects, "zone "+z.ZoneID+" gets an automatically assigned pay-as-you-go EIP (billed by data transfer)")
				}
			}
			effects = append(effects, "the DNS name resolves to public addresses")
		} else {
			effects = append(effects, "every EIP leaves the instance (released if ALB assigned it, disassociated otherwise); the DNS name resolves to private addresses")
		}
		ch := &Change{Field: "AddressType", From: string(inst.AddressType), To: string(to), Calls: []string{"UpdateLoadBalancerAddressTypeConfig"}, SideEffects: effects,
			apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
				_, err := c.updateAddressType(ctx, id, to, eips, w, f)
				return err
			}}
		ch.checkEIPs(eips)
		return ch, nil
	}
	if inst.AddressType != Internet {
		return nil, nil
	}
	eips := map[string]string{}
	var from, to, effects []string
	for _, z := range spec.ZoneMappings {
		old, kept := cur[z.ZoneID]
		if !kept || old.VSwitchID != z.VSwitchID {
			continue
		}
		if z.AllocationID != "" && z.AllocationID != zoneEIP(old) {
			eips[z.ZoneID] = z.AllocationID
			from = append(from, z.ZoneID+"="+orDash(zoneEIP(old)))
			to = append(to, z.ZoneID+"="+z.AllocationID)
			effects = append(effects, "EIP "+orDash(zoneEIP(old))+" of zone "+z.ZoneID+" leaves the instance (released if ALB assigned it, disassociated otherwise)")
		} else if z.AllocationID == "" && z.EIPType != "" && z.EIPType != effectiveType(zoneEIPType(old)) {
			p.Blocked = append(p.Blocked, Difference{Field: "ZoneMappings[" + z.ZoneID + "].EIPType", From: string(zoneEIPType(old)), To: string(z.EIPType),
				Rule: RuleImmutable, Reason: "the EIP type changes only with the EIP", Instead: "name an EIP of that type in AllocationID"})
		}
	}
	if len(eips) == 0 {
		return nil, nil
	}
	ch := &Change{Field: "ZoneMappings.AllocationID", From: strings.Join(from, ","), To: strings.Join(to, ","),
		Calls: []string{"DescribeEipAddresses", "UpdateLoadBalancerAddressTypeConfig"}, SideEffects: effects,
		apply: func(ctx context.Context, c *Client, id string, w []WaitOption, f *Facts) error {
			_, err := c.updateAddressType(ctx, id, Internet, eips, w, f)
			return err
		}}
	ch.checkEIPs(eips)
	return nil, ch
}

// checkEIPs makes the EIPs a change binds (zone → allocation ID) its live
// checks: the EIP eligibility rules UpdateAddressType applies.
func (ch *Change) checkEIPs(eips map[string]string) {
	var ids []string
	for _, zid := range slices.Sorted(mapKeys(eips)) {
		ids = append(ids, eips[zid])
	}
	if len(ids) == 0 {
		return
	}
	ch.needs.eips = ids
	ch.refuse = func(f *Facts) error { return eipViolations(ids, f.EIPs) }
}

func effectiveType(t eip.Type) eip.Type {
	if t == "" {
		return eip.TypeCommon
	}
	return t
}

// userTags drops albkit's own tags and the system's ("acs:", "aliyun"
// prefixes, which users cannot set or remove).
func userTags(tags []Tag) []Tag {
	var out []Tag
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if !strings.HasPrefix(k, reservedTagPrefix) && !strings.HasPrefix(k, "acs:") && !strings.HasPrefix(k, "aliyun") {
			out = append(out, t)
		}
	}
	return out
}

func tagsString(tags []Tag, only []Tag) string {
	var parts []string
	for _, t := range tags {
		if only != nil {
			if _, ok := tagLookup(only, t.Key); !ok {
				continue
			}
		}
		parts = append(parts, t.Key+"="+t.Value)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

func readOnlyString(m ReadOnlyMode) string {
	if !m.Enabled {
		return "off"
	}
	if m.Reason == "" {
		return "on"
	}
	return "on (" + m.Reason + ")"
}

func sameSet(a, b []string) bool {
	x, y := slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(x, y)
}

// SpecFromInstance reads a spec back from an instance, for cloning, export
// and drift checks: Diff(SpecFromInstance(i), i) is empty.
//
// Every field the service reports is filled in, the service's defaults
// included (Name, ResourceGroupID, AddressAllocatedMode, IPVersion,
// Billing). Each zone names its vSwitch and, on an Internet-facing
// instance, the EIP bound there (GetLoadBalancerAttribute does not say
// whether ALB assigned it: to clone the instance, clear AllocationID);
// EIPType is set only for Anycast; IntranetAddress is left empty (the
// service fills it). Tags are the user tags (not albkit's own);
// IdempotencyKey is the instance's [TokenTagKey] value, if any. A nil
// instance gives the zero InstanceSpec.
func SpecFromInstance(inst *Instance) InstanceSpec {
	if inst == nil {
		return InstanceSpec{}
	}
	s := InstanceSpec{
		Name:                 inst.Name,
		VPCID:                inst.VPCID,
		AddressType:          inst.AddressType,
		IPVersion:            inst.IPVersion,
		Edition:              inst.Edition,
		AddressAllocatedMode: inst.AddressAllocatedMode,
		BandwidthPackageID:   inst.BandwidthPackageID,
		Billing:              PayAsYouGo,
		DeletionProtection:   inst.DeletionProtection,
		ReadOnly:             inst.ReadOnly,
		AccessLog:            inst.AccessLog,
		ResourceGroupID:      inst.ResourceGroupID,
		IPv6Internet:         inst.IPVersion == DualStack && inst.IPv6AddressType == "Internet",
		IdempotencyKey:       inst.Token(),
	}
	if s.IPVersion == "" {
		s.IPVersion = IPv4
	}
	if len(inst.SecurityGroupIDs) > 0 {
		s.SecurityGroupIDs = slices.Clone(inst.SecurityGroupIDs)
	}
	s.Tags = userTags(inst.Tags)
	for _, z := range inst.Zones {
		m := Zone(z.ZoneID, z.VSwitchID)
		if inst.AddressType == Internet {
			m.AllocationID = zoneEIP(z)
			if t := zoneEIPType(z); t != "" && t != eip.TypeCommon {
				m.EIPType = t
			}
		}
		s.ZoneMappings = append(s.ZoneMappings, m)
	}
	return s
}
