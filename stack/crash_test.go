package stack_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
	"github.com/albkit/albkit/stack"
)

// The crash test re-executes the test binary with STACK_CRASH_CHILD set:
// the child applies crashStack against the parent's emulator, one resource
// at a time, and the parent kills it with SIGKILL while the emulator holds
// its n-th write.
const (
	envCrashChild = "STACK_CRASH_CHILD"
	envCrashAddr  = "STACK_CRASH_ENDPOINT"
)

// crashStack: one instance, three server groups with servers, two
// listeners and six rules.
func crashStack() stack.Stack {
	s := stack.Stack{
		Key: "crash",
		Instance: alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName("crash"),
	}
	for i, name := range []string{"api", "web", "img"} {
		s.ServerGroups = append(s.ServerGroups, alb.NewServerGroupSpec(name, alb.ServerGroupIP, "").WithServers(ips(3, 10+i, 8080)...))
	}
	rules := func(prefix string) []alb.RuleSpec {
		return []alb.RuleSpec{
			alb.NewRuleSpec(prefix+"-api", 10, routing.Host("api.example.com")).Then(routing.ForwardTo("api")),
			alb.NewRuleSpec(prefix+"-img", 20, routing.Path("/img/*")).Then(routing.ForwardTo("img")),
			alb.NewRuleSpec(prefix+"-v2", 30, routing.Path("/v2/*")).Then(routing.Forward(routing.Weighted("api", 80), routing.Weighted("web", 20))),
		}
	}
	s.Listeners = []stack.Listener{
		{Name: "http", ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTP, 80, "web").WithRules(rules("h")...)},
		{Name: "alt", ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTP, 8080, "web").WithRules(rules("a")...)},
	}
	return s
}

func crashClient(t *testing.T, endpoint string) *alb.Client {
	t.Helper()
	c, err := alb.NewClient(alb.WithRegion(albtest.DefaultRegion), alb.WithEndpoint(endpoint), alb.WithProtocol("http"),
		alb.WithAccessKey(albtest.DefaultAccessKeyID, albtest.DefaultAccessKeySecret),
		alb.WithRetryPolicy(alb.RetryPolicy{InitialInterval: 5 * time.Millisecond, ThrottleInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond}),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, MaxWait: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStackCrashChild is the child's part.
func TestStackCrashChild(t *testing.T) {
	if os.Getenv(envCrashChild) == "" {
		t.Skip("run by TestStackApplyCrashAtEveryWrite as a child process")
	}
	c := crashClient(t, os.Getenv(envCrashAddr))
	if _, err := crashStack().Apply(context.Background(), c, stack.Options{Concurrency: 1}); err != nil {
		fmt.Println("apply failed:", err)
	}
	fmt.Println("applied")
	time.Sleep(time.Hour) // the parent decides when the child dies
}

// isWrite reports whether action changes something.
func isWrite(action string) bool {
	return !strings.HasPrefix(action, "Get") && !strings.HasPrefix(action, "List") && !strings.HasPrefix(action, "Describe")
}

// TestStackApplyCrashAtEveryWrite: a child applying crashStack is killed
// with SIGKILL while each of its writes is held in turn; the parent applies
// the stack again: exactly one of each resource, nothing orphaned, a
// third apply writes nothing, and destroy leaves nothing.
func TestStackApplyCrashAtEveryWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	// The writes of an undisturbed apply, in order (one resource at a time).
	ref, err := albtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crashStack().Apply(context.Background(), crashClient(t, ref.Endpoint()), stack.Options{Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, r := range ref.Requests() {
		if isWrite(r.Action) && r.Code == "" {
			seq = append(seq, r.Action)
		}
	}
	ref.Close()
	if len(seq) < 10 {
		t.Fatalf("only %d writes: %v", len(seq), seq)
	}
	seen := map[string]int{}
	for n, action := range seq {
		skip := seen[action]
		seen[action]++
		t.Run(fmt.Sprintf("%02d-%s", n+1, action), func(t *testing.T) {
			t.Parallel()
			srv, err := albtest.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			hold := make(chan struct{})
			reached := make(chan string)
			fid := srv.InjectFault(albtest.Fault{Action: action, Skip: skip, Times: 1, Hold: hold, Reached: reached})
			cmd := exec.Command(os.Args[0], "-test.run=^TestStackCrashChild$", "-test.count=1", "-test.timeout=2m")
			cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashAddr+"="+srv.Endpoint())
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = cmd.Stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 100)
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			select {
			case <-reached:
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				var got []string
				for l := range lines {
					got = append(got, l)
				}
				t.Fatalf("write %d (%s) was never held; child output:\n%s", n+1, action, strings.Join(got, "\n"))
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			srv.RemoveFault(fid)
			close(hold)

			ctx := context.Background()
			c := crashClient(t, srv.Endpoint())
			s := crashStack()
			if _, err := s.Apply(ctx, c, stack.Options{}); err != nil {
				t.Fatalf("apply after the crash: %v", err)
			}
			live := 0
			for _, lb := range srv.LoadBalancers() {
				if !lb.Deleted {
					live++
				}
			}
			rules := len(srv.Rules(""))
			if live != 1 || len(srv.ServerGroups()) != 3 || len(srv.Listeners()) != 2 || rules != 6 {
				t.Fatalf("after resuming: %d instances, %d groups, %d listeners, %d rules", live, len(srv.ServerGroups()), len(srv.Listeners()), rules)
			}
			for _, g := range srv.ServerGroups() {
				if len(g.Servers) != 3 {
					t.Errorf("group %s has %d servers", g.Name, len(g.Servers))
				}
			}
			plan, err := s.Plan(ctx, c)
			if err != nil || plan.Writes() {
				t.Fatalf("after resuming, the plan still writes: %v\n%s", err, plan)
			}
			if _, err := s.Destroy(ctx, c, stack.Options{}); err != nil {
				t.Fatal(err)
			}
			live = 0
			for _, lb := range srv.LoadBalancers() {
				if !lb.Deleted {
					live++
				}
			}
			if live != 0 || len(srv.ServerGroups()) != 0 || len(srv.Listeners()) != 0 || len(srv.Rules("")) != 0 {
				t.Fatalf("after destroy: %d instances, %d groups, %d listeners", live, len(srv.ServerGroups()), len(srv.Listeners()))
			}
		})
	}
}
