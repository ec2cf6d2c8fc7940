package hertz

import (
	"context"
	"strconv"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/protocol"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/httpattrs"
	"otelgo.dev/rules/internal/telemetry"
)

// serverCall is the state of one request being served.
type serverCall struct {
	span    trace.Span
	ctx     context.Context
	start   time.Time
	name    string
	scheme  string
	method  attribute.KeyValue
	version string
}

// serverMiddleware traces one request: the rest of the chain runs in its
// SERVER span.
func serverMiddleware(c context.Context, rc *app.RequestContext) {
	sc := startServer(c, rc)
	if sc == nil {
		rc.Next(c)
		return
	}
	done := false
	defer func() {
		if !done {
			sc.end(rc, true)
		}
	}()
	rc.Next(sc.ctx)
	done = true
	sc.end(rc, false)
}

func startServer(c context.Context, rc *app.RequestContext) (sc *serverCall) {
	defer func() {
		if recover() != nil {
			sc = nil
		}
	}()
	start := time.Now()
	req := &rc.Request
	parent := otel.GetTextMapPropagator().Extract(c, headerCarrier{&req.Header})
	attrs := make([]attribute.KeyValue, 0, 14)
	attrs, name := httpattrs.MethodAttrs(attrs, string(rc.Method()))
	scheme := string(req.Scheme())
	if scheme == "" {
		scheme = "http"
	}
	attrs = append(attrs, semconv.URLScheme(scheme), semconv.URLPath(string(rc.Path())))
	if q := req.URI().QueryString(); len(q) > 0 {
		attrs = append(attrs, semconv.URLQuery(httpattrs.RedactQuery(string(q))))
	}
	attrs = httpattrs.ServerAddress(attrs, string(rc.Host()), scheme)
	version := httpattrs.ProtocolVersion(req.Header.GetProtocol())
	if version != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersion(version))
	}
	if ua := req.Header.UserAgent(); len(ua) > 0 {
		attrs = append(attrs, semconv.UserAgentOriginal(string(ua)))
	}
	var peer string
	var peerPort int
	if a := rc.RemoteAddr(); a != nil {
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
	ctx, span := telemetry.Tracer(ScopeName).Start(parent, name,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attrs...))
	kv, _, _ := httpattrs.Method(string(rc.Method()))
	return &serverCall{span: span, ctx: ctx, start: start, name: name, scheme: scheme, method: kv, version: version}
}

// end ends the span once the chain has returned (or panicked past every
// recovery middleware) and records the request's duration.
func (sc *serverCall) end(rc *app.RequestContext, panicked bool) {
	defer func() { _ = recover() }()
	span := sc.span
	route := rc.FullPath()
	if route != "" {
		span.SetName(sc.name + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route))
	}
	status := 0
	if !panicked {
		status = rc.Response.StatusCode()
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
	if route != "" {
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

// headerCarrier is the propagation.TextMapCarrier of a request's headers.
type headerCarrier struct{ h *protocol.RequestHeader }

func (c headerCarrier) Get(key string) string { return string(c.h.Peek(key)) }
func (c headerCarrier) Set(key, value string) { c.h.Set(key, value) }
func (c headerCarrier) Keys() []string {
	var keys []string
	c.h.VisitAll(func(k, _ []byte) { keys = append(keys, string(k)) })
	return keys
}
