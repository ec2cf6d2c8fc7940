package fasthttp

import (
	"context"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/httpattrs"
	"otelgo.dev/rules/internal/telemetry"
)

// clientCall is the state of one request sent, from ClientOnEnter to
// ClientOnExit.
type clientCall struct {
	span  trace.Span
	start time.Time
	ctx   context.Context
	resp  *fasthttp.Response
	attrs []attribute.KeyValue // http.client.request.duration's, known at the start
}

// ClientOnEnter is the OnEnter hook of
//
//	func (c *HostClient) doNonNilReqResp(req *Request, resp *Response) (bool, error)
//
// in fasthttp (client.go), where every attempt of a request sent through a
// HostClient (and so through a Client) is written and its response read.
// It starts the CLIENT span under the goroutine's current span and
// injects its context into the request's headers.
func ClientOnEnter(call api.CallContext, c *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response) {
	if req == nil || resp == nil {
		return // fasthttp panics
	}
	start := time.Now()
	u := req.URI()
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs, name := methodAttrs(attrs, req.Header.Method())
	attrs = append(attrs, semconv.URLFull(fullURL(u)))
	scheme := string(u.Scheme())
	hostport := string(u.Host())
	if hostport == "" && c != nil {
		hostport = c.Addr
	}
	attrs = httpattrs.ServerAddress(attrs, hostport, scheme)
	ctx, span := telemetry.Tracer(ScopeName).Start(goroutine.Context(context.Background()), name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))
	otel.GetTextMapPropagator().Inject(ctx, headerCarrier{&req.Header})

	kv, _, _ := httpattrs.Method(string(req.Header.Method()))
	metricAttrs := make([]attribute.KeyValue, 0, 7)
	metricAttrs = httpattrs.ServerAddress(append(metricAttrs, kv), hostport, scheme)
	if scheme != "" {
		metricAttrs = append(metricAttrs, semconv.URLScheme(scheme))
	}
	call.SetData(&clientCall{span: span, start: start, ctx: ctx, resp: resp, attrs: metricAttrs})
}

// ClientOnExit is the OnExit hook of (*HostClient).doNonNilReqResp: the
// response's headers are in (or the attempt failed).
func ClientOnExit(call api.CallContext, _ bool, err error) {
	c, _ := call.Data().(*clientCall)
	if c == nil {
		return
	}
	var outcome []attribute.KeyValue
	switch {
	case err != nil:
		outcome = append(outcome, errorType(err))
		c.span.SetStatus(codes.Error, err.Error())
	default:
		status := c.resp.StatusCode()
		outcome = append(outcome, semconv.HTTPResponseStatusCode(status))
		if v := httpattrs.ProtocolVersion(string(c.resp.Header.Protocol())); v != "" {
			outcome = append(outcome, semconv.NetworkProtocolVersion(v))
		}
		if status >= 400 {
			outcome = append(outcome, semconv.ErrorTypeKey.String(strconv.Itoa(status)))
			c.span.SetStatus(codes.Error, "")
		}
	}
	c.span.SetAttributes(outcome...)
	c.span.End()
	attrs := append(c.attrs[:len(c.attrs):len(c.attrs)], outcome...)
	httpattrs.Instruments(ScopeName).Client.RecordSet(c.ctx, httpattrs.Seconds(c.start), attribute.NewSet(attrs...))
}
