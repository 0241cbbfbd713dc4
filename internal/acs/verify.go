package acs

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultMaxSkew is the clock skew Verifier allows when MaxSkew is zero.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks signatures. Zero MaxSkew means DefaultMaxSkew (15 minutes). Now nil
// means time.Now. Nonces nil means no replay check; with Nonces, the accepted skew is at
// most the window the cache covers (NonceCache.Window). A Verifier is safe for concurrent
// use if Lookup is; do not copy one after first use.
type Verifier struct {
	Lookup  Lookup
	Now     func() time.Time
	MaxSkew time.Duration
	Nonces  *NonceCache

	macs       macCache                   // keyed HMAC states, pooled per secret
	lastSigned atomic.Pointer[signedList] // the SignedHeaders parsed last
	lastAuth   atomic.Pointer[acs3Auth]   // the Authorization header parsed last
}

// Verify checks r, whose body the caller has already read into body. It accepts either
// ACS3-HMAC-SHA256 (Authorization header, x-acs-* headers, x-acs-content-sha256 body hash)
// or the classic RPC signature (Signature, SignatureMethod=HMAC-SHA1, SignatureVersion=1.0,
// AccessKeyId, Timestamp, SignatureNonce in the query; a POST may carry form-encoded body
// parameters which are covered by the signature too).
// STS: ACS3 carries x-acs-accesskey-id and x-acs-security-token headers; RPC carries
// SecurityToken in the query.
//
// The result is a *Error, not an error: test it with e != nil before storing it in an
// error variable (a nil *Error in an error interface is not == nil). r and body are not
// modified.
func (v *Verifier) Verify(r *http.Request, body []byte) (Verified, *Error) {
	if v == nil || v.Lookup == nil {
		return Verified{}, errNoLookup()
	}
	if auth := header(r.Header, hAuthorization); isACS3(auth) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return v.verifyACS3(r, auth, body, nil, nil, errQuery(), v.now())
		}
		return v.verifyACS3(r, auth, body, q, nil, nil, v.now())
	}
	p, e := ParseParams(r, body)
	if e != nil {
		return Verified{}, e
	}
	return v.verifyRPC(r, p.All, v.now())
}

// isACS3 reports whether the Authorization header value auth names an ACS3 scheme.
func isACS3(auth string) bool { return strings.HasPrefix(auth, "ACS3-") }

func errQuery() *Error {
	return newError(http.StatusBadRequest, CodeInvalidParameter, "The query string is malformed.")
}

// Params are a request's parameters, parsed once for the verifier and the server.
type Params struct {
	// Query is the URL query (r.URL.RawQuery parsed).
	Query url.Values
	// All is Query plus, for a form-encoded body, the body parameters (appended after the
	// query values of the same key): what the classic RPC signature covers. It is Query
	// itself when there is no form body; do not modify either.
	All url.Values

	// keys are Query's keys sorted (nkeys of them), when ParseParams learnt them while
	// parsing (nkeys 0: look them up in Query).
	keys  [maxSimpleKeys]string
	nkeys int
}

// sortedKeys returns Query's keys sorted if ParseParams recorded them, else nil.
func (p *Params) sortedKeys() []string {
	if p.nkeys == 0 {
		return nil
	}
	return p.keys[:p.nkeys]
}

// maxSimpleKeys is the most query parameters parseSimpleQuery parses.
const maxSimpleKeys = 8

// ParseParams parses r's query and, when the Content-Type is
// application/x-www-form-urlencoded, its form body (already read into body).
func ParseParams(r *http.Request, body []byte) (Params, *Error) {
	return ParseParamsInto(r, body, nil)
}

// ParseParamsInto is ParseParams parsing a simple query (at most 8 parameters, neither
// '%', '+' nor ';') into m when m is not nil: an empty map the caller may clear and reuse
// once it is done with the Params and every map and slice in them.
func ParseParamsInto(r *http.Request, body []byte, m url.Values) (Params, *Error) {
	var p Params
	q, ok := parseSimpleQuery(r.URL.RawQuery, &p, m)
	if !ok {
		var err error
		if q, err = url.ParseQuery(r.URL.RawQuery); err != nil {
			return Params{}, errQuery()
		}
		p.nkeys = 0
	}
	p.Query, p.All = q, q
	if len(body) == 0 || !isFormContent(r.Header["Content-Type"]) {
		return p, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Params{}, newError(http.StatusBadRequest, CodeInvalidParameter, "The form-encoded request body is malformed.")
	}
	if len(form) == 0 {
		return p, nil
	}
	p.All = make(url.Values, len(q)+len(form))
	for k, vs := range q {
		p.All[k] = vs
	}
	for k, vs := range form {
		p.All[k] = append(p.All[k][:len(p.All[k]):len(p.All[k])], vs...)
	}
	return p, nil
}

