package alb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// bulkSpecs returns n valid specs named prefix-i, tagged run=prefix.
func bulkSpecs(prefix string, n int) []alb.InstanceSpec {
	specs := make([]alb.InstanceSpec, n)
	for i := range specs {
		specs[i] = basicSpec().WithName(fmt.Sprintf("%s-%d", prefix, i)).WithTag("run", prefix)
	}
	return specs
}

// progressLog records progress events and checks their invariants.
type progressLog struct {
	mu     sync.Mutex
	events []alb.BulkProgress
	maxIn  int
}

func (l *progressLog) add(p alb.BulkProgress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, p)
	l.maxIn = max(l.maxIn, p.InFlight())
}

func (l *progressLog) last() alb.BulkProgress {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.events[len(l.events)-1]
}

func (l *progressLog) check(t *testing.T, total, limit int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 1; i < len(l.events); i++ {
		a, b := l.events[i-1], l.events[i]
		if b.Started < a.Started || b.Done < a.Done || b.Failed < a.Failed || b.Total != total {
			t.Fatalf("progress goes backwards: %+v then %+v", a, b)
		}
	}
	if l.maxIn > limit {
		t.Fatalf("%d items in flight, concurrency %d", l.maxIn, limit)
	}
	if last := l.events[len(l.events)-1]; last.Done != total {
		t.Fatalf("last progress %+v: want Done %d", last, total)
	}
}

// Many creates and releases: every item is reported once, as it finishes,
// concurrency is bounded, each key is reported before the item's first
// call, and everything is released (instances and EIPs).
func TestCreateManyThenReleaseMany(t *testing.T) {
	srv, c := newEnv(t, []albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterPolls(2))})
	eipsBefore := len(srv.EIPs())
	const n, conc = 12, 3
	specs := bulkSpecs("bulk", n)
	specs[5] = specs[5].WithIdempotencyKey("bulk-key-5")
	var (
		mu     sync.Mutex
		tokens = map[int]string{}
	)
	onToken := func(i int, tok string) error {
		// Before the first call: no create with this token reached the emulator yet.
		for _, r := range srv.Requests() {
			if r.Params["ClientToken"] == tok {
				return fmt.Errorf("token %s reported after a call", tok)
			}
		}
		mu.Lock()
		tokens[i] = tok
		mu.Unlock()
		return nil
	}
	var prog progressLog
	seen := map[int]bool{}
	var ids []string
	for out, err := range c.CreateMany(context.Background(), specs, alb.BulkOptions{Concurrency: conc, OnToken: onToken, Progress: prog.add}) {
		if err != nil || out.State != alb.ItemActive || out.Instance == nil {
			t.Fatalf("item %v: %v", out, err)
		}
		if seen[out.Index] {
			t.Fatalf("item %d reported twice", out.Index)
		}
		seen[out.Index] = true
		mu.Lock()
		reported := tokens[out.Index]
		mu.Unlock()
		if out.Token != reported || out.Instance.Token() != out.Token {
			t.Fatalf("item %d: token %q, reported %q, tag %q", out.Index, out.Token, reported, out.Instance.Token())
		}
		if out.Instance.Name != specs[out.Index].Name {
			t.Fatalf("item %d is %s", out.Index, out.Instance.Name)
		}
		kinds := map[string]int{}
		for _, e := range out.SideEffects {
			kinds[e.Kind]++
		}
		if kinds[alb.SideEffectInstanceCreated] != 1 || kinds[alb.SideEffectEIPAssigned] != 2 {
			t.Fatalf("item %d side effects %+v", out.Index, out.SideEffects)
		}
		ids = append(ids, out.ID)
	}
	if len(seen) != n || srv.Created() != n || tokens[5] != "bulk-key-5" {
		t.Fatalf("seen %d, created %d, key 5 %q", len(seen), srv.Created(), tokens[5])
	}
	prog.check(t, n, conc)
	if p := prog.last(); p.Started != n || p.Failed != 0 {
		t.Fatalf("progress %+v", p)
	}

	reqs := make([]alb.ReleaseRequest, len(ids))
	for i, id := range ids {
		reqs[i] = alb.ReleaseRequest{ID: id}
	}
	var rprog progressLog
	released := 0
	for out, err := range c.ReleaseMany(context.Background(), reqs, alb.BulkOptions{Concurrency: conc, Progress: rprog.add}) {
		if err != nil || out.State != alb.ItemReleased || out.Token == "" || out.Result == nil {
			t.Fatalf("release %v: %v", out, err)
		}
		released++
	}
	rprog.check(t, n, conc)
	if released != n || srv.Live() != 0 || len(srv.EIPs()) != eipsBefore {
		t.Fatalf("released %d, live %d, EIPs %d (before %d)", released, srv.Live(), len(srv.EIPs()), eipsBefore)
	}
}

