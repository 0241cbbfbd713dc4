package alb

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// SecurityPolicyPlan is the result of [DiffSecurityPolicy]: what makes a
// custom security policy match a spec, in the order it is applied:
//
//  1. Create (no policy yet): CreateSecurityPolicy from the spec;
//  2. Attributes: one UpdateSecurityPolicyAttribute with exactly the
//     changed attributes (Name, TLSVersions, Ciphers);
//  3. RemoveTagKeys (UnTagResources), then AddTags (TagResources);
//  4. ResourceGroupID (MoveResourceGroup).
//
// Blocked lists what cannot change: a system policy is read-only.
type SecurityPolicyPlan struct {
	ID              string            // the policy; empty when Create
	Create          bool              // no policy: create it from the spec
	Attributes      []AttributeChange // changed by UpdateSecurityPolicyAttribute
	RemoveTagKeys   []string          // user tag keys to remove (UnTagResources)
	AddTags         []Tag             // tags to add or change (TagResources)
	ResourceGroupID string            // resource group to move to ("": no move)
	Blocked         []Difference      // what no change can make

	spec SecurityPolicySpec
}

// Empty reports whether the policy already matches the spec (false for a
// plan that creates it).
func (p *SecurityPolicyPlan) Empty() bool { return p != nil && !p.Writes() && len(p.Blocked) == 0 }

// Writes reports whether the plan makes any write.
func (p *SecurityPolicyPlan) Writes() bool {
	return p != nil && (p.Create || len(p.Attributes) > 0 || len(p.RemoveTagKeys) > 0 || len(p.AddTags) > 0 || p.ResourceGroupID != "")
}

// Calls lists the API actions the plan sends, in order.
func (p *SecurityPolicyPlan) Calls() []string {
	if p == nil {
		return nil
	}
	var calls []string
	add := func(ok bool, action string) {
		if ok {
			calls = append(calls, action)
		}
	}
	add(p.Create, "CreateSecurityPolicy")
	add(len(p.Attributes) > 0, "UpdateSecurityPolicyAttribute")
	add(len(p.RemoveTagKeys) > 0, "UnTagResources")
	add(len(p.AddTags) > 0, "TagResources")
	add(p.ResourceGroupID != "", "MoveResourceGroup")
	return calls
}

// String lists the plan, one change per line: "+" creates, "~" changes,
// "-" removes, "!" cannot be changed.
func (p *SecurityPolicyPlan) String() string {
	if p == nil {
		return "no plan"
	}
	name := p.ID
	if p.Create {
		name = "new security policy " + strconv.Quote(p.spec.Name)
	}
	if p.Empty() {
		return name + ": no change"
	}
	var b strings.Builder
	b.WriteString(name + ":")
	line := func(mark, s string) { b.WriteString("\n  " + mark + " " + s) }
	if p.Create {
		line("+", "create security policy "+strconv.Quote(p.spec.Name)+" (CreateSecurityPolicy)")
	}
	for _, c := range p.Attributes {
		line("~", c.String()+" (UpdateSecurityPolicyAttribute)")
	}
	if len(p.RemoveTagKeys) > 0 {
		line("-", "tags "+strings.Join(p.RemoveTagKeys, ",")+" (UnTagResources)")
	}
	if len(p.AddTags) > 0 {
		line("~", "tags "+tagsString(p.AddTags, nil)+" (TagResources)")
	}
	if p.ResourceGroupID != "" {
		line("~", "resource group → "+p.ResourceGroupID+" (MoveResourceGroup)")
	}
	for _, d := range p.Blocked {
		line("!", d.String())
	}
	return b.String()
}

