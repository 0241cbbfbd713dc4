package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// Limiter paces requests per action class. Implementations are safe for
// concurrent use and may be shared by several clients, so that they respect
// one budget together.
type Limiter interface {
	// Wait blocks until one request of class may be sent, or ctx ends. When
	// ctx ends first (or its deadline is sooner than the predicted wait), it
	// returns a [*WaitError] that wraps ctx's error, so errors.Is(err,
	// context.Canceled) and errors.Is(err, context.DeadlineExceeded) work.
	Wait(ctx context.Context, class string) error
	// Observe reports the outcome of a request of class that Wait let
	// through, exactly once per such request: throttled is true when the
	// service answered with throttling, false for any other outcome (success,
	// another API error, a network error).
	Observe(class string, throttled bool)
}

// Pauser is implemented by limiters that take the service's retry delay
// into account ([Adaptive]): after Observe for a throttled request whose
// answer asked to wait d before retrying, a client calls Pause(class, d).
type Pauser interface {
	Pause(class string, d time.Duration)
}

// WaitError is the error Wait returns when it gives up before a request of
// Class could be sent. Err is the context's error: context.Canceled, or
// context.DeadlineExceeded (also when the predicted wait would outlast the
// deadline, in which case Predicted is true and Wait returned at once).
type WaitError struct {
	// Class is the action class Wait was called for.
	Class string
	// Waited is how long Wait blocked before giving up.
	Waited time.Duration
	// Predicted is true when Wait did not sleep until the deadline but gave
	// up because the predicted wait would end after it.
	Predicted bool
	// Err is the context's error.
	Err error
}

// Error names the class and the cause.
func (e *WaitError) Error() string {
	if e.Predicted {
		return fmt.Sprintf("ratelimit: wait for class %q: the next send slot is after the context deadline: %v", e.Class, e.Err)
	}
	return fmt.Sprintf("ratelimit: wait for class %q ended after %s: %v", e.Class, e.Waited, e.Err)
}

// Unwrap returns the context's error.
func (e *WaitError) Unwrap() error { return e.Err }

var (
	_ Pauser  = (*Adaptive)(nil)
	_ Limiter = (*Adaptive)(nil)
	_ Limiter = (*Fixed)(nil)
	_ Limiter = none{}
)

// None returns a Limiter that never limits: Wait returns at once (an error
// only if ctx has already ended) and Observe does nothing.
func None() Limiter { return none{} }

type none struct{}

func (none) Wait(ctx context.Context, class string) error {
	if err := ctx.Err(); err != nil {
		return &WaitError{Class: class, Err: err}
	}
	return nil
}

func (none) Observe(string, bool) {}
