package alb_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
)

// The security policy differential test holds SecurityPolicySpec.Validate
// against the emulator's CreateSecurityPolicy, through the exact SDK
// request albkit sends: with DryRun, then (when the DryRun passes) for
// real, the policy read back (ListSecurityPolicies) and deleted. The
// verdicts agree as in the listener differential test: a valid spec is
// accepted (CreateSecurityPolicy needs no facts but the region's policy
// quota, which the test never reaches), an invalid one refused unless its
// violations are all spPolicyExceptions; what was created reads back into
// a valid spec that diffs empty, and a valid spec diffs empty against its
// policy.

// spPolicyException is a local security-policy rule the emulator does not
// enforce.
type spPolicyException = kindException[alb.SecurityPolicySpec]

var spPolicyExceptions = []spPolicyException{
	{name: alb.RuleTagKeyAlbkitPrefix, rule: alb.RuleTagKeyAlbkitPrefix,
		reason: "albkit's own prefix: a user tag albkit:… could collide with or fake albkit's tags " + alb.TokenTagKey + " and " + alb.SpecTagKey},
	{name: alb.RuleTagKeyUnique, rule: alb.RuleTagKeyUnique,
		reason: "a policy holds one value per tag key; what the service does with a repeated key is not documented, so albkit refuses the ambiguity"},
	{name: alb.RuleTagUTF8, rule: alb.RuleTagUTF8,
		reason: "the SDK sends each invalid UTF-8 byte as U+FFFD: the service never sees the spec's bytes and keeps a tag that never matches it"},
	{name: alb.RuleResourceGroupIDFormat, rule: alb.RuleResourceGroupIDFormat,
		reason: "the emulator does not model resource groups; the service refuses an ID that names none of the account's (NotExist.ResourceGroup, a facts-level answer)"},
	{name: alb.RuleSecurityPolicyValueUnique, rule: alb.RuleSecurityPolicyValueUnique,
		reason: "the emulator (GUESS, as the service) keeps a TLS version or cipher listed twice once; albkit refuses the repeat, which would never read back as written"},
	{name: alb.RuleSecurityPolicyCiphersMax, rule: alb.RuleSecurityPolicyCiphersMax,
		reason: "albkit follows ROS ALIYUN::ALB::SecurityPolicy (at most 20 cipher suites); the SDK and the reference name no maximum, and the emulator sets none"},
	{name: "Chinese characters in the name", rule: alb.RuleSecurityPolicyNameFormat,
		reason:  "GUESS: the reference allows Chinese characters in server group names only (1.1, from the zh docs), and the SDK says \"letters\" of every name; albkit keeps security policy names to A-Z and a-z, the emulator takes the instance's name rule (Chinese characters count as letters)",
		applies: func(s alb.SecurityPolicySpec, fe *alb.FieldError) bool { return validWithHan(s.Name) }},
}

func spExcepted(s alb.SecurityPolicySpec, fe *alb.FieldError) bool {
	return exceptedBy(spPolicyExceptions, s, fe)
}

// spOutcome is what one spec did on each side.
type spOutcome struct {
	spec      alb.SecurityPolicySpec
	local     []*alb.FieldError
	code, msg string // "OK" when created
	policy    *alb.SecurityPolicy
}

func (o spOutcome) String() string {
	return fmt.Sprintf("local: %s\nemulator: %s: %s", fieldErrorsString(o.local), o.code, o.msg)
}

func (w *diffWorld) runSecurityPolicy(t testing.TB, spec alb.SecurityPolicySpec) spOutcome {
	t.Helper()
	o := spOutcome{spec: spec, local: fieldErrors(spec.Validate())}
	token := spec.IdempotencyKey
	if token == "" {
		token = defaultToken
	}
	_, err := w.sdk.CreateSecurityPolicy(spec.CreateRequestForTest(token, true))
	if err == nil {
		t.Fatalf("DryRun CreateSecurityPolicy succeeded without DryRunOperation for %#v", spec)
	}
	if o.code, o.msg = apiCode(t, "CreateSecurityPolicy", err); o.code != "DryRunOperation" {
		return o
	}
	resp, err := w.sdk.CreateSecurityPolicy(spec.CreateRequestForTest(w.token(), false))
	if err != nil {
		o.code, o.msg = apiCode(t, "CreateSecurityPolicy", err)
		t.Fatalf("CreateSecurityPolicy passed its DryRun but failed: %s", o)
	}
	id := tea.StringValue(resp.Body.SecurityPolicyId)
	defer func() {
		if _, err := w.sdk.DeleteSecurityPolicy(alb.DeleteSecurityPolicyRequestForTest(id, "", false)); err != nil {
			t.Fatalf("DeleteSecurityPolicy %s: %v", id, err)
		}
	}()
	r, err := w.sdk.ListSecurityPolicies(&albsdk.ListSecurityPoliciesRequest{SecurityPolicyIds: []*string{tea.String(id)}})
	if err != nil || len(r.Body.SecurityPolicies) != 1 {
		t.Fatalf("ListSecurityPolicies %s: %v", id, err)
	}
	o.code, o.msg = "OK", ""
	o.policy = alb.SecurityPolicyFromSDKForTest(r.Body.SecurityPolicies[0])
	return o
}

