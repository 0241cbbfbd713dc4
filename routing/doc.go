// Package routing holds Application Load Balancer (ALB) request routing,
// decided once: the rule model (conditions, actions, rules, a listener's
// table), the matching semantics, what the actions produce, an explanation
// of every decision, checks over a listener's rules, and the value formats of
// conditions and actions. It is pure: no client, no I/O, no state; the alb
// package's checks and the albtest emulator's data plane both use it.
//
// # The model
//
// The types mirror the API's rule model (RuleConditions.N, RuleActions.N) so
// wire rules decode into them directly: a Rule has an ID, a Name, a Priority,
// a Direction, Conditions and Actions; a Table is one listener's rules and
// default server groups, with the listener facts actions read (protocol,
// port, instance ID). Constructors read well at the call site:
//
//	rule := routing.Rule{
//		ID: "api", Name: "api", Priority: 10,
//		Conditions: []routing.Condition{
//			routing.Host("api.example.com", "*.api.example.com"),
//			routing.Path("/v1/*"),
//		},
//		Actions: routing.InOrder(
//			routing.InsertHeader("x-route", "api"),
//			routing.Forward(routing.Weighted("sgp-blue", 90), routing.Weighted("sgp-green", 10)),
//		),
//	}
//
// # Matching
//
// Compile a table once, then Decide per request. Request rules are evaluated
// by ascending priority and the first whose conditions all match wins: ALB
// does not reorder rules by specificity, so an exact host needs a lower
// priority number than a wildcard covering it. The conditions of a rule are
// ANDed and the values of one condition ORed. Hosts match exactly or by
// wildcard ('*' any run, '?' one character), ignoring case and the port;
// paths match exactly or by wildcard, case-sensitively, without the query;
// "~regex" and "~*regex" are regexes (case-sensitive and case-insensitive
// for paths; hosts always ignore case), whose capture groups ${1}..${3}
// Rewrite and Redirect values may use. Header names ignore case and values
// match as wildcards; QueryString and Cookie pairs, Method, SourceIp (IPv4
// and IPv6 blocks) follow. When nothing matches, the listener's default
// action forwards to its server groups.
//
// Everything the sources leave open is decided in one place, the GUESS
// table in guess.go (go doc shows its exported outcome,
// TrafficLimitedStatus), each line marked GUESS with its reason.
//
// # Decisions
//
// A Decision names the matching rule (or the default action) and what its
// actions produce, in ascending Order, extension actions before the final
// one: forward targets with weights and stickiness, a redirect with its
// status and Location (built from ${protocol}://${host}:${port}${path}?${query}
// with the listener's configured protocol and port, the scheme's default
// port omitted), a fixed response, the rewritten host, path and query,
// headers to insert (user-defined, copied from another header, or
// system-defined: client source port and IP, protocol, instance ID, listener
// port) and to remove, the traffic limit, mirror targets and CORS. Response
// rules are decided separately over the backend response (DecideResponse).
//
// Explain decides the same way and says why: for each rule evaluated before
// the winner, which conditions did not match and why, e.g.
// `Host "api.example.com" does not match "www.example.com"`.
//
// # Checks
//
// Check reviews a listener's table: every rule's values and structure
// (ValidateRule), the edition's limits (package edition), duplicate
// priorities per direction, and warnings no peer offers: shadowed rules
// (provable only; see Check), rule IDs used twice, forwards whose weights are
// all zero, rule quotas. Each Finding has a field path such as
// "Rules[1].Conditions[0].Values[0]", a stable check identifier (Rules lists
// them with text and source), the forwarding rule's ID and a message a
// person can act on.
package routing
