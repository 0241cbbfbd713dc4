package albtest

import (
	"fmt"
	"strconv"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/routing"
)

// GetListenerHealthStatus and the health of backend servers. The emulator
// does not probe servers itself: each server's health is what
// SetServerHealth last said (healthy until then), the seam through which a
// data plane's health checks report what they find. The answer lists, for
// the server groups of the listener's default action and (with IncludeRule)
// of its rules' ForwardGroup and TrafficMirror actions, the servers that are
// not healthy: Unhealthy and Initial as set, Unused for weight 0 and
// Unavailable when the group's health check is off (SDK).

// Health statuses of a backend server (ServerHealth.Status).
const (
	HealthHealthy   = "Healthy"   // passes its health checks (the default): not listed
	HealthUnhealthy = "Unhealthy" // fails them: listed with its reason
	HealthInitial   = "Initial"   // not checked yet: listed
)

// ServerHealth is what health checks found for one backend server
// (SetServerHealth). ReasonCode (CONNECT_TIMEOUT, CONNECT_FAILED,
// RECV_RESPONSE_FAILED, RECV_RESPONSE_TIMEOUT, SEND_REQUEST_FAILED,
// SEND_REQUEST_TIMEOUT, RESPONSE_FORMAT_ERROR, RESPONSE_MISMATCH),
// ExpectedResponse (such as "HTTP_2xx") and ActualResponse (such as "302",
// RESPONSE_MISMATCH only) explain an Unhealthy one.
type ServerHealth struct {
	Status           string `json:"status"`                     // HealthHealthy, HealthUnhealthy or HealthInitial
	ReasonCode       string `json:"reasonCode,omitempty"`       // why it is Unhealthy
	ExpectedResponse string `json:"expectedResponse,omitempty"` // what the check wanted
	ActualResponse   string `json:"actualResponse,omitempty"`   // what it got
}

// healthKey names a server of a group: its ID (the address for Ip
// servers) and port.
type healthKey struct {
	sg, id string
	port   int32
}

