// Command replay is the trivial baseline of the standalone benchmarks in
// alb/albtest (bench_test.go): it answers every request with the bytes of one
// file and the same response headers the emulator sends, checking nothing.
//
//	replay BODYFILE
//
// It listens on a free loopback port and prints "endpoint: HOST:PORT" on
// stdout once it accepts connections.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: replay BODYFILE")
		os.Exit(2)
	}
	body, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
	fmt.Printf("endpoint: %s\n", ln.Addr())
	const requestID = "8A5C1F0E-2B1D-4C3E-9F10-000000000001"
	n := strconv.Itoa(len(body))
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json;charset=utf-8")
		h.Set("x-acs-request-id", requestID)
		h.Set("Content-Length", n)
		_, _ = w.Write(body)
	}))
	fmt.Fprintln(os.Stderr, "replay:", err)
	os.Exit(1)
}
