package alb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/apierr"
	"github.com/albkit/albkit/internal/waiter"
)

// SecurityPolicies is the TLS security-policy family of a [Client]:
// custom policies (create, read, converge, delete) and the system ones,
// reached with [Client.SecurityPolicies]. Custom policies are regional;
// HTTPS listeners of Standard and WAF-enabled instances use them
// ([ListenerSpec.SecurityPolicyID]).
type SecurityPolicies struct{ c *Client }

// SecurityPolicies returns the client's security-policy operations.
func (c *Client) SecurityPolicies() *SecurityPolicies { return &SecurityPolicies{c: c} }

// String describes the family without any credential.
func (p *SecurityPolicies) String() string { return "alb.SecurityPolicies{region: " + p.c.region + "}" }

const kindSecurityPolicy = "security policy"

// securityPolicyPolls reads custom policies with ListSecurityPolicies (20
// IDs a call: GUESS).
var securityPolicyPolls = kind[*SecurityPolicy]{
	name: kindSecurityPolicy, action: "ListSecurityPolicies", maxIDs: 20,
	list: func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string]*SecurityPolicy, error) {
		r, err := sdk.ListSecurityPoliciesWithContext(ctx, &albsdk.ListSecurityPoliciesRequest{SecurityPolicyIds: tea.StringSlice(ids), MaxResults: tea.Int32(100)}, rt)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Body == nil {
			return nil, errors.New("the answer has no body")
		}
		return byID(r.Body.SecurityPolicies, func(b *albsdk.ListSecurityPoliciesResponseBodySecurityPolicies) (string, *SecurityPolicy) {
			p := securityPolicyFromSDK(b)
			return p.ID, p
		}), nil
	},
}

// securityPolicies describes custom policies to the engine: Available is
// ready, Configuring pending.
var securityPolicies = &family[*SecurityPolicy]{
	name:    kindSecurityPolicy,
	jobType: "securitypolicy", deleteAction: "DeleteSecurityPolicy",
	syncCreate: true, // CreateSecurityPolicy answers without a job
	polls:      func(c *Client) *poller[*SecurityPolicy] { return c.spPolls },
	status:     func(p *SecurityPolicy) Status { return Status(p.Status) },
	judge: func(p *SecurityPolicy) (waiter.Verdict, error) {
		switch p.Status {
		case SecurityPolicyAvailable, "":
			return waiter.Success, nil
		case SecurityPolicyConfiguring:
			return waiter.Continue, nil
		}
		return waiter.Failure, &StateError{ID: p.ID, Status: Status(p.Status), Reason: "unknown security policy status", kind: ErrUnexpectedState}
	},
	gone: func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && ae.Code == "ResourceNotFound.SecurityPolicy" || notListed(err, kindSecurityPolicy)
	},
}

var securityPolicyIDPattern = regexp.MustCompile(`^scp-[0-9A-Za-z]+$`)

func requirePolicyID(op, id string) error {
	switch {
	case id == "":
		return &ArgumentError{Operation: op, Argument: "id", Message: "is required"}
	case !securityPolicyIDPattern.MatchString(id):
		return &ArgumentError{Operation: op, Argument: "id",
			Message: fmt.Sprintf("%q is not a custom security policy ID: one is \"scp-\" followed by letters and digits (system policies are read-only)", truncate(id, 64))}
	}
	return nil
}

// Get returns a custom policy. A missing one is an error matching
// [ErrNotFound].
func (p *SecurityPolicies) Get(ctx context.Context, id string) (_ *SecurityPolicy, err error) {
	ctx, tel := p.c.read(ctx, "SecurityPolicies.Get", id)
	defer tel.end(&err)
	if err := requirePolicyID("SecurityPolicies.Get", id); err != nil {
		return nil, err
	}
	return p.c.spPolls.get(ctx, id)
}

