package routing

// ConditionType is a rule condition type, as RuleConditions.N.Type spells it.
type ConditionType string

// The condition types. ResponseHeader and ResponseStatusCode belong to
// Response-direction rules.
const (
	ConditionHost               ConditionType = "Host"
	ConditionPath               ConditionType = "Path"
	ConditionHeader             ConditionType = "Header"
	ConditionQueryString        ConditionType = "QueryString"
	ConditionMethod             ConditionType = "Method"
	ConditionCookie             ConditionType = "Cookie"
	ConditionSourceIP           ConditionType = "SourceIp"
	ConditionResponseHeader     ConditionType = "ResponseHeader"
	ConditionResponseStatusCode ConditionType = "ResponseStatusCode"
)

// ConditionTypes lists every condition type in wire order.
func ConditionTypes() []ConditionType {
	return []ConditionType{ConditionHost, ConditionPath, ConditionHeader, ConditionQueryString, ConditionMethod,
		ConditionCookie, ConditionSourceIP, ConditionResponseHeader, ConditionResponseStatusCode}
}

// KeyValue is one entry of a QueryString or Cookie condition.
type KeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Condition is one entry of RuleConditions: its Type and the values of the
// matching config (HostConfig, PathConfig, ...). The values of one condition
// are ORed; the conditions of one rule are ANDed.
type Condition struct {
	Type ConditionType `json:"type"`
	// Key is the header name of a Header or ResponseHeader condition.
	Key string `json:"key,omitempty"`
	// Values are the patterns of Host, Path, Header, Method, SourceIp,
	// ResponseHeader and ResponseStatusCode conditions.
	Values []string `json:"values,omitempty"`
	// Pairs are the key/value patterns of QueryString and Cookie conditions.
	Pairs []KeyValue `json:"pairs,omitempty"`
}

// Host matches the Host header: exact names or wildcards ("*.example.com",
// "www.example.*"), or a regex written "~regex" or "~*regex".
func Host(values ...string) Condition { return Condition{Type: ConditionHost, Values: values} }

// Path matches the URL path (not the query): exact paths or wildcards
// ("/api/*"), case-sensitive, or a regex written "~regex" (case-sensitive)
// or "~*regex" (case-insensitive).
func Path(values ...string) Condition { return Condition{Type: ConditionPath, Values: values} }

// Header matches a request header by name (case-insensitive) and value
// patterns.
func Header(key string, values ...string) Condition {
	return Condition{Type: ConditionHeader, Key: key, Values: values}
}

// Query matches query-string parameters; build the pairs with KV.
func Query(pairs ...KeyValue) Condition { return Condition{Type: ConditionQueryString, Pairs: pairs} }

// Cookie matches cookies; build the pairs with KV.
func Cookie(pairs ...KeyValue) Condition { return Condition{Type: ConditionCookie, Pairs: pairs} }

// KV is a key/value pattern of a Query or Cookie condition.
func KV(key, value string) KeyValue { return KeyValue{Key: key, Value: value} }

// Method matches the request method: GET, POST, ...
func Method(methods ...string) Condition { return Condition{Type: ConditionMethod, Values: methods} }

// SourceIP matches the client address against IP addresses or CIDR blocks,
// IPv4 or IPv6.
func SourceIP(values ...string) Condition { return Condition{Type: ConditionSourceIP, Values: values} }

// ResponseHeader matches a backend response header (Response rules only).
func ResponseHeader(key string, values ...string) Condition {
	return Condition{Type: ConditionResponseHeader, Key: key, Values: values}
}

// ResponseStatusCode matches the backend response status, "200", "503", ...
// (Response rules only).
func ResponseStatusCode(codes ...string) Condition {
	return Condition{Type: ConditionResponseStatusCode, Values: codes}
}

// ActionType is a rule action type, as RuleActions.N.Type spells it.
type ActionType string

