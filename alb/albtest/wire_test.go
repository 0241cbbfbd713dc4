package albtest_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/internal/acs"
)

// rawACS3 sends an ACS3-signed POST built by hand.
func rawACS3(t *testing.T, srv *albtest.Server, action, version string, q url.Values, cred acs.Credential, now time.Time, nonce string, mutate func(*http.Request)) (*http.Response, map[string]any) {
	t.Helper()
	u := srv.URL() + "/?" + q.Encode()
	r, err := http.NewRequest(http.MethodPost, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if action != "" {
		r.Header.Set("x-acs-action", action)
		r.Header.Set("x-acs-version", version)
	}
	if err := acs.SignACS3(r, nil, cred, now, nonce); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(r)
	}
	return do(t, r)
}

func do(t *testing.T, r *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	return resp, m
}

func defaultCred() acs.Credential {
	return acs.Credential{AccessKeyID: albtest.DefaultAccessKeyID, AccessKeySecret: albtest.DefaultAccessKeySecret}
}

func TestRoutingAndErrorBody(t *testing.T) {
	srv, _ := start(t)
	oc := srv.OpenAPIClient()
	_, err := call(t, oc, "Frobnicate", albtest.VersionALB, nil)
	sdkErr(t, err, "InvalidAction.NotFound", 404)
	_, err = call(t, oc, "GetLoadBalancerAttribute", albtest.VersionVPC, map[string]any{"LoadBalancerId": "alb-x"})
	sdkErr(t, err, "InvalidVersion", 400)
	_, err = call(t, oc, "DescribeVSwitches", albtest.VersionVPC, map[string]any{"VpcId": "vpc-nope"})
	se := sdkErr(t, err, "Forbidden.VpcNotFound", 400)
	var body map[string]string
	_ = json.Unmarshal([]byte(dara.StringValue(se.Data)), &body)
	if body["HostId"] != "vpc.cn-hangzhou.aliyuncs.com" || !strings.Contains(body["Recommend"], "product=Vpc") || !strings.Contains(body["Recommend"], body["RequestId"]) {
		t.Fatalf("VPC error body: %v", body)
	}
	// Raw: content type and ALB host.
	resp, m := rawACS3(t, srv, "GetLoadBalancerAttribute", albtest.VersionALB, url.Values{"LoadBalancerId": {"alb-nope"}}, defaultCred(), time.Now(), "", nil)
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json;charset=utf-8" || m["HostId"] != "alb.cn-hangzhou.aliyuncs.com" || m["Code"] != "ResourceNotFound.LoadBalancer" {
		t.Fatalf("raw error: %d %q %v", resp.StatusCode, resp.Header.Get("Content-Type"), m)
	}
	if !reRequestID.MatchString(m["RequestId"].(string)) || m["Recommend"] != "https://api.aliyun.com/troubleshoot?q=ResourceNotFound.LoadBalancer&product=Alb&requestId="+m["RequestId"].(string) {
		t.Fatalf("raw error body: %v", m)
	}
	// Action and Version as query parameters (no x-acs-action header).
	resp, m = rawACS3(t, srv, "", "", url.Values{"Action": {"DescribeZones"}, "Version": {albtest.VersionALB}}, defaultCred(), time.Now(), "", nil)
	if resp.StatusCode != 200 || m["Zones"] == nil {
		t.Fatalf("query routing: %d %v", resp.StatusCode, m)
	}
	resp, m = rawACS3(t, srv, "", "", url.Values{"Action": {"DescribeZones"}}, defaultCred(), time.Now(), "", nil)
	if resp.StatusCode != 400 || m["Code"] != "MissingParameter" {
		t.Fatalf("missing version: %d %v", resp.StatusCode, m)
	}
}

