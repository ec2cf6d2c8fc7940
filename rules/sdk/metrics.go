package sdk

import (
	"context"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"otelgo.dev/rules/api"
)

// meterProvider is the MeterProvider set up by setupMetrics, nil if none
// (OTEL_METRICS_EXPORTER=none, or a configuration error).
var meterProvider atomic.Pointer[sdkmetric.MeterProvider]

// setupMetrics installs the global MeterProvider with the reader
// OTEL_METRICS_EXPORTER names (otlp by default; console, prometheus, none)
// and starts the Go runtime metrics. The periodic reader reads
// OTEL_METRIC_EXPORT_INTERVAL and _TIMEOUT itself.
//
// The hooks record into instruments of the global MeterProvider, which
// delegates to this one whenever they were made. A metrics error leaves
// traces working: it is reported, and the program runs without metrics.
func setupMetrics(ctx context.Context, res *resource.Resource) {
	reader, err := newMetricReader(ctx)
	if err != nil {
		warn("cannot create the metric reader: %v (OTEL_METRICS_EXPORTER=%q); the program exports no metrics",
			err, os.Getenv("OTEL_METRICS_EXPORTER"))
		return
	}
	if reader == nil {
		// none; or an exporter of a package of its own, which calls
		// StartMetrics from its init when the build links it. Until then
		// the global MeterProvider stays the no-op one.
		return
	}
	StartMetrics(reader, res)
}

// StartMetrics installs the global MeterProvider with reader and starts
// the Go runtime metrics.
func StartMetrics(reader sdkmetric.Reader, res *resource.Resource) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(reader))
	meterProvider.Store(mp)
	otel.SetMeterProvider(mp)
	if err := runtime.Start(runtime.WithMeterProvider(mp)); err != nil {
		warn("Go runtime metrics: %v", err)
	}
}

// MainOnEnter is the OnEnter hook of func main of every main package: by
// then every package's init has run, so an exporter still wanted is one
// this build does not have.
func MainOnEnter(api.CallContext) {
	reportNotLinked()
}

// shutdownMetrics exports what the instruments hold and shuts the
// MeterProvider down; ctx bounds it.
func shutdownMetrics(ctx context.Context) error {
	mp := meterProvider.Load()
	if mp == nil {
		return nil
	}
	return mp.Shutdown(ctx)
}
