package albtest

// DefaultClientTokenLimit is the number of answered ClientTokens a Server
// remembers unless WithClientTokenLimit says otherwise.
const DefaultClientTokenLimit = 100_000

// WithClientTokenLimit bounds the ClientTokens the server remembers for
// idempotency: at most n answered ones, the oldest forgotten first, so that
// memory does not grow with the writes of a long run. A request whose token
// was forgotten is performed again, as a new request (the service also
// forgets tokens after a while; how long is not documented: a GUESS). A
// token whose request is still being performed is never forgotten. n <= 0
// means DefaultClientTokenLimit.
func WithClientTokenLimit(n int) Option { return func(c *config) { c.tokenLimit = n } }

func (s *Server) tokenLimit() int { return positiveOr(s.cfg.tokenLimit, DefaultClientTokenLimit) }

// positiveOr returns n if it is positive, else def (the limits' "n <= 0
// means the default").
func positiveOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// tokenKey identifies a ClientToken: tokens are per caller and action.
type tokenKey struct{ ak, action, token string }

// tokenEntry is what the server remembers of one ClientToken: the request's
// fingerprint, and its answer once performed.
type tokenEntry struct {
	fp       string
	inFlight bool
	result   any
	seq      uint64 // its place in tokenQueue
}

// tokenRef is one place in the token queue; it is stale when the entry of
// its key was deleted or replaced since (another seq).
type tokenRef struct {
	key tokenKey
	seq uint64
}

// tokens is the bounded ClientToken store: a map and the order in which
// its entries were added.
type tokens struct {
	m     map[tokenKey]*tokenEntry
	queue []tokenRef // oldest first, from head
	head  int
	seq   uint64
}

func newTokens() tokens { return tokens{m: map[tokenKey]*tokenEntry{}} }

// get returns the entry of k, or nil.
func (t *tokens) get(k tokenKey) *tokenEntry { return t.m[k] }

// add records a request in flight for k and forgets the oldest answered
// tokens beyond limit.
func (t *tokens) add(k tokenKey, fp string, limit int) {
	t.seq++
	t.m[k] = &tokenEntry{fp: fp, inFlight: true, seq: t.seq}
	t.queue = append(t.queue, tokenRef{key: k, seq: t.seq})
	// Each place is looked at most once per add, so that tokens all in
	// flight (moved to the back) cannot keep it looping.
	// The queue is also kept within twice the limit: places of tokens
	// removed after failed requests would otherwise pile up.
	for n := len(t.queue) - t.head; n > 0 && (len(t.m) > limit || len(t.queue)-t.head > 2*limit); n-- {
		ref := t.queue[t.head]
		t.queue[t.head] = tokenRef{}
		t.head++
		e := t.m[ref.key]
		switch {
		case e == nil || e.seq != ref.seq: // stale place
		case e.inFlight: // never forgotten while performed: to the back
			t.queue = append(t.queue, ref)
		default:
			delete(t.m, ref.key)
		}
	}
	if t.head > 1024 && t.head*2 > len(t.queue) {
		t.queue = append(t.queue[:0], t.queue[t.head:]...)
		t.head = 0
	}
}

// remove forgets k (a request that failed: its token may be used again).
func (t *tokens) remove(k tokenKey) { delete(t.m, k) }

// len returns the number of tokens remembered.
func (t *tokens) len() int { return len(t.m) }
