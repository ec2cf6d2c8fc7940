package telemetry

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	semconv "otelgo.dev/rules/internal/semconv"
)

const scope = "otelgo.dev/rules/internal/telemetry/test"

// setTracerProvider installs a TracerProvider recording its spans, for the
// test.
func setTracerProvider(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	return rec
}

// setMeterProvider installs a MeterProvider read by hand, for the test.
func setMeterProvider(t *testing.T) *sdkmetric.ManualReader {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	t.Cleanup(func() { otel.SetMeterProvider(prev) })
	return reader
}

func collect(t *testing.T, reader *sdkmetric.ManualReader) []metricdata.ScopeMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm.ScopeMetrics
}

func TestTracerIsKept(t *testing.T) {
	setTracerProvider(t)
	first := Tracer(scope)
	if Tracer(scope) != first {
		t.Fatal("a second call made another tracer")
	}
	if n := testing.AllocsPerRun(100, func() { _ = Tracer(scope) }); n != 0 {
		t.Fatalf("Tracer allocates %v times per call", n)
	}
}

func TestTracerFollowsTheGlobalProvider(t *testing.T) {
	old := setTracerProvider(t)
	_, span := Tracer(scope).Start(context.Background(), "before")
	span.End()

	// The program installs its own provider after otelgo's.
	rec := setTracerProvider(t)
	_, span = Tracer(scope).Start(context.Background(), "after")
	span.End()

	if n := len(old.Ended()); n != 1 {
		t.Errorf("the first provider got %d spans, want 1", n)
	}
	ended := rec.Ended()
	if len(ended) != 1 || ended[0].Name() != "after" {
		t.Fatalf("the new provider got %v, want the span \"after\"", ended)
	}
	is := ended[0].InstrumentationScope()
	if is.Name != scope || is.SchemaURL != semconv.SchemaURL {
		t.Errorf("scope %q, schema URL %q; want %q, %q", is.Name, is.SchemaURL, scope, semconv.SchemaURL)
	}
}

func TestTracerPerScope(t *testing.T) {
	rec := setTracerProvider(t)
	for _, s := range []string{"a", "b", "a"} {
		_, span := Tracer(s).Start(context.Background(), s)
		span.End()
	}
	for i, want := range []string{"a", "b", "a"} {
		if got := rec.Ended()[i].InstrumentationScope().Name; got != want {
			t.Errorf("span %d: scope %q, want %q", i, got, want)
		}
	}
}

// sliceProvider is a TracerProvider that == cannot compare.
type sliceProvider struct {
	tracenoop.TracerProvider
	calls []int
}

func TestTracerOfAnIncomparableProvider(t *testing.T) {
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sliceProvider{calls: []int{1}})
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	for range 2 {
		if Tracer(scope) == nil {
			t.Fatal("no tracer")
		}
	}
	rec := setTracerProvider(t)
	_, span := Tracer(scope).Start(context.Background(), "x")
	span.End()
	if len(rec.Ended()) != 1 {
		t.Fatal("the provider installed next was not used")
	}
}

func TestMeterIsKept(t *testing.T) {
	setMeterProvider(t)
	first := Meter(scope)
	if Meter(scope) != first {
		t.Fatal("a second call made another meter")
	}
	if n := testing.AllocsPerRun(100, func() { _ = Meter(scope) }); n != 0 {
		t.Fatalf("Meter allocates %v times per call", n)
	}
}

func TestMeterFollowsTheGlobalProvider(t *testing.T) {
	old := setMeterProvider(t)
	count := func() {
		c, err := Meter(scope).Int64Counter("test.count")
		if err != nil {
			t.Fatal(err)
		}
		c.Add(context.Background(), 1)
	}
	count()
	reader := setMeterProvider(t)
	count()
	count()

	if sm := collect(t, old); len(sm) != 1 || sm[0].Metrics[0].Data.(metricdata.Sum[int64]).DataPoints[0].Value != 1 {
		t.Errorf("the first provider got %+v, want one count", sm)
	}
	sm := collect(t, reader)
	if len(sm) != 1 {
		t.Fatalf("the new provider got %d scopes, want 1", len(sm))
	}
	if sm[0].Scope.Name != scope || sm[0].Scope.SchemaURL != semconv.SchemaURL {
		t.Errorf("scope %+v, want %q with schema URL %q", sm[0].Scope, scope, semconv.SchemaURL)
	}
	if v := sm[0].Metrics[0].Data.(metricdata.Sum[int64]).DataPoints[0].Value; v != 2 {
		t.Errorf("the new provider counted %d, want 2", v)
	}
}

func TestInstrumentsFollowTheGlobalProvider(t *testing.T) {
	made := 0
	counters := NewInstruments(func(m metric.Meter) metric.Int64Counter {
		made++
		c, err := m.Int64Counter("test.instruments")
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
	old := setMeterProvider(t)
	counters.Get(scope).Add(context.Background(), 1)
	if n := testing.AllocsPerRun(100, func() { _ = counters.Get(scope) }); n != 0 {
		t.Errorf("Get allocates %v times per call", n)
	}
	reader := setMeterProvider(t)
	counters.Get(scope).Add(context.Background(), 1)
	counters.Get(scope).Add(context.Background(), 1)
	if made != 2 {
		t.Errorf("made %d times, want 2 (once per provider)", made)
	}
	for _, c := range []struct {
		reader *sdkmetric.ManualReader
		want   int64
	}{{old, 1}, {reader, 2}} {
		sm := collect(t, c.reader)
		if len(sm) != 1 || sm[0].Scope.SchemaURL != semconv.SchemaURL {
			t.Fatalf("scopes %+v", sm)
		}
		if v := sm[0].Metrics[0].Data.(metricdata.Sum[int64]).DataPoints[0].Value; v != c.want {
			t.Errorf("counted %d, want %d", v, c.want)
		}
	}
}

func TestNoopProviders(t *testing.T) {
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tracenoop.NewTracerProvider())
	otel.SetMeterProvider(noop.NewMeterProvider())
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetMeterProvider(prevMP)
	})
	if _, ok := Tracer(scope).(tracenoop.Tracer); !ok {
		t.Errorf("tracer %T", Tracer(scope))
	}
	if _, ok := Meter(scope).(noop.Meter); !ok {
		t.Errorf("meter %T", Meter(scope))
	}
}
