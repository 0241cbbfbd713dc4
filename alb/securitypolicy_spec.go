package alb

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// TLSVersion is a TLS protocol version of a security policy (TLSVersions).
type TLSVersion string

// The TLS versions.
const (
	TLS10 TLSVersion = "TLSv1.0"
	TLS11 TLSVersion = "TLSv1.1"
	TLS12 TLSVersion = "TLSv1.2"
	TLS13 TLSVersion = "TLSv1.3"
)

// TLSVersions lists the TLS versions, oldest first.
func TLSVersions() []TLSVersion { return []TLSVersion{TLS10, TLS11, TLS12, TLS13} }

// Ciphers returns the cipher suites a TLS version supports, as the ROS
// resource ALIYUN::ALB::SecurityPolicy documents them: TLS 1.0 and 1.1 the
// seven SHA-1 CBC suites, TLS 1.2 those and the twelve SHA-2 and GCM
// suites, TLS 1.3 its five suites (the authority is the service's
// ListSystemSecurityPolicies). It returns nil for an unknown version.
func Ciphers(v TLSVersion) []string {
	legacy := []string{"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA",
		"AES128-SHA", "AES256-SHA", "DES-CBC3-SHA"}
	switch v {
	case TLS10, TLS11:
		return legacy
	case TLS12:
		return append(legacy, "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA256",
			"ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA256",
			"ECDHE-RSA-AES256-SHA384", "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA256", "AES256-SHA256")
	case TLS13:
		return []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"}
	}
	return nil
}

// MaxCiphersPerPolicy is how many cipher suites a security policy takes
// (ROS ALIYUN::ALB::SecurityPolicy Ciphers).
const MaxCiphersPerPolicy = 20

// SecurityPolicyStatus is a custom security policy's SecurityPolicyStatus.
type SecurityPolicyStatus string

// The statuses of a custom security policy.
const (
	SecurityPolicyConfiguring SecurityPolicyStatus = "Configuring" // a change is being applied
	SecurityPolicyAvailable   SecurityPolicyStatus = "Available"   // ready
)

