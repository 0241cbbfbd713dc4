package stack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/printer"
	"github.com/goccy/go-yaml/token"

	"github.com/albkit/albkit/alb"
)

// Format is the format of a stack file.
type Format string

// The formats of a stack file. JSON is decoded by the same strict decoder
// as YAML (JSON is YAML), after a check that it is JSON, so both report
// positions the same way.
const (
	// FormatAuto detects the format: JSON when the content starts with
	// '{', YAML otherwise. [Load] decides by the extension first.
	FormatAuto Format = ""
	FormatYAML Format = "yaml"
	FormatJSON Format = "json"
)

// FormatOf returns the format a file name's extension says: JSON for
// ".json", YAML for ".yaml" and ".yml", FormatAuto otherwise.
func FormatOf(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON
	case ".yaml", ".yml":
		return FormatYAML
	}
	return FormatAuto
}

// FileError is a stack file that does not make a valid stack, located in
// the file. It is either a decoding error (a syntax error, a field the
// format does not have, a value of the wrong type, a duplicate key: Err is
// then goccy/go-yaml's error or encoding/json's *json.SyntaxError, and
// Problems is empty), or a stack that decodes but does not validate (Err
// is then the *[Error] of [Stack.Validate], and Problems locates each of
// its problems). errors.Is(err, [alb.ErrInvalidSpec]) holds for both, and
// errors.As finds the *[Error] of a validation.
type FileError struct {
	// Path is the file's path ("" when decoded from bytes by [Decode]).
	Path string
	// Line and Column locate the (first) problem, from 1; 0 when the
	// position is not known.
	Line, Column int
	// Field is the path of the offending node in the file, such as
	// "listeners[0].rules[1].priority" ("" when not known).
	Field string
	// Message says what is wrong (the first problem of a validation).
	Message string
	// Source is the file's lines around the position with a caret under
	// it, for people ("" when the position is not known).
	Source string
	// Problems are the validation's problems, each with its position.
	Problems []FileProblem
	// Err is the cause.
	Err error
}

// FileProblem is a [Problem] of a stack decoded from a file, with the
// position of the offending node: the field itself when the file has it,
// else the closest enclosing node that it has (the resource, for a field
// the file leaves out). Best effort: a field path the file's structure
// does not mirror (a check's own naming) points at the resource.
type FileProblem struct {
	Problem
	// Line and Column locate the node, from 1 (0 when not located).
	Line, Column int
	// Field is the node's path in the file ("serverGroups[1].name").
	Field string
}

// String renders the problem as [Problem.String] does, with the field as
// the file names it ("listeners[0].rules[1].priority") when it is known;
// [FileError.Error] puts the file, line and column before it.
func (p FileProblem) String() string {
	q := p.Problem
	if p.Field != "" {
		q.Field = p.Field
	}
	return q.String()
}

// Error renders a decoding error as "PATH:LINE:COLUMN: message", and a
// validation as "PATH: invalid stack: N problem(s)" then one
// "PATH:LINE:COLUMN: problem" line per problem (Line and Column are the
// first problem's).
func (e *FileError) Error() string {
	if len(e.Problems) == 0 {
		return e.where(e.Line, e.Column) + ": " + e.Message
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: invalid stack: %d problem(s)", e.where(0, 0), len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + e.where(p.Line, p.Column) + ": " + p.String())
	}
	return b.String()
}

func (e *FileError) where(line, col int) string {
	w := e.Path
	if w == "" {
		w = "stack"
	}
	if line > 0 {
		w += fmt.Sprintf(":%d:%d", line, col)
	}
	return w
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// Is matches alb.ErrInvalidSpec: the file does not describe a valid stack.
func (e *FileError) Is(target error) bool { return target == alb.ErrInvalidSpec }

// Load reads the stack file at path, YAML or JSON (by its extension, else
// by its content), with [Decode]'s strict decoding, defaults and
// validation. A file that cannot be read is an error from package os
// (*fs.PathError); every error about its content is a *[FileError] with
// the file's path.
func Load(path string) (Stack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Stack{}, fmt.Errorf("stack: %w", err)
	}
	s, err := Decode(data, FormatOf(path))
	var fe *FileError
	if errors.As(err, &fe) {
		fe.Path = path
	}
	return s, err
}

