package genaihttp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
)

func TestSSEParserTakesEventsInAnyPieces(t *testing.T) {
	stream := "event: message_start\ndata: {\"a\":1}\n\n: comment\ndata: one\r\ndata: two\r\n\r\ndata: [DONE]\n\n"
	for size := 1; size <= len(stream); size++ {
		var p sseParser
		var got []string
		for i := 0; i < len(stream); i += size {
			for _, ev := range p.feed([]byte(stream[i:min(i+size, len(stream))])) {
				got = append(got, ev.name+"|"+string(ev.data))
			}
		}
		want := []string{"message_start|{\"a\":1}", "|one\ntwo", "|[DONE]"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("pieces of %d: got %q, want %q", size, got, want)
		}
	}
}

func recorder(t *testing.T) *tracetest.SpanRecorder {
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	return rec
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestStreamedChatEndsAtDoneWithUsage(t *testing.T) {
	rec := recorder(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"id":"c1","model":"m-1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`+"\n\n")
		io.WriteString(w, `data: {"id":"c1","model":"m-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n")
		io.WriteString(w, `data: {"id":"c1","model":"m-1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}`+"\n\n")
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()
	c := New("test", semconv.GenAIProviderNameOpenAI, OpenAI)
	hc := c.HTTPClient(nil)
	resp, err := hc.Post(srv.URL+"/v1/chat/completions", "application/json",
		bytes.NewBufferString(`{"model":"m","stream":true,"temperature":0.5,"messages":[{"role":"user","content":"hello"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Ended()) != 0 {
		t.Fatal("the span ended before the stream was read")
	}
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "[DONE]") {
		t.Fatalf("the body reached the caller changed: %q", b)
	}
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	a := attrs(s)
	if s.Name() != "chat m" || a[semconv.GenAIResponseIDKey].AsString() != "c1" ||
		a[semconv.GenAIUsageInputTokensKey].AsInt64() != 3 || a[semconv.GenAIUsageOutputTokensKey].AsInt64() != 1 ||
		a[semconv.GenAIRequestTemperatureKey].AsFloat64() != 0.5 ||
		strings.Join(a[semconv.GenAIResponseFinishReasonsKey].AsStringSlice(), ",") != "stop" {
		t.Fatalf("%s %v", s.Name(), a)
	}
	if _, ok := a[semconv.GenAIInputMessagesKey]; ok {
		t.Fatal("message contents recorded without opting in")
	}
	resp.Body.Close()
	if len(rec.Ended()) != 1 {
		t.Fatal("the span ended twice")
	}
}

func TestErrorResponseAndRequestBodyKept(t *testing.T) {
	rec := recorder(t)
	t.Setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
	var sent string
	next := func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		sent = string(b)
		body := `{"type":"error","error":{"type":"not_found_error","message":"model: x"}}`
		return &http.Response{StatusCode: 404, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body))}, nil
	}
	c := New("test", semconv.GenAIProviderNameAnthropic, Anthropic)
	const reqBody = `{"model":"x","max_tokens":5,"system":"be brief","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`
	// A request without GetBody: its body is read and sent on unchanged.
	req, _ := http.NewRequest(http.MethodPost, "https://api.anthropic.com/v1/messages", io.NopCloser(strings.NewReader(reqBody)))
	resp, err := c.Do(req, next)
	if err != nil || sent != reqBody {
		t.Fatalf("err %v, sent %q", err, sent)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	s := rec.Ended()[0]
	a := attrs(s)
	if s.Status().Description != "model: x" || a[semconv.ErrorTypeKey].AsString() != "not_found_error" ||
		a[semconv.ServerPortKey].AsInt64() != 443 {
		t.Fatalf("%v %v", s.Status(), a)
	}
	if got := a[semconv.GenAISystemInstructionsKey].AsString(); got != `[{"type":"text","content":"be brief"}]` {
		t.Fatal(got)
	}
	if got := a[semconv.GenAIInputMessagesKey].AsString(); got != `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]` {
		t.Fatal(got)
	}
}

func TestOtherRequestsAreNotTraced(t *testing.T) {
	rec := recorder(t)
	c := New("test", semconv.GenAIProviderNameGCPGemini, Gemini)
	called := false
	req, _ := http.NewRequest(http.MethodGet, "https://generativelanguage.googleapis.com/v1beta/models", nil)
	c.Do(req, func(*http.Request) (*http.Response, error) { called = true; return nil, io.EOF })
	if !called || len(rec.Ended()) != 0 {
		t.Fatal("a model listing was traced")
	}
}

func TestPanicOfTheSDKGoesOnAndEndsTheSpan(t *testing.T) {
	rec := recorder(t)
	c := New("test", semconv.GenAIProviderNameOpenAI, OpenAI)
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/v1/embeddings", strings.NewReader(`{"model":"e"}`))
	defer func() {
		if recover() == nil {
			t.Fatal("the panic was swallowed")
		}
		if len(rec.Ended()) != 1 {
			t.Fatal("span not ended")
		}
	}()
	c.Do(req, func(*http.Request) (*http.Response, error) { panic("boom") })
}

func TestStandsAsideInsideTheSDKsOwnSpan(t *testing.T) {
	rec := recorder(t)
	c := New("test", semconv.GenAIProviderNameAnthropic, Anthropic).StandingAsideFor("com.example.sdk")
	ctx, sdkSpan := otel.GetTracerProvider().Tracer("com.example.sdk").Start(context.Background(), "example.messages.create")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.anthropic.com/v1/messages", strings.NewReader(`{"model":"m"}`))
	var sentCtx context.Context
	resp, _ := c.Do(req, func(r *http.Request) (*http.Response, error) {
		sentCtx = r.Context()
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"id":"x"}`))}, nil
	})
	io.ReadAll(resp.Body)
	resp.Body.Close()
	sdkSpan.End()
	if n := len(rec.Ended()); n != 1 {
		t.Fatalf("%d spans: a second span inside the SDK's", n)
	}
	if trace.SpanContextFromContext(sentCtx).SpanID() != sdkSpan.SpanContext().SpanID() {
		t.Fatal("the request was not sent in the SDK's span")
	}
	// Without the SDK's span, the client makes its own.
	req, _ = http.NewRequest(http.MethodPost, "https://api.anthropic.com/v1/messages", strings.NewReader(`{"model":"m"}`))
	resp, _ = c.Do(req, func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"id":"x"}`))}, nil
	})
	resp.Body.Close()
	if n := len(rec.Ended()); n != 2 || rec.Ended()[1].Name() != "chat m" {
		t.Fatalf("%d spans", n)
	}
}

func TestMeasurementsHaveTheirAttributes(t *testing.T) {
	recorder(t)
	reader := sdkmetric.NewManualReader()
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	t.Cleanup(func() { otel.SetMeterProvider(prev) })
	c := New("test-metrics", semconv.GenAIProviderNameOpenAI, OpenAI)
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
	resp, _ := c.Do(req, func(r *http.Request) (*http.Response, error) {
		body := `{"id":"x","model":"m-1","choices":[{"index":0,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}`
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}, nil
	})
	io.ReadAll(resp.Body)
	resp.Body.Close()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	want := []string{"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model", "server.address", "server.port"}
	seen := 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			check := func(set attribute.Set, extra int) {
				seen++
				for _, k := range want {
					if !set.HasValue(attribute.Key(k)) {
						t.Errorf("%s: no %s in %v", m.Name, k, set.ToSlice())
					}
				}
				if set.Len() != len(want)+extra {
					t.Errorf("%s: %v", m.Name, set.ToSlice())
				}
			}
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					check(p.Attributes, 0)
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					check(p.Attributes, 1) // gen_ai.token.type
				}
			}
		}
	}
	if seen != 3 {
		t.Fatalf("%d points: want a duration and two token counts", seen)
	}
}