// SecurityPolicySpec describes a custom TLS security policy, a regional
// resource that HTTPS listeners of Standard and WAF-enabled instances use
// ([ListenerSpec.SecurityPolicyID]): every input of CreateSecurityPolicy.
// Build it with [NewSecurityPolicySpec] and the With methods; check it
// with [SecurityPolicySpec.Validate].
type SecurityPolicySpec struct {
	// Name is required: 2–128 letters, digits, '.', '_' and '-', starting
	// with a letter.
	Name string `json:"name"`
	// TLSVersions are the versions the policy offers (at least one).
	TLSVersions []TLSVersion `json:"tlsVersions"`
	// Ciphers are the cipher suites (1–20), each supported by at least one
	// of TLSVersions.
	Ciphers []string `json:"ciphers"`
	// ResourceGroupID places the policy in a resource group ("rg-…");
	// empty leaves the service's value.
	ResourceGroupID string `json:"resourceGroupId,omitempty"`
	// Tags are the policy's tags, with the instance's rules: at most 18.
	Tags []Tag `json:"tags,omitempty"`
	// IdempotencyKey identifies this logical create across retries and
	// process restarts, with the rules of [InstanceSpec.IdempotencyKey].
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// NewSecurityPolicySpec returns a spec of a policy named name offering
// versions with ciphers.
func NewSecurityPolicySpec(name string, versions []TLSVersion, ciphers ...string) SecurityPolicySpec {
	return SecurityPolicySpec{Name: name, TLSVersions: slices.Clone(versions), Ciphers: slices.Clone(ciphers)}
}

// WithResourceGroup places the policy in a resource group.
func (s SecurityPolicySpec) WithResourceGroup(id string) SecurityPolicySpec {
	s.ResourceGroupID = id
	return s
}

// WithTag appends a tag.
func (s SecurityPolicySpec) WithTag(key, value string) SecurityPolicySpec {
	s.Tags = append(slices.Clone(s.Tags), Tag{Key: key, Value: value})
	return s
}

// WithIdempotencyKey sets the key that makes the create idempotent.
func (s SecurityPolicySpec) WithIdempotencyKey(key string) SecurityPolicySpec {
	s.IdempotencyKey = key
	return s
}

// SecurityPolicy is a TLS security policy as ListSecurityPolicies (custom
// policies) or ListSystemSecurityPolicies (System true) reports it.
type SecurityPolicy struct {
	ID              string               // "scp-…", or "tls_cipher_policy_…" for a system policy
	Name            string               // SecurityPolicyName (empty for a system policy)
	Status          SecurityPolicyStatus // Configuring or Available (empty for a system policy)
	TLSVersions     []TLSVersion         // the versions offered
	Ciphers         []string             // the cipher suites
	ResourceGroupID string               // resource group
	Tags            []Tag                // tags, including albkit's TokenTagKey and SpecTagKey
	CreatedAt       time.Time            // creation time (UTC)
	System          bool                 // a system policy: read-only
}

// Token returns the ClientToken albkit tagged the policy with at creation
// ("" if albkit did not create it).
func (p *SecurityPolicy) Token() string {
	v, _ := tagLookup(p.Tags, TokenTagKey)
	return v
}

// Rule identifiers of custom security policies, reported in
// [FieldError.Rule] by [SecurityPolicySpec.Validate]. A policy also follows
// the instance's rules on tags (RuleTag*), idempotency keys
// (RuleIdempotencyKey*), resource group IDs (RuleResourceGroupIDFormat) and
// RuleRequired; a listener using it follows
// RuleListenerSecurityPolicyEdition.
const (
	RuleSecurityPolicyNameFormat       = "security-policy-name-format"
	RuleSecurityPolicyTLSVersionsEmpty = "security-policy-tls-versions-required"
	RuleSecurityPolicyTLSVersionEnum   = "security-policy-tls-version-enum"
	RuleSecurityPolicyCiphersEmpty     = "security-policy-ciphers-required"
	RuleSecurityPolicyCiphersMax       = "security-policy-ciphers-max"
	RuleSecurityPolicyCipherEnum       = "security-policy-cipher-enum"
	RuleSecurityPolicyCipherVersion    = "security-policy-cipher-version"
	RuleSecurityPolicyValueUnique      = "security-policy-value-unique"
)

const securityPolicyKind = "security policy spec"

var securityPolicyNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]{1,127}$`)

// Validate checks every rule that needs only the spec and returns nil or a
// *ValidationError listing all violations, with field paths such as
// "Ciphers[2]". No API call is made.
func (s SecurityPolicySpec) Validate() error {
	v := &violations{}
	checkTagsAndKey(v, s.Tags, s.IdempotencyKey)
	switch {
	case s.Name == "":
		v.add("Name", RuleRequired, "Name is required")
	case !securityPolicyNamePattern.MatchString(s.Name):
		v.add("Name", RuleSecurityPolicyNameFormat, "name %q must be 2 to 128 letters, digits, '.', '_' and '-', starting with a letter", s.Name)
	}
	if len(s.TLSVersions) == 0 {
		v.add("TLSVersions", RuleSecurityPolicyTLSVersionsEmpty, "at least one TLS version is required: TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3")
	}
	supported := map[string]bool{}
	seenV := map[TLSVersion]int{}
	for i, ver := range s.TLSVersions {
		f := fmt.Sprintf("TLSVersions[%d]", i)
		cs := Ciphers(ver)
		switch j, dup := seenV[ver]; {
		case cs == nil:
			v.add(f, RuleSecurityPolicyTLSVersionEnum, "TLS version %q must be TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3", ver)
		case dup:
			v.add(f, RuleSecurityPolicyValueUnique, "TLS version %s is already listed at TLSVersions[%d]", ver, j)
		default:
			seenV[ver] = i
		}
		for _, c := range cs {
			supported[c] = true
		}
	}
	switch n := len(s.Ciphers); {
	case n == 0:
		v.add("Ciphers", RuleSecurityPolicyCiphersEmpty, "at least one cipher suite is required")
	case n > MaxCiphersPerPolicy:
		v.add("Ciphers", RuleSecurityPolicyCiphersMax, "%d cipher suites given; a policy takes at most %d", n, MaxCiphersPerPolicy)
	}
	known := map[string]bool{}
	for _, ver := range TLSVersions() {
		for _, c := range Ciphers(ver) {
			known[c] = true
		}
	}
	seenC := map[string]int{}
	for i, c := range s.Ciphers {
		f := fmt.Sprintf("Ciphers[%d]", i)
		switch j, dup := seenC[c]; {
		case !known[c]:
			v.add(f, RuleSecurityPolicyCipherEnum, "cipher suite %q is not one ALB offers (see Ciphers)", c)
		case dup:
			v.add(f, RuleSecurityPolicyValueUnique, "cipher suite %s is already listed at Ciphers[%d]", c, j)
		case len(seenV) > 0 && !supported[c]:
			v.add(f, RuleSecurityPolicyCipherVersion, "cipher suite %s is supported by none of the TLS versions %s", c, versionsString(s.TLSVersions))
		}
		if _, dup := seenC[c]; !dup {
			seenC[c] = i
		}
	}
	if s.ResourceGroupID != "" && !strings.HasPrefix(s.ResourceGroupID, "rg-") {
		v.add("ResourceGroupID", RuleResourceGroupIDFormat, "resource group ID %q must start with \"rg-\"", s.ResourceGroupID)
	}
	checkTags(v, s.Tags, "a security policy")
	return v.errFor(reflect.TypeFor[SecurityPolicySpec](), securityPolicyKind)
}

func versionsString(vs []TLSVersion) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}
