// Package otelhooks holds the hooks that rules.json splices into
// example.com/shop/pricing: a span around every call of pricing.Quote.
package otelhooks

import (
	"context"
	"path"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
)

// QuoteOnEnter runs before the body of
//
//	func Quote(ctx context.Context, item string) (int, error)
//
// It starts a span, a child of the span in ctx (the HTTP server's), and
// hands the body a context holding the new span, so that what Quote does
// with its ctx (the price list request) nests under it.
func QuoteOnEnter(call api.CallContext, ctx context.Context, item string) {
	if ctx == nil {
		ctx = context.Background()
	}
	tracer := otel.GetTracerProvider().Tracer("example.com/shop/otelhooks")
	name := path.Base(call.PackagePath()) + "." + call.FuncName() // "pricing.Quote"
	ctx, span := tracer.Start(ctx, name,
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(
			semconv.CodeFunctionName(call.PackagePath()+"."+call.FuncName()),
			attribute.String("shop.item", item),
		))
	call.SetParam(0, ctx) // parameter 0 is ctx
	call.SetData(span)    // for QuoteOnExit
}

// QuoteOnExit runs when Quote returns, with its results.
func QuoteOnExit(call api.CallContext, price int, err error) {
	span, ok := call.Data().(trace.Span)
	if !ok {
		return
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	} else {
		span.SetAttributes(attribute.Int("shop.price", price))
	}
	span.End()
}
