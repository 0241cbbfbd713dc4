package acs

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// This file holds the allocation-free building blocks of both signatures: the canonical
// request is written into a pooled buffer and hashed there, and HMAC states keyed by a
// secret are pooled per secret. sign.go and verify.go use them; reference_test.go checks
// them against the straightforward definitions on random input.

const upperHex = "0123456789ABCDEF"
const lowerHex = "0123456789abcdef"

// appendRFC3986 appends s with the replacements of rfc3986 (strings.Replacer semantics:
// leftmost first, no overlaps): "+" → "%20", "*" → "%2A", "%7E" → "~".
func appendRFC3986[T string | []byte](b []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, "%20"...)
		case c == '*':
			b = append(b, "%2A"...)
		case c == '%' && i+2 < len(s) && s[i+1] == '7' && s[i+2] == 'E':
			b = append(b, '~')
			i += 2
		default:
			b = append(b, c)
		}
	}
	return b
}

// sortedKeys returns the keys of q sorted bytewise, in buf when it is large enough.
func sortedKeys(q url.Values, buf []string) []string {
	keys := buf[:0]
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendCanonicalQuery appends canonicalQuery(q) (see sign.go); keys are q's keys sorted,
// or nil to look them up. canonicalQuery applies the RFC 3986 replacements to the whole
// "k=QueryEscape(v)&…" string; no replaced pattern can span a '=' or '&', so they are
// applied here to each key (raw) and each escaped value (where only "+", from a space,
// can occur: QueryEscape leaves '~' alone and escapes '*').
func appendCanonicalQuery(b []byte, q url.Values, keys []string) []byte {
	if len(q) == 0 {
		return b
	}
	var kb [16]string
	if keys == nil {
		keys = sortedKeys(q, kb[:])
	}
	first := true
	for _, k := range keys {
		for _, v := range q[k] {
			if !first {
				b = append(b, '&')
			}
			first = false
			b = appendRFC3986(b, k)
			b = append(b, '=')
			b = appendQueryEscape3986(b, v)
		}
	}
	return b
}

// appendQueryEscape3986 appends rfc3986.Replace(url.QueryEscape(s)): A–Z a–z 0–9 - _ . ~
// stay, every other byte becomes %XX (uppercase), a space "%20".
func appendQueryEscape3986(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b = append(b, c)
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// headerValues returns h's values for a lowercase header name, as h.Values(name) does,
// without allocating for names made of a–z, 0–9 and '-'.
func headerValues(h http.Header, name string) []string {
	var kb [64]byte
	if len(name) > len(kb) {
		return h.Values(name)
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case '0' <= c && c <= '9', c == '-':
		default:
			return h[textproto.CanonicalMIMEHeaderKey(name)]
		}
		kb[i] = c
		upper = c == '-'
	}
	return h[string(kb[:len(name)])]
}

// appendCanonicalHeaders appends "name:value\n" for each name in order, using host for
// "host"; several values of one header are trimmed, sorted and joined with ",". hs, when
// not nil, holds h gathered.
func appendCanonicalHeaders(b []byte, h http.Header, hs *acs3Headers, host string, names []string) []byte {
	for i, n := range names {
		b = append(b, n...)
		b = append(b, ':')
		if n == "host" {
			b = append(b, strings.TrimSpace(host)...)
		} else {
			var vals []string
			if hs != nil && hs.matched {
				vals = hs.vals[i]
			} else {
				vals = headerValues(h, n)
			}
			if len(vals) == 1 {
				b = append(b, strings.TrimSpace(vals[0])...)
			} else {
				vs := make([]string, len(vals))
				for i, v := range vals {
					vs[i] = strings.TrimSpace(v)
				}
				slices.Sort(vs)
				b = append(b, strings.Join(vs, ",")...)
			}
		}
		b = append(b, '\n')
	}
	return b
}

// acs3StringToSignInto writes the ACS3 string to sign ("ACS3-HMAC-SHA256\n" + hex SHA-256
// of the canonical request) into sts and returns its length.
func acs3StringToSignInto(sts *[acs3STSLen]byte, method, path string, q url.Values, keys []string, h http.Header, hs *acs3Headers,
	host string, names []string, signed, payloadHash string) {
	var stack [1024]byte // the canonical request of a usual call fits
	b := stack[:0]
	b = append(b, method...)
	b = append(b, '\n')
	if path == "" {
		path = "/"
	}
	b = appendRFC3986(b, path)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, q, keys)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, h, hs, host, names)
	b = append(b, '\n')
	b = append(b, signed...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	sum := sha256.Sum256(b)
	n := copy(sts[:], SchemeACS3+"\n")
	for i, c := range sum {
		sts[n+2*i], sts[n+2*i+1] = lowerHex[c>>4], lowerHex[c&15]
	}
}

