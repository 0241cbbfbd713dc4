// Package network holds the VPC, vSwitch, zone and IP address planning rules
// that an Application Load Balancer (ALB) instance imposes, and the DNS check
// of a custom domain (see "Custom domains" below). The planning rules are
// pure: they do no I/O; callers fetch the vSwitch facts (DescribeVSwitches)
// and pass them in. Every rule violation is
// a *Violation carrying a stable rule identifier, so callers can filter by
// rule with errors.As.
//
// Rules, each with the sentence of the product documentation ("Create and
// manage ALB instances", Prerequisites and Create an ALB instance) it comes
// from:
//
//   - RulePrefixTooLong (CheckPrefix): "Specify a network prefix that is no
//     longer than /28." A /28 passes, a /29 fails. An invalid or non-IPv4
//     CIDR block is reported under the same rule.
//   - RuleNotEnoughAddresses: "ALB allocates three IP addresses from each
//     vSwitch — one virtual IP address (VIP) for public-facing services and
//     two private IPs for backend communication." Fewer than
//     AddressesPerVSwitch available addresses is a violation.
//   - RuleAutoScalingAddresses: "Reserve at least eight IP addresses per
//     vSwitch to support all auto scaling features." Judgement call: this is a
//     recommendation in the documentation; it is reported as a violation with
//     its own rule id, only when the vSwitch has at least three but fewer than
//     eight available addresses, so callers can treat it as a warning.
//     "Available" is AvailableIpAddressCount before ALB allocates anything.
//   - RuleIntranetReserved (CheckIntranetAddress, ReservedIPv4,
//     IsReservedIPv4, UsableIPv4): "The first one and last three IP addresses
//     within an IPv4 vSwitch are reserved for system use." In 10.0.0.0/24
//     these are 10.0.0.0, 10.0.0.253, 10.0.0.254 and 10.0.0.255.
//   - RuleIntranetOutsideCIDR (CheckIntranetAddress): a fixed intranet address
//     is allocated from the vSwitch, so it must be an IPv4 address inside its
//     CIDR block (derived from the API, not stated in the documentation).
//   - RuleIPv6Required: "Dual-stack: Supports both IPv4 and IPv6 access.
//     Enable IPv6 for the vSwitch before you select this option."
//   - RuleZoneMismatch: "Select at least two zones and their corresponding
//     vSwitches." Each vSwitch must be in the zone it is mapped to.
//   - RuleVPCMismatch: "Select the VPC for the ALB instance." The vSwitches
//     must belong to that VPC.
//   - RuleVSwitchNotAvailable: a vSwitch must have Status Available to be
//     used (from the VPC API, not stated in the documentation).
//   - BackendAllowList: "If security groups or third-party security policies
//     exist in the access path, allow traffic from the ALB vSwitch CIDR blocks
//     to your backend servers."
//
// CheckVSwitch applies all vSwitch rules at once. The rule "create vSwitches
// in at least two zones" concerns the whole zone mapping and is left to the
// caller.
//
// # Custom domains
//
// "ALB instances created after the domain name upgrade do not support direct
// access by their DNS names — you must use a custom domain name with a CNAME
// record that resolves your custom domain name to the ALB instance DNS
// name." CheckDomain follows a custom domain's CNAME chain one record at a
// time through a Resolver and returns a DomainCheck whose Verdict says
// precisely what is wrong when the chain does not reach the instance's DNS
// name: no CNAME record (with the domain's addresses), points elsewhere (and
// where), a chain too long or looping, a name that does not exist
// (NXDOMAIN, at which hop), or a resolver failure (at which hop, with the
// error); its Fix names the record to add or change. The standard library's
// resolver cannot serve here, because it follows the chain itself and hides
// its intermediate names: DNSResolver is a small stub resolver that asks a
// recursive DNS server (by default the first nameserver of
// /etc/resolv.conf) one question at a time, over UDP with a fallback to TCP
// for truncated answers.
//
// "Before you release an instance: make sure that your business domain name
// no longer resolves to this instance." DomainCheck.BlocksRelease reads the
// same check for a release. DNS cannot list the names that point at an
// instance, so the caller supplies the domains to check.
package network
