// This file is added by bench/build.py to every main package of a copy of
// a program (testdata/bench/stdlib, testdata/bench/pair) for the build
// benchmark's "SDK set up by hand" side: the OpenTelemetry SDK with the
// exporters otelgo's default build links, OTLP/HTTP for spans, metrics and
// logs (what most deployments use), a batch span processor, a periodic
// metric reader, a batch log processor behind the global LoggerProvider, the
// Go runtime metrics and the W3C propagators, set up when the program starts
// and flushed when its context is done. It instruments nothing: it is the
// SDK's share of the build, which any way of tracing the program pays.
// (Until 7 December 2026 it set up spans and metrics only, when otelgo's
// default build also linked the console exporters.)
//
// The versions of the modules it needs are taken from rules/go.mod (the
// versions otelgo's bootstrap links).

package main

import (
	"context"
	"log"

	"go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/log/global"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func init() {
	ctx := context.Background()
	spans, err := otlptracehttp.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	metrics, err := otlpmetrichttp.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	logs, err := otlploghttp.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(logs)))
	global.SetLoggerProvider(lp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
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
		if err := lp.Shutdown(ctx); err != nil {
			log.Print(err)
		}
	}
}

// sdkShutdown flushes the providers; a program may call it before exiting.
var sdkShutdown = func(context.Context) {}
