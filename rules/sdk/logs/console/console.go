// Package console sets up the console log exporter (JSON on stdout) when
// OTEL_LOGS_EXPORTER=console: the log counterpart of
// otelgo.dev/rules/sdk/console, imported where that one is, when the
// build's OpenTelemetry has the log SDK (core v1.28.0 and later).
package console

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	"go.opentelemetry.io/otel/sdk/resource"

	"otelgo.dev/rules/sdk"
	"otelgo.dev/rules/sdk/logs"
)

func init() {
	sdk.AfterSetup(setup)
}

func setup(_ context.Context, res *resource.Resource) (func(context.Context) error, error) {
	if !sdk.Take(sdk.ConsoleLogs) {
		return nil, nil
	}
	exp, err := stdoutlog.New()
	if err != nil {
		return nil, fmt.Errorf("cannot create the log exporter: %w; logs are not exported", err)
	}
	return logs.Start(exp, res), nil
}
