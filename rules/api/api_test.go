package api

import (
	"io"
	"os"
	"testing"
)

const (
	nethttp  = "otelgo.dev/rules/nethttp"
	annotate = "otelgo.dev/rules/annotate"
	gorm     = "otelgo.dev/rules/gorm"
	sdk      = "otelgo.dev/rules/sdk"
	v8       = "otelgo.dev/rules/goredis/goredisv8"
	dbsql    = "otelgo.dev/rules/databasesql"
)

const unset = "<unset>" // the variable is not set at all

var variables = []string{"OTEL_SDK_DISABLED", EnabledVar, DisabledVar, LegacyDisabledVar, "OTELGO_SPANS_DISABLED"}

func TestEnabled(t *testing.T) {
	tests := []struct {
		name        string
		sdkDisabled string
		enabled     string // OTEL_GO_ENABLED_INSTRUMENTATIONS
		disabled    string // OTEL_GO_DISABLED_INSTRUMENTATIONS
		legacy      string // OTELGO_DISABLED_INSTRUMENTATIONS
		spans       string // OTELGO_SPANS_DISABLED
		pkg         string
		want        bool
	}{
		{"nothing set", unset, unset, unset, unset, unset, nethttp, true},
		{"nothing set, annotate", unset, unset, unset, unset, unset, annotate, true},
		{"empty values", "", "", "", "", "", nethttp, true},

		{"sdk disabled", "true", unset, unset, unset, unset, nethttp, false},
		{"sdk disabled, capitals", "TRUE", unset, unset, unset, unset, nethttp, false},
		{"sdk disabled, spaces", " true ", unset, unset, unset, unset, nethttp, false},
		{"sdk disabled, annotate", "true", unset, unset, unset, unset, annotate, false},
		{"sdk disabled, even if enabled", "true", "nethttp", unset, unset, unset, nethttp, false},
		{"sdk not disabled", "false", unset, unset, unset, unset, nethttp, true},
		{"sdk disabled only by true", "1", unset, unset, unset, unset, nethttp, true},

		// Both names of the disable list, each alone.
		{"by import path", unset, unset, nethttp, unset, unset, nethttp, false},
		{"by import path, older name", unset, unset, unset, nethttp, unset, nethttp, false},
		{"by last element", unset, unset, "nethttp", unset, unset, nethttp, false},
		{"by last element, older name", unset, unset, unset, "nethttp", unset, nethttp, false},
		{"both names, one each", unset, unset, "grpc", "nethttp", unset, nethttp, false},
		{"with spaces", unset, unset, "  nethttp ", unset, unset, nethttp, false},
		{"several names", unset, unset, "databasesql, nethttp,grpc", unset, unset, nethttp, false},
		{"several names, full paths", unset, unset, "otelgo.dev/rules/databasesql," + nethttp, unset, unset, nethttp, false},
		{"another package", unset, unset, "databasesql,grpc", "gorm", unset, nethttp, true},
		{"no prefix match", unset, unset, "http", unset, unset, nethttp, true},
		{"no suffix of a path", unset, unset, "rules/nethttp", unset, unset, nethttp, true},
		{"case is ignored", unset, unset, "NetHTTP", unset, unset, nethttp, false},
		{"the standard library's spelling", unset, unset, "net/http", unset, unset, nethttp, false},
		{"the standard library's spelling, database/sql", unset, unset, "database/sql", unset, unset, dbsql, false},
		{"a library's name with a dash", unset, unset, "go-redis", unset, unset, v8, false},
		{"not another package by spelling", unset, unset, "net/http", unset, unset, dbsql, true},
		{"empty names", unset, unset, ",, ,", ", ,", unset, nethttp, true},
		{"punctuation only", unset, unset, "/,-", unset, unset, nethttp, true},
		{"annotate by name", unset, unset, "annotate", unset, unset, annotate, false},
		{"a library's folder", unset, unset, "goredis", unset, unset, v8, false},
		{"a library's folder, its own package", unset, unset, "goredis", unset, unset, "otelgo.dev/rules/goredis", false},
		{"a nested hook package by its path under rules", unset, unset, "goredis/goredisv8", unset, unset, v8, false},
		{"not another library's folder", unset, unset, "goredi", unset, unset, v8, true},
		{"a folder name elsewhere", unset, unset, "goredis", unset, unset, "example.com/goredis/x", true},

		// The allowlist.
		{"enabled: named", unset, "nethttp", unset, unset, unset, nethttp, true},
		{"enabled: not named", unset, "nethttp", unset, unset, unset, dbsql, false},
		{"enabled: several, spelt otherwise", unset, "NetHTTP, database/sql", unset, unset, unset, dbsql, true},
		{"enabled: by folder", unset, "goredis", unset, unset, unset, v8, true},
		{"enabled: annotate not named", unset, "nethttp", unset, unset, unset, annotate, false},
		{"enabled: the SDK stays on", unset, "nethttp", unset, unset, unset, sdk, true},
		{"enabled: the goroutine context stays on", unset, "nethttp", unset, unset, unset, "otelgo.dev/rules/goroutine", true},
		{"enabled: //otel:ignore stays on", unset, "nethttp", unset, unset, unset, "otelgo.dev/rules/api", true},
		{"enabled: empty is no list", unset, " , ", unset, unset, unset, dbsql, true},
		{"enabled and disabled: disabled wins", unset, "nethttp", "nethttp", unset, unset, nethttp, false},
		{"enabled and disabled by the older name", unset, "nethttp", unset, "net/http", unset, nethttp, false},
		{"disabled: the SDK can be", unset, unset, "sdk", unset, unset, sdk, false},

		{"spans disabled: annotate", unset, unset, unset, unset, "true", annotate, false},
		{"spans disabled: capitals, spaces", unset, unset, unset, unset, " TRUE ", annotate, false},
		{"spans disabled: other hooks", unset, unset, unset, unset, "true", nethttp, true},
		{"spans disabled: a library named annotate elsewhere", unset, unset, unset, unset, "true", "example.com/annotate", true},
		{"spans not disabled", unset, unset, unset, unset, "false", annotate, true},
		{"spans disabled and gorm disabled", unset, unset, "gorm", unset, "true", gorm, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setenvs(t, tt.sdkDisabled, tt.enabled, tt.disabled, tt.legacy, tt.spans)
			if got := Enabled(tt.pkg); got != tt.want {
				t.Errorf("Enabled(%q) = %v, want %v", tt.pkg, got, tt.want)
			}
		})
	}
}

