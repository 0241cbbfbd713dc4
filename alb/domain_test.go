package alb_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/network"
)

// dnsZone is an in-memory zone served by a real miekg/dns server on
// loopback: CNAME records, A records, and NXDOMAIN for every other name.
type dnsZone struct {
	mu    sync.Mutex
	cname map[string]string // owner -> target, both fully qualified
	a     map[string]string // owner -> IPv4 address
}

func (z *dnsZone) set(owner, target string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.cname[dns.Fqdn(owner)] = dns.Fqdn(target)
}

func (z *dnsZone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	z.mu.Lock()
	defer z.mu.Unlock()
	m := new(dns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: 60}
	switch {
	case z.cname[name] != "":
		hdr.Rrtype = dns.TypeCNAME
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: hdr, Target: z.cname[name]})
	case z.a[name] != "":
		if q.Qtype == dns.TypeA {
			hdr.Rrtype = dns.TypeA
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: net.ParseIP(z.a[name])})
		}
	default:
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

// startZone serves z over UDP on a loopback port and returns a resolver
// asking it.
func startZone(t *testing.T, z *dnsZone) network.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: z}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	done := make(chan error, 1)
	go func() { done <- srv.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Shutdown()
		<-done
	})
	return network.NewDNSResolver(pc.LocalAddr().String())
}

