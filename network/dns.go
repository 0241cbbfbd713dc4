package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Resolver answers one DNS question at a time. It must not follow CNAME
// chains itself: CheckDomain follows them hop by hop, so that it can tell a
// loop or a too-long chain from the end of the chain. CheckDomain passes
// names in lower case without the trailing dot. DNSResolver is the
// implementation that asks a real DNS server; tests and callers with their
// own DNS data can supply another.
type Resolver interface {
	// LookupCNAME returns the target of name's CNAME record, or
	// found=false when name exists but has no CNAME record. An error
	// wraps ErrNXDomain for a name that does not exist; any other error
	// is a resolver failure (timeout, SERVFAIL, REFUSED, network, context).
	LookupCNAME(ctx context.Context, name string) (target string, found bool, err error)
	// LookupHost returns the A and AAAA addresses of name. CheckDomain
	// uses it only to report where a name without a CNAME record points.
	LookupHost(ctx context.Context, name string) ([]string, error)
}

// Verdict is the outcome of a custom-domain check. Its String form is a
// stable identifier.
type Verdict int

// Verdicts of CheckDomain. The zero value is VerdictUnknown, which
// CheckDomain never returns.
const (
	VerdictUnknown         Verdict = iota // zero value: not checked
	VerdictOK                             // the CNAME chain reaches the target
	VerdictNoRecord                       // the domain exists but has no CNAME record
	VerdictElsewhere                      // the chain ends at a name other than the target
	VerdictTooLong                        // the chain has more than the allowed number of CNAME records
	VerdictLoop                           // the chain comes back to a name it has visited
	VerdictNXDomain                       // a name of the chain does not exist
	VerdictResolverFailure                // a lookup failed: timeout, SERVFAIL, REFUSED, network, context
	VerdictInvalidName                    // the domain or the target is not a valid DNS name, or they are the same name
)

var verdictNames = [...]string{
	VerdictUnknown:         "unknown",
	VerdictOK:              "ok",
	VerdictNoRecord:        "no-cname-record",
	VerdictElsewhere:       "points-elsewhere",
	VerdictTooLong:         "cname-chain-too-long",
	VerdictLoop:            "cname-loop",
	VerdictNXDomain:        "nxdomain",
	VerdictResolverFailure: "resolver-failure",
	VerdictInvalidName:     "invalid-name",
}

