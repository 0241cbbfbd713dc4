package alb_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/eip"
)

// The differential test holds albkit's local validation against the
// emulator's CreateLoadBalancer checks, through the exact SDK request albkit
// sends (the spec's createRequest, with albkit's token tag), with DryRun set
// so the emulator never changes state:
//
//   - a spec that Validate accepts is accepted by the emulator
//     (DryRunOperation) or refused only with a facts-level code: an answer
//     that needs live facts (does this vSwitch exist, is it in that zone,
//     has it addresses, is this EIP eligible…), see factsLevel;
//   - a spec that Validate refuses is refused by the emulator too, unless
//     every violation is one of the listed exceptions (policyExceptions).
//
// Specs are generated from bytes (see genSpec): mostly the valid defaults
// of albtest's default world, with deviations drawn from interesting
// classes (rune classes in names and reasons, 127/128/129-rune strings,
// reserved tag prefixes, URLs, EIPs of every kind, malformed addresses…).

// factsCodes are the emulator's CreateLoadBalancer answers that need live
// facts, so local validation cannot predict them.
var factsCodes = map[string]string{
	"ResourceNotFound.Vpc":                      "the VPC does not exist",
	"ResourceNotFound.VSwitch":                  "the vSwitch does not exist",
	"Mismatch.VpcIdAndVSwitchId":                "the vSwitch is in another VPC",
	"Mismatch.ZoneIdAndVSwitchId":               "the vSwitch is in another zone",
	"ResourceNotEnough.VSwitchIp":               "the vSwitch is too small or full",
	"OperationDenied.VSwitchIpv6NotEnabled":     "IPv6 is not enabled on the vSwitch",
	"QuotaExceeded.LoadBalancersNum":            "the instance quota is used up",
	"OperationDenyed.ServiceLinkedRoleNotExist": "the service-linked role is missing",
	"OperationDenied.WafV2InstanceExist":        "a WAF 2.0 instance exists",
	"ResourceNotFound.CommonBandwidthPackage":   "the bandwidth package does not exist",
	"ResourceNotFound.Eip":                      "the EIP does not exist",
	"IncorrectStatus.Eip":                       "the EIP is in use",
	"OperationDenied.OnlyPostPaidEipSupported":  "the EIP is subscription or pay-by-bandwidth",
	"OperationDenied.EipInBandwidthPackage":     "the EIP is in a bandwidth package",
	"InvalidParameter.IntranetAddress":          "the fixed address is outside the vSwitch CIDR, reserved or in use (see factsLevel)",
}

// factsLevel reports whether an emulator refusal needs live facts.
//
// InvalidParameter.IntranetAddress is facts-level only for a well-formed
// IPv4 address (outside the CIDR block, reserved, in use); a malformed one
// is a spec-level error. OperationDenied.EipTypeInconsistent is deliberately
// not facts-level: in albtest's default world every EIP's type matches its
// ID prefix (eip- Common, aeip- Anycast), which is what local validation
// assumes, so the spec alone decides type consistency here.
func factsLevel(code, msg string) bool {
	if code == "InvalidParameter.IntranetAddress" {
		return !strings.Contains(msg, "not a valid IPv4 address")
	}
	_, ok := factsCodes[code]
	return ok
}

// policyException is a local rule that the emulator (and, as far as the
// reference says, the service) does not enforce, with the reason albkit
// keeps it.
type policyException struct {
	rule, reason string
	// applies narrows the exception to some fields of the rule; nil means
	// every violation of rule.
	applies func(fe *alb.FieldError) bool
}

// policyExceptions lists every local rule allowed to refuse a spec that the
// emulator accepts. Not listed, because the emulator refuses them too:
// RuleTagsMax (19 tags) — albkit's request already carries its token tag,
// so 20 user tags make 21 on the wire, over the service's 20.
var policyExceptions = []policyException{
	{rule: alb.RuleTagKeyAlbkitPrefix, reason: "albkit's own prefix: a user tag albkit:… could collide with or fake albkit's token tag " + alb.TokenTagKey},
	{rule: alb.RuleTagKeyUnique, reason: "an instance holds one value per tag key; what the service does with a repeated key is not documented, so albkit refuses the ambiguity"},
	{rule: alb.RuleTagUTF8, reason: "the SDK sends each invalid UTF-8 byte as U+FFFD: the service never sees the spec's bytes and keeps a tag that never matches it; albkit refuses what it cannot send as written"},
	{rule: alb.RuleReadOnlyReasonRequiresMode, reason: "albkit sends a reason only with ConsoleProtection; the service clears a reason given with NonProtection (api-metadata CreateLoadBalancer ModificationProtectionConfig.Status), so albkit refuses it instead of dropping it silently"},
	{rule: alb.RuleEIPInternetOnly, reason: "an EIP type means nothing on an Intranet instance; what the service does with it is not documented, so albkit refuses it (an AllocationId on Intranet is refused by the emulator too)",
		applies: func(fe *alb.FieldError) bool { return strings.HasSuffix(fe.Field, ".EIPType") }},
	{rule: alb.RuleSecurityGroupIDFormat, reason: "the emulator does not model security groups; the service refuses an ID that names no security group of the account, a facts-level answer"},
	{rule: alb.RuleSecurityGroupUnique, reason: "the emulator does not model security groups; albkit refuses listing one twice (the reference is silent)"},
	{rule: alb.RuleResourceGroupIDFormat, reason: "the emulator does not model resource groups; the service refuses an ID that names no resource group of the account, a facts-level answer"},
}

