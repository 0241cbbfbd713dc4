package alb_test

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
)

// genSGSpec builds a server group spec from the chooser (see chooser in
// differential_test.go): with no deviation, a valid spec of albtest's
// default world (its VPC, ECS instances, ENI and container group). The
// group type, the protocols and the optional features are drawn whatever
// the deviation rate, so that valid specs cover them; deviations break
// ranges, enums, combinations and membership.
func genSGSpec(c *chooser) alb.ServerGroupSpec {
	typ := []alb.ServerGroupType{alb.ServerGroupInstance, alb.ServerGroupInstance, alb.ServerGroupInstance, alb.ServerGroupIP,
		alb.ServerGroupIP, alb.ServerGroupIP, alb.ServerGroupFc, alb.ServerGroupFc}[c.any(8)]
	fc := typ == alb.ServerGroupFc
	s := alb.NewServerGroupSpec(c.text("sg-1"), typ, albtest.DefaultVPCID)
	if fc {
		s.VPCID = ""
	}
	s.Type = alb.ServerGroupType(c.oneOf(string(typ), "", "ip", "Ecs", "Instance"))
	if fc {
		s.VPCID = c.oneOf("", albtest.DefaultVPCID)
	} else {
		s.VPCID = c.oneOf(s.VPCID, "", albtest.DefaultOtherVPCID, "vpc-nope", "VPC-1", "vpc-")
	}
	if !fc {
		s.Protocol = alb.BackendProtocol([]string{"HTTP", "HTTPS", "gRPC", "GRPC", ""}[c.any(5)])
	}
	s.Protocol = alb.BackendProtocol(c.oneOf(string(s.Protocol), "http", "HTTP2", "HTTPS", "HTTP"))
	if !fc {
		s.Scheduler = alb.Scheduler([]string{"Wrr", "Wlc", "Sch", "", "Wrr"}[c.any(5)])
	}
	s.Scheduler = alb.Scheduler(c.oneOf(string(s.Scheduler), "Uch", "wrr", "RR", "Wrr"))
	switch c.any(6) {
	case 0:
		if !fc {
			s = s.WithURLHash("uid")
		}
	case 1:
		s.URLHashParameter = c.oneOf("", "uid", strings.Repeat("q", 100), strings.Repeat("q", 101), "clé", "a b", "\x01")
	}

	s.HealthCheck = genHealthCheck(c, s.HealthCheck.Enabled)

	if !fc {
		switch c.any(5) {
		case 1:
			s = s.WithStickyInsert([]int{0, 1, 86400, 600}[c.any(4)])
		case 2:
			s = s.WithStickyServer(c.oneOf("sid", "", "a;b", "$sid", strings.Repeat("c", 200), strings.Repeat("c", 201), "a b", "é"))
		}
	}
	switch c.pick(6) {
	case 1:
		s.StickySession.Type = alb.StickySessionType(c.oneOf("Insert", "Server", "insert", "Cookie"))
	case 2:
		s.StickySession.CookieTimeoutSeconds = []int{60, 0, 86401, -1}[c.any(4)]
	case 3:
		s.StickySession.Cookie = c.oneOf("sid", "x,y")
	case 4:
		if fc {
			s = s.WithStickyInsert(0)
		}
	}
	if !fc && c.any(4) == 0 {
		s.SlowStartSeconds = []int{30, 900, 60}[c.any(3)]
	}
	if c.pick(3) != 0 {
		s.SlowStartSeconds = []int{29, 901, -1, 30}[c.any(4)]
	}
	if !fc && c.any(4) == 0 {
		s = s.WithConnectionDrain([]int{0, 300, 900}[c.any(3)])
	}
	switch c.pick(4) {
	case 1:
		s.ConnectionDrain.TimeoutSeconds = []int{901, -1, 30}[c.any(3)]
	case 2:
		s.ConnectionDrain.Enabled = !s.ConnectionDrain.Enabled
	case 3:
		s.ConnectionDrain = alb.ConnectionDrain{TimeoutSeconds: 30}
	}
	if !fc && s.StickySession.Type == "" && c.any(6) == 0 || c.pick(2) != 0 {
		s.DisableCrossZone = true
	}
	if typ == alb.ServerGroupIP && c.any(4) == 0 || c.pick(2) != 0 {
		s.IPv6 = true
	}
	if c.any(6) == 0 {
		s.IPVersionAffinity = alb.IPVersionAffinityMode(c.oneOf("Affinity", "NonAffinity", "Sticky", "affinity"))
	}
	s.UpstreamKeepalive = c.any(3) == 0
	s.ResourceGroupID = c.oneOf("", "rg-acfm2abc", "group-1", "rg-")
	for i := range []int{0, 1, 3, 18, 19, 2}[c.pick(6)] {
		s.Tags = append(s.Tags, alb.Tag{Key: c.tagKey(i, s.Tags), Value: c.tagValue()})
	}
	s.IdempotencyKey = c.idempotencyKey()
	s.Membership = alb.Membership(c.oneOf("", "Owned", "Shared", "Exclusive"))

	n := []int{2, 1, 0, 3, 4}[c.any(5)]
	if d := c.pick(4); d != 0 {
		n = []int{0, 201, 1001}[d-1]
	}
	for i := range n {
		s.Servers = append(s.Servers, genServer(c, typ, i, s.Servers))
	}
	switch c.pick(4) {
	case 1:
		s.AbsentServers = append(s.AbsentServers, genServer(c, typ, n+7, nil))
	case 2:
		if len(s.Servers) > 0 {
			s.AbsentServers = append(s.AbsentServers, s.Servers[0])
		}
	case 3:
		s.AbsentServers = append(s.AbsentServers, alb.IPServer("10.9.9.9", 80))
	}
	return s
}

