// Command manualsdk exports one parent span and one child span with the
// official OpenTelemetry Go SDK and exits. The tests build it with plain
// `go build` to check the test OTLP receiver against a known-good exporter,
// independently of otelgo.
//
// Usage: manualsdk http|grpc
//
// The exporters read OTEL_EXPORTER_OTLP_ENDPOINT and
// OTEL_EXPORTER_OTLP_HEADERS themselves; the resource reads
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
package main

import (
	"context"
	"fmt"
	"os"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func newExporter(ctx context.Context, protocol string) (sdktrace.SpanExporter, error) {
	switch protocol {
	case "http":
		return otlptracehttp.New(ctx)
	case "grpc":
		return otlptracegrpc.New(ctx)
	}
	return nil, fmt.Errorf("unknown protocol %q (want http or grpc)", protocol)
}

func run(protocol string) error {
	ctx := context.Background()
	exp, err := newExporter(ctx, protocol)
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	tracer := tp.Tracer("manualsdk")

	ctx, parent := tracer.Start(ctx, "parent", trace.WithSpanKind(trace.SpanKindServer))
	parent.SetAttributes(
		attribute.String("test.protocol", protocol),
		attribute.Int("test.number", 42),
		attribute.Bool("test.flag", true),
		attribute.StringSlice("test.list", []string{"a", "b"}),
	)
	_, child := tracer.Start(ctx, "child", trace.WithSpanKind(trace.SpanKindClient))
	child.SetStatus(codes.Error, "child failed")
	child.End()
	parent.End()

	// Shutdown flushes the batcher; its error tells us whether the export
	// reached the receiver.
	return tp.Shutdown(ctx)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: manualsdk http|grpc")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "manualsdk:", err)
		os.Exit(1)
	}
}
