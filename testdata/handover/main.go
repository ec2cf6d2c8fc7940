// Command handover serves /deep through an otelhttp handler behind a
// middleware of its own, on the oldest OpenTelemetry (v1.24.0) and otelhttp
// (v0.49.0) that otelgo hands its SERVER span to such a handler on. It does
// not set up an SDK (otelgo's bootstrap does, in an `otel go build`).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

func main() {
	deep := otelhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "deep")
	}), "deep")
	http.Handle("/deep", logged(deep))
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), nil))
}

// logged hides the otelhttp handler behind it from otelgo until a request
// reaches it.
func logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.Path)
		next.ServeHTTP(w, r)
	})
}