// parseSimpleQuery parses a query as url.ParseQuery does when it has at most
// maxSimpleKeys parameters and neither '%', '+' nor ';' (so that unescaping changes
// nothing and no error is possible), and records its keys sorted in p. It reports false,
// without parsing, for any other query.
func parseSimpleQuery(raw string, p *Params, q url.Values) (url.Values, bool) {
	if q == nil {
		q = make(url.Values, 1)
	}
	if len(raw) == 0 {
		return q, true
	}
	if !simpleQuery(raw) {
		return nil, false
	}
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		vs, seen := q[k]
		q[k] = append(vs, v)
		if !seen {
			p.keys[p.nkeys] = k
			p.nkeys++
		}
	}
	slices.Sort(p.keys[:p.nkeys])
	return q, true
}

// simpleQuery reports whether raw has at most maxSimpleKeys parameters and neither '%',
// '+' nor ';'.
func simpleQuery(raw string) bool {
	amps := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '%', '+', ';':
			return false
		case '&':
			if amps++; amps >= maxSimpleKeys {
				return false
			}
		}
	}
	return true
}

func isFormContent(ct []string) bool {
	if len(ct) == 0 {
		return false
	}
	if ct[0] == "application/x-www-form-urlencoded" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct[0])
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// VerifyParams is Verify for a request whose parameters the caller has parsed with
// ParseParams (r and body unchanged since).
func (v *Verifier) VerifyParams(r *http.Request, body []byte, p Params) (Verified, *Error) {
	return v.VerifyParamsAt(r, body, p, v.now())
}

// VerifyParamsAt is VerifyParams with the server's time given: now, not Now(), is what
// the request's timestamp is checked against.
func (v *Verifier) VerifyParamsAt(r *http.Request, body []byte, p Params, now time.Time) (Verified, *Error) {
	if v == nil || v.Lookup == nil {
		return Verified{}, errNoLookup()
	}
	if auth := header(r.Header, hAuthorization); isACS3(auth) {
		return v.verifyACS3(r, auth, body, p.Query, p.sortedKeys(), nil, now)
	}
	return v.verifyRPC(r, p.All, now)
}

func errNoLookup() *Error {
	return newError(http.StatusInternalServerError, CodeInternalError, "The request processing has failed due to some unknown error.")
}

// skew returns the accepted skew: MaxSkew (DefaultMaxSkew if zero), and no more than the
// window the nonce cache covers.
func (v *Verifier) skew() time.Duration {
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if v.Nonces != nil && v.Nonces.Window() < skew {
		skew = v.Nonces.Window()
	}
	return skew
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// checkTime parses a timestamp and checks it against the allowed skew.
func (v *Verifier) checkTime(s string, now time.Time) (time.Time, *Error) {
	t, ok := parseTimeFormat(s)
	var err error
	if !ok {
		t, err = time.Parse(TimeFormat, s)
	}
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return time.Time{}, newError(http.StatusBadRequest, CodeTimeStampFormat,
			"Specified time stamp or date value is not well formatted.")
	}
	skew := v.skew()
	if d := now.Sub(t); d > skew || d < -skew {
		return time.Time{}, newError(http.StatusBadRequest, CodeTimeStampExpired,
			"Specified time stamp or date value is expired.")
	}
	return t.UTC(), nil
}

func (v *Verifier) lookup(ak string) (Credential, *Error) {
	cred, ok := v.Lookup(ak)
	if !ok || cred.AccessKeySecret == "" {
		return Credential{}, errNotFound()
	}
	return cred, nil
}

// checkToken compares the token the request carries with the registered one.
func checkToken(cred Credential, got string) *Error {
	switch {
	case cred.SecurityToken == "" && got == "":
		return nil
	case cred.SecurityToken != "" && got == "":
		return newError(http.StatusBadRequest, CodeMissingSecurityToken, "SecurityToken is mandatory for this action.")
	case subtle.ConstantTimeCompare([]byte(cred.SecurityToken), []byte(got)) != 1:
		return errTokenMismatch()
	}
	return nil
}

func (v *Verifier) checkNonce(ak, nonce string, signed, now time.Time) *Error {
	if v.Nonces == nil {
		return nil
	}
	return v.Nonces.Use(ak, nonce, signed, now)
}

