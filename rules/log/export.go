package log

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"reflect"
	"strings"
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
// packages it uses with it. A package initialised before it (the go command
// initialises packages whose import paths sort first first: prometheus's
// oci-go-sdk logs from its init) may log before that; its lines are written
// as they are (no span can be current before main's init sets up the SDK).
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
// if it is there: appendIDs's, or slog's default handler's; or the pairs
// ` "trace_id"="<32 hex>" "span_id"="<16 hex>"` that a logr logger with a
// stdr sink writes (otelgo.dev/rules/logr).
func splitIDs(msg []byte) ([]byte, trace.SpanContext) {
	if body, sc := splitSuffix(msg, " "+logctx.TraceIDKey+"=", " "+logctx.SpanIDKey+"=", ""); sc.IsValid() {
		return body, sc
	}
	return splitSuffix(msg, ` "`+logctx.TraceIDKey+`"="`, `" "`+logctx.SpanIDKey+`"="`, `"`)
}

// splitSuffix splits traceKey, 32 hex digits, spanKey, 16 hex digits and
// end off the end of msg, if they are there and name a valid span.
func splitSuffix(msg []byte, traceKey, spanKey, end string) ([]byte, trace.SpanContext) {
	idsLen := len(traceKey) + 32 + len(spanKey) + 16 + len(end)
	if len(msg) < idsLen {
		return msg, trace.SpanContext{}
	}
	ids := string(msg[len(msg)-idsLen:])
	spanAt := len(traceKey) + 32
	if !strings.HasPrefix(ids, traceKey) || !strings.HasPrefix(ids[spanAt:], spanKey) || !strings.HasSuffix(ids, end) {
		return msg, trace.SpanContext{}
	}
	sc, ok := logctx.SpanContextFromIDs(ids[len(traceKey):spanAt], ids[spanAt+len(spanKey):spanAt+len(spanKey)+16])
	if !ok {
		return msg, trace.SpanContext{}
	}
	return msg[:len(msg)-idsLen], sc
}
