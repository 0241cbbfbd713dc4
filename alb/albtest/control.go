package albtest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/albkit/albkit/internal/apierr"
)

// ControlPrefix is the path under which a Server answers its HTTP control
// API (no Alibaba Cloud API uses it). The API takes and answers JSON, needs
// no signature and is meant for test environments only; WithoutControlAPI
// turns it off. The endpoints are listed by GET ControlPrefix and documented
// in the examples/emulator program.
const ControlPrefix = "/_albtest/"

func isControlPath(p string) bool {
	return strings.HasPrefix(p, ControlPrefix) || p == ControlPrefix[:len(ControlPrefix)-1]
}

// ParseTransition parses the text form of a Transition: "immediate",
// "manual", "polls:N" (AfterPolls(N)) or a duration such as "30s" or "2m"
// (AfterDuration). The control API and the emulator program's flags use it.
func ParseTransition(s string) (Transition, error) {
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "immediate":
		return Immediate(), nil
	case "manual":
		return Manual(), nil
	}
	bad := func(why string) (Transition, error) {
		return Transition{}, fmt.Errorf("albtest: transition %q: %s", s, why)
	}
	if n, ok := strings.CutPrefix(strings.ToLower(v), "polls:"); ok {
		p, err := strconv.Atoi(n)
		if err != nil || p < 0 {
			return bad("polls:N needs a whole number N >= 0")
		}
		return AfterPolls(p), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return bad("want immediate, manual, polls:N or a duration such as 30s")
	}
	if d < 0 {
		return bad("negative duration")
	}
	return AfterDuration(d), nil
}

// formatTransition is the text form ParseTransition reads.
func formatTransition(t Transition) string {
	switch t.Kind {
	case KindAfterDuration:
		return t.Duration.String()
	case KindAfterPolls:
		return "polls:" + strconv.Itoa(t.Polls)
	case KindManual:
		return "manual"
	}
	return "immediate"
}

// ctlError is an error answered by the control API.
type ctlError struct {
	status int
	msg    string
}

func (e *ctlError) Error() string { return e.msg }

func ctlErrorf(status int, format string, args ...any) error {
	return &ctlError{status: status, msg: fmt.Sprintf(format, args...)}
}

// jsonDuration is a time.Duration written as a string such as "1m30s".
type jsonDuration time.Duration

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"30s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration string such as \"30s\", got %q", s)
	}
	*d = jsonDuration(v)
	return nil
}

// ctlRoute is one endpoint of the control API.
type ctlRoute struct {
	method, path, doc string
	fn                func(s *Server, r *http.Request) (any, error)
}

