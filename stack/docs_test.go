package stack_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/albkit/albkit/stack"
)

// docExample is the stack file of the package documentation.
func docExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "//\tkey: shop")
	end := strings.Index(doc, "//\n// References are names")
	if start < 0 || end < start {
		t.Fatal("doc.go: the example stack file is not where the test looks")
	}
	var out strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(doc[start:end], "\n"), "\n") {
		out.WriteString(strings.TrimPrefix(strings.TrimPrefix(l, "//"), "\t") + "\n")
	}
	return out.String()
}

// readmeSection returns the README's section titled title.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", title)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	return sec
}

// fenced returns the content of the first ```lang block of text.
func fenced(t *testing.T, text, lang string) string {
	t.Helper()
	_, rest, ok := strings.Cut(text, "```"+lang+"\n")
	if !ok {
		t.Fatalf("no ```%s block", lang)
	}
	block, _, _ := strings.Cut(rest, "```")
	return block
}

// TestDocumentedFormat: the stack file of `go doc ./stack` and of the
// README is one and the same, decodes and validates, and the errors they
// quote are the ones a misspelling and a wrong reference give.
func TestDocumentedFormat(t *testing.T) {
	example := docExample(t)
	readme := readmeSection(t, "The whole ALB as one stack file")
	if got := fenced(t, readme, "yaml"); got != example {
		t.Fatalf("the README's stack file is not the package documentation's:\n%s\n---\n%s", got, example)
	}
	if _, err := stack.Decode([]byte(example), stack.FormatYAML); err != nil {
		t.Fatalf("the documented stack file: %v", err)
	}
	quoted := strings.Split(strings.TrimSpace(fenced(t, readme, "text")), "\n")
	for i, change := range []struct{ old, new string }{
		{"    protocol: HTTP", "    protocl: HTTP"},
		{"{serverGroupId: api}", "{serverGroupId: apii}"},
	} {
		if !strings.Contains(example, change.old) {
			t.Fatalf("the example lacks %q", change.old)
		}
		_, err := stack.Decode([]byte(strings.Replace(example, change.old, change.new, 1)), stack.FormatYAML)
		var fe *stack.FileError
		if !errors.As(err, &fe) {
			t.Fatalf("%v", err)
		}
		fe.Path = "stack.yaml"
		if !strings.Contains(fe.Error()+"\n", strings.TrimSpace(quoted[i])+"\n") {
			t.Errorf("the README quotes\n%s\nbut the error is\n%s", quoted[i], fe.Error())
		}
	}
	docGo, _ := os.ReadFile("doc.go")
	if !strings.Contains(string(docGo), "//\t"+quoted[0]+"\n") {
		t.Errorf("doc.go does not quote the error %q", quoted[0])
	}
}
