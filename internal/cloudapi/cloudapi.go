package cloudapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	credential "github.com/aliyun/credentials-go/credentials"

	"github.com/albkit/albkit/internal/apierr"
)

// API versions of the products this package calls.
const (
	VPCVersion             = "2016-04-28"
	WAF3Version            = "2021-10-01"
	WAF2Version            = "2019-09-10"
	ResourceManagerVersion = "2020-03-31"
)

// Default timeouts used when Config leaves them zero.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultReadTimeout    = 10 * time.Second
)

// Config says where and how to call.
//
// Its String, GoString and Format methods never print the credential.
type Config struct {
	Region         string                // e.g. "cn-hangzhou"; required
	Endpoint       string                // when non-empty every product uses it (host or host:port; the albtest emulator serves all products on one host:port)
	Protocol       string                // "https" (default) or "http"
	Credential     credential.Credential // github.com/aliyun/credentials-go/credentials; required
	ConnectTimeout time.Duration         // 0 = DefaultConnectTimeout (5s)
	ReadTimeout    time.Duration         // 0 = DefaultReadTimeout (10s)
	UserAgent      string                // appended to the SDK's user agent, e.g. "albkit/0.1"
	// HTTPClient replaces the SDK's process-wide HTTP client, which races
	// under concurrent calls (see internal/transport). nil keeps the SDK's.
	HTTPClient dara.HttpClient
}

// String describes the configuration without the credential.
func (c Config) String() string {
	cred := "<nil>"
	if c.Credential != nil {
		cred = "<redacted>"
	}
	return fmt.Sprintf("cloudapi.Config{Region:%q Endpoint:%q Protocol:%q Credential:%s ConnectTimeout:%s ReadTimeout:%s UserAgent:%q}",
		c.Region, c.Endpoint, c.Protocol, cred, c.ConnectTimeout, c.ReadTimeout, c.UserAgent)
}

// GoString is String, so %#v does not print the credential either.
func (c Config) GoString() string { return c.String() }

// Format writes String for every verb, so no fmt verb prints the credential.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// Clients holds one typed client per product. They are safe for
// concurrent use. The VPC client is built by New; the WAF and
// ResourceManager clients are built on first use (most callers never need
// them).
type Clients struct {
	VPC *VPC // VPC 2016-04-28: vSwitches, EIPs, bandwidth packages

	cfg   Config
	proto string

	wafOnce sync.Once
	waf     *WAF
	wafErr  error
	rmOnce  sync.Once
	rm      *ResourceManager
	rmErr   error
	acOnce  sync.Once
	ac      *Anycast
	acErr   error
}

// New checks cfg and builds the VPC client. It makes no network call.
func New(cfg Config) (*Clients, error) {
	if cfg.Region == "" {
		return nil, errors.New("cloudapi: Config.Region is empty")
	}
	if cfg.Credential == nil {
		return nil, errors.New("cloudapi: Config.Credential is nil")
	}
	proto := strings.ToLower(cfg.Protocol)
	switch proto {
	case "":
		proto = "https"
	case "http", "https":
	default:
		return nil, fmt.Errorf("cloudapi: Config.Protocol %q is neither https nor http", cfg.Protocol)
	}
	if cfg.ConnectTimeout < 0 || cfg.ReadTimeout < 0 {
		return nil, errors.New("cloudapi: negative timeout")
	}
	vpcEndpoint := VPCEndpoint(cfg.Region)
	if cfg.Endpoint != "" {
		vpcEndpoint = cfg.Endpoint
	}
	vpcRPC, err := newRPC(cfg, proto, vpcEndpoint, VPCVersion)
	if err != nil {
		return nil, err
	}
	return &Clients{VPC: &VPC{rpc: vpcRPC, region: cfg.Region}, cfg: cfg, proto: proto}, nil
}

// String names the region and endpoint; it never prints the credential.
func (c *Clients) String() string {
	return "cloudapi.Clients{" + c.cfg.Region + " " + c.VPC.rpc.endpoint + "}"
}

// Format writes String for every verb, so no fmt verb prints the credential.
func (c *Clients) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// WAF returns the WAF client, building it on the first call.
func (c *Clients) WAF() (*WAF, error) {
	c.wafOnce.Do(func() {
		endpoint, region := WAFEndpoint(c.cfg.Region)
		if c.cfg.Endpoint != "" {
			endpoint = c.cfg.Endpoint
		}
		v3, err := newRPC(c.cfg, c.proto, endpoint, WAF3Version)
		if err != nil {
			c.wafErr = err
			return
		}
		v2, err := newRPC(c.cfg, c.proto, endpoint, WAF2Version)
		if err != nil {
			c.wafErr = err
			return
		}
		c.waf = &WAF{v3: v3, v2: v2, region: region}
	})
	return c.waf, c.wafErr
}

