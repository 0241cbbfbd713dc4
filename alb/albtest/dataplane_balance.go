package albtest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/albkit/albkit/routing"
)

// Balancing. A ForwardGroup's server groups share its requests in
// proportion to their weights, and a group's members as its scheduler
// says, over the members in the rotation:
//
//   - weights, between groups and for Wrr, by smooth weighted round robin
//     (nginx's): every run of requests as long as the sum of the weights
//     has each one exactly its share, in an interleaved order (the
//     reference leaves random or round robin open: GUESS);
//   - Wlc: the member with the fewest requests in flight for its weight,
//     ties by weighted round robin;
//   - Sch: a weighted rendezvous hash of the client address, or of the
//     query parameter UchConfig names (the client address when the request
//     lacks it: GUESS), so a key keeps its member while the members stay;
//   - slow start (Wrr only): a member entering the rotation gets its weight
//     in proportion to the part of SlowStartDuration since it entered;
//   - the rotation: members of weight > 0 that pass their health checks
//     (all of them when the group's check is off); when none does, every
//     member of weight > 0 (fail-open, reference 5.8). Weight 0 never gets
//     a request;
//   - sticky sessions: Insert sets the cookie SERVERID (its value an opaque
//     token of the member, the GUESS the reference leaves open) with
//     Max-Age CookieTimeout on the answer of a request that did not carry
//     one naming a member in the rotation, and a request carrying one goes
//     to that member while it is in the rotation; Server appends "!TOKEN"
//     to the value of the application's own cookie (named by the group's
//     Cookie) in the backend's Set-Cookie, routes a request carrying it to
//     that member and forwards the cookie with its original value (the
//     form of the rewrite is a GUESS). A ForwardGroup's
//     ServerGroupStickySession sets SERVERGROUPID (the name is a GUESS: the
//     service does not document it) the same way across its groups.

// Cookie names of sticky sessions.
const (
	// StickyCookie is the cookie of Insert sticky sessions (reference 2.1).
	StickyCookie = "SERVERID"
	// GroupStickyCookie is the cookie of a ForwardGroup's
	// ServerGroupStickySession (GUESS: the name is not documented).
	GroupStickyCookie = "SERVERGROUPID"
)

// errDrained ends a request whose member left the rotation or its group
// when connection draining did not cover it.
var errDrained = errors.New("albtest: the server left the rotation (connection draining)")

func (srv *dpServer) isRetired() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.retired
}

// track registers a request in flight to srv.
func (srv *dpServer) track(f *exchange) {
	srv.active.Add(1)
	srv.mu.Lock()
	srv.reqs[f] = struct{}{}
	srv.mu.Unlock()
}

func (srv *dpServer) untrack(f *exchange) {
	srv.mu.Lock()
	delete(srv.reqs, f)
	srv.mu.Unlock()
	srv.active.Add(-1)
}

// cut ends the requests in flight to srv: at once when drain < 0
// (connection draining off), else once the clock has moved drain
// (ConnectionDrainTimeout). GUESS: without draining, the service cuts the
// requests in flight to a server that is removed or found unhealthy (the
// reference: draining "keeps transfers after removal/unhealthy").
func (dp *dataPlane) cut(srv *dpServer, drain time.Duration) {
	srv.mu.Lock()
	reqs := make([]*exchange, 0, len(srv.reqs))
	for f := range srv.reqs {
		reqs = append(reqs, f)
	}
	srv.mu.Unlock()
	if len(reqs) == 0 {
		return
	}
	end := func() {
		for _, f := range reqs {
			f.cancel(errDrained)
		}
	}
	if drain < 0 {
		end()
		return
	}
	dp.clk.afterFunc(drain, end)
}

// retire takes srv out of service: removed from its group (cut its
// requests as draining says) or no longer used by a serving listener (let
// them finish). hmu is held.
func (dp *dataPlane) retire(srv *dpServer, removed bool) {
	srv.mu.Lock()
	srv.retired = true
	srv.mu.Unlock()
	srv.healthy.Store(false)
	if removed {
		dp.cut(srv, srv.h.drain)
	}
}

// inRotation reports whether member m takes new requests by health.
func (g *dpGroup) inRotation(m *member) bool {
	return !g.hcOn || (!m.forced && m.srv.healthy.Load())
}

