package alb_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
)

const fnARN = "acs:fc:cn-hangzhou:123456789:functions/web"

// sgBase is a valid Instance group with two ECS servers.
func sgBase() alb.ServerGroupSpec {
	return alb.NewServerGroupSpec("web", alb.ServerGroupInstance, vpc).
		WithServers(alb.ECSServer("i-1", 80), alb.ECSServer("i-2", 80))
}

// sgIP is a valid Ip group with two servers.
func sgIP() alb.ServerGroupSpec {
	return alb.NewServerGroupSpec("web-ip", alb.ServerGroupIP, vpc).
		WithServers(alb.IPServer("10.0.1.10", 8080), alb.IPServer("10.0.1.11", 8080))
}

// sgFc is a valid Fc group with one function.
func sgFc() alb.ServerGroupSpec {
	return alb.NewServerGroupSpec("web-fc", alb.ServerGroupFc, "").WithServers(alb.FcServer(fnARN))
}

// sg returns base changed by mods.
func sg(base alb.ServerGroupSpec, mods ...func(*alb.ServerGroupSpec)) alb.ServerGroupSpec {
	s := base
	s.Servers = slices.Clone(base.Servers)
	s.AbsentServers = slices.Clone(base.AbsentServers)
	for _, m := range mods {
		m(&s)
	}
	return s
}

// hc returns sgBase with a health check changed by m.
func hc(m func(*alb.HealthCheck)) alb.ServerGroupSpec {
	return sg(sgBase(), func(s *alb.ServerGroupSpec) { m(&s.HealthCheck) })
}

// sgCase is one spec that breaks one rule (plus the violations in also,
// which the same input necessarily breaks).
type sgCase struct {
	name  string
	spec  alb.ServerGroupSpec
	field string
	rule  string
	also  []fieldRule
}

