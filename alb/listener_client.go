package alb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/apierr"
	"github.com/albkit/albkit/internal/waiter"
)

// Listeners is the listener family of a [Client]: every operation on
// listeners, their certificates and (with [ListenerSpec.Rules]) their
// forwarding rules as one converged whole, reached with
// [Client.Listeners]. Single forwarding rules are [ForwardingRules]'. It is
// safe for concurrent use and costs nothing to make.
//
// A listener belongs to one instance. Every write carries one ClientToken
// for all its retries and waits until the listener is Running (or Stopped)
// again and shows the change; a write on a busy listener
// (IncorrectStatus.Listener, ResourceInConfiguring.Listener) is retried,
// then waited for and sent again, a bounded number of times. Waits on many
// listeners share their polls (ListListeners by IDs).
type Listeners struct{ c *Client }

// Listeners returns the client's listener operations.
func (c *Client) Listeners() *Listeners { return &Listeners{c: c} }

// String describes the family without any credential.
func (l *Listeners) String() string { return "alb.Listeners{region: " + l.c.region + "}" }

const kindListener = "listener"

// listenerPolls reads listeners with ListListeners (20 IDs a call: GUESS).
var listenerPolls = kind[*Listener]{
	name: kindListener, action: "ListListeners", maxIDs: 20,
	list: func(ctx context.Context, sdk *albsdk.Client, rt *dara.RuntimeOptions, ids []string) (map[string]*Listener, error) {
		r, err := sdk.ListListenersWithContext(ctx, &albsdk.ListListenersRequest{ListenerIds: tea.StringSlice(ids), MaxResults: tea.Int32(100)}, rt)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Body == nil {
			return nil, errors.New("the answer has no body")
		}
		return byID(r.Body.Listeners, func(b *albsdk.ListListenersResponseBodyListeners) (string, *Listener) {
			l := listenerFromListSDK(b)
			return l.ID, l
		}), nil
	},
}

// listeners describes listeners to the engine: Running and Stopped are
// settled; Provisioning and Configuring are pending. A wait with full set
// reads the listener with GetListenerAttribute once the shared poll shows
// it settled (ListListeners lacks the default certificate and mutual TLS).
var listeners = &family[*Listener]{
	name:    kindListener,
	jobType: "listener", deleteAction: "DeleteListener",
	polls:  func(c *Client) *poller[*Listener] { return c.lsnPolls },
	status: func(l *Listener) Status { return Status(l.Status) },
	judge: func(l *Listener) (waiter.Verdict, error) {
		switch l.Status {
		case ListenerRunning, ListenerStopped:
			return waiter.Success, nil
		case ListenerProvisioning, ListenerConfiguring:
			return waiter.Continue, nil
		}
		return waiter.Failure, &StateError{ID: l.ID, Status: Status(l.Status), Reason: "unknown listener status", kind: ErrUnexpectedState}
	},
	gone: func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && ae.Code == "ResourceNotFound.Listener" || notListed(err, kindListener)
	},
	read: func(c *Client, s waitSpec) func(ctx context.Context) (*Listener, error) {
		return func(ctx context.Context) (*Listener, error) {
			l, err := c.lsnPolls.get(ctx, s.id)
			if err == nil && s.full && (l.Status == ListenerRunning || l.Status == ListenerStopped) {
				l, err = c.Listeners().get(ctx, s.id)
			}
			return l, err
		}
	},
}

var listenerIDPattern = regexp.MustCompile(`^lsn-[0-9A-Za-z]+$`)

// requireListenerID refuses a missing or malformed listener ID before any
// API call.
func requireListenerID(op, id string) error {
	switch {
	case id == "":
		return &ArgumentError{Operation: op, Argument: "id", Message: "is required"}
	case !listenerIDPattern.MatchString(id):
		return &ArgumentError{Operation: op, Argument: "id",
			Message: fmt.Sprintf("%q is not a listener ID: a listener ID is \"lsn-\" followed by letters and digits", truncate(id, 64))}
	}
	return nil
}

// Get returns the listener as GetListenerAttribute reports it (every
// field, the default certificate and mutual TLS included). A missing
// listener is an error matching [ErrNotFound].
func (l *Listeners) Get(ctx context.Context, id string) (_ *Listener, err error) {
	ctx, tel := l.c.read(ctx, "Listeners.Get", id)
	defer tel.end(&err)
	if err := requireListenerID("Listeners.Get", id); err != nil {
		return nil, err
	}
	return l.get(ctx, id)
}

func (l *Listeners) get(ctx context.Context, id string) (*Listener, error) {
	c := l.c
	body, err := answer(c, ctx, "GetListenerAttribute", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.GetListenerAttributeResponse, error) {
		return sdk.GetListenerAttributeWithContext(ctx, &albsdk.GetListenerAttributeRequest{ListenerId: tea.String(id)}, c.runtime)
	}, (*albsdk.GetListenerAttributeResponse).GetBody)
	if err != nil {
		return nil, err
	}
	return listenerFromSDK(body), nil
}

// ListenerFilter selects listeners for [Listeners.List]. Empty fields do
// not filter; a filter beyond the limits is refused before any call.
type ListenerFilter struct {
	LoadBalancerIDs []string         // at most 20
	IDs             []string         // at most 20
	Protocol        ListenerProtocol // only HTTP, HTTPS or QUIC listeners
	Tags            []Tag            // listeners carrying every one of these tags; at most 20
	// PageSize is the number of listeners per ListListeners call (1–100;
	// 0 takes 100).
	PageSize int32
}

