package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

func client(t *testing.T, endpoint, id, secret string) *albsdk.Client {
	t.Helper()
	c, err := albsdk.NewClient(&openapiutil.Config{
		AccessKeyId: dara.String(id), AccessKeySecret: dara.String(secret),
		Endpoint: dara.String(endpoint), Protocol: dara.String("http"), RegionId: dara.String("cn-hangzhou"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func defaultClient(t *testing.T, endpoint string) *albsdk.Client {
	return client(t, endpoint, albtest.DefaultAccessKeyID, albtest.DefaultAccessKeySecret)
}

// startRun runs the program in-process with args and returns its endpoint
// and summary; it stops the program at the end of the test.
func startRun(t *testing.T, args ...string) (endpoint, summary string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not return after cancel")
		}
	})
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-done)
	}
	line := sc.Text()
	if !strings.HasPrefix(line, "endpoint: 127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}
	var b strings.Builder
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "apis:") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return strings.TrimPrefix(line, "endpoint: "), b.String()
}

// control calls the control API and decodes the answer.
func control(t *testing.T, endpoint, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+endpoint+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %v", method, path, err)
	}
	return resp.StatusCode, v
}

func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var se *tea.SDKError
	if !errors.As(err, &se) || dara.StringValue(se.Code) != code || dara.IntValue(se.StatusCode) != status {
		t.Fatalf("want %s (%d), got %v", code, status, err)
	}
}

func TestRun(t *testing.T) {
	endpoint, summary := startRun(t, "-access-key-id", "my-id", "-access-key-secret", "my-secret", "-provisioning-delay", "1h", "-deleting", "manual")
	for _, want := range []string{albtest.VSwitchH, albtest.EIPAnycast1, "transitions: provisioning 1h0m0s, configuring polls:1, deleting manual",
		"control api: http://" + endpoint + "/_albtest/"} {
		if !strings.Contains(summary, want) {
			t.Fatalf("summary lacks %q:\n%s", want, summary)
		}
	}

	c := client(t, endpoint, "my-id", "my-secret")
	resp, err := c.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId: dara.String(albtest.DefaultVPCID), AddressType: dara.String("Intranet"), LoadBalancerEdition: dara.String("Basic"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings: []*albsdk.CreateLoadBalancerRequestZoneMappings{
			{VSwitchId: dara.String(albtest.VSwitchH), ZoneId: dara.String(albtest.ZoneH)},
			{VSwitchId: dara.String(albtest.VSwitchJ), ZoneId: dara.String(albtest.ZoneJ)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Body.LoadBalancerId
	for i := 0; i < 3; i++ {
		g, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: id})
		if err != nil || dara.StringValue(g.Body.LoadBalancerStatus) != "Provisioning" {
			t.Fatalf("get: %v %v", g, err)
		}
	}
	if _, err := defaultClient(t, endpoint).DescribeZones(&albsdk.DescribeZonesRequest{}); err == nil {
		t.Fatal("default key accepted although -access-key-id replaced it")
	}

	// The program's clock moves over the control API; signatures stay valid.
	if st, v := control(t, endpoint, "POST", "/_albtest/clock", `{"advance":"2h"}`); st != 200 || v["offset"] != "2h0m0s" {
		t.Fatalf("advance the clock: %d %v", st, v)
	}
	g, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: id})
	if err != nil || dara.StringValue(g.Body.LoadBalancerStatus) != "Active" {
		t.Fatalf("2h later: %v %v", g, err)
	}
	// -deleting manual: Deleting until advanced over the control API.
	if _, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: id}); err != nil {
		t.Fatal(err)
	}
	if g, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: id}); err != nil || dara.StringValue(g.Body.LoadBalancerStatus) != "Deleting" {
		t.Fatalf("after delete: %v %v", g, err)
	}
	if st, v := control(t, endpoint, "POST", "/_albtest/advance", `{"all":true}`); st != 200 || v["advanced"] != 1.0 {
		t.Fatalf("advance: %d %v", st, v)
	}
	_, err = c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: id})
	wantCode(t, err, "ResourceNotFound.LoadBalancer", 404)
}

