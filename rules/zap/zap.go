// Package zap holds the hooks otelgo splices into go.uber.org/zap.
//
// zap's API takes no context, so the only sound source of a span is a
// context the program hands zap as a field, the convention of the
// OpenTelemetry zap bridge (go.opentelemetry.io/contrib/bridges/otelzap):
// any field whose value is a context.Context, such as
//
//	logger.Info("msg", zap.Any("context", ctx))
//	sugar.Infow("msg", "context", ctx)
//	logger.With(zap.Any("context", ctx)).Info("msg")
//
// When that context holds a valid span, the record (or, for With, every
// record of the derived logger) gets the string fields trace_id and
// span_id (lowercase hex) after the call's own fields. The context field
// itself is left in place, so the output is otherwise what it was.
// Records without such a field are unchanged, as are records whose fields
// already have a trace_id. The rules are in zap.json beside this file.
//
// The hooks are reached from zap through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package zap

import (
	"context"

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
	if out, ok := withIDs(fields); ok {
		call.SetParam(0, out)
	}
}

// WithOnEnter is the OnEnter hook of
//
//	func (log *Logger) With(fields ...Field) *Logger
//
// in go.uber.org/zap (logger.go), also behind SugaredLogger.With.
func WithOnEnter(call api.CallContext, _ *zap.Logger, fields []zap.Field) {
	if out, ok := withIDs(fields); ok {
		call.SetParam(0, out)
	}
}

// WithLazyOnEnter is the OnEnter hook of
//
//	func (log *Logger) WithLazy(fields ...Field) *Logger
//
// in go.uber.org/zap (logger.go, since v1.27.0).
func WithLazyOnEnter(call api.CallContext, _ *zap.Logger, fields []zap.Field) {
	if out, ok := withIDs(fields); ok {
		call.SetParam(0, out)
	}
}

// withIDs returns a copy of fields with trace_id and span_id appended when
// a field carries a context with a valid span (the last such field wins,
// as in otelzap) and no field is named trace_id; the caller's slice is
// never written to.
func withIDs(fields []zapcore.Field) ([]zapcore.Field, bool) {
	var ctx context.Context
	for i := range fields {
		if fields[i].Key == logctx.TraceIDKey {
			return nil, false
		}
		if c, ok := fields[i].Interface.(context.Context); ok {
			ctx = c
		}
	}
	traceID, spanID, ok := logctx.IDs(ctx)
	if !ok {
		return nil, false
	}
	out := make([]zapcore.Field, len(fields), len(fields)+2)
	copy(out, fields)
	out = append(out,
		zapcore.Field{Key: logctx.TraceIDKey, Type: zapcore.StringType, String: traceID},
		zapcore.Field{Key: logctx.SpanIDKey, Type: zapcore.StringType, String: spanID},
	)
	return out, true
}
