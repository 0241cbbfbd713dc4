package alb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/albkit/albkit/internal/retry"
)

// WaitOptions shape a wait. Zero fields take the defaults in brackets.
//
// Polls are spaced exponentially from MinDelay to MaxDelay with jitter; the
// last poll lands at the MaxWait deadline rather than before it.
type WaitOptions struct {
	MinDelay time.Duration // first delay between polls [1s]
	MaxDelay time.Duration // longest delay between polls [30s]
	// MaxWait bounds the whole wait [15m]; the context may end it sooner.
	MaxWait time.Duration
	// NotFoundGrace is how long after a create a not-found answer is taken
	// for eventual consistency and polled again [30s].
	NotFoundGrace time.Duration
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

func (c *Client) waitOptions(opts []WaitOption) WaitOptions {
	w := c.wait
	for _, o := range opts {
		o(&w)
	}
	return w.withDefaults()
}

// verdict is an acceptor's answer.
type verdict int

const (
	keepPolling verdict = iota
	success
	failure
)

// acceptor judges one poll: the instance (nil when err != nil) and the poll
// error.
type acceptor func(inst *Instance, err error) (verdict, error)

// waitFor polls the instance until the acceptor says success or failure, the
// wait's bound passes, or ctx ends.
func (c *Client) waitFor(ctx context.Context, op, id, waiting string, w WaitOptions, accept acceptor) (*Instance, error) {
	start := time.Now()
	deadline := start.Add(w.MaxWait)
	var last Status
	for attempt := 1; ; attempt++ {
		inst, err := c.Get(ctx, id)
		if ctx.Err() != nil {
			return nil, c.waitCtxErr(ctx, id, waiting, last, start, attempt)
		}
		switch {
		case err == nil:
			last = inst.Status
		case errors.Is(err, ErrNotFound):
			last = "NotFound"
			inst = nil
		}
		v, verr := accept(inst, err)
		remaining := time.Until(deadline)
		delay := time.Duration(0)
		if v == keepPolling {
			delay = retry.ComputeDelay(attempt, w.MinDelay, w.MaxDelay, remaining, rand.Float64)
		}
		c.emit(Event{Kind: EventPoll, Operation: op, ID: id, Status: last, Attempt: attempt, Elapsed: time.Since(start), Delay: delay,
			Message: fmt.Sprintf("%s %s: %s (poll %d)", op, id, last, attempt)})
		switch v {
		case success:
			return inst, nil
		case failure:
			return inst, verr
		}
		if remaining <= 0 || delay <= 0 {
			return inst, &WaitTimeoutError{ID: id, Waiting: waiting, LastStatus: last, Waited: time.Since(start), Polls: attempt}
		}
		if err := retry.SleepContext(ctx, delay); err != nil {
			return inst, c.waitCtxErr(ctx, id, waiting, last, start, attempt)
		}
	}
}

func (c *Client) waitCtxErr(ctx context.Context, id, waiting string, last Status, start time.Time, polls int) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &WaitTimeoutError{ID: id, Waiting: waiting, LastStatus: last, Waited: time.Since(start), Polls: polls, Cause: ctx.Err()}
	}
	l := string(last)
	if l == "" {
		l = "none seen"
	}
	return fmt.Errorf("alb: waiting for %s to be %s: %w (last status: %s)", id, waiting, ctx.Err(), l)
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

// activeAcceptor accepts Active (and, if check is set, check(inst)); keeps
// polling Provisioning and Configuring and, within grace of since, not
// found; fails on everything else.
func activeAcceptor(since time.Time, grace time.Duration, check func(*Instance) bool) acceptor {
	return func(inst *Instance, err error) (verdict, error) {
		if err != nil {
			if errors.Is(err, ErrNotFound) && time.Since(since) < grace {
				return keepPolling, nil
			}
			return failure, err
		}
		if se := stateErr(inst); se != nil {
			return failure, se
		}
		switch inst.Status {
		case StatusActive:
			if check == nil || check(inst) {
				return success, nil
			}
			return keepPolling, nil
		case StatusProvisioning, StatusConfiguring:
			return keepPolling, nil
		}
		return failure, &StateError{ID: inst.ID, Status: inst.Status, Reason: "unknown status", kind: ErrUnexpectedState}
	}
}

// WaitUntilActive waits until the instance is Active. It fails at once on
// CreateFailed, locks, an Abnormal business status, Inactive or Deleting.
func (c *Client) WaitUntilActive(ctx context.Context, id string, opts ...WaitOption) (*Instance, error) {
	w := c.waitOptions(opts)
	return c.waitFor(ctx, "wait", id, "Active", w, activeAcceptor(time.Time{}, 0, nil))
}

func computeDelay(attempt int, w WaitOptions, remaining time.Duration) time.Duration {
	return retry.ComputeDelay(attempt, w.MinDelay, w.MaxDelay, remaining, rand.Float64)
}

func sleepCtx(ctx context.Context, d time.Duration) error { return retry.SleepContext(ctx, d) }