// ctlRoutes is the endpoint table (a function: ctlIndex refers to it).
func ctlRoutes() []ctlRoute {
	return []ctlRoute{
		{"GET", "", "this list", ctlIndex},
		{"GET", "faults", "injected faults", ctlListFaults},
		{"POST", "faults", "inject a fault; answers its id", ctlInjectFault},
		{"DELETE", "faults", "remove every fault", ctlClearFaults},
		{"GET", "faults/{id}", "one fault", ctlGetFault},
		{"DELETE", "faults/{id}", "remove one fault", ctlRemoveFault},
		{"POST", "faults/{id}/release", "release the requests held by a hold fault", ctlReleaseFault},
		{"GET", "transitions", "transition of each phase", ctlGetTransitions},
		{"PUT", "transitions", "set the transition of one or more phases", ctlSetTransitions},
		{"GET", "clock", "the server clock", ctlGetClock},
		{"POST", "clock", "advance or set the server clock", ctlMoveClock},
		{"POST", "advance", "complete the pending transition of one resource (instance, server group, listener, rule, security policy) or job, or all", ctlAdvance},
		{"GET", "loadbalancers", "the live instances and the last released ones", ctlListLBs},
		{"GET", "loadbalancers/{id}", "one instance", ctlGetLB},
		{"PUT", "loadbalancers/{id}/status", "force an instance's status", ctlSetLBStatus},
		{"PUT", "loadbalancers/{id}/business-status", "set an instance's business status and locks", ctlSetBizStatus},
		{"GET", "servergroups", "the server groups with their servers", ctlListSGs},
		{"GET", "servergroups/{id}", "one server group", ctlGetSG},
		{"PUT", "servergroups/{id}/status", "force a server group's status", ctlSetSGStatus},
		{"PUT", "servergroups/{id}/health", "set the health of one server of a server group", ctlSetServerHealth},
		{"GET", "listeners", "the listeners", ctlListListeners},
		{"GET", "listeners/{id}", "one listener", ctlGetListener},
		{"PUT", "listeners/{id}/status", "force a listener's status", ctlSetListenerStatus},
		{"GET", "rules", "the forwarding rules (?listenerId=)", ctlListRules},
		{"GET", "rules/{id}", "one forwarding rule", ctlGetRule},
		{"PUT", "rules/{id}/status", "force a rule's status", ctlSetRuleStatus},
		{"GET", "certificates", "the certificates of the world", ctlCertificates},
		{"GET", "dataplane", "the listeners the data plane serves and their addresses", ctlDataPlane},
		{"GET", "dataplane/ca", "the data plane's test CA certificate (PEM)", ctlDataPlaneCA},
		{"GET", "dataplane/backends", "the map of private backend addresses to local ones", ctlBackendAddrs},
		{"PUT", "dataplane/backends", "map a private backend address to a local one (empty: remove)", ctlMapBackendAddr},
		{"POST", "dataplane/client-certificates", "issue a mutual-TLS client certificate (PEM)", ctlClientCert},
		{"GET", "securitypolicies", "the custom TLS security policies", ctlSecurityPolicies},
		{"GET", "eips", "EIPs", ctlEIPs},
		{"GET", "vswitches", "vSwitches with their free addresses", ctlVSwitches},
		{"GET", "jobs", "asynchronous jobs", ctlJobs},
		{"GET", "ratelimits", "rate limits by action (* for every action)", ctlGetRateLimits},
		{"PUT", "ratelimits/{action}", "limit an action (* for every action)", ctlSetRateLimit},
		{"DELETE", "ratelimits/{action}", "remove a rate limit", ctlRemoveRateLimit},
		{"GET", "requests", "the request log (?action= &code= &since= &limit=)", ctlRequests},
		{"GET", "counts", "requests received per action", ctlCounts},
		{"POST", "reset", "restore the world and clear state", ctlReset},
		{"GET", "world", "the world Reset restores (the world-file format)", ctlGetWorld},
		{"PUT", "world", "load a world (world-file JSON) and reset", ctlSetWorld},
	}
}

func (s *Server) controlMux() *http.ServeMux {
	s.ctl.muxOnce.Do(func() {
		m := http.NewServeMux()
		for _, rt := range ctlRoutes() {
			path := ControlPrefix + rt.path
			if rt.path == "" {
				path += "{$}"
			}
			fn := rt.fn
			m.HandleFunc(rt.method+" "+path, func(w http.ResponseWriter, r *http.Request) {
				v, err := fn(s, r)
				if err != nil {
					writeCtlError(w, err)
					return
				}
				if raw, ok := v.(ctlRaw); ok {
					w.Header().Set("Content-Type", raw.contentType)
					_, _ = w.Write(raw.body)
					return
				}
				writeCtlJSON(w, http.StatusOK, v)
			})
		}
		m.HandleFunc(ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
			var allowed []string
			for _, meth := range []string{"GET", "POST", "PUT", "DELETE"} {
				r2 := r.Clone(r.Context())
				r2.Method = meth
				if _, p := m.Handler(r2); p != ControlPrefix && p != "" {
					allowed = append(allowed, meth)
				}
			}
			if len(allowed) > 0 {
				w.Header().Set("Allow", strings.Join(allowed, ", "))
				writeCtlError(w, ctlErrorf(http.StatusMethodNotAllowed, "%s %s: method not allowed (allowed: %s)", r.Method, r.URL.Path, strings.Join(allowed, ", ")))
				return
			}
			writeCtlError(w, ctlErrorf(http.StatusNotFound, "%s %s: no such control endpoint (GET %s lists them)", r.Method, r.URL.Path, ControlPrefix))
		})
		s.ctl.mux = m
	})
	return s.ctl.mux
}

