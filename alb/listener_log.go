package alb

import (
	"context"
	"fmt"
	"reflect"
	"strconv"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/edition"
)

// ListenerLogConfig is what a listener adds to its instance's access log
// (UpdateListenerLogConfig): the custom headers of each request, and
// Tracing Analysis. Both need the instance's access log to be enabled
// ([Client.EnableAccessLog]); Tracing Analysis needs a Standard or
// WAF-enabled instance (the product documentation's edition table).
type ListenerLogConfig struct {
	// CustomHeaders records the request's custom headers in the access
	// log (AccessLogRecordCustomizedHeadersEnabled).
	CustomHeaders bool `json:"customHeaders,omitempty"`
	// Tracing turns Tracing Analysis on (AccessLogTracingConfig); nil is
	// off.
	Tracing *ListenerTracing `json:"tracing,omitempty"`
}

// ListenerTracing is the Tracing Analysis of a listener.
type ListenerTracing struct {
	// Type is the tracing protocol: Zipkin, the only one (empty means
	// Zipkin).
	Type string `json:"type,omitempty"`
	// SamplingRate is the share of requests traced, in ten-thousandths:
	// 1–10000 (10000 traces every request).
	SamplingRate int `json:"samplingRate"`
}

// on reports whether the config turns anything on.
func (c ListenerLogConfig) on() bool { return c.CustomHeaders || c.Tracing != nil }

