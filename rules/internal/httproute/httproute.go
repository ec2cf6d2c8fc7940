// Package httproute is what the router hooks (gin, echo, gorilla/mux) share:
// giving the net/http SERVER span of a request the route template a router
// matched it with.
//
// The SERVER span itself comes from otelgo.dev/rules/nethttp, which starts it
// before any handler runs and puts it in the request's context. A router
// hook never starts a second one: it finds that span in the request it sees
// and sets http.route and the name "{method} {route}" on it.
package httproute

import (
	"net/http"

	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"
)

// Set gives the SERVER span in req's context the route template route:
// http.route and the name "{method} {route}". It does nothing when route is
// empty (no route matched: a 404 keeps the name "{method}"), when req or its
// context holds no recording span, or when that span is not a SERVER span
// (a span a middleware started for itself is not renamed).
//
// A later call for the same request wins: the innermost router decides.
func Set(req *http.Request, route string) {
	if req == nil || route == "" {
		return
	}
	span := trace.SpanFromContext(req.Context())
	if !span.IsRecording() {
		return
	}
	if k, ok := span.(interface{ SpanKind() trace.SpanKind }); ok && k.SpanKind() != trace.SpanKindServer {
		return
	}
	span.SetAttributes(semconv.HTTPRoute(route))
	span.SetName(spanMethod(req.Method) + " " + route)
}

// spanMethod is the method as HTTP span names spell it: the known methods as
// they are, any other as "HTTP" (as otelgo.dev/rules/nethttp names them).
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
