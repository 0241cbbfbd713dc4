package alb_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/albkit/albkit/alb"
)

// godocText is the text `go doc -all` shows of the package name in dir:
// the package overview and the doc comments of every exported declaration
// and struct field.
func godocText(t *testing.T, dir, name string) string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, f := range pkgs[name].Files {
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/albkit/albkit/"+name)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	add := func(s string) { b.WriteString(s); b.WriteString("\n") }
	decl := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Field:
				add(x.Doc.Text())
				add(x.Comment.Text())
			case *ast.ValueSpec:
				add(x.Doc.Text())
				add(x.Comment.Text())
			}
			return true
		})
	}
	add(p.Doc)
	for _, v := range append(p.Consts, p.Vars...) {
		add(v.Doc)
		decl(v.Decl)
	}
	for _, f := range p.Funcs {
		add(f.Doc)
	}
	for _, ty := range p.Types {
		add(ty.Doc)
		decl(ty.Decl)
		for _, v := range append(ty.Consts, ty.Vars...) {
			add(v.Doc)
			decl(v.Decl)
		}
		for _, f := range append(ty.Funcs, ty.Methods...) {
			add(f.Doc)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// Issue 17 item 12: `go doc ./alb` and the README agree on every limit
// they both state, and each is the value the code applies.
func TestDocAndReadmeAgreeOnLimits(t *testing.T) {
	godoc := godocText(t, ".", "alb")
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	for _, l := range []struct {
		name     string
		want     int
		patterns []string // each captures the number stated
	}{
		{"tags a spec may carry", alb.MaxUserTagsForTest, []string{
			`(?i)at most (\d+) tags`, `(?i)may carry (\d+)`, `(?i)Tags are attached at creation\. At most (\d+)`, `(?i)(\d+) tags? given`}},
		{"tags per instance", alb.MaxUserTagsForTest + 2, []string{`(?i)\((\d+) per instance`, `(?i)up to (\d+) tags per instance`, `(?i)an instance takes at most (\d+)`}},
		{"zone mappings", 10, []string{`(?i)at most (\d+) zone mappings`, `(?i)two to (ten|\d+) zones`}},
		{"create quota", alb.DefaultLoadBalancerQuota, []string{`(?i)DefaultLoadBalancerQuota\W+= (\d+)`, `(?i)quota \(default (\d+)`}},
		{"preflight timeout (s)", int(alb.DefaultPreflightTimeout / time.Second), []string{`(?i)WithPreflightTimeout\W*, default (\d+) s`}},
		{"bulk concurrency", 8, []string{`(?i)at most (\d+) at a time`, `(?i)items in flight at once \[(\d+)\]`}},
		{"idempotency key length", 64, []string{`(?i)idempotency key is at most (\d+) characters`, `(?i)ASCII, at most (\d+) characters`}},
	} {
		found := map[string]int{}
		for where, text := range map[string]string{"go doc": godoc, "README": readme} {
			for _, p := range l.patterns {
				for _, m := range regexp.MustCompile(p).FindAllStringSubmatch(text, -1) {
					n, err := strconv.Atoi(m[1])
					if m[1] == "ten" {
						n, err = 10, nil
					}
					if err != nil || n != l.want {
						t.Errorf("%s: %s says %q; the code's limit is %d", l.name, where, m[0], l.want)
					}
					found[where]++
				}
			}
		}
		if found["go doc"] == 0 && found["README"] == 0 {
			t.Errorf("%s: stated nowhere; the patterns are stale", l.name)
		}
	}
	// No stale tag limit anywhere.
	stale := regexp.MustCompile(`(?i)(carry|at most|up to) 19\b|\b19 tags`)
	for where, text := range map[string]string{"go doc": godoc, "README": readme} {
		if m := stale.FindString(text); m != "" {
			t.Errorf("%s states a tag limit of 19: %q", where, m)
		}
	}
}

// Issue 17 item 12: a doc says what it means instead of pointing at a
// source file ("the release kinds are in release.go").
func TestDocPointsAtNoSourceFile(t *testing.T) {
	for dir, name := range map[string]string{".": "alb", "albtest": "albtest"} {
		if m := regexp.MustCompile(`\b[a-z_*]+\.go\b`).FindAllString(godocText(t, dir, name), -1); len(m) > 0 {
			t.Errorf("go doc of %s points at source files: %q", name, m)
		}
	}
}