// String is one line: "custom headers, tracing Zipkin 100/10000", or "off".
func (c ListenerLogConfig) String() string {
	s := ""
	if c.CustomHeaders {
		s = "custom headers"
	}
	if t := c.Tracing; t != nil {
		if s != "" {
			s += ", "
		}
		s += "tracing " + orDefault(t.Type, "Zipkin") + " " + strconv.Itoa(t.SamplingRate) + "/10000"
	}
	if s == "" {
		return "off"
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// equal compares two configs with their defaults spelled out.
func (c ListenerLogConfig) equal(o ListenerLogConfig) bool {
	if c.CustomHeaders != o.CustomHeaders || (c.Tracing == nil) != (o.Tracing == nil) {
		return false
	}
	return c.Tracing == nil || orDefault(c.Tracing.Type, "Zipkin") == orDefault(o.Tracing.Type, "Zipkin") && c.Tracing.SamplingRate == o.Tracing.SamplingRate
}

// The listener log rules.
const (
	// RuleListenerTracingType: Zipkin is the only tracing type.
	RuleListenerTracingType = "listener-tracing-type"
	// RuleListenerTracingSample: the sampling rate is 1–10000.
	RuleListenerTracingSample = "listener-tracing-sample"
	// RuleListenerTracingEdition: Tracing Analysis needs a Standard or
	// WAF-enabled instance.
	RuleListenerTracingEdition = "listener-tracing-edition"
	// RuleListenerLogNeedsAccessLog: a listener's log config needs the
	// instance's access log.
	RuleListenerLogNeedsAccessLog = "listener-log-needs-access-log"
)

// checkLogConfig adds the log config's own violations.
func (s ListenerSpec) checkLogConfig(v *violations) {
	if s.LogConfig == nil || s.LogConfig.Tracing == nil {
		return
	}
	t := s.LogConfig.Tracing
	if t.Type != "" && t.Type != "Zipkin" {
		v.add("LogConfig.Tracing.Type", RuleListenerTracingType, "tracing type %q is not Zipkin, the only one", truncate(t.Type, 32))
	}
	if t.SamplingRate < 1 || t.SamplingRate > 10000 {
		v.add("LogConfig.Tracing.SamplingRate", RuleListenerTracingSample, "sampling rate %d is outside 1–10000 (ten-thousandths of the requests)", t.SamplingRate)
	}
}

// checkLogEdition adds the edition's refusal of Tracing Analysis.
func (s ListenerSpec) checkLogEdition(v *violations, ed Edition) {
	if s.LogConfig == nil || s.LogConfig.Tracing == nil {
		return
	}
	if msg := editionFeatures(ed).Refusal(edition.Tracing); msg != "" {
		v.add("LogConfig.Tracing", RuleListenerTracingEdition, "Tracing Analysis: %s: turn tracing off or upgrade the instance (UpgradeEdition)", msg)
	}
}

// logConfigRequest is the UpdateListenerLogConfig request that sets cfg.
func logConfigRequest(id string, cfg ListenerLogConfig, token string, dryRun bool) *albsdk.UpdateListenerLogConfigRequest {
	req := &albsdk.UpdateListenerLogConfigRequest{ListenerId: dara.String(id), AccessLogRecordCustomizedHeadersEnabled: dara.Bool(cfg.CustomHeaders),
		AccessLogTracingConfig: &albsdk.UpdateListenerLogConfigRequestAccessLogTracingConfig{TracingEnabled: dara.Bool(cfg.Tracing != nil)}}
	if t := cfg.Tracing; t != nil {
		req.AccessLogTracingConfig.TracingType = dara.String(orDefault(t.Type, "Zipkin"))
		req.AccessLogTracingConfig.TracingSample = dara.Int32(int32(t.SamplingRate))
	}
	setTokenDryRun(&req.ClientToken, &req.DryRun, token, dryRun)
	return req
}

// logConfigW is GetListenerAttribute's LogConfig.
type logConfigW struct {
	Headers *bool `json:"AccessLogRecordCustomizedHeadersEnabled"`
	Tracing *struct {
		Enabled *bool   `json:"TracingEnabled"`
		Sample  *int32  `json:"TracingSample"`
		Type    *string `json:"TracingType"`
	} `json:"AccessLogTracingConfig"`
}

func (w *logConfigW) config() ListenerLogConfig {
	if w == nil {
		return ListenerLogConfig{}
	}
	c := ListenerLogConfig{CustomHeaders: tea.BoolValue(w.Headers)}
	if t := w.Tracing; t != nil && tea.BoolValue(t.Enabled) {
		c.Tracing = &ListenerTracing{Type: tea.StringValue(t.Type), SamplingRate: int(tea.Int32Value(t.Sample))}
	}
	return c
}

// SetLogConfig sets what the listener adds to its instance's access log
// (custom headers, Tracing Analysis) with UpdateListenerLogConfig, and
// waits until the listener shows it. It refuses before any write what the
// instance's edition lacks (Tracing Analysis on Basic) and a config that
// turns something on while the instance's access log is off (the service's
// OperationDenied.AccessLogDisabled), each a *[FindingsError]. A listener
// already so configured costs nothing.
func (l *Listeners) SetLogConfig(ctx context.Context, id string, cfg ListenerLogConfig, opts ...WaitOption) (_ *Listener, err error) {
	ctx, tel := l.c.operation(ctx, "Listeners.SetLogConfig", id)
	defer tel.end(&err)
	if err := requireListenerID("Listeners.SetLogConfig", id); err != nil {
		return nil, err
	}
	if err := checkWaitOpts("Listeners.SetLogConfig", opts); err != nil {
		return nil, err
	}
	ls, err := l.get(ctx, id)
	if err != nil {
		return nil, err
	}
	spec := SpecFromListener(ls, nil, nil)
	spec.LogConfig = &cfg
	v := &violations{}
	spec.checkLogConfig(v)
	if err := v.errFor(reflect.TypeFor[ListenerSpec](), listenerKind); err != nil {
		return nil, err
	}
	inst, err := l.c.Get(ctx, ls.LoadBalancerID)
	if err != nil {
		return nil, err
	}
	if f := logFindings(spec, inst.Edition, inst.AccessLog.Enabled()); len(f) > 0 {
		return nil, &FindingsError{Kind: kindListener, ID: id, Findings: f}
	}
	if ls.LogConfig.equal(cfg) {
		return ls, nil
	}
	return changeRes(l.c, ctx, listeners, waitSpec{op: "UpdateListenerLogConfig", id: id, waiting: "Running with the log config", full: true}, opts, "",
		func(ctx context.Context, sdk *albsdk.Client, token string) error {
			_, err := sdk.UpdateListenerLogConfigWithContext(ctx, logConfigRequest(id, cfg, token, false), l.c.runtime)
			return err
		},
		func(ls *Listener) bool { return ls.LogConfig.equal(cfg) })
}

// logFindings are the blocking findings of a spec's log config against
// its instance: the edition and the instance's access log.
func logFindings(spec ListenerSpec, ed Edition, accessLog bool) []Finding {
	if spec.LogConfig == nil || !spec.LogConfig.on() {
		return nil
	}
	var out []Finding
	if spec.LogConfig.Tracing != nil {
		if msg := editionFeatures(ed).Refusal(edition.Tracing); msg != "" && ed.Valid() {
			out = append(out, Finding{Rule: RuleListenerTracingEdition, Severity: SeverityBlocking, Resource: "LogConfig.Tracing",
				Message: "Tracing Analysis: " + msg, Fix: "turn tracing off or upgrade the instance (UpgradeEdition)"})
		}
	}
	if !accessLog {
		out = append(out, Finding{Rule: RuleListenerLogNeedsAccessLog, Severity: SeverityBlocking, Resource: "LogConfig",
			Message: fmt.Sprintf("the log config (%s) needs the instance's access log, which is off", spec.LogConfig),
			Fix:     "enable the instance's access log first (EnableAccessLog, or InstanceSpec.AccessLog)"})
	}
	return out
}
