package waf_test

import (
	"errors"
	"fmt"

	"github.com/albkit/albkit/waf"
)

func ExampleDecide() {
	d := waf.Decide(waf.Facts{})
	fmt.Println(d.Outcome, d.Allowed)
	fmt.Println(d.SideEffects)

	d = waf.Decide(waf.Facts{V3: waf.V3Subscription, V3InstanceID: "waf_v3-1"})
	fmt.Println(d.Outcome, d.Allowed, len(d.SideEffects))
	// Output:
	// activate-pay-as-you-go true
	// [a pay-as-you-go WAF 3.0 instance will be activated and billed for the protection of this ALB instance]
	// use-subscription true 0
}

func ExampleDecision_Err() {
	d := waf.Decide(waf.Facts{V3: waf.V3Subscription, V2Present: true, V2InstanceID: "waf-cn-2"})
	err := d.Err()
	fmt.Println(d.Outcome, errors.Is(err, waf.ErrWAF2Present))
	fmt.Println(err)
	// Output:
	// refuse-waf2-present true
	// waf: waf2-present: a WAF 2.0 instance exists: release the WAF 2.0 instance waf-cn-2 or migrate it to WAF 3.0 before choosing the WAF Enabled edition; after releasing the WAF 2.0 instance, enable the X-Forwarded-Proto header on the ALB listeners to prevent issues such as infinite redirection
}
