package routing_test

import (
	"fmt"
	"net/http"
	"net/netip"

	"github.com/albkit/albkit/routing"
)

func exampleTable() routing.Table {
	return routing.Table{
		Protocol: "HTTP", Port: 80, LoadBalancerID: "alb-example",
		Default: []string{"sgp-web"},
		Rules: []routing.Rule{
			{ID: "api", Name: "api", Priority: 10,
				Conditions: []routing.Condition{routing.Host("api.example.com"), routing.Path("/v1/*")},
				Actions: routing.InOrder(
					routing.InsertHeaderFrom("x-client-ip", routing.ValueSystemDefined, routing.SystemClientSrcIP),
					routing.Forward(routing.Weighted("sgp-api-blue", 90), routing.Weighted("sgp-api-green", 10)),
				)},
			{ID: "legacy", Name: "legacy", Priority: 20,
				Conditions: []routing.Condition{routing.Path(`~^/old/(.*)$`)},
				Actions:    routing.InOrder(routing.Redirect(routing.RedirectConfig{HTTPCode: "301", Protocol: "HTTPS", Port: "443", Path: "/new/${1}"}))},
			{ID: "canary", Name: "canary", Priority: 30,
				Conditions: []routing.Condition{routing.Header("X-Canary", "true")},
				Actions:    routing.InOrder(routing.ForwardTo("sgp-canary"))},
		},
	}
}

func ExampleRouter_Decide() {
	router, err := routing.Compile(exampleTable())
	if err != nil {
		panic(err)
	}
	client := netip.MustParseAddr("203.0.113.9")
	for _, req := range []routing.Request{
		{Method: "GET", Host: "API.example.com", Path: "/v1/users", SourceIP: client},
		{Method: "GET", Host: "www.example.com", Path: "/old/docs/intro", RawQuery: "lang=en"},
		{Method: "GET", Host: "www.example.com", Path: "/", Header: http.Header{"X-Canary": {"TRUE"}}},
		{Method: "GET", Host: "www.example.com", Path: "/"},
	} {
		fmt.Println(router.Decide(&req))
	}
	// Output:
	// rule api: insert x-client-ip: 203.0.113.9, forward to sgp-api-blue (90), sgp-api-green (10)
	// rule legacy: redirect 301 to https://www.example.com/new/docs/intro?lang=en
	// rule canary: forward to sgp-canary (100)
	// default action: forward to sgp-web (100)
}

func ExampleRouter_Explain() {
	router := routing.MustCompile(exampleTable())
	req := routing.Request{Method: "GET", Host: "www.example.com:80", Path: "/v1/users", Header: http.Header{"X-Canary": {"true"}}}
	fmt.Println(router.Explain(&req))
	// Output:
	// rule api (priority 10) did not match
	//   Conditions[0]: Host "www.example.com" does not match "api.example.com"
	// rule legacy (priority 20) did not match
	//   Conditions[0]: Path "/v1/users" does not match "~^/old/(.*)$"
	// rule canary (priority 30) matched
	// => rule canary: forward to sgp-canary (100)
}

func ExampleCheck() {
	t := exampleTable()
	t.Edition = "Basic"
	t.Rules = append(t.Rules, routing.Rule{ID: "users", Name: "users", Priority: 40,
		Conditions: []routing.Condition{routing.Host("api.example.com"), routing.Path("/v1/users/*")},
		Actions:    routing.InOrder(routing.ForwardTo("sgp-users"))})
	for _, f := range routing.Check(t) {
		fmt.Println(f)
	}
	// Output:
	// Rules[0].Actions[0].Type: the InsertHeader action needs the Standard edition (this instance is Basic) [edition-action-type]
	// Rules[1].Actions[0].Type: the Redirect action needs the Standard edition (this instance is Basic) [edition-action-type]
	// Rules[3]: warning: rule users (Rules[3], priority 40) can never match: rule api (Rules[0], priority 10), evaluated before it, matches every request it matches; give it a lower priority number than 10 or narrow the earlier rule [rule-shadowed]
}

func ExampleValidateRule() {
	rule := routing.Rule{ID: "bad", Name: "bad", Priority: 0,
		Conditions: []routing.Condition{routing.Host("Shop.example.com"), routing.Query(routing.KV("Env", "prod"))},
		Actions:    routing.InOrder(routing.ForwardTo("sgp-1"), routing.RemoveHeader("host"))}
	for _, f := range routing.ValidateRule(rule, routing.Scope{Edition: "Standard"}) {
		fmt.Println(f)
	}
	// Output:
	// Priority: priority 0 is out of range: use 1–10000 [rule-priority-range]
	// Conditions[0].Values[0]: host "Shop.example.com": use lower case [condition-host-format]
	// Conditions[1].Pairs[0].Key: QueryString key "Env": use lower case (matching ignores case) [condition-query-format]
	// Actions[1].RemoveHeader.Key: header "host" cannot be inserted or removed by a Request rule [action-header-key-forbidden]
	// Actions[0].Order: the final ForwardGroup action has order 1 but another action has 2: give the final action the largest Order [action-final-last]
}
