package albtest

import (
	"net/netip"
	"net/url"
	"strconv"
)

// Parameter and service checks shared by the load-balancer operations:
// zone mappings (CreateLoadBalancer, UpdateLoadBalancerZones,
// UpdateLoadBalancerAddressTypeConfig), EIPs, the WAF 2.0 conflict and the
// modification protection pair. ClientToken and DryRun are handled for every
// write by the request handler (route.idempotent): an operation only returns
// errDryRun after its checks when c.dryRun is set.

// zoneReq is one ZoneMappings.N entry.
type zoneReq struct {
	zoneID, vswID, allocID, eipType, intranet string
}

// parseZones reads ZoneMappings.N.* (only the given fields are accepted).
// With required, each entry needs VSwitchId and ZoneId and the list needs
// 1 to 10 entries. EipType and IntranetAddress are checked for form.
func parseZones(p url.Values, required bool, fields ...string) ([]zoneReq, *apiError) {
	zms, e := structs(p, "ZoneMappings", fields...)
	if e != nil {
		return nil, e
	}
	if required && len(zms) == 0 {
		return nil, missing("ZoneMappings")
	}
	if len(zms) > 10 {
		return nil, errf(400, "InvalidParameter", "The number of ZoneMappings must be between 1 and 10.")
	}
	out := make([]zoneReq, len(zms))
	for i, m := range zms {
		n := "ZoneMappings." + strconv.Itoa(i+1) + "."
		z := zoneReq{zoneID: m["ZoneId"], vswID: m["VSwitchId"], allocID: m["AllocationId"], eipType: m["EipType"], intranet: m["IntranetAddress"]}
		if required && z.vswID == "" {
			return nil, missing(n + "VSwitchId")
		}
		if (required || z.vswID != "" || z.allocID != "" || z.eipType != "") && z.zoneID == "" {
			return nil, missing(n + "ZoneId")
		}
		if z.eipType != "" && z.eipType != EIPTypeCommon && z.eipType != EIPTypeAnycast {
			return nil, invalid(n+"EipType", z.eipType)
		}
		if z.intranet != "" {
			if a, err := netip.ParseAddr(z.intranet); err != nil || !a.Is4() {
				return nil, errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is not a valid IPv4 address.", truncate(z.intranet, 64))
			}
		}
		out[i] = z
	}
	return out, nil
}

// checkDuplicateZones refuses a zone named twice.
func checkDuplicateZones(zs []zoneReq) *apiError {
	seen := map[string]bool{}
	for _, z := range zs {
		if seen[z.zoneID] {
			return errf(400, "DuplicatedParam.ZoneId", "The param of ZoneId is duplicated.")
		}
		seen[z.zoneID] = true
	}
	return nil
}

// checkZoneVSwitch applies the per-zone vSwitch checks of create to a zone
// that takes new addresses from its vSwitch.
func (st *state) checkZoneVSwitch(vpcID, ipVersion string, z zoneReq) *apiError {
	v := st.vsw[z.vswID]
	if v == nil {
		return errf(404, "ResourceNotFound.VSwitch", "The specified resource %s is not found.", z.vswID)
	}
	if v.VpcID != vpcID {
		return errf(400, "Mismatch.VpcIdAndVSwitchId", "The VpcId and VSwitchId are mismatched.")
	}
	if v.ZoneID != z.zoneID {
		return errf(400, "Mismatch.ZoneIdAndVSwitchId", "The ZoneId and VSwitchId are mismatched.")
	}
	// GUESS: a prefix longer than /28 is refused too (the product
	// documentation asks for /28 or shorter); the service may only count
	// free addresses.
	if v.prefix.Bits() > 28 || v.available() < 3 {
		return errf(400, "ResourceNotEnough.VSwitchIp", "The specified resource %s is not enough.", z.vswID)
	}
	if ipVersion == "DualStack" && !v.prefix6.IsValid() {
		return errf(400, "OperationDenied.VSwitchIpv6NotEnabled", "The operation is not allowed because IPv6 is not enabled on %s.", z.vswID)
	}
	return st.checkIntranetAddress(v, z)
}

// checkIntranetAddress checks a requested VIP against its vSwitch.
func (st *state) checkIntranetAddress(v *vswState, z zoneReq) *apiError {
	if z.intranet == "" {
		return nil
	}
	a, _ := netip.ParseAddr(z.intranet)
	switch {
	case !v.prefix.Contains(a):
		return errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is not in the CIDR block %s of %s.", a, v.prefix, z.vswID)
	case v.reserved(a):
		return errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is reserved in %s.", a, z.vswID)
	}
	if _, used := v.used[a]; used {
		return errf(400, "InvalidParameter.IntranetAddress", "The IntranetAddress %s is already in use in %s.", a, z.vswID)
	}
	return nil
}

