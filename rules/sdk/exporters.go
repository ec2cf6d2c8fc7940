package sdk

import (
	"context"
	"errors"
	"os"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The exporters are chosen here from the OTEL_* variables, as contrib's
// autoexport chooses them (the same names, defaults and errors), rather
// than through autoexport: each autoexport release requires the gRPC and
// the log exporters of its day, which would rule out the older
// OpenTelemetry releases otelgo builds a program with when the program's
// own gRPC, x/net... are older. The log exporters are in package logs,
// the Prometheus exporter in package prometheus (with its client_golang,
// whose releases require newer xxhash, protobuf...), the OTLP/gRPC
// exporters in package otlpgrpc and the console exporters in package
// console: each joins a build only when the build asks for it (otelgo's
// --exporters; otlpgrpc also where the program uses gRPC itself) and its
// release set can build it without raising anything, and is set up from
// its init through AfterSetup and Take.

// ErrUnknownExporter: an OTEL_*_EXPORTER names no exporter otelgo has.
var ErrUnknownExporter = errors.New("unknown exporter or metrics producer")

// ErrInvalidOTLPProtocol: OTEL_EXPORTER_OTLP_*PROTOCOL is neither grpc nor http/protobuf.
var ErrInvalidOTLPProtocol = errors.New("invalid OTLP protocol - should be one of ['grpc', 'http/protobuf']")

// ExporterName is the exporter env names, "otlp" when it is unset.
func ExporterName(env string) string {
	if v := os.Getenv(env); v != "" {
		return v
	}
	return "otlp"
}

// OTLPProtocol is the OTLP protocol of a signal: its own variable, else
// OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf; an error for any other
// value than grpc and http/protobuf.
func OTLPProtocol(signalEnv string) (string, error) {
	proto := os.Getenv(signalEnv)
	if proto == "" {
		proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch proto {
	case "":
		return "http/protobuf", nil
	case "grpc", "http/protobuf":
		return proto, nil
	}
	return "", ErrInvalidOTLPProtocol
}

// OTLPOverHTTP reports whether a signal's OTLP goes over http/protobuf
// (OTLPProtocol). Over grpc it marks grpc wanted, for the package that
// sets the OTLP/gRPC exporters up when the build links it, and reports
// false.
func OTLPOverHTTP(signalEnv string, grpc Exporter) (bool, error) {
	proto, err := OTLPProtocol(signalEnv)
	if err != nil {
		return false, err
	}
	if proto == "grpc" {
		Want(grpc, protocolVar(signalEnv))
		return false, nil
	}
	return true, nil
}

// newSpanExporter is the exporter OTEL_TRACES_EXPORTER names: otlp (the
// default) or none (nil). Nil too for OTLP/gRPC and console, which
// packages otlpgrpc and console add (AddSpanExporter) when the build links
// them.
func newSpanExporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	switch ExporterName("OTEL_TRACES_EXPORTER") {
	case "otlp":
		overHTTP, err := OTLPOverHTTP("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", OTLPGRPCTraces)
		if err != nil || !overHTTP {
			return nil, err
		}
		return otlptracehttp.New(ctx)
	case "console":
		Want(ConsoleTraces, `OTEL_TRACES_EXPORTER="console"`)
		return nil, nil
	case "none":
		return nil, nil
	}
	return nil, ErrUnknownExporter
}

// newMetricReader is the reader OTEL_METRICS_EXPORTER names: otlp (the
// default) through a periodic reader (which reads
// OTEL_METRIC_EXPORT_INTERVAL and _TIMEOUT itself), or none (nil). Nil
// too for OTLP/gRPC, console and prometheus, which packages otlpgrpc,
// console and prometheus set up (StartMetrics) when the build links them.
func newMetricReader(ctx context.Context) (sdkmetric.Reader, error) {
	switch ExporterName("OTEL_METRICS_EXPORTER") {
	case "otlp":
		overHTTP, err := OTLPOverHTTP("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", OTLPGRPCMetrics)
		if err != nil || !overHTTP {
			return nil, err
		}
		exp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return nil, err
		}
		return sdkmetric.NewPeriodicReader(exp), nil
	case "prometheus":
		Want(PrometheusExporter, `OTEL_METRICS_EXPORTER="prometheus"`)
		return nil, nil
	case "console":
		Want(ConsoleMetrics, `OTEL_METRICS_EXPORTER="console"`)
		return nil, nil
	case "none":
		return nil, nil
	}
	return nil, ErrUnknownExporter
}

func getenv(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
