// Package echov3 holds the hooks otelgo splices into echo v3
// (github.com/labstack/echo, v3.3.x+incompatible: the module path without
// /v4, the version of most articles about echo): the net/http SERVER span
// of a request an *echo.Echo serves gets the route echo matched (c.Path(),
// e.g. "/users/:id") as http.route and in its name, "GET /users/:id". No
// span is added: echo serves through net/http, whose hooks
// (otelgo.dev/rules/nethttp) make the one SERVER span.
//
// Echo v3's router is the one echo v4.0 still has: the hook is the same as
// otelgo.dev/rules/echo's, on the v3 import path. Requests that match no
// route (echo's 404 and 405 handlers) keep the name "GET" and get no
// http.route. The rules are in echov3.json beside this file.
package echov3

import (
	"reflect"

	"github.com/labstack/echo"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// FindOnExit is the OnExit hook of
//
//	func (r *Router) Find(method, path string, c Context)
//
// in echo (router.go), which (*Echo).ServeHTTP calls to route each request
// before the middlewares added with Use run (after those added with Pre).
// Once it returns, c.Path() is the matched route and c.Handler() the
// handler to run: the route is set before any handler runs, so requests
// refused by a middleware and handlers that panic have it too.
func FindOnExit(call api.CallContext) {
	c, _ := call.Param(2).(echo.Context)
	if c == nil {
		return
	}
	if unrouted(c.Handler()) {
		httproute.Unrouted(c.Request())
		return
	}
	httproute.Set(c.Request(), c.Path())
}

// unrouted reports whether Find found no route (a route a Group registered
// for itself, prefix + "/*" answering 404 so that the group's middlewares
// run, is a route: echo's c.Path() says so, and the hook takes its word): it then leaves echo's
// NotFoundHandler or MethodNotAllowedHandler as the handler, and c.Path()
// is the request's path, not a route.
func unrouted(h echo.HandlerFunc) bool {
	if h == nil {
		return true
	}
	p := reflect.ValueOf(h).Pointer()
	return p == reflect.ValueOf(echo.NotFoundHandler).Pointer() ||
		p == reflect.ValueOf(echo.MethodNotAllowedHandler).Pointer()
}
