package nethttp

import (
	"context"
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
//     An otelhttp handler behind another router or middleware is not seen
//     in advance: it runs inside otelgo's SERVER span, and is handed that
//     span when it starts its own (OtelhttpSpanStartOnEnter).
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

// OtelhttpSpanStartOnEnter is the OnEnter hook of
//
//	func (tr *tracer) Start(ctx context.Context, name string, options ...trace.SpanStartOption) (context.Context, trace.Span)
//
// in the SDK (go.opentelemetry.io/otel/sdk/trace), for an otelhttp handler
// (or a router with otelgin, otelecho or otelmux: httproute.HandsOver)
// behind a middleware or router of the program's (prometheus's routes,
// OPA's server with its distributed tracing on): it starts its SERVER span
// inside the one otelgo started for the request, which log records and
// spans have already been given. That span stays the request's only one:
// the handler gets it (handedOver), sets its attributes on it, and its End
// ends nothing; otelhttp measures the request, as where otelgo sees it in
// advance.
func OtelhttpSpanStartOnEnter(call api.CallContext, recv any, ctx context.Context, _ string, opts []trace.SpanStartOption) {
	if !otelhttpHandlers.Load() && !httproute.AnyHandmade() || ctx == nil {
		return
	}
	server := httproute.ServerSpan(ctx)
	if server == nil || !server.IsRecording() {
		return
	}
	if scope := scopeOf(recv); scope != otelhttpPackage && !httproute.HandsOver(scope) {
		return
	}
	if config := trace.NewSpanStartConfig(opts...); config.SpanKind() != trace.SpanKindServer {
		return
	}
	httproute.HandOver(ctx)
	span := handedOver{server}
	call.SkipCall()
	call.SetResult(0, trace.ContextWithSpan(ctx, span))
	call.SetResult(1, trace.Span(span))
}

// handedOver is otelgo's SERVER span of a request, handed to an otelhttp
// handler that would have started a second one: what it sets goes on the
// span; its End ends nothing, as the request's end does that.
type handedOver struct{ trace.Span }

func (handedOver) End(...trace.SpanEndOption) {}

// AliasedSpan tells otelgo.dev/rules/goroutine that the span is not a new
// one.
func (h handedOver) AliasedSpan() trace.Span { return h.Span }

// scopeOf is the name of the instrumentation scope of the SDK's *tracer
// (its instrumentationScope field), "" for any other value.
func scopeOf(tracer any) string {
	v := reflect.ValueOf(tracer)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	scope := v.Elem().FieldByName("instrumentationScope")
	if !scope.IsValid() || scope.Kind() != reflect.Struct {
		return ""
	}
	if name := scope.FieldByName("Name"); name.IsValid() && name.Kind() == reflect.String {
		return name.String()
	}
	return ""
}
