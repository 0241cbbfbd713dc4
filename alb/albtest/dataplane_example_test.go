package albtest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// A listener serves real traffic: an httptest server registered as an Ip
// member of a server group gets the requests a rule sends it, and the
// listener answers a redirect itself.
func ExampleServer_HTTPClient() {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()))
	defer srv.Close()
	c := srv.ALBClient()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend: %s %s", r.Host, r.URL.Path)
	}))
	defer backend.Close()
	u, _ := url.Parse(backend.URL)
	port, _ := strconv.Atoi(u.Port())

	lb, _ := c.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId: dara.String(albtest.DefaultVPCID), AddressType: dara.String("Intranet"), LoadBalancerEdition: dara.String("Standard"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings: []*albsdk.CreateLoadBalancerRequestZoneMappings{
			{ZoneId: dara.String(albtest.ZoneH), VSwitchId: dara.String(albtest.VSwitchH)},
			{ZoneId: dara.String(albtest.ZoneI), VSwitchId: dara.String(albtest.VSwitchI)},
		},
	})
	sg, _ := c.CreateServerGroup(&albsdk.CreateServerGroupRequest{ServerGroupName: dara.String("web"), ServerGroupType: dara.String("Ip"),
		VpcId: dara.String(albtest.DefaultVPCID), HealthCheckConfig: &albsdk.CreateServerGroupRequestHealthCheckConfig{HealthCheckEnabled: dara.Bool(true)}})
	_, _ = c.AddServersToServerGroup(&albsdk.AddServersToServerGroupRequest{ServerGroupId: sg.Body.ServerGroupId,
		Servers: []*albsdk.AddServersToServerGroupRequestServers{{ServerType: dara.String("Ip"), ServerId: dara.String("127.0.0.1"), Port: dara.Int32(int32(port))}}})
	lsn, _ := c.CreateListener(&albsdk.CreateListenerRequest{LoadBalancerId: lb.Body.LoadBalancerId, ListenerProtocol: dara.String("HTTP"), ListenerPort: dara.Int32(80),
		DefaultActions: []*albsdk.CreateListenerRequestDefaultActions{{Type: dara.String("ForwardGroup"),
			ForwardGroupConfig: &albsdk.CreateListenerRequestDefaultActionsForwardGroupConfig{
				ServerGroupTuples: []*albsdk.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples{{ServerGroupId: sg.Body.ServerGroupId}}}}}})
	_, _ = c.CreateRule(&albsdk.CreateRuleRequest{ListenerId: lsn.Body.ListenerId, Priority: dara.Int32(1), RuleName: dara.String("old"),
		RuleConditions: []*albsdk.CreateRuleRequestRuleConditions{{Type: dara.String("Path"),
			PathConfig: &albsdk.CreateRuleRequestRuleConditionsPathConfig{Values: dara.StringSlice([]string{"/old/*"})}}},
		RuleActions: []*albsdk.CreateRuleRequestRuleActions{{Type: dara.String("Redirect"), Order: dara.Int32(1),
			RedirectConfig: &albsdk.CreateRuleRequestRuleActionsRedirectConfig{HttpCode: dara.String("301"), Protocol: dara.String("HTTPS"), Port: dara.String("443"), Path: dara.String("/new")}}}})

	hc := srv.HTTPClient() // reaches the listener on port 80 by any host name
	for _, target := range []string{"http://www.example.com/hello", "http://www.example.com/old/page"} {
		resp, err := hc.Get(target)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d Location=%q body=%q\n", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	// Output:
	// 200 Location="" body="backend: www.example.com /hello"
	// 301 Location="https://www.example.com/new" body=""
}
