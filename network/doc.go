// Package network holds the VPC, vSwitch, zone and IP address planning rules
// that an Application Load Balancer (ALB) instance imposes, as stated in the
// product documentation "Create and manage ALB instances". It is pure: it
// imports only the standard library and does no I/O; callers fetch the vSwitch
// facts (DescribeVSwitches) and pass them in.
package network
