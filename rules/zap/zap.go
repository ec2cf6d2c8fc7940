// Package zap holds the hooks otelgo splices into go.uber.org/zap.
//
// zap's API takes no context. A program can hand zap one as a field, the
// convention of the OpenTelemetry zap bridge
// (go.opentelemetry.io/contrib/bridges/otelzap): any field whose value is a
// context.Context, such as
//
//	logger.Info("msg", zap.Any("context", ctx))
//	sugar.Infow("msg", "context", ctx)
//	logger.With(zap.Any("context", ctx)).Info("msg")
//
// A record gets the string fields trace_id and span_id (lowercase hex) of
// the span it belongs to, after the call's own fields:
//
//   - a record written with a context field belongs to the span of that
//     context (the last such field wins, as in otelzap), or, when that
//     context holds none, to the span current on the calling goroutine;
//   - a record written without one (logger.Info("msg")) belongs to the span
//     current on the calling goroutine, such as the server span of the
//     request being handled (see otelgo.dev/rules/internal/logctx).
//
// A logger derived with With or WithLazy and a context field that holds a
// span carries that span's IDs in its own fields (after the With fields),
// for every record it writes, wherever and whenever it writes them: the
// context was bound on purpose. Its records get no further IDs, so a record
// never has two trace_id keys; nor do records of a logger whose own fields
// (or the call's) already have a trace_id. With and WithLazy never bind the
// goroutine's span: a derived logger may outlive it, and its records get the
// span current where they are written. The context field itself is left in
// place, so the output is otherwise what it was. Records that belong to no
// span are unchanged. The rules are in zap.json beside this file.
//
// A record that goes to the OpenTelemetry zap bridge's core (otelzap: the
// program exports its records itself; the cores a CheckedEntry is written
// to tell, without allocating) and has no context field whose context
// holds a span also gets a context field (zapcore.SkipType, which encoders
// do not write) with the span current on the goroutine, so the program's
// export carries the span's IDs as its own. A record that goes to the
// bridge's core only (zap.New(otelzap.NewCore(...)): written nowhere else)
// gets that context field alone, no trace_id and span_id fields. The bridge
// is named, not imported: it needs a newer zap than these hooks.
//
// Which loggers carry IDs in their own fields is kept in the logger itself,
// so that every logger derived from one (With, Named, WithOptions, Sugar,
// ...) knows it too: their error output is wrapped in a type of this
// package that writes to the same place. zap copies the error output to
// each CheckedEntry, where WriteOnEnter reads it.
//
// The hooks are reached from zap through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package zap