// genHealthCheck draws a health check: enabled as the type's default
// (rarely flipped), any protocol, fields valid for it or not.
func genHealthCheck(c *chooser, enabled bool) alb.HealthCheck {
	h := alb.HealthCheck{Enabled: enabled}
	if c.any(10) == 0 {
		h.Enabled = !h.Enabled
	}
	h.Protocol = alb.HealthCheckProtocol([]string{"", "HTTP", "HTTPS", "TCP", "gRPC", "GRPC"}[c.any(6)])
	h.Protocol = alb.HealthCheckProtocol(c.oneOf(string(h.Protocol), "UDP", "tcp", "Grpc"))
	p := h.Protocol
	httpish := p == "" || p == "HTTP" || p == "HTTPS"
	grpc := p == "gRPC" || p == "GRPC"
	if c.any(3) == 0 {
		h.Port = []int{80, 65535, 8080}[c.any(3)]
	}
	h.Port = []int{h.Port, 65536, -1, 0}[c.pick(4)]
	if (httpish || grpc) && c.any(3) == 0 {
		h.Host = []string{"www.example.com", "$SERVER_IP", "Tf-TestAcc.com", "a-b.c.d"}[c.any(4)]
	}
	h.Host = c.oneOf(h.Host, "localhost", "www.example.c0m", "-a.example.com", "a.example.com.", "a_b.example.com", strings.Repeat("a", 78)+".com", "a.b", "10.0.0.1", "www.example.com")
	if httpish && c.any(3) == 0 {
		h.Path = []string{"/health", "/", "/a?b=c&d=[e]", "/" + strings.Repeat("p", 79)}[c.any(4)]
	}
	h.Path = c.oneOf(h.Path, "health", "/a b", "/"+strings.Repeat("p", 80), "/é", "/health")
	if (httpish || grpc) && c.any(3) == 0 {
		h.Method = []string{"GET", "POST", "HEAD"}[c.any(3)]
	}
	h.Method = c.oneOf(h.Method, "PUT", "get", "GET")
	if httpish && c.any(4) == 0 {
		h.HTTPVersion = []string{"HTTP1.0", "HTTP1.1"}[c.any(2)]
	}
	h.HTTPVersion = c.oneOf(h.HTTPVersion, "HTTP 1.1", "HTTP 1.0", "HTTP2", "http1.1", "HTTP1.1")
	switch {
	case httpish && c.any(3) == 0:
		h.Codes = [][]string{{"http_2xx"}, {"http_2xx", "http_3xx"}, {"http_4xx", "http_5xx", "http_2xx"}}[c.any(3)]
	case grpc && c.any(3) == 0:
		h.Codes = [][]string{{"0"}, {"0", "0-5"}, {"12-99", "99"}}[c.any(3)]
	}
	switch c.pick(8) {
	case 1:
		h.Codes = []string{"HTTP_2XX"}
	case 2:
		h.Codes = []string{"0", "http_2xx"}
	case 3:
		h.Codes = []string{"100"}
	case 4:
		h.Codes = []string{"5-1"}
	case 5:
		for range 21 {
			h.Codes = append(h.Codes, "http_2xx")
		}
	case 6:
		h.Codes = []string{"http_2xx"}
	case 7:
		h.Codes = []string{[]string{"-1", "+1", "1-", "01"}[c.any(4)]}
	}
	if c.any(3) == 0 {
		h.IntervalSeconds = []int{1, 50, 5}[c.any(3)]
		h.TimeoutSeconds = []int{1, 300, 3}[c.any(3)]
		h.HealthyThreshold = []int{2, 10, 4}[c.any(3)]
		h.UnhealthyThreshold = []int{2, 10, 4}[c.any(3)]
	}
	switch c.pick(5) {
	case 1:
		h.IntervalSeconds = []int{51, -1}[c.any(2)]
	case 2:
		h.TimeoutSeconds = []int{301, -1}[c.any(2)]
	case 3:
		h.HealthyThreshold = []int{1, 11}[c.any(2)]
	case 4:
		h.UnhealthyThreshold = []int{1, 11}[c.any(2)]
	}
	return h
}

