package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The tests below run a real DNS server (github.com/miekg/dns) on loopback,
// over UDP and TCP on the same port, and point a DNSResolver at it.

const albName = "alb-abc123.cn-hangzhou.alb.example.net"

// testZone is an in-memory zone served by a miekg/dns server. A name that is
// in none of its maps does not exist (NXDOMAIN).
type testZone struct {
	cname    map[string]string   // owner -> target
	addrs    map[string][]string // owner -> A and AAAA addresses
	exists   map[string]bool     // names that exist without any record (NODATA)
	rcode    map[string]int      // names answered with this response code
	truncate map[string]bool     // names whose UDP answers are truncated (TC) and empty
	upper    bool                // echo the question upper-cased, as a 0x20-randomising server might

	udp, tcp atomic.Int32 // questions received by transport
}

func (z *testZone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if w.RemoteAddr().Network() == "tcp" {
		z.tcp.Add(1)
	} else {
		z.udp.Add(1)
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 60}
	}
	switch {
	case z.rcode[name] != 0:
		m.Rcode = z.rcode[name]
	case z.cname[name] != "":
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: hdr(dns.TypeCNAME), Target: z.cname[name]})
	case z.addrs[name] != nil:
		for _, a := range z.addrs[name] {
			ip := net.ParseIP(a)
			if ip.To4() != nil && q.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: ip})
			}
			if ip.To4() == nil && q.Qtype == dns.TypeAAAA {
				m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: ip})
			}
		}
	case z.exists[name]:
	default:
		m.Rcode = dns.RcodeNameError
	}
	if z.truncate[name] && w.RemoteAddr().Network() != "tcp" {
		m.Truncated = true
		m.Answer = nil
	}
	if z.upper {
		m.Question[0].Name = strings.ToUpper(q.Name)
	}
	w.WriteMsg(m)
}

// startDNS serves h over UDP and TCP on one loopback port and returns host:port.
func startDNS(t testing.TB, h dns.Handler) string {
	t.Helper()
	for try := 0; ; try++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			if try < 20 {
				continue // the TCP port is taken: try another UDP port
			}
			t.Fatal(err)
		}
		for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
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
				srv.Shutdown()
				<-done
			})
		}
		return pc.LocalAddr().String()
	}
}

