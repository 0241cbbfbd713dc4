package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestServerGroupsRuns runs the example end to end.
func TestServerGroupsRuns(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"created with 450 servers", "the autoscaler's kept", "members now 450", "after the swap: 450 members on port 9090", "deleted"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
