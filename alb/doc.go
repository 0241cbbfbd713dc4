// Package alb creates and manages Alibaba Cloud Application Load Balancer
// (ALB) instances: a typed [InstanceSpec] with strict local validation, and
// (in [Client]) the orchestration of the whole lifecycle.
//
// # Building a spec
//
// A spec covers every input of CreateLoadBalancer. Build it with
// [NewInstanceSpec], [Zone] and the With methods, each of which returns a
// modified copy:
//
//	spec := alb.NewInstanceSpec("vpc-123", alb.Internet, alb.EditionStandard,
//		alb.Zone("cn-hangzhou-h", "vsw-h"),
//		alb.Zone("cn-hangzhou-i", "vsw-i").WithEIP("eip-1"),
//	).WithName("web").WithDeletionProtection()
//
// On an Internet-facing instance, a zone without an EIP gets a
// pay-as-you-go, pay-by-data-transfer EIP assigned automatically; it is
// released together with the instance.
//
// # Validation
//
// Validation has two levels. [InstanceSpec.Validate] checks every rule that
// needs only the spec. [InstanceSpec.ValidateFacts] adds the rules that need
// live facts (vSwitch CIDRs and free addresses, EIP attributes, the WAF
// state), taken as plain inputs so that it stays pure and testable. Both
// report every violation at once in a *[ValidationError]: each item is a
// *[FieldError] with the field path (for example
// "ZoneMappings[1].VSwitchID"), the rule identifier and a message a person
// can act on. errors.Is(err, [ErrInvalidSpec]) holds for all of them.
//
// [Rules] lists every rule with the section of the product documentation it
// comes from; the README's feature table is generated from it and each rule
// has at least one test case. Field rules are go-playground/validator tags;
// cross-field rules are plain code. Rules of the IP plan live in package
// network, EIP rules in package eip and WAF rules in package waf.
//
// Facts marked GUESS in the API reference and the choices albkit made:
//   - up to 20 tags per instance (from TagResources); albkit keeps one for
//     its idempotency tag [TokenTagKey], so a spec may carry 19;
//   - tag keys and values up to 128 characters;
//   - the instance name and the read-only reason accept any Unicode letter
//     (the Chinese metadata allows Chinese characters), digits, '.', '_'
//     and '-', and start with a letter;
//   - the idempotency key is printable ASCII (the API says ASCII; control
//     characters are refused too);
//   - fewer than eight free addresses in a vSwitch is reported as a
//     violation with its own rule id (network.RuleAutoScalingAddresses), so
//     a caller may choose to tolerate it.
//
// Configuration read-only mode ([ReadOnlyMode]) protects an instance from
// changes made in the console only; API calls still change it.
package alb