// newZone returns the zone most tests use, changed by edit, served on
// loopback, and a resolver pointed at it.
func newZone(t *testing.T, edit ...func(*testZone)) (*testZone, *DNSResolver) {
	t.Helper()
	z := &testZone{
		cname: map[string]string{
			"www.example.com.":    albName + ".",
			"shop.example.com.":   "cdn.example.org.",
			"cdn.example.org.":    "edge.example.org.",
			"edge.example.org.":   albName + ".",
			"old.example.com.":    "old-lb.example.net.",
			"broken.example.com.": "gone.example.net.",
			"loop-a.example.com.": "loop-b.example.com.",
			"loop-b.example.com.": "loop-a.example.com.",
			"self.example.com.":   "self.example.com.",
			"tc.example.com.":     albName + ".",
			"mixed.example.com.":  "ALB-abc123.CN-Hangzhou.alb.Example.NET.",
		},
		addrs: map[string][]string{
			"old-lb.example.net.": {"192.0.2.10"},
			"apex.example.com.":   {"192.0.2.1", "2001:db8::1"},
			albName + ".":         {"198.51.100.7"},
		},
		exists: map[string]bool{"empty.example.com.": true},
		rcode: map[string]int{
			"servfail.example.com.": dns.RcodeServerFailure,
			"refused.example.com.":  dns.RcodeRefused,
		},
		truncate: map[string]bool{"tc.example.com.": true, "big.example.com.": true},
	}
	z.cname["via-fail.example.com."] = "servfail.example.com."
	var big []string
	for i := range 100 {
		big = append(big, fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
	}
	z.addrs["big.example.com."] = big
	for i := range 20 {
		z.cname[fmt.Sprintf("long%d.example.com.", i)] = fmt.Sprintf("long%d.example.com.", i+1)
	}
	z.cname["long20.example.com."] = albName + "."
	for _, e := range edit {
		e(z)
	}
	r := NewDNSResolver(startDNS(t, z))
	r.Timeout = 5 * time.Second
	return z, r
}

func TestCheckDomainDirectCNAME(t *testing.T) {
	_, r := newZone(t)
	c := CheckDomain(t.Context(), r, "www.example.com", albName)
	if c.Verdict != VerdictOK || !c.OK() {
		t.Fatalf("verdict %v, want ok: %s", c.Verdict, c)
	}
	if want := []string{"www.example.com", albName}; !slices.Equal(c.Chain, want) {
		t.Errorf("chain %q, want %q", c.Chain, want)
	}
	if c.Err() != nil || c.Cause != nil || c.Fix != "" {
		t.Errorf("ok check has Err %v, Cause %v, Fix %q", c.Err(), c.Cause, c.Fix)
	}
	if !c.BlocksRelease() {
		t.Error("a domain that still points at the instance must block its release")
	}
}

func TestCheckDomainMultiHop(t *testing.T) {
	_, r := newZone(t)
	c := CheckDomain(t.Context(), r, "shop.example.com", albName)
	want := []string{"shop.example.com", "cdn.example.org", "edge.example.org", albName}
	if c.Verdict != VerdictOK || !slices.Equal(c.Chain, want) {
		t.Fatalf("got %v %q, want ok %q", c.Verdict, c.Chain, want)
	}
	if !strings.Contains(c.Detail, "3 CNAME record(s)") {
		t.Errorf("detail %q does not count the records", c.Detail)
	}
}

func TestCheckDomainPointsElsewhere(t *testing.T) {
	_, r := newZone(t)
	c := CheckDomain(t.Context(), r, "old.example.com", albName)
	if c.Verdict != VerdictElsewhere {
		t.Fatalf("verdict %v, want points-elsewhere: %s", c.Verdict, c)
	}
	if want := []string{"old.example.com", "old-lb.example.net"}; !slices.Equal(c.Chain, want) {
		t.Errorf("chain %q, want %q", c.Chain, want)
	}
	if !slices.Equal(c.Addrs, []string{"192.0.2.10"}) {
		t.Errorf("addrs %q, want the addresses of old-lb.example.net", c.Addrs)
	}
	if want := "old.example.com CNAME " + albName; !strings.Contains(c.Fix, want) {
		t.Errorf("fix %q does not contain %q", c.Fix, want)
	}
	if !strings.Contains(c.Detail, "to old-lb.example.net, not to "+albName) {
		t.Errorf("detail %q does not say where it points", c.Detail)
	}
	if c.BlocksRelease() {
		t.Error("a domain that points elsewhere must not block the release")
	}
	if err := c.Err(); !errors.Is(err, ErrDomainCheck) {
		t.Errorf("Err() = %v, want ErrDomainCheck", err)
	}
}

func TestCheckDomainNoRecord(t *testing.T) {
	_, r := newZone(t)
	c := CheckDomain(t.Context(), r, "apex.example.com", albName)
	if c.Verdict != VerdictNoRecord {
		t.Fatalf("verdict %v, want no-cname-record: %s", c.Verdict, c)
	}
	if want := []string{"192.0.2.1", "2001:db8::1"}; !slices.Equal(c.Addrs, want) {
		t.Errorf("addrs %q, want %q", c.Addrs, want)
	}
	if !strings.HasPrefix(c.Fix, "replace the A/AAAA records of apex.example.com") {
		t.Errorf("fix %q", c.Fix)
	}
	if !slices.Equal(c.Chain, []string{"apex.example.com"}) {
		t.Errorf("chain %q", c.Chain)
	}

	c = CheckDomain(t.Context(), r, "empty.example.com", albName)
	if c.Verdict != VerdictNoRecord || len(c.Addrs) != 0 {
		t.Fatalf("got %v %q, want no-cname-record without addresses", c.Verdict, c.Addrs)
	}
	if want := "add a CNAME record: empty.example.com CNAME " + albName; c.Fix != want {
		t.Errorf("fix %q, want %q", c.Fix, want)
	}
	if !strings.Contains(c.Detail, "no A or AAAA record either") {
		t.Errorf("detail %q", c.Detail)
	}
}

func TestCheckDomainNXDomainFirstHop(t *testing.T) {
	_, r := newZone(t)
	c := CheckDomain(t.Context(), r, "missing.example.com", albName)
	if c.Verdict != VerdictNXDomain {
		t.Fatalf("verdict %v, want nxdomain: %s", c.Verdict, c)
	}
	if !slices.Equal(c.Chain, []string{"missing.example.com"}) {
		t.Errorf("chain %q", c.Chain)
	}
	if !errors.Is(c.Cause, ErrNXDomain) || !errors.Is(c.Err(), ErrNXDomain) || !errors.Is(c.Err(), ErrDomainCheck) {
		t.Errorf("cause %v / err %v do not match ErrNXDomain and ErrDomainCheck", c.Cause, c.Err())
	}
	var qe *QueryError
	if !errors.As(c.Err(), &qe) || qe.RCode != "NXDOMAIN" || qe.Name != "missing.example.com" || qe.Type != "CNAME" || qe.Server != r.Server {
		t.Errorf("query error %#v", qe)
	}
	var de *DomainError
	if !errors.As(c.Err(), &de) || de.Check.Verdict != VerdictNXDomain {
		t.Errorf("Err() is not a *DomainError with the verdict: %v", c.Err())
	}
	if want := "add a CNAME record: missing.example.com CNAME " + albName; c.Fix != want {
		t.Errorf("fix %q, want %q", c.Fix, want)
	}
	if c.BlocksRelease() {
		t.Error("a domain that does not exist must not block the release")
	}
}

func TestCheckDomainNXDomainLaterHop(t *testing.T) {
	_, r := newZone(t)
	c := CheckDomain(t.Context(), r, "broken.example.com", albName)
	if c.Verdict != VerdictNXDomain {
		t.Fatalf("verdict %v, want nxdomain: %s", c.Verdict, c)
	}
	if want := []string{"broken.example.com", "gone.example.net"}; !slices.Equal(c.Chain, want) {
		t.Errorf("chain %q, want %q", c.Chain, want)
	}
	if want := "gone.example.net, the target of broken.example.com, does not exist"; !strings.Contains(c.Detail, want) {
		t.Errorf("detail %q does not contain %q", c.Detail, want)
	}
	if !strings.HasPrefix(c.Fix, "point broken.example.com at the instance") {
		t.Errorf("fix %q", c.Fix)
	}
}

func TestCheckDomainLoop(t *testing.T) {
	_, r := newZone(t)
	c := CheckDomain(t.Context(), r, "loop-a.example.com", albName)
	want := []string{"loop-a.example.com", "loop-b.example.com", "loop-a.example.com"}
	if c.Verdict != VerdictLoop || !slices.Equal(c.Chain, want) {
		t.Fatalf("got %v %q, want cname-loop %q", c.Verdict, c.Chain, want)
	}
	if !strings.Contains(c.Detail, "loops: loop-a.example.com -> loop-b.example.com -> loop-a.example.com") {
		t.Errorf("detail %q does not show the loop", c.Detail)
	}
	c = CheckDomain(t.Context(), r, "self.example.com", albName)
	if c.Verdict != VerdictLoop || !slices.Equal(c.Chain, []string{"self.example.com", "self.example.com"}) {
		t.Fatalf("self loop: got %v %q", c.Verdict, c.Chain)
	}
	if c.BlocksRelease() {
		t.Error("a looping domain resolves nowhere and must not block the release")
	}
}

func TestCheckDomainTooLong(t *testing.T) {
	_, r := newZone(t)
	// long12 -> ... -> long20 -> alb: 9 records, one more than the default.
	c := CheckDomain(t.Context(), r, "long12.example.com", albName)
	if c.Verdict != VerdictTooLong {
		t.Fatalf("verdict %v, want cname-chain-too-long: %s", c.Verdict, c)
	}
	if len(c.Chain) != DefaultMaxCNAMEHops+1 || c.Chain[len(c.Chain)-1] != "long20.example.com" {
		t.Errorf("chain %q, want the %d names up to long20", c.Chain, DefaultMaxCNAMEHops+1)
	}
	if !strings.Contains(c.Detail, "more CNAME records than the limit of 8") || !strings.Contains(c.Detail, "further CNAME record for "+albName) {
		t.Errorf("detail %q", c.Detail)
	}
	if !c.BlocksRelease() {
		t.Error("a too-long chain may still reach the instance and must block the release")
	}
	// long13 -> ... -> alb: exactly 8 records.
	if c := CheckDomain(t.Context(), r, "long13.example.com", albName); c.Verdict != VerdictOK || len(c.Chain) != 9 {
		t.Errorf("8 records: got %v with %d names, want ok", c.Verdict, len(c.Chain))
	}
	if c := CheckDomain(t.Context(), r, "long0.example.com", albName, WithMaxHops(21)); c.Verdict != VerdictOK || len(c.Chain) != 22 {
		t.Errorf("WithMaxHops(21): got %v with %d names, want ok with 22", c.Verdict, len(c.Chain))
	}
	if c := CheckDomain(t.Context(), r, "long18.example.com", albName, WithMaxHops(2)); c.Verdict != VerdictTooLong || len(c.Chain) != 3 {
		t.Errorf("WithMaxHops(2): got %v with %d names, want cname-chain-too-long with 3", c.Verdict, len(c.Chain))
	}
}

func TestCheckDomainServerFailures(t *testing.T) {
	_, r := newZone(t)
	for _, tc := range []struct {
		domain, rcode string
		chain         []string
	}{
		{"servfail.example.com", "SERVFAIL", []string{"servfail.example.com"}},
		{"refused.example.com", "REFUSED", []string{"refused.example.com"}},
		{"via-fail.example.com", "SERVFAIL", []string{"via-fail.example.com", "servfail.example.com"}},
	} {
		c := CheckDomain(t.Context(), r, tc.domain, albName)
		if c.Verdict != VerdictResolverFailure {
			t.Errorf("%s: verdict %v, want resolver-failure", tc.domain, c.Verdict)
			continue
		}
		var qe *QueryError
		if !errors.As(c.Cause, &qe) || qe.RCode != tc.rcode || qe.Timeout() {
			t.Errorf("%s: cause %v, want a %s QueryError", tc.domain, c.Cause, tc.rcode)
		}
		if !slices.Equal(c.Chain, tc.chain) {
			t.Errorf("%s: chain %q, want %q", tc.domain, c.Chain, tc.chain)
		}
		if !strings.Contains(c.Detail, "server answered "+tc.rcode) {
			t.Errorf("%s: detail %q", tc.domain, c.Detail)
		}
		if !c.BlocksRelease() {
			t.Errorf("%s: a failed check must block the release", tc.domain)
		}
	}
}

// silentServer returns a bound UDP socket that never answers.
func silentServer(t *testing.T) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

func TestCheckDomainTimeout(t *testing.T) {
	pc := silentServer(t)
	r := NewDNSResolver(pc.LocalAddr().String())
	r.Timeout = 30 * time.Millisecond
	r.Attempts = 2
	c := CheckDomain(t.Context(), r, "www.example.com", albName)
	if c.Verdict != VerdictResolverFailure {
		t.Fatalf("verdict %v, want resolver-failure: %s", c.Verdict, c)
	}
	var qe *QueryError
	if !errors.As(c.Cause, &qe) || !qe.Timeout() || qe.RCode != "" {
		t.Errorf("cause %v, want a timed-out QueryError", c.Cause)
	}
	// Both attempts reached the server (they are queued in the socket).
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	for i := range 2 {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("attempt %d did not arrive: %v", i+1, err)
		}
		var m dns.Msg
		if err := m.Unpack(buf[:n]); err != nil || len(m.Question) != 1 || m.Question[0].Name != "www.example.com." || m.Question[0].Qtype != dns.TypeCNAME || !m.RecursionDesired {
			t.Errorf("attempt %d: query %v (%v)", i+1, m.Question, err)
		}
	}
}

