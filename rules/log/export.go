package log

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/logctx"
)

// ScopeName is the instrumentation scope of the log records exported from
// package log's lines.
//
// Package log has no OpenTelemetry bridge of its own: each line is exported
// as a record whose body is the message (without the header, the newline
// and the IDs) and which carries the IDs of the span the line belongs to.
// The package has no levels: the records have severity INFO. Lines a
// logger writes into a slog handler (slog.SetDefault with a handler of the
// program's, slog.NewLogLogger) are exported by the slog hook instead, as
// slog records; lines of slog's default handler, which writes through
// package log, are exported here, as the text they are.
const ScopeName = "otelgo.dev/rules/log"

// ready is set once this package is initialised, and the OpenTelemetry
// packages it uses with it: a program's own init may log before that.
var ready atomic.Bool

// handler turns lines into records through the official slog bridge,
// whose slog.Handler API stays the same when a program's newer
// OpenTelemetry changes the log API underneath (log v0.x to v1.x).
var handler atomic.Pointer[otelslog.Handler]

func init() {
	handler.Store(otelslog.NewHandler(ScopeName))
	ready.Store(true)
}

// handlerWriterType is the type of the writer of a log.Logger that writes
// into a slog handler.
var handlerWriterType = reflect.TypeOf(slog.NewLogLogger(slog.DiscardHandler, slog.LevelInfo).Writer())

// exporting reports whether l's lines are exported: a LoggerProvider is set
// up and l does not write into a slog handler.
func exporting(l *log.Logger) bool {
	if !ready.Load() || !handler.Load().Enabled(context.Background(), slog.LevelInfo) {
		return false
	}
	return l == nil || reflect.TypeOf(l.Writer()) != handlerWriterType
}

// exportLine exports the message a line holds (what appendIDs wrote).
func exportLine(msg []byte) {
	msg = bytes.TrimSuffix(msg, []byte("\n"))
	body, sc := splitIDs(msg)
	ctx := logctx.ExportContext(nil)
	if sc.IsValid() && !sc.Equal(trace.SpanContextFromContext(ctx)) {
		ctx = trace.ContextWithSpanContext(context.Background(), sc)
	}
	_ = handler.Load().Handle(ctx, slog.NewRecord(time.Now(), slog.LevelInfo, string(body), 0))
}

// splitIDs splits " trace_id=<32 hex> span_id=<16 hex>" off the end of msg,
// if it is there: appendIDs's, or slog's default handler's.
func splitIDs(msg []byte) ([]byte, trace.SpanContext) {
	const idsLen = len(" trace_id=") + 32 + len(" span_id=") + 16
	if len(msg) < idsLen {
		return msg, trace.SpanContext{}
	}
	ids := msg[len(msg)-idsLen:]
	if !bytes.HasPrefix(ids, []byte(" "+logctx.TraceIDKey+"=")) || !bytes.HasPrefix(ids[42:], []byte(" "+logctx.SpanIDKey+"=")) {
		return msg, trace.SpanContext{}
	}
	sc, ok := logctx.SpanContextFromIDs(string(ids[10:42]), string(ids[51:]))
	if !ok {
		return msg, trace.SpanContext{}
	}
	return msg[:len(msg)-idsLen], sc
}
