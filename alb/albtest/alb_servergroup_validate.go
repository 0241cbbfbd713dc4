package albtest

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Checks of the server-group operations (alb_servergroup*.go) and of the
// health check templates (alb_healthchecktemplate.go): parameters, health
// checks, session persistence, slow start, connection draining, URL hashing
// and members. The emulator enforces the service's rules as the project's
// reference states them (alb-stack-api.md §1.1, §1.2, §1.6, §2.1, §3), not a
// client library's policy.
//
// Every code these operations answer, with its source. "SDK" is the
// official Go SDK's request models (alb-20200616 v2.3.2), "meta" the ALB API
// metadata, "TF" the Terraform provider's retry lists, "NLB" the Network
// Load Balancer's API reference (the sibling product, same code family:
// AddServersToServerGroup, RemoveServersFromServerGroup), "convention" the
// emulator's own rule for the instance (alb_validate.go: a missing parameter
// is MissingParameter, a value out of its documented form or range
// InvalidParameter). HTTP statuses follow the reference's rule (400, 404 for
// ResourceNotFound.*) unless said.
//
//	code                                     when                                                   source
//	MissingParameter (400)                   a required parameter is absent (ServerGroupName,       SDK required fields; convention
//	                                         HealthCheckConfig.HealthCheckEnabled, Servers.N.*, …);
//	                                         VpcId for an Instance or Ip group                      GUESS (reference: "required in practice")
//	InvalidParameter (400)                   a value out of its documented form or range: names,    SDK ranges; code by convention
//	                                         enums, health-check fields and ranges, codes per
//	                                         protocol, cookie, slow start 30–900, drain 0–900,
//	                                         port, weight 0–100, description 2–256, > 200 servers
//	                                         per call (> 40 for attribute updates), > 10 names
//	InvalidParameter (400)                   combinations the SDK documents as unsupported: slow    SDK text; code GUESS
//	                                         start without Wrr; enabling sticky sessions with
//	                                         cross-zone off; sticky sessions, slow start, draining, URL hash
//	                                         or cross-zone off on an Fc group; Fc with a protocol
//	                                         other than HTTP; Replace on an Fc group; a server of
//	                                         type Ip whose ServerIp differs from its ServerId; an
//	                                         instance member's ServerIp not among its addresses
//	InvalidParameter (400)                   ServerGroupType, Protocol, VpcId or Ipv6Enabled given  GUESS (the Update API has no such
//	                                         to UpdateServerGroupAttribute with another value        parameters; refused, not ignored)
//	ResourceNotFound.ServerGroup (404)       unknown or deleted server group                        meta (TagResources), TF
//	IncorrectStatus.ServerGroup (400)        a write on a group that is not Available (Creating,    TF, ingress controller (retried)
//	                                         Configuring, Deleting)
//	ResourceInUse.ServerGroup (400)          DeleteServerGroup while a listener or rule uses it     TF, ingress controller (serverGroupUsers)
//	ResourceNotFound.Vpc (404)               unknown VpcId                                          GUESS (as CreateLoadBalancer here)
//	QuotaExceeded.ServerGroupsNum (400)      more server groups than the region's quota (3,000)     GUESS name (quota: DOC-quota)
//	QuotaExceeded.ServersNum (400)           more than 1,000 servers in a group                     GUESS name (limit: DOC-quota)
//	Mismatch.ServerType (400)                a member whose type the group's type does not take     NLB (GUESS for ALB)
//	Mismatch.VpcId (400)                     an Ecs/Eni/Eci member in another VPC than the group    NLB (GUESS for ALB)
//	ResourceNotFound.Ecs|Eni|Eci (404)       an Ecs/Eni/Eci member the world does not know          NLB (GUESS for ALB)
//	DuplicatedParam.Server (400)             the same server twice in one call                      NLB (GUESS for ALB)
//	ResourceNotFound.BackendServer (404)     removing or updating a server that is not a member     NLB (GUESS for ALB)
//	ResourceNotFound.HealthCheckTemplate     unknown health check template                          TF
//	(404)
//	QuotaExceeded.HealthCheckTemplatesNum    more than 50 templates in the region                   TF (name); DOC-quota (50)
//	(400)
//	DryRunOperation (400)                    DryRun after every check                               SDK; status GUESS (handler)
//
// Behaviours with no source, chosen here (each a GUESS unless a source is
// named):
//
//   - Adding a server that is already a member does nothing (no duplicate,
//     no error, its attributes kept); adding none new still starts a change.
//   - Ip members take any IPv4 address, loopback included, unless
//     WithStrictIPServers (the service takes the addresses of the group's
//     VPC and of networks connected to it); IPv6 only in an IPv6 group.
//   - An Fc member's ServerId is an ARN starting "acs:fc:"; Fc members have
//     no Port or Weight in ListServerGroupServers. Ecs, Eni and Eci members
//     without ServerIp get the resource's primary address; a removal or an
//     update without ServerIp names every address of the resource.
//   - Scheduler Uch is accepted (the Terraform provider's acceptance test
//     sets it and reads it back); IpVersionAffinityMode takes Affinity or
//     NonAffinity (the NLB's values); a health-check host may have capitals
//     (the template reference allows "letters"; the Terraform acceptance
//     test uses "tf-testAcc.com"); HTTP versions may be written "HTTP 1.1"
//     (the template reference's spelling); gRPC is accepted as gRPC (SDK) or
//     GRPC (list answer, Terraform) and answered as sent.
//   - Health-check fields the protocol does not use are dropped, not
//     refused (TCP: codes, method, path, host, version; gRPC: version): the
//     Terraform provider sends the whole block back. Host and path are
//     answered only when set.
//   - ListServerGroups answers StickySessionConfig and ConnectionDrainConfig
//     for every Instance and Ip group (the Terraform provider marked exactly
//     these blocks Computed, PR 8446), with only their Enabled field when
//     off; SlowStartConfig and UchConfig only once configured; none of
//     these for Fc groups (StickySessionConfig can be absent: the provider
//     added a nil check, PR 7163).
//   - Attribute changes, templates and membership changes show when their
//     Configuring transition completes; ServerCount leaves out servers being
//     added; both sides of a replacement read Replacing.
//   - ServerGroupIds takes at most 20 IDs; ListServerGroupServers without
//     ServerGroupId lists the servers of every group; MoveResourceGroup of a
//     group that is not Available answers IncorrectStatus.ServerGroup.
//   - A template is copied into the group (later changes to it do not
//     follow); RemoteIpEnabled is kept for every server type.

