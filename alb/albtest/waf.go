package albtest

// WAF 3.0 DescribeInstance (2021-10-01) and WAF 2.0 DescribeInstanceInfo
// (2019-09-10).

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

// opWAF3DescribeInstance answers RequestId only when there is no WAF 3.0
// instance (GUESS).
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
	InstanceID       string `json:"InstanceId,omitempty"` // absent with PayType 0 (no instance), as documented
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
	// Defaults: valid and not in debt (the API's 0 means expired / overdue).
	st, debt := w.Status, w.InDebt
	if st == 0 {
		st = 1
	}
	if debt == 0 {
		debt = 1
	}
	if w.Expired {
		st = 0
	}
	if w.Overdue {
		debt = 0
	}
	end := w.EndDate
	if end == 0 {
		end = s.st.started.AddDate(1, 0, 0).Unix()
	}
	info.Status, info.InDebt, info.EndDate = &st, &debt, &end
	out.InstanceInfo = info
	return out, nil
}
