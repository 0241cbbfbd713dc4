package albtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"golang.org/x/time/rate"

	"github.com/albkit/albkit/internal/acs"
)

// Option configures a Server.
type Option func(*config)

// CreateInfo describes a CreateLoadBalancer request to a WithCreateFailure
// predicate.
type CreateInfo struct {
	Name        string            // LoadBalancerName
	VpcID       string            // VpcId
	AddressType string            // Internet | Intranet
	Edition     string            // LoadBalancerEdition
	Tags        map[string]string // Tag.N.Key/Value by key
}

type credential struct {
	secret  string
	token   string
	expired bool // an STS token past its expiry: InvalidSecurityToken.Expired
}

type config struct {
	addr          string
	region        string
	world         *World
	worldFile     string
	noRole        bool
	quota         int
	waf3          *WAF3Instance
	waf2          *WAF2Instance
	creds         map[string]credential
	primaryID     string
	clock         Clock
	transitions   map[string]Transition
	maxSkew       time.Duration
	noAuth        bool
	rateLimits    map[string]rateSpec
	failCreate    func(CreateInfo) bool
	logLimit      int
	noNonceCheck  bool
	replaceCreds  bool
	errs          []error
	defaultTransi *Transition
	noControl     bool
	faults        []Fault
	jobLimit      int                       // WithJobHistoryLimit
	releasedLimit int                       // WithReleasedHistoryLimit
	tokenLimit    int                       // WithClientTokenLimit
	readMisses    int                       // WithReadAfterCreateMisses
	logger        *slog.Logger              // WithLogger
	sgQuota       int                       // WithServerGroupQuota; -1 when not given
	strictIPs     bool                      // WithStrictIPServers
	lbQuotas      map[string]InstanceQuotas // WithInstanceQuotas
	backendAddrs  map[string]string         // WithBackendAddress
	noDataPlane   bool                      // WithoutDataPlane
	dpHost        string                    // WithDataPlaneHost
}

type rateSpec struct {
	rps   float64
	burst int
}

// WithAddr makes the server listen on addr (for example "127.0.0.1:8686")
// instead of a free loopback port.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithRegion sets the region of the default world (zones become
// <region>-h … <region>-k). It has no effect on a world given by WithSeed
// or WithWorldFile that names its own region.
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithSeed replaces the default world.
func WithSeed(w World) Option {
	return func(c *config) { c.world = &w }
}

// WithWorldFile replaces the default world with the JSON file at path (see
// World). NewServer panics and Start returns an error if it cannot be read.
func WithWorldFile(path string) Option { return func(c *config) { c.worldFile = path } }

// WithoutServiceLinkedRole starts without the AliyunServiceRoleForAlb role,
// so CreateLoadBalancer fails with OperationDenyed.ServiceLinkedRoleNotExist
// until CreateServiceLinkedRole is called.
func WithoutServiceLinkedRole() Option { return func(c *config) { c.noRole = true } }

// WithQuota sets the number of ALB instances allowed in the region.
func WithQuota(n int) Option { return func(c *config) { c.quota = n } }

// WithWAF3 seeds a WAF 3.0 instance (DescribeInstance, 2021-10-01).
// Use PayType "PREPAY" for a subscription and "POSTPAY" for pay-as-you-go.
func WithWAF3(inst WAF3Instance) Option { return func(c *config) { c.waf3 = &inst } }

// WithWAF2 seeds a WAF 2.0 instance (DescribeInstanceInfo, 2019-09-10).
func WithWAF2(inst WAF2Instance) Option { return func(c *config) { c.waf2 = &inst } }

// WithCredentials replaces the default access key pair.
func WithCredentials(accessKeyID, accessKeySecret string) Option {
	return func(c *config) {
		c.replaceCreds = true
		c.primaryID = accessKeyID
		c.creds[accessKeyID] = credential{secret: accessKeySecret}
	}
}

