package albtest

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const maxListIndex = 1000

// inFilter reports whether v passes a list filter: an empty filter passes
// every value, otherwise v must be one of its values.
func inFilter(filter []string, v string) bool {
	return len(filter) == 0 || slices.Contains(filter, v)
}

// list returns the values of prefix.1, prefix.2, … in index order.
func list(p url.Values, prefix string) ([]string, *apiError) {
	type item struct {
		n int
		v string
	}
	var items []item
	pre := prefix + "."
	for k, vs := range p {
		if !strings.HasPrefix(k, pre) {
			continue
		}
		n, err := strconv.Atoi(k[len(pre):])
		if err != nil || n < 1 || n > maxListIndex {
			return nil, invalid(k, "")
		}
		items = append(items, item{n, vs[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out, nil
}

// structs returns prefix.N.Field values grouped by N, in index order. Each
// element maps Field to value; fields not in allowed are an InvalidParameter.
func structs(p url.Values, prefix string, allowed ...string) ([]map[string]string, *apiError) {
	byN := map[int]map[string]string{}
	pre := prefix + "."
	for k, vs := range p {
		if !strings.HasPrefix(k, pre) {
			continue
		}
		rest := k[len(pre):]
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			return nil, invalid(k, vs[0])
		}
		n, err := strconv.Atoi(rest[:dot])
		if err != nil || n < 1 || n > maxListIndex {
			return nil, invalid(k, vs[0])
		}
		field := rest[dot+1:]
		ok := false
		for _, a := range allowed {
			if a == field {
				ok = true
				break
			}
		}
		if !ok {
			return nil, invalid(k, vs[0])
		}
		m := byN[n]
		if m == nil {
			m = map[string]string{}
			byN[n] = m
		}
		m[field] = vs[0]
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	out := make([]map[string]string, len(ns))
	for i, n := range ns {
		out[i] = byN[n]
	}
	return out, nil
}

// optBool parses an optional boolean parameter.
func optBool(p url.Values, name string) (val, set bool, e *apiError) {
	s, ok := p[name]
	if !ok || len(s) == 0 || s[0] == "" {
		return false, false, nil
	}
	b, ok := parseBool(s[0])
	if !ok {
		return false, false, invalid(name, s[0])
	}
	return b, true, nil
}

// optInt parses an optional integer parameter within [lo, hi].
func optInt(p url.Values, name string, def, lo, hi int64) (int64, *apiError) {
	s := p.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, invalid(name, s)
	}
	return n, nil
}

func enum(p url.Values, name string, required bool, values ...string) (string, *apiError) {
	v := p.Get(name)
	if v == "" {
		if required {
			return "", missing(name)
		}
		return "", nil
	}
	for _, x := range values {
		if v == x {
			return v, nil
		}
	}
	return "", invalid(name, v)
}

// validName checks an ALB name or reason: 2–128 characters, letters
// (including Chinese), digits, '.', '_', '-', starting with a letter.
func validName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 128 || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		isLetter := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') || unicode.Is(unicode.Han, r)
		if i == 0 {
			if !isLetter {
				return false
			}
			continue
		}
		if isLetter || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			continue
		}
		return false
	}
	return true
}

// validTag checks a tag key (non-empty) or value. The API metadata says the
// same of keys and values (create, TagResources, UnTagResources and the
// list filters): at most 128 characters, not starting with "aliyun" or
// "acs:", no "http://" or "https://". GUESS: the prefixes are matched
// case-insensitively.
func validTag(s string, key bool, maxLen int) bool {
	if key && s == "" {
		return false
	}
	if utf8.RuneCountInString(s) > maxLen || !utf8.ValidString(s) {
		return false
	}
	ls := strings.ToLower(s)
	// Keys and values alike must not start with aliyun or acs: (api-metadata
	// CreateLoadBalancer/TagResources Tag.N.Key and Tag.N.Value).
	if strings.HasPrefix(ls, "aliyun") || strings.HasPrefix(ls, "acs:") {
		return false
	}
	if strings.Contains(ls, "http://") || strings.Contains(ls, "https://") {
		return false
	}
	return true
}

// tags parses Tag.N.Key / Tag.N.Value (at most max).
func tags(p url.Values, maxN int, keyLen int) ([]tagKV, *apiError) {
	ts, e := structs(p, "Tag", "Key", "Value")
	if e != nil {
		return nil, e
	}
	if len(ts) > maxN {
		return nil, errf(400, "InvalidParameter", "The number of tags exceeds %d.", maxN)
	}
	out := make([]tagKV, 0, len(ts))
	for i, t := range ts {
		k, hasK := t["Key"]
		if !hasK {
			return nil, missing("Tag." + strconv.Itoa(i+1) + ".Key")
		}
		if !validTag(k, true, keyLen) {
			return nil, invalid("Tag.Key", k)
		}
		if !validTag(t["Value"], false, 128) {
			return nil, invalid("Tag.Value", t["Value"])
		}
		out = append(out, tagKV{k, t["Value"]})
	}
	return out, nil
}

