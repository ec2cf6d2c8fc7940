package nethttp

import (
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "otelgo.dev/rules/internal/semconv"
	"otelgo.dev/rules/internal/semconv/httpconv"

	"otelgo.dev/rules/internal/telemetry"
)

// durations are the duration histograms of the HTTP semantic conventions,
// made on first use from the global MeterProvider (by then otelgo's SDK
// set-up, or the program's own, has installed it; were it not, the global
// provider hands the measurements on once it is), and made again when the
// program installs another.
type durations struct {
	server httpconv.ServerRequestDuration
	client httpconv.ClientRequestDuration
}

var instruments = telemetry.NewInstruments(func(meter metric.Meter) (d durations) {
	var err error
	if d.server, err = httpconv.NewServerRequestDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	if d.client, err = httpconv.NewClientRequestDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	return d
})

// durationBuckets are the bucket boundaries the HTTP conventions advise for
// the duration histograms (the SDK's default ones suit milliseconds).
var durationBuckets = metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

// seconds is the time since start, as the histograms take it.
func seconds(start time.Time) float64 {
	return float64(time.Since(start)) / float64(time.Second)
}

// recordServer records one request served in http.server.request.duration,
// with the attributes the conventions name for it (server.address and
// server.port are opt-in: the Host header is the client's to choose).
// route is "" when no router matched; errType "" when the request did not fail.
func recordServer(start time.Time, req *http.Request, scheme string, status int, route, errType string) {
	kv, _, _ := method(req.Method)
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, kv, semconv.URLScheme(scheme))
	if status > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	if route != "" {
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	if v := protocolVersion(req.ProtoMajor, req.ProtoMinor); v != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersion(v))
	}
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	// RecordSet: the generated Record drops its required attributes when
	// it is given no optional ones.
	instruments.Get(ScopeName).server.RecordSet(req.Context(), seconds(start), attribute.NewSet(attrs...))
}

// clientAttrs are the attributes of http.client.request.duration known
// before the request is sent.
func clientAttrs(req *http.Request, host string, port int) []attribute.KeyValue {
	kv, _, _ := method(req.Method)
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs, kv)
	if host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if req.URL.Scheme != "" {
		attrs = append(attrs, semconv.URLScheme(req.URL.Scheme))
	}
	return attrs
}

// recordClient records one RoundTrip in http.client.request.duration;
// outcome is what the response (or error) added to the span.
func recordClient(c *clientCall, outcome []attribute.KeyValue) {
	attrs := append(c.attrs[:len(c.attrs):len(c.attrs)], outcome...)
	instruments.Get(ScopeName).client.RecordSet(c.ctx, seconds(c.start), attribute.NewSet(attrs...))
}