// DiffSecurityPolicy compares spec with a policy (as ListSecurityPolicies
// reports it) and returns what would make them match: see
// [SecurityPolicyPlan]. It is pure. A nil policy plans its create. TLS
// versions and ciphers are compared as sets; tags whose key starts with
// "albkit:", "acs:" or "aliyun" are ignored; an empty ResourceGroupID
// leaves the policy's.
func DiffSecurityPolicy(spec SecurityPolicySpec, policy *SecurityPolicy) *SecurityPolicyPlan {
	p := &SecurityPolicyPlan{spec: spec}
	if policy == nil {
		p.Create = true
		return p
	}
	p.ID = policy.ID
	if policy.System {
		p.Blocked = append(p.Blocked, Difference{Field: "ID", From: policy.ID, To: spec.Name, Rule: RuleImmutable,
			Reason: "a system security policy cannot be changed", Instead: "create a custom security policy from the spec and use its ID"})
		return p
	}
	if spec.Name != policy.Name {
		p.Attributes = append(p.Attributes, AttributeChange{Field: "Name", From: policy.Name, To: spec.Name})
	}
	if w, h := versionSet(spec.TLSVersions), versionSet(policy.TLSVersions); w != h {
		p.Attributes = append(p.Attributes, AttributeChange{Field: "TLSVersions", From: h, To: w})
	}
	if w, h := strings.Join(sortedCopy(spec.Ciphers), ","), strings.Join(sortedCopy(policy.Ciphers), ","); w != h {
		p.Attributes = append(p.Attributes, AttributeChange{Field: "Ciphers", From: h, To: w})
	}
	p.RemoveTagKeys, p.AddTags = tagChanges(spec.Tags, policy.Tags)
	if spec.ResourceGroupID != "" && spec.ResourceGroupID != policy.ResourceGroupID {
		p.ResourceGroupID = spec.ResourceGroupID
	}
	return p
}

func versionSet(vs []TLSVersion) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	slices.Sort(s)
	return strings.Join(slices.Compact(s), ",")
}

// tagChanges returns the user tag keys to remove and the tags to add or
// change so that a resource's user tags become want.
func tagChanges(want, have []Tag) (remove []string, add []Tag) {
	hv := userTags(have)
	for _, t := range hv {
		if _, ok := tagLookup(want, t.Key); !ok {
			remove = append(remove, t.Key)
		}
	}
	for _, t := range want {
		if v, ok := tagLookup(hv, t.Key); !ok || v != t.Value {
			add = append(add, t)
		}
	}
	return remove, add
}

// SpecFromSecurityPolicy reads a spec back from a policy:
// DiffSecurityPolicy(SpecFromSecurityPolicy(p), p) is empty for a custom
// policy. Tags are the user tags; IdempotencyKey is the TokenTagKey value.
func SpecFromSecurityPolicy(p *SecurityPolicy) SecurityPolicySpec {
	if p == nil {
		return SecurityPolicySpec{}
	}
	return SecurityPolicySpec{Name: p.Name, TLSVersions: slices.Clone(p.TLSVersions), Ciphers: slices.Clone(p.Ciphers),
		ResourceGroupID: p.ResourceGroupID, Tags: userTags(p.Tags), IdempotencyKey: p.Token()}
}

// Digest returns a short, stable hash of the CreateSecurityPolicy request
// the spec makes (not the idempotency key); tag, version and cipher order
// do not matter. albkit tags the policies it creates with it
// ([SpecTagKey]).
func (s SecurityPolicySpec) Digest() string {
	n := s
	n.IdempotencyKey = ""
	n.Tags = slices.Clone(s.Tags)
	slices.SortFunc(n.Tags, func(a, b Tag) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value)) })
	n.TLSVersions = slices.Clone(s.TLSVersions)
	slices.Sort(n.TLSVersions)
	n.Ciphers = sortedCopy(s.Ciphers)
	req := n.request("", false)
	req.ClientToken = nil
	b, _ := json.Marshal(req) // plain struct: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// createRequest is the CreateSecurityPolicy request of a validated spec,
// with ClientToken token and albkit's two tags (the idempotency key and the
// spec digest).
func (s SecurityPolicySpec) createRequest(key, token string, dryRun bool) *albsdk.CreateSecurityPolicyRequest {
	req := s.request(token, dryRun)
	req.Tag = append(req.Tag,
		&albsdk.CreateSecurityPolicyRequestTag{Key: dara.String(TokenTagKey), Value: dara.String(key)},
		&albsdk.CreateSecurityPolicyRequestTag{Key: dara.String(SpecTagKey), Value: dara.String(s.Digest())})
	return req
}

