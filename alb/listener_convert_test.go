package alb

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/routing"
)

// sendSDK makes one call through the official SDK client to a local server
// and returns what the server received: the query and the form body
// (parsed), merged in params, the body keys in bodyKeys.
func sendSDK(t *testing.T, answer string, call func(c *albsdk.Client) error) (params url.Values, bodyKeys []string, action string) {
	t.Helper()
	got := make(chan wireRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		body := r.PostForm.Encode()
		select {
		case got <- wireRequest{method: r.Method, action: r.Header.Get("x-acs-action"), query: r.URL.Query(), body: body}:
		default:
			t.Errorf("more than one request received")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(answer))
	}))
	defer srv.Close()
	client, err := albsdk.NewClient(&openapiutil.Config{
		AccessKeyId: dara.String("ak"), AccessKeySecret: dara.String("sk"),
		Endpoint: dara.String(strings.TrimPrefix(srv.URL, "http://")), Protocol: dara.String("http"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := call(client); err != nil {
		t.Fatalf("SDK call: %v", err)
	}
	w := <-got
	params = url.Values{}
	for k, vs := range w.query {
		params[k] = vs
	}
	form, _ := url.ParseQuery(w.body)
	for k, vs := range form {
		params[k] = append(params[k], vs...)
		bodyKeys = append(bodyKeys, k)
	}
	slices.Sort(bodyKeys)
	return params, bodyKeys, w.action
}

// apiParams drops the signature and common parameters, leaving the
// operation's own.
func apiParams(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		switch k {
		case "Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Signature", "RegionId":
			continue
		}
		out[k] = v
	}
	return out
}

func paramKeys(q url.Values) []string {
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func noEmptyObjects(t *testing.T, what string, q url.Values) {
	t.Helper()
	for k, vs := range q {
		for _, v := range vs {
			if v == "null" || v == "{}" || v == "[]" || v == "" {
				t.Errorf("%s sends %s=%q", what, k, v)
			}
		}
	}
}

func fullHTTPSListener() ListenerSpec {
	return NewListenerSpec("alb-1", ListenerHTTPS, 443, "sgp-1", "sgp-2").WithDescription("web_443").WithTimeouts(30, 120).
		WithoutGzip().WithoutHTTP2().WithSecurityPolicy("scp-abc").WithCertificate("cert-1").WithAdditionalCertificates("cert-2").
		WithMutualTLS("ca-1").WithQUICUpgrade("lsn-quic").WithTag("env", "prod").
		WithXForwardedFor(XForwardedFor{Mode: XForwardedForRemove, Proto: true, SLBID: true, SLBPort: true, Host: true, ClientSrcPort: true,
			ClientSourceIPs: true, TrustedProxies: []string{"10.0.0.0/8", "192.168.1.1"},
			ClientCertSubjectDN: ClientCertHeader{Enabled: true, Alias: "subject"}, ClientCertIssuerDN: ClientCertHeader{Enabled: true},
			ClientCertFingerprint: ClientCertHeader{Enabled: true, Alias: "fp"}, ClientCertClientVerify: ClientCertHeader{Enabled: true}})
}

// TestListenerCreateWire: a minimal listener sends its instance, protocol,
// port, default action, token and albkit's two tags, nothing else; a full
// one sends every field, all in the query, matching the golden file.
func TestListenerCreateWire(t *testing.T) {
	const answer = `{"RequestId":"R","ListenerId":"lsn-1","JobId":"j"}`
	minimal := NewListenerSpec("alb-1", ListenerHTTP, 80, "sgp-1")
	q, body, action := sendSDK(t, answer, func(c *albsdk.Client) error {
		_, err := c.CreateListener(minimal.createListenerRequest("tok-1", "tok-1", false))
		return err
	})
	if action != "CreateListener" || len(body) != 0 {
		t.Errorf("action %q, body keys %v", action, body)
	}
	p := apiParams(q)
	want := []string{"ClientToken", "DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId", "DefaultActions.1.Type",
		"ListenerPort", "ListenerProtocol", "LoadBalancerId", "Tag.1.Key", "Tag.1.Value", "Tag.2.Key", "Tag.2.Value"}
	if got := paramKeys(p); !slices.Equal(got, want) {
		t.Errorf("a minimal listener sends %v\nwant %v", got, want)
	}
	if p.Get("Tag.1.Key") != TokenTagKey || p.Get("Tag.1.Value") != "tok-1" || p.Get("Tag.2.Key") != SpecTagKey || p.Get("Tag.2.Value") != minimal.Digest() ||
		p.Get("DefaultActions.1.Type") != "ForwardGroup" || p.Get("ListenerPort") != "80" {
		t.Errorf("minimal create %v", p)
	}
	noEmptyObjects(t, "a minimal create", p)

	full := fullHTTPSListener()
	q, body, _ = sendSDK(t, answer, func(c *albsdk.Client) error {
		_, err := c.CreateListener(full.createListenerRequest("tok-2", "tok-2", true))
		return err
	})
	if len(body) != 0 {
		t.Errorf("CreateListener sends body keys %v", body)
	}
	p = apiParams(q)
	noEmptyObjects(t, "a full create", p)
	p.Del("Tag.3.Value") // the digest
	checkGolden(t, "listener_create_full.golden", goldenLines(p))
	// The additional certificates and the rules are not part of the create.
	for k := range p {
		if strings.Contains(p.Get(k), "cert-2") {
			t.Errorf("the create sends the additional certificate in %s", k)
		}
	}
}

// TestListenerUpdateWire: UpdateListenerAttribute carries exactly the
// changed fields.
func TestListenerUpdateWire(t *testing.T) {
	from := simListener(t, fullHTTPSListener())
	spec := fullHTTPSListener().WithTimeouts(30, 0).WithMutualTLS("ca-2").WithQUICUpgrade("").
		WithXForwardedFor(XForwardedFor{Mode: XForwardedForRemove, Proto: false, SLBID: true, SLBPort: true, Host: true, ClientSrcPort: true,
			ClientSourceIPs: true, TrustedProxies: []string{"192.168.1.1", "10.0.0.0/8"},
			ClientCertSubjectDN: ClientCertHeader{Enabled: true, Alias: "subject2"}, ClientCertIssuerDN: ClientCertHeader{Enabled: true},
			ClientCertFingerprint: ClientCertHeader{Enabled: true, Alias: "fp"}, ClientCertClientVerify: ClientCertHeader{Enabled: true}})
	certs := []ListenerCertificate{{ID: "cert-1", Type: CertificateServer, Default: true, Status: CertificateAssociated},
		{ID: "cert-2", Type: CertificateServer, Status: CertificateAssociated}, {ID: "ca-1", Type: CertificateCA, Status: CertificateAssociated}}
	plan := DiffListener(spec, from.listener(), certs, nil)
	calls := plan.CallList()
	if len(calls) != 1 || calls[0].Action != "UpdateListenerAttribute" {
		t.Fatalf("plan:\n%s", plan)
	}
	q, body, action := sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.UpdateListenerAttribute(plan.updateRequest(calls[0], "tok", false))
		return err
	})
	if action != "UpdateListenerAttribute" || len(body) != 0 {
		t.Errorf("action %q body %v", action, body)
	}
	want := map[string]string{
		"ListenerId": "lsn-sim", "ClientToken": "tok", "RequestTimeout": "60",
		"CaEnabled": "true", "CaCertificates.1.CertificateId": "ca-2",
		"QuicConfig.QuicUpgradeEnabled":                               "false",
		"XForwardedForConfig.XForwardedForProtoEnabled":               "false",
		"XForwardedForConfig.XForwardedForClientCertSubjectDNEnabled": "true",
		"XForwardedForConfig.XForwardedForClientCertSubjectDNAlias":   "subject2",
	}
	p := apiParams(q)
	if len(p) != len(want) {
		t.Errorf("the update sends %v\nwant %v", paramKeys(p), want)
	}
	for k, v := range want {
		if p.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, p.Get(k), v)
		}
	}
}

