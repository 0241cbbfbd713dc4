package albtest

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"time"
)

// Health checks. The members of the server groups that serving listeners
// use are probed as their group's HealthCheckConfig says: protocol (HTTP,
// HTTPS, TCP, gRPC), port (HealthCheckConnectPort, 0 for the member's),
// host (HealthCheckHost, the member's private address by default), path,
// method, HTTP version, codes, interval, timeout and thresholds, with a
// short-lived connection per probe, as the service does. Members of weight
// 0 and groups with the check off are not probed.
//
// A member starts Initial and is probed at once; HealthyThreshold
// consecutive successes make it Healthy (in the rotation) and
// UnhealthyThreshold consecutive failures Unhealthy (out of it), from
// Initial as from the other state (reference 5.8: a server must pass
// HealthyThreshold checks to enter). Probes follow the server clock: a
// probe is due every HealthCheckInterval, and one that gets no answer fails
// with a timeout once the clock has moved HealthCheckTimeout past its
// start. Under a ManualClock nothing happens until the clock moves:
// Advance makes the probes that came due start (when several intervals
// passed, the missed probes run one after the other, at most the larger
// threshold of them), and WaitHealthChecks waits until they have ended.

// probeState is a member's health-check state.
type probeState struct {
	hcOn     bool
	hc       healthCheck
	addr     string        // where probes connect, "" when unreachable
	host     string        // the member's private address (the default Host)
	drain    time.Duration // connection draining timeout, -1 when off
	status   string        // HealthInitial, HealthHealthy or HealthUnhealthy
	ok, fail int           // consecutive results
	last     ServerHealth  // the last failure
	due      time.Time     // when the next probe is due
	inflight bool
}

// configure sets the member's check as its group has it now; turning the
// check on or off starts over from Initial.
func (h *probeState) configure(hc healthCheck, addr, host string, drain time.Duration, now time.Time) {
	if hc.enabled != h.hcOn {
		h.status, h.ok, h.fail, h.last, h.due = HealthInitial, 0, 0, ServerHealth{}, now
	}
	h.hcOn, h.hc, h.addr, h.host, h.drain = hc.enabled, hc, addr, host, drain
}

// notifyHealth wakes WaitHealthChecks; hmu is held.
func (dp *dataPlane) notifyHealthLocked() {
	close(dp.hchanged)
	dp.hchanged = make(chan struct{})
}

// startProbes starts the probes that are due and returns when the next one
// is due (zero for none).
func (dp *dataPlane) startProbes(snap *dpSnap) time.Time {
	dp.hmu.Lock()
	defer dp.hmu.Unlock()
	now := dp.clk.now()
	var next time.Time
	started := false
	for _, srv := range snap.probes {
		h := &srv.h
		if h.inflight || srv.isRetired() || !h.hcOn {
			continue
		}
		if !h.due.After(now) {
			h.inflight, started = true, true
			go dp.probe(srv, h.hc, h.addr, h.host, h.due)
			continue
		}
		if next.IsZero() || h.due.Before(next) {
			next = h.due
		}
	}
	if started {
		dp.notifyHealthLocked()
	}
	return next
}

// probe runs one health check of srv and records its result.
func (dp *dataPlane) probe(srv *dpServer, hc healthCheck, addr, host string, nominal time.Time) {
	timeout := time.Duration(max(hc.timeout, 1)) * time.Second
	ctx, cancel := dp.clk.withTimeout(dp.ctx, timeout)
	res := runProbe(ctx, hc, addr, host)
	cancel()
	now := dp.clk.now()
	dp.hmu.Lock()
	h := &srv.h
	h.inflight = false
	interval := time.Duration(max(hc.interval, 1)) * time.Second
	h.due = nominal.Add(interval)
	if rounds := time.Duration(max(hc.healthy, hc.unhealthy, 1)); h.due.Add(rounds * interval).Before(now) {
		h.due = now.Add(-(rounds - 1) * interval) // at most that many missed probes run
	}
	if dp.ctx.Err() == nil && !srv.isRetired() && h.hcOn {
		dp.recordLocked(srv, res, now)
	}
	dp.notifyHealthLocked()
	dp.hmu.Unlock()
	dp.kickTicker()
}