func TestAuthentication(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	srv, _ := start(t, albtest.WithClock(clk), albtest.WithSTSCredentials("STS.albtest", "sts-secret", "sts-token"), albtest.WithAccessKey("second-key", "second-secret"))
	client := func(id, secret, token string) *albsdk.Client {
		cfg := srv.Config()
		cfg.AccessKeyId, cfg.AccessKeySecret = dara.String(id), dara.String(secret)
		if token != "" {
			cfg.SecurityToken = dara.String(token)
		}
		c, err := albsdk.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	zones := func(c *albsdk.Client) error {
		_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
		return err
	}
	if err := zones(client("second-key", "second-secret", "")); err != nil {
		t.Fatalf("second key: %v", err)
	}
	if err := zones(client("STS.albtest", "sts-secret", "sts-token")); err != nil {
		t.Fatalf("STS: %v", err)
	}
	sdkErr(t, zones(client("STS.albtest", "sts-secret", "other-token")), "InvalidSecurityToken.MismatchWithAccessKey", 403)
	sdkErr(t, zones(client(albtest.DefaultAccessKeyID, "wrong-secret", "")), "SignatureDoesNotMatch", 400)
	sdkErr(t, zones(client("nobody", "x", "")), "InvalidAccessKeyId.NotFound", 404)
	// A refused request is logged under the access key it names.
	if reqs := srv.Requests(); reqs[len(reqs)-1].AccessKeyID != "nobody" || reqs[len(reqs)-1].Code != "InvalidAccessKeyId.NotFound" {
		t.Fatalf("refused request logged as %+v", reqs[len(reqs)-1])
	}

	// Clock skew: the server clock moves 16 minutes ahead of the signer.
	clk.Advance(16 * time.Minute)
	sdkErr(t, zones(srv.ALBClient()), "InvalidTimeStamp.Expired", 400)
	clk.Advance(-16 * time.Minute)

	// Replayed nonce.
	resp, _ := rawACS3(t, srv, "DescribeZones", albtest.VersionALB, nil, defaultCred(), time.Now(), "0123456789abcdef0123456789abcdef", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("first use of nonce: %d", resp.StatusCode)
	}
	resp, m := rawACS3(t, srv, "DescribeZones", albtest.VersionALB, nil, defaultCred(), time.Now(), "0123456789abcdef0123456789abcdef", nil)
	if resp.StatusCode != 400 || m["Code"] != "SignatureNonceUsed" {
		t.Fatalf("replay: %d %v", resp.StatusCode, m)
	}
	// Tampered query.
	resp, m = rawACS3(t, srv, "ListLoadBalancers", albtest.VersionALB, url.Values{"MaxResults": {"5"}}, defaultCred(), time.Now(), "", func(r *http.Request) {
		r.URL.RawQuery = "MaxResults=6"
	})
	if resp.StatusCode != 400 || m["Code"] != "SignatureDoesNotMatch" {
		t.Fatalf("tampered: %d %v", resp.StatusCode, m)
	}
	// Body hash mismatch.
	resp, m = rawACS3(t, srv, "DescribeZones", albtest.VersionALB, nil, defaultCred(), time.Now(), "", func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader("extra=1"))
		r.ContentLength = 7
	})
	if resp.StatusCode != 400 || m["Code"] != "SignatureDoesNotMatch" {
		t.Fatalf("body hash: %d %v", resp.StatusCode, m)
	}
	// Unsigned.
	r, _ := http.NewRequest(http.MethodPost, srv.URL()+"/?Action=DescribeZones&Version=2020-06-16", nil)
	resp, m = do(t, r)
	if resp.StatusCode != 400 || !strings.HasPrefix(m["Code"].(string), "Missing") {
		t.Fatalf("unsigned: %d %v", resp.StatusCode, m)
	}
	// WithoutAuth accepts it.
	open, _ := start(t, albtest.WithoutAuth())
	r, _ = http.NewRequest(http.MethodPost, open.URL()+"/?Action=DescribeZones&Version=2020-06-16", nil)
	if resp, _ = do(t, r); resp.StatusCode != 200 {
		t.Fatalf("WithoutAuth: %d", resp.StatusCode)
	}
}

// percentEncode and signClassic implement the documented classic RPC
// signature independently of internal/acs.
func percentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

