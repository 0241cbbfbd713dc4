package routing

// The GUESS table: every matching and action behaviour the sources
// (shared/reference/alb-stack-api.md sections 2.4 and 5, [DOC-match],
// [DOC-rules], [SDK]) leave open is decided here, once, and the code reads
// these constants; nothing else in the package guesses. Each line says what
// is decided and why. Constants whose behaviour is the shape of the code
// (marked Structural, or plain booleans the code does not branch on) are
// listed so that every decision reads here; the others are read where the
// behaviour is implemented.
//
// One GUESS is exported because callers act on it: TrafficLimitedStatus,
// below.
//
// Confirmed by the sources (not guesses, listed so the whole behaviour reads
// in one place): Request rules are evaluated by ascending Priority and the
// first whose conditions all match wins, with no reordering by specificity
// ([DOC-match], [DOC-ex]); no match takes the listener's default action;
// hosts match exactly or by wildcard (* any run, ? one character) and
// case-insensitively; paths match exactly or by wildcard, case-sensitively;
// actions run in ascending Order, extension actions before the final one;
// Redirect builds ${protocol}://${host}:${port}${path}?${query}; regex
// captures ${1}..${3} come from the matching regex conditions.
const (
	// GUESS: the values of one condition are ORed and the conditions of one
	// rule are ANDed ("standard semantics; not spelled out", reference 5.3).
	// Structural: the matcher is written that way.
	guessValuesORConditionsAND = true

	// GUESS: a Host value starting with "~" is a regex (the prefix is
	// documented for paths only), and a host regex matches
	// case-insensitively whether written "~" or "~*" ([DOC-match] shows the
	// host regex type as case-insensitive: www.Example.com matches
	// ^www.example.com$).
	guessHostRegexCaseInsensitive = true

	// GUESS: "~regex" paths are case-sensitive (by analogy with "~*regex",
	// which the ingress controller emits for case-insensitive paths).
	// Structural: the "~" prefix compiles without (?i).
	guessPathTildeCaseSensitive = true

	// GUESS: regexes are unanchored searches, as in nginx (the documented
	// example anchors with ^ and $ itself), in RE2 syntax: patterns RE2
	// cannot compile (lookarounds, backreferences) are refused by
	// condition-regex-syntax.
	guessRegexUnanchoredRE2 = true

	// GUESS: the port and one trailing dot are removed from the Host header
	// before matching ("www.example.com.:8080" is "www.example.com").
	guessHostTrimTrailingDot = true

	// GUESS: the query string is not part of the Path match (reference
	// 5.5); Request.Path is the percent-decoded path (url.URL.Path), as
	// nginx matches the decoded URI; the path format forbids '%' in Path
	// values.
	guessPathDecoded = true

	// GUESS: Header values match case-insensitively (the sources leave it
	// open; AWS ALB's http-header values are case-insensitive). Header
	// names are case-insensitive (HTTP). A header sent several times
	// matches when any of its field values matches; a field value is not
	// split at commas.
	guessHeaderValueCaseInsensitive = true

	// GUESS: QueryString and Cookie keys and values match
	// case-insensitively, because the value formats forbid uppercase
	// (reference 5.5). Query keys and values are percent-decoded ('+' is a
	// space) before matching; a parameter without '=' has the value "".
	// Cookie values lose one pair of surrounding double quotes.
	guessQueryCookieCaseInsensitive = true

	// GUESS: Method values match the request method exactly (methods are
	// case-sensitive in HTTP; the enum is upper case).
	guessMethodExact = true

	// GUESS: an IPv4-mapped IPv6 client address (::ffff:10.0.0.1) matches
	// SourceIp values as the IPv4 address it carries.
	guessSourceIPUnmap = true

	// GUESS: regex capture groups are numbered across the rule's regex Host
	// and Path conditions in the order the conditions are listed, the groups
	// of the value that matched; ${1}..${3} of a group that did not take
	// part, or that does not exist, expand to "".
	guessCaptureNumbering = true

	// GUESS: a Redirect without HttpCode answers 302 (the API documents that
	// HttpCode may keep its default but not what the default is).
	guessRedirectDefaultCode = 302

	// GUESS: ${protocol} is the listener protocol in lower case ("http",
	// "https"), and a QUIC listener's is "https"; the Location omits the
	// port when it is the scheme's default (80 for http, 443 for https) and
	// omits "?" when the query is empty.
	guessProtocolLowerQUICHTTPS = true

	// GUESS: a FixedResponse HttpCode may also be written "HTTP_200" (the
	// SDK example) as well as "200".
	guessFixedCodeHTTPPrefix = true

	// GUESS: an InsertHeader of type ReferenceHeader whose header is absent
	// inserts nothing; a header sent several times is copied from its first
	// value.
	guessReferenceAbsentSkipped = true

	// GUESS: several server groups in a listener's default action share the
	// traffic evenly (each gets weight 100).
	guessDefaultEvenWeights = 100

	// GUESS: rules with equal priority (the API refuses them) are evaluated
	// in the order the table lists them.
	guessTiesInListOrder = true

	// GUESS: Response rules are evaluated like Request rules, by ascending
	// Priority, and the first whose conditions all match applies; they may
	// carry request conditions too, evaluated against the request that
	// produced the response ([DOC-rules]). They take only InsertHeader and
	// RemoveHeader actions and need no final action; a ReferenceHeader
	// value names a header of the response.
	guessResponseRulesFirstMatch = true

	// GUESS: Request and Response rules have separate priority spaces (the
	// ingress controller keys rules by priority and direction).
	guessPrioritySpacePerDirection = true

	// GUESS: the per-rule wildcard quota counts condition values (a
	// QueryString or Cookie pair counts once) that contain '*' or '?', or
	// are regexes.
	guessWildcardCounting = true

	// GUESS: a TrafficLimit with both limits set needs PerIpQps < QPS (the
	// SDK and the Terraform docs disagree; per-client at most the total is
	// the logical reading, reference 2.4).
	guessPerIPBelowQPS = true

	// GUESS: a rule may carry several Host values (the SDK models a list;
	// one ROS text says one host name).
	guessManyHostValues = true

	// Value formats the sources leave open (the checks of rules.go say
	// GUESS in their text too):

	// GUESS: a Cookie value is up to 128 characters, as UpdateRuleAttribute
	// says (CreateRule says 100).
	guessCookieValueMax = 128

	// GUESS: a Redirect port is 1–65535; the SDK's "1 to 63335" is read as
	// a typo.
	guessRedirectPortMax = 65535

	// GUESS: a Response rule cannot insert the headers it cannot remove
	// (connection, upgrade, content-length, transfer-encoding).
	guessResponseInsertForbidden = true

	// GUESS: ResponseStatusCode values are single three-digit codes, no
	// ranges or wildcards.
	guessStatusCodesExact = true

	// GUESS: a path regex is 1–128 printable characters in all, a
	// non-empty regex after "~" or "~*", without space, '"', '#' or ';'
	// (only the host regex charset is documented).
	guessPathRegexCharset = true

	// GUESS: CORS AllowHeaders and ExposeHeaders are '*' or header names
	// of letters, digits, '-' and '_'.
	guessCorsHeaderNames = true
)

// TrafficLimitedStatus is the HTTP status of a request refused by a
// TrafficLimit action. GUESS: 503 (reference 5.6 says 503 or 429; the
// sources read do not decide).
const TrafficLimitedStatus = 503
