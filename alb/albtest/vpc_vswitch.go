package albtest

import (
	"strings"
)

// VPC DescribeVSwitches.

type vswitchJSON struct {
	VSwitchID               string  `json:"VSwitchId"`
	VpcID                   string  `json:"VpcId"`
	ZoneID                  string  `json:"ZoneId"`
	CidrBlock               string  `json:"CidrBlock"`
	Ipv6CidrBlock           string  `json:"Ipv6CidrBlock,omitempty"`
	EnabledIpv6             bool    `json:"EnabledIpv6"`
	AvailableIPAddressCount int64   `json:"AvailableIpAddressCount"`
	Status                  string  `json:"Status"`
	VSwitchName             string  `json:"VSwitchName"`
	Description             string  `json:"Description"`
	IsDefault               bool    `json:"IsDefault"`
	CreationTime            string  `json:"CreationTime"`
	ResourceGroupID         string  `json:"ResourceGroupId"`
	NetworkACLID            string  `json:"NetworkAclId,omitempty"`
	OwnerID                 int64   `json:"OwnerId"`
	ShareType               string  `json:"ShareType,omitempty"`
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
	// An unknown VSwitchId is 404 InvalidVSwitchId.NotFound, as the API
	// metadata documents (not an empty list).
	if id := c.p.Get("VSwitchId"); id != "" && (!here || st.vsw[id] == nil) {
		return nil, errf(404, "InvalidVSwitchId.NotFound", "VSwitch not exist.")
	}
	tagFilter, e := vpcTagFilter(c.p)
	if e != nil {
		return nil, e
	}
	owner, e := optInt(c.p, "VSwitchOwnerId", accountID, 0, 1<<62)
	if e != nil {
		return nil, errf(400, "IllegalParam.OwnerId", "The specified parameter VSwitchOwnerId is not valid.")
	}
	// vSwitches have no tags and belong to the account, the default
	// resource group and their VPC's system route table.
	rg, rtb := c.p.Get("ResourceGroupId"), c.p.Get("RouteTableId")
	var match []*vswState
	if here {
		for _, id := range st.vswOrder {
			v := st.vsw[id]
			if vpcID != "" && v.VpcID != vpcID ||
				c.p.Get("VSwitchId") != "" && v.VSwitchID != c.p.Get("VSwitchId") ||
				c.p.Get("ZoneId") != "" && v.ZoneID != c.p.Get("ZoneId") ||
				c.p.Get("VSwitchName") != "" && v.Name != c.p.Get("VSwitchName") ||
				defSet && isDefault ||
				ipv6Set && v.prefix6.IsValid() != ipv6 ||
				len(tagFilter) > 0 || owner != accountID ||
				rg != "" && rg != DefaultResourceGroupID || rtb != "" && rtb != routeTableID(v.VpcID) {
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
		out.VSwitches.VSwitch = append(out.VSwitches.VSwitch, vswitchJSONOf(v))
	}
	return out, nil
}

// routeTableID is the system route table of a VPC.
func routeTableID(vpcID string) string { return "vtb-" + strings.TrimPrefix(vpcID, "vpc-") }

// vswitchJSONOf renders one vSwitch.
func vswitchJSONOf(v *vswState) vswitchJSON {
	j := vswitchJSON{
		VSwitchID: v.VSwitchID, VpcID: v.VpcID, ZoneID: v.ZoneID, CidrBlock: v.prefix.String(),
		EnabledIpv6: v.prefix6.IsValid(), AvailableIPAddressCount: int64(v.available()), Status: or(v.Status, "Available"),
		VSwitchName: v.Name, CreationTime: ts(v.creation), ResourceGroupID: DefaultResourceGroupID, OwnerID: accountID,
		Tags: vpcTags{Tag: []vpcTag{}},
	}
	if v.prefix6.IsValid() {
		j.Ipv6CidrBlock = v.prefix6.String()
	}
	j.RouteTable.RouteTableID = routeTableID(v.VpcID)
	j.RouteTable.RouteTableType = "System"
	return j
}
