// Package logs sets up the LoggerProvider that the log hooks (slog, zap,
// logrus, log) hand their records to, when OTEL_LOGS_EXPORTER names an
// exporter: otlp, console (both through autoexport, like the spans) or none.
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

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
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
	exp, err := autoexport.NewLogExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot create the log exporter: %w (OTEL_LOGS_EXPORTER=%q); logs are not exported", err, os.Getenv("OTEL_LOGS_EXPORTER"))
	}
	if autoexport.IsNoneLogExporter(exp) {
		return nil, nil
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)))
	// The SDK's default error handler writes through package log, whose
	// lines are now exported: a failed export would be exported again.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		fmt.Fprintln(os.Stderr, "otelgo: "+strings.ReplaceAll(err.Error(), "\n", " "))
	}))
	global.SetLoggerProvider(lp)
	return lp.Shutdown, nil
}
