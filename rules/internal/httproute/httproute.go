// Package httproute is what the router hooks (gin, echo, gorilla/mux, chi,
// httprouter, go-restful) share:
// giving the net/http SERVER span of a request the route template a router
// matched it with.
//
// The SERVER span itself comes from otelgo.dev/rules/nethttp, which starts it
// before any handler runs and puts it in the request's context. A router
// hook never starts a second one: it finds that span in the request it sees
// and sets http.route and the name "{method} {route}" on it.
package httproute

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
)

// Holder keeps the route of one request for its http.server.request.duration
// measurement: the span may not record (sampled out, OTEL_TRACES_EXPORTER=none)
// while metrics are still taken. It also tells whether a router said it
// matched no route (Unrouted).
type Holder struct {
	route      atomic.Pointer[string]
	prefix     atomic.Pointer[string] // what http.StripPrefix took off the path so far
	named      atomic.Bool            // Set gave the span the route; Note leaves that to the span's end
	server     trace.Span             // set before the holder is shared
	handedOver atomic.Bool
}

// SetServer records span as the request's SERVER span, which net/http's
// hook started; it is called before the request is handed on.
func (h *Holder) SetServer(span trace.Span) { h.server = span }

// ServerSpan returns the SERVER span otelgo started for the request whose
// context ctx is (or derives from), or nil.
func ServerSpan(ctx context.Context) trace.Span {
	if h := holderIn(ctx); h != nil {
		return h.server
	}
	return nil
}

// HandOver records that instrumentation of the program's own (an otelhttp
// handler deeper in the chain) was handed the request's SERVER span in
// place of one of its own: it measures the request.
func HandOver(ctx context.Context) {
	if h := holderIn(ctx); h != nil {
		h.handedOver.Store(true)
	}
}

// HandedOver reports whether HandOver was called for the request.
func (h *Holder) HandedOver() bool { return h.handedOver.Load() }

type holderKey struct{}

// WithHolder returns ctx with a new Holder that Set fills for requests
// whose context derives from it.
func WithHolder(ctx context.Context) (context.Context, *Holder) {
	h := new(Holder)
	return context.WithValue(ctx, holderKey{}, h), h
}

// Route is the route the last Set call gave, "" if none (or if an
// Unrouted call came after it).
func (h *Holder) Route() string {
	if r := h.route.Load(); r != nil {
		return *r
	}
	return ""
}

// Named reports whether the SERVER span already has the route Route
// returns: Set gave it; Note leaves that to whoever ends the span.
func (h *Holder) Named() bool { return h.named.Load() }

// Unrouted reports whether the last router to decide (Set or Unrouted)
// matched no route: the request then has no http.route, though a pattern
// (a ServeMux's, or the one a router writes in Request.Pattern for the
// path it nearly matched) may be in the request.
func (h *Holder) Unrouted() bool {
	r := h.route.Load()
	return r != nil && *r == ""
}

var noRoute = new(string)

// Unrouted records that a router matched no route for req (a 404 or 405 of
// its own): a Set call for the same request after it wins, as one before
// it loses. The span keeps its name "{method}".
func Unrouted(req *http.Request) {
	if h := holderOf(req); h != nil {
		h.route.Store(noRoute)
		h.named.Store(false)
	}
}

// StripPrefix records that http.StripPrefix took prefix off req's path: the
// routes set for the request from then on are of the rest of the path, and
// get prefix back in front.
func StripPrefix(req *http.Request, prefix string) {
	if h := holderOf(req); h != nil && prefix != "" {
		if old := h.prefix.Load(); old != nil {
			prefix = *old + prefix
		}
		h.prefix.Store(&prefix)
	}
}

// Note gives the request the route template route, as Set does, but
// leaves the span's name and attributes to whoever ends it: a router that
// may yet hand the request to another (a ServeMux behind a ServeMux) must
// not name the span after a route the inner one may not match.
func Note(req *http.Request, route string) {
	if h := holderOf(req); h != nil && route != "" {
		h.store(route)
		h.named.Store(false)
	}
}

// Set gives the request the route template route: its Holder keeps it, and
// the SERVER span in req's context gets http.route and the name
// "{method} {route}". It does nothing when route is empty (no route
// matched: a 404 keeps the name "{method}"). The span is left alone when req's
// context holds no recording span, or when that span is not a SERVER span
// (a span a middleware started for itself is not renamed).
//
// A later call for the same request wins: the innermost router decides.
func Set(req *http.Request, route string) {
	if req == nil || route == "" {
		return
	}
	h := holderOf(req)
	if h != nil {
		route = h.store(route)
		h.named.Store(false) // until the span below has it
	}
	span := trace.SpanFromContext(req.Context())
	if !span.IsRecording() {
		return
	}
	if k, ok := span.(interface{ SpanKind() trace.SpanKind }); ok && k.SpanKind() != trace.SpanKindServer {
		return
	}
	span.SetAttributes(semconv.HTTPRoute(route))
	span.SetName(named(spanMethod(req.Method), route).name)
	if h != nil {
		h.named.Store(true)
	}
}

// holderOf is the Holder in req's context, or nil.
func holderOf(req *http.Request) *Holder {
	if req == nil {
		return nil
	}
	return holderIn(req.Context())
}

func holderIn(ctx context.Context) *Holder {
	h, _ := ctx.Value(holderKey{}).(*Holder)
	return h
}

// store keeps route, behind the prefix http.StripPrefix took off, and
// returns that whole route.
func (h *Holder) store(route string) string {
	if prefix := h.prefix.Load(); prefix != nil {
		route = strings.TrimSuffix(*prefix, "/") + route
	}
	r := &named("", route).route
	h.route.Store(r)
	return *r
}

// routeName is a route and the span name "{method} {route}" of a method.
type routeName struct{ route, name string }

type routeKey struct{ method, route string }

// names keeps a routeName per method and route, made once, so that Set
// allocates neither the Holder's route nor the span name per request.
// Routes are templates, few; past maxNames more are made per call.
var (
	names     sync.Map // routeKey -> *routeName
	nameCount atomic.Int32
)

const maxNames = 4096

func named(method, route string) *routeName {
	key := routeKey{method, route}
	if n, ok := names.Load(key); ok {
		return n.(*routeName)
	}
	n := &routeName{route, method + " " + route}
	if nameCount.Load() >= maxNames {
		return n
	}
	if got, loaded := names.LoadOrStore(key, n); loaded {
		return got.(*routeName)
	}
	nameCount.Add(1)
	return n
}

// spanMethod is the method as HTTP span names spell it: the known methods as
// they are, any other as "HTTP" (as otelgo.dev/rules/internal/httpattrs
// names them; not imported from there, which would give every router's
// hook module the metric API's dependencies).
func spanMethod(m string) string {
	switch m {
	case "":
		return http.MethodGet
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead,
		http.MethodPatch, http.MethodOptions, http.MethodConnect, http.MethodTrace, "QUERY":
		return m
	}
	return "HTTP"
}
