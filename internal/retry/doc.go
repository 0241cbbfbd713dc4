// Package retry is albkit's per-call retry engine and waiter delay function.
//
// The Alibaba Cloud Go SDK retries nothing by default (and its own retry
// options sleep in seconds where milliseconds are meant), so every ALB API
// call made by albkit goes through a [Retryer]:
//
//   - a [Classifier] decides whether an error is worth another attempt
//     ([Retry]), only worth one when the call is safe to repeat
//     ([RetryIfIdempotent], e.g. a network error after the request may have
//     been sent), or final ([Stop]);
//   - delays grow exponentially with jitter (github.com/cenkalti/backoff/v4
//     computes the intervals; the jitter is drawn from [Retryer.Rand] so tests
//     are deterministic), start at [Policy.ThrottleInterval] rather than
//     [Policy.InitialInterval] after a throttling error, are capped by
//     [Policy.MaxInterval], and honour a server retry hint as a minimum;
//   - a [Budget] (token bucket, as aws-sdk-go-v2's standard retryer) shared by
//     all calls of one client stops retry storms during an outage;
//   - the engine never sleeps past the context's deadline or
//     [Policy.MaxElapsed]: if the next delay would, it gives up at once.
//
// Waiters (polling a resource until it reaches a state) are a different
// thing from per-call retries and use [ComputeDelay], smithy-go's waiter
// delay with the deadline clamp fixed so that the last poll lands at the
// deadline instead of one minimum delay early.
//
// Errors returned by [Retryer.Do] always wrap the last attempt's error, so
// errors.Is and errors.As reach it; running out of attempts (or of time)
// yields an [*ExhaustedError], an empty budget [ErrBudgetExhausted], and a
// context ending during a sleep wraps both ctx.Err() and the last error.
package retry
