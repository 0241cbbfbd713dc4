package alb

// Edition is the ALB instance edition (LoadBalancerEdition on the wire).
type Edition string

// The editions ALB offers. Each one includes every feature of the one before it.
const (
	// EditionBasic routes by domain name, URL and HTTP header.
	EditionBasic Edition = "Basic"
	// EditionStandard adds custom TLS security policies, Tracing Analysis,
	// redirection, rewrite and more to Basic.
	EditionStandard Edition = "Standard"
	// EditionStandardWithWAF ("WAF Enabled" in the console) adds integrated
	// Web Application Firewall (WAF) 3.0 protection to Standard. Creating it
	// has WAF side effects: see package waf.
	EditionStandardWithWAF Edition = "StandardWithWaf"
)

// Editions lists every edition, from Basic up.
func Editions() []Edition {
	return []Edition{EditionBasic, EditionStandard, EditionStandardWithWAF}
}

// Valid reports whether e is one of the known editions.
func (e Edition) Valid() bool {
	return e == EditionBasic || e == EditionStandard || e == EditionStandardWithWAF
}

func (e Edition) rank() int {
	switch e {
	case EditionBasic:
		return 1
	case EditionStandard:
		return 2
	case EditionStandardWithWAF:
		return 3
	}
	return 0
}

// SupportsContentRouting reports whether the edition routes by domain name,
// URL and HTTP header (every edition does).
func (e Edition) SupportsContentRouting() bool { return e.rank() >= 1 }

// SupportsCustomTLSPolicies reports whether custom TLS security policies are
// available (Standard and up).
func (e Edition) SupportsCustomTLSPolicies() bool { return e.rank() >= 2 }

// SupportsTracing reports whether Tracing Analysis is available (Standard and up).
func (e Edition) SupportsTracing() bool { return e.rank() >= 2 }

// SupportsRedirectRewrite reports whether redirection and rewrite rules are
// available (Standard and up).
func (e Edition) SupportsRedirectRewrite() bool { return e.rank() >= 2 }

// SupportsWAF reports whether integrated WAF 3.0 protection is included
// (StandardWithWaf only).
func (e Edition) SupportsWAF() bool { return e.rank() >= 3 }

// CanUpgradeTo reports whether UpdateLoadBalancerEdition may move an
// instance from e to target: nothing goes down to Basic, and the edition
// must change.
func (e Edition) CanUpgradeTo(target Edition) bool {
	return e.Valid() && target.Valid() && e != target && target != EditionBasic
}

// AddressType says whether the instance faces the Internet or only the VPC.
type AddressType string

// The address types.
const (
	// Internet instances get a public address (an EIP) in every zone.
	Internet AddressType = "Internet"
	// Intranet instances get private addresses only.
	Intranet AddressType = "Intranet"
)

// Valid reports whether t is Internet or Intranet.
func (t AddressType) Valid() bool { return t == Internet || t == Intranet }

// IPVersion is the protocol version the instance serves (AddressIpVersion).
type IPVersion string

// The IP versions.
const (
	// IPv4 serves IPv4 only. It is the default when IPVersion is empty.
	IPv4 IPVersion = "IPv4"
	// DualStack serves IPv4 and IPv6. IPv6 must be enabled on every vSwitch
	// first, and an IPv4 instance can never be upgraded to dual-stack: create
	// a new one instead.
	DualStack IPVersion = "DualStack"
)

// Valid reports whether v is IPv4 or DualStack.
func (v IPVersion) Valid() bool { return v == IPv4 || v == DualStack }

// normalizeIPVersion maps the read-side spelling "Ipv4" (seen by the
// Terraform provider) to IPv4.
func normalizeIPVersion(s string) IPVersion {
	if s == "Ipv4" || s == "ipv4" {
		return IPv4
	}
	return IPVersion(s)
}

// AddressAllocatedMode is how the instance's addresses are assigned.
//
// The default is disputed in the API documentation (the SDK says Fixed, the
// API metadata says Dynamic), and instances created after 2025-02-25 ignore
// it. albkit therefore sends it only when the spec sets it.
type AddressAllocatedMode string

// The address allocation modes.
const (
	// AddressFixed keeps one fixed address per zone.
	AddressFixed AddressAllocatedMode = "Fixed"
	// AddressDynamic lets addresses scale with load.
	AddressDynamic AddressAllocatedMode = "Dynamic"
)

// Valid reports whether m is Fixed or Dynamic.
func (m AddressAllocatedMode) Valid() bool { return m == AddressFixed || m == AddressDynamic }

// BillingMethod is the instance's pay type (LoadBalancerBillingConfig.PayType).
type BillingMethod string

// Billing methods. Only pay-as-you-go can be created.
const (
	// PayAsYouGo is the only billing method ALB accepts at creation
	// ("PostPay" on the wire). It is the default when Billing is empty.
	PayAsYouGo BillingMethod = "PostPay"
)

// Status is an instance's LoadBalancerStatus.
type Status string

// The statuses an instance goes through.
const (
	StatusProvisioning Status = "Provisioning" // being created
	StatusActive       Status = "Active"       // running
	StatusConfiguring  Status = "Configuring"  // being modified
	StatusInactive     Status = "Inactive"     // stopped, not forwarding
	StatusCreateFailed Status = "CreateFailed" // creation failed; not charged, can only be deleted
	StatusDeleting     Status = "Deleting"     // being released
)

// Tag is a key-value pair attached to an instance.
type Tag struct {
	// Key is 1–128 characters of valid UTF-8 and must not start with
	// "acs:" or "aliyun", nor contain "http://" or "https://". Keys
	// starting with "albkit:" are reserved for albkit itself.
	Key string `json:"key" validate:"required,alb_utf8,max=128,alb_tagprefix,alb_albkitprefix,alb_nourl"`
	// Value is at most 128 characters of valid UTF-8, must not start with
	// "acs:" or "aliyun", nor contain "http://" or "https://". It may be
	// empty.
	Value string `json:"value" validate:"alb_utf8,max=128,alb_tagprefix,alb_nourl"`
}
