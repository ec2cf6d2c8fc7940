package calltest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Child is what a child program printed, how it ended and how long it took.
type Child struct {
	Stdout, Stderr string
	Err            error
	Elapsed        time.Duration
}

// RunChild runs the test binary again as a child program, with env on top
// of an environment without OTEL_* variables: the SDK's init then sets
// itself up from env alone, as in a program otelgo built. The test's
// TestMain plays the program when it finds the variable env sets for it.
func RunChild(t testing.TB, env ...string) Child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTEL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Run()
	return Child{out.String(), errb.String(), err, time.Since(start)}
}
