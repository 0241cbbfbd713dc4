package albtest

import (
	"net/netip"
	"sync"

	"golang.org/x/time/rate"

	"github.com/albkit/albkit/routing"
)

// Traffic limits (TrafficLimit actions): a token bucket per rule for QPS
// and one per client address for PerIpQps, each holding a second's worth
// of requests (GUESS: the burst), refilled on the server clock, so a test
// on a ManualClock sees exactly QPS requests pass until the clock moves.
// A request over either limit is answered routing.TrafficLimitedStatus.
// The buckets live as long as the rule keeps the same limits.

// limKey names a rule's limits.
type limKey struct {
	listener string
	rule     int // RuleIndex: -1 never has a limit
	id       string
	qps, ip  int
}

// ruleLimiter is a rule's buckets.
type ruleLimiter struct {
	total *rate.Limiter // nil without QPS
	perIP int
	mu    sync.Mutex
	ips   map[netip.Addr]*rate.Limiter
}

// maxLimitedIPs bounds the per-address buckets of a rule (the oldest are
// forgotten all at once beyond it).
const maxLimitedIPs = 65536

// allow takes a token for the request from the rule's buckets.
func (dp *dataPlane) allow(listener string, d *routing.Decision, ip netip.Addr) bool {
	tl := d.TrafficLimit
	k := limKey{listener: listener, rule: d.RuleIndex, id: d.Rule, qps: tl.QPS, ip: tl.PerIPQPS}
	v, ok := dp.limits.Load(k)
	if !ok {
		l := &ruleLimiter{perIP: tl.PerIPQPS, ips: map[netip.Addr]*rate.Limiter{}}
		if tl.QPS > 0 {
			l.total = rate.NewLimiter(rate.Limit(tl.QPS), tl.QPS)
		}
		v, _ = dp.limits.LoadOrStore(k, l)
	}
	l := v.(*ruleLimiter)
	now := dp.clk.now()
	if l.perIP > 0 {
		l.mu.Lock()
		b := l.ips[ip]
		if b == nil {
			if len(l.ips) >= maxLimitedIPs {
				clear(l.ips)
			}
			b = rate.NewLimiter(rate.Limit(l.perIP), l.perIP)
			l.ips[ip] = b
		}
		ok := b.AllowN(now, 1)
		l.mu.Unlock()
		if !ok {
			return false
		}
	}
	return l.total == nil || l.total.AllowN(now, 1)
}
