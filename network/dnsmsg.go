package network

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// Defaults of a DNSResolver.
const (
	DefaultDNSTimeout  = 2 * time.Second    // per attempt
	DefaultDNSAttempts = 2                  // UDP attempts per question before giving up
	ResolvConfPath     = "/etc/resolv.conf" // where NewDNSResolver("") finds its server
)

// maxDNSMessage is the largest DNS message (the TCP length prefix is 16 bits).
const maxDNSMessage = 65535

// ErrNXDomain reports that a name does not exist (response code NXDOMAIN).
// A *QueryError wraps it.
var ErrNXDomain = errors.New("name does not exist (NXDOMAIN)")

// ErrNoNameserver reports that NewDNSResolver("") found no nameserver line
// in ResolvConfPath. A *QueryError wraps it.
var ErrNoNameserver = errors.New("no nameserver in " + ResolvConfPath)

// QueryError is a DNS question that got no usable answer: the name does not
// exist (Err wraps ErrNXDomain), the server answered with a failure code
// (RCode is set, for example "SERVFAIL" or "REFUSED"), or the exchange
// failed (Err is the network, timeout, context or parse error).
type QueryError struct {
	Name   string // the name asked about, without the trailing dot
	Type   string // the record type asked for: "CNAME", "A" or "AAAA"
	Server string // host:port of the server asked; empty when none could be chosen
	RCode  string // response code of a failed answer ("NXDOMAIN", "SERVFAIL", "REFUSED", ...); empty when there was no answer
	Err    error  // the cause; nil for a failure response code other than NXDOMAIN
}

// Error names the question, the server and what went wrong.
func (e *QueryError) Error() string {
	s := "dns: " + e.Type + " " + e.Name
	if e.Server != "" {
		s += " at " + e.Server
	}
	switch {
	case e.RCode != "" && e.Err != nil:
		return s + ": " + e.Err.Error()
	case e.RCode != "":
		return s + ": server answered " + e.RCode
	case e.Err != nil:
		return s + ": " + e.Err.Error()
	}
	return s + ": failed"
}

// Unwrap returns the cause.
func (e *QueryError) Unwrap() error { return e.Err }

// Timeout reports whether the question timed out (the attempt timeout or
// the context deadline).
func (e *QueryError) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// DNSResolver is the default Resolver: a stub resolver that sends one
// question per call to a recursive DNS server, itself, with
// golang.org/x/net/dns/dnsmessage. Unlike the standard library's resolver it
// does not follow CNAME chains, so CheckDomain sees every hop.
//
// Each question goes over UDP from a fresh socket with a random 16-bit ID;
// an answer whose ID, flags or question do not match is ignored, as an
// off-path spoofing attempt would be. An answer with the TC (truncated) bit
// is asked again over TCP. An attempt that gets no answer within Timeout is
// retried, up to Attempts times. Recursion is requested (RD); EDNS(0) is not
// used, so UDP answers are at most 512 bytes and anything larger goes over
// TCP.
//
// Set the fields before the first use; a DNSResolver is safe for concurrent
// use as long as they do not change.
type DNSResolver struct {
	// Server is the host:port of a recursive DNS server ("10.0.0.2:53",
	// "[2001:db8::1]:53"); a bare host gets port 53. Empty means the first
	// nameserver of ResolvConfPath, read at every question.
	Server string
	// Timeout bounds one attempt; zero means DefaultDNSTimeout. The
	// context's deadline, when earlier, wins.
	Timeout time.Duration
	// Attempts is the number of UDP attempts per question; zero means
	// DefaultDNSAttempts.
	Attempts int
}

// NewDNSResolver returns a DNSResolver that asks server (host:port; empty
// means the first nameserver of /etc/resolv.conf) with the default timeout
// and attempts.
func NewDNSResolver(server string) *DNSResolver {
	return &DNSResolver{Server: server, Timeout: DefaultDNSTimeout, Attempts: DefaultDNSAttempts}
}

