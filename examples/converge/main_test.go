package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/stack"
)

// converge runs the program with args and returns its exit code, stdout
// and stderr.
func converge(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestExitCodes runs the commands a CI job would against one emulator
// (the standalone one's role, here in-process): plan (2: changes), apply
// (0), plan (0: nothing to do), destroy (0), plan (2 again).
func TestExitCodes(t *testing.T) {
	srv := albtest.NewServer()
	t.Cleanup(srv.Close)
	at := []string{"-f", "stack.yaml", "-endpoint", srv.URL()}
	step := func(want int, args ...string) string {
		t.Helper()
		code, out, errOut := converge(t, append(args, at...)...)
		if code != want {
			t.Fatalf("converge %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out, errOut)
		}
		return out
	}
	if out := step(exitChanges, "plan"); !strings.Contains(out, "+ listener http: create") || !strings.Contains(out, "Plan: 5 to create") {
		t.Fatalf("plan:\n%s", out)
	}
	var p stack.Plan
	if out := step(exitChanges, "plan", "-json"); json.Unmarshal([]byte(out), &p) != nil || p.Key != "shop" || len(p.Items) != 5 {
		t.Fatalf("plan -json:\n%s", out)
	}
	if out := step(exitChanges, "plan", "-mermaid"); !strings.HasPrefix(out, "flowchart LR\n") || !strings.Contains(out, `["+ rule api-host · priority 10`) {
		t.Fatalf("plan -mermaid:\n%s", out)
	}
	if out := step(exitOK, "apply"); !strings.Contains(out, "apply: 11 calls") {
		t.Fatalf("apply:\n%s", out)
	}
	if len(srv.ServerGroups()) != 3 || len(srv.Listeners()) != 1 {
		t.Fatalf("after apply: %d groups, %d listeners", len(srv.ServerGroups()), len(srv.Listeners()))
	}
	if out := step(exitOK, "plan"); !strings.Contains(out, "5 unchanged; 0 calls") {
		t.Fatalf("plan after apply:\n%s", out)
	}
	if out := step(exitOK, "apply"); !strings.Contains(out, "nothing to do") {
		t.Fatalf("second apply:\n%s", out)
	}
	if out := step(exitOK, "destroy"); !strings.Contains(out, "- listener http (lsn-") || !strings.Contains(out, "- instance shop (alb-") {
		t.Fatalf("destroy:\n%s", out)
	}
	if len(srv.ServerGroups()) != 0 || len(srv.Listeners()) != 0 {
		t.Fatalf("after destroy: %d groups, %d listeners", len(srv.ServerGroups()), len(srv.Listeners()))
	}
	if out := step(exitOK, "destroy"); !strings.Contains(out, "nothing to destroy") {
		t.Fatalf("second destroy:\n%s", out)
	}
	step(exitChanges, "plan")
}

// TestRefusedPlanIsAnError: a change apply would refuse (a listener's
// port) makes plan exit 1, and apply too, before any write.
func TestRefusedPlanIsAnError(t *testing.T) {
	srv := albtest.NewServer()
	t.Cleanup(srv.Close)
	if code, out, errOut := converge(t, "apply", "-endpoint", srv.URL()); code != exitOK {
		t.Fatalf("apply: %d\n%s\n%s", code, out, errOut)
	}
	moved := filepath.Join(t.TempDir(), "moved.yaml")
	if err := os.WriteFile(moved, []byte(strings.Replace(string(defaultStack), "    port: 80\n", "    port: 8080\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"plan", "apply"} {
		code, out, errOut := converge(t, cmd, "-f", moved, "-endpoint", srv.URL())
		if code != exitError || !strings.Contains(out, "! listener http") || !strings.Contains(errOut, "refused") {
			t.Fatalf("%s of a port change: exit %d\nstdout:\n%s\nstderr:\n%s", cmd, code, out, errOut)
		}
	}
}

// TestEmbeddedApplyShowsDrift: against the in-process emulator, apply
// creates the stack, plans again (nothing to do), and with -drift repairs
// a rename made behind albkit's back.
func TestEmbeddedApplyShowsDrift(t *testing.T) {
	code, out, errOut := converge(t, "apply", "-drift")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"Plan: 5 to create, 0 to update, 0 to delete, 0 refused, 0 unchanged; 11 calls.",
		"plan after apply: Plan: 0 to create, 0 to update, 0 to delete, 0 refused, 5 unchanged; 0 calls.",
		"Name: hand-edited → shop (UpdateLoadBalancerAttribute)",
		"apply: 1 calls",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "plan after apply:") != 2 {
		t.Errorf("the drift was not repaired:\n%s", out)
	}
	// The progress, one line per resource when not on a terminal.
	if !strings.Contains(errOut, "[5/5] creating ") || !strings.Contains(errOut, "[1/1] updating instance shop: done (alb-") {
		t.Errorf("progress:\n%s", errOut)
	}
}

// TestBadFileIsPositioned: a misspelled field is exit 1 with the file,
// line and column, the suggestion and the source line.
func TestBadFileIsPositioned(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(defaultStack), "defaultServerGroupIds:", "defaultServerGroupId:", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := converge(t, "plan", "-f", bad)
	if code != exitError || !strings.Contains(errOut, bad+":") || !strings.Contains(errOut, `did you mean "defaultServerGroupIds"?`) ||
		!strings.Contains(errOut, "defaultServerGroupId: [web]") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// TestUsage: a missing or unknown command, or flags that do not go
// together, are exit 1; -h is 0.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"apply", "-json"}, {"plan", "-json", "-mermaid"}, {"plan", "extra"}, {"plan", "-drift"}, {"plan", "-nosuchflag"}} {
		if code, _, _ := converge(t, args...); code != exitError {
			t.Errorf("converge %v: exit %d, want 1", args, code)
		}
	}
	if code, _, errOut := converge(t, "-h"); code != exitOK || !strings.Contains(errOut, "usage: converge plan|apply|destroy") {
		t.Errorf("-h: exit %d\n%s", code, errOut)
	}
}
