package albtest

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"

	"github.com/albkit/albkit/edition"
)

// Identifiers of the default world (see DefaultWorld).
const (
	DefaultRegion = "cn-hangzhou"

	DefaultAccessKeyID     = "albtest-access-key-id"
	DefaultAccessKeySecret = "albtest-access-key-secret"

	DefaultVPCID      = "vpc-albtest0001"
	DefaultOtherVPCID = "vpc-albtest0002"

	ZoneH = "cn-hangzhou-h"
	ZoneI = "cn-hangzhou-i"
	ZoneJ = "cn-hangzhou-j"
	ZoneK = "cn-hangzhou-k"

	// VSwitchH is in zone h, 10.0.1.0/24, IPv6 enabled.
	VSwitchH = "vsw-albtest-h"
	// VSwitchI is in zone i, 10.0.2.0/24, IPv6 enabled.
	VSwitchI = "vsw-albtest-i"
	// VSwitchJ is in zone j, 10.0.3.0/24, IPv4 only.
	VSwitchJ = "vsw-albtest-j"
	// VSwitchKSmall is in zone k, 10.0.4.0/29: its prefix is longer than /28.
	VSwitchKSmall = "vsw-albtest-k-small"
	// VSwitchKFull is in zone k, 10.0.5.0/24 with only 2 free addresses.
	VSwitchKFull = "vsw-albtest-k-full"
	// VSwitchOther is in zone h of DefaultOtherVPCID.
	VSwitchOther = "vsw-albtest-other"

	// EIPTraffic1, EIPTraffic2 and EIPTraffic3 are PostPaid PayByTraffic,
	// Available: eligible for ALB.
	EIPTraffic1 = "eip-albtest-traffic1"
	EIPTraffic2 = "eip-albtest-traffic2"
	EIPTraffic3 = "eip-albtest-traffic3"
	// EIPBandwidth is PostPaid PayByBandwidth.
	EIPBandwidth = "eip-albtest-bandwidth"
	// EIPPrepaid is a PrePaid (subscription) EIP.
	EIPPrepaid = "eip-albtest-prepaid"
	// EIPShared is PostPaid PayByTraffic inside DefaultBandwidthPackageID.
	EIPShared = "eip-albtest-shared"
	// EIPAnycast1 and EIPAnycast2 are Anycast EIPs, PostPaid PayByTraffic, Available.
	EIPAnycast1 = "aeip-albtest-anycast1"
	EIPAnycast2 = "aeip-albtest-anycast2"
	// EIPInUse is an eligible kind of EIP already bound to ECS instance EIPInUseInstanceID.
	EIPInUse           = "eip-albtest-inuse"
	EIPInUseInstanceID = "i-albtest0001"

	// DefaultBandwidthPackageID is the Internet Shared Bandwidth package.
	DefaultBandwidthPackageID = "cbwp-albtest0001"

	// DefaultResourceGroupID is the resource group of every resource not
	// given another one.
	DefaultResourceGroupID = "rg-albtest-default"

	// DefaultQuota is the number of ALB instances allowed per region.
	DefaultQuota = 60
	// DefaultServerGroupQuota is the number of server groups allowed per
	// region (the product's quota table: 3,000).
	DefaultServerGroupQuota = 3000

	// ServiceLinkedRoleName is the ALB service-linked role.
	ServiceLinkedRoleName = "AliyunServiceRoleForAlb"
	// ServiceLinkedRoleService is the service name CreateServiceLinkedRole takes for ALB.
	ServiceLinkedRoleService = "alb.aliyuncs.com"
)

// EIP charge and type values.
const (
	ChargePostPaid       = "PostPaid"
	ChargePrePaid        = "PrePaid"
	InternetPayByTraffic = "PayByTraffic"
	InternetPayByBW      = "PayByBandwidth"
	EIPTypeCommon        = "Common"
	EIPTypeAnycast       = "Anycast"
)

