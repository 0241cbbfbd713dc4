package acs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/internal/acs"
)

func TestPercentEncode(t *testing.T) {
	cases := map[string]string{
		"":                     "",
		"AZaz09-_.~":           "AZaz09-_.~",
		"a b":                  "a%20b",
		"a*b":                  "a%2Ab",
		"a+b":                  "a%2Bb",
		"/":                    "%2F",
		"2016-02-23T12:46:24Z": "2016-02-23T12%3A46%3A24Z",
		"ü":                    "%C3%BC",
		"%7E":                  "%257E",
		"a&b=c":                "a%26b%3Dc",
	}
	for in, want := range cases {
		if got := acs.PercentEncode(in); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
		if got := pctEncode(in); got != cases[in] {
			t.Errorf("test encoder disagrees on %q: %q", in, got)
		}
	}
}

// TestSignACS3MatchesSDK compares SignACS3 with darabonba-openapi's own GetAuthorization on
// the same request.
func TestSignACS3MatchesSDK(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	const nonce = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name string
		cred acs.Credential
		body string
		path string
	}{
		{"plain", acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}, "", "/"},
		{"sts with form body", acs.Credential{AccessKeyID: stsAK, AccessKeySecret: stsSecret, SecurityToken: stsToken}, "A=1&B=x%20y", "/"},
		{"roa path", acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}, "{}", "/v1/items*/a+b~c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query := openapiutil.Query(trickyQuery())
			sum := sha256.Sum256([]byte(tc.body))
			payload := hex.EncodeToString(sum[:])
			headers := map[string]*string{
				"host":                  dara.String("alb.cn-hangzhou.aliyuncs.com"),
				"x-acs-action":          dara.String("CreateLoadBalancer"),
				"x-acs-version":         dara.String("2020-06-16"),
				"x-acs-date":            dara.String(now.Format(acs.TimeFormat)),
				"x-acs-signature-nonce": dara.String(nonce),
				"x-acs-content-sha256":  dara.String(payload),
				"user-agent":            dara.String("AlibabaCloud test"),
				"accept":                dara.String("application/json"),
			}
			if tc.body != "" {
				headers["content-type"] = dara.String("application/x-www-form-urlencoded")
			}
			if tc.cred.SecurityToken != "" {
				headers["x-acs-accesskey-id"] = dara.String(tc.cred.AccessKeyID)
				headers["x-acs-security-token"] = dara.String(tc.cred.SecurityToken)
			}
			dr := dara.NewRequest()
			dr.Method = dara.String("POST")
			dr.Pathname = dara.String(tc.path)
			dr.Query = query
			dr.Headers = headers
			want := dara.StringValue(openapiutil.GetAuthorization(dr, dara.String(acs.SchemeACS3), dara.String(payload),
				dara.String(tc.cred.AccessKeyID), dara.String(tc.cred.AccessKeySecret)))

			q := url.Values{}
			for k, v := range query {
				q.Set(k, dara.StringValue(v))
			}
			r := httptest.NewRequest("POST", "http://alb.cn-hangzhou.aliyuncs.com/?"+q.Encode(), strings.NewReader(tc.body))
			r.URL.Path = tc.path
			r.Header.Set("x-acs-action", "CreateLoadBalancer")
			r.Header.Set("x-acs-version", "2020-06-16")
			r.Header.Set("User-Agent", "AlibabaCloud test")
			r.Header.Set("Accept", "application/json")
			if tc.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if err := acs.SignACS3(r, []byte(tc.body), tc.cred, now, nonce); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Authorization"); got != want {
				t.Fatalf("SignACS3 Authorization\n got %s\nwant %s", got, want)
			}
			v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }}
			vd, e := v.Verify(r, []byte(tc.body))
			if e != nil || vd.STS != (tc.cred.SecurityToken != "") || vd.Nonce != nonce || !vd.Time.Equal(now) {
				t.Fatalf("Verify = %+v, %v", vd, e)
			}
		})
	}
}

