package albtest

import (
	"log/slog"
	"os"
)

// WithLogger sets the logger the server reports its own faults to: a panic
// in an operation (a bug in the emulator, never the client's input) is
// logged at level Error with the action, the RequestId, the panic value and
// the goroutine stack, and the client gets 500 InternalError in the
// service's error body. The default logger writes text to standard error.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

var defaultLogger = slog.New(slog.NewTextHandler(os.Stderr, nil))

func (s *Server) logger() *slog.Logger {
	if s.cfg.logger != nil {
		return s.cfg.logger
	}
	return defaultLogger
}
