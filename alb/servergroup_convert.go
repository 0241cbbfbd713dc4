package alb

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// Conversions between server group specs and the SDK. Every request
// carries only what the spec configures (an unconfigured feature is left
// out, never sent as a JSON null or an empty object), so the service
// applies its own defaults; the values it would default are spelled out
// where albkit compares them (DiffServerGroup).

// uchQueryString is the only UchConfig type (SDK CreateServerGroup).
const uchQueryString = "QueryString"

// Digest returns a short, stable hash of the CreateServerGroup request the
// spec makes (not the idempotency key, not the servers, which are added
// after the create): two specs with the same digest create the same group.
// Tag order does not matter. albkit tags the groups it creates with it
// ([SpecTagKey]).
func (s ServerGroupSpec) Digest() string {
	n := s
	n.IdempotencyKey = ""
	n.Tags = slices.Clone(s.Tags)
	slices.SortFunc(n.Tags, func(a, b Tag) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value)) })
	req := n.request("", false)
	req.ClientToken = nil
	b, _ := json.Marshal(req) // plain struct: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// createRequest converts a validated spec into the SDK request, with the
// ClientToken token and albkit's two tags (the idempotency key and the spec
// digest).
func (s ServerGroupSpec) createRequest(key, token string, dryRun bool) *albsdk.CreateServerGroupRequest {
	req := s.request(token, dryRun)
	req.Tag = append(req.Tag,
		&albsdk.CreateServerGroupRequestTag{Key: dara.String(TokenTagKey), Value: dara.String(key)},
		&albsdk.CreateServerGroupRequestTag{Key: dara.String(SpecTagKey), Value: dara.String(s.Digest())})
	return req
}

