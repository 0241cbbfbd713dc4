package alb_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// The WAF-enabled edition, planned in two accounts: one with no WAF
// instance (a pay-as-you-go WAF 3.0 instance will be activated and billed:
// a side effect the plan reports) and one with a WAF 2.0 instance (refused,
// with what to do).
func ExampleClient_PlanCreate_waf() {
	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionStandardWithWAF,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI))
	ctx := context.Background()

	for _, world := range []struct {
		name string
		opts []albtest.Option
	}{
		{"no WAF instance", nil},
		{"a WAF 2.0 instance", []albtest.Option{albtest.WithWAF2(albtest.WAF2Instance{InstanceID: "waf-cn-legacy", PayType: 1})}},
	} {
		srv := albtest.NewServer(world.opts...)
		client, err := srv.Client()
		if err != nil {
			panic(err)
		}
		plan, err := client.PlanCreate(ctx, spec)
		if err != nil {
			panic(err)
		}
		fmt.Println(world.name+":", "ok =", plan.OK())
		for _, s := range plan.SideEffects {
			if s.Kind == alb.SideEffectWAFActivated {
				fmt.Println("  side effect:", s.Detail)
			}
		}
		for _, f := range plan.Blocking() {
			fmt.Printf("  refused [%s]: %s\n  fix: %s\n", f.Rule, f.Message, f.Fix)
		}
		_, err = client.Create(ctx, spec)
		var pe *alb.PlanError
		fmt.Println("  Create refused by its plan:", errors.As(err, &pe), "- CreateLoadBalancer calls:", srv.Count("CreateLoadBalancer"))
		srv.Close()
	}
	// Output:
	// no WAF instance: ok = true
	//   side effect: a pay-as-you-go WAF 3.0 instance will be activated and billed for the protection of this ALB instance
	//   Create refused by its plan: false - CreateLoadBalancer calls: 1
	// a WAF 2.0 instance: ok = false
	//   refused [waf2-present]: the WAF-enabled edition cannot be created while a WAF 2.0 instance exists: release the WAF 2.0 instance waf-cn-legacy or migrate it to WAF 3.0 before choosing the WAF Enabled edition; after releasing the WAF 2.0 instance, enable the X-Forwarded-Proto header on the ALB listeners to prevent issues such as infinite redirection
	//   fix: release the WAF 2.0 instance or migrate it to WAF 3.0, then enable X-Forwarded-Proto on the listeners to avoid infinite redirects
	//   Create refused by its plan: true - CreateLoadBalancer calls: 0
}

// Check that a custom domain reaches the instance through its CNAME chain.
// A test or a caller with its own DNS server passes its resolver with
// alb.WithResolver; here no instance exists, so only the record to add is
// shown.
func ExampleCNAMERecord() {
	inst := &alb.Instance{DNSName: "alb-example.cn-hangzhou.alb.aliyuncs.com"}
	fmt.Println(alb.CNAMERecord("www.example.com", inst))
	// Output:
	// www.example.com. CNAME alb-example.cn-hangzhou.alb.aliyuncs.com.
}
