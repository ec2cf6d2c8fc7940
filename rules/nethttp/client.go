package nethttp

import (
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
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
	if req == nil || req.URL == nil || isExporterRequest(req) {
		return
	}
	u := req.URL
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs, name := methodAttrs(attrs, req.Method)
	attrs = append(attrs, semconv.URLFull(fullURL(u)))
	if host, port := splitHostPort(u.Host); host != "" {
		if port == 0 {
			port = defaultPort(u.Scheme)
		}
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	ctx, span := tracer().Start(goroutine.Context(req.Context()), name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))

	out := req.WithContext(ctx)
	out.Header = req.Header.Clone()
	if out.Header == nil {
		out.Header = make(http.Header)
	}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(out.Header))
	call.SetParam(0, out)
	call.SetData(span)
}

// ClientOnExit is the OnExit hook of (*Transport).RoundTrip. The span ends
// when RoundTrip returns, that is once the response headers are in.
func ClientOnExit(call api.CallContext, resp *http.Response, err error) {
	span, _ := call.Data().(trace.Span)
	if span == nil {
		return
	}
	switch {
	case err != nil:
		span.SetAttributes(errorType(err))
		span.SetStatus(codes.Error, err.Error())
	case resp != nil:
		span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
		if v := protocolVersion(resp.ProtoMajor, resp.ProtoMinor); v != "" {
			span.SetAttributes(semconv.NetworkProtocolVersion(v))
		}
		if resp.StatusCode >= 400 {
			span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(resp.StatusCode)))
			span.SetStatus(codes.Error, "")
		}
	}
	span.End()
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
