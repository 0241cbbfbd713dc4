// Package transport is the HTTP client albkit hands to the Alibaba Cloud SDK.
//
// The SDK's default HTTP client is a process-wide value that every call
// mutates (dara.DoRequestWithCtx writes its Timeout field and may replace its
// Transport), which races when calls run concurrently, and it builds a new
// http.Transport for every request. albkit passes this client instead,
// through openapiutil.Config.HttpClient: one shared Transport per albkit
// client, connection reuse, the configured connect and read timeouts, and
// proxies from the environment.
package transport

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// Client implements the SDK's dara.HttpClient with a shared *http.Client.
// It is safe for concurrent use.
type Client struct {
	hc *http.Client
}

// Wrap returns a Client that sends every request through hc, the caller's
// own HTTP client (its Transport, Timeout, Jar and CheckRedirect apply as
// they are).
func Wrap(hc *http.Client) *Client { return &Client{hc: hc} }

// New returns a Client with the given connect and read timeouts (the read
// timeout bounds the wait for the response headers; both together bound the
// whole request).
func New(connect, read time.Duration) *Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   connect,
		ResponseHeaderTimeout: read,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Client{hc: &http.Client{Transport: tr, Timeout: connect + read}}
}

// Call sends req. The per-request transport the SDK builds is ignored in
// favour of the shared one.
func (c *Client) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return c.hc.Do(req)
}

// CloseIdleConnections closes idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }
