package alb

import (
	"slices"
	"strconv"
)

// ServerGroupType says what a server group's members are (ServerGroupType
// on the wire). It is fixed at creation.
type ServerGroupType string

// The server group types.
const (
	// ServerGroupInstance groups ECS instances, elastic network interfaces
	// and ECI container groups of the group's VPC (servers of type
	// [ServerTypeECS], [ServerTypeENI], [ServerTypeECI]). It is the
	// default when Type is empty.
	ServerGroupInstance ServerGroupType = "Instance"
	// ServerGroupIP groups IP addresses ([ServerTypeIP]).
	ServerGroupIP ServerGroupType = "Ip"
	// ServerGroupFc groups Function Compute functions ([ServerTypeFc]).
	// An Fc group has no VPC, protocol, scheduler, session persistence,
	// slow start or connection draining, and its members have no port or
	// weight.
	ServerGroupFc ServerGroupType = "Fc"
)

// BackendProtocol is the protocol ALB speaks to a server group's members
// (Protocol on the wire). It is fixed at creation.
type BackendProtocol string

// The backend protocols.
const (
	// BackendHTTP serves HTTP, HTTPS and QUIC listeners. It is the default
	// when Protocol is empty, and the only protocol of an Fc group.
	BackendHTTP BackendProtocol = "HTTP"
	// BackendHTTPS serves HTTPS listeners.
	BackendHTTPS BackendProtocol = "HTTPS"
	// BackendGRPC serves HTTPS and QUIC listeners. CreateServerGroup
	// documents "gRPC" and ListServerGroups answers "GRPC": albkit sends
	// and reports "gRPC", and takes either spelling.
	BackendGRPC BackendProtocol = "gRPC"
)

// Scheduler is a server group's scheduling algorithm (Scheduler on the
// wire). Instance and Ip groups only.
type Scheduler string

// The schedulers.
const (
	// SchedulerWrr is weighted round-robin: servers with higher weights
	// receive more requests. It is the default when Scheduler is empty,
	// and the only scheduler that allows slow start.
	SchedulerWrr Scheduler = "Wrr"
	// SchedulerWlc is weighted least connections: by weight and the
	// number of connections of each server.
	SchedulerWlc Scheduler = "Wlc"
	// SchedulerSch is consistent hashing: of the client's source IP
	// address, or of a URL query parameter with
	// [ServerGroupSpec.WithURLHash] (UchConfig).
	SchedulerSch Scheduler = "Sch"
	// SchedulerUch is the URL consistent hash as the Terraform provider
	// names it. The SDK documents only Wrr, Wlc and Sch (URL hashing is
	// Sch with UchConfig); albkit takes Uch so that a group created with
	// it reads back into a valid spec (GUESS that the service takes it).
	SchedulerUch Scheduler = "Uch"
)

// HealthCheckProtocol is the protocol of a server group's health checks.
type HealthCheckProtocol string

// The health check protocols.
const (
	// HealthCheckHTTP sends HEAD or GET requests. It is the default when
	// Protocol is empty.
	HealthCheckHTTP HealthCheckProtocol = "HTTP"
	// HealthCheckHTTPS sends HEAD or GET requests over TLS.
	HealthCheckHTTPS HealthCheckProtocol = "HTTPS"
	// HealthCheckTCP sends TCP SYN packets: no method, path, host, HTTP
	// version or codes.
	HealthCheckTCP HealthCheckProtocol = "TCP"
	// HealthCheckGRPC sends POST or GET requests over gRPC; its codes are
	// gRPC status codes. "GRPC" is taken too.
	HealthCheckGRPC HealthCheckProtocol = "gRPC"
)

// Health check defaults: what the service uses for a zero field of an
// enabled [HealthCheck] (SDK CreateServerGroup HealthCheckConfig).
const (
	DefaultHealthCheckIntervalSeconds = 2    // HealthCheckInterval
	DefaultHealthCheckTimeoutSeconds  = 5    // HealthCheckTimeout
	DefaultHealthyThreshold           = 3    // HealthyThreshold
	DefaultUnhealthyThreshold         = 3    // UnhealthyThreshold
	DefaultStickyCookieTimeoutSeconds = 1000 // StickySessionConfig.CookieTimeout of Insert
)

