package sdk

import (
	"sync"
	"time"

	"go.opentelemetry.io/otel"
)

// ErrorReportInterval is how often a failing export is reported: a
// collector that is down, stalls, resets connections or answers 503 makes
// every batch of spans, metrics and logs fail, and a line per batch would
// bury the program's own output. The first failure is printed as one
// "otelgo:" line; the next are counted and not printed until this much time
// has passed, and the line then says how many there were.
const ErrorReportInterval = 10 * time.Minute

// errorReporter prints the SDK's errors (failed exports above all) at most
// once per interval.
type errorReporter struct {
	mu         sync.Mutex
	interval   time.Duration
	last       time.Time // when the last line was printed; zero: never
	suppressed int       // errors since then, not printed
	print      func(format string, args ...any)
}

var reporter = &errorReporter{interval: ErrorReportInterval, print: warn}

// report prints err, unless a line was printed less than the interval ago.
func (r *errorReporter) report(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < r.interval {
		r.suppressed++
		return
	}
	if r.suppressed > 0 {
		r.print("%v (and %d more telemetry errors since the last report; the next are reported at most every %v)",
			err, r.suppressed, r.interval)
	} else {
		r.print("%v (telemetry errors are reported at most every %v)", err, r.interval)
	}
	r.last, r.suppressed = now, 0
}

// installErrorHandler makes the SDK's errors go through reporter instead of
// the default handler, which writes every one through package log (whose
// lines are exported as logs when logs are, so a failed export would be
// exported again).
func installErrorHandler() {
	otel.SetErrorHandler(otel.ErrorHandlerFunc(reporter.report))
}
