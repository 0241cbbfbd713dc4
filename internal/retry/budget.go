package retry

import (
	"errors"
	"math"
	"sync"
)

// ErrBudgetExhausted is wrapped (together with the last attempt's error) by
// the error [Retryer.Do] returns when a retry could not be paid for from the
// [Budget].
var ErrBudgetExhausted = errors.New("retry: retry budget exhausted")

// Default costs of a [Budget], as aws-sdk-go-v2's standard retryer.
const (
	// DefaultBudgetCapacity is the capacity albkit clients use by default.
	DefaultBudgetCapacity = 500
	// DefaultRetryCost is the number of tokens one retry costs.
	DefaultRetryCost = 5
	// DefaultTimeoutCost is the number of tokens a retry after a timeout or
	// network error costs.
	DefaultTimeoutCost = 10
	// DefaultSuccessRefund is the number of tokens a successful call returns.
	DefaultSuccessRefund = 1
)

// Budget is a per-client retry quota: a token bucket of capacity tokens, as
// aws-sdk-go-v2's standard retryer. Each retry costs RetryCost tokens
// (TimeoutCost when the failed attempt was a timeout or network error). When
// an attempt that was a retry then succeeds, or fails with an error that is
// not retryable (the service answered), the tokens paid for it are returned
// (aws-sdk-go-v2#3186). Every success also refunds SuccessRefund tokens. The
// bucket never holds more than its capacity. When a retry cannot be paid
// for, the call stops with the last error wrapped in [ErrBudgetExhausted].
//
// Share one Budget between all calls of one client, never between clients
// (aws-sdk-go-v2#1665). A nil *Budget means unlimited retries. Budget is safe
// for concurrent use.
type Budget struct {
	retryCost, timeoutCost, successRefund int

	mu        sync.Mutex
	capacity  int
	available int
}

// NewBudget returns a full budget of capacity tokens with the default costs:
// RetryCost 5, TimeoutCost 10, SuccessRefund 1. A capacity below zero is
// treated as zero (no retries at all).
func NewBudget(capacity int) *Budget {
	return NewBudgetWithCosts(capacity, DefaultRetryCost, DefaultTimeoutCost, DefaultSuccessRefund)
}

// NewBudgetWithCosts is [NewBudget] with explicit costs. Negative costs are
// treated as zero; a zero retry cost makes retries free (the budget then
// never runs out).
func NewBudgetWithCosts(capacity, retryCost, timeoutCost, successRefund int) *Budget {
	return &Budget{
		retryCost:     max(retryCost, 0),
		timeoutCost:   max(timeoutCost, 0),
		successRefund: max(successRefund, 0),
		capacity:      max(capacity, 0),
		available:     max(capacity, 0),
	}
}

// Available returns the number of tokens left. A nil budget reports
// math.MaxInt (unlimited).
func (b *Budget) Available() int {
	if b == nil {
		return math.MaxInt
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.available
}

// Capacity returns the maximum number of tokens. A nil budget reports
// math.MaxInt (unlimited).
func (b *Budget) Capacity() int {
	if b == nil {
		return math.MaxInt
	}
	return b.capacity
}

// cost returns the price of a retry after an error of the given kind.
func (b *Budget) cost(timeout bool) int {
	if b == nil {
		return 0
	}
	if timeout {
		return b.timeoutCost
	}
	return b.retryCost
}

// take removes n tokens if that many are available and reports whether it did.
func (b *Budget) take(n int) bool {
	if b == nil || n <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.available < n {
		return false
	}
	b.available -= n
	return true
}

// give returns n tokens, up to the capacity.
func (b *Budget) give(n int) {
	if b == nil || n <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.available = min(b.available+n, b.capacity)
}

// success records a successful attempt whose retry had cost paid tokens.
func (b *Budget) success(paid int) {
	if b == nil {
		return
	}
	b.give(paid + b.successRefund)
}