func excepted(fe *alb.FieldError) bool {
	for _, p := range policyExceptions {
		if p.rule == fe.Rule && (p.applies == nil || p.applies(fe)) {
			return true
		}
	}
	return false
}

// defaultToken is the ClientToken used when the spec has no idempotency
// key, of the form albkit's Client generates.
const defaultToken = "albkit-00000000000000000000000000000000"

// outcome is what one spec did on each side.
type outcome struct {
	local     error  // Validate's answer
	code, msg string // the emulator's error code ("DryRunOperation" when accepted) and message
}

func (o outcome) String() string {
	return fmt.Sprintf("local: %v\nemulator: %s: %s", o.local, o.code, o.msg)
}

// differ runs spec through both sides with one SDK client.
func differ(t testing.TB, sdk *albsdk.Client, spec alb.InstanceSpec) outcome {
	t.Helper()
	o := outcome{local: spec.Validate()}
	token := spec.IdempotencyKey
	if token == "" {
		token = defaultToken
	}
	_, err := sdk.CreateLoadBalancer(alb.CreateRequestForTest(spec, token, true))
	var se *tea.SDKError
	switch {
	case err == nil:
		t.Fatalf("DryRun CreateLoadBalancer succeeded without DryRunOperation for %#v", spec)
	case !errors.As(err, &se):
		t.Fatalf("DryRun CreateLoadBalancer failed outside the API (%T %v) for %#v", err, err, spec)
	}
	o.code, o.msg = tea.StringValue(se.Code), tea.StringValue(se.Message)
	return o
}

// disagreement returns "" when the two sides agree, else what is wrong.
func disagreement(o outcome) string {
	accepted := o.code == "DryRunOperation"
	if o.local == nil {
		if accepted || factsLevel(o.code, o.msg) {
			return ""
		}
		return "locally valid, but the emulator refuses it with a code that needs no live facts"
	}
	if !accepted {
		return ""
	}
	var ve *alb.ValidationError
	if !errors.As(o.local, &ve) {
		return "local validation failed without a *ValidationError"
	}
	return acceptedButInvalid(ve.Errors, func(fe *alb.FieldError) bool { return excepted(fe) })
}

// newDifferentialServer starts one emulator for a whole run. DryRun never
// changes its state, so it is shared by every input.
func newDifferentialServer(tb testing.TB) *albsdk.Client {
	srv := albtest.NewServer(albtest.WithRequestLogLimit(64))
	tb.Cleanup(srv.Close)
	return srv.ALBClient()
}

// FuzzDifferential generates a spec from the input bytes and checks that
// local validation and the emulator agree (see the comment at the top of
// this file). The first byte is the deviation rate: 0 yields the valid
// default spec.
func FuzzDifferential(f *testing.F) {
	for _, seed := range [][]byte{
		{0},
		{255},
		[]byte("\x40 differential seed: mostly defaults with some deviations"),
		[]byte("\xff\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"),
	} {
		f.Add(seed)
	}
	sdk := newDifferentialServer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		spec := genSpec(newChooser(data))
		o := differ(t, sdk, spec)
		if d := disagreement(o); d != "" {
			t.Fatalf("%s\nspec: %#v\n%s", d, spec, o)
		}
	})
}

