package stack_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/routing"
	"github.com/albkit/albkit/stack"
)

// shopStack is examples/converge/stack.yaml built in Go.
func shopStack() stack.Stack {
	return stack.Stack{
		Key: "shop",
		Instance: alb.NewInstanceSpec(albtest.DefaultVPCID, alb.Internet, alb.EditionStandard,
			alb.Zone(albtest.ZoneH, albtest.VSwitchH), alb.Zone(albtest.ZoneI, albtest.VSwitchI)).WithName("shop").WithTag("team", "shop"),
		ServerGroups: []alb.ServerGroupSpec{
			alb.NewServerGroupSpec("api", alb.ServerGroupIP, "").WithHealthCheck(alb.HTTPHealthCheck("/healthz").WithCodes("http_2xx")).
				WithServers(alb.IPServer("10.0.1.10", 8080), alb.IPServer("10.0.2.10", 8080)),
			alb.NewServerGroupSpec("api-v2", alb.ServerGroupIP, "").
				WithServers(alb.IPServer("10.0.1.20", 8080).WithWeight(50), alb.IPServer("10.0.2.20", 8080).WithWeight(50)),
			alb.NewServerGroupSpec("web", alb.ServerGroupIP, "").WithStickyInsert(3600).
				WithServers(alb.IPServer("10.0.1.30", 80), alb.IPServer("10.0.2.30", 80)),
		},
		Listeners: []stack.Listener{{Name: "http", ListenerSpec: alb.NewListenerSpec("", alb.ListenerHTTP, 80, "web").WithRules(
			alb.NewRuleSpec("api-host", 10, routing.Host("api.example.com")).Then(routing.ForwardTo("api")),
			alb.NewRuleSpec("v2-path", 20, routing.Path("/v2/*")).
				Then(routing.InsertHeader("X-Api-Version", "2"), routing.Forward(routing.Weighted("api", 90), routing.Weighted("api-v2", 10))),
			alb.NewRuleSpec("legacy", 30, routing.Path("/legacy/*")).Then(routing.FixedResponse("410", "text/plain", "gone")),
		)}},
	}
}

// sameStack compares two stacks by their JSON (nil and empty lists
// alike).
func sameStack(t *testing.T, got, want stack.Stack) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	if string(g) != string(w) {
		t.Fatalf("decoded:\n%s\nwant:\n%s", g, w)
	}
}

// TestLoadExample: the committed example decodes, with the constructors'
// defaults, to the same stack as built in Go, and validates.
func TestLoadExample(t *testing.T) {
	s, err := stack.Load("../examples/converge/stack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sameStack(t, s, shopStack())
}

// TestEveryFieldHasAFileName: every field a stack file can set is named
// by a json (or yaml) tag, so the file's names are the JSON names of the
// Go types, for goccy/go-yaml (which reads json tags when there is no
// yaml tag) and encoding/json alike.
func TestEveryFieldHasAFileName(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous && f.Tag.Get("yaml") == ",inline" {
				walk(f.Type, path)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				t.Errorf("%s.%s (%s) has no json name", path, f.Name, typ)
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeFor[stack.Stack](), "Stack")
	if !seen[reflect.TypeFor[routing.ForwardGroupConfig]()] || !seen[reflect.TypeFor[alb.HealthCheck]()] {
		t.Fatal("the walk missed the nested types")
	}
}

// TestJSONRoundTrip: a stack as encoding/json writes it decodes, as JSON
// and as the same content in YAML's flow style, to the same stack.
func TestJSONRoundTrip(t *testing.T) {
	for name, s := range map[string]stack.Stack{"shop": shopStack(), "web": webStack()} {
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []stack.Format{stack.FormatJSON, stack.FormatAuto, stack.FormatYAML} {
			got, err := stack.Decode(b, format)
			if err != nil {
				t.Fatalf("%s as %q: %v", name, format, err)
			}
			sameStack(t, got, s)
		}
	}
}

// fileErr decodes doc and returns its *FileError.
func fileErr(t *testing.T, doc string, format stack.Format) *stack.FileError {
	t.Helper()
	_, err := stack.Decode([]byte(doc), format)
	var fe *stack.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("Decode(%q): %v, not a *FileError", doc, err)
	}
	if !errors.Is(err, alb.ErrInvalidSpec) {
		t.Errorf("errors.Is(%v, alb.ErrInvalidSpec) is false", err)
	}
	return fe
}