func signClassic(method string, params url.Values, secret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, percentEncode(k)+"="+percentEncode(params.Get(k)))
	}
	sts := method + "&" + percentEncode("/") + "&" + percentEncode(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func classicParams(action, version, akID, nonce string) url.Values {
	return url.Values{
		"Action": {action}, "Version": {version}, "Format": {"JSON"}, "AccessKeyId": {akID},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {nonce},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "RegionId": {"cn-hangzhou"},
	}
}

func TestClassicRPCSignature(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()), albtest.WithSTSCredentials("STS.rpc", "rpc-secret", "rpc-token"))
	id := mustCreate(t, c, createReq())

	// GET, everything in the query, tricky characters included.
	q := classicParams("ListLoadBalancers", albtest.VersionALB, albtest.DefaultAccessKeyID, "nonce-get-1")
	q.Set("LoadBalancerNames.1", "albtest-lb")
	q.Set("Tag.1.Key", "a b*c~d/é")
	q.Set("Tag.1.Value", "")
	q.Set("Signature", signClassic("GET", q, albtest.DefaultAccessKeySecret))
	r, _ := http.NewRequest(http.MethodGet, srv.URL()+"/?"+q.Encode(), nil)
	resp, m := do(t, r)
	if resp.StatusCode != 200 || num(m["TotalCount"]) != 0 {
		t.Fatalf("classic GET: %d %v", resp.StatusCode, m)
	}

	// POST with business parameters in a form body.
	q = classicParams("GetLoadBalancerAttribute", albtest.VersionALB, albtest.DefaultAccessKeyID, "nonce-post-1")
	form := url.Values{"LoadBalancerId": {id}}
	all := url.Values{}
	for k, v := range q {
		all[k] = v
	}
	for k, v := range form {
		all[k] = v
	}
	q.Set("Signature", signClassic("POST", all, albtest.DefaultAccessKeySecret))
	r, _ = http.NewRequest(http.MethodPost, srv.URL()+"/?"+q.Encode(), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, m = do(t, r)
	if resp.StatusCode != 200 || m["LoadBalancerId"] != id {
		t.Fatalf("classic POST: %d %v", resp.StatusCode, m)
	}

	// STS through SecurityToken.
	q = classicParams("DescribeZones", albtest.VersionALB, "STS.rpc", "nonce-sts-1")
	q.Set("SecurityToken", "rpc-token")
	q.Set("Signature", signClassic("GET", q, "rpc-secret"))
	r, _ = http.NewRequest(http.MethodGet, srv.URL()+"/?"+q.Encode(), nil)
	if resp, m = do(t, r); resp.StatusCode != 200 {
		t.Fatalf("classic STS: %d %v", resp.StatusCode, m)
	}

	// Tampered value, wrong secret, replayed nonce.
	q = classicParams("DescribeZones", albtest.VersionALB, albtest.DefaultAccessKeyID, "nonce-bad-1")
	q.Set("Signature", signClassic("GET", q, "not-the-secret"))
	r, _ = http.NewRequest(http.MethodGet, srv.URL()+"/?"+q.Encode(), nil)
	if resp, m = do(t, r); resp.StatusCode != 400 || m["Code"] != "SignatureDoesNotMatch" {
		t.Fatalf("classic wrong secret: %d %v", resp.StatusCode, m)
	}
	q = classicParams("DescribeZones", albtest.VersionALB, albtest.DefaultAccessKeyID, "nonce-get-1")
	q.Set("Signature", signClassic("GET", q, albtest.DefaultAccessKeySecret))
	r, _ = http.NewRequest(http.MethodGet, srv.URL()+"/?"+q.Encode(), nil)
	if resp, m = do(t, r); resp.StatusCode != 400 || m["Code"] != "SignatureNonceUsed" {
		t.Fatalf("classic replay: %d %v", resp.StatusCode, m)
	}

	// The request log never holds signatures or tokens.
	for _, req := range srv.Requests() {
		for k, v := range req.Params {
			if k == "Signature" || k == "SecurityToken" || k == "AccessKeyId" || strings.Contains(v, "rpc-token") || strings.Contains(v, albtest.DefaultAccessKeySecret) {
				t.Fatalf("request log leaks %s=%s", k, v)
			}
		}
	}
}

