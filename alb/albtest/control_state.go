package albtest

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// OffsetClock is a Clock that follows the wall clock plus an adjustable
// offset: time keeps flowing, and Advance or Set jump it. The zero value
// reads the wall time. It is safe for concurrent use.
//
// A Server whose clock is an OffsetClock checks signature timestamps and
// nonces against the wall time, not the shifted time: the client's clock
// did not move, so jumping the server clock by hours keeps requests valid.
type OffsetClock struct {
	off atomic.Int64 // nanoseconds added to the wall time

	mu    sync.Mutex
	moved chan struct{} // made on demand, closed when Advance or Set jumps the clock (dataplane_clock.go)
}

// NewOffsetClock returns an OffsetClock reading the wall time.
func NewOffsetClock() *OffsetClock { return &OffsetClock{} }

// Now returns the wall time plus the offset.
func (c *OffsetClock) Now() time.Time { return time.Now().Add(c.Offset()) }

// Advance moves the clock forward by d (backwards when d is negative).
func (c *OffsetClock) Advance(d time.Duration) {
	c.off.Add(int64(d))
	c.jumped()
}

// Set moves the clock to t; it keeps flowing from there.
func (c *OffsetClock) Set(t time.Time) {
	c.off.Store(int64(time.Until(t)))
	c.jumped()
}

// Offset returns the difference between the clock and the wall time.
func (c *OffsetClock) Offset() time.Duration { return time.Duration(c.off.Load()) }

// movableClock is a Clock the control API can move (ManualClock,
// OffsetClock).
type movableClock interface {
	Clock
	Advance(d time.Duration)
	Set(t time.Time)
}

// signatureTime is the server time c's signature is checked against:
// signatureNow(s.clock)() when the request arrived.
func (s *Server) signatureTime(c *call) time.Time {
	if _, ok := s.clock.(*OffsetClock); ok {
		return time.Now()
	}
	return c.now
}

// signatureNow is the time source of the signature check: the wall time for
// an OffsetClock (see its doc), the server clock otherwise.
func signatureNow(clk Clock) func() time.Time {
	if _, ok := clk.(*OffsetClock); ok {
		return time.Now
	}
	return clk.Now
}

// controlState is the state of the control API and of SetWorld.
type controlState struct {
	mu    sync.Mutex
	world *World               // set by SetWorld: what Reset restores
	holds map[FaultID]*ctlHold // Hold faults injected over HTTP

	muxOnce sync.Once
	mux     *http.ServeMux
}

// ctlHold is the Hold channel and Reached counter of a fault injected over
// the control API.
type ctlHold struct {
	hold     chan struct{}
	release  sync.Once
	reached  atomic.Int64
	stop     chan struct{}
	stopOnce sync.Once
}

func (h *ctlHold) releaseHold() { h.release.Do(func() { close(h.hold) }) }

func (h *ctlHold) end() {
	h.releaseHold()
	h.stopOnce.Do(func() { close(h.stop) })
}

// drain counts the requests reaching the hold until the fault is removed,
// and for a grace period after: a request that picked the fault just before
// its removal still sends on reached (and would block until its client gave
// up if nobody received).
func (h *ctlHold) drain(reached <-chan string) {
	for {
		select {
		case <-reached:
			h.reached.Add(1)
		case <-h.stop:
			grace := time.NewTimer(holdGrace)
			defer grace.Stop()
			for {
				select {
				case <-reached:
				case <-grace.C:
					return
				}
			}
		}
	}
}

// holdGrace is how long a removed hold fault's counter keeps receiving.
const holdGrace = 5 * time.Second

// endHolds releases every Hold fault injected over HTTP and stops their
// counters (Reset and Close).
func (s *Server) endHolds() {
	s.ctl.mu.Lock()
	holds := s.ctl.holds
	s.ctl.holds = nil
	s.ctl.mu.Unlock()
	for _, h := range holds {
		h.end()
	}
}

// Job is a snapshot of an asynchronous job (what ListAsynJobs reports).
type Job struct {
	ID           string    `json:"id"`                     // JobId
	APIName      string    `json:"apiName"`                // the API that started it, e.g. DeleteLoadBalancer
	ResourceID   string    `json:"resourceId"`             // the instance or server group it works on
	ResourceType string    `json:"resourceType"`           // loadbalancer | servergroup
	OperateType  string    `json:"operateType"`            // Create | Update | Delete
	Status       string    `json:"status"`                 // Processing | Succeeded | Failed
	ErrorCode    string    `json:"errorCode,omitempty"`    // set when Failed
	ErrorMessage string    `json:"errorMessage,omitempty"` // set when Failed
	CreateTime   time.Time `json:"createTime"`             // by the server clock
	ModifyTime   time.Time `json:"modifyTime"`             // last status change, by the server clock
}

// Jobs returns a snapshot of every job since the start (or the last Reset),
// oldest first. Due transitions are applied first; reading does not count
// as a poll.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleAll()
	out := make([]Job, 0, len(s.st.jobOrder))
	for _, id := range s.st.jobOrder {
		j := s.st.jobs[id]
		if j == nil {
			continue
		}
		out = append(out, Job{
			ID: j.id, APIName: j.api, ResourceID: j.resourceID, ResourceType: j.resourceType,
			OperateType: j.operate, Status: j.status, ErrorCode: j.errCode, ErrorMessage: j.errMsg,
			CreateTime: j.created, ModifyTime: j.modified,
		})
	}
	return out
}

