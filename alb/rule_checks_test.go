package alb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/edition"
	"github.com/albkit/albkit/routing"
)

// fieldsOf returns the fields and rules of a *ValidationError, in order.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *alb.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, alb.ErrInvalidSpec) {
		t.Fatalf("want a *ValidationError matching ErrInvalidSpec, got %T %v", err, err)
	}
	var out []string
	for _, fe := range ve.Errors {
		out = append(out, fe.Field+" "+fe.Rule)
	}
	return out
}

// ruleEnv is a Standard instance's HTTP listener (idempotency key key)
// with one rule, named first at priority first, forwarding to group 1.
func ruleEnv(t *testing.T, key string, first string, prio int) (*lsnEnv, *alb.Listener, *alb.ForwardingRules, *alb.Rule) {
	t.Helper()
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	l, err := e.c.Listeners().Create(ctx, e.httpSpec(key))
	if err != nil {
		t.Fatal(err)
	}
	fr := e.c.ForwardingRules()
	r, err := fr.Create(ctx, l.ID, pathRule(first, prio, "/"+first, e.groups[1]))
	if err != nil {
		t.Fatal(err)
	}
	return e, l, fr, r
}

// findingAt returns the blocking finding of rule at resource in a
// *FindingsError, or fails.
func findingAt(t *testing.T, err error, rule, resource string) alb.Finding {
	t.Helper()
	var fe *alb.FindingsError
	if !errors.As(err, &fe) {
		t.Fatalf("want a *FindingsError, got %T %v", err, err)
	}
	for _, f := range fe.Findings {
		if f.Rule == rule && f.Resource == resource && f.Severity == alb.SeverityBlocking {
			return f
		}
	}
	t.Fatalf("no blocking %s at %s in %v", rule, resource, err)
	return alb.Finding{}
}

// TestRuleSpecsAreRefusedBeforeAnyCall: a rule spec that is wrong on its
// own (or a batch whose names or priorities repeat) is refused before any
// request, every violation at once, the fields named as the arguments; so
// are empty IDs, named as the parameters.
func TestRuleSpecsAreRefusedBeforeAnyCall(t *testing.T) {
	e, l, fr, r1 := ruleEnv(t, "checks", "r1", 10)
	ctx := context.Background()
	before := len(e.srv.Requests())

	f := fieldsOf(t, func() error { _, err := fr.Create(ctx, l.ID, alb.NewRuleSpec("", 0)); return err }())
	if !slices.Contains(f, "spec.Name rule-name-length") || !slices.Contains(f, "spec.Priority rule-priority-range") {
		t.Errorf("Create of an empty spec: %v", f)
	}
	bad := []alb.RuleSpec{
		alb.NewRuleSpec("", 5, routing.Path("/x")).Then(routing.ForwardTo(e.groups[0])),
		pathRule("bb", 0, "/y", e.groups[0]),
		pathRule("cc", 7, "/z", e.groups[0]),
		pathRule("cc", 7, "/w", e.groups[0]),
	}
	f = fieldsOf(t, func() error { _, err := fr.CreateMany(ctx, l.ID, bad); return err }())
	for _, want := range []string{"specs[0].Name rule-name-length", "specs[1].Priority rule-priority-range",
		"specs[3].Name " + alb.RuleListenerRuleNameUnique, "specs[3].Priority " + routing.RulePriorityUnique} {
		if !slices.Contains(f, want) {
			t.Errorf("CreateMany: no %q in %v", want, f)
		}
	}
	if len(f) != 4 {
		t.Errorf("CreateMany: %d violations, want 4: %v", len(f), f)
	}
	f = fieldsOf(t, func() error { _, err := fr.Update(ctx, r1.ID, pathRule("r1", 0, "/r1", e.groups[1])); return err }())
	if !slices.Contains(f, "spec.Priority rule-priority-range") {
		t.Errorf("Update: %v", f)
	}
	var ae *alb.ArgumentError
	if err := fr.Delete(ctx, ""); !errors.As(err, &ae) || ae.Argument != "id" {
		t.Errorf("Delete(\"\"): %v", err)
	}
	if _, err := fr.Create(ctx, "", pathRule("r9", 90, "/r9", e.groups[0])); !errors.As(err, &ae) || ae.Argument != "listenerID" {
		t.Errorf("Create(\"\"): %v", err)
	}
	if n := len(e.srv.Requests()) - before; n != 0 {
		t.Errorf("refused calls made %d requests", n)
	}
}

