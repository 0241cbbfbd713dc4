// Command converge makes a whole ALB match a stack file, the declarative
// way: an instance, its server groups and servers, its listeners and
// their rules, described in one YAML or JSON file (see stack.yaml beside
// this file, and `go doc github.com/albkit/albkit/stack`).
//
//	go run ./examples/converge plan    -f examples/converge/stack.yaml
//	go run ./examples/converge apply   -f examples/converge/stack.yaml
//	go run ./examples/converge destroy -f examples/converge/stack.yaml
//
// plan prints what apply would do, resource by resource (-json: as JSON;
// -mermaid: as a Mermaid diagram, for a pull request); apply checks
// everything first (a refused change stops it before any write), then
// makes the changes with a progress line; destroy deletes the stack's
// resources. The file is decoded strictly: a misspelled field is an error
// at its line and column. Without -f the embedded stack.yaml is used.
//
// Exit codes, for a CI job:
//
//	0  nothing to do (plan), done (apply, destroy)
//	2  plan: changes are planned
//	1  an error: the file, a refused change, a failed call
//
// By default it runs against the albtest emulator in-process, which starts
// empty for every run: plan shows everything to create, and apply creates
// it, then plans again to show that nothing is left to do (-drift: then
// changes the instance behind albkit's back, as a console user would, and
// shows the next plan finding the drift and the next apply repairing it).
// To keep state from one command to the next, start the standalone
// emulator and point converge at it:
//
//	go run ./examples/emulator &
//	go run ./examples/converge apply -endpoint http://127.0.0.1:8686
//	go run ./examples/converge plan  -endpoint http://127.0.0.1:8686   # exit 0
//
// With -live it works on the real Alibaba Cloud, with credentials from the
// standard chain (environment, profile, instance role); creating an
// instance is billed:
//
//	go run ./examples/converge plan -live -region cn-hangzhou -f prod.yaml
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
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
	"github.com/albkit/albkit/stack"
)

//go:embed stack.yaml
var defaultStack []byte

