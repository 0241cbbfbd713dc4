package albtest_test

import (
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// TestListenerCreateChecks refuses each invalid CreateListener with its
// code (the table in alb_listener_validate.go), on an instance that has a
// listener on port 80; nothing is created by a refused request.
func TestListenerCreateChecks(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	otherVPC := readySG(t, c, ipGroup, func(r *albsdk.CreateServerGroupRequest) { r.VpcId = dara.String(albtest.DefaultOtherVPCID) })
	httpsSG := readySG(t, c, ipGroup, func(r *albsdk.CreateServerGroupRequest) { r.Protocol = dara.String("HTTPS") })
	grpcSG := readySG(t, c, ipGroup, func(r *albsdk.CreateServerGroupRequest) { r.Protocol = dara.String("gRPC") })
	on := func(p int32, mods ...func(*albsdk.CreateListenerRequest)) func(*albsdk.CreateListenerRequest) {
		return func(r *albsdk.CreateListenerRequest) {
			r.ListenerPort = dara.Int32(p)
			for _, m := range mods {
				m(r)
			}
		}
	}
	groups := func(ids ...string) func(*albsdk.CreateListenerRequest) {
		return func(r *albsdk.CreateListenerRequest) {
			r.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples = nil
			for _, id := range ids {
				r.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples = append(r.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples,
					&albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{ServerGroupId: dara.String(id)})
			}
		}
	}
	certs := func(ids ...string) func(*albsdk.CreateListenerRequest) {
		return func(r *albsdk.CreateListenerRequest) {
			r.Certificates = nil
			for _, id := range ids {
				r.Certificates = append(r.Certificates, &albsdk.CreateListenerRequestCertificates{CertificateId: dara.String(id)})
			}
		}
	}
	xff := func(f func(*albsdk.CreateListenerRequestXForwardedForConfig)) func(*albsdk.CreateListenerRequest) {
		return func(r *albsdk.CreateListenerRequest) {
			r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{}
			f(r.XForwardedForConfig)
		}
	}
	quic := func(id string) func(*albsdk.CreateListenerRequest) {
		return func(r *albsdk.CreateListenerRequest) {
			r.QuicConfig = &albsdk.CreateListenerRequestQuicConfig{QuicUpgradeEnabled: dara.Bool(true), QuicListenerId: dara.String(id)}
		}
	}
	for _, tc := range []struct {
		name   string
		mod    func(*albsdk.CreateListenerRequest)
		code   string
		status int
	}{
		{"no instance", func(r *albsdk.CreateListenerRequest) { r.LoadBalancerId = nil }, "MissingParameter", 400},
		{"no protocol", func(r *albsdk.CreateListenerRequest) { r.ListenerProtocol = nil }, "MissingParameter", 400},
		{"bad protocol", func(r *albsdk.CreateListenerRequest) { r.ListenerProtocol = dara.String("TCP") }, "InvalidParameter", 400},
		{"no port", func(r *albsdk.CreateListenerRequest) { r.ListenerPort = nil }, "MissingParameter", 400},
		{"port 0", on(0), "InvalidParameter", 400},
		{"port 65536", on(65536), "InvalidParameter", 400},
		{"no default action", on(81, func(r *albsdk.CreateListenerRequest) { r.DefaultActions = nil }), "MissingParameter", 400},
		{"default action type", on(81, func(r *albsdk.CreateListenerRequest) { r.DefaultActions[0].Type = dara.String("Redirect") }), "InvalidParameter", 400},
		{"default action without group", on(81, groups("")), "MissingParameter", 400},
		{"six default groups", on(81, groups("a", "b", "c", "d", "e", "f")), "InvalidParameter", 400},
		{"description too short", on(81, func(r *albsdk.CreateListenerRequest) { r.ListenerDescription = dara.String("x") }), "InvalidParameter", 400},
		{"description with a space", on(81, func(r *albsdk.CreateListenerRequest) { r.ListenerDescription = dara.String("a b") }), "InvalidParameter", 400},
		{"description with a Latin-1 letter", on(81, func(r *albsdk.CreateListenerRequest) { r.ListenerDescription = dara.String("café") }), "InvalidParameter", 400},
		{"idle timeout 0", on(81, func(r *albsdk.CreateListenerRequest) { r.IdleTimeout = dara.Int32(0) }), "InvalidParameter", 400},
		{"idle timeout 601", on(81, func(r *albsdk.CreateListenerRequest) { r.IdleTimeout = dara.Int32(601) }), "InvalidParameter", 400},
		{"request timeout 601", on(81, func(r *albsdk.CreateListenerRequest) { r.RequestTimeout = dara.Int32(601) }), "InvalidParameter", 400},
		{"HTTP/2 on HTTP", on(81, func(r *albsdk.CreateListenerRequest) { r.Http2Enabled = dara.Bool(true) }), "InvalidParameter", 400},
		{"policy on HTTP", on(81, func(r *albsdk.CreateListenerRequest) { r.SecurityPolicyId = dara.String(albtest.PolicyTLS12) }), "InvalidParameter", 400},
		{"certificate on HTTP", on(81, certs(albtest.CertificateExample)), "InvalidParameter", 400},
		{"client-cert header on HTTP", on(81, xff(func(x *albsdk.CreateListenerRequestXForwardedForConfig) {
			x.XForwardedForClientCertSubjectDNEnabled = dara.Bool(true)
		})), "InvalidParameter", 400},
		{"processing mode", on(81, xff(func(x *albsdk.CreateListenerRequestXForwardedForConfig) {
			x.XForwardedForProcessingMode = dara.String("replace")
		})), "InvalidParameter", 400},
		{"trusted sources", on(81, xff(func(x *albsdk.CreateListenerRequestXForwardedForConfig) {
			x.XForwardedForClientSourceIpsTrusted = dara.String("10.0.0.0/40")
		})), "InvalidParameter", 400},
		{"trusted source with a zone", on(81, xff(func(x *albsdk.CreateListenerRequestXForwardedForConfig) {
			x.XForwardedForClientSourceIpsTrusted = dara.String("fe80::1%eth0")
		})), "InvalidParameter", 400},
		{"remove mode on QUIC", on(444, https, func(r *albsdk.CreateListenerRequest) { r.ListenerProtocol = dara.String("QUIC") },
			xff(func(x *albsdk.CreateListenerRequestXForwardedForConfig) {
				x.XForwardedForProcessingMode = dara.String("remove")
			})), "InvalidParameter", 400},
		{"HTTPS without certificate", on(444, https, certs()), "MissingParameter", 400},
		{"QUIC without certificate", on(444, func(r *albsdk.CreateListenerRequest) { r.ListenerProtocol = dara.String("QUIC") }), "MissingParameter", 400},
		{"two default certificates", on(444, https, certs(albtest.CertificateExample, albtest.CertificateAPI)), "InvalidParameter", 400},
		{"unknown certificate", on(444, https, certs("12345")), "ResourceNotFound.Certificate", 404},
		{"CA as the default certificate", on(444, https, certs(albtest.CertificateCA)), "InvalidParameter", 400},
		{"expired certificate", on(444, https, certs(albtest.CertificateExpired)), "IncorrectStatus.Certificate", 400},
		{"CA enabled without CA", on(444, https, func(r *albsdk.CreateListenerRequest) { r.CaEnabled = dara.Bool(true) }), "MissingParameter", 400},
		{"server certificate as CA", on(444, https, func(r *albsdk.CreateListenerRequest) {
			r.CaEnabled = dara.Bool(true)
			r.CaCertificates = []*albsdk.CreateListenerRequestCaCertificates{{CertificateId: dara.String(albtest.CertificateAPI)}}
		}), "InvalidParameter", 400},
		{"alias with capitals", on(444, https, xff(func(x *albsdk.CreateListenerRequestXForwardedForConfig) {
			x.XForwardedForClientCertSubjectDNAlias = dara.String("Subject")
		})), "InvalidParameter", 400},
		{"unknown policy", on(444, https, func(r *albsdk.CreateListenerRequest) { r.SecurityPolicyId = dara.String("scp-missing") }), "ResourceNotFound.SecurityPolicy", 404},
		{"QUIC upgrade without a listener", on(444, https, func(r *albsdk.CreateListenerRequest) {
			r.QuicConfig = &albsdk.CreateListenerRequestQuicConfig{QuicUpgradeEnabled: dara.Bool(true)}
		}), "MissingParameter", 400},
		{"QUIC upgrade to an unknown listener", on(444, https, quic("lsn-missing")), "ResourceNotFound.Listener", 404},
		{"QUIC upgrade to an HTTP listener", on(444, https, quic(s.listener)), "InvalidParameter", 400},
		{"QUIC upgrade on HTTP", on(81, quic(s.listener)), "InvalidParameter", 400},
		{"unknown instance", on(81, func(r *albsdk.CreateListenerRequest) { r.LoadBalancerId = dara.String("alb-missing") }), "ResourceNotFound.LoadBalancer", 404},
		{"port taken", on(80), "ResourceAlreadyExist.Listener", 400},
		{"port taken by HTTP, for HTTPS", on(80, https, on(80)), "ResourceAlreadyExist.Listener", 400},
		{"unknown group", on(81, groups("sgp-missing")), "ResourceNotFound.ServerGroup", 404},
		{"group of another VPC", on(81, groups(otherVPC)), "Mismatch.VpcId", 400},
		{"HTTPS group behind HTTP", on(81, groups(httpsSG)), "Mismatch.ServerGroupProtocol", 400},
		{"gRPC group behind HTTP", on(81, groups(grpcSG)), "Mismatch.ServerGroupProtocol", 400},
		{"HTTPS group behind QUIC", on(81, https, on(81), func(r *albsdk.CreateListenerRequest) { r.ListenerProtocol = dara.String("QUIC") }, groups(httpsSG)), "Mismatch.ServerGroupProtocol", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := lsnReq(s.lb, s.sg, tc.mod)
			before := len(s.srv.Listeners())
			_, err := c.CreateListener(r)
			sdkErr(t, err, tc.code, tc.status)
			if n := len(s.srv.Listeners()); n != before {
				t.Fatalf("a refused create made a listener (%d → %d)", before, n)
			}
		})
	}
	// What the protocols allow: gRPC behind HTTPS and QUIC, QUIC beside
	// HTTP on one port (UDP), HTTPS with a custom TLS policy on Standard.
	runningLsn(t, c, lsnReq(s.lb, grpcSG, https, port(8443)))
	q := runningLsn(t, c, lsnReq(s.lb, grpcSG, https, func(r *albsdk.CreateListenerRequest) {
		r.ListenerProtocol, r.ListenerPort = dara.String("QUIC"), dara.Int32(80)
	}))
	b := getLsn(t, c, q)
	if b.QuicConfig != nil || b.Http2Enabled != nil || dara.StringValue(b.Certificates[0].CertificateId) != albtest.CertificateExample {
		t.Fatalf("QUIC listener: %s", b.String())
	}
	up := runningLsn(t, c, lsnReq(s.lb, s.sg, https, quic(q)))
	if b := getLsn(t, c, up); !dara.BoolValue(b.QuicConfig.QuicUpgradeEnabled) || dara.StringValue(b.QuicConfig.QuicListenerId) != q {
		t.Fatalf("QUIC upgrade: %s", b.String())
	}
	_, err := c.CreateListener(lsnReq(s.lb, s.sg, https, port(445), quic(q)))
	sdkErr(t, err, "ResourceInUse.Listener", 400)
	_, err = c.DeleteListener(&albsdk.DeleteListenerRequest{ListenerId: dara.String(q)})
	sdkErr(t, err, "ResourceInUse.Listener", 400)
}

