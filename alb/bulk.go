package alb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
)

// BulkOptions adjust [Client.CreateMany] and [Client.ReleaseMany].
type BulkOptions struct {
	// Concurrency is the number of items in flight at once [8]. The
	// client's rate limiting and retries apply to every call as usual.
	Concurrency int
	// OnToken, if set, receives each item's idempotency key (the spec's, or
	// the one generated for it) BEFORE the item's first API call. Persist
	// it there to make the bulk crash-safe: after a crash, run the bulk
	// again with the saved keys on the specs and Resume set (or resume one
	// item with [Client.ResumeCreate] / [Client.ResumeRelease]). An error
	// from OnToken skips the item (reported with that error, state
	// [ItemNotStarted]); the other items go on. It is called from the
	// bulk's goroutines, one at a time.
	OnToken func(index int, token string) error
	// Progress, if set, is called each time an item starts and each time
	// one finishes, with the counts so far, for a progress bar. It is
	// called from the bulk's goroutines, one at a time; keep it fast.
	Progress func(BulkProgress)
	// Wait adjusts the waits of every item (until Active for a create,
	// until gone for a release).
	Wait []WaitOption
	// Resume, for CreateMany: an item whose spec carries an idempotency key
	// is resumed with [Client.ResumeCreate] (found by its token tag, or
	// re-sent with the same key) instead of created. Use it when running a
	// bulk again after a crash.
	Resume bool
}

func (o BulkOptions) concurrency(n int) int {
	c := o.Concurrency
	if c <= 0 {
		c = 8
	}
	return max(1, min(c, n))
}

// BulkProgress is a progress event of a bulk operation.
type BulkProgress struct {
	Total   int // items in the bulk
	Started int // items started so far
	Done    int // items finished so far, successfully or not, skipped ones included; Total at the end
	Failed  int // items finished with an error, skipped ones included
	Skipped int // items finished without being started (the context ended first)
}

// InFlight returns the number of items started and not finished.
func (p BulkProgress) InFlight() int { return p.Started - (p.Done - p.Skipped) }

// ItemState says what a bulk item left behind. Code acts on it; the item's
// error says why.
type ItemState string

// Item states.
const (
	// ItemNotStarted: no API call was made for the item (the context ended
	// first, OnToken refused it, or its spec is invalid); nothing exists.
	ItemNotStarted ItemState = "not-started"
	// ItemNotCreated: the service refused the create; no instance exists.
	ItemNotCreated ItemState = "not-created"
	// ItemMaybeCreated: the create may have reached the service and its
	// outcome is unknown; resume it with the item's Token
	// ([Client.ResumeCreate]) to find or finish the instance.
	ItemMaybeCreated ItemState = "maybe-created"
	// ItemCreated: the instance exists (ID) but did not reach Active (the
	// wait failed, was cancelled, or the instance is in CreateFailed); it is
	// billed until released unless it is CreateFailed.
	ItemCreated ItemState = "created"
	// ItemActive: the instance exists and is Active.
	ItemActive ItemState = "active"
	// ItemReleased: the instance is gone (released by this item, or
	// already gone).
	ItemReleased ItemState = "released"
	// ItemNotReleased: the release was refused before any delete could
	// take effect (deletion protection, the service's definitive refusal,
	// the instance could not be read); the instance is as it was, except
	// that deletion protection is restored if this item had turned it off.
	ItemNotReleased ItemState = "not-released"
	// ItemMaybeReleased: the delete may have been accepted but the instance
	// was not seen gone (the context ended, retries ran out, the delete job
	// failed); the instance may be Deleting or intact. Resume it with the ID
	// and Token ([Client.ResumeRelease]) or run the release again with the
	// same key.
	ItemMaybeReleased ItemState = "maybe-released"
)

// Side effect kinds of a create, reported in a CreateOutcome.
const (
	SideEffectInstanceCreated = "instance-created"
	SideEffectEIPAssigned     = "eip-assigned"
)

// CreateOutcome is the outcome of one item of [Client.CreateMany].
type CreateOutcome struct {
	// Index is the item's position in the specs.
	Index int
	// Token is the item's idempotency key ("" only for an item skipped
	// before a key was chosen). Resume the item with it.
	Token string
	// ID is the instance, once the service named it.
	ID string
	// Instance is the Active instance (nil unless State is ItemActive).
	Instance *Instance
	// State says what exists now.
	State ItemState
	// SideEffects lists what the create made: the instance, and every EIP
	// assigned automatically (released with the instance).
	SideEffects []SideEffect
	// Err is the item's error (nil when State is ItemActive).
	Err error
}

