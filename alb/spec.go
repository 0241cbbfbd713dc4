package alb

import (
	"slices"

	"github.com/albkit/albkit/eip"
)

// ZoneMapping places the instance in one zone through one vSwitch.
//
// Build it with [Zone] and the With methods, or as a literal.
type ZoneMapping struct {
	// ZoneID is the zone, e.g. "cn-hangzhou-h". Required.
	ZoneID string `json:"zoneId" validate:"required"`
	// VSwitchID is the vSwitch in that zone, e.g. "vsw-…". Required.
	VSwitchID string `json:"vSwitchId" validate:"required,startswith=vsw-"`
	// AllocationID is an existing EIP ("eip-…", or "aeip-…" for Anycast) to
	// associate with an Internet-facing instance in this zone. Empty on an
	// Internet-facing instance means ALB automatically assigns a
	// pay-as-you-go (pay-by-data-transfer) EIP.
	AllocationID string `json:"allocationId,omitempty" validate:"omitempty,alb_eipid"`
	// EIPType is Common or Anycast; it must be the same in every zone of one
	// instance. Empty means the service default (Common).
	EIPType eip.Type `json:"eipType,omitempty" validate:"omitempty,oneof=Common Anycast"`
	// IntranetAddress is an optional fixed private IPv4 address inside the
	// vSwitch CIDR block, not one of its reserved addresses.
	IntranetAddress string `json:"intranetAddress,omitempty" validate:"omitempty,alb_ipv4"`
}

// Zone returns a zone mapping for zoneID through vSwitchID.
func Zone(zoneID, vSwitchID string) ZoneMapping {
	return ZoneMapping{ZoneID: zoneID, VSwitchID: vSwitchID}
}

// WithEIP associates an existing EIP (by allocation ID) in this zone.
func (z ZoneMapping) WithEIP(allocationID string) ZoneMapping {
	z.AllocationID = allocationID
	return z
}

// WithEIPType sets the EIP type (Common or Anycast) for this zone.
func (z ZoneMapping) WithEIPType(t eip.Type) ZoneMapping {
	z.EIPType = t
	return z
}

// WithIntranetAddress fixes the private IPv4 address used in this zone.
func (z ZoneMapping) WithIntranetAddress(addr string) ZoneMapping {
	z.IntranetAddress = addr
	return z
}

// ReadOnlyMode is the configuration read-only mode (modification protection).
//
// It blocks changes made in the Alibaba Cloud console only: API calls,
// including albkit's, can still change the instance.
type ReadOnlyMode struct {
	// Enabled turns the mode on (ConsoleProtection on the wire).
	Enabled bool `json:"enabled"`
	// Reason says why, shown in the console. Only allowed when Enabled:
	// 2–128 characters of English letters, Chinese characters, digits 0–9,
	// ".", "_", "-", starting with an English letter or a Chinese character.
	Reason string `json:"reason,omitempty" validate:"omitempty,min=2,max=128,alb_startletter,alb_namechars"`
}

