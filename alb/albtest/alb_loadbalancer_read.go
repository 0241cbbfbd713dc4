package albtest

import (
	"bytes"
	"net/url"
	"slices"
	"strconv"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// GetLoadBalancerAttribute and ListLoadBalancers.

func (s *Server) opGetLoadBalancerAttribute(c *call) (any, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", true)
	if e != nil {
		return nil, e
	}
	return s.attribute(lb, c.requestID), nil
}

// attrCache is the encoded GetLoadBalancerAttribute answer of an instance,
// valid while the state is in generation gen (see stateMu): the answer of a
// settled instance (no pending transition) is a function of the state alone,
// so a later read in the same generation answers these bytes with its own
// RequestId spliced in, without building and encoding the answer again. It is
// immutable once stored: a request writes it after releasing the lock.
type attrCache struct {
	gen  uint64
	b    []byte // the answer, with another request's RequestId at b[at:at+n]
	at   int
	n    int
	clen []string // Content-Length of the answer (every RequestId has n bytes)
}

// cachedGetLoadBalancerAttribute answers GetLoadBalancerAttribute from the
// instance's attrCache (building it if it is stale), or reports false when the
// read is not a plain one: an unknown, released or forbidden instance, a
// pending transition (a read counts as a poll and may complete it), a
// read-after-create miss to count down. s.mu is held (lockRead); false means
// nothing was changed, and run then runs the operation itself.
func (s *Server) cachedGetLoadBalancerAttribute(c *call) (any, bool) {
	id := c.p["LoadBalancerId"]
	if len(id) == 0 {
		return nil, false
	}
	lb := s.st.lbs[id[0]]
	if lb == nil || lb.pending != nil || lb.missReads > 0 || lb.deleted || lb.forbidden {
		return nil, false
	}
	a := lb.attr
	if a == nil || a.gen != s.mu.gen {
		j, b, err := encode(s.attribute(lb, c.requestID))
		if err != nil {
			return nil, false
		}
		key := `"RequestId":"` + c.requestID + `"`
		at := bytes.Index(b, []byte(key))
		if at < 0 {
			j.done()
			return nil, false
		}
		a = &attrCache{gen: s.mu.gen, b: bytes.Clone(b), at: at + len(key) - len(c.requestID) - 1, n: len(c.requestID),
			clen: []string{strconv.Itoa(len(b))}}
		j.done()
		lb.attr = a
	} else if checkCachedAnswer != nil {
		checkCachedAnswer(a.appendTo(nil, c.requestID), s.attribute(lb, c.requestID))
	}
	return a, true
}

// appendTo appends the answer with requestID as its RequestId.
func (a *attrCache) appendTo(b []byte, requestID string) []byte {
	b = append(b, a.b[:a.at]...)
	b = append(b, requestID...)
	return append(b, a.b[a.at+a.n:]...)
}

// checkCachedAnswer, set by the package's tests, compares every answer served
// from an attrCache with the answer built afresh.
var checkCachedAnswer func(cached []byte, fresh any)

func sp(s string) *string { return &s }

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) attribute(lb *lbState, requestID string) *albsdk.GetLoadBalancerAttributeResponseBody {
	// Every string and struct of the answer lives in one block: one
	// allocation instead of one per field (this read is the hot path of
	// every poll).
	type block struct {
		body                                              albsdk.GetLoadBalancerAttributeResponseBody
		billing                                           albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerBillingConfig
		delProt                                           albsdk.GetLoadBalancerAttributeResponseBodyDeletionProtectionConfig
		modProt                                           albsdk.GetLoadBalancerAttributeResponseBodyModificationProtectionConfig
		requestID, id, name, region, vpc, rg, created     string
		dns, addrType, allocMode, ipVersion, bwp, edition string
		status, biz, payType, modStatus, modReason        string
		ipv6Type, delProtTime                             string
		enabled                                           bool
	}
	v := &block{
		requestID: requestID, id: lb.id, name: lb.name, region: s.st.region, vpc: lb.vpcID, rg: lb.resourceGroup,
		created: ts(lb.created), dns: lb.id + "." + s.st.region + ".alb.aliyuncs.com", addrType: lb.addressType,
		allocMode: lb.allocMode, ipVersion: lb.ipVersion, bwp: lb.bwpID, edition: lb.edition, status: lb.status,
		biz: lb.bizStatus, payType: lb.payType, modStatus: lb.modStatus, modReason: lb.modReason, ipv6Type: lb.ipv6Type,
		enabled: lb.delProt,
	}
	v.billing.PayType = &v.payType
	v.delProt.Enabled = &v.enabled
	v.modProt.Status = &v.modStatus
	if v.modReason != "" {
		v.modProt.Reason = &v.modReason
	}
	b := &v.body
	*b = albsdk.GetLoadBalancerAttributeResponseBody{
		RequestId: &v.requestID, LoadBalancerId: &v.id, LoadBalancerName: &v.name, RegionId: &v.region, VpcId: &v.vpc,
		ResourceGroupId: &v.rg, CreateTime: &v.created, DNSName: &v.dns, AddressType: &v.addrType,
		AddressAllocatedMode: &v.allocMode, AddressIpVersion: &v.ipVersion, LoadBalancerEdition: &v.edition,
		LoadBalancerStatus: &v.status, LoadBalancerBussinessStatus: &v.biz,
		LoadBalancerBillingConfig: &v.billing, DeletionProtectionConfig: &v.delProt, ModificationProtectionConfig: &v.modProt,
		LoadBalancerOperationLocks: []*albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerOperationLocks{},
		Tags:                       []*albsdk.GetLoadBalancerAttributeResponseBodyTags{},
		SecurityGroupIds:           []*string{},
	}
	if v.bwp != "" {
		b.BandwidthPackageId = &v.bwp
	}
	if v.ipv6Type != "" {
		b.Ipv6AddressType = &v.ipv6Type
	}
	// Optional objects are absent when not configured: a client such as
	// Terraform reads any AccessLogConfig object as a configured access log.
	if lb.logProject != "" {
		b.AccessLogConfig = &albsdk.GetLoadBalancerAttributeResponseBodyAccessLogConfig{LogProject: sp(lb.logProject), LogStore: sp(lb.logStore)}
	}
	if lb.delProt {
		v.delProtTime = ts(lb.delProtTime)
		v.delProt.EnabledTime = &v.delProtTime
	}
	for _, l := range lb.locks {
		b.LoadBalancerOperationLocks = append(b.LoadBalancerOperationLocks, &albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerOperationLocks{LockType: sp(l.LockType), LockReason: sp(l.LockReason)})
	}
	if len(lb.tags) > 0 {
		tags := make([]albsdk.GetLoadBalancerAttributeResponseBodyTags, len(lb.tags))
		kv := make([]string, 2*len(lb.tags))
		b.Tags = make([]*albsdk.GetLoadBalancerAttributeResponseBodyTags, len(lb.tags))
		for i, t := range lb.tags {
			kv[2*i], kv[2*i+1] = t.k, t.v
			tags[i] = albsdk.GetLoadBalancerAttributeResponseBodyTags{Key: &kv[2*i], Value: &kv[2*i+1]}
			b.Tags[i] = &tags[i]
		}
	}
	if len(lb.secGroups) > 0 {
		ids := slices.Clone(lb.secGroups)
		b.SecurityGroupIds = make([]*string, len(ids))
		for i := range ids {
			b.SecurityGroupIds[i] = &ids[i]
		}
	}
	b.ZoneMappings = zoneMappings(lb)
	return b
}

