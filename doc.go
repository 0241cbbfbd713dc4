// Package albkit is a Go library that creates and manages Alibaba Cloud
// Application Load Balancer (ALB) instances safely.
//
// The lifecycle it implements, after the product documentation "Create and
// manage ALB instances":
//
//  1. Build and validate an [alb.InstanceSpec] locally: a spec that passes is
//     rejected by the service only for reasons that need live facts.
//  2. Create the instance with one idempotency token for every retry of the
//     logical operation, and wait until it is Active (fail fast on
//     CreateFailed). A process that dies mid-create resumes from the token.
//  3. Protect it: deletion protection, and the configuration read-only mode
//     (console only).
//  4. Release it from a plan a person can read: protection state, every EIP
//     released with it, the current status.
//
// # Packages
//
//   - alb: the specs (InstanceSpec, ZoneMapping, Edition, ServerGroupSpec,
//     ...), validation, and the orchestrating Client with its resource
//     families (Client.ServerGroups).
//   - alb/albtest: an emulator of the ALB, VPC/EIP, WAF and service-linked
//     role control-plane APIs that speaks the real wire protocol, for tests
//     (yours too) and for the quickstart.
//   - network: VPC, vSwitch, zone and IP planning rules.
//   - eip: EIP eligibility and the side effects of releasing an instance.
//   - waf: the WAF 2.0/3.0 rules of the WAF-enabled edition.
//   - routing: ALB's request routing, decided once (rule model, matching,
//     explanations, checks of a listener's rules); pure.
//   - edition: the one table of what each ALB edition offers; pure.
//   - examples: runnable programs, starting with examples/quickstart.
//
// This root package holds documentation only.
package albkit
