package alb

import albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

// Server-group conversions exposed to the external test package: the
// differential and converge tests send the exact SDK requests albkit would
// send, also for specs that local validation refuses.

// CreateServerGroupRequestForTest is ServerGroupSpec.createRequest.
func CreateServerGroupRequestForTest(s ServerGroupSpec, token string, dryRun bool) *albsdk.CreateServerGroupRequest {
	return s.createRequest(token, token, dryRun)
}

// ServerGroupFromSDKForTest is serverGroupFromSDK.
func ServerGroupFromSDKForTest(b *albsdk.ListServerGroupsResponseBodyServerGroups) *ServerGroup {
	return serverGroupFromSDK(b)
}

// BackendServerFromSDKForTest is backendServerFromSDK.
func BackendServerFromSDKForTest(b *albsdk.ListServerGroupServersResponseBodyServers) BackendServer {
	return backendServerFromSDK(b)
}

// UpdateAttributeRequestForTest is the plan's UpdateServerGroupAttribute
// request (nil when no attribute changes).
func (p *ServerGroupPlan) UpdateAttributeRequestForTest(token string, dryRun bool) *albsdk.UpdateServerGroupAttributeRequest {
	return p.updateAttributeRequest(token, dryRun)
}

// AddServersRequestForTest is addServersRequest.
func AddServersRequestForTest(id string, servers []Server, token string, dryRun bool) *albsdk.AddServersToServerGroupRequest {
	return addServersRequest(id, servers, token, dryRun)
}

// RemoveServersRequestForTest is removeServersRequest.
func RemoveServersRequestForTest(id string, servers []Server, token string, dryRun bool) *albsdk.RemoveServersFromServerGroupRequest {
	return removeServersRequest(id, servers, token, dryRun)
}

// UpdateServersRequestForTest is updateServersRequest.
func UpdateServersRequestForTest(id string, servers []Server, token string, dryRun bool) *albsdk.UpdateServerGroupServersAttributeRequest {
	return updateServersRequest(id, servers, token, dryRun)
}

// ReplaceServersRequestForTest is replaceServersRequest.
func ReplaceServersRequestForTest(id string, added, removed []Server, token string, dryRun bool) *albsdk.ReplaceServersInServerGroupRequest {
	return replaceServersRequest(id, added, removed, token, dryRun)
}
