package alb

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/credentials-go/credentials"

	"github.com/albkit/albkit/internal/apierr"
	"github.com/albkit/albkit/internal/clock"
	"github.com/albkit/albkit/internal/cloudapi"
	"github.com/albkit/albkit/internal/flight"
	"github.com/albkit/albkit/internal/ratelimit"
	"github.com/albkit/albkit/internal/retry"
	"github.com/albkit/albkit/internal/transport"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/routing"
)

// Client creates and manages ALB instances in one region. It is safe for
// concurrent use. Build it with [NewClient].
//
// Every call is retried on its own (throttling, 5xx, SystemBusy,
// IdempotenceProcessing, IncorrectStatus.LoadBalancer, and network errors on
// calls that are safe to repeat) with exponential backoff and jitter, within
// a retry budget shared by the whole Client, so that a failing region is not
// hammered. Writes carry a ClientToken that stays the same across the
// retries of one logical operation.
//
// Every attempt first waits for a send slot of its API action from the
// Client's [RateLimiter] (adaptive by default, see [NewAdaptiveRateLimiter]).
// Throttling is the service pacing the client, not a failure: a throttled
// attempt slows its action down in the limiter and is retried through it,
// without spending the retry budget or counting against
// RetryPolicy.MaxAttempts; the budget guards against errors only.
type Client struct {
	// sdks lends each call its own SDK client: the official client is not
	// safe for concurrent use (darabonba-openapi writes its Headers field
	// on every call). The same pool type lends the VPC, WAF and
	// ResourceManager clients inside cloud.
	sdks    *cloudapi.Pool[*albsdk.Client]
	cloud   *cloudapi.Clients
	region  string
	log     *slog.Logger
	observe func(Event)
	retryer *retry.Retryer
	limiter *RateLimiter
	learn   *learner
	runtime *dara.RuntimeOptions
	wait    WaitOptions
	newTok  func() string
	clock   clock.Clock
	// extra are the codes WithRetryableCodes made retryable.
	extra map[string]bool
	// quota, preflightTimeout and resolver serve the create plan and the
	// custom-domain checks (preflight.go, domain.go).
	quota            int
	preflightTimeout time.Duration
	resolver         network.Resolver
	// facts shares the create plans' reads (preflight.go); factsTTL is how
	// long the region-level ones are kept.
	facts    *flight.Group[string, any]
	factsTTL time.Duration
	// lbPolls and jobPolls are the shared polls of instances and jobs
	// (poll.go).
	lbPolls  *poller[*Instance]
	jobPolls *poller[*job]
	// reads keeps this Client's complete reads of instances, and
	// resourceJobs reads their jobs, for release plans (readreuse.go).
	reads        reads
	resourceJobs *poller[[]resourceJob]
	// maxElapsed bounds one call with its retries (RetryPolicy.MaxElapsed
	// with its default; 0: none).
	maxElapsed time.Duration
	// sgPolls, lsnPolls, ruleReqPolls and ruleRespPolls are the shared
	// polls of server groups, listeners and rules of either direction.
	sgPolls       *poller[*ServerGroup]
	lsnPolls      *poller[*Listener]
	ruleReqPolls  *poller[*Rule]
	ruleRespPolls *poller[*Rule]
	spPolls       *poller[*SecurityPolicy]
	// tel is the OpenTelemetry tracer and instruments (telemetry.go).
	tel *telemetry
}

// String describes the client without any credential.
func (c *Client) String() string { return "alb.Client{region: " + c.region + "}" }

// GoString is String, so %#v prints no credential either.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb, so no credential reaches a log.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// Region returns the client's region.
func (c *Client) Region() string { return c.region }

type clientConfig struct {
	region         string
	endpoint       string
	protocol       string
	httpClient     dara.HttpClient // the caller's (WithHTTPClient, WithOpenAPIConfig); nil: albkit's own
	cred           credentials.Credential
	credErr        error
	connectTimeout time.Duration
	readTimeout    time.Duration
	logger         *slog.Logger
	observer       func(Event)
	policy         RetryPolicy
	budget         int
	rps            float64
	burst          int
	limiter        *RateLimiter
	limiterSet     bool
	wait           WaitOptions
	clock          Clock
	retryable      []string
	// quota, preflightTimeout and resolver: see preflight.go and domain.go.
	quota            int
	preflightTimeout time.Duration
	resolver         network.Resolver
	factsTTL         *time.Duration
	// telemetry: see telemetry.go.
	telemetry telemetryConfig
}

