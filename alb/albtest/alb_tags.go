package albtest

import (
	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// TagResources, UnTagResources and ListTagResources. Load balancers,
// server groups, security policies, listeners and rules are emulated; acl
// answers its not-found code. The API metadata lists acl, loadbalancer,
// securitypolicy and servergroup; listener and rule are taken too (GUESS:
// listeners and rules take Tag.N at create, and the Terraform provider
// reads a listener's tags with ResourceType listener).

// notFoundOther is the not-found answer for a resource type that is not
// emulated (acl, securitypolicy).
func notFoundOther(rt, id string) *apiError {
	code := map[string]string{"acl": "ResourceNotFound.Acl"}[rt]
	return errf(404, code, "The specified resource %s is not found.", id)
}

// tagged is a resource the tag operations work on: its ID and its tags.
type tagged struct {
	id   string
	tags *[]tagKV
}

// tagTarget returns the live resource of type rt named id, settled (no
// poll), or its not-found answer.
func (s *Server) tagTarget(c *call, rt, id string) (tagged, *apiError) {
	switch rt {
	case "loadbalancer":
		lb := s.st.lbs[id]
		if lb != nil {
			s.settle(&lb.resource, c.now, false)
		}
		if lb == nil || lb.deleted {
			return tagged{}, notFoundLB(id)
		}
		return tagged{lb.id, &lb.tags}, nil
	case "servergroup":
		sg := s.st.sgs[id]
		if sg != nil {
			s.settle(&sg.resource, c.now, false)
		}
		if sg == nil || sg.deleted {
			return tagged{}, notFoundSG(id)
		}
		return tagged{sg.id, &sg.tags}, nil
	case "securitypolicy":
		pol, e := s.spByID(id, c.now, false)
		if e != nil {
			return tagged{}, e
		}
		return tagged{pol.id, &pol.tags}, nil
	case "listener":
		l, e := s.lsnByID(id, c.now, false)
		if e != nil {
			return tagged{}, e
		}
		return tagged{l.id, &l.tags}, nil
	case "rule":
		r, e := s.ruleByID(id, c.now, false)
		if e != nil {
			return tagged{}, e
		}
		return tagged{r.id, &r.tags}, nil
	}
	return tagged{}, notFoundOther(rt, id)
}

// tagTargets resolves ResourceType and ResourceId.N for the tag operations.
// Without ResourceId (ListTagResources), every live resource of the type.
func (s *Server) tagTargets(c *call, required bool) (string, []tagged, *apiError) {
	rt, e := enum(c.p, "ResourceType", true, "loadbalancer", "acl", "securitypolicy", "servergroup", "listener", "rule")
	if e != nil {
		return "", nil, e
	}
	ids, e := list(c.p, "ResourceId")
	if e != nil {
		return "", nil, e
	}
	if len(ids) == 0 && required {
		return "", nil, missing("ResourceId")
	}
	if len(ids) > 50 {
		return "", nil, errf(400, "InvalidParameter", "ResourceId takes at most 50 values.")
	}
	var out []tagged
	for _, id := range ids {
		t, e := s.tagTarget(c, rt, id)
		if e != nil {
			return "", nil, e
		}
		out = append(out, t)
	}
	if len(ids) == 0 {
		switch rt {
		case "loadbalancer":
			for _, id := range s.st.lbOrder {
				if lb := s.st.lbs[id]; !lb.deleted {
					out = append(out, tagged{lb.id, &lb.tags})
				}
			}
		case "servergroup":
			for _, sg := range s.liveSGs(c.now) {
				out = append(out, tagged{sg.id, &sg.tags})
			}
		case "securitypolicy":
			for _, id := range s.st.spOrder {
				out = append(out, tagged{id, &s.st.sps[id].tags})
			}
		case "listener":
			for _, l := range s.liveListeners(c.now) {
				out = append(out, tagged{l.id, &l.tags})
			}
		case "rule":
			for _, id := range s.st.ruleOrder {
				out = append(out, tagged{id, &s.st.rules[id].tags})
			}
		}
	}
	return rt, out, nil
}

func (s *Server) opTagResources(c *call) (any, *apiError) {
	_, targets, e := s.tagTargets(c, true)
	if e != nil {
		return nil, e
	}
	tl, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	if len(tl) == 0 {
		return nil, missing("Tag")
	}
	for _, t := range targets {
		if n := len(mergeTags(append([]tagKV(nil), *t.tags...), tl)); n > 20 {
			return nil, errf(400, "QuotaExceeded.TagsNum", "The quota of %s is exceeded, usage %d/%d.", "tags per resource", n, 20)
		}
	}
	for _, t := range targets {
		*t.tags = mergeTags(*t.tags, tl)
	}
	return &albsdk.TagResourcesResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opUnTagResources(c *call) (any, *apiError) {
	_, targets, e := s.tagTargets(c, true)
	if e != nil {
		return nil, e
	}
	keys, e := list(c.p, "TagKey")
	if e != nil {
		return nil, e
	}
	for _, k := range keys {
		if !validTag(k, true, 128) {
			return nil, invalid("TagKey", k)
		}
	}
	tl, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	all, _, e := optBool(c.p, "All")
	if e != nil {
		return nil, e
	}
	if len(keys) > 20 {
		return nil, errf(400, "InvalidParameter", "TagKey takes at most 20 values.")
	}
	for _, t := range tl {
		keys = append(keys, t.k)
	}
	for _, t := range targets {
		if all {
			*t.tags = nil
			continue
		}
		kept := (*t.tags)[:0]
		for _, tg := range *t.tags {
			drop := false
			for _, k := range keys {
				if k == tg.k {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, tg)
			}
		}
		*t.tags = kept
	}
	return &albsdk.UnTagResourcesResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opListTagResources(c *call) (any, *apiError) {
	rt, targets, e := s.tagTargets(c, false)
	if e != nil {
		return nil, e
	}
	filter, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	type row struct{ id, k, v string }
	var rows []row
	for _, t := range targets {
		for _, tg := range *t.tags {
			ok := len(filter) == 0
			for _, f := range filter {
				if f.k == tg.k && (f.v == "" || f.v == tg.v) {
					ok = true
				}
			}
			if ok {
				rows = append(rows, row{t.id, tg.k, tg.v})
			}
		}
	}
	start, end, maxResults, next, e := page(c.p, len(rows))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListTagResourcesResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TagResources: []*albsdk.ListTagResourcesResponseBodyTagResources{},
	}
	for _, r := range rows[start:end] {
		out.TagResources = append(out.TagResources, &albsdk.ListTagResourcesResponseBodyTagResources{
			ResourceId: sp(r.id), ResourceType: sp(rt), TagKey: sp(r.k), TagValue: sp(r.v),
		})
	}
	return out, nil
}

// mergeTags sets each tag of add in to (replacing the value of an existing
// key) and returns the result.
func mergeTags(to, add []tagKV) []tagKV {
	for _, t := range add {
		found := false
		for i := range to {
			if to[i].k == t.k {
				to[i].v = t.v
				found = true
			}
		}
		if !found {
			to = append(to, t)
		}
	}
	return to
}
