package albtest_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/quic-go/quic-go/http3"

	"github.com/albkit/albkit/alb/albtest"
)

// get sends a GET with c and reads the answer; it fails the test on a
// transport error.
func getWith(t *testing.T, c *http.Client, url string) (*http.Response, echo) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var e echo
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &e)
	return resp, e
}

// TestDataPlaneHTTPS: an HTTPS listener presents certificates issued by the
// test CA for its certificates' domains, chosen by SNI among the default
// and the additional ones; a client trusting the CA verifies them. HTTP/2
// is offered as Http2Enabled says, and the security policy sets the TLS
// versions.
func TestDataPlaneHTTPS(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	lsn, _ := s.listener(sg, https, func(r *albsdk.CreateListenerRequest) {
		r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{XForwardedForProtoEnabled: dara.Bool(true), XForwardedForSLBPortEnabled: dara.Bool(true)}
	})
	if _, err := s.c.AssociateAdditionalCertificatesWithListener(&albsdk.AssociateAdditionalCertificatesWithListenerRequest{ListenerId: dara.String(lsn),
		Certificates: []*albsdk.AssociateAdditionalCertificatesWithListenerRequestCertificates{{CertificateId: dara.String(albtest.CertificateOrg)}}}); err != nil {
		t.Fatal(err)
	}
	waitLsn(t, s.c, lsn, "Running")
	hc := s.srv.HTTPClient()
	for host, cn := range map[string]string{
		"www.example.com": "example.com", "shop.example.com": "example.com", "example.com": "example.com",
		"www.example.org": "example.org", "example.org": "example.org",
	} {
		resp, e := getWith(t, hc, "https://"+host+"/tls")
		if resp.StatusCode != 200 || e.Backend != "web" || e.Host != host {
			t.Fatalf("%s: %d %+v", host, resp.StatusCode, e)
		}
		if got := resp.TLS.PeerCertificates[0].Subject.CommonName; got != cn {
			t.Fatalf("%s got the certificate of %s, want %s", host, got, cn)
		}
		if resp.ProtoMajor != 2 {
			t.Fatalf("%s: %s, want HTTP/2", host, resp.Proto)
		}
		if e.Header.Get("X-Forwarded-Proto") != "https" || e.Header.Get("X-Forwarded-Port") != "443" {
			t.Fatalf("%s: backend saw %v", host, e.Header)
		}
	}
	// A name no certificate covers gets the default one, which fails
	// verification.
	if _, err := hc.Get("https://www.example.net/"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a name without a certificate: %v", err)
	}
	// A client that does not trust the test CA refuses the listener.
	plain := &http.Client{Transport: &http.Transport{DialContext: s.srv.DialContext}}
	if _, err := plain.Get("https://www.example.com/"); err == nil {
		t.Fatal("the system roots verified the test CA")
	}

	// HTTP/2 off, and a TLS 1.2 policy: HTTP/1.1 over TLS 1.2, a TLS 1.3
	// client refused.
	s.listener(sg, https, port(8443), func(r *albsdk.CreateListenerRequest) {
		r.Http2Enabled = dara.Bool(false)
		r.SecurityPolicyId = dara.String(albtest.PolicyTLS12)
	})
	resp, _ := getWith(t, hc, "https://www.example.com:8443/")
	if resp.ProtoMajor != 1 || resp.TLS.Version != tls.VersionTLS12 {
		t.Fatalf("HTTP/2 off, TLS 1.2 policy: %s, TLS %x", resp.Proto, resp.TLS.Version)
	}
	tls13 := &http.Client{Transport: &http.Transport{DialContext: s.srv.DialContext,
		TLSClientConfig: &tls.Config{RootCAs: s.srv.CACertPool(), MinVersion: tls.VersionTLS13}}}
	if _, err := tls13.Get("https://www.example.com:8443/"); err == nil {
		t.Fatal("a TLS 1.3 client passed a TLS 1.2 policy")
	}
	s.listener(sg, https, port(9443), func(r *albsdk.CreateListenerRequest) {
		r.SecurityPolicyId = dara.String(albtest.PolicyTLS12StrictWith13)
	})
	if resp, _ := getWith(t, tls13, "https://www.example.com:9443/"); resp.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("TLS 1.3 policy: TLS %x", resp.TLS.Version)
	}
}