func TestDNSResolverContextDeadline(t *testing.T) {
	pc := silentServer(t)
	r := NewDNSResolver(pc.LocalAddr().String())
	r.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, _, err := r.LookupCNAME(ctx, "www.example.com")
	var qe *QueryError
	if !errors.As(err, &qe) || !qe.Timeout() {
		t.Fatalf("err %v, want a timed-out QueryError", err)
	}
}

func TestCheckDomainContextCancelled(t *testing.T) {
	pc := silentServer(t)
	r := NewDNSResolver(pc.LocalAddr().String())
	r.Timeout, r.Attempts = 10*time.Second, 1 // only the cancellation ends the wait this early
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		buf := make([]byte, 512)
		if _, _, err := pc.ReadFrom(buf); err == nil {
			cancel() // the question is in flight: cancel it
		}
	}()
	c := CheckDomain(ctx, r, "www.example.com", albName)
	if c.Verdict != VerdictResolverFailure || !errors.Is(c.Cause, context.Canceled) {
		t.Fatalf("got %v, cause %v; want resolver-failure caused by context.Canceled", c.Verdict, c.Cause)
	}

	// A context cancelled before the check sends nothing.
	z, r := newZone(t)
	done, cancel2 := context.WithCancel(t.Context())
	cancel2()
	c = CheckDomain(done, r, "www.example.com", albName)
	if c.Verdict != VerdictResolverFailure || !errors.Is(c.Err(), context.Canceled) {
		t.Fatalf("pre-cancelled: got %v, err %v", c.Verdict, c.Err())
	}
	if n := z.udp.Load() + z.tcp.Load(); n != 0 {
		t.Errorf("pre-cancelled check sent %d questions", n)
	}
}

