package albtest

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // the client-certificate fingerprint header, not a security use
	"encoding/hex"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/albkit/albkit/routing"
)

// A request on a listener's port is decided by the routing package (the
// same code as the client's checks) against the listener's rules as the
// control plane has them now, and the actions are carried out in the
// reference's order: the traffic limit (routing.TrafficLimitedStatus over
// it), CORS (a preflight is answered here), then the final action: a
// redirect or a fixed response is answered here; a forward goes to a member
// of a server group (dataplane_balance.go) through
// net/http/httputil.ReverseProxy, with the Rewrite, the inserted and
// removed headers and the X-Forwarded-* headers the listener configures,
// a copy to each mirror group, and the Response rules applied to the
// answer. The clients and the backends see the listener's configured port
// and protocol, not the local port: a Host header naming the local port
// names the listener's port instead (none for 80 on HTTP and 443 on HTTPS),
// as do X-Forwarded-Port and redirects.
//
// Answers made by the data plane itself carry X-Albtest-Reason saying why:
// no-member (503: the group has no member of weight > 0), traffic-limited,
// request-timeout (504: no answer within the listener's RequestTimeout on
// the server clock), connection-refused and bad-gateway (502: the backend
// could not be reached or broke the connection), drained (502: the member
// was removed or found unhealthy and connection draining did not cover
// the request), unreachable (502: an Instance member whose private address
// is not mapped, see World.BackendAddresses), function-compute (502: Fc
// groups are not emulated), cors-origin (403: a preflight from an origin
// the rule does not allow, GUESS) and listener-unavailable (503).

var discardLog = log.New(io.Discard, "", 0)

// dpAnswer answers a request from the data plane itself.
func dpAnswer(w http.ResponseWriter, code int, reason string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Albtest-Reason", reason)
	h.Set("Content-Length", strconv.Itoa(len(http.StatusText(code))+5))
	w.WriteHeader(code)
	_, _ = io.WriteString(w, strconv.Itoa(code)+" "+http.StatusText(code)+"\n")
}

// ServeHTTP serves one request of the listener.
func (l *dpListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dp := l.dp
	snap := dp.current()
	v := snap.listeners[l.want.id]
	if v == nil {
		dpAnswer(w, http.StatusServiceUnavailable, "listener-unavailable")
		return
	}
	if v.router == nil {
		dpAnswer(w, http.StatusInternalServerError, "rules-do-not-compile")
		return
	}
	if v.quicID != "" {
		if addrs := dp.addrs.Load(); addrs != nil {
			if a, ok := (*addrs)[v.quicID]; ok {
				if _, p, err := net.SplitHostPort(a); err == nil {
					w.Header().Set("Alt-Svc", `h3=":`+p+`"; ma=86400`)
				}
			}
		}
	}
	ip, port := remoteAddr(r.RemoteAddr)
	if v.xff.clientIPs {
		ip = clientFromXFF(r.Header["X-Forwarded-For"], ip, v.trusted)
	}
	host := v.hostFor(r.Host, l.localPortStr)
	req := &routing.Request{Method: r.Method, Host: host, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header, SourceIP: ip, SourcePort: port}
	d := v.router.Decide(req)
	if d.TrafficLimit != nil && !dp.allow(v.id, &d, ip) {
		dpAnswer(w, routing.TrafficLimitedStatus, "traffic-limited")
		return
	}
	var cors http.Header
	if d.Cors != nil {
		var done bool
		if cors, done = answerCORS(w, r, d.Cors); done {
			return
		}
	}
	switch d.Final {
	case routing.ActionRedirect:
		copyHeader(w.Header(), cors)
		w.Header().Set("Location", d.Redirect.Location)
		w.WriteHeader(d.Redirect.StatusCode)
	case routing.ActionFixedResponse:
		copyHeader(w.Header(), cors)
		fr := d.FixedResponse
		if fr.ContentType != "" {
			w.Header().Set("Content-Type", fr.ContentType)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(fr.Content)))
		w.WriteHeader(fr.StatusCode)
		_, _ = io.WriteString(w, fr.Content)
	default:
		x := &exchange{l: l, v: v, d: &d, req: req, host: host, ip: ip, port: port, cors: cors}
		x.forward(w, r)
	}
}

