package httproute

import (
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
)

// A router a program instruments itself with its official contrib
// middleware (otelgin, otelecho, otelmux) makes the SERVER span of the
// requests it serves: the router's hooks note its type when the program
// makes that middleware, and the net/http hooks then leave the requests an
// http.Server hands such a router to it (no second SERVER span).
// Such a router behind a middleware or a ServeMux is not seen in advance:
// its middleware starts its SERVER span inside otelgo's, and
// otelgo.dev/rules/nethttp hands it otelgo's (HandsOver) instead.
var (
	handmadeTypes  sync.Map // reflect.Type -> struct{}
	handmadeScopes sync.Map // instrumentation scope name -> struct{}
	anyHandmade    atomic.Bool
)

// Handmade notes that the program made its own instrumentation for
// handlers of type t (*gin.Engine, *echo.Echo, *mux.Router), whose SERVER
// spans are of the instrumentation scope scope (otelgin's, ...).
func Handmade(t reflect.Type, scope string) {
	handmadeTypes.Store(t, struct{}{})
	handmadeScopes.Store(scope, struct{}{})
	anyHandmade.Store(true)
}

// AnyHandmade reports whether Handmade was called.
func AnyHandmade() bool { return anyHandmade.Load() }

// HandsOver reports whether scope is that of a router's own middleware
// that Handmade noted.
func HandsOver(scope string) bool {
	if !anyHandmade.Load() {
		return false
	}
	_, ok := handmadeScopes.Load(scope)
	return ok
}

// IsHandmade reports whether h is of a type Handmade noted.
func IsHandmade(h http.Handler) bool {
	if h == nil || !anyHandmade.Load() {
		return false
	}
	_, ok := handmadeTypes.Load(reflect.TypeOf(h))
	return ok
}