// activeInstance creates an instance through the plan and waits for it.
func activeInstance(t *testing.T, c *alb.Client, spec alb.InstanceSpec) *alb.Instance {
	t.Helper()
	ctx := context.Background()
	op, err := c.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestCheckDomainAgainstARealDNSServer: every verdict of the CNAME walk,
// through the client's injected resolver.
func TestCheckDomainAgainstARealDNSServer(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	z := &dnsZone{cname: map[string]string{}, a: map[string]string{"other.example.net.": "192.0.2.7", "apex.example.com.": "192.0.2.8"}}
	c := testClient(t, srv, alb.WithResolver(startZone(t, z)))
	inst := activeInstance(t, c, intranet(zh, zi))
	z.set("www.example.com", "edge.example.com")
	z.set("edge.example.com", inst.DNSName)
	z.set("shop.example.com", "other.example.net")
	z.set("loop1.example.com", "loop2.example.com")
	z.set("loop2.example.com", "loop1.example.com")
	ctx := context.Background()
	for domain, want := range map[string]network.Verdict{
		"www.example.com":   network.VerdictOK,
		"shop.example.com":  network.VerdictElsewhere,
		"apex.example.com":  network.VerdictNoRecord,
		"gone.example.com":  network.VerdictNXDomain,
		"loop1.example.com": network.VerdictLoop,
	} {
		chk := c.CheckDomain(ctx, domain, inst)
		if chk.Verdict != want {
			t.Errorf("%s: %s, want %s\n%s", domain, chk.Verdict, want, chk)
		}
		if (chk.Err() == nil) != (want == network.VerdictOK) || chk.Err() != nil && !errors.Is(chk.Err(), network.ErrDomainCheck) {
			t.Errorf("%s: Err() = %v", domain, chk.Err())
		}
	}
	if chk := c.CheckDomain(ctx, "shop.example.com", inst); !strings.Contains(chk.String(), "other.example.net") {
		t.Errorf("points-elsewhere does not say where: %s", chk)
	}
	if rec := alb.CNAMERecord("www.example.com", inst); rec != "www.example.com. CNAME "+inst.DNSName+"." {
		t.Errorf("CNAMERecord = %q", rec)
	}
}

// TestReleaseRefusedWhileADomainResolves: a custom domain that still
// reaches the instance blocks the release (no DeleteLoadBalancer) unless
// overridden; one that points elsewhere does not.
func TestReleaseRefusedWhileADomainResolves(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	z := &dnsZone{cname: map[string]string{}, a: map[string]string{"other.example.net.": "192.0.2.7"}}
	c := testClient(t, srv, alb.WithResolver(startZone(t, z)))
	inst := activeInstance(t, c, intranet(zh, zi))
	z.set("www.example.com", inst.DNSName)
	z.set("old.example.com", "other.example.net")
	ctx := context.Background()

	plan, err := c.PlanRelease(ctx, inst.ID, "www.example.com", "old.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Domains) != 2 || len(plan.Findings) != 1 || plan.Findings[0].Rule != alb.RuleDomainStillResolves ||
		plan.Findings[0].Resource != "www.example.com" || plan.Findings[0].Severity != alb.SeverityBlocking {
		t.Fatalf("plan:\n%s", plan)
	}
	if !strings.Contains(plan.String(), "domain www.example.com: ok") {
		t.Errorf("plan does not show the domain check:\n%s", plan)
	}
	_, err = c.Release(ctx, inst.ID, alb.ReleaseOptions{Domains: []string{"www.example.com", "old.example.com"}})
	if !errors.Is(err, alb.ErrDomainStillResolves) || !strings.Contains(err.Error(), "www.example.com") {
		t.Fatalf("Release = %v, want ErrDomainStillResolves", err)
	}
	if n := srv.Count("DeleteLoadBalancer"); n != 0 {
		t.Fatalf("%d DeleteLoadBalancer calls after a refused release", n)
	}
	// The domain moved away: the release goes ahead without an override.
	z.set("www.example.com", "other.example.net")
	if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{Domains: []string{"www.example.com", "old.example.com"}}); err != nil {
		t.Fatal(err)
	}
	// The override releases a second instance whose domain still resolves.
	inst2 := activeInstance(t, c, intranet(zh, zi))
	z.set("api.example.com", inst2.DNSName)
	if _, err := c.Release(ctx, inst2.ID, alb.ReleaseOptions{Domains: []string{"api.example.com"}, AllowResolvingDomains: true}); err != nil {
		t.Fatal(err)
	}
}

// TestReleaseAccountsForEveryEIP: EIPs are marked auto-assigned or the
// user's own; releasing a user's EIP needs an acknowledgement; after the
// release DescribeEipAddresses confirms each EIP is gone, and one still
// listed is reported.
func TestReleaseAccountsForEveryEIP(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	var (
		mu       sync.Mutex
		reinsert string // an EIP the test puts back once the instance is gone
	)
	c := testClient(t, srv, alb.WithObserver(func(e alb.Event) {
		mu.Lock()
		id := reinsert
		mu.Unlock()
		if id != "" && e.Kind == alb.EventPoll && e.Operation == "release" {
			_ = srv.AddEIP(albtest.EIP{AllocationID: id, IPAddress: "47.98.10.99", ChargeType: albtest.ChargePostPaid, InternetChargeType: albtest.InternetPayByTraffic})
		}
	}))
	ctx := context.Background()
	inst := activeInstance(t, c, internet(zh.WithEIP(albtest.EIPTraffic1), zi))
	plan, err := c.PlanRelease(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.EIPs) != 2 || plan.EIPOrigins[albtest.EIPTraffic1] != alb.EIPUserOwned {
		t.Fatalf("plan:\n%s", plan)
	}
	var auto string
	for id, o := range plan.EIPOrigins {
		if id != albtest.EIPTraffic1 {
			auto = id
			if o != alb.EIPAutoAssigned {
				t.Errorf("EIP %s: %s, want auto-assigned", id, o)
			}
		}
	}
	if len(plan.Findings) != 1 || plan.Findings[0].Rule != alb.RuleUserEIPReleased || plan.Findings[0].Severity != alb.SeverityWarning {
		t.Errorf("a user's EIP is a warning in the plan, not a blocking finding:\n%s", plan)
	}
	_, err = c.Release(ctx, inst.ID, alb.ReleaseOptions{})
	if !errors.Is(err, alb.ErrUserEIPNotAcknowledged) || !strings.Contains(err.Error(), albtest.EIPTraffic1) {
		t.Fatalf("Release = %v, want ErrUserEIPNotAcknowledged", err)
	}
	if n := srv.Count("DeleteLoadBalancer"); n != 0 {
		t.Fatalf("%d DeleteLoadBalancer calls after a refused release", n)
	}
	mu.Lock()
	reinsert = auto
	mu.Unlock()
	res, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{AcknowledgeUserEIPs: true})
	if err != nil {
		t.Fatal(err)
	}
	released := map[string]bool{}
	for _, s := range res.SideEffects {
		if s.Kind == alb.SideEffectEIPReleased {
			released[s.ResourceID] = true
		}
	}
	if !released[albtest.EIPTraffic1] || released[auto] {
		t.Errorf("released %v", released)
	}
	if len(res.EIPsStillPresent) != 1 || res.EIPsStillPresent[0] != auto {
		t.Errorf("EIPsStillPresent = %v, want [%s]", res.EIPsStillPresent, auto)
	}
}
