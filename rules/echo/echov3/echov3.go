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
//
// A request Find found no route for keeps echo's NotFoundHandler or
// MethodNotAllowedHandler as its handler, and c.Path() is then the
// request's path, not a route: it is left unrouted. A route a Group
// registered for itself, prefix + "/*" answering 404 so that the group's
// middlewares run, is a route: echo's c.Path() says so, and the hook takes
// its word.
func FindOnExit(call api.CallContext) {
	c, _ := call.Param(2).(echo.Context)
	if c == nil {
		return
	}
	httproute.SetHandled(c.Request(), c.Path(), c.Handler(), echo.NotFoundHandler, echo.MethodNotAllowedHandler)
}
