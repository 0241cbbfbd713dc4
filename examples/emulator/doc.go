// Command emulator runs the albtest control-plane emulator (ALB instances,
// server groups and health check templates, listeners, forwarding rules,
// certificates and TLS security policies, VPC/EIP, WAF and the ALB
// service-linked role) as a standalone HTTP server, so any
// Alibaba Cloud client that can take a custom endpoint over plain HTTP
// (Terraform, the aliyun CLI, SDKs in other languages) can use it, and
// serves an HTTP control API beside it for what Go tests do with albtest's
// methods: faults, transitions, the clock, the world, the request log.
//
// It also serves the data plane: each Running listener accepts real
// traffic on a local port, routed by its rules to the members of its
// server groups (see Data plane below).
//
// Build it, then run the binary:
//
//	go build -o albtest-emulator ./examples/emulator
//	./albtest-emulator [flags] &
//
// Once it accepts connections it prints one line "endpoint: HOST:PORT" on
// stdout, then a summary (the control API's URL, region, the data plane, transitions,
// faults, rate limits, vSwitches, EIPs), and serves until SIGINT or
// SIGTERM: stop it with kill %1 (or kill $!, or Ctrl-C in the foreground).
// Do not start it with "go run ./examples/emulator &": kill $! would then
// stop only the go tool and leave the emulator serving, and the next start
// would fail with "address already in use".
//
// # Flags
//
//	-addr HOST:PORT        listen address (default 127.0.0.1:8686; port 0 picks a free one)
//	-access-key-id ID      accepted access key ID (default albtest-access-key-id)
//	-access-key-secret S   its secret (default albtest-access-key-secret)
//	-region REGION         region of the default world (default cn-hangzhou)
//	-world FILE            JSON world to start with instead of the default (albtest.World;
//	                       GET /_albtest/world prints one); read again by every reset
//	-provisioning T        how Provisioning ends (default polls:1)
//	-configuring T         how Configuring ends (default polls:1)
//	-deleting T            how Deleting ends (default polls:1)
//	-provisioning-delay D  same as -provisioning D
//	-faults PROFILE        faults injected at start and again after every reset
//	-seed N                seed of the -faults generators (default 1)
//	-rate-limit LIMITS     token-bucket limits per action
//	-no-control-api        turn the control API off
//	-no-data-plane         serve the control plane only: no listener port, no health check
//	-data-plane-host HOST  address the listeners bind (default 127.0.0.1; 0.0.0.0 in a container)
//	-backend MAP           where Instance members are reached: PRIVATE_IP:PORT=HOST:PORT,…
//
// A transition T is immediate (done within the request), manual (done when
// POST /_albtest/advance says so), polls:N (done after N reads that show
// the pending status; polls:1 shows it once) or a duration such as 30s
// (done once the server clock has moved that much).
//
// A fault PROFILE is a comma-separated list of CODE[/STATUS]:PROBABILITY[@ACTION]:
// answer error CODE with HTTP STATUS to that share of the requests to ACTION
// (every action without @ACTION). STATUS defaults to 400 for Throttling*,
// 503 for ServiceUnavailable* and 500 otherwise; CODE drop closes the
// connection without an answer. Each item draws from its own generator
// seeded from -seed, so a run is repeatable:
//
//	-faults 'Throttling.User:0.1,ServiceUnavailable:0.05@CreateLoadBalancer,drop:0.01@GetLoadBalancerAttribute' -seed 42
//
// LIMITS is a comma-separated list of ACTION=RPS[:BURST]; ACTION * limits
// every action (each with its own bucket) and BURST defaults to RPS rounded
// up. Over the limit the answer is 400 Throttling.User with the retry delay
// in milliseconds in x-acs-retry-after (which aliyun-cli 3.4.0 and later
// wait before retrying) and in the TimeLeft of x-ratelimit-user-api (which
// the SDKs read); a throttling fault's answer carries both too:
//
//	-rate-limit 'CreateLoadBalancer=0.5:1,*=50'
//
// An ACTION of -faults or -rate-limit that the emulator does not serve is
// refused at start-up with the closest served names (it would never apply).
//
// The server clock is the wall time plus an offset that the control API
// moves (albtest.OffsetClock): time keeps flowing, and a jump of hours
// completes duration transitions without breaking request signatures,
// which are checked against the wall time.
//
// # Data plane
//
// Every Running listener serves real traffic on a port of its own on
// 127.0.0.1 (-data-plane-host), chosen free when it starts and kept while
// the emulator runs: HTTP, HTTPS with certificates issued by the
// emulator's test CA for the certificates' domains (the client's SNI picks
// among the default and additional ones), QUIC as HTTP/3 over UDP.
// Requests are routed by the listener's rules as the service routes them
// and forwarded to the members of its server groups; the members are
// health-checked in real time (the control API's clock jumps wake the
// checks), and GetListenerHealthStatus reports what the checks found.
// Stopping, deleting the listener or releasing its instance closes the
// port; starting it again reopens it. An Ip server group's members are
// real addresses (127.0.0.1:PORT of a local service works); an Instance
// member is reached through -backend (or the world file's
// "backendAddresses", or PUT /_albtest/dataplane/backends) and is
// unreachable otherwise. See the albtest package doc for what each
// action does and what is guessed. Find the listeners' addresses with
// GET /_albtest/dataplane, then address them as clients address ALB, with
// the Host header (and SNI) of the site:
//
//	curl $E/_albtest/dataplane          # {"listeners":[{"ListenerId":"lsn-…","LoadBalancerId":"alb-…","Protocol":"HTTP","Port":80,"Address":"127.0.0.1:41234"}]}
//	curl -H 'Host: www.example.com' http://127.0.0.1:41234/api/users
//	curl $E/_albtest/dataplane/ca > ca.pem
//	curl --cacert ca.pem --connect-to www.example.com:443:127.0.0.1:41235 https://www.example.com/
//
// A QUIC listener answers HTTP/3 (curl --http3-only, with a curl built
// for HTTP/3, and the same --cacert and --connect-to).
//
// Answers the data plane makes itself (a fixed response, a redirect,
// 503 without a member, 502 when the backend is unreachable, 504 past the
// listener's RequestTimeout, the traffic limit's 503) carry
// X-Albtest-Reason when they are errors.
//
// # Control API
//
// The control API is served on the same port under /_albtest/, a path no
// Alibaba Cloud API uses. It takes and answers JSON; errors answer 4xx with
// {"error": "…"} naming the field at fault (400 bad input, 404 unknown
// endpoint or ID, 405 wrong method, 409 the state does not allow it). It
// needs no signature: it is meant for test environments only. Listen on
// loopback (the default) or turn it off with -no-control-api. Control
// requests are neither logged nor counted. Below, $E is
// http://127.0.0.1:8686.
//
// List the endpoints:
//
//	curl $E/_albtest/
//
// Faults. Fields: action ("" for every action), code, status (400-599,
// default 500), message, times (0: until removed), skip (let the first
// skip matching requests through first), probability (0-1, 0:
// always), seed, applyThenFail (perform the operation, then fail),
// dropConnection, latency (a duration such as "2s"), hold (block matching
// requests until released), retryAfter (the delay a Throttling* fault asks
// for in its retry headers, a duration; default 1ms). An action the
// emulator does not serve is refused with 400 naming the closest served
// ones (so is a rate limit's). POST answers {"id": N}; a fault's "remaining"
// is -1 when unlimited; a hold fault counts the requests that "reached" it.
//
//	curl $E/_albtest/faults                                   # list
//	curl -X POST $E/_albtest/faults -d '{"action":"CreateLoadBalancer","code":"ServiceUnavailable","status":503,"times":1}'
//	curl -X POST $E/_albtest/faults -d '{"code":"Throttling.User","status":400,"probability":0.2,"seed":42,"retryAfter":"500ms"}'
//	curl -X POST $E/_albtest/faults -d '{"action":"DeleteLoadBalancer","dropConnection":true,"applyThenFail":true,"times":1}'
//	curl -X POST $E/_albtest/faults -d '{"action":"CreateLoadBalancer","hold":true}'
//	curl -X POST $E/_albtest/faults -d '{"action":"CreateServerGroup","skip":2,"hold":true}'   # hold the third
//	curl $E/_albtest/faults/3                                 # one: {"id":3,…,"hold":true,"reached":1}
//	curl -X POST $E/_albtest/faults/3/release                 # let the held requests go
//	curl -X DELETE $E/_albtest/faults/3                       # remove one
//	curl -X DELETE $E/_albtest/faults                         # remove all
//
// Transitions (per phase Provisioning, Configuring, Deleting; the syntax of
// the flags; they apply to transitions started afterwards and survive
// resets) and completing pending ones (given an instance, server group,
// listener, rule, security policy or job ID, or all):
//
//	curl $E/_albtest/transitions
//	curl -X PUT $E/_albtest/transitions -d '{"Provisioning":"manual","Deleting":"30s"}'
//	curl -X POST $E/_albtest/advance -d '{"id":"alb-…"}'      # {"advanced":1}; a server group or job ID too
//	curl -X POST $E/_albtest/advance -d '{"all":true}'
//
// The clock (advance by a duration, or set to an RFC 3339 time; it keeps
// flowing from there):
//
//	curl $E/_albtest/clock                                    # {"now":…,"movable":true,"offset":"0s"}
//	curl -X POST $E/_albtest/clock -d '{"advance":"2h"}'
//	curl -X POST $E/_albtest/clock -d '{"set":"2030-01-01T00:00:00Z"}'
//
// Instances: read them (the live ones and the last 1,000 released ones,
// with "deleted": true; albtest.WithReleasedHistoryLimit), force a status (Active, Inactive, Provisioning,
// Configuring, CreateFailed; drops a pending transition) or set the
// business status and operation locks (Abnormal makes writes fail with
// IncorrectBusinessStatus.LoadBalancer):
//
//	curl $E/_albtest/loadbalancers
//	curl $E/_albtest/loadbalancers/alb-…
//	curl -X PUT $E/_albtest/loadbalancers/alb-…/status -d '{"status":"Inactive"}'
//	curl -X PUT $E/_albtest/loadbalancers/alb-…/business-status -d '{"status":"Abnormal","locks":[{"lockType":"FinancialLocked","lockReason":"overdue"}]}'
//
// Server groups: read them with their servers (as ListServerGroupServers
// shows them) and force a status (Available, Creating, Configuring; a
// pending change is dropped and its job ends Failed). Configuring makes
// every write on the group answer IncorrectStatus.ServerGroup, as the service
// does while a change is under way:
//
//	curl $E/_albtest/servergroups
//	curl $E/_albtest/servergroups/sgp-…                       # {"id":…,"status":"Available","healthCheck":{…},"servers":[…]}
//	curl -X PUT $E/_albtest/servergroups/sgp-…/status -d '{"status":"Configuring"}'
//
// Set the health a listener reports for one server of a group
// (GetListenerHealthStatus lists the servers that are not Healthy; status
// Healthy, Unhealthy or Initial, with reasonCode, expectedResponse and
// actualResponse for an Unhealthy one):
//
//	curl -X PUT $E/_albtest/servergroups/sgp-…/health -d '{"serverId":"127.0.0.1","port":8080,"status":"Unhealthy","reasonCode":"CONNECT_FAILED"}'
//
// Listeners: read them (with their default server groups, certificates,
// X-Forwarded-* switches and log config) and force a status (Running,
// Stopped, Provisioning, Configuring; a pending change is dropped and its
// job ends Failed). Configuring makes the listener's own changes answer
// IncorrectStatus.Listener and rule writes, certificate associations and
// its deletion ResourceInConfiguring.Listener:
//
//	curl $E/_albtest/listeners
//	curl $E/_albtest/listeners/lsn-…                          # {"id":…,"protocol":"HTTPS","port":443,"status":"Running",…}
//	curl -X PUT $E/_albtest/listeners/lsn-…/status -d '{"status":"Configuring"}'
//
// Forwarding rules (every listener's, or one listener's with ?listenerId=),
// with their conditions and actions as ListRules answers them, and forcing
// a rule's status (Available, Provisioning, Configuring, CreateFailed;
// CreateFailed is what the Terraform provider fails on):
//
//	curl "$E/_albtest/rules?listenerId=lsn-…"
//	curl $E/_albtest/rules/rule-…                             # {"id":…,"priority":10,"ruleConditions":[…],"ruleActions":[…]}
//	curl -X PUT $E/_albtest/rules/rule-…/status -d '{"status":"CreateFailed"}'
//
// The certificates listeners may use (the world's "certificates"; three
// usable server certificates, an expired one and a CA one by default), in
// this exact shape, and the custom TLS security policies with the
// listeners that use them:
//
//	curl $E/_albtest/certificates                             # {"certificates":[{"CertificateId":"12315790001","Type":"Server","Domain":"example.com","NotAfter":"2036-01-01T00:00:00Z","Expired":false},…]}
//	curl $E/_albtest/securitypolicies
//
// The data plane: the listeners it serves and their local addresses, in
// this exact shape (Port is the listener's port, Address where it
// answers), the test CA that issues the listeners' certificates (PEM), the
// map of private backend addresses to local ones (an empty localAddress
// removes one), and client certificates for mutual-TLS listeners, issued
// from the CA a CA certificate of the world stands for:
//
//	curl $E/_albtest/dataplane                                # {"listeners":[{"ListenerId":…,"LoadBalancerId":…,"Protocol":"HTTP","Port":80,"Address":"127.0.0.1:41234"}]}
//	curl $E/_albtest/dataplane/ca > ca.pem
//	curl $E/_albtest/dataplane/backends                       # {"10.0.1.10:80":"127.0.0.1:8080"}
//	curl -X PUT $E/_albtest/dataplane/backends -d '{"privateAddress":"10.0.1.10:80","localAddress":"127.0.0.1:8080"}'
//	curl -X POST $E/_albtest/dataplane/client-certificates -d '{"caCertificateId":"12315790005","commonName":"alice"}'   # {"certificatePem":…,"privateKeyPem":…}
//
// The world's ECS instances, ENIs and ECI container groups (the members an
// Instance server group takes) are in GET $E/_albtest/world; PUT it with
// other "ecsInstances", "enis" and "containerGroups" to change them. Ip
// server groups take any address, 127.0.0.1 included.
//
// The rest of the world and the jobs:
//
//	curl $E/_albtest/eips
//	curl $E/_albtest/vswitches                                # with availableIpAddressCount
//	curl $E/_albtest/jobs                                     # id, apiName, resourceId, resourceType, status, errorCode, times
//
// Rate limits per action (* for every action; DELETE removes one):
//
//	curl $E/_albtest/ratelimits
//	curl -X PUT $E/_albtest/ratelimits/CreateLoadBalancer -d '{"rps":0.5,"burst":1}'
//	curl -X DELETE $E/_albtest/ratelimits/CreateLoadBalancer
//
// The request log (business parameters only: no signature, token or
// nonce) and the counters. Each entry has an absolute index; "next" is the
// since= of the next call, so a client can follow the log. Filters: action,
// code (the error code answered), since, limit:
//
//	curl "$E/_albtest/requests?action=CreateLoadBalancer&since=0&limit=10"
//	curl $E/_albtest/counts                                   # {"total":12,"actions":{"CreateLoadBalancer":1,…}}
//
// Reset (restore the world, clear instances, server groups, listeners,
// rules, security policies, server health, jobs, tokens,
// log, counters and faults; -faults come back; transitions and rate limits
// stay) and the world (GET answers the world resets restore, in the -world
// file format; PUT loads one, which later resets restore, and resets). When
// -world's file cannot be read any more, reset answers 409 and changes
// nothing:
//
//	curl -X POST $E/_albtest/reset
//	curl $E/_albtest/world > world.json
//	curl -X PUT $E/_albtest/world --data-binary @world.json
package main
