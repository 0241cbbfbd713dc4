package albtest

import "time"

// Jobs have no transition of their own: a job is Processing exactly as long
// as its resource is pending and ends when the resource's transition does
// (a ListAsynJobs page showing it counts as a read of the resource; Advance
// given a job ID completes the resource's transition). The real service may
// finish a job at another moment than the status change.

// resource is what the transition engine needs of an emulated resource: its
// ID, its kind (the ListAsynJobs ResourceType: "loadbalancer", later
// "servergroup", "listener"), its status and its pending transition. A
// resource type embeds it and calls state.track when it is created, so that
// asynchronous operations on it get a job, a pending status, Advance,
// AdvanceAll and ListAsynJobs without code of their own.
type resource struct {
	id      string
	kind    string
	status  string
	pending *pending
}

// change describes one asynchronous operation on a resource.
type change struct {
	phase   string // which configured Transition applies (PhaseProvisioning, PhaseConfiguring, PhaseDeleting)
	status  string // status shown while pending; "" means phase
	api     string // the job's ApiName
	operate string // the job's OperateType: Create | Update | Delete
	// done applies the change when the transition completes and returns the
	// final status (and a job error for a failed job). A change that must not
	// be visible while pending (a new edition, an attached bandwidth
	// package) is made here, not in the operation.
	done func(now time.Time) outcome
}

// outcome is the end of a transition.
type outcome struct {
	status          string // final status of the resource
	errCode, errMsg string // set for a failed job
}

type pending struct {
	change
	t     Transition
	start time.Time
	polls int
	jobID string
}

// track registers r so that jobs, Advance and AdvanceAll find it.
func (st *state) track(r *resource) { st.tracked[r.id] = r }

// untrack forgets r (after it is released).
func (st *state) untrack(id string) { delete(st.tracked, id) }

// begin starts an asynchronous change of r: it records a Processing job,
// shows the pending status and completes at once for an Immediate
// transition.
func (s *Server) begin(r *resource, now time.Time, ch change) *job {
	j := s.st.addJob(&job{
		id: newJobID(), api: ch.api, resourceID: r.id, resourceType: r.kind,
		operate: ch.operate, status: "Processing", created: now, modified: now,
	})
	if ch.status == "" {
		ch.status = ch.phase
	}
	r.pending = &pending{change: ch, t: s.transition(ch.phase), start: now, jobID: j.id}
	r.status = ch.status
	if r.pending.t.Kind == KindImmediate {
		s.complete(r, now)
	}
	return j
}

// settle completes r's pending transition when it is due. poll counts the
// call as a read of the resource (for AfterPolls).
func (s *Server) settle(r *resource, now time.Time, poll bool) {
	p := r.pending
	if p == nil {
		return
	}
	done := false
	switch p.t.Kind {
	case KindImmediate:
		done = true
	case KindAfterDuration:
		done = !now.Before(p.start.Add(p.t.Duration))
	case KindAfterPolls:
		if p.polls >= p.t.Polls {
			done = true
		} else if poll {
			p.polls++
		}
	case KindManual:
	}
	if done {
		s.complete(r, now)
	}
}

// complete ends r's pending transition and its job.
func (s *Server) complete(r *resource, now time.Time) {
	p := r.pending
	if p == nil {
		return
	}
	r.pending = nil
	out := outcome{status: "Active"}
	if p.done != nil {
		out = p.done(now)
	}
	r.status = out.status
	s.st.finishJob(p.jobID, out, now, s.jobLimit())
}

// settleAll applies the transitions that are due on every tracked resource,
// without counting a poll. s.mu must be held.
func (s *Server) settleAll() {
	now := s.clock.Now()
	for _, r := range s.st.trackedInOrder() {
		s.settle(r, now, false)
	}
}

// trackedInOrder returns the tracked resources with a pending transition
// first ordered by job creation, so that completing them is deterministic.
func (st *state) trackedInOrder() []*resource {
	out := make([]*resource, 0, len(st.tracked))
	for _, id := range st.jobOrder {
		j := st.jobs[id]
		if r := st.tracked[j.resourceID]; r != nil && r.pending != nil && r.pending.jobID == j.id {
			out = append(out, r)
		}
	}
	return out
}

// beginBatch starts one asynchronous change shared by several resources
// (CreateRules, UpdateRulesAttribute, DeleteRules): one job, named after
// the first resource, and one transition. Every member shows the pending
// status; a read of any member counts as a poll of the shared transition,
// and when it completes done runs once and every member takes the final
// status. A list page settles each shared transition once (settleOnce) so
// that its members read alike.
func (s *Server) beginBatch(rs []*resource, now time.Time, ch change) *job {
	var shared *pending
	done := ch.done
	ch.done = func(t time.Time) outcome {
		out := outcome{status: "Active"}
		if done != nil {
			out = done(t)
		}
		for _, r := range rs {
			if shared != nil && r.pending == shared {
				r.pending = nil
				r.status = out.status
			}
		}
		return out
	}
	j := s.begin(rs[0], now, ch)
	shared = rs[0].pending
	for _, r := range rs[1:] {
		r.pending, r.status = shared, rs[0].status // nil and the final status when it completed at once
	}
	return j
}

// settleOnce settles each distinct pending transition of rs once, counting
// a poll: the members of a shared change (beginBatch) shown on one page
// then read alike.
func (s *Server) settleOnce(rs []*resource, now time.Time) {
	seen := map[*pending]bool{}
	for _, r := range rs {
		if p := r.pending; p != nil && !seen[p] {
			seen[p] = true
			s.settle(r, now, true)
		}
	}
}

// dropPending ends r's pending transition without making its change: its
// job (if still Processing) ends with out.
func (s *Server) dropPending(r *resource, out outcome, now time.Time) {
	if p := r.pending; p != nil {
		r.pending = nil
		s.st.finishJob(p.jobID, out, now, s.jobLimit())
	}
}
