// Package logctx is what the log hooks (slog, zap, logrus, log) share: the
// names of the fields that tie a log record to a trace, and the one decision
// of which span a record belongs to.
//
// A record belongs to the span in the context the logger was handed, when
// that context holds a valid span context. Otherwise (no context, or one
// without a span: slog.Info passes context.Background()) it belongs to the
// span current on the calling goroutine (otelgo.dev/rules/goroutine), which
// is the request's span inside a traced request and nothing outside one.
// A record that belongs to no span is left exactly as it was.
package logctx

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/goroutine"
)

// The field names, as the OpenTelemetry log data model and most log
// backends spell them; the values are lowercase hex (32 and 16 digits).
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// SpanContext returns the span context a record logged with ctx belongs to:
// the one in ctx when it is valid, otherwise the one of the span current on
// the calling goroutine; invalid when there is neither. A nil ctx means a
// record logged without a context. Every hook decides through this.
func SpanContext(ctx context.Context) trace.SpanContext {
	if sc := ContextSpanContext(ctx); sc.IsValid() {
		return sc
	}
	if span := goroutine.Span(); span != nil {
		return span.SpanContext()
	}
	return trace.SpanContext{}
}

// ContextSpanContext returns the span context held by ctx itself (invalid
// for a nil ctx), without the goroutine's span: for what binds a context
// to something that may outlive the calling goroutine's span, such as a
// zap logger derived with a context field.
func ContextSpanContext(ctx context.Context) trace.SpanContext {
	if ctx == nil {
		return trace.SpanContext{}
	}
	return trace.SpanContextFromContext(ctx)
}

// IDs returns the hex trace and span IDs of the span a record logged with
// ctx belongs to (see SpanContext), and whether there is one. Sampled or not
// makes no difference: an unsampled request still has IDs that other
// services' logs share.
func IDs(ctx context.Context) (traceID, spanID string, ok bool) {
	return format(SpanContext(ctx))
}

// ContextIDs is IDs for the span context held by ctx itself only (see
// ContextSpanContext).
func ContextIDs(ctx context.Context) (traceID, spanID string, ok bool) {
	return format(ContextSpanContext(ctx))
}

// Valid reports whether a record logged with ctx belongs to a span (see
// SpanContext), without formatting anything.
func Valid(ctx context.Context) bool {
	return SpanContext(ctx).IsValid()
}

func format(sc trace.SpanContext) (traceID, spanID string, ok bool) {
	if !sc.IsValid() {
		return "", "", false
	}
	return sc.TraceID().String(), sc.SpanID().String(), true
}

// ExportContext returns the context to export a record logged with ctx
// with, so that the OpenTelemetry log record carries the IDs of the span it
// belongs to (see SpanContext): ctx itself when it holds a valid span,
// otherwise ctx (context.Background() for nil) with the goroutine's span
// context, or without one when there is none.
func ExportContext(ctx context.Context) context.Context {
	if ContextSpanContext(ctx).IsValid() {
		return ctx
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if sc := SpanContext(nil); sc.IsValid() {
		return trace.ContextWithSpanContext(ctx, sc)
	}
	return ctx
}

// IsIDField reports whether key and value are one of the two fields the
// hooks add to a record that belongs to sc. An exported record carries the
// IDs in its own trace and span ID fields, so the exporting side drops these
// (and keeps a program's own trace_id that names another span).
func IsIDField(sc trace.SpanContext, key, value string) bool {
	if !sc.IsValid() {
		return false
	}
	switch key {
	case TraceIDKey:
		return value == sc.TraceID().String()
	case SpanIDKey:
		return value == sc.SpanID().String()
	}
	return false
}

// SpanContextFromIDs is the span context that the hex IDs name, with the
// trace flags of the span the calling goroutine has when it is the same
// span; false if either ID is malformed or zero.
func SpanContextFromIDs(traceID, spanID string) (trace.SpanContext, bool) {
	tid, err := trace.TraceIDFromHex(traceID)
	if err != nil {
		return trace.SpanContext{}, false
	}
	sid, err := trace.SpanIDFromHex(spanID)
	if err != nil {
		return trace.SpanContext{}, false
	}
	if g := SpanContext(nil); g.TraceID() == tid && g.SpanID() == sid {
		return g, true
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid})
	return sc, sc.IsValid()
}
