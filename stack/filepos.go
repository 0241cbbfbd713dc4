package stack

import (
	"cmp"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/routing"
)

// document is a stack file's syntax tree, to tell which fields the file
// sets (for the defaults) and where a node is (for the errors).
type document struct {
	root    ast.Node
	anchors map[string]ast.Node
}

// maxDepth bounds the walks over the tree (aliases may point back up).
const maxDepth = 64

func newDocument(root ast.Node) *document {
	d := &document{root: root, anchors: map[string]ast.Node{}}
	d.collect(root, 0)
	return d
}

// collect records the anchors.
func (d *document) collect(n ast.Node, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		d.anchors[v.Name.GetToken().Value] = v.Value
		d.collect(v.Value, depth+1)
	case *ast.TagNode:
		d.collect(v.Value, depth+1)
	case *ast.MappingNode:
		for _, mv := range v.Values {
			d.collect(mv, depth+1)
		}
	case *ast.MappingValueNode:
		d.collect(v.Value, depth+1)
	case *ast.SequenceNode:
		for _, e := range v.Values {
			d.collect(e, depth+1)
		}
	}
}

// resolve follows anchors, aliases and tags to the node's value.
func (d *document) resolve(n ast.Node) ast.Node {
	for range maxDepth {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			n = d.anchors[v.Value.GetToken().Value]
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return nil
}

// mapping returns n as a mapping, or nil.
func (d *document) mapping(n ast.Node) ast.MapNode {
	switch v := d.resolve(n).(type) {
	case *ast.MappingNode:
		return v
	case *ast.MappingValueNode:
		return v
	}
	return nil
}

// entries lists a mapping's entries, those of its merge keys after its
// own (which win).
func (d *document) entries(n ast.Node, depth int) []*ast.MappingValueNode {
	m := d.mapping(n)
	if m == nil || depth > maxDepth {
		return nil
	}
	var own, merged []*ast.MappingValueNode
	it := m.MapRange()
	for it.Next() {
		if !it.Key().IsMergeKey() {
			own = append(own, it.KeyValue())
			continue
		}
		switch v := d.resolve(it.Value()).(type) {
		case *ast.SequenceNode:
			for _, e := range v.Values {
				merged = append(merged, d.entries(e, depth+1)...)
			}
		default:
			merged = append(merged, d.entries(v, depth+1)...)
		}
	}
	return append(own, merged...)
}

// entry returns the entry of key in mapping n, or nil.
func (d *document) entry(n ast.Node, key string) *ast.MappingValueNode {
	for _, e := range d.entries(n, 0) {
		if keyString(e.Key) == key {
			return e
		}
	}
	return nil
}

// child returns the value of key in mapping n, or nil.
func (d *document) child(n ast.Node, key string) ast.Node {
	if e := d.entry(n, key); e != nil {
		return e.Value
	}
	return nil
}

// has reports whether mapping n sets key (to anything but null).
func (d *document) has(n ast.Node, key string) bool {
	v := d.resolve(d.child(n, key))
	if v == nil {
		return false
	}
	_, null := v.(*ast.NullNode)
	return !null
}

// index returns element i of sequence n, or nil.
func (d *document) index(n ast.Node, i int) ast.Node {
	if seq, ok := d.resolve(n).(*ast.SequenceNode); ok && i >= 0 && i < len(seq.Values) {
		return seq.Values[i]
	}
	return nil
}

func keyString(k ast.MapKeyNode) string {
	if mk, ok := k.(*ast.MappingKeyNode); ok && mk.Value != nil {
		return mk.Value.GetToken().Value
	}
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return k.GetToken().Value
}

// applyDefaults gives the fields the file leaves out the values the
// constructors give them (see the package documentation).
func (d *document) applyDefaults(s *Stack) {
	if inst := d.child(d.root, "instance"); inst != nil {
		if !d.has(inst, "ipVersion") {
			s.Instance.IPVersion = alb.IPv4
		}
		if !d.has(inst, "billing") {
			s.Instance.Billing = alb.PayAsYouGo
		}
	}
	groups := d.child(d.root, "serverGroups")
	for i := range s.ServerGroups {
		g := &s.ServerGroups[i]
		n := d.index(groups, i)
		if n == nil || g.Type == alb.ServerGroupFc {
			continue
		}
		if !d.has(n, "protocol") {
			g.Protocol = alb.BackendHTTP
		}
		if !d.has(n, "scheduler") {
			g.Scheduler = alb.SchedulerWrr
		}
		if !d.has(n, "healthCheck") {
			g.HealthCheck = alb.DefaultHealthCheck()
		}
		servers := d.child(n, "servers")
		for j := range g.Servers {
			if sn := d.index(servers, j); sn != nil && g.Servers[j].Type != alb.ServerTypeFc && !d.has(sn, "weight") {
				g.Servers[j].Weight = 100
			}
		}
	}
	listeners := d.child(d.root, "listeners")
	for i := range s.Listeners {
		rules := d.child(d.index(listeners, i), "rules")
		for j := range s.Listeners[i].Rules {
			actions := d.child(d.index(rules, j), "actions")
			for k := range s.Listeners[i].Rules[j].Actions {
				a := &s.Listeners[i].Rules[j].Actions[k]
				an := d.index(actions, k)
				if an == nil {
					continue
				}
				if !d.has(an, "order") {
					a.Order = k + 1
				}
				if a.ForwardGroup == nil {
					continue
				}
				tuples := d.child(d.child(an, "forwardGroup"), "serverGroups")
				for t := range a.ForwardGroup.ServerGroups {
					if tn := d.index(tuples, t); tn != nil && !d.has(tn, "weight") {
						a.ForwardGroup.ServerGroups[t].Weight = 100
					}
				}
			}
		}
	}
}

// Types of the file's parts, for the field names.
var (
	stackType    = reflect.TypeFor[Stack]()
	resourceType = map[string]reflect.Type{
		KindInstance:       reflect.TypeFor[alb.InstanceSpec](),
		KindServerGroup:    reflect.TypeFor[alb.ServerGroupSpec](),
		KindListener:       reflect.TypeFor[Listener](),
		KindSecurityPolicy: reflect.TypeFor[alb.SecurityPolicySpec](),
	}
	resourceKey = map[string]string{KindInstance: "instance", KindServerGroup: "serverGroups", KindListener: "listeners", KindSecurityPolicy: "securityPolicies"}
)

// fileField is a struct field's name in the file.
type fileField struct {
	key    string
	typ    reflect.Type
	goName string
}

// fieldsOf lists the file's fields of struct type t (those of inline and
// embedded structs included), as goccy/go-yaml names them: the yaml tag,
// else the json tag, else the lower-cased Go name.
func fieldsOf(t reflect.Type) []fileField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []fileField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "" {
			tag = f.Tag.Get("json")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" || slices.Contains(strings.Split(opts, ","), "inline") {
			out = append(out, fieldsOf(f.Type)...)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, fileField{key: name, typ: f.Type, goName: f.Name})
	}
	return out
}