import (
	"context"
	"reflect"
	"unsafe"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// WriteOnEnter is the OnEnter hook of
//
//	func (ce *CheckedEntry) Write(fields ...Field)
//
// in go.uber.org/zap/zapcore (entry.go), where every record of a Logger
// and a SugaredLogger is written, whatever the cores.
func WriteOnEnter(call api.CallContext, ce *zapcore.CheckedEntry, fields []zapcore.Field) {
	if ce == nil {
		return
	}
	if _, ok := ce.ErrorOutput.(idsOutput); ok {
		return // the logger's own fields have a trace_id
	}
	ctx, hasTraceID := scan(fields)
	if hasTraceID {
		return
	}
	// A nil ctx (no context field): the goroutine's span, if any.
	if traceID, spanID, ok := logctx.IDs(ctx); ok {
		some, all := toBridge(ce)
		if all && logctx.ContextSpanContext(ctx).IsValid() {
			return // the bridge alone, and the record's context has the span
		}
		out := fields
		if !all {
			out = appendIDs(fields, traceID, spanID)
		}
		if some && !logctx.ContextSpanContext(ctx).IsValid() {
			// The program's own bridge core gets the span as its context.
			if all {
				out = append(make([]zapcore.Field, 0, len(fields)+1), fields...)
			}
			out = append(out, zapcore.Field{Key: "context", Type: zapcore.SkipType, Interface: logctx.ExportContext(ctx)})
		}
		call.SetParam(0, out)
	}
}

// otelzapPath is the package of the OpenTelemetry zap bridge, whose core
// (*otelzap.Core) exports what it is given. It is named, not imported: the
// bridge needs a newer zap than these hooks do. A variable for the tests.
var otelzapPath = "go.opentelemetry.io/contrib/bridges/otelzap"

// coresOffset is the offset of zapcore.CheckedEntry's unexported field
// cores, the cores the entry is written to ([]zapcore.Core in every zap
// version the rules claim); ^uintptr(0) if a zap version changed that, in
// which case no entry is seen going to the bridge.
var coresOffset = func() uintptr {
	f, ok := reflect.TypeOf(zapcore.CheckedEntry{}).FieldByName("cores")
	if !ok || f.Type != reflect.TypeOf([]zapcore.Core(nil)) {
		return ^uintptr(0)
	}
	return f.Offset
}()

// toBridge reports whether some of the cores ce is written to are the
// bridge's own, and whether all are (a tee's cores each add themselves to
// the entry, so a program's otelzap core in a zapcore.NewTee, at any depth,
// is there; one inside a core of the program's own type that writes to it
// directly is not). No allocation.
func toBridge(ce *zapcore.CheckedEntry) (some, all bool) {
	if coresOffset == ^uintptr(0) {
		return false, false
	}
	cores := *(*[]zapcore.Core)(unsafe.Add(unsafe.Pointer(ce), coresOffset))
	n := 0
	for _, c := range cores {
		if isBridgeCore(c) {
			n++
		}
	}
	return n > 0, n > 0 && n == len(cores)
}

func isBridgeCore(c zapcore.Core) bool {
	t := reflect.TypeOf(c)
	if t == nil || t.Kind() != reflect.Pointer {
		return false
	}
	t = t.Elem()
	return t.Name() == "Core" && t.PkgPath() == otelzapPath
}

// WithOnEnter is the OnEnter hook of
//
//	func (log *Logger) With(fields ...Field) *Logger
//
// in go.uber.org/zap (logger.go), also behind SugaredLogger.With.
func WithOnEnter(call api.CallContext, log *zap.Logger, fields []zap.Field) {
	withOnEnter(call, log, fields)
}

// WithOnExit is the OnExit hook of (*Logger).With: it marks the derived
// logger when WithOnEnter gave it IDs or its fields have a trace_id.
func WithOnExit(call api.CallContext, l *zap.Logger) {
	withOnExit(call, l)
}

// WithLazyOnEnter is the OnEnter hook of
//
//	func (log *Logger) WithLazy(fields ...Field) *Logger
//
// in go.uber.org/zap (logger.go, since v1.27.0), also behind
// SugaredLogger.WithLazy.
func WithLazyOnEnter(call api.CallContext, log *zap.Logger, fields []zap.Field) {
	withOnEnter(call, log, fields)
}

// WithLazyOnExit is the OnExit hook of (*Logger).WithLazy.
func WithLazyOnExit(call api.CallContext, l *zap.Logger) {
	withOnExit(call, l)
}

// marked is the SetData value of the With hooks: the derived logger is to
// be marked as carrying a trace_id in its own fields.
type marked struct{}

func withOnEnter(call api.CallContext, log *zap.Logger, fields []zap.Field) {
	if log == nil || len(fields) == 0 || carriesIDs(log) {
		return // With returns log itself, or log's fields have a trace_id already
	}
	ctx, hasTraceID := scan(fields)
	if hasTraceID {
		call.SetData(marked{})
		return
	}
	// Only a context the program binds: never the goroutine's span.
	if traceID, spanID, ok := logctx.ContextIDs(ctx); ok {
		call.SetParam(0, appendIDs(fields, traceID, spanID))
		call.SetData(marked{})
	}
}

func withOnExit(call api.CallContext, l *zap.Logger) {
	if _, ok := call.Data().(marked); !ok || l == nil {
		return
	}
	if out, ok := errorOutput(l); ok {
		call.SetResult(0, l.WithOptions(zap.ErrorOutput(idsOutput{out})))
	}
}

// scan returns the context of the last field whose value is a
// context.Context (nil if none) and whether a field is named trace_id.
func scan(fields []zapcore.Field) (ctx context.Context, hasTraceID bool) {
	for i := range fields {
		if fields[i].Key == logctx.TraceIDKey {
			return nil, true
		}
		if c, ok := fields[i].Interface.(context.Context); ok {
			ctx = c
		}
	}
	return ctx, false
}

// appendIDs returns a copy of fields with trace_id and span_id appended; the
// caller's slice is never written to.
func appendIDs(fields []zapcore.Field, traceID, spanID string) []zapcore.Field {
	out := make([]zapcore.Field, len(fields), len(fields)+3)
	copy(out, fields)
	return append(out,
		zapcore.Field{Key: logctx.TraceIDKey, Type: zapcore.StringType, String: traceID},
		zapcore.Field{Key: logctx.SpanIDKey, Type: zapcore.StringType, String: spanID},
	)
}

// idsOutput marks a logger whose own fields have a trace_id: it is the
// logger's error output (zap.ErrorOutput), writing to the one it wraps,
// which may be nil (zap never writes to a nil one; neither does this).
type idsOutput struct{ w zapcore.WriteSyncer }

func (o idsOutput) Write(p []byte) (int, error) {
	if o.w == nil {
		return len(p), nil
	}
	return o.w.Write(p)
}

func (o idsOutput) Sync() error {
	if o.w == nil {
		return nil
	}
	return o.w.Sync()
}

func carriesIDs(l *zap.Logger) bool {
	out, ok := errorOutput(l)
	if !ok {
		return false
	}
	_, marked := out.(idsOutput)
	return marked
}

// errorOutputOffset is the offset of zap.Logger's unexported field
// errorOutput, a zapcore.WriteSyncer in every zap version the rules claim;
// ^uintptr(0) if a zap version changed that, in which case no logger is
// marked.
var errorOutputOffset = func() uintptr {
	f, ok := reflect.TypeOf(zap.Logger{}).FieldByName("errorOutput")
	if !ok || f.Type != reflect.TypeOf((*zapcore.WriteSyncer)(nil)).Elem() {
		return ^uintptr(0)
	}
	return f.Offset
}()

// errorOutput reads l's error output, which zap offers no method for.
func errorOutput(l *zap.Logger) (zapcore.WriteSyncer, bool) {
	if errorOutputOffset == ^uintptr(0) {
		return nil, false
	}
	return *(*zapcore.WriteSyncer)(unsafe.Add(unsafe.Pointer(l), errorOutputOffset)), true
}