// WithAccessKey accepts one more access key pair.
func WithAccessKey(accessKeyID, accessKeySecret string) Option {
	return func(c *config) { c.creds[accessKeyID] = credential{secret: accessKeySecret} }
}

// WithSTSCredentials accepts STS credentials: accessKeyID should start with
// "STS." and every request must carry securityToken.
func WithSTSCredentials(accessKeyID, accessKeySecret, securityToken string) Option {
	return func(c *config) { c.creds[accessKeyID] = credential{secret: accessKeySecret, token: securityToken} }
}

// WithExpiredSTSCredentials registers STS credentials whose token has
// expired: correctly signed requests with them are answered 400
// InvalidSecurityToken.Expired ("Specified SecurityToken is expired.";
// the code is the gateway's, the status a GUESS).
func WithExpiredSTSCredentials(accessKeyID, accessKeySecret, securityToken string) Option {
	return func(c *config) {
		c.creds[accessKeyID] = credential{secret: accessKeySecret, token: securityToken, expired: true}
	}
}

// WithClock sets the server clock (default: the wall clock).
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithTransition sets how the pending status phase (PhaseProvisioning,
// PhaseConfiguring or PhaseDeleting) completes. The default is AfterPolls(1).
func WithTransition(phase string, t Transition) Option {
	return func(c *config) {
		switch phase {
		case PhaseProvisioning, PhaseConfiguring, PhaseDeleting:
			c.transitions[phase] = t
		default:
			c.errs = append(c.errs, fmt.Errorf("albtest: WithTransition: unknown phase %q", phase))
		}
	}
}

// WithTransitions sets the transition of every phase.
func WithTransitions(t Transition) Option {
	return func(c *config) {
		c.transitions[PhaseProvisioning] = t
		c.transitions[PhaseConfiguring] = t
		c.transitions[PhaseDeleting] = t
	}
}

// WithMaxSkew sets the accepted difference between a request's signature
// timestamp and the server clock (default 15 minutes).
func WithMaxSkew(d time.Duration) Option { return func(c *config) { c.maxSkew = d } }

// WithoutAuth accepts every request without checking its signature. The
// access key ID is still taken from the request when present.
func WithoutAuth() Option { return func(c *config) { c.noAuth = true } }

// WithoutNonceCheck disables replay detection (SignatureNonceUsed).
func WithoutNonceCheck() Option { return func(c *config) { c.noNonceCheck = true } }

// WithRateLimit limits action to rps requests per second with bursts of
// burst (token bucket, against the server clock). Requests over the limit get
// 400 Throttling.User. An empty action limits every action, each with its own
// bucket. An action the emulator does not serve is refused (see
// [CheckAction]).
func WithRateLimit(action string, rps float64, burst int) Option {
	return func(c *config) { c.rateLimits[action] = rateSpec{rps: rps, burst: burst} }
}

// WithCreateFailure makes every CreateLoadBalancer for which fail returns
// true end in CreateFailed instead of Active (the request itself succeeds).
func WithCreateFailure(fail func(CreateInfo) bool) Option {
	return func(c *config) { c.failCreate = fail }
}

// WithRequestLogLimit keeps at most n entries in the request log (default
// 10000; the oldest are dropped). Per-action counters are never dropped.
func WithRequestLogLimit(n int) Option { return func(c *config) { c.logLimit = n } }

// WithoutControlAPI turns off the HTTP control API served under
// ControlPrefix (it answers 404 there). The control API needs no signature:
// turn it off when the emulator is reachable by anything but your tests.
func WithoutControlAPI() Option { return func(c *config) { c.noControl = true } }

// WithFaults injects faults at start-up and again after every Reset (faults
// injected later with InjectFault are cleared by Reset). A fault on an
// action the emulator does not serve is refused (see [CheckAction]).
func WithFaults(faults ...Fault) Option {
	return func(c *config) { c.faults = append(c.faults, faults...) }
}

// Server is an in-process emulator of the ALB, VPC, WAF and ResourceManager
// control-plane APIs. All methods are safe for concurrent use.
type Server struct {
	cfg      config
	region   string
	clock    Clock
	verifier *acs.Verifier
	// anyExpired: a credential is registered with WithExpiredSTSCredentials.
	anyExpired bool
	nonces     *acs.NonceCache
	routes     map[string]map[string]*route
	lastRoute  atomic.Pointer[route] // the route found last (see serve)
	handler    http.Handler

	httpc *sdkHTTPClient

	ln       net.Listener
	hs       *http.Server
	endpoint string
	closeMu  sync.Once

	mu stateMu // guards st
	st *state

	ctlMu    sync.Mutex  // guards faults, limiters, failNext
	ctlIdle  atomic.Bool // no fault and no rate limit set (see ctlChangedLocked)
	faults   []*faultState
	nextID   FaultID
	limiters map[string]*rate.Limiter
	failNext int

	logMu  sync.Mutex
	log    []logEntry
	counts map[string]int
	// logWindow is held for reading by each request whose answer was sent
	// before it was recorded (flushAnswer); readers of the log wait for it.
	logWindow sync.RWMutex

	ctl controlState // control API, SetWorld (control_state.go)

	dp *dataPlane // the data plane (dataplane.go); nil with WithoutDataPlane
}

func newConfig(opts []Option) config {
	c := config{
		region:      DefaultRegion,
		creds:       map[string]credential{},
		transitions: map[string]Transition{},
		rateLimits:  map[string]rateSpec{},
		logLimit:    10000,
		maxSkew:     15 * time.Minute,
		quota:       -1,
		sgQuota:     -1,
	}
	c.creds[DefaultAccessKeyID] = credential{secret: DefaultAccessKeySecret}
	c.primaryID = DefaultAccessKeyID
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.replaceCreds && c.primaryID != DefaultAccessKeyID {
		delete(c.creds, DefaultAccessKeyID)
	}
	if c.clock == nil {
		c.clock = wallClock{}
	}
	for _, ph := range []string{PhaseProvisioning, PhaseConfiguring, PhaseDeleting} {
		if _, ok := c.transitions[ph]; !ok {
			c.transitions[ph] = AfterPolls(1)
		}
	}
	return c
}

func (c *config) seedWorld() (World, error) {
	var w World
	switch {
	case c.world != nil:
		w = *c.world
	case c.worldFile != "":
		fw, err := LoadWorld(c.worldFile)
		if err != nil {
			return World{}, err
		}
		w = fw
	default:
		w = defaultWorld(c.region)
	}
	if w.Region == "" {
		w.Region = c.region
	}
	if c.noRole {
		w.ServiceLinkedRole = false
	}
	if c.quota >= 0 {
		w.Quota = c.quota
	}
	if w.Quota == 0 && c.quota < 0 {
		w.Quota = DefaultQuota
	}
	if c.sgQuota >= 0 {
		w.ServerGroupQuota = c.sgQuota
	}
	if w.ServerGroupQuota == 0 && c.sgQuota < 0 {
		w.ServerGroupQuota = DefaultServerGroupQuota
	}
	for ed, q := range c.lbQuotas {
		if w.InstanceQuotas == nil {
			w.InstanceQuotas = map[string]InstanceQuotas{}
		}
		w.InstanceQuotas[ed] = q
	}
	w.BackendAddresses = mergeAddrs(w.BackendAddresses, c.backendAddrs)
	if c.waf3 != nil {
		w.WAF3 = c.waf3
	}
	if c.waf2 != nil {
		w.WAF2 = c.waf2
	}
	if len(w.Regions) == 0 {
		w.Regions = []Region{{RegionID: w.Region}}
	}
	if len(w.Zones) == 0 {
		seen := map[string]bool{}
		for _, vs := range w.VSwitches {
			if !seen[vs.ZoneID] {
				seen[vs.ZoneID] = true
				w.Zones = append(w.Zones, Zone{ZoneID: vs.ZoneID})
			}
		}
	}
	return w, w.Validate()
}

// New builds a Server that is not listening; serve it with Handler. Most
// tests want NewServer instead.
func New(opts ...Option) (*Server, error) {
	c := newConfig(opts)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	w, err := c.seedWorld()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      c,
		clock:    c.clock,
		limiters: map[string]*rate.Limiter{},
		counts:   map[string]int{},
	}
	s.region = w.Region
	s.routes = buildRoutes()
	if err := s.checkStartActions(); err != nil {
		return nil, err
	}
	for _, cr := range c.creds {
		s.anyExpired = s.anyExpired || cr.expired
	}
	s.st = newState(w)
	if !c.noDataPlane {
		s.dp = newDataPlane(s)
		s.mu.onChange = s.dp.stateChanged
	}
	s.resetLimiters()
	s.injectStartFaults()
	s.ctlMu.Lock()
	s.ctlChangedLocked()
	s.ctlMu.Unlock()
	if !c.noNonceCheck {
		s.nonces = acs.NewNonceCache(c.maxSkew)
	}
	s.verifier = &acs.Verifier{
		Lookup:  s.lookup,
		Now:     signatureNow(s.clock),
		MaxSkew: c.maxSkew,
		Nonces:  s.nonces,
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.httpc = &sdkHTTPClient{c: &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}}}
	return s, nil
}

