package alb

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// A complete read reused.
//
// A release's plan needs the instance's zones and addresses (the EIPs it
// releases with the instance), which only GetLoadBalancerAttribute returns,
// one instance a call. A Client keeps the zones of the last complete read
// it made of each Active instance (Create's Wait ends with one) for
// reuseTTL, and a plan reuses them when the service's own record of
// changes says nothing since could have changed them: ListAsynJobs by the
// instance's ID (shared, up to 10 instances a call) lists no job created
// since the read (less reuseMargin, for clock skew) but the jobs of
// operations that cannot change zones or addresses (zoneNeutral). The rest
// of the instance (status, protection, DNS name, tags) comes fresh from the
// shared ListLoadBalancers polls. Any doubt is a complete read, as before:
// no entry, an instance not Active, a job of another operation, an error,
// a job list longer than reuseMaxPages pages. So a lifecycle (create, wait,
// protect, release) reads its instance once, not twice.
//
// What it relies on: every change of an instance's zones or addresses is an
// asynchronous job of the instance (UpdateLoadBalancerZones,
// UpdateLoadBalancerAddressTypeConfig, the IPv6 ones, return a JobId), and
// ListAsynJobs keeps jobs longer than reuseTTL (the emulator keeps the last
// albtest.DefaultJobHistoryLimit finished jobs; a much lower
// WithJobHistoryLimit can drop the job a reuse relies on). An EIP cannot be
// bound to an ALB instance through the VPC API.
const (
	// reuseTTL is how long a complete read may be reused.
	reuseTTL = 10 * time.Minute
	// reuseMargin widens the job window before the read (clock skew, and
	// a job still finishing when it was read).
	reuseMargin = 5 * time.Minute
	// reuseMax bounds the reads kept (the oldest is dropped first).
	reuseMax = 4096
	// reuseMaxPages bounds the pages of one ListAsynJobs answer.
	reuseMaxPages = 5
)

// zoneNeutral lists the operations whose jobs cannot change an instance's
// zones or addresses. A job of any other operation (one albkit does not
// know included) makes the plan read the instance again.
var zoneNeutral = map[string]bool{
	"CreateLoadBalancer": true, "UpdateLoadBalancerAttribute": true, "UpdateLoadBalancerEdition": true,
	"EnableLoadBalancerAccessLog": true, "DisableLoadBalancerAccessLog": true,
	"AttachCommonBandwidthPackageToLoadBalancer": true, "DetachCommonBandwidthPackageFromLoadBalancer": true,
	"EnableDeletionProtection": true, "DisableDeletionProtection": true,
}

// reads keeps the zones of complete reads of Active instances.
type reads struct {
	mu sync.Mutex
	m  map[string]keptRead
}

type keptRead struct {
	zones []InstanceZone
	at    time.Time // on the Client's clock
}

// keep records the zones of a complete read of inst made at at.
func (r *reads) keep(inst *Instance, at time.Time) {
	if inst == nil || inst.ID == "" || inst.Status != StatusActive {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]keptRead{}
	}
	if _, ok := r.m[inst.ID]; !ok && len(r.m) >= reuseMax {
		oldest := ""
		for id, k := range r.m {
			if oldest == "" || k.at.Before(r.m[oldest].at) {
				oldest = id
			}
		}
		delete(r.m, oldest)
	}
	r.m[inst.ID] = keptRead{zones: copyZones(inst.Zones), at: at}
}

// kept returns the zones of id's last complete read if it is recent.
func (r *reads) kept(id string, now time.Time) ([]InstanceZone, time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.m[id]
	if !ok || now.Sub(k.at) > reuseTTL {
		return nil, time.Time{}, false
	}
	return copyZones(k.zones), k.at, true
}

// forget drops id (released).
func (r *reads) forget(id string) {
	r.mu.Lock()
	delete(r.m, id)
	r.mu.Unlock()
}

func copyZones(zs []InstanceZone) []InstanceZone {
	out := slices.Clone(zs)
	for i := range out {
		out[i].Addresses = slices.Clone(out[i].Addresses)
	}
	return out
}

// resourceJob is one job of a resource, as ListAsynJobs by ResourceIds
// lists it.
type resourceJob struct {
	api     string
	created time.Time
}

// errJobsTruncated: a ListAsynJobs answer had more pages than read.
var errJobsTruncated = errors.New("alb: ListAsynJobs: more jobs than reuseMaxPages pages")

// resourceJobsKind reads the jobs of resources created in the last
// reuseTTL+reuseMargin (on clk) with ListAsynJobs by ResourceIds, 10 a
// call. Every resource asked for has an entry (none: no job).
func resourceJobsKind(clk Clock) kind[[]resourceJob] {
	return kind[[]resourceJob]{
		name: "resource jobs", action: "ListAsynJobs", maxIDs: 10,
		list: func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string][]resourceJob, error) {
			out := make(map[string][]resourceJob, len(ids))
			for _, id := range ids {
				out[id] = nil
			}
			begin := clk.Now().Add(-reuseTTL - reuseMargin).UnixMilli()
			var next *string
			for range reuseMaxPages {
				r, err := sdk.ListAsynJobsWithContext(ctx, &albsdk.ListAsynJobsRequest{ResourceIds: tea.StringSlice(ids),
					BeginTime: tea.Int64(begin), MaxResults: tea.Int64(100), NextToken: next}, rt)
				if err != nil {
					return nil, err
				}
				if r == nil || r.Body == nil {
					return nil, errors.New("the answer has no body")
				}
				for _, j := range r.Body.Jobs {
					if j == nil {
						continue
					}
					id := tea.StringValue(j.ResourceId)
					if _, asked := out[id]; asked {
						out[id] = append(out[id], resourceJob{api: tea.StringValue(j.ApiName), created: time.UnixMilli(tea.Int64Value(j.CreateTime))})
					}
				}
				if next = r.Body.NextToken; tea.StringValue(next) == "" {
					return out, nil
				}
			}
			return nil, errJobsTruncated
		},
	}
}

// planRead returns the instance a release plan judges: the zones of this
// Client's last complete read of it with the rest read fresh, when nothing
// since can have changed them (see above), or else a complete read.
func (c *Client) planRead(ctx context.Context, id string) (*Instance, error) {
	zones, at, ok := c.reads.kept(id, c.clock.Now())
	if !ok {
		return c.Get(ctx, id)
	}
	// The two reads at once, each shared with the other plans and waits of
	// the moment (a plan watches the jobs' polls while it reads them, so
	// that concurrent plans share their calls).
	type jobsRead struct {
		jobs []resourceJob
		err  error
	}
	ch := make(chan jobsRead, 1)
	go func() {
		defer c.resourceJobs.watch()()
		jobs, err := c.resourceJobs.get(ctx, id)
		ch <- jobsRead{jobs, err}
	}()
	inst, err := c.lbPolls.get(ctx, id)
	jr := <-ch
	if err != nil || inst.Status != StatusActive || jr.err != nil {
		return c.Get(ctx, id)
	}
	jobs := jr.jobs
	for _, j := range jobs {
		if !j.created.Before(at.Add(-reuseMargin)) && !zoneNeutral[j.api] {
			return c.Get(ctx, id)
		}
	}
	out := *inst
	out.Zones, out.RegionID = zones, c.region
	return &out, nil
}
