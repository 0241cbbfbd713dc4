package edition

import (
	"slices"
	"testing"
)

func TestOfUnknown(t *testing.T) {
	if _, ok := Of("Premium"); ok {
		t.Fatal("Of(Premium) reported a known edition")
	}
	if _, ok := Of("basic"); ok {
		t.Fatal("edition names are the case-sensitive wire values")
	}
}

func TestOrderAndNames(t *testing.T) {
	all := All()
	if len(all) != 3 {
		t.Fatalf("All() has %d editions", len(all))
	}
	for i, f := range all {
		if f.Rank != i+1 || f.Name != Names()[i] {
			t.Errorf("All()[%d] = %s rank %d; want %s rank %d", i, f.Name, f.Rank, Names()[i], i+1)
		}
		g, ok := Of(f.Name)
		if !ok || g.Name != f.Name {
			t.Errorf("Of(%s) = %v, %v", f.Name, g.Name, ok)
		}
	}
}

// Each edition includes every feature of the one before it (seed).
func TestEditionsAreCumulative(t *testing.T) {
	all := All()
	for i := 1; i < len(all); i++ {
		lo, hi := all[i-1], all[i]
		for _, c := range lo.ConditionTypes {
			if !hi.AllowsCondition(c) {
				t.Errorf("%s lacks condition %s that %s has", hi.Name, c, lo.Name)
			}
		}
		for _, a := range lo.ActionTypes {
			if !hi.AllowsAction(a) {
				t.Errorf("%s lacks action %s that %s has", hi.Name, a, lo.Name)
			}
		}
		for _, x := range []Feature{ResponseRules, CustomTLSPolicy, Tracing, SlowStart, ConnectionDrain, CrossZoneOff, WAF} {
			if lo.Has(x) && !hi.Has(x) {
				t.Errorf("%s lacks %s that %s has", hi.Name, x, lo.Name)
			}
		}
		if hi.MaxConditionsPerRule < lo.MaxConditionsPerRule || hi.MaxActionsPerRule < lo.MaxActionsPerRule ||
			hi.MaxWildcardsPerRule < lo.MaxWildcardsPerRule || hi.RulesPerInstance.Default < lo.RulesPerInstance.Default {
			t.Errorf("%s has lower limits than %s", hi.Name, lo.Name)
		}
	}
}

func TestBasic(t *testing.T) {
	b, _ := Of(Basic)
	// seed: "Basic: routing based on domain names, URLs, and HTTP headers"
	for _, c := range []string{"Host", "Path", "Header"} {
		if !b.AllowsCondition(c) {
			t.Errorf("Basic refuses condition %s", c)
		}
	}
	for _, c := range []string{"QueryString", "Method", "Cookie", "SourceIp", "ResponseHeader", "ResponseStatusCode"} {
		if b.AllowsCondition(c) {
			t.Errorf("Basic allows condition %s", c)
		}
	}
	if !b.AllowsAction("ForwardGroup") {
		t.Error("Basic refuses ForwardGroup")
	}
	// seed: Standard adds redirection and rewrite (DECIDED over [DOC-rules]).
	for _, a := range []string{"Redirect", "Rewrite", "FixedResponse", "InsertHeader", "RemoveHeader", "TrafficLimit", "TrafficMirror", "Cors"} {
		if b.AllowsAction(a) {
			t.Errorf("Basic allows action %s", a)
		}
	}
	for _, x := range []Feature{ResponseRules, CustomTLSPolicy, Tracing, SlowStart, ConnectionDrain, CrossZoneOff, WAF} {
		if b.Has(x) {
			t.Errorf("Basic has %s", x)
		}
	}
	if b.MaxConditionsPerRule != 5 || b.MaxActionsPerRule != 3 || b.MaxWildcardsPerRule != 5 ||
		b.RulesPerInstance != (Quota{40, 100}) {
		t.Errorf("Basic limits = %d/%d/%d/%v", b.MaxConditionsPerRule, b.MaxActionsPerRule, b.MaxWildcardsPerRule, b.RulesPerInstance)
	}
}

