package albtest

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
)

// VPC DescribeEipAddresses and ReleaseEipAddress.

// eipJSON is one EipAddress. Fields that would say "configured" (bandwidth
// package, associated instance, expiry) are absent rather than empty when
// they do not apply.
type eipJSON struct {
	AllocationID            string  `json:"AllocationId"`
	IPAddress               string  `json:"IpAddress"`
	Name                    string  `json:"Name"`
	Description             string  `json:"Description"`
	Bandwidth               string  `json:"Bandwidth"`
	EipBandwidth            string  `json:"EipBandwidth"`
	BandwidthPackageID      string  `json:"BandwidthPackageId,omitempty"`
	BandwidthPackageType    string  `json:"BandwidthPackageType,omitempty"`
	BandwidthPackageBW      string  `json:"BandwidthPackageBandwidth,omitempty"`
	InternetChargeType      string  `json:"InternetChargeType"`
	ChargeType              string  `json:"ChargeType"`
	ISP                     string  `json:"ISP"`
	Status                  string  `json:"Status"`
	BusinessStatus          string  `json:"BusinessStatus"`
	InstanceType            string  `json:"InstanceType,omitempty"`
	InstanceID              string  `json:"InstanceId,omitempty"`
	InstanceRegionID        string  `json:"InstanceRegionId,omitempty"`
	RegionID                string  `json:"RegionId"`
	AllocationTime          string  `json:"AllocationTime"`
	ExpiredTime             string  `json:"ExpiredTime,omitempty"`
	Netmode                 string  `json:"Netmode"`
	Mode                    string  `json:"Mode"`
	DeletionProtection      bool    `json:"DeletionProtection"`
	SecondLimited           bool    `json:"SecondLimited"`
	ServiceManaged          int32   `json:"ServiceManaged"`
	HDMonitorStatus         string  `json:"HDMonitorStatus"`
	HasReservationData      string  `json:"HasReservationData"`
	ResourceGroupID         string  `json:"ResourceGroupId"`
	BizType                 string  `json:"BizType"`
	PrivateIPAddress        string  `json:"PrivateIpAddress,omitempty"`
	VpcID                   string  `json:"VpcId,omitempty"`
	Tags                    vpcTags `json:"Tags"`
	SecurityProtectionTypes struct {
		SecurityProtectionType []string `json:"SecurityProtectionType"`
	} `json:"SecurityProtectionTypes"`
	OperationLocks struct {
		LockReason []struct {
			LockReason string `json:"LockReason"`
		} `json:"LockReason"`
	} `json:"OperationLocks"`
}

type describeEipsJSON struct {
	RequestID    string `json:"RequestId"`
	PageNumber   int32  `json:"PageNumber"`
	PageSize     int32  `json:"PageSize"`
	TotalCount   int32  `json:"TotalCount"`
	EipAddresses struct {
		EipAddress []eipJSON `json:"EipAddress"`
	} `json:"EipAddresses"`
}

func (s *Server) opDescribeEipAddresses(c *call) (any, *apiError) {
	st := s.st
	here, e := s.regionCheck(c, true)
	if e != nil {
		return nil, e
	}
	p := c.p
	f, e := parseEIPFilter(p)
	if e != nil {
		return nil, e
	}
	dry, _, e := optBool(p, "DryRun")
	if e != nil {
		return nil, e
	}
	var match []*eipState
	if here {
		for _, id := range st.eipOrder {
			x := st.eips[id]
			if x.Type != EIPTypeAnycast && f.match(x) { // Anycast EIPs: ListAnycastEipAddresses (anycast.go)
				match = append(match, x)
			}
		}
	}
	if dry {
		return nil, errDryRun
	}
	start, end, num, size, e := vpcPage(c, len(match), 100)
	if e != nil {
		return nil, e
	}
	out := &describeEipsJSON{RequestID: c.requestID, PageNumber: int32(num), PageSize: int32(size), TotalCount: int32(len(match))}
	out.EipAddresses.EipAddress = []eipJSON{}
	for _, x := range match[start:end] {
		out.EipAddresses.EipAddress = append(out.EipAddresses.EipAddress, s.renderEIP(x))
	}
	return out, nil
}

