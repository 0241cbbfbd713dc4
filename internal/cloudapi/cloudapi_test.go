package cloudapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
	vpcsdk "github.com/alibabacloud-go/vpc-20160428/v6/client"

	"github.com/albkit/albkit/internal/cloudapi"
)

func TestNewValidates(t *testing.T) {
	cred := testCredential(t)
	for _, tc := range []struct {
		name string
		cfg  cloudapi.Config
	}{
		{"no region", cloudapi.Config{Credential: cred}},
		{"no credential", cloudapi.Config{Region: "cn-hangzhou"}},
		{"bad protocol", cloudapi.Config{Region: "cn-hangzhou", Credential: cred, Protocol: "ftp"}},
		{"negative timeout", cloudapi.Config{Region: "cn-hangzhou", Credential: cred, ReadTimeout: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := cloudapi.New(tc.cfg); err == nil {
				t.Errorf("New accepted %v: %v", tc.cfg, c)
			}
		})
	}
	if _, err := cloudapi.New(cloudapi.Config{Region: "cn-hangzhou", Credential: cred, Protocol: "HTTPS"}); err != nil {
		t.Errorf("HTTPS refused: %v", err)
	}
}

func TestEndpointSelection(t *testing.T) {
	if got := cloudapi.VPCEndpoint("eu-central-1"); got != "vpc.eu-central-1.aliyuncs.com" {
		t.Errorf("VPCEndpoint = %q", got)
	}
	for _, tc := range []struct{ region, vpc, waf string }{
		{"cn-hangzhou", "cloudapi.VPC{vpc.cn-hangzhou.aliyuncs.com cn-hangzhou}", "cloudapi.WAF{wafopenapi.cn-hangzhou.aliyuncs.com cn-hangzhou}"},
		{"cn-hongkong", "cloudapi.VPC{vpc.cn-hongkong.aliyuncs.com cn-hongkong}", "cloudapi.WAF{wafopenapi.ap-southeast-1.aliyuncs.com ap-southeast-1}"},
		{"us-east-1", "cloudapi.VPC{vpc.us-east-1.aliyuncs.com us-east-1}", "cloudapi.WAF{wafopenapi.ap-southeast-1.aliyuncs.com ap-southeast-1}"},
	} {
		c, err := cloudapi.New(cloudapi.Config{Region: tc.region, Credential: testCredential(t)})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.VPC.String(); got != tc.vpc {
			t.Errorf("%s VPC: %s, want %s", tc.region, got, tc.vpc)
		}
		if got := mustWAF(t, c).String(); got != tc.waf {
			t.Errorf("%s WAF: %s, want %s", tc.region, got, tc.waf)
		}
		if got := mustRM(t, c).String(); got != "cloudapi.ResourceManager{resourcemanager.aliyuncs.com}" {
			t.Errorf("%s RM: %s", tc.region, got)
		}
	}
	// One Endpoint for every product (the emulator), and the Host header the SDK sends.
	f := newFake(t, func(r recorded) reply {
		switch r.Action {
		case "GetRole":
			return reply{200, roleBody()}
		case "DescribeInstance":
			return reply{200, waf3Body("PREPAY", 1)}
		}
		return reply{200, waf2Body("")}
	})
	c := f.clients(t)
	ctx := context.Background()
	if _, err := mustRM(t, c).GetRole(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	if _, err := mustWAF(t, c).Facts(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.requests() {
		if r.Host != f.endpoint() {
			t.Errorf("%s went to host %q, want %q", r.Action, r.Host, f.endpoint())
		}
	}
}

func TestConfigNeverPrintsTheSecret(t *testing.T) {
	f := newFake(t, func(r recorded) reply { return reply{200, map[string]any{}} })
	cfg := f.config(t)
	c := f.clients(t)
	var out []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(format, cfg), fmt.Sprintf(format, &cfg), fmt.Sprintf(format, c))
	}
	out = append(out, cfg.GoString())
	joined := strings.Join(out, "\n")
	if strings.Contains(joined, testSecret) {
		t.Errorf("the secret is printed:\n%s", joined)
	}
	if !strings.Contains(fmt.Sprint(cfg), "Credential:<redacted>") || !strings.Contains(fmt.Sprint(cfg), `Region:"cn-hangzhou"`) {
		t.Errorf("Config prints as %s", cfg)
	}
}

func TestErrorsAreNotRetriedAndKeepTheSDKError(t *testing.T) {
	f := newFake(t, func(r recorded) reply {
		return reply{400, errBody("Throttling.User", "Request was denied due to user flow control.", "R-T")}
	})
	_, err := f.clients(t).VPC.ListEIPs(context.Background(), "eip-1")
	var se *tea.SDKError
	if !errors.As(err, &se) || tea.StringValue(se.Code) != "Throttling.User" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(tea.StringValue(se.Data), `"RequestId":"R-T"`) {
		t.Errorf("SDKError.Data = %q", tea.StringValue(se.Data))
	}
	if cloudapi.IsNotFound(err) {
		t.Error("throttling matches ErrNotFound")
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestEmptyBodyIsAnError(t *testing.T) {
	f := newFake(t, func(r recorded) reply { return reply{200, ""} })
	_, err := f.clients(t).VPC.DescribeVSwitches(context.Background(), &vpcsdk.DescribeVSwitchesRequest{})
	if err == nil {
		t.Fatal("no error for an empty body")
	}
	if testing.Verbose() {
		t.Log(err)
	}
	if !strings.HasPrefix(err.Error(), "cloudapi: DescribeVSwitches: ") {
		t.Errorf("err = %v", err)
	}
}

func TestContextIsHonoured(t *testing.T) {
	f := newFake(t, func(r recorded) reply { return reply{200, eipPage(nil, 0)} })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.clients(t).VPC.ListEIPs(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent with a cancelled context", n)
	}
}

func TestReadTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // never answers before the client gives up
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, err := cloudapi.New(cloudapi.Config{
		Region: "cn-hangzhou", Endpoint: strings.TrimPrefix(srv.URL, "http://"), Protocol: "http",
		Credential: testCredential(t), ConnectTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.VPC.ListEIPs(context.Background())
	if err == nil {
		t.Fatal("no timeout error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timed out after %v", d)
	}
}
