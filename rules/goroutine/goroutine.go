// Package goroutine gives hooks the span that is current on a goroutine, for
// calls made without a context (http.Get, redigo's conn.Do, db.Query) and
// for goroutines started from a traced function.
//
// The rules in goroutine.json add a field to runtime.g, copy it from parent
// to child in runtime.newproc1, clear it in runtime.gdestroy, and push and
// pop spans on it when the SDK starts and ends them. The field points to an
// immutable stack of frames, so a child goroutine can share its parent's
// frames safely and keeps seeing the span that was current when it started.
package goroutine

import (
	"context"
	"unsafe"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
)

// maxDepth bounds each goroutine's stack of spans, in case spans are started
// and never ended, or ended on another goroutine.
const maxDepth = 128

type frame struct {
	span  trace.Span
	prev  *frame
	depth int
	quiet bool // hooks are off on this goroutine (api.Suppressed)
	mark  bool // the frame Suppress pushed: Resume pops it and what is above it
}

func init() {
	api.SetGoroutineState(api.GoroutineState{Suppressed: suppressed, Suppress: suppress, Resume: resume})
}

func suppressed() bool {
	f := current()
	return f != nil && f.quiet
}

// suppress pushes a quiet frame, which keeps the current span (spans that
// start from here on are pushed above it, quiet too), unless the goroutine
// is quiet already. A child goroutine inherits it with the rest.
func suppress() bool {
	top := current()
	if top != nil && top.quiet {
		return false
	}
	f := &frame{prev: top, depth: 1, quiet: true, mark: true}
	if top != nil {
		f.span, f.depth = top.span, top.depth+1
	}
	setGoroutineContext(unsafe.Pointer(f))
	return true
}

func resume(pushed bool) {
	if !pushed {
		return
	}
	for f := current(); f != nil; f = f.prev {
		if f.mark {
			setGoroutineContext(unsafe.Pointer(f.prev))
			return
		}
	}
}

func current() *frame { return (*frame)(getGoroutineContext()) }

// Span returns the span current on this goroutine, or nil.
func Span() trace.Span {
	if f := current(); f != nil {
		return f.span
	}
	return nil
}

// Context returns ctx when it carries a span, and otherwise ctx with the span
// current on this goroutine (if any) as its parent-to-be.
func Context(ctx context.Context) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	if span := Span(); span != nil {
		return trace.ContextWithSpan(ctx, span)
	}
	return ctx
}

// Panics returns how many panics the calling goroutine is running the
// deferred calls of (runtime.Goexit's are not counted). An OnExit hook, which
// runs in a deferred call, compares it with its OnEnter's count to learn
// whether the function it instruments is panicking. A walk of the stack
// looking for runtime.gopanic answers too, but costs about 1.5 µs, which
// the net/http server hook paid on every request.
func Panics() int { return panics() }

func push(span trace.Span) {
	if span == nil || !span.SpanContext().IsValid() {
		return
	}
	if _, ok := span.(interface{ AliasedSpan() trace.Span }); ok {
		return // a span already current, handed to code that would start another: its End ends nothing
	}
	top := current()
	depth := 1
	if top != nil {
		depth = top.depth + 1
	}
	if depth > maxDepth {
		return
	}
	setGoroutineContext(unsafe.Pointer(&frame{span: span, prev: top, depth: depth, quiet: top != nil && top.quiet}))
}

func pop(span trace.Span) {
	top := current()
	if top == nil || span == nil || top.mark || top.span.SpanContext().SpanID() != span.SpanContext().SpanID() {
		return // ended elsewhere, or out of order: bounded by maxDepth
	}
	setGoroutineContext(unsafe.Pointer(top.prev))
}

// SpanStartOnExit is the hook on the SDK's (*tracer).Start: every span that
// starts, automatic or manual, becomes current on its goroutine.
func SpanStartOnExit(_ api.CallContext, _ context.Context, span trace.Span) {
	push(span)
}

// SpanEndOnEnter is the hook on (*recordingSpan).End and
// (nonRecordingSpan).End: the span's parent becomes current again.
func SpanEndOnEnter(_ api.CallContext, recv any, _ []trace.SpanEndOption) {
	if span, ok := recv.(trace.Span); ok {
		pop(span)
	}
}