// World is the seeded state of the emulated account: network, addresses,
// bandwidth packages, WAF and the service-linked role. It is JSON
// serialisable (see WithWorldFile). Zero values: Region "" means
// DefaultRegion, Quota 0 means DefaultQuota.
type World struct {
	Region            string             `json:"region,omitempty"`            // the emulated region; "" means DefaultRegion
	Regions           []Region           `json:"regions,omitempty"`           // ALB DescribeRegions; calls for another listed region find nothing
	Zones             []Zone             `json:"zones,omitempty"`             // the zones of Region (ALB DescribeZones)
	VPCs              []VPC              `json:"vpcs,omitempty"`              // VPCs of Region
	VSwitches         []VSwitch          `json:"vswitches,omitempty"`         // vSwitches; each VpcID must be in VPCs
	EIPs              []EIP              `json:"eips,omitempty"`              // EIPs (and Anycast EIPs) of Region
	BandwidthPackages []BandwidthPackage `json:"bandwidthPackages,omitempty"` // Internet Shared Bandwidth packages of Region
	// ServiceLinkedRole reports whether AliyunServiceRoleForAlb exists.
	ServiceLinkedRole bool `json:"serviceLinkedRole"`
	Quota             int  `json:"quota,omitempty"` // instances allowed per region; 0 means DefaultQuota
	// WAF3 is the WAF 3.0 instance, nil when there is none.
	WAF3 *WAF3Instance `json:"waf3,omitempty"`
	// WAF2 is the WAF 2.0 instance, nil when there is none.
	WAF2 *WAF2Instance `json:"waf2,omitempty"`
	// ECSInstances, ENIs and ContainerGroups are the compute resources an
	// Instance server group takes as members (ServerType Ecs, Eni, Eci).
	ECSInstances    []BackendInstance `json:"ecsInstances,omitempty"`
	ENIs            []BackendInstance `json:"enis,omitempty"`
	ContainerGroups []BackendInstance `json:"containerGroups,omitempty"`
	// ServerGroupQuota is the number of server groups allowed in the region;
	// 0 means DefaultServerGroupQuota.
	ServerGroupQuota int `json:"serverGroupQuota,omitempty"`
	// Certificates are the certificates listeners may use (the Certificate
	// Management Service's, by ID).
	Certificates []Certificate `json:"certificates,omitempty"`
	// InstanceQuotas are the per-instance quotas by edition (Basic,
	// Standard, StandardWithWaf); an edition or field left out takes the
	// edition's default (package edition).
	InstanceQuotas map[string]InstanceQuotas `json:"instanceQuotas,omitempty"`
	// BackendAddresses maps a backend's private address and port
	// ("10.0.1.10:80": an ECS instance's, an ENI's, an ECI's or an Ip
	// server's) to the local address the data plane reaches it at
	// ("127.0.0.1:8080"), for traffic and health checks. An Instance
	// server not mapped is unreachable (its private address is the
	// world's, not the machine's); an Ip server not mapped is reached at
	// its own address.
	BackendAddresses map[string]string `json:"backendAddresses,omitempty"`
}

// Region is one entry of ALB DescribeRegions.
type Region struct {
	RegionID  string `json:"regionId"`            // e.g. cn-hangzhou
	LocalName string `json:"localName,omitempty"` // display name
}

// Zone is one entry of ALB DescribeZones.
type Zone struct {
	ZoneID    string `json:"zoneId"`              // e.g. cn-hangzhou-h
	LocalName string `json:"localName,omitempty"` // display name
}

// VPC is a virtual private cloud.
type VPC struct {
	VpcID         string `json:"vpcId"`                   // vpc-…
	CidrBlock     string `json:"cidrBlock"`               // IPv4 block
	Ipv6CidrBlock string `json:"ipv6CidrBlock,omitempty"` // IPv6 block, empty when IPv6 is not enabled
	Name          string `json:"name,omitempty"`          // VpcName
}

// VSwitch is a vSwitch. Available addresses are computed from CidrBlock: the
// first and the last three addresses are reserved, OccupiedIPs more are taken
// by other resources, and each ALB instance takes three.
type VSwitch struct {
	VSwitchID     string `json:"vswitchId"`               // vsw-…
	VpcID         string `json:"vpcId"`                   // VPC it belongs to
	ZoneID        string `json:"zoneId"`                  // zone it is in
	CidrBlock     string `json:"cidrBlock"`               // IPv4 block
	Ipv6CidrBlock string `json:"ipv6CidrBlock,omitempty"` // empty: IPv6 not enabled
	Name          string `json:"name,omitempty"`          // VSwitchName
	OccupiedIPs   int    `json:"occupiedIps,omitempty"`   // addresses taken by other resources
	Status        string `json:"status,omitempty"`        // DescribeVSwitches Status: Available (default) or Pending
}