// TestDifferentialRandom runs a deterministic batch of generated specs, so
// plain `go test` covers far more than the seed corpus.
func TestDifferentialRandom(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 500
	}
	sdk := newDifferentialServer(t)
	rng := rand.New(rand.NewPCG(7, 30))
	var valid, accepted, facts, invalid int
	seen := map[string]bool{}
	for i := range n {
		data := randomCase(rng, 32, 480, 48)
		spec := genSpec(newChooser(data))
		o := differ(t, sdk, spec)
		if d := disagreement(o); d != "" {
			// Report each kind once, with the shortest prefix of the input
			// that still disagrees: a ready regression file.
			if kind := kindOf(d, o); !seen[kind] {
				seen[kind] = true
				data, spec, o = shortest(t, sdk, data, kind)
				t.Errorf("input %d: %s\nspec: %#v\n%s\nregression file for testdata/fuzz/FuzzDifferential:\ngo test fuzz v1\n[]byte(%q)", i, d, spec, o, data)
			}
			if len(seen) >= 20 {
				t.FailNow()
			}
			continue
		}
		switch {
		case o.local != nil:
			invalid++
		case o.code == "DryRunOperation":
			valid++
			accepted++
		default:
			valid++
			facts++
		}
	}
	t.Logf("%d specs: %d locally valid (%d accepted, %d refused on facts), %d locally invalid", n, valid, accepted, facts, invalid)
	// The batch must exercise both directions, or it proves nothing.
	if accepted < n/5 || invalid < n/5 || facts == 0 {
		t.Errorf("generator is lopsided: %d accepted, %d refused on facts, %d locally invalid of %d", accepted, facts, invalid, n)
	}
}

// kindOf names a disagreement for deduplication: what differs, the code,
// and the parameter the emulator names or its fixed message.
func kindOf(d string, o outcome) string {
	kind := d + " / " + o.code
	if _, rest, ok := strings.Cut(o.msg, "parameter \""); ok {
		if param, _, ok := strings.Cut(rest, "\""); ok {
			return kind + " / " + param
		}
	}
	if msg, _, ok := strings.Cut(o.msg, " request id"); ok && !strings.ContainsAny(msg, "0123456789-") {
		kind += " / " + msg // a message without IDs or values tells cases apart
	}
	return kind
}

// shortest returns the shortest prefix of data that disagrees in the same
// way (kind), with its spec and outcome.
func shortest(t testing.TB, sdk *albsdk.Client, data []byte, kind string) ([]byte, alb.InstanceSpec, outcome) {
	for n := 1; ; n++ {
		spec := genSpec(newChooser(data[:n]))
		o := differ(t, sdk, spec)
		if d := disagreement(o); n == len(data) || d != "" && kindOf(d, o) == kind {
			return data[:n], spec, o
		}
	}
}

// TestDifferentialRegressions pins every disagreement the differential
// test found, as specs independent of the generator's byte encoding: each
// side's answer is checked, not only their agreement. The same inputs, in
// the generator's encoding, are in testdata/fuzz/FuzzDifferential.
func TestDifferentialRegressions(t *testing.T) {
	base := func(mods ...func(*alb.InstanceSpec)) alb.InstanceSpec {
		s := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI))
		for _, m := range mods {
			m(&s)
		}
		return s
	}
	cases := []struct {
		name string
		spec alb.InstanceSpec
		rule string // the local rule broken, "" when the spec is valid
		code string // the emulator's answer
	}{
		// Names and reasons are "English or Chinese characters" (api-metadata
		// CreateLoadBalancer LoadBalancerName, ModificationProtectionConfig.Reason).
		{"name with a Latin-1 letter", base().WithName("café-lb"), alb.RuleNameCharset, "InvalidParameter"},
		{"name with Arabic-Indic digits", base().WithName("lb-٣٣"), alb.RuleNameCharset, "InvalidParameter"},
		{"name in Cyrillic", base().WithName("Ёлка"), alb.RuleNameStartLetter, "InvalidParameter"},
		{"name with fullwidth letters", base().WithName("aＡＡ"), alb.RuleNameCharset, "InvalidParameter"},
		{"reason with a Latin-1 letter", base().WithReadOnly("café-lb"), alb.RuleReadOnlyReasonCharset, "InvalidParameter"},
		{"name starting with a Chinese numeral", base().WithName("〇号"), "", "DryRunOperation"},
		{"reason starting with a Chinese numeral", base().WithReadOnly("〇号"), "", "DryRunOperation"},
		// PayType is only PostPay; the request now carries the spec's value.
		{"billing PrePay", base(func(s *alb.InstanceSpec) { s.Billing = "PrePay" }), alb.RuleBillingPayAsYouGo, "InvalidParameter"},
		// At least two zones where the region has two or more.
		{"one zone in a region of four", base(func(s *alb.InstanceSpec) { s.ZoneMappings = s.ZoneMappings[:1] }), alb.RuleZonesMin, "InvalidParameter"},
		// The idempotency key is also the value of albkit's token tag.
		{"idempotency key with a URL", base().WithIdempotencyKey("http://key"), alb.RuleIdempotencyKeyTagValue, "InvalidParameter"},
		{"idempotency key starting with aliyun", base().WithIdempotencyKey("aliyun-key"), alb.RuleIdempotencyKeyTagValue, "InvalidParameter"},
		// Tag values must not start with acs: or aliyun either (api-metadata
		// CreateLoadBalancer Tag.N.Value); both sides accepted it before.
		{"tag value starting with acs:", base().WithTag("owner", "acs:x"), alb.RuleTagValueReservedPrefix, "InvalidParameter"},
		// EIP types: an automatically assigned EIP is Common; aeip- is Anycast.
		{"Anycast type without an EIP", base(func(s *alb.InstanceSpec) {
			s.ZoneMappings[0].EIPType, s.ZoneMappings[1].EIPType = eip.TypeAnycast, eip.TypeAnycast
		}), alb.RuleEIPAnycastNeedsEIP, "OperationDenied.EipTypeInconsistent"},
		{"Common type on an Anycast EIP", base(func(s *alb.InstanceSpec) {
			s.ZoneMappings[0] = s.ZoneMappings[0].WithEIP(albtest.EIPAnycast1).WithEIPType(eip.TypeCommon)
			s.ZoneMappings[1] = s.ZoneMappings[1].WithEIP(albtest.EIPTraffic1).WithEIPType(eip.TypeCommon)
		}), alb.RuleEIPTypeConsistent, "OperationDenied.EipTypeInconsistent"},
	}
	sdk := newDifferentialServer(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := differ(t, sdk, c.spec)
			if d := disagreement(o); d != "" {
				t.Fatalf("%s\n%s", d, o)
			}
			var ve *alb.ValidationError
			switch {
			case c.rule == "" && o.local != nil:
				t.Errorf("Validate refused it: %v", o.local)
			case c.rule != "" && (!errors.As(o.local, &ve) || !hasRule(ve, c.rule)):
				t.Errorf("Validate did not report %s: %v", c.rule, o.local)
			}
			if o.code != c.code {
				t.Errorf("emulator answered %s (%s), want %s", o.code, o.msg, c.code)
			}
		})
	}
}

// TestPolicyExceptionsAreReal shows that each listed exception is needed
// and narrow: a spec breaking only that rule is refused locally and
// accepted by the emulator. When the emulator starts refusing one, this
// test says to drop the exception.
func TestPolicyExceptionsAreReal(t *testing.T) {
	base := alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
		alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI))
	intranet := base
	intranet.AddressType = alb.Intranet
	intranet.ZoneMappings = []alb.ZoneMapping{base.ZoneMappings[0].WithEIPType(eip.TypeCommon), base.ZoneMappings[1]}
	reasonOnly := base
	reasonOnly.ReadOnly.Reason = "freeze"
	cases := map[string]alb.InstanceSpec{
		alb.RuleTagKeyAlbkitPrefix:         base.WithTag("albkit:owner", "x"),
		alb.RuleTagKeyUnique:               base.WithTag("env", "a").WithTag("env", "b"),
		alb.RuleTagUTF8:                    base.WithTag("env\xff", "x"),
		alb.RuleReadOnlyReasonRequiresMode: reasonOnly,
		alb.RuleEIPInternetOnly:            intranet,
		alb.RuleSecurityGroupIDFormat:      base.WithSecurityGroups("group-1"),
		alb.RuleSecurityGroupUnique:        base.WithSecurityGroups("sg-1", "sg-1"),
		alb.RuleResourceGroupIDFormat:      base.WithResourceGroup("group-1"),
	}
	if len(cases) != len(policyExceptions) {
		t.Fatalf("%d cases for %d exceptions", len(cases), len(policyExceptions))
	}
	sdk := newDifferentialServer(t)
	for _, p := range policyExceptions {
		spec, ok := cases[p.rule]
		if !ok {
			t.Errorf("no case for exception %s", p.rule)
			continue
		}
		o := differ(t, sdk, spec)
		var ve *alb.ValidationError
		if !errors.As(o.local, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Rule != p.rule || !excepted(ve.Errors[0]) {
			t.Errorf("%s: want exactly this excepted violation, got %v", p.rule, o.local)
		}
		if o.code != "DryRunOperation" {
			t.Errorf("%s: the emulator refuses it (%s: %s); drop the exception", p.rule, o.code, o.msg)
		}
	}
	// The EIP exception is narrow: an AllocationId on Intranet is refused by both.
	withEIP := intranet
	withEIP.ZoneMappings = []alb.ZoneMapping{base.ZoneMappings[0].WithEIP(albtest.EIPTraffic1), base.ZoneMappings[1]}
	if o := differ(t, sdk, withEIP); o.local == nil || o.code == "DryRunOperation" || disagreement(o) != "" {
		t.Errorf("EIP on Intranet: %s", o)
	}
}

