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
var (
	handmadeTypes sync.Map // reflect.Type -> struct{}
	anyHandmade   atomic.Bool
)

// Handmade notes that the program made its own instrumentation for
// handlers of type t (*gin.Engine, *echo.Echo, *mux.Router).
func Handmade(t reflect.Type) {
	handmadeTypes.Store(t, struct{}{})
	anyHandmade.Store(true)
}

// IsHandmade reports whether h is of a type Handmade noted.
func IsHandmade(h http.Handler) bool {
	if h == nil || !anyHandmade.Load() {
		return false
	}
	_, ok := handmadeTypes.Load(reflect.TypeOf(h))
	return ok
}
