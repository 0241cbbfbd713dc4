package alb

import (
	"context"
	"errors"
	"fmt"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/internal/waiter"
)

// WaitOptions shape a wait. Zero fields take the defaults in brackets.
//
// A Client learns how long each kind of transition takes and schedules the
// polls of the next wait of that kind from its recent durations, within
// MinDelay and MaxDelay (see the package documentation); a configuration
// change without history of its own uses that of the other changes. A
// transition learned to take less than MinDelay that is not done when
// expected is polled again after as long again (doubling, at least an
// eighth of MinDelay apart) until MinDelay has passed.
// Without history, a wait that starts with its write polls first after
// MinDelay to 1.2 times it (so that a fleet's polls spread; a quarter of
// that while other waits of the Client share the polls), a wait on a
// transition of unknown start (WaitUntilActive) polls at once, and both then
// poll every MinDelay until FallbackDelay has passed, then every
// FallbackDelay. Waits
// of one Client on many resources share their polls (one list call by IDs
// for up to 20 of them). The last poll lands at the MaxWait deadline rather
// than before it. MaxWait
// bounds the whole wait, each poll's own retries included: a wait cut by it
// returns a *[WaitTimeoutError] naming the last status seen.
type WaitOptions struct {
	MinDelay time.Duration // first delay between polls [1s]
	MaxDelay time.Duration // longest delay between polls [30s]
	// FallbackDelay is the longest delay between polls while the Client has
	// no history for the kind of wait [5s], within MinDelay and MaxDelay: it
	// bounds the lag of a first wait to about FallbackDelay, while the
	// learned schedule keeps MaxDelay for its sparse steps.
	FallbackDelay time.Duration
	// MaxWait bounds the whole wait [15m]; the context may end it sooner.
	MaxWait time.Duration
	// NotFoundGrace is how long after a create a not-found answer is taken
	// for eventual consistency and polled again [30s].
	NotFoundGrace time.Duration
	// Acceptor, if set, judges every poll before the built-in rules (see
	// [Acceptor]).
	Acceptor Acceptor
}

func (w WaitOptions) withDefaults() WaitOptions {
	if w.MinDelay <= 0 {
		w.MinDelay = time.Second
	}
	if w.MaxDelay <= 0 {
		w.MaxDelay = 30 * time.Second
	}
	if w.MaxDelay < w.MinDelay {
		w.MaxDelay = w.MinDelay
	}
	if w.FallbackDelay <= 0 {
		w.FallbackDelay = 5 * time.Second
	}
	w.FallbackDelay = min(max(w.FallbackDelay, w.MinDelay), w.MaxDelay)
	if w.MaxWait <= 0 {
		w.MaxWait = 15 * time.Minute
	}
	if w.NotFoundGrace <= 0 {
		w.NotFoundGrace = 30 * time.Second
	}
	return w
}

// WaitOption adjusts the wait options of one call.
type WaitOption func(*WaitOptions)

// WithMaxWait bounds one wait.
func WithMaxWait(d time.Duration) WaitOption { return func(w *WaitOptions) { w.MaxWait = d } }

// WithDelays sets the minimum and maximum delay between polls of one wait.
func WithDelays(minDelay, maxDelay time.Duration) WaitOption {
	return func(w *WaitOptions) { w.MinDelay, w.MaxDelay = minDelay, maxDelay }
}

// WithAcceptor puts a in front of the wait's built-in rules for one wait.
func WithAcceptor(a Acceptor) WaitOption { return func(w *WaitOptions) { w.Acceptor = a } }

func (c *Client) waitOptions(opts []WaitOption) WaitOptions {
	w := c.wait
	for _, o := range opts {
		o(&w)
	}
	return w.withDefaults()
}

// WaitDecision is an [Acceptor]'s judgement of one poll.
type WaitDecision int