// checkBandwidthPackage checks a bandwidth package given at create.
func (st *state) checkBandwidthPackage(addrType, bwpID string) *apiError {
	if bwpID == "" {
		return nil
	}
	if addrType != "Internet" {
		return errBandwidthNeedsInternet()
	}
	if st.cbwps[bwpID] == nil {
		return errf(404, "ResourceNotFound.CommonBandwidthPackage", "The specified resource %s is not found.", bwpID)
	}
	return nil
}

func errBandwidthNeedsInternet() *apiError {
	return errf(400, "OperationDenied.AddressTypeNotSupportBandwidthPackage", "The operation is not allowed because a bandwidth package can only be used by an Internet load balancer.")
}

// eipPlan checks the EIPs of zs for an instance of addrType. keptType is the
// EIP type of the zones that keep their EIP ("" when none); owner is the
// instance whose own EIPs may be named again ("" at create). It returns the
// EIP type every zone ends with.
func (st *state) eipPlan(addrType string, zs []zoneReq, keptType, owner string) (string, *apiError) {
	seen := map[string]bool{}
	effType := keptType
	for _, z := range zs {
		t := EIPTypeCommon
		if z.allocID != "" {
			if addrType != "Internet" {
				return "", errf(400, "OperationDenied.IntranetNotSupportEip", "The operation is not allowed because an Intranet load balancer cannot use EIP %s.", z.allocID)
			}
			if seen[z.allocID] {
				return "", errf(400, "DuplicatedParam.AllocationId", "The param of AllocationId is duplicated.")
			}
			seen[z.allocID] = true
			eip := st.eips[z.allocID]
			if eip == nil {
				return "", errf(404, "ResourceNotFound.Eip", "The specified resource %s is not found.", z.allocID)
			}
			if e := checkEIPUsable(eip, owner); e != nil {
				return "", e
			}
			t = eip.Type
		} else if z.eipType == EIPTypeAnycast && addrType == "Internet" {
			return "", errf(400, "OperationDenied.EipTypeInconsistent", "The operation is not allowed because an Anycast EIP cannot be assigned automatically.")
		}
		if z.eipType != "" && z.eipType != t || addrType == "Internet" && effType != "" && effType != t {
			return "", errf(400, "OperationDenied.EipTypeInconsistent", "The operation is not allowed because the EIP types are inconsistent.")
		}
		if effType == "" {
			effType = t
		}
	}
	return effType, nil
}

// checkEIPUsable applies the product rules for an EIP given to ALB: not in
// use (except by owner), pay-as-you-go pay-by-traffic, not in a bandwidth
// package.
func checkEIPUsable(eip *eipState, owner string) *apiError {
	id := eip.AllocationID
	if eip.Status != "Available" && (owner == "" || eip.InstanceID != owner) {
		return errf(400, "IncorrectStatus.Eip", "The status of %s [%s] is incorrect.", id, eip.Status)
	}
	if eip.ChargeType != ChargePostPaid || eip.InternetChargeType != InternetPayByTraffic {
		// The code UpdateLoadBalancerAddressTypeConfig documents; create's is
		// not documented (GUESS: the same).
		return errf(400, "OperationDenied.OnlyPostPaidEipSupported", "The operation is not allowed because of OnlyPostPaidEipSupported: EIP %s is %s %s; only pay-as-you-go pay-by-traffic EIPs can be used.", id, eip.ChargeType, eip.InternetChargeType)
	}
	if eip.BandwidthPackageID != "" && (owner == "" || eip.InstanceID != owner) {
		return errf(400, "OperationDenied.EipInBandwidthPackage", "The operation is not allowed because EIP %s is in bandwidth package %s.", id, eip.BandwidthPackageID)
	}
	return nil
}

// checkWAF2 refuses the StandardWithWaf edition while a WAF 2.0 instance
// exists (CreateLoadBalancer and UpdateLoadBalancerEdition).
func (st *state) checkWAF2(edition string) *apiError {
	if edition == "StandardWithWaf" && st.waf2 != nil && st.waf2.InstanceID != "" {
		return errf(400, "OperationDenied.WafV2InstanceExist", "The operation is not allowed because of a WAF 2.0 instance %s exists.", st.waf2.InstanceID)
	}
	return nil
}

// modProtection reads ModificationProtectionConfig.Status and .Reason.
// Reason must be a valid name; it is kept only with ConsoleProtection (the
// API: "only valid with ConsoleProtection"; NonProtection clears it).
func modProtection(p url.Values) (status, reason string, e *apiError) {
	status, e = enum(p, "ModificationProtectionConfig.Status", false, "NonProtection", "ConsoleProtection")
	if e != nil {
		return "", "", e
	}
	reason = p.Get("ModificationProtectionConfig.Reason")
	if reason != "" && !validName(reason) {
		return "", "", invalid("ModificationProtectionConfig.Reason", reason)
	}
	if status != "ConsoleProtection" {
		reason = ""
	}
	return status, reason, nil
}