func sgInvalidCases() []sgCase {
	long := strings.Repeat("a", 129)
	return []sgCase{
		// Shared with instances: required, names, IDs, tags, idempotency key.
		{"no name", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Name = "" }), "Name", alb.RuleRequired, nil},
		{"no VPC on an Instance group", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.VPCID = "" }), "VPCID", alb.RuleRequired, nil},
		{"no VPC on an Ip group", sg(sgIP(), func(s *alb.ServerGroupSpec) { s.VPCID = "" }), "VPCID", alb.RuleRequired, nil},
		{"server without type", sgBase().WithServers(alb.Server{ID: "i-3", Port: 80}), "Servers[2].Type", alb.RuleRequired, nil},
		{"server without ID", sgBase().WithServers(alb.ECSServer("", 80)), "Servers[2].ID", alb.RuleRequired, nil},
		{"name too short", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Name = "w" }), "Name", alb.RuleNameLength, nil},
		{"name too long", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Name = long }), "Name", alb.RuleNameLength, nil},
		{"name starting with a digit", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Name = "1web" }), "Name", alb.RuleNameStartLetter, nil},
		{"name with a space", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Name = "web 1" }), "Name", alb.RuleNameCharset, nil},
		{"VPC ID format", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.VPCID = "vsw-1" }), "VPCID", alb.RuleVPCIDFormat, nil},
		{"resource group ID format", sgBase().WithResourceGroup("group-1"), "ResourceGroupID", alb.RuleResourceGroupIDFormat, nil},
		{"19 tags", sg(sgBase(), func(s *alb.ServerGroupSpec) {
			for i := range 19 {
				s.Tags = append(s.Tags, alb.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
			}
		}), "Tags", alb.RuleTagsMax, nil},
		{"empty tag key", sgBase().WithTag("", "v"), "Tags[0].Key", alb.RuleTagKeyRequired, nil},
		{"tag key too long", sgBase().WithTag(long, "v"), "Tags[0].Key", alb.RuleTagKeyLength, nil},
		{"tag value too long", sgBase().WithTag("k", long), "Tags[0].Value", alb.RuleTagValueLength, nil},
		{"tag key acs:", sgBase().WithTag("acs:x", "v"), "Tags[0].Key", alb.RuleTagKeyReservedPrefix, nil},
		{"tag key albkit:", sgBase().WithTag("albkit:owner", "v"), "Tags[0].Key", alb.RuleTagKeyAlbkitPrefix, nil},
		{"tag value aliyun", sgBase().WithTag("k", "aliyun-x"), "Tags[0].Value", alb.RuleTagValueReservedPrefix, nil},
		{"tag with a URL", sgBase().WithTag("k", "see https://x"), "Tags[0].Value", alb.RuleTagNoURL, nil},
		{"tag key twice", sgBase().WithTag("env", "a").WithTag("env", "b"), "Tags[1].Key", alb.RuleTagKeyUnique, nil},
		{"tag key not UTF-8", sgBase().WithTag("env\xff", "a"), "Tags[0].Key", alb.RuleTagUTF8, nil},
		{"idempotency key not ASCII", sgBase().WithIdempotencyKey("clé"), "IdempotencyKey", alb.RuleIdempotencyKeyASCII, nil},
		{"idempotency key too long", sgBase().WithIdempotencyKey(strings.Repeat("k", 65)), "IdempotencyKey", alb.RuleIdempotencyKeyLength, nil},
		{"idempotency key with acs:", sgBase().WithIdempotencyKey("acs:key"), "IdempotencyKey", alb.RuleIdempotencyKeyTagValue, nil},

		// Enums.
		{"type", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Type = "Ecs" }), "Type", alb.RuleServerGroupTypeEnum, nil},
		{"protocol", sgBase().WithProtocol("HTTP2"), "Protocol", alb.RuleServerGroupProtocolEnum, nil},
		{"scheduler", sgBase().WithScheduler("RoundRobin"), "Scheduler", alb.RuleServerGroupSchedulerEnum, nil},
		{"IP version affinity", sgBase().WithIPVersionAffinity("Sticky"), "IPVersionAffinity", alb.RuleServerGroupIPVersionAffinityEnum, nil},
		{"membership", sgBase().WithMembership("Exclusive"), "Membership", alb.RuleServerGroupMembershipEnum, nil},
		{"server type", sgBase().WithServers(alb.Server{Type: "Vm", ID: "i-3", Port: 80}), "Servers[2].Type", alb.RuleServerTypeEnum, nil},

		// URL hash.
		{"URL hash parameter not ASCII", sgBase().WithURLHash("clé"), "URLHashParameter", alb.RuleServerGroupURLHashFormat, nil},
		{"URL hash parameter too long", sgBase().WithURLHash(strings.Repeat("q", 101)), "URLHashParameter", alb.RuleServerGroupURLHashFormat, nil},
		{"URL hash with Wrr", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.URLHashParameter = "uid" }), "URLHashParameter", alb.RuleServerGroupURLHashNeedsSch, nil},

		// Health check.
		{"health check protocol", hc(func(h *alb.HealthCheck) { h.Protocol = "UDP" }), "HealthCheck.Protocol", alb.RuleServerGroupHealthCheckProtocolEnum, nil},
		{"health check port", hc(func(h *alb.HealthCheck) { h.Port = 65536 }), "HealthCheck.Port", alb.RuleServerGroupHealthCheckPort, nil},
		{"health check port negative", hc(func(h *alb.HealthCheck) { h.Port = -1 }), "HealthCheck.Port", alb.RuleServerGroupHealthCheckPort, nil},
		{"health check host without a dot", hc(func(h *alb.HealthCheck) { h.Host = "localhost" }), "HealthCheck.Host", alb.RuleServerGroupHealthCheckHost, nil},
		{"health check host with a digit TLD", hc(func(h *alb.HealthCheck) { h.Host = "www.example.c0m" }), "HealthCheck.Host", alb.RuleServerGroupHealthCheckHost, nil},
		{"health check host starting with a dash", hc(func(h *alb.HealthCheck) { h.Host = "-www.example.com" }), "HealthCheck.Host", alb.RuleServerGroupHealthCheckHost, nil},
		{"health check host with an underscore", hc(func(h *alb.HealthCheck) { h.Host = "a_b.example.com" }), "HealthCheck.Host", alb.RuleServerGroupHealthCheckHost, nil},
		{"health check path without a slash", hc(func(h *alb.HealthCheck) { h.Path = "health" }), "HealthCheck.Path", alb.RuleServerGroupHealthCheckPath, nil},
		{"health check path with a space", hc(func(h *alb.HealthCheck) { h.Path = "/a b" }), "HealthCheck.Path", alb.RuleServerGroupHealthCheckPath, nil},
		{"health check path too long", hc(func(h *alb.HealthCheck) { h.Path = "/" + strings.Repeat("a", 80) }), "HealthCheck.Path", alb.RuleServerGroupHealthCheckPath, nil},
		{"health check method", hc(func(h *alb.HealthCheck) { h.Method = "PUT" }), "HealthCheck.Method", alb.RuleServerGroupHealthCheckMethodEnum, nil},
		{"health check HTTP version", hc(func(h *alb.HealthCheck) { h.HTTPVersion = "HTTP2" }), "HealthCheck.HTTPVersion", alb.RuleServerGroupHealthCheckHTTPVersionEnum, nil},
		{"health check HTTP version with a space", hc(func(h *alb.HealthCheck) { h.HTTPVersion = "HTTP 1.1" }), "HealthCheck.HTTPVersion", alb.RuleServerGroupHealthCheckHTTPVersionEnum, nil},
		{"21 health check codes", hc(func(h *alb.HealthCheck) {
			for range 21 {
				h.Codes = append(h.Codes, "http_2xx")
			}
		}), "HealthCheck.Codes", alb.RuleServerGroupHealthCheckCodesMax, nil},
		{"HTTP code for gRPC", hc(func(h *alb.HealthCheck) { h.Protocol, h.Codes = alb.HealthCheckGRPC, []string{"0", "http_2xx"} }), "HealthCheck.Codes[1]", alb.RuleServerGroupHealthCheckCodeFormat, nil},
		{"gRPC code for HTTP", hc(func(h *alb.HealthCheck) { h.Codes = []string{"12"} }), "HealthCheck.Codes[0]", alb.RuleServerGroupHealthCheckCodeFormat, nil},
		{"HTTP code in capitals", hc(func(h *alb.HealthCheck) { h.Codes = []string{"HTTP_2XX"} }), "HealthCheck.Codes[0]", alb.RuleServerGroupHealthCheckCodeFormat, nil},
		{"gRPC code 100", hc(func(h *alb.HealthCheck) { h.Protocol, h.Codes = alb.HealthCheckGRPC, []string{"100"} }), "HealthCheck.Codes[0]", alb.RuleServerGroupHealthCheckCodeFormat, nil},
		{"gRPC range backwards", hc(func(h *alb.HealthCheck) { h.Protocol, h.Codes = alb.HealthCheckGRPC, []string{"5-1"} }), "HealthCheck.Codes[0]", alb.RuleServerGroupHealthCheckCodeFormat, nil},
		{"health check interval", hc(func(h *alb.HealthCheck) { h.IntervalSeconds = 51 }), "HealthCheck.IntervalSeconds", alb.RuleServerGroupHealthCheckInterval, nil},
		{"health check timeout", hc(func(h *alb.HealthCheck) { h.TimeoutSeconds = 301 }), "HealthCheck.TimeoutSeconds", alb.RuleServerGroupHealthCheckTimeout, nil},
		{"healthy threshold", hc(func(h *alb.HealthCheck) { h.HealthyThreshold = 1 }), "HealthCheck.HealthyThreshold", alb.RuleServerGroupHealthCheckThreshold, nil},
		{"unhealthy threshold", hc(func(h *alb.HealthCheck) { h.UnhealthyThreshold = 11 }), "HealthCheck.UnhealthyThreshold", alb.RuleServerGroupHealthCheckThreshold, nil},
		{"TCP check with a path", hc(func(h *alb.HealthCheck) { h.Protocol, h.Path = alb.HealthCheckTCP, "/health" }), "HealthCheck.Path", alb.RuleServerGroupHealthCheckFieldProtocol, nil},
		{"TCP check with a method", hc(func(h *alb.HealthCheck) { h.Protocol, h.Method = alb.HealthCheckTCP, "GET" }), "HealthCheck.Method", alb.RuleServerGroupHealthCheckFieldProtocol, nil},
		{"TCP check with codes", hc(func(h *alb.HealthCheck) { h.Protocol, h.Codes = alb.HealthCheckTCP, []string{"http_2xx"} }), "HealthCheck.Codes", alb.RuleServerGroupHealthCheckFieldProtocol, nil},
		{"TCP check with a host", hc(func(h *alb.HealthCheck) { h.Protocol, h.Host = alb.HealthCheckTCP, "a.example.com" }), "HealthCheck.Host", alb.RuleServerGroupHealthCheckFieldProtocol, nil},
		{"gRPC check with an HTTP version", hc(func(h *alb.HealthCheck) { h.Protocol, h.HTTPVersion = alb.HealthCheckGRPC, "HTTP1.1" }), "HealthCheck.HTTPVersion", alb.RuleServerGroupHealthCheckFieldProtocol, nil},

		// Session persistence.
		{"sticky type", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.StickySession.Type = "Cookie" }), "StickySession.Type", alb.RuleServerGroupStickyTypeEnum, nil},
		{"cookie timeout", sgBase().WithStickyInsert(86401), "StickySession.CookieTimeoutSeconds", alb.RuleServerGroupStickyCookieTimeout, nil},
		{"cookie with a semicolon", sgBase().WithStickyServer("a;b"), "StickySession.Cookie", alb.RuleServerGroupStickyCookieFormat, nil},
		{"cookie starting with $", sgBase().WithStickyServer("$sid"), "StickySession.Cookie", alb.RuleServerGroupStickyCookieFormat, nil},
		{"cookie too long", sgBase().WithStickyServer(strings.Repeat("c", 201)), "StickySession.Cookie", alb.RuleServerGroupStickyCookieFormat, nil},
		{"Server sticky without cookie", sgBase().WithStickyServer(""), "StickySession.Cookie", alb.RuleServerGroupStickyCookieRequired, nil},
		{"Insert sticky with a cookie name", sg(sgBase().WithStickyInsert(0), func(s *alb.ServerGroupSpec) { s.StickySession.Cookie = "sid" }), "StickySession.Cookie", alb.RuleServerGroupStickyFieldType, nil},
		{"Server sticky with a timeout", sg(sgBase().WithStickyServer("sid"), func(s *alb.ServerGroupSpec) { s.StickySession.CookieTimeoutSeconds = 60 }), "StickySession.CookieTimeoutSeconds", alb.RuleServerGroupStickyFieldType, nil},
		{"cookie timeout without sticky", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.StickySession.CookieTimeoutSeconds = 60 }), "StickySession.CookieTimeoutSeconds", alb.RuleServerGroupStickyFieldType, nil},
		{"sticky with cross-zone off", sgBase().WithStickyInsert(0).WithoutCrossZone(), "StickySession.Type", alb.RuleServerGroupStickyNeedsCrossZone, nil},

		// Slow start, draining.
		{"slow start 29 s", sgBase().WithSlowStart(29), "SlowStartSeconds", alb.RuleServerGroupSlowStartRange, nil},
		{"slow start 901 s", sgBase().WithSlowStart(901), "SlowStartSeconds", alb.RuleServerGroupSlowStartRange, nil},
		{"slow start with Wlc", sgBase().WithScheduler(alb.SchedulerWlc).WithSlowStart(60), "SlowStartSeconds", alb.RuleServerGroupSlowStartNeedsWrr, nil},
		{"drain 901 s", sgBase().WithConnectionDrain(901), "ConnectionDrain.TimeoutSeconds", alb.RuleServerGroupDrainTimeoutRange, nil},
		{"drain timeout without draining", sg(sgBase(), func(s *alb.ServerGroupSpec) { s.ConnectionDrain.TimeoutSeconds = 30 }), "ConnectionDrain.TimeoutSeconds", alb.RuleServerGroupDrainTimeoutNeedsEnabled, nil},

		// Fc groups.
		{"Fc with a VPC", sg(sgFc(), func(s *alb.ServerGroupSpec) { s.VPCID = vpc }), "VPCID", alb.RuleServerGroupFcUnsupported, nil},
		{"Fc with HTTPS", sgFc().WithProtocol(alb.BackendHTTPS), "Protocol", alb.RuleServerGroupFcUnsupported, nil},
		{"Fc with a scheduler", sgFc().WithScheduler(alb.SchedulerWrr), "Scheduler", alb.RuleServerGroupFcUnsupported, nil},
		{"Fc with sticky sessions", sgFc().WithStickyInsert(0), "StickySession.Type", alb.RuleServerGroupFcUnsupported, nil},
		{"Fc with slow start", sgFc().WithSlowStart(30), "SlowStartSeconds", alb.RuleServerGroupFcUnsupported, nil},
		{"Fc with draining", sgFc().WithConnectionDrain(300), "ConnectionDrain.Enabled", alb.RuleServerGroupFcUnsupported, nil},
		{"Fc with cross-zone off", sgFc().WithoutCrossZone(), "DisableCrossZone", alb.RuleServerGroupFcUnsupported, nil},
		{"Fc with a URL hash", sg(sgFc(), func(s *alb.ServerGroupSpec) { s.URLHashParameter = "uid" }), "URLHashParameter", alb.RuleServerGroupFcUnsupported, nil},

		// Servers.
		{"1001 servers", sg(sgIP(), func(s *alb.ServerGroupSpec) {
			s.Servers = nil
			for i := range 1001 {
				s.Servers = append(s.Servers, alb.IPServer(fmt.Sprintf("10.0.%d.%d", i/250, 1+i%250), 80))
			}
		}), "Servers", alb.RuleServerGroupServersMax, nil},
		{"Ip server in an Instance group", sgBase().WithServers(alb.IPServer("10.0.1.1", 80)), "Servers[2].Type", alb.RuleServerTypeMatchesGroup, nil},
		{"ECS server in an Ip group", sgIP().WithServers(alb.ECSServer("i-1", 80)), "Servers[2].Type", alb.RuleServerTypeMatchesGroup, nil},
		{"ECS server in an Fc group", sgFc().WithServers(alb.ECSServer("i-1", 80)), "Servers[1].Type", alb.RuleServerTypeMatchesGroup, nil},
		{"no port", sgBase().WithServers(alb.ECSServer("i-3", 0)), "Servers[2].Port", alb.RuleServerPort, nil},
		{"port 65536", sgBase().WithServers(alb.ECSServer("i-3", 65536)), "Servers[2].Port", alb.RuleServerPort, nil},
		{"weight 101", sgBase().WithServers(alb.ECSServer("i-3", 80).WithWeight(101)), "Servers[2].Weight", alb.RuleServerWeight, nil},
		{"weight -1", sgBase().WithServers(alb.ECSServer("i-3", 80).WithWeight(-1)), "Servers[2].Weight", alb.RuleServerWeight, nil},
		{"description of one character", sgBase().WithServers(alb.ECSServer("i-3", 80).WithDescription("a")), "Servers[2].Description", alb.RuleServerDescription, nil},
		{"description starting with a URL", sgBase().WithServers(alb.ECSServer("i-3", 80).WithDescription("HTTPS://x")), "Servers[2].Description", alb.RuleServerDescription, nil},
		{"description of 257 characters", sgBase().WithServers(alb.ECSServer("i-3", 80).WithDescription(strings.Repeat("d", 257))), "Servers[2].Description", alb.RuleServerDescription, nil},
		{"server IP not an address", sgBase().WithServers(alb.ENIServer("eni-1", "10.0.1", 80)), "Servers[2].IP", alb.RuleServerIPFormat, nil},
		{"Ip server ID not an address", sgIP().WithServers(alb.IPServer("web.local", 80)), "Servers[2].ID", alb.RuleServerIPAddress, nil},
		{"Ip server ID with a zone", sgIP().WithServers(alb.IPServer("fe80::1%eth0", 80)), "Servers[2].ID", alb.RuleServerIPAddress, nil},
		{"Ip server with its ID in another spelling", sgIP().WithIPv6().WithServers(alb.Server{Type: alb.ServerTypeIP, ID: "2408:4000:0::1", IP: "2408:4000::1", Port: 80, Weight: 100}), "Servers[2].IP", alb.RuleServerIPMatchesID, nil},
		{"Ip server with another IP", sgIP().WithServers(alb.Server{Type: alb.ServerTypeIP, ID: "10.0.1.12", IP: "10.0.1.13", Port: 80, Weight: 100}), "Servers[2].IP", alb.RuleServerIPMatchesID, nil},
		{"IPv6 server in an IPv4 group", sgIP().WithServers(alb.IPServer("2408:4000::1", 80)), "Servers[2].ID", alb.RuleServerIPv6NeedsIPv6Group, nil},
		{"IPv6 ENI address in an IPv4 group", sgBase().WithServers(alb.ENIServer("eni-1", "2408:4000::1", 80)), "Servers[2].IP", alb.RuleServerIPv6NeedsIPv6Group, nil},
		{"Fc server without an ARN", sg(sgFc(), func(s *alb.ServerGroupSpec) { s.Servers[0].ID = "web" }), "Servers[0].ID", alb.RuleServerFcARN, nil},
		{"Fc server with a port", sg(sgFc(), func(s *alb.ServerGroupSpec) { s.Servers[0].Port = 80 }), "Servers[0].Port", alb.RuleServerFieldType, nil},
		{"Fc server with a weight", sg(sgFc(), func(s *alb.ServerGroupSpec) { s.Servers[0].Weight = 100 }), "Servers[0].Weight", alb.RuleServerFieldType, nil},
		{"Fc server with an IP", sg(sgFc(), func(s *alb.ServerGroupSpec) { s.Servers[0].IP = "10.0.1.1" }), "Servers[0].IP", alb.RuleServerFieldType, nil},
		{"remote IP on an ECS server", sgBase().WithServers(alb.ECSServer("i-3", 80).WithRemoteIP()), "Servers[2].RemoteIP", alb.RuleServerFieldType, nil},
		{"server twice", sgBase().WithServers(alb.ECSServer("i-1", 80).WithWeight(5)), "Servers[2]", alb.RuleServerUnique, nil},
		{"Ip server twice in two spellings", sgIP().WithServers(alb.IPServer("2408:4000:0::1", 80), alb.IPServer("2408:4000::1", 80)).WithIPv6(), "Servers[3]", alb.RuleServerUnique, nil},
		{"ENI with and without an IP", sgBase().WithServers(alb.ENIServer("eni-1", "", 80), alb.ENIServer("eni-1", "10.0.1.21", 80)), "Servers[3].IP", alb.RuleServerIPAllOrNone, nil},
		{"absent server twice", sgBase().WithAbsentServers(alb.ECSServer("i-9", 80), alb.ECSServer("i-9", 80)), "AbsentServers[1]", alb.RuleServerUnique, nil},
		{"server listed and absent", sgBase().WithAbsentServers(alb.ECSServer("i-2", 80)), "AbsentServers[0]", alb.RuleServerAbsentConflict, nil},
		{"absent server of another type", sgBase().WithAbsentServers(alb.IPServer("10.0.1.1", 80)), "AbsentServers[0].Type", alb.RuleServerTypeMatchesGroup, nil},
	}
}