// HealthCheck is a server group's health check (HealthCheckConfig).
//
// Only Enabled matters while the check is disabled: the other fields are
// then neither sent nor compared by [DiffServerGroup]. Once enabled, a
// zero field means the service's default: protocol HTTP; the server's own
// port; every 2 s; a 5 s timeout; 3 successes to become healthy and 3
// failures to become unhealthy; method HEAD (POST for gRPC); HTTP1.1;
// codes http_2xx (0 for gRPC). An empty Host or Path leaves the service's
// value (for a new group: the server's IP address as host, the service's
// default path).
//
// Method and Host apply to HTTP, HTTPS and gRPC checks; Path and
// HTTPVersion to HTTP and HTTPS; Codes to HTTP, HTTPS and gRPC. A field
// the protocol does not use is refused (the service would ignore it).
type HealthCheck struct {
	// Enabled turns health checks on. Servers that fail them receive no
	// new requests (unless every server fails: then ALB still routes).
	Enabled bool `json:"enabled"`
	// Protocol is HTTP (default), HTTPS, TCP or gRPC.
	Protocol HealthCheckProtocol `json:"protocol,omitempty" validate:"omitempty,oneof=HTTP HTTPS TCP gRPC GRPC"`
	// Port is the port probed, 0–65535; 0 (default) probes each server's
	// own port.
	Port int `json:"port,omitempty" validate:"min=0,max=65535"`
	// Host is the Host header of HTTP, HTTPS and gRPC checks: a domain of
	// 1–80 letters, digits, '-' and '.', with at least one dot, not
	// starting or ending with '.' or '-', whose last label has letters
	// only; or "$SERVER_IP", the server's address. Empty leaves the
	// service's value.
	Host string `json:"host,omitempty" validate:"omitempty,alb_hchost"`
	// Path is the path of HTTP and HTTPS checks: 1–80 characters starting
	// with '/', of letters, digits and - / . % ? # & = _ ; ~ ! ( ) * [ ] @
	// $ ^ : " , +. Empty leaves the service's value.
	Path string `json:"path,omitempty" validate:"omitempty,alb_hcpath"`
	// Method is GET, POST or HEAD; empty means HEAD (POST for gRPC).
	Method string `json:"method,omitempty" validate:"omitempty,oneof=GET POST HEAD"`
	// HTTPVersion is HTTP1.0 or HTTP1.1 (default) for HTTP and HTTPS checks.
	HTTPVersion string `json:"httpVersion,omitempty" validate:"omitempty,oneof=HTTP1.0 HTTP1.1"`
	// Codes are the answers that count as healthy, at most 20: http_2xx,
	// http_3xx, http_4xx, http_5xx for HTTP and HTTPS (default http_2xx);
	// gRPC status codes 0–99 or ranges such as "0-5" for gRPC (default
	// "0"). Their order does not matter.
	Codes []string `json:"codes,omitempty" validate:"max=20"`
	// IntervalSeconds is the time between two checks, 1–50; 0 means 2.
	IntervalSeconds int `json:"intervalSeconds,omitempty" validate:"omitempty,min=1,max=50"`
	// TimeoutSeconds is how long a check waits for its answer, 1–300; 0
	// means 5.
	TimeoutSeconds int `json:"timeoutSeconds,omitempty" validate:"omitempty,min=1,max=300"`
	// HealthyThreshold is the number of consecutive successes that make an
	// unhealthy server healthy, 2–10; 0 means 3.
	HealthyThreshold int `json:"healthyThreshold,omitempty" validate:"omitempty,min=2,max=10"`
	// UnhealthyThreshold is the number of consecutive failures that make a
	// healthy server unhealthy, 2–10; 0 means 3.
	UnhealthyThreshold int `json:"unhealthyThreshold,omitempty" validate:"omitempty,min=2,max=10"`
}

// DefaultHealthCheck returns an enabled health check with every field at
// the service's default (an HTTP HEAD every 2 s, http_2xx is healthy).
func DefaultHealthCheck() HealthCheck { return HealthCheck{Enabled: true} }

// HTTPHealthCheck returns an enabled HTTP health check of path.
func HTTPHealthCheck(path string) HealthCheck {
	return HealthCheck{Enabled: true, Protocol: HealthCheckHTTP, Path: path}
}

