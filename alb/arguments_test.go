package alb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// idMethods calls every Client method that takes an instance ID with id.
func idMethods(c *alb.Client) map[string]func(ctx context.Context, id string) error {
	zone := alb.Zone(albtest.ZoneJ, albtest.VSwitchJ)
	return map[string]func(ctx context.Context, id string) error{
		"Get":             func(ctx context.Context, id string) error { _, err := c.Get(ctx, id); return err },
		"WaitUntilActive": func(ctx context.Context, id string) error { _, err := c.WaitUntilActive(ctx, id); return err },
		"Rename":          func(ctx context.Context, id string) error { _, err := c.Rename(ctx, id, "web"); return err },
		"AddTags": func(ctx context.Context, id string) error {
			_, err := c.AddTags(ctx, id, []alb.Tag{{Key: "k", Value: "v"}})
			return err
		},
		"RemoveTags": func(ctx context.Context, id string) error { _, err := c.RemoveTags(ctx, id, []string{"k"}); return err },
		"PlanEditionUpgrade": func(ctx context.Context, id string) error {
			_, err := c.PlanEditionUpgrade(ctx, id, alb.EditionStandard)
			return err
		},
		"UpgradeEdition": func(ctx context.Context, id string) error {
			_, err := c.UpgradeEdition(ctx, id, alb.EditionStandard)
			return err
		},
		"AttachBandwidthPackage": func(ctx context.Context, id string) error {
			_, err := c.AttachBandwidthPackage(ctx, id, albtest.DefaultBandwidthPackageID)
			return err
		},
		"DetachBandwidthPackage": func(ctx context.Context, id string) error { _, err := c.DetachBandwidthPackage(ctx, id); return err },
		"EnableIPv6Internet":     func(ctx context.Context, id string) error { _, err := c.EnableIPv6Internet(ctx, id); return err },
		"DisableIPv6Internet":    func(ctx context.Context, id string) error { _, err := c.DisableIPv6Internet(ctx, id); return err },
		"MoveResourceGroup": func(ctx context.Context, id string) error {
			_, err := c.MoveResourceGroup(ctx, id, "rg-x")
			return err
		},
		"UpdateZones": func(ctx context.Context, id string) error { _, err := c.UpdateZones(ctx, id, twoZones()); return err },
		"AddZone":     func(ctx context.Context, id string) error { _, err := c.AddZone(ctx, id, zone); return err },
		"RemoveZone":  func(ctx context.Context, id string) error { _, err := c.RemoveZone(ctx, id, albtest.ZoneH); return err },
		"UpdateAddressType": func(ctx context.Context, id string) error {
			_, err := c.UpdateAddressType(ctx, id, alb.Intranet, nil)
			return err
		},
		"BindEIP": func(ctx context.Context, id string) error {
			_, err := c.BindEIP(ctx, id, albtest.ZoneH, albtest.EIPTraffic1)
			return err
		},
		"EnableDeletionProtection":  func(ctx context.Context, id string) error { return c.EnableDeletionProtection(ctx, id) },
		"DisableDeletionProtection": func(ctx context.Context, id string) error { return c.DisableDeletionProtection(ctx, id) },
		"EnableReadOnly":            func(ctx context.Context, id string) error { return c.EnableReadOnly(ctx, id, "frozen") },
		"DisableReadOnly":           func(ctx context.Context, id string) error { return c.DisableReadOnly(ctx, id) },
		"PlanRelease":               func(ctx context.Context, id string) error { _, err := c.PlanRelease(ctx, id); return err },
		"Release": func(ctx context.Context, id string) error {
			res, err := c.Release(ctx, id, alb.ReleaseOptions{})
			if err == nil && res != nil && res.AlreadyGone {
				return errors.New("reported already gone")
			}
			return err
		},
		"StartRelease": func(ctx context.Context, id string) error {
			_, err := c.StartRelease(ctx, id, alb.ReleaseOptions{})
			return err
		},
		"ResumeRelease": func(ctx context.Context, id string) error {
			_, err := c.ResumeRelease(ctx, id, "key-1", alb.ReleaseOptions{})
			return err
		},
		"ReleaseMany": func(ctx context.Context, id string) error {
			for out := range c.ReleaseMany(ctx, []alb.ReleaseRequest{{ID: id}}, alb.BulkOptions{}) {
				if out.State != alb.ItemNotStarted {
					return errors.New("item state " + string(out.State))
				}
				return out.Err
			}
			return errors.New("no outcome")
		},
		"Ensure": func(ctx context.Context, id string) error {
			_, err := c.Ensure(ctx, basicSpec(), alb.EnsureInstance(id))
			return err
		},
		"PlanEnsure": func(ctx context.Context, id string) error {
			_, err := c.PlanEnsure(ctx, basicSpec(), alb.EnsureInstance(id))
			return err
		},
	}
}

// Issue 17 item 2: an argument that cannot be an ALB instance ID is an
// *ArgumentError naming the argument, before any call, in every method
// that takes one; a well-formed ID that does not exist is still "already
// gone" for a release.
func TestMalformedInstanceIDRefusedBeforeAnyCall(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	for _, id := range []string{"foo", "   ", "lsn-123", "alb-", "alb-a b", "ALB-abc", " alb-abc"} {
		for name, call := range idMethods(c) {
			err := call(ctx, id)
			var ae *alb.ArgumentError
			if !errors.As(err, &ae) || !errors.Is(err, alb.ErrInvalidArgument) || ae.Argument != "id" {
				t.Errorf("%s(%q) = %v, want an *ArgumentError for argument id", name, id, err)
			} else if ae.Operation != name {
				t.Errorf("%s(%q) = %v, names operation %s", name, id, err, ae.Operation)
			}
		}
	}
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("%d API calls for malformed IDs, want none", n)
	}
	res, err := c.Release(ctx, "alb-doesnotexist0000", alb.ReleaseOptions{})
	if err != nil || res == nil || !res.AlreadyGone {
		t.Fatalf("Release of a well-formed unknown ID = %+v, %v; want already gone", res, err)
	}
}

// Issue 17 item 3: no exported function panics on a nil instance; each
// returns its documented zero result or an error.
func TestNilInstanceArguments(t *testing.T) {
	spec := basicSpec()
	if got := alb.CNAMERecord("www.example.com", nil); got != "" {
		t.Errorf("CNAMERecord(nil) = %q, want \"\"", got)
	}
	if got := alb.CNAMERecord("www.example.com", &alb.Instance{}); got != "" {
		t.Errorf("CNAMERecord(no DNS name) = %q, want \"\"", got)
	}
	p := alb.Diff(spec, nil)
	if p != nil {
		t.Errorf("Diff(spec, nil) = %v, want nil", p)
	}
	if p.Empty() || p.String() == "" {
		t.Errorf("nil plan: Empty %v, String %q", p.Empty(), p.String())
	}
	if got := alb.SpecFromInstance(nil); got.VPCID != "" || len(got.ZoneMappings) != 0 {
		t.Errorf("SpecFromInstance(nil) = %+v, want the zero spec", got)
	}
	err := alb.CheckIPVersionChange(nil, alb.DualStack)
	var ae *alb.ArgumentError
	if !errors.As(err, &ae) || ae.Argument != "inst" || !errors.Is(err, alb.ErrInvalidArgument) {
		t.Errorf("CheckIPVersionChange(nil) = %v, want an *ArgumentError for inst", err)
	}
}

