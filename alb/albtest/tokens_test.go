package albtest

import (
	"fmt"
	"testing"
)

func TestTokensForgetTheOldestAnsweredBeyondTheLimit(t *testing.T) {
	tk := newTokens()
	key := func(i int) tokenKey { return tokenKey{ak: "ak", action: "CreateLoadBalancer", token: fmt.Sprint(i)} }
	answer := func(i int) { tk.get(key(i)).inFlight = false }
	const limit = 3
	tk.add(key(0), "fp0", limit) // stays in flight
	for i := 1; i <= 3; i++ {
		tk.add(key(i), fmt.Sprint("fp", i), limit)
		answer(i)
	}
	// 4 tokens, limit 3: the oldest answered (1) goes, the one in flight (0) stays.
	if tk.len() != limit || tk.get(key(0)) == nil || tk.get(key(1)) != nil || tk.get(key(2)) == nil {
		t.Fatalf("after 4 adds: %d tokens, 0 kept %v, 1 kept %v, 2 kept %v", tk.len(), tk.get(key(0)) != nil, tk.get(key(1)) != nil, tk.get(key(2)) != nil)
	}
	// A removed token leaves a stale place; a token added again gets a new
	// one, and the stale place does not evict it.
	tk.remove(key(2))
	tk.add(key(2), "fp2b", limit)
	answer(2)
	tk.add(key(5), "fp5", limit)
	answer(5)
	if e := tk.get(key(2)); e == nil || e.fp != "fp2b" {
		t.Fatalf("token 2 added again was forgotten through its stale place: %+v", e)
	}
	if tk.len() > limit {
		t.Fatalf("%d tokens remembered, limit %d", tk.len(), limit)
	}
	// All in flight: nothing is forgotten and add returns.
	all := newTokens()
	for i := range 10 {
		all.add(key(i), "fp", 2)
	}
	if all.len() != 10 {
		t.Fatalf("tokens in flight were forgotten: %d left of 10", all.len())
	}
	// Failed requests (removed at once) do not pile up places.
	churn := newTokens()
	for i := range 100_000 {
		churn.add(key(i), "fp", 10)
		churn.remove(key(i))
	}
	if q := len(churn.queue) - churn.head; q > 2*10+1 || cap(churn.queue) > 4096 {
		t.Fatalf("after 100,000 failed requests the queue holds %d places (cap %d)", q, cap(churn.queue))
	}
}
