package fasthttp

import (
	"context"
	"net"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/fastroute"
	"otelgo.dev/rules/internal/httpattrs"
	"otelgo.dev/rules/internal/telemetry"
)

// ServeOnEnter is the OnEnter hook of
//
//	func (s *Server) Serve(ln net.Listener) error
//
// in fasthttp (server.go), which ListenAndServe, ListenAndServeTLS...
// call: the server's Handler is wrapped before the first connection.
func ServeOnEnter(_ api.CallContext, s *fasthttp.Server, _ net.Listener) {
	wrap(s)
}

// ServeConnOnEnter is the OnEnter hook of
//
//	func (s *Server) ServeConn(c net.Conn) error
//
// in fasthttp (server.go), for servers fed connections one at a time
// (fasthttp.ServeConn, fiber's app.Test).
func ServeConnOnEnter(_ api.CallContext, s *fasthttp.Server, _ net.Conn) {
	wrap(s)
}

// wrapMu serialises the check-and-replace of Server.Handler: Serve and
// ServeConn may be called from several goroutines for one server, and each
// reads Handler for every request only after its own hook has returned.
var wrapMu sync.Mutex

// tracedCode is the code pointer of every handler wrap installs (method
// values of one method share it), which tells a wrapped server from
// another without keeping a set of servers.
var tracedCode = reflect.ValueOf((&traced{}).serve).Pointer()

// wrap replaces s.Handler by a traced handler calling it, once per server.
func wrap(s *fasthttp.Server) {
	if s == nil {
		return
	}
	wrapMu.Lock()
	defer wrapMu.Unlock()
	if s.Handler == nil || reflect.ValueOf(s.Handler).Pointer() == tracedCode {
		return
	}
	s.Handler = (&traced{next: s.Handler, server: s}).serve
}

// traced is the wrapper of one server's handler.
type traced struct {
	next   fasthttp.RequestHandler
	server *fasthttp.Server
}

// serve runs the handler inside the request's SERVER span. The span's own
// code recovers its panics; the handler's panic goes on up, as without
// otelgo.
func (t *traced) serve(ctx *fasthttp.RequestCtx) {
	sc := startServer(ctx)
	if sc == nil {
		t.next(ctx)
		return
	}
	done := false
	defer func() {
		if !done {
			sc.end(ctx, true)
		}
	}()
	t.next(ctx)
	done = true
	sc.end(ctx, false)
}

// serverCall is the state of one request being served.
type serverCall struct {
	span    trace.Span
	req     *fastroute.Request
	start   time.Time
	ctx     context.Context // the span's, for the measurement's exemplar
	scheme  string
	method  attribute.KeyValue
	version string
}

// startServer starts the SERVER span of the request in ctx; nil if that
// failed (a panic in our code, which is recovered).
func startServer(ctx *fasthttp.RequestCtx) (sc *serverCall) {
	defer func() {
		if recover() != nil {
			sc = nil
		}
	}()
	start := time.Now()
	req := &ctx.Request
	parent := otel.GetTextMapPropagator().Extract(context.Background(), headerCarrier{&req.Header})

	attrs := make([]attribute.KeyValue, 0, 14)
	attrs, name := methodAttrs(attrs, ctx.Method())
	scheme := "http"
	if ctx.IsTLS() {
		scheme = "https"
	}
	attrs = append(attrs, semconv.URLScheme(scheme), semconv.URLPath(string(ctx.Path())))
	if q := ctx.URI().QueryString(); len(q) > 0 {
		attrs = append(attrs, semconv.URLQuery(httpattrs.RedactQuery(string(q))))
	}
	attrs = httpattrs.ServerAddress(attrs, string(ctx.Host()), scheme)
	version := httpattrs.ProtocolVersion(string(req.Header.Protocol()))
	if version != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersion(version))
	}
	if ua := ctx.UserAgent(); len(ua) > 0 {
		attrs = append(attrs, semconv.UserAgentOriginal(string(ua)))
	}
	var peer string
	var peerPort int
	if a := ctx.RemoteAddr(); a != nil {
		peer, peerPort = httpattrs.SplitHostPort(a.String())
	}
	if client := httpattrs.ForwardedClient(func(k string) string { return string(req.Header.Peek(k)) }); client != "" {
		attrs = append(attrs, semconv.ClientAddress(client))
	} else if peer != "" {
		attrs = append(attrs, semconv.ClientAddress(peer))
	}
	if peer != "" {
		attrs = append(attrs, semconv.NetworkPeerAddress(peer))
		if peerPort > 0 {
			attrs = append(attrs, semconv.NetworkPeerPort(peerPort))
		}
	}
	spanCtx, span := telemetry.Tracer(ScopeName).Start(parent, name,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attrs...))
	kv, _, _ := httpattrs.Method(string(ctx.Method()))
	return &serverCall{
		span:    span,
		req:     fastroute.Begin(ctx, span, name),
		start:   start,
		ctx:     spanCtx,
		scheme:  scheme,
		method:  kv,
		version: version,
	}
}

// end ends the span once the handler has returned (or panicked) and
// records the request's duration.
func (sc *serverCall) end(ctx *fasthttp.RequestCtx, panicked bool) {
	defer func() { _ = recover() }()
	fastroute.End(ctx)
	span := sc.span
	status := 0
	if !panicked {
		status = ctx.Response.StatusCode()
	}
	if status > 0 {
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	}
	errType := ""
	switch {
	case panicked:
		errType = "panic"
		span.SetStatus(codes.Error, "handler panicked")
	case status >= 500:
		errType = strconv.Itoa(status)
		span.SetStatus(codes.Error, "")
	}
	if errType != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(errType))
	}
	span.End()

	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, sc.method, semconv.URLScheme(sc.scheme))
	if status > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	if route := sc.req.Route(); route != "" {
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	if sc.version != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersion(sc.version))
	}
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	httpattrs.Instruments(ScopeName).Server.RecordSet(sc.ctx, httpattrs.Seconds(sc.start), attribute.NewSet(attrs...))
}
