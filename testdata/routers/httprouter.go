package main

import (
	"net/http"

	"github.com/julienschmidt/httprouter"
)

func httprouterRouter() http.Handler {
	r := httprouter.New()
	r.GET("/users/:id", func(w http.ResponseWriter, req *http.Request, ps httprouter.Params) {
		_, _ = w.Write([]byte(user(ps.ByName("id"))))
	})
	r.GET("/users/:id/fail", func(w http.ResponseWriter, req *http.Request, ps httprouter.Params) {
		http.Error(w, errFailed.Error(), http.StatusInternalServerError)
	})
	r.GET("/users/:id/panic", func(w http.ResponseWriter, req *http.Request, ps httprouter.Params) {
		panic("handler failed for user " + ps.ByName("id"))
	})
	r.HandlerFunc(http.MethodGet, "/api/items/:id", func(w http.ResponseWriter, req *http.Request) {
		ps := httprouter.ParamsFromContext(req.Context())
		_, _ = w.Write([]byte(item(ps.ByName("id"))))
	})
	// httprouter has no middlewares: a handler wrapped in a check that refuses.
	refuse := func(httprouter.Handle) httprouter.Handle {
		return func(w http.ResponseWriter, req *http.Request, _ httprouter.Params) {
			http.Error(w, "forbidden", http.StatusForbidden)
		}
	}
	r.GET("/admin/:section", refuse(func(w http.ResponseWriter, req *http.Request, ps httprouter.Params) {
		_, _ = w.Write([]byte("admin " + ps.ByName("section")))
	}))
	return r
}
