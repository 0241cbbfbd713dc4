package alb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"
)

// requireID refuses an argument before any API call: an empty one and,
// for an argument named "id" (an instance ID in every method that takes
// one), one that cannot be an ALB instance ID ([instanceIDPattern]). A
// well-formed ID is not looked up here: one that does not exist is the
// service's answer (for a release, "already gone").
func requireID(op, arg, v string) error {
	switch {
	case v == "":
		return &ArgumentError{Operation: op, Argument: arg, Message: "is required"}
	case arg == "id" && !instanceIDPattern.MatchString(v):
		return &ArgumentError{Operation: op, Argument: arg,
			Message: fmt.Sprintf("%q is not an ALB instance ID: an instance ID is \"alb-\" followed by letters and digits", truncate(v, 64))}
	}
	return nil
}

// instanceIDPattern is the shape of an ALB instance ID: "alb-" and letters
// and digits (the service's are "alb-" and 18 lower-case letters and
// digits, e.g. alb-9ebuqvvfa1y6b7j8nh).
var instanceIDPattern = regexp.MustCompile(`^alb-[0-9A-Za-z]+$`)

// truncate shortens s to at most n bytes for a message, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Get returns the instance. A missing instance is an error matching
// [ErrNotFound].
func (c *Client) Get(ctx context.Context, id string) (_ *Instance, err error) {
	ctx, tel := c.read(ctx, "Get", id)
	defer tel.end(&err)

	if err := requireID("Get", "id", id); err != nil {
		return nil, err
	}
	var body *albsdk.GetLoadBalancerAttributeResponseBody
	// c.do with the SDK client borrowed here rather than c.call: one frame
	// less on the path of every poll (see call).
	err = c.do(ctx, "GetLoadBalancerAttribute", true, func(ctx context.Context) error {
		sdk, err := c.sdks.Get()
		if err != nil {
			return err
		}
		defer c.sdks.Put(sdk)
		r, err := sdk.GetLoadBalancerAttributeWithContext(ctx, &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: tea.String(id)}, c.runtime)
		if err == nil {
			body = r.Body
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, &NetworkError{Operation: "GetLoadBalancerAttribute", Err: errors.New("the answer has no body")}
	}
	inst := instanceFromAttribute(body)
	c.reads.keep(inst, c.clock.Now())
	return inst, nil
}

// ListFilter selects instances for [Client.List]. Empty fields do not
// filter. The limits are ListLoadBalancers' (API metadata); a filter beyond
// them is refused before any call with an *[ArgumentError].
type ListFilter struct {
	IDs             []string    // at most 20
	Names           []string    // at most 10
	VPCIDs          []string    // at most 10
	Tags            []Tag       // instances carrying every one of these tags; at most 20
	Status          Status      // only instances in this status
	AddressType     AddressType // only Internet or only Intranet
	IPVersion       IPVersion   // only IPv4 or only DualStack
	ResourceGroupID string      // only this resource group
	ZoneID          string      // only instances with a zone here
	DNSName         string      // only the instance with this DNS name
	// PageSize is the number of instances per ListLoadBalancers call (1–100; 0 takes the default 50).
	PageSize int32
}

// List filter limits (ListLoadBalancers, API metadata).
const (
	maxListIDs    = 20
	maxListNames  = 10
	maxListVPCIDs = 10
	maxListTags   = 20
	maxPageSize   = 100
)

// check refuses a filter beyond ListLoadBalancers' limits.
func (f ListFilter) check() error {
	bad := func(field, format string, args ...any) error {
		return &ArgumentError{Operation: "List", Argument: "ListFilter." + field, Message: fmt.Sprintf(format, args...)}
	}
	for _, l := range []struct {
		field  string
		n, max int
	}{{"IDs", len(f.IDs), maxListIDs}, {"Names", len(f.Names), maxListNames}, {"VPCIDs", len(f.VPCIDs), maxListVPCIDs}, {"Tags", len(f.Tags), maxListTags}} {
		if l.n > l.max {
			return bad(l.field, "%d given; ListLoadBalancers takes at most %d: split the list", l.n, l.max)
		}
	}
	switch {
	case f.PageSize < 0 || f.PageSize > maxPageSize:
		return bad("PageSize", "%d is out of range 1-%d (0 takes the default 50)", f.PageSize, maxPageSize)
	case f.AddressType != "" && !f.AddressType.Valid():
		return bad("AddressType", "%q is not Internet or Intranet", truncate(string(f.AddressType), 32))
	case f.IPVersion != "" && !f.IPVersion.Valid():
		return bad("IPVersion", "%q is not IPv4 or DualStack", truncate(string(f.IPVersion), 32))
	}
	return nil
}

func (f ListFilter) request() *albsdk.ListLoadBalancersRequest {
	req := &albsdk.ListLoadBalancersRequest{
		LoadBalancerIds:   tea.StringSlice(f.IDs),
		LoadBalancerNames: tea.StringSlice(f.Names),
		VpcIds:            tea.StringSlice(f.VPCIDs),
	}
	for _, t := range f.Tags {
		req.Tag = append(req.Tag, &albsdk.ListLoadBalancersRequestTag{Key: tea.String(t.Key), Value: tea.String(t.Value)})
	}
	set := func(dst **string, v string) {
		if v != "" {
			*dst = tea.String(v)
		}
	}
	set(&req.LoadBalancerStatus, string(f.Status))
	set(&req.AddressType, string(f.AddressType))
	set(&req.AddressIpVersion, string(f.IPVersion))
	set(&req.ResourceGroupId, f.ResourceGroupID)
	set(&req.ZoneId, f.ZoneID)
	set(&req.DNSName, f.DNSName)
	size := f.PageSize
	if size == 0 {
		size = 50
	}
	req.MaxResults = tea.Int32(size)
	return req
}

// List returns the instances matching f, following NextToken across pages.
// Stop ranging to stop fetching. An error ends the sequence; a filter
// beyond ListLoadBalancers' limits (see [ListFilter]) is an *[ArgumentError]
// before any call.
//
// ListLoadBalancers does not return every field: the instances have no
// RegionID and no Zones (so no addresses and no EIPs). Call [Client.Get]
// with an instance's ID for the complete instance.
//
//	for inst, err := range client.List(ctx, alb.ListFilter{VPCIDs: []string{vpc}}) {
//		if err != nil { return err }
//		fmt.Println(inst.ID, inst.Status)
//	}
func (c *Client) List(ctx context.Context, f ListFilter) iter.Seq2[*Instance, error] {
	return func(yield func(*Instance, error) bool) {
		var err error // the error that ends the sequence, for its span
		ctx, tel := c.read(ctx, "List", "")
		defer tel.end(&err)
		if err = f.check(); err != nil {
			yield(nil, err)
			return
		}
		req := f.request()
		if err = eachPage("ListLoadBalancers", func(token *string) (*string, error) {
			req.NextToken = token
			body, err := answer(c, ctx, "ListLoadBalancers", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.ListLoadBalancersResponse, error) {
				return sdk.ListLoadBalancersWithContext(ctx, req, c.runtime)
			}, (*albsdk.ListLoadBalancersResponse).GetBody)
			if err != nil {
				return nil, err
			}
			for _, lb := range body.LoadBalancers {
				if lb != nil && !yield(instanceFromList(lb), nil) {
					return nil, nil
				}
			}
			return body.NextToken, nil
		}); err != nil {
			yield(nil, err)
		}
	}
}