// request is the SDK request for the spec alone, without albkit's tags.
func (s ServerGroupSpec) request(token string, dryRun bool) *albsdk.CreateServerGroupRequest {
	typ := s.groupType()
	req := &albsdk.CreateServerGroupRequest{
		ServerGroupName:   dara.String(s.Name),
		ServerGroupType:   dara.String(string(typ)),
		HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{},
		ClientToken:       dara.String(token),
	}
	convert(s.HealthCheck.wire(false), req.HealthCheckConfig)
	if s.VPCID != "" {
		req.VpcId = dara.String(s.VPCID)
	}
	if typ != ServerGroupFc || s.Protocol != "" {
		req.Protocol = dara.String(string(s.protocol()))
	}
	if sch := s.scheduler(); sch != "" {
		req.Scheduler = dara.String(string(sch))
	} else if s.Scheduler != "" {
		req.Scheduler = dara.String(string(s.Scheduler))
	}
	if s.URLHashParameter != "" {
		req.UchConfig = &albsdk.CreateServerGroupRequestUchConfig{Type: dara.String(uchQueryString), Value: dara.String(s.URLHashParameter)}
	}
	if s.StickySession.Type != "" {
		req.StickySessionConfig = &albsdk.CreateServerGroupRequestStickySessionConfig{}
		convert(s.StickySession.wire(), req.StickySessionConfig)
	}
	if s.SlowStartSeconds != 0 {
		req.SlowStartConfig = &albsdk.CreateServerGroupRequestSlowStartConfig{}
		convert(slowStartWire(s.SlowStartSeconds), req.SlowStartConfig)
	}
	if s.ConnectionDrain.Enabled {
		req.ConnectionDrainConfig = &albsdk.CreateServerGroupRequestConnectionDrainConfig{}
		convert(s.ConnectionDrain.wire(), req.ConnectionDrainConfig)
	}
	if s.DisableCrossZone {
		req.CrossZoneEnabled = dara.Bool(false)
	}
	if s.IPv6 {
		req.Ipv6Enabled = dara.Bool(true)
	}
	if s.IPVersionAffinity != "" {
		req.IpVersionAffinityMode = dara.String(string(s.IPVersionAffinity))
	}
	if s.UpstreamKeepalive {
		req.UpstreamKeepaliveEnabled = dara.Bool(true)
	}
	if s.ResourceGroupID != "" {
		req.ResourceGroupId = dara.String(s.ResourceGroupID)
	}
	for _, t := range s.Tags {
		req.Tag = append(req.Tag, &albsdk.CreateServerGroupRequestTag{Key: dara.String(t.Key), Value: dara.String(t.Value)})
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

// convert copies a wire struct into the SDK's struct of the same JSON
// shape (the SDK has one type per operation for the same object).
func convert(from, to any) {
	b, err := json.Marshal(from)
	if err == nil {
		err = json.Unmarshal(b, to)
	}
	if err != nil {
		panic("alb: converting " + string(b) + ": " + err.Error()) // plain structs of the same shape: cannot happen
	}
}

// hcWire is HealthCheckConfig on the wire.
type hcWire struct {
	HealthCheckCodes       []string `json:"HealthCheckCodes,omitempty"`
	HealthCheckConnectPort *int32   `json:"HealthCheckConnectPort,omitempty"`
	HealthCheckEnabled     *bool    `json:"HealthCheckEnabled,omitempty"`
	HealthCheckHost        *string  `json:"HealthCheckHost,omitempty"`
	HealthCheckHttpVersion *string  `json:"HealthCheckHttpVersion,omitempty"`
	HealthCheckInterval    *int32   `json:"HealthCheckInterval,omitempty"`
	HealthCheckMethod      *string  `json:"HealthCheckMethod,omitempty"`
	HealthCheckPath        *string  `json:"HealthCheckPath,omitempty"`
	HealthCheckProtocol    *string  `json:"HealthCheckProtocol,omitempty"`
	HealthCheckTimeout     *int32   `json:"HealthCheckTimeout,omitempty"`
	HealthyThreshold       *int32   `json:"HealthyThreshold,omitempty"`
	UnhealthyThreshold     *int32   `json:"UnhealthyThreshold,omitempty"`
}

// wire is the health check on the wire: Enabled always; when enabled, the
// fields the spec sets, or (full) every field with the service's defaults
// spelled out (Host and Path only when set).
func (h HealthCheck) wire(full bool) hcWire {
	w := hcWire{HealthCheckEnabled: dara.Bool(h.Enabled)}
	if !h.Enabled {
		return w
	}
	e := h
	if full {
		e = h.effective()
	}
	str := func(v string) *string {
		if v == "" {
			return nil
		}
		return dara.String(v)
	}
	num := func(v int) *int32 {
		if v == 0 && !full {
			return nil
		}
		return dara.Int32(int32(v))
	}
	if e.Protocol != "" {
		w.HealthCheckProtocol = dara.String(string(normalizeHealthCheckProtocol(e.Protocol)))
	}
	w.HealthCheckConnectPort = num(e.Port)
	w.HealthCheckInterval = num(e.IntervalSeconds)
	w.HealthCheckTimeout = num(e.TimeoutSeconds)
	w.HealthyThreshold = num(e.HealthyThreshold)
	w.UnhealthyThreshold = num(e.UnhealthyThreshold)
	w.HealthCheckHost, w.HealthCheckPath = str(e.Host), str(e.Path)
	w.HealthCheckMethod, w.HealthCheckHttpVersion = str(e.Method), str(e.HTTPVersion)
	w.HealthCheckCodes = slices.Clone(e.Codes)
	return w
}

// effective is the health check with every default spelled out, and
// without the fields its protocol does not use; Host and Path stay as set.
// Codes are sorted. A disabled check is HealthCheck{}.
func (h HealthCheck) effective() HealthCheck {
	if !h.Enabled {
		return HealthCheck{}
	}
	p := normalizeHealthCheckProtocol(h.Protocol)
	e := HealthCheck{
		Enabled: true, Protocol: p, Port: h.Port, Host: h.Host, Path: h.Path,
		IntervalSeconds:    cmp.Or(h.IntervalSeconds, DefaultHealthCheckIntervalSeconds),
		TimeoutSeconds:     cmp.Or(h.TimeoutSeconds, DefaultHealthCheckTimeoutSeconds),
		HealthyThreshold:   cmp.Or(h.HealthyThreshold, DefaultHealthyThreshold),
		UnhealthyThreshold: cmp.Or(h.UnhealthyThreshold, DefaultUnhealthyThreshold),
	}
	switch p {
	case HealthCheckTCP:
		e.Host, e.Path = "", ""
	case HealthCheckGRPC:
		e.Path = ""
		e.Method = cmp.Or(h.Method, "POST")
		e.Codes = slices.Clone(h.Codes)
		if len(e.Codes) == 0 {
			e.Codes = []string{"0"}
		}
	default:
		e.Method = cmp.Or(h.Method, "HEAD")
		e.HTTPVersion = cmp.Or(h.HTTPVersion, "HTTP1.1")
		e.Codes = slices.Clone(h.Codes)
		if len(e.Codes) == 0 {
			e.Codes = []string{"http_2xx"}
		}
	}
	slices.Sort(e.Codes)
	e.Codes = slices.Compact(e.Codes)
	return e
}

// stickyWire is StickySessionConfig on the wire.
type stickyWire struct {
	Cookie               *string `json:"Cookie,omitempty"`
	CookieTimeout        *int32  `json:"CookieTimeout,omitempty"`
	StickySessionEnabled *bool   `json:"StickySessionEnabled,omitempty"`
	StickySessionType    *string `json:"StickySessionType,omitempty"`
}

// wire is session persistence on the wire: enabled with its type and
// cookie settings, or only StickySessionEnabled=false.
func (st StickySession) wire() stickyWire {
	if st.Type == "" {
		return stickyWire{StickySessionEnabled: dara.Bool(false)}
	}
	w := stickyWire{StickySessionEnabled: dara.Bool(true), StickySessionType: dara.String(string(st.Type))}
	if st.Type == StickyInsert && st.CookieTimeoutSeconds != 0 {
		w.CookieTimeout = dara.Int32(int32(st.CookieTimeoutSeconds))
	}
	if st.Type == StickyServer {
		w.Cookie = dara.String(st.Cookie)
	}
	return w
}

// effective is session persistence with the default cookie timeout
// spelled out.
func (st StickySession) effective() StickySession {
	switch st.Type {
	case StickyInsert:
		return StickySession{Type: StickyInsert, CookieTimeoutSeconds: cmp.Or(st.CookieTimeoutSeconds, DefaultStickyCookieTimeoutSeconds)}
	case StickyServer:
		return StickySession{Type: StickyServer, Cookie: st.Cookie}
	}
	return StickySession{}
}

type slowStartW struct {
	SlowStartDuration *int32 `json:"SlowStartDuration,omitempty"`
	SlowStartEnabled  *bool  `json:"SlowStartEnabled,omitempty"`
}

func slowStartWire(seconds int) slowStartW {
	if seconds == 0 {
		return slowStartW{SlowStartEnabled: dara.Bool(false)}
	}
	return slowStartW{SlowStartEnabled: dara.Bool(true), SlowStartDuration: dara.Int32(int32(seconds))}
}

type drainWire struct {
	ConnectionDrainEnabled *bool  `json:"ConnectionDrainEnabled,omitempty"`
	ConnectionDrainTimeout *int32 `json:"ConnectionDrainTimeout,omitempty"`
}

func (d ConnectionDrain) wire() drainWire {
	if !d.Enabled {
		return drainWire{ConnectionDrainEnabled: dara.Bool(false)}
	}
	return drainWire{ConnectionDrainEnabled: dara.Bool(true), ConnectionDrainTimeout: dara.Int32(int32(d.TimeoutSeconds))}
}

func (d ConnectionDrain) effective() ConnectionDrain {
	if !d.Enabled {
		return ConnectionDrain{}
	}
	return d
}

// Attribute names of [AttributeChange.Field]: the fields of
// ServerGroupSpec that UpdateServerGroupAttribute changes.
const (
	attrName              = "Name"
	attrScheduler         = "Scheduler"
	attrURLHash           = "URLHashParameter"
	attrHealthCheck       = "HealthCheck"
	attrSticky            = "StickySession"
	attrSlowStart         = "SlowStartSeconds"
	attrDrain             = "ConnectionDrain"
	attrCrossZone         = "DisableCrossZone"
	attrIPVersionAffinity = "IPVersionAffinity"
	attrKeepalive         = "UpstreamKeepalive"
)

// updateAttributeRequest is the UpdateServerGroupAttribute request that
// makes group id match spec in the attributes of changes (nil when there
// are none). Each attribute is sent whole from the spec, with the
// service's defaults spelled out (a value left out of an update keeps the
// group's, it does not go back to the default); a health check is sent
// with only its changed fields, unless it is being enabled or its protocol
// changes: then with every field (the service resets the fields a protocol
// decides when the protocol changes).
func updateAttributeRequest(id string, spec ServerGroupSpec, changes []AttributeChange, token string, dryRun bool) *albsdk.UpdateServerGroupAttributeRequest {
	if len(changes) == 0 {
		return nil
	}
	req := &albsdk.UpdateServerGroupAttributeRequest{ServerGroupId: dara.String(id)}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	var hcFields []string
	for _, ch := range changes {
		attr, sub, _ := cutField(ch.Field)
		switch attr {
		case attrName:
			req.ServerGroupName = dara.String(spec.Name)
		case attrScheduler:
			req.Scheduler = dara.String(string(spec.scheduler()))
		case attrURLHash:
			req.UchConfig = &albsdk.UpdateServerGroupAttributeRequestUchConfig{Type: dara.String(uchQueryString), Value: dara.String(spec.URLHashParameter)}
		case attrHealthCheck:
			hcFields = append(hcFields, sub)
		case attrSticky: // with the default cookie timeout spelled out: leaving it out keeps the group's
			req.StickySessionConfig = &albsdk.UpdateServerGroupAttributeRequestStickySessionConfig{}
			convert(spec.StickySession.effective().wire(), req.StickySessionConfig)
		case attrSlowStart:
			req.SlowStartConfig = &albsdk.UpdateServerGroupAttributeRequestSlowStartConfig{}
			convert(slowStartWire(spec.SlowStartSeconds), req.SlowStartConfig)
		case attrDrain:
			req.ConnectionDrainConfig = &albsdk.UpdateServerGroupAttributeRequestConnectionDrainConfig{}
			convert(spec.ConnectionDrain.wire(), req.ConnectionDrainConfig)
		case attrCrossZone:
			req.CrossZoneEnabled = dara.Bool(!spec.DisableCrossZone)
		case attrIPVersionAffinity:
			req.IpVersionAffinityMode = dara.String(string(spec.IPVersionAffinity))
		case attrKeepalive:
			req.UpstreamKeepaliveEnabled = dara.Bool(spec.UpstreamKeepalive)
		}
	}
	if len(hcFields) > 0 {
		req.HealthCheckConfig = &albsdk.UpdateServerGroupAttributeRequestHealthCheckConfig{}
		convert(healthCheckUpdate(spec.HealthCheck, hcFields), req.HealthCheckConfig)
	}
	return req
}

// healthCheckUpdate is the HealthCheckConfig of an update whose changed
// fields are fields (names of HealthCheck's fields).
func healthCheckUpdate(h HealthCheck, fields []string) hcWire {
	full := h.wire(true)
	if !h.Enabled {
		return full // HealthCheckEnabled=false alone
	}
	if slices.Contains(fields, "Enabled") || slices.Contains(fields, "Protocol") {
		return full
	}
	w := hcWire{HealthCheckEnabled: dara.Bool(true)}
	for _, f := range fields {
		switch f {
		case "Port":
			w.HealthCheckConnectPort = full.HealthCheckConnectPort
		case "Host":
			w.HealthCheckHost = full.HealthCheckHost
		case "Path":
			w.HealthCheckPath = full.HealthCheckPath
		case "Method":
			w.HealthCheckMethod = full.HealthCheckMethod
		case "HTTPVersion":
			w.HealthCheckHttpVersion = full.HealthCheckHttpVersion
		case "Codes":
			w.HealthCheckCodes = full.HealthCheckCodes
		case "IntervalSeconds":
			w.HealthCheckInterval = full.HealthCheckInterval
		case "TimeoutSeconds":
			w.HealthCheckTimeout = full.HealthCheckTimeout
		case "HealthyThreshold":
			w.HealthyThreshold = full.HealthyThreshold
		case "UnhealthyThreshold":
			w.UnhealthyThreshold = full.UnhealthyThreshold
		}
	}
	return w
}

// cutField splits "HealthCheck.IntervalSeconds" into its attribute and
// sub-field.
func cutField(f string) (attr, sub string, ok bool) {
	for i := 0; i < len(f); i++ {
		if f[i] == '.' {
			return f[:i], f[i+1:], true
		}
	}
	return f, "", false
}

// addServerItems converts servers into AddServersToServerGroup items: type
// and ID always; port and weight (0 included) unless Fc; IP, description
// and remote IP when set.
func addServerItems(servers []Server) []*albsdk.AddServersToServerGroupRequestServers {
	out := make([]*albsdk.AddServersToServerGroupRequestServers, 0, len(servers))
	for _, s := range servers {
		it := &albsdk.AddServersToServerGroupRequestServers{}
		convert(s.wire(true, true), it)
		out = append(out, it)
	}
	return out
}

// removeServerItems converts servers into RemoveServersFromServerGroup
// items: their identity (type, ID, port unless Fc, IP when set).
func removeServerItems(servers []Server) []*albsdk.RemoveServersFromServerGroupRequestServers {
	out := make([]*albsdk.RemoveServersFromServerGroupRequestServers, 0, len(servers))
	for _, s := range servers {
		it := &albsdk.RemoveServersFromServerGroupRequestServers{}
		convert(s.wire(false, false), it)
		out = append(out, it)
	}
	return out
}

// updateServerItems converts servers into UpdateServerGroupServersAttribute
// items: their identity, weight (unless Fc) and description (when set).
func updateServerItems(servers []Server) []*albsdk.UpdateServerGroupServersAttributeRequestServers {
	out := make([]*albsdk.UpdateServerGroupServersAttributeRequestServers, 0, len(servers))
	for _, s := range servers {
		it := &albsdk.UpdateServerGroupServersAttributeRequestServers{}
		convert(s.wire(true, false), it)
		out = append(out, it)
	}
	return out
}

// replaceServersRequest is a ReplaceServersInServerGroup request of group
// id that adds added (as AddServersToServerGroup does, without remote IP:
// the operation has no such field) and removes removed.
func replaceServersRequest(id string, added, removed []Server, token string, dryRun bool) *albsdk.ReplaceServersInServerGroupRequest {
	req := &albsdk.ReplaceServersInServerGroupRequest{ServerGroupId: dara.String(id)}
	for _, s := range added {
		it := &albsdk.ReplaceServersInServerGroupRequestAddedServers{}
		convert(s.wire(true, false), it)
		req.AddedServers = append(req.AddedServers, it)
	}
	for _, s := range removed {
		it := &albsdk.ReplaceServersInServerGroupRequestRemovedServers{}
		convert(s.wire(false, false), it)
		req.RemovedServers = append(req.RemovedServers, it)
	}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

// addServersRequest, removeServersRequest and updateServersRequest are the
// requests for one call (at most MaxServersPerCall servers,
// MaxServersPerAttributeCall for updates: the caller splits).
func addServersRequest(id string, servers []Server, token string, dryRun bool) *albsdk.AddServersToServerGroupRequest {
	req := &albsdk.AddServersToServerGroupRequest{ServerGroupId: dara.String(id), Servers: addServerItems(servers)}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

func removeServersRequest(id string, servers []Server, token string, dryRun bool) *albsdk.RemoveServersFromServerGroupRequest {
	req := &albsdk.RemoveServersFromServerGroupRequest{ServerGroupId: dara.String(id), Servers: removeServerItems(servers)}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

func updateServersRequest(id string, servers []Server, token string, dryRun bool) *albsdk.UpdateServerGroupServersAttributeRequest {
	req := &albsdk.UpdateServerGroupServersAttributeRequest{ServerGroupId: dara.String(id), Servers: updateServerItems(servers)}
	if token != "" {
		req.ClientToken = dara.String(token)
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

// serverWire is a Servers.N item on the wire (the union of the items'
// fields).
type serverWire struct {
	Description     *string `json:"Description,omitempty"`
	Port            *int32  `json:"Port,omitempty"`
	RemoteIpEnabled *bool   `json:"RemoteIpEnabled,omitempty"`
	ServerId        *string `json:"ServerId,omitempty"`
	ServerIp        *string `json:"ServerIp,omitempty"`
	ServerType      *string `json:"ServerType,omitempty"`
	Weight          *int32  `json:"Weight,omitempty"`
}

// wire is the server on the wire: its identity, and with attrs its weight
// and description, with remote its remote IP flag (when set). An Fc
// server has no port, weight or IP: none is sent.
func (s Server) wire(attrs, remote bool) serverWire {
	w := serverWire{ServerType: dara.String(string(s.Type)), ServerId: dara.String(s.ID)}
	fc := s.Type == ServerTypeFc
	if !fc {
		w.Port = dara.Int32(int32(s.Port))
	}
	if s.IP != "" && !fc {
		w.ServerIp = dara.String(s.IP)
	}
	if attrs && !fc {
		w.Weight = dara.Int32(int32(s.Weight))
	}
	if attrs && s.Description != "" {
		w.Description = dara.String(s.Description)
	}
	if remote && s.RemoteIP {
		w.RemoteIpEnabled = dara.Bool(true)
	}
	return w
}

// serverGroupFromSDK converts a ListServerGroups item.
func serverGroupFromSDK(b *albsdk.ListServerGroupsResponseBodyServerGroups) *ServerGroup {
	g := &ServerGroup{
		ID:                tea.StringValue(b.ServerGroupId),
		Name:              tea.StringValue(b.ServerGroupName),
		Type:              ServerGroupType(tea.StringValue(b.ServerGroupType)),
		Status:            ServerGroupStatus(tea.StringValue(b.ServerGroupStatus)),
		Scheduler:         Scheduler(tea.StringValue(b.Scheduler)),
		VPCID:             tea.StringValue(b.VpcId),
		ResourceGroupID:   tea.StringValue(b.ResourceGroupId),
		CrossZoneEnabled:  b.CrossZoneEnabled == nil || *b.CrossZoneEnabled, // on unless reported off
		IPv6:              tea.BoolValue(b.Ipv6Enabled),
		IPVersionAffinity: IPVersionAffinityMode(tea.StringValue(b.IpVersionAffinityMode)),
		UpstreamKeepalive: tea.BoolValue(b.UpstreamKeepaliveEnabled),
		ConfigManaged:     tea.BoolValue(b.ConfigManagedEnabled),
		ServiceName:       tea.StringValue(b.ServiceName),
		ServerCount:       int(tea.Int32Value(b.ServerCount)),
		CreatedAt:         parseTime(tea.StringValue(b.CreateTime)),
	}
	if p := tea.StringValue(b.Protocol); p != "" {
		g.Protocol = normalizeBackendProtocol(BackendProtocol(p))
	}
	for _, id := range b.RelatedLoadBalancerIds {
		if id != nil {
			g.LoadBalancerIDs = append(g.LoadBalancerIDs, *id)
		}
	}
	if h := b.HealthCheckConfig; h != nil && tea.BoolValue(h.HealthCheckEnabled) {
		g.HealthCheck = HealthCheck{
			Enabled:            true,
			Port:               int(tea.Int32Value(h.HealthCheckConnectPort)),
			Host:               tea.StringValue(h.HealthCheckHost),
			Path:               tea.StringValue(h.HealthCheckPath),
			Method:             tea.StringValue(h.HealthCheckMethod),
			HTTPVersion:        tea.StringValue(h.HealthCheckHttpVersion),
			IntervalSeconds:    int(tea.Int32Value(h.HealthCheckInterval)),
			TimeoutSeconds:     int(tea.Int32Value(h.HealthCheckTimeout)),
			HealthyThreshold:   int(tea.Int32Value(h.HealthyThreshold)),
			UnhealthyThreshold: int(tea.Int32Value(h.UnhealthyThreshold)),
		}
		if p := tea.StringValue(h.HealthCheckProtocol); p != "" {
			g.HealthCheck.Protocol = normalizeHealthCheckProtocol(HealthCheckProtocol(p))
		}
		for _, c := range h.HealthCheckCodes {
			if c != nil {
				g.HealthCheck.Codes = append(g.HealthCheck.Codes, *c)
			}
		}
	}
	if st := b.StickySessionConfig; st != nil && tea.BoolValue(st.StickySessionEnabled) {
		g.StickySession = StickySession{Type: StickySessionType(tea.StringValue(st.StickySessionType))}
		if g.StickySession.Type == "" {
			g.StickySession.Type = StickyInsert // the documented default type
		}
		switch g.StickySession.Type {
		case StickyInsert:
			g.StickySession.CookieTimeoutSeconds = int(tea.Int32Value(st.CookieTimeout))
		case StickyServer:
			g.StickySession.Cookie = tea.StringValue(st.Cookie)
		}
	}
	if ss := b.SlowStartConfig; ss != nil && tea.BoolValue(ss.SlowStartEnabled) {
		g.SlowStartSeconds = int(tea.Int32Value(ss.SlowStartDuration))
	}
	if d := b.ConnectionDrainConfig; d != nil && tea.BoolValue(d.ConnectionDrainEnabled) {
		g.ConnectionDrain = ConnectionDrain{Enabled: true, TimeoutSeconds: int(tea.Int32Value(d.ConnectionDrainTimeout))}
	}
	if u := b.UchConfig; u != nil {
		g.URLHashParameter = tea.StringValue(u.Value)
	}
	for _, t := range b.Tags {
		if t != nil {
			g.Tags = append(g.Tags, Tag{Key: tea.StringValue(t.Key), Value: tea.StringValue(t.Value)})
		}
	}
	return g
}

// backendServerFromSDK converts a ListServerGroupServers item.
func backendServerFromSDK(b *albsdk.ListServerGroupServersResponseBodyServers) BackendServer {
	return BackendServer{
		Server: Server{
			Type:        ServerType(tea.StringValue(b.ServerType)),
			ID:          tea.StringValue(b.ServerId),
			Port:        int(tea.Int32Value(b.Port)),
			Weight:      int(tea.Int32Value(b.Weight)),
			Description: tea.StringValue(b.Description),
			RemoteIP:    tea.BoolValue(b.RemoteIpEnabled),
			IP:          tea.StringValue(b.ServerIp),
		},
		ServerGroupID: tea.StringValue(b.ServerGroupId),
		Status:        BackendServerStatus(tea.StringValue(b.Status)),
	}
}

// SpecFromServerGroup reads a spec back from a group and its members, for
// cloning, export and drift checks: DiffServerGroup(SpecFromServerGroup(g,
// servers), g, servers) is empty, and the spec passes Validate for
// anything the service reports.
//
// Every attribute the service reports is filled in, its defaults
// included; a health check's fields its protocol does not use are left
// out, and so is a URL hash parameter the scheduler does not use. Servers
// are the members that are not being removed, with their IP for Ecs, Eni
// and Eci members (the address the service chose); Membership is left
// empty (Shared), so that a spec read back never removes a member added
// later by someone else: set MembershipOwned to make the set exact. Tags
// are the user tags (not albkit's own); IdempotencyKey is the group's
// [TokenTagKey] value, if any. A nil group gives the zero spec.
func SpecFromServerGroup(g *ServerGroup, servers []BackendServer) ServerGroupSpec {
	if g == nil {
		return ServerGroupSpec{}
	}
	s := ServerGroupSpec{
		Name:              g.Name,
		Type:              g.Type,
		IPv6:              g.IPv6,
		IPVersionAffinity: g.IPVersionAffinity,
		UpstreamKeepalive: g.UpstreamKeepalive,
		ResourceGroupID:   g.ResourceGroupID,
		Tags:              userTags(g.Tags),
		IdempotencyKey:    g.Token(),
		HealthCheck:       readHealthCheck(g.HealthCheck),
	}
	if g.Type != ServerGroupFc {
		s.VPCID, s.Protocol, s.Scheduler = g.VPCID, g.Protocol, g.Scheduler
		s.StickySession = g.StickySession.effective()
		s.SlowStartSeconds = g.SlowStartSeconds
		s.ConnectionDrain = g.ConnectionDrain.effective()
		s.DisableCrossZone = !g.CrossZoneEnabled
		if hashes(s.scheduler()) {
			s.URLHashParameter = g.URLHashParameter
		}
	}
	for _, b := range servers {
		if b.Status == BackendServerRemoving {
			continue
		}
		sv := b.Server
		switch sv.Type {
		case ServerTypeIP:
			sv.IP = ""
		case ServerTypeFc:
			sv.IP, sv.Port, sv.Weight = "", 0, 0
		}
		if sv.Type != ServerTypeIP {
			sv.RemoteIP = false
		}
		s.Servers = append(s.Servers, sv)
	}
	return s
}

// readHealthCheck is a reported health check as a spec's: without the
// fields its protocol does not use.
func readHealthCheck(h HealthCheck) HealthCheck {
	if !h.Enabled {
		return HealthCheck{}
	}
	out := h
	out.Codes = slices.Clone(h.Codes)
	switch normalizeHealthCheckProtocol(h.Protocol) {
	case HealthCheckTCP:
		out.Method, out.Host, out.Path, out.HTTPVersion, out.Codes = "", "", "", "", nil
	case HealthCheckGRPC:
		out.Path, out.HTTPVersion = "", ""
	}
	return out
}
