package mux

import (
	"reflect"

	"github.com/gorilla/mux"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// OtelmuxOnExit is the OnExit hook of
//
//	func Middleware(service string, opts ...Option) mux.MiddlewareFunc
//
// in otelmux (go.opentelemetry.io/contrib/instrumentation/github.com/gorilla/mux/otelmux): the program
// traces its own *mux.Router with the official middleware, whose SERVER span is
// then each request's one; the net/http hooks leave such a router's
// requests to it.
func OtelmuxOnExit(_ api.CallContext, _ mux.MiddlewareFunc) {
	httproute.Handmade(reflect.TypeOf((*mux.Router)(nil)), "go.opentelemetry.io/contrib/instrumentation/github.com/gorilla/mux/otelmux") // its scope: the package path
}
