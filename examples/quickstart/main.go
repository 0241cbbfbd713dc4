// Command quickstart shows what an Application Load Balancer is for, with no
// cloud account: it starts two small local backends, applies a stack (an
// instance, two server groups, an HTTP listener, a host rule and a path
// rule) to the albtest emulator embedded in the program, sends real HTTP
// requests through the emulated ALB and prints which backend answered each.
// Then it changes a rule and a weight, prints the plan of the change and
// the new routing, and destroys the stack.
//
//	go run ./examples/quickstart
//
// Everything runs on loopback: the emulator speaks the real wire protocol
// to albkit, and its data plane routes each request with package routing
// (the same code albkit's checks use) to the backends registered as the
// servers of Ip server groups.
//
// The same stack as a file, and a command that plans and applies files
// (also against the real cloud), are in examples/converge. The instance's
// own lifecycle (create plan, CNAME record, deletion protection, release
// plan), also against the real cloud, is examples/lifecycle.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
	"github.com/albkit/albkit/stack"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// backend is a small local HTTP server that names itself in every answer.
type backend struct {
	name, group string
	srv         *http.Server
	port        int
}

func startBackend(name, group string) (*backend, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &backend{name: name, group: group, port: ln.Addr().(*net.TCPAddr).Port}
	b.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Backend", name)
			fmt.Fprintf(w, "hello from %s: %s %s\n", name, r.Method, r.URL.Path)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go b.srv.Serve(ln) //nolint:errcheck // ends with Close
	return b, nil
}