func TestSignACS3Behaviour(t *testing.T) {
	cred := acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}
	now := time.Now()
	r := httptest.NewRequest("GET", "http://example.com/?A=1", nil)
	if err := acs.SignACS3(r, nil, acs.Credential{AccessKeyID: testAK}, now, ""); err == nil {
		t.Error("SignACS3 accepted a credential without a secret")
	}
	if err := acs.SignACS3(r, nil, cred, now, ""); err != nil {
		t.Fatal(err)
	}
	if n := r.Header.Get(acs.HeaderNonce); len(n) != 32 {
		t.Errorf("generated nonce %q, want 32 hex chars", n)
	}
	first := r.Header.Get("Authorization")
	if err := acs.SignACS3(r, nil, cred, now.Add(time.Hour), "other"); err != nil || r.Header.Get("Authorization") != first {
		t.Error("SignACS3 re-signed a request that already had an Authorization header")
	}
	r2 := httptest.NewRequest("GET", "http://example.com/?A=1", nil)
	if err := acs.SignACS3(r2, nil, cred, now, ""); err != nil {
		t.Fatal(err)
	}
	if r2.Header.Get(acs.HeaderNonce) == r.Header.Get(acs.HeaderNonce) {
		t.Error("generated nonces repeat")
	}
}

func TestRedaction(t *testing.T) {
	const secret, token = "SUPER-SECRET-VALUE", "TOKEN-VALUE-XYZ"
	c := acs.Credential{AccessKeyID: "LTAIvisible", AccessKeySecret: secret, SecurityToken: token}
	holder := struct {
		Cred  acs.Credential
		Ptr   *acs.Credential
		Slice []acs.Credential
	}{c, &c, []acs.Credential{c}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		for _, val := range []any{c, &c, holder, map[string]acs.Credential{"k": c}} {
			out := fmt.Sprintf(verb, val)
			if strings.Contains(out, secret) || strings.Contains(out, token) || strings.Contains(strings.ToLower(out), strings.ToLower(hex.EncodeToString([]byte(secret)))) {
				t.Errorf("%s of %T leaks: %s", verb, val, out)
			}
		}
	}
	if s := fmt.Sprint(c); !strings.Contains(s, "LTAIvisible") || !strings.Contains(s, "<redacted>") {
		t.Errorf("String() = %s, want the key ID and a redaction marker", s)
	}
	if s := fmt.Sprintf("%#v", c); !strings.HasPrefix(s, "acs.Credential{") {
		t.Errorf("GoString() = %s", s)
	}

	// Errors produced while verifying an STS request with the wrong secret or token.
	now := time.Now()
	var errs []*acs.Error
	for _, cred := range []acs.Credential{
		{AccessKeyID: stsAK, AccessKeySecret: secret, SecurityToken: stsToken},
		{AccessKeyID: stsAK, AccessKeySecret: stsSecret, SecurityToken: token},
	} {
		r := httptest.NewRequest("POST", "http://alb.cn-hangzhou.aliyuncs.com/?Action=X", nil)
		if err := acs.SignACS3(r, nil, cred, now, ""); err != nil {
			t.Fatal(err)
		}
		lookup := func(string) (acs.Credential, bool) {
			return acs.Credential{AccessKeyID: stsAK, AccessKeySecret: stsSecret, SecurityToken: stsToken}, true
		}
		if _, e := (&acs.Verifier{Lookup: lookup}).Verify(r, nil); e != nil {
			errs = append(errs, e)
		}
		p := commonRPC(stsAK, "n", now)
		p["SecurityToken"] = cred.SecurityToken
		p["Signature"] = classicSign("GET", p, cred.AccessKeySecret)
		if _, e := (&acs.Verifier{Lookup: lookup}).Verify(httptest.NewRequest("GET", "http://h/?"+rawQuery(p), nil), nil); e != nil {
			errs = append(errs, e)
		}
	}
	if len(errs) != 4 {
		t.Fatalf("want 4 verification errors, got %d", len(errs))
	}
	for _, e := range errs {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, e)
			for _, s := range []string{secret, token, stsSecret, stsToken, url.QueryEscape(stsToken), pctEncode(pctEncode(stsToken))} {
				if strings.Contains(out, s) {
					t.Errorf("%s of %v leaks %q", verb, e.Code, s)
				}
			}
		}
	}
}

