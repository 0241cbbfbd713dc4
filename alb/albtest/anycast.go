package albtest

import (
	"strconv"
)

// Anycast EIPs: Eipanycast 2020-03-09 ListAnycastEipAddresses.
//
// DescribeEipAddresses does not list Anycast EIPs; ListAnycastEipAddresses
// does. The VPC API documents DescribeEipAddresses as the query of "the
// EIPs created in a region" (VPC API reference, DescribeEipAddresses,
// https://www.alibabacloud.com/help/en/vpc/api-describeeipaddresses, and
// the 2024-07-30 VPC API metadata: "查询指定地域已创建的EIP"): none of its
// filters or fields names an Anycast EIP or a type, and its ISP values are
// the regional lines (BGP, BGP_PRO). Anycast EIPs are a product of their
// own, created in an access area (ServiceLocation), not in a region, with
// IDs aeip-…, and queried by the Eipanycast API (ListAnycastEipAddresses,
// https://www.alibabacloud.com/help/en/anycast-eip/developer-reference/api-eipanycast-2020-03-09-listanycasteipaddresses;
// the Terraform provider has a separate data source for them,
// alicloud_eipanycast_anycast_eip_addresses). The decision follows the
// documented scope of both APIs; no page says it in so many words. The
// answer's fields follow the Eipanycast reference and the Terraform
// provider's reading of them (AnycastList, AnycastEipBindInfoList); the
// BindInstanceType of an ALB instance is a GUESS (the type the emulator
// binds EIPs with).

// VersionEipanycast is the Eipanycast API version served.
const VersionEipanycast = "2020-03-09"

var prodAnycast = &product{name: "Eipanycast", host: "eipanycast", global: true, version: VersionEipanycast}

type anycastBindJSON struct {
	BindInstanceID       string `json:"BindInstanceId"`
	BindInstanceRegionID string `json:"BindInstanceRegionId"`
	BindInstanceType     string `json:"BindInstanceType"`
	BindTime             string `json:"BindTime"`
	Status               string `json:"Status"`
}

type anycastJSON struct {
	AnycastID              string            `json:"AnycastId"`
	IPAddress              string            `json:"IpAddress"`
	Name                   string            `json:"Name"`
	Description            string            `json:"Description"`
	Bandwidth              int               `json:"Bandwidth"`
	Status                 string            `json:"Status"`
	BusinessStatus         string            `json:"BusinessStatus"`
	InstanceChargeType     string            `json:"InstanceChargeType"`
	InternetChargeType     string            `json:"InternetChargeType"`
	ServiceLocation        string            `json:"ServiceLocation"`
	AliUID                 int64             `json:"AliUid"`
	Bid                    string            `json:"Bid"`
	CreateTime             string            `json:"CreateTime"`
	ResourceGroupID        string            `json:"ResourceGroupId"`
	AnycastEipBindInfoList []anycastBindJSON `json:"AnycastEipBindInfoList"`
}

type listAnycastJSON struct {
	RequestID   string        `json:"RequestId"`
	NextToken   string        `json:"NextToken,omitempty"`
	MaxResults  int64         `json:"MaxResults"`
	TotalCount  int           `json:"TotalCount"`
	AnycastList []anycastJSON `json:"AnycastList"`
}

// anycastStatus is an Anycast EIP's status: Associated when it is bound,
// Allocated when it is not (the Eipanycast statuses).
func anycastStatus(x *eipState) string {
	if x.Status == "InUse" {
		return "Associated"
	}
	return "Allocated"
}

// opListAnycastEipAddresses lists the Anycast EIPs, filtered by AnycastId,
// AnycastIds.N (at most 50), AnycastEipAddress, Name, Status,
// ServiceLocation, InstanceChargeType and InternetChargeType, in pages of
// MaxResults (NextToken).
func (s *Server) opListAnycastEipAddresses(c *call) (any, *apiError) {
	p := c.p
	ids, e := list(p, "AnycastIds")
	if e != nil {
		return nil, e
	}
	if len(ids) > 50 {
		return nil, errf(400, "InvalidParameter", "AnycastIds takes at most 50 values.")
	}
	if id := p.Get("AnycastId"); id != "" {
		ids = append(ids, id)
	}
	status, e := enum(p, "Status", false, "Associating", "Unassociating", "Allocated", "Associated", "Modifying", "Releasing", "Released")
	if e != nil {
		return nil, e
	}
	loc, e := enum(p, "ServiceLocation", false, "international", "ChineseMainland")
	if e != nil {
		return nil, e
	}
	var match []*eipState
	for _, id := range s.st.eipOrder {
		x := s.st.eips[id]
		if x.Type != EIPTypeAnycast || !inFilter(ids, x.AllocationID) ||
			p.Get("AnycastEipAddress") != "" && x.IPAddress != p.Get("AnycastEipAddress") ||
			p.Get("Name") != "" && x.Name != p.Get("Name") || status != "" && anycastStatus(x) != status ||
			loc != "" && loc != "international" ||
			p.Get("InstanceChargeType") != "" && x.ChargeType != p.Get("InstanceChargeType") ||
			p.Get("InternetChargeType") != "" && x.InternetChargeType != p.Get("InternetChargeType") {
			continue
		}
		match = append(match, x)
	}
	start, end, maxResults, next, e := page(p, len(match))
	if e != nil {
		return nil, e
	}
	out := &listAnycastJSON{RequestID: c.requestID, NextToken: next, MaxResults: maxResults, TotalCount: len(match), AnycastList: []anycastJSON{}}
	for _, x := range match[start:end] {
		bw, _ := strconv.Atoi(x.Bandwidth)
		j := anycastJSON{AnycastID: x.AllocationID, IPAddress: x.IPAddress, Name: x.Name, Bandwidth: bw, Status: anycastStatus(x),
			BusinessStatus: "Normal", InstanceChargeType: x.ChargeType, InternetChargeType: x.InternetChargeType,
			ServiceLocation: "international", AliUID: accountID, CreateTime: ts(x.allocated),
			ResourceGroupID: or(x.ResourceGroupID, DefaultResourceGroupID), AnycastEipBindInfoList: []anycastBindJSON{}}
		if x.InstanceID != "" {
			j.AnycastEipBindInfoList = append(j.AnycastEipBindInfoList, anycastBindJSON{BindInstanceID: x.InstanceID,
				BindInstanceRegionID: s.st.region, BindInstanceType: x.InstanceType, BindTime: ts(x.allocated), Status: "BINDED"})
		}
		out.AnycastList = append(out.AnycastList, j)
	}
	return out, nil
}
