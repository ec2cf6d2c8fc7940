package fasthttp

import (
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/semconv/v1.39.0/httpconv"

	"otelgo.dev/rules/internal/telemetry"
)

// durations are the duration histograms of the HTTP semantic conventions,
// made from the global MeterProvider on first use and again when the
// program installs another.
type durations struct {
	server httpconv.ServerRequestDuration
	client httpconv.ClientRequestDuration
}

var instruments = telemetry.NewInstruments(func(meter metric.Meter) (d durations) {
	var err error
	if d.server, err = httpconv.NewServerRequestDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	if d.client, err = httpconv.NewClientRequestDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	return d
})

// durationBuckets are the bucket boundaries the HTTP conventions advise for
// the duration histograms.
var durationBuckets = metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

// seconds is the time since start, as the histograms take it.
func seconds(start time.Time) float64 {
	return float64(time.Since(start)) / float64(time.Second)
}
