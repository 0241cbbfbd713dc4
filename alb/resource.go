package alb

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
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
	// jobType and deleteAction are the kind's ListAsynJobs ResourceType
	// and delete action: a create answered with a resource that has a
	// delete job is a replay of the key's token (see createRes).
	jobType, deleteAction string
	// syncCreate says the kind's create is synchronous (no job): a
	// resource its answer names and a read does not find is gone, with no
	// not-found grace.
	syncCreate bool
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

// maxTokenGenerations bounds the creates one idempotency key makes when the
// service answers its tokens with resources that are gone (see
// tokenGeneration).
const maxTokenGenerations = 4

// tokenGeneration is the ClientToken of generation gen (1, 2, …) of the
// create of idempotency key key: the key itself, then "key~2", "key~3", …
// (cut to the API's 64 characters). The service answers a ClientToken it
// has seen with its first answer, even after that resource was deleted;
// so when a key's create is answered with a resource that is gone (the
// key made one before, since deleted, as a stack applied again after its
// Destroy), the create is sent again with the next generation. The token
// tag (TokenTagKey) keeps the key, so FindByToken and ResumeCreate find
// the resource of any generation, and a resumed create walks the same
// tokens: a generation the service accepted before a crash is answered
// with that live resource, never a second one.
func tokenGeneration(key string, gen int) string {
	if gen <= 1 {
		return key
	}
	suffix := "~" + strconv.Itoa(gen)
	if len(key)+len(suffix) > 64 {
		key = key[:64-len(suffix)]
	}
	return key + suffix
}

// createRes creates a resource of f with idempotency key key: send sends
// the create with a ClientToken and returns the ID the service answered,
// sent (if set) hears that the create may have reached the service, and
// the resource is then awaited as s describes (its id filled in) until it
// is ready. When the answer names a resource that stays gone past the
// not-found grace, the service replayed the key's token after that
// resource was deleted: the create is sent again with the key's next
// token generation (see tokenGeneration); so it is when the service
// refuses the token as used by a different request
// (IdempotentParameterMismatch) and find reports that no live resource
// carries the key: the request that used it made a resource since deleted
// (a listener's key on an instance made again, say). It returns the ID
// even when the wait fails.
//
// Without renew (an imperative Create: one key, one resource), a resource
// found deleted ends the create at once with a *StateError matching
// ErrReleased, and a refused token stays refused.
func createRes[T any](c *Client, ctx context.Context, f *family[T], key string, renew bool, w WaitOptions, s waitSpec,
	send func(ctx context.Context, token string) (string, error), sent func(), find func(ctx context.Context) (bool, error)) (string, T, error) {
	for gen := 1; ; gen++ {
		var zero T
		id, err := send(ctx, tokenGeneration(key, gen))
		if err != nil {
			if renew && spentToken(ctx, err, gen, find) {
				c.log.LogAttrs(ctx, slog.LevelInfo, "alb: the idempotency key's token was used by a request whose "+f.name+" is gone: creating with its next token",
					slog.String("key", key))
				continue
			}
			return "", zero, err
		}
		if sent != nil {
			sent()
		}
		s.id = id
		grace := w.NotFoundGrace
		if f.syncCreate {
			grace = 0
		}
		ready := readyAcceptor(c, f, c.clock.Now(), grace, nil)
		accept := func(v T, err error) (waiter.Verdict, error) {
			// A resource cannot be deleted while it is being created: one
			// not found with a delete job is the token's earlier resource.
			if err != nil && f.gone(err) && f.jobType != "" {
				if deleted, jerr := c.hasDeleteJob(ctx, f.jobType, f.deleteAction, id); jerr == nil && deleted {
					if renew {
						return waiter.Failure, err
					}
					return waiter.Failure, &StateError{ID: id, Status: "NotFound", kind: ErrReleased,
						Reason: "the " + f.name + " created with idempotency key " + key + " has been deleted"}
				}
			}
			return ready(v, err)
		}
		v, err := waitRes(c, ctx, f, s, w, accept)
		if renew && err != nil && f.gone(err) && gen < maxTokenGenerations && ctx.Err() == nil {
			c.log.LogAttrs(ctx, slog.LevelInfo, "alb: the idempotency key's earlier "+f.name+" is gone: creating with its next token",
				slog.String("gone", id), slog.String("key", key))
			continue
		}
		return id, v, err
	}
}

// spentToken reports whether a create refused with err (its token was
// generation gen of a key) may go on with the key's next token: the
// service says the token was used by a different request, and find says no
// live resource carries the key, so the request that used it made a
// resource since deleted (or none). When a live one carries it, the key is
// reused for a different spec and the refusal stands.
func spentToken(ctx context.Context, err error, gen int, find func(ctx context.Context) (bool, error)) bool {
	if gen >= maxTokenGenerations || find == nil || !errors.Is(err, ErrIdempotencyKeyReused) || ctx.Err() != nil {
		return false
	}
	live, ferr := find(ctx)
	return ferr == nil && !live
}

// live turns a FindByToken's answer into whether a live resource carries
// the token: not found is false without an error.
func live[T any](v T, err error) (bool, error) {
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