func (s *Server) opReleaseEipAddress(c *call) (any, *apiError) {
	if _, e := s.regionCheck(c, false); e != nil {
		return nil, e
	}
	id := c.p.Get("AllocationId")
	if id == "" {
		return nil, missing("AllocationId")
	}
	x := s.st.eips[id]
	if x == nil || x.Type == EIPTypeAnycast { // an Anycast EIP is not a VPC EIP (anycast.go)
		return nil, errf(404, "InvalidAllocationId.NotFound", "Specified allocation ID is not found.")
	}
	if x.ChargeType == ChargePrePaid {
		return nil, errf(400, "Forbidden.ChargeTypeIsPrepaid", "It's forbidden to release a prepaid EIP")
	}
	if x.Status != "Available" {
		return nil, errf(400, "IncorrectEipStatus", "Current elastic IP status does not support this operation.")
	}
	s.st.removeEIP(id)
	return &requestOnly{RequestID: c.requestID}, nil
}

// eipFilter holds the DescribeEipAddresses filters. Every documented filter
// is applied; the emulated EIPs have no locks, segments, address pools, DDoS
// protection or managed owner, so asking for one of those matches none.
type eipFilter struct {
	ids, addrs                           []string
	status, charge, ait, inst, isp, name string
	tags                                 []tagKV
	rg, lock, segment, pool              string
	protected, protectedSet              bool
	managed, managedSet                  bool
	createdFrom, createdTo               time.Time
}

// splitList reads a comma-separated list of at most 50 values.
func splitList(p url.Values, name string) ([]string, *apiError) {
	v := p.Get(name)
	if v == "" {
		return nil, nil
	}
	xs := strings.Split(v, ",")
	if len(xs) > 50 {
		return nil, errf(400, "InvalidParameter", "%s takes at most 50 values.", name)
	}
	for i := range xs {
		xs[i] = strings.TrimSpace(xs[i])
	}
	return xs, nil
}

func parseEIPFilter(p url.Values) (*eipFilter, *apiError) {
	f := &eipFilter{rg: p.Get("ResourceGroupId"), segment: p.Get("SegmentInstanceId"), pool: p.Get("PublicIpAddressPoolId"),
		charge: p.Get("ChargeType"), inst: p.Get("AssociatedInstanceId"), isp: p.Get("ISP"), name: p.Get("EipName")}
	var e *apiError
	if f.ids, e = splitList(p, "AllocationId"); e != nil {
		return nil, e
	}
	if f.addrs, e = splitList(p, "EipAddress"); e != nil {
		return nil, e
	}
	if f.charge != "" && f.charge != ChargePostPaid && f.charge != ChargePrePaid {
		return nil, errf(400, "InvalidChargeType.ValueNotSupported", "The specified ChargeType is not supported.")
	}
	if f.status, e = enum(p, "Status", false, "Associating", "Unassociating", "InUse", "Available", "Releasing"); e != nil {
		return nil, e
	}
	if f.ait, e = enum(p, "AssociatedInstanceType", false, "EcsInstance", "SlbInstance", "Nat", "HaVip", "NetworkInterface", "IpAddress"); e != nil {
		return nil, errf(400, "InvalidIAssociatedInstanceType.ValueNotSupported", "The specified value of AssociatedInstanceType is not supported.")
	}
	if f.tags, e = vpcTagFilter(p); e != nil {
		return nil, e
	}
	if f.lock = p.Get("LockReason"); f.lock != "" && f.lock != "financial" && f.lock != "security" {
		return nil, errf(404, "InvalidLockReason.NotFound", "The specified LockReason is not found")
	}
	if f.protected, f.protectedSet, e = optBool(p, "SecurityProtectionEnabled"); e != nil {
		return nil, e
	}
	if f.managed, f.managedSet, e = optBool(p, "ServiceManaged"); e != nil {
		return nil, e
	}
	if _, _, e = optBool(p, "IncludeReservationData"); e != nil {
		return nil, e
	}
	for _, n := range []string{"1", "2"} {
		k, v := p.Get("Filter."+n+".Key"), p.Get("Filter."+n+".Value")
		if k == "" && v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02T15:04Z", v)
		switch {
		case k != "CreationStartTime" && k != "CreationEndTime":
			return nil, errf(404, "InvalidFilterKey.NotFound", "The specified Filterkey is not supported.")
		case err != nil:
			return nil, errf(404, "InvalidFilterValue", "The specified FilterValue is not supported.")
		case k == "CreationStartTime":
			f.createdFrom = t
		default:
			f.createdTo = t
		}
	}
	return f, nil
}