// FindByToken returns the complete instance that albkit created with the
// idempotency key (ClientToken) token, found by the [TokenTagKey] tag albkit
// puts on every instance it creates; an error matching [ErrNotFound] when
// no instance carries it. This is how a process that crashed inside or
// after [Client.Create] finds its instance: persist the key before calling
// Create (see [InstanceSpec.WithIdempotencyKey]), then FindByToken or
// [Client.ResumeCreate] with it.
func (c *Client) FindByToken(ctx context.Context, token string) (_ *Instance, err error) {
	ctx, tel := c.read(ctx, "FindByToken", "")
	defer tel.end(&err)

	if err := requireID("FindByToken", "token", token); err != nil {
		return nil, err
	}
	for inst, err := range c.List(ctx, ListFilter{Tags: []Tag{{Key: TokenTagKey, Value: token}}}) {
		if err != nil {
			return nil, err
		}
		full, err := c.Get(ctx, inst.ID)
		if instanceGone(err) {
			continue // released between the list and the read
		}
		return full, err
	}
	return nil, &notFoundError{msg: "alb: FindByToken: no instance is tagged " + TokenTagKey + "=" + token}
}

// EnableDeletionProtection turns deletion protection on and waits until the
// instance reports it. Like the other management operations, on an
// instance busy with another change (Configuring) it waits until the
// instance is Active and sends the change again, with the same
// ClientToken.
func (c *Client) EnableDeletionProtection(ctx context.Context, id string, opts ...WaitOption) error {
	return c.setDeletionProtection(ctx, id, true, opts)
}