// Canonical forms of the header names Verify reads (net/http canonicalizes received
// header names), so that lookups do not allocate.
const (
	hAuthorization = "Authorization"
	hDate          = "X-Acs-Date"
	hNonce         = "X-Acs-Signature-Nonce"
	hContentSHA256 = "X-Acs-Content-Sha256"
	hAccessKeyID   = "X-Acs-Accesskey-Id"
	hSecurityToken = "X-Acs-Security-Token"
)

func header(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// isLower reports whether s == strings.ToLower(s).
func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return s == strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// signedHas reports whether the lowercase form of header name k is in names.
func signedHas(names []string, k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= 0x80 {
			return slices.Contains(names, strings.ToLower(k))
		}
	}
	for _, n := range names {
		if asciiEqualFold(k, n) {
			return true
		}
	}
	return false
}

// acs3Headers is what verifyACS3 reads of the request headers, gathered in one pass
// over them: the values of the headers it needs (h[canonical name][0], "" if absent), an
// x-acs-* header that is not signed and, when matched (see gather), the values of each
// signed header.
type acs3Headers struct {
	date, nonce, payload, ak, token string
	unsigned                        string // an x-acs-* header not in SignedHeaders

	// matched reports that vals[i] is h[CanonicalMIMEHeaderKey(names[i])] for every
	// signed name i (nil when absent), so that the canonical headers need no lookup.
	matched bool
	vals    [16][]string
}

// maxMatchedName is the longest header name gather matches to a signed name.
const maxMatchedName = 64

// signedList is a parsed SignedHeaders value: its names (each non-empty and lowercase,
// none twice) and what gather needs to match header keys to them. A client sends the
// same list with every request, so a Verifier keeps the last one it parsed.
type signedList struct {
	list  string
	names []string
	host  bool // "host" is signed

	// matchable: at most len(acs3Headers.vals) names, each of a–z, 0–9 and '-' and at
	// most maxMatchedName long; then canon[i] is CanonicalMIMEHeaderKey(names[i]) (an
	// upper case letter first and after each '-', lower case elsewhere) and lens has bit l
	// set when a name is l bytes long (l < 64).
	matchable bool
	canon     []string
	lens      uint64
}

// parseSignedList parses a SignedHeaders value; false if it is malformed.
func parseSignedList(list string) (*signedList, bool) {
	var names []string
	var many map[string]bool // duplicate check for long lists (a short one is searched)
	for rest := list; ; {
		n, more, found := strings.Cut(rest, ";")
		dup := false
		if len(names) < 32 {
			dup = slices.Contains(names, n)
		} else {
			if many == nil {
				many = make(map[string]bool)
				for _, x := range names {
					many[x] = true
				}
			}
			dup = many[n]
			many[n] = true
		}
		if n == "" || !isLower(n) || dup {
			return nil, false
		}
		names = append(names, n)
		if !found {
			break
		}
		rest = more
	}
	return newSignedList(list, names), true
}

// newSignedList returns the signedList of names, which list joins.
func newSignedList(list string, names []string) *signedList {
	sl := &signedList{list: list, names: names, host: slices.Contains(names, "host")}
	sl.matchable = len(sl.names) <= len(acs3Headers{}.vals)
	for _, n := range sl.names {
		if len(n) > maxMatchedName || !simpleName(n) {
			sl.matchable = false
		}
	}
	if sl.matchable {
		sl.canon = make([]string, len(sl.names))
		for i, n := range sl.names {
			sl.canon[i] = textproto.CanonicalMIMEHeaderKey(n)
			if len(n) < 64 {
				sl.lens |= 1 << len(n)
			}
		}
	}
	return sl
}

// acs3Auth is an Authorization header parsed up to its signature. A client sends the same
// credential and SignedHeaders with every request, so a Verifier keeps the last one.
type acs3Auth struct {
	prefix string // SchemeACS3 + " Credential=" + ak + ",SignedHeaders=" + list + ",Signature="
	ak     string
	signed *signedList
}

