package cloudapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	credentials "github.com/aliyun/credentials-go/credentials"

	"github.com/albkit/albkit/internal/cloudapi"
)

// Example lists EIPs and converts them into eip facts, against a local
// stand-in for the VPC API that answers with documented bodies.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		if r.URL.Query().Get("AllocationId") == "eip-gone" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"RequestId":"R2","Code":"InvalidAllocationId.NotFound","Message":"Specified allocation ID is not found."}`)
			return
		}
		fmt.Fprint(w, `{"RequestId":"R1","PageNumber":1,"PageSize":100,"TotalCount":2,"EipAddresses":{"EipAddress":[
			{"AllocationId":"eip-1","IpAddress":"47.0.0.1","Bandwidth":"5","ChargeType":"PostPaid","InternetChargeType":"PayByTraffic","Status":"Available"},
			{"AllocationId":"aeip-2","IpAddress":"47.0.0.2","Bandwidth":"200","ChargeType":"PostPaid","InternetChargeType":"PayByTraffic","Status":"InUse","InstanceId":"alb-1","InstanceType":"IpAddress"}]}}`)
	}))
	defer srv.Close()

	cred, err := credentials.NewCredential(&credentials.Config{
		Type:            dara.String("access_key"),
		AccessKeyId:     dara.String("LTAI-example"),
		AccessKeySecret: dara.String("example-secret"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	clients, err := cloudapi.New(cloudapi.Config{
		Region:     "cn-hangzhou",
		Endpoint:   strings.TrimPrefix(srv.URL, "http://"),
		Protocol:   "http",
		Credential: cred,
		UserAgent:  "albkit/example",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	eips, err := clients.VPC.ListEIPs(ctx, "eip-1", "aeip-2")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range eips {
		f := cloudapi.EIPFacts(e)
		fmt.Println(f.AllocationID, f.Type, f.ChargeType, f.Status, "bandwidth", tea.StringValue(e.Bandwidth))
	}

	err = clients.VPC.ReleaseEipAddress(ctx, "eip-gone")
	var sdkErr *tea.SDKError
	fmt.Println(cloudapi.IsNotFound(err), errors.As(err, &sdkErr) && *sdkErr.Code == "InvalidAllocationId.NotFound")
	// Output:
	// eip-1 Common PostPaid Available bandwidth 5
	// aeip-2 Anycast PostPaid InUse bandwidth 200
	// true true
}
