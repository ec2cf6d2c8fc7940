package kafkago

import (
	"context"
	"testing"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/calltest"
)

func TestWriteMessagesInjectsIntoCopies(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(propagation.TraceContext{})

	w := &kafka.Writer{Addr: kafka.TCP("127.0.0.1:9092"), Topic: "orders"}
	headers := make([]kafka.Header, 1, 4) // room to append into: it must not be used
	headers[0] = kafka.Header{Key: "k", Value: []byte("v")}
	msgs := []kafka.Message{{Key: []byte("a"), Headers: headers}, {Key: []byte("b")}}
	call := &calltest.Call{Params: []any{context.Background(), msgs}}
	WriteMessagesOnEnter(call, w, context.Background(), msgs)
	WriteMessagesOnExit(call, nil)

	traced := call.Params[1].([]kafka.Message)
	if len(msgs[0].Headers) != 1 || len(msgs[1].Headers) != 0 || headers[:2][1].Key != "" {
		t.Fatalf("the caller's messages changed: %+v", msgs)
	}
	span := rec.Ended()[0]
	if span.Name() != "send orders" || span.SpanKind() != trace.SpanKindProducer {
		t.Errorf("%q %v", span.Name(), span.SpanKind())
	}
	for i, m := range traced {
		c := &carrier{headers: &m.Headers}
		got := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), c))
		if got.TraceID() != span.SpanContext().TraceID() || got.SpanID() != span.SpanContext().SpanID() {
			t.Errorf("message %d: traceparent %q", i, c.Get("traceparent"))
		}
	}
	if traced[0].Headers[0].Key != "k" {
		t.Errorf("the program's header is gone: %+v", traced[0].Headers)
	}

	// Messages that carry a trace context already are left alone.
	again := &calltest.Call{Params: []any{context.Background(), traced}}
	WriteMessagesOnEnter(again, w, context.Background(), traced)
	if again.ParamSet || again.Stored != nil {
		t.Error("a second span for messages with a creation context")
	}
}
