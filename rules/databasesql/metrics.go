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
	set   attribute.Set        // the measurement's, when it succeeds
}

// startMeasured starts a CLIENT span of the statement or operation s and
// the operation's clock.
func startMeasured(ctx context.Context, s *dbconv.Statement) (context.Context, trace.Span) {
	start := time.Now()
	ctx, span := telemetry.Tracer(ScopeName).Start(ctx, s.Name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(s.Attrs...))
	return ctx, &measuredSpan{Span: span, ctx: ctx, start: start, attrs: s.Attrs, set: s.MetricSet()}
}

// record records the operation's duration, with errAttrs (error.type,
// db.response.status_code) when it failed.
func (s *measuredSpan) record(errAttrs []attribute.KeyValue) {
	if len(errAttrs) == 0 {
		dbconv.RecordDurationSet(s.ctx, ScopeName, s.start, time.Now(), s.set)
		return
	}
	dbconv.RecordDuration(s.ctx, ScopeName, s.start, time.Now(), append(s.attrs[:len(s.attrs):len(s.attrs)], errAttrs...))
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
