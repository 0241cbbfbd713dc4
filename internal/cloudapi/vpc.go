package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
)

// Page sizes used by the List helpers (the documented maxima).
const (
	VSwitchPageSize          = 50  // DescribeVSwitches PageSize maximum
	EIPPageSize              = 100 // DescribeEipAddresses PageSize maximum
	EIPBatchSize             = 50  // AllocationIds per DescribeEipAddresses call (documented maximum)
	BandwidthPackagePageSize = 50  // DescribeCommonBandwidthPackages PageSize maximum (GUESS)
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

// Tag is a resource tag as VPC responses nest it (Tags.Tag[]).
type Tag struct {
	Key   string `json:"Key"`   // tag key
	Value string `json:"Value"` // tag value
}

// VSwitch is one vSwitch as DescribeVSwitches returns it. JSON tags are the
// wire names.
type VSwitch struct {
	VSwitchId               string `json:"VSwitchId"`               // vsw-…
	VpcId                   string `json:"VpcId"`                   // VPC it belongs to
	ZoneId                  string `json:"ZoneId"`                  // zone it is in
	CidrBlock               string `json:"CidrBlock"`               // IPv4 block
	Ipv6CidrBlock           string `json:"Ipv6CidrBlock"`           // IPv6 block, "" when IPv6 is not enabled
	Status                  string `json:"Status"`                  // Pending | Available
	VSwitchName             string `json:"VSwitchName"`             // name
	Description             string `json:"Description"`             // description
	CreationTime            string `json:"CreationTime"`            // creation time, ISO 8601
	ResourceGroupId         string `json:"ResourceGroupId"`         // resource group
	EnabledIpv6             bool   `json:"EnabledIpv6"`             // IPv6 enabled
	IsDefault               bool   `json:"IsDefault"`               // the zone's default vSwitch
	AvailableIpAddressCount int64  `json:"AvailableIpAddressCount"` // free IPv4 addresses
	// Tags are the resource tags.
	Tags struct {
		Tag []Tag `json:"Tag"`
	} `json:"Tags"`
}

// Facts converts the vSwitch into the facts the network rules check. It
// parses CidrBlock (required, IPv4) and Ipv6CidrBlock (optional, IPv6); the
// error names the bad field.
func (v VSwitch) Facts() (network.VSwitch, error) {
	out := network.VSwitch{
		ID:           v.VSwitchId,
		VPCID:        v.VpcId,
		ZoneID:       v.ZoneId,
		IPv6Enabled:  v.EnabledIpv6,
		AvailableIPs: int(v.AvailableIpAddressCount),
		Status:       v.Status,
	}
	p, err := netip.ParsePrefix(v.CidrBlock)
	if err != nil {
		return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: CidrBlock %q: %w", v.VSwitchId, v.CidrBlock, err)
	}
	if !p.Addr().Is4() {
		return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: CidrBlock %q is not an IPv4 prefix", v.VSwitchId, v.CidrBlock)
	}
	out.CIDR = p
	if v.Ipv6CidrBlock != "" {
		p6, err := netip.ParsePrefix(v.Ipv6CidrBlock)
		if err != nil {
			return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: Ipv6CidrBlock %q: %w", v.VSwitchId, v.Ipv6CidrBlock, err)
		}
		if !p6.Addr().Is6() || p6.Addr().Is4In6() {
			return network.VSwitch{}, fmt.Errorf("cloudapi: vSwitch %s: Ipv6CidrBlock %q is not an IPv6 prefix", v.VSwitchId, v.Ipv6CidrBlock)
		}
		out.IPv6CIDR = p6
	}
	return out, nil
}

// DescribeVSwitchesRequest is the query of DescribeVSwitches. Zero fields are
// not sent; an empty RegionId is filled with the configured region.
type DescribeVSwitchesRequest struct {
	RegionId   string `json:"RegionId,omitempty"`   // region; empty: the configured one
	VpcId      string `json:"VpcId,omitempty"`      // only vSwitches of this VPC
	VSwitchId  string `json:"VSwitchId,omitempty"`  // only this vSwitch
	ZoneId     string `json:"ZoneId,omitempty"`     // only vSwitches of this zone
	PageNumber int32  `json:"PageNumber,omitempty"` // default 1
	PageSize   int32  `json:"PageSize,omitempty"`   // 1..50, default 10
}

// DescribeVSwitchesResponse is the body of a DescribeVSwitches response.
type DescribeVSwitchesResponse struct {
	RequestId  string `json:"RequestId"`  // request ID
	PageNumber int32  `json:"PageNumber"` // page answered
	PageSize   int32  `json:"PageSize"`   // page size used
	TotalCount int32  `json:"TotalCount"` // matches over all pages
	// VSwitches holds this page's vSwitches.
	VSwitches struct {
		VSwitch []VSwitch `json:"VSwitch"`
	} `json:"VSwitches"`
}

// DescribeVSwitches sends one DescribeVSwitches call.
func (c *VPC) DescribeVSwitches(ctx context.Context, req DescribeVSwitchesRequest) (*DescribeVSwitchesResponse, error) {
	if req.RegionId == "" {
		req.RegionId = c.region
	}
	out := new(DescribeVSwitchesResponse)
	if err := c.rpc.call(ctx, "DescribeVSwitches", req, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListVSwitches returns vSwitches of the configured region, following every
// page (PageSize 50).
//
// With no ids it returns every vSwitch of vpcID (of the region when vpcID is
// empty). With ids it returns those vSwitches, deduplicated, in the order
// given: when vpcID is non-empty it lists that VPC once and filters; otherwise
// it asks for each ID with VSwitchId. An ID that does not exist (or is not in
// vpcID) is simply absent from the result: compare with the IDs asked for.
func (c *VPC) ListVSwitches(ctx context.Context, vpcID string, ids ...string) ([]VSwitch, error) {
	asked := len(ids) > 0
	ids = dedup(ids)
	if asked && len(ids) == 0 {
		return nil, nil
	}
	if len(ids) == 0 || vpcID != "" {
		all, err := c.listVSwitches(ctx, DescribeVSwitchesRequest{VpcId: vpcID})
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return all, nil
		}
		byID := make(map[string]VSwitch, len(all))
		for _, v := range all {
			byID[v.VSwitchId] = v
		}
		var out []VSwitch
		for _, id := range ids {
			if v, ok := byID[id]; ok {
				out = append(out, v)
			}
		}
		return out, nil
	}
	return eachID(ids, func(id string) ([]VSwitch, error) {
		return c.listVSwitches(ctx, DescribeVSwitchesRequest{VSwitchId: id})
	}, func(v VSwitch) string { return v.VSwitchId })
}

func (c *VPC) listVSwitches(ctx context.Context, req DescribeVSwitchesRequest) ([]VSwitch, error) {
	req.PageSize = VSwitchPageSize
	return allPages(func(page int32) ([]VSwitch, int32, error) {
		req.PageNumber = page
		resp, err := c.DescribeVSwitches(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		return resp.VSwitches.VSwitch, resp.TotalCount, nil
	})
}

// EipAddress is one EIP as DescribeEipAddresses returns it (a subset of the
// documented fields). JSON tags are the wire names; Bandwidth is a string
// (Mbps) on the wire.
type EipAddress struct {
	AllocationId         string `json:"AllocationId"`         // eip-… ("aeip-…" for Anycast)
	IpAddress            string `json:"IpAddress"`            // the public address
	Name                 string `json:"Name"`                 // EIP name
	Bandwidth            string `json:"Bandwidth"`            // Mbps, as a string
	BandwidthPackageId   string `json:"BandwidthPackageId"`   // shared bandwidth package, "" for none
	BandwidthPackageType string `json:"BandwidthPackageType"` // CommonBandwidthPackage when in one
	InternetChargeType   string `json:"InternetChargeType"`   // PayByBandwidth | PayByTraffic
	ChargeType           string `json:"ChargeType"`           // PostPaid | PrePaid
	ISP                  string `json:"ISP"`                  // line type, e.g. BGP
	Status               string `json:"Status"`               // Associating | Unassociating | InUse | Available | Releasing
	BusinessStatus       string `json:"BusinessStatus"`       // Normal | FinancialLocked
	InstanceType         string `json:"InstanceType"`         // type of the associated instance
	InstanceId           string `json:"InstanceId"`           // associated instance
	InstanceRegionId     string `json:"InstanceRegionId"`     // region of the associated instance
	RegionId             string `json:"RegionId"`             // region of the EIP
	AllocationTime       string `json:"AllocationTime"`       // allocation time, ISO 8601
	ExpiredTime          string `json:"ExpiredTime"`          // expiry of a PrePaid EIP, ISO 8601
	Description          string `json:"Description"`          // description
	ResourceGroupId      string `json:"ResourceGroupId"`      // resource group
	SegmentInstanceId    string `json:"SegmentInstanceId"`    // set for an EIP of a contiguous block (cannot be released alone)
	DeletionProtection   bool   `json:"DeletionProtection"`   // release fails while true
	// OperationLocks says why the EIP is locked, if it is.
	OperationLocks struct {
		LockReason []struct {
			LockReason string `json:"LockReason"` // financial | security
		} `json:"LockReason"`
	} `json:"OperationLocks"`
	// Tags are the resource tags.
	Tags struct {
		Tag []Tag `json:"Tag"`
	} `json:"Tags"`
}

// AnycastAllocationIDPrefix marks Anycast EIPs. GUESS: Anycast EIP IDs start
// with "aeip-" (they are a separate product); DescribeEipAddresses reports no
// type field.
const AnycastAllocationIDPrefix = "aeip-"

// Facts converts the EIP into the facts the eip rules check. Type is Anycast
// when AllocationId starts with AnycastAllocationIDPrefix (GUESS), else Common.
func (e EipAddress) Facts() eip.Address {
	t := eip.TypeCommon
	if strings.HasPrefix(e.AllocationId, AnycastAllocationIDPrefix) {
		t = eip.TypeAnycast
	}
	return eip.Address{
		AllocationID:       e.AllocationId,
		IPAddress:          e.IpAddress,
		ChargeType:         eip.ChargeType(e.ChargeType),
		InternetChargeType: eip.InternetChargeType(e.InternetChargeType),
		BandwidthPackageID: e.BandwidthPackageId,
		Type:               t,
		Status:             eip.Status(e.Status),
		InstanceID:         e.InstanceId,
		InstanceType:       e.InstanceType,
	}
}

// DescribeEipAddressesRequest is the query of DescribeEipAddresses. Zero
// fields are not sent; an empty RegionId is filled with the configured region.
type DescribeEipAddressesRequest struct {
	RegionId               string `json:"RegionId,omitempty"`               // region; empty: the configured one
	AllocationId           string `json:"AllocationId,omitempty"`           // comma-separated, at most 50
	Status                 string `json:"Status,omitempty"`                 // only EIPs in this status
	AssociatedInstanceType string `json:"AssociatedInstanceType,omitempty"` // only EIPs bound to this instance type
	AssociatedInstanceId   string `json:"AssociatedInstanceId,omitempty"`   // only EIPs bound to this instance
	PageNumber             int32  `json:"PageNumber,omitempty"`             // default 1
	PageSize               int32  `json:"PageSize,omitempty"`               // 1..100, default 10
}

// DescribeEipAddressesResponse is the body of a DescribeEipAddresses response.
type DescribeEipAddressesResponse struct {
	RequestId  string `json:"RequestId"`  // request ID
	PageNumber int32  `json:"PageNumber"` // page answered
	PageSize   int32  `json:"PageSize"`   // page size used
	TotalCount int32  `json:"TotalCount"` // matches over all pages
	// EipAddresses holds this page's EIPs.
	EipAddresses struct {
		EipAddress []EipAddress `json:"EipAddress"`
	} `json:"EipAddresses"`
}

// DescribeEipAddresses sends one DescribeEipAddresses call.
func (c *VPC) DescribeEipAddresses(ctx context.Context, req DescribeEipAddressesRequest) (*DescribeEipAddressesResponse, error) {
	if req.RegionId == "" {
		req.RegionId = c.region
	}
	out := new(DescribeEipAddressesResponse)
	if err := c.rpc.call(ctx, "DescribeEipAddresses", req, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListEIPs returns the EIPs with the given allocation IDs (deduplicated, asked
// for in batches of EIPBatchSize, every page of each batch), or every EIP of
// the region when no ID is given (empty IDs are dropped; only empty IDs give
// an empty result, never the whole region). IDs that do not exist are absent from the
// result; the order is the service's.
func (c *VPC) ListEIPs(ctx context.Context, allocationIDs ...string) ([]EipAddress, error) {
	if len(allocationIDs) == 0 {
		return c.listEIPs(ctx, "")
	}
	allocationIDs = dedup(allocationIDs)
	var out []EipAddress
	for start := 0; start < len(allocationIDs); start += EIPBatchSize {
		end := min(start+EIPBatchSize, len(allocationIDs))
		batch := allocationIDs[start:end]
		got, err := c.listEIPs(ctx, strings.Join(batch, ","))
		if errors.Is(err, ErrNotFound) && len(batch) > 1 {
			// DescribeEipAddresses documents no not-found error (missing IDs
			// are just not listed); should a batch be refused for one
			// missing ID, ask for each ID alone so the others are not lost.
			got, err = c.listEIPsOneByOne(ctx, batch)
		}
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (c *VPC) listEIPsOneByOne(ctx context.Context, ids []string) ([]EipAddress, error) {
	var out []EipAddress
	for _, id := range ids {
		got, err := c.listEIPs(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (c *VPC) listEIPs(ctx context.Context, ids string) ([]EipAddress, error) {
	req := DescribeEipAddressesRequest{AllocationId: ids, PageSize: EIPPageSize}
	return allPages(func(page int32) ([]EipAddress, int32, error) {
		req.PageNumber = page
		resp, err := c.DescribeEipAddresses(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		return resp.EipAddresses.EipAddress, resp.TotalCount, nil
	})
}

// ReleaseEipAddress releases one EIP (RegionId and AllocationId). The service
// accepts only Available, pay-as-you-go EIPs; the release is asynchronous. A
// missing EIP gives an error matching ErrNotFound.
func (c *VPC) ReleaseEipAddress(ctx context.Context, allocationID string) error {
	if allocationID == "" {
		return errors.New("cloudapi: ReleaseEipAddress: empty allocation ID")
	}
	query := struct {
		RegionId     string `json:"RegionId,omitempty"`
		AllocationId string `json:"AllocationId"`
	}{c.region, allocationID}
	var out struct {
		RequestId string `json:"RequestId"`
	}
	return c.rpc.call(ctx, "ReleaseEipAddress", query, &out)
}

// CommonBandwidthPackage is one Internet Shared Bandwidth instance as
// DescribeCommonBandwidthPackages returns it (GUESS: field names from the
// public API reference, not from the reference metadata set; the list element
// really is spelled PublicIpAddresse).
type CommonBandwidthPackage struct {
	BandwidthPackageId string `json:"BandwidthPackageId"` // cbwp-…
	Name               string `json:"Name"`               // package name
	Bandwidth          string `json:"Bandwidth"`          // Mbps, a string on the wire
	InternetChargeType string `json:"InternetChargeType"` // e.g. PayByBandwidth
	Status             string `json:"Status"`             // e.g. Available
	ISP                string `json:"ISP"`                // line type, e.g. BGP
	// PublicIpAddresses lists the EIPs in the package.
	PublicIpAddresses struct {
		PublicIpAddresse []struct {
			AllocationId string `json:"AllocationId"`
			IpAddress    string `json:"IpAddress"`
		} `json:"PublicIpAddresse"`
	} `json:"PublicIpAddresses"`
}

// DescribeCommonBandwidthPackagesRequest is the query of
// DescribeCommonBandwidthPackages. Zero fields are not sent; an empty RegionId
// is filled with the configured region.
type DescribeCommonBandwidthPackagesRequest struct {
	RegionId           string `json:"RegionId,omitempty"`           // region; empty: the configured one
	BandwidthPackageId string `json:"BandwidthPackageId,omitempty"` // one ID
	PageNumber         int32  `json:"PageNumber,omitempty"`         // default 1
	PageSize           int32  `json:"PageSize,omitempty"`           // 1..50
}

// DescribeCommonBandwidthPackagesResponse is the body of a
// DescribeCommonBandwidthPackages response.
type DescribeCommonBandwidthPackagesResponse struct {
	RequestId  string `json:"RequestId"`  // request ID
	PageNumber int32  `json:"PageNumber"` // page answered
	PageSize   int32  `json:"PageSize"`   // page size used
	TotalCount int32  `json:"TotalCount"` // matches over all pages
	// CommonBandwidthPackages holds this page's packages.
	CommonBandwidthPackages struct {
		CommonBandwidthPackage []CommonBandwidthPackage `json:"CommonBandwidthPackage"`
	} `json:"CommonBandwidthPackages"`
}

// DescribeCommonBandwidthPackages sends one DescribeCommonBandwidthPackages call.
func (c *VPC) DescribeCommonBandwidthPackages(ctx context.Context, req DescribeCommonBandwidthPackagesRequest) (*DescribeCommonBandwidthPackagesResponse, error) {
	if req.RegionId == "" {
		req.RegionId = c.region
	}
	out := new(DescribeCommonBandwidthPackagesResponse)
	if err := c.rpc.call(ctx, "DescribeCommonBandwidthPackages", req, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListCommonBandwidthPackages returns the given bandwidth packages
// (deduplicated, one call per ID, in the order given; missing ones are absent),
// or every package of the region, all pages, when no ID is given.
func (c *VPC) ListCommonBandwidthPackages(ctx context.Context, ids ...string) ([]CommonBandwidthPackage, error) {
	if len(ids) == 0 {
		return c.listBandwidthPackages(ctx, "")
	}
	return eachID(dedup(ids), func(id string) ([]CommonBandwidthPackage, error) {
		return c.listBandwidthPackages(ctx, id)
	}, func(p CommonBandwidthPackage) string { return p.BandwidthPackageId })
}

func (c *VPC) listBandwidthPackages(ctx context.Context, id string) ([]CommonBandwidthPackage, error) {
	req := DescribeCommonBandwidthPackagesRequest{BandwidthPackageId: id, PageSize: BandwidthPackagePageSize}
	return allPages(func(page int32) ([]CommonBandwidthPackage, int32, error) {
		req.PageNumber = page
		resp, err := c.DescribeCommonBandwidthPackages(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		return resp.CommonBandwidthPackages.CommonBandwidthPackage, resp.TotalCount, nil
	})
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
		if errors.Is(err, ErrNotFound) {
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
