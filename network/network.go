package network

import (
	"fmt"
	"net/netip"
	"slices"
)

// Violation is one broken planning rule.
type Violation struct {
	Rule    string // stable rule identifier, one of the Rule* constants
	Message string // a sentence a person can act on, naming the vSwitch / address
}

// Error returns the rule identifier followed by the message.
func (v *Violation) Error() string {
	return "network: " + v.Rule + ": " + v.Message
}

// Rule identifiers of the planning rules. They are stable and may be used by
// callers to filter violations (for example to treat RuleAutoScalingAddresses
// as a warning instead of an error).
const (
	RulePrefixTooLong        = "vswitch-prefix-max-28"         // IPv4 CIDR prefix must be /28 or shorter (i.e. prefix length <= 28)
	RuleNotEnoughAddresses   = "vswitch-min-3-free"            // ALB takes three addresses from each vSwitch
	RuleAutoScalingAddresses = "vswitch-min-8-free"            // reserve at least eight free addresses for auto scaling
	RuleIPv6Required         = "vswitch-ipv6-required"         // dual-stack needs IPv6 enabled on every vSwitch
	RuleIntranetOutsideCIDR  = "intranet-address-in-cidr"      // fixed intranet address must be inside the vSwitch IPv4 CIDR
	RuleIntranetReserved     = "intranet-address-not-reserved" // not the first one or the last three addresses
	RuleZoneMismatch         = "vswitch-zone-mismatch"         // vSwitch is in another zone than the mapping says
	RuleVPCMismatch          = "vswitch-vpc-mismatch"          // vSwitch belongs to another VPC
	RuleVSwitchNotAvailable  = "vswitch-available"             // Status must be Available
)

// Planning figures from the product documentation.
const (
	AddressesPerVSwitch      = 3  // addresses ALB allocates from each vSwitch (1 VIP + 2 private)
	RecommendedFreeAddresses = 8  // free addresses to reserve per vSwitch for auto scaling
	MaxPrefixLength          = 28 // longest allowed IPv4 prefix length
	ReservedLeading          = 1  // reserved addresses at the start of an IPv4 vSwitch CIDR
	ReservedTrailing         = 3  // reserved addresses at the end
)

// StatusAvailable is the vSwitch Status value that ALB requires.
const StatusAvailable = "Available"

// VSwitch holds the facts about one vSwitch that the rules need (as DescribeVSwitches returns them).
type VSwitch struct {
	ID           string       // "vsw-…"
	VPCID        string       // VPC the vSwitch belongs to
	ZoneID       string       // zone of the vSwitch
	CIDR         netip.Prefix // IPv4 CIDR block
	IPv6CIDR     netip.Prefix // zero value when IPv6 is not enabled
	IPv6Enabled  bool         // EnabledIpv6
	AvailableIPs int          // AvailableIpAddressCount
	Status       string       // "Available" or "Pending"
}

// ReservedIPv4 returns the ReservedLeading leading and ReservedTrailing
// trailing addresses of an IPv4 CIDR block that are reserved for system use,
// in ascending order and without duplicates. It returns nil for an invalid or
// non-IPv4 prefix. For blocks with fewer than four addresses every address is
// returned.
func ReservedIPv4(cidr netip.Prefix) []netip.Addr {
	if !cidr.IsValid() || !cidr.Addr().Is4() {
		return nil
	}
	cidr = cidr.Masked()
	size := uint64(1) << (32 - cidr.Bits())
	first := addrToUint(cidr.Addr())
	last := first + uint32(size-1)
	var out []netip.Addr
	seen := map[uint32]bool{}
	add := func(v uint32) {
		if !seen[v] {
			seen[v] = true
			out = append(out, uintToAddr(v))
		}
	}
	for i := uint32(0); i < ReservedLeading && uint64(i) < size; i++ {
		add(first + i)
	}
	for i := uint32(ReservedTrailing); i >= 1; i-- {
		if uint64(i) <= size {
			add(last - (i - 1))
		}
	}
	slices.SortFunc(out, func(a, b netip.Addr) int { return a.Compare(b) })
	return out
}

