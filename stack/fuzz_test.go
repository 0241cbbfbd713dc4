package stack_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/albkit/albkit/stack"
)

// FuzzDecode: any input decodes or fails with a *FileError, never a
// panic, and the position of a failure is in the input.
func FuzzDecode(f *testing.F) {
	example, _ := os.ReadFile("../examples/converge/stack.yaml")
	for _, seed := range []string{string(example), miniStack, "key: k\n", "{\"key\": 1}", "- a", "a: &x [*x]", "<<: {a: 1}", "key: [", ""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var err error
		done := make(chan struct{})
		go func() { _, err = stack.Decode(data, stack.FormatAuto); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Decode(%q) hangs", data)
		}
		if err == nil {
			return
		}
		var fe *stack.FileError
		if !errors.As(err, &fe) {
			t.Fatalf("%T: %v", err, err)
		}
		if fe.Line < 0 || fe.Column < 0 || fe.Line > 1+len(data) {
			t.Fatalf("position %d:%d out of the input: %v", fe.Line, fe.Column, err)
		}
		_ = fe.Error()
	})
}
