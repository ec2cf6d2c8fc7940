package annotate

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "otelgo.dev/rules/internal/semconv"
)

func TestStart(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	ctx, parent := otel.Tracer("test").Start(context.Background(), "parent")
	c := ctx
	end := Start("pricing.Quote", []string{"k=v", "malformed"}, &c)
	end(errors.New("no price"))
	parent.End()

	ended := rec.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans ended, want 2", len(ended))
	}
	s := ended[0]
	if s.Name() != "pricing.Quote" || s.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("span %q, parent %v", s.Name(), s.Parent().SpanID())
	}
	if is := s.InstrumentationScope(); is.Name != scope || is.SchemaURL != semconv.SchemaURL {
		t.Errorf("instrumentation scope %+v", is)
	}
	if attrs := s.Attributes(); len(attrs) != 1 || attrs[0].Key != "k" || attrs[0].Value.AsString() != "v" {
		t.Errorf("attributes %v", attrs)
	}
	if s.Status().Code != codes.Error || s.Status().Description != "no price" {
		t.Errorf("status %v", s.Status())
	}
	if c == ctx {
		t.Error("the function was not given the span's context")
	}
}