// everyRule uses every condition and action type with every field.
func everyRule() (RuleSpec, RuleSpec) {
	req := NewRuleSpec("every", 7,
		routing.Host("www.example.com", "*.example.org"), routing.Path("/api/*", "~*^/v[0-9]+/(.*)$"), routing.Header("x-env", "blue"),
		routing.Query(routing.KV("a", "1"), routing.KV("b", "*")), routing.Method("GET", "POST"), routing.Cookie(routing.KV("c", "d")),
		routing.SourceIP("10.0.0.0/8", "192.168.1.1")).
		Then(routing.Cors(routing.CorsConfig{AllowOrigins: []string{"https://a.example.com"}, AllowMethods: []string{"GET"}, AllowHeaders: []string{"x-a"},
			ExposeHeaders: []string{"x-b"}, AllowCredentials: "on", MaxAge: 600}),
			routing.TrafficLimit(1000, 10), routing.Mirror("sgp-m"), routing.InsertHeader("x-route", "every"),
			routing.InsertHeaderFrom("x-ip", routing.ValueSystemDefined, routing.SystemClientSrcIP), routing.RemoveHeader("x-internal"),
			routing.Rewrite(routing.RewriteConfig{Host: "backend.example.com", Path: "/${1}", Query: "q=1"}),
			routing.Forward(routing.Weighted("sgp-1", 80), routing.Weighted("sgp-2", 20)).Sticky(600))
	resp := NewRuleSpec("every-out", 7, routing.ResponseStatusCode("500", "503"), routing.ResponseHeader("x-cache", "miss")).
		Then(routing.InsertHeader("x-retry", "1"), routing.RemoveHeader("x-debug")).OnResponse()
	return req, resp
}

