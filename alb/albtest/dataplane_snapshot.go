package albtest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/albkit/albkit/routing"
)

// What traffic needs of the control plane's state, taken whole under the
// state lock and rebuilt when the state's generation moves on: each
// serving listener's compiled routing table and settings, and the server
// groups they use with their members as the control plane has them
// (pending changes not yet made: servers being added are not members,
// servers being removed still are, a group's pending update is not in
// force). The members' run-time state (health, requests in flight, sticky
// tokens) lives in dpServer, which outlives snapshots for as long as the
// member serves.

// dpSnap is one snapshot.
type dpSnap struct {
	gen       uint64              // the state generation it was built from
	nextDue   time.Time           // earliest AfterDuration transition pending, zero for none
	listeners map[string]*lsnView // serving listeners by ID
	groups    map[string]*dpGroup // the groups they use, by ID
	probes    []*dpServer         // the members to health-check
}

// lsnView is a serving listener as traffic sees it.
type lsnView struct {
	id, lbID, protocol string
	scheme             string // http or https (QUIC: https)
	port               int
	portStr            string
	router             *routing.Router
	respRules          bool // it has Response rules
	xff                xffConfig
	trusted            []netip.Prefix // XForwardedForClientSourceIpsTrusted
	timeout            time.Duration  // RequestTimeout
	gzip               bool
	quicID             string // the QUIC listener HTTPS upgrades to (Alt-Svc), "" for none
	groups             map[string]*dpGroup
	fwd                map[int]*wrrState // group choice per rule index (-1: default action)
	fwdMu              sync.Mutex
}

// cachedRouter is a listener's last compiled table: recompiled only when
// the table differs.
type cachedRouter struct {
	table  routing.Table
	router *routing.Router
	err    error
}

// srvID names a member of a group.
type srvID struct {
	sg  string
	key serverKey
}

// member is a member of a group in one snapshot.
type member struct {
	srv    *dpServer
	weight int
	addr   string // where traffic reaches it, "" when it cannot
	// forced is set when SetServerHealth says the member is not healthy:
	// out of the rotation whatever the probes find.
	forced bool
}

// dpGroup is a server group as traffic sees it in one snapshot.
type dpGroup struct {
	id, typ  string
	protocol string // HTTP, HTTPS, gRPC
	sched    string // Wrr, Wlc, Sch (Uch: as Sch)
	uch      string // UchConfig.Value: the query parameter Sch hashes
	sticky   stickySession
	slow     time.Duration // slow start, 0 when off (Wrr only)
	hcOn     bool
	members  []member
	byToken  map[string]int // sticky token → index in members

	mu  sync.Mutex
	cur []int64 // smooth weighted round robin state per member
}

// dpServer is the run-time state of one member of one group.
type dpServer struct {
	id    srvID
	token string // sticky-session token: stable for the member

	healthy atomic.Bool  // in the rotation by its health checks
	since   atomic.Int64 // when it last entered the rotation (UnixNano, server clock)
	active  atomic.Int64 // requests in flight to it (Wlc)

	mu      sync.Mutex
	reqs    map[*exchange]struct{} // requests in flight (connection draining)
	retired bool

	h probeState // guarded by dataPlane.hmu
}

// current returns the snapshot in force, rebuilding it when the state has
// changed or a transition came due on the clock.
func (dp *dataPlane) current() *dpSnap {
	if snap := dp.snap.Load(); snap != nil && snap.gen == dp.gen.Load() && (snap.nextDue.IsZero() || dp.clk.now().Before(snap.nextDue)) {
		return snap
	}
	return dp.rebuild()
}

func (dp *dataPlane) rebuild() *dpSnap {
	dp.buildMu.Lock()
	defer dp.buildMu.Unlock()
	if snap := dp.snap.Load(); snap != nil && snap.gen == dp.gen.Load() && (snap.nextDue.IsZero() || dp.clk.now().Before(snap.nextDue)) {
		return snap
	}
	s := dp.s
	s.mu.lockRead()
	now := s.clock.Now()
	if due := nextTransition(s.st); !due.IsZero() && !now.Before(due) {
		s.mu.bump()
		s.settleAll()
	}
	snap := dp.buildLocked(now)
	snap.gen = s.mu.gen
	s.mu.Unlock()
	dp.snap.Store(snap)
	return snap
}

