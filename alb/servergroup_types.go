package alb

import "time"

// ServerGroupStatus is a server group's ServerGroupStatus.
type ServerGroupStatus string

// The statuses a server group goes through.
const (
	ServerGroupCreating    ServerGroupStatus = "Creating"    // being created
	ServerGroupAvailable   ServerGroupStatus = "Available"   // ready; the only status that takes a change
	ServerGroupConfiguring ServerGroupStatus = "Configuring" // an attribute or membership change is being applied
	ServerGroupDeleting    ServerGroupStatus = "Deleting"    // being deleted
)

// ServerGroup is a server group as ListServerGroups reports it.
//
// Features the service reports as off read as their zero value, as in
// [ServerGroupSpec]: a disabled health check is HealthCheck{}, session
// persistence off is StickySession{}, no slow start is 0, connection
// draining off is ConnectionDrain{}.
type ServerGroup struct {
	ID                string                // server group ID, "sgp-…"
	Name              string                // ServerGroupName
	Type              ServerGroupType       // Instance, Ip or Fc
	Status            ServerGroupStatus     // Creating, Available, Configuring (or Deleting)
	Protocol          BackendProtocol       // HTTP, HTTPS or gRPC ("GRPC" on the wire is normalised)
	Scheduler         Scheduler             // Wrr, Wlc, Sch or Uch; empty for Fc groups
	VPCID             string                // the VPC; empty for Fc groups
	ResourceGroupID   string                // resource group
	HealthCheck       HealthCheck           // health check
	StickySession     StickySession         // session persistence
	SlowStartSeconds  int                   // slow start duration; 0 when slow start is off
	ConnectionDrain   ConnectionDrain       // connection draining
	URLHashParameter  string                // UchConfig QueryString parameter, if any
	CrossZoneEnabled  bool                  // cross-zone load balancing
	IPv6              bool                  // Ipv6Enabled
	IPVersionAffinity IPVersionAffinityMode // IpVersionAffinityMode, if reported
	UpstreamKeepalive bool                  // UpstreamKeepaliveEnabled
	// ConfigManaged is ConfigManagedEnabled: the group's configuration is
	// managed by another service (the ALB ingress controller).
	ConfigManaged bool
	// ServiceName is the Kubernetes Service the ingress controller
	// associated with the group; albkit does not manage it.
	ServiceName string
	// ServerCount is the number of members.
	ServerCount int
	// LoadBalancerIDs are the instances whose listeners or rules use the
	// group (RelatedLoadBalancerIds).
	LoadBalancerIDs []string
	Tags            []Tag     // tags, including albkit's TokenTagKey and SpecTagKey
	CreatedAt       time.Time // creation time (UTC)
}

// Token returns the ClientToken albkit tagged the group with at creation
// ("" if albkit did not create it).
func (g *ServerGroup) Token() string {
	v, _ := tagLookup(g.Tags, TokenTagKey)
	return v
}

// BackendServerStatus is a member's Status in ListServerGroupServers.
type BackendServerStatus string

// The statuses of a member.
const (
	BackendServerAdding      BackendServerStatus = "Adding"      // being added
	BackendServerAvailable   BackendServerStatus = "Available"   // a member
	BackendServerConfiguring BackendServerStatus = "Configuring" // its weight or description is changing
	BackendServerRemoving    BackendServerStatus = "Removing"    // being removed
	BackendServerReplacing   BackendServerStatus = "Replacing"   // either side of ReplaceServersInServerGroup
)

// BackendServer is a member of a server group as ListServerGroupServers
// reports it: the server, with its address (IP, which the service fills
// in for every Ecs, Eni, Eci and Ip member), its group and its status.
type BackendServer struct {
	Server
	ServerGroupID string              // the group
	Status        BackendServerStatus // Adding, Available, Configuring, Removing or Replacing
}