func TestCheckDomainTruncatedFallsBackToTCP(t *testing.T) {
	z, r := newZone(t)
	c := CheckDomain(t.Context(), r, "tc.example.com", albName)
	if c.Verdict != VerdictOK {
		t.Fatalf("verdict %v, want ok through TCP: %s", c.Verdict, c)
	}
	if z.tcp.Load() != 1 {
		t.Errorf("%d TCP questions, want 1", z.tcp.Load())
	}
	addrs, err := r.LookupHost(t.Context(), "big.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) != 100 || addrs[0] != "10.0.0.1" || addrs[99] != "10.0.0.100" {
		t.Errorf("got %d addresses %q..., want the 100 of the TCP answer", len(addrs), addrs[:min(3, len(addrs))])
	}
	if z.tcp.Load() != 3 { // A and AAAA of big.example.com
		t.Errorf("%d TCP questions, want 3", z.tcp.Load())
	}
}

func TestCheckDomainCaseAndTrailingDot(t *testing.T) {
	_, r := newZone(t, func(z *testZone) { z.upper = true }) // the server echoes the question upper-cased
	for _, tc := range []struct{ domain, target string }{
		{"WWW.Example.COM.", "ALB-abc123.cn-hangzhou.alb.example.net."},
		{"www.example.com", strings.ToUpper(albName)},
		{"mixed.example.com", albName + "."}, // the record's target is mixed-case
	} {
		c := CheckDomain(t.Context(), r, tc.domain, tc.target)
		if c.Verdict != VerdictOK {
			t.Errorf("%s -> %s: verdict %v, want ok: %s", tc.domain, tc.target, c.Verdict, c)
			continue
		}
		if c.Domain != strings.ToLower(strings.TrimSuffix(tc.domain, ".")) || c.Chain[len(c.Chain)-1] != albName || c.Target != albName {
			t.Errorf("%s: names not canonical: domain %q target %q chain %q", tc.domain, c.Domain, c.Target, c.Chain)
		}
	}
}

