// Package logs sets up the LoggerProvider that the log hooks (slog, zap,
// logrus, log) hand their records to, when OTEL_LOGS_EXPORTER names an
// exporter: otlp (OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, else
// OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf or grpc), console (package
// console, when the build links it) or none.
//
// otelgo imports it into every program it builds, beside
// otelgo.dev/rules/sdk, when the build's OpenTelemetry has the log API and
// SDK (core v1.28.0 and later): it is a package of its own so that the SDK
// bootstrap builds with older releases too. Its init runs after the
// bootstrap's and joins the SDK through sdk.AfterSetup, so that
// OTEL_SDK_DISABLED and the flush at exit cover the logs too.
//
// Unlike the specification's default ("otlp"), unset means none: a program
// already writes its logs somewhere, usually to stdout that something
// collects, so exporting them too is the user's choice, not a side effect of
// building with otelgo. The batch processor reads OTEL_BLRP_* itself.
package logs

import (
	"context"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/log/global"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"

	"otelgo.dev/rules/sdk"
)

func init() {
	sdk.AfterSetup(setup)
}

// setup installs the global LoggerProvider; the function it returns
// flushes and shuts it down.
func setup(ctx context.Context, res *resource.Resource) (func(context.Context) error, error) {
	if strings.TrimSpace(os.Getenv("OTEL_LOGS_EXPORTER")) == "" {
		return nil, nil
	}
	exp, err := newExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot create the log exporter: %w (OTEL_LOGS_EXPORTER=%q); logs are not exported", err, os.Getenv("OTEL_LOGS_EXPORTER"))
	}
	if exp == nil {
		return nil, nil
	}
	return Start(exp, res), nil
}

// Start installs the global LoggerProvider, exporting to exp in batches;
// the function it returns flushes and shuts it down. Package otlpgrpc
// calls it for the OTLP/gRPC exporter.
func Start(exp sdklog.Exporter, res *resource.Resource) func(context.Context) error {
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)))
	// (The SDK's errors go to stderr, not through package log, whose lines
	// are now exported: the SDK's installErrorHandler.)
	global.SetLoggerProvider(lp)
	return lp.Shutdown
}

// newExporter is the exporter OTEL_LOGS_EXPORTER names (set: unset is
// handled by setup), nil for none, and for OTLP/gRPC and console, which
// packages otlpgrpc and console set up when the build links them.
func newExporter(ctx context.Context) (sdklog.Exporter, error) {
	switch sdk.ExporterName("OTEL_LOGS_EXPORTER") {
	case "otlp":
		overHTTP, err := sdk.OTLPOverHTTP("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", sdk.OTLPGRPCLogs)
		if err != nil || !overHTTP {
			return nil, err
		}
		return otlploghttp.New(ctx)
	case "console":
		sdk.Want(sdk.ConsoleLogs, `OTEL_LOGS_EXPORTER="console"`)
		return nil, nil
	case "none":
		return nil, nil
	}
	return nil, sdk.ErrUnknownExporter
}
