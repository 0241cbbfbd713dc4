package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

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

// settings is what the flags ask for, for the summary.
type settings struct {
	akID        string
	phases      []string
	transitions map[string]*transitionFlag
	faults      []faultSpec
	seed        uint64
	limits      []rateLimit
	noControl   bool
	noDataPlane bool
	dpHost      string
	backends    []string // private=local
}

// run parses args, starts the emulator, prints the endpoint and the world
// summary to stdout and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8686", "listen address (port 0 picks a free one)")
	akID := fs.String("access-key-id", albtest.DefaultAccessKeyID, "accepted access key ID")
	akSecret := fs.String("access-key-secret", albtest.DefaultAccessKeySecret, "secret of the access key")
	region := fs.String("region", albtest.DefaultRegion, "region of the default world")
	world := fs.String("world", "", "JSON world file (see albtest.World) instead of the default world")
	set := settings{transitions: map[string]*transitionFlag{}}
	for _, ph := range []string{albtest.PhaseProvisioning, albtest.PhaseConfiguring, albtest.PhaseDeleting} {
		tf := newTransitionFlag()
		set.phases = append(set.phases, ph)
		set.transitions[ph] = tf
		fs.Var(tf, strings.ToLower(ph), "how "+ph+" ends: immediate, manual, polls:N or a duration such as 30s")
	}
	delay := fs.Duration("provisioning-delay", 0, "same as -provisioning DURATION")
	faults := fs.String("faults", "", "fault profile: CODE[/STATUS]:PROBABILITY[@ACTION],… (CODE drop drops the connection)")
	var seed seedFlag
	seed.v = 1
	fs.Var(&seed, "seed", "seed of the -faults generators")
	limits := fs.String("rate-limit", "", "rate limits: ACTION=RPS[:BURST],… (ACTION * for every action)")
	noControl := fs.Bool("no-control-api", false, "turn off the HTTP control API under "+albtest.ControlPrefix)
	noDataPlane := fs.Bool("no-data-plane", false, "serve the control plane only: listeners open no port and servers are not health-checked")
	dpHost := fs.String("data-plane-host", "127.0.0.1", "address the data plane's listeners bind (0.0.0.0: every interface)")
	backends := fs.String("backend", "", "backend addresses: PRIVATE_IP:PORT=HOST:PORT,… (where the data plane reaches an Instance member)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *akID == "" || *akSecret == "" {
		return errors.New("-access-key-id and -access-key-secret must not be empty")
	}
	prov := set.transitions[albtest.PhaseProvisioning]
	if *delay < 0 {
		return fmt.Errorf("-provisioning-delay %s is negative", *delay)
	}
	if *delay != 0 {
		if prov.set {
			return errors.New("-provisioning-delay and -provisioning both given: keep one")
		}
		if err := prov.Set(delay.String()); err != nil {
			return fmt.Errorf("-provisioning-delay %s: %w", *delay, err)
		}
	}
	if seed.set && *faults == "" {
		return errors.New("-seed without -faults: the seed only drives the fault profile")
	}
	opts := []albtest.Option{
		albtest.WithAddr(*addr),
		albtest.WithRegion(*region),
		albtest.WithCredentials(*akID, *akSecret),
		// Wall time plus an offset the control API can move; signatures
		// are still checked against the wall time.
		albtest.WithClock(albtest.NewOffsetClock()),
	}
	for _, ph := range set.phases {
		opts = append(opts, albtest.WithTransition(ph, set.transitions[ph].t))
	}
	if *faults != "" {
		fsps, err := parseFaults(*faults, seed.v)
		if err != nil {
			return err
		}
		set.faults, set.seed = fsps, seed.v
		for _, f := range fsps {
			opts = append(opts, albtest.WithFaults(f.fault))
		}
	}
	if *limits != "" {
		ls, err := parseRateLimits(*limits)
		if err != nil {
			return err
		}
		set.limits = ls
		for _, l := range ls {
			opts = append(opts, albtest.WithRateLimit(l.action, l.rps, l.burst))
		}
	}
	if *noControl {
		set.noControl = true
		opts = append(opts, albtest.WithoutControlAPI())
	}
	if *world != "" {
		opts = append(opts, albtest.WithWorldFile(*world))
	}
	if *noDataPlane {
		if *backends != "" || *dpHost != "127.0.0.1" {
			return errors.New("-no-data-plane with -backend or -data-plane-host: keep one")
		}
		set.noDataPlane = true
		opts = append(opts, albtest.WithoutDataPlane())
	} else {
		set.dpHost = *dpHost
		opts = append(opts, albtest.WithDataPlaneHost(*dpHost))
		if *backends != "" {
			bs, err := parseBackends(*backends)
			if err != nil {
				return err
			}
			for _, b := range bs {
				opts = append(opts, albtest.WithBackendAddress(b[0], b[1]))
				set.backends = append(set.backends, b[0]+"="+b[1])
			}
		}
	}
	srv, err := albtest.Start(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(stdout, "endpoint: %s\n", srv.Endpoint())
	set.akID = *akID
	printSummary(stdout, srv, set)
	<-ctx.Done()
	return nil
}

func printSummary(w io.Writer, srv *albtest.Server, set settings) {
	if set.noControl {
		fmt.Fprintln(w, "control api: off (-no-control-api)")
	} else {
		fmt.Fprintf(w, "control api: %s%s (no signature: for test environments only)\n", srv.URL(), albtest.ControlPrefix)
	}
	fmt.Fprintf(w, "region: %s\n", srv.Region())
	if set.noDataPlane {
		fmt.Fprintln(w, "data plane: off (-no-data-plane)")
	} else {
		fmt.Fprintf(w, "data plane: each Running listener on %s:PORT (GET %s%sdataplane lists them; test CA at %sdataplane/ca)\n",
			set.dpHost, srv.URL(), albtest.ControlPrefix, albtest.ControlPrefix)
		if len(set.backends) > 0 {
			fmt.Fprintf(w, "backend addresses: %s\n", strings.Join(set.backends, ", "))
		}
	}
	fmt.Fprintf(w, "access key id: %s (secret as given by -access-key-secret)\n", set.akID)
	var tr []string
	for _, ph := range set.phases {
		tr = append(tr, strings.ToLower(ph)+" "+set.transitions[ph].text)
	}
	fmt.Fprintf(w, "transitions: %s\n", strings.Join(tr, ", "))
	if len(set.faults) > 0 {
		var fs []string
		for _, f := range set.faults {
			fs = append(fs, f.text)
		}
		fmt.Fprintf(w, "faults (seed %d): %s\n", set.seed, strings.Join(fs, ", "))
	}
	if len(set.limits) > 0 {
		var ls []string
		for _, l := range set.limits {
			a := l.action
			if a == "" {
				a = "every action"
			}
			ls = append(ls, fmt.Sprintf("%s %g/s burst %d", a, l.rps, l.burst))
		}
		fmt.Fprintf(w, "rate limits: %s\n", strings.Join(ls, ", "))
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
