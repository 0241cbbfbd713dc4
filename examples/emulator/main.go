// Command emulator runs the albtest control-plane emulator (ALB, VPC/EIP,
// WAF and the ALB service-linked role) as a standalone HTTP server, so any
// Alibaba Cloud client that can take a custom endpoint over plain HTTP can
// use it.
//
//	go run ./examples/emulator [flags]
//
// Flags:
//
//	-addr HOST:PORT          listen address (default 127.0.0.1:8686; port 0 picks a free one)
//	-access-key-id ID        accepted access key ID (default albtest-access-key-id)
//	-access-key-secret S     its secret (default albtest-access-key-secret)
//	-region REGION           region of the default world (default cn-hangzhou)
//	-provisioning-delay D    time an instance stays Provisioning, e.g. 5s
//	                         (default 0: Active on the second read, albtest's AfterPolls(1))
//	-seed FILE               JSON world to start with instead of the default (see albtest.World)
//
// Once it accepts connections it prints one line "endpoint: HOST:PORT" on
// stdout, then a summary of the seeded world, and serves until SIGINT or
// SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/albkit/albkit/alb/albtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

// run parses args, starts the emulator, prints the endpoint and the world
// summary to stdout and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8686", "listen address")
	akID := fs.String("access-key-id", albtest.DefaultAccessKeyID, "accepted access key ID")
	akSecret := fs.String("access-key-secret", albtest.DefaultAccessKeySecret, "secret of the access key")
	region := fs.String("region", albtest.DefaultRegion, "region of the default world")
	delay := fs.Duration("provisioning-delay", 0, "time an instance stays Provisioning (0: Active on the second read)")
	seed := fs.String("seed", "", "JSON world file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *akID == "" || *akSecret == "" {
		return errors.New("-access-key-id and -access-key-secret must not be empty")
	}
	opts := []albtest.Option{
		albtest.WithAddr(*addr),
		albtest.WithRegion(*region),
		albtest.WithCredentials(*akID, *akSecret),
	}
	if *delay > 0 {
		opts = append(opts, albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(*delay)))
	}
	if *seed != "" {
		opts = append(opts, albtest.WithWorldFile(*seed))
	}
	srv, err := albtest.Start(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(stdout, "endpoint: %s\n", srv.Endpoint())
	printSummary(stdout, srv, *akID, *delay)
	<-ctx.Done()
	return nil
}

func printSummary(w io.Writer, srv *albtest.Server, akID string, delay time.Duration) {
	fmt.Fprintf(w, "region: %s\n", srv.Region())
	fmt.Fprintf(w, "access key id: %s (secret as given by -access-key-secret)\n", akID)
	if delay > 0 {
		fmt.Fprintf(w, "provisioning: %s\n", delay)
	} else {
		fmt.Fprintln(w, "provisioning: Active on the second read")
	}
	fmt.Fprintln(w, "vswitches:")
	for _, v := range srv.VSwitches() {
		v6 := "IPv4 only"
		if v.Ipv6CidrBlock != "" {
			v6 = "IPv6 " + v.Ipv6CidrBlock
		}
		fmt.Fprintf(w, "  %-22s %-16s %-15s %-18s free %-4d %s\n", v.VSwitchID, v.VpcID, v.ZoneID, v.CidrBlock, v.AvailableIPAddressCount, v6)
	}
	fmt.Fprintln(w, "eips:")
	for _, e := range srv.EIPs() {
		extra := ""
		if e.BandwidthPackageID != "" {
			extra = " in " + e.BandwidthPackageID
		}
		if e.InstanceID != "" {
			extra += " bound to " + e.InstanceID
		}
		fmt.Fprintf(w, "  %-22s %-15s %-8s %-8s %-14s %-9s%s\n", e.AllocationID, e.IPAddress, e.Type, e.ChargeType, e.InternetChargeType, e.Status, extra)
	}
	fmt.Fprintln(w, "apis: ALB 2020-06-16, VPC 2016-04-28, WAF 2021-10-01 / 2019-09-10, ResourceManager 2020-03-31")
}
