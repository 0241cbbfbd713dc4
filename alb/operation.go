package alb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/waiter"
)

// CreateOperation is the handle of one logical create. Its methods are safe
// for concurrent use.
//
// Crash safety: [Client.Create] may retry for minutes before it returns, so
// a process that needs to survive a crash chooses the idempotency key and
// persists it BEFORE calling Create:
//
//	key := "web-prod-1"                       // or a random one, saved first
//	save(key)
//	op, err := client.Create(ctx, spec.WithIdempotencyKey(key))
//	// after a crash, in any process:
//	op, err = client.ResumeCreate(ctx, key, &spec) // or client.FindByToken(ctx, key)
//
// The key is sent as the ClientToken of every attempt and put on the
// instance as the [TokenTagKey] tag, so the instance can always be found
// by it and a second instance is never made.
type CreateOperation struct {
	c       *Client
	token   string
	spec    *InstanceSpec // nil when rebuilt from a token alone
	resumed bool          // rebuilt by ResumeCreate: a missing instance may have been released
	renew   bool          // Ensure's: a released instance of the key is made again, not ErrReleased

	mu      sync.Mutex
	gen     int // the token generation sent (see tokenGeneration); 0 before any send
	id      string
	started time.Time // clock time of the create
	done    bool
	inst    *Instance
	err     error
}

// ID returns the instance ID ("" until the service has answered).
func (o *CreateOperation) ID() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.id
}

// Token returns the ClientToken of the create: the spec's idempotency key,
// or the one the client generated. It is also the value of the instance's
// [TokenTagKey] tag.
func (o *CreateOperation) Token() string { return o.token }

// Done reports whether the operation has finished, successfully (the
// instance is Active) or not (for example CreateFailed).
func (o *CreateOperation) Done() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.done
}

// Result returns the final instance and error once Done.
func (o *CreateOperation) Result() (*Instance, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.inst, o.err
}

// Create validates spec locally (an invalid spec returns a *ValidationError
// and makes no API call), then sends CreateLoadBalancer with one
// ClientToken for every retry, and tags the instance with that token and
// the spec's digest at creation. It returns as soon as the service has
// accepted the request; call Wait on the operation to wait until the
// instance is Active.
//
// If the call fails after it may have reached the service (5xx, network,
// retries run out), Create looks the instance up by its token tag before
// giving up. On such an error the returned operation is non-nil: resume it
// with its Token. See [CreateOperation] for the crash-safe pattern (persist
// the idempotency key before calling Create).
//
// Before that, Create runs [Client.PlanCreate] and refuses a plan with a
// blocking finding with a *[PlanError] carrying the plan, without calling
// CreateLoadBalancer; [SkipPreflight] opts out, and the other
// [CreateOption]s shape the plan.
func (c *Client) Create(ctx context.Context, spec InstanceSpec, opts ...CreateOption) (_ *CreateOperation, err error) {
	ctx, tel := c.operation(ctx, "Create", "")
	defer tel.end(&err)

	var cfg createConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.skip {
		if err := c.validateSpec(ctx, spec); err != nil {
			return nil, err
		}
	} else if _, err := c.preflight(ctx, spec, cfg); err != nil {
		return nil, err
	}
	token := spec.IdempotencyKey
	if token == "" {
		token = c.newTok()
	}
	op := &CreateOperation{c: c, token: token, spec: &spec, started: c.clock.Now(), renew: cfg.renew}
	err = op.send(ctx)
	tel.setID(op.ID())
	if err != nil {
		if definitive(err) {
			return nil, err
		}
		return op, err
	}
	return op, nil
}

