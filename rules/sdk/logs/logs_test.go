//go:build unix

package logs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/global"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/sdk"
	_ "otelgo.dev/rules/sdk/logs"
	_ "otelgo.dev/rules/sdk/logs/console" // the exporter the tests read
)

const childEnv = "OTELGO_SDK_LOGS_TEST_CHILD"

// TestMain runs the test binary as a child program when childEnv is set:
// the SDK's init and this package's have then set the providers up from
// the environment the test gave, as in a program otelgo built.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		logsChild()
		return
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	err            error
}

func run(t *testing.T, _ string, env ...string) result {
	t.Helper()
	c := calltest.RunChild(t, append([]string{childEnv + "=1", "OTEL_BSP_SCHEDULE_DELAY=60000", "OTEL_METRICS_EXPORTER=none"}, env...)...)
	return result{c.Stdout, c.Stderr, c.Err}
}

// logsChild emits one log record inside a span and exits through main's
// hook, which must flush it.
func logsChild() {
	_, isSDK := global.GetLoggerProvider().(*sdklog.LoggerProvider)
	_, tracing := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	fmt.Fprintf(os.Stderr, "logs-sdk=%v traces-sdk=%v\n", isSDK, tracing)
	ctx, span := otel.Tracer("t").Start(context.Background(), "work")
	var r otellog.Record
	r.SetBody(otellog.StringValue("hello logs"))
	r.SetSeverity(otellog.SeverityWarn)
	global.Logger("l").Emit(ctx, r)
	span.End()
	fmt.Fprintf(os.Stderr, "trace=%s\n", span.SpanContext().TraceID())
	sdk.MainOnExit(&calltest.Call{})
}

// consoleLog is the part of stdoutlog's output the test looks at.
type consoleLog struct {
	Body struct {
		Value string
	}
	Severity int
	TraceID  string
	SpanID   string
	Resource []struct{ Key string }
	Scope    struct{ Name string }
}

func TestLogsExportedWhenAskedFor(t *testing.T) {
	r := run(t, "logs", "OTEL_LOGS_EXPORTER=console", "OTEL_TRACES_EXPORTER=none", "OTEL_BLRP_SCHEDULE_DELAY=60000")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "logs-sdk=true traces-sdk=true\n") {
		t.Fatalf("stderr %q", r.stderr)
	}
	var got consoleLog
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: stdout %q (flushed at exit despite OTEL_BLRP_SCHEDULE_DELAY?)", err, r.stdout)
	}
	trace := strings.TrimSpace(strings.SplitN(r.stderr, "trace=", 2)[1])
	if got.Body.Value != "hello logs" || got.Severity != int(otellog.SeverityWarn) || got.TraceID != trace || got.Scope.Name != "l" {
		t.Errorf("exported %+v, trace %s\n%s", got, trace, r.stdout)
	}
	if len(got.Resource) == 0 {
		t.Errorf("no resource: %s", r.stdout)
	}
}

func TestLogsOffSwitches(t *testing.T) {
	for name, env := range map[string][]string{
		"unset":        nil,
		"none":         {"OTEL_LOGS_EXPORTER=none"},
		"sdk disabled": {"OTEL_LOGS_EXPORTER=console", "OTEL_SDK_DISABLED=true"},
	} {
		r := run(t, "logs", append(env, "OTEL_TRACES_EXPORTER=none")...)
		want := "logs-sdk=false traces-sdk=true\n"
		if name == "sdk disabled" {
			want = "logs-sdk=false traces-sdk=false\n"
		}
		if r.err != nil || r.stdout != "" || !strings.HasPrefix(r.stderr, want) {
			t.Errorf("%s: %v stdout %q stderr %q", name, r.err, r.stdout, r.stderr)
		}
	}
}

func TestBadLogsExporterKeepsTraces(t *testing.T) {
	r := run(t, "logs", "OTEL_LOGS_EXPORTER=bogus", "OTEL_TRACES_EXPORTER=none")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.err != nil || len(lines) != 3 || !strings.HasPrefix(lines[0], "otelgo: ") || !strings.Contains(lines[0], "bogus") || lines[1] != "logs-sdk=false traces-sdk=true" {
		t.Errorf("%v stderr %q", r.err, r.stderr)
	}
}
