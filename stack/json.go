package stack

import (
	"encoding/json"

	"github.com/albkit/albkit/alb"
)

// Summary counts a plan's resources by action, and its write calls.
type Summary struct {
	Create    int `json:"create"`    // resources to create
	Update    int `json:"update"`    // to change in place
	Delete    int `json:"delete"`    // to delete
	Refused   int `json:"refused"`   // refused: apply would write nothing
	Unchanged int `json:"unchanged"` // as the stack says already
	Calls     int `json:"calls"`     // API writes, all resources together
}

// Summary counts the plan's resources by action, and its write calls.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, it := range p.Items {
		switch it.Action {
		case ActionCreate:
			s.Create++
		case ActionUpdate:
			s.Update++
		case ActionDelete:
			s.Delete++
		case ActionRefused:
			s.Refused++
		case ActionNone:
			s.Unchanged++
		}
		s.Calls += len(it.Calls)
	}
	return s
}

// MarshalJSON renders the plan for programs: its key and items (in apply
// order, each with its kind, name, ID, action, calls, changes, refusals,
// findings and side effects), a summary ([Plan.Summary]), and whether it
// is blocked ([Plan.Blocked]) and writes ([Plan.Writes]). Every name is
// camelCase; the output depends only on the plan (no map order, no time),
// so it can be compared from one run to the next. json.Unmarshal reads it
// back into a Plan (the summary and flags are derived, and ignored).
func (p Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	q := plain(p)
	if q.Items == nil {
		q.Items = []Item{}
	}
	return json.Marshal(struct {
		plain
		Summary Summary `json:"summary"`
		Blocked bool    `json:"blocked"`
		Writes  bool    `json:"writes"`
	}{q, p.Summary(), p.Blocked(), p.Writes()})
}

// jsonFinding is an alb.Finding with camelCase names.
type jsonFinding struct {
	Rule     string       `json:"rule"`
	Severity alb.Severity `json:"severity"`
	Resource string       `json:"resource,omitempty"`
	Message  string       `json:"message"`
	Fix      string       `json:"fix,omitempty"`
}

// MarshalJSON renders the item with its findings' names in camelCase, as
// the rest of the plan.
func (it Item) MarshalJSON() ([]byte, error) {
	type plain Item
	var fs []jsonFinding
	for _, f := range it.Findings {
		fs = append(fs, jsonFinding{Rule: f.Rule, Severity: f.Severity, Resource: f.Resource, Message: f.Message, Fix: f.Fix})
	}
	return json.Marshal(struct {
		plain
		Findings []jsonFinding `json:"findings,omitempty"`
	}{plain(it), fs})
}
