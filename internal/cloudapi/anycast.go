package cloudapi

import (
	"context"
	"errors"

	"github.com/alibabacloud-go/tea/dara"
)

// EipanycastVersion is the API version of Anycast EIPs.
const EipanycastVersion = "2020-03-09"

// EipanycastEndpoint is the Eipanycast endpoint (GUESS: the service is
// global, as the Terraform provider calls it; no regional endpoint is used).
const EipanycastEndpoint = "eipanycast.aliyuncs.com"

// Anycast calls Eipanycast 2020-03-09: Anycast EIPs, which VPC
// DescribeEipAddresses does not list (it lists the EIPs created in a
// region; Anycast EIPs are created in an access area and have their own
// API, ListAnycastEipAddresses).
type Anycast struct {
	rpc *rpc
}

// String names the endpoint; it never prints the credential.
func (c *Anycast) String() string { return "cloudapi.Anycast{" + c.rpc.endpoint + "}" }

// AnycastEIP is one Anycast EIP of a ListAnycastEipAddresses answer (the
// fields albkit reads). JSON tags are the wire names.
type AnycastEIP struct {
	AnycastId          string `json:"AnycastId"`          // aeip-…
	IpAddress          string `json:"IpAddress"`          // the address
	Status             string `json:"Status"`             // Allocated, Associated, Associating, Unassociating, Modifying, Releasing, Released
	InstanceChargeType string `json:"InstanceChargeType"` // PostPaid
	InternetChargeType string `json:"InternetChargeType"` // PayByTraffic
	ServiceLocation    string `json:"ServiceLocation"`    // the access area, e.g. international
	// Binds are the endpoints the Anycast EIP is associated with: at most
	// one per region, in several regions.
	Binds []AnycastBind `json:"AnycastEipBindInfoList"`
}

// AnycastBind is one endpoint an Anycast EIP is associated with.
type AnycastBind struct {
	BindInstanceId       string `json:"BindInstanceId"`
	BindInstanceRegionId string `json:"BindInstanceRegionId"`
	BindInstanceType     string `json:"BindInstanceType"`
}

type listAnycastResponse struct {
	RequestId   string       `json:"RequestId"`
	NextToken   string       `json:"NextToken"`
	AnycastList []AnycastEIP `json:"AnycastList"`
}

// ListEIPs returns the Anycast EIPs with the given IDs (each asked for
// with AnycastId, every page), deduplicated; IDs that do not exist are
// absent from the result.
func (c *Anycast) ListEIPs(ctx context.Context, ids ...string) ([]AnycastEIP, error) {
	var out []AnycastEIP
	for _, id := range dedup(ids) {
		if id == "" {
			continue
		}
		query := map[string]any{"AnycastId": id, "MaxResults": 100}
		for pages := 0; ; pages++ {
			if pages == maxPages {
				return nil, errors.New("cloudapi: ListAnycastEipAddresses: too many pages")
			}
			var resp listAnycastResponse
			if err := c.rpc.call(ctx, "ListAnycastEipAddresses", query, &resp); err != nil {
				return nil, err
			}
			for _, a := range resp.AnycastList {
				if a.AnycastId == id {
					out = append(out, a)
				}
			}
			if resp.NextToken == "" {
				break
			}
			query["NextToken"] = resp.NextToken
		}
	}
	return out, nil
}

// AsEIP gives an Anycast EIP the shape of a DescribeEipAddresses EIP, as
// seen from region, for the EIP rules (EIPFacts): Available when it is
// associated with no endpoint in region (an Anycast EIP takes one endpoint
// per region), InUse with that endpoint otherwise; any other status
// (Associating, Releasing, ...) as it is. It is never managed by a
// service (ALB assigns only Common EIPs).
func (a AnycastEIP) AsEIP(region string) *EipAddress {
	status := a.Status
	if status == "Allocated" || status == "Associated" {
		status = "Available"
	}
	e := &EipAddress{
		AllocationId: dara.String(a.AnycastId), IpAddress: dara.String(a.IpAddress),
		ChargeType: dara.String(a.InstanceChargeType), InternetChargeType: dara.String(a.InternetChargeType),
		ServiceManaged: dara.Int32(0),
	}
	for _, b := range a.Binds {
		if b.BindInstanceRegionId == region {
			status = "InUse"
			e.InstanceId, e.InstanceType = dara.String(b.BindInstanceId), dara.String(b.BindInstanceType)
		}
	}
	e.Status = dara.String(status)
	return e
}

// maxPages bounds a paged listing.
const maxPages = 1000
