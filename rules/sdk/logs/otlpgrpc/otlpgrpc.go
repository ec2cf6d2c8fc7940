// Package otlpgrpc sets up the OTLP/gRPC log exporter when
// OTEL_LOGS_EXPORTER=otlp and the logs' protocol is grpc: the log
// counterpart of otelgo.dev/rules/sdk/otlpgrpc, imported where that one is,
// when the build's OpenTelemetry has the log SDK (core v1.28.0 and later).
package otlpgrpc

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/sdk/resource"

	"otelgo.dev/rules/sdk"
	"otelgo.dev/rules/sdk/logs"
)

func init() {
	sdk.AfterSetup(setup)
}

func setup(ctx context.Context, res *resource.Resource) (func(context.Context) error, error) {
	if !sdk.Take(sdk.OTLPGRPCLogs) {
		return nil, nil
	}
	exp, err := otlploggrpc.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot create the log exporter: %w; logs are not exported", err)
	}
	return logs.Start(exp, res), nil
}
