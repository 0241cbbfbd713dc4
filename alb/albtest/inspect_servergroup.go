package albtest

import (
	"fmt"
	"slices"
	"time"
)

// ServerGroup is a snapshot of an emulated server group (ServerGroups,
// ServerGroup, GET /_albtest/servergroups). Its JSON form is the control
// API's.
type ServerGroup struct {
	ID              string    `json:"id"`                  // ServerGroupId (sgp-…)
	Name            string    `json:"name"`                // ServerGroupName
	Type            string    `json:"type"`                // Instance | Ip | Fc
	Protocol        string    `json:"protocol"`            // HTTP | HTTPS | gRPC (as the create request spelled it)
	Scheduler       string    `json:"scheduler,omitempty"` // Wrr | Wlc | Sch | Uch; "" for Fc
	VpcID           string    `json:"vpcId,omitempty"`     // "" for Fc
	Status          string    `json:"status"`              // Creating | Available | Configuring | Deleting
	ResourceGroupID string    `json:"resourceGroupId"`     // resource group (default rg-albtest-default)
	CreateTime      time.Time `json:"createTime"`          // by the server clock
	// HealthCheck is the group's health check (as reads show it: a pending
	// change is not in it yet).
	HealthCheck HealthCheck `json:"healthCheck"`
	// StickySessionEnabled, StickySessionType (Insert | Server),
	// CookieTimeout (Insert) and Cookie (Server) are its session
	// persistence.
	StickySessionEnabled bool   `json:"stickySessionEnabled"`
	StickySessionType    string `json:"stickySessionType,omitempty"`
	CookieTimeout        int    `json:"cookieTimeout,omitempty"`
	Cookie               string `json:"cookie,omitempty"`
	// SlowStartConfigured reports that slow start was ever configured;
	// SlowStartEnabled and SlowStartDuration (s) are its settings.
	SlowStartConfigured bool `json:"slowStartConfigured,omitempty"`
	SlowStartEnabled    bool `json:"slowStartEnabled,omitempty"`
	SlowStartDuration   int  `json:"slowStartDuration,omitempty"`
	// ConnectionDrainEnabled and ConnectionDrainTimeout (s) are its
	// connection draining.
	ConnectionDrainEnabled bool `json:"connectionDrainEnabled"`
	ConnectionDrainTimeout int  `json:"connectionDrainTimeout,omitempty"`
	// UchParameter is the query-string parameter hashed by the scheduler
	// (UchConfig), "" when none.
	UchParameter             string            `json:"uchParameter,omitempty"`
	CrossZoneEnabled         bool              `json:"crossZoneEnabled"`                // cross-zone load balancing
	Ipv6Enabled              bool              `json:"ipv6Enabled"`                     // set at create
	UpstreamKeepaliveEnabled bool              `json:"upstreamKeepaliveEnabled"`        // persistent backend connections
	ServiceName              string            `json:"serviceName,omitempty"`           // ServiceName (ingress controller)
	IpVersionAffinityMode    string            `json:"ipVersionAffinityMode,omitempty"` // Affinity | NonAffinity
	Tags                     map[string]string `json:"tags,omitempty"`                  // tags by key
	// Servers are the members and the servers being added, in the order
	// they were added, as ListServerGroupServers shows them.
	Servers     []BackendServer `json:"servers"`
	ClientToken string          `json:"clientToken,omitempty"` // ClientToken of the create request, "" if none
	// RelatedLoadBalancerIDs are the instances whose listeners or rules
	// forward or mirror to the group (RelatedLoadBalancerIds).
	RelatedLoadBalancerIDs []string `json:"relatedLoadBalancerIds,omitempty"`
}

// HealthCheck is the health check of a ServerGroup.
type HealthCheck struct {
	Enabled            bool     `json:"enabled"`               // HealthCheckEnabled
	Protocol           string   `json:"protocol"`              // HTTP | HTTPS | TCP | gRPC
	Port               int      `json:"port"`                  // 0: the server's port
	Host               string   `json:"host,omitempty"`        // "": the server's address
	Path               string   `json:"path,omitempty"`        // HTTP, HTTPS, gRPC
	Method             string   `json:"method,omitempty"`      // GET | POST | HEAD; "" for TCP
	HTTPVersion        string   `json:"httpVersion,omitempty"` // HTTP1.0 | HTTP1.1; HTTP and HTTPS only
	Codes              []string `json:"codes,omitempty"`       // http_2xx…, or gRPC codes
	Interval           int      `json:"interval"`              // s
	Timeout            int      `json:"timeout"`               // s
	HealthyThreshold   int      `json:"healthyThreshold"`      // successes before healthy
	UnhealthyThreshold int      `json:"unhealthyThreshold"`    // failures before unhealthy
}

// BackendServer is a server of a ServerGroup.
type BackendServer struct {
	Type            string `json:"type"`                  // Ecs | Eni | Eci | Ip | Fc
	ID              string `json:"id"`                    // instance, ENI or container group ID, the address (Ip) or the function ARN (Fc)
	IP              string `json:"ip,omitempty"`          // its address; "" for Fc
	Port            int    `json:"port,omitempty"`        // 0 for Fc
	Weight          int    `json:"weight"`                // 0–100
	Description     string `json:"description,omitempty"` // Description
	RemoteIPEnabled bool   `json:"remoteIpEnabled"`       // RemoteIpEnabled
	// Status is Adding | Available | Configuring | Removing | Replacing.
	Status string `json:"status"`
}