// zoneMappings renders the zones of lb with their addresses, each zone's
// strings and structs in one block.
func zoneMappings(lb *lbState) []*albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings {
	type zoneBlock struct {
		zone                                                  albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings
		addr                                                  albsdk.GetLoadBalancerAttributeResponseBodyZoneMappingsLoadBalancerAddresses
		addrs                                                 [1]*albsdk.GetLoadBalancerAttributeResponseBodyZoneMappingsLoadBalancerAddresses
		zoneID, vswID, status, vip, healthy, address, allocID string
		eipType, ipv6                                         string
		local                                                 [2]string
		localPtrs                                             [2]*string
	}
	zoneStatus := "Active"
	if lb.status == "Provisioning" {
		zoneStatus = "Starting"
	}
	blocks := make([]zoneBlock, len(lb.zones))
	out := make([]*albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings, len(lb.zones))
	for i, z := range lb.zones {
		v := &blocks[i]
		v.zoneID, v.vswID, v.status, v.vip, v.healthy = z.zoneID, z.vswID, zoneStatus, z.vip.String(), "Healthy"
		a := &v.addr
		a.IntranetAddress, a.IntranetAddressHcStatus = &v.vip, &v.healthy
		if len(z.local) <= len(v.local) {
			for j, l := range z.local {
				v.local[j] = l.String()
				v.localPtrs[j] = &v.local[j]
			}
			a.Ipv4LocalAddresses = v.localPtrs[:len(z.local)]
		} else {
			for _, l := range z.local {
				a.Ipv4LocalAddresses = append(a.Ipv4LocalAddresses, sp(l.String()))
			}
		}
		if lb.addressType == "Internet" {
			v.address, v.allocID, v.eipType = z.eipAddr, z.eipID, z.eipType
			a.Address, a.AllocationId, a.EipType = &v.address, &v.allocID, &v.eipType
		} else {
			a.Address = &v.vip
		}
		if z.ipv6.IsValid() {
			v.ipv6 = z.ipv6.String()
			a.Ipv6Address, a.Ipv6AddressHcStatus = &v.ipv6, &v.healthy
			a.Ipv6LocalAddresses = []*string{}
		}
		v.addrs[0] = a
		v.zone = albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings{
			ZoneId: &v.zoneID, VSwitchId: &v.vswID, Status: &v.status, LoadBalancerAddresses: v.addrs[:],
		}
		out[i] = &v.zone
	}
	return out
}

