package acs_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/albkit/albkit/internal/acs"
)

func ExampleVerifier_Verify() {
	cred := acs.Credential{AccessKeyID: "LTAIexample", AccessKeySecret: "example-secret"}
	signedAt := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

	r := httptest.NewRequest("POST", "http://alb.cn-hangzhou.aliyuncs.com/?RegionId=cn-hangzhou", nil)
	r.Header.Set("x-acs-action", "ListLoadBalancers")
	r.Header.Set("x-acs-version", "2020-06-16")
	if err := acs.SignACS3(r, nil, cred, signedAt, "0123456789abcdef0123456789abcdef"); err != nil {
		panic(err)
	}

	v := &acs.Verifier{
		Lookup: func(id string) (acs.Credential, bool) { return cred, id == cred.AccessKeyID },
		Now:    func() time.Time { return signedAt.Add(time.Minute) },
		Nonces: acs.NewNonceCache(0),
	}
	got, verr := v.Verify(r, nil)
	fmt.Println(got.Scheme, got.AccessKeyID, verr == nil)

	_, verr = v.Verify(r, nil) // the same request again
	fmt.Println(verr.Status, verr.Code)

	fmt.Println(cred)
	// Output:
	// ACS3-HMAC-SHA256 LTAIexample true
	// 400 SignatureNonceUsed
	// Credential{AccessKeyID:LTAIexample AccessKeySecret:<redacted> SecurityToken:}
}

func ExampleSignRPC() {
	// The worked example of Alibaba Cloud's RPC signature documentation.
	params := url.Values{
		"AccessKeyId": {"testid"}, "Action": {"DescribeRegions"}, "Format": {"XML"},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureNonce": {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
		"SignatureVersion": {"1.0"}, "Timestamp": {"2016-02-23T12:46:24Z"}, "Version": {"2014-05-26"},
	}
	fmt.Println(acs.SignRPC("GET", params, "testsecret"))
	// Output: OLeaidS1JvxuMvnyHOwuJ+uX5qY=
}
