package albtest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/albkit/albkit/internal/acs"
)

// API versions served, one per product.
const (
	VersionALB             = "2020-06-16"
	VersionVPC             = "2016-04-28"
	VersionWAF3            = "2021-10-01"
	VersionWAF2            = "2019-09-10"
	VersionResourceManager = "2020-03-31"
)

const maxBody = 1 << 20

type product struct {
	name    string // for Recommend
	host    string // HostId prefix
	global  bool   // HostId without region
	version string
}

var (
	prodALB  = &product{name: "Alb", host: "alb", version: VersionALB}
	prodVPC  = &product{name: "Vpc", host: "vpc", version: VersionVPC}
	prodWAF3 = &product{name: "waf-openapi", host: "wafopenapi", version: VersionWAF3}
	prodWAF2 = &product{name: "waf-openapi", host: "wafopenapi", version: VersionWAF2}
	prodRM   = &product{name: "ResourceManager", host: "resourcemanager", global: true, version: VersionResourceManager}
)

type opFunc func(s *Server, c *call) (any, *apiError)

type route struct {
	action string
	prod   *product
	fn     opFunc
	// cached, when set, answers a plain read without changing the state (run
	// holds s.mu without starting a generation), or reports false and run
	// calls fn.
	cached func(s *Server, c *call) (any, bool)
	// write operations take ClientToken (idempotency) and DryRun.
	idempotent bool
}

// call is one request being served.
type call struct {
	action    string
	version   string
	prod      *product
	rt        *route // the route served, once found
	p         url.Values
	pm        url.Values // pooled map the query may be parsed into (see putParams)
	ridHeader [1]string  // the X-Acs-Request-Id header value, without an allocation of its own
	ak        string
	requestID string
	now       time.Time
	dryRun    bool
	token     string
	recorded  bool // the request is in the log already (see record)
	flushed   bool // the answer was sent before the request was recorded (see flushAnswer)
}

