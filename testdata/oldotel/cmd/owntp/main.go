// Command owntp, on OpenTelemetry v1.28.0, sets up its own TracerProvider
// and exporter, as many
// services do, and creates a span around its outgoing call. Built with
// otelgo, the automatic spans use that provider and join the same trace.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

func setupTracing(ctx context.Context) (func(context.Context) error, error) {
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter, sdktrace.WithBatchTimeout(100*time.Millisecond)),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("owntp-service"))),
	)
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

func work(w http.ResponseWriter, r *http.Request) {
	ctx, span := otel.Tracer("example.com/oldotel/owntp").Start(r.Context(), "own-span")
	defer span.End()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, os.Getenv("BACKEND_URL"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Fprintln(w, string(body))
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdown, err := setupTracing(ctx)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: os.Getenv("ADDR"), Handler: http.HandlerFunc(work)}
	go srv.ListenAndServe()
	<-ctx.Done()
	srv.Shutdown(context.Background())
	shutdown(context.Background())
}