// outcomes makes n DescribeZones calls and writes . for a success and T for
// Throttling.User.
func outcomes(t *testing.T, endpoint string, n int) string {
	t.Helper()
	c := defaultClient(t, endpoint)
	var b strings.Builder
	for i := 0; i < n; i++ {
		_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
		switch {
		case err == nil:
			b.WriteByte('.')
		default:
			wantCode(t, err, "Throttling.User", 400)
			b.WriteByte('T')
		}
	}
	return b.String()
}

func TestRunFaultProfile(t *testing.T) {
	profile := "Throttling.User:0.5@DescribeZones,ServiceUnavailable:1@DescribeRegions"
	e1, summary := startRun(t, "-faults", profile, "-seed", "42")
	if want := "faults (seed 42): Throttling.User (400) 50% on DescribeZones, ServiceUnavailable (503) 100% on DescribeRegions"; !strings.Contains(summary, want) {
		t.Fatalf("summary lacks %q:\n%s", want, summary)
	}
	e2, _ := startRun(t, "-faults", profile, "-seed", "42")
	e3, _ := startRun(t, "-faults", profile, "-seed", "7")
	a, b, c := outcomes(t, e1, 40), outcomes(t, e2, 40), outcomes(t, e3, 40)
	if a != b {
		t.Fatalf("same seed, different outcomes:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, ".") || !strings.Contains(a, "T") || a == c {
		t.Fatalf("seed 42: %s, seed 7: %s", a, c)
	}
	_, err := defaultClient(t, e1).DescribeRegions(&albsdk.DescribeRegionsRequest{})
	wantCode(t, err, "ServiceUnavailable", 503)

	// A reset clears faults injected later, not the profile, whose
	// generators start again.
	if st, v := control(t, e1, "POST", "/_albtest/reset", ""); st != 200 {
		t.Fatalf("reset: %d %v", st, v)
	}
	if again := outcomes(t, e1, 40); again != a {
		t.Fatalf("after reset:\n%s\nwant\n%s", again, a)
	}
}

func TestRunRateLimitWithoutControlAPI(t *testing.T) {
	endpoint, summary := startRun(t, "-rate-limit", "DescribeZones=0.001:1, *=1000", "-no-control-api")
	if !strings.Contains(summary, "rate limits: DescribeZones 0.001/s burst 1, every action 1000/s burst 1000") || !strings.Contains(summary, "control api: off") {
		t.Fatalf("summary:\n%s", summary)
	}
	c := defaultClient(t, endpoint)
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
	wantCode(t, err, "Throttling.User", 400)
	if st, v := control(t, endpoint, "GET", "/_albtest/faults", ""); st != 404 || !strings.Contains(v["error"].(string), "turned off") {
		t.Fatalf("control API with -no-control-api: %d %v", st, v)
	}
}

func TestRunWorldFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "world.json")
	endpoint, _ := startRun(t)
	// Save the running world through the control API, then start from it.
	req, _ := http.NewRequest("GET", "http://"+endpoint+"/_albtest/world", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var w albtest.World
	err = json.NewDecoder(resp.Body).Decode(&w)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	w.VSwitches = w.VSwitches[:1]
	w.EIPs = nil
	b, _ := json.Marshal(w)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, summary := startRun(t, "-world", file)
	if !strings.Contains(summary, albtest.VSwitchH) || strings.Contains(summary, albtest.VSwitchI) || strings.Contains(summary, albtest.EIPTraffic1) {
		t.Fatalf("summary of the world file:\n%s", summary)
	}
}