// TestListenerInstanceStatusAndQuota: listener writes need an Active
// instance (IncorrectStatus.LoadBalancer, IncorrectBusinessStatus.LoadBalancer);
// the listener quota is per edition and configurable; DryRun checks and
// changes nothing; ClientToken replays.
func TestListenerInstanceStatusAndQuota(t *testing.T) {
	s := newStack(t, "Standard", albtest.WithInstanceQuotas("Standard", albtest.InstanceQuotas{Listeners: 2}))
	c := s.c
	if _, err := c.UpdateLoadBalancerAttribute(updNameReq(s.lb, "renamed")); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateListener(lsnReq(s.lb, s.sg, port(81)))
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	_, err = c.UpdateListenerAttribute(&albsdk.UpdateListenerAttributeRequest{ListenerId: dara.String(s.listener), IdleTimeout: dara.Int32(9)})
	sdkErr(t, err, "IncorrectStatus.LoadBalancer", 400)
	waitActive(t, c, s.lb)
	if err := s.srv.SetBusinessStatus(s.lb, "Abnormal"); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateListener(lsnReq(s.lb, s.sg, port(81)))
	sdkErr(t, err, "IncorrectBusinessStatus.LoadBalancer", 400)
	if err := s.srv.SetBusinessStatus(s.lb, "Normal"); err != nil {
		t.Fatal(err)
	}

	_, err = c.CreateListener(lsnReq(s.lb, s.sg, port(81), func(r *albsdk.CreateListenerRequest) { r.DryRun = dara.Bool(true) }))
	sdkErr(t, err, "DryRunOperation", 400)
	if n := len(s.srv.Listeners()); n != 1 {
		t.Fatalf("DryRun created a listener: %d", n)
	}
	tok := func(r *albsdk.CreateListenerRequest) { r.ClientToken = dara.String("lsn-token") }
	first, err := c.CreateListener(lsnReq(s.lb, s.sg, port(81), tok))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateListener(lsnReq(s.lb, s.sg, port(81), tok))
	if err != nil || dara.StringValue(again.Body.ListenerId) != dara.StringValue(first.Body.ListenerId) {
		t.Fatalf("replay: %v %v", again, err)
	}
	_, err = c.CreateListener(lsnReq(s.lb, s.sg, port(82), tok))
	sdkErr(t, err, "IdempotentParameterMismatch", 400)
	_, err = c.CreateListener(lsnReq(s.lb, s.sg, port(82)))
	sdkErr(t, err, "QuotaExceeded.ListenersNum", 400)
	if err := s.srv.SetInstanceQuotas("Standard", albtest.InstanceQuotas{Listeners: 3}); err != nil {
		t.Fatal(err)
	}
	mustCreateLsn(t, c, lsnReq(s.lb, s.sg, port(82)))
	if err := s.srv.SetInstanceQuotas("Premium", albtest.InstanceQuotas{}); err == nil {
		t.Fatal("SetInstanceQuotas took an unknown edition")
	}
}

