package albtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb/albtest"
)

func writeWorld(t *testing.T, file string, w albtest.World) {
	t.Helper()
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func hasVSwitch(srv *albtest.Server, id string) bool {
	for _, v := range srv.VSwitches() {
		if v.VSwitchID == id {
			return true
		}
	}
	return false
}

func TestResetKeepsWorldOnFileError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "world.json")
	writeWorld(t, file, albtest.DefaultWorld())
	srv, c := start(t, albtest.WithWorldFile(file))
	id := mustCreate(t, c, createReq())

	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := srv.Reset()
	if err == nil || !strings.Contains(err.Error(), "world kept") || !strings.Contains(err.Error(), file) {
		t.Fatalf("Reset with a broken world file: %v", err)
	}
	if _, ok := srv.LoadBalancer(id); !ok || len(srv.VSwitches()) != 6 {
		t.Fatal("a failed Reset changed the state")
	}

	w := albtest.DefaultWorld()
	w.VSwitches = append(w.VSwitches, albtest.VSwitch{VSwitchID: "vsw-new", VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneH, CidrBlock: "10.0.9.0/24"})
	writeWorld(t, file, w)
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	if srv.Created() != 0 || !hasVSwitch(srv, "vsw-new") {
		t.Fatal("Reset did not reload the fixed world file")
	}

	w.Region = "cn-beijing"
	writeWorld(t, file, w)
	if err := srv.Reset(); err == nil || !strings.Contains(err.Error(), "cn-beijing") {
		t.Fatalf("Reset to a world file of another region: %v", err)
	}
}

func TestSetWorld(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()), albtest.WithoutServiceLinkedRole())
	id := mustCreateAfterRole(t, srv, c)

	bad := albtest.DefaultWorld()
	bad.VSwitches = append(bad.VSwitches, albtest.VSwitch{VSwitchID: "vsw-x", VpcID: "vpc-missing", ZoneID: albtest.ZoneH, CidrBlock: "10.9.0.0/24"})
	if err := srv.SetWorld(bad); err == nil || !strings.Contains(err.Error(), "vpc-missing") {
		t.Fatalf("SetWorld with an unknown VPC: %v", err)
	}
	other := albtest.DefaultWorld()
	other.Region = "cn-beijing"
	if err := srv.SetWorld(other); err == nil || !strings.Contains(err.Error(), "region") {
		t.Fatalf("SetWorld with another region: %v", err)
	}
	if _, ok := srv.LoadBalancer(id); !ok {
		t.Fatal("a refused SetWorld changed the state")
	}

	w := albtest.World{
		VPCs:              []albtest.VPC{{VpcID: "vpc-a", CidrBlock: "192.168.0.0/16"}},
		VSwitches:         []albtest.VSwitch{{VSwitchID: "vsw-a", VpcID: "vpc-a", ZoneID: albtest.ZoneH, CidrBlock: "192.168.1.0/24"}},
		ServiceLinkedRole: true, // WithoutServiceLinkedRole does not override a world given at runtime
	}
	if err := srv.SetWorld(w); err != nil {
		t.Fatal(err)
	}
	if srv.Created() != 0 || len(srv.VSwitches()) != 1 || !hasVSwitch(srv, "vsw-a") || len(srv.EIPs()) != 0 {
		t.Fatalf("after SetWorld: %d instances, vSwitches %v", srv.Created(), srv.VSwitches())
	}
	if _, err := c.CreateLoadBalancer(createReq(func(r *albsdk.CreateLoadBalancerRequest) {
		r.VpcId, r.AddressType = dara.String("vpc-a"), dara.String("Intranet")
		r.ZoneMappings = []*albsdk.CreateLoadBalancerRequestZoneMappings{zm("vsw-a", albtest.ZoneH)}
	})); err != nil {
		t.Fatalf("create in the new world: %v", err)
	}
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	if srv.Created() != 0 || !hasVSwitch(srv, "vsw-a") || hasVSwitch(srv, albtest.VSwitchH) {
		t.Fatal("Reset after SetWorld did not restore the world SetWorld gave")
	}
}

// mustCreateAfterRole creates the role the option removed, then an instance.
func mustCreateAfterRole(t *testing.T, srv *albtest.Server, c *albsdk.Client) string {
	t.Helper()
	srv.SetServiceLinkedRole(true)
	return mustCreate(t, c, createReq())
}

