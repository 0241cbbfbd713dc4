package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/alibabacloud-go/tea/dara"
	vpcsdk "github.com/alibabacloud-go/vpc-20160428/v6/client"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
)

// Page sizes used by the List helpers (the documented maxima).
const (
	VSwitchPageSize          = 50  // DescribeVSwitches PageSize maximum
	EIPPageSize              = 100 // DescribeEipAddresses PageSize maximum
	EIPBatchSize             = 50  // AllocationIds per DescribeEipAddresses call (documented maximum)
	BandwidthPackagePageSize = 50  // DescribeCommonBandwidthPackages PageSize maximum
)

// The official VPC SDK's models of the resources this package lists. The
// requests and responses are the SDK's own types too
// (github.com/alibabacloud-go/vpc-20160428/v6/client): the SDK has no
// context-aware methods, so VPC sends them through CallApiWithCtx exactly
// as the generated client would, and decodes the answers with the SDK's
// own conversion.
type (
	// VSwitch is one vSwitch of a DescribeVSwitches answer.
	VSwitch = vpcsdk.DescribeVSwitchesResponseBodyVSwitchesVSwitch
	// EipAddress is one EIP of a DescribeEipAddresses answer.
	EipAddress = vpcsdk.DescribeEipAddressesResponseBodyEipAddressesEipAddress
	// CommonBandwidthPackage is one Internet Shared Bandwidth instance of a
	// DescribeCommonBandwidthPackages answer.
	CommonBandwidthPackage = vpcsdk.DescribeCommonBandwidthPackagesResponseBodyCommonBandwidthPackagesCommonBandwidthPackage
)

// VPC calls VPC 2016-04-28 in the configured region.
type VPC struct {
	rpc    *rpc
	region string
}

// String names the endpoint and region; it never prints the credential.
func (c *VPC) String() string {
	return "cloudapi.VPC{" + c.rpc.endpoint + " " + c.region + "}"
}

// VSwitchFacts converts a vSwitch into the facts the network rules check. It
// parses CidrBlock (required, IPv4) and Ipv6CidrBlock (optional, IPv6); the
// error names the bad field.
func VSwitchFacts(v *VSwitch) (network.VSwitch, error) {
	if v == nil {
		return network.VSwitch{}, errors.New("cloudapi: nil vSwitch")
	}
	id := dara.StringValue(v.VSwitchId)
	out := network.VSwitch{
		ID:           id,
		VPCID:        dara.StringValue(v.VpcId),
		ZoneID:       dara.StringValue(v.ZoneId),
		IPv6Enabled:  dara.BoolValue(v.EnabledIpv6),
		AvailableIPs: int(dara.Int64Value(v.AvailableIpAddressCount)),
		Status:       dara.StringValue(v.Status),
	}
	cidr := dara.StringValue(v.CidrBlock)
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: CidrBlock %q: %w", id, cidr, err)
	}
	if !p.Addr().Is4() {
		return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: CidrBlock %q is not an IPv4 prefix", id, cidr)
	}
	out.CIDR = p
	if v6 := dara.StringValue(v.Ipv6CidrBlock); v6 != "" {
		p6, err := netip.ParsePrefix(v6)
		if err != nil {
			return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: Ipv6CidrBlock %q: %w", id, v6, err)
		}
		if !p6.Addr().Is6() || p6.Addr().Is4In6() {
			return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: Ipv6CidrBlock %q is not an IPv6 prefix", id, v6)
		}
		out.IPv6CIDR = p6
	}
	return out, nil
}

// DescribeVSwitches sends one DescribeVSwitches call. An empty RegionId is
// filled with the configured region.
func (c *VPC) DescribeVSwitches(ctx context.Context, req *vpcsdk.DescribeVSwitchesRequest) (*vpcsdk.DescribeVSwitchesResponseBody, error) {
	r := *req
	out := new(vpcsdk.DescribeVSwitchesResponse)
	return describe(ctx, c, "DescribeVSwitches", &r, &r.RegionId, out, func() *vpcsdk.DescribeVSwitchesResponseBody { return out.Body })
}

// ListVSwitches returns vSwitches of the configured region, following every
// page (PageSize 50).
//
// With no ids it returns every vSwitch of vpcID (of the region when vpcID is
// empty). With ids it returns those vSwitches, deduplicated, in the order
// given: when vpcID is non-empty it lists that VPC once and filters; otherwise
// it asks for each ID with VSwitchId. An ID that does not exist (or is not in
// vpcID) is simply absent from the result: compare with the IDs asked for.
func (c *VPC) ListVSwitches(ctx context.Context, vpcID string, ids ...string) ([]*VSwitch, error) {
	asked := len(ids) > 0
	ids = dedup(ids)
	if asked && len(ids) == 0 {
		return nil, nil
	}
	if len(ids) == 0 || vpcID != "" {
		all, err := c.listVSwitches(ctx, vpcID, "")
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return all, nil
		}
		byID := make(map[string]*VSwitch, len(all))
		for _, v := range all {
			byID[dara.StringValue(v.VSwitchId)] = v
		}
		var out []*VSwitch
		for _, id := range ids {
			if v, ok := byID[id]; ok {
				out = append(out, v)
			}
		}
		return out, nil
	}
	return eachID(ids, func(id string) ([]*VSwitch, error) {
		return c.listVSwitches(ctx, "", id)
	}, func(v *VSwitch) string { return dara.StringValue(v.VSwitchId) })
}

