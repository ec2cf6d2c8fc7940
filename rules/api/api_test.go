package api

import (
	"os"
	"testing"
)

func TestEnabled(t *testing.T) {
	const (
		nethttp  = "otelgo.dev/rules/nethttp"
		annotate = "otelgo.dev/rules/annotate"
		gorm     = "otelgo.dev/rules/gorm"
	)
	const unset = "<unset>" // the variable is not set at all
	tests := []struct {
		name        string
		sdkDisabled string
		disabled    string // OTELGO_DISABLED_INSTRUMENTATIONS
		spans       string // OTELGO_SPANS_DISABLED
		pkg         string
		want        bool
	}{
		{"nothing set", unset, unset, unset, nethttp, true},
		{"nothing set, annotate", unset, unset, unset, annotate, true},
		{"empty values", "", "", "", nethttp, true},

		{"sdk disabled", "true", unset, unset, nethttp, false},
		{"sdk disabled, capitals", "TRUE", unset, unset, nethttp, false},
		{"sdk disabled, spaces", " true ", unset, unset, nethttp, false},
		{"sdk disabled, annotate", "true", unset, unset, annotate, false},
		{"sdk not disabled", "false", unset, unset, nethttp, true},
		{"sdk disabled only by true", "1", unset, unset, nethttp, true},

		{"by import path", unset, nethttp, unset, nethttp, false},
		{"by last element", unset, "nethttp", unset, nethttp, false},
		{"with spaces", unset, "  nethttp ", unset, nethttp, false},
		{"several names", unset, "databasesql, nethttp,grpc", unset, nethttp, false},
		{"several names, full paths", unset, "otelgo.dev/rules/databasesql," + nethttp, unset, nethttp, false},
		{"another package", unset, "databasesql,grpc", unset, nethttp, true},
		{"no prefix match", unset, "http", unset, nethttp, true},
		{"no suffix of a path", unset, "rules/nethttp", unset, nethttp, true},
		{"case matters", unset, "NetHTTP", unset, nethttp, true},
		{"empty names", unset, ",, ,", unset, nethttp, true},
		{"annotate by name", unset, "annotate", unset, annotate, false},
		{"a library's folder", unset, "goredis", unset, "otelgo.dev/rules/goredis/goredisv8", false},
		{"a library's folder, its own package", unset, "goredis", unset, "otelgo.dev/rules/goredis", false},
		{"not another library's folder", unset, "goredi", unset, "otelgo.dev/rules/goredis/goredisv8", true},
		{"a folder name elsewhere", unset, "goredis", unset, "example.com/goredis/x", true},

		{"spans disabled: annotate", unset, unset, "true", annotate, false},
		{"spans disabled: capitals, spaces", unset, unset, " TRUE ", annotate, false},
		{"spans disabled: other hooks", unset, unset, "true", nethttp, true},
		{"spans disabled: a library named annotate elsewhere", unset, unset, "true", "example.com/annotate", true},
		{"spans not disabled", unset, unset, "false", annotate, true},
		{"spans disabled and gorm disabled", unset, "gorm", "true", gorm, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, v := range map[string]string{
				"OTEL_SDK_DISABLED":                tt.sdkDisabled,
				"OTELGO_DISABLED_INSTRUMENTATIONS": tt.disabled,
				"OTELGO_SPANS_DISABLED":            tt.spans,
			} {
				setenv(t, name, v, v == unset)
			}
			if got := Enabled(tt.pkg); got != tt.want {
				t.Errorf("Enabled(%q) = %v, want %v", tt.pkg, got, tt.want)
			}
		})
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
