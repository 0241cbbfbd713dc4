// Command emuprof runs the emulator like examples/emulator with the default options
// and writes a CPU profile to the file named by its argument until it gets SIGTERM.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/albkit/albkit/alb/albtest"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	srv, err := albtest.Start(albtest.WithAddr("127.0.0.1:0"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("endpoint: %s\n", srv.Endpoint())
	_ = pprof.StartCPUProfile(f)
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, os.Interrupt)
	<-c
	pprof.StopCPUProfile()
	_ = f.Close()
}
