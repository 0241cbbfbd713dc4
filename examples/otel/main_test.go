package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestOtelRuns runs the example as `go run ./examples/otel -json` does and
// checks that its output shows the lifecycle's trace: the operations, the
// attempts with their retries, the waits, the metrics and the exporter's
// JSON.
func TestOtelRuns(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, true); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		`"Name":"alb.Ensure"`, // the stdout exporter
		"lifecycle", "  alb.Ensure", "    alb.Create", "retry(ServiceUnavailable)",
		"CreateLoadBalancer", "error_code=ServiceUnavailable ERROR", "throttled ERROR", "retry(throttled)",
		"kind=create", "alb.EnableAccessLog", "EnableLoadBalancerAccessLog", "  alb.Release", "kind=release",
		"albkit.api.calls", "action=CreateLoadBalancer outcome=success", "albkit.api.retries", "albkit.wait.duration",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q:\n%s", want, s)
		}
	}
}
