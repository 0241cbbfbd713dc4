package eip

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Violation is one broken EIP rule.
type Violation struct {
	Rule    string // stable rule identifier, one of the Rule* constants
	Message string // a sentence a person can act on, naming the EIP
}

// Error returns the rule identifier followed by the message.
func (v *Violation) Error() string {
	return "eip: " + v.Rule + ": " + v.Message
}

// ChargeType is the billing method of an EIP: "PostPaid" (pay-as-you-go) or
// "PrePaid" (subscription).
type ChargeType string

// Charge types.
const (
	ChargePostPaid ChargeType = "PostPaid" // pay-as-you-go
	ChargePrePaid  ChargeType = "PrePaid"  // subscription
)

// InternetChargeType is the metering method of an EIP: "PayByTraffic"
// (pay-by-data-transfer) or "PayByBandwidth".
type InternetChargeType string

// Internet charge types.
const (
	PayByTraffic   InternetChargeType = "PayByTraffic"   // pay-by-data-transfer
	PayByBandwidth InternetChargeType = "PayByBandwidth" // pay-by-bandwidth
)

// Type is the EIP type at the ALB zone mapping: "Common" or "Anycast".
type Type string

// EIP types.
const (
	TypeCommon  Type = "Common"
	TypeAnycast Type = "Anycast"
)

// Status is the status of an EIP as DescribeEipAddresses returns it.
type Status string

// EIP statuses.
const (
	StatusAvailable     Status = "Available"
	StatusInUse         Status = "InUse"
	StatusAssociating   Status = "Associating"
	StatusUnassociating Status = "Unassociating"
	StatusReleasing     Status = "Releasing"
)

// Address holds the facts about one EIP (as DescribeEipAddresses returns them).
type Address struct {
	AllocationID       string             // "eip-…" ("aeip-…" for Anycast)
	IPAddress          string             // the public IPv4 address
	ChargeType         ChargeType         // PostPaid (pay-as-you-go) or PrePaid (subscription)
	InternetChargeType InternetChargeType // PayByTraffic (pay-by-data-transfer) or PayByBandwidth
	BandwidthPackageID string             // non-empty when the EIP is in an Internet Shared Bandwidth instance
	Type               Type               // Common unless Anycast
	Status             Status             // Available, InUse, ...
	InstanceID         string             // instance it is associated with, if any
	InstanceType       string             // kind of that instance, e.g. EcsInstance
}

// Rule identifiers of the EIP rules.
const (
	RulePayAsYouGo        = "eip-pay-as-you-go"           // ChargeType must be PostPaid
	RulePayByTraffic      = "eip-pay-by-data-transfer"    // InternetChargeType must be PayByTraffic
	RuleNoSharedBandwidth = "eip-not-in-shared-bandwidth" // BandwidthPackageID must be empty
	RuleAvailable         = "eip-available"               // Status must be Available (not associated elsewhere)
	RuleConsistentType    = "eip-type-consistent"         // one EIP type across all zones of one instance
	RuleInternetOnly      = "eip-internet-only"           // EIPs only on Internet-facing instances
	RuleEIPTypeValid      = "eip-type-valid"              // Type must be Common or Anycast
)

// ActionDisassociateAndRelease is the ReleaseEffect action: the EIP is
// disassociated from the ALB instance and released.
const ActionDisassociateAndRelease = "disassociate-and-release"

// Valid reports whether t is TypeCommon or TypeAnycast. The empty type is not
// valid here; callers treat "" as the default (Common) before asking.
func (t Type) Valid() bool {
	return t == TypeCommon || t == TypeAnycast
}

func (a Address) name() string {
	switch {
	case a.AllocationID != "" && a.IPAddress != "":
		return a.AllocationID + " (" + a.IPAddress + ")"
	case a.AllocationID != "":
		return a.AllocationID
	case a.IPAddress != "":
		return a.IPAddress
	}
	return "(unnamed)"
}

