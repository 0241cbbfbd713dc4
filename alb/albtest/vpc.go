package albtest

import (
	"strings"
)

// VPC, WAF and ResourceManager response shapes. The VPC API nests lists
// XML-style (VSwitches.VSwitch[]).

type vpcTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type vpcTags struct {
	Tag []vpcTag `json:"Tag"`
}

type vswitchJSON struct {
	VSwitchID               string  `json:"VSwitchId"`
	VpcID                   string  `json:"VpcId"`
	ZoneID                  string  `json:"ZoneId"`
	CidrBlock               string  `json:"CidrBlock"`
	Ipv6CidrBlock           string  `json:"Ipv6CidrBlock"`
	EnabledIpv6             bool    `json:"EnabledIpv6"`
	AvailableIPAddressCount int64   `json:"AvailableIpAddressCount"`
	Status                  string  `json:"Status"`
	VSwitchName             string  `json:"VSwitchName"`
	Description             string  `json:"Description"`
	IsDefault               bool    `json:"IsDefault"`
	CreationTime            string  `json:"CreationTime"`
	ResourceGroupID         string  `json:"ResourceGroupId"`
	NetworkACLID            string  `json:"NetworkAclId"`
	OwnerID                 int64   `json:"OwnerId"`
	ShareType               string  `json:"ShareType"`
	Tags                    vpcTags `json:"Tags"`
	RouteTable              struct {
		RouteTableID   string `json:"RouteTableId"`
		RouteTableType string `json:"RouteTableType"`
	} `json:"RouteTable"`
}

type describeVSwitchesJSON struct {
	RequestID  string `json:"RequestId"`
	PageNumber int32  `json:"PageNumber"`
	PageSize   int32  `json:"PageSize"`
	TotalCount int32  `json:"TotalCount"`
	VSwitches  struct {
		VSwitch []vswitchJSON `json:"VSwitch"`
	} `json:"VSwitches"`
}