// The action types. ForwardGroup, Redirect and FixedResponse are final
// actions: a Request rule has exactly one, with the largest Order. The others
// are extension actions that run before it.
const (
	ActionForwardGroup  ActionType = "ForwardGroup"
	ActionRedirect      ActionType = "Redirect"
	ActionFixedResponse ActionType = "FixedResponse"
	ActionRewrite       ActionType = "Rewrite"
	ActionInsertHeader  ActionType = "InsertHeader"
	ActionRemoveHeader  ActionType = "RemoveHeader"
	ActionTrafficLimit  ActionType = "TrafficLimit"
	ActionTrafficMirror ActionType = "TrafficMirror"
	ActionCors          ActionType = "Cors"
)

// ActionTypes lists every action type.
func ActionTypes() []ActionType {
	return []ActionType{ActionForwardGroup, ActionRedirect, ActionFixedResponse, ActionRewrite, ActionInsertHeader,
		ActionRemoveHeader, ActionTrafficLimit, ActionTrafficMirror, ActionCors}
}

// Final reports whether t ends a request: ForwardGroup, Redirect or
// FixedResponse.
func (t ActionType) Final() bool {
	return t == ActionForwardGroup || t == ActionRedirect || t == ActionFixedResponse
}

// Action is one entry of RuleActions: its Type, its Order (1–50000, unique
// in the rule; actions run in ascending Order) and exactly the config of its
// type.
type Action struct {
	Type  ActionType `json:"type"`
	Order int        `json:"order,omitempty"`

	ForwardGroup  *ForwardGroupConfig  `json:"forwardGroup,omitempty"`
	Redirect      *RedirectConfig      `json:"redirect,omitempty"`
	FixedResponse *FixedResponseConfig `json:"fixedResponse,omitempty"`
	Rewrite       *RewriteConfig       `json:"rewrite,omitempty"`
	InsertHeader  *InsertHeaderConfig  `json:"insertHeader,omitempty"`
	RemoveHeader  *RemoveHeaderConfig  `json:"removeHeader,omitempty"`
	TrafficLimit  *TrafficLimitConfig  `json:"trafficLimit,omitempty"`
	TrafficMirror *TrafficMirrorConfig `json:"trafficMirror,omitempty"`
	Cors          *CorsConfig          `json:"cors,omitempty"`
}

// ServerGroupTuple is a server group of a ForwardGroup action with its
// weight, 0–100; a weight of 0 receives no traffic.
type ServerGroupTuple struct {
	ServerGroupID string `json:"serverGroupId"`
	Weight        int    `json:"weight"`
}

// StickySession is the ForwardGroup action's session persistence across
// server groups (ServerGroupStickySession). Timeout is in seconds, 1–86400;
// 0 means the API default, 1000.
type StickySession struct {
	Enabled bool `json:"enabled"`
	Timeout int  `json:"timeout,omitempty"`
}

// ForwardGroupConfig forwards to up to five server groups by weight.
type ForwardGroupConfig struct {
	ServerGroups  []ServerGroupTuple `json:"serverGroups"`
	StickySession StickySession      `json:"stickySession,omitzero"`
}

// RedirectConfig answers with a redirect. Empty fields take the API
// defaults: HTTPCode 302 (GUESS, see the GUESS table), Protocol
// "${protocol}", Host "${host}", Port "${port}", Path "${path}", Query
// "${query}".
type RedirectConfig struct {
	HTTPCode string `json:"httpCode,omitempty"` // 301, 302, 303, 307 or 308
	Protocol string `json:"protocol,omitempty"` // ${protocol}, HTTP or HTTPS
	Host     string `json:"host,omitempty"`
	Port     string `json:"port,omitempty"` // ${port} or 1–63335
	Path     string `json:"path,omitempty"`
	Query    string `json:"query,omitempty"`
}

// FixedResponseConfig answers with a fixed status and body.
type FixedResponseConfig struct {
	HTTPCode    string `json:"httpCode"`              // 2xx, 4xx or 5xx, e.g. "503"
	ContentType string `json:"contentType,omitempty"` // text/plain, text/css, text/html, application/javascript or application/json
	Content     string `json:"content,omitempty"`     // at most 1 KB of ASCII
}

// RewriteConfig rewrites the request before it is forwarded. Empty fields
// keep the request's value ("${host}", "${path}", "${query}").
type RewriteConfig struct {
	Host  string `json:"host,omitempty"`
	Path  string `json:"path,omitempty"`
	Query string `json:"query,omitempty"`
}

