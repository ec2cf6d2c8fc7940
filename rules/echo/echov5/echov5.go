// Package echov5 holds the hooks otelgo splices into echo v5
// (github.com/labstack/echo/v5): the net/http SERVER span of a request an
// *echo.Echo serves gets the route echo matched (e.g. "/users/:id") as
// http.route and in its name, "GET /users/:id". No span is added: echo
// serves through net/http, whose hooks (otelgo.dev/rules/nethttp) make the
// one SERVER span.
//
// In v5 a Router returns the handler of a request and must give the
// *echo.Context the matched route through (*Context).InitializeRoute,
// which is hooked: that covers echo's DefaultRouter and routers of the
// program's own. Requests that match no route (404, 405, and the handlers
// registered with RouteNotFound) keep the name "GET" and get no
// http.route. The rules are in echov5.json beside this file.
package echov5

import (
	"github.com/labstack/echo/v5"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// InitializeRouteOnEnter is the OnEnter hook of
//
//	func (c *Context) InitializeRoute(ri *RouteInfo, pathValues *PathValues)
//
// in echo v5 (context.go), which the router calls while (*Echo).ServeHTTP
// routes a request, before the middlewares added with Use and the handler
// run. For a request it matches no route for, ri is a RouteInfo with an
// empty Path (404, 405) or one whose Method is echo.RouteNotFound.
func InitializeRouteOnEnter(_ api.CallContext, c *echo.Context, ri *echo.RouteInfo, _ *echo.PathValues) {
	if c == nil || ri == nil {
		return
	}
	if ri.Path == "" || ri.Method == echo.RouteNotFound {
		// Since v5.4 the router writes the path it nearly matched in
		// Request.Pattern, also for a 404 or 405: not a route.
		httproute.Unrouted(c.Request())
		return
	}
	httproute.Set(c.Request(), ri.Path)
}
