package albtest

import (
	"net/netip"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// Network changes of an ALB instance: zones, address type and EIPs, shared
// bandwidth package. Zone and address-type changes take and free addresses
// and EIPs when the request is accepted and show them at once (GUESS: the
// real service may show them only when the job ends); the bandwidth package
// is shown attached or detached when the Configuring transition completes.

// zonePlan is a checked UpdateLoadBalancerZones request.
type zonePlan struct {
	add     []zoneReq
	remove  []*zoneState
	readdr  map[*zoneState]netip.Addr // kept zones whose VIP changes
	keepAll []string                  // zone IDs in request order
}

// planZones compares the requested zones with lb's and applies the create
// checks to the zones that take new addresses.
func (s *Server) planZones(lb *lbState, zs []zoneReq) (*zonePlan, *apiError) {
	st := s.st
	plan := &zonePlan{readdr: map[*zoneState]netip.Addr{}}
	cur := map[string]*zoneState{}
	for _, z := range lb.zones {
		cur[z.zoneID] = z
	}
	want := map[string]bool{}
	keptType := ""
	for _, z := range zs {
		want[z.zoneID] = true
		plan.keepAll = append(plan.keepAll, z.zoneID)
		old := cur[z.zoneID]
		if old == nil {
			if e := st.checkZoneVSwitch(lb.vpcID, lb.ipVersion, z); e != nil {
				return nil, e
			}
			plan.add = append(plan.add, z)
			continue
		}
		if old.vswID != z.vswID {
			// A zone keeps its vSwitch: the code is in the ALB API
			// metadata's UpdateLoadBalancerZones errors (and the Terraform
			// provider's), the condition a GUESS.
			return nil, errf(400, "OperationDenied.ZoneVSwitchChanged", "The operation is not allowed because of %s.", "ZoneVSwitchChanged")
		}
		keptType = or(keptType, old.eipType)
		if z.intranet != "" && z.intranet != old.vip.String() {
			if e := st.checkIntranetAddress(st.vsw[z.vswID], z); e != nil {
				return nil, e
			}
			plan.readdr[old], _ = netip.ParseAddr(z.intranet)
		}
		// A different AllocationId on a kept zone is not a zone change: EIPs
		// are rebound with UpdateLoadBalancerAddressTypeConfig (Terraform
		// issue #9309).
	}
	for _, z := range lb.zones {
		if !want[z.zoneID] {
			plan.remove = append(plan.remove, z)
		}
	}
	if len(plan.add) == 0 && len(plan.remove) == 0 && len(plan.readdr) == 0 {
		return nil, errf(400, "OperationDenied.ZoneMappingsNotChanged", "The operation is not allowed because of %s.", "ZoneMappingsNotChanged")
	}
	if _, e := st.eipPlan(lb.addressType, plan.add, keptType, ""); e != nil {
		return nil, e
	}
	return plan, nil
}

// opUpdateLoadBalancerZones replaces the instance's zones with the full
// ZoneMappings list. New zones take three addresses (and an EIP for an
// Internet instance, given by ZoneMappings.N.AllocationId, which Terraform
// sends although the SDK model lacks it, or auto-assigned); removed zones
// free theirs and unbind their EIP (see unbindEIP).
func (s *Server) opUpdateLoadBalancerZones(c *call) (any, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, e
	}
	zs, e := parseZones(c.p, true, "VSwitchId", "ZoneId", "AllocationId", "EipType", "IntranetAddress")
	if e != nil {
		return nil, e
	}
	if _, e := list(c.p, "RetainResourceType"); e != nil {
		return nil, e
	}
	if e := checkDuplicateZones(zs); e != nil {
		return nil, e
	}
	// An instance keeps at least two zones in a region of two or more, as
	// CreateLoadBalancer asks (checkZoneCount; the code is a GUESS).
	if e := s.st.checkZoneCount(len(zs)); e != nil {
		return nil, e
	}
	if e := writable(lb); e != nil {
		return nil, e
	}
	plan, e := s.planZones(lb, zs)
	if e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	s.applyZones(lb, plan, c)
	j := s.update(lb, c, "UpdateLoadBalancerZones", nil)
	return &albsdk.UpdateLoadBalancerZonesResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) applyZones(lb *lbState, plan *zonePlan, c *call) {
	for _, z := range plan.remove {
		s.freeZone(lb, z)
	}
	for z, a := range plan.readdr {
		v := s.st.vsw[z.vswID]
		delete(v.used, z.vip)
		v.used[a] = lb.id
		z.vip = a
	}
	byZone := map[string]*zoneState{}
	for _, z := range lb.zones {
		byZone[z.zoneID] = z
	}
	for _, z := range plan.add {
		byZone[z.zoneID] = s.addZone(lb, z, c.now)
	}
	lb.zones = lb.zones[:0]
	for _, id := range plan.keepAll {
		lb.zones = append(lb.zones, byZone[id])
	}
}

