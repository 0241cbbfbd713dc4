package flight_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/albkit/albkit/internal/flight"
)

type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) Add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func TestConcurrentCallersShareOneRead(t *testing.T) {
	g := flight.New[string, int](time.Now)
	release := make(chan struct{})
	var reads atomic.Int32
	started := make(chan struct{})
	fn := func(context.Context) (int, error) {
		if reads.Add(1) == 1 {
			close(started)
		}
		<-release
		return 42, nil
	}
	const n = 50
	var wg sync.WaitGroup
	results := make([]int, n)
	shared := make([]bool, n)
	wg.Go(func() { results[0], shared[0], _ = g.Do(context.Background(), "k", 0, fn) })
	<-started
	for i := 1; i < n; i++ {
		wg.Go(func() { results[i], shared[i], _ = g.Do(context.Background(), "k", 0, fn) })
	}
	// The followers are waiting (or about to); let the read finish only
	// once they have all called Do: wait until the in-flight call is the
	// only read made.
	waitFollowers(t, g, "k", n-1)
	close(release)
	wg.Wait()
	if got := reads.Load(); got != 1 {
		t.Fatalf("reads = %d, want 1", got)
	}
	for i, r := range results {
		if r != 42 {
			t.Fatalf("result %d = %d", i, r)
		}
		if shared[i] != (i != 0) {
			t.Fatalf("shared[%d] = %v", i, shared[i])
		}
	}
	// TTL 0: nothing kept, the next caller reads again.
	if _, sh, _ := g.Do(context.Background(), "k", 0, func(context.Context) (int, error) { return 7, nil }); sh {
		t.Fatal("an answer was kept with TTL 0")
	}
}

// waitFollowers waits until n callers wait on key's read.
func waitFollowers[K comparable, V any](t *testing.T, g *flight.Group[K, V], key K, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for g.Waiting(key) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d callers waiting", g.Waiting(key), n)
		}
		time.Sleep(time.Millisecond) // polling a condition, not synchronising on time
	}
}

func TestAnswerKeptForTTL(t *testing.T) {
	clk := &fakeNow{t: time.Unix(1000, 0)}
	g := flight.New[string, int](clk.Now)
	var reads int
	fn := func(context.Context) (int, error) { reads++; return reads, nil }
	v, sh, err := g.Do(context.Background(), "k", time.Minute, fn)
	if v != 1 || sh || err != nil {
		t.Fatalf("first = %d %v %v", v, sh, err)
	}
	clk.Add(59 * time.Second)
	if v, sh, _ = g.Do(context.Background(), "k", time.Minute, fn); v != 1 || !sh {
		t.Fatalf("within TTL = %d shared %v, want the kept 1", v, sh)
	}
	clk.Add(time.Second)
	if v, sh, _ = g.Do(context.Background(), "k", time.Minute, fn); v != 2 || sh {
		t.Fatalf("after TTL = %d shared %v, want a new read", v, sh)
	}
	g.Forget("k")
	if v, _, _ = g.Do(context.Background(), "k", time.Minute, fn); v != 3 {
		t.Fatalf("after Forget = %d, want a new read", v)
	}
	if v, _, _ = g.Do(context.Background(), "other", time.Minute, fn); v != 4 {
		t.Fatalf("another key = %d, want its own read", v)
	}
}

func TestErrorsAreNotKept(t *testing.T) {
	g := flight.New[string, int](time.Now)
	boom := errors.New("boom")
	if _, _, err := g.Do(context.Background(), "k", time.Hour, func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	v, sh, err := g.Do(context.Background(), "k", time.Hour, func(context.Context) (int, error) { return 5, nil })
	if v != 5 || sh || err != nil {
		t.Fatalf("after an error = %d %v %v, want a new read", v, sh, err)
	}
}

func TestFollowerOutlivesCancelledLeader(t *testing.T) {
	g := flight.New[string, int](time.Now)
	leaderCtx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var leaderErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		_, _, leaderErr = g.Do(leaderCtx, "k", 0, func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		})
	})
	<-started
	var v int
	var err error
	wg.Go(func() {
		v, _, err = g.Do(context.Background(), "k", 0, func(context.Context) (int, error) { return 9, nil })
	})
	waitFollowers(t, g, "k", 1)
	cancel()
	wg.Wait()
	if !errors.Is(leaderErr, context.Canceled) {
		t.Fatalf("leader err = %v", leaderErr)
	}
	if v != 9 || err != nil {
		t.Fatalf("follower = %d %v, want its own read's 9", v, err)
	}
}

func TestFollowerStopsWithItsContext(t *testing.T) {
	g := flight.New[string, int](time.Now)
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		_, _, _ = g.Do(context.Background(), "k", 0, func(context.Context) (int, error) { close(started); <-release; return 1, nil })
	})
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := g.Do(ctx, "k", 0, func(context.Context) (int, error) { return 2, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	close(release)
	wg.Wait()
}

func TestExpiredAnswersAreSwept(t *testing.T) {
	clk := &fakeNow{t: time.Unix(0, 0)}
	g := flight.New[int, int](clk.Now)
	for i := range 200 {
		_, _, _ = g.Do(context.Background(), i, time.Second, func(context.Context) (int, error) { return i, nil })
		clk.Add(time.Second)
	}
	if n := g.Kept(); n > 65 {
		t.Fatalf("kept %d answers, want expired ones dropped", n)
	}
}

func ExampleGroup() {
	g := flight.New[string, []string](time.Now)
	reads := 0
	regions := func(context.Context) ([]string, error) {
		reads++
		return []string{"cn-hangzhou", "cn-shanghai"}, nil
	}
	for range 3 {
		r, shared, _ := g.Do(context.Background(), "DescribeRegions", time.Minute, regions)
		fmt.Println(r, shared)
	}
	fmt.Println("reads:", reads)
	// Output:
	// [cn-hangzhou cn-shanghai] false
	// [cn-hangzhou cn-shanghai] true
	// [cn-hangzhou cn-shanghai] true
	// reads: 1
}
