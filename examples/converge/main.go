// Command converge makes a small set of ALB instances match a file of
// specs, the declarative way: it reads the specs (JSON, one
// alb.InstanceSpec each, every one with its idempotencyKey), prints the
// plan of every instance (create, or the ordered changes with their calls
// and side effects, and what cannot change in place), and applies it only
// with -apply.
//
// With no -live flag it runs against the albtest emulator in-process and,
// after applying, changes one instance behind albkit's back (a rename and
// a tag, through the official SDK directly) to show the drift the next
// plan finds and the next apply repairs:
//
//	go run ./examples/converge                # plan only
//	go run ./examples/converge -apply         # plan, apply, drift, repair
//	go run ./examples/converge -file my.json -apply
//
// With -live it plans (and with -apply converges) real instances with
// credentials from the standard chain; creating one is billed:
//
//	go run ./examples/converge -live -region cn-hangzhou -file prod.json
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

//go:embed instances.json
var defaultSpecs []byte

func main() {
	file := flag.String("file", "", "JSON file of instance specs (default: the embedded instances.json)")
	apply := flag.Bool("apply", false, "apply the plan (without it, only print it)")
	live := flag.Bool("live", false, "run against the real Alibaba Cloud")
	region := flag.String("region", "cn-hangzhou", "region (with -live)")
	flag.Parse()
	raw := defaultSpecs
	if *file != "" {
		var err error
		if raw, err = os.ReadFile(*file); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
	}
	if err := run(os.Stdout, raw, *apply, *live, *region); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// loadSpecs decodes the file strictly (an unknown field is an error) and
// validates every spec locally.
func loadSpecs(raw []byte) ([]alb.InstanceSpec, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var specs []alb.InstanceSpec
	if err := dec.Decode(&specs); err != nil {
		return nil, fmt.Errorf("specs: %w", err)
	}
	for i, s := range specs {
		if s.IdempotencyKey == "" {
			return nil, fmt.Errorf("specs[%d]: idempotencyKey is required: it is how converge finds the instance", i)
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("specs[%d] (%s): %w", i, s.IdempotencyKey, err)
		}
	}
	return specs, nil
}

func run(out io.Writer, raw []byte, apply, live bool, region string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	specs, err := loadSpecs(raw)
	if err != nil {
		return err
	}
	var client *alb.Client
	var srv *albtest.Server
	if live {
		if client, err = alb.NewClient(alb.WithRegion(region)); err != nil {
			return err
		}
	} else {
		if srv, err = albtest.Start(); err != nil {
			return err
		}
		defer srv.Close()
		if client, err = srv.Client(); err != nil {
			return err
		}
		fmt.Fprintln(out, "emulator: listening on", srv.Endpoint())
	}

	changes, err := plan(ctx, out, client, specs)
	if err != nil || !apply {
		if err == nil && changes > 0 {
			fmt.Fprintln(out, "run with -apply to make these changes")
		}
		return err
	}
	ids, err := converge(ctx, out, client, specs)
	if err != nil || live {
		return err
	}

	// Drift: the first instance is changed behind albkit's back, with the
	// official SDK directly, as a console user or another tool would.
	id := ids[0]
	fmt.Fprintf(out, "\n--- %s is changed behind albkit's back (renamed, tagged) ---\n", specs[0].IdempotencyKey)
	sdk := srv.ALBClient()
	if _, err := sdk.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: tea.String(id), LoadBalancerName: tea.String("hand-edited")}); err != nil {
		return err
	}
	if _, err := client.WaitUntilActive(ctx, id); err != nil {
		return err
	}
	if _, err := sdk.TagResources(&albsdk.TagResourcesRequest{ResourceType: tea.String("loadbalancer"), ResourceId: []*string{tea.String(id)},
		Tag: []*albsdk.TagResourcesRequestTag{{Key: tea.String("env"), Value: tea.String("staging")}}}); err != nil {
		return err
	}
	if _, err := plan(ctx, out, client, specs); err != nil {
		return err
	}
	if _, err := converge(ctx, out, client, specs); err != nil {
		return err
	}
	_, err = plan(ctx, out, client, specs)
	return err
}

// plan prints the plan of every spec and returns the number of changes.
func plan(ctx context.Context, out io.Writer, client *alb.Client, specs []alb.InstanceSpec) (int, error) {
	fmt.Fprintln(out, "\nplan:")
	n := 0
	for _, s := range specs {
		p, err := client.PlanEnsure(ctx, s)
		if err != nil {
			return n, fmt.Errorf("%s: %w", s.IdempotencyKey, err)
		}
		text := p.String()
		if !p.Create {
			text = strings.Replace(text, p.Plan.ID, s.IdempotencyKey, 1)
		}
		fmt.Fprintln(out, "  "+strings.ReplaceAll(text, "\n", "\n  "))
		n += len(p.Plan.Changes) + len(p.Plan.Blocked)
		if p.Create {
			n++
		}
	}
	return n, nil
}

// converge ensures every spec and returns the instance IDs.
func converge(ctx context.Context, out io.Writer, client *alb.Client, specs []alb.InstanceSpec) ([]string, error) {
	fmt.Fprintln(out, "\napply:")
	var ids []string
	for _, s := range specs {
		res, err := client.Ensure(ctx, s)
		if err != nil {
			return ids, fmt.Errorf("%s: %w", s.IdempotencyKey, err)
		}
		ids = append(ids, res.ID)
		what := "unchanged"
		switch {
		case res.Created:
			what = "created"
		case len(res.Applied) > 0:
			var fields []string
			for _, ch := range res.Applied {
				fields = append(fields, ch.Field)
			}
			what = "changed " + strings.Join(fields, ", ")
		}
		if res.Created && len(res.Applied) > 0 {
			var fields []string
			for _, ch := range res.Applied {
				fields = append(fields, ch.Field)
			}
			what += ", then changed " + strings.Join(fields, ", ")
		}
		fmt.Fprintf(out, "  %s: %s\n", s.IdempotencyKey, what)
	}
	return ids, nil
}