// parseAuthorization parses an ACS3 Authorization header. A header that is the last one's
// prefix followed by 64 hex digits is not parsed again: the general parse gives the same
// result for it.
func (v *Verifier) parseAuthorization(auth string) (ak string, sl *signedList, sig string, e *Error) {
	if a := v.lastAuth.Load(); a != nil && len(auth) == len(a.prefix)+2*sha256.Size && auth[:len(a.prefix)] == a.prefix {
		var sum [sha256.Size]byte
		if sig = auth[len(a.prefix):]; decodeHex(sum[:], sig) {
			return a.ak, a.signed, sig, nil
		}
	}
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != SchemeACS3 {
		return "", nil, "", newError(http.StatusBadRequest, CodeInvalidSignatureMethod,
			"Specified signature method is not supported. Only "+SchemeACS3+" is accepted.")
	}
	var list string
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, "", errIncomplete("The Authorization header is malformed.")
		}
		switch k {
		case "Credential":
			ak = val
		case "SignedHeaders":
			list = val
		case "Signature":
			sig = val
		}
	}
	if ak == "" || list == "" || sig == "" {
		return "", nil, "", errIncomplete("The Authorization header needs Credential, SignedHeaders and Signature.")
	}
	sl, ok := v.signedList(list)
	if !ok {
		return "", nil, "", errIncomplete("SignedHeaders is malformed.")
	}
	if prefix := SchemeACS3 + " Credential=" + ak + ",SignedHeaders=" + list + ",Signature="; auth == prefix+sig {
		v.lastAuth.Store(&acs3Auth{prefix: prefix, ak: ak, signed: sl})
	}
	return ak, sl, sig, nil
}

// signedList returns list parsed, from the last one parsed when it is the same.
func (v *Verifier) signedList(list string) (*signedList, bool) {
	if sl := v.lastSigned.Load(); sl != nil && sl.list == list {
		return sl, true
	}
	sl, ok := parseSignedList(list)
	if ok {
		v.lastSigned.Store(sl)
	}
	return sl, ok
}

// gather reads h once. When sl is matchable, a key equal to canon[i] is
// h[CanonicalMIMEHeaderKey(names[i])]: its values go to vals[i].
func (hs *acs3Headers) gather(h http.Header, sl *signedList) {
	hs.matched = sl.matchable
	for k, vs := range h {
		switch k {
		case hDate:
			hs.date = firstValue(vs)
		case hNonce:
			hs.nonce = firstValue(vs)
		case hContentSHA256:
			hs.payload = firstValue(vs)
		case hAccessKeyID:
			hs.ak = firstValue(vs)
		case hSecurityToken:
			hs.token = firstValue(vs)
		}
		if sl.matchable && (len(k) >= 64 || sl.lens&(1<<len(k)) != 0) {
			if i := slices.Index(sl.canon, k); i >= 0 {
				hs.vals[i] = vs
				continue
			}
		}
		// Not a signed name's canonical key: a key in another case may still lowercase
		// to one (signedHas judges).
		if hs.unsigned == "" && asciiHasPrefixFold(k, "x-acs-") && !signedHas(sl.names, k) {
			hs.unsigned = k
		}
	}
}

