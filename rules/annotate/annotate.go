// Package annotate makes the spans that span rules and //otel:span comments
// ask for. Spliced code calls Start at the top of the function, behind the
// switch api.Enabled gives it, and the function Start returns when it
// returns:
//
//	if otelgoSpansOn { otelgoCtx := ctx; otelgoEnd := otelgoSpanStart("pricing.Quote", []string{"k=v"}, &otelgoCtx); ctx = otelgoCtx; defer func() { otelgoEnd(err) }() }
//
// Set OTELGO_SPANS_DISABLED=true to turn these spans off at run time.
package annotate

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	_ "otelgo.dev/rules/api" // spliced code reports hook panics through it
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// scope is the instrumentation scope of the spans made here.
const scope = "otelgo.dev/rules/annotate"

func noEnd(any) {}

// Start starts a span named name, a child of *ctx (a *context.Context, or nil
// when the function takes none) or else of the goroutine's current span, and
// gives the function the span's context. The returned function ends the
// span, recording err (the function's error result, or nil).
func Start(name string, attributes []string, ctx any) (end func(err any)) {
	defer func() {
		if recover() != nil {
			end = noEnd // never let instrumentation break the program
		}
	}()
	parent := context.Background()
	p, _ := ctx.(*context.Context)
	if p != nil && *p != nil {
		parent = *p
	}
	spanCtx, span := telemetry.Tracer(scope).Start(goroutine.Context(parent), name,
		trace.WithAttributes(parse(attributes)...))
	if p != nil {
		*p = spanCtx
	}
	return func(err any) {
		defer func() { _ = recover() }()
		if e, ok := err.(error); ok && e != nil {
			span.RecordError(e)
			span.SetStatus(codes.Error, e.Error())
		}
		span.End()
	}
}

func parse(pairs []string) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(pairs))
	for _, kv := range pairs {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out = append(out, attribute.String(k, v))
		}
	}
	return out
}
