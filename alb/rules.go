package alb

import (
	"strings"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// Rule identifiers reported in [FieldError.Rule] by spec-level validation.
// Fact-level validation also reports the rule identifiers of packages
// network (network.Rule*), eip (eip.Rule*) and waf (waf.RuleWAF2Present).
const (
	RuleRequired                     = "required"
	RuleVPCIDFormat                  = "vpc-id-format"
	RuleVSwitchIDFormat              = "vswitch-id-format"
	RuleEIPIDFormat                  = "eip-id-format"
	RuleBandwidthPackageIDFormat     = "cbwp-id-format"
	RuleResourceGroupIDFormat        = "rg-id-format"
	RuleSecurityGroupIDFormat        = "sg-id-format"
	RuleSecurityGroupUnique          = "security-group-unique"
	RuleAddressTypeEnum              = "address-type-enum"
	RuleIPVersionEnum                = "ip-version-enum"
	RuleEditionEnum                  = "edition-enum"
	RuleAddressAllocatedModeEnum     = "address-allocated-mode-enum"
	RuleEIPTypeEnum                  = "eip-type-enum"
	RuleIntranetAddressIPv4          = "intranet-address-ipv4"
	RuleZonesMin                     = "zones-min-2"
	RuleZonesMax                     = "zones-max-10"
	RuleZoneUnique                   = "zone-unique"
	RuleVSwitchUnique                = "vswitch-one-per-zone"
	RuleEIPUnique                    = "eip-unique"
	RuleNameLength                   = "name-length"
	RuleNameStartLetter              = "name-start-letter"
	RuleNameCharset                  = "name-charset"
	RuleTagsMax                      = "tags-max"
	RuleTagKeyRequired               = "tag-key-required"
	RuleTagKeyLength                 = "tag-key-length"
	RuleTagValueLength               = "tag-value-length"
	RuleTagKeyReservedPrefix         = "tag-key-reserved-prefix"
	RuleTagKeyAlbkitPrefix           = "tag-key-albkit-prefix"
	RuleTagValueReservedPrefix       = "tag-value-reserved-prefix"
	RuleTagNoURL                     = "tag-no-url"
	RuleTagKeyUnique                 = "tag-key-unique"
	RuleTagUTF8                      = "tag-utf8"
	RuleEIPInternetOnly              = eip.RuleInternetOnly
	RuleEIPTypeConsistent            = eip.RuleConsistentType
	RuleEIPAnycastNeedsEIP           = "eip-anycast-needs-eip"
	RuleBandwidthPackageInternetOnly = "bandwidth-package-internet-only"
	RuleBillingPayAsYouGo            = "billing-pay-as-you-go"
	RuleReadOnlyReasonRequiresMode   = "readonly-reason-requires-mode"
	RuleReadOnlyReasonLength         = "readonly-reason-length"
	RuleReadOnlyReasonStartLetter    = "readonly-reason-start-letter"
	RuleReadOnlyReasonCharset        = "readonly-reason-charset"
	RuleIdempotencyKeyASCII          = "idempotency-key-ascii"
	RuleIdempotencyKeyLength         = "idempotency-key-length"
	RuleIdempotencyKeyTagValue       = "idempotency-key-tag-value"
	RuleVSwitchExists                = "vswitch-exists"
	RuleEIPExists                    = "eip-exists"
)

// Level says what a rule needs to be checked.
type Level string

// Validation levels.
const (
	// LevelSpec rules need only the spec: [InstanceSpec.Validate].
	LevelSpec Level = "spec"
	// LevelFacts rules need live facts: [InstanceSpec.ValidateFacts].
	LevelFacts Level = "facts"
	// LevelLive rules need the APIs themselves: [Client.PlanCreate] and
	// [Client.PlanRelease] check them (each has an emulator world that
	// fails it and one that passes it in the tests).
	LevelLive Level = "live"
	// LevelAttach rules depend on the instance a server group serves
	// (its edition): they are checked where the group is attached to a
	// listener, by [CheckServerGroupEdition].
	LevelAttach Level = "attach"
)

// Check says how albkit checks a rule of the product documentation.
type Check string

// How rules are checked.
const (
	// CheckedLocally: from the spec alone, before any API call
	// ([InstanceSpec.Validate]).
	CheckedLocally Check = "checked locally"
	// CheckedLive: against live facts read through the APIs
	// ([Client.PlanCreate], [Client.PlanRelease]).
	CheckedLive Check = "checked live"
	// ReportedSideEffect: not a refusal but a consequence the plan reports
	// ([CreatePlan.SideEffects], [ReleasePlan.EIPs]).
	ReportedSideEffect Check = "reported as a side effect"
	// CheckedAtAttach: from the spec and the edition of the instance whose
	// listener uses the server group ([CheckServerGroupEdition]).
	CheckedAtAttach Check = "checked when attached to a listener"
)

// RuleScope says which specs a rule applies to.
type RuleScope string

// Rule scopes. A rule shared by several specs has their scopes joined by
// ", " ([RuleInfo.Applies] tells).
const (
	ScopeInstance    RuleScope = "instance"     // InstanceSpec and the instance's operations
	ScopeServerGroup RuleScope = "server group" // ServerGroupSpec and its servers
)

// RuleInfo documents one validation rule and where it comes from.
type RuleInfo struct {
	ID     string    // the value found in FieldError.Rule, Finding.Rule or SideEffect.Kind
	Level  Level     // spec, facts, live or attach (spec+facts for a rule checked at both levels)
	Source string    // the product documentation (seed) section, "API" for API parameter constraints, the SDK or the reference section
	Text   string    // what the rule says
	Check  Check     // how albkit checks it: locally, live, when attached, or reported as a side effect
	Scope  RuleScope // what it applies to: instance, server group, or both ("instance, server group")
}

// Applies reports whether the rule applies to specs of scope s.
func (r RuleInfo) Applies(s RuleScope) bool {
	for part := range strings.SplitSeq(string(r.Scope), ", ") {
		if RuleScope(part) == s {
			return true
		}
	}
	return false
}

// ruleRow is one row of Rules before its Check is derived.
type ruleRow struct {
	ID     string
	Level  Level
	Source string
	Text   string
}

// Rules returns every validation rule albkit applies, with its source, in
// a stable order: the instance's, then the server groups', then the
// listeners', forwarding rules' (package routing's) and security
// policies' (rules shared are listed once, with the first, and say so in
// Scope). The README's feature tables are this list.
func Rules() []RuleInfo {
	const (
		pre = "Prerequisites"
		cr  = "Create"
		api = "API (CreateLoadBalancer parameters)"
		prt = "Enable deletion protection and modification protection"
	)
	rows := []ruleRow{
		{RuleZonesMin, LevelSpec, pre + "/" + cr, "select at least two zones (vSwitches in at least two zones); one only in a single-zone region (DescribeZones lists one ALB zone)"},
		{RuleZonesMax, LevelSpec, api, "at most 10 zone mappings"},
		{RuleZoneUnique, LevelSpec, api, "each zone at most once"},
		{RuleVSwitchUnique, LevelSpec, cr, "one vSwitch per zone: a vSwitch is not reused across zones"},
		{RuleRequired, LevelSpec, api, "VPC, address type, edition, and each zone's zone ID and vSwitch ID are required"},
		{RuleVPCIDFormat, LevelSpec, cr, "the VPC ID looks like vpc-…"},
		{RuleVSwitchIDFormat, LevelSpec, cr, "vSwitch IDs look like vsw-…"},
		{RuleAddressTypeEnum, LevelSpec, cr, "address type is Internet or Intranet"},
		{RuleIPVersionEnum, LevelSpec, cr, "IP version is IPv4 or DualStack"},
		{RuleIPv6NeedsDualStack, LevelSpec, cr, "IPv6 Internet access only for a dual-stack instance (an IPv4 instance cannot become one)"},
		{RuleEditionEnum, LevelSpec, cr, "edition is Basic, Standard or StandardWithWaf (WAF Enabled)"},
		{RuleAddressAllocatedModeEnum, LevelSpec, api, "address allocation mode is Fixed or Dynamic"},
		{RuleNameLength, LevelSpec, cr + " (Instance Name)", "name is 2–128 characters"},
		{RuleNameStartLetter, LevelSpec, cr + " (Instance Name) + " + api, "name starts with an English letter or a Chinese character"},
		{RuleNameCharset, LevelSpec, cr + " (Instance Name) + " + api, "name has English letters, Chinese characters, digits 0-9, '.', '_', '-' only"},
		{RuleEIPInternetOnly, LevelSpec, cr + " (Zone)", "EIPs only on Internet-facing instances"},
		{RuleEIPIDFormat, LevelSpec, cr + " (Zone)", "EIP allocation IDs look like eip-… or aeip-…"},
		{RuleEIPUnique, LevelSpec, cr + " (Zone)", "one EIP per zone: an EIP is not reused across zones"},
		{RuleEIPTypeEnum, LevelSpec, cr + " (EIP restrictions)", "EIP type is Common or Anycast"},
		{RuleEIPTypeConsistent, LevelSpec + "+" + LevelFacts, cr + " (EIP restrictions)", "the EIP types of all zones of one instance are the same, and a declared type matches the EIP (a zone without an EIP gets a Common one; aeip-… is Anycast)"},
		{RuleEIPAnycastNeedsEIP, LevelSpec, cr + " (Zone)", "an Anycast zone names its Anycast EIP: ALB assigns only Common pay-by-data-transfer EIPs automatically (GUESS: the product doc names no automatic Anycast EIP)"},
		{RuleIntranetAddressIPv4, LevelSpec, api, "a fixed intranet address is an IPv4 address"},
		{RuleBandwidthPackageInternetOnly, LevelSpec, cr + " (Associate with EIP Bandwidth Plan)", "an Internet Shared Bandwidth instance only for Internet-facing instances"},
		{RuleBandwidthPackageIDFormat, LevelSpec, cr + " (Associate with EIP Bandwidth Plan)", "the bandwidth package ID looks like cbwp-…"},
		{RuleBillingPayAsYouGo, LevelSpec, cr + " (Billing Method)", "pay-as-you-go (PostPay) billing only"},
		{RuleResourceGroupIDFormat, LevelSpec, cr + " (Resource Group)", "the resource group ID looks like rg-…"},
		{RuleSecurityGroupIDFormat, LevelSpec, api, "security group IDs look like sg-…"},
		{RuleSecurityGroupUnique, LevelSpec, api, "each security group at most once"},
		{RuleTagsMax, LevelSpec, cr + " (tags)", "at most 18 tags (20 per instance, two kept for albkit's idempotency and spec-digest tags; the 20 is a GUESS from TagResources)"},
		{RuleTagKeyRequired, LevelSpec, api, "tag keys are not empty"},
		{RuleTagKeyLength, LevelSpec, api, "tag keys are at most 128 characters"},
		{RuleTagValueLength, LevelSpec, api, "tag values are at most 128 characters"},
		{RuleTagKeyReservedPrefix, LevelSpec, api, "tag keys do not start with acs: or aliyun"},
		{RuleTagKeyAlbkitPrefix, LevelSpec, "albkit", "tag keys do not start with albkit:, kept for albkit's own tags (its idempotency tag " + TokenTagKey + ")"},
		{RuleTagValueReservedPrefix, LevelSpec, api, "tag values do not start with acs: or aliyun"},
		{RuleTagNoURL, LevelSpec, api, "tag keys and values do not contain http:// or https://"},
		{RuleTagKeyUnique, LevelSpec, api, "each tag key at most once"},
		{RuleTagUTF8, LevelSpec, "albkit (the SDK's encoding)", "tag keys and values are valid UTF-8: the SDK sends each invalid byte as U+FFFD, so the tag the service keeps would never match the spec"},
		{RuleReadOnlyReasonRequiresMode, LevelSpec, prt, "a read-only reason only with the configuration read-only mode"},
		{RuleReadOnlyReasonLength, LevelSpec, prt, "the read-only reason is 2–128 characters"},
		{RuleReadOnlyReasonStartLetter, LevelSpec, prt + " + " + api, "the read-only reason starts with an English letter or a Chinese character"},
		{RuleReadOnlyReasonCharset, LevelSpec, prt + " + " + api, "the read-only reason has English letters, Chinese characters, digits 0-9, '.', '_', '-' only"},
		{RuleAccessLogProjectName, LevelSpec, "SLS (Manage a project)", "the access log's SLS project is 3–63 characters of lower-case letters, digits and hyphens, starting and ending with a letter or a digit"},
		{RuleAccessLogStoreName, LevelSpec, "SLS (Logstore naming rules)", "the access log's SLS logstore is 3–63 characters of lower-case letters, digits, hyphens and underscores, starting and ending with a letter or a digit"},
		{RuleIdempotencyKeyASCII, LevelSpec, api + " ClientToken", "the idempotency key is printable ASCII"},
		{RuleIdempotencyKeyLength, LevelSpec, api + " ClientToken", "the idempotency key is at most 64 characters"},
		{RuleIdempotencyKeyTagValue, LevelSpec, api + " Tag.N.Value", "the idempotency key is also the value of albkit's token tag: it does not start with acs: or aliyun, nor contain http:// or https://"},
		{RuleVSwitchExists, LevelFacts, pre + " (VPC and vSwitches)", "every vSwitch exists in the region"},
		{network.RuleVPCMismatch, LevelFacts, cr + " (VPC)", "every vSwitch belongs to the instance's VPC"},
		{network.RuleZoneMismatch, LevelFacts, cr + " (Zone)", "every vSwitch is in the zone it is mapped to"},
		{network.RuleVSwitchNotAvailable, LevelFacts, pre + " (VPC and vSwitches)", "every vSwitch is Available"},
		{network.RulePrefixTooLong, LevelFacts, pre + " (IP address planning)", "vSwitch network prefix no longer than /28"},
		{network.RuleNotEnoughAddresses, LevelFacts, pre + " (IP address planning)", "ALB takes three addresses from each vSwitch"},
		{network.RuleAutoScalingAddresses, LevelFacts, pre + " (IP address planning)", "at least eight free addresses per vSwitch for auto scaling (a warning; blocking with StrictAddresses)"},
		{network.RuleIPv6Required, LevelFacts, cr + " (IP Version)", "dual-stack needs IPv6 enabled on every vSwitch"},
		{network.RuleIntranetOutsideCIDR, LevelFacts, pre + " (IP address planning)", "a fixed intranet address is inside the vSwitch CIDR block"},
		{network.RuleIntranetReserved, LevelFacts, pre + " (IP address planning)", "a fixed intranet address is not the first one or the last three of the vSwitch"},
		{RuleEIPExists, LevelFacts, cr + " (Zone)", "every EIP exists in the region"},
		{eip.RulePayAsYouGo, LevelFacts, cr + " (EIP restrictions)", "only pay-as-you-go EIPs"},
		{eip.RulePayByTraffic, LevelFacts, cr + " (EIP restrictions)", "only pay-by-data-transfer EIPs"},
		{eip.RuleNoSharedBandwidth, LevelFacts, cr + " (EIP restrictions)", "only EIPs not associated with an Internet Shared Bandwidth instance"},
		{eip.RuleEIPTypeValid, LevelFacts, cr + " (EIP restrictions)", "the EIP is of a known type, Common or Anycast"},
		{eip.RuleAvailable, LevelFacts, cr + " (Zone)", "the EIP is available, not associated with another resource"},
		{waf.RuleWAF2Present, LevelFacts, cr + " (WAF Enabled edition details)", "WAF Enabled edition refused while a WAF 2.0 instance exists: release it or migrate to WAF 3.0, then enable X-Forwarded-Proto on listeners"},
		{RuleRegionOffersALB, LevelLive, cr + " (Region)", "the region offers ALB (DescribeRegions)"},
		{RuleZoneAvailable, LevelLive, cr + " (Zone)", "every zone is one where ALB is available (DescribeZones)"},
		{RuleServiceLinkedRole, LevelLive, cr, "the service-linked role AliyunServiceRoleForAlb exists, or is created when the caller opts in (CreateServiceLinkedRole)"},
		{RuleQuota, LevelLive, cr, "the region's instance count is below the quota (default 60, WithLoadBalancerQuota); the service's QuotaExceeded.LoadBalancersNum is ErrQuotaExceeded"},
		{RuleServiceDryRun, LevelLive, api + " DryRun", "optional (WithServiceDryRun): the service's own DryRun create passes"},
		{SideEffectEIPAutoAssigned, LevelLive, cr + " (Zone)", "a zone of an Internet-facing instance without an EIP gets a pay-as-you-go, pay-by-data-transfer EIP"},
		{SideEffectVSwitchAddresses, LevelLive, pre + " (IP address planning)", "ALB takes three addresses from each vSwitch; the plan says how many stay free"},
		{SideEffectWAFActivated, LevelLive, cr + " (WAF Enabled edition details)", "no WAF instance: a pay-as-you-go WAF 3.0 instance is activated and billed (a 3.0 subscription: no extra fee)"},
		{SideEffectBandwidth, LevelLive, cr + " (Associate with EIP Bandwidth Plan)", "public traffic is billed per EIP, or shared through an Internet Shared Bandwidth instance"},
		{"backend-allow-list", LevelLive, pre + " (security groups)", "backend security groups must allow the vSwitch CIDR blocks (IPv4, and IPv6 for dual stack): CreatePlan.BackendAllowList"},
		{RuleIPVersionUpgrade, LevelLive, cr + " (IP Version)", "an existing IPv4 instance cannot become dual-stack: create a new dual-stack instance (CheckIPVersionChange)"},
		{RuleDomainStillResolves, LevelLive, "Release an ALB instance", "a custom domain that still resolves (CNAME chain) to the instance blocks the release unless overridden; the caller names the domains"},
		{RuleUserEIPReleased, LevelLive, "Release an ALB instance", "EIPs are released with the instance: each is marked auto-assigned or the user's own, and a user's own needs AcknowledgeUserEIPs; after release DescribeEipAddresses (ListAnycastEipAddresses for Anycast EIPs) confirms they are gone"},
	}
	sideEffects := map[string]bool{SideEffectEIPAutoAssigned: true, SideEffectVSwitchAddresses: true, SideEffectWAFActivated: true,
		SideEffectBandwidth: true, "backend-allow-list": true, RuleUserEIPReleased: true}
	out := make([]RuleInfo, len(rows))
	for i, r := range rows {
		ck := CheckedLive
		switch {
		case sideEffects[r.ID]:
			ck = ReportedSideEffect
		case r.ID == RuleZonesMin:
			ck = CheckedLocally + " + " + CheckedLive // the single-zone allowance comes from DescribeZones
		case r.Level == LevelSpec:
			ck = CheckedLocally
		case r.Level != LevelFacts && r.Level != LevelLive:
			ck = CheckedLocally + " + " + CheckedLive
		}
		out[i] = RuleInfo{ID: r.ID, Level: r.Level, Source: r.Source, Text: r.Text, Check: ck, Scope: ScopeInstance}
		if sh, ok := sharedWithServerGroups[r.ID]; ok {
			out[i].Scope = ScopeInstance + ", " + ScopeServerGroup
			out[i].Source += " / " + sh.source
			out[i].Text += sh.text
		}
	}
	for _, r := range serverGroupRules() {
		ck := CheckedLocally
		if r.Level == LevelAttach {
			ck = CheckedAtAttach
		}
		out = append(out, RuleInfo{ID: r.ID, Level: r.Level, Source: r.Source, Text: r.Text, Check: ck, Scope: ScopeServerGroup})
	}
	return addListenerRules(out) // listeners, forwarding rules, security policies
}

// sharedWithServerGroups are the instance's rules that server groups
// follow too, with what they add to the rule's source and text.
var sharedWithServerGroups = map[string]struct{ source, text string }{
	RuleRequired:               {"SDK CreateServerGroup, AddServersToServerGroup", "; a server group's name and VPC (Instance and Ip groups), and each server's type and ID"},
	RuleVPCIDFormat:            {"SDK CreateServerGroup VpcId", ""},
	RuleResourceGroupIDFormat:  {"SDK CreateServerGroup ResourceGroupId", ""},
	RuleEditionEnum:            {"CheckServerGroupEdition", ""},
	RuleNameLength:             {"SDK CreateServerGroup ServerGroupName", ""},
	RuleNameStartLetter:        {"SDK CreateServerGroup ServerGroupName", ""},
	RuleNameCharset:            {"SDK CreateServerGroup ServerGroupName (ref 1.1: Chinese too)", ""},
	RuleTagsMax:                {"ref 0 (Tag.N)", "; a server group too (20, GUESS as for instances)"},
	RuleTagKeyRequired:         {"SDK CreateServerGroup Tag", ""},
	RuleTagKeyLength:           {"SDK CreateServerGroup Tag", ""},
	RuleTagValueLength:         {"SDK CreateServerGroup Tag", ""},
	RuleTagKeyReservedPrefix:   {"SDK CreateServerGroup Tag", ""},
	RuleTagKeyAlbkitPrefix:     {"albkit", ""},
	RuleTagValueReservedPrefix: {"SDK CreateServerGroup Tag", ""},
	RuleTagNoURL:               {"SDK CreateServerGroup Tag", ""},
	RuleTagKeyUnique:           {"SDK CreateServerGroup Tag", ""},
	RuleTagUTF8:                {"albkit", ""},
	RuleIdempotencyKeyASCII:    {"SDK CreateServerGroup ClientToken", ""},
	RuleIdempotencyKeyLength:   {"SDK CreateServerGroup ClientToken", ""},
	RuleIdempotencyKeyTagValue: {"SDK CreateServerGroup Tag.N.Value", ""},
}

// serverGroupRules are the rules of server groups and their servers
// (besides the shared ones). Sources: "SDK X" is the official SDK's
// request model of operation X (alb-20200616 v2.3.2), "ref N" a section of
// the project's API reference (alb-stack-api.md), DOC-quota the quota
// table, "albkit" albkit's own policy (a value the service would ignore or
// that only albkit reads is refused rather than dropped).
func serverGroupRules() []ruleRow {
	const (
		create = "SDK CreateServerGroup"
		hc     = "SDK CreateServerGroup HealthCheckConfig"
		sticky = "SDK CreateServerGroup StickySessionConfig"
		add    = "SDK AddServersToServerGroup Servers"
		ref    = "ref 2.1"
	)
	return []ruleRow{
		{RuleServerGroupTypeEnum, LevelSpec, create + " ServerGroupType", "the type is Instance (default), Ip or Fc"},
		{RuleServerGroupProtocolEnum, LevelSpec, create + " Protocol; ListServerGroups answers GRPC", "the backend protocol is HTTP (default), HTTPS or gRPC (GRPC taken too)"},
		{RuleServerGroupSchedulerEnum, LevelSpec, create + " Scheduler; ref 1.1 (Uch: Terraform)", "the scheduler is Wrr (default), Wlc or Sch; Uch is taken (GUESS: Terraform accepts it)"},
		{RuleServerGroupURLHashFormat, LevelSpec, create + " UchConfig.Value", "the URL hash parameter is 1–100 ASCII characters (GUESS: the length is the emulator's; the SDK gives none)"},
		{RuleServerGroupURLHashNeedsSch, LevelSpec, "albkit; SDK ListServerGroups Scheduler", "a URL hash parameter only with the Sch (or Uch) scheduler, whose hash factor it is"},
		{RuleServerGroupHealthCheckProtocolEnum, LevelSpec, hc + " HealthCheckProtocol", "the health check protocol is HTTP (default), HTTPS, TCP or gRPC"},
		{RuleServerGroupHealthCheckPort, LevelSpec, hc + " HealthCheckConnectPort", "the health check port is 0 (the server's port) to 65535"},
		{RuleServerGroupHealthCheckHost, LevelSpec, hc + " HealthCheckHost; ref 1.6", "the health check host is $SERVER_IP or a domain of 1–80 letters, digits, '-', '.', with a dot, not starting or ending with '.' or '-', whose last label has letters only (capitals taken: GUESS)"},
		{RuleServerGroupHealthCheckPath, LevelSpec, hc + " HealthCheckPath", "the health check path is 1–80 characters starting with '/', of letters, digits and - / . % ? # & = _ ; ~ ! ( ) * [ ] @ $ ^ : \" , +"},
		{RuleServerGroupHealthCheckMethodEnum, LevelSpec, hc + " HealthCheckMethod", "the health check method is GET, POST or HEAD"},
		{RuleServerGroupHealthCheckHTTPVersionEnum, LevelSpec, hc + " HealthCheckHttpVersion; " + ref, "the health check HTTP version is HTTP1.0 or HTTP1.1"},
		{RuleServerGroupHealthCheckCodesMax, LevelSpec, ref + " (ROS)", "at most 20 health check codes"},
		{RuleServerGroupHealthCheckCodeFormat, LevelSpec, ref + " (ROS)", "health check codes are http_2xx, http_3xx, http_4xx, http_5xx for HTTP and HTTPS; 0–99 or a range such as 0-5 for gRPC"},
		{RuleServerGroupHealthCheckInterval, LevelSpec, hc + " HealthCheckInterval", "the health check interval is 1–50 s (default 2)"},
		{RuleServerGroupHealthCheckTimeout, LevelSpec, hc + " HealthCheckTimeout", "the health check timeout is 1–300 s (default 5)"},
		{RuleServerGroupHealthCheckThreshold, LevelSpec, hc + " HealthyThreshold, UnhealthyThreshold", "the healthy and unhealthy thresholds are 2–10 (default 3)"},
		{RuleServerGroupHealthCheckFieldProtocol, LevelSpec, "albkit; " + hc + " (\"takes effect only if\")", "no health check field its protocol does not use: method and host only for HTTP, HTTPS, gRPC; path and HTTP version only for HTTP, HTTPS; codes not for TCP"},
		{RuleServerGroupStickyTypeEnum, LevelSpec, sticky + " StickySessionType", "the session persistence type is Insert or Server"},
		{RuleServerGroupStickyCookieTimeout, LevelSpec, sticky + " CookieTimeout", "the Insert cookie timeout is 1–86400 s (default 1000)"},
		{RuleServerGroupStickyCookieFormat, LevelSpec, sticky + " Cookie", "the Server cookie is 1–200 printable ASCII characters without ',', ';' or space, not starting with '$'"},
		{RuleServerGroupStickyCookieRequired, LevelSpec, sticky + " Cookie", "session persistence of type Server names the application's cookie"},
		{RuleServerGroupStickyFieldType, LevelSpec, "albkit; " + sticky + " (\"takes effect only when\")", "a cookie timeout only with Insert, a cookie name only with Server"},
		{RuleServerGroupStickyNeedsCrossZone, LevelSpec, create + " CrossZoneEnabled; " + ref, "session persistence cannot be enabled while cross-zone load balancing is off"},
		{RuleServerGroupSlowStartRange, LevelSpec, create + " SlowStartConfig.SlowStartDuration", "slow start lasts 30–900 s"},
		{RuleServerGroupSlowStartNeedsWrr, LevelSpec, create + " SlowStartConfig; " + ref, "slow start only with the Wrr scheduler"},
		{RuleServerGroupDrainTimeoutRange, LevelSpec, create + " ConnectionDrainConfig.ConnectionDrainTimeout", "the connection drain timeout is 0–900 s"},
		{RuleServerGroupDrainTimeoutNeedsEnabled, LevelSpec, "albkit", "a connection drain timeout only with connection draining enabled"},
		{RuleServerGroupIPVersionAffinityEnum, LevelSpec, create + " IpVersionAffinityMode; ref 1.1 (NLB's values)", "the IP version affinity is Affinity or NonAffinity (GUESS: the NLB's values)"},
		{RuleServerGroupFcUnsupported, LevelSpec, create + "; " + ref + "; Terraform CustomizeDiff (VPC)", "an Fc group has no VPC, scheduler, URL hash, session persistence, slow start or connection draining, speaks HTTP only, and keeps cross-zone load balancing on"},
		{RuleServerGroupMembershipEnum, LevelSpec, "albkit", "membership is Owned or Shared (default)"},
		{RuleServerGroupServersMax, LevelSpec, "DOC-quota (ref 2.6)", "at most 1,000 servers per group (the client splits them into calls of 200, 40 for attribute updates)"},
		{RuleServerGroupSlowStartEdition, LevelAttach, create + " SlowStartConfig; ref 2.5", "slow start needs a Standard or WAF-enabled instance"},
		{RuleServerGroupDrainEdition, LevelAttach, create + " ConnectionDrainConfig; ref 2.5", "connection draining needs a Standard or WAF-enabled instance"},
		{RuleServerGroupCrossZoneOffEdition, LevelAttach, create + " CrossZoneEnabled; ref 2.5", "cross-zone load balancing off needs a Standard or WAF-enabled instance"},
		{RuleServerTypeEnum, LevelSpec, add + ".ServerType", "the server type is Ecs, Eni, Eci, Ip or Fc"},
		{RuleServerTypeMatchesGroup, LevelSpec, add + ".ServerType; " + ref, "the server type matches the group: Ecs, Eni, Eci for Instance; Ip for Ip; Fc for Fc"},
		{RuleServerPort, LevelSpec, add + ".Port", "the port is 1–65535, required unless Fc"},
		{RuleServerWeight, LevelSpec, add + ".Weight", "the weight is 0–100 (0: no new requests; the constructors set 100)"},
		{RuleServerDescription, LevelSpec, add + ".Description", "the description is 2–256 characters, not starting with http:// or https://"},
		{RuleServerIPFormat, LevelSpec, add + ".ServerIp", "the server IP is an IP address"},
		{RuleServerIPAddress, LevelSpec, add + ".ServerId", "the ID of an Ip server is an IP address"},
		{RuleServerIPMatchesID, LevelSpec, add + " (GUESS: the emulator's)", "the IP of an Ip server is empty or its ID as written"},
		{RuleServerIPv6NeedsIPv6Group, LevelSpec, "create-and-manage-a-server-group (IPv6)", "IPv6 servers only in a group with IPv6 enabled"},
		{RuleServerFcARN, LevelSpec, add + ".ServerId (GUESS: acs:fc: prefix)", "the ID of an Fc server is a function ARN (acs:fc:…)"},
		{RuleServerFieldType, LevelSpec, "albkit; " + add + " (\"do not need to set\", \"takes effect only when\")", "an Fc server has no port, weight or IP; remote IP only for Ip servers"},
		{RuleServerUnique, LevelSpec, "ref 1.2 (identity)", "each server once by identity (type, ID, port, IP)"},
		{RuleServerIPAllOrNone, LevelSpec, "albkit; ref 1.2 (identity)", "entries of one ECS, ENI or ECI resource and port give an IP for all or none (an empty IP is the primary address, which only the service knows)"},
		{RuleServerAbsentConflict, LevelSpec, "albkit", "a server is not both listed and absent"},
	}
}
