package albtest

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

const timeLayout = "2006-01-02T15:04:05Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func buildRoutes() map[string]map[string]*route {
	routes := map[string]map[string]*route{}
	add := func(prod *product, action string, fn opFunc, idempotent bool) {
		m := routes[action]
		if m == nil {
			m = map[string]*route{}
			routes[action] = m
		}
		m[prod.version] = &route{action: action, prod: prod, fn: fn, idempotent: idempotent}
	}
	add(prodALB, "CreateLoadBalancer", (*Server).opCreateLoadBalancer, true)
	add(prodALB, "GetLoadBalancerAttribute", (*Server).opGetLoadBalancerAttribute, false)
	add(prodALB, "ListLoadBalancers", (*Server).opListLoadBalancers, false)
	add(prodALB, "DeleteLoadBalancer", (*Server).opDeleteLoadBalancer, true)
	add(prodALB, "ListAsynJobs", (*Server).opListAsynJobs, false)
	add(prodALB, "EnableDeletionProtection", (*Server).opEnableDeletionProtection, true)
	add(prodALB, "DisableDeletionProtection", (*Server).opDisableDeletionProtection, true)
	add(prodALB, "UpdateLoadBalancerAttribute", (*Server).opUpdateLoadBalancerAttribute, true)
	add(prodALB, "UpdateLoadBalancerEdition", (*Server).opUpdateLoadBalancerEdition, true)
	add(prodALB, "AttachCommonBandwidthPackageToLoadBalancer", (*Server).opAttachCBWP, true)
	add(prodALB, "DetachCommonBandwidthPackageFromLoadBalancer", (*Server).opDetachCBWP, true)
	add(prodALB, "TagResources", (*Server).opTagResources, false)
	add(prodALB, "UnTagResources", (*Server).opUnTagResources, false)
	add(prodALB, "ListTagResources", (*Server).opListTagResources, false)
	add(prodALB, "DescribeZones", (*Server).opDescribeZones, false)
	add(prodALB, "DescribeRegions", (*Server).opDescribeRegions, false)
	add(prodVPC, "DescribeVSwitches", (*Server).opDescribeVSwitches, false)
	add(prodVPC, "DescribeEipAddresses", (*Server).opDescribeEipAddresses, false)
	add(prodVPC, "ReleaseEipAddress", (*Server).opReleaseEipAddress, false)
	add(prodVPC, "DescribeCommonBandwidthPackages", (*Server).opDescribeCommonBandwidthPackages, false)
	add(prodWAF3, "DescribeInstance", (*Server).opWAF3DescribeInstance, false)
	add(prodWAF2, "DescribeInstanceInfo", (*Server).opWAF2DescribeInstanceInfo, false)
	add(prodRM, "GetRole", (*Server).opGetRole, false)
	add(prodRM, "CreateServiceLinkedRole", (*Server).opCreateServiceLinkedRole, false)
	return routes
}

func notFoundLB(id string) *apiError {
	return errf(404, "ResourceNotFound.LoadBalancer", "The specified resource %s is not found.", id)
}

