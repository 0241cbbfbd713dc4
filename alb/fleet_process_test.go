package alb_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

const envFleetN = "ALBKIT_FLEET_N"

var fleetProcsN = flag.Int("fleet.procs.n", 12, "lifecycles per process of TestFleetOfProcesses (issue 16 measures 100)")

// TestFleetChild is one process of TestFleetOfProcesses; it does nothing
// unless ALBKIT_CHILD is "fleet". It creates ALBKIT_FLEET_N instances with
// CreateMany, releases them with ReleaseMany, and prints a "result" line.
func TestFleetChild(t *testing.T) {
	if os.Getenv(envChild) != "fleet" {
		t.Skip("run by TestFleetOfProcesses as a child process")
	}
	n, _ := strconv.Atoi(os.Getenv(envFleetN))
	proc := os.Getenv(envArg)
	// The default retry policy and rate limiter; waits of 20–200 ms.
	c := crashChildClient(t, alb.WithRetryPolicy(alb.RetryPolicy{}), alb.WithLoadBalancerQuota(100000),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, MaxWait: 5 * time.Minute}))
	ctx := context.Background()
	specs := make([]alb.InstanceSpec, n)
	for i := range specs {
		specs[i] = fleetSpec(i).WithName(fmt.Sprintf("fleet-%s-%d", proc, i)).WithTag("proc", proc) // on the large vSwitches the parent adds
	}
	created, failed, released := 0, 0, 0
	var reqs []alb.ReleaseRequest
	for out, err := range c.CreateMany(ctx, specs, alb.BulkOptions{Concurrency: 4}) {
		if err != nil {
			failed++
			fmt.Printf("failure %v\n", out)
			continue
		}
		created++
		reqs = append(reqs, alb.ReleaseRequest{ID: out.ID})
	}
	for out, err := range c.ReleaseMany(ctx, reqs, alb.BulkOptions{Concurrency: 4}) {
		if err != nil {
			failed++
			fmt.Printf("failure %v\n", out)
			continue
		}
		released++
	}
	fmt.Printf("result created=%d released=%d failed=%d\n", created, released, failed)
}

// Several processes run bulk creates and releases against one emulator
// whose per-action rate limits they share. albkit needs no coordinator:
// the service's ClientToken and albkit's token tag keep creates unique, and
// each process's retries absorb the throttling. At the end: no duplicate,
// no failure, no instance and no EIP left.
func TestFleetOfProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const procs = 3
	perProc := *fleetProcsN
	srv, err := albtest.Start(albtest.WithQuota(procs*perProc+50), albtest.WithRequestLogLimit(1<<20),
		albtest.WithRateLimit("", 40, 10), // reads and the rest
		albtest.WithRateLimit("CreateLoadBalancer", 10, 3), albtest.WithRateLimit("DeleteLoadBalancer", 10, 3))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, v := range []albtest.VSwitch{ // room for every process's instances: 3 addresses per zone each
		{VSwitchID: fleetVSwitchH, VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneH, CidrBlock: "10.0.128.0/20"},
		{VSwitchID: fleetVSwitchI, VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneI, CidrBlock: "10.0.144.0/20"},
	} {
		if err := srv.AddVSwitch(v); err != nil {
			t.Fatal(err)
		}
	}
	eipsBefore := len(srv.EIPs())
	start := time.Now()
	results := make([]string, procs)
	var wg sync.WaitGroup
	for p := range procs {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestFleetChild$", "-test.count=1", "-test.timeout=10m")
			cmd.Env = append(os.Environ(), envChild+"=fleet", envEndpoint+"="+srv.Endpoint(), envArg+"="+strconv.Itoa(p), envFleetN+"="+strconv.Itoa(perProc))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("process %d: %v\n%s", p, err, out)
			}
			for _, l := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(l, "failure ") {
					t.Errorf("process %d: %s", p, l)
				}
				if strings.HasPrefix(l, "result ") {
					results[p] = l
				}
			}
		})
	}
	wg.Wait()
	want := fmt.Sprintf("result created=%d released=%d failed=0", perProc, perProc)
	for p, r := range results {
		if r != want {
			t.Errorf("process %d: %q, want %q", p, r, want)
		}
	}
	tokens := map[string]int{}
	for _, lb := range srv.LoadBalancers() {
		tokens[lb.Tags[alb.TokenTagKey]]++
	}
	for tok, n := range tokens {
		if n > 1 {
			t.Errorf("token %s made %d instances", tok, n)
		}
	}
	throttled := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Code, "Throttling") {
			throttled++
		}
	}
	if srv.Created() != procs*perProc || len(tokens) != procs*perProc || srv.Live() != 0 || len(srv.EIPs()) != eipsBefore {
		t.Fatalf("created %d (%d tokens), live %d, EIPs %d (before %d)", srv.Created(), len(tokens), srv.Live(), len(srv.EIPs()), eipsBefore)
	}
	t.Logf("%d processes × %d lifecycles: %d calls, %d throttled, %s", procs, perProc, srv.TotalCalls(), throttled, time.Since(start).Round(time.Millisecond))
}
