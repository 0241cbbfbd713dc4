package alb_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// The server-group differential test holds ServerGroupSpec.Validate
// against the emulator's checks, through the exact SDK requests albkit
// sends: CreateServerGroup (first with DryRun, then for real), then the
// servers with AddServersToServerGroup in calls of MaxServersPerCall
// (membership is checked only when servers are added). With Immediate
// transitions every write is done when it answers.
//
//   - a spec that Validate accepts is accepted by the emulator, or refused
//     only with a code that needs live facts (sgFactsLevel);
//   - a spec that Validate refuses is refused by the emulator too, unless
//     every violation is one of sgPolicyExceptions;
//   - whatever the emulator accepted reads back (ListServerGroups,
//     ListServerGroupServers) into a spec that Validate accepts and that
//     diffs empty against the group, and a locally valid spec diffs empty
//     against the group created from it.

// sgFactsCodes are the emulator's answers that need live facts.
var sgFactsCodes = map[string]string{
	"ResourceNotFound.Vpc":           "the VPC does not exist",
	"QuotaExceeded.ServerGroupsNum":  "the region's server group quota is used up",
	"ResourceNotFound.Ecs":           "the ECS instance does not exist",
	"ResourceNotFound.Eni":           "the ENI does not exist",
	"ResourceNotFound.Eci":           "the ECI container group does not exist",
	"Mismatch.VpcId":                 "the ECS instance, ENI or container group is in another VPC",
	"InvalidParameter (not its IP)":  "the server IP is not an address of the ECS instance, ENI or container group",
	"NotExist.ResourceGroup":         "the resource group does not exist",
	"IncorrectStatus.ServerGroup":    "(never with Immediate transitions)",
	"ResourceNotFound.BackendServer": "(never: nothing is removed)",
}

func sgFactsLevel(code, msg string) bool {
	if code == "InvalidParameter" {
		return strings.Contains(msg, "is not an address of")
	}
	_, ok := sgFactsCodes[code]
	return ok
}

// sgPolicyException is a local server-group rule the emulator does not
// enforce.
type sgPolicyException = kindException[alb.ServerGroupSpec]

