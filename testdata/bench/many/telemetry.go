// This file is copied by bench/shim.py into the generated many-packages
// module for its "go build + SDK" side: the OpenTelemetry SDK set up by
// hand the way otelgo's bootstrap sets it up by default (exporters chosen
// by the standard OTEL_* variables through autoexport, propagators through
// autoprop, a MeterProvider with the Go runtime metrics), so that the
// comparison separates what linking the SDK costs from what otelgo costs.

package main

import (
	"context"
	"errors"
	"log"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// setupTelemetry installs the global providers and returns their shutdown.
func setupTelemetry(ctx context.Context) func() {
	spans, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		log.Fatal(err)
	}
	reader, err := autoexport.NewMetricReader(ctx)
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	otel.SetTextMapPropagator(autoprop.NewTextMapPropagator())
	if err := runtime.Start(runtime.WithMeterProvider(mp)); err != nil {
		log.Print(err)
	}
	return func() {
		if err := errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx)); err != nil {
			log.Print(err)
		}
	}
}
