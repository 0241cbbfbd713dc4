// Package ratelimit paces albkit's API requests on the client side, per
// action class, so that a fleet of concurrent operations stays under the
// service's rate limits instead of running into them.
//
// A [Limiter] sits inside the retry loop, around every attempt (the first
// one included), as aws-sdk-go-v2's adaptive retry mode's attempt tokens do:
//
//	if err := lim.Wait(ctx, class); err != nil { return err } // ctx ended
//	err := send(ctx)
//	lim.Observe(class, isThrottle(err))
//
// Observe every request that Wait let through exactly once, with throttled
// false for every answer that is not a throttle (success, other API errors,
// network errors). One Limiter is shared by every goroutine of a client, and
// may be shared by several clients (for instance one per region of an
// account) so that together they respect one budget. Three limiters exist:
//
//   - [NewAdaptive], the default: learns the rate the service accepts;
//   - [NewFixed]: a plain token bucket (golang.org/x/time/rate), one for all
//     classes or one per class ([PerClass]), that ignores the answers;
//   - [None]: no pacing.
//
// # Throttling is pacing, not failure
//
// A throttling answer is the service asking for a slower rate; it says
// nothing about the health of the request or of the region. The limiter
// absorbs it by slowing the class down, and the throttled request should
// simply be retried (after its Wait) without paying the retry budget, which
// guards against errors. Otherwise, as measured in issue 11, a burst of
// throttles drains the budget shared by a whole client and every later call
// fails, although the service was only pacing it.
//
// # Classes
//
// A class is the unit the service throttles on; each class has its own state
// and never affects another. Use the API action name ("CreateLoadBalancer"),
// possibly with a prefix that helps logs ("write:CreateLoadBalancer"); add the
// region ("cn-hangzhou/CreateLoadBalancer") only if the service's limits are
// per region, since one account-wide limit must map to one class in a limiter
// shared by the clients of every region. Classes are kept for the lifetime
// of the limiter, so derive them from a bounded set (actions), never from
// request data such as resource IDs.
//
// # The adaptive algorithm
//
// [Adaptive] follows aws-sdk-go-v2's adaptive retry mode (its
// adaptive_ratelimit.go), per class:
//
//   - Measured rate: outcomes are counted in half-second buckets; when a
//     bucket ends, its rate is folded into an exponentially weighted average
//     with weight [Smoothing] (0.8) for the newest bucket.
//   - Before the first throttle the class is not rate-limited unless
//     [WithInitialRate] is given; it has a slow start instead (not in
//     aws-sdk-go-v2; [WithInitialWindow]): at most 10 requests await their
//     answers at once, half a request more per answer that is not a
//     throttle ([SlowStartGrowth]).
//   - On a throttle: the throttled rate W is the measured rate (or the lower
//     of it and the current rate once limited); the rate is cut to [Beta]·W
//     (β = 0.7) and limiting is switched on; the bucket is emptied at
//     every cut (aws-sdk-go-v2 only at the first). A throttle
//     before any measuring bucket has ended (not in aws-sdk-go-v2, whose
//     measured rate is then 0 and cuts to the minimum) takes for W the
//     successes per second since the class started, over at least a second:
//     the rate the service accepted.
//   - On any other outcome: the rate follows CUBIC, C·(t−K)³ + W, where t is
//     the time since the last throttle, C is the scale constant
//     ([ScaleConstant], 0.4, see [WithScaleConstant]) and K = ∛(W·(1−β)/C):
//     concave back to W in K seconds, then convex, probing for more. Past
//     the plateau the curve is held at W while the class is limited by its
//     demand rather than by the rate (a token is banked when the answer
//     arrives; not in aws-sdk-go-v2, as RFC 7661 for TCP): probing resumes
//     from W once demand fills the rate.
//   - The rate never exceeds twice the measured rate, stays at or above the
//     minimum ([DefaultMinRate], 0.5 requests per second, [WithMinRate]) and
//     at or below [WithMaxRate]'s cap.
//   - The bucket holds at most max(rate/4, 1) tokens (aws-sdk-go-v2:
//     max(rate, 1); see below) and earns rate tokens per second; each
//     request takes one.
//
// Differences from aws-sdk-go-v2, each for a measured reason:
//
//   - One cut per throttle episode: the answers to requests that were
//     already in flight when the rate was cut (counted, with a margin of the
//     same count for answers arriving out of order, and at most [MaxEpisode]
//     after the cut) do not cut it again. aws-sdk-go-v2 cuts on each of them,
//     compounding 0.7⁴ or worse per episode; in the simulation below (R=50)
//     that keeps 80% of R instead of 100%. [WithCutOnEveryThrottle]
//     restores its behaviour.
//   - The bucket is emptied at every cut and the curve held at the plateau
//     while demand is low. In the fleet benchmark (alb, BENCHMARKS.md) the
//     retries of one episode, sent on the tokens banked at the old rate,
//     were throttled at once and cut the rate five to seven times within a
//     second (16/s to 1.7/s); and a stage whose demand had paused had
//     probed up to 16–18/s against a limit of 10/s, so its next burst of
//     demand was throttled.
//   - Emptying the bucket at a cut (when the class is its own cause: not
//     judged, no background share learned) and debiting it at a pause
//     include the tokens already given to waiters that have not gone yet:
//     a waiter sleeps until the coverage it predicted at the rate of its
//     last look, so a rate that rose since covers it before it wakes, and
//     it used to go after the cut (or within the pause) into the service's
//     empty bucket; each such request was throttled and, sent after the
//     cut, cut again as a new episode. A pause of a class with a queue
//     held nothing at all. In BenchmarkPipeline (300 items through four
//     stages whose demand is the service's limit, the alb fleet benchmark
//     without its reads, 1000 seeds) a stage probing at 20/s fell to
//     4.3/s in three cuts within 120 ms and ran below its limit for
//     seconds: 8 runs took more than 1.10 times the minimum (the worst
//     1.145, the 99th percentile 1.090), 0 since (1.081, 1.045), the
//     throttled share's median 1.8% to 1.5%. In the simulation below, R=50
//     burst 10 went from 1.4% throttled and 88% of R to 0.2% and 99%.
//   - The bucket banks a quarter of a second of the rate, not a second: a
//     class limited above the service's limit while its demand is below
//     its own rate banks the difference while the service's bucket stays
//     empty, and its next clump of demand went out at once into it. In the
//     fleet benchmark the pipeline stages, whose demand is the service's
//     limit, had 5.4–6.2 throttles a run each, 4.9–5.1 with a quarter of a
//     second; the simulations below, whose clients are backlogged (their
//     bucket is always empty), are identical.
//   - A class that keeps finding the same ceiling probes past it less
//     often: after the second cut in a row whose throttled rate is within
//     15% of the last one's (none of them judged, no background share
//     learned), the curve stays at its plateau for one more K before it
//     turns convex, after the third and later for three more; a cut at
//     another ceiling starts the count again. The climb back is as fast
//     as before, so a limit that holds costs the same throughput with
//     fewer probing throttles, and a limit that rises is found up to four
//     times later. In the simulation below the throttled share fell by
//     about half (R=10 burst 10: 2.7% to 1.3%) with the accepted rate
//     unchanged; in the fleet benchmark (alb) the write actions' probing
//     throttles fell by about a third.
//   - A cut's plateau is not simply the rate measured at the throttle.
//     The service's bucket was empty at the last cut and is empty at this
//     one, so what it accepted in between (the class's successes over the
//     time since, counted over at least a second and ten successes) is what
//     it earned: its limit, less the tokens it could not bank while its
//     bucket was full. The measured rate is above the limit: while the
//     class climbed back from its last cut below the limit the service
//     banked tokens, and they let the class run above the limit until they
//     were spent. So when the accepted rate is lower, the plateau is the
//     middle of the two, but at most 15% below the measured rate (a rate
//     accepted far below it is a full bucket's waste or a demand that ebbed,
//     not the limit); a cut being judged or with a background share learned
//     keeps the measured rate. In the fleet benchmark (alb) the
//     configuration stages took plateaus of 10.3–11.9 a second for a limit
//     of 10, where 9.9–10.0 had been accepted since their last cuts, and a
//     stage held at its plateau was throttled every 2–3 s; with the middle
//     the fleet's mean throttled share fell by 4–12%. Over eight seeds of
//     the simulation below, the throttled share fell in eleven cases of
//     twelve (R=5 burst 2: 5.3% to 3.2%; in one case by 0.01 points, in
//     the twelfth it rose from 1.37% to 1.49%), the accepted rate within a
//     point.
//   - Waiters are served first come, first served: each takes a ticket and
//     sleeps (context-aware, at most [MaxSleepSlice] at a time, re-reading
//     the rate after each sleep) until the bucket covers it, instead of
//     failing or retrying in a loop; a waiter that gives up withdraws its
//     place and the waiters behind it move up. When the context's deadline is before the predicted
//     slot, Wait gives up at once.
//   - The service's retry delay holds the whole class ([Adaptive.Pause],
//     the [Pauser] interface; albkit's clients call it for every throttle
//     whose answer carries a delay): aws-sdk-go-v2 lets only the throttled
//     request wait. A class not limited yet holds its requests until then
//     and starts its slow start again from one request, so that the answers
//     to a cold start's overshoot do not each send another request into an
//     empty bucket. In the fleet benchmark: 1.4–2.4% throttled instead of
//     2.2–2.8%.
//
// # Throttling the client did not cause
//
// Not every throttle is the client's doing: other tools on the account, a
// busy region or a fault throttle a share of requests whatever the rate, and
// cutting on each of them drives the rate to the floor (CUBIC's steady state
// under random loss: 100 pollers at one request a second each, 10% throttled
// at random, are served 2.6 requests a second with every cut kept). So every
// cut of [Adaptive] is judged on the answers that follow it, and undone when
// neither the throttled share fell nor the accepted rate held (the cut only
// lost throughput); the share is then learned as background, single
// throttles no longer cut, and only a share clearly above it cuts again.
// background.go states the rule exactly, with its limits; [WithoutUndo]
// keeps every cut (aws-sdk-go-v2's behaviour).
//
// Measured in the simulation (background_sim_test.go: 3 simulated minutes,
// figures after 30 s; the simulations are deterministic): 100 pollers at
// 10%, 30% and 50% random throttling are served 88–94 requests a second of
// a demand of about 100 over six seeds each (2.6 with [WithoutUndo]); over
// 30 seeds each (BenchmarkSweep), at least 89, 90 and 85 a second, the
// longest wait for a poll at most 6 s, 13 s and 35 s (in nine runs of ten
// at most 4 s, 3 s and 31 s); with a 50/s limit plus 10% random, 38–40 a
// second (of the 45 the service accepts), 19–22% throttled; the
// self-caused cases below keep their figures. Slow classes (a few
// requests a second) are judged on windows kept open until they hold 20
// answers, and a ceiling that holds a class's requests back rises by half
// a window: in albkit's test of 50 lifecycles with half of all answers
// throttled, 8 runs took 17–52 s with no call failing (32 runs of the
// rules before the retest: 12–63 s), where 8 runs had taken 15–130 s, one
// with a failed release.
//
// Two clients with limiters of their own sharing one limit (two processes
// of one account) see part of their throttles caused by the other, undo
// cuts they would better keep and may learn the other's throttles as
// background, and then push each other's shares up: over the 81 cases of
// BenchmarkSweep (limits of 10, 20 and 50 a second, bursts of 3 to 10, 5
// to 25 goroutines each, three seeds) the median case is 1.5% throttled,
// but 27 cases are above 20% and the worst 76% (passing the service's
// retry delays to Pause: 2.2%, 26 cases, 76%; over nine seeds, 80 and 80
// cases of 243; before a cut took back the tokens of sleeping waiters,
// 2% and 3%, 23 and 23 cases, 48% and 72%, and 72 and 76 of 243; before
// the plateau's middle, 27 and 31 cases; before the rules for slow
// classes, 14 and 15 cases); the tests' nine cases: 0.6–44%, against
// 0.5–3.5% with [WithoutUndo]. One limiter shared among the clients avoids it;
// processes that run at a shared limit together are better served by
// [WithoutUndo] or a fixed limiter at their share. A caller that follows
// the service's retry-after hints one
// call at a time sees every first attempt throttled whatever its rate, and
// the judgement undoes the cut: the hints pace it instead.
//
// # Measured behaviour
//
// Simulation on a discrete-event clock (sim_test.go; 3 simulated minutes,
// figures after 30 s of warm-up, N goroutines sending requests with 20–100
// ms round trips as fast as the limiter allows, with no backoff of their
// own) against a token bucket of R requests per second; throttled fraction
// and accepted rate: R=10 burst 10: 1.0%, 100% of R (C=0.05: 0.8%, 99.6%);
// R=20 burst 5: 0.4%, 98.3%; R=50 burst 50: 0.2%, 99.9%; R=50 burst 10:
// 0.2%, 98.7%; R=100 burst 100: 0.1%, 99.9%; two clients sharing one
// limiter at R=20: 0.4%, 98.3% (a limiter each: 22.9%, 99.5%). C is
// absolute, so the probing is relatively harder at low rates: R=5 burst 1:
// 1.9%, 77% (C=0.05: 3.7%, 72%); R=1 burst 1: 27%, 67%. For classes with low, known limits a smaller C or a
// fixed limit fits better. Wait plus Observe costs about 0.1–0.2 µs and no
// allocation (BenchmarkWaitObserve).
package ratelimit
