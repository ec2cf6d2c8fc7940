// Command plainhttp is the smallest net/http server: GET /hello answers
// "hello". It has no OpenTelemetry code; bench/runtime.py builds it with
// `otel go build` (and with plain `go build` as the uninstrumented baseline)
// and compares it with testdata/bench/otelhttp, the same server wrapped in
// otelhttp.NewHandler by hand. ADDR is the address to listen on.
package main

import (
	"log"
	"net/http"
	"os"
)

func hello(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("hello\n")) //nolint:errcheck // nothing to do about it
}

func main() {
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", hello)
	log.Fatal(http.ListenAndServe(addr, mux))
}