// page implements MaxResults/NextToken: the token is the decimal offset.
func page(p url.Values, total int) (start, end int, maxResults int64, next string, e *apiError) {
	maxResults, e = optInt(p, "MaxResults", 20, 1, 100)
	if e != nil {
		return
	}
	if tok := p.Get("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > total || strconv.Itoa(n) != tok {
			e = errf(400, "InvalidParameter", "The specified parameter \"NextToken\" is not valid.")
			return
		}
		start = n
	}
	end = start + int(maxResults)
	if end >= total {
		end = total
	} else {
		next = strconv.Itoa(end)
	}
	return
}

// pnode is a nested request parameter, read from the flat form the RPC
// style sends (RuleActions.1.ForwardGroupConfig.ServerGroupTuples.2.Weight):
// a value, or fields by name (list items by their 1-based index). name is
// its full flat name, for messages.
type pnode struct {
	name   string
	val    string
	hasVal bool
	fields map[string]*pnode
}

// paramTree returns the parameters of p under prefix (prefix itself and
// prefix.*) as a tree; nil when there are none.
func paramTree(p url.Values, prefix string) *pnode {
	var root *pnode
	for k, vs := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || rest != "" && rest[0] != '.' {
			continue
		}
		if root == nil {
			root = &pnode{name: prefix}
		}
		n := root
		if rest != "" {
			for _, seg := range strings.Split(rest[1:], ".") {
				if n.fields == nil {
					n.fields = map[string]*pnode{}
				}
				c := n.fields[seg]
				if c == nil {
					c = &pnode{name: n.name + "." + seg}
					n.fields[seg] = c
				}
				n = c
			}
		}
		if len(vs) > 0 {
			n.val, n.hasVal = vs[0], true
		}
	}
	return root
}

// get returns the field name of n, or nil.
func (n *pnode) get(name string) *pnode {
	if n == nil {
		return nil
	}
	return n.fields[name]
}

// str returns the value of field name ("" when absent).
func (n *pnode) str(name string) string {
	if c := n.get(name); c != nil {
		return c.val
	}
	return ""
}

// empty reports a node with no value but "" and no field with one: what
// a client sends for a block it leaves unset (an empty map flattens to
// nothing, an unset string to "").
func (n *pnode) empty() bool {
	if n == nil {
		return true
	}
	if n.val != "" {
		return false
	}
	for _, c := range n.fields {
		if !c.empty() {
			return false
		}
	}
	return true
}

// only refuses a field of n that is not in allowed (InvalidParameter,
// naming the first unknown field by name).
func (n *pnode) only(allowed ...string) *apiError {
	if n == nil {
		return nil
	}
	bad := ""
	for k := range n.fields {
		if !slices.Contains(allowed, k) && (bad == "" || k < bad) {
			bad = k
		}
	}
	if bad != "" {
		c := n.fields[bad]
		return invalid(c.name, c.val)
	}
	return nil
}

// items returns the list items of n (fields 1, 2, …) in index order; a
// field that is not an index 1–maxListIndex is an InvalidParameter. Gaps
// are allowed, as for the other lists.
func (n *pnode) items() ([]*pnode, *apiError) {
	if n == nil {
		return nil, nil
	}
	if n.hasVal && n.val != "" && len(n.fields) == 0 {
		return nil, invalid(n.name, n.val)
	}
	type item struct {
		i int
		n *pnode
	}
	out := make([]item, 0, len(n.fields))
	for k, c := range n.fields {
		i, err := strconv.Atoi(k)
		if err != nil || i < 1 || i > maxListIndex || strconv.Itoa(i) != k {
			return nil, invalid(c.name, c.val)
		}
		out = append(out, item{i, c})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].i < out[b].i })
	nodes := make([]*pnode, len(out))
	for i, it := range out {
		nodes[i] = it.n
	}
	return nodes, nil
}

// strs returns the values of the list n (Values.1, Values.2, …), leaving
// out empty ones.
func (n *pnode) strs() ([]string, *apiError) {
	items, e := n.items()
	if e != nil {
		return nil, e
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if len(it.fields) > 0 {
			return nil, invalid(it.name, "")
		}
		if it.val != "" {
			out = append(out, it.val)
		}
	}
	return out, nil
}

// boolField reads an optional boolean field of n.
func (n *pnode) boolField(name string) (val, set bool, e *apiError) {
	c := n.get(name)
	if c == nil || c.val == "" {
		return false, false, nil
	}
	b, ok := parseBool(c.val)
	if !ok {
		return false, false, invalid(c.name, c.val)
	}
	return b, true, nil
}

// intField reads an optional integer field of n within [lo, hi].
func (n *pnode) intField(name string, lo, hi int64) (val int64, set bool, e *apiError) {
	c := n.get(name)
	if c == nil || c.val == "" {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(c.val, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, false, invalid(c.name, c.val)
	}
	return v, true, nil
}