func TestSetTransitionAndJobs(t *testing.T) {
	srv, c := start(t)
	if err := srv.SetTransition("Pending", albtest.Manual()); err == nil || !strings.Contains(err.Error(), `"Pending"`) {
		t.Fatalf("unknown phase: %v", err)
	}
	if err := srv.SetTransition(albtest.PhaseDeleting, albtest.Transition{Kind: albtest.KindAfterPolls}); err == nil || !strings.Contains(err.Error(), "Polls") {
		t.Fatalf("AfterPolls without polls: %v", err)
	}
	if err := srv.SetTransition(albtest.PhaseProvisioning, albtest.Manual()); err != nil {
		t.Fatal(err)
	}
	id := mustCreate(t, c, createReq())
	for i := 0; i < 3; i++ {
		if s := dara.StringValue(get(t, c, id).LoadBalancerStatus); s != "Provisioning" {
			t.Fatalf("read %d: %s under a manual transition", i, s)
		}
	}
	jobs := srv.Jobs()
	if len(jobs) != 1 || jobs[0].APIName != "CreateLoadBalancer" || jobs[0].ResourceID != id || jobs[0].Status != "Processing" ||
		jobs[0].ResourceType != "loadbalancer" || !reJobID.MatchString(jobs[0].ID) || jobs[0].CreateTime.IsZero() {
		t.Fatalf("jobs: %+v", jobs)
	}
	if ok, err := srv.Advance(jobs[0].ID); !ok || err != nil {
		t.Fatalf("Advance(job): %v %v", ok, err)
	}
	if j := srv.Jobs()[0]; j.Status != "Succeeded" || j.ModifyTime.Before(j.CreateTime) {
		t.Fatalf("job after Advance: %+v", j)
	}
	srv.FailNextCreate()
	if err := srv.SetTransition(albtest.PhaseProvisioning, albtest.Immediate()); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerName = dara.String("second") }))
	if j := srv.Jobs()[1]; j.Status != "Failed" || j.ErrorCode == "" || j.ErrorMessage == "" {
		t.Fatalf("failed create's job: %+v", j)
	}
	// Runtime transitions survive Reset, like SetRateLimit.
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	id = mustCreate(t, c, createReq())
	if s := dara.StringValue(get(t, c, id).LoadBalancerStatus); s != "Active" {
		t.Fatalf("after Reset: %s, want Active (Immediate set at runtime)", s)
	}
}

func TestOffsetClock(t *testing.T) {
	clk := albtest.NewOffsetClock()
	before := time.Now()
	clk.Advance(2 * time.Hour)
	if d := clk.Now().Sub(before); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Fatalf("after Advance(2h): %s ahead", d)
	}
	target := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clk.Set(target)
	a := clk.Now()
	if a.Before(target) || a.Sub(target) > time.Minute {
		t.Fatalf("after Set: %s", a)
	}
	if b := clk.Now(); b.Before(a) {
		t.Fatal("the clock went backwards on its own")
	}
	if clk.Offset() < 3*365*24*time.Hour {
		t.Fatalf("Offset %s", clk.Offset())
	}
	var zero albtest.OffsetClock
	if d := time.Since(zero.Now()); d < 0 || d > time.Minute {
		t.Fatal("zero OffsetClock is not the wall time")
	}

	// A server on an OffsetClock checks signatures against the wall time:
	// moving its clock by hours keeps the SDK's requests valid and
	// completes transitions after a duration.
	clk = albtest.NewOffsetClock()
	srv, c := start(t, albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(time.Hour)))
	id := mustCreate(t, c, createReq())
	if s := dara.StringValue(get(t, c, id).LoadBalancerStatus); s != "Provisioning" {
		t.Fatalf("before the clock moves: %s", s)
	}
	clk.Advance(3 * time.Hour)
	if s := dara.StringValue(get(t, c, id).LoadBalancerStatus); s != "Active" {
		t.Fatalf("3h later: %s", s)
	}
	if lb, _ := srv.LoadBalancer(id); lb.CreateTime.After(clk.Now().Add(-3 * time.Hour)) {
		t.Fatal("CreateTime is not by the server clock")
	}
}

func TestWithFaultsSurviveReset(t *testing.T) {
	srv, c := start(t, albtest.WithFaults(albtest.Fault{Action: "DescribeZones", Code: "ServiceUnavailable", Status: 503}))
	_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
	sdkErr(t, err, "ServiceUnavailable", 503)
	srv.ClearFaults()
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(albtest.Fault{Action: "DescribeRegions", Code: "InternalError"})
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	fs := srv.Faults()
	if len(fs) != 1 || fs[0].Action != "DescribeZones" || fs[0].Remaining != -1 || fs[0].Status != 503 {
		t.Fatalf("faults after Reset: %+v", fs)
	}
	_, err = c.DescribeZones(&albsdk.DescribeZonesRequest{})
	sdkErr(t, err, "ServiceUnavailable", 503)
}