// apiError is an error answered to the client.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func missing(name string) *apiError {
	return errf(400, "MissingParameter", "The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

func invalid(name, value string) *apiError {
	return errf(400, "InvalidParameter", "The specified parameter %q is not valid: %q.", name, truncate(value, 64))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

var errDryRun = &apiError{Status: 400, Code: "DryRunOperation", Message: "Request validation has been passed with DryRun flag set."}

type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// isCommonParam reports the parameters never logged (signatures, tokens) or
// not business parameters.
func isCommonParam(k string) bool {
	switch k {
	case "Action", "Version", "Format", "AccessKeyId",
		"SignatureMethod", "SignatureVersion", "SignatureNonce",
		"Timestamp", "Signature", "SecurityToken", "SignatureType",
		"BearerToken":
		return true
	}
	return false
}

func newRequestID() string { return requestIDFrom(rand.Uint64(), rand.Uint64()) }

// requestIDFrom renders a version-4 UUID in upper case from 128 random bits:
// character i (of the 32 hexadecimal ones) is nibble i of a, counted from the
// low end, then of b; the version nibble is 4 and the variant bits 10.
func requestIDFrom(a, b uint64) string {
	const hexd = "0123456789ABCDEF"
	a = a&^(0xF<<48) | 4<<48 // character 12
	b = b&^0xC | 8           // character 16: 8 | nib&3
	var hx [32]byte
	for n := 0; n < 16; n++ {
		hx[n], hx[16+n] = hexd[a>>(4*n)&0xF], hexd[b>>(4*n)&0xF]
	}
	var buf [36]byte
	copy(buf[0:8], hx[0:8])
	copy(buf[9:13], hx[8:12])
	copy(buf[14:18], hx[12:16])
	copy(buf[19:23], hx[16:20])
	copy(buf[24:36], hx[20:32])
	buf[8], buf[13], buf[18], buf[23] = '-', '-', '-', '-'
	return string(buf[:])
}

func newJobID() string { return strings.ToLower(newRequestID()) }

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomID(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if isControlPath(r.URL.Path) {
		s.serveControl(w, r) // control.go; no signature, not logged
		return
	}
	requestID := newRequestID()
	c := &call{requestID: requestID, now: s.clock.Now()}
	var status int
	var code string
	defer func() { // runs last: after the record below (see flushAnswer)
		if c.flushed {
			s.logWindow.RUnlock()
		}
	}()
	defer func() {
		if rec := recover(); rec != nil {
			if rec == http.ErrAbortHandler {
				if !c.recorded {
					s.record(c, 0, "DroppedConnection")
				}
				panic(rec)
			}
			// A bug in the emulator, never the client's input: keep the
			// stack in the server's log (WithLogger).
			s.logger().Error("albtest: operation panicked", "action", c.action, "version", c.version,
				"request_id", c.requestID, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			status, code = 500, "InternalError"
			s.writeError(w, c, &apiError{Status: 500, Code: "InternalError", Message: "The request processing has failed due to some unknown error."})
		}
		if !c.recorded && (c.action != "" || status != 0) {
			s.record(c, status, code)
		}
		c.putParams()
	}()
	status, code = s.serve(w, r, c)
}

// paramsPool holds the maps simple queries are parsed into: every request
// would otherwise allocate one. Nothing keeps c.p or its slices past the
// request (operations copy what they keep).
var paramsPool = sync.Pool{New: func() any { return make(url.Values, 1) }}

// putParams returns c's parameter map to the pool, once the request is done
// with it.
func (c *call) putParams() {
	if c.pm == nil {
		return
	}
	if len(c.pm) <= 16 {
		clear(c.pm)
		paramsPool.Put(c.pm)
	}
	c.pm, c.p = nil, nil
}

// serve handles one request and returns the status and code answered.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, c *call) (int, string) {
	fail := func(e *apiError) (int, string) {
		c.claimAK(r)
		s.writeError(w, c, e)
		return e.Status, e.Code
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return fail(errf(400, "UnsupportedHTTPMethod", "This http method %s is not supported.", r.Method))
	}
	body, err := readBody(r)
	if err != nil {
		return fail(err)
	}
	// The parameters are parsed once, here, and handed to the signature check;
	// a simple query goes into c's pooled map.
	c.pm = paramsPool.Get().(url.Values)
	params, perr := acs.ParseParamsInto(r, body, c.pm)
	if perr != nil {
		return fail(&apiError{Status: perr.Status, Code: perr.Code, Message: perr.Message})
	}
	c.p = params.All
	c.action = firstOf(r.Header["X-Acs-Action"], c.p["Action"])
	c.version = firstOf(r.Header["X-Acs-Version"], c.p["Version"])
	rt, aerr := s.route(c)
	if aerr != nil {
		return fail(aerr)
	}
	if aerr := s.authenticate(r, body, params, c); aerr != nil {
		return fail(aerr)
	}
	if aerr := checkFlat(c.p); aerr != nil {
		return fail(aerr)
	}
	var f *faultState
	if !s.ctlIdle.Load() {
		if e := s.throttle(w, c); e != nil {
			return fail(e)
		}
		f = s.pickFault(c.action)
	}
	if aerr := readIdempotency(c); aerr != nil {
		return fail(aerr)
	}

	// Idempotency: look the token up before doing anything.
	tk, useToken, replay, aerr := s.claimToken(c)
	switch {
	case aerr != nil:
		return fail(aerr)
	case replay != nil:
		if f != nil && f.hasError() {
			// A fault still applies to a replay (the client sees it).
			return s.answerFault(w, r, c, f)
		}
		return s.writeJSON(w, c, replay)
	}
	if f != nil {
		if !f.wait(r.Context()) {
			s.releaseToken(tk, useToken)
			return 499, "ClientClosedRequest"
		}
		if f.hasError() && !f.ApplyThenFail {
			s.releaseToken(tk, useToken)
			return s.answerFault(w, r, c, f)
		}
	}

	res, aerr := s.run(rt, c, useToken, tk)
	if aerr != nil {
		return fail(aerr)
	}
	if f != nil && f.hasError() {
		return s.answerFault(w, r, c, f)
	}
	return s.writeJSON(w, c, res)
}

// route finds the route of c's action and version and sets c.rt and c.prod,
// or returns the error to answer.
func (s *Server) route(c *call) (*route, *apiError) {
	rt := s.lastRoute.Load() // most clients call one action over and over
	if rt != nil && (rt.action != c.action || rt.prod.version != c.version) {
		rt = nil
	}
	if rt == nil {
		var aerr *apiError
		if rt, aerr = s.findRoute(c); aerr != nil {
			return nil, aerr
		}
		s.lastRoute.Store(rt)
	}
	c.rt = rt
	c.prod = rt.prod
	return rt, nil
}

// authenticate checks r's signature (unless WithoutAuth) and sets c.ak.
func (s *Server) authenticate(r *http.Request, body []byte, params acs.Params, c *call) *apiError {
	if s.cfg.noAuth {
		c.claimAK(r)
		return nil
	}
	v, aerr := s.verifier.VerifyParamsAt(r, body, params, s.signatureTime(c))
	if aerr != nil {
		return &apiError{Status: aerr.Status, Code: aerr.Code, Message: aerr.Message}
	}
	c.ak = v.AccessKeyID
	if s.anyExpired && s.cfg.creds[c.ak].expired {
		return errf(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
	}
	return nil
}

// checkFlat refuses a list or object parameter sent as JSON
// (ZoneMappings=[{…}], LoadBalancerBillingConfig={"PayType":"PostPay"}),
// for every operation, as the real service does: RPC parameters are flat
// (ZoneMappings.1.ZoneId=…, LoadBalancerBillingConfig.PayType=…). The code
// and message are the service's, seen by aliyun-cli users (aliyun-cli
// issue #1393, 2026: 400 InvalidServers "Specified parameter Servers is not
// valid. Illegal parameter serialization format. Flat format is
// required."; issue #420, 2022, the same for AclIds). The service knows
// from the API metadata which parameters are lists or objects; the
// emulator takes a business parameter whose value is a JSON array or
// object for one (no served operation has a string parameter that takes
// JSON). With several, the first by name is reported.
func checkFlat(p url.Values) *apiError {
	bad := ""
	for k, vs := range p {
		if len(vs) == 0 || strings.IndexByte(k, '.') >= 0 || isCommonParam(k) || bad != "" && k > bad {
			continue
		}
		v := strings.TrimSpace(vs[0])
		if len(v) >= 2 && (v[0] == '[' || v[0] == '{') && json.Valid([]byte(v)) {
			bad = k
		}
	}
	if bad == "" {
		return nil
	}
	name := truncate(bad, 64)
	return errf(400, "Invalid"+name, "Specified parameter %s is not valid. Illegal parameter serialization format. Flat format is required.", name)
}

// readIdempotency reads DryRun and ClientToken for an operation that takes
// them.
func readIdempotency(c *call) *apiError {
	if !c.rt.idempotent {
		return nil
	}
	if dr := c.p.Get("DryRun"); dr != "" {
		b, ok := parseBool(dr)
		if !ok {
			return invalid("DryRun", dr)
		}
		c.dryRun = b
	}
	c.token = c.p.Get("ClientToken")
	if c.token != "" && (len(c.token) > 64 || !isASCII(c.token)) {
		return invalid("ClientToken", c.token)
	}
	return nil
}

// claimToken looks c's ClientToken up. use reports that the request goes on
// under token tk (marked in flight, see releaseToken); replay is the answer
// of an earlier request with the same token, to give again.
func (s *Server) claimToken(c *call) (tk tokenKey, use bool, replay any, aerr *apiError) {
	if !c.rt.idempotent || c.token == "" || c.dryRun {
		return tokenKey{}, false, nil, nil
	}
	tk = tokenKey{ak: c.ak, action: c.action, token: c.token}
	fp := fingerprint(c.p)
	s.mu.Lock()
	defer s.mu.Unlock()
	ent := s.st.tokens.get(tk)
	switch {
	case ent == nil:
		s.st.tokens.add(tk, fp, s.tokenLimit())
		return tk, true, nil, nil
	case ent.fp != fp:
		return tk, false, nil, errf(400, "IdempotentParameterMismatch", "The request uses the same client token as a previous, but non-identical request.")
	case ent.inFlight:
		return tk, false, nil, errf(400, "IdempotenceProcessing", "The previous idempotent request(s) is still processing.")
	default:
		return tk, false, withRequestID(ent.result, c.requestID), nil
	}
}

// releaseToken forgets token tk of a request that ends without running.
func (s *Server) releaseToken(tk tokenKey, use bool) {
	if !use {
		return
	}
	s.mu.Lock()
	if e := s.st.tokens.get(tk); e != nil && e.inFlight {
		s.st.tokens.remove(tk)
	}
	s.mu.Unlock()
}

// findRoute returns the route of c's action and version, or the error to
// answer (with c.prod set for its HostId).
func (s *Server) findRoute(c *call) (*route, *apiError) {
	versions := s.routes[c.action]
	if versions == nil {
		c.prod = prodALB
		if p := productOfVersion(c.version); p != nil {
			c.prod = p
		}
		return nil, errf(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
	if c.version == "" {
		c.prod = anyRoute(versions).prod
		return nil, missing("Version")
	}
	rt := versions[c.version]
	if rt == nil {
		c.prod = anyRoute(versions).prod
		return nil, errf(400, "InvalidVersion", "Specified parameter Version is not valid.")
	}
	return rt, nil
}

// run performs the operation under s.mu and records its result for its
// ClientToken. A panicking operation releases the lock and the token before
// the panic reaches serveHTTP.
func (s *Server) run(rt *route, c *call, useToken bool, tk tokenKey) (res any, aerr *apiError) {
	if rt.cached != nil {
		s.mu.lockRead()
	} else {
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	ok := false
	defer func() {
		if useToken && (!ok || aerr != nil) {
			s.st.tokens.remove(tk)
		}
	}()
	c.now = s.clock.Now()
	if rt.cached != nil {
		if res, hit := rt.cached(s, c); hit {
			ok = true
			return res, nil
		}
		s.mu.bump() // the operation may change the state
	}
	res, aerr = rt.fn(s, c)
	ok = true
	if useToken && aerr == nil {
		if e := s.st.tokens.get(tk); e != nil {
			e.inFlight = false
			e.result = res
		}
	}
	return res, aerr
}

// readBody reads the request body (at most maxBody bytes).
func readBody(r *http.Request) ([]byte, *apiError) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil, nil
	}
	var body []byte
	var err error
	if r.ContentLength > 0 && r.ContentLength <= maxBody {
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	}
	if err != nil {
		return nil, errf(400, "InvalidParameter", "The request body cannot be read.")
	}
	if len(body) > maxBody || r.ContentLength > maxBody {
		return nil, errf(400, "InvalidParameter", "The request body is too large.")
	}
	return body, nil
}

// firstOf returns the first value of a, else of b, else "".
func firstOf(a, b []string) string {
	if len(a) > 0 && a[0] != "" {
		return a[0]
	}
	if len(b) > 0 {
		return b[0]
	}
	return ""
}

func anyRoute(m map[string]*route) *route {
	for _, r := range m {
		return r
	}
	return nil
}

func productOfVersion(v string) *product {
	switch v {
	case VersionALB:
		return prodALB
	case VersionVPC:
		return prodVPC
	case VersionWAF3:
		return prodWAF3
	case VersionWAF2:
		return prodWAF2
	case VersionResourceManager:
		return prodRM
	case VersionRAM:
		return prodRAM
	case VersionEipanycast:
		return prodAnycast
	}
	return nil
}

// claimAK sets c.ak, when no signature check set it, to the access key ID the
// request names (for the log of a request refused before or at that check, and
// for every request WithoutAuth).
func (c *call) claimAK(r *http.Request) {
	if c.ak == "" {
		c.ak = firstOf(r.Header["X-Acs-Accesskey-Id"], c.p["AccessKeyId"])
	}
	if c.ak == "" {
		c.ak = credentialFromAuthorization(firstOf(r.Header["Authorization"], nil))
	}
}

func credentialFromAuthorization(h string) string {
	i := strings.Index(h, "Credential=")
	if i < 0 {
		return ""
	}
	rest := h[i+len("Credential="):]
	if j := strings.IndexByte(rest, ','); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func (s *Server) hostID(c *call) string {
	p := c.prod
	if p == nil {
		p = prodALB
	}
	if p.global {
		return p.host + ".aliyuncs.com"
	}
	return p.host + "." + s.region + ".aliyuncs.com"
}

// Response headers, shared read-only by every answer.
var contentTypeJSON = []string{"application/json;charset=utf-8"}

// jsonBuf is a pooled buffer with an encoder writing into it.
type jsonBuf struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonPool = sync.Pool{New: func() any {
	j := &jsonBuf{}
	j.enc = json.NewEncoder(&j.buf)
	return j
}}

// encode renders v as json.Marshal does (see appendJSON; without the encoder's
// trailing newline) into a pooled buffer; release it with done.
func encode(v any) (*jsonBuf, []byte, error) {
	j := jsonPool.Get().(*jsonBuf)
	j.buf.Reset()
	if b, ok := appendJSON(j.buf.AvailableBuffer(), v); ok {
		j.buf.Write(b) // b is j.buf's own spare capacity when it fitted: no copy then
		if checkEncoding != nil {
			checkEncoding(v, j.buf.Bytes())
		}
		return j, j.buf.Bytes(), nil
	}
	if err := j.enc.Encode(v); err != nil {
		j.done()
		return nil, nil, err
	}
	b := j.buf.Bytes()
	return j, b[:len(b)-1], nil
}

// checkEncoding, set by the package's tests, compares every fast encoding with
// json.Marshal.
var checkEncoding func(v any, got []byte)

func (j *jsonBuf) done() {
	if j.buf.Cap() > 256<<10 {
		return // let an unusually large answer's buffer go
	}
	jsonPool.Put(j)
}

func (s *Server) writeError(w http.ResponseWriter, c *call, e *apiError) {
	p := c.prod
	if p == nil {
		p = prodALB
	}
	j, b, err := encode(errorBody{
		RequestID: c.requestID,
		HostID:    s.hostID(c),
		Code:      e.Code,
		Message:   e.Message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.Code) + "&product=" + p.name + "&requestId=" + c.requestID,
	})
	if err != nil { // cannot happen: every field is a string
		b = nil
	}
	s.writeBody(w, c, e.Status, b)
	if j != nil {
		j.done()
	}
}

func (s *Server) writeBody(w http.ResponseWriter, c *call, status int, b []byte) {
	var clen []string
	if len(b) <= maxEarlyAnswer {
		clen = []string{strconv.Itoa(len(b))}
	}
	writeHeader(w, c, status, clen)
	_, _ = w.Write(b)
	s.flushAnswer(w, c, len(b))
}

// writeHeader writes the answer's status and headers; clen is its
// Content-Length, nil to leave it to net/http.
func writeHeader(w http.ResponseWriter, c *call, status int, clen []string) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	c.ridHeader[0] = c.requestID
	h["X-Acs-Request-Id"] = c.ridHeader[:]
	if clen != nil {
		h["Content-Length"] = clen
	}
	w.WriteHeader(status)
}

// maxEarlyAnswer is the size of the largest answer flushed before its request
// is logged (see flushAnswer).
const maxEarlyAnswer = 2048

// flushAnswer sends a complete answer of n bytes to the client at once, before
// the request is logged, when it is small: the log's bookkeeping then runs
// while the client reads the answer instead of before. The request holds
// logWindow for reading from here until it is recorded, and everything that
// reads the log or the counters takes logWindow first (lockLog), so it still
// sees every request whose answer was sent. An answer of at most 2 KB leaves
// the server in one write that does not wait for the client (the socket's
// buffer is far larger), so a reader never waits on a client.
func (s *Server) flushAnswer(w http.ResponseWriter, c *call, n int) {
	if n > maxEarlyAnswer || c.flushed {
		return
	}
	f, ok := w.(http.Flusher)
	if !ok {
		return
	}
	s.logWindow.RLock()
	c.flushed = true
	f.Flush()
	if afterFlushHook != nil {
		afterFlushHook(s, c.requestID)
	}
}

// afterFlushHook, set by the package's tests, runs after an answer was sent
// early and before its request is recorded.
var afterFlushHook func(s *Server, requestID string)

// lockLog locks the request log and the counters once every answered request
// is in them (see flushAnswer).
func (s *Server) lockLog() {
	s.logWindow.Lock() // a barrier: waits for the requests between answer and record
	s.logWindow.Unlock()
	s.logMu.Lock()
}

func (s *Server) writeJSON(w http.ResponseWriter, c *call, v any) (int, string) {
	if a, ok := v.(*attrCache); ok {
		if len(a.b) <= maxEarlyAnswer && len(c.requestID) == a.n {
			// Three writes into the response's 2 KB buffer, without a copy.
			writeHeader(w, c, 200, a.clen)
			_, _ = w.Write(a.b[:a.at])
			_, _ = io.WriteString(w, c.requestID)
			_, _ = w.Write(a.b[a.at+a.n:])
			s.flushAnswer(w, c, len(a.b))
			return 200, ""
		}
		j := jsonPool.Get().(*jsonBuf)
		j.buf.Reset()
		j.buf.Write(a.appendTo(j.buf.AvailableBuffer(), c.requestID))
		s.writeBody(w, c, 200, j.buf.Bytes())
		j.done()
		return 200, ""
	}
	j, b, err := encode(v)
	if err != nil {
		e := errf(500, "InternalError", "The request processing has failed due to some unknown error.")
		s.writeError(w, c, e)
		return 500, e.Code
	}
	s.writeBody(w, c, 200, b)
	j.done()
	return 200, ""
}

// withRequestID returns a shallow copy of the response struct pointed to by
// v with its RequestId field replaced.
func withRequestID(v any, id string) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return v
	}
	cp := reflect.New(rv.Elem().Type())
	cp.Elem().Set(rv.Elem())
	f := cp.Elem().FieldByName("RequestId")
	if f.IsValid() && f.CanSet() && f.Type() == reflect.TypeFor[*string]() {
		f.Set(reflect.ValueOf(&id))
	}
	return cp.Interface()
}

// fingerprint is a canonical form of the business parameters, used to
// compare two requests with the same ClientToken.
func fingerprint(p url.Values) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if isCommonParam(k) || k == "ClientToken" || k == "DryRun" || k == "RegionId" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strings.Join(p[k], "\x00"))
		b.WriteByte('\n')
	}
	return b.String()
}

