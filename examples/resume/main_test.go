package main

import "testing"

// TestResumeRuns runs the interrupted-and-resumed create end to end.
func TestResumeRuns(t *testing.T) {
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
