// Package fasthttp holds the hooks otelgo splices into
// github.com/valyala/fasthttp, which has an HTTP server and clients of its
// own (not net/http's): a SERVER span per request a fasthttp.Server serves
// and a CLIENT span per request a fasthttp client sends, following the
// HTTP semantic conventions of go.opentelemetry.io/otel/semconv/v1.39.0,
// and the http.server.request.duration and http.client.request.duration
// histograms. The rules are in fasthttp.json beside this file.
//
// Server: (*Server).Serve and (*Server).ServeConn (which ListenAndServe,
// fasthttp.Serve, fiber's app.Listen and app.Test all reach) wrap the
// server's Handler once, before it serves a connection. The wrapper starts
// the SERVER span with the parent extracted from the request headers (the
// configured propagators: W3C traceparent by default), names it "{method}"
// (fasthttp has no routes; a router on top, fiber, gives the span
// "{method} {route}" through otelgo.dev/rules/internal/fastroute) and ends
// it when the handler returns, with the response's status code. A status
// of 500 or more, or a handler that panics (fasthttp does not recover
// panics: the program still dies), marks the span as failed. Code the
// handler calls finds the SERVER span as the goroutine's current span
// (otelgo.dev/rules/goroutine): *fasthttp.RequestCtx is a context.Context,
// but not one that can carry a span, so a call given ctx (or
// context.Background()) nests under the request all the same. A request
// a TimeoutHandler gave up on ends its span when the handler returns.
//
// Client: every request sent through a *HostClient (and so through
// *Client, fasthttp.Do, Get, Post..., DoTimeout, DoDeadline, DoRedirects),
// each attempt and each redirect, is one CLIENT span, from the request
// being written to the response's headers being read, under the
// goroutine's current span (fasthttp's client takes no context). The
// trace context is injected into the request's headers, which fasthttp
// lets the caller own and reuse: the headers stay in the request after the
// call. A status of 400 or more, or an error, marks the span as failed.
// PipelineClient is not instrumented.
//
// The hooks are reached from fasthttp through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package fasthttp

import (
	"errors"
	"net"

	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/fasthttp"

// fasthttpErrors names fasthttp's own sentinel errors for error.type
// (errors.New values would all be "*errors.errorString").
var fasthttpErrors = []struct {
	err  error
	name string
}{
	{fasthttp.ErrTimeout, "timeout"},
	{fasthttp.ErrDialTimeout, "dial_timeout"},
	{fasthttp.ErrNoFreeConns, "no_free_conns"},
	{fasthttp.ErrConnectionClosed, "connection_closed"},
	{fasthttp.ErrTooManyRedirects, "too_many_redirects"},
}

// errorType is the error.type of a failed client call.
func errorType(err error) attribute.KeyValue {
	for _, e := range fasthttpErrors {
		if errors.Is(err, e.err) {
			return semconv.ErrorTypeKey.String(e.name)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return semconv.ErrorTypeKey.String("timeout")
	}
	return semconv.ErrorType(err)
}
