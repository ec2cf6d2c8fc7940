// Package slog holds the hooks otelgo splices into log/slog: a record that
// belongs to a span gets the attributes trace_id and span_id (lowercase hex),
// so every handler, built-in or the program's own, sees them like attributes
// the program passed itself. The rules are in slog.json beside this file.
//
// A record belongs to the span in the context it is logged with
// (slog.InfoContext(ctx, ...), logger.InfoContext, logger.Log(ctx, ...),
// logger.LogAttrs(ctx, ...)) when that context holds one; otherwise, as for
// records logged without a context (slog.Info, logger.Info, ...: they carry
// context.Background()), to the span current on the calling goroutine, such
// as the server span of the request being handled (see
// otelgo.dev/rules/internal/logctx). Records that belong to no span are left
// unchanged, as are records that already have a trace_id attribute. The
// attributes are added after the call's own ones, so they land in the
// logger's innermost group when the logger has one (logger.WithGroup).
//
// A logger whose handler is the OpenTelemetry slog bridge's own
// (otelslog.NewHandler, otelslog.NewLogger: the program exports its records
// itself, and writes them nowhere else) is the exception: its records get
// no trace_id and span_id attributes; a record logged without a span in its
// context gets the span current on the goroutine as its context instead,
// so the program's export carries the span's IDs as its own. A type
// assertion on each record's logger's handler decides (no allocation).
//
// With OTEL_LOGS_EXPORTER, slog.New wraps the program's handler so that its
// records are also exported (export.go), except a handler that exports
// already: the bridge's own, or one that holds it in slog.MultiHandler's
// handlers or in a field of type slog.Handler or []slog.Handler, looked at
// by reflection once per slog.New. A handler that keeps the bridge's
// elsewhere (behind a function, in a field of another interface type) is
// not seen through, and its records are exported twice. A record of a
// logger whose handler holds the bridge's beside others gets the IDs as
// attributes as before (for what the others write; the bridge exports them
// as attributes too) and, when logged without a span in its context, the
// goroutine's span as its context (see teeContext).
//
// The default logger's handler writes through package log, whose hook
// (otelgo.dev/rules/log) leaves lines that already hold trace_id alone.
//
// The hooks are reached from log/slog through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package slog

import (
	"context"
	"log/slog"
	"reflect"

	"go.opentelemetry.io/contrib/bridges/otelslog"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// LogOnEnter is the OnEnter hook of
//
//	func (l *Logger) log(ctx context.Context, level Level, msg string, args ...any)
//
// in log/slog (logger.go), where every Logger method and package function
// that takes key-value pairs ends up. It appends the IDs as two slog.Attr
// values to a copy of args (the caller's slice is never written to).
func LogOnEnter(call api.CallContext, l *slog.Logger, ctx context.Context, level slog.Level, _ string, args []any) {
	if l == nil || !logctx.Valid(ctx) || hasTraceKey(args) || !l.Enabled(ctx, level) {
		return
	}
	if bridgeOnly(call, l, ctx) {
		return
	}
	teeContext(call, l, ctx)
	traceID, spanID, _ := logctx.IDs(ctx)
	out := make([]any, len(args), len(args)+2)
	copy(out, args)
	out = append(out, slog.String(logctx.TraceIDKey, traceID), slog.String(logctx.SpanIDKey, spanID))
	call.SetParam(3, out)
}

// LogAttrsOnEnter is the OnEnter hook of
//
//	func (l *Logger) logAttrs(ctx context.Context, level Level, msg string, attrs ...Attr)
//
// in log/slog (logger.go), behind Logger.LogAttrs and slog.LogAttrs.
func LogAttrsOnEnter(call api.CallContext, l *slog.Logger, ctx context.Context, level slog.Level, _ string, attrs []slog.Attr) {
	if l == nil || !logctx.Valid(ctx) || hasTraceAttr(attrs) || !l.Enabled(ctx, level) {
		return
	}
	if bridgeOnly(call, l, ctx) {
		return
	}
	teeContext(call, l, ctx)
	traceID, spanID, _ := logctx.IDs(ctx)
	out := make([]slog.Attr, len(attrs), len(attrs)+2)
	copy(out, attrs)
	out = append(out, slog.String(logctx.TraceIDKey, traceID), slog.String(logctx.SpanIDKey, spanID))
	call.SetParam(3, out)
}

// hasTraceKey reports whether args, read the way slog.Record.Add reads
// them, already has a top-level trace_id.
func hasTraceKey(args []any) bool {
	for i := 0; i < len(args); i++ {
		switch a := args[i].(type) {
		case string:
			if a == logctx.TraceIDKey {
				return true
			}
			i++ // its value
		case slog.Attr:
			if a.Key == logctx.TraceIDKey {
				return true
			}
		}
	}
	return false
}

func hasTraceAttr(attrs []slog.Attr) bool {
	for _, a := range attrs {
		if a.Key == logctx.TraceIDKey {
			return true
		}
	}
	return false
}

// bridgeOnly reports whether l's handler is the OpenTelemetry bridge's own
// (otelslog.NewHandler, otelslog.NewLogger: the program exports the record
// itself and writes it nowhere else). Such a record gets no trace_id and
// span_id attributes: its export carries the span's IDs as its own. When
// ctx holds no span (slog.Info, logger.Info), the call's context becomes
// one that holds the span current on the goroutine, so the program's
// export has them too. A type assertion: no allocation on records that do
// not go to the bridge.
func bridgeOnly(call api.CallContext, l *slog.Logger, ctx context.Context) bool {
	if _, ok := l.Handler().(*otelslog.Handler); !ok {
		return false
	}
	if !logctx.ContextSpanContext(ctx).IsValid() {
		call.SetParam(0, logctx.ExportContext(ctx))
	}
	return true
}

// teeContext gives a record logged without a span in its context, by a
// logger whose handler holds the bridge's beside others (one that slog.New
// left unwrapped because it does: slog.NewMultiHandler, a wrapper; see
// export.go), the span current on the goroutine as its context: the
// program's export carries the span's IDs as its own, and what its other
// handlers write gets the trace_id and span_id attributes as before. Loggers
// otelgo wraps for export never get here past a type assertion; a handler
// that is neither is looked into by reflection, on records that get IDs
// only (no allocation).
func teeContext(call api.CallContext, l *slog.Logger, ctx context.Context) {
	h := l.Handler()
	if _, ok := h.(*exportHandler); ok || logctx.ContextSpanContext(ctx).IsValid() || isDefaultHandler(h) {
		return
	}
	if hasBridge(reflect.ValueOf(h), 0) {
		call.SetParam(0, logctx.ExportContext(ctx))
	}
}