func TestServerGroupValidateInvalidSpecs(t *testing.T) {
	names := map[string]bool{}
	for _, c := range sgInvalidCases() {
		if names[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		names[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			err := c.spec.Validate()
			checkInvalid(t, err, append([]fieldRule{{c.field, c.rule}}, c.also...))
			if err != nil && !strings.HasPrefix(err.Error(), "alb: invalid server group spec: ") {
				t.Errorf("Error() = %q, want it to name a server group spec", err)
			}
		})
	}
}

// TestEveryServerGroupRuleHasACase maps every rule that applies to server
// groups to a case that breaks it: spec-level rules to the invalid table,
// attach-level rules to TestCheckServerGroupEdition's.
func TestEveryServerGroupRuleHasACase(t *testing.T) {
	bySpec := map[string]int{}
	for _, c := range sgInvalidCases() {
		bySpec[c.rule]++
	}
	byEdition := map[string]int{}
	for _, c := range editionCases() {
		for _, fr := range c.want {
			byEdition[fr.rule]++
		}
	}
	ids := ruleIDs()
	n := 0
	for _, r := range alb.Rules() {
		if !r.Applies(alb.ScopeServerGroup) {
			continue
		}
		n++
		switch r.Level {
		case alb.LevelSpec:
			if bySpec[r.ID] == 0 && r.ID != alb.RuleEditionEnum {
				t.Errorf("spec rule %q (%s: %s) has no server-group case", r.ID, r.Source, r.Text)
			}
		case alb.LevelAttach:
			if byEdition[r.ID] == 0 {
				t.Errorf("attach rule %q has no CheckServerGroupEdition case", r.ID)
			}
		default:
			t.Errorf("server-group rule %q has level %s", r.ID, r.Level)
		}
		if !strings.HasPrefix(r.ID, "server-") && !r.Applies(alb.ScopeInstance) {
			t.Errorf("server-group rule %q does not start with server- (sg- is the security groups')", r.ID)
		}
	}
	if byEdition[alb.RuleEditionEnum] == 0 {
		t.Error("no CheckServerGroupEdition case for an unknown edition")
	}
	for _, c := range sgInvalidCases() {
		if _, ok := ids[c.rule]; !ok {
			t.Errorf("case %q asserts rule %q, which Rules() does not list", c.name, c.rule)
		}
	}
	if n < 60 {
		t.Errorf("only %d rules apply to server groups", n)
	}
}

