package alb

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// Rule identifiers of server groups and their servers, reported in
// [FieldError.Rule] by [ServerGroupSpec.Validate] and
// [CheckServerGroupEdition]. A server group also follows the instance's
// rules on names (RuleNameLength, RuleNameStartLetter, RuleNameCharset),
// IDs (RuleVPCIDFormat, RuleResourceGroupIDFormat), tags (RuleTag*),
// idempotency keys (RuleIdempotencyKey*) and RuleRequired. [Rules] lists
// every one with its source.
const (
	RuleServerGroupTypeEnum                   = "server-group-type-enum"
	RuleServerGroupProtocolEnum               = "server-group-protocol-enum"
	RuleServerGroupSchedulerEnum              = "server-group-scheduler-enum"
	RuleServerGroupURLHashFormat              = "server-group-url-hash-format"
	RuleServerGroupURLHashNeedsSch            = "server-group-url-hash-needs-sch"
	RuleServerGroupHealthCheckProtocolEnum    = "server-group-health-check-protocol-enum"
	RuleServerGroupHealthCheckPort            = "server-group-health-check-port"
	RuleServerGroupHealthCheckHost            = "server-group-health-check-host"
	RuleServerGroupHealthCheckPath            = "server-group-health-check-path"
	RuleServerGroupHealthCheckMethodEnum      = "server-group-health-check-method-enum"
	RuleServerGroupHealthCheckHTTPVersionEnum = "server-group-health-check-http-version-enum"
	RuleServerGroupHealthCheckCodesMax        = "server-group-health-check-codes-max"
	RuleServerGroupHealthCheckCodeFormat      = "server-group-health-check-code-format"
	RuleServerGroupHealthCheckInterval        = "server-group-health-check-interval"
	RuleServerGroupHealthCheckTimeout         = "server-group-health-check-timeout"
	RuleServerGroupHealthCheckThreshold       = "server-group-health-check-threshold"
	RuleServerGroupHealthCheckFieldProtocol   = "server-group-health-check-field-protocol"
	RuleServerGroupStickyTypeEnum             = "server-group-sticky-type-enum"
	RuleServerGroupStickyCookieTimeout        = "server-group-sticky-cookie-timeout"
	RuleServerGroupStickyCookieFormat         = "server-group-sticky-cookie-format"
	RuleServerGroupStickyCookieRequired       = "server-group-sticky-cookie-required"
	RuleServerGroupStickyFieldType            = "server-group-sticky-field-type"
	RuleServerGroupStickyNeedsCrossZone       = "server-group-sticky-needs-cross-zone"
	RuleServerGroupSlowStartRange             = "server-group-slow-start-range"
	RuleServerGroupSlowStartNeedsWrr          = "server-group-slow-start-needs-wrr"
	RuleServerGroupDrainTimeoutRange          = "server-group-drain-timeout-range"
	RuleServerGroupDrainTimeoutNeedsEnabled   = "server-group-drain-timeout-needs-enabled"
	RuleServerGroupIPVersionAffinityEnum      = "server-group-ip-version-affinity-enum"
	RuleServerGroupFcUnsupported              = "server-group-fc-unsupported"
	RuleServerGroupMembershipEnum             = "server-group-membership-enum"
	RuleServerGroupServersMax                 = "server-group-servers-max"

	// Rules that depend on the instance the group serves, checked when
	// the group is attached to a listener ([LevelAttach],
	// [CheckServerGroupEdition]).
	RuleServerGroupSlowStartEdition    = "server-group-slow-start-edition"
	RuleServerGroupDrainEdition        = "server-group-drain-edition"
	RuleServerGroupCrossZoneOffEdition = "server-group-cross-zone-off-edition"

	RuleServerTypeEnum           = "server-type-enum"
	RuleServerTypeMatchesGroup   = "server-type-matches-group"
	RuleServerPort               = "server-port-range"
	RuleServerWeight             = "server-weight-range"
	RuleServerDescription        = "server-description-format"
	RuleServerIPFormat           = "server-ip-format"
	RuleServerIPAddress          = "server-ip-id-format"
	RuleServerIPMatchesID        = "server-ip-matches-id"
	RuleServerIPv6NeedsIPv6Group = "server-ipv6-needs-ipv6-group"
	RuleServerFcARN              = "server-fc-arn"
	RuleServerFieldType          = "server-field-type"
	RuleServerUnique             = "server-unique"
	RuleServerIPAllOrNone        = "server-ip-all-or-none"
	RuleServerAbsentConflict     = "server-absent-conflict"
)

