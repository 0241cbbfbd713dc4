package alb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// sweepClockEnv starts an emulator and a client on one manual clock (sleeps
// advance it), so that instances can be aged.
func sweepClockEnv(t *testing.T) (*albtest.Server, *alb.Client, *albtest.ManualClock) {
	t.Helper()
	clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
	// Signatures carry wall time; the server checks them against its clock.
	srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithTransitions(albtest.Immediate()), albtest.WithMaxSkew(1000*time.Hour))
	t.Cleanup(srv.Close)
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clk
}

func sweepActive(t *testing.T, c *alb.Client, spec alb.InstanceSpec) *alb.Instance {
	t.Helper()
	_, inst := createActive(t, c, spec)
	return inst
}

// A sweep is a dry run by default: it shows what it would release and
// changes nothing; protected and managed instances are refused unless
// allowed, with typed errors; released ones take their EIPs with them.
func TestSweepDryRunThenRelease(t *testing.T) {
	srv, c, _ := sweepClockEnv(t)
	ctx := context.Background()
	eipsBefore := len(srv.EIPs())
	plain1 := sweepActive(t, c, basicSpec().WithName("sw-a").WithTag("team", "blue"))
	plain2 := sweepActive(t, c, basicSpec().WithName("sw-b").WithTag("team", "blue"))
	protected := sweepActive(t, c, basicSpec().WithName("sw-c").WithTag("team", "blue").WithDeletionProtection())
	ackd := sweepActive(t, c, basicSpec().WithName("sw-d").WithTag("team", "blue").WithTag("ack.aliyun.com", "c-123"))
	other := sweepActive(t, c, basicSpec().WithName("sw-e").WithTag("team", "red"))

	deletesBefore := srv.Count("DeleteLoadBalancer")
	res, err := c.Sweep(ctx, alb.SweepFilter{Tags: []alb.Tag{{Key: "team", Value: "blue"}}}, alb.SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.DryRun || len(res.Items) != 4 || res.WouldRelease != 2 || res.Refused != 2 || res.Released != 0 {
		t.Fatalf("dry run: %+v", res)
	}
	if srv.Live() != 5 || srv.Count("DeleteLoadBalancer") != deletesBefore || srv.Count("DisableDeletionProtection") != 0 {
		t.Fatalf("a dry run changed something: live %d", srv.Live())
	}
	for _, it := range res.Items {
		if it.Plan == nil || !it.Plan.Exists || it.Instance.ID == other.ID {
			t.Fatalf("item %v", it)
		}
		switch it.Instance.ID {
		case protected.ID:
			if !errors.Is(it.Err, alb.ErrDeletionProtected) || it.Action != alb.SweepRefused {
				t.Fatalf("protected: %v", it)
			}
		case ackd.ID:
			var re *alb.RefusedError
			if !errors.Is(it.Err, alb.ErrManagedByService) || !errors.As(it.Err, &re) || it.Action != alb.SweepRefused {
				t.Fatalf("managed: %v", it)
			}
		case plain1.ID, plain2.ID:
			if it.Action != alb.SweepWouldRelease || len(it.Plan.EIPs) != 2 {
				t.Fatalf("plain: %v", it)
			}
		}
	}

	res, err = c.Sweep(ctx, alb.SweepFilter{Tags: []alb.Tag{{Key: "team", Value: "blue"}}}, alb.SweepOptions{Release: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.DryRun || res.Released != 2 || res.Refused != 2 || srv.Live() != 3 {
		t.Fatalf("release: %+v, live %d", res, srv.Live())
	}
	for _, it := range res.Items {
		if it.Action == alb.SweepReleased && (it.State != alb.ItemReleased || it.Token == "" || it.Result == nil) {
			t.Fatalf("released item %v", it)
		}
	}

	res, err = c.Sweep(ctx, alb.SweepFilter{Tags: []alb.Tag{{Key: "team", Value: "blue"}}},
		alb.SweepOptions{Release: true, AllowDeletionProtected: true, AllowManagedByService: true})
	if err != nil || res.Released != 2 || srv.Live() != 1 {
		t.Fatalf("allowed: %+v, %v, live %d", res, err, srv.Live())
	}
	if _, err := c.Release(ctx, other.ID, alb.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(srv.EIPs()) != eipsBefore {
		t.Fatalf("EIPs %d, before %d", len(srv.EIPs()), eipsBefore)
	}
}

// Name prefix and age select together; age is read from CreatedAt and the
// client's clock.
func TestSweepByNamePrefixAndAge(t *testing.T) {
	srv, c, clk := sweepClockEnv(t)
	ctx := context.Background()
	old := sweepActive(t, c, basicSpec().WithName("ci-old"))
	clk.Advance(3 * time.Hour)
	young := sweepActive(t, c, basicSpec().WithName("ci-young"))
	keep := sweepActive(t, c, basicSpec().WithName("prod-old"))
	_ = keep
	res, err := c.Sweep(ctx, alb.SweepFilter{NamePrefix: "ci-", OlderThan: 2 * time.Hour}, alb.SweepOptions{Release: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].Instance.ID != old.ID || res.Released != 1 || res.Items[0].Age < 3*time.Hour {
		t.Fatalf("%+v", res)
	}
	res, err = c.Sweep(ctx, alb.SweepFilter{NamePrefix: "ci-"}, alb.SweepOptions{})
	if err != nil || len(res.Items) != 1 || res.Items[0].Instance.ID != young.ID {
		t.Fatalf("%+v %v", res, err)
	}
	if srv.Live() != 2 {
		t.Fatalf("live %d", srv.Live())
	}
}

// Orphans: instances albkit created, older than MinAge, never marked
// owned (no owner tag, not claimed by Owned); a CreateFailed one is an
// orphan whatever its tags.
func TestSweepFindsOrphans(t *testing.T) {
	srv, c, clk := sweepClockEnv(t)
	ctx := context.Background()
	owned := sweepActive(t, c, basicSpec().WithName("owned").WithTag("owner", "ctrl-1"))
	orphan := sweepActive(t, c, basicSpec().WithName("orphan"))
	claimed := sweepActive(t, c, basicSpec().WithName("claimed"))
	srv.FailNextCreate()
	op, err := c.Create(ctx, basicSpec().WithName("failed").WithTag("owner", "ctrl-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Wait(ctx); !errors.Is(err, alb.ErrCreateFailed) {
		t.Fatalf("want CreateFailed, got %v", err)
	}
	clk.Advance(2 * time.Hour)
	young := sweepActive(t, c, basicSpec().WithName("young"))
	_ = young
	rule := &alb.OrphanRule{MinAge: time.Hour, OwnerTagKey: "owner", Owned: func(i *alb.Instance) bool { return i.Token() == claimed.Token() }}
	res, err := c.Sweep(ctx, alb.SweepFilter{Orphans: rule}, alb.SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, it := range res.Items {
		if !it.Orphan {
			t.Fatalf("not marked orphan: %v", it)
		}
		got[it.Instance.ID] = true
	}
	if len(got) != 2 || !got[orphan.ID] || !got[op.ID()] || got[owned.ID] {
		t.Fatalf("orphans %v (orphan %s, failed %s)", got, orphan.ID, op.ID())
	}
	res, err = c.Sweep(ctx, alb.SweepFilter{Orphans: rule}, alb.SweepOptions{Release: true})
	if err != nil || res.Released != 2 || srv.Live() != 3 {
		t.Fatalf("%+v %v live %d", res, err, srv.Live())
	}
}

// A filter that would select everything, or an orphan rule that cannot
// tell owners, is refused before any call.
func TestSweepRefusesUnboundedFilters(t *testing.T) {
	srv, c, _ := sweepClockEnv(t)
	for name, f := range map[string]alb.SweepFilter{
		"empty":    {},
		"age only": {OlderThan: time.Hour},
		"no owner": {Orphans: &alb.OrphanRule{}},
		"negative": {NamePrefix: "x", OlderThan: -time.Second},
		"vpc only": {VPCIDs: []string{albtest.DefaultVPCID}},
	} {
		_, err := c.Sweep(context.Background(), f, alb.SweepOptions{Release: true})
		var ae *alb.ArgumentError
		if !errors.As(err, &ae) || !errors.Is(err, alb.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if srv.TotalCalls() != 0 {
		t.Fatalf("%d calls", srv.TotalCalls())
	}
}