// The exit codes.
const (
	exitOK      = 0 // nothing to do, or done
	exitError   = 1 // an error
	exitChanges = 2 // plan: changes are planned
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: converge plan|apply|destroy [flags]

  plan     print what apply would do; exit 0 when nothing to do, 2 when changes are planned
  apply    make the changes (everything checked before any write)
  destroy  delete the stack's resources

Exit code 1 is an error (the file, a refused change, a failed call).

flags:
`

// config is what the flags say.
type config struct {
	command        string
	file           string
	json, mermaid  bool
	live           bool
	region         string
	endpoint       string
	drift          bool
	timeout        time.Duration
	noProtection   bool
	ackUserEIPs    bool
	progressIsLine bool // rewrite one progress line (a terminal) rather than print one per step
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("converge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.file, "f", "", "stack file, YAML or JSON (default: the embedded stack.yaml)")
	fs.BoolVar(&c.json, "json", false, "plan: print the plan as JSON")
	fs.BoolVar(&c.mermaid, "mermaid", false, "plan: print the plan as a Mermaid diagram")
	fs.BoolVar(&c.live, "live", false, "work on the real Alibaba Cloud (credentials from the standard chain)")
	fs.StringVar(&c.region, "region", "cn-hangzhou", "region, with -live")
	fs.StringVar(&c.endpoint, "endpoint", "", "a running emulator (go run ./examples/emulator), e.g. http://127.0.0.1:8686")
	fs.BoolVar(&c.drift, "drift", false, "apply, in-process emulator: then change the instance behind albkit's back, plan and apply again")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Minute, "give up after this long")
	fs.BoolVar(&c.noProtection, "disable-deletion-protection", false, "destroy: turn the instance's deletion protection off first")
	fs.BoolVar(&c.ackUserEIPs, "acknowledge-user-eips", false, "destroy: release an instance that has EIPs of your own (they are released with it)")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fs.Usage()
			return c, flag.ErrHelp
		}
		fs.Usage()
		return c, errors.New("a command is required: plan, apply or destroy")
	}
	c.command = args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	switch {
	case c.command != "plan" && c.command != "apply" && c.command != "destroy":
		return c, fmt.Errorf("unknown command %q: use plan, apply or destroy", c.command)
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q: flags come after the command", fs.Args())
	case c.json && c.mermaid:
		return c, errors.New("-json and -mermaid: choose one")
	case (c.json || c.mermaid) && c.command != "plan":
		return c, errors.New("-json and -mermaid are plan's")
	case c.live && c.endpoint != "":
		return c, errors.New("-live and -endpoint: choose one")
	case c.drift && (c.live || c.endpoint != "" || c.command != "apply"):
		return c, errors.New("-drift is for apply against the in-process emulator")
	}
	return c, nil
}

// run runs the command and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "converge:", err)
		return exitError
	}
	if f, ok := stderr.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			c.progressIsLine = true
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	code, err := c.run(ctx, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "converge:", err)
		var fe *stack.FileError
		if errors.As(err, &fe) && fe.Source != "" && len(fe.Problems) == 0 {
			fmt.Fprint(stderr, fe.Source)
		}
		return exitError
	}
	return code
}

func (c config) run(ctx context.Context, stdout, stderr io.Writer) (int, error) {
	var s stack.Stack
	var err error
	if c.file == "" {
		s, err = stack.Decode(defaultStack, stack.FormatYAML)
	} else {
		s, err = stack.Load(c.file)
	}
	if err != nil {
		return exitError, err
	}

	var client *alb.Client
	var srv *albtest.Server
	switch {
	case c.live:
		client, err = alb.NewClient(alb.WithRegion(c.region))
	case c.endpoint != "":
		endpoint := c.endpoint
		if !strings.Contains(endpoint, "://") {
			endpoint = "http://" + endpoint
		}
		client, err = alb.NewClient(alb.WithEndpoint(endpoint), alb.WithRegion(albtest.DefaultRegion),
			alb.WithAccessKey(albtest.DefaultAccessKeyID, albtest.DefaultAccessKeySecret),
			alb.WithWaitOptions(alb.WaitOptions{MinDelay: 10 * time.Millisecond, MaxDelay: time.Second}))
	default:
		if srv, err = albtest.Start(); err != nil {
			return exitError, err
		}
		defer srv.Close()
		client, err = srv.Client()
	}
	if err != nil {
		return exitError, err
	}

	switch c.command {
	case "plan":
		return c.plan(ctx, stdout, client, s)
	case "apply":
		if err := c.apply(ctx, stdout, stderr, client, s); err != nil {
			return exitError, err
		}
		if srv == nil {
			return exitOK, nil
		}
		// The in-process emulator is gone after this run: show that a
		// second apply would have nothing to do.
		p, err := s.Plan(ctx, client)
		if err != nil {
			return exitError, err
		}
		fmt.Fprintf(stdout, "\nplan after apply: %s\n", lastLine(p.String()))
		if c.drift {
			return exitOK, drift(ctx, stdout, stderr, c, srv, client, s)
		}
		return exitOK, nil
	default:
		return exitOK, c.destroy(ctx, stdout, stderr, client, s)
	}
}

// plan prints the plan and returns the exit code it calls for.
func (c config) plan(ctx context.Context, out io.Writer, client *alb.Client, s stack.Stack) (int, error) {
	p, err := s.Plan(ctx, client)
	if err != nil {
		return exitError, err
	}
	switch {
	case c.json:
		b, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return exitError, err
		}
		fmt.Fprintf(out, "%s\n", b)
	case c.mermaid:
		fmt.Fprint(out, p.Mermaid())
	default:
		fmt.Fprintln(out, p.String())
	}
	switch {
	case p.Blocked():
		return exitError, &stack.RefusedError{Plan: p}
	case p.Writes():
		return exitChanges, nil
	}
	return exitOK, nil
}

// apply prints the plan, applies it with a progress line, and prints the
// outcome.
func (c config) apply(ctx context.Context, out, progress io.Writer, client *alb.Client, s stack.Stack) error {
	p, err := s.Plan(ctx, client)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, p.String())
	if p.Blocked() {
		return &stack.RefusedError{Plan: p}
	}
	if !p.Writes() {
		fmt.Fprintln(out, "\nnothing to do")
		return nil
	}
	fmt.Fprintln(out)
	res, err := s.Apply(ctx, client, stack.Options{Progress: c.progress(progress)})
	c.endProgress(progress)
	if res != nil {
		fmt.Fprintf(out, "apply: %d calls\n", len(res.Calls()))
	}
	return err
}

// destroy deletes the stack's resources and prints what went.
func (c config) destroy(ctx context.Context, out, progress io.Writer, client *alb.Client, s stack.Stack) error {
	res, err := s.Destroy(ctx, client, stack.Options{Progress: c.progress(progress),
		Release: alb.ReleaseOptions{DisableDeletionProtection: c.noProtection, AcknowledgeUserEIPs: c.ackUserEIPs}})
	c.endProgress(progress)
	if res != nil {
		gone := 0
		for _, it := range res.Items {
			if len(it.Calls) > 0 {
				gone++
				fmt.Fprintf(out, "- %s %s (%s): deleted\n", it.Kind, it.Name, it.ID)
			}
		}
		if gone == 0 && err == nil {
			fmt.Fprintln(out, "nothing to destroy")
		}
	}
	return err
}

// progress returns the apply's progress reporter: one line rewritten in
// place on a terminal, else a line per resource finished.
func (c config) progress(w io.Writer) func(stack.Event) {
	return func(e stack.Event) {
		verb := map[stack.Action]string{stack.ActionCreate: "creating", stack.ActionUpdate: "updating", stack.ActionDelete: "deleting"}[e.Action]
		var line string
		switch e.Kind {
		case stack.EventStart:
			if !c.progressIsLine {
				return
			}
			line = fmt.Sprintf("%s %s…", verb, e.Item)
		case stack.EventDone:
			line = fmt.Sprintf("%s %s: done", verb, e.Item)
			if e.ID != "" {
				line += " (" + e.ID + ")"
			}
		case stack.EventFail:
			line = fmt.Sprintf("%s %s: failed: %v", verb, e.Item, e.Err)
		}
		line = fmt.Sprintf("[%d/%d] %s", e.Done, e.Total, line)
		if c.progressIsLine {
			fmt.Fprintf(w, "\r\033[K%s", line)
			return
		}
		fmt.Fprintln(w, line)
	}
}

func (c config) endProgress(w io.Writer) {
	if c.progressIsLine {
		fmt.Fprint(w, "\r\033[K")
	}
}

// drift changes the instance behind albkit's back, with the official SDK
// directly as a console user or another tool would, then shows the plan
// finding it and the apply repairing it.
func drift(ctx context.Context, out, progress io.Writer, c config, srv *albtest.Server, client *alb.Client, s stack.Stack) error {
	p, err := s.Plan(ctx, client)
	if err != nil {
		return err
	}
	it, _ := p.Item(stack.KindInstance, s.Instance.Name)
	fmt.Fprintf(out, "\n--- instance %s is renamed behind albkit's back ---\n", it.ID)
	sdk := srv.ALBClient()
	if _, err := sdk.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: tea.String(it.ID), LoadBalancerName: tea.String("hand-edited")}); err != nil {
		return err
	}
	if _, err := client.WaitUntilActive(ctx, it.ID); err != nil {
		return err
	}
	if err := c.apply(ctx, out, progress, client, s); err != nil {
		return err
	}
	p, err = s.Plan(ctx, client)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nplan after apply: %s\n", lastLine(p.String()))
	return nil
}

func lastLine(s string) string {
	return s[strings.LastIndexByte(s, '\n')+1:]
}