func (f *eipFilter) match(x *eipState) bool {
	if !inFilter(f.ids, x.AllocationID) || !inFilter(f.addrs, x.IPAddress) ||
		f.status != "" && x.Status != f.status || f.charge != "" && x.ChargeType != f.charge ||
		f.ait != "" && x.InstanceType != f.ait || f.inst != "" && x.InstanceID != f.inst ||
		f.isp != "" && x.ISP != f.isp || f.name != "" && x.Name != f.name {
		return false
	}
	if f.rg != "" && or(x.ResourceGroupID, DefaultResourceGroupID) != f.rg ||
		f.lock != "" || f.segment != "" || f.pool != "" || f.protectedSet && f.protected || f.managedSet && f.managed != x.auto ||
		!f.createdFrom.IsZero() && x.allocated.Before(f.createdFrom) || !f.createdTo.IsZero() && x.allocated.After(f.createdTo) {
		return false
	}
	for _, t := range f.tags {
		if v, ok := x.Tags[t.k]; !ok || t.v != "" && v != t.v {
			return false
		}
	}
	return true
}

// sortedVPCTags renders tags in key order.
func sortedVPCTags(m map[string]string) []vpcTag {
	out := make([]vpcTag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, vpcTag{Key: k, Value: m[k]})
	}
	return out
}

// renderEIP renders one EIP.
func (s *Server) renderEIP(x *eipState) eipJSON {
	st := s.st
	j := eipJSON{
		AllocationID: x.AllocationID, IPAddress: x.IPAddress, Name: x.Name, Bandwidth: x.Bandwidth,
		EipBandwidth: x.Bandwidth, BandwidthPackageID: x.BandwidthPackageID,
		InternetChargeType: x.InternetChargeType, ChargeType: x.ChargeType, ISP: x.ISP, Status: x.Status,
		BusinessStatus: "Normal", InstanceType: x.InstanceType, InstanceID: x.InstanceID,
		RegionID: st.region, AllocationTime: ts(x.allocated), Netmode: "public", Mode: "NAT",
		HDMonitorStatus: "false", HasReservationData: "false", ResourceGroupID: or(x.ResourceGroupID, DefaultResourceGroupID),
		BizType: "Default", Tags: vpcTags{Tag: sortedVPCTags(x.Tags)},
	}
	if x.InstanceID != "" {
		j.InstanceRegionID = st.region
	}
	if x.auto {
		// GUESS: an EIP ALB assigned itself is reported as managed by the
		// service (ServiceManaged 1); albkit reads it as auto-assigned.
		j.ServiceManaged = 1
	}
	if x.BandwidthPackageID != "" {
		j.BandwidthPackageType = "CommonBandwidthPackage"
		if b := st.cbwps[x.BandwidthPackageID]; b != nil {
			j.BandwidthPackageBW = b.Bandwidth
		}
	}
	if x.ChargeType == ChargePrePaid {
		j.ExpiredTime = ts(st.started.AddDate(1, 0, 0))
	}
	j.SecurityProtectionTypes.SecurityProtectionType = []string{}
	j.OperationLocks.LockReason = []struct {
		LockReason string `json:"LockReason"`
	}{}
	return j
}