// String describes the outcome in one line.
func (o *CreateOutcome) String() string {
	s := fmt.Sprintf("create #%d token %s: %s", o.Index, o.Token, o.State)
	if o.ID != "" {
		s += " " + o.ID
	}
	if o.Err != nil {
		s += ": " + o.Err.Error()
	}
	return s
}

func (o *CreateOutcome) itemErr() error { return o.Err }

// ReleaseRequest is one item of [Client.ReleaseMany].
type ReleaseRequest struct {
	// ID is the instance to release.
	ID string
	// Options are the release's options; an empty IdempotencyKey gets a
	// generated one (reported through BulkOptions.OnToken before the first
	// call), and empty Wait takes BulkOptions.Wait.
	Options ReleaseOptions
}

// ReleaseOutcome is the outcome of one item of [Client.ReleaseMany].
type ReleaseOutcome struct {
	// Index is the item's position in the requests.
	Index int
	// ID is the instance.
	ID string
	// Token is the ClientToken of the delete; resume with ID and Token.
	Token string
	// State is ItemReleased, ItemNotReleased, ItemMaybeReleased or
	// ItemNotStarted.
	State ItemState
	// Result lists the release's plan and side effects (nil if no call was
	// made).
	Result *ReleaseResult
	// Err is the item's error (nil when State is ItemReleased).
	Err error
}

// String describes the outcome in one line.
func (o *ReleaseOutcome) String() string {
	s := fmt.Sprintf("release #%d %s token %s: %s", o.Index, o.ID, o.Token, o.State)
	if o.Err != nil {
		s += ": " + o.Err.Error()
	}
	return s
}

func (o *ReleaseOutcome) itemErr() error { return o.Err }

// CreateMany creates the instances of specs and waits until each is Active,
// at most opts.Concurrency at a time. Each item's outcome is yielded as it
// finishes, with the item's error as the second value; one failure never
// stops the others. Every item is yielded exactly once.
//
// Each item has its own idempotency key: the spec's IdempotencyKey, or one
// generated for it and given to opts.OnToken before the item's first call.
//
// When ctx ends, no new item starts: items in flight end with the context's
// error and say what remains (State ItemMaybeCreated or ItemCreated, with
// the Token to resume), and items not started are yielded with State
// ItemNotStarted. Stopping the range early cancels the items in flight
// without yielding them; their keys were given to OnToken.
//
//	for out, err := range client.CreateMany(ctx, specs, alb.BulkOptions{Concurrency: 16}) {
//		if err != nil {
//			log.Printf("item %d (%s): %v", out.Index, out.State, err)
//			continue
//		}
//		fmt.Println(out.ID, "is active")
//	}
func (c *Client) CreateMany(ctx context.Context, specs []InstanceSpec, opts BulkOptions) iter.Seq2[*CreateOutcome, error] {
	specs = append([]InstanceSpec(nil), specs...)
	return traceBulk(c, ctx, "CreateMany", func(ctx context.Context) iter.Seq2[*CreateOutcome, error] {
		return runBulk(ctx, len(specs), opts,
			func(ctx context.Context, i int, tokens *sync.Mutex) *CreateOutcome {
				return c.createItem(ctx, i, specs[i], opts, tokens)
			},
			func(i int, err error) *CreateOutcome {
				return &CreateOutcome{Index: i, Token: specs[i].IdempotencyKey, State: ItemNotStarted, Err: err}
			})
	})
}

