package alb_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
)

func ExampleNewInstanceSpec() {
	spec := alb.NewInstanceSpec("vpc-123", alb.Internet, alb.EditionStandard,
		alb.Zone("cn-hangzhou-h", "vsw-h"),
		alb.Zone("cn-hangzhou-i", "vsw-i").WithEIP("eip-1"),
	).WithName("web").WithDeletionProtection().WithTag("env", "prod")

	fmt.Println(spec.Edition, spec.AddressType, spec.IPVersion, len(spec.ZoneMappings))
	if err := spec.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ok")
	// Output:
	// Standard Internet IPv4 2
	// ok
}

func ExampleInstanceSpec_Validate() {
	spec := alb.NewInstanceSpec("vpc-123", alb.Intranet, alb.EditionBasic,
		alb.Zone("cn-hangzhou-h", "vsw-h").WithEIP("eip-1"),
	).WithName("1st-web")

	err := spec.Validate()
	fmt.Println(errors.Is(err, alb.ErrInvalidSpec))
	var ve *alb.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			fmt.Println(fe.Field, fe.Rule)
		}
	}
	// Output:
	// true
	// Name name-start-letter
	// ZoneMappings zones-min-2
	// ZoneMappings[0].AllocationID eip-internet-only
}

func ExampleInstanceSpec_ValidateFacts() {
	spec := alb.NewInstanceSpec("vpc-123", alb.Internet, alb.EditionStandard,
		alb.Zone("cn-hangzhou-h", "vsw-h").WithEIP("eip-1"),
		alb.Zone("cn-hangzhou-i", "vsw-i"),
	)
	facts := alb.Facts{
		VSwitches: map[string]network.VSwitch{
			"vsw-h": {ID: "vsw-h", VPCID: "vpc-123", ZoneID: "cn-hangzhou-h", Status: "Available",
				CIDR: netip.MustParsePrefix("10.0.1.0/29"), AvailableIPs: 8},
			"vsw-i": {ID: "vsw-i", VPCID: "vpc-123", ZoneID: "cn-hangzhou-i", Status: "Available",
				CIDR: netip.MustParsePrefix("10.0.2.0/24"), AvailableIPs: 250},
		},
		EIPs: map[string]eip.Address{
			"eip-1": {AllocationID: "eip-1", ChargeType: eip.ChargePrePaid,
				InternetChargeType: eip.PayByTraffic, Status: eip.StatusAvailable},
		},
	}
	var ve *alb.ValidationError
	if errors.As(spec.ValidateFacts(facts), &ve) {
		for _, fe := range ve.Errors {
			fmt.Printf("%s [%s]\n", fe.Field, fe.Rule)
		}
	}
	// Output:
	// ZoneMappings[0].VSwitchID [vswitch-prefix-max-28]
	// ZoneMappings[0].AllocationID [eip-pay-as-you-go]
}

func ExampleEdition_SupportsWAF() {
	for _, e := range alb.Editions() {
		fmt.Printf("%s: WAF %v, custom TLS policies %v, can upgrade to Standard %v\n",
			e, e.SupportsWAF(), e.SupportsCustomTLSPolicies(), e.CanUpgradeTo(alb.EditionStandard))
	}
	// Output:
	// Basic: WAF false, custom TLS policies false, can upgrade to Standard true
	// Standard: WAF false, custom TLS policies true, can upgrade to Standard false
	// StandardWithWaf: WAF true, custom TLS policies true, can upgrade to Standard true
}

func ExampleRules() {
	rules := alb.Rules()
	fmt.Println(len(rules) > 40)
	for _, r := range rules[:2] {
		fmt.Printf("%s (%s, %s): %s\n", r.ID, r.Level, r.Source, r.Text)
	}
	// Output:
	// true
	// zones-min-2 (spec, Prerequisites/Create): select at least two zones (vSwitches in at least two zones); one only in a single-zone region (DescribeZones lists one ALB zone)
	// zones-max-10 (spec, API (CreateLoadBalancer parameters)): at most 10 zone mappings
}
