package acs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/acs"
)

const (
	testAK     = "LTAI5tTestAccessKey"
	testSecret = "s3cr3t-Secret/+=Value"
	stsAK      = "STS.NTestStsKey"
	stsSecret  = "sts-secret-VALUE"
	stsToken   = "CAIS-sts-token+/=value"
)

func testLookup(id string) (acs.Credential, bool) {
	switch id {
	case testAK:
		return acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}, true
	case stsAK:
		return acs.Credential{AccessKeyID: stsAK, AccessKeySecret: stsSecret, SecurityToken: stsToken}, true
	}
	return acs.Credential{}, false
}

// captured is one request as the server received it.
type captured struct {
	req      *http.Request
	body     []byte
	verified acs.Verified
	err      *acs.Error
}

// sdkServer is an httptest server whose handler verifies every request with v and
// answers like the gateway: 200 JSON on success, the error as JSON otherwise.
type sdkServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []captured
}

func newSDKServer(t *testing.T, v *acs.Verifier) *sdkServer {
	t.Helper()
	s := &sdkServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		vd, verr := v.Verify(r, body)
		s.mu.Lock()
		s.reqs = append(s.reqs, captured{req: r.Clone(context.Background()), body: body, verified: vd, err: verr})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		if verr != nil {
			w.WriteHeader(verr.Status)
			_ = json.NewEncoder(w).Encode(map[string]string{"RequestId": "RID-1", "Code": verr.Code, "Message": verr.Message, "HostId": r.Host})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"RequestId": "RID-1", "LoadBalancerId": "alb-test", "JobId": "job-1"})
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sdkServer) last(t *testing.T) captured {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("server received no request")
	}
	return s.reqs[len(s.reqs)-1]
}

func (s *sdkServer) endpoint() string { return strings.TrimPrefix(s.URL, "http://") }

func (s *sdkServer) config(ak, secret, token string) *openapiutil.Config {
	c := &openapiutil.Config{
		AccessKeyId:     dara.String(ak),
		AccessKeySecret: dara.String(secret),
		Endpoint:        dara.String(s.endpoint()),
		Protocol:        dara.String("http"),
		RegionId:        dara.String("cn-hangzhou"),
	}
	if token != "" {
		c.SecurityToken = dara.String(token)
	}
	return c
}

