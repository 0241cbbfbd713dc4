package alb_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// The crash tests run their children by re-executing the test binary with
// ALBKIT_CHILD set; the child test then plays one part against the
// parent's emulator and is killed with SIGKILL at a chosen point.
const (
	envChild    = "ALBKIT_CHILD"
	envEndpoint = "ALBKIT_ENDPOINT"
	envDir      = "ALBKIT_DIR"
	envArg      = "ALBKIT_ARG"
)

// crashChildClient is the client of a child process: the parent's emulator,
// the emulator's default key, fast retries and waits.
func crashChildClient(t *testing.T, extra ...alb.Option) *alb.Client {
	t.Helper()
	opts := append([]alb.Option{
		alb.WithRegion(albtest.DefaultRegion), alb.WithEndpoint(os.Getenv(envEndpoint)), alb.WithProtocol("http"),
		alb.WithAccessKey(albtest.DefaultAccessKeyID, albtest.DefaultAccessKeySecret),
		alb.WithRetryPolicy(alb.RetryPolicy{InitialInterval: 5 * time.Millisecond, ThrottleInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond, MaxAttempts: 8}),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, MaxWait: time.Minute}),
	}, extra...)
	c, err := alb.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// crashPersist writes a line to a file of the shared directory and syncs it,
