// Package albtest is an in-process emulator of the Alibaba Cloud
// Application Load Balancer control plane and the APIs around it: ALB
// (2020-06-16), VPC/EIP (2016-04-28), Anycast EIP (Eipanycast 2020-03-09),
// WAF 3.0 (2021-10-01), WAF 2.0 (2019-09-10), RAM (2015-05-01) and
// ResourceManager (2020-03-31). It speaks
// the real wire protocol (RPC style, signed requests, JSON bodies, Alibaba
// error bodies), so the official SDK runs against it unchanged over
// loopback, in the spirit of moto, LocalStack, pstest and fake-gcs-server.
// It also serves the data plane: each Running listener accepts real traffic
// on a local port and routes it, by its rules, to the health-checked
// members of its server groups (see Data plane).
// It is a simplified form of the service: timing, IDs and some corner cases
// differ (listed below; each choice is explained next to the code that
// makes it).
//
// # Starting
//
//	srv := albtest.NewServer()      // loopback, free port, serving now
//	defer srv.Close()
//	client, err := srv.Client()     // an albkit *alb.Client wired to it, for tests
//
// srv.Client() spaces retries and polls by milliseconds on the wall clock
// and shares the server's clock otherwise (see Server.Client), so waits
// take milliseconds. An albkit client with the default settings is
//
//	client, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()))
//
// and the official SDK's own clients are srv.ALBClient() (*albsdk.Client)
// and srv.OpenAPIClient() (VPC, Eipanycast, WAF, RAM and ResourceManager
// through CallApi). srv.Config() is a ready darabonba-openapi
// configuration with a private HttpClient (the SDK's shared one is a data
// race under concurrent use).
// Start returns an error instead of panicking; New builds a Server that only
// serves through Handler. The standalone program is examples/emulator. All
// products share one endpoint and are routed by action and version
// (x-acs-action / x-acs-version headers, or Action / Version parameters):
// the operations are listed below.
//
// # Credentials
//
// The default access key is DefaultAccessKeyID / DefaultAccessKeySecret;
// WithCredentials, WithAccessKey and WithSTSCredentials change it. Both
// signature schemes are verified (ACS3-HMAC-SHA256 and the classic RPC
// HMAC-SHA1), with STS tokens, ±15 minutes of clock skew (WithMaxSkew) and
// nonce replay detection (WithoutNonceCheck). The nonce cache covers exactly
// the skew window, as 64-bit keyed hashes, at most 524,288 of them: a full cache
// never accepts a replay (it refuses older timestamps instead), so memory
// stays bounded in long runs, as do the request log (WithRequestLogLimit),
// the job history (WithJobHistoryLimit), the released instances kept for
// inspection (WithReleasedHistoryLimit) and the answered ClientTokens
// (WithClientTokenLimit). WithExpiredSTSCredentials
// registers a token that answers InvalidSecurityToken.Expired. WithoutAuth
// turns verification off.
//
// # Emulated operations
//
// ALB: CreateLoadBalancer, GetLoadBalancerAttribute, ListLoadBalancers,
// DeleteLoadBalancer, UpdateLoadBalancerAttribute,
// UpdateLoadBalancerEdition, Enable/DisableDeletionProtection,
// Enable/DisableLoadBalancerAccessLog, Enable/DisableLoadBalancerIpv6Internet,
// UpdateLoadBalancerZones, UpdateLoadBalancerAddressTypeConfig,
// MoveResourceGroup, AttachCommonBandwidthPackageToLoadBalancer,
// DetachCommonBandwidthPackageFromLoadBalancer, ListAsynJobs, TagResources,
// UnTagResources, ListTagResources, DescribeZones, DescribeRegions; server
// groups: CreateServerGroup, UpdateServerGroupAttribute, DeleteServerGroup,
// ListServerGroups, AddServersToServerGroup, RemoveServersFromServerGroup,
// ReplaceServersInServerGroup, UpdateServerGroupServersAttribute,
// ListServerGroupServers; health check templates:
// Create/UpdateAttribute/Get/List HealthCheckTemplate(s),
// DeleteHealthCheckTemplates, ApplyHealthCheckTemplateToServerGroup;
// listeners: CreateListener, GetListenerAttribute, ListListeners,
// UpdateListenerAttribute, UpdateListenerLogConfig, StartListener,
// StopListener, DeleteListener, AssociateAdditionalCertificatesWithListener,
// DissociateAdditionalCertificatesFromListener, ListListenerCertificates,
// GetListenerHealthStatus; forwarding rules: CreateRule, CreateRules,
// UpdateRuleAttribute, UpdateRulesAttribute, DeleteRule, DeleteRules,
// ListRules; TLS security policies: CreateSecurityPolicy,
// ListSecurityPolicies, UpdateSecurityPolicyAttribute,
// DeleteSecurityPolicy, ListSystemSecurityPolicies,
// ListSecurityPolicyRelations. The tag operations take listener, rule and
// securitypolicy too.
//
// VPC: DescribeVSwitches, DescribeEipAddresses (every documented filter;
// Common EIPs only), ReleaseEipAddress, DescribeCommonBandwidthPackages.
// Eipanycast: ListAnycastEipAddresses (the Anycast EIPs of the world,
// which DescribeEipAddresses does not list). WAF 3.0
// DescribeInstance; WAF 2.0 DescribeInstanceInfo. RAM GetRole.
// ResourceManager GetRole, CreateServiceLinkedRole, DeleteServiceLinkedRole,
// GetServiceLinkedRoleDeletionStatus.
//
// Each operation answers the errors the API metadata documents for it. Success
// bodies of ALB are the SDK's own response structs, marshalled; optional
// objects (AccessLogConfig, a zone's EIP, an EIP's bandwidth package or
// instance) are absent, not empty, when not configured. Error bodies are
// {"RequestId","HostId","Code","Message","Recommend"}. Unknown action: 404
// InvalidAction.NotFound; unknown version: 400 InvalidVersion. A bug in the
// emulator answers 500 InternalError and logs its stack (WithLogger); input
// never does (tested with random input).
//
// # Default world
//
// Region cn-hangzhou; zones h, i, j, k; VPC DefaultVPCID with vSwitches
// VSwitchH, VSwitchI (IPv6), VSwitchJ, VSwitchKSmall (/29), VSwitchKFull (2
// free addresses) and VSwitchOther in another VPC; the EIPs named by the
// EIP* constants (eligible, ineligible, Anycast, in use, in the bandwidth
// package DefaultBandwidthPackageID); no WAF instance; the
// AliyunServiceRoleForAlb role; a quota of 60 instances. Change it with
// WithRegion, WithSeed, WithWorldFile, WithoutServiceLinkedRole, WithQuota,
// WithWAF3, WithWAF2 and at runtime with AddVPC, AddVSwitch, AddEIP,
// SetServiceLinkedRole, SetQuota, SetWAF. The world also has the ECS
// instances, ENIs and ECI container groups that server groups take as
// members (see Server groups) and the certificates listeners use (see
// Listeners, rules and certificates).
//
// # Lifecycle and transitions
//
// Create → Provisioning → Active (or CreateFailed: FailNextCreate,
// WithCreateFailure). Updates → Configuring → Active; the change is visible
// when the transition completes where clients poll for it (edition, access
// log, IPv6 address type, bandwidth package). Delete → Deleting → gone. Every
// asynchronous operation records a job (ListAsynJobs; the history keeps the
// last DefaultJobHistoryLimit finished jobs, WithJobHistoryLimit). Writes on
// a pending instance answer IncorrectStatus.LoadBalancer. Transitions are
// set per phase with WithTransition / WithTransitions: Immediate,
// AfterDuration (against the Clock, WithClock, ManualClock), AfterPolls
// (default AfterPolls(1)) or Manual (Advance, AdvanceAll);
// SetLoadBalancerStatus forces a status. The engine works on any resource,
// so new resource types get transitions and jobs for free.
//
// Creating or upgrading an instance to StandardWithWaf activates a
// pay-as-you-go WAF 3.0 instance when the account has none, as the product
// documentation says.
//
// Each zone takes three addresses from its vSwitch; an Internet zone binds
// the given EIP or a new auto-assigned one. On release every EIP of the
// instance is released, as the product documentation says; a zone removed
// or an address type changed releases auto-assigned EIPs and disassociates
// the user's.
//
// # Server groups
//
// Server groups are regional resources on the same
// engine as instances: CreateServerGroup shows Creating (PhaseProvisioning),
// every change Configuring (PhaseConfiguring), DeleteServerGroup Deleting
// (PhaseDeleting), each with a job (ResourceType servergroup); a created
// group is listed at once, and a change is made when its transition
// completes (reads show the old attributes meanwhile). A read is a
// ListServerGroups page showing the group or a ListServerGroupServers of it.
// A write on a group that is not Available answers IncorrectStatus.ServerGroup;
// an unknown group ResourceNotFound.ServerGroup. Members go Adding,
// Removing, Configuring or Replacing while their change is pending and are
// all applied at once when it completes; adding a member again changes
// nothing. Limits: 200 servers per call (40 for attribute updates), 1,000
// per group, 3,000 groups per region (WithServerGroupQuota,
// World.ServerGroupQuota, SetServerGroupQuota), 50 health check templates.
// The other codes: MissingParameter and InvalidParameter (400) for a value
// out of its documented form, range or combination, Mismatch.ServerType and
// Mismatch.VpcId (400) for a member the group cannot take,
// ResourceNotFound.Ecs, .Eni, .Eci and .BackendServer (404),
// DuplicatedParam.Server (400), QuotaExceeded.ServerGroupsNum and
// .ServersNum (400), ResourceInUse.ServerGroup (400, a group a listener or
// rule uses). The member codes come from the sibling Network Load Balancer's
// reference and the quota codes' names are unconfirmed (GUESS): the package
// source keeps one table of every code with its source.
//
// Members of Instance groups are checked against the world's ECS
// instances, ENIs and ECI container groups (World.ECSInstances, World.ENIs,
// World.ContainerGroups; ECSInstance1, ECSInstance2, ENI1 and ECI1 in the
// default VPC, ECSInstanceOther in the other; AddECSInstance, AddENI,
// AddContainerGroup): they must exist and be in the group's VPC. Ip groups
// take any IPv4 address, 127.0.0.1 included, so that tests can register
// their own local backends (the service takes only addresses it can reach;
// WithStrictIPServers takes only private ones).
//
// ListServerGroups always answers HealthCheckConfig, and, for Instance and
// Ip groups, StickySessionConfig and ConnectionDrainConfig (the objects the
// service answers for an unconfigured group); SlowStartConfig and UchConfig
// only once configured; never a null object. Inspection: ServerGroups,
// ServerGroup, SetServerGroupStatus; Advance and AdvanceAll take a group's
// ID too. A group a listener or rule forwards or mirrors to cannot be
// deleted (ResourceInUse.ServerGroup) and lists their instances in
// RelatedLoadBalancerIds.
//
// # Listeners, rules and certificates
//
// Listeners (kind listener) go Provisioning → Running, Configuring →
// Running or Stopped, Deleting → gone; forwarding rules (kind rule)
// Provisioning → Available, Configuring → Available, Deleting → gone;
// custom security policies (kind securitypolicy) are created and deleted
// at once and updated through Configuring → Available. Each change has a
// job, reads its pending status at least once with the default
// transitions (a created listener or rule is readable at once), and is
// made when its transition completes. A batch (CreateRules,
// UpdateRulesAttribute, DeleteRules) is one job and one transition for all
// its rules. Reads are GetListenerAttribute, a ListListeners page,
// ListListenerCertificates and GetListenerHealthStatus of a listener, a
// ListRules page showing a rule, a ListSecurityPolicies page. ListRules
// lists Response rules only when Direction says Response.
//
// While a listener changes, its own changes answer IncorrectStatus.Listener
// and rule writes, certificate associations and its deletion
// ResourceInConfiguring.Listener; a rule that is not Available answers
// IncorrectStatus.Rule; listener writes need an Active or Inactive instance
// (IncorrectStatus.LoadBalancer). Deleting a listener deletes its rules;
// releasing an instance deletes its listeners and their rules (a GUESS: no
// source says so in words). A rule being deleted gives up its priority,
// its place in the quota and its server groups at once.
//
// Values are checked as the reference states them: ports, protocols,
// timeouts, per-protocol fields (HTTP/2, TLS policy, certificates, CA and
// QUIC upgrade on HTTPS; a certificate required on HTTPS and QUIC, a
// GUESS), one listener per port and instance (QUIC beside HTTP(S) on a
// port), priorities 1–10000 unique per listener and direction, every
// condition and action value format, the final action last
// (IllegalParam.Order), forward and mirror targets that exist, in the
// instance's VPC, with a protocol the listener can use. The editions
// (package edition) decide the condition and action types, Response rules,
// custom TLS policies, Tracing Analysis, the per-rule limits and the
// server-group features a Basic instance refuses
// (OperationDenied.LoadBalancerEdition). Per-instance quotas of listeners,
// rules and additional certificates are the edition's defaults,
// configurable with WithInstanceQuotas, World.InstanceQuotas and
// SetInstanceQuotas. Codes that no source confirms are GUESSes; the
// package source keeps one table of every code with its source.
//
// Rules are kept in the routing package's model: Rules and Rule return
// routing conditions and actions, and RoutingTable returns what a listener
// serves now (its default groups and its rules, a change entering when it
// completes) ready for routing.Compile.
//
// The world's certificates (World.Certificates, AddCertificate,
// Certificates) are CAS-style IDs with their domains and expiry:
// CertificateExample, CertificateAPI and CertificateOrg are usable server
// certificates, CertificateExpired has expired (listeners refuse it with
// IncorrectStatus.Certificate, a GUESS) and CertificateCA is a CA
// certificate for mutual TLS. The system security policies are the Policy*
// constants. GetListenerHealthStatus reports the servers of the groups a
// listener uses that are not healthy (Unused for weight 0, Unavailable with
// the health check off): what SetServerHealth set, else what the data
// plane's health checks found (see Data plane), else healthy.
// Inspection: Listeners, Listener, SetListenerStatus, Rules, Rule,
// SetRuleStatus, RoutingTable, SecurityPolicies, Certificates,
// SetServerHealth; Advance takes their IDs.
//
// GetListenerAttribute always answers LogConfig and XForwardedForConfig
// (and QuicConfig for HTTPS listeners), AccessLogTracingConfig only once
// tracing was configured, no AclConfig (ACLs are not emulated); each
// condition and action of ListRules carries exactly its type's config with
// the fields the request gave; never a null object. The Terraform
// provider's alicloud_alb_listener and alicloud_alb_rule read these
// objects as blocks.
//
// # Data plane
//
// Every Running listener serves real traffic, on a loopback port of its own
// (WithDataPlaneHost binds another address; WithoutDataPlane turns the data
// plane off). HTTP listeners speak HTTP/1.1; HTTPS listeners TLS with a
// certificate the server's test CA issues for the domains of each
// certificate of the world the listener uses, the client's SNI choosing
// among the default and the additional ones (exact name, then wildcard,
// then the default), HTTP/2 as Http2Enabled says, the TLS versions and
// TLS 1.2 cipher suites of the security policy, and mutual TLS with
// CaEnabled (ClientCertificate issues client certificates from the CA a CA
// certificate of the world stands for); QUIC listeners speak HTTP/3 over
// UDP, and an HTTPS listener upgrading to one advertises it in Alt-Svc. A
// listener serves once its creation or start completes and until its stop
// or deletion completes; stopping it, deleting it or releasing its
// instance closes the port, and starting it again reopens it on the same
// port when that port is free. While no listener exists the data plane
// costs nothing: no goroutine, no socket.
//
// Discovery: ListenerAddr returns a listener's address and DataPlane all
// of them; the control API answers GET /_albtest/dataplane with
// {"listeners":[{"ListenerId":…,"LoadBalancerId":…,"Protocol":"HTTP","Port":80,"Address":"127.0.0.1:54321"}]}.
// CACertificate, CACertPool and CACertificatePEM (GET
// /_albtest/dataplane/ca) give the test CA. HTTPClient (HTTP and HTTPS) and
// HTTP3Client (QUIC) reach a listener by host name and its configured port,
// as clients reach the service ("https://www.example.com/" goes to the
// HTTPS listener on 443, through its instance's DNS name when several
// instances listen there), trusting the test CA; DialContext is their
// dialer.
//
//	srv := albtest.NewServer()
//	// … create an instance, an Ip server group with an httptest server as
//	// its member, a listener on port 80 and rules, through the SDK …
//	resp, err := srv.HTTPClient().Get("http://www.example.com/api/users")
//
// Each request is decided by package routing (the code the alb package's
// checks use) against the listener's rules and default action, and the
// actions are carried out: TrafficLimit first (QPS and PerIpQps token
// buckets on the server clock; routing.TrafficLimitedStatus over them),
// Cors (preflights answered 204, or 403 for an origin the rule does not
// allow; the other requests get the CORS headers), then the final action:
// Redirect and FixedResponse are answered by the listener; ForwardGroup
// sends the request through net/http/httputil.ReverseProxy to a member of
// one of its groups, after Rewrite, InsertHeader (UserDefined,
// ReferenceHeader, SystemDefined) and RemoveHeader, with a copy to each
// TrafficMirror group (whose answer is dropped), and the Response rules
// applied to the backend's answer. X-Forwarded-For is appended (or
// removed, or passed as the client sent it when off), and
// X-Forwarded-Proto (http or https), X-Forwarded-Port, X-Forwarded-Host,
// SLB-ID, X-Forwarded-Client-srcport and the client-certificate headers are
// added as the listener's XForwardedForConfig says; with
// XForwardedForClientSourceIps the client address that conditions, limits
// and hashing use is taken from X-Forwarded-For, past the trusted
// addresses. The clients and the backends see the listener's configured
// port and protocol, not the local port: in redirects (${port} and the
// default port), X-Forwarded-Port, and a Host header that names the local
// port (it names the listener's instead, no port for 80 on HTTP and 443 on
// HTTPS). Errors the listener answers itself carry X-Albtest-Reason: 503
// without a member of weight > 0 (no-member), 504 without an answer within
// RequestTimeout on the server clock (request-timeout), 502 when the
// connection is refused or broken (connection-refused, bad-gateway), when
// the member left and draining did not cover the request (drained), when
// an Instance member's address is not mapped (unreachable) and for Fc
// groups (function-compute, not emulated).
//
// Members: an Ip server is its own address (127.0.0.1:PORT of an
// httptest server works: Ip groups take loopback addresses, a documented
// difference from the service); an ECS instance, ENI or ECI member is
// reached at the local address its private address and port are mapped to
// (World.BackendAddresses, WithBackendAddress, MapBackendAddress, PUT
// /_albtest/dataplane/backends) and is unreachable otherwise. Server groups
// share a ForwardGroup's requests by weight and a group's members share
// them by its scheduler, both by smooth weighted round robin where weights
// decide (exact shares over every run of requests as long as the sum of
// the weights, also over one kept-alive connection: balancing is per
// request); Wlc takes the fewest requests in flight for the weight, Sch a
// weighted rendezvous hash of the client address or of the UchConfig query
// parameter. Weight 0 never gets a request. Sticky sessions: Insert sets
// the cookie SERVERID (StickyCookie) with Max-Age CookieTimeout and keeps a
// client on its member while the member is in the rotation; Server
// appends "!TOKEN" to the application's cookie in the backend's Set-Cookie
// and strips it from requests; a ForwardGroup's ServerGroupStickySession
// sets SERVERGROUPID (GroupStickyCookie). Slow start ramps a member's
// weight from nothing over SlowStartDuration from when it enters the
// rotation (Wrr). When a member is removed or found unhealthy, the
// requests in flight to it finish within ConnectionDrainTimeout with
// draining on, and are cut at once without it.
//
// Health checks probe the members of the groups serving listeners use (of
// weight > 0, the check on) as the group's HealthCheckConfig says:
// protocol (HTTP, HTTPS, TCP, gRPC), connect port, host, path, method, HTTP
// version, codes, interval, timeout and thresholds, a connection per
// probe. A member starts Initial and is probed at once; HealthyThreshold
// successes in a row put it in the rotation (Healthy) and
// UnhealthyThreshold failures take it out (Unhealthy, with the reason
// GetListenerHealthStatus reports: CONNECT_FAILED, CONNECT_TIMEOUT,
// RECV_RESPONSE_TIMEOUT, RESPONSE_MISMATCH with the codes expected and the
// status found, …). When no member of a group is in the rotation, every
// member of weight > 0 gets traffic (fail-open, as the service does).
// SetServerHealth overrides the probes for a member until set Healthy
// again. Probes, like every time in the data plane (request timeouts,
// draining, slow start, traffic limits), follow the server clock: under a
// ManualClock nothing happens in real time, Advance starts the probes that
// came due (and times out those in flight past their timeout) and
// WaitHealthChecks waits until their results are counted; under the wall
// clock or an OffsetClock they run in real time.
//
//	clk := albtest.NewManualClock(time.Time{})
//	srv := albtest.NewServer(albtest.WithClock(clk))
//	// … a listener whose group checks every 2 s, thresholds 3 …
//	clk.Advance(6 * time.Second)
//	_ = srv.WaitHealthChecks(ctx) // three probes counted: the verdicts are in
//
// A change reaches traffic when it completes, whole: a rule update, a
// member added or removed, a weight or a group's attributes changed, a
// listener's default action or certificates are served as they were until
// the control plane shows the change made.
//
// What the sources leave open is decided as GUESSes, documented where they
// are made: the answer to a preflight (204; 403 for another origin), the
// sticky cookies' values and the group cookie's name, that a member's
// first verdict needs the thresholds too, that without draining the
// requests in flight to a removed or unhealthy member are cut, that the
// connection's address is the last hop for XForwardedForClientSourceIps,
// the burst of traffic limits (a second's worth), the fingerprint header
// (SHA-1) and the verify header (SUCCESS), that gRPC backends and checks
// use HTTP/2 without TLS, and those of package routing (its doc says
// where they are listed).
//
// # ClientToken and DryRun
//
// Every write that takes them: the same token with the same parameters
// returns the first result; still in progress, 400 IdempotenceProcessing;
// other parameters, 400 IdempotentParameterMismatch. Tokens are scoped per
// action and access key. DryRun answers 400 DryRunOperation after every check
// and never changes state.
//
// # Test control
//
// InjectFault (error, count, probability, apply-then-fail, dropped
// connection, latency, hold), WithRateLimit / SetRateLimit (400
// Throttling.User). Every throttling answer, a rate limit's or an injected
// Throttling* fault's (Fault.RetryAfter), carries its retry delay in
// x-acs-retry-after (milliseconds, which aliyun-cli 3.4.0 and later wait
// before retrying) and in the TimeLeft of x-ratelimit-user-api (which the
// darabonba SDKs read). SetBusinessStatus (operation
// locks), SetForbidden (Forbidden.LoadBalancer), WithReadAfterCreateMisses
// (reads that miss right after create). Inspection: Requests, Count, Calls,
// TotalCalls, LoadBalancers, LoadBalancer, Created, Live, EIPs, VSwitches,
// ServerGroups, ServerGroup, Reset. Every method is safe for concurrent use.
//
// # Control API
//
// The same port answers a JSON control API under ControlPrefix
// ("/_albtest/"), for clients outside Go (Terraform, the CLI, other SDKs)
// running against the standalone program: faults, transitions, the clock
// (movable when it is an OffsetClock or a ManualClock), Advance,
// SetLoadBalancerStatus, SetBusinessStatus and SetServerGroupStatus, reads
// of instances, server groups, listeners, rules, certificates, security
// policies, EIPs, vSwitches, Jobs, the request log and counters,
// SetListenerStatus, SetRuleStatus, SetServerHealth, Reset and SetWorld,
// and the data plane (its listeners' addresses, the test CA, the backend
// address map, client certificates). It
// needs no signature and is for test environments only; WithoutControlAPI
// turns it off. Its requests are not logged. Every endpoint, with a curl
// example, is in the doc of examples/emulator (go doc ./examples/emulator).
//
// # Known differences (GUESSes are marked in the code)
//
// "The API metadata" in the code is the ALB 2020-06-16 API description
// (api-docs) with each operation's error codes; the IPv6, zone,
// address-type and MoveResourceGroup codes come from a later revision than
// the one in the project's reference material.
//
//   - Codes and statuses neither the API metadata nor the API reference
//     documents are GUESSes, among them the bandwidth-package refusals,
//     role deletion's codes and IdempotenceProcessing; the conditions behind
//     documented codes are GUESSes where the metadata gives none.
//   - Zone and address-type updates show their result at once; other
//     updates only when the job ends.
//   - A job is Processing exactly as long as its resource is pending.
//   - Service-linked role deletion is synchronous.
//   - Anycast EIPs are in the world's EIP list, listed by
//     ListAnycastEipAddresses only (not by DescribeEipAddresses, which
//     documents the EIPs of a region), and released with the instance.
//   - NextToken is a decimal offset.
//   - Not emulated: ACLs, zone shifts, Function Compute backends, gzip
//     compression (GzipEnabled is kept but answers pass as the backend
//     sent them), access logs and tracing of requests.
//   - The data plane serves each listener on a local port of its own, not
//     on the instance's addresses and the listener's port; its
//     certificates are the test CA's; health checks come from 127.0.0.1,
//     not from 100.64.0.0/10 or the instance's vSwitch addresses; the
//     connections to backends are kept alive whatever
//     UpstreamKeepaliveEnabled says; TLS 1.3 cipher suites are Go's (a
//     policy's TLS 1.3 suites are not selectable); IdleTimeout is real time.
//   - Server-group members read Available once added, whatever their
//     health checks find (GetListenerHealthStatus reports that).
//   - Faults' Latency uses real time, not the Clock.
package albtest
