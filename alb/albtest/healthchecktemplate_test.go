package albtest_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

func TestServerGroupHealthCheckTemplates(t *testing.T) {
	srv, c := start(t, albtest.WithTransition(albtest.PhaseProvisioning, albtest.Immediate()))
	create := func(r *albsdk.CreateHealthCheckTemplateRequest) (string, error) {
		resp, err := c.CreateHealthCheckTemplate(r)
		if err != nil {
			return "", err
		}
		return dara.StringValue(resp.Body.HealthCheckTemplateId), nil
	}
	id, err := create(&albsdk.CreateHealthCheckTemplateRequest{
		HealthCheckTemplateName: dara.String("tpl-grpc"), HealthCheckProtocol: dara.String("gRPC"), HealthCheckCodes: dara.StringSlice([]string{"0-2"}),
		HealthCheckPath: dara.String("/grpc.health.v1.Health/Check"), HealthCheckInterval: dara.Int32(7), HealthCheckHost: dara.String("$SERVER_IP"),
		Tag: []*albsdk.CreateHealthCheckTemplateRequestTag{{Key: dara.String("team"), Value: dara.String("a")}}, ResourceGroupId: dara.String("rg-team"),
	})
	if err != nil || !regexp.MustCompile(`^hct-[a-z0-9]{20}$`).MatchString(id) {
		t.Fatalf("create: %q %v", id, err)
	}
	get, err := c.GetHealthCheckTemplateAttribute(&albsdk.GetHealthCheckTemplateAttributeRequest{HealthCheckTemplateId: dara.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	g := get.Body
	if dara.StringValue(g.HealthCheckProtocol) != "gRPC" || dara.StringValue(g.HealthCheckMethod) != "POST" || dara.Int32Value(g.HealthCheckInterval) != 7 ||
		dara.Int32Value(g.HealthCheckTimeout) != 5 || g.HealthCheckHttpVersion != nil || !slices.Equal(dara.StringSliceValue(g.HealthCheckCodes), []string{"0-2"}) ||
		dara.StringValue(g.HealthCheckHost) != "$SERVER_IP" || dara.StringValue(g.ResourceGroupId) != "rg-team" || len(g.Tags) != 1 {
		t.Fatalf("get: %s", g.String())
	}
	other, err := create(&albsdk.CreateHealthCheckTemplateRequest{HealthCheckTemplateName: dara.String("tpl-http"), HealthCheckHttpVersion: dara.String("HTTP 1.0")})
	if err != nil {
		t.Fatal(err)
	}

	// Synchronous: the update shows at once, and no job is recorded.
	if _, err := c.UpdateHealthCheckTemplateAttribute(&albsdk.UpdateHealthCheckTemplateAttributeRequest{HealthCheckTemplateId: dara.String(other),
		HealthCheckTemplateName: dara.String("tpl-http2"), HealthyThreshold: dara.Int32(5)}); err != nil {
		t.Fatal(err)
	}
	list := func(r *albsdk.ListHealthCheckTemplatesRequest) []string {
		t.Helper()
		resp, err := c.ListHealthCheckTemplates(r)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range resp.Body.HealthCheckTemplates {
			out = append(out, dara.StringValue(h.HealthCheckTemplateName)+fmt.Sprint(dara.Int32Value(h.HealthyThreshold)))
		}
		return out
	}
	if got := list(&albsdk.ListHealthCheckTemplatesRequest{}); !slices.Equal(got, []string{"tpl-grpc3", "tpl-http25"}) {
		t.Fatalf("list %v", got)
	}
	for name, tc := range map[string]struct {
		r    *albsdk.ListHealthCheckTemplatesRequest
		want []string
	}{
		"ids":   {&albsdk.ListHealthCheckTemplatesRequest{HealthCheckTemplateIds: dara.StringSlice([]string{other})}, []string{"tpl-http25"}},
		"names": {&albsdk.ListHealthCheckTemplatesRequest{HealthCheckTemplateNames: dara.StringSlice([]string{"tpl-grpc"})}, []string{"tpl-grpc3"}},
		"group": {&albsdk.ListHealthCheckTemplatesRequest{ResourceGroupId: dara.String("rg-team")}, []string{"tpl-grpc3"}},
		"tag": {&albsdk.ListHealthCheckTemplatesRequest{Tag: []*albsdk.ListHealthCheckTemplatesRequestTag{{Key: dara.String("team"), Value: dara.String("a")}}},
			[]string{"tpl-grpc3"}},
		"page": {&albsdk.ListHealthCheckTemplatesRequest{MaxResults: dara.Int32(1), NextToken: dara.String("1")}, []string{"tpl-http25"}},
	} {
		if got := list(tc.r); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}

	// Applying copies the template into the group when the change completes.
	sg := mustCreateSG(t, c, sgReq())
	if _, err := c.ApplyHealthCheckTemplateToServerGroup(&albsdk.ApplyHealthCheckTemplateToServerGroupRequest{ServerGroupId: dara.String(sg), HealthCheckTemplateId: dara.String(id)}); err != nil {
		t.Fatal(err)
	}
	g0 := sgList(t, c, sg)
	if dara.StringValue(g0.ServerGroupStatus) != "Configuring" || dara.StringValue(g0.HealthCheckConfig.HealthCheckProtocol) != "HTTP" {
		t.Fatalf("while applying: %s", g0.String())
	}
	if h := waitSG(t, c, sg).HealthCheckConfig; dara.StringValue(h.HealthCheckProtocol) != "gRPC" || dara.Int32Value(h.HealthCheckInterval) != 7 || !dara.BoolValue(h.HealthCheckEnabled) {
		t.Fatalf("after applying: %s", h.String())
	}
	jobs := sgJobs(t, c, sg)
	if len(jobs) != 2 || dara.StringValue(jobs[1].ApiName) != "ApplyHealthCheckTemplateToServerGroup" {
		t.Fatalf("jobs %v", jobs)
	}
	// Changing or deleting the template later leaves the group alone.
	if _, err := c.DeleteHealthCheckTemplates(&albsdk.DeleteHealthCheckTemplatesRequest{HealthCheckTemplateIds: dara.StringSlice([]string{id})}); err != nil {
		t.Fatal(err)
	}
	if snap, _ := srv.ServerGroup(sg); snap.HealthCheck.Protocol != "gRPC" {
		t.Fatalf("group after the template's deletion: %+v", snap.HealthCheck)
	}

	// Errors.
	_, err = c.GetHealthCheckTemplateAttribute(&albsdk.GetHealthCheckTemplateAttributeRequest{HealthCheckTemplateId: dara.String(id)})
	sdkErr(t, err, "ResourceNotFound.HealthCheckTemplate", 404)
	_, err = c.ApplyHealthCheckTemplateToServerGroup(&albsdk.ApplyHealthCheckTemplateToServerGroupRequest{ServerGroupId: dara.String(sg), HealthCheckTemplateId: dara.String(id)})
	sdkErr(t, err, "ResourceNotFound.HealthCheckTemplate", 404)
	_, err = c.DeleteHealthCheckTemplates(&albsdk.DeleteHealthCheckTemplatesRequest{HealthCheckTemplateIds: dara.StringSlice([]string{other, "hct-nope"})})
	sdkErr(t, err, "ResourceNotFound.HealthCheckTemplate", 404)
	if got := list(&albsdk.ListHealthCheckTemplatesRequest{}); len(got) != 1 {
		t.Fatalf("a refused deletion deleted: %v", got)
	}
	_, err = c.DeleteHealthCheckTemplates(&albsdk.DeleteHealthCheckTemplatesRequest{})
	sdkErr(t, err, "MissingParameter", 400)
	_, err = c.DeleteHealthCheckTemplates(&albsdk.DeleteHealthCheckTemplatesRequest{HealthCheckTemplateIds: dara.StringSlice([]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"})})
	sdkErr(t, err, "InvalidParameter", 400)
	for name, r := range map[string]*albsdk.CreateHealthCheckTemplateRequest{
		"no name":      {},
		"bad name":     {HealthCheckTemplateName: dara.String("-x")},
		"bad code":     {HealthCheckTemplateName: dara.String("tpl"), HealthCheckCodes: dara.StringSlice([]string{"200"})},
		"bad timeout":  {HealthCheckTemplateName: dara.String("tpl"), HealthCheckTimeout: dara.Int32(0)},
		"bad protocol": {HealthCheckTemplateName: dara.String("tpl"), HealthCheckProtocol: dara.String("UDP")},
	} {
		_, err := create(r)
		code := "InvalidParameter"
		if name == "no name" {
			code = "MissingParameter"
		}
		t.Run(name, func(t *testing.T) { sdkErr(t, err, code, 400) })
	}
	_, err = c.UpdateHealthCheckTemplateAttribute(&albsdk.UpdateHealthCheckTemplateAttributeRequest{HealthCheckTemplateId: dara.String(other), UnhealthyThreshold: dara.Int32(11)})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = create(&albsdk.CreateHealthCheckTemplateRequest{HealthCheckTemplateName: dara.String("dry"), DryRun: dara.Bool(true)})
	sdkErr(t, err, "DryRunOperation", 400)

	// The quota: 50 per region.
	for i := len(list(&albsdk.ListHealthCheckTemplatesRequest{MaxResults: dara.Int32(100)})); i < 50; i++ {
		if _, err := create(&albsdk.CreateHealthCheckTemplateRequest{HealthCheckTemplateName: dara.String(fmt.Sprintf("tpl-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = create(&albsdk.CreateHealthCheckTemplateRequest{HealthCheckTemplateName: dara.String("one-more")})
	sdkErr(t, err, "QuotaExceeded.HealthCheckTemplatesNum", 400)
}