func rpcParams(action, version string) *openapiutil.Params {
	return &openapiutil.Params{
		Action: dara.String(action), Version: dara.String(version), Protocol: dara.String("HTTPS"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
}

// trickyQuery exercises the canonical-query edge cases: spaces, '*', '~', '/', '+', '%',
// '&', '=', unicode, empty values, empty tag values and list/object flattening.
func trickyQuery() map[string]any {
	return map[string]any{
		"RegionId":     "cn-hangzhou",
		"VpcId":        "vpc-abc123",
		"VSwitchName":  "my switch * with ~tilde/slash",
		"Description":  "ünïcødé 中文 😀 +plus %41 a&b=c",
		"Empty":        "",
		"Star*Key~":    "k*y",
		"PageSize":     50,
		"IsDefault":    true,
		"Tag":          []map[string]string{{"Key": "env", "Value": ""}, {"Key": "team name", "Value": "a/b*c~d"}},
		"VSwitchIds":   []string{"vsw-1", "vsw-2", "vsw-3", "vsw-4", "vsw-5", "vsw-6", "vsw-7", "vsw-8", "vsw-9", "vsw-10"},
		"BillingConfg": map[string]any{"PayType": "PostPay", "Bandwidth": 10},
	}
}

func TestSDKCallApiACS3Verifies(t *testing.T) {
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup, Nonces: acs.NewNonceCache(0)})
	client, err := openapi.NewClient(srv.config(testAK, testSecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		req  *openapiutil.OpenApiRequest
	}{
		{"tricky query", &openapiutil.OpenApiRequest{Query: openapiutil.Query(trickyQuery())}},
		{"no query", &openapiutil.OpenApiRequest{}},
		{"form body", &openapiutil.OpenApiRequest{
			Query: openapiutil.Query(map[string]any{"RegionId": "cn-hangzhou"}),
			Body:  map[string]any{"Form Field": "v a*l~ue/ü", "List": []string{"x", "y"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := client.CallApi(rpcParams("DescribeVSwitches", "2016-04-28"), tc.req, &dara.RuntimeOptions{}); err != nil {
				t.Fatalf("CallApi: %v (server: %+v)", err, srv.last(t).err)
			}
			got := srv.last(t)
			if got.err != nil {
				t.Fatalf("Verify: %v", got.err)
			}
			if got.verified.Scheme != acs.SchemeACS3 || got.verified.AccessKeyID != testAK || got.verified.STS {
				t.Errorf("Verified = %+v", got.verified)
			}
			if got.verified.Nonce == "" || got.verified.Time.IsZero() {
				t.Errorf("Verified lacks nonce/time: %+v", got.verified)
			}
		})
	}
	if q := srv.reqs[0].req.URL.Query(); q.Get("Tag.1.Value") != "" || !q.Has("Tag.1.Value") || q.Get("VSwitchIds.10") != "vsw-10" {
		t.Errorf("query was not flattened as expected: %v", q)
	}
	if ct := srv.reqs[2].req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" || len(srv.reqs[2].body) == 0 {
		t.Errorf("form request: content-type %q, body %q", ct, srv.reqs[2].body)
	}
}

func TestSDKCallApiClassicRPCVerifies(t *testing.T) {
	// SignatureAlgorithm "v2" makes darabonba-openapi use DoRPCRequest, the classic
	// HMAC-SHA1 signature, with the signature parameters in the query.
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup, Nonces: acs.NewNonceCache(0)})
	cfg := srv.config(testAK, testSecret, "")
	cfg.SignatureAlgorithm = dara.String("v2")
	client, err := openapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req := &openapiutil.OpenApiRequest{
		Query: openapiutil.Query(trickyQuery()),
		Body:  map[string]any{"BodyParam": "b o*d~y/ü", "BodyList": []string{"1", ""}},
	}
	if _, err := client.CallApi(rpcParams("DescribeVSwitches", "2016-04-28"), req, &dara.RuntimeOptions{}); err != nil {
		t.Fatalf("CallApi: %v", err)
	}
	got := srv.last(t)
	if got.err != nil || got.verified.Scheme != acs.SchemeRPC || got.verified.AccessKeyID != testAK {
		t.Fatalf("Verify = %+v, %v", got.verified, got.err)
	}
	if got.req.URL.Query().Get("Signature") == "" || !strings.Contains(string(got.body), "BodyParam=") {
		t.Errorf("not a classic RPC request with a form body: %s ? %s", got.req.URL.RawQuery, got.body)
	}
}

func TestSDKALBClientCreateLoadBalancerVerifies(t *testing.T) {
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup, Nonces: acs.NewNonceCache(0)})
	client, err := albsdk.NewClient(srv.config(testAK, testSecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	req := &albsdk.CreateLoadBalancerRequest{
		LoadBalancerName:    dara.String("my alb * ~ / ü"),
		VpcId:               dara.String("vpc-1"),
		AddressType:         dara.String("Internet"),
		LoadBalancerEdition: dara.String("Standard"),
		ClientToken:         dara.String("token-123"),
		DryRun:              dara.Bool(false),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{
			PayType: dara.String("PostPay"),
		},
		ZoneMappings: []*albsdk.CreateLoadBalancerRequestZoneMappings{
			{VSwitchId: dara.String("vsw-a"), ZoneId: dara.String("cn-hangzhou-h")},
			{VSwitchId: dara.String("vsw-b"), ZoneId: dara.String("cn-hangzhou-i")},
		},
		Tag: []*albsdk.CreateLoadBalancerRequestTag{{Key: dara.String("env"), Value: dara.String("")}},
	}
	resp, err := client.CreateLoadBalancer(req)
	if err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	if dara.StringValue(resp.Body.LoadBalancerId) != "alb-test" {
		t.Errorf("LoadBalancerId = %q", dara.StringValue(resp.Body.LoadBalancerId))
	}
	got := srv.last(t)
	if got.err != nil || got.verified.Scheme != acs.SchemeACS3 {
		t.Fatalf("Verify = %+v, %v", got.verified, got.err)
	}
	if q := got.req.URL.Query(); q.Get("ZoneMappings.2.VSwitchId") != "vsw-b" || q.Get("LoadBalancerBillingConfig.PayType") != "PostPay" {
		t.Errorf("unexpected query %v", q)
	}
}

// sdkError calls the ALB SDK and returns the *tea.SDKError it reports.
func sdkError(t *testing.T, cfg *openapiutil.Config) *tea.SDKError {
	t.Helper()
	client, err := albsdk.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String("alb-x")})
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("want *tea.SDKError, got %T %v", err, err)
	}
	return se
}