// TestRuleRequestsWire: CreateRules and UpdateRulesAttribute send their
// rules in the form body, DeleteRules its IDs in the query, the single-rule
// operations everything in the query; the values are the golden files'.
func TestRuleRequestsWire(t *testing.T) {
	req, resp := everyRule()
	for _, r := range []RuleSpec{req, resp} {
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	q, body, action := sendSDK(t, `{"RequestId":"R","JobId":"j","RuleIds":[{"RuleId":"rule-1","Priority":7}]}`, func(c *albsdk.Client) error {
		_, err := c.CreateRules(createRulesRequest("lsn-1", []RuleSpec{req, resp}, "tok", false))
		return err
	})
	if action != "CreateRules" || len(body) == 0 || !slices.ContainsFunc(body, func(k string) bool { return strings.HasPrefix(k, "Rules.2.RuleConditions.1.ResponseStatusCodeConfig") }) {
		t.Errorf("CreateRules body keys %v", body)
	}
	for _, k := range body {
		if !strings.HasPrefix(k, "Rules.") {
			t.Errorf("CreateRules sends %s in the body", k)
		}
	}
	p := apiParams(q)
	noEmptyObjects(t, "CreateRules", p)
	checkGolden(t, "rules_create.golden", goldenLines(p))

	step := RuleStep{Kind: RuleStepUpdate, RuleID: "rule-1", Rule: req.WithPriority(9), FromPriority: 7, Actions: true}
	move := RuleStep{Kind: RuleStepUpdate, RuleID: "rule-2", Rule: resp.WithPriority(3), FromPriority: 4, Temporary: true}
	q, body, _ = sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.UpdateRulesAttribute(updateRulesRequest([]RuleStep{step, move}, "tok", false))
		return err
	})
	p = apiParams(q)
	if p.Get("Rules.1.RuleId") != "rule-1" || p.Get("Rules.1.Priority") != "9" || p.Get("Rules.2.RuleId") != "rule-2" || p.Get("Rules.2.Priority") != "3" {
		t.Errorf("UpdateRulesAttribute %v", p)
	}
	for k := range p {
		if strings.Contains(k, "RuleConditions") || strings.Contains(k, "RuleName") || strings.HasPrefix(k, "Rules.2.RuleActions") || strings.Contains(k, "Direction") {
			t.Errorf("UpdateRulesAttribute sends %s, which does not change", k)
		}
	}
	if p.Get("Rules.1.RuleActions.8.ForwardGroupConfig.ServerGroupStickySession.Enabled") != "true" || len(body) == 0 {
		t.Errorf("UpdateRulesAttribute actions %v (body %v)", p, body)
	}
	off := req
	off.Actions = routing.InOrder(routing.ForwardTo("sgp-1"))
	q, _, _ = sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.UpdateRuleAttribute(updateRuleRequest(RuleStep{Kind: RuleStepUpdate, RuleID: "rule-1", Rule: off, FromPriority: 7, Actions: true}, "", true))
		return err
	})
	if p := apiParams(q); p.Get("RuleActions.1.ForwardGroupConfig.ServerGroupStickySession.Enabled") != "false" || p.Get("DryRun") != "true" || p.Get("RuleId") != "rule-1" {
		t.Errorf("an update spells out sticky sessions off: %v", p)
	}

	q, body, _ = sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.DeleteRules(deleteRulesRequest([]string{"rule-1", "rule-2"}, "tok", false))
		return err
	})
	if p := apiParams(q); p.Get("RuleIds.1") != "rule-1" || p.Get("RuleIds.2") != "rule-2" || len(body) != 0 {
		t.Errorf("DeleteRules %v body %v", p, body)
	}
	q, body, _ = sendSDK(t, `{"RequestId":"R","JobId":"j","RuleId":"rule-9"}`, func(c *albsdk.Client) error {
		_, err := c.CreateRule(createRuleRequest("lsn-1", resp, "tok", false))
		return err
	})
	if p := apiParams(q); p.Get("Direction") != "Response" || p.Get("RuleName") != "every-out" || p.Get("RuleConditions.2.ResponseHeaderConfig.Key") != "x-cache" || len(body) != 0 {
		t.Errorf("CreateRule %v body %v", p, body)
	}
	q, _, _ = sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.DeleteRule(deleteRuleRequest("rule-9", "tok", false))
		return err
	})
	if p := apiParams(q); p.Get("RuleId") != "rule-9" || p.Get("ClientToken") != "tok" {
		t.Errorf("DeleteRule %v", p)
	}
}

