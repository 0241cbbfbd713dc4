// Package edition is the one table of what each Application Load Balancer
// (ALB) edition offers: the rule condition and action types,
// Response-direction rules, custom TLS security policies, Tracing Analysis, the
// server-group features that need Standard (slow start, connection draining,
// cross-zone off), the per-rule limits and the per-instance quotas. It is
// pure data: no I/O, no state.
//
// Edition names are the wire values of LoadBalancerEdition: Basic, Standard
// and StandardWithWaf ("WAF Enabled" in the console). Each edition includes
// every feature of the one before it.
//
// The product documentation "Create and manage ALB instances" is the
// reference where sources disagree: "Basic: Supports routing based on domain
// names, URLs, and HTTP headers. Standard: Includes all Basic features plus
// custom TLS security policies, Tracing Analysis, redirection, rewrite, and
// more." So Redirect and Rewrite need Standard, though another product table
// lists Redirect for Basic; the choice is marked DECIDED where the table is
// built, so it is easy to change.
//
// Use Of to look an edition up, Features.Has or Features.Refusal to test a
// feature, and Needing to name the lowest edition that has one:
//
//	f, _ := edition.Of(edition.Basic)
//	if !f.Has(edition.Action("Rewrite")) {
//		need, _ := edition.Needing(edition.Action("Rewrite")) // "Standard"
//		...
//	}
package edition
