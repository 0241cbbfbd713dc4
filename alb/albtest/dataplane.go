package albtest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quic-go/quic-go/http3"
)

// The data plane: every Running listener of an emulated instance accepts
// connections on a loopback port of its own and serves them as the
// listener's rules say (dataplane_proxy.go), balancing over the server
// groups' members (dataplane_balance.go), which it health-checks
// (dataplane_health.go); HTTPS and QUIC listeners present certificates
// issued by a test CA (dataplane_tls.go).
//
// The data plane follows the control plane's state through the state
// lock: each Unlock of a new generation tells it (stateMu.onChange). Under
// the lock it computes which listeners serve and how (cheap: nothing at all
// while no listener exists) and, once the lock is released, opens and closes
// their sockets. What traffic needs (compiled routing tables, server groups
// and their members) is a snapshot of the state rebuilt when the generation
// moved on, at the next request or health-check round, so a change reaches
// traffic exactly when the control plane makes it, whole. A goroutine (the
// ticker) runs while any listener exists: it schedules the health checks on
// the server clock and completes the transitions that come due on it, so a
// listener whose start or stop completes after a duration opens or closes
// on time without anyone polling.

// WithoutDataPlane turns the data plane off: listeners are only control-plane
// resources, no port is opened and no server is health-checked
// (GetListenerHealthStatus then reports what SetServerHealth set, and
// healthy otherwise).
func WithoutDataPlane() Option { return func(c *config) { c.noDataPlane = true } }

// WithDataPlaneHost sets the address the data plane's listeners bind
// ("127.0.0.1" by default; "0.0.0.0" serves every interface, for an
// emulator in a container). Addresses reported for a wildcard host use
// 127.0.0.1.
func WithDataPlaneHost(host string) Option { return func(c *config) { c.dpHost = host } }

// DataPlaneListener is a listener served by the data plane (DataPlane,
// GET /_albtest/dataplane). Its JSON form is the control API's, exactly:
// tools outside the project read it.
type DataPlaneListener struct {
	ListenerID     string `json:"ListenerId"`     // lsn-…
	LoadBalancerID string `json:"LoadBalancerId"` // alb-…
	// Protocol is the listener protocol as the API spells it: HTTP, HTTPS
	// or QUIC (served over UDP with HTTP/3).
	Protocol string `json:"Protocol"`
	// Port is the listener's configured port (ListenerPort), which clients
	// and backends see in Host, X-Forwarded-Port and redirects.
	Port int `json:"Port"`
	// Address is where it accepts connections: 127.0.0.1:PORT.
	Address string `json:"Address"`
}

// dataPlane is a Server's data plane; nil with WithoutDataPlane.
type dataPlane struct {
	s    *Server
	clk  dpClock
	host string
	ctx  context.Context // ended by close: probes and mirrors stop
	stop context.CancelFunc

	// Guarded by s.mu (the onChange hook runs under it).
	active bool      // listeners exist or sockets may be open
	wantL  []lsnWant // the listeners that serve, as last computed

	gen        atomic.Uint64 // the state generation onChange last saw
	want       atomic.Pointer[[]lsnWant]
	needTicker atomic.Bool

	sockMu sync.Mutex
	open   map[string]*dpListener // by listener ID
	ports  map[string]int         // last local port of each listener ID
	closed bool
	addrs  atomic.Pointer[map[string]string] // local address of each open listener (copy on write)

	buildMu sync.Mutex
	snap    atomic.Pointer[dpSnap]
	servers map[srvID]*dpServer // guarded by buildMu
	routers map[string]cachedRouter

	tickMu sync.Mutex
	tick   chan struct{} // closed to stop the running ticker; nil when none runs
	tickWG sync.WaitGroup
	kick   chan struct{} // wakes the ticker (buffered, 1)

	hmu      sync.Mutex    // health-check state of the servers (dpServer.h)
	hchanged chan struct{} // closed and replaced when a probe starts or ends

	tls       dpTLS
	transport *dpTransports
	limits    sync.Map // limKey → *ruleLimiter
}