// serverGroupKind names a server group spec in a *ValidationError's message.
const serverGroupKind = "server group spec"

// Validate checks every rule that needs only the spec and returns nil or a
// *ValidationError listing all violations, with field paths such as
// "Servers[3].Weight" or "HealthCheck.IntervalSeconds". No API call is
// made. The rules that depend on the instance the group serves are
// checked by [CheckServerGroupEdition].
func (s ServerGroupSpec) Validate() error {
	v := &violations{}
	s.check(v)
	return v.errFor(reflect.TypeFor[ServerGroupSpec](), serverGroupKind)
}

// CheckServerGroupEdition checks the rules that depend on the edition of
// the instance whose listener uses the group: slow start, connection
// draining and cross-zone load balancing off need a Standard or
// WAF-enabled instance. It returns nil or a *ValidationError (rules at
// [LevelAttach]); it does not repeat [ServerGroupSpec.Validate].
func CheckServerGroupEdition(spec ServerGroupSpec, edition Edition) error {
	v := &violations{}
	switch {
	case !edition.Valid():
		v.add("Edition", RuleEditionEnum, "edition %q must be Basic, Standard or StandardWithWaf", edition)
	case edition == EditionBasic:
		if spec.SlowStartSeconds != 0 {
			v.add("SlowStartSeconds", RuleServerGroupSlowStartEdition, "slow start needs a Standard or WAF-enabled instance; the instance is Basic: upgrade it (UpgradeEdition) or turn slow start off")
		}
		if spec.ConnectionDrain.Enabled {
			v.add("ConnectionDrain.Enabled", RuleServerGroupDrainEdition, "connection draining needs a Standard or WAF-enabled instance; the instance is Basic: upgrade it (UpgradeEdition) or turn draining off")
		}
		if spec.DisableCrossZone {
			v.add("DisableCrossZone", RuleServerGroupCrossZoneOffEdition, "turning cross-zone load balancing off needs a Standard or WAF-enabled instance; the instance is Basic: upgrade it (UpgradeEdition) or leave cross-zone on")
		}
	}
	return v.errFor(reflect.TypeFor[ServerGroupSpec](), serverGroupKind)
}

