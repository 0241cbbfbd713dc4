package albtest

import (
	"fmt"
	"net/http"
)

// Control API endpoints of server groups (routes in ctlRoutes, control.go):
// read them and force a status, as for instances. The answers are the
// ServerGroup snapshots' JSON.

func ctlListSGs(s *Server, _ *http.Request) (any, error) { return s.ServerGroups(), nil }

func ctlGetSG(s *Server, r *http.Request) (any, error) {
	sg, ok := s.ServerGroup(r.PathValue("id"))
	if !ok {
		return nil, fmt.Errorf("%w: server group %s", ErrNotFound, r.PathValue("id"))
	}
	return sg, nil
}

func ctlSetSGStatus(s *Server, r *http.Request) (any, error) {
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if err := s.SetServerGroupStatus(r.PathValue("id"), in.Status); err != nil {
		return nil, err
	}
	return ctlGetSG(s, r)
}
