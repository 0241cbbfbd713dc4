package albtest

import (
	"slices"
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/edition"
)

// TLS security policies: the system policies (ListSystemSecurityPolicies)
// and custom ones (CreateSecurityPolicy, ListSecurityPolicies,
// UpdateSecurityPolicyAttribute, DeleteSecurityPolicy,
// ListSecurityPolicyRelations). A custom policy is a regional resource of
// kind "securitypolicy": its create and deletion are synchronous (the SDK's
// answers carry no JobId), its update goes Configuring → Available
// (PhaseConfiguring) with a job. HTTPS listeners name a policy by
// SecurityPolicyId; a custom one needs the Standard edition (product
// documentation: "Standard: … custom TLS security policies").

// System security policies (reference §2.3).
const (
	PolicyTLS10             = "tls_cipher_policy_1_0"                 // TLS 1.0–1.2 (the default of HTTPS listeners)
	PolicyTLS11             = "tls_cipher_policy_1_1"                 // TLS 1.1–1.2
	PolicyTLS12             = "tls_cipher_policy_1_2"                 // TLS 1.2
	PolicyTLS12Strict       = "tls_cipher_policy_1_2_strict"          // TLS 1.2, ECDHE-RSA suites only
	PolicyTLS12StrictWith13 = "tls_cipher_policy_1_2_strict_with_1_3" // TLS 1.2 and 1.3
)

// Cipher suites by family (OpenSSL names, as the API spells them).
var (
	ciphersECDHERSA = []string{"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA256",
		"ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA"}
	ciphersRSA       = []string{"AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA256", "AES256-SHA256", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA"}
	ciphersECDHEECDS = []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA256",
		"ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA"}
	ciphersTLS13 = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
		"TLS_AES_128_CCM_8_SHA256"}
)

// systemPolicy is a system security policy.
type systemPolicy struct {
	id      string
	tls     []string
	ciphers []string
}

// systemPolicies are the system policies with the cipher lists published
// for the same names (reference §2.3: GUESS that ALB's lists are these).
var systemPolicies = func() []systemPolicy {
	legacy := append(slices.Clone(ciphersECDHERSA), ciphersRSA...)
	return []systemPolicy{
		{PolicyTLS10, []string{"TLSv1.0", "TLSv1.1", "TLSv1.2"}, legacy},
		{PolicyTLS11, []string{"TLSv1.1", "TLSv1.2"}, legacy},
		{PolicyTLS12, []string{"TLSv1.2"}, legacy},
		{PolicyTLS12Strict, []string{"TLSv1.2"}, slices.Clone(ciphersECDHERSA)},
		{PolicyTLS12StrictWith13, []string{"TLSv1.2", "TLSv1.3"}, append(append(slices.Clone(ciphersECDHERSA), ciphersECDHEECDS...), ciphersTLS13...)},
	}
}()

func isSystemPolicy(id string) bool {
	for _, p := range systemPolicies {
		if p.id == id {
			return true
		}
	}
	return false
}

// cipherVersions are the TLS versions each cipher works with: TLS 1.3
// suites with TLS 1.3 only; every other suite with TLS 1.2; the CBC suites
// without SHA-2 (…-SHA, DES-CBC3-SHA) with TLS 1.0 and 1.1 too.
func cipherVersions(c string) []string {
	switch {
	case slices.Contains(ciphersTLS13, c):
		return []string{"TLSv1.3"}
	case slices.Contains(ciphersECDHERSA, c) || slices.Contains(ciphersRSA, c) || slices.Contains(ciphersECDHEECDS, c):
		if strings.HasSuffix(c, "-SHA") {
			return []string{"TLSv1.0", "TLSv1.1", "TLSv1.2"}
		}
		return []string{"TLSv1.2"}
	}
	return nil
}

// Limits of custom security policies (DOC-quota).
const (
	maxSecurityPolicies         = 50
	maxListenersPerCustomPolicy = 10
)

