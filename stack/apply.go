package stack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/albkit/albkit/alb"
)

// Options adjust [Stack.Apply] and [Stack.Destroy].
type Options struct {
	// Concurrency bounds the resources applied at once within a stage
	// (server groups, policies and the instance; listeners) [16]. The
	// client's rate limiter paces the calls; waits share their polls.
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
	// the calls made for each.
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
// and the errors of those that failed. Applying the same stack again
// resumes: every resource made carries its key. errors.Is and errors.As
// see the failures.
type ApplyError struct {
	Result *Result
	Errs   []error
}

// Error lists the failures.
func (e *ApplyError) Error() string {
	parts := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		parts[i] = err.Error()
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
		})
	}
	wg.Wait()
}

// Apply makes the stack's resources exist and match it: first every check
// of [Stack.Plan] (a refused resource refuses the whole apply with a
// *[RefusedError] before any write), then, in dependency order, security
// policies, server groups and the instance (in parallel), the listeners
// with their certificates and rules (in parallel, the QUIC listeners
// others upgrade to first), and finally the deletion of what the stack no
// longer lists: listeners, then server groups, then security policies.
// Each resource is converged by its family's Ensure with a key derived
// from the stack's, so an apply interrupted at any point and run again
// ends with exactly one of each resource, and a second apply makes no
// write. A failure stops the stages that follow and returns an
// *[ApplyError] with what was done.
func (s Stack) Apply(ctx context.Context, c *alb.Client, opts Options) (*Result, error) {
	plan, st, err := compute(ctx, c, s)
	if err != nil {
		return nil, err
	}
	if plan.Blocked() {
		return &Result{Plan: plan, Items: plan.Items}, &RefusedError{Plan: plan}
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

	// 1. Security policies, server groups and the instance: independent of
	// one another.
	first := append(append(byKind(KindSecurityPolicy, live...), byKind(KindServerGroup, live...)...), byKind(KindInstance, live...)...)
	r.stage(ctx, first, func(ctx context.Context, it *Item) error {
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
			var eo []alb.EnsureOption
			if id := s.Adopt.SecurityPolicies[it.Name]; id != "" {
				eo = append(eo, alb.EnsureID(id))
			}
			out, err := c.SecurityPolicies().Ensure(ctx, s.policySpec(sp), append(eo, alb.EnsureWait(opts.Wait...))...)
			if out != nil {
				it.ID, it.Calls = out.ID, out.Calls
				idsMu.Lock()
				ids.policies[it.Name] = out.ID
				idsMu.Unlock()
			}
			return err
		default:
			g, _ := findGroup(s, it.Name)
			var eo []alb.EnsureOption
			if id := s.Adopt.ServerGroups[it.Name]; id != "" {
				eo = append(eo, alb.EnsureID(id))
			}
			out, err := c.ServerGroups().Ensure(ctx, s.groupSpec(g), append(eo, alb.EnsureWait(opts.Wait...))...)
			if out != nil {
				if out.ID != "" {
					it.ID = out.ID
					idsMu.Lock()
					ids.groups[it.Name] = out.ID
					idsMu.Unlock()
				}
				it.Calls = out.Calls
			}
			return err
		}
	})
	if !r.failed() {
		for _, it := range res.Items {
			if it.Kind == KindInstance {
				ids.lb = it.ID
			}
		}
	}
	// 3. Listeners: the QUIC ones others upgrade to first (the plan's
	// order), each stage resolving the names of the one before.
	lsn := byKind(KindListener, live...)
	var quic, rest []int
	for _, i := range lsn {
		if quicRank(s, res.Items[i].Name) == 0 {
			quic = append(quic, i)
		} else {
			rest = append(rest, i)
		}
	}
	applyListener := func(ctx context.Context, it *Item) error {
		l, _ := findListener(s, it.Name)
		idsMu.Lock()
		spec := s.listenerSpec(l, ids)
		idsMu.Unlock()
		eo := []alb.EnsureOption{alb.EnsureWait(opts.Wait...)}
		if id := s.Adopt.Listeners[it.Name]; id != "" {
			eo = append(eo, alb.EnsureID(id))
		}
		out, err := c.Listeners().Ensure(ctx, spec, eo...)
		if out != nil {
			if out.ID != "" {
				it.ID = out.ID
				idsMu.Lock()
				ids.listeners[it.Name] = out.ID
				idsMu.Unlock()
			}
			it.Calls = out.Calls
		}
		return err
	}
	for _, stage := range [][]int{quic, rest} {
		r.stage(ctx, stage, applyListener)
	}
	// 4. What the stack no longer lists: listeners, then server groups,
	// then security policies.
	for _, kind := range []string{KindListener, KindServerGroup, KindSecurityPolicy} {
		r.stage(ctx, byKind(kind, ActionDelete), func(ctx context.Context, it *Item) error {
			it.Calls = []string{deleteCall[kind]}
			switch kind {
			case KindListener:
				return c.Listeners().Delete(ctx, it.ID, opts.Wait...)
			case KindServerGroup:
				return c.ServerGroups().Delete(ctx, it.ID, opts.Wait...)
			default:
				return c.SecurityPolicies().Delete(ctx, it.ID, opts.Wait...)
			}
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

func cloneItems(items []Item) []Item {
	out := make([]Item, len(items))
	copy(out, items)
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
// made and no longer lists, and the adopted ones. A resource already gone
// costs nothing: Destroy run again after a crash finishes the job.
func (s Stack) Destroy(ctx context.Context, c *alb.Client, opts Options) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	plan, st, err := compute(ctx, c, s)
	if err != nil {
		return nil, err
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
	for name, p := range st.policies {
		add(KindSecurityPolicy, name, p.ID)
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
		it.Calls = []string{"DeleteListener"}
		return c.Listeners().Delete(ctx, it.ID, opts.Wait...)
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
			it.Calls = []string{"DeleteLoadBalancer"}
			for _, se := range out.SideEffects {
				it.SideEffects = append(it.SideEffects, se.Detail)
			}
		}
		return err
	})
	for _, kind := range []string{KindServerGroup, KindSecurityPolicy} {
		r.stage(ctx, byKind(kind), func(ctx context.Context, it *Item) error {
			it.Calls = []string{deleteCall[kind]}
			if kind == KindServerGroup {
				return c.ServerGroups().Delete(ctx, it.ID, opts.Wait...)
			}
			return c.SecurityPolicies().Delete(ctx, it.ID, opts.Wait...)
		})
	}
	if len(r.errs) > 0 {
		return res, &ApplyError{Result: res, Errs: r.errs}
	}
	return res, errors.Join(ctx.Err())
}
