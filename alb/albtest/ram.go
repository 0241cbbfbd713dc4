package albtest

import "strings"

// RAM 2015-05-01: GetRole, which the Terraform provider's service-linked
// role resource calls on ram.aliyuncs.com to read the role.

// VersionRAM is the RAM API version served.
const VersionRAM = "2015-05-01"

var prodRAM = &product{name: "Ram", host: "ram", global: true, version: VersionRAM}

// ramRoleJSON is RAM's Role: the fields of ResourceManager's role without
// RolePrincipalName and IsServiceLinkedRole.
type ramRoleJSON struct {
	RoleID                   string `json:"RoleId"`
	RoleName                 string `json:"RoleName"`
	Arn                      string `json:"Arn"`
	Description              string `json:"Description"`
	AssumeRolePolicyDocument string `json:"AssumeRolePolicyDocument"`
	CreateDate               string `json:"CreateDate"`
	UpdateDate               string `json:"UpdateDate"`
	MaxSessionDuration       int64  `json:"MaxSessionDuration"`
}

type ramRoleResponseJSON struct {
	RequestID string      `json:"RequestId"`
	Role      ramRoleJSON `json:"Role"`
}

// opRAMGetRole answers the ALB service-linked role, or 404
// EntityNotExist.Role (the code the Terraform provider expects when the role
// is absent). Role names are case-insensitive, as in RAM.
func (s *Server) opRAMGetRole(c *call) (any, *apiError) {
	name := c.p.Get("RoleName")
	if name == "" {
		return nil, missing("RoleName")
	}
	if !strings.EqualFold(name, ServiceLinkedRoleName) || s.st.role == nil {
		return nil, errRoleNotExist(name)
	}
	r := s.roleJSON()
	return &ramRoleResponseJSON{RequestID: c.requestID, Role: ramRoleJSON{
		RoleID: r.RoleID, RoleName: r.RoleName, Arn: r.Arn, Description: r.Description,
		AssumeRolePolicyDocument: r.AssumeRolePolicyDocument, CreateDate: r.CreateDate,
		UpdateDate: r.UpdateDate, MaxSessionDuration: r.MaxSessionDuration,
	}}, nil
}

func errRoleNotExist(name string) *apiError {
	return errf(404, "EntityNotExist.Role", "The role not exists: %s.", truncate(name, 64))
}