// nextTransition is the earliest completion of a pending AfterDuration
// transition, zero for none.
func nextTransition(st *state) time.Time {
	var next time.Time
	for _, r := range st.tracked {
		if p := r.pending; p != nil && p.t.Kind == KindAfterDuration {
			if at := p.start.Add(p.t.Duration); next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	return next
}

// buildLocked builds a snapshot of the state; s.mu and buildMu are held.
func (dp *dataPlane) buildLocked(now time.Time) *dpSnap {
	st := dp.s.st
	snap := &dpSnap{listeners: map[string]*lsnView{}, groups: map[string]*dpGroup{}, nextDue: nextTransition(st)}
	used := map[srvID]bool{}
	dp.hmu.Lock()
	defer dp.hmu.Unlock()
	seenRouters := map[string]bool{}
	for _, id := range st.lsnOrder {
		l := st.lsns[id]
		if l == nil || !st.serving(l) {
			continue
		}
		t := routing.Table{Protocol: l.protocol, Port: int(l.port), LoadBalancerID: l.lbID, Default: append([]string(nil), l.groups...)}
		for _, r := range st.rulesOf(l.id) {
			switch r.status {
			case "Available", "Configuring", "Deleting":
				t.Rules = append(t.Rules, r.rule)
			}
		}
		seenRouters[l.id] = true
		v := &lsnView{
			id: l.id, lbID: l.lbID, protocol: l.protocol, scheme: "https", port: int(l.port), portStr: strconv.Itoa(int(l.port)),
			router: dp.router(l.id, t), xff: l.xff, timeout: time.Duration(l.request) * time.Second, gzip: l.gzip,
			groups: snap.groups, fwd: map[int]*wrrState{},
		}
		if l.protocol == "HTTP" {
			v.scheme = "http"
		}
		if l.protocol == "HTTPS" && l.quicUpgrade {
			v.quicID = l.quicID
		}
		if l.xff.clientIPs {
			v.trusted = parsePrefixes(l.xff.trusted)
		}
		for _, r := range t.Rules {
			if r.IsResponse() {
				v.respRules = true
			}
		}
		groups := append([]string(nil), t.Default...)
		for _, r := range t.Rules {
			for _, g := range ruleGroups(r) {
				groups = append(groups, g[0])
			}
		}
		for _, g := range groups {
			if snap.groups[g] == nil {
				snap.groups[g] = dp.groupLocked(st, g, now, snap, used)
			}
		}
		snap.listeners[l.id] = v
	}
	for id := range dp.routers {
		if !seenRouters[id] {
			delete(dp.routers, id)
		}
	}
	dp.limits.Range(func(k, _ any) bool {
		if !seenRouters[k.(limKey).listener] {
			dp.limits.Delete(k)
		}
		return true
	})
	dp.sockMu.Lock()
	for id := range dp.ports {
		if st.lsns[id] == nil {
			delete(dp.ports, id) // a listener gone for good: its port is free to forget
		}
	}
	dp.sockMu.Unlock()
	for k, srv := range dp.servers {
		if !used[k] {
			delete(dp.servers, k)
			sg := st.sgs[k.sg]
			dp.retire(srv, sg == nil || sg.member(k.key) == nil)
		}
	}
	return snap
}

// router compiles a listener's table, or returns the last compiled one
// when the table did not change.
func (dp *dataPlane) router(id string, t routing.Table) *routing.Router {
	if c, ok := dp.routers[id]; ok && reflect.DeepEqual(c.table, t) {
		return c.router
	}
	r, err := routing.Compile(t)
	if err != nil {
		dp.s.logger().Error("albtest: data plane: a listener's rules do not compile; it answers 500", "listener", id, "error", err)
	}
	dp.routers[id] = cachedRouter{table: t, router: r, err: err}
	return r
}

// groupLocked builds the traffic view of group id and registers its
// members; s.mu, buildMu and hmu are held.
func (dp *dataPlane) groupLocked(st *state, id string, now time.Time, snap *dpSnap, used map[srvID]bool) *dpGroup {
	g := &dpGroup{id: id, byToken: map[string]int{}}
	sg := st.sgs[id]
	if sg == nil {
		return g
	}
	g.typ, g.protocol, g.sched, g.sticky, g.hcOn = sg.typ, sg.protocol, sg.scheduler, sg.sticky, sg.hc.enabled
	if !g.sticky.enabled {
		g.sticky = stickySession{}
	}
	if sg.uch != nil {
		g.uch = sg.uch.value
	}
	if sg.slow != nil && sg.slow.enabled && sg.scheduler == "Wrr" {
		g.slow = time.Duration(sg.slow.duration) * time.Second
	}
	drain := time.Duration(-1)
	if sg.drain.enabled {
		drain = time.Duration(sg.drain.timeout) * time.Second
	}
	if g.typ == ServerTypeFc {
		return g
	}
	for _, m := range sg.servers {
		if m.added {
			continue
		}
		k := srvID{sg: sg.id, key: m.serverKey}
		srv := dp.servers[k]
		if srv == nil {
			srv = &dpServer{id: k, token: stickyToken(k), reqs: map[*exchange]struct{}{}}
			srv.h.status = HealthInitial
			srv.h.due = now
			if !sg.hc.enabled {
				srv.since.Store(now.UnixNano())
			}
			dp.servers[k] = srv
		}
		used[k] = true
		hcPort := m.port
		if sg.hc.port != 0 {
			hcPort = sg.hc.port
		}
		srv.h.configure(sg.hc, st.dialAddr(m, hcPort), m.ip, drain, now)
		mem := member{srv: srv, weight: int(m.weight), addr: st.dialAddr(m, m.port)}
		if _, ok := st.health[healthKey{sg.id, m.id, m.port}]; ok {
			mem.forced = true
		}
		g.byToken[srv.token] = len(g.members)
		g.members = append(g.members, mem)
		if sg.hc.enabled && m.weight > 0 {
			snap.probes = append(snap.probes, srv)
		}
	}
	g.cur = make([]int64, len(g.members))
	return g
}

// stickyToken is the opaque value a sticky session names a member by
// (SERVERID is opaque in the service too: GUESS of its form).
func stickyToken(k srvID) string {
	h := sha256.Sum256([]byte(k.sg + "|" + k.key.typ + "|" + k.key.id + "|" + k.key.ip + "|" + strconv.Itoa(int(k.key.port))))
	return hex.EncodeToString(h[:8])
}

// parsePrefixes reads a comma-separated list of addresses and CIDR blocks
// (XForwardedForClientSourceIpsTrusted); unparsable items are skipped.
func parsePrefixes(s string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}
