// Package batch coalesces concurrent reads of single items into batched
// calls: many waits polling resources of one kind share one list call by
// IDs (ListLoadBalancers with LoadBalancerIds.N, ListAsynJobs with
// JobIds.N, ...), so the number of read requests grows with the number of
// batches, not with the number of waits.
//
// A [Group] serves Get(ctx, key). A key joins the batch that is still
// being filled (at most MaxKeys keys, a key asked for twice is asked once);
// a batch is sent when it is full, or when its linger has passed, or at
// once when a single caller is watching the group (nobody to wait for). At
// most MaxInFlight calls run at once: while they do, the batch being filled
// keeps filling, so a group paced by a rate limiter sends fuller batches
// instead of more calls.
//
// Each caller keeps its own bound: a Get returns when its context ends,
// whatever its batch is doing, and a batch whose every caller has left is
// cancelled. A batch's call runs under a context that carries the values of
// the caller that opened the batch (trace and log attributes, say) but not
// its cancellation, bounded (on the group's clock, see internal/clock) by
// the earliest bound among its callers; a caller whose own bound has not passed when its batch
// was cut short by another's joins the next batch instead of failing. The
// call's answer, or its error, reaches every caller in the batch.
package batch

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/albkit/albkit/internal/clock"
)

// Fetch reads the items of keys in one call. A key missing from the map was
// not found. It is called with at most MaxKeys distinct keys.
type Fetch[K comparable, V any] func(ctx context.Context, keys []K) (map[K]V, error)

// Options shape a Group.
type Options struct {
	// MaxKeys is the most keys one call takes [20].
	MaxKeys int
	// Linger is how long a batch waits for more keys after its first one
	// while more than one caller watches the group (see Group.Watch)
	// [0: sent at once].
	Linger time.Duration
	// MaxInFlight is the most calls at once [4].
	MaxInFlight int
	// Clock is the time source of the linger and the bounds [wall clock].
	Clock clock.Clock
}

// Group coalesces Gets of keys into calls of Fetch. It is safe for
// concurrent use. The zero value is not usable; call [New].
type Group[K comparable, V any] struct {
	fetch Fetch[K, V]
	o     Options
	clk   clock.Clock

	mu       sync.Mutex
	queue    []*call[K, V] // batches not sent yet, oldest first
	inFlight int
	watchers int
	stats    Stats
}

// Stats counts what a Group did.
type Stats struct {
	Gets  int // Get calls answered from a call (a caller that left early is not counted)
	Calls int // calls of Fetch
	Keys  int // keys sent, over all calls
}

// call is one batch: the keys it reads, who waits for it, and its answer.
type call[K comparable, V any] struct {
	keys    []K
	waiting map[K]int // callers per key, while the batch is not sent
	members int       // callers waiting for the answer
	ready   bool      // full, or its linger passed: send when a slot frees
	sent    bool
	bound   time.Time       // earliest bound among the callers (clock time); zero: none
	base    context.Context // the values of the caller that opened the batch
	cancel  context.CancelFunc

	done chan struct{}
	vals map[K]V
	err  error
	cut  bool // the call's own context ended it (a caller's bound, or every caller left)
}

// New returns a Group that reads with fetch.
func New[K comparable, V any](fetch Fetch[K, V], o Options) *Group[K, V] {
	if o.MaxKeys <= 0 {
		o.MaxKeys = 20
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 4
	}
	return &Group[K, V]{fetch: fetch, o: o, clk: clock.Or(o.Clock)}
}

// Watch registers a caller that will Get repeatedly (a wait) until the
// returned function is called. While more than one caller watches, a batch
// lingers for others before it is sent.
func (g *Group[K, V]) Watch() (stop func()) {
	g.mu.Lock()
	g.watchers++
	g.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.watchers--
			g.mu.Unlock()
		})
	}
}

// Watching returns how many callers watch the group now.
func (g *Group[K, V]) Watching() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.watchers
}

// Stats returns what the group did so far.
func (g *Group[K, V]) Stats() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stats
}

// Get returns key's item from a batched call: found is false when the call
// answered without it. err is the call's error, or ctx's when ctx ended
// first.
func (g *Group[K, V]) Get(ctx context.Context, key K) (v V, found bool, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return v, false, err
		}
		b := g.join(ctx, key)
		select {
		case <-b.done:
		case <-ctx.Done():
			if !g.boundedBy(b, ctx) {
				g.leave(b, key)
				return v, false, ctx.Err()
			}
			// The call ends at this caller's bound too (its bound is the
			// call's): its answer, the last attempt's error say, tells
			// more than the bare deadline, and comes at once.
			<-b.done
		}
		if b.cut && b.err != nil && ctx.Err() == nil && !clock.Passed(ctx, g.clk) {
			continue // cut short by another caller's bound: this one has time left
		}
		v, found = b.vals[key]
		return v, found, b.err
	}
}