// copyHeader sets every header of src in dst (replacing).
func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = vs
	}
}

// remoteAddr parses a connection's remote address.
func remoteAddr(s string) (netip.Addr, int) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.Addr{}, 0
	}
	return ap.Addr().Unmap(), int(ap.Port())
}

// clientFromXFF is the client address with XForwardedForClientSourceIps:
// walking the X-Forwarded-For addresses and then the connection's address
// backwards, the first one not in the trusted list (the leftmost when all
// are; GUESS that the connection's address is the last hop, as nginx's
// real_ip_recursive reads it).
func clientFromXFF(lines []string, conn netip.Addr, trusted []netip.Prefix) netip.Addr {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if !isTrusted(conn) {
		return conn
	}
	var hops []netip.Addr
	for _, line := range lines {
		for _, f := range strings.Split(line, ",") {
			if a, err := netip.ParseAddr(strings.TrimSpace(f)); err == nil {
				hops = append(hops, a.Unmap())
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		if !isTrusted(hops[i]) {
			return hops[i]
		}
	}
	if len(hops) > 0 {
		return hops[0]
	}
	return conn
}

// hostFor is the Host header as the listener's clients would send it: the
// local port replaced by the listener's (dropped when it is the scheme's
// default).
func (v *lsnView) hostFor(host, localPort string) string {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || host[i+1:] != localPort || strings.Count(host, ":") > 1 && !strings.Contains(host, "]") {
		return host
	}
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		return host
	}
	if (v.scheme == "http" && v.port == 80) || (v.scheme == "https" && v.port == 443) {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return net.JoinHostPort(h, v.portStr)
}

// answerCORS applies a rule's CORS config: it returns the headers to add to
// the answer and whether the request (a preflight) was answered.
func answerCORS(w http.ResponseWriter, r *http.Request, c *routing.CorsConfig) (http.Header, bool) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil, false
	}
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if !originAllowed(c.AllowOrigins, origin) {
		if preflight {
			dpAnswer(w, http.StatusForbidden, "cors-origin")
			return nil, true
		}
		return nil, false
	}
	h := http.Header{}
	creds := c.AllowCredentials == "on"
	if len(c.AllowOrigins) == 1 && c.AllowOrigins[0] == "*" && !creds {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Vary", "Origin")
	}
	if creds {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if !preflight {
		if len(c.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ", "))
		}
		return h, false
	}
	if len(c.AllowMethods) > 0 {
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ", "))
	}
	if len(c.AllowHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ", "))
	}
	if c.MaxAge != 0 {
		h.Set("Access-Control-Max-Age", strconv.FormatInt(c.MaxAge, 10))
	}
	copyHeader(w.Header(), h)
	w.WriteHeader(http.StatusNoContent) // GUESS: 204, as nginx and most proxies answer a preflight
	return nil, true
}

// originAllowed matches an Origin against AllowOrigin values: "*", or
// scheme://host[:port] with '*' matching any run of characters (wildcard
// subdomains), host case-insensitive.
func originAllowed(allowed []string, origin string) bool {
	o := strings.ToLower(origin)
	for _, a := range allowed {
		if a == "*" || glob(strings.ToLower(a), o) {
			return true
		}
	}
	return false
}

