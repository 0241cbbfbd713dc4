// Package albtest is an in-process emulator of the Alibaba Cloud ALB
// (2020-06-16), VPC (2016-04-28), WAF (2021-10-01 and 2019-09-10) and
// ResourceManager (2020-03-31) control-plane APIs, served over the real wire
// protocol so that the official SDK runs against it unchanged.
//
// Full documentation follows in this file as the package grows.
package albtest