func TestCheckDomainInvalidNames(t *testing.T) {
	_, r := newZone(t)
	for _, tc := range []struct{ domain, target, want string }{
		{"", albName, "is empty"},
		{"https://www.example.com/", albName, `contains the character ':'`},
		{"www..example.com", albName, "empty label"},
		{"www.example.com", "", "instance DNS name"},
		{"www.example\x1b[31m.com", albName, `'\x1b'`},
		{strings.Repeat("a", 64) + ".com", albName, "longer than 63"},
		{albName + ".", strings.ToUpper(albName), "instance's own DNS name"},
	} {
		c := CheckDomain(t.Context(), r, tc.domain, tc.target)
		if c.Verdict != VerdictInvalidName || !strings.Contains(c.Detail, tc.want) || len(c.Chain) != 0 {
			t.Errorf("%q -> %q: got %v %q, want invalid-name containing %q", tc.domain, tc.target, c.Verdict, c.Detail, tc.want)
		}
		if strings.ContainsRune(c.String(), 0x1b) {
			t.Errorf("%q: String() lets a control character through: %q", tc.domain, c.String())
		}
		if !c.BlocksRelease() {
			t.Errorf("%q: an unchecked name must block the release", tc.domain)
		}
	}
	if c := CheckDomain(t.Context(), r, "*.example.com", albName); c.Verdict != VerdictNXDomain {
		t.Errorf("a wildcard label is a valid name: got %v", c.Verdict)
	}
}

