package albtest

import (
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// Health check templates: CreateHealthCheckTemplate,
// UpdateHealthCheckTemplateAttribute, DeleteHealthCheckTemplates,
// GetHealthCheckTemplateAttribute, ListHealthCheckTemplates (synchronous,
// no jobs) and ApplyHealthCheckTemplateToServerGroup (a Configuring change
// of the group). A template is copied into the group when the change
// completes: changing or deleting the template later does not change the
// group (GUESS: the reference finds no sentence either way).

// healthCheckTemplateQuota is the number of templates allowed per region
// (the quota table: 50).
const healthCheckTemplateQuota = 50

type hctState struct {
	id, name, resourceGroup string
	hc                      healthCheck // enabled is unused
	tags                    []tagKV
	created                 time.Time
}

func notFoundHCT(id string) *apiError {
	return errf(404, "ResourceNotFound.HealthCheckTemplate", "The specified resource %s is not found.", truncate(id, 64))
}

// lookupHCT returns the template named by parameter name.
func (s *Server) lookupHCT(c *call, name string) (*hctState, *apiError) {
	id := c.p.Get(name)
	if id == "" {
		return nil, missing(name)
	}
	t := s.st.hcts[id]
	if t == nil {
		return nil, notFoundHCT(id)
	}
	return t, nil
}

func (s *Server) opCreateHealthCheckTemplate(c *call) (any, *apiError) {
	p := c.p
	name := p.Get("HealthCheckTemplateName")
	if name == "" {
		return nil, missing("HealthCheckTemplateName")
	}
	if !validName(name) {
		return nil, invalid("HealthCheckTemplateName", name)
	}
	hc, e := parseHealthCheck(p, "", defaultHealthCheck(""), false)
	if e != nil {
		return nil, e
	}
	tl, e := tags(p, 20, 128)
	if e != nil {
		return nil, e
	}
	st := s.st
	if n := len(st.hcts); n >= healthCheckTemplateQuota {
		return nil, errf(400, "QuotaExceeded.HealthCheckTemplatesNum", "The quota of %s is exceeded, usage %d/%d.", "alb_quota_healthchecktemplates_num", n, healthCheckTemplateQuota)
	}
	if c.dryRun {
		return nil, errDryRun
	}
	t := &hctState{id: randomID("hct-", 20), name: name, hc: hc, tags: tl, created: c.now,
		resourceGroup: or(p.Get("ResourceGroupId"), DefaultResourceGroupID)}
	for st.hcts[t.id] != nil {
		t.id = randomID("hct-", 20)
	}
	st.hcts[t.id] = t
	st.hctOrder = append(st.hctOrder, t.id)
	return &albsdk.CreateHealthCheckTemplateResponseBody{RequestId: sp(c.requestID), HealthCheckTemplateId: sp(t.id)}, nil
}

func (s *Server) opUpdateHealthCheckTemplateAttribute(c *call) (any, *apiError) {
	t, e := s.lookupHCT(c, "HealthCheckTemplateId")
	if e != nil {
		return nil, e
	}
	name := t.name
	if v := c.p.Get("HealthCheckTemplateName"); v != "" {
		if !validName(v) {
			return nil, invalid("HealthCheckTemplateName", v)
		}
		name = v
	}
	hc, e := parseHealthCheck(c.p, "", t.hc, false)
	if e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	t.name, t.hc = name, hc
	return &albsdk.UpdateHealthCheckTemplateAttributeResponseBody{RequestId: sp(c.requestID)}, nil
}

// opDeleteHealthCheckTemplates deletes at most 10 templates, all or none.
func (s *Server) opDeleteHealthCheckTemplates(c *call) (any, *apiError) {
	ids, e := list(c.p, "HealthCheckTemplateIds")
	if e != nil {
		return nil, e
	}
	if len(ids) == 0 {
		return nil, missing("HealthCheckTemplateIds")
	}
	if len(ids) > 10 {
		return nil, errf(400, "InvalidParameter", "HealthCheckTemplateIds takes at most 10 values.")
	}
	st := s.st
	for _, id := range ids {
		if st.hcts[id] == nil {
			return nil, notFoundHCT(id)
		}
	}
	if c.dryRun {
		return nil, errDryRun
	}
	for _, id := range ids {
		delete(st.hcts, id)
	}
	kept := st.hctOrder[:0]
	for _, id := range st.hctOrder {
		if st.hcts[id] != nil {
			kept = append(kept, id)
		}
	}
	st.hctOrder = kept
	return &albsdk.DeleteHealthCheckTemplatesResponseBody{RequestId: sp(c.requestID)}, nil
}

func (s *Server) opGetHealthCheckTemplateAttribute(c *call) (any, *apiError) {
	t, e := s.lookupHCT(c, "HealthCheckTemplateId")
	if e != nil {
		return nil, e
	}
	l := t.listItem()
	out := &albsdk.GetHealthCheckTemplateAttributeResponseBody{
		RequestId: sp(c.requestID), HealthCheckTemplateId: l.HealthCheckTemplateId, HealthCheckTemplateName: l.HealthCheckTemplateName,
		HealthCheckProtocol: l.HealthCheckProtocol, HealthCheckConnectPort: l.HealthCheckConnectPort, HealthCheckHost: l.HealthCheckHost,
		HealthCheckPath: l.HealthCheckPath, HealthCheckMethod: l.HealthCheckMethod, HealthCheckHttpVersion: l.HealthCheckHttpVersion,
		HealthCheckCodes: l.HealthCheckCodes, HealthCheckInterval: l.HealthCheckInterval, HealthCheckTimeout: l.HealthCheckTimeout,
		HealthyThreshold: l.HealthyThreshold, UnhealthyThreshold: l.UnhealthyThreshold, ResourceGroupId: l.ResourceGroupId,
		Tags: []*albsdk.GetHealthCheckTemplateAttributeResponseBodyTags{},
	}
	for _, tg := range t.tags {
		out.Tags = append(out.Tags, &albsdk.GetHealthCheckTemplateAttributeResponseBodyTags{Key: sp(tg.k), Value: sp(tg.v)})
	}
	return out, nil
}

func (s *Server) opListHealthCheckTemplates(c *call) (any, *apiError) {
	p := c.p
	ids, e := list(p, "HealthCheckTemplateIds")
	if e != nil {
		return nil, e
	}
	names, e := list(p, "HealthCheckTemplateNames")
	if e != nil {
		return nil, e
	}
	tf, e := tags(p, 20, 128)
	if e != nil {
		return nil, e
	}
	group := p.Get("ResourceGroupId")
	var match []*hctState
	for _, id := range s.st.hctOrder {
		t := s.st.hcts[id]
		if inFilter(ids, t.id) && inFilter(names, t.name) && (group == "" || group == t.resourceGroup) && hasTags(t.tags, tf) {
			match = append(match, t)
		}
	}
	start, end, maxResults, next, e := page(p, len(match))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListHealthCheckTemplatesResponseBody{
		RequestId: sp(c.requestID), MaxResults: int32Ptr(int32(maxResults)), NextToken: sp(next),
		TotalCount: int32Ptr(int32(len(match))), HealthCheckTemplates: []*albsdk.ListHealthCheckTemplatesResponseBodyHealthCheckTemplates{},
	}
	for _, t := range match[start:end] {
		out.HealthCheckTemplates = append(out.HealthCheckTemplates, t.listItem())
	}
	return out, nil
}

// listItem is the template as ListHealthCheckTemplates shows it (and, in
// its own types, GetHealthCheckTemplateAttribute): the fields its protocol
// uses, optional strings only when set.
func (t *hctState) listItem() *albsdk.ListHealthCheckTemplatesResponseBodyHealthCheckTemplates {
	g := t.hc.groupJSON()
	item := &albsdk.ListHealthCheckTemplatesResponseBodyHealthCheckTemplates{
		HealthCheckTemplateId: sp(t.id), HealthCheckTemplateName: sp(t.name), ResourceGroupId: sp(t.resourceGroup),
		HealthCheckProtocol: g.HealthCheckProtocol, HealthCheckConnectPort: g.HealthCheckConnectPort, HealthCheckHost: g.HealthCheckHost,
		HealthCheckPath: g.HealthCheckPath, HealthCheckMethod: g.HealthCheckMethod, HealthCheckHttpVersion: g.HealthCheckHttpVersion,
		HealthCheckCodes: g.HealthCheckCodes, HealthCheckInterval: g.HealthCheckInterval, HealthCheckTimeout: g.HealthCheckTimeout,
		HealthyThreshold: g.HealthyThreshold, UnhealthyThreshold: g.UnhealthyThreshold,
		Tags: []*albsdk.ListHealthCheckTemplatesResponseBodyHealthCheckTemplatesTags{},
	}
	for _, tg := range t.tags {
		item.Tags = append(item.Tags, &albsdk.ListHealthCheckTemplatesResponseBodyHealthCheckTemplatesTags{Key: sp(tg.k), Value: sp(tg.v)})
	}
	return item
}

// opApplyHealthCheckTemplateToServerGroup copies the template into the
// group's health check (enabled) when the Configuring transition completes.
func (s *Server) opApplyHealthCheckTemplateToServerGroup(c *call) (any, *apiError) {
	t, e := s.lookupHCT(c, "HealthCheckTemplateId")
	if e != nil {
		return nil, e
	}
	sg, e := s.writableSG(c, "ServerGroupId")
	if e != nil {
		return nil, e
	}
	if c.dryRun {
		return nil, errDryRun
	}
	hc := t.hc
	hc.enabled = true
	hc.codes = append([]string(nil), t.hc.codes...)
	j := s.changeSG(sg, c, "ApplyHealthCheckTemplateToServerGroup", func() { sg.hc = hc })
	return &albsdk.ApplyHealthCheckTemplateToServerGroupResponseBody{RequestId: sp(c.requestID), JobId: sp(j.id)}, nil
}
