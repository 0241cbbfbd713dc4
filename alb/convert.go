package alb

import (
	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// TokenTagKey is the tag albkit puts on every instance it creates. Its value
// is the create's ClientToken, so a restarted process can find the instance
// of an interrupted create by its tag.
const TokenTagKey = "albkit:client-token"

// createRequest converts a validated spec into the SDK request, with the
// ClientToken and the token tag. Fields left empty in the spec are not sent.
func (s InstanceSpec) createRequest(token string, dryRun bool) *albsdk.CreateLoadBalancerRequest {
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
	req.Tag = append(req.Tag, &albsdk.CreateLoadBalancerRequestTag{Key: dara.String(TokenTagKey), Value: dara.String(token)})
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