// fieldByGo finds the field of Go name goName in t.
func fieldByGo(t reflect.Type, goName string) (fileField, bool) {
	for _, f := range fieldsOf(t) {
		if f.goName == goName {
			return f, true
		}
	}
	return fileField{}, false
}

// fieldByKey finds the field of file name key in t.
func fieldByKey(t reflect.Type, key string) (fileField, bool) {
	for _, f := range fieldsOf(t) {
		if f.key == key {
			return f, true
		}
	}
	return fileField{}, false
}

var segmentPattern = regexp.MustCompile(`^([A-Za-z0-9_]+)(?:\[([^\]]*)\])?$`)

// segments splits a Go field path ("Rules[2].Actions[0].Order").
func segments(field string) [][2]string {
	if field == "" {
		return nil
	}
	var out [][2]string
	for _, part := range strings.Split(field, ".") {
		m := segmentPattern.FindStringSubmatch(part)
		if m == nil {
			break
		}
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

// locate finds the node of a problem: its resource, then as far along its
// field as the file goes. It returns the node's token (the key's, for a
// mapping entry) and its path in the file.
func (d *document) locate(s Stack, p Problem) (*token.Token, string) {
	segs := segments(p.Field)
	node, typ, path := d.root, stackType, ""
	var at *token.Token
	inFile := true
	switch {
	case p.Kind == "adopt":
		if len(segs) > 0 {
			if f, ok := fieldByGo(reflect.TypeFor[Adoption](), segs[0][0]); ok {
				path = "adopt." + f.key
				if e := d.entry(d.child(d.child(d.root, "adopt"), f.key), p.Name); e != nil {
					return e.Key.GetToken(), path + "." + p.Name
				}
				if e := d.entry(d.child(d.root, "adopt"), f.key); e != nil {
					return e.Key.GetToken(), path
				}
			}
		}
		segs = nil
	case p.Kind == "stack" || len(segs) > 0 && segs[0][1] != "" && isStackList(segs[0][0]):
		// A path from the stack's root.
	case resourceType[p.Kind] != nil:
		key := resourceKey[p.Kind]
		if p.Kind == KindInstance {
			typ, path = resourceType[p.Kind], key
			if e := d.entry(d.root, key); e != nil {
				node, at = e.Value, e.Key.GetToken()
			} else {
				inFile = false
			}
			break
		}
		i := s.indexOf(p.Kind, p.Name)
		if i < 0 {
			segs = nil
			break
		}
		typ, path = resourceType[p.Kind], fmt.Sprintf("%s[%d]", key, i)
		if n := d.index(d.child(d.root, key), i); n != nil {
			node = n
		} else {
			inFile = false
		}
	default:
		segs = nil
	}
	// Along the field: the node as far as the file has it, the path as
	// far as the types name it; past an alias, the alias (the node's
	// place in the stack).
	var alias *token.Token
	for _, seg := range segs {
		f, ok := fieldByGo(typ, seg[0])
		if !ok {
			break
		}
		path, typ = joinPath(path, f.key), f.typ
		if inFile {
			if e := d.entry(node, f.key); e != nil {
				node, at = e.Value, e.Key.GetToken()
				alias = cmp.Or(alias, aliasToken(node))
			} else {
				inFile = false
			}
		}
		if seg[1] == "" {
			continue
		}
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		i, err := strconv.Atoi(seg[1])
		if err != nil || typ.Kind() != reflect.Slice {
			break
		}
		path, typ = path+fmt.Sprintf("[%d]", i), typ.Elem()
		if inFile {
			if el := d.index(node, i); el != nil {
				node, at = el, nil
				alias = cmp.Or(alias, aliasToken(node))
			} else {
				inFile = false
			}
		}
	}
	// A reference to a server group is its name, not the tuple around it.
	if typ == reflect.TypeFor[routing.ServerGroupTuple]() {
		path = joinPath(path, "serverGroupId")
		if e := d.entry(node, "serverGroupId"); inFile && e != nil {
			at = e.Value.GetToken()
		}
	}
	if alias != nil {
		at = alias
	}
	if at == nil {
		if r := d.resolve(node); r != nil {
			at = nodeToken(r)
		}
	}
	return at, path
}

// aliasToken is n's token if n is an alias, else nil.
func aliasToken(n ast.Node) *token.Token {
	if a, ok := n.(*ast.AliasNode); ok {
		return a.GetToken()
	}
	return nil
}

// nodeToken is where a node starts: a mapping's first key, a sequence's
// first token.
func nodeToken(n ast.Node) *token.Token {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return m.Values[0].Key.GetToken()
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		return mv.Key.GetToken()
	}
	return n.GetToken()
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isStackList(goName string) bool {
	return goName == "ServerGroups" || goName == "Listeners" || goName == "SecurityPolicies"
}

// indexOf is the index of the resource of kind named name, or -1.
func (s Stack) indexOf(kind, name string) int {
	switch kind {
	case KindServerGroup:
		return slices.IndexFunc(s.ServerGroups, func(g alb.ServerGroupSpec) bool { return g.Name == name })
	case KindListener:
		return slices.IndexFunc(s.Listeners, func(l Listener) bool { return l.Name == name })
	case KindSecurityPolicy:
		return slices.IndexFunc(s.SecurityPolicies, func(p alb.SecurityPolicySpec) bool { return p.Name == name })
	}
	return -1
}

// find walks the file along the stack's types to the key or node at tk:
// its path, and the type of the mapping it is a key of (nil when tk is
// not a key).
func (d *document) find(tk *token.Token) (string, reflect.Type, bool) {
	var path string
	var parent reflect.Type
	found := false
	var walk func(n ast.Node, t reflect.Type, p string, depth int)
	walk = func(n ast.Node, t reflect.Type, p string, depth int) {
		if found || n == nil || depth > maxDepth {
			return
		}
		if sameToken(n.GetToken(), tk) {
			path, found = p, true
			return
		}
		n = d.resolve(n)
		if n == nil {
			return
		}
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch v := n.(type) {
		case *ast.MappingNode, *ast.MappingValueNode:
			for _, e := range d.entries(v, 0) {
				key := keyString(e.Key)
				var ft reflect.Type
				if t != nil {
					switch t.Kind() {
					case reflect.Struct:
						if f, ok := fieldByKey(t, key); ok {
							ft = f.typ
						}
					case reflect.Map:
						ft = t.Elem()
					}
				}
				if sameToken(e.Key.GetToken(), tk) {
					path, parent, found = joinPath(p, key), t, true
					return
				}
				walk(e.Value, ft, joinPath(p, key), depth+1)
			}
		case *ast.SequenceNode:
			var et reflect.Type
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				et = t.Elem()
			}
			for i, e := range v.Values {
				walk(e, et, fmt.Sprintf("%s[%d]", p, i), depth+1)
			}
		default:
			if sameToken(v.GetToken(), tk) {
				path, found = p, true
			}
		}
	}
	walk(d.root, stackType, "", 0)
	return path, parent, found
}

func sameToken(a, b *token.Token) bool {
	return a != nil && b != nil && (a == b || a.Position.Line == b.Position.Line && a.Position.Column == b.Position.Column && a.Value == b.Value)
}

// pathOf is the path in the file of the key or node at tk ("" if not
// found).
func (d *document) pathOf(tk *token.Token) string {
	p, _, _ := d.find(tk)
	return p
}

// unknownField says that the key at tk is not a field, with the closest
// field of its place, or the list of them.
func (d *document) unknownField(tk *token.Token) string {
	key := tk.Value
	_, parent, _ := d.find(tk)
	fields := fieldsOf(parent)
	if len(fields) == 0 {
		return fmt.Sprintf("unknown field %q", key)
	}
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	if best := closest(key, keys); best != "" {
		return fmt.Sprintf("unknown field %q: did you mean %q?", key, best)
	}
	return fmt.Sprintf("unknown field %q: the fields of %s are %s", key, typeName(parent), strings.Join(keys, ", "))
}

// typeName names a type as go doc does ("alb.ListenerSpec").
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.String()
}

