package albtest_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb/albtest"
)

// cliCall sends a request the way the aliyun CLI does: the classic RPC
// signature (HMAC-SHA1), every parameter in the query string, an empty
// POST body.
func cliCall(t *testing.T, srv *albtest.Server, action, version string, params url.Values) (*http.Response, map[string]any) {
	t.Helper()
	q := classicParams(action, version, albtest.DefaultAccessKeyID, "cli-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	for k, v := range params {
		q[k] = v
	}
	q.Set("Signature", signClassic("POST", q, albtest.DefaultAccessKeySecret))
	r, err := http.NewRequest(http.MethodPost, srv.URL()+"/?"+q.Encode(), strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, r)
}

// retryHeaders returns the delays, in milliseconds, of a throttling
// answer's x-acs-retry-after and of the TimeLeft of x-ratelimit-user-api.
func retryHeaders(t *testing.T, h http.Header) (retryAfter, timeLeft int64) {
	t.Helper()
	retryAfter, _ = strconv.ParseInt(h.Get("x-acs-retry-after"), 10, 64)
	for _, part := range strings.Split(h.Get("x-ratelimit-user-api"), ",") {
		if v, ok := strings.CutPrefix(part, "TimeLeft:"); ok {
			timeLeft, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return retryAfter, timeLeft
}

// Issue 17 item 15: every throttling answer (a rate limit, an injected
// throttling fault, over the Go API or the control API) carries both
// x-acs-retry-after (milliseconds, what aliyun-cli 3.4.0+ waits before
// retrying) and x-ratelimit-user-api (what the darabonba SDKs read); other
// errors carry neither.
func TestThrottlingAnswersCarryRetryAfter(t *testing.T) {
	clk := albtest.NewManualClock(time.Now())
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithRateLimit("DescribeZones", 0.5, 1))
	defer srv.Close()
	check := func(name string, resp *http.Response, m map[string]any, code string, wantMS int64) {
		t.Helper()
		ra, tl := retryHeaders(t, resp.Header)
		if resp.StatusCode != 400 || m["Code"] != code || ra != wantMS || tl != wantMS {
			t.Errorf("%s: %d %v x-acs-retry-after %q x-ratelimit-user-api %q, want %s and %d ms in both",
				name, resp.StatusCode, m["Code"], resp.Header.Get("x-acs-retry-after"), resp.Header.Get("x-ratelimit-user-api"), code, wantMS)
		}
	}
	// A rate limit: the bucket refills one token per 2 s.
	if resp, m := cliCall(t, srv, "DescribeZones", albtest.VersionALB, nil); resp.StatusCode != 200 {
		t.Fatalf("first call: %d %v", resp.StatusCode, m)
	}
	resp, m := cliCall(t, srv, "DescribeZones", albtest.VersionALB, nil)
	check("rate limit", resp, m, "Throttling.User", 2000)

	// An injected throttling fault, with its own delay and the default.
	srv.InjectFault(albtest.Fault{Action: "DescribeRegions", Code: "Throttling.User", Status: 400, Times: 1, RetryAfter: 2500 * time.Millisecond})
	resp, m = cliCall(t, srv, "DescribeRegions", albtest.VersionALB, url.Values{"AcceptLanguage": {"en-US"}})
	check("fault", resp, m, "Throttling.User", 2500)
	srv.InjectFault(albtest.Fault{Action: "DescribeRegions", Code: "Throttling.Api", Status: 400, Times: 1})
	resp, m = cliCall(t, srv, "DescribeRegions", albtest.VersionALB, nil)
	check("fault without a delay", resp, m, "Throttling.Api", 1)
	resp, m = rawACS3(t, srv, "DescribeRegions", albtest.VersionALB, nil, defaultCred(), time.Now(), "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("after the faults: %d %v", resp.StatusCode, m)
	}

	// Over the control API.
	ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"action": "DescribeRegions", "code": "Throttling.User", "status": 400, "times": 1, "retryAfter": "3s"})
	resp, m = rawACS3(t, srv, "DescribeRegions", albtest.VersionALB, nil, defaultCred(), time.Now(), "", nil)
	check("control API fault", resp, m, "Throttling.User", 3000)
	ctlErr(t, srv, "POST", "/_albtest/faults", map[string]any{"code": "ServiceUnavailable", "retryAfter": "3s"}, 400, "retryAfter needs a throttling code")

	// Not a throttle: no retry headers.
	srv.InjectFault(albtest.Fault{Action: "DescribeRegions", Code: "ServiceUnavailable", Status: 503, Times: 1})
	resp, _ = cliCall(t, srv, "DescribeRegions", albtest.VersionALB, nil)
	if resp.StatusCode != 503 || resp.Header.Get("x-acs-retry-after") != "" || resp.Header.Get("x-ratelimit-user-api") != "" {
		t.Errorf("a 503 fault: %d with retry headers %q %q", resp.StatusCode, resp.Header.Get("x-acs-retry-after"), resp.Header.Get("x-ratelimit-user-api"))
	}
}