func spDisagreement(o spOutcome) string {
	accepted := o.code == "OK"
	if len(o.local) == 0 {
		if accepted {
			return ""
		}
		return "locally valid, but the emulator refuses it"
	}
	if !accepted {
		return ""
	}
	return acceptedButInvalid(o.local, func(fe *alb.FieldError) bool { return spExcepted(o.spec, fe) })
}

func spReadBackProblem(o spOutcome) string {
	if o.code != "OK" {
		return ""
	}
	back := alb.SpecFromSecurityPolicy(o.policy)
	if err := back.Validate(); err != nil {
		for _, fe := range fieldErrors(err) {
			if !spExcepted(back, fe) {
				return fmt.Sprintf("the spec read back is invalid: %v\nread back: %#v", err, back)
			}
		}
		return ""
	}
	if p := alb.DiffSecurityPolicy(back, o.policy); !p.Empty() {
		return "the spec read back does not diff empty:\n" + p.String()
	}
	if len(o.local) == 0 {
		if p := alb.DiffSecurityPolicy(o.spec, o.policy); !p.Empty() {
			return fmt.Sprintf("the policy created from a valid spec does not diff empty:\n%s\npolicy: %+v", p, *o.policy)
		}
	}
	return ""
}

// genDiffSecurityPolicy builds a security policy spec from the chooser:
// with no deviation, a valid policy of one to three TLS versions and
// ciphers they support.
func genDiffSecurityPolicy(c *chooser) alb.SecurityPolicySpec {
	versions := [][]alb.TLSVersion{{alb.TLS12}, {alb.TLS12, alb.TLS13}, {alb.TLS10, alb.TLS11, alb.TLS12}, {alb.TLS13}, {alb.TLS11, alb.TLS12}}[c.any(5)]
	var pool []string
	for _, v := range versions {
		for _, ci := range alb.Ciphers(v) {
			if !slices.Contains(pool, ci) {
				pool = append(pool, ci)
			}
		}
	}
	var ciphers []string
	for range 1 + c.any(4) {
		ci := pool[c.any(len(pool))]
		if !slices.Contains(ciphers, ci) {
			ciphers = append(ciphers, ci)
		}
	}
	s := alb.NewSecurityPolicySpec([]string{"tls-policy-1", "Policy_2.x", "ab", "p" + strings.Repeat("q", 127)}[c.any(4)], versions, ciphers...)
	switch c.pick(6) {
	case 1:
		s.Name = c.oneOf("", "a", "1abc", "-ab", "ab cd", "策略一", "p策略", strings.Repeat("p", 129), "pé", "p策略.x_1", "a\xff")
	case 2:
		s.Name = c.text("tls-policy-1")
	}
	switch c.pick(7) {
	case 1:
		s.TLSVersions = nil
	case 2:
		s.TLSVersions = append(s.TLSVersions, alb.TLSVersion(c.oneOf("TLSv1.4", "tlsv1.2", "SSLv3", "TLSv1", "")))
	case 3:
		s.TLSVersions = append(s.TLSVersions, s.TLSVersions[0])
	case 4:
		s.TLSVersions = []alb.TLSVersion{alb.TLS12} // ciphers of other versions may be left unsupported
	case 5:
		s.TLSVersions = []alb.TLSVersion{alb.TLS10, alb.TLS11, alb.TLS12, alb.TLS13}
	case 6:
		s.TLSVersions = []alb.TLSVersion{alb.TLS13}
	}
	switch c.pick(7) {
	case 1:
		s.Ciphers = nil
	case 2:
		s.Ciphers = append(s.Ciphers, c.oneOf("RC4-MD5", "ecdhe-rsa-aes128-sha", "", "TLS_AES_128_GCM_SHA256", "AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"))
	case 3:
		s.Ciphers = append(s.Ciphers, s.Ciphers[0])
	case 4, 5:
		// Every cipher of every version: 24 distinct suites.
		s.Ciphers = nil
		for _, v := range alb.TLSVersions() {
			for _, ci := range alb.Ciphers(v) {
				if !slices.Contains(s.Ciphers, ci) {
					s.Ciphers = append(s.Ciphers, ci)
				}
			}
		}
		s.Ciphers = s.Ciphers[:[]int{20, 21, 24}[c.any(3)]]
		s.TLSVersions = []alb.TLSVersion{alb.TLS10, alb.TLS12, alb.TLS13}
	case 6:
		s.Ciphers = []string{"TLS_AES_256_GCM_SHA384"}
	}
	s.ResourceGroupID = c.oneOf("", "rg-acfm2abc", "group-1", "rg-", "RG-1")
	for i := range []int{0, 0, 1, 2}[c.any(4)] {
		s.Tags = append(s.Tags, alb.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
	}
	if d := c.pick(5); d != 0 {
		s.Tags = nil
		for i := range []int{1, 3, 18, 19}[d-1] {
			s.Tags = append(s.Tags, alb.Tag{Key: c.tagKey(i, s.Tags), Value: c.tagValue()})
		}
	}
	s.IdempotencyKey = c.idempotencyKey()
	return s
}

// FuzzSecurityPolicyDifferential generates a security policy spec from
// the input bytes and checks that Validate and the emulator agree.
func FuzzSecurityPolicyDifferential(f *testing.F) {
	for _, seed := range [][]byte{{0}, {255}, []byte("\x30 security policy differential seed")} {
		f.Add(seed)
	}
	w := newDiffWorld(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		o := w.runSecurityPolicy(t, genDiffSecurityPolicy(newChooser(data)))
		if d := spDisagreement(o); d != "" {
			t.Fatalf("%s\nspec: %#v\n%s", d, o.spec, o)
		}
		if d := spReadBackProblem(o); d != "" {
			t.Fatalf("%s\nspec: %#v", d, o.spec)
		}
	})
}

