// Command frontend serves a few routes on $ADDR and calls the backend at
// $BACKEND_URL. It is plain net/http code with no OpenTelemetry in it: the
// tests build it with otelgo and check the spans it emits.
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

var backendURL = os.Getenv("BACKEND_URL")

// callBackend GETs path on the backend, carrying the incoming request's
// context so that the client call belongs to the server request.
func callBackend(r *http.Request, path string) (int, string, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, backendURL+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func hello(w http.ResponseWriter, r *http.Request) {
	status, body, err := callBackend(r, "/work")
	if err != nil || status != http.StatusOK {
		http.Error(w, fmt.Sprintf("backend: status %d, error %v", status, err), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "hello %s: %s\n", r.PathValue("name"), body)
}

func boom(w http.ResponseWriter, r *http.Request) {
	status, _, err := callBackend(r, "/fail")
	http.Error(w, fmt.Sprintf("backend: status %d, error %v", status, err), http.StatusBadGateway)
}

func panicky(w http.ResponseWriter, r *http.Request) {
	explode()
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", hello)
	mux.HandleFunc("GET /boom", boom)
	mux.HandleFunc("GET /panic", panicky)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}
