package nethttp

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httpattrs"
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
	if !ready.Load() {
		return
	}
	if req == nil || req.URL == nil || isExporterRequest(req) || sentByOtelhttp(trace.SpanFromContext(req.Context())) {
		return
	}
	u := req.URL
	headers := req.Header.Clone()
	if headers == nil {
		headers = make(http.Header)
	}
	c := httpattrs.StartClient(req.Context(), ScopeName, req.Method, fullURL(u), u.Host, u.Scheme, propagation.HeaderCarrier(headers))
	out := req.WithContext(c.Ctx)
	out.Header = headers
	call.SetParam(0, out)
	call.SetData(c)
}

// ClientOnExit is the OnExit hook of (*Transport).RoundTrip. The span ends
// when RoundTrip returns, that is once the response headers are in.
func ClientOnExit(call api.CallContext, resp *http.Response, err error) {
	c, _ := call.Data().(*httpattrs.Client)
	if c == nil {
		return
	}
	status, version := 0, ""
	if resp != nil {
		status, version = resp.StatusCode, httpattrs.ProtocolVersionOf(resp.ProtoMajor, resp.ProtoMinor)
	}
	c.End(status, version, err, errorType)
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
