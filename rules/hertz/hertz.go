// Package hertz holds the hooks otelgo splices into
// github.com/cloudwego/hertz, which has an HTTP server and a client of its
// own (not net/http's): every server made by server.New (and so by
// server.Default) gets a middleware of this package ahead of all others,
// and every client made by client.NewClient a client middleware, following
// the HTTP semantic conventions of go.opentelemetry.io/otel/semconv/v1.39.0,
// with the http.server.request.duration and http.client.request.duration
// histograms.
//
// Server: a SERVER span per request, with the parent extracted from the
// request headers (the configured propagators: W3C traceparent by
// default), named "{method} {route}" with the route hertz matched
// (c.FullPath(), e.g. "/users/:id") as http.route, or "{method}" for a
// request no route matched. Handlers get the span in their
// context.Context. A status of 500 or more (a panic that Default's
// recovery middleware turns into a 500 included) marks the span as failed.
// The span starts once hertz has read the request's headers.
//
// Client: a CLIENT span per (*Client).Do (Get, Post, DoTimeout... go
// through it), redirects and retries included, under the span in the
// call's context (else the goroutine's current span); the trace context
// is injected into the request's headers.
//
// Versions: v0.10.4 is the lowest hertz that builds with Go 1.26 (older
// releases require bytedance/sonic versions that do not link with it), so
// it is the lowest these hooks are tested with and require.
//
// The rules are in hertz.json beside this file; the hooks are reached from
// hertz through //go:linkname, so their signatures follow the convention of
// otelgo.dev/rules/api exactly.
package hertz

import (
	"github.com/cloudwego/hertz/pkg/app/client"
	"github.com/cloudwego/hertz/pkg/app/server"

	"otelgo.dev/rules/api"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/hertz"

// NewOnExit is the OnExit hook of
//
//	func New(opts ...config.Option) *Hertz
//
// in hertz's pkg/app/server (hertz.go): the server's first middleware is
// the one that traces its requests (no route is registered yet, so every
// route, and the handling of unmatched requests, gets it).
func NewOnExit(_ api.CallContext, h *server.Hertz) {
	if h != nil {
		h.Use(serverMiddleware)
	}
}

// NewClientOnExit is the OnExit hook of
//
//	func NewClient(opts ...config.ClientOption) (*Client, error)
//
// in hertz's pkg/app/client (client.go).
func NewClientOnExit(_ api.CallContext, c *client.Client, err error) {
	if c != nil && err == nil {
		c.Use(clientMiddleware)
	}
}