// serveControl answers the control API.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if s.cfg.noControl {
		writeCtlError(w, ctlErrorf(http.StatusNotFound, "the control API is turned off (albtest.WithoutControlAPI, emulator -no-control-api)"))
		return
	}
	s.controlMux().ServeHTTP(w, r)
}

func writeCtlJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		writeCtlError(w, ctlErrorf(http.StatusInternalServerError, "encode answer: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeCtlError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var ce *ctlError
	switch {
	case errors.As(err, &ce):
		status = ce.status
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	}
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeBody reads one JSON value into v, refusing unknown fields.
func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return ctlErrorf(http.StatusBadRequest, "read body: %v", err)
	}
	if len(b) > maxBody {
		return ctlErrorf(http.StatusRequestEntityTooLarge, "body larger than %d bytes", maxBody)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return ctlErrorf(http.StatusBadRequest, "%s %s needs a JSON body", r.Method, r.URL.Path)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ctlErrorf(http.StatusBadRequest, "body: %v", err)
	}
	if dec.More() {
		return ctlErrorf(http.StatusBadRequest, "body: more than one JSON value")
	}
	return nil
}

type okAnswer struct {
	OK bool `json:"ok"`
}

func ctlIndex(_ *Server, _ *http.Request) (any, error) {
	type ep struct {
		Endpoint string `json:"endpoint"`
		Doc      string `json:"doc"`
	}
	out := struct {
		Endpoints []ep `json:"endpoints"`
	}{}
	for _, rt := range ctlRoutes() {
		out.Endpoints = append(out.Endpoints, ep{rt.method + " " + ControlPrefix + rt.path, rt.doc})
	}
	return out, nil
}

// --- faults

type faultIn struct {
	Action         string       `json:"action"`
	Code           string       `json:"code"`
	Status         int          `json:"status"`
	Message        string       `json:"message"`
	Times          int          `json:"times"`
	Skip           int          `json:"skip"`
	Probability    float64      `json:"probability"`
	Seed           uint64       `json:"seed"`
	ApplyThenFail  bool         `json:"applyThenFail"`
	DropConnection bool         `json:"dropConnection"`
	Latency        jsonDuration `json:"latency"`
	Hold           bool         `json:"hold"`
	RetryAfter     jsonDuration `json:"retryAfter"`
}

type faultOut struct {
	ID             FaultID      `json:"id"`
	Action         string       `json:"action,omitempty"`
	Code           string       `json:"code,omitempty"`
	Status         int          `json:"status,omitempty"`
	Message        string       `json:"message,omitempty"`
	Times          int          `json:"times,omitempty"`
	Skip           int          `json:"skip,omitempty"`
	Remaining      int          `json:"remaining"` // -1: unlimited
	Probability    float64      `json:"probability,omitempty"`
	Seed           uint64       `json:"seed,omitempty"`
	ApplyThenFail  bool         `json:"applyThenFail,omitempty"`
	DropConnection bool         `json:"dropConnection,omitempty"`
	Latency        jsonDuration `json:"latency,omitempty"`
	Hold           bool         `json:"hold,omitempty"`
	RetryAfter     jsonDuration `json:"retryAfter,omitempty"`
	// Reached counts the requests that reached the hold (holds made over HTTP).
	Reached *int64 `json:"reached,omitempty"`
	// Released reports that POST …/release let the held requests go.
	Released bool `json:"released,omitempty"`
}