// CreateDryRun asks the service to check spec without creating anything
// (CreateLoadBalancer with DryRun). It returns nil when the service's
// checks pass, else the service's error. The spec is validated locally
// first (one zone mapping: against the region's zones, as by Create).
func (c *Client) CreateDryRun(ctx context.Context, spec InstanceSpec) (err error) {
	ctx, tel := c.operation(ctx, "CreateDryRun", "")
	defer tel.end(&err)

	if err := c.validateSpec(ctx, spec); err != nil {
		return err
	}
	err = c.call(ctx, "CreateLoadBalancer", true, func(ctx context.Context, sdk *albsdk.Client) error {
		token := spec.IdempotencyKey // checked like the real create's; a DryRun consumes no token
		if token == "" {
			token = c.newTok()
		}
		_, err := sdk.CreateLoadBalancerWithContext(ctx, spec.createRequest(token, token, true), c.runtime)
		return err
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == "DryRunOperation" {
		return nil
	}
	if err == nil {
		return &NetworkError{Operation: "CreateLoadBalancer", Err: errors.New("the dry run was answered without DryRunOperation")}
	}
	return err
}

// definitive reports whether a create error proves that no instance was
// created: an answer of the service that is not retryable, or a local
// refusal.
func definitive(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return !ae.Retryable()
	}
	return errors.Is(err, ErrInvalidSpec) || errors.Is(err, ErrInvalidArgument)
}

// send sends CreateLoadBalancer with the operation's token and records the
// ID. If it fails in a way that may have created the instance, it looks for
// the instance by its token tag.
func (o *CreateOperation) send(ctx context.Context) error {
	c := o.c
	var id string
	var token string
	var err error
	for {
		o.mu.Lock()
		o.gen++
		gen := o.gen
		token = tokenGeneration(o.token, gen)
		o.mu.Unlock()
		err = c.call(ctx, "CreateLoadBalancer", true, func(ctx context.Context, sdk *albsdk.Client) error {
			r, err := sdk.CreateLoadBalancerWithContext(ctx, o.spec.createRequest(o.token, token, false), c.runtime)
			if err == nil && r.Body != nil {
				id = tea.StringValue(r.Body.LoadBalancerId)
			}
			return err
		})
		if err == nil || !o.renew || !spentToken(ctx, err, gen, func(ctx context.Context) (bool, error) { return live(c.FindByToken(ctx, o.token)) }) {
			break
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "alb: the idempotency key's token was used by a request whose instance is gone: creating with its next token",
			slog.String("key", o.token))
	}
	if err != nil && !definitive(err) && ctx.Err() == nil {
		if inst, ferr := c.FindByToken(ctx, o.token); ferr == nil {
			id, err = inst.ID, nil
		}
	}
	if err != nil {
		return err
	}
	if id == "" {
		return &NetworkError{Operation: "CreateLoadBalancer", Err: errors.New("the answer carries no LoadBalancerId")}
	}
	o.mu.Lock()
	o.id = id
	if o.gen > 1 {
		o.started = c.clock.Now() // the not-found grace counts from this send
	}
	o.mu.Unlock()
	c.log.LogAttrs(ctx, slog.LevelInfo, "alb: create accepted", slog.String("id", id), slog.String("client_token", token))
	c.emit(Event{Kind: EventStep, Operation: "create", ID: id, Message: fmt.Sprintf("create accepted: %s (token %s)", id, token)})
	return nil
}

// ResumeCreate rebuilds the handle of a create from its saved idempotency
// key (token), in a new process or after the first handle was abandoned.
// It never creates a second instance.
//
// It first finds the instance by its token tag. With spec non-nil, the
// instance must have been created from the same spec: a different one is
// refused with an error matching [ErrIdempotencyKeyReused] (checked against
// the [SpecTagKey] digest on the instance, not against the caller's word).
// When no instance carries the token: without a spec it is an error
// matching [ErrNotFound]; with the spec it re-sends the same request with
// the same token, which the service answers with the same instance if it
// had accepted it. An instance that was made with the token and has since
// been released ends the operation with [ErrReleased] at the first poll; one
// that ended in CreateFailed with [ErrCreateFailed].
func (c *Client) ResumeCreate(ctx context.Context, token string, spec *InstanceSpec) (_ *CreateOperation, err error) {
	ctx, tel := c.operation(ctx, "ResumeCreate", "")
	defer tel.end(&err)

	if err := requireID("ResumeCreate", "token", token); err != nil {
		return nil, err
	}
	if spec != nil {
		s := spec.WithIdempotencyKey(token)
		if err := c.validateSpec(ctx, s); err != nil {
			return nil, err
		}
		spec = &s
	}
	op := &CreateOperation{c: c, token: token, spec: spec, started: c.clock.Now(), resumed: true}
	inst, err := c.FindByToken(ctx, token)
	switch {
	case err == nil:
		if d := tagValue(inst.Tags, SpecTagKey); spec != nil && d != "" && d != spec.Digest() {
			return nil, &IdempotencyError{Token: token, InstanceID: inst.ID,
				Reason: "the instance made with this key was created from a different spec (" + SpecTagKey + " " + d + ", this spec " + spec.Digest() + ")"}
		}
		op.id = inst.ID
		tel.setID(inst.ID)
		c.emit(Event{Kind: EventStep, Operation: "create", ID: inst.ID, Message: "resumed " + inst.ID + " from its token tag"})
		return op, nil
	case !errors.Is(err, ErrNotFound):
		return nil, err
	case spec == nil:
		return nil, fmt.Errorf("alb: ResumeCreate: no instance carries token %q and no spec was given to re-send: %w", token, ErrNotFound)
	}
	if err := op.send(ctx); err != nil {
		return nil, err
	}
	tel.setID(op.ID())
	return op, nil
}

// IdempotencyError reports an idempotency key used again with a different
// request. errors.Is(err, [ErrIdempotencyKeyReused]) holds.
type IdempotencyError struct {
	// Token is the idempotency key (ClientToken).
	Token string
	// InstanceID is the instance the key made, if known.
	InstanceID string
	// Reason says what differs.
	Reason string
}

// Error implements error.
func (e *IdempotencyError) Error() string {
	s := "alb: idempotency key " + e.Token + " reused with a different request"
	if e.InstanceID != "" {
		s += " (instance " + e.InstanceID + ")"
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is matches ErrIdempotencyKeyReused.
func (e *IdempotencyError) Is(target error) bool { return target == ErrIdempotencyKeyReused }

func tagValue(tags []Tag, key string) string {
	for _, t := range tags {
		if t.Key == key {
			return t.Value
		}
	}
	return ""
}

// Poll checks the instance once. It returns the instance as seen (nil if
// not seen yet). The error is non-nil when the poll failed (the operation
// is unchanged; poll again) or when the operation failed (Done reports
// true, and the error matches ErrCreateFailed, ErrReleased or
// ErrUnexpectedState).
func (o *CreateOperation) Poll(ctx context.Context) (_ *Instance, err error) {
	ctx, tel := o.c.read(ctx, "CreateOperation.Poll", o.ID())
	defer tel.end(&err)

	id, started, done, inst, err := o.state()
	if done {
		return inst, err
	}
	if id == "" {
		return nil, &ArgumentError{Operation: "Poll", Argument: "operation", Message: "create operation " + o.token + " has no instance ID yet: resume it"}
	}
	inst, err = o.c.Get(ctx, id)
	if instanceGone(err) {
		err = o.released(ctx, err)
		if again, rerr := o.resend(ctx, err); again || rerr != err {
			return nil, rerr // the operation goes on with a new instance (or could not send it)
		}
	}
	v, verr := o.c.activeAcceptor(started, o.c.wait.withDefaults().NotFoundGrace, nil)(inst, err)
	switch v {
	case waiter.Success:
		o.finish(inst, nil)
		return inst, nil
	case waiter.Failure:
		var se *StateError
		if errors.As(verr, &se) {
			o.finish(inst, verr)
		}
		return inst, verr
	}
	return inst, err
}

// resend sends the create of an Ensure (renew) again with the key's next
// token generation when err says the instance the service answered with was released: the key
// made an instance before, which has since been released, and the service
// replays that first answer for its token (see tokenGeneration). An
// instance cannot be released while it is being created, so a released
// instance named by the create's answer is always such a replay. It
// reports whether it sent the create again.
func (o *CreateOperation) resend(ctx context.Context, err error) (bool, error) {
	o.mu.Lock()
	gen, old := o.gen, o.id
	o.mu.Unlock()
	if !o.renew || gen == 0 || gen >= maxTokenGenerations || o.spec == nil || !errors.Is(err, ErrReleased) {
		return false, err
	}
	o.c.log.LogAttrs(ctx, slog.LevelInfo, "alb: the idempotency key's earlier instance was released: creating with its next token",
		slog.String("released", old), slog.String("key", o.token))
	if serr := o.send(ctx); serr != nil {
		return false, serr
	}
	return true, nil
}

// released is the not-found check of a resumed operation or of one that
// sent its create: a missing instance that has a finished delete job was
// released, which is a StateError, not a not-found to wait out. (For an
// operation that sent the create, it is the service replaying the token's
// first answer after that instance's release: see resend.)
func (o *CreateOperation) released(ctx context.Context, err error) error {
	o.mu.Lock()
	sent := o.gen > 0
	o.mu.Unlock()
	if !o.resumed && !sent {
		return err
	}
	if deleted, jerr := o.c.hasDeleteJob(ctx, instances.jobType, instances.deleteAction, o.ID()); jerr == nil && deleted {
		return &StateError{ID: o.ID(), Status: "NotFound", Reason: "the instance created with idempotency key " + o.token + " has been released", kind: ErrReleased}
	}
	return err
}

// hasDeleteJob reports whether the service recorded a delete job (the
// action deleteAction on a resource of ListAsynJobs type jobType) for the
// resource id that did not fail.
func (c *Client) hasDeleteJob(ctx context.Context, jobType, deleteAction, id string) (bool, error) {
	var jobs []*albsdk.ListAsynJobsResponseBodyJobs
	err := c.call(ctx, "ListAsynJobs", true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := sdk.ListAsynJobsWithContext(ctx, &albsdk.ListAsynJobsRequest{ResourceIds: []*string{tea.String(id)}, ResourceType: tea.String(jobType)}, c.runtime)
		if err == nil && r.Body != nil {
			jobs = r.Body.Jobs
		}
		return err
	})
	for _, j := range jobs {
		if j != nil && tea.StringValue(j.ApiName) == deleteAction && tea.StringValue(j.Status) != "Failed" {
			return true, nil
		}
	}
	return false, err
}

// state reads the operation's fields under its lock.
func (o *CreateOperation) state() (id string, started time.Time, done bool, inst *Instance, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.id, o.started, o.done, o.inst, o.err
}

func (o *CreateOperation) finish(inst *Instance, err error) {
	o.mu.Lock()
	o.done, o.inst, o.err = true, inst, err
	o.mu.Unlock()
}

// Wait polls until the instance is Active and returns it. It fails at once
// on CreateFailed (matching ErrCreateFailed), on operation locks or an
// Abnormal business status (ErrUnexpectedState), on an instance that was
// released (ErrReleased), on errors that are not retryable (for example
// [ErrAuth]), and with a *WaitTimeoutError naming the last status seen when
// the wait's bound passes. Throttled or failed polls keep the wait going
// until its bound. A not-found answer is polled again only within a short
// grace period after the create.
func (o *CreateOperation) Wait(ctx context.Context, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := o.c.operation(ctx, "CreateOperation.Wait", o.ID())
	defer tel.end(&err)

	id, started, done, inst, err := o.state()
	if done {
		return inst, err
	}
	if id == "" {
		return nil, &ArgumentError{Operation: "Wait", Argument: "operation", Message: "create operation " + o.token + " has no instance ID yet: resume it"}
	}
	if err := checkWaitOpts("Wait", opts); err != nil {
		return nil, err
	}
	c := o.c
	w := c.waitOptions(opts)
	for {
		s := waitSpec{op: "create", id: id, waiting: "Active", unknownStart: o.resumed, full: true, crowd: c.lbPolls.crowd}
		accept := c.activeAcceptor(started, w.NotFoundGrace, nil)
		stop := c.lbPolls.watch()
		inst, err = poll(c, ctx, s, w, c.instancePoll(s, o.released), instanceStatus, w.Acceptor, accept)
		stop()
		again, rerr := o.resend(ctx, err)
		if !again {
			err = rerr
			break
		}
		id, started, _, _, _ = o.state()
		tel.setID(id)
	}
	var se *StateError
	if err == nil || errors.As(err, &se) {
		o.finish(inst, err)
	}
	if err == nil {
		c.log.LogAttrs(ctx, slog.LevelInfo, "alb: instance active", slog.String("id", id), slog.String("dns_name", inst.DNSName))
	}
	return inst, err
}
