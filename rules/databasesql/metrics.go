package databasesql

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/dbconv"
	"otelgo.dev/rules/internal/telemetry"
)

// measuredSpan is the span of one database operation together with what its
// db.client.operation.duration measurement needs; EndSpan records it. It
// is a trace.Span, so the hooks keep handling spans only.
type measuredSpan struct {
	trace.Span
	ctx   context.Context // the span's
	start time.Time
	attrs []attribute.KeyValue // the span's attributes at the start
}

// startMeasured starts a CLIENT span with attrs and the operation's clock.
func startMeasured(ctx context.Context, name string, attrs []attribute.KeyValue) (context.Context, trace.Span) {
	start := time.Now()
	ctx, span := telemetry.Tracer(ScopeName).Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx, &measuredSpan{Span: span, ctx: ctx, start: start, attrs: attrs}
}

// record records the operation's duration, with errAttrs (error.type,
// db.response.status_code) when it failed.
func (s *measuredSpan) record(errAttrs []attribute.KeyValue) {
	attrs := append(s.attrs[:len(s.attrs):len(s.attrs)], errAttrs...)
	dbconv.RecordDuration(s.ctx, ScopeName, s.start, time.Now(), attrs)
}

// EndSpan records err on span (if it is an error) and ends it; the span of
// a database/sql operation also gets its duration measured.
func EndSpan(span trace.Span, err error) {
	var errAttrs []attribute.KeyValue
	if dbconv.IsError(err) {
		errAttrs = dbconv.ErrorAttributes(err)
		span.SetAttributes(errAttrs...)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
	if m, ok := span.(*measuredSpan); ok {
		m.record(errAttrs)
	}
}
