// Command backend serves /work (200 "ok") and /fail (500) on $ADDR, and
// /v1/items/{id} and /api/things from ServeMuxes behind its own: the first
// behind a middleware that copies the request, the second behind
// http.StripPrefix.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /work", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "backend failure", http.StatusInternalServerError)
	})
	v1 := http.NewServeMux()
	v1.HandleFunc("GET /v1/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("item " + r.PathValue("id")))
	})
	mux.Handle("/v1/", withValue(v1))
	api := http.NewServeMux()
	api.HandleFunc("GET /things", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("things"))
	})
	mux.Handle("/api/", http.StripPrefix("/api", api))
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

type key struct{}

// withValue is a middleware that hands next a copy of the request.
func withValue(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, "v")))
	})
}
