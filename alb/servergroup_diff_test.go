package alb_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// observed returns the group and members the service reports for spec,
// created and left alone (simCreate: the service's defaults filled in).
func observed(t testing.TB, spec alb.ServerGroupSpec) (*alb.ServerGroup, []alb.BackendServer) {
	t.Helper()
	st := simCreate(spec)
	return &st.g, st.servers
}

// wireJSON is the JSON of an SDK request without its null fields: what
// the request sends.
func wireJSON(t testing.TB, req any) map[string]any {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDiffServerGroupCreates(t *testing.T) {
	spec := sgBase().WithTag("env", "prod")
	p := alb.DiffServerGroup(spec, nil, nil)
	if !p.Create || p.ID != "" || len(p.AddServers) != 2 || len(p.Attributes)+len(p.AddTags)+len(p.RemoveServers)+len(p.Blocked) != 0 || p.Empty() || !p.Writes() {
		t.Fatalf("plan for a missing group: %+v", p)
	}
	if got := p.Calls(); !slices.Equal(got, []string{"CreateServerGroup", "AddServersToServerGroup"}) {
		t.Errorf("Calls() = %v", got)
	}
	if s := p.String(); !strings.Contains(s, `create Instance group "web" (CreateServerGroup)`) || !strings.Contains(s, "+ server Ecs i-1:80 weight 100") {
		t.Errorf("String() = %s", s)
	}
}

func TestDiffServerGroupOfItsOwnGroupIsEmpty(t *testing.T) {
	for name, spec := range map[string]alb.ServerGroupSpec{
		"Instance": sgBase(), "Ip": sgIP(), "Fc": sgFc(),
		"everything": sgBase().WithProtocol(alb.BackendHTTPS).WithURLHash("uid").WithStickyInsert(0).WithSlowStart(0).
			WithConnectionDrain(0).WithUpstreamKeepalive().WithIPVersionAffinity(alb.IPVersionNonAffinity).WithResourceGroup("rg-1").
			WithTag("env", "prod").WithHealthCheck(alb.HTTPHealthCheck("/h").WithHost("a.example.com").WithCodes("http_3xx", "http_2xx")),
		"gRPC spelled GRPC": sgBase().WithProtocol("GRPC").WithHealthCheck(alb.HealthCheck{Enabled: true, Protocol: "GRPC"}),
		"TCP":               sgBase().WithHealthCheck(alb.TCPHealthCheck()),
		"disabled":          sgBase().WithoutHealthCheck(),
		"ENI addresses":     sgBase().WithServers(alb.ENIServer(albtest.ENI1, "10.0.1.20", 80), alb.ENIServer(albtest.ENI1, "10.0.1.21", 80)),
		"owned":             sgBase().WithMembership(alb.MembershipOwned),
	} {
		g, servers := observed(t, spec)
		if p := alb.DiffServerGroup(spec, g, servers); !p.Empty() {
			t.Errorf("%s: %s", name, p)
		}
		if p := alb.DiffServerGroup(alb.SpecFromServerGroup(g, servers), g, servers); !p.Empty() {
			t.Errorf("%s read back: %s", name, p)
		}
		if err := alb.SpecFromServerGroup(g, servers).Validate(); err != nil {
			t.Errorf("%s read back: %v", name, err)
		}
	}
}

func TestDiffServerGroupBlocksWhatCannotChange(t *testing.T) {
	g, servers := observed(t, sgBase())
	want := sgBase().WithProtocol(alb.BackendHTTPS).WithIPv6()
	want.VPCID = "vpc-2"
	want.Type = alb.ServerGroupIP
	want.Servers = []alb.Server{alb.IPServer("10.0.0.1", 80)}
	want.Membership = alb.MembershipOwned // no membership change for a group of another type
	p := alb.DiffServerGroup(want, g, servers)
	var fields []string
	for _, d := range p.Blocked {
		fields = append(fields, d.Field)
		if d.Rule != alb.RuleImmutable || !strings.Contains(d.Instead, "create a new server group") || !strings.Contains(d.Instead, "listeners") {
			t.Errorf("blocked %s: %+v", d.Field, d)
		}
	}
	if !slices.Equal(fields, []string{"Type", "Protocol", "VPCID", "IPv6"}) {
		t.Errorf("blocked %v\n%s", fields, p)
	}
	if p.Writes() || p.Empty() {
		t.Errorf("only blocked differences, got %s", p)
	}
	if s := p.String(); !strings.Contains(s, "! Protocol: HTTP → HTTPS cannot be changed in place") {
		t.Errorf("String() = %s", s)
	}
	// URL hashing cannot be removed while the scheduler hashes.
	hg, hs := observed(t, sgBase().WithURLHash("uid"))
	p = alb.DiffServerGroup(sgBase().WithScheduler(alb.SchedulerSch), hg, hs)
	if len(p.Blocked) != 1 || p.Blocked[0].Field != "URLHashParameter" || len(p.Attributes) != 0 {
		t.Errorf("removing a URL hash: %s", p)
	}
	// With another scheduler it is left behind, unused.
	p = alb.DiffServerGroup(sgBase(), hg, hs)
	if len(p.Blocked) != 0 || len(p.Attributes) != 1 || p.Attributes[0].Field != "Scheduler" {
		t.Errorf("going back to Wrr: %s", p)
	}
}

// TestDiffServerGroupAttributes changes one attribute at a time: the plan
// has exactly that attribute, and the request sends exactly it.
func TestDiffServerGroupAttributes(t *testing.T) {
	base := sgBase()
	g, servers := observed(t, base)
	cases := []struct {
		name   string
		spec   alb.ServerGroupSpec
		fields []string // AttributeChange.Field
		wire   []string // top-level request fields besides ServerGroupId
		hc     []string // HealthCheckConfig fields sent
	}{
		{"name", sg(base, func(s *alb.ServerGroupSpec) { s.Name = "web-2" }), []string{"Name"}, []string{"ServerGroupName"}, nil},
		{"scheduler", base.WithScheduler(alb.SchedulerWlc), []string{"Scheduler"}, []string{"Scheduler"}, nil},
		{"URL hash", base.WithURLHash("uid"), []string{"Scheduler", "URLHashParameter"}, []string{"Scheduler", "UchConfig"}, nil},
		{"sticky insert", base.WithStickyInsert(60), []string{"StickySession"}, []string{"StickySessionConfig"}, nil},
		{"slow start", base.WithSlowStart(60), []string{"SlowStartSeconds"}, []string{"SlowStartConfig"}, nil},
		{"drain", base.WithConnectionDrain(0), []string{"ConnectionDrain"}, []string{"ConnectionDrainConfig"}, nil},
		{"cross-zone off", base.WithoutCrossZone(), []string{"DisableCrossZone"}, []string{"CrossZoneEnabled"}, nil},
		{"affinity", base.WithIPVersionAffinity(alb.IPVersionAffinity), []string{"IPVersionAffinity"}, []string{"IpVersionAffinityMode"}, nil},
		{"keepalive", base.WithUpstreamKeepalive(), []string{"UpstreamKeepalive"}, []string{"UpstreamKeepaliveEnabled"}, nil},
		{"health check interval", base.WithHealthCheck(alb.DefaultHealthCheck().WithInterval(5)), []string{"HealthCheck.IntervalSeconds"},
			[]string{"HealthCheckConfig"}, []string{"HealthCheckEnabled", "HealthCheckInterval"}},
		{"health check codes in another order", base.WithHealthCheck(alb.DefaultHealthCheck().WithCodes("http_2xx")), nil, nil, nil},
		{"health check to TCP", base.WithHealthCheck(alb.TCPHealthCheck()), []string{"HealthCheck.Protocol", "HealthCheck.Method", "HealthCheck.HTTPVersion", "HealthCheck.Codes"},
			[]string{"HealthCheckConfig"}, []string{"HealthCheckConnectPort", "HealthCheckEnabled", "HealthCheckInterval", "HealthCheckProtocol", "HealthCheckTimeout", "HealthyThreshold", "UnhealthyThreshold"}},
		{"health check off", base.WithoutHealthCheck(), []string{"HealthCheck.Enabled"}, []string{"HealthCheckConfig"}, []string{"HealthCheckEnabled"}},
		{"health check path", base.WithHealthCheck(alb.HTTPHealthCheck("/h")), []string{"HealthCheck.Path"}, []string{"HealthCheckConfig"}, []string{"HealthCheckEnabled", "HealthCheckPath"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.spec.Validate(); err != nil {
				t.Fatal(err)
			}
			p := alb.DiffServerGroup(c.spec, g, servers)
			var fields []string
			for _, a := range p.Attributes {
				fields = append(fields, a.Field)
				if a.From == a.To {
					t.Errorf("a change without a difference: %v", a)
				}
			}
			if !slices.Equal(fields, c.fields) || len(p.Blocked)+len(p.AddServers)+len(p.RemoveServers)+len(p.UpdateServers)+len(p.AddTags)+len(p.RemoveTagKeys) != 0 {
				t.Fatalf("plan %s, want the attributes %v", p, c.fields)
			}
			req := p.UpdateAttributeRequestForTest("tok", false)
			if len(c.fields) == 0 {
				if req != nil || !p.Empty() {
					t.Fatalf("request %v for an empty plan", req)
				}
				return
			}
			m := wireJSON(t, req)
			if m["ServerGroupId"] != g.ID || m["ClientToken"] != "tok" {
				t.Errorf("request %v", m)
			}
			delete(m, "ServerGroupId")
			delete(m, "ClientToken")
			if got := sortedKeys(m); !slices.Equal(got, c.wire) {
				t.Errorf("request sends %v, want %v", got, c.wire)
			}
			if c.hc != nil {
				if got := sortedKeys(m["HealthCheckConfig"].(map[string]any)); !slices.Equal(got, c.hc) {
					t.Errorf("HealthCheckConfig sends %v, want %v", got, c.hc)
				}
			}
			if p.Calls()[0] != "UpdateServerGroupAttribute" || len(p.Calls()) != 1 {
				t.Errorf("Calls() = %v", p.Calls())
			}
		})
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestDiffServerGroupTagsAndResourceGroup(t *testing.T) {
	g, servers := observed(t, sgBase().WithTag("env", "prod").WithTag("team", "a").WithResourceGroup("rg-1"))
	g.Tags = append(g.Tags, alb.Tag{Key: "acs:system", Value: "x"}, alb.Tag{Key: "aliyun-x", Value: "y"}, alb.Tag{Key: alb.TokenTagKey, Value: "t"})
	p := alb.DiffServerGroup(sgBase().WithTag("env", "dev").WithTag("new", "1").WithResourceGroup("rg-2"), g, servers)
	if !slices.Equal(p.RemoveTagKeys, []string{"team"}) || !slices.Equal(p.AddTags, []alb.Tag{{Key: "env", Value: "dev"}, {Key: "new", Value: "1"}}) || p.ResourceGroupID != "rg-2" {
		t.Errorf("plan %s", p)
	}
	if got := p.Calls(); !slices.Equal(got, []string{"UnTagResources", "TagResources", "MoveResourceGroup"}) {
		t.Errorf("Calls() = %v", got)
	}
	// An empty resource group leaves the group's.
	if p := alb.DiffServerGroup(sgBase().WithTag("env", "prod").WithTag("team", "a"), g, servers); !p.Empty() {
		t.Errorf("plan %s", p)
	}
}

// TestDiffServerGroupMembership: Owned makes the set exact, Shared leaves
// unlisted members alone, AbsentServers removes in both; weights and
// descriptions change in place.
func TestDiffServerGroupMembership(t *testing.T) {
	g, servers := observed(t, sgBase())
	// An autoscaler added i-3.
	servers = append(servers, simMember(alb.ECSServer("i-3", 80)))
	want := sg(sgBase(), func(s *alb.ServerGroupSpec) {
		s.Servers[0] = s.Servers[0].WithWeight(10).WithDescription("canary")
		s.Servers = append(s.Servers[:1], alb.ECSServer("i-4", 8080))
	})
	shared := alb.DiffServerGroup(want, g, servers)
	if len(shared.AddServers) != 1 || shared.AddServers[0].ID != "i-4" || len(shared.RemoveServers) != 0 || len(shared.UpdateServers) != 1 {
		t.Fatalf("shared: %s", shared)
	}
	u := shared.UpdateServers[0]
	if u.To.ID != "i-1" || u.To.Weight != 10 || u.To.Description != "canary" || u.To.IP != u.From.IP || u.From.Weight != 100 {
		t.Errorf("update %+v", u)
	}
	owned := alb.DiffServerGroup(want.WithMembership(alb.MembershipOwned), g, servers)
	var removed []string
	for _, b := range owned.RemoveServers {
		removed = append(removed, b.ID)
	}
	if !slices.Equal(removed, []string{"i-2", "i-3"}) || len(owned.AddServers) != 1 || len(owned.UpdateServers) != 1 {
		t.Errorf("owned: %s", owned)
	}
	absent := alb.DiffServerGroup(want.WithAbsentServers(alb.ECSServer("i-3", 80)), g, servers)
	if len(absent.RemoveServers) != 1 || absent.RemoveServers[0].ID != "i-3" {
		t.Errorf("absent: %s", absent)
	}
	if s := owned.String(); !strings.Contains(s, "~ server Ecs i-1 (10.0.1.1):80 weight 100 → 10, description \"\" → \"canary\"") ||
		!strings.Contains(s, "- server Ecs i-3 (10.0.1.3):80") || !strings.Contains(s, "+ server Ecs i-4:8080 weight 100") {
		t.Errorf("String() = %s", s)
	}
	// The update and removal requests name the member by its address.
	m := wireJSON(t, alb.UpdateServersRequestForTest(g.ID, []alb.Server{u.To}, "", false))
	item := m["Servers"].([]any)[0].(map[string]any)
	if item["ServerIp"] != "10.0.1.1" || item["Weight"] != float64(10) || item["Description"] != "canary" || item["Port"] != float64(80) {
		t.Errorf("update item %v", item)
	}
	// An empty description leaves the member's; a remote IP change is blocked.
	ig, is := observed(t, sgIP().WithServers(alb.IPServer("10.0.1.12", 80).WithDescription("old")))
	p := alb.DiffServerGroup(sg(sgIP().WithServers(alb.IPServer("10.0.1.12", 80).WithRemoteIP()), func(s *alb.ServerGroupSpec) {}), ig, is)
	if len(p.UpdateServers) != 0 || len(p.Blocked) != 1 || p.Blocked[0].Field != "Servers[2].RemoteIP" {
		t.Errorf("remote IP: %s", p)
	}
}

func TestDiffServerGroupServerIdentity(t *testing.T) {
	// An Ip server matches in any spelling of its address; an ENI without
	// an IP matches every address of it.
	ig, is := observed(t, sgIP().WithIPv6().WithServers(alb.IPServer("2408:4000::1", 80)))
	spelled := sgIP().WithIPv6().WithServers(alb.IPServer("2408:4000:0:0::1", 80))
	if p := alb.DiffServerGroup(spelled, ig, is); !p.Empty() {
		t.Errorf("another spelling: %s", p)
	}
	eg, es := observed(t, sgBase().WithServers(alb.ENIServer(albtest.ENI1, "10.0.1.20", 80), alb.ENIServer(albtest.ENI1, "10.0.1.21", 80)))
	p := alb.DiffServerGroup(sgBase().WithServers(alb.ENIServer(albtest.ENI1, "", 80).WithWeight(5)).WithMembership(alb.MembershipOwned), eg, es)
	if len(p.UpdateServers) != 2 || len(p.RemoveServers) != 0 || len(p.AddServers) != 0 {
		t.Errorf("ENI without an IP: %s", p)
	}
	p = alb.DiffServerGroup(sgBase().WithServers(alb.ENIServer(albtest.ENI1, "10.0.1.21", 80)).WithMembership(alb.MembershipOwned), eg, es)
	if len(p.RemoveServers) != 1 || p.RemoveServers[0].IP != "10.0.1.20" {
		t.Errorf("ENI with one IP: %s", p)
	}
	// Another port is another server.
	p = alb.DiffServerGroup(sg(sgBase(), func(s *alb.ServerGroupSpec) { s.Servers[1].Port = 81 }).WithMembership(alb.MembershipOwned), eg, es)
	if len(p.AddServers) != 1 || p.AddServers[0].Port != 81 || len(p.RemoveServers) != 3 {
		t.Errorf("another port: %s", p)
	}
}

func TestServerGroupPlanCallsSplitByTheLimits(t *testing.T) {
	spec := alb.NewServerGroupSpec("big", alb.ServerGroupIP, vpc)
	for i := range 450 {
		spec = spec.WithServers(alb.IPServer(fmt.Sprintf("10.0.%d.%d", i/200, 1+i%200), 80))
	}
	g, _ := observed(t, alb.NewServerGroupSpec("big", alb.ServerGroupIP, vpc))
	p := alb.DiffServerGroup(spec, g, nil)
	if got := p.Calls(); len(got) != 3 || got[0] != "AddServersToServerGroup" {
		t.Errorf("450 adds: %v", got)
	}
	cg, cs := observed(t, spec)
	lighter := sg(spec, func(s *alb.ServerGroupSpec) {
		for i := range 81 {
			s.Servers[i].Weight = 1
		}
		s.Servers = s.Servers[:401]
		s.Membership = alb.MembershipOwned
	})
	p = alb.DiffServerGroup(lighter, cg, cs)
	if got := p.Calls(); !slices.Equal(got, append(slices.Repeat([]string{"UpdateServerGroupServersAttribute"}, 3), "RemoveServersFromServerGroup")) {
		t.Errorf("81 updates and 49 removals: %v", got)
	}
}

// TestServerGroupPlanConverges is the converge property on seeded random
// (spec, group and members) pairs, with the plan's requests applied to the
// observed state by a simulation of the service (simulate.go): applying
// the plan gives a state whose diff is empty (what cannot change in place
// aside), Owned makes the member set exactly the spec's, Shared leaves
// every other member alone.
func TestServerGroupPlanConverges(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 7))
	var pairs, withWrites, blocked, owned int
	for pairs < 300 {
		a := genValidSGSpec(rng)
		b := mutateSGSpec(rng, a)
		if b.Validate() != nil {
			continue
		}
		pairs++
		st := simCreate(a)
		extras := extraMembers(rng, a)
		for _, e := range extras {
			st.add(e)
		}
		before := slices.Clone(st.servers)
		p := alb.DiffServerGroup(b, &st.g, st.servers)
		if p.Create {
			t.Fatal("a plan for an existing group creates")
		}
		if p.Writes() {
			withWrites++
		}
		if len(p.Blocked) > 0 {
			blocked++
		}
		st.apply(t, p)
		again := alb.DiffServerGroup(b, &st.g, st.servers)
		if again.Writes() || !sameBlocked(p.Blocked, again.Blocked) {
			t.Fatalf("pair %d: after applying\n%s\nthe diff is\n%s\nspec: %#v\nfrom: %#v", pairs, p, again, b, a)
		}
		checkMembership(t, b, before, st.servers)
		if b.Membership == alb.MembershipOwned {
			owned++
		}
	}
	t.Logf("%d pairs: %d with writes, %d with blocked differences, %d owned", pairs, withWrites, blocked, owned)
	if withWrites < pairs/2 || blocked == 0 || owned < pairs/5 {
		t.Errorf("lopsided pairs: %d with writes, %d blocked, %d owned of %d", withWrites, blocked, owned, pairs)
	}
}

func sameBlocked(a, b []alb.Difference) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Field != b[i].Field || a[i].To != b[i].To {
			return false
		}
	}
	return true
}

