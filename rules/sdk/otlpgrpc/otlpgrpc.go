// Package otlpgrpc sets up the OTLP/gRPC span and metric exporters when
// OTEL_EXPORTER_OTLP_PROTOCOL (or the signal's own variable) says grpc.
//
// otelgo imports it beside otelgo.dev/rules/sdk into programs that use gRPC
// themselves, and into every program when the build asks for it
// (`--exporters otlp,otlp-grpc`): elsewhere its exporters and the gRPC
// client code they reach would weigh on a binary whose collector speaks
// OTLP/HTTP (the default protocol), about 0.5 MiB and 15 packages more. Its
// init runs after the bootstrap's and joins the SDK through sdk.AfterSetup.
package otlpgrpc

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"otelgo.dev/rules/sdk"
)

func init() {
	sdk.AfterSetup(setup)
}

func setup(ctx context.Context, res *resource.Resource) (func(context.Context) error, error) {
	var errs []error
	if sdk.Take(sdk.OTLPGRPCTraces) {
		if exp, err := otlptracegrpc.New(ctx); err != nil {
			errs = append(errs, fmt.Errorf("cannot create the span exporter: %w; no spans are exported", err))
		} else {
			sdk.AddSpanExporter(exp)
		}
	}
	if sdk.Take(sdk.OTLPGRPCMetrics) {
		if exp, err := otlpmetricgrpc.New(ctx); err != nil {
			errs = append(errs, fmt.Errorf("cannot create the metric exporter: %w; the program exports no metrics", err))
		} else {
			sdk.StartMetrics(sdkmetric.NewPeriodicReader(exp), res) // shut down with the SDK's MeterProvider
		}
	}
	return nil, errors.Join(errs...)
}
