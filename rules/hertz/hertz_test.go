package hertz

import (
	"context"
	"testing"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/app/client"
	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/ut"
	"github.com/cloudwego/hertz/pkg/protocol"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spanrec"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *server.Hertz)         = NewOnExit
	_ func(api.CallContext, *client.Client, error) = NewClientOnExit
)

func TestServerSpans(t *testing.T) {
	rec := spanrec.Install(t)
	h := server.New()
	NewOnExit(&calltest.Call{}, h)
	var inHandler trace.SpanContext
	h.GET("/users/:id", func(ctx context.Context, c *app.RequestContext) {
		inHandler = trace.SpanContextFromContext(ctx)
		c.String(200, "ok")
	})
	h.GET("/fail", func(_ context.Context, c *app.RequestContext) { c.String(503, "no") })

	parent := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	ut.PerformRequest(h.Engine, "GET", "/users/7?sig=x", nil, ut.Header{Key: "traceparent", Value: parent})
	ut.PerformRequest(h.Engine, "GET", "/fail", nil)
	ut.PerformRequest(h.Engine, "GET", "/nowhere", nil)
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans", len(spans))
	}
	ok, failed, unmatched := spans[0], spans[1], spans[2]
	a := spanrec.AttrStrings(ok)
	if ok.Name() != "GET /users/:id" || ok.SpanKind() != trace.SpanKindServer || a["http.route"] != "/users/:id" ||
		a["url.path"] != "/users/7" || a["url.query"] != "sig=REDACTED" || a["http.response.status_code"] != "200" {
		t.Errorf("span %s %v", ok.Name(), a)
	}
	if ok.Parent().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || ok.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("parent %v: the traceparent header was not extracted", ok.Parent())
	}
	if inHandler.SpanID() != ok.SpanContext().SpanID() {
		t.Error("the handler's context does not hold the SERVER span")
	}
	if failed.Status().Code != codes.Error || spanrec.AttrStrings(failed)["error.type"] != "503" {
		t.Errorf("failed request: %v %v", failed.Status(), failed.Attributes())
	}
	if unmatched.Name() != "GET" || spanrec.AttrStrings(unmatched)["http.route"] != "" || spanrec.AttrStrings(unmatched)["http.response.status_code"] != "404" {
		t.Errorf("unmatched request: %s %v", unmatched.Name(), unmatched.Attributes())
	}
}

func TestClientMiddleware(t *testing.T) {
	rec := spanrec.Install(t)
	var sent string
	end := func(_ context.Context, req *protocol.Request, resp *protocol.Response) error {
		sent = string(req.Header.Peek("traceparent"))
		resp.SetStatusCode(404)
		return nil
	}
	req, resp := protocol.AcquireRequest(), protocol.AcquireResponse()
	req.SetRequestURI("http://example.test:9000/a?b=c")
	if err := clientMiddleware(end)(context.Background(), req, resp); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	a := spanrec.AttrStrings(s)
	if s.Name() != "GET" || s.SpanKind() != trace.SpanKindClient || a["url.full"] != "http://example.test:9000/a?b=c" ||
		a["server.address"] != "example.test" || a["server.port"] != "9000" || a["error.type"] != "404" || s.Status().Code != codes.Error {
		t.Errorf("span %s %v %v", s.Name(), a, s.Status())
	}
	if sent == "" || sent[3:35] != s.SpanContext().TraceID().String() {
		t.Errorf("traceparent %q", sent)
	}
}