// Wait decisions. The zero value defers to the built-in rules.
const (
	// WaitDefault lets the built-in rules decide.
	WaitDefault WaitDecision = iota
	// WaitContinue polls again.
	WaitContinue
	// WaitSuccess ends the wait successfully with the polled instance.
	WaitSuccess
	// WaitFailure ends the wait with the error the acceptor returns (or
	// the poll's error when it returns nil).
	WaitFailure
)

// Acceptor judges one poll of a wait: the instance as read (nil when the
// poll failed) and the poll's error. It runs before the built-in rules;
// return WaitDefault to leave a case to them.
//
// The built-in rules, for a wait until Active: Active (and the change
// waited for, if any) is success; Provisioning and Configuring continue;
// CreateFailed, locks, an Abnormal business status, Inactive and Deleting
// fail at once (*[StateError]); a not-found instance continues only within
// WaitOptions.NotFoundGrace after a create; a poll that failed with a
// retryable error (throttling, 5xx, busy codes, network, retries or budget
// run out on those) continues until the bound; any other error
// (authentication, permission, invalid input) fails the wait.
//
// For example, to treat Inactive as done:
//
//	alb.WithAcceptor(func(inst *alb.Instance, err error) (alb.WaitDecision, error) {
//		if err == nil && inst.Status == alb.StatusInactive {
//			return alb.WaitSuccess, nil
//		}
//		return alb.WaitDefault, nil
//	})
type Acceptor func(inst *Instance, err error) (WaitDecision, error)

// acceptor is a built-in rule set: a verdict for one poll.
type acceptor[T any] func(v T, err error) (waiter.Verdict, error)

// waitSpec names a wait for events and errors.
type waitSpec struct {
	op      string // operation, for events
	id      string // instance or job ID
	waiting string // what is waited for, e.g. "Active"
	// unknownStart: the transition may have begun long before the wait
	// (a resumed create), so the wait neither uses nor teaches durations.
	unknownStart bool
	// crowd, if set, says how many waits share the polls (a fallback
	// without history polls every MinDelay while several do: see learn.go).
	crowd func() int
	// family names the resource kind ("" or "instance" for instances): it
	// keeps the learned schedules of kinds apart (learn.go).
	family string
	// full: the wait returns the complete instance. Its polls are shared
	// (ListLoadBalancers, without zones or region); when the built-in
	// rules accept one, the instance is read once more with
	// GetLoadBalancerAttribute and that read is judged instead.
	full bool
}

// poll waits with the one poll loop (internal/waiter) and converts its
// outcome into albkit's errors. status names a polled value for events and
// timeouts; user is the caller's acceptor, consulted first (instances only).
func poll[T any](c *Client, ctx context.Context, s waitSpec, w WaitOptions, get func(ctx context.Context) (T, error),
	status func(T, error) Status, user func(T, error) (WaitDecision, error), accept acceptor[T]) (v T, err error) {
	var last Status
	polls := 0
	ctx, tel := c.startWait(ctx, s) // the wait's span and duration (telemetry.go)
	defer func() { c.endWait(ctx, tel, s, polls, last, err) }()
	judge := func(v T, err error) (waiter.Verdict, error) {
		if st := status(v, err); st != "" {
			last = st
		}
		if user != nil {
			switch d, uerr := user(v, err); d {
			case WaitContinue:
				return waiter.Continue, nil
			case WaitSuccess:
				return waiter.Success, nil
			case WaitFailure:
				if uerr == nil {
					uerr = err
				}
				if uerr == nil {
					uerr = &StateError{ID: s.id, Status: last, Reason: "refused by the wait's acceptor", kind: ErrUnexpectedState}
				}
				return waiter.Failure, uerr
			}
		}
		return accept(v, err)
	}
	sched := c.learn.schedule(learnKind(s), w) // the waiter that learns (learn.go)
	sched.crowd = s.crowd
	o := waiter.Options{
		MinDelay: w.MinDelay, MaxDelay: sched.maxDelay(), MaxWait: w.MaxWait, Initial: sched.initial(w.MaxWait), Clock: c.clock, Hint: retryAfter, Delay: sched.delayFunc(), Gap: sched.gap,
		OnPoll: func(p waiter.Poll) {
			polls = p.Attempt
			sched.saw(p)
			c.emit(Event{Kind: EventPoll, Operation: s.op, ID: s.id, Status: last, Attempt: p.Attempt, Elapsed: p.Elapsed,
				Delay: p.Delay, Err: p.Err, Message: fmt.Sprintf("%s %s: %s (poll %d)", s.op, s.id, orNone(last), p.Attempt)})
		},
	}
	v, err = waiter.Wait(ctx, o, get, judge)
	var te *waiter.TimeoutError
	var ce *waiter.CanceledError
	switch {
	case errors.As(err, &te):
		return v, &WaitTimeoutError{ID: s.id, Waiting: s.waiting, LastStatus: last, LastErr: te.LastErr, Waited: te.Waited, Polls: te.Polls}
	case errors.As(err, &ce):
		if errors.Is(ce.Err, context.DeadlineExceeded) {
			return v, &WaitTimeoutError{ID: s.id, Waiting: s.waiting, LastStatus: last, Waited: ce.Waited, Polls: ce.Polls, Cause: ce.Err}
		}
		return v, fmt.Errorf("alb: waiting for %s to be %s: %w (last status: %s)", s.id, s.waiting, ce.Err, orNone(last))
	}
	return v, err
}

