package stack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/albkit/albkit/alb"
)

// Options adjust [Stack.Apply] and [Stack.Destroy].
type Options struct {
	// Concurrency bounds the resources applied at once [16] (one waiting
	// for what it refers to takes no place). The client's rate limiter
	// paces the calls; waits share their polls.
	Concurrency int
	// Wait adjusts every wait.
	Wait []alb.WaitOption
	// Progress, if set, hears every step: a resource started, done or
	// failed. It is called from apply's goroutines, one call at a time.
	Progress func(Event)
	// Release shapes the instance's release in Destroy (deletion
	// protection, the domains to check, the user's EIPs); its
	// IdempotencyKey is the stack's own.
	Release alb.ReleaseOptions
}

func (o Options) concurrency() int {
	if o.Concurrency <= 0 {
		return 16
	}
	return o.Concurrency
}

// EventKind says what an [Event] reports.
type EventKind string

// The kinds of events.
const (
	EventStart EventKind = "start" // a resource's writes begin
	EventDone  EventKind = "done"  // a resource is as the stack says
	EventFail  EventKind = "fail"  // a resource failed (Err)
)

// Event is one step of an apply or a destroy.
type Event struct {
	Kind   EventKind
	Item   string // "server group api"
	Action Action // what is done with it
	ID     string // the resource's ID, once known
	Calls  int    // writes made for it (done)
	Err    error  // fail
	Done   int    // resources finished so far
	Total  int    // resources with something to do
}

// Result is what [Stack.Apply] or [Stack.Destroy] did.
type Result struct {
	// Plan is the plan applied.
	Plan *Plan
	// Items are the resources, in the plan's order, with their IDs and
	// the write calls made for each: those that completed (a call that
	// failed is named by the error; a resource that did not run, after a
	// failure, has none).
	Items []Item
}

// Calls lists the write calls made, in the plan's order.
func (r *Result) Calls() []string {
	var out []string
	for _, it := range r.Items {
		out = append(out, it.Calls...)
	}
	return out
}

// IDs returns the resources' IDs by kind and name ("server group/api").
func (r *Result) IDs() map[string]string {
	out := map[string]string{}
	for _, it := range r.Items {
		if it.ID != "" && it.Action != ActionDelete {
			out[it.Kind+"/"+it.Name] = it.ID
		}
	}
	return out
}

// RefusedError is a plan Apply refused before any write: a resource
// refused by a check or an immutable field. errors.Is(err,
// [alb.ErrChangeRefused]) holds.
type RefusedError struct {
	Plan *Plan
}

// Error lists the refused resources and why.
func (e *RefusedError) Error() string {
	var parts []string
	for _, it := range e.Plan.Items {
		if it.Action == ActionRefused {
			parts = append(parts, it.Kind+" "+it.Name+": "+strings.Join(it.Refusals, "; "))
		}
	}
	return "stack: apply refused before any write: " + strings.Join(parts, " | ")
}

// Is matches alb.ErrChangeRefused and alb.ErrPreflightFailed.
func (e *RefusedError) Is(target error) bool {
	return target == alb.ErrChangeRefused || target == alb.ErrPreflightFailed
}

// ApplyError is an apply (or destroy) that stopped: the resources done,
// and the errors of those that failed. Running the same operation again
// resumes (an apply: every resource made carries its key; a destroy:
// what is gone costs nothing). errors.Is and errors.As see the failures.
type ApplyError struct {
	// Result is what was done, with the write calls made.
	Result *Result
	// Errs are the failures, each prefixed with its resource.
	Errs []error
	// Destroy is true when the operation was Destroy.
	Destroy bool
}

// Error lists the failures.
func (e *ApplyError) Error() string {
	parts := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		parts[i] = err.Error()
	}
	if e.Destroy {
		return "stack: destroy stopped (destroy the stack again to resume): " + strings.Join(parts, " | ")
	}
	return "stack: apply stopped (apply the stack again to resume): " + strings.Join(parts, " | ")
}

// Unwrap returns the failures.
func (e *ApplyError) Unwrap() []error { return e.Errs }