func TestSDKSeesGatewayErrors(t *testing.T) {
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup})
	cases := []struct {
		name            string
		ak, secret, tok string
		v2              bool
		code            string
		status          int
	}{
		{"wrong secret", testAK, "not-the-secret", "", false, acs.CodeSignatureDoesNotMatch, 400},
		{"wrong secret rpc", testAK, "not-the-secret", "", true, acs.CodeSignatureDoesNotMatch, 400},
		{"unknown ak", "LTAI-unknown", testSecret, "", false, acs.CodeAccessKeyNotFound, 404},
		{"unknown ak rpc", "LTAI-unknown", testSecret, "", true, acs.CodeAccessKeyNotFound, 404},
		{"sts wrong token", stsAK, stsSecret, "CAIS-other-token", false, acs.CodeSecurityTokenMismatch, 403},
		{"sts wrong token rpc", stsAK, stsSecret, "CAIS-other-token", true, acs.CodeSecurityTokenMismatch, 403},
		{"sts missing token", stsAK, stsSecret, "", false, acs.CodeMissingSecurityToken, 400},
		{"sts missing token rpc", stsAK, stsSecret, "", true, acs.CodeMissingSecurityToken, 400},
		{"token for permanent key", testAK, testSecret, "CAIS-unexpected", false, acs.CodeSecurityTokenMismatch, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := srv.config(tc.ak, tc.secret, tc.tok)
			if tc.v2 {
				cfg.SignatureAlgorithm = dara.String("v2")
			}
			se := sdkError(t, cfg)
			if dara.StringValue(se.Code) != tc.code || dara.IntValue(se.StatusCode) != tc.status {
				t.Errorf("SDK error = %s/%d, want %s/%d (%s)", dara.StringValue(se.Code), dara.IntValue(se.StatusCode), tc.code, tc.status, dara.StringValue(se.Message))
			}
			for _, secret := range []string{tc.secret, tc.tok, testSecret, stsSecret, stsToken} {
				if secret != "" && strings.Contains(dara.StringValue(se.Data), secret) {
					t.Errorf("error body leaks %q: %s", secret, dara.StringValue(se.Data))
				}
			}
		})
	}
}

func TestSDKSTSVerifies(t *testing.T) {
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup, Nonces: acs.NewNonceCache(0)})
	for _, v2 := range []bool{false, true} {
		cfg := srv.config(stsAK, stsSecret, stsToken)
		want := acs.SchemeACS3
		if v2 {
			cfg.SignatureAlgorithm = dara.String("v2")
			want = acs.SchemeRPC
		}
		client, err := albsdk.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String("alb-x")}); err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		got := srv.last(t)
		if got.err != nil || got.verified.Scheme != want || !got.verified.STS || got.verified.AccessKeyID != stsAK {
			t.Errorf("%s: Verify = %+v, %v", want, got.verified, got.err)
		}
	}
}

// replay re-verifies a request the server captured, after mutate, at time now.
func replay(c captured, v *acs.Verifier, mutate func(r *http.Request, body *[]byte)) (acs.Verified, *acs.Error) {
	r := c.req.Clone(context.Background())
	body := append([]byte(nil), c.body...)
	if mutate != nil {
		mutate(r, &body)
	}
	return v.Verify(r, body)
}