type spState struct {
	resource // id ("scp-…"), status (Available | Configuring)
	spSettings
	next          *spSettings // a pending update
	resourceGroup string
	tags          []tagKV
	created       time.Time
	deleted       bool
}

// spSettings are what UpdateSecurityPolicyAttribute changes.
type spSettings struct {
	name         string
	tls, ciphers []string
}

func notFoundSP(id string) *apiError {
	return errf(404, "ResourceNotFound.SecurityPolicy", "The specified resource %s is not found.", truncate(id, 64))
}

// spByID returns the live custom policy id after settling it.
func (s *Server) spByID(id string, now time.Time, read bool) (*spState, *apiError) {
	sp := s.st.sps[id]
	if sp == nil {
		return nil, notFoundSP(id)
	}
	s.settle(&sp.resource, now, read)
	if sp.deleted {
		return nil, notFoundSP(id)
	}
	return sp, nil
}

// parseSPSettings merges SecurityPolicyName, TLSVersions.N and Ciphers.N
// over cur and checks them: TLS versions TLSv1.0–TLSv1.3, each cipher
// supported by at least one chosen version. create requires all three.
func parseSPSettings(c *call, cur spSettings, create bool) (spSettings, *apiError) {
	set := cur
	if v := c.p.Get("SecurityPolicyName"); v != "" {
		if !validName(v) {
			return set, invalid("SecurityPolicyName", v)
		}
		set.name = v
	} else if create {
		return set, missing("SecurityPolicyName")
	}
	tls, e := list(c.p, "TLSVersions")
	if e != nil {
		return set, e
	}
	if len(tls) > 0 {
		for _, v := range tls {
			if !slices.Contains([]string{"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}, v) {
				return set, invalid("TLSVersions", v)
			}
		}
		set.tls = dedupe(tls)
	} else if create {
		return set, missing("TLSVersions")
	}
	ciphers, e := list(c.p, "Ciphers")
	if e != nil {
		return set, e
	}
	if len(ciphers) > 0 {
		set.ciphers = dedupe(ciphers)
	} else if create {
		return set, missing("Ciphers")
	}
	for _, ci := range set.ciphers {
		vs := cipherVersions(ci)
		if vs == nil {
			return set, invalid("Ciphers", ci)
		}
		ok := false
		for _, v := range vs {
			ok = ok || slices.Contains(set.tls, v)
		}
		if !ok {
			return set, errf(400, "InvalidParameter", "The cipher %s is supported by none of the TLS versions %s.", ci, strings.Join(set.tls, ", "))
		}
	}
	return set, nil
}

func dedupe(vs []string) []string {
	var out []string
	for _, v := range vs {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// checkPolicyUse checks the SecurityPolicyId of HTTPS listener selfID on
// lb: a system policy, or a custom one that exists, on an edition with
// custom policies, used by at most 10 listeners.
func (s *Server) checkPolicyUse(lb *lbState, selfID, id string, now time.Time) *apiError {
	if isSystemPolicy(id) {
		return nil
	}
	if _, e := s.spByID(id, now, false); e != nil {
		return e
	}
	if f, _ := edition.Of(lb.edition); !f.Has(edition.CustomTLSPolicy) {
		return editionRefusal(f, edition.CustomTLSPolicy)
	}
	if users := s.st.policyUsers(id); len(users) >= maxListenersPerCustomPolicy && !slices.Contains(users, selfID) {
		return errf(400, "QuotaExceeded.SecurityPolicyListenersNum", "The quota of %s is exceeded, usage %d/%d.", "listeners per security policy", len(users)+1, maxListenersPerCustomPolicy)
	}
	return nil
}

// policyUsers returns the listeners using policy id (now or once their
// pending change completes), in creation order.
func (st *state) policyUsers(id string) []string {
	var out []string
	for _, lid := range st.lsnOrder {
		l := st.lsns[lid]
		if l.protocol == "HTTPS" && (l.policy == id || l.next != nil && l.next.policy == id) {
			out = append(out, l.id)
		}
	}
	return out
}

func (s *Server) opCreateSecurityPolicy(c *call) (any, *apiError) {
	set, e := parseSPSettings(c, spSettings{}, true)
	if e != nil {
		return nil, e
	}
	tl, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	if n := len(s.st.sps); n >= maxSecurityPolicies {
		return nil, errf(400, "QuotaExceeded.SecurityPoliciesNum", "The quota of %s is exceeded, usage %d/%d.", "security policies per region", n+1, maxSecurityPolicies)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	pol := &spState{resource: resource{kind: "securitypolicy", status: "Available"}, spSettings: set,
		resourceGroup: or(c.p.Get("ResourceGroupId"), DefaultResourceGroupID), tags: tl, created: c.now}
	pol.id = randomID("scp-", 20)
	for s.st.sps[pol.id] != nil {
		pol.id = randomID("scp-", 20)
	}
	s.st.sps[pol.id] = pol
	s.st.spOrder = append(s.st.spOrder, pol.id)
	s.st.track(&pol.resource)
	return &albsdk.CreateSecurityPolicyResponseBody{RequestId: sp(c.requestID), SecurityPolicyId: sp(pol.id)}, nil
}

func (s *Server) opUpdateSecurityPolicyAttribute(c *call) (any, *apiError) {
	id := c.p.Get("SecurityPolicyId")
	if id == "" {
		return nil, missing("SecurityPolicyId")
	}
	pol, e := s.spByID(id, c.now, false)
	if e != nil {
		return nil, e
	}
	next, e := parseSPSettings(c, pol.spSettings, false)
	if e != nil {
		return nil, e
	}
	if pol.status != "Available" || pol.pending != nil {
		return nil, errf(400, "IncorrectStatus.SecurityPolicy", "The status of %s [%s] is incorrect.", pol.id, pol.status)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	pol.next = &next
	j := s.begin(&pol.resource, c.now, change{phase: PhaseConfiguring, api: "UpdateSecurityPolicyAttribute", operate: "Update",
		done: func(time.Time) outcome {
			pol.spSettings, pol.next = next, nil
			return outcome{status: "Available"}
		}})
	return &albsdk.UpdateSecurityPolicyAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opDeleteSecurityPolicy deletes at once (synchronous), unless a listener
// uses the policy (ResourceInUse.SecurityPolicy: GUESS) or it is
// Configuring.
func (s *Server) opDeleteSecurityPolicy(c *call) (any, *apiError) {
	id := c.p.Get("SecurityPolicyId")
	if id == "" {
		return nil, missing("SecurityPolicyId")
	}
	pol, e := s.spByID(id, c.now, false)
	if e != nil {
		return nil, e
	}
	if users := s.st.policyUsers(id); len(users) > 0 {
		return nil, errf(400, "ResourceInUse.SecurityPolicy", "The specified resource of SecurityPolicy %s is in use by %v.", id, users)
	}
	if pol.status != "Available" || pol.pending != nil {
		return nil, errf(400, "IncorrectStatus.SecurityPolicy", "The status of %s [%s] is incorrect.", pol.id, pol.status)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	pol.deleted = true
	delete(s.st.sps, id)
	s.st.untrack(id)
	s.st.spOrder = slices.DeleteFunc(s.st.spOrder, func(x string) bool { return x == id })
	return &albsdk.DeleteSecurityPolicyResponseBody{RequestId: sp(c.requestID)}, nil
}

// opListSecurityPolicies lists the custom policies (not the system ones).
// A page showing a policy counts as a read (a poll) of it.
func (s *Server) opListSecurityPolicies(c *call) (any, *apiError) {
	ids, e := list(c.p, "SecurityPolicyIds")
	if e != nil {
		return nil, e
	}
	names, e := list(c.p, "SecurityPolicyNames")
	if e != nil {
		return nil, e
	}
	tf, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	group := c.p.Get("ResourceGroupId")
	var match []*spState
	for _, id := range slices.Clone(s.st.spOrder) {
		pol := s.st.sps[id]
		s.settle(&pol.resource, c.now, false)
		if inFilter(ids, pol.id) && inFilter(names, pol.name) && (group == "" || group == pol.resourceGroup) && hasTags(pol.tags, tf) {
			match = append(match, pol)
		}
	}
	start, end, maxResults, next, e := page(c.p, len(match))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListSecurityPoliciesResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TotalCount: int32Ptr(int32(len(match))), SecurityPolicies: []*albsdk.ListSecurityPoliciesResponseBodySecurityPolicies{},
	}
	for _, pol := range match[start:end] {
		s.settle(&pol.resource, c.now, true)
		item := &albsdk.ListSecurityPoliciesResponseBodySecurityPolicies{
			SecurityPolicyId: sp(pol.id), SecurityPolicyName: sp(pol.name), SecurityPolicyStatus: sp(pol.status),
			TLSVersions: strPtrs(pol.tls), Ciphers: strPtrs(pol.ciphers), CreateTime: sp(ts(pol.created)), ResourceGroupId: sp(pol.resourceGroup),
		}
		for _, t := range pol.tags {
			item.Tags = append(item.Tags, &albsdk.ListSecurityPoliciesResponseBodySecurityPoliciesTags{Key: sp(t.k), Value: sp(t.v)})
		}
		out.SecurityPolicies = append(out.SecurityPolicies, item)
	}
	return out, nil
}

func (s *Server) opListSystemSecurityPolicies(c *call) (any, *apiError) {
	out := &albsdk.ListSystemSecurityPoliciesResponseBody{RequestId: sp(c.requestID)}
	for _, p := range systemPolicies {
		out.SecurityPolicies = append(out.SecurityPolicies, &albsdk.ListSystemSecurityPoliciesResponseBodySecurityPolicies{
			SecurityPolicyId: sp(p.id), TLSVersions: strPtrs(p.tls), Ciphers: strPtrs(p.ciphers),
		})
	}
	return out, nil
}

// opListSecurityPolicyRelations lists the listeners of each custom policy
// named (the answer's key is spelled SecrityPolicyRelations, as on the
// wire).
func (s *Server) opListSecurityPolicyRelations(c *call) (any, *apiError) {
	ids, e := list(c.p, "SecurityPolicyIds")
	if e != nil {
		return nil, e
	}
	if len(ids) == 0 {
		return nil, missing("SecurityPolicyIds")
	}
	if len(ids) > 5 {
		return nil, errf(400, "InvalidParameter", "SecurityPolicyIds takes at most 5 values (GUESS).")
	}
	out := &albsdk.ListSecurityPolicyRelationsResponseBody{RequestId: sp(c.requestID),
		SecrityPolicyRelations: []*albsdk.ListSecurityPolicyRelationsResponseBodySecrityPolicyRelations{}}
	for _, id := range ids {
		if _, e := s.spByID(id, c.now, false); e != nil {
			return nil, e
		}
		rel := &albsdk.ListSecurityPolicyRelationsResponseBodySecrityPolicyRelations{SecurityPolicyId: sp(id),
			RelatedListeners: []*albsdk.ListSecurityPolicyRelationsResponseBodySecrityPolicyRelationsRelatedListeners{}}
		for _, lid := range s.st.policyUsers(id) {
			l := s.st.lsns[lid]
			rel.RelatedListeners = append(rel.RelatedListeners, &albsdk.ListSecurityPolicyRelationsResponseBodySecrityPolicyRelationsRelatedListeners{
				ListenerId: sp(l.id), ListenerPort: int64Ptr(int64(l.port)), ListenerProtocol: sp(l.protocol), LoadBalancerId: sp(l.lbID),
			})
		}
		out.SecrityPolicyRelations = append(out.SecrityPolicyRelations, rel)
	}
	return out, nil
}