// TestRuleNamesAndPrioritiesAreCheckedAgainstTheListener: a create or an
// update that would give a rule a name or a priority another rule of the
// listener holds is refused before any write (albkit identifies rules by
// name: a duplicate would make Listeners.Ensure delete one of them); a rule
// keeps its own name and priority through an update.
func TestRuleNamesAndPrioritiesAreCheckedAgainstTheListener(t *testing.T) {
	e, l, fr, r1 := ruleEnv(t, "names", "r1", 10)
	ctx := context.Background()
	r2, err := fr.Create(ctx, l.ID, pathRule("r2", 20, "/b", e.groups[1]))
	if err != nil {
		t.Fatal(err)
	}
	before := writes(e.srv)
	_, err = fr.Create(ctx, l.ID, pathRule("r1", 30, "/c", e.groups[1]))
	findingAt(t, err, alb.RuleListenerRuleNameUnique, "spec.Name")
	_, err = fr.CreateMany(ctx, l.ID, []alb.RuleSpec{pathRule("r3", 30, "/c", e.groups[1]), pathRule("r4", 10, "/d", e.groups[1])})
	findingAt(t, err, routing.RulePriorityUnique, "specs[1].Priority")
	_, err = fr.Update(ctx, r2.ID, pathRule("r1", 20, "/b", e.groups[1]))
	findingAt(t, err, alb.RuleListenerRuleNameUnique, "spec.Name")
	if !errors.Is(err, alb.ErrPreflightFailed) {
		t.Errorf("a refused rule check does not match ErrPreflightFailed: %v", err)
	}
	if writes(e.srv) != before {
		t.Fatal("a refused rule call made a write")
	}
	// A Response rule has priorities of its own.
	resp := alb.NewRuleSpec("resp", 10, routing.ResponseStatusCode("500")).OnResponse().Then(routing.InsertHeader("x-err", "1"))
	if _, err := fr.Create(ctx, l.ID, resp); err != nil {
		t.Fatalf("a Response rule at a Request rule's priority: %v", err)
	}
	// An update keeps its own name and priority.
	if got, err := fr.Update(ctx, r1.ID, pathRule("r1", 10, "/r1b", e.groups[2])); err != nil || got.Name != "r1" {
		t.Fatalf("an update keeping its name and priority: %v %v", got, err)
	}
	// Ensure of a listener naming r1 and r2 now sees two rules by two names.
	n := 0
	for r, err := range fr.List(ctx, alb.RuleFilter{ListenerIDs: []string{l.ID}, Direction: routing.DirectionRequest}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Name == "r1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d rules named r1", n)
	}
}

// TestCreateManyRefusesRulesAboveTheQuotaMaximum: the instance's rules and
// the new ones together above the edition's quota raised to its maximum
// are refused before any write, not sent until the service refuses a
// batch half-way.
func TestCreateManyRefusesRulesAboveTheQuotaMaximum(t *testing.T) {
	e, l, fr, _ := ruleEnv(t, "quota", "first", 1)
	ctx := context.Background()
	q, _ := edition.Of(string(alb.EditionStandard))
	specs := make([]alb.RuleSpec, q.RulesPerInstance.Max) // one more than the maximum, with the rule above
	for i := range specs {
		specs[i] = pathRule(fmt.Sprintf("p%03d", i), 1000+i, fmt.Sprintf("/p%d", i), e.groups[i%3])
	}
	before := writes(e.srv)
	_, err := fr.CreateMany(ctx, l.ID, specs)
	findingAt(t, err, routing.RuleEditionRulesQuota, "specs")
	if n := sgCalls(e.srv, "CreateRules"); writes(e.srv) != before || n != 1 {
		t.Fatalf("a batch above the quota's maximum was sent: %d CreateRules calls", n)
	}
}

