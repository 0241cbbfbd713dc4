package albtest

import (
	"net/url"

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
		LoadBalancerOperationLocks: []*albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerOperationLocks{},
		Tags:                       []*albsdk.GetLoadBalancerAttributeResponseBodyTags{},
		SecurityGroupIds:           []*string{},
	}
	b.DeletionProtectionConfig.Enabled = boolPtr(lb.delProt)
	// Optional objects are absent when not configured: a client such as
	// Terraform reads any AccessLogConfig object as a configured access log.
	if lb.logProject != "" {
		b.AccessLogConfig = &albsdk.GetLoadBalancerAttributeResponseBodyAccessLogConfig{LogProject: sp(lb.logProject), LogStore: sp(lb.logStore)}
	}
	if lb.delProt {
		b.DeletionProtectionConfig.EnabledTime = sp(ts(lb.delProtTime))
	}
	b.Ipv6AddressType = optStr(lb.ipv6Type)
	for _, l := range lb.locks {
		b.LoadBalancerOperationLocks = append(b.LoadBalancerOperationLocks, &albsdk.GetLoadBalancerAttributeResponseBodyLoadBalancerOperationLocks{LockType: sp(l.LockType), LockReason: sp(l.LockReason)})
	}
	for _, t := range lb.tags {
		b.Tags = append(b.Tags, &albsdk.GetLoadBalancerAttributeResponseBodyTags{Key: sp(t.k), Value: sp(t.v)})
	}
	for _, g := range lb.secGroups {
		b.SecurityGroupIds = append(b.SecurityGroupIds, sp(g))
	}
	b.ZoneMappings = zoneMappings(lb)
	return b
}

// zoneMappings renders the zones of lb with their addresses.
func zoneMappings(lb *lbState) []*albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings {
	var out []*albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings
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
		out = append(out, &albsdk.GetLoadBalancerAttributeResponseBodyZoneMappings{
			ZoneId: sp(z.zoneID), VSwitchId: sp(z.vswID), Status: sp(zoneStatus),
			LoadBalancerAddresses: []*albsdk.GetLoadBalancerAttributeResponseBodyZoneMappingsLoadBalancerAddresses{a},
		})
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
	for _, tf := range f.tags {
		found := false
		for _, t := range lb.tags {
			found = found || t.k == tf.k && (tf.v == "" || t.v == tf.v)
		}
		if !found {
			return false
		}
	}
	return true
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
