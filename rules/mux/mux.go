// Package mux holds the hooks otelgo splices into github.com/gorilla/mux:
// the net/http SERVER span of a request a *mux.Router serves gets the path
// template of the route it matched (e.g. "/users/{id}") as http.route and
// in its name, "GET /users/{id}". No span is added: mux serves through
// net/http, whose hooks (otelgo.dev/rules/nethttp) make the one SERVER span.
//
// Requests that match no route (404, 405) keep the name "GET" and get no
// http.route. The rules are in mux.json beside this file; the hooks are
// reached from mux through //go:linkname, so their signatures follow the
// convention of otelgo.dev/rules/api exactly.
//
// (*Router).ServeHTTP hands the matched route to the request through
// setCurrentRoute(r, val interface{}) up to v1.7.3 and through
// requestWithRoute(r, route *Route) from v1.7.4 on: one rule each, with
// the version ranges that split at v1.7.4.
package mux

import (
	"net/http"

	"github.com/gorilla/mux"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// RequestWithRouteOnEnter is the OnEnter hook of
//
//	func requestWithRoute(r *http.Request, route *Route) *http.Request
//
// in mux (mux.go): (*Router).ServeHTTP calls it once a route matched, just
// before the handler runs, to make the request mux.CurrentRoute reads. A
// router with a NotFoundHandler passes a nil route for unmatched requests.
// Nested routers call it once each; the innermost, last, wins.
func RequestWithRouteOnEnter(_ api.CallContext, r *http.Request, route *mux.Route) {
	if route == nil {
		return
	}
	if tmpl, err := route.GetPathTemplate(); err == nil {
		httproute.Set(r, tmpl)
	}
}

// SetCurrentRouteOnEnter is the OnEnter hook of
//
//	func setCurrentRoute(r *http.Request, val interface{}) *http.Request
//
// in mux up to v1.7.3 (mux.go), which (*Router).ServeHTTP calls at the same
// point as requestWithRoute later: once a route matched, before its
// handler runs. val is the *Route (nil when a NotFoundHandler answers).
func SetCurrentRouteOnEnter(call api.CallContext, r *http.Request, val any) {
	route, _ := val.(*mux.Route)
	RequestWithRouteOnEnter(call, r, route)
}
