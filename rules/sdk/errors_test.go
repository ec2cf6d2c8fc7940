package sdk

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestErrorReporterPrintsOneLinePerInterval(t *testing.T) {
	var lines []string
	r := &errorReporter{interval: time.Hour, print: func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }}
	for i := 0; i < 50; i++ {
		r.report(fmt.Errorf("traces export: connection refused (batch %d)", i))
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "traces export: connection refused (batch 0) (telemetry errors are reported at most every 1h0m0s)") {
		t.Fatalf("50 failures printed %q", lines)
	}
	r.interval = 10 * time.Millisecond
	time.Sleep(20 * time.Millisecond)
	r.report(errors.New("still down"))
	if len(lines) != 2 || lines[1] != "still down (and 49 more telemetry errors since the last report; the next are reported at most every 10ms)" {
		t.Fatalf("after the interval: %q", lines)
	}
}