// SetTransition changes at runtime how the pending status phase
// (PhaseProvisioning, PhaseConfiguring or PhaseDeleting) completes, like
// WithTransition. It applies to transitions started afterwards and survives
// Reset. It returns an error naming the phase when it is unknown.
func (s *Server) SetTransition(phase string, t Transition) error {
	if err := checkPhase(phase); err != nil {
		return fmt.Errorf("albtest: SetTransition: %w", err)
	}
	if err := checkTransition(t); err != nil {
		return fmt.Errorf("albtest: SetTransition %s: %w", phase, err)
	}
	s.mu.Lock()
	s.cfg.transitions[phase] = t
	s.mu.Unlock()
	return nil
}

func checkPhase(phase string) error {
	switch phase {
	case PhaseProvisioning, PhaseConfiguring, PhaseDeleting:
		return nil
	}
	return fmt.Errorf("unknown phase %q (want %s, %s or %s)", phase, PhaseProvisioning, PhaseConfiguring, PhaseDeleting)
}

func checkTransition(t Transition) error {
	switch t.Kind {
	case KindImmediate, KindManual:
	case KindAfterDuration:
		if t.Duration <= 0 {
			return fmt.Errorf("transition after a duration needs Duration > 0, not %s", t.Duration)
		}
	case KindAfterPolls:
		if t.Polls <= 0 {
			return fmt.Errorf("transition after polls needs Polls > 0, not %d", t.Polls)
		}
	default:
		return fmt.Errorf("unknown transition kind %d", t.Kind)
	}
	return nil
}

// transitions returns the transition of every phase.
func (s *Server) transitions() map[string]Transition {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]Transition, len(s.cfg.transitions))
	for k, v := range s.cfg.transitions {
		m[k] = v
	}
	return m
}

// SetWorld replaces the world and resets the server as Reset does; later
// Resets restore w instead of the world given at start-up. w is completed
// like a seed (Region "" means the server's region, Quota 0 DefaultQuota,
// Zones from the vSwitches) and validated first: on error nothing changes.
// Start-up options that override the world (WithoutServiceLinkedRole,
// WithQuota, WithServerGroupQuota, WithWAF3, WithWAF2) do not apply to it. The region cannot
// change: a World naming another region is refused.
func (s *Server) SetWorld(w World) error {
	c := s.cfg
	c.world, c.worldFile = &w, ""
	c.noRole, c.quota, c.sgQuota, c.waf3, c.waf2 = false, -1, -1, nil, nil
	c.region = s.region
	nw, err := c.seedWorld()
	if err != nil {
		return fmt.Errorf("albtest: SetWorld: %w", err)
	}
	if nw.Region != s.region {
		return fmt.Errorf("albtest: SetWorld: region %q differs from the server's region %q (start another server for another region)", nw.Region, s.region)
	}
	s.ctl.mu.Lock()
	s.ctl.world = &nw
	s.ctl.mu.Unlock()
	return s.Reset()
}

// resetWorld returns the world Reset restores: the one given to SetWorld,
// else the start-up world (the world file is read again).
func (s *Server) resetWorld() (World, error) {
	s.ctl.mu.Lock()
	loaded := s.ctl.world
	s.ctl.mu.Unlock()
	if loaded != nil {
		return *loaded, nil
	}
	w, err := s.cfg.seedWorld()
	if err != nil {
		return World{}, fmt.Errorf("albtest: Reset: world kept: %w", err)
	}
	if w.Region != s.region {
		return World{}, fmt.Errorf("albtest: Reset: world kept: the world file now names region %q, the server serves %q", w.Region, s.region)
	}
	return w, nil
}

// world returns the world the server was last seeded with.
func (s *Server) world() World {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.world
}

// injectStartFaults installs the faults given by WithFaults.
func (s *Server) injectStartFaults() {
	for _, f := range s.cfg.faults {
		s.InjectFault(f)
	}
}

// InjectedFault is a fault as installed: its ID, the Fault with defaults
// applied (Status 500 and a Message for a Code) and how many more requests
// it applies to.
type InjectedFault struct {
	ID FaultID // the ID for RemoveFault
	Fault
	// Remaining is the number of requests it still applies to; -1 when
	// unlimited (Times 0).
	Remaining int
}

// Faults returns the injected faults in the order they are checked.
func (s *Server) Faults() []InjectedFault {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	out := make([]InjectedFault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, InjectedFault{ID: f.id, Fault: f.Fault, Remaining: f.left})
	}
	return out
}

// rateLimits returns the configured limits by action ("" for the default).
func (s *Server) rateLimits() map[string]rateSpec {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	m := make(map[string]rateSpec, len(s.cfg.rateLimits))
	for k, v := range s.cfg.rateLimits {
		m[k] = v
	}
	return m
}

// requestLog returns the request log and the absolute index of its first
// entry (requests dropped by the log limit still count).
func (s *Server) requestLog() (first int, log []Request) {
	s.lockLog()
	defer s.logMu.Unlock()
	total := 0
	for _, n := range s.counts {
		total += n
	}
	out := make([]Request, len(s.log))
	for i := range s.log {
		out[i] = s.log[i].request()
	}
	return total - len(s.log), out
}
