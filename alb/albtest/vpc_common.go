package albtest

import (
	"net/url"
	"strings"
)

// VPC 2016-04-28: shared shapes and checks. The VPC API nests lists
// XML-style (VSwitches.VSwitch[]).

type vpcTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type vpcTags struct {
	Tag []vpcTag `json:"Tag"`
}

type requestOnly struct {
	RequestID string `json:"RequestId"`
}

const accountID int64 = 1234567890123456

// vpcTagFilter reads a VPC Tag.N filter; malformed keys and values answer
// the VPC codes InvalidTagKey and InvalidTagValue.
func vpcTagFilter(p url.Values) ([]tagKV, *apiError) {
	tl, e := tags(p, 20, 128)
	switch {
	case e == nil:
		return tl, nil
	case strings.Contains(e.Message, "Tag.Value"):
		return nil, errf(400, "InvalidTagValue", "The tag values are not valid.")
	case e.Code == "InvalidParameter" && strings.Contains(e.Message, "number of tags"):
		return nil, e
	}
	return nil, errf(400, "InvalidTagKey", "The tag keys are not valid.")
}

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
