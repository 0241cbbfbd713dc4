// Package stack describes a whole Application Load Balancer (ALB) as one
// declarative value, a [Stack]: an instance, its server groups and
// servers, its listeners with their certificates and forwarding rules, and
// custom TLS security policies, referring to each other by name. It plans,
// applies, adopts and destroys a stack with albkit's guarantees: every
// local and live check before any write, the fewest writes, dependency
// order with independent resources in parallel, and nothing lost or made
// twice after a crash (every resource's idempotency key derives from the
// stack's key).
package stack