func code(e *acs.Error) string {
	if e == nil {
		return "ok"
	}
	return e.Code
}

func TestNonceCache(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := acs.NewNonceCache(time.Minute)
	use := func(nonce string, signed, now time.Time, want string) {
		t.Helper()
		if got := code(c.Use("ak", nonce, signed, now)); got != want {
			t.Fatalf("Use(%s, signed %v, now %v) = %s, want %s", nonce, signed.Sub(t0), now.Sub(t0), got, want)
		}
	}
	use("a", t0, t0, "ok")
	use("a", t0, t0.Add(59*time.Second), acs.CodeSignatureNonceUsed)                     // replay within the window
	use("a", t0.Add(30*time.Second), t0.Add(30*time.Second), acs.CodeSignatureNonceUsed) // reuse, other signed time
	use("b", t0.Add(59*time.Second), t0.Add(59*time.Second), "ok")
	if code(c.Use("other-ak", "a", t0, t0)) != "ok" {
		t.Fatal("nonces are not per access key")
	}
	// Once every timestamp of its bucket is out of the window, "a" is forgotten: a new
	// request may use it, and a replay of the old one is refused by its timestamp.
	use("a", t0.Add(2*time.Minute), t0.Add(2*time.Minute), "ok")
	use("a", t0, t0.Add(2*time.Minute), acs.CodeTimeStampExpired)
	// Memory stays bounded: one nonce per second for a day with a one-minute window holds
	// about one window (plus one bucket) of nonces.
	for i := range 86400 {
		at := t0.Add(time.Duration(i) * time.Second)
		c.Use("ak", fmt.Sprint("n", i), at, at)
	}
	if n := c.Len(); n > 60+8 {
		t.Fatalf("cache holds %d nonces, want <= 68", n)
	}
	if acs.NewNonceCache(0).Window() != acs.DefaultMaxSkew {
		t.Fatal("default window")
	}
}

// TestNonceCacheCapacity: a full cache drops its oldest bucket early and from then on
// refuses the timestamps that bucket covered, so a replay is never accepted; when only
// the request's own bucket is left it refuses new nonces with 503.
func TestNonceCacheCapacity(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := acs.NewNonceCache(15 * time.Minute)
	c.SetCapacity(100)
	old := t0.Add(-10 * time.Minute)
	for i := range 100 {
		if e := c.Use("ak", fmt.Sprint("old", i), old, t0); e != nil {
			t.Fatal(e)
		}
	}
	if e := c.Use("ak", "new0", t0, t0); e != nil {
		t.Fatalf("new nonce with a full cache of older buckets: %v", e)
	}
	if n := c.Len(); n != 1 {
		t.Fatalf("Len = %d after dropping the old bucket, want 1", n)
	}
	e := c.Use("ak", "old7", old, t0)
	if code(e) != acs.CodeTimeStampExpired || e.Status != 400 || !strings.Contains(e.Message, "nonce cache is full") {
		t.Fatalf("replay of a dropped nonce = %v, want InvalidTimeStamp.Expired naming the full cache", e)
	}
	for i := 1; i < 100; i++ {
		if e := c.Use("ak", fmt.Sprint("new", i), t0, t0); e != nil {
			t.Fatal(e)
		}
	}
	e = c.Use("ak", "new100", t0, t0)
	if code(e) != acs.CodeServiceUnavailable || e.Status != 503 {
		t.Fatalf("full cache, one bucket = %v, want 503 ServiceUnavailable", e)
	}
	if code(c.Use("ak", "new5", t0, t0)) != acs.CodeSignatureNonceUsed {
		t.Fatal("replay in a full cache not refused as a replay")
	}
	if n := c.Len(); n != 100 {
		t.Fatalf("Len = %d, want 100", n)
	}
	// A dropped bucket stays refused when the clock goes backwards.
	if code(c.Use("ak", "old8", old, old)) != acs.CodeTimeStampExpired {
		t.Fatal("clock going backwards reopened a dropped bucket")
	}
}

// TestNonceCacheNeverAcceptsReplay drives a small cache with random traffic (clients
// with skewed clocks, replays of accepted requests) and checks the one property that
// matters: a replay whose timestamp is within the window is never accepted.
func TestNonceCacheNeverAcceptsReplay(t *testing.T) {
	const window = time.Minute
	r := rand.New(rand.NewPCG(3, 4))
	c := acs.NewNonceCache(window)
	c.SetCapacity(200)
	type req struct {
		nonce  string
		signed time.Time
	}
	var accepted []req
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	refusedFull := 0
	for i := range 50000 {
		now = now.Add(time.Duration(r.IntN(20)) * time.Millisecond)
		if len(accepted) > 0 && r.IntN(4) == 0 {
			old := accepted[r.IntN(len(accepted))]
			if d := now.Sub(old.signed); d > window || d < -window {
				continue // the Verifier refuses it by its timestamp before asking the cache
			}
			if e := c.Use("ak", old.nonce, old.signed, now); e == nil {
				t.Fatalf("replay of %s signed %v accepted at %v", old.nonce, old.signed, now)
			}
			continue
		}
		signed := now.Add(time.Duration(r.Int64N(int64(2*window))) - window)
		n := fmt.Sprint("n", i)
		switch e := c.Use("ak", n, signed, now); {
		case e == nil:
			accepted = append(accepted, req{n, signed})
		case e.Code == acs.CodeServiceUnavailable || e.Code == acs.CodeTimeStampExpired:
			refusedFull++
		default:
			t.Fatalf("fresh nonce: %v", e)
		}
		if c.Len() > 200 {
			t.Fatalf("Len %d over capacity", c.Len())
		}
	}
	if refusedFull == 0 {
		t.Fatal("the capacity was never reached: the test does not exercise it")
	}
}

func TestVerifierSkewCappedByNonceWindow(t *testing.T) {
	now := time.Now()
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }, MaxSkew: time.Hour, Nonces: acs.NewNonceCache(15 * time.Minute)}
	cred := acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}
	for _, tc := range []struct {
		age  time.Duration
		want string
	}{{14 * time.Minute, "ok"}, {20 * time.Minute, acs.CodeTimeStampExpired}} {
		r := httptest.NewRequest("POST", "http://h/", nil)
		if err := acs.SignACS3(r, nil, cred, now.Add(-tc.age), ""); err != nil {
			t.Fatal(err)
		}
		if _, e := v.Verify(r, nil); code(e) != tc.want {
			t.Fatalf("signed %v ago: %v, want %s", tc.age, e, tc.want)
		}
	}
}

func TestNonceCacheConcurrent(t *testing.T) {
	c := acs.NewNonceCache(time.Minute)
	now := time.Now()
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				if c.Use("ak", "shared", now, now) == nil {
					fresh.Add(1)
				}
				c.Use("ak", fmt.Sprint(i, "-", j), now, now)
			}
		}()
	}
	wg.Wait()
	if fresh.Load() != 1 {
		t.Fatalf("shared nonce was fresh %d times, want 1", fresh.Load())
	}
}

func TestNoncesArePerAccessKey(t *testing.T) {
	now := time.Now()
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }, Nonces: acs.NewNonceCache(0)}
	for _, cred := range []acs.Credential{
		{AccessKeyID: testAK, AccessKeySecret: testSecret},
		{AccessKeyID: stsAK, AccessKeySecret: stsSecret, SecurityToken: stsToken},
	} {
		r := httptest.NewRequest("POST", "http://h/", nil)
		if err := acs.SignACS3(r, nil, cred, now, "same-nonce"); err != nil {
			t.Fatal(err)
		}
		if _, e := v.Verify(r, nil); e != nil {
			t.Fatalf("%s: %v", cred.AccessKeyID, e)
		}
	}
}

func TestVerifyConcurrent(t *testing.T) {
	now := time.Now()
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }, Nonces: acs.NewNonceCache(0)}
	cred := acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}
	var wg sync.WaitGroup
	var ok, replayed atomic.Int32
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				nonce := fmt.Sprint("n-", j) // every goroutine uses the same 50 nonces
				r := httptest.NewRequest("POST", fmt.Sprint("http://h/?G=", i), nil)
				if err := acs.SignACS3(r, nil, cred, now, nonce); err != nil {
					t.Error(err)
					return
				}
				switch _, e := v.Verify(r, nil); {
				case e == nil:
					ok.Add(1)
				case e.Code == acs.CodeSignatureNonceUsed:
					replayed.Add(1)
				default:
					t.Error(e)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 50 || replayed.Load() != 350 {
		t.Fatalf("ok=%d replayed=%d, want 50/350", ok.Load(), replayed.Load())
	}
}

func BenchmarkVerifyACS3(b *testing.B) {
	now := time.Now()
	q := url.Values{}
	for k, v := range openapiutil.Query(trickyQuery()) {
		q.Set(k, dara.StringValue(v))
	}
	r := httptest.NewRequest("POST", "http://alb.cn-hangzhou.aliyuncs.com/?"+q.Encode(), nil)
	r.Header.Set("x-acs-action", "CreateLoadBalancer")
	r.Header.Set("x-acs-version", "2020-06-16")
	if err := acs.SignACS3(r, nil, acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}, now, "nonce"); err != nil {
		b.Fatal(err)
	}
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }}
	b.ReportAllocs()
	for b.Loop() {
		if _, e := v.Verify(r, nil); e != nil {
			b.Fatal(e)
		}
	}
}

func BenchmarkVerifyRPC(b *testing.B) {
	now := time.Now()
	p := commonRPC(testAK, "nonce", now)
	p["Signature"] = classicSign("GET", p, testSecret)
	r := httptest.NewRequest(http.MethodGet, "http://h/?"+rawQuery(p), nil)
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }}
	b.ReportAllocs()
	for b.Loop() {
		if _, e := v.Verify(r, nil); e != nil {
			b.Fatal(e)
		}
	}
}

func TestSignACS3MultiValueHeadersAndEmptyPath(t *testing.T) {
	now := time.Now()
	cred := acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}
	r := httptest.NewRequest("GET", "http://h/", nil)
	r.URL.Path = ""
	r.Header.Add("x-acs-custom", " b ")
	r.Header.Add("x-acs-custom", "a")
	if err := acs.SignACS3(r, nil, cred, now, "n"); err != nil {
		t.Fatal(err)
	}
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }}
	// The values are sorted before signing, so their order on the wire does not matter;
	// an empty path is signed as "/".
	r2 := r.Clone(r.Context())
	r2.Header["X-Acs-Custom"] = []string{"a", "b"}
	r2.URL.Path = "/"
	for _, req := range []*http.Request{r, r2} {
		if _, e := v.Verify(req, nil); e != nil {
			t.Fatalf("Verify: %v", e)
		}
	}
	r2.Header["X-Acs-Custom"] = []string{"a", "c"}
	if _, e := v.Verify(r2, nil); e == nil || e.Code != acs.CodeSignatureDoesNotMatch {
		t.Fatalf("changed multi-value header: %v", e)
	}
}

// BenchmarkVerifySDKRequest verifies a GetLoadBalancerAttribute request as the ALB SDK
// sends it (its headers, one query parameter, an empty body), with parameters parsed
// beforehand as the emulator does, a nonce cache, and a new nonce each time.
func BenchmarkVerifySDKRequest(b *testing.B) {
	now := time.Now()
	cred := acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}
	const batch = 1024
	reqs := make([]*http.Request, batch)
	params := make([]acs.Params, batch)
	sign := func() {
		for i := range reqs {
			r := httptest.NewRequest(http.MethodPost, "http://alb.cn-hangzhou.aliyuncs.com/?LoadBalancerId=alb-0123456789abcdefgh", nil)
			r.Header.Set("x-acs-action", "GetLoadBalancerAttribute")
			r.Header.Set("x-acs-version", "2020-06-16")
			r.Header.Set("Accept", "application/json")
			r.Header.Set("User-Agent", "AlibabaCloud (linux; amd64) Go/go1.26 Core/1.5.0 TeaDSL/2")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("x-acs-user-agent", "AlibabaCloud (linux; amd64) Go/go1.26 Core/1.5.0 TeaDSL/2")
			if err := acs.SignACS3(r, nil, cred, now, ""); err != nil {
				b.Fatal(err)
			}
			p, e := acs.ParseParams(r, nil)
			if e != nil {
				b.Fatal(e)
			}
			reqs[i], params[i] = r, p
		}
	}
	nonces := acs.NewNonceCache(0)
	nonces.SetCapacity(1 << 24) // every request is signed at the same second
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }, Nonces: nonces}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%batch == 0 {
			b.StopTimer()
			sign()
			b.StartTimer()
		}
		if _, e := v.VerifyParams(reqs[i%batch], nil, params[i%batch]); e != nil {
			b.Fatal(e)
		}
	}
}

// TestVerifierSignedHeaderLists: the Verifier keeps the Authorization header and the
// SignedHeaders list it parsed last; requests signing other lists, in any order, are
// judged on their own list.
func TestVerifierSignedHeaderLists(t *testing.T) {
	now := time.Now()
	v := &acs.Verifier{Lookup: testLookup, Now: func() time.Time { return now }}
	cred := acs.Credential{AccessKeyID: testAK, AccessKeySecret: testSecret}
	sign := func(extra string) *http.Request {
		r := httptest.NewRequest("POST", "http://h/?A=1", nil)
		r.Header.Set("x-acs-action", "Act")
		if extra != "" {
			r.Header.Set(extra, "v")
		}
		if err := acs.SignACS3(r, nil, cred, now, ""); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for i, extra := range []string{"", "x-acs-extra", "", "x-acs-other", "x-acs-extra"} {
		r := sign(extra)
		if _, e := v.Verify(r, nil); e != nil {
			t.Fatalf("request %d (extra %q): %v", i, extra, e)
		}
		// The same request with a header of another list's: refused as unsigned.
		r = sign(extra)
		r.Header.Set("x-acs-third", "v")
		if _, e := v.Verify(r, nil); code(e) != acs.CodeIncompleteSignature || !strings.Contains(e.Message, "x-acs-third") {
			t.Fatalf("request %d with an unsigned header: %v", i, e)
		}
	}
	// Right after a request of the same prefix, a header that goes on past its signature
	// is parsed whole: the later Credential is the one judged.
	r := sign("")
	if _, e := v.Verify(r, nil); e != nil {
		t.Fatal(e)
	}
	r = sign("")
	r.Header.Set("Authorization", r.Header.Get("Authorization")+",Credential=nobody")
	if _, e := v.Verify(r, nil); code(e) != acs.CodeAccessKeyNotFound {
		t.Fatalf("Authorization with a second Credential: %v, want %s", e, acs.CodeAccessKeyNotFound)
	}
	// A list in another case is malformed, even right after its lowercase form was parsed.
	r = sign("")
	auth := r.Header.Get("Authorization")
	r.Header.Set("Authorization", strings.Replace(auth, "x-acs-action", "X-Acs-Action", 1))
	if _, e := v.Verify(r, nil); code(e) != acs.CodeIncompleteSignature || !strings.Contains(e.Message, "SignedHeaders is malformed") {
		t.Fatalf("upper-case SignedHeaders: %v", e)
	}
}