// Option configures a Client. An option given a value out of its range
// makes [NewClient] fail with an *[ArgumentError] naming the option and
// the rule (errors.Is(err, [ErrInvalidArgument])); no option replaces a bad
// value with its default.
type Option func(*clientConfig) error

// optionError is the error of an option given a bad value.
func optionError(option, arg, format string, args ...any) error {
	return &ArgumentError{Operation: option, Argument: arg, Message: fmt.Sprintf(format, args...)}
}

// WithRegion sets the region, e.g. "cn-hangzhou". The endpoint becomes
// alb.<region>.aliyuncs.com over HTTPS unless [WithEndpoint] says otherwise.
func WithRegion(region string) Option {
	return func(c *clientConfig) error {
		if region == "" {
			return optionError("WithRegion", "region", "is empty: name a region such as cn-hangzhou")
		}
		c.region = region
		return nil
	}
}

// WithEndpoint sends every call (ALB, VPC, WAF, ResourceManager) to one
// endpoint instead of the regional ones; for the albtest emulator or a
// private gateway. endpoint is host[:port] ("127.0.0.1:8686"), or a URL
// with a scheme and no path ("http://127.0.0.1:8686"), which also sets the
// protocol (as [WithProtocol] does; the option given last wins).
func WithEndpoint(endpoint string) Option {
	return func(c *clientConfig) error {
		host, proto, err := parseEndpoint(endpoint)
		if err != nil {
			return err
		}
		c.endpoint = host
		if proto != "" {
			c.protocol = proto
		}
		return nil
	}
}

// parseEndpoint reads WithEndpoint's argument: host[:port], or a URL
// http(s)://host[:port][/], whose scheme is returned as the protocol.
func parseEndpoint(endpoint string) (host, proto string, err error) {
	bad := func(format string, args ...any) (string, string, error) {
		return "", "", optionError("WithEndpoint", "endpoint", format, args...)
	}
	if strings.TrimSpace(endpoint) == "" {
		return bad("is empty: give host[:port] or http(s)://host[:port]")
	}
	if scheme, _, ok := strings.Cut(endpoint, "://"); ok {
		u, perr := url.Parse(endpoint)
		switch {
		case perr != nil:
			return bad("%q is not a URL: give host[:port] or http(s)://host[:port]", truncate(endpoint, 128))
		case u.Scheme != "http" && u.Scheme != "https":
			return bad("scheme %q is not http or https", truncate(scheme, 16))
		case u.Host == "" || u.User != nil || u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
			return bad("%q: a URL endpoint is scheme://host[:port] only, without user, path or query", truncate(endpoint, 128))
		}
		return u.Host, u.Scheme, nil
	}
	if strings.ContainsAny(endpoint, "/?#@ \t") {
		return bad("%q is not host[:port]: give host[:port] or http(s)://host[:port]", truncate(endpoint, 128))
	}
	return endpoint, "", nil
}

// WithProtocol sets "https" (default) or "http" (the emulator).
func WithProtocol(protocol string) Option {
	return func(c *clientConfig) error {
		p := strings.ToLower(protocol)
		if p != "http" && p != "https" {
			return optionError("WithProtocol", "protocol", "%q is not http or https", truncate(protocol, 16))
		}
		c.protocol = p
		return nil
	}
}

// WithAccessKey uses a static access key pair. Neither part may be empty.
func WithAccessKey(accessKeyID, accessKeySecret string) Option {
	return func(c *clientConfig) error {
		if err := checkKeyPair("WithAccessKey", accessKeyID, accessKeySecret); err != nil {
			return err
		}
		return c.setCredential("WithAccessKey", &credentials.Config{
			Type: tea.String("access_key"), AccessKeyId: tea.String(accessKeyID), AccessKeySecret: tea.String(accessKeySecret),
		})
	}
}

