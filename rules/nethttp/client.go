package nethttp

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// ClientOnEnter is the OnEnter hook of
//
//	func (t *Transport) RoundTrip(req *Request) (*Response, error)
//
// in net/http (roundtrip.go). It starts a CLIENT span as a child of the span
// in req's context and sends a copy of req carrying that context and a
// copy of the headers with the propagation headers added (a RoundTripper
// must not modify the caller's request).
func ClientOnEnter(call api.CallContext, _ *http.Transport, req *http.Request) {
	if req == nil || req.URL == nil || isExporterRequest(req) || sentByOtelhttp(trace.SpanFromContext(req.Context())) {
		return
	}
	start := time.Now()
	u := req.URL
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs, name := methodAttrs(attrs, req.Method)
	attrs = append(attrs, semconv.URLFull(fullURL(u)))
	host, port := splitHostPort(u.Host)
	if host != "" {
		if port == 0 {
			port = defaultPort(u.Scheme)
		}
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	ctx, span := telemetry.Tracer(ScopeName).Start(goroutine.Context(req.Context()), name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))

	out := req.WithContext(ctx)
	out.Header = req.Header.Clone()
	if out.Header == nil {
		out.Header = make(http.Header)
	}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(out.Header))
	call.SetParam(0, out)
	call.SetData(&clientCall{span: span, start: start, ctx: ctx, attrs: clientAttrs(req, host, port)})
}

// clientCall is the state of one RoundTrip, from ClientOnEnter to
// ClientOnExit.
type clientCall struct {
	span  trace.Span
	start time.Time
	ctx   context.Context      // the span's: measurements link to it as exemplars
	attrs []attribute.KeyValue // http.client.request.duration's, known at the start
}

// ClientOnExit is the OnExit hook of (*Transport).RoundTrip. The span ends
// when RoundTrip returns, that is once the response headers are in.
func ClientOnExit(call api.CallContext, resp *http.Response, err error) {
	c, _ := call.Data().(*clientCall)
	if c == nil {
		return
	}
	var outcome []attribute.KeyValue
	switch {
	case err != nil:
		outcome = append(outcome, errorType(err))
		c.span.SetStatus(codes.Error, err.Error())
	case resp != nil:
		outcome = append(outcome, semconv.HTTPResponseStatusCode(resp.StatusCode))
		if v := protocolVersion(resp.ProtoMajor, resp.ProtoMinor); v != "" {
			outcome = append(outcome, semconv.NetworkProtocolVersion(v))
		}
		if resp.StatusCode >= 400 {
			outcome = append(outcome, semconv.ErrorTypeKey.String(strconv.Itoa(resp.StatusCode)))
			c.span.SetStatus(codes.Error, "")
		}
	}
	c.span.SetAttributes(outcome...)
	c.span.End()
	recordClient(c, outcome)
}

// User-Agent prefixes of the OTLP/HTTP exporters of go.opentelemetry.io/otel
// (otlptracehttp, otlpmetrichttp, otlploghttp client.go). Their requests are
// not traced: a span per export would be exported in turn, forever.
const (
	traceExporterUA = "OTel OTLP Exporter Go/"
	otherExporterUA = "OTel Go OTLP over " // "... HTTP/protobuf metrics exporter/", "... logs exporter/"
)

// isExporterRequest reports whether req is an OTLP export: sent by one of
// the Go OTLP/HTTP exporters, or (should OTEL_EXPORTER_OTLP_HEADERS have
// replaced their User-Agent) a protobuf POST to an OTLP signal path.
func isExporterRequest(req *http.Request) bool {
	ua := req.Header.Get("User-Agent")
	if strings.HasPrefix(ua, traceExporterUA) || strings.HasPrefix(ua, otherExporterUA) {
		return true
	}
	if req.Method != http.MethodPost {
		return false
	}
	p := req.URL.Path
	if !strings.HasSuffix(p, "/v1/traces") && !strings.HasSuffix(p, "/v1/metrics") && !strings.HasSuffix(p, "/v1/logs") {
		return false
	}
	return req.Header.Get("Content-Type") == "application/x-protobuf"
}
