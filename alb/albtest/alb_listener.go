package albtest

import (
	"slices"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/edition"
)

// ALB listeners: state, CreateListener, GetListenerAttribute,
// ListListeners, UpdateListenerAttribute, UpdateListenerLogConfig,
// StartListener, StopListener, DeleteListener, lookups, the busy checks and
// the cascades. Additional certificates are in alb_listener_certificates.go,
// GetListenerHealthStatus in alb_listener_health.go, the checks and the
// table of codes in alb_listener_validate.go.
//
// A listener is a tracked resource (resource.go) of kind "listener": its
// create goes Provisioning → Running (PhaseProvisioning), its changes
// Configuring → Running or Stopped (PhaseConfiguring), its deletion
// Deleting → gone (PhaseDeleting), each with a job in ListAsynJobs. A change
// is made when its transition completes: reads show the old attributes
// while the listener is Configuring.

type lsnState struct {
	resource                    // id ("lsn-…"), status (Provisioning | Running | Configuring | Stopped | Deleting)
	lsnSettings                 // attributes UpdateListenerAttribute changes
	next           *lsnSettings // attributes of a pending UpdateListenerAttribute, shown once it completes
	lbID, protocol string
	port           int32
	stopped        bool // Stopped rather than Running when no change is pending
	logHeaders     bool // LogConfig.AccessLogRecordCustomizedHeadersEnabled
	tracing        *tracingConfig
	certs          []*lsnCert // additional certificates, in the order they were associated
	tags           []tagKV
	created        time.Time
	token          string
	deleted        bool
}

// lsnSettings are the attributes of a listener that UpdateListenerAttribute
// changes.
type lsnSettings struct {
	description   string
	groups        []string // the default action's server groups
	idle, request int32    // IdleTimeout, RequestTimeout (s)
	gzip, http2   bool
	policy        string // SecurityPolicyId (HTTPS)
	cert          string // the default certificate (HTTPS, QUIC)
	caEnabled     bool
	caCert        string // the mutual-TLS CA certificate
	quicUpgrade   bool
	quicID        string // QuicConfig.QuicListenerId
	xff           xffConfig
}

// xffConfig is a listener's XForwardedForConfig.
type xffConfig struct {
	enabled                                bool   // X-Forwarded-For
	mode                                   string // append | remove
	proto, slbID, slbPort, host            bool
	srcPort, clientIPs                     bool
	trusted                                string // XForwardedForClientSourceIpsTrusted
	certSubject, certIssuer, certFP, certV bool
	aliasSubject, aliasIssuer              string
	aliasFP, aliasV                        string
}

// tracingConfig is a listener's LogConfig.AccessLogTracingConfig, present
// once UpdateListenerLogConfig has configured it.
type tracingConfig struct {
	enabled bool
	sample  int32
	typ     string
}

// lsnCert is an additional certificate of a listener.
type lsnCert struct {
	id     string
	status string // Associating | Associated | Dissociating
}

// InstanceQuotas are the per-instance quotas of one edition
// (WithInstanceQuotas, SetInstanceQuotas, World.InstanceQuotas). A zero
// field means the edition's default quota (package edition, from the
// product's quota table).
type InstanceQuotas struct {
	// Listeners an instance may have (QuotaExceeded.ListenersNum beyond).
	Listeners int `json:"listeners,omitempty"`
	// Rules are the forwarding rules across an instance's listeners, both
	// directions, default actions excluded (QuotaExceeded.RulesNum beyond).
	Rules int `json:"rules,omitempty"`
	// AdditionalCertificates are the additional certificates across an
	// instance's listeners, default certificates excluded
	// (QuotaExceeded.CertificatesNum beyond).
	AdditionalCertificates int `json:"additionalCertificates,omitempty"`
}

