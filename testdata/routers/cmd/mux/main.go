// Command mux serves, on $ADDR, with gorilla/mux:
//
//	GET /users/{id}        200 "user ID"
//	GET /users/{id}/panic  the handler panics (net/http recovers)
//	GET /api/items/{id}    200 "item ID" (a subrouter)
//	GET /admin/{section}   403 from a middleware that refuses before the handler
//	anything else          mux's 404
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/gorilla/mux"
)

func main() {
	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", func(w http.ResponseWriter, req *http.Request) {
		fmt.Fprintf(w, "user %s", mux.Vars(req)["id"])
	}).Methods(http.MethodGet)
	r.HandleFunc("/users/{id}/panic", func(w http.ResponseWriter, req *http.Request) {
		panic("handler failed for user " + mux.Vars(req)["id"])
	}).Methods(http.MethodGet)
	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/items/{id}", func(w http.ResponseWriter, req *http.Request) {
		fmt.Fprintf(w, "item %s", mux.Vars(req)["id"])
	}).Methods(http.MethodGet)
	admin := r.PathPrefix("/admin").Subrouter()
	admin.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			http.Error(w, "forbidden", http.StatusForbidden)
		})
	})
	admin.HandleFunc("/{section}", func(w http.ResponseWriter, req *http.Request) {
		fmt.Fprintf(w, "admin %s", mux.Vars(req)["section"])
	}).Methods(http.MethodGet)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), r))
}