// wrrState is the smooth weighted round robin state of a ForwardGroup's
// groups.
type wrrState struct{ cur []int64 }

// groupToken is the value of SERVERGROUPID naming a group.
func groupToken(id string) string {
	h := sha256.Sum256([]byte("sg|" + id))
	return hex.EncodeToString(h[:8])
}

// pickGroup chooses the server group of a ForwardGroup decision; cookie is
// the Set-Cookie to add for group stickiness ("" for none).
func (v *lsnView) pickGroup(d *routing.Decision, r *http.Request) (g *dpGroup, cookie string) {
	var buf [5]int
	cands := buf[:0]
	for i, t := range d.Forward {
		if t.Weight > 0 && v.groups[t.ServerGroupID] != nil {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return nil, ""
	}
	if d.StickySession.Enabled {
		if c, err := r.Cookie(GroupStickyCookie); err == nil {
			for _, i := range cands {
				if groupToken(d.Forward[i].ServerGroupID) == c.Value {
					return v.groups[d.Forward[i].ServerGroupID], ""
				}
			}
		}
	}
	pick := cands[0]
	if len(cands) > 1 {
		v.fwdMu.Lock()
		st := v.fwd[d.RuleIndex]
		if st == nil {
			st = &wrrState{cur: make([]int64, len(d.Forward))}
			v.fwd[d.RuleIndex] = st
		}
		pick = smoothWRR(st.cur, cands, func(i int) int64 { return int64(d.Forward[i].Weight) })
		v.fwdMu.Unlock()
	}
	id := d.Forward[pick].ServerGroupID
	if d.StickySession.Enabled {
		cookie = GroupStickyCookie + "=" + groupToken(id) + "; Max-Age=" + strconv.Itoa(d.StickySession.Timeout) + "; Path=/"
	}
	return v.groups[id], cookie
}

// choice is a member chosen for a request.
type choice struct {
	i         int    // index in the group's members, -1 for none
	setCookie string // Insert: the Set-Cookie to add to the answer
}

// pick chooses a member for a request from clientIP (the group's
// scheduler, its sticky session and the rotation).
func (g *dpGroup) pick(dp *dataPlane, r *http.Request, clientIP netip.Addr, sticky bool) choice {
	var buf [64]int
	cands := buf[:0]
	for i := range g.members {
		if m := &g.members[i]; m.weight > 0 && g.inRotation(m) {
			cands = append(cands, i)
		}
	}
	failOpen := false
	if len(cands) == 0 {
		failOpen = true
		for i := range g.members {
			if g.members[i].weight > 0 {
				cands = append(cands, i)
			}
		}
	}
	if len(cands) == 0 {
		return choice{i: -1}
	}
	if sticky {
		switch g.sticky.typ {
		case "Insert":
			if c, err := r.Cookie(StickyCookie); err == nil {
				if i, ok := g.byToken[c.Value]; ok && contains(cands, i) {
					return choice{i: i}
				}
			}
		case "Server":
			if i, ok := g.serverCookieMember(r); ok && contains(cands, i) {
				return choice{i: i}
			}
		}
	}
	var i int
	switch g.sched {
	case "Sch", "Uch":
		i = g.hashPick(cands, g.hashKey(r, clientIP))
	case "Wlc":
		i = g.leastPick(cands)
	default:
		i = g.wrrPick(dp, cands, failOpen)
	}
	ch := choice{i: i}
	if sticky && g.sticky.typ == "Insert" {
		timeout := g.sticky.timeout
		if timeout <= 0 {
			timeout = 1000
		}
		ch.setCookie = StickyCookie + "=" + g.members[i].srv.token + "; Max-Age=" + strconv.Itoa(int(timeout)) + "; Path=/"
	}
	return ch
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// wrrPick is smooth weighted round robin over cands, with slow start.
func (g *dpGroup) wrrPick(dp *dataPlane, cands []int, failOpen bool) int {
	var now int64
	if g.slow > 0 && !failOpen {
		now = dp.clk.now().UnixNano()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var total int64
	best := -1
	for _, i := range cands {
		m := &g.members[i]
		w := int64(m.weight) * 1000
		if now != 0 {
			if el := now - m.srv.since.Load(); el < int64(g.slow) {
				w = max(1, w*max(el, 0)/int64(g.slow))
			}
		}
		g.cur[i] += w
		total += w
		if best < 0 || g.cur[i] > g.cur[best] {
			best = i
		}
	}
	g.cur[best] -= total
	return best
}

// leastPick is Wlc: the fewest requests in flight for the weight, ties by
// weighted round robin.
func (g *dpGroup) leastPick(cands []int) int {
	var buf [64]int
	ties := buf[:0]
	for _, i := range cands {
		if len(ties) == 0 {
			ties = append(ties, i)
			continue
		}
		a, wa := g.members[i].srv.active.Load(), int64(g.members[i].weight)
		b, wb := g.members[ties[0]].srv.active.Load(), int64(g.members[ties[0]].weight)
		switch {
		case a*wb < b*wa:
			ties = append(ties[:0], i)
		case a*wb == b*wa:
			ties = append(ties, i)
		}
	}
	if len(ties) == 1 {
		return ties[0]
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return smoothWRR(g.cur, ties, func(i int) int64 { return int64(g.members[i].weight) })
}

// smoothWRR is one step of smooth weighted round robin (as nginx does it)
// over the candidates idx, whose running scores are cur: every candidate
// gains its weight, the highest score is picked and loses the total. Over
// any run of picks each candidate's share is exactly its weight's, spread
// evenly. The caller holds the lock that guards cur.
func smoothWRR(cur []int64, idx []int, weight func(int) int64) int {
	var total int64
	best := -1
	for _, i := range idx {
		w := weight(i)
		cur[i] += w
		total += w
		if best < 0 || cur[i] > cur[best] {
			best = i
		}
	}
	cur[best] -= total
	return best
}

// hashKey is what Sch hashes: the UchConfig query parameter when the
// group has one and the request carries it, else the client address.
func (g *dpGroup) hashKey(r *http.Request, clientIP netip.Addr) string {
	if g.uch != "" {
		if v := r.URL.Query().Get(g.uch); v != "" {
			return "q:" + v
		}
	}
	return "ip:" + clientIP.String()
}

// hashPick is weighted rendezvous hashing: the member with the highest
// weight / -ln(hash) wins.
func (g *dpGroup) hashPick(cands []int, key string) int {
	best, bestScore := -1, 0.0
	for _, i := range cands {
		h := fnv.New64a()
		_, _ = h.Write([]byte(key))
		_, _ = h.Write([]byte{0})
		_, _ = h.Write([]byte(g.members[i].srv.token))
		u := (float64(h.Sum64()>>11) + 0.5) / (1 << 53)
		score := float64(g.members[i].weight) / -math.Log(u)
		if best < 0 || score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// serverCookieMember finds the member a Server sticky session's cookie
// names ("value!TOKEN").
func (g *dpGroup) serverCookieMember(r *http.Request) (int, bool) {
	c, err := r.Cookie(g.sticky.cookie)
	if err != nil {
		return 0, false
	}
	j := strings.LastIndexByte(c.Value, '!')
	if j < 0 {
		return 0, false
	}
	i, ok := g.byToken[c.Value[j+1:]]
	return i, ok
}

// stripServerCookie removes the member token from the application cookie
// named name in the Cookie header lines h, so the backend sees its own
// value.
func stripServerCookie(h http.Header, name string, tokens map[string]int) {
	lines := h["Cookie"]
	for li, line := range lines {
		parts := strings.Split(line, ";")
		changed := false
		for pi, p := range parts {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || k != name {
				continue
			}
			if j := strings.LastIndexByte(v, '!'); j >= 0 {
				if _, known := tokens[v[j+1:]]; known {
					parts[pi] = " " + k + "=" + v[:j]
					if pi == 0 {
						parts[pi] = parts[pi][1:]
					}
					changed = true
				}
			}
		}
		if changed {
			lines[li] = strings.Join(parts, ";")
		}
	}
}

// rewriteServerCookie appends "!token" to the value of the cookie named
// name in the backend's Set-Cookie lines.
func rewriteServerCookie(h http.Header, name, token string) {
	for i, line := range h["Set-Cookie"] {
		k, rest, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != name {
			continue
		}
		v, attrs, hasAttrs := strings.Cut(rest, ";")
		v += "!" + token
		if hasAttrs {
			v += ";" + attrs
		}
		h["Set-Cookie"][i] = k + "=" + v
	}
}