// maxServersPerCall and maxServersPerAttributeCall are the SDK's per-call
// limits; maxServersPerGroup is the hard limit of the quota table.
const (
	maxServersPerCall          = 200
	maxServersPerAttributeCall = 40
	maxServersPerGroup         = 1000
)

// healthCheck is the health check of a server group or of a template.
type healthCheck struct {
	enabled                            bool
	protocol, host, path, method, vers string
	port, interval, timeout            int32
	healthy, unhealthy                 int32
	codes                              []string
}

func isGRPC(protocol string) bool { return strings.EqualFold(protocol, "grpc") }

// defaultHealthCheck is the health check of a new group of type typ (or
// of a template, typ ""): HTTP, port 0, every 2 s, timeout 5 s, thresholds
// 3/3, HEAD, HTTP1.1, http_2xx; disabled for Fc groups (SDK defaults).
func defaultHealthCheck(typ string) healthCheck {
	hc := healthCheck{enabled: typ != "Fc", protocol: "HTTP", interval: 2, timeout: 5, healthy: 3, unhealthy: 3}
	hc.fillDefaults()
	return hc
}

// fillDefaults sets the protocol-specific fields the protocol needs and
// does not have, and clears those it does not use: HEAD and HTTP1.1 and
// http_2xx for HTTP and HTTPS; POST and code 0 for gRPC; nothing for TCP.
func (hc *healthCheck) fillDefaults() {
	switch {
	case strings.EqualFold(hc.protocol, "TCP"):
		hc.method, hc.vers, hc.codes, hc.path, hc.host = "", "", nil, "", ""
	case isGRPC(hc.protocol):
		hc.vers = ""
		hc.method = or(hc.method, "POST")
		if len(hc.codes) == 0 {
			hc.codes = []string{"0"}
		}
	default:
		hc.method, hc.vers = or(hc.method, "HEAD"), or(hc.vers, "HTTP1.1")
		if len(hc.codes) == 0 {
			hc.codes = []string{"http_2xx"}
		}
	}
}

