// Package spanrec is the recording TracerProvider that the hooks' tests
// (nethttp, connect, fasthttp, grpc, hertz...) share, and the attributes
// of the spans it records.
package spanrec

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Install installs, for the test, a global TracerProvider that records the
// spans that end, and propagators (the W3C trace context when none is
// given), as otelgo's SDK set-up would; the previous ones are restored and
// the provider shut down after the test.
func Install(t testing.TB, propagators ...propagation.TextMapPropagator) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	oldTP, oldProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tp)
	switch len(propagators) {
	case 0:
		otel.SetTextMapPropagator(propagation.TraceContext{})
	case 1:
		otel.SetTextMapPropagator(propagators[0])
	default:
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagators...))
	}
	t.Cleanup(func() {
		otel.SetTracerProvider(oldTP)
		otel.SetTextMapPropagator(oldProp)
		_ = tp.Shutdown(context.Background())
	})
	return rec
}

// Attrs are the attributes of s by key.
func Attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// AttrStrings are the attributes of s by key, as strings (Value.Emit).
func AttrStrings(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	m := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value.Emit()
	}
	return m
}