// IsReservedIPv4 reports whether a is one of the reserved addresses of the
// IPv4 block cidr (see ReservedIPv4). It is false when a is not inside cidr or
// either argument is not IPv4.
func IsReservedIPv4(cidr netip.Prefix, a netip.Addr) bool {
	if !cidr.IsValid() || !cidr.Addr().Is4() || !a.Is4() {
		return false
	}
	cidr = cidr.Masked()
	if !cidr.Contains(a) {
		return false
	}
	size := uint64(1) << (32 - cidr.Bits())
	off := uint64(addrToUint(a) - addrToUint(cidr.Addr()))
	return off < ReservedLeading || off >= size-min(size, ReservedTrailing)
}

// UsableIPv4 returns the number of addresses of the IPv4 block cidr that are
// not reserved: its size minus ReservedLeading+ReservedTrailing, or 0 when the
// block is smaller than that or cidr is not a valid IPv4 prefix.
func UsableIPv4(cidr netip.Prefix) int {
	if !cidr.IsValid() || !cidr.Addr().Is4() {
		return 0
	}
	size := uint64(1) << (32 - cidr.Bits())
	if size <= ReservedLeading+ReservedTrailing {
		return 0
	}
	return int(size - ReservedLeading - ReservedTrailing)
}

// CheckPrefix returns nil when cidr is a valid IPv4 prefix no longer than
// MaxPrefixLength, else a *Violation with RulePrefixTooLong. An invalid or
// non-IPv4 prefix is reported under the same rule id, with a message saying so.
func CheckPrefix(cidr netip.Prefix) error {
	switch {
	case !cidr.IsValid():
		return &Violation{Rule: RulePrefixTooLong, Message: "the vSwitch IPv4 CIDR block is missing or invalid; specify an IPv4 CIDR block with a prefix of /28 or shorter"}
	case !cidr.Addr().Is4():
		return &Violation{Rule: RulePrefixTooLong, Message: fmt.Sprintf("CIDR block %s is not an IPv4 block; specify an IPv4 CIDR block with a prefix of /28 or shorter", cidr)}
	case cidr.Bits() > MaxPrefixLength:
		return &Violation{Rule: RulePrefixTooLong, Message: fmt.Sprintf("CIDR block %s has prefix /%d, which is longer than /%d; use a vSwitch with a /%d or shorter prefix", cidr, cidr.Bits(), MaxPrefixLength, MaxPrefixLength)}
	}
	return nil
}

// CheckIntranetAddress returns nil when addr may be used as a fixed intranet
// address in the IPv4 block cidr, else a *Violation: RuleIntranetOutsideCIDR
// when addr is invalid, not IPv4 or outside cidr (or cidr is not a valid IPv4
// prefix), RuleIntranetReserved when addr is one of the reserved addresses.
func CheckIntranetAddress(cidr netip.Prefix, addr netip.Addr) error {
	switch {
	case !addr.IsValid():
		return &Violation{Rule: RuleIntranetOutsideCIDR, Message: "the intranet address is missing or invalid; specify an IPv4 address inside the vSwitch CIDR block"}
	case !addr.Is4():
		return &Violation{Rule: RuleIntranetOutsideCIDR, Message: fmt.Sprintf("intranet address %s is not an IPv4 address; specify an IPv4 address inside the vSwitch CIDR block", addr)}
	case !cidr.IsValid() || !cidr.Addr().Is4():
		return &Violation{Rule: RuleIntranetOutsideCIDR, Message: fmt.Sprintf("intranet address %s cannot be checked: the vSwitch has no valid IPv4 CIDR block", addr)}
	case !cidr.Masked().Contains(addr):
		return &Violation{Rule: RuleIntranetOutsideCIDR, Message: fmt.Sprintf("intranet address %s is outside the vSwitch CIDR block %s; choose an address inside it", addr, cidr.Masked())}
	case IsReservedIPv4(cidr, addr):
		return &Violation{Rule: RuleIntranetReserved, Message: fmt.Sprintf("intranet address %s is reserved in %s (the first one and the last three addresses are reserved for system use); choose another address", addr, cidr.Masked())}
	}
	return nil
}

// FreeAfterALB returns the number of free addresses left in vs after ALB has
// allocated its AddressesPerVSwitch addresses (may be negative).
func FreeAfterALB(vs VSwitch) int {
	return vs.AvailableIPs - AddressesPerVSwitch
}