// checkMembership checks Owned and Shared semantics: after is the member
// set after applying spec's plan to before.
func checkMembership(t testing.TB, spec alb.ServerGroupSpec, before, after []alb.BackendServer) {
	t.Helper()
	listed := func(b alb.BackendServer, list []alb.Server) bool {
		for _, s := range list {
			if matchesMember(s, b) {
				return true
			}
		}
		return false
	}
	for _, s := range spec.Servers {
		found := false
		for _, b := range after {
			found = found || matchesMember(s, b)
		}
		if !found {
			t.Errorf("listed server %s is not a member after the plan", s)
		}
	}
	for _, b := range after {
		if listed(b, spec.AbsentServers) {
			t.Errorf("absent server %s is still a member", b.Server)
		}
		if spec.Membership == alb.MembershipOwned && !listed(b, spec.Servers) {
			t.Errorf("owned: unlisted member %s kept", b.Server)
		}
	}
	if spec.Membership != alb.MembershipOwned {
		for _, b := range before {
			if listed(b, spec.Servers) || listed(b, spec.AbsentServers) {
				continue
			}
			kept := false
			for _, a := range after {
				kept = kept || a.Server == b.Server
			}
			if !kept {
				t.Errorf("shared: unlisted member %s was changed or removed", b.Server)
			}
		}
	}
}