type editionCase struct {
	name    string
	spec    alb.ServerGroupSpec
	edition alb.Edition
	want    []fieldRule
}

func editionCases() []editionCase {
	full := sgBase().WithSlowStart(60).WithConnectionDrain(300).WithoutCrossZone()
	return []editionCase{
		{"Basic with slow start", sgBase().WithSlowStart(60), alb.EditionBasic, []fieldRule{{"SlowStartSeconds", alb.RuleServerGroupSlowStartEdition}}},
		{"Basic with draining", sgBase().WithConnectionDrain(0), alb.EditionBasic, []fieldRule{{"ConnectionDrain.Enabled", alb.RuleServerGroupDrainEdition}}},
		{"Basic with cross-zone off", sgBase().WithoutCrossZone(), alb.EditionBasic, []fieldRule{{"DisableCrossZone", alb.RuleServerGroupCrossZoneOffEdition}}},
		{"Basic with all three", full, alb.EditionBasic, []fieldRule{
			{"SlowStartSeconds", alb.RuleServerGroupSlowStartEdition}, {"ConnectionDrain.Enabled", alb.RuleServerGroupDrainEdition},
			{"DisableCrossZone", alb.RuleServerGroupCrossZoneOffEdition}}},
		{"unknown edition", sgBase(), "Gold", []fieldRule{{"Edition", alb.RuleEditionEnum}}},
		{"Standard with all three", full, alb.EditionStandard, nil},
		{"WAF-enabled with all three", full, alb.EditionStandardWithWAF, nil},
		{"Basic without them", sgBase(), alb.EditionBasic, nil},
	}
}