// LookupCNAME asks for the CNAME record of name and returns its target
// without the trailing dot. found is false when the server answers without
// a CNAME record for name (the name exists, with other records or none).
func (r *DNSResolver) LookupCNAME(ctx context.Context, name string) (target string, found bool, err error) {
	name = canonicalName(name)
	var out string
	err = r.query(ctx, name, dnsmessage.TypeCNAME, func(p *dnsmessage.Parser, h dnsmessage.ResourceHeader) error {
		if h.Type != dnsmessage.TypeCNAME || out != "" || !strings.EqualFold(canonicalName(h.Name.String()), name) {
			return p.SkipAnswer()
		}
		rr, err := p.CNAMEResource()
		if err != nil {
			return err
		}
		out = canonicalName(rr.CNAME.String())
		return nil
	})
	if err != nil {
		return "", false, err
	}
	return out, out != "", nil
}

// LookupHost returns the IPv4 addresses and then the IPv6 addresses in the
// answers to an A and an AAAA question about name. A name with neither has
// none and no error.
func (r *DNSResolver) LookupHost(ctx context.Context, name string) ([]string, error) {
	name = canonicalName(name)
	var addrs []string
	for _, t := range []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA} {
		err := r.query(ctx, name, t, func(p *dnsmessage.Parser, h dnsmessage.ResourceHeader) error {
			switch {
			case h.Type == dnsmessage.TypeA && t == dnsmessage.TypeA:
				rr, err := p.AResource()
				if err != nil {
					return err
				}
				addrs = append(addrs, net.IP(rr.A[:]).String())
			case h.Type == dnsmessage.TypeAAAA && t == dnsmessage.TypeAAAA:
				rr, err := p.AAAAResource()
				if err != nil {
					return err
				}
				addrs = append(addrs, net.IP(rr.AAAA[:]).String())
			default:
				return p.SkipAnswer()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

// query asks one question and hands every answer record to each; it maps the
// response code to an error.
func (r *DNSResolver) query(ctx context.Context, name string, qtype dnsmessage.Type, each func(*dnsmessage.Parser, dnsmessage.ResourceHeader) error) error {
	qerr := &QueryError{Name: name, Type: typeName(qtype)}
	server, err := r.server()
	if err != nil {
		qerr.Err = err
		return qerr
	}
	qerr.Server = server
	qname, err := dnsmessage.NewName(name + ".")
	if err != nil || name == "" {
		qerr.Err = fmt.Errorf("invalid name %q", name)
		return qerr
	}
	q := dnsmessage.Question{Name: qname, Type: qtype, Class: dnsmessage.ClassINET}
	resp, err := r.exchange(ctx, server, q)
	if err != nil {
		qerr.Err = err
		return qerr
	}
	var p dnsmessage.Parser
	h, err := p.Start(resp)
	if err == nil {
		err = p.SkipAllQuestions()
	}
	if err != nil {
		qerr.Err = fmt.Errorf("malformed answer: %w", err)
		return qerr
	}
	switch h.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		qerr.RCode, qerr.Err = rcodeName(h.RCode), ErrNXDomain
		return qerr
	default:
		qerr.RCode = rcodeName(h.RCode)
		return qerr
	}
	for {
		ah, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return nil
		}
		if err == nil {
			err = each(&p, ah)
		}
		if err != nil {
			qerr.Err = fmt.Errorf("malformed answer: %w", err)
			return qerr
		}
	}
}

// server returns the host:port to ask.
func (r *DNSResolver) server() (string, error) {
	s := r.Server
	if s == "" {
		f, err := os.Open(ResolvConfPath)
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrNoNameserver, err)
		}
		defer f.Close()
		s = firstNameserver(f)
		if s == "" {
			return "", ErrNoNameserver
		}
	}
	if _, _, err := net.SplitHostPort(s); err != nil {
		s = net.JoinHostPort(strings.Trim(s, "[]"), "53")
	}
	return s, nil
}

// firstNameserver returns the address of the first "nameserver" line of a
// resolv.conf, or "".
func firstNameserver(rd io.Reader) string {
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "nameserver" {
			return f[1]
		}
	}
	return ""
}