// TestSecurityPolicyDifferentialRandom runs a deterministic batch of
// generated security policy specs.
func TestSecurityPolicyDifferentialRandom(t *testing.T) {
	n := 500
	if testing.Short() {
		n = 150
	}
	w := newDiffWorld(t)
	rng := rand.New(rand.NewPCG(19, 1107))
	var accepted, invalid, refusedBoth int
	seen := map[string]bool{}
	for i := range n {
		data := randomCase(rng, 16, 120, 48)
		o := w.runSecurityPolicy(t, genDiffSecurityPolicy(newChooser(data)))
		d := spDisagreement(o)
		if d == "" {
			d = spReadBackProblem(o)
		}
		if d != "" {
			if kind := d + " / " + o.code; !seen[kind] {
				seen[kind] = true
				t.Errorf("input %d: %s\nspec: %#v\n%s\nregression file for testdata/fuzz/FuzzSecurityPolicyDifferential:\ngo test fuzz v1\n[]byte(%q)", i, d, o.spec, o, data)
			}
			if len(seen) >= 10 {
				t.FailNow()
			}
			continue
		}
		switch {
		case len(o.local) == 0:
			accepted++
		case o.code != "OK":
			refusedBoth++
			invalid++
		default:
			invalid++
		}
	}
	t.Logf("%d specs: %d accepted by both, %d locally invalid (%d refused by the emulator too)", n, accepted, invalid, refusedBoth)
	if accepted < n/5 || invalid < n/5 || refusedBoth < n/10 {
		t.Errorf("generator is lopsided: %d accepted, %d locally invalid (%d refused by both) of %d", accepted, invalid, refusedBoth, n)
	}
}

