package cloudapi_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/cloudapi"
	"github.com/albkit/albkit/waf"
)

// waf3Body is a WAF 3.0 DescribeInstance body in the documented shape.
func waf3Body(payType string, status int) map[string]any {
	return map[string]any{
		"RequestId":  "D7861F61-5B61-46CE-A47C-6B19160D5EB0",
		"InstanceId": "waf_v2_public_cn-****",
		"RegionId":   "cn-hangzhou",
		"Edition":    "default_version",
		"Status":     status,
		"PayType":    payType,
		"InDebt":     "0",
		"StartTime":  1665299727000,
		"EndTime":    1668182400000,
		"Details":    map[string]any{"Gslb": true, "BackendMaxCount": 10, "HttpPorts": "80,8080", "BotApp": "true"},
	}
}

// waf2Body is a WAF 2.0 DescribeInstanceInfo body; an empty id means no
// instance (PayType 0, the other fields absent).
func waf2Body(id string) map[string]any {
	if id == "" {
		return map[string]any{"RequestId": "R2", "InstanceInfo": map[string]any{"PayType": 0}}
	}
	return map[string]any{"RequestId": "R2", "InstanceInfo": map[string]any{
		"Status": 1, "EndDate": 1512921600, "Version": "version_3", "RemainDay": 7, "Region": "cn",
		"PayType": 1, "InDebt": 1, "InstanceId": id, "SubscriptionType": "Subscription", "Trial": 0,
	}}
}

func TestWAFEndpoint(t *testing.T) {
	for region, want := range map[string][2]string{
		"cn-hangzhou":    {"wafopenapi.cn-hangzhou.aliyuncs.com", "cn-hangzhou"},
		"cn-beijing":     {"wafopenapi.cn-hangzhou.aliyuncs.com", "cn-hangzhou"},
		"cn-shenzhen":    {"wafopenapi.cn-hangzhou.aliyuncs.com", "cn-hangzhou"},
		"cn-hongkong":    {"wafopenapi.ap-southeast-1.aliyuncs.com", "ap-southeast-1"},
		"ap-southeast-1": {"wafopenapi.ap-southeast-1.aliyuncs.com", "ap-southeast-1"},
		"eu-central-1":   {"wafopenapi.ap-southeast-1.aliyuncs.com", "ap-southeast-1"},
		"us-west-1":      {"wafopenapi.ap-southeast-1.aliyuncs.com", "ap-southeast-1"},
	} {
		ep, wr := cloudapi.WAFEndpoint(region)
		if ep != want[0] || wr != want[1] {
			t.Errorf("WAFEndpoint(%q) = %q, %q; want %q, %q", region, ep, wr, want[0], want[1])
		}
	}
}

func TestWAFCallsWire(t *testing.T) {
	for _, tc := range []struct{ region, wafRegion string }{{"cn-shanghai", "cn-hangzhou"}, {"ap-northeast-1", "ap-southeast-1"}} {
		t.Run(tc.region, func(t *testing.T) {
			f := newFake(t, func(r recorded) reply {
				if r.Action == "DescribeInstance" {
					return reply{200, waf3Body("PREPAY", 1)}
				}
				return reply{200, waf2Body("waf-cn-0pp0o3w7l07")}
			})
			cfg := f.config(t)
			cfg.Region = tc.region
			c, err := cloudapi.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			v3, err := mustWAF(t, c).DescribeInstance(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want3 := &cloudapi.WAF3Instance{
				RequestId: "D7861F61-5B61-46CE-A47C-6B19160D5EB0", InstanceId: "waf_v2_public_cn-****", RegionId: "cn-hangzhou",
				Edition: "default_version", PayType: "PREPAY", Status: 1, InDebt: "0", StartTime: 1665299727000, EndTime: 1668182400000,
			}
			if !reflect.DeepEqual(v3, want3) {
				t.Errorf("DescribeInstance = %+v, want %+v", v3, want3)
			}
			v2, err := mustWAF(t, c).DescribeInstanceInfo(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want2 := &cloudapi.WAF2InstanceInfo{
				InstanceId: "waf-cn-0pp0o3w7l07", Version: "version_3", Region: "cn", SubscriptionType: "Subscription",
				PayType: 1, Status: 1, InDebt: 1, Trial: 0, RemainDay: 7, EndDate: 1512921600,
			}
			if !reflect.DeepEqual(v2, want2) {
				t.Errorf("DescribeInstanceInfo = %+v, want %+v", v2, want2)
			}
			reqs := f.requests()
			checkSigned(t, reqs[0], "DescribeInstance", "2021-10-01")
			checkSigned(t, reqs[1], "DescribeInstanceInfo", "2019-09-10")
			for _, r := range reqs {
				wantQuery(t, r.Query, map[string]string{"RegionId": tc.wafRegion})
			}
		})
	}
}

func TestWAFNone(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		if r.Action == "DescribeInstance" {
			return reply{200, map[string]any{"RequestId": "R3"}}
		}
		return reply{200, waf2Body("")}
	})
	c := f.clients(t)
	v3, err := mustWAF(t, c).DescribeInstance(context.Background())
	if v3 != nil || err != nil {
		t.Errorf("DescribeInstance = %+v, %v; want nil, nil", v3, err)
	}
	v2, err := mustWAF(t, c).DescribeInstanceInfo(context.Background())
	if v2 != nil || err != nil {
		t.Errorf("DescribeInstanceInfo = %+v, %v; want nil, nil", v2, err)
	}
}