// HeaderValueType says where an inserted header's value comes from.
type HeaderValueType string

// The header value types.
const (
	// ValueUserDefined inserts Value as written.
	ValueUserDefined HeaderValueType = "UserDefined"
	// ValueReferenceHeader copies the header named by Value.
	ValueReferenceHeader HeaderValueType = "ReferenceHeader"
	// ValueSystemDefined inserts a value ALB knows; Value is one of the
	// System* constants.
	ValueSystemDefined HeaderValueType = "SystemDefined"
)

// The SystemDefined header values.
const (
	SystemClientSrcPort = "ClientSrcPort" // the client's source port
	SystemClientSrcIP   = "ClientSrcIp"   // the client's address
	SystemProtocol      = "Protocol"      // the listener protocol, lower case
	SystemSLBID         = "SLBId"         // the instance ID
	SystemSLBPort       = "SLBPort"       // the listener port
)

// InsertHeaderConfig inserts a header. CoverEnabled overwrites a header of the
// same name; otherwise the value is added next to it.
type InsertHeaderConfig struct {
	Key          string          `json:"key"`
	Value        string          `json:"value"`
	ValueType    HeaderValueType `json:"valueType,omitempty"`
	CoverEnabled bool            `json:"coverEnabled,omitempty"`
}

// RemoveHeaderConfig removes a header.
type RemoveHeaderConfig struct {
	Key string `json:"key"`
}

// TrafficLimitConfig limits the rule's requests per second, in total and per
// client address; 0 is no limit of that kind.
type TrafficLimitConfig struct {
	QPS      int `json:"qps,omitempty"`
	PerIPQPS int `json:"perIpQps,omitempty"`
}

// MirrorTarget is the only TrafficMirror target type.
const MirrorTarget = "ForwardGroupMirror"

// TrafficMirrorConfig copies requests to server groups; the answer comes from
// the final action. TargetType "" means MirrorTarget.
type TrafficMirrorConfig struct {
	TargetType     string   `json:"targetType,omitempty"`
	ServerGroupIDs []string `json:"serverGroupIds"`
}

// CorsConfig answers cross-origin requests.
type CorsConfig struct {
	AllowOrigins     []string `json:"allowOrigins,omitempty"` // "*" alone, or http(s)://host[:port] values (wildcard subdomains allowed)
	AllowMethods     []string `json:"allowMethods,omitempty"` // GET, POST, PUT, DELETE, HEAD, OPTIONS, PATCH
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	AllowCredentials string   `json:"allowCredentials,omitempty"` // "on" or "off"; "" is off
	MaxAge           int64    `json:"maxAge,omitempty"`           // seconds, -1..172800; 0 sends no max age
}

// Forward forwards to server groups with weights; build them with Weighted.
func Forward(groups ...ServerGroupTuple) Action {
	return Action{Type: ActionForwardGroup, ForwardGroup: &ForwardGroupConfig{ServerGroups: groups}}
}

// ForwardTo forwards to server groups of equal weight, 100 each.
func ForwardTo(serverGroupIDs ...string) Action {
	g := make([]ServerGroupTuple, len(serverGroupIDs))
	for i, id := range serverGroupIDs {
		g[i] = ServerGroupTuple{ServerGroupID: id, Weight: 100}
	}
	return Forward(g...)
}

// Weighted is a server group of a Forward action with its weight.
func Weighted(serverGroupID string, weight int) ServerGroupTuple {
	return ServerGroupTuple{ServerGroupID: serverGroupID, Weight: weight}
}

// Sticky returns a copy of a ForwardGroup action with session persistence
// across its server groups for timeout seconds. Other actions are returned
// unchanged.
func (a Action) Sticky(timeout int) Action {
	if a.ForwardGroup != nil {
		fg := *a.ForwardGroup
		fg.StickySession = StickySession{Enabled: true, Timeout: timeout}
		a.ForwardGroup = &fg
	}
	return a
}

// Redirect answers with the redirect the config describes.
func Redirect(c RedirectConfig) Action { return Action{Type: ActionRedirect, Redirect: &c} }

