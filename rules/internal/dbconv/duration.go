package dbconv

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "otelgo.dev/rules/internal/semconv"
	semdb "otelgo.dev/rules/internal/semconv/dbconv"

	"otelgo.dev/rules/internal/telemetry"
)

// buckets are the bucket boundaries the database conventions advise (the
// SDK's default ones suit milliseconds).
var buckets = metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10)

// durations is the db.client.operation.duration histogram, one per
// instrumentation scope, made on first use from the global MeterProvider
// (set up by then; were it not, the global provider hands the measurements
// on once it is) and made again when the program installs another.
var durations = telemetry.NewInstruments(func(meter metric.Meter) semdb.ClientOperationDuration {
	d, err := semdb.NewClientOperationDuration(meter, buckets)
	if err != nil {
		otel.Handle(err)
	}
	return d
})

// RecordDuration records one operation from start to end in the
// db.client.operation.duration histogram of scope. ctx is the operation
// span's, which the measurement links to as an exemplar; attrs are the
// span's attributes, of which the measurement takes those the conventions
// name for it: db.query.text (opt-in: high cardinality) and
// db.operation.batch.size are left out.
func RecordDuration(ctx context.Context, scope string, start, end time.Time, attrs []attribute.KeyValue) {
	RecordDurationSet(ctx, scope, start, end, MetricSet(attrs))
}

// RecordDurationSet is RecordDuration with the measurement's attribute set
// made beforehand (Statement.MetricSet).
func RecordDurationSet(ctx context.Context, scope string, start, end time.Time, set attribute.Set) {
	durations.Get(scope).RecordSet(ctx, float64(end.Sub(start))/float64(time.Second), set)
}

// MetricSet is the attribute set of a measurement of an operation whose
// span has the attributes attrs.
func MetricSet(attrs []attribute.KeyValue) attribute.Set {
	kept := make([]attribute.KeyValue, 0, len(attrs))
	for _, kv := range attrs {
		if kv.Key != semconv.DBQueryTextKey && kv.Key != semconv.DBOperationBatchSizeKey {
			kept = append(kept, kv)
		}
	}
	return attribute.NewSet(kept...)
}