// WithInstanceQuotas sets the per-instance quotas of one edition (Basic,
// Standard or StandardWithWaf); zero fields keep the edition's default. It
// applies to the world a Server starts with and to every Reset.
func WithInstanceQuotas(editionName string, q InstanceQuotas) Option {
	return func(c *config) {
		if _, ok := edition.Of(editionName); !ok {
			c.errs = append(c.errs, errUnknownEdition(editionName))
			return
		}
		if c.lbQuotas == nil {
			c.lbQuotas = map[string]InstanceQuotas{}
		}
		c.lbQuotas[editionName] = q
	}
}

// SetInstanceQuotas changes the per-instance quotas of one edition at
// runtime (zero fields: the edition's default).
func (s *Server) SetInstanceQuotas(editionName string, q InstanceQuotas) error {
	if _, ok := edition.Of(editionName); !ok {
		return errUnknownEdition(editionName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.lbQuotas[editionName] = q
	return nil
}

// quotasOf returns the quotas in force for an instance of the edition.
func (st *state) quotasOf(editionName string) InstanceQuotas {
	q := st.lbQuotas[editionName]
	f, ok := edition.Of(editionName)
	if !ok {
		f, _ = edition.Of(edition.Basic)
	}
	q.Listeners = positiveOr(q.Listeners, f.ListenersPerInstance.Default)
	q.Rules = positiveOr(q.Rules, f.RulesPerInstance.Default)
	q.AdditionalCertificates = positiveOr(q.AdditionalCertificates, f.AdditionalCertsPerInstance.Default)
	return q
}

func notFoundListener(id string) *apiError {
	return errf(404, "ResourceNotFound.Listener", "The specified resource %s is not found.", truncate(id, 64))
}

// lookupLsn returns the live listener named by parameter name after
// settling its transition. read marks a read of the listener
// (GetListenerAttribute, ListListenerCertificates): it counts as a poll.
func (s *Server) lookupLsn(c *call, name string, read bool) (*lsnState, *apiError) {
	id := c.p.Get(name)
	if id == "" {
		return nil, missing(name)
	}
	return s.lsnByID(id, c.now, read)
}

func (s *Server) lsnByID(id string, now time.Time, read bool) (*lsnState, *apiError) {
	l := s.st.lsns[id]
	if l == nil {
		return nil, notFoundListener(id)
	}
	s.settle(&l.resource, now, read)
	if l.deleted {
		return nil, notFoundListener(id)
	}
	return l, nil
}

// stable reports a listener with no change under way: Running or Stopped.
func (l *lsnState) stable() bool {
	return l.pending == nil && (l.status == "Running" || l.status == "Stopped")
}

// lsnChangeable refuses a change of the listener's own attributes
// (UpdateListenerAttribute, UpdateListenerLogConfig, StartListener,
// StopListener) while it is not Running or Stopped: IncorrectStatus.Listener,
// which the Terraform provider retries.
func lsnChangeable(l *lsnState) *apiError {
	if !l.stable() {
		return errf(400, "IncorrectStatus.Listener", "The status of %s [%s] is incorrect.", l.id, l.status)
	}
	return nil
}

// lsnNotConfiguring refuses what changes the listener's children or
// deletes it (DeleteListener, certificate associations, rule writes) while
// it is not Running or Stopped: ResourceInConfiguring.Listener, which the
// Terraform provider retries (PR 9021).
func lsnNotConfiguring(l *lsnState) *apiError {
	if !l.stable() {
		return errf(400, "ResourceInConfiguring.Listener", "The specified resource %s is configuring [%s].", l.id, l.status)
	}
	return nil
}

// restStatus is the status a listener returns to when its change
// completes.
func (l *lsnState) restStatus() string {
	if l.stopped {
		return "Stopped"
	}
	return "Running"
}

// lbOfListener returns the listener's instance, checked for a write
// (writable: IncorrectBusinessStatus.LoadBalancer, IncorrectStatus.LoadBalancer).
func (s *Server) lbOfListener(l *lsnState, now time.Time) (*lbState, *apiError) {
	lb := s.st.lbs[l.lbID]
	if lb == nil {
		return nil, notFoundLB(l.lbID)
	}
	s.settle(&lb.resource, now, false)
	if lb.deleted {
		return nil, notFoundLB(l.lbID)
	}
	return lb, writable(lb)
}

// changeLsn starts a Configuring transition of l for operation api; apply
// makes the change when the transition completes.
func (s *Server) changeLsn(l *lsnState, c *call, api string, apply func()) *job {
	return s.begin(&l.resource, c.now, change{phase: PhaseConfiguring, api: api, operate: "Update",
		done: func(time.Time) outcome {
			if apply != nil {
				apply()
			}
			return outcome{status: l.restStatus()}
		}})
}

// listenersOf returns the live listeners of instance lbID in creation
// order.
func (st *state) listenersOf(lbID string) []*lsnState {
	var out []*lsnState
	for _, id := range st.lsnOrder {
		if l := st.lsns[id]; l.lbID == lbID {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) opCreateListener(c *call) (any, *apiError) {
	p := c.p
	if p.Get("LoadBalancerId") == "" {
		return nil, missing("LoadBalancerId")
	}
	proto, e := enum(p, "ListenerProtocol", true, "HTTP", "HTTPS", "QUIC")
	if e != nil {
		return nil, e
	}
	if p.Get("ListenerPort") == "" {
		return nil, missing("ListenerPort")
	}
	port, e := optInt(p, "ListenerPort", 0, 1, 65535)
	if e != nil {
		return nil, e
	}
	set, e := parseListenerSettings(p, defaultListenerSettings(proto), proto, true)
	if e != nil {
		return nil, e
	}
	tl, e := tags(p, 20, 128)
	if e != nil {
		return nil, e
	}
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, e
	}
	if e := writable(lb); e != nil {
		return nil, e
	}
	st := s.st
	for _, o := range st.listenersOf(lb.id) {
		if o.port == int32(port) && (o.protocol == "QUIC") == (proto == "QUIC") {
			return nil, errf(400, "ResourceAlreadyExist.Listener", "The specified resource of Listener on port %d of %s already exists: %s.", port, lb.id, o.id)
		}
	}
	if q := st.quotasOf(lb.edition).Listeners; len(st.listenersOf(lb.id)) >= q {
		return nil, errf(400, "QuotaExceeded.ListenersNum", "The quota of %s is exceeded, usage %d/%d.", "listeners per instance", len(st.listenersOf(lb.id)), q)
	}
	if e := s.checkListenerRefs(lb, proto, "", set, c.now); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	l := &lsnState{
		resource: resource{kind: "listener"}, lsnSettings: set, lbID: lb.id, protocol: proto, port: int32(port),
		tags: tl, created: c.now, token: c.token,
	}
	l.id = randomID("lsn-", 20)
	for st.lsns[l.id] != nil {
		l.id = randomID("lsn-", 20)
	}
	st.lsns[l.id] = l
	st.lsnOrder = append(st.lsnOrder, l.id)
	st.track(&l.resource)
	j := s.begin(&l.resource, c.now, change{phase: PhaseProvisioning, api: "CreateListener", operate: "Create",
		done: func(time.Time) outcome { return outcome{status: "Running"} }})
	return &albsdk.CreateListenerResponseBody{RequestId: sp(c.requestID), ListenerId: sp(l.id), JobId: sp(j.id)}, nil
}

func (s *Server) opGetListenerAttribute(c *call) (any, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", true)
	if e != nil {
		return nil, e
	}
	return s.attrJSON(l, c.requestID), nil
}

// opUpdateListenerAttribute shows the new attributes when the Configuring
// transition completes.
func (s *Server) opUpdateListenerAttribute(c *call) (any, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", false)
	if e != nil {
		return nil, e
	}
	for _, f := range []string{"ListenerProtocol", "ListenerPort", "LoadBalancerId"} {
		if c.p.Get(f) != "" {
			return nil, errf(400, "InvalidParameter", "The parameter %s of a listener cannot be changed.", f)
		}
	}
	next, e := parseListenerSettings(c.p, l.lsnSettings, l.protocol, false)
	if e != nil {
		return nil, e
	}
	lb, e := s.lbOfListener(l, c.now)
	if e != nil {
		return nil, e
	}
	if e := lsnChangeable(l); e != nil {
		return nil, e
	}
	if e := s.checkListenerRefs(lb, l.protocol, l.id, next, c.now); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	l.next = &next
	j := s.changeLsn(l, c, "UpdateListenerAttribute", func() { l.lsnSettings, l.next = next, nil })
	return &albsdk.UpdateListenerAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opUpdateListenerLogConfig sets the access log options of the listener:
// custom headers and Tracing Analysis (Standard and WAF-enabled instances
// only, package edition). Turning either on needs the instance's access log
// (the SDK: "only after the access log of the instance is enabled").
func (s *Server) opUpdateListenerLogConfig(c *call) (any, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", false)
	if e != nil {
		return nil, e
	}
	headers, headersSet, e := optBool(c.p, "AccessLogRecordCustomizedHeadersEnabled")
	if e != nil {
		return nil, e
	}
	tr, e := parseTracing(c.p, l.tracing)
	if e != nil {
		return nil, e
	}
	lb, e := s.lbOfListener(l, c.now)
	if e != nil {
		return nil, e
	}
	if tr != nil && tr.enabled {
		if f, _ := edition.Of(lb.edition); !f.Has(edition.Tracing) {
			return nil, editionRefusal(f, edition.Tracing)
		}
	}
	if ((headersSet && headers) || (tr != nil && tr.enabled)) && lb.logProject == "" {
		return nil, errf(400, "OperationDenied.AccessLogDisabled", "The operation is not allowed because of %s.", "AccessLogDisabled")
	}
	if e := lsnChangeable(l); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.changeLsn(l, c, "UpdateListenerLogConfig", func() {
		if headersSet {
			l.logHeaders = headers
		}
		if tr != nil {
			l.tracing = tr
		}
	})
	return &albsdk.UpdateListenerLogConfigResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opStartListener and opStopListener go Configuring → Running or Stopped
// (starting a Running listener, or stopping a Stopped one, still makes a
// change that ends where it started: GUESS).
func (s *Server) opStartListener(c *call) (any, *apiError) {
	j, e := s.startStop(c, "StartListener", false)
	if e != nil {
		return nil, e
	}
	return &albsdk.StartListenerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opStopListener(c *call) (any, *apiError) {
	j, e := s.startStop(c, "StopListener", true)
	if e != nil {
		return nil, e
	}
	return &albsdk.StopListenerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) startStop(c *call, api string, stop bool) (*job, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", false)
	if e != nil {
		return nil, e
	}
	if _, e := s.lbOfListener(l, c.now); e != nil {
		return nil, e
	}
	if e := lsnChangeable(l); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	return s.changeLsn(l, c, api, func() { l.stopped = stop }), nil
}

// opDeleteListener shows Deleting until the transition completes; then the
// listener and its rules are gone (404).
func (s *Server) opDeleteListener(c *call) (any, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", false)
	if e != nil {
		return nil, e
	}
	if _, e := s.lbOfListener(l, c.now); e != nil {
		return nil, e
	}
	if e := lsnNotConfiguring(l); e != nil {
		return nil, e
	}
	if l.protocol == "QUIC" {
		for _, o := range s.st.listenersOf(l.lbID) {
			if o.quicUpgrade && o.quicID == l.id || o.next != nil && o.next.quicUpgrade && o.next.quicID == l.id {
				return nil, errf(400, "ResourceInUse.Listener", "The specified resource of Listener %s is in use by the QuicConfig of %s.", l.id, o.id)
			}
		}
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.begin(&l.resource, c.now, change{phase: PhaseDeleting, api: "DeleteListener", operate: "Delete",
		done: func(now time.Time) outcome {
			s.removeListener(l, now)
			return outcome{status: "Deleted"}
		}})
	return &albsdk.DeleteListenerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// removeListener forgets a deleted listener and, with it, its rules
// (GUESS: deleting a listener deletes its rules; rules have no other
// parent, reference section 4).
func (s *Server) removeListener(l *lsnState, now time.Time) {
	st := s.st
	for _, r := range st.rulesOf(l.id) {
		s.removeRule(r, now)
	}
	if l.pending != nil {
		s.dropPending(&l.resource, outcome{errCode: "ResourceNotFound.Listener", errMsg: "The listener was deleted."}, now)
	}
	l.deleted = true
	delete(st.lsns, l.id)
	st.untrack(l.id)
	st.lsnOrder = slices.DeleteFunc(st.lsnOrder, func(id string) bool { return id == l.id })
}

// releaseListeners removes every listener of a released instance, and
// their rules. CASCADE (GUESS, reference section 4): releasing an instance
// releases its listeners, their rules and their certificate associations
// (the ingress controller deletes an ALB with DeleteLoadBalancer alone);
// server groups and security policies are regional and stay.
func (s *Server) releaseListeners(lbID string, now time.Time) {
	for _, l := range s.st.listenersOf(lbID) {
		s.removeListener(l, now)
	}
}

// lsnFilter is the set of ListListeners filters.
type lsnFilter struct {
	ids, lbIDs []string
	protocol   string
	tags       []tagKV
}

func parseLsnFilter(c *call) (*lsnFilter, *apiError) {
	f := &lsnFilter{}
	var e *apiError
	if f.ids, e = list(c.p, "ListenerIds"); e != nil {
		return nil, e
	}
	if f.lbIDs, e = list(c.p, "LoadBalancerIds"); e != nil {
		return nil, e
	}
	if len(f.ids) > 20 || len(f.lbIDs) > 20 {
		return nil, errf(400, "InvalidParameter", "ListenerIds and LoadBalancerIds take at most 20 values.")
	}
	if f.protocol, e = enum(c.p, "ListenerProtocol", false, "HTTP", "HTTPS", "QUIC"); e != nil {
		return nil, e
	}
	if f.tags, e = tags(c.p, 20, 128); e != nil {
		return nil, e
	}
	return f, nil
}

// liveListeners settles and returns the live listeners in creation order,
// without counting a poll.
func (s *Server) liveListeners(now time.Time) []*lsnState {
	out := make([]*lsnState, 0, len(s.st.lsnOrder))
	for _, id := range slices.Clone(s.st.lsnOrder) {
		if l := s.st.lsns[id]; l != nil {
			s.settle(&l.resource, now, false)
			if !l.deleted {
				out = append(out, l)
			}
		}
	}
	return out
}

// opListListeners: a page showing a listener counts as a read (a poll) of
// it.
func (s *Server) opListListeners(c *call) (any, *apiError) {
	f, e := parseLsnFilter(c)
	if e != nil {
		return nil, e
	}
	var match []*lsnState
	for _, l := range s.liveListeners(c.now) {
		if inFilter(f.ids, l.id) && inFilter(f.lbIDs, l.lbID) && (f.protocol == "" || f.protocol == l.protocol) && hasTags(l.tags, f.tags) {
			match = append(match, l)
		}
	}
	start, end, maxResults, next, e := page(c.p, len(match))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListListenersResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TotalCount: int32Ptr(int32(len(match))), Listeners: []*albsdk.ListListenersResponseBodyListeners{},
	}
	for _, l := range match[start:end] {
		s.settle(&l.resource, c.now, true)
		out.Listeners = append(out.Listeners, s.listenerItem(l))
	}
	return out, nil
}
