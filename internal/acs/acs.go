package acs

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Credential is an access key pair, optionally with an STS security token. Its String,
// GoString and Format methods never print the secret or the token, whatever the verb.
type Credential struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string // non-empty for STS credentials; the request must then carry this exact token
}

const redacted = "<redacted>"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// String returns the credential with its secret and token redacted.
func (c Credential) String() string {
	return "Credential{AccessKeyID:" + c.AccessKeyID + " AccessKeySecret:" + redact(c.AccessKeySecret) +
		" SecurityToken:" + redact(c.SecurityToken) + "}"
}

// GoString returns a Go-syntax representation with the secret and token redacted.
func (c Credential) GoString() string {
	return "acs.Credential{AccessKeyID:" + strconv.Quote(c.AccessKeyID) +
		", AccessKeySecret:" + strconv.Quote(redact(c.AccessKeySecret)) +
		", SecurityToken:" + strconv.Quote(redact(c.SecurityToken)) + "}"
}

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s, %q, %x, ...)
// prints the redacted form.
func (c Credential) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = fmt.Fprint(f, c.GoString())
	case verb == 'v' || verb == 's':
		_, _ = fmt.Fprint(f, c.String())
	case verb == 'q':
		_, _ = fmt.Fprint(f, strconv.Quote(c.String()))
	default:
		_, _ = fmt.Fprintf(f, "%%!%c(%s)", verb, c.String())
	}
}

// Lookup returns the credential registered for an access key ID.
type Lookup func(accessKeyID string) (Credential, bool)

// Error codes returned by Verify. See the package documentation for when each is used.
const (
	CodeSignatureDoesNotMatch  = "SignatureDoesNotMatch"
	CodeAccessKeyNotFound      = "InvalidAccessKeyId.NotFound"
	CodeTimeStampExpired       = "InvalidTimeStamp.Expired"
	CodeTimeStampFormat        = "InvalidTimeStamp.Format"
	CodeSignatureNonceUsed     = "SignatureNonceUsed"
	CodeMissingParameter       = "MissingParameter"
	CodeIncompleteSignature    = "IncompleteSignature"
	CodeInvalidSignatureMethod = "InvalidSignatureMethod"
	CodeInvalidParameter       = "InvalidParameter"
	CodeMissingSecurityToken   = "MissingSecurityToken"
	CodeSecurityTokenMismatch  = "InvalidSecurityToken.MismatchWithAccessKey"
	CodeInternalError          = "InternalError"
)

// Error is a verification failure as the gateway reports it.
type Error struct {
	Code    string // e.g. "SignatureDoesNotMatch"
	Status  int    // HTTP status
	Message string // never contains a secret, a token, or the expected signature
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &Error{Code: CodeSignatureNonceUsed}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Code == e.Code
}

func newError(status int, code, msg string) *Error {
	return &Error{Code: code, Status: status, Message: msg}
}

func errMissing(name string) *Error {
	return newError(http.StatusBadRequest, "Missing"+name, name+" is mandatory for this action.")
}

func errMissingHeader(name string) *Error {
	return newError(http.StatusBadRequest, CodeMissingParameter,
		`The input parameter "`+name+`" that is mandatory for processing this request is not supplied.`)
}

func errIncomplete(detail string) *Error {
	return newError(http.StatusBadRequest, CodeIncompleteSignature,
		"The request signature does not conform to Aliyun standards. "+detail)
}

func errMismatch(stringToSign string) *Error {
	return newError(http.StatusBadRequest, CodeSignatureDoesNotMatch,
		"Specified signature is not matched with our calculation. server string to sign is:"+stringToSign)
}

func errNotFound() *Error {
	return newError(http.StatusNotFound, CodeAccessKeyNotFound, "Specified access key is not found.")
}

func errTokenMismatch() *Error {
	return newError(http.StatusForbidden, CodeSecurityTokenMismatch,
		"Specified SecurityToken mismatch with the AccessKey.")
}

// Signature schemes reported in Verified.Scheme.
const (
	SchemeACS3 = "ACS3-HMAC-SHA256"
	SchemeRPC  = "HMAC-SHA1" // classic RPC signature, SignatureVersion 1.0
)

// Verified describes a request whose signature checked out.
type Verified struct {
	Scheme      string    // SchemeACS3 or SchemeRPC
	AccessKeyID string    // the access key that signed the request
	Nonce       string    // x-acs-signature-nonce or SignatureNonce
	Time        time.Time // x-acs-date or Timestamp, UTC
	STS         bool      // the credential is an STS credential and its token matched
}
