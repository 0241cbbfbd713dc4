package acs

import (
	"hash/maphash"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The reference definitions below are the straightforward (allocating) forms of the
// canonicalization, as the package had them before canon.go; the tests check that the
// allocation-free forms produce the same bytes.

// canonicalHeaders renders "name:value\n" for each name in order, using host for "host";
// several values of one header are trimmed, sorted and joined with ",".
func refCanonicalHeaders(h http.Header, host string, names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		if n == "host" {
			b.WriteString(strings.TrimSpace(host))
		} else {
			vals := h.Values(n)
			if len(vals) == 1 {
				b.WriteString(strings.TrimSpace(vals[0]))
			} else {
				vs := make([]string, len(vals))
				for i, v := range vals {
					vs[i] = strings.TrimSpace(v)
				}
				sort.Strings(vs)
				b.WriteString(strings.Join(vs, ","))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// canonicalQuery follows darabonba-openapi getCanonicalQueryString: raw keys sorted
// bytewise, "key=QueryEscape(value)" ("key=" when empty) joined by "&", then the RFC 3986
// replacements applied to the whole string (keys included). Every value of a repeated
// key is emitted, in received order.
func refCanonicalQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return rfc3986.Replace(b.String())
}

func refCanonicalURI(path string) string {
	if path == "" {
		path = "/"
	}
	return rfc3986.Replace(path)
}

func refACS3StringToSign(method, path string, q url.Values, headers, signed, payloadHash string) string {
	cr := method + "\n" + refCanonicalURI(path) + "\n" + refCanonicalQuery(q) + "\n" + headers + "\n" + signed + "\n" + payloadHash
	return SchemeACS3 + "\n" + sha256Hex([]byte(cr))
}

// randString draws from an alphabet rich in the characters the replacements and the
// escaping treat specially.
func randString(r *rand.Rand, max int) string {
	const alphabet = "aZ09-_.~ +*%7E&=/?é\x00\t;,"
	n := r.IntN(max + 1)
	var b strings.Builder
	for range n {
		if r.IntN(8) == 0 {
			b.WriteString("%7E")
			continue
		}
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestCanonicalFormsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		q := url.Values{}
		for range r.IntN(6) {
			k := randString(r, 6)
			for range 1 + r.IntN(2) {
				q[k] = append(q[k], randString(r, 10))
			}
		}
		h := http.Header{}
		names := []string{"host"}
		for j := range r.IntN(4) {
			n := "x-acs-" + strings.ToLower(randString(r, 4))
			if j == 0 {
				n = "x-acs-date"
			}
			for range 1 + r.IntN(2) {
				h.Add(n, " "+randString(r, 8)+" ")
			}
			names = append(names, n)
		}
		sort.Strings(names)
		names = compactSorted(names)
		host, path := randString(r, 8), "/"+randString(r, 6)
		if i%7 == 0 {
			path = ""
		}
		want := refACS3StringToSign("POST", path, q, refCanonicalHeaders(h, host, names), strings.Join(names, ";"), "abc")
		got := acs3StringToSign("POST", path, q, h, host, names, strings.Join(names, ";"), "abc")
		if got != want {
			t.Fatalf("query %q headers %v: got %q, want %q", q, h, got, want)
		}
		// The same from the headers gathered as verifyACS3 does, with headers of every
		// case added (only canonical keys are what h.Values finds).
		for range r.IntN(3) {
			k := names[r.IntN(len(names))]
			if r.IntN(2) == 0 {
				k = strings.ToUpper(k)
			}
			h[k] = append(h[k], randString(r, 4))
		}
		want = refACS3StringToSign("POST", path, q, refCanonicalHeaders(h, host, names), strings.Join(names, ";"), "abc")
		var hs acs3Headers
		hs.gather(h, mustSignedList(t, names))
		var sts [acs3STSLen]byte
		acs3StringToSignInto(&sts, "POST", path, q, nil, h, &hs, host, names, strings.Join(names, ";"), "abc")
		if string(sts[:]) != want {
			t.Fatalf("gathered: query %q headers %v: got %q, want %q", q, h, sts, want)
		}
		// An unsigned x-acs-* header is found exactly when there is one.
		h["X-Acs-"+randString(r, 3)] = []string{"v"}
		unsigned := false
		for k := range h {
			unsigned = unsigned || asciiHasPrefixFold(k, "x-acs-") && !slices.Contains(names, strings.ToLower(k))
		}
		var hs2 acs3Headers
		hs2.gather(h, mustSignedList(t, names))
		if (hs2.unsigned != "") != unsigned {
			t.Fatalf("headers %v names %v: unsigned %q, want %v", h, names, hs2.unsigned, unsigned)
		}
	}
}

func FuzzQueryEscape(f *testing.F) {
	for _, s := range []string{"", "a b", "*~%7E+", "é\x00/?&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendQueryEscape3986(nil, s)), rfc3986.Replace(url.QueryEscape(s)); got != want {
			t.Fatalf("appendQueryEscape3986(%q) = %q, want %q", s, got, want)
		}
		if got := string(appendRFC3986(nil, s)); got != rfc3986.Replace(s) {
			t.Fatalf("appendRFC3986(%q) = %q, want %q", s, got, rfc3986.Replace(s))
		}
	})
}

func TestParseTimeFormatMatchesTimeParse(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	check := func(s string) {
		got, ok := parseTimeFormat(s)
		want, err := time.Parse(TimeFormat, s)
		if ok && (err != nil || !got.Equal(want) || got.Location() != want.Location()) {
			t.Fatalf("%q: fast %v, time.Parse %v %v", s, got, want, err)
		}
		if !ok && err == nil && len(s) == len(TimeFormat) {
			t.Fatalf("%q: fast path refused what time.Parse accepts (%v)", s, want)
		}
	}
	for _, s := range []string{"2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
		"0000-01-01T00:00:00Z", "9999-12-31T23:59:60Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z",
		"2024-01-01T24:00:00Z", "2024-01-01 00:00:00Z", "2024-1-01T00:00:00Z", "+024-01-01T00:00:00Z"} {
		check(s)
	}
	const digits = "0123456789"
	for range 200000 {
		b := []byte(TimeFormat)
		for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
			b[i] = digits[r.IntN(10)]
		}
		if r.IntN(50) == 0 {
			b[r.IntN(len(b))] = "x-:TZ +"[r.IntN(7)]
		}
		check(string(b))
	}
}