func TestParseTransition(t *testing.T) {
	for in, want := range map[string]albtest.Transition{
		"immediate": albtest.Immediate(),
		"Manual":    albtest.Manual(),
		"polls:3":   albtest.AfterPolls(3),
		"polls:0":   albtest.Immediate(),
		"90s":       albtest.AfterDuration(90 * time.Second),
		" 2m ":      albtest.AfterDuration(2 * time.Minute),
		"0s":        albtest.Immediate(),
	} {
		got, err := albtest.ParseTransition(in)
		if err != nil || got != want {
			t.Errorf("ParseTransition(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "polls:", "polls:-1", "polls:x", "-5s"} {
		if _, err := albtest.ParseTransition(in); err == nil || !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("ParseTransition(%q): %v", in, err)
		}
	}
}

// ctl calls the control API and decodes the answer.
func ctl(t *testing.T, srv *albtest.Server, method, p string, body any) (int, any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, srv.URL()+p, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, p, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q", method, p, ct)
	}
	var v any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, p, err)
	}
	return resp.StatusCode, v
}

// ctlOK calls the control API and wants 200.
func ctlOK(t *testing.T, srv *albtest.Server, method, p string, body any) any {
	t.Helper()
	st, v := ctl(t, srv, method, p, body)
	if st != http.StatusOK {
		t.Fatalf("%s %s: %d %v", method, p, st, v)
	}
	return v
}

// ctlErr calls the control API and wants status with an error naming want.
func ctlErr(t *testing.T, srv *albtest.Server, method, p string, body any, status int, want string) {
	t.Helper()
	st, v := ctl(t, srv, method, p, body)
	msg, _ := path(v, "error").(string)
	if st != status || !strings.Contains(msg, want) {
		t.Fatalf("%s %s: %d %v; want %d with an error containing %q", method, p, st, v, status, want)
	}
}

func TestControlAPIFaults(t *testing.T) {
	srv, c := start(t)
	if n := len(path(ctlOK(t, srv, "GET", "/_albtest/", nil), "endpoints").([]any)); n != 44 {
		t.Fatalf("index lists %d endpoints", n)
	}

	// Inject over HTTP; the official SDK gets the fault.
	v := ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"action": "DescribeZones", "code": "ServiceUnavailable", "status": 503, "times": 1})
	id := num(path(v, "id"))
	if id <= 0 {
		t.Fatalf("inject answered %v", v)
	}
	got := ctlOK(t, srv, "GET", "/_albtest/faults/"+strconv.FormatInt(id, 10), nil)
	if path(got, "code") != "ServiceUnavailable" || num(path(got, "remaining")) != 1 || path(got, "message") == "" {
		t.Fatalf("fault: %v", got)
	}
	_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
	sdkErr(t, err, "ServiceUnavailable", 503)
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatalf("times 1: the fault applied twice: %v", err)
	}
	if l := ctlOK(t, srv, "GET", "/_albtest/faults", nil).([]any); len(l) != 0 {
		t.Fatalf("a used-up fault is still listed: %v", l)
	}

	// Every field goes through: latency, probability, seed, apply-then-fail, drop.
	v = ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"action": "ListLoadBalancers", "code": "Throttling.User", "status": 400, "message": "slow down",
		"probability": 0.5, "seed": 7, "applyThenFail": true, "latency": "1ms", "times": 3})
	id = num(path(v, "id"))
	f := ctlOK(t, srv, "GET", "/_albtest/faults/"+strconv.FormatInt(id, 10), nil)
	for k, want := range map[string]any{"message": "slow down", "latency": "1ms", "applyThenFail": true, "action": "ListLoadBalancers"} {
		if path(f, k) != want {
			t.Fatalf("fault %s = %v, want %v (%v)", k, path(f, k), want, f)
		}
	}
	if path(f, "probability").(json.Number).String() != "0.5" || num(path(f, "seed")) != 7 {
		t.Fatalf("fault: %v", f)
	}
	fs := srv.Faults()
	if len(fs) != 1 || fs[0].Latency != time.Millisecond || !fs[0].ApplyThenFail || fs[0].Seed != 7 || fs[0].Probability != 0.5 {
		t.Fatalf("Faults(): %+v", fs)
	}
	ctlOK(t, srv, "DELETE", "/_albtest/faults/"+strconv.FormatInt(id, 10), nil)
	ctlErr(t, srv, "DELETE", "/_albtest/faults/"+strconv.FormatInt(id, 10), nil, 404, "not found")
	v = ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"action": "DescribeRegions", "dropConnection": true})
	if _, err := c.DescribeRegions(&albsdk.DescribeRegionsRequest{}); err == nil {
		t.Fatal("dropConnection fault: the call succeeded")
	}
	ctlOK(t, srv, "DELETE", "/_albtest/faults", nil)
	if len(srv.Faults()) != 0 {
		t.Fatal("DELETE /faults left faults")
	}

	for _, tc := range []struct {
		body any
		want string
	}{
		{map[string]any{"action": "X"}, "give code, dropConnection, latency or hold"},
		{map[string]any{"code": "X", "probability": 2}, "probability"},
		{map[string]any{"code": "X", "status": 200}, "status 200"},
		{map[string]any{"code": "X", "dropConnection": true}, "exclude"},
		{map[string]any{"latency": "1ms", "applyThenFail": true}, "applyThenFail"},
		{map[string]any{"code": "X", "times": -1}, "times"},
		{map[string]any{"code": "X", "latency": "soon"}, "duration"},
		{map[string]any{"code": "X", "acton": "Y"}, `unknown field "acton"`},
		{"{", "body"},
		{"", "needs a JSON body"},
	} {
		ctlErr(t, srv, "POST", "/_albtest/faults", tc.body, 400, tc.want)
	}
	ctlErr(t, srv, "GET", "/_albtest/faults/abc", nil, 400, "positive whole number")
	ctlErr(t, srv, "GET", "/_albtest/faults/99", nil, 404, "fault 99")
	ctlErr(t, srv, "POST", "/_albtest/faults/99/release", nil, 404, "fault 99")
}

