package albtest

import (
	"fmt"
	"net/netip"
	"net/url"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// ALB instances: state, CreateLoadBalancer, DeleteLoadBalancer, lookups and
// the address/EIP bookkeeping shared by the operations that change zones.

type lbState struct {
	resource                                              // id, status ("Provisioning", "Active", …), pending transition
	name, vpcID, addressType, ipVersion, edition, payType string
	bwpID, resourceGroup, allocMode                       string
	ipv6Type                                              string // DualStack only: Intranet | Internet
	bizStatus                                             string
	created                                               time.Time
	delProt                                               bool
	delProtTime                                           time.Time
	modStatus, modReason                                  string
	logProject, logStore                                  string // access log; "" when disabled
	zones                                                 []*zoneState
	tags                                                  []tagKV
	locks                                                 []OperationLock
	secGroups                                             []string
	failCreate                                            bool
	token                                                 string
	deleted                                               bool
	deletedAt                                             time.Time
	forbidden                                             bool       // SetForbidden
	missReads                                             int        // reads still answering not-found (WithReadAfterCreateMisses)
	attr                                                  *attrCache // encoded GetLoadBalancerAttribute answer (alb_loadbalancer_read.go)
}

type zoneState struct {
	zoneID, vswID string
	vip           netip.Addr
	local         []netip.Addr
	ipv6          netip.Addr
	eipID         string
	eipType       string
	eipAddr       string
	autoEIP       bool
}

type tagKV struct{ k, v string }

// WithReadAfterCreateMisses makes the first n reads of every new instance
// answer 404 ResourceNotFound.LoadBalancer, as the real service may right
// after CreateLoadBalancer (eventual consistency). A read is a
// GetLoadBalancerAttribute of the instance or a ListLoadBalancers call whose
// filters match it (the instance is left out of that page). Writes are not
// affected, and a missed read does not count as a poll of the transition.
func WithReadAfterCreateMisses(n int) Option { return func(c *config) { c.readMisses = n } }

// SetForbidden makes every operation naming the instance answer
// Forbidden.LoadBalancer ("Authentication has failed…", as when a RAM
// policy denies it): 400 for GetLoadBalancerAttribute, 403 for the writes,
// as the API metadata lists them. ListLoadBalancers still lists it (GUESS:
// the list is authorised per account). false lifts it.
func (s *Server) SetForbidden(id string, forbidden bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.lbs[id]
	if lb == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	lb.forbidden = forbidden
	return nil
}

func notFoundLB(id string) *apiError {
	return errf(404, "ResourceNotFound.LoadBalancer", "The specified resource %s is not found.", id)
}

// lookupLB returns the live instance named by parameter name after settling
// its transition. read marks GetLoadBalancerAttribute: it counts as a poll
// and may miss right after create.
func (s *Server) lookupLB(c *call, name string, read bool) (*lbState, *apiError) {
	id := c.p.Get(name)
	if id == "" {
		return nil, missing(name)
	}
	lb := s.st.lbs[id]
	if lb == nil {
		return nil, notFoundLB(id)
	}
	if read && lb.missReads > 0 {
		lb.missReads--
		return nil, notFoundLB(id)
	}
	s.settle(&lb.resource, c.now, read)
	if lb.deleted {
		return nil, notFoundLB(id)
	}
	if lb.forbidden {
		if read {
			return nil, errf(400, "Forbidden.LoadBalancer", "Authentication has failed for LoadBalancer.")
		}
		return nil, errf(403, "Forbidden.LoadBalancer", "Authentication is failed for %s.", id)
	}
	return lb, nil
}

// writable checks the business status and status of lb for a write.
func writable(lb *lbState, allowed ...string) *apiError {
	if lb.bizStatus != "Normal" {
		return errf(400, "IncorrectBusinessStatus.LoadBalancer", "The business status of %s [%s] is incorrect.", lb.id, lb.bizStatus)
	}
	if lb.status == "Active" || lb.status == "Inactive" {
		return nil
	}
	for _, a := range allowed {
		if lb.status == a {
			return nil
		}
	}
	return errf(400, "IncorrectStatus.LoadBalancer", "The status of %s [%s] is incorrect.", lb.id, lb.status)
}

// writableLB is lookupLB followed by writable, for the update operations.
func (s *Server) writableLB(c *call, name string) (*lbState, *apiError) {
	lb, e := s.lookupLB(c, name, false)
	if e != nil {
		return nil, e
	}
	return lb, writable(lb)
}

// update starts a Configuring transition of lb for operation api; apply
// (may be nil) makes the change when the transition completes, so reads
// show the old configuration while the instance is Configuring.
func (s *Server) update(lb *lbState, c *call, api string, apply func()) *job {
	return s.begin(&lb.resource, c.now, change{phase: PhaseConfiguring, api: api, operate: "Update",
		done: func(time.Time) outcome {
			if apply != nil {
				apply()
			}
			return outcome{status: "Active"}
		}})
}

type createParams struct {
	vpcID, addrType, edition, payType, bwpID, allocMode, ipVersion string
	name, modStatus, modReason, resourceGroup                      string
	delProt                                                        bool
	tags                                                           []tagKV
	secGroups                                                      []string
	zones                                                          []zoneReq
}

// parseCreate reads and checks the form of a CreateLoadBalancer request.
// Defaults: AddressAllocatedMode Dynamic, AddressIpVersion IPv4,
// ResourceGroupId DefaultResourceGroupID (GUESS: the account's default
// group), Ipv6AddressType Intranet for DualStack.
func parseCreate(p url.Values) (*createParams, *apiError) {
	cp := &createParams{vpcID: p.Get("VpcId"), bwpID: p.Get("LoadBalancerBillingConfig.BandwidthPackageId"),
		name: p.Get("LoadBalancerName"), resourceGroup: p.Get("ResourceGroupId")}
	if cp.vpcID == "" {
		return nil, missing("VpcId")
	}
	var e *apiError
	if cp.addrType, e = enum(p, "AddressType", true, "Internet", "Intranet"); e != nil {
		return nil, e
	}
	if cp.edition, e = enum(p, "LoadBalancerEdition", true, "Basic", "Standard", "StandardWithWaf"); e != nil {
		return nil, e
	}
	if cp.payType, e = enum(p, "LoadBalancerBillingConfig.PayType", true, "PostPay"); e != nil {
		return nil, e
	}
	if cp.allocMode, e = enum(p, "AddressAllocatedMode", false, "Fixed", "Dynamic"); e != nil {
		return nil, e
	}
	if cp.ipVersion, e = enum(p, "AddressIpVersion", false, "IPv4", "DualStack"); e != nil {
		return nil, e
	}
	cp.allocMode, cp.ipVersion = or(cp.allocMode, "Dynamic"), or(cp.ipVersion, "IPv4")
	cp.resourceGroup = or(cp.resourceGroup, DefaultResourceGroupID)
	if _, ok := p["LoadBalancerName"]; ok && !validName(cp.name) {
		return nil, invalid("LoadBalancerName", cp.name)
	}
	if cp.delProt, _, e = optBool(p, "DeletionProtectionEnabled"); e != nil {
		return nil, e
	}
	if cp.modStatus, cp.modReason, e = modProtection(p); e != nil {
		return nil, e
	}
	cp.modStatus = or(cp.modStatus, "NonProtection")
	if cp.tags, e = tags(p, 20, 128); e != nil {
		return nil, e
	}
	sgs, e := structs(p, "SecurityGroupIds", "SecurityGroupId")
	if e != nil {
		return nil, e
	}
	for _, sg := range sgs {
		if v := sg["SecurityGroupId"]; v != "" {
			cp.secGroups = append(cp.secGroups, v)
		}
	}
	cp.zones, e = parseZones(p, true, "VSwitchId", "ZoneId", "AllocationId", "EipType", "IntranetAddress")
	return cp, e
}

// checkCreate applies the service checks of CreateLoadBalancer in this
// order: role, VPC, duplicate zones, WAF 2.0, each zone's vSwitch, quota,
// bandwidth package, EIPs. The metadata documents ResourceNotEnough.VSwitchIp,
// QuotaExceeded.LoadBalancersNum, Mismatch.ZoneIdAndVSwitchId,
// DuplicatedParam.ZoneId, OperationDenyed.ServiceLinkedRoleNotExist and
// ResourceNotFound.VSwitch; the other codes (ResourceNotFound.Vpc,
// Mismatch.VpcIdAndVSwitchId, OperationDenied.VSwitchIpv6NotEnabled,
// InvalidParameter.IntranetAddress, the bandwidth-package and EIP codes,
// OperationDenied.WafV2InstanceExist) and their statuses are GUESSes.
func (st *state) checkCreate(cp *createParams) *apiError {
	if st.role == nil {
		return errf(400, "OperationDenyed.ServiceLinkedRoleNotExist", "The service linked role AliyunServiceRoleForAlb does not exist.")
	}
	if st.vpcs[cp.vpcID] == nil {
		return errf(404, "ResourceNotFound.Vpc", "The specified resource %s is not found.", cp.vpcID)
	}
	if e := checkDuplicateZones(cp.zones); e != nil {
		return e
	}
	if e := st.checkWAF2(cp.edition); e != nil {
		return e
	}
	for _, z := range cp.zones {
		if e := st.checkZoneVSwitch(cp.vpcID, cp.ipVersion, z); e != nil {
			return e
		}
	}
	if live := st.liveCount(); live >= st.quota {
		return errf(400, "QuotaExceeded.LoadBalancersNum", "The quota of %s is exceeded, usage %d/%d.", "alb_quota_loadbalancers_num", live, st.quota)
	}
	if e := st.checkBandwidthPackage(cp.addrType, cp.bwpID); e != nil {
		return e
	}
	_, e := st.eipPlan(cp.addrType, cp.zones, "", "")
	return e
}

func (s *Server) opCreateLoadBalancer(c *call) (any, *apiError) {
	cp, e := parseCreate(c.p)
	if e != nil {
		return nil, e
	}
	if e := s.st.checkZoneCount(len(cp.zones)); e != nil {
		return nil, e
	}
	if e := s.st.checkCreate(cp); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	lb := s.newLB(cp, c)
	if cp.edition == "StandardWithWaf" {
		s.st.activateWAF3(c.now)
	}
	s.begin(&lb.resource, c.now, change{phase: PhaseProvisioning, api: "CreateLoadBalancer", operate: "Create",
		done: func(time.Time) outcome {
			if lb.failCreate {
				return outcome{status: "CreateFailed", errCode: "InternalError", errMsg: "The load balancer could not be created."}
			}
			return outcome{status: "Active"}
		}})
	return &albsdk.CreateLoadBalancerResponseBody{RequestId: &c.requestID, LoadBalancerId: &lb.id}, nil
}

// newLB builds and registers the instance of a checked create request.
func (s *Server) newLB(cp *createParams, c *call) *lbState {
	st := s.st
	id := randomID("alb-", 18)
	for st.lbs[id] != nil {
		id = randomID("alb-", 18)
	}
	lb := &lbState{
		resource: resource{id: id, kind: "loadbalancer"},
		name:     cp.name, vpcID: cp.vpcID, addressType: cp.addrType, ipVersion: cp.ipVersion, edition: cp.edition,
		payType: cp.payType, bwpID: cp.bwpID, resourceGroup: cp.resourceGroup, allocMode: cp.allocMode,
		bizStatus: "Normal", created: c.now, delProt: cp.delProt, modStatus: cp.modStatus, modReason: cp.modReason,
		tags: cp.tags, secGroups: cp.secGroups, token: c.token, missReads: s.cfg.readMisses,
	}
	if lb.ipVersion == "DualStack" {
		lb.ipv6Type = "Intranet"
	}
	if lb.delProt {
		lb.delProtTime = c.now
	}
	for _, z := range cp.zones {
		lb.zones = append(lb.zones, s.addZone(lb, z, c.now))
	}
	if s.takeFailNext() || (s.cfg.failCreate != nil && s.cfg.failCreate(createInfo(lb))) {
		lb.failCreate = true
	}
	st.lbs[id] = lb
	st.lbOrder = append(st.lbOrder, id)
	st.history = append(st.history, lb)
	st.created++
	st.track(&lb.resource)
	return lb
}

// DefaultReleasedHistoryLimit is the number of released instances a Server
// keeps for inspection by default (see WithReleasedHistoryLimit).
const DefaultReleasedHistoryLimit = 1000

// WithReleasedHistoryLimit bounds the released instances kept for
// inspection (LoadBalancers, LoadBalancer, GET /_albtest/loadbalancers): at
// most n, the oldest released forgotten first, so that memory does not grow
// with the instances created over a long run. Live instances are always kept;
// Created still counts every instance ever created. n <= 0 means
// DefaultReleasedHistoryLimit.
func WithReleasedHistoryLimit(n int) Option { return func(c *config) { c.releasedLimit = n } }

func (s *Server) releasedLimit() int {
	return positiveOr(s.cfg.releasedLimit, DefaultReleasedHistoryLimit)
}

// trimHistory forgets the oldest released instances beyond limit.
func (st *state) trimHistory(limit int) {
	drop := st.released - limit
	if drop <= 0 {
		return
	}
	st.history = dropOldest(st.history, drop, func(lb *lbState) bool {
		if lb.deleted {
			st.released--
		}
		return lb.deleted
	})
}

// dropOldest removes from s, keeping the order, the first n elements for
// which drop (called in order until n are dropped) returns true.
func dropOldest[T any](s []T, n int, drop func(T) bool) []T {
	out := s[:0]
	for _, x := range s {
		if n > 0 && drop(x) {
			n--
			continue
		}
		out = append(out, x)
	}
	clear(s[len(out):])
	return out
}

// addZone takes the addresses of a new zone of lb from its vSwitch and, for
// an Internet instance, binds its EIP.
func (s *Server) addZone(lb *lbState, z zoneReq, now time.Time) *zoneState {
	v := s.st.vsw[z.vswID]
	zs := &zoneState{zoneID: z.zoneID, vswID: z.vswID}
	if z.intranet != "" {
		a, _ := netip.ParseAddr(z.intranet)
		v.used[a] = lb.id
		zs.vip = a
		zs.local = v.allocate(2, lb.id)
	} else {
		addrs := v.allocate(3, lb.id)
		zs.vip, zs.local = addrs[0], addrs[1:]
	}
	if lb.ipVersion == "DualStack" {
		zs.ipv6 = v.allocate6()
	}
	if lb.addressType == "Internet" {
		s.bindEIP(lb, zs, z.allocID, now)
	}
	return zs
}

// freeZone returns a removed zone's addresses to its vSwitch and unbinds its
// EIP (see unbindEIP).
func (s *Server) freeZone(lb *lbState, zs *zoneState) {
	if v := s.st.vsw[zs.vswID]; v != nil {
		for _, a := range append([]netip.Addr{zs.vip}, zs.local...) {
			if v.used[a] == lb.id {
				delete(v.used, a)
			}
		}
	}
	s.unbindEIP(zs)
}

// bindEIP binds the EIP allocID (or, when empty, a new auto-assigned
// PostPaid PayByTraffic EIP) to zone zs of lb. The EIP joins the instance's
// shared bandwidth package, if any.
func (s *Server) bindEIP(lb *lbState, zs *zoneState, allocID string, now time.Time) {
	st := s.st
	if allocID == "" {
		st.ipSeq++
		e := EIP{
			AllocationID: randomID("eip-", 18), IPAddress: autoIP(st.ipSeq),
			ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic, Bandwidth: "5120",
			Type: EIPTypeCommon,
		}
		st.addEIP(e)
		st.eips[e.AllocationID].allocated = now
		st.eips[e.AllocationID].auto = true
		allocID = e.AllocationID
	}
	eip := st.eips[allocID]
	// GUESS: a bound EIP reports InstanceType NetworkInterface and the ALB
	// instance ID (the real value is probably an ENI ID).
	eip.Status, eip.InstanceType, eip.InstanceID = "InUse", "NetworkInterface", lb.id
	eip.BandwidthPackageID = lb.bwpID
	zs.eipID, zs.eipType, zs.eipAddr, zs.autoEIP = eip.AllocationID, eip.Type, eip.IPAddress, eip.auto
}

// unbindEIP removes the EIP of a zone that is removed or changes address
// type: an auto-assigned EIP is released (it was created for the instance);
// an EIP the user gave is disassociated and becomes Available again (GUESS:
// the product documentation only says what happens when the whole instance
// is released, see release).
func (s *Server) unbindEIP(zs *zoneState) {
	if zs.eipID == "" {
		return
	}
	if eip := s.st.eips[zs.eipID]; eip != nil {
		if eip.auto {
			s.st.removeEIP(zs.eipID)
		} else {
			eip.Status, eip.InstanceType, eip.InstanceID, eip.BandwidthPackageID = "Available", "", "", ""
		}
	}
	zs.eipID, zs.eipType, zs.eipAddr, zs.autoEIP = "", "", "", false
}

// setBandwidthPackage attaches (bwpID) or detaches ("") the instance's
// shared bandwidth package and moves its EIPs into or out of it, so that
// DescribeEipAddresses and DescribeCommonBandwidthPackages agree with the
// instance.
func (s *Server) setBandwidthPackage(lb *lbState, bwpID string) {
	lb.bwpID = bwpID
	for _, z := range lb.zones {
		if eip := s.st.eips[z.eipID]; eip != nil {
			eip.BandwidthPackageID = bwpID
		}
	}
}

func createInfo(lb *lbState) CreateInfo {
	t := make(map[string]string, len(lb.tags))
	for _, kv := range lb.tags {
		t[kv.k] = kv.v
	}
	return CreateInfo{Name: lb.name, VpcID: lb.vpcID, AddressType: lb.addressType, Edition: lb.edition, Tags: t}
}

func autoIP(n uint32) string {
	return netip.AddrFrom4([4]byte{47, 99, byte(n >> 8), byte(n)}).String()
}

func (s *Server) takeFailNext() bool {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return true
	}
	return false
}

