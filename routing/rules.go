package routing

// Stable identifiers of the checks, found in Finding.Rule. Rules lists them
// with their text and source.
const (
	// The rule itself.
	RuleNameLength         = "rule-name-length"
	RuleNameFormat         = "rule-name-format"
	RulePriorityRange      = "rule-priority-range"
	RuleDirectionEnum      = "rule-direction-enum"
	RuleConditionsRequired = "rule-conditions-required"
	RuleActionsRequired    = "rule-actions-required"

	// Across the rules of a listener, and its default action (Check only).
	RulePriorityUnique = "rule-priority-unique"
	RuleIDUnique       = "rule-id-unique"
	RuleShadowed       = "rule-shadowed"
	RuleDefaultAction  = "default-action"

	// A ForwardGroup whose weights are all 0 (a warning).
	RuleForwardWeightsZero = "forward-weights-zero"

	// Conditions.
	RuleConditionTypeEnum         = "condition-type-enum"
	RuleConditionValues           = "condition-values"
	RuleConditionDirection        = "condition-direction"
	RuleConditionValueUnique      = "condition-value-unique"
	RuleConditionHostFormat       = "condition-host-format"
	RuleConditionRegexFormat      = "condition-regex-format"
	RuleConditionRegexSyntax      = "condition-regex-syntax"
	RuleConditionPathFormat       = "condition-path-format"
	RuleConditionHeaderKey        = "condition-header-key"
	RuleConditionHeaderValue      = "condition-header-value"
	RuleConditionQueryFormat      = "condition-query-format"
	RuleConditionQueryMax         = "condition-query-max"
	RuleConditionCookieFormat     = "condition-cookie-format"
	RuleConditionMethodEnum       = "condition-method-enum"
	RuleConditionSourceIPFormat   = "condition-source-ip-format"
	RuleConditionStatusCodeFormat = "condition-status-code-format"

	// Actions.
	RuleActionTypeEnum           = "action-type-enum"
	RuleActionConfig             = "action-config"
	RuleActionDirection          = "action-direction"
	RuleActionOrderRange         = "action-order-range"
	RuleActionOrderUnique        = "action-order-unique"
	RuleActionFinalRequired      = "action-final-required"
	RuleActionFinalSingle        = "action-final-single"
	RuleActionFinalLast          = "action-final-last"
	RuleActionRewriteSingle      = "action-rewrite-single"
	RuleActionRewriteNeedsFwd    = "action-rewrite-needs-forward"
	RuleActionForwardGroups      = "action-forward-groups"
	RuleActionForwardWeight      = "action-forward-weight"
	RuleActionStickyTimeout      = "action-sticky-timeout"
	RuleActionRedirectCode       = "action-redirect-code"
	RuleActionRedirectProtocol   = "action-redirect-protocol"
	RuleActionRedirectPort       = "action-redirect-port"
	RuleActionRedirectNotDefault = "action-redirect-not-default"
	RuleActionHostFormat         = "action-host-format"
	RuleActionPathFormat         = "action-path-format"
	RuleActionQueryFormat        = "action-query-format"
	RuleActionVariables          = "action-variables"
	RuleActionCaptures           = "action-captures"
	RuleActionFixedCode          = "action-fixed-code"
	RuleActionFixedContentType   = "action-fixed-content-type"
	RuleActionFixedContent       = "action-fixed-content"
	RuleActionHeaderKeyFormat    = "action-header-key-format"
	RuleActionHeaderKeyForbidden = "action-header-key-forbidden"
	RuleActionHeaderKeyUnique    = "action-header-key-unique"
	RuleActionInsertValueType    = "action-insert-value-type"
	RuleActionInsertValue        = "action-insert-value"
	RuleActionTrafficLimitRange  = "action-traffic-limit-range"
	RuleActionTrafficLimitPerIP  = "action-traffic-limit-per-ip"
	RuleActionMirrorTarget       = "action-mirror-target"
	RuleActionCorsOrigin         = "action-cors-origin"
	RuleActionCorsMethods        = "action-cors-methods"
	RuleActionCorsHeaders        = "action-cors-headers"
	RuleActionCorsCredentials    = "action-cors-credentials"
	RuleActionCorsMaxAge         = "action-cors-max-age"

	// The instance's edition (package edition).
	RuleEditionUnknown       = "edition-unknown"
	RuleEditionConditionType = "edition-condition-type"
	RuleEditionActionType    = "edition-action-type"
	RuleEditionResponseRules = "edition-response-rules"
	RuleEditionConditionsMax = "edition-conditions-max"
	RuleEditionActionsMax    = "edition-actions-max"
	RuleEditionWildcardsMax  = "edition-wildcards-max"
	RuleEditionRulesQuota    = "edition-rules-quota"
)

