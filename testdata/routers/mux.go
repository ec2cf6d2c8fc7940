package main

import (
	"net/http"

	"github.com/gorilla/mux"
)

func muxRouter() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", func(w http.ResponseWriter, req *http.Request) {
		_, _ = w.Write([]byte(user(mux.Vars(req)["id"])))
	}).Methods(http.MethodGet)
	r.HandleFunc("/users/{id}/fail", func(w http.ResponseWriter, req *http.Request) {
		http.Error(w, errFailed.Error(), http.StatusInternalServerError)
	}).Methods(http.MethodGet)
	r.HandleFunc("/users/{id}/panic", func(w http.ResponseWriter, req *http.Request) {
		panic("handler failed for user " + mux.Vars(req)["id"])
	}).Methods(http.MethodGet)
	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/items/{id}", func(w http.ResponseWriter, req *http.Request) {
		_, _ = w.Write([]byte(item(mux.Vars(req)["id"])))
	}).Methods(http.MethodGet)
	admin := r.PathPrefix("/admin").Subrouter()
	admin.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			http.Error(w, "forbidden", http.StatusForbidden)
		})
	})
	admin.HandleFunc("/{section}", func(w http.ResponseWriter, req *http.Request) {
		_, _ = w.Write([]byte("admin " + mux.Vars(req)["section"]))
	}).Methods(http.MethodGet)
	return r
}