func (f ListenerFilter) check() error {
	bad := func(field, format string, args ...any) error {
		return &ArgumentError{Operation: "Listeners.List", Argument: "ListenerFilter." + field, Message: fmt.Sprintf(format, args...)}
	}
	for _, n := range []struct {
		field string
		n     int
	}{{"LoadBalancerIDs", len(f.LoadBalancerIDs)}, {"IDs", len(f.IDs)}, {"Tags", len(f.Tags)}} {
		if n.n > 20 {
			return bad(n.field, "%d given; ListListeners takes at most 20: split the list", n.n)
		}
	}
	if f.PageSize < 0 || f.PageSize > maxPageSize {
		return bad("PageSize", "%d is outside 1–%d (0 takes %d)", f.PageSize, maxPageSize, maxPageSize)
	}
	switch f.Protocol {
	case "", ListenerHTTP, ListenerHTTPS, ListenerQUIC:
	default:
		return bad("Protocol", "%q is not HTTP, HTTPS or QUIC", truncate(string(f.Protocol), 16))
	}
	return nil
}

// List returns the listeners matching f (as ListListeners reports them:
// without the default certificate, mutual TLS and ACLs), following
// NextToken across pages. An error ends the sequence.
func (l *Listeners) List(ctx context.Context, f ListenerFilter) iter.Seq2[*Listener, error] {
	c := l.c
	return func(yield func(*Listener, error) bool) {
		var err error
		ctx, tel := c.read(ctx, "Listeners.List", "")
		defer tel.end(&err)
		if err = f.check(); err != nil {
			yield(nil, err)
			return
		}
		req := &albsdk.ListListenersRequest{MaxResults: tea.Int32(cmpOr32(f.PageSize, maxPageSize))}
		if len(f.LoadBalancerIDs) > 0 {
			req.LoadBalancerIds = tea.StringSlice(f.LoadBalancerIDs)
		}
		if len(f.IDs) > 0 {
			req.ListenerIds = tea.StringSlice(f.IDs)
		}
		if f.Protocol != "" {
			req.ListenerProtocol = tea.String(string(f.Protocol))
		}
		for _, t := range f.Tags {
			req.Tag = append(req.Tag, &albsdk.ListListenersRequestTag{Key: tea.String(t.Key), Value: tea.String(t.Value)})
		}
		if err = eachPage("ListListeners", func(token *string) (*string, error) {
			req.NextToken = token
			body, err := answer(c, ctx, "ListListeners", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.ListListenersResponse, error) {
				return sdk.ListListenersWithContext(ctx, req, c.runtime)
			}, (*albsdk.ListListenersResponse).GetBody)
			if err != nil {
				return nil, err
			}
			for _, b := range body.Listeners {
				if b != nil && !yield(listenerFromListSDK(b), nil) {
					return nil, nil
				}
			}
			return body.NextToken, nil
		}); err != nil {
			yield(nil, err)
		}
	}
}

func cmpOr32(v, def int32) int32 {
	if v > 0 {
		return v
	}
	return def
}

// FindByToken returns the listener albkit created on instance lbID with
// the idempotency key token (its [TokenTagKey] tag); an error matching
// [ErrNotFound] when none carries it.
func (l *Listeners) FindByToken(ctx context.Context, lbID, token string) (_ *Listener, err error) {
	ctx, tel := l.c.read(ctx, "Listeners.FindByToken", "")
	defer tel.end(&err)
	if err := requireID("Listeners.FindByToken", "token", token); err != nil {
		return nil, err
	}
	f := ListenerFilter{Tags: []Tag{{Key: TokenTagKey, Value: token}}}
	if lbID != "" {
		f.LoadBalancerIDs = []string{lbID}
	}
	for ls, err := range l.List(ctx, f) {
		if err != nil {
			return nil, err
		}
		if ls.Token() == token {
			return l.get(ctx, ls.ID)
		}
	}
	return nil, &notFoundError{msg: "alb: no listener carries token " + token}
}

// ListCertificates returns the listener's certificates (the default one
// and the additional ones, server and CA), with their association status.
func (l *Listeners) ListCertificates(ctx context.Context, id string) (_ []ListenerCertificate, err error) {
	ctx, tel := l.c.read(ctx, "Listeners.ListCertificates", id)
	defer tel.end(&err)
	if err := requireListenerID("Listeners.ListCertificates", id); err != nil {
		return nil, err
	}
	return l.certificates(ctx, id)
}