// String returns the verdict's stable identifier, such as "points-elsewhere".
func (v Verdict) String() string {
	if v >= 0 && int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// Bounds of the CNAME chain CheckDomain follows.
const (
	DefaultMaxCNAMEHops = 8  // CNAME records followed before VerdictTooLong, unless WithMaxHops says otherwise
	MaxCNAMEHopsLimit   = 64 // the largest value WithMaxHops accepts; larger values are lowered to it
)

// CheckOption configures CheckDomain.
type CheckOption func(*checkConfig)

type checkConfig struct {
	maxHops int
}

// WithMaxHops sets the number of CNAME records CheckDomain follows before it
// reports VerdictTooLong. n < 1 means DefaultMaxCNAMEHops; n above
// MaxCNAMEHopsLimit means MaxCNAMEHopsLimit.
func WithMaxHops(n int) CheckOption {
	return func(c *checkConfig) {
		switch {
		case n < 1:
			c.maxHops = DefaultMaxCNAMEHops
		case n > MaxCNAMEHopsLimit:
			c.maxHops = MaxCNAMEHopsLimit
		default:
			c.maxHops = n
		}
	}
}

// DomainCheck is the result of CheckDomain: whether a custom domain reaches
// an instance's DNS name through its CNAME chain, and if not, precisely why
// and what to change.
type DomainCheck struct {
	// Domain is the custom domain checked and Target the instance's DNS
	// name, both in lower case without the trailing dot (as given when
	// they are not valid names).
	Domain, Target string
	// Verdict says what the check found.
	Verdict Verdict
	// Chain is every name visited, in order: Chain[0] is Domain and each
	// next name is the CNAME target of the one before. With VerdictOK it
	// ends with Target; with VerdictElsewhere it ends with the name the
	// chain reaches instead; with VerdictLoop it ends with the name seen
	// twice; with VerdictNXDomain and VerdictResolverFailure it ends with
	// the name whose lookup failed. It is empty for VerdictInvalidName.
	Chain []string
	// Addrs are the A and AAAA addresses of the last name of Chain, for
	// VerdictNoRecord and VerdictElsewhere, when they could be looked up.
	Addrs []string
	// Cause is the resolver's error for VerdictNXDomain (it wraps
	// ErrNXDomain) and VerdictResolverFailure; nil otherwise.
	Cause error
	// Detail is one sentence for a person saying what was found.
	Detail string
	// Fix says what to change in DNS; empty for VerdictOK.
	Fix string
}

// OK reports whether the domain reaches the target (VerdictOK).
func (c DomainCheck) OK() bool { return c.Verdict == VerdictOK }

// BlocksRelease is the reading of a check for releasing the instance whose
// DNS name is Target: it reports whether the domain may still send traffic
// to the instance, so that releasing it would interrupt the service. That is
// the case for VerdictOK (the domain resolves to the instance) and, because
// the check cannot prove the opposite, for VerdictResolverFailure,
// VerdictTooLong (resolvers that follow longer chains may still reach the
// instance) and VerdictInvalidName (the name could not be checked). The
// caller decides whether to let a person override it.
//
// DNS cannot list the names that point at an instance, so only the domains
// the caller supplies are checked; a domain whose A or AAAA records hold the
// instance's addresses directly is not detected either.
func (c DomainCheck) BlocksRelease() bool {
	switch c.Verdict {
	case VerdictNoRecord, VerdictElsewhere, VerdictLoop, VerdictNXDomain:
		return false
	}
	return true
}

// Err returns nil for VerdictOK and otherwise a *DomainError carrying the
// check, which matches ErrDomainCheck with errors.Is and unwraps to Cause.
func (c DomainCheck) Err() error {
	if c.OK() {
		return nil
	}
	return &DomainError{Check: c}
}

// String renders the check for a terminal: the verdict and detail on the
// first line, then the chain and the fix when there are any.
func (c DomainCheck) String() string {
	var b strings.Builder
	b.WriteString(show(c.Domain))
	b.WriteString(": ")
	b.WriteString(c.Verdict.String())
	if c.Detail != "" {
		b.WriteString(": ")
		b.WriteString(c.Detail)
	}
	if len(c.Chain) > 1 {
		b.WriteString("\n  chain: ")
		b.WriteString(strings.Join(c.Chain, " -> "))
	}
	if c.Fix != "" {
		b.WriteString("\n  fix: ")
		b.WriteString(c.Fix)
	}
	return b.String()
}

// ErrDomainCheck is matched (errors.Is) by every *DomainError: a custom
// domain that does not resolve to the instance's DNS name.
var ErrDomainCheck = errors.New("custom domain does not resolve to the instance")

// DomainError is a failed custom-domain check, as returned by
// DomainCheck.Err. Check.Verdict names the problem.
type DomainError struct {
	Check DomainCheck
}

// Error names the domain and the verdict and says what was found.
func (e *DomainError) Error() string {
	return "network: domain " + show(e.Check.Domain) + ": " + e.Check.Verdict.String() + ": " + e.Check.Detail
}

// Is reports whether target is ErrDomainCheck.
func (e *DomainError) Is(target error) bool { return target == ErrDomainCheck }

// Unwrap returns the resolver's error (Check.Cause), if any.
func (e *DomainError) Unwrap() error { return e.Check.Cause }

// CheckDomain follows the CNAME chain of a custom domain, one record at a
// time through r, and says whether it reaches target, the DNS name of an
// ALB instance ("Add a CNAME record: map your custom domain name to the DNS
// name of the ALB instance"). Names are compared case-insensitively and a
// trailing dot is ignored. It stops at the first name equal to target,
// without looking target up, and follows at most DefaultMaxCNAMEHops CNAME
// records (see WithMaxHops), so it ends even when r returns endless chains.
//
// The result is always filled in; a context error ends the walk with
// VerdictResolverFailure. A name that has no CNAME record is reported with
// its A and AAAA addresses: note that a zone apex cannot have a CNAME record,
// and an ALIAS or CNAME-flattening record of a DNS provider looks like plain
// addresses to DNS, so such a domain gets VerdictNoRecord.
//
// For a release, read the result with DomainCheck.BlocksRelease.
func CheckDomain(ctx context.Context, r Resolver, domain, target string, opts ...CheckOption) DomainCheck {
	cfg := checkConfig{maxHops: DefaultMaxCNAMEHops}
	for _, o := range opts {
		o(&cfg)
	}
	c := DomainCheck{Domain: domain, Target: target}
	d, derr := checkName(domain, true)
	t, terr := checkName(target, true)
	switch {
	case derr != "":
		c.Verdict = VerdictInvalidName
		c.Detail = "the custom domain " + strconv.QuoteToASCII(domain) + " is not a valid DNS name: " + derr
		c.Fix = "give the custom domain as a DNS name such as www.example.com: no scheme, port, path or spaces, an internationalized name in its xn-- form"
		return c
	case terr != "":
		c.Verdict = VerdictInvalidName
		c.Detail = "the instance DNS name " + strconv.QuoteToASCII(target) + " is not a valid DNS name: " + terr
		c.Fix = "give the DNS name of the ALB instance as its DNSName field reports it"
		return c
	case d == t:
		c.Domain, c.Target = d, t
		c.Verdict = VerdictInvalidName
		c.Detail = "the custom domain is the instance's own DNS name"
		c.Fix = "give your own domain name, the one that should have a CNAME record for " + t
		return c
	}
	c.Domain, c.Target = d, t
	c.Chain = []string{d}
	record := d + " CNAME " + t
	pointFix := "point " + d + " at the instance: " + record
	seen := map[string]bool{d: true}
	for {
		cur := c.Chain[len(c.Chain)-1]
		next, found, err := lookupCNAME(ctx, r, cur)
		if err != nil {
			c.Cause = err
			if errors.Is(err, ErrNXDomain) {
				c.Verdict = VerdictNXDomain
				if len(c.Chain) == 1 {
					c.Detail = d + " does not exist (NXDOMAIN)"
					c.Fix = "add a CNAME record: " + record
				} else {
					c.Detail = "the CNAME chain is broken: " + cur + ", the target of " + c.Chain[len(c.Chain)-2] + ", does not exist (NXDOMAIN)"
					c.Fix = pointFix
				}
				return c
			}
			c.Verdict = VerdictResolverFailure
			c.Detail = "the CNAME record of " + cur + " could not be looked up: " + err.Error()
			c.Fix = "make sure the DNS server answers and check again"
			return c
		}
		if !found {
			addrs, aerr := r.LookupHost(ctx, cur)
			var where string
			switch {
			case aerr != nil:
				where = "its addresses could not be looked up: " + aerr.Error()
			case len(validAddrs(addrs)) == 0:
				where = "it has no A or AAAA record either"
			default:
				c.Addrs = validAddrs(addrs)
				where = "it has the addresses " + strings.Join(c.Addrs, ", ")
			}
			if len(c.Chain) == 1 {
				c.Verdict = VerdictNoRecord
				c.Detail = d + " has no CNAME record; " + where
				if len(c.Addrs) > 0 {
					c.Fix = "replace the A/AAAA records of " + d + " with a CNAME record (a name with a CNAME record can have no other record): " + record
				} else {
					c.Fix = "add a CNAME record: " + record
				}
				return c
			}
			c.Verdict = VerdictElsewhere
			c.Detail = d + " resolves through its CNAME chain to " + cur + ", not to " + t + "; " + where
			c.Fix = pointFix
			return c
		}
		if len(c.Chain)-1 >= cfg.maxHops {
			c.Verdict = VerdictTooLong
			c.Detail = fmt.Sprintf("the CNAME chain of %s has more CNAME records than the limit of %d without reaching %s (%s has a further CNAME record for %s)", d, cfg.maxHops, t, cur, next)
			c.Fix = pointFix
			return c
		}
		c.Chain = append(c.Chain, next)
		switch {
		case next == t:
			c.Verdict = VerdictOK
			c.Detail = fmt.Sprintf("%s reaches %s through %d CNAME record(s)", d, t, len(c.Chain)-1)
			return c
		case seen[next]:
			start := 0
			for c.Chain[start] != next {
				start++
			}
			c.Verdict = VerdictLoop
			c.Detail = "the CNAME chain of " + d + " loops: " + strings.Join(c.Chain[start:], " -> ")
			c.Fix = "break the loop and " + pointFix
			return c
		}
		seen[next] = true
	}
}

// lookupCNAME asks r about name and checks what it returns, so that a
// faulty resolver cannot put an invalid or unprintable name in the result.
func lookupCNAME(ctx context.Context, r Resolver, name string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	next, found, err := r.LookupCNAME(ctx, name)
	if err != nil || !found {
		return "", false, err
	}
	n, reason := checkName(next, false)
	if reason != "" {
		return "", false, fmt.Errorf("the resolver returned the invalid CNAME target %s: %s", strconv.QuoteToASCII(next), reason)
	}
	return n, true, nil
}

// canonicalName lower-cases name and removes one trailing dot.
func canonicalName(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

// checkName returns the canonical form of name, or why it is not a DNS
// name. strict (names a person typed) allows only letters, digits, '-' and
// '_' in labels, and '*' as a whole label; otherwise any printable ASCII
// character is allowed.
func checkName(name string, strict bool) (canonical, reason string) {
	n := canonicalName(name)
	switch {
	case n == "":
		return "", "it is empty"
	case len(n) > 253:
		return "", "it is longer than 253 characters"
	}
	for label := range strings.SplitSeq(n, ".") {
		switch {
		case label == "":
			return "", "it has an empty label"
		case len(label) > 63:
			return "", "it has a label longer than 63 characters"
		case strict && label == "*":
			continue
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			ok := ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_'
			if !strict {
				ok = ch > ' ' && ch < 0x7f
			}
			if !ok {
				return "", fmt.Sprintf("it contains the character %+q", rune(ch))
			}
		}
	}
	return n, ""
}

// validAddrs keeps the entries of addrs that are IP addresses, in their
// canonical form, so that a faulty resolver cannot put anything else in the
// result.
func validAddrs(addrs []string) []string {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if ip, err := netip.ParseAddr(a); err == nil {
			out = append(out, ip.String())
		}
	}
	return out
}

// show returns s, or s quoted when it contains anything but printable ASCII.
func show(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

var _ Resolver = (*DNSResolver)(nil)
