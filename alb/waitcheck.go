package alb

import "time"

// checkWaitOptions refuses wait options out of range: a negative delay or
// bound (zero takes the default; a negative value is never taken for it).
func checkWaitOptions(op string, w WaitOptions) error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{
		{"MinDelay", w.MinDelay}, {"MaxDelay", w.MaxDelay}, {"FallbackDelay", w.FallbackDelay},
		{"MaxWait", w.MaxWait}, {"NotFoundGrace", w.NotFoundGrace},
	} {
		if f.d < 0 {
			return optionError(op, "WaitOptions."+f.name, "%s is negative: a delay or bound is positive (0 takes the default)", f.d)
		}
	}
	return nil
}

// checkWaitOpts checks the wait options of one call (WithMaxWait,
// WithDelays, ...) before the call makes any request.
func checkWaitOpts(op string, opts []WaitOption) error {
	if len(opts) == 0 {
		return nil
	}
	var w WaitOptions
	for _, o := range opts {
		if o == nil {
			return optionError(op, "opts", "a nil WaitOption")
		}
		o(&w)
	}
	return checkWaitOptions(op, w)
}