func (sg *sgState) snapshot() ServerGroup {
	hc := sg.hc
	out := ServerGroup{
		ID: sg.id, Name: sg.name, Type: sg.typ, Protocol: sg.protocol, Scheduler: sg.scheduler, VpcID: sg.vpcID,
		Status: sg.status, ResourceGroupID: sg.resourceGroup, CreateTime: sg.created,
		HealthCheck: HealthCheck{
			Enabled: hc.enabled, Protocol: hc.protocol, Port: int(hc.port), Host: hc.host, Path: hc.path, Method: hc.method,
			HTTPVersion: hc.vers, Codes: slices.Clone(hc.codes), Interval: int(hc.interval), Timeout: int(hc.timeout),
			HealthyThreshold: int(hc.healthy), UnhealthyThreshold: int(hc.unhealthy),
		},
		StickySessionEnabled: sg.sticky.enabled, StickySessionType: sg.sticky.typ, CookieTimeout: int(sg.sticky.timeout),
		Cookie: sg.sticky.cookie, ConnectionDrainEnabled: sg.drain.enabled, ConnectionDrainTimeout: int(sg.drain.timeout),
		CrossZoneEnabled: sg.crossZone, Ipv6Enabled: sg.ipv6, UpstreamKeepaliveEnabled: sg.keepalive,
		ServiceName: sg.serviceName, IpVersionAffinityMode: sg.affinity, Tags: map[string]string{},
		Servers: make([]BackendServer, 0, len(sg.servers)), ClientToken: sg.token,
	}
	if sg.slow != nil {
		out.SlowStartConfigured, out.SlowStartEnabled, out.SlowStartDuration = true, sg.slow.enabled, int(sg.slow.duration)
	}
	if sg.uch != nil {
		out.UchParameter = sg.uch.value
	}
	for _, t := range sg.tags {
		out.Tags[t.k] = t.v
	}
	for _, m := range sg.servers {
		out.Servers = append(out.Servers, BackendServer{
			Type: m.typ, ID: m.id, IP: m.ip, Port: int(m.port), Weight: int(m.weight), Description: m.desc,
			RemoteIPEnabled: m.remoteIP, Status: m.status,
		})
	}
	return out
}

// ServerGroups returns a snapshot of every server group, in creation order.
// Due transitions are applied first; reading does not count as a poll. A
// deleted group is gone.
func (s *Server) ServerGroups() []ServerGroup {
	s.mu.Lock()
	defer s.mu.Unlock()
	sgs := s.liveSGs(s.clock.Now())
	related := s.st.sgLoadBalancers()
	out := make([]ServerGroup, 0, len(sgs))
	for _, sg := range sgs {
		snap := sg.snapshot()
		snap.RelatedLoadBalancerIDs = related[sg.id]
		out = append(out, snap)
	}
	return out
}

// ServerGroup returns a snapshot of one server group; false for an unknown
// or deleted one.
func (s *Server) ServerGroup(id string) (ServerGroup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sg := s.st.sgs[id]
	if sg == nil {
		return ServerGroup{}, false
	}
	s.settle(&sg.resource, s.clock.Now(), false)
	if sg.deleted {
		return ServerGroup{}, false
	}
	snap := sg.snapshot()
	snap.RelatedLoadBalancerIDs = s.st.sgLoadBalancers()[id]
	return snap, true
}

// SetServerGroupStatus forces a server group's status: Available,
// Creating or Configuring (for example Configuring, so that writes answer
// IncorrectStatus.ServerGroup until it is set back). A pending transition is
// dropped: its change is never made (servers being added disappear, the
// others show their old attributes again as Available) and its job ends
// Failed with the code StatusForced.
func (s *Server) SetServerGroupStatus(id, status string) error {
	switch status {
	case "Available", "Creating", "Configuring":
	default:
		return fmt.Errorf("albtest: SetServerGroupStatus: unsupported status %q (want Available, Creating or Configuring)", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sg := s.st.sgs[id]
	if sg == nil {
		return fmt.Errorf("%w: server group %s", ErrNotFound, id)
	}
	now := s.clock.Now()
	if p := sg.pending; p != nil {
		sg.pending = nil
		s.st.finishJob(p.jobID, outcome{errCode: "StatusForced", errMsg: "The status was forced by albtest.SetServerGroupStatus."}, now, s.jobLimit())
		sg.abandonMembership()
	}
	sg.status = status
	return nil
}

// abandonMembership undoes the pending statuses of a membership change that
// will never complete.
func (sg *sgState) abandonMembership() {
	kept := sg.servers[:0]
	for _, m := range sg.servers {
		if m.added {
			continue
		}
		m.status, m.drop, m.next = "Available", false, nil
		kept = append(kept, m)
	}
	clear(sg.servers[len(kept):])
	sg.servers = kept
}
