// Command manual creates spans of its own with the global tracer, as code
// written against the OpenTelemetry API does, and calls a backend inside
// them. Built with otelgo, its spans and the automatic ones form one trace.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
)

var tracer = otel.Tracer("example.com/hybrid/manual")

func callBackend(ctx context.Context) (string, error) {
	ctx, span := tracer.Start(ctx, "call-backend")
	defer span.End()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, os.Getenv("BACKEND_URL"), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func work(w http.ResponseWriter, r *http.Request) {
	ctx, span := tracer.Start(r.Context(), "handle-work")
	span.SetAttributes(attribute.String("app.step", "outer"))
	defer span.End()
	body, err := callBackend(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, body)
}

func main() {
	http.HandleFunc("/work", work)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
