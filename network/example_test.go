package network_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/albkit/albkit/network"
)

func ExampleReservedIPv4() {
	p := netip.MustParsePrefix("10.0.0.0/24")
	fmt.Println(network.ReservedIPv4(p))
	fmt.Println(network.UsableIPv4(p))
	// Output:
	// [10.0.0.0 10.0.0.253 10.0.0.254 10.0.0.255]
	// 252
}

func ExampleCheckPrefix() {
	fmt.Println(network.CheckPrefix(netip.MustParsePrefix("10.0.0.0/28")))
	fmt.Println(network.CheckPrefix(netip.MustParsePrefix("10.0.0.0/29")))
	// Output:
	// <nil>
	// network: vswitch-prefix-max-28: CIDR block 10.0.0.0/29 has prefix /29, which is longer than /28; use a vSwitch with a /28 or shorter prefix
}

func ExampleCheckIntranetAddress() {
	p := netip.MustParsePrefix("192.168.0.0/24")
	for _, a := range []string{"192.168.0.10", "192.168.0.254", "192.168.1.10"} {
		fmt.Println(network.CheckIntranetAddress(p, netip.MustParseAddr(a)))
	}
	// Output:
	// <nil>
	// network: intranet-address-not-reserved: intranet address 192.168.0.254 is reserved in 192.168.0.0/24 (the first one and the last three addresses are reserved for system use); choose another address
	// network: intranet-address-in-cidr: intranet address 192.168.1.10 is outside the vSwitch CIDR block 192.168.0.0/24; choose an address inside it
}

func ExampleCheckVSwitch() {
	vs := network.VSwitch{
		ID:           "vsw-1",
		VPCID:        "vpc-1",
		ZoneID:       "cn-hangzhou-h",
		CIDR:         netip.MustParsePrefix("172.16.0.0/28"),
		AvailableIPs: 5,
		Status:       "Available",
	}
	for _, err := range network.CheckVSwitch(vs, "vpc-1", "cn-hangzhou-h", true, netip.Addr{}) {
		var v *network.Violation
		if errors.As(err, &v) && v.Rule == network.RuleAutoScalingAddresses {
			fmt.Println("warning:", v.Message)
			continue
		}
		fmt.Println("error:", err)
	}
	// Output:
	// warning: vSwitch vsw-1 has 5 free IP addresses; reserve at least 8 per vSwitch to support all auto scaling features
	// error: network: vswitch-ipv6-required: vSwitch vsw-1 does not have IPv6 enabled; enable IPv6 for the vSwitch before creating a dual-stack instance
}

func ExampleBackendAllowList() {
	list := network.BackendAllowList([]network.VSwitch{
		{ID: "vsw-b", CIDR: netip.MustParsePrefix("10.0.2.0/24"), IPv6CIDR: netip.MustParsePrefix("2408:4000:1:200::/64"), IPv6Enabled: true},
		{ID: "vsw-a", CIDR: netip.MustParsePrefix("10.0.1.0/24")},
	})
	fmt.Println(list)
	// Output: [10.0.1.0/24 10.0.2.0/24 2408:4000:1:200::/64]
}