// lookupLB returns a live instance after settling its transition.
func (s *Server) lookupLB(c *call, name string, poll bool) (*lbState, *apiError) {
	id := c.p.Get(name)
	if id == "" {
		return nil, missing(name)
	}
	lb := s.st.lbs[id]
	if lb == nil {
		return nil, notFoundLB(id)
	}
	s.settle(lb, c.now, poll)
	if lb.deleted {
		return nil, notFoundLB(id)
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

type zoneReq struct {
	zoneID, vswID, allocID, eipType, intranet string
}

func (s *Server) opCreateLoadBalancer(c *call) (any, *apiError) {
	st := s.st
	p := c.p
	vpcID := p.Get("VpcId")
	if vpcID == "" {
		return nil, missing("VpcId")
	}
	addrType, e := enum(p, "AddressType", true, "Internet", "Intranet")
	if e != nil {
		return nil, e
	}
	edition, e := enum(p, "LoadBalancerEdition", true, "Basic", "Standard", "StandardWithWaf")
	if e != nil {
		return nil, e
	}
	payType, e := enum(p, "LoadBalancerBillingConfig.PayType", true, "PostPay")
	if e != nil {
		return nil, e
	}
	bwpID := p.Get("LoadBalancerBillingConfig.BandwidthPackageId")
	allocMode, e := enum(p, "AddressAllocatedMode", false, "Fixed", "Dynamic")
	if e != nil {
		return nil, e
	}
	if allocMode == "" {
		allocMode = "Dynamic"
	}
	ipVersion, e := enum(p, "AddressIpVersion", false, "IPv4", "DualStack")
	if e != nil {
		return nil, e
	}
	if ipVersion == "" {
		ipVersion = "IPv4"
	}
	name := p.Get("LoadBalancerName")
	if _, ok := p["LoadBalancerName"]; ok && !validName(name) {
		return nil, invalid("LoadBalancerName", name)
	}
	delProt, _, e := optBool(p, "DeletionProtectionEnabled")
	if e != nil {
		return nil, e
	}
	modStatus, e := enum(p, "ModificationProtectionConfig.Status", false, "NonProtection", "ConsoleProtection")
	if e != nil {
		return nil, e
	}
	if modStatus == "" {
		modStatus = "NonProtection"
	}
	modReason := p.Get("ModificationProtectionConfig.Reason")
	if modReason != "" && !validName(modReason) {
		return nil, invalid("ModificationProtectionConfig.Reason", modReason)
	}
	if modStatus != "ConsoleProtection" {
		modReason = ""
	}
	tagList, e := tags(p, 20, 128)
	if e != nil {
		return nil, e
	}
	sgs, e := structs(p, "SecurityGroupIds", "SecurityGroupId")
	if e != nil {
		return nil, e
	}
	zms, e := structs(p, "ZoneMappings", "VSwitchId", "ZoneId", "AllocationId", "EipType", "IntranetAddress")
	if e != nil {
		return nil, e
	}
	if len(zms) == 0 {
		return nil, missing("ZoneMappings")
	}
	if len(zms) > 10 {
		return nil, errf(400, "InvalidParameter", "The number of ZoneMappings must be between 1 and 10.")
	}
	// "If the selected region supports two or more zones, select at least
	// two zones" (SDK CreateLoadBalancerRequest.ZoneMappings; api-metadata:
	// 至少指定2个可用区).
	if len(zms) < 2 && len(st.zones) >= 2 {
		return nil, errf(400, "InvalidParameter", "The number of ZoneMappings must be at least 2 in a region with %d zones.", len(st.zones))
	}
	zreqs := make([]zoneReq, len(zms))
	for i, m := range zms {
		n := "ZoneMappings." + strconv.Itoa(i+1) + "."
		z := zoneReq{zoneID: m["ZoneId"], vswID: m["VSwitchId"], allocID: m["AllocationId"], eipType: m["EipType"], intranet: m["IntranetAddress"]}
		if z.vswID == "" {
			return nil, missing(n + "VSwitchId")
		}
		if z.zoneID == "" {
			return nil, missing(n + "ZoneId")
		}
		if z.eipType != "" && z.eipType != EIPTypeCommon && z.eipType != EIPTypeAnycast {
			return nil, invalid(n+"EipType", z.eipType)
		}
		if z.intranet != "" {
			a, err := netip.ParseAddr(z.intranet)
			if err != nil || !a.Is4() {
				return nil, errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is not a valid IPv4 address.", truncate(z.intranet, 64))
			}
		}
		zreqs[i] = z
	}

	// Service checks.
	if st.role == nil {
		return nil, errf(400, "OperationDenyed.ServiceLinkedRoleNotExist", "The service linked role AliyunServiceRoleForAlb does not exist.")
	}
	if st.vpcs[vpcID] == nil {
		return nil, errf(404, "ResourceNotFound.Vpc", "The specified resource %s is not found.", vpcID)
	}
	seenZone := map[string]bool{}
	for _, z := range zreqs {
		if seenZone[z.zoneID] {
			return nil, errf(400, "DuplicatedParam.ZoneId", "The param of ZoneId is duplicated.")
		}
		seenZone[z.zoneID] = true
	}
	if edition == "StandardWithWaf" && st.waf2 != nil && st.waf2.InstanceID != "" {
		return nil, errf(400, "OperationDenied.WafV2InstanceExist", "The operation is not allowed because of a WAF 2.0 instance %s exists.", st.waf2.InstanceID)
	}
	for _, z := range zreqs {
		v := st.vsw[z.vswID]
		if v == nil {
			return nil, errf(404, "ResourceNotFound.VSwitch", "The specified resource %s is not found.", z.vswID)
		}
		if v.VpcID != vpcID {
			return nil, errf(400, "Mismatch.VpcIdAndVSwitchId", "The VpcId and VSwitchId are mismatched.")
		}
		if v.ZoneID != z.zoneID {
			return nil, errf(400, "Mismatch.ZoneIdAndVSwitchId", "The ZoneId and VSwitchId are mismatched.")
		}
		if v.prefix.Bits() > 28 || v.available() < 3 {
			return nil, errf(400, "ResourceNotEnough.VSwitchIp", "The specified resource %s is not enough.", z.vswID)
		}
		if ipVersion == "DualStack" && !v.prefix6.IsValid() {
			return nil, errf(400, "OperationDenied.VSwitchIpv6NotEnabled", "The operation is not allowed because IPv6 is not enabled on %s.", z.vswID)
		}
		if z.intranet != "" {
			a, _ := netip.ParseAddr(z.intranet)
			switch {
			case !v.prefix.Contains(a):
				return nil, errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is not in the CIDR block %s of %s.", a, v.prefix, z.vswID)
			case v.reserved(a):
				return nil, errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is reserved in %s.", a, z.vswID)
			default:
				if _, used := v.used[a]; used {
					return nil, errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is already in use in %s.", a, z.vswID)
				}
			}
		}
	}
	if live := st.liveCount(); live >= st.quota {
		return nil, errf(400, "QuotaExceeded.LoadBalancersNum", "The quota of %s is exceeded, usage %d/%d.", "alb_quota_loadbalancers_num", live, st.quota)
	}
	if bwpID != "" {
		if addrType != "Internet" {
			return nil, errf(400, "OperationDenied.AddressTypeNotSupportBandwidthPackage", "The operation is not allowed because a bandwidth package can only be used by an Internet load balancer.")
		}
		if st.cbwps[bwpID] == nil {
			return nil, errf(404, "ResourceNotFound.CommonBandwidthPackage", "The specified resource %s is not found.", bwpID)
		}
	}
	seenEIP := map[string]bool{}
	effType := ""
	for _, z := range zreqs {
		t := EIPTypeCommon
		if z.allocID != "" {
			if addrType != "Internet" {
				return nil, errf(400, "OperationDenied.IntranetNotSupportEip", "The operation is not allowed because an Intranet load balancer cannot use EIP %s.", z.allocID)
			}
			if seenEIP[z.allocID] {
				return nil, errf(400, "DuplicatedParam.AllocationId", "The param of AllocationId is duplicated.")
			}
			seenEIP[z.allocID] = true
			eip := st.eips[z.allocID]
			if eip == nil {
				return nil, errf(404, "ResourceNotFound.Eip", "The specified resource %s is not found.", z.allocID)
			}
			if eip.Status != "Available" {
				return nil, errf(400, "IncorrectStatus.Eip", "The status of %s [%s] is incorrect.", z.allocID, eip.Status)
			}
			if eip.ChargeType != ChargePostPaid || eip.InternetChargeType != InternetPayByTraffic {
				return nil, errf(400, "OperationDenied.EipChargeType", "The operation is not allowed because EIP %s is %s %s; only pay-as-you-go pay-by-traffic EIPs can be used.", z.allocID, eip.ChargeType, eip.InternetChargeType)
			}
			if eip.BandwidthPackageID != "" {
				return nil, errf(400, "OperationDenied.EipInBandwidthPackage", "The operation is not allowed because EIP %s is in bandwidth package %s.", z.allocID, eip.BandwidthPackageID)
			}
			t = eip.Type
		} else if z.eipType == EIPTypeAnycast && addrType == "Internet" {
			return nil, errf(400, "OperationDenied.EipTypeInconsistent", "The operation is not allowed because an Anycast EIP cannot be assigned automatically.")
		}
		if z.eipType != "" && z.eipType != t {
			return nil, errf(400, "OperationDenied.EipTypeInconsistent", "The operation is not allowed because the EIP types are inconsistent.")
		}
		if effType == "" {
			effType = t
		} else if effType != t && addrType == "Internet" {
			return nil, errf(400, "OperationDenied.EipTypeInconsistent", "The operation is not allowed because the EIP types are inconsistent.")
		}
	}
	if c.dryRun {
		return nil, errDryRun
	}

	// Create.
	id := randomID("alb-", 18)
	for st.lbs[id] != nil {
		id = randomID("alb-", 18)
	}
	lb := &lbState{
		id: id, name: name, vpcID: vpcID, addressType: addrType, ipVersion: ipVersion, edition: edition,
		payType: payType, bwpID: bwpID, resourceGroup: p.Get("ResourceGroupId"), allocMode: allocMode,
		status: "Provisioning", bizStatus: "Normal", created: c.now, delProt: delProt,
		modStatus: modStatus, modReason: modReason, tags: tagList, token: c.token,
	}
	if lb.resourceGroup == "" {
		lb.resourceGroup = "rg-albtest-default"
	}
	if delProt {
		lb.delProtTime = c.now
	}
	for _, sg := range sgs {
		if v := sg["SecurityGroupId"]; v != "" {
			lb.secGroups = append(lb.secGroups, v)
		}
	}
	for _, z := range zreqs {
		v := st.vsw[z.vswID]
		zs := &zoneState{zoneID: z.zoneID, vswID: z.vswID}
		if z.intranet != "" {
			a, _ := netip.ParseAddr(z.intranet)
			v.used[a] = id
			zs.vip = a
			zs.local = v.allocate(2, id)
		} else {
			addrs := v.allocate(3, id)
			zs.vip, zs.local = addrs[0], addrs[1:]
		}
		if ipVersion == "DualStack" {
			zs.ipv6 = v.allocate6()
		}
		if addrType == "Internet" {
			if z.allocID != "" {
				eip := st.eips[z.allocID]
				eip.Status, eip.InstanceType, eip.InstanceID = "InUse", "NetworkInterface", id
				zs.eipID, zs.eipType, zs.eipAddr = eip.AllocationID, eip.Type, eip.IPAddress
			} else {
				st.ipSeq++
				e := EIP{
					AllocationID: randomID("eip-", 18), IPAddress: autoIP(st.ipSeq), Name: "",
					ChargeType: ChargePostPaid, InternetChargeType: InternetPayByTraffic, Bandwidth: "5120",
					Type: EIPTypeCommon, Status: "InUse", InstanceType: "NetworkInterface", InstanceID: id,
				}
				st.addEIP(e)
				st.eips[e.AllocationID].allocated = c.now
				st.eips[e.AllocationID].auto = true
				zs.eipID, zs.eipType, zs.eipAddr, zs.autoEIP = e.AllocationID, EIPTypeCommon, e.IPAddress, true
			}
		}
		lb.zones = append(lb.zones, zs)
	}
	if s.takeFailNext() || (s.cfg.failCreate != nil && s.cfg.failCreate(createInfo(lb))) {
		lb.failCreate = true
	}
	st.lbs[id] = lb
	st.lbOrder = append(st.lbOrder, id)
	st.history = append(st.history, lb)
	s.startTransition(lb, PhaseProvisioning, "CreateLoadBalancer", "Create", c.now)
	return &albsdk.CreateLoadBalancerResponseBody{RequestId: &c.requestID, LoadBalancerId: &id}, nil
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

func (s *Server) opGetLoadBalancerAttribute(c *call) (any, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", true)
	if e != nil {
		return nil, e
	}
	return s.attribute(lb, c.requestID), nil
}

func sp(s string) *string { return &s }

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) attribute(lb *lbState, requestID string) *albsdk.GetLoadBalancerAttributeResponseBody {
	b := &albsdk.GetLoadBalancerAttributeResponseBody{
		RequestId:                   sp(requestID),
		LoadBalancerId:              sp(lb.id),
		LoadBalancerName:            sp(lb.name),
		RegionId:                    sp(s.st.region),
		VpcId:                       sp(lb.vpcID),
		ResourceGroupId:             sp(lb.resourceGroup),
		CreateTime:                  sp(ts(lb.created)),
		DNSName:                     sp(lb.id + "." + s.st.region + ".alb.aliyuncs.com"),
		AddressType:                 sp(lb.addressType),
		AddressAllocatedMode:        sp(lb.allocMode),
		AddressIpVersion:            sp(lb.ipVersion),
		BandwidthPackageId:          optStr(lb.bwpID),
		LoadBalancerEdition:         sp(lb.edition),
		LoadBalancerStatus:          sp(lb.status),
		LoadBalancerBussinessStatus: sp(lb.bizStatus),
		LoadBalancerBillingConfig:   &albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerBillingConfig{PayType: sp(lb.payType)},
		DeletionProtectionConfig:    &albsdk.GetLoadBalancerAttributeResponseBodyDeletionProtectionConfig{Enabled: &lb.delProt},
		ModificationProtectionConfig: &albsdk.GetLoadBalancerAttributeResponseBodyModificationProtectionConfig{
			Status: sp(lb.modStatus), Reason: optStr(lb.modReason),
		},
		AccessLogConfig:            &albsdk.GetLoadBalancerAttributeResponseBodyAccessLogConfig{LogProject: sp(""), LogStore: sp("")},
		LoadBalancerOperationLocks: []*albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerOperationLocks{},
		Tags:                       []*albsdk.GetLoadBalancerAttributeResponseBodyTags{},
		SecurityGroupIds:           []*string{},
	}
	b.DeletionProtectionConfig.Enabled = boolPtr(lb.delProt)
	if lb.delProt {
		b.DeletionProtectionConfig.EnabledTime = sp(ts(lb.delProtTime))
	}
	if lb.ipVersion == "DualStack" {
		b.Ipv6AddressType = sp("Intranet")
	}
	for _, l := range lb.locks {
		b.LoadBalancerOperationLocks = append(b.LoadBalancerOperationLocks, &albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerOperationLocks{LockType: sp(l.LockType), LockReason: sp(l.LockReason)})
	}
	for _, t := range lb.tags {
		b.Tags = append(b.Tags, &albsdk.GetLoadBalancerAttributeResponseBodyTags{Key: sp(t.k), Value: sp(t.v)})
	}
	for _, g := range lb.secGroups {
		b.SecurityGroupIds = append(b.SecurityGroupIds, sp(g))
	}
	zoneStatus := "Active"
	if lb.status == "Provisioning" {
		zoneStatus = "Starting"
	}
	for _, z := range lb.zones {
		a := &albsdk.GetLoadBalancerAttributeResponseBodyZoneMappingsLoadBalancerAddresses{
			IntranetAddress:         sp(z.vip.String()),
			IntranetAddressHcStatus: sp("Healthy"),
			Ipv4LocalAddresses:      make([]*string, 0, len(z.local)),
		}
		for _, l := range z.local {
			a.Ipv4LocalAddresses = append(a.Ipv4LocalAddresses, sp(l.String()))
		}
		if lb.addressType == "Internet" {
			a.Address, a.AllocationId, a.EipType = sp(z.eipAddr), sp(z.eipID), sp(z.eipType)
		} else {
			a.Address = sp(z.vip.String())
		}
		if z.ipv6.IsValid() {
			a.Ipv6Address = sp(z.ipv6.String())
			a.Ipv6AddressHcStatus = sp("Healthy")
			a.Ipv6LocalAddresses = []*string{}
		}
		b.ZoneMappings = append(b.ZoneMappings, &albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings{
			ZoneId: sp(z.zoneID), VSwitchId: sp(z.vswID), Status: sp(zoneStatus),
			LoadBalancerAddresses: []*albsdk.GetLoadBalancerAttributeResponseBodyZoneMappingsLoadBalancerAddresses{a},
		})
	}
	return b
}

func boolPtr(b bool) *bool { return &b }

func (s *Server) opListLoadBalancers(c *call) (any, *apiError) {
	st := s.st
	p := c.p
	ids, e := list(p, "LoadBalancerIds")
	if e != nil {
		return nil, e
	}
	names, e := list(p, "LoadBalancerNames")
	if e != nil {
		return nil, e
	}
	vpcs, e := list(p, "VpcIds")
	if e != nil {
		return nil, e
	}
	if len(ids) > 20 || len(names) > 10 || len(vpcs) > 10 {
		return nil, errf(400, "InvalidParameter", "Too many values in LoadBalancerIds (max 20), LoadBalancerNames (max 10) or VpcIds (max 10).")
	}
	tagFilter, e := tags(p, 20, 64)
	if e != nil {
		return nil, e
	}
	eq := map[string]string{}
	for _, k := range []string{"LoadBalancerStatus", "LoadBalancerBussinessStatus", "AddressType", "AddressIpVersion", "Ipv6AddressType", "PayType", "ResourceGroupId", "ZoneId", "DNSName"} {
		if v := p.Get(k); v != "" {
			eq[k] = v
		}
	}
	var match []*lbState
	for _, id := range append([]string(nil), st.lbOrder...) {
		lb := st.lbs[id]
		s.settle(lb, c.now, false)
		if lb.deleted {
			continue
		}
		if !inFilter(ids, lb.id) || !inFilter(names, lb.name) || !inFilter(vpcs, lb.vpcID) {
			continue
		}
		ok := true
		for k, v := range eq {
			var got string
			switch k {
			case "LoadBalancerStatus":
				got = lb.status
			case "LoadBalancerBussinessStatus":
				got = lb.bizStatus
			case "AddressType":
				got = lb.addressType
			case "AddressIpVersion":
				got = lb.ipVersion
			case "Ipv6AddressType":
				if lb.ipVersion == "DualStack" {
					got = "Intranet"
				}
			case "PayType":
				got = lb.payType
			case "ResourceGroupId":
				got = lb.resourceGroup
			case "DNSName":
				got = lb.id + "." + st.region + ".alb.aliyuncs.com"
			case "ZoneId":
				for _, z := range lb.zones {
					if z.zoneID == v {
						got = v
					}
				}
			}
			if got != v {
				ok = false
				break
			}
		}
		for _, tf := range tagFilter {
			found := false
			for _, t := range lb.tags {
				if t.k == tf.k && (tf.v == "" || t.v == tf.v) {
					found = true
				}
			}
			if !found {
				ok = false
			}
		}
		if ok {
			match = append(match, lb)
		}
	}
	start, end, maxResults, next, e := page(p, len(match))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListLoadBalancersResponseBody{
		RequestId:     sp(c.requestID),
		MaxResults:    int32Ptr(int32(maxResults)),
		NextToken:     sp(next),
		TotalCount:    int32Ptr(int32(len(match))),
		LoadBalancers: []*albsdk.ListLoadBalancersResponseBodyLoadBalancers{},
	}
	for _, lb := range match[start:end] {
		s.settle(lb, c.now, true)
		a := s.attribute(lb, "")
		item := &albsdk.ListLoadBalancersResponseBodyLoadBalancers{
			AddressAllocatedMode:        a.AddressAllocatedMode,
			AddressIpVersion:            a.AddressIpVersion,
			AddressType:                 a.AddressType,
			BandwidthPackageId:          a.BandwidthPackageId,
			CreateTime:                  a.CreateTime,
			DNSName:                     a.DNSName,
			Ipv6AddressType:             a.Ipv6AddressType,
			LoadBalancerBussinessStatus: a.LoadBalancerBussinessStatus,
			LoadBalancerEdition:         a.LoadBalancerEdition,
			LoadBalancerId:              a.LoadBalancerId,
			LoadBalancerName:            a.LoadBalancerName,
			LoadBalancerStatus:          a.LoadBalancerStatus,
			ResourceGroupId:             a.ResourceGroupId,
			SecurityGroupIds:            a.SecurityGroupIds,
			VpcId:                       a.VpcId,
			AccessLogConfig:             &albsdk.ListLoadBalancersResponseBodyLoadBalancersAccessLogConfig{LogProject: sp(""), LogStore: sp("")},
			DeletionProtectionConfig: &albsdk.ListLoadBalancersResponseBodyLoadBalancersDeletionProtectionConfig{
				Enabled: a.DeletionProtectionConfig.Enabled, EnabledTime: a.DeletionProtectionConfig.EnabledTime,
			},
			LoadBalancerBillingConfig: &albsdk.ListLoadBalancersResponseBodyLoadBalancersLoadBalancerBillingConfig{PayType: sp(lb.payType)},
			ModificationProtectionConfig: &albsdk.ListLoadBalancersResponseBodyLoadBalancersModificationProtectionConfig{
				Status: a.ModificationProtectionConfig.Status, Reason: a.ModificationProtectionConfig.Reason,
			},
			LoadBalancerOperationLocks: []*albsdk.ListLoadBalancersResponseBodyLoadBalancersLoadBalancerOperationLocks{},
			Tags:                       []*albsdk.ListLoadBalancersResponseBodyLoadBalancersTags{},
		}
		for _, l := range lb.locks {
			item.LoadBalancerOperationLocks = append(item.LoadBalancerOperationLocks, &albsdk.ListLoadBalancersResponseBodyLoadBalancersLoadBalancerOperationLocks{LockType: sp(l.LockType), LockReason: sp(l.LockReason)})
		}
		for _, t := range lb.tags {
			item.Tags = append(item.Tags, &albsdk.ListLoadBalancersResponseBodyLoadBalancersTags{Key: sp(t.k), Value: sp(t.v)})
		}
		out.LoadBalancers = append(out.LoadBalancers, item)
	}
	return out, nil
}

func int32Ptr(v int32) *int32 { return &v }
func int64Ptr(v int64) *int64 { return &v }

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
	j := s.startTransition(lb, PhaseDeleting, "DeleteLoadBalancer", "Delete", c.now)
	return &albsdk.DeleteLoadBalancerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) setDeletionProtection(c *call, on bool) (any, *apiError) {
	lb, e := s.lookupLB(c, "ResourceId", false)
	if e != nil {
		return nil, e
	}
	if e := writable(lb); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	if on && !lb.delProt {
		lb.delProtTime = c.now
	}
	lb.delProt = on
	if on {
		return &albsdk.EnableDeletionProtectionResponseBody{RequestId: sp(c.requestID)}, nil
	}
	return &albsdk.DisableDeletionProtectionResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opEnableDeletionProtection(c *call) (any, *apiError) {
	return s.setDeletionProtection(c, true)
}

func (s *Server) opDisableDeletionProtection(c *call) (any, *apiError) {
	return s.setDeletionProtection(c, false)
}

func (s *Server) opUpdateLoadBalancerAttribute(c *call) (any, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, e
	}
	p := c.p
	_, nameSet := p["LoadBalancerName"]
	name := p.Get("LoadBalancerName")
	if nameSet && !validName(name) {
		return nil, invalid("LoadBalancerName", name)
	}
	modStatus, e := enum(p, "ModificationProtectionConfig.Status", false, "NonProtection", "ConsoleProtection")
	if e != nil {
		return nil, e
	}
	reason := p.Get("ModificationProtectionConfig.Reason")
	if reason != "" && !validName(reason) {
		return nil, invalid("ModificationProtectionConfig.Reason", reason)
	}
	if e := writable(lb); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	if nameSet {
		lb.name = name
	}
	if modStatus != "" {
		lb.modStatus = modStatus
		lb.modReason = ""
		if modStatus == "ConsoleProtection" {
			lb.modReason = reason
		}
	}
	j := s.startTransition(lb, PhaseConfiguring, "UpdateLoadBalancerAttribute", "Update", c.now)
	return &albsdk.UpdateLoadBalancerAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opUpdateLoadBalancerEdition(c *call) (any, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, e
	}
	ed, e := enum(c.p, "LoadBalancerEdition", true, "Basic", "Standard", "StandardWithWaf")
	if e != nil {
		return nil, e
	}
	if e := writable(lb); e != nil {
		return nil, e
	}
	if ed == lb.edition {
		return nil, errf(400, "OperationDenied.EditionNotChanged", "The operation is not allowed because of %s.", "EditionNotChanged")
	}
	if ed == "Basic" {
		return nil, errf(400, "OperationDenied.Downgrade", "The operation is not allowed because of %s.", "Downgrade")
	}
	if c.dryRun {
		return nil, errDryRun
	}
	lb.edition = ed
	s.startTransition(lb, PhaseConfiguring, "UpdateLoadBalancerEdition", "Update", c.now)
	return &albsdk.UpdateLoadBalancerEditionResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) cbwpCommon(c *call) (*lbState, string, *apiError) {
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
	if e := writable(lb); e != nil {
		return nil, "", e
	}
	return lb, bwp, nil
}

func (s *Server) opAttachCBWP(c *call) (any, *apiError) {
	lb, bwp, e := s.cbwpCommon(c)
	if e != nil {
		return nil, e
	}
	if lb.addressType != "Internet" {
		return nil, errf(400, "OperationDenied.AddressTypeNotSupportBandwidthPackage", "The operation is not allowed because a bandwidth package can only be used by an Internet load balancer.")
	}
	if lb.bwpID != "" {
		return nil, errf(400, "OperationDenied.BandwidthPackageAlreadyAttached", "The operation is not allowed because %s is already attached to bandwidth package %s.", lb.id, lb.bwpID)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	lb.bwpID = bwp
	j := s.startTransition(lb, PhaseConfiguring, "AttachCommonBandwidthPackageToLoadBalancer", "Update", c.now)
	return &albsdk.AttachCommonBandwidthPackageToLoadBalancerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opDetachCBWP(c *call) (any, *apiError) {
	lb, bwp, e := s.cbwpCommon(c)
	if e != nil {
		return nil, e
	}
	if lb.bwpID != bwp {
		return nil, errf(400, "OperationDenied.BandwidthPackageNotAttached", "The operation is not allowed because %s is not attached to bandwidth package %s.", lb.id, bwp)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	lb.bwpID = ""
	j := s.startTransition(lb, PhaseConfiguring, "DetachCommonBandwidthPackageFromLoadBalancer", "Update", c.now)
	return &albsdk.DetachCommonBandwidthPackageFromLoadBalancerResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

func (s *Server) opListAsynJobs(c *call) (any, *apiError) {
	st := s.st
	p := c.p
	jobIDs, e := list(p, "JobIds")
	if e != nil {
		return nil, e
	}
	resIDs, e := list(p, "ResourceIds")
	if e != nil {
		return nil, e
	}
	if len(jobIDs) > 10 || len(resIDs) > 10 {
		return nil, errf(400, "InvalidParameter", "JobIds and ResourceIds take at most 10 values.")
	}
	rt, e := enum(p, "ResourceType", false, "loadbalancer", "listener", "rule", "acl", "securitypolicy", "servergroup")
	if e != nil {
		return nil, e
	}
	begin, e := optInt(p, "BeginTime", 0, 0, 1<<62)
	if e != nil {
		return nil, e
	}
	end, e := optInt(p, "EndTime", 1<<62, 0, 1<<62)
	if e != nil {
		return nil, e
	}
	api := p.Get("ApiName")
	var match []*job
	for _, id := range st.jobOrder {
		j := st.jobs[id]
		if !inFilter(jobIDs, j.id) || !inFilter(resIDs, j.resourceID) {
			continue
		}
		if rt != "" && j.resourceType != rt || api != "" && j.api != api {
			continue
		}
		if ms := j.created.UnixMilli(); ms < begin || ms > end {
			continue
		}
		match = append(match, j)
	}
	start, stop, maxResults, next, e := page(p, len(match))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListAsynJobsResponseBody{
		RequestId:  sp(c.requestID),
		MaxResults: int64Ptr(maxResults),
		NextToken:  sp(next),
		TotalCount: int64Ptr(int64(len(match))),
		Jobs:       []*albsdk.ListAsynJobsResponseBodyJobs{},
	}
	for _, j := range match[start:stop] {
		if lb := st.lbs[j.resourceID]; lb != nil && lb.pending != nil && lb.pending.jobID == j.id {
			s.settle(lb, c.now, true)
		}
		item := &albsdk.ListAsynJobsResponseBodyJobs{
			Id: sp(j.id), ApiName: sp(j.api), ResourceId: sp(j.resourceID), ResourceType: sp(j.resourceType),
			OperateType: sp(j.operate), Status: sp(j.status),
			CreateTime: int64Ptr(j.created.UnixMilli()), ModifyTime: int64Ptr(j.modified.UnixMilli()),
		}
		if j.errCode != "" {
			item.ErrorCode, item.ErrorMessage = sp(j.errCode), sp(j.errMsg)
		}
		out.Jobs = append(out.Jobs, item)
	}
	return out, nil
}

// tagTargets resolves ResourceType and ResourceId.N for the tag operations.
func (s *Server) tagTargets(c *call, required bool) (string, []*lbState, *apiError) {
	rt, e := enum(c.p, "ResourceType", true, "loadbalancer", "acl", "securitypolicy", "servergroup")
	if e != nil {
		return "", nil, e
	}
	ids, e := list(c.p, "ResourceId")
	if e != nil {
		return "", nil, e
	}
	if len(ids) == 0 && required {
		return "", nil, missing("ResourceId")
	}
	if len(ids) > 50 {
		return "", nil, errf(400, "InvalidParameter", "ResourceId takes at most 50 values.")
	}
	var lbs []*lbState
	for _, id := range ids {
		switch rt {
		case "acl":
			return "", nil, errf(404, "ResourceNotFound.Acl", "The specified resource %s is not found.", id)
		case "securitypolicy":
			return "", nil, errf(404, "ResourceNotFound.SecurityPolicy", "The specified resource %s is not found.", id)
		case "servergroup":
			return "", nil, errf(404, "ResourceNotFound.ServerGroup", "The specified resource %s is not found.", id)
		}
		lb := s.st.lbs[id]
		if lb != nil {
			s.settle(lb, c.now, false)
		}
		if lb == nil || lb.deleted {
			return "", nil, notFoundLB(id)
		}
		lbs = append(lbs, lb)
	}
	return rt, lbs, nil
}

func (s *Server) opTagResources(c *call) (any, *apiError) {
	_, lbs, e := s.tagTargets(c, true)
	if e != nil {
		return nil, e
	}
	tl, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	if len(tl) == 0 {
		return nil, missing("Tag")
	}
	for _, lb := range lbs {
		merged := append([]tagKV(nil), lb.tags...)
		for _, t := range tl {
			found := false
			for i := range merged {
				if merged[i].k == t.k {
					merged[i].v = t.v
					found = true
				}
			}
			if !found {
				merged = append(merged, t)
			}
		}
		if len(merged) > 20 {
			return nil, errf(400, "QuotaExceeded.TagsNum", "The quota of %s is exceeded, usage %d/%d.", "tags per resource", len(merged), 20)
		}
	}
	for _, lb := range lbs {
		for _, t := range tl {
			found := false
			for i := range lb.tags {
				if lb.tags[i].k == t.k {
					lb.tags[i].v = t.v
					found = true
				}
			}
			if !found {
				lb.tags = append(lb.tags, t)
			}
		}
	}
	return &albsdk.TagResourcesResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opUnTagResources(c *call) (any, *apiError) {
	_, lbs, e := s.tagTargets(c, true)
	if e != nil {
		return nil, e
	}
	keys, e := list(c.p, "TagKey")
	if e != nil {
		return nil, e
	}
	tl, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	all, _, e := optBool(c.p, "All")
	if e != nil {
		return nil, e
	}
	if len(keys) > 20 {
		return nil, errf(400, "InvalidParameter", "TagKey takes at most 20 values.")
	}
	for _, t := range tl {
		keys = append(keys, t.k)
	}
	for _, lb := range lbs {
		if all {
			lb.tags = nil
			continue
		}
		kept := lb.tags[:0]
		for _, t := range lb.tags {
			drop := false
			for _, k := range keys {
				if k == t.k {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		lb.tags = kept
	}
	return &albsdk.UnTagResourcesResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opListTagResources(c *call) (any, *apiError) {
	rt, lbs, e := s.tagTargets(c, false)
	if e != nil {
		return nil, e
	}
	filter, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	if len(lbs) == 0 && rt == "loadbalancer" {
		for _, id := range s.st.lbOrder {
			if lb := s.st.lbs[id]; !lb.deleted {
				lbs = append(lbs, lb)
			}
		}
	}
	type row struct{ id, k, v string }
	var rows []row
	for _, lb := range lbs {
		for _, t := range lb.tags {
			ok := len(filter) == 0
			for _, f := range filter {
				if f.k == t.k && (f.v == "" || f.v == t.v) {
					ok = true
				}
			}
			if ok {
				rows = append(rows, row{lb.id, t.k, t.v})
			}
		}
	}
	start, end, maxResults, next, e := page(c.p, len(rows))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListTagResourcesResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TagResources: []*albsdk.ListTagResourcesResponseBodyTagResources{},
	}
	for _, r := range rows[start:end] {
		out.TagResources = append(out.TagResources, &albsdk.ListTagResourcesResponseBodyTagResources{
			ResourceId: sp(r.id), ResourceType: sp(rt), TagKey: sp(r.k), TagValue: sp(r.v),
		})
	}
	return out, nil
}

func (s *Server) opDescribeZones(c *call) (any, *apiError) {
	out := &albsdk.DescribeZonesResponseBody{RequestId: sp(c.requestID), Zones: []*albsdk.DescribeZonesResponseBodyZones{}}
	for _, z := range s.st.zones {
		ln := z.LocalName
		if strings.HasPrefix(c.p.Get("AcceptLanguage"), "en") || ln == "" {
			ln = "Zone " + strings.ToUpper(z.ZoneID[strings.LastIndexByte(z.ZoneID, '-')+1:])
		}
		out.Zones = append(out.Zones, &albsdk.DescribeZonesResponseBodyZones{ZoneId: sp(z.ZoneID), LocalName: sp(ln)})
	}
	return out, nil
}

func (s *Server) opDescribeRegions(c *call) (any, *apiError) {
	out := &albsdk.DescribeRegionsResponseBody{RequestId: sp(c.requestID), Regions: []*albsdk.DescribeRegionsResponseBodyRegions{}}
	for _, r := range s.st.regions {
		ln := r.LocalName
		if ln == "" || strings.HasPrefix(c.p.Get("AcceptLanguage"), "en") {
			ln = r.RegionID
		}
		out.Regions = append(out.Regions, &albsdk.DescribeRegionsResponseBodyRegions{
			RegionId: sp(r.RegionID), LocalName: sp(ln), RegionEndpoint: sp("alb." + r.RegionID + ".aliyuncs.com"),
		})
	}
	return out, nil
}
