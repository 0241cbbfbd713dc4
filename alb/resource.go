package alb

import (
	"context"
	"errors"
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/internal/apierr"
	"github.com/albkit/albkit/internal/waiter"
)

// Resource kinds.
//
// albkit manages several kinds of resource (instances, server groups, and
// the listeners and rules that use them) with one engine. A kind describes
// itself in a family value: its shared polls (a kind: the list action, how
// many IDs one call takes, the call), the status of a read, which reads are
// ready, pending or final, and which errors say that it does not exist.
// The engine owns everything else, written once: the poll loop and its
// learned schedule (wait.go, learn.go), the built-in acceptors (ready with
// a grace for not-found after a create; gone), write-then-wait with one
// ClientToken for every attempt, and the busy-resource rounds of change. A
// kind's files hold only its own rules and calls.

// family describes a resource kind to the engine.
type family[T any] struct {
	// name is the kind in messages and learned schedules ("server group").
	name string
	// polls returns the Client's shared polls of the kind.
	polls func(*Client) *poller[T]
	// status names a read's status, for events and timeouts.
	status func(T) Status
	// judge judges a read of an existing resource in a wait until it is
	// ready: waiter.Success when ready, waiter.Continue while a transition
	// is pending, waiter.Failure with a *StateError for a state that
	// waiting cannot resolve.
	judge func(T) (waiter.Verdict, error)
	// gone reports whether err says the resource does not exist.
	gone func(error) bool
	// read, if set, is the poll of a wait described by s (the instance's
	// complete read once the shared poll shows it Active); nil: the shared
	// poll.
	read func(c *Client, s waitSpec) func(ctx context.Context) (T, error)
	// user, if set, returns the caller's acceptor of a wait (instances:
	// WaitOptions.Acceptor).
	user func(WaitOptions) func(T, error) (WaitDecision, error)
}

// statusOf names a poll of a resource of f: its status, or NotFound.
func (f *family[T]) statusOf(v T, err error) Status {
	switch {
	case err == nil:
		return f.status(v)
	case f.gone(err):
		return "NotFound"
	}
	return ""
}

// readyAcceptor accepts a resource of f that is ready (and, if check is
// set, check(v)); keeps polling pending ones, retryable poll errors and,
// within grace of since (clock time), not-found; fails on everything else.
func readyAcceptor[T any](c *Client, f *family[T], since time.Time, grace time.Duration, check func(T) bool) acceptor[T] {
	return func(v T, err error) (waiter.Verdict, error) {
		if err != nil {
			switch {
			case f.gone(err):
				if c.clock.Now().Sub(since) < grace {
					return waiter.Continue, nil
				}
				return waiter.Failure, err
			case retryable(err):
				return waiter.Continue, nil
			}
			return waiter.Failure, err
		}
		verdict, verr := f.judge(v)
		if verdict == waiter.Success && check != nil && !check(v) {
			return waiter.Continue, nil
		}
		return verdict, verr
	}
}

// goneAcceptorOf accepts a resource of f being gone; keeps polling while
// it still exists and through retryable errors; fails on other errors.
func goneAcceptorOf[T any](f *family[T]) acceptor[T] {
	return func(_ T, err error) (waiter.Verdict, error) {
		switch {
		case err == nil:
			return waiter.Continue, nil
		case f.gone(err):
			return waiter.Success, nil
		case retryable(err):
			return waiter.Continue, nil
		}
		return waiter.Failure, err
	}
}

// waitRes waits on one resource of f with the built-in rules accept,
// through the shared polls (or f.read), counted among the waits sharing
// them.
func waitRes[T any](c *Client, ctx context.Context, f *family[T], s waitSpec, w WaitOptions, accept acceptor[T]) (T, error) {
	p := f.polls(c)
	defer p.watch()()
	s.crowd = p.crowd
	s.family = f.name
	var get func(ctx context.Context) (T, error)
	if f.read != nil {
		get = f.read(c, s)
	} else {
		id := s.id
		get = func(ctx context.Context) (T, error) { return p.get(ctx, id) }
	}
	var user func(T, error) (WaitDecision, error)
	if f.user != nil {
		user = f.user(w)
	}
	return poll(c, ctx, s, w, get, f.statusOf, user, accept)
}

