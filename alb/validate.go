package alb

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// ErrInvalidSpec is matched (errors.Is) by every error that validation
// returns (of instance, server group, listener and rule specs, and of
// server lists), and by Client calls refused because the spec is invalid.
var ErrInvalidSpec = errors.New("alb: invalid spec")

// FieldError is one violated rule: where, which rule, and what to do.
type FieldError struct {
	// Field is the path of the offending field, e.g. "ZoneMappings[1].VSwitchID".
	Field string
	// Rule is the stable identifier of the broken rule, one of the Rule*
	// constants (see [Rules]).
	Rule string
	// Message says what is wrong in words a person can act on.
	Message string
}

// Error implements error.
func (e *FieldError) Error() string {
	return e.Field + ": " + e.Message + " [" + e.Rule + "]"
}

// Is makes every FieldError match ErrInvalidSpec.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidSpec }

// ValidationError lists every violation found in a spec at once.
// errors.Is(err, ErrInvalidSpec) holds, and errors.As reaches both the list
// and each *FieldError.
type ValidationError struct {
	Errors []*FieldError // every violation, in field order

	kind string // what was validated: "" (an instance spec) or "server group spec"
}

// Error implements error: one line per violation.
func (e *ValidationError) Error() string {
	var b strings.Builder
	kind := e.kind
	if kind == "" {
		kind = "instance spec"
	}
	fmt.Fprintf(&b, "alb: invalid %s: %d violation(s)", kind, len(e.Errors))
	for _, fe := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(fe.Error())
	}
	return b.String()
}

// Is reports whether target is ErrInvalidSpec.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidSpec }

// Unwrap returns the individual violations.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, fe := range e.Errors {
		errs[i] = fe
	}
	return errs
}

// Has reports whether a violation of rule on field was found.
func (e *ValidationError) Has(field, rule string) bool {
	for _, fe := range e.Errors {
		if fe.Field == field && fe.Rule == rule {
			return true
		}
	}
	return false
}

// Facts are the live facts that the second level of validation needs. A
// later preflight fetches them from the APIs; tests build them by hand.
type Facts struct {
	// SingleZoneRegion says the region has only one zone, so one zone
	// mapping is allowed.
	SingleZoneRegion bool
	// VSwitches by vSwitch ID. Every vSwitch of the spec must be present.
	VSwitches map[string]network.VSwitch
	// EIPs by allocation ID. Every EIP of the spec must be present.
	EIPs map[string]eip.Address
	// WAF is the account's WAF state; nil skips the WAF rule.
	WAF *waf.Facts
}

// ValidateOption adjusts spec-level validation.
type ValidateOption func(*validateConfig)

type validateConfig struct {
	singleZone bool
}

// SingleZoneRegion allows one zone mapping, for regions that have only one zone.
func SingleZoneRegion() ValidateOption {
	return func(c *validateConfig) { c.singleZone = true }
}

// Validate checks every rule that needs only the spec itself and returns
// nil or a *ValidationError listing all violations. No API call is made.
func (s InstanceSpec) Validate(opts ...ValidateOption) error {
	var cfg validateConfig
	for _, o := range opts {
		o(&cfg)
	}
	v := &violations{}
	s.checkSpec(v, cfg.singleZone)
	return v.err()
}

// ValidateFacts checks the spec-level rules and then every rule that needs
// live facts: vSwitch VPC, zone, status, prefix, free addresses and IPv6;
// fixed intranet addresses; EIP eligibility and type consistency; WAF
// edition rules. It is pure: the facts are inputs.
func (s InstanceSpec) ValidateFacts(f Facts) error {
	v := &violations{}
	s.checkSpec(v, f.SingleZoneRegion)
	s.checkFacts(v, f)
	return v.err()
}

type violations struct{ list []*FieldError }