// RM returns the ResourceManager client, building it on the first call.
func (c *Clients) RM() (*ResourceManager, error) {
	c.rmOnce.Do(func() {
		endpoint := ResourceManagerEndpoint
		if c.cfg.Endpoint != "" {
			endpoint = c.cfg.Endpoint
		}
		r, err := newRPC(c.cfg, c.proto, endpoint, ResourceManagerVersion)
		if err != nil {
			c.rmErr = err
			return
		}
		c.rm = &ResourceManager{rpc: r}
	})
	return c.rm, c.rmErr
}

// Anycast returns the Eipanycast client, building it on the first call.
func (c *Clients) Anycast() (*Anycast, error) {
	c.acOnce.Do(func() {
		endpoint := EipanycastEndpoint
		if c.cfg.Endpoint != "" {
			endpoint = c.cfg.Endpoint
		}
		r, err := newRPC(c.cfg, c.proto, endpoint, EipanycastVersion)
		if err != nil {
			c.acErr = err
			return
		}
		c.ac = &Anycast{rpc: r}
	})
	return c.ac, c.acErr
}

// VPCEndpoint returns the VPC endpoint of a region: "vpc.<region>.aliyuncs.com".
//
// GUESS: Alibaba Cloud also serves some regions (e.g. cn-hangzhou) at the
// central "vpc.aliyuncs.com"; the regional name is used for every region.
func VPCEndpoint(region string) string {
	return "vpc." + region + ".aliyuncs.com"
}

// WAFEndpoint returns the WAF OpenAPI endpoint serving an ALB region and the
// RegionId that WAF calls must carry: "wafopenapi.cn-hangzhou.aliyuncs.com"
// with "cn-hangzhou" for Chinese mainland regions (every "cn-" region except
// cn-hongkong), "wafopenapi.ap-southeast-1.aliyuncs.com" with
// "ap-southeast-1" for all other regions (WAF metadata endpoints). Both WAF 3.0
// and WAF 2.0 use the same endpoint.
func WAFEndpoint(region string) (endpoint, wafRegion string) {
	if strings.HasPrefix(region, "cn-") && region != "cn-hongkong" {
		return "wafopenapi.cn-hangzhou.aliyuncs.com", "cn-hangzhou"
	}
	return "wafopenapi.ap-southeast-1.aliyuncs.com", "ap-southeast-1"
}

// ResourceManagerEndpoint is the global ResourceManager endpoint (GUESS: the
// service is global; the regional endpoints are not used).
const ResourceManagerEndpoint = "resourcemanager.aliyuncs.com"

// Pool lends SDK clients of one kind, one per call: the darabonba-openapi
// client (and every product client built on it) is not safe for concurrent
// use, because every call writes its Headers field. albkit's ALB client and
// the clients of this package all use it.
type Pool[T any] struct {
	p     sync.Pool
	build func() (T, error)
}

// NewPool returns a pool that builds a client with build when none is free.
func NewPool[T any](build func() (T, error)) *Pool[T] {
	return &Pool[T]{build: build}
}

// Get borrows a client; give it back with Put.
func (p *Pool[T]) Get() (T, error) {
	if c, ok := p.p.Get().(T); ok {
		return c, nil
	}
	return p.build()
}

// Put gives a client back.
func (p *Pool[T]) Put(c T) { p.p.Put(c) }

// rpc calls one endpoint and API version with clients from one pool.
type rpc struct {
	pool     *Pool[*openapi.Client]
	version  string
	endpoint string
}

func newRPC(cfg Config, proto, endpoint, version string) (*rpc, error) {
	connect := cfg.ConnectTimeout
	if connect == 0 {
		connect = DefaultConnectTimeout
	}
	read := cfg.ReadTimeout
	if read == 0 {
		read = DefaultReadTimeout
	}
	oc := &openapiutil.Config{
		Credential:     cfg.Credential,
		Endpoint:       dara.String(endpoint),
		Protocol:       dara.String(proto),
		RegionId:       dara.String(cfg.Region),
		ConnectTimeout: dara.Int(int(connect / time.Millisecond)),
		ReadTimeout:    dara.Int(int(read / time.Millisecond)),
	}
	if cfg.HTTPClient != nil {
		oc.HttpClient = cfg.HTTPClient
	}
	if cfg.UserAgent != "" {
		oc.UserAgent = dara.String(cfg.UserAgent)
	}
	first := *oc
	api, err := openapi.NewClient(&first)
	if err != nil {
		// The SDK's Init fails only on a nil config; keep the text free of the config.
		return nil, fmt.Errorf("cloudapi: creating %s client for %s: %w", version, endpoint, err)
	}
	r := &rpc{version: version, endpoint: endpoint, pool: NewPool(func() (*openapi.Client, error) {
		cfg := *oc // the SDK's Init may write to its config
		return openapi.NewClient(&cfg)
	})}
	r.pool.Put(api)
	return r, nil
}

