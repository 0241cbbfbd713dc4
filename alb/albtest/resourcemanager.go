package albtest

import (
	"strconv"
	"strings"
)

// ResourceManager 2020-03-31: the ALB service-linked role.

type roleJSON struct {
	RoleID                   string `json:"RoleId"`
	RoleName                 string `json:"RoleName"`
	Arn                      string `json:"Arn"`
	Description              string `json:"Description"`
	AssumeRolePolicyDocument string `json:"AssumeRolePolicyDocument,omitempty"`
	CreateDate               string `json:"CreateDate"`
	UpdateDate               string `json:"UpdateDate,omitempty"`
	MaxSessionDuration       int64  `json:"MaxSessionDuration,omitempty"`
	RolePrincipalName        string `json:"RolePrincipalName"`
	IsServiceLinkedRole      bool   `json:"IsServiceLinkedRole"`
}

type roleResponseJSON struct {
	RequestID string   `json:"RequestId"`
	Role      roleJSON `json:"Role"`
}

func (s *Server) roleJSON() roleJSON {
	r := s.st.role
	return roleJSON{
		RoleID:                   r.id,
		RoleName:                 ServiceLinkedRoleName,
		Arn:                      "acs:ram::1234567890123456:role/aliyunserviceroleforalb",
		Description:              "The ALB service uses this role to access your resources in other services.",
		AssumeRolePolicyDocument: `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["alb.aliyuncs.com"]}}],"Version":"1"}`,
		CreateDate:               ts(r.created),
		UpdateDate:               ts(r.created),
		MaxSessionDuration:       3600,
		RolePrincipalName:        ServiceLinkedRoleService,
		IsServiceLinkedRole:      true,
	}
}

func (s *Server) opGetRole(c *call) (any, *apiError) {
	name := c.p.Get("RoleName")
	if name == "" {
		return nil, missing("RoleName")
	}
	if !strings.EqualFold(name, ServiceLinkedRoleName) || s.st.role == nil {
		return nil, errRoleNotExist(name)
	}
	return &roleResponseJSON{RequestID: c.requestID, Role: s.roleJSON()}, nil
}

// opCreateServiceLinkedRole creates AliyunServiceRoleForAlb for ServiceName
// alb.aliyuncs.com. GUESS: it is idempotent here (the role is answered
// again if it exists); GetRole is served on this version too.
func (s *Server) opCreateServiceLinkedRole(c *call) (any, *apiError) {
	svc := c.p.Get("ServiceName")
	if svc == "" {
		return nil, missing("ServiceName")
	}
	if svc != ServiceLinkedRoleService {
		return nil, errf(400, "InvalidParameter.ServiceName", "The parameter ServiceName is invalid: %s.", truncate(svc, 64))
	}
	if s.st.role == nil {
		s.st.role = &roleState{id: "300800000000000001", created: c.now}
	}
	return &roleResponseJSON{RequestID: c.requestID, Role: s.roleJSON()}, nil
}

// deletionTask is a DeleteServiceLinkedRole task. Deletion is synchronous:
// the task is SUCCEEDED (the role is gone) or, while ALB instances still use
// the role, FAILED with the instances as RoleUsages (GUESS: the real service
// runs the task asynchronously, IN_PROGRESS first).
type deletionTask struct {
	status string
	inUse  []string // instance IDs using the role when it failed
}

type deletionReasonJSON struct {
	Message    string `json:"Message"`
	RoleUsages struct {
		RoleUsage []roleUsageJSON `json:"RoleUsage"`
	} `json:"RoleUsages"`
}

type roleUsageJSON struct {
	Region    string `json:"Region"`
	Resources struct {
		Resource []string `json:"Resource"`
	} `json:"Resources"`
}

type deletionStatusJSON struct {
	RequestID string              `json:"RequestId"`
	Status    string              `json:"Status"`
	Reason    *deletionReasonJSON `json:"Reason,omitempty"` // only for FAILED
}

type deleteRoleJSON struct {
	RequestID      string `json:"RequestId"`
	DeletionTaskID string `json:"DeletionTaskId"`
}

// opDeleteServiceLinkedRole deletes AliyunServiceRoleForAlb (404
// EntityNotExist.Role for another name or an absent role) and answers a
// DeletionTaskId for GetServiceLinkedRoleDeletionStatus.
func (s *Server) opDeleteServiceLinkedRole(c *call) (any, *apiError) {
	name := c.p.Get("RoleName")
	if name == "" {
		return nil, missing("RoleName")
	}
	if !strings.EqualFold(name, ServiceLinkedRoleName) || s.st.role == nil {
		return nil, errRoleNotExist(name)
	}
	t := &deletionTask{status: "SUCCEEDED"}
	for _, id := range s.st.lbOrder {
		t.inUse = append(t.inUse, id)
	}
	if len(t.inUse) > 0 {
		t.status = "FAILED"
	} else {
		s.st.role = nil
	}
	id := "deletion-task/" + strconv.FormatInt(c.now.Unix(), 10) + "-" + newJobID()
	s.st.delTasks[id] = t
	return &deleteRoleJSON{RequestID: c.requestID, DeletionTaskID: id}, nil
}

// opGetServiceLinkedRoleDeletionStatus answers a task's Status (SUCCEEDED or
// FAILED here; IN_PROGRESS and NOT_STARTED never occur) and, for FAILED, the
// Reason. GUESS: an unknown task ID answers 404 EntityNotExist.DeletionTask.
func (s *Server) opGetServiceLinkedRoleDeletionStatus(c *call) (any, *apiError) {
	id := c.p.Get("DeletionTaskId")
	if id == "" {
		return nil, missing("DeletionTaskId")
	}
	t := s.st.delTasks[id]
	if t == nil {
		return nil, errf(404, "EntityNotExist.DeletionTask", "The deletion task not exists: %s.", truncate(id, 80))
	}
	out := &deletionStatusJSON{RequestID: c.requestID, Status: t.status}
	if t.status == "FAILED" {
		r := &deletionReasonJSON{Message: "The service linked role is used by ALB instances."}
		u := roleUsageJSON{Region: s.st.region}
		u.Resources.Resource = t.inUse
		r.RoleUsages.RoleUsage = []roleUsageJSON{u}
		out.Reason = r
	}
	return out, nil
}
