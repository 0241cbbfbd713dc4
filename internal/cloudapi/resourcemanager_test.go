package cloudapi_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/internal/cloudapi"
)

func roleBody() map[string]any {
	return map[string]any{
		"RequestId": "60EE4A1D-7E0A-4A8B-9E2B-1C8E5B7C2F2D",
		"Role": map[string]any{
			"RoleName":                 cloudapi.ALBServiceLinkedRole,
			"RoleId":                   "3748467478734****",
			"Arn":                      "acs:ram::123456789012****:role/aliyunserviceroleforalb",
			"Description":              "ALB service-linked role",
			"CreateDate":               "2020-04-14T02:56:46Z",
			"UpdateDate":               "2020-04-14T02:56:46Z",
			"IsServiceLinkedRole":      true,
			"RolePrincipalName":        "alb.aliyuncs.com",
			"MaxSessionDuration":       3600,
			"AssumeRolePolicyDocument": `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["alb.aliyuncs.com"]}}],"Version":"1"}`,
		},
	}
}

func TestResourceManager(t *testing.T) {
	var exists atomic.Bool
	f := newFake(t, func(r recorded) reply {
		switch r.Action {
		case "GetRole":
			if !exists.Load() {
				return reply{404, errBody("EntityNotExist.Role", "The role does not exist.", "R-NF")}
			}
			return reply{200, roleBody()}
		case "CreateServiceLinkedRole":
			exists.Store(true)
			return reply{200, roleBody()}
		}
		return reply{400, errBody("InvalidAction.NotFound", "no such action", "R-X")}
	})
	c := f.clients(t)
	ctx := context.Background()

	_, err := mustRM(t, c).GetRole(ctx, cloudapi.ALBServiceLinkedRole)
	if !cloudapi.IsNotFound(err) {
		t.Errorf("GetRole of a missing role: %v, want ErrNotFound", err)
	}
	var se *tea.SDKError
	if !errors.As(err, &se) || tea.StringValue(se.Code) != "EntityNotExist.Role" || tea.IntValue(se.StatusCode) != 404 {
		t.Errorf("GetRole error %v is not the SDK error", err)
	}

	created, err := mustRM(t, c).CreateServiceLinkedRole(ctx, cloudapi.ALBServiceName)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mustRM(t, c).GetRole(ctx, cloudapi.ALBServiceLinkedRole)
	if err != nil {
		t.Fatal(err)
	}
	want := &cloudapi.Role{
		RoleName: "AliyunServiceRoleForAlb", RoleId: "3748467478734****", Arn: "acs:ram::123456789012****:role/aliyunserviceroleforalb",
		Description: "ALB service-linked role", CreateDate: "2020-04-14T02:56:46Z", IsServiceLinkedRole: true,
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(created, want) {
		t.Errorf("roles = %+v, %+v; want %+v", created, got, want)
	}

	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	checkSigned(t, reqs[0], "GetRole", "2020-03-31")
	wantQuery(t, reqs[0].Query, map[string]string{"RoleName": "AliyunServiceRoleForAlb"})
	checkSigned(t, reqs[1], "CreateServiceLinkedRole", "2020-03-31")
	wantQuery(t, reqs[1].Query, map[string]string{"ServiceName": "alb.aliyuncs.com"})

	if _, err := mustRM(t, c).GetRole(ctx, ""); err == nil {
		t.Error("empty role name accepted")
	}
	if _, err := mustRM(t, c).CreateServiceLinkedRole(ctx, ""); err == nil {
		t.Error("empty service name accepted")
	}
}

func TestGetRoleWithoutRole(t *testing.T) {
	f := newFake(t, func(r recorded) reply { return reply{200, map[string]any{"RequestId": "R"}} })
	if _, err := mustRM(t, f.clients(t)).GetRole(context.Background(), "x"); err == nil {
		t.Error("a body without Role accepted")
	}
}
