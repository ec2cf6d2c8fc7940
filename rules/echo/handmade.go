package echo

import (
	"reflect"

	"github.com/labstack/echo/v4"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// OtelechoOnExit is the OnExit hook of
//
//	func Middleware(service string, opts ...Option) echo.MiddlewareFunc
//
// in otelecho (go.opentelemetry.io/contrib/instrumentation/github.com/labstack/echo/otelecho): the program
// traces its own *echo.Echo with the official middleware, whose SERVER span is
// then each request's one; the net/http hooks leave such a router's
// requests to it.
func OtelechoOnExit(_ api.CallContext, _ echo.MiddlewareFunc) {
	httproute.Handmade(reflect.TypeOf((*echo.Echo)(nil)), "go.opentelemetry.io/contrib/instrumentation/github.com/labstack/echo/otelecho") // its scope: the package path
}
