package albtest

import (
	"fmt"
	"net/http"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// Control API endpoints of listeners, rules, certificates, security
// policies and server health (routes in ctlRoutes, control.go): read them
// and force a status, as for instances and server groups.

func ctlListListeners(s *Server, _ *http.Request) (any, error) { return s.Listeners(), nil }

func ctlGetListener(s *Server, r *http.Request) (any, error) {
	l, ok := s.Listener(r.PathValue("id"))
	if !ok {
		return nil, fmt.Errorf("%w: listener %s", ErrNotFound, r.PathValue("id"))
	}
	return l, nil
}

func ctlSetListenerStatus(s *Server, r *http.Request) (any, error) {
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := s.SetListenerStatus(r.PathValue("id"), in.Status); err != nil {
		return nil, err
	}
	return ctlGetListener(s, r)
}

// ruleOut is a rule as the control API answers it: the snapshot with its
// conditions and actions as ListRules shows them.
type ruleOut struct {
	Rule
	RuleConditions []*albsdk.ListRulesResponseBodyRulesRuleConditions `json:"ruleConditions"`
	RuleActions    []*albsdk.ListRulesResponseBodyRulesRuleActions    `json:"ruleActions"`
}

func (s *Server) ruleOut(id string) (ruleOut, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, e := s.ruleByID(id, s.clock.Now(), false)
	if e != nil {
		return ruleOut{}, false
	}
	item := r.listItem()
	return ruleOut{Rule: r.snapshot(), RuleConditions: item.RuleConditions, RuleActions: item.RuleActions}, true
}

func ctlListRules(s *Server, r *http.Request) (any, error) {
	lsn := r.URL.Query().Get("listenerId")
	if lsn != "" {
		if _, ok := s.Listener(lsn); !ok {
			return nil, fmt.Errorf("%w: listener %s", ErrNotFound, lsn)
		}
	}
	out := []ruleOut{}
	for _, ru := range s.Rules(lsn) {
		if o, ok := s.ruleOut(ru.ID); ok {
			out = append(out, o)
		}
	}
	return out, nil
}

func ctlGetRule(s *Server, r *http.Request) (any, error) {
	o, ok := s.ruleOut(r.PathValue("id"))
	if !ok {
		return nil, fmt.Errorf("%w: rule %s", ErrNotFound, r.PathValue("id"))
	}
	return o, nil
}

func ctlSetRuleStatus(s *Server, r *http.Request) (any, error) {
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := s.SetRuleStatus(r.PathValue("id"), in.Status); err != nil {
		return nil, err
	}
	return ctlGetRule(s, r)
}

func ctlCertificates(s *Server, _ *http.Request) (any, error) { return s.certificatesAnswer(), nil }

func ctlSecurityPolicies(s *Server, _ *http.Request) (any, error) { return s.SecurityPolicies(), nil }

func ctlSetServerHealth(s *Server, r *http.Request) (any, error) {
	var in struct {
		ServerID string `json:"serverId"`
		Port     int    `json:"port"`
		ServerHealth
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if in.ServerID == "" {
		return nil, ctlErrorf(http.StatusBadRequest, "health: serverId is empty")
	}
	if err := s.SetServerHealth(r.PathValue("id"), in.ServerID, in.Port, in.ServerHealth); err != nil {
		return nil, err
	}
	return okAnswer{true}, nil
}
