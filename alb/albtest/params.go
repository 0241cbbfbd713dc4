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