// DisableDeletionProtection turns deletion protection off and waits until
// the instance reports it.
func (c *Client) DisableDeletionProtection(ctx context.Context, id string, opts ...WaitOption) error {
	return c.setDeletionProtection(ctx, id, false, opts)
}

func (c *Client) setDeletionProtection(ctx context.Context, id string, on bool, opts []WaitOption) (err error) {
	action := "DisableDeletionProtection"
	if on {
		action = "EnableDeletionProtection"
	}
	ctx, tel := c.operation(ctx, action, id)
	defer tel.end(&err)
	if err := checkCall(action, id, opts); err != nil {
		return err
	}
	// The change shows in a shared poll: no complete read is needed.
	_, err = c.change(ctx, waitSpec{op: action, id: id, waiting: "Active with deletion protection " + onOff(on)}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			var err error
			if on {
				_, err = sdk.EnableDeletionProtectionWithContext(ctx, &albsdk.EnableDeletionProtectionRequest{ResourceId: tea.String(id), ClientToken: tea.String(token)}, c.runtime)
			} else {
				_, err = sdk.DisableDeletionProtectionWithContext(ctx, &albsdk.DisableDeletionProtectionRequest{ResourceId: tea.String(id), ClientToken: tea.String(token)}, c.runtime)
			}
			return err
		},
		func(i *Instance) bool { return i.DeletionProtection == on })
	return err
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// EnableReadOnly turns the configuration read-only mode on with a reason and
// waits until the instance is Active again. The mode protects the instance
// from changes made in the console only: API calls, including albkit's,
// still change it. On a busy instance it waits and sends the change again,
// as EnableDeletionProtection does.
func (c *Client) EnableReadOnly(ctx context.Context, id, reason string, opts ...WaitOption) (err error) {
	ctx, tel := c.operation(ctx, "EnableReadOnly", id)
	defer tel.end(&err)

	if err := checkCall("EnableReadOnly", id, opts); err != nil {
		return err
	}
	mode := ReadOnlyMode{Enabled: true, Reason: reason}
	if err := validateReason(mode); err != nil {
		return err
	}
	return c.setReadOnly(ctx, id, mode, opts)
}

// DisableReadOnly turns the configuration read-only mode off and waits
// until the instance is Active again.
func (c *Client) DisableReadOnly(ctx context.Context, id string, opts ...WaitOption) (err error) {
	ctx, tel := c.operation(ctx, "DisableReadOnly", id)
	defer tel.end(&err)

	if err := checkCall("DisableReadOnly", id, opts); err != nil {
		return err
	}
	return c.setReadOnly(ctx, id, ReadOnlyMode{}, opts)
}

func (c *Client) setReadOnly(ctx context.Context, id string, mode ReadOnlyMode, opts []WaitOption) error {
	cfg := &albsdk.UpdateLoadBalancerAttributeRequestModificationProtectionConfig{Status: tea.String(modificationNonProtection)}
	if mode.Enabled {
		cfg.Status = tea.String(modificationConsoleProtection)
		if mode.Reason != "" {
			cfg.Reason = tea.String(mode.Reason)
		}
	}
	_, err := c.change(ctx, waitSpec{op: "UpdateLoadBalancerAttribute", id: id, waiting: "Active with read-only mode " + onOff(mode.Enabled)}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.UpdateLoadBalancerAttributeWithContext(ctx, &albsdk.UpdateLoadBalancerAttributeRequest{
				LoadBalancerId: tea.String(id), ModificationProtectionConfig: cfg, ClientToken: tea.String(token),
			}, c.runtime)
			return err
		},
		func(i *Instance) bool { return i.ReadOnly.Enabled == mode.Enabled })
	return err
}

// validateReason applies the spec's read-only reason rules alone.
func validateReason(mode ReadOnlyMode) error {
	v := &violations{}
	InstanceSpec{ReadOnly: mode}.checkSpec(v, true)
	var only []*FieldError
	for _, fe := range v.list {
		if fe.Field == "ReadOnly.Reason" {
			only = append(only, fe)
		}
	}
	if len(only) == 0 {
		return nil
	}
	return &ValidationError{Errors: only}
}

// notFoundError is a not-found found by albkit itself (not answered by the
// service): it matches ErrNotFound and says what was looked for.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }
