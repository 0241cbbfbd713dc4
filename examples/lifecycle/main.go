// Command lifecycle runs the whole albkit lifecycle: validate a spec,
// print its create plan (findings, side effects, the CIDR blocks backend
// security groups must allow), create an ALB instance, wait until it is
// Active, print the CNAME record that points a custom domain at it, turn on
// deletion protection and the configuration read-only mode, print the
// release plan and release it.
//
// With no flags it starts the albtest emulator in-process and never touches
// the network:
//
//	go run ./examples/lifecycle
//
// With -live it runs against the real Alibaba Cloud, with credentials from
// the standard chain (environment variables ALIBABA_CLOUD_ACCESS_KEY_ID /
// ALIBABA_CLOUD_ACCESS_KEY_SECRET, the profile file, an ECS RAM role, OIDC):
//
//	go run ./examples/lifecycle -live -region cn-hangzhou -vpc vpc-… \
//	    -zone cn-hangzhou-h:vsw-… -zone cn-hangzhou-i:vsw-… [-domain www.example.com]
//
// With -domain, the custom domain's CNAME chain is checked after the create
// (through the system's DNS resolver) and again in the release plan.
//
// This creates a real, billed instance and releases it at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

type zoneFlags []alb.ZoneMapping

func (z *zoneFlags) String() string { return fmt.Sprint(*z) }
func (z *zoneFlags) Set(v string) error {
	zone, vsw, ok := strings.Cut(v, ":")
	if !ok {
		return errors.New("want ZONE:VSWITCH")
	}
	*z = append(*z, alb.Zone(zone, vsw))
	return nil
}

func main() {
	live := flag.Bool("live", false, "run against the real Alibaba Cloud (creates a billed instance)")
	region := flag.String("region", "cn-hangzhou", "region (with -live)")
	vpc := flag.String("vpc", "", "VPC ID (with -live)")
	var zones zoneFlags
	flag.Var(&zones, "zone", "ZONE:VSWITCH, at least twice (with -live)")
	domain := flag.String("domain", "", "your custom domain to check (with -live)")
	flag.Parse()
	if err := runDomain(*live, *region, *vpc, zones, *domain); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(live bool, region, vpc string, zones []alb.ZoneMapping) error {
	return runDomain(live, region, vpc, zones, "")
}

func runDomain(live bool, region, vpc string, zones []alb.ZoneMapping, domain string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	var opts []alb.Option
	if live {
		opts = append(opts, alb.WithRegion(region))
	} else {
		// The emulator: real wire protocol and signatures, over loopback.
		srv, err := albtest.Start(albtest.WithTransitions(albtest.AfterPolls(2)))
		if err != nil {
			return err
		}
		defer srv.Close()
		fmt.Println("emulator:   listening on", srv.Endpoint(), "(no cloud account needed)")
		opts = append(opts, alb.WithOpenAPIConfig(srv.Config()),
			alb.WithWaitOptions(alb.WaitOptions{MinDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond}))
		vpc = albtest.DefaultVPCID
		zones = []alb.ZoneMapping{alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)}
	}
	opts = append(opts, alb.WithObserver(func(e alb.Event) {
		if e.Kind == alb.EventPoll {
			fmt.Printf("progress:   %s\n", e.Message)
		}
	}))
	client, err := alb.NewClient(opts...)
	if err != nil {
		return err
	}

	spec := alb.NewInstanceSpec(vpc, alb.Internet, alb.EditionStandard, zones...).
		WithName("albkit-lifecycle").
		WithTag("owner", "lifecycle")
	if err := spec.Validate(); err != nil {
		return err
	}
	fmt.Printf("validate:   spec is valid (Internet, Standard, IPv4, %d zones)\n", len(spec.ZoneMappings))

	// The create plan, from live facts: every finding (blocking or
	// warning), every side effect, and the backend allow-list. Create runs
	// it again and refuses a blocked plan with a *alb.PlanError.
	cplan, err := client.PlanCreate(ctx, spec)
	if err != nil {
		return err
	}
	fmt.Println("plan:      ", strings.ReplaceAll(cplan.String(), "\n", "\n            "))
	if err := cplan.Err(); err != nil {
		return err
	}

	// Crash safety: choose the idempotency key and persist it BEFORE
	// Create (Create may retry for minutes). After a crash,
	// client.ResumeCreate(ctx, key, &spec) or client.FindByToken(ctx, key)
	// finds the one instance it made.
	key := fmt.Sprintf("albkit-lifecycle-%d", time.Now().UnixNano())
	fmt.Printf("key:        %s (persist it before Create to resume after a crash)\n", key)
	op, err := client.Create(ctx, spec.WithIdempotencyKey(key))
	if err != nil {
		return err
	}
	fmt.Printf("create:     %s accepted\n", op.ID())
	inst, err := op.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("active:     %s is %s, DNS name %s\n", inst.ID, inst.Status, inst.DNSName)
	for _, z := range inst.Zones {
		for _, a := range z.Addresses {
			fmt.Printf("            zone %s: %s (EIP %s)\n", z.ZoneID, a.Address, a.AllocationID)
		}
	}
	// Instances are reached through the user's own domain: add this record.
	shown := domain
	if shown == "" {
		shown = "www.example.com"
	}
	fmt.Printf("dns:        add the record  %s\n", alb.CNAMERecord(shown, inst))
	var domains []string
	if domain != "" {
		fmt.Println("dns:       ", strings.ReplaceAll(client.CheckDomain(ctx, domain, inst).String(), "\n", "\n            "))
		domains = append(domains, domain)
	}

	if err := client.EnableDeletionProtection(ctx, inst.ID); err != nil {
		return err
	}
	fmt.Println("protect:    deletion protection on")
	if err := client.EnableReadOnly(ctx, inst.ID, "managed-by-albkit"); err != nil {
		return err
	}
	fmt.Println("read-only:  configuration read-only mode on (console only)")

	plan, err := client.PlanRelease(ctx, inst.ID, domains...)
	if err != nil {
		return err
	}
	fmt.Println("plan:      ", strings.ReplaceAll(plan.String(), "\n", "\n            "))
	if _, err := client.Release(ctx, inst.ID, alb.ReleaseOptions{}); errors.Is(err, alb.ErrDeletionProtected) {
		fmt.Println("release:    refused while deletion protection is on, as expected")
	} else {
		return fmt.Errorf("release of a protected instance was not refused: %v", err)
	}
	// The delete's key too is persisted first: client.ResumeRelease
	// finishes a release that a crash interrupted.
	res, err := client.Release(ctx, inst.ID, alb.ReleaseOptions{DisableDeletionProtection: true, IdempotencyKey: key + "-release", Domains: domains})
	if err != nil {
		return err
	}
	for _, se := range res.SideEffects {
		fmt.Printf("release:    %s\n", se.Detail)
	}
	fmt.Println("done:       the instance and its EIPs are released")
	return nil
}
