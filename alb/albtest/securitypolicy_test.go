package albtest_test

import (
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// TestSecurityPolicies: the system policies; a custom policy's create
// (synchronous, Available at once), checks, list, update (Configuring →
// Available, a job), relations to listeners, and deletion (refused while
// a listener uses it).
func TestSecurityPolicies(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	sys, err := c.ListSystemSecurityPolicies()
	if err != nil || len(sys.Body.SecurityPolicies) != 5 || dara.StringValue(sys.Body.SecurityPolicies[0].SecurityPolicyId) != albtest.PolicyTLS10 {
		t.Fatalf("system policies: %v %v", sys, err)
	}
	for _, p := range sys.Body.SecurityPolicies {
		if len(p.TLSVersions) == 0 || len(p.Ciphers) == 0 {
			t.Fatalf("system policy without versions or ciphers: %s", p.String())
		}
	}
	create := func(name string, tls, ciphers []string) (*albsdk.CreateSecurityPolicyResponse, error) {
		return c.CreateSecurityPolicy(&albsdk.CreateSecurityPolicyRequest{SecurityPolicyName: dara.String(name),
			TLSVersions: dara.StringSlice(tls), Ciphers: dara.StringSlice(ciphers)})
	}
	for _, tc := range []struct {
		name, code   string
		tls, ciphers []string
	}{
		{"", "MissingParameter", []string{"TLSv1.2"}, []string{"AES128-SHA"}},
		{"p", "InvalidParameter", []string{"TLSv1.2"}, []string{"AES128-SHA"}},
		{"ok", "MissingParameter", nil, []string{"AES128-SHA"}},
		{"ok", "MissingParameter", []string{"TLSv1.2"}, nil},
		{"ok", "InvalidParameter", []string{"TLSv1.4"}, []string{"AES128-SHA"}},
		{"ok", "InvalidParameter", []string{"TLSv1.2"}, []string{"RC4-MD5"}},
		{"ok", "InvalidParameter", []string{"TLSv1.0"}, []string{"AES128-GCM-SHA256"}}, // a TLS 1.2 suite
		{"ok", "InvalidParameter", []string{"TLSv1.2"}, []string{"TLS_AES_128_GCM_SHA256"}},
	} {
		_, err := create(tc.name, tc.tls, tc.ciphers)
		sdkErr(t, err, tc.code, 400)
	}
	resp, err := create("custom-policy", []string{"TLSv1.2", "TLSv1.3"}, []string{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"})
	if err != nil {
		t.Fatal(err)
	}
	id := dara.StringValue(resp.Body.SecurityPolicyId)
	list := func() *albsdk.ListSecurityPoliciesResponseBodySecurityPolicies {
		t.Helper()
		lr, err := c.ListSecurityPolicies(&albsdk.ListSecurityPoliciesRequest{SecurityPolicyIds: dara.StringSlice([]string{id})})
		if err != nil || len(lr.Body.SecurityPolicies) != 1 {
			t.Fatalf("ListSecurityPolicies: %v %v", lr, err)
		}
		return lr.Body.SecurityPolicies[0]
	}
	if p := list(); dara.StringValue(p.SecurityPolicyStatus) != "Available" || dara.StringValue(p.SecurityPolicyName) != "custom-policy" || len(p.Ciphers) != 2 {
		t.Fatalf("after create: %s", p.String())
	}
	lsn := runningLsn(t, c, lsnReq(s.lb, s.sg, https, func(r *albsdk.CreateListenerRequest) { r.SecurityPolicyId = dara.String(id) }))
	rel, err := c.ListSecurityPolicyRelations(&albsdk.ListSecurityPolicyRelationsRequest{SecurityPolicyIds: dara.StringSlice([]string{id})})
	if err != nil || len(rel.Body.SecrityPolicyRelations) != 1 || dara.StringValue(rel.Body.SecrityPolicyRelations[0].RelatedListeners[0].ListenerId) != lsn ||
		dara.Int64Value(rel.Body.SecrityPolicyRelations[0].RelatedListeners[0].ListenerPort) != 443 {
		t.Fatalf("relations: %v %v", rel, err)
	}
	_, err = c.DeleteSecurityPolicy(&albsdk.DeleteSecurityPolicyRequest{SecurityPolicyId: dara.String(id)})
	sdkErr(t, err, "ResourceInUse.SecurityPolicy", 400)

	up, err := c.UpdateSecurityPolicyAttribute(&albsdk.UpdateSecurityPolicyAttributeRequest{SecurityPolicyId: dara.String(id), SecurityPolicyName: dara.String("renamed")})
	if err != nil || !reJobID.MatchString(dara.StringValue(up.Body.JobId)) {
		t.Fatalf("update: %v %v", up, err)
	}
	_, err = c.UpdateSecurityPolicyAttribute(&albsdk.UpdateSecurityPolicyAttributeRequest{SecurityPolicyId: dara.String(id), SecurityPolicyName: dara.String("again")})
	sdkErr(t, err, "IncorrectStatus.SecurityPolicy", 400)
	if p := list(); dara.StringValue(p.SecurityPolicyStatus) != "Configuring" || dara.StringValue(p.SecurityPolicyName) != "custom-policy" {
		t.Fatalf("while Configuring: %s", p.String())
	}
	if p := list(); dara.StringValue(p.SecurityPolicyStatus) != "Available" || dara.StringValue(p.SecurityPolicyName) != "renamed" {
		t.Fatalf("after the update: %s", p.String())
	}
	if ps := s.srv.SecurityPolicies(); len(ps) != 1 || ps[0].Name != "renamed" || len(ps[0].Listeners) != 1 {
		t.Fatalf("SecurityPolicies: %+v", ps)
	}

	// Back to a system policy, then the custom one can go.
	if _, err := c.UpdateListenerAttribute(&albsdk.UpdateListenerAttributeRequest{ListenerId: dara.String(lsn), SecurityPolicyId: dara.String(albtest.PolicyTLS12StrictWith13)}); err != nil {
		t.Fatal(err)
	}
	waitLsn(t, c, lsn, "Running")
	_, err = c.DeleteSecurityPolicy(&albsdk.DeleteSecurityPolicyRequest{SecurityPolicyId: dara.String(id), DryRun: dara.Bool(true)})
	sdkErr(t, err, "DryRunOperation", 400)
	if _, err := c.DeleteSecurityPolicy(&albsdk.DeleteSecurityPolicyRequest{SecurityPolicyId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteSecurityPolicy(&albsdk.DeleteSecurityPolicyRequest{SecurityPolicyId: dara.String(id)})
	sdkErr(t, err, "ResourceNotFound.SecurityPolicy", 404)
	lr, err := c.ListSecurityPolicies(&albsdk.ListSecurityPoliciesRequest{})
	if err != nil || len(lr.Body.SecurityPolicies) != 0 {
		t.Fatalf("after delete: %v %v", lr, err)
	}
}
