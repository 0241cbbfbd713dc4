package albtest

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/albkit/albkit/internal/apierr"
)

// setRetryHeaders puts on a throttling answer the two headers clients read
// its retry delay from: x-ratelimit-user-api ("Limit:N,Remain:0,
// TimeLeft:MS,Reset:UNIXMS", which the darabonba SDKs read into
// ThrottlingError.RetryAfter) and x-acs-retry-after (milliseconds, which
// aliyun-cli 3.4.0 and later and other generated SDKs wait before retrying
// a throttled call). delay is rounded up to whole milliseconds, at least 1.
func setRetryHeaders(w http.ResponseWriter, limit int, delay time.Duration, now time.Time) {
	ms := (delay + time.Millisecond - 1).Milliseconds()
	if ms < 1 {
		ms = 1
	}
	left := strconv.FormatInt(ms, 10)
	h := w.Header()
	h.Set("x-ratelimit-user-api", "Limit:"+strconv.Itoa(max(limit, 1))+",Remain:0,TimeLeft:"+left+",Reset:"+strconv.FormatInt(now.Add(time.Duration(ms)*time.Millisecond).UnixMilli(), 10))
	h.Set("x-acs-retry-after", left)
}

// Fault is an error, a delay or a dropped connection injected into the
// answers to one action (or every action when Action is empty).
//
// A fault with a Code answers that error (with Status, default 500, and
// Message) instead of performing the operation, or after performing it when
// ApplyThenFail is set. A throttling code (Throttling*,
// Rejected.Throttling) is answered with the retry headers of a rate limit
// (see RetryAfter). DropConnection closes the connection without an
// answer instead (again before or after performing the operation). Latency
// delays the request before it is performed; Hold blocks it until the
// channel is closed. A fault with only Latency or Hold performs the operation
// normally.
type Fault struct {
	Action  string // action it applies to; "" for every action
	Code    string // error code answered; "" for none
	Status  int    // HTTP status of the error; 0 means 500
	Message string // error message answered
	// Times is the number of requests the fault applies to; 0 means every
	// request until the fault is removed.
	Times int
	// Skip lets the first Skip matching requests through before the fault
	// applies (for example, to hold the third CreateServerGroup of a run).
	Skip int
	// Probability in (0, 1) applies the fault to that share of matching
	// requests, drawn from a generator seeded with Seed. 0 (or >= 1) means
	// every matching request.
	Probability float64
	Seed        uint64 // seeds the Probability generator
	// ApplyThenFail performs the operation (the change takes effect, a
	// ClientToken is consumed) and then answers the error or drops the
	// connection.
	ApplyThenFail bool
	// RetryAfter is the delay a throttling fault asks the client to wait,
	// sent as x-acs-retry-after (milliseconds) and as the TimeLeft of
	// x-ratelimit-user-api, as a rate limit's answer is; 0 means 1 ms.
	RetryAfter time.Duration
	// DropConnection closes the connection without writing a response.
	DropConnection bool
	// Latency delays the request (real time, not the server clock).
	Latency time.Duration
	// Hold blocks the request, after its ClientToken has been registered,
	// until the channel is closed or the client goes away.
	Hold <-chan struct{}
	// Reached, if not nil, receives the action name each time a request
	// reaches the Hold or Latency point (the send blocks until received or the
	// client goes away).
	Reached chan<- string
}

// FaultID identifies an injected fault.
type FaultID int

type faultState struct {
	Fault
	id   FaultID
	left int // remaining applications; -1 unlimited
	skip int // matching requests still to let through
	rng  *rand.Rand
}

func (f *faultState) hasError() bool { return f.Code != "" || f.DropConnection }

// wait applies Latency, Reached and Hold. It returns false when the
// client went away.
func (f *faultState) wait(ctx context.Context) bool {
	if f.Reached != nil && (f.Hold != nil || f.Latency > 0) {
		select {
		case f.Reached <- f.Action:
		case <-ctx.Done():
			return false
		}
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		}
	}
	if f.Hold != nil {
		select {
		case <-f.Hold:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// InjectFault adds a fault and returns its ID for RemoveFault. Faults are
// checked in the order they were added; the first that matches a request
// applies.
func (s *Server) InjectFault(f Fault) FaultID {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	s.nextID++
	fs := &faultState{Fault: f, id: s.nextID, left: -1, skip: max(f.Skip, 0)}
	if f.Times > 0 {
		fs.left = f.Times
	}
	if fs.Status == 0 && fs.Code != "" {
		fs.Status = 500
	}
	if fs.Message == "" && fs.Code != "" {
		fs.Message = "Injected fault " + fs.Code + "."
	}
	if f.Probability > 0 && f.Probability < 1 {
		fs.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	s.faults = append(s.faults, fs)
	s.ctlChangedLocked()
	return fs.id
}

// RemoveFault removes an injected fault; it reports whether it was present.
func (s *Server) RemoveFault(id FaultID) bool {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	for i, f := range s.faults {
		if f.id == id {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			s.ctlChangedLocked()
			return true
		}
	}
	return false
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.ctlMu.Lock()
	s.faults = nil
	s.ctlChangedLocked()
	s.ctlMu.Unlock()
}

// ctlChangedLocked records whether requests can skip the rate limits and
// faults (none set); call it, holding ctlMu, after changing either.
func (s *Server) ctlChangedLocked() {
	s.ctlIdle.Store(len(s.faults) == 0 && len(s.cfg.rateLimits) == 0)
}

// pickFault returns the fault that applies to this request, consuming one
// of its Times.
func (s *Server) pickFault(action string) *faultState {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	if len(s.faults) == 0 {
		return nil
	}
	for i := 0; i < len(s.faults); i++ {
		f := s.faults[i]
		if f.Action != "" && f.Action != action {
			continue
		}
		if f.rng != nil && f.rng.Float64() >= f.Probability {
			continue
		}
		if f.skip > 0 {
			f.skip--
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				s.ctlChangedLocked()
			}
		}
		return f
	}
	return nil
}

// answerFault writes the fault's error or drops the connection.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, c *call, f *faultState) (int, string) {
	if f.DropConnection {
		// Log the request before the client can see the connection go, so
		// that a test reading the log right after its failed call finds it.
		s.record(c, 0, "DroppedConnection")
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return 0, "DroppedConnection"
			}
		}
		// Not hijackable (HTTP/2 or a wrapped writer): abort the handler,
		// which makes net/http drop the stream.
		panic(http.ErrAbortHandler)
	}
	e := &apiError{Status: f.Status, Code: f.Code, Message: f.Message}
	if apierr.Classify(f.Code, f.Status).Has(apierr.Throttled) {
		setRetryHeaders(w, 1, max(f.RetryAfter, time.Millisecond), s.clock.Now())
	}
	s.writeError(w, c, e)
	return e.Status, e.Code
}
