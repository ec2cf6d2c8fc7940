// Package fastroute is what the hooks of fasthttp and of the routers on top
// of it (fiber v2, fiber v3) share: the SERVER span of each request a
// fasthttp server is serving, and the route a router matched it with.
//
// The SERVER span comes from otelgo.dev/rules/fasthttp, which starts it
// before the server's handler runs (fasthttp has its own HTTP server, not
// net/http's). A router hook never starts a second one: it finds the span
// of the request it routes here and sets http.route and the name
// "{method} {route}" on it, and the fasthttp hook records the route in
// http.server.request.duration when the request is done.
//
// Requests are keyed by their *fasthttp.RequestCtx (as an any: the root
// module does not depend on fasthttp), which fasthttp hands to exactly one
// request at a time.
package fastroute

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
)

// Request is one request being served.
type Request struct {
	Span   trace.Span // its SERVER span
	method string     // the method as span names spell it
	route  atomic.Pointer[string]
}

var inflight sync.Map // *fasthttp.RequestCtx -> *Request

// Begin registers the request keyed by key, served under span; spanMethod
// is its method as its span's name spells it ("GET", "HTTP" for an unknown
// method).
func Begin(key any, span trace.Span, spanMethod string) *Request {
	r := &Request{Span: span, method: spanMethod}
	inflight.Store(key, r)
	return r
}

// End forgets the request keyed by key, once it has been served.
func End(key any) { inflight.Delete(key) }

// Lookup returns the request keyed by key, or nil when none is being
// served under a span of ours (the hooks are off, or the server was not
// started through a hooked function).
func Lookup(key any) *Request {
	if key == nil {
		return nil
	}
	if v, ok := inflight.Load(key); ok {
		return v.(*Request)
	}
	return nil
}

// Route is the route the last Set gave the request, "" if none.
func (r *Request) Route() string {
	if p := r.route.Load(); p != nil {
		return *p
	}
	return ""
}

// Set gives the request keyed by key the route template route: it keeps
// it for the duration metric, and the SERVER span gets http.route and the
// name "{method} {route}". An empty route, or a request that is not being
// served under a span of ours, is left alone. A later call for the same
// request wins: the innermost router decides.
func Set(key any, route string) {
	if route == "" {
		return
	}
	r := Lookup(key)
	if r == nil {
		return
	}
	r.route.Store(&route)
	if r.Span == nil || !r.Span.IsRecording() {
		return
	}
	r.Span.SetAttributes(semconv.HTTPRoute(route))
	r.Span.SetName(r.method + " " + route)
}