func orNone(s Status) string {
	if s == "" {
		return "none seen"
	}
	return string(s)
}

// instanceStatus names a poll of an instance: its status, or NotFound.
func instanceStatus(inst *Instance, err error) Status {
	switch {
	case err == nil && inst != nil:
		return inst.Status
	case instanceGone(err):
		return "NotFound"
	}
	return ""
}

// instanceGone reports whether err says the load balancer does not exist:
// the service's not-found code, or a shared poll that did not list it.
func instanceGone(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.instanceGone() || notListed(err, kindInstance)
}

// waitFor polls the instance with the built-in rules accept until they say
// success or failure, the wait's bound passes, or ctx ends, and returns the
// complete instance.
func (c *Client) waitFor(ctx context.Context, op, id, waiting string, w WaitOptions, accept acceptor[*Instance]) (*Instance, error) {
	return c.waitOn(ctx, waitSpec{op: op, id: id, waiting: waiting, full: true}, w, accept)
}

// waitOn is waitFor for a full waitSpec (one whose start is unknown, or
// that needs no complete instance, say).
func (c *Client) waitOn(ctx context.Context, s waitSpec, w WaitOptions, accept acceptor[*Instance]) (*Instance, error) {
	return waitRes(c, ctx, instances, s, w, accept)
}

// instancePoll returns the get of a wait on an instance: a shared poll
// and, for a wait that returns the complete instance, a read of it whenever
// the shared poll shows it Active (the change waited for, or the zones and
// addresses the shared poll lacks, show only in the complete read). gone,
// if set, replaces a not-found answer (a resumed create's release check).
func (c *Client) instancePoll(s waitSpec, gone func(ctx context.Context, err error) error) func(ctx context.Context) (*Instance, error) {
	return func(ctx context.Context) (*Instance, error) {
		inst, err := c.lbPolls.get(ctx, s.id)
		if err == nil && s.full && inst.Status == StatusActive && stateErr(inst) == nil {
			inst, err = c.Get(ctx, s.id)
		}
		if gone != nil && instanceGone(err) {
			err = gone(ctx, err)
		}
		return inst, err
	}
}

