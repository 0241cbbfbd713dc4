package eip_test

import (
	"fmt"

	"github.com/albkit/albkit/eip"
)

func ExampleCheckEligible() {
	a := eip.Address{
		AllocationID:       "eip-bp1",
		IPAddress:          "47.98.1.2",
		ChargeType:         eip.ChargePrePaid,
		InternetChargeType: eip.PayByTraffic,
		Status:             eip.StatusAvailable,
	}
	for _, err := range eip.CheckEligible(a) {
		fmt.Println(err)
	}
	// Output:
	// eip: eip-pay-as-you-go: EIP eip-bp1 (47.98.1.2) has billing method "PrePaid"; only pay-as-you-go (PostPaid) EIPs can be associated with an ALB instance
}

func ExampleCheckConsistentTypes() {
	fmt.Println(eip.CheckConsistentTypes([]eip.Type{"", eip.TypeCommon}))
	fmt.Println(eip.CheckConsistentTypes([]eip.Type{eip.TypeCommon, eip.TypeAnycast}))
	// Output:
	// <nil>
	// eip: eip-type-consistent: the zones of one ALB instance use different EIP types (Anycast, Common); the EIP types of all zones must be the same
}

func ExampleReleaseSideEffects() {
	for _, e := range eip.ReleaseSideEffects([]eip.Address{
		{AllocationID: "eip-2", IPAddress: "47.0.0.2", Type: eip.TypeAnycast},
		{AllocationID: "eip-1", IPAddress: "47.0.0.1"},
	}) {
		fmt.Println(e.Action, e.AllocationID, e.IPAddress, e.Type)
	}
	// Output:
	// disassociate-and-release eip-1 47.0.0.1 Common
	// disassociate-and-release eip-2 47.0.0.2 Anycast
}
