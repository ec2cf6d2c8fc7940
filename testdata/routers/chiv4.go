package main

import (
	"net/http"

	"github.com/go-chi/chi"
)

func chiv4Router() http.Handler {
	r := chi.NewRouter()
	r.Get("/users/{id}", func(w http.ResponseWriter, req *http.Request) {
		_, _ = w.Write([]byte(user(chi.URLParam(req, "id"))))
	})
	r.Get("/users/{id}/fail", func(w http.ResponseWriter, req *http.Request) {
		http.Error(w, errFailed.Error(), http.StatusInternalServerError)
	})
	r.Get("/users/{id}/panic", func(w http.ResponseWriter, req *http.Request) {
		panic("handler failed for user " + chi.URLParam(req, "id"))
	})
	// A router of its own, mounted: chi routes /api/* to it, and it the rest.
	r.Route("/api", func(r chi.Router) {
		r.Get("/items/{id}", func(w http.ResponseWriter, req *http.Request) {
			_, _ = w.Write([]byte(item(chi.URLParam(req, "id"))))
		})
	})
	r.With(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			http.Error(w, "forbidden", http.StatusForbidden)
		})
	}).Get("/admin/{section}", func(w http.ResponseWriter, req *http.Request) {
		_, _ = w.Write([]byte("admin " + chi.URLParam(req, "section")))
	})
	return r
}
