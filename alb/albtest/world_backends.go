package albtest

import (
	"fmt"
	"net/netip"
	"slices"
)

// The compute resources of the world that an Instance server group takes as
// members: ECS instances (ServerType Ecs), elastic network interfaces (Eni)
// and ECI container groups (Eci), each in a VPC with its private addresses.
// AddServersToServerGroup checks a member against them as the service checks
// a member against the account (see alb_servergroup_validate.go).

// Identifiers of the compute resources of the default world.
const (
	// ECSInstance1 is an ECS instance in DefaultVPCID, 10.0.1.10 (in
	// VSwitchH). It is the instance EIPInUse is bound to.
	ECSInstance1 = EIPInUseInstanceID
	// ECSInstance2 is an ECS instance in DefaultVPCID, 10.0.2.10 (in
	// VSwitchI).
	ECSInstance2 = "i-albtest0002"
	// ENI1 is an elastic network interface in DefaultVPCID with the primary
	// address 10.0.1.20 and the secondary address 10.0.1.21.
	ENI1 = "eni-albtest0001"
	// ECI1 is an ECI container group in DefaultVPCID, 10.0.3.30 (in VSwitchJ).
	ECI1 = "eci-albtest0001"
	// ECSInstanceOther is an ECS instance in DefaultOtherVPCID, 172.16.1.10.
	ECSInstanceOther = "i-albtest-other"
)

// Server types of the members of a server group.
const (
	ServerTypeEcs = "Ecs" // an ECS instance (Instance server groups)
	ServerTypeEni = "Eni" // an elastic network interface (Instance server groups)
	ServerTypeEci = "Eci" // an ECI container group (Instance server groups)
	ServerTypeIP  = "Ip"  // an IP address (Ip server groups)
	ServerTypeFc  = "Fc"  // a Function Compute function, by ARN (Fc server groups)
)

// BackendInstance is a compute resource of the world: an ECS instance, an
// elastic network interface or an ECI container group (World.ECSInstances,
// World.ENIs, World.ContainerGroups).
type BackendInstance struct {
	ID    string `json:"id"`    // i-… for ECS, eni-… for an ENI, eci-… for a container group
	VpcID string `json:"vpcId"` // the VPC it is in; must be one of World.VPCs
	// PrivateIPs are its private IPv4 addresses; the first is the primary one,
	// the address a member of this resource gets when ServerIp is not given.
	PrivateIPs []string `json:"privateIps"`
}

// backendFact is a compute resource of the state with its server type.
type backendFact struct {
	BackendInstance
	typ string // ServerTypeEcs | ServerTypeEni | ServerTypeEci
}

// backendKinds lists the World fields of the compute resources by server
// type.
func (w *World) backendKinds() []struct {
	typ  string
	list []BackendInstance
} {
	return []struct {
		typ  string
		list []BackendInstance
	}{{ServerTypeEcs, w.ECSInstances}, {ServerTypeEni, w.ENIs}, {ServerTypeEci, w.ContainerGroups}}
}

// defaultBackends are the compute resources of the default world.
func defaultBackends(w *World) {
	w.ECSInstances = []BackendInstance{
		{ID: ECSInstance1, VpcID: DefaultVPCID, PrivateIPs: []string{"10.0.1.10"}},
		{ID: ECSInstance2, VpcID: DefaultVPCID, PrivateIPs: []string{"10.0.2.10"}},
		{ID: ECSInstanceOther, VpcID: DefaultOtherVPCID, PrivateIPs: []string{"172.16.1.10"}},
	}
	w.ENIs = []BackendInstance{{ID: ENI1, VpcID: DefaultVPCID, PrivateIPs: []string{"10.0.1.20", "10.0.1.21"}}}
	w.ContainerGroups = []BackendInstance{{ID: ECI1, VpcID: DefaultVPCID, PrivateIPs: []string{"10.0.3.30"}}}
}

// validateBackend checks one compute resource of a world whose VPCs are vpcs
// and whose IDs so far are ids (it adds its own).
func validateBackend(b BackendInstance, typ string, vpcs, ids map[string]bool) error {
	if b.ID == "" || ids[b.ID] {
		return fmt.Errorf("albtest: world: empty or duplicate %s id %q", typ, b.ID)
	}
	ids[b.ID] = true
	if !vpcs[b.VpcID] {
		return fmt.Errorf("albtest: world: %s %s: unknown VPC %q", typ, b.ID, b.VpcID)
	}
	if len(b.PrivateIPs) == 0 {
		return fmt.Errorf("albtest: world: %s %s: no privateIps", typ, b.ID)
	}
	for _, ip := range b.PrivateIPs {
		if a, err := netip.ParseAddr(ip); err != nil || !a.Is4() {
			return fmt.Errorf("albtest: world: %s %s: bad private IPv4 address %q", typ, b.ID, ip)
		}
	}
	return nil
}

// addBackend registers a checked compute resource in the state.
func (st *state) addBackend(typ string, b BackendInstance) {
	b.PrivateIPs = slices.Clone(b.PrivateIPs)
	st.backends[b.ID] = &backendFact{BackendInstance: b, typ: typ}
}

// AddECSInstance adds an ECS instance to the world at runtime (a possible
// member of an Instance server group, ServerType Ecs). Its VPC must exist.
func (s *Server) AddECSInstance(b BackendInstance) error { return s.addBackendAt(ServerTypeEcs, b) }

// AddENI adds an elastic network interface to the world at runtime
// (ServerType Eni). Its VPC must exist.
func (s *Server) AddENI(b BackendInstance) error { return s.addBackendAt(ServerTypeEni, b) }

// AddContainerGroup adds an ECI container group to the world at runtime
// (ServerType Eci). Its VPC must exist.
func (s *Server) AddContainerGroup(b BackendInstance) error { return s.addBackendAt(ServerTypeEci, b) }

func (s *Server) addBackendAt(typ string, b BackendInstance) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	vpcs := map[string]bool{}
	for id := range s.st.vpcs {
		vpcs[id] = true
	}
	ids := map[string]bool{}
	for id := range s.st.backends {
		ids[id] = true
	}
	if err := validateBackend(b, typ, vpcs, ids); err != nil {
		return err
	}
	s.st.addBackend(typ, b)
	return nil
}