// CheckVSwitch applies every planning rule to one vSwitch for an instance:
// VPC and zone match (skipped when vpcID/zoneID is ""), status Available,
// prefix, at least AddressesPerVSwitch free addresses, at least
// RecommendedFreeAddresses free addresses (RuleAutoScalingAddresses is
// reported only when there are at least 3 but fewer than 8, so a vSwitch that
// is short by both rules gets one violation), IPv6 enabled when dualStack, and
// the intranet address when intranet.IsValid(). It returns all violations, each
// a *Violation, in that order, or nil when none.
//
// Judgement call: the documentation says "Reserve at least eight IP addresses
// per vSwitch to support all auto scaling features", which is a
// recommendation; it is reported as a violation with its own rule id
// (RuleAutoScalingAddresses) so callers can filter or downgrade it. "Free"
// means AvailableIPs as DescribeVSwitches reports it, before ALB allocates.
func CheckVSwitch(vs VSwitch, vpcID, zoneID string, dualStack bool, intranet netip.Addr) []error {
	var errs []error
	name := vs.ID
	if name == "" {
		name = "(unnamed)"
	}
	if vpcID != "" && vs.VPCID != vpcID {
		errs = append(errs, &Violation{Rule: RuleVPCMismatch, Message: fmt.Sprintf("vSwitch %s belongs to VPC %q, not to the instance VPC %s; choose a vSwitch of VPC %s", name, vs.VPCID, vpcID, vpcID)})
	}
	if zoneID != "" && vs.ZoneID != zoneID {
		errs = append(errs, &Violation{Rule: RuleZoneMismatch, Message: fmt.Sprintf("vSwitch %s is in zone %q, not in zone %s; choose a vSwitch in zone %s", name, vs.ZoneID, zoneID, zoneID)})
	}
	if vs.Status != StatusAvailable {
		errs = append(errs, &Violation{Rule: RuleVSwitchNotAvailable, Message: fmt.Sprintf("vSwitch %s has status %q, not Available; wait until it is Available", name, vs.Status)})
	}
	if err := CheckPrefix(vs.CIDR); err != nil {
		v := err.(*Violation)
		v.Message = "vSwitch " + name + ": " + v.Message
		errs = append(errs, v)
	}
	switch {
	case vs.AvailableIPs < AddressesPerVSwitch:
		errs = append(errs, &Violation{Rule: RuleNotEnoughAddresses, Message: fmt.Sprintf("vSwitch %s has %d free IP addresses; ALB needs %d from each vSwitch (and %d are recommended for auto scaling)", name, vs.AvailableIPs, AddressesPerVSwitch, RecommendedFreeAddresses)})
	case vs.AvailableIPs < RecommendedFreeAddresses:
		errs = append(errs, &Violation{Rule: RuleAutoScalingAddresses, Message: fmt.Sprintf("vSwitch %s has %d free IP addresses; reserve at least %d per vSwitch to support all auto scaling features", name, vs.AvailableIPs, RecommendedFreeAddresses)})
	}
	if dualStack && (!vs.IPv6Enabled || !vs.IPv6CIDR.IsValid()) {
		errs = append(errs, &Violation{Rule: RuleIPv6Required, Message: fmt.Sprintf("vSwitch %s does not have IPv6 enabled; enable IPv6 for the vSwitch before creating a dual-stack instance", name)})
	}
	if intranet.IsValid() {
		if err := CheckIntranetAddress(vs.CIDR, intranet); err != nil {
			v := err.(*Violation)
			v.Message = "vSwitch " + name + ": " + v.Message
			errs = append(errs, v)
		}
	}
	return errs
}

// BackendAllowList returns the CIDR blocks backend security groups must
// allow: every IPv4 CIDR and every IPv6 CIDR of the given vSwitches (masked),
// deduplicated, IPv4 first then IPv6, each group sorted. Invalid (zero)
// prefixes are skipped. It returns nil when there is nothing to allow.
func BackendAllowList(vswitches []VSwitch) []netip.Prefix {
	var v4, v6 []netip.Prefix
	for _, vs := range vswitches {
		for _, p := range []netip.Prefix{vs.CIDR, vs.IPv6CIDR} {
			if !p.IsValid() {
				continue
			}
			p = p.Masked()
			if p.Addr().Is4() {
				v4 = append(v4, p)
			} else {
				v6 = append(v6, p)
			}
		}
	}
	cmp := func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	}
	slices.SortFunc(v4, cmp)
	slices.SortFunc(v6, cmp)
	out := append(slices.Compact(v4), slices.Compact(v6)...)
	if len(out) == 0 {
		return nil
	}
	return out
}

func addrToUint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func uintToAddr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
