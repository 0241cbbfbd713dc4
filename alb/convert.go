package alb

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// TokenTagKey is the tag albkit puts on every instance it creates. Its value
// is the create's ClientToken, so a restarted process can find the instance
// of an interrupted create by its tag.
const TokenTagKey = "albkit:client-token"

// SpecTagKey is the second tag albkit puts on every instance it creates.
// Its value is [InstanceSpec.Digest] of the spec the instance was created
// from, so that resuming a create with another spec under the same
// idempotency key is refused (ErrIdempotencyKeyReused) without trusting the
// caller.
const SpecTagKey = "albkit:spec-digest"

// Digest returns a short, stable hash of everything the spec asks the
// service for (not the idempotency key): two specs with the same digest
// send the same CreateLoadBalancer request. Tag, zone and security group
// order does not matter.
func (s InstanceSpec) Digest() string {
	n := s
	n.IdempotencyKey = ""
	n.Tags = slices.Clone(s.Tags)
	slices.SortFunc(n.Tags, func(a, b Tag) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value)) })
	n.ZoneMappings = slices.Clone(s.ZoneMappings)
	slices.SortFunc(n.ZoneMappings, func(a, b ZoneMapping) int { return cmp.Compare(a.ZoneID, b.ZoneID) })
	n.SecurityGroupIDs = slices.Sorted(slices.Values(s.SecurityGroupIDs))
	req := n.request("", false)
	req.ClientToken = nil
	b, _ := json.Marshal(req) // plain struct: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// createRequest converts a validated spec into the SDK request, with
// ClientToken token and albkit's two tags (the idempotency key and the spec
// digest). Fields left
// empty in the spec are not sent.
func (s InstanceSpec) createRequest(key, token string, dryRun bool) *albsdk.CreateLoadBalancerRequest {
	req := s.request(token, dryRun)
	req.Tag = append(req.Tag,
		&albsdk.CreateLoadBalancerRequestTag{Key: dara.String(TokenTagKey), Value: dara.String(key)},
		&albsdk.CreateLoadBalancerRequestTag{Key: dara.String(SpecTagKey), Value: dara.String(s.Digest())})
	return req
}

// request is the SDK request for the spec alone, without albkit's tags.
func (s InstanceSpec) request(token string, dryRun bool) *albsdk.CreateLoadBalancerRequest {
	req := &albsdk.CreateLoadBalancerRequest{
		VpcId:               dara.String(s.VPCID),
		AddressType:         dara.String(string(s.AddressType)),
		LoadBalancerEdition: dara.String(string(s.Edition)),
		AddressIpVersion:    dara.String(string(s.ipVersion())),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{
			PayType: dara.String(string(s.billing())),
		},
		ClientToken: dara.String(token),
	}
	if s.BandwidthPackageID != "" {
		req.LoadBalancerBillingConfig.BandwidthPackageId = dara.String(s.BandwidthPackageID)
	}
	if s.Name != "" {
		req.LoadBalancerName = dara.String(s.Name)
	}
	if s.AddressAllocatedMode != "" {
		req.AddressAllocatedMode = dara.String(string(s.AddressAllocatedMode))
	}
	if s.DeletionProtection {
		req.DeletionProtectionEnabled = dara.Bool(true)
	}
	if s.ReadOnly.Enabled {
		req.ModificationProtectionConfig = &albsdk.CreateLoadBalancerRequestModificationProtectionConfig{
			Status: dara.String(modificationConsoleProtection),
		}
		if s.ReadOnly.Reason != "" {
			req.ModificationProtectionConfig.Reason = dara.String(s.ReadOnly.Reason)
		}
	}
	if s.ResourceGroupID != "" {
		req.ResourceGroupId = dara.String(s.ResourceGroupID)
	}
	for _, id := range s.SecurityGroupIDs {
		req.SecurityGroupIds = append(req.SecurityGroupIds, &albsdk.CreateLoadBalancerRequestSecurityGroupIds{SecurityGroupId: dara.String(id)})
	}
	for _, z := range s.ZoneMappings {
		m := &albsdk.CreateLoadBalancerRequestZoneMappings{
			ZoneId:    dara.String(z.ZoneID),
			VSwitchId: dara.String(z.VSwitchID),
		}
		if z.AllocationID != "" {
			m.AllocationId = dara.String(z.AllocationID)
		}
		if z.EIPType != "" {
			m.EipType = dara.String(string(z.EIPType))
		}
		if z.IntranetAddress != "" {
			m.IntranetAddress = dara.String(z.IntranetAddress)
		}
		req.ZoneMappings = append(req.ZoneMappings, m)
	}
	for _, t := range s.Tags {
		req.Tag = append(req.Tag, &albsdk.CreateLoadBalancerRequestTag{Key: dara.String(t.Key), Value: dara.String(t.Value)})
	}
	if dryRun {
		req.DryRun = dara.Bool(true)
	}
	return req
}

// Wire values of ModificationProtectionConfig.Status.
const (
	modificationConsoleProtection = "ConsoleProtection"
	modificationNonProtection     = "NonProtection"
)