// List returns the custom policies, those with the names given if any (at
// most 10), following NextToken. An error ends the sequence.
func (p *SecurityPolicies) List(ctx context.Context, names ...string) iter.Seq2[*SecurityPolicy, error] {
	c := p.c
	return func(yield func(*SecurityPolicy, error) bool) {
		var err error
		ctx, tel := c.read(ctx, "SecurityPolicies.List", "")
		defer tel.end(&err)
		if len(names) > 10 {
			err = &ArgumentError{Operation: "SecurityPolicies.List", Argument: "names", Message: fmt.Sprintf("%d given; ListSecurityPolicies takes at most 10", len(names))}
			yield(nil, err)
			return
		}
		req := &albsdk.ListSecurityPoliciesRequest{MaxResults: tea.Int32(maxPageSize)}
		if len(names) > 0 {
			req.SecurityPolicyNames = tea.StringSlice(names)
		}
		if err = eachPage("ListSecurityPolicies", func(token *string) (*string, error) {
			req.NextToken = token
			body, err := answer(c, ctx, "ListSecurityPolicies", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.ListSecurityPoliciesResponse, error) {
				return sdk.ListSecurityPoliciesWithContext(ctx, req, c.runtime)
			}, (*albsdk.ListSecurityPoliciesResponse).GetBody)
			if err != nil {
				return nil, err
			}
			for _, b := range body.SecurityPolicies {
				if b != nil && !yield(securityPolicyFromSDK(b), nil) {
					return nil, nil
				}
			}
			return body.NextToken, nil
		}); err != nil {
			yield(nil, err)
		}
	}
}

// ListSystem returns the system policies (tls_cipher_policy_…), which
// every HTTPS listener may use.
func (p *SecurityPolicies) ListSystem(ctx context.Context) (_ []*SecurityPolicy, err error) {
	c := p.c
	ctx, tel := c.read(ctx, "SecurityPolicies.ListSystem", "")
	defer tel.end(&err)
	body, err := answer(c, ctx, "ListSystemSecurityPolicies", func(_ context.Context, sdk *albsdk.Client) (*albsdk.ListSystemSecurityPoliciesResponse, error) {
		return sdk.ListSystemSecurityPoliciesWithOptions(c.runtime) // the SDK has no context variant of this call
	}, (*albsdk.ListSystemSecurityPoliciesResponse).GetBody)
	if err != nil {
		return nil, err
	}
	var out []*SecurityPolicy
	for _, b := range body.SecurityPolicies {
		if b != nil {
			out = append(out, systemSecurityPolicyFromSDK(b))
		}
	}
	return out, nil
}