// closest returns the key s most likely misspells: the same but for
// case, the one it begins (a truncated name), or the nearest by edit
// distance (a transposition counting one) if near enough; "" if none.
func closest(s string, keys []string) string {
	ls := strings.ToLower(s)
	for _, k := range keys {
		if strings.ToLower(k) == ls {
			return k
		}
	}
	if len(s) >= 3 {
		best := ""
		for _, k := range keys {
			if strings.HasPrefix(strings.ToLower(k), ls) && (best == "" || len(k) < len(best)) {
				best = k
			}
		}
		if best != "" {
			return best
		}
	}
	best, bestD := "", 0
	for _, k := range keys {
		if d := editDistance(ls, strings.ToLower(k)); best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= max(1, min(3, (len(s)+2)/4)) {
		return best
	}
	return ""
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of adjacent runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// describeValue names the value at tk for a type mismatch.
func describeValue(tk *token.Token) string {
	switch tk.Type {
	case token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType, token.FloatType:
		return "a number (" + tk.Value + ")"
	case token.BoolType:
		return "a boolean (" + tk.Value + ")"
	case token.NullType:
		return "null"
	case token.MappingStartType, token.MappingValueType, token.MappingKeyType:
		return "a mapping"
	case token.SequenceStartType, token.SequenceEntryType:
		return "a list"
	}
	return fmt.Sprintf("the string %q", tk.Value)
}

// describeType names what a Go type takes in a file.
func describeType(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	}
	return t.String()
}
