// Package acs verifies and produces Alibaba Cloud API request signatures, the way the
// Alibaba Cloud API gateway (POP) checks them. It understands both schemes the gateway
// accepts on RPC-style endpoints such as ALB, VPC and WAF:
//
//   - ACS3-HMAC-SHA256 (SchemeACS3), produced by darabonba-openapi v2 (the V3 SDKs): an
//     Authorization header "ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<h1;h2>,Signature=<hex>"
//     over a canonical request built from the method, path, decoded query, the signed
//     headers and x-acs-content-sha256. The algorithm follows
//     darabonba-openapi v2.2.1 utils.GetAuthorization, getCanonicalHeaders and
//     getCanonicalQueryString byte for byte (including its quirk of applying the
//     "+"→"%20", "*"→"%2A", "%7E"→"~" replacements to the whole canonical query, keys too).
//   - The classic RPC signature (SchemeRPC, SignatureMethod=HMAC-SHA1, SignatureVersion=1.0),
//     produced by the classic SDKs, the aliyun CLI and darabonba-openapi with
//     SignatureAlgorithm "v2": Signature = base64(HMAC-SHA1(secret+"&",
//     METHOD+"&%2F&"+PercentEncode(canonicalized params))), where the parameters are the URL
//     query plus, for a form-encoded body, the body parameters. The canonicalization follows
//     darabonba-openapi buildRpcStringToSign (url.Values.Encode, so keys are sorted bytewise
//     in their raw form and every value of a repeated key is signed).
//
// Verifier.Verify checks a received request; SignACS3 and SignRPC produce signatures for
// tools and tests that do not use the SDK. Credential never prints its secret or token.
//
// A server that parses the parameters itself hands them over with ParseParams and
// Verifier.VerifyParams, so the query is parsed once. Verification does not allocate
// beyond the parsed parameters: the canonical request is built in a pooled buffer and
// hashed there, and HMAC states keyed by a secret are pooled per secret.
//
// # Replay detection and memory
//
// NonceCache remembers nonces only as long as a request carrying them can still be
// accepted: its window is the verifier's skew (a request signed at t is accepted while
// |now−t| <= MaxSkew), so a nonce is kept until now−t exceeds it, filed by signed time in
// buckets of MaxSkew/8. It holds 64-bit keyed hashes, not the nonces, and at most
// DefaultNonceCapacity of them (at most about 16 MB). When full it never forgets a nonce whose
// request could still be replayed: it drops its oldest bucket early and refuses from then
// on every timestamp that bucket covered (InvalidTimeStamp.Expired, the message says the
// cache is full), and if only the request's own bucket is left it refuses new nonces with
// 503 ServiceUnavailable. A Verifier never accepts a larger skew than its cache covers.
//
// # Scheme selection
//
// A request whose Authorization header starts with "ACS3-" is checked as ACS3; every other
// request is checked as a classic RPC request (so an unsigned request fails with
// MissingSignature).
//
// # Order of checks
//
// ACS3: Authorization syntax and algorithm, required headers, every x-acs-* header and
// host signed, x-acs-date format and skew, access key lookup, STS token, body hash,
// signature, nonce replay. RPC: query/body syntax, required parameters, SignatureMethod,
// SignatureVersion, Timestamp format and skew, access key lookup, STS token, signature,
// nonce replay. A nonce is recorded only once the signature has verified, so a forged
// request cannot burn a legitimate client's nonce. Nonces are remembered per access key.
//
// # Errors
//
// Verify reports failures as *Error with the gateway's Code and HTTP Status. Message never
// contains a secret, a security token or the expected signature. The codes come from
// Alibaba Cloud's public error-code list (help.aliyun.com/document_detail/53438 and
// 48054, error-center "Public" product); which one the gateway returns in which corner
// case, and some statuses, are GUESSes, marked below.
//
//	Code                                        Status  When
//	SignatureDoesNotMatch                        400    signature differs. Message: "Specified signature is not matched with
//	                                                    our calculation. server string to sign is:<string-to-sign>" (an RPC
//	                                                    SecurityToken in it is replaced by "<redacted>").
//	SignatureDoesNotMatch                        400    ACS3 x-acs-content-sha256 differs from SHA-256 of the body; the message
//	                                                    names x-acs-content-sha256. GUESS (the gateway's code for this is unknown).
//	InvalidAccessKeyId.NotFound                  404    unknown access key ("Specified access key is not found.").
//	InvalidTimeStamp.Expired                     400    x-acs-date / Timestamp more than MaxSkew (default 15 min; at most the
//	                                                    NonceCache window) from now.
//	InvalidTimeStamp.Format                      400    x-acs-date / Timestamp not "2006-01-02T15:04:05Z" (RFC 3339 with a
//	                                                    zone is also accepted: GUESS).
//	SignatureNonceUsed                           400    nonce seen before (per access key) while a request carrying it can
//	                                                    still be accepted (see NonceCache).
//	InvalidTimeStamp.Expired                     400    also: the NonceCache is full and has forgotten the nonces of this
//	                                                    timestamp, so it refuses it (the message says so). Our choice.
//	ServiceUnavailable                           503    the NonceCache is full with nonces of this request's own time
//	                                                    bucket (more than its capacity within MaxSkew/8). Our choice.
//	Missing<Name>                                400    RPC parameter <Name> missing ("<Name> is mandatory for this action."), checked in
//	                                                    the order Signature, AccessKeyId, SignatureMethod, SignatureNonce, Timestamp.
//	                                                    The documented pattern is Missing{ParameterName}; its use for these
//	                                                    parameters is a GUESS. A request with neither Authorization nor Signature
//	                                                    gets MissingSignature. SignatureVersion may be omitted (GUESS).
//	MissingParameter                             400    ACS3 header x-acs-date, x-acs-signature-nonce or x-acs-content-sha256
//	                                                    missing. GUESS.
//	IncompleteSignature                          400    malformed ACS3 Authorization header, or a present host/x-acs-* header
//	                                                    missing from SignedHeaders ("The request signature does not conform to
//	                                                    Aliyun standards. ..."). GUESS for these cases.
//	InvalidSignatureMethod                       400    SignatureMethod other than HMAC-SHA1, or an ACS3 algorithm other than
//	                                                    ACS3-HMAC-SHA256 (SM3 and RSA are not supported). Status GUESS.
//	InvalidParameter                             400    SignatureVersion other than 1.0, or an unparsable query string / form
//	                                                    body. GUESS.
//	MissingSecurityToken                         400    the access key is an STS key but the request carries no token
//	                                                    ("SecurityToken is mandatory for this action.").
//	InvalidSecurityToken.MismatchWithAccessKey   403    the token differs from the registered one, a token was sent for a
//	                                                    non-STS key, or x-acs-accesskey-id differs from Credential=. Status GUESS.
//	InternalError                                500    the Verifier has no Lookup.
//
// *Error supports errors.Is: errors.Is(err, &acs.Error{Code: acs.CodeSignatureNonceUsed}) is
// true when the codes are equal.
//
// # Security tokens
//
// ACS3 requests carry the token in x-acs-security-token (and the access key again in
// x-acs-accesskey-id); classic RPC requests carry SecurityToken as a parameter. Both are
// covered by the signature. Tokens are compared in constant time.
package acs
