package transport

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alibabacloud-go/tea/dara"
)

// Hint records the retry delay the service asked for in its answer to a
// call's last request. The darabonba SDKs keep only part of it (the
// TimeLeft of x-ratelimit-user-api, and only for the codes Throttling,
// Throttling.User and Throttling.Api of the ALB client); a Hint reads the
// answer's headers themselves, for every product and code. It is safe for
// concurrent use.
//
// A Hint also keeps the request ID of the last answer (its x-acs-request-id
// header) once KeepRequestID has been called, for the span of an attempt.
type Hint struct {
	d      atomic.Int64
	keepID atomic.Bool
	id     atomic.Pointer[string]
}

type hintKey struct{}

// WithHint returns a context whose requests, sent through a client from
// [Hinting], record their answer's retry delay in h.
func WithHint(ctx context.Context, h *Hint) context.Context {
	return context.WithValue(ctx, hintKey{}, h)
}

// Take returns the delay recorded since the last Take (0 when none) and
// clears it.
func (h *Hint) Take() time.Duration { return time.Duration(h.d.Swap(0)) }

// KeepRequestID makes the Hint keep the request ID of the answers to come
// (any status), for TakeRequestID.
func (h *Hint) KeepRequestID() { h.keepID.Store(true) }

// TakeRequestID returns the request ID kept since the last take ("" when
// none) and clears it.
func (h *Hint) TakeRequestID() string {
	if p := h.id.Swap(nil); p != nil {
		return *p
	}
	return ""
}

// Hinting wraps an SDK HTTP client: the answers to requests whose context
// carries a [Hint] ([WithHint]) record their retry delay in it
// ([RetryAfter]), and their request ID when the Hint keeps it.
func Hinting(next dara.HttpClient) dara.HttpClient { return hinting{next} }

type hinting struct{ next dara.HttpClient }

// Call sends req through the wrapped client and records the answer's hint.
func (h hinting) Call(req *http.Request, tr *http.Transport) (*http.Response, error) {
	res, err := h.next.Call(req, tr)
	if res == nil {
		return res, err
	}
	if hint, ok := req.Context().Value(hintKey{}).(*Hint); ok {
		if res.StatusCode >= 400 {
			if d, ok := RetryAfter(res.Header); ok {
				hint.d.Store(int64(d))
			}
		}
		if hint.keepID.Load() {
			if id := res.Header.Get("x-acs-request-id"); id != "" {
				hint.id.Store(&id)
			}
		}
	}
	return res, err
}

// RetryAfter reads the retry delay of a throttling answer from its headers:
// x-acs-retry-after (milliseconds, as aliyun-cli 3.4.0 and later read it),
// else the larger TimeLeft (milliseconds) of x-ratelimit-user-api and
// x-ratelimit-user ("Limit:N,Remain:0,TimeLeft:MS,Reset:…", as the
// darabonba SDKs read it).
func RetryAfter(h http.Header) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("x-acs-retry-after")); v != "" {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	best := int64(0)
	for _, name := range []string{"x-ratelimit-user-api", "x-ratelimit-user"} {
		for _, part := range strings.Split(h.Get(name), ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), ":")
			if ok && k == "TimeLeft" {
				if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > best {
					best = ms
				}
			}
		}
	}
	return time.Duration(best) * time.Millisecond, best > 0
}