// Issue 17 item 16: a list or object parameter sent as JSON, as the CLI
// does when a user passes JSON, answers 400 Invalid<Param> "Illegal
// parameter serialization format. Flat format is required." for every
// operation (aliyun-cli issues #1393 and #420), before the operation runs;
// the flat form in the CLI's request style keeps working.
func TestJSONParameterAnswersFlatFormatRequired(t *testing.T) {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()))
	defer srv.Close()
	flat := url.Values{
		"VpcId": {albtest.DefaultVPCID}, "AddressType": {"Intranet"}, "LoadBalancerEdition": {"Standard"},
		"LoadBalancerBillingConfig.PayType": {"PostPay"},
		"ZoneMappings.1.ZoneId":             {albtest.ZoneH}, "ZoneMappings.1.VSwitchId": {albtest.VSwitchH},
		"ZoneMappings.2.ZoneId": {albtest.ZoneI}, "ZoneMappings.2.VSwitchId": {albtest.VSwitchI},
	}
	with := func(drop []string, set map[string]string) url.Values {
		q := url.Values{}
		for k, v := range flat {
			q[k] = v
		}
		for k := range q {
			for _, d := range drop {
				if strings.HasPrefix(k, d+".") {
					delete(q, k)
				}
			}
		}
		for k, v := range set {
			q.Set(k, v)
		}
		return q
	}
	for _, tc := range []struct {
		action, version string
		q               url.Values
		param           string
	}{
		{"CreateLoadBalancer", albtest.VersionALB, with([]string{"ZoneMappings"}, map[string]string{
			"ZoneMappings": `[{"ZoneId":"` + albtest.ZoneH + `","VSwitchId":"` + albtest.VSwitchH + `"},{"ZoneId":"` + albtest.ZoneI + `","VSwitchId":"` + albtest.VSwitchI + `"}]`}), "ZoneMappings"},
		{"CreateLoadBalancer", albtest.VersionALB, with([]string{"LoadBalancerBillingConfig"}, map[string]string{
			"LoadBalancerBillingConfig": `{"PayType":"PostPay"}`}), "LoadBalancerBillingConfig"},
		{"ListLoadBalancers", albtest.VersionALB, url.Values{"LoadBalancerIds": {`["alb-abc"]`}}, "LoadBalancerIds"},
		{"DescribeEipAddresses", albtest.VersionVPC, url.Values{"Tag": {`[{"Key":"k","Value":"v"}]`}}, "Tag"},
	} {
		resp, m := cliCall(t, srv, tc.action, tc.version, tc.q)
		want := "Specified parameter " + tc.param + " is not valid. Illegal parameter serialization format. Flat format is required."
		if resp.StatusCode != 400 || m["Code"] != "Invalid"+tc.param || m["Message"] != want {
			t.Errorf("%s with %s as JSON: %d %v %q", tc.action, tc.param, resp.StatusCode, m["Code"], m["Message"])
		}
	}
	if n := srv.Created(); n != 0 {
		t.Fatalf("%d instances created from JSON parameters", n)
	}
	// The flat form, in the CLI's request style, creates the instance; a
	// value that merely looks like JSON where a string is taken is not refused.
	resp, m := cliCall(t, srv, "CreateLoadBalancer", albtest.VersionALB, flat)
	if resp.StatusCode != 200 || m["LoadBalancerId"] == nil {
		t.Fatalf("flat CreateLoadBalancer: %d %v", resp.StatusCode, m)
	}
	resp, m = cliCall(t, srv, "ListLoadBalancers", albtest.VersionALB, url.Values{"DNSName": {"[x"}})
	if resp.StatusCode != 200 {
		t.Fatalf("a string value starting with [: %d %v", resp.StatusCode, m)
	}
}
