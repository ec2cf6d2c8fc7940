// Command hello is the demo: it serves one route, calls it once over HTTP
// and exits. It has no OpenTelemetry code; built with `otel go build`, it
// exports a client span and the server span under it, in one trace.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s\n", r.PathValue("name"))
	})
	go http.Serve(ln, mux)

	resp, err := http.Get("http://" + ln.Addr().String() + "/hello/gopher")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%s %s", resp.Status, body)
}