func TestControlAPIHold(t *testing.T) {
	srv, c := start(t)
	v := ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"action": "DescribeZones", "hold": true})
	ids := strconv.FormatInt(num(path(v, "id")), 10)
	done := make(chan error, 1)
	go func() {
		_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
		done <- err
	}()
	// A client outside Go polls the fault until the request is held.
	deadline := time.Now().Add(10 * time.Second)
	for num(path(ctlOK(t, srv, "GET", "/_albtest/faults/"+ids, nil), "reached")) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the hold")
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the held request returned: %v", err)
	default:
	}
	ctlOK(t, srv, "POST", "/_albtest/faults/"+ids+"/release", nil)
	if err := <-done; err != nil {
		t.Fatalf("released request: %v", err)
	}
	if f := ctlOK(t, srv, "GET", "/_albtest/faults/"+ids, nil); path(f, "released") != true || path(f, "hold") != true {
		t.Fatalf("fault after release: %v", f)
	}
	// Once released, the hold lets requests through.
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatal(err)
	}
	ctlOK(t, srv, "DELETE", "/_albtest/faults/"+ids, nil)
}

func TestControlAPITransitionsAndAdvance(t *testing.T) {
	srv, c := start(t)
	tr := ctlOK(t, srv, "GET", "/_albtest/transitions", nil)
	if path(tr, "Provisioning") != "polls:1" || path(tr, "Deleting") != "polls:1" {
		t.Fatalf("transitions: %v", tr)
	}
	tr = ctlOK(t, srv, "PUT", "/_albtest/transitions", map[string]string{"Provisioning": "manual", "Configuring": "90s"})
	if path(tr, "Provisioning") != "manual" || path(tr, "Configuring") != "1m30s" || path(tr, "Deleting") != "polls:1" {
		t.Fatalf("after PUT: %v", tr)
	}
	id := mustCreate(t, c, createReq())
	for i := 0; i < 3; i++ {
		if s := dara.StringValue(get(t, c, id).LoadBalancerStatus); s != "Provisioning" {
			t.Fatalf("read %d: %s", i, s)
		}
	}
	if n := num(path(ctlOK(t, srv, "POST", "/_albtest/advance", map[string]any{"id": id}), "advanced")); n != 1 {
		t.Fatalf("advance answered %d", n)
	}
	if s := dara.StringValue(get(t, c, id).LoadBalancerStatus); s != "Active" {
		t.Fatalf("after advance: %s", s)
	}
	if n := num(path(ctlOK(t, srv, "POST", "/_albtest/advance", map[string]any{"id": id}), "advanced")); n != 0 {
		t.Fatalf("advance with nothing pending answered %d", n)
	}
	mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerName = dara.String("lb-b") }))
	mustCreate(t, c, createReq(func(r *albsdk.CreateLoadBalancerRequest) { r.LoadBalancerName = dara.String("lb-c") }))
	if n := num(path(ctlOK(t, srv, "POST", "/_albtest/advance", map[string]any{"all": true}), "advanced")); n != 2 {
		t.Fatalf("advance all answered %d", n)
	}
	ctlErr(t, srv, "POST", "/_albtest/advance", map[string]any{}, 400, "exactly one of id")
	ctlErr(t, srv, "POST", "/_albtest/advance", map[string]any{"id": "alb-nope"}, 404, "alb-nope")
	ctlErr(t, srv, "PUT", "/_albtest/transitions", map[string]string{"Pending": "manual"}, 400, `"Pending"`)
	ctlErr(t, srv, "PUT", "/_albtest/transitions", map[string]string{"Deleting": "soon"}, 400, "Deleting")
	ctlErr(t, srv, "PUT", "/_albtest/transitions", map[string]string{}, 400, "at least one phase")
}