func newDataPlane(s *Server) *dataPlane {
	host := s.cfg.dpHost
	if host == "" {
		host = "127.0.0.1"
	}
	ctx, stop := context.WithCancel(context.Background())
	dp := &dataPlane{
		s: s, clk: dpClock{s.clock}, host: host, ctx: ctx, stop: stop,
		open: map[string]*dpListener{}, ports: map[string]int{},
		servers: map[srvID]*dpServer{}, routers: map[string]cachedRouter{},
		kick: make(chan struct{}, 1), hchanged: make(chan struct{}),
	}
	dp.transport = newTransports()
	return dp
}

// lsnWant is a listener the data plane serves, with everything its socket
// and TLS configuration depend on. key identifies the whole: a listener
// whose key changes is reopened (on the same port).
type lsnWant struct {
	id, lbID, protocol string
	port               int
	idle               time.Duration
	http2              bool
	certs              []certWant // HTTPS and QUIC: the default certificate first
	tlsVersions        []string
	ciphers            []string
	caID               string // mutual TLS: the CA certificate clients must present a certificate of
	key                string
}

// certWant is a certificate a listener presents.
type certWant struct {
	id       string
	domains  []string
	notAfter time.Time
}

// stateChanged is the onChange hook: it runs under s.mu for every new
// generation of the state.
func (dp *dataPlane) stateChanged(gen uint64) func() {
	dp.gen.Store(gen)
	st := dp.s.st
	if len(st.lsns) == 0 && !dp.active {
		return nil
	}
	want := dp.desiredLocked(st)
	changed := len(want) != len(dp.wantL)
	for i := 0; !changed && i < len(want); i++ {
		changed = want[i].key != dp.wantL[i].key
	}
	dp.wantL = want
	dp.active = len(st.lsns) > 0 || len(want) > 0
	dp.needTicker.Store(len(st.lsns) > 0)
	if changed {
		dp.want.Store(&want)
	}
	dp.kickTicker()
	return func() {
		if changed {
			dp.reconcile()
		}
		dp.ensureTicker()
	}
}

// serving reports whether listener l serves traffic now: created, not
// stopped (a start serves once it completes, a stop until it completes),
// not deleted (a deletion serves until it completes).
func (l *lsnState) serving() bool {
	return !l.deleted && l.status != "Provisioning" && l.status != "CreateFailed" && !l.stopped
}

// serving reports whether listener l serves traffic now: as
// lsnState.serving says, on an instance that is not Inactive (GUESS: an
// Inactive instance, as SetLoadBalancerStatus can make one, serves
// nothing).
func (st *state) serving(l *lsnState) bool {
	lb := st.lbs[l.lbID]
	return l.serving() && lb != nil && !lb.deleted && lb.status != "Inactive"
}