// runner runs the items of one stage with bounded concurrency and
// reports progress.
type runner struct {
	o     Options
	mu    sync.Mutex
	res   *Result
	done  int
	total int
	errs  []error
}

func (r *runner) emit(e Event) {
	if r.o.Progress == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Kind != EventStart {
		r.done++
	}
	e.Done, e.Total = r.done, r.total
	r.o.Progress(e)
}

func (r *runner) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs) > 0
}

// stage runs fn for every item index in idx, at most o.concurrency() at
// once; fn fills the item (ID, calls) and returns its error.
func (r *runner) stage(ctx context.Context, idx []int, fn func(ctx context.Context, it *Item) error) {
	if r.failed() {
		return
	}
	sem := make(chan struct{}, r.o.concurrency())
	var wg sync.WaitGroup
	for _, i := range idx {
		it := &r.res.Items[i]
		if it.Action == ActionNone || ctx.Err() != nil {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if r.failed() {
				return
			}
			r.run(ctx, it, fn)
		})
	}
	wg.Wait()
}

// run runs fn for one item and reports it: started, then done or failed
// (the error recorded, prefixed with the item).
func (r *runner) run(ctx context.Context, it *Item, fn func(ctx context.Context, it *Item) error) {
	name := it.Kind + " " + it.Name
	r.emit(Event{Kind: EventStart, Item: name, Action: it.Action, ID: it.ID})
	it.Calls = nil
	err := fn(ctx, it)
	if err != nil {
		err = fmt.Errorf("%s: %w", name, err)
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
		r.emit(Event{Kind: EventFail, Item: name, Action: it.Action, ID: it.ID, Err: err})
		return
	}
	r.emit(Event{Kind: EventDone, Item: name, Action: it.Action, ID: it.ID, Calls: len(it.Calls)})
}

// signal says that a resource can be referred to (ok) or that it failed:
// fired once, read by the items that depend on it.
type signal struct {
	once sync.Once
	ch   chan struct{}
	ok   bool
}

func (sg *signal) fire(ok bool) {
	sg.once.Do(func() {
		sg.ok = ok
		close(sg.ch)
	})
}