// writeThenWaitRes sends a write with one ClientToken for all its retries
// (token; a new one when empty), then waits until the resource is ready
// and shows the change (shows(v) holds), not only until it is ready.
func writeThenWaitRes[T any](c *Client, ctx context.Context, f *family[T], s waitSpec, opts []WaitOption, token string,
	send func(ctx context.Context, sdk *albsdk.Client, token string) error, shows func(T) bool) (T, error) {
	if token == "" {
		token = c.newTok()
	}
	if err := c.call(ctx, s.op, true, func(ctx context.Context, sdk *albsdk.Client) error { return send(ctx, sdk, token) }); err != nil {
		var zero T
		return zero, err
	}
	c.emit(Event{Kind: EventStep, Operation: s.op, ID: s.id, Message: s.op + " sent for " + s.id})
	return waitRes(c, ctx, f, s, c.waitOptions(opts), readyAcceptor(c, f, time.Time{}, 0, shows))
}

// changeRes is writeThenWaitRes for a resource other writers change at
// the same time, with one ClientToken (token; a new one when empty) for
// every attempt of every round:
//
//   - when the write's own retries run out on a busy resource
//     (IncorrectStatus.* while another change is pending, throttling), it
//     waits until the resource is ready and sends the write again, a few
//     times;
//   - when the service refuses the write (for example because another
//     process made the same change between the read and the write), it
//     waits until the resource is ready and, if it then shows the change,
//     that is success.
func changeRes[T any](c *Client, ctx context.Context, f *family[T], s waitSpec, opts []WaitOption, token string,
	send func(ctx context.Context, sdk *albsdk.Client, token string) error, shows func(T) bool) (T, error) {
	var zero T
	sent, err := sendRes(c, ctx, f, s, opts, token, send)
	ready := readySpec(s)
	if err == nil {
		c.emit(Event{Kind: EventStep, Operation: s.op, ID: s.id, Message: s.op + " sent for " + s.id})
		return waitRes(c, ctx, f, s, c.waitOptions(opts), readyAcceptor(c, f, time.Time{}, 0, shows))
	}
	var ae *APIError
	if sent || !errors.As(err, &ae) || ae.Retryable() || ae.Auth() || ae.NotFound() || ae.class().Has(apierr.InUse) {
		return zero, err
	}
	now, werr := waitRes(c, ctx, f, ready, c.waitOptions(opts), readyAcceptor(c, f, time.Time{}, 0, nil))
	if werr != nil || shows == nil || !shows(now) {
		return zero, err
	}
	c.emit(Event{Kind: EventStep, Operation: s.op, ID: s.id, Message: s.op + " answered " + ae.Code + " but the change is there already"})
	return now, nil
}

// readySpec is the wait until the resource of s is ready (its first word
// of waiting: "Active", "Available", "Running").
func readySpec(s waitSpec) waitSpec {
	ready := waitSpec{op: s.op, id: s.id, waiting: s.waiting, full: s.full}
	if w, _, ok := strings.Cut(s.waiting, " "); ok {
		ready.waiting = w
	}
	return ready
}

// sendRes sends a write (s.op) that concerns resource s.id of family f,
// with one ClientToken (token; a new one when empty) for every attempt of
// every round: when the write's own retries run out on a busy resource
// (IncorrectStatus.*, ResourceInConfiguring.*, throttling), it waits until
// the resource is ready and sends the write again, a few times. It reports
// whether the write was answered successfully (sent) and the last error.
func sendRes[T any](c *Client, ctx context.Context, f *family[T], s waitSpec, opts []WaitOption, token string,
	send func(ctx context.Context, sdk *albsdk.Client, token string) error) (bool, error) {
	if token == "" {
		token = c.newTok()
	}
	const rounds = 4
	for round := 1; ; round++ {
		err := c.call(ctx, s.op, true, func(ctx context.Context, sdk *albsdk.Client) error { return send(ctx, sdk, token) })
		if err == nil {
			return true, nil
		}
		if retryable(err) && round < rounds && ctx.Err() == nil {
			if _, werr := waitRes(c, ctx, f, readySpec(s), c.waitOptions(opts), readyAcceptor(c, f, time.Time{}, 0, nil)); werr == nil {
				c.emit(Event{Kind: EventStep, Operation: s.op, ID: s.id, Attempt: round, Message: s.op + " sent again: the " + f.name + " was busy"})
				continue
			}
		}
		return false, err
	}
}
