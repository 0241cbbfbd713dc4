package albtest

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// appendJSON is a faster json.Marshal for the shapes the answers use (structs of
// strings, bools, integers, pointers and slices of those, as the SDK response bodies
// are): it appends exactly the bytes json.Marshal produces, HTML escaping included, and
// reports false, appending nothing, for a type with anything else (maps, interfaces,
// floats, embedded fields, marshalers, ",string" or ",omitzero" options), which the
// caller then hands to encoding/json. Plans are built once per type.
func appendJSON(b []byte, v any) ([]byte, bool) {
	if v == nil {
		return b, false
	}
	rv := reflect.ValueOf(v)
	enc := planFor(rv.Type())
	if enc == nil {
		return b, false
	}
	return enc(b, rv), true
}

type encodeFn func(b []byte, v reflect.Value) []byte

type planEntry struct{ enc encodeFn }

var plans sync.Map // reflect.Type → planEntry (enc nil: not supported)

func planFor(t reflect.Type) encodeFn {
	if e, ok := plans.Load(t); ok {
		return e.(planEntry).enc
	}
	enc := buildPlan(t, map[reflect.Type]bool{})
	plans.Store(t, planEntry{enc})
	return enc
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// buildPlan returns the encoder of t, or nil if t is outside the supported shapes.
// visiting guards against recursive types (not supported).
func buildPlan(t reflect.Type, visiting map[reflect.Type]bool) encodeFn {
	if visiting[t] {
		return nil
	}
	for _, x := range []reflect.Type{t, reflect.PointerTo(t)} {
		if x.Implements(marshalerType) || x.Implements(textMarshalerType) {
			return nil
		}
	}
	visiting[t] = true
	defer delete(visiting, t)
	switch t.Kind() {
	case reflect.String:
		return func(b []byte, v reflect.Value) []byte { return appendJSONString(b, v.String()) }
	case reflect.Bool:
		return func(b []byte, v reflect.Value) []byte { return strconv.AppendBool(b, v.Bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(b []byte, v reflect.Value) []byte { return strconv.AppendInt(b, v.Int(), 10) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(b []byte, v reflect.Value) []byte { return strconv.AppendUint(b, v.Uint(), 10) }
	case reflect.Pointer:
		elem := buildPlan(t.Elem(), visiting)
		if elem == nil {
			return nil
		}
		return func(b []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return append(b, "null"...)
			}
			return elem(b, v.Elem())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // base64
		}
		elem := buildPlan(t.Elem(), visiting)
		if elem == nil {
			return nil
		}
		return func(b []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return append(b, "null"...)
			}
			b = append(b, '[')
			for i, n := 0, v.Len(); i < n; i++ {
				if i > 0 {
					b = append(b, ',')
				}
				b = elem(b, v.Index(i))
			}
			return append(b, ']')
		}
	case reflect.Struct:
		return structPlan(t, visiting)
	}
	return nil
}

type fieldPlan struct {
	index     int
	key       string // `"Name":`
	omitEmpty bool
	enc       encodeFn
}

func structPlan(t reflect.Type, visiting map[reflect.Type]bool) encodeFn {
	var fields []fieldPlan
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			return nil // embedding has its own rules
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validTagName(name) {
			name = f.Name
		}
		omit := false
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			switch o {
			case "omitempty":
				omit = true
			case "string", "omitzero":
				return nil
			}
		}
		if seen[name] {
			return nil // duplicate names: encoding/json's conflict rules
		}
		seen[name] = true
		enc := buildPlan(f.Type, visiting)
		if enc == nil {
			return nil
		}
		fields = append(fields, fieldPlan{index: i, key: string(appendJSONString(nil, name)) + ":", omitEmpty: omit, enc: enc})
	}
	return func(b []byte, v reflect.Value) []byte {
		b = append(b, '{')
		first := true
		for i := range fields {
			f := &fields[i]
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, f.key...)
			b = f.enc(b, fv)
		}
		return append(b, '}')
	}
}

// isEmptyValue is encoding/json's omitempty test for the supported kinds.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// validTagName is encoding/json's isValidTag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// appendJSONString is encoding/json's appendString with HTML escaping (Go 1.26).
func appendJSONString(dst []byte, src string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(src); {
		if b := src[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, src[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(src[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, src[start:]...)
	return append(dst, '"')
}
