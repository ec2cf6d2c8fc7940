package nethttp

import (
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// A program may instrument net/http itself with the official otelhttp
// (go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp): a
// Transport wrapping its client's RoundTripper, a handler wrapping its
// ServeMux or one route. Then otelhttp makes the span of that request and
// otelgo steps aside for it: one span per operation, the program's, in the
// same trace as everything else.
//
//   - Client: a request whose context holds a CLIENT span otelhttp started
//     is one otelhttp's Transport is sending; it gets no second span and
//     keeps the propagation headers otelhttp injected.
//   - Server: a request the server's handler (or, for a ServeMux, the
//     handler its pattern matches) hands to otelhttp gets no SERVER span and
//     no http.server.request.duration from otelgo (otelhttp measures it).
//     Routers (gin, echo, ...) then name otelhttp's span with their route.
//     Looking up the handler costs a ServeMux match per request, so it runs
//     only in programs that made an otelhttp handler (OtelhttpMiddlewareOnExit).
//     An otelhttp handler behind another router or middleware is not seen:
//     that request gets both spans.
//   - Server, routers: an http.Server whose handler is a router the program
//     gave its contrib middleware (otelgin, otelecho, otelmux; see
//     internal/httproute.Handmade) gets no SERVER span either.
const otelhttpPackage = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

// otelhttpHandlers is set once the program has made an otelhttp handler.
var otelhttpHandlers atomic.Bool

// OtelhttpMiddlewareOnExit is the OnExit hook of
//
//	func NewMiddleware(operation string, opts ...Option) func(http.Handler) http.Handler
//
// in otelhttp (handler.go), which NewHandler calls too.
func OtelhttpMiddlewareOnExit(_ api.CallContext, _ func(http.Handler) http.Handler) {
	otelhttpHandlers.Store(true)
}

// sentByOtelhttp reports whether the span in the context of a request
// being sent is the CLIENT span otelhttp's Transport started for it.
func sentByOtelhttp(span trace.Span) bool {
	s, ok := span.(interface {
		SpanKind() trace.SpanKind
		InstrumentationScope() instrumentation.Scope
	})
	return ok && s.SpanKind() == trace.SpanKindClient && s.InstrumentationScope().Name == otelhttpPackage
}

// servedByOtelhttp reports whether the server whose serverHandler is recv
// hands req to an otelhttp handler.
func servedByOtelhttp(recv any, req *http.Request) bool {
	h := serverHandlerOf(recv)
	if httproute.IsHandmade(h) {
		return true // a router with its own contrib middleware (otelgin, ...)
	}
	if !otelhttpHandlers.Load() {
		return false
	}
	if h == nil {
		h = http.DefaultServeMux
	}
	if isOtelhttp(h) {
		return true
	}
	if mux, ok := h.(*http.ServeMux); ok {
		matched, _ := mux.Handler(req)
		return isOtelhttp(matched)
	}
	return false
}

// serverHandlerOf is recv.srv.Handler: recv is net/http's serverHandler,
// struct{ srv *Server }, which a hook receives as any.
func serverHandlerOf(recv any) http.Handler {
	v := reflect.ValueOf(recv)
	if v.Kind() != reflect.Struct || v.NumField() != 1 || v.Field(0).Type() != reflect.TypeOf((*http.Server)(nil)) {
		return nil
	}
	srv := (*http.Server)(unsafe.Pointer(v.Field(0).Pointer()))
	if srv == nil {
		return nil
	}
	return srv.Handler
}

var otelhttpFuncs sync.Map // code pointer -> bool

// isOtelhttp reports whether h is a handler otelhttp made: an
// http.HandlerFunc whose function is one of otelhttp's closures.
func isOtelhttp(h http.Handler) bool {
	v := reflect.ValueOf(h)
	if v.Kind() != reflect.Func || v.IsNil() {
		return false
	}
	pc := v.Pointer()
	if known, ok := otelhttpFuncs.Load(pc); ok {
		return known.(bool)
	}
	f := runtime.FuncForPC(pc)
	is := f != nil && strings.HasPrefix(f.Name(), otelhttpPackage+".")
	otelhttpFuncs.Store(pc, is)
	return is
}