// TestDisagreementClassifier checks the verdicts the differential test
// relies on, on hand-made outcomes.
func TestDisagreementClassifier(t *testing.T) {
	invalid := &alb.ValidationError{Errors: []*alb.FieldError{{Field: "Name", Rule: alb.RuleNameCharset}}}
	excused := &alb.ValidationError{Errors: []*alb.FieldError{{Field: "Tags[0].Key", Rule: alb.RuleTagKeyAlbkitPrefix}}}
	eipTypeOnly := &alb.ValidationError{Errors: []*alb.FieldError{{Field: "ZoneMappings[0].EIPType", Rule: alb.RuleEIPInternetOnly}}}
	eipOnIntranet := &alb.ValidationError{Errors: []*alb.FieldError{{Field: "ZoneMappings[0].AllocationID", Rule: alb.RuleEIPInternetOnly}}}
	for _, c := range []struct {
		o     outcome
		agree bool
	}{
		{outcome{nil, "DryRunOperation", ""}, true},
		{outcome{nil, "ResourceNotFound.VSwitch", ""}, true},
		{outcome{nil, "InvalidParameter.IntranetAddress", "The IntranetAddress 10.0.9.1 is not in the CIDR block 10.0.1.0/24 of vsw-1."}, true},
		{outcome{nil, "InvalidParameter.IntranetAddress", "The IntranetAddress 10.0.1 is not a valid IPv4 address."}, false},
		{outcome{nil, "InvalidParameter", ""}, false},
		{outcome{nil, "OperationDenied.EipTypeInconsistent", ""}, false},
		{outcome{invalid, "InvalidParameter", ""}, true},
		{outcome{invalid, "ResourceNotFound.VSwitch", ""}, true},
		{outcome{invalid, "DryRunOperation", ""}, false},
		{outcome{excused, "DryRunOperation", ""}, true},
		{outcome{eipTypeOnly, "DryRunOperation", ""}, true},
		{outcome{eipOnIntranet, "DryRunOperation", ""}, false},
	} {
		if got := disagreement(c.o) == ""; got != c.agree {
			t.Errorf("agree = %v, want %v for %s", got, c.agree, c.o)
		}
	}
}

func hasRule(ve *alb.ValidationError, rule string) bool {
	for _, fe := range ve.Errors {
		if fe.Rule == rule {
			return true
		}
	}
	return false
}

// chooser turns bytes into decisions. Every decision has a valid default
// (0), taken when the input is exhausted or the decision's byte is not
// below the deviation rate (the first byte).
type chooser struct {
	data []byte
	rate byte
}

func newChooser(data []byte) *chooser {
	c := &chooser{data: data}
	if len(data) > 0 {
		c.rate, c.data = data[0], data[1:]
	}
	return c
}

func (c *chooser) next() (byte, bool) {
	if len(c.data) == 0 {
		return 0, false
	}
	b := c.data[0]
	c.data = c.data[1:]
	return b, true
}

// pick returns 0 (the default) or one of 1..n-1.
func (c *chooser) pick(n int) int {
	if b, ok := c.next(); !ok || b >= c.rate {
		return 0
	}
	b, ok := c.next()
	if !ok {
		return 0
	}
	return 1 + int(b)%(n-1)
}

// any returns one of 0..n-1, default 0, chosen by the next byte alone.
func (c *chooser) any(n int) int {
	b, _ := c.next()
	return int(b) % n
}

// raw returns up to maxLen bytes of the input, as they are.
func (c *chooser) raw(maxLen int) string {
	n := c.any(maxLen + 1)
	if n > len(c.data) {
		n = len(c.data)
	}
	s := string(c.data[:n])
	c.data = c.data[n:]
	return s
}

// oneOf returns def or one of alts.
func (c *chooser) oneOf(def string, alts ...string) string {
	i := c.pick(len(alts) + 1)
	if i == 0 {
		return def
	}
	return alts[i-1]
}

// runeClasses are the kinds of characters names, reasons and tags are made of.
var runeClasses = [][]rune{
	[]rune("aZqM"), // 0 ASCII letters
	[]rune("0918"), // 1 ASCII digits
	[]rune("._-"),  // 2 the allowed punctuation
	[]rune("负载均衡〇々\U00020000⺀"),   // 3 Han, incl. U+3007, U+3005, extension B, a radical
	[]rune("éßñÿ"),                // 4 Latin-1 letters
	[]rune("Ёлка"),                // 5 Cyrillic
	[]rune("λΩ"),                  // 6 Greek
	[]rune("٣１५"),                 // 7 non-ASCII digits: Arabic-Indic, fullwidth, Devanagari
	[]rune("\u0301\u0300"),        // 8 combining marks
	[]rune(" \t\n\u00a0\u3000"),   // 9 whitespace
	[]rune("/:@。·，+"),             // 10 other punctuation
	[]rune("ウ한"),                  // 11 kana, Hangul
	[]rune("Ａｚ"),                  // 12 fullwidth Latin letters
	[]rune("😀\u200d\ufeff\ufffd"), // 13 emoji, ZWJ, BOM, replacement character
	[]rune("\x00\x7f\u0085"),      // 14 control characters
	{-1},                          // 15 an invalid UTF-8 byte
}

