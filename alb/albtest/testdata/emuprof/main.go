// Command emuprof runs the emulator like examples/emulator with the default options
// and writes a CPU profile to the file named by its first argument (and a heap profile
// to that name + ".heap") when it gets SIGTERM or SIGINT. With a second argument it
// serves that file's bytes instead, like testdata/replay. Used by
// BenchmarkProfileStandalone.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"

	"github.com/albkit/albkit/alb/albtest"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if len(os.Args) > 2 { // replay mode: answer the bytes of os.Args[2]
		body, _ := os.ReadFile(os.Args[2])
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		fmt.Printf("endpoint: %s\n", ln.Addr())
		n := strconv.Itoa(len(body))
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "application/json;charset=utf-8")
			h.Set("x-acs-request-id", "8A5C1F0E-2B1D-4C3E-9F10-000000000001")
			h.Set("Content-Length", n)
			_, _ = w.Write(body)
		}))
	} else {
		srv, err := albtest.Start(albtest.WithAddr("127.0.0.1:0"))
		if err != nil {
			panic(err)
		}
		fmt.Printf("endpoint: %s\n", srv.Endpoint())
	}
	_ = pprof.StartCPUProfile(f)
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, os.Interrupt)
	<-c
	pprof.StopCPUProfile()
	_ = f.Close()
	if h, err := os.Create(os.Args[1] + ".heap"); err == nil {
		runtime.GC()
		_ = pprof.WriteHeapProfile(h)
		_ = h.Close()
	}
}
