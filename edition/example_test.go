package edition_test

import (
	"fmt"

	"github.com/albkit/albkit/edition"
)

func ExampleOf() {
	basic, _ := edition.Of(edition.Basic)
	fmt.Println(basic.AllowsCondition("Header"), basic.AllowsCondition("Cookie"))
	fmt.Println(basic.MaxConditionsPerRule, basic.MaxActionsPerRule, basic.RulesPerInstance.Default)
	fmt.Println(basic.Refusal(edition.Action("Rewrite")))
	// Output:
	// true false
	// 5 3 40
	// the Rewrite action needs the Standard edition (this instance is Basic)
}

func ExampleNeeding() {
	for _, x := range []edition.Feature{edition.Condition("Path"), edition.Action("Redirect"), edition.SlowStart, edition.WAF} {
		need, _ := edition.Needing(x)
		fmt.Printf("%s: %s\n", x, need)
	}
	// Output:
	// the Path condition: Basic
	// the Redirect action: Standard
	// slow start: Standard
	// WAF 3.0 protection: StandardWithWaf
}
