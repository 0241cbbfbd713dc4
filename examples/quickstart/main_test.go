package main

import "testing"

// TestQuickstartRuns runs the whole lifecycle against the embedded emulator,
// exactly as `go run ./examples/quickstart` does.
func TestQuickstartRuns(t *testing.T) {
	if err := run(false, "", "", nil); err != nil {
		t.Fatal(err)
	}
}
