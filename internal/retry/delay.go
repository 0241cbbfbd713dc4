package retry

import (
	"context"
	"time"

	"github.com/albkit/albkit/internal/clock"
)

// ComputeDelay is the waiter delay (smithy-go style) before poll number
// attempt (1-based).
//
// The nominal delay is minDelay·2^(attempt-1), capped at maxDelay (computed
// without overflow for any attempt number). The delay is then drawn
// uniformly from [minDelay, nominal] using rnd, which must return values in
// [0,1) (nil means math/rand/v2). Finally it is clamped to the time left:
// it never exceeds remaining, and if less than minDelay would be left after
// it (remaining-delay < minDelay), the delay becomes remaining, so that the
// last poll lands at the deadline rather than one minimum delay early
// (smithy-lang/smithy#2259, aws/aws-sdk-go-v2#1862).
//
// remaining <= 0 returns 0; attempt < 1 is treated as 1; maxDelay below
// minDelay is treated as minDelay. minDelay must be positive (callers
// validate it); minDelay <= 0 returns 0.
func ComputeDelay(attempt int, minDelay, maxDelay, remaining time.Duration, rnd func() float64) time.Duration {
	if remaining <= 0 || minDelay <= 0 {
		return 0
	}
	if rnd == nil {
		rnd = defaultRand
	}
	if attempt < 1 {
		attempt = 1
	}
	maxDelay = max(maxDelay, minDelay)

	// Double at most until the cap: at most ~63 iterations whatever attempt is.
	d := minDelay
	for i := 1; i < attempt && d < maxDelay; i++ {
		if d > maxDelay/2 {
			d = maxDelay
			break
		}
		d *= 2
	}

	delay := minDelay
	if d > minDelay {
		delay = minDelay + jitterSpan(d-minDelay, rnd())
	}

	if remaining-delay < minDelay {
		delay = remaining
	}
	return delay
}

// jitterSpan returns r·span for r in [0,1), clamped to [0, span].
func jitterSpan(span time.Duration, r float64) time.Duration {
	if !(r > 0) { // also catches NaN
		return 0
	}
	if r >= 1 {
		return span
	}
	return time.Duration(float64(span) * r)
}

// SleepContext sleeps for d or until ctx is done, whichever comes first. It
// returns ctx.Err() if ctx ended first (or had already ended), nil
// otherwise. d <= 0 returns at once. It is the wall clock's Sleep.
func SleepContext(ctx context.Context, d time.Duration) error {
	return clock.Real{}.Sleep(ctx, d)
}