// parseHealthCheck merges the health-check parameters of p named
// prefix+Field (the group's "HealthCheckConfig." or the template's flat
// names) into cur and checks the result. withEnabled reads
// HealthCheckEnabled (groups only). A changed protocol resets the fields it
// decides (method, version, codes) unless the request gives them.
func parseHealthCheck(p url.Values, prefix string, cur healthCheck, withEnabled bool) (healthCheck, *apiError) {
	hc := cur
	name := func(f string) string { return prefix + f }
	if withEnabled {
		v, set, e := optBool(p, name("HealthCheckEnabled"))
		if e != nil {
			return hc, e
		}
		if set {
			hc.enabled = v
		}
	}
	proto, e := enum(p, name("HealthCheckProtocol"), false, "HTTP", "HTTPS", "TCP", "gRPC", "GRPC")
	if e != nil {
		return hc, e
	}
	if proto != "" && !strings.EqualFold(proto, cur.protocol) {
		hc.method, hc.vers, hc.codes = "", "", nil
	}
	hc.protocol = or(proto, hc.protocol)
	for _, f := range []struct {
		name   string
		to     *int32
		lo, hi int64
	}{
		{"HealthCheckConnectPort", &hc.port, 0, 65535}, {"HealthCheckInterval", &hc.interval, 1, 50},
		{"HealthCheckTimeout", &hc.timeout, 1, 300}, {"HealthyThreshold", &hc.healthy, 2, 10},
		{"UnhealthyThreshold", &hc.unhealthy, 2, 10},
	} {
		if p.Get(name(f.name)) == "" {
			continue
		}
		n, e := optInt(p, name(f.name), 0, f.lo, f.hi)
		if e != nil {
			return hc, e
		}
		*f.to = int32(n)
	}
	if m, e := enum(p, name("HealthCheckMethod"), false, "GET", "POST", "HEAD"); e != nil {
		return hc, e
	} else if m != "" {
		hc.method = m
	}
	if v, e := enum(p, name("HealthCheckHttpVersion"), false, "HTTP1.0", "HTTP1.1", "HTTP 1.0", "HTTP 1.1"); e != nil {
		return hc, e
	} else if v != "" {
		hc.vers = v
	}
	if v := p.Get(name("HealthCheckPath")); v != "" {
		if !validHealthCheckPath(v) {
			return hc, invalid(name("HealthCheckPath"), v)
		}
		hc.path = v
	}
	if v := p.Get(name("HealthCheckHost")); v != "" {
		if v != "$SERVER_IP" && !validHealthCheckHost(v) {
			return hc, invalid(name("HealthCheckHost"), v)
		}
		hc.host = v
	}
	codes, e := list(p, name("HealthCheckCodes"))
	if e != nil {
		return hc, e
	}
	if len(codes) > 20 {
		return hc, errf(400, "InvalidParameter", "The parameter %q takes at most 20 values.", name("HealthCheckCodes"))
	}
	if len(codes) > 0 {
		hc.codes = codes
	}
	hc.fillDefaults()
	for _, code := range hc.codes {
		if !validHealthCheckCode(hc.protocol, code) {
			return hc, errf(400, "InvalidParameter", "The health check code %q is not valid for protocol %s.", truncate(code, 32), hc.protocol)
		}
	}
	return hc, nil
}