func TestControlAPIClock(t *testing.T) {
	srv, _ := start(t)
	if c := ctlOK(t, srv, "GET", "/_albtest/clock", nil); path(c, "movable") != false || path(c, "now") == nil {
		t.Fatalf("wall clock: %v", c)
	}
	ctlErr(t, srv, "POST", "/_albtest/clock", map[string]any{"advance": "1h"}, 409, "NewOffsetClock")

	clk := albtest.NewOffsetClock()
	srv, c := start(t, albtest.WithClock(clk), albtest.WithTransition(albtest.PhaseProvisioning, albtest.AfterDuration(time.Hour)))
	id := mustCreate(t, c, createReq())
	v := ctlOK(t, srv, "POST", "/_albtest/clock", map[string]any{"advance": "2h"})
	if path(v, "offset") != "2h0m0s" || path(v, "movable") != true {
		t.Fatalf("after advance: %v", v)
	}
	if s := dara.StringValue(get(t, c, id).LoadBalancerStatus); s != "Active" {
		t.Fatalf("2h later: %s", s)
	}
	target := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	v = ctlOK(t, srv, "POST", "/_albtest/clock", map[string]any{"set": target})
	now, err := time.Parse(time.RFC3339Nano, path(v, "now").(string))
	if err != nil || now.Before(target) || now.Sub(target) > time.Minute {
		t.Fatalf("after set: %v %v", v, err)
	}
	if clk.Now().Before(target) {
		t.Fatal("the OffsetClock did not move")
	}
	ctlErr(t, srv, "POST", "/_albtest/clock", map[string]any{"advance": "1h", "set": target}, 400, "exactly one")
	ctlErr(t, srv, "POST", "/_albtest/clock", map[string]any{"set": "tomorrow"}, 400, "body")
}

func TestControlAPIInstances(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq())
	l := ctlOK(t, srv, "GET", "/_albtest/loadbalancers", nil).([]any)
	if len(l) != 1 || path(l, 0, "id") != id || path(l, 0, "status") != "Active" || path(l, 0, "zones", 1, "zoneId") != albtest.ZoneI ||
		path(l, 0, "zones", 0, "allocationId") == nil || path(l, 0, "createTime") == nil {
		t.Fatalf("loadbalancers: %v", l)
	}
	ctlErr(t, srv, "GET", "/_albtest/loadbalancers/alb-nope", nil, 404, "alb-nope")

	v := ctlOK(t, srv, "PUT", "/_albtest/loadbalancers/"+id+"/status", map[string]string{"status": "Inactive"})
	if path(v, "status") != "Inactive" || dara.StringValue(get(t, c, id).LoadBalancerStatus) != "Inactive" {
		t.Fatalf("status: %v", v)
	}
	ctlErr(t, srv, "PUT", "/_albtest/loadbalancers/"+id+"/status", map[string]string{"status": "Sleeping"}, 400, "Sleeping")
	ctlErr(t, srv, "PUT", "/_albtest/loadbalancers/alb-nope/status", map[string]string{"status": "Active"}, 404, "alb-nope")
	ctlOK(t, srv, "PUT", "/_albtest/loadbalancers/"+id+"/status", map[string]string{"status": "Active"})

	v = ctlOK(t, srv, "PUT", "/_albtest/loadbalancers/"+id+"/business-status", map[string]any{"status": "Abnormal",
		"locks": []map[string]string{{"lockType": "SecurityLocked", "lockReason": "audit"}}})
	if path(v, "businessStatus") != "Abnormal" || path(v, "locks", 0, "lockReason") != "audit" {
		t.Fatalf("business status: %v", v)
	}
	_, err := c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: dara.String(id)})
	sdkErr(t, err, "IncorrectBusinessStatus.LoadBalancer", 400)
	ctlErr(t, srv, "PUT", "/_albtest/loadbalancers/"+id+"/business-status", map[string]any{"status": "Odd"}, 400, "Odd")
	ctlErr(t, srv, "PUT", "/_albtest/loadbalancers/"+id+"/business-status", map[string]any{"status": "Abnormal", "locks": []map[string]string{{}}}, 400, "locks[0]")

	e := ctlOK(t, srv, "GET", "/_albtest/eips", nil).([]any)
	if len(e) != 11 || path(e, 0, "allocationId") != albtest.EIPTraffic1 { // 9 seeded + 2 auto-assigned
		t.Fatalf("eips: %d %v", len(e), path(e, 0))
	}
	vs := ctlOK(t, srv, "GET", "/_albtest/vswitches", nil).([]any)
	if len(vs) != 6 || path(vs, 0, "vswitchId") != albtest.VSwitchH || num(path(vs, 0, "availableIpAddressCount")) != 252-3 {
		t.Fatalf("vswitches: %v", path(vs, 0))
	}
	j := ctlOK(t, srv, "GET", "/_albtest/jobs", nil).([]any)
	if len(j) != 1 || path(j, 0, "apiName") != "CreateLoadBalancer" || path(j, 0, "resourceId") != id || path(j, 0, "status") != "Succeeded" {
		t.Fatalf("jobs: %v", j)
	}
}

