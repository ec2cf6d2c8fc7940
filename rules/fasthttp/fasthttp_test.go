package fasthttp

import (
	"net"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/fastroute"
	"otelgo.dev/rules/internal/spanrec"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *fasthttp.Server, net.Listener)                              = ServeOnEnter
	_ func(api.CallContext, *fasthttp.Server, net.Conn)                                  = ServeConnOnEnter
	_ func(api.CallContext, *fasthttp.HostClient, *fasthttp.Request, *fasthttp.Response) = ClientOnEnter
	_ func(api.CallContext, bool, error)                                                 = ClientOnExit
)

// serve runs handler on an in-memory listener through a server whose Serve
// went through the hook; the client's dials reach it.
func serve(t *testing.T, handler fasthttp.RequestHandler) *fasthttp.HostClient {
	t.Helper()
	ln := fasthttputil.NewInmemoryListener()
	s := &fasthttp.Server{Handler: handler}
	ServeOnEnter(&calltest.Call{}, s, ln)
	ServeOnEnter(&calltest.Call{}, s, ln) // a second Serve does not wrap twice
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = ln.Close() })
	return &fasthttp.HostClient{Addr: "example.test:8080", Dial: func(string) (net.Conn, error) { return ln.Dial() }}
}

// do sends req through c the way the hooked doNonNilReqResp would.
func do(t *testing.T, c *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response) error {
	t.Helper()
	call := &calltest.Call{}
	ClientOnEnter(call, c, req, resp)
	err := c.Do(req, resp)
	ClientOnExit(call, false, err)
	return err
}

func TestServerAndClientSpans(t *testing.T) {
	rec := spanrec.Install(t)
	var routed *fastroute.Request
	c := serve(t, func(ctx *fasthttp.RequestCtx) {
		routed = fastroute.Lookup(ctx)
		fastroute.Set(ctx, "/users/:id")
		ctx.SetStatusCode(fasthttp.StatusCreated)
	})
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	req.SetRequestURI("http://example.test:8080/users/7?sig=secret&x=1")
	req.Header.SetMethod("POST")
	req.Header.Set("User-Agent", "unit")
	if err := do(t, c, req, resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != fasthttp.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode())
	}
	if routed == nil {
		t.Fatal("the handler ran without a registered request")
	}
	waitSpans(t, rec, 2)
	spans := rec.Ended()
	server, client := spans[0], spans[1]
	if server.SpanKind() != trace.SpanKindServer {
		server, client = client, server
	}
	if server.Name() != "POST /users/:id" || client.Name() != "POST" {
		t.Fatalf("names %q %q", server.Name(), client.Name())
	}
	if server.Parent().SpanID() != client.SpanContext().SpanID() || server.SpanContext().TraceID() != client.SpanContext().TraceID() {
		t.Fatal("the server span is not the client span's child: no context in the headers")
	}
	sa, ca := spanrec.Attrs(server), spanrec.Attrs(client)
	for k, want := range map[attribute.Key]any{
		"http.request.method": "POST", "url.path": "/users/7", "url.query": "sig=REDACTED&x=1",
		"http.route": "/users/:id", "http.response.status_code": int64(201), "server.address": "example.test",
		"server.port": int64(8080), "user_agent.original": "unit", "network.protocol.version": "1.1", "url.scheme": "http",
	} {
		if got := sa[k].AsInterface(); got != want {
			t.Errorf("server %s = %v, want %v", k, got, want)
		}
	}
	for k, want := range map[attribute.Key]any{
		"url.full": "http://example.test:8080/users/7?sig=REDACTED&x=1", "server.address": "example.test",
		"server.port": int64(8080), "http.response.status_code": int64(201),
	} {
		if got := ca[k].AsInterface(); got != want {
			t.Errorf("client %s = %v, want %v", k, got, want)
		}
	}
	if len(req.Header.Peek("traceparent")) == 0 {
		t.Error("no traceparent in the request")
	}
}

func TestServerErrorAndClientFailure(t *testing.T) {
	rec := spanrec.Install(t)
	c := serve(t, func(ctx *fasthttp.RequestCtx) { ctx.Error("no", fasthttp.StatusServiceUnavailable) })
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	req.SetRequestURI("http://example.test:8080/x")
	if err := do(t, c, req, resp); err != nil {
		t.Fatal(err)
	}
	waitSpans(t, rec, 2)
	for _, s := range rec.Ended() {
		if s.Status().Code != codes.Error || spanrec.Attrs(s)["error.type"].AsString() != "503" {
			t.Errorf("%v span: status %v, attributes %v", s.SpanKind(), s.Status(), s.Attributes())
		}
	}

	refused := &fasthttp.HostClient{Addr: "127.0.0.1:1"}
	req.SetRequestURI("http://127.0.0.1:1/")
	if err := do(t, refused, req, resp); err == nil {
		t.Fatal("no error from a refused connection")
	}
	waitSpans(t, rec, 3)
	failed := rec.Ended()[2]
	if failed.Status().Code != codes.Error || spanrec.Attrs(failed)["error.type"].AsString() == "" {
		t.Errorf("refused: status %v, attributes %v", failed.Status(), failed.Attributes())
	}
}

func TestHandlerPanicEndsTheSpanAndGoesOn(t *testing.T) {
	rec := spanrec.Install(t)
	s := &fasthttp.Server{Handler: func(*fasthttp.RequestCtx) { panic("boom") }}
	wrap(s)
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/p")
	func() {
		defer func() {
			if recover() != "boom" {
				t.Error("the handler's panic did not go on")
			}
		}()
		s.Handler(&ctx)
	}()
	spans := rec.Ended()
	if len(spans) != 1 || spans[0].Status().Code != codes.Error || spanrec.Attrs(spans[0])["error.type"].AsString() != "panic" {
		t.Fatalf("spans %v", spans)
	}
	if fastroute.Lookup(&ctx) != nil {
		t.Error("the request stayed registered")
	}
}

func waitSpans(t *testing.T, rec *tracetest.SpanRecorder, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Ended()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d spans ended, want %d", len(rec.Ended()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
