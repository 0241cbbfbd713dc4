// Command resume shows the crash-safe pattern: choose the idempotency key
// and persist it BEFORE calling Create (Create may retry for minutes, and a
// process that dies inside it has nothing else to go on), then resume from
// the key in another process. The same for a release.
//
// Process 1 writes its key to a file, then calls Create; the emulator
// applies the create but the answer is lost and the process "dies". Process
// 2 reads the key, rebuilds the operation with ResumeCreate (which finds
// the instance by albkit's token tag and checks that it was made from the
// same spec), waits until Active, persists a release key and starts the
// release, and "dies" again after DeleteLoadBalancer was sent. Process 3
// finishes the release with ResumeRelease and the saved key, without a
// second delete token. Exactly one instance is ever created, and none is
// left. It runs against the in-process emulator:
//
//	go run ./examples/resume
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func newClient(srv *albtest.Server) (*alb.Client, error) {
	return srv.Client(alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}))
}

func run() error {
	// Deleting completes only when the emulator is told to, so a process
	// can really stop mid-release.
	srv, err := albtest.Start(albtest.WithTransition(albtest.PhaseDeleting, albtest.Manual()))
	if err != nil {
		return err
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "albkit-resume")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	keyFile := filepath.Join(dir, "create.key")
	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName("resumable")

	// Process 1: persist the key, then create; the answer never arrives
	// (and, to keep the example short, the process gives up at once).
	first, err := srv.Client(alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		return err
	}
	key := fmt.Sprintf("resume-example-%d", time.Now().UnixNano())
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		return err
	}
	fmt.Println("process 1: idempotency key persisted before Create")
	srv.InjectFault(albtest.Fault{Action: "CreateLoadBalancer", DropConnection: true, ApplyThenFail: true, Times: 1})
	srv.InjectFault(albtest.Fault{Action: "ListLoadBalancers", Code: "ServiceUnavailable", Status: 503, Times: 1})
	if _, err := first.Create(context.Background(), spec.WithIdempotencyKey(key)); err == nil {
		return errors.New("expected the first create to lose its answer")
	}
	fmt.Println("process 1: died inside Create (the service had made the instance)")
	srv.ClearFaults()

	// Process 2: a new client with nothing but the persisted key.
	second, err := newClient(srv)
	if err != nil {
		return err
	}
	saved, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	op, err := second.ResumeCreate(context.Background(), string(saved), &spec)
	if err != nil {
		return err
	}
	inst, err := op.Wait(context.Background())
	if err != nil {
		return err
	}
	fmt.Printf("process 2: resumed from the key: %s is %s\n", inst.ID, inst.Status)
	releaseKey := string(saved) + "-release"
	if err := os.WriteFile(keyFile, []byte(releaseKey), 0o600); err != nil {
		return err
	}
	rel, err := second.StartRelease(context.Background(), inst.ID, alb.ReleaseOptions{IdempotencyKey: releaseKey})
	if err != nil {
		return err
	}
	fmt.Printf("process 2: release key persisted, delete sent (job %s), then died\n", rel.JobID())

	// Process 3: finish the release from the instance ID and the key.
	third, err := newClient(srv)
	if err != nil {
		return err
	}
	saved, err = os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	resumed, err := third.ResumeRelease(context.Background(), inst.ID, string(saved), alb.ReleaseOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("process 3: resumed the release (same job: %v)\n", resumed.JobID() == rel.JobID())
	srv.AdvanceAll() // the service finishes deleting
	if _, err := resumed.Wait(context.Background()); err != nil {
		return err
	}
	fmt.Printf("instances created in all: %d, left: %d\n", srv.Created(), srv.Live())
	if srv.Created() != 1 || srv.Live() != 0 || resumed.JobID() != rel.JobID() {
		return errors.New("the crash-safe pattern did not hold")
	}
	return nil
}