// probeResult is what one probe found.
type probeResult struct {
	ok     bool
	health ServerHealth // the failure, when not ok
}

// recordLocked counts a probe's result; hmu is held.
func (dp *dataPlane) recordLocked(srv *dpServer, res probeResult, now time.Time) {
	h := &srv.h
	if res.ok {
		h.ok, h.fail = h.ok+1, 0
		if h.status != HealthHealthy && h.ok >= int(max(h.hc.healthy, 1)) {
			h.status = HealthHealthy
			srv.since.Store(now.UnixNano())
			srv.healthy.Store(true)
		}
		return
	}
	h.fail, h.ok, h.last = h.fail+1, 0, res.health
	if h.status != HealthUnhealthy && h.fail >= int(max(h.hc.unhealthy, 1)) {
		h.status = HealthUnhealthy
		srv.healthy.Store(false)
		dp.cut(srv, h.drain)
	}
}

// probeHealth returns what the probes found for member m of group sgID,
// and false when it is not probed; s.mu is held.
func (dp *dataPlane) probeHealth(sgID string, k serverKey) (ServerHealth, bool) {
	dp.hmu.Lock()
	defer dp.hmu.Unlock()
	srv := dp.servers[srvID{sg: sgID, key: k}]
	if srv == nil || !srv.h.hcOn || srv.isRetired() {
		return ServerHealth{}, false
	}
	switch srv.h.status {
	case HealthUnhealthy:
		h := srv.h.last
		h.Status = HealthUnhealthy
		return h, true
	case HealthInitial:
		return ServerHealth{Status: HealthInitial}, true
	}
	return ServerHealth{Status: HealthHealthy}, true
}

// WaitHealthChecks waits until every health check that is due by the
// server clock has run and been counted, or ctx ends. Under a
// ManualClock, call it after Advance to see the probes' results; a probe
// whose server does not answer ends only once the clock has moved its
// timeout further. It returns at once when the data plane is off or no
// listener serves.
func (s *Server) WaitHealthChecks(ctx context.Context) error {
	if s.dp == nil {
		return nil
	}
	dp := s.dp
	for {
		snap := dp.current()
		dp.hmu.Lock()
		now := dp.clk.now()
		busy := false
		for _, srv := range snap.probes {
			if srv.h.hcOn && !srv.isRetired() && (srv.h.inflight || !srv.h.due.After(now)) {
				busy = true
				break
			}
		}
		ch := dp.hchanged
		dp.hmu.Unlock()
		if !busy {
			return nil
		}
		dp.ensureTicker()
		dp.kickTicker()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// expected is the ExpectedResponse of a check: "HTTP_2xx,HTTP_3xx" or the
// gRPC codes.
func expected(hc healthCheck) string {
	out := make([]string, 0, len(hc.codes))
	for _, c := range hc.codes {
		if strings.HasPrefix(c, "http_") {
			c = "HTTP_" + c[len("http_"):]
		}
		out = append(out, c)
	}
	return strings.Join(out, ",")
}

func fail(code string) probeResult {
	return probeResult{health: ServerHealth{Status: HealthUnhealthy, ReasonCode: code}}
}

// runProbe performs one check.
func runProbe(ctx context.Context, hc healthCheck, addr, host string) probeResult {
	if addr == "" {
		return fail("CONNECT_FAILED")
	}
	switch {
	case strings.EqualFold(hc.protocol, "TCP"):
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return connectFailure(ctx)
		}
		_ = conn.Close()
		return probeResult{ok: true}
	case isGRPC(hc.protocol):
		return probeGRPC(ctx, hc, addr, host)
	}
	return probeHTTP(ctx, hc, addr, host)
}

func connectFailure(ctx context.Context) probeResult {
	if timedOut(ctx) {
		return fail("CONNECT_TIMEOUT")
	}
	return fail("CONNECT_FAILED")
}

// probeHTTP sends one HTTP or HTTPS request over a fresh connection and
// checks the status against the codes.
func probeHTTP(ctx context.Context, hc healthCheck, addr, host string) probeResult {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return connectFailure(ctx)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	hostHeader := host
	if hc.host != "" {
		hostHeader = hc.host
	}
	if strings.EqualFold(hc.protocol, "HTTPS") {
		tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, ServerName: hostHeader}) //nolint:gosec // a health check does not verify the backend's certificate
		if err := tc.HandshakeContext(ctx); err != nil {
			return connectFailure(ctx)
		}
		conn = tc
	}
	method := hc.method
	if method == "" {
		method = http.MethodHead
	}
	path := hc.path
	if path == "" {
		path = "/"
	}
	vers := "HTTP/1.1"
	if hc.vers == "HTTP1.0" {
		vers = "HTTP/1.0"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\nHost: %s\r\nUser-Agent: albtest-health-check\r\nConnection: close\r\n", method, path, vers, hostHeader)
	if method == http.MethodPost {
		b.WriteString("Content-Length: 0\r\n")
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		if timedOut(ctx) {
			return fail("SEND_REQUEST_TIMEOUT")
		}
		return fail("SEND_REQUEST_FAILED")
	}
	req := &http.Request{Method: method}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		var ne net.Error
		switch {
		case timedOut(ctx):
			return fail("RECV_RESPONSE_TIMEOUT")
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne):
			return fail("RECV_RESPONSE_FAILED")
		}
		return fail("RESPONSE_FORMAT_ERROR")
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 8<<10) // the service reads at most 8 KB
	_ = resp.Body.Close()
	class := "http_" + strconv.Itoa(resp.StatusCode/100) + "xx"
	for _, c := range hc.codes {
		if c == class {
			return probeResult{ok: true}
		}
	}
	if len(hc.codes) == 0 && resp.StatusCode/100 == 2 {
		return probeResult{ok: true}
	}
	return probeResult{health: ServerHealth{Status: HealthUnhealthy, ReasonCode: "RESPONSE_MISMATCH",
		ExpectedResponse: expected(hc), ActualResponse: strconv.Itoa(resp.StatusCode)}}
}

