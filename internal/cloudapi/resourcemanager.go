package cloudapi

import (
	"context"
	"errors"
	"fmt"
)

// ALBServiceLinkedRole is the name of ALB's service-linked role, and
// ALBServiceName the service name that CreateServiceLinkedRole takes to create
// it (GUESS: from the ALB error OperationDenyed.ServiceLinkedRoleNotExist and
// the RAM naming scheme; the emulator and alb.Client use these two).
const (
	ALBServiceLinkedRole = "AliyunServiceRoleForAlb"
	ALBServiceName       = "alb.aliyuncs.com"
)

// ResourceManager calls ResourceManager 2020-03-31 at the global endpoint
// (GUESS: GetRole and CreateServiceLinkedRole of ResourceManager, not of RAM,
// are used; no RegionId is sent).
type ResourceManager struct {
	rpc *rpc
}

// String names the endpoint; it never prints the credential.
func (c *ResourceManager) String() string {
	return "cloudapi.ResourceManager{" + c.rpc.endpoint + "}"
}

// Role is a RAM role as GetRole and CreateServiceLinkedRole return it (the
// Role object of the response). JSON tags are the wire names.
type Role struct {
	RoleName            string `json:"RoleName"`            // e.g. AliyunServiceRoleForAlb
	RoleId              string `json:"RoleId"`              // numeric ID, as a string
	Arn                 string `json:"Arn"`                 // the role's ARN
	Description         string `json:"Description"`         // role description
	CreateDate          string `json:"CreateDate"`          // creation time, as the service formats it
	IsServiceLinkedRole bool   `json:"IsServiceLinkedRole"` // whether it is a service-linked role
}

type roleResponse struct {
	RequestId string `json:"RequestId"`
	Role      Role   `json:"Role"`
}

// GetRole returns the role called name. A missing role (404
// EntityNotExist.Role) gives an error matching ErrNotFound.
func (c *ResourceManager) GetRole(ctx context.Context, name string) (*Role, error) {
	if name == "" {
		return nil, errors.New("cloudapi: GetRole: empty role name")
	}
	query := struct {
		RoleName string `json:"RoleName"`
	}{name}
	return c.callRole(ctx, "GetRole", query)
}

// CreateServiceLinkedRole creates the service-linked role of serviceName (for
// ALB: ALBServiceName) and returns it.
func (c *ResourceManager) CreateServiceLinkedRole(ctx context.Context, serviceName string) (*Role, error) {
	if serviceName == "" {
		return nil, errors.New("cloudapi: CreateServiceLinkedRole: empty service name")
	}
	query := struct {
		ServiceName string `json:"ServiceName"`
	}{serviceName}
	return c.callRole(ctx, "CreateServiceLinkedRole", query)
}

// callRole sends an action whose response carries a Role and returns it; a
// response without one is an error.
func (c *ResourceManager) callRole(ctx context.Context, action string, query any) (*Role, error) {
	var out roleResponse
	if err := c.rpc.call(ctx, action, query, &out); err != nil {
		return nil, err
	}
	if out.Role.RoleName == "" {
		return nil, fmt.Errorf("cloudapi: %s: response has no Role (request %s)", action, out.RequestId)
	}
	return &out.Role, nil
}
