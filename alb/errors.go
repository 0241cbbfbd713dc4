package alb

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alibabacloud-go/tea/tea"
)

// Sentinel errors for errors.Is. API errors match them by code; state and
// wait errors match them by kind.
var (
	// ErrNotFound: the instance (or another resource) does not exist.
	ErrNotFound = errors.New("alb: not found")
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
)

// APIError is an error answered by an Alibaba Cloud API.
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

// Is matches the sentinels by code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.HTTPStatus == 404 || strings.HasPrefix(e.Code, "ResourceNotFound.") || strings.HasSuffix(e.Code, ".NotFound")
	case ErrDeletionProtected:
		return e.Code == "OperationDenied.DeletionProtectionEnabled"
	case ErrThrottled:
		return isThrottleCode(e.Code)
	case ErrQuotaExceeded:
		return strings.HasPrefix(e.Code, "QuotaExceeded")
	case ErrInvalidSpec:
		return e.Code == "MissingParameter" || strings.HasPrefix(e.Code, "InvalidParameter")
	}
	return false
}

func isThrottleCode(code string) bool {
	return strings.HasPrefix(code, "Throttling") || code == "Rejected.Throttling"
}

// asAPIError converts an SDK error into an *APIError; other errors are
// returned unchanged (wrapped with the operation name).
func asAPIError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return err
	}
	var se *tea.SDKError
	if !errors.As(err, &se) {
		return &callError{op: op, err: err}
	}
	out := &APIError{Operation: op, Code: tea.StringValue(se.Code), HTTPStatus: tea.IntValue(se.StatusCode)}
	var body struct {
		RequestID string `json:"RequestId"`
		Message   string `json:"Message"`
		Recommend string `json:"Recommend"`
	}
	if se.Data != nil && json.Unmarshal([]byte(*se.Data), &body) == nil {
		out.RequestID, out.Message, out.Recommend = body.RequestID, body.Message, body.Recommend
	}
	if out.Message == "" {
		out.Message = tea.StringValue(se.Message)
	}
	if out.Code == "" {
		// The SDK failed before or after talking to the service (for
		// example it could not read the answer).
		return &callError{op: op, err: errors.New(tea.StringValue(se.Message))}
	}
	return out
}

// callError is a failure that is not an API answer: network, timeout,
// decoding. It keeps the operation name.
type callError struct {
	op  string
	err error
}

func (e *callError) Error() string { return "alb: " + e.op + ": " + e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

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

// Unwrap returns ErrCreateFailed or ErrUnexpectedState.
func (e *StateError) Unwrap() error { return e.kind }

// WaitTimeoutError reports a wait that ran out of time.
type WaitTimeoutError struct {
	// ID of the instance waited on.
	ID string
	// Waiting for, e.g. "Active" or "released".
	Waiting string
	// LastStatus is the last status seen ("" when none was seen, "NotFound" if the instance was not found).
	LastStatus Status
	// Waited is how long the wait lasted.
	Waited time.Duration
	// Polls is the number of polls made.
	Polls int
	// Cause is the context error, if the context ended the wait.
	Cause error
}

// Error implements error.
func (e *WaitTimeoutError) Error() string {
	last := string(e.LastStatus)
	if last == "" {
		last = "none seen"
	}
	return fmt.Sprintf("alb: timed out after %s (%d polls) waiting for %s to be %s; last status: %s",
		e.Waited.Round(time.Millisecond), e.Polls, e.ID, e.Waiting, last)
}

// Is matches ErrWaitTimeout.
func (e *WaitTimeoutError) Is(target error) bool { return target == ErrWaitTimeout }

// Unwrap returns the context error, if any.
func (e *WaitTimeoutError) Unwrap() error { return e.Cause }