func TestWAFFacts(t *testing.T) {
	type v3 struct {
		present bool
		payType string
		status  int
	}
	for _, tc := range []struct {
		name string
		v3   v3
		v2   string
		want waf.Facts
	}{
		{"nothing", v3{}, "", waf.Facts{}},
		{"only 2.0", v3{}, "waf-2", waf.Facts{V2Present: true, V2InstanceID: "waf-2"}},
		{"3.0 subscription", v3{true, "PREPAY", 1}, "", waf.Facts{V3: waf.V3Subscription, V3InstanceID: "waf_v2_public_cn-****"}},
		{"3.0 pay-as-you-go", v3{true, "POSTPAY", 1}, "", waf.Facts{V3: waf.V3PayAsYouGo, V3InstanceID: "waf_v2_public_cn-****"}},
		{"3.0 expired still counts", v3{true, "PREPAY", 2}, "", waf.Facts{V3: waf.V3Subscription, V3InstanceID: "waf_v2_public_cn-****"}},
		{"3.0 released is none", v3{true, "PREPAY", 3}, "", waf.Facts{}},
		{"3.0 released and 2.0", v3{true, "POSTPAY", 3}, "waf-2", waf.Facts{V2Present: true, V2InstanceID: "waf-2"}},
		{"3.0 subscription and 2.0", v3{true, "PREPAY", 1}, "waf-2", waf.Facts{V3: waf.V3Subscription, V3InstanceID: "waf_v2_public_cn-****", V2Present: true, V2InstanceID: "waf-2"}},
		{"3.0 pay-as-you-go and 2.0", v3{true, "POSTPAY", 1}, "waf-2", waf.Facts{V3: waf.V3PayAsYouGo, V3InstanceID: "waf_v2_public_cn-****", V2Present: true, V2InstanceID: "waf-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(r recorded) reply {
				if r.Action == "DescribeInstance" {
					if !tc.v3.present {
						return reply{200, map[string]any{"RequestId": "R", "InstanceId": ""}}
					}
					return reply{200, waf3Body(tc.v3.payType, tc.v3.status)}
				}
				return reply{200, waf2Body(tc.v2)}
			})
			got, err := mustWAF(t, f.clients(t)).Facts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Facts = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWAFFactsErrors(t *testing.T) {
	t.Run("unknown PayType", func(t *testing.T) {
		f := newFake(t, func(r recorded) reply { return reply{200, waf3Body("FREE", 1)} })
		_, err := mustWAF(t, f.clients(t)).Facts(context.Background())
		if err == nil || !strings.Contains(err.Error(), `"FREE"`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("2.0 call fails", func(t *testing.T) {
		f := newFake(t, func(r recorded) reply {
			if r.Action == "DescribeInstance" {
				return reply{200, waf3Body("PREPAY", 1)}
			}
			return reply{403, errBody("Forbbiden", "User not authorized to operate on the specified resource.", "R403")}
		})
		_, err := mustWAF(t, f.clients(t)).Facts(context.Background())
		var se *tea.SDKError
		if !errors.As(err, &se) || tea.StringValue(se.Code) != "Forbbiden" || !strings.Contains(err.Error(), "DescribeInstanceInfo") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("3.0 call fails", func(t *testing.T) {
		f := newFake(t, func(r recorded) reply {
			return reply{500, errBody("InternalError", "The request processing has failed due to some unknown error.", "R500")}
		})
		_, err := mustWAF(t, f.clients(t)).Facts(context.Background())
		var se *tea.SDKError
		if !errors.As(err, &se) || tea.IntValue(se.StatusCode) != 500 || cloudapi.IsNotFound(err) {
			t.Errorf("err = %v", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("%d requests, want 1 (no retry)", n)
		}
	})
}