// CheckEligible returns every broken rule, each a *Violation, for attaching
// the EIP a to a zone of an Internet-facing ALB instance, or nil when it is
// eligible: pay-as-you-go (RulePayAsYouGo), pay-by-data-transfer
// (RulePayByTraffic), not in an Internet Shared Bandwidth instance
// (RuleNoSharedBandwidth), Available (RuleAvailable) and of a valid type
// (RuleEIPTypeValid; an empty Type counts as Common).
//
// Judgement call: an EIP whose Status is Available but whose InstanceID is set
// is also reported under RuleAvailable, because it is associated elsewhere.
func CheckEligible(a Address) []error {
	var errs []error
	n := a.name()
	if a.ChargeType != ChargePostPaid {
		errs = append(errs, &Violation{Rule: RulePayAsYouGo, Message: fmt.Sprintf("EIP %s has billing method %q; only pay-as-you-go (PostPaid) EIPs can be associated with an ALB instance", n, a.ChargeType)})
	}
	if a.InternetChargeType != PayByTraffic {
		errs = append(errs, &Violation{Rule: RulePayByTraffic, Message: fmt.Sprintf("EIP %s is metered %q; only pay-by-data-transfer (PayByTraffic) EIPs can be associated with an ALB instance", n, a.InternetChargeType)})
	}
	if a.BandwidthPackageID != "" {
		errs = append(errs, &Violation{Rule: RuleNoSharedBandwidth, Message: fmt.Sprintf("EIP %s is associated with Internet Shared Bandwidth instance %s; remove it from the bandwidth plan or choose another EIP", n, a.BandwidthPackageID)})
	}
	switch {
	case a.Status != StatusAvailable:
		msg := fmt.Sprintf("EIP %s has status %q, not Available", n, a.Status)
		if a.InstanceID != "" {
			msg += fmt.Sprintf(" (associated with %s %s)", orUnknown(a.InstanceType), a.InstanceID)
		}
		errs = append(errs, &Violation{Rule: RuleAvailable, Message: msg + "; choose an unassociated EIP"})
	case a.InstanceID != "":
		errs = append(errs, &Violation{Rule: RuleAvailable, Message: fmt.Sprintf("EIP %s is associated with %s %s; choose an unassociated EIP", n, orUnknown(a.InstanceType), a.InstanceID)})
	}
	if a.Type != "" && !a.Type.Valid() {
		errs = append(errs, &Violation{Rule: RuleEIPTypeValid, Message: fmt.Sprintf("EIP %s has type %q; the type must be Common or Anycast", n, a.Type)})
	}
	return errs
}

func orUnknown(s string) string {
	if s == "" {
		return "instance"
	}
	return s
}

// CheckConsistentTypes returns nil when all types (one per zone of one ALB
// instance) are the same, with "" counting as Common, else a *Violation with
// RuleConsistentType naming the types seen in sorted order. It does not judge
// whether a type is valid; see Type.Valid.
func CheckConsistentTypes(types []Type) error {
	seen := map[Type]bool{}
	for _, t := range types {
		if t == "" {
			t = TypeCommon
		}
		seen[t] = true
	}
	if len(seen) <= 1 {
		return nil
	}
	names := make([]string, 0, len(seen))
	for t := range seen {
		names = append(names, string(t))
	}
	slices.Sort(names)
	return &Violation{Rule: RuleConsistentType, Message: fmt.Sprintf("the zones of one ALB instance use different EIP types (%s); the EIP types of all zones must be the same", strings.Join(names, ", "))}
}

// CheckAddressType returns nil unless EIPs are requested (anyEIP) for an
// instance that is not Internet-facing, in which case it returns a *Violation
// with RuleInternetOnly.
func CheckAddressType(internetFacing bool, anyEIP bool) error {
	if anyEIP && !internetFacing {
		return &Violation{Rule: RuleInternetOnly, Message: "EIPs can be associated only with Internet-facing ALB instances; remove the EIPs or use the Internet address type"}
	}
	return nil
}

// ReleaseEffect is one side effect of releasing an Internet-facing ALB: the EIP is disassociated and released.
type ReleaseEffect struct {
	AllocationID string // the EIP released
	IPAddress    string // its public address
	Type         Type   // "" in the input is reported as Common
	Action       string // ActionDisassociateAndRelease
}

// ReleaseSideEffects returns the effects for the EIPs associated with an
// instance being released: the product doc says every associated EIP or
// Anycast EIP is automatically disassociated and released, including those
// associated at creation, cloning, zone enablement, or network type changes.
// The result is sorted by AllocationID (then IPAddress), deduplicated by
// AllocationID when it is set, and nil when there is nothing associated.
func ReleaseSideEffects(associated []Address) []ReleaseEffect {
	var out []ReleaseEffect
	seen := map[string]bool{}
	for _, a := range associated {
		if a.AllocationID != "" {
			if seen[a.AllocationID] {
				continue
			}
			seen[a.AllocationID] = true
		}
		t := a.Type
		if t == "" {
			t = TypeCommon
		}
		out = append(out, ReleaseEffect{AllocationID: a.AllocationID, IPAddress: a.IPAddress, Type: t, Action: ActionDisassociateAndRelease})
	}
	slices.SortFunc(out, func(x, y ReleaseEffect) int {
		return cmp.Or(cmp.Compare(x.AllocationID, y.AllocationID), cmp.Compare(x.IPAddress, y.IPAddress))
	})
	return out
}
