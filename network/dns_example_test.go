package network_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/albkit/albkit/network"
)

// zone is an in-memory Resolver: each name maps to the target of its CNAME
// record, or to "" when the name exists without one. A name not in the map
// does not exist. Keys are in lower case without the trailing dot, the form
// in which CheckDomain asks.
type zone map[string]string

func (z zone) LookupCNAME(_ context.Context, name string) (string, bool, error) {
	target, ok := z[name]
	if !ok {
		return "", false, fmt.Errorf("%s: %w", name, network.ErrNXDomain)
	}
	return target, target != "", nil
}

func (z zone) LookupHost(context.Context, string) ([]string, error) { return nil, nil }

func ExampleCheckDomain() {
	const instance = "alb-abc123.cn-hangzhou.alb.aliyuncsslb.com" // the instance's DNSName
	dns := zone{
		"www.example.com":    "cdn.example.net.",
		"cdn.example.net":    "ALB-abc123.cn-hangzhou.alb.aliyuncsslb.com.",
		"shop.example.com":   "old-lb.example.net",
		"old-lb.example.net": "",
		"api.example.com":    "",
	}
	ctx := context.Background()
	for _, domain := range []string{"www.example.com", "shop.example.com", "api.example.com", "blog.example.com"} {
		c := network.CheckDomain(ctx, dns, domain, instance)
		fmt.Println(c)
	}
	// Output:
	// www.example.com: ok: www.example.com reaches alb-abc123.cn-hangzhou.alb.aliyuncsslb.com through 2 CNAME record(s)
	//   chain: www.example.com -> cdn.example.net -> alb-abc123.cn-hangzhou.alb.aliyuncsslb.com
	// shop.example.com: points-elsewhere: shop.example.com resolves through its CNAME chain to old-lb.example.net, not to alb-abc123.cn-hangzhou.alb.aliyuncsslb.com; it has no A or AAAA record either
	//   chain: shop.example.com -> old-lb.example.net
	//   fix: point shop.example.com at the instance: shop.example.com CNAME alb-abc123.cn-hangzhou.alb.aliyuncsslb.com
	// api.example.com: no-cname-record: api.example.com has no CNAME record; it has no A or AAAA record either
	//   fix: add a CNAME record: api.example.com CNAME alb-abc123.cn-hangzhou.alb.aliyuncsslb.com
	// blog.example.com: nxdomain: blog.example.com does not exist (NXDOMAIN)
	//   fix: add a CNAME record: blog.example.com CNAME alb-abc123.cn-hangzhou.alb.aliyuncsslb.com
}

// Before releasing an instance, check the custom domains the caller names:
// one that still resolves to the instance blocks the release.
func ExampleDomainCheck_BlocksRelease() {
	const instance = "alb-abc123.cn-hangzhou.alb.aliyuncsslb.com"
	dns := zone{
		"www.example.com":    instance,
		"old.example.com":    "new-lb.example.net",
		"new-lb.example.net": "",
	}
	for _, domain := range []string{"www.example.com", "old.example.com"} {
		c := network.CheckDomain(context.Background(), dns, domain, instance)
		fmt.Printf("%s: %s, blocks release: %v\n", domain, c.Verdict, c.BlocksRelease())
	}
	// Output:
	// www.example.com: ok, blocks release: true
	// old.example.com: points-elsewhere, blocks release: false
}

func ExampleDomainCheck_Err() {
	c := network.CheckDomain(context.Background(), zone{}, "www.example.com", "alb-abc123.cn-hangzhou.alb.aliyuncsslb.com")
	err := c.Err()
	fmt.Println(errors.Is(err, network.ErrDomainCheck), errors.Is(err, network.ErrNXDomain))
	var de *network.DomainError
	if errors.As(err, &de) {
		fmt.Println(de.Check.Verdict)
	}
	// Output:
	// true true
	// nxdomain
}
