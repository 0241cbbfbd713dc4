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
//   - up to 20 tags per instance (from TagResources); albkit keeps two for
//     its own tags ([TokenTagKey], the idempotency key, and [SpecTagKey],
//     the spec's digest), so a spec may carry 18 (RuleTagsMax);
//   - tag keys and values up to 128 characters;
//   - the instance name and the read-only reason are "English or Chinese
//     characters" as the API metadata says: A–Z, a–z and Chinese characters
//     (Unicode script Han), digits 0–9, '.', '_' and '-', starting with a
//     letter or a Chinese character; other scripts and digits are refused;
//   - the idempotency key is printable ASCII (the API says ASCII; control
//     characters are refused too), and as the value of [TokenTagKey] it
//     follows the tag value rules (no acs:/aliyun prefix, no URL);
//   - ALB assigns only Common EIPs automatically: an Anycast zone names its
//     Anycast EIP;
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
//   - [Client.PlanCreate] checks a spec against live facts (regions and
//     zones, vSwitches, EIPs, WAF 2.0/3.0, the service-linked role, the
//     instance count against [DefaultLoadBalancerQuota]), gathered
//     concurrently within [WithPreflightTimeout] (plans gathered at the
//     same time share their reads; region-level facts are kept for
//     [WithPreflightFactsTTL]), and returns a
//     [CreatePlan]: every [Finding] (blocking or warning, with rule,
//     resource, message and fix), every side effect (auto-assigned EIPs,
//     the three addresses taken from each vSwitch, a billed WAF 3.0
//     activation, bandwidth) and the BackendAllowList. [Client.Create] runs
//     it first and refuses a blocked plan with a *[PlanError] without
//     calling CreateLoadBalancer ([SkipPreflight] opts out;
//     [WithServiceDryRun], [CreateServiceLinkedRole] and [StrictAddresses]
//     shape it).
//   - [Client.CheckDomain] follows a custom domain's CNAME chain to the
//     instance's DNS name ([CNAMERecord] is the record to add); the
//     resolver is injectable ([WithResolver]).
//   - [Client.PlanRelease] says what a release does (protection state,
//     read-only mode, every EIP released with the instance and whether ALB
//     assigned it or the user brought it, the custom domains the caller
//     names and whether they still resolve to the instance, the status);
//     [Client.Release] refuses a protected instance unless asked to turn
//     protection off, deletes with one ClientToken across retries, waits
//     for the job and for the instance to be gone, turns protection back on
//     if the release fails, and lists every side effect. An instance that
//     is already gone is released successfully.
//   - [Client.CreateMany] and [Client.ReleaseMany] run many creates or
//     releases with bounded concurrency, yield each item's outcome as it
//     finishes, and report each key before the item's first call;
//     [Client.Sweep] finds instances by tag, name prefix, age or as orphans
//     and releases them (a dry run by default) with the same safety rules.
//
// # Managing and converging an instance
//
// After create, [Client.Rename], [Client.AddTags] and [Client.RemoveTags],
// [Client.UpgradeEdition] (with the WAF 2.0/3.0 check and its billed side
// effect), [Client.AttachBandwidthPackage] and
// [Client.DetachBandwidthPackage], [Client.EnableIPv6Internet] and
// [Client.DisableIPv6Internet], [Client.MoveResourceGroup],
// [Client.UpdateZones] ([Client.AddZone], [Client.RemoveZone]),
// [Client.UpdateAddressType] ([Client.BindEIP]) and
// [Client.EnableAccessLog] and [Client.DisableAccessLog] (the access logs'
// SLS project and logstore, [AccessLog]) change it. Each validates
// locally first (a *[ValidationError] or a *[RefusedError] with the field,
// the rule, the documented reason and what to do instead; no API call),
// sends one ClientToken across its retries and waits until the instance
// shows the change.
//
// [Diff] compares a spec with an instance (pure): the ordered changes,
// each with its calls and side effects, and the differences no in-place
// change can make. [SpecFromInstance] reads a spec back. [Client.Ensure]
// finds the instance by the spec's idempotency key, creates it or applies
// the diff, and makes no write when nothing differs; [Client.PlanEnsure]
// shows what it would do.
//
// Every API call is retried on the codes one table (internal/apierr) calls
// retryable (throttling, ServiceUnavailable, 5xx, SystemBusy,
// IdempotenceProcessing, IncorrectStatus.LoadBalancer, ... and the codes of
// [WithRetryableCodes]), and on network errors and per-request timeouts
// when the call is safe to repeat (reads, and writes that carry a
// ClientToken), with exponential backoff and jitter, bounded attempts and
// time, and a retry budget shared by the client. Every attempt is paced per
// action by an adaptive rate limiter ([NewAdaptiveRateLimiter], shareable
// across clients with [WithRateLimiter]). Throttling is the service pacing
// the caller: it slows the action down, spends no budget, does not count
// against the attempts, and its retry-after hint is honoured. Authentication,
// permission and validation errors are never retried. Every retry is logged
// with the action, attempt, delay, code and RequestId.
//
// Every error albkit returns matches an exported type or sentinel:
// *[APIError] (the service's answer, with [APIError.NotFound],
// [APIError.Auth], [APIError.Throttling], [APIError.Retryable]),
// *[NetworkError] ([ErrNetwork]), *[MaxAttemptsError] (retries ran out),
// [ErrRetryBudgetExhausted], *[ValidationError] ([ErrInvalidSpec]),
// *[ArgumentError] ([ErrInvalidArgument]), *[StateError] ([ErrCreateFailed],
// [ErrReleased], [ErrUnexpectedState]), *[WaitTimeoutError]
// ([ErrWaitTimeout]), *[IdempotencyError] ([ErrIdempotencyKeyReused]),
// *[PlanError] ([ErrPreflightFailed]), *[RefusedError] and
// *[NotChangeableError] ([ErrChangeRefused]), and
// the sentinels [ErrNotFound], [ErrAuth], [ErrThrottled],
// [ErrQuotaExceeded], [ErrDeletionProtected], [ErrReleaseFailed],
// [ErrPreflightFailed], [ErrServiceLinkedRoleMissing],
// [ErrDomainStillResolves], [ErrUserEIPNotAcknowledged]. Not-found
// comes only from codes that say a resource is absent: an authentication
// failure ([ErrAuth]) never reads as "already gone".
//
// # Server groups
//
// A [ServerGroupSpec] describes a server group (type Instance, Ip or Fc;
// backend protocol; scheduler; [HealthCheck]; [StickySession]; slow start;
// [ConnectionDrain]; cross-zone load balancing; IPv6; tags) and its
// [Server] members, built like an InstanceSpec with [NewServerGroupSpec],
// the server constructors ([ECSServer], [ENIServer], [ECIServer],
// [IPServer], [FcServer]; weight 100, and weight 0 means no new requests)
// and With methods. The constructors take the service's defaults (HTTP,
// Wrr, health checks on for Instance and Ip groups, cross-zone on); the
// zero value of an optional feature means not configured, and an enabled
// health check's zero fields mean the service's defaults.
//
// [ServerGroupSpec.Validate] reports every violation at once, as for
// instances, with field paths such as "Servers[3].Weight" and rule IDs
// prefixed "server-group-" and "server-" (listed in [Rules] with
// [RuleInfo.Scope] "server group"; the name, ID, tag and idempotency key
// rules are the instance's). Rules that depend on the instance whose
// listener uses the group (slow start, connection draining and cross-zone
// off need a Standard or WAF-enabled instance) are at [LevelAttach]:
// [CheckServerGroupEdition] checks them.
//
// Membership is [MembershipShared] by default: a spec manages only the
// servers it lists (and removes those in AbsentServers), so members added
// by others, an autoscaler for example, are left alone;
// [MembershipOwned] makes the listed set exact. [DiffServerGroup] compares
// a spec with a [ServerGroup] and its [BackendServer] members as the
// service reports them and returns a [ServerGroupPlan]: one
// UpdateServerGroupAttribute with exactly the changed attributes, tag and
// resource group changes, servers to add, to update in place (weight and
// description) and to remove, and what cannot change in place (type,
// protocol, VPC, IPv6) with what to do instead. [SpecFromServerGroup]
// reads a spec back. Membership changes go in calls of at most
// [MaxServersPerCall] servers ([MaxServersPerAttributeCall] for attribute
// updates); a group holds at most [MaxServersPerGroup].
//
// Facts marked GUESS in the API reference and the choices albkit made for
// server groups: the scheduler Uch is taken (Terraform uses it); the IP
// version affinity values are the NLB's (Affinity, NonAffinity); a health
// check host may have capitals; an Fc server's ARN starts "acs:fc:"; the
// URL hash parameter is at most 100 ASCII characters; a value the service
// would ignore (a health check field its protocol does not use, a cookie
// setting of the other persistence type, a drain timeout with draining
// off, a VPC or scheduler on an Fc group, a port, weight or IP on an Fc
// server) is refused rather than dropped.
//
// # Listeners and rules
//
// A [ListenerSpec] describes a listener (HTTP, HTTPS or QUIC; port;
// default action forwarding to server groups; timeouts; gzip; HTTP/2; TLS
// security policy; default and additional certificates; mutual TLS; QUIC
// upgrade; [XForwardedFor] headers; tags) and its forwarding rules, each a
// [RuleSpec] whose conditions and actions are package routing's: routing
// decides the matching semantics and the value formats once, for albkit's
// checks and for albtest's data plane alike. [ListenerSpec.Validate]
// reports every violation at once, with field paths such as
// "Rules[2].Conditions[0].Values[1]"; the rules' own IDs are routing's,
// listed in [Rules] with the scope "rule". [CheckListenerEdition] refuses
// what the instance's edition lacks, naming the rule and the edition that
// has it (the edition table is package edition's), and
// [CheckListenerServerGroups] the Standard features of the server groups a
// Basic instance's listener would use. [CheckListener] checks a spec
// against facts given as plain inputs ([ListenerFacts]: the edition, the
// VPC, the instance's listeners and the rules of the others, the server
// groups): references to groups that do not exist, are in another VPC or
// speak a backend protocol the listener cannot use, one listener per port,
// the listener quota, the instance's rule quota, routing's warnings (shadowed rules, forwards of weight 0) and the
// product documentation's WAF note (X-Forwarded-Proto on a WAF-enabled
// instance), each a [Finding].
//
// [DiffListener] compares a spec with a [Listener], its
// [ListenerCertificate] list and its [Rule] list as the service reports
// them and returns a [ListenerPlan]: one UpdateListenerAttribute with
// exactly the changed fields, certificates to associate and dissociate,
// and rule writes ([RuleStep]) ordered so that no request is ever routed
// by a rule of neither the current nor the wanted table (temporary
// priorities when rules swap, a new version created beside a rule whose
// conditions change when that is needed), batched into calls of the API's
// maxima; what cannot change in place (protocol, port, tags) is in
// Blocked with what to do instead. Rules are identified by name within
// the listener; membership is Shared by default, as for server groups.
// [SpecFromListener] and [SpecFromRule] read specs back. A
// [SecurityPolicySpec] describes a custom TLS policy (versions and
// ciphers), diffed by [DiffSecurityPolicy].
//
// Facts marked GUESS in the API reference and the choices albkit made for
// listeners and rules: idle and request timeouts are 1–600 s (the SDK says
// 1–60 and 1–180, the quota table and the Terraform provider 600); an
// HTTPS or QUIC listener needs a default certificate and mutual TLS is
// HTTPS's; an HTTP or HTTPS listener and a QUIC one may share a port
// number; trusted proxies go comma-separated; a listener's tags are set
// at creation only; CreateRules and UpdateRulesAttribute take 10 rules a
// call, as the ingress controller sends; a rule's name may be used twice
// for a moment while a new version replaces an old one; InsertHeader's
// CoverEnabled is refused (it can be neither created nor read back); a
// promoted default certificate is listed once.
//
// # Resources other than the instance
//
// Decision: operations on the instance are methods of [Client]; every
// other resource family has one type, reached from the Client, that holds
// all of its operations, so that go doc shows a family in one place:
// [Client.ServerGroups] returns [ServerGroups] (create, get, list, update,
// delete, servers, converge, sweep); listeners and rules follow the same
// pattern. A family costs nothing to make and shares the Client's SDK
// pool, retries, rate limiter, retry budget, observer and learned wait
// schedules. Internally, each kind describes itself to one engine (its
// status, what is ready or final, what says it is gone, its shared polls)
// and the engine owns the waits, write-then-wait with one ClientToken and
// the busy-resource rounds, so a kind's files hold only its own rules and
// calls.
//
// # Server groups on the client
//
//   - [ServerGroups.Create] validates locally, sends CreateServerGroup with
//     one ClientToken for every retry (the spec's IdempotencyKey, else a
//     generated one) and tags the group with it, waits until the group is
//     Available, then adds the spec's servers in calls of
//     [MaxServersPerCall], each with its own ClientToken, and waits until
//     they are Available. A server the service
//     refuses rolls the create back (the group is deleted: nothing is left
//     behind); an interrupted create is finished by
//     [ServerGroups.ResumeCreate] with the key, which never makes a second
//     group.
//   - [ServerGroups.Get] (shared polls), [ServerGroups.List] (an iterator),
//     [ServerGroups.ListServers] and [ServerGroups.FindByToken] read.
//   - [ServerGroups.Update] changes attributes, tags and resource group;
//     [ServerGroups.Delete] waits until the group is gone, and refuses a
//     group that listeners or rules use with an *[InUseError] naming the
//     instances ([ErrInUse]); nothing retries it.
//   - [ServerGroups.AddServers], [ServerGroups.RemoveServers],
//     [ServerGroups.UpdateServers] (weights and descriptions in place) and
//     [ServerGroups.ReplaceServers] (a blue/green swap without a moment with
//     both sets or neither) split their servers by the API's maxima, send
//     the calls one after the other (a group takes one change at a time),
//     and wait until every server is Available or gone; a partial failure
//     is a *[ServersError] listing the servers applied, unknown and not
//     applied.
//   - [ServerGroups.Ensure] converges a group and its members with the
//     fewest writes: the calls it makes are the plan's
//     ([ServerGroups.PlanEnsure]), a second Ensure writes nothing, and what
//     cannot change in place is refused before any write. Membership is
//     Shared unless the spec says Owned: members an autoscaler added stay
//     (where the Terraform provider's inline servers remove them).
//   - [ServerGroups.Sweep] finds groups by tag or name, or albkit's orphans
//     (tagged, old, unowned), and deletes them; a dry run by default.
//
// # Listeners, rules and security policies on the client
//
//   - [Listeners.Ensure] (and [Listeners.Create]) check a [ListenerSpec]
//     against live facts before any write: the instance's edition (a Basic
//     instance's listener is refused what Basic lacks, naming the edition
//     that has it), its other listeners (one per port), and the server
//     groups the listener and its rules use (they exist, are in the
//     instance's VPC, speak a backend protocol the listener can use, use
//     no feature the edition lacks); a blocking finding is a
//     *[FindingsError] ([ErrPreflightFailed]), and the plan's warnings
//     (shadowed rules, X-Forwarded-Proto on a WAF-enabled instance) come
//     back with the result. Then they apply [DiffListener]'s plan call by
//     call, waiting after each until its effect is there (the listener
//     Running again, rules Available or gone, certificates Associated or
//     gone), so that no request meets a rule of neither the current nor the
//     wanted table; the calls made are the plan's and a second Ensure
//     writes nothing. [Listeners.PlanEnsure] shows the plan and findings.
//   - [Listeners.Get], [Listeners.List], [Listeners.ListCertificates],
//     [Listeners.Health] (GetListenerHealthStatus as [ListenerHealth]) read;
//     [Listeners.Update], [Listeners.Start], [Listeners.Stop],
//     [Listeners.Delete] (its rules go with it),
//     [Listeners.AssociateCertificates] and
//     [Listeners.DissociateCertificates] change one listener and wait.
//   - [ListenerSpec.LogConfig] ([ListenerLogConfig]: custom headers and
//     Tracing Analysis, converged by Ensure) and [Listeners.SetLogConfig]
//     are refused before any write on a Basic instance (Tracing Analysis is
//     Standard's) and while the instance's access log is off (the API
//     takes them only after it is enabled).
//   - [ForwardingRules] changes single rules or batches (CreateMany in
//     calls of [MaxRulesPerCreateCall], DeleteMany), lists both directions
//     (ListRules answers Response rules only when asked) and reports a
//     partial failure as a *[RulesError].
//   - [SecurityPolicies] converges custom TLS policies and lists the
//     system ones; a policy or server group still used is refused with an
//     *[InUseError] naming its users.
//
// Writes on a busy listener or rule (ResourceInConfiguring.Listener,
// IncorrectStatus.Listener, IncorrectStatus.Rule, VipStatusNotSupport) are
// retried with the same ClientToken, then waited for and sent again, a
// bounded number of times.
//
// # OpenTelemetry
//
// A Client traces and measures its work through the OpenTelemetry API
// (go.opentelemetry.io/otel). It uses the global tracer and meter
// providers unless [WithTracerProvider] and [WithMeterProvider] name
// others; the global ones do nothing until the service installs an SDK, so
// a service without OpenTelemetry pays nothing measurable (BENCHMARKS.md).
// To turn it on, install an SDK once, before or after building Clients:
//
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter)) // go.opentelemetry.io/otel/sdk/trace
//	otel.SetTracerProvider(tp)                                       // every alb.Client traces through it
//	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
//
// Spans: one per operation, named "alb." and the method ("alb.Create",
// "alb.CreateOperation.Wait", "alb.Rename", "alb.EnableAccessLog",
// "alb.Ensure", "alb.CreateMany", "alb.Release", "alb.Sweep", ...; the
// reads Get, List, FindByToken and the plans only when they are not part
// of another operation), a child "alb.wait" per wait, and a client span per
// API attempt named after the action, under the operation or the wait that
// made it. Operations nest (Ensure → Create → its attempts), under the span
// the caller's context carries. Attributes: cloud.provider, cloud.region,
// albkit.operation, albkit.resource.id; on attempts albkit.action,
// albkit.attempt (1-based), albkit.throttled, albkit.request_id,
// albkit.error_code; on waits albkit.wait.kind (create, release, wait, or
// the write's action), albkit.wait.for, albkit.wait.polls,
// albkit.wait.last_status; on failures error.type (the service's error
// code, or a word for albkit's own errors: invalid_spec, refused,
// wait_timeout, network, canceled, ...) and the status with the error's
// text. Each retry is a "retry" event (action, attempt, reason, delay) on
// the span of the operation or wait.
//
// Metrics (instrumentation scope [InstrumentationName]): albkit.api.calls
// (by albkit.action, albkit.outcome success or error, error.type),
// albkit.api.throttles and albkit.api.retries (by action; retries by
// albkit.retry.reason), albkit.retry_budget.available (tokens left, after
// each call and retry), albkit.ratelimit.rate (the adaptive limiter's
// calls per second for each action it limits), albkit.wait.duration (by
// albkit.wait.kind and outcome) and albkit.operation.duration (by
// albkit.operation and outcome); durations are in seconds of the client's
// [Clock]. No span or metric carries a credential.
//
// The program examples/otel (go run ./examples/otel) prints the trace of a
// lifecycle.
//
// # Crash safety
//
// A caller that must survive a crash chooses the idempotency key and
// persists it before calling [Client.Create] (which may retry for minutes),
// then resumes with [Client.ResumeCreate] or finds the instance with
// [Client.FindByToken]; the same for a release with
// [ReleaseOptions].IdempotencyKey and [Client.ResumeRelease]. albkit tags
// every instance it creates with the key ([TokenTagKey]) and a digest of the
// spec ([SpecTagKey]), so a resumed create with another spec is refused.
//
// # Time
//
// Every delay and bound reads the client's [Clock] ([WithClock]); albtest's
// ManualClock with AutoAdvance makes a wait of minutes run in milliseconds.
//
// No credential appears in any log line, error, or formatted value.
package alb
