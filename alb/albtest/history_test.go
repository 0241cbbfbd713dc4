package albtest_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

func TestReleasedHistoryLimit(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()), albtest.WithReleasedHistoryLimit(2))
	var ids []string
	for range 4 {
		ids = append(ids, mustCreate(t, c, createReq()))
	}
	for _, id := range ids[:3] {
		if _, err := c.DeleteLoadBalancer(&albsdk.DeleteLoadBalancerRequest{LoadBalancerId: dara.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, lb := range srv.LoadBalancers() {
		got = append(got, lb.ID)
	}
	// The oldest released instance is forgotten; the live one stays, in creation order.
	if want := ids[1:]; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("LoadBalancers: %v, want %v", got, want)
	}
	if _, ok := srv.LoadBalancer(ids[0]); ok {
		t.Fatalf("LoadBalancer(%s): still known past the limit", ids[0])
	}
	if lb, ok := srv.LoadBalancer(ids[2]); !ok || !lb.Deleted {
		t.Fatalf("LoadBalancer(%s) = %+v, %v; want released", ids[2], lb, ok)
	}
	if lb, ok := srv.LoadBalancer(ids[3]); !ok || lb.Deleted {
		t.Fatalf("LoadBalancer(%s) = %+v, %v; want live", ids[3], lb, ok)
	}
	if srv.Created() != 4 || srv.Live() != 1 {
		t.Fatalf("Created %d, Live %d; want 4, 1", srv.Created(), srv.Live())
	}
}

// rawAttribute returns the raw body of a signed GetLoadBalancerAttribute answer.
func rawAttribute(t *testing.T, srv *albtest.Server, id string) []byte {
	t.Helper()
	cc := &captureClient{}
	cfg := srv.Config()
	cfg.HttpClient = cc
	c, err := albsdk.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	get(t, c, id)
	i := bytes.Index(cc.body, []byte(`"RequestId":"`))
	if i < 0 {
		t.Fatalf("no RequestId in %s", cc.body)
	}
	// Blank the request ID: every answer has its own.
	out := bytes.Clone(cc.body)
	copy(out[i+len(`"RequestId":"`):], strings.Repeat("x", 36))
	return out
}

// Every change of an instance shows in the next GetLoadBalancerAttribute answer,
// although a read repeated without a change is answered from the instance's cache
// (the package's TestMain compares each cached answer with a fresh one).
func TestAttributeAnswerFollowsChanges(t *testing.T) {
	srv, c := start(t, albtest.WithTransitions(albtest.Immediate()))
	id := mustCreate(t, c, createReq())
	prev := rawAttribute(t, srv, id)
	if again := rawAttribute(t, srv, id); !bytes.Equal(again, prev) {
		t.Fatalf("unchanged instance answered differently:\n%s\n%s", prev, again)
	}
	changes := []struct {
		name, shows string
		do          func() error
	}{
		{"tag", `"Key":"team"`, func() error {
			_, err := c.TagResources(&albsdk.TagResourcesRequest{ResourceType: dara.String("loadbalancer"), ResourceId: dara.StringSlice([]string{id}),
				Tag: []*albsdk.TagResourcesRequestTag{{Key: dara.String("team"), Value: dara.String("net")}}})
			return err
		}},
		{"rename", `"LoadBalancerName":"renamed"`, func() error {
			_, err := c.UpdateLoadBalancerAttribute(&albsdk.UpdateLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id), LoadBalancerName: dara.String("renamed")})
			return err
		}},
		{"deletion protection", `"DeletionProtectionConfig":{"Enabled":true`, func() error {
			_, err := c.EnableDeletionProtection(&albsdk.EnableDeletionProtectionRequest{ResourceId: dara.String(id)})
			return err
		}},
		{"business status", `"LoadBalancerBussinessStatus":"Abnormal"`, func() error {
			return srv.SetBusinessStatus(id, "Abnormal", albtest.OperationLock{LockType: "FinancialLocked", LockReason: "overdue"})
		}},
		{"status", `"LoadBalancerStatus":"Inactive"`, func() error { return srv.SetLoadBalancerStatus(id, "Inactive") }},
	}
	for _, ch := range changes {
		if err := ch.do(); err != nil {
			t.Fatalf("%s: %v", ch.name, err)
		}
		got := rawAttribute(t, srv, id)
		if bytes.Equal(got, prev) || !bytes.Contains(got, []byte(ch.shows)) {
			t.Fatalf("after %s: answer %s does not show %s", ch.name, got, ch.shows)
		}
		if again := rawAttribute(t, srv, id); !bytes.Equal(again, got) {
			t.Fatalf("after %s: repeated read differs:\n%s\n%s", ch.name, got, again)
		}
		prev = got
	}
	// A forbidden instance answers an error, not the cached answer.
	if err := srv.SetForbidden(id, true); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)})
	sdkErr(t, err, "Forbidden.LoadBalancer", 400)
}

// The cached answer goes out with the same HTTP framing as any other answer: one
// Content-Length, not chunked. So does an error answer (both are sent before
// their request is logged).
func TestAttributeAnswerHeaders(t *testing.T) {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()), albtest.WithoutAuth())
	t.Cleanup(srv.Close)
	id, _ := activeLB(t, srv.Config())
	for range 2 { // the second is served from the cache
		resp, err := http.Post(srv.URL()+"/?Action=GetLoadBalancerAttribute&Version="+albtest.VersionALB+"&LoadBalancerId="+id, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json;charset=utf-8" ||
			resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 ||
			!bytes.Contains(body, []byte(`"RequestId":"`+resp.Header.Get("x-acs-request-id")+`"`)) {
			t.Fatalf("answer %d %v (length %d, %v) %s", resp.StatusCode, resp.Header, resp.ContentLength, resp.TransferEncoding, body)
		}
	}
	resp, err := http.Post(srv.URL()+"/?Action=GetLoadBalancerAttribute&Version="+albtest.VersionALB+"&LoadBalancerId=alb-missing", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode == 200 || resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 ||
		!bytes.Contains(body, []byte(`"Code":"ResourceNotFound.LoadBalancer"`)) {
		t.Fatalf("error answer %d %v (length %d, %v) %s %v", resp.StatusCode, resp.Header, resp.ContentLength, resp.TransferEncoding, body, err)
	}
}