func boolPtr(b bool) *bool { return &b }

// lbFilter is the set of ListLoadBalancers filters.
type lbFilter struct {
	ids, names, vpcs []string
	tags             []tagKV
	eq               map[string]string // single-value filters by parameter name
}

func parseLBFilter(p url.Values) (*lbFilter, *apiError) {
	f := &lbFilter{eq: map[string]string{}}
	var e *apiError
	if f.ids, e = list(p, "LoadBalancerIds"); e != nil {
		return nil, e
	}
	if f.names, e = list(p, "LoadBalancerNames"); e != nil {
		return nil, e
	}
	if f.vpcs, e = list(p, "VpcIds"); e != nil {
		return nil, e
	}
	if len(f.ids) > 20 || len(f.names) > 10 || len(f.vpcs) > 10 {
		return nil, errf(400, "InvalidParameter", "Too many values in LoadBalancerIds (max 20), LoadBalancerNames (max 10) or VpcIds (max 10).")
	}
	if f.tags, e = tags(p, 20, 64); e != nil {
		return nil, e
	}
	for _, k := range []string{"LoadBalancerStatus", "LoadBalancerBussinessStatus", "AddressType", "AddressIpVersion", "Ipv6AddressType", "PayType", "ResourceGroupId", "ZoneId", "DNSName"} {
		if v := p.Get(k); v != "" {
			f.eq[k] = v
		}
	}
	return f, nil
}

// field returns the value of lb a single-value filter compares.
func (s *Server) lbField(lb *lbState, k, want string) string {
	switch k {
	case "LoadBalancerStatus":
		return lb.status
	case "LoadBalancerBussinessStatus":
		return lb.bizStatus
	case "AddressType":
		return lb.addressType
	case "AddressIpVersion":
		return lb.ipVersion
	case "Ipv6AddressType":
		return lb.ipv6Type
	case "PayType":
		return lb.payType
	case "ResourceGroupId":
		return lb.resourceGroup
	case "DNSName":
		return lb.id + "." + s.st.region + ".alb.aliyuncs.com"
	case "ZoneId":
		for _, z := range lb.zones {
			if z.zoneID == want {
				return want
			}
		}
	}
	return ""
}

func (s *Server) lbMatches(f *lbFilter, lb *lbState) bool {
	if !inFilter(f.ids, lb.id) || !inFilter(f.names, lb.name) || !inFilter(f.vpcs, lb.vpcID) {
		return false
	}
	for k, v := range f.eq {
		if s.lbField(lb, k, v) != v {
			return false
		}
	}
	return hasTags(lb.tags, f.tags)
}

func (s *Server) opListLoadBalancers(c *call) (any, *apiError) {
	st := s.st
	p := c.p
	f, e := parseLBFilter(p)
	if e != nil {
		return nil, e
	}
	var match []*lbState
	for _, id := range append([]string(nil), st.lbOrder...) {
		lb := st.lbs[id]
		s.settle(&lb.resource, c.now, false)
		if lb.deleted || !s.lbMatches(f, lb) {
			continue
		}
		if lb.missReads > 0 { // WithReadAfterCreateMisses
			lb.missReads--
			continue
		}
		match = append(match, lb)
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
		s.settle(&lb.resource, c.now, true)
		out.LoadBalancers = append(out.LoadBalancers, s.listItem(lb))
	}
	return out, nil
}

// listItem is lb as ListLoadBalancers shows it: the attribute answer in the
// list's own types.
func (s *Server) listItem(lb *lbState) *albsdk.ListLoadBalancersResponseBodyLoadBalancers {
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
	if a.AccessLogConfig != nil {
		item.AccessLogConfig = &albsdk.ListLoadBalancersResponseBodyLoadBalancersAccessLogConfig{LogProject: a.AccessLogConfig.LogProject, LogStore: a.AccessLogConfig.LogStore}
	}
	return item
}

func int32Ptr(v int32) *int32 { return &v }
func int64Ptr(v int64) *int64 { return &v }
