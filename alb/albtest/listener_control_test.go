package albtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"sort"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// TestControlAPICertificates answers GET /_albtest/certificates in exactly
// the shape tools outside the project read:
// {"certificates":[{"CertificateId","Type","Domain","NotAfter","Expired"}]},
// with the default world's certificates (three usable server ones, one
// expired, one CA) and those AddCertificate adds.
func TestControlAPICertificates(t *testing.T) {
	srv, _ := start(t)
	future := time.Date(2040, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := srv.AddCertificate(albtest.Certificate{CertificateID: "555", Domains: []string{"added.example.net", "*.added.example.net"}, NotAfter: future}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []albtest.Certificate{
		{CertificateID: "555", Domains: []string{"x.example.com"}, NotAfter: future},
		{CertificateID: "556", NotAfter: future},
		{CertificateID: "557", Domains: []string{"x.example.com"}},
		{CertificateID: "558", Type: "Client", Domains: []string{"x.example.com"}, NotAfter: future},
	} {
		if err := srv.AddCertificate(bad); err == nil {
			t.Fatalf("AddCertificate took %+v", bad)
		}
	}
	resp, err := http.Get(srv.URL() + albtest.ControlPrefix + "certificates")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || len(top) != 1 || top["certificates"] == nil {
		t.Fatalf("top level: %s", raw)
	}
	var certs []map[string]any
	if err := json.Unmarshal(top["certificates"], &certs); err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, typ, domain, notAfter string
		expired                   bool
	}
	var got []row
	for _, c := range certs {
		keys := []string{}
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, []string{"CertificateId", "Domain", "Expired", "NotAfter", "Type"}) {
			t.Fatalf("certificate fields %v", keys)
		}
		got = append(got, row{c["CertificateId"].(string), c["Type"].(string), c["Domain"].(string), c["NotAfter"].(string), c["Expired"].(bool)})
	}
	want := []row{
		{albtest.CertificateExample, "Server", "example.com", "2036-01-01T00:00:00Z", false},
		{albtest.CertificateAPI, "Server", "api.example.com", "2036-01-01T00:00:00Z", false},
		{albtest.CertificateOrg, "Server", "example.org", "2036-01-01T00:00:00Z", false},
		{albtest.CertificateExpired, "Server", "expired.example.com", "2024-01-01T00:00:00Z", true},
		{albtest.CertificateCA, "Ca", "albtest test CA", "2036-01-01T00:00:00Z", false},
		{"555", "Server", "added.example.net", "2040-05-06T07:08:09Z", false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("certificates:\n got %v\nwant %v", got, want)
	}
	if cs := srv.Certificates(); len(cs) != 6 || len(cs[5].Domains) != 2 {
		t.Fatalf("Certificates: %+v", cs)
	}
	// Reset forgets what was added at runtime; the world file form keeps
	// the certificates.
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Certificates()); n != 5 {
		t.Fatalf("after Reset: %d certificates", n)
	}
	w := ctlOK(t, srv, "GET", "/_albtest/world", nil)
	if n := len(path(w, "certificates").([]any)); n != 5 {
		t.Fatalf("world file: %d certificates", n)
	}
}

