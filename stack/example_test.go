package stack_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/albkit/albkit/alb/albtest"
	"github.com/albkit/albkit/stack"
)

// A misspelled field is an error at its line and column, with the field
// meant and the file's lines around it.
func ExampleDecode() {
	_, err := stack.Decode([]byte(`key: demo
instance:
  vpcId: vpc-albtest0001
  addressType: Intranet
  edition: Basic
  zoneMappings:
    - {zoneId: cn-hangzhou-h, vSwitchId: vsw-albtest-h}
    - {zoneId: cn-hangzhou-i, vSwitchId: vsw-albtest-i}
listeners:
  - name: http
    protocl: HTTP
    port: 80
`), stack.FormatYAML)
	fmt.Println(err)
	var fe *stack.FileError
	if errors.As(err, &fe) {
		fmt.Print(fe.Source)
	}
	// Output:
	// stack:11:5: listeners[0].protocl: unknown field "protocl": did you mean "protocol"?
	//    8 |     - {zoneId: cn-hangzhou-i, vSwitchId: vsw-albtest-i}
	//    9 | listeners:
	//   10 |   - name: http
	// > 11 |     protocl: HTTP
	//            ^
	//   12 |     port: 80
}

// Load the example stack, plan it against the emulator, apply it, and
// plan again: nothing is left to do.
func ExampleLoad() {
	s, err := stack.Load("../examples/converge/stack.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := albtest.NewServer()
	defer srv.Close()
	client, _ := srv.Client()
	ctx := context.Background()

	plan, err := s.Plan(ctx, client)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", plan.Summary())
	if _, err := s.Apply(ctx, client, stack.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	again, _ := s.Plan(ctx, client)
	fmt.Printf("%+v writes: %v\n", again.Summary(), again.Writes())
	// Output:
	// {Create:5 Update:0 Delete:0 Refused:0 Unchanged:0 Calls:11}
	// {Create:0 Update:0 Delete:0 Refused:0 Unchanged:5 Calls:0} writes: false
}

// The plan of a small stack as a Mermaid diagram: each node is marked
// with what apply does to it ("+": created).
func ExamplePlan_Mermaid() {
	s, err := stack.Decode([]byte(`key: tiny
instance:
  name: tiny
  vpcId: vpc-albtest0001
  addressType: Intranet
  edition: Standard
  zoneMappings:
    - {zoneId: cn-hangzhou-h, vSwitchId: vsw-albtest-h}
    - {zoneId: cn-hangzhou-i, vSwitchId: vsw-albtest-i}
serverGroups:
  - name: api
    type: Ip
    servers: [{type: Ip, id: 10.0.1.10, port: 8080}]
listeners:
  - name: http
    protocol: HTTP
    port: 80
    defaultServerGroupIds: [api]
    rules:
      - name: api-host
        priority: 10
        conditions: [{type: Host, values: [api.example.com]}]
        actions: [{type: FixedResponse, fixedResponse: {httpCode: "503", contentType: text/plain, content: later}}]
`), stack.FormatYAML)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := albtest.NewServer()
	defer srv.Close()
	client, _ := srv.Client()
	plan, err := s.Plan(context.Background(), client)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan.Mermaid())
	// Output:
	// flowchart LR
	//   %% stack tiny: 3 to create, 0 to update, 0 to delete, 0 refused, 0 unchanged; 5 calls
	//   lb["+ instance tiny<br/>Intranet · Standard · 2 zones"]:::create
	//   l1["+ listener http<br/>HTTP:80"]:::create
	//   lb --> l1
	//   l1r1["+ rule api-host · priority 10<br/>Host api.example.com<br/>fixed response 503"]:::create
	//   l1 --> l1r1
	//   l1 -.->|"default"| g1
	//   g1["+ server group api<br/>Ip · HTTP · Wrr"]:::create
	//   g1s1["+ Ip 10.0.1.10:8080<br/>weight 100"]:::create
	//   g1 --> g1s1
	//   classDef create fill:#dafbe1,stroke:#1a7f37,color:#1f2328
	//   classDef update fill:#fff8c5,stroke:#9a6700,color:#1f2328
	//   classDef delete fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-dasharray:5 3
	//   classDef refused fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-width:3px
	//   classDef unchanged fill:#f6f8fa,stroke:#8c959f,color:#1f2328
	//   classDef external fill:#ffffff,stroke:#8c959f,color:#1f2328,stroke-dasharray:2 2
}