func TestControlAPIRateLimits(t *testing.T) {
	srv, c := start(t)
	v := ctlOK(t, srv, "PUT", "/_albtest/ratelimits/DescribeZones", map[string]any{"rps": 0.001, "burst": 1})
	if num(path(v, "DescribeZones", "burst")) != 1 {
		t.Fatalf("ratelimits: %v", v)
	}
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeZones(&albsdk.DescribeZonesRequest{})
	sdkErr(t, err, "Throttling.User", 400)
	ctlOK(t, srv, "PUT", "/_albtest/ratelimits/*", map[string]any{"rps": 1000})
	if v := ctlOK(t, srv, "GET", "/_albtest/ratelimits", nil); num(path(v, "*", "burst")) != 1 || path(v, "DescribeZones") == nil {
		t.Fatalf("ratelimits: %v", v)
	}
	ctlOK(t, srv, "DELETE", "/_albtest/ratelimits/DescribeZones", nil)
	ctlOK(t, srv, "DELETE", "/_albtest/ratelimits/*", nil)
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatalf("after DELETE: %v", err)
	}
	ctlErr(t, srv, "DELETE", "/_albtest/ratelimits/DescribeZones", nil, 404, "DescribeZones")
	ctlErr(t, srv, "PUT", "/_albtest/ratelimits/DescribeZones", map[string]any{"rps": 0}, 400, "rps")
	ctlErr(t, srv, "PUT", "/_albtest/ratelimits/DescribeZones", map[string]any{"rps": 1, "burst": -1}, 400, "burst")
}