// Decode decodes a stack file's content, YAML or JSON (format
// [FormatAuto] detects which), and validates the stack.
//
// Decoding is strict: a field the format does not have (an unknown or
// misspelled one, with a suggestion when a field of the same place is
// close), a value of the wrong type, a duplicate key, a second document or
// JSON that is not JSON is an error at its line and column. The fields are
// the JSON names of the Go types (see the package documentation); YAML's
// anchors, aliases and merge keys may be used. Fields the file leaves out
// take the defaults the constructors give (see "Defaults" in the package
// documentation). Then [Stack.Validate] runs, and each of its problems is
// located in the file.
//
// Every error is a *[FileError]. On a validation error the decoded stack
// is returned with it (so a program may correct it and validate again);
// on a decoding error the zero Stack.
func Decode(data []byte, format Format) (Stack, error) {
	if format == FormatAuto {
		format = FormatYAML
		if t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n"); len(t) > 0 && t[0] == '{' {
			format = FormatJSON
		}
	}
	if format != FormatYAML && format != FormatJSON {
		return Stack{}, &FileError{Message: fmt.Sprintf("unknown format %q: use yaml or json", string(format)), Err: alb.ErrInvalidSpec}
	}
	if format == FormatJSON {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			fe := &FileError{Message: "not JSON: " + err.Error(), Err: err}
			var se *json.SyntaxError
			if errors.As(err, &se) {
				fe.Line, fe.Column = lineCol(data, int(se.Offset)-1)
				fe.Source = excerpt(data, fe.Line, fe.Column)
				fe.Message = "not JSON: " + se.Error()
			}
			return Stack{}, fe
		}
		if _, ok := v.(map[string]any); !ok {
			return Stack{}, &FileError{Line: 1, Column: 1, Message: "a stack file is a JSON object", Source: excerpt(data, 1, 1), Err: alb.ErrInvalidSpec}
		}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return Stack{}, yamlFileError(err, nil)
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			return Stack{}, tokenError(nodeToken(d.Body), "", "a stack file holds one stack: remove the second document")
		}
		body = d.Body
	}
	if body == nil {
		return Stack{}, &FileError{Message: "the file is empty: a stack needs at least a key and an instance", Err: alb.ErrInvalidSpec}
	}
	doc := newDocument(body)
	if doc.mapping(body) == nil {
		return Stack{}, tokenError(body.GetToken(), "", "a stack file is a mapping (key: …, instance: …), not a "+strings.ToLower(body.Type().String()))
	}
	var s Stack
	dec := yaml.NewDecoder(bytes.NewReader(nil), yaml.Strict())
	if err := dec.DecodeFromNode(body, &s); err != nil {
		return Stack{}, yamlFileError(err, doc)
	}
	doc.applyDefaults(&s)
	if err := s.Validate(); err != nil {
		var se *Error
		if !errors.As(err, &se) {
			return s, &FileError{Message: err.Error(), Err: err}
		}
		fe := &FileError{Err: err}
		var firstToken *token.Token
		for i, p := range se.Problems {
			fp := FileProblem{Problem: p}
			if tk, path := doc.locate(s, p); tk != nil {
				fp.Line, fp.Column, fp.Field = tk.Position.Line, tk.Position.Column, path
				if i == 0 {
					firstToken = tk
				}
			}
			fe.Problems = append(fe.Problems, fp)
		}
		first := fe.Problems[0]
		fe.Line, fe.Column, fe.Field, fe.Message = first.Line, first.Column, first.Field, first.String()
		if firstToken != nil {
			fe.Source = source(firstToken)
		}
		return s, fe
	}
	return s, nil
}

// yamlFileError converts goccy/go-yaml's error, with a suggestion for an
// unknown field and plain words for a type mismatch.
func yamlFileError(err error, doc *document) error {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return &FileError{Message: err.Error(), Err: err}
	}
	tk := ye.GetToken()
	msg := ye.GetMessage()
	field := ""
	if doc != nil {
		field = doc.pathOf(tk)
		var ue *yaml.UnknownFieldError
		var te *yaml.TypeError
		switch {
		case errors.As(err, &ue):
			msg = doc.unknownField(tk)
		case errors.As(err, &te):
			msg = fmt.Sprintf("%s where %s is expected", describeValue(tk), describeType(te.DstType))
			if k := te.DstType.Kind(); k == reflect.String && (tk.Type == token.IntegerType || tk.Type == token.FloatType || tk.Type == token.BoolType) {
				msg += fmt.Sprintf(": quote it (\"%s\")", tk.Value)
			}
		}
	}
	if field != "" {
		msg = field + ": " + msg
	}
	return &FileError{Line: tk.Position.Line, Column: tk.Position.Column, Field: field, Message: msg, Source: source(tk), Err: err}
}

// tokenError is a FileError at tk.
func tokenError(tk *token.Token, field, msg string) *FileError {
	fe := &FileError{Field: field, Message: msg, Err: alb.ErrInvalidSpec}
	if tk != nil {
		fe.Line, fe.Column, fe.Source = tk.Position.Line, tk.Position.Column, source(tk)
	}
	return fe
}

// source renders the lines around tk with a caret, as goccy/go-yaml's
// errors do.
func source(tk *token.Token) string {
	var p printer.Printer
	return p.PrintErrorToken(tk, false)
}

// excerpt renders line of data with a caret under column, as source does.
func excerpt(data []byte, line, col int) string {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	prefix := fmt.Sprintf("> %3d | ", line)
	return prefix + lines[line-1] + "\n" + strings.Repeat(" ", len(prefix)+max(col-1, 0)) + "^\n"
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}
