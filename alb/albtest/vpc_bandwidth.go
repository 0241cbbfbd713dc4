package albtest

// VPC DescribeCommonBandwidthPackages.

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
	ExpiredTime        string  `json:"ExpiredTime,omitempty"`
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
			CreationTime: ts(st.started), Ratio: 20, HasReservationData: "false", ResourceGroupID: DefaultResourceGroupID,
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