// One item failing (an invalid spec, a CreateFailed instance, a refused
// release) never stops the others, and each says what remains.
func TestBulkOneFailureNeverStopsTheRest(t *testing.T) {
	srv, c := newEnv(t, []albtest.Option{albtest.WithCreateFailure(func(ci albtest.CreateInfo) bool { return ci.Name == "mixed-2" })})
	specs := bulkSpecs("mixed", 6)
	specs[4] = specs[4].WithName("1-not-a-valid-name")
	states := map[int]alb.ItemState{}
	var ids []string
	var active string
	for out, err := range c.CreateMany(context.Background(), specs, alb.BulkOptions{Concurrency: 2}) {
		states[out.Index] = out.State
		switch out.Index {
		case 2:
			if !errors.Is(err, alb.ErrCreateFailed) || out.State != alb.ItemCreated || out.ID == "" {
				t.Fatalf("CreateFailed item: %v", out)
			}
		case 4:
			if !errors.Is(err, alb.ErrInvalidSpec) || out.State != alb.ItemNotStarted {
				t.Fatalf("invalid item: %v", out)
			}
		default:
			if err != nil {
				t.Fatalf("item %v", out)
			}
		}
		if out.ID != "" {
			ids = append(ids, out.ID)
		}
		if out.State == alb.ItemActive {
			active = out.ID
		}
	}
	if len(states) != 6 || srv.Created() != 5 {
		t.Fatalf("states %v, created %d", states, srv.Created())
	}
	slices.Sort(ids)
	if err := c.EnableDeletionProtection(context.Background(), active); err != nil {
		t.Fatal(err)
	}
	reqs := []alb.ReleaseRequest{{ID: ""}}
	for _, id := range ids {
		reqs = append(reqs, alb.ReleaseRequest{ID: id})
	}
	for out, err := range c.ReleaseMany(context.Background(), reqs, alb.BulkOptions{}) {
		switch {
		case out.Index == 0:
			if !errors.Is(err, alb.ErrInvalidArgument) || out.State != alb.ItemNotStarted {
				t.Fatalf("empty ID: %v", out)
			}
		case out.ID == active:
			if !errors.Is(err, alb.ErrDeletionProtected) || out.State != alb.ItemNotReleased {
				t.Fatalf("protected: %v", out)
			}
		case err != nil || out.State != alb.ItemReleased:
			t.Fatalf("release %v", out)
		}
	}
	if srv.Live() != 1 {
		t.Fatalf("live %d, want the protected one", srv.Live())
	}
	for out, err := range c.ReleaseMany(context.Background(), []alb.ReleaseRequest{{ID: active, Options: alb.ReleaseOptions{DisableDeletionProtection: true}}}, alb.BulkOptions{}) {
		if err != nil || out.State != alb.ItemReleased {
			t.Fatalf("allowed: %v", out)
		}
	}
	if srv.Live() != 0 {
		t.Fatalf("live %d", srv.Live())
	}
}

