package albtest_test

import (
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// TestListenerLifecycle creates, reads, lists, updates, stops, starts and
// deletes a listener through the SDK with the default transitions: every
// change reads its pending status once (Provisioning, Configuring,
// Deleting), a created listener is readable at once, a change shows when
// its transition completes, and each write has a job.
func TestListenerLifecycle(t *testing.T) {
	srv, c := start(t)
	lb := readyLB(t, c, "")
	sg := readySG(t, c, ipGroup)
	resp, err := c.CreateListener(lsnReq(lb, sg, func(r *albsdk.CreateListenerRequest) {
		r.ListenerDescription = dara.String("web_80")
		r.Tag = []*albsdk.CreateListenerRequestTag{{Key: dara.String("env"), Value: dara.String("test")}}
	}))
	if err != nil {
		t.Fatal(err)
	}
	id := dara.StringValue(resp.Body.ListenerId)
	if !reLsnID.MatchString(id) || !reJobID.MatchString(dara.StringValue(resp.Body.JobId)) {
		t.Fatalf("create answer: %s", resp.Body.String())
	}
	b := getLsn(t, c, id)
	if dara.StringValue(b.ListenerStatus) != "Provisioning" {
		t.Fatalf("right after create: %s", b.String())
	}
	b = getLsn(t, c, id)
	if dara.StringValue(b.ListenerStatus) != "Running" || dara.StringValue(b.LoadBalancerId) != lb || dara.Int32Value(b.ListenerPort) != 80 ||
		dara.StringValue(b.ListenerProtocol) != "HTTP" || dara.StringValue(b.ListenerDescription) != "web_80" ||
		dara.Int32Value(b.IdleTimeout) != 15 || dara.Int32Value(b.RequestTimeout) != 60 || !dara.BoolValue(b.GzipEnabled) ||
		dara.StringValue(b.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples[0].ServerGroupId) != sg ||
		!dara.BoolValue(b.XForwardedForConfig.XForwardedForEnabled) || b.LogConfig == nil || b.LogConfig.AccessLogTracingConfig != nil ||
		b.Http2Enabled != nil || b.SecurityPolicyId != nil || b.QuicConfig != nil || len(b.Tags) != 1 {
		t.Fatalf("read after create: %s", b.String())
	}

	// An update shows the old attributes while Configuring.
	if _, err := c.UpdateListenerAttribute(&albsdk.UpdateListenerAttributeRequest{ListenerId: dara.String(id),
		IdleTimeout: dara.Int32(30), RequestTimeout: dara.Int32(600), GzipEnabled: dara.Bool(false), ListenerDescription: dara.String("web")}); err != nil {
		t.Fatal(err)
	}
	b = getLsn(t, c, id)
	if dara.StringValue(b.ListenerStatus) != "Configuring" || dara.Int32Value(b.IdleTimeout) != 15 {
		t.Fatalf("while Configuring: %s", b.String())
	}
	b = getLsn(t, c, id)
	if dara.StringValue(b.ListenerStatus) != "Running" || dara.Int32Value(b.IdleTimeout) != 30 || dara.Int32Value(b.RequestTimeout) != 600 ||
		dara.BoolValue(b.GzipEnabled) || dara.StringValue(b.ListenerDescription) != "web" {
		t.Fatalf("after the update: %s", b.String())
	}

	// Stop, then start.
	if _, err := c.StopListener(&albsdk.StopListenerRequest{ListenerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	if s := dara.StringValue(getLsn(t, c, id).ListenerStatus); s != "Configuring" {
		t.Fatalf("stopping: %s", s)
	}
	waitLsn(t, c, id, "Stopped")
	if _, err := c.StartListener(&albsdk.StartListenerRequest{ListenerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	waitLsn(t, c, id, "Running")

	// ListListeners by instance, ID and protocol, with paging.
	other := runningLsn(t, c, lsnReq(lb, sg, port(8080)))
	lr, err := c.ListListeners(&albsdk.ListListenersRequest{LoadBalancerIds: dara.StringSlice([]string{lb}), MaxResults: dara.Int32(1)})
	if err != nil || len(lr.Body.Listeners) != 1 || dara.StringValue(lr.Body.NextToken) != "1" || dara.Int32Value(lr.Body.TotalCount) != 2 {
		t.Fatalf("ListListeners page 1: %v %v", lr, err)
	}
	lr, err = c.ListListeners(&albsdk.ListListenersRequest{LoadBalancerIds: dara.StringSlice([]string{lb}), MaxResults: dara.Int32(1), NextToken: dara.String("1")})
	if err != nil || len(lr.Body.Listeners) != 1 || dara.StringValue(lr.Body.Listeners[0].ListenerId) != other || dara.StringValue(lr.Body.NextToken) != "" {
		t.Fatalf("ListListeners page 2: %v %v", lr, err)
	}
	lr, err = c.ListListeners(&albsdk.ListListenersRequest{ListenerIds: dara.StringSlice([]string{id}), ListenerProtocol: dara.String("HTTP")})
	if err != nil || len(lr.Body.Listeners) != 1 || dara.StringValue(lr.Body.Listeners[0].ListenerDescription) != "web" {
		t.Fatalf("ListListeners by ID: %v %v", lr, err)
	}
	lr, err = c.ListListeners(&albsdk.ListListenersRequest{ListenerProtocol: dara.String("HTTPS")})
	if err != nil || len(lr.Body.Listeners) != 0 {
		t.Fatalf("ListListeners HTTPS: %v %v", lr, err)
	}

	// The jobs.
	jobs, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ResourceType: dara.String("listener"), ResourceIds: dara.StringSlice([]string{id})})
	if err != nil {
		t.Fatal(err)
	}
	var apis []string
	for _, j := range jobs.Body.Jobs {
		apis = append(apis, dara.StringValue(j.ApiName)+":"+dara.StringValue(j.Status))
	}
	if want := "[CreateListener:Succeeded UpdateListenerAttribute:Succeeded StopListener:Succeeded StartListener:Succeeded]"; fmtSlice(apis) != want {
		t.Fatalf("jobs %v, want %s", apis, want)
	}

	// Delete: Deleting once, then 404.
	if _, err := c.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	if s := dara.StringValue(getLsn(t, c, id).ListenerStatus); s != "Deleting" {
		t.Fatalf("deleting: %s", s)
	}
	_, err = c.GetListenerAttribute(&albsdk.GetListenerAttributeRequest{ListenerId: dara.String(id)})
	sdkErr(t, err, "ResourceNotFound.Listener", 404)
	if _, ok := srv.Listener(id); ok {
		t.Fatal("Listener finds a deleted listener")
	}
	if ls := srv.Listeners(); len(ls) != 1 || ls[0].ID != other {
		t.Fatalf("Listeners: %+v", ls)
	}
}

func fmtSlice(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