// matchesMember reports whether spec server s names member b: type, ID (an
// address in canonical form), port, and IP when s gives one.
func matchesMember(s alb.Server, b alb.BackendServer) bool {
	id, bid := s.ID, b.ID
	if s.Type == alb.ServerTypeIP {
		id, bid = canonIP(id), canonIP(bid)
	}
	port, bport := s.Port, b.Port
	if s.Type == alb.ServerTypeFc {
		port, bport = 0, 0
	}
	return s.Type == b.Type && id == bid && port == bport && (s.IP == "" || s.Type == alb.ServerTypeIP || canonIP(s.IP) == canonIP(b.IP))
}

func canonIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}

// genValidSGSpec draws generated specs without deviations until one is
// valid.
func genValidSGSpec(rng *rand.Rand) alb.ServerGroupSpec {
	for {
		data := make([]byte, 200)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		data[0] = 0
		s := genSGSpec(newChooser(data))
		s.IdempotencyKey = ""
		if s.Validate() == nil {
			return s
		}
	}
}

// mutateSGSpec returns a variant of a: attributes, tags and servers
// changed at random, now and then an attribute that cannot change in
// place.
func mutateSGSpec(rng *rand.Rand, a alb.ServerGroupSpec) alb.ServerGroupSpec {
	b := a
	b.Servers, b.AbsentServers, b.Tags = nil, nil, slices.Clone(a.Tags)
	fc := a.Type == alb.ServerGroupFc
	coin := func(n int) bool { return rng.IntN(n) == 0 }
	data := make([]byte, 64)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	data[0] = 0
	c := newChooser(data)
	if coin(4) {
		b.Name = []string{"web-2", "负载均衡", "ab"}[rng.IntN(3)]
	}
	if !fc && coin(3) {
		b.Scheduler = []alb.Scheduler{alb.SchedulerWrr, alb.SchedulerWlc, alb.SchedulerSch, ""}[rng.IntN(4)]
		b.URLHashParameter = ""
		if b.Scheduler == alb.SchedulerSch && coin(2) {
			b.URLHashParameter = []string{"uid", "sid"}[rng.IntN(2)]
		}
		if b.Scheduler != "" && b.Scheduler != alb.SchedulerWrr {
			b.SlowStartSeconds = 0
		}
	}
	if coin(3) {
		b.HealthCheck = genHealthCheck(c, !fc)
	}
	if !fc && coin(4) {
		b.StickySession = []alb.StickySession{{}, {Type: alb.StickyInsert}, {Type: alb.StickyInsert, CookieTimeoutSeconds: 99}, {Type: alb.StickyServer, Cookie: "sid"}}[rng.IntN(4)]
		if b.StickySession.Type != "" {
			b.DisableCrossZone = false
		}
	}
	if !fc && coin(4) {
		b.DisableCrossZone = !b.DisableCrossZone
		if b.DisableCrossZone {
			b.StickySession = alb.StickySession{}
		}
	}
	if !fc && coin(4) && (b.Scheduler == "" || b.Scheduler == alb.SchedulerWrr) {
		b.SlowStartSeconds = []int{0, 30, 120}[rng.IntN(3)]
	}
	if !fc && coin(4) {
		b.ConnectionDrain = []alb.ConnectionDrain{{}, {Enabled: true}, {Enabled: true, TimeoutSeconds: 600}}[rng.IntN(3)]
	}
	if coin(5) {
		b.IPVersionAffinity = []alb.IPVersionAffinityMode{"", alb.IPVersionAffinity, alb.IPVersionNonAffinity}[rng.IntN(3)]
	}
	if coin(4) {
		b.UpstreamKeepalive = !b.UpstreamKeepalive
	}
	if coin(5) {
		b.ResourceGroupID = []string{"", "rg-1", "rg-2"}[rng.IntN(3)]
	}
	switch rng.IntN(5) {
	case 0:
		b.Tags = append(b.Tags, alb.Tag{Key: "new", Value: "v"})
	case 1:
		if len(b.Tags) > 0 {
			b.Tags = b.Tags[1:]
		}
	case 2:
		if len(b.Tags) > 0 {
			b.Tags[0].Value = "changed"
		}
	}
	// What cannot change in place.
	switch rng.IntN(20) {
	case 0:
		if !fc {
			b.Protocol = []alb.BackendProtocol{alb.BackendHTTPS, alb.BackendGRPC}[rng.IntN(2)]
		}
	case 1:
		b.IPv6 = !b.IPv6
	case 2:
		if !fc {
			b.VPCID = albtest.DefaultOtherVPCID
		}
	}
	b.Membership = []alb.Membership{"", alb.MembershipShared, alb.MembershipOwned, alb.MembershipOwned}[rng.IntN(4)]
	for _, s := range a.Servers {
		switch rng.IntN(10) {
		case 0, 1:
			if coin(2) {
				b.AbsentServers = append(b.AbsentServers, s)
			}
			continue
		case 2, 3:
			if s.Type != alb.ServerTypeFc {
				s.Weight = rng.IntN(101)
			}
		case 4:
			s.Description = []string{"renamed", "web 2"}[rng.IntN(2)]
		case 5:
			if s.Type == alb.ServerTypeIP {
				s.RemoteIP = !s.RemoteIP
			}
		}
		b.Servers = append(b.Servers, s)
	}
	for i := range rng.IntN(4) {
		s := genServer(c, cmp.Or(a.Type, alb.ServerGroupInstance), 500+i, nil)
		b.Servers = append(b.Servers, s)
	}
	return b
}

