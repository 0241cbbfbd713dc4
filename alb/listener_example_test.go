package alb_test

import (
	"errors"
	"fmt"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

func ExampleNewListenerSpec() {
	api := alb.NewRuleSpec("api", 10, routing.Host("api.example.com"), routing.Path("/v1/*")).
		Then(routing.Forward(routing.Weighted("sgp-blue", 90), routing.Weighted("sgp-green", 10)))
	spec := alb.NewListenerSpec("alb-123", alb.ListenerHTTPS, 443, "sgp-web").
		WithCertificate("12315790212_166f8204689_1714763408_709980").
		WithXForwardedFor(alb.XForwardedFor{Proto: true}).
		WithRules(api)

	if err := spec.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	// Host and path conditions and weighted forwards are Basic's too.
	fmt.Println(alb.CheckListenerEdition(spec, alb.EditionBasic))
	fmt.Println(alb.DiffListener(spec, nil, nil, nil).Calls())
	// Output:
	// <nil>
	// [CreateListener CreateRules]
}

func ExampleCheckListenerEdition() {
	spec := alb.NewListenerSpec("alb-123", alb.ListenerHTTP, 80, "sgp-web").WithRules(
		alb.NewRuleSpec("legacy", 5, routing.Path("/old/*")).Then(routing.Redirect(routing.RedirectConfig{Protocol: "HTTPS", HTTPCode: "301"})),
		alb.NewRuleSpec("beta", 6, routing.Cookie(routing.KV("beta", "1"))).Then(routing.ForwardTo("sgp-beta")))

	err := alb.CheckListenerEdition(spec, alb.EditionBasic)
	fmt.Println(errors.Is(err, alb.ErrInvalidSpec))
	var ve *alb.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			fmt.Printf("%s [%s]: %s\n", fe.Field, fe.Rule, fe.Message)
		}
	}
	// Output:
	// true
	// Rules[0].Actions[0].Type [edition-action-type]: rule "legacy": the Redirect action needs the Standard edition (this instance is Basic)
	// Rules[1].Conditions[0].Type [edition-condition-type]: rule "beta": the Cookie condition needs the Standard edition (this instance is Basic)
}

// Two rules that may match the same requests swap priorities: the plan
// moves one of them to a free priority first, so no request is ever routed
// by a rule of neither the current nor the wanted table.
func ExampleDiffListener() {
	api := alb.NewRuleSpec("api", 10, routing.Path("/api/*")).Then(routing.ForwardTo("sgp-api"))
	all := alb.NewRuleSpec("all", 20, routing.Path("/*")).Then(routing.ForwardTo("sgp-web"))
	current := &alb.Listener{ID: "lsn-1", LoadBalancerID: "alb-123", Protocol: alb.ListenerHTTP, Port: 80, Status: alb.ListenerRunning,
		DefaultServerGroupIDs: []string{"sgp-web"}, IdleTimeoutSeconds: 15, RequestTimeoutSeconds: 60, Gzip: true,
		XForwardedFor: alb.XForwardedFor{Mode: alb.XForwardedForAppend}}
	rules := []alb.Rule{
		{ID: "rule-api", Status: alb.RuleAvailable, RuleSpec: api},
		{ID: "rule-all", Status: alb.RuleAvailable, RuleSpec: all},
	}

	spec := alb.NewListenerSpec("alb-123", alb.ListenerHTTP, 80, "sgp-web").
		WithRules(api.WithPriority(20), all.WithPriority(10))
	fmt.Println(alb.DiffListener(spec, current, nil, rules))
	// Output:
	// lsn-1:
	//   ~ update rule api rule-api: priority 10 → 11 (temporary) (UpdateRulesAttribute)
	//   ~ update rule all rule-all: priority 20 → 10 (UpdateRulesAttribute)
	//   ~ update rule api rule-api: priority 11 → 20 (UpdateRulesAttribute)
}

func ExampleCheckListener() {
	spec := alb.NewListenerSpec("alb-123", alb.ListenerHTTP, 80, "sgp-web").
		WithRules(alb.NewRuleSpec("grpc", 5, routing.Path("/rpc/*")).Then(routing.ForwardTo("sgp-grpc")))
	facts := alb.ListenerFacts{
		Edition: alb.EditionStandardWithWAF,
		VPCID:   "vpc-1",
		ServerGroups: map[string]alb.ServerGroup{
			"sgp-web":  {ID: "sgp-web", Type: alb.ServerGroupInstance, Protocol: alb.BackendHTTP, VPCID: "vpc-1"},
			"sgp-grpc": {ID: "sgp-grpc", Type: alb.ServerGroupInstance, Protocol: alb.BackendGRPC, VPCID: "vpc-1"},
		},
	}
	for _, f := range alb.CheckListener(spec, facts) {
		fmt.Println(f.Severity, f.Rule, f.Resource)
	}
	// Output:
	// blocking listener-server-group-protocol Rules[0].Actions[0].ForwardGroup.ServerGroups[0].ServerGroupID
	// warning listener-waf-x-forwarded-proto XForwardedFor.Proto
}

func ExampleSecurityPolicySpec_Validate() {
	spec := alb.NewSecurityPolicySpec("modern", []alb.TLSVersion{alb.TLS12},
		"ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256")
	var ve *alb.ValidationError
	if errors.As(spec.Validate(), &ve) {
		for _, fe := range ve.Errors {
			fmt.Println(fe.Field, fe.Rule)
		}
	}
	// Output:
	// Ciphers[1] security-policy-cipher-version
}