// createItem runs one item of CreateMany.
func (c *Client) createItem(ctx context.Context, i int, spec InstanceSpec, opts BulkOptions, tokens *sync.Mutex) *CreateOutcome {
	out := &CreateOutcome{Index: i, Token: spec.IdempotencyKey, State: ItemNotStarted}
	if err := checkWaitOpts("CreateMany", opts.Wait); err != nil {
		out.Err = err
		return out
	}
	if err := spec.Validate(); err != nil && !onlySingleZone(spec, err) {
		// (A spec whose only fault is its one zone mapping is left to
		// Create, which decides it from the region's zones: validateSpec.)
		out.Err = err
		return out
	}
	given := spec.IdempotencyKey != ""
	if !given {
		out.Token = c.newTok()
		spec = spec.WithIdempotencyKey(out.Token)
	}
	if err := reportToken(opts.OnToken, tokens, i, out.Token); err != nil {
		out.Err = err
		return out
	}
	var (
		op  *CreateOperation
		err error
	)
	if opts.Resume && given {
		op, err = c.ResumeCreate(ctx, out.Token, &spec)
	} else {
		op, err = c.Create(ctx, spec)
	}
	if err != nil {
		out.Err = err
		switch {
		case errors.Is(err, ErrInvalidSpec) || errors.Is(err, ErrInvalidArgument):
			out.State = ItemNotStarted
		case op == nil && !(opts.Resume && given) && (definitive(err) || errors.Is(err, ErrPreflightFailed)):
			// The service refused the create, or its plan did before
			// CreateLoadBalancer was sent.
			out.State = ItemNotCreated
		case errors.Is(err, ErrIdempotencyKeyReused):
			out.State = ItemCreated // an instance made from another spec carries the key
			var ie *IdempotencyError
			if errors.As(err, &ie) {
				out.ID = ie.InstanceID
			}
		default:
			out.State = ItemMaybeCreated
			if op != nil {
				out.ID = op.ID()
			}
		}
		return out
	}
	out.ID = op.ID()
	out.State = ItemCreated
	out.SideEffects = append(out.SideEffects, SideEffect{Kind: SideEffectInstanceCreated, ResourceID: out.ID, Detail: "instance " + out.ID + " created with token " + out.Token})
	inst, err := op.Wait(ctx, opts.Wait...)
	if err != nil {
		out.Err = err
		if errors.Is(err, ErrReleased) {
			out.State = ItemReleased
		}
		return out
	}
	out.Instance, out.State = inst, ItemActive
	out.SideEffects = append(out.SideEffects, assignedEIPs(spec, inst)...)
	return out
}

// assignedEIPs lists the EIPs the service assigned automatically: those of
// an Internet-facing instance in zones where the spec named none.
func assignedEIPs(spec InstanceSpec, inst *Instance) []SideEffect {
	if spec.AddressType != Internet {
		return nil
	}
	named := map[string]bool{}
	for _, z := range spec.ZoneMappings {
		if z.AllocationID != "" {
			named[z.ZoneID] = true
		}
	}
	var out []SideEffect
	for _, z := range inst.Zones {
		if named[z.ZoneID] {
			continue
		}
		for _, a := range z.Addresses {
			if a.AllocationID != "" {
				out = append(out, SideEffect{Kind: SideEffectEIPAssigned, ResourceID: a.AllocationID,
					Detail: fmt.Sprintf("EIP %s %s assigned in %s (released with the instance)", a.AllocationID, a.Address, z.ZoneID)})
			}
		}
	}
	return out
}

// ReleaseMany releases the instances of reqs, at most opts.Concurrency at a
// time, each with the safety rules of [Client.Release] (deletion protection
// is refused unless the item's options ask to turn it off). Each item's
// outcome is yielded as it finishes, with the item's error; one failure
// never stops the others, and every item is yielded exactly once. Each
// delete has its own ClientToken (the item's IdempotencyKey, or one
// generated and given to opts.OnToken before the item's first call);
// running the bulk again with the same keys resumes it. Cancelling ctx and
// stopping the range behave as in [Client.CreateMany].
func (c *Client) ReleaseMany(ctx context.Context, reqs []ReleaseRequest, opts BulkOptions) iter.Seq2[*ReleaseOutcome, error] {
	reqs = append([]ReleaseRequest(nil), reqs...)
	return traceBulk(c, ctx, "ReleaseMany", func(ctx context.Context) iter.Seq2[*ReleaseOutcome, error] {
		return runBulk(ctx, len(reqs), opts,
			func(ctx context.Context, i int, tokens *sync.Mutex) *ReleaseOutcome {
				return c.releaseItem(ctx, i, reqs[i], opts, tokens)
			},
			func(i int, err error) *ReleaseOutcome {
				return &ReleaseOutcome{Index: i, ID: reqs[i].ID, Token: reqs[i].Options.IdempotencyKey, State: ItemNotStarted, Err: err}
			})
	})
}

