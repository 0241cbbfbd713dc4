package main

import (
	"strings"
	"testing"
)

// TestConvergePlansAppliesAndRepairsDrift runs the program as
// `go run ./examples/converge -apply` does: plan, apply, a change behind
// albkit's back, the drift in the next plan, its repair, and an empty plan.
func TestConvergePlansAppliesAndRepairsDrift(t *testing.T) {
	var out strings.Builder
	if err := run(&out, defaultSpecs, true, false, ""); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"+ create web (Internet, Standard, 2 zones, key converge-web)",
		"then ~ IPv6Internet: false → true (EnableLoadBalancerIpv6Internet)",
		"converge-web: created, then changed IPv6Internet",
		"converge-internal: created",
		"~ Name: hand-edited → web (UpdateLoadBalancerAttribute)",
		"~ Tags: env=staging → env=prod (TagResources)",
		"converge-web: changed Name, Tags",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if !strings.HasSuffix(got, "plan:\n  converge-web: no change\n  converge-internal: no change\n") {
		t.Errorf("the last plan is not empty:\n%s", got)
	}
}

// TestConvergePlanOnlyChangesNothing: without -apply only the plan is
// printed.
func TestConvergePlanOnlyChangesNothing(t *testing.T) {
	var out strings.Builder
	if err := run(&out, defaultSpecs, false, false, ""); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.Contains(got, "apply:") || !strings.Contains(got, "run with -apply") {
		t.Fatalf("plan-only run:\n%s", got)
	}
}

// TestConvergeRefusesBadSpecs: a spec without a key, or an invalid one, is
// refused before any call.
func TestConvergeRefusesBadSpecs(t *testing.T) {
	for name, raw := range map[string]string{
		"no key":        `[{"vpcId":"vpc-1","addressType":"Internet","edition":"Basic","zoneMappings":[]}]`,
		"unknown field": `[{"idempotencyKey":"k","color":"red"}]`,
		"invalid":       `[{"idempotencyKey":"k","vpcId":"vpc-1","addressType":"Internet","edition":"Gold","zoneMappings":[]}]`,
	} {
		if _, err := loadSpecs([]byte(raw)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
