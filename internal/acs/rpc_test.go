package acs_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/acs"
)

// pctEncode is RFC 3986 percent-encoding written from the documented rule (unreserved
// A–Z a–z 0–9 - _ . ~ kept, every other byte %XX uppercase), independent of the package.
func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// classicSign is the documented classic RPC algorithm: sort parameters by key, encode key
// and value, join "k=v" with "&", StringToSign = METHOD&%2F&enc(canonicalized),
// base64(HMAC-SHA1(secret+"&", StringToSign)).
func classicSign(method string, params map[string]string, secret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = pctEncode(k) + "=" + pctEncode(params[k])
	}
	sts := method + "&" + pctEncode("/") + "&" + pctEncode(strings.Join(pairs, "&"))
	h := hmac.New(sha1.New, []byte(secret+"&"))
	h.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// docParams is the worked example of Alibaba Cloud's RPC signature documentation
// (DescribeRegions, AccessKeyId testid, secret testsecret).
func docParams() map[string]string {
	return map[string]string{
		"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
		"SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
	}
}

func toValues(m map[string]string) url.Values {
	v := url.Values{}
	for k, s := range m {
		v.Set(k, s)
	}
	return v
}

func TestRPCKnownAnswer(t *testing.T) {
	const want = "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" // published by Alibaba Cloud
	if got := classicSign("GET", docParams(), "testsecret"); got != want {
		t.Fatalf("test signer = %s, want %s", got, want)
	}
	if got := acs.SignRPC("GET", toValues(docParams()), "testsecret"); got != want {
		t.Fatalf("SignRPC = %s, want %s", got, want)
	}
	// A Signature entry is ignored.
	p := toValues(docParams())
	p.Set("Signature", "whatever")
	if got := acs.SignRPC("GET", p, "testsecret"); got != want {
		t.Fatalf("SignRPC with Signature = %s, want %s", got, want)
	}
	// POST differs only in the method.
	if got, want := acs.SignRPC("POST", toValues(docParams()), "testsecret"), classicSign("POST", docParams(), "testsecret"); got != want {
		t.Fatalf("SignRPC POST = %s, test signer %s", got, want)
	}
}

func TestSignRPCMatchesIndependentSigner(t *testing.T) {
	p := map[string]string{
		"Action": "ListLoadBalancers", "Space": "a b", "Star": "a*b", "Tilde": "a~b", "Slash": "a/b",
		"Plus": "a+b", "Pct": "100%", "Amp": "a&b=c", "Uni": "ünï 中文 😀", "Empty": "", "Tag.1.Value": "",
		"Key With Space": "v", "Star*Key": "v",
	}
	for _, m := range []string{"GET", "POST"} {
		if got, want := acs.SignRPC(m, toValues(p), testSecret), classicSign(m, p, testSecret); got != want {
			t.Errorf("%s: SignRPC = %s, independent signer = %s", m, got, want)
		}
	}
}

func commonRPC(ak, nonce string, now time.Time) map[string]string {
	return map[string]string{
		"Action": "ListLoadBalancers", "Version": "2020-06-16", "Format": "JSON", "RegionId": "cn-hangzhou",
		"AccessKeyId": ak, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"SignatureNonce": nonce, "Timestamp": now.UTC().Format(acs.TimeFormat), "SignatureType": "",
	}
}

// rawQuery encodes params with RFC 3986 (%20, not +), as the classic SDKs do.
func rawQuery(params map[string]string) string {
	parts := make([]string, 0, len(params))
	for k, v := range params {
		parts = append(parts, pctEncode(k)+"="+pctEncode(v))
	}
	return strings.Join(parts, "&")
}

func TestClassicRPCOverHTTP(t *testing.T) {
	srv := newSDKServer(t, &acs.Verifier{Lookup: testLookup, Nonces: acs.NewNonceCache(0)})
	now := time.Now()
	business := map[string]string{
		"LoadBalancerName": "name with space*star~tilde/slash", "Description": "ünïcødé 中文",
		"Tag.1.Key": "env", "Tag.1.Value": "", "LoadBalancerIds.1": "alb-1", "LoadBalancerIds.2": "alb-2",
	}

	t.Run("GET, everything in the query", func(t *testing.T) {
		p := commonRPC(testAK, "nonce-get", now)
		for k, v := range business {
			p[k] = v
		}
		p["Signature"] = classicSign("GET", p, testSecret)
		resp, err := http.Get(srv.URL + "/?" + rawQuery(p))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		got := srv.last(t)
		if resp.StatusCode != 200 || got.err != nil || got.verified.Scheme != acs.SchemeRPC || got.verified.Nonce != "nonce-get" {
			t.Fatalf("status %d, Verify = %+v, %v", resp.StatusCode, got.verified, got.err)
		}
	})

	t.Run("POST, business parameters in a form body", func(t *testing.T) {
		q := commonRPC(testAK, "nonce-post", now)
		all := map[string]string{}
		for k, v := range q {
			all[k] = v
		}
		for k, v := range business {
			all[k] = v
		}
		q["Signature"] = classicSign("POST", all, testSecret)
		resp, err := http.Post(srv.URL+"/?"+rawQuery(q), "application/x-www-form-urlencoded", strings.NewReader(rawQuery(business)))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		got := srv.last(t)
		if resp.StatusCode != 200 || got.err != nil || got.verified.Scheme != acs.SchemeRPC {
			t.Fatalf("status %d, Verify = %+v, %v", resp.StatusCode, got.verified, got.err)
		}
		// The body is covered: changing it, or declaring it as JSON, breaks the signature.
		v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }}
		if _, e := replay(got, v, func(_ *http.Request, b *[]byte) { *b = []byte(strings.Replace(string(*b), "alb-2", "alb-3", 1)) }); e == nil || e.Code != acs.CodeSignatureDoesNotMatch {
			t.Errorf("tampered body: %v", e)
		}
		if _, e := replay(got, v, func(r *http.Request, _ *[]byte) { r.Header.Set("Content-Type", "application/json") }); e == nil || e.Code != acs.CodeSignatureDoesNotMatch {
			t.Errorf("body not form-encoded: %v", e)
		}
		if _, e := replay(got, v, func(r *http.Request, _ *[]byte) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		}); e != nil {
			t.Errorf("content-type with charset: %v", e)
		}
	})
}

