// Package otelhooks holds the hooks that rules.json splices into
// example.com/hookcost/target for bench/hookcost.
package otelhooks

import (
	"context"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
)

// NoopOnEnter does nothing.
func NoopOnEnter(api.CallContext, int, int) {}

// NoopOnExit does nothing.
func NoopOnExit(api.CallContext, int) {}

// disabled is HOOKCOST_DISABLED, read once: how a hook package would switch
// itself off at run time.
var disabled = os.Getenv("HOOKCOST_DISABLED") != ""

var calls atomic.Int64

// GatedOnEnter counts calls unless disabled.
func GatedOnEnter(api.CallContext, int, int) {
	if disabled {
		return
	}
	calls.Add(1)
}

// GatedOnExit counts returns unless disabled.
func GatedOnExit(api.CallContext, int) {
	if disabled {
		return
	}
	calls.Add(1)
}

// TracedOnEnter starts a span from the global TracerProvider.
func TracedOnEnter(call api.CallContext, _, _ int) {
	_, span := otel.GetTracerProvider().Tracer("example.com/hookcost/otelhooks").Start(context.Background(), "Traced")
	call.SetData(span)
}

// TracedOnExit ends it.
func TracedOnExit(call api.CallContext, _ int) {
	if span, ok := call.Data().(trace.Span); ok {
		span.End()
	}
}