func TestClientToken(t *testing.T) {
	srv, c := start(t, albtest.WithAccessKey("second-key", "second-secret"))
	tok := dara.String("token-123")
	withTok := func(r *albsdk.CreateLoadBalancerRequest) { r.ClientToken = tok }

	// A failed request does not consume the token.
	_, err := c.CreateLoadBalancer(createReq(withTok, func(r *albsdk.CreateLoadBalancerRequest) { r.VpcId = dara.String("vpc-nope") }))
	sdkErr(t, err, "ResourceNotFound.Vpc", 404)
	// Nor does a DryRun.
	_, err = c.CreateLoadBalancer(createReq(withTok, func(r *albsdk.CreateLoadBalancerRequest) { r.DryRun = dara.Bool(true) }))
	sdkErr(t, err, "DryRunOperation", 400)

	a := mustCreate(t, c, createReq(withTok))
	b := mustCreate(t, c, createReq(withTok))
	if a != b || srv.Created() != 1 {
		t.Fatalf("same token: %s vs %s, created %d", a, b, srv.Created())
	}
	_, err = c.CreateLoadBalancer(createReq(withTok, func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerName = dara.String("other-name") }))
	sdkErr(t, err, "IdempotentParameterMismatch", 400)

	// Tokens are scoped per access key and per action.
	cfg := srv.Config()
	cfg.AccessKeyId, cfg.AccessKeySecret = dara.String("second-key"), dara.String("second-secret")
	c2, _ := albsdk.NewClient(cfg)
	if other := mustCreate(t, c2, createReq(withTok)); other == a {
		t.Fatal("token shared across access keys")
	}
	waitActive(t, c, a)
	if _, err := c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: dara.String(a), ClientToken: tok}); err != nil {
		t.Fatalf("same token, other action: %v", err)
	}

	// While the first request is still being processed.
	hold := make(chan struct{})
	reached := make(chan string)
	srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", Hold: hold, Reached: reached, Times: 1})
	tok2 := func(r *albsdk.CreateLoadBalancerRequest) { r.ClientToken = dara.String("token-slow") }
	done := make(chan string)
	go func() {
		resp, err := c.CreateLoadBalancer(createReq(tok2))
		if err != nil {
			done <- "error: " + err.Error()
			return
		}
		done <- dara.StringValue(resp.Body.LoadBalancerId)
	}()
	<-reached
	_, err = c.CreateLoadBalancer(createReq(tok2))
	sdkErr(t, err, "IdempotenceProcessing", 400)
	close(hold)
	first := <-done
	if !reLBID.MatchString(first) {
		t.Fatalf("held create: %s", first)
	}
	if again := mustCreate(t, c, createReq(tok2)); again != first {
		t.Fatalf("after processing: %s vs %s", again, first)
	}
	// Delete with a token: a retry returns the same job.
	waitActive(t, c, first)
	d1, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(first), ClientToken: dara.String("del-1")})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(first), ClientToken: dara.String("del-1")})
	if err != nil || dara.StringValue(d1.Body.JobId) != dara.StringValue(d2.Body.JobId) {
		t.Fatalf("delete retry: %v %v", d2, err)
	}
}

