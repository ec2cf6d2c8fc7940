package msgconv

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func setup(t *testing.T) (*tracetest.SpanRecorder, *sdkmetric.ManualReader) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return rec, reader
}

func attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		out[kv.Key] = kv.Value
	}
	return out
}

func TestSendInjectsItsContext(t *testing.T) {
	rec, reader := setup(t)
	ctx, span := StartSend(context.Background(), "test", Operation{
		System: Kafka, Type: Send, Name: "send", Destination: "orders", Count: 2, Batch: 2,
		ServerAddress: "broker", ServerPort: 9092,
	})
	carrier := propagation.MapCarrier{}
	Inject(ctx, carrier)
	span.End(nil)

	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	if s.Name() != "send orders" || s.SpanKind() != trace.SpanKindProducer {
		t.Errorf("%q %v", s.Name(), s.SpanKind())
	}
	a := attrs(s.Attributes())
	for k, want := range map[attribute.Key]any{
		"messaging.system": "kafka", "messaging.operation.name": "send", "messaging.operation.type": "send",
		"messaging.destination.name": "orders", "messaging.batch.message_count": int64(2),
		"server.address": "broker", "server.port": int64(9092),
	} {
		if got := a[k].AsInterface(); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if got := Extract(carrier); got.SpanID() != s.SpanContext().SpanID() || !Carries(carrier) {
		t.Errorf("injected %v, span %v", got, s.SpanContext())
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			found[m.Name] = true
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "messaging.client.sent.messages" {
				if v := sum.DataPoints[0].Value; v != 2 {
					t.Errorf("sent %d", v)
				}
			}
		}
	}
	if !found["messaging.client.operation.duration"] || !found["messaging.client.sent.messages"] {
		t.Errorf("metrics %v", found)
	}
}

func TestProcessIsTheCreationContextsChildUnlessASpanIsCurrent(t *testing.T) {
	rec, _ := setup(t)
	producer, send := StartSend(context.Background(), "test", Operation{System: NATS, Type: Send, Name: "publish", Destination: "a"})
	send.End(nil)
	creation := trace.SpanContextFromContext(producer)

	_, alone := StartProcess(context.Background(), "test", Operation{System: NATS, Type: Process, Name: "process", Destination: "a"}, creation)
	alone.End(nil)
	ambient, outer := otel.Tracer("test").Start(context.Background(), "handler")
	_, nested := StartProcess(ambient, "test", Operation{System: NATS, Type: Process, Name: "process", Destination: "a"}, creation)
	nested.End(nil)
	outer.End()

	spans := rec.Ended()
	p1, p2 := spans[1], spans[2]
	if p1.SpanKind() != trace.SpanKindConsumer || p1.Parent().SpanID() != creation.SpanID() {
		t.Errorf("alone: kind %v parent %v", p1.SpanKind(), p1.Parent())
	}
	if p2.Parent().SpanID() != outer.SpanContext().SpanID() {
		t.Errorf("nested: parent %v", p2.Parent())
	}
	for _, s := range []sdktrace.ReadOnlySpan{p1, p2} {
		if len(s.Links()) != 1 || s.Links()[0].SpanContext.SpanID() != creation.SpanID() {
			t.Errorf("%s links %v", s.Name(), s.Links())
		}
	}
}

func TestTemporaryDestinationAndError(t *testing.T) {
	rec, _ := setup(t)
	_, span := StartSend(context.Background(), "test", Operation{System: NATS, Type: Send, Name: "publish", Destination: "_INBOX.x", Temporary: true})
	span.End(context.DeadlineExceeded)
	s := rec.Ended()[0]
	a := attrs(s.Attributes())
	if s.Name() != "publish" || !a["messaging.destination.temporary"].AsBool() || a["messaging.destination.name"].AsString() != "_INBOX.x" {
		t.Errorf("%q %v", s.Name(), a)
	}
	if s.Status().Code != codes.Error || a["error.type"].AsString() != "context.DeadlineExceeded" {
		t.Errorf("%v %v", s.Status(), a["error.type"])
	}
	if got := ErrorType(errors.New("x")); got != "*errors.errorString" {
		t.Errorf("ErrorType %q", got)
	}
}

func TestHostPort(t *testing.T) {
	for in, want := range map[string]struct {
		host string
		port int
	}{
		"127.0.0.1:9092":   {"127.0.0.1", 9092},
		"a:1,b:2":          {"a", 1},
		"broker":           {"broker", 0},
		"[::1]:4222":       {"::1", 4222},
		"host:notaport":    {"host", 0},
		" spaced:10 ,x:11": {"spaced", 10},
	} {
		if h, p := HostPort(in); h != want.host || p != want.port {
			t.Errorf("HostPort(%q) = %q, %d", in, h, p)
		}
	}
}