// TestListenerRulesCountTheInstancesOtherListeners: a listener created or
// ensured with rules that, with the rules the instance's other listeners
// hold, exceed the edition's rule quota at its maximum is refused before
// any write (it counted only its own and the service refused its rules
// after the listener was made); at the maximum it is created.
func TestListenerRulesCountTheInstancesOtherListeners(t *testing.T) {
	q, _ := edition.Of(string(alb.EditionStandard))
	max := q.RulesPerInstance.Max
	e := newLsnEnv(t, alb.EditionStandard, albtest.WithInstanceQuotas(string(alb.EditionStandard), albtest.InstanceQuotas{Rules: max}))
	ctx := context.Background()
	ls := e.c.Listeners()
	first, err := ls.Create(ctx, e.httpSpec("first"))
	if err != nil {
		t.Fatal(err)
	}
	held := max - 10
	specs := make([]alb.RuleSpec, held)
	for i := range specs {
		specs[i] = pathRule(fmt.Sprintf("p%03d", i), 1+i, fmt.Sprintf("/p%d", i), e.groups[i%3])
	}
	if _, err := e.c.ForwardingRules().CreateMany(ctx, first.ID, specs); err != nil {
		t.Fatal(err)
	}
	second := func(n int) alb.ListenerSpec {
		rules := make([]alb.RuleSpec, n)
		for i := range rules {
			rules[i] = pathRule(fmt.Sprintf("q%02d", i), 1+i, fmt.Sprintf("/q%d", i), e.groups[1])
		}
		s := e.httpSpec("second", rules...)
		s.Port = 81
		return s
	}
	before := writes(e.srv)
	_, err = ls.Create(ctx, second(11))
	f := findingAt(t, err, routing.RuleEditionRulesQuota, "Rules")
	if !strings.Contains(f.Message, fmt.Sprint(held)) {
		t.Errorf("the finding does not count the other listener's %d rules: %s", held, f.Message)
	}
	_, err = ls.Ensure(ctx, second(11))
	findingAt(t, err, routing.RuleEditionRulesQuota, "Rules")
	if writes(e.srv) != before {
		t.Fatalf("a listener whose rules exceed the instance's quota was written: %d writes", writes(e.srv)-before)
	}
	if _, err := ls.Create(ctx, second(10)); err != nil {
		t.Fatalf("a listener whose rules fill the quota exactly: %v", err)
	}
}

// TestSecondListenerOnAPortInUseIsRefusedBeforeAnyWrite: a listener of
// another key on the port and protocol of an existing listener is refused
// by the checks (it was taken for the spec's own listener, and the service
// refused the CreateListener: ResourceAlreadyExist.Listener); the existing
// listener's own spec, and the same listener adopted by ID under another
// key, converge.
func TestSecondListenerOnAPortInUseIsRefusedBeforeAnyWrite(t *testing.T) {
	e := newLsnEnv(t, alb.EditionStandard)
	ctx := context.Background()
	ls := e.c.Listeners()
	first, err := ls.Ensure(ctx, e.httpSpec("first"))
	if err != nil {
		t.Fatal(err)
	}
	before := writes(e.srv)
	plan, err := ls.PlanEnsure(ctx, e.httpSpec("second"))
	if err != nil || !slices.ContainsFunc(plan.Findings, func(f alb.Finding) bool {
		return f.Rule == alb.RuleListenerPortUnique && f.Severity == alb.SeverityBlocking
	}) {
		t.Fatalf("plan of a second listener on port 80: %v, findings %v", err, plan)
	}
	_, err = ls.Ensure(ctx, e.httpSpec("second"))
	findingAt(t, err, alb.RuleListenerPortUnique, "Port")
	_, err = ls.Create(ctx, e.httpSpec("third"))
	findingAt(t, err, alb.RuleListenerPortUnique, "Port")
	if n := writes(e.srv) - before; n != 0 {
		t.Fatalf("refused listeners wrote %d call(s)", n)
	}
	if _, err := ls.Ensure(ctx, e.httpSpec("first")); err != nil {
		t.Fatalf("the listener's own spec again: %v", err)
	}
	adopt, err := ls.PlanEnsure(ctx, e.httpSpec("adopter"), alb.EnsureID(first.Listener.ID))
	if err != nil || slices.ContainsFunc(adopt.Findings, func(f alb.Finding) bool { return f.Rule == alb.RuleListenerPortUnique }) {
		t.Fatalf("the listener adopted by ID under another key: %v, findings %v", err, adopt)
	}
}