// glob matches s against pattern with '*' any run.
func glob(pattern, s string) bool {
	star, next := -1, 0
	pi, si := 0, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && pattern[pi] == '*':
			star, next = pi, si
			pi++
		case pi < len(pattern) && pattern[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			pi = star + 1
			next++
			si = next
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// exchange is a forwarded request. It is the request's context too (the
// context it was given, cancelled by the request timeout or by connection
// draining), so that one ReverseProxy per data plane finds it there.
type exchange struct {
	context.Context
	cancel context.CancelCauseFunc
	tr     http.RoundTripper

	l    *dpListener
	v    *lsnView
	d    *routing.Decision
	req  *routing.Request
	host string // the Host header as the listener's clients send it
	ip   netip.Addr
	port int
	cors http.Header

	g            *dpGroup
	m            *member
	groupCookie  string
	memberCookie string
	body         []byte // the request body, kept for the mirrors
}

// exchangeKey finds the exchange among a context's values.
type exchangeKey struct{}

// Value returns the exchange for exchangeKey.
func (x *exchange) Value(k any) any {
	if k == (exchangeKey{}) {
		return x
	}
	return x.Context.Value(k)
}

func exchangeOf(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// proxyBuffer is a copy buffer of ReverseProxy.
type proxyBuffer [32 << 10]byte

var bufPool = &proxyBuffers{p: sync.Pool{New: func() any { return new(proxyBuffer) }}}

// proxyBuffers is ReverseProxy's copy buffer pool.
type proxyBuffers struct{ p sync.Pool }

// Get returns a buffer.
func (b *proxyBuffers) Get() []byte { return b.p.Get().(*proxyBuffer)[:] }

// Put gives a buffer back.
func (b *proxyBuffers) Put(x []byte) {
	if len(x) == len(proxyBuffer{}) {
		b.p.Put((*proxyBuffer)(x))
	}
}

// proxy is the data plane's ReverseProxy: it finds the exchange in the
// request's context.
var proxy = &httputil.ReverseProxy{
	Rewrite:        func(pr *httputil.ProxyRequest) { exchangeOf(pr.In.Context()).rewrite(pr) },
	Transport:      exchangeTransport{},
	ModifyResponse: func(res *http.Response) error { return exchangeOf(res.Request.Context()).modify(res) },
	ErrorHandler:   func(w http.ResponseWriter, r *http.Request, err error) { exchangeOf(r.Context()).fail(w, r, err) },
	ErrorLog:       discardLog,
	BufferPool:     bufPool,
}

// exchangeTransport sends a request with its exchange's transport.
type exchangeTransport struct{}

// RoundTrip sends r with the transport of its exchange's server group.
func (exchangeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return exchangeOf(r.Context()).tr.RoundTrip(r)
}

// forward sends the request to a member of a group of the decision.
func (x *exchange) forward(w http.ResponseWriter, r *http.Request) {
	dp := x.l.dp
	g, gc := x.v.pickGroup(x.d, r)
	if g == nil || (len(g.members) == 0 && g.typ != ServerTypeFc) {
		dpAnswer(w, http.StatusServiceUnavailable, "no-member")
		return
	}
	if g.typ == ServerTypeFc {
		dpAnswer(w, http.StatusBadGateway, "function-compute")
		return
	}
	ch := g.pick(dp, r, x.ip, true)
	if ch.i < 0 {
		dpAnswer(w, http.StatusServiceUnavailable, "no-member")
		return
	}
	x.g, x.m, x.groupCookie, x.memberCookie = g, &g.members[ch.i], gc, ch.setCookie
	if x.m.addr == "" {
		dpAnswer(w, http.StatusBadGateway, "unreachable")
		return
	}
	if len(x.d.Mirror) > 0 && r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		if err != nil {
			dpAnswer(w, http.StatusBadRequest, "body")
			return
		}
		x.body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	x.Context, x.cancel = context.WithCancelCause(r.Context())
	x.tr = dp.transport.of(g.protocol)
	stop := func() bool { return false }
	if x.v.timeout > 0 {
		stop = dp.clk.afterFunc(x.v.timeout, x.timeout)
	}
	x.m.srv.track(x)
	defer func() {
		stop()
		x.cancel(nil)
		x.m.srv.untrack(x)
	}()
	proxy.ServeHTTP(w, r.WithContext(x))
}

// timeout ends the exchange: no answer within the listener's
// RequestTimeout.
func (x *exchange) timeout() { x.cancel(errClockTimeout) }

// rewrite prepares the request to the member.
func (x *exchange) rewrite(pr *httputil.ProxyRequest) {
	out, in := pr.Out, pr.In
	v, d := x.v, x.d
	out.URL.Scheme = "http"
	if x.g.protocol == "HTTPS" {
		out.URL.Scheme = "https"
	}
	out.URL.Host = x.m.addr
	out.Host = x.host
	if rw := d.Rewrite; rw != nil {
		if rw.Host != hostOnly(x.host) {
			out.Host = rw.Host
		}
		if rw.Path != in.URL.Path {
			out.URL.Path, out.URL.RawPath = rw.Path, ""
		}
		out.URL.RawQuery = rw.Query
	}
	h := out.Header
	// ReverseProxy removed X-Forwarded-For, -Host, -Proto and Forwarded:
	// what the listener does not set passes as the client sent it.
	if vs := in.Header["Forwarded"]; len(vs) > 0 {
		h["Forwarded"] = vs
	}
	prior := in.Header["X-Forwarded-For"]
	switch {
	case v.xff.enabled && v.xff.mode != "remove":
		xff := x.ip.String()
		if len(prior) > 0 {
			xff = strings.Join(prior, ", ") + ", " + xff
		}
		h["X-Forwarded-For"] = []string{xff}
	case !v.xff.enabled && len(prior) > 0:
		h["X-Forwarded-For"] = prior
	}
	if v.xff.proto {
		h.Set("X-Forwarded-Proto", v.scheme)
	} else if vs := in.Header["X-Forwarded-Proto"]; len(vs) > 0 {
		h["X-Forwarded-Proto"] = vs
	}
	if v.xff.host {
		h.Set("X-Forwarded-Host", x.host)
	} else if vs := in.Header["X-Forwarded-Host"]; len(vs) > 0 {
		h["X-Forwarded-Host"] = vs
	}
	if v.xff.slbPort {
		h.Set("X-Forwarded-Port", v.portStr)
	}
	if v.xff.slbID {
		h.Set("Slb-Id", v.lbID)
	}
	if v.xff.srcPort {
		h.Set("X-Forwarded-Client-Srcport", strconv.Itoa(x.port))
	}
	if in.TLS != nil && len(in.TLS.PeerCertificates) > 0 {
		setClientCertHeaders(h, &v.xff, in)
	}
	editHeaders(h, d.RemoveHeaders, d.InsertHeaders)
	if x.g.sticky.typ == "Server" {
		stripServerCookie(h, x.g.sticky.cookie, x.g.byToken)
	}
	for _, id := range d.Mirror {
		x.mirror(out, id)
	}
}

// hostOnly is a Host header without its port.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// setClientCertHeaders adds the client-certificate headers the listener
// configures (mutual TLS).
func setClientCertHeaders(h http.Header, x *xffConfig, in *http.Request) {
	c := in.TLS.PeerCertificates[0]
	name := func(alias, def string) string {
		if alias != "" {
			return alias
		}
		return def
	}
	if x.certSubject {
		h.Set(name(x.aliasSubject, "X-Forwarded-Clientcert-subjectdn"), c.Subject.String())
	}
	if x.certIssuer {
		h.Set(name(x.aliasIssuer, "X-Forwarded-Clientcert-issuerdn"), c.Issuer.String())
	}
	if x.certFP {
		sum := sha1.Sum(c.Raw) //nolint:gosec // GUESS: the fingerprint is the SHA-1 of the certificate, in hex
		h.Set(name(x.aliasFP, "X-Forwarded-Clientcert-fingerprint"), hex.EncodeToString(sum[:]))
	}
	if x.certV {
		h.Set(name(x.aliasV, "X-Forwarded-Clientcert-clientverify"), "SUCCESS") // GUESS: the value of a verified certificate
	}
}

// mirror sends a copy of the request to a member of mirror group id; its
// answer is dropped.
func (x *exchange) mirror(out *http.Request, id string) {
	dp := x.l.dp
	g := x.v.groups[id]
	if g == nil || g.typ == ServerTypeFc {
		return
	}
	ch := g.pick(dp, out, x.ip, false)
	if ch.i < 0 || g.members[ch.i].addr == "" {
		return
	}
	m := &g.members[ch.i]
	ctx, cancel := dp.clk.withTimeout(dp.ctx, x.v.timeout)
	cp := out.Clone(ctx)
	cp.URL.Host = m.addr
	cp.URL.Scheme = "http"
	if g.protocol == "HTTPS" {
		cp.URL.Scheme = "https"
	}
	cp.RequestURI = ""
	if x.body != nil {
		cp.Body = io.NopCloser(bytes.NewReader(x.body))
		cp.ContentLength = int64(len(x.body))
	} else {
		cp.Body = http.NoBody
	}
	tr := dp.transport.of(g.protocol)
	go func() {
		defer cancel()
		resp, err := tr.RoundTrip(cp)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}()
}

// modify applies the Response rules and the sticky cookies to the
// backend's answer.
func (x *exchange) modify(res *http.Response) error {
	h := res.Header
	if x.v.respRules {
		rd := x.v.router.DecideResponse(x.req, &routing.Response{StatusCode: res.StatusCode, Header: h})
		if rd.Matched {
			editHeaders(h, rd.RemoveHeaders, rd.InsertHeaders)
		}
	}
	copyHeader(h, x.cors)
	if x.g.sticky.typ == "Server" {
		rewriteServerCookie(h, x.g.sticky.cookie, x.m.srv.token)
	}
	if x.memberCookie != "" {
		h.Add("Set-Cookie", x.memberCookie)
	}
	if x.groupCookie != "" {
		h.Add("Set-Cookie", x.groupCookie)
	}
	return nil
}

// fail answers a request the backend did not answer.
func (x *exchange) fail(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errClockTimeout):
		dpAnswer(w, http.StatusGatewayTimeout, "request-timeout")
	case errors.Is(cause, errDrained):
		dpAnswer(w, http.StatusBadGateway, "drained")
	case cause != nil && cause != context.Canceled:
		dpAnswer(w, http.StatusBadGateway, "bad-gateway")
	case ctx.Err() != nil:
		// The client went away: nobody to answer.
	case errors.Is(err, syscall.ECONNREFUSED):
		dpAnswer(w, http.StatusBadGateway, "connection-refused")
	default:
		dpAnswer(w, http.StatusBadGateway, "bad-gateway")
	}
}

// dpTransports are the data plane's connections to backends, by group
// protocol: HTTP/1.1 for HTTP, TLS without verification (and HTTP/2 when
// the backend offers it) for HTTPS, HTTP/2 without TLS for gRPC.
// Connections are kept alive whatever UpstreamKeepaliveEnabled says (a
// documented difference).
type dpTransports struct {
	http, https, h2c *http.Transport
	fake             http.RoundTripper // replaces them all (internal benchmarks)
}

func newTransports() *dpTransports {
	mk := func() *http.Transport {
		return &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
		}
	}
	t := &dpTransports{http: mk(), https: mk(), h2c: mk()}
	t.https.TLSClientConfig = insecureTLS()
	t.https.ForceAttemptHTTP2 = true
	t.h2c.Protocols = new(http.Protocols)
	t.h2c.Protocols.SetUnencryptedHTTP2(true)
	return t
}

func (t *dpTransports) of(protocol string) http.RoundTripper {
	switch {
	case t.fake != nil:
		return t.fake
	case protocol == "HTTPS":
		return t.https
	case isGRPC(protocol):
		return t.h2c
	}
	return t.http
}

func (t *dpTransports) closeIdle() {
	t.http.CloseIdleConnections()
	t.https.CloseIdleConnections()
	t.h2c.CloseIdleConnections()
}

// editHeaders carries out a decision's RemoveHeader and InsertHeader
// actions on h: the removals, then the inserts in action order (an insert
// that covers replaces the header, another adds a value).
func editHeaders(h http.Header, remove []string, insert []routing.HeaderInsert) {
	for _, k := range remove {
		h.Del(k)
	}
	for _, hi := range insert {
		if hi.Cover {
			h.Set(hi.Key, hi.Value)
		} else {
			h.Add(hi.Key, hi.Value)
		}
	}
}
