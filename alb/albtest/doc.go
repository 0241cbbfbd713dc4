// Package albtest is an in-process emulator of the Alibaba Cloud
// Application Load Balancer control plane and the APIs around it: ALB
// (2020-06-16), VPC/EIP (2016-04-28), WAF 3.0 (2021-10-01), WAF 2.0
// (2019-09-10) and the ResourceManager service-linked role (2020-03-31). It
// speaks the real wire protocol (RPC style, signed requests, JSON bodies,
// Alibaba error bodies), so the official SDK runs against it unchanged over
// loopback, in the spirit of moto, LocalStack, pstest and fake-gcs-server.
// It is a simplified form of the service: timing, IDs and some corner cases
// differ (listed below).
//
// # Starting
//
//	srv := albtest.NewServer()      // loopback, free port, serving now
//	defer srv.Close()
//	client := srv.ALBClient()       // *albsdk.Client; srv.OpenAPIClient() for VPC/WAF/RM via CallApi
//
// With albkit's own client, the third line is
//
//	client, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()))
//
// srv.Config() is a ready darabonba-openapi configuration (AccessKeyId,
// AccessKeySecret, Endpoint host:port, Protocol "http", RegionId, and a
// private HttpClient: without it the SDK's process-wide HTTP client pool is a
// data race under concurrent use). Start returns an error instead of
// panicking; New builds a Server that only serves through Handler. The
// standalone program is examples/emulator.
//
// All products share one endpoint and are routed by action and version
// (x-acs-action / x-acs-version headers, or Action / Version parameters).
//
// # Credentials
//
// The default access key is DefaultAccessKeyID ("albtest-access-key-id")
// with secret DefaultAccessKeySecret ("albtest-access-key-secret").
// WithCredentials replaces it, WithAccessKey adds keys and
// WithSTSCredentials adds an STS key ("STS.…") with its security token.
// Both signature schemes are verified by internal/acs: ACS3-HMAC-SHA256
// (what darabonba-openapi sends) and the classic RPC HMAC-SHA1 signature
// (query and form body), with STS tokens, ±15 minutes of clock skew against
// the server Clock (WithMaxSkew) and nonce replay detection
// (WithoutNonceCheck disables it). Codes: SignatureDoesNotMatch (400; also a
// body hash mismatch), InvalidAccessKeyId.NotFound (404),
// InvalidTimeStamp.Expired (400), SignatureNonceUsed (400), MissingSignature
// and other Missing<Param> (400), InvalidSecurityToken.MismatchWithAccessKey
// (403). WithoutAuth turns verification off.
//
// # Emulated operations
//
// ALB 2020-06-16: CreateLoadBalancer, GetLoadBalancerAttribute,
// ListLoadBalancers (LoadBalancerIds, LoadBalancerNames, VpcIds, Tag,
// LoadBalancerStatus, LoadBalancerBussinessStatus, AddressType,
// AddressIpVersion, Ipv6AddressType, PayType, ResourceGroupId, ZoneId,
// DNSName, MaxResults 1–100, NextToken), DeleteLoadBalancer (JobId),
// ListAsynJobs (JobIds, ResourceIds, ResourceType, ApiName,
// BeginTime/EndTime, paging), EnableDeletionProtection,
// DisableDeletionProtection, UpdateLoadBalancerAttribute (name, modification
// protection; JobId), UpdateLoadBalancerEdition,
// AttachCommonBandwidthPackageToLoadBalancer,
// DetachCommonBandwidthPackageFromLoadBalancer, TagResources,
// UnTagResources, ListTagResources, DescribeZones, DescribeRegions.
//
// VPC 2016-04-28: DescribeVSwitches, DescribeEipAddresses, ReleaseEipAddress,
// DescribeCommonBandwidthPackages (lists nested XML-style:
// VSwitches.VSwitch[], EipAddresses.EipAddress[],
// CommonBandwidthPackages.CommonBandwidthPackage[]; PageNumber/PageSize).
// WAF 3.0 DescribeInstance; WAF 2.0 DescribeInstanceInfo. ResourceManager
// GetRole and CreateServiceLinkedRole.
//
// ALB success bodies are the SDK's own response structs, marshalled, so the
// JSON types match the models exactly (ListAsynJobs times are int64 ms).
// Error bodies are {"RequestId","HostId","Code","Message","Recommend"} with
// Content-Type application/json;charset=utf-8; HostId is
// alb.<region>.aliyuncs.com (vpc., wafopenapi., resourcemanager.aliyuncs.com
// for the others). RequestId is an uppercase UUID, JobId a lowercase UUID,
// instance IDs are "alb-" + 18 lowercase alphanumerics, DNSName is
// <id>.<region>.alb.aliyuncs.com and times are UTC 2006-01-02T15:04:05Z.
//
// # Default world
//
// Region cn-hangzhou; zones cn-hangzhou-h, -i, -j, -k; VPC vpc-albtest0001
// (10.0.0.0/16 with an IPv6 block) with vsw-albtest-h (zone h,
// 10.0.1.0/24, IPv6), vsw-albtest-i (zone i, 10.0.2.0/24, IPv6),
// vsw-albtest-j (zone j, 10.0.3.0/24, IPv4 only), vsw-albtest-k-small (zone
// k, 10.0.4.0/29) and vsw-albtest-k-full (zone k, 10.0.5.0/24, 2 free
// addresses); vsw-albtest-other (zone h) in vpc-albtest0002. EIPs:
// eip-albtest-traffic1/2/3 (PostPaid, PayByTraffic, Available: eligible),
// eip-albtest-bandwidth (PayByBandwidth), eip-albtest-prepaid (PrePaid),
// eip-albtest-shared (in cbwp-albtest0001), aeip-albtest-anycast1/2
// (Anycast, eligible), eip-albtest-inuse (bound to ECS i-albtest0001). One
// Internet Shared Bandwidth package cbwp-albtest0001. No WAF instance. The
// AliyunServiceRoleForAlb role exists. Quota 60 instances. The exported
// constants name all of these. In a vSwitch the first and the last three
// addresses are reserved.
//
// Change it with WithRegion, WithSeed(World), WithWorldFile (JSON of World),
// WithoutServiceLinkedRole, WithQuota, WithWAF3, WithWAF2, and at runtime
// with AddVPC, AddVSwitch, AddEIP, SetServiceLinkedRole, SetQuota, SetWAF.
//
// # Lifecycle
//
// CreateLoadBalancer → Provisioning → Active (or CreateFailed after
// FailNextCreate or a WithCreateFailure predicate; its job ends Failed).
// Update operations (UpdateLoadBalancerAttribute, UpdateLoadBalancerEdition,
// Attach/DetachCommonBandwidthPackage) → Configuring → Active.
// DeleteLoadBalancer → Deleting → gone (404 ResourceNotFound.LoadBalancer).
// Every asynchronous operation records a job (also Create, whose JobId the
// API does not return); a job is Processing while its instance is in the
// pending status and Succeeded (or Failed) after. Writes while Provisioning,
// Configuring or Deleting fail with 400 IncorrectStatus.LoadBalancer ("The
// status of <id> [<status>] is incorrect."); with business status Abnormal
// (SetBusinessStatus, which also sets operation locks) with 400
// IncorrectBusinessStatus.LoadBalancer; Delete with deletion protection with
// 400 OperationDenied.DeletionProtectionEnabled. Enable/Disable deletion
// protection are synchronous. Delete is allowed on CreateFailed.
//
// Each instance takes three addresses per vSwitch (a VIP, honouring
// ZoneMappings.N.IntranetAddress, plus two local addresses), so
// AvailableIpAddressCount falls by three and recovers on release. A
// DualStack instance gets an IPv6 address per zone. An Internet instance
// without AllocationId in a zone gets a new PostPaid PayByTraffic EIP
// ("eip-…") visible through DescribeEipAddresses as InUse; given EIPs become
// InUse too. On release every associated EIP, given or auto-assigned, is
// disassociated and released (it disappears from DescribeEipAddresses), as
// the product documentation says.
//
// Transitions are set per phase with WithTransition(PhaseProvisioning |
// PhaseConfiguring | PhaseDeleting, t) or WithTransitions(t): Immediate(),
// AfterDuration(d) against the Clock (WithClock; ManualClock has Advance),
// AfterPolls(n) (n reads showing the pending status: Get, a List page or a
// ListAsynJobs page containing it), Manual() (Advance(id or jobID),
// AdvanceAll). The default is AfterPolls(1): the first read after a create
// shows Provisioning, the next Active, so client tests see the pending
// state yet finish fast. SetLoadBalancerStatus forces a status.
//
// # Service checks on create (in this order)
//
// Malformed input: 400 MissingParameter (VpcId, AddressType,
// LoadBalancerEdition, LoadBalancerBillingConfig.PayType, ZoneMappings, a
// zone's VSwitchId/ZoneId) or 400 InvalidParameter (bad enum, PayType other
// than PostPay, more than 10 zones, one zone in a region of several, bad
// name or reason, bad tag (key or value starting with acs: or aliyun, a
// URL…), more than 20 tags, non-ASCII or >64-byte ClientToken, malformed
// list index). Then:
// 400 OperationDenyed.ServiceLinkedRoleNotExist; 404 ResourceNotFound.Vpc;
// 400 DuplicatedParam.ZoneId; 400 OperationDenied.WafV2InstanceExist
// (StandardWithWaf while a WAF 2.0 instance exists); per zone 404
// ResourceNotFound.VSwitch, 400 Mismatch.VpcIdAndVSwitchId, 400
// Mismatch.ZoneIdAndVSwitchId, 400 ResourceNotEnough.VSwitchIp (prefix
// longer than /28 or fewer than 3 free addresses), 400
// OperationDenied.VSwitchIpv6NotEnabled (DualStack), 400
// InvalidParameter.IntranetAddress (malformed, outside the CIDR, reserved or
// in use); 400 QuotaExceeded.LoadBalancersNum ("The quota of
// alb_quota_loadbalancers_num is exceeded, usage n/m."); bandwidth package:
// 400 OperationDenied.AddressTypeNotSupportBandwidthPackage (Intranet), 404
// ResourceNotFound.CommonBandwidthPackage; EIPs: 400
// OperationDenied.IntranetNotSupportEip, 400 DuplicatedParam.AllocationId,
// 404 ResourceNotFound.Eip, 400 IncorrectStatus.Eip (not Available), 400
// OperationDenied.EipChargeType (not PostPaid PayByTraffic), 400
// OperationDenied.EipInBandwidthPackage, 400
// OperationDenied.EipTypeInconsistent (EipType differs from the EIP, types
// differ between zones, or Anycast next to an auto-assigned EIP). DryRun
// then answers 400 DryRunOperation. DryRun works the same way on every
// write that takes it (Delete, Enable/Disable, UpdateAttribute,
// UpdateEdition, Attach/Detach) and never changes state.
//
// Other operations: UpdateLoadBalancerEdition 400 OperationDenied.Downgrade
// (to Basic) and OperationDenied.EditionNotChanged; Attach/Detach 400
// MissingParameter (RegionId), 404 ResourceNotFound.CommonBandwidthPackage,
// 400 OperationDenied.AddressTypeNotSupportBandwidthPackage,
// OperationDenied.BandwidthPackageAlreadyAttached,
// OperationDenied.BandwidthPackageNotAttached; tags 404
// ResourceNotFound.Acl/.SecurityPolicy/.ServerGroup (no such resources are
// emulated), 400 QuotaExceeded.TagsNum (more than 20 per instance); VPC
// 400 Forbidden.VpcNotFound, 404 Forbidden.RegionNotFound, 400
// InvalidChargeType.ValueNotSupported, 400
// InvalidIAssociatedInstanceType.ValueNotSupported, 404
// InvalidAllocationId.NotFound, 400 IncorrectEipStatus, 400
// Forbidden.ChargeTypeIsPrepaid; RM 404 EntityNotExist.Role, 400
// InvalidParameter.ServiceName. Unknown action: 404 InvalidAction.NotFound;
// known action, unknown version: 400 InvalidVersion; no version: 400
// MissingParameter. A bug in the emulator answers 500 InternalError; input
// never does (tested with random input).
//
// # ClientToken
//
// On every write that takes ClientToken: the same token with the same
// parameters returns the first result (same LoadBalancerId or JobId, a new
// RequestId) and changes nothing; the same token while the first request is
// still being processed answers 400 IdempotenceProcessing; the same token
// with other parameters answers 400 IdempotentParameterMismatch. Tokens are
// scoped per action and per access key. DryRun requests and failed requests
// do not consume a token; ApplyThenFail faults do.
//
// # Test control
//
// InjectFault(Fault{Action, Code, Status, Message, Times, Probability, Seed,
// ApplyThenFail, DropConnection, Latency, Hold, Reached}) returns a FaultID
// for RemoveFault; ClearFaults removes all. WithRateLimit / SetRateLimit set
// a token bucket per action (golang.org/x/time/rate, against the Clock);
// over the limit the answer is 400 Throttling.User ("Request was denied due
// to user flow control.") with an x-ratelimit-user-api header carrying
// TimeLeft, which darabonba-openapi parses into ThrottlingError.RetryAfter.
//
// Inspection: Requests (action, version, access key ID, business parameters
// without signatures or tokens, status, code, time; WithRequestLogLimit
// bounds it), Count(action), Calls, TotalCalls, LoadBalancers (every
// instance ever created, Deleted flag included), LoadBalancer(id), Created,
// Live, EIPs, VSwitches, Reset. Every method is safe for concurrent use.
//
// # GUESSes (not backed by a source) and known differences
//
//   - ResourceManager: GetRole(RoleName) and
//     CreateServiceLinkedRole(ServiceName=alb.aliyuncs.com) on version
//     2020-03-31; CreateServiceLinkedRole is idempotent here.
//   - IdempotenceProcessing is 400; IdempotentParameterMismatch is documented
//     only for another ALB operation.
//   - InvalidVersion (400) for an unknown version; MissingParameter for a
//     missing one; routing happens before signature verification.
//   - The codes ResourceNotFound.Vpc, Mismatch.VpcIdAndVSwitchId,
//     OperationDenied.VSwitchIpv6NotEnabled, InvalidParameter.IntranetAddress,
//     OperationDenied.AddressTypeNotSupportBandwidthPackage,
//     OperationDenied.IntranetNotSupportEip, DuplicatedParam.AllocationId,
//     ResourceNotFound.Eip, IncorrectStatus.Eip, OperationDenied.EipChargeType,
//     OperationDenied.EipInBandwidthPackage,
//     OperationDenied.EipTypeInconsistent, OperationDenied.WafV2InstanceExist,
//     OperationDenied.BandwidthPackageAlreadyAttached,
//     OperationDenied.BandwidthPackageNotAttached, QuotaExceeded.TagsNum and
//     every status for them.
//   - ResourceNotEnough.VSwitchIp also for a prefix longer than /28 (the
//     product documentation asks for /28 or shorter); the real service may
//     only count free addresses.
//   - The instance shows status "Deleting" between DeleteLoadBalancer and its
//     disappearance; CreateFailed instances keep their addresses until
//     deleted and are never cleaned up automatically (the real service does
//     it within a day).
//   - Jobs have no transition of their own: a job is Processing exactly as
//     long as its instance is pending and ends when the instance's transition
//     does (a ListAsynJobs page showing it counts as a read of the instance;
//     Advance given a job ID completes the instance's transition). The real
//     service may finish a job at another moment than the status change.
//   - An EIP bound to ALB reports InstanceType NetworkInterface and the ALB
//     instance ID as InstanceId (the real value is probably an ENI ID).
//   - Anycast EIPs ("aeip-" prefix) really live in the Eipanycast API; here
//     they are listed and released through the VPC EIP operations.
//   - DescribeVSwitches with an unknown VSwitchId returns an empty list.
//   - WAF 3.0 DescribeInstance without an instance answers RequestId only;
//     WAF 2.0 DescribeInstanceInfo answers InstanceInfo with PayType 0 and
//     an empty InstanceId.
//   - Defaults: AddressAllocatedMode Dynamic, AddressIpVersion IPv4,
//     ResourceGroupId rg-albtest-default; Ipv6AddressType is Intranet for
//     DualStack instances.
//   - NextToken is an opaque string (here a decimal offset); a token that
//     does not come from the emulator is 400 InvalidParameter.
//   - Not emulated: listeners, server groups, rules, ACLs, security policies,
//     zone updates and shifts, IPv6 Internet enablement, access logs.
//   - Faults' Latency uses real time, not the Clock.
package albtest