// extraMembers are members someone else added (an autoscaler): servers
// of the group's type that a does not list.
func extraMembers(rng *rand.Rand, a alb.ServerGroupSpec) []alb.Server {
	var out []alb.Server
	for i := range rng.IntN(3) {
		switch a.Type {
		case alb.ServerGroupIP:
			out = append(out, alb.IPServer(fmt.Sprintf("172.16.9.%d", 1+i), 9000))
		case alb.ServerGroupFc:
			out = append(out, alb.FcServer(fmt.Sprintf("acs:fc:cn-hangzhou:123456789:functions/auto%d", i)))
		default:
			out = append(out, alb.ECSServer(albtest.ECSInstance2, 9000+i).WithWeight(rng.IntN(101)))
		}
	}
	return out
}

// simMember is a member as the service reports a server it added.
func simMember(s alb.Server) alb.BackendServer {
	st := &simState{}
	st.add(s)
	return st.servers[0]
}

// TestSimulationMatchesTheEmulator keeps the simulation honest: the group
// and members simCreate makes for a spec are those the emulator reports.
func TestSimulationMatchesTheEmulator(t *testing.T) {
	e := newSGEnv(t)
	rng := rand.New(rand.NewPCG(3, 4))
	compared := 0
	for i := range 150 {
		spec := genValidSGSpec(rng)
		o := e.run(t, spec, false)
		if o.code != "OK" {
			continue
		}
		compared++
		sim := simCreate(spec)
		got, want := normalizedForCompare(*o.group, o.servers), normalizedForCompare(sim.g, sim.servers)
		if got != want {
			t.Fatalf("spec %d: the emulator reports\n%s\nthe simulation\n%s\nspec %#v", i, got, want, spec)
		}
	}
	if compared < 100 {
		t.Errorf("only %d of 150 valid specs were created", compared)
	}
}

// normalizedForCompare prints what a group and its members say, without
// what only the emulator knows (ID, status, time, tags, resource group).
func normalizedForCompare(g alb.ServerGroup, servers []alb.BackendServer) string {
	g.ID, g.Status, g.CreatedAt, g.Tags, g.ResourceGroupID, g.ServerCount = "", "", time.Time{}, nil, "", 0
	g.HealthCheck.Codes = slices.Sorted(slices.Values(g.HealthCheck.Codes))
	var ss []string
	for _, b := range servers {
		b.ServerGroupID, b.Status = "", ""
		type plain alb.Server // without its String method
		ss = append(ss, fmt.Sprintf("%+v", plain(b.Server)))
	}
	slices.Sort(ss)
	return fmt.Sprintf("%+v\n%s", g, strings.Join(ss, "\n"))
}
