package mcpconv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "otelgo.dev/rules/internal/semconv"
)

func setup(t *testing.T) *tracetest.SpanRecorder {
	rec := tracetest.NewSpanRecorder()
	prevTP, prevP := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetTextMapPropagator(prevP) })
	return rec
}

type params struct {
	Name string         `json:"name"`
	Meta map[string]any `json:"_meta,omitempty"`
}

func TestClientToServerThroughMeta(t *testing.T) {
	rec := setup(t)
	orig := &params{Name: "add", Meta: map[string]any{"progressToken": 7}}
	_, op := StartClient(context.Background(), "c", Request{Method: "tools/call", Params: orig})
	sent, err := json.Marshal(op.WithMeta(orig))
	if err != nil {
		t.Fatal(err)
	}
	if len(orig.Meta) != 1 {
		t.Fatal("the program's params were changed")
	}
	m, ok := ParseMessage([]byte(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":` + string(sent) + `}`))
	if !ok || ParamsMeta(m.Params)["progressToken"] != float64(7) || RequestID(m.ID) != "3" {
		t.Fatalf("%s", sent)
	}
	_, srv := StartServer(context.Background(), "s", Request{Method: m.Method, ID: RequestID(m.ID), Params: m.Params}, ParamsMeta(m.Params))
	srv.End(&RPCError{Code: -32602, Message: "unknown tool"}, false)
	op.End(nil, true)
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatal(len(spans))
	}
	s, c := spans[0], spans[1]
	if s.Parent().SpanID() != c.SpanContext().SpanID() || s.Name() != "tools/call add" || c.Name() != "tools/call add" {
		t.Fatalf("server %s parent %s, client %s %s", s.Name(), s.Parent().SpanID(), c.Name(), c.SpanContext().SpanID())
	}
	got := map[string]string{}
	for _, kv := range s.Attributes() {
		got[string(kv.Key)] = kv.Value.Emit()
	}
	if got["error.type"] != "-32602" || got["rpc.response.status_code"] != "-32602" || got["jsonrpc.request.id"] != "3" ||
		got["gen_ai.tool.name"] != "add" || got["gen_ai.operation.name"] != "execute_tool" {
		t.Fatal(got)
	}
	for _, kv := range c.Attributes() {
		if kv.Key == semconv.ErrorTypeKey && kv.Value.AsString() != "tool_error" {
			t.Fatal(kv)
		}
	}
}

func TestErrorCodeFoundInWrappedErrors(t *testing.T) {
	code, ok := errorCode(fmt.Errorf("calling: %w", errWire{Code: -32601, Message: "x"}))
	if !ok || code != -32601 {
		t.Fatal(code, ok)
	}
	if _, ok := errorCode(errors.New("plain")); ok {
		t.Fatal("a plain error has no code")
	}
}

type errWire struct {
	Code    int64
	Message string
}

func (e errWire) Error() string { return e.Message }
