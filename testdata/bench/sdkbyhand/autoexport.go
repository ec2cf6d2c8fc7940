// This file is added by bench/build.py (--sdk-by-hand autoexport) to every
// main package of a copy of a program for the build benchmark's "SDK set
// up by hand" side, the way otelgo's bootstrap set the SDK up before its
// exporter selection was rewritten: exporters chosen at run time by the
// standard OTEL_* variables through contrib's autoexport (which links the
// OTLP gRPC and HTTP, Prometheus and stdout exporters), propagators through
// autoprop, a MeterProvider with the Go runtime metrics. It instruments
// nothing; see otlp.go.

package main

import (
	"context"
	"log"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func init() {
	ctx := context.Background()
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
	sdkShutdown = func(ctx context.Context) {
		if err := tp.Shutdown(ctx); err != nil {
			log.Print(err)
		}
		if err := mp.Shutdown(ctx); err != nil {
			log.Print(err)
		}
	}
}

// sdkShutdown flushes the providers; a program may call it before exiting.
var sdkShutdown = func(context.Context) {}
