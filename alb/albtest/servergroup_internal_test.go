package albtest

import (
	"errors"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// TestServerGroupInUse registers a user of a group where listeners and
// rules will (serverGroupUsers): the deletion is refused with
// ResourceInUse.ServerGroup until it goes, and a DryRun says so too.
func TestServerGroupInUse(t *testing.T) {
	srv := NewServer(WithTransitions(Immediate()))
	defer srv.Close()
	c := srv.ALBClient()
	resp, err := c.CreateServerGroup(&albsdk.CreateServerGroupRequest{ServerGroupName: dara.String("used"), VpcId: dara.String(DefaultVPCID),
		HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: dara.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Body.ServerGroupId
	srv.mu.Lock()
	srv.st.sgUsers = map[string][]string{*id: {"lsn-albtest"}}
	srv.mu.Unlock()
	for _, dry := range []bool{true, false} {
		_, err = c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: id, DryRun: dara.Bool(dry)})
		var se *tea.SDKError
		if !errors.As(err, &se) || dara.StringValue(se.Code) != "ResourceInUse.ServerGroup" || dara.IntValue(se.StatusCode) != 400 {
			t.Fatalf("delete of a used group (DryRun %v): %v", dry, err)
		}
	}
	srv.mu.Lock()
	srv.st.sgUsers = nil
	srv.mu.Unlock()
	if _, err := c.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: id}); err != nil {
		t.Fatalf("delete once unused: %v", err)
	}
	if _, ok := srv.ServerGroup(*id); ok {
		t.Fatal("the group is still there")
	}
}
