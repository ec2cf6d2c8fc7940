// Package logr holds the hooks otelgo splices into github.com/go-logr/logr:
// a record that belongs to a span gets the key-value pairs
//
//	"trace_id", "<32 hex digits>", "span_id", "<16 hex digits>"
//
// after the call's own, so that every sink writes them in its own format
// and naming convention, like pairs the program passed: zapr as zap string
// fields, stdr and funcr as "trace_id"="..." (funcr's JSON as
// "trace_id":"..."), klog's sinks as trace_id="...".
//
// logr takes a context only as a value among the pairs (the convention of
// the OpenTelemetry logr bridge, go.opentelemetry.io/contrib/bridges/otellogr):
// a record belongs to the span of the last context.Context value among its
// pairs, when that holds one; otherwise, as for every record written
// without one, to the span current on the calling goroutine, such as the
// server span of the request being handled (see
// otelgo.dev/rules/internal/logctx). Records that belong to no span are
// unchanged, as are records whose pairs already have a "trace_id" key. Pairs
// bound with WithValues are the sink's and cannot be seen: a logger that
// binds its own "trace_id" with WithValues gets a second one.
//
// With OTEL_LOGS_EXPORTER the records are also exported as OpenTelemetry log
// records, with the IDs of the span they belong to as the record's own (not
// as attributes): the message is the body, the pairs are attributes (a
// context value among them is not), an Error's error is exception.message,
// and the severity follows the official logr bridge's mapping (V(0) INFO,
// V(1) DEBUG, Error ERROR). The records of sinks whose library otelgo
// exports itself arrive once, from there: zapr (otelgo.dev/rules/zap/zapexport:
// zap records, from zap v1.27.1), stdr (otelgo.dev/rules/log: the line as
// written) and klog's sinks (otelgo.dev/rules/klog); so do those of a sink
// that is the official bridge's own (otellogr, the program exports itself)
// and those of logr's slog adapter around the slog bridge's handler
// (logr.FromSlogHandler(otelslog.NewHandler(...))). A record to otellogr's
// sink gets, instead of the trace_id and span_id pairs, a context value
// among its pairs that holds the span current on the goroutine, when none
// of its pairs is a context that holds a span: the bridge takes the last
// context as the record's, so the program's export carries the span's IDs
// as its own. logr's slog adapter hands its handler no context: those
// records get the pairs, which the bridge exports as attributes. The sink's
// type decides (no allocation).
// The export sees the call's message, level and pairs, not the logger's name
// nor the pairs bound with WithValues (held by the sink).
//
// The records go through the OpenTelemetry log API by way of the official
// slog bridge (otelgo.dev/rules/internal/logexport), not the official logr
// bridge (go.opentelemetry.io/contrib/bridges/otellogr): these hooks join
// every build (see below), and a contrib module among them makes every
// build whose OpenTelemetry is newer than otelgo's look up the bridge's
// release for it, which fails where the module proxy does not list the
// bridge's versions (as the one these tests use does not).
//
// logr is a dependency of OpenTelemetry's own API (v1.4.3 for otel v1.41),
// so every instrumented program has at least that version.
//
// The rules are in logr.json beside this file. The hooks are reached from
// logr through //go:linkname, so their signatures follow the convention of
// otelgo.dev/rules/api exactly.
package logr

import (
	"context"
	"reflect"

	"github.com/go-logr/logr"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// InfoOnEnter is the OnEnter hook of
//
//	func (l Logger) Info(msg string, keysAndValues ...any)
//
// in github.com/go-logr/logr (logr.go).
func InfoOnEnter(call api.CallContext, l logr.Logger, msg string, kvs []any) {
	if l.GetSink() == nil || !l.Enabled() {
		return
	}
	if isOtellogr(l.GetSink()) {
		if withCtx, ok := addContext(kvs); ok {
			call.SetParam(1, withCtx)
		}
		return
	}
	if withIDs, ok := addIDs(kvs); ok {
		call.SetParam(1, withIDs)
	}
	export(l, false, nil, msg, kvs)
}

// ErrorOnEnter is the OnEnter hook of
//
//	func (l Logger) Error(err error, msg string, keysAndValues ...any)
//
// in github.com/go-logr/logr (logr.go).
func ErrorOnEnter(call api.CallContext, l logr.Logger, err error, msg string, kvs []any) {
	if l.GetSink() == nil {
		return
	}
	if isOtellogr(l.GetSink()) {
		if withCtx, ok := addContext(kvs); ok {
			call.SetParam(2, withCtx)
		}
		return
	}
	if withIDs, ok := addIDs(kvs); ok {
		call.SetParam(2, withIDs)
	}
	export(l, true, err, msg, kvs)
}

// addIDs returns a copy of kvs with the IDs of the span the record belongs
// to appended, and true; false when it belongs to none or kvs has a
// "trace_id" key. kvs is never written to.
func addIDs(kvs []any) ([]any, bool) {
	ctx, hasTraceID := scan(kvs)
	if hasTraceID {
		return nil, false
	}
	traceID, spanID, ok := logctx.IDs(ctx)
	if !ok {
		return nil, false
	}
	out := make([]any, len(kvs), len(kvs)+4)
	copy(out, kvs)
	if len(out)%2 == 1 {
		// A dangling key: sinks pair it with a value of their own
		// ("<no-value>", or an error). Keep that, and the IDs paired.
		return nil, false
	}
	return append(out, logctx.TraceIDKey, traceID, logctx.SpanIDKey, spanID), true
}

// scan returns the last context.Context value among the pairs (nil if
// none) and whether a key is "trace_id".
func scan(kvs []any) (ctx context.Context, hasTraceID bool) {
	for i := 0; i+1 < len(kvs); i += 2 {
		if k, ok := kvs[i].(string); ok && k == logctx.TraceIDKey {
			return nil, true
		}
		if c, ok := kvs[i+1].(context.Context); ok {
			ctx = c
		}
	}
	return ctx, false
}

// otellogrPath is the package of the official logr bridge, whose sink
// exports what it is given. A variable for the tests.
var otellogrPath = "go.opentelemetry.io/contrib/bridges/otellogr"

// isOtellogr reports whether sink is the official bridge's own (the
// program exports its records itself and writes them nowhere else). By the
// type's package: no allocation.
func isOtellogr(sink logr.LogSink) bool {
	t := reflect.TypeOf(sink)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && t.PkgPath() == otellogrPath
}

// addContext returns, for the bridge's sink, a copy of kvs with a context
// that holds the span the record belongs to appended (the bridge takes the
// last context value as the record's, and makes no attribute of it), and
// true; false when a context among kvs holds a span already (the bridge
// gives the record its IDs), when the record belongs to no span, or when a
// key is dangling. No trace_id and span_id pairs: the export carries the
// span's IDs as its own.
func addContext(kvs []any) ([]any, bool) {
	ctx, _ := scan(kvs)
	if logctx.ContextSpanContext(ctx).IsValid() || !logctx.Valid(ctx) || len(kvs)%2 == 1 {
		return nil, false
	}
	out := make([]any, len(kvs), len(kvs)+2)
	copy(out, kvs)
	return append(out, "context", logctx.ExportContext(ctx)), true
}