// desiredLocked lists the listeners that serve, in creation order.
func (dp *dataPlane) desiredLocked(st *state) []lsnWant {
	var out []lsnWant
	for _, id := range st.lsnOrder {
		l := st.lsns[id]
		if l == nil || !st.serving(l) {
			continue
		}
		w := lsnWant{id: l.id, lbID: l.lbID, protocol: l.protocol, port: int(l.port),
			idle: time.Duration(l.idle) * time.Second, http2: l.http2}
		if l.protocol != "HTTP" {
			ids := []string{l.cert}
			for _, c := range l.certs {
				if c.status == "Associated" || c.status == "Dissociating" {
					ids = append(ids, c.id)
				}
			}
			for _, cid := range ids {
				if c := st.certs[cid]; c != nil {
					w.certs = append(w.certs, certWant{id: c.CertificateID, domains: c.Domains, notAfter: c.NotAfter})
				}
			}
			w.tlsVersions, w.ciphers = st.policyOf(l.policy)
			if l.caEnabled && l.protocol == "HTTPS" {
				w.caID = l.caCert
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s|%s|%d|%s|%t|%s|%v|%v", w.id, w.protocol, w.port, w.idle, w.http2, w.caID, w.tlsVersions, w.ciphers)
		for _, c := range w.certs {
			fmt.Fprintf(&b, "|%s=%v", c.id, c.domains)
		}
		w.key = b.String()
		out = append(out, w)
	}
	return out
}

// policyOf returns the TLS versions and ciphers of a security policy
// (system or custom); none for an unknown one.
func (st *state) policyOf(id string) (versions, ciphers []string) {
	for _, p := range systemPolicies {
		if p.id == id {
			return p.tls, p.ciphers
		}
	}
	if p := st.sps[id]; p != nil {
		return slices.Clone(p.tls), slices.Clone(p.ciphers)
	}
	return nil, nil
}

// reconcile opens and closes sockets so that the listeners served are the
// last desired ones.
func (dp *dataPlane) reconcile() {
	dp.sockMu.Lock()
	defer dp.sockMu.Unlock()
	if dp.closed {
		return
	}
	var want []lsnWant
	if p := dp.want.Load(); p != nil {
		want = *p
	}
	keep := map[string]bool{}
	for _, w := range want {
		if l := dp.open[w.id]; l != nil && l.want.key == w.key {
			keep[w.id] = true
		}
	}
	for id, l := range dp.open {
		if !keep[id] {
			l.close(true)
			delete(dp.open, id)
		}
	}
	for _, w := range want {
		if keep[w.id] {
			continue
		}
		l, err := dp.listen(w, dp.ports[w.id])
		if err != nil {
			dp.s.logger().Error("albtest: data plane: cannot serve listener", "listener", w.id, "error", err)
			continue
		}
		dp.open[w.id] = l
		dp.ports[w.id] = l.localPort
	}
	addrs := make(map[string]string, len(dp.open))
	for id, l := range dp.open {
		addrs[id] = l.addr
	}
	dp.addrs.Store(&addrs)
}

// ensureTicker starts or stops the ticker as the last state says.
func (dp *dataPlane) ensureTicker() {
	dp.tickMu.Lock()
	defer dp.tickMu.Unlock()
	need := dp.needTicker.Load()
	switch {
	case need && dp.tick == nil && dp.ctx.Err() == nil:
		stop := make(chan struct{})
		dp.tick = stop
		dp.tickWG.Add(1)
		go dp.runTicker(stop)
	case !need && dp.tick != nil:
		close(dp.tick)
		dp.tick = nil
	}
}

func (dp *dataPlane) kickTicker() {
	select {
	case dp.kick <- struct{}{}:
	default:
	}
}

// runTicker schedules the health checks and completes the transitions
// that come due on the clock, until stop is closed.
func (dp *dataPlane) runTicker(stop chan struct{}) {
	defer dp.tickWG.Done()
	for {
		select {
		case <-stop:
			return
		default:
		}
		snap := dp.current()
		next := dp.startProbes(snap)
		if t := snap.nextDue; !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
		dp.clk.wait(next, dp.kick, stop)
	}
}

// close stops the data plane for good (Server.Close).
func (dp *dataPlane) close() {
	dp.stop()
	dp.tickMu.Lock()
	if dp.tick != nil {
		close(dp.tick)
		dp.tick = nil
	}
	dp.tickMu.Unlock()
	dp.tickWG.Wait()
	dp.sockMu.Lock()
	dp.closed = true
	for id, l := range dp.open {
		l.close(false)
		delete(dp.open, id)
	}
	dp.sockMu.Unlock()
	dp.transport.closeIdle()
}

// dpListener is a listener's socket and server.
type dpListener struct {
	dp           *dataPlane
	want         lsnWant
	addr         string // host:port as reported
	localPort    int
	localPortStr string
	scheme       string // http or https

	ln net.Listener
	hs *http.Server
	pc net.PacketConn
	h3 *http3.Server
}

// listen opens a listener's socket, on port when it is free (the port it
// had before), on a free one otherwise.
func (dp *dataPlane) listen(w lsnWant, port int) (*dpListener, error) {
	l := &dpListener{dp: dp, want: w, scheme: "http"}
	var tlsCfg *tls.Config
	if w.protocol != "HTTP" {
		l.scheme = "https"
		var err error
		if tlsCfg, err = dp.tlsConfig(w); err != nil {
			return nil, err
		}
	}
	try := []int{0}
	if port > 0 {
		try = []int{port, 0}
	}
	var err error
	for _, p := range try {
		addr := net.JoinHostPort(dp.host, strconv.Itoa(p))
		if w.protocol == "QUIC" {
			l.pc, err = net.ListenPacket("udp", addr)
		} else {
			l.ln, err = net.Listen("tcp", addr)
		}
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	var a net.Addr
	if l.pc != nil {
		a = l.pc.LocalAddr()
	} else {
		a = l.ln.Addr()
	}
	host, ps, _ := net.SplitHostPort(a.String())
	l.localPort, _ = strconv.Atoi(ps)
	l.localPortStr = ps
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	l.addr = net.JoinHostPort(host, ps)
	switch w.protocol {
	case "QUIC":
		l.h3 = &http3.Server{Handler: l, TLSConfig: http3.ConfigureTLSConfig(tlsCfg), IdleTimeout: w.idle}
		go func() { _ = l.h3.Serve(l.pc) }()
	case "HTTPS":
		l.hs = &http.Server{Handler: l, IdleTimeout: w.idle, TLSConfig: tlsCfg, ErrorLog: discardLog}
		if !w.http2 {
			l.hs.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
		}
		go func() { _ = l.hs.ServeTLS(l.ln, "", "") }()
	default:
		l.hs = &http.Server{Handler: l, IdleTimeout: w.idle, ErrorLog: discardLog}
		go func() { _ = l.hs.Serve(l.ln) }()
	}
	return l, nil
}

// close stops accepting connections; graceful lets the requests in flight
// finish (at most 10 s of real time) in the background.
func (l *dpListener) close(graceful bool) {
	switch {
	case l.h3 != nil && graceful:
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = l.h3.Shutdown(ctx)
			_ = l.h3.Close()
			_ = l.pc.Close()
		}()
	case l.h3 != nil:
		_ = l.h3.Close()
		_ = l.pc.Close()
	case graceful:
		_ = l.ln.Close()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := l.hs.Shutdown(ctx); err != nil {
				_ = l.hs.Close()
			}
		}()
	default:
		_ = l.hs.Close()
	}
}

// ListenerAddr returns the address (127.0.0.1:PORT) at which the data
// plane serves listener id, and false when it does not serve it: unknown,
// not Running (being created, stopped, or stopping once the stop completed)
// or the data plane is off. A QUIC listener's address is a UDP one.
func (s *Server) ListenerAddr(id string) (string, bool) {
	if s.dp == nil {
		return "", false
	}
	s.dp.current() // completes what came due on the clock
	s.dp.sockMu.Lock()
	defer s.dp.sockMu.Unlock()
	if l := s.dp.open[id]; l != nil {
		return l.addr, true
	}
	return "", false
}

// DataPlane returns the listeners the data plane serves, in the order
// they were created (empty when the data plane is off).
func (s *Server) DataPlane() []DataPlaneListener {
	out := []DataPlaneListener{}
	if s.dp == nil {
		return out
	}
	s.dp.current()
	s.dp.sockMu.Lock()
	defer s.dp.sockMu.Unlock()
	var want []lsnWant
	if p := s.dp.want.Load(); p != nil {
		want = *p
	}
	for _, w := range want {
		if l := s.dp.open[w.id]; l != nil {
			out = append(out, DataPlaneListener{ListenerID: w.id, LoadBalancerID: w.lbID, Protocol: w.protocol, Port: w.port, Address: l.addr})
		}
	}
	return out
}

// errDataPlaneOff is returned by data-plane methods when it is off.
var errDataPlaneOff = errors.New("albtest: the data plane is off (WithoutDataPlane)")
