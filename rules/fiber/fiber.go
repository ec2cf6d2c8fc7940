// Package fiber holds the hooks otelgo splices into
// github.com/gofiber/fiber/v2. Fiber serves through fasthttp's own HTTP
// server, whose hooks (otelgo.dev/rules/fasthttp) make the one SERVER span
// of each request; fiber adds no span. Its hooks give that span the route
// fiber matched (c.Route().Path, e.g. "/users/:id", with the prefixes of
// its groups and mounts) as http.route and in its name, "GET /users/:id",
// and http.server.request.duration gets the route too
// (otelgo.dev/rules/internal/fastroute).
//
// Middlewares registered with app.Use are not routes: a request that
// reaches no handler route (404, 405) keeps the name "GET" and gets no
// http.route. Handlers find the SERVER span in c.UserContext() (unless a
// context holding a span was set there before), so calls given that
// context nest under the request.
//
// A program that also installs a tracing middleware of its own (otelfiber)
// gets that middleware's span under otelgo's SERVER span.
//
// The rules are in fiber.json beside this file; the hooks are reached from
// fiber through //go:linkname, so their signatures follow the convention of
// otelgo.dev/rules/api exactly.
package fiber

import (
	"github.com/gofiber/fiber/v2"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/fastroute"
)

// isMiddleware reports whether r is a route app.Use registered (fiber.Route's
// unexported field "use").
var isMiddleware = fastroute.UseFlag[fiber.Route]("use")

// NextOnEnter is the OnEnter hook of
//
//	func (app *App) next(c *Ctx) (match bool, err error)
//
// in fiber (router.go), which routes a request to the next matching route,
// from (*App).handler and from c.Next(). On the first call for a request
// c.UserContext() gets the request's SERVER span.
func NextOnEnter(_ api.CallContext, _ *fiber.App, c *fiber.Ctx) {
	if c != nil {
		fastroute.ShareSpan(c.Context(), c.UserContext, c.SetUserContext)
	}
}

// NextOnExit is the OnExit hook of (*App).next: the route it matched (or
// a deeper call through c.Next() matched) is c.Route(). It runs also when
// a handler panics.
func NextOnExit(call api.CallContext, _ bool, _ error) {
	c, _ := call.Param(0).(*fiber.Ctx)
	if c == nil {
		return
	}
	r := c.Route()
	// Without a matched route Route() is a stand-in with the raw path and
	// no handlers; a middleware's route is not the request's.
	if r == nil || len(r.Handlers) == 0 || isMiddleware(r) {
		return
	}
	fastroute.Set(c.Context(), r.Path)
}