func TestRunBadFlags(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-nope"}, "not defined"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-world", missing}, "missing.json"},
		{[]string{"-faults", "Throttling.User"}, `item 1 "Throttling.User": no :PROBABILITY`},
		{[]string{"-faults", "X:2"}, `probability "2"`},
		{[]string{"-faults", "X:0"}, `probability "0"`},
		{[]string{"-faults", "X/200:0.1"}, `status "200"`},
		{[]string{"-faults", "X:0.1@"}, `action ""`},
		{[]string{"-faults", "X:0.1@Create-LB"}, `action "Create-LB"`},
		{[]string{"-faults", "drop/500:0.1"}, "drop takes no status"},
		{[]string{"-faults", "a b:0.1"}, `code "a b"`},
		{[]string{"-faults", "A:0.1,,B:0.2"}, "item 2 \"\": empty item"},
		{[]string{"-seed", "world.json"}, "-world"},
		{[]string{"-seed", "3"}, "-seed without -faults"},
		{[]string{"-rate-limit", "CreateLoadBalancer"}, "no =RPS"},
		{[]string{"-rate-limit", "X=0"}, `rate "0"`},
		{[]string{"-rate-limit", "X=1:0"}, `burst "0"`},
		{[]string{"-rate-limit", "a.b=1"}, `action "a.b"`},
		// Actions the emulator does not serve would never apply (issue 17).
		{[]string{"-faults", "Throttling.User:0.5@CreateLoadBalancr"}, `item 1 "Throttling.User:0.5@CreateLoadBalancr": action "CreateLoadBalancr" is not served by the emulator; closest: CreateLoadBalancer`},
		{[]string{"-faults", "drop:0.1@GetLoadBalancerAttribute,drop:0.1@DescribeZone"}, `item 2 "drop:0.1@DescribeZone": action "DescribeZone" is not served by the emulator; closest: DescribeZones`},
		{[]string{"-rate-limit", "*=10,ListLoadBalancer=1"}, `item 2 "ListLoadBalancer=1": action "ListLoadBalancer" is not served by the emulator; closest: ListLoadBalancers`},
		{[]string{"-provisioning", "soon"}, "polls:N"},
		{[]string{"-provisioning", "1s", "-provisioning-delay", "2s"}, "both given"},
		{[]string{"-provisioning-delay", "-1s"}, "negative"},
	} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, tc.args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestBinary builds the program, runs it with start-up flags, reads the
// endpoint line, uses the SDK and the control API, and stops it with
// SIGTERM; a bad profile makes it exit 1 with a clear message.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "emulator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	out, err := exec.Command(bin, "-addr", "127.0.0.1:0", "-faults", "Throttling.User:1.5").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), `emulator: -faults item 1 "Throttling.User:1.5": probability "1.5"`) {
		t.Fatalf("bad profile: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-faults", "ServiceUnavailable:1@DescribeRegions", "-seed", "3", "-configuring", "manual")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "endpoint: ") {
		t.Fatalf("first line %q", sc.Text())
	}
	endpoint := strings.TrimPrefix(sc.Text(), "endpoint: ")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	c := defaultClient(t, endpoint)
	z, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
	if err != nil || len(z.Body.Zones) != 4 {
		t.Fatalf("DescribeZones: %v %v", z, err)
	}
	_, err = c.DescribeRegions(&albsdk.DescribeRegionsRequest{})
	wantCode(t, err, "ServiceUnavailable", 503)
	if st, v := control(t, endpoint, "GET", "/_albtest/transitions", ""); st != 200 || v["Configuring"] != "manual" || v["Provisioning"] != "polls:1" {
		t.Fatalf("transitions: %d %v", st, v)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}

// TestDocListsEveryEndpoint checks that the package doc has a curl example
// for every endpoint the control API lists.
func TestDocListsEveryEndpoint(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	endpoint, _ := startRun(t)
	_, v := control(t, endpoint, "GET", "/_albtest/", "")
	eps, _ := v["endpoints"].([]any)
	if len(eps) < 20 {
		t.Fatalf("index: %v", v)
	}
	for _, e := range eps {
		method, path, _ := strings.Cut(e.(map[string]any)["endpoint"].(string), " ")
		re := regexp.QuoteMeta("$E"+path) + `(\s|"|\?|$)`
		re = strings.ReplaceAll(re, `\{id\}`, `[^/\s"]+`)
		re = strings.ReplaceAll(re, `\{action\}`, `[^/\s"]+`)
		if method == "GET" {
			re = `curl "?` + re
		} else {
			re = `curl -X ` + method + ` ` + re
		}
		if !regexp.MustCompile(`(?m)` + re).Match(doc) {
			t.Errorf("doc.go has no curl example for %s %s (%s)", method, path, re)
		}
	}
}

