package alb_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

func TestSecurityPoliciesEnsureAndDelete(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	sps := e.c.SecurityPolicies()
	sys, err := sps.ListSystem(ctx)
	if err != nil || !slices.ContainsFunc(sys, func(p *alb.SecurityPolicy) bool { return p.ID == albtest.PolicyTLS12 && p.System }) {
		t.Fatalf("system policies %v %v", sys, err)
	}
	spec := alb.NewSecurityPolicySpec("strict", []alb.TLSVersion{alb.TLS12}, alb.Ciphers(alb.TLS12)[:2]...).WithIdempotencyKey("sp-1")
	res, err := sps.Ensure(ctx, spec)
	if err != nil || !res.Created || res.Policy == nil || !slices.Equal(res.Calls, []string{"CreateSecurityPolicy"}) {
		t.Fatalf("create: %+v %v", res, err)
	}
	before := writes(e.srv)
	if again, err := sps.Ensure(ctx, spec); err != nil || len(again.Calls) != 0 || writes(e.srv) != before {
		t.Fatalf("second Ensure: %v %v", again, err)
	}
	spec2 := spec.WithTag("env", "prod")
	spec2.Ciphers = alb.Ciphers(alb.TLS12)[:3]
	plan, err := sps.PlanEnsure(ctx, spec2)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := sps.Ensure(ctx, spec2)
	if err != nil || !slices.Equal(res2.Calls, plan.Calls()) || len(res2.Policy.Ciphers) != 3 {
		t.Fatalf("update: %+v %v (plan %v)", res2, err, plan.Calls())
	}
	// A listener uses it: the delete is refused, typed.
	lsn := alb.NewListenerSpec(e.inst.ID, alb.ListenerHTTPS, 443, e.groups[0]).WithIdempotencyKey("tls").
		WithCertificate(albtest.CertificateExample).WithSecurityPolicy(res.ID)
	l, err := e.c.Listeners().Create(ctx, lsn)
	if err != nil {
		t.Fatal(err)
	}
	var iu *alb.InUseError
	if err := sps.Delete(ctx, res.ID); !errors.As(err, &iu) || !errors.Is(err, alb.ErrInUse) {
		t.Fatalf("deleting a policy in use: %v", err)
	}
	if err := e.c.Listeners().Delete(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := sps.Delete(ctx, res.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sps.Get(ctx, res.ID); !errors.Is(err, alb.ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	if err := sps.Delete(ctx, res.ID); err != nil {
		t.Fatalf("a policy already gone: %v", err)
	}
	var ae *alb.ArgumentError
	if err := sps.Delete(ctx, albtest.PolicyTLS12); !errors.As(err, &ae) {
		t.Fatalf("deleting a system policy: %v", err)
	}
}