func TestControlAPIRequestLog(t *testing.T) {
	srv, c := start(t, albtest.WithRequestLogLimit(4))
	for i := 0; i < 3; i++ {
		_, _ = c.DescribeZones(&albsdk.DescribeZonesRequest{})
	}
	_, _ = c.DescribeRegions(&albsdk.DescribeRegionsRequest{})
	_, _ = c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String("alb-nope")})
	// 5 requests, the log keeps at most 4: it dropped the oldest 2 when full.
	v := ctlOK(t, srv, "GET", "/_albtest/requests", nil)
	reqs := path(v, "requests").([]any)
	if num(path(v, "first")) != 2 || num(path(v, "next")) != 5 || len(reqs) != 3 || num(path(reqs, 0, "index")) != 2 {
		t.Fatalf("requests: %v", v)
	}
	last := path(reqs, 2)
	if path(last, "action") != "GetLoadBalancerAttribute" || path(last, "code") != "ResourceNotFound.LoadBalancer" || num(path(last, "status")) != 404 ||
		path(last, "params", "LoadBalancerId") != "alb-nope" || path(last, "params", "Signature") != nil || path(last, "accessKeyId") != albtest.DefaultAccessKeyID {
		t.Fatalf("last entry: %v", last)
	}
	if r := path(ctlOK(t, srv, "GET", "/_albtest/requests?action=DescribeRegions", nil), "requests").([]any); len(r) != 1 {
		t.Fatalf("action filter: %v", r)
	}
	if r := path(ctlOK(t, srv, "GET", "/_albtest/requests?code=ResourceNotFound.LoadBalancer", nil), "requests").([]any); len(r) != 1 {
		t.Fatalf("code filter: %v", r)
	}
	v = ctlOK(t, srv, "GET", "/_albtest/requests?since=3&limit=1", nil)
	if r := path(v, "requests").([]any); len(r) != 1 || num(path(r, 0, "index")) != 3 || num(path(v, "next")) != 4 {
		t.Fatalf("since/limit: %v", v)
	}
	ctlErr(t, srv, "GET", "/_albtest/requests?since=-1", nil, 400, "since")
	ctlErr(t, srv, "GET", "/_albtest/requests?actoin=X", nil, 400, `"actoin"`)

	cn := ctlOK(t, srv, "GET", "/_albtest/counts", nil)
	if num(path(cn, "total")) != 5 || num(path(cn, "actions", "DescribeZones")) != 3 {
		t.Fatalf("counts: %v", cn)
	}
	if srv.TotalCalls() != 5 {
		t.Fatal("control requests were counted as API calls")
	}
}

func TestControlAPIResetAndWorld(t *testing.T) {
	file := filepath.Join(t.TempDir(), "world.json")
	writeWorld(t, file, albtest.DefaultWorld())
	srv, c := start(t, albtest.WithWorldFile(file))
	id := mustCreate(t, c, createReq())
	ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"code": "X"})

	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	ctlErr(t, srv, "POST", "/_albtest/reset", nil, 409, "world kept")
	if _, ok := srv.LoadBalancer(id); !ok || len(srv.Faults()) != 1 {
		t.Fatal("a failed reset changed the state")
	}

	w := ctlOK(t, srv, "GET", "/_albtest/world", nil)
	if path(w, "region") != albtest.DefaultRegion || path(w, "vswitches", 0, "vswitchId") != albtest.VSwitchH {
		t.Fatalf("world: %v", w)
	}
	nw := albtest.DefaultWorld()
	nw.VSwitches = append(nw.VSwitches, albtest.VSwitch{VSwitchID: "vsw-loaded", VpcID: albtest.DefaultVPCID, ZoneID: albtest.ZoneJ, CidrBlock: "10.0.77.0/24"})
	ctlOK(t, srv, "PUT", "/_albtest/world", nw)
	if srv.Created() != 0 || !hasVSwitch(srv, "vsw-loaded") || len(srv.Faults()) != 0 {
		t.Fatal("PUT /world did not load the world and reset")
	}
	mustCreate(t, c, createReq())
	ctlOK(t, srv, "POST", "/_albtest/reset", nil) // the loaded world, not the missing file
	if srv.Created() != 0 || !hasVSwitch(srv, "vsw-loaded") {
		t.Fatal("reset after PUT /world")
	}
	nw.VSwitches = append(nw.VSwitches, albtest.VSwitch{VSwitchID: "vsw-bad", VpcID: "vpc-none", ZoneID: albtest.ZoneJ, CidrBlock: "10.0.78.0/24"})
	ctlErr(t, srv, "PUT", "/_albtest/world", nw, 400, "vpc-none")
	ctlErr(t, srv, "PUT", "/_albtest/world", `{"vpcs":[],"vswitchs":[]}`, 400, `unknown field "vswitchs"`)
}