// probeGRPC calls the path over HTTP/2 without TLS (prior knowledge) with
// an empty message and checks the grpc-status against the codes.
func probeGRPC(ctx context.Context, hc healthCheck, addr, host string) probeResult {
	connected := false
	tr := &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		},
	}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	hostHeader := host
	if hc.host != "" {
		hostHeader = hc.host
	}
	path := hc.path
	if path == "" {
		path = "/"
	}
	method := hc.method
	if method == "" {
		method = http.MethodPost
	}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected = true }})
	req, err := http.NewRequestWithContext(ctx, method, "http://"+addr+path, strings.NewReader("\x00\x00\x00\x00\x00"))
	if err != nil {
		return fail("SEND_REQUEST_FAILED")
	}
	req.Host = hostHeader
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		switch {
		case !connected:
			return connectFailure(ctx)
		case timedOut(ctx):
			return fail("RECV_RESPONSE_TIMEOUT")
		}
		return fail("RECV_RESPONSE_FAILED")
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 8<<10)
	_ = resp.Body.Close()
	status := resp.Trailer.Get("Grpc-Status")
	if status == "" {
		status = resp.Header.Get("Grpc-Status")
	}
	code, err := strconv.Atoi(status)
	if err != nil {
		return fail("RESPONSE_FORMAT_ERROR")
	}
	codes := hc.codes
	if len(codes) == 0 {
		codes = []string{"0"}
	}
	for _, c := range codes {
		lo, hi, isRange := strings.Cut(c, "-")
		a, _ := strconv.Atoi(lo)
		b := a
		if isRange {
			b, _ = strconv.Atoi(hi)
		}
		if a <= code && code <= b {
			return probeResult{ok: true}
		}
	}
	return probeResult{health: ServerHealth{Status: HealthUnhealthy, ReasonCode: "RESPONSE_MISMATCH",
		ExpectedResponse: expected(hc), ActualResponse: strconv.Itoa(code)}}
}