// TestParseParamsMatchesParseQuery checks ParseParams's own parsing of simple queries
// (and the sorted keys it records) against url.ParseQuery on random raw queries, and the
// canonical query and headers built from what verifyACS3 gathers against the reference.
func TestParseParamsMatchesParseQuery(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "ab=&&%2+;~*Z"
	for range 50000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		raw := b.String()
		req := &http.Request{Method: "POST", URL: &url.URL{Path: "/", RawQuery: raw}, Header: http.Header{}}
		want, werr := url.ParseQuery(raw)
		p, perr := ParseParams(req, nil)
		if (werr != nil) != (perr != nil) {
			t.Fatalf("%q: error %v, url.ParseQuery %v", raw, perr, werr)
		}
		if werr != nil {
			continue
		}
		if !reflect.DeepEqual(p.Query, want) || !reflect.DeepEqual(p.All, want) {
			t.Fatalf("%q: got %v, want %v", raw, p.Query, want)
		}
		if p.nkeys > 0 {
			keys := make([]string, 0, len(want))
			for k := range want {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !slices.Equal(p.keys[:p.nkeys], keys) {
				t.Fatalf("%q: keys %q, want %q", raw, p.keys[:p.nkeys], keys)
			}
		}
		h := http.Header{"X-Acs-Date": {"d"}, "x-acs-raw": {" v "}, "X-Acs-Multi": {"b", " a"}}
		names := []string{"host", "x-acs-date", "x-acs-multi", "x-acs-raw"}
		var hs acs3Headers
		hs.gather(h, mustSignedList(t, names))
		var sts [acs3STSLen]byte
		acs3StringToSignInto(&sts, "POST", "/", p.Query, p.sortedKeys(), h, &hs, "host", names, strings.Join(names, ";"), "x")
		if got, want := string(sts[:]), refACS3StringToSign("POST", "/", want, refCanonicalHeaders(h, "host", names), strings.Join(names, ";"), "x"); got != want {
			t.Fatalf("%q: string to sign %q, want %q", raw, got, want)
		}
	}
}

// The nonce key of a short access key and nonce (hashed from a stack buffer) is the hash
// of what the streaming form writes.
func TestNonceKeyMatchesStreaming(t *testing.T) {
	c := NewNonceCache(0)
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		ak, nonce := randString(r, 30), randString(r, 120)
		var h maphash.Hash
		h.SetSeed(c.seed)
		_, _ = h.WriteString(ak)
		_ = h.WriteByte(0)
		_, _ = h.WriteString(nonce)
		want := h.Sum64()
		if want == 0 {
			want = 1
		}
		if got := c.key(ak, nonce); got != want {
			t.Fatalf("key(%q, %q) = %x, want %x", ak, nonce, got, want)
		}
	}
}

// mustSignedList is the signedList of names (not checked: the tests use names a client
// could not send).
func mustSignedList(t *testing.T, names []string) *signedList {
	t.Helper()
	return newSignedList(strings.Join(names, ";"), names)
}

// TestNonceSetMatchesMap checks nonceSet against a map, with keys crowded into a few
// low-bit values (long probe runs that wrap around the table's end) and growth.
func TestNonceSetMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, spread := range []uint64{0, 3} {
		var s nonceSet
		ref := map[uint64]bool{}
		for range 3000 {
			k := r.Uint64() | 1<<63 // nonzero
			if spread != 0 {
				// Low bits (the first slot probed) among a few values near the end of a
				// 1024-slot table: long runs that wrap around.
				k = k&^(1<<20-1) | (minNonceSlots - 2 + r.Uint64()%spread)
			}
			if s.has(k) != ref[k] {
				t.Fatalf("spread %d: has(%x) = %v, want %v", spread, k, !ref[k], ref[k])
			}
			if !ref[k] {
				s.add(k)
				ref[k] = true
			}
			if s.n != len(ref) || 2*s.n > len(s.slots) {
				t.Fatalf("spread %d: %d keys in %d slots, want %d at most half full", spread, s.n, len(s.slots), len(ref))
			}
		}
		for k := range ref {
			if !s.has(k) {
				t.Fatalf("spread %d: lost %x", spread, k)
			}
		}
	}
}