// opDeleteLoadBalancer shows Deleting until the transition completes, then
// the instance is gone (404). CreateFailed instances can be deleted; they
// are never cleaned up automatically (the service does it within a day).
func (s *Server) opDeleteLoadBalancer(c *call) (any, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, e
	}
	if _, e := list(c.p, "RetainResourceType"); e != nil {
		return nil, e
	}
	if e := writable(lb, "CreateFailed"); e != nil {
		return nil, e
	}
	if lb.delProt {
		return nil, errf(400, "OperationDenied.DeletionProtectionEnabled", "The operation is not allowed because of %s.", "DeletionProtectionEnabled")
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.begin(&lb.resource, c.now, change{phase: PhaseDeleting, api: "DeleteLoadBalancer", operate: "Delete",
		done: func(now time.Time) outcome {
			s.release(lb, now)
			return outcome{status: "Deleted"}
		}})
	return &albsdk.DeleteLoadBalancerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// release frees the instance's addresses, releases its EIPs and removes it.
func (s *Server) release(lb *lbState, now time.Time) {
	st := s.st
	s.releaseListeners(lb.id, now)
	for _, z := range lb.zones {
		if v := st.vsw[z.vswID]; v != nil {
			for a, owner := range v.used {
				if owner == lb.id {
					delete(v.used, a)
				}
			}
		}
		if z.eipID != "" {
			// Every associated EIP, auto-assigned or not, is disassociated
			// and released, as the product documentation says ("This
			// includes EIPs associated during instance creation, cloning,
			// zone enablement, or network type changes").
			st.removeEIP(z.eipID)
		}
	}
	lb.deleted = true
	lb.deletedAt = now
	delete(st.lbs, lb.id)
	st.released++
	st.trimHistory(s.releasedLimit())
	st.untrack(lb.id)
	for i, x := range st.lbOrder {
		if x == lb.id {
			st.lbOrder = append(st.lbOrder[:i], st.lbOrder[i+1:]...)
			break
		}
	}
}

// or returns v, or def when v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// checkZoneCount applies "if the selected region supports two or more
// zones, select at least two zones" (SDK CreateLoadBalancerRequest.ZoneMappings;
// api-metadata: 至少指定2个可用区) to CreateLoadBalancer and
// UpdateLoadBalancerZones (the full list of the instance's zones). The
// code is a GUESS.
func (st *state) checkZoneCount(n int) *apiError {
	if n < 2 && len(st.zones) >= 2 {
		return errf(400, "InvalidParameter", "The number of ZoneMappings must be at least 2 in a region with %d zones.", len(st.zones))
	}
	return nil
}