// flow runs fn for every item index in idx, each once the signals deps
// returns for it have fired, at most o.concurrency() at once (an item
// waiting for its dependencies holds no slot). An item whose dependency
// failed, or that would start after any failure, is not run. fn's item's
// signal (sigs) fires on its failure; fn fires it on success.
func (r *runner) flow(ctx context.Context, idx []int, deps func(*Item) []*signal, sigs map[string]*signal, fn func(ctx context.Context, it *Item) error) {
	sem := make(chan struct{}, r.o.concurrency())
	var wg sync.WaitGroup
	for _, i := range idx {
		it := &r.res.Items[i]
		if it.Action == ActionNone {
			continue
		}
		own := sigs[it.Kind+"/"+it.Name]
		wg.Go(func() {
			defer own.fire(false) // a no-op once fn fired it
			for _, d := range deps(it) {
				select {
				case <-d.ch:
					if !d.ok {
						r.mu.Lock()
						if len(r.errs) == 0 { // never a silent skip
							r.errs = append(r.errs, fmt.Errorf("%s %s: not applied: a resource it refers to is not ready", it.Kind, it.Name))
						}
						r.mu.Unlock()
						return
					}
				case <-ctx.Done():
					return
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			if r.failed() || ctx.Err() != nil {
				return
			}
			r.run(ctx, it, fn)
		})
	}
	wg.Wait()
}

// Apply makes the stack's resources exist and match it: first every check
// of [Stack.Plan] (a refused resource refuses the whole apply with a
// *[RefusedError] before any write), then every resource in dependency
// order, each as soon as what it refers to can be referred to: security
// policies, server groups and the instance at once; a listener, with its
// certificates and rules, once the instance, the groups and policies it
// uses and the QUIC listener it upgrades to exist (a new group once it is
// Available, while its servers are still being added); at most
// Options.Concurrency at a time. Last, the deletion of what the stack no
// longer lists: listeners, then server groups, then security policies.
// Each resource is converged by its family's Ensure with a key derived
// from the stack's, so an apply interrupted at any point and run again
// ends with exactly one of each resource, and a second apply makes no
// write. After a failure nothing more starts; Apply returns an
// *[ApplyError] with what was done.
func (s Stack) Apply(ctx context.Context, c *alb.Client, opts Options) (*Result, error) {
	plan, st, err := compute(ctx, c, s)
	if err != nil {
		return nil, err
	}
	if plan.Blocked() {
		return &Result{Plan: plan, Items: cloneItems(plan.Items)}, &RefusedError{Plan: plan}
	}
	res := &Result{Plan: plan, Items: cloneItems(plan.Items)}
	r := &runner{o: opts, res: res}
	for _, it := range res.Items {
		if it.Action != ActionNone {
			r.total++
		}
	}
	byKind := func(kind string, action ...Action) []int {
		var out []int
		for i, it := range res.Items {
			if it.Kind == kind && (len(action) == 0 || contains(action, it.Action)) {
				out = append(out, i)
			}
		}
		return out
	}
	live := []Action{ActionCreate, ActionUpdate}
	ids := st.resolver(s)
	var idsMu sync.Mutex

	// Security policies, server groups and the instance depend on nothing
	// in the stack; a listener on the instance, the groups and policies it
	// refers to and the QUIC listener it upgrades to. Each starts as soon
	// as what it depends on can be referred to: a resource the apply
	// creates once it exists (alb.EnsureCreated: a new group once
	// Available, while its servers are still being added), one it updates
	// once the update is done, one it leaves alone at once.
	sigs := map[string]*signal{}
	for _, it := range res.Items {
		if it.Action != ActionDelete {
			sg := &signal{ch: make(chan struct{})}
			if it.Action == ActionNone {
				sg.fire(true)
			}
			sigs[it.Kind+"/"+it.Name] = sg
		}
	}
	// ready records the ID of the item named kind/name and fires its
	// signal: the ones depending on it may start.
	ready := func(it *Item, id string) {
		idsMu.Lock()
		switch it.Kind {
		case KindInstance:
			ids.lb = id
		case KindServerGroup:
			ids.groups[it.Name] = id
		case KindSecurityPolicy:
			ids.policies[it.Name] = id
		case KindListener:
			ids.listeners[it.Name] = id
		}
		idsMu.Unlock()
		sigs[it.Kind+"/"+it.Name].fire(true)
	}
	// ensureOpts are an item's Ensure options: its waits, and for a create
	// the signal once the resource exists.
	ensureOpts := func(it *Item, adopt string) []alb.EnsureOption {
		eo := []alb.EnsureOption{alb.EnsureWait(opts.Wait...)}
		if adopt != "" {
			eo = append(eo, alb.EnsureID(adopt))
		}
		if it.Action == ActionCreate {
			eo = append(eo, alb.EnsureCreated(func(id string) { ready(it, id) }))
		}
		return eo
	}
	var instSig []*signal // read before any item runs: the items change as they do
	for _, it := range res.Items {
		if it.Kind == KindInstance {
			instSig = append(instSig, sigs[KindInstance+"/"+it.Name])
		}
	}
	deps := func(it *Item) []*signal {
		if it.Kind != KindListener {
			return nil
		}
		l, _ := findListener(s, it.Name)
		out := slices.Clone(instSig)
		for _, rf := range s.listenerRefs(l) {
			if sg := sigs[rf.kind+"/"+rf.name]; sg != nil {
				out = append(out, sg)
			}
		}
		return out
	}
	apply := func(ctx context.Context, it *Item) (err error) {
		defer func() {
			if err == nil && it.ID != "" {
				ready(it, it.ID)
			}
		}()
		switch it.Kind {
		case KindInstance:
			eo := []alb.EnsureOption{alb.EnsureWait(opts.Wait...)}
			if s.Adopt.Instance != "" {
				eo = append(eo, alb.EnsureID(s.Adopt.Instance))
			}
			out, err := c.Ensure(ctx, s.instanceSpec(), eo...)
			if out != nil {
				it.ID = out.ID
				if out.Created {
					it.Calls = append(it.Calls, "CreateLoadBalancer")
				}
				for _, ch := range out.Applied {
					it.Calls = append(it.Calls, ch.Calls...)
				}
			}
			return err
		case KindSecurityPolicy:
			sp, _ := findPolicy(s, it.Name)
			out, err := c.SecurityPolicies().Ensure(ctx, s.policySpec(sp), ensureOpts(it, s.Adopt.SecurityPolicies[it.Name])...)
			if out != nil {
				it.ID, it.Calls = out.ID, out.Calls
			}
			return err
		case KindServerGroup:
			g, _ := findGroup(s, it.Name)
			out, err := c.ServerGroups().Ensure(ctx, s.groupSpec(g), ensureOpts(it, s.Adopt.ServerGroups[it.Name])...)
			if out != nil {
				if out.ID != "" {
					it.ID = out.ID
				}
				it.Calls = out.Calls
			}
			return err
		default:
			l, _ := findListener(s, it.Name)
			idsMu.Lock()
			spec := s.listenerSpec(l, ids)
			idsMu.Unlock()
			out, err := c.Listeners().Ensure(ctx, spec, ensureOpts(it, s.Adopt.Listeners[it.Name])...)
			if out != nil {
				if out.ID != "" {
					it.ID = out.ID
				}
				it.Calls = out.Calls
			}
			return err
		}
	}
	var order []int
	for _, kind := range []string{KindSecurityPolicy, KindServerGroup, KindInstance, KindListener} {
		order = append(order, byKind(kind, live...)...)
	}
	r.flow(ctx, order, deps, sigs, apply)

	// What the stack no longer lists: listeners, then server groups, then
	// security policies.
	for _, kind := range []string{KindListener, KindServerGroup, KindSecurityPolicy} {
		r.stage(ctx, byKind(kind, ActionDelete), func(ctx context.Context, it *Item) error {
			var err error
			switch kind {
			case KindListener:
				err = c.Listeners().Delete(ctx, it.ID, opts.Wait...)
			case KindServerGroup:
				err = c.ServerGroups().Delete(ctx, it.ID, opts.Wait...)
			default:
				err = c.SecurityPolicies().Delete(ctx, it.ID, opts.Wait...)
			}
			if err == nil {
				it.Calls = []string{deleteCall[kind]}
			}
			return err
		})
	}
	if len(r.errs) > 0 {
		return res, &ApplyError{Result: res, Errs: r.errs}
	}
	if err := ctx.Err(); err != nil {
		return res, &ApplyError{Result: res, Errs: []error{err}}
	}
	return res, nil
}

var deleteCall = map[string]string{KindListener: "DeleteListener", KindServerGroup: "DeleteServerGroup", KindSecurityPolicy: "DeleteSecurityPolicy"}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// cloneItems copies the plan's items for a result: the calls are the
// plan's until each item runs and records its own.
func cloneItems(items []Item) []Item {
	out := make([]Item, len(items))
	copy(out, items)
	for i := range out {
		out[i].Calls = nil
	}
	return out
}

func findGroup(s Stack, name string) (alb.ServerGroupSpec, bool) {
	for _, g := range s.ServerGroups {
		if g.Name == name {
			return g, true
		}
	}
	return alb.ServerGroupSpec{}, false
}

func findPolicy(s Stack, name string) (alb.SecurityPolicySpec, bool) {
	for _, p := range s.SecurityPolicies {
		if p.Name == name {
			return p, true
		}
	}
	return alb.SecurityPolicySpec{}, false
}

func findListener(s Stack, name string) (Listener, bool) {
	for _, l := range s.Listeners {
		if l.Name == name {
			return l, true
		}
	}
	return Listener{}, false
}

// Destroy deletes the whole stack: its listeners (their rules go with
// them), then the instance with the release plan's checks (deletion
// protection, the custom domains in opts.Release that still resolve to it,
// the user's own EIPs: each refused unless opts.Release allows it), then
// the server groups and security policies, the stack's own and those it
// made and no longer lists, and the adopted ones. The release's checks run
// first: a release they refuse deletes nothing (the error wraps the
// release's own, see [alb.ReleasePlan.Refusal]). A resource already gone
// costs nothing: Destroy run again after a crash finishes the job.
func (s Stack) Destroy(ctx context.Context, c *alb.Client, opts Options) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	plan, st, err := compute(ctx, c, s)
	if err != nil {
		return nil, err
	}
	if st.inst != nil {
		// The release's own checks first: refused, it must not find the
		// listeners already deleted (the instance would be kept, out of
		// service).
		rp, err := c.PlanRelease(ctx, st.inst.ID, opts.Release.Domains...)
		if err != nil {
			return nil, err
		}
		if err := rp.Refusal(opts.Release); err != nil {
			return nil, fmt.Errorf("stack: destroy refused before any write: instance %s: %w", s.Instance.Name, err)
		}
	}
	res := &Result{Plan: plan}
	add := func(kind, name, id string) {
		res.Items = append(res.Items, Item{Kind: kind, Name: name, ID: id, Action: ActionDelete})
	}
	for name, l := range st.listeners {
		add(KindListener, name, l.ID)
	}
	for _, l := range st.oldListeners {
		add(KindListener, strings.TrimPrefix(l.Token(), s.keyPrefix(KindListener)), l.ID)
	}
	if st.inst != nil {
		add(KindInstance, s.Instance.Name, st.inst.ID)
	}
	for name, g := range st.groups {
		add(KindServerGroup, name, g.ID)
	}
	for _, g := range st.oldGroups {
		add(KindServerGroup, g.Name, g.ID)
	}
	for name, id := range st.policies {
		add(KindSecurityPolicy, name, id)
	}
	for _, p := range st.oldPolicies {
		add(KindSecurityPolicy, p.Name, p.ID)
	}
	r := &runner{o: opts, res: res, total: len(res.Items)}
	byKind := func(kind string) []int {
		var out []int
		for i, it := range res.Items {
			if it.Kind == kind {
				out = append(out, i)
			}
		}
		return out
	}
	r.stage(ctx, byKind(KindListener), func(ctx context.Context, it *Item) error {
		err := c.Listeners().Delete(ctx, it.ID, opts.Wait...)
		if err == nil {
			it.Calls = []string{"DeleteListener"}
		}
		return err
	})
	r.stage(ctx, byKind(KindInstance), func(ctx context.Context, it *Item) error {
		ro := opts.Release
		if ro.IdempotencyKey == "" {
			// One key per instance: a stack applied again after a destroy
			// has another instance, whose release must not reuse the
			// first one's token.
			sum := sha256.Sum256([]byte(it.ID))
			ro.IdempotencyKey = s.Key + "/rel/" + hex.EncodeToString(sum[:8])
		}
		if len(ro.Wait) == 0 {
			ro.Wait = opts.Wait
		}
		out, err := c.Release(ctx, it.ID, ro)
		if out != nil && !out.AlreadyGone {
			if err == nil {
				it.Calls = []string{"DeleteLoadBalancer"}
			}
			for _, se := range out.SideEffects { // what happened, also when it then failed
				it.SideEffects = append(it.SideEffects, se.Detail)
			}
		}
		return err
	})
	for _, kind := range []string{KindServerGroup, KindSecurityPolicy} {
		r.stage(ctx, byKind(kind), func(ctx context.Context, it *Item) error {
			var err error
			if kind == KindServerGroup {
				err = c.ServerGroups().Delete(ctx, it.ID, opts.Wait...)
			} else {
				err = c.SecurityPolicies().Delete(ctx, it.ID, opts.Wait...)
			}
			if err == nil {
				it.Calls = []string{deleteCall[kind]}
			}
			return err
		})
	}
	if len(r.errs) > 0 {
		return res, &ApplyError{Result: res, Errs: r.errs, Destroy: true}
	}
	return res, errors.Join(ctx.Err())
}