// FindByToken returns the custom policy albkit created with the
// idempotency key token; an error matching [ErrNotFound] when none
// carries it.
func (p *SecurityPolicies) FindByToken(ctx context.Context, token string) (_ *SecurityPolicy, err error) {
	c := p.c
	ctx, tel := c.read(ctx, "SecurityPolicies.FindByToken", "")
	defer tel.end(&err)
	if err := requireID("SecurityPolicies.FindByToken", "token", token); err != nil {
		return nil, err
	}
	req := &albsdk.ListSecurityPoliciesRequest{MaxResults: tea.Int32(maxPageSize),
		Tag: []*albsdk.ListSecurityPoliciesRequestTag{{Key: tea.String(TokenTagKey), Value: tea.String(token)}}}
	var body *albsdk.ListSecurityPoliciesResponseBody
	err = c.call(ctx, "ListSecurityPolicies", true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := sdk.ListSecurityPoliciesWithContext(ctx, req, c.runtime)
		if err == nil {
			body = r.Body
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if body != nil {
		for _, b := range body.SecurityPolicies {
			if b != nil {
				if sp := securityPolicyFromSDK(b); sp.Token() == token {
					return sp, nil
				}
			}
		}
	}
	return nil, &notFoundError{msg: "alb: no security policy carries token " + token}
}

// SecurityPolicyResult is what [SecurityPolicies.Ensure] did.
type SecurityPolicyResult struct {
	ID      string              // the policy
	Created bool                // Ensure created it
	Plan    *SecurityPolicyPlan // the plan applied
	Calls   []string            // the write calls made: the plan's when everything went through
	Policy  *SecurityPolicy     // the policy at the end
}

// PlanEnsure returns what [SecurityPolicies.Ensure] would do: the policy
// is found by the spec's idempotency key (or [EnsureID]).
func (p *SecurityPolicies) PlanEnsure(ctx context.Context, spec SecurityPolicySpec, opts ...EnsureOption) (_ *SecurityPolicyPlan, err error) {
	ctx, tel := p.c.read(ctx, "SecurityPolicies.PlanEnsure", "")
	defer tel.end(&err)
	plan, _, err := p.planEnsure(ctx, "SecurityPolicies.PlanEnsure", spec, opts)
	return plan, err
}

func (p *SecurityPolicies) planEnsure(ctx context.Context, op string, spec SecurityPolicySpec, opts []EnsureOption) (*SecurityPolicyPlan, ensureConfig, error) {
	cfg, err := ensureOptions(op, "policy", spec.IdempotencyKey, opts, requirePolicyID)
	if err != nil {
		return nil, cfg, err
	}
	if err := spec.Validate(); err != nil {
		return nil, cfg, err
	}
	var sp *SecurityPolicy
	if cfg.id != "" {
		sp, err = p.c.spPolls.get(ctx, cfg.id)
	} else if sp, err = p.FindByToken(ctx, spec.IdempotencyKey); isNotFound(err) {
		return DiffSecurityPolicy(spec, nil), cfg, nil
	}
	if err != nil {
		return nil, cfg, err
	}
	return DiffSecurityPolicy(spec, sp), cfg, nil
}

// Ensure makes the custom policy of spec exist and match it with the
// fewest writes: CreateSecurityPolicy (one ClientToken for every retry,
// the key; a lookup by the key's tag after a call that may have reached
// the service), or one UpdateSecurityPolicyAttribute with exactly the
// changed name, versions and ciphers (waited until Available), tags and
// resource group. A second Ensure writes nothing.
//
// A key whose policy was deleted (a stack destroyed and applied again)
// makes a new one: the service answers the key's ClientToken with the
// deleted one, so the create goes on with the key's next token ("KEY~2",
// …; the tag keeps the key).
func (p *SecurityPolicies) Ensure(ctx context.Context, spec SecurityPolicySpec, opts ...EnsureOption) (_ *SecurityPolicyResult, err error) {
	c := p.c
	ctx, tel := c.operation(ctx, "SecurityPolicies.Ensure", "")
	defer tel.end(&err)
	plan, cfg, err := p.planEnsure(ctx, "SecurityPolicies.Ensure", spec, opts)
	if err != nil {
		return nil, err
	}
	res := &SecurityPolicyResult{ID: plan.ID, Plan: plan}
	if len(plan.Blocked) > 0 {
		return res, blockedError(plan.ID, plan.Blocked)
	}
	if plan.Create {
		res.Created = true
		id, sp, err := createRes(c, ctx, securityPolicies, spec.IdempotencyKey, true, c.waitOptions(cfg.wait), waitSpec{op: "create", waiting: "Available"},
			func(ctx context.Context, token string) (string, error) { return p.sendCreate(ctx, spec, token) },
			func() { res.Calls = append(res.Calls, "CreateSecurityPolicy") },
			func(ctx context.Context) (bool, error) { return live(p.FindByToken(ctx, spec.IdempotencyKey)) })
		res.ID, res.Policy = id, sp
		tel.setID(id)
		if err == nil {
			cfg.ready(id)
		}
		return res, err
	}
	tel.setID(plan.ID)
	id := plan.ID
	write := func(action string, send func(ctx context.Context, sdk *albsdk.Client, token string) error, shows func(*SecurityPolicy) bool) error {
		sp, err := changeRes(c, ctx, securityPolicies, waitSpec{op: action, id: id, waiting: "Available"}, cfg.wait, "", send, shows)
		res.Calls = append(res.Calls, action)
		if sp != nil {
			res.Policy = sp
		}
		return err
	}
	want := spec
	if len(plan.Attributes) > 0 {
		if err := write("UpdateSecurityPolicyAttribute", func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.UpdateSecurityPolicyAttributeWithContext(ctx, plan.updateRequest(token, false), c.runtime)
			return err
		}, func(sp *SecurityPolicy) bool { return len(DiffSecurityPolicy(want, sp).Attributes) == 0 }); err != nil {
			return res, err
		}
	}
	if keys := plan.RemoveTagKeys; len(keys) > 0 {
		if err := write("UnTagResources", func(ctx context.Context, sdk *albsdk.Client, _ string) error {
			_, err := sdk.UnTagResourcesWithContext(ctx, &albsdk.UnTagResourcesRequest{ResourceType: tea.String("securitypolicy"),
				ResourceId: []*string{tea.String(id)}, TagKey: tea.StringSlice(keys)}, c.runtime)
			return err
		}, func(sp *SecurityPolicy) bool {
			return !slices.ContainsFunc(keys, func(k string) bool { _, ok := tagLookup(sp.Tags, k); return ok })
		}); err != nil {
			return res, err
		}
	}
	if tags := plan.AddTags; len(tags) > 0 {
		if err := write("TagResources", func(ctx context.Context, sdk *albsdk.Client, _ string) error {
			req := &albsdk.TagResourcesRequest{ResourceType: tea.String("securitypolicy"), ResourceId: []*string{tea.String(id)}}
			for _, t := range tags {
				req.Tag = append(req.Tag, &albsdk.TagResourcesRequestTag{Key: tea.String(t.Key), Value: tea.String(t.Value)})
			}
			_, err := sdk.TagResourcesWithContext(ctx, req, c.runtime)
			return err
		}, func(sp *SecurityPolicy) bool {
			return !slices.ContainsFunc(tags, func(t Tag) bool { v, ok := tagLookup(sp.Tags, t.Key); return !ok || v != t.Value })
		}); err != nil {
			return res, err
		}
	}
	if rg := plan.ResourceGroupID; rg != "" {
		if err := write("MoveResourceGroup", func(ctx context.Context, sdk *albsdk.Client, _ string) error {
			_, err := sdk.MoveResourceGroupWithContext(ctx, &albsdk.MoveResourceGroupRequest{ResourceType: tea.String("securitypolicy"),
				ResourceId: tea.String(id), NewResourceGroupId: tea.String(rg)}, c.runtime)
			return err
		}, func(sp *SecurityPolicy) bool { return sp.ResourceGroupID == rg }); err != nil {
			return res, err
		}
	}
	if res.Policy == nil {
		res.Policy, err = c.spPolls.get(ctx, id)
	}
	return res, err
}

// sendCreate sends CreateSecurityPolicy with ClientToken token (a
// generation of the spec's key, which the token tag carries); after a call that may have reached the service, it looks
// the policy up by its token tag.
func (p *SecurityPolicies) sendCreate(ctx context.Context, spec SecurityPolicySpec, token string) (string, error) {
	c := p.c
	var id string
	err := c.call(ctx, "CreateSecurityPolicy", true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := sdk.CreateSecurityPolicyWithContext(ctx, spec.createRequest(spec.IdempotencyKey, token, false), c.runtime)
		if err == nil && r.Body != nil {
			id = tea.StringValue(r.Body.SecurityPolicyId)
		}
		return err
	})
	if err != nil && !definitive(err) && ctx.Err() == nil {
		if sp, ferr := p.FindByToken(ctx, spec.IdempotencyKey); ferr == nil {
			id, err = sp.ID, nil
		}
	}
	if err == nil && id == "" {
		err = &NetworkError{Operation: "CreateSecurityPolicy", Err: errors.New("the answer carries no SecurityPolicyId")}
	}
	if err == nil {
		c.emit(Event{Kind: EventStep, Operation: "CreateSecurityPolicy", ID: id, Message: "security policy create accepted: " + id})
	}
	return id, err
}

