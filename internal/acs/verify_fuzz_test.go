package acs_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/acs"
)

const (
	fuzzAK     = "LTAI-fuzz"
	fuzzSecret = "fuzz-secret-9f8e"
	fuzzSTSAK  = "STS.fuzz"
	fuzzToken  = "CAIS-fuzz-token"
)

func fuzzLookup(ak string) (acs.Credential, bool) {
	switch ak {
	case fuzzAK:
		return acs.Credential{AccessKeyID: fuzzAK, AccessKeySecret: fuzzSecret}, true
	case fuzzSTSAK:
		return acs.Credential{AccessKeyID: fuzzSTSAK, AccessKeySecret: fuzzSecret, SecurityToken: fuzzToken}, true
	}
	return acs.Credential{}, false
}

// FuzzVerify feeds Verify arbitrary requests, of both schemes, some of them
// signed correctly and then tampered with. Verify must never panic, must
// answer every refusal with a 4xx and a code, must never echo the secret or
// the token, and must accept a correctly signed request that was not
// tampered with.
//
// mode bits: 0 sign with ACS3, 1 sign with RPC (query), 2 STS credential,
// 3 tamper with the query after signing, 4 tamper with a header after
// signing, 5 POST.
func FuzzVerify(f *testing.F) {
	f.Add(uint8(0b000001), "/", "Action=GetLoadBalancerAttribute&LoadBalancerId=alb-1", "", "x-acs-action", "GetLoadBalancerAttribute", []byte(""))
	f.Add(uint8(0b000101), "/", "A=1&B=x%20y", "", "x-acs-version", "2020-06-16", []byte("A=1"))
	f.Add(uint8(0b001001), "/", "Action=X", "", "x-acs-date", "bad", []byte(""))
	f.Add(uint8(0b010001), "/v1/a*b", "", "", "content-type", "application/json", []byte("{}"))
	f.Add(uint8(0b000010), "/", "Action=DescribeEipAddresses&RegionId=cn-hangzhou", "", "", "", []byte(""))
	f.Add(uint8(0b100110), "/", "Action=ListLoadBalancers", "", "", "", []byte("MaxResults=10&NextToken=%zz"))
	f.Add(uint8(0b001010), "/", "Action=X&SignatureMethod=HMAC-SHA256", "", "", "", []byte(""))
	f.Add(uint8(0), "/", "Signature=abc&AccessKeyId=LTAI-fuzz&Timestamp=2025-01-01T00:00:00Z&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=1", "", "", "", []byte(""))
	f.Add(uint8(0), "/", "", "ACS3-HMAC-SHA256 Credential=LTAI-fuzz,SignedHeaders=host,Signature=00", "x-acs-date", "2025-01-01T00:00:00Z", []byte(""))
	f.Add(uint8(0), "/", "", "ACS3-HMAC-SHA256 ,,,Credential=,SignedHeaders=;;;", "x-acs-content-sha256", "zz", []byte("\x00\xff"))
	f.Add(uint8(0), "//%2F", "%%%&=&==", "ACS3-", "Host", "", []byte(""))
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, mode uint8, path, rawQuery, auth, hk, hv string, body []byte) {
		method := http.MethodGet
		if mode&32 != 0 {
			method = http.MethodPost
		}
		u := &url.URL{Scheme: "http", Host: "alb.cn-hangzhou.aliyuncs.com", Path: path, RawQuery: rawQuery}
		r, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil {
			return // not a request net/http can build
		}
		if method == http.MethodPost && len(body) > 0 {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		cred, _ := fuzzLookup(fuzzAK)
		if mode&4 != 0 {
			cred, _ = fuzzLookup(fuzzSTSAK)
		}
		signed := false
		switch {
		case mode&1 != 0:
			if err := acs.SignACS3(r, body, cred, now, "nonce-fuzz"); err != nil {
				t.Fatalf("SignACS3: %v", err)
			}
			signed = true
		case mode&2 != 0:
			q := r.URL.Query()
			for _, k := range []string{"Signature", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "SecurityToken"} {
				q.Del(k)
			}
			q.Set("AccessKeyId", cred.AccessKeyID)
			q.Set("SignatureMethod", "HMAC-SHA1")
			q.Set("SignatureVersion", "1.0")
			q.Set("SignatureNonce", "nonce-fuzz")
			q.Set("Timestamp", now.Format(acs.TimeFormat))
			if cred.SecurityToken != "" {
				q.Set("SecurityToken", cred.SecurityToken)
			}
			all := url.Values{}
			for k, v := range q {
				all[k] = v
			}
			if method == http.MethodPost && len(body) > 0 {
				bq, err := url.ParseQuery(string(body))
				if err != nil {
					return // a body the server refuses before verifying
				}
				for k, v := range bq {
					all[k] = append(all[k], v...)
				}
			}
			q.Set("Signature", acs.SignRPC(method, all, cred.AccessKeySecret))
			r.URL.RawQuery = q.Encode()
			signed = true
		default:
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
		}
		// A malformed query cannot be signed: the verifier refuses it first.
		_, qerr := url.ParseQuery(r.URL.RawQuery)
		tampered := qerr != nil
		if mode&8 != 0 && rawQuery != "" {
			r.URL.RawQuery += "&Tampered=1"
			tampered = true
		}
		if mode&16 != 0 && hk != "" {
			if k := http.CanonicalHeaderKey(hk); k != "" && !strings.ContainsAny(k, "\r\n:") {
				r.Header.Set(k, hv)
				tampered = true
			}
		}
		v := &acs.Verifier{Lookup: fuzzLookup, Now: func() time.Time { return now }}
		got, e := v.Verify(r, body)
		if e != nil {
			if e.Status < 400 || e.Status > 499 || e.Code == "" {
				t.Fatalf("refusal %d %q: want a 4xx with a code", e.Status, e.Code)
			}
			for _, s := range []string{fuzzSecret, fuzzToken} {
				if strings.Contains(e.Message, s) || strings.Contains(e.Error(), s) {
					t.Fatalf("refusal echoes a secret: %s", e.Message)
				}
			}
			if signed && !tampered {
				t.Fatalf("a correctly signed request was refused: %s", e.Error())
			}
			return
		}
		if got.AccessKeyID != fuzzAK && got.AccessKeyID != fuzzSTSAK {
			t.Fatalf("accepted an unknown access key %q", got.AccessKeyID)
		}
		if !signed {
			t.Fatalf("accepted an unsigned request (Authorization %q, query %q)", auth, rawQuery)
		}
	})
}
