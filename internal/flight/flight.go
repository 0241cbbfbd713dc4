// Package flight shares the answer of one read between the callers that
// ask for it at the same time, and optionally keeps it for a while: the
// create plans of a fleet ask the same region-level questions (which
// regions and zones offer ALB, whether the service-linked role exists, how
// many instances the region has) hundreds of times at once, and the service
// rate-limits every one of those reads.
//
// A [Group] is keyed by a comparable key. [Group.Do] runs the read for the
// first caller of a key (the leader); callers that arrive while it runs
// wait for its answer. A successful answer is kept for the TTL given to Do
// (0: only the callers that waited share it). Errors are never kept; a
// caller whose leader gave up because of its own context (cancelled or past
// its deadline) while the caller's context is still alive runs the read
// itself, so one impatient caller never fails the others.
package flight

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Group shares reads by key. The zero value is not usable; call [New].
type Group[K comparable, V any] struct {
	now func() time.Time

	mu    sync.Mutex
	calls map[K]*call[V]
	kept  map[K]kept[V]
}

type call[V any] struct {
	done    chan struct{}
	waiters int // callers waiting on done, guarded by the Group's mu
	val     V
	err     error
	leader  context.Context
}

type kept[V any] struct {
	val   V
	until time.Time
}

// New returns a Group that reads the time from now (for the TTLs).
func New[K comparable, V any](now func() time.Time) *Group[K, V] {
	return &Group[K, V]{now: now, calls: map[K]*call[V]{}, kept: map[K]kept[V]{}}
}

// Do returns the answer for key: a kept one younger than ttl, the one a
// read in flight brings, or the one fn brings when this caller leads. The
// second result reports whether the answer was shared (kept or brought by
// another caller's read).
func (g *Group[K, V]) Do(ctx context.Context, key K, ttl time.Duration, fn func(context.Context) (V, error)) (V, bool, error) {
	for {
		g.mu.Lock()
		if k, ok := g.kept[key]; ok {
			if g.now().Before(k.until) {
				g.mu.Unlock()
				return k.val, true, nil
			}
			delete(g.kept, key)
		}
		if c, ok := g.calls[key]; ok {
			c.waiters++
			g.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				g.mu.Lock()
				c.waiters--
				g.mu.Unlock()
				var zero V
				return zero, false, ctx.Err()
			}
			if c.err != nil && c.leader.Err() != nil && ctx.Err() == nil {
				continue // the leader gave up for its own reasons: ask again
			}
			return c.val, true, c.err
		}
		c := &call[V]{done: make(chan struct{}), leader: ctx}
		g.calls[key] = c
		g.mu.Unlock()
		g.lead(ctx, key, ttl, c, fn)
		return c.val, false, c.err
	}
}

// lead runs fn for the callers of key; a panic in fn still releases them
// (with an error) before it goes on up the leader's stack.
func (g *Group[K, V]) lead(ctx context.Context, key K, ttl time.Duration, c *call[V], fn func(context.Context) (V, error)) {
	finished := false
	defer func() {
		if !finished {
			c.err = errPanicked
		}
		g.mu.Lock()
		delete(g.calls, key)
		if c.err == nil && ttl > 0 {
			now := g.now()
			if len(g.kept) >= sweepAt {
				for k, v := range g.kept {
					if !now.Before(v.until) {
						delete(g.kept, k)
					}
				}
			}
			g.kept[key] = kept[V]{val: c.val, until: now.Add(ttl)}
		}
		g.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn(ctx)
	finished = true
}

// sweepAt is the number of kept answers from which keeping one more first
// drops the expired ones.
const sweepAt = 64

// errPanicked is the answer the callers waiting on a read get when the
// read panicked in its leader.
var errPanicked = errors.New("flight: the shared read panicked")

// Waiting returns how many callers wait on the read of key in flight (0
// when none is), for tests and metrics.
func (g *Group[K, V]) Waiting(key K) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.calls[key]; ok {
		return c.waiters
	}
	return 0
}

// Kept returns how many answers are kept (expired ones included until they
// are dropped), for tests and metrics.
func (g *Group[K, V]) Kept() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.kept)
}

// Forget drops the kept answer for key (a read in flight is not affected).
func (g *Group[K, V]) Forget(key K) {
	g.mu.Lock()
	delete(g.kept, key)
	g.mu.Unlock()
}
