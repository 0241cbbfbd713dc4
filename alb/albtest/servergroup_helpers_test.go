package albtest_test

import (
	"strconv"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// sgReq is a valid Instance server group in the default VPC with a health
// check enabled and nothing else configured.
func sgReq(mods ...func(*albsdk.CreateServerGroupRequest)) *albsdk.CreateServerGroupRequest {
	r := &albsdk.CreateServerGroupRequest{
		ServerGroupName:   dara.String("albtest-sg"),
		VpcId:             dara.String(albtest.DefaultVPCID),
		HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: dara.Bool(true)},
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

// ipGroup makes sgReq an Ip server group.
func ipGroup(r *albsdk.CreateServerGroupRequest) { r.ServerGroupType = dara.String("Ip") }

func mustCreateSG(t testing.TB, c *albsdk.Client, r *albsdk.CreateServerGroupRequest) string {
	t.Helper()
	resp, err := c.CreateServerGroup(r)
	if err != nil {
		t.Fatalf("CreateServerGroup: %v", err)
	}
	return dara.StringValue(resp.Body.ServerGroupId)
}

// sgList is ListServerGroups by ID: the group, or nil when it is gone.
func sgList(t testing.TB, c *albsdk.Client, id string) *albsdk.ListServerGroupsResponseBodyServerGroups {
	t.Helper()
	resp, err := c.ListServerGroups(&albsdk.ListServerGroupsRequest{ServerGroupIds: []*string{dara.String(id)}})
	if err != nil {
		t.Fatalf("ListServerGroups(%s): %v", id, err)
	}
	switch len(resp.Body.ServerGroups) {
	case 0:
		return nil
	case 1:
		return resp.Body.ServerGroups[0]
	}
	t.Fatalf("ListServerGroups(%s): %s", id, resp.Body.String())
	return nil
}

// sgStatus is the group's ServerGroupStatus as one list shows it ("" when
// gone).
func sgStatus(t testing.TB, c *albsdk.Client, id string) string {
	t.Helper()
	if g := sgList(t, c, id); g != nil {
		return dara.StringValue(g.ServerGroupStatus)
	}
	return ""
}

// waitSG polls the list until the group is Available (bounded).
func waitSG(t testing.TB, c *albsdk.Client, id string) *albsdk.ListServerGroupsResponseBodyServerGroups {
	t.Helper()
	for i := 0; i < 10; i++ {
		if g := sgList(t, c, id); g != nil && dara.StringValue(g.ServerGroupStatus) == "Available" {
			return g
		}
	}
	t.Fatalf("server group %s not Available after 10 polls", id)
	return nil
}

// sgServers lists every server of a group, following NextToken.
func sgServers(t testing.TB, c *albsdk.Client, id string) []*albsdk.ListServerGroupServersResponseBodyServers {
	t.Helper()
	var out []*albsdk.ListServerGroupServersResponseBodyServers
	req := &albsdk.ListServerGroupServersRequest{ServerGroupId: dara.String(id), MaxResults: dara.Int32(100)}
	for {
		resp, err := c.ListServerGroupServers(req)
		if err != nil {
			t.Fatalf("ListServerGroupServers(%s): %v", id, err)
		}
		out = append(out, resp.Body.Servers...)
		if dara.StringValue(resp.Body.NextToken) == "" {
			return out
		}
		req.NextToken = resp.Body.NextToken
	}
}

// serverStatuses maps each server's ID:port to its status.
func serverStatuses(t testing.TB, c *albsdk.Client, id string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, s := range sgServers(t, c, id) {
		m[dara.StringValue(s.ServerId)+":"+strconv.Itoa(int(dara.Int32Value(s.Port)))] = dara.StringValue(s.Status)
	}
	return m
}

func ipServer(ip string, port int32) *albsdk.AddServersToServerGroupRequestServers {
	return &albsdk.AddServersToServerGroupRequestServers{ServerType: dara.String("Ip"), ServerId: dara.String(ip), Port: dara.Int32(port)}
}

func addServers(c *albsdk.Client, id string, servers ...*albsdk.AddServersToServerGroupRequestServers) error {
	_, err := c.AddServersToServerGroup(&albsdk.AddServersToServerGroupRequest{ServerGroupId: dara.String(id), Servers: servers})
	return err
}

func mustAddServers(t testing.TB, c *albsdk.Client, id string, servers ...*albsdk.AddServersToServerGroupRequestServers) {
	t.Helper()
	if err := addServers(c, id, servers...); err != nil {
		t.Fatalf("AddServersToServerGroup: %v", err)
	}
}

func removeIPServers(c *albsdk.Client, id string, ips ...string) error {
	var rs []*albsdk.RemoveServersFromServerGroupRequestServers
	for _, ip := range ips {
		rs = append(rs, &albsdk.RemoveServersFromServerGroupRequestServers{ServerType: dara.String("Ip"), ServerId: dara.String(ip), Port: dara.Int32(80)})
	}
	_, err := c.RemoveServersFromServerGroup(&albsdk.RemoveServersFromServerGroupRequest{ServerGroupId: dara.String(id), Servers: rs})
	return err
}

// ipRange is n Ip servers 10.9.x.y:80.
func ipRange(from, n int) []*albsdk.AddServersToServerGroupRequestServers {
	out := make([]*albsdk.AddServersToServerGroupRequestServers, n)
	for i := range out {
		k := from + i
		out[i] = ipServer("10.9."+strconv.Itoa(k/250)+"."+strconv.Itoa(k%250+1), 80)
	}
	return out
}

// sgJobs returns the jobs of a group, oldest first.
func sgJobs(t testing.TB, c *albsdk.Client, id string) []*albsdk.ListAsynJobsResponseBodyJobs {
	t.Helper()
	resp, err := c.ListAsynJobs(&albsdk.ListAsynJobsRequest{ResourceType: dara.String("servergroup"), ResourceIds: []*string{dara.String(id)}, MaxResults: dara.Int64(100)})
	if err != nil {
		t.Fatalf("ListAsynJobs: %v", err)
	}
	return resp.Body.Jobs
}