func TestFaults(t *testing.T) {
	t.Run("Times", func(t *testing.T) {
		srv, c := start(t)
		id := srv.InjectFault(albtest.Fault{Action: "DescribeZones", Code: "ServiceUnavailable", Status: 503, Times: 2})
		for i := 0; i < 2; i++ {
			_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
			sdkErr(t, err, "ServiceUnavailable", 503)
		}
		if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
			t.Fatal(err)
		}
		if srv.RemoveFault(id) {
			t.Fatal("exhausted fault still registered")
		}
		srv.InjectFault(albtest.Fault{Code: "SystemBusy", Status: 400, Message: "System is busy, please try again later."})
		_, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{})
		se := sdkErr(t, err, "SystemBusy", 400)
		if !strings.Contains(dara.StringValue(se.Message), "System is busy") {
			t.Fatal(dara.StringValue(se.Message))
		}
		srv.ClearFaults()
		if _, err := c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{}); err != nil {
			t.Fatal(err)
		}
		if srv.Count("DescribeZones") != 3 || srv.Calls()["ListLoadBalancers"] != 2 {
			t.Fatalf("counts: %v", srv.Calls())
		}
	})
	t.Run("Probability", func(t *testing.T) {
		pattern := func() string {
			srv, c := start(t)
			srv.InjectFault(albtest.Fault{Action: "DescribeRegions", Code: "InternalError", Probability: 0.5, Seed: 42})
			var b strings.Builder
			for i := 0; i < 40; i++ {
				if _, err := c.DescribeRegions(&albsdk.DescribeRegionsRequest{}); err != nil {
					sdkErr(t, err, "InternalError", 500)
					b.WriteByte('x')
				} else {
					b.WriteByte('.')
				}
			}
			return b.String()
		}
		p1, p2 := pattern(), pattern()
		if p1 != p2 || !strings.Contains(p1, "x") || !strings.Contains(p1, ".") {
			t.Fatalf("patterns %s / %s", p1, p2)
		}
	})
	t.Run("ApplyThenFail", func(t *testing.T) {
		srv, c := start(t)
		srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", Code: "ServiceUnavailable", Status: 503, ApplyThenFail: true, Times: 1})
		tok := func(r *albsdk.CreateLoadBalancerRequest) { r.ClientToken = dara.String("apply-then-fail") }
		_, err := c.CreateLoadBalancer(createReq(tok))
		sdkErr(t, err, "ServiceUnavailable", 503)
		if srv.Created() != 1 {
			t.Fatalf("created %d, want 1", srv.Created())
		}
		id := mustCreate(t, c, createReq(tok))
		if lbs := srv.LoadBalancers(); id != lbs[0].ID || srv.Created() != 1 || lbs[0].ClientToken != "apply-then-fail" {
			t.Fatalf("retry: %s vs %+v", id, lbs)
		}
	})
	t.Run("DropConnection", func(t *testing.T) {
		srv, c := start(t)
		srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", DropConnection: true, ApplyThenFail: true, Times: 1})
		_, err := c.CreateLoadBalancer(createReq())
		var se *tea.SDKError
		if err == nil || (errors.As(err, &se) && dara.IntValue(se.StatusCode) != 0) {
			t.Fatalf("dropped connection: %v", err)
		}
		if srv.Created() != 1 {
			t.Fatalf("ApplyThenFail drop: created %d", srv.Created())
		}
		srv.InjectFault(albtest.Fault{Action: "DescribeZones", DropConnection: true, Times: 1})
		if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err == nil {
			t.Fatal("DescribeZones: no error on dropped connection")
		}
		reqs := srv.Requests()
		if last := reqs[len(reqs)-1]; last.Action != "DescribeZones" || last.Status != 0 || last.Code != "DroppedConnection" {
			t.Fatalf("log: %+v", last)
		}
	})
	t.Run("Latency", func(t *testing.T) {
		srv, c := start(t)
		srv.InjectFault(albtest.Fault{Action: "DescribeZones", Latency: 30 * time.Millisecond, Times: 1})
		t0 := time.Now()
		if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(t0); d < 30*time.Millisecond {
			t.Fatalf("latency not applied: %v", d)
		}
	})
}

func TestRateLimit(t *testing.T) {
	clk := albtest.NewManualClock(time.Time{})
	srv, c := start(t, albtest.WithClock(clk), albtest.WithRateLimit("DescribeZones", 1, 2))
	for i := 0; i < 2; i++ {
		if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
			t.Fatalf("within burst: %v", err)
		}
	}
	_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
	se := sdkErr(t, err, "Throttling.User", 400)
	if !strings.Contains(dara.StringValue(se.Message), "Request was denied due to user flow control.") {
		t.Fatal(dara.StringValue(se.Message))
	}
	resp, m := rawACS3(t, srv, "DescribeZones", albtest.VersionALB, nil, defaultCred(), time.Now(), "", nil)
	if resp.StatusCode != 400 || m["Code"] != "Throttling.User" || !strings.Contains(resp.Header.Get("x-ratelimit-user-api"), "TimeLeft:") {
		t.Fatalf("raw throttle: %d %v %q", resp.StatusCode, m, resp.Header.Get("x-ratelimit-user-api"))
	}
	if _, err := c.DescribeRegions(&albsdk.DescribeRegionsRequest{}); err != nil {
		t.Fatalf("other action throttled: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatalf("after refill: %v", err)
	}
	srv.SetRateLimit("DescribeZones", 0, 0)
	for i := 0; i < 5; i++ {
		if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
			t.Fatalf("limit removed: %v", err)
		}
	}
}

