package connect

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spanrec"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, string, []connect.ClientOption)                      = NewClientConfigOnEnter
	_ func(api.CallContext, string, connect.StreamType, []connect.HandlerOption) = NewHandlerConfigOnEnter
)

type msg struct {
	ID string `json:"id"`
}

type jsonCodec struct{}

func (jsonCodec) Name() string                    { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)   { return json.Marshal(v) }
func (jsonCodec) Unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func handlerOptions() []connect.HandlerOption {
	opts := []connect.HandlerOption{connect.WithCodec(jsonCodec{})}
	call := &calltest.Call{Params: []any{"/t.v1.S/Get", connect.StreamTypeUnary, opts}}
	NewHandlerConfigOnEnter(call, "/t.v1.S/Get", connect.StreamTypeUnary, opts)
	return call.Params[2].([]connect.HandlerOption)
}

func clientOptions(url string) []connect.ClientOption {
	opts := []connect.ClientOption{connect.WithCodec(jsonCodec{})}
	call := &calltest.Call{Params: []any{url, opts}}
	NewClientConfigOnEnter(call, url, opts)
	return call.Params[1].([]connect.ClientOption)
}

// Without a net/http SERVER span (no otelgo build here), the handler makes
// its own, child of the client's.
func TestUnaryClientAndServer(t *testing.T) {
	rec := spanrec.Install(t)
	h := connect.NewUnaryHandler("/t.v1.S/Get", func(_ context.Context, r *connect.Request[msg]) (*connect.Response[msg], error) {
		if r.Msg.ID == "missing" {
			return nil, connect.NewError(connect.CodeNotFound, errors.New("gone"))
		}
		if r.Msg.ID == "broken" {
			return nil, connect.NewError(connect.CodeInternal, errors.New("oops"))
		}
		return connect.NewResponse(r.Msg), nil
	}, handlerOptions()...)
	srv := httptest.NewServer(h)
	defer srv.Close()
	url := srv.URL + "/t.v1.S/Get"
	client := connect.NewClient[msg, msg](http.DefaultClient, url, clientOptions(url)...)

	for _, id := range []string{"ok", "missing", "broken"} {
		_, _ = client.CallUnary(context.Background(), connect.NewRequest(&msg{ID: id}))
	}
	spans := rec.Ended()
	if len(spans) != 6 {
		t.Fatalf("%d spans", len(spans))
	}
	want := []struct {
		kind         trace.SpanKind
		code, errTyp string
		status       codes.Code
	}{
		{trace.SpanKindServer, "OK", "", codes.Unset},
		{trace.SpanKindClient, "OK", "", codes.Unset},
		{trace.SpanKindServer, "NOT_FOUND", "NOT_FOUND", codes.Unset},
		{trace.SpanKindClient, "NOT_FOUND", "NOT_FOUND", codes.Error},
		{trace.SpanKindServer, "INTERNAL", "INTERNAL", codes.Error},
		{trace.SpanKindClient, "INTERNAL", "INTERNAL", codes.Error},
	}
	for i, w := range want {
		s := spans[i]
		a := spanrec.AttrStrings(s)
		if s.Name() != "t.v1.S/Get" || s.SpanKind() != w.kind || a["rpc.system.name"] != "connectrpc" ||
			a["rpc.method"] != "t.v1.S/Get" || a["rpc.response.status_code"] != w.code || a["error.type"] != w.errTyp ||
			s.Status().Code != w.status {
			t.Errorf("span %d: %s %v %v %v", i, s.Name(), s.SpanKind(), s.Status(), a)
		}
		if w.kind == trace.SpanKindServer && s.Parent().SpanID() != spans[i+1].SpanContext().SpanID() {
			t.Errorf("span %d is not the client span's child", i)
		}
		if w.kind == trace.SpanKindClient && (a["server.address"] != "127.0.0.1" || a["server.port"] == "") {
			t.Errorf("client span %d: %v", i, a)
		}
	}
}
