// Package logctx is what the log hooks (slog, zap, logrus) share: the names
// of the fields that tie a log record to a trace, and reading them from a
// context.
//
// A record gets the fields only when the logger is handed a context holding
// a valid span context; otherwise the record is left exactly as it was.
package logctx

import (
	"context"

	"go.opentelemetry.io/otel/trace"
)

// The field names, as the OpenTelemetry log data model and most log
// backends spell them; the values are lowercase hex (32 and 16 digits).
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// IDs returns the hex trace and span IDs of the span context in ctx, and
// whether there is a valid one. Sampled or not makes no difference: an
// unsampled request still has IDs that other services' logs share.
func IDs(ctx context.Context) (traceID, spanID string, ok bool) {
	if ctx == nil {
		return "", "", false
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return "", "", false
	}
	return sc.TraceID().String(), sc.SpanID().String(), true
}

// Valid reports whether ctx holds a valid span context, without formatting
// anything.
func Valid(ctx context.Context) bool {
	return ctx != nil && trace.SpanContextFromContext(ctx).IsValid()
}
