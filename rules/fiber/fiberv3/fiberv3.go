// Package fiberv3 holds the hooks otelgo splices into
// github.com/gofiber/fiber/v3. Fiber serves through fasthttp's own HTTP
// server, whose hooks (otelgo.dev/rules/fasthttp) make the one SERVER span
// of each request; fiber adds no span. Its hooks give that span the route
// fiber matched (c.FullPath(), e.g. "/users/:id", with the prefixes of its
// groups and mounts) as http.route and in its name, "GET /users/:id", and
// http.server.request.duration gets the route too
// (otelgo.dev/rules/internal/fastroute). Apps made with a custom context
// (fiber.NewWithCustomCtx) are routed by nextCustom, hooked the same way.
//
// Middlewares registered with app.Use are not routes: a request that
// reaches no handler route (404, 405) keeps the name "GET" and gets no
// http.route. Handlers find the SERVER span in c.Context() (unless a
// context holding a span was set there before), so calls given that
// context nest under the request.
//
// The rules are in fiberv3.json beside this file; the hooks are reached
// from fiber through //go:linkname, so their signatures follow the
// convention of otelgo.dev/rules/api exactly.
package fiberv3

import (
	"github.com/gofiber/fiber/v3"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/fastroute"
)

// isMiddleware reports whether r is a route app.Use registered (fiber.Route's
// unexported field "use").
var isMiddleware = fastroute.UseFlag[fiber.Route]("use")

// NextOnEnter is the OnEnter hook of
//
//	func (app *App) next(c *DefaultCtx) (bool, error)
//
// in fiber (router.go), which routes a request to the next matching route,
// from (*App).requestHandler and from c.Next(). On the first call for a
// request c.Context() gets the request's SERVER span.
func NextOnEnter(_ api.CallContext, _ *fiber.App, c *fiber.DefaultCtx) {
	if c != nil {
		enter(c)
	}
}

// NextOnExit is the OnExit hook of (*App).next: the route it matched (or
// a deeper call through c.Next() matched) is c.Route(). It runs also when
// a handler panics.
func NextOnExit(call api.CallContext, _ bool, _ error) {
	if c, _ := call.Param(0).(*fiber.DefaultCtx); c != nil {
		exit(c)
	}
}

// NextCustomOnEnter is the OnEnter hook of
//
//	func (app *App) nextCustom(c CustomCtx) (bool, error)
//
// in fiber (router.go), next for apps with a custom context.
func NextCustomOnEnter(_ api.CallContext, _ *fiber.App, c fiber.CustomCtx) {
	if c != nil {
		enter(c)
	}
}

// NextCustomOnExit is the OnExit hook of (*App).nextCustom.
func NextCustomOnExit(call api.CallContext, _ bool, _ error) {
	if c, _ := call.Param(0).(fiber.CustomCtx); c != nil {
		exit(c)
	}
}

func enter(c fiber.Ctx) {
	fastroute.ShareSpan(c.RequestCtx(), c.Context, c.SetContext)
}

func exit(c fiber.Ctx) {
	r := c.Route()
	// Without a matched route Route() is a stand-in with the raw path and
	// no handlers; a middleware's route is not the request's.
	if r == nil || len(r.Handlers) == 0 || isMiddleware(r) {
		return
	}
	fastroute.Set(c.RequestCtx(), r.Path)
}
