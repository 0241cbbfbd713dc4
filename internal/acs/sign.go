package acs

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// TimeFormat is the layout of x-acs-date and of the RPC Timestamp parameter (UTC).
const TimeFormat = "2006-01-02T15:04:05Z"

// Header names used by ACS3 (lowercase, as the SDK sends them).
const (
	HeaderDate          = "x-acs-date"
	HeaderNonce         = "x-acs-signature-nonce"
	HeaderContentSHA256 = "x-acs-content-sha256"
	HeaderAccessKeyID   = "x-acs-accesskey-id"
	HeaderSecurityToken = "x-acs-security-token"
)

var rfc3986 = strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~")

// PercentEncode is the RFC 3986 encoding both schemes use (url.QueryEscape, then
// + → %20, * → %2A, %7E → ~): unreserved characters A–Z a–z 0–9 - _ . ~ stay, everything
// else becomes %XX with uppercase hex.
func PercentEncode(s string) string {
	return rfc3986.Replace(url.QueryEscape(s))
}

// SignRPC returns the base64 classic RPC signature of params for method (HMAC-SHA1 with
// key secret+"&"). A "Signature" entry in params is ignored. It matches darabonba-openapi
// GetRPCSignature.
func SignRPC(method string, params url.Values, accessKeySecret string) string {
	return signRPC(rpcStringToSign(method, params), accessKeySecret)
}

func signRPC(stringToSign, secret string) string {
	h := hmac.New(sha1.New, []byte(secret+"&"))
	h.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// rpcStringToSign builds METHOD&%2F&PercentEncode(canonicalized), as darabonba-openapi
// buildRpcStringToSign does: url.Values.Encode (keys sorted bytewise in raw form), the
// RFC 3986 replacements over the whole string, then QueryEscape.
func rpcStringToSign(method string, params url.Values) string {
	if _, ok := params["Signature"]; ok {
		p := make(url.Values, len(params))
		for k, v := range params {
			if k != "Signature" {
				p[k] = v
			}
		}
		params = p
	}
	return method + "&%2F&" + url.QueryEscape(rfc3986.Replace(params.Encode()))
}

// SignACS3 signs an outgoing request the way darabonba-openapi does. It sets x-acs-date
// (now, UTC), x-acs-signature-nonce (nonce, or 32 random hex characters when nonce is
// empty), x-acs-content-sha256 (hex SHA-256 of body) and, for STS credentials,
// x-acs-accesskey-id and x-acs-security-token, each only if absent; then it signs host
// (r.Host, else r.URL.Host), content-type and every x-acs-* header, and sets Authorization.
// A request that already has an Authorization header is left unchanged. body must be the
// bytes r will send; SignACS3 does not read or set r.Body.
func SignACS3(r *http.Request, body []byte, cred Credential, now time.Time, nonce string) error {
	if r == nil || r.URL == nil {
		return errors.New("acs: SignACS3: nil request or URL")
	}
	if cred.AccessKeyID == "" || cred.AccessKeySecret == "" {
		return errors.New("acs: SignACS3: credential has no access key ID or secret")
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if r.Header.Get("Authorization") != "" {
		return nil
	}
	if nonce == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		nonce = hex.EncodeToString(b[:])
	}
	setIfAbsent(r.Header, HeaderDate, now.UTC().Format(TimeFormat))
	setIfAbsent(r.Header, HeaderNonce, nonce)
	setIfAbsent(r.Header, HeaderContentSHA256, sha256Hex(body))
	if cred.SecurityToken != "" {
		setIfAbsent(r.Header, HeaderAccessKeyID, cred.AccessKeyID)
		setIfAbsent(r.Header, HeaderSecurityToken, cred.SecurityToken)
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	names := []string{"host"}
	for k := range r.Header {
		lk := strings.ToLower(k)
		if lk == "content-type" || strings.HasPrefix(lk, "x-acs-") {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	names = compactSorted(names)
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	sts := acs3StringToSign(method, r.URL.Path, r.URL.Query(), r.Header, host, names,
		strings.Join(names, ";"), r.Header.Get(HeaderContentSHA256))
	r.Header.Set("Authorization", SchemeACS3+" Credential="+cred.AccessKeyID+",SignedHeaders="+
		strings.Join(names, ";")+",Signature="+acs3Signature(sts, cred.AccessKeySecret))
	return nil
}

func setIfAbsent(h http.Header, k, v string) {
	if len(h.Values(k)) == 0 {
		h.Set(k, v)
	}
}

func compactSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func acs3Signature(stringToSign, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(stringToSign))
	return hex.EncodeToString(h.Sum(nil))
}

func acs3StringToSign(method, path string, q url.Values, h http.Header, host string, names []string, signed, payloadHash string) string {
	var sts [acs3STSLen]byte
	acs3StringToSignInto(&sts, method, path, q, nil, h, nil, host, names, signed, payloadHash)
	return string(sts[:])
}
