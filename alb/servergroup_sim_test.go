package alb_test

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// A simulation of the service's server-group state for the pure converge
// property test: it applies the SDK requests albkit builds (create,
// attribute update, add, update and remove servers, tags, resource group)
// with the service's semantics as the reference and the emulator state
// them, and reports the group as ListServerGroups would (through
// alb.ServerGroup). TestSimulationMatchesTheEmulator holds it against the
// emulator.

// simState is one group: what it reports, and the settings the service
// keeps while a feature is off.
type simState struct {
	g       alb.ServerGroup
	servers []alb.BackendServer

	hc                 simHC
	stickyOn           bool
	stickyType, cookie string
	cookieTimeout      int
	slowSet, slowOn    bool
	slowDuration       int
	drainOn            bool
	drainTimeout       int
	uch                string
}

type simHC struct {
	enabled                                  bool
	protocol, host, path, method, version    string
	port, interval, timeout, healthy, unheal int
	codes                                    []string
}

func (h *simHC) fillDefaults() {
	switch strings.ToUpper(h.protocol) {
	case "TCP":
		h.method, h.version, h.codes, h.path, h.host = "", "", nil, "", ""
	case "GRPC":
		h.version = ""
		h.method = or(h.method, "POST")
		if len(h.codes) == 0 {
			h.codes = []string{"0"}
		}
	default:
		h.method, h.version = or(h.method, "HEAD"), or(h.version, "HTTP1.1")
		if len(h.codes) == 0 {
			h.codes = []string{"http_2xx"}
		}
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// simPrimaryIP is the primary address of a compute resource: the default
// world's, else one made from the ID.
func simPrimaryIP(id string) string {
	switch id {
	case albtest.ECSInstance1:
		return "10.0.1.10"
	case albtest.ECSInstance2:
		return "10.0.2.10"
	case albtest.ENI1:
		return "10.0.1.20"
	case albtest.ECI1:
		return "10.0.3.30"
	case albtest.ECSInstanceOther:
		return "172.16.1.10"
	}
	if n, err := strconv.Atoi(id[strings.LastIndexByte(id, '-')+1:]); err == nil {
		return "10.0.1." + strconv.Itoa(n%250)
	}
	return "10.0.0.1"
}

// simCreate is the group the service makes from spec's create request,
// with spec's servers added.
func simCreate(spec alb.ServerGroupSpec) *simState {
	req := alb.CreateServerGroupRequestForTest(spec, "tok", false)
	typ := alb.ServerGroupType(or(tea.StringValue(req.ServerGroupType), "Instance"))
	st := &simState{g: alb.ServerGroup{
		ID: "sgp-sim", Name: tea.StringValue(req.ServerGroupName), Type: typ, Status: alb.ServerGroupAvailable,
		Protocol:        alb.BackendProtocol(or(tea.StringValue(req.Protocol), "HTTP")),
		ResourceGroupID: or(tea.StringValue(req.ResourceGroupId), albtest.DefaultResourceGroupID),
		IPv6:            tea.BoolValue(req.Ipv6Enabled), CrossZoneEnabled: true,
	}}
	if st.g.Protocol == "GRPC" {
		st.g.Protocol = alb.BackendGRPC
	}
	if typ != alb.ServerGroupFc {
		st.g.VPCID, st.g.Scheduler = tea.StringValue(req.VpcId), alb.SchedulerWrr
	}
	st.hc = simHC{enabled: typ != alb.ServerGroupFc, protocol: "HTTP", interval: 2, timeout: 5, healthy: 3, unheal: 3}
	st.hc.fillDefaults()
	for _, t := range req.Tag {
		st.g.Tags = append(st.g.Tags, alb.Tag{Key: tea.StringValue(t.Key), Value: tea.StringValue(t.Value)})
	}
	// The create's settings are those of an update (the same JSON names).
	var upd albsdk.UpdateServerGroupAttributeRequest
	b, _ := json.Marshal(req)
	if err := json.Unmarshal(b, &upd); err != nil {
		panic(err)
	}
	st.update(&upd)
	st.applyAdd(alb.AddServersRequestForTest(st.g.ID, spec.Servers, "", false))
	return st
}

// update applies an UpdateServerGroupAttribute request.
func (st *simState) update(r *albsdk.UpdateServerGroupAttributeRequest) {
	g := &st.g
	fc := g.Type == alb.ServerGroupFc
	if r.ServerGroupName != nil {
		g.Name = *r.ServerGroupName
	}
	if r.Scheduler != nil && !fc {
		g.Scheduler = alb.Scheduler(*r.Scheduler)
	}
	if r.IpVersionAffinityMode != nil {
		g.IPVersionAffinity = alb.IPVersionAffinityMode(*r.IpVersionAffinityMode)
	}
	if r.CrossZoneEnabled != nil {
		g.CrossZoneEnabled = *r.CrossZoneEnabled
	}
	if r.UpstreamKeepaliveEnabled != nil {
		g.UpstreamKeepalive = *r.UpstreamKeepaliveEnabled
	}
	if u := r.UchConfig; u != nil {
		st.uch = tea.StringValue(u.Value)
	}
	if h := r.HealthCheckConfig; h != nil {
		hc := &st.hc
		if h.HealthCheckEnabled != nil {
			hc.enabled = *h.HealthCheckEnabled
		}
		if p := tea.StringValue(h.HealthCheckProtocol); p != "" {
			if !strings.EqualFold(p, hc.protocol) {
				hc.method, hc.version, hc.codes = "", "", nil
			}
			hc.protocol = p
		}
		for _, f := range []struct {
			from *int32
			to   *int
		}{{h.HealthCheckConnectPort, &hc.port}, {h.HealthCheckInterval, &hc.interval}, {h.HealthCheckTimeout, &hc.timeout},
			{h.HealthyThreshold, &hc.healthy}, {h.UnhealthyThreshold, &hc.unheal}} {
			if f.from != nil {
				*f.to = int(*f.from)
			}
		}
		hc.method = or(tea.StringValue(h.HealthCheckMethod), hc.method)
		hc.version = or(tea.StringValue(h.HealthCheckHttpVersion), hc.version)
		hc.path = or(tea.StringValue(h.HealthCheckPath), hc.path)
		hc.host = or(tea.StringValue(h.HealthCheckHost), hc.host)
		if len(h.HealthCheckCodes) > 0 {
			hc.codes = tea.StringSliceValue(h.HealthCheckCodes)
		}
		hc.fillDefaults()
	}
	if s := r.StickySessionConfig; s != nil {
		if s.StickySessionEnabled != nil {
			st.stickyOn = *s.StickySessionEnabled
		}
		st.stickyType = or(tea.StringValue(s.StickySessionType), st.stickyType)
		if s.CookieTimeout != nil {
			st.cookieTimeout = int(*s.CookieTimeout)
		}
		st.cookie = or(tea.StringValue(s.Cookie), st.cookie)
		if st.stickyOn {
			st.stickyType = or(st.stickyType, "Insert")
			if st.stickyType == "Insert" && st.cookieTimeout == 0 {
				st.cookieTimeout = 1000
			}
		}
	}
	if s := r.SlowStartConfig; s != nil {
		if !st.slowSet {
			st.slowSet, st.slowDuration = true, 30
		}
		if s.SlowStartEnabled != nil {
			st.slowOn = *s.SlowStartEnabled
		}
		if s.SlowStartDuration != nil {
			st.slowDuration = int(*s.SlowStartDuration)
		}
	}
	if d := r.ConnectionDrainConfig; d != nil {
		if d.ConnectionDrainEnabled != nil {
			st.drainOn = *d.ConnectionDrainEnabled
		}
		if d.ConnectionDrainTimeout != nil {
			st.drainTimeout = int(*d.ConnectionDrainTimeout)
		} else if st.drainOn && st.drainTimeout == 0 {
			st.drainTimeout = 300
		}
	}
	st.report()
}

// report sets what ListServerGroups shows from the kept settings.
func (st *simState) report() {
	g := &st.g
	g.HealthCheck = alb.HealthCheck{}
	if h := st.hc; h.enabled {
		g.HealthCheck = alb.HealthCheck{Enabled: true, Protocol: alb.HealthCheckProtocol(h.protocol), Port: h.port, Host: h.host, Path: h.path,
			Method: h.method, HTTPVersion: h.version, Codes: append([]string(nil), h.codes...), IntervalSeconds: h.interval,
			TimeoutSeconds: h.timeout, HealthyThreshold: h.healthy, UnhealthyThreshold: h.unheal}
		if g.HealthCheck.Protocol == "GRPC" {
			g.HealthCheck.Protocol = alb.HealthCheckGRPC
		}
	}
	g.StickySession, g.SlowStartSeconds, g.ConnectionDrain = alb.StickySession{}, 0, alb.ConnectionDrain{}
	if g.Type != alb.ServerGroupFc {
		if st.stickyOn {
			g.StickySession.Type = alb.StickySessionType(st.stickyType)
			if st.stickyType == "Insert" {
				g.StickySession.CookieTimeoutSeconds = st.cookieTimeout
			} else {
				g.StickySession.Cookie = st.cookie
			}
		}
		if st.drainOn {
			g.ConnectionDrain = alb.ConnectionDrain{Enabled: true, TimeoutSeconds: st.drainTimeout}
		}
	}
	if st.slowSet && st.slowOn {
		g.SlowStartSeconds = st.slowDuration
	}
	g.URLHashParameter = st.uch
	g.ServerCount = len(st.servers)
}

// simItem is a Servers.N item of any of the operations.
type simItem struct {
	typ, id, ip, desc string
	port, weight      *int32
	remote            bool
}

func items[T any](list []T) []simItem {
	out := make([]simItem, 0, len(list))
	for _, it := range list {
		var w struct {
			ServerType, ServerId, ServerIp, Description *string
			Port, Weight                                *int32
			RemoteIpEnabled                             *bool
		}
		b, _ := json.Marshal(it)
		if err := json.Unmarshal(b, &w); err != nil {
			panic(err)
		}
		out = append(out, simItem{typ: tea.StringValue(w.ServerType), id: tea.StringValue(w.ServerId), ip: tea.StringValue(w.ServerIp),
			desc: tea.StringValue(w.Description), port: w.Port, weight: w.Weight, remote: tea.BoolValue(w.RemoteIpEnabled)})
	}
	return out
}

// member is the member an added item makes: an Ip server's ID and IP are
// its canonical address; an Ecs, Eni or Eci server without IP takes its
// primary address; an Fc server has no port, weight or IP.
func (it simItem) member() alb.BackendServer {
	b := alb.BackendServer{Server: alb.Server{Type: alb.ServerType(it.typ), ID: it.id, IP: it.ip, Description: it.desc, RemoteIP: it.remote, Weight: 100},
		ServerGroupID: "sgp-sim", Status: alb.BackendServerAvailable}
	if it.port != nil {
		b.Port = int(*it.port)
	}
	if it.weight != nil {
		b.Weight = int(*it.weight)
	}
	switch b.Type {
	case alb.ServerTypeIP:
		if a, err := netip.ParseAddr(it.id); err == nil {
			b.ID = a.String()
		}
		b.IP = b.ID
	case alb.ServerTypeFc:
		b.Port, b.Weight, b.IP = 0, 0, ""
	default:
		b.IP = or(it.ip, simPrimaryIP(it.id))
	}
	return b
}

// named reports whether a removal or update item names member b.
func (it simItem) named(b alb.BackendServer) bool {
	id := it.id
	if it.typ == string(alb.ServerTypeIP) {
		if a, err := netip.ParseAddr(id); err == nil {
			id = a.String()
		}
	}
	port := 0
	if it.port != nil {
		port = int(*it.port)
	}
	return string(b.Type) == it.typ && b.ID == id && b.Port == port && (it.ip == "" || it.ip == b.IP)
}

func (st *simState) add(s alb.Server) {
	st.applyAdd(alb.AddServersRequestForTest("sgp-sim", []alb.Server{s}, "", false))
}

func (st *simState) applyAdd(r *albsdk.AddServersToServerGroupRequest) {
	for _, it := range items(r.Servers) {
		m := it.member()
		dup := false
		for _, b := range st.servers {
			dup = dup || b.Type == m.Type && b.ID == m.ID && b.Port == m.Port && b.IP == m.IP
		}
		if !dup {
			st.servers = append(st.servers, m)
		}
	}
	st.report()
}

func (st *simState) applyUpdate(r *albsdk.UpdateServerGroupServersAttributeRequest) {
	for _, it := range items(r.Servers) {
		for i, b := range st.servers {
			if it.named(b) {
				if it.weight != nil && b.Type != alb.ServerTypeFc {
					st.servers[i].Weight = int(*it.weight)
				}
				if it.desc != "" {
					st.servers[i].Description = it.desc
				}
			}
		}
	}
}

func (st *simState) applyRemove(r *albsdk.RemoveServersFromServerGroupRequest) {
	its := items(r.Servers)
	kept := st.servers[:0]
	for _, b := range st.servers {
		gone := false
		for _, it := range its {
			gone = gone || it.named(b)
		}
		if !gone {
			kept = append(kept, b)
		}
	}
	st.servers = kept
	st.report()
}

// apply applies plan p through the requests albkit builds, each
// membership change in calls of the per-call limits.
func (st *simState) apply(t testing.TB, p *alb.ServerGroupPlan) {
	t.Helper()
	if r := p.UpdateAttributeRequestForTest("tok", false); r != nil {
		if tea.StringValue(r.ServerGroupId) != st.g.ID {
			t.Fatalf("update of %s for group %s", tea.StringValue(r.ServerGroupId), st.g.ID)
		}
		st.update(r)
	}
	var tags []alb.Tag
	for _, tg := range st.g.Tags {
		drop := false
		for _, k := range p.RemoveTagKeys {
			drop = drop || tg.Key == k
		}
		for _, a := range p.AddTags {
			drop = drop || tg.Key == a.Key
		}
		if !drop {
			tags = append(tags, tg)
		}
	}
	st.g.Tags = append(tags, p.AddTags...)
	if p.ResourceGroupID != "" {
		st.g.ResourceGroupID = p.ResourceGroupID
	}
	for i := 0; i < len(p.AddServers); i += alb.MaxServersPerCall {
		st.applyAdd(alb.AddServersRequestForTest(p.ID, p.AddServers[i:min(i+alb.MaxServersPerCall, len(p.AddServers))], "", false))
	}
	var tos []alb.Server
	for _, u := range p.UpdateServers {
		tos = append(tos, u.To)
	}
	for i := 0; i < len(tos); i += alb.MaxServersPerAttributeCall {
		st.applyUpdate(alb.UpdateServersRequestForTest(p.ID, tos[i:min(i+alb.MaxServersPerAttributeCall, len(tos))], "", false))
	}
	var gone []alb.Server
	for _, b := range p.RemoveServers {
		gone = append(gone, b.Server)
	}
	for i := 0; i < len(gone); i += alb.MaxServersPerCall {
		st.applyRemove(alb.RemoveServersRequestForTest(p.ID, gone[i:min(i+alb.MaxServersPerCall, len(gone))], "", false))
	}
}