func (v *violations) add(field, rule, format string, args ...any) {
	v.list = append(v.list, &FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (v *violations) err() error {
	return v.errFor(reflect.TypeFor[InstanceSpec](), "")
}

// errFor returns nil or the violations as a *ValidationError of a spec of
// type spec (kind names it in the message, "" for an instance spec),
// sorted in the order spec declares the fields.
func (v *violations) errFor(spec reflect.Type, kind string) error {
	if len(v.list) == 0 {
		return nil
	}
	slices.SortStableFunc(v.list, func(a, b *FieldError) int {
		return slices.Compare(fieldOrder(spec, a.Field), fieldOrder(spec, b.Field))
	})
	return &ValidationError{Errors: v.list, kind: kind}
}

// fieldOrder turns a field path such as "ZoneMappings[1].VSwitchID" into a
// sort key: each name's position among its struct's fields (following the
// types of spec, a struct type) and each list index, so violations sort in
// the order the fields are declared. Unknown names sort last.
func fieldOrder(spec reflect.Type, path string) []int {
	var key []int
	t := spec
	for seg := range strings.SplitSeq(path, ".") {
		name, idx, hasIdx := strings.Cut(seg, "[")
		rank := 1 << 20
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(name); ok && len(f.Index) == 1 {
				rank, t = f.Index[0], f.Type
			} else {
				t = nil
			}
		}
		key = append(key, rank)
		if hasIdx {
			n, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil {
				n = 1 << 20
			}
			key = append(key, n)
			if t != nil && t.Kind() == reflect.Slice {
				t = t.Elem()
			}
		}
	}
	return key
}

// reservedTagPrefix is the tag key prefix albkit keeps for itself.
const reservedTagPrefix = "albkit:"

// maxUserTags is how many tags a spec may carry: ALB takes 20 per instance
// (GUESS from TagResources, see the reference) and albkit adds two
// (TokenTagKey and SpecTagKey).
const maxUserTags = 18

// minZones is the fewest zone mappings of RuleZonesMin: two, or one in a
// region with a single ALB zone (singleZone).
func minZones(singleZone bool) int {
	if singleZone {
		return 1
	}
	return 2
}

func (s InstanceSpec) checkSpec(v *violations, singleZone bool) {
	if err := specValidator().Struct(s); err != nil {
		var ves validator.ValidationErrors
		if errors.As(err, &ves) {
			for _, fe := range ves {
				field := strings.TrimPrefix(fe.Namespace(), "InstanceSpec.")
				rule, msg := describe(field, fe)
				v.add(field, rule, "%s", msg)
			}
		} else {
			v.add("", RuleRequired, "spec could not be validated: %v", err)
		}
	}
	internet := s.AddressType == Internet
	if s.IPv6Internet && s.ipVersion() != DualStack {
		v.add("IPv6Internet", RuleIPv6NeedsDualStack,
			"IPv6 Internet access needs a dual-stack instance (IPVersion %s); an IPv4 instance cannot be upgraded: set IPVersion DualStack for a new instance", DualStack)
	}

	// Zones: count, uniqueness, one vSwitch per zone.
	switch n := len(s.ZoneMappings); {
	case n >= minZones(singleZone):
	case singleZone:
		v.add("ZoneMappings", RuleZonesMin, "no zone mapping given; at least one is required (the region has a single ALB zone)")
	default:
		v.add("ZoneMappings", RuleZonesMin,
			"%d zone mapping(s) given; at least two are required: select vSwitches in at least two zones for high availability (one is allowed only in a region where DescribeZones lists a single ALB zone)", n)
	}
	zones := map[string]int{}
	vsws := map[string]int{}
	eips := map[string]int{}
	var eipTypes []eip.Type
	for i, z := range s.ZoneMappings {
		p := fmt.Sprintf("ZoneMappings[%d]", i)
		if z.ZoneID != "" {
			if j, dup := zones[z.ZoneID]; dup {
				v.add(p+".ZoneID", RuleZoneUnique, "zone %q is already used by ZoneMappings[%d]; each zone may appear once", z.ZoneID, j)
			} else {
				zones[z.ZoneID] = i
			}
		}
		if z.VSwitchID != "" {
			if j, dup := vsws[z.VSwitchID]; dup {
				v.add(p+".VSwitchID", RuleVSwitchUnique, "vSwitch %q is already used by ZoneMappings[%d]; use one vSwitch per zone", z.VSwitchID, j)
			} else {
				vsws[z.VSwitchID] = i
			}
		}
		if z.AllocationID != "" {
			if j, dup := eips[z.AllocationID]; dup {
				v.add(p+".AllocationID", RuleEIPUnique, "EIP %q is already used by ZoneMappings[%d]; each zone needs its own EIP", z.AllocationID, j)
			} else {
				eips[z.AllocationID] = i
			}
		}
		if !internet && s.AddressType.Valid() {
			if z.AllocationID != "" {
				v.add(p+".AllocationID", RuleEIPInternetOnly, "an EIP can be associated only with an Internet-facing instance; remove it or use AddressType Internet")
			}
			if z.EIPType != "" {
				v.add(p+".EIPType", RuleEIPInternetOnly, "an EIP type applies only to an Internet-facing instance")
			}
		}
		if internet && z.EIPType == eip.TypeAnycast && z.AllocationID == "" {
			v.add(p+".EIPType", RuleEIPAnycastNeedsEIP, "ALB assigns a Common (pay-by-data-transfer) EIP to a zone without AllocationID; an Anycast zone needs an existing Anycast EIP (aeip-…) in AllocationID")
		}
		if z.AllocationID != "" && z.EIPType.Valid() && z.EIPType != idType(z.AllocationID) {
			v.add(p+".EIPType", RuleEIPTypeConsistent, "EIPType is %s but EIP %q is %s by its ID (Anycast EIP IDs start with \"aeip-\")", z.EIPType, z.AllocationID, idType(z.AllocationID))
		}
		if t := z.effectiveEIPType(); t.Valid() { // an unknown type is reported on its own
			eipTypes = append(eipTypes, t)
		}
	}
	if internet && len(eipTypes) > 1 {
		if err := eip.CheckConsistentTypes(eipTypes); err != nil {
			v.add("ZoneMappings", RuleEIPTypeConsistent, "the EIP types of all zones of one instance must be the same: %v", err)
		}
	}
	if s.BandwidthPackageID != "" && s.AddressType == Intranet {
		v.add("BandwidthPackageID", RuleBandwidthPackageInternetOnly, "an Internet Shared Bandwidth instance can be associated only with an Internet-facing instance")
	}
	if s.ReadOnly.Reason != "" && !s.ReadOnly.Enabled {
		v.add("ReadOnly.Reason", RuleReadOnlyReasonRequiresMode, "a read-only reason is allowed only when the configuration read-only mode is enabled")
	}
	checkTags(v, s.Tags, "an instance")
	s.AccessLog.check(v, "AccessLog") // accesslog.go
	sgs := map[string]int{}
	for i, id := range s.SecurityGroupIDs {
		if j, dup := sgs[id]; dup {
			v.add(fmt.Sprintf("SecurityGroupIDs[%d]", i), RuleSecurityGroupUnique, "security group %q is already listed at SecurityGroupIDs[%d]", id, j)
		} else {
			sgs[id] = i
		}
	}
}

// checkTags applies the rules on a resource's list of tags that go beyond
// each tag's own (RuleTagsMax, RuleTagKeyUnique); resource names the
// resource for the message ("an instance").
func checkTags(v *violations, tags []Tag, resource string) {
	if len(tags) > maxUserTags {
		v.add("Tags", RuleTagsMax, "%d tags given; at most %d are allowed (%s takes 20 and albkit adds its idempotency and spec-digest tags)", len(tags), maxUserTags, resource)
	}
	keys := map[string]int{}
	for i, t := range tags {
		if t.Key == "" {
			continue
		}
		if j, dup := keys[t.Key]; dup {
			v.add(fmt.Sprintf("Tags[%d].Key", i), RuleTagKeyUnique, "tag key %q is already used by Tags[%d]", t.Key, j)
		} else {
			keys[t.Key] = i
		}
	}
}

func (s InstanceSpec) checkFacts(v *violations, f Facts) {
	dual := s.ipVersion() == DualStack
	internet := s.AddressType == Internet
	var factTypes []eip.Type
	factsSeen, mismatch := false, false
	for i, z := range s.ZoneMappings {
		p := fmt.Sprintf("ZoneMappings[%d]", i)
		if z.VSwitchID != "" {
			vs, ok := f.VSwitches[z.VSwitchID]
			if !ok {
				v.add(p+".VSwitchID", RuleVSwitchExists, "vSwitch %q was not found in the facts (does it exist in this region?)", z.VSwitchID)
			} else {
				var intranet netip.Addr
				if a, err := netip.ParseAddr(z.IntranetAddress); err == nil {
					intranet = a
				}
				for _, err := range network.CheckVSwitch(vs, s.VPCID, z.ZoneID, dual, intranet) {
					field := p + ".VSwitchID"
					var nv *network.Violation
					if errors.As(err, &nv) {
						if nv.Rule == network.RuleIntranetOutsideCIDR || nv.Rule == network.RuleIntranetReserved {
							field = p + ".IntranetAddress"
						}
						v.add(field, nv.Rule, "%s", nv.Message)
					} else {
						v.add(field, RuleVSwitchExists, "%v", err)
					}
				}
			}
		}
		if internet && z.AllocationID == "" {
			factTypes = append(factTypes, z.effectiveEIPType()) // the EIP ALB will assign
		}
		if z.AllocationID != "" && internet {
			a, ok := f.EIPs[z.AllocationID]
			if !ok {
				v.add(p+".AllocationID", RuleEIPExists, "EIP %q was not found in the facts (does it exist in this region?)", z.AllocationID)
				continue
			}
			for _, err := range eip.CheckEligible(a) {
				var ev *eip.Violation
				if errors.As(err, &ev) {
					v.add(p+".AllocationID", ev.Rule, "%s", ev.Message)
				}
			}
			t := a.Type
			if t == "" {
				t = eip.TypeCommon
			}
			if t.Valid() {
				factTypes = append(factTypes, t)
				factsSeen = true
			}
			if z.EIPType != "" && z.EIPType != t {
				mismatch = true
				if z.EIPType == idType(z.AllocationID) { // else the spec level reported it
					v.add(p+".EIPType", RuleEIPTypeConsistent, "EIPType is %s but EIP %q is %s", z.EIPType, z.AllocationID, t)
				}
			}
		}
	}
	if factsSeen && !mismatch && len(factTypes) > 1 {
		if err := eip.CheckConsistentTypes(factTypes); err != nil && s.checkSpecTypesConsistent() {
			v.add("ZoneMappings", RuleEIPTypeConsistent, "the EIPs of one instance must all be of one type: %v", err)
		}
	}
	if s.Edition == EditionStandardWithWAF && f.WAF != nil {
		d := waf.Decide(*f.WAF)
		if !d.Allowed {
			v.add("Edition", waf.RuleWAF2Present, "the WAF-enabled edition cannot be created while a WAF 2.0 instance exists: %s", d.Guidance)
		}
	}
}

// effectiveEIPType is the EIP type a zone of an Internet-facing instance
// ends up with: the declared type, else Anycast for an "aeip-" allocation,
// else Common (an automatically assigned EIP is pay-by-data-transfer Common).
func (z ZoneMapping) effectiveEIPType() eip.Type {
	switch {
	case z.EIPType != "":
		return z.EIPType
	case strings.HasPrefix(z.AllocationID, "aeip-"):
		return eip.TypeAnycast
	}
	return eip.TypeCommon
}

// idType is the EIP type an allocation ID stands for: Anycast for "aeip-…",
// else Common.
func idType(allocationID string) eip.Type {
	if strings.HasPrefix(allocationID, "aeip-") {
		return eip.TypeAnycast
	}
	return eip.TypeCommon
}

// checkSpecTypesConsistent reports whether the spec-level EIP type check
// passed, so that the fact level does not report the same problem twice.
func (s InstanceSpec) checkSpecTypesConsistent() bool {
	var types []eip.Type
	for _, z := range s.ZoneMappings {
		if t := z.effectiveEIPType(); t.Valid() {
			types = append(types, t)
		}
	}
	return eip.CheckConsistentTypes(types) == nil
}

// specValidator builds the go-playground validator once; it is immutable
// afterwards and safe for concurrent use.
var specValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	must := func(err error) {
		if err != nil {
			panic(err) // programming error: a tag registered twice or badly
		}
	}
	must(v.RegisterValidation("alb_startletter", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		for _, r := range s {
			return isNameLetter(r)
		}
		return true
	}))
	must(v.RegisterValidation("alb_namechars", func(fl validator.FieldLevel) bool {
		return validNameChars(fl.Field().String())
	}))
	must(v.RegisterValidation("alb_utf8", func(fl validator.FieldLevel) bool {
		return utf8.ValidString(fl.Field().String())
	}))
	must(v.RegisterValidation("alb_tagprefix", func(fl validator.FieldLevel) bool {
		k := strings.ToLower(fl.Field().String())
		return !strings.HasPrefix(k, "acs:") && !strings.HasPrefix(k, "aliyun")
	}))
	must(v.RegisterValidation("alb_albkitprefix", func(fl validator.FieldLevel) bool {
		return !strings.HasPrefix(strings.ToLower(fl.Field().String()), reservedTagPrefix)
	}))
	must(v.RegisterValidation("alb_nourl", func(fl validator.FieldLevel) bool {
		s := strings.ToLower(fl.Field().String())
		return !strings.Contains(s, "http://") && !strings.Contains(s, "https://")
	}))
	must(v.RegisterValidation("alb_ipv4", func(fl validator.FieldLevel) bool {
		a, err := netip.ParseAddr(fl.Field().String())
		return err == nil && a.Is4()
	}))
	must(v.RegisterValidation("alb_eipid", func(fl validator.FieldLevel) bool {
		return eipIDPattern.MatchString(fl.Field().String())
	}))
	registerServerGroupTags(must, v)
	return v
})