func TestCheckInstrumentations(t *testing.T) {
	known := []string{nethttp, dbsql, v8, "otelgo.dev/rules/goredis", annotate, sdk}
	tests := []struct {
		name                      string
		enabled, disabled, legacy string
		want                      string // the line printed, "" for none
	}{
		{"nothing set", unset, unset, unset, ""},
		{"all known, every spelling", "net/http,goredis", "DatabaseSQL, goredis/goredisv8", nethttp, ""},
		{"one unknown", unset, "nethtp", unset,
			"otelgo: unknown instrumentation names: OTEL_GO_DISABLED_INSTRUMENTATIONS=nethtp " +
				"(known: annotate, databasesql, goredis, goredisv8, nethttp, sdk); they switch nothing\n"},
		{"one per variable, one line", "kafka", "nethttp", "mongo",
			"otelgo: unknown instrumentation names: OTEL_GO_ENABLED_INSTRUMENTATIONS=kafka, " +
				"OTELGO_DISABLED_INSTRUMENTATIONS=mongo " +
				"(known: annotate, databasesql, goredis, goredisv8, nethttp, sdk); they switch nothing\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setenvs(t, unset, tt.enabled, tt.disabled, tt.legacy, unset)
			if got := stderrOf(t, func() { CheckInstrumentations(known...) }); got != tt.want {
				t.Errorf("printed %q, want %q", got, tt.want)
			}
		})
	}
}

// setenvs sets the variables of the switches, in the order of variables.
func setenvs(t *testing.T, values ...string) {
	t.Helper()
	for i, name := range variables {
		setenv(t, name, values[i], values[i] == unset)
	}
}

// setenv sets name to v for the test, or unsets it.
func setenv(t *testing.T, name, v string, unset bool) {
	t.Helper()
	if unset {
		v = ""
	}
	t.Setenv(name, v) // and the value it had is restored after the test
	if unset {
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
}

// stderrOf returns what f writes to os.Stderr.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = saved }()
	f()
	w.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// startEnv is what Enabled reads before package syscall initialises: the
// environment the process started with, by exact name.
func TestStartEnv(t *testing.T) {
	path, ok := os.LookupEnv("PATH")
	if !ok || path == "" {
		t.Fatal("the test needs PATH in its environment")
	}
	if got := startEnv("PATH"); got != path {
		t.Errorf("startEnv(PATH) = %q, want %q", got, path)
	}
	if got := startEnv("PAT"); got != "" {
		t.Errorf("startEnv(PAT) = %q: a prefix of a name is not the name", got)
	}
	if got := startEnv("OTELGO_NO_SUCH_VARIABLE"); got != "" {
		t.Errorf("startEnv of a missing variable = %q", got)
	}
}

func TestReportHookPanicBeforeAndAfterStart(t *testing.T) {
	line := func(site string) string {
		return "otelgo: hook " + site + " panicked: boom (the call went on uninstrumented; reported once)\n"
	}
	tests := []struct {
		name     string
		started  bool
		logLevel string
		want     bool // the line is printed
	}{
		{"before main's init", false, unset, false},
		{"before main's init, debug", false, "debug", true},
		{"before main's init, info", false, "info", false},
		{"after", true, unset, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer started.Store(started.Load())
			started.Store(tt.started)
			setenv(t, "OTEL_LOG_LEVEL", tt.logLevel, tt.logLevel == unset)
			site := "example.com/hooks.F " + tt.name
			want := ""
			if tt.want {
				want = line(site)
			}
			if got := stderrOf(t, func() { ReportHookPanic(site, "boom") }); got != want {
				t.Errorf("printed %q, want %q", got, want)
			}
		})
	}
}
