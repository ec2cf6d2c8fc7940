// Command newotel requires a newer OpenTelemetry than otelgo's hooks do
// (v1.47.0 against v1.41.0) and uses its API itself: a manual span around
// one request to its own server. It prints the SDK version it was built
// with. It sets up no SDK: built with otelgo, the bootstrap does.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/sdk"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "sdk %s\n", sdk.Version())
	})
	go http.Serve(ln, mux)

	ctx, span := otel.Tracer("example.com/reliability/newotel").Start(context.Background(), "fetch-version")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ln.Addr().String()+"/version", nil)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	span.End()
	fmt.Print(string(body))
}
