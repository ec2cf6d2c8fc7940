// Package exporttest is what the tests of the log hooks that export share:
// a global LoggerProvider that records what they export.
package exporttest

import (
	"os"
	"testing"

	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/global"
	"go.opentelemetry.io/otel/log/logtest"
)

// Recorder keeps what is exported once Main made it the global
// LoggerProvider.
var Recorder = logtest.NewRecorder()

// Main runs the tests with Recorder the global LoggerProvider, set after
// the packages' init, as the SDK does; for TestMain.
func Main(m *testing.M) {
	global.SetLoggerProvider(Recorder)
	os.Exit(m.Run())
}

// Exported returns the records exported since the last call; each must be
// of the scope named.
func Exported(t testing.TB, scope string) []logtest.Record {
	t.Helper()
	var out []logtest.Record
	for s, recs := range Recorder.Result() {
		if len(recs) > 0 && s.Name != scope {
			t.Errorf("records of scope %q", s.Name)
		}
		out = append(out, recs...)
	}
	Recorder.Reset()
	return out
}

// Attrs returns a record's attributes by key.
func Attrs(r logtest.Record) map[string]otellog.Value {
	out := map[string]otellog.Value{}
	for _, kv := range r.Attributes {
		out[kv.Key] = kv.Value
	}
	return out
}
