package alb

import (
	"context"

	"github.com/albkit/albkit/network"
)

// WithResolver sets the DNS resolver of [Client.CheckDomain] and of the
// domain checks of a release plan. The default asks the first nameserver
// of /etc/resolv.conf (network.NewDNSResolver("")); tests pass a resolver
// pointed at their own DNS server (network.NewDNSResolver("127.0.0.1:5353")).
func WithResolver(r network.Resolver) Option {
	return func(c *clientConfig) error {
		if r == nil {
			return optionError("WithResolver", "r", "is nil")
		}
		c.resolver = r
		return nil
	}
}

// dns returns the client's resolver.
func (c *Client) dns() network.Resolver {
	if c.resolver != nil {
		return c.resolver
	}
	return network.NewDNSResolver("")
}

// CNAMERecord returns the DNS record a user adds so that domain reaches
// the instance: instances created after ALB's domain name upgrade are
// reached through a CNAME from the user's own domain to their DNS name.
// It returns "" when there is no record to add: a nil instance, or one
// without a DNS name.
func CNAMERecord(domain string, inst *Instance) string {
	if inst == nil || inst.DNSName == "" {
		return ""
	}
	return domain + ". CNAME " + inst.DNSName + "."
}

// CheckDomain follows the CNAME chain of domain and says whether it reaches
// the instance's DNS name, and if not precisely why: no CNAME record,
// points elsewhere (and where), chain too long or looping, NXDOMAIN,
// resolver failure (see network.CheckDomain). The resolver is the client's
// ([WithResolver]). The result is always filled in; DomainCheck.Err gives
// a typed error (network.ErrDomainCheck) when it is not OK.
func (c *Client) CheckDomain(ctx context.Context, domain string, inst *Instance) network.DomainCheck {
	target := ""
	if inst != nil {
		target = inst.DNSName
	}
	return network.CheckDomain(ctx, c.dns(), domain, target)
}
