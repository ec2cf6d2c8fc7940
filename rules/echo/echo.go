// Package echo holds the hooks otelgo splices into github.com/labstack/echo/v4:
// the net/http SERVER span of a request an *echo.Echo serves gets the route
// echo matched (c.Path(), e.g. "/users/:id") as http.route and in its name,
// "GET /users/:id". No span is added: echo serves through net/http, whose
// hooks (otelgo.dev/rules/nethttp) make the one SERVER span.
//
// Requests that match no route (echo's 404 and 405 handlers) keep the name
// "GET" and get no http.route. Echo v3 (github.com/labstack/echo, whose
// router is the same as v4.0's) and echo v5 have their hooks in the nested
// modules echov3 and echov5. The rules are in echo.json beside this file;
// the hooks are reached from echo through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package echo

import (
	"github.com/labstack/echo/v4"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// FindOnExit is the OnExit hook of
//
//	func (r *Router) Find(method, path string, c Context)
//
// in echo (router.go), which (*Echo).ServeHTTP calls to route each request
// before any middleware added with Use runs (and after those added with
// Pre). Once it returns, c.Path() is the matched route and c.Handler() the
// handler to run; setting the route there, before the handler, covers
// handlers that panic too.
//
// A request Find found no route for keeps echo's NotFoundHandler or
// MethodNotAllowedHandler as its handler, and c.Path() is then not a route
// (depending on echo's version, the request's path or the closest node's
// path): it is left unrouted. A route a Group registered for itself,
// prefix + "/*" answering 404 so that the group's middlewares run, is a
// route: echo's c.Path() says so, and the hook takes its word.
func FindOnExit(call api.CallContext) {
	c, _ := call.Param(2).(echo.Context)
	if c == nil {
		return
	}
	httproute.SetHandled(c.Request(), c.Path(), c.Handler(), echo.NotFoundHandler, echo.MethodNotAllowedHandler)
}
