package sdk

import (
	"context"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
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
		return // the global MeterProvider stays the no-op one
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(reader))
	meterProvider.Store(mp)
	otel.SetMeterProvider(mp)
	if err := runtime.Start(runtime.WithMeterProvider(mp)); err != nil {
		warn("Go runtime metrics: %v", err)
	}
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