// macPool hands out HMAC states keyed by one secret; Reset restores the keyed state
// without rehashing the key.
type macPool struct {
	pool sync.Pool
}

type macState struct {
	h       hash.Hash
	sum     [32]byte
	scratch [acs3STSLen]byte // the message, copied here so that the caller's stays on its stack
}

// acs3STSLen is the length of an ACS3 string to sign.
const acs3STSLen = len(SchemeACS3) + 1 + 64

// macCache pools HMAC states per (algorithm, key). It holds at most maxMacKeys keys;
// beyond that, states are built for each use.
type macCache struct {
	last atomic.Pointer[macEntry] // the pool used last: most servers have one secret
	mu   sync.Mutex
	m    map[macKey]*macPool
}

type macEntry struct {
	k macKey
	p *macPool
}

type macKey struct {
	sha1 bool
	key  string
}

const maxMacKeys = 256

func (c *macCache) get(k macKey) (*macPool, *macState) {
	var p *macPool
	if e := c.last.Load(); e != nil && e.k == k {
		p = e.p
	} else {
		c.mu.Lock()
		p = c.m[k]
		if p == nil && len(c.m) < maxMacKeys {
			if c.m == nil {
				c.m = make(map[macKey]*macPool)
			}
			p = &macPool{}
			c.m[k] = p
		}
		c.mu.Unlock()
		if p != nil {
			c.last.Store(&macEntry{k, p})
		}
	}
	if p != nil {
		if s, ok := p.pool.Get().(*macState); ok {
			s.h.Reset()
			return p, s
		}
	}
	h := sha256.New
	if k.sha1 {
		h = sha1.New
	}
	return p, &macState{h: hmac.New(h, []byte(k.key))}
}

// mac returns HMAC(key, msg) in out (32 bytes for SHA-256, 20 for SHA-1).
func (c *macCache) mac(k macKey, msg []byte, out []byte) int {
	p, s := c.get(k)
	s.h.Write(msg)
	sum := s.h.Sum(s.sum[:0])
	n := copy(out, sum)
	if p != nil {
		p.pool.Put(s)
	}
	return n
}

// macACS3 returns HMAC-SHA256(key, sts) in out.
func (c *macCache) macACS3(key string, sts *[acs3STSLen]byte, out *[32]byte) {
	p, s := c.get(macKey{key: key})
	s.scratch = *sts
	s.h.Write(s.scratch[:])
	copy(out[:], s.h.Sum(s.sum[:0]))
	if p != nil {
		p.pool.Put(s)
	}
}

// decodeHex decodes a hex string (either case) into out; it reports false unless s is
// exactly 2*len(out) hex digits.
func decodeHex(out []byte, s string) bool {
	if len(s) != 2*len(out) {
		return false
	}
	for i := range out {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		out[i] = hi<<4 | lo
	}
	return true
}

func unhex(c byte) (byte, bool) {
	v := unhexTable[c]
	return v, v != 0xff
}

// unhexTable maps a hex digit (either case) to its value and every other byte to 0xff.
var unhexTable = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		switch {
		case '0' <= c && c <= '9':
			t[i] = c - '0'
		case 'a' <= c && c <= 'f':
			t[i] = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			t[i] = c - 'A' + 10
		default:
			t[i] = 0xff
		}
	}
	return t
}()

// asciiHasPrefixFold reports whether s starts with the lowercase ASCII prefix, ignoring
// ASCII case.
func asciiHasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiEqualFold(s[:len(prefix)], prefix)
}

// asciiEqualFold reports whether a and lower are equal ignoring ASCII case (lower is all
// lowercase); non-ASCII bytes must match exactly.
func asciiEqualFold(a, lower string) bool {
	if len(a) != len(lower) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