// TestDNSResolverIgnoresForgedAnswers answers each question first with a
// forged answer (wrong ID), an answer to another question and a query
// (not a response), then the real answer: only the real one counts.
func TestDNSResolverIgnoresForgedAnswers(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	wg.Go(func() {
		buf := make([]byte, 512)
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var req dns.Msg
		if req.Unpack(buf[:n]) != nil {
			return
		}
		answer := func(target string, edit func(*dns.Msg)) {
			m := new(dns.Msg)
			m.SetReply(&req)
			m.Answer = []dns.RR{&dns.CNAME{Hdr: dns.RR_Header{Name: req.Question[0].Name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: target}}
			edit(m)
			b, _ := m.Pack()
			pc.WriteTo(b, from)
		}
		answer("evil1.example.", func(m *dns.Msg) { m.Id ^= 0x5a5a })
		answer("evil2.example.", func(m *dns.Msg) { m.Question[0].Name = "other.example.com." })
		answer("evil3.example.", func(m *dns.Msg) { m.Question[0].Qtype = dns.TypeA })
		answer("evil4.example.", func(m *dns.Msg) { m.Response = false })
		pc.WriteTo([]byte{0xde, 0xad}, from) // garbage
		answer(albName+".", func(*dns.Msg) {})
	})
	r := NewDNSResolver(pc.LocalAddr().String())
	r.Timeout = 10 * time.Second
	target, found, err := r.LookupCNAME(t.Context(), "www.example.com")
	if err != nil || !found || target != albName {
		t.Fatalf("got %q %v %v, want the genuine answer %q", target, found, err, albName)
	}

	// Only forged answers: the question times out.
	pc2 := silentServer(t)
	wg.Go(func() {
		buf := make([]byte, 512)
		n, from, err := pc2.ReadFrom(buf)
		if err != nil {
			return
		}
		var req dns.Msg
		if req.Unpack(buf[:n]) != nil {
			return
		}
		m := new(dns.Msg)
		m.SetReply(&req)
		m.Id ^= 1
		m.Answer = []dns.RR{&dns.CNAME{Hdr: dns.RR_Header{Name: req.Question[0].Name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: "evil.example."}}
		b, _ := m.Pack()
		pc2.WriteTo(b, from)
	})
	r2 := NewDNSResolver(pc2.LocalAddr().String())
	r2.Timeout, r2.Attempts = 50*time.Millisecond, 1
	_, _, err = r2.LookupCNAME(t.Context(), "www.example.com")
	var qe *QueryError
	if !errors.As(err, &qe) || !qe.Timeout() {
		t.Fatalf("err %v, want a timeout: the forged answer must not be taken", err)
	}
}

func TestDNSResolverLookups(t *testing.T) {
	_, r := newZone(t)
	ctx := t.Context()
	if target, found, err := r.LookupCNAME(ctx, "apex.example.com"); err != nil || found || target != "" {
		t.Errorf("LookupCNAME(apex) = %q %v %v, want not found", target, found, err)
	}
	if target, found, err := r.LookupCNAME(ctx, "WWW.example.com."); err != nil || !found || target != albName {
		t.Errorf("LookupCNAME(www) = %q %v %v", target, found, err)
	}
	if addrs, err := r.LookupHost(ctx, "apex.example.com"); err != nil || !slices.Equal(addrs, []string{"192.0.2.1", "2001:db8::1"}) {
		t.Errorf("LookupHost(apex) = %q %v", addrs, err)
	}
	if addrs, err := r.LookupHost(ctx, "empty.example.com"); err != nil || len(addrs) != 0 {
		t.Errorf("LookupHost(empty) = %q %v", addrs, err)
	}
	if _, err := r.LookupHost(ctx, "missing.example.com"); !errors.Is(err, ErrNXDomain) {
		t.Errorf("LookupHost(missing) err %v, want ErrNXDomain", err)
	}
	var qe *QueryError
	if _, err := r.LookupHost(ctx, "refused.example.com"); !errors.As(err, &qe) || qe.RCode != "REFUSED" || qe.Type != "A" {
		t.Errorf("LookupHost(refused) err %v", err)
	}
}

func TestDNSResolverServerAddress(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"10.0.0.2:5353", "10.0.0.2:5353"},
		{"10.0.0.2", "10.0.0.2:53"},
		{"2001:db8::1", "[2001:db8::1]:53"},
		{"[2001:db8::1]", "[2001:db8::1]:53"},
		{"[2001:db8::1]:54", "[2001:db8::1]:54"},
	} {
		if got, err := (&DNSResolver{Server: tc.in}).server(); err != nil || got != tc.want {
			t.Errorf("server(%q) = %q %v, want %q", tc.in, got, err, tc.want)
		}
	}
	conf := "# comment\nsearch example.com\noptions ndots:2\nnameserver 10.255.255.53\nnameserver 8.8.8.8\n"
	if got := firstNameserver(strings.NewReader(conf)); got != "10.255.255.53" {
		t.Errorf("firstNameserver = %q", got)
	}
	if got := firstNameserver(strings.NewReader("search x\n")); got != "" {
		t.Errorf("firstNameserver without nameserver = %q", got)
	}
}