// opUpdateLoadBalancerAddressTypeConfig changes the address type (Internet
// ↔ Intranet) or, on an Internet instance, rebinds EIPs through
// ZoneMappings.N.AllocationId (each entry names one of the instance's
// zones). Going Internet, zones without an AllocationId get an
// auto-assigned EIP; an EIP that leaves the instance is released if it was
// auto-assigned and disassociated if the user gave it (see unbindEIP).
// No change answers 400 OperationDenied.AddressTypeNotChanged, an unknown
// EIP 400 ResourceNotFound.Eip and an EIP that is not pay-as-you-go 400
// OperationDenied.OnlyPostPaidEipSupported (the ALB API metadata's codes).
// GUESSes: going Intranet with a bandwidth package attached answers 400
// OperationDenied.AddressTypeNotSupportBandwidthPackage; a zone the instance
// does not have answers 400 InvalidParameter.
func (s *Server) opUpdateLoadBalancerAddressTypeConfig(c *call) (any, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, e
	}
	to, e := enum(c.p, "AddressType", true, "Internet", "Intranet")
	if e != nil {
		return nil, e
	}
	zs, e := parseZones(c.p, false, "VSwitchId", "ZoneId", "AllocationId", "EipType")
	if e != nil {
		return nil, e
	}
	if e := writable(lb); e != nil {
		return nil, e
	}
	rebind, e := s.planAddressType(lb, to, zs)
	if e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	for _, z := range lb.zones {
		if alloc, ok := rebind[z]; ok {
			s.unbindEIP(z)
			if to == "Internet" {
				s.bindEIP(lb, z, alloc, c.now)
			}
		}
	}
	lb.addressType = to
	j := s.update(lb, c, "UpdateLoadBalancerAddressTypeConfig", nil)
	return &albsdk.UpdateLoadBalancerAddressTypeConfigResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// planAddressType checks an address-type change and returns the zones whose
// EIP changes, with the AllocationId each gets ("" for auto-assigned or,
// going Intranet, none).
func (s *Server) planAddressType(lb *lbState, to string, zs []zoneReq) (map[*zoneState]string, *apiError) {
	byZone := map[string]*zoneState{}
	for _, z := range lb.zones {
		byZone[z.zoneID] = z
	}
	asked := map[*zoneState]zoneReq{}
	for i, z := range zs {
		cur := byZone[z.zoneID]
		if cur == nil {
			return nil, errf(400, "InvalidParameter", "The zone %s in ZoneMappings.%d is not a zone of %s.", truncate(z.zoneID, 64), i+1, lb.id)
		}
		if z.vswID != "" && z.vswID != cur.vswID {
			return nil, errf(400, "Mismatch.ZoneIdAndVSwitchId", "The ZoneId and VSwitchId are mismatched.")
		}
		asked[cur] = z
	}
	rebind := map[*zoneState]string{}
	var changed []zoneReq
	keptType := ""
	for _, z := range lb.zones {
		r, ok := asked[z]
		switch {
		case to == "Intranet":
			rebind[z] = ""
		case lb.addressType == "Intranet" || ok && r.allocID != "" && r.allocID != z.eipID:
			rebind[z] = r.allocID
			changed = append(changed, zoneReq{zoneID: z.zoneID, vswID: z.vswID, allocID: r.allocID, eipType: r.eipType})
		default:
			keptType = or(keptType, z.eipType)
		}
	}
	if to == lb.addressType && len(changed) == 0 {
		return nil, errf(400, "OperationDenied.AddressTypeNotChanged", "The operation is not allowed because of %s.", "AddressTypeNotChanged")
	}
	if to == "Intranet" && lb.bwpID != "" {
		return nil, errBandwidthNeedsInternet()
	}
	if _, e := s.st.eipPlan(to, append(changed, intranetEIPs(to, zs)...), keptType, ""); e != nil {
		if e.Code == "ResourceNotFound.Eip" {
			e.Status = 400 // as this operation's metadata documents (create's 404 is a GUESS)
		}
		return nil, e
	}
	return rebind, nil
}

