package alb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/apierr"
	"github.com/albkit/albkit/internal/cloudapi"
)

// Sentinel errors for errors.Is. API errors match them by their code (one
// table, see [APIError]); the other error types match them by kind.
var (
	// ErrNotFound: the instance (or another resource albkit reads) does
	// not exist. Only codes that say a resource is absent match it
	// (ResourceNotFound.LoadBalancer, -735, InvalidVSwitchId.NotFound,
	// InvalidAllocationId.NotFound, ...), never an authentication failure
	// such as InvalidAccessKeyId.NotFound and never a bare HTTP 404.
	ErrNotFound = errors.New("alb: not found")
	// ErrAuth: authentication or authorisation failed: an unknown access
	// key, a wrong secret (SignatureDoesNotMatch), an expired or
	// mismatched security token, a clock too far off, a missing
	// permission (Forbidden*, NoPermission*, HTTP 401/403). Never retried,
	// and never taken for not-found: a release or a wait that meets it
	// fails with it and leaves the instance as it was.
	ErrAuth = errors.New("alb: authentication or authorization failed")
	// ErrDeletionProtected: the instance has deletion protection enabled
	// and the caller did not ask to turn it off.
	ErrDeletionProtected = errors.New("alb: deletion protection is enabled")
	// ErrThrottled: the service throttled the request (Throttling*).
	ErrThrottled = errors.New("alb: request throttled")
	// ErrQuotaExceeded: a quota was exceeded (QuotaExceeded.*).
	ErrQuotaExceeded = errors.New("alb: quota exceeded")
	// ErrCreateFailed: the instance reached CreateFailed. It is not charged
	// and can only be released.
	ErrCreateFailed = errors.New("alb: instance creation failed")
	// ErrWaitTimeout: a wait ran out of time before the instance reached
	// the wanted state.
	ErrWaitTimeout = errors.New("alb: wait timed out")
	// ErrUnexpectedState: the instance is in a state that waiting cannot
	// resolve (locked, Abnormal business status, Inactive, being deleted).
	ErrUnexpectedState = errors.New("alb: instance in an unexpected state")
	// ErrReleaseFailed: the delete job of a release failed.
	ErrReleaseFailed = errors.New("alb: release failed")
	// ErrReleased: the instance an operation refers to (for example the
	// one a create token made) existed and has since been released; also
	// the server group, listener or security policy a create's key made
	// and that has since been deleted (an Ensure makes a new one instead).
	ErrReleased = errors.New("alb: instance was released")
	// ErrIdempotencyKeyReused: an idempotency key (ClientToken) was used
	// again with a different request: resuming a create with a changed
	// spec, or the service's IdempotentParameterMismatch.
	ErrIdempotencyKeyReused = errors.New("alb: idempotency key reused with a different request")
	// ErrNetwork: a call failed without an answer from the service
	// (connection refused or reset, timeout, DNS, TLS, an answer cut
	// short). See *[NetworkError].
	ErrNetwork = errors.New("alb: network error")
	// ErrRetryBudgetExhausted: the client's retry budget was empty, so a
	// failing call was not retried (see [WithRetryBudget]). The error also
	// wraps the last attempt's error.
	ErrRetryBudgetExhausted = errors.New("alb: retry budget exhausted")
	// ErrInvalidArgument: a call's argument (an instance ID, a token) is
	// missing or malformed. See *[ArgumentError].
	ErrInvalidArgument = errors.New("alb: invalid argument")
)