// Issue 17 items 4 and 5: every option given a value out of its range, and
// every error of NewClient itself, is an *ArgumentError matching
// ErrInvalidArgument that names the option and the argument; none is
// replaced by a default.
func TestOptionErrorsMatchErrInvalidArgument(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	id, secret := srv.Credentials()
	base := []alb.Option{alb.WithRegion(albtest.DefaultRegion), alb.WithAccessKey(id, secret)}
	cases := map[string]struct {
		opts      []alb.Option
		op, field string
	}{
		"no region":                  {[]alb.Option{alb.WithAccessKey(id, secret)}, "NewClient", "region"},
		"nil option":                 {append(base, nil), "NewClient", "opts"},
		"empty region":               {[]alb.Option{alb.WithRegion("")}, "WithRegion", "region"},
		"empty endpoint":             {append(base, alb.WithEndpoint("")), "WithEndpoint", "endpoint"},
		"endpoint scheme":            {append(base, alb.WithEndpoint("ftp://127.0.0.1:21")), "WithEndpoint", "endpoint"},
		"endpoint path":              {append(base, alb.WithEndpoint("http://127.0.0.1:8686/api")), "WithEndpoint", "endpoint"},
		"endpoint not a host":        {append(base, alb.WithEndpoint("127.0.0.1:8686/api")), "WithEndpoint", "endpoint"},
		"protocol":                   {append(base, alb.WithProtocol("tcp")), "WithProtocol", "protocol"},
		"empty access key id":        {[]alb.Option{alb.WithRegion(albtest.DefaultRegion), alb.WithAccessKey("", secret)}, "WithAccessKey", "accessKeyID"},
		"empty access key secret":    {[]alb.Option{alb.WithRegion(albtest.DefaultRegion), alb.WithAccessKey(id, "")}, "WithAccessKey", "accessKeySecret"},
		"empty security token":       {[]alb.Option{alb.WithRegion(albtest.DefaultRegion), alb.WithSTSToken(id, secret, "")}, "WithSTSToken", "securityToken"},
		"nil credential":             {append(base, alb.WithCredential(nil)), "WithCredential", "cred"},
		"nil openapi config":         {append(base, alb.WithOpenAPIConfig(nil)), "WithOpenAPIConfig", "cfg"},
		"zero connect timeout":       {append(base, alb.WithTimeouts(0, time.Second)), "WithTimeouts", "connect"},
		"negative read timeout":      {append(base, alb.WithTimeouts(time.Second, -time.Second)), "WithTimeouts", "read"},
		"negative max attempts":      {append(base, alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: -1})), "WithRetryPolicy", "RetryPolicy.MaxAttempts"},
		"negative initial interval":  {append(base, alb.WithRetryPolicy(alb.RetryPolicy{InitialInterval: -time.Second})), "WithRetryPolicy", "RetryPolicy.InitialInterval"},
		"negative throttle interval": {append(base, alb.WithRetryPolicy(alb.RetryPolicy{ThrottleInterval: -time.Second})), "WithRetryPolicy", "RetryPolicy.ThrottleInterval"},
		"negative max interval":      {append(base, alb.WithRetryPolicy(alb.RetryPolicy{MaxInterval: -time.Second})), "WithRetryPolicy", "RetryPolicy.MaxInterval"},
		"negative max elapsed":       {append(base, alb.WithRetryPolicy(alb.RetryPolicy{MaxElapsed: -time.Second})), "WithRetryPolicy", "RetryPolicy.MaxElapsed"},
		"zero rate":                  {append(base, alb.WithRateLimit(0, 1)), "WithRateLimit", "rps"},
		"zero burst":                 {append(base, alb.WithRateLimit(1, 0)), "WithRateLimit", "burst"},
		"negative max wait":          {append(base, alb.WithWaitOptions(alb.WaitOptions{MaxWait: -time.Second})), "WithWaitOptions", "WaitOptions.MaxWait"},
		"negative min delay":         {append(base, alb.WithWaitOptions(alb.WaitOptions{MinDelay: -time.Second})), "WithWaitOptions", "WaitOptions.MinDelay"},
		"nil clock":                  {append(base, alb.WithClock(nil)), "WithClock", "clk"},
		"empty retryable code":       {append(base, alb.WithRetryableCodes("")), "WithRetryableCodes", "codes"},
		"nil resolver":               {append(base, alb.WithResolver(nil)), "WithResolver", "r"},
		"zero quota":                 {append(base, alb.WithLoadBalancerQuota(0)), "WithLoadBalancerQuota", "n"},
		"zero preflight timeout":     {append(base, alb.WithPreflightTimeout(0)), "WithPreflightTimeout", "d"},
		"negative facts TTL":         {append(base, alb.WithPreflightFactsTTL(-time.Second)), "WithPreflightFactsTTL", "d"},
	}
	for name, tc := range cases {
		c, err := alb.NewClient(tc.opts...)
		var ae *alb.ArgumentError
		if c != nil || !errors.Is(err, alb.ErrInvalidArgument) || !errors.As(err, &ae) || ae.Operation != tc.op || ae.Argument != tc.field {
			t.Errorf("%s: NewClient = %v, %v; want an *ArgumentError of %s for %s", name, c, err, tc.op, tc.field)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("%d API calls", n)
	}
}

