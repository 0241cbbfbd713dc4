// Package cloudapi makes the few VPC, WAF and ResourceManager calls that
// albkit needs, with typed request and response structs, through the generic
// CallApiWithCtx of darabonba-openapi (the official SDK modules of those
// products are not dependencies of albkit).
//
// Every call is an RPC-style POST with all parameters in the URL query,
// signed ACS3-HMAC-SHA256 by the SDK, exactly as a generated SDK client would
// send it:
//
//   - VPC 2016-04-28: DescribeVSwitches, DescribeEipAddresses,
//     ReleaseEipAddress, DescribeCommonBandwidthPackages.
//   - WAF 3.0 (2021-10-01) DescribeInstance and WAF 2.0 (2019-09-10)
//     DescribeInstanceInfo.
//   - ResourceManager 2020-03-31 GetRole and CreateServiceLinkedRole.
//
// Errors from the service are the SDK's *tea.SDKError (usable with
// errors.As), wrapped with the action name; errors for a missing vSwitch,
// EIP or RAM role also match ErrNotFound with errors.Is. The package never
// retries (the caller does) and never logs. Config, the clients and the
// errors never print the credential.
//
// The package is internal: alb.Client uses it for release plans and preflight
// facts, and converts the wire structs into the domain facts of the network,
// eip and waf packages with the Facts methods.
package cloudapi
