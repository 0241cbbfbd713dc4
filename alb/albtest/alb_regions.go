package albtest

import (
	"strings"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// DescribeZones and DescribeRegions.

func (s *Server) opDescribeZones(c *call) (any, *apiError) {
	out := &albsdk.DescribeZonesResponseBody{RequestId: sp(c.requestID), Zones: []*albsdk.DescribeZonesResponseBodyZones{}}
	for _, z := range s.st.zones {
		ln := z.LocalName
		if strings.HasPrefix(c.p.Get("AcceptLanguage"), "en") || ln == "" {
			ln = "Zone " + strings.ToUpper(z.ZoneID[strings.LastIndexByte(z.ZoneID, '-')+1:])
		}
		out.Zones = append(out.Zones, &albsdk.DescribeZonesResponseBodyZones{ZoneId: sp(z.ZoneID), LocalName: sp(ln)})
	}
	return out, nil
}

func (s *Server) opDescribeRegions(c *call) (any, *apiError) {
	out := &albsdk.DescribeRegionsResponseBody{RequestId: sp(c.requestID), Regions: []*albsdk.DescribeRegionsResponseBodyRegions{}}
	for _, r := range s.st.regions {
		ln := r.LocalName
		if ln == "" || strings.HasPrefix(c.p.Get("AcceptLanguage"), "en") {
			ln = r.RegionID
		}
		out.Regions = append(out.Regions, &albsdk.DescribeRegionsResponseBodyRegions{
			RegionId: sp(r.RegionID), LocalName: sp(ln), RegionEndpoint: sp("alb." + r.RegionID + ".aliyuncs.com"),
		})
	}
	return out, nil
}