// TestListenerEdition: a Basic instance refuses what Basic lacks: a custom
// TLS policy, Tracing, and server groups with slow start, draining or
// cross-zone off (also when such a feature is turned on later in a group
// it uses). Standard takes them.
func TestListenerEdition(t *testing.T) {
	s := newStack(t, "Basic")
	c := s.c
	slow := readySG(t, c, ipGroup, func(r *albsdk.CreateServerGroupRequest) {
		r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartEnabled: dara.Bool(true), SlowStartDuration: dara.Int32(60)}
	})
	_, err := c.CreateListener(lsnReq(s.lb, slow, port(81)))
	se := sdkErr(t, err, "OperationDenied.LoadBalancerEdition", 400)
	if !strings.Contains(dara.StringValue(se.Message), "Standard") {
		t.Fatalf("the refusal does not name the edition: %s", dara.StringValue(se.Message))
	}
	pol, err := c.CreateSecurityPolicy(&albsdk.CreateSecurityPolicyRequest{SecurityPolicyName: dara.String("custom"),
		TLSVersions: dara.StringSlice([]string{"TLSv1.2"}), Ciphers: dara.StringSlice([]string{"ECDHE-RSA-AES128-GCM-SHA256"})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateListener(lsnReq(s.lb, s.sg, https, func(r *albsdk.CreateListenerRequest) { r.SecurityPolicyId = pol.Body.SecurityPolicyId }))
	sdkErr(t, err, "OperationDenied.LoadBalancerEdition", 400)
	// The group the Basic listener uses cannot turn draining on.
	_, err = c.UpdateServerGroupAttribute(&albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: dara.String(s.sg),
		ConnectionDrainConfig: &albsdk.UpdateServerGroupAttributeRequestConnectionDrainConfig{ConnectionDrainEnabled: dara.Bool(true)}})
	sdkErr(t, err, "OperationDenied.LoadBalancerEdition", 400)
	_, err = c.UpdateServerGroupAttribute(&albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: dara.String(s.otherSG),
		ConnectionDrainConfig: &albsdk.UpdateServerGroupAttributeRequestConnectionDrainConfig{ConnectionDrainEnabled: dara.Bool(true)}})
	if err != nil {
		t.Fatalf("a group no Basic instance uses: %v", err)
	}

	std := newStack(t, "Standard")
	pol2, err := std.c.CreateSecurityPolicy(&albsdk.CreateSecurityPolicyRequest{SecurityPolicyName: dara.String("custom"),
		TLSVersions: dara.StringSlice([]string{"TLSv1.2"}), Ciphers: dara.StringSlice([]string{"ECDHE-RSA-AES128-GCM-SHA256"})})
	if err != nil {
		t.Fatal(err)
	}
	slow2 := readySG(t, std.c, ipGroup, func(r *albsdk.CreateServerGroupRequest) {
		r.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{SlowStartEnabled: dara.Bool(true), SlowStartDuration: dara.Int32(60)}
	})
	id := runningLsn(t, std.c, lsnReq(std.lb, slow2, https, func(r *albsdk.CreateListenerRequest) { r.SecurityPolicyId = pol2.Body.SecurityPolicyId }))
	if b := getLsn(t, std.c, id); dara.StringValue(b.SecurityPolicyId) != dara.StringValue(pol2.Body.SecurityPolicyId) {
		t.Fatalf("custom policy: %s", b.String())
	}
}