// TestParseDocExamples parses the profile and limits the doc shows.
func TestParseDocExamples(t *testing.T) {
	fs, err := parseFaults("Throttling.User:0.1,ServiceUnavailable:0.05@CreateLoadBalancer,drop:0.01@GetLoadBalancerAttribute", 42)
	if err != nil || len(fs) != 3 {
		t.Fatalf("%v %v", fs, err)
	}
	f0, f1, f2 := fs[0].fault, fs[1].fault, fs[2].fault
	if f0.Code != "Throttling.User" || f0.Status != 400 || f0.Action != "" || f0.Probability != 0.1 ||
		f1.Code != "ServiceUnavailable" || f1.Status != 503 || f1.Action != "CreateLoadBalancer" ||
		!f2.DropConnection || f2.Code != "" || f2.Action != "GetLoadBalancerAttribute" ||
		f0.Seed == f1.Seed || f1.Seed == f2.Seed {
		t.Fatalf("faults: %+v", fs)
	}
	if fs, _ := parseFaults("InternalError/502:1", 1); fs[0].fault.Status != 502 || fs[0].fault.Probability != 0 {
		t.Fatalf("explicit status, probability 1: %+v", fs[0].fault)
	}
	ls, err := parseRateLimits("CreateLoadBalancer=0.5:1,*=50")
	if err != nil || len(ls) != 2 || ls[0] != (rateLimit{"CreateLoadBalancer", 0.5, 1}) || ls[1] != (rateLimit{"", 50, 50}) {
		t.Fatalf("limits: %+v %v", ls, err)
	}
}

// TestRunServerGroup serves a server group to the official SDK and shows
// and changes it through the control API.
func TestRunServerGroup(t *testing.T) {
	endpoint, _ := startRun(t, "-provisioning", "immediate", "-configuring", "manual")
	c := defaultClient(t, endpoint)
	resp, err := c.CreateServerGroup(&albsdk.CreateServerGroupRequest{
		ServerGroupName: dara.String("standalone-sg"), ServerGroupType: dara.String("Ip"), VpcId: dara.String(albtest.DefaultVPCID),
		HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: dara.Bool(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := dara.StringValue(resp.Body.ServerGroupId)
	if _, err := c.AddServersToServerGroup(&albsdk.AddServersToServerGroupRequest{ServerGroupId: dara.String(id),
		Servers: []*albsdk.AddServersToServerGroupRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String("127.0.0.1"), Port: dara.Int32(8080)}}}); err != nil {
		t.Fatal(err)
	}
	st, v := control(t, endpoint, "GET", "/_albtest/servergroups/"+id, "")
	servers, _ := v["servers"].([]any)
	if st != 200 || v["status"] != "Configuring" || len(servers) != 1 || servers[0].(map[string]any)["status"] != "Adding" {
		t.Fatalf("GET servergroup: %d %v", st, v)
	}
	// -configuring manual: the change completes when advanced.
	if st, v := control(t, endpoint, "POST", "/_albtest/advance", `{"id":"`+id+`"}`); st != 200 || v["advanced"] != 1.0 {
		t.Fatalf("advance: %d %v", st, v)
	}
	if st, v := control(t, endpoint, "PUT", "/_albtest/servergroups/"+id+"/status", `{"status":"Configuring"}`); st != 200 || v["status"] != "Configuring" {
		t.Fatalf("force Configuring: %d %v", st, v)
	}
	_, err = c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: dara.String(id)})
	wantCode(t, err, "IncorrectStatus.ServerGroup", 400)
	control(t, endpoint, "PUT", "/_albtest/servergroups/"+id+"/status", `{"status":"Available"}`)
	list, err := c.ListServerGroupServers(&albsdk.ListServerGroupServersRequest{ServerGroupId: dara.String(id)})
	if err != nil || len(list.Body.Servers) != 1 || dara.StringValue(list.Body.Servers[0].Status) != "Available" {
		t.Fatalf("servers: %v %v", list, err)
	}
}
