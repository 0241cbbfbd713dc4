package transport_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/internal/transport"
)

// Hand the client to the SDK through its config.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"RequestId":"R-1"}`)
	}))
	defer srv.Close()

	api, err := openapi.NewClient(&openapiutil.Config{
		AccessKeyId: dara.String("ak"), AccessKeySecret: dara.String("sk"),
		Endpoint: dara.String(srv.Listener.Addr().String()), Protocol: dara.String("http"),
		HttpClient: transport.New(time.Second, 5*time.Second),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := api.CallApi(&openapiutil.Params{Action: dara.String("DescribeRegions"), Version: dara.String("2020-06-16"),
		Protocol: dara.String("HTTPS"), Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), ReqBodyType: dara.String("formData"), BodyType: dara.String("json")},
		&openapiutil.OpenApiRequest{}, &dara.RuntimeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res["body"].(map[string]any)["RequestId"])
	// Output: R-1
}