// stateErr reports locks, an abnormal business status, or a status that
// waiting cannot resolve; nil if the instance is healthy.
func stateErr(inst *Instance) *StateError {
	switch {
	case inst.Status == StatusCreateFailed:
		return &StateError{ID: inst.ID, Status: inst.Status, BusinessStatus: inst.BusinessStatus, Locks: inst.Locks,
			Reason: "creation failed; the instance is not charged and can only be released", kind: ErrCreateFailed}
	case len(inst.Locks) > 0:
		return &StateError{ID: inst.ID, Status: inst.Status, BusinessStatus: inst.BusinessStatus, Locks: inst.Locks,
			Reason: "the instance is locked", kind: ErrUnexpectedState}
	case inst.BusinessStatus == "Abnormal":
		return &StateError{ID: inst.ID, Status: inst.Status, BusinessStatus: inst.BusinessStatus,
			Reason: "the business status is Abnormal", kind: ErrUnexpectedState}
	case inst.Status == StatusInactive || inst.Status == StatusDeleting:
		return &StateError{ID: inst.ID, Status: inst.Status, BusinessStatus: inst.BusinessStatus,
			Reason: "waiting cannot make the instance Active", kind: ErrUnexpectedState}
	}
	return nil
}

// instances describes instances to the engine (resource.go): shared polls
// of ListLoadBalancers, a complete read once Active when the wait needs it,
// and the caller's Acceptor.
var instances = &family[*Instance]{
	name:    kindInstance,
	jobType: "loadbalancer", deleteAction: "DeleteLoadBalancer",
	polls:  func(c *Client) *poller[*Instance] { return c.lbPolls },
	status: func(inst *Instance) Status { return inst.Status },
	judge: func(inst *Instance) (waiter.Verdict, error) {
		if se := stateErr(inst); se != nil {
			return waiter.Failure, se
		}
		switch inst.Status {
		case StatusActive:
			return waiter.Success, nil
		case StatusProvisioning, StatusConfiguring:
			return waiter.Continue, nil
		}
		return waiter.Failure, &StateError{ID: inst.ID, Status: inst.Status, Reason: "unknown status", kind: ErrUnexpectedState}
	},
	gone: instanceGone,
	read: func(c *Client, s waitSpec) func(ctx context.Context) (*Instance, error) {
		return c.instancePoll(s, nil)
	},
	user: func(w WaitOptions) func(*Instance, error) (WaitDecision, error) { return w.Acceptor },
}

// activeAcceptor accepts Active (and, if check is set, check(inst)); keeps
// polling Provisioning and Configuring, retryable poll errors and, within
// grace of since (clock time), not-found; fails on everything else.
func (c *Client) activeAcceptor(since time.Time, grace time.Duration, check func(*Instance) bool) acceptor[*Instance] {
	return readyAcceptor(c, instances, since, grace, check)
}

// goneAcceptor accepts the instance being gone; keeps polling while it
// still exists (Deleting, or not yet picked up) and through retryable
// errors; fails on other errors.
var goneAcceptor = goneAcceptorOf(instances)

// WaitUntilActive waits until the instance is Active. It fails at once on
// CreateFailed, locks, an Abnormal business status, Inactive or Deleting,
// and on errors that are not retryable (an instance that does not exist
// matches [ErrNotFound], a credential problem [ErrAuth]).
func (c *Client) WaitUntilActive(ctx context.Context, id string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "WaitUntilActive", id)
	defer tel.end(&err)

	if err := checkCall("WaitUntilActive", id, opts); err != nil {
		return nil, err
	}
	w := c.waitOptions(opts)
	return c.waitFor(ctx, "wait", id, "Active", w, c.activeAcceptor(time.Time{}, 0, nil))
}

// writeThenWait is writeThenWaitRes for an instance: it sends a write with
// one ClientToken for all its retries, then waits until the instance is
// Active and shows the change (shows(inst) holds), not only until it is
// Active. s names the wait (s.op is the write's action); with s.full it
// returns the complete instance, otherwise the last shared poll's.
func (c *Client) writeThenWait(ctx context.Context, s waitSpec, opts []WaitOption,
	send func(ctx context.Context, sdk *albsdk.Client, token string) error, shows func(*Instance) bool) (*Instance, error) {
	return writeThenWaitRes(c, ctx, instances, s, opts, "", send, shows)
}