// releaseItem runs one item of ReleaseMany.
func (c *Client) releaseItem(ctx context.Context, i int, req ReleaseRequest, opts BulkOptions, tokens *sync.Mutex) *ReleaseOutcome {
	ro := req.Options
	out := &ReleaseOutcome{Index: i, ID: req.ID, Token: ro.IdempotencyKey, State: ItemNotStarted}
	if err := checkCall("ReleaseMany", req.ID, slices.Concat(opts.Wait, ro.Wait)); err != nil {
		out.Err = err
		return out
	}
	if out.Token == "" {
		out.Token = c.newTok()
		ro.IdempotencyKey = out.Token
	}
	if ro.Wait == nil {
		ro.Wait = opts.Wait
	}
	if err := reportToken(opts.OnToken, tokens, i, out.Token); err != nil {
		out.Err = err
		return out
	}
	op, err := c.StartRelease(ctx, req.ID, ro)
	if err == nil {
		_, err = op.Wait(ctx)
	}
	if op != nil {
		out.Result, _ = op.Result()
	}
	out.Err = err
	out.State = releaseState(op, err)
	return out
}

// releaseState decides what a release item left behind.
func releaseState(op *ReleaseOperation, err error) ItemState {
	switch {
	case err == nil:
		return ItemReleased
	case op == nil || errors.Is(err, ErrDeletionProtected) || definitive(err):
		// Refused before a delete could take effect: the plan could not be
		// read, protection is on, or the service refused.
		return ItemNotReleased
	}
	return ItemMaybeReleased
}

// reportToken gives the caller an item's key before its first call.
func reportToken(fn func(int, string) error, mu *sync.Mutex, i int, token string) error {
	if fn == nil {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if err := fn(i, token); err != nil {
		return &ArgumentError{Operation: "bulk", Argument: "OnToken", Message: fmt.Sprintf("item %d was not started: OnToken refused its key: %v", i, err)}
	}
	return nil
}

// bulkItem is an outcome of a bulk operation.
type bulkItem interface{ itemErr() error }

// runBulk runs n items with bounded concurrency and yields each outcome as
// it finishes. Items not started when ctx ends are yielded by skipped.
func runBulk[T bulkItem](ctx context.Context, n int, opts BulkOptions,
	run func(ctx context.Context, i int, tokens *sync.Mutex) T, skipped func(i int, err error) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if n == 0 {
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var (
			pmu    sync.Mutex
			prog   = BulkProgress{Total: n}
			tokens sync.Mutex
		)
		report := func(update func(*BulkProgress)) {
			pmu.Lock()
			defer pmu.Unlock()
			update(&prog)
			if opts.Progress != nil {
				opts.Progress(prog)
			}
		}
		finished := func(failed bool) func(*BulkProgress) {
			return func(p *BulkProgress) {
				p.Done++
				if failed {
					p.Failed++
				}
			}
		}
		skip := func(p *BulkProgress) { p.Done++; p.Failed++; p.Skipped++ }
		out := make(chan T)
		stop := make(chan struct{}) // closed when the consumer stops ranging
		send := func(r T) bool {
			select {
			case out <- r:
				return true
			case <-stop:
				return false
			}
		}
		next := make(chan int)
		var wg sync.WaitGroup
		for range opts.concurrency(n) {
			wg.Go(func() {
				for i := range next {
					var r T
					if err := ctx.Err(); err != nil {
						r = skipped(i, notStarted(i, err))
						report(skip)
					} else {
						report(func(p *BulkProgress) { p.Started++ })
						r = run(ctx, i, &tokens)
						report(finished(r.itemErr() != nil))
					}
					if !send(r) {
						return
					}
				}
			})
		}
		wg.Go(func() {
			defer close(next)
			for i := range n {
				select {
				case next <- i:
				case <-ctx.Done():
					for j := i; j < n; j++ {
						report(skip)
						if !send(skipped(j, notStarted(j, ctx.Err()))) {
							return
						}
					}
					return
				}
			}
		})
		go func() {
			wg.Wait()
			close(out)
		}()
		defer func() {
			close(stop)
			cancel()
			for range out { // let every goroutine end
			}
		}()
		for r := range out {
			if !yield(r, r.itemErr()) {
				return
			}
		}
	}
}

// notStarted is the error of an item the context's end kept from starting.
func notStarted(i int, err error) error {
	return fmt.Errorf("alb: bulk item %d not started: %w", i, err)
}