// as a caller persists a key before a call.
func crashPersist(t *testing.T, name, value string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.Getenv(envDir), name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintln(f, value); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func crashReadLines(t *testing.T, dir, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

func crashKey(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// TestCrashChild is the child's part; it does nothing unless ALBKIT_CHILD
// names a part. It prints "step <name>" lines for the parent.
func TestCrashChild(t *testing.T) {
	part := os.Getenv(envChild)
	if part == "" {
		t.Skip("run by the crash tests as a child process")
	}
	ctx := context.Background()
	c := crashChildClient(t)
	step := func(s string) { fmt.Printf("step %s\n", s); _ = os.Stdout.Sync() }
	switch part {
	case "create":
		key := crashKey("crash")
		crashPersist(t, "key", key) // persisted BEFORE Create
		step("persisted")
		op, err := c.Create(ctx, crashSpec().WithIdempotencyKey(key))
		if err != nil {
			t.Fatal(err)
		}
		step("created " + op.ID())
		if _, err := op.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		step("active")
	case "bulk":
		specs := make([]alb.InstanceSpec, 3)
		for i := range specs {
			specs[i] = crashSpec().WithName(fmt.Sprintf("crash-bulk-%d", i))
		}
		for out, err := range c.CreateMany(ctx, specs, alb.BulkOptions{Concurrency: 1, OnToken: func(i int, tok string) error {
			crashPersist(t, "keys", strconv.Itoa(i)+"="+tok)
			return nil
		}}) {
			if err != nil {
				t.Fatal(err)
			}
			step("item " + out.ID)
		}
	case "release":
		id := os.Getenv(envArg)
		key := crashKey("crash-release")
		crashPersist(t, "key", key) // persisted BEFORE the release
		step("persisted")
		op, err := c.StartRelease(ctx, id, alb.ReleaseOptions{IdempotencyKey: key, DisableDeletionProtection: true})
		if err != nil {
			t.Fatal(err)
		}
		step("delete sent " + op.JobID())
		if _, err := op.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		step("released")
	}
	// Wait to be killed: the parent decides when the child dies.
	time.Sleep(time.Hour)
}

func crashSpec() alb.InstanceSpec {
	return alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard, twoZones()...).WithName("crash")
}

// crashChild is a running child process.
type crashChild struct {
	cmd   *exec.Cmd
	lines chan string
}

// startCrashChild re-executes the test binary as the child playing part.
func startCrashChild(t *testing.T, srv *albtest.Server, dir, part, arg string) *crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), envChild+"="+part, envEndpoint+"="+srv.Endpoint(), envDir+"="+dir, envArg+"="+arg)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &crashChild{cmd: cmd, lines: make(chan string, 64)}
	go func() {
		defer close(ch.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return ch
}

// until reads the child's output until a line starts with prefix.
func (ch *crashChild) until(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(time.Minute)
	var seen []string
	for {
		select {
		case l, ok := <-ch.lines:
			if !ok {
				t.Fatalf("child ended before %q; output:\n%s", prefix, strings.Join(seen, "\n"))
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			seen = append(seen, l)
		case <-timeout:
			t.Fatalf("no %q from the child in a minute; output:\n%s", prefix, strings.Join(seen, "\n"))
		}
	}
}

// reached waits until the held request arrives.
func (ch *crashChild) reached(t *testing.T, r <-chan string) {
	t.Helper()
	select {
	case <-r:
	case <-time.After(time.Minute):
		var seen []string
		for len(ch.lines) > 0 {
			seen = append(seen, <-ch.lines)
		}
		t.Fatalf("the child's request was not held within a minute; output:\n%s", strings.Join(seen, "\n"))
	}
}

// kill sends SIGKILL and reaps the child.
func (ch *crashChild) kill(t *testing.T) {
	t.Helper()
	if err := ch.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = ch.cmd.Wait()
}

// crashHoldAt makes the next request of action block (after its ClientToken is
// registered); the returned channel says when one arrived, and release
// removes the fault and lets held requests go.
func crashHoldAt(srv *albtest.Server, action string) (reached <-chan string, release func()) {
	hold := make(chan struct{})
	r := make(chan string)
	id := srv.InjectFault(albtest.Fault{Action: action, Hold: hold, Reached: r})
	return r, func() { srv.RemoveFault(id); close(hold) }
}

func crashServer(t *testing.T, opts ...albtest.Option) *albtest.Server {
	t.Helper()
	srv, err := albtest.Start(append([]albtest.Option{albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterPolls(2))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// A child creating an instance is killed with SIGKILL at several points;
// the parent resumes from the key the child saved: exactly one instance,
// then, after a release, none.
func TestCrashDuringCreateResumesFromSavedKey(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	points := map[string]struct {
		action string // the request held when the child is killed; "" kills on a step line
		step   string
	}{
		"key persisted, create held": {action: "CreateLoadBalancer"},
		// Every answer to the create is lost after it was applied; the
		// child gives up retrying and looks for the instance by its tag.
		"create applied, answers lost":    {action: "ListLoadBalancers"},
		"create answered, before Wait":    {step: "created"},
		"during Wait":                     {action: "GetLoadBalancerAttribute"},
		"after persisting, before Create": {step: "persisted"},
	}
	for name, p := range points {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := crashServer(t)
			eipsBefore := len(srv.EIPs())
			dir := t.TempDir()
			var reached <-chan string
			release := func() {}
			if p.action != "" {
				reached, release = crashHoldAt(srv, p.action)
			}
			if name == "create applied, answers lost" {
				drop := srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", DropConnection: true, ApplyThenFail: true})
				unhold := release
				release = func() { srv.RemoveFault(drop); unhold() }
			}
			ch := startCrashChild(t, srv, dir, "create", "")
			if reached != nil {
				ch.reached(t, reached)
			} else {
				ch.until(t, "step "+p.step)
			}
			ch.kill(t)
			release()
			keys := crashReadLines(t, dir, "key")
			if len(keys) != 1 {
				t.Fatalf("keys %v", keys)
			}
			ctx := context.Background()
			c, err := srv.Client()
			if err != nil {
				t.Fatal(err)
			}
			spec := crashSpec()
			op, err := c.ResumeCreate(ctx, keys[0], &spec)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := op.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if srv.Created() != 1 || srv.Live() != 1 || inst.Token() != keys[0] {
				t.Fatalf("created %d, live %d, token %q", srv.Created(), srv.Live(), inst.Token())
			}
			if _, err := c.Release(ctx, inst.ID, alb.ReleaseOptions{}); err != nil {
				t.Fatal(err)
			}
			if srv.Live() != 0 || len(srv.EIPs()) != eipsBefore {
				t.Fatalf("live %d, EIPs %d (before %d)", srv.Live(), len(srv.EIPs()), eipsBefore)
			}
		})
	}
}

// A child running CreateMany (one item at a time) saves each item's key
// through OnToken and is killed while the second item's create is held;
// running the bulk again with the saved keys and Resume gives exactly one
// instance per item.
func TestCrashDuringCreateManyResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	srv := crashServer(t)
	dir := t.TempDir()
	// The first create passes (a fault that does nothing, once); the
	// second is held.
	srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", Times: 1})
	reached, release := crashHoldAt(srv, "CreateLoadBalancer")
	ch := startCrashChild(t, srv, dir, "bulk", "")
	ch.reached(t, reached)
	ch.kill(t)
	release()
	saved := map[int]string{}
	for _, l := range crashReadLines(t, dir, "keys") {
		i, tok, _ := strings.Cut(l, "=")
		n, _ := strconv.Atoi(i)
		saved[n] = tok
	}
	if len(saved) != 2 {
		t.Fatalf("saved keys %v: want the first two", saved)
	}
	specs := make([]alb.InstanceSpec, 3)
	for i := range specs {
		specs[i] = crashSpec().WithName(fmt.Sprintf("crash-bulk-%d", i)).WithIdempotencyKey(saved[i])
	}
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	var reqs []alb.ReleaseRequest
	for out, err := range c.CreateMany(context.Background(), specs, alb.BulkOptions{Resume: true}) {
		if err != nil {
			t.Fatalf("%v", out)
		}
		reqs = append(reqs, alb.ReleaseRequest{ID: out.ID})
	}
	if srv.Created() != 3 || srv.Live() != 3 {
		t.Fatalf("created %d, live %d; want 3", srv.Created(), srv.Live())
	}
	for out, err := range c.ReleaseMany(context.Background(), reqs, alb.BulkOptions{}) {
		if err != nil {
			t.Fatalf("%v", out)
		}
	}
	if srv.Live() != 0 {
		t.Fatalf("live %d", srv.Live())
	}
}

// A child releasing a protected instance is killed at several points; the
// parent resumes the release from the saved key: the instance is gone.
func TestCrashDuringReleaseResumesFromSavedKey(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	points := map[string]struct {
		action string // the request held when the child is killed; "" kills on a step line
		step   string
	}{
		"delete held": {action: "DeleteLoadBalancer"},
		// The delete was accepted and the child waits for the instance to
		// go (Deleting takes a few polls).
		"delete sent, waiting": {step: "delete sent"},
	}
	for name, p := range points {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := crashServer(t, albtest.WithTransition(albtest.PhaseDeleting, albtest.AfterPolls(3)))
			eipsBefore := len(srv.EIPs())
			c, err := srv.Client()
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			_, inst := createActive(t, c, crashSpec().WithDeletionProtection())
			dir := t.TempDir()
			release := func() {}
			var reached <-chan string
			if p.action != "" {
				reached, release = crashHoldAt(srv, p.action)
			}
			ch := startCrashChild(t, srv, dir, "release", inst.ID)
			if reached != nil {
				ch.reached(t, reached)
			} else {
				ch.until(t, "step "+p.step)
			}
			ch.kill(t)
			release()
			keys := crashReadLines(t, dir, "key")
			if len(keys) != 1 {
				t.Fatalf("keys %v", keys)
			}
			op, err := c.ResumeRelease(ctx, inst.ID, keys[0], alb.ReleaseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := op.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			if srv.Created() != 1 || srv.Live() != 0 || len(srv.EIPs()) != eipsBefore {
				t.Fatalf("created %d, live %d, EIPs %d (before %d)", srv.Created(), srv.Live(), len(srv.EIPs()), eipsBefore)
			}
			if n := srv.Count("DeleteLoadBalancer"); n < 1 {
				t.Fatalf("%d deletes", n)
			}
		})
	}
}
