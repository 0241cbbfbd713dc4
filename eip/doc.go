// Package eip holds the Elastic IP Address (EIP) facts and rules that apply
// when EIPs are associated with an Application Load Balancer (ALB) instance.
package eip
