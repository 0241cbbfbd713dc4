package alb_test

import (
	"context"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Issue 17 item 11: deletion protection and the read-only mode, asked of
// an instance that another change keeps Configuring for 6 s, wait until it
// is Active and send again, as the other management operations do,
// instead of giving up after their retries (about 3 s).
func TestProtectionChangesWaitOutConfiguring(t *testing.T) {
	for name, do := range map[string]func(ctx context.Context, c *alb.Client, id string) (func(*alb.Instance) bool, error){
		"EnableDeletionProtection": func(ctx context.Context, c *alb.Client, id string) (func(*alb.Instance) bool, error) {
			return func(i *alb.Instance) bool { return i.DeletionProtection }, c.EnableDeletionProtection(ctx, id)
		},
		"DisableDeletionProtection": func(ctx context.Context, c *alb.Client, id string) (func(*alb.Instance) bool, error) {
			return func(i *alb.Instance) bool { return !i.DeletionProtection }, c.DisableDeletionProtection(ctx, id)
		},
		"EnableReadOnly": func(ctx context.Context, c *alb.Client, id string) (func(*alb.Instance) bool, error) {
			return func(i *alb.Instance) bool { return i.ReadOnly.Enabled }, c.EnableReadOnly(ctx, id, "frozen")
		},
		"DisableReadOnly": func(ctx context.Context, c *alb.Client, id string) (func(*alb.Instance) bool, error) {
			return func(i *alb.Instance) bool { return !i.ReadOnly.Enabled }, c.DisableReadOnly(ctx, id)
		},
	} {
		t.Run(name, func(t *testing.T) {
			clk := albtest.NewManualClock(time.Time{}, albtest.AutoAdvance())
			srv := albtest.NewServer(albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseConfiguring, albtest.AfterDuration(6*time.Second)))
			defer srv.Close()
			c := testClient(t, srv)
			ctx := context.Background()
			spec := basicSpec()
			if name[0] == 'D' { // start from the state to turn off
				spec = spec.WithDeletionProtection().WithReadOnly("frozen")
			}
			inst := mustActive(t, c, spec)
			// Another writer starts a change: Configuring for 6 s.
			if _, err := srv.ALBClient().UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{
				LoadBalancerId: tea.String(inst.ID), LoadBalancerName: tea.String("other-writer")}); err != nil {
				t.Fatal(err)
			}
			start := clk.Now()
			shows, err := do(ctx, c, inst.ID)
			if err != nil {
				t.Fatalf("%s on a Configuring instance: %v", name, err)
			}
			if clk.Now().Sub(start) < 6*time.Second {
				t.Fatalf("done after %s, before the other change ended", clk.Now().Sub(start))
			}
			now, err := c.Get(ctx, inst.ID)
			if err != nil || !shows(now) || now.Name != "other-writer" {
				t.Fatalf("instance after %s: %+v %v", name, now, err)
			}
		})
	}
}
