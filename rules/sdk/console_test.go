//go:build unix

package sdk

import (
	"context"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// linkConsole adds the console exporters to a child, which then prints
// its spans and metrics for the tests to read. Package console, which
// does this in a program, imports this package, so this package's tests
// cannot import it; rules/sdk/console's own test runs it.
func linkConsole() {
	AfterSetup(func(_ context.Context, res *resource.Resource) (func(context.Context) error, error) {
		if Take(ConsoleTraces) {
			exp, err := stdouttrace.New()
			if err != nil {
				return nil, err
			}
			AddSpanExporter(exp)
		}
		if Take(ConsoleMetrics) {
			exp, err := stdoutmetric.New()
			if err != nil {
				return nil, err
			}
			StartMetrics(sdkmetric.NewPeriodicReader(exp), res)
		}
		return nil, nil
	})
}