// EIP is an elastic IP address (or an Anycast EIP when Type is Anycast).
type EIP struct {
	AllocationID       string `json:"allocationId"`                 // eip-… ("aeip-…" for Anycast)
	IPAddress          string `json:"ipAddress"`                    // the public address
	Name               string `json:"name,omitempty"`               // EIP name
	ChargeType         string `json:"chargeType"`                   // PostPaid | PrePaid
	InternetChargeType string `json:"internetChargeType"`           // PayByTraffic | PayByBandwidth
	Bandwidth          string `json:"bandwidth,omitempty"`          // Mbps, as a string
	Type               string `json:"type,omitempty"`               // Common (default) | Anycast
	BandwidthPackageID string `json:"bandwidthPackageId,omitempty"` // shared bandwidth package it is in, "" for none
	Status             string `json:"status,omitempty"`             // Available (default) | InUse
	InstanceType       string `json:"instanceType,omitempty"`       // type of the associated instance, "" when Available
	InstanceID         string `json:"instanceId,omitempty"`         // associated instance, "" when Available
	ISP                string `json:"isp,omitempty"`                // line type, e.g. BGP
	// ResourceGroupID is the EIP's resource group ("" means
	// DefaultResourceGroupID); DescribeEipAddresses filters on it.
	ResourceGroupID string `json:"resourceGroupId,omitempty"`
	// Tags are the EIP's tags; DescribeEipAddresses filters on them (Tag.N).
	Tags map[string]string `json:"tags,omitempty"`
}

// BandwidthPackage is an Internet Shared Bandwidth package.
type BandwidthPackage struct {
	BandwidthPackageID string `json:"bandwidthPackageId"`       // cbwp-…
	Name               string `json:"name,omitempty"`           // package name
	Bandwidth          string `json:"bandwidth,omitempty"`      // Mbps, as a string
	Status             string `json:"status,omitempty"`         // Available (default)
	BusinessStatus     string `json:"businessStatus,omitempty"` // Normal (default) | FinancialLocked
}

// WAF3Instance is a WAF 3.0 instance (DescribeInstance, 2021-10-01).
type WAF3Instance struct {
	InstanceID string `json:"instanceId"`          // instance ID
	Edition    string `json:"edition,omitempty"`   // edition
	PayType    string `json:"payType"`             // POSTPAY | PREPAY
	Status     int32  `json:"status"`              // 1 normal, 2 expired, 3 released
	InDebt     string `json:"inDebt,omitempty"`    // "0" normal, "1" overdue
	StartTime  int64  `json:"startTime,omitempty"` // ms since the epoch
	EndTime    int64  `json:"endTime,omitempty"`   // ms since the epoch
}

// WAF2Instance is a WAF 2.0 instance (DescribeInstanceInfo, 2019-09-10).
type WAF2Instance struct {
	InstanceID       string `json:"instanceId"`                 // instance ID
	Version          string `json:"version,omitempty"`          // edition
	PayType          int32  `json:"payType"`                    // 1 subscription, 2 pay-as-you-go
	Status           int32  `json:"status"`                     // 1 valid; 0 (unset) also reports 1, see Expired
	EndDate          int64  `json:"endDate,omitempty"`          // s since the epoch
	InDebt           int32  `json:"inDebt"`                     // 1 normal; 0 (unset) also reports 1, see Overdue
	Region           string `json:"region,omitempty"`           // cn | cn-hongkong
	SubscriptionType string `json:"subscriptionType,omitempty"` // subscription type
	// Expired makes DescribeInstanceInfo report Status 0 (expired). A
	// minimal WAF2Instance is valid and not in debt: the API's 0 values mean
	// expired and overdue, so the zero values of Status and InDebt stand for
	// "unset", not for 0.
	Expired bool `json:"expired,omitempty"`
	// Overdue makes DescribeInstanceInfo report InDebt 0 (overdue).
	Overdue bool `json:"overdue,omitempty"`
}

// DefaultWorld returns the world a Server starts with: region cn-hangzhou,
// zones h, i, j and k, VPC vpc-albtest0001 (10.0.0.0/16 with an IPv6 block)
// and its vSwitches (VSwitchH, VSwitchI, VSwitchJ, VSwitchKSmall,
// VSwitchKFull), VSwitchOther in vpc-albtest0002, the EIPs named by the EIP*
// constants, the bandwidth package cbwp-albtest0001, no WAF instance, the
// service-linked role present and a quota of 60.
func DefaultWorld() World {
	return defaultWorld(DefaultRegion)
}

