package sdk

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/log/global"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
)

// loggerProvider is the LoggerProvider set up by init, nil if none.
var loggerProvider atomic.Pointer[sdklog.LoggerProvider]

// setupLogs installs the global LoggerProvider that the log hooks (slog,
// zap, logrus, log) hand their records to, when OTEL_LOGS_EXPORTER names an
// exporter: otlp, console (both through autoexport, like the spans) or none.
//
// Unlike the specification's default ("otlp"), unset means none: a program
// already writes its logs somewhere, usually to stdout that something
// collects, so exporting them too is the user's choice, not a side effect of
// building with otelgo. The batch processor reads OTEL_BLRP_* itself.
func setupLogs(ctx context.Context, res *resource.Resource) error {
	if strings.TrimSpace(os.Getenv("OTEL_LOGS_EXPORTER")) == "" {
		return nil
	}
	exp, err := autoexport.NewLogExporter(ctx)
	if err != nil {
		return fmt.Errorf("cannot create the log exporter: %w (OTEL_LOGS_EXPORTER=%q); logs are not exported", err, os.Getenv("OTEL_LOGS_EXPORTER"))
	}
	if autoexport.IsNoneLogExporter(exp) {
		return nil
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)))
	loggerProvider.Store(lp)
	// (The SDK's errors go to stderr, not through package log, whose lines
	// are now exported: installErrorHandler.)
	global.SetLoggerProvider(lp)
	return nil
}

// shutdownLogs flushes and shuts the LoggerProvider down, if there is one.
func shutdownLogs(ctx context.Context) error {
	if lp := loggerProvider.Load(); lp != nil {
		return lp.Shutdown(ctx)
	}
	return nil
}
