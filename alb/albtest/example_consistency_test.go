package albtest_test

import (
	"errors"
	"fmt"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

// The first read after a create misses, as the real service's eventual
// consistency allows; SetForbidden makes an instance answer
// Forbidden.LoadBalancer.
func ExampleWithReadAfterCreateMisses() {
	srv := albtest.NewServer(albtest.WithReadAfterCreateMisses(1), albtest.WithTransitions(albtest.Immediate()))
	defer srv.Close()
	client := srv.ALBClient()
	resp, err := client.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId:                     dara.String(albtest.DefaultVPCID),
		AddressType:               dara.String("Intranet"),
		LoadBalancerEdition:       dara.String("Standard"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings: []*albsdk.CreateLoadBalancerRequestZoneMappings{
			{ZoneId: dara.String(albtest.ZoneH), VSwitchId: dara.String(albtest.VSwitchH)},
			{ZoneId: dara.String(albtest.ZoneI), VSwitchId: dara.String(albtest.VSwitchI)},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := resp.Body.LoadBalancerId
	read := func() {
		attr, err := client.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: id})
		var se *tea.SDKError
		if errors.As(err, &se) {
			fmt.Println(dara.StringValue(se.Code))
			return
		}
		fmt.Println(dara.StringValue(attr.Body.LoadBalancerStatus))
	}
	read()
	read()
	_ = srv.SetForbidden(dara.StringValue(id), true)
	read()
	// Output:
	// ResourceNotFound.LoadBalancer
	// Active
	// Forbidden.LoadBalancer
}