type eipJSON struct {
	AllocationID            string  `json:"AllocationId"`
	IPAddress               string  `json:"IpAddress"`
	Name                    string  `json:"Name"`
	Description             string  `json:"Description"`
	Bandwidth               string  `json:"Bandwidth"`
	EipBandwidth            string  `json:"EipBandwidth"`
	BandwidthPackageID      string  `json:"BandwidthPackageId"`
	BandwidthPackageType    string  `json:"BandwidthPackageType"`
	BandwidthPackageBW      string  `json:"BandwidthPackageBandwidth"`
	InternetChargeType      string  `json:"InternetChargeType"`
	ChargeType              string  `json:"ChargeType"`
	ISP                     string  `json:"ISP"`
	Status                  string  `json:"Status"`
	BusinessStatus          string  `json:"BusinessStatus"`
	InstanceType            string  `json:"InstanceType"`
	InstanceID              string  `json:"InstanceId"`
	InstanceRegionID        string  `json:"InstanceRegionId"`
	RegionID                string  `json:"RegionId"`
	AllocationTime          string  `json:"AllocationTime"`
	ExpiredTime             string  `json:"ExpiredTime"`
	Netmode                 string  `json:"Netmode"`
	Mode                    string  `json:"Mode"`
	DeletionProtection      bool    `json:"DeletionProtection"`
	SecondLimited           bool    `json:"SecondLimited"`
	ServiceManaged          int32   `json:"ServiceManaged"`
	HDMonitorStatus         string  `json:"HDMonitorStatus"`
	HasReservationData      string  `json:"HasReservationData"`
	ResourceGroupID         string  `json:"ResourceGroupId"`
	BizType                 string  `json:"BizType"`
	PrivateIPAddress        string  `json:"PrivateIpAddress"`
	VpcID                   string  `json:"VpcId"`
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

type cbwpPublicIP struct {
	AllocationID                     string `json:"AllocationId"`
	IPAddress                        string `json:"IpAddress"`
	BandwidthPackageIPRelationStatus string `json:"BandwidthPackageIpRelationStatus"`
}

type cbwpJSON struct {
	BandwidthPackageID string  `json:"BandwidthPackageId"`
	Name               string  `json:"Name"`
	Description        string  `json:"Description"`
	Bandwidth          string  `json:"Bandwidth"`
	Status             string  `json:"Status"`
	BusinessStatus     string  `json:"BusinessStatus"`
	InternetChargeType string  `json:"InternetChargeType"`
	ISP                string  `json:"ISP"`
	RegionID           string  `json:"RegionId"`
	CreationTime       string  `json:"CreationTime"`
	ExpiredTime        string  `json:"ExpiredTime"`
	Ratio              int32   `json:"Ratio"`
	DeletionProtection bool    `json:"DeletionProtection"`
	ServiceManaged     int32   `json:"ServiceManaged"`
	HasReservationData string  `json:"HasReservationData"`
	ResourceGroupID    string  `json:"ResourceGroupId"`
	Tags               vpcTags `json:"Tags"`
	PublicIPAddresses  struct {
		PublicIPAddresse []cbwpPublicIP `json:"PublicIpAddresse"`
	} `json:"PublicIpAddresses"`
}

type describeCbwpJSON struct {
	RequestID               string `json:"RequestId"`
	PageNumber              int32  `json:"PageNumber"`
	PageSize                int32  `json:"PageSize"`
	TotalCount              int32  `json:"TotalCount"`
	CommonBandwidthPackages struct {
		CommonBandwidthPackage []cbwpJSON `json:"CommonBandwidthPackage"`
	} `json:"CommonBandwidthPackages"`
}

type requestOnly struct {
	RequestID string `json:"RequestId"`
}

const accountID int64 = 1234567890123456

// regionCheck validates RegionId: required when required is set, and known.
// It reports whether the region is the emulated one.
func (s *Server) regionCheck(c *call, required bool) (bool, *apiError) {
	r := c.p.Get("RegionId")
	if r == "" {
		if required {
			return false, missing("RegionId")
		}
		return true, nil
	}
	if r == s.st.region {
		return true, nil
	}
	for _, x := range s.st.regions {
		if x.RegionID == r {
			return false, nil
		}
	}
	return false, errf(404, "Forbidden.RegionNotFound", "Specified region is not found during access authentication.")
}

// vpcPage implements PageNumber/PageSize.
func vpcPage(c *call, total int, maxSize int64) (start, end int, num, size int64, e *apiError) {
	num, e = optInt(c.p, "PageNumber", 1, 1, 1<<31-1)
	if e != nil {
		return
	}
	size, e = optInt(c.p, "PageSize", 10, 1, maxSize)
	if e != nil {
		return
	}
	start = int(min((num-1)*size, int64(total)))
	end = int(min(int64(start)+size, int64(total)))
	return
}

func (s *Server) opDescribeVSwitches(c *call) (any, *apiError) {
	st := s.st
	vpcID := c.p.Get("VpcId")
	if vpcID == "" && c.p.Get("RegionId") == "" {
		return nil, missing("RegionId")
	}
	here, e := s.regionCheck(c, false)
	if e != nil {
		return nil, e
	}
	if vpcID != "" && st.vpcs[vpcID] == nil {
		return nil, errf(400, "Forbidden.VpcNotFound", "Specified VPC can not found.")
	}
	isDefault, defSet, e := optBool(c.p, "IsDefault")
	if e != nil {
		return nil, e
	}
	ipv6, ipv6Set, e := optBool(c.p, "EnableIpv6")
	if e != nil {
		return nil, e
	}
	if _, _, e := optBool(c.p, "DryRun"); e != nil {
		return nil, e
	}
	var match []*vswState
	if here {
		for _, id := range st.vswOrder {
			v := st.vsw[id]
			if vpcID != "" && v.VpcID != vpcID ||
				c.p.Get("VSwitchId") != "" && v.VSwitchID != c.p.Get("VSwitchId") ||
				c.p.Get("ZoneId") != "" && v.ZoneID != c.p.Get("ZoneId") ||
				c.p.Get("VSwitchName") != "" && v.Name != c.p.Get("VSwitchName") ||
				defSet && isDefault ||
				ipv6Set && v.prefix6.IsValid() != ipv6 {
				continue
			}
			match = append(match, v)
		}
	}
	if b, _, _ := optBool(c.p, "DryRun"); b {
		return nil, errDryRun
	}
	start, end, num, size, e := vpcPage(c, len(match), 50)
	if e != nil {
		return nil, e
	}
	out := &describeVSwitchesJSON{RequestID: c.requestID, PageNumber: int32(num), PageSize: int32(size), TotalCount: int32(len(match))}
	out.VSwitches.VSwitch = []vswitchJSON{}
	for _, v := range match[start:end] {
		j := vswitchJSON{
			VSwitchID: v.VSwitchID, VpcID: v.VpcID, ZoneID: v.ZoneID, CidrBlock: v.prefix.String(),
			EnabledIpv6: v.prefix6.IsValid(), AvailableIPAddressCount: int64(v.available()), Status: "Available",
			VSwitchName: v.Name, CreationTime: ts(v.creation), ResourceGroupID: "rg-albtest-default", OwnerID: accountID,
			Tags: vpcTags{Tag: []vpcTag{}},
		}
		if v.prefix6.IsValid() {
			j.Ipv6CidrBlock = v.prefix6.String()
		}
		j.RouteTable.RouteTableID = "vtb-" + strings.TrimPrefix(v.VpcID, "vpc-")
		j.RouteTable.RouteTableType = "System"
		out.VSwitches.VSwitch = append(out.VSwitches.VSwitch, j)
	}
	return out, nil
}

func (s *Server) opDescribeEipAddresses(c *call) (any, *apiError) {
	st := s.st
	here, e := s.regionCheck(c, true)
	if e != nil {
		return nil, e
	}
	p := c.p
	split := func(name string) ([]string, *apiError) {
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
	ids, e := split("AllocationId")
	if e != nil {
		return nil, e
	}
	addrs, e := split("EipAddress")
	if e != nil {
		return nil, e
	}
	charge := p.Get("ChargeType")
	if charge != "" && charge != ChargePostPaid && charge != ChargePrePaid {
		return nil, errf(400, "InvalidChargeType.ValueNotSupported", "The specified ChargeType is not supported.")
	}
	status, e := enum(p, "Status", false, "Associating", "Unassociating", "InUse", "Available", "Releasing")
	if e != nil {
		return nil, e
	}
	ait, e := enum(p, "AssociatedInstanceType", false, "EcsInstance", "SlbInstance", "Nat", "HaVip", "NetworkInterface", "IpAddress")
	if e != nil {
		return nil, errf(400, "InvalidIAssociatedInstanceType.ValueNotSupported", "The specified value of AssociatedInstanceType is not supported.")
	}
	dry, _, e := optBool(p, "DryRun")
	if e != nil {
		return nil, e
	}
	var match []*eipState
	if here {
		for _, id := range st.eipOrder {
			x := st.eips[id]
			if !inFilter(ids, x.AllocationID) || !inFilter(addrs, x.IPAddress) ||
				status != "" && x.Status != status || charge != "" && x.ChargeType != charge ||
				ait != "" && x.InstanceType != ait ||
				p.Get("AssociatedInstanceId") != "" && x.InstanceID != p.Get("AssociatedInstanceId") ||
				p.Get("ISP") != "" && x.ISP != p.Get("ISP") ||
				p.Get("EipName") != "" && x.Name != p.Get("EipName") {
				continue
			}
			match = append(match, x)
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
		j := eipJSON{
			AllocationID: x.AllocationID, IPAddress: x.IPAddress, Name: x.Name, Bandwidth: x.Bandwidth,
			EipBandwidth: x.Bandwidth, BandwidthPackageID: x.BandwidthPackageID,
			InternetChargeType: x.InternetChargeType, ChargeType: x.ChargeType, ISP: x.ISP, Status: x.Status,
			BusinessStatus: "Normal", InstanceType: x.InstanceType, InstanceID: x.InstanceID,
			RegionID: st.region, AllocationTime: ts(x.allocated), Netmode: "public", Mode: "NAT",
			HDMonitorStatus: "false", HasReservationData: "false", ResourceGroupID: "rg-albtest-default",
			BizType: "Default", Tags: vpcTags{Tag: []vpcTag{}},
		}
		if x.InstanceID != "" {
			j.InstanceRegionID = st.region
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
		out.EipAddresses.EipAddress = append(out.EipAddresses.EipAddress, j)
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
	if x == nil {
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

func (s *Server) opDescribeCommonBandwidthPackages(c *call) (any, *apiError) {
	st := s.st
	here, e := s.regionCheck(c, true)
	if e != nil {
		return nil, e
	}
	want := c.p.Get("BandwidthPackageId")
	var match []*BandwidthPackage
	if here {
		for _, id := range st.cbwOrder {
			b := st.cbwps[id]
			if want != "" && b.BandwidthPackageID != want || c.p.Get("Name") != "" && b.Name != c.p.Get("Name") {
				continue
			}
			match = append(match, b)
		}
	}
	if b, _, e := optBool(c.p, "DryRun"); e != nil {
		return nil, e
	} else if b {
		return nil, errDryRun
	}
	start, end, num, size, e := vpcPage(c, len(match), 50)
	if e != nil {
		return nil, e
	}
	out := &describeCbwpJSON{RequestID: c.requestID, PageNumber: int32(num), PageSize: int32(size), TotalCount: int32(len(match))}
	out.CommonBandwidthPackages.CommonBandwidthPackage = []cbwpJSON{}
	for _, b := range match[start:end] {
		j := cbwpJSON{
			BandwidthPackageID: b.BandwidthPackageID, Name: b.Name, Bandwidth: b.Bandwidth, Status: b.Status,
			BusinessStatus: b.BusinessStatus, InternetChargeType: "PayByBandwidth", ISP: "BGP", RegionID: st.region,
			CreationTime: ts(st.started), Ratio: 20, HasReservationData: "false", ResourceGroupID: "rg-albtest-default",
			Tags: vpcTags{Tag: []vpcTag{}},
		}
		j.PublicIPAddresses.PublicIPAddresse = []cbwpPublicIP{}
		for _, id := range st.eipOrder {
			if x := st.eips[id]; x.BandwidthPackageID == b.BandwidthPackageID {
				j.PublicIPAddresses.PublicIPAddresse = append(j.PublicIPAddresses.PublicIPAddresse, cbwpPublicIP{
					AllocationID: x.AllocationID, IPAddress: x.IPAddress, BandwidthPackageIPRelationStatus: "BINDED",
				})
			}
		}
		out.CommonBandwidthPackages.CommonBandwidthPackage = append(out.CommonBandwidthPackages.CommonBandwidthPackage, j)
	}
	return out, nil
}

type waf3JSON struct {
	RequestID  string `json:"RequestId"`
	InstanceID string `json:"InstanceId,omitempty"`
	RegionID   string `json:"RegionId,omitempty"`
	Edition    string `json:"Edition,omitempty"`
	Status     *int32 `json:"Status,omitempty"`
	PayType    string `json:"PayType,omitempty"`
	InDebt     string `json:"InDebt,omitempty"`
	StartTime  *int64 `json:"StartTime,omitempty"`
	EndTime    *int64 `json:"EndTime,omitempty"`
	Details    *struct {
		Ipv6        bool `json:"Ipv6"`
		LogService  bool `json:"LogService"`
		CustomRule  bool `json:"CustomRule"`
		Whitelist   bool `json:"Whitelist"`
		IPBlacklist bool `json:"IpBlacklist"`
	} `json:"Details,omitempty"`
}

func (s *Server) opWAF3DescribeInstance(c *call) (any, *apiError) {
	r := c.p.Get("RegionId")
	if r != "" && r != "cn-hangzhou" && r != "ap-southeast-1" {
		return nil, invalid("RegionId", r)
	}
	out := &waf3JSON{RequestID: c.requestID}
	w := s.st.waf3
	if w == nil || w.InstanceID == "" {
		return out, nil
	}
	if r == "" {
		r = "cn-hangzhou"
	}
	out.InstanceID, out.RegionID, out.Edition, out.PayType = w.InstanceID, r, w.Edition, w.PayType
	if out.Edition == "" {
		out.Edition = "default_version"
	}
	out.InDebt = w.InDebt
	if out.InDebt == "" {
		out.InDebt = "0"
	}
	st := w.Status
	if st == 0 {
		st = 1
	}
	start, end := w.StartTime, w.EndTime
	if start == 0 {
		start = s.st.started.UnixMilli()
	}
	if end == 0 {
		end = s.st.started.AddDate(1, 0, 0).UnixMilli()
	}
	out.Status, out.StartTime, out.EndTime = &st, &start, &end
	out.Details = &struct {
		Ipv6        bool `json:"Ipv6"`
		LogService  bool `json:"LogService"`
		CustomRule  bool `json:"CustomRule"`
		Whitelist   bool `json:"Whitelist"`
		IPBlacklist bool `json:"IpBlacklist"`
	}{true, true, true, true, true}
	return out, nil
}

type waf2InfoJSON struct {
	InstanceID       string `json:"InstanceId"`
	PayType          int32  `json:"PayType"`
	Version          string `json:"Version,omitempty"`
	Status           *int32 `json:"Status,omitempty"`
	EndDate          *int64 `json:"EndDate,omitempty"`
	InDebt           *int32 `json:"InDebt,omitempty"`
	Region           string `json:"Region,omitempty"`
	SubscriptionType string `json:"SubscriptionType,omitempty"`
}

type waf2JSON struct {
	RequestID    string       `json:"RequestId"`
	InstanceInfo waf2InfoJSON `json:"InstanceInfo"`
}

func (s *Server) opWAF2DescribeInstanceInfo(c *call) (any, *apiError) {
	r := c.p.Get("RegionId")
	if r != "" && r != "cn-hangzhou" && r != "ap-southeast-1" {
		return nil, invalid("RegionId", r)
	}
	out := &waf2JSON{RequestID: c.requestID}
	w := s.st.waf2
	if w == nil || w.InstanceID == "" {
		return out, nil
	}
	if id := c.p.Get("InstanceId"); id != "" && id != w.InstanceID {
		return out, nil
	}
	info := waf2InfoJSON{InstanceID: w.InstanceID, PayType: w.PayType, Version: w.Version, Region: w.Region, SubscriptionType: w.SubscriptionType}
	if info.PayType == 0 {
		info.PayType = 1
	}
	if info.Version == "" {
		info.Version = "version_3"
	}
	if info.Region == "" {
		info.Region = "cn"
	}
	if info.SubscriptionType == "" {
		info.SubscriptionType = "Subscription"
		if info.PayType == 2 {
			info.SubscriptionType = "PayAsYouGo"
		}
	}
	st, debt := w.Status, w.InDebt
	end := w.EndDate
	if end == 0 {
		end = s.st.started.AddDate(1, 0, 0).Unix()
	}
	info.Status, info.InDebt, info.EndDate = &st, &debt, &end
	out.InstanceInfo = info
	return out, nil
}

type roleJSON struct {
	RoleID                   string `json:"RoleId"`
	RoleName                 string `json:"RoleName"`
	Arn                      string `json:"Arn"`
	Description              string `json:"Description"`
	AssumeRolePolicyDocument string `json:"AssumeRolePolicyDocument,omitempty"`
	CreateDate               string `json:"CreateDate"`
	UpdateDate               string `json:"UpdateDate,omitempty"`
	MaxSessionDuration       int64  `json:"MaxSessionDuration,omitempty"`
	RolePrincipalName        string `json:"RolePrincipalName"`
	IsServiceLinkedRole      bool   `json:"IsServiceLinkedRole"`
}

type roleResponseJSON struct {
	RequestID string   `json:"RequestId"`
	Role      roleJSON `json:"Role"`
}

func (s *Server) roleJSON() roleJSON {
	r := s.st.role
	return roleJSON{
		RoleID:                   r.id,
		RoleName:                 ServiceLinkedRoleName,
		Arn:                      "acs:ram::1234567890123456:role/aliyunserviceroleforalb",
		Description:              "The ALB service uses this role to access your resources in other services.",
		AssumeRolePolicyDocument: `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["alb.aliyuncs.com"]}}],"Version":"1"}`,
		CreateDate:               ts(r.created),
		UpdateDate:               ts(r.created),
		MaxSessionDuration:       3600,
		RolePrincipalName:        ServiceLinkedRoleService,
		IsServiceLinkedRole:      true,
	}
}

func (s *Server) opGetRole(c *call) (any, *apiError) {
	name := c.p.Get("RoleName")
	if name == "" {
		return nil, missing("RoleName")
	}
	if !strings.EqualFold(name, ServiceLinkedRoleName) || s.st.role == nil {
		return nil, errf(404, "EntityNotExist.Role", "The role not exists: %s.", truncate(name, 64))
	}
	return &roleResponseJSON{RequestID: c.requestID, Role: s.roleJSON()}, nil
}

func (s *Server) opCreateServiceLinkedRole(c *call) (any, *apiError) {
	svc := c.p.Get("ServiceName")
	if svc == "" {
		return nil, missing("ServiceName")
	}
	if svc != ServiceLinkedRoleService {
		return nil, errf(400, "InvalidParameter.ServiceName", "The parameter ServiceName is invalid: %s.", truncate(svc, 64))
	}
	if s.st.role == nil {
		s.st.role = &roleState{id: "300800000000000001", created: c.now}
	}
	return &roleResponseJSON{RequestID: c.requestID, Role: s.roleJSON()}, nil
}
