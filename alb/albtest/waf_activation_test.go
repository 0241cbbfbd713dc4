package albtest_test

import (
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

// TestWAFEditionActivatesWAF3: upgrading an instance to StandardWithWaf in
// an account without a WAF instance activates a pay-as-you-go WAF 3.0
// instance (product documentation, WAF Enabled edition) when the upgrade
// completes; a second upgrade keeps it; a subscription instance is kept.
func TestWAFEditionActivatesWAF3(t *testing.T) {
	srv, c := start(t)
	oc := srv.OpenAPIClient()
	id := mustCreate(t, c, createReq())
	waitActive(t, c, id)
	if b := mustCall(t, oc, "DescribeInstance", albtest.VersionWAF3, nil); b["InstanceId"] != nil {
		t.Fatalf("a WAF 3.0 instance before any WAF-enabled ALB: %v", b)
	}
	if _, err := c.UpdateLoadBalancerEdition(&albsdk.UpdateLoadBalancerEditionRequest{LoadBalancerId: tea.String(id), LoadBalancerEdition: tea.String("StandardWithWaf")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, id)
	b := mustCall(t, oc, "DescribeInstance", albtest.VersionWAF3, nil)
	if b["InstanceId"] == nil || b["PayType"] != "POSTPAY" || num(b["Status"]) != 1 {
		t.Fatalf("no pay-as-you-go WAF 3.0 instance after the upgrade: %v", b)
	}

	srv2, c2 := start(t, albtest.WithWAF3(albtest.WAF3Instance{InstanceID: "waf_v3_sub", PayType: "PREPAY", Status: 1}))
	id2 := mustCreate(t, c2, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerEdition = tea.String("StandardWithWaf") }))
	waitActive(t, c2, id2)
	if b := mustCall(t, srv2.OpenAPIClient(), "DescribeInstance", albtest.VersionWAF3, nil); b["InstanceId"] != "waf_v3_sub" || b["PayType"] != "PREPAY" {
		t.Fatalf("the subscription WAF 3.0 instance was replaced: %v", b)
	}
}