// intranetEIPs returns the entries naming an EIP when going Intranet, so
// that eipPlan refuses them.
func intranetEIPs(to string, zs []zoneReq) []zoneReq {
	if to != "Intranet" {
		return nil
	}
	var out []zoneReq
	for _, z := range zs {
		if z.allocID != "" {
			out = append(out, z)
		}
	}
	return out
}

// bandwidthCommon checks the parameters shared by Attach and Detach.
func (s *Server) bandwidthCommon(c *call) (*lbState, string, *apiError) {
	if c.p.Get("RegionId") == "" {
		return nil, "", missing("RegionId")
	}
	bwp := c.p.Get("BandwidthPackageId")
	if bwp == "" {
		return nil, "", missing("BandwidthPackageId")
	}
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, "", e
	}
	if c.p.Get("RegionId") != s.st.region {
		return nil, "", notFoundLB(lb.id)
	}
	b := s.st.cbwps[bwp]
	if b == nil {
		return nil, "", errf(404, "ResourceNotFound.CommonBandwidthPackage", "The specified resource %s is not found.", bwp)
	}
	if b.Status != "Available" {
		return nil, "", errf(400, "IncorrectStatus.CommonBandwidthPackage", "The status of %s [%s] is incorrect.", bwp, b.Status)
	}
	if b.BusinessStatus != "Normal" {
		return nil, "", errf(400, "IncorrectBusinessStatus.CommonBandwidthPackage", "The business status of %s [%s] is incorrect.", bwp, b.BusinessStatus)
	}
	return lb, bwp, writable(lb)
}

// opAttachCBWP attaches a shared bandwidth package; the instance's EIPs move
// into it when the transition completes.
func (s *Server) opAttachCBWP(c *call) (any, *apiError) {
	lb, bwp, e := s.bandwidthCommon(c)
	if e != nil {
		return nil, e
	}
	if lb.addressType != "Internet" {
		return nil, errBandwidthNeedsInternet()
	}
	if lb.bwpID != "" {
		return nil, errf(400, "OperationDenied.BandwidthPackageAlreadyAttached", "The operation is not allowed because %s is already attached to bandwidth package %s.", lb.id, lb.bwpID)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.update(lb, c, "AttachCommonBandwidthPackageToLoadBalancer", func() { s.setBandwidthPackage(lb, bwp) })
	return &albsdk.AttachCommonBandwidthPackageToLoadBalancerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opDetachCBWP detaches it; the EIPs leave the package when the transition
// completes.
func (s *Server) opDetachCBWP(c *call) (any, *apiError) {
	lb, bwp, e := s.bandwidthCommon(c)
	if e != nil {
		return nil, e
	}
	if lb.bwpID != bwp {
		return nil, errf(400, "OperationDenied.BandwidthPackageNotAttached", "The operation is not allowed because %s is not attached to bandwidth package %s.", lb.id, bwp)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.update(lb, c, "DetachCommonBandwidthPackageFromLoadBalancer", func() { s.setBandwidthPackage(lb, "") })
	return &albsdk.DetachCommonBandwidthPackageFromLoadBalancerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}
