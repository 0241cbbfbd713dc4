// Package cloudapi makes the few VPC, Eipanycast, WAF and ResourceManager
// calls that albkit needs, through the generic CallApiWithCtx of darabonba-openapi.
// VPC requests and responses are the official VPC SDK's own models
// (github.com/alibabacloud-go/vpc-20160428/v6, which has no context-aware
// methods): the query is built from the request model and the answer is
// converted into the response model exactly as the generated client does.
// The WAF and ResourceManager SDKs are not available, so their calls use
// small typed structs checked field by field against the API metadata (WAF
// 3.0 DescribeInstance, WAF 2.0 DescribeInstanceInfo; ResourceManager has no
// metadata in the reference set: GUESS from the public API reference). The
// WAF, ResourceManager and Eipanycast clients are built on first use.
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
//   - Eipanycast 2020-03-09 ListAnycastEipAddresses: Anycast EIPs, which
//     DescribeEipAddresses does not list (it lists the EIPs created in a
//     region; Anycast EIPs have an access area and an API of their own).
//
// Errors from the service are the SDK's *tea.SDKError (usable with
// errors.As), wrapped with the action name and not classified: package alb
// maps them, with the errors of the ALB SDK, through the one code table
// (internal/apierr); IsNotFound reads that table. The package never
// retries (the caller does) and never logs. Config, the clients and the
// errors never print the credential.
//
// The package is internal: alb.Client uses it for release plans and preflight
// facts, and converts the wire structs into the domain facts of the network,
// eip and waf packages with the Facts methods.
package cloudapi
