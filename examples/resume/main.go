// Command resume shows a create interrupted and resumed from its token.
//
// A first "process" sends the create, saves the operation's token to a file
// and stops before the instance is Active (as if it crashed). A second
// "process", with a new client, reads the token, rebuilds the operation with
// ResumeCreate, waits until Active and releases the instance. Exactly one
// instance is ever created. It runs against the in-process emulator:
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
	return alb.NewClient(alb.WithOpenAPIConfig(srv.Config()),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}))
}

func run() error {
	// Provisioning completes only when the emulator is told to, so the
	// first process really stops mid-create.
	srv, err := albtest.Start(albtest.WithTransition(albtest.PhaseProvisioning, albtest.Manual()))
	if err != nil {
		return err
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "albkit-resume")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tokenFile := filepath.Join(dir, "create.token")

	// Process 1: create, save the token, crash before Active.
	first, err := newClient(srv)
	if err != nil {
		return err
	}
	spec := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Intranet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName("resumable")
	op, err := first.Create(context.Background(), spec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(tokenFile, []byte(op.Token()), 0o600); err != nil {
		return err
	}
	fmt.Printf("process 1: create accepted, %s, token saved\n", op.ID())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err = op.Wait(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("expected the first wait to be cut short, got %v", err)
	}
	fmt.Println("process 1: stopped while the instance is still Provisioning")

	// Process 2: a new client with nothing but the saved token.
	second, err := newClient(srv)
	if err != nil {
		return err
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return err
	}
	resumed, err := second.ResumeCreate(context.Background(), string(token), nil)
	if err != nil {
		return err
	}
	fmt.Printf("process 2: resumed from the token: %s (same instance: %v)\n", resumed.ID(), resumed.ID() == op.ID())
	srv.AdvanceAll() // the service finishes provisioning
	inst, err := resumed.Wait(context.Background())
	if err != nil {
		return err
	}
	fmt.Printf("process 2: %s is %s\n", inst.ID, inst.Status)
	if _, err := second.Release(context.Background(), inst.ID, alb.ReleaseOptions{}); err != nil {
		return err
	}
	fmt.Printf("instances created in all: %d, left: %d\n", srv.Created(), srv.Live())
	return nil
}