// TestRuleRoundTrip: a rule created from a spec and read back by ListRules
// is the same rule, for every condition and action type.
func TestRuleRoundTrip(t *testing.T) {
	req, resp := everyRule()
	for _, r := range []RuleSpec{req, resp} {
		create := createRulesRequest("lsn-1", []RuleSpec{r}, "", false)
		var b albsdk.ListRulesResponseBodyRules
		reencode(t, create.Rules[0], &b)
		b.RuleId, b.ListenerId, b.RuleStatus = dara.String("rule-1"), dara.String("lsn-1"), dara.String("Available")
		if b.Direction == nil {
			b.Direction = dara.String("Request") // ListRules reports the default
		}
		got := ruleFromSDK(&b)
		if got.Name != r.Name || got.Priority != r.Priority || got.direction() != r.direction() || got.Status != RuleAvailable || got.ID != "rule-1" {
			t.Errorf("read back %+v", got)
		}
		if conditionsKey(got.Conditions) != conditionsKey(r.Conditions) || actionsKey(got.Actions) != actionsKey(r.Actions) {
			t.Errorf("%s: read back\n%v\n%v\nwant\n%v\n%v", r.Name, got.Conditions, got.Actions, r.Conditions, r.Actions)
		}
		if err := SpecFromRule(got).Validate(); err != nil {
			t.Errorf("the spec read back is invalid: %v", err)
		}
	}
}