func (in faultIn) check() error {
	bad := func(format string, args ...any) error {
		return ctlErrorf(http.StatusBadRequest, "fault: "+format, args...)
	}
	switch {
	case in.Code == "" && !in.DropConnection && in.Latency == 0 && !in.Hold:
		return bad("give code, dropConnection, latency or hold")
	case in.Code != "" && in.DropConnection:
		return bad("code and dropConnection exclude each other")
	case in.ApplyThenFail && in.Code == "" && !in.DropConnection:
		return bad("applyThenFail needs code or dropConnection")
	case in.Status != 0 && in.Code == "":
		return bad("status needs a code")
	case in.Status != 0 && (in.Status < 400 || in.Status > 599):
		return bad("status %d out of range 400-599", in.Status)
	case in.Times < 0:
		return bad("times %d is negative", in.Times)
	case in.Skip < 0:
		return bad("skip %d is negative", in.Skip)
	case in.Probability < 0 || in.Probability > 1:
		return bad("probability %v out of range 0-1", in.Probability)
	case in.Latency < 0:
		return bad("latency %s is negative", time.Duration(in.Latency))
	case in.RetryAfter < 0:
		return bad("retryAfter %s is negative", time.Duration(in.RetryAfter))
	case in.RetryAfter != 0 && !apierr.Classify(in.Code, in.Status).Has(apierr.Throttled):
		return bad("retryAfter needs a throttling code (Throttling*), not %q", in.Code)
	}
	return nil
}

func (s *Server) faultOut(f InjectedFault) faultOut {
	o := faultOut{
		ID: f.ID, Action: f.Action, Code: f.Code, Status: f.Status, Message: f.Message,
		Times: f.Times, Skip: f.Skip, Remaining: f.Remaining, Probability: f.Probability, Seed: f.Seed,
		ApplyThenFail: f.ApplyThenFail, DropConnection: f.DropConnection,
		Latency: jsonDuration(f.Latency), Hold: f.Hold != nil, RetryAfter: jsonDuration(f.RetryAfter),
	}
	s.ctl.mu.Lock()
	h := s.ctl.holds[f.ID]
	s.ctl.mu.Unlock()
	if h != nil {
		n := h.reached.Load()
		o.Reached = &n
		select {
		case <-h.hold:
			o.Released = true
		default:
		}
	}
	return o
}

func ctlListFaults(s *Server, _ *http.Request) (any, error) {
	out := []faultOut{}
	for _, f := range s.Faults() {
		out = append(out, s.faultOut(f))
	}
	return out, nil
}

func ctlInjectFault(s *Server, r *http.Request) (any, error) {
	var in faultIn
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := s.servedAction("fault", in.Action); err != nil {
		return nil, err
	}
	f := Fault{
		Action: in.Action, Code: in.Code, Status: in.Status, Message: in.Message, Times: in.Times, Skip: in.Skip,
		Probability: in.Probability, Seed: in.Seed, ApplyThenFail: in.ApplyThenFail,
		DropConnection: in.DropConnection, Latency: time.Duration(in.Latency), RetryAfter: time.Duration(in.RetryAfter),
	}
	if !in.Hold {
		return struct {
			ID FaultID `json:"id"`
		}{s.InjectFault(f)}, nil
	}
	h := &ctlHold{hold: make(chan struct{}), stop: make(chan struct{})}
	reached := make(chan string)
	f.Hold, f.Reached = h.hold, reached
	go h.drain(reached)
	s.ctl.mu.Lock()
	id := s.InjectFault(f)
	if s.ctl.holds == nil {
		s.ctl.holds = map[FaultID]*ctlHold{}
	}
	s.ctl.holds[id] = h
	s.ctl.mu.Unlock()
	return struct {
		ID FaultID `json:"id"`
	}{id}, nil
}

