package albtest

import (
	"strings"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// Attribute updates of an ALB instance: deletion protection, name and
// modification protection, edition, access log, resource group and IPv6
// Internet access. Asynchronous ones go Configuring → Active (see update)
// and make their change visible only when the transition completes.

func (s *Server) setDeletionProtection(c *call, on bool) *apiError {
	lb, e := s.writableLB(c, "ResourceId")
	if e != nil {
		return e
	}
	if c.dryRun {
		return errDryRun
	}
	if on && !lb.delProt {
		lb.delProtTime = c.now
	}
	lb.delProt = on
	return nil
}

// opEnableDeletionProtection is synchronous, as is its Disable twin.
func (s *Server) opEnableDeletionProtection(c *call) (any, *apiError) {
	if e := s.setDeletionProtection(c, true); e != nil {
		return nil, e
	}
	return &albsdk.EnableDeletionProtectionResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opDisableDeletionProtection(c *call) (any, *apiError) {
	if e := s.setDeletionProtection(c, false); e != nil {
		return nil, e
	}
	return &albsdk.DisableDeletionProtectionResponseBody{RequestId: sp(c.requestID)}, nil
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
	modStatus, reason, e := modProtection(p)
	if e != nil {
		return nil, e
	}
	// A Reason without a Status changes nothing: the API says Reason is only
	// valid with Status ConsoleProtection. Refused here rather than answered
	// with a job for no change (choice; the real answer is not documented).
	if modStatus == "" && p.Get("ModificationProtectionConfig.Reason") != "" {
		return nil, errf(400, "InvalidParameter", "The parameter ModificationProtectionConfig.Reason is only valid with ModificationProtectionConfig.Status ConsoleProtection.")
	}
	if e := writable(lb); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	// Name and protection are shown at once (GUESS: the real service may show
	// them only when the job ends).
	if nameSet {
		lb.name = name
	}
	if modStatus != "" {
		lb.modStatus, lb.modReason = modStatus, reason
	}
	j := s.update(lb, c, "UpdateLoadBalancerAttribute", nil)
	return &albsdk.UpdateLoadBalancerAttributeResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opUpdateLoadBalancerEdition keeps showing the old edition while the
// instance is Configuring: clients (Terraform since PR #4780) poll until the
// edition field reads the target. StandardWithWaf is refused while a WAF 2.0
// instance exists, as at create.
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
	if e := s.st.checkWAF2(ed); e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	s.update(lb, c, "UpdateLoadBalancerEdition", func() {
		lb.edition = ed
		if ed == "StandardWithWaf" {
			s.st.activateWAF3(c.now)
		}
	})
	return &albsdk.UpdateLoadBalancerEditionResponseBody{RequestId: sp(c.requestID)}, nil
}

// activateWAF3 is the documented side effect of the WAF Enabled edition:
// "If no WAF instance exists, a pay-as-you-go WAF 3.0 instance is
// automatically activated." An existing WAF 3.0 instance (not released) is
// kept. The ID is fixed (GUESS: the real one is random).
func (st *state) activateWAF3(now time.Time) {
	if st.waf3 != nil && st.waf3.Status != 3 {
		return
	}
	st.waf3 = &WAF3Instance{InstanceID: "waf_v3prepaid_public_cn-albtest", Edition: "payasyougo", PayType: "POSTPAY", Status: 1, InDebt: "0", StartTime: now.UnixMilli()}
}

// accessLogWritable is writable for the access-log operations, whose
// documented answer for an instance being configured is 400
// ResourceInConfiguring.LoadBalancer (help.aliyun.com, API reference of
// DisableLoadBalancerAccessLog) rather than IncorrectStatus.LoadBalancer.
func (s *Server) accessLogWritable(c *call) (*lbState, *apiError) {
	lb, e := s.lookupLB(c, "LoadBalancerId", false)
	if e != nil {
		return nil, e
	}
	if lb.status == "Configuring" && lb.bizStatus == "Normal" {
		return nil, errf(400, "ResourceInConfiguring.LoadBalancer", "The specified resource of %s is being configured, please try again later.", lb.id)
	}
	return lb, writable(lb)
}

// opEnableLoadBalancerAccessLog sets LogProject/LogStore when the
// Configuring transition completes. Enabling while an access log is set
// answers 400 OperationDenied.AccessLogEnabled (documented); the SLS project
// and store are not checked (not emulated).
func (s *Server) opEnableLoadBalancerAccessLog(c *call) (any, *apiError) {
	project, store := c.p.Get("LogProject"), c.p.Get("LogStore")
	if project == "" {
		return nil, missing("LogProject")
	}
	if store == "" {
		return nil, missing("LogStore")
	}
	lb, e := s.accessLogWritable(c)
	if e != nil {
		return nil, e
	}
	if lb.logProject != "" {
		return nil, errf(400, "OperationDenied.AccessLogEnabled", "The operation is not allowed because of %s.", "AccessLogEnabled")
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.update(lb, c, "EnableLoadBalancerAccessLog", func() { lb.logProject, lb.logStore = project, store })
	return &albsdk.EnableLoadBalancerAccessLogResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}

// opDisableLoadBalancerAccessLog clears the access log when the Configuring
// transition completes; without an access log it answers 400
// OperationDenied.AccessLogDisabled (documented). Its answer has no JobId
// (the SDK model has none); the job is listed by ListAsynJobs.
func (s *Server) opDisableLoadBalancerAccessLog(c *call) (any, *apiError) {
	lb, e := s.accessLogWritable(c)
	if e != nil {
		return nil, e
	}
	if lb.logProject == "" {
		return nil, errf(400, "OperationDenied.AccessLogDisabled", "The operation is not allowed because of %s.", "AccessLogDisabled")
	}
	if c.dryRun {
		return nil, errDryRun
	}
	s.update(lb, c, "DisableLoadBalancerAccessLog", func() { lb.logProject, lb.logStore = "", "" })
	return &albsdk.DisableLoadBalancerAccessLogResponseBody{RequestId: sp(c.requestID)}, nil
}

// opMoveResourceGroup moves an instance or a server group to another
// resource group. It takes no ClientToken or DryRun (the SDK model has none)
// and is synchronous (GUESS). Resource groups are not modelled: any ID
// starting with "rg-" exists, any other answers 400 NotExist.ResourceGroup
// (the code the API metadata documents); ACLs and security policies are not
// emulated and answer their not-found code.
func (s *Server) opMoveResourceGroup(c *call) (any, *apiError) {
	rt, e := enum(c.p, "ResourceType", true, "loadbalancer", "acl", "securitypolicy", "servergroup")
	if e != nil {
		return nil, e
	}
	rg := c.p.Get("NewResourceGroupId")
	if rg == "" {
		return nil, missing("NewResourceGroupId")
	}
	if !strings.HasPrefix(rg, "rg-") || len(rg) > 64 {
		return nil, errf(400, "NotExist.ResourceGroup", "ResourceGroup does not exist.")
	}
	switch rt {
	case "loadbalancer":
		lb, e := s.writableLB(c, "ResourceId")
		if e != nil {
			return nil, e
		}
		lb.resourceGroup = rg
	case "servergroup":
		sg, e := s.writableSG(c, "ResourceId")
		if e != nil {
			return nil, e
		}
		sg.resourceGroup = rg
	default:
		id := c.p.Get("ResourceId")
		if id == "" {
			return nil, missing("ResourceId")
		}
		return nil, notFoundOther(rt, id)
	}
	return &albsdk.MoveResourceGroupResponseBody{RequestId: sp(c.requestID)}, nil
}

// setIpv6Internet serves Enable/DisableLoadBalancerIpv6Internet: the
// Ipv6AddressType of a DualStack instance becomes Internet or Intranet when
// the Configuring transition completes (clients poll the field). As the ALB
// API metadata documents: an IPv4 instance answers 400
// OperationDenied.NonDualStackInstance, asking for the type the instance
// already has 400 OperationDenied.Ipv6InternetInstance (Enable) or
// OperationDenied.Ipv6IntranetInstance (Disable). The answers carry a JobId
// (GUESS: the SDK version the project pins has no model for these
// operations).
func (s *Server) setIpv6Internet(c *call, to, api string) (any, *apiError) {
	lb, e := s.writableLB(c, "LoadBalancerId")
	if e != nil {
		return nil, e
	}
	if lb.ipVersion != "DualStack" {
		return nil, errf(400, "OperationDenied.NonDualStackInstance", "The operation is not allowed because of %s.", "NonDualStackInstance")
	}
	if lb.ipv6Type == to {
		reason := "Ipv6" + to + "Instance"
		return nil, errf(400, "OperationDenied."+reason, "The operation is not allowed because of %s.", reason)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	j := s.update(lb, c, api, func() { lb.ipv6Type = to })
	return &jobResponse{RequestID: c.requestID, JobID: j.id}, nil
}

func (s *Server) opEnableLoadBalancerIpv6Internet(c *call) (any, *apiError) {
	return s.setIpv6Internet(c, "Internet", "EnableLoadBalancerIpv6Internet")
}

func (s *Server) opDisableLoadBalancerIpv6Internet(c *call) (any, *apiError) {
	return s.setIpv6Internet(c, "Intranet", "DisableLoadBalancerIpv6Internet")
}

// jobResponse is {RequestId, JobId} for operations without an SDK model.
type jobResponse struct {
	RequestID string `json:"RequestId"`
	JobID     string `json:"JobId"`
}
