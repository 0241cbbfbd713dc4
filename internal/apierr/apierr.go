// Package apierr is the one table of Alibaba Cloud error codes albkit
// knows: which codes mean that a resource is absent, that the caller is not
// authenticated or authorised, that the service is pacing the caller, that a
// retry may succeed, and so on. Every decision albkit makes about an API
// error (retry, wait, "did the create reach the service", errors.Is) reads
// this table through [Classify]; package alb exposes it on *alb.APIError.
//
// Sources are noted per entry: the ALB and VPC API metadata (META), the
// Terraform provider's retry and not-found lists (TF), the gateway's
// documented codes (GW). Codes without a source are marked GUESS.
package apierr

import "strings"

// Kind is a set of classes an error code belongs to.
type Kind uint16

// The classes. A code may belong to several (a throttle is also retryable).
const (
	// NotFound: the resource asked for does not exist.
	NotFound Kind = 1 << iota
	// Auth: authentication or authorisation failed (bad key, bad
	// signature, expired token, no permission). Never retried.
	Auth
	// Throttled: the service asks the caller to slow down.
	Throttled
	// Retryable: the same request may succeed later (throttling, 5xx, busy
	// and in-progress codes).
	Retryable
	// Invalid: the request itself is malformed or breaks a parameter rule.
	Invalid
	// Quota: a quota is exhausted.
	Quota
	// DeletionProtected: refused because deletion protection is on.
	DeletionProtected
	// DryRunPassed: the DryRun checks passed (DryRunOperation).
	DryRunPassed
	// TokenReused: the ClientToken was used before with other parameters.
	TokenReused
	// InstanceNotFound: the load balancer itself does not exist (a
	// subset of NotFound: other NotFound codes name other resources).
	InstanceNotFound
	// ServiceLinkedRoleMissing: the service-linked role the service needs
	// (AliyunServiceRoleForAlb) does not exist.
	ServiceLinkedRoleMissing
	// InUse: the resource cannot be deleted or changed while another one
	// uses it (a server group a listener or rule forwards to).
	InUse
)

// Has reports whether k includes every class of c.
func (k Kind) Has(c Kind) bool { return k&c == c && c != 0 }

// exact maps codes to their classes.
var exact = map[string]Kind{
	// Absent resources.
	"ResourceNotFound.LoadBalancer":      NotFound | InstanceNotFound, // META 404
	"-735":                               NotFound | InstanceNotFound, // TF NotFoundError for ALB
	"InvalidVSwitchId.NotFound":          NotFound,                    // META (VPC) 404
	"InvalidAllocationId.NotFound":       NotFound,                    // META (VPC) 404
	"InvalidBandwidthPackageId.NotFound": NotFound,                    // GUESS (VPC)
	"InvalidVpcId.NotFound":              NotFound,                    // GUESS (VPC)
	"Forbidden.VpcNotFound":              NotFound,                    // META (VPC) 400 "Specified VPC can not found"
	"EntityNotExist.Role":                NotFound,                    // RAM/ResourceManager

	// Authentication and authorisation (GW, META).
	"SignatureDoesNotMatch":         Auth,
	"IncompleteSignature":           Auth,
	"InvalidTimeStamp.Expired":      Auth, // the request's clock is off by more than 15 minutes
	"Forbidden":                     Auth,
	"Forbbiden":                     Auth, // sic, WAF 2.0 403
	"Forbidden.RAM":                 Auth,
	"Forbidden.LoadBalancer":        Auth, // META "Authentication has failed for LoadBalancer"
	"Forbidden.AccessKeyDisabled":   Auth,
	"Forbidden.RegionNotFound":      Invalid, // META (VPC) 404: a region, not a permission
	"Forbidden.ChargeTypeIsPrepaid": 0,       // META (VPC): a refusal about the EIP, not the caller
	"Forbidden.ReleaseSegmentEip":   0,       // META (VPC)

	// Pacing and transient states (TF NeedRetry and retry lists, META).
	"Rejected.Throttling":           Throttled | Retryable,
	"ServiceUnavailable":            Retryable,
	"SystemBusy":                    Retryable,
	"IdempotenceProcessing":         Retryable,
	"IncorrectStatus.LoadBalancer":  Retryable, // META: busy (Provisioning/Configuring)
	"IncorrectStatus.ServerGroup":   Retryable, // TF, ingress controller: the group is not Available (Creating/Configuring)
	"IncorrectStatus.Listener":      Retryable, // TF: the listener is busy
	"IncorrectStatus.Rule":          Retryable, // TF, ingress controller
	"IncorrectStatus.BackendServer": Retryable, // GUESS (seen on GWLB): a server mid-operation
	"VipStatusNotSupport":           Retryable, // TF, ingress controller: the instance's VIP is not ready
	"Conflict.Lock":                 Retryable,
	"LockFailed":                    Retryable,
	"InternalError":                 Retryable,
	"UnknownError":                  Retryable,
	"SignatureNonceUsed":            Retryable, // a retry carries a new nonce
	"-21013":                        Retryable, // TF: "LbStatusNotSupport"
	"-21020":                        Retryable, // TF
	"OperationFailed.ResourceGroupStatusCheckFail":     Retryable, // TF
	"TaskConflict.AssociateGlobalAccelerationInstance": Retryable, // META "Operate too frequent"

	// Refusals with a meaning of their own.
	"OperationDenied.DeletionProtectionEnabled": DeletionProtected,        // META
	"InvalidOperation.DeletionProtection":       DeletionProtected,        // META (VPC)
	"DryRunOperation":                           DryRunPassed,             // META
	"IdempotentParameterMismatch":               TokenReused,              // GUESS (documented for another ALB operation)
	"OperationDenyed.ServiceLinkedRoleNotExist": ServiceLinkedRoleMissing, // META (sic: "Denyed")
}

// prefixes classify families of codes; the first match wins, after exact.
var prefixes = []struct {
	prefix string
	kind   Kind
}{
	{"ResourceNotFound.", NotFound},
	{"ResourceInUse.", InUse}, // TF, ingress controller: ResourceInUse.ServerGroup, .Acl; GUESS for the others
	{"InvalidAccessKeyId", Auth},
	{"InvalidSecurityToken", Auth},
	{"NoPermission", Auth},
	{"Forbidden.", Auth}, // after the exact exceptions above
	{"Throttling", Throttled | Retryable},
	{"ResourceInConfiguring", Retryable},
	{"QuotaExceeded", Quota},
	{"InvalidParameter", Invalid},
	{"MissingParameter", Invalid},
	{"IllegalParam", Invalid},
	{"IellgalParameter", Invalid}, // sic, META (VPC)
}

// Classify returns the classes of an API error from its code and HTTP
// status. Codes take precedence; the status fills in: 5xx is Retryable,
// 401 and 403 are Auth when the code says nothing else. A bare 404 says
// nothing: only codes make an error NotFound.
func Classify(code string, status int) Kind {
	k, ok := exact[code]
	if !ok {
		for _, p := range prefixes {
			if strings.HasPrefix(code, p.prefix) {
				k, ok = p.kind, true
				break
			}
		}
	}
	if !ok {
		switch {
		case status >= 500:
			k = Retryable
		case status == 401 || status == 403:
			k = Auth
		}
	}
	return k
}
