package gin

import (
	"reflect"

	"github.com/gin-gonic/gin"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// OtelginOnExit is the OnExit hook of
//
//	func Middleware(service string, opts ...Option) gin.HandlerFunc
//
// in otelgin (go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin): the program
// traces its own *gin.Engine with the official middleware, whose SERVER span is
// then each request's one; the net/http hooks leave such a router's
// requests to it.
func OtelginOnExit(_ api.CallContext, _ gin.HandlerFunc) {
	httproute.Handmade(reflect.TypeOf((*gin.Engine)(nil)), "go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin") // its scope: the package path
}