func TestTamperedACS3RequestsFail(t *testing.T) {
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup})
	client, err := openapi.NewClient(srv.config(testAK, testSecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	req := &openapiutil.OpenApiRequest{
		Query: openapiutil.Query(trickyQuery()),
		Body:  map[string]any{"Form": "value"},
	}
	if _, err := client.CallApi(rpcParams("DescribeVSwitches", "2016-04-28"), req, &dara.RuntimeOptions{}); err != nil {
		t.Fatal(err)
	}
	c := srv.last(t)
	if c.err != nil {
		t.Fatal(c.err)
	}
	signedAt := c.verified.Time
	at := func(d time.Duration) func() time.Time { return func() time.Time { return signedAt.Add(d) } }
	base := &acs.Verifier{Lookup: testLookup, Now: at(0)}

	setQuery := func(k, v string) func(*http.Request, *[]byte) {
		return func(r *http.Request, _ *[]byte) {
			q := r.URL.Query()
			q.Set(k, v)
			r.URL.RawQuery = q.Encode()
		}
	}
	cases := []struct {
		name   string
		v      *acs.Verifier
		mutate func(*http.Request, *[]byte)
		code   string
		status int
		msg    string
	}{
		{"untouched", base, nil, "", 0, ""},
		{"query re-encoded", base, func(r *http.Request, _ *[]byte) { r.URL.RawQuery = r.URL.Query().Encode() }, "", 0, ""},
		{"query value changed", base, setQuery("VpcId", "vpc-evil"), acs.CodeSignatureDoesNotMatch, 400, "server string to sign is:ACS3-HMAC-SHA256\n"},
		{"empty value filled", base, setQuery("Tag.1.Value", "x"), acs.CodeSignatureDoesNotMatch, 400, ""},
		{"query param added", base, setQuery("Extra", "1"), acs.CodeSignatureDoesNotMatch, 400, ""},
		{"query param removed", base, func(r *http.Request, _ *[]byte) {
			q := r.URL.Query()
			q.Del("Empty")
			r.URL.RawQuery = q.Encode()
		}, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"method changed", base, func(r *http.Request, _ *[]byte) { r.Method = http.MethodPut }, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"path changed", base, func(r *http.Request, _ *[]byte) { r.URL.Path = "/x" }, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"host changed", base, func(r *http.Request, _ *[]byte) { r.Host = "alb.cn-hangzhou.aliyuncs.com" }, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"signed header changed", base, func(r *http.Request, _ *[]byte) { r.Header.Set("x-acs-action", "DeleteLoadBalancer") }, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"content-type changed", base, func(r *http.Request, _ *[]byte) { r.Header.Set("Content-Type", "application/json") }, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"signature changed", base, func(r *http.Request, _ *[]byte) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+string("01"[(a[len(a)-1]-'0'+1)%2]))
		}, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"body changed", base, func(_ *http.Request, b *[]byte) { *b = []byte("Form=evil") }, acs.CodeSignatureDoesNotMatch, 400, "x-acs-content-sha256"},
		{"body hash header and body changed", base, func(r *http.Request, b *[]byte) {
			*b = []byte("Form=evil")
			r.Header.Set("x-acs-content-sha256", "5a1e0e2b7f7a0bd1f3f0a1a8a2f8d87ef5b1d4ff0cf4f1e0d3f4b5e3a6c5f4e2")
		}, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"unsigned x-acs header added", base, func(r *http.Request, _ *[]byte) { r.Header.Set("x-acs-extra", "1") }, acs.CodeIncompleteSignature, 400, "x-acs-extra"},
		{"x-acs-date removed", base, func(r *http.Request, _ *[]byte) { r.Header.Del("x-acs-date") }, acs.CodeMissingParameter, 400, "x-acs-date"},
		{"nonce removed", base, func(r *http.Request, _ *[]byte) { r.Header.Del("x-acs-signature-nonce") }, acs.CodeMissingParameter, 400, ""},
		{"body hash removed", base, func(r *http.Request, _ *[]byte) { r.Header.Del("x-acs-content-sha256") }, acs.CodeMissingParameter, 400, ""},
		{"date unparsable", base, func(r *http.Request, _ *[]byte) { r.Header.Set("x-acs-date", "yesterday") }, acs.CodeTimeStampFormat, 400, ""},
		{"authorization malformed", base, func(r *http.Request, _ *[]byte) { r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential") }, acs.CodeIncompleteSignature, 400, ""},
		{"authorization algorithm", base, func(r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3", 1))
		}, acs.CodeInvalidSignatureMethod, 400, ""},
		{"authorization removed", base, func(r *http.Request, _ *[]byte) { r.Header.Del("Authorization") }, "MissingSignature", 400, ""},
		{"wrong secret", &acs.Verifier{Now: at(0), Lookup: func(id string) (acs.Credential, bool) {
			return acs.Credential{AccessKeyID: id, AccessKeySecret: "other"}, true
		}}, nil, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"unknown access key", &acs.Verifier{Now: at(0), Lookup: func(string) (acs.Credential, bool) { return acs.Credential{}, false }}, nil, acs.CodeAccessKeyNotFound, 404, "Specified access key is not found."},
		{"clock 14m ahead", &acs.Verifier{Lookup: testLookup, Now: at(14 * time.Minute)}, nil, "", 0, ""},
		{"clock 16m ahead", &acs.Verifier{Lookup: testLookup, Now: at(16 * time.Minute)}, nil, acs.CodeTimeStampExpired, 400, ""},
		{"clock 16m behind", &acs.Verifier{Lookup: testLookup, Now: at(-16 * time.Minute)}, nil, acs.CodeTimeStampExpired, 400, ""},
		{"custom skew", &acs.Verifier{Lookup: testLookup, Now: at(2 * time.Minute), MaxSkew: time.Minute}, nil, acs.CodeTimeStampExpired, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vd, e := replay(c, tc.v, tc.mutate)
			if tc.code == "" {
				if e != nil {
					t.Fatalf("Verify: %v", e)
				}
				if vd.Scheme != acs.SchemeACS3 || vd.AccessKeyID != testAK {
					t.Errorf("Verified = %+v", vd)
				}
				return
			}
			if e == nil {
				t.Fatalf("Verify accepted a request that should fail with %s", tc.code)
			}
			if e.Code != tc.code || e.Status != tc.status || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("Verify = %d %s %q, want %d %s containing %q", e.Status, e.Code, e.Message, tc.status, tc.code, tc.msg)
			}
			if strings.Contains(e.Message, testSecret) || strings.Contains(e.Error(), testSecret) {
				t.Errorf("message leaks the secret: %s", e.Message)
			}
		})
	}
}