// FixedResponse answers with a fixed status, content type and body.
func FixedResponse(httpCode, contentType, content string) Action {
	return Action{Type: ActionFixedResponse,
		FixedResponse: &FixedResponseConfig{HTTPCode: httpCode, ContentType: contentType, Content: content}}
}

// Rewrite rewrites the request's host, path and query.
func Rewrite(c RewriteConfig) Action { return Action{Type: ActionRewrite, Rewrite: &c} }

// InsertHeader inserts a header with a user-defined value.
func InsertHeader(key, value string) Action {
	return InsertHeaderFrom(key, ValueUserDefined, value)
}

// InsertHeaderFrom inserts a header whose value is of the given type: a
// user-defined value, the name of a header to copy, or a System* value.
func InsertHeaderFrom(key string, valueType HeaderValueType, value string) Action {
	return Action{Type: ActionInsertHeader, InsertHeader: &InsertHeaderConfig{Key: key, Value: value, ValueType: valueType}}
}

// RemoveHeader removes a header.
func RemoveHeader(key string) Action {
	return Action{Type: ActionRemoveHeader, RemoveHeader: &RemoveHeaderConfig{Key: key}}
}

// TrafficLimit limits the rule's requests per second, in total and per client
// address (0: no limit of that kind).
func TrafficLimit(qps, perIPQPS int) Action {
	return Action{Type: ActionTrafficLimit, TrafficLimit: &TrafficLimitConfig{QPS: qps, PerIPQPS: perIPQPS}}
}

// Mirror copies the rule's requests to server groups.
func Mirror(serverGroupIDs ...string) Action {
	return Action{Type: ActionTrafficMirror,
		TrafficMirror: &TrafficMirrorConfig{TargetType: MirrorTarget, ServerGroupIDs: serverGroupIDs}}
}

// Cors answers cross-origin requests as the config says.
func Cors(c CorsConfig) Action { return Action{Type: ActionCors, Cors: &c} }

// InOrder numbers the actions' Order 1, 2, 3, ... as given, and returns them:
// put the final action last.
func InOrder(actions ...Action) []Action {
	out := make([]Action, len(actions))
	for i, a := range actions {
		a.Order = i + 1
		out[i] = a
	}
	return out
}

// Direction says whether a rule applies to requests or to backend responses.
type Direction string

// The directions; "" means Request.
const (
	DirectionRequest  Direction = "Request"
	DirectionResponse Direction = "Response"
)

// Rule is one forwarding rule of a listener.
type Rule struct {
	// ID names the rule in findings and decisions (the RuleId, or any stable
	// name of the caller's).
	ID string `json:"id,omitempty"`
	// Name is the RuleName, 2–128 characters.
	Name string `json:"name,omitempty"`
	// Priority is 1–10000, unique per listener and direction; lower numbers
	// are evaluated first.
	Priority int `json:"priority"`
	// Direction is Request ("" too) or Response.
	Direction Direction `json:"direction,omitempty"`
	// Conditions are ANDed.
	Conditions []Condition `json:"conditions"`
	// Actions run in ascending Order.
	Actions []Action `json:"actions"`
}

// IsResponse reports whether the rule applies to backend responses.
func (r Rule) IsResponse() bool { return r.Direction == DirectionResponse }

// Table is one listener's routing: its rules, its default action, and the
// listener and instance facts that actions read.
type Table struct {
	// Protocol is the listener protocol: HTTP, HTTPS or QUIC.
	Protocol string `json:"protocol"`
	// Port is the listener's configured port (what ${port} and SLBPort
	// mean), whatever local port serves it.
	Port int `json:"port"`
	// LoadBalancerID is the instance ID (SystemDefined SLBId).
	LoadBalancerID string `json:"loadBalancerId,omitempty"`
	// Edition is the instance's edition (Basic, Standard, StandardWithWaf),
	// for Check only; "" skips the edition checks.
	Edition string `json:"edition,omitempty"`
	// Rules are the listener's forwarding rules, both directions, in any
	// order.
	Rules []Rule `json:"rules"`
	// Default lists the server groups of the listener's default action
	// (DefaultActions.N.ForwardGroupConfig.ServerGroupTuples), used when no
	// Request rule matches.
	Default []string `json:"default"`
}