// Start builds a Server and starts serving it on loopback (or the WithAddr
// address). It returns an error if the options are invalid or it cannot
// listen.
func Start(opts ...Option) (*Server, error) {
	s, err := New(opts...)
	if err != nil {
		return nil, err
	}
	addr := s.cfg.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("albtest: listen %s: %w", addr, err)
	}
	s.ln = ln
	s.endpoint = ln.Addr().String()
	// No read or header timeout: net/http arms and clears a connection deadline
	// for every request when one is set, which cost the emulator about a tenth
	// of its CPU time per call (a test server on loopback needs no slow-client
	// guard).
	s.hs = &http.Server{Handler: s.handler}
	go func() { _ = s.hs.Serve(ln) }()
	return s, nil
}

// NewServer starts a Server listening on a free loopback port (or the
// WithAddr address) and serving immediately. It panics if the options are
// invalid or it cannot listen, like httptest.NewServer; programs should use
// Start.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// Close stops the server and closes its connections.
func (s *Server) Close() {
	s.closeMu.Do(func() {
		s.endHolds() // held requests finish rather than block the shutdown
		if s.hs != nil {
			// Requests in flight get a moment to finish. A connection a
			// client opened but never used (StateNew) would hold a graceful
			// Shutdown for its whole timeout, so the rest is closed.
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if err := s.hs.Shutdown(ctx); err != nil {
				_ = s.hs.Close()
			}
		}
		s.httpc.c.CloseIdleConnections()
		if s.dp != nil {
			s.dp.close()
		}
	})
}

