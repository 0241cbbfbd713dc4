package alb

import (
	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

	"github.com/albkit/albkit/routing"
)

// Test hooks for the listener, rule and security policy conversions.

func (s ListenerSpec) CreateListenerRequestForTest(token string, dryRun bool) *albsdk.CreateListenerRequest {
	return s.createListenerRequest(token, token, dryRun)
}

func (p *ListenerPlan) UpdateListenerRequestForTest(c ListenerCall, token string, dryRun bool) *albsdk.UpdateListenerAttributeRequest {
	return p.updateRequest(c, token, dryRun)
}

func AssociateCertificatesRequestForTest(id string, certs []string, token string, dryRun bool) *albsdk.AssociateAdditionalCertificatesWithListenerRequest {
	return associateCertificatesRequest(id, certs, token, dryRun)
}

func DissociateCertificatesRequestForTest(id string, certs []string, token string, dryRun bool) *albsdk.DissociateAdditionalCertificatesFromListenerRequest {
	return dissociateCertificatesRequest(id, certs, token, dryRun)
}

func ListenerFromSDKForTest(b *albsdk.GetListenerAttributeResponseBody) *Listener {
	return listenerFromSDK(b)
}

func ListenerFromListSDKForTest(b *albsdk.ListListenersResponseBodyListeners) *Listener {
	return listenerFromListSDK(b)
}

func ListenerCertificateFromSDKForTest(b *albsdk.ListListenerCertificatesResponseBodyCertificates) ListenerCertificate {
	return listenerCertificateFromSDK(b)
}

func RuleFromSDKForTest(b *albsdk.ListRulesResponseBodyRules) Rule { return ruleFromSDK(b) }

func CreateRuleRequestForTest(listenerID string, r RuleSpec, token string, dryRun bool) *albsdk.CreateRuleRequest {
	return createRuleRequest(listenerID, r, token, dryRun)
}

func CreateRulesRequestForTest(listenerID string, rules []RuleSpec, token string, dryRun bool) *albsdk.CreateRulesRequest {
	return createRulesRequest(listenerID, rules, token, dryRun)
}

func UpdateRuleRequestForTest(s RuleStep, token string, dryRun bool) *albsdk.UpdateRuleAttributeRequest {
	return updateRuleRequest(s, token, dryRun)
}

func UpdateRulesRequestForTest(steps []RuleStep, token string, dryRun bool) *albsdk.UpdateRulesAttributeRequest {
	return updateRulesRequest(steps, token, dryRun)
}

func DeleteRuleRequestForTest(id, token string, dryRun bool) *albsdk.DeleteRuleRequest {
	return deleteRuleRequest(id, token, dryRun)
}

func DeleteRulesRequestForTest(ids []string, token string, dryRun bool) *albsdk.DeleteRulesRequest {
	return deleteRulesRequest(ids, token, dryRun)
}

func RuleCallRequestForTest(listenerID string, c ListenerCall, token string, dryRun bool) any {
	return ruleCallRequest(listenerID, c, token, dryRun)
}

// RuleStepComponentForTest is the component a step's rule belongs to.
func RuleStepComponentForTest(s RuleStep) int { return s.comp }

func MayOverlapForTest(a, b []routing.Condition) bool { return newOverlapper().mayOverlap(a, b) }

func (s SecurityPolicySpec) CreateRequestForTest(token string, dryRun bool) *albsdk.CreateSecurityPolicyRequest {
	return s.createRequest(token, token, dryRun)
}

func (p *SecurityPolicyPlan) UpdateRequestForTest(token string, dryRun bool) *albsdk.UpdateSecurityPolicyAttributeRequest {
	return p.updateRequest(token, dryRun)
}

func DeleteSecurityPolicyRequestForTest(id, token string, dryRun bool) *albsdk.DeleteSecurityPolicyRequest {
	return deleteSecurityPolicyRequest(id, token, dryRun)
}

func SecurityPolicyFromSDKForTest(b *albsdk.ListSecurityPoliciesResponseBodySecurityPolicies) *SecurityPolicy {
	return securityPolicyFromSDK(b)
}

func SystemSecurityPolicyFromSDKForTest(b *albsdk.ListSystemSecurityPoliciesResponseBodySecurityPolicies) *SecurityPolicy {
	return systemSecurityPolicyFromSDK(b)
}
