package albtest

import (
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
)

// DefaultJobHistoryLimit is the number of finished jobs a Server keeps by
// default (see WithJobHistoryLimit).
const DefaultJobHistoryLimit = 10000

// WithJobHistoryLimit bounds the job history ListAsynJobs reads: at most n
// finished (Succeeded or Failed) jobs are kept, across every resource; the
// oldest finished ones are forgotten first, so ListAsynJobs stops listing
// them. Processing jobs are never dropped. n <= 0 means
// DefaultJobHistoryLimit.
func WithJobHistoryLimit(n int) Option { return func(c *config) { c.jobLimit = n } }

func (s *Server) jobLimit() int { return positiveOr(s.cfg.jobLimit, DefaultJobHistoryLimit) }

type job struct {
	id, api, resourceID, resourceType, operate, status string
	errCode, errMsg                                    string
	created, modified                                  time.Time
}

func (st *state) addJob(j *job) *job {
	st.jobs[j.id] = j
	st.jobOrder = append(st.jobOrder, j.id)
	return j
}

// finishJob ends a job with the outcome of its transition and trims the
// history.
func (st *state) finishJob(id string, out outcome, now time.Time, limit int) {
	j := st.jobs[id]
	if j == nil || j.status != "Processing" {
		return // unknown, or ended already (a change shared by several resources)
	}
	j.status, j.modified = "Succeeded", now
	if out.errCode != "" {
		j.status, j.errCode, j.errMsg = "Failed", out.errCode, out.errMsg
	}
	st.finished++
	if st.finished > limit+limit/2 {
		st.pruneJobs(limit)
	}
}

// pruneJobs forgets the oldest finished jobs until limit are left. It runs
// once every limit/2 finished jobs, so its cost per job is constant.
func (st *state) pruneJobs(limit int) {
	st.jobOrder = dropOldest(st.jobOrder, st.finished-limit, func(id string) bool {
		if st.jobs[id].status == "Processing" {
			return false
		}
		delete(st.jobs, id)
		st.finished--
		return true
	})
}

func (s *Server) opListAsynJobs(c *call) (any, *apiError) {
	st := s.st
	p := c.p
	jobIDs, e := list(p, "JobIds")
	if e != nil {
		return nil, e
	}
	resIDs, e := list(p, "ResourceIds")
	if e != nil {
		return nil, e
	}
	if len(jobIDs) > 10 || len(resIDs) > 10 {
		return nil, errf(400, "InvalidParameter", "JobIds and ResourceIds take at most 10 values.")
	}
	rt, e := enum(p, "ResourceType", false, "loadbalancer", "listener", "rule", "acl", "securitypolicy", "servergroup")
	if e != nil {
		return nil, e
	}
	begin, e := optInt(p, "BeginTime", 0, 0, 1<<62)
	if e != nil {
		return nil, e
	}
	end, e := optInt(p, "EndTime", 1<<62, 0, 1<<62)
	if e != nil {
		return nil, e
	}
	api := p.Get("ApiName")
	var match []*job
	for _, id := range st.jobOrder {
		j := st.jobs[id]
		if !inFilter(jobIDs, j.id) || !inFilter(resIDs, j.resourceID) ||
			rt != "" && j.resourceType != rt || api != "" && j.api != api {
			continue
		}
		if ms := j.created.UnixMilli(); ms < begin || ms > end {
			continue
		}
		match = append(match, j)
	}
	start, stop, maxResults, next, e := page(p, len(match))
	if e != nil {
		return nil, e
	}
	out := &albsdk.ListAsynJobsResponseBody{
		RequestId:  sp(c.requestID),
		MaxResults: int64Ptr(maxResults),
		NextToken:  sp(next),
		TotalCount: int64Ptr(int64(len(match))),
		Jobs:       []*albsdk.ListAsynJobsResponseBodyJobs{},
	}
	for _, j := range match[start:stop] {
		// A page showing a Processing job is a read of its resource.
		if r := st.tracked[j.resourceID]; r != nil && r.pending != nil && r.pending.jobID == j.id {
			s.settle(r, c.now, true)
		}
		out.Jobs = append(out.Jobs, jobJSON(j))
	}
	return out, nil
}

// jobJSON renders one job.
func jobJSON(j *job) *albsdk.ListAsynJobsResponseBodyJobs {
	item := &albsdk.ListAsynJobsResponseBodyJobs{
		Id: sp(j.id), ApiName: sp(j.api), ResourceId: sp(j.resourceID), ResourceType: sp(j.resourceType),
		OperateType: sp(j.operate), Status: sp(j.status),
		CreateTime: int64Ptr(j.created.UnixMilli()), ModifyTime: int64Ptr(j.modified.UnixMilli()),
	}
	if j.errCode != "" {
		item.ErrorCode, item.ErrorMessage = sp(j.errCode), sp(j.errMsg)
	}
	return item
}
