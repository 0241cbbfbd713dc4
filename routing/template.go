package routing

import "strings"

// variable is a ${...} of a Redirect or Rewrite value.
type variable uint8

const (
	varNone variable = iota
	varHost
	varPath
	varQuery
	varProtocol
	varPort
	varCapture1
	varCapture2
	varCapture3
)

// variables maps each ${name} to its variable.
func variableOf(name string) variable {
	switch name {
	case "host":
		return varHost
	case "path":
		return varPath
	case "query":
		return varQuery
	case "protocol":
		return varProtocol
	case "port":
		return varPort
	case "1":
		return varCapture1
	case "2":
		return varCapture2
	case "3":
		return varCapture3
	}
	return varNone
}

// segment is a literal or a variable.
type segment struct {
	lit string
	v   variable
}

// template is a parsed Redirect or Rewrite value.
type template []segment

// parseTemplate parses a value; "" is the variable def alone (the API
// default). An unknown ${name} stays literal text.
func parseTemplate(s string, def variable) template {
	if s == "" {
		return template{{v: def}}
	}
	var t template
	lit := 0
	for i := 0; i < len(s); {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				if v := variableOf(s[i+2 : i+end]); v != varNone {
					if lit < i {
						t = append(t, segment{lit: s[lit:i]})
					}
					t = append(t, segment{v: v})
					i += end + 1
					lit = i
					continue
				}
			}
		}
		i++
	}
	if lit < len(s) {
		t = append(t, segment{lit: s[lit:]})
	}
	return t
}

// captures reports whether the template uses ${1}..${3}.
func (t template) captures() bool {
	for _, s := range t {
		if s.v >= varCapture1 {
			return true
		}
	}
	return false
}

// only reports whether the template is the variable v alone.
func (t template) only(v variable) bool { return len(t) == 1 && t[0].v == v }

// vars holds what variables expand to for one request.
type vars struct {
	host, path, query, protocol, port string
	caps                              [3]string
}

func (v *vars) value(x variable) string {
	switch x {
	case varHost:
		return v.host
	case varPath:
		return v.path
	case varQuery:
		return v.query
	case varProtocol:
		return v.protocol
	case varPort:
		return v.port
	case varCapture1, varCapture2, varCapture3:
		return v.caps[x-varCapture1]
	}
	return ""
}

// expand substitutes the variables; a template that is one variable or one
// literal allocates nothing.
func (t template) expand(v *vars) string {
	if len(t) == 1 {
		if t[0].v == varNone {
			return t[0].lit
		}
		return v.value(t[0].v)
	}
	var b strings.Builder
	for _, s := range t {
		if s.v == varNone {
			b.WriteString(s.lit)
		} else {
			b.WriteString(v.value(s.v))
		}
	}
	return b.String()
}
