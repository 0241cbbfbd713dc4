// Package stack describes a whole Application Load Balancer (ALB) as one
// declarative value, a [Stack]: an instance, its server groups and
// servers, its listeners with their certificates and forwarding rules, and
// custom TLS security policies, referring to each other by name. It plans,
// applies, adopts and destroys a stack with albkit's guarantees: every
// local and live check before any write, the fewest writes, dependency
// order with independent resources in parallel, and nothing lost or made
// twice after a crash (every resource's idempotency key derives from the
// stack's key).
//
// # The stack file
//
// A stack is built in Go, or read from a YAML or JSON file by [Load] (from
// bytes by [Decode]). The file is the Go value written down: its fields
// are the JSON names of the Go types, [Stack] at the top (key, instance,
// serverGroups, listeners, securityPolicies, adopt), then
// alb.InstanceSpec, alb.ServerGroupSpec with alb.Server, [Listener] (a
// name and the fields of alb.ListenerSpec), alb.RuleSpec with
// routing.Condition and routing.Action, and alb.SecurityPolicySpec (go doc
// each for its fields and their rules). A complete example, an instance,
// two server groups and an HTTP listener with a host rule and a path rule
// (examples/converge/stack.yaml is a longer one):
//
//	key: shop                      # names the stack's resources' keys: choose it once
//	instance:
//	  name: shop
//	  vpcId: vpc-albtest0001
//	  addressType: Internet
//	  edition: Standard
//	  zoneMappings:
//	    - {zoneId: cn-hangzhou-h, vSwitchId: vsw-albtest-h}
//	    - {zoneId: cn-hangzhou-i, vSwitchId: vsw-albtest-i}
//	serverGroups:
//	  - name: api                  # in the instance's VPC unless vpcId says otherwise
//	    type: Ip
//	    healthCheck: {enabled: true, path: /healthz}
//	    servers:
//	      - {type: Ip, id: 10.0.1.10, port: 8080}
//	      - {type: Ip, id: 10.0.2.10, port: 8080, weight: 50}
//	  - name: web
//	    type: Ip
//	    servers:
//	      - {type: Ip, id: 10.0.1.30, port: 80}
//	listeners:
//	  - name: http
//	    protocol: HTTP
//	    port: 80
//	    defaultServerGroupIds: [web]   # when no rule matches
//	    rules:
//	      - name: api-host
//	        priority: 10
//	        conditions: [{type: Host, values: [api.example.com]}]
//	        actions: [{type: ForwardGroup, forwardGroup: {serverGroups: [{serverGroupId: api}]}}]
//	      - name: static-path
//	        priority: 20
//	        conditions: [{type: Path, values: ["/static/*"]}]
//	        actions:
//	          - type: Rewrite
//	            rewrite: {path: /assets/}
//	          - type: ForwardGroup
//	            forwardGroup:
//	              serverGroups: [{serverGroupId: web, weight: 90}, {serverGroupId: api, weight: 10}]
//
// References are names of the stack: a rule's serverGroupId, a
// listener's defaultServerGroupIds and securityPolicyId name a server
// group or a security policy of the file (or an existing one by its ID,
// "sgp-…", "scp-…", or a system policy). A listener's loadBalancerId and
// every idempotencyKey are left out: the stack fills them.
//
// A condition is {type, values} (Host, Path, Method, SourceIp,
// ResponseStatusCode), {type, key, values} (Header, ResponseHeader) or
// {type, pairs: [{key, value}]} (QueryString, Cookie). An action is its
// type and the config of that type under the type's name: forwardGroup
// {serverGroups: [{serverGroupId, weight}], stickySession}, redirect
// {httpCode, protocol, host, port, path, query}, fixedResponse {httpCode,
// contentType, content}, rewrite {host, path, query}, insertHeader {key,
// value, valueType}, removeHeader {key}, trafficLimit {qps, perIpQps},
// trafficMirror {serverGroupIds}, cors {allowOrigins, …}. YAML's anchors,
// aliases and merge keys may be used (a merge key may not override a key
// it merges).
//
// # Strict decoding
//
// Decoding is strict: a field the format does not have, a value of the
// wrong type, a duplicate key, a second YAML document or JSON that is not
// JSON is an error at its line and column, and a misspelled field gets a
// suggestion:
//
//	stack.yaml:23:5: listeners[0].protocl: unknown field "protocl": did you mean "protocol"?
//
// Then [Stack.Validate] runs, and each of its problems is located in the
// file (the field itself when the file has it, else the closest node that
// it has; best effort where a check names a field the file does not
// mirror). Every error is a *[FileError] (errors.Is [alb.ErrInvalidSpec]);
// one of validation also matches *[Error] with errors.As. A file that
// cannot be read is package os's *fs.PathError.
//
// # Defaults
//
// A field the file leaves out is the Go zero value, as in a struct
// literal, except where albkit's constructors give another value, which
// the file takes too, so that a file and the Go code building the same
// stack with the constructors are equal:
//   - a server's weight is 100 (alb.IPServer and the others), not 0:
//     write weight: 0 to drain a server; Fc servers take no weight;
//   - a forward target's weight is 100 (routing.ForwardTo);
//   - an action's order is its position in the list, from 1
//     (alb.RuleSpec.Then): write the final action last;
//   - an Instance or Ip group's protocol is HTTP, its scheduler Wrr and
//     its health check enabled with the service's settings
//     (alb.NewServerGroupSpec): write healthCheck: {enabled: false} to
//     turn it off;
//   - the instance's ipVersion is IPv4 and its billing PayAsYouGo
//     (alb.NewInstanceSpec).
//
// A field written is kept as written, zero included.
//
// # Plans for people, programs and pictures
//
// [Stack.Plan] returns a [Plan]: its String reads like terraform plan;
// json.Marshal renders it for programs (camelCase throughout, a summary,
// stable from one run to the next; see [Plan.MarshalJSON]); [Plan.Mermaid]
// draws it as a Mermaid flowchart, instance → listeners → rules → server
// groups → servers, each node marked with what apply does to it, for pull
// requests and docs.
//
// # Apply, crashes, destroy and the key
//
// [Stack.Apply] plans first and refuses a plan with a refused resource
// before any write ([RefusedError]); then it converges every resource with
// its family's Ensure, in dependency order (security policies, server
// groups and the instance in parallel; then the listeners with their
// certificates and rules; then the deletes of what the stack no longer
// lists), reporting each step to Options.Progress. Every resource's
// idempotency key is [Stack.ResourceKey] ("KEY/sg/api"), derived, not
// stored: sent as the create's ClientToken and tag, so an apply killed at
// any point and run again finds what it made and makes nothing twice. [Stack.Destroy]
// deletes everything in reverse order with the release plan's checks. A
// stack destroyed and applied again with the same key is made again (the
// keys' next ClientTokens: see alb.Client.Ensure), so keep one key for
// the life of the stack.
//
// The program examples/converge applies a stack file from the command
// line: plan, apply and destroy, with exit codes a CI job can use (0
// nothing to do, 2 changes planned, 1 an error).
package stack