// call sends one RPC action with the query flattened from query (a struct with
// json tags and omitempty, or a map) and decodes the response body into out.
func (r *rpc) call(ctx context.Context, action string, query any, out any) error {
	res, err := r.send(ctx, action, query)
	if err != nil {
		return err
	}
	return decodeBody(action, res, out)
}

// send sends one RPC action (POST, query parameters, JSON answer) with a
// pooled SDK client and returns the SDK's result map.
func (r *rpc) send(ctx context.Context, action string, query any) (map[string]any, error) {
	req := &openapiutil.OpenApiRequest{Query: openapiutil.Query(query)}
	params := &openapiutil.Params{
		Action:      dara.String(action),
		Version:     dara.String(r.version),
		Protocol:    dara.String("HTTPS"), // overridden by Config.Protocol
		Pathname:    dara.String("/"),
		Method:      dara.String("POST"),
		AuthType:    dara.String("AK"),
		Style:       dara.String("RPC"),
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("json"),
	}
	api, err := r.pool.Get()
	if err != nil {
		return nil, fmt.Errorf("cloudapi: %s: creating client: %w", action, err)
	}
	res, err := api.CallApiWithCtx(ctx, params, req, &dara.RuntimeOptions{})
	r.pool.Put(api)
	if err != nil {
		return nil, wrapErr(action, err)
	}
	return res, nil
}

// callSDK sends one RPC action whose request and response are models of
// an official SDK: the query is built from the request's wire names exactly
// as the generated client builds it (after the model's own Validate), and
// the answer is converted into out (a *XxxResponse with Headers, StatusCode
// and Body) with the SDK's own conversion.
func (r *rpc) callSDK(ctx context.Context, action string, request interface{ Validate() error }, out any) error {
	if err := request.Validate(); err != nil {
		return fmt.Errorf("cloudapi: %s: invalid request: %w", action, err)
	}
	res, err := r.send(ctx, action, request)
	if err != nil {
		return err
	}
	if err := dara.Convert(res, out); err != nil {
		return fmt.Errorf("cloudapi: %s: decoding response: %w", action, err)
	}
	return nil
}

// decodeBody converts the "body" of a CallApi result (a map decoded from JSON
// with UseNumber) into out. Types are checked exactly: a JSON string for a
// numeric field, or a number for a string field, is an error.
func decodeBody(action string, res map[string]any, out any) error {
	body, ok := res["body"]
	if !ok || body == nil {
		return fmt.Errorf("cloudapi: %s: response has no body", action)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("cloudapi: %s: re-encoding response body: %w", action, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("cloudapi: %s: decoding response body: %w", action, err)
	}
	return nil
}

// callError wraps an SDK error with the action name and unwraps to it. It
// does not classify the error: alb maps it, through the one code table
// (internal/apierr), like the errors of the ALB SDK.
type callError struct {
	action string
	err    error
}

func (e *callError) Error() string {
	var se *tea.SDKError
	if errors.As(e.err, &se) {
		return fmt.Sprintf("cloudapi: %s: %s (HTTP %d): %s", e.action,
			tea.StringValue(se.Code), tea.IntValue(se.StatusCode), tea.StringValue(se.Message))
	}
	return "cloudapi: " + e.action + ": " + e.err.Error()
}

func (e *callError) Unwrap() error { return e.err }

// Cause returns the SDK's error inside an error of a call made through this
// package, so that the caller's own wrapper names the action once (and no
// error shows this package's name); any other error is returned as it is.
func Cause(err error) error {
	if ce, ok := err.(*callError); ok {
		return ce.err
	}
	return err
}

func wrapErr(action string, err error) error { return &callError{action: action, err: err} }

// IsNotFound reports whether err is a service answer whose code says the
// resource asked for is absent (InvalidVSwitchId.NotFound,
// InvalidAllocationId.NotFound, EntityNotExist.Role, ...), read from
// albkit's one code table (internal/apierr).
func IsNotFound(err error) bool {
	var se *tea.SDKError
	return errors.As(err, &se) && apierr.Classify(tea.StringValue(se.Code), tea.IntValue(se.StatusCode)).Has(apierr.NotFound)
}

// isNotFound is IsNotFound.
func isNotFound(err error) bool { return IsNotFound(err) }