// TestCertificateAndPolicyWire: certificate associations and security
// policy operations on the wire.
func TestCertificateAndPolicyWire(t *testing.T) {
	q, _, action := sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.AssociateAdditionalCertificatesWithListener(associateCertificatesRequest("lsn-1", []string{"cert-2", "cert-3"}, "tok", false))
		return err
	})
	if p := apiParams(q); action != "AssociateAdditionalCertificatesWithListener" || p.Get("Certificates.1.CertificateId") != "cert-2" ||
		p.Get("Certificates.2.CertificateId") != "cert-3" || p.Get("ListenerId") != "lsn-1" || len(p) != 4 {
		t.Errorf("associate %v", p)
	}
	q, _, _ = sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.DissociateAdditionalCertificatesFromListener(dissociateCertificatesRequest("lsn-1", []string{"cert-3"}, "", true))
		return err
	})
	if p := apiParams(q); p.Get("Certificates.1.CertificateId") != "cert-3" || p.Get("DryRun") != "true" || len(p) != 3 {
		t.Errorf("dissociate %v", p)
	}
	sp := NewSecurityPolicySpec("strict", []TLSVersion{TLS12, TLS13}, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256").WithResourceGroup("rg-1").WithTag("env", "prod")
	q, _, _ = sendSDK(t, `{"RequestId":"R","SecurityPolicyId":"scp-1"}`, func(c *albsdk.Client) error {
		_, err := c.CreateSecurityPolicy(sp.createRequest("tok", "tok", false))
		return err
	})
	p := apiParams(q)
	want := map[string]string{"SecurityPolicyName": "strict", "TLSVersions.1": "TLSv1.2", "TLSVersions.2": "TLSv1.3", "Ciphers.1": "ECDHE-RSA-AES128-GCM-SHA256",
		"Ciphers.2": "TLS_AES_128_GCM_SHA256", "ResourceGroupId": "rg-1", "ClientToken": "tok", "Tag.1.Key": "env", "Tag.1.Value": "prod",
		"Tag.2.Key": TokenTagKey, "Tag.2.Value": "tok", "Tag.3.Key": SpecTagKey, "Tag.3.Value": sp.Digest()}
	if len(p) != len(want) {
		t.Errorf("CreateSecurityPolicy sends %v", paramKeys(p))
	}
	for k, v := range want {
		if p.Get(k) != v {
			t.Errorf("CreateSecurityPolicy %s = %q, want %q", k, p.Get(k), v)
		}
	}
	have := &SecurityPolicy{ID: "scp-1", Name: "strict", TLSVersions: []TLSVersion{TLS13, TLS12}, Ciphers: []string{"TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"}, ResourceGroupID: "rg-1"}
	plan := DiffSecurityPolicy(NewSecurityPolicySpec("strict2", []TLSVersion{TLS13}, "TLS_AES_128_GCM_SHA256"), have)
	q, _, _ = sendSDK(t, `{"RequestId":"R","JobId":"j"}`, func(c *albsdk.Client) error {
		_, err := c.UpdateSecurityPolicyAttribute(plan.updateRequest("tok", false))
		return err
	})
	p = apiParams(q)
	want = map[string]string{"SecurityPolicyId": "scp-1", "SecurityPolicyName": "strict2", "TLSVersions.1": "TLSv1.3", "Ciphers.1": "TLS_AES_128_GCM_SHA256", "ClientToken": "tok"}
	if len(p) != len(want) {
		t.Errorf("UpdateSecurityPolicyAttribute sends %v", paramKeys(p))
	}
	for k, v := range want {
		if p.Get(k) != v {
			t.Errorf("UpdateSecurityPolicyAttribute %s = %q, want %q", k, p.Get(k), v)
		}
	}
	q, _, _ = sendSDK(t, `{"RequestId":"R"}`, func(c *albsdk.Client) error {
		_, err := c.DeleteSecurityPolicy(deleteSecurityPolicyRequest("scp-1", "", false))
		return err
	})
	if p := apiParams(q); p.Get("SecurityPolicyId") != "scp-1" || len(p) != 1 {
		t.Errorf("DeleteSecurityPolicy %v", p)
	}
	if DiffSecurityPolicy(NewSecurityPolicySpec("strict", []TLSVersion{TLS12, TLS13}, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256").WithResourceGroup("rg-1"), have).updateRequest("", false) != nil {
		t.Error("an unchanged policy has an update request")
	}
}

// TestListenerFromSDK reads GetListenerAttribute, ListListeners,
// ListListenerCertificates and ListRules answers as the service sends
// them.
func TestListenerFromSDK(t *testing.T) {
	const get = `{"ListenerId":"lsn-1","LoadBalancerId":"alb-1","ListenerProtocol":"HTTPS","ListenerPort":443,"ListenerStatus":"Running",
		"ListenerDescription":"web","DefaultActions":[{"Type":"ForwardGroup","ForwardGroupConfig":{"ServerGroupTuples":[{"ServerGroupId":"sgp-1"}]}}],
		"IdleTimeout":15,"RequestTimeout":60,"GzipEnabled":true,"Http2Enabled":false,"SecurityPolicyId":"tls_cipher_policy_1_2",
		"Certificates":[{"CertificateId":"cert-1"}],"CaEnabled":true,"CaCertificates":[{"CertificateId":"ca-1","IsDefault":true,"Status":"Associated"}],
		"QuicConfig":{"QuicUpgradeEnabled":true,"QuicListenerId":"lsn-q"},
		"XForwardedForConfig":{"XForwardedForEnabled":true,"XForwardedForProcessingMode":"append","XForwardedForProtoEnabled":true,
			"XForwardedForClientSourceIpsEnabled":true,"XForwardedForClientSourceIpsTrusted":"10.0.0.0/8, 192.168.1.1",
			"XForwardedForClientCertSubjectDNEnabled":true,"XForwardedForClientCertSubjectDNAlias":"subject","XForwardedForClientCertIssuerDNEnabled":false},
		"LogConfig":{"AccessLogRecordCustomizedHeadersEnabled":false},
		"AclConfig":{"AclType":"White","AclRelations":[{"AclId":"acl-1","Status":"Associated"}]},
		"Tags":[{"Key":"albkit:client-token","Value":"tok"},{"Key":"env","Value":"prod"}],"RequestId":"R"}`
	var b albsdk.GetListenerAttributeResponseBody
	if err := json.Unmarshal([]byte(get), &b); err != nil {
		t.Fatal(err)
	}
	l := listenerFromSDK(&b)
	want := &Listener{ID: "lsn-1", LoadBalancerID: "alb-1", Protocol: ListenerHTTPS, Port: 443, Status: ListenerRunning, Description: "web",
		DefaultServerGroupIDs: []string{"sgp-1"}, IdleTimeoutSeconds: 15, RequestTimeoutSeconds: 60, Gzip: true, HTTP2: false,
		SecurityPolicyID: "tls_cipher_policy_1_2", DefaultCertificateID: "cert-1", CACertificateIDs: []string{"ca-1"}, QUICListenerID: "lsn-q",
		XForwardedFor: XForwardedFor{Mode: XForwardedForAppend, Proto: true, ClientSourceIPs: true, TrustedProxies: []string{"10.0.0.0/8", "192.168.1.1"},
			ClientCertSubjectDN: ClientCertHeader{Enabled: true, Alias: "subject"}},
		ACLType: ACLWhite, ACLs: []ListenerACL{{ID: "acl-1", Status: "Associated"}},
		Tags: []Tag{{Key: TokenTagKey, Value: "tok"}, {Key: "env", Value: "prod"}}}
	if gotJSON, wantJSON := mustJSON(t, l), mustJSON(t, want); gotJSON != wantJSON {
		t.Errorf("listenerFromSDK =\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	if l.Token() != "tok" {
		t.Errorf("Token() = %q", l.Token())
	}
	var lb albsdk.ListListenersResponseBodyListeners
	if err := json.Unmarshal([]byte(get), &lb); err != nil {
		t.Fatal(err)
	}
	ll := listenerFromListSDK(&lb)
	if ll.ID != "lsn-1" || ll.DefaultCertificateID != "" || ll.CACertificateIDs != nil || ll.QUICListenerID != "lsn-q" || !ll.XForwardedFor.Proto {
		t.Errorf("listenerFromListSDK = %+v", ll)
	}
	for raw, want := range map[string]ListenerCertificate{
		`{"CertificateId":"c1","CertificateType":"Server","IsDefault":true,"Status":"Associated"}`:     {ID: "c1", Type: CertificateServer, Default: true, Status: CertificateAssociated},
		`{"CertificateId":"c2","CertificateType":"Server","IsDefault":false,"Status":"Diassociating"}`: {ID: "c2", Type: CertificateServer, Status: CertificateDissociating},
		`{"CertificateId":"c3","CertificateType":"Ca","Status":"Associating"}`:                         {ID: "c3", Type: CertificateCA, Status: CertificateAssociating},
	} {
		var cb albsdk.ListListenerCertificatesResponseBodyCertificates
		if err := json.Unmarshal([]byte(raw), &cb); err != nil {
			t.Fatal(err)
		}
		if got := listenerCertificateFromSDK(&cb); got != want {
			t.Errorf("%s read as %+v", raw, got)
		}
	}
	const rule = `{"RuleId":"rule-1","RuleName":"api","ListenerId":"lsn-1","LoadBalancerId":"alb-1","Priority":5,"Direction":"Request","RuleStatus":"Available",
		"RuleConditions":[{"Type":"Host","HostConfig":{"Values":["a.example.com"]}},{"Type":"Cookie","CookieConfig":{"Values":[{"Key":"k","Value":"v"}]}}],
		"RuleActions":[{"Type":"ForwardGroup","Order":1,"ForwardGroupConfig":{"ServerGroupTuples":[{"ServerGroupId":"sgp-1","Weight":100}],
			"ServerGroupStickySession":{"Enabled":false}}}],"Tags":[{"Key":"k","Value":"v"}]}`
	var rb albsdk.ListRulesResponseBodyRules
	if err := json.Unmarshal([]byte(rule), &rb); err != nil {
		t.Fatal(err)
	}
	r := ruleFromSDK(&rb)
	wantRule := Rule{ID: "rule-1", ListenerID: "lsn-1", LoadBalancerID: "alb-1", Status: RuleAvailable, Tags: []Tag{{Key: "k", Value: "v"}},
		RuleSpec: RuleSpec{Name: "api", Priority: 5, Direction: routing.DirectionRequest,
			Conditions: []routing.Condition{routing.Host("a.example.com"), routing.Cookie(routing.KV("k", "v"))},
			Actions:    routing.InOrder(routing.ForwardTo("sgp-1"))}}
	if mustJSON(t, r) != mustJSON(t, wantRule) {
		t.Errorf("ruleFromSDK =\n%s\nwant\n%s", mustJSON(t, r), mustJSON(t, wantRule))
	}
	const pol = `{"SecurityPolicyId":"scp-1","SecurityPolicyName":"strict","SecurityPolicyStatus":"Available","TLSVersions":["TLSv1.2"],
		"Ciphers":["AES128-SHA"],"ResourceGroupId":"rg-1","CreateTime":"2024-05-01T10:00:00Z","Tags":[{"Key":"env","Value":"prod"}]}`
	var pb albsdk.ListSecurityPoliciesResponseBodySecurityPolicies
	if err := json.Unmarshal([]byte(pol), &pb); err != nil {
		t.Fatal(err)
	}
	sp := securityPolicyFromSDK(&pb)
	if sp.ID != "scp-1" || sp.Name != "strict" || sp.Status != SecurityPolicyAvailable || !slices.Equal(sp.TLSVersions, []TLSVersion{TLS12}) ||
		!slices.Equal(sp.Ciphers, []string{"AES128-SHA"}) || sp.CreatedAt.IsZero() || sp.System || len(sp.Tags) != 1 {
		t.Errorf("securityPolicyFromSDK = %+v", sp)
	}
	if !DiffSecurityPolicy(SpecFromSecurityPolicy(sp), sp).Empty() {
		t.Error("a policy read back does not diff empty")
	}
	var sb albsdk.ListSystemSecurityPoliciesResponseBodySecurityPolicies
	if err := json.Unmarshal([]byte(`{"SecurityPolicyId":"tls_cipher_policy_1_0","TLSVersions":["TLSv1.0","TLSv1.1","TLSv1.2"],"Ciphers":["AES128-SHA"]}`), &sb); err != nil {
		t.Fatal(err)
	}
	sys := systemSecurityPolicyFromSDK(&sb)
	if !sys.System || sys.ID != "tls_cipher_policy_1_0" || len(sys.TLSVersions) != 3 {
		t.Errorf("system policy %+v", sys)
	}
	if p := DiffSecurityPolicy(spBaseInternal(), sys); len(p.Blocked) != 1 || p.Writes() {
		t.Errorf("a system policy is not blocked: %s", p)
	}
}

func spBaseInternal() SecurityPolicySpec {
	return NewSecurityPolicySpec("strict", []TLSVersion{TLS12}, "AES128-SHA")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