func defaultWorld(region string) World {
	zoneID := func(c string) string { return region + "-" + c }
	w := World{
		Region: region,
		Regions: []Region{
			{RegionID: "cn-hangzhou", LocalName: "华东1（杭州）"},
			{RegionID: "cn-shanghai", LocalName: "华东2（上海）"},
			{RegionID: "cn-beijing", LocalName: "华北2（北京）"},
			{RegionID: "cn-shenzhen", LocalName: "华南1（深圳）"},
			{RegionID: "ap-southeast-1", LocalName: "新加坡"},
		},
		Zones: []Zone{
			{ZoneID: zoneID("h"), LocalName: "可用区H"},
			{ZoneID: zoneID("i"), LocalName: "可用区I"},
			{ZoneID: zoneID("j"), LocalName: "可用区J"},
			{ZoneID: zoneID("k"), LocalName: "可用区K"},
		},
		VPCs: []VPC{
			{VpcID: DefaultVPCID, CidrBlock: "10.0.0.0/16", Ipv6CidrBlock: "2408:4005:3ff:a000::/56", Name: "albtest-vpc"},
			{VpcID: DefaultOtherVPCID, CidrBlock: "172.16.0.0/16", Name: "albtest-other-vpc"},
		},
		VSwitches: []VSwitch{
			{VSwitchID: VSwitchH, VpcID: DefaultVPCID, ZoneID: zoneID("h"), CidrBlock: "10.0.1.0/24", Ipv6CidrBlock: "2408:4005:3ff:a001::/64", Name: "albtest-h"},
			{VSwitchID: VSwitchI, VpcID: DefaultVPCID, ZoneID: zoneID("i"), CidrBlock: "10.0.2.0/24", Ipv6CidrBlock: "2408:4005:3ff:a002::/64", Name: "albtest-i"},
			{VSwitchID: VSwitchJ, VpcID: DefaultVPCID, ZoneID: zoneID("j"), CidrBlock: "10.0.3.0/24", Name: "albtest-j"},
			{VSwitchID: VSwitchKSmall, VpcID: DefaultVPCID, ZoneID: zoneID("k"), CidrBlock: "10.0.4.0/29", Name: "albtest-k-small"},
			{VSwitchID: VSwitchKFull, VpcID: DefaultVPCID, ZoneID: zoneID("k"), CidrBlock: "10.0.5.0/24", Name: "albtest-k-full", OccupiedIPs: 250},
			{VSwitchID: VSwitchOther, VpcID: DefaultOtherVPCID, ZoneID: zoneID("h"), CidrBlock: "172.16.1.0/24", Name: "albtest-other"},
		},
		EIPs: []EIP{
			{AllocationID: EIPTraffic1, IPAddress: "47.98.10.1", Name: "traffic1", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic},
			{AllocationID: EIPTraffic2, IPAddress: "47.98.10.2", Name: "traffic2", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic},
			{AllocationID: EIPTraffic3, IPAddress: "47.98.10.3", Name: "traffic3", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic},
			{AllocationID: EIPBandwidth, IPAddress: "47.98.10.4", Name: "bandwidth", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByBW},
			{AllocationID: EIPPrepaid, IPAddress: "47.98.10.5", Name: "prepaid", ChargeType: ChargePrePaid, InternetChargeType: InternetPayByBW},
			{AllocationID: EIPShared, IPAddress: "47.98.10.6", Name: "shared", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic, BandwidthPackageID: DefaultBandwidthPackageID},
			{AllocationID: EIPAnycast1, IPAddress: "39.96.20.1", Name: "anycast1", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic, Type: EIPTypeAnycast},
			{AllocationID: EIPAnycast2, IPAddress: "39.96.20.2", Name: "anycast2", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic, Type: EIPTypeAnycast},
			{AllocationID: EIPInUse, IPAddress: "47.98.10.7", Name: "inuse", ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic, Status: "InUse", InstanceType: "EcsInstance", InstanceID: EIPInUseInstanceID},
		},
		BandwidthPackages: []BandwidthPackage{
			{BandwidthPackageID: DefaultBandwidthPackageID, Name: "albtest-cbwp", Bandwidth: "200"},
		},
		ServiceLinkedRole: true,
		Quota:             DefaultQuota,
		ServerGroupQuota:  DefaultServerGroupQuota,
	}
	defaultBackends(&w)
	defaultCertificates(&w)
	return w
}

