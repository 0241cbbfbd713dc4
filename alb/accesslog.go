package alb

import (
	"context"
	"regexp"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"
)

// AccessLog is where an instance delivers its access logs: a Simple Log
// Service (SLS) project and logstore in the instance's region. The zero
// value is access logging off.
//
// The project and the logstore must exist, and the account must have
// authorized ALB to write to SLS (the service-linked role
// AliyunServiceRoleForAlbLogDelivery): the service checks both, albkit
// checks only the names (the SLS naming rules, [RuleAccessLogProjectName]
// and [RuleAccessLogStoreName]).
type AccessLog struct {
	// Project is the SLS project: 3–63 characters of lower-case letters,
	// digits and hyphens, starting and ending with a letter or a digit.
	Project string `json:"project,omitempty"`
	// Store is the SLS logstore: 3–63 characters of lower-case letters,
	// digits, hyphens and underscores, starting and ending with a letter
	// or a digit.
	Store string `json:"store,omitempty"`
}

// Enabled reports whether the access log is on (a project or a logstore
// is set).
func (a AccessLog) Enabled() bool { return a.Project != "" || a.Store != "" }

// String is "project/logstore", or "off".
func (a AccessLog) String() string {
	if !a.Enabled() {
		return "off"
	}
	return a.Project + "/" + a.Store
}

// Rules of the access log ([FieldError].Rule, [RefusedError].Rule).
const (
	// RuleAccessLogProjectName: the SLS project name rules.
	RuleAccessLogProjectName = "access-log-project-name"
	// RuleAccessLogStoreName: the SLS logstore name rules.
	RuleAccessLogStoreName = "access-log-store-name"
	// RuleAccessLogEnabled refuses [Client.EnableAccessLog] on an instance
	// that delivers its access logs elsewhere already (the API answers
	// OperationDenied.AccessLogEnabled): disable it first ([Client.Ensure]
	// does both).
	RuleAccessLogEnabled = "access-log-enabled"
)

