package alb

import (
	"context"
	"errors"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/batch"
)

// Shared polls.
//
// Waits of one Client on resources of one kind read them through one
// [batch.Group]: the IDs polled at about the same time go out together in
// one list call by IDs (ListLoadBalancers with LoadBalancerIds.N,
// ListAsynJobs with JobIds.N, ...), so a fleet's waits cost a request per
// batch, not per wait. Each wait keeps its own bound, acceptor, learned
// schedule and typed outcome; a batch's error reaches every wait in it. A
// batch lingers for others (an eighth of the Client's MinDelay) only while
// several waits of the kind are running; a wait alone is read at once.
//
// A resource kind joins by describing itself in a kind value: the list
// action, how many IDs one call takes, and the call. The poll loop, the
// batching, the rate limiting and retries of the call, and the not-found
// decision are the engine's.

// kind describes a resource kind to the shared polls.
type kind[T any] struct {
	name   string // in messages: "instance", "job"
	action string // the list action, for the rate limiter, retries and errors
	maxIDs int    // IDs one call takes
	// list reads the items of ids in one call (one page), by ID.
	list func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string]T, error)
}

// poller is one Client's shared polls of one kind.
type poller[T any] struct {
	k kind[T]
	g *batch.Group[string, T]
}

func newPoller[T any](c *Client, k kind[T]) *poller[T] {
	fetch := func(ctx context.Context, ids []string) (map[string]T, error) {
		var out map[string]T
		err := c.call(ctx, k.action, true, func(ctx context.Context, sdk *albsdk.Client) error {
			var err error
			out, err = k.list(ctx, sdk, c.runtime, ids)
			return err
		})
		return out, err
	}
	return &poller[T]{k: k, g: batch.New(fetch, batch.Options{MaxKeys: k.maxIDs, Linger: c.wait.MinDelay / 8, Clock: c.clock})}
}

// watch registers a wait for its duration (see batch.Group.Watch).
func (p *poller[T]) watch() func() { return p.g.Watch() }

// crowd returns how many waits share the polls now.
func (p *poller[T]) crowd() int { return p.g.Watching() }

// get reads one item through the shared polls; an item the answer does not
// list is a *notListedError (it matches ErrNotFound).
func (p *poller[T]) get(ctx context.Context, id string) (T, error) {
	v, found, err := p.g.Get(ctx, id)
	if err == nil && !found {
		err = &notListedError{kind: p.k.name, action: p.k.action, id: id}
	}
	return v, err
}

// notListedError is a shared poll's answer without the resource asked for:
// it does not exist (or not yet: a create's grace covers that).
type notListedError struct{ kind, action, id string }

func (e *notListedError) Error() string {
	return "alb: " + e.action + ": " + e.kind + " " + e.id + " is not listed (not found)"
}

// Is matches ErrNotFound.
func (e *notListedError) Is(target error) bool { return target == ErrNotFound }

// notListed reports whether err is a shared poll's not-found of kind.
func notListed(err error, kind string) bool {
	var nl *notListedError
	return errors.As(err, &nl) && nl.kind == kind
}

// The kinds.
const (
	kindInstance = "instance"
	kindJob      = "job"
)

// instanceKind reads instances with ListLoadBalancers (at most 20 IDs a
// call). The items have no zones and no region: a wait that needs them
// reads the instance once more at the end (see waitSpec.full).
var instanceKind = kind[*Instance]{
	name: kindInstance, action: "ListLoadBalancers", maxIDs: 20,
	list: func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string]*Instance, error) {
		r, err := sdk.ListLoadBalancersWithContext(ctx, &albsdk.ListLoadBalancersRequest{
			LoadBalancerIds: tea.StringSlice(ids), MaxResults: tea.Int32(100)}, rt)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Body == nil {
			return nil, errors.New("the answer has no body")
		}
		return byID(r.Body.LoadBalancers, func(lb *albsdk.ListLoadBalancersResponseBodyLoadBalancers) (string, *Instance) {
			inst := instanceFromList(lb)
			return inst.ID, inst
		}), nil
	},
}

// byID indexes the items of a List answer: id returns each one's ID and
// value (nil items are skipped).
func byID[B, T any](items []*B, id func(*B) (string, T)) map[string]T {
	out := make(map[string]T, len(items))
	for _, b := range items {
		if b != nil {
			k, v := id(b)
			out[k] = v
		}
	}
	return out
}

// jobKind reads asynchronous jobs with ListAsynJobs (at most 10 IDs a call,
// GUESS: the API documents no maximum; the emulator takes 10).
var jobKind = kind[*job]{
	name: kindJob, action: "ListAsynJobs", maxIDs: 10,
	list: func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string]*job, error) {
		r, err := sdk.ListAsynJobsWithContext(ctx, &albsdk.ListAsynJobsRequest{JobIds: tea.StringSlice(ids), MaxResults: tea.Int64(100)}, rt)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Body == nil {
			return nil, errors.New("the answer has no body")
		}
		return byID(r.Body.Jobs, func(j *albsdk.ListAsynJobsResponseBodyJobs) (string, *job) {
			return tea.StringValue(j.Id), &job{status: tea.StringValue(j.Status), code: tea.StringValue(j.ErrorCode), message: tea.StringValue(j.ErrorMessage)}
		}), nil
	},
}
