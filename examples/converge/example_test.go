package main

import (
	"fmt"
	"strings"
)

// Example prints the plan of the embedded specs against an empty
// emulator, as `go run ./examples/converge` does (without -apply).
func Example() {
	var out strings.Builder
	if err := run(&out, defaultSpecs, false, false, ""); err != nil {
		fmt.Println(err)
		return
	}
	_, plan, _ := strings.Cut(out.String(), "\n") // skip the emulator's random port
	fmt.Print(plan)
	// Output:
	// plan:
	//   + create web (Internet, Standard, 2 zones, key converge-web)
	//     then ~ IPv6Internet: false → true (EnableLoadBalancerIpv6Internet)
	//         side effect: the IPv6 addresses become reachable from the Internet
	//     warning: zone cn-hangzhou-h gets an automatically assigned pay-as-you-go EIP (billed by data transfer, released with the instance)
	//   + create internal-api (Intranet, Basic, 2 zones, key converge-internal)
	// run with -apply to make these changes
}