// TCPHealthCheck returns an enabled TCP health check.
func TCPHealthCheck() HealthCheck { return HealthCheck{Enabled: true, Protocol: HealthCheckTCP} }

// WithPort probes port instead of each server's own.
func (h HealthCheck) WithPort(port int) HealthCheck { h.Port = port; return h }

// WithHost sets the Host header of HTTP, HTTPS and gRPC checks.
func (h HealthCheck) WithHost(host string) HealthCheck { h.Host = host; return h }

// WithPath sets the path of HTTP and HTTPS checks.
func (h HealthCheck) WithPath(path string) HealthCheck { h.Path = path; return h }

// WithMethod sets the method (GET, POST or HEAD).
func (h HealthCheck) WithMethod(method string) HealthCheck { h.Method = method; return h }

// WithHTTPVersion sets HTTP1.0 or HTTP1.1.
func (h HealthCheck) WithHTTPVersion(v string) HealthCheck { h.HTTPVersion = v; return h }

// WithCodes sets the answers that count as healthy.
func (h HealthCheck) WithCodes(codes ...string) HealthCheck { h.Codes = slices.Clone(codes); return h }

// WithInterval sets the seconds between two checks.
func (h HealthCheck) WithInterval(seconds int) HealthCheck { h.IntervalSeconds = seconds; return h }

// WithTimeout sets the seconds a check waits for its answer.
func (h HealthCheck) WithTimeout(seconds int) HealthCheck { h.TimeoutSeconds = seconds; return h }

// WithThresholds sets the consecutive successes and failures that change
// a server's health.
func (h HealthCheck) WithThresholds(healthy, unhealthy int) HealthCheck {
	h.HealthyThreshold, h.UnhealthyThreshold = healthy, unhealthy
	return h
}

// StickySessionType is how session persistence follows a client.
type StickySessionType string

// The session persistence types.
const (
	// StickyInsert: ALB inserts its own cookie (SERVERID) into the first
	// response; requests carrying it go to the same server until the
	// cookie times out.
	StickyInsert StickySessionType = "Insert"
	// StickyServer: ALB rewrites the application's own cookie, named by
	// StickySession.Cookie, and routes on it.
	StickyServer StickySessionType = "Server"
)

// StickySession is a server group's session persistence
// (StickySessionConfig). The zero value is off. It needs cross-zone load
// balancing and an Instance or Ip group.
type StickySession struct {
	// Type is Insert or Server; empty turns session persistence off.
	Type StickySessionType `json:"type,omitempty" validate:"omitempty,oneof=Insert Server"`
	// CookieTimeoutSeconds is the lifetime of the inserted cookie (Insert
	// only), 1–86400; 0 means 1000.
	CookieTimeoutSeconds int `json:"cookieTimeoutSeconds,omitempty" validate:"omitempty,min=1,max=86400"`
	// Cookie is the application cookie ALB rewrites (Server only, and
	// required there): 1–200 printable ASCII characters without ',', ';'
	// or space, not starting with '$'.
	Cookie string `json:"cookie,omitempty" validate:"omitempty,alb_cookie"`
}

// ConnectionDrain is a server group's connection draining
// (ConnectionDrainConfig): after a server is removed or found unhealthy,
// ALB keeps its transfers for up to TimeoutSeconds. The zero value is off.
// It needs a Standard or WAF-enabled instance and an Instance or Ip group.
type ConnectionDrain struct {
	// Enabled turns connection draining on.
	Enabled bool `json:"enabled"`
	// TimeoutSeconds is how long transfers are kept, 0–900, sent as it is
	// (the service's default, when it is not sent, is 300; albkit always
	// sends it with Enabled). Only with Enabled.
	TimeoutSeconds int `json:"timeoutSeconds,omitempty" validate:"min=0,max=900"`
}

// IPVersionAffinityMode says whether a dual-stack (IPv6) group forwards
// IPv4 requests to IPv4 servers and IPv6 requests to IPv6 servers only.
// The ALB SDK gives only the example value Affinity; the values are the
// NLB's (GUESS that ALB takes the same).
type IPVersionAffinityMode string

// The IP version affinity modes.
const (
	IPVersionAffinity    IPVersionAffinityMode = "Affinity"    // 4-to-4 and 6-to-6 only
	IPVersionNonAffinity IPVersionAffinityMode = "NonAffinity" // any server (NLB's default)
)

