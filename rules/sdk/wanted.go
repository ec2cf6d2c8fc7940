package sdk

import (
	"fmt"
	"os"
	"sort"
	"sync"
)

// Exporter names an exporter of one signal that lives in a package of its
// own, linked only into some programs (otelgo's --exporters): the
// OTLP/gRPC exporters (otelgo.dev/rules/sdk/otlpgrpc, .../logs/otlpgrpc),
// the console exporters (.../console, .../logs/console) and the Prometheus
// exporter (.../prometheus).
type Exporter struct {
	Name   string // as --exporters names it
	Signal string // traces, metrics, logs
}

var (
	OTLPGRPCTraces     = Exporter{"otlp-grpc", "traces"}
	OTLPGRPCMetrics    = Exporter{"otlp-grpc", "metrics"}
	OTLPGRPCLogs       = Exporter{"otlp-grpc", "logs"}
	ConsoleTraces      = Exporter{"console", "traces"}
	ConsoleMetrics     = Exporter{"console", "metrics"}
	ConsoleLogs        = Exporter{"console", "logs"}
	PrometheusExporter = Exporter{"prometheus", "metrics"}
)

// howToLink: what a user whose program lacks the exporter can do.
var howToLink = map[string]string{
	"otlp-grpc": "otelgo links it by default only into programs that use gRPC themselves: build with " +
		"`otel go build --exporters otlp,otlp-grpc` (or exporters in otelgo.toml), or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
	"console": "build it with `otel go build --exporters otlp,console` (or exporters in otelgo.toml)",
	"prometheus": "build it with `otel go build --exporters otlp,prometheus` (or exporters in otelgo.toml); " +
		"otelgo's build summary says if the program's modules rule it out",
}

// wanted: exporter -> the variable that asked for it. The SDK's set-up marks
// an exporter wanted, and the exporter's package takes it from its init,
// which runs after this package's; what nobody took when main starts was
// not linked (reportNotLinked).
var wanted sync.Map

// Want marks exporter e wanted by the variable asked (NAME="value"); the
// set-up of package logs calls it too.
func Want(e Exporter, asked string) { wanted.Store(e, asked) }

// Take reports whether exporter e is wanted and not set up yet, and marks
// it set up: the exporter's package calls it from its init.
func Take(e Exporter) bool {
	_, ok := wanted.LoadAndDelete(e)
	return ok
}

// reportNotLinked says, one line each, which wanted exporters this build
// does not have.
func reportNotLinked() {
	var lines []string
	wanted.Range(func(k, v any) bool {
		e := k.(Exporter)
		wanted.Delete(k)
		lines = append(lines, fmt.Sprintf("%s: this program was built without the %s exporter; %s; no %s are exported",
			v, e.Name, howToLink[e.Name], e.Signal))
		return true
	})
	sort.Strings(lines)
	for _, line := range lines {
		warn("%s", line)
	}
}

// protocolVar is NAME="value" of the variable that chose a signal's OTLP protocol.
func protocolVar(signalEnv string) string {
	for _, k := range []string{signalEnv, "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if v := os.Getenv(k); v != "" {
			return fmt.Sprintf("%s=%q", k, v)
		}
	}
	return ""
}
