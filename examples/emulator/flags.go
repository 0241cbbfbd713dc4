package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/albkit/albkit/alb/albtest"
)

var (
	reAction = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	reCode   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)
)

// faultSpec is one item of a -faults profile, kept for the summary.
type faultSpec struct {
	fault albtest.Fault
	text  string
}

// parseFaults reads a fault profile: comma-separated items
// CODE[/STATUS]:PROBABILITY[@ACTION], where CODE "drop" drops the
// connection. Each item's generator is seeded from seed and its position.
func parseFaults(spec string, seed uint64) ([]faultSpec, error) {
	var out []faultSpec
	for i, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		bad := func(format string, args ...any) ([]faultSpec, error) {
			return nil, fmt.Errorf("-faults item %d %q: %s (want CODE[/STATUS]:PROBABILITY[@ACTION], e.g. Throttling.User:0.1@CreateLoadBalancer)", i+1, item, fmt.Sprintf(format, args...))
		}
		if item == "" {
			return bad("empty item")
		}
		rest, action, hasAction := strings.Cut(item, "@")
		if hasAction && !reAction.MatchString(action) {
			return bad("action %q is not an API action name", action)
		}
		j := strings.LastIndexByte(rest, ':')
		if j < 0 {
			return bad("no :PROBABILITY")
		}
		codePart, probText := rest[:j], rest[j+1:]
		p, err := strconv.ParseFloat(probText, 64)
		if err != nil || p <= 0 || p > 1 || math.IsNaN(p) {
			return bad("probability %q: want a number in (0, 1]", probText)
		}
		code, statusText, hasStatus := strings.Cut(codePart, "/")
		f := albtest.Fault{Action: action, Probability: p, Seed: splitmix(seed + uint64(i))}
		if p == 1 {
			f.Probability = 0 // every request
		}
		switch {
		case code == "drop":
			if hasStatus {
				return bad("drop takes no status")
			}
			f.DropConnection = true
		case !reCode.MatchString(code):
			return bad("code %q: want an error code such as ServiceUnavailable, or drop", code)
		default:
			f.Code, f.Status = code, defaultStatus(code)
			if hasStatus {
				st, err := strconv.Atoi(statusText)
				if err != nil || st < 400 || st > 599 {
					return bad("status %q: want an HTTP status 400-599", statusText)
				}
				f.Status = st
			}
		}
		if err := albtest.CheckAction(action); err != nil {
			return bad("%v", err)
		}
		out = append(out, faultSpec{fault: f, text: describeFault(f, p)})
	}
	return out, nil
}

// defaultStatus is the HTTP status the service answers with code, as far
// as the profile syntax is concerned: 400 for throttling, 503 for
// ServiceUnavailable, 500 otherwise.
func defaultStatus(code string) int {
	switch {
	case strings.HasPrefix(code, "Throttling"):
		return 400
	case strings.HasPrefix(code, "ServiceUnavailable"):
		return 503
	}
	return 500
}

func describeFault(f albtest.Fault, p float64) string {
	what := "dropped connection"
	if f.Code != "" {
		what = fmt.Sprintf("%s (%d)", f.Code, f.Status)
	}
	on := "every action"
	if f.Action != "" {
		on = f.Action
	}
	return fmt.Sprintf("%s %g%% on %s", what, p*100, on)
}

// splitmix spreads consecutive seeds apart (SplitMix64).
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// rateLimit is one item of -rate-limit.
type rateLimit struct {
	action string // "" for every action
	rps    float64
	burst  int
}

// parseRateLimits reads comma-separated ACTION=RPS[:BURST] items; ACTION *
// limits every action (each its own bucket). BURST defaults to RPS rounded
// up, at least 1.
func parseRateLimits(spec string) ([]rateLimit, error) {
	var out []rateLimit
	for i, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		bad := func(format string, args ...any) ([]rateLimit, error) {
			return nil, fmt.Errorf("-rate-limit item %d %q: %s (want ACTION=RPS[:BURST], e.g. CreateLoadBalancer=0.5:1 or *=20)", i+1, item, fmt.Sprintf(format, args...))
		}
		action, rest, ok := strings.Cut(item, "=")
		if !ok {
			return bad("no =RPS")
		}
		if action != "*" && !reAction.MatchString(action) {
			return bad("action %q is not an API action name or *", action)
		}
		if action == "*" {
			action = ""
		}
		rpsText, burstText, hasBurst := strings.Cut(rest, ":")
		rps, err := strconv.ParseFloat(rpsText, 64)
		if err != nil || rps <= 0 || math.IsInf(rps, 0) || math.IsNaN(rps) {
			return bad("rate %q: want requests per second > 0", rpsText)
		}
		burst := max(1, int(math.Ceil(rps)))
		if hasBurst {
			burst, err = strconv.Atoi(burstText)
			if err != nil || burst < 1 {
				return bad("burst %q: want a whole number >= 1", burstText)
			}
		}
		if err := albtest.CheckAction(action); err != nil {
			return bad("%v", err)
		}
		out = append(out, rateLimit{action: action, rps: rps, burst: burst})
	}
	return out, nil
}

// seedFlag is -seed: a uint64 with an error that points at -world for
// those who pass a world file (as the older -seed FILE did).
type seedFlag struct {
	v   uint64
	set bool
}

func (s *seedFlag) String() string { return strconv.FormatUint(s.v, 10) }

func (s *seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("want a whole number (the seed of -faults); a world file is given with -world")
	}
	s.v, s.set = n, true
	return nil
}

// transitionFlag is -provisioning, -configuring or -deleting.
type transitionFlag struct {
	text string
	t    albtest.Transition
	set  bool
}

func (f *transitionFlag) String() string { return f.text }

func (f *transitionFlag) Set(v string) error {
	t, err := albtest.ParseTransition(v)
	if err != nil {
		return fmt.Errorf("want immediate, manual, polls:N or a duration such as 30s")
	}
	f.text, f.t, f.set = strings.TrimSpace(v), t, true
	return nil
}

func newTransitionFlag() *transitionFlag {
	return &transitionFlag{text: "polls:1", t: albtest.AfterPolls(1)}
}

// parseBackends reads -backend: comma-separated PRIVATE_IP:PORT=HOST:PORT
// items (albtest.Start checks the addresses).
func parseBackends(spec string) ([][2]string, error) {
	var out [][2]string
	for i, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		priv, local, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("-backend item %d %q: want PRIVATE_IP:PORT=HOST:PORT, e.g. 10.0.1.10:80=127.0.0.1:8080", i+1, item)
		}
		out = append(out, [2]string{priv, local})
	}
	return out, nil
}
