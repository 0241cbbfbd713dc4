package albtest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// CheckAction returns nil when the emulator serves the API action (or for
// "", which means every action), else an error naming the served actions
// closest to it. A fault or a rate limit on an action that is not served
// would never apply, so the options and flags that name an action are
// checked with it: [WithFaults] and [WithRateLimit] (New and Start refuse
// them, NewServer panics), the standalone emulator's -faults and
// -rate-limit, and the control API.
func CheckAction(action string) error {
	s := &Server{routes: buildRoutes()}
	return s.checkAction(action)
}

// checkAction is CheckAction against the server's routes.
func (s *Server) checkAction(action string) error {
	if action == "" || s.routes[action] != nil {
		return nil
	}
	return fmt.Errorf("action %q is not served by the emulator; closest: %s",
		truncate(action, 64), strings.Join(s.closestActions(action, 3), ", "))
}

// checkStartActions refuses the faults (WithFaults) and rate limits
// (WithRateLimit) given at start-up on an action the server does not serve.
func (s *Server) checkStartActions() error {
	var errs []error
	for i, f := range s.cfg.faults {
		if err := s.checkAction(f.Action); err != nil {
			errs = append(errs, fmt.Errorf("albtest: WithFaults: fault %d: %w", i+1, err))
		}
	}
	for _, a := range slices.Sorted(maps.Keys(s.cfg.rateLimits)) {
		if err := s.checkAction(a); err != nil {
			errs = append(errs, fmt.Errorf("albtest: WithRateLimit: %w", err))
		}
	}
	return errors.Join(errs...)
}
