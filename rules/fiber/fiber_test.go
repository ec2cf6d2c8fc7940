package fiber

import (
	"testing"

	"github.com/gofiber/fiber/v2"

	"otelgo.dev/rules/api"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *fiber.App, *fiber.Ctx) = NextOnEnter
	_ func(api.CallContext, bool, error)            = NextOnExit
)

func TestMiddlewareRoutesAreTold(t *testing.T) {
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error { return c.Next() })
	app.Get("/users/:id", func(c *fiber.Ctx) error { return nil })
	var use, get int
	for _, r := range app.GetRoutes() {
		if isMiddleware(&r) {
			use++
		} else if r.Path == "/users/:id" {
			get++
		}
	}
	if use == 0 || get == 0 {
		t.Fatalf("middleware routes %d, handler routes %d (has fiber.Route no use field?)", use, get)
	}
}