// WithSTSToken uses temporary STS credentials. No part may be empty.
func WithSTSToken(accessKeyID, accessKeySecret, securityToken string) Option {
	return func(c *clientConfig) error {
		if err := checkKeyPair("WithSTSToken", accessKeyID, accessKeySecret); err != nil {
			return err
		}
		if securityToken == "" {
			return optionError("WithSTSToken", "securityToken", "is empty")
		}
		return c.setCredential("WithSTSToken", &credentials.Config{
			Type: tea.String("sts"), AccessKeyId: tea.String(accessKeyID), AccessKeySecret: tea.String(accessKeySecret),
			SecurityToken: tea.String(securityToken),
		})
	}
}

// checkKeyPair refuses an empty access key ID or secret (the secret itself
// is never part of the error).
func checkKeyPair(option, id, secret string) error {
	switch {
	case id == "":
		return optionError(option, "accessKeyID", "is empty")
	case secret == "":
		return optionError(option, "accessKeySecret", "is empty")
	}
	return nil
}

// setCredential builds a credentials-go credential; its refusal is an
// *ArgumentError.
func (c *clientConfig) setCredential(option string, cfg *credentials.Config) error {
	cred, err := credentials.NewCredential(cfg)
	if err != nil {
		return &ArgumentError{Operation: option, Argument: "credential", Message: "refused by the credentials library", Err: err}
	}
	c.cred = cred
	return nil
}

// WithCredential uses any credentials-go credential (RAM role, OIDC/RRSA,
// ECS RAM role, ...). Without a credential option the standard default chain
// is used: environment variables, the profile file, OIDC, the ECS RAM role.
func WithCredential(cred credentials.Credential) Option {
	return func(c *clientConfig) error {
		if cred == nil {
			return optionError("WithCredential", "cred", "is nil")
		}
		c.cred = cred
		return nil
	}
}

// WithOpenAPIConfig takes the endpoint, protocol, region, credentials and
// HTTP client (HttpClient, when set: see [WithHTTPClient]) of a
// darabonba-openapi config, such as the one albtest.Server.Config returns:
//
//	srv := albtest.NewServer()
//	defer srv.Close()
//	client, err := alb.NewClient(alb.WithOpenAPIConfig(srv.Config()))
func WithOpenAPIConfig(cfg *openapiutil.Config) Option {
	return func(c *clientConfig) error {
		if cfg == nil {
			return optionError("WithOpenAPIConfig", "cfg", "is nil")
		}
		if v := tea.StringValue(cfg.RegionId); v != "" {
			c.region = v
		}
		if v := tea.StringValue(cfg.Endpoint); v != "" {
			c.endpoint = v
		}
		if v := tea.StringValue(cfg.Protocol); v != "" {
			if err := WithProtocol(v)(c); err != nil {
				return err
			}
		}
		if cfg.HttpClient != nil {
			c.httpClient = cfg.HttpClient
		}
		switch {
		case cfg.Credential != nil:
			c.cred = cfg.Credential
		case tea.StringValue(cfg.SecurityToken) != "":
			return WithSTSToken(tea.StringValue(cfg.AccessKeyId), tea.StringValue(cfg.AccessKeySecret), tea.StringValue(cfg.SecurityToken))(c)
		case tea.StringValue(cfg.AccessKeyId) != "":
			return WithAccessKey(tea.StringValue(cfg.AccessKeyId), tea.StringValue(cfg.AccessKeySecret))(c)
		}
		return nil
	}
}

// WithHTTPClient sends every request (ALB, VPC, WAF, ResourceManager)
// through hc: for a proxy, mutual TLS, or an instrumented transport. hc's
// own Transport and Timeout apply; [WithTimeouts] then has no effect, so
// give hc a Timeout (or a Transport with ResponseHeaderTimeout). hc must be
// safe for concurrent use, as an *http.Client is. Without it (and without
// an HttpClient in [WithOpenAPIConfig]'s config) albkit uses one transport
// of its own per Client, with the timeouts of WithTimeouts and proxies from
// the environment. The option given last wins.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *clientConfig) error {
		if hc == nil {
			return optionError("WithHTTPClient", "hc", "is nil")
		}
		c.httpClient = transport.Wrap(hc)
		return nil
	}
}