func (c *chooser) runeOf(class int) string {
	rs := runeClasses[class]
	r := rs[c.any(len(rs))]
	if r < 0 {
		return "\xff"
	}
	return string(r)
}

// lengths are the rune counts composed texts take.
var lengths = []int{6, 1, 2, 3, 64, 65, 127, 128, 129, 140}

// compose builds a text of a chosen length: a first rune, a body of one
// class, and possibly one odd rune somewhere.
func (c *chooser) compose() string {
	n := lengths[c.any(len(lengths))]
	first := c.runeOf(c.any(len(runeClasses)))
	body := c.any(len(runeClasses))
	var b strings.Builder
	b.WriteString(first)
	for i := 1; i < n; i++ {
		b.WriteString(c.runeOf(body))
	}
	s := b.String()
	if c.any(2) == 1 { // replace one rune by an odd one
		odd := c.runeOf(c.any(len(runeClasses)))
		pos := c.any(n)
		rs := []rune(s)
		if pos < len(rs) {
			s = string(rs[:pos]) + odd + string(rs[pos+1:])
		}
	}
	return s
}

// interesting are fixed texts seen to matter.
var interesting = []string{
	"café-lb", "lb-٣٣", "Ёлка", "负载均衡", "负载均衡-1.a_b", "e\u0301lb", "web 1", "web\t1",
	"1web", "-web", "_web", ".web", "a", "ab", "〇号", "々々", "ウェブ", "한국", "lb１", "Ａlb",
	"web/1", "web:1", "web@1", "x😀", "web\u3000", "\u00a0web", "web\x00", "web\xff",
	strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("负", 128), strings.Repeat("负", 129),
	"a" + strings.Repeat("负", 127), "é" + strings.Repeat("a", 127),
}

// text returns def or a deviation for a name, reason or tag.
func (c *chooser) text(def string) string {
	switch c.pick(5) {
	case 0:
		return def
	case 1:
		return ""
	case 2:
		return c.compose()
	case 3:
		return c.raw(140)
	default:
		return interesting[c.any(len(interesting))]
	}
}

type zonePair struct{ zone, vsw string }

var (
	validPairs = []zonePair{{albtest.ZoneH, albtest.VSwitchH}, {albtest.ZoneI, albtest.VSwitchI}, {albtest.ZoneJ, albtest.VSwitchJ}}
	// octet is the third octet of each default vSwitch's 10.0.x.0/24.
	octet = map[string]int{albtest.VSwitchH: 1, albtest.VSwitchI: 2, albtest.VSwitchJ: 3, albtest.VSwitchKFull: 5}
)

func (c *chooser) zone(i int, prev *alb.ZoneMapping) alb.ZoneMapping {
	p := validPairs[i%len(validPairs)]
	switch c.pick(14) {
	case 1:
		p = zonePair{albtest.ZoneH, albtest.VSwitchI}
	case 2:
		if prev != nil {
			p = zonePair{prev.ZoneID, prev.VSwitchID}
		}
	case 3:
		if prev != nil {
			p.zone = prev.ZoneID
		}
	case 4:
		p.zone = ""
	case 5:
		p.vsw = ""
	case 6:
		p.vsw = strings.TrimPrefix(p.vsw, "v")
	case 7:
		p = zonePair{albtest.ZoneK, albtest.VSwitchKSmall}
	case 8:
		p = zonePair{albtest.ZoneK, albtest.VSwitchKFull}
	case 9:
		p = zonePair{albtest.ZoneH, albtest.VSwitchOther}
	case 10:
		p.vsw = "vsw-nope"
	case 11:
		p.zone = c.raw(24)
	case 12:
		p.zone += " "
	case 13:
		p.vsw = strings.ToUpper(p.vsw)
	}
	z := alb.Zone(p.zone, p.vsw)

	traffic := []string{albtest.EIPTraffic1, albtest.EIPTraffic2, albtest.EIPTraffic3}
	anycast := []string{albtest.EIPAnycast1, albtest.EIPAnycast2}
	switch c.pick(14) {
	case 1, 2:
		z.AllocationID = traffic[i%len(traffic)]
	case 3, 4:
		z.AllocationID = anycast[i%len(anycast)]
	case 5:
		z.AllocationID = albtest.EIPBandwidth
	case 6:
		z.AllocationID = albtest.EIPPrepaid
	case 7:
		z.AllocationID = albtest.EIPShared
	case 8:
		z.AllocationID = albtest.EIPInUse
	case 9:
		z.AllocationID = c.oneOf("eip-nope", "aeip-nope", "eipx", "EIP-1", "eip-", "eip-a b")
	case 10:
		if prev != nil {
			z.AllocationID = prev.AllocationID
		}
	case 11:
		z.AllocationID = c.raw(24)
	}
	z.EIPType = eip.Type(c.oneOf("", string(eip.TypeCommon), string(eip.TypeAnycast), "common", "ANYCAST"))

	o, ok := octet[z.VSwitchID]
	if !ok {
		o = 1
	}
	net := "10.0." + strconv.Itoa(o) + "."
	switch c.pick(12) {
	case 1, 2:
		z.IntranetAddress = net + strconv.Itoa(10+c.any(200))
	case 3:
		z.IntranetAddress = net + "0" // the network address, reserved
	case 4:
		z.IntranetAddress = net + strconv.Itoa(252+c.any(4)) // the last three and the broadcast address
	case 5:
		z.IntranetAddress = "192.168.0.10"
	case 6:
		z.IntranetAddress = c.oneOf("10.0.1", "fd00::1", "::ffff:10.0.1.10", " 10.0.1.10", "010.0.1.10", "10.0.1.256", "10.0.1.10/24")
	case 7:
		z.IntranetAddress = c.raw(20)
	case 8:
		z.IntranetAddress = "10.0.4." + strconv.Itoa(c.any(8))
	}
	return z
}

