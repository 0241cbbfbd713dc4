package albtest

import (
	"time"

	"github.com/albkit/albkit/alb"
)

// Clock returns the server's clock (the wall clock unless WithClock set
// another).
func (s *Server) Clock() Clock { return s.clock }

// Client returns an albkit client wired to the server, ready for tests:
// the server's endpoint, protocol, region and credentials, and retry and
// wait settings that suit an emulator.
//
// The client sends its requests through albkit's own transport (with the
// timeouts of alb.WithTimeouts), not through Config's HttpClient.
//
// On the wall clock, retries and polls are spaced by milliseconds instead
// of seconds, so a retried call or a wait of a few polls takes
// milliseconds. The rate limiter is the default one, as users get it (a
// test whose own rate the emulator throttles is paced as a user would be).
// When the server runs on a clock that can sleep (a
// *ManualClock, see WithClock), the client uses that same clock with the
// normal delays: with AutoAdvance every sleep moves the shared clock at
// once, so a provisioning of minutes (AfterDuration) is waited out in
// milliseconds of wall time; without it the test moves the clock with
// Advance (WaitForSleepers tells when the client sleeps).
//
// opts are applied after these settings and override them:
//
//	srv := albtest.NewServer()
//	defer srv.Close()
//	client, err := srv.Client()
func (s *Server) Client(opts ...alb.Option) (*alb.Client, error) {
	cfg := s.Config()
	cfg.HttpClient = nil // albkit's own transport: alb.WithTimeouts applies
	all := []alb.Option{alb.WithOpenAPIConfig(cfg)}
	if clk, ok := s.clock.(alb.Clock); ok {
		all = append(all, alb.WithClock(clk))
	} else {
		all = append(all,
			alb.WithRetryPolicy(alb.RetryPolicy{InitialInterval: time.Millisecond, ThrottleInterval: 2 * time.Millisecond, MaxInterval: 20 * time.Millisecond, MaxElapsed: time.Minute}),
			alb.WithWaitOptions(alb.WaitOptions{MinDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxWait: time.Minute, NotFoundGrace: time.Second}))
	}
	return alb.NewClient(append(all, opts...)...)
}

// sleeper is what a clock needs to drive a client.
var _ alb.Clock = (*ManualClock)(nil)
