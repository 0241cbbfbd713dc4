package retry

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestComputeDelay(t *testing.T) {
	const s = time.Second
	zero := func() float64 { return 0 }
	almostOne := func() float64 { return math.Nextafter(1, 0) }
	tests := []struct {
		name      string
		attempt   int
		min, max  time.Duration
		remaining time.Duration
		rnd       func() float64
		want      time.Duration
	}{
		{"first attempt is minDelay", 1, 2 * s, 30 * s, time.Hour, almostOne, 2 * s},
		{"second attempt low jitter", 2, 2 * s, 30 * s, time.Hour, zero, 2 * s},
		{"second attempt mid jitter", 2, 2 * s, 30 * s, time.Hour, half, 3 * s},
		{"fourth attempt mid jitter", 4, 2 * s, 30 * s, time.Hour, half, 9 * s},                    // [2,16]
		{"capped at maxDelay", 5, 2 * s, 30 * s, time.Hour, half, 16 * s},                          // [2,30]
		{"attempt 100 no overflow", 100, 2 * s, 30 * s, time.Hour, half, 16 * s},                   // [2,30]
		{"attempt MaxInt no overflow", math.MaxInt, 2 * s, 30 * s, time.Hour, almostOne, 30*s - 1}, // top of [2s,30s)
		{"huge maxDelay attempt 100", 100, time.Nanosecond, math.MaxInt64, time.Duration(math.MaxInt64), zero, time.Nanosecond},
		{"remaining zero", 3, 2 * s, 30 * s, 0, half, 0},
		{"remaining negative", 3, 2 * s, 30 * s, -s, half, 0},
		{"never exceeds remaining", 5, 2 * s, 30 * s, 5 * s, half, 5 * s},
		{"lands at deadline when less than minDelay would be left", 4, 2 * s, 30 * s, 10 * s, half, 10 * s}, // 9s leaves 1s < 2s
		{"exactly minDelay left is kept", 4, 2 * s, 30 * s, 11 * s, half, 9 * s},
		{"remaining below minDelay", 1, 2 * s, 30 * s, s, half, s},
		{"attempt zero treated as 1", 0, 2 * s, 30 * s, time.Hour, almostOne, 2 * s},
		{"max below min", 3, 2 * s, s, time.Hour, half, 2 * s},
		{"zero minDelay", 3, 0, s, time.Hour, half, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeDelay(tc.attempt, tc.min, tc.max, tc.remaining, tc.rnd)
			if got != tc.want {
				t.Fatalf("ComputeDelay(%d, %v, %v, %v) = %v, want %v", tc.attempt, tc.min, tc.max, tc.remaining, got, tc.want)
			}
		})
	}
}

func TestComputeDelayBounds(t *testing.T) {
	// Property: for every attempt and random value, the delay is within
	// [minDelay, maxDelay] when plenty of time remains.
	for attempt := 1; attempt <= 200; attempt++ {
		for _, r := range []float64{0, 0.1, 0.5, 0.9, math.Nextafter(1, 0)} {
			d := ComputeDelay(attempt, time.Second, 40*time.Second, 24*time.Hour, func() float64 { return r })
			if d < time.Second || d > 40*time.Second {
				t.Fatalf("attempt %d r %v: %v out of [1s,40s]", attempt, r, d)
			}
		}
	}
	// Default random source stays in range too.
	for range 100 {
		d := ComputeDelay(6, time.Second, 40*time.Second, 24*time.Hour, nil)
		if d < time.Second || d > 32*time.Second {
			t.Fatalf("nil rnd: %v out of [1s,32s]", d)
		}
	}
}

func TestComputeDelayWaiterReachesDeadline(t *testing.T) {
	// Simulate a waiter: poll until remaining reaches 0. The last poll must be
	// at the deadline (smithy#2259), and there must be polls throughout
	// (aws-sdk-go-v2#1862).
	const total = 15 * time.Minute
	elapsed := time.Duration(0)
	polls := 0
	for attempt := 1; elapsed < total; attempt++ {
		d := ComputeDelay(attempt, 2*time.Second, 30*time.Second, total-elapsed, half)
		if d <= 0 {
			t.Fatalf("attempt %d: non-positive delay %v with %v remaining", attempt, d, total-elapsed)
		}
		elapsed += d
		polls++
	}
	if elapsed != total {
		t.Fatalf("last poll at %v, want exactly %v", elapsed, total)
	}
	if polls < 50 {
		t.Fatalf("only %d polls in 15 minutes", polls)
	}
}

func TestSleepContext(t *testing.T) {
	if err := SleepContext(context.Background(), 0); err != nil {
		t.Fatalf("zero sleep: %v", err)
	}
	if err := SleepContext(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("short sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := SleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if err := SleepContext(ctx2, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	if el := time.Since(start); el > 500*time.Millisecond {
		t.Fatalf("SleepContext returned after %v, want promptly after the 10ms deadline", el)
	}
}
