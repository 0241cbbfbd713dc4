package albtest

import "time"

// The route table: every emulated operation, by product version and
// action. Adding an operation is one line here plus its opFunc in the file
// of its product and resource. write marks the operations that take
// ClientToken (idempotency) and DryRun; the handler applies both before the
// operation runs.

const timeLayout = "2006-01-02T15:04:05Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

type routeSpec struct {
	prod   *product
	action string
	fn     opFunc
	write  bool
}

var routeTable = []routeSpec{
	// ALB 2020-06-16: load balancers (alb_loadbalancer*.go).
	{prodALB, "CreateLoadBalancer", (*Server).opCreateLoadBalancer, true},
	{prodALB, "GetLoadBalancerAttribute", (*Server).opGetLoadBalancerAttribute, false},
	{prodALB, "ListLoadBalancers", (*Server).opListLoadBalancers, false},
	{prodALB, "DeleteLoadBalancer", (*Server).opDeleteLoadBalancer, true},
	{prodALB, "EnableDeletionProtection", (*Server).opEnableDeletionProtection, true},
	{prodALB, "DisableDeletionProtection", (*Server).opDisableDeletionProtection, true},
	{prodALB, "UpdateLoadBalancerAttribute", (*Server).opUpdateLoadBalancerAttribute, true},
	{prodALB, "UpdateLoadBalancerEdition", (*Server).opUpdateLoadBalancerEdition, true},
	{prodALB, "EnableLoadBalancerAccessLog", (*Server).opEnableLoadBalancerAccessLog, true},
	{prodALB, "DisableLoadBalancerAccessLog", (*Server).opDisableLoadBalancerAccessLog, true},
	{prodALB, "EnableLoadBalancerIpv6Internet", (*Server).opEnableLoadBalancerIpv6Internet, true},
	{prodALB, "DisableLoadBalancerIpv6Internet", (*Server).opDisableLoadBalancerIpv6Internet, true},
	{prodALB, "MoveResourceGroup", (*Server).opMoveResourceGroup, false},
	{prodALB, "UpdateLoadBalancerZones", (*Server).opUpdateLoadBalancerZones, true},
	{prodALB, "UpdateLoadBalancerAddressTypeConfig", (*Server).opUpdateLoadBalancerAddressTypeConfig, true},
	{prodALB, "AttachCommonBandwidthPackageToLoadBalancer", (*Server).opAttachCBWP, true},
	{prodALB, "DetachCommonBandwidthPackageFromLoadBalancer", (*Server).opDetachCBWP, true},
	// ALB: server groups and their servers (alb_servergroup*.go).
	{prodALB, "CreateServerGroup", (*Server).opCreateServerGroup, true},
	{prodALB, "UpdateServerGroupAttribute", (*Server).opUpdateServerGroupAttribute, true},
	{prodALB, "DeleteServerGroup", (*Server).opDeleteServerGroup, true},
	{prodALB, "ListServerGroups", (*Server).opListServerGroups, false},
	{prodALB, "AddServersToServerGroup", (*Server).opAddServersToServerGroup, true},
	{prodALB, "RemoveServersFromServerGroup", (*Server).opRemoveServersFromServerGroup, true},
	{prodALB, "ReplaceServersInServerGroup", (*Server).opReplaceServersInServerGroup, true},
	{prodALB, "UpdateServerGroupServersAttribute", (*Server).opUpdateServerGroupServersAttribute, true},
	{prodALB, "ListServerGroupServers", (*Server).opListServerGroupServers, false},
	// ALB: listeners and their certificates (alb_listener*.go).
	{prodALB, "CreateListener", (*Server).opCreateListener, true},
	{prodALB, "GetListenerAttribute", (*Server).opGetListenerAttribute, false},
	{prodALB, "ListListeners", (*Server).opListListeners, false},
	{prodALB, "UpdateListenerAttribute", (*Server).opUpdateListenerAttribute, true},
	{prodALB, "UpdateListenerLogConfig", (*Server).opUpdateListenerLogConfig, true},
	{prodALB, "StartListener", (*Server).opStartListener, true},
	{prodALB, "StopListener", (*Server).opStopListener, true},
	{prodALB, "DeleteListener", (*Server).opDeleteListener, true},
	{prodALB, "AssociateAdditionalCertificatesWithListener", (*Server).opAssociateAdditionalCertificatesWithListener, true},
	{prodALB, "DissociateAdditionalCertificatesFromListener", (*Server).opDissociateAdditionalCertificatesFromListener, true},
	{prodALB, "ListListenerCertificates", (*Server).opListListenerCertificates, false},
	{prodALB, "GetListenerHealthStatus", (*Server).opGetListenerHealthStatus, false},
	// ALB: forwarding rules (alb_rule*.go).
	{prodALB, "CreateRule", (*Server).opCreateRule, true},
	{prodALB, "CreateRules", (*Server).opCreateRules, true},
	{prodALB, "UpdateRuleAttribute", (*Server).opUpdateRuleAttribute, true},
	{prodALB, "UpdateRulesAttribute", (*Server).opUpdateRulesAttribute, true},
	{prodALB, "DeleteRule", (*Server).opDeleteRule, true},
	{prodALB, "DeleteRules", (*Server).opDeleteRules, true},
	{prodALB, "ListRules", (*Server).opListRules, false},
	// ALB: TLS security policies (alb_securitypolicy.go).
	{prodALB, "CreateSecurityPolicy", (*Server).opCreateSecurityPolicy, true},
	{prodALB, "ListSecurityPolicies", (*Server).opListSecurityPolicies, false},
	{prodALB, "UpdateSecurityPolicyAttribute", (*Server).opUpdateSecurityPolicyAttribute, true},
	{prodALB, "DeleteSecurityPolicy", (*Server).opDeleteSecurityPolicy, true},
	{prodALB, "ListSystemSecurityPolicies", (*Server).opListSystemSecurityPolicies, false},
	{prodALB, "ListSecurityPolicyRelations", (*Server).opListSecurityPolicyRelations, false},
	// ALB: health check templates (alb_healthchecktemplate.go).
	{prodALB, "CreateHealthCheckTemplate", (*Server).opCreateHealthCheckTemplate, true},
	{prodALB, "UpdateHealthCheckTemplateAttribute", (*Server).opUpdateHealthCheckTemplateAttribute, true},
	{prodALB, "DeleteHealthCheckTemplates", (*Server).opDeleteHealthCheckTemplates, true},
	{prodALB, "GetHealthCheckTemplateAttribute", (*Server).opGetHealthCheckTemplateAttribute, false},
	{prodALB, "ListHealthCheckTemplates", (*Server).opListHealthCheckTemplates, false},
	{prodALB, "ApplyHealthCheckTemplateToServerGroup", (*Server).opApplyHealthCheckTemplateToServerGroup, true},
	// ALB: jobs, tags, zones and regions.
	{prodALB, "ListAsynJobs", (*Server).opListAsynJobs, false},
	{prodALB, "TagResources", (*Server).opTagResources, false},
	{prodALB, "UnTagResources", (*Server).opUnTagResources, false},
	{prodALB, "ListTagResources", (*Server).opListTagResources, false},
	{prodALB, "DescribeZones", (*Server).opDescribeZones, false},
	{prodALB, "DescribeRegions", (*Server).opDescribeRegions, false},
	// VPC 2016-04-28 (vpc_*.go).
	{prodVPC, "DescribeVSwitches", (*Server).opDescribeVSwitches, false},
	{prodVPC, "DescribeEipAddresses", (*Server).opDescribeEipAddresses, false},
	{prodVPC, "ReleaseEipAddress", (*Server).opReleaseEipAddress, false},
	{prodVPC, "DescribeCommonBandwidthPackages", (*Server).opDescribeCommonBandwidthPackages, false},
	// Eipanycast 2020-03-09 (anycast.go): Anycast EIPs, which
	// DescribeEipAddresses does not list.
	{prodAnycast, "ListAnycastEipAddresses", (*Server).opListAnycastEipAddresses, false},
	// WAF 3.0 and 2.0 (waf.go).
	{prodWAF3, "DescribeInstance", (*Server).opWAF3DescribeInstance, false},
	{prodWAF2, "DescribeInstanceInfo", (*Server).opWAF2DescribeInstanceInfo, false},
	// RAM 2015-05-01 (ram.go) and ResourceManager 2020-03-31
	// (resourcemanager.go).
	{prodRAM, "GetRole", (*Server).opRAMGetRole, false},
	{prodRM, "GetRole", (*Server).opGetRole, false},
	{prodRM, "CreateServiceLinkedRole", (*Server).opCreateServiceLinkedRole, false},
	{prodRM, "DeleteServiceLinkedRole", (*Server).opDeleteServiceLinkedRole, false},
	{prodRM, "GetServiceLinkedRoleDeletionStatus", (*Server).opGetServiceLinkedRoleDeletionStatus, false},
}

func buildRoutes() map[string]map[string]*route {
	routes := map[string]map[string]*route{}
	for _, r := range routeTable {
		m := routes[r.action]
		if m == nil {
			m = map[string]*route{}
			routes[r.action] = m
		}
		rt := &route{action: r.action, prod: r.prod, fn: r.fn, idempotent: r.write}
		if r.prod == prodALB && r.action == "GetLoadBalancerAttribute" {
			rt.cached = (*Server).cachedGetLoadBalancerAttribute
		}
		m[r.prod.version] = rt
	}
	return routes
}