// simpleName reports whether n is made of a–z, 0–9 and '-'.
func simpleName(n string) bool {
	for i := 0; i < len(n); i++ {
		if c := n[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func firstValue(vs []string) string {
	if len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// verifyACS3 verifies an ACS3 request whose Authorization header is auth and query q;
// keys are q's keys sorted, or nil to look them up in q.
func (v *Verifier) verifyACS3(r *http.Request, auth string, body []byte, q url.Values, keys []string, qerr *Error, now time.Time) (Verified, *Error) {
	ak, sl, sig, e := v.parseAuthorization(auth)
	if e != nil {
		return Verified{}, e
	}
	names := sl.names
	var hs acs3Headers
	hs.gather(r.Header, sl)
	for _, h := range [...]struct{ name, value string }{{HeaderDate, hs.date}, {HeaderNonce, hs.nonce}, {HeaderContentSHA256, hs.payload}} {
		if h.value == "" {
			return Verified{}, errMissingHeader(h.name)
		}
	}
	if !sl.host {
		return Verified{}, errIncomplete("The header host is not signed.")
	}
	if hs.unsigned != "" {
		return Verified{}, errIncomplete("The header " + strings.ToLower(hs.unsigned) + " is not signed.")
	}
	t, e := v.checkTime(hs.date, now)
	if e != nil {
		return Verified{}, e
	}
	cred, e := v.lookup(ak)
	if e != nil {
		return Verified{}, e
	}
	if hs.ak != "" && hs.ak != ak {
		return Verified{}, errTokenMismatch()
	}
	if e := checkToken(cred, hs.token); e != nil {
		return Verified{}, e
	}
	if qerr != nil {
		return Verified{}, qerr
	}
	payload := hs.payload
	if len(body) != 0 || payload != emptySHA256Hex { // the SDK's lowercase hex of an empty body: nothing to decode
		var got, sum [sha256.Size]byte
		if len(body) == 0 {
			sum = emptySHA256
		} else {
			sum = sha256.Sum256(body)
		}
		if !decodeHex(got[:], payload) || got != sum {
			return Verified{}, newError(http.StatusBadRequest, CodeSignatureDoesNotMatch,
				"Specified signature is not matched with our calculation. The x-acs-content-sha256 header does not match the SHA-256 of the request body.")
		}
	}
	var sts [acs3STSLen]byte
	acs3StringToSignInto(&sts, r.Method, r.URL.Path, q, keys, r.Header, &hs, r.Host, names, sl.list, payload)
	var want, claimed [sha256.Size]byte
	v.macs.macACS3(cred.AccessKeySecret, &sts, &want)
	if !decodeHex(claimed[:], sig) || subtle.ConstantTimeCompare(want[:], claimed[:]) != 1 {
		return Verified{}, errMismatch(string(sts[:]))
	}
	if e := v.checkNonce(ak, hs.nonce, t, now); e != nil {
		return Verified{}, e
	}
	return Verified{Scheme: SchemeACS3, AccessKeyID: ak, Nonce: hs.nonce, Time: t, STS: cred.SecurityToken != ""}, nil
}

var emptySHA256 = sha256.Sum256(nil)

// emptySHA256Hex is the lowercase hex of emptySHA256.
const emptySHA256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// parseTimeFormat parses "YYYY-MM-DDTHH:MM:SSZ" (TimeFormat) without time.Parse; it
// reports false for anything else, including out-of-range fields, which time.Parse then
// judges. When it reports true, time.Parse(TimeFormat, s) gives the same time.
func parseTimeFormat(s string) (time.Time, bool) {
	if len(s) != len(TimeFormat) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	leap := y%4 == 0 && (y%100 != 0 || y%400 == 0)
	if dim := daysIn[mo-1]; d > dim && !(leap && mo == 2 && d == 29) { // day past the end of the month
		return time.Time{}, false
	}
	return time.Unix(daysFromCivil(y, mo, d)*86400+int64(h*3600+mi*60+sec), 0).UTC(), true
}

var daysIn = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// daysFromCivil returns the number of days from 1970-01-01 to the proleptic Gregorian
// date y-m-d (y >= 0), as time.Date counts them (H. Hinnant's days_from_civil).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func first(p url.Values, k string) string {
	if vs := p[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (v *Verifier) verifyRPC(r *http.Request, params url.Values, now time.Time) (Verified, *Error) {
	for _, name := range [...]string{"Signature", "AccessKeyId", "SignatureMethod", "SignatureNonce", "Timestamp"} {
		if first(params, name) == "" {
			return Verified{}, errMissing(name)
		}
	}
	if m := first(params, "SignatureMethod"); m != SchemeRPC {
		return Verified{}, newError(http.StatusBadRequest, CodeInvalidSignatureMethod,
			"Specified signature method is not supported. Only "+SchemeRPC+" is accepted.")
	}
	if ver, ok := params["SignatureVersion"]; ok && (len(ver) != 1 || ver[0] != "1.0") {
		return Verified{}, newError(http.StatusBadRequest, CodeInvalidParameter,
			`The specified parameter "SignatureVersion" is not valid.`)
	}
	t, e := v.checkTime(first(params, "Timestamp"), now)
	if e != nil {
		return Verified{}, e
	}
	ak := first(params, "AccessKeyId")
	cred, e := v.lookup(ak)
	if e != nil {
		return Verified{}, e
	}
	if e := checkToken(cred, first(params, "SecurityToken")); e != nil {
		return Verified{}, e
	}
	sts := rpcStringToSign(r.Method, params)
	var want [sha1.Size]byte
	v.macs.mac(macKey{sha1: true, key: cred.AccessKeySecret + "&"}, []byte(sts), want[:])
	var b64 [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(b64[:], want[:])
	if subtle.ConstantTimeCompare(b64[:], []byte(first(params, "Signature"))) != 1 {
		if _, ok := params["SecurityToken"]; ok {
			shown := make(url.Values, len(params))
			for k, vs := range params {
				shown[k] = vs
			}
			shown["SecurityToken"] = []string{redacted}
			sts = rpcStringToSign(r.Method, shown)
		}
		return Verified{}, errMismatch(sts)
	}
	nonce := first(params, "SignatureNonce")
	if e := v.checkNonce(ak, nonce, t, now); e != nil {
		return Verified{}, e
	}
	return Verified{Scheme: SchemeRPC, AccessKeyID: ak, Nonce: nonce, Time: t, STS: cred.SecurityToken != ""}, nil
}