// sgPolicyExceptions lists every local rule allowed to refuse a spec that
// the emulator accepts. All but the last are albkit's policy; the last is
// a disagreement where the reference supports albkit.
var sgPolicyExceptions = []sgPolicyException{
	{name: alb.RuleTagKeyAlbkitPrefix, rule: alb.RuleTagKeyAlbkitPrefix,
		reason: "albkit's own prefix: a user tag albkit:… could collide with or fake albkit's tags " + alb.TokenTagKey + " and " + alb.SpecTagKey},
	{name: alb.RuleTagKeyUnique, rule: alb.RuleTagKeyUnique,
		reason: "a group holds one value per tag key; what the service does with a repeated key is not documented, so albkit refuses the ambiguity"},
	{name: alb.RuleTagUTF8, rule: alb.RuleTagUTF8,
		reason: "the SDK sends each invalid UTF-8 byte as U+FFFD: the service never sees the spec's bytes and keeps a tag that never matches it; albkit refuses what it cannot send as written"},
	{name: alb.RuleResourceGroupIDFormat, rule: alb.RuleResourceGroupIDFormat,
		reason: "the emulator does not model resource groups; the service refuses an ID that names none of the account's (NotExist.ResourceGroup, a facts-level answer)"},
	{name: alb.RuleServerGroupHealthCheckFieldProtocol, rule: alb.RuleServerGroupHealthCheckFieldProtocol,
		reason: "the SDK says these fields take effect only for some protocols; the emulator (as the service, GUESS) drops them: albkit refuses a field that would be silently ignored"},
	{name: "unsent StickySession fields",
		reason: "the SDK says CookieTimeout takes effect only with Insert and Cookie only with Server: albkit sends neither otherwise (nothing at all while session persistence is off) and refuses what it would silently drop (RuleServerGroupStickyFieldType; a range or format violation of such a field is never seen by the service)",
		applies: func(s alb.ServerGroupSpec, fe *alb.FieldError) bool {
			switch fe.Field {
			case "StickySession.CookieTimeoutSeconds":
				return s.StickySession.Type != alb.StickyInsert
			case "StickySession.Cookie":
				return s.StickySession.Type != alb.StickyServer
			}
			return false
		}},
	{name: "unsent ConnectionDrain fields",
		reason: "albkit sends a drain timeout only with draining enabled, and refuses a timeout it would drop (RuleServerGroupDrainTimeoutNeedsEnabled; its range is then never seen by the service)",
		applies: func(s alb.ServerGroupSpec, fe *alb.FieldError) bool {
			return !s.ConnectionDrain.Enabled && fe.Field == "ConnectionDrain.TimeoutSeconds"
		}},
	{name: alb.RuleServerGroupURLHashNeedsSch, rule: alb.RuleServerGroupURLHashNeedsSch,
		reason: "a URL hash is the hash factor of the Sch scheduler (SDK ListServerGroups Scheduler); with another scheduler it does nothing"},
	{name: alb.RuleServerGroupFcUnsupported, rule: alb.RuleServerGroupFcUnsupported,
		reason: "the SDK says VpcId and Scheduler take effect only for Instance and Ip groups, and the Terraform provider refuses a VPC on an Fc group; the emulator ignores both",
		applies: func(_ alb.ServerGroupSpec, fe *alb.FieldError) bool {
			return fe.Field == "VPCID" || fe.Field == "Scheduler"
		}},
	{name: alb.RuleServerFieldType, rule: alb.RuleServerFieldType,
		reason: "the SDK says remote IP takes effect only for Ip servers; the emulator keeps the flag on any server, where it does nothing"},
	{name: "unsent Fc server fields",
		reason: "the SDK says an Fc server needs no port, weight or IP: albkit does not send them and refuses them (RuleServerFieldType; their range or format is then never seen by the service)",
		applies: func(s alb.ServerGroupSpec, fe *alb.FieldError) bool {
			sv, field, ok := serverAt(s, fe.Field)
			return ok && sv.Type == alb.ServerTypeFc && (field == "Port" || field == "Weight" || field == "IP")
		}},
	{name: alb.RuleServerIPAllOrNone, rule: alb.RuleServerIPAllOrNone,
		reason: "an empty server IP means the resource's primary address, which only the service knows: albkit cannot tell whether two such entries name one member, so it asks for an IP on all of them or none (the emulator refuses the pair only when the given IP is the primary one)"},
	{name: alb.RuleServerGroupMembershipEnum, rule: alb.RuleServerGroupMembershipEnum,
		reason: "Membership is albkit's own field: nothing of it is sent"},
	{name: "AbsentServers",
		reason: "AbsentServers is albkit's own field: nothing of it is sent, but its servers are checked as members would be",
		applies: func(_ alb.ServerGroupSpec, fe *alb.FieldError) bool {
			return strings.HasPrefix(fe.Field, "AbsentServers[")
		}},
	{name: "disabled HealthCheck",
		reason: "the fields of a disabled health check are not sent (only HealthCheckEnabled=false is), but albkit checks them so that enabling the check later cannot fail",
		applies: func(s alb.ServerGroupSpec, fe *alb.FieldError) bool {
			return !s.HealthCheck.Enabled && strings.HasPrefix(fe.Field, "HealthCheck.")
		}},
	{name: "HTTP version with a space", rule: alb.RuleServerGroupHealthCheckHTTPVersionEnum,
		reason: "REFERENCE SUPPORTS ALBKIT: the emulator takes \"HTTP 1.0\" and \"HTTP 1.1\" for groups, a spelling the reference allows (GUESS) for health check templates only (ref 1.6); for groups the SDK and ref 2.1 list HTTP1.0 and HTTP1.1",
		applies: func(s alb.ServerGroupSpec, fe *alb.FieldError) bool {
			return s.HealthCheck.HTTPVersion == "HTTP 1.0" || s.HealthCheck.HTTPVersion == "HTTP 1.1"
		}},
}

// serverAt returns the server a field path such as "Servers[3].Port" names,
// and the field of it.
func serverAt(s alb.ServerGroupSpec, field string) (alb.Server, string, bool) {
	rest, ok := strings.CutPrefix(field, "Servers[")
	if !ok {
		return alb.Server{}, "", false
	}
	idx, sub, ok := strings.Cut(rest, "].")
	i, err := strconv.Atoi(idx)
	if !ok || err != nil || i < 0 || i >= len(s.Servers) {
		return alb.Server{}, "", false
	}
	return s.Servers[i], sub, true
}

