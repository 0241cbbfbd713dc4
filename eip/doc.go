// Package eip holds the Elastic IP Address (EIP) facts and rules that apply
// when EIPs are associated with, or released together with, an Application
// Load Balancer (ALB) instance. It is pure: it imports only the standard
// library and does no I/O; callers fetch the EIP facts
// (DescribeEipAddresses) and pass them in. Every rule violation is a
// *Violation carrying a stable rule identifier.
//
// Rules, each with the sentence of the product documentation ("Create and
// manage ALB instances") it comes from:
//
//   - RulePayAsYouGo, RulePayByTraffic, RuleNoSharedBandwidth (CheckEligible):
//     "You can associate only pay-as-you-go (pay-by-data-transfer) EIPs that
//     are not associated with an Internet Shared Bandwidth instance."
//   - RuleAvailable (CheckEligible): implied by the same sentence and by
//     "associate an existing EIP": an EIP already associated with another
//     instance (Status other than Available, or InstanceID set) cannot be
//     associated. Judgement call: InstanceID set with Status Available is
//     treated as associated.
//   - RuleEIPTypeValid (CheckEligible): the zone mapping EIP type is Common or
//     Anycast ("Any associated EIPs or Anycast EIPs"); an empty type means
//     Common.
//   - RuleConsistentType (CheckConsistentTypes): "The EIP types associated
//     with different zones of the same ALB instance must be consistent."
//   - RuleInternetOnly (CheckAddressType): "For Internet-facing instances,
//     you can associate an existing EIP or select Automatically assign EIP";
//     the EIP restrictions are listed "for Internet-facing instances" only.
//     Judgement call: an intranet instance with EIPs is a violation.
//   - ReleaseSideEffects: "Any associated EIPs or Anycast EIPs are
//     automatically disassociated and released. This includes EIPs associated
//     during instance creation, cloning, zone enablement, or network type
//     changes."
package eip
