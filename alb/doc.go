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
// # The client
//
// [NewClient] returns a [Client] for one region (credentials from the
// standard Alibaba Cloud chain, or given explicitly; a custom endpoint and
// protocol for the albtest emulator). It is safe for concurrent use.
//
//   - [Client.Create] validates locally (an invalid spec makes no API call),
//     sends CreateLoadBalancer with one ClientToken for every retry (the
//     spec's IdempotencyKey, else a generated one), tags the instance with
//     that token ([TokenTagKey]) and returns a [CreateOperation] with ID,
//     Token, Poll, Wait and Done. Save the token: [Client.ResumeCreate]
//     rebuilds the operation in another process, by re-sending the same
//     request or by finding the instance by its tag, and never creates a
//     second instance.
//   - Waiting polls with a min and max delay, jitter and a bound on the
//     whole wait: Active is done; Provisioning and Configuring keep
//     polling; CreateFailed fails at once ([ErrCreateFailed]); locks, an
//     Abnormal business status, Inactive or Deleting are reported
//     ([ErrUnexpectedState]), not waited out; not-found keeps polling only
//     within a short grace period after a create; a timeout is a
//     *[WaitTimeoutError] naming the last status. Every poll is a progress
//     [Event] for the observer of [WithObserver]. A Client learns how long
//     its creates, changes and releases take and then polls sparsely before
//     the expected completion and every MinDelay around it.
//   - [Client.Get] and [Client.List] (an iterator following NextToken)
//     return [Instance] values.
//   - Deletion protection ([Client.EnableDeletionProtection],
//     [Client.DisableDeletionProtection]) and the configuration read-only
//     mode ([Client.EnableReadOnly], [Client.DisableReadOnly]).
//     Configuration read-only mode protects an instance from changes made
//     in the console only; API calls, albkit's included, still change it.
//   - [Client.PlanRelease] says what a release does (protection state,
//     read-only mode, every EIP released with the instance, the status);
//     [Client.Release] refuses a protected instance unless asked to turn
//     protection off, deletes with one ClientToken across retries, waits
//     for the job and for the instance to be gone, turns protection back on
//     if the release fails, and lists every side effect. An instance that
//     is already gone is released successfully.
//
// Every API call is retried on Throttling*, ServiceUnavailable, 5xx,
// SystemBusy, IdempotenceProcessing and IncorrectStatus.LoadBalancer, and on
// network errors when the call is safe to repeat (reads, and writes that
// carry a ClientToken), with exponential backoff and jitter, bounded
// attempts and time, and a retry budget shared by the client. Every attempt
// is paced per action by an adaptive rate limiter ([NewAdaptiveRateLimiter],
// shareable with [WithRateLimiter]): throttling slows the action down and
// costs no retry budget. Validation
// and permission errors are never retried. Every retry is logged with the
// action, attempt, delay, code and RequestId. Errors answered by the service
// are *[APIError] values; sentinels ([ErrNotFound], [ErrDeletionProtected],
// [ErrThrottled], [ErrQuotaExceeded], [ErrCreateFailed], [ErrWaitTimeout],
// [ErrInvalidSpec]) work with errors.Is.
//
// No credential appears in any log line, error, or formatted value.
package alb
