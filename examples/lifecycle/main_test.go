package main

import "testing"

// TestLifecycleRuns runs the whole lifecycle against the embedded emulator,
// exactly as `go run ./examples/lifecycle` does.
func TestLifecycleRuns(t *testing.T) {
	if err := run(false, "", "", nil); err != nil {
		t.Fatal(err)
	}
}