// SetServerHealth records the health of the server serverID (an instance,
// ENI or container group ID, or the address of an Ip server) on port in
// server group sgID, as GetListenerHealthStatus reports it. The group must
// exist; the server need not be a member yet. HealthHealthy forgets what
// was set.
func (s *Server) SetServerHealth(sgID, serverID string, port int, h ServerHealth) error {
	switch h.Status {
	case HealthHealthy, HealthUnhealthy, HealthInitial:
	default:
		return fmt.Errorf("albtest: SetServerHealth: status %q (want Healthy, Unhealthy or Initial)", h.Status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.sgs[sgID] == nil {
		return fmt.Errorf("%w: server group %s", ErrNotFound, sgID)
	}
	k := healthKey{sgID, serverID, int32(port)}
	if h.Status == HealthHealthy {
		delete(s.st.health, k)
	} else {
		s.st.health[k] = h
	}
	return nil
}

// serverHealth returns the health of member m of sg as the listener health
// reports it, and whether it is normal (not listed): what SetServerHealth
// set, else what the data plane's probes found (Initial before their
// verdict; a member of a group no serving listener uses is not probed and
// reads healthy), else healthy. serving says the listener asked about
// serves traffic.
func (s *Server) serverHealth(sg *sgState, m *sgServer, serving bool) (status string, h ServerHealth, normal bool) {
	switch {
	case m.typ != ServerTypeFc && m.weight == 0:
		return "Unused", ServerHealth{}, false
	case !sg.hc.enabled:
		return "Unavailable", ServerHealth{}, false
	}
	h, ok := s.st.health[healthKey{sg.id, m.id, m.port}]
	if !ok && s.dp != nil && m.typ != ServerTypeFc {
		h, ok = s.dp.probeHealth(sg.id, m.serverKey)
		if !ok && serving {
			h, ok = ServerHealth{Status: HealthInitial}, true
		}
	}
	if !ok || h.Status == HealthHealthy {
		return HealthHealthy, ServerHealth{}, true
	}
	return h.Status, h, false
}

// groupHealth is one server group of the answer.
type groupHealth struct {
	id, action string
	on         bool
	servers    []*albsdk.GetListenerHealthStatusResponseBodyListenerHealthStatusServerGroupInfosNonNormalServers
}

func (s *Server) groupHealth(id, action string, serving bool) groupHealth {
	g := groupHealth{id: id, action: action}
	sg := s.st.sgs[id]
	if sg == nil {
		return g
	}
	g.on = sg.hc.enabled
	for _, m := range sg.servers {
		if m.added {
			continue
		}
		status, h, normal := s.serverHealth(sg, m, serving)
		if normal {
			continue
		}
		item := &albsdk.GetListenerHealthStatusResponseBodyListenerHealthStatusServerGroupInfosNonNormalServers{
			ServerId: sp(m.id), ServerIp: optStr(m.ip), Status: sp(status),
		}
		if m.typ != ServerTypeFc {
			item.Port = int32Ptr(m.port)
		}
		if h.ReasonCode != "" {
			item.Reason = &albsdk.GetListenerHealthStatusResponseBodyListenerHealthStatusServerGroupInfosNonNormalServersReason{
				ReasonCode: sp(h.ReasonCode), ExpectedResponse: optStr(h.ExpectedResponse), ActualResponse: optStr(h.ActualResponse),
			}
		}
		g.servers = append(g.servers, item)
	}
	return g
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// ruleGroups lists the server groups of a rule's actions with the action
// type that names them.
func ruleGroups(r routing.Rule) [][2]string {
	var out [][2]string
	for _, a := range r.Actions {
		switch {
		case a.ForwardGroup != nil:
			for _, t := range a.ForwardGroup.ServerGroups {
				out = append(out, [2]string{t.ServerGroupID, "ForwardGroup"})
			}
		case a.TrafficMirror != nil:
			for _, g := range a.TrafficMirror.ServerGroupIDs {
				out = append(out, [2]string{g, "TrafficMirror"})
			}
		}
	}
	return out
}

// opGetListenerHealthStatus answers the listener's health; with
// IncludeRule, its Request rules' too, MaxResults (1–30, default 20) rules
// per page. It counts as a read (a poll) of the listener.
func (s *Server) opGetListenerHealthStatus(c *call) (any, *apiError) {
	l, e := s.lookupLsn(c, "ListenerId", true)
	if e != nil {
		return nil, e
	}
	include, _, e := optBool(c.p, "IncludeRule")
	if e != nil {
		return nil, e
	}
	maxResults, e := optInt(c.p, "MaxResults", 20, 1, 30)
	if e != nil {
		return nil, e
	}
	st := s.st
	out := &albsdk.GetListenerHealthStatusResponseBody{RequestId: sp(c.requestID), NextToken: sp("")}
	lh := &albsdk.GetListenerHealthStatusResponseBodyListenerHealthStatus{ListenerId: sp(l.id), ListenerPort: int32Ptr(l.port), ListenerProtocol: sp(l.protocol)}
	for _, id := range l.groups {
		g := s.groupHealth(id, "ForwardGroup", st.serving(l))
		lh.ServerGroupInfos = append(lh.ServerGroupInfos, &albsdk.GetListenerHealthStatusResponseBodyListenerHealthStatusServerGroupInfos{
			ServerGroupId: sp(g.id), ActionType: sp(g.action), HealthCheckEnabled: sp(onOff(g.on)), NonNormalServers: g.servers,
		})
	}
	out.ListenerHealthStatus = []*albsdk.GetListenerHealthStatusResponseBodyListenerHealthStatus{lh}
	if !include {
		return out, nil
	}
	var rules []*ruleState
	for _, r := range st.rulesOf(l.id) {
		if r.counted() && dirOf(r.rule) == routing.DirectionRequest {
			rules = append(rules, r)
		}
	}
	start := 0
	if tok := c.p.Get("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(rules) || strconv.Itoa(n) != tok {
			return nil, errf(400, "InvalidParameter", "The specified parameter \"NextToken\" is not valid.")
		}
		start = n
	}
	end := min(start+int(maxResults), len(rules))
	if end < len(rules) {
		out.NextToken = sp(strconv.Itoa(end))
	}
	for _, r := range rules[start:end] {
		rh := &albsdk.GetListenerHealthStatusResponseBodyRuleHealthStatus{RuleId: sp(r.id)}
		for _, ga := range ruleGroups(r.rule) {
			g := s.groupHealth(ga[0], ga[1], st.serving(l))
			info := &albsdk.GetListenerHealthStatusResponseBodyRuleHealthStatusServerGroupInfos{
				ServerGroupId: sp(g.id), ActionType: sp(g.action), HealthCheckEnabled: sp(onOff(g.on)),
			}
			for _, m := range g.servers {
				rm := &albsdk.GetListenerHealthStatusResponseBodyRuleHealthStatusServerGroupInfosNonNormalServers{
					ServerId: m.ServerId, ServerIp: m.ServerIp, Port: m.Port, Status: m.Status,
				}
				if m.Reason != nil {
					rm.Reason = &albsdk.GetListenerHealthStatusResponseBodyRuleHealthStatusServerGroupInfosNonNormalServersReason{
						ReasonCode: m.Reason.ReasonCode, ExpectedResponse: m.Reason.ExpectedResponse, ActualResponse: m.Reason.ActualResponse,
					}
				}
				info.NonNormalServers = append(info.NonNormalServers, rm)
			}
			rh.ServerGroupInfos = append(rh.ServerGroupInfos, info)
		}
		out.RuleHealthStatus = append(out.RuleHealthStatus, rh)
	}
	return out, nil
}
