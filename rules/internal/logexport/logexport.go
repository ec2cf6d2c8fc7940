// Package logexport is how the hooks of loggers that have no OpenTelemetry
// bridge of their own (the standard log package's lines aside: see
// otelgo.dev/rules/log) export their records: through the official slog
// bridge (go.opentelemetry.io/contrib/bridges/otelslog), whose slog.Handler
// API stays the same when a program's newer OpenTelemetry changes the log
// API underneath, into the global LoggerProvider that the SDK set-up
// installs when OTEL_LOGS_EXPORTER asks for one. Without one, Enabled is
// false and nothing is exported.
package logexport

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
)

// Exporter exports the records of one instrumentation scope. A nil
// *Exporter (a hook that runs before its package is initialised, as a
// program's own init may log) exports nothing.
type Exporter struct {
	handler atomic.Pointer[otelslog.Handler]
}

// New returns the Exporter of scope; call it from a hook package's init,
// after the OpenTelemetry packages are initialised.
func New(scope string) *Exporter {
	e := &Exporter{}
	e.handler.Store(otelslog.NewHandler(scope))
	return e
}

// SetHandler replaces the handler, for tests.
func (e *Exporter) SetHandler(h *otelslog.Handler) { e.handler.Store(h) }

// Enabled reports whether a record of level would be exported.
func (e *Exporter) Enabled(ctx context.Context, level slog.Level) bool {
	if e == nil {
		return false
	}
	h := e.handler.Load()
	if ctx == nil {
		ctx = context.Background()
	}
	return h != nil && h.Enabled(ctx, level)
}

// Export exports one record: body, level (slog's levels, which the bridge
// maps to OpenTelemetry severities: Debug 5, Info 9, Warn 13, Error 17,
// and level+9 in between), its attributes, and the trace and span IDs of
// the span in ctx. A zero t is now. Exporting never panics into the
// caller.
func (e *Exporter) Export(ctx context.Context, t time.Time, level slog.Level, body string, attrs []slog.Attr) {
	if e == nil {
		return
	}
	h := e.handler.Load()
	if h == nil {
		return
	}
	defer func() { _ = recover() }()
	if ctx == nil {
		ctx = context.Background()
	}
	if t.IsZero() {
		t = time.Now()
	}
	r := slog.NewRecord(t, level, body, 0)
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// SeverityLevel maps the severities of glog and klog (klog is glog's
// fork: INFO 0, WARNING 1, ERROR 2, FATAL 3) to slog's levels, which the
// bridge maps to OpenTelemetry severities (9, 13, 17, 21).
func SeverityLevel(s int64) slog.Level {
	switch s {
	case 1:
		return slog.LevelWarn
	case 2:
		return slog.LevelError
	case 3:
		return slog.LevelError + 4
	}
	return slog.LevelInfo
}
