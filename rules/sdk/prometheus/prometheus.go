// Package prometheus sets up the Prometheus exporter when
// OTEL_METRICS_EXPORTER=prometheus: a scrape endpoint on
// OTEL_EXPORTER_PROMETHEUS_HOST:OTEL_EXPORTER_PROMETHEUS_PORT
// (localhost:9464 by default) serving /metrics, as contrib's autoexport
// does.
//
// otelgo imports it beside otelgo.dev/rules/sdk only when the build asks
// for it (`--exporters otlp,console,prometheus`, or exporters in
// otelgo.toml) and the build's OpenTelemetry release set can build it
// without raising one of the program's modules (the exporter's
// client_golang requires newer xxhash, protobuf, klauspost/compress... than
// many programs have): it is a package of its own so that the SDK
// bootstrap builds without it. Its init runs after the bootstrap's and
// joins the SDK through sdk.AfterSetup.
package prometheus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	promexporter "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"otelgo.dev/rules/sdk"
)

func init() {
	sdk.AfterSetup(setup)
}

func setup(ctx context.Context, res *resource.Resource) (func(context.Context) error, error) {
	if !sdk.Take(sdk.PrometheusExporter) {
		return nil, nil
	}
	reader, err := newReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot create the metric reader: %w (OTEL_METRICS_EXPORTER=%q); the program exports no metrics",
			err, os.Getenv("OTEL_METRICS_EXPORTER"))
	}
	sdk.StartMetrics(reader, res) // shut down with the SDK's MeterProvider
	return nil, nil
}

func newReader(ctx context.Context) (sdkmetric.Reader, error) {
	reg := prometheus.NewRegistry()
	reader, err := promexporter.New(promexporter.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	server := &http.Server{
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 10 * time.Second,
		IdleTimeout:  120 * time.Second,
		Handler:      mux,
	}
	addr := getenv("OTEL_EXPORTER_PROMETHEUS_HOST", "localhost") + ":" + getenv("OTEL_EXPORTER_PROMETHEUS_PORT", "9464")
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("binding address %s for Prometheus exporter: %w", addr, err), reader.Shutdown(ctx))
	}
	go func() {
		if err := server.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			otel.Handle(fmt.Errorf("the Prometheus HTTP server exited unexpectedly: %w", err))
		}
	}()
	return readerWithServer{reader, server}, nil
}

// readerWithServer stops the scrape endpoint when the reader shuts down.
type readerWithServer struct {
	sdkmetric.Reader
	server *http.Server
}

func (r readerWithServer) Shutdown(ctx context.Context) error {
	return errors.Join(r.Reader.Shutdown(ctx), r.server.Shutdown(ctx))
}

func getenv(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
