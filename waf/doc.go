// Package waf holds the rules for the WAF Enabled edition of Application Load
// Balancer (ALB), which "includes all Standard features plus integrated Web
// Application Firewall (WAF) 3.0 protection". It is pure: it imports only the
// standard library and does no I/O; callers look up the account's WAF
// instances and pass the Facts to Decide.
//
// Rules, each with the sentence of the product documentation ("Create and
// manage ALB instances", WAF Enabled edition details) it comes from:
//
//   - OutcomeActivatePayAsYouGo: "If no WAF instance exists, a pay-as-you-go
//     WAF 3.0 instance is automatically activated." Allowed, and the cost is
//     reported in Decision.SideEffects.
//   - OutcomeUseSubscription: "If a subscription WAF 3.0 instance exists, no
//     extra WAF fees are incurred." Allowed, no side effects.
//   - OutcomeUsePayAsYouGo: not in the documentation (judgement call): an
//     existing pay-as-you-go WAF 3.0 instance is used and billed, nothing new
//     is activated. Allowed, the billing is reported in SideEffects.
//   - OutcomeRefuseV2Present, rule RuleWAF2Present: "If a WAF 2.0 instance
//     exists, you must first release it or migrate to WAF 3.0. After you
//     release the WAF 2.0 instance, enable the X-Forwarded-Proto header in the
//     ALB listener to prevent issues such as infinite redirection." Refused
//     even when a WAF 3.0 instance exists too; Decision.Guidance says what to
//     do and Decision.Err returns an error wrapping ErrWAF2Present.
package waf
