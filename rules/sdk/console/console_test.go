//go:build unix

package console_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"

	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/sdk"
	_ "otelgo.dev/rules/sdk/console"
)

const childEnv = "OTELGO_SDK_CONSOLE_TEST_CHILD"

// TestMain runs the test binary as a child program when childEnv is set:
// the SDK's init and the console package's have then set the exporters up
// from the environment the test gave, as in a program otelgo built with
// --exporters otlp,console.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		sdk.MainOnEnter(&calltest.Call{})
		_, span := otel.Tracer("t").Start(context.Background(), "work")
		span.End()
		counter, err := otel.Meter("m").Int64Counter("work.done")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		counter.Add(context.Background(), 1)
		sdk.MainOnExit(&calltest.Call{})
		return
	}
	os.Exit(m.Run())
}

func TestSpansAndMetricsGoToStdout(t *testing.T) {
	c := calltest.RunChild(t, childEnv+"=1", "OTEL_TRACES_EXPORTER=console", "OTEL_METRICS_EXPORTER=console",
		"OTEL_BSP_SCHEDULE_DELAY=60000", "OTEL_METRIC_EXPORT_INTERVAL=60000")
	if c.Err != nil || c.Stderr != "" {
		t.Fatalf("child: %v; stderr:\n%s", c.Err, c.Stderr)
	}
	// Both were flushed at exit, before their timers fired.
	for _, want := range []string{`"Name":"work"`, `"Name":"work.done"`} {
		if !strings.Contains(c.Stdout, want) {
			t.Errorf("%s not on stdout:\n%s", want, c.Stdout)
		}
	}
}