// InstanceSpec describes an ALB instance to create: every input of
// CreateLoadBalancer. Build it with [NewInstanceSpec] and the With methods
// (each returns a modified copy), or as a literal; check it with
// [InstanceSpec.Validate].
type InstanceSpec struct {
	// Name is optional: 2–128 characters of English letters (A–Z, a–z),
	// Chinese characters, digits 0–9, ".", "_" and "-", starting with an
	// English letter or a Chinese character. Other scripts ("café",
	// "Ёлка") and other digits ("٣") are refused, as by the service.
	Name string `json:"name,omitempty" validate:"omitempty,min=2,max=128,alb_startletter,alb_namechars"`
	// VPCID is the VPC of the instance and of its server groups. Required.
	VPCID string `json:"vpcId" validate:"required,startswith=vpc-"`
	// AddressType is Internet or Intranet. Required.
	AddressType AddressType `json:"addressType" validate:"required,oneof=Internet Intranet"`
	// IPVersion is IPv4 (default) or DualStack.
	IPVersion IPVersion `json:"ipVersion,omitempty" validate:"omitempty,oneof=IPv4 DualStack"`
	// Edition is Basic, Standard or StandardWithWaf. Required.
	Edition Edition `json:"edition" validate:"required,oneof=Basic Standard StandardWithWaf"`
	// AddressAllocatedMode is Fixed or Dynamic; empty leaves it to the service.
	AddressAllocatedMode AddressAllocatedMode `json:"addressAllocatedMode,omitempty" validate:"omitempty,oneof=Fixed Dynamic"`
	// ZoneMappings places the instance: two to ten zones, one vSwitch each
	// (one zone only in a region that has a single zone).
	ZoneMappings []ZoneMapping `json:"zoneMappings" validate:"max=10,dive"`
	// BandwidthPackageID associates an Internet-facing instance with an
	// Internet Shared Bandwidth instance ("cbwp-…") for more than the
	// default bandwidth. Internet only.
	BandwidthPackageID string `json:"bandwidthPackageId,omitempty" validate:"omitempty,startswith=cbwp-"`
	// Billing is the billing method; only PayAsYouGo (the default) exists.
	Billing BillingMethod `json:"billing,omitempty" validate:"omitempty,eq=PostPay"`
	// DeletionProtection enables deletion protection at creation.
	DeletionProtection bool `json:"deletionProtection,omitempty"`
	// ReadOnly sets the configuration read-only mode at creation.
	ReadOnly ReadOnlyMode `json:"readOnly"`
	// ResourceGroupID places the instance in a resource group ("rg-…").
	ResourceGroupID string `json:"resourceGroupId,omitempty" validate:"omitempty,startswith=rg-"`
	// SecurityGroupIDs attaches security groups ("sg-…") to the instance.
	SecurityGroupIDs []string `json:"securityGroupIds,omitempty" validate:"dive,startswith=sg-"`
	// Tags are attached at creation. At most 18: an instance takes at most
	// 20, and albkit adds two of its own ([TokenTagKey] and [SpecTagKey]).
	Tags []Tag `json:"tags,omitempty" validate:"dive"`
	// IPv6Internet gives a dual-stack instance's IPv6 addresses Internet
	// access (Ipv6AddressType Internet); false keeps them private. It is not
	// an input of CreateLoadBalancer: [Client.Ensure] applies it after the
	// create with EnableLoadBalancerIpv6Internet, and [Client.Create]
	// ignores it. DualStack only.
	IPv6Internet bool `json:"ipv6Internet,omitempty"`
	// AccessLog delivers the instance's access logs to an SLS project and
	// logstore (see [AccessLog]); the zero value is off. It is not an input
	// of CreateLoadBalancer: [Client.Ensure] applies it after the create
	// with EnableLoadBalancerAccessLog, and [Client.Create] ignores it.
	AccessLog AccessLog `json:"accessLog"`
	// IdempotencyKey identifies this logical create across retries and
	// process restarts; it becomes the ClientToken and the value of the
	// TokenTagKey tag. Printable ASCII, at most 64 characters, not starting
	// with "acs:" or "aliyun" and without "http://" or "https://" (the
	// rules of a tag value). Empty means the client generates one.
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"omitempty,max=64,printascii,alb_tagprefix,alb_nourl"`
}

// NewInstanceSpec returns a pay-as-you-go IPv4 spec in vpcID with the given
// address type, edition and zones.
func NewInstanceSpec(vpcID string, addressType AddressType, edition Edition, zones ...ZoneMapping) InstanceSpec {
	return InstanceSpec{
		VPCID:        vpcID,
		AddressType:  addressType,
		Edition:      edition,
		IPVersion:    IPv4,
		Billing:      PayAsYouGo,
		ZoneMappings: slices.Clone(zones),
	}
}

// WithName sets the instance name.
func (s InstanceSpec) WithName(name string) InstanceSpec { s.Name = name; return s }

// WithIPVersion sets IPv4 or DualStack.
func (s InstanceSpec) WithIPVersion(v IPVersion) InstanceSpec { s.IPVersion = v; return s }

// WithAddressAllocatedMode sets Fixed or Dynamic address allocation.
func (s InstanceSpec) WithAddressAllocatedMode(m AddressAllocatedMode) InstanceSpec {
	s.AddressAllocatedMode = m
	return s
}

// WithZones appends zone mappings.
func (s InstanceSpec) WithZones(zones ...ZoneMapping) InstanceSpec {
	s.ZoneMappings = append(slices.Clone(s.ZoneMappings), zones...)
	return s
}

// WithBandwidthPackage associates an Internet Shared Bandwidth instance.
func (s InstanceSpec) WithBandwidthPackage(id string) InstanceSpec {
	s.BandwidthPackageID = id
	return s
}

// WithDeletionProtection enables deletion protection at creation.
func (s InstanceSpec) WithDeletionProtection() InstanceSpec { s.DeletionProtection = true; return s }

// WithReadOnly enables the configuration read-only mode with a reason. The
// mode affects only the console.
func (s InstanceSpec) WithReadOnly(reason string) InstanceSpec {
	s.ReadOnly = ReadOnlyMode{Enabled: true, Reason: reason}
	return s
}

// WithResourceGroup places the instance in a resource group.
func (s InstanceSpec) WithResourceGroup(id string) InstanceSpec { s.ResourceGroupID = id; return s }

// WithSecurityGroups attaches security groups.
func (s InstanceSpec) WithSecurityGroups(ids ...string) InstanceSpec {
	s.SecurityGroupIDs = append(slices.Clone(s.SecurityGroupIDs), ids...)
	return s
}

// WithTag appends a tag.
func (s InstanceSpec) WithTag(key, value string) InstanceSpec {
	s.Tags = append(slices.Clone(s.Tags), Tag{Key: key, Value: value})
	return s
}

// WithAccessLog delivers the access logs to the SLS project and logstore
// (applied by [Client.Ensure]).
func (s InstanceSpec) WithAccessLog(project, store string) InstanceSpec {
	s.AccessLog = AccessLog{Project: project, Store: store}
	return s
}

// WithIdempotencyKey sets the key that makes the create idempotent across
// retries and restarts.
func (s InstanceSpec) WithIdempotencyKey(key string) InstanceSpec {
	s.IdempotencyKey = key
	return s
}

// billing returns the effective billing method: the spec's, PayAsYouGo
// when empty. The request carries it as it is, so the service judges the
// same value local validation did.
func (s InstanceSpec) billing() BillingMethod {
	if s.Billing == "" {
		return PayAsYouGo
	}
	return s.Billing
}

// ipVersion returns the effective IP version.
func (s InstanceSpec) ipVersion() IPVersion {
	if s.IPVersion == "" {
		return IPv4
	}
	return s.IPVersion
}
