package goroutine

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
)

// span is a valid span context that does nothing; enough for the stack.
func span(id byte) trace.Span {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{id}})
	return trace.SpanFromContext(trace.ContextWithSpanContext(context.Background(), sc))
}

func same(a, b trace.Span) bool {
	return a != nil && b != nil && a.SpanContext().Equal(b.SpanContext())
}

func TestSuppressAndResume(t *testing.T) {
	setGoroutineContext(nil) // the stub's one variable stands for this goroutine
	t.Cleanup(func() { setGoroutineContext(nil) })

	if api.Suppressed() {
		t.Fatal("suppressed before anything was pushed")
	}
	parent := span(1)
	push(parent)
	outer := api.Suppress()
	if !outer || !api.Suppressed() {
		t.Fatalf("Suppress() = %v, Suppressed() = %v; want true, true", outer, api.Suppressed())
	}
	if !same(Span(), parent) {
		t.Error("a quiet goroutine keeps its current span")
	}
	// Nested: already quiet, nothing to undo.
	inner := api.Suppress()
	if inner {
		t.Error("Suppress on a quiet goroutine reports a change")
	}
	child := span(2)
	push(child) // a span started in ignored code (by the program itself)
	if !api.Suppressed() || !same(Span(), child) {
		t.Error("a span pushed on a quiet goroutine is current and quiet")
	}
	api.Resume(inner)
	if !api.Suppressed() {
		t.Error("the inner Resume switched the hooks back on")
	}
	pop(parent) // out of order: the quiet frame below the child is not popped for it
	api.Resume(outer)
	if api.Suppressed() || !same(Span(), parent) {
		t.Errorf("after Resume: Suppressed() = %v, span %v; want false, the parent", api.Suppressed(), Span())
	}
	pop(parent)
	if current() != nil {
		t.Error("the stack is not empty")
	}
}

func TestSuppressWithoutASpan(t *testing.T) {
	setGoroutineContext(nil)
	t.Cleanup(func() { setGoroutineContext(nil) })
	pushed := api.Suppress()
	if Span() != nil || !api.Suppressed() {
		t.Error("quiet with no span")
	}
	pop(span(3)) // a span ended that was never pushed here
	api.Resume(pushed)
	if current() != nil {
		t.Error("the stack is not empty")
	}
}
