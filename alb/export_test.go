package alb

import albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"

// CreateRequestForTest exposes createRequest to the external test package:
// the differential test sends the exact SDK request albkit would send, also
// for specs that local validation refuses (which Client never sends).
func CreateRequestForTest(s InstanceSpec, token string, dryRun bool) *albsdk.CreateLoadBalancerRequest {
	return s.createRequest(token, token, dryRun)
}

// SharedReadWaitersForTest reports how many create plans wait on the
// Client's shared read of key (preflight.go).
func SharedReadWaitersForTest(c *Client, key string) int { return c.facts.Waiting(key) }

// MaxUserTagsForTest is the number of tags a spec may carry.
const MaxUserTagsForTest = maxUserTags
