package acs

import (
	"sync"
	"time"
)

// DefaultNonceTTL is the TTL NewNonceCache uses when given a non-positive one: twice the
// default clock skew, so that a request cannot be replayed anywhere in its ±15 minute
// validity window.
const DefaultNonceTTL = 30 * time.Minute

// NonceCache remembers signature nonces for a TTL to reject replays. It is safe for
// concurrent use and its memory is bounded by the number of nonces used within one TTL:
// expired entries are dropped as new ones arrive. Use a TTL of at least twice
// Verifier.MaxSkew, otherwise a request can be replayed after its nonce has expired but
// while its timestamp is still accepted.
type NonceCache struct {
	ttl time.Duration

	mu    sync.Mutex
	seen  map[string]time.Time // nonce → expiry
	queue []nonceEntry         // insertion order, for expiry
	head  int
}

type nonceEntry struct {
	nonce  string
	expiry time.Time
}

// NewNonceCache returns a cache that remembers each nonce for ttl (DefaultNonceTTL if
// ttl <= 0).
func NewNonceCache(ttl time.Duration) *NonceCache {
	if ttl <= 0 {
		ttl = DefaultNonceTTL
	}
	return &NonceCache{ttl: ttl, seen: make(map[string]time.Time)}
}

// Use records nonce at time now and reports whether it was fresh (false = replay).
// A nonce becomes fresh again once its TTL has passed.
func (c *NonceCache) Use(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if exp, ok := c.seen[nonce]; ok && now.Before(exp) {
		return false
	}
	exp := now.Add(c.ttl)
	c.seen[nonce] = exp
	c.queue = append(c.queue, nonceEntry{nonce: nonce, expiry: exp})
	return true
}

// Len returns the number of nonces currently remembered (including ones that expired
// since the last Use).
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// expire drops entries from the front of the queue whose expiry has passed. The queue is
// in insertion order; with a monotonic clock that is expiry order. If the injected clock
// goes backwards, entries may live longer than ttl, never shorter.
func (c *NonceCache) expire(now time.Time) {
	for c.head < len(c.queue) {
		e := c.queue[c.head]
		if now.Before(e.expiry) {
			break
		}
		if exp, ok := c.seen[e.nonce]; ok && exp.Equal(e.expiry) {
			delete(c.seen, e.nonce)
		}
		c.queue[c.head] = nonceEntry{}
		c.head++
	}
	if c.head > 0 && c.head*2 >= len(c.queue) {
		n := copy(c.queue, c.queue[c.head:])
		clear(c.queue[n:])
		c.queue = c.queue[:n]
		c.head = 0
		if cap(c.queue) > 1024 && n*4 < cap(c.queue) {
			c.queue = append([]nonceEntry(nil), c.queue...) // give back the memory of a past burst
		}
	}
}
