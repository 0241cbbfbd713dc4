package acs

import (
	"cmp"
	"hash/maphash"
	"net/http"
	"slices"
	"sync"
	"time"
)

// DefaultNonceWindow is the window NewNonceCache covers when given a non-positive one:
// DefaultMaxSkew.
const DefaultNonceWindow = DefaultMaxSkew

// DefaultNonceCapacity is the number of nonces a NonceCache holds at most unless
// NonceCache.SetCapacity says otherwise. Each takes 16 to 32 bytes (a 64-bit hash in a
// table kept at most half full), so the cache stays under about 16 MB whatever the
// request rate.
const DefaultNonceCapacity = 1 << 19

// CodeServiceUnavailable is returned when the nonce cache is full with nonces of the
// current time bucket only (see NonceCache).
const CodeServiceUnavailable = "ServiceUnavailable"

// nonceBuckets is the number of buckets per window: a bucket spans window/nonceBuckets of
// signed time.
const nonceBuckets = 8

// NonceCache remembers signature nonces to reject replays. It is safe for concurrent use.
//
// A request is accepted only while its signed timestamp t is within ±window of the
// server clock (Verifier.MaxSkew), so a replay of it can only succeed while now-t <=
// window: a nonce has to be remembered until then and no longer. The cache files each
// nonce (a 64-bit keyed hash of access key and nonce, not the nonce itself) in a bucket
// of signed time (window/8 wide) and drops a bucket once every timestamp in it is out of
// the window, so it holds the nonces of about one window of traffic (two for clients
// whose clocks run ahead).
//
// Its size is bounded by a capacity (DefaultNonceCapacity). The cache never accepts a
// replay inside the window it covers: when it is full, it drops its oldest bucket early
// and from then on refuses every request signed before that bucket's end with
// InvalidTimeStamp.Expired (the accepted window shrinks on its old side until real time
// catches up). If the buckets older than the request's are all gone and it is still full
// (more than the capacity of requests signed within window/8), it refuses the request
// with 503 ServiceUnavailable without remembering it.
//
// Once a bucket is dropped (in time or early), timestamps before its end stay refused
// even if the server clock goes backwards.
//
// Two different nonces share a hash with probability 2⁻⁶⁴ (the hash is keyed with a
// random seed, so clients cannot choose colliding nonces): a fresh nonce is taken for a
// replay with probability below capacity/2⁶⁴, about 3·10⁻¹⁴ for a full default cache.
type NonceCache struct {
	window time.Duration
	width  int64 // bucket width in nanoseconds
	seed   maphash.Seed

	mu       sync.Mutex
	capacity int
	n        int           // nonces held
	buckets  []nonceBucket // in increasing idx order
	floor    int64         // Unix ns: signed times before it are refused
	spare    []uint64      // the slots of an emptied set, to reuse
}

type nonceBucket struct {
	idx  int64 // signed time (Unix ns) / width
	seen nonceSet
}

// nonceSet is a set of nonzero 64-bit hashes: open addressing with linear probing in a
// power-of-two table kept at most half full, so that a lookup of a fresh nonce usually
// reads one cache line (a map reads a directory, a table and a group first).
type nonceSet struct {
	slots []uint64 // 0: empty
	n     int
}

// minNonceSlots is the size of a new set's table.
const minNonceSlots = 1024

// has reports whether k is in the set.
func (s *nonceSet) has(k uint64) bool {
	if len(s.slots) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

// add inserts k, which is not in the set.
func (s *nonceSet) add(k uint64) {
	if 2*(s.n+1) > len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, max(2*len(old), minNonceSlots))
		s.n = 0
		for _, o := range old {
			if o != 0 {
				s.add(o)
			}
		}
	}
	mask := uint64(len(s.slots) - 1)
	i := k & mask
	for s.slots[i] != 0 {
		i = (i + 1) & mask
	}
	s.slots[i] = k
	s.n++
}

// NewNonceCache returns a cache that covers signed timestamps within ±window of the server
// clock (DefaultNonceWindow if window <= 0). Give it the Verifier's MaxSkew: the Verifier
// never accepts a larger skew than its cache covers.
func NewNonceCache(window time.Duration) *NonceCache {
	if window <= 0 {
		window = DefaultNonceWindow
	}
	width := int64(window) / nonceBuckets
	if width < 1 {
		width = 1
	}
	return &NonceCache{
		window:   window,
		width:    width,
		seed:     maphash.MakeSeed(),
		capacity: DefaultNonceCapacity,
	}
}