const miniStack = `key: mini
instance:
  vpcId: vpc-albtest0001
  addressType: Intranet
  edition: Standard
  zoneMappings:
    - {zoneId: cn-hangzhou-h, vSwitchId: vsw-albtest-h}
    - {zoneId: cn-hangzhou-i, vSwitchId: vsw-albtest-i}
serverGroups:
  - name: api
    type: Ip
    servers:
      - {type: Ip, id: 10.0.1.10, port: 8080}
listeners:
  - name: http
    protocol: HTTP
    port: 80
    defaultServerGroupIds: [api]
    rules:
      - name: api-host
        priority: 10
        conditions: [{type: Host, values: [api.example.com]}]
        actions: [{type: ForwardGroup, forwardGroup: {serverGroups: [{serverGroupId: api}]}}]
`

// TestDecodeErrorsArePositioned: each decoding error says where, what,
// and for a misspelled field what was meant.
func TestDecodeErrorsArePositioned(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(miniStack, old) {
			t.Fatalf("miniStack lacks %q", old)
		}
		return strings.Replace(miniStack, old, new, 1)
	}
	for _, tc := range []struct {
		name         string
		doc          string
		format       stack.Format
		line, column int
		field        string
		message      string
	}{
		{"misspelled field", replace("    protocol: HTTP", "    protocl: HTTP"), "", 16, 5, "listeners[0].protocl", `unknown field "protocl": did you mean "protocol"?`},
		{"truncated field", replace("    port: 80", "    prot: 80"), "", 17, 5, "listeners[0].prot", `did you mean "protocol"?`},
		{"nested misspelling", replace("conditions: [{type: Host,", "conditions: [{typ: Host,"), "", 22, 23, "listeners[0].rules[0].conditions[0].typ", `did you mean "type"?`},
		{"unknown field", replace("  edition: Standard", "  edition: Standard\n  colour: blue"), "", 6, 3, "instance.colour", "the fields of alb.InstanceSpec are name, vpcId,"},
		{"unknown top-level field", "key: k\nlisteners: []\nrouting: {}\n", "", 3, 1, "routing", `unknown field "routing"`},
		{"type mismatch", replace("    port: 80\n", "    port: eighty\n"), "", 17, 11, "listeners[0].port", `the string "eighty" where a whole number is expected`},
		{"list expected", replace("defaultServerGroupIds: [api]", "defaultServerGroupIds: api"), "", 18, 28, "listeners[0].defaultServerGroupIds", "sequence"},
		{"duplicate key", replace("    port: 80", "    port: 80\n    port: 81"), "", 18, 5, "", `"port" already defined`},
		{"syntax", "key: [unclosed\n", "", 1, 6, "", "']'"},
		{"second document", miniStack + "---\nkey: other\n", "", 25, 1, "", "one stack"},
		{"not a mapping", "- key: k\n", "", 1, 1, "", "not a sequence"},
		{"empty", "# nothing\n", "", 0, 0, "", "empty"},
		{"bad JSON", "{\"key\": \"k\",\n \"instance\": {,}}", stack.FormatJSON, 2, 15, "", "not JSON"},
		{"JSON array", "[1]", stack.FormatJSON, 1, 1, "", "JSON object"},
		{"JSON unknown field", "{\"key\": \"k\",\n \"listeners\": [{\"name\": \"a\", \"portt\": 80}]}", "", 2, 30, "listeners[0].portt", `did you mean "port"?`},
		{"unknown format", "key: k", "toml", 0, 0, "", `unknown format "toml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := fileErr(t, tc.doc, tc.format)
			if fe.Line != tc.line || fe.Column != tc.column || fe.Field != tc.field || !strings.Contains(fe.Message, tc.message) {
				t.Fatalf("got %d:%d %q %q\nwant %d:%d %q …%q…", fe.Line, fe.Column, fe.Field, fe.Message, tc.line, tc.column, tc.field, tc.message)
			}
			if len(fe.Problems) != 0 {
				t.Errorf("a decoding error with problems: %v", fe.Problems)
			}
			if tc.line > 0 && !strings.Contains(fe.Source, ">") {
				t.Errorf("no source excerpt: %q", fe.Source)
			}
			if tc.line > 0 && !strings.HasPrefix(fe.Error(), "stack:") {
				t.Errorf("Error() = %q", fe.Error())
			}
		})
	}
}

// TestValidationProblemsAreLocated: a stack that decodes but does not
// validate reports every problem of Validate at its line, and the stack
// comes back with the error.
func TestValidationProblemsAreLocated(t *testing.T) {
	doc := strings.Replace(miniStack, "serverGroupId: api}", "serverGroupId: apii}", 1)
	doc = strings.Replace(doc, "  - name: api\n    type: Ip", "  - name: api\n    type: Ip\n    healthCheck: {enabled: true, intervalSeconds: 99}", 1)
	doc = strings.Replace(doc, "key: mini", "key: mini stack", 1)
	s, err := stack.Decode([]byte(doc), stack.FormatYAML)
	var fe *stack.FileError
	var se *stack.Error
	if !errors.As(err, &fe) || !errors.As(err, &se) || !errors.Is(err, alb.ErrInvalidSpec) {
		t.Fatalf("Decode: %v", err)
	}
	if s.Key != "mini stack" || len(s.Listeners) != 1 {
		t.Fatalf("the stack is not returned with the error: %+v", s)
	}
	if len(fe.Problems) != len(se.Problems) {
		t.Fatalf("%d located problems for %d", len(fe.Problems), len(se.Problems))
	}
	want := map[string]struct {
		line, col int
		field     string
	}{
		stack.RuleKey:       {1, 1, "key"},
		stack.RuleReference: {24, 86, "listeners[0].rules[0].actions[0].forwardGroup.serverGroups[0].serverGroupId"},
		"range":             {12, 34, "serverGroups[0].healthCheck.intervalSeconds"},
	}
	for _, p := range fe.Problems {
		rule := p.Rule
		if strings.Contains(p.Message, "IntervalSeconds") || strings.Contains(p.Field, "intervalSeconds") {
			rule = "range"
		}
		w, ok := want[rule]
		if !ok {
			continue
		}
		delete(want, rule)
		if p.Line != w.line || p.Column != w.col || p.Field != w.field {
			t.Errorf("%s: at %d:%d %q, want %d:%d %q", p.Rule, p.Line, p.Column, p.Field, w.line, w.col, w.field)
		}
	}
	if len(want) > 0 {
		t.Errorf("problems not reported: %v\n%v", want, err)
	}
	if !strings.Contains(err.Error(), "stack:24:86: listener http: listeners[0].rules[0].actions[0].forwardGroup.serverGroups[0].serverGroupId: server group \"apii\"") {
		t.Errorf("Error():\n%v", err)
	}
	if !strings.Contains(fe.Source, "key: mini stack") {
		t.Errorf("source excerpt of the first problem:\n%s", fe.Source)
	}
}

// TestDefaults: fields left out take the constructors' values; fields
// written keep theirs, zero included; aliases and merge keys count as
// written.
func TestDefaults(t *testing.T) {
	doc := strings.Replace(miniStack, `      - {type: Ip, id: 10.0.1.10, port: 8080}`, `      - {type: Ip, id: 10.0.1.10, port: 8080, weight: 0}
      - {type: Ip, id: 10.0.1.11, port: 8080}
  - name: bare
    type: Ip
    scheduler: Wlc
    healthCheck: {enabled: false}
  - name: fn
    type: Fc
    servers: [{type: Fc, id: "acs:fc:cn-hangzhou:1:functions/f"}]`, 1)
	doc = strings.Replace(doc, `actions: [{type: ForwardGroup, forwardGroup: {serverGroups: [{serverGroupId: api}]}}]`,
		`actions: [{type: InsertHeader, insertHeader: {key: X-A, value: b, valueType: UserDefined}}, {type: ForwardGroup, forwardGroup: {serverGroups: [{serverGroupId: api}, &zero {serverGroupId: bare, weight: 0}]}}]
      - name: merged
        priority: 20
        conditions: [{type: Path, values: [/m]}]
        actions:
          - <<: {type: ForwardGroup}
            forwardGroup: {serverGroups: [*zero]}`, 1)
	s, err := stack.Decode([]byte(doc), "")
	if err != nil {
		t.Fatal(err)
	}
	api, bare, fn := s.ServerGroups[0], s.ServerGroups[1], s.ServerGroups[2]
	if w := []int{api.Servers[0].Weight, api.Servers[1].Weight}; w[0] != 0 || w[1] != 100 {
		t.Errorf("server weights %v, want [0 100] (written, default)", w)
	}
	if api.Protocol != alb.BackendHTTP || api.Scheduler != alb.SchedulerWrr || !api.HealthCheck.Enabled {
		t.Errorf("api group defaults: %+v", api)
	}
	if bare.Scheduler != alb.SchedulerWlc || bare.Protocol != alb.BackendHTTP || bare.HealthCheck.Enabled {
		t.Errorf("bare group: written values replaced: %+v", bare)
	}
	if fn.Protocol != "" || fn.Scheduler != "" || fn.HealthCheck.Enabled || fn.Servers[0].Weight != 0 {
		t.Errorf("Fc group: defaults of Instance and Ip groups applied: %+v", fn)
	}
	if s.Instance.IPVersion != alb.IPv4 || s.Instance.Billing != alb.PayAsYouGo {
		t.Errorf("instance defaults: %+v", s.Instance)
	}
	acts := s.Listeners[0].Rules[0].Actions
	if acts[0].Order != 1 || acts[1].Order != 2 {
		t.Errorf("action orders %d, %d; want 1, 2", acts[0].Order, acts[1].Order)
	}
	if tu := acts[1].ForwardGroup.ServerGroups; tu[0].Weight != 100 || tu[1].Weight != 0 {
		t.Errorf("forward weights %+v", tu)
	}
	// Through a merge key and an alias.
	merged := s.Listeners[0].Rules[1].Actions[0]
	if merged.Type != routing.ActionForwardGroup || merged.Order != 1 || merged.ForwardGroup.ServerGroups[0].Weight != 0 {
		t.Errorf("merged action %+v %+v", merged, merged.ForwardGroup)
	}
}

// TestLoad: the format by the extension, the path in errors, and a file
// that cannot be read is an *fs.PathError.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	b, _ := json.Marshal(shopStack())
	jsonPath := filepath.Join(dir, "shop.json")
	if err := os.WriteFile(jsonPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := stack.Load(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	sameStack(t, s, shopStack())

	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("key: k\ninstanse: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = stack.Load(bad)
	var fe *stack.FileError
	if !errors.As(err, &fe) || fe.Path != bad || !strings.HasPrefix(err.Error(), bad+":2:1: instanse: unknown field \"instanse\": did you mean \"instance\"?") {
		t.Fatalf("Load(bad): %v", err)
	}
	_, err = stack.Load(filepath.Join(dir, "missing.yaml"))
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || errors.As(err, &fe) {
		t.Fatalf("Load(missing): %v", err)
	}
	for path, want := range map[string]stack.Format{"a.json": stack.FormatJSON, "a.YAML": stack.FormatYAML, "a.yml": stack.FormatYAML, "a.txt": stack.FormatAuto, "stack": stack.FormatAuto} {
		if got := stack.FormatOf(path); got != want {
			t.Errorf("FormatOf(%q) = %q, want %q", path, got, want)
		}
	}
}
