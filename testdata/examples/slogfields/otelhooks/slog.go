// Package otelhooks holds the hook that rules.json splices into log/slog:
// every log record gets the attribute deployment=$DEPLOYMENT.
package otelhooks

import (
	"log/slog"
	"os"

	"otelgo.dev/rules/api"
)

// NewRecordOnExit runs when
//
//	func NewRecord(t time.Time, level Level, msg string, pc uintptr) Record
//
// returns: every Logger method, slog's package functions and the standard
// log package (once slog.SetDefault has been called) make their records
// with it, before they add the call's own attributes.
func NewRecordOnExit(call api.CallContext, r slog.Record) {
	deployment := os.Getenv("DEPLOYMENT")
	if deployment == "" {
		return
	}
	r.AddAttrs(slog.String("deployment", deployment))
	call.SetResult(0, r) // the caller gets the record with the attribute
}