// Handler returns the HTTP handler serving every emulated API, so the
// emulator can be mounted in another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Endpoint returns host:port, the value for openapiutil.Config.Endpoint. It
// is empty for a Server built with New.
func (s *Server) Endpoint() string { return s.endpoint }

// URL returns "http://" + Endpoint().
func (s *Server) URL() string { return "http://" + s.endpoint }

// Region returns the emulated region.
func (s *Server) Region() string { return s.region }

// Credentials returns the primary access key pair the server accepts
// (DefaultAccessKeyID and DefaultAccessKeySecret unless WithCredentials).
func (s *Server) Credentials() (accessKeyID, accessKeySecret string) {
	return s.cfg.primaryID, s.cfg.creds[s.cfg.primaryID].secret
}

// Config returns a darabonba-openapi configuration pointing at the server
// with its primary credentials, over plain HTTP.
//
// Its HttpClient is the server's own HTTP client. Without it the SDK (tea
// v1.5.0) shares one process-wide http.Client per endpoint and writes its
// Timeout on every call, which is a data race when several SDK clients call
// concurrently; set HttpClient to nil to get the SDK's default behaviour. A
// single SDK client must still not be used by several goroutines at once
// (darabonba-openapi mutates Client.Headers on every call).
func (s *Server) Config() *openapiutil.Config {
	id, secret := s.Credentials()
	return &openapiutil.Config{
		HttpClient:      s.httpc,
		AccessKeyId:     &id,
		AccessKeySecret: &secret,
		Endpoint:        strPtr(s.endpoint),
		Protocol:        strPtr("http"),
		RegionId:        strPtr(s.Region()),
	}
}

