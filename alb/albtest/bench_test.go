package albtest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

const trivialBody = `{"RequestId":"8A5C1F0E-2B1D-4C3E-9F10-000000000001","LoadBalancerId":"alb-0123456789abcdefgh","LoadBalancerName":"albtest-lb","RegionId":"cn-hangzhou","VpcId":"vpc-albtest0001","ResourceGroupId":"rg-albtest-default","CreateTime":"2024-07-01T08:00:00Z","DNSName":"alb-0123456789abcdefgh.cn-hangzhou.alb.aliyuncs.com","AddressType":"Internet","AddressAllocatedMode":"Dynamic","AddressIpVersion":"IPv4","LoadBalancerEdition":"Standard","LoadBalancerStatus":"Active","LoadBalancerBussinessStatus":"Normal","LoadBalancerBillingConfig":{"PayType":"PostPay"},"DeletionProtectionConfig":{"Enabled":false},"ModificationProtectionConfig":{"Status":"NonProtection"},"AccessLogConfig":{"LogProject":"","LogStore":""},"LoadBalancerOperationLocks":[],"Tags":[],"SecurityGroupIds":[],"ZoneMappings":[{"ZoneId":"cn-hangzhou-h","VSwitchId":"vsw-albtest-h","Status":"Active","LoadBalancerAddresses":[{"Address":"47.99.0.1","AllocationId":"eip-0123456789abcdefgh","EipType":"Common","IntranetAddress":"10.0.1.1","IntranetAddressHcStatus":"Healthy","Ipv4LocalAddresses":["10.0.1.2","10.0.1.3"]}]},{"ZoneId":"cn-hangzhou-i","VSwitchId":"vsw-albtest-i","Status":"Active","LoadBalancerAddresses":[{"Address":"47.99.0.2","AllocationId":"eip-0123456789abcdefgi","EipType":"Common","IntranetAddress":"10.0.2.1","IntranetAddressHcStatus":"Healthy","Ipv4LocalAddresses":["10.0.2.2","10.0.2.3"]}]}]}`

// BenchmarkSequentialCalls measures sequential SDK GetLoadBalancerAttribute
// calls against the emulator and against a trivial handler that answers a
// fixed body without checking anything. Both use the same SDK
// configuration (the SDK's default HTTP client).
func BenchmarkSequentialCalls(b *testing.B) {
	run := func(b *testing.B, cfg *openapiutil.Config, id string) {
		cfg.HttpClient = nil
		c, err := albsdk.NewClient(cfg)
		if err != nil {
			b.Fatal(err)
		}
		req := &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)}
		if _, err := c.GetLoadBalancerAttribute(req); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.GetLoadBalancerAttribute(req); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("emulator", func(b *testing.B) {
		srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(1000))
		defer srv.Close()
		id := mustCreate(b, srv.ALBClient(), createReq())
		run(b, srv.Config(), id)
	})
	b.Run("trivial", func(b *testing.B) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			_, _ = w.Write([]byte(trivialBody))
		}))
		defer ts.Close()
		cfg := &openapiutil.Config{
			AccessKeyId: dara.String("ak"), AccessKeySecret: dara.String("sk"),
			Endpoint: dara.String(strings.TrimPrefix(ts.URL, "http://")), Protocol: dara.String("http"), RegionId: dara.String("cn-hangzhou"),
		}
		run(b, cfg, "alb-0123456789abcdefgh")
	})
}