// Delete deletes a custom policy and waits until it is gone; one already
// gone is deleted successfully; one a listener uses is refused with an
// *[InUseError] (ResourceInUse.SecurityPolicy).
func (p *SecurityPolicies) Delete(ctx context.Context, id string, opts ...WaitOption) (err error) {
	c := p.c
	ctx, tel := c.operation(ctx, "SecurityPolicies.Delete", id)
	defer tel.end(&err)
	if err := requirePolicyID("SecurityPolicies.Delete", id); err != nil {
		return err
	}
	if err := checkWaitOpts("SecurityPolicies.Delete", opts); err != nil {
		return err
	}
	_, err = sendRes(c, ctx, securityPolicies, waitSpec{op: "DeleteSecurityPolicy", id: id, waiting: "Available"}, opts, "",
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.DeleteSecurityPolicyWithContext(ctx, deleteSecurityPolicyRequest(id, token, false), c.runtime)
			return err
		})
	var ae *APIError
	switch {
	case err == nil:
	case securityPolicies.gone(err):
		return nil
	case errors.As(err, &ae) && ae.class().Has(apierr.InUse):
		return &InUseError{Kind: kindSecurityPolicy, ID: id, Err: err}
	default:
		return err
	}
	_, err = waitRes(c, ctx, securityPolicies, waitSpec{op: "DeleteSecurityPolicy", id: id, waiting: "gone"}, c.waitOptions(opts), goneAcceptorOf(securityPolicies))
	return err
}