// WithTimeouts sets the connect and read timeout of every HTTP request (the
// SDK sets none) on albkit's own transport (not on a client given with
// [WithHTTPClient]). Defaults: 5 s and 10 s.
func WithTimeouts(connect, read time.Duration) Option {
	return func(c *clientConfig) error {
		switch {
		case connect <= 0:
			return optionError("WithTimeouts", "connect", "%s is not positive", connect)
		case read <= 0:
			return optionError("WithTimeouts", "read", "%s is not positive", read)
		}
		c.connectTimeout, c.readTimeout = connect, read
		return nil
	}
}

// WithLogger logs calls (debug), retries (info) and give-ups (warn) to l.
// The default discards. No credential is ever logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *clientConfig) error { c.logger = l; return nil }
}

// WithObserver receives progress events (polls, retries, steps). It is
// called synchronously; keep it fast.
func WithObserver(fn func(Event)) Option {
	return func(c *clientConfig) error { c.observer = fn; return nil }
}

// RetryPolicy bounds the retries of one API call. Zero fields take the
// defaults in brackets; a negative field is refused ([WithRetryPolicy]).
type RetryPolicy struct {
	MaxAttempts      int           // attempts including the first [5]; 1 disables retries
	InitialInterval  time.Duration // first delay [200ms]
	ThrottleInterval time.Duration // first delay after throttling [1s]
	MaxInterval      time.Duration // cap on one delay [20s]
	MaxElapsed       time.Duration // cap on one call including retries [2m]
}

// WithRetryPolicy sets the per-call retry policy. A negative field is an
// *[ArgumentError].
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *clientConfig) error {
		if p.MaxAttempts < 0 {
			return optionError("WithRetryPolicy", "RetryPolicy.MaxAttempts", "%d is negative: attempts are at least 1 (0 takes the default 5)", p.MaxAttempts)
		}
		for _, f := range []struct {
			name string
			d    time.Duration
		}{{"InitialInterval", p.InitialInterval}, {"ThrottleInterval", p.ThrottleInterval}, {"MaxInterval", p.MaxInterval}, {"MaxElapsed", p.MaxElapsed}} {
			if f.d < 0 {
				return optionError("WithRetryPolicy", "RetryPolicy."+f.name, "%s is negative: a delay or bound is positive (0 takes the default)", f.d)
			}
		}
		c.policy = p
		return nil
	}
}

// WithRetryBudget sets the Client's retry budget in tokens [500]: a retry
// costs 5 (10 after a network error or timeout), a success gives 1 back; a
// retry after throttling costs nothing (the rate limiter paces it).
// When it is empty, calls stop retrying until successes refill it. A
// negative value disables the budget.
func WithRetryBudget(tokens int) Option {
	return func(c *clientConfig) error { c.budget = tokens; return nil }
}

// WithRateLimit replaces the default adaptive limiter by a fixed one: rps
// calls per second with bursts of burst for the whole client, whatever the
// service answers (see [NewFixedRateLimiter]). It takes precedence over
// [WithRateLimiter].
func WithRateLimit(rps float64, burst int) Option {
	return func(c *clientConfig) error {
		switch {
		case !(rps > 0):
			return optionError("WithRateLimit", "rps", "%v is not positive", rps)
		case burst < 1:
			return optionError("WithRateLimit", "burst", "%d is below 1", burst)
		}
		c.rps, c.burst = rps, burst
		return nil
	}
}

// WithWaitOptions sets the default waiting behaviour of the client. A
// negative duration is an *[ArgumentError].
func WithWaitOptions(w WaitOptions) Option {
	return func(c *clientConfig) error {
		if err := checkWaitOptions("WithWaitOptions", w); err != nil {
			return err
		}
		c.wait = w
		return nil
	}
}

