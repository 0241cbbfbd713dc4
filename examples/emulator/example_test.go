package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// Example starts the program on a free port and stops it at once.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve until ctx is done: return right after printing
	var out bytes.Buffer
	if err := run(ctx, []string{"-addr", "127.0.0.1:0"}, &out, io.Discard); err != nil {
		fmt.Println(err)
		return
	}
	lines := strings.Split(out.String(), "\n")
	fmt.Println(strings.HasPrefix(lines[0], "endpoint: 127.0.0.1:"))
	fmt.Println(strings.HasSuffix(strings.Fields(lines[1])[2], "/_albtest/"))
	fmt.Println(lines[2])
	// Output:
	// true
	// true
	// region: cn-hangzhou
}