// TestDataPlaneMutualTLS: with CaEnabled, a client needs a certificate
// issued from the CA the listener names; the client-certificate headers
// reach the backend under their aliases.
func TestDataPlaneMutualTLS(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	s.listener(sg, https, func(r *albsdk.CreateListenerRequest) {
		r.CaEnabled = dara.Bool(true)
		r.CaCertificates = []*albsdk.CreateListenerRequestCaCertificates{{CertificateId: dara.String(albtest.CertificateCA)}}
		r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{
			XForwardedForClientCertSubjectDNEnabled: dara.Bool(true), XForwardedForClientCertSubjectDNAlias: dara.String("x-client-dn"),
			XForwardedForClientCertClientVerifyEnabled: dara.Bool(true), XForwardedForClientCertFingerprintEnabled: dara.Bool(true)}
	})
	cert, err := s.srv.ClientCertificate(albtest.CertificateCA, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.ClientCertificate(albtest.CertificateExample, "bob"); err == nil {
		t.Fatal("a server certificate issued a client certificate")
	}
	mk := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: s.srv.DialContext,
			TLSClientConfig: &tls.Config{RootCAs: s.srv.CACertPool(), Certificates: certs}}}
	}
	resp, e := getWith(t, mk(cert), "https://www.example.com/")
	if resp.StatusCode != 200 || e.Header.Get("X-Client-Dn") != "CN=alice,O=albtest" ||
		e.Header.Get("X-Forwarded-Clientcert-Clientverify") != "SUCCESS" || len(e.Header.Get("X-Forwarded-Clientcert-Fingerprint")) != 40 {
		t.Fatalf("with a client certificate: %d %v", resp.StatusCode, e.Header)
	}
	if _, err := mk().Get("https://www.example.com/"); err == nil {
		t.Fatal("no client certificate passed")
	}
}

// TestDataPlaneQUIC: a QUIC listener serves HTTP/3 with the test CA's
// certificate, and an HTTPS listener upgrading to it advertises it in
// Alt-Svc.
func TestDataPlaneQUIC(t *testing.T) {
	s := newDP(t, albtest.WithClock(albtest.NewManualClock(time.Time{})))
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	quicLsn, quicAddr := s.listener(sg, https, func(r *albsdk.CreateListenerRequest) {
		r.ListenerProtocol = dara.String("QUIC")
		r.XForwardedForConfig = &albsdk.CreateListenerRequestXForwardedForConfig{XForwardedForProtoEnabled: dara.Bool(true)}
	})
	h3 := s.srv.HTTP3Client()
	defer h3.Transport.(*http3.Transport).Close()
	resp, e := getWith(t, h3, "https://www.example.com/quic")
	if resp.StatusCode != 200 || resp.ProtoMajor != 3 || e.Backend != "web" || e.Host != "www.example.com" || e.Header.Get("X-Forwarded-Proto") != "https" {
		t.Fatalf("HTTP/3: %d %s %+v", resp.StatusCode, resp.Proto, e)
	}
	s.listener(sg, https, func(r *albsdk.CreateListenerRequest) {
		r.QuicConfig = &albsdk.CreateListenerRequestQuicConfig{QuicUpgradeEnabled: dara.Bool(true), QuicListenerId: dara.String(quicLsn)}
	})
	resp, _ = getWith(t, s.srv.HTTPClient(), "https://www.example.com/")
	if got := resp.Header.Get("Alt-Svc"); got != `h3=":`+quicAddr[strings.LastIndexByte(quicAddr, ':')+1:]+`"; ma=86400` {
		t.Fatalf("Alt-Svc %q (QUIC at %s)", got, quicAddr)
	}
}
