package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/clock"
)

type fake struct{ now time.Time }

func (f *fake) Now() time.Time { return f.now }
func (f *fake) Sleep(ctx context.Context, d time.Duration) error {
	f.now = f.now.Add(d)
	return ctx.Err()
}

func TestRealSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (clock.Real{}).Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v", err)
	}
	if err := (clock.Real{}).Sleep(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
}

func TestDeadlineOnRealClockIsAContextDeadline(t *testing.T) {
	at := time.Now().Add(time.Hour)
	ctx, cancel := clock.WithDeadline(context.Background(), clock.Real{}, at)
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || !d.Equal(at) {
		t.Fatalf("context deadline %v %v", d, ok)
	}
	if d, ok := clock.Deadline(ctx); !ok || !d.Equal(at) {
		t.Fatalf("clock.Deadline %v %v", d, ok)
	}
	// An earlier caller deadline wins.
	early, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
	defer cancel2()
	ctx2, cancel3 := clock.WithDeadline(early, clock.Real{}, at)
	defer cancel3()
	if d, _ := clock.Deadline(ctx2); d.After(time.Now().Add(2 * time.Minute)) {
		t.Fatalf("clock.Deadline %v ignores the caller's earlier deadline", d)
	}
}

func TestDeadlineOnFakeClockIsAValue(t *testing.T) {
	f := &fake{now: time.Unix(1000, 0)}
	ctx, cancel := clock.WithDeadline(context.Background(), f, f.now.Add(time.Minute))
	defer cancel()
	if _, ok := ctx.Deadline(); ok {
		t.Fatal("a fake-clock bound must not be a (wall-clock) context deadline")
	}
	if d, ok := clock.Deadline(ctx); !ok || !d.Equal(time.Unix(1060, 0)) {
		t.Fatalf("clock.Deadline %v %v", d, ok)
	}
	// Nested bounds keep the earliest.
	inner, cancel2 := clock.WithDeadline(ctx, f, f.now.Add(time.Hour))
	defer cancel2()
	if d, _ := clock.Deadline(inner); !d.Equal(time.Unix(1060, 0)) {
		t.Fatalf("nested bound %v, want the outer, earlier one", d)
	}
	if clock.Passed(inner, f) {
		t.Fatal("passed before the bound")
	}
	f.now = f.now.Add(time.Minute)
	if !clock.Passed(inner, f) {
		t.Fatal("not passed at the bound")
	}
	if clock.Or(nil) != (clock.Real{}) || clock.Or(f) != f {
		t.Fatal("Or")
	}
}

// On a fake clock a caller's wall-clock deadline is not comparable with
// the clock's time: DeadlineOn leaves it out.
func TestDeadlineOnIgnoresWallDeadlineForFakeClock(t *testing.T) {
	f := &fake{now: time.Unix(1000, 0)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if _, ok := clock.DeadlineOn(ctx, f); ok {
		t.Fatal("a wall deadline reported as a bound on a fake clock")
	}
	if _, ok := clock.DeadlineOn(ctx, clock.Real{}); !ok {
		t.Fatal("the wall deadline not reported on the wall clock")
	}
	b, cancel2 := clock.WithDeadline(ctx, f, f.now.Add(time.Minute))
	defer cancel2()
	if d, ok := clock.DeadlineOn(b, f); !ok || !d.Equal(time.Unix(1060, 0)) {
		t.Fatalf("DeadlineOn = %v %v", d, ok)
	}
}
