// Command quickstart builds and validates an ALB instance spec.
//
// It is the first program a new albkit user runs: go run ./examples/quickstart
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/albkit/albkit/alb"
)

func main() {
	spec := alb.NewInstanceSpec("vpc-albtest0001", alb.Internet, alb.EditionStandard,
		alb.Zone("cn-hangzhou-h", "vsw-albtest-h"),
		alb.Zone("cn-hangzhou-i", "vsw-albtest-i"),
	).WithName("quickstart")
	if err := spec.Validate(); err != nil {
		var ve *alb.ValidationError
		if errors.As(err, &ve) {
			for _, fe := range ve.Errors {
				fmt.Println("invalid:", fe)
			}
		}
		os.Exit(1)
	}
	fmt.Println("spec is valid: the client lifecycle is not implemented yet")
}
