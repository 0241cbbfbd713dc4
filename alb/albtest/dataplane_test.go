package albtest_test

import (
	"testing"
)

// TestDataPlaneServes: a Running listener forwards to its default group's
// member, which sees the client's Host and X-Forwarded-For.
func TestDataPlaneServes(t *testing.T) {
	s := newDP(t)
	b := newBackend(t, "web")
	sg := s.group(nil, b)
	_, addr := s.listener(sg)
	a := request(t, client(), "GET", addr, "www.example.com", "/hello?x=1")
	if a.status != 200 || a.echo.Backend != "web" || a.echo.Host != "www.example.com" || a.echo.Path != "/hello" || a.echo.RawQuery != "x=1" {
		t.Fatalf("answer: %+v", a)
	}
	if got := a.echo.Header.Get("X-Forwarded-For"); got != "127.0.0.1" {
		t.Fatalf("X-Forwarded-For %q", got)
	}
}