// TestSecurityPolicyExceptionsAreReal shows that each listed exception is
// needed and narrow.
func TestSecurityPolicyExceptionsAreReal(t *testing.T) {
	w := newDiffWorld(t)
	base := alb.NewSecurityPolicySpec("tls-policy-1", []alb.TLSVersion{alb.TLS12}, "ECDHE-RSA-AES128-GCM-SHA256")
	var all []string
	for _, v := range alb.TLSVersions() {
		for _, ci := range alb.Ciphers(v) {
			if !slices.Contains(all, ci) {
				all = append(all, ci)
			}
		}
	}
	named := func(n string) alb.SecurityPolicySpec { s := base; s.Name = n; return s }
	cases := map[string][]alb.SecurityPolicySpec{
		alb.RuleTagKeyAlbkitPrefix:        {base.WithTag("albkit:owner", "x")},
		alb.RuleTagKeyUnique:              {base.WithTag("env", "a").WithTag("env", "b")},
		alb.RuleTagUTF8:                   {base.WithTag("env\xff", "v")},
		alb.RuleResourceGroupIDFormat:     {base.WithResourceGroup("group-1")},
		alb.RuleSecurityPolicyValueUnique: {alb.NewSecurityPolicySpec("tls-policy-1", []alb.TLSVersion{alb.TLS12, alb.TLS12}, "AES128-SHA", "AES128-SHA")},
		alb.RuleSecurityPolicyCiphersMax:  {alb.NewSecurityPolicySpec("tls-policy-1", alb.TLSVersions(), all[:21]...)},
		"Chinese characters in the name":  {named("策略一"), named("tls策略.1")},
	}
	checkExceptionCases(t, spPolicyExceptions, cases, func(spec alb.SecurityPolicySpec) exceptionRun[alb.SecurityPolicySpec] {
		o := w.runSecurityPolicy(t, spec)
		return exceptionRun[alb.SecurityPolicySpec]{spec: spec, local: o.local, code: o.code, readBack: spReadBackProblem(o), outcome: o}
	})
	for name, spec := range map[string]alb.SecurityPolicySpec{
		"a Chinese name starting with a digit": named("1策略"),
		"a Latin-1 letter in the name":         named("pé-1"),
		"a cipher no version supports":         alb.NewSecurityPolicySpec("tls-policy-1", []alb.TLSVersion{alb.TLS12}, "TLS_AES_128_GCM_SHA256"),
	} {
		o := w.runSecurityPolicy(t, spec)
		if len(o.local) == 0 || o.code == "OK" || spDisagreement(o) != "" {
			t.Errorf("%s: %s", name, o)
		}
	}
}

// TestSecurityPolicyDifferentialRegressions pins each side's answer on
// specs the differential test draws.
func TestSecurityPolicyDifferentialRegressions(t *testing.T) {
	w := newDiffWorld(t)
	cases := []struct {
		name string
		spec alb.SecurityPolicySpec
		rule string
		code string
	}{
		{"TLS 1.0 to 1.3 with a suite of each", alb.NewSecurityPolicySpec("all-versions", alb.TLSVersions(), "DES-CBC3-SHA", "AES256-GCM-SHA384", "TLS_CHACHA20_POLY1305_SHA256"), "", "OK"},
		{"a CBC suite with TLS 1.1 alone", alb.NewSecurityPolicySpec("legacy", []alb.TLSVersion{alb.TLS11}, "ECDHE-ECDSA-AES128-SHA"), "", "OK"},
		{"a GCM suite with TLS 1.1 alone", alb.NewSecurityPolicySpec("legacy", []alb.TLSVersion{alb.TLS11}, "AES128-GCM-SHA256"), alb.RuleSecurityPolicyCipherVersion, "InvalidParameter"},
		{"unknown TLS version", alb.NewSecurityPolicySpec("p-1", []alb.TLSVersion{"TLSv1.4"}, "AES128-SHA"), alb.RuleSecurityPolicyTLSVersionEnum, "InvalidParameter"},
		{"unknown cipher", alb.NewSecurityPolicySpec("p-1", []alb.TLSVersion{alb.TLS12}, "RC4-MD5"), alb.RuleSecurityPolicyCipherEnum, "InvalidParameter"},
		{"no cipher", alb.NewSecurityPolicySpec("p-1", []alb.TLSVersion{alb.TLS12}), alb.RuleSecurityPolicyCiphersEmpty, "MissingParameter"},
		{"name starting with a digit", alb.NewSecurityPolicySpec("1p", []alb.TLSVersion{alb.TLS12}, "AES128-SHA"), alb.RuleSecurityPolicyNameFormat, "InvalidParameter"},
		{"19 tags (21 with albkit's)", func() alb.SecurityPolicySpec {
			s := alb.NewSecurityPolicySpec("p-1", []alb.TLSVersion{alb.TLS12}, "AES128-SHA")
			for i := range 19 {
				s = s.WithTag(fmt.Sprintf("k%d", i), "v")
			}
			return s
		}(), alb.RuleTagsMax, "InvalidParameter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := w.runSecurityPolicy(t, c.spec)
			if d := spDisagreement(o); d != "" {
				t.Fatalf("%s\n%s", d, o)
			}
			if d := spReadBackProblem(o); d != "" {
				t.Fatal(d)
			}
			switch {
			case c.rule == "" && len(o.local) > 0:
				t.Errorf("albkit refused it: %s", fieldErrorsString(o.local))
			case c.rule != "" && !hasFieldRule(o.local, c.rule):
				t.Errorf("albkit did not report %s: %s", c.rule, fieldErrorsString(o.local))
			}
			if o.code != c.code {
				t.Errorf("the emulator answered %s", o)
			}
		})
	}
}
