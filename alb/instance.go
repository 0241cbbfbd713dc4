package alb

import (
	"encoding/json"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/eip"
)

// Instance is an ALB instance as the service reports it.
type Instance struct {
	ID                   string               // instance ID, "alb-…"
	Name                 string               // instance name
	RegionID             string               // region; empty in List results
	VPCID                string               // VPC of the instance
	DNSName              string               // the instance's DNS name; point a CNAME at it
	Status               Status               // LoadBalancerStatus
	BusinessStatus       string               // Normal or Abnormal
	Edition              Edition              // Basic, Standard or StandardWithWaf
	AddressType          AddressType          // Internet or Intranet
	IPVersion            IPVersion            // IPv4 or DualStack ("Ipv4" on the wire is normalised)
	IPv6AddressType      string               // Internet or Intranet, for dual-stack instances
	AddressAllocatedMode AddressAllocatedMode // Fixed or Dynamic
	BandwidthPackageID   string               // associated Internet Shared Bandwidth instance
	ResourceGroupID      string               // resource group
	SecurityGroupIDs     []string             // attached security groups
	// DeletionProtection is the deletion protection state.
	DeletionProtection bool
	// ReadOnly is the configuration read-only mode (console only).
	ReadOnly ReadOnlyMode
	// AccessLog is where the access logs go (the zero value: off).
	AccessLog AccessLog
	Zones     []InstanceZone // zones with their addresses; empty in List results
	Tags      []Tag          // tags, including albkit's TokenTagKey
	Locks     []Lock         // operation locks; non-empty means the instance is restricted
	CreatedAt time.Time      // creation time (UTC)
}

// InstanceZone is one zone of an instance with its addresses.
type InstanceZone struct {
	ZoneID    string            // zone
	VSwitchID string            // vSwitch the instance uses in the zone
	Status    string            // Active, Stopped, Shifted, Starting or Stopping
	Addresses []InstanceAddress // addresses in the zone
}

// InstanceAddress is one address of an instance in a zone.
type InstanceAddress struct {
	// Address is the public IPv4 address (Internet) or private one (Intranet).
	Address string
	// AllocationID is the EIP bound in this zone, if any.
	AllocationID string
	// EIPType is Common or Anycast.
	EIPType         eip.Type
	IntranetAddress string // private IPv4 address in the vSwitch
	IPv6Address     string // IPv6 address of a dual-stack instance
}

// Lock is an operation lock on an instance.
type Lock struct {
	Type   string // SecurityLocked, RelatedResourceLocked, FinancialLocked or ResidualLocked
	Reason string // why; meaningful when the business status is Abnormal
}

// Token returns the ClientToken albkit tagged the instance with at creation
// ("" if the instance was not created by albkit).
func (i *Instance) Token() string {
	for _, t := range i.Tags {
		if t.Key == TokenTagKey {
			return t.Value
		}
	}
	return ""
}

// EIPs returns the allocation IDs of every EIP associated with the instance.
func (i *Instance) EIPs() []string {
	var ids []string
	for _, z := range i.Zones {
		for _, a := range z.Addresses {
			if a.AllocationID != "" {
				ids = append(ids, a.AllocationID)
			}
		}
	}
	return ids
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func instanceFromAttribute(b *albsdk.GetLoadBalancerAttributeResponseBody) *Instance {
	i := &Instance{
		ID:                   tea.StringValue(b.LoadBalancerId),
		Name:                 tea.StringValue(b.LoadBalancerName),
		RegionID:             tea.StringValue(b.RegionId),
		VPCID:                tea.StringValue(b.VpcId),
		DNSName:              tea.StringValue(b.DNSName),
		Status:               Status(tea.StringValue(b.LoadBalancerStatus)),
		BusinessStatus:       tea.StringValue(b.LoadBalancerBussinessStatus),
		Edition:              Edition(tea.StringValue(b.LoadBalancerEdition)),
		AddressType:          AddressType(tea.StringValue(b.AddressType)),
		IPVersion:            normalizeIPVersion(tea.StringValue(b.AddressIpVersion)),
		IPv6AddressType:      tea.StringValue(b.Ipv6AddressType),
		AddressAllocatedMode: AddressAllocatedMode(tea.StringValue(b.AddressAllocatedMode)),
		BandwidthPackageID:   tea.StringValue(b.BandwidthPackageId),
		ResourceGroupID:      tea.StringValue(b.ResourceGroupId),
		SecurityGroupIDs:     tea.StringSliceValue(b.SecurityGroupIds),
		CreatedAt:            parseTime(tea.StringValue(b.CreateTime)),
	}
	if b.DeletionProtectionConfig != nil {
		i.DeletionProtection = tea.BoolValue(b.DeletionProtectionConfig.Enabled)
	}
	if m := b.ModificationProtectionConfig; m != nil && tea.StringValue(m.Status) == modificationConsoleProtection {
		i.ReadOnly = ReadOnlyMode{Enabled: true, Reason: tea.StringValue(m.Reason)}
	}
	i.AccessLog = accessLogFrom(b.AccessLogConfig)
	if len(b.Tags) > 0 {
		i.Tags = make([]Tag, 0, len(b.Tags))
	}
	for _, t := range b.Tags {
		if t != nil {
			i.Tags = append(i.Tags, Tag{Key: tea.StringValue(t.Key), Value: tea.StringValue(t.Value)})
		}
	}
	for _, l := range b.LoadBalancerOperationLocks {
		if l != nil {
			i.Locks = append(i.Locks, Lock{Type: tea.StringValue(l.LockType), Reason: tea.StringValue(l.LockReason)})
		}
	}
	if len(b.ZoneMappings) > 0 {
		i.Zones = make([]InstanceZone, 0, len(b.ZoneMappings))
	}
	for _, z := range b.ZoneMappings {
		if z == nil {
			continue
		}
		iz := InstanceZone{ZoneID: tea.StringValue(z.ZoneId), VSwitchID: tea.StringValue(z.VSwitchId), Status: tea.StringValue(z.Status)}
		if len(z.LoadBalancerAddresses) > 0 {
			iz.Addresses = make([]InstanceAddress, 0, len(z.LoadBalancerAddresses))
		}
		for _, a := range z.LoadBalancerAddresses {
			if a == nil {
				continue
			}
			iz.Addresses = append(iz.Addresses, InstanceAddress{
				Address:         tea.StringValue(a.Address),
				AllocationID:    tea.StringValue(a.AllocationId),
				EIPType:         eip.Type(tea.StringValue(a.EipType)),
				IntranetAddress: tea.StringValue(a.IntranetAddress),
				IPv6Address:     tea.StringValue(a.Ipv6Address),
			})
		}
		i.Zones = append(i.Zones, iz)
	}
	return i
}

// instanceFromList converts a ListLoadBalancers item. The item carries the
// fields of GetLoadBalancerAttribute (without the region and the zones)
// under the same JSON names, so it is decoded as one.
func instanceFromList(b *albsdk.ListLoadBalancersResponseBodyLoadBalancers) *Instance {
	var attr albsdk.GetLoadBalancerAttributeResponseBody
	raw, err := json.Marshal(b)
	if err == nil {
		err = json.Unmarshal(raw, &attr)
	}
	if err != nil { // cannot happen for the SDK's plain structs
		return &Instance{ID: tea.StringValue(b.LoadBalancerId)}
	}
	return instanceFromAttribute(&attr)
}
