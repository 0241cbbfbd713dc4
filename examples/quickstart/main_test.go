package main

import (
	"strings"
	"testing"
)

// TestQuickstartServesTraffic runs the program as `go run
// ./examples/quickstart` does and checks the routing it prints: before the
// change, after it (the canary's exact one in four, the emulator's weighted
// round robin being smooth), and the stack destroyed.
func TestQuickstartServesTraffic(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var routes []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "GET ") {
			routes = append(routes, line)
		}
	}
	want := []string{
		"GET http://api.example.com/v1/users → server group api, backend api-1 (200)",
		"GET http://www.example.com/v1/users → server group api, backend api-1 (200)",
		"GET http://www.example.com/v2/users → server group web, backend web-1 (200)",
		"GET http://www.example.com/index.html → server group web, backend web-1 (200)",
		// After the change.
		"GET http://www.example.com/v1/users → server group web, backend web-1 (200)",
		"GET http://www.example.com/v2/users → server group api, backend api-1 (200)",
	}
	if len(routes) != len(want)+4 {
		t.Fatalf("%d requests printed, want %d:\n%s", len(routes), len(want)+4, out.String())
	}
	for i, w := range want {
		if routes[i] != w {
			t.Errorf("request %d: %q, want %q", i, routes[i], w)
		}
	}
	canary := 0
	for _, r := range routes[len(want):] {
		if strings.Contains(r, "backend web-1") {
			canary++
		}
	}
	if canary != 1 {
		t.Errorf("%d of 4 api.example.com requests went to web, want 1 (weights 75/25):\n%s", canary, strings.Join(routes[len(want):], "\n"))
	}
	for _, want := range []string{"plan:", "apply:", "change:", "nothing to do", "destroyed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the output:\n%s", want, out.String())
		}
	}
}