// APIError is an error answered by an Alibaba Cloud API (ALB, VPC, WAF,
// RAM, ResourceManager). Its classification comes from one table of codes,
// read by retries, waits and errors.Is alike: [APIError.NotFound],
// [APIError.Auth], [APIError.Throttling], [APIError.Retryable].
type APIError struct {
	// Operation is the API action, e.g. "CreateLoadBalancer".
	Operation string
	// Code is the error code, e.g. "IncorrectStatus.LoadBalancer".
	Code string
	// Message is the service's message.
	Message string
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string
	// HTTPStatus is the HTTP status code of the answer.
	HTTPStatus int
	// Recommend is the troubleshooting link the service suggests.
	Recommend string
	// RetryAfter is the service's hint of when to retry a throttled call
	// (its answer's x-acs-retry-after header, else the TimeLeft of
	// x-ratelimit-user-api), 0 when it gave none.
	RetryAfter time.Duration

	kind       apierr.Kind
	classified bool
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "alb: %s: %s", e.Operation, e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	fmt.Fprintf(&b, " (HTTP %d", e.HTTPStatus)
	if e.RequestID != "" {
		fmt.Fprintf(&b, ", RequestId %s", e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

func (e *APIError) class() apierr.Kind {
	if !e.classified {
		return apierr.Classify(e.Code, e.HTTPStatus)
	}
	return e.kind
}

// NotFound reports whether the code says the resource asked for does not
// exist.
func (e *APIError) NotFound() bool { return e.class().Has(apierr.NotFound) }

// Auth reports whether the code says authentication or authorisation
// failed.
func (e *APIError) Auth() bool { return e.class().Has(apierr.Auth) }

// Throttling reports whether the service throttled the request.
func (e *APIError) Throttling() bool { return e.class().Has(apierr.Throttled) }

// Retryable reports whether the same request may succeed if sent again
// (throttling, 5xx, busy and in-progress codes, and the codes added with
// [WithRetryableCodes]).
func (e *APIError) Retryable() bool { return e.class().Has(apierr.Retryable) }

// instanceGone reports whether the code says the load balancer itself does
// not exist.
func (e *APIError) instanceGone() bool { return e.class().Has(apierr.InstanceNotFound) }

// Is matches the sentinels by the error's classes.
func (e *APIError) Is(target error) bool {
	k := e.class()
	switch target {
	case ErrNotFound:
		return k.Has(apierr.NotFound)
	case ErrAuth:
		return k.Has(apierr.Auth)
	case ErrDeletionProtected:
		return k.Has(apierr.DeletionProtected)
	case ErrThrottled:
		return k.Has(apierr.Throttled)
	case ErrQuotaExceeded:
		return k.Has(apierr.Quota)
	case ErrInvalidSpec:
		return k.Has(apierr.Invalid)
	case ErrIdempotencyKeyReused:
		return k.Has(apierr.TokenReused)
	case ErrServiceLinkedRoleMissing:
		return k.Has(apierr.ServiceLinkedRoleMissing)
	}
	return false
}

// NetworkError is a call that failed without an answer from the service:
// a connection refused or reset, a timeout (per request: see
// [WithTimeouts]), a DNS or TLS failure, or an answer that could not be
// read (one without a body, or a list page whose NextToken is the one it
// was asked with). errors.Is(err, [ErrNetwork]) holds; Unwrap gives the
// underlying error (often a *url.Error).
type NetworkError struct {
	// Operation is the API action.
	Operation string
	// Err is the underlying failure.
	Err error
}

// Error implements error.
func (e *NetworkError) Error() string { return "alb: " + e.Operation + ": " + e.Err.Error() }

// Unwrap returns the underlying failure.
func (e *NetworkError) Unwrap() error { return e.Err }

// Is matches ErrNetwork.
func (e *NetworkError) Is(target error) bool { return target == ErrNetwork }

// Timeout reports whether the request timed out.
func (e *NetworkError) Timeout() bool {
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// MaxAttemptsError is returned when a call kept failing with retryable
// errors until its attempts or its time ran out ([RetryPolicy]). Err is
// the last attempt's error, so errors.Is(err, [ErrThrottled]) and
// errors.As(err, **APIError) still reach it.
type MaxAttemptsError struct {
	// Operation is the API action.
	Operation string
	// Attempts is the number of attempts made.
	Attempts int
	// Err is the last attempt's error.
	Err error
	// Elapsed reports that the time bound (RetryPolicy.MaxElapsed or the
	// caller's deadline) ended the retries rather than the attempt count.
	Elapsed bool
}

// Error implements error.
func (e *MaxAttemptsError) Error() string {
	why := "attempts exhausted"
	if e.Elapsed {
		why = "retry time exhausted"
	}
	return fmt.Sprintf("alb: %s: %s after %d attempt(s): %v", e.Operation, why, e.Attempts, e.Err)
}

// Unwrap returns the last attempt's error.
func (e *MaxAttemptsError) Unwrap() error { return e.Err }

// ArgumentError reports a missing or malformed argument of a call (not a
// spec: specs get a *[ValidationError]). errors.Is(err,
// [ErrInvalidArgument]) holds. No API call was made.
type ArgumentError struct {
	// Operation is the Client method, e.g. "Get".
	Operation string
	// Argument names the argument, e.g. "id".
	Argument string
	// Message says what is wrong and what the rule is.
	Message string
	// Err is the underlying error, if any (for example the credentials
	// library's refusal of an access key).
	Err error
}

// Error implements error.
func (e *ArgumentError) Error() string {
	s := "alb: " + e.Operation + ": invalid argument " + e.Argument + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is matches ErrInvalidArgument.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

// Unwrap returns the underlying error, if any.
func (e *ArgumentError) Unwrap() error { return e.Err }

// budgetError wraps ErrRetryBudgetExhausted and the last attempt's error.
type budgetError struct {
	op       string
	attempts int
	err      error
}

func (e *budgetError) Error() string {
	return fmt.Sprintf("alb: %s: retry budget exhausted after %d attempt(s): %v", e.op, e.attempts, e.err)
}
func (e *budgetError) Unwrap() []error { return []error{ErrRetryBudgetExhausted, e.err} }

// canceledError is a call ended by the caller's context: it wraps the
// context's error and the last attempt's error.
type canceledError struct {
	op       string
	attempts int
	ctxErr   error
	last     error
}

func (e *canceledError) Error() string {
	if e.last == nil || errors.Is(e.last, e.ctxErr) {
		return fmt.Sprintf("alb: %s: %v", e.op, e.ctxErr)
	}
	return fmt.Sprintf("alb: %s: %v after %d attempt(s); last error: %v", e.op, e.ctxErr, e.attempts, e.last)
}
func (e *canceledError) Unwrap() []error {
	if e.last == nil {
		return []error{e.ctxErr}
	}
	return []error{e.ctxErr, e.last}
}

// mapError turns what one SDK call returned into albkit's types: an
// *APIError for an answer of the service (classified with the client's
// extra retryable codes), a *NetworkError for anything else except the
// caller's context ending.
func mapError(op string, err error, extra map[string]bool) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return err
	}
	if out := fromSDK(op, err); out != nil {
		out.kind, out.classified = apierr.Classify(out.Code, out.HTTPStatus), true
		if extra[out.Code] {
			out.kind |= apierr.Retryable
		}
		return out
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && !isTimeoutErr(err) {
		return err
	}
	return &NetworkError{Operation: op, Err: cloudapi.Cause(err)}
}

// fromSDK reads the SDK's error types (DisableSDKError set: ThrottlingError,
// ClientError, ServerError; otherwise tea.SDKError). nil when err is not an
// answer of the service.
func fromSDK(op string, err error) *APIError {
	var (
		code, msg string
		status    int
		data      map[string]any
		hint      *int64
	)
	var te *openapi.ThrottlingError
	var ce *openapi.ClientError
	var se *openapi.ServerError
	var sdk *tea.SDKError
	switch {
	case errors.As(err, &te):
		code, status, data, hint = dara.StringValue(te.Code), dara.IntValue(te.StatusCode), te.Data, te.RetryAfter
	case errors.As(err, &ce):
		code, status, data = dara.StringValue(ce.Code), dara.IntValue(ce.StatusCode), ce.Data
	case errors.As(err, &se):
		code, status, data = dara.StringValue(se.Code), dara.IntValue(se.StatusCode), se.Data
	case errors.As(err, &sdk):
		code, status, msg = tea.StringValue(sdk.Code), tea.IntValue(sdk.StatusCode), tea.StringValue(sdk.Message)
		if d := tea.StringValue(sdk.Data); d != "" {
			data = decodeData(d)
		}
	default:
		return nil
	}
	if code == "" && status == 0 {
		return nil // the SDK failed before or after talking to the service
	}
	out := &APIError{Operation: op, Code: code, HTTPStatus: status}
	out.RequestID, _ = data["RequestId"].(string)
	out.Recommend, _ = data["Recommend"].(string)
	if m, ok := data["Message"].(string); ok {
		out.Message = m
	} else if m, ok := data["message"].(string); ok {
		out.Message = m
	} else {
		out.Message = msg
	}
	if hint != nil && *hint > 0 {
		// The emulator and the gateway send TimeLeft in milliseconds.
		out.RetryAfter = time.Duration(*hint) * time.Millisecond
	}
	return out
}

// isTimeoutErr reports a transport timeout (net/http's per-request timeouts
// satisfy context.DeadlineExceeded too; they are network errors, not the
// caller's context ending).
func isTimeoutErr(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var ue *url.Error
	return errors.As(err, &ue) && ue.Timeout()
}

// StateError reports an instance in a state that ends a wait.
type StateError struct {
	// ID of the instance.
	ID string
	// Status seen.
	Status Status
	// BusinessStatus seen (Normal or Abnormal).
	BusinessStatus string
	// Locks on the instance, if any.
	Locks []Lock
	// Reason explains the state in words.
	Reason string
	kind   error
}

// Error implements error.
func (e *StateError) Error() string {
	s := fmt.Sprintf("alb: instance %s is %s", e.ID, e.Status)
	if e.BusinessStatus != "" && e.BusinessStatus != "Normal" {
		s += " (business status " + e.BusinessStatus + ")"
	}
	for _, l := range e.Locks {
		s += fmt.Sprintf(" [lock %s: %s]", l.Type, l.Reason)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Unwrap returns ErrCreateFailed, ErrReleased or ErrUnexpectedState.
func (e *StateError) Unwrap() error { return e.kind }

// WaitTimeoutError reports a wait that ran out of time: its own bound
// ([WithMaxWait]) or the caller's context deadline. It names the last
// status seen.
type WaitTimeoutError struct {
	// ID of the instance (or job) waited on.
	ID string
	// Waiting for, e.g. "Active" or "released".
	Waiting string
	// LastStatus is the last status seen ("" when none was seen, "NotFound" if the instance was not found).
	LastStatus Status
	// LastErr is the error of the last poll, if it failed (for example a
	// throttled poll).
	LastErr error
	// Waited is how long the wait lasted.
	Waited time.Duration
	// Polls is the number of polls made.
	Polls int
	// Cause is the context error, if the caller's context ended the wait.
	Cause error
}

// Error implements error.
func (e *WaitTimeoutError) Error() string {
	last := string(e.LastStatus)
	if last == "" {
		last = "none seen"
	}
	s := fmt.Sprintf("alb: timed out after %s (%d polls) waiting for %s to be %s; last status: %s",
		e.Waited.Round(time.Millisecond), e.Polls, e.ID, e.Waiting, last)
	if e.LastErr != nil {
		s += "; last poll error: " + e.LastErr.Error()
	}
	return s
}

// Is matches ErrWaitTimeout.
func (e *WaitTimeoutError) Is(target error) bool { return target == ErrWaitTimeout }

// Unwrap returns the context error, if any.
func (e *WaitTimeoutError) Unwrap() error { return e.Cause }

// decodeData parses the SDK's JSON string of an error body.
func decodeData(s string) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal([]byte(s), &m)
	return m
}