func TestClassicRPCFailures(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	build := func(mutate func(p map[string]string), resign bool) *http.Request {
		p := commonRPC(testAK, "n-1", now)
		p["Name"] = "x y"
		p["Signature"] = classicSign("GET", p, testSecret)
		mutate(p)
		if resign {
			p["Signature"] = classicSign("GET", p, testSecret)
		}
		return httptest.NewRequest("GET", "http://alb.cn-hangzhou.aliyuncs.com/?"+rawQuery(p), nil)
	}
	del := func(k string) func(map[string]string) { return func(p map[string]string) { delete(p, k) } }
	set := func(k, v string) func(map[string]string) { return func(p map[string]string) { p[k] = v } }
	base := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }}
	cases := []struct {
		name   string
		mutate func(map[string]string)
		resign bool
		v      *acs.Verifier
		code   string
		status int
		msg    string
	}{
		{"ok", func(map[string]string) {}, false, base, "", 0, ""},
		{"value changed", set("Name", "x z"), false, base, acs.CodeSignatureDoesNotMatch, 400, "server string to sign is:GET&%2F&AccessKeyId%3D"},
		{"param added", set("Extra", ""), false, base, acs.CodeSignatureDoesNotMatch, 400, ""},
		{"missing Signature", del("Signature"), false, base, "MissingSignature", 400, "Signature is mandatory for this action."},
		{"missing AccessKeyId", del("AccessKeyId"), true, base, "MissingAccessKeyId", 400, ""},
		{"missing SignatureMethod", del("SignatureMethod"), true, base, "MissingSignatureMethod", 400, ""},
		{"missing SignatureNonce", del("SignatureNonce"), true, base, "MissingSignatureNonce", 400, ""},
		{"missing Timestamp", del("Timestamp"), true, base, "MissingTimestamp", 400, ""},
		{"SignatureVersion omitted", del("SignatureVersion"), true, base, "", 0, ""},
		{"SignatureMethod HMAC-SHA256", set("SignatureMethod", "HMAC-SHA256"), true, base, acs.CodeInvalidSignatureMethod, 400, ""},
		{"SignatureVersion 2.0", set("SignatureVersion", "2.0"), true, base, acs.CodeInvalidParameter, 400, "SignatureVersion"},
		{"Timestamp unparsable", set("Timestamp", "2025-06-01 12:00:00"), true, base, acs.CodeTimeStampFormat, 400, ""},
		{"Timestamp old", set("Timestamp", now.Add(-20*time.Minute).Format(acs.TimeFormat)), true, base, acs.CodeTimeStampExpired, 400, ""},
		{"Timestamp RFC3339 offset", set("Timestamp", now.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339)), true, base, "", 0, ""},
		{"unknown key", set("AccessKeyId", "nobody"), true, base, acs.CodeAccessKeyNotFound, 404, ""},
		{"sts without token", set("AccessKeyId", stsAK), true, base, acs.CodeMissingSecurityToken, 400, ""},
		{"no Lookup", func(map[string]string) {}, false, &acs.Verifier{}, acs.CodeInternalError, 500, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, e := tc.v.Verify(build(tc.mutate, tc.resign), nil)
			if tc.code == "" {
				if e != nil {
					t.Fatalf("Verify: %v", e)
				}
				return
			}
			if e == nil || e.Code != tc.code || e.Status != tc.status || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("Verify = %+v, want %d %s containing %q", e, tc.status, tc.code, tc.msg)
			}
		})
	}
}

func TestClassicRPCSTSAndReplay(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	req := func(token, secret, nonce string) *http.Request {
		p := commonRPC(stsAK, nonce, now)
		p["SecurityToken"] = token
		p["Signature"] = classicSign("POST", p, secret)
		return httptest.NewRequest("POST", "http://alb.cn-hangzhou.aliyuncs.com/?"+rawQuery(p), nil)
	}
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }, Nonces: acs.NewNonceCache(0)}
	vd, e := v.Verify(req(stsToken, stsSecret, "a"), nil)
	if e != nil || !vd.STS || vd.Scheme != acs.SchemeRPC {
		t.Fatalf("STS request: %+v %v", vd, e)
	}
	if _, e := v.Verify(req(stsToken, stsSecret, "a"), nil); e == nil || e.Code != acs.CodeSignatureNonceUsed {
		t.Fatalf("replay: %v", e)
	}
	if _, e := v.Verify(req("CAIS-wrong", stsSecret, "b"), nil); e == nil || e.Code != acs.CodeSecurityTokenMismatch || e.Status != 403 {
		t.Fatalf("wrong token: %v", e)
	}
	// A signature mismatch shows the server's string to sign, with the token redacted.
	_, e = v.Verify(req(stsToken, "wrong-secret", "c"), nil)
	if e == nil || e.Code != acs.CodeSignatureDoesNotMatch {
		t.Fatalf("wrong secret: %v", e)
	}
	if strings.Contains(e.Message, pctEncode(pctEncode(stsToken))) || strings.Contains(e.Message, "CAIS") || !strings.Contains(e.Message, "SecurityToken%3D%253Credacted%253E") {
		t.Fatalf("message does not redact the token: %s", e.Message)
	}
}
