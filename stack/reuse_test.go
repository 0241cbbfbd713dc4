package stack_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/stack"
)

// A stack destroyed and applied again with the same key (the everyday
// loop of a test environment) is made again, new resources under the
// same keys, though the service answers each key's first ClientToken with
// the resource it made before; then a second apply writes nothing, and a
// third round (the keys' third tokens) too. The client's not-found grace
// is an hour: a deleted resource is recognised by its delete job, not
// waited out.
func TestApplyAfterDestroyWithTheSameKey(t *testing.T) {
	srv := albtest.NewServer()
	t.Cleanup(srv.Close)
	c, err := srv.Client(alb.WithWaitOptions(alb.WaitOptions{MinDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, NotFoundGrace: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := webStack()
	s.SecurityPolicies = []alb.SecurityPolicySpec{alb.NewSecurityPolicySpec("pol", []alb.TLSVersion{alb.TLS12}, alb.Ciphers(alb.TLS12)[:2]...)}
	seen := map[string]bool{}
	for round := 1; round <= 3; round++ {
		res, err := s.Apply(ctx, c, stack.Options{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		ids := res.IDs()
		if len(ids) != 5 {
			t.Fatalf("round %d: ids %v", round, ids)
		}
		for item, id := range ids {
			if id == "" || seen[id] {
				t.Fatalf("round %d: %s is %q, made before or empty (%v)", round, item, id, ids)
			}
			seen[id] = true
		}
		if len(srv.ServerGroups()) != 2 || len(srv.Listeners()) != 1 || liveInstances(srv) != 1 || len(srv.Rules(ids["listener/http"])) != 2 {
			t.Fatalf("round %d: %d groups, %d listeners, %d instances, %d rules", round,
				len(srv.ServerGroups()), len(srv.Listeners()), liveInstances(srv), len(srv.Rules(ids["listener/http"])))
		}
		w := writes(srv)
		if again, err := s.Apply(ctx, c, stack.Options{}); err != nil || len(again.Calls()) != 0 || writes(srv) != w {
			t.Fatalf("round %d: a second apply: %v, calls %v", round, err, again.Calls())
		}
		if _, err := s.Destroy(ctx, c, stack.Options{}); err != nil {
			t.Fatalf("round %d: destroy: %v", round, err)
		}
		if len(srv.ServerGroups()) != 0 || len(srv.Listeners()) != 0 || liveInstances(srv) != 0 {
			t.Fatalf("round %d: destroy left %d groups, %d listeners, %d instances", round,
				len(srv.ServerGroups()), len(srv.Listeners()), liveInstances(srv))
		}
	}
}

// A listener starts as soon as the groups it uses exist, while their
// servers are still being added: the emulator holds every change
// (Configuring) until the test lets it go, and the listener's start is
// seen before any of it is let go.
func TestListenerStartsWhileServersAreAdded(t *testing.T) {
	srv, c := env(t, albtest.WithTransition(albtest.PhaseConfiguring, albtest.Manual()))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	started := make(chan struct{})
	var once sync.Once
	opts := stack.Options{Progress: func(e stack.Event) {
		if e.Kind == stack.EventStart && e.Item == "listener http" {
			once.Do(func() { close(started) })
		}
	}}
	done := make(chan error, 1)
	go func() {
		_, err := webStack().Apply(ctx, c, opts)
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("apply ended (%v) without the listener starting first", err)
	}
	for _, g := range srv.ServerGroups() {
		if len(g.Servers) == 0 {
			continue
		}
		for _, m := range g.Servers {
			if m.Status == "Available" {
				t.Fatalf("group %s has member %+v Available before any change was let go", g.Name, m)
			}
		}
	}
	for {
		srv.AdvanceAll()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}