// validHealthCheckCode: http_2xx … http_5xx for HTTP and HTTPS; for gRPC a
// number 0–99 or a range of two such numbers ("0-5").
func validHealthCheckCode(protocol, code string) bool {
	if !isGRPC(protocol) {
		switch code {
		case "http_2xx", "http_3xx", "http_4xx", "http_5xx":
			return true
		}
		return false
	}
	num := func(s string) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil && len(s) >= 1 && len(s) <= 2 && s[0] != '-' && s[0] != '+'
	}
	lo, hi, isRange := strings.Cut(code, "-")
	a, ok := num(lo)
	if !isRange {
		return ok
	}
	b, ok2 := num(hi)
	return ok && ok2 && a <= b
}

// validHealthCheckPath: 1–80 characters, starting with '/', letters, digits
// and - / . % ? # & = _ ; ~ ! ( ) * [ ] @ $ ^ : " , +.
func validHealthCheckPath(s string) bool {
	if len(s) < 1 || len(s) > 80 || s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(`-/.%?#&=_;~!()*[]@$^:",+`, c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// validHealthCheckHost: a domain of 1–80 characters of letters, digits, '-'
// and '.', with at least one dot, not starting or ending with '.' or '-',
// whose last label has letters only.
func validHealthCheckHost(s string) bool {
	if len(s) < 1 || len(s) > 80 || !strings.Contains(s, ".") {
		return false
	}
	if strings.Trim(s, ".-") != s {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	last := s[strings.LastIndexByte(s, '.')+1:]
	for i := 0; i < len(last); i++ {
		if c := last[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return last != ""
}

// validCookie: 1–200 printable ASCII characters without ',', ';' or space,
// not starting with '$'.
func validCookie(s string) bool {
	if len(s) < 1 || len(s) > 200 || s[0] == '$' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == ',' || c == ';' {
			return false
		}
	}
	return true
}

// validDescription: 2–256 characters, not starting with http:// or
// https://.
func validDescription(s string) bool {
	n := utf8.RuneCountInString(s)
	ls := strings.ToLower(s)
	return utf8.ValidString(s) && n >= 2 && n <= 256 && !strings.HasPrefix(ls, "http://") && !strings.HasPrefix(ls, "https://")
}

// stickySession is a group's session persistence.
type stickySession struct {
	enabled bool
	typ     string // Insert | Server
	timeout int32  // CookieTimeout (Insert)
	cookie  string // Cookie (Server)
}

// slowStart is a group's slow start; a group has none until it is
// configured.
type slowStart struct {
	enabled  bool
	duration int32
}

// connDrain is a group's connection draining.
type connDrain struct {
	enabled bool
	timeout int32
}

// uchConfig is a group's URL-parameter hash.
type uchConfig struct{ typ, value string }

// sgSettings are the attributes of a server group that
// UpdateServerGroupAttribute changes.
type sgSettings struct {
	name, scheduler, serviceName, affinity string
	hc                                     healthCheck
	sticky                                 stickySession
	slow                                   *slowStart // nil until configured
	drain                                  connDrain
	uch                                    *uchConfig // nil until configured
	crossZone, keepalive                   bool
}

// parseSettings merges the attribute parameters of p (CreateServerGroup,
// UpdateServerGroupAttribute) into cur for a group of type typ and checks
// the result.
func parseSettings(p url.Values, cur sgSettings, typ string) (sgSettings, *apiError) {
	set := cur
	var e *apiError
	if _, ok := p["ServerGroupName"]; ok {
		set.name = p.Get("ServerGroupName")
		if !validName(set.name) {
			return set, invalid("ServerGroupName", set.name)
		}
	}
	sched, e := enum(p, "Scheduler", false, "Wrr", "Wlc", "Sch", "Uch")
	if e != nil {
		return set, e
	}
	if typ != "Fc" { // the scheduler applies to Instance and Ip groups only
		set.scheduler = or(sched, set.scheduler)
	}
	if v := p.Get("ServiceName"); v != "" {
		set.serviceName = v
	}
	if set.affinity, e = enumOr(p, "IpVersionAffinityMode", set.affinity, "Affinity", "NonAffinity"); e != nil {
		return set, e
	}
	if set.hc, e = parseHealthCheck(p, "HealthCheckConfig.", set.hc, true); e != nil {
		return set, e
	}
	if e = parseSticky(p, &set.sticky); e != nil {
		return set, e
	}
	if e = parseSlowStart(p, &set.slow); e != nil {
		return set, e
	}
	if e = parseDrain(p, &set.drain); e != nil {
		return set, e
	}
	if e = parseUch(p, &set.uch); e != nil {
		return set, e
	}
	for _, b := range []struct {
		name string
		to   *bool
	}{{"CrossZoneEnabled", &set.crossZone}, {"UpstreamKeepaliveEnabled", &set.keepalive}} {
		v, given, e := optBool(p, b.name)
		if e != nil {
			return set, e
		}
		if given {
			*b.to = v
		}
	}
	enabling, _ := parseBool(p.Get("StickySessionConfig.StickySessionEnabled"))
	return set, set.check(typ, enabling)
}

// check applies the rules that combine attributes. enablingSticky reports
// that the request turns session persistence on: it "cannot be enabled when
// cross-zone load balancing is disabled" (SDK), but turning cross-zone off
// under an enabled one is accepted (GUESS: the Terraform provider's
// acceptance test of alicloud_alb_server_group does it and expects success;
// the reference says cross-zone off disables stickiness).
func (set *sgSettings) check(typ string, enablingSticky bool) *apiError {
	refuse := func(format string, args ...any) *apiError {
		return errf(400, "InvalidParameter", format, args...)
	}
	if typ == "Fc" {
		switch {
		case set.sticky.enabled:
			return refuse("Session persistence is not supported by server groups of type Fc.")
		case set.slow != nil && set.slow.enabled:
			return refuse("Slow start is not supported by server groups of type Fc.")
		case set.drain.enabled:
			return refuse("Connection draining is not supported by server groups of type Fc.")
		case set.uch != nil:
			return refuse("UchConfig is not supported by server groups of type Fc.")
		case !set.crossZone:
			return refuse("Cross-zone load balancing cannot be disabled for server groups of type Fc.")
		}
	}
	if set.slow != nil && set.slow.enabled && set.scheduler != "Wrr" {
		return refuse("Slow start is supported only by the Wrr scheduler, not %s.", set.scheduler)
	}
	if enablingSticky && !set.crossZone {
		return refuse("Session persistence cannot be enabled when cross-zone load balancing is disabled.")
	}
	return nil
}

// enumOr is enum for an optional value that keeps cur when absent.
func enumOr(p url.Values, name, cur string, values ...string) (string, *apiError) {
	v, e := enum(p, name, false, values...)
	return or(v, cur), e
}

func parseSticky(p url.Values, st *stickySession) *apiError {
	const pre = "StickySessionConfig."
	on, given, e := optBool(p, pre+"StickySessionEnabled")
	if e != nil {
		return e
	}
	if given {
		st.enabled = on
	}
	if st.typ, e = enumOr(p, pre+"StickySessionType", st.typ, "Insert", "Server"); e != nil {
		return e
	}
	if p.Get(pre+"CookieTimeout") != "" {
		n, e := optInt(p, pre+"CookieTimeout", 0, 1, 86400)
		if e != nil {
			return e
		}
		st.timeout = int32(n)
	}
	if v := p.Get(pre + "Cookie"); v != "" {
		if !validCookie(v) {
			return invalid(pre+"Cookie", v)
		}
		st.cookie = v
	}
	if !st.enabled {
		return nil
	}
	st.typ = or(st.typ, "Insert")
	if st.typ == "Insert" && st.timeout == 0 {
		st.timeout = 1000
	}
	if st.typ == "Server" && st.cookie == "" {
		return missing(pre + "Cookie")
	}
	return nil
}

func parseSlowStart(p url.Values, slow **slowStart) *apiError {
	const pre = "SlowStartConfig."
	on, given, e := optBool(p, pre+"SlowStartEnabled")
	if e != nil {
		return e
	}
	d := p.Get(pre + "SlowStartDuration")
	if !given && d == "" {
		return nil
	}
	next := slowStart{duration: 30}
	if *slow != nil {
		next = **slow
	}
	if given {
		next.enabled = on
	}
	if d != "" {
		n, e := optInt(p, pre+"SlowStartDuration", 0, 30, 900)
		if e != nil {
			return e
		}
		next.duration = int32(n)
	}
	*slow = &next
	return nil
}

func parseDrain(p url.Values, d *connDrain) *apiError {
	const pre = "ConnectionDrainConfig."
	on, given, e := optBool(p, pre+"ConnectionDrainEnabled")
	if e != nil {
		return e
	}
	if given {
		d.enabled = on
	}
	if p.Get(pre+"ConnectionDrainTimeout") != "" {
		n, e := optInt(p, pre+"ConnectionDrainTimeout", 0, 0, 900)
		if e != nil {
			return e
		}
		d.timeout = int32(n)
	} else if given && on && d.timeout == 0 {
		d.timeout = 300
	}
	return nil
}

func parseUch(p url.Values, u **uchConfig) *apiError {
	const pre = "UchConfig."
	typ, val := p.Get(pre+"Type"), p.Get(pre+"Value")
	if typ == "" && val == "" {
		return nil
	}
	if typ == "" {
		return missing(pre + "Type")
	}
	if typ != "QueryString" {
		return invalid(pre+"Type", typ)
	}
	if val == "" {
		return missing(pre + "Value")
	}
	if len(val) > 100 || !isASCII(val) {
		return invalid(pre+"Value", val)
	}
	*u = &uchConfig{typ: typ, value: val}
	return nil
}

// serverReq is one Servers.N (AddedServers.N, RemovedServers.N) entry.
type serverReq struct {
	typ, id, ip, desc  string
	port, weight       int32
	hasWeight, hasDesc bool
	remoteIP           bool
	prefix             string // "Servers.N.", for messages
}

// parseServers reads prefix.N.* with the given fields (every entry needs
// ServerType and ServerId; Port unless Fc) and checks each value's form.
func parseServers(p url.Values, prefix string, maxN int, fields ...string) ([]serverReq, *apiError) {
	ms, e := structs(p, prefix, fields...)
	if e != nil {
		return nil, e
	}
	if len(ms) == 0 {
		return nil, missing(prefix)
	}
	if len(ms) > maxN {
		return nil, errf(400, "InvalidParameter", "The number of %s must be between 1 and %d.", prefix, maxN)
	}
	out := make([]serverReq, len(ms))
	for i, m := range ms {
		n := prefix + "." + strconv.Itoa(i+1) + "."
		r := serverReq{typ: m["ServerType"], id: m["ServerId"], ip: m["ServerIp"], prefix: n}
		switch r.typ {
		case "":
			return nil, missing(n + "ServerType")
		case ServerTypeEcs, ServerTypeEni, ServerTypeEci, ServerTypeIP, ServerTypeFc:
		default:
			return nil, invalid(n+"ServerType", r.typ)
		}
		if r.id == "" {
			return nil, missing(n + "ServerId")
		}
		if len(r.id) > 512 {
			return nil, invalid(n+"ServerId", r.id)
		}
		if r.typ != ServerTypeFc {
			if m["Port"] == "" {
				return nil, missing(n + "Port")
			}
			port, err := strconv.Atoi(m["Port"])
			if err != nil || port < 1 || port > 65535 {
				return nil, invalid(n+"Port", m["Port"])
			}
			r.port = int32(port)
		}
		if v := m["Weight"]; v != "" {
			w, err := strconv.Atoi(v)
			if err != nil || w < 0 || w > 100 {
				return nil, invalid(n+"Weight", v)
			}
			r.weight, r.hasWeight = int32(w), true
		}
		if v, ok := m["Description"]; ok && v != "" {
			if !validDescription(v) {
				return nil, invalid(n+"Description", v)
			}
			r.desc, r.hasDesc = v, true
		}
		if v := m["RemoteIpEnabled"]; v != "" {
			b, ok := parseBool(v)
			if !ok {
				return nil, invalid(n+"RemoteIpEnabled", v)
			}
			r.remoteIP = b
		}
		out[i] = r
	}
	return out, nil
}

// acceptsServerType reports whether a group of type groupType takes members
// of type serverType.
func acceptsServerType(groupType, serverType string) bool {
	switch groupType {
	case "Ip":
		return serverType == ServerTypeIP
	case "Fc":
		return serverType == ServerTypeFc
	}
	return serverType == ServerTypeEcs || serverType == ServerTypeEni || serverType == ServerTypeEci
}

// resolveServer checks a member for group sg against the world and returns
// its identity: for Ecs, Eni and Eci the resource must exist in the group's
// VPC and the address (ServerIp, default its primary one) be its own; for
// Ip the ServerId is an address (IPv6 only for an IPv6 group; with strict,
// a private one); for Fc the ServerId is a function ARN.
func (st *state) resolveServer(sg *sgState, r serverReq, strict bool) (serverKey, *apiError) {
	k := serverKey{typ: r.typ, id: r.id, port: r.port}
	if !acceptsServerType(sg.typ, r.typ) {
		return k, errf(400, "Mismatch.ServerType", "The ServerType is mismatched for %s and %s.", r.typ, sg.typ)
	}
	switch r.typ {
	case ServerTypeFc:
		if !strings.HasPrefix(r.id, "acs:fc:") {
			return k, invalid(r.prefix+"ServerId", r.id)
		}
		k.port = 0
	case ServerTypeIP:
		a, err := netip.ParseAddr(r.id)
		if err != nil || a.Zone() != "" || (a.Is6() && !sg.ipv6) || strict && !isPrivateAddr(a) {
			return k, invalid(r.prefix+"ServerId", r.id)
		}
		if r.ip != "" && r.ip != r.id {
			return k, errf(400, "InvalidParameter", "The ServerIp %s of %s must be its ServerId.", truncate(r.ip, 64), r.prefix[:len(r.prefix)-1])
		}
		k.ip = a.String()
		k.id = k.ip
	default:
		b := st.backends[r.id]
		if b == nil || b.typ != r.typ {
			return k, errf(404, "ResourceNotFound."+r.typ, "The specified resource of %s is not found: %s.", r.typ, truncate(r.id, 64))
		}
		if b.VpcID != sg.vpcID {
			return k, errf(400, "Mismatch.VpcId", "The VpcId is mismatched for %s and %s.", b.ID, sg.id)
		}
		k.ip = b.PrivateIPs[0]
		if r.ip != "" {
			found := false
			for _, ip := range b.PrivateIPs {
				found = found || ip == r.ip
			}
			if !found {
				return k, errf(400, "InvalidParameter", "The ServerIp %s is not an address of %s.", truncate(r.ip, 64), b.ID)
			}
			k.ip = r.ip
		}
	}
	return k, nil
}

// isPrivateAddr reports an RFC 1918, RFC 6598 (100.64.0.0/10) or IPv6
// unique-local address (WithStrictIPServers).
func isPrivateAddr(a netip.Addr) bool {
	return a.IsPrivate() || netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}