func TestStandardAndWAF(t *testing.T) {
	for _, name := range []string{Standard, StandardWithWaf} {
		f, _ := Of(name)
		if len(f.ConditionTypes) != 9 || len(f.ActionTypes) != 9 {
			t.Errorf("%s: %d condition types, %d action types; want 9 and 9", name, len(f.ConditionTypes), len(f.ActionTypes))
		}
		if f.MaxConditionsPerRule != 10 || f.MaxActionsPerRule != 5 || f.MaxWildcardsPerRule != 10 ||
			f.RulesPerInstance != (Quota{100, 200}) || f.ListenersPerInstance != (Quota{50, 100}) {
			t.Errorf("%s limits wrong: %+v", name, f)
		}
		for _, x := range []Feature{ResponseRules, CustomTLSPolicy, Tracing, SlowStart, ConnectionDrain, CrossZoneOff} {
			if !f.Has(x) {
				t.Errorf("%s lacks %s", name, x)
			}
		}
		if f.Has(WAF) != (name == StandardWithWaf) {
			t.Errorf("%s: WAF = %v", name, f.Has(WAF))
		}
	}
}

func TestNeeding(t *testing.T) {
	cases := []struct {
		x    Feature
		want string
	}{
		{Condition("Host"), Basic},
		{Condition("Cookie"), Standard},
		{Action("ForwardGroup"), Basic},
		{Action("Redirect"), Standard},
		{Action("Rewrite"), Standard},
		{ResponseRules, Standard},
		{CustomTLSPolicy, Standard},
		{SlowStart, Standard},
		{WAF, StandardWithWaf},
	}
	for _, c := range cases {
		got, ok := Needing(c.x)
		if !ok || got != c.want {
			t.Errorf("Needing(%s) = %q, %v; want %q", c.x, got, ok, c.want)
		}
	}
	if got, ok := Needing(Action("Teleport")); ok {
		t.Errorf("Needing(unknown) = %q, true", got)
	}
}

func TestRefusal(t *testing.T) {
	b, _ := Of(Basic)
	if got, want := b.Refusal(Action("Rewrite")), "the Rewrite action needs the Standard edition (this instance is Basic)"; got != want {
		t.Errorf("Refusal = %q; want %q", got, want)
	}
	if got, want := b.Refusal(ResponseRules), "Response-direction rules need the Standard edition (this instance is Basic)"; got != want {
		t.Errorf("Refusal = %q; want %q", got, want)
	}
	if got := b.Refusal(Condition("Host")); got != "" {
		t.Errorf("Refusal of an offered feature = %q", got)
	}
	if got := b.Refusal(Condition("Teleport")); got != "the Teleport condition is offered by no edition" {
		t.Errorf("Refusal of unknown = %q", got)
	}
}

// Changing what Of returns must not change the table.
func TestNoSharedState(t *testing.T) {
	f, _ := Of(Standard)
	f.ConditionTypes[0] = "Nope"
	all := All()
	all[2].ActionTypes[0] = "Nope"
	g, _ := Of(Standard)
	w, _ := Of(StandardWithWaf)
	if !slices.Contains(g.ConditionTypes, "Host") || !w.AllowsAction("ForwardGroup") || !all[1].AllowsAction("ForwardGroup") {
		t.Fatal("a caller's change leaked into the table")
	}
}

func TestFeatureString(t *testing.T) {
	for x, want := range map[Feature]string{
		Condition("Cookie"): "the Cookie condition",
		Action("Cors"):      "the Cors action",
		ResponseRules:       "Response-direction rules",
		Tracing:             "Tracing Analysis",
		Feature("odd"):      "odd",
	} {
		if x.String() != want {
			t.Errorf("%q.String() = %q; want %q", string(x), x.String(), want)
		}
	}
}