func sgExcepted(s alb.ServerGroupSpec, fe *alb.FieldError) bool {
	return exceptedBy(sgPolicyExceptions, s, fe)
}

// sgOutcome is what one spec did on each side.
type sgOutcome struct {
	spec      alb.ServerGroupSpec
	local     error
	step      string // the emulator's call that answered code
	code, msg string // "OK" when the emulator took everything
	group     *alb.ServerGroup
	servers   []alb.BackendServer
}

func (o sgOutcome) String() string {
	return fmt.Sprintf("local: %v\nemulator: %s %s: %s", o.local, o.step, o.code, o.msg)
}

// sgEnv is one emulator and its SDK client for a whole run.
type sgEnv struct {
	srv *albtest.Server
	sdk *albsdk.Client
	n   int // creates so far, for unique tokens
}

func newSGEnv(tb testing.TB) *sgEnv {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(64))
	tb.Cleanup(srv.Close)
	return &sgEnv{srv: srv, sdk: srv.ALBClient()}
}

// apiCode returns the code and message of an SDK error.
func apiCode(t testing.TB, action string, err error) (string, string) {
	t.Helper()
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("%s failed outside the API: %T %v", action, err, err)
	}
	return tea.StringValue(se.Code), tea.StringValue(se.Message)
}

// run sends spec to the emulator; keep leaves the group in place (the
// caller deletes it).
func (e *sgEnv) run(t testing.TB, spec alb.ServerGroupSpec, keep bool) sgOutcome {
	t.Helper()
	o := sgOutcome{spec: spec, local: spec.Validate()}
	token := spec.IdempotencyKey
	if token == "" {
		token = defaultToken
	}
	_, err := e.sdk.CreateServerGroup(alb.CreateServerGroupRequestForTest(spec, token, true))
	if err == nil {
		t.Fatalf("DryRun CreateServerGroup succeeded without DryRunOperation for %#v", spec)
	}
	o.step = "CreateServerGroup"
	if o.code, o.msg = apiCode(t, o.step, err); o.code != "DryRunOperation" {
		return o
	}
	e.n++
	resp, err := e.sdk.CreateServerGroup(alb.CreateServerGroupRequestForTest(spec, fmt.Sprintf("sgdiff-%d", e.n), false))
	if err != nil {
		o.code, o.msg = apiCode(t, o.step, err)
		t.Fatalf("CreateServerGroup passed its DryRun but failed: %s", o)
	}
	id := tea.StringValue(resp.Body.ServerGroupId)
	if !keep {
		defer e.delete(t, id)
	}
	o.step = "AddServersToServerGroup"
	for i := 0; i < len(spec.Servers); i += alb.MaxServersPerCall {
		batch := spec.Servers[i:min(i+alb.MaxServersPerCall, len(spec.Servers))]
		if _, err := e.sdk.AddServersToServerGroup(alb.AddServersRequestForTest(id, batch, "", false)); err != nil {
			o.code, o.msg = apiCode(t, o.step, err)
			return o
		}
	}
	o.step, o.code = "", "OK"
	o.group, o.servers = e.read(t, id)
	return o
}

func (e *sgEnv) delete(t testing.TB, id string) {
	t.Helper()
	if _, err := e.sdk.DeleteServerGroup(&albsdk.DeleteServerGroupRequest{ServerGroupId: tea.String(id)}); err != nil {
		t.Fatalf("DeleteServerGroup %s: %v", id, err)
	}
}

// read returns the group and its members as the SDK reports them.
func (e *sgEnv) read(t testing.TB, id string) (*alb.ServerGroup, []alb.BackendServer) {
	t.Helper()
	lr, err := e.sdk.ListServerGroups(&albsdk.ListServerGroupsRequest{ServerGroupIds: []*string{tea.String(id)}})
	if err != nil || len(lr.Body.ServerGroups) != 1 {
		t.Fatalf("ListServerGroups %s: %v", id, err)
	}
	g := alb.ServerGroupFromSDKForTest(lr.Body.ServerGroups[0])
	var servers []alb.BackendServer
	next := ""
	for {
		req := &albsdk.ListServerGroupServersRequest{ServerGroupId: tea.String(id), MaxResults: tea.Int32(100)}
		if next != "" {
			req.NextToken = tea.String(next)
		}
		r, err := e.sdk.ListServerGroupServers(req)
		if err != nil {
			t.Fatalf("ListServerGroupServers %s: %v", id, err)
		}
		for _, s := range r.Body.Servers {
			servers = append(servers, alb.BackendServerFromSDKForTest(s))
		}
		if next = tea.StringValue(r.Body.NextToken); next == "" {
			return g, servers
		}
	}
}