func TestControlAPIRouting(t *testing.T) {
	srv, _ := start(t)
	ctlErr(t, srv, "GET", "/_albtest/nothing", nil, 404, "no such control endpoint")
	ctlErr(t, srv, "PATCH", "/_albtest/faults", nil, 405, "allowed: GET, POST, DELETE")
	resp, err := http.Post(srv.URL()+"/_albtest/jobs", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" {
		t.Fatalf("POST /jobs: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}

	off, c := start(t, albtest.WithoutControlAPI())
	ctlErr(t, off, "GET", "/_albtest/faults", nil, 404, "turned off")
	ctlErr(t, off, "POST", "/_albtest/reset", nil, 404, "turned off")
	if _, err := c.DescribeZones(&albsdk.DescribeZonesRequest{}); err != nil {
		t.Fatal(err)
	}
	if off.TotalCalls() != 1 {
		t.Fatal("control requests were logged")
	}
}

func TestResetErrorWraps(t *testing.T) {
	file := filepath.Join(t.TempDir(), "world.json")
	writeWorld(t, file, albtest.DefaultWorld())
	srv, _ := start(t, albtest.WithWorldFile(file))
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := srv.Reset(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Reset error %v does not wrap the file error", err)
	}
}

// The control API injects a fault over plain HTTP; the SDK then gets it.
func Example_controlAPI() {
	srv := albtest.NewServer()
	defer srv.Close()

	resp, err := http.Post(srv.URL()+albtest.ControlPrefix+"faults", "application/json",
		strings.NewReader(`{"action":"DescribeZones","code":"ServiceUnavailable","status":503,"times":1}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.Join(strings.Fields(string(answer)), ""))

	_, err = srv.ALBClient().DescribeZones(&albsdk.DescribeZonesRequest{})
	var se *tea.SDKError
	if errors.As(err, &se) {
		fmt.Println(dara.IntValue(se.StatusCode), dara.StringValue(se.Code))
	}
	// Output:
	// 200 {"id":1}
	// 503 ServiceUnavailable
}

func ExampleParseTransition() {
	for _, s := range []string{"immediate", "manual", "polls:2", "90s"} {
		t, err := albtest.ParseTransition(s)
		fmt.Println(t.Kind, t.Polls, t.Duration, err)
	}
	// Output:
	// 0 0 0s <nil>
	// 3 0 0s <nil>
	// 2 2 0s <nil>
	// 1 0 1m30s <nil>
}

// Issue 17 item 17: a fault (or a rate limit) on an action the emulator
// does not serve would never apply: the control API refuses it with 400
// naming the closest served actions.
func TestControlRefusesUnservedAction(t *testing.T) {
	srv := albtest.NewServer()
	defer srv.Close()
	status, body := ctl(t, srv, "POST", "/_albtest/faults", map[string]any{"action": "CreateLoadBalancr", "code": "ServiceUnavailable"})
	msg, _ := path(body, "error").(string)
	if status != 400 || !strings.Contains(msg, `"CreateLoadBalancr"`) || !strings.Contains(msg, "closest: CreateLoadBalancer,") {
		t.Fatalf("fault on a misspelt action: %d %v", status, body)
	}
	if n := len(srv.Faults()); n != 0 {
		t.Fatalf("%d faults injected", n)
	}
	ctlErr(t, srv, "PUT", "/_albtest/ratelimits/DescribeZone", map[string]any{"rps": 1}, 400, "closest: DescribeZones")
	// Served actions and "every action" are taken.
	ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"action": "CreateLoadBalancer", "code": "ServiceUnavailable", "times": 1})
	ctlOK(t, srv, "POST", "/_albtest/faults", map[string]any{"code": "ServiceUnavailable", "times": 1})
	ctlOK(t, srv, "PUT", "/_albtest/ratelimits/*", map[string]any{"rps": 1000})
}

// The start-up options that name an action refuse one the emulator does
// not serve, with the closest served names, as the control API does
// (issue 17): such a fault or rate limit would never apply.
func TestStartOptionsRefuseUnservedActions(t *testing.T) {
	for name, tc := range map[string]struct {
		opt  albtest.Option
		want string
	}{
		"fault":      {albtest.WithFaults(albtest.Fault{Action: "DescribeZones"}, albtest.Fault{Action: "CreateLoadBalancr", Code: "ServiceUnavailable"}), `albtest: WithFaults: fault 2: action "CreateLoadBalancr" is not served by the emulator; closest: CreateLoadBalancer`},
		"rate limit": {albtest.WithRateLimit("GetLoadBalancerAtribute", 1, 1), `albtest: WithRateLimit: action "GetLoadBalancerAtribute" is not served by the emulator; closest: GetLoadBalancerAttribute`},
	} {
		t.Run(name, func(t *testing.T) {
			srv, err := albtest.Start(tc.opt)
			if err == nil {
				srv.Close()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want %q", err, tc.want)
			}
		})
	}
	for _, a := range []string{"", "CreateLoadBalancer", "DescribeZones", "DescribeEipAddresses"} {
		if err := albtest.CheckAction(a); err != nil {
			t.Errorf("CheckAction(%q): %v", a, err)
		}
	}
	srv, err := albtest.Start(albtest.WithFaults(albtest.Fault{Code: "ServiceUnavailable", Times: 1}), albtest.WithRateLimit("", 100, 10), albtest.WithRateLimit("DescribeZones", 1, 1))
	if err != nil {
		t.Fatalf("every action and served actions: %v", err)
	}
	srv.Close()
}