// The SLS naming rules (Simple Log Service documentation: Manage a
// project, Logstore naming rules).
var (
	slsProjectName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	slsStoreName   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$`)
)

// check adds the violations of the access log at field (e.g. "AccessLog")
// to v: both names or neither, each following the SLS rules.
func (a AccessLog) check(v *violations, field string) {
	if !a.Enabled() {
		return
	}
	switch {
	case a.Project == "":
		v.add(field+".Project", RuleRequired, "an access log needs its SLS project (the logstore %q is given)", truncate(a.Store, 64))
	case !slsProjectName.MatchString(a.Project):
		v.add(field+".Project", RuleAccessLogProjectName, "SLS project %q must be 3 to 63 characters of lower-case letters, digits and hyphens, starting and ending with a letter or a digit", truncate(a.Project, 64))
	}
	switch {
	case a.Store == "":
		v.add(field+".Store", RuleRequired, "an access log needs its SLS logstore (the project %q is given)", truncate(a.Project, 64))
	case !slsStoreName.MatchString(a.Store):
		v.add(field+".Store", RuleAccessLogStoreName, "SLS logstore %q must be 3 to 63 characters of lower-case letters, digits, hyphens and underscores, starting and ending with a letter or a digit", truncate(a.Store, 64))
	}
}

// validate checks an access log given to an operation: on, with valid
// names.
func (a AccessLog) validate(op string) error {
	if !a.Enabled() {
		return &ArgumentError{Operation: op, Argument: "log", Message: "names no SLS project and logstore (to turn the access log off, use DisableAccessLog)"}
	}
	v := &violations{}
	a.check(v, "AccessLog")
	return v.err()
}

// accessLogFrom reads the AccessLogConfig of an answer: absent (or empty)
// is off.
func accessLogFrom(cfg *albsdk.GetLoadBalancerAttributeResponseBodyAccessLogConfig) AccessLog {
	if cfg == nil {
		return AccessLog{}
	}
	return AccessLog{Project: tea.StringValue(cfg.LogProject), Store: tea.StringValue(cfg.LogStore)}
}

// EnableAccessLog makes the instance deliver its access logs to the SLS
// project and logstore of log (EnableLoadBalancerAccessLog) and waits until
// the instance shows them. The names are checked locally first
// ([RuleAccessLogProjectName], [RuleAccessLogStoreName]: a
// *[ValidationError], no call). An instance that delivers to log already is
// returned unchanged; one that delivers elsewhere is refused with a
// *[RefusedError] ([RuleAccessLogEnabled]): the API takes one destination,
// so call [Client.DisableAccessLog] first (or let [Client.Ensure] do both).
// On a busy instance it waits and sends the change again, as the other
// management operations do.
func (c *Client) EnableAccessLog(ctx context.Context, id string, log AccessLog, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "EnableAccessLog", id)
	defer tel.end(&err)
	if err := checkCall("EnableAccessLog", id, opts); err != nil {
		return nil, err
	}
	if err := log.validate("EnableAccessLog"); err != nil {
		return nil, err
	}
	inst, err := c.Get(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case inst.AccessLog == log:
		return inst, nil
	case inst.AccessLog.Enabled():
		return nil, &RefusedError{Operation: "EnableAccessLog", ID: id, Field: "AccessLog", Rule: RuleAccessLogEnabled,
			Reason:  "the instance delivers its access logs to " + inst.AccessLog.String() + " already (the API answers OperationDenied.AccessLogEnabled)",
			Instead: "DisableAccessLog first, then EnableAccessLog with " + log.String() + " (Ensure does both)"}
	}
	return c.change(ctx, waitSpec{op: "EnableLoadBalancerAccessLog", id: id, waiting: "Active with access log " + log.String(), full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.EnableLoadBalancerAccessLogWithContext(ctx, &albsdk.EnableLoadBalancerAccessLogRequest{
				LoadBalancerId: tea.String(id), LogProject: tea.String(log.Project), LogStore: tea.String(log.Store), ClientToken: tea.String(token)}, c.runtime)
			return err
		},
		func(i *Instance) bool { return i.AccessLog == log })
}

// DisableAccessLog stops the instance's access logs
// (DisableLoadBalancerAccessLog) and waits until the instance shows none.
// An instance without an access log is returned unchanged. The logs
// already delivered stay in their logstore.
func (c *Client) DisableAccessLog(ctx context.Context, id string, opts ...WaitOption) (_ *Instance, err error) {
	ctx, tel := c.operation(ctx, "DisableAccessLog", id)
	defer tel.end(&err)
	inst, err := c.current(ctx, "DisableAccessLog", id, opts)
	if err != nil || !inst.AccessLog.Enabled() {
		return inst, err
	}
	return c.change(ctx, waitSpec{op: "DisableLoadBalancerAccessLog", id: id, waiting: "Active without access log", full: true}, opts,
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.DisableLoadBalancerAccessLogWithContext(ctx, &albsdk.DisableLoadBalancerAccessLogRequest{
				LoadBalancerId: tea.String(id), ClientToken: tea.String(token)}, c.runtime)
			return err
		},
		func(i *Instance) bool { return !i.AccessLog.Enabled() })
}

// accessLogChange is the change of Diff that makes the instance's access
// log the spec's: enable, disable, or (another destination) both, in one
// change whose calls are the writes.
func accessLogChange(from, to AccessLog) *Change {
	if from == to {
		return nil
	}
	ch := &Change{Field: "AccessLog", From: from.String(), To: to.String()}
	if from.Enabled() {
		ch.Calls = append(ch.Calls, "DisableLoadBalancerAccessLog")
		ch.SideEffects = append(ch.SideEffects, "access logs are no longer delivered to "+from.String()+" (the logs delivered stay there)")
	}
	if to.Enabled() {
		ch.Calls = append(ch.Calls, "EnableLoadBalancerAccessLog")
		ch.SideEffects = append(ch.SideEffects, "access logs are delivered to the SLS logstore "+to.String()+" (SLS bills their storage and indexing)")
	}
	ch.apply = func(ctx context.Context, c *Client, id string, w []WaitOption, _ *Facts) error {
		if from.Enabled() {
			if _, err := c.DisableAccessLog(ctx, id, w...); err != nil {
				return err
			}
		}
		if to.Enabled() {
			_, err := c.EnableAccessLog(ctx, id, to, w...)
			return err
		}
		return nil
	}
	return ch
}
