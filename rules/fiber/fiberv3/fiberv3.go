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
	"reflect"

	"github.com/gofiber/fiber/v3"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/fastroute"
)

// useField is the index of Route's unexported "use" field, true for the
// routes app.Use registers (whose Method is each HTTP method in turn); -1
// if fiber had none.
var useField = func() int {
	if f, ok := reflect.TypeOf(fiber.Route{}).FieldByName("use"); ok && f.Type.Kind() == reflect.Bool {
		return f.Index[0]
	}
	return -1
}()

// isMiddleware reports whether r is a route app.Use registered.
func isMiddleware(r *fiber.Route) bool {
	return useField >= 0 && reflect.ValueOf(r).Elem().Field(useField).Bool()
}

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
	req := fastroute.Lookup(c.RequestCtx())
	if req == nil || req.Span == nil {
		return
	}
	if uc := c.Context(); !trace.SpanContextFromContext(uc).IsValid() {
		c.SetContext(trace.ContextWithSpan(uc, req.Span))
	}
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
