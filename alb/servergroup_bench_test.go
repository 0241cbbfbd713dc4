package alb_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// Adding 1,000 servers to a group (issue 18): the calls made and the
// service time against the minimum the per-call limit (200 servers) and
// the service allow. The group takes one change at a time and each change
// is Configuring for addServersChange, so the minimum is five changes one
// after the other; the writes are rate-limited at addServersRPS per
// second (burst 1), the reads at 50. The clock runs ten times faster than
// the wall clock.
const (
	addServersN      = 1000
	addServersChange = 3 * time.Second // service time a membership change is Configuring
	addServersRPS    = 2               // AddServersToServerGroup per second
)

func addServersServer(clk albtest.Clock) *albtest.Server {
	return albtest.NewServer(albtest.WithClock(clk), albtest.WithMaxSkew(time.Hour), albtest.WithRequestLogLimit(100000),
		albtest.WithRateLimit("", 50, 50), albtest.WithRateLimit("AddServersToServerGroup", addServersRPS, 1),
		albtest.WithTransition(albtest.PhaseConfiguring, albtest.AfterDuration(addServersChange)))
}

// addServersMinimum is the least service time: one change per 200 servers,
// each Configuring for addServersChange (the rate limit of the calls is
// looser than that).
func addServersMinimum() time.Duration {
	calls := (addServersN + alb.MaxServersPerCall - 1) / alb.MaxServersPerCall
	return time.Duration(calls) * max(addServersChange, time.Second/addServersRPS)
}

func BenchmarkAddServers(b *testing.B) {
	servers := make([]alb.Server, addServersN)
	for i := range servers {
		servers[i] = alb.IPServer(fmt.Sprintf("10.0.%d.%d", 1+i/250, 1+i%250), 8080)
	}
	report := func(b *testing.B, srv *albtest.Server, before map[string]int, took time.Duration) {
		calls := srv.Calls()
		for a, n := range before {
			calls[a] -= n
		}
		total := 0
		names := make([]string, 0, len(calls))
		for a, n := range calls {
			if n > 0 {
				total += n
				names = append(names, fmt.Sprintf("%s=%d", a, n))
			}
		}
		sort.Strings(names)
		b.ReportMetric(took.Seconds(), "svc-s")
		b.ReportMetric(took.Seconds()/addServersMinimum().Seconds(), "x-minimum")
		b.ReportMetric(float64(total), "calls")
		b.ReportMetric(float64(calls["AddServersToServerGroup"]), "add-calls")
		b.Logf("%d servers in %s of service time (minimum %s), %d calls: %v", addServersN, took.Round(time.Millisecond), addServersMinimum(), total, names)
	}
	setup := func(b *testing.B) (*scaledClock, *albtest.Server, *alb.Client, string, map[string]int) {
		clk := newScaledClock(10)
		srv := addServersServer(clk)
		c, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()), alb.WithClock(clk))
		if err != nil {
			b.Fatal(err)
		}
		sg, err := c.ServerGroups().Create(context.Background(), alb.NewServerGroupSpec("bench", alb.ServerGroupIP, albtest.DefaultVPCID))
		if err != nil {
			b.Fatal(err)
		}
		return clk, srv, c, sg.ID, srv.Calls()
	}
	// albkit's AddServers with the defaults users get.
	b.Run("impl=albkit", func(b *testing.B) {
		for b.Loop() {
			clk, srv, c, id, before := setup(b)
			start := clk.Now()
			members, err := c.ServerGroups().AddServers(context.Background(), id, servers)
			took := clk.Now().Sub(start)
			if err != nil || len(members) != addServersN {
				b.Fatalf("%d members: %v", len(members), err)
			}
			report(b, srv, before, took)
			srv.Close()
		}
	})
	// The ingress controller's way: batches of 30, each waited for by
	// polling the servers every second until they are Available.
	b.Run("impl=controller", func(b *testing.B) {
		for b.Loop() {
			clk, srv, _, id, before := setup(b)
			sdk := srv.ALBClient()
			start := clk.Now()
			for i := 0; i < addServersN; i += 30 {
				batch := servers[i:min(i+30, addServersN)]
				for {
					_, err := sdk.AddServersToServerGroup(alb.AddServersRequestForTest(id, batch, "", false))
					if err == nil {
						break
					}
					_ = clk.Sleep(context.Background(), time.Second) // busy or throttled: again in a second
				}
				for {
					_ = clk.Sleep(context.Background(), time.Second)
					r, err := sdk.ListServerGroups(&albsdk.ListServerGroupsRequest{ServerGroupIds: []*string{tea.String(id)}})
					if err == nil && len(r.Body.ServerGroups) == 1 && tea.StringValue(r.Body.ServerGroups[0].ServerGroupStatus) == "Available" {
						break
					}
				}
			}
			report(b, srv, before, clk.Now().Sub(start))
			srv.Close()
		}
	})
}