var eipIDPattern = regexp.MustCompile(`^a?eip-[0-9A-Za-z-]+$`)

// isNameLetter reports whether r is a letter in the sense of the API's
// names and reasons: "英文或中文字符" (api-metadata CreateLoadBalancer
// LoadBalancerName and ModificationProtectionConfig.Reason), an English
// letter A–Z, a–z or a Chinese character (Unicode script Han). Other
// letters (é, Ё, λ, kana…) are refused by the service.
func isNameLetter(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || unicode.Is(unicode.Han, r)
}

// validNameChars reports whether s holds only English letters, Chinese
// characters, the digits 0–9, '.', '_' and '-'. Other digits (٣, １) and
// invalid UTF-8 are refused.
func validNameChars(s string) bool {
	for _, r := range s {
		if !(isNameLetter(r) || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// describe maps a go-playground field error to albkit's rule and message.
func describe(field string, fe validator.FieldError) (rule, msg string) {
	generic := indexPattern.ReplaceAllString(field, "")
	val := fmt.Sprintf("%v", fe.Value())
	switch generic + ":" + fe.Tag() {
	case "VPCID:required", "AddressType:required", "Edition:required",
		"ZoneMappings.ZoneID:required", "ZoneMappings.VSwitchID:required":
		return RuleRequired, fmt.Sprintf("%s is required", lastPart(field))
	case "VPCID:startswith":
		return RuleVPCIDFormat, fmt.Sprintf("VPC ID %q must start with \"vpc-\"", val)
	case "ZoneMappings.VSwitchID:startswith":
		return RuleVSwitchIDFormat, fmt.Sprintf("vSwitch ID %q must start with \"vsw-\"", val)
	case "ZoneMappings.AllocationID:alb_eipid":
		return RuleEIPIDFormat, fmt.Sprintf("EIP allocation ID %q must look like \"eip-…\" (or \"aeip-…\" for Anycast)", val)
	case "BandwidthPackageID:startswith":
		return RuleBandwidthPackageIDFormat, fmt.Sprintf("Internet Shared Bandwidth ID %q must start with \"cbwp-\"", val)
	case "ResourceGroupID:startswith":
		return RuleResourceGroupIDFormat, fmt.Sprintf("resource group ID %q must start with \"rg-\"", val)
	case "SecurityGroupIDs:startswith":
		return RuleSecurityGroupIDFormat, fmt.Sprintf("security group ID %q must start with \"sg-\"", val)
	case "AddressType:oneof":
		return RuleAddressTypeEnum, fmt.Sprintf("address type %q must be Internet or Intranet", val)
	case "IPVersion:oneof":
		return RuleIPVersionEnum, fmt.Sprintf("IP version %q must be IPv4 or DualStack", val)
	case "Edition:oneof":
		return RuleEditionEnum, fmt.Sprintf("edition %q must be Basic, Standard or StandardWithWaf", val)
	case "AddressAllocatedMode:oneof":
		return RuleAddressAllocatedModeEnum, fmt.Sprintf("address allocation mode %q must be Fixed or Dynamic", val)
	case "ZoneMappings.EIPType:oneof":
		return RuleEIPTypeEnum, fmt.Sprintf("EIP type %q must be Common or Anycast", val)
	case "ZoneMappings.IntranetAddress:alb_ipv4":
		return RuleIntranetAddressIPv4, fmt.Sprintf("intranet address %q must be an IPv4 address", val)
	case "ZoneMappings:max":
		return RuleZonesMax, fmt.Sprintf("%d zone mappings given; at most 10 are allowed", reflect.ValueOf(fe.Value()).Len())
	case "Billing:eq":
		return RuleBillingPayAsYouGo, fmt.Sprintf("billing method %q is not available: ALB instances are created pay-as-you-go (PostPay) only", val)
	case "Name:min", "Name:max":
		return RuleNameLength, fmt.Sprintf("name %q must be 2 to 128 characters long", val)
	case "Name:alb_startletter":
		return RuleNameStartLetter, fmt.Sprintf("name %q must start with an English letter or a Chinese character", val)
	case "Name:alb_namechars":
		return RuleNameCharset, fmt.Sprintf("name %q may contain only English letters, Chinese characters, digits 0-9, '.', '_' and '-'", val)
	case "ReadOnly.Reason:min", "ReadOnly.Reason:max":
		return RuleReadOnlyReasonLength, fmt.Sprintf("read-only reason %q must be 2 to 128 characters long", val)
	case "ReadOnly.Reason:alb_startletter":
		return RuleReadOnlyReasonStartLetter, fmt.Sprintf("read-only reason %q must start with an English letter or a Chinese character", val)
	case "ReadOnly.Reason:alb_namechars":
		return RuleReadOnlyReasonCharset, fmt.Sprintf("read-only reason %q may contain only English letters, Chinese characters, digits 0-9, '.', '_' and '-'", val)
	case "Tags.Key:required":
		return RuleTagKeyRequired, "tag key must not be empty"
	case "Tags.Key:max":
		return RuleTagKeyLength, fmt.Sprintf("tag key %q is longer than 128 characters", val)
	case "Tags.Value:max":
		return RuleTagValueLength, fmt.Sprintf("tag value %q is longer than 128 characters", val)
	case "Tags.Key:alb_utf8", "Tags.Value:alb_utf8":
		return RuleTagUTF8, fmt.Sprintf("tag %s %q is not valid UTF-8: the SDK would send each invalid byte as U+FFFD", strings.ToLower(lastPart(field)), val)
	case "Tags.Key:alb_tagprefix":
		return RuleTagKeyReservedPrefix, fmt.Sprintf("tag key %q must not start with \"acs:\" or \"aliyun\"", val)
	case "Tags.Key:alb_albkitprefix":
		return RuleTagKeyAlbkitPrefix, fmt.Sprintf("tag key %q must not start with \"albkit:\": albkit keeps that prefix for its own tags", val)
	case "Tags.Value:alb_tagprefix":
		return RuleTagValueReservedPrefix, fmt.Sprintf("tag value %q must not start with \"acs:\" or \"aliyun\"", val)
	case "Tags.Key:alb_nourl", "Tags.Value:alb_nourl":
		return RuleTagNoURL, fmt.Sprintf("tag %s %q must not contain \"http://\" or \"https://\"", strings.ToLower(lastPart(field)), val)
	case "IdempotencyKey:max":
		return RuleIdempotencyKeyLength, fmt.Sprintf("idempotency key is %d characters; at most 64 are allowed", len(val))
	case "IdempotencyKey:printascii":
		return RuleIdempotencyKeyASCII, "idempotency key must contain printable ASCII characters only"
	case "IdempotencyKey:alb_tagprefix", "IdempotencyKey:alb_nourl":
		return RuleIdempotencyKeyTagValue, "idempotency key becomes the value of albkit's tag " + TokenTagKey + ", so it must not start with \"acs:\" or \"aliyun\" nor contain \"http://\" or \"https://\""
	}
	return fe.Tag(), fmt.Sprintf("%s fails the %q check", field, fe.Tag())
}

var indexPattern = regexp.MustCompile(`\[\d+\]`)

func lastPart(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[i+1:]
	}
	return field
}
