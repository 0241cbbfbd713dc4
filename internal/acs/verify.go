package acs

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxSkew is the clock skew Verifier allows when MaxSkew is zero.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks signatures. Zero MaxSkew means DefaultMaxSkew (15 minutes). Now nil
// means time.Now. Nonces nil means no replay check. A Verifier is safe for concurrent use
// if Lookup is.
type Verifier struct {
	Lookup  Lookup
	Now     func() time.Time
	MaxSkew time.Duration
	Nonces  *NonceCache
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
		return Verified{}, newError(http.StatusInternalServerError, CodeInternalError, "The request processing has failed due to some unknown error.")
	}
	if strings.HasPrefix(r.Header.Get("Authorization"), "ACS3-") {
		return v.verifyACS3(r, body)
	}
	return v.verifyRPC(r, body)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// checkTime parses a timestamp and checks it against the allowed skew.
func (v *Verifier) checkTime(s string, now time.Time) (time.Time, *Error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return time.Time{}, newError(http.StatusBadRequest, CodeTimeStampFormat,
			"Specified time stamp or date value is not well formatted.")
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
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

func (v *Verifier) checkNonce(ak, nonce string, now time.Time) *Error {
	if v.Nonces != nil && !v.Nonces.Use(ak+"\x00"+nonce, now) {
		return newError(http.StatusBadRequest, CodeSignatureNonceUsed, "Specified signature nonce was used already.")
	}
	return nil
}

func (v *Verifier) verifyACS3(r *http.Request, body []byte) (Verified, *Error) {
	auth := r.Header.Get("Authorization")
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != SchemeACS3 {
		return Verified{}, newError(http.StatusBadRequest, CodeInvalidSignatureMethod,
			"Specified signature method is not supported. Only "+SchemeACS3+" is accepted.")
	}
	var ak, signedList, sig string
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Verified{}, errIncomplete("The Authorization header is malformed.")
		}
		switch k {
		case "Credential":
			ak = val
		case "SignedHeaders":
			signedList = val
		case "Signature":
			sig = val
		}
	}
	if ak == "" || signedList == "" || sig == "" {
		return Verified{}, errIncomplete("The Authorization header needs Credential, SignedHeaders and Signature.")
	}
	names := strings.Split(signedList, ";")
	signed := make(map[string]bool, len(names))
	for _, n := range names {
		if n == "" || n != strings.ToLower(n) || signed[n] {
			return Verified{}, errIncomplete("SignedHeaders is malformed.")
		}
		signed[n] = true
	}
	for _, h := range []string{HeaderDate, HeaderNonce, HeaderContentSHA256} {
		if r.Header.Get(h) == "" {
			return Verified{}, errMissingHeader(h)
		}
	}
	if !signed["host"] {
		return Verified{}, errIncomplete("The header host is not signed.")
	}
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-acs-") && !signed[lk] {
			return Verified{}, errIncomplete("The header " + lk + " is not signed.")
		}
	}
	now := v.now()
	t, e := v.checkTime(r.Header.Get(HeaderDate), now)
	if e != nil {
		return Verified{}, e
	}
	cred, e := v.lookup(ak)
	if e != nil {
		return Verified{}, e
	}
	if hak := r.Header.Get(HeaderAccessKeyID); hak != "" && hak != ak {
		return Verified{}, errTokenMismatch()
	}
	if e := checkToken(cred, r.Header.Get(HeaderSecurityToken)); e != nil {
		return Verified{}, e
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Verified{}, newError(http.StatusBadRequest, CodeInvalidParameter, "The query string is malformed.")
	}
	payload := r.Header.Get(HeaderContentSHA256)
	if !strings.EqualFold(payload, sha256Hex(body)) {
		return Verified{}, newError(http.StatusBadRequest, CodeSignatureDoesNotMatch,
			"Specified signature is not matched with our calculation. The x-acs-content-sha256 header does not match the SHA-256 of the request body.")
	}
	sts := acs3StringToSign(r.Method, r.URL.Path, q, canonicalHeaders(r.Header, r.Host, names), signedList, payload)
	want := acs3Signature(sts, cred.AccessKeySecret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(sig))) != 1 {
		return Verified{}, errMismatch(sts)
	}
	nonce := r.Header.Get(HeaderNonce)
	if e := v.checkNonce(ak, nonce, now); e != nil {
		return Verified{}, e
	}
	return Verified{Scheme: SchemeACS3, AccessKeyID: ak, Nonce: nonce, Time: t, STS: cred.SecurityToken != ""}, nil
}

// rpcParams returns the query parameters plus, for a form-encoded body, the body
// parameters (appended after the query values of the same key).
func rpcParams(r *http.Request, body []byte) (url.Values, *Error) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, newError(http.StatusBadRequest, CodeInvalidParameter, "The query string is malformed.")
	}
	if len(body) == 0 {
		return params, nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return params, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, newError(http.StatusBadRequest, CodeInvalidParameter, "The form-encoded request body is malformed.")
	}
	for k, vs := range form {
		params[k] = append(params[k], vs...)
	}
	return params, nil
}

func (v *Verifier) verifyRPC(r *http.Request, body []byte) (Verified, *Error) {
	params, e := rpcParams(r, body)
	if e != nil {
		return Verified{}, e
	}
	for _, name := range []string{"Signature", "AccessKeyId", "SignatureMethod", "SignatureNonce", "Timestamp"} {
		if params.Get(name) == "" {
			return Verified{}, errMissing(name)
		}
	}
	if m := params.Get("SignatureMethod"); m != SchemeRPC {
		return Verified{}, newError(http.StatusBadRequest, CodeInvalidSignatureMethod,
			"Specified signature method is not supported. Only "+SchemeRPC+" is accepted.")
	}
	if ver, ok := params["SignatureVersion"]; ok && (len(ver) != 1 || ver[0] != "1.0") {
		return Verified{}, newError(http.StatusBadRequest, CodeInvalidParameter,
			`The specified parameter "SignatureVersion" is not valid.`)
	}
	now := v.now()
	t, e := v.checkTime(params.Get("Timestamp"), now)
	if e != nil {
		return Verified{}, e
	}
	ak := params.Get("AccessKeyId")
	cred, e := v.lookup(ak)
	if e != nil {
		return Verified{}, e
	}
	token := params.Get("SecurityToken")
	if e := checkToken(cred, token); e != nil {
		return Verified{}, e
	}
	sig := params.Get("Signature")
	sts := rpcStringToSign(r.Method, params)
	if subtle.ConstantTimeCompare([]byte(signRPC(sts, cred.AccessKeySecret)), []byte(sig)) != 1 {
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
	nonce := params.Get("SignatureNonce")
	if e := v.checkNonce(ak, nonce, now); e != nil {
		return Verified{}, e
	}
	return Verified{Scheme: SchemeRPC, AccessKeyID: ak, Nonce: nonce, Time: t, STS: cred.SecurityToken != ""}, nil
}