// TestControlAPIListenersAndRules reads listeners and rules over HTTP,
// forces their statuses, advances them, sets a server's health and reads
// the security policies.
func TestControlAPIListenersAndRules(t *testing.T) {
	s := newStack(t, "Standard")
	srv, c := s.srv, s.c
	rule := readyRule(t, c, ruleReq(s.listener, 3, s.sg))
	ls := ctlOK(t, srv, "GET", "/_albtest/listeners", nil).([]any)
	if len(ls) != 1 || path(ls, 0, "id") != s.listener || path(ls, 0, "status") != "Running" || num(path(ls, 0, "port")) != 80 ||
		path(ls, 0, "defaultServerGroupIds", 0) != s.sg {
		t.Fatalf("listeners: %v", ls)
	}
	l := ctlOK(t, srv, "GET", "/_albtest/listeners/"+s.listener, nil)
	if path(l, "xForwardedFor", "enabled") != true || path(l, "xForwardedFor", "processingMode") != "append" {
		t.Fatalf("listener: %v", l)
	}
	ctlErr(t, srv, "GET", "/_albtest/listeners/lsn-missing", nil, 404, "lsn-missing")
	if v := ctlOK(t, srv, "PUT", "/_albtest/listeners/"+s.listener+"/status", map[string]any{"status": "Stopped"}); path(v, "status") != "Stopped" {
		t.Fatalf("forced: %v", v)
	}
	if b := getLsn(t, c, s.listener); dara.StringValue(b.ListenerStatus) != "Stopped" {
		t.Fatalf("the SDK reads %s", dara.StringValue(b.ListenerStatus))
	}
	ctlErr(t, srv, "PUT", "/_albtest/listeners/"+s.listener+"/status", map[string]any{"status": "Broken"}, 400, "Broken")

	rs := ctlOK(t, srv, "GET", "/_albtest/rules?listenerId="+s.listener, nil).([]any)
	if len(rs) != 1 || path(rs, 0, "id") != rule || num(path(rs, 0, "priority")) != 3 ||
		path(rs, 0, "ruleConditions", 0, "PathConfig", "Values", 0) != "/api/*" ||
		path(rs, 0, "ruleActions", 0, "ForwardGroupConfig", "ServerGroupTuples", 0, "ServerGroupId") != s.sg {
		t.Fatalf("rules: %v", rs)
	}
	ctlErr(t, srv, "GET", "/_albtest/rules?listenerId=lsn-missing", nil, 404, "lsn-missing")
	if v := ctlOK(t, srv, "PUT", "/_albtest/rules/"+rule+"/status", map[string]any{"status": "CreateFailed"}); path(v, "status") != "CreateFailed" {
		t.Fatalf("forced rule: %v", v)
	}
	ctlErr(t, srv, "GET", "/_albtest/rules/rule-missing", nil, 404, "rule-missing")

	// Advance a rule's pending change by its ID.
	ctlOK(t, srv, "PUT", "/_albtest/rules/"+rule+"/status", map[string]any{"status": "Available"})
	if _, err := c.UpdateRuleAttribute(&albsdk.UpdateRuleAttributeRequest{RuleId: dara.String(rule), RuleName: dara.String("advanced")}); err != nil {
		t.Fatal(err)
	}
	if v := ctlOK(t, srv, "POST", "/_albtest/advance", map[string]any{"id": rule}); num(path(v, "advanced")) != 1 {
		t.Fatalf("advance: %v", v)
	}
	if v := ctlOK(t, srv, "GET", "/_albtest/rules/"+rule, nil); path(v, "name") != "advanced" || path(v, "status") != "Available" {
		t.Fatalf("after advance: %v", v)
	}

	// Server health.
	ctlOK(t, srv, "PUT", "/_albtest/servergroups/"+s.sg+"/health", map[string]any{"serverId": "127.0.0.1", "port": 80, "status": "Unhealthy", "reasonCode": "CONNECT_FAILED"})
	ctlErr(t, srv, "PUT", "/_albtest/servergroups/"+s.sg+"/health", map[string]any{"port": 80, "status": "Unhealthy"}, 400, "serverId")
	ctlErr(t, srv, "PUT", "/_albtest/servergroups/sgp-missing/health", map[string]any{"serverId": "1.1.1.1", "status": "Unhealthy"}, 404, "sgp-missing")
	mustAddServers(t, c, s.sg, ipServer("127.0.0.1", 80))
	waitSG(t, c, s.sg)
	h, err := c.GetListenerHealthStatus(&albsdk.GetListenerHealthStatusRequest{ListenerId: dara.String(s.listener)})
	if err != nil || dara.StringValue(h.Body.ListenerHealthStatus[0].ServerGroupInfos[0].NonNormalServers[0].Reason.ReasonCode) != "CONNECT_FAILED" {
		t.Fatalf("health set over HTTP: %v %v", h, err)
	}

	if _, err := c.CreateSecurityPolicy(&albsdk.CreateSecurityPolicyRequest{SecurityPolicyName: dara.String("ctl"),
		TLSVersions: dara.StringSlice([]string{"TLSv1.2"}), Ciphers: dara.StringSlice([]string{"AES128-SHA"})}); err != nil {
		t.Fatal(err)
	}
	if v := ctlOK(t, srv, "GET", "/_albtest/securitypolicies", nil).([]any); len(v) != 1 || path(v, 0, "name") != "ctl" {
		t.Fatalf("security policies: %v", v)
	}
}
