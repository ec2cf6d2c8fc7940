// Package console sets up the console span and metric exporters (JSON on
// stdout) when OTEL_TRACES_EXPORTER or OTEL_METRICS_EXPORTER says console.
//
// otelgo imports it beside otelgo.dev/rules/sdk when the build asks for it
// (`--exporters otlp,console`): a console exporter is for looking at a
// program while writing it, and elsewhere its 15 packages (stdouttrace
// brings the SDK's tracetest) would be compiled into every program that
// exports over OTLP. Its init runs after the bootstrap's and joins the SDK
// through sdk.AfterSetup.
package console

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"otelgo.dev/rules/sdk"
)

func init() {
	sdk.AfterSetup(setup)
}

func setup(_ context.Context, res *resource.Resource) (func(context.Context) error, error) {
	var errs []error
	if sdk.Take(sdk.ConsoleTraces) {
		if exp, err := stdouttrace.New(); err != nil {
			errs = append(errs, fmt.Errorf("cannot create the span exporter: %w; no spans are exported", err))
		} else {
			sdk.AddSpanExporter(exp)
		}
	}
	if sdk.Take(sdk.ConsoleMetrics) {
		if exp, err := stdoutmetric.New(); err != nil {
			errs = append(errs, fmt.Errorf("cannot create the metric exporter: %w; the program exports no metrics", err))
		} else {
			sdk.StartMetrics(sdkmetric.NewPeriodicReader(exp), res) // shut down with the SDK's MeterProvider
		}
	}
	return nil, errors.Join(errs...)
}