func parseBool(s string) (bool, bool) {
	switch s {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// throttle applies the rate limit of c.action.
func (s *Server) throttle(w http.ResponseWriter, c *call) *apiError {
	s.ctlMu.Lock()
	l, spec := s.limiterLocked(c.action)
	if l == nil {
		s.ctlMu.Unlock()
		return nil
	}
	now := s.clock.Now()
	if l.AllowN(now, 1) {
		s.ctlMu.Unlock()
		return nil
	}
	r := l.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	r.CancelAt(now)
	s.ctlMu.Unlock()
	setRetryHeaders(w, spec.burst, delay, now)
	return errf(400, "Throttling.User", "Request was denied due to user flow control.")
}

// maxCountedActions bounds the per-action counters: once that many action names are
// counted, requests naming an action the emulator does not serve are counted under "".
const maxCountedActions = 1024

// record appends to the request log and the counters. A log slot holds the
// request's strings packed into one string (one object for the garbage
// collector to mark instead of a dozen), and Requests unpacks it.
func (s *Server) record(c *call, status int, code string) {
	c.recorded = true
	req := logEntry{time: c.now, status: status, packed: packRequest(c, code)}
	counted := c.action
	s.logMu.Lock()
	if c.rt == nil { // a served action is always counted under its name
		if _, ok := s.counts[counted]; !ok && s.routes[counted] == nil && len(s.counts) >= maxCountedActions {
			counted = ""
		}
	}
	s.counts[counted]++
	if s.cfg.logLimit > 0 {
		if len(s.log) >= s.cfg.logLimit {
			// Drop the oldest half: amortised O(1) per request.
			keep := s.cfg.logLimit / 2
			n := copy(s.log, s.log[len(s.log)-keep:])
			clear(s.log[n:])
			s.log = s.log[:n]
		}
		s.log = append(s.log, req)
	}
	s.logMu.Unlock()
}

// logEntry is a request log slot.
type logEntry struct {
	time   time.Time
	status int
	packed string // see packRequest
}

// packRequest packs the strings of a log entry, each preceded by its length
// (uvarint): action, version, access key ID, request ID, code, then the
// business parameters as name, value pairs (first value of each).
func packRequest(c *call, code string) string {
	var kvb [16][2]string // the business parameters, gathered in one pass when they fit
	kv := kvb[:0]
	n := len(c.action) + len(c.version) + len(c.ak) + len(c.requestID) + len(code) + 5*binary.MaxVarintLen32
	for k, v := range c.p {
		if len(v) > 0 && !isCommonParam(k) {
			n += len(k) + len(v[0]) + 2*binary.MaxVarintLen32
			kv = append(kv, [2]string{k, v[0]})
		}
	}
	var b strings.Builder // one allocation: String does not copy
	b.Grow(n)
	put := func(f string) {
		var v [binary.MaxVarintLen64]byte
		b.Write(v[:binary.PutUvarint(v[:], uint64(len(f)))])
		b.WriteString(f)
	}
	for _, f := range [...]string{c.action, c.version, c.ak, c.requestID, code} {
		put(f)
	}
	for _, p := range kv {
		put(p[0])
		put(p[1])
	}
	return b.String()
}

// request unpacks the entry.
func (e *logEntry) request() Request {
	rest := e.packed
	next := func() string {
		n, w := binary.Uvarint([]byte(rest[:min(len(rest), binary.MaxVarintLen64)]))
		v := rest[w : w+int(n)]
		rest = rest[w+int(n):]
		return v
	}
	r := Request{Time: e.time, Status: e.status}
	r.Action, r.Version, r.AccessKeyID, r.RequestID, r.Code = next(), next(), next(), next(), next()
	r.Params = map[string]string{}
	for rest != "" {
		k := next()
		r.Params[k] = next()
	}
	return r
}