// Severity says whether a finding is refused by the service or is advice.
type Severity string

// The severities.
const (
	// SeverityError: the API refuses it (or, GUESS-marked, is assumed to).
	SeverityError Severity = "error"
	// SeverityWarning: accepted, but almost certainly not what was meant.
	SeverityWarning Severity = "warning"
)

// RuleInfo documents one check: its identifier, severity, text and source
// (keys of shared/reference/alb-stack-api.md: [SDK], [DOC-quota],
// [DOC-match], [DOC-rules], [TFD], reference sections; "albkit" for checks of
// this package's own; GUESS where the source leaves it open).
type RuleInfo struct {
	ID       string
	Severity Severity
	Text     string
	Source   string
}

// Rules returns every check of the package, in a stable order.
func Rules() []RuleInfo {
	const (
		sdk   = "[SDK:create_rule_request_model.go] (reference 2.4)"
		cond  = "[SDK], [ROS], [TFD:alb_rule.html.markdown] condition value formats (reference 2.4)"
		act   = "[SDK], [TFD:alb_rule.html.markdown] action value formats (reference 2.4)"
		order = "[SDK:create_rule_request_model.go], [TFD:alb_rule.html.markdown] action order (reference 2.4)"
		ed    = "package edition ([DOC-rules], [DOC-quota], seed; reference 2.4, 2.5)"
	)
	e, w := SeverityError, SeverityWarning
	return []RuleInfo{
		{RuleNameLength, e, "the rule name is 2–128 characters", sdk},
		{RuleNameFormat, e, "the rule name starts with a letter and has letters, digits, '.', '_' and '-' only", sdk},
		{RulePriorityRange, e, "the priority is 1–10000", sdk},
		{RuleDirectionEnum, e, "the direction is Request or Response", sdk},
		{RuleConditionsRequired, e, "a rule has at least one condition (RuleConditions is required)", sdk},
		{RuleActionsRequired, e, "a rule has at least one action (RuleActions is required)", sdk},

		{RulePriorityUnique, e, "priorities are unique per listener and direction (GUESS: Request and Response rules have separate priority spaces)", "[SDK], [CTRL:applier/rule.go] (reference 2.4)"},
		{RuleIDUnique, w, "rule IDs are unique in a table, so findings and decisions name one rule", "albkit"},
		{RuleShadowed, w, "a rule that can never match because a rule evaluated before it matches every request it does (only provable shadowing is reported)", "albkit, from [DOC-match] first-match-by-priority (reference 5.3)"},
		{RuleDefaultAction, e, "the listener's default action forwards to at least one server group, each named once", "[SDK:create_listener_request_model.go] (reference 2.2)"},
		{RuleForwardWeightsZero, w, "a ForwardGroup whose server groups all have weight 0 forwards nothing", "albkit, from [SDK] weights (reference 2.4, 5.7)"},

		{RuleConditionTypeEnum, e, "the condition type is Host, Path, Header, QueryString, Method, Cookie, SourceIp, ResponseHeader or ResponseStatusCode", sdk},
		{RuleConditionValues, e, "a condition carries the values of its type and only those: Values (Host, Path, Header, Method, SourceIp, ResponseHeader, ResponseStatusCode), Pairs (QueryString, Cookie), Key (Header, ResponseHeader)", sdk},
		{RuleConditionDirection, e, "ResponseHeader and ResponseStatusCode conditions only in Response rules", "[SDK], [DOC-rules] (reference 2.4)"},
		{RuleConditionValueUnique, e, "the values of a condition are unique", cond},
		{RuleConditionHostFormat, e, "a host is 3–128 characters of lowercase letters, digits, '-', '.', '*' and '?', with at least one dot, not starting or ending with a dot, the rightmost label letters and wildcards only, no label starting or ending with '-'", cond},
		{RuleConditionRegexFormat, e, "a regex host is 3–128 characters of letters, digits and . - ? = ~ _ + \\ ^ * ! $ & | ( ) [ ]; a regex path is 1–128 printable characters in all, a non-empty regex after '~' or '~*', without space, '\"', '#' or ';' (GUESS for paths)", "[DOC-match] (reference 2.4, 5.5)"},
		{RuleConditionRegexSyntax, e, "a regex compiles (GUESS: RE2 syntax; lookarounds and backreferences are refused)", "[DOC-match] (reference 5.5)"},
		{RuleConditionPathFormat, e, "a path is 1–128 characters, starts with '/', and has letters, digits, $ - _ . + / & ~ @ : and the wildcards * and ?", cond},
		{RuleConditionHeaderKey, e, "a header key is 1–40 characters of letters, digits, '-' and '_', and not Cookie or Host", cond},
		{RuleConditionHeaderValue, e, "a header value is 1–128 printable ASCII characters without leading or trailing space", cond},
		{RuleConditionQueryFormat, e, "a query key is 1–100 and a value 1–128 printable characters, no uppercase, no space, none of # [ ] { } \\ | < > & \"", cond},
		{RuleConditionQueryMax, e, "at most 20 query-string pairs in one condition", cond},
		{RuleConditionCookieFormat, e, "a cookie key is 1–100 and a value 1–128 printable characters, no uppercase, no space, none of ; # [ ] { } \\ | < > & \" (GUESS: 128 as UpdateRuleAttribute says; CreateRule says 100)", cond},
		{RuleConditionMethodEnum, e, "methods are HEAD, GET, POST, OPTIONS, PUT, PATCH or DELETE", cond},
		{RuleConditionSourceIPFormat, e, "source IP values are IPv4 or IPv6 addresses or CIDR blocks", cond},
		{RuleConditionStatusCodeFormat, e, "response status codes are three-digit HTTP statuses 100–599 (GUESS: no ranges)", cond},

		{RuleActionTypeEnum, e, "the action type is ForwardGroup, Redirect, FixedResponse, Rewrite, InsertHeader, RemoveHeader, TrafficLimit, TrafficMirror or Cors", sdk},
		{RuleActionConfig, e, "an action carries exactly the config of its type (a Rewrite config sets at least one of Host, Path and Query: an empty one is not sent)", sdk},
		{RuleActionDirection, e, "Response rules take only InsertHeader and RemoveHeader actions (GUESS)", "[DOC-rules] (reference 2.4)"},
		{RuleActionOrderRange, e, "an action's Order is 1–50000", order},
		{RuleActionOrderUnique, e, "action Orders are unique in a rule", order},
		{RuleActionFinalRequired, e, "a Request rule has a final action: ForwardGroup, Redirect or FixedResponse (Response rules need none, GUESS)", order},
		{RuleActionFinalSingle, e, "a rule has at most one final action", order},
		{RuleActionFinalLast, e, "the final action has the largest Order (IllegalParam.Order)", order},
		{RuleActionRewriteSingle, e, "at most one Rewrite action in a rule", order},
		{RuleActionRewriteNeedsFwd, e, "a Rewrite action needs ForwardGroup as the final action", order},
		{RuleActionForwardGroups, e, "a ForwardGroup forwards to 1–5 server groups, each named once", act},
		{RuleActionForwardWeight, e, "server group weights are 0–100", act},
		{RuleActionStickyTimeout, e, "the sticky-session timeout is 1–86400 seconds", act},
		{RuleActionRedirectCode, e, "the redirect code is 301, 302, 303, 307 or 308", act},
		{RuleActionRedirectProtocol, e, "the redirect protocol is ${protocol}, HTTP or HTTPS, and an HTTPS listener redirects to HTTPS only", act},
		{RuleActionRedirectPort, e, "the redirect port is ${port} or 1–65535 (GUESS: the SDK's 63335 is a typo)", act},
		{RuleActionRedirectNotDefault, e, "a redirect changes something: not every field but HttpCode at its default", "[SDK:client] (reference 2.4)"},
		{RuleActionHostFormat, e, "a Redirect or Rewrite host is ${host} alone, or 3–128 characters of lowercase letters, digits and - . * = ~ _ + \\ ^ ! $ & | ( ) [ ] ?, with a dot, not starting or ending with one", act},
		{RuleActionPathFormat, e, "a Redirect or Rewrite path is 1–128 characters starting with '/' (or a variable), without % # ; ! ( ) [ ] ^ , \\ \"", act},
		{RuleActionQueryFormat, e, "a Redirect or Rewrite query is 1–128 printable characters, no uppercase, no space, none of # [ ] { } \\ | < > \" (outside variables)", act},
		{RuleActionVariables, e, "variables are ${host}, ${path}, ${query}, ${protocol}, ${port} and ${1}..${3}, each at most once in a value, where the field takes them; ${host}, ${port} and ${protocol} stand alone in their own fields", act},
		{RuleActionCaptures, e, "${1}..${3} need as many capture groups in the rule's regex Host and Path conditions as variables used, at most three", "[DOC-match] (reference 2.4)"},
		{RuleActionFixedCode, e, "the fixed response code is a 2xx, 4xx or 5xx status (GUESS: HTTP_200 accepted too)", act},
		{RuleActionFixedContentType, e, "the fixed response content type is text/plain, text/css, text/html, application/javascript or application/json", act},
		{RuleActionFixedContent, e, "the fixed response content is at most 1 KB of ASCII", act},
		{RuleActionHeaderKeyFormat, e, "an inserted or removed header key is 1–40 characters of letters, digits, '-' and '_'", act},
		{RuleActionHeaderKeyForbidden, e, "some headers cannot be inserted or removed: in Request rules slb-id, slb-ip, x-forwarded-*, connection, upgrade, content-length, transfer-encoding, keep-alive, te, host, cookie, remoteip, authority; in Response rules connection, upgrade, content-length, transfer-encoding (GUESS for inserts)", act},
		{RuleActionHeaderKeyUnique, e, "inserted and removed header keys are unique in a rule", act},
		{RuleActionInsertValueType, e, "the inserted header value type is UserDefined, ReferenceHeader or SystemDefined", act},
		{RuleActionInsertValue, e, "an inserted value: UserDefined 1–128 printable characters, no '\"', no leading or trailing space, not ending with '\\'; ReferenceHeader 1–128 of [a-z0-9_-]; SystemDefined ClientSrcPort, ClientSrcIp, Protocol, SLBId or SLBPort", act},
		{RuleActionTrafficLimitRange, e, "a traffic limit sets QPS or PerIpQps, each 1–1000000", act},
		{RuleActionTrafficLimitPerIP, e, "with both limits set, PerIpQps is below QPS (GUESS: the SDK and Terraform disagree)", act},
		{RuleActionMirrorTarget, e, "a traffic mirror targets ForwardGroupMirror with at least one server group", act},
		{RuleActionCorsOrigin, e, "CORS origins are '*' alone or http(s)://host[:port] values (wildcard subdomains allowed), at least one", act},
		{RuleActionCorsMethods, e, "CORS methods are GET, POST, PUT, DELETE, HEAD, OPTIONS or PATCH", act},
		{RuleActionCorsHeaders, e, "CORS allowed and exposed headers are '*' or header names of letters, digits, '-' and '_' (GUESS)", act},
		{RuleActionCorsCredentials, e, "CORS AllowCredentials is on or off", act},
		{RuleActionCorsMaxAge, e, "the CORS max age is -1..172800 seconds", act},

		{RuleEditionUnknown, e, "the edition is Basic, Standard or StandardWithWaf", ed},
		{RuleEditionConditionType, e, "the instance's edition offers the condition type (Basic: Host, Path, Header)", ed},
		{RuleEditionActionType, e, "the instance's edition offers the action type (Basic: ForwardGroup; Redirect and Rewrite need Standard, as the seed says)", ed},
		{RuleEditionResponseRules, e, "Response-direction rules need the Standard edition", ed},
		{RuleEditionConditionsMax, e, "conditions per rule: Basic 5, Standard/WAF 10", ed},
		{RuleEditionActionsMax, e, "actions per rule: Basic 3, Standard/WAF 5", ed},
		{RuleEditionWildcardsMax, e, "wildcard entries per rule: Basic 5, Standard/WAF 10 (GUESS: how entries are counted)", ed},
		{RuleEditionRulesQuota, w, "one listener's rules alone exceed the instance's default rule quota (Basic 40, Standard/WAF 100; an error above the raisable maximum, 100 and 200, which alb's checks count across the instance's listeners)", ed},
	}
}
