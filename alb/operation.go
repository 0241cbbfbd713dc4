package alb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"
)

// CreateOperation is the handle of one logical create. Save [CreateOperation.Token]
// before waiting: a process that dies can rebuild the handle with
// [Client.ResumeCreate] and wait again, and never gets a second instance.
// Its methods are safe for concurrent use.
type CreateOperation struct {
	c     *Client
	token string
	spec  *InstanceSpec // nil when rebuilt from a token alone

	mu      sync.Mutex
	id      string
	started time.Time
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
// ClientToken for every retry, and tags the instance with that token at
// creation. It returns as soon as the service has accepted the request;
// call Wait on the operation to wait until the instance is Active.
//
// If the call fails after it may have reached the service (5xx, network),
// Create looks the instance up by its token tag before giving up. On error
// the returned operation is non-nil whenever the service may have created
// the instance: save its Token and resume later.
func (c *Client) Create(ctx context.Context, spec InstanceSpec) (*CreateOperation, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	token := spec.IdempotencyKey
	if token == "" {
		token = c.newTok()
	}
	op := &CreateOperation{c: c, token: token, spec: &spec, started: time.Now()}
	if err := op.send(ctx); err != nil {
		if definitive(err) {
			return nil, err
		}
		return op, err
	}
	return op, nil
}

// CreateDryRun asks the service to check spec without creating anything
// (CreateLoadBalancer with DryRun). It returns nil when the service's
// checks pass, else the service's error. The spec is validated locally first.
func (c *Client) CreateDryRun(ctx context.Context, spec InstanceSpec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	err := c.call(ctx, "CreateLoadBalancer", true, func(ctx context.Context, sdk *albsdk.Client) error {
		_, err := sdk.CreateLoadBalancerWithContext(ctx, spec.createRequest(c.newTok(), true), c.runtime)
		return err
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == "DryRunOperation" {
		return nil
	}
	if err == nil {
		return &callError{op: "CreateLoadBalancer", err: errors.New("dry run answered without DryRunOperation")}
	}
	return err
}

// definitive reports whether a create error proves that no instance was
// created: a 4xx answer that is not retryable.
func definitive(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatus < 500 && !isThrottleCode(ae.Code) && !retryableCodes[ae.Code]
	}
	return errors.Is(err, ErrInvalidSpec)
}

// send sends CreateLoadBalancer with the operation's token and records the
// ID. If it fails in a way that may have created the instance, it looks for
// the instance by its token tag.
func (o *CreateOperation) send(ctx context.Context) error {
	c := o.c
	var id string
	err := c.call(ctx, "CreateLoadBalancer", true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := sdk.CreateLoadBalancerWithContext(ctx, o.spec.createRequest(o.token, false), c.runtime)
		if err == nil && r.Body != nil {
			id = tea.StringValue(r.Body.LoadBalancerId)
		}
		return err
	})
	if err != nil && !definitive(err) && ctx.Err() == nil {
		if inst, ferr := c.FindByToken(ctx, o.token); ferr == nil {
			id, err = inst.ID, nil
		}
	}
	if err != nil {
		return err
	}
	if id == "" {
		return &callError{op: "CreateLoadBalancer", err: errors.New("the answer carries no LoadBalancerId")}
	}
	o.mu.Lock()
	o.id = id
	o.mu.Unlock()
	c.log.Info("alb: create accepted", "id", id, "client_token", o.token)
	c.emit(Event{Kind: EventStep, Operation: "create", ID: id, Message: fmt.Sprintf("create accepted: %s (token %s)", id, o.token)})
	return nil
}

// ResumeCreate rebuilds the handle of a create from its saved token, in a
// new process or after the first handle was abandoned. With the original
// spec it re-sends the same request with the same token, which the service
// answers with the same instance ID; without it (spec nil) it finds the
// instance by its token tag. It never creates a second instance.
func (c *Client) ResumeCreate(ctx context.Context, token string, spec *InstanceSpec) (*CreateOperation, error) {
	if token == "" {
		return nil, &ValidationError{Errors: []*FieldError{{Field: "Token", Rule: RuleRequired, Message: "ResumeCreate: the token is required"}}}
	}
	op := &CreateOperation{c: c, token: token, started: time.Now()}
	if inst, err := c.FindByToken(ctx, token); err == nil {
		op.id = inst.ID
		c.emit(Event{Kind: EventStep, Operation: "create", ID: inst.ID, Message: "resumed " + inst.ID + " from its token tag"})
		return op, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if spec == nil {
		return nil, fmt.Errorf("alb: ResumeCreate: no instance carries token %q and no spec was given to re-send: %w", token, ErrNotFound)
	}
	s := spec.WithIdempotencyKey(token)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	op.spec = &s
	if err := op.send(ctx); err != nil {
		return nil, err
	}
	return op, nil
}

// Poll checks the instance once. It returns the instance as seen (nil if
// not seen yet). The error is non-nil when the poll failed (the operation
// is unchanged; poll again) or when the operation failed (Done reports
// true, and the error matches ErrCreateFailed or ErrUnexpectedState).
func (o *CreateOperation) Poll(ctx context.Context) (*Instance, error) {
	id, started, done, inst, err := o.state()
	if done {
		return inst, err
	}
	if id == "" {
		return nil, fmt.Errorf("alb: create operation %s has no instance ID yet: %w", o.token, ErrNotFound)
	}
	grace := o.c.wait.withDefaults().NotFoundGrace
	inst, err = o.c.Get(ctx, id)
	v, verr := activeAcceptor(started, grace, nil)(inst, err)
	switch v {
	case success:
		o.finish(inst, nil)
		return inst, nil
	case failure:
		var se *StateError
		if errors.As(verr, &se) {
			o.finish(inst, verr)
		}
		return inst, verr
	}
	return inst, nil
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
// Abnormal business status (ErrUnexpectedState), and with a
// *WaitTimeoutError naming the last status seen when the wait's bound
// passes. A not-found answer is polled again only within a short grace
// period after the create.
func (o *CreateOperation) Wait(ctx context.Context, opts ...WaitOption) (*Instance, error) {
	id, started, done, inst, err := o.state()
	if done {
		return inst, err
	}
	if id == "" {
		return nil, fmt.Errorf("alb: create operation %s has no instance ID yet: %w", o.token, ErrNotFound)
	}
	w := o.c.waitOptions(opts)
	inst, err = o.c.waitFor(ctx, "create", id, "Active", w, activeAcceptor(started, w.NotFoundGrace, nil))
	var se *StateError
	if err == nil || errors.As(err, &se) {
		o.finish(inst, err)
	}
	if err == nil {
		o.c.log.Info("alb: instance active", "id", id, "dns_name", inst.DNSName)
	}
	return inst, err
}