// Membership says which of a group's servers a spec manages.
type Membership string

// The membership modes.
const (
	// MembershipShared manages only the servers the spec lists (and removes
	// those it lists in AbsentServers): members added by others, an
	// autoscaler for example, are left alone. It is the default when
	// Membership is empty: albkit never removes a server it was not told
	// about unless the spec says the set is its own.
	MembershipShared Membership = "Shared"
	// MembershipOwned makes the listed servers the group's exact set:
	// every other member is removed. (Terraform's inline servers behave so,
	// and remove autoscaler-added members: terraform-provider-alicloud
	// issue 5671.)
	MembershipOwned Membership = "Owned"
)

// Per-call and per-group limits of server membership (SDK
// AddServersToServerGroup, RemoveServersFromServerGroup,
// ReplaceServersInServerGroup, UpdateServerGroupServersAttribute; quota
// table). A spec may list up to MaxServersPerGroup servers; the client
// splits them into calls of at most MaxServersPerCall
// (MaxServersPerAttributeCall for weight and description updates).
const (
	MaxServersPerCall          = 200  // Add, Remove, Replace
	MaxServersPerAttributeCall = 40   // UpdateServerGroupServersAttribute
	MaxServersPerGroup         = 1000 // hard limit of the quota table
)

// ServerGroupSpec describes a server group and its servers: every input of
// CreateServerGroup, and the members to add. Build it with
// [NewServerGroupSpec] and the With methods (each returns a modified copy),
// or as a literal; check it with [ServerGroupSpec.Validate].
//
// The zero value of an optional feature means not configured: no session
// persistence, slow start, connection draining, URL hash, IPv6 or upstream
// keepalive, cross-zone load balancing on. [DiffServerGroup] treats them
// declaratively (an unconfigured feature that is on in the group is turned
// off), except where a field says that empty leaves the service's value.
type ServerGroupSpec struct {
	// Name is required: 2–128 characters of English letters, Chinese
	// characters, digits 0–9, ".", "_" and "-", starting with an English
	// letter or a Chinese character (the instance name's rules).
	Name string `json:"name" validate:"required,min=2,max=128,alb_startletter,alb_namechars"`
	// Type is Instance (default), Ip or Fc. Fixed at creation.
	Type ServerGroupType `json:"type,omitempty" validate:"omitempty,oneof=Instance Ip Fc"`
	// VPCID is the VPC whose servers the group takes ("vpc-…"). Required
	// for Instance and Ip groups; none for Fc. Fixed at creation.
	VPCID string `json:"vpcId,omitempty" validate:"omitempty,startswith=vpc-"`
	// Protocol is HTTP (default), HTTPS or gRPC; an Fc group takes only
	// HTTP. Fixed at creation.
	Protocol BackendProtocol `json:"protocol,omitempty" validate:"omitempty,oneof=HTTP HTTPS gRPC GRPC"`
	// Scheduler is Wrr (default), Wlc or Sch (or Uch). Instance and Ip
	// groups only.
	Scheduler Scheduler `json:"scheduler,omitempty" validate:"omitempty,oneof=Wrr Wlc Sch Uch"`
	// URLHashParameter makes the Sch scheduler hash the URL query
	// parameter of this name instead of the source IP address (UchConfig
	// Type QueryString): 1–100 ASCII characters. Once set, the service
	// has no way to remove it.
	URLHashParameter string `json:"urlHashParameter,omitempty" validate:"omitempty,max=100,ascii"`
	// HealthCheck is the health check; the constructors enable it for
	// Instance and Ip groups, as the service does by default.
	HealthCheck HealthCheck `json:"healthCheck"`
	// StickySession is session persistence; the zero value is off.
	StickySession StickySession `json:"stickySession"`
	// SlowStartSeconds ramps new servers up over 30–900 seconds (Wrr
	// only); 0 means no slow start. It needs a Standard or WAF-enabled
	// instance.
	SlowStartSeconds int `json:"slowStartSeconds,omitempty" validate:"omitempty,min=30,max=900"`
	// ConnectionDrain is connection draining; the zero value is off.
	ConnectionDrain ConnectionDrain `json:"connectionDrain"`
	// DisableCrossZone turns cross-zone load balancing off (it is on by
	// default): each zone then forwards only to servers in that zone.
	// Needs a Standard or WAF-enabled instance; no session persistence.
	DisableCrossZone bool `json:"disableCrossZone,omitempty"`
	// IPv6 lets the group take IPv6 servers (Ipv6Enabled). Fixed at
	// creation.
	IPv6 bool `json:"ipv6,omitempty"`
	// IPVersionAffinity is Affinity or NonAffinity; empty leaves the
	// service's value.
	IPVersionAffinity IPVersionAffinityMode `json:"ipVersionAffinity,omitempty" validate:"omitempty,oneof=Affinity NonAffinity"`
	// UpstreamKeepalive keeps TCP connections to the servers open between
	// requests.
	UpstreamKeepalive bool `json:"upstreamKeepalive,omitempty"`
	// ResourceGroupID places the group in a resource group ("rg-…"); empty
	// leaves the service's value.
	ResourceGroupID string `json:"resourceGroupId,omitempty" validate:"omitempty,startswith=rg-"`
	// Tags are the group's tags, with the instance's rules: at most 18
	// (albkit adds [TokenTagKey] and [SpecTagKey]).
	Tags []Tag `json:"tags,omitempty" validate:"dive"`
	// IdempotencyKey identifies this logical create across retries and
	// process restarts, with the rules of [InstanceSpec.IdempotencyKey].
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"omitempty,max=64,printascii,alb_tagprefix,alb_nourl"`

	// Membership is Shared (default) or Owned: see [Membership].
	Membership Membership `json:"membership,omitempty" validate:"omitempty,oneof=Owned Shared"`
	// Servers are the members, at most MaxServersPerGroup, each of the
	// type the group takes.
	Servers []Server `json:"servers,omitempty" validate:"max=1000,dive"`
	// AbsentServers are servers that must not be members: in Shared mode
	// the way to remove a server. Only their identity (type, ID, port and
	// IP) counts.
	AbsentServers []Server `json:"absentServers,omitempty" validate:"dive"`
}

// NewServerGroupSpec returns a spec of a group of type typ named name in
// vpcID (empty for an Fc group), with the service's defaults: protocol
// HTTP and scheduler Wrr for Instance and Ip groups, health checks enabled
// for them (disabled for Fc), cross-zone load balancing on.
func NewServerGroupSpec(name string, typ ServerGroupType, vpcID string) ServerGroupSpec {
	s := ServerGroupSpec{Name: name, Type: typ, VPCID: vpcID}
	if typ != ServerGroupFc {
		s.Protocol, s.Scheduler, s.HealthCheck = BackendHTTP, SchedulerWrr, DefaultHealthCheck()
	}
	return s
}

// WithProtocol sets the backend protocol.
func (s ServerGroupSpec) WithProtocol(p BackendProtocol) ServerGroupSpec { s.Protocol = p; return s }

// WithScheduler sets the scheduling algorithm.
func (s ServerGroupSpec) WithScheduler(sch Scheduler) ServerGroupSpec { s.Scheduler = sch; return s }

// WithURLHash makes the group hash the URL query parameter param
// (scheduler Sch with UchConfig QueryString).
func (s ServerGroupSpec) WithURLHash(param string) ServerGroupSpec {
	s.Scheduler, s.URLHashParameter = SchedulerSch, param
	return s
}

// WithHealthCheck sets the health check.
func (s ServerGroupSpec) WithHealthCheck(hc HealthCheck) ServerGroupSpec {
	hc.Codes = slices.Clone(hc.Codes)
	s.HealthCheck = hc
	return s
}

// WithoutHealthCheck disables health checks.
func (s ServerGroupSpec) WithoutHealthCheck() ServerGroupSpec {
	s.HealthCheck = HealthCheck{}
	return s
}

// WithStickyInsert turns on session persistence by an inserted cookie
// that lives timeoutSeconds (0: the service's 1000).
func (s ServerGroupSpec) WithStickyInsert(timeoutSeconds int) ServerGroupSpec {
	s.StickySession = StickySession{Type: StickyInsert, CookieTimeoutSeconds: timeoutSeconds}
	return s
}

// WithStickyServer turns on session persistence on the application's
// cookie named cookie.
func (s ServerGroupSpec) WithStickyServer(cookie string) ServerGroupSpec {
	s.StickySession = StickySession{Type: StickyServer, Cookie: cookie}
	return s
}

// WithSlowStart ramps new servers up over seconds (30–900).
func (s ServerGroupSpec) WithSlowStart(seconds int) ServerGroupSpec {
	s.SlowStartSeconds = seconds
	return s
}

// WithConnectionDrain keeps the transfers of a removed or unhealthy server
// for up to seconds (0–900).
func (s ServerGroupSpec) WithConnectionDrain(seconds int) ServerGroupSpec {
	s.ConnectionDrain = ConnectionDrain{Enabled: true, TimeoutSeconds: seconds}
	return s
}

// WithoutCrossZone turns cross-zone load balancing off.
func (s ServerGroupSpec) WithoutCrossZone() ServerGroupSpec { s.DisableCrossZone = true; return s }

// WithIPv6 lets the group take IPv6 servers.
func (s ServerGroupSpec) WithIPv6() ServerGroupSpec { s.IPv6 = true; return s }

// WithIPVersionAffinity sets the IP version affinity mode.
func (s ServerGroupSpec) WithIPVersionAffinity(m IPVersionAffinityMode) ServerGroupSpec {
	s.IPVersionAffinity = m
	return s
}

// WithUpstreamKeepalive keeps connections to the servers open.
func (s ServerGroupSpec) WithUpstreamKeepalive() ServerGroupSpec {
	s.UpstreamKeepalive = true
	return s
}

// WithResourceGroup places the group in a resource group.
func (s ServerGroupSpec) WithResourceGroup(id string) ServerGroupSpec {
	s.ResourceGroupID = id
	return s
}

// WithTag appends a tag.
func (s ServerGroupSpec) WithTag(key, value string) ServerGroupSpec {
	s.Tags = append(slices.Clone(s.Tags), Tag{Key: key, Value: value})
	return s
}

// WithIdempotencyKey sets the key that makes the create idempotent across
// retries and restarts.
func (s ServerGroupSpec) WithIdempotencyKey(key string) ServerGroupSpec {
	s.IdempotencyKey = key
	return s
}

// WithMembership sets the membership mode.
func (s ServerGroupSpec) WithMembership(m Membership) ServerGroupSpec { s.Membership = m; return s }

// WithServers appends servers.
func (s ServerGroupSpec) WithServers(servers ...Server) ServerGroupSpec {
	s.Servers = append(slices.Clone(s.Servers), servers...)
	return s
}

// WithAbsentServers appends servers that must not be members.
func (s ServerGroupSpec) WithAbsentServers(servers ...Server) ServerGroupSpec {
	s.AbsentServers = append(slices.Clone(s.AbsentServers), servers...)
	return s
}

// groupType is the effective type: Instance when empty.
func (s ServerGroupSpec) groupType() ServerGroupType {
	if s.Type == "" {
		return ServerGroupInstance
	}
	return s.Type
}

// protocol is the effective backend protocol: HTTP when empty, gRPC for
// either spelling.
func (s ServerGroupSpec) protocol() BackendProtocol { return normalizeBackendProtocol(s.Protocol) }

// scheduler is the effective scheduler: Wrr when empty; "" for Fc groups.
func (s ServerGroupSpec) scheduler() Scheduler {
	switch {
	case s.groupType() == ServerGroupFc:
		return ""
	case s.Scheduler == "":
		return SchedulerWrr
	}
	return s.Scheduler
}

// membership is the effective membership mode: Shared when empty.
func (s ServerGroupSpec) membership() Membership {
	if s.Membership == "" {
		return MembershipShared
	}
	return s.Membership
}

// hashes reports whether scheduler sch is a consistent hash that a URL
// hash parameter applies to.
func hashes(sch Scheduler) bool { return sch == SchedulerSch || sch == SchedulerUch }

func normalizeBackendProtocol(p BackendProtocol) BackendProtocol {
	switch p {
	case "":
		return BackendHTTP
	case "GRPC":
		return BackendGRPC
	}
	return p
}

func normalizeHealthCheckProtocol(p HealthCheckProtocol) HealthCheckProtocol {
	switch p {
	case "":
		return HealthCheckHTTP
	case "GRPC":
		return HealthCheckGRPC
	}
	return p
}

// ServerType is the kind of a server group member (ServerType on the wire).
type ServerType string

// The server types.
const (
	ServerTypeECS ServerType = "Ecs" // an ECS instance, by ID (Instance groups)
	ServerTypeENI ServerType = "Eni" // an elastic network interface, by ID (Instance groups)
	ServerTypeECI ServerType = "Eci" // an ECI container group, by ID (Instance groups)
	ServerTypeIP  ServerType = "Ip"  // an IP address (Ip groups)
	ServerTypeFc  ServerType = "Fc"  // a Function Compute function, by ARN (Fc groups)
)

// groupType is the group type that takes servers of type t.
func (t ServerType) groupType() ServerGroupType {
	switch t {
	case ServerTypeIP:
		return ServerGroupIP
	case ServerTypeFc:
		return ServerGroupFc
	}
	return ServerGroupInstance
}

// Server is a member of a server group.
//
// Its identity is (Type, ID, Port, IP): two entries with the same identity
// are one server. An empty IP of an Ecs, Eni or Eci server means the
// resource's primary address and matches any member of that resource and
// port.
//
// Weight 0 means the server gets no new requests (and is not health
// checked); the constructors set 100, the service's default.
type Server struct {
	// Type is Ecs, Eni or Eci (Instance groups), Ip (Ip groups) or Fc (Fc
	// groups).
	Type ServerType `json:"type" validate:"required,oneof=Ecs Eni Eci Ip Fc"`
	// ID is the ECS instance, ENI or ECI container group ID; the IP
	// address for Ip; the function's ARN ("acs:fc:…") for Fc.
	ID string `json:"id" validate:"required"`
	// Port is the server's port, 1–65535; none (0) for Fc.
	Port int `json:"port,omitempty" validate:"min=0,max=65535"`
	// Weight is 0–100: the server's share of requests relative to the
	// others. 0 means no new requests. None (0) for Fc.
	Weight int `json:"weight" validate:"min=0,max=100"`
	// Description is 2–256 characters, not starting with http:// or
	// https://; empty leaves the service's value.
	Description string `json:"description,omitempty" validate:"omitempty,alb_description"`
	// RemoteIP lets an Ip server be outside the group's VPC (another VPC
	// or a data center reached through it). Ip only; fixed once added.
	RemoteIP bool `json:"remoteIp,omitempty"`
	// IP is the server's address among several of one ENI or ECI container
	// group (ServerIp). Empty means the primary address. For Ip servers it
	// is empty or the ID.
	IP string `json:"ip,omitempty" validate:"omitempty,alb_ip"`
}

// ECSServer returns an ECS instance on port with weight 100.
func ECSServer(id string, port int) Server {
	return Server{Type: ServerTypeECS, ID: id, Port: port, Weight: 100}
}

// ENIServer returns the address ip (empty: the primary one) of an elastic
// network interface on port with weight 100.
func ENIServer(id, ip string, port int) Server {
	return Server{Type: ServerTypeENI, ID: id, IP: ip, Port: port, Weight: 100}
}

// ECIServer returns the address ip (empty: the primary one) of an ECI
// container group on port with weight 100.
func ECIServer(id, ip string, port int) Server {
	return Server{Type: ServerTypeECI, ID: id, IP: ip, Port: port, Weight: 100}
}

// IPServer returns the IP address ip on port with weight 100.
func IPServer(ip string, port int) Server {
	return Server{Type: ServerTypeIP, ID: ip, Port: port, Weight: 100}
}

// FcServer returns the Function Compute function of ARN arn (no port, no
// weight).
func FcServer(arn string) Server { return Server{Type: ServerTypeFc, ID: arn} }

// String names the server: type, ID, IP and port.
func (s Server) String() string {
	out := string(s.Type) + " " + s.ID
	if s.IP != "" && s.IP != s.ID {
		out += " (" + s.IP + ")"
	}
	if s.Type != ServerTypeFc {
		out += ":" + strconv.Itoa(s.Port)
	}
	return out
}

// WithWeight sets the weight, 0–100 (0: no new requests).
func (s Server) WithWeight(w int) Server { s.Weight = w; return s }

// WithDescription sets the description.
func (s Server) WithDescription(d string) Server { s.Description = d; return s }

// WithRemoteIP marks an Ip server as outside the group's VPC.
func (s Server) WithRemoteIP() Server { s.RemoteIP = true; return s }