// servedAction refuses, in the control API, a fault or rate limit on an
// action the emulator does not serve (it would never apply), naming the
// served actions closest to it. "" (every action) is served.
func (s *Server) servedAction(what, action string) error {
	if action == "" || s.routes[action] != nil {
		return nil
	}
	return ctlErrorf(http.StatusBadRequest, "%s: action %q is not served by the emulator; closest: %s",
		what, truncate(action, 64), strings.Join(s.closestActions(action, 3), ", "))
}

// closestActions returns the n served actions nearest to name by edit
// distance (ignoring case), nearest first, then by name.
func (s *Server) closestActions(name string, n int) []string {
	type cand struct {
		action string
		d      int
	}
	var all []cand
	lname := strings.ToLower(name)
	for a := range s.routes {
		all = append(all, cand{a, editDistance(lname, strings.ToLower(a))})
	}
	slices.SortFunc(all, func(x, y cand) int { return cmp.Or(cmp.Compare(x.d, y.d), cmp.Compare(x.action, y.action)) })
	out := make([]string, 0, n)
	for _, c := range all[:min(n, len(all))] {
		out = append(out, c.action)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func pathFaultID(r *http.Request) (FaultID, error) {
	n, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || n <= 0 {
		return 0, ctlErrorf(http.StatusBadRequest, "fault id %q: want a positive whole number", r.PathValue("id"))
	}
	return FaultID(n), nil
}

func ctlGetFault(s *Server, r *http.Request) (any, error) {
	id, err := pathFaultID(r)
	if err != nil {
		return nil, err
	}
	for _, f := range s.Faults() {
		if f.ID == id {
			return s.faultOut(f), nil
		}
	}
	return nil, fmt.Errorf("%w: fault %d", ErrNotFound, id)
}

func (s *Server) endHold(id FaultID) {
	s.ctl.mu.Lock()
	h := s.ctl.holds[id]
	delete(s.ctl.holds, id)
	s.ctl.mu.Unlock()
	if h != nil {
		h.end()
	}
}

func ctlRemoveFault(s *Server, r *http.Request) (any, error) {
	id, err := pathFaultID(r)
	if err != nil {
		return nil, err
	}
	if !s.RemoveFault(id) {
		return nil, fmt.Errorf("%w: fault %d", ErrNotFound, id)
	}
	s.endHold(id)
	return okAnswer{true}, nil
}

func ctlClearFaults(s *Server, _ *http.Request) (any, error) {
	s.ClearFaults()
	s.endHolds()
	return okAnswer{true}, nil
}

func ctlReleaseFault(s *Server, r *http.Request) (any, error) {
	id, err := pathFaultID(r)
	if err != nil {
		return nil, err
	}
	s.ctl.mu.Lock()
	h := s.ctl.holds[id]
	s.ctl.mu.Unlock()
	if h == nil {
		return nil, fmt.Errorf("%w: fault %d with a hold injected over HTTP", ErrNotFound, id)
	}
	h.releaseHold()
	return okAnswer{true}, nil
}

// --- transitions and clock

func ctlGetTransitions(s *Server, _ *http.Request) (any, error) {
	out := map[string]string{}
	for ph, t := range s.transitions() {
		out[ph] = formatTransition(t)
	}
	return out, nil
}

func ctlSetTransitions(s *Server, r *http.Request) (any, error) {
	var in map[string]string
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, ctlErrorf(http.StatusBadRequest, "transitions: give at least one phase, e.g. {\"Provisioning\":\"manual\"}")
	}
	parsed := map[string]Transition{}
	for ph, v := range in {
		if err := checkPhase(ph); err != nil {
			return nil, ctlErrorf(http.StatusBadRequest, "transitions: %v", err)
		}
		t, err := ParseTransition(v)
		if err != nil {
			return nil, ctlErrorf(http.StatusBadRequest, "transitions: %s: %v", ph, err)
		}
		parsed[ph] = t
	}
	for ph, t := range parsed {
		if err := s.SetTransition(ph, t); err != nil {
			return nil, err
		}
	}
	return ctlGetTransitions(s, r)
}

type clockOut struct {
	Now     time.Time     `json:"now"`
	Movable bool          `json:"movable"`
	Offset  *jsonDuration `json:"offset,omitempty"` // OffsetClock only
}

func ctlGetClock(s *Server, _ *http.Request) (any, error) {
	_, movable := s.clock.(movableClock)
	o := clockOut{Now: s.clock.Now(), Movable: movable}
	if oc, ok := s.clock.(*OffsetClock); ok {
		d := jsonDuration(oc.Offset())
		o.Offset = &d
	}
	return o, nil
}

func ctlMoveClock(s *Server, r *http.Request) (any, error) {
	var in struct {
		Advance *jsonDuration `json:"advance"`
		Set     *time.Time    `json:"set"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if (in.Advance == nil) == (in.Set == nil) {
		return nil, ctlErrorf(http.StatusBadRequest, "clock: give exactly one of advance (a duration such as \"10m\") or set (an RFC 3339 time)")
	}
	mc, ok := s.clock.(movableClock)
	if !ok {
		return nil, ctlErrorf(http.StatusConflict, "clock: the server clock cannot be moved; start the server with albtest.WithClock(albtest.NewOffsetClock()) or a ManualClock (the emulator program does)")
	}
	if in.Advance != nil {
		mc.Advance(time.Duration(*in.Advance))
	} else {
		mc.Set(*in.Set)
	}
	return ctlGetClock(s, r)
}

func ctlAdvance(s *Server, r *http.Request) (any, error) {
	var in struct {
		ID  string `json:"id"`
		All bool   `json:"all"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	type answer struct {
		Advanced int `json:"advanced"`
	}
	switch {
	case in.All && in.ID == "":
		return answer{s.AdvanceAll()}, nil
	case !in.All && in.ID != "":
		ok, err := s.Advance(in.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			return answer{1}, nil
		}
		return answer{0}, nil
	}
	return nil, ctlErrorf(http.StatusBadRequest, "advance: give exactly one of id (an instance, server group or job ID) or all: true")
}

// --- world reads and instance control

type lockJSON struct {
	LockType   string `json:"lockType"`
	LockReason string `json:"lockReason,omitempty"`
}

type zoneOut struct {
	ZoneID          string   `json:"zoneId"`
	VSwitchID       string   `json:"vswitchId"`
	IntranetAddress string   `json:"intranetAddress"`
	LocalAddresses  []string `json:"localAddresses,omitempty"`
	Ipv6Address     string   `json:"ipv6Address,omitempty"`
	Address         string   `json:"address,omitempty"`
	AllocationID    string   `json:"allocationId,omitempty"`
	EIPType         string   `json:"eipType,omitempty"`
	AutoEIP         bool     `json:"autoEip,omitempty"`
}

type lbOut struct {
	ID                     string            `json:"id"`
	Name                   string            `json:"name,omitempty"`
	Status                 string            `json:"status"`
	BusinessStatus         string            `json:"businessStatus"`
	VpcID                  string            `json:"vpcId"`
	AddressType            string            `json:"addressType"`
	AddressIPVersion       string            `json:"addressIpVersion"`
	Edition                string            `json:"edition"`
	BandwidthPackageID     string            `json:"bandwidthPackageId,omitempty"`
	ResourceGroupID        string            `json:"resourceGroupId,omitempty"`
	DNSName                string            `json:"dnsName"`
	CreateTime             time.Time         `json:"createTime"`
	DeletionProtection     bool              `json:"deletionProtection"`
	ModificationProtection string            `json:"modificationProtection,omitempty"`
	Zones                  []zoneOut         `json:"zones"`
	Tags                   map[string]string `json:"tags,omitempty"`
	Locks                  []lockJSON        `json:"locks,omitempty"`
	ClientToken            string            `json:"clientToken,omitempty"`
	Deleted                bool              `json:"deleted,omitempty"`
	DeletedTime            time.Time         `json:"deletedTime,omitzero"`
}

func toLBOut(lb LoadBalancer) lbOut {
	o := lbOut{
		ID: lb.ID, Name: lb.Name, Status: lb.Status, BusinessStatus: lb.BusinessStatus, VpcID: lb.VpcID,
		AddressType: lb.AddressType, AddressIPVersion: lb.AddressIPVersion, Edition: lb.Edition,
		BandwidthPackageID: lb.BandwidthPackageID, ResourceGroupID: lb.ResourceGroupID, DNSName: lb.DNSName,
		CreateTime: lb.CreateTime, DeletionProtection: lb.DeletionProtection,
		ModificationProtection: lb.ModificationProtection, Zones: []zoneOut{}, Tags: lb.Tags,
		ClientToken: lb.ClientToken, Deleted: lb.Deleted, DeletedTime: lb.DeletedTime,
	}
	for _, z := range lb.Zones {
		o.Zones = append(o.Zones, zoneOut(z))
	}
	for _, l := range lb.Locks {
		o.Locks = append(o.Locks, lockJSON(l))
	}
	return o
}

func ctlListLBs(s *Server, _ *http.Request) (any, error) {
	out := []lbOut{}
	for _, lb := range s.LoadBalancers() {
		out = append(out, toLBOut(lb))
	}
	return out, nil
}

func ctlGetLB(s *Server, r *http.Request) (any, error) {
	lb, ok := s.LoadBalancer(r.PathValue("id"))
	if !ok {
		return nil, fmt.Errorf("%w: load balancer %s", ErrNotFound, r.PathValue("id"))
	}
	return toLBOut(lb), nil
}

func ctlSetLBStatus(s *Server, r *http.Request) (any, error) {
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := s.SetLoadBalancerStatus(r.PathValue("id"), in.Status); err != nil {
		return nil, err
	}
	return ctlGetLB(s, r)
}

func ctlSetBizStatus(s *Server, r *http.Request) (any, error) {
	var in struct {
		Status string     `json:"status"`
		Locks  []lockJSON `json:"locks"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	locks := make([]OperationLock, 0, len(in.Locks))
	for i, l := range in.Locks {
		if l.LockType == "" {
			return nil, ctlErrorf(http.StatusBadRequest, "locks[%d]: lockType is empty", i)
		}
		locks = append(locks, OperationLock(l))
	}
	if err := s.SetBusinessStatus(r.PathValue("id"), in.Status, locks...); err != nil {
		return nil, err
	}
	return ctlGetLB(s, r)
}

func ctlEIPs(s *Server, _ *http.Request) (any, error) { return s.EIPs(), nil }

func ctlVSwitches(s *Server, _ *http.Request) (any, error) {
	type vswOut struct {
		VSwitch
		Available int `json:"availableIpAddressCount"`
	}
	out := []vswOut{}
	for _, v := range s.VSwitches() {
		out = append(out, vswOut{v.VSwitch, v.AvailableIPAddressCount})
	}
	return out, nil
}

func ctlJobs(s *Server, _ *http.Request) (any, error) { return s.Jobs(), nil }

// --- rate limits

type rateJSON struct {
	RPS   float64 `json:"rps"`
	Burst int     `json:"burst"`
}

// rateAction maps the path's "*" to the default limit's "".
func rateAction(r *http.Request) string {
	if a := r.PathValue("action"); a != "*" {
		return a
	}
	return ""
}

func ctlGetRateLimits(s *Server, _ *http.Request) (any, error) {
	out := map[string]rateJSON{}
	for a, sp := range s.rateLimits() {
		if a == "" {
			a = "*"
		}
		out[a] = rateJSON{sp.rps, max(sp.burst, 1)}
	}
	return out, nil
}

func ctlSetRateLimit(s *Server, r *http.Request) (any, error) {
	var in rateJSON
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if in.RPS <= 0 {
		return nil, ctlErrorf(http.StatusBadRequest, "rate limit: rps must be > 0 (DELETE removes a limit)")
	}
	if in.Burst < 0 {
		return nil, ctlErrorf(http.StatusBadRequest, "rate limit: burst %d is negative", in.Burst)
	}
	if err := s.servedAction("rate limit", rateAction(r)); err != nil {
		return nil, err
	}
	s.SetRateLimit(rateAction(r), in.RPS, in.Burst)
	return ctlGetRateLimits(s, r)
}

func ctlRemoveRateLimit(s *Server, r *http.Request) (any, error) {
	a := rateAction(r)
	if _, ok := s.rateLimits()[a]; !ok {
		return nil, fmt.Errorf("%w: rate limit for %q", ErrNotFound, r.PathValue("action"))
	}
	s.SetRateLimit(a, 0, 0)
	return ctlGetRateLimits(s, r)
}

// --- request log, counters, reset, world

type requestOut struct {
	Index       int               `json:"index"`
	Time        time.Time         `json:"time"`
	Action      string            `json:"action"`
	Version     string            `json:"version,omitempty"`
	AccessKeyID string            `json:"accessKeyId,omitempty"`
	RequestID   string            `json:"requestId"`
	Params      map[string]string `json:"params,omitempty"`
	Status      int               `json:"status"`
	Code        string            `json:"code,omitempty"`
}

func ctlRequests(s *Server, r *http.Request) (any, error) {
	q := r.URL.Query()
	num := func(name string) (int, error) {
		v := q.Get(name)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, ctlErrorf(http.StatusBadRequest, "requests: %s=%q: want a whole number >= 0", name, v)
		}
		return n, nil
	}
	since, err := num("since")
	if err != nil {
		return nil, err
	}
	limit, err := num("limit")
	if err != nil {
		return nil, err
	}
	for k := range q {
		switch k {
		case "action", "code", "since", "limit":
		default:
			return nil, ctlErrorf(http.StatusBadRequest, "requests: unknown filter %q (want action, code, since, limit)", k)
		}
	}
	action, code := q.Get("action"), q.Get("code")
	first, log := s.requestLog()
	out := struct {
		First    int          `json:"first"` // index of the oldest entry kept
		Next     int          `json:"next"`  // since= value for the next call
		Requests []requestOut `json:"requests"`
	}{First: first, Next: first + len(log), Requests: []requestOut{}}
	for i, e := range log {
		idx := first + i
		if idx < since || (action != "" && e.Action != action) || (code != "" && e.Code != code) {
			continue
		}
		if limit > 0 && len(out.Requests) == limit {
			out.Next = idx
			break
		}
		out.Requests = append(out.Requests, requestOut{
			Index: idx, Time: e.Time, Action: e.Action, Version: e.Version, AccessKeyID: e.AccessKeyID,
			RequestID: e.RequestID, Params: e.Params, Status: e.Status, Code: e.Code,
		})
	}
	return out, nil
}

func ctlCounts(s *Server, _ *http.Request) (any, error) {
	calls := s.Calls()
	total := 0
	for _, n := range calls {
		total += n
	}
	return struct {
		Total   int            `json:"total"`
		Actions map[string]int `json:"actions"`
	}{total, calls}, nil
}

func ctlReset(s *Server, _ *http.Request) (any, error) {
	if err := s.Reset(); err != nil {
		return nil, ctlErrorf(http.StatusConflict, "%v", err)
	}
	return okAnswer{true}, nil
}

func ctlGetWorld(s *Server, _ *http.Request) (any, error) { return s.world(), nil }

func ctlSetWorld(s *Server, r *http.Request) (any, error) {
	var w World
	if err := decodeBody(r, &w); err != nil {
		return nil, err
	}
	if err := s.SetWorld(w); err != nil {
		return nil, err
	}
	return s.world(), nil
}