func (s ServerGroupSpec) check(v *violations) {
	if err := specValidator().Struct(s); err != nil {
		var ves validator.ValidationErrors
		if errors.As(err, &ves) {
			for _, fe := range ves {
				field := strings.TrimPrefix(fe.Namespace(), "ServerGroupSpec.")
				rule, msg := describeServerGroup(field, fe)
				v.add(field, rule, "%s", msg)
			}
		} else {
			v.add("", RuleRequired, "spec could not be validated: %v", err)
		}
	}
	typ := s.groupType()
	fc := typ == ServerGroupFc
	validType := typ == ServerGroupInstance || typ == ServerGroupIP || fc
	if validType && !fc && s.VPCID == "" {
		v.add("VPCID", RuleRequired, "VPCID is required for a server group of type %s: only servers of that VPC can be added", typ)
	}
	if fc {
		fcOnly := func(field, what string) {
			v.add(field, RuleServerGroupFcUnsupported, "a server group of type Fc has no %s: remove it", what)
		}
		if s.VPCID != "" {
			fcOnly("VPCID", "VPC (Function Compute functions are not in a VPC)")
		}
		if s.Protocol != "" && s.protocol() != BackendHTTP && validBackendProtocol(s.Protocol) {
			v.add("Protocol", RuleServerGroupFcUnsupported, "a server group of type Fc speaks HTTP only, not %s", s.Protocol)
		}
		if s.Scheduler != "" {
			fcOnly("Scheduler", "scheduler")
		}
		if s.URLHashParameter != "" {
			fcOnly("URLHashParameter", "URL hash")
		}
		if s.StickySession.Type != "" {
			fcOnly("StickySession.Type", "session persistence")
		}
		if s.SlowStartSeconds != 0 {
			fcOnly("SlowStartSeconds", "slow start")
		}
		if s.ConnectionDrain.Enabled {
			fcOnly("ConnectionDrain.Enabled", "connection draining")
		}
		if s.DisableCrossZone {
			v.add("DisableCrossZone", RuleServerGroupFcUnsupported, "cross-zone load balancing cannot be turned off for a server group of type Fc")
		}
	} else {
		sch := s.scheduler()
		validSch := sch == SchedulerWrr || sch == SchedulerWlc || hashes(sch)
		if s.URLHashParameter != "" && validSch && !hashes(sch) {
			v.add("URLHashParameter", RuleServerGroupURLHashNeedsSch, "a URL hash parameter is a hash factor of the Sch scheduler; the scheduler is %s: use WithURLHash (scheduler Sch)", sch)
		}
		if s.SlowStartSeconds != 0 && validSch && sch != SchedulerWrr {
			v.add("SlowStartSeconds", RuleServerGroupSlowStartNeedsWrr, "slow start works only with the Wrr scheduler, not %s", sch)
		}
		if s.StickySession.Type != "" && s.DisableCrossZone {
			v.add("StickySession.Type", RuleServerGroupStickyNeedsCrossZone, "session persistence cannot be enabled while cross-zone load balancing is off")
		}
	}
	st := s.StickySession
	switch st.Type {
	case "":
		if st.CookieTimeoutSeconds != 0 {
			v.add("StickySession.CookieTimeoutSeconds", RuleServerGroupStickyFieldType, "a cookie timeout needs session persistence of type Insert")
		}
		if st.Cookie != "" {
			v.add("StickySession.Cookie", RuleServerGroupStickyFieldType, "a cookie name needs session persistence of type Server")
		}
	case StickyInsert:
		if st.Cookie != "" {
			v.add("StickySession.Cookie", RuleServerGroupStickyFieldType, "a cookie name applies to session persistence of type Server, not Insert (ALB inserts its own SERVERID cookie)")
		}
	case StickyServer:
		if st.CookieTimeoutSeconds != 0 {
			v.add("StickySession.CookieTimeoutSeconds", RuleServerGroupStickyFieldType, "a cookie timeout applies to session persistence of type Insert, not Server (the application's cookie has its own)")
		}
		if st.Cookie == "" {
			v.add("StickySession.Cookie", RuleServerGroupStickyCookieRequired, "session persistence of type Server needs the name of the application's cookie")
		}
	}
	if !s.ConnectionDrain.Enabled && s.ConnectionDrain.TimeoutSeconds != 0 {
		v.add("ConnectionDrain.TimeoutSeconds", RuleServerGroupDrainTimeoutNeedsEnabled, "a drain timeout applies only with connection draining enabled")
	}
	s.HealthCheck.check(v)
	checkTags(v, s.Tags, "a server group")
	s.checkServers(v, validType)
}

func validBackendProtocol(p BackendProtocol) bool {
	switch p {
	case BackendHTTP, BackendHTTPS, BackendGRPC, "GRPC":
		return true
	}
	return false
}

// check applies the health check's rules that depend on its protocol.
func (h HealthCheck) check(v *violations) {
	p := normalizeHealthCheckProtocol(h.Protocol)
	switch p {
	case HealthCheckHTTP, HealthCheckHTTPS, HealthCheckTCP, HealthCheckGRPC:
	default:
		return // the enum rule reported it
	}
	unused := func(field, what string, set bool) {
		if set {
			v.add("HealthCheck."+field, RuleServerGroupHealthCheckFieldProtocol, "a health check of protocol %s has no %s: remove it", p, what)
		}
	}
	if p == HealthCheckTCP {
		unused("Method", "method", h.Method != "")
		unused("Host", "host", h.Host != "")
		unused("Codes", "codes", len(h.Codes) > 0)
	}
	if p == HealthCheckTCP || p == HealthCheckGRPC {
		unused("Path", "path", h.Path != "")
		unused("HTTPVersion", "HTTP version", h.HTTPVersion != "")
	}
	if p == HealthCheckTCP {
		return
	}
	for i, c := range h.Codes {
		if !validHealthCheckCode(p, c) {
			want := "http_2xx, http_3xx, http_4xx or http_5xx"
			if p == HealthCheckGRPC {
				want = "a gRPC status code 0-99 or a range of two such codes such as 0-5"
			}
			v.add(fmt.Sprintf("HealthCheck.Codes[%d]", i), RuleServerGroupHealthCheckCodeFormat, "health check code %q is not valid for protocol %s: use %s", c, p, want)
		}
	}
}