func TestReplayedNonceRejected(t *testing.T) {
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup})
	client, err := openapi.NewClient(srv.config(testAK, testSecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CallApi(rpcParams("DescribeVSwitches", "2016-04-28"), &openapiutil.OpenApiRequest{}, &dara.RuntimeOptions{}); err != nil {
		t.Fatal(err)
	}
	c := srv.last(t)
	now := c.verified.Time
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }, Nonces: acs.NewNonceCache(30 * time.Minute)}
	if _, e := replay(c, v, nil); e != nil {
		t.Fatalf("first use: %v", e)
	}
	_, e := replay(c, v, nil)
	if e == nil || e.Code != acs.CodeSignatureNonceUsed || e.Status != 400 {
		t.Fatalf("second use = %v, want SignatureNonceUsed", e)
	}
	if !errors.Is(e, &acs.Error{Code: acs.CodeSignatureNonceUsed}) {
		t.Error("errors.Is does not match by code")
	}
	// A forged request with a used nonce must not be reported as a replay before its
	// signature is checked, and a failed request must not burn the nonce.
	v2 := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }, Nonces: acs.NewNonceCache(30 * time.Minute)}
	if _, e := replay(c, v2, func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "Forged=1" }); e == nil || e.Code != acs.CodeSignatureDoesNotMatch {
		t.Fatalf("forged = %v", e)
	}
	if _, e := replay(c, v2, nil); e != nil {
		t.Fatalf("genuine request after a forged one with the same nonce: %v", e)
	}
}
