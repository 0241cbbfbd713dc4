package albtest_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

func start(t testing.TB, opts ...albtest.Option) (*albtest.Server, *albsdk.Client) {
	t.Helper()
	srv := albtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, srv.ALBClient()
}

// sdkErr asserts err is a *tea.SDKError with code and status and returns it.
func sdkErr(t testing.TB, err error, code string, status int) *tea.SDKError {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s (%d), got success", code, status)
	}
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("want *tea.SDKError %s, got %T %v", code, err, err)
	}
	if dara.StringValue(se.Code) != code || dara.IntValue(se.StatusCode) != status {
		t.Fatalf("want %s (%d), got %s (%d): %s", code, status, dara.StringValue(se.Code), dara.IntValue(se.StatusCode), dara.StringValue(se.Message))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(dara.StringValue(se.Data)), &body); err != nil {
		t.Fatalf("error Data is not JSON: %v", err)
	}
	for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
		if s, _ := body[k].(string); s == "" {
			t.Fatalf("error body lacks %s: %v", k, body)
		}
	}
	if body["Code"] != code {
		t.Fatalf("body Code %v, want %s", body["Code"], code)
	}
	if !strings.Contains(body["Recommend"].(string), "q="+code) {
		t.Fatalf("Recommend %v does not name %s", body["Recommend"], code)
	}
	return se
}

func zm(vsw, zone string) *albsdk.CreateLoadBalancerRequestZoneMappings {
	return &albsdk.CreateLoadBalancerRequestZoneMappings{VSwitchId: dara.String(vsw), ZoneId: dara.String(zone)}
}

func zmEIP(vsw, zone, eip string) *albsdk.CreateLoadBalancerRequestZoneMappings {
	z := zm(vsw, zone)
	z.AllocationId = dara.String(eip)
	return z
}

// createReq is a valid Internet Standard instance in zones h and i.
func createReq(mods ...func(*albsdk.CreateLoadBalancerRequest)) *albsdk.CreateLoadBalancerRequest {
	r := &albsdk.CreateLoadBalancerRequest{
		VpcId:                     dara.String(albtest.DefaultVPCID),
		AddressType:               dara.String("Internet"),
		LoadBalancerEdition:       dara.String("Standard"),
		LoadBalancerName:          dara.String("albtest-lb"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings:              []*albsdk.CreateLoadBalancerRequestZoneMappings{zm(albtest.VSwitchH, albtest.ZoneH), zm(albtest.VSwitchI, albtest.ZoneI)},
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

func mustCreate(t testing.TB, c *albsdk.Client, r *albsdk.CreateLoadBalancerRequest) string {
	t.Helper()
	resp, err := c.CreateLoadBalancer(r)
	if err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	return dara.StringValue(resp.Body.LoadBalancerId)
}

func get(t testing.TB, c *albsdk.Client, id string) *albsdk.GetLoadBalancerAttributeResponseBody {
	t.Helper()
	resp, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)})
	if err != nil {
		t.Fatalf("GetLoadBalancerAttribute(%s): %v", id, err)
	}
	return resp.Body
}

// waitActive polls until the instance is Active (bounded).
func waitActive(t testing.TB, c *albsdk.Client, id string) *albsdk.GetLoadBalancerAttributeResponseBody {
	t.Helper()
	for i := 0; i < 10; i++ {
		b := get(t, c, id)
		if dara.StringValue(b.LoadBalancerStatus) == "Active" {
			return b
		}
	}
	t.Fatalf("%s not Active after 10 polls", id)
	return nil
}

func rpcParams(action, version string) *openapiutil.Params {
	return &openapiutil.Params{
		Action: dara.String(action), Version: dara.String(version), Protocol: dara.String("HTTPS"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
}

// call invokes action through darabonba-openapi CallApi and returns the
// decoded body.
func call(t testing.TB, c *openapi.Client, action, version string, q map[string]any) (map[string]any, error) {
	t.Helper()
	if q == nil {
		q = map[string]any{}
	}
	res, err := c.CallApi(rpcParams(action, version), &openapiutil.OpenApiRequest{Query: openapiutil.Query(q)}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	body, _ := res["body"].(map[string]any)
	return body, nil
}

func mustCall(t testing.TB, c *openapi.Client, action, version string, q map[string]any) map[string]any {
	t.Helper()
	b, err := call(t, c, action, version, q)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	return b
}

// path walks a decoded JSON value: keys for objects, ints for arrays.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func num(v any) int64 {
	switch x := v.(type) {
	case json.Number:
		n, _ := x.Int64()
		return n
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	}
	return -1
}

var (
	reLBID      = regexp.MustCompile(`^alb-[a-z0-9]{18}$`)
	reRequestID = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`) // version 4, variant 10
	reJobID     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reTime      = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

func availableIPs(t testing.TB, srv *albtest.Server, vsw string) int64 {
	t.Helper()
	b := mustCall(t, srv.OpenAPIClient(), "DescribeVSwitches", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "VSwitchId": vsw})
	return num(path(b, "VSwitches", "VSwitch", 0, "AvailableIpAddressCount"))
}

func eipStatus(t testing.TB, srv *albtest.Server, id string) (string, bool) {
	t.Helper()
	b := mustCall(t, srv.OpenAPIClient(), "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": srv.Region(), "AllocationId": id})
	if num(b["TotalCount"]) == 0 {
		return "", false
	}
	s, _ := path(b, "EipAddresses", "EipAddress", 0, "Status").(string)
	return s, true
}

// optional is how a decoded answer shows an optional string field: absent
// (nil) when empty.
func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

var (
	reLsnID  = regexp.MustCompile(`^lsn-[a-z0-9]{20}$`)
	reRuleID = regexp.MustCompile(`^rule-[a-z0-9]{20}$`)
)