// validHealthCheckCode: http_2xx … http_5xx for HTTP and HTTPS; for gRPC a
// number 0–99 (one or two digits) or a range of two such numbers, low
// first ("0-5").
func validHealthCheckCode(p HealthCheckProtocol, code string) bool {
	if p != HealthCheckGRPC {
		switch code {
		case "http_2xx", "http_3xx", "http_4xx", "http_5xx":
			return true
		}
		return false
	}
	num := func(s string) (int, bool) {
		if len(s) < 1 || len(s) > 2 || s[0] < '0' || s[0] > '9' || s[len(s)-1] < '0' || s[len(s)-1] > '9' {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	lo, hi, isRange := strings.Cut(code, "-")
	a, ok := num(lo)
	if !isRange {
		return ok
	}
	b, ok2 := num(hi)
	return ok && ok2 && a <= b
}

// serverKey is a server's identity: type, normalised ID, port and
// normalised address ("" for the primary address of an Ecs, Eni or Eci
// server; the address itself for an Ip server).
type serverKey struct {
	typ  ServerType
	id   string
	port int
	ip   string
}

// key is s's identity.
func (s Server) key() serverKey {
	k := serverKey{typ: s.Type, id: s.ID, port: s.Port, ip: normalizeIP(s.IP)}
	switch s.Type {
	case ServerTypeIP:
		k.id = normalizeIP(s.ID)
		k.ip = k.id
	case ServerTypeFc:
		k.port, k.ip = 0, ""
	}
	return k
}

// base is the identity without the address.
func (k serverKey) base() serverKey { k.ip = ""; return k }

// overlaps reports whether two identities can name one member: the same
// base and the same address, or no address on one side.
func (k serverKey) overlaps(o serverKey) bool {
	return k.base() == o.base() && (k.ip == o.ip || k.ip == "" || o.ip == "")
}

// normalizeIP returns the canonical form of an IP address, or s itself if
// it is not one.
func normalizeIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}

func (s ServerGroupSpec) checkServers(v *violations, validType bool) {
	seen := map[serverKey][]int{} // base identity → indices in Servers
	for i, sv := range s.Servers {
		p := fmt.Sprintf("Servers[%d]", i)
		if !s.checkServer(v, p, sv, validType) {
			continue
		}
		k := sv.key()
		for _, j := range seen[k.base()] {
			if o := s.Servers[j].key(); o.overlaps(k) {
				if o.ip == k.ip {
					v.add(p, RuleServerUnique, "server %s is already listed at Servers[%d]", sv, j)
				} else {
					v.add(p+".IP", RuleServerIPAllOrNone, "server %s and Servers[%d] (%s) may name the same member (an empty IP is the primary address): give the IP of every entry of %s port %d, or of none", sv, j, s.Servers[j], sv.ID, sv.Port)
				}
				break
			}
		}
		seen[k.base()] = append(seen[k.base()], i)
	}
	absent := map[serverKey][]int{}
	for i, sv := range s.AbsentServers {
		p := fmt.Sprintf("AbsentServers[%d]", i)
		if !s.checkServer(v, p, sv, validType) {
			continue
		}
		k := sv.key()
		for _, j := range seen[k.base()] {
			if s.Servers[j].key().overlaps(k) {
				v.add(p, RuleServerAbsentConflict, "server %s must be absent but is listed at Servers[%d]", sv, j)
				break
			}
		}
		for _, j := range absent[k.base()] {
			if s.AbsentServers[j].key() == k {
				v.add(p, RuleServerUnique, "server %s is already listed at AbsentServers[%d]", sv, j)
				break
			}
		}
		absent[k.base()] = append(absent[k.base()], i)
	}
}

// checkServer applies the cross-field rules of one server at path p and
// reports whether its type is known (its identity can be compared).
func (s ServerGroupSpec) checkServer(v *violations, p string, sv Server, validType bool) bool {
	switch sv.Type {
	case ServerTypeECS, ServerTypeENI, ServerTypeECI, ServerTypeIP, ServerTypeFc:
	default:
		return false // required or enum reported it
	}
	typ := s.groupType()
	if validType && sv.Type.groupType() != typ {
		v.add(p+".Type", RuleServerTypeMatchesGroup, "a server group of type %s takes servers of type %s, not %s", typ, typeMembers(typ), sv.Type)
	}
	fc := sv.Type == ServerTypeFc
	switch {
	case fc && sv.Port != 0:
		v.add(p+".Port", RuleServerFieldType, "a Function Compute server has no port: remove it")
	case !fc && sv.Port == 0:
		v.add(p+".Port", RuleServerPort, "port is required: 1-65535")
	}
	if fc && sv.Weight != 0 {
		v.add(p+".Weight", RuleServerFieldType, "a Function Compute server has no weight: remove it")
	}
	if fc && sv.IP != "" {
		v.add(p+".IP", RuleServerFieldType, "a Function Compute server has no IP address: remove it")
	}
	if sv.RemoteIP && sv.Type != ServerTypeIP {
		v.add(p+".RemoteIP", RuleServerFieldType, "remote IP applies only to servers of type Ip")
	}
	ipv6 := func(field string, a netip.Addr) {
		if a.Is6() && !s.IPv6 {
			v.add(p+"."+field, RuleServerIPv6NeedsIPv6Group, "IPv6 address %s needs a server group with IPv6 enabled (IPv6, fixed at creation)", a)
		}
	}
	var ipAddr netip.Addr
	if a, err := netip.ParseAddr(sv.IP); err == nil && a.Zone() == "" {
		ipAddr = a
		ipv6("IP", a)
	}
	switch sv.Type {
	case ServerTypeIP:
		a, err := netip.ParseAddr(sv.ID)
		if sv.ID != "" && (err != nil || a.Zone() != "") {
			v.add(p+".ID", RuleServerIPAddress, "the ID of a server of type Ip is its IP address; %q is not one", sv.ID)
			break
		}
		if sv.ID == "" {
			break
		}
		if sv.IP != "" && sv.IP != sv.ID {
			v.add(p+".IP", RuleServerIPMatchesID, "the IP of a server of type Ip is its ID %q as written, not %q: leave it empty", sv.ID, sv.IP)
		}
		if !ipAddr.IsValid() || ipAddr != a {
			ipv6("ID", a)
		}
	case ServerTypeFc:
		if sv.ID != "" && !strings.HasPrefix(sv.ID, "acs:fc:") {
			v.add(p+".ID", RuleServerFcARN, "the ID of a Function Compute server is the function's ARN (acs:fc:…), not %q", sv.ID)
		}
	}
	return true
}

// typeMembers names the server types a group type takes.
func typeMembers(t ServerGroupType) string {
	switch t {
	case ServerGroupIP:
		return "Ip"
	case ServerGroupFc:
		return "Fc"
	}
	return "Ecs, Eni or Eci"
}

// registerServerGroupTags registers the validator tags of the server group
// spec (called by specValidator).
func registerServerGroupTags(must func(error), v *validator.Validate) {
	must(v.RegisterValidation("alb_hchost", func(fl validator.FieldLevel) bool {
		return validHealthCheckHost(fl.Field().String())
	}))
	must(v.RegisterValidation("alb_hcpath", func(fl validator.FieldLevel) bool {
		return validHealthCheckPath(fl.Field().String())
	}))
	must(v.RegisterValidation("alb_cookie", func(fl validator.FieldLevel) bool {
		return validCookie(fl.Field().String())
	}))
	must(v.RegisterValidation("alb_description", func(fl validator.FieldLevel) bool {
		return validServerDescription(fl.Field().String())
	}))
	must(v.RegisterValidation("alb_ip", func(fl validator.FieldLevel) bool {
		a, err := netip.ParseAddr(fl.Field().String())
		return err == nil && a.Zone() == ""
	}))
}

// validHealthCheckPath: 1–80 characters, starting with '/', of letters,
// digits and - / . % ? # & = _ ; ~ ! ( ) * [ ] @ $ ^ : " , + (SDK
// CreateServerGroup HealthCheckPath).
func validHealthCheckPath(s string) bool {
	if len(s) < 1 || len(s) > 80 || s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isASCIILetterOrDigit(c) || strings.IndexByte(`-/.%?#&=_;~!()*[]@$^:",+`, c) >= 0) {
			return false
		}
	}
	return true
}