// Clock is the time source of a Client: every delay (retries, polls) is a
// Sleep on it and every bound and elapsed time is read from Now. The
// default is the wall clock. Tests pass albtest's ManualClock (with
// albtest.AutoAdvance, a wait of minutes runs in milliseconds).
type Clock interface {
	Now() time.Time
	// Sleep returns nil once d has passed on the clock, or ctx's error if
	// ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

// WithClock sets the client's clock (see [Clock]). On a clock other than
// the wall clock, bounds are enforced between requests; each HTTP request
// is still bounded by its own timeouts ([WithTimeouts]) in real time.
func WithClock(clk Clock) Option {
	return func(c *clientConfig) error {
		if clk == nil {
			return optionError("WithClock", "clk", "is nil")
		}
		c.clock = clk
		return nil
	}
}

// WithRetryableCodes makes API errors with these codes retryable for this
// client, in addition to the built-in table (throttling, 5xx, SystemBusy,
// IdempotenceProcessing, IncorrectStatus.LoadBalancer, ...). Waits keep
// polling through them too, and [APIError.Retryable] reports them. Use it
// for a transient code the table does not know yet.
func WithRetryableCodes(codes ...string) Option {
	return func(c *clientConfig) error {
		for _, code := range codes {
			if code == "" {
				return optionError("WithRetryableCodes", "codes", "an empty code")
			}
		}
		c.retryable = append(c.retryable, codes...)
		return nil
	}
}

// NewClient returns a Client. A region is required, through [WithRegion]
// or [WithOpenAPIConfig]; credentials default to the standard Alibaba Cloud
// chain of credentials-go.
func NewClient(opts ...Option) (*Client, error) {
	cfg := clientConfig{protocol: "https", connectTimeout: 5 * time.Second, readTimeout: 10 * time.Second, budget: retry.DefaultBudgetCapacity}
	for i, o := range opts {
		if o == nil {
			return nil, &ArgumentError{Operation: "NewClient", Argument: "opts", Message: fmt.Sprintf("option %d is nil", i)}
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.region == "" {
		return nil, &ArgumentError{Operation: "NewClient", Argument: "region", Message: "is required: use WithRegion or WithOpenAPIConfig"}
	}
	if cfg.cred == nil {
		cred, err := credentials.NewCredential(nil)
		if err != nil {
			return nil, &ArgumentError{Operation: "NewClient", Argument: "credential",
				Message: "none given and the default credential chain found none: use WithAccessKey, WithSTSToken or WithCredential, or configure the chain", Err: err}
		}
		cfg.cred = cred
	}
	var httpClient dara.HttpClient = transport.New(cfg.connectTimeout, cfg.readTimeout)
	if cfg.httpClient != nil {
		httpClient = cfg.httpClient
	}
	// Every answer's retry hint, whatever the product and code (see do).
	httpClient = transport.Hinting(httpClient)
	endpoint := cfg.endpoint
	if endpoint == "" {
		endpoint = "alb." + cfg.region + ".aliyuncs.com"
	}
	ct, rt := int(cfg.connectTimeout/time.Millisecond), int(cfg.readTimeout/time.Millisecond)
	sdkCfg := &openapiutil.Config{
		Credential:     cfg.cred,
		RegionId:       tea.String(cfg.region),
		Endpoint:       tea.String(endpoint),
		Protocol:       tea.String(cfg.protocol),
		ConnectTimeout: tea.Int(ct),
		ReadTimeout:    tea.Int(rt),
		UserAgent:      tea.String("albkit"),
		HttpClient:     httpClient,
	}
	first := *sdkCfg
	sdk, err := albsdk.NewClient(&first)
	if err != nil {
		return nil, &ArgumentError{Operation: "NewClient", Argument: "config", Message: "the ALB SDK refused the configuration", Err: err}
	}
	cloud, err := cloudapi.New(cloudapi.Config{
		Region: cfg.region, Endpoint: cfg.endpoint, Protocol: cfg.protocol, Credential: cfg.cred,
		ConnectTimeout: cfg.connectTimeout, ReadTimeout: cfg.readTimeout, UserAgent: "albkit", HTTPClient: httpClient,
	})
	if err != nil {
		return nil, &ArgumentError{Operation: "NewClient", Argument: "config", Message: "the VPC client refused the configuration", Err: err}
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		sdks: cloudapi.NewPool(func() (*albsdk.Client, error) {
			cfg := *sdkCfg // the SDK's Init may write to its config
			sdk, err := albsdk.NewClient(&cfg)
			if err != nil {
				return nil, err
			}
			sdk.Client.DisableSDKError = tea.Bool(true)
			return sdk, nil
		}),
		cloud:   cloud,
		region:  cfg.region,
		log:     logger,
		observe: cfg.observer,
		runtime: &dara.RuntimeOptions{ConnectTimeout: tea.Int(ct), ReadTimeout: tea.Int(rt)},
		wait:    cfg.wait.withDefaults(),
		newTok:  newToken,
		clock:   clock.Or(cfg.clock),
		extra:   map[string]bool{},

		quota:            cmp.Or(cfg.quota, DefaultLoadBalancerQuota),
		preflightTimeout: cmp.Or(cfg.preflightTimeout, DefaultPreflightTimeout),
		resolver:         cfg.resolver,
		factsTTL:         DefaultPreflightFactsTTL,
	}
	if cfg.factsTTL != nil {
		c.factsTTL = *cfg.factsTTL
	}
	c.tel = newTelemetry(cfg.telemetry.tracerProvider, cfg.telemetry.meterProvider, cfg.region)
	c.facts = flight.New[string, any](c.clock.Now)
	c.lbPolls, c.jobPolls = newPoller(c, instanceKind), newPoller(c, jobKind)
	c.resourceJobs = newPoller(c, resourceJobsKind(c.clock))
	c.sgPolls = newPoller(c, serverGroupPolls)
	c.lsnPolls = newPoller(c, listenerPolls)
	c.spPolls = newPoller(c, securityPolicyPolls)
	c.ruleReqPolls, c.ruleRespPolls = newPoller(c, rulePolls(routing.DirectionRequest)), newPoller(c, rulePolls(routing.DirectionResponse))
	for _, code := range cfg.retryable {
		c.extra[code] = true
	}
	var budget *retry.Budget
	if cfg.budget >= 0 {
		budget = retry.NewBudget(cfg.budget)
	}
	c.retryer = &retry.Retryer{
		Policy: retry.Policy{
			MaxAttempts: cfg.policy.MaxAttempts, InitialInterval: cfg.policy.InitialInterval,
			ThrottleInterval: cfg.policy.ThrottleInterval, MaxInterval: cfg.policy.MaxInterval,
			MaxElapsed: cfg.policy.MaxElapsed,
		},
		Budget:     budget,
		Classify:   classify,
		OnRetry:    c.onRetry,
		RetryAfter: retryAfter,
		Sleep:      c.clock.Sleep,
		Now:        c.clock.Now,
		Clock:      c.clock,
	}
	c.maxElapsed = max(c.retryer.MaxElapsed(), 0)
	c.limiter = cfg.limiterFor(c.clock)
	c.retryer.PacedThrottles = c.limiter != nil && c.limiter.adaptive
	c.learn = newLearner()
	sdk.Client.DisableSDKError = tea.Bool(true) // keep the throttling hint (ThrottlingError.RetryAfter); the ALB client shadows the field
	c.sdks.Put(sdk)
	return c, nil
}

// newToken returns a fresh ClientToken: "albkit-" and 32 hex digits.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "albkit-" + hex.EncodeToString(b[:])
}

// EventKind names a progress event.
type EventKind string

// Progress event kinds.
const (
	EventPoll  EventKind = "poll"  // a wait polled the instance
	EventRetry EventKind = "retry" // an API call is retried
	EventStep  EventKind = "step"  // an orchestration step happened (create sent, protection changed, ...)
)

// Event is a progress event sent to the observer of [WithObserver].
type Event struct {
	Kind      EventKind     // poll, retry or step
	Operation string        // "create", "release", an API action, ...
	ID        string        // instance ID, when known
	Status    Status        // last status seen, for polls
	Attempt   int           // poll or retry number
	Elapsed   time.Duration // time since the wait or call began
	Delay     time.Duration // the delay before the next poll or retry
	Message   string        // a human-readable line
	Err       error         // the error that caused a retry
}

func (c *Client) emit(e Event) {
	if c.observe != nil {
		c.observe(e)
	}
}

func (c *Client) onRetry(e retry.Event) {
	ctx := e.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	code, reqID := "", ""
	var ae *APIError
	if errors.As(e.Err, &ae) {
		code, reqID = ae.Code, ae.RequestID
	}
	if e.GiveUp != "" {
		// An answer that says what the caller asked about (not found, a
		// dry run that passed) is expected: debug. Other give-ups: warn.
		level := slog.LevelWarn
		if errors.Is(e.Err, ErrNotFound) || ae != nil && ae.class().Has(apierr.DryRunPassed) {
			level = slog.LevelDebug
		}
		c.log.LogAttrs(ctx, level, "alb: call failed", slog.String("action", e.Action), slog.Int("attempt", e.Attempt),
			slog.String("code", code), slog.String("request_id", reqID), slog.String("reason", e.Reason),
			slog.String("give_up", e.GiveUp), slog.Any("error", e.Err))
		return
	}
	c.tel.retried(ctx, e, c.retryer.Budget)
	c.log.LogAttrs(ctx, slog.LevelInfo, "alb: retrying call", slog.String("action", e.Action), slog.Int("attempt", e.Attempt),
		slog.Duration("delay", e.Delay), slog.String("code", code), slog.String("request_id", reqID), slog.String("reason", e.Reason))
	c.emit(Event{Kind: EventRetry, Operation: e.Action, Attempt: e.Attempt, Delay: e.Delay, Err: e.Err,
		Message: fmt.Sprintf("retrying %s after %s (attempt %d, %s)", e.Action, e.Delay, e.Attempt, e.Reason)})
}

// classify decides whether a failed attempt is retried, from the one code
// table (see [APIError]). The caller's context ending is decided by the
// retry loop from ctx.Err(), never from the error: a per-request timeout
// satisfies context.DeadlineExceeded too and is retried like any network
// error.
func classify(err error) (retry.Decision, string, bool) {
	var me *MaxAttemptsError
	if errors.As(err, &me) {
		// The limiter found no send slot before the call's bound: the call
		// is over, whatever the throttle it wraps (retrying it would only
		// ask the limiter the same question again, at once).
		return retry.Stop, "exhausted", false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Throttling():
			return retry.Retry, "throttled", true
		case ae.Retryable():
			return retry.Retry, ae.Code, false
		}
		return retry.Stop, ae.Code, false
	}
	var ne *NetworkError
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return retry.RetryIfIdempotent, "timeout", false
		}
		return retry.RetryIfIdempotent, "network", false
	}
	return retry.Stop, "error", false
}