func TestCheckServerGroupEdition(t *testing.T) {
	for _, c := range editionCases() {
		t.Run(c.name, func(t *testing.T) {
			if err := c.spec.Validate(); err != nil {
				t.Fatalf("the case's spec is invalid: %v", err)
			}
			err := alb.CheckServerGroupEdition(c.spec, c.edition)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("CheckServerGroupEdition = %v, want nil", err)
				}
				return
			}
			checkInvalid(t, err, c.want)
		})
	}
}

// TestServerGroupValidSpecs accepts the documented combinations and
// boundaries.
func TestServerGroupValidSpecs(t *testing.T) {
	valid := map[string]alb.ServerGroupSpec{
		"Instance defaults":   sgBase(),
		"Ip defaults":         sgIP(),
		"Fc defaults":         sgFc(),
		"Fc with HTTP":        sgFc().WithProtocol(alb.BackendHTTP),
		"no servers":          alb.NewServerGroupSpec("web", alb.ServerGroupInstance, vpc),
		"zero value type":     sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Type, s.Protocol, s.Scheduler = "", "", "" }),
		"gRPC both spellings": sgBase().WithProtocol(alb.BackendGRPC).WithHealthCheck(alb.HealthCheck{Enabled: true, Protocol: "GRPC", Codes: []string{"0", "0-5", "12-99"}, Method: "POST"}),
		"GRPC backend":        sgBase().WithProtocol("GRPC"),
		"HTTPS everything": sgBase().WithProtocol(alb.BackendHTTPS).WithHealthCheck(alb.HTTPHealthCheck("/health?x=1&y=[2]").
			WithHost("Www.Example.com").WithMethod("GET").WithHTTPVersion("HTTP1.0").WithCodes("http_2xx", "http_3xx").
			WithPort(65535).WithInterval(50).WithTimeout(300).WithThresholds(10, 2)),
		"health check host $SERVER_IP": hc(func(h *alb.HealthCheck) { h.Host = "$SERVER_IP" }),
		"health check minimums": hc(func(h *alb.HealthCheck) {
			h.IntervalSeconds, h.TimeoutSeconds, h.HealthyThreshold, h.UnhealthyThreshold = 1, 1, 2, 10
		}),
		"TCP health check":             sgBase().WithHealthCheck(alb.TCPHealthCheck().WithPort(8080)),
		"disabled health check":        sgBase().WithoutHealthCheck(),
		"20 codes":                     hc(func(h *alb.HealthCheck) { h.Codes = slices.Repeat([]string{"http_2xx"}, 20) }),
		"80-character path":            hc(func(h *alb.HealthCheck) { h.Path = "/" + strings.Repeat("a", 79) }),
		"sticky insert bounds":         sgBase().WithStickyInsert(86400),
		"sticky insert default":        sgBase().WithStickyInsert(0),
		"sticky server":                sgBase().WithStickyServer(strings.Repeat("c", 200)),
		"slow start bounds":            sgBase().WithSlowStart(30),
		"slow start 900":               sgBase().WithSlowStart(900),
		"drain 0 and 900":              sgBase().WithConnectionDrain(0),
		"drain 900":                    sgBase().WithConnectionDrain(900),
		"cross-zone off":               sgBase().WithoutCrossZone(),
		"URL hash":                     sgBase().WithURLHash("uid"),
		"Uch scheduler with a hash":    sgBase().WithScheduler(alb.SchedulerUch).WithURLHash("uid").WithScheduler(alb.SchedulerUch),
		"Sch without a hash":           sgBase().WithScheduler(alb.SchedulerSch),
		"IPv6 group with IPv6 servers": sgIP().WithIPv6().WithIPVersionAffinity(alb.IPVersionAffinity).WithServers(alb.IPServer("2408:4000::1", 80), alb.IPServer("::ffff:10.0.1.1", 80)),
		"keepalive and resource group": sgBase().WithUpstreamKeepalive().WithResourceGroup("rg-1").WithTag("env", "prod").WithIdempotencyKey("key-1"),
		"18 tags": sg(sgBase(), func(s *alb.ServerGroupSpec) {
			for i := range 18 {
				s.Tags = append(s.Tags, alb.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
			}
		}),
		"owned":          sgBase().WithMembership(alb.MembershipOwned),
		"shared absent":  sgBase().WithMembership(alb.MembershipShared).WithAbsentServers(alb.ECSServer("i-9", 80)),
		"absent eni ip":  sgBase().WithServers(alb.ENIServer("eni-1", "10.0.1.20", 80)).WithAbsentServers(alb.ENIServer("eni-1", "10.0.1.21", 80)),
		"weights 0, 100": sgBase().WithServers(alb.ECSServer("i-3", 80).WithWeight(0), alb.ECSServer("i-4", 65535).WithWeight(100)),
		"one port two IPs of an ENI": sgBase().WithServers(alb.ENIServer("eni-1", "10.0.1.20", 80), alb.ENIServer("eni-1", "10.0.1.21", 80),
			alb.ECIServer("eci-1", "", 80), alb.ECIServer("eci-1", "", 81)),
		"descriptions": sgBase().WithServers(alb.ECSServer("i-3", 80).WithDescription("ab"), alb.ECSServer("i-4", 80).WithDescription(strings.Repeat("描", 256))),
		"Ip server with its own IP and remote IP": sgIP().WithServers(alb.Server{Type: alb.ServerTypeIP, ID: "192.168.0.1", IP: "192.168.0.1", Port: 80, Weight: 1, RemoteIP: true}),
		"Chinese name": sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Name = "负载均衡-1" }),
		"1000 servers": sg(sgIP(), func(s *alb.ServerGroupSpec) {
			s.Servers = nil
			for i := range 1000 {
				s.Servers = append(s.Servers, alb.IPServer(fmt.Sprintf("10.0.%d.%d", i/250, 1+i%250), 80))
			}
		}),
	}
	for name, s := range valid {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestServerGroupValidateReportsEveryViolationAtOnce(t *testing.T) {
	s := alb.ServerGroupSpec{
		Name:             "1st",
		Type:             alb.ServerGroupIP,
		Protocol:         "QUIC",
		HealthCheck:      alb.HealthCheck{Enabled: true, IntervalSeconds: 60, Protocol: alb.HealthCheckTCP, Path: "/x"},
		SlowStartSeconds: 10,
		Tags:             []alb.Tag{{Key: "env", Value: "a"}, {Key: "env", Value: "b"}},
		Servers: []alb.Server{
			alb.IPServer("10.0.0.1", 80),
			alb.IPServer("10.0.0.1", 80),
			alb.IPServer("10.0.0.2", 0).WithWeight(200),
			alb.ECSServer("i-1", 80),
		},
	}
	want := []fieldRule{
		{"Name", alb.RuleNameStartLetter},
		{"VPCID", alb.RuleRequired},
		{"Protocol", alb.RuleServerGroupProtocolEnum},
		{"HealthCheck.Path", alb.RuleServerGroupHealthCheckFieldProtocol},
		{"HealthCheck.IntervalSeconds", alb.RuleServerGroupHealthCheckInterval},
		{"SlowStartSeconds", alb.RuleServerGroupSlowStartRange},
		{"Tags[1].Key", alb.RuleTagKeyUnique},
		{"Servers[1]", alb.RuleServerUnique},
		{"Servers[2].Port", alb.RuleServerPort},
		{"Servers[2].Weight", alb.RuleServerWeight},
		{"Servers[3].Type", alb.RuleServerTypeMatchesGroup},
	}
	err := s.Validate()
	checkInvalid(t, err, want)
	var ve *alb.ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	// In the order ServerGroupSpec declares its fields, servers by index.
	var got []fieldRule
	for _, fe := range ve.Errors {
		got = append(got, fieldRule{fe.Field, fe.Rule})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("violations in order\n%v\nwant\n%v", got, want)
	}
	if got := err.Error(); !strings.HasPrefix(got, fmt.Sprintf("alb: invalid server group spec: %d violation(s)\n", len(want))) || strings.Count(got, "\n") != len(want) {
		t.Errorf("Error() = %q", got)
	}
}

func TestServerGroupBuildersCopy(t *testing.T) {
	base := sgBase().WithTag("a", "1").WithHealthCheck(alb.DefaultHealthCheck().WithCodes("http_2xx"))
	a := base.WithTag("b", "2").WithServers(alb.ECSServer("i-9", 80)).WithAbsentServers(alb.ECSServer("i-8", 80))
	b := base.WithTag("c", "3").WithServers(alb.ECSServer("i-7", 80))
	if len(base.Tags) != 1 || len(base.Servers) != 2 || len(base.AbsentServers) != 0 {
		t.Errorf("builders changed the base: %+v", base)
	}
	if a.Tags[1].Key != "b" || b.Tags[1].Key != "c" || a.Servers[2].ID != "i-9" || b.Servers[2].ID != "i-7" {
		t.Errorf("builders share state: %+v / %+v", a, b)
	}
	codes := []string{"http_2xx"}
	c := base.WithHealthCheck(alb.DefaultHealthCheck().WithCodes(codes...))
	codes[0] = "http_5xx"
	if c.HealthCheck.Codes[0] != "http_2xx" {
		t.Error("WithCodes keeps the caller's slice")
	}
	before := fmt.Sprintf("%+v", base)
	_ = base.Validate()
	if fmt.Sprintf("%+v", base) != before {
		t.Error("Validate changed the spec")
	}
}

// TestServerGroupDefaults pins the defaults the constructors take from
// the SDK.
func TestServerGroupDefaults(t *testing.T) {
	for _, c := range []struct {
		typ       alb.ServerGroupType
		protocol  alb.BackendProtocol
		scheduler alb.Scheduler
		hc        bool
	}{
		{alb.ServerGroupInstance, alb.BackendHTTP, alb.SchedulerWrr, true},
		{alb.ServerGroupIP, alb.BackendHTTP, alb.SchedulerWrr, true},
		{alb.ServerGroupFc, "", "", false},
	} {
		s := alb.NewServerGroupSpec("g1", c.typ, "")
		if s.Protocol != c.protocol || s.Scheduler != c.scheduler || s.HealthCheck.Enabled != c.hc || s.DisableCrossZone ||
			s.StickySession != (alb.StickySession{}) || s.SlowStartSeconds != 0 || s.ConnectionDrain != (alb.ConnectionDrain{}) || s.Membership != "" {
			t.Errorf("%s: %+v", c.typ, s)
		}
	}
	for _, s := range []alb.Server{alb.ECSServer("i-1", 80), alb.ENIServer("eni-1", "", 80), alb.ECIServer("eci-1", "", 80), alb.IPServer("10.0.0.1", 80)} {
		if s.Weight != 100 {
			t.Errorf("%s: weight %d, want 100", s, s.Weight)
		}
	}
	if f := alb.FcServer(fnARN); f.Weight != 0 || f.Port != 0 {
		t.Errorf("FcServer = %+v", f)
	}
}
