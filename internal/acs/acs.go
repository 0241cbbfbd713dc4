// Package acs verifies and produces Alibaba Cloud API request signatures.
package acs

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Credential is an access key pair, optionally with an STS security token.
// Its String, GoString and Format methods never print the secret or the token.
type Credential struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string // non-empty for STS credentials; the request must then carry this exact token
}

// Lookup returns the credential registered for an access key ID.
type Lookup func(accessKeyID string) (Credential, bool)

// Error is a verification failure as the gateway reports it.
type Error struct {
	Code    string // e.g. "SignatureDoesNotMatch"
	Status  int    // HTTP status
	Message string // never contains a secret, a token, or the expected signature
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Signature schemes reported in Verified.Scheme.
const (
	SchemeACS3 = "ACS3-HMAC-SHA256"
	SchemeRPC  = "HMAC-SHA1" // classic RPC signature, SignatureVersion 1.0
)

// Verified describes a request whose signature checked out.
type Verified struct {
	Scheme      string
	AccessKeyID string
	Nonce       string
	Time        time.Time
	STS         bool
}

// NonceCache remembers signature nonces for a TTL to reject replays.
type NonceCache struct {
	mu  sync.Mutex
	ttl time.Duration
}

// NewNonceCache returns a cache that remembers nonces for ttl.
func NewNonceCache(ttl time.Duration) *NonceCache { return &NonceCache{ttl: ttl} }

// Use records nonce at time now and reports whether it was fresh (false = replay).
func (c *NonceCache) Use(nonce string, now time.Time) bool { return true }

// Verifier checks signatures.
type Verifier struct {
	Lookup  Lookup
	Now     func() time.Time
	MaxSkew time.Duration
	Nonces  *NonceCache
}

// Verify checks r, whose body the caller has already read into body.
func (v *Verifier) Verify(r *http.Request, body []byte) (Verified, *Error) {
	return Verified{}, &Error{Code: "NotImplemented", Status: 501, Message: "not implemented"}
}

// SignRPC returns the base64 classic RPC signature of params for method.
func SignRPC(method string, params url.Values, accessKeySecret string) string { return "" }

// PercentEncode is the RFC 3986 encoding both schemes use.
func PercentEncode(s string) string { return s }

// SignACS3 signs an outgoing request the way darabonba-openapi does.
func SignACS3(r *http.Request, body []byte, cred Credential, now time.Time, nonce string) error {
	return nil
}