func (l *Listeners) certificates(ctx context.Context, id string) ([]ListenerCertificate, error) {
	c := l.c
	req := &albsdk.ListListenerCertificatesRequest{ListenerId: tea.String(id), MaxResults: tea.Int32(maxPageSize)}
	var out []ListenerCertificate
	err := eachPage("ListListenerCertificates", func(token *string) (*string, error) {
		req.NextToken = token
		body, err := answer(c, ctx, "ListListenerCertificates", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.ListListenerCertificatesResponse, error) {
			return sdk.ListListenerCertificatesWithContext(ctx, req, c.runtime)
		}, (*albsdk.ListListenerCertificatesResponse).GetBody)
		if err != nil {
			return nil, err
		}
		for _, b := range body.Certificates {
			if b != nil {
				out = append(out, listenerCertificateFromSDK(b))
			}
		}
		return body.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rules reads every rule of the listener, both directions.
func (l *Listeners) rules(ctx context.Context, id string) ([]Rule, error) {
	var out []Rule
	for _, dir := range []string{"Request", "Response"} {
		for r, err := range l.c.ForwardingRules().list(ctx, RuleFilter{ListenerIDs: []string{id}}, dir) {
			if err != nil {
				return nil, err
			}
			out = append(out, *r)
		}
	}
	return out, nil
}

// ListenerHealth is what GetListenerHealthStatus reports for a listener:
// the health of the servers of every server group its default action and
// (with rules) its forwarding rules use.
type ListenerHealth struct {
	ListenerID string
	Port       int
	Protocol   ListenerProtocol
	// ServerGroups are the groups of the default action.
	ServerGroups []ServerGroupHealth
	// Rules are the groups of each forwarding rule, by rule ID.
	Rules map[string][]ServerGroupHealth
}

// ServerGroupHealth is the health of one server group's servers.
type ServerGroupHealth struct {
	ServerGroupID string
	// ActionType is how the group is used: ForwardGroup or
	// TrafficMirror.
	ActionType string
	// HealthCheckEnabled reports whether the group checks its servers.
	HealthCheckEnabled bool
	// Unhealthy are the servers that are not healthy (the service lists
	// only those): Unhealthy, Initial (no result yet), Unused (weight 0)
	// or Unavailable (health checks off).
	Unhealthy []ServerHealth
}

// ServerHealth is one server's health check result.
type ServerHealth struct {
	ServerID string
	IP       string
	Port     int
	// Status is Unhealthy, Initial, Unused or Unavailable.
	Status string
	// ReasonCode, ExpectedResponse and ActualResponse say why (for
	// example RESPONSE_MISMATCH, http_2xx, 503).
	ReasonCode, ExpectedResponse, ActualResponse string
}

// Health returns the health of the servers behind the listener (every
// server group of its default action and of its forwarding rules), as
// GetListenerHealthStatus reports it.
func (l *Listeners) Health(ctx context.Context, id string) (_ *ListenerHealth, err error) {
	c := l.c
	ctx, tel := c.read(ctx, "Listeners.Health", id)
	defer tel.end(&err)
	if err := requireListenerID("Listeners.Health", id); err != nil {
		return nil, err
	}
	out := &ListenerHealth{ListenerID: id, Rules: map[string][]ServerGroupHealth{}}
	req := &albsdk.GetListenerHealthStatusRequest{ListenerId: tea.String(id), IncludeRule: tea.Bool(true), MaxResults: tea.Int64(30)}
	err = eachPage("GetListenerHealthStatus", func(token *string) (*string, error) {
		req.NextToken = token
		body, err := answer(c, ctx, "GetListenerHealthStatus", func(ctx context.Context, sdk *albsdk.Client) (*albsdk.GetListenerHealthStatusResponse, error) {
			return sdk.GetListenerHealthStatusWithContext(ctx, req, c.runtime)
		}, (*albsdk.GetListenerHealthStatusResponse).GetBody)
		if err != nil {
			return nil, err
		}
		for _, h := range body.ListenerHealthStatus {
			if h == nil {
				continue
			}
			out.Port, out.Protocol = int(tea.Int32Value(h.ListenerPort)), ListenerProtocol(tea.StringValue(h.ListenerProtocol))
			var w []groupHealthW
			convert(h.ServerGroupInfos, &w)
			out.ServerGroups = append(out.ServerGroups, groupHealth(w)...)
		}
		for _, r := range body.RuleHealthStatus {
			if r == nil {
				continue
			}
			var w []groupHealthW
			convert(r.ServerGroupInfos, &w)
			out.Rules[tea.StringValue(r.RuleId)] = append(out.Rules[tea.StringValue(r.RuleId)], groupHealth(w)...)
		}
		return body.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// groupHealthW is a ServerGroupInfos item on the wire (the listener's and
// the rules' have the same shape).
type groupHealthW struct {
	ActionType         *string `json:"ActionType"`
	HealthCheckEnabled *string `json:"HealthCheckEnabled"`
	ServerGroupID      *string `json:"ServerGroupId"`
	NonNormalServers   []struct {
		Port   *int32  `json:"Port"`
		Server *string `json:"ServerId"`
		IP     *string `json:"ServerIp"`
		Status *string `json:"Status"`
		Reason *struct {
			Actual   *string `json:"ActualResponse"`
			Expected *string `json:"ExpectedResponse"`
			Code     *string `json:"ReasonCode"`
		} `json:"Reason"`
	} `json:"NonNormalServers"`
}

func groupHealth(ws []groupHealthW) []ServerGroupHealth {
	out := make([]ServerGroupHealth, 0, len(ws))
	for _, w := range ws {
		g := ServerGroupHealth{ServerGroupID: tea.StringValue(w.ServerGroupID), ActionType: tea.StringValue(w.ActionType),
			HealthCheckEnabled: strings.EqualFold(tea.StringValue(w.HealthCheckEnabled), "on")}
		for _, s := range w.NonNormalServers {
			h := ServerHealth{ServerID: tea.StringValue(s.Server), IP: tea.StringValue(s.IP), Port: int(tea.Int32Value(s.Port)), Status: tea.StringValue(s.Status)}
			if s.Reason != nil {
				h.ReasonCode, h.ExpectedResponse, h.ActualResponse = tea.StringValue(s.Reason.Code), tea.StringValue(s.Reason.Expected), tea.StringValue(s.Reason.Actual)
			}
			g.Unhealthy = append(g.Unhealthy, h)
		}
		out = append(out, g)
	}
	return out
}

// FindingsError is the refusal of a plan with blocking findings, before
// any write: the checks of a listener against its instance, the server
// groups it uses and its other listeners. errors.Is(err,
// [ErrPreflightFailed]) holds.
type FindingsError struct {
	// Kind and ID name what was planned ("listener", and its ID once it
	// exists).
	Kind, ID string
	// Findings are every finding, blocking and warning.
	Findings []Finding
}

// Error lists the blocking findings.
func (e *FindingsError) Error() string {
	var parts []string
	for _, f := range e.Findings {
		if f.Severity == SeverityBlocking {
			parts = append(parts, f.Resource+": "+f.Message+" ["+f.Rule+"]")
		}
	}
	what := e.Kind
	if e.ID != "" {
		what += " " + e.ID
	}
	return fmt.Sprintf("alb: %s refused: %d blocking finding(s): %s", what, len(parts), strings.Join(parts, "; "))
}

// Is matches ErrPreflightFailed.
func (e *FindingsError) Is(target error) bool { return target == ErrPreflightFailed }

// blocking returns a *FindingsError when findings block, else nil.
func blocking(kind, id string, findings []Finding) error {
	for _, f := range findings {
		if f.Severity == SeverityBlocking {
			return &FindingsError{Kind: kind, ID: id, Findings: findings}
		}
	}
	return nil
}

// facts gathers what CheckListener checks spec against: the instance
// (edition, VPC), its listeners, the rules of the others (with
// countRules) and the server groups the spec uses. self is the ID of the
// listener the spec describes when the caller found it (adopted by
// EnsureID, its token may not be the spec's key): it is left out of the
// listeners and its rules are not the others'.
func (l *Listeners) facts(ctx context.Context, spec ListenerSpec, countRules bool, self string) (ListenerFacts, error) {
	c := l.c
	var f ListenerFacts
	inst, err := c.Get(ctx, spec.LoadBalancerID)
	if err != nil {
		return f, err
	}
	f.Edition, f.VPCID, f.AccessLogEnabled = inst.Edition, inst.VPCID, inst.AccessLog.Enabled()
	for ls, err := range l.List(ctx, ListenerFilter{LoadBalancerIDs: []string{spec.LoadBalancerID}}) {
		if err != nil {
			return f, err
		}
		if self == "" || ls.ID != self {
			f.Listeners = append(f.Listeners, *ls)
		}
	}
	if countRules {
		for _, ls := range f.Listeners {
			if self == "" && spec.describes(&ls) {
				self = ls.ID // the listener the spec describes
			}
		}
		for r, err := range c.ForwardingRules().List(ctx, RuleFilter{LoadBalancerIDs: []string{spec.LoadBalancerID}}) {
			if err != nil {
				return f, err
			}
			if r.ListenerID != self {
				f.OtherRules++
			}
		}
	}
	f.ServerGroups = map[string]ServerGroup{}
	ids := spec.serverGroupIDs()
	type got struct {
		id  string
		sg  *ServerGroup
		err error
	}
	ch := make(chan got, len(ids))
	for _, id := range ids {
		go func() { // shared polls: the groups go out in one ListServerGroups per 20
			sg, err := c.sgPolls.get(ctx, id)
			ch <- got{id, sg, err}
		}()
	}
	for range ids {
		g := <-ch
		switch {
		case g.err == nil:
			f.ServerGroups[g.id] = *g.sg
		case !errors.Is(g.err, ErrNotFound):
			err = g.err
		}
	}
	return f, err
}

// serverGroupIDs lists the server groups the spec uses (default action,
// forwards, mirrors), each once, in order.
func (s ListenerSpec) serverGroupIDs() []string {
	var out []string
	for _, ref := range s.serverGroupRefs() {
		if ref.id != "" && serverGroupIDPattern.MatchString(ref.id) && !slices.Contains(out, ref.id) {
			out = append(out, ref.id)
		}
	}
	return out
}

// ListenerEnsurePlan is what [Listeners.Ensure] would do, from
// [Listeners.PlanEnsure].
type ListenerEnsurePlan struct {
	// Listener is the listener found (nil when it is to be created).
	Listener *Listener
	// Plan is the diff (for a create: the certificates and rules to add
	// after it). Its Blocked lists what cannot change in place.
	Plan *ListenerPlan
	// Findings are the checks against the instance, its other listeners
	// and the server groups (blocking and warnings, such as the WAF
	// note's X-Forwarded-Proto).
	Findings []Finding
}

// Blocked reports whether Ensure would refuse the plan before any write.
func (p *ListenerEnsurePlan) Blocked() bool {
	return len(p.Plan.Blocked) > 0 || blocking(kindListener, "", p.Findings) != nil
}

// String is the plan a person reads: the changes, then the findings.
func (p *ListenerEnsurePlan) String() string {
	var b strings.Builder
	b.WriteString(p.Plan.String())
	for _, f := range p.Findings {
		b.WriteString("\n  " + string(f.Severity) + ": " + f.String())
	}
	return b.String()
}

// ListenerResult is what [Listeners.Ensure] (or Create) did.
type ListenerResult struct {
	ID       string        // the listener
	Created  bool          // Ensure created it
	Plan     *ListenerPlan // the plan applied
	Calls    []string      // the write calls made, in order: the plan's Calls when everything went through
	Listener *Listener     // the listener at the end
	Findings []Finding     // the plan's warnings
}

// PlanEnsure returns what [Listeners.Ensure] would do, without any write:
// the listener is found by the spec's idempotency key on its instance (or
// [EnsureID]); the plan's Blocked and the blocking findings say what would
// be refused.
func (l *Listeners) PlanEnsure(ctx context.Context, spec ListenerSpec, opts ...EnsureOption) (_ *ListenerEnsurePlan, err error) {
	ctx, tel := l.c.read(ctx, "Listeners.PlanEnsure", "")
	defer tel.end(&err)
	p, _, err := l.planEnsure(ctx, "Listeners.PlanEnsure", spec, opts)
	return p, err
}

func (l *Listeners) planEnsure(ctx context.Context, op string, spec ListenerSpec, opts []EnsureOption) (*ListenerEnsurePlan, ensureConfig, error) {
	cfg, err := ensureOptions(op, "listener", spec.IdempotencyKey, opts, requireListenerID)
	if err != nil {
		return nil, cfg, err
	}
	if err := spec.Validate(); err != nil {
		return nil, cfg, err
	}
	var ls *Listener
	if cfg.id != "" {
		ls, err = l.get(ctx, cfg.id)
	} else {
		ls, err = l.FindByToken(ctx, spec.LoadBalancerID, spec.IdempotencyKey)
		if isNotFound(err) {
			ls, err = nil, nil
		}
	}
	if err != nil {
		return nil, cfg, err
	}
	self := ""
	if ls != nil {
		self = ls.ID
	}
	facts, err := l.facts(ctx, spec, true, self)
	if err != nil {
		return nil, cfg, err
	}
	p := &ListenerEnsurePlan{Listener: ls, Findings: CheckListener(spec, facts)}
	if ls == nil {
		p.Plan = DiffListener(spec, nil, nil, nil)
		return p, cfg, nil
	}
	if ls.Status != ListenerRunning && ls.Status != ListenerStopped {
		if ls, err = waitRes(l.c, ctx, listeners, waitSpec{op: "wait", id: ls.ID, waiting: "Running", unknownStart: true, full: true},
			l.c.waitOptions(cfg.wait), readyAcceptor(l.c, listeners, time.Time{}, 0, nil)); err != nil {
			return nil, cfg, err
		}
		p.Listener = ls
	}
	certs, err := l.certificates(ctx, ls.ID)
	if err != nil {
		return nil, cfg, err
	}
	rules, err := l.rules(ctx, ls.ID)
	if err != nil {
		return nil, cfg, err
	}
	p.Plan = DiffListener(spec, ls, certs, rules)
	return p, cfg, nil
}

// Ensure makes the listener of spec exist on its instance and match it,
// with its additional certificates and forwarding rules, with the fewest
// writes, and returns what it did. It finds the listener by the spec's
// idempotency key (the [TokenTagKey] tag, on the spec's instance; or
// [EnsureID]) and creates it when there is none (as [Listeners.Create]).
//
// Before any write it checks the spec against the instance (its edition:
// a Basic instance's listener is refused what Basic lacks, naming the rule
// and the edition that has it), its other listeners (one per port) and
// the server groups the listener uses (they exist, are in the instance's
// VPC, speak a protocol the listener can use, and use no feature the
// edition lacks): a blocking finding is a *[FindingsError]; what cannot
// change in place (protocol, port, instance, tags) a *[NotChangeableError].
// Then it applies the plan of [DiffListener] call by call, waiting after
// each until its effect is there (the listener settled, rules Available
// or gone, certificates Associated or gone), so that the order that keeps
// traffic on the current or the wanted rules holds. The calls it makes
// are the plan's; a second Ensure of the same spec makes no write.
//
// A key whose listener was deleted (a stack destroyed and applied again) makes
// a new one: the service answers the key's ClientToken with the deleted
// one, so the create goes on with the key's next token ("KEY~2", …; the
// tag keeps the key). [Listeners.Create] instead ends with ErrReleased.
func (l *Listeners) Ensure(ctx context.Context, spec ListenerSpec, opts ...EnsureOption) (_ *ListenerResult, err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.Ensure", "")
	defer tel.end(&err)
	p, cfg, err := l.planEnsure(ctx, "Listeners.Ensure", spec, opts)
	if err != nil {
		return nil, err
	}
	id := ""
	if p.Listener != nil {
		id = p.Listener.ID
		tel.setID(id)
	}
	if err := blocking(kindListener, id, p.Findings); err != nil {
		return &ListenerResult{ID: id, Plan: p.Plan, Findings: p.Findings}, err
	}
	if len(p.Plan.Blocked) > 0 {
		return &ListenerResult{ID: id, Plan: p.Plan, Findings: p.Findings}, blockedError(id, p.Plan.Blocked)
	}
	res := &ListenerResult{ID: id, Plan: p.Plan, Findings: warnings(p.Findings), Listener: p.Listener}
	if p.Plan.Create {
		res.Created = true
		ls, err := l.create(ctx, spec, nil, true, cfg.wait, func(a string) { res.Calls = append(res.Calls, a) }, cfg.ready)
		if ls != nil {
			res.ID, res.Listener = ls.ID, ls
			tel.setID(ls.ID)
		}
		return res, err
	}
	ls, err := l.apply(ctx, id, spec, p.Plan, cfg.wait, func(a string) { res.Calls = append(res.Calls, a) })
	if ls != nil {
		res.Listener = ls
	}
	return res, err
}

// warnings keeps the warning findings.
func warnings(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityWarning {
			out = append(out, f)
		}
	}
	return out
}

// Create makes the listener of spec on its instance, with its additional
// certificates and forwarding rules, and waits until it is Running and
// every rule Available. The spec is validated and checked against the
// instance, its listeners and the server groups first (see
// [Listeners.Ensure]): nothing is written when a check refuses it.
// CreateListener carries one ClientToken for every retry, the spec's
// IdempotencyKey or a generated one, and albkit tags the listener with it
// and the spec's digest; a call that may have reached the service is
// followed by a lookup by the token, so a retry never makes a second
// listener. A create the process could not finish is finished by
// [Listeners.ResumeCreate] with the key.
func (l *Listeners) Create(ctx context.Context, spec ListenerSpec, opts ...WaitOption) (_ *Listener, err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.Create", "")
	defer tel.end(&err)
	if err := checkWaitOpts("Listeners.Create", opts); err != nil {
		return nil, err
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	facts, err := l.facts(ctx, spec, true, "")
	if err != nil {
		return nil, err
	}
	if err := blocking(kindListener, "", CheckListener(spec, facts)); err != nil {
		return nil, err
	}
	if spec.IdempotencyKey == "" {
		spec.IdempotencyKey = l.c.newTok()
	}
	ls, err := l.create(ctx, spec, nil, false, opts, nil, nil)
	if ls != nil {
		tel.setID(ls.ID)
	}
	return ls, err
}

// ResumeCreate finishes the create of the listener made with the
// idempotency key token on spec's instance; it never creates a second
// listener. The listener found must have been made from the same spec
// ([SpecTagKey]; else an error matching [ErrIdempotencyKeyReused]); the
// certificates and rules it still lacks are added. When no listener
// carries the token, it is created as by Create, with the same token.
func (l *Listeners) ResumeCreate(ctx context.Context, token string, spec ListenerSpec, opts ...WaitOption) (_ *Listener, err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.ResumeCreate", "")
	defer tel.end(&err)
	if err := requireID("Listeners.ResumeCreate", "token", token); err != nil {
		return nil, err
	}
	if err := checkWaitOpts("Listeners.ResumeCreate", opts); err != nil {
		return nil, err
	}
	spec = spec.WithIdempotencyKey(token)
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	found, err := l.FindByToken(ctx, spec.LoadBalancerID, token)
	switch {
	case err == nil:
		if d := tagValue(found.Tags, SpecTagKey); d != "" && d != spec.Digest() {
			return nil, &IdempotencyError{Token: token, InstanceID: found.ID,
				Reason: "the listener made with this key was created from a different spec (" + SpecTagKey + " " + d + ", this spec " + spec.Digest() + ")"}
		}
		tel.setID(found.ID)
		return l.create(ctx, spec, found, false, opts, nil, nil)
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	ls, err := l.create(ctx, spec, nil, false, opts, nil, nil)
	if ls != nil {
		tel.setID(ls.ID)
	}
	return ls, err
}

// create sends CreateListener (unless found), waits until the listener is
// Running, then applies what the listener still lacks (additional
// certificates, rules). spec is valid and has its IdempotencyKey.
func (l *Listeners) create(ctx context.Context, spec ListenerSpec, found *Listener, renew bool, opts []WaitOption, sent func(string), ready func(id string)) (*Listener, error) {
	c := l.c
	w := c.waitOptions(opts)
	id, resumed := "", found != nil
	var ls *Listener
	var err error
	if resumed {
		id = found.ID
		ls, err = waitRes(c, ctx, listeners, waitSpec{op: "create", id: id, waiting: "Running", unknownStart: true, full: true}, w,
			readyAcceptor(c, listeners, c.clock.Now(), w.NotFoundGrace, nil))
	} else {
		id, ls, err = createRes(c, ctx, listeners, spec.IdempotencyKey, renew, w, waitSpec{op: "create", waiting: "Running", full: true},
			func(ctx context.Context, token string) (string, error) { return l.sendCreate(ctx, spec, token) },
			func() {
				if sent != nil {
					sent("CreateListener")
				}
			},
			func(ctx context.Context) (bool, error) {
				return live(l.FindByToken(ctx, spec.LoadBalancerID, spec.IdempotencyKey))
			})
		if id == "" {
			return nil, err
		}
	}
	if err != nil {
		return nil, fmt.Errorf("alb: listener %s was created but did not become Running (resume with its key): %w", id, err)
	}
	if ready != nil && !resumed {
		ready(id)
	}
	certs, err := l.certificates(ctx, id)
	if err != nil {
		return ls, err
	}
	var rules []Rule
	if resumed {
		if rules, err = l.rules(ctx, id); err != nil {
			return ls, err
		}
	}
	plan := DiffListener(spec, ls, certs, rules)
	if len(plan.Blocked) > 0 {
		return ls, blockedError(id, plan.Blocked)
	}
	return l.apply(ctx, id, spec, plan, opts, sent)
}

// sendCreate sends CreateListener with ClientToken token (a generation of
// the spec's key, which the token tag carries) and returns the listener's ID; when the call may have reached the service
// and failed, it looks the listener up by its token tag.
func (l *Listeners) sendCreate(ctx context.Context, spec ListenerSpec, token string) (string, error) {
	c := l.c
	var id string
	_, err := sendRes(c, ctx, instances, waitSpec{op: "CreateListener", id: spec.LoadBalancerID, waiting: "Active"}, nil, token,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			r, err := sdk.CreateListenerWithContext(ctx, spec.createListenerRequest(spec.IdempotencyKey, token, false), c.runtime)
			if err == nil && r.Body != nil {
				id = tea.StringValue(r.Body.ListenerId)
			}
			return err
		})
	if err != nil && !definitive(err) && ctx.Err() == nil {
		if ls, ferr := l.FindByToken(ctx, spec.LoadBalancerID, spec.IdempotencyKey); ferr == nil {
			id, err = ls.ID, nil
		}
	}
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", &NetworkError{Operation: "CreateListener", Err: errors.New("the answer carries no ListenerId")}
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "alb: listener create accepted", slog.String("id", id), slog.String("client_token", token))
	c.emit(Event{Kind: EventStep, Operation: "CreateListener", ID: id, Message: fmt.Sprintf("listener create accepted: %s (token %s)", id, token)})
	return id, nil
}

// apply makes the calls of a plan on listener id in order, each waited
// for until its effect is there, and records each call's action once it
// may have reached the service. It returns the listener as last read.
func (l *Listeners) apply(ctx context.Context, id string, spec ListenerSpec, plan *ListenerPlan, opts []WaitOption, sent func(string)) (*Listener, error) {
	c := l.c
	var last *Listener
	record := func(action string) {
		if sent != nil {
			sent(action)
		}
	}
	rules := c.ForwardingRules()
	for _, call := range plan.CallList() {
		switch call.Action {
		case "CreateListener":
			continue // made by create
		case "UpdateListenerAttribute":
			fields := call.Attributes
			ls, err := changeRes(c, ctx, listeners, waitSpec{op: call.Action, id: id, waiting: "Running with the new attributes", full: true}, opts, "",
				func(ctx context.Context, sdk *albsdk.Client, token string) error {
					_, err := sdk.UpdateListenerAttributeWithContext(ctx, plan.updateRequest(call, token, false), c.runtime)
					return err
				},
				func(ls *Listener) bool { return attributesShown(spec, ls, fields) })
			record(call.Action)
			if err != nil {
				return last, err
			}
			last = ls
		case "UpdateListenerLogConfig":
			want := *plan.LogConfig
			ls, err := changeRes(c, ctx, listeners, waitSpec{op: call.Action, id: id, waiting: "Running with the log config", full: true}, opts, "",
				func(ctx context.Context, sdk *albsdk.Client, token string) error {
					_, err := sdk.UpdateListenerLogConfigWithContext(ctx, logConfigRequest(id, want, token, false), c.runtime)
					return err
				},
				func(ls *Listener) bool { return ls.LogConfig.equal(want) })
			record(call.Action)
			if err != nil {
				return last, err
			}
			last = ls
		case "AssociateAdditionalCertificatesWithListener", "DissociateAdditionalCertificatesFromListener":
			associate := call.Action == "AssociateAdditionalCertificatesWithListener"
			ok, err := sendRes(c, ctx, listeners, waitSpec{op: call.Action, id: id, waiting: "Running"}, opts, "",
				func(ctx context.Context, sdk *albsdk.Client, token string) error {
					var err error
					if associate {
						_, err = sdk.AssociateAdditionalCertificatesWithListenerWithContext(ctx, associateCertificatesRequest(id, call.CertificateIDs, token, false), c.runtime)
					} else {
						_, err = sdk.DissociateAdditionalCertificatesFromListenerWithContext(ctx, dissociateCertificatesRequest(id, call.CertificateIDs, token, false), c.runtime)
					}
					return err
				})
			if ok || !definitive(err) {
				record(call.Action)
			}
			if err != nil {
				return last, err
			}
			if err := l.waitCertificates(ctx, id, call.CertificateIDs, associate, opts); err != nil {
				return last, err
			}
		case "CreateRules", "UpdateRulesAttribute", "DeleteRules":
			err := rules.applyCall(ctx, id, call, opts)
			if err == nil || !definitive(err) || !isCallError(err, call.Action) {
				record(call.Action)
			}
			if err != nil {
				return last, err
			}
		default:
			return last, fmt.Errorf("alb: listener %s: the plan has a call albkit cannot make: %s: %w", id, call.Action, ErrInvalidArgument)
		}
	}
	if last == nil {
		var err error
		if last, err = l.get(ctx, id); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// attributesShown reports whether the listener shows spec's value of every
// field of changes (it no longer differs in them).
func attributesShown(spec ListenerSpec, ls *Listener, changes []AttributeChange) bool {
	left := DiffListener(spec, ls, nil, nil)
	for _, ch := range changes {
		for _, d := range left.Attributes {
			if d.Field == ch.Field {
				return false
			}
		}
	}
	return true
}

// waitCertificates reads the listener's certificates until every one of
// ids is Associated (associate) or gone.
func (l *Listeners) waitCertificates(ctx context.Context, id string, ids []string, associate bool, opts []WaitOption) error {
	c := l.c
	settled := func(certs []ListenerCertificate) bool {
		for _, want := range ids {
			i := slices.IndexFunc(certs, func(lc ListenerCertificate) bool { return lc.ID == want })
			if associate && (i < 0 || certs[i].Status != CertificateAssociated) || !associate && i >= 0 {
				return false
			}
		}
		return true
	}
	s := waitSpec{op: "certificates", id: id, waiting: "certificates settled", family: kindListener, unknownStart: true}
	get := func(ctx context.Context) ([]ListenerCertificate, error) { return l.certificates(ctx, id) }
	status := func(cs []ListenerCertificate, err error) Status {
		if err != nil {
			return ""
		}
		return Status(fmt.Sprintf("%d certificates", len(cs)))
	}
	accept := func(cs []ListenerCertificate, err error) (waiter.Verdict, error) {
		switch {
		case err == nil && settled(cs):
			return waiter.Success, nil
		case err == nil || retryable(err):
			return waiter.Continue, nil
		}
		return waiter.Failure, err
	}
	_, err := poll(c, ctx, s, c.waitOptions(opts), get, status, nil, accept)
	return err
}

// Update makes the listener's attributes and additional certificates
// match spec (rules untouched: see [Listeners.Ensure] and
// [ForwardingRules]) and waits until it shows them. What cannot change in
// place is refused with a *[NotChangeableError] before any write.
func (l *Listeners) Update(ctx context.Context, id string, spec ListenerSpec, opts ...WaitOption) (_ *Listener, err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.Update", id)
	defer tel.end(&err)
	if err := requireListenerID("Listeners.Update", id); err != nil {
		return nil, err
	}
	if err := checkWaitOpts("Listeners.Update", opts); err != nil {
		return nil, err
	}
	spec.Rules, spec.AbsentRules, spec.RuleMembership = nil, nil, MembershipShared
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	ls, err := l.get(ctx, id)
	if err != nil {
		return nil, err
	}
	certs, err := l.certificates(ctx, id)
	if err != nil {
		return nil, err
	}
	plan := DiffListener(spec, ls, certs, nil)
	if len(plan.Blocked) > 0 {
		return ls, blockedError(id, plan.Blocked)
	}
	if !plan.Writes() {
		return ls, nil
	}
	return l.apply(ctx, id, spec, plan, opts, nil)
}

// Start starts a stopped listener (StartListener) and waits until it is
// Running; a Running listener costs nothing.
func (l *Listeners) Start(ctx context.Context, id string, opts ...WaitOption) (_ *Listener, err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.Start", id)
	defer tel.end(&err)
	return l.setRunning(ctx, id, true, opts)
}

// Stop stops a listener (StopListener: it no longer accepts connections)
// and waits until it is Stopped; a Stopped listener costs nothing.
func (l *Listeners) Stop(ctx context.Context, id string, opts ...WaitOption) (_ *Listener, err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.Stop", id)
	defer tel.end(&err)
	return l.setRunning(ctx, id, false, opts)
}

func (l *Listeners) setRunning(ctx context.Context, id string, on bool, opts []WaitOption) (*Listener, error) {
	c := l.c
	op, want := "StopListener", ListenerStopped
	if on {
		op, want = "StartListener", ListenerRunning
	}
	if err := requireListenerID("Listeners."+strings.TrimSuffix(op, "Listener"), id); err != nil {
		return nil, err
	}
	if err := checkWaitOpts(op, opts); err != nil {
		return nil, err
	}
	ls, err := c.lsnPolls.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if ls.Status == want {
		return l.get(ctx, id)
	}
	return changeRes(c, ctx, listeners, waitSpec{op: op, id: id, waiting: string(want), full: true}, opts, "",
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			var err error
			if on {
				_, err = sdk.StartListenerWithContext(ctx, &albsdk.StartListenerRequest{ListenerId: tea.String(id), ClientToken: tea.String(token)}, c.runtime)
			} else {
				_, err = sdk.StopListenerWithContext(ctx, &albsdk.StopListenerRequest{ListenerId: tea.String(id), ClientToken: tea.String(token)}, c.runtime)
			}
			return err
		},
		func(ls *Listener) bool { return ls.Status == want })
}

// Delete deletes the listener (DeleteListener; its forwarding rules go
// with it) and waits until it is gone. A listener already gone is deleted
// successfully; a QUIC listener another listener upgrades to is refused
// with an *[InUseError].
func (l *Listeners) Delete(ctx context.Context, id string, opts ...WaitOption) (err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.Delete", id)
	defer tel.end(&err)
	if err := requireListenerID("Listeners.Delete", id); err != nil {
		return err
	}
	if err := checkWaitOpts("Listeners.Delete", opts); err != nil {
		return err
	}
	c := l.c
	_, err = sendRes(c, ctx, listeners, waitSpec{op: "DeleteListener", id: id, waiting: "Running"}, opts, "",
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.DeleteListenerWithContext(ctx, &albsdk.DeleteListenerRequest{ListenerId: tea.String(id), ClientToken: tea.String(token)}, c.runtime)
			return err
		})
	var ae *APIError
	switch {
	case err == nil:
	case listeners.gone(err):
		return nil
	case errors.As(err, &ae) && ae.class().Has(apierr.InUse):
		return &InUseError{Kind: kindListener, ID: id, Err: err}
	default:
		return err
	}
	c.emit(Event{Kind: EventStep, Operation: "DeleteListener", ID: id, Message: "DeleteListener sent for " + id})
	_, err = waitRes(c, ctx, listeners, waitSpec{op: "DeleteListener", id: id, waiting: "gone"}, c.waitOptions(opts), goneAcceptorOf(listeners))
	return err
}

// AssociateCertificates adds additional server certificates to an HTTPS
// or QUIC listener (in calls of [MaxCertificatesPerCall]) and waits until
// they are Associated; certificates it has already cost nothing.
func (l *Listeners) AssociateCertificates(ctx context.Context, id string, certIDs []string, opts ...WaitOption) (err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.AssociateCertificates", id)
	defer tel.end(&err)
	return l.certificateCalls(ctx, id, certIDs, true, opts)
}

// DissociateCertificates removes additional certificates from a listener
// and waits until they are gone; certificates it does not have cost
// nothing. The default certificate is changed with Update, not here.
func (l *Listeners) DissociateCertificates(ctx context.Context, id string, certIDs []string, opts ...WaitOption) (err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.DissociateCertificates", id)
	defer tel.end(&err)
	return l.certificateCalls(ctx, id, certIDs, false, opts)
}

func (l *Listeners) certificateCalls(ctx context.Context, id string, certIDs []string, associate bool, opts []WaitOption) error {
	op := "Listeners.DissociateCertificates"
	if associate {
		op = "Listeners.AssociateCertificates"
	}
	if err := requireListenerID(op, id); err != nil {
		return err
	}
	if err := checkWaitOpts(op, opts); err != nil {
		return err
	}
	if len(certIDs) == 0 {
		return &ArgumentError{Operation: op, Argument: "certIDs", Message: "at least one certificate ID is required"}
	}
	for i, cid := range certIDs {
		if strings.TrimSpace(cid) == "" {
			return &ArgumentError{Operation: op, Argument: fmt.Sprintf("certIDs[%d]", i), Message: "is empty"}
		}
	}
	ls, err := l.get(ctx, id)
	if err != nil {
		return err
	}
	certs, err := l.certificates(ctx, id)
	if err != nil {
		return err
	}
	var todo []string
	for _, cid := range certIDs {
		has := slices.ContainsFunc(certs, func(lc ListenerCertificate) bool { return lc.ID == cid && !lc.Default })
		if has != associate && !slices.Contains(todo, cid) {
			todo = append(todo, cid)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	action := "DissociateAdditionalCertificatesFromListener"
	if associate {
		action = "AssociateAdditionalCertificatesWithListener"
	}
	plan := &ListenerPlan{ID: ls.ID}
	var calls []ListenerCall
	for len(todo) > 0 {
		n := min(MaxCertificatesPerCall, len(todo))
		calls = append(calls, ListenerCall{Action: action, CertificateIDs: todo[:n:n]})
		todo = todo[n:]
	}
	plan.calls = calls
	_, err = l.apply(ctx, id, SpecFromListener(ls, certs, nil), plan, opts, nil)
	return err
}