func TestCheckDomainConcurrent(t *testing.T) {
	_, r := newZone(t)
	want := map[string]Verdict{
		"www.example.com": VerdictOK, "shop.example.com": VerdictOK, "old.example.com": VerdictElsewhere,
		"apex.example.com": VerdictNoRecord, "loop-a.example.com": VerdictLoop, "missing.example.com": VerdictNXDomain,
		"tc.example.com": VerdictOK, "servfail.example.com": VerdictResolverFailure,
	}
	var wg sync.WaitGroup
	for domain, v := range want {
		wg.Go(func() {
			if c := CheckDomain(t.Context(), r, domain, albName); c.Verdict != v {
				t.Errorf("%s: verdict %v, want %v", domain, c.Verdict, v)
			}
		})
	}
	wg.Wait()
}

func TestDomainCheckString(t *testing.T) {
	_, r := newZone(t)
	got := CheckDomain(t.Context(), r, "old.example.com", albName).String()
	want := "old.example.com: points-elsewhere: old.example.com resolves through its CNAME chain to old-lb.example.net, not to " + albName + "; it has the addresses 192.0.2.10\n" +
		"  chain: old.example.com -> old-lb.example.net\n" +
		"  fix: point old.example.com at the instance: old.example.com CNAME " + albName
	if got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if got := CheckDomain(t.Context(), r, "www.example.com", albName).String(); got != "www.example.com: ok: www.example.com reaches "+albName+" through 1 CNAME record(s)\n  chain: www.example.com -> "+albName {
		t.Errorf("String() of ok = %q", got)
	}
	err := CheckDomain(t.Context(), r, "old.example.com", albName).Err()
	if want := "network: domain old.example.com: points-elsewhere: old.example.com resolves"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Err() = %q, want prefix %q", err, want)
	}
	for v := VerdictUnknown; v <= VerdictInvalidName+1; v++ {
		if s := v.String(); s == "" || strings.ContainsAny(s, " _") {
			t.Errorf("Verdict(%d).String() = %q", int(v), s)
		}
	}
}

// mapResolver is an in-memory Resolver for the fuzz test: it counts the
// questions it gets.
type mapResolver struct {
	cname map[string]string // owner -> target
	nx    map[string]bool
	fail  map[string]bool
	addrs map[string][]string
	calls int
}

func (m *mapResolver) LookupCNAME(_ context.Context, name string) (string, bool, error) {
	m.calls++
	switch {
	case m.fail[name]:
		return "", false, errors.New("resolver failure")
	case m.nx[name]:
		return "", false, fmt.Errorf("%s: %w", name, ErrNXDomain)
	case strings.Contains(name, "inf"):
		return "x." + name, true, nil // an endless chain of distinct names
	}
	t, ok := m.cname[name]
	return t, ok, nil
}

func (m *mapResolver) LookupHost(_ context.Context, name string) ([]string, error) {
	if m.fail[name+"/host"] {
		return nil, errors.New("host lookup failure")
	}
	return m.addrs[name], nil
}

