package albtest_test

import (
	"errors"
	"fmt"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

// Three lines start the emulator and give an ALB SDK client.
func Example() {
	srv := albtest.NewServer()
	defer srv.Close()
	client := srv.ALBClient()

	resp, err := client.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId:                     dara.String(albtest.DefaultVPCID),
		AddressType:               dara.String("Internet"),
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
	for i := 0; i < 2; i++ { // default transition: AfterPolls(1)
		attr, err := client.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: id})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(dara.StringValue(attr.Body.LoadBalancerStatus), len(attr.Body.ZoneMappings))
	}
	fmt.Println("creates:", srv.Count("CreateLoadBalancer"), "instances:", srv.Created())
	// Output:
	// Provisioning 2
	// Active 2
	// creates: 1 instances: 1
}

// A fault answers an error for a number of requests.
func ExampleServer_InjectFault() {
	srv := albtest.NewServer()
	defer srv.Close()
	srv.InjectFault(albtest.Fault{Action: "DescribeZones", Code: "ServiceUnavailable", Status: 503, Times: 1})
	client := srv.ALBClient()

	_, err := client.DescribeZones(&albsdk.DescribeZonesRequest{})
	var se *tea.SDKError
	if errors.As(err, &se) {
		fmt.Println(dara.StringValue(se.Code), dara.IntValue(se.StatusCode))
	}
	zones, err := client.DescribeZones(&albsdk.DescribeZonesRequest{})
	fmt.Println(len(zones.Body.Zones), err)
	// Output:
	// ServiceUnavailable 503
	// 4 <nil>
}