// TestListenerLogConfig: custom headers and tracing need the instance's
// access log; tracing needs Standard; the tracing block appears once
// configured, and stays (off) when turned off.
func TestListenerLogConfig(t *testing.T) {
	s := newStack(t, "Standard")
	c := s.c
	tracing := func(on bool, sample int32) *albsdk.UpdateListenerLogConfigRequest {
		return &albsdk.UpdateListenerLogConfigRequest{ListenerId: dara.String(s.listener),
			AccessLogTracingConfig: &albsdk.UpdateListenerLogConfigRequestAccessLogTracingConfig{TracingEnabled: dara.Bool(on), TracingSample: dara.Int32(sample), TracingType: dara.String("Zipkin")}}
	}
	_, err := c.UpdateListenerLogConfig(tracing(true, 100))
	sdkErr(t, err, "OperationDenied.AccessLogDisabled", 400)
	_, err = c.UpdateListenerLogConfig(&albsdk.UpdateListenerLogConfigRequest{ListenerId: dara.String(s.listener), AccessLogRecordCustomizedHeadersEnabled: dara.Bool(true)})
	sdkErr(t, err, "OperationDenied.AccessLogDisabled", 400)
	if _, err := c.EnableLoadBalancerAccessLog(&albsdk.EnableLoadBalancerAccessLogRequest{LoadBalancerId: dara.String(s.lb), LogProject: dara.String("p"), LogStore: dara.String("s")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, s.lb)
	noSample := tracing(true, 0)
	noSample.AccessLogTracingConfig.TracingSample = nil
	_, err = c.UpdateListenerLogConfig(noSample)
	sdkErr(t, err, "MissingParameter", 400)
	_, err = c.UpdateListenerLogConfig(tracing(true, 0))
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = c.UpdateListenerLogConfig(tracing(true, 10001))
	sdkErr(t, err, "InvalidParameter", 400)
	if _, err := c.UpdateListenerLogConfig(tracing(true, 100)); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateListenerLogConfig(tracing(false, 0))
	sdkErr(t, err, "IncorrectStatus.Listener", 400)
	b := waitLsn(t, c, s.listener, "Running")
	tr := b.LogConfig.AccessLogTracingConfig
	if tr == nil || !dara.BoolValue(tr.TracingEnabled) || dara.Int32Value(tr.TracingSample) != 100 || dara.StringValue(tr.TracingType) != "Zipkin" {
		t.Fatalf("tracing: %s", b.String())
	}
	if _, err := c.UpdateListenerLogConfig(tracing(false, 0)); err != nil {
		t.Fatal(err)
	}
	b = waitLsn(t, c, s.listener, "Running")
	if tr := b.LogConfig.AccessLogTracingConfig; tr == nil || dara.BoolValue(tr.TracingEnabled) {
		t.Fatalf("tracing off: %s", b.String())
	}

	basic := newStack(t, "Basic")
	if _, err := basic.c.EnableLoadBalancerAccessLog(&albsdk.EnableLoadBalancerAccessLogRequest{LoadBalancerId: dara.String(basic.lb), LogProject: dara.String("p"), LogStore: dara.String("s")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, basic.c, basic.lb)
	_, err = basic.c.UpdateListenerLogConfig(&albsdk.UpdateListenerLogConfigRequest{ListenerId: dara.String(basic.listener),
		AccessLogTracingConfig: &albsdk.UpdateListenerLogConfigRequestAccessLogTracingConfig{TracingEnabled: dara.Bool(true), TracingSample: dara.Int32(5)}})
	sdkErr(t, err, "OperationDenied.LoadBalancerEdition", 400)
}
