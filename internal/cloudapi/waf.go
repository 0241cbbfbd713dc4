package cloudapi

import (
	"context"
	"fmt"

	"github.com/albkit/albkit/waf"
)

// WAF calls WAF 3.0 (2021-10-01) and WAF 2.0 (2019-09-10) at the WAF endpoint
// serving the configured region (see WAFEndpoint), with the WAF RegionId
// ("cn-hangzhou" or "ap-southeast-1").
type WAF struct {
	v3, v2 *rpc
	region string // WAF RegionId
}

// String names the endpoint and WAF region; it never prints the credential.
func (c *WAF) String() string {
	return "cloudapi.WAF{" + c.v3.endpoint + " " + c.region + "}"
}

// WAF 3.0 PayType values.
const (
	WAF3PayTypePrepay  = "PREPAY"  // subscription
	WAF3PayTypePostpay = "POSTPAY" // pay-as-you-go
)

// WAF3StatusReleased is the WAF 3.0 Status of a released instance (1 normal,
// 2 expired, 3 released).
const WAF3StatusReleased = 3

// WAF3Instance is the body of a WAF 3.0 DescribeInstance response (Details
// omitted). JSON tags are the wire names.
type WAF3Instance struct {
	RequestId  string `json:"RequestId"`  // request ID
	InstanceId string `json:"InstanceId"` // instance ID; "" when there is none
	RegionId   string `json:"RegionId"`   // WAF region
	Edition    string `json:"Edition"`    // edition
	PayType    string `json:"PayType"`    // PREPAY | POSTPAY
	Status     int32  `json:"Status"`     // 1 normal, 2 expired, 3 released
	InDebt     string `json:"InDebt"`     // "0" normal, "1" overdue
	StartTime  int64  `json:"StartTime"`  // ms
	EndTime    int64  `json:"EndTime"`    // ms
}

// DescribeInstance returns the account's WAF 3.0 instance, or nil, nil when
// the account has none (GUESS: the service then answers with an empty or
// absent InstanceId).
func (c *WAF) DescribeInstance(ctx context.Context) (*WAF3Instance, error) {
	query := struct {
		RegionId string `json:"RegionId"`
	}{c.region}
	out := new(WAF3Instance)
	if err := c.v3.call(ctx, "DescribeInstance", query, out); err != nil {
		return nil, err
	}
	if out.InstanceId == "" {
		return nil, nil
	}
	return out, nil
}

// WAF2InstanceInfo is the InstanceInfo of a WAF 2.0 DescribeInstanceInfo
// response. JSON tags are the wire names.
type WAF2InstanceInfo struct {
	InstanceId       string `json:"InstanceId"`       // instance ID; "" when there is none
	Version          string `json:"Version"`          // edition
	Region           string `json:"Region"`           // cn | cn-hongkong
	SubscriptionType string `json:"SubscriptionType"` // subscription type
	PayType          int32  `json:"PayType"`          // 0 none, 1 subscription, 2 pay-as-you-go
	Status           int32  `json:"Status"`           // 0 expired, 1 valid
	InDebt           int32  `json:"InDebt"`           // 0 overdue, 1 normal
	Trial            int32  `json:"Trial"`            // trial flag
	RemainDay        int32  `json:"RemainDay"`        // days until EndDate
	EndDate          int64  `json:"EndDate"`          // s
}

// DescribeInstanceInfo returns the account's WAF 2.0 instance, or nil, nil
// when the account has none (no InstanceId; PayType 0).
func (c *WAF) DescribeInstanceInfo(ctx context.Context) (*WAF2InstanceInfo, error) {
	query := struct {
		RegionId string `json:"RegionId"`
	}{c.region}
	var out struct {
		RequestId    string           `json:"RequestId"`
		InstanceInfo WAF2InstanceInfo `json:"InstanceInfo"`
	}
	if err := c.v2.call(ctx, "DescribeInstanceInfo", query, &out); err != nil {
		return nil, err
	}
	if out.InstanceInfo.InstanceId == "" {
		return nil, nil
	}
	info := out.InstanceInfo
	return &info, nil
}

// Facts asks both WAF versions and returns what the waf rules need: a WAF 3.0
// instance with PayType PREPAY is V3Subscription, POSTPAY is V3PayAsYouGo, a
// released one (Status 3) or none is V3None; any other PayType is an error. A
// WAF 2.0 InstanceId sets V2Present.
func (c *WAF) Facts(ctx context.Context) (waf.Facts, error) {
	var f waf.Facts
	v3, err := c.DescribeInstance(ctx)
	if err != nil {
		return waf.Facts{}, err
	}
	if v3 != nil && v3.Status != WAF3StatusReleased {
		switch v3.PayType {
		case WAF3PayTypePrepay:
			f.V3 = waf.V3Subscription
		case WAF3PayTypePostpay:
			f.V3 = waf.V3PayAsYouGo
		default:
			return waf.Facts{}, fmt.Errorf("cloudapi: DescribeInstance: WAF 3.0 instance %s has unknown PayType %q", v3.InstanceId, v3.PayType)
		}
		f.V3InstanceID = v3.InstanceId
	}
	v2, err := c.DescribeInstanceInfo(ctx)
	if err != nil {
		return waf.Facts{}, err
	}
	if v2 != nil {
		f.V2Present = true
		f.V2InstanceID = v2.InstanceId
	}
	return f, nil
}