// Issue 17 item 4: a call's own wait options are checked like the
// client's, before any call.
func TestNegativeWaitOptionRefusedBeforeAnyCall(t *testing.T) {
	srv, c := mgEnv(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"Rename": func() error { _, err := c.Rename(ctx, "alb-x", "web", alb.WithMaxWait(-time.Second)); return err }(),
		"WaitUntilActive": func() error {
			_, err := c.WaitUntilActive(ctx, "alb-x", alb.WithDelays(-time.Second, time.Second))
			return err
		}(),
		"EnableDeletionProtection": func() error {
			return c.EnableDeletionProtection(ctx, "alb-x", alb.WithMaxWait(-time.Second))
		}(),
		"Release": func() error {
			_, err := c.Release(ctx, "alb-x", alb.ReleaseOptions{Wait: []alb.WaitOption{alb.WithMaxWait(-time.Second)}})
			return err
		}(),
		"Ensure": func() error {
			_, err := c.Ensure(ctx, basicSpec().WithIdempotencyKey("k-1"), alb.EnsureWait(alb.WithMaxWait(-time.Second)))
			return err
		}(),
	} {
		var ae *alb.ArgumentError
		if !errors.As(err, &ae) || ae.Argument != "WaitOptions.MaxWait" && ae.Argument != "WaitOptions.MinDelay" {
			t.Errorf("%s with a negative wait option = %v, want an *ArgumentError naming it", name, err)
		}
	}
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("%d API calls", n)
	}
}

// Issue 17 item 4: WithEndpoint takes a URL and sets the protocol from it.
func TestWithEndpointTakesURL(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	id, secret := srv.Credentials()
	c, err := alb.NewClient(alb.WithRegion(albtest.DefaultRegion), alb.WithEndpoint("http://"+srv.Endpoint()+"/"),
		alb.WithAccessKey(id, secret), alb.WithRetryPolicy(alb.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "alb-doesnotexist0000")
	if !errors.Is(err, alb.ErrNotFound) || srv.Count("GetLoadBalancerAttribute") != 1 {
		t.Fatalf("Get through a URL endpoint = %v (%d calls served), want the emulator's not-found answer", err, srv.Count("GetLoadBalancerAttribute"))
	}
}

// Issue 17 item 7: ListFilter's documented limits refuse locally with
// ErrInvalidArgument (not ErrInvalidSpec: a filter is not a spec), before
// any call.
func TestListFilterLimitsRefusedLocally(t *testing.T) {
	srv, c := mgEnv(t)
	n := func(k int, f func(i int) string) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	var tags []alb.Tag
	for i := range 21 {
		tags = append(tags, alb.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
	}
	for field, f := range map[string]alb.ListFilter{
		"ListFilter.IDs":         {IDs: n(25, func(i int) string { return fmt.Sprintf("alb-%d", i) })},
		"ListFilter.Names":       {Names: n(11, func(i int) string { return fmt.Sprintf("web%d", i) })},
		"ListFilter.VPCIDs":      {VPCIDs: n(11, func(i int) string { return fmt.Sprintf("vpc-%d", i) })},
		"ListFilter.Tags":        {Tags: tags},
		"ListFilter.PageSize":    {PageSize: 101},
		"ListFilter.AddressType": {AddressType: "Public"},
	} {
		for _, err := range c.List(context.Background(), f) {
			var ae *alb.ArgumentError
			if !errors.As(err, &ae) || ae.Argument != field || !errors.Is(err, alb.ErrInvalidArgument) || errors.Is(err, alb.ErrInvalidSpec) {
				t.Errorf("List(%s over the limit) = %v, want an *ArgumentError for %s", field, err, field)
			}
			break
		}
	}
	if n := srv.TotalCalls(); n != 0 {
		t.Fatalf("%d API calls", n)
	}
	// At the limits the filters go through.
	for _, err := range c.List(context.Background(), alb.ListFilter{IDs: n(20, func(i int) string { return fmt.Sprintf("alb-%d", i) }), PageSize: 100}) {
		t.Fatalf("List at the limits: %v", err)
	}
}
