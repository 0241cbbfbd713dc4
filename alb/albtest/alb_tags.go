package albtest

import (
	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// TagResources, UnTagResources and ListTagResources. Only load balancers
// are emulated; the other resource types answer their not-found code.

// notFoundOther is the not-found answer for a resource type that is not
// emulated (acl, securitypolicy, servergroup).
func notFoundOther(rt, id string) *apiError {
	code := map[string]string{"acl": "ResourceNotFound.Acl", "securitypolicy": "ResourceNotFound.SecurityPolicy", "servergroup": "ResourceNotFound.ServerGroup"}[rt]
	return errf(404, code, "The specified resource %s is not found.", id)
}

// tagTargets resolves ResourceType and ResourceId.N for the tag operations.
func (s *Server) tagTargets(c *call, required bool) (string, []*lbState, *apiError) {
	rt, e := enum(c.p, "ResourceType", true, "loadbalancer", "acl", "securitypolicy", "servergroup")
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
	var lbs []*lbState
	for _, id := range ids {
		if rt != "loadbalancer" {
			return "", nil, notFoundOther(rt, id)
		}
		lb := s.st.lbs[id]
		if lb != nil {
			s.settle(&lb.resource, c.now, false)
		}
		if lb == nil || lb.deleted {
			return "", nil, notFoundLB(id)
		}
		lbs = append(lbs, lb)
	}
	return rt, lbs, nil
}

func (s *Server) opTagResources(c *call) (any, *apiError) {
	_, lbs, e := s.tagTargets(c, true)
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
	for _, lb := range lbs {
		if n := len(mergeTags(append([]tagKV(nil), lb.tags...), tl)); n > 20 {
			return nil, errf(400, "QuotaExceeded.TagsNum", "The quota of %s is exceeded, usage %d/%d.", "tags per resource", n, 20)
		}
	}
	for _, lb := range lbs {
		lb.tags = mergeTags(lb.tags, tl)
	}
	return &albsdk.TagResourcesResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opUnTagResources(c *call) (any, *apiError) {
	_, lbs, e := s.tagTargets(c, true)
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
	for _, lb := range lbs {
		if all {
			lb.tags = nil
			continue
		}
		kept := lb.tags[:0]
		for _, t := range lb.tags {
			drop := false
			for _, k := range keys {
				if k == t.k {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		lb.tags = kept
	}
	return &albsdk.UnTagResourcesResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opListTagResources(c *call) (any, *apiError) {
	rt, lbs, e := s.tagTargets(c, false)
	if e != nil {
		return nil, e
	}
	filter, e := tags(c.p, 20, 128)
	if e != nil {
		return nil, e
	}
	if len(lbs) == 0 && rt == "loadbalancer" {
		for _, id := range s.st.lbOrder {
			if lb := s.st.lbs[id]; !lb.deleted {
				lbs = append(lbs, lb)
			}
		}
	}
	type row struct{ id, k, v string }
	var rows []row
	for _, lb := range lbs {
		for _, t := range lb.tags {
			ok := len(filter) == 0
			for _, f := range filter {
				if f.k == t.k && (f.v == "" || f.v == t.v) {
					ok = true
				}
			}
			if ok {
				rows = append(rows, row{lb.id, t.k, t.v})
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