// retryAfter reads the service's hint of a throttling answer, if any.
func retryAfter(err error) (time.Duration, bool) {
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return ae.RetryAfter, true
	}
	return 0, false
}

// retryable reports whether err is worth another try later: the service
// asked to slow down or is busy, the network failed, or retries of one call
// ran out on such errors. Waits keep polling through these.
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Retryable()
	}
	return errors.Is(err, ErrNetwork) || errors.Is(err, ErrRetryBudgetExhausted)
}

// answer makes one read of action with call and returns its answer's
// body: send makes the request, body takes the body out of the response
// (the SDK's GetBody). A successful answer without a body is a
// *NetworkError.
func answer[R, B any](c *Client, ctx context.Context, action string, send func(ctx context.Context, sdk *albsdk.Client) (*R, error), body func(*R) *B) (*B, error) {
	var out *B
	err := c.call(ctx, action, true, func(ctx context.Context, sdk *albsdk.Client) error {
		r, err := send(ctx, sdk)
		if err == nil && r != nil {
			out = body(r)
		}
		return err
	})
	if err == nil && out == nil {
		err = &NetworkError{Operation: action, Err: errors.New("the answer has no body")}
	}
	return out, err
}

// call runs one API action with the rate limit, retries and error mapping.
// idempotent says whether repeating it after a network error is safe (reads,
// and writes that carry a ClientToken). Every error it returns is one of
// albkit's: *APIError, *NetworkError, *MaxAttemptsError,
// ErrRetryBudgetExhausted, or the caller's context error.
//
// The path from the caller to the SDK is kept a few frames short on
// purpose: the SDK takes a stack trace of the whole goroutine for every
// request's nonce (darabonba-openapi's GetNonce reads the goroutine ID from
// runtime.Stack), which costs about 1.3 µs per frame (BenchmarkGetOverhead).
func (c *Client) call(ctx context.Context, action string, idempotent bool, fn func(ctx context.Context, sdk *albsdk.Client) error) error {
	return c.do(ctx, action, idempotent, func(ctx context.Context) error {
		sdk, err := c.sdks.Get()
		if err != nil {
			return err
		}
		defer c.sdks.Put(sdk)
		return fn(ctx, sdk)
	})
}