// LoadWorld reads a World from a JSON file.
func LoadWorld(path string) (World, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return World{}, fmt.Errorf("albtest: read world: %w", err)
	}
	var w World
	if err := json.Unmarshal(b, &w); err != nil {
		return World{}, fmt.Errorf("albtest: parse world %s: %w", path, err)
	}
	return w, w.Validate()
}

// Validate checks that the world is consistent: known VPCs, parsable CIDR
// blocks, unique IDs.
func (w World) Validate() error {
	vpcs := map[string]bool{}
	for _, v := range w.VPCs {
		if v.VpcID == "" {
			return fmt.Errorf("albtest: world: VPC without vpcId")
		}
		if _, err := netip.ParsePrefix(v.CidrBlock); err != nil {
			return fmt.Errorf("albtest: world: VPC %s: bad cidrBlock %q", v.VpcID, v.CidrBlock)
		}
		vpcs[v.VpcID] = true
	}
	ids := map[string]bool{}
	for _, vs := range w.VSwitches {
		if vs.VSwitchID == "" || ids[vs.VSwitchID] {
			return fmt.Errorf("albtest: world: empty or duplicate vSwitch id %q", vs.VSwitchID)
		}
		ids[vs.VSwitchID] = true
		if !vpcs[vs.VpcID] {
			return fmt.Errorf("albtest: world: vSwitch %s: unknown VPC %q", vs.VSwitchID, vs.VpcID)
		}
		p, err := netip.ParsePrefix(vs.CidrBlock)
		if err != nil || !p.Addr().Is4() {
			return fmt.Errorf("albtest: world: vSwitch %s: bad IPv4 cidrBlock %q", vs.VSwitchID, vs.CidrBlock)
		}
		if vs.Ipv6CidrBlock != "" {
			p6, err := netip.ParsePrefix(vs.Ipv6CidrBlock)
			if err != nil || !p6.Addr().Is6() {
				return fmt.Errorf("albtest: world: vSwitch %s: bad ipv6CidrBlock %q", vs.VSwitchID, vs.Ipv6CidrBlock)
			}
		}
		if vs.OccupiedIPs < 0 || vs.OccupiedIPs > usableIPv4(p) {
			return fmt.Errorf("albtest: world: vSwitch %s: occupiedIps %d out of range", vs.VSwitchID, vs.OccupiedIPs)
		}
	}
	for _, e := range w.EIPs {
		if e.AllocationID == "" || ids[e.AllocationID] {
			return fmt.Errorf("albtest: world: empty or duplicate EIP id %q", e.AllocationID)
		}
		ids[e.AllocationID] = true
		if _, err := netip.ParseAddr(e.IPAddress); err != nil {
			return fmt.Errorf("albtest: world: EIP %s: bad ipAddress %q", e.AllocationID, e.IPAddress)
		}
	}
	for _, b := range w.BandwidthPackages {
		if b.BandwidthPackageID == "" || ids[b.BandwidthPackageID] {
			return fmt.Errorf("albtest: world: empty or duplicate bandwidth package id %q", b.BandwidthPackageID)
		}
		ids[b.BandwidthPackageID] = true
	}
	for _, k := range w.backendKinds() {
		for _, b := range k.list {
			if err := validateBackend(b, k.typ, vpcs, ids); err != nil {
				return err
			}
		}
	}
	for _, c := range w.Certificates {
		if err := validateCertificate(c, ids); err != nil {
			return err
		}
	}
	for ed, q := range w.InstanceQuotas {
		if _, ok := edition.Of(ed); !ok {
			return errUnknownEdition(ed)
		}
		if q.Listeners < 0 || q.Rules < 0 || q.AdditionalCertificates < 0 {
			return fmt.Errorf("albtest: world: negative instance quota for %s", ed)
		}
	}
	for priv, local := range w.BackendAddresses {
		if err := checkBackendAddress(priv, local); err != nil {
			return err
		}
	}
	if w.Quota < 0 || w.ServerGroupQuota < 0 {
		return fmt.Errorf("albtest: world: negative quota")
	}
	return nil
}

// usableIPv4 is the number of addresses of an IPv4 vSwitch block that can be
// assigned: the first and the last three are reserved.
func usableIPv4(p netip.Prefix) int {
	bits := 32 - p.Bits()
	if bits > 30 {
		bits = 30
	}
	n := 1<<bits - 4
	if n < 0 {
		return 0
	}
	return n
}