// exchange sends q and returns the raw answer: over UDP, attempt after
// attempt, then over TCP when the UDP answer is truncated.
func (r *DNSResolver) exchange(ctx context.Context, server string, q dnsmessage.Question) ([]byte, error) {
	attempts := r.Attempts
	if attempts <= 0 {
		attempts = DefaultDNSAttempts
	}
	var err error
	for range attempts {
		var resp []byte
		var truncated bool
		resp, truncated, err = r.attempt(ctx, "udp", server, q)
		if err == nil && truncated {
			resp, _, err = r.attempt(ctx, "tcp", server, q)
		}
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return nil, err
		}
	}
	return nil, err
}

// attempt sends q once over network ("udp" or "tcp") and waits for the
// matching answer until the attempt's deadline.
func (r *DNSResolver) attempt(ctx context.Context, network, server string, q dnsmessage.Question) (resp []byte, truncated bool, err error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultDNSTimeout
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var id [2]byte
	rand.Read(id[:])
	query, err := buildQuery(binary.BigEndian.Uint16(id[:]), q)
	if err != nil {
		return nil, false, err
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, network, server)
	if err != nil {
		return nil, false, ctxErr(ctx, err)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	// A cancelled context unblocks the read at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if network == "tcp" {
		msg := make([]byte, 2+len(query))
		binary.BigEndian.PutUint16(msg, uint16(len(query)))
		copy(msg[2:], query)
		if _, err := conn.Write(msg); err != nil {
			return nil, false, ctxErr(ctx, err)
		}
		var n [2]byte
		if _, err := io.ReadFull(conn, n[:]); err != nil {
			return nil, false, ctxErr(ctx, err)
		}
		buf := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(conn, buf); err != nil {
			return nil, false, ctxErr(ctx, err)
		}
		tc, err := matches(buf, binary.BigEndian.Uint16(id[:]), q)
		if err != nil {
			// On TCP the connection is ours alone: a mismatch is a broken server.
			return nil, false, err
		}
		return buf, tc, nil
	}

	if _, err := conn.Write(query); err != nil {
		return nil, false, ctxErr(ctx, err)
	}
	buf := make([]byte, maxDNSMessage)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, false, ctxErr(ctx, err)
		}
		tc, err := matches(buf[:n], binary.BigEndian.Uint16(id[:]), q)
		if err != nil {
			continue // not the answer to this question: keep waiting for it
		}
		return buf[:n:n], tc, nil
	}
}

// ctxErr prefers the context's error, so a cancelled question says so.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// buildQuery packs a recursive query for q with the given ID.
func buildQuery(id uint16, q dnsmessage.Question) ([]byte, error) {
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), dnsmessage.Header{ID: id, RecursionDesired: true})
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	return b.Finish()
}

// errMismatch reports an answer that is not the answer to the question asked.
var errMismatch = errors.New("answer does not match the question")

// matches checks that msg is a response with the given ID to exactly the
// question q (names compared case-insensitively), and reports its TC bit.
func matches(msg []byte, id uint16, q dnsmessage.Question) (truncated bool, err error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return false, fmt.Errorf("malformed answer: %w", err)
	}
	if !h.Response || h.ID != id || h.OpCode != 0 {
		return false, errMismatch
	}
	got, err := p.AllQuestions()
	if err != nil {
		return false, fmt.Errorf("malformed answer: %w", err)
	}
	if len(got) != 1 || got[0].Type != q.Type || got[0].Class != q.Class ||
		!strings.EqualFold(got[0].Name.String(), q.Name.String()) {
		return false, errMismatch
	}
	return h.Truncated, nil
}

func typeName(t dnsmessage.Type) string {
	switch t {
	case dnsmessage.TypeCNAME:
		return "CNAME"
	case dnsmessage.TypeA:
		return "A"
	case dnsmessage.TypeAAAA:
		return "AAAA"
	}
	return t.String()
}

// rcodeName returns the conventional mnemonic of a response code.
func rcodeName(c dnsmessage.RCode) string {
	switch c {
	case dnsmessage.RCodeFormatError:
		return "FORMERR"
	case dnsmessage.RCodeServerFailure:
		return "SERVFAIL"
	case dnsmessage.RCodeNameError:
		return "NXDOMAIN"
	case dnsmessage.RCodeNotImplemented:
		return "NOTIMP"
	case dnsmessage.RCodeRefused:
		return "REFUSED"
	}
	return fmt.Sprintf("RCODE%d", int(c))
}