// TestGarbageNeverInternalError throws random parameters at every action;
// no answer may be a 500.
func TestGarbageNeverInternalError(t *testing.T) {
	srv, c := start(t, albtest.WithoutAuth(), albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq())
	actions := []struct{ a, v string }{
		{"CreateLoadBalancer", albtest.VersionALB}, {"GetLoadBalancerAttribute", albtest.VersionALB}, {"ListLoadBalancers", albtest.VersionALB},
		{"DeleteLoadBalancer", albtest.VersionALB}, {"ListAsynJobs", albtest.VersionALB}, {"EnableDeletionProtection", albtest.VersionALB},
		{"DisableDeletionProtection", albtest.VersionALB}, {"UpdateLoadBalancerAttribute", albtest.VersionALB}, {"UpdateLoadBalancerEdition", albtest.VersionALB},
		{"AttachCommonBandwidthPackageToLoadBalancer", albtest.VersionALB}, {"DetachCommonBandwidthPackageFromLoadBalancer", albtest.VersionALB},
		{"TagResources", albtest.VersionALB}, {"UnTagResources", albtest.VersionALB}, {"ListTagResources", albtest.VersionALB},
		{"DescribeZones", albtest.VersionALB}, {"DescribeRegions", albtest.VersionALB}, {"DescribeVSwitches", albtest.VersionVPC},
		{"DescribeEipAddresses", albtest.VersionVPC}, {"ReleaseEipAddress", albtest.VersionVPC}, {"DescribeCommonBandwidthPackages", albtest.VersionVPC},
		{"DescribeInstance", albtest.VersionWAF3}, {"DescribeInstanceInfo", albtest.VersionWAF2}, {"GetRole", albtest.VersionResourceManager},
		{"CreateServiceLinkedRole", albtest.VersionResourceManager},
	}
	keys := []string{"LoadBalancerId", "ResourceId", "ResourceId.1", "ResourceId.x", "VpcId", "AddressType", "LoadBalancerEdition",
		"LoadBalancerBillingConfig.PayType", "ZoneMappings.1.VSwitchId", "ZoneMappings.1.ZoneId", "ZoneMappings.1.IntranetAddress",
		"ZoneMappings.1.AllocationId", "ZoneMappings.0.ZoneId", "ZoneMappings.99999999999999999999.ZoneId", "ZoneMappings.1", "ZoneMappings.1.Bogus",
		"Tag.1.Key", "Tag.1.Value", "Tag.2.Value", "Tag.x.Key", "MaxResults", "NextToken", "PageNumber", "PageSize", "DryRun", "ClientToken",
		"LoadBalancerIds.1", "LoadBalancerIds.0", "JobIds.1", "BeginTime", "EndTime", "All", "TagKey.1", "RegionId", "AllocationId",
		"BandwidthPackageId", "LoadBalancerBillingConfig.BandwidthPackageId", "AddressIpVersion", "DeletionProtectionEnabled",
		"ModificationProtectionConfig.Status", "ModificationProtectionConfig.Reason", "RoleName", "ServiceName", "EnableIpv6", "IsDefault",
		"SecurityGroupIds.1.SecurityGroupId", "SecurityGroupIds.1", "ResourceType", "LoadBalancerName", "EipAddress", "ChargeType", "Status"}
	values := []string{"", "0", "-1", "1", "101", "99999999999999999999", "true", "maybe", id, "alb-nope", albtest.VSwitchH, albtest.ZoneH,
		albtest.DefaultVPCID, "Internet", "Standard", "PostPay", "10.0.1.7", "999.1.1.1", "::1", strings.Repeat("x", 5000), "\xff\xfe",
		"a,b,,c", albtest.EIPTraffic2, albtest.DefaultBandwidthPackageID, "loadbalancer", "cn-hangzhou", "DualStack", "%zz", "acs:x"}
	rng := rand.New(rand.NewPCG(1, 2))
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 0; i < 1500; i++ {
		act := actions[rng.IntN(len(actions))]
		q := url.Values{"Action": {act.a}, "Version": {act.v}}
		for j := rng.IntN(8); j > 0; j-- {
			q.Add(keys[rng.IntN(len(keys))], values[rng.IntN(len(values))])
		}
		method := http.MethodPost
		var body io.Reader
		if rng.IntN(4) == 0 {
			method = http.MethodGet
		}
		r, _ := http.NewRequest(method, srv.URL()+"/?"+q.Encode(), body)
		if rng.IntN(5) == 0 {
			r, _ = http.NewRequest(http.MethodPost, srv.URL()+"/?Action="+act.a+"&Version="+act.v, bytes.NewReader([]byte(q.Encode()+"&%zz")))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(r)
		if err != nil {
			t.Fatalf("%s %v: %v", act.a, q, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 || !json.Valid(b) {
			t.Fatalf("%s %v: %d %s", act.a, q, resp.StatusCode, b)
		}
	}
	for _, r := range srv.Requests() {
		if r.Status >= 500 {
			t.Fatalf("logged 5xx: %+v", r)
		}
	}
}

func TestRequestLogAndReset(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(4))
	mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.ClientToken = dara.String("tok") }))
	for i := 0; i < 5; i++ {
		_, _ = c.DescribeZones(&albsdk.DescribeZonesRequest{})
	}
	reqs := srv.Requests()
	if len(reqs) > 4 || srv.Count("CreateLoadBalancer") != 1 || srv.Count("DescribeZones") != 5 || srv.TotalCalls() != 6 {
		t.Fatalf("log %d entries, counts %v", len(reqs), srv.Calls())
	}
	last := reqs[len(reqs)-1]
	if last.Action != "DescribeZones" || last.Version != albtest.VersionALB || last.Status != 200 || last.Code != "" || last.AccessKeyID != albtest.DefaultAccessKeyID || !reRequestID.MatchString(last.RequestID) {
		t.Fatalf("entry: %+v", last)
	}
	srv.Reset()
	if srv.Created() != 0 || len(srv.Requests()) != 0 || srv.Count("DescribeZones") != 0 || len(srv.EIPs()) != 9 {
		t.Fatal("Reset left state behind")
	}
	// The token is forgotten too.
	mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.ClientToken = dara.String("tok") }))
	if srv.Created() != 1 {
		t.Fatal("token survived Reset")
	}
}