// ALBClient returns an ALB SDK client for the server.
func (s *Server) ALBClient() *albsdk.Client {
	c, err := albsdk.NewClient(s.Config())
	if err != nil {
		panic(fmt.Sprintf("albtest: albsdk.NewClient: %v", err))
	}
	return c
}

// OpenAPIClient returns a generic darabonba-openapi client for the server,
// for VPC, WAF and ResourceManager calls through CallApi.
func (s *Server) OpenAPIClient() *openapi.Client {
	c, err := openapi.NewClient(s.Config())
	if err != nil {
		panic(fmt.Sprintf("albtest: openapi.NewClient: %v", err))
	}
	return c
}

func (s *Server) lookup(id string) (acs.Credential, bool) {
	c, ok := s.cfg.creds[id]
	if !ok {
		return acs.Credential{}, false
	}
	return acs.Credential{AccessKeyID: id, AccessKeySecret: c.secret, SecurityToken: c.token}, true
}

func strPtr(s string) *string { return &s }

// sdkHTTPClient implements dara.HttpClient with a private http.Client.
type sdkHTTPClient struct{ c *http.Client }

// Call sends req; the transport chosen by the SDK is ignored.
func (h *sdkHTTPClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return h.c.Do(req)
}

// Reset restores the seeded world (the world file is read again; the world
// given to SetWorld if any) and clears instances, jobs, client tokens, the
// request log, counters, injected faults and rate-limit state. Options given
// at construction (transitions, rate limits, credentials, WithFaults) stay,
// as do changes made by SetTransition and SetRateLimit. When the world
// cannot be loaded, Reset returns the error and changes nothing.
func (s *Server) Reset() error {
	w, err := s.resetWorld()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.st = newState(w)
	s.mu.Unlock()
	s.ctlMu.Lock()
	s.faults = nil
	s.failNext = 0
	s.ctlChangedLocked()
	s.ctlMu.Unlock()
	s.endHolds()
	s.resetLimiters()
	s.logMu.Lock()
	s.log = nil
	s.counts = map[string]int{}
	s.logMu.Unlock()
	s.injectStartFaults()
	return nil
}

// SetRateLimit limits action to rps requests per second with bursts of
// burst; rps <= 0 removes the limit. An empty action sets the default for
// every action without its own limit.
func (s *Server) SetRateLimit(action string, rps float64, burst int) {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	if rps <= 0 {
		delete(s.cfg.rateLimits, action)
	} else {
		s.cfg.rateLimits[action] = rateSpec{rps: rps, burst: burst}
	}
	s.limiters = map[string]*rate.Limiter{}
	s.ctlChangedLocked()
}

func (s *Server) resetLimiters() {
	s.ctlMu.Lock()
	s.limiters = map[string]*rate.Limiter{}
	s.ctlMu.Unlock()
}

// limiter returns the bucket for action, or nil when it is not limited.
// Called with ctlMu held.
func (s *Server) limiterLocked(action string) (*rate.Limiter, rateSpec) {
	spec, ok := s.cfg.rateLimits[action]
	if !ok {
		spec, ok = s.cfg.rateLimits[""]
		if !ok {
			return nil, rateSpec{}
		}
	}
	l := s.limiters[action]
	if l == nil {
		b := spec.burst
		if b < 1 {
			b = 1
		}
		l = rate.NewLimiter(rate.Limit(spec.rps), b)
		s.limiters[action] = l
	}
	return l, spec
}

func (s *Server) transition(phase string) Transition { return s.cfg.transitions[phase] }
