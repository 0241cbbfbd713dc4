package apierr_test

import (
	"fmt"
	"testing"

	"github.com/albkit/albkit/internal/apierr"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
		want   apierr.Kind
	}{
		{"ResourceNotFound.LoadBalancer", 404, apierr.NotFound | apierr.InstanceNotFound},
		{"ResourceNotFound.VSwitch", 404, apierr.NotFound},
		{"InvalidAccessKeyId.NotFound", 404, apierr.Auth},
		{"InvalidAccessKeyId.Inactive", 400, apierr.Auth},
		{"SignatureDoesNotMatch", 400, apierr.Auth},
		{"InvalidSecurityToken.Expired", 400, apierr.Auth},
		{"Forbidden.RAM", 403, apierr.Auth},
		{"Forbidden.VpcNotFound", 400, apierr.NotFound},
		{"Forbidden.ChargeTypeIsPrepaid", 400, 0},
		{"NoPermission", 403, apierr.Auth},
		{"Throttling.User", 400, apierr.Throttled | apierr.Retryable},
		{"Throttling", 503, apierr.Throttled | apierr.Retryable},
		{"ServiceUnavailable", 503, apierr.Retryable},
		{"IncorrectStatus.LoadBalancer", 400, apierr.Retryable},
		{"ResourceInConfiguring.Listener", 400, apierr.Retryable},
		{"Unheard.Of", 500, apierr.Retryable},
		{"Unheard.Of", 404, 0},
		{"Unheard.Of", 403, apierr.Auth},
		{"QuotaExceeded.LoadBalancersNum", 400, apierr.Quota},
		{"OperationDenied.DeletionProtectionEnabled", 400, apierr.DeletionProtected},
		{"InvalidParameter.Name", 400, apierr.Invalid},
		{"DryRunOperation", 400, apierr.DryRunPassed},
		{"IdempotentParameterMismatch", 400, apierr.TokenReused},
	} {
		if got := apierr.Classify(tc.code, tc.status); got != tc.want {
			t.Errorf("Classify(%q, %d) = %b, want %b", tc.code, tc.status, got, tc.want)
		}
	}
}

func Example() {
	k := apierr.Classify("Throttling.User", 400)
	fmt.Println(k.Has(apierr.Retryable), k.Has(apierr.NotFound))
	// Output: true false
}