// do runs fn (one attempt of an API call of any product) with the rate
// limit, retries and error mapping of call.
func (c *Client) do(ctx context.Context, action string, idempotent bool, fn func(ctx context.Context) error) error {
	var last error // the previous attempt's error
	var hint transport.Hint
	ctx = transport.WithHint(ctx, &hint) // the answers' retry hints, read from their headers
	var start time.Time                  // of the call, for the bound of its send slots
	attempts := 0
	err := c.retryer.Do(ctx, action, idempotent, func(ctx context.Context) error {
		// One attempt through the limiter: wait for a send slot, send, map
		// the error to albkit's types, report whether it was throttled.
		// (Inline rather than a method: one frame less, see call.)
		attempts++
		if c.limiter != nil {
			if attempts == 1 {
				start = c.clock.Now()
			}
			var until time.Time
			if c.maxElapsed > 0 {
				until = start.Add(c.maxElapsed)
			}
			if err := c.limiter.wait(ctx, c.clock, action, last, attempts-1, until); err != nil {
				return err
			}
		}
		debug := c.log.Enabled(ctx, slog.LevelDebug) // the arguments allocate even when disabled
		if debug {
			c.log.LogAttrs(ctx, slog.LevelDebug, "alb: call", slog.String("action", action))
		}
		actx, span := c.tel.startAttempt(ctx, action, attempts, &hint) // the attempt's span (telemetry.go)
		err := mapError(action, fn(actx), c.extra)
		if d := hint.Take(); d > 0 {
			// The SDKs keep the hint of some throttling codes of some
			// products only (ThrottlingError.RetryAfter); the headers have it
			// for every one (x-acs-retry-after, x-ratelimit-user-api).
			var ae *APIError
			if errors.As(err, &ae) && ae.RetryAfter == 0 && ae.Throttling() {
				ae.RetryAfter = d
			}
		}
		if err != nil && debug {
			c.log.LogAttrs(ctx, slog.LevelDebug, "alb: call failed", slog.String("action", action), slog.Any("error", err))
		}
		var ae *APIError
		throttled := errors.As(err, &ae) && ae.Throttling()
		c.tel.endAttempt(ctx, span, action, err, throttled, &hint)
		if c.limiter != nil {
			c.limiter.l.Observe(action, throttled)
			if p, ok := c.limiter.l.(ratelimit.Pauser); ok && throttled && ae.RetryAfter > 0 {
				// The service's own retry delay holds the whole action,
				// not only this call's retry (internal/ratelimit).
				p.Pause(action, ae.RetryAfter)
			}
			c.tel.limiterRate(ctx, action, c.limiter)
		}
		if err != nil && last != nil && ctx.Err() != nil {
			// The context cut this attempt: the previous attempt's answer
			// (a throttle, say) tells more about why the call failed.
			return last
		}
		last = err
		return err
	})
	err = outcome(ctx, action, err)
	c.tel.callDone(ctx, action, err, c.retryer.Budget)
	return err
}

// outcome turns the retry loop's own errors into albkit's exported ones.
func outcome(ctx context.Context, action string, err error) error {
	if err == nil {
		return nil
	}
	var ex *retry.ExhaustedError
	if errors.As(err, &ex) {
		return &MaxAttemptsError{Operation: action, Attempts: ex.Attempts, Err: ex.Last, Elapsed: ex.Reason != retry.GiveUpMaxAttempts}
	}
	var be *retry.BudgetError
	if errors.As(err, &be) {
		return &budgetError{op: action, attempts: be.Attempts, err: be.Last}
	}
	var ce *retry.CanceledError
	if errors.As(err, &ce) {
		return &canceledError{op: action, attempts: ce.Attempts, ctxErr: ce.Err, last: ce.Last}
	}
	if cerr := ctx.Err(); cerr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return &canceledError{op: action, ctxErr: cerr}
	}
	return err
}