// boundedBy reports whether b was sent with a bound at or before ctx's
// (so that b's call ends by then too).
func (g *Group[K, V]) boundedBy(b *call[K, V], ctx context.Context) bool {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return false
	}
	bound, ok := clock.DeadlineOn(ctx, g.clk)
	g.mu.Lock()
	defer g.mu.Unlock()
	return ok && b.sent && !b.bound.IsZero() && !b.bound.After(bound)
}

// join adds key to a batch that is not sent yet (a new one if none has
// room) and returns it.
func (g *Group[K, V]) join(ctx context.Context, key K) *call[K, V] {
	bound, hasBound := clock.DeadlineOn(ctx, g.clk)
	g.mu.Lock()
	defer g.mu.Unlock()
	var b *call[K, V]
	for _, q := range g.queue {
		if _, ok := q.waiting[key]; ok || len(q.keys) < g.o.MaxKeys {
			b = q
			break
		}
	}
	if b == nil {
		b = &call[K, V]{waiting: map[K]int{}, done: make(chan struct{}), base: context.WithoutCancel(ctx)}
		g.queue = append(g.queue, b)
		if g.o.Linger > 0 && g.watchers > 1 {
			go g.linger(b)
		} else {
			b.ready = true
		}
	}
	if b.waiting[key] == 0 {
		b.keys = append(b.keys, key)
	}
	b.waiting[key]++
	b.members++
	if hasBound && (b.bound.IsZero() || bound.Before(b.bound)) {
		b.bound = bound
	}
	if len(b.keys) >= g.o.MaxKeys {
		b.ready = true
	}
	g.dispatchLocked()
	return b
}

// linger marks b ready once the linger has passed.
func (g *Group[K, V]) linger(b *call[K, V]) {
	_ = g.clk.Sleep(context.Background(), g.o.Linger)
	g.mu.Lock()
	b.ready = true
	g.dispatchLocked()
	g.mu.Unlock()
}

// leave withdraws a caller of key whose context ended: from the batch's
// keys while it is not sent, and the whole call once nobody waits for it.
func (g *Group[K, V]) leave(b *call[K, V], key K) {
	g.mu.Lock()
	defer g.mu.Unlock()
	b.members--
	if b.sent {
		if b.members == 0 && b.cancel != nil {
			b.cancel()
		}
		return
	}
	if b.waiting[key]--; b.waiting[key] == 0 {
		delete(b.waiting, key)
		for i, k := range b.keys {
			if k == key {
				b.keys = append(b.keys[:i], b.keys[i+1:]...)
				break
			}
		}
	}
	if len(b.keys) == 0 {
		for i, q := range g.queue {
			if q == b {
				g.queue = append(g.queue[:i], g.queue[i+1:]...)
				break
			}
		}
		// Nobody will read its answer; close it for any linger still pending.
		b.sent = true
		close(b.done)
	}
}

// dispatchLocked sends the oldest ready batches while calls may start.
func (g *Group[K, V]) dispatchLocked() {
	for g.inFlight < g.o.MaxInFlight && len(g.queue) > 0 && g.queue[0].ready {
		b := g.queue[0]
		g.queue = g.queue[1:]
		b.sent = true
		g.inFlight++
		g.stats.Calls++
		g.stats.Keys += len(b.keys)
		ctx, cancel := context.WithCancel(b.base)
		if !b.bound.IsZero() {
			var c2 context.CancelFunc
			ctx, c2 = clock.WithDeadline(ctx, g.clk, b.bound)
			prev := cancel
			cancel = func() { c2(); prev() }
		}
		b.cancel = cancel
		keys := append([]K(nil), b.keys...)
		go g.run(ctx, b, keys)
	}
}

// run makes b's call and hands its answer to its callers.
func (g *Group[K, V]) run(ctx context.Context, b *call[K, V], keys []K) {
	vals, err := g.fetch(ctx, keys)
	cut := err != nil && (ctx.Err() != nil || clock.Passed(ctx, g.clk))
	g.mu.Lock()
	b.vals, b.err, b.cut = vals, err, cut
	g.stats.Gets += b.members
	g.inFlight--
	b.cancel()
	close(b.done)
	g.dispatchLocked()
	g.mu.Unlock()
}
