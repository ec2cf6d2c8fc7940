// Package dbmetrics is the db.client.operation.duration histogram that the
// database client hooks (database/sql, go-redis, redigo) record into, one
// per instrumentation scope, made on first use from the global
// MeterProvider (set up by then; were it not, the global provider hands the
// measurements on once it is).
package dbmetrics

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/semconv/v1.39.0/dbconv"
)

// buckets are the bucket boundaries the database conventions advise (the
// SDK's default ones suit milliseconds).
var buckets = metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10)

var durations sync.Map // scope -> dbconv.ClientOperationDuration

func duration(scope string) dbconv.ClientOperationDuration {
	if d, ok := durations.Load(scope); ok {
		return d.(dbconv.ClientOperationDuration)
	}
	meter := otel.GetMeterProvider().Meter(scope, metric.WithSchemaURL(semconv.SchemaURL))
	d, err := dbconv.NewClientOperationDuration(meter, buckets)
	if err != nil {
		otel.Handle(err)
	}
	got, _ := durations.LoadOrStore(scope, d)
	return got.(dbconv.ClientOperationDuration)
}

// Record records one operation from start to end. ctx is the operation
// span's, which the measurement links to as an exemplar; attrs are the
// span's attributes, of which the measurement takes those the conventions
// name for it: db.query.text (opt-in: high cardinality) and
// db.operation.batch.size are left out.
func Record(ctx context.Context, scope string, start, end time.Time, attrs []attribute.KeyValue) {
	kept := make([]attribute.KeyValue, 0, len(attrs))
	for _, kv := range attrs {
		if kv.Key != semconv.DBQueryTextKey && kv.Key != semconv.DBOperationBatchSizeKey {
			kept = append(kept, kv)
		}
	}
	duration(scope).RecordSet(ctx, float64(end.Sub(start))/float64(time.Second), attribute.NewSet(kept...))
}