func (s SecurityPolicySpec) request(token string, dryRun bool) *albsdk.CreateSecurityPolicyRequest {
	req := &albsdk.CreateSecurityPolicyRequest{
		SecurityPolicyName: dara.String(s.Name),
		TLSVersions:        versionPtrs(s.TLSVersions),
		Ciphers:            dara.StringSlice(s.Ciphers),
	}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if s.ResourceGroupID != "" {
		req.ResourceGroupId = dara.String(s.ResourceGroupID)
	}
	for _, t := range s.Tags {
		req.Tag = append(req.Tag, &albsdk.CreateSecurityPolicyRequestTag{Key: dara.String(t.Key), Value: dara.String(t.Value)})
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

func versionPtrs(vs []TLSVersion) []*string {
	out := make([]*string, len(vs))
	for i, v := range vs {
		out[i] = dara.String(string(v))
	}
	return out
}

// updateRequest is the plan's UpdateSecurityPolicyAttribute request with
// exactly the changed attributes, nil when none changes.
func (p *SecurityPolicyPlan) updateRequest(token string, dryRun bool) *albsdk.UpdateSecurityPolicyAttributeRequest {
	if p == nil || len(p.Attributes) == 0 {
		return nil
	}
	req := &albsdk.UpdateSecurityPolicyAttributeRequest{SecurityPolicyId: dara.String(p.ID)}
	for _, c := range p.Attributes {
		switch c.Field {
		case "Name":
			req.SecurityPolicyName = dara.String(p.spec.Name)
		case "TLSVersions":
			req.TLSVersions = versionPtrs(p.spec.TLSVersions)
		case "Ciphers":
			req.Ciphers = dara.StringSlice(p.spec.Ciphers)
		}
	}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

// deleteSecurityPolicyRequest is a DeleteSecurityPolicy request.
func deleteSecurityPolicyRequest(id, token string, dryRun bool) *albsdk.DeleteSecurityPolicyRequest {
	req := &albsdk.DeleteSecurityPolicyRequest{SecurityPolicyId: dara.String(id)}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

// securityPolicyFromSDK converts a ListSecurityPolicies item.
func securityPolicyFromSDK(b *albsdk.ListSecurityPoliciesResponseBodySecurityPolicies) *SecurityPolicy {
	p := &SecurityPolicy{
		ID:              tea.StringValue(b.SecurityPolicyId),
		Name:            tea.StringValue(b.SecurityPolicyName),
		Status:          SecurityPolicyStatus(tea.StringValue(b.SecurityPolicyStatus)),
		TLSVersions:     versionsFromSDK(b.TLSVersions),
		Ciphers:         stringsFromSDK(b.Ciphers),
		ResourceGroupID: tea.StringValue(b.ResourceGroupId),
		CreatedAt:       parseTime(tea.StringValue(b.CreateTime)),
	}
	for _, t := range b.Tags {
		if t != nil {
			p.Tags = append(p.Tags, Tag{Key: tea.StringValue(t.Key), Value: tea.StringValue(t.Value)})
		}
	}
	return p
}

// systemSecurityPolicyFromSDK converts a ListSystemSecurityPolicies item.
func systemSecurityPolicyFromSDK(b *albsdk.ListSystemSecurityPoliciesResponseBodySecurityPolicies) *SecurityPolicy {
	return &SecurityPolicy{ID: tea.StringValue(b.SecurityPolicyId), TLSVersions: versionsFromSDK(b.TLSVersions), Ciphers: stringsFromSDK(b.Ciphers),
		Status: SecurityPolicyAvailable, System: true}
}

func versionsFromSDK(vs []*string) []TLSVersion {
	var out []TLSVersion
	for _, v := range vs {
		if v != nil {
			out = append(out, TLSVersion(*v))
		}
	}
	return out
}

// stringsFromSDK copies a list of *string, skipping nils.
func stringsFromSDK(vs []*string) []string {
	var out []string
	for _, v := range vs {
		if v != nil {
			out = append(out, *v)
		}
	}
	return out
}
