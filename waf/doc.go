// Package waf holds the rules for the WAF Enabled edition of Application Load
// Balancer (ALB), which integrates Web Application Firewall (WAF) 3.0.
package waf