// validHealthCheckHost: "$SERVER_IP" (the server's address), or a domain of
// 1–80 letters, digits, '-' and '.', with at least one dot, not starting
// or ending with '.' or '-', whose last label has letters only (SDK
// CreateServerGroup HealthCheckHost; capitals are taken: GUESS from the
// template reference's "letters" and the Terraform provider's acceptance
// test, so that a group it created reads back into a valid spec).
func validHealthCheckHost(s string) bool {
	if s == "$SERVER_IP" {
		return true
	}
	if len(s) < 1 || len(s) > 80 || !strings.Contains(s, ".") || strings.Trim(s, ".-") != s {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isASCIILetterOrDigit(c) || c == '-' || c == '.') {
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
// not starting with '$' (SDK StickySessionConfig.Cookie).
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

// validServerDescription: 2–256 characters (valid UTF-8), not starting
// with http:// or https:// (SDK AddServersToServerGroup Description).
func validServerDescription(s string) bool {
	n := utf8.RuneCountInString(s)
	ls := strings.ToLower(s)
	return utf8.ValidString(s) && n >= 2 && n <= 256 && !strings.HasPrefix(ls, "http://") && !strings.HasPrefix(ls, "https://")
}

func isASCIILetterOrDigit(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// describeServerGroup maps a go-playground field error of a server group
// spec to albkit's rule and message; the rules shared with instances
// (name, IDs, tags, idempotency key) are the instance's.
func describeServerGroup(field string, fe validator.FieldError) (rule, msg string) {
	generic := indexPattern.ReplaceAllString(field, "")
	val := fmt.Sprintf("%v", fe.Value())
	switch generic + ":" + fe.Tag() {
	case "Name:required", "Servers.Type:required", "Servers.ID:required", "AbsentServers.Type:required", "AbsentServers.ID:required":
		return RuleRequired, fmt.Sprintf("%s is required", lastPart(field))
	case "Type:oneof":
		return RuleServerGroupTypeEnum, fmt.Sprintf("server group type %q must be Instance, Ip or Fc", val)
	case "Protocol:oneof":
		return RuleServerGroupProtocolEnum, fmt.Sprintf("backend protocol %q must be HTTP, HTTPS or gRPC", val)
	case "Scheduler:oneof":
		return RuleServerGroupSchedulerEnum, fmt.Sprintf("scheduler %q must be Wrr, Wlc or Sch (or Uch)", val)
	case "URLHashParameter:max", "URLHashParameter:ascii":
		return RuleServerGroupURLHashFormat, fmt.Sprintf("URL hash parameter %q must be 1 to 100 ASCII characters", val)
	case "HealthCheck.Protocol:oneof":
		return RuleServerGroupHealthCheckProtocolEnum, fmt.Sprintf("health check protocol %q must be HTTP, HTTPS, TCP or gRPC", val)
	case "HealthCheck.Port:min", "HealthCheck.Port:max":
		return RuleServerGroupHealthCheckPort, fmt.Sprintf("health check port %s must be 0 (the server's port) to 65535", val)
	case "HealthCheck.Host:alb_hchost":
		return RuleServerGroupHealthCheckHost, fmt.Sprintf("health check host %q must be $SERVER_IP or a domain of 1-80 letters, digits, '-' and '.' with at least one dot, not starting or ending with '.' or '-', whose last label has letters only", val)
	case "HealthCheck.Path:alb_hcpath":
		return RuleServerGroupHealthCheckPath, fmt.Sprintf("health check path %q must be 1-80 characters starting with '/', of letters, digits and - / . %% ? # & = _ ; ~ ! ( ) * [ ] @ $ ^ : \" , +", val)
	case "HealthCheck.Method:oneof":
		return RuleServerGroupHealthCheckMethodEnum, fmt.Sprintf("health check method %q must be GET, POST or HEAD", val)
	case "HealthCheck.HTTPVersion:oneof":
		return RuleServerGroupHealthCheckHTTPVersionEnum, fmt.Sprintf("health check HTTP version %q must be HTTP1.0 or HTTP1.1", val)
	case "HealthCheck.Codes:max":
		return RuleServerGroupHealthCheckCodesMax, fmt.Sprintf("%d health check codes given; at most 20 are allowed", reflect.ValueOf(fe.Value()).Len())
	case "HealthCheck.IntervalSeconds:min", "HealthCheck.IntervalSeconds:max":
		return RuleServerGroupHealthCheckInterval, fmt.Sprintf("health check interval %s s must be 1 to 50 (0: the default, 2)", val)
	case "HealthCheck.TimeoutSeconds:min", "HealthCheck.TimeoutSeconds:max":
		return RuleServerGroupHealthCheckTimeout, fmt.Sprintf("health check timeout %s s must be 1 to 300 (0: the default, 5)", val)
	case "HealthCheck.HealthyThreshold:min", "HealthCheck.HealthyThreshold:max", "HealthCheck.UnhealthyThreshold:min", "HealthCheck.UnhealthyThreshold:max":
		return RuleServerGroupHealthCheckThreshold, fmt.Sprintf("%s %s must be 2 to 10 (0: the default, 3)", lastPart(field), val)
	case "StickySession.Type:oneof":
		return RuleServerGroupStickyTypeEnum, fmt.Sprintf("session persistence type %q must be Insert or Server", val)
	case "StickySession.CookieTimeoutSeconds:min", "StickySession.CookieTimeoutSeconds:max":
		return RuleServerGroupStickyCookieTimeout, fmt.Sprintf("cookie timeout %s s must be 1 to 86400 (0: the default, 1000)", val)
	case "StickySession.Cookie:alb_cookie":
		return RuleServerGroupStickyCookieFormat, fmt.Sprintf("cookie %q must be 1-200 printable ASCII characters without ',', ';' or space, not starting with '$'", val)
	case "SlowStartSeconds:min", "SlowStartSeconds:max":
		return RuleServerGroupSlowStartRange, fmt.Sprintf("slow start %s s must be 30 to 900 (0: no slow start)", val)
	case "ConnectionDrain.TimeoutSeconds:min", "ConnectionDrain.TimeoutSeconds:max":
		return RuleServerGroupDrainTimeoutRange, fmt.Sprintf("connection drain timeout %s s must be 0 to 900", val)
	case "IPVersionAffinity:oneof":
		return RuleServerGroupIPVersionAffinityEnum, fmt.Sprintf("IP version affinity %q must be Affinity or NonAffinity", val)
	case "Membership:oneof":
		return RuleServerGroupMembershipEnum, fmt.Sprintf("membership %q must be Owned or Shared", val)
	case "Servers:max":
		return RuleServerGroupServersMax, fmt.Sprintf("%d servers given; a server group takes at most %d", reflect.ValueOf(fe.Value()).Len(), MaxServersPerGroup)
	case "Servers.Type:oneof", "AbsentServers.Type:oneof":
		return RuleServerTypeEnum, fmt.Sprintf("server type %q must be Ecs, Eni, Eci, Ip or Fc", val)
	case "Servers.Port:min", "Servers.Port:max", "AbsentServers.Port:min", "AbsentServers.Port:max":
		return RuleServerPort, fmt.Sprintf("port %s must be 1 to 65535", val)
	case "Servers.Weight:min", "Servers.Weight:max", "AbsentServers.Weight:min", "AbsentServers.Weight:max":
		return RuleServerWeight, fmt.Sprintf("weight %s must be 0 (no new requests) to 100", val)
	case "Servers.Description:alb_description", "AbsentServers.Description:alb_description":
		return RuleServerDescription, fmt.Sprintf("description %q must be 2 to 256 characters and must not start with http:// or https://", val)
	case "Servers.IP:alb_ip", "AbsentServers.IP:alb_ip":
		return RuleServerIPFormat, fmt.Sprintf("server IP %q must be an IPv4 or IPv6 address", val)
	}
	return describe(field, fe)
}
