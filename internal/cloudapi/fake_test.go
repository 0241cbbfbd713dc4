package cloudapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/dara"
	credentials "github.com/aliyun/credentials-go/credentials"

	"github.com/albkit/albkit/internal/acs"
	"github.com/albkit/albkit/internal/cloudapi"
)

const (
	testAKID   = "LTAI5tTESTACCESSKEY"
	testSecret = "s3cr3t-Value-That-Must-Never-Appear"
)

// recorded is one request as the fake server received it.
type recorded struct {
	Method  string
	Path    string
	Host    string
	Action  string // x-acs-action
	Version string // x-acs-version
	Query   url.Values
	Header  http.Header
	Body    string
	SigErr  string // non-empty when internal/acs rejected the signature
}

// verifier checks every request's ACS3 signature with the test credential.
var verifier = &acs.Verifier{Lookup: func(ak string) (acs.Credential, bool) {
	return acs.Credential{AccessKeyID: testAKID, AccessKeySecret: testSecret}, ak == testAKID
}}

// reply is what a handler answers: a status and a JSON-encodable body (a
// string is sent verbatim).
type reply struct {
	Status int
	Body   any
}

// fakeCloud records every request the real SDK sends and answers through handle.
type fakeCloud struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(r recorded) reply
}

func newFake(t *testing.T, handle func(r recorded) reply) *fakeCloud {
	t.Helper()
	f := &fakeCloud{handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := recorded{
			Method:  r.Method,
			Path:    r.URL.Path,
			Host:    r.Host,
			Action:  r.Header.Get("x-acs-action"),
			Version: r.Header.Get("x-acs-version"),
			Query:   r.URL.Query(),
			Header:  r.Header.Clone(),
			Body:    string(body),
		}
		if _, verr := verifier.Verify(r, body); verr != nil {
			rec.SigErr = verr.Error()
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
		rep := f.handle(rec)
		var out []byte
		switch b := rep.Body.(type) {
		case string:
			out = []byte(b)
		default:
			out, _ = json.Marshal(b)
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(rep.Status)
		_, _ = w.Write(out)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCloud) endpoint() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *fakeCloud) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func testCredential(t testing.TB) credentials.Credential {
	t.Helper()
	c, err := credentials.NewCredential(&credentials.Config{
		Type:            dara.String("access_key"),
		AccessKeyId:     dara.String(testAKID),
		AccessKeySecret: dara.String(testSecret),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeCloud) config(t testing.TB) cloudapi.Config {
	return cloudapi.Config{
		Region:         "cn-hangzhou",
		Endpoint:       f.endpoint(),
		Protocol:       "http",
		Credential:     testCredential(t),
		ConnectTimeout: 2 * time.Second,
		ReadTimeout:    5 * time.Second,
		UserAgent:      "albkit/test",
	}
}

func (f *fakeCloud) clients(t *testing.T) *cloudapi.Clients {
	t.Helper()
	c, err := cloudapi.New(f.config(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// errBody is an error body in the documented shape.
func errBody(code, message, requestID string) map[string]any {
	return map[string]any{
		"RequestId": requestID,
		"HostId":    "vpc.cn-hangzhou.aliyuncs.com",
		"Code":      code,
		"Message":   message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code + "&product=Vpc&requestId=" + requestID,
	}
}

// wantQuery checks that q has exactly the keys of want with their values.
func wantQuery(t *testing.T, q url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := q.Get(k); got != v || !q.Has(k) {
			t.Errorf("query %s = %q (present %v), want %q", k, got, q.Has(k), v)
		}
	}
	for k := range q {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected query parameter %s=%q", k, q.Get(k))
		}
	}
}

// checkSigned checks the parts of the request that every call must have.
func checkSigned(t *testing.T, r recorded, action, version string) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != "/" {
		t.Errorf("%s: %s %s, want POST /", action, r.Method, r.Path)
	}
	if r.Action != action || r.Version != version {
		t.Errorf("x-acs-action/version = %q/%q, want %q/%q", r.Action, r.Version, action, version)
	}
	if r.Body != "" {
		t.Errorf("%s: body %q, want empty (parameters go in the query)", action, r.Body)
	}
	if r.SigErr != "" {
		t.Errorf("%s: signature rejected: %s", action, r.SigErr)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "ACS3-HMAC-SHA256 Credential="+testAKID+",SignedHeaders=") {
		t.Errorf("%s: Authorization = %q", action, auth)
	}
	if ua := r.Header.Get("User-Agent"); !strings.HasSuffix(ua, " albkit/test") {
		t.Errorf("%s: User-Agent = %q, want suffix albkit/test", action, ua)
	}
	all := r.Query.Encode()
	for k, v := range r.Header {
		all += k + strings.Join(v, ",")
	}
	if strings.Contains(all, testSecret) {
		t.Errorf("%s: the access key secret travels in the request", action)
	}
}

// mustWAF returns the lazily built WAF client.
func mustWAF(t testing.TB, c *cloudapi.Clients) *cloudapi.WAF {
	t.Helper()
	w, err := c.WAF()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// mustRM returns the lazily built ResourceManager client.
func mustRM(t testing.TB, c *cloudapi.Clients) *cloudapi.ResourceManager {
	t.Helper()
	r, err := c.RM()
	if err != nil {
		t.Fatal(err)
	}
	return r
}
