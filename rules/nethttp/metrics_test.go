package nethttp

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"otelgo.dev/rules/internal/httpattrs"
	"otelgo.dev/rules/internal/httproute"
)

var (
	readerOnce sync.Once
	reader     *sdkmetric.ManualReader
)

// metricReader installs, once for the test binary, a global MeterProvider
// read by hand: the hooks make their instruments once, from the global
// provider, as they do in a program otelgo built.
func metricReader() *sdkmetric.ManualReader {
	readerOnce.Do(func() {
		reader = sdkmetric.NewManualReader()
		otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	})
	return reader
}

// histogram returns the data points of the histogram name; the reader is
// cumulative, so they hold every test's measurements until then.
func histogram(t *testing.T, name string) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := metricReader().Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			if sm.Scope.Name != ScopeName || m.Unit != "s" {
				t.Errorf("%s: scope %q, unit %q", name, sm.Scope.Name, m.Unit)
			}
			return m.Data.(metricdata.Histogram[float64]).DataPoints
		}
	}
	return nil
}

// count is the count of the data point whose attributes are exactly want.
func count(points []metricdata.HistogramDataPoint[float64], want ...attribute.KeyValue) uint64 {
	set := attribute.NewSet(want...)
	for _, p := range points {
		if p.Attributes.Equals(&set) {
			return p.Count
		}
	}
	return 0
}

func TestDurationHistograms(t *testing.T) {
	metricReader()
	setup(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics-test/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/metrics-router/", func(w http.ResponseWriter, r *http.Request) {
		httproute.Set(r, "/metrics-router/:id")
		writeHeader(w, http.StatusServiceUnavailable)
	})
	srv := newServer(t, mux)
	c := newClient(t)
	for i := range 3 {
		get(t, c, srv.URL+"/metrics-test/"+strconv.Itoa(i), nil)
	}
	get(t, c, srv.URL+"/metrics-router/1", nil)
	_, port := httpattrs.SplitHostPort(srv.Listener.Addr().String())

	// The server measures after its handler returns, maybe after the client
	// has its response: wait for the last request's measurement.
	server := histogram(t, "http.server.request.duration")
	route503 := []attribute.KeyValue{
		attribute.String("http.request.method", "GET"), attribute.String("url.scheme", "http"),
		attribute.Int("http.response.status_code", 503), attribute.String("http.route", "/metrics-router/:id"),
		attribute.String("network.protocol.version", "1.1"), attribute.String("error.type", "503"),
	}
	for i := 0; i < 2000 && count(server, route503...) == 0; i++ {
		time.Sleep(time.Millisecond)
		server = histogram(t, "http.server.request.duration")
	}
	if n := count(server, route503...); n != 1 {
		t.Errorf("server, router route: count %d, want 1; points %v", n, server)
	}
	if n := count(server,
		attribute.String("http.request.method", "GET"), attribute.String("url.scheme", "http"),
		attribute.Int("http.response.status_code", 200), attribute.String("http.route", "/metrics-test/{id}"),
		attribute.String("network.protocol.version", "1.1")); n != 3 {
		t.Errorf("server, ServeMux route: count %d, want 3; points %v", n, server)
	}

	client := histogram(t, "http.client.request.duration")
	base := []attribute.KeyValue{
		attribute.String("http.request.method", "GET"), attribute.String("server.address", "127.0.0.1"),
		attribute.Int("server.port", port), attribute.String("url.scheme", "http"),
		attribute.String("network.protocol.version", "1.1"),
	}
	if n := count(client, append(base, attribute.Int("http.response.status_code", 200))...); n != 3 {
		t.Errorf("client 200: count %d, want 3; points %v", n, client)
	}
	if n := count(client, append(base, attribute.Int("http.response.status_code", 503), attribute.String("error.type", "503"))...); n != 1 {
		t.Errorf("client 503: count %d, want 1; points %v", n, client)
	}
}
