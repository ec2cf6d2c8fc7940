// Package spantest holds the spans the hooks' tests log and call inside. It
// needs only the trace API and package goroutine, so the per-library
// modules' tests (zap, logrus, ...) can share it without the log API that
// exporttest brings.
package spantest

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/goroutine"
)

// The IDs of the span of Context, as the hooks write them.
const (
	TraceHex = "4bf92f3577b34da6a3ce929d0e0e4736"
	SpanHex  = "00f067aa0ba902b7"
)

// The IDs of the span of OtherContext: another trace, for a test that has
// a span on the goroutine and another in a context.
const (
	OtherTraceHex = "0af7651916cd43dd8448eb211c80319c"
	OtherSpanHex  = "b7ad6b7169203331"
)

// Context returns a context that holds the span TraceHex, SpanHex.
func Context() context.Context { return withSpan(TraceHex, SpanHex) }

// OtherContext returns a context that holds the span OtherTraceHex,
// OtherSpanHex.
func OtherContext() context.Context { return withSpan(OtherTraceHex, OtherSpanHex) }

func withSpan(traceHex, spanHex string) context.Context {
	tid, _ := trace.TraceIDFromHex(traceHex)
	sid, _ := trace.SpanIDFromHex(spanHex)
	return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
}

// OnGoroutine makes the span of ctx current on the goroutine, the way the
// SDK hooks of package goroutine do when a span starts, until end ends it
// as they do when it ends; end is also a cleanup of the test.
func OnGoroutine(t testing.TB, ctx context.Context) (end func()) {
	t.Helper()
	span := trace.SpanFromContext(ctx)
	goroutine.SpanStartOnExit(nil, ctx, span)
	ended := false
	end = func() {
		if !ended {
			ended = true
			goroutine.SpanEndOnEnter(nil, span, nil)
		}
	}
	t.Cleanup(end)
	return end
}