// Window returns the skew the cache covers.
func (c *NonceCache) Window() time.Duration { return c.window }

// SetCapacity sets the number of nonces the cache holds at most (DefaultNonceCapacity if
// n <= 0). A smaller capacity takes effect at the next Use.
func (c *NonceCache) SetCapacity(n int) {
	if n <= 0 {
		n = DefaultNonceCapacity
	}
	c.mu.Lock()
	c.capacity = n
	c.mu.Unlock()
}

// Len returns the number of nonces currently remembered.
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// key returns the nonzero keyed hash of accessKeyID and nonce.
func (c *NonceCache) key(accessKeyID, nonce string) uint64 {
	var k uint64
	var buf [128]byte
	if len(accessKeyID)+1+len(nonce) <= len(buf) {
		// The same hash as below (maphash hashes the concatenation of what is
		// written), in one call.
		k = maphash.Bytes(c.seed, append(append(append(buf[:0], accessKeyID...), 0), nonce...))
	} else {
		var h maphash.Hash
		h.SetSeed(c.seed)
		_, _ = h.WriteString(accessKeyID)
		_ = h.WriteByte(0)
		_, _ = h.WriteString(nonce)
		k = h.Sum64()
	}
	if k == 0 {
		k = 1 // 0 marks an empty slot
	}
	return k
}

// Use records the nonce of a request by accessKeyID signed at signed and received at now.
// It returns nil if the nonce is fresh, SignatureNonceUsed if it was seen within the
// window, InvalidTimeStamp.Expired if signed is before the window the cache still covers,
// and ServiceUnavailable if the cache is full (see NonceCache). The caller has checked
// that signed is within the window of now.
func (c *NonceCache) Use(accessKeyID, nonce string, signed, now time.Time) *Error {
	k := c.key(accessKeyID, nonce)
	st := signed.UnixNano()
	idx := floorDiv(st, c.width)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now.UnixNano())
	if st < c.floor {
		return newError(http.StatusBadRequest, CodeTimeStampExpired,
			"Specified time stamp or date value is expired: the server's nonce cache is full and accepts only timestamps from "+
				time.Unix(0, c.floor).UTC().Format(TimeFormat)+" on.")
	}
	for i := range c.buckets {
		if c.buckets[i].seen.has(k) {
			return newError(http.StatusBadRequest, CodeSignatureNonceUsed, "Specified signature nonce was used already.")
		}
	}
	for c.n >= c.capacity {
		if len(c.buckets) == 0 || c.buckets[0].idx >= idx {
			return newError(http.StatusServiceUnavailable, CodeServiceUnavailable,
				"The request has failed due to a temporary failure of the server: its signature nonce cache is full.")
		}
		c.drop(0)
	}
	c.bucket(idx).add(k)
	c.n++
	return nil
}

// bucket returns the set of bucket idx, adding it in order if needed.
func (c *NonceCache) bucket(idx int64) *nonceSet {
	i, found := slices.BinarySearchFunc(c.buckets, idx, func(b nonceBucket, idx int64) int { return cmp.Compare(b.idx, idx) })
	if !found {
		slots := c.spare
		c.spare = nil
		if n := len(c.buckets); n > 0 {
			// Size a new bucket like the newest one: steady traffic then fills it
			// without growing (and rehashing) it on the request path.
			if want := min(len(c.buckets[n-1].seen.slots), 1<<17); len(slots) < want {
				slots = make([]uint64, want)
			}
		}
		c.buckets = slices.Insert(c.buckets, i, nonceBucket{idx: idx, seen: nonceSet{slots: slots}})
	}
	return &c.buckets[i].seen
}

// expire drops the buckets whose every timestamp is more than window before now.
func (c *NonceCache) expire(now int64) {
	for len(c.buckets) > 0 && (c.buckets[0].idx+1)*c.width+int64(c.window) <= now {
		c.drop(0)
	}
}

// drop forgets bucket i and refuses from then on every timestamp before its end.
func (c *NonceCache) drop(i int) {
	b := c.buckets[i]
	c.buckets = slices.Delete(c.buckets, i, i+1)
	c.n -= b.seen.n
	if end := (b.idx + 1) * c.width; end > c.floor {
		c.floor = end
	}
	if len(b.seen.slots) <= 8192 { // reuse small tables; let big ones go back to the runtime
		clear(b.seen.slots)
		c.spare = b.seen.slots
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