// sgDisagreement returns "" when both sides agree, else what is wrong.
func sgDisagreement(o sgOutcome) string {
	accepted := o.code == "OK"
	if o.local == nil {
		if accepted || sgFactsLevel(o.code, o.msg) {
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
	return acceptedButInvalid(ve.Errors, func(fe *alb.FieldError) bool { return sgExcepted(o.spec, fe) })
}

// readBackProblem checks what the emulator accepted: it reads back into a
// valid spec that diffs empty, and a locally valid spec diffs empty
// against the group made from it.
func readBackProblem(o sgOutcome) string {
	if o.code != "OK" {
		return ""
	}
	back := alb.SpecFromServerGroup(o.group, o.servers)
	var ve *alb.ValidationError
	if err := back.Validate(); errors.As(err, &ve) {
		// What the emulator took against albkit's policy (a resource group
		// it does not model, a repeated tag key…) reads back as it was.
		for _, fe := range ve.Errors {
			if !sgExcepted(back, fe) {
				return fmt.Sprintf("the spec read back is invalid: %v\nread back: %#v", err, back)
			}
		}
		return "" // a spec albkit refuses is not one to converge to
	}
	if p := alb.DiffServerGroup(back, o.group, o.servers); !p.Empty() {
		return "the spec read back does not diff empty:\n" + p.String()
	}
	if o.local == nil {
		if p := alb.DiffServerGroup(o.spec, o.group, o.servers); !p.Empty() {
			return fmt.Sprintf("the group created from a valid spec does not diff empty:\n%s\ngroup: %+v\nservers: %+v", p, *o.group, o.servers)
		}
	}
	return ""
}

// FuzzServerGroupDifferential generates a spec from the input bytes and
// checks that local validation and the emulator agree. The first byte is
// the deviation rate: 0 yields valid specs.
func FuzzServerGroupDifferential(f *testing.F) {
	for _, seed := range [][]byte{{0}, {255}, []byte("\x30 server group differential seed"), []byte("\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f")} {
		f.Add(seed)
	}
	e := newSGEnv(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		o := e.run(t, genSGSpec(newChooser(data)), false)
		if d := sgDisagreement(o); d != "" {
			t.Fatalf("%s\nspec: %#v\n%s", d, o.spec, o)
		}
		if d := readBackProblem(o); d != "" {
			t.Fatalf("%s\nspec: %#v", d, o.spec)
		}
	})
}

// TestServerGroupDifferentialRandom runs a deterministic batch of
// generated specs.
func TestServerGroupDifferentialRandom(t *testing.T) {
	n := 1200
	if testing.Short() {
		n = 300
	}
	e := newSGEnv(t)
	rng := rand.New(rand.NewPCG(18, 2020))
	var accepted, facts, invalid, refusedBoth int
	seen := map[string]bool{}
	for i := range n {
		data := randomCase(rng, 48, 400, 40)
		o := e.run(t, genSGSpec(newChooser(data)), false)
		d := sgDisagreement(o)
		if d == "" {
			d = readBackProblem(o)
		}
		if d != "" {
			kind := d + " / " + o.step + " " + o.code
			if _, rest, ok := strings.Cut(o.msg, "parameter \""); ok {
				kind += " / " + strings.SplitN(rest, "\"", 2)[0]
			}
			if !seen[kind] {
				seen[kind] = true
				t.Errorf("input %d: %s\nspec: %#v\n%s\nregression file for testdata/fuzz/FuzzServerGroupDifferential:\ngo test fuzz v1\n[]byte(%q)", i, d, o.spec, o, data)
			}
			if len(seen) >= 15 {
				t.FailNow()
			}
			continue
		}
		switch {
		case o.local == nil && o.code == "OK":
			accepted++
		case o.local == nil:
			facts++
		case o.code != "OK":
			refusedBoth++
			invalid++
		default:
			invalid++
		}
	}
	t.Logf("%d specs: %d accepted by both, %d locally valid and refused on facts, %d locally invalid (%d refused by the emulator too)", n, accepted, facts, invalid, refusedBoth)
	if accepted < n/5 || invalid < n/5 || facts == 0 || refusedBoth < n/10 {
		t.Errorf("generator is lopsided: %d accepted, %d refused on facts, %d locally invalid (%d refused by both) of %d", accepted, facts, invalid, refusedBoth, n)
	}
}

// TestServerGroupPolicyExceptionsAreReal shows that each listed exception
// is needed and narrow: a spec breaking only that exception's rules is
// refused locally and accepted by the emulator. When the emulator starts
// refusing one, this test says to drop the exception.
func TestServerGroupPolicyExceptionsAreReal(t *testing.T) {
	base := alb.NewServerGroupSpec("web", alb.ServerGroupInstance, albtest.DefaultVPCID).
		WithServers(alb.ECSServer(albtest.ECSInstance1, 80), alb.ECSServer(albtest.ECSInstance2, 80))
	fcBase := alb.NewServerGroupSpec("web-fc", alb.ServerGroupFc, "").WithServers(alb.FcServer(fnARN))
	mod := func(s alb.ServerGroupSpec, m func(*alb.ServerGroupSpec)) alb.ServerGroupSpec { return sg(s, m) }
	cases := map[string][]alb.ServerGroupSpec{
		alb.RuleTagKeyAlbkitPrefix:    {base.WithTag("albkit:owner", "x"), base.WithTag("ALBKIT:x", "")},
		alb.RuleTagKeyUnique:          {base.WithTag("env", "a").WithTag("env", "b")},
		alb.RuleTagUTF8:               {base.WithTag("env\xff", "a"), base.WithTag("env", "v\xfe")},
		alb.RuleResourceGroupIDFormat: {base.WithResourceGroup("group-1")},
		alb.RuleServerGroupHealthCheckFieldProtocol: {
			base.WithHealthCheck(alb.TCPHealthCheck().WithPath("/health").WithMethod("GET").WithCodes("http_2xx").WithHost("a.example.com").WithHTTPVersion("HTTP1.0")),
			base.WithHealthCheck(alb.HealthCheck{Enabled: true, Protocol: alb.HealthCheckGRPC, HTTPVersion: "HTTP1.1", Path: "/grpc.health.v1.Health/Check"}),
		},
		"unsent StickySession fields": {
			mod(base.WithStickyInsert(60), func(s *alb.ServerGroupSpec) { s.StickySession.Cookie = "sid" }),
			mod(base.WithStickyServer("sid"), func(s *alb.ServerGroupSpec) { s.StickySession.CookieTimeoutSeconds = 60 }),
			mod(base, func(s *alb.ServerGroupSpec) {
				s.StickySession.CookieTimeoutSeconds, s.StickySession.Cookie = 86401, "a;b"
			}),
		},
		"unsent ConnectionDrain fields":    {mod(base, func(s *alb.ServerGroupSpec) { s.ConnectionDrain.TimeoutSeconds = 30 }), mod(base, func(s *alb.ServerGroupSpec) { s.ConnectionDrain.TimeoutSeconds = 901 })},
		alb.RuleServerGroupURLHashNeedsSch: {mod(base, func(s *alb.ServerGroupSpec) { s.URLHashParameter = "uid" })},
		alb.RuleServerGroupFcUnsupported:   {mod(fcBase, func(s *alb.ServerGroupSpec) { s.VPCID = albtest.DefaultVPCID }), fcBase.WithScheduler(alb.SchedulerWrr)},
		alb.RuleServerFieldType:            {base.WithServers(alb.ECSServer(albtest.ECSInstance1, 81).WithRemoteIP())},
		"unsent Fc server fields": {
			fcBase.WithServers(alb.Server{Type: alb.ServerTypeFc, ID: fnARN + "2", Port: 80, Weight: 50}),
			fcBase.WithServers(alb.Server{Type: alb.ServerTypeFc, ID: fnARN + "2", Port: 65536, Weight: 101, IP: "10.0.1"}),
		},
		alb.RuleServerIPAllOrNone:         {base.WithServers(alb.ENIServer(albtest.ENI1, "", 80), alb.ENIServer(albtest.ENI1, "10.0.1.21", 80))},
		alb.RuleServerGroupMembershipEnum: {base.WithMembership("Exclusive")},
		"AbsentServers":                   {base.WithAbsentServers(alb.ECSServer(albtest.ECSInstance2, 80)), base.WithAbsentServers(alb.IPServer("10.0.0.1", 0))},
		"disabled HealthCheck":            {mod(base.WithoutHealthCheck(), func(s *alb.ServerGroupSpec) { s.HealthCheck.IntervalSeconds, s.HealthCheck.Path = 99, "x" })},
		"HTTP version with a space":       {base.WithHealthCheck(alb.DefaultHealthCheck().WithHTTPVersion("HTTP 1.1"))},
	}
	e := newSGEnv(t)
	checkExceptionCases(t, sgPolicyExceptions, cases, func(spec alb.ServerGroupSpec) exceptionRun[alb.ServerGroupSpec] {
		o := e.run(t, spec, false)
		var local []*alb.FieldError
		if ve := (*alb.ValidationError)(nil); errors.As(o.local, &ve) {
			local = ve.Errors
		}
		return exceptionRun[alb.ServerGroupSpec]{spec: spec, local: local, code: o.code, readBack: readBackProblem(o), outcome: o}
	})
	// The exceptions are narrow: the same rules elsewhere are refused by
	// both sides.
	for name, spec := range map[string]alb.ServerGroupSpec{
		"an Fc group with a URL hash":       mod(fcBase, func(s *alb.ServerGroupSpec) { s.URLHashParameter = "uid" }),
		"an Fc group with HTTPS":            fcBase.WithProtocol(alb.BackendHTTPS),
		"an Fc group with cross-zone off":   fcBase.WithoutCrossZone(),
		"an unknown HTTP version":           base.WithHealthCheck(alb.DefaultHealthCheck().WithHTTPVersion("HTTP2")),
		"the primary IP of an ENI and none": base.WithServers(alb.ENIServer(albtest.ENI1, "", 80), alb.ENIServer(albtest.ENI1, "10.0.1.20", 80)),
		"a server listed twice":             base.WithServers(alb.ECSServer(albtest.ECSInstance1, 80)),
	} {
		o := e.run(t, spec, false)
		if o.local == nil || o.code == "OK" || sgDisagreement(o) != "" {
			t.Errorf("%s: %s", name, o)
		}
	}
}

// TestServerGroupDifferentialRegressions pins what the differential test
// found or must keep finding, as specs independent of the generator: each
// side's answer is checked, not only their agreement.
func TestServerGroupDifferentialRegressions(t *testing.T) {
	base := alb.NewServerGroupSpec("web", alb.ServerGroupInstance, albtest.DefaultVPCID).WithServers(alb.ECSServer(albtest.ECSInstance1, 80))
	ipBase := alb.NewServerGroupSpec("web-ip", alb.ServerGroupIP, albtest.DefaultVPCID)
	fcBase := alb.NewServerGroupSpec("web-fc", alb.ServerGroupFc, "")
	many := ipBase
	for i := range alb.MaxServersPerGroup + 1 {
		many = many.WithServers(alb.IPServer(fmt.Sprintf("10.1.%d.%d", i/250, 1+i%250), 80))
	}
	tags := base
	for i := range 19 {
		tags = tags.WithTag(fmt.Sprintf("k%d", i), "v")
	}
	cases := []struct {
		name string
		spec alb.ServerGroupSpec
		rule string // the local rule broken, "" when valid
		code string // the emulator's answer ("OK": created, servers added)
	}{
		// Spellings both sides take.
		{"GRPC backend protocol and health check", base.WithProtocol("GRPC").WithHealthCheck(alb.HealthCheck{Enabled: true, Protocol: "GRPC", Codes: []string{"01", "0-5"}}), "", "OK"},
		{"Uch scheduler", base.WithScheduler(alb.SchedulerUch).WithURLHash("uid").WithScheduler(alb.SchedulerUch), "", "OK"},
		{"health check host with capitals (Terraform's acceptance test)", base.WithHealthCheck(alb.DefaultHealthCheck().WithHost("tf-testAcc.com")), "", "OK"},
		{"health check host $SERVER_IP", base.WithHealthCheck(alb.DefaultHealthCheck().WithHost("$SERVER_IP")), "", "OK"},
		{"drain timeout 0", base.WithConnectionDrain(0), "", "OK"},
		{"loopback Ip server", ipBase.WithServers(alb.IPServer("127.0.0.1", 8080)), "", "OK"},
		// Both refuse.
		{"Ip server whose IP is its ID in another spelling", ipBase.WithIPv6().WithServers(alb.Server{Type: alb.ServerTypeIP, ID: "2408:4000:0::1", IP: "2408:4000::1", Port: 80, Weight: 100}),
			alb.RuleServerIPMatchesID, "InvalidParameter"},
		{"ENI without an IP and with its primary IP", base.WithServers(alb.ENIServer(albtest.ENI1, "", 81), alb.ENIServer(albtest.ENI1, "10.0.1.20", 81)),
			alb.RuleServerIPAllOrNone, "DuplicatedParam.Server"},
		{"1001 servers", many, alb.RuleServerGroupServersMax, "QuotaExceeded.ServersNum"},
		{"19 tags (21 with albkit's)", tags, alb.RuleTagsMax, "InvalidParameter"},
		{"Fc group with a URL hash", func() alb.ServerGroupSpec { s := fcBase; s.URLHashParameter = "uid"; return s }(), alb.RuleServerGroupFcUnsupported, "InvalidParameter"},
		{"sticky sessions with cross-zone off", base.WithStickyInsert(0).WithoutCrossZone(), alb.RuleServerGroupStickyNeedsCrossZone, "InvalidParameter"},
		{"slow start with Sch", base.WithScheduler(alb.SchedulerSch).WithSlowStart(30), alb.RuleServerGroupSlowStartNeedsWrr, "InvalidParameter"},
		{"Server sticky without a cookie", base.WithStickyServer(""), alb.RuleServerGroupStickyCookieRequired, "MissingParameter"},
		{"Ip server in an Instance group", base.WithServers(alb.IPServer("10.0.0.1", 80)), alb.RuleServerTypeMatchesGroup, "Mismatch.ServerType"},
		{"IPv6 Ip server in an IPv4 group", ipBase.WithServers(alb.IPServer("2408:4000::1", 80)), alb.RuleServerIPv6NeedsIPv6Group, "InvalidParameter"},
		{"Fc server without an ARN", fcBase.WithServers(alb.FcServer("web")), alb.RuleServerFcARN, "InvalidParameter"},
		// albkit refuses, the emulator takes: policy (see sgPolicyExceptions).
		{"Fc server with an IP (not sent)", fcBase.WithServers(alb.Server{Type: alb.ServerTypeFc, ID: fnARN, IP: "10.0.1"}), alb.RuleServerFieldType, "OK"},
		{"ENI without an IP and with a secondary IP", base.WithServers(alb.ENIServer(albtest.ENI1, "", 81), alb.ENIServer(albtest.ENI1, "10.0.1.21", 81)),
			alb.RuleServerIPAllOrNone, "OK"},
		// The reference supports albkit: the emulator takes a template spelling.
		{"HTTP version with a space", base.WithHealthCheck(alb.DefaultHealthCheck().WithHTTPVersion("HTTP 1.0")), alb.RuleServerGroupHealthCheckHTTPVersionEnum, "OK"},
		// Live facts.
		{"ECS instance of another VPC", base.WithServers(alb.ECSServer(albtest.ECSInstanceOther, 80)), "", "Mismatch.VpcId"},
		{"unknown ECS instance", base.WithServers(alb.ECSServer("i-nope", 80)), "", "ResourceNotFound.Ecs"},
		{"ENI address it does not have", base.WithServers(alb.ENIServer(albtest.ENI1, "10.0.1.99", 80)), "", "InvalidParameter"},
		{"unknown VPC", func() alb.ServerGroupSpec { s := base; s.VPCID = "vpc-nope"; return s }(), "", "ResourceNotFound.Vpc"},
	}
	e := newSGEnv(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := e.run(t, c.spec, false)
			if d := sgDisagreement(o); d != "" {
				t.Fatalf("%s\n%s", d, o)
			}
			if d := readBackProblem(o); d != "" {
				t.Fatal(d)
			}
			var ve *alb.ValidationError
			switch {
			case c.rule == "" && o.local != nil:
				t.Errorf("Validate refused it: %v", o.local)
			case c.rule != "" && (!errors.As(o.local, &ve) || !hasRule(ve, c.rule)):
				t.Errorf("Validate did not report %s: %v", c.rule, o.local)
			}
			if o.code != c.code {
				t.Errorf("the emulator answered %s", o)
			}
		})
	}
}
