package alb

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/eip"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// wireRequest is what the test server saw of one request.
type wireRequest struct {
	method string
	action string
	query  url.Values
	body   string
}

// sendCreate sends createRequest(token, token, dryRun) through the real SDK client
// to a local server and returns what the server received.
func sendCreate(t *testing.T, s InstanceSpec, token string, dryRun bool) wireRequest {
	t.Helper()
	got := make(chan wireRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		buf := make([]byte, 512)
		for {
			n, err := r.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		select {
		case got <- wireRequest{method: r.Method, action: r.Header.Get("x-acs-action"), query: r.URL.Query(), body: b.String()}:
		default:
			t.Errorf("more than one request received")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"R","LoadBalancerId":"alb-x"}`))
	}))
	defer srv.Close()

	client, err := albsdk.NewClient(&openapiutil.Config{
		AccessKeyId:     dara.String("ak"),
		AccessKeySecret: dara.String("sk"),
		Endpoint:        dara.String(strings.TrimPrefix(srv.URL, "http://")),
		Protocol:        dara.String("http"),
	})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	resp, err := client.CreateLoadBalancerWithContext(context.Background(), s.createRequest(token, token, dryRun), &dara.RuntimeOptions{})
	if err != nil {
		t.Fatalf("CreateLoadBalancerWithContext: %v", err)
	}
	if id := dara.StringValue(resp.Body.LoadBalancerId); id != "alb-x" {
		t.Errorf("LoadBalancerId = %q, want alb-x", id)
	}
	select {
	case w := <-got:
		return w
	default:
		t.Fatal("the server received no request")
	}
	return wireRequest{}
}

// goldenLines renders a query as sorted key=value lines.
func goldenLines(q url.Values) string {
	var lines []string
	for k, vs := range q {
		for _, v := range vs {
			lines = append(lines, k+"="+v)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./alb/ -run Wire -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("query differs from %s (run with -update after checking the change)\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// fullSpec uses every field of InstanceSpec.
func fullSpec() InstanceSpec {
	return NewInstanceSpec("vpc-full", Internet, EditionStandardWithWAF,
		Zone("cn-hangzhou-h", "vsw-h").WithEIP("eip-h").WithEIPType(eip.TypeCommon).WithIntranetAddress("10.0.1.10"),
		Zone("cn-hangzhou-i", "vsw-i").WithEIP("eip-i").WithEIPType(eip.TypeCommon),
		Zone("cn-hangzhou-j", "vsw-j").WithIntranetAddress("10.0.3.20"),
	).
		WithName("web-prod.1").
		WithIPVersion(DualStack).
		WithAddressAllocatedMode(AddressDynamic).
		WithBandwidthPackage("cbwp-1").
		WithDeletionProtection().
		WithReadOnly("Change_freeze").
		WithResourceGroup("rg-1").
		WithSecurityGroups("sg-1", "sg-2").
		WithTag("env", "prod").
		WithTag("team", "web team").
		WithTag("empty", "").
		WithIdempotencyKey("key-1")
}

// minimalSpec has only the required fields: no NewInstanceSpec defaults.
func minimalSpec() InstanceSpec {
	return InstanceSpec{
		VPCID:        "vpc-min",
		AddressType:  Intranet,
		Edition:      EditionBasic,
		ZoneMappings: []ZoneMapping{Zone("cn-hangzhou-h", "vsw-h"), Zone("cn-hangzhou-i", "vsw-i")},
	}
}

func TestCreateRequestWireFull(t *testing.T) {
	s := fullSpec()
	if err := s.Validate(); err != nil {
		t.Fatalf("the full spec is invalid: %v", err)
	}
	w := sendCreate(t, s, "token-1", false)
	if w.method != http.MethodPost || w.action != "CreateLoadBalancer" {
		t.Errorf("method %s action %q, want POST CreateLoadBalancer", w.method, w.action)
	}
	if w.body != "" {
		t.Errorf("body = %q, want empty (every parameter in the query)", w.body)
	}
	checkGolden(t, "create_request.golden", goldenLines(w.query))

	// albkit's two tags follow the three user tags: the token, then the
	// spec digest.
	if k, v := w.query.Get("Tag.4.Key"), w.query.Get("Tag.4.Value"); k != TokenTagKey || v != "token-1" {
		t.Errorf("Tag.4 = %q=%q, want %s=token-1", k, v, TokenTagKey)
	}
	if k, v := w.query.Get("Tag.5.Key"), w.query.Get("Tag.5.Value"); k != SpecTagKey || v != s.Digest() {
		t.Errorf("Tag.5 = %q=%q, want %s=%s", k, v, SpecTagKey, s.Digest())
	}
	if w.query.Has("Tag.6.Key") {
		t.Errorf("unexpected Tag.6: %v", w.query)
	}
	if !w.query.Has("Tag.3.Value") || w.query.Get("Tag.3.Value") != "" {
		t.Errorf("empty tag value not sent as Tag.3.Value=: %v", w.query["Tag.3.Value"])
	}
	if w.query.Get("ClientToken") != "token-1" {
		t.Errorf("ClientToken = %q, want token-1", w.query.Get("ClientToken"))
	}
	if w.query.Has("DryRun") {
		t.Errorf("DryRun sent although not asked: %q", w.query.Get("DryRun"))
	}
	for k := range w.query {
		if strings.Contains(strings.ToLower(k), "signature") || strings.Contains(strings.ToLower(k), "accesskey") {
			t.Errorf("credential parameter %q in the query", k)
		}
	}
}

func TestCreateRequestWireMinimal(t *testing.T) {
	s := minimalSpec()
	if err := s.Validate(); err != nil {
		t.Fatalf("the minimal spec is invalid: %v", err)
	}
	w := sendCreate(t, s, "token-2", false)
	checkGolden(t, "create_request_minimal.golden", goldenLines(w.query))
	for _, k := range []string{
		"LoadBalancerName", "AddressAllocatedMode", "DeletionProtectionEnabled", "DryRun",
		"ModificationProtectionConfig.Status", "ModificationProtectionConfig.Reason",
		"LoadBalancerBillingConfig.BandwidthPackageId", "ResourceGroupId", "SecurityGroupIds.1.SecurityGroupId",
		"ZoneMappings.1.AllocationId", "ZoneMappings.1.EipType", "ZoneMappings.1.IntranetAddress", "Tag.3.Key",
	} {
		if w.query.Has(k) {
			t.Errorf("optional parameter %s=%q sent for a spec that does not set it", k, w.query.Get(k))
		}
	}
	// The defaults albkit fills in.
	for k, v := range map[string]string{
		"AddressIpVersion":                  "IPv4",
		"LoadBalancerBillingConfig.PayType": "PostPay",
		"Tag.1.Key":                         TokenTagKey,
		"Tag.1.Value":                       "token-2",
		"ClientToken":                       "token-2",
	} {
		if got := w.query.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestCreateRequestWireDryRun(t *testing.T) {
	w := sendCreate(t, minimalSpec(), "token-3", true)
	if got := w.query["DryRun"]; len(got) != 1 || got[0] != "true" {
		t.Errorf("DryRun = %v, want [true]", got)
	}
}

func TestCreateRequestReadOnlyWithoutReason(t *testing.T) {
	s := minimalSpec()
	s.ReadOnly.Enabled = true
	req := s.createRequest("t", "t", false)
	if req.ModificationProtectionConfig == nil || dara.StringValue(req.ModificationProtectionConfig.Status) != "ConsoleProtection" {
		t.Fatalf("ModificationProtectionConfig = %v, want Status ConsoleProtection", req.ModificationProtectionConfig)
	}
	if req.ModificationProtectionConfig.Reason != nil {
		t.Errorf("Reason = %q, want not sent", *req.ModificationProtectionConfig.Reason)
	}
}

func TestCreateRequestDoesNotShareSpecSlices(t *testing.T) {
	s := fullSpec()
	req := s.createRequest("t", "t", false)
	*req.ZoneMappings[0].VSwitchId = "vsw-changed"
	*req.Tag[0].Key = "changed"
	if s.ZoneMappings[0].VSwitchID != "vsw-h" || s.Tags[0].Key != "env" {
		t.Errorf("changing the request changed the spec: %+v", s)
	}
}
