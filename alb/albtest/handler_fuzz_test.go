package albtest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/internal/acs"
)

// fuzzActions are the actions FuzzHandler addresses by index (an index
// beyond them sends the fuzzed action name itself).
var fuzzActions = []struct{ a, v string }{
	{"CreateLoadBalancer", albtest.VersionALB}, {"GetLoadBalancerAttribute", albtest.VersionALB}, {"ListLoadBalancers", albtest.VersionALB},
	{"DeleteLoadBalancer", albtest.VersionALB}, {"ListAsynJobs", albtest.VersionALB}, {"EnableDeletionProtection", albtest.VersionALB},
	{"DisableDeletionProtection", albtest.VersionALB}, {"UpdateLoadBalancerAttribute", albtest.VersionALB}, {"UpdateLoadBalancerEdition", albtest.VersionALB},
	{"UpdateLoadBalancerZones", albtest.VersionALB}, {"UpdateLoadBalancerAddressTypeConfig", albtest.VersionALB},
	{"TagResources", albtest.VersionALB}, {"UnTagResources", albtest.VersionALB}, {"ListTagResources", albtest.VersionALB},
	{"MoveResourceGroup", albtest.VersionALB}, {"DescribeZones", albtest.VersionALB}, {"DescribeVSwitches", albtest.VersionVPC},
	{"DescribeEipAddresses", albtest.VersionVPC}, {"ReleaseEipAddress", albtest.VersionVPC}, {"DescribeCommonBandwidthPackages", albtest.VersionVPC},
	{"DescribeInstance", albtest.VersionWAF3}, {"DescribeInstanceInfo", albtest.VersionWAF2}, {"GetRole", albtest.VersionRAM},
	{"GetRole", albtest.VersionResourceManager}, {"CreateServiceLinkedRole", albtest.VersionResourceManager},
}

// FuzzHandler sends arbitrary requests through the emulator's
// http.Handler: any method, path, query, one arbitrary header, body and
// content type, addressed to a known action (by index) or to the fuzzed
// action name, in the RPC style (Action/Version parameters) or the ACS3
// style (x-acs-action/x-acs-version headers), unsigned to a server without
// authentication or signed (ACS3) to one that verifies signatures. No
// answer may be a 5xx (the handler turns a panic into 500 InternalError),
// and every answer is a JSON body.
//
// mode bits: 0 ACS3 headers instead of parameters, 1 POST, 2 form body
// content type, 3 JSON content type, 4 sign and send to the verifying
// server, 5 set the fuzzed header after signing.
func FuzzHandler(f *testing.F) {
	f.Add(uint8(0), uint8(0), "", "/", "LoadBalancerId=alb-1", "", "", []byte(""))
	f.Add(uint8(1), uint8(0b10110), "", "/", "", "", "", []byte("LoadBalancerId=alb-1&DryRun=true"))
	f.Add(uint8(0), uint8(0b10011), "", "/", "VpcId=vpc-1&AddressType=Internet&LoadBalancerEdition=Standard&LoadBalancerBillingConfig.PayType=PostPay&ZoneMappings.1.ZoneId=cn-hangzhou-h&ZoneMappings.1.VSwitchId=vsw-h", "", "", []byte(""))
	f.Add(uint8(255), uint8(0), "NoSuchAction", "/", "", "", "", []byte(""))
	f.Add(uint8(2), uint8(0b1010), "", "/", "MaxResults=-1&NextToken=%zz", "x-acs-version", "1999-01-01", []byte("{\"a\":"))
	f.Add(uint8(17), uint8(0b110), "", "//x/../", "AllocationId=eip-1", "Content-Type", "application/x-www-form-urlencoded; charset=\xff", []byte("%zz=&&=="))
	f.Add(uint8(11), uint8(0b110010), "", "/", "ResourceId.1=alb-1&ResourceType=loadbalancer&Tag.1.Key=k&Tag.1.Value=v", "x-acs-signature-nonce", "", []byte(""))
	f.Add(uint8(9), uint8(0), "", "/", "ZoneMappings.99999999999999999999.ZoneId=z&ZoneMappings.1.ZoneId=", "Authorization", "ACS3-HMAC-SHA256 Credential=", []byte(""))
	f.Add(uint8(3), uint8(0b1), "", "/", "LoadBalancerId="+strings.Repeat("a", 300), "x-acs-action", "DeleteLoadBalancer", []byte(""))

	open, err := albtest.New(albtest.WithoutAuth(), albtest.WithoutControlAPI(), albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(64))
	if err != nil {
		f.Fatal(err)
	}
	signedSrv, err := albtest.New(albtest.WithoutControlAPI(), albtest.WithoutNonceCheck(), albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(64))
	if err != nil {
		f.Fatal(err)
	}
	ak, secret := signedSrv.Credentials()
	cred := acs.Credential{AccessKeyID: ak, AccessKeySecret: secret}

	f.Fuzz(func(t *testing.T, action, mode uint8, name, path, rawQuery, hk, hv string, body []byte) {
		act, ver := name, albtest.VersionALB
		if int(action) < len(fuzzActions) {
			act, ver = fuzzActions[action].a, fuzzActions[action].v
		}
		if strings.HasPrefix(path, albtest.ControlPrefix) {
			path = "/"
		}
		method := http.MethodGet
		if mode&2 != 0 {
			method = http.MethodPost
		}
		q := rawQuery
		if mode&1 == 0 {
			q = url.Values{"Action": {act}, "Version": {ver}}.Encode() + "&" + rawQuery
		}
		u := &url.URL{Scheme: "http", Host: "alb.cn-hangzhou.aliyuncs.com", Path: path, RawQuery: q}
		r, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil {
			return
		}
		if mode&1 != 0 {
			r.Header.Set("x-acs-action", act)
			r.Header.Set("x-acs-version", ver)
		}
		switch {
		case mode&4 != 0:
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case mode&8 != 0:
			r.Header.Set("Content-Type", "application/json")
		}
		setHeader := func() {
			if k := http.CanonicalHeaderKey(hk); k != "" && !strings.ContainsAny(k+hv, "\r\n\x00") {
				r.Header.Set(k, hv)
			}
		}
		srv := open
		if mode&16 != 0 {
			srv = signedSrv
			if mode&32 == 0 {
				setHeader()
			}
			if err := acs.SignACS3(r, body, cred, time.Now(), ""); err != nil {
				t.Fatal(err)
			}
			if mode&32 != 0 {
				setHeader()
			}
		} else {
			setHeader()
		}
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s (%s %s): %d %s", method, path, q, act, ver, w.Code, w.Body.Bytes())
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s?%s: answer is not JSON: %d %q", method, path, q, w.Code, w.Body.Bytes())
		}
	})
}
