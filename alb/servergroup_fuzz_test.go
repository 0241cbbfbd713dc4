package alb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
)

// FuzzServerGroupValidate builds server group specs from fuzzed bytes (the
// differential generator) and a fuzzed text put into the field the number
// selects, and checks that Validate never panics, answers nil or a
// well-formed *ValidationError whose rules all apply to server groups in
// Rules(), is deterministic, and that a spec it accepts converts into
// requests (create, add servers, a plan from nothing and from its own
// group) without panicking.
func FuzzServerGroupValidate(f *testing.F) {
	f.Add([]byte{0}, "web", uint8(0))
	f.Add([]byte{255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "/health?x=[1]", uint8(3))
	f.Add([]byte("\x20 fuzz seed"), "a.example.com", uint8(2))
	f.Add([]byte("\x80\x00\x00\x00"), "sid;", uint8(4))
	f.Add([]byte("\x10"), "2408:4000::1", uint8(6))
	f.Add([]byte("\x10"), "\xff\x00é", uint8(9))

	ids := map[string]bool{}
	for _, r := range alb.Rules() {
		if r.Applies(alb.ScopeServerGroup) {
			ids[r.ID] = true
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, text string, field uint8) {
		s := genSGSpec(newChooser(data))
		switch field % 12 {
		case 0:
			s.Name = text
		case 1:
			s.URLHashParameter = text
		case 2:
			s.HealthCheck.Host = text
		case 3:
			s.HealthCheck.Path = text
		case 4:
			s.StickySession = alb.StickySession{Type: alb.StickyServer, Cookie: text}
		case 5:
			s.HealthCheck.Codes = strings.Split(text, ",")
		case 6:
			s.Servers = append(s.Servers, alb.Server{Type: alb.ServerTypeIP, ID: text, Port: 80})
		case 7:
			s.Servers = append(s.Servers, alb.ENIServer("eni-1", text, 80))
		case 8:
			s.Servers = append(s.Servers, alb.ECSServer("i-1", 80).WithDescription(text))
		case 9:
			s.Tags = append(s.Tags, alb.Tag{Key: text, Value: text})
		case 10:
			s.IdempotencyKey = text
		case 11:
			s.AbsentServers = append(s.AbsentServers, alb.Server{Type: alb.ServerType(text), ID: text})
		}
		err := s.Validate()
		if err != nil {
			if !errors.Is(err, alb.ErrInvalidSpec) {
				t.Fatalf("errors.Is(err, ErrInvalidSpec) = false for %v", err)
			}
			var ve *alb.ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("not a *ValidationError with violations: %T %v", err, err)
			}
			for _, fe := range ve.Errors {
				if fe.Field == "" || fe.Message == "" || !ids[fe.Rule] {
					t.Fatalf("malformed violation, or a rule that Rules() does not list for server groups: %#v", fe)
				}
			}
		}
		if again := s.Validate(); errString(again) != errString(err) {
			t.Fatalf("Validate is not deterministic:\n%v\n%v", err, again)
		}
		if err != nil {
			return
		}
		req := alb.CreateServerGroupRequestForTest(s, "tok", false)
		if tea.StringValue(req.ServerGroupName) != s.Name || req.HealthCheckConfig == nil || req.HealthCheckConfig.HealthCheckEnabled == nil {
			t.Fatalf("create request %v", req)
		}
		if add := alb.AddServersRequestForTest("sgp-1", s.Servers, "", false); len(add.Servers) != len(s.Servers) {
			t.Fatalf("add request of %d servers for %d", len(add.Servers), len(s.Servers))
		}
		if p := alb.DiffServerGroup(s, nil, nil); !p.Create || len(p.AddServers) != len(s.Servers) {
			t.Fatalf("plan from nothing: %s", p)
		}
		st := simCreate(s)
		if p := alb.DiffServerGroup(s, &st.g, st.servers); !p.Empty() {
			t.Fatalf("the group created from a valid spec does not diff empty:\n%s", p)
		}
	})
}