// parseFuzzZone reads lines "owner target" (a CNAME record), "owner !nx",
// "owner !fail" and "owner =address".
func parseFuzzZone(zone string) *mapResolver {
	m := &mapResolver{cname: map[string]string{}, nx: map[string]bool{}, fail: map[string]bool{}, addrs: map[string][]string{}}
	for line := range strings.SplitSeq(zone, "\n") {
		owner, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		switch {
		case rest == "!nx":
			m.nx[owner] = true
		case rest == "!fail":
			m.fail[owner] = true
		case strings.HasPrefix(rest, "="):
			m.addrs[owner] = append(m.addrs[owner], rest[1:])
		default:
			m.cname[owner] = rest
		}
	}
	return m
}

// FuzzCheckCNAME walks arbitrary zones: the walk never panics, ends within
// the hop bound, and its result is consistent.
func FuzzCheckCNAME(f *testing.F) {
	f.Add("www.example.com", "alb.example.net", "www.example.com alb.example.net.", 8)
	f.Add("a.example", "t.example", "a.example b.example\nb.example a.example", 8)
	f.Add("inf.example", "t.example", "", 100)
	f.Add("a.example", "t.example", "a.example B.Example.\nb.example !nx", 3)
	f.Add("a.example", "t.example", "a.example =192.0.2.1\na.example =\x1b[31m", 0)
	f.Fuzz(func(t *testing.T, domain, target, zone string, maxHops int) {
		m := parseFuzzZone(zone)
		c := CheckDomain(context.Background(), m, domain, target, WithMaxHops(maxHops))
		hops := maxHops
		if hops < 1 {
			hops = DefaultMaxCNAMEHops
		}
		hops = min(hops, MaxCNAMEHopsLimit)
		if c.Verdict <= VerdictUnknown || c.Verdict > VerdictInvalidName {
			t.Fatalf("verdict %v", c.Verdict)
		}
		if m.calls > hops+1 || len(c.Chain) > hops+1 {
			t.Fatalf("%d lookups, %d names for a bound of %d", m.calls, len(c.Chain), hops)
		}
		if c.Detail == "" {
			t.Fatal("empty detail")
		}
		if s := c.String(); strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }) {
			t.Fatalf("String() has a control character: %q", s)
		}
		if c.OK() != (c.Err() == nil) || c.OK() != (c.Fix == "") {
			t.Fatalf("ok %v, err %v, fix %q", c.OK(), c.Err(), c.Fix)
		}
		if c.Err() != nil && !errors.Is(c.Err(), ErrDomainCheck) {
			t.Fatalf("Err() %v does not match ErrDomainCheck", c.Err())
		}
		if c.Verdict == VerdictInvalidName {
			if len(c.Chain) != 0 || m.calls != 0 {
				t.Fatalf("invalid name with chain %q after %d lookups", c.Chain, m.calls)
			}
			return
		}
		if len(c.Chain) == 0 || c.Chain[0] != c.Domain || c.Domain != strings.ToLower(strings.TrimSuffix(domain, ".")) {
			t.Fatalf("chain %q does not start at the domain %q", c.Chain, c.Domain)
		}
		for i, n := range c.Chain {
			if n != strings.ToLower(n) || strings.HasSuffix(n, ".") {
				t.Fatalf("chain name %q is not canonical", n)
			}
			if i > 0 && canonicalName(m.cname[c.Chain[i-1]]) != n && "x."+c.Chain[i-1] != n {
				t.Fatalf("chain step %q -> %q is not a record of the zone", c.Chain[i-1], n)
			}
			if i < len(c.Chain)-1 && (n == c.Target || slices.Contains(c.Chain[:i], n)) {
				t.Fatalf("chain %q goes on after the target or a repeated name", c.Chain)
			}
		}
		last := c.Chain[len(c.Chain)-1]
		switch c.Verdict {
		case VerdictOK:
			if last != c.Target {
				t.Fatalf("ok chain %q does not end at %q", c.Chain, c.Target)
			}
		case VerdictLoop:
			if !slices.Contains(c.Chain[:len(c.Chain)-1], last) {
				t.Fatalf("loop chain %q repeats no name", c.Chain)
			}
		case VerdictNXDomain:
			if !errors.Is(c.Cause, ErrNXDomain) {
				t.Fatalf("nxdomain cause %v", c.Cause)
			}
		case VerdictResolverFailure:
			if c.Cause == nil {
				t.Fatal("resolver failure without a cause")
			}
		case VerdictTooLong:
			if len(c.Chain) != hops+1 {
				t.Fatalf("too long after %d names, bound %d", len(c.Chain), hops)
			}
		}
	})
}