// genServer draws the i-th server of a group of type typ (prev are the
// servers so far): a member of the default world, or a deviation.
func genServer(c *chooser, typ alb.ServerGroupType, i int, prev []alb.Server) alb.Server {
	var s alb.Server
	switch typ {
	case alb.ServerGroupIP:
		s = alb.IPServer(fmt.Sprintf("10.%d.%d.%d", 1+i/62500, i/250%250, 1+i%250), 80+c.any(3))
		switch c.any(8) {
		case 0:
			s.ID = []string{"127.0.0.1", "2408:4000::" + strconv.Itoa(i+1), "::ffff:10.0.0." + strconv.Itoa(1+i%250), "192.168.0." + strconv.Itoa(1+i%250)}[c.any(4)]
			s.ID = normalizeForIndex(s.ID, i)
		case 1:
			s.IP = s.ID
		case 2:
			s.RemoteIP = true
		}
	case alb.ServerGroupFc:
		s = alb.FcServer(fmt.Sprintf("acs:fc:cn-hangzhou:123456789:functions/f%d", i))
	default:
		switch c.any(5) {
		case 0:
			s = alb.ECSServer(albtest.ECSInstance1, 80)
		case 1:
			s = alb.ECSServer(albtest.ECSInstance2, 80)
		case 2:
			s = alb.ENIServer(albtest.ENI1, []string{"10.0.1.20", "10.0.1.21"}[c.any(2)], 80)
		case 3:
			s = alb.ECIServer(albtest.ECI1, "", 80)
		default:
			s = alb.ECSServer(albtest.ECSInstance1, 80)
		}
		s.Port = 80 + i // distinct members
	}
	if typ != alb.ServerGroupFc {
		s.Weight = []int{100, 0, 1, 50}[c.any(4)]
	}
	if c.any(4) == 0 {
		s.Description = []string{"ab", "web server", strings.Repeat("描", 256)}[c.any(3)]
	}
	switch c.pick(20) {
	case 1:
		s.Type = alb.ServerType(c.oneOf("Ip", "Ecs", "Fc", "ecs", "Vm", ""))
	case 2:
		s.ID = c.oneOf("", "i-nope", albtest.ECSInstanceOther, "web.local", "fe80::1%eth0", "acs:fc:x", "web")
	case 3:
		s.Port = []int{0, 65536, -1, 65535}[c.any(4)]
	case 4:
		s.Weight = []int{-1, 101, 100}[c.any(3)]
	case 5:
		s.Description = c.oneOf("a", "http://x", "HTTPS://x", strings.Repeat("d", 257), "d\xff", "ok")
	case 6:
		s.IP = c.oneOf("10.0.1", "10.0.1.21", "10.0.1.10", "2408:4000::9", "fe80::1%eth0", "10.0.9.9")
	case 7:
		if len(prev) > 0 {
			return prev[c.any(len(prev))]
		}
	case 8:
		s.RemoteIP = true
	case 9:
		if typ != alb.ServerGroupIP && typ != alb.ServerGroupFc {
			s = alb.ENIServer(albtest.ENI1, c.oneOf("", "10.0.1.20", "10.0.1.21"), 80+i)
		}
	case 10:
		if len(prev) > 0 {
			d := prev[c.any(len(prev))]
			d.IP = c.oneOf("", "10.0.1.20", "10.0.1.21", d.ID)
			return d
		}
	}
	return s
}

// normalizeForIndex keeps generated Ip server IDs distinct per index.
func normalizeForIndex(id string, i int) string {
	if id == "127.0.0.1" && i > 0 {
		return "127.0.0." + strconv.Itoa(1+i%250)
	}
	return id
}