func (c *VPC) listVSwitches(ctx context.Context, vpcID, id string) ([]*VSwitch, error) {
	req := &vpcsdk.DescribeVSwitchesRequest{PageSize: dara.Int32(VSwitchPageSize)}
	if vpcID != "" {
		req.VpcId = dara.String(vpcID)
	}
	if id != "" {
		req.VSwitchId = dara.String(id)
	}
	return allPages(func(page int32) ([]*VSwitch, int32, error) {
		req.PageNumber = dara.Int32(page)
		resp, err := c.DescribeVSwitches(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		var items []*VSwitch
		if resp.VSwitches != nil {
			items = nonNil(resp.VSwitches.VSwitch)
		}
		return items, dara.Int32Value(resp.TotalCount), nil
	})
}

// AnycastAllocationIDPrefix marks Anycast EIPs. GUESS: Anycast EIP IDs start
// with "aeip-" (they are a separate product); DescribeEipAddresses reports no
// type field.
const AnycastAllocationIDPrefix = "aeip-"

// EIPFacts converts an EIP into the facts the eip rules check. Type is
// Anycast when AllocationId starts with AnycastAllocationIDPrefix (GUESS),
// else Common.
func EIPFacts(e *EipAddress) eip.Address {
	if e == nil {
		return eip.Address{}
	}
	id := dara.StringValue(e.AllocationId)
	t := eip.TypeCommon
	if strings.HasPrefix(id, AnycastAllocationIDPrefix) {
		t = eip.TypeAnycast
	}
	return eip.Address{
		AllocationID:       id,
		IPAddress:          dara.StringValue(e.IpAddress),
		ChargeType:         eip.ChargeType(dara.StringValue(e.ChargeType)),
		InternetChargeType: eip.InternetChargeType(dara.StringValue(e.InternetChargeType)),
		BandwidthPackageID: dara.StringValue(e.BandwidthPackageId),
		Type:               t,
		Status:             eip.Status(dara.StringValue(e.Status)),
		InstanceID:         dara.StringValue(e.InstanceId),
		InstanceType:       dara.StringValue(e.InstanceType),
	}
}

// DescribeEipAddresses sends one DescribeEipAddresses call. An empty
// RegionId is filled with the configured region.
func (c *VPC) DescribeEipAddresses(ctx context.Context, req *vpcsdk.DescribeEipAddressesRequest) (*vpcsdk.DescribeEipAddressesResponseBody, error) {
	r := *req
	out := new(vpcsdk.DescribeEipAddressesResponse)
	return describe(ctx, c, "DescribeEipAddresses", &r, &r.RegionId, out, func() *vpcsdk.DescribeEipAddressesResponseBody { return out.Body })
}

// ListEIPs returns the EIPs with the given allocation IDs (deduplicated, asked
// for in batches of EIPBatchSize, every page of each batch), or every EIP of
// the region when no ID is given (empty IDs are dropped; only empty IDs give
// an empty result, never the whole region). IDs that do not exist are absent
// from the result; the order is the service's.
func (c *VPC) ListEIPs(ctx context.Context, allocationIDs ...string) ([]*EipAddress, error) {
	if len(allocationIDs) == 0 {
		return c.listEIPs(ctx, "")
	}
	allocationIDs = dedup(allocationIDs)
	var out []*EipAddress
	for start := 0; start < len(allocationIDs); start += EIPBatchSize {
		end := min(start+EIPBatchSize, len(allocationIDs))
		batch := allocationIDs[start:end]
		got, err := c.listEIPs(ctx, strings.Join(batch, ","))
		if isNotFound(err) && len(batch) > 1 {
			// DescribeEipAddresses documents no not-found error (missing IDs
			// are just not listed); should a batch be refused for one
			// missing ID, ask for each ID alone so the others are not lost.
			got, err = c.listEIPsOneByOne(ctx, batch)
		}
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (c *VPC) listEIPsOneByOne(ctx context.Context, ids []string) ([]*EipAddress, error) {
	var out []*EipAddress
	for _, id := range ids {
		got, err := c.listEIPs(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (c *VPC) listEIPs(ctx context.Context, ids string) ([]*EipAddress, error) {
	req := &vpcsdk.DescribeEipAddressesRequest{PageSize: dara.Int32(EIPPageSize)}
	if ids != "" {
		req.AllocationId = dara.String(ids)
	}
	return allPages(func(page int32) ([]*EipAddress, int32, error) {
		req.PageNumber = dara.Int32(page)
		resp, err := c.DescribeEipAddresses(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		var items []*EipAddress
		if resp.EipAddresses != nil {
			items = nonNil(resp.EipAddresses.EipAddress)
		}
		return items, dara.Int32Value(resp.TotalCount), nil
	})
}

// ReleaseEipAddress releases one EIP (RegionId and AllocationId). The service
// accepts only Available, pay-as-you-go EIPs; the release is asynchronous. A
// missing EIP gives the service's InvalidAllocationId.NotFound error.
func (c *VPC) ReleaseEipAddress(ctx context.Context, allocationID string) error {
	if allocationID == "" {
		return errors.New("cloudapi: ReleaseEipAddress: empty allocation ID")
	}
	req := &vpcsdk.ReleaseEipAddressRequest{RegionId: dara.String(c.region), AllocationId: dara.String(allocationID)}
	return c.rpc.callSDK(ctx, "ReleaseEipAddress", req, new(vpcsdk.ReleaseEipAddressResponse))
}

// DescribeCommonBandwidthPackages sends one DescribeCommonBandwidthPackages
// call. An empty RegionId is filled with the configured region.
func (c *VPC) DescribeCommonBandwidthPackages(ctx context.Context, req *vpcsdk.DescribeCommonBandwidthPackagesRequest) (*vpcsdk.DescribeCommonBandwidthPackagesResponseBody, error) {
	r := *req
	out := new(vpcsdk.DescribeCommonBandwidthPackagesResponse)
	return describe(ctx, c, "DescribeCommonBandwidthPackages", &r, &r.RegionId, out, func() *vpcsdk.DescribeCommonBandwidthPackagesResponseBody { return out.Body })
}

// ListCommonBandwidthPackages returns the given bandwidth packages
// (deduplicated, one call per ID, in the order given; missing ones are absent),
// or every package of the region, all pages, when no ID is given.
func (c *VPC) ListCommonBandwidthPackages(ctx context.Context, ids ...string) ([]*CommonBandwidthPackage, error) {
	if len(ids) == 0 {
		return c.listBandwidthPackages(ctx, "")
	}
	return eachID(dedup(ids), func(id string) ([]*CommonBandwidthPackage, error) {
		return c.listBandwidthPackages(ctx, id)
	}, func(p *CommonBandwidthPackage) string { return dara.StringValue(p.BandwidthPackageId) })
}

func (c *VPC) listBandwidthPackages(ctx context.Context, id string) ([]*CommonBandwidthPackage, error) {
	req := &vpcsdk.DescribeCommonBandwidthPackagesRequest{PageSize: dara.Int32(BandwidthPackagePageSize)}
	if id != "" {
		req.BandwidthPackageId = dara.String(id)
	}
	return allPages(func(page int32) ([]*CommonBandwidthPackage, int32, error) {
		req.PageNumber = dara.Int32(page)
		resp, err := c.DescribeCommonBandwidthPackages(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		var items []*CommonBandwidthPackage
		if resp.CommonBandwidthPackages != nil {
			items = nonNil(resp.CommonBandwidthPackages.CommonBandwidthPackage)
		}
		return items, dara.Int32Value(resp.TotalCount), nil
	})
}

// describe sends one call of action with req (a copy the caller made),
// its RegionId (*region) filled with the configured region when empty, and
// returns the answer's body (body reads it from out once the call is
// done).
func describe[B any](ctx context.Context, c *VPC, action string, req interface{ Validate() error }, region **string, out any, body func() *B) (*B, error) {
	if dara.StringValue(*region) == "" {
		*region = dara.String(c.region)
	}
	if err := c.rpc.callSDK(ctx, action, req, out); err != nil {
		return nil, err
	}
	b := body()
	if b == nil {
		return nil, fmt.Errorf("cloudapi: %s: response has no body", action)
	}
	return b, nil
}

// nonNil drops nil entries of a decoded list.
func nonNil[T any](in []*T) []*T {
	out := in[:0:0]
	for _, x := range in {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

// allPages calls fetch for pages 1, 2, … and collects the items until a page
// comes back empty or the items collected reach the total the service reports.
func allPages[T any](fetch func(page int32) (items []T, total int32, err error)) ([]T, error) {
	var out []T
	for page := int32(1); ; page++ {
		items, total, err := fetch(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) == 0 || len(out) >= int(total) {
			return out, nil
		}
	}
}

// eachID asks for each ID alone (fetch) and keeps, in the order of ids, the
// first item whose ID (idOf) is that ID. An ID whose call fails with
// ErrNotFound, or whose answer does not contain it, is absent from the result;
// any other error ends the loop.
func eachID[T any](ids []string, fetch func(id string) ([]T, error), idOf func(T) string) ([]T, error) {
	var out []T
	for _, id := range ids {
		got, err := fetch(id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, x := range got {
			if idOf(x) == id {
				out = append(out, x)
				break
			}
		}
	}
	return out, nil
}

// dedup drops empty and repeated IDs, keeping the first occurrence's order.
func dedup(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}