func (c *chooser) tagKey(i int, prev []alb.Tag) string {
	switch c.pick(8) {
	case 0:
		return "k" + strconv.Itoa(i)
	case 1:
		return c.oneOf("", "acs:x", "ACS:x", "aliyun-x", "AliyunX", "albkit:x", "ALBKIT:x", alb.TokenTagKey, "team-acs:x", "my-aliyun")
	case 2:
		return c.oneOf("see http://x", "HTTPS://x", "http:/x", "https//x", "xhttp://")
	case 3:
		if len(prev) > 0 {
			return prev[c.any(len(prev))].Key
		}
		return "k"
	default:
		return c.text("k" + strconv.Itoa(i))
	}
}

func (c *chooser) tagValue() string {
	switch c.pick(6) {
	case 0:
		return "v"
	case 1:
		return c.oneOf("", "acs:x", "ACS:x", "aliyun", "Aliyun-x", "x-acs:", "x-aliyun")
	case 2:
		return c.oneOf("http://x", "x https://y", "HTTP://X", "http:/x")
	default:
		return c.text("v")
	}
}

func (c *chooser) idempotencyKey() string {
	switch c.pick(6) {
	case 0:
		return ""
	case 1:
		return c.oneOf("key-1", strings.Repeat("k", 64), strings.Repeat("k", 65), strings.Repeat("~", 63)+" ", "a b", "albkit-0123")
	case 2:
		return c.oneOf("clé", "a\nb", "a\x7fb", strings.Repeat("é", 64), "key\xff")
	case 3:
		return c.oneOf("acs:key", "ACS:key", "aliyun-key", "ALIYUNkey", "x-acs:", "x-aliyun")
	case 4:
		return c.oneOf("http://key", "x https://y", "HTTP://KEY", "http:/key")
	default:
		return c.raw(70)
	}
}

// genSpec builds a spec from the chooser; with no deviation it is a valid
// Internet Standard spec in the default world's two IPv6-enabled zones.
func genSpec(c *chooser) alb.InstanceSpec {
	s := alb.InstanceSpec{
		Name:        c.text("web-1"),
		VPCID:       c.oneOf(albtest.DefaultVPCID, albtest.DefaultOtherVPCID, "", "vpc-nope", "VPC-albtest0001", "vpc-", albtest.DefaultVPCID+" "),
		AddressType: alb.AddressType(c.oneOf("Internet", "Intranet", "Intranet", "", "internet", "Public")),
		Edition:     alb.Edition(c.oneOf("Standard", "Basic", "StandardWithWaf", "", "standard", "Premium")),
		IPVersion:   alb.IPVersion(c.oneOf("IPv4", "", "DualStack", "DualStack", "Ipv4", "IPv6")),
	}
	s.AddressAllocatedMode = alb.AddressAllocatedMode(c.oneOf("", "Fixed", "Dynamic", "fixed"))
	nZones := []int{2, 3, 1, 0, 4, 10, 11}[c.pick(7)]
	for i := range nZones {
		var prev *alb.ZoneMapping
		if i > 0 {
			prev = &s.ZoneMappings[i-1]
		}
		s.ZoneMappings = append(s.ZoneMappings, c.zone(i, prev))
	}
	s.BandwidthPackageID = c.oneOf("", albtest.DefaultBandwidthPackageID, "cbwp-nope", "bwp-1")
	s.Billing = alb.BillingMethod(c.oneOf("", string(alb.PayAsYouGo), "PrePay", "postpay"))
	s.DeletionProtection = c.pick(2) == 1
	if c.pick(2) == 1 {
		s.ReadOnly.Enabled = true
		s.ReadOnly.Reason = c.text("freeze-1")
	} else {
		s.ReadOnly.Reason = c.oneOf("", "freeze-1")
	}
	s.ResourceGroupID = c.oneOf("", "rg-acfm2abc", "group-1", "rg-", "RG-1")
	for i := range []int{0, 1, 2, 3}[c.pick(4)] {
		id := c.oneOf("sg-"+strconv.Itoa(i), "", "group-1", "SG-1", "sg-0")
		s.SecurityGroupIDs = append(s.SecurityGroupIDs, id)
	}
	for i := range []int{0, 1, 3, 19, 20, 21, 2}[c.pick(7)] {
		s.Tags = append(s.Tags, alb.Tag{Key: c.tagKey(i, s.Tags), Value: c.tagValue()})
	}
	s.IdempotencyKey = c.idempotencyKey()
	return s
}

// acceptedButInvalid is the problem of a spec the emulator accepted: the
// local violations that no exception explains, or "" when there are none.
func acceptedButInvalid(errs []*alb.FieldError, excepted func(*alb.FieldError) bool) string {
	var strict []string
	for _, fe := range errs {
		if !excepted(fe) {
			strict = append(strict, fe.Field+" "+fe.Rule)
		}
	}
	if len(strict) == 0 {
		return ""
	}
	return "locally invalid (" + strings.Join(strict, ", ") + "), but the emulator accepts it"
}

// kindException is a local rule of specs S that the emulator does not
// enforce (so, as far as the reference says, nor does the service), with
// the reason albkit keeps it.
type kindException[S any] struct {
	name   string // the rule, or what the exception covers
	rule   string // the rule it excuses; "" for any rule on the fields applies selects
	reason string
	// applies narrows the exception; nil means every finding of rule.
	applies func(s S, fe *alb.FieldError) bool
}

// covers reports whether the exception excuses finding fe of spec s.
func (p kindException[S]) covers(s S, fe *alb.FieldError) bool {
	return (p.rule == "" || p.rule == fe.Rule) && (p.applies == nil || p.applies(s, fe))
}

// exceptedBy reports whether one of excs excuses finding fe of spec s.
func exceptedBy[S any](excs []kindException[S], s S, fe *alb.FieldError) bool {
	return slices.ContainsFunc(excs, func(p kindException[S]) bool { return p.covers(s, fe) })
}

// exceptionRun is what one case of an exception did: the spec albkit's
// findings are about, the findings, the emulator's answer ("OK" when it
// took the case), the outcome as text and the read-back problem ("" when
// none).
type exceptionRun[S any] struct {
	spec           S
	local          []*alb.FieldError
	code, readBack string
	outcome        fmt.Stringer
}

// checkExceptionCases runs every exception's cases: albkit refuses each
// with this exception's findings only, the emulator takes it, and what it
// made reads back as it should. Every exception has cases.
func checkExceptionCases[S, C any](t *testing.T, excs []kindException[S], cases map[string][]C, run func(C) exceptionRun[S]) {
	t.Helper()
	if len(cases) != len(excs) {
		t.Fatalf("%d cases for %d exceptions", len(cases), len(excs))
	}
	for _, p := range excs {
		cs, ok := cases[p.name]
		if !ok {
			t.Errorf("no case for exception %s", p.name)
			continue
		}
		for i, c := range cs {
			o := run(c)
			if len(o.local) == 0 {
				t.Errorf("%s case %d: albkit accepts it", p.name, i)
			}
			for _, fe := range o.local {
				if !p.covers(o.spec, fe) {
					t.Errorf("%s case %d: finding %s %s is not this exception's", p.name, i, fe.Field, fe.Rule)
				}
			}
			if o.code != "OK" {
				t.Errorf("%s case %d: the emulator refuses it (%s): drop the exception", p.name, i, o.outcome)
			}
			if o.readBack != "" {
				t.Errorf("%s case %d: %s", p.name, i, o.readBack)
			}
		}
	}
}

// randomCase is the chooser input of one generated case: min to
// min+spread-1 random bytes, the first a deviation rate below dev (mostly
// low, so that many generated specs are valid).
func randomCase(rng *rand.Rand, min, spread, dev int) []byte {
	data := make([]byte, min+rng.IntN(spread))
	for j := range data {
		data[j] = byte(rng.Uint32())
	}
	data[0] = byte(rng.IntN(dev))
	return data
}
