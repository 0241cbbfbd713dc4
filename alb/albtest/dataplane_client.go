package albtest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// Clients of the data plane. A test addresses a listener as its clients
// address the service: by host name and the listener's port
// ("https://www.example.com/" reaches the HTTPS listener on port 443). The
// clients below dial the listener's local address instead and trust the
// test CA, so the Host header and the TLS server name are the URL's.

// DialContext connects to the data-plane listener that serves addr
// ("host:port", the port a listener's ListenerPort) over TCP: the one of
// the instance whose DNS name is host (alb-….REGION.alb.aliyuncs.com), or
// else the only HTTP or HTTPS listener on that port; it also takes a
// listener's local address as is. Use it as an http.Transport's
// DialContext.
func (s *Server) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	local, err := s.resolveListener(addr, false)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, local)
}

// resolveListener finds the local address serving addr (see DialContext);
// quic selects QUIC listeners instead of HTTP and HTTPS ones.
func (s *Server) resolveListener(addr string, quic bool) (string, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	port, err := strconv.Atoi(ps)
	if err != nil {
		return "", fmt.Errorf("albtest: data plane: port %q", ps)
	}
	ls := s.DataPlane()
	for _, l := range ls {
		if l.Address == addr {
			return addr, nil
		}
	}
	var match []DataPlaneListener
	for _, l := range ls {
		if l.Port == port && (l.Protocol == "QUIC") == quic {
			match = append(match, l)
		}
	}
	for _, l := range match {
		if strings.EqualFold(host, l.LoadBalancerID+"."+s.region+".alb.aliyuncs.com") {
			return l.Address, nil
		}
	}
	switch len(match) {
	case 1:
		return match[0].Address, nil
	case 0:
		return "", fmt.Errorf("albtest: data plane: no listener serves port %d", port)
	}
	return "", fmt.Errorf("albtest: data plane: %d listeners serve port %d: address one through its instance's DNS name", len(match), port)
}

// HTTPClient returns an HTTP client of the data plane's HTTP and HTTPS
// listeners (see DialContext): it trusts the test CA, speaks HTTP/2 where
// the listener offers it and does not follow redirects (a test sees the
// listener's answer). Nil with WithoutDataPlane.
func (s *Server) HTTPClient() *http.Client {
	if s.dp == nil {
		return nil
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:       s.DialContext,
			TLSClientConfig:   &tls.Config{RootCAs: s.CACertPool()},
			ForceAttemptHTTP2: true,
			IdleConnTimeout:   30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// HTTP3Client returns an HTTP/3 client of the data plane's QUIC listeners:
// "https://www.example.com/" reaches the QUIC listener on port 443 (chosen
// as DialContext chooses), trusting the test CA. Close its Transport
// (*http3.Transport) when done. Nil with WithoutDataPlane.
func (s *Server) HTTP3Client() *http.Client {
	if s.dp == nil {
		return nil
	}
	tr := &http3.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.CACertPool()},
		Dial: func(ctx context.Context, addr string, tlsCfg *tls.Config, cfg *quic.Config) (*quic.Conn, error) {
			local, err := s.resolveListener(addr, true)
			if err != nil {
				return nil, err
			}
			return quic.DialAddrEarly(ctx, local, tlsCfg, cfg)
		},
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