// Cancelling stops new work and reports what is in flight with its token;
// resuming those tokens gives exactly one instance each.
func TestCreateManyCancelReportsInFlight(t *testing.T) {
	srv, c := newEnv(t, nil)
	hold := make(chan struct{})
	reached := make(chan string)
	fault := srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", Hold: hold, Reached: reached})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n, conc = 7, 2
	specs := bulkSpecs("cancel", n)
	type result struct {
		out *alb.CreateOutcome
		err error
	}
	results := make(chan result, n)
	go func() {
		defer close(results)
		for out, err := range c.CreateMany(ctx, specs, alb.BulkOptions{Concurrency: conc}) {
			results <- result{out, err}
		}
	}()
	for range conc {
		<-reached // both workers are inside CreateLoadBalancer
	}
	cancel()
	var inFlight []*alb.CreateOutcome
	notStarted := 0
	for r := range results {
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("item %v: want the context's error", r.out)
		}
		switch r.out.State {
		case alb.ItemMaybeCreated:
			if r.out.Token == "" {
				t.Fatalf("in-flight item without a token: %v", r.out)
			}
			inFlight = append(inFlight, r.out)
		case alb.ItemNotStarted:
			notStarted++
		default:
			t.Fatalf("item %v", r.out)
		}
	}
	if len(inFlight) != conc || notStarted != n-conc {
		t.Fatalf("%d in flight, %d not started", len(inFlight), notStarted)
	}
	srv.RemoveFault(fault)
	close(hold)
	// Resume each in-flight item from its token and spec: one instance each.
	for _, o := range inFlight {
		op, err := c.ResumeCreate(context.Background(), o.Token, &specs[o.Index])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := op.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Release(context.Background(), op.ID(), alb.ReleaseOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if srv.Created() != conc || srv.Live() != 0 {
		t.Fatalf("created %d, live %d", srv.Created(), srv.Live())
	}
}

// Running a bulk again with the saved keys and Resume set finishes it
// without a second instance for any key.
func TestCreateManyResumeWithSavedKeys(t *testing.T) {
	srv, c := newEnv(t, nil)
	specs := bulkSpecs("resume", 5)
	saved := make([]string, len(specs))
	// First run: stopped after the first item finished.
	for out := range c.CreateMany(context.Background(), specs, alb.BulkOptions{Concurrency: 5, OnToken: func(i int, tok string) error {
		saved[i] = tok
		return nil
	}}) {
		_ = out
		break
	}
	for i := range specs {
		if saved[i] == "" {
			t.Fatalf("key %d was not reported", i)
		}
		specs[i] = specs[i].WithIdempotencyKey(saved[i])
	}
	var ids []string
	for out, err := range c.CreateMany(context.Background(), specs, alb.BulkOptions{Resume: true}) {
		if err != nil || out.Instance.Token() != saved[out.Index] {
			t.Fatalf("resumed %v: %v", out, err)
		}
		ids = append(ids, out.ID)
	}
	if srv.Created() != len(specs) {
		t.Fatalf("created %d for %d keys", srv.Created(), len(specs))
	}
	var reqs []alb.ReleaseRequest
	for _, id := range ids {
		reqs = append(reqs, alb.ReleaseRequest{ID: id})
	}
	for out, err := range c.ReleaseMany(context.Background(), reqs, alb.BulkOptions{}) {
		if err != nil {
			t.Fatalf("release %v", out)
		}
	}
	if srv.Live() != 0 {
		t.Fatalf("live %d", srv.Live())
	}
}

// A key OnToken refuses skips that item only.
func TestBulkOnTokenRefusalSkipsTheItem(t *testing.T) {
	srv, c := newEnv(t, nil)
	specs := bulkSpecs("refuse", 3)
	var ids []string
	for out, err := range c.CreateMany(context.Background(), specs, alb.BulkOptions{OnToken: func(i int, _ string) error {
		if i == 1 {
			return errors.New("disk full")
		}
		return nil
	}}) {
		if out.Index == 1 {
			if !errors.Is(err, alb.ErrInvalidArgument) || out.State != alb.ItemNotStarted {
				t.Fatalf("refused item %v", out)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.ID)
	}
	if srv.Created() != 2 {
		t.Fatalf("created %d", srv.Created())
	}
	for _, id := range ids {
		if _, err := c.Release(context.Background(), id, alb.ReleaseOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}