// quickstartStack is the ALB: requests for api.example.com, and requests
// for /v1/* on any host, go to the api server group; everything else to
// web. The two groups' servers are the local backends.
func quickstartStack(api, web *backend) stack.Stack {
	return stack.Stack{
		Key: fmt.Sprintf("quickstart-%d", time.Now().UnixNano()),
		Instance: alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).
			WithName("quickstart"),
		ServerGroups: []alb.ServerGroupSpec{
			alb.NewServerGroupSpec("api", alb.ServerGroupIP, "").
				WithServers(alb.IPServer("127.0.0.1", api.port).WithDescription(api.name)),
			alb.NewServerGroupSpec("web", alb.ServerGroupIP, "").
				WithServers(alb.IPServer("127.0.0.1", web.port).WithDescription(web.name)),
		},
		Listeners: []stack.Listener{{
			Name: "http",
			ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTP, 80, "web").WithRules(
				alb.NewRuleSpec("api-host", 10, routing.Host("api.example.com")).Then(routing.ForwardTo("api")),
				alb.NewRuleSpec("api-path", 20, routing.Path("/v1/*")).Then(routing.ForwardTo("api")),
			),
		}},
	}
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	say := func(label, format string, args ...any) {
		text := fmt.Sprintf(format, args...)
		fmt.Fprintf(out, "%-10s %s\n", label+":", strings.ReplaceAll(text, "\n", "\n           "))
	}

	// The emulator: the control plane over the real wire protocol, and a
	// data plane that serves every Running listener on a loopback port.
	srv, err := albtest.Start(albtest.WithTransitions(albtest.AfterPolls(1)))
	if err != nil {
		return err
	}
	defer srv.Close()
	say("emulator", "%s (no cloud account needed)", srv.Endpoint())
	client, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()),
		alb.WithWaitOptions(alb.WaitOptions{MinDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}))
	if err != nil {
		return err
	}

	api, err := startBackend("api-1", "api")
	if err != nil {
		return err
	}
	defer api.srv.Close()
	web, err := startBackend("web-1", "web")
	if err != nil {
		return err
	}
	defer web.srv.Close()
	backends := map[string]*backend{api.name: api, web.name: web}
	say("backends", "%s on 127.0.0.1:%d, %s on 127.0.0.1:%d", api.name, api.port, web.name, web.port)

	s := quickstartStack(api, web)
	if err := s.Validate(); err != nil {
		return err
	}
	plan, err := s.Plan(ctx, client)
	if err != nil {
		return err
	}
	say("plan", "%s", strings.TrimRight(plan.String(), "\n"))
	step := "apply"
	opts := stack.Options{Progress: func(e stack.Event) {
		if e.Kind == stack.EventDone {
			say(step, "[%d/%d] %s %s (%s)", e.Done, e.Total, e.Item, pastTense(e.Action), e.ID)
		}
	}}
	res, err := s.Apply(ctx, client, opts)
	if err != nil {
		return err
	}
	lsnID := res.IDs()["listener/http"]
	addr, ok := srv.ListenerAddr(lsnID)
	if !ok {
		return fmt.Errorf("listener %s is not served", lsnID)
	}
	say("listener", "%s serves port 80 on %s", lsnID, addr)

	// Real requests through the emulated ALB. The client dials the
	// listener for port 80 whatever the host name, and sends the URL's
	// host in the Host header, as a browser would after DNS.
	hc := srv.HTTPClient()
	send := func(target string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		name := resp.Header.Get("X-Backend")
		b, ok := backends[name]
		if !ok {
			fmt.Fprintf(out, "GET %s → answered by the load balancer itself (%d)\n", target, resp.StatusCode)
			return nil
		}
		fmt.Fprintf(out, "GET %s → server group %s, backend %s (%d)\n", target, b.group, b.name, resp.StatusCode)
		return nil
	}
	for _, target := range []string{
		"http://api.example.com/v1/users",
		"http://www.example.com/v1/users",
		"http://www.example.com/v2/users",
		"http://www.example.com/index.html",
	} {
		if err := send(target); err != nil {
			return err
		}
	}

	// A change: the path rule moves to /v2/*, and the host rule becomes a
	// canary, sending one request in four to web.
	s2, http2 := s, s.Listeners[0]
	http2.Rules = []alb.RuleSpec{
		alb.NewRuleSpec("api-host", 10, routing.Host("api.example.com")).
			Then(routing.Forward(routing.Weighted("api", 75), routing.Weighted("web", 25))),
		alb.NewRuleSpec("api-path", 20, routing.Path("/v2/*")).Then(routing.ForwardTo("api")),
	}
	s2.Listeners = []stack.Listener{http2}
	say("change", "rule api-path matches /v2/* instead of /v1/*; rule api-host sends one request in four to web")
	plan2, err := s2.Plan(ctx, client)
	if err != nil {
		return err
	}
	say("plan", "%s", strings.TrimRight(plan2.String(), "\n"))
	if _, err := s2.Apply(ctx, client, opts); err != nil {
		return err
	}
	for _, target := range []string{
		"http://www.example.com/v1/users",
		"http://www.example.com/v2/users",
		"http://api.example.com/v1/users",
		"http://api.example.com/v1/users",
		"http://api.example.com/v1/users",
		"http://api.example.com/v1/users",
	} {
		if err := send(target); err != nil {
			return err
		}
	}
	again, err := s2.Plan(ctx, client)
	if err != nil {
		return err
	}
	if again.Writes() {
		return errors.New("the stack applied still plans writes:\n" + again.String())
	}
	say("plan", "nothing to do: the live ALB is the stack")

	step = "destroy"
	if _, err := s2.Destroy(ctx, client, opts); err != nil {
		return err
	}
	if _, ok := srv.ListenerAddr(lsnID); ok {
		return fmt.Errorf("listener %s still serves after destroy", lsnID)
	}
	say("done", "the stack is destroyed: listener, rules, instance (and its EIPs), server groups")
	return nil
}

func pastTense(a stack.Action) string {
	switch a {
	case stack.ActionCreate:
		return "created"
	case stack.ActionUpdate:
		return "updated"
	case stack.ActionDelete:
		return "deleted"
	}
	return strconv.Quote(string(a))
}