// TestLogShowsEveryAnsweredRequest: whatever the concurrency, once a client has
// read an answer the counters and the log include its request (small answers
// are sent before the request is recorded; readers of the log wait for it).
func TestLogShowsEveryAnsweredRequest(t *testing.T) {
	srv, _ := start(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			action := fmt.Sprintf("Probe%d", g) // an unknown action: a small error answer
			for i := 1; i <= 100; i++ {
				req, _ := http.NewRequest("POST", "http://"+srv.Endpoint()+"/", nil)
				req.Header.Set("x-acs-action", action)
				req.Header.Set("x-acs-version", albtest.VersionALB)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				rid := resp.Header.Get("x-acs-request-id")
				if n := srv.Count(action); n != i {
					t.Errorf("%s: count %d after %d answers", action, n, i)
					return
				}
				if i%25 == 0 && !slices.ContainsFunc(srv.Requests(), func(r albtest.Request) bool { return r.RequestID == rid }) {
					t.Errorf("%s: answered request %s not in the log", action, rid)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestConcurrentUse(t *testing.T) {
	srv, _ := start(t)
	var wg sync.WaitGroup
	ids := make(chan string, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			// darabonba-openapi clients are not safe for concurrent use
			// (data races inside the SDK): one client per goroutine.
			c := srv.ALBClient()
			for i := 0; i < 2; i++ {
				resp, err := c.CreateLoadBalancer(createReq(func(r *albsdk.CreateLoadBalancerRequest) {
					r.ClientToken = dara.String(fmt.Sprintf("g%d", g)) // two creates per token
				}))
				if err != nil {
					var se *tea.SDKError
					if errors.As(err, &se) && dara.StringValue(se.Code) == "IdempotenceProcessing" {
						continue
					}
					t.Error(err)
					return
				}
				ids <- dara.StringValue(resp.Body.LoadBalancerId)
				_, _ = c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: resp.Body.LoadBalancerId})
				_, _ = c.ListLoadBalancers(&albsdk.ListLoadBalancersRequest{})
				_ = srv.LoadBalancers()
				_ = srv.Requests()
			}
		}(g)
	}
	wg.Wait()
	close(ids)
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	if srv.Created() != 8 || len(distinct) != 8 {
		t.Fatalf("created %d, distinct ids %d, want 8", srv.Created(), len(distinct))
	}
}

func TestWorldOptions(t *testing.T) {
	w := albtest.DefaultWorld()
	w.VSwitches = w.VSwitches[:2]
	w.Quota = 2
	b, _ := json.Marshal(w)
	file := filepath.Join(t.TempDir(), "world.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, c := start(t, albtest.WithWorldFile(file))
	if n := len(srv.VSwitches()); n != 2 {
		t.Fatalf("vSwitches %d", n)
	}
	if err := srv.AddVSwitch(albtest.VSwitch{VSwitchID: "vsw-new", VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneJ, CidrBlock: "10.0.9.0/24"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddVSwitch(albtest.VSwitch{VSwitchID: "vsw-bad", VpcID: "vpc-nope", ZoneID: albtest.ZoneJ, CidrBlock: "10.0.9.0/24"}); err == nil {
		t.Fatal("vSwitch in unknown VPC accepted")
	}
	if err := srv.AddEIP(albtest.EIP{AllocationID: "eip-new", IPAddress: "47.98.10.99", ChargeType: albtest.ChargePostPaid, InternetChargeType: albtest.InternetPayByTraffic}); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.ZoneMappings = append(r.ZoneMappings, zmEIP("vsw-new", albtest.ZoneJ, "eip-new"))
	}))
	if got := availableIPs(t, srv, "vsw-new"); got != 252-3 {
		t.Fatalf("new vSwitch available %d", got)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"vswitches":[{"vswitchId":"x","vpcId":"nope","cidrBlock":"10.0.0.0/24"}]}`), 0o600)
	if _, err := albtest.Start(albtest.WithWorldFile(bad)); err == nil {
		t.Fatal("inconsistent world accepted")
	}
	if _, err := albtest.Start(albtest.WithWorldFile(filepath.Join(t.TempDir(), "missing.json"))); err == nil {
		t.Fatal("missing world file accepted")
	}

	sh, shc := start(t, albtest.WithRegion("cn-shanghai"))
	z, err := shc.DescribeZones(&albsdk.DescribeZonesRequest{})
	if err != nil || sh.Region() != "cn-shanghai" || dara.StringValue(z.Body.Zones[0].ZoneId) != "cn-shanghai-h" {
		t.Fatalf("WithRegion: %v %v", z, err)
	}
	var oc *openapi.Client = sh.OpenAPIClient()
	_, err = call(t, oc, "DescribeEipAddresses", albtest.VersionVPC, map[string]any{"RegionId": "xx-nowhere-1"})
	sdkErr(t, err, "Forbidden.RegionNotFound", 404)
}

// TestClientTokenLimit: beyond WithClientTokenLimit answered tokens, the
// oldest is forgotten and its request performed again; a newer one is still
// answered from memory.
func TestClientTokenLimit(t *testing.T) {
	srv, c := start(t, albtest.WithClientTokenLimit(2))
	tok := func(s string) func(r *albsdk.CreateLoadBalancerRequest) {
		return func(r *albsdk.CreateLoadBalancerRequest) { r.ClientToken = dara.String(s) }
	}
	first := mustCreate(t, c, createReq(tok("t1")))
	mustCreate(t, c, createReq(tok("t2")))
	third := mustCreate(t, c, createReq(tok("t3"))) // t1 is forgotten
	if again := mustCreate(t, c, createReq(tok("t3"))); again != third || srv.Created() != 3 {
		t.Fatalf("t3 replayed: %s vs %s, created %d", again, third, srv.Created())
	}
	if again := mustCreate(t, c, createReq(tok("t1"))); again == first || srv.Created() != 4 {
		t.Fatalf("t1 after it was forgotten: %s (first %s), created %d; want a new instance", again, first, srv.Created())
	}
}
