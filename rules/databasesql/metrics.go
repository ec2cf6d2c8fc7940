package databasesql

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/semconv/v1.39.0/dbconv"
	"go.opentelemetry.io/otel/trace"
)

// operationDuration is db.client.operation.duration, made on first use from
// the global MeterProvider (set up by then; if not, the global provider
// hands the measurements on once it is).
var (
	durationOnce      sync.Once
	operationDuration dbconv.ClientOperationDuration
)

// durationBuckets are the bucket boundaries the database conventions advise
// (the SDK's default ones suit milliseconds).
var durationBuckets = metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10)

func duration() dbconv.ClientOperationDuration {
	durationOnce.Do(func() {
		meter := otel.GetMeterProvider().Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
		var err error
		if operationDuration, err = dbconv.NewClientOperationDuration(meter, durationBuckets); err != nil {
			otel.Handle(err)
		}
	})
	return operationDuration
}

// measuredSpan is the span of one database operation together with what its
// db.client.operation.duration measurement needs; EndSpan records it. It
// is a trace.Span, so the hooks keep handling spans only.
type measuredSpan struct {
	trace.Span
	ctx   context.Context // the span's: the measurement links to it as an exemplar
	start time.Time
	attrs []attribute.KeyValue // the measurement's attributes known at the start
}

// startMeasured starts a CLIENT span and the operation's clock. attrs are
// the span's attributes; the measurement takes the same but db.query.text,
// which the conventions leave out of metrics (opt-in; it is high-cardinality).
func startMeasured(ctx context.Context, name string, attrs []attribute.KeyValue) (context.Context, trace.Span) {
	start := time.Now()
	ctx, span := tracer().Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	m := make([]attribute.KeyValue, 0, len(attrs))
	for _, kv := range attrs {
		if kv.Key != semconv.DBQueryTextKey {
			m = append(m, kv)
		}
	}
	return ctx, &measuredSpan{Span: span, ctx: ctx, start: start, attrs: m}
}

// record records the operation's duration, with errAttrs (error.type,
// db.response.status_code) when it failed.
func (s *measuredSpan) record(errAttrs []attribute.KeyValue) {
	attrs := append(s.attrs[:len(s.attrs):len(s.attrs)], errAttrs...)
	d := float64(time.Since(s.start)) / float64(time.Second)
	duration().RecordSet(s.ctx, d, attribute.NewSet(attrs...))
}
